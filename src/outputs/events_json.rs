//! `/events.json`: the events for bots and apps, upcoming (soonest first) and past
//! (latest first), each date of a series on its own, within a window around the
//! build's "now" so that a long series never makes the file unbounded.

use jiff::{SignedDuration, Timestamp, Zoned};
use serde_json::{Value, json};

use crate::model::time::{iso, iso_date};
use crate::model::{Event, EventStatus, Occurrence, Site};
use crate::render::Rendered;

pub const PATH: &str = "events.json";

/// How far before and after "now" dates are listed.
const WINDOW: SignedDuration = SignedDuration::from_hours(366 * 24);

/// The first instant after `now` at which a date of a series enters or leaves the
/// window listed (see [`Site::next_change`] for the rest of the site).
pub fn next_change(site: &Site) -> Option<Timestamp> {
    let one = SignedDuration::from_nanos(1);
    site.events
        .iter()
        .filter(|e| e.series.is_some())
        .flat_map(|e| &e.occurrences)
        .flat_map(|o| {
            let at = o.start.timestamp();
            // Listed from `at - WINDOW` (inclusive) to `at + WINDOW` (inclusive).
            [
                at.checked_sub(WINDOW).ok(),
                at.checked_add(WINDOW).and_then(|t| t.checked_add(one)).ok(),
            ]
        })
        .flatten()
        .filter(|t| *t > site.now)
        .min()
}

pub fn files(site: &Site) -> Vec<Rendered> {
    let from = site.now.checked_sub(WINDOW).unwrap_or(Timestamp::MIN);
    let until = site.now.checked_add(WINDOW).unwrap_or(Timestamp::MAX);
    let mut dates: Vec<(&Event, &Occurrence)> = site
        .events
        .iter()
        .flat_map(|e| e.occurrences.iter().map(move |o| (e, o)))
        .filter(|(e, o)| {
            let at = o.start.timestamp();
            // A single event is always listed; a series only within the window.
            e.series.is_none() || (at >= from && at <= until)
        })
        .collect();
    dates.sort_by_key(|(_, o)| o.start.timestamp());
    let (upcoming, past): (Vec<_>, Vec<_>) = dates
        .into_iter()
        .partition(|(_, o)| o.is_upcoming(&site.now));
    let c = &site.config;
    let file = json!({
        "title": c.title,
        "home_page_url": c.permalink(&c.root),
        "upcoming": upcoming.iter().map(|(e, o)| entry(site, e, o)).collect::<Vec<_>>(),
        "past": past.iter().rev().map(|(e, o)| entry(site, e, o)).collect::<Vec<_>>(),
    });
    let mut contents = serde_json::to_string_pretty(&file).unwrap_or_default();
    contents.push('\n');
    vec![Rendered {
        path: PATH.to_string(),
        contents,
    }]
}

/// One date of an event.
fn entry(site: &Site, event: &Event, at: &Occurrence) -> Value {
    let c = &site.config;
    let url = match event.series {
        Some(_) => format!("{}#{}", event.route.url, at.start.date()),
        None => event.route.url.clone(),
    };
    let local = |z: &Zoned| {
        if event.all_day { iso_date(z) } else { iso(z) }
    };
    let status = match event.status {
        EventStatus::Scheduled => "scheduled",
        EventStatus::Cancelled => "cancelled",
    };
    let mut entry = json!({
        "id": format!("{}@{}", event.slug, at.start.date()),
        "title": event.title,
        "url": c.permalink(&url),
        "start": local(&at.start),
        "start_utc": at.start.timestamp().to_string(),
        "timezone": event.timezone,
        "all_day": event.all_day,
        "status": status,
        "series": event.series.is_some(),
    });
    if let Some(end) = &at.end {
        entry["end"] = json!(local(end));
        entry["end_utc"] = json!(end.timestamp().to_string());
    }
    if let Some(location) = &event.location {
        entry["location"] = json!(location);
    }
    if let Some(online) = &event.online {
        entry["online"] = json!(online.as_str());
    }
    entry
}
