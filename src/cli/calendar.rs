//! `hearth calendar [SITE] [--weeks N] [--ics FILE]`: the organizers' content calendar
//! as a table on the terminal, and optionally as an iCalendar file.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use jiff::Timestamp;

use super::Output;
use crate::desk::{self, calendar::Calendar, calendar::Entry};

#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// The site folder (the one with hearth.toml).
    #[arg(default_value = ".")]
    pub site: PathBuf,

    /// How many weeks to show, starting with the current one.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=104))]
    pub weeks: u32,

    /// Also write the calendar as an iCalendar file, for the organizer team to
    /// subscribe to (never inside the output folder).
    #[arg(long, value_name = "FILE")]
    pub ics: Option<PathBuf>,
}

pub fn run(args: CalendarArgs, now: Timestamp, out: &Output) -> Result<()> {
    let desk = desk::load(&args.site, now)?;
    for w in &desk.warnings {
        out.diagnostic(w);
    }
    let calendar = desk::calendar::plan(&desk, args.weeks, now);
    super::say(&table(&calendar));
    if let Some(file) = &args.ics {
        refuse_output_folder(&args.site, file)?;
        let text = desk::ics::to_ics(&calendar, &desk.site.config.base_url, now);
        let written = super::write_user_file(file, text.as_bytes())?;
        out.summary(&format!("Calendar written to {}", written.display()));
    }
    Ok(())
}

/// The calendar is for organizers, not readers: it must never be published.
fn refuse_output_folder(site: &std::path::Path, file: &std::path::Path) -> Result<()> {
    let public = site.join("public");
    let public = public.canonicalize().unwrap_or(public);
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let parent = parent
        .canonicalize()
        .unwrap_or_else(|_| parent.to_path_buf());
    if parent.starts_with(&public) {
        bail!(
            "`{}` is inside the site's output folder: the organizers' calendar is not for publishing; write it elsewhere",
            file.display()
        );
    }
    Ok(())
}

/// The calendar as a readable table, week by week.
pub fn table(calendar: &Calendar) -> String {
    let mut out = format!(
        "{}: the next {} weeks ({}; today is {})\n",
        calendar.title,
        calendar.weeks.len(),
        calendar.timezone,
        calendar.today.strftime("%a %-d %b %Y")
    );
    for line in &calendar.pending {
        out.push_str(&format!("! pending: {line}\n"));
    }
    for week in &calendar.weeks {
        out.push_str(&format!(
            "\nWeek of {}\n",
            week.start.strftime("%a %-d %b %Y")
        ));
        if week.entries.is_empty() {
            out.push_str("  (nothing planned)\n");
        }
        for entry in &week.entries {
            out.push_str(&row(entry));
        }
        for problem in &week.problems {
            out.push_str(&format!(
                "  ! {}  {}\n",
                problem.date.strftime("%a %d %b"),
                problem.text
            ));
        }
    }
    if !calendar.old_drafts.is_empty() {
        out.push_str("\nDrafts dated in the past (publish, re-date or delete them)\n");
        for entry in &calendar.old_drafts {
            out.push_str(&row(entry));
        }
    }
    let problems = calendar.problems().count();
    out.push_str(&match problems {
        0 => "\nNo problems found.".to_string(),
        1 => "\n1 problem found (lines starting with !).".to_string(),
        n => format!("\n{n} problems found (lines starting with !)."),
    });
    out
}

fn row(entry: &Entry) -> String {
    let time = if entry.all_day {
        String::new()
    } else {
        crate::model::time::human_time(&entry.at)
    };
    let mut what = entry.title.clone();
    if !entry.detail.is_empty() {
        what = format!("{what} ({})", entry.detail);
    }
    let path = entry
        .path
        .as_ref()
        .map(|p| format!("  {}", p.display()))
        .unwrap_or_default();
    format!(
        "  {}  {time:5}  {:10}  {what}{path}\n",
        entry.at.strftime("%a %d %b"),
        entry.kind.label()
    )
}
