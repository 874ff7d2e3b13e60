//! What the next issue holds: the posts published since the previous issue (the
//! first: the last 30 days), the events starting within `upcoming_days` that no issue
//! announced yet, announced events cancelled since, and the newest spotlight.

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};

use crate::model::issue::next_date;
pub use crate::model::issue::{Draft, Issue};
use crate::model::{EventStatus, Site};

/// How far back the first issue looks.
const FIRST_ISSUE_DAYS: i64 = 30;

/// Composes the issue after `issues` at `now`.
pub fn next(site: &Site, issues: &[Issue], upcoming_days: i64, now: Timestamp) -> Draft {
    let tz = &site.config.timezone;
    let since = issues.last().map(|i| i.date).unwrap_or_else(|| {
        now.checked_sub(SignedDuration::from_hours(24 * FIRST_ISSUE_DAYS))
            .unwrap_or(Timestamp::MIN)
    });
    let sent_posts: BTreeSet<&str> = issues
        .iter()
        .flat_map(|i| i.posts.iter().map(String::as_str))
        .collect();
    let announced: BTreeSet<&str> = issues
        .iter()
        .flat_map(|i| i.events.iter().map(String::as_str))
        .collect();
    let told_cancelled: BTreeSet<&str> = issues
        .iter()
        .flat_map(|i| i.cancelled_events.iter().map(String::as_str))
        .collect();
    let featured: BTreeSet<&str> = issues
        .iter()
        .filter_map(|i| i.spotlight.as_deref())
        .collect();

    let posts = site
        .posts
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            let published = p.date.timestamp();
            p.newsletter
                && !p.draft
                && published > since
                && published <= now
                && !sent_posts.contains(p.slug.as_str())
        })
        .map(|(i, _)| i)
        .collect();

    let horizon = now
        .checked_add(SignedDuration::from_hours(24 * upcoming_days))
        .unwrap_or(Timestamp::MAX);
    let ahead = |e: &crate::model::Event| e.start.timestamp() >= now;
    let events = coming_events(site, now, horizon, |key| !announced.contains(key));
    let cancelled_events = site
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.status == EventStatus::Cancelled
                && ahead(e)
                && announced.contains(e.slug.as_str())
                && !told_cancelled.contains(e.slug.as_str())
        })
        .map(|(i, _)| i)
        .collect();

    let today = now.to_zoned(tz.clone()).date();
    let since_day = since.to_zoned(tz.clone()).date();
    let spotlight = site
        .members
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            m.spotlight.is_some_and(|d| d > since_day && d <= today)
                && !m.draft
                && !featured.contains(m.slug.as_str())
        })
        .max_by_key(|(_, m)| m.spotlight)
        .map(|(i, _)| i);
    let reminders = reminders(site, &announced, now);

    Draft {
        number: issues.last().map_or(1, |i| i.number + 1),
        date: now.to_zoned(tz.clone()),
        posts,
        events,
        cancelled_events,
        spotlight,
        reminders,
    }
}

/// How soon an event announced in an earlier issue is mentioned again.
const REMINDER_DAYS: i64 = 7;

/// Events an earlier issue announced that happen within a week: a short reminder,
/// so that an event is not forgotten between its announcement and its day.
fn reminders(site: &Site, announced: &BTreeSet<&str>, now: Timestamp) -> Vec<usize> {
    let soon = now
        .checked_add(SignedDuration::from_hours(24 * REMINDER_DAYS))
        .unwrap_or(Timestamp::MAX);
    coming_events(site, now, soon, |key| announced.contains(key))
}

/// The scheduled, published events whose next date is before `until` and whose
/// date key passes `pick` (announced by an earlier issue, or not), as places in
/// `site.events`.
fn coming_events(
    site: &Site,
    now: Timestamp,
    until: Timestamp,
    pick: impl Fn(&str) -> bool,
) -> Vec<usize> {
    site.events
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.status == EventStatus::Scheduled
                && !e.draft
                && next_date(e, now).is_some_and(|(key, at)| at <= until && pick(key.as_str()))
        })
        .map(|(i, _)| i)
        .collect()
}
