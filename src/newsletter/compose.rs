//! What the next issue holds: the posts published since the previous issue (the
//! first: the last 30 days), the events starting within `upcoming_days` that no issue
//! announced yet, announced events cancelled since, and the newest spotlight.

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp, Zoned};

use super::record::Issue;
use crate::model::{EventStatus, Site};

/// The content of one issue, as indices into the site's lists.
#[derive(Debug, Clone)]
pub struct Draft {
    pub number: u32,
    /// When the issue was composed, in the site's zone.
    pub date: Zoned,
    pub posts: Vec<usize>,
    pub events: Vec<usize>,
    pub cancelled_events: Vec<usize>,
    pub spotlight: Option<usize>,
}

impl Draft {
    pub fn is_empty(&self) -> bool {
        self.posts.is_empty()
            && self.events.is_empty()
            && self.cancelled_events.is_empty()
            && self.spotlight.is_none()
    }

    /// The record entry of this issue.
    pub fn to_issue(&self, site: &Site, subject: &str) -> Issue {
        Issue {
            number: self.number,
            date: crate::model::time::iso(&self.date),
            subject: subject.to_string(),
            posts: self
                .posts
                .iter()
                .map(|&i| site.posts[i].slug.to_string())
                .collect(),
            events: self
                .events
                .iter()
                .filter_map(|&i| next_date(&site.events[i], self.date.timestamp()))
                .map(|(key, _)| key)
                .collect(),
            cancelled_events: self
                .cancelled_events
                .iter()
                .map(|&i| site.events[i].slug.to_string())
                .collect(),
            spotlight: self.spotlight.map(|i| site.members[i].slug.to_string()),
            sending: false,
        }
    }
}

/// How far back the first issue looks.
const FIRST_ISSUE_DAYS: i64 = 30;

/// Composes the issue after `issues` at `now`.
pub fn next(site: &Site, issues: &[Issue], upcoming_days: i64, now: Timestamp) -> Draft {
    let tz = &site.config.timezone;
    let since = issues.last().and_then(Issue::timestamp).unwrap_or_else(|| {
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
    let events = site
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.status == EventStatus::Scheduled
                && !e.draft
                && next_date(e, now)
                    .is_some_and(|(key, at)| at <= horizon && !announced.contains(key.as_str()))
        })
        .map(|(i, _)| i)
        .collect();
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

    Draft {
        number: issues.last().map_or(1, |i| i.number + 1),
        date: now.to_zoned(tz.clone()),
        posts,
        events,
        cancelled_events,
        spotlight,
    }
}

/// The next date of an event that starts at or after `now`, with the key an issue
/// records for it: the slug of a single event, `slug@YYYY-MM-DD` for a date of a
/// series, so that each date of a series is announced once.
fn next_date(e: &crate::model::Event, now: Timestamp) -> Option<(String, Timestamp)> {
    let next = e.occurrences.iter().find(|o| o.start.timestamp() >= now)?;
    let key = match e.series {
        Some(_) => format!("{}@{}", e.slug, next.start.date()),
        None => e.slug.to_string(),
    };
    Some((key, next.start.timestamp()))
}

/// The content of a recorded issue, for resuming its send and for the archive.
/// Items deleted since are left out.
pub fn recorded(site: &Site, issue: &Issue) -> Draft {
    let find = |slugs: &[String], list: &dyn Fn(&str) -> Option<usize>| -> Vec<usize> {
        slugs.iter().filter_map(|s| list(s)).collect()
    };
    let post = |s: &str| site.posts.iter().position(|p| p.slug.as_str() == s);
    // A date of a series is recorded as `slug@date`.
    let event = |s: &str| {
        let slug = s.split_once('@').map_or(s, |(slug, _)| slug);
        site.events.iter().position(|e| e.slug.as_str() == slug)
    };
    let date = issue
        .timestamp()
        .unwrap_or(site.now)
        .to_zoned(site.config.timezone.clone());
    Draft {
        number: issue.number,
        date,
        posts: find(&issue.posts, &post),
        events: find(&issue.events, &event),
        cancelled_events: find(&issue.cancelled_events, &event),
        spotlight: issue
            .spotlight
            .as_deref()
            .and_then(|s| site.members.iter().position(|m| m.slug.as_str() == s)),
    }
}
