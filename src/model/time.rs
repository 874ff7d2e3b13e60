//! Dates and times as content writes them, resolved to exact instants in a time zone,
//! and formatted for people and for machines.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// A date or date-time as written in front matter, before a time zone gives it an
/// instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSpec {
    /// `2026-11-20`: the whole day.
    Day(Date),
    /// `2026-11-20T18:30:00`: a wall-clock time in some zone.
    Local(DateTime),
    /// `2026-11-20T18:30:00+01:00`: an exact instant.
    Exact(Timestamp),
}

impl DateSpec {
    pub fn parse(text: &str) -> Result<DateSpec, String> {
        let written = text.trim();
        let padded = pad_hour(written);
        let text = padded.as_deref().unwrap_or(written);
        let has_time = text.contains('T') || text.contains('t') || text.contains(' ');
        if has_time {
            if let Ok(ts) = text.parse::<Timestamp>() {
                return Ok(DateSpec::Exact(ts));
            }
            if let Ok(dt) = text.parse::<DateTime>()
                && !has_offset(text)
            {
                return Ok(DateSpec::Local(dt));
            }
        } else if let Ok(d) = text.parse::<Date>() {
            return Ok(DateSpec::Day(d));
        }
        Err(format!("`{written}` is not a valid date"))
    }

    /// How dates may be written, for messages.
    pub const FORMS: &'static str = "write YYYY-MM-DD, a local time like 2026-11-20T18:30:00, or RFC 3339 like 2026-11-20T18:30:00+01:00";

    /// The instant this names, reading wall-clock times in `tz`. A wall-clock time
    /// that happens twice (autumn DST fold) is the earlier one; one that does not
    /// exist (spring gap) moves forward by the gap.
    pub fn in_zone(self, tz: &TimeZone) -> Result<Zoned, String> {
        let zoned = match self {
            DateSpec::Day(d) => d.to_zoned(tz.clone()),
            DateSpec::Local(dt) => dt.to_zoned(tz.clone()),
            DateSpec::Exact(ts) => return Ok(ts.to_zoned(tz.clone())),
        };
        zoned.map_err(|e| format!("the date is out of range: {e}"))
    }

    pub fn is_day(self) -> bool {
        matches!(self, DateSpec::Day(_))
    }
}

/// `2023-10-17T8:00:00` with the hour made two digits, as RFC 3339 wants; Jekyll
/// and Hugo sites write one-digit hours. `None` when there is nothing to pad.
fn pad_hour(text: &str) -> Option<String> {
    let sep = text.find(['T', 't', ' '])?;
    let time = &text[sep + 1..];
    let one_digit = time.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && time.as_bytes().get(1) == Some(&b':');
    one_digit.then(|| format!("{}0{time}", &text[..=sep]))
}

fn has_offset(text: &str) -> bool {
    let time = text.split(['T', 't', ' ']).nth(1).unwrap_or("");
    time.contains(['+', '-', 'Z', 'z'])
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `20 November 2026`
pub fn human_date(z: &Zoned) -> String {
    // Written out directly (lists show many dates); strftime for far-off years.
    match usize::try_from(z.month() - 1) {
        Ok(m) if (1000..=9999).contains(&z.year()) => {
            format!("{} {} {}", z.day(), MONTHS[m % 12], z.year())
        }
        _ => z.strftime("%-d %B %Y").to_string(),
    }
}

/// `Thursday 3 December 2026`
pub fn human_weekday_date(z: &Zoned) -> String {
    if (1000..=9999).contains(&z.year()) {
        let weekday = match z.weekday() {
            jiff::civil::Weekday::Monday => "Monday",
            jiff::civil::Weekday::Tuesday => "Tuesday",
            jiff::civil::Weekday::Wednesday => "Wednesday",
            jiff::civil::Weekday::Thursday => "Thursday",
            jiff::civil::Weekday::Friday => "Friday",
            jiff::civil::Weekday::Saturday => "Saturday",
            jiff::civil::Weekday::Sunday => "Sunday",
        };
        return format!("{weekday} {}", human_date(z));
    }
    z.strftime("%A %-d %B %Y").to_string()
}

/// `18:30`
pub fn human_time(z: &Zoned) -> String {
    z.strftime("%H:%M").to_string()
}

/// `CET`, `CEST`, `EST`: the zone's abbreviation at that instant.
pub fn zone_abbreviation(z: &Zoned) -> String {
    z.strftime("%Z").to_string()
}

/// RFC 3339 with the offset in force: `2026-12-03T18:30:00+01:00`.
pub fn iso(z: &Zoned) -> String {
    use std::fmt::Write as _;
    let offset = z.offset().seconds();
    let year = z.year();
    // Written out directly (a page shows many dates); strftime for what is rare.
    if offset % 60 != 0 || !(0..=9999).contains(&year) {
        return z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.abs() / 60;
    let mut out = String::with_capacity(25);
    let _ = write!(
        out,
        "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        z.month(),
        z.day(),
        z.hour(),
        z.minute(),
        z.second(),
        minutes / 60,
        minutes % 60
    );
    out
}

/// `2026-12-03`
pub fn iso_date(z: &Zoned) -> String {
    z.strftime("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_day_of_a_year_is_written_as_strftime_writes_it() {
        let mut day: Zoned = "2026-01-01T10:00:00[Europe/Berlin]".parse().expect("zoned");
        for _ in 0..366 {
            assert_eq!(human_date(&day), day.strftime("%-d %B %Y").to_string());
            assert_eq!(
                human_weekday_date(&day),
                day.strftime("%A %-d %B %Y").to_string()
            );
            day = day.tomorrow().expect("a next day");
        }
    }

    #[test]
    fn iso_is_what_strftime_writes() {
        for (text, zone) in [
            ("2026-12-01T18:30:00", "America/New_York"),
            ("2026-07-01T09:05:07", "Europe/Berlin"),
            ("2026-03-29T01:59:59", "Europe/London"),
            ("2026-01-01T00:00:00", "Asia/Kolkata"),
            ("2026-01-01T00:00:00", "Asia/Kathmandu"),
            ("2026-06-15T12:00:00", "UTC"),
            ("1850-01-01T00:00:00", "Europe/Amsterdam"),
            ("0099-01-01T00:00:00", "UTC"),
        ] {
            let z: Zoned = format!("{text}[{zone}]").parse().expect("a zoned time");
            assert_eq!(
                iso(&z),
                z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
                "{z}"
            );
        }
    }

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").expect("bundled tzdb has Europe/Berlin")
    }

    #[test]
    fn the_three_written_forms_are_told_apart() {
        assert!(matches!(
            DateSpec::parse("2026-11-20"),
            Ok(DateSpec::Day(_))
        ));
        assert!(matches!(
            DateSpec::parse("2026-11-20T18:30:00"),
            Ok(DateSpec::Local(_))
        ));
        assert!(matches!(
            DateSpec::parse("2026-11-20T18:30:00+01:00"),
            Ok(DateSpec::Exact(_))
        ));
        assert!(matches!(
            DateSpec::parse("2026-11-20T17:30:00Z"),
            Ok(DateSpec::Exact(_))
        ));
        assert_eq!(
            DateSpec::parse("2023-10-17T8:00:00"),
            DateSpec::parse("2023-10-17T08:00:00")
        );
        assert_eq!(
            DateSpec::parse("2023-10-17 8:05:00+02:00"),
            DateSpec::parse("2023-10-17T08:05:00+02:00")
        );
        assert!(DateSpec::parse("2026-13-01").is_err());
        assert!(DateSpec::parse("next tuesday").is_err());
    }

    #[test]
    fn wall_clock_times_take_the_offset_in_force_that_day() -> Result<(), String> {
        let summer = DateSpec::parse("2026-07-01T19:00:00")?.in_zone(&berlin())?;
        let winter = DateSpec::parse("2026-12-01T19:00:00")?.in_zone(&berlin())?;
        assert_eq!(iso(&summer), "2026-07-01T19:00:00+02:00");
        assert_eq!(zone_abbreviation(&summer), "CEST");
        assert_eq!(iso(&winter), "2026-12-01T19:00:00+01:00");
        assert_eq!(zone_abbreviation(&winter), "CET");
        Ok(())
    }

    #[test]
    fn an_exact_instant_is_shown_in_the_zone_it_is_read_in() -> Result<(), String> {
        let z = DateSpec::parse("2026-10-25T00:30:00Z")?.in_zone(&berlin())?;
        assert_eq!(iso(&z), "2026-10-25T02:30:00+02:00");
        let later = DateSpec::parse("2026-10-25T01:30:00Z")?.in_zone(&berlin())?;
        assert_eq!(iso(&later), "2026-10-25T02:30:00+01:00");
        Ok(())
    }

    #[test]
    fn people_read_dates_in_words() -> Result<(), String> {
        let z = DateSpec::parse("2026-12-03T18:30:00")?.in_zone(&berlin())?;
        assert_eq!(human_date(&z), "3 December 2026");
        assert_eq!(human_weekday_date(&z), "Thursday 3 December 2026");
        assert_eq!(human_time(&z), "18:30");
        Ok(())
    }
}
