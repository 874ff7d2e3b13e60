//! `hearth init DIR` and `hearth new post|member|event|page "Title" [--site DIR]`

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::Output;
use crate::config::Config;
use crate::diag::{Diagnostics, Problems};
use crate::scaffold::{self, Kind};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in (new or empty).
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// What to write.
    #[arg(value_enum)]
    pub kind: Kind,
    /// The title (a member's name), also used for the file name.
    pub title: String,
    /// The site folder.
    #[arg(long, default_value = ".")]
    pub site: PathBuf,
}

/// The machine's time zone by its IANA name (jiff reads `TZ` and `/etc/localtime`),
/// else UTC.
fn local_zone() -> String {
    TimeZone::try_system()
        .ok()
        .and_then(|tz| tz.iana_name().map(str::to_string))
        .filter(|name| TimeZone::get(name).is_ok())
        .unwrap_or_else(|| "UTC".to_string())
}

pub fn init(args: InitArgs, now: Timestamp, out: &Output) -> Result<()> {
    let zone = local_zone();
    let tz = TimeZone::get(&zone).unwrap_or(TimeZone::UTC);
    let files = scaffold::init(&args.dir, now.to_zoned(tz).date(), &zone)?;
    let dir = args.dir.display();
    out.summary(&format!(
        "Created a hearth site in {dir} ({} files). Next:",
        files.len()
    ));
    out.summary(&format!(
        "  hearth serve {dir}        # preview at http://127.0.0.1:1111/ while you edit"
    ));
    out.summary(&format!("  hearth new post \"Hello\" --site {dir}"));
    out.summary(&format!(
        "  hearth build {dir}        # the site, in {dir}/public"
    ));
    out.summary(&format!(
        "  hearth check {dir}        # every link checked before you publish"
    ));
    out.summary(&format!(
        "Set title, base_url and timezone ({zone} now) in {dir}/hearth.toml."
    ));
    Ok(())
}

pub fn new(args: NewArgs, now: Timestamp, out: &Output) -> Result<()> {
    let config = site_config(&args.site)?;
    let today = now.to_zoned(config.timezone.clone()).date();
    let path = scaffold::new(
        &args.site,
        args.kind,
        &args.title,
        today,
        &config.timezone_name,
    )?;
    out.summary(&path.display().to_string());
    Ok(())
}

fn site_config(site: &Path) -> Result<Config> {
    let mut diags = Diagnostics::default();
    match Config::load(site, None, &mut diags) {
        Some(config) => Ok(config),
        None => Err(Problems::new(diags.into_items()).into()),
    }
}
