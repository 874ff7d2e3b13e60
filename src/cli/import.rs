//! `hearth import SRC DEST [--from jekyll|hugo|zola] [--posts DIR]... [--members DIR]...
//! [--events DIR]... [--pages DIR]... [--rename OLD=NEW]...`

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::Output;
use crate::import::{self, Generator, Kind, Options};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The Jekyll, Hugo or Zola site to read (never written to).
    pub src: PathBuf,
    /// Where to write the hearth site (new or empty).
    pub dest: PathBuf,
    /// The generator of SRC (detected from its configuration file when absent).
    #[arg(long, value_enum)]
    pub from: Option<Generator>,
    /// A folder of SRC whose documents are posts (repeatable).
    #[arg(long, value_name = "DIR")]
    pub posts: Vec<PathBuf>,
    /// A folder of SRC whose documents are members (repeatable).
    #[arg(long, value_name = "DIR")]
    pub members: Vec<PathBuf>,
    /// A folder of SRC whose documents are events (repeatable).
    #[arg(long, value_name = "DIR")]
    pub events: Vec<PathBuf>,
    /// A folder of SRC whose documents are pages (repeatable).
    #[arg(long, value_name = "DIR")]
    pub pages: Vec<PathBuf>,
    /// Rename a front-matter key before anything else, e.g. `--rename speaker=organizers`.
    #[arg(long, value_name = "OLD=NEW", value_parser = parse_rename)]
    pub rename: Vec<(String, String)>,
}

fn parse_rename(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((old, new)) if !old.trim().is_empty() && !new.trim().is_empty() => {
            Ok((old.trim().to_string(), new.trim().to_string()))
        }
        _ => Err(format!("expected OLD=NEW, got `{text}`")),
    }
}

pub fn run(args: ImportArgs, now: Timestamp, out: &Output) -> Result<()> {
    let folders = [
        (&args.posts, Kind::Post),
        (&args.members, Kind::Member),
        (&args.events, Kind::Event),
        (&args.pages, Kind::Page),
    ]
    .into_iter()
    .flat_map(|(dirs, kind)| dirs.iter().map(move |d| (clean(d), kind)))
    .collect();
    let opts = Options {
        src: args.src,
        dest: args.dest,
        from: args.from,
        folders,
        renames: args.rename,
        today: now.to_zoned(TimeZone::UTC).date(),
    };
    let report = import::import(&opts)?;
    out.summary(report.to_string().trim_end());
    out.summary(&format!(
        "Next: hearth build {}   (then hearth serve {} to look around)",
        opts.dest.display(),
        opts.dest.display()
    ));
    Ok(())
}

/// `./content/` → `content`.
fn clean(dir: &std::path::Path) -> PathBuf {
    dir.components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .collect()
}
