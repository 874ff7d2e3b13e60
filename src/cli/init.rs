//! `hearth init DIR [--ci github|gitlab] [--existing]` and
//! `hearth new post|member|event|page "Title" [SITE | --site DIR] [--draft] [--date D]`

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Args;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::Output;
use crate::config::Config;
use crate::content::{self, Visibility};
use crate::diag::{Diagnostics, Problems};
use crate::scaffold::{self, Ci, Kind, NewItem};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in (new or empty); with --existing, the site
    /// (the repository's folder) to add the CI workflow to.
    pub dir: PathBuf,

    /// Also write a CI workflow that builds and publishes the site and sends the
    /// newsletter when it is due (GitHub Actions + Pages, or GitLab CI + Pages).
    #[arg(long, value_enum, value_name = "HOST")]
    pub ci: Option<Ci>,

    /// DIR is an existing site: write only the CI workflow (never replacing a file).
    #[arg(long, requires = "ci")]
    pub existing: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// What to write.
    #[arg(value_enum)]
    pub kind: Kind,
    /// The title (a member's name), also used for the file name.
    pub title: String,
    /// The site folder; default `.`.
    #[arg(value_name = "SITE", conflicts_with = "site")]
    pub site_dir: Option<PathBuf>,
    /// The site folder, as an option.
    #[arg(long, value_name = "DIR")]
    pub site: Option<PathBuf>,
    /// Mark it a draft (`draft = true`): left out of the site until you remove it.
    #[arg(long)]
    pub draft: bool,
    /// The post's date, the event's day or the member's `joined` (YYYY-MM-DD);
    /// default today (an event: a week from today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<Date>,
}

fn parse_date(text: &str) -> Result<Date, String> {
    text.parse::<Date>()
        .map_err(|e| format!("expected a date like 2026-12-03: {e}"))
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
    if args.existing {
        return add_ci(&args.dir, args.ci, out);
    }
    let zone = local_zone();
    let tz = TimeZone::get(&zone).unwrap_or(TimeZone::UTC);
    let mut files = scaffold::init(&args.dir, now.to_zoned(tz).date(), &zone)?;
    if let Some(ci) = args.ci {
        files.extend(scaffold::ci(&args.dir, ci)?);
    }
    let dir = args.dir.display();
    out.summary(&format!(
        "Created a hearth site in {dir} ({} files). Next:",
        files.len()
    ));
    out.summary(&format!(
        "  hearth serve {dir}        # preview at http://127.0.0.1:1111/ while you edit"
    ));
    out.summary(&format!("  hearth new post \"Hello\" {dir}"));
    out.summary(&format!(
        "  hearth build {dir}        # the site, in {dir}/public"
    ));
    out.summary(&format!(
        "  hearth check {dir}        # every link checked before you publish"
    ));
    out.summary(&format!(
        "Set title, base_url and timezone ({zone} now) in {dir}/hearth.toml."
    ));
    if args.ci.is_some() {
        out.summary(
            "Read the comments atop the workflow: secrets to add, how hearth is installed.",
        );
    }
    Ok(())
}

/// `--existing`: the workflow only, into a folder that is a site already.
fn add_ci(dir: &Path, ci: Option<Ci>, out: &Output) -> Result<()> {
    let Some(ci) = ci else {
        bail!("--existing adds a CI workflow: say which with --ci github or --ci gitlab");
    };
    if !dir.join(crate::config::FILE_NAME).is_file() {
        bail!(
            "`{}` has no {}: --existing adds a workflow to a hearth site (`hearth init DIR --ci {}` makes a new one)",
            dir.display(),
            crate::config::FILE_NAME,
            match ci {
                Ci::Github => "github",
                Ci::Gitlab => "gitlab",
            }
        );
    }
    for rel in scaffold::ci(dir, ci)? {
        out.summary(&dir.join(rel).display().to_string());
    }
    out.summary("Read the comments atop the workflow: secrets to add, how hearth is installed.");
    Ok(())
}

pub fn new(args: NewArgs, now: Timestamp, out: &Output) -> Result<()> {
    let site = args
        .site
        .or(args.site_dir)
        .unwrap_or_else(|| PathBuf::from("."));
    let config = site_config(&site)?;
    let today = now.to_zoned(config.timezone.clone()).date();
    let timezone = config.timezone_name.clone();
    let taken = taken_slugs(&site, config, args.kind, now);
    let item = NewItem {
        kind: args.kind,
        title: &args.title,
        date: args.date.unwrap_or(today),
        date_given: args.date.is_some(),
        draft: args.draft,
        timezone: &timezone,
    };
    let path = scaffold::new(&site, &item, &taken)?;
    out.summary(&path.display().to_string());
    Ok(())
}

/// The slugs the site's items of `kind` use now, drafts included. Problems of the
/// site do not stop `hearth new`: the build reports them.
fn taken_slugs(site_dir: &Path, config: Config, kind: Kind, now: Timestamp) -> BTreeSet<String> {
    let mut diags = Diagnostics::default();
    let visibility = Visibility {
        drafts: true,
        now,
        cache: None,
        memo: None,
    };
    let site = content::load(site_dir, config, visibility, &mut diags);
    let slugs: Vec<&crate::model::Slug> = match kind {
        Kind::Post => site.posts.iter().map(|p| &p.slug).collect(),
        Kind::Member => site.members.iter().map(|m| &m.slug).collect(),
        Kind::Event => site.events.iter().map(|e| &e.slug).collect(),
        Kind::Page => site.pages.iter().map(|p| &p.slug).collect(),
    };
    slugs.into_iter().map(|s| s.as_str().to_string()).collect()
}

fn site_config(site: &Path) -> Result<Config> {
    let mut diags = Diagnostics::default();
    match Config::load(site, None, &mut diags) {
        Some(config) => Ok(config),
        None => Err(Problems::new(diags.into_items()).into()),
    }
}
