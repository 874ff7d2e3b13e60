//! Event series (`[repeat]`): the rule (every week on a weekday, or every month on
//! the 2nd Thursday or the last Friday), the dates it gives, and the cap that keeps a
//! series from running on for ever. Each occurrence keeps the wall-clock time of the
//! first in the event's own zone, across daylight-saving changes.

use jiff::civil::{Date, DateTime, Weekday};
use jiff::{ToSpan as _, Zoned};

/// How long a series may run from its first date: an `until` further away (or none)
/// is cut here, with a warning, so that no series lists dates without end. A weekly
/// series gives at most 105 dates.
pub const MAX_YEARS: i16 = 2;

/// When a series repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Every week on this day.
    Weekly(Weekday),
    /// Every month on the `nth` such weekday (1 to 4), or the last (`-1`).
    Monthly { nth: i8, weekday: Weekday },
}

impl Rule {
    /// Reads `every` and `on` as front matter writes them: `week` + `thursday`,
    /// `month` + `2nd thursday` or `last friday`.
    pub fn parse(every: &str, on: &str) -> Result<Rule, String> {
        let on_words: Vec<String> = on.split_whitespace().map(str::to_lowercase).collect();
        match every.trim().to_lowercase().as_str() {
            "week" | "weekly" => match on_words.as_slice() {
                [day] => Ok(Rule::Weekly(weekday(day)?)),
                _ => Err(format!(
                    "`on = \"{on}\"`: a weekly series is on a weekday, as `on = \"thursday\"`"
                )),
            },
            "month" | "monthly" => match on_words.as_slice() {
                [nth, day] => Ok(Rule::Monthly {
                    nth: ordinal(nth)?,
                    weekday: weekday(day)?,
                }),
                _ => Err(format!(
                    "`on = \"{on}\"`: a monthly series is on the 1st to 4th or last weekday of the month, as `on = \"2nd thursday\"` or `on = \"last friday\"`"
                )),
            },
            other => Err(format!(
                "`every = \"{other}\"`: a series repeats every `week` or every `month`"
            )),
        }
    }

    /// Whether `date` is a date of this rule.
    pub fn matches(self, date: Date) -> bool {
        match self {
            Rule::Weekly(day) => date.weekday() == day,
            Rule::Monthly { nth, weekday } => {
                nth_weekday(date.year(), date.month(), nth, weekday) == Some(date)
            }
        }
    }

    /// The first date of this rule on or after `from`.
    pub fn first_on_or_after(self, from: Date) -> Option<Date> {
        match self {
            Rule::Weekly(day) => from
                .nth_weekday(1, day)
                .ok()
                .map(|d| if from.weekday() == day { from } else { d }),
            Rule::Monthly { .. } => {
                let mut month = from.first_of_month();
                for _ in 0..3 {
                    if let Some(d) = self.in_month(month).filter(|d| *d >= from) {
                        return Some(d);
                    }
                    month = month.checked_add(1.month()).ok()?;
                }
                None
            }
        }
    }

    fn in_month(self, first: Date) -> Option<Date> {
        match self {
            Rule::Weekly(_) => None,
            Rule::Monthly { nth, weekday } => {
                nth_weekday(first.year(), first.month(), nth, weekday)
            }
        }
    }

    /// The dates of this rule from `first` (a date of the rule) to `last`, inclusive.
    pub fn dates(self, first: Date, last: Date) -> Vec<Date> {
        let mut out = Vec::new();
        let mut step = 0i32;
        loop {
            let next = match self {
                Rule::Weekly(_) => first.checked_add((7 * step).days()).ok(),
                Rule::Monthly { .. } => first
                    .first_of_month()
                    .checked_add(step.months())
                    .ok()
                    .and_then(|m| self.in_month(m)),
            };
            step += 1;
            match next {
                Some(d) if d > last => break,
                Some(d) => out.push(d),
                // A month without the date (cannot happen for 1st-4th and last).
                None if step < 12 * i32::from(MAX_YEARS) + 2 => continue,
                None => break,
            }
        }
        out
    }

    /// For people: `Every Thursday`, `Every 2nd Thursday of the month`.
    pub fn describe(self) -> String {
        match self {
            Rule::Weekly(day) => format!("Every {}", weekday_name(day)),
            Rule::Monthly { nth: -1, weekday } => {
                format!("Every last {} of the month", weekday_name(weekday))
            }
            Rule::Monthly { nth, weekday } => {
                let ord =
                    ["1st", "2nd", "3rd", "4th"][usize::from(nth.unsigned_abs().clamp(1, 4)) - 1];
                format!("Every {ord} {} of the month", weekday_name(weekday))
            }
        }
    }

    /// The RFC 5545 `FREQ` and `BYDAY` parts: `FREQ=MONTHLY;BYDAY=2TH`.
    pub fn rrule_parts(self) -> String {
        match self {
            Rule::Weekly(day) => format!("FREQ=WEEKLY;BYDAY={}", ical_day(day)),
            Rule::Monthly { nth, weekday } => {
                format!("FREQ=MONTHLY;BYDAY={nth}{}", ical_day(weekday))
            }
        }
    }
}

/// The `nth` (1..=4, or -1 for the last) `weekday` of a month.
fn nth_weekday(year: i16, month: i8, nth: i8, weekday: Weekday) -> Option<Date> {
    Date::new(year, month, 1)
        .ok()?
        .nth_weekday_of_month(nth, weekday)
        .ok()
}

fn weekday(word: &str) -> Result<Weekday, String> {
    let word = word.trim_end_matches('s');
    let days = [
        ("monday", Weekday::Monday),
        ("tuesday", Weekday::Tuesday),
        ("wednesday", Weekday::Wednesday),
        ("thursday", Weekday::Thursday),
        ("friday", Weekday::Friday),
        ("saturday", Weekday::Saturday),
        ("sunday", Weekday::Sunday),
    ];
    days.iter()
        .find(|(name, _)| *name == word || (word.len() >= 3 && name.starts_with(word)))
        .map(|(_, day)| *day)
        .ok_or_else(|| format!("`{word}` is not a day of the week (write `monday` ... `sunday`)"))
}

fn ordinal(word: &str) -> Result<i8, String> {
    match word {
        "1st" | "first" => Ok(1),
        "2nd" | "second" => Ok(2),
        "3rd" | "third" => Ok(3),
        "4th" | "fourth" => Ok(4),
        "last" => Ok(-1),
        _ => Err(format!(
            "`{word}`: write `1st`, `2nd`, `3rd`, `4th` or `last` before the weekday"
        )),
    }
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Monday",
        Weekday::Tuesday => "Tuesday",
        Weekday::Wednesday => "Wednesday",
        Weekday::Thursday => "Thursday",
        Weekday::Friday => "Friday",
        Weekday::Saturday => "Saturday",
        Weekday::Sunday => "Sunday",
    }
}

fn ical_day(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "MO",
        Weekday::Tuesday => "TU",
        Weekday::Wednesday => "WE",
        Weekday::Thursday => "TH",
        Weekday::Friday => "FR",
        Weekday::Saturday => "SA",
        Weekday::Sunday => "SU",
    }
}

/// A checked series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub rule: Rule,
    /// The last date the rule gives up to `until` (or the cap): the `UNTIL` of the
    /// calendar's RRULE.
    pub last: Date,
    /// Dates of the rule that are skipped, sorted.
    pub except: Vec<Date>,
}

/// One date of an event: the only one of a single event, or one of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub start: Zoned,
    pub end: Option<Zoned>,
}

impl Occurrence {
    /// Upcoming until it has ended (or, without an end, started).
    pub fn is_upcoming(&self, now: &jiff::Timestamp) -> bool {
        self.ends_at() >= *now
    }

    /// When it ends, or without an end, when it starts.
    pub fn ends_at(&self) -> jiff::Timestamp {
        self.end.as_ref().unwrap_or(&self.start).timestamp()
    }
}

impl Series {
    /// The occurrences of a series whose first is `start` (and `end`): each on a date
    /// of the rule, not excepted, at the same wall-clock time in the same zone, and
    /// as long (in wall-clock terms) as the first.
    pub fn occurrences(&self, start: &Zoned, end: Option<&Zoned>) -> Vec<Occurrence> {
        let length = end.and_then(|e| start.datetime().until(e.datetime()).ok());
        self.rule
            .dates(start.date(), self.last)
            .into_iter()
            .filter(|d| self.except.binary_search(d).is_err())
            .filter_map(|date| {
                let at = DateTime::from_parts(date, start.time());
                let start = at.to_zoned(start.time_zone().clone()).ok()?;
                let end = length
                    .and_then(|l| at.checked_add(l).ok())
                    .and_then(|e| e.to_zoned(start.time_zone().clone()).ok());
                Some(Occurrence { start, end })
            })
            .collect()
    }

    /// The last day a series starting on `first` may reach.
    pub fn cap(first: Date) -> Date {
        first
            .checked_add(MAX_YEARS.years())
            .and_then(|d| d.yesterday())
            .unwrap_or(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn rules_read_as_people_write_them() {
        assert_eq!(
            Rule::parse("week", "Thursday"),
            Ok(Rule::Weekly(Weekday::Thursday))
        );
        assert_eq!(
            Rule::parse("month", "2nd thursday"),
            Ok(Rule::Monthly {
                nth: 2,
                weekday: Weekday::Thursday
            })
        );
        assert_eq!(
            Rule::parse("month", "last Friday"),
            Ok(Rule::Monthly {
                nth: -1,
                weekday: Weekday::Friday
            })
        );
        for (every, on) in [
            ("day", "monday"),
            ("week", "2nd thursday"),
            ("month", "thursday"),
            ("month", "5th monday"),
            ("week", "someday"),
        ] {
            assert!(Rule::parse(every, on).is_err(), "{every} {on}");
        }
    }

    #[test]
    fn monthly_dates_are_the_nth_and_last_weekdays() {
        let second = Rule::Monthly {
            nth: 2,
            weekday: Weekday::Thursday,
        };
        assert_eq!(
            second.dates(date(2026, 9, 10), date(2026, 12, 31)),
            [
                date(2026, 9, 10),
                date(2026, 10, 8),
                date(2026, 11, 12),
                date(2026, 12, 10)
            ]
        );
        let last = Rule::Monthly {
            nth: -1,
            weekday: Weekday::Friday,
        };
        assert_eq!(
            last.dates(date(2026, 1, 30), date(2026, 3, 31)),
            [date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27)]
        );
        assert!(last.matches(date(2026, 7, 31)));
        assert_eq!(
            last.first_on_or_after(date(2026, 7, 1)),
            Some(date(2026, 7, 31))
        );
    }

    #[test]
    fn weekly_dates_step_by_seven_days() {
        let rule = Rule::Weekly(Weekday::Thursday);
        assert_eq!(
            rule.first_on_or_after(date(2026, 12, 1)),
            Some(date(2026, 12, 3))
        );
        assert_eq!(
            rule.first_on_or_after(date(2026, 12, 3)),
            Some(date(2026, 12, 3))
        );
        assert_eq!(rule.dates(date(2026, 12, 3), date(2026, 12, 17)).len(), 3);
    }

    #[test]
    fn occurrences_keep_the_wall_clock_time_across_dst_and_skip_exceptions() {
        let tz = jiff::tz::TimeZone::get("Europe/Zurich").expect("tzdb");
        let start = date(2026, 10, 8)
            .at(19, 0, 0, 0)
            .to_zoned(tz.clone())
            .expect("valid");
        let end = date(2026, 10, 8)
            .at(21, 30, 0, 0)
            .to_zoned(tz)
            .expect("valid");
        let series = Series {
            rule: Rule::Monthly {
                nth: 2,
                weekday: Weekday::Thursday,
            },
            last: date(2026, 12, 10),
            except: vec![date(2026, 11, 12)],
        };
        let got = series.occurrences(&start, Some(&end));
        let starts: Vec<String> = got.iter().map(|o| o.start.to_string()).collect();
        assert_eq!(
            starts,
            [
                "2026-10-08T19:00:00+02:00[Europe/Zurich]",
                "2026-12-10T19:00:00+01:00[Europe/Zurich]"
            ]
        );
        assert_eq!(
            got[1].end.as_ref().map(|e| e.time()),
            Some(jiff::civil::time(21, 30, 0, 0))
        );
    }
}
