//! `hearth build [SITE] [--out DIR] [--drafts] [--base-url URL]`

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use jiff::Timestamp;

use super::Output;
use crate::{BuildOptions, build};

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site folder (the one with hearth.toml).
    #[arg(default_value = ".")]
    pub site: PathBuf,

    /// Write the site here instead of SITE/public.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Include drafts and posts dated in the future.
    #[arg(long)]
    pub drafts: bool,

    /// Use this base URL instead of the one in hearth.toml (e.g. for a preview deploy).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

pub fn run(args: BuildArgs, now: Timestamp, out: &Output) -> Result<()> {
    let opts = BuildOptions {
        site_dir: args.site,
        out_dir: args.out,
        drafts: args.drafts,
        base_url: args.base_url,
        now,
        cache: None,
        kept: None,
        progress: !out.is_quiet(),
    };
    let report = build(&opts).map_err(|e| {
        if e.is::<crate::diag::Problems>() {
            e.context("nothing was built (any previous output is untouched)")
        } else {
            e
        }
    })?;
    for warning in &report.warnings {
        out.diagnostic(warning);
    }
    out.summary(&format!(
        "Built {} pages ({} files, {} written, {} removed) into {} in {} ms",
        report.pages,
        report.files,
        report.written,
        report.removed,
        report.out_dir.display(),
        report.elapsed.as_millis()
    ));
    Ok(())
}
