//! `hearth check [SITE] [--drafts]`

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use jiff::Timestamp;

use super::Output;
use crate::BuildOptions;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The site folder (the one with hearth.toml).
    #[arg(default_value = ".")]
    pub site: PathBuf,

    /// Check drafts and future-dated posts too.
    #[arg(long)]
    pub drafts: bool,
}

pub fn run(args: CheckArgs, now: Timestamp, out: &Output) -> Result<()> {
    // Bodies the last build rendered are read from `.hearth/cache/`, not saved:
    // checking writes nothing into the site.
    let cache = crate::content::cache::BodyCache::load_held(&args.site);
    let opts = BuildOptions {
        site_dir: args.site,
        out_dir: None,
        drafts: args.drafts,
        base_url: None,
        now,
        cache: Some(std::sync::Arc::new(cache)),
        kept: None,
        progress: false,
    };
    let report = crate::check::check(&opts)?;
    for warning in &report.warnings {
        out.diagnostic(warning);
    }
    out.summary(&format!(
        "Checked {} pages and {} internal links: no problems found",
        report.pages, report.links
    ));
    Ok(())
}
