//! `hearth report [SITE] [--out FILE] [--since DATE]`: the community report, as an
//! HTML file with charts and a text summary on stdout.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use jiff::Timestamp;
use jiff::civil::Date;

use super::Output;
use crate::desk::{self, report::Report};

/// Where the report goes by default, relative to the site: local state, never
/// published.
pub const DEFAULT_OUT: &str = ".hearth/report.html";

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The site folder (the one with hearth.toml).
    #[arg(default_value = ".")]
    pub site: PathBuf,

    /// Where to write the HTML report (default: SITE/.hearth/report.html).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Start with the month of this date (YYYY-MM-DD); default: the last 12 months.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<Date>,
}

fn parse_date(text: &str) -> Result<Date, String> {
    text.parse::<Date>()
        .map_err(|e| format!("expected a date like 2026-01-01: {e}"))
}

pub fn run(args: ReportArgs, now: Timestamp, out: &Output) -> Result<()> {
    let desk = desk::load(&args.site, now)?;
    for w in &desk.warnings {
        out.diagnostic(w);
    }
    let report = desk::report::report(&desk, args.since, now)?;
    let html = desk::report_html::to_html(&report);
    let written = match &args.out {
        Some(file) => super::write_user_file(file, html.as_bytes())?,
        None => crate::files::write(&args.site, Path::new(DEFAULT_OUT), html.as_bytes())?,
    };
    out.summary(&summary(&report));
    out.summary(&format!("Report written to {}", written.display()));
    Ok(())
}

/// The text summary: one line per month, then the list and the privacy promise.
pub fn summary(report: &Report) -> String {
    let mut out = format!("{}: community report\n", report.title);
    out.push_str("month    posts authors  held in-person hybrid online  upcoming cancelled  members spotlights  issues  joined left bounced\n");
    for m in &report.months {
        out.push_str(&format!(
            "{}  {:5} {:7}  {:4} {:9} {:6} {:6}  {:8} {:9}  {:7} {:10}  {:6}  {:6} {:4} {:7}\n",
            m.start.strftime("%Y-%m"),
            m.posts,
            m.authors,
            m.held.total(),
            m.held.in_person,
            m.held.hybrid,
            m.held.online,
            m.upcoming.total(),
            m.cancelled,
            m.new_members,
            m.spotlights,
            m.issues,
            m.joined,
            m.left,
            m.bounced
        ));
    }
    for issue in &report.issues {
        let deliveries = match &issue.counts {
            Some(c) => format!(
                "{} delivered, {} failed, {} pending",
                c.delivered, c.failed, c.pending
            ),
            None => "no delivery ledger on this machine".to_string(),
        };
        out.push_str(&format!(
            "issue {}: {} ({deliveries})\n",
            issue.number, issue.subject
        ));
    }
    if let Some(list) = report.list {
        out.push_str(&format!(
            "subscribers: {} on the list, {} suppressed\n",
            list.subscribers, list.suppressed
        ));
    }
    out.push_str("hearth tracks no readers: no pixels, no click tracking, ever.");
    out
}
