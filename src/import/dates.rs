//! Dates as other generators write them (`2019-05-15 10:00:00 +0200`, `2019-5-3`,
//! `2019-05-15T9:00Z`), turned into the forms hearth reads: a TOML date, local
//! date-time or offset date-time.

use jiff::civil::Date;

/// A date read from an old site, ready to be written as a TOML value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldDate {
    pub date: Date,
    /// Hour, minute, second.
    pub time: Option<(i8, i8, i8)>,
    /// `Z` or `+02:00`; only with a time.
    pub offset: Option<String>,
}

impl OldDate {
    /// RFC 3339 / TOML text: `2019-05-15`, `2019-05-15T10:00:00` or
    /// `2019-05-15T10:00:00+02:00`.
    pub fn to_text(&self) -> String {
        let Some((h, m, s)) = self.time else {
            return self.date.to_string();
        };
        let offset = self.offset.as_deref().unwrap_or("");
        format!("{}T{h:02}:{m:02}:{s:02}{offset}", self.date)
    }

    /// The same date as a TOML value (a date or date-time, not a string).
    pub fn to_toml(&self) -> toml::Value {
        let text = self.to_text();
        text.parse::<toml::value::Datetime>()
            .map_or(toml::Value::String(text), toml::Value::Datetime)
    }
}

/// Reads the date forms Jekyll, Hugo and Zola accept. `None` when `text` is no date.
pub fn parse(text: &str) -> Option<OldDate> {
    let text = text.trim().trim_matches(['"', '\'']).trim();
    let (day, rest) = split_day(text)?;
    let rest = rest.trim_start_matches(['T', 't', ' ']).trim();
    if rest.is_empty() {
        return Some(OldDate {
            date: day,
            time: None,
            offset: None,
        });
    }
    let (clock, zone) = split_zone(rest);
    let time = parse_clock(clock)?;
    let offset = match zone.trim() {
        "" => None,
        zone => Some(parse_offset(zone)?),
    };
    Some(OldDate {
        date: day,
        time: Some(time),
        offset,
    })
}

/// `2019-05-15` or `2019-5-3` at the start of `text`, and what follows.
fn split_day(text: &str) -> Option<(Date, &str)> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(text.len());
    let mut parts = text[..end].split('-');
    let year: i16 = parts.next()?.parse().ok()?;
    let month: i8 = parts.next()?.parse().ok()?;
    let day: i8 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1000..=9999).contains(&year) {
        return None;
    }
    Some((Date::new(year, month, day).ok()?, &text[end..]))
}

/// Cuts `10:00:00 +0200`, `10:00:00+02:00`, `10:00Z` or `10:00 UTC` into the clock
/// and the zone.
fn split_zone(rest: &str) -> (&str, &str) {
    match rest.find(['+', '-', 'Z', 'z', ' ']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    }
}

fn parse_clock(clock: &str) -> Option<(i8, i8, i8)> {
    // Fractions of a second are dropped: hearth's dates stop at seconds.
    let clock = clock.split('.').next().unwrap_or(clock);
    let mut parts = clock.split(':');
    let h: i8 = parts.next()?.trim().parse().ok()?;
    let m: i8 = parts.next()?.trim().parse().ok()?;
    let s: i8 = match parts.next() {
        Some(s) => s.trim().parse().ok()?,
        None => 0,
    };
    let valid = (0..24).contains(&h) && (0..60).contains(&m) && (0..61).contains(&s);
    (valid && parts.next().is_none()).then_some((h, m, s.min(59)))
}

/// `Z`, `UTC`, `GMT`, `+0200`, `+02:00`, `-05` as an RFC 3339 offset.
fn parse_offset(zone: &str) -> Option<String> {
    let zone = zone.trim();
    if ["Z", "z", "UTC", "GMT", "+0000", "+00:00"].contains(&zone) {
        return Some("Z".into());
    }
    let (sign, digits) = zone.split_at_checked(1)?;
    if sign != "+" && sign != "-" {
        return None;
    }
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (&digits[..2], "00"),
        4 => (&digits[..2], &digits[2..]),
        _ => return None,
    };
    let (hours, minutes): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (hours < 24 && minutes < 60).then(|| format!("{sign}{h}:{m}"))
}

/// The date at the start of a file name (`2019-05-15-name`) and the rest of it as
/// the old generator saw it (Jekyll's `:title`: a time after the date stays in front).
pub fn from_name(stem: &str) -> (Option<Date>, &str) {
    let name = crate::content::documents::FileName::parse(stem);
    match name.date.and_then(|d| d.parse::<Date>().ok()) {
        Some(d) => (Some(d), &stem[d.to_string().len() + 1..]),
        None => (None, stem),
    }
}

/// What hearth makes a slug of for a file name: the name without its date, a time
/// after the date moved to the end (`08-00-talk` -> `talk-0800`).
pub fn slug_text(stem: &str) -> std::borrow::Cow<'_, str> {
    crate::content::documents::FileName::parse(stem).slug_text()
}

/// The date in a Zola `path` or a URL such as `2019/05/15/name` or
/// `/blog/2019/05/15/name/`.
pub fn from_path(path: &str) -> Option<Date> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    parts.windows(3).find_map(|w| {
        let (y, m, d) = (w[0], w[1], w[2]);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Option<String> {
        parse(s).map(|d| d.to_text())
    }

    #[test]
    fn jekyll_dates_with_a_space_and_an_offset_become_rfc_3339() {
        assert_eq!(
            text("2019-05-15 10:00:00 +0200").as_deref(),
            Some("2019-05-15T10:00:00+02:00")
        );
        assert_eq!(
            text("'2020-02-14 17:30:00 +0930'").as_deref(),
            Some("2020-02-14T17:30:00+09:30")
        );
        assert_eq!(
            text("2019-05-15 10:00 -05:00").as_deref(),
            Some("2019-05-15T10:00:00-05:00")
        );
        assert_eq!(
            text("2024-10-02T15:10:00-05:00").as_deref(),
            Some("2024-10-02T15:10:00-05:00")
        );
        assert_eq!(
            text("2019-05-15 10:00:00 UTC").as_deref(),
            Some("2019-05-15T10:00:00Z")
        );
    }

    #[test]
    fn short_forms_are_padded_and_local_times_stay_local() {
        assert_eq!(text("2019-5-3").as_deref(), Some("2019-05-03"));
        assert_eq!(
            text("2019-05-15T9:05").as_deref(),
            Some("2019-05-15T09:05:00")
        );
        assert_eq!(
            text("2019-05-15T09:05:07.123Z").as_deref(),
            Some("2019-05-15T09:05:07Z")
        );
    }

    #[test]
    fn things_that_are_not_dates_are_refused() {
        for bad in [
            "",
            "tomorrow",
            "31 January 2026",
            "2019-13-01",
            "2019-05-15 25:00",
            "2019-05-15 10:00 +2",
            "YYYY-MM-DD",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_come_from_file_names_and_paths() {
        let day = Date::new(2019, 5, 15).ok();
        assert_eq!(from_name("2019-05-15-old-name"), (day, "old-name"));
        assert_eq!(from_name("old-name"), (None, "old-name"));
        assert_eq!(slug_text("2023-10-17-08-00-room"), "room-0800");
        assert_eq!(from_path("2019/05/15/old-name"), day);
        assert_eq!(from_path("/inside-rust/2019/05/15/x/"), day);
        assert_eq!(from_path("releases/1.44.1"), None);
    }
}
