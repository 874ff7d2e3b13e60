//! STUB: replaced by the real cron schedule (being written).
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

#[derive(Debug, Clone)]
pub struct Schedule(String);

impl Schedule {
    pub fn parse(expr: &str) -> Result<Schedule, String> {
        Ok(Schedule(expr.to_string()))
    }
    pub fn latest_at_or_before(&self, _now: Timestamp, _tz: &TimeZone) -> Option<Zoned> {
        None
    }
    pub fn next_after(&self, _after: Timestamp, _tz: &TimeZone) -> Option<Zoned> {
        None
    }
}

pub fn due_slot(
    _s: &Schedule,
    _tz: &TimeZone,
    _last: Option<Timestamp>,
    _now: Timestamp,
) -> Option<Zoned> {
    None
}
