//! The community report: month by month, what the site's own files and send records
//! say happened: posts and their authors, events held and upcoming, new members and
//! spotlights, newsletter issues and their deliveries, and the size of the list.
//!
//! hearth tracks no readers: no pixels, no click tracking, no visit counts. Everything
//! here comes from files the organizers keep anyway.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use jiff::civil::Date;
use jiff::{Timestamp, Zoned};

use super::{Desk, Format};
use crate::model::{EventStatus, Site};
use crate::newsletter::changes::{Changes, Why};
use crate::newsletter::ledger::{self, Counts};

/// How many months the report covers when no `--since` is given: this one and the
/// eleven before.
pub const DEFAULT_MONTHS: i16 = 12;

/// Events of one month by format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventCounts {
    pub in_person: usize,
    pub hybrid: usize,
    pub online: usize,
}

impl EventCounts {
    pub fn total(&self) -> usize {
        self.in_person + self.hybrid + self.online
    }

    fn add(&mut self, format: Format) {
        match format {
            Format::InPerson => self.in_person += 1,
            Format::Hybrid => self.hybrid += 1,
            Format::Online => self.online += 1,
        }
    }
}

/// One month of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Month {
    /// The month's first day.
    pub start: Date,
    /// Posts published (not drafts, dated up to now).
    pub posts: usize,
    /// Different authors of those posts.
    pub authors: usize,
    /// Events that started before now (cancelled ones left out).
    pub held: EventCounts,
    /// Events starting after now (cancelled ones left out).
    pub upcoming: EventCounts,
    pub cancelled: usize,
    /// Members by `joined`.
    pub new_members: usize,
    /// Spotlight dates up to now.
    pub spotlights: usize,
    /// Newsletter issues sent.
    pub issues: usize,
    /// The list: confirmed signups (through the endpoint), people who left, and
    /// addresses dropped for bouncing or complaints.
    pub joined: usize,
    pub left: usize,
    pub bounced: usize,
}

/// One newsletter issue with its deliveries, when this machine has its ledger.
#[derive(Debug, Clone)]
pub struct IssueLine {
    pub number: u32,
    pub date: Option<Zoned>,
    pub subject: String,
    pub posts: usize,
    pub events: usize,
    pub counts: Option<Counts>,
}

/// The size of the newsletter list now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListSize {
    /// Valid addresses in the subscribers file, suppressed ones left out.
    pub subscribers: usize,
    /// Addresses on the suppression list (unsubscribed, bounced).
    pub suppressed: usize,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub title: String,
    pub base_url: String,
    pub timezone: String,
    pub now: Zoned,
    /// Oldest first, from the first month of the report to the last with an
    /// upcoming event (at least the current one).
    pub months: Vec<Month>,
    pub issues: Vec<IssueLine>,
    /// `None` when the site sends no newsletter.
    pub list: Option<ListSize>,
}

/// The report of `desk` from the month of `since` (default: the last
/// [`DEFAULT_MONTHS`] months) to now, and upcoming events after.
pub fn report(desk: &Desk, since: Option<Date>, now: Timestamp) -> Result<Report> {
    let site = &desk.site;
    let tz = site.config.timezone.clone();
    let now_z = now.to_zoned(tz.clone());
    let this_month = now_z.date().first_of_month();
    let first = match since {
        Some(day) => day.first_of_month(),
        None => this_month
            .checked_sub(jiff::Span::new().months(DEFAULT_MONTHS - 1))
            .unwrap_or(this_month),
    };
    let mut months: BTreeMap<Date, Month> = BTreeMap::new();
    add_months(&mut months, first, this_month);
    count_posts(site, now, &mut months);
    count_events(site, now, first, &mut months);
    count_people(site, now_z.date(), &mut months);
    let issues = issue_lines(desk, first, &mut months)?;
    let changes = match &desk.settings {
        Some(_) => Changes::load(&desk.site_dir)?,
        None => Changes::default(),
    };
    count_list_changes(&changes, &site.config.timezone, &mut months);
    let list = list_size(desk, &changes)?;
    Ok(Report {
        title: site.config.title.clone(),
        base_url: site.config.base_url.clone(),
        timezone: site.config.timezone_name.clone(),
        now: now_z,
        months: months.into_values().collect(),
        issues,
        list,
    })
}

/// Adds an empty row for every month from `from` to `to`, both included.
fn add_months(months: &mut BTreeMap<Date, Month>, from: Date, to: Date) {
    let mut month = from;
    while month <= to {
        months.insert(
            month,
            Month {
                start: month,
                ..Month::default()
            },
        );
        month = next_month(month);
    }
}

fn next_month(month: Date) -> Date {
    month
        .checked_add(jiff::Span::new().months(1))
        .unwrap_or(Date::MAX)
}

/// The month (its first day) an instant falls in, in the site's time zone.
fn month_of(z: &Zoned, site: &Site) -> Date {
    z.with_time_zone(site.config.timezone.clone())
        .date()
        .first_of_month()
}

fn count_posts(site: &Site, now: Timestamp, months: &mut BTreeMap<Date, Month>) {
    let mut authors: BTreeMap<Date, BTreeSet<&str>> = BTreeMap::new();
    for post in site
        .posts
        .iter()
        .filter(|p| !p.draft && p.date.timestamp() <= now)
    {
        let key = month_of(&post.date, site);
        let Some(month) = months.get_mut(&key) else {
            continue;
        };
        month.posts += 1;
        authors
            .entry(key)
            .or_default()
            .extend(post.authors.iter().map(|a| a.as_str()));
    }
    for (key, names) in authors {
        if let Some(month) = months.get_mut(&key) {
            month.authors = names.len();
        }
    }
}

/// Held events go in their month; upcoming ones too, adding months after this one
/// as far as the last of them.
fn count_events(site: &Site, now: Timestamp, first: Date, months: &mut BTreeMap<Date, Month>) {
    for event in site.events.iter().filter(|e| !e.draft) {
        let key = month_of(&event.start, site);
        if key < first {
            continue;
        }
        let upcoming = event.start.timestamp() > now;
        if upcoming && !months.contains_key(&key) {
            let from = months.keys().next_back().map_or(key, |m| next_month(*m));
            add_months(months, from, key);
        }
        let Some(month) = months.get_mut(&key) else {
            continue;
        };
        match (event.status, upcoming) {
            (EventStatus::Cancelled, _) => month.cancelled += 1,
            (EventStatus::Scheduled, true) => month.upcoming.add(Format::of(event)),
            (EventStatus::Scheduled, false) => month.held.add(Format::of(event)),
        }
    }
}

fn count_people(site: &Site, today: Date, months: &mut BTreeMap<Date, Month>) {
    for member in site.members.iter().filter(|m| !m.draft) {
        if let Some(month) = member
            .joined
            .filter(|d| *d <= today)
            .and_then(|d| months.get_mut(&d.first_of_month()))
        {
            month.new_members += 1;
        }
        if let Some(month) = member
            .spotlight
            .filter(|d| *d <= today)
            .and_then(|d| months.get_mut(&d.first_of_month()))
        {
            month.spotlights += 1;
        }
    }
}

fn issue_lines(
    desk: &Desk,
    first: Date,
    months: &mut BTreeMap<Date, Month>,
) -> Result<Vec<IssueLine>> {
    let site = &desk.site;
    let mut out = Vec::new();
    for issue in &site.issues {
        let date = Some(issue.date.to_zoned(site.config.timezone.clone()));
        if let Some(date) = &date {
            let key = date.date().first_of_month();
            if key < first {
                continue;
            }
            if let Some(month) = months.get_mut(&key) {
                month.issues += 1;
            }
        }
        let counts = ledger::read_counts(&desk.site_dir, issue.number)?.map(|(c, _)| c);
        out.push(IssueLine {
            number: issue.number,
            date,
            subject: issue.subject.clone(),
            posts: issue.posts.len(),
            events: issue.events.len(),
            counts,
        });
    }
    Ok(out)
}

/// The list now, as the next send would read it: the subscribers file and the
/// signups that stand, suppressed addresses left out; and the suppression list.
fn list_size(desk: &Desk, changes: &Changes) -> Result<Option<ListSize>> {
    let Some(settings) = &desk.settings else {
        return Ok(None);
    };
    let subscribers = crate::newsletter::run::recipients(&desk.site_dir, settings, changes)?;
    Ok(Some(ListSize {
        subscribers: subscribers.list.len(),
        suppressed: changes.suppressed_keys().len(),
    }))
}

/// Signups, leavers and bounces per month, from the newsletter's own files (lines
/// written by hand carry no time and are not counted in any month).
fn count_list_changes(
    changes: &Changes,
    tz: &jiff::tz::TimeZone,
    months: &mut BTreeMap<Date, Month>,
) {
    let month_of = |at: Timestamp| at.to_zoned(tz.clone()).date().first_of_month();
    for joined in &changes.joined {
        if let Some(month) = months.get_mut(&month_of(joined.time)) {
            month.joined += 1;
        }
    }
    for suppression in changes.suppressed.values().flatten() {
        let Some(month) = suppression.time.and_then(|t| months.get_mut(&month_of(t))) else {
            continue;
        };
        match suppression.why() {
            Why::Left => month.left += 1,
            Why::Bounced | Why::Complained => month.bounced += 1,
        }
    }
}
