//! `hearth list [drafts|scheduled|posts|events|members] [SITE | --site DIR]`: the site's
//! items with their dates and files.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use jiff::Timestamp;

use super::Output;
use crate::desk::{self, list::Which};

#[derive(Debug, Args)]
pub struct ListArgs {
    /// What to list.
    #[arg(value_enum, default_value = "all")]
    pub which: Which,

    /// The site folder (the one with hearth.toml); default `.`.
    #[arg(value_name = "SITE", conflicts_with = "site")]
    pub site_dir: Option<PathBuf>,

    /// The site folder, as an option.
    #[arg(long, value_name = "DIR")]
    pub site: Option<PathBuf>,
}

pub fn run(args: ListArgs, now: Timestamp, out: &Output) -> Result<()> {
    let site = args
        .site
        .or(args.site_dir)
        .unwrap_or_else(|| PathBuf::from("."));
    let desk = desk::load(&site, now)?;
    for w in &desk.warnings {
        out.diagnostic(w);
    }
    let items = desk::list::items(&desk.site, args.which, now);
    let kind_width = items.iter().map(|i| i.kind.len()).max().unwrap_or(0);
    let title_width = items
        .iter()
        .map(|i| i.title.chars().count())
        .max()
        .unwrap_or(0)
        .min(50);
    for item in &items {
        super::say(&format!(
            "{:kind_width$}  {:10}  {:title_width$}  {}",
            item.kind,
            item.date,
            item.title,
            item.path.display()
        ));
    }
    if items.is_empty() {
        out.summary("Nothing to list.");
    }
    Ok(())
}
