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
    /// What to list: all, drafts, scheduled, posts, events or members (default all).
    /// A folder here, alone, is the site: `hearth list my-community`.
    #[arg(value_name = "WHAT")]
    pub which: Option<String>,

    /// The site folder (the one with hearth.toml); default `.`.
    #[arg(value_name = "SITE", conflicts_with = "site")]
    pub site_dir: Option<PathBuf>,

    /// The site folder, as an option.
    #[arg(long, value_name = "DIR")]
    pub site: Option<PathBuf>,
}

/// `hearth list`, `hearth list drafts`, `hearth list drafts SITE` and
/// `hearth list SITE` all mean what they say.
fn what_and_where(which: Option<String>, site: Option<PathBuf>) -> Result<(Which, PathBuf)> {
    use clap::ValueEnum as _;
    let Some(text) = which else {
        return Ok((Which::All, site.unwrap_or_else(|| PathBuf::from("."))));
    };
    match (Which::from_str(&text, true), site) {
        (Ok(which), site) => Ok((which, site.unwrap_or_else(|| PathBuf::from(".")))),
        (Err(_), None) if std::path::Path::new(&text).is_dir() => {
            Ok((Which::All, PathBuf::from(text)))
        }
        (Err(_), _) => anyhow::bail!(
            "cannot list `{text}`: say all, drafts, scheduled, posts, events or members"
        ),
    }
}

pub fn run(args: ListArgs, now: Timestamp, out: &Output) -> Result<()> {
    let (which, site) = what_and_where(args.which, args.site_dir.or(args.site))?;
    let desk = desk::load(&site, now)?;
    for w in &desk.warnings {
        out.diagnostic(w);
    }
    let items = desk::list::items(&desk.site, which, now);
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
