//! The content calendar as an iCalendar file (RFC 5545) the organizer team can
//! subscribe to: posts, drafts and spotlights as all-day entries, events and newsletter
//! slots at their times, problems as all-day entries on the day they are due. Written
//! with the helpers of [`crate::outputs::ical`], so zones and escaping match the site's
//! own calendars.

use jiff::Timestamp;

use super::calendar::{Calendar, Entry, EntryKind};
use crate::outputs::ical::{self, Header, Lines, Moment};

/// The calendar as the text of an `.ics` file. `now` is its `DTSTAMP`.
pub fn to_ics(calendar: &Calendar, base_url: &str, now: Timestamp) -> String {
    let name = format!("{}: organizers' calendar", calendar.title);
    let header = Header {
        name: &name,
        description: "What publishes, happens and goes out (hearth calendar)",
        timezone: &calendar.timezone,
    };
    let mut w = Lines::default();
    ical::begin(&mut w, &header);
    let timed = calendar.entries().flat_map(timed_moments);
    for (tzid, span) in ical::zone_spans(timed) {
        ical::vtimezone(&mut w, &tzid, &span);
    }
    let domain = ical::uid_domain(base_url);
    let stamp = ical::utc_stamp(now);
    for entry in calendar.entries().chain(&calendar.old_drafts) {
        entry_vevent(&mut w, entry, &domain, &stamp);
    }
    for problem in calendar.problems() {
        w.line("BEGIN:VEVENT");
        let uid = format!("problem-{}-{}", problem.date, short_hash(&problem.text));
        w.line(&format!("UID:{uid}@desk.{domain}"));
        w.line(&format!("DTSTAMP:{stamp}"));
        w.line(&day_property("DTSTART", problem.date));
        w.text("SUMMARY", &format!("Problem: {}", problem.text));
        w.line("TRANSP:TRANSPARENT");
        w.line("END:VEVENT");
    }
    w.line("END:VCALENDAR");
    w.finish()
}

/// The local times an entry writes, for the zones the file must describe.
fn timed_moments(entry: &Entry) -> Vec<(Moment, Timestamp)> {
    if entry.all_day {
        return Vec::new();
    }
    match &entry.event {
        Some((start, end)) => std::iter::once(start)
            .chain(end)
            .map(|z| (Moment::of(z), z.timestamp()))
            .collect(),
        None => vec![(Moment::of(&entry.at), entry.at.timestamp())],
    }
}

fn entry_vevent(w: &mut Lines, entry: &Entry, domain: &str, stamp: &str) {
    w.line("BEGIN:VEVENT");
    let what = entry.kind.label();
    let key = entry
        .path
        .as_ref()
        .map_or_else(|| entry.title.clone(), |p| p.display().to_string());
    let uid = format!("{what}-{}-{}", entry.at.date(), short_hash(&key));
    w.line(&format!("UID:{uid}@desk.{domain}"));
    w.line(&format!("DTSTAMP:{stamp}"));
    match (&entry.event, entry.all_day) {
        (_, true) => {
            w.line(&day_property("DTSTART", entry.at.date()));
        }
        (Some((start, end)), false) => {
            w.line(&Moment::of(start).property("DTSTART"));
            if let Some(end) = end.as_ref().filter(|end| *end > start) {
                w.line(&Moment::of(end).property("DTEND"));
            }
        }
        (None, false) => w.line(&Moment::of(&entry.at).property("DTSTART")),
    }
    let summary = match entry.kind {
        EntryKind::Event => entry.title.clone(),
        kind => format!("{}: {}", capitalised(kind.label()), entry.title),
    };
    w.text("SUMMARY", &summary);
    let mut description = vec![entry.detail.clone()];
    if let Some(path) = &entry.path {
        description.push(format!("File: {}", path.display()));
    }
    let description: Vec<String> = description.into_iter().filter(|d| !d.is_empty()).collect();
    if !description.is_empty() {
        w.text("DESCRIPTION", &description.join("\n"));
    }
    if let Some(url) = &entry.url {
        w.line(&format!("URL:{url}"));
    }
    w.text("CATEGORIES", what);
    // Planning entries do not make anyone busy.
    w.line("TRANSP:TRANSPARENT");
    w.line("END:VEVENT");
}

fn day_property(name: &str, date: jiff::civil::Date) -> String {
    format!("{name};VALUE=DATE:{}", date.strftime("%Y%m%d"))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A short stable tag for a UID (FNV-1a), so that an entry keeps its UID from run to run.
fn short_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", hash >> 32)
}
