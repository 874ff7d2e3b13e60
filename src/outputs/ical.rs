//! iCalendar (RFC 5545) files of the events: `events/SLUG/event.ics` for each event and
//! `events/calendar.ics` with all of them, for people to add one event or subscribe to
//! the whole calendar.
//!
//! Times keep the event's own zone (`DTSTART;TZID=Europe/Berlin:...`), and every file
//! carries a `VTIMEZONE` built from the zone rules hearth itself uses (jiff's bundled
//! tzdb), so a reader that does not know the zone by name still computes the exact
//! instant. A time that hearth cannot write as a local time without ambiguity (the
//! second 02:30 of an autumn night) is written in UTC instead.
//!
//! Nothing here reads the clock: two builds of the same content give the same bytes.

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime};
use jiff::tz::{Dst, Offset, TimeZone};
use jiff::{SignedDuration, Timestamp, Zoned};

use crate::config::Config;
use crate::model::route::output_file;
use crate::model::{Event, EventStatus, Series, Site};
use crate::render::Rendered;

/// RFC 5545 3.1: lines longer than this many octets are folded.
const MAX_LINE_OCTETS: usize = 75;

/// How far on each side of a file's events its `VTIMEZONE`s list the zone's
/// transitions: enough for a reader to place every event, and the days around it.
const ZONE_MARGIN: SignedDuration = SignedDuration::from_hours(366 * 24);

/// The calendar of every event, and one calendar per event.
pub fn files(site: &Site, memo: Option<&super::Memo>) -> Vec<Rendered> {
    use rayon::prelude::*;
    let config = &site.config;
    // A calendar is made from the config and its events only (see `calendar`).
    let config_key = memo.map(|_| config.fingerprint()).unwrap_or_default();
    let key = |events: &[Event]| {
        let mut h = crate::hash::Hasher::default();
        h.field(&config_key.to_le_bytes());
        for e in events {
            h.field(&e.source.stamp.to_le_bytes());
        }
        h.finish()
    };
    let mut out: Vec<Rendered> = site
        .events
        .par_iter()
        .map(|event| {
            let header = Header {
                name: &event.title,
                description: "",
                timezone: event
                    .start
                    .time_zone()
                    .iana_name()
                    .unwrap_or(&event.timezone),
            };
            let path = output_file(&config.root, &format!("{}event.ics", event.route.dir));
            let one = std::slice::from_ref(event);
            let contents =
                super::kept_or_made(memo, &path, || key(one), || calendar(config, &header, one));
            Rendered { path, contents }
        })
        .collect();
    let header = Header {
        name: &config.title,
        description: &config.description,
        timezone: config.timezone.iana_name().unwrap_or(&config.timezone_name),
    };
    // Written even without events, so that a subscription never meets a missing file.
    let path = "events/calendar.ics";
    let contents = super::kept_or_made(
        memo,
        path,
        || key(&site.events),
        || calendar(config, &header, &site.events),
    );
    out.push(Rendered {
        path: path.to_string(),
        contents,
    });
    out
}

/// What a calendar app shows about a calendar as a whole (the `X-WR-` properties that
/// Apple, Google and Outlook read).
pub(crate) struct Header<'a> {
    pub name: &'a str,
    /// Left out when empty.
    pub description: &'a str,
    /// The zone to show the calendar in (its canonical IANA name); every time carries
    /// its own zone regardless.
    pub timezone: &'a str,
}

/// A `VCALENDAR` holding `events` and the zones they use: made from the config and
/// the events alone.
fn calendar(config: &Config, header: &Header<'_>, events: &[Event]) -> String {
    let mut w = Lines::default();
    begin(&mut w, header);
    for (tzid, span) in zones_used(events) {
        vtimezone(&mut w, &tzid, &span);
    }
    let uid_domain = uid_domain(&config.base_url);
    for event in events {
        vevent(&mut w, config, event, &uid_domain);
    }
    w.line("END:VCALENDAR");
    w.out
}

/// The opening lines of a `VCALENDAR`, up to its first component.
pub(crate) fn begin(w: &mut Lines, header: &Header<'_>) {
    w.line("BEGIN:VCALENDAR");
    w.line("VERSION:2.0");
    w.line(&format!(
        "PRODID:-//hearth//hearth {}//EN",
        env!("CARGO_PKG_VERSION")
    ));
    w.line("CALSCALE:GREGORIAN");
    w.line("METHOD:PUBLISH");
    w.text("X-WR-CALNAME", header.name);
    if !header.description.is_empty() {
        w.text("X-WR-CALDESC", header.description);
    }
    w.text("X-WR-TIMEZONE", header.timezone);
}

/// One `VEVENT`.
fn vevent(w: &mut Lines, config: &Config, event: &Event, uid_domain: &str) {
    let url = config.permalink(&event.route.url);
    w.line("BEGIN:VEVENT");
    w.line(&format!("UID:{}@{uid_domain}", event.slug));
    // DTSTAMP is when this calendar object was made. Taking it from the clock would make
    // every build differ, so it is the event's start: stable, and it moves when the
    // event is rescheduled, which is when readers should look again.
    w.line(&format!("DTSTAMP:{}", utc_stamp(event.start.timestamp())));
    let (start, end) = event_moments(event);
    w.line(&start.property("DTSTART"));
    if let Some(end) = end {
        w.line(&end.property("DTEND"));
    }
    if let Some(series) = &event.series {
        repeat(w, event, series, &start);
    }
    w.text("SUMMARY", &event.title);
    w.text("DESCRIPTION", &description(event, &url));
    if let Some(place) = event
        .location
        .as_deref()
        .or(event.online.as_ref().map(crate::model::SafeUrl::as_str))
    {
        w.text("LOCATION", place);
    }
    // A URI value, not text: written as it is, without text escaping.
    w.line(&format!("URL:{url}"));
    if !event.tags.is_empty() {
        let tags: Vec<String> = event.tags.iter().map(|t| escape_text(t)).collect();
        w.line(&format!("CATEGORIES:{}", tags.join(",")));
    }
    let status = match event.status {
        EventStatus::Scheduled => "CONFIRMED",
        EventStatus::Cancelled => "CANCELLED",
    };
    w.line(&format!("STATUS:{status}"));
    w.line("END:VEVENT");
}

/// The `RRULE` of a series, ending with its last date, and one `EXDATE` per date
/// skipped, written as `DTSTART` is (RFC 5545 3.8.5.1: same value type and zone).
fn repeat(w: &mut Lines, event: &Event, series: &Series, start: &Moment) {
    let at = |date: Date| -> Option<Zoned> {
        DateTime::from_parts(date, event.start.time())
            .to_zoned(event.start.time_zone().clone())
            .ok()
    };
    // UNTIL is UTC when DTSTART has a time (RFC 5545 3.3.10), a date otherwise.
    let until = match start {
        Moment::Day(_) => series.last.strftime("%Y%m%d").to_string(),
        _ => at(series.last).map_or_else(String::new, |z| utc_stamp(z.timestamp())),
    };
    w.line(&format!(
        "RRULE:{};UNTIL={until}",
        series.rule.rrule_parts()
    ));
    let first = event.start.date();
    let skipped = series
        .except
        .iter()
        .filter(|d| **d >= first && **d <= series.last && series.rule.matches(**d));
    for date in skipped {
        let moment = match start {
            Moment::Day(_) => Some(Moment::Day(*date)),
            _ => at(*date).map(|z| Moment::of(&z)),
        };
        if let Some(moment) = moment {
            w.line(&moment.property("EXDATE"));
        }
    }
}

/// Plain text for `DESCRIPTION`: the summary, the links a reader needs, the event page.
fn description(event: &Event, url: &str) -> String {
    let mut parts = Vec::new();
    let summary = event.body.summary_text.trim();
    if !summary.is_empty() {
        parts.push(summary.to_string());
    }
    // Without a place, the online link is already the LOCATION.
    if let (Some(online), Some(_)) = (&event.online, &event.location) {
        parts.push(format!("Online: {online}"));
    }
    if let Some(rsvp) = &event.rsvp {
        parts.push(format!("RSVP: {rsvp}"));
    }
    parts.push(url.to_string());
    parts.join("\n\n")
}

/// A `DTSTART` or `DTEND` value, in the form that names its instant exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Moment {
    /// A whole day: `VALUE=DATE`.
    Day(Date),
    /// A wall-clock time in a zone that the file describes in a `VTIMEZONE`.
    Local {
        tzid: String,
        tz: TimeZone,
        at: DateTime,
    },
    /// An instant in UTC: for UTC itself, and for wall-clock times a reader would
    /// misread (the second pass through an autumn fold).
    Utc(Timestamp),
}

impl Moment {
    pub(crate) fn of(z: &Zoned) -> Moment {
        let tz = z.time_zone();
        match tz.iana_name() {
            Some(tzid) if !is_always_utc(tz) && reads_back_exactly(z) => Moment::Local {
                tzid: tzid.to_string(),
                tz: tz.clone(),
                at: z.datetime(),
            },
            _ => Moment::Utc(z.timestamp()),
        }
    }

    /// The whole content line, e.g. `DTSTART;TZID=Europe/Berlin:20261203T183000`.
    pub(crate) fn property(&self, name: &str) -> String {
        match self {
            Moment::Day(d) => format!("{name};VALUE=DATE:{}", d.strftime("%Y%m%d")),
            Moment::Local { tzid, at, .. } => {
                format!("{name};TZID={}:{}", param_value(tzid), local_stamp(*at))
            }
            Moment::Utc(ts) => format!("{name}:{}", utc_stamp(*ts)),
        }
    }
}

/// Start and end of an event. An all-day event ends (exclusively) on the day after its
/// last day; a timed event has an end only when it was given one later than the start.
pub(crate) fn event_moments(event: &Event) -> (Moment, Option<Moment>) {
    if event.all_day {
        let first = event.start.date();
        let last = event.end.as_ref().map_or(first, Zoned::date).max(first);
        let end = last.tomorrow().ok().map(Moment::Day);
        return (Moment::Day(first), end);
    }
    let end = event
        .end
        .as_ref()
        .filter(|end| **end > event.start)
        .map(Moment::of);
    (Moment::of(&event.start), end)
}

/// Whether a reader given only the wall-clock time and the zone finds the same instant.
/// RFC 5545 3.3.5 reads a repeated time as its first occurrence and a skipped one with
/// the offset before the gap: jiff's "compatible" rule.
fn reads_back_exactly(z: &Zoned) -> bool {
    z.time_zone()
        .to_ambiguous_timestamp(z.datetime())
        .compatible()
        .is_ok_and(|ts| ts == z.timestamp())
}

/// UTC and its aliases (`Etc/UTC`, `GMT`, ...): zero offset and never a transition.
fn is_always_utc(tz: &TimeZone) -> bool {
    tz.preceding(Timestamp::MAX).next().is_none()
        && tz.to_offset(Timestamp::UNIX_EPOCH) == Offset::UTC
}

/// For each zone written as `TZID` in `events`, the first and last instant it is used.
fn zones_used(events: &[Event]) -> BTreeMap<String, ZoneSpan> {
    let mut moments = Vec::new();
    for event in events {
        let (start, end) = event_moments(event);
        moments.push((start, event.start.timestamp()));
        if let (Some(end), Some(at)) = (end, &event.end) {
            moments.push((end, at.timestamp()));
        }
        // A series uses its zone until its last date.
        if let Some(last) = event.occurrences.last().filter(|_| event.series.is_some()) {
            moments.push((Moment::of(&last.start), last.start.timestamp()));
        }
    }
    zone_spans(moments)
}

/// For each zone among `moments` written as a local time, the first and last instant
/// it is used: what its `VTIMEZONE` must cover.
pub(crate) fn zone_spans(
    moments: impl IntoIterator<Item = (Moment, Timestamp)>,
) -> BTreeMap<String, ZoneSpan> {
    let mut zones: BTreeMap<String, ZoneSpan> = BTreeMap::new();
    for (moment, at) in moments {
        let Moment::Local { tzid, tz, .. } = moment else {
            continue;
        };
        zones
            .entry(tzid)
            .and_modify(|span| {
                span.first = span.first.min(at);
                span.last = span.last.max(at);
            })
            .or_insert(ZoneSpan {
                tz,
                first: at,
                last: at,
            });
    }
    zones
}

/// A zone and the instants of a file it must describe.
#[derive(Debug)]
pub(crate) struct ZoneSpan {
    tz: TimeZone,
    first: Timestamp,
    last: Timestamp,
}

/// One `VTIMEZONE`: the zone's observances from a year before its first use to a year
/// after its last, each transition as its own `STANDARD` or `DAYLIGHT` component.
pub(crate) fn vtimezone(w: &mut Lines, tzid: &str, span: &ZoneSpan) {
    let from = span
        .first
        .checked_sub(ZONE_MARGIN)
        .unwrap_or(Timestamp::MIN);
    let until = span.last.checked_add(ZONE_MARGIN).unwrap_or(Timestamp::MAX);
    w.line("BEGIN:VTIMEZONE");
    w.text("TZID", tzid);
    for observance in observances(&span.tz, from, until) {
        let kind = match observance.dst {
            Dst::Yes => "DAYLIGHT",
            Dst::No => "STANDARD",
        };
        w.line(&format!("BEGIN:{kind}"));
        w.line(&format!("DTSTART:{}", local_stamp(observance.onset)));
        w.line(&format!(
            "TZOFFSETFROM:{}",
            utc_offset(observance.offset_from)
        ));
        w.line(&format!("TZOFFSETTO:{}", utc_offset(observance.offset_to)));
        w.text("TZNAME", &observance.name);
        w.line(&format!("END:{kind}"));
    }
    w.line("END:VTIMEZONE");
}

/// A period of one offset in a zone, starting at `onset` (local time, before the
/// change, as RFC 5545 writes it).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Observance {
    onset: DateTime,
    offset_from: Offset,
    offset_to: Offset,
    name: String,
    dst: Dst,
}

/// The observance in force at `from`, then one per transition up to `until`.
fn observances(tz: &TimeZone, from: Timestamp, until: Timestamp) -> Vec<Observance> {
    let Some(current) = tz.preceding(from).next() else {
        // No transition before `from`: the offset in force then has held since before
        // anything a reader will ask about.
        let info = tz.to_offset_info(from);
        let local = info.offset().to_datetime(from);
        let since = local
            .date()
            .min(jiff::civil::date(1970, 1, 1))
            .at(0, 0, 0, 0);
        let mut out = vec![Observance {
            onset: since,
            offset_from: info.offset(),
            offset_to: info.offset(),
            name: info.abbreviation().to_string(),
            dst: info.dst(),
        }];
        out.extend(transitions_after(tz, from, until, info.offset()));
        return out;
    };
    let before = tz
        .preceding(current.timestamp())
        .next()
        .map_or(current.offset(), |t| t.offset());
    let mut out = vec![Observance {
        onset: before.to_datetime(current.timestamp()),
        offset_from: before,
        offset_to: current.offset(),
        name: current.abbreviation().to_string(),
        dst: current.dst(),
    }];
    out.extend(transitions_after(
        tz,
        current.timestamp(),
        until,
        current.offset(),
    ));
    out
}

/// The transitions strictly after `after` and up to `until`, as observances, given the
/// offset in force at `after`.
fn transitions_after(
    tz: &TimeZone,
    after: Timestamp,
    until: Timestamp,
    mut offset: Offset,
) -> Vec<Observance> {
    let mut out = Vec::new();
    for transition in tz.following(after) {
        if transition.timestamp() > until {
            break;
        }
        out.push(Observance {
            onset: offset.to_datetime(transition.timestamp()),
            offset_from: offset,
            offset_to: transition.offset(),
            name: transition.abbreviation().to_string(),
            dst: transition.dst(),
        });
        offset = transition.offset();
    }
    out
}

/// Where UIDs live: the host of `base_url`, plus its path when the site sits below one
/// (`x.org/club`), so that two sites on one host never share a UID. Independent of the
/// build, so a calendar app recognises an event it has seen before.
pub(crate) fn uid_domain(base_url: &str) -> String {
    let rest = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let path = path.trim_end_matches('/');
    let domain = if path.is_empty() {
        host.to_lowercase()
    } else {
        format!("{}/{path}", host.to_lowercase())
    };
    escape_text(&domain)
}

/// `20261203T173000Z`
pub(crate) fn utc_stamp(ts: Timestamp) -> String {
    ts.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// `20261203T183000`, a wall-clock time without zone.
fn local_stamp(dt: DateTime) -> String {
    dt.strftime("%Y%m%dT%H%M%S").to_string()
}

/// RFC 5545 3.3.14: `+0100`, `-0500`, with seconds only when there are any (`+005328`
/// for a local mean time).
fn utc_offset(offset: Offset) -> String {
    let total = offset.seconds();
    let sign = if total < 0 { '-' } else { '+' };
    let total = total.unsigned_abs();
    let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
    if seconds == 0 {
        format!("{sign}{hours:02}{minutes:02}")
    } else {
        format!("{sign}{hours:02}{minutes:02}{seconds:02}")
    }
}

/// RFC 5545 3.3.11 TEXT: backslash, semicolon, comma and newline escaped; a CRLF or a
/// lone CR is a newline too; other control characters cannot appear and are dropped.
pub(crate) fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 5545 3.2: a parameter value, quoted when it holds `:`, `;` or `,`. A double
/// quote cannot appear in a parameter value at all and is dropped.
fn param_value(value: &str) -> String {
    let clean: String = value
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    if clean.contains([':', ';', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

/// Appends `line` folded at 75 octets (RFC 5545 3.1): each continuation starts with a
/// space, counted in its 75, and a UTF-8 character is never split. Ends with CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// The content lines of a file being written.
#[derive(Default)]
pub(crate) struct Lines {
    out: String,
}

impl Lines {
    /// A content line written as it is (already escaped), folded.
    pub(crate) fn line(&mut self, line: &str) {
        fold_into(&mut self.out, line);
    }

    /// The file written so far.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    /// A property with a TEXT value, escaped.
    pub(crate) fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape_text(value)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(line: &str) -> String {
        let mut out = String::new();
        fold_into(&mut out, line);
        out
    }

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").expect("bundled tzdb has Europe/Berlin")
    }

    fn instant(text: &str) -> Timestamp {
        text.parse().expect("a valid timestamp")
    }

    #[test]
    fn short_lines_are_left_whole() {
        assert_eq!(folded("SUMMARY:Hello"), "SUMMARY:Hello\r\n");
        let exactly = "X".repeat(MAX_LINE_OCTETS);
        assert_eq!(folded(&exactly), format!("{exactly}\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_with_a_leading_space() {
        let line = format!("DESCRIPTION:{}", "a".repeat(200));
        let out = folded(&line);
        let parts: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(
            parts.iter().all(|p| p.len() <= MAX_LINE_OCTETS),
            "{parts:?}"
        );
        assert_eq!(parts[0].len(), MAX_LINE_OCTETS);
        assert!(parts[1..].iter().all(|p| p.starts_with(' ')));
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
    }

    #[test]
    fn folding_never_splits_a_multi_byte_character() {
        // 2-, 3- and 4-byte characters, placed so that some would straddle the limit.
        let line = format!("SUMMARY:{}", "é€😀".repeat(40));
        let out = folded(&line);
        for part in out.trim_end_matches("\r\n").split("\r\n") {
            assert!(
                part.len() <= MAX_LINE_OCTETS,
                "{} octets: {part}",
                part.len()
            );
        }
        // Every piece is whole UTF-8 (it is a &str) and the pieces join back losslessly.
        assert_eq!(out.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        let first = out.split("\r\n").next().unwrap_or_default();
        assert!(
            first.len() > MAX_LINE_OCTETS - 4,
            "folded too early: {first}"
        );
    }

    #[test]
    fn text_escapes_the_characters_rfc_5545_reserves() {
        assert_eq!(
            escape_text("Café; Kreuzberg, Berlin\\Mitte\nRoom 2"),
            "Café\\; Kreuzberg\\, Berlin\\\\Mitte\\nRoom 2"
        );
        assert_eq!(escape_text("one\r\ntwo\rthree"), "one\\ntwo\\nthree");
        assert_eq!(escape_text("bell\u{7}less\ttab"), "bellless\ttab");
        assert_eq!(escape_text("colons: stay"), "colons: stay");
    }

    #[test]
    fn parameter_values_are_quoted_only_when_needed() {
        assert_eq!(param_value("Europe/Berlin"), "Europe/Berlin");
        assert_eq!(param_value("a:b"), "\"a:b\"");
        assert_eq!(param_value("say \"hi\""), "say hi");
    }

    #[test]
    fn offsets_are_written_as_rfc_5545_utc_offsets() {
        let offset = |secs| Offset::from_seconds(secs).expect("in range");
        assert_eq!(utc_offset(offset(3600)), "+0100");
        assert_eq!(utc_offset(offset(-5 * 3600)), "-0500");
        assert_eq!(utc_offset(offset(0)), "+0000");
        assert_eq!(utc_offset(offset(5 * 3600 + 45 * 60)), "+0545");
        assert_eq!(utc_offset(offset(3208)), "+005328");
    }

    #[test]
    fn berlin_lists_its_real_transitions_around_the_events() {
        let from = instant("2025-11-01T00:00:00Z");
        let until = instant("2027-01-01T00:00:00Z");
        let got: Vec<(String, String, String, String, Dst)> = observances(&berlin(), from, until)
            .into_iter()
            .map(|o| {
                (
                    local_stamp(o.onset),
                    utc_offset(o.offset_from),
                    utc_offset(o.offset_to),
                    o.name,
                    o.dst,
                )
            })
            .collect();
        let row = |onset: &str, from: &str, to: &str, name: &str, dst| {
            (
                onset.to_string(),
                from.to_string(),
                to.to_string(),
                name.to_string(),
                dst,
            )
        };
        assert_eq!(
            got,
            vec![
                // In force on 2025-11-01: winter time since the last Sunday of October.
                row("20251026T030000", "+0200", "+0100", "CET", Dst::No),
                row("20260329T020000", "+0100", "+0200", "CEST", Dst::Yes),
                row("20261025T030000", "+0200", "+0100", "CET", Dst::No),
            ]
        );
    }

    #[test]
    fn a_berlin_vtimezone_has_standard_and_daylight_components() {
        let span = ZoneSpan {
            tz: berlin(),
            first: instant("2026-10-25T00:30:00Z"),
            last: instant("2026-12-10T18:00:00Z"),
        };
        let mut w = Lines::default();
        vtimezone(&mut w, "Europe/Berlin", &span);
        let text = w.out;
        assert!(text.starts_with("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"));
        assert!(text.ends_with("END:VTIMEZONE\r\n"));
        assert!(text.contains(
            "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\n\
             TZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n"
        ));
        assert!(text.contains(
            "BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\n\
             TZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n"
        ));
        // A year on each side: from the summer time in force on 2025-10-24 to the
        // autumn of 2027, and nothing further.
        assert!(text.contains("DTSTART:20250330T020000\r\n"));
        assert!(text.contains("DTSTART:20271031T030000\r\n"));
        assert!(!text.contains("DTSTART:2024"));
        assert!(!text.contains("DTSTART:2028"));
    }

    #[test]
    fn a_zone_without_transitions_has_one_standard_observance() {
        let tokyo = TimeZone::get("Asia/Tokyo").expect("bundled tzdb has Asia/Tokyo");
        let got = observances(
            &tokyo,
            instant("2025-12-05T01:00:00Z"),
            instant("2027-12-05T01:00:00Z"),
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].dst, Dst::No);
        assert_eq!(utc_offset(got[0].offset_to), "+0900");
        assert_eq!(got[0].name, "JST");
        assert!(local_stamp(got[0].onset).as_str() < "20251205T100000");
    }

    #[test]
    fn the_first_pass_through_a_fold_is_a_local_time_the_second_is_utc() {
        let first = instant("2026-10-25T00:30:00Z").to_zoned(berlin());
        let second = instant("2026-10-25T01:30:00Z").to_zoned(berlin());
        assert_eq!(first.datetime(), second.datetime());
        assert_eq!(
            Moment::of(&first).property("DTSTART"),
            "DTSTART;TZID=Europe/Berlin:20261025T023000"
        );
        assert_eq!(
            Moment::of(&second).property("DTSTART"),
            "DTSTART:20261025T013000Z"
        );
    }

    #[test]
    fn utc_and_its_aliases_are_written_with_z() {
        let at = instant("2026-12-01T18:30:00Z");
        for name in ["UTC", "Etc/UTC", "GMT"] {
            let tz = TimeZone::get(name).expect("bundled tzdb has UTC");
            assert_eq!(
                Moment::of(&at.to_zoned(tz)).property("DTEND"),
                "DTEND:20261201T183000Z",
                "{name}"
            );
        }
        let london = TimeZone::get("Europe/London").expect("bundled tzdb has London");
        assert!(matches!(
            Moment::of(&at.to_zoned(london)),
            Moment::Local { .. }
        ));
    }

    #[test]
    fn uids_are_made_of_the_site_host_and_path() {
        assert_eq!(uid_domain("https://rust.berlin"), "rust.berlin");
        assert_eq!(uid_domain("https://X.org/club"), "x.org/club");
        assert_eq!(uid_domain("http://localhost:1111"), "localhost:1111");
    }
}
