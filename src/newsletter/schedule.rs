//! When the newsletter is due: a 5-field cron expression read in the site's time zone.
//!
//! `schedule = "0 9 * * MON"` in hearth.toml follows Vixie cron:
//!
//! - The fields are minute (0–59), hour (0–23), day of month (1–31), month (1–12 or
//!   JAN–DEC) and weekday (0–7, where 0 and 7 are both Sunday, or SUN–SAT); names are
//!   case-insensitive. Each field is a comma-separated list of `*`, `a`, `a-b`, `*/n`,
//!   `a-b/n` and `a/n` (from a to the field's maximum, every n). `@hourly`, `@daily`
//!   (`@midnight`), `@weekly`, `@monthly` and `@yearly` (`@annually`) stand for the usual
//!   expressions.
//! - Day of month and weekday: when either field starts with `*`, a day must match both
//!   (so the other one decides); when both are restricted, matching either is enough:
//!   `0 0 1 * MON` fires on the 1st and on every Monday. Like Vixie cron, a field such as
//!   `*/2` counts as starting with `*`.
//! - A slot is a wall-clock time in the site's zone, made an instant the way jiff's
//!   "compatible" disambiguation does it. A time skipped by a spring-forward fires once,
//!   as far after the jump as it was into the gap (02:30 fires at 03:30); a time that
//!   happens twice in an autumn fold fires once, at its first occurrence. Wall-clock times
//!   that land on the same instant are one slot, so slots are strictly increasing instants.
//! - Searches step day by day over the dates that match and, within a date, over the hour
//!   and minute sets, never minute by minute. They give up after eight years, so an
//!   expression that never matches (`0 0 31 2 *`) answers `None` within microseconds.
//!
//! [`due_slot`] is the question `newsletter send --if-due` asks: an issue is due once a
//! slot has passed that is later than the last issue. Running it from cron every minute
//! therefore sends at most once per slot, however late or often it runs.

use std::fmt;

use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use jiff::{SignedDuration, Timestamp, Zoned};

/// How many days a search walks before it gives up. Eight years reach a schedule for
/// 29 February across 2100, which is not a leap year.
const SEARCH_DAYS: usize = 8 * 366;

/// No zone has skipped or repeated more than a day of wall-clock time (Samoa skipped
/// 30 December 2011 whole), nor changed its offset twice within a day.
const LONGEST_OFFSET_CHANGE: SignedDuration = SignedDuration::from_hours(24);

/// A parsed 5-field cron expression.
#[derive(Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The expression as written, for messages.
    expr: String,
    minutes: Values,
    hours: Values,
    days: Values,
    months: Values,
    /// Sunday is 0; a 7 in the expression is stored as 0.
    weekdays: Values,
    day_rule: DayRule,
}

/// How the day-of-month and weekday fields combine (see the module comment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DayRule {
    Both,
    Either,
}

impl Schedule {
    /// Parses "MIN HOUR DOM MONTH DOW". Errors are human messages naming the bad field,
    /// e.g. "the hour field `25` is out of range 0–23".
    pub fn parse(expr: &str) -> Result<Schedule, String> {
        let expr = expr.trim();
        let fields: Vec<&str> = expand_macro(expr)?.split_whitespace().collect();
        let [minute, hour, day, month, weekday] = fields[..] else {
            return Err(format!(
                "a schedule has five fields (minute hour day month weekday), this one has {}",
                fields.len()
            ));
        };
        let day_rule = if day.starts_with('*') || weekday.starts_with('*') {
            DayRule::Both
        } else {
            DayRule::Either
        };
        Ok(Schedule {
            expr: expr.to_owned(),
            minutes: MINUTE.parse(minute)?,
            hours: HOUR.parse(hour)?,
            days: DAY.parse(day)?,
            months: MONTH.parse(month)?,
            weekdays: WEEKDAY.parse(weekday)?.with_seven_as_zero(),
            day_rule,
        })
    }

    /// The latest slot at or before `now`, in zone `tz`, or None if there is none within
    /// the search window.
    pub fn latest_at_or_before(&self, now: Timestamp, tz: &TimeZone) -> Option<Zoned> {
        let mut latest = self
            .wall_times_back_from(tz.to_datetime(now))
            .filter_map(|wall| resolve(wall, tz))
            .map(|slot| slot.instant)
            .find(|instant| *instant <= now)?;
        // Walking back from `now` on the wall clock finds a slot at or before it, but not
        // always the latest: one pushed out of a spring gap, or the first occurrence of a
        // time repeated in an autumn fold, can be later still. Walk forward to be sure.
        while let Some(next) = self
            .next_instant_after(latest, tz)
            .filter(|next| *next <= now)
        {
            latest = next;
        }
        Some(latest.to_zoned(tz.clone()))
    }

    /// The first slot strictly after `after`, in zone `tz`, or None if there is none
    /// within the search window.
    pub fn next_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Zoned> {
        self.next_instant_after(after, tz)
            .map(|instant| instant.to_zoned(tz.clone()))
    }

    fn next_instant_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let mut earliest: Option<Timestamp> = None;
        for wall in self.wall_times_on_from(wall_clock_floor(after, tz)) {
            let Some(slot) = resolve(wall, tz) else { break };
            if slot.instant <= after {
                continue;
            }
            earliest = Some(earliest.map_or(slot.instant, |e| e.min(slot.instant)));
            // A slot pushed out of a gap may fire after slots with later wall-clock times,
            // so keep looking; an unmoved one fires no later than any time after it.
            if !slot.shifted {
                break;
            }
        }
        earliest
    }

    /// The schedule's wall-clock times from `floor` on, in order.
    fn wall_times_on_from(&self, floor: DateTime) -> impl Iterator<Item = DateTime> + '_ {
        days(floor.date(), Date::tomorrow)
            .filter(|date| self.matches_date(*date))
            .flat_map(|date| self.times_on(date))
            .skip_while(move |wall| *wall < floor)
    }

    /// The schedule's wall-clock times from `latest` back, latest first.
    fn wall_times_back_from(&self, latest: DateTime) -> impl Iterator<Item = DateTime> + '_ {
        days(latest.date(), Date::yesterday)
            .filter(|date| self.matches_date(*date))
            .flat_map(|date| self.times_on(date).rev())
            .skip_while(move |wall| *wall > latest)
    }

    /// Every (hour, minute) of the schedule on `date`, in order.
    fn times_on(&self, date: Date) -> impl DoubleEndedIterator<Item = DateTime> + use<> {
        let minutes = self.minutes;
        self.hours.iter().flat_map(move |hour| {
            minutes
                .iter()
                .map(move |minute| date.at(hour, minute, 0, 0))
        })
    }

    fn matches_date(&self, date: Date) -> bool {
        let by_day = self.days.contains(date.day());
        let by_weekday = self
            .weekdays
            .contains(date.weekday().to_sunday_zero_offset());
        self.months.contains(date.month())
            && match self.day_rule {
                DayRule::Both => by_day && by_weekday,
                DayRule::Either => by_day || by_weekday,
            }
    }
}

/// Whether an issue is due: a slot s exists with last_sent < s <= now (any slot when
/// there was no previous issue). Returns the slot that makes it due, the latest one.
pub fn due_slot(
    schedule: &Schedule,
    tz: &TimeZone,
    last_sent: Option<Timestamp>,
    now: Timestamp,
) -> Option<Zoned> {
    schedule
        .latest_at_or_before(now, tz)
        .filter(|slot| last_sent.is_none_or(|last| slot.timestamp() > last))
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expr)
    }
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Schedule").field(&self.expr).finish()
    }
}

const EMPTY: &str =
    "the schedule is empty; write five fields like `0 9 * * MON`, or a macro like `@weekly`";

/// The five-field expression a macro stands for; anything else is returned as it is.
fn expand_macro(expr: &str) -> Result<&str, String> {
    if expr.is_empty() {
        return Err(EMPTY.to_owned());
    }
    if !expr.starts_with('@') {
        return Ok(expr);
    }
    match expr.to_ascii_lowercase().as_str() {
        "@hourly" => Ok("0 * * * *"),
        "@daily" | "@midnight" => Ok("0 0 * * *"),
        "@weekly" => Ok("0 0 * * 0"),
        "@monthly" => Ok("0 0 1 * *"),
        "@yearly" | "@annually" => Ok("0 0 1 1 *"),
        _ => Err(format!(
            "`{expr}` is not a schedule macro; use @hourly, @daily, @weekly, @monthly or @yearly"
        )),
    }
}

/// Days from `start`, one `step` at a time, for at most [`SEARCH_DAYS`].
fn days(start: Date, step: fn(Date) -> Result<Date, jiff::Error>) -> impl Iterator<Item = Date> {
    std::iter::successors(Some(start), move |date| step(*date).ok()).take(SEARCH_DAYS)
}

/// A wall-clock slot made an instant.
struct Slot {
    instant: Timestamp,
    /// The wall-clock time fell in a spring gap and fires after the jump.
    shifted: bool,
}

fn resolve(wall: DateTime, tz: &TimeZone) -> Option<Slot> {
    let ambiguous = tz.to_ambiguous_timestamp(wall);
    let shifted = matches!(ambiguous.offset(), AmbiguousOffset::Gap { .. });
    let instant = ambiguous.compatible().ok()?;
    Some(Slot { instant, shifted })
}

/// The earliest wall-clock time whose slot can fire after `after`: `after` on the wall
/// clock, or earlier by the gap just after a spring-forward, because a time skipped by
/// the jump fires after it.
fn wall_clock_floor(after: Timestamp, tz: &TimeZone) -> DateTime {
    tz.to_datetime(after)
        .min(offset_a_day_before(after, tz).to_datetime(after))
}

/// The zone's offset a day before `at`: the one before any spring-forward whose gap could
/// still push a slot past `at`.
fn offset_a_day_before(at: Timestamp, tz: &TimeZone) -> Offset {
    tz.to_offset(at.checked_sub(LONGEST_OFFSET_CHANGE).unwrap_or(at))
}

/// One of the five fields: its name in messages, its range and the names it accepts.
struct Field {
    name: &'static str,
    min: i8,
    max: i8,
    /// Names for the values from `min` on, e.g. JAN for 1.
    names: &'static [&'static str],
}

const MINUTE: Field = Field {
    name: "minute",
    min: 0,
    max: 59,
    names: &[],
};
const HOUR: Field = Field {
    name: "hour",
    min: 0,
    max: 23,
    names: &[],
};
const DAY: Field = Field {
    name: "day",
    min: 1,
    max: 31,
    names: &[],
};
const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
};
const WEEKDAY: Field = Field {
    name: "weekday",
    min: 0,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
};

/// What is wrong with one part of a field: the part, and a phrase about it.
type Problem<'a> = (&'a str, String);

impl Field {
    /// A comma-separated list of items.
    fn parse(&self, text: &str) -> Result<Values, String> {
        text.split(',').try_fold(Values::NONE, |values, item| {
            let item = self
                .parse_item(item)
                .map_err(|problem| self.message(text, problem))?;
            Ok(values.union(item))
        })
    }

    /// `*`, `a` or `a-b`, each optionally followed by `/step`.
    fn parse_item<'a>(&self, item: &'a str) -> Result<Values, Problem<'a>> {
        if item.is_empty() {
            return Err(("", "has an empty entry in its list".to_owned()));
        }
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(self.parse_step(item, step)?)),
            None => (item, None),
        };
        let (first, last) = match range.split_once('-') {
            _ if range == "*" => (self.min, self.max),
            Some((first, last)) => {
                let (first, last) = (
                    self.parse_value(item, first)?,
                    self.parse_value(item, last)?,
                );
                if first > last {
                    return Err((
                        item,
                        "runs backwards; write the smaller value first".to_owned(),
                    ));
                }
                (first, last)
            }
            // `a/n` runs from a to the end of the field.
            None if step.is_some() => (self.parse_value(item, range)?, self.max),
            None => {
                let value = self.parse_value(item, range)?;
                (value, value)
            }
        };
        Ok(Values::stepping(first, last, step.unwrap_or(1)))
    }

    fn parse_step<'a>(&self, item: &'a str, step: &str) -> Result<usize, Problem<'a>> {
        let span = usize::from(self.max.abs_diff(self.min)) + 1;
        match step.parse::<usize>() {
            Ok(0) => Err((
                item,
                "has a step of 0; a step must be at least 1".to_owned(),
            )),
            Ok(n) if n <= span => Ok(n),
            Ok(_) => Err((
                item,
                format!("has a step larger than the field's {span} values"),
            )),
            Err(_) => Err((
                item,
                format!("has a step `{step}` that is not a whole number"),
            )),
        }
    }

    fn parse_value<'a>(&self, item: &'a str, text: &'a str) -> Result<i8, Problem<'a>> {
        if text.is_empty() {
            return Err((item, "is missing a value".to_owned()));
        }
        if let Some(index) = self
            .names
            .iter()
            .position(|name| name.eq_ignore_ascii_case(text))
        {
            // At most 12 names, so the index fits.
            return Ok(self.min + index as i8);
        }
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err((text, self.not_a_value()));
        }
        match text.parse::<i8>() {
            Ok(value) if (self.min..=self.max).contains(&value) => Ok(value),
            _ => Err((text, format!("is out of range {}–{}", self.min, self.max))),
        }
    }

    fn not_a_value(&self) -> String {
        match self.names {
            [first, .., last] => {
                format!("is not a number or a {} name ({first}–{last})", self.name)
            }
            _ => "is not a number".to_owned(),
        }
    }

    /// "the hour field `25` is out of range 0–23", naming the part when it is not the
    /// whole field: "the hour field `1,25`: `25` is out of range 0–23".
    fn message(&self, text: &str, (part, problem): Problem<'_>) -> String {
        if part.is_empty() || part == text {
            format!("the {} field `{text}` {problem}", self.name)
        } else {
            format!("the {} field `{text}`: `{part}` {problem}", self.name)
        }
    }
}

/// The values a field allows, one bit each (every field's values are below 64).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Values(u64);

impl Values {
    const NONE: Values = Values(0);

    fn stepping(first: i8, last: i8, step: usize) -> Values {
        Values(
            (first..=last)
                .step_by(step)
                .fold(0, |bits, value| bits | 1 << value),
        )
    }

    fn union(self, other: Values) -> Values {
        Values(self.0 | other.0)
    }

    fn contains(self, value: i8) -> bool {
        (0..64).contains(&value) && self.0 & 1 << value != 0
    }

    /// Weekday 7 is Sunday, like 0.
    fn with_seven_as_zero(self) -> Values {
        if self.contains(7) {
            Values((self.0 & !(1 << 7)) | 1)
        } else {
            self
        }
    }

    fn iter(self) -> Bits {
        Bits(self.0)
    }
}

/// The values of a [`Values`], smallest first (or largest first, reversed).
struct Bits(u64);

impl Iterator for Bits {
    type Item = i8;

    fn next(&mut self) -> Option<i8> {
        if self.0 == 0 {
            return None;
        }
        let value = self.0.trailing_zeros();
        self.0 &= !(1 << value);
        Some(value as i8)
    }
}

impl DoubleEndedIterator for Bits {
    fn next_back(&mut self) -> Option<i8> {
        if self.0 == 0 {
            return None;
        }
        let value = 63 - self.0.leading_zeros();
        self.0 &= !(1 << value);
        Some(value as i8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;
    use jiff::civil::Weekday;

    fn schedule(expr: &str) -> Schedule {
        Schedule::parse(expr).expect("a valid schedule")
    }

    fn error(expr: &str) -> String {
        Schedule::parse(expr).expect_err("an invalid schedule")
    }

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).expect("the bundled tzdb has the zone")
    }

    fn berlin() -> TimeZone {
        zone("Europe/Berlin")
    }

    fn at(rfc3339: &str) -> Timestamp {
        rfc3339.parse().expect("a valid timestamp")
    }

    fn next(expr: &str, after: &str) -> Option<Timestamp> {
        schedule(expr)
            .next_after(at(after), &berlin())
            .map(|z| z.timestamp())
    }

    fn latest(expr: &str, now: &str) -> Option<Timestamp> {
        schedule(expr)
            .latest_at_or_before(at(now), &berlin())
            .map(|z| z.timestamp())
    }

    fn due(last_sent: Option<&str>, now: &str) -> Option<Timestamp> {
        due_slot(
            &schedule("0 9 * * MON"),
            &berlin(),
            last_sent.map(at),
            at(now),
        )
        .map(|z| z.timestamp())
    }

    fn values(v: Values) -> Vec<i8> {
        v.iter().collect()
    }

    // Parsing

    #[test]
    fn single_values_name_one_minute_hour_day_month_and_weekday() {
        let s = schedule("5 9 1 6 3");
        assert_eq!(values(s.minutes), [5]);
        assert_eq!(values(s.hours), [9]);
        assert_eq!(values(s.days), [1]);
        assert_eq!(values(s.months), [6]);
        assert_eq!(values(s.weekdays), [3]);
    }

    #[test]
    fn a_star_allows_every_value_of_its_field() {
        let s = schedule("* * * * *");
        assert_eq!(values(s.minutes), (0..=59).collect::<Vec<_>>());
        assert_eq!(values(s.hours), (0..=23).collect::<Vec<_>>());
        assert_eq!(values(s.days), (1..=31).collect::<Vec<_>>());
        assert_eq!(values(s.months), (1..=12).collect::<Vec<_>>());
        assert_eq!(values(s.weekdays), (0..=6).collect::<Vec<_>>());
    }

    #[test]
    fn ranges_steps_and_lists_combine() {
        let s = schedule("0-10/5,30 */6 1/10 1-5/2 1-3,5");
        assert_eq!(values(s.minutes), [0, 5, 10, 30]);
        assert_eq!(values(s.hours), [0, 6, 12, 18]);
        assert_eq!(values(s.days), [1, 11, 21, 31]);
        assert_eq!(values(s.months), [1, 3, 5]);
        assert_eq!(values(s.weekdays), [1, 2, 3, 5]);
    }

    #[test]
    fn month_and_weekday_names_are_case_insensitive_and_work_in_ranges() {
        let s = schedule("0 0 * jan,Mar-MAY/2,dec mon-FRI");
        assert_eq!(values(s.months), [1, 3, 5, 12]);
        assert_eq!(values(s.weekdays), [1, 2, 3, 4, 5]);
        assert_eq!(values(schedule("0 0 * * sat,SUN").weekdays), [0, 6]);
    }

    #[test]
    fn seven_and_zero_both_mean_sunday() {
        assert_eq!(values(schedule("0 0 * * 7").weekdays), [0]);
        assert_eq!(values(schedule("0 0 * * 5-7").weekdays), [0, 5, 6]);
        assert_eq!(values(schedule("0 0 * * 0,7").weekdays), [0]);
    }

    #[test]
    fn macros_stand_for_their_five_field_expressions() {
        let same = |macro_: &str, expr: &str| {
            let (a, b) = (schedule(macro_), schedule(expr));
            assert_eq!(
                (a.minutes, a.hours, a.days, a.months, a.weekdays, a.day_rule),
                (b.minutes, b.hours, b.days, b.months, b.weekdays, b.day_rule),
                "{macro_}"
            );
        };
        same("@hourly", "0 * * * *");
        same("@daily", "0 0 * * *");
        same("@midnight", "0 0 * * *");
        same("@weekly", "0 0 * * 0");
        same("@monthly", "0 0 1 * *");
        same("@yearly", "0 0 1 1 *");
        same("@annually", "0 0 1 1 *");
        same("@WEEKLY", "0 0 * * 0");
    }

    #[test]
    fn display_gives_back_the_expression_as_written() {
        assert_eq!(schedule("  0 9 * * MON ").to_string(), "0 9 * * MON");
        assert_eq!(schedule("@weekly").to_string(), "@weekly");
        assert_eq!(
            format!("{:?}", schedule("0 9 * * MON")),
            r#"Schedule("0 9 * * MON")"#
        );
    }

    #[test]
    fn a_value_out_of_range_is_named_with_its_field() {
        assert_eq!(
            error("0 25 * * *"),
            "the hour field `25` is out of range 0–23"
        );
        assert_eq!(
            error("60 * * * *"),
            "the minute field `60` is out of range 0–59"
        );
        assert_eq!(error("0 0 0 * *"), "the day field `0` is out of range 1–31");
        assert_eq!(
            error("0 0 * 13 *"),
            "the month field `13` is out of range 1–12"
        );
        assert_eq!(
            error("0 0 * * 8"),
            "the weekday field `8` is out of range 0–7"
        );
        assert_eq!(
            error("0 1,25 * * *"),
            "the hour field `1,25`: `25` is out of range 0–23"
        );
        assert_eq!(
            error("0 9-99999 * * *"),
            "the hour field `9-99999`: `99999` is out of range 0–23"
        );
    }

    #[test]
    fn a_step_of_zero_or_beyond_the_field_is_rejected() {
        assert_eq!(
            error("*/0 * * * *"),
            "the minute field `*/0` has a step of 0; a step must be at least 1"
        );
        assert_eq!(
            error("* 1-5/0 * * *"),
            "the hour field `1-5/0` has a step of 0; a step must be at least 1"
        );
        assert_eq!(
            error("*/61 * * * *"),
            "the minute field `*/61` has a step larger than the field's 60 values"
        );
        assert_eq!(
            error("*/x * * * *"),
            "the minute field `*/x` has a step `x` that is not a whole number"
        );
    }

    #[test]
    fn unknown_names_are_rejected_with_the_names_that_work() {
        assert_eq!(
            error("0 9 * * MOM"),
            "the weekday field `MOM` is not a number or a weekday name (SUN–SAT)"
        );
        assert_eq!(
            error("0 9 * January *"),
            "the month field `January` is not a number or a month name (JAN–DEC)"
        );
        assert_eq!(error("0 MON * * *"), "the hour field `MON` is not a number");
        assert_eq!(
            error("0 0 * * MON-FRX"),
            "the weekday field `MON-FRX`: `FRX` is not a number or a weekday name (SUN–SAT)"
        );
    }

    #[test]
    fn a_schedule_needs_exactly_five_fields() {
        assert_eq!(
            error("0 9 * MON"),
            "a schedule has five fields (minute hour day month weekday), this one has 4"
        );
        assert_eq!(
            error("0 0 9 * * MON"),
            "a schedule has five fields (minute hour day month weekday), this one has 6"
        );
    }

    #[test]
    fn an_empty_schedule_is_rejected() {
        assert!(error("").starts_with("the schedule is empty"));
        assert!(error("  \t ").starts_with("the schedule is empty"));
    }

    #[test]
    fn garbage_is_rejected_with_a_message() {
        assert_eq!(
            error("every monday at nine"),
            "a schedule has five fields (minute hour day month weekday), this one has 4"
        );
        assert_eq!(error("a b c d e"), "the minute field `a` is not a number");
        assert_eq!(
            error("5-2 * * * *"),
            "the minute field `5-2` runs backwards; write the smaller value first"
        );
        assert_eq!(
            error("1-2-3 * * * *"),
            "the minute field `1-2-3`: `2-3` is not a number"
        );
        assert_eq!(
            error("1,,2 * * * *"),
            "the minute field `1,,2` has an empty entry in its list"
        );
        assert_eq!(
            error("-5 * * * *"),
            "the minute field `-5` is missing a value"
        );
        assert_eq!(
            error("0 9 * * +1"),
            "the weekday field `+1` is not a number or a weekday name (SUN–SAT)"
        );
        assert_eq!(error("0 9 ? * MON"), "the day field `?` is not a number");
        assert!(error("@fortnightly").starts_with("`@fortnightly` is not a schedule macro"));
        assert!(error("@reboot").starts_with("`@reboot` is not a schedule macro"));
    }

    // Finding slots

    #[test]
    fn the_slot_after_a_winter_sunday_noon_is_monday_nine_in_berlin() {
        let slot = schedule("0 9 * * MON")
            .next_after(at("2026-01-11T11:00:00Z"), &berlin())
            .expect("a slot");
        assert_eq!(slot.timestamp(), at("2026-01-12T08:00:00Z"));
        assert_eq!(
            (slot.weekday(), slot.hour(), slot.minute()),
            (Weekday::Monday, 9, 0)
        );
    }

    #[test]
    fn the_slot_after_a_summer_sunday_noon_is_monday_nine_in_berlin() {
        assert_eq!(
            next("0 9 * * MON", "2026-07-12T10:00:00Z"),
            Some(at("2026-07-13T07:00:00Z"))
        );
    }

    #[test]
    fn the_next_slot_is_strictly_after_the_given_instant() {
        assert_eq!(
            next("0 9 * * MON", "2026-01-12T08:00:00Z"),
            Some(at("2026-01-19T08:00:00Z"))
        );
        assert_eq!(
            next("0 9 * * MON", "2026-01-12T07:59:59Z"),
            Some(at("2026-01-12T08:00:00Z"))
        );
    }

    #[test]
    fn the_latest_slot_at_exactly_a_slot_is_that_slot() {
        assert_eq!(
            latest("0 9 * * MON", "2026-01-12T08:00:00Z"),
            Some(at("2026-01-12T08:00:00Z"))
        );
    }

    #[test]
    fn one_second_before_a_slot_the_latest_is_the_previous_weeks() {
        assert_eq!(
            latest("0 9 * * MON", "2026-01-12T07:59:59Z"),
            Some(at("2026-01-05T08:00:00Z"))
        );
    }

    #[test]
    fn the_monday_after_the_spring_change_is_an_hour_earlier_in_utc() {
        assert_eq!(
            next("0 9 * * MON", "2026-03-23T08:00:00Z"),
            Some(at("2026-03-30T07:00:00Z"))
        );
        assert_eq!(
            latest("0 9 * * MON", "2026-03-30T12:00:00Z"),
            Some(at("2026-03-30T07:00:00Z"))
        );
        assert_eq!(
            latest("0 9 * * MON", "2026-03-30T06:59:59Z"),
            Some(at("2026-03-23T08:00:00Z"))
        );
    }

    #[test]
    fn the_monday_after_the_autumn_change_is_an_hour_later_in_utc() {
        assert_eq!(
            next("0 9 * * MON", "2026-10-19T07:00:00Z"),
            Some(at("2026-10-26T08:00:00Z"))
        );
        assert_eq!(
            latest("0 9 * * MON", "2026-10-26T07:59:59Z"),
            Some(at("2026-10-19T07:00:00Z"))
        );
    }

    #[test]
    fn a_daily_time_in_the_spring_gap_fires_once_after_the_jump() {
        let spring_day = schedule("30 2 * * *")
            .next_after(at("2026-03-28T01:30:00Z"), &berlin())
            .expect("a slot");
        // 02:30 does not exist on 29 March: it fires at 03:30 CEST.
        assert_eq!(spring_day.timestamp(), at("2026-03-29T01:30:00Z"));
        assert_eq!((spring_day.hour(), spring_day.minute()), (3, 30));
        assert_eq!(
            next("30 2 * * *", "2026-03-29T01:30:00Z"),
            Some(at("2026-03-30T00:30:00Z"))
        );
        assert_eq!(
            latest("30 2 * * *", "2026-03-29T01:29:59Z"),
            Some(at("2026-03-28T01:30:00Z"))
        );
        assert_eq!(
            latest("30 2 * * *", "2026-03-29T23:00:00Z"),
            Some(at("2026-03-29T01:30:00Z"))
        );
    }

    #[test]
    fn a_daily_time_in_the_autumn_fold_fires_once_at_its_first_occurrence() {
        // 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET) on 25 October.
        assert_eq!(
            next("30 2 * * *", "2026-10-24T00:30:00Z"),
            Some(at("2026-10-25T00:30:00Z"))
        );
        assert_eq!(
            next("30 2 * * *", "2026-10-25T00:30:00Z"),
            Some(at("2026-10-26T01:30:00Z"))
        );
        assert_eq!(
            latest("30 2 * * *", "2026-10-25T01:45:00Z"),
            Some(at("2026-10-25T00:30:00Z"))
        );
        let s = schedule("30 2 * * *");
        let second_time = due_slot(
            &s,
            &berlin(),
            Some(at("2026-10-25T00:30:00Z")),
            at("2026-10-25T01:31:00Z"),
        );
        assert_eq!(second_time, None);
    }

    #[test]
    fn wall_clock_times_that_land_on_one_instant_are_one_slot() {
        // On 29 March 02:30 is pushed to 03:30, which is also a slot of its own.
        assert_eq!(
            next("30 2,3 * * *", "2026-03-29T00:00:00Z"),
            Some(at("2026-03-29T01:30:00Z"))
        );
        assert_eq!(
            next("30 2,3 * * *", "2026-03-29T01:30:00Z"),
            Some(at("2026-03-30T00:30:00Z"))
        );
    }

    #[test]
    fn a_time_pushed_out_of_a_gap_can_fire_after_a_later_wall_clock_time() {
        // Lord Howe Island springs forward half an hour, 02:00 to 02:30, on 4 October 2026.
        // 02:10 fires at 02:40, after the 02:35 slot.
        let tz = zone("Australia/Lord_Howe");
        let s = schedule("10,35 2 * * *");
        let jump = at("2026-10-03T15:30:00Z");
        let first = s.next_after(jump, &tz).expect("a slot");
        assert_eq!((first.hour(), first.minute()), (2, 35));
        let second = s.next_after(first.timestamp(), &tz).expect("a slot");
        assert_eq!((second.hour(), second.minute()), (2, 40));
        let latest = s
            .latest_at_or_before(second.timestamp() + 1.hour(), &tz)
            .expect("a slot");
        assert_eq!(latest, second);
    }

    #[test]
    fn a_date_that_never_comes_gives_no_slot() {
        assert_eq!(next("0 0 31 2 *", "2026-01-01T00:00:00Z"), None);
        assert_eq!(latest("0 0 31 2 *", "2026-01-01T00:00:00Z"), None);
        // With a weekday as well, the Mondays of February still match.
        assert_eq!(
            next("0 0 30 2 MON", "2026-01-01T00:00:00Z"),
            Some(at("2026-02-01T23:00:00Z"))
        );
    }

    #[test]
    fn instants_at_the_ends_of_time_give_an_answer_or_none_without_panicking() {
        let tz = berlin();
        for expr in ["* * * * *", "0 9 * * MON", "0 0 31 2 *", "59 23 31 12 *"] {
            let s = schedule(expr);
            for instant in [Timestamp::MIN, Timestamp::MAX] {
                let _ = s.next_after(instant, &tz);
                let _ = s.latest_at_or_before(instant, &tz);
                let _ = due_slot(&s, &tz, Some(instant), instant);
            }
        }
    }

    #[test]
    fn a_leap_day_schedule_reaches_across_a_century_without_one() {
        assert_eq!(
            next("0 0 29 2 *", "2096-03-01T00:00:00Z"),
            Some(at("2104-02-28T23:00:00Z"))
        );
    }

    #[test]
    fn restricted_day_and_weekday_fields_match_either() {
        let s = "0 0 1 * MON";
        // Thursday 1 January 2026, then Monday 5 January.
        assert_eq!(
            next(s, "2025-12-31T12:00:00Z"),
            Some(at("2025-12-31T23:00:00Z"))
        );
        assert_eq!(
            next(s, "2025-12-31T23:00:00Z"),
            Some(at("2026-01-04T23:00:00Z"))
        );
    }

    #[test]
    fn a_starred_day_or_weekday_field_makes_both_match() {
        // Mondays only, then the 1st only, then odd days that are Mondays (Vixie cron).
        assert_eq!(
            next("0 0 * * MON", "2025-12-31T12:00:00Z"),
            Some(at("2026-01-04T23:00:00Z"))
        );
        assert_eq!(
            next("0 0 1 * *", "2026-01-01T00:00:00Z"),
            Some(at("2026-01-31T23:00:00Z"))
        );
        assert_eq!(
            next("0 0 */2 * MON", "2025-12-31T12:00:00Z"),
            Some(at("2026-01-04T23:00:00Z"))
        );
        assert_eq!(
            next("0 0 */2 * MON", "2026-01-04T23:00:00Z"),
            Some(at("2026-01-18T23:00:00Z"))
        );
    }

    // Due or not

    #[test]
    fn with_no_previous_issue_the_latest_slot_is_due() {
        assert_eq!(
            due(None, "2026-01-11T11:00:00Z"),
            Some(at("2026-01-05T08:00:00Z"))
        );
        assert_eq!(
            due(None, "2026-01-12T08:00:00Z"),
            Some(at("2026-01-12T08:00:00Z"))
        );
    }

    #[test]
    fn with_no_previous_issue_and_no_slot_ever_nothing_is_due() {
        let never = schedule("0 0 31 2 *");
        assert_eq!(
            due_slot(&never, &berlin(), None, at("2026-01-11T11:00:00Z")),
            None
        );
    }

    #[test]
    fn an_issue_is_not_due_before_the_next_slot() {
        assert_eq!(
            due(Some("2026-01-05T08:00:00Z"), "2026-01-12T07:59:59Z"),
            None
        );
    }

    #[test]
    fn an_issue_is_due_at_the_slot_and_after_it() {
        let last = Some("2026-01-05T08:00:00Z");
        assert_eq!(
            due(last, "2026-01-12T08:00:00Z"),
            Some(at("2026-01-12T08:00:00Z"))
        );
        assert_eq!(
            due(last, "2026-01-12T15:00:00Z"),
            Some(at("2026-01-12T08:00:00Z"))
        );
        // Days late, the slot that made it due is still the latest one.
        assert_eq!(
            due(last, "2026-01-21T15:00:00Z"),
            Some(at("2026-01-19T08:00:00Z"))
        );
    }

    #[test]
    fn an_issue_is_due_at_most_once_per_slot() {
        assert_eq!(
            due(Some("2026-01-12T08:00:00Z"), "2026-01-12T08:01:00Z"),
            None
        );
        // Sent late on Tuesday: nothing more until next Monday.
        assert_eq!(
            due(Some("2026-01-13T10:00:00Z"), "2026-01-14T10:00:00Z"),
            None
        );
        assert_eq!(
            due(Some("2026-01-13T10:00:00Z"), "2026-01-19T08:00:00Z"),
            Some(at("2026-01-19T08:00:00Z"))
        );
    }

    // Against the slow way

    /// Every slot of the wall-clock dates from `first` for `days` days, the slow way:
    /// every minute of every day checked, resolved with jiff, sorted and deduplicated.
    fn slots_the_slow_way(s: &Schedule, tz: &TimeZone, first: Date, days: i64) -> Vec<Timestamp> {
        let mut slots = Vec::new();
        for day in 0..days {
            let date = first.checked_add(day.days()).expect("a date");
            for (hour, minute) in (0..24).flat_map(|h| (0..60).map(move |m| (h, m))) {
                if s.matches_date(date) && s.hours.contains(hour) && s.minutes.contains(minute) {
                    let zoned = date
                        .at(hour, minute, 0, 0)
                        .to_zoned(tz.clone())
                        .expect("in range");
                    slots.push(zoned.timestamp());
                }
            }
        }
        slots.sort();
        slots.dedup();
        slots
    }

    /// Asks `next_after` and `latest_at_or_before` about every ten minutes, and around
    /// every slot, of the middle two days of a week of slots found the slow way.
    fn agrees_with_the_slow_way(expr: &str, zone_name: &str, first: &str) {
        let (s, tz) = (schedule(expr), zone(zone_name));
        let first: Date = first.parse().expect("a date");
        let slots = slots_the_slow_way(&s, &tz, first, 7);
        let start = first
            .checked_add(2.days())
            .expect("a date")
            .to_zoned(tz.clone())
            .expect("in range")
            .timestamp();
        let end = start + 48.hours();
        let mut queries: Vec<Timestamp> = (0..48 * 6).map(|i| start + (i * 10).minutes()).collect();
        for slot in slots.iter().filter(|t| (start..end).contains(*t)) {
            queries.extend([*slot - 1.second(), *slot, *slot + 1.second()]);
        }
        for q in queries {
            let context = format!(
                "`{expr}` in {zone_name} at {q} ({})",
                q.to_zoned(tz.clone())
            );
            let next = s.next_after(q, &tz).map(|z| z.timestamp());
            match slots.iter().find(|t| **t > q) {
                Some(expected) => assert_eq!(next, Some(*expected), "next after {context}"),
                None => assert!(
                    next.is_none_or(|t| t > end + 24.hours()),
                    "next after {context}"
                ),
            }
            let latest = s.latest_at_or_before(q, &tz).map(|z| z.timestamp());
            match slots.iter().rev().find(|t| **t <= q) {
                Some(expected) => assert_eq!(latest, Some(*expected), "latest at {context}"),
                None => assert!(
                    latest.is_none_or(|t| t < start - 24.hours()),
                    "latest at {context}"
                ),
            }
        }
    }

    const AWKWARD_SCHEDULES: &[&str] = &[
        "30 2 * * *",
        "10,35 2 * * *",
        "*/15 * * * *",
        "0,30 0-3 * * *",
        "30 2,3 * * *",
        "0 0 * * *",
        "15 0 * * *",
        "45 23 * * *",
        "0 9 * * MON",
        "0 12 1 * SUN",
    ];

    #[test]
    fn slots_agree_with_the_slow_way_across_dst_changes() {
        let changes = [
            ("Europe/Berlin", "2026-03-27"),       // spring: 02:00 -> 03:00
            ("Europe/Berlin", "2026-10-23"),       // autumn: 03:00 -> 02:00
            ("Australia/Lord_Howe", "2026-10-02"), // spring by half an hour
            ("Australia/Lord_Howe", "2026-04-03"), // autumn by half an hour
            ("America/Sao_Paulo", "2018-11-02"),   // spring at midnight: 00:00 -> 01:00
            ("America/Sao_Paulo", "2019-02-14"),   // autumn at midnight: 00:00 -> 23:00
            ("Pacific/Apia", "2011-12-27"),        // 30 December 2011 skipped
            ("UTC", "2026-01-01"),
        ];
        for (zone_name, first) in changes {
            for expr in AWKWARD_SCHEDULES {
                agrees_with_the_slow_way(expr, zone_name, first);
            }
        }
    }

    #[test]
    fn slots_strictly_increase_through_a_year() {
        let tz = berlin();
        // A year of every quarter hour would be slow in a debug build.
        for expr in AWKWARD_SCHEDULES
            .iter()
            .filter(|expr| !expr.starts_with('*'))
        {
            let s = schedule(expr);
            let mut slot = s
                .latest_at_or_before(at("2026-01-01T00:00:00Z"), &tz)
                .expect("a slot")
                .timestamp();
            while slot < at("2027-01-01T00:00:00Z") {
                let next = s.next_after(slot, &tz).expect("a slot").timestamp();
                assert!(next > slot, "`{expr}` after {slot}");
                let before_next = s
                    .latest_at_or_before(next - 1.nanosecond(), &tz)
                    .expect("a slot");
                assert_eq!(before_next.timestamp(), slot, "`{expr}` before {next}");
                slot = next;
            }
        }
    }
}
