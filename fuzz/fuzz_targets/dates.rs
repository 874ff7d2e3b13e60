//! Dates: any text is read as a date without panicking; a date that is read prints
//! and reads back as the same value, and places in a zone (an arbitrary zone name
//! after a `\x1e`, else Europe/Berlin) without panicking.

#![no_main]

use hearth::model::time::{self, DateSpec};
use jiff::tz::TimeZone;
use libfuzzer_sys::fuzz_target;

fn reads_back(spec: DateSpec) {
    let text = match spec {
        DateSpec::Day(d) => d.to_string(),
        DateSpec::Local(dt) => dt.to_string(),
        DateSpec::Exact(ts) => ts.to_string(),
    };
    assert_eq!(
        DateSpec::parse(&text),
        Ok(spec),
        "{spec:?} printed as {text:?}"
    );
}

fuzz_target!(|input: &str| {
    let (text, zone) = input.split_once('\x1e').unwrap_or((input, "Europe/Berlin"));
    let Ok(spec) = DateSpec::parse(text) else {
        return;
    };
    reads_back(spec);
    let Ok(tz) = TimeZone::get(zone) else {
        return;
    };
    let Ok(zoned) = spec.in_zone(&tz) else {
        return;
    };
    let _ = (
        time::human_date(&zoned),
        time::human_weekday_date(&zoned),
        time::human_time(&zoned),
        time::zone_abbreviation(&zoned),
        time::iso_date(&zoned),
    );
    let iso = time::iso(&zoned);
    if (1..=9999).contains(&zoned.year()) && zoned.subsec_nanosecond() == 0 {
        assert_eq!(
            DateSpec::parse(&iso),
            Ok(DateSpec::Exact(zoned.timestamp())),
            "{iso:?} from {text:?}"
        );
    }
});
