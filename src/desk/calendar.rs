//! The content calendar: what publishes, happens and goes out in the next weeks, in
//! the site's time zone, and the gaps organizers should fill.
//!
//! Weeks run Monday to Sunday; the first is the current week (so a post already
//! published this week counts for it). Problems found:
//!
//! - an event with no post announcing it at least two weeks ahead ([`super::announces`]
//!   says what announcing is), placed on the day the announcement is due;
//! - a week without any post (published, or scheduled and not a draft);
//! - a newsletter slot with nothing new, which `send --if-due` passes over.
//!
//! Each date of an event series (`[repeat]`) is an entry of its own; a series is
//! announced by its page, so its dates are not checked for announcing posts.

use std::path::PathBuf;

use jiff::civil::Date;
use jiff::{Span, Timestamp, Zoned};

use super::{Desk, Format, announces};
use crate::model::{EventStatus, Site};
use crate::newsletter::compose;
use crate::newsletter::record::Issue;

/// How long before an event its announcement is due.
pub const ANNOUNCE_DAYS: i64 = 14;

/// What an entry of the calendar is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntryKind {
    /// A post that is out already (this week).
    Published,
    /// A post dated in the future, not a draft: it appears on its date.
    Scheduled,
    Draft,
    Event,
    Spotlight,
    Newsletter,
}

impl EntryKind {
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Published => "published",
            EntryKind::Scheduled => "scheduled",
            EntryKind::Draft => "draft",
            EntryKind::Event => "event",
            EntryKind::Spotlight => "spotlight",
            EntryKind::Newsletter => "newsletter",
        }
    }
}

/// One thing on one day.
#[derive(Debug, Clone)]
pub struct Entry {
    /// When, in the site's time zone.
    pub at: Zoned,
    /// Shown as a day without a time (posts, spotlights, all-day events).
    pub all_day: bool,
    pub kind: EntryKind,
    pub title: String,
    /// More about it: where an event is, what an issue would hold.
    pub detail: String,
    /// The content file, relative to the site.
    pub path: Option<PathBuf>,
    /// The item's page, absolute.
    pub url: Option<String>,
    /// For an event: its own start and end (its own zone), for calendar files.
    pub event: Option<(Zoned, Option<Zoned>)>,
}

/// Something to fix, on the day it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub date: Date,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Week {
    /// Its Monday.
    pub start: Date,
    /// In time order.
    pub entries: Vec<Entry>,
    pub problems: Vec<Problem>,
}

/// The calendar of the coming weeks.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub title: String,
    pub timezone: String,
    pub today: Date,
    pub weeks: Vec<Week>,
    /// Issues left unfinished or due now: work for `hearth newsletter send`.
    pub pending: Vec<String>,
    /// Drafts dated before today: they appear nowhere else.
    pub old_drafts: Vec<Entry>,
}

impl Calendar {
    pub fn problems(&self) -> impl Iterator<Item = &Problem> {
        self.weeks.iter().flat_map(|w| &w.problems)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.weeks.iter().flat_map(|w| &w.entries)
    }
}

/// The calendar of `weeks` weeks from the current one, as the desk's files are now.
pub fn plan(desk: &Desk, weeks: u32, now: Timestamp) -> Calendar {
    let site = &desk.site;
    let tz = site.config.timezone.clone();
    let today = now.to_zoned(tz.clone()).date();
    let first = monday_of(today);
    let until = first
        .checked_add(Span::new().days(7 * i64::from(weeks)))
        .unwrap_or(Date::MAX);
    let in_window = |d: Date| d >= first && d < until;

    let mut entries: Vec<Entry> = Vec::new();
    let mut old_drafts = Vec::new();
    for entry in post_entries(site, now) {
        if entry.kind == EntryKind::Draft && entry.at.date() < today {
            old_drafts.push(entry);
        } else if in_window(entry.at.date()) {
            entries.push(entry);
        }
    }
    entries.extend(
        event_entries(site)
            .into_iter()
            .filter(|e| in_window(e.at.date())),
    );
    entries.extend(spotlight_entries(site).filter(|e| in_window(e.at.date())));
    let (slots, mut problems) = newsletter_entries(desk, now, until);
    entries.extend(slots);
    problems.extend(announcement_problems(site, now, today, until));
    entries.sort_by_key(|a| (a.at.timestamp(), a.kind));

    let mut calendar_weeks = Vec::new();
    let mut start = first;
    while start < until {
        let end = start.checked_add(Span::new().days(7)).unwrap_or(Date::MAX);
        let inside = |d: Date| d >= start && d < end;
        let week_entries: Vec<Entry> = entries
            .iter()
            .filter(|e| inside(e.at.date()))
            .cloned()
            .collect();
        let mut week_problems: Vec<Problem> = problems
            .iter()
            .filter(|p| inside(p.date))
            .cloned()
            .collect();
        if let Some(gap) = quiet_week(start, &week_entries) {
            week_problems.push(gap);
        }
        week_problems.sort_by_key(|p| p.date);
        calendar_weeks.push(Week {
            start,
            entries: week_entries,
            problems: week_problems,
        });
        start = end;
    }
    Calendar {
        title: site.config.title.clone(),
        timezone: site.config.timezone_name.clone(),
        today,
        weeks: calendar_weeks,
        pending: pending_sends(desk, now),
        old_drafts,
    }
}

fn monday_of(day: Date) -> Date {
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(Span::new().days(back)).unwrap_or(day)
}

/// Every post as an entry: published, scheduled or draft.
fn post_entries(site: &Site, now: Timestamp) -> Vec<Entry> {
    let tz = &site.config.timezone;
    site.posts
        .iter()
        .map(|post| {
            let kind = if post.draft {
                EntryKind::Draft
            } else if post.date.timestamp() > now {
                EntryKind::Scheduled
            } else {
                EntryKind::Published
            };
            let detail = match (kind, post.newsletter) {
                (EntryKind::Draft, _) => "not published until `draft = true` is removed".into(),
                (_, false) => "not in the newsletter (`newsletter = false`)".into(),
                _ => String::new(),
            };
            Entry {
                at: post.date.with_time_zone(tz.clone()),
                all_day: true,
                kind,
                title: post.title.clone(),
                detail,
                path: Some(post.source.path.clone()),
                url: Some(site.config.permalink(&post.route.url)),
                event: None,
            }
        })
        .collect()
}

fn event_entries(site: &Site) -> Vec<Entry> {
    site.events
        .iter()
        .flat_map(|event| {
            // One entry per date: a single event has one, a series one per date.
            let series = event.series.is_some();
            event
                .occurrences
                .iter()
                .map(move |o| event_entry(site, event, o, series))
        })
        .collect()
}

fn event_entry(
    site: &Site,
    event: &crate::model::Event,
    date: &crate::model::series::Occurrence,
    series: bool,
) -> Entry {
    let tz = &site.config.timezone;
    let mut detail = Format::of(event).label().to_string();
    if let Some(place) = &event.location {
        detail = format!("{detail}: {place}");
    }
    let local = date.start.with_time_zone(tz.clone());
    if date.start.time_zone().iana_name() != tz.iana_name() && !event.all_day {
        detail = format!(
            "{detail} ({} {})",
            crate::model::time::human_time(&date.start),
            event.timezone
        );
    }
    if series {
        detail = format!("a date of a series; {detail}");
    }
    if event.status == EventStatus::Cancelled {
        detail = format!("CANCELLED; {detail}");
    }
    if event.draft {
        detail = format!("draft; {detail}");
    }
    let mut url = site.config.permalink(&event.route.url);
    if series {
        url = format!("{url}#{}", date.start.date());
    }
    Entry {
        at: local,
        all_day: event.all_day,
        kind: EntryKind::Event,
        title: event.title.clone(),
        detail,
        path: Some(event.source.path.clone()),
        url: Some(url),
        event: Some((date.start.clone(), date.end.clone())),
    }
}

fn spotlight_entries(site: &Site) -> impl Iterator<Item = Entry> + '_ {
    let tz = site.config.timezone.clone();
    site.members.iter().filter_map(move |member| {
        let day = member.spotlight?;
        let at = day.to_zoned(tz.clone()).ok()?;
        let detail = if member.draft {
            "the member's profile is a draft: it will not be shown".to_string()
        } else {
            "featured on the home page from this day".to_string()
        };
        Some(Entry {
            at,
            all_day: true,
            kind: EntryKind::Spotlight,
            title: member.name.clone(),
            detail,
            path: Some(member.source.path.clone()),
            url: Some(site.config.permalink(&member.route.url)),
            event: None,
        })
    })
}

/// The schedule's slots before `until`, each with what it would send if the files
/// stayed as they are (an empty slot is passed over, so the next one holds more).
fn newsletter_entries(desk: &Desk, now: Timestamp, until: Date) -> (Vec<Entry>, Vec<Problem>) {
    let site = &desk.site;
    let tz = &site.config.timezone;
    let Some(settings) = &desk.settings else {
        return (Vec::new(), Vec::new());
    };
    let Some(schedule) = &settings.schedule else {
        return (Vec::new(), Vec::new());
    };
    let mut issues: Vec<Issue> = site.issues.clone();
    // An issue due now goes out at the next `send --if-due`: later slots come after it.
    let last = issues.last().map(|i| i.date);
    if crate::newsletter::schedule::due_slot(schedule, tz, last, now).is_some() {
        let draft = compose::next(site, &issues, settings.upcoming_days, now);
        if !draft.is_empty() {
            issues.push(draft.to_issue(site, "due now"));
        }
    }
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut after = now;
    while let Some(slot) = schedule.next_after(after, tz) {
        if slot.date() >= until {
            break;
        }
        after = slot.timestamp();
        let draft = compose::next(site, &issues, settings.upcoming_days, slot.timestamp());
        let (title, detail) = if draft.is_empty() {
            problems.push(Problem {
                date: slot.date(),
                text: format!(
                    "the newsletter slot at {} has nothing new: `send --if-due` passes it over",
                    crate::model::time::human_time(&slot)
                ),
            });
            ("no issue: nothing new".to_string(), String::new())
        } else {
            let title = format!("issue {}", draft.number);
            issues.push(draft.to_issue(site, &title));
            (title, holds(&draft))
        };
        entries.push(Entry {
            at: slot,
            all_day: false,
            kind: EntryKind::Newsletter,
            title,
            detail,
            path: None,
            url: None,
            event: None,
        });
    }
    (entries, problems)
}

/// "2 posts, 1 event, a spotlight"
fn holds(draft: &compose::Draft) -> String {
    let plural = |n: usize, one: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {one}s"),
    };
    let mut parts = vec![
        plural(draft.posts.len(), "post"),
        plural(draft.events.len(), "event"),
    ];
    if !draft.cancelled_events.is_empty() {
        parts.push(plural(draft.cancelled_events.len(), "cancellation"));
    }
    if draft.spotlight.is_some() {
        parts.push("a spotlight".to_string());
    }
    format!("would hold {}", parts.join(", "))
}

/// Events (from now, announcement due before `until`) that no post announces two
/// weeks ahead.
fn announcement_problems(site: &Site, now: Timestamp, today: Date, until: Date) -> Vec<Problem> {
    let tz = &site.config.timezone;
    let mut problems = Vec::new();
    for event in &site.events {
        let skip = event.draft || event.series.is_some() || event.status == EventStatus::Cancelled;
        if skip || event.start.timestamp() < now {
            continue;
        }
        let starts = event.start.with_time_zone(tz.clone());
        let due = starts
            .date()
            .checked_sub(Span::new().days(ANNOUNCE_DAYS))
            .unwrap_or(Date::MIN);
        if due >= until {
            continue;
        }
        let announcing: Vec<_> = site
            .posts
            .iter()
            .filter(|p| p.date.timestamp() <= event.start.timestamp())
            .filter(|p| announces(p, event, &site.config.base_url))
            .collect();
        let in_time = |p: &&crate::model::Post| p.date.with_time_zone(tz.clone()).date() <= due;
        let text = if announcing.iter().any(|p| !p.draft && in_time(p)) {
            continue;
        } else if let Some(late) = announcing.iter().find(|p| !p.draft) {
            format!(
                "\"{}\" ({}) is announced only on {}, less than {ANNOUNCE_DAYS} days ahead ({})",
                event.title,
                starts.date(),
                late.date.with_time_zone(tz.clone()).date(),
                late.source.path.display()
            )
        } else if let Some(draft) = announcing.first() {
            format!(
                "\"{}\" ({}) is announced only by a draft: publish {} by {due}",
                event.title,
                starts.date(),
                draft.source.path.display()
            )
        } else {
            let by = if due < today {
                "now (it is less than two weeks away)".to_string()
            } else {
                format!("by {due}")
            };
            format!(
                "\"{}\" ({}) has no post announcing it: publish one {by} that links to {} or names it",
                event.title,
                starts.date(),
                event.route.url
            )
        };
        problems.push(Problem {
            date: due.max(today),
            text,
        });
    }
    problems
}

/// A week with no post that is out or will be (drafts do not count).
fn quiet_week(monday: Date, entries: &[Entry]) -> Option<Problem> {
    let posts = entries
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Published | EntryKind::Scheduled))
        .count();
    if posts > 0 {
        return None;
    }
    let drafts = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Draft)
        .count();
    let text = match drafts {
        0 => "no post this week".to_string(),
        n => format!(
            "no post this week (only {n} draft{})",
            if n == 1 { "" } else { "s" }
        ),
    };
    Some(Problem { date: monday, text })
}

/// Sends that need someone: an issue recorded as still being sent, recipients left
/// pending in this machine's ledger, or a slot that is due now.
fn pending_sends(desk: &Desk, now: Timestamp) -> Vec<String> {
    let site = &desk.site;
    let mut out = Vec::new();
    for issue in &site.issues {
        let counts = crate::newsletter::ledger::read_counts(&desk.site_dir, issue.number)
            .ok()
            .flatten()
            .map(|(c, _)| c);
        match counts {
            Some(c) if c.pending > 0 => out.push(format!(
                "issue {} has {} of {} recipients pending: run `hearth newsletter send` to finish it",
                issue.number, c.pending, c.recipients
            )),
            None if issue.sending => out.push(format!(
                "issue {} is recorded as still being sent, and this machine has no ledger for it",
                issue.number
            )),
            _ => {}
        }
    }
    let (Some(settings), tz) = (&desk.settings, &site.config.timezone) else {
        return out;
    };
    let last = site.issues.last().map(|i| i.date);
    if let Some(schedule) = &settings.schedule
        && let Some(slot) = crate::newsletter::schedule::due_slot(schedule, tz, last, now)
    {
        let draft = compose::next(site, &site.issues, settings.upcoming_days, now);
        if !draft.is_empty() {
            out.push(format!(
                "issue {} is due now (slot {}) and {}",
                draft.number,
                crate::model::time::iso(&slot),
                holds(&draft)
            ));
        }
    }
    out
}
