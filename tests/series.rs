//! Event series (`[repeat]`): one monthly series across a change of daylight-saving
//! time, with a date skipped, gives the same dates on its page, in its `.ics` as two
//! independent readers expand it, and in `/events.json`.

mod common;

use std::process::Command;

use common::{Site, repo_root};

/// The 2nd Thursday of each month at 19:00 in Berlin, from September 2026 (summer
/// time) to January 2027 (winter time), without 12 November.
const SERIES: &str = r#"+++
title = "Coffee and Code"
start = 2026-09-10T19:00:00
end = 2026-09-10T21:00:00
timezone = "Europe/Berlin"
location = "The bakery"
organizers = ["ada-lovelace"]
tags = ["coffee"]

[repeat]
every = "month"
on = "2nd thursday"
until = 2027-01-31
except = [2026-11-12]
+++

Bring a laptop.
"#;

/// The dates the series must have, in its own zone: the clocks go back on
/// 25 October, and the wall-clock time stays 19:00.
const EXPECTED: [&str; 4] = [
    "2026-09-10T19:00:00+02:00",
    "2026-10-08T19:00:00+02:00",
    "2026-12-10T19:00:00+01:00",
    "2027-01-14T19:00:00+01:00",
];

fn built() -> Site {
    let site = Site::fixture("basic");
    site.write("content/events/coffee-and-code.md", SERIES);
    site.build(&[]).success();
    site
}

#[test]
fn a_monthly_series_across_dst_lists_the_same_dates_on_its_page_and_in_lists() {
    let site = built();
    let page = site.page("events/coffee-and-code/index.html");
    for expected in EXPECTED {
        let id = &expected[..10];
        assert!(
            page.contains(&format!(
                "id=\"{id}\"><time class=\"event-time\" datetime=\"{expected}\""
            )),
            "{id} missing on the series page"
        );
    }
    assert!(
        !page.contains("id=\"2026-11-12\""),
        "the skipped date is listed"
    );
    assert!(page.contains("Every 2nd Thursday of the month, until 14 January 2027"));
    // The events index lists each date, linking to its anchor: past (Sept, Oct) and
    // upcoming (Dec, Jan) around the tests' "now" of 22 November 2026.
    let index = site.page("events/index.html");
    for expected in EXPECTED {
        let link = format!("/events/coffee-and-code/#{}", &expected[..10]);
        assert!(index.contains(&link), "{link} not on /events/");
    }
    let member = site.page("members/ada-lovelace/index.html");
    let dec = member
        .find("#2026-12-10")
        .expect("December on the organizer's page");
    let jan = member.find("#2027-01-14").expect("January");
    let oct = member.find("#2026-10-08").expect("October");
    let sep = member.find("#2026-09-10").expect("September");
    assert!(
        dec < jan && jan < oct && oct < sep,
        "upcoming soonest first, then past latest first"
    );
    let tag = site.page("tags/coffee/index.html");
    assert!(tag.contains("#2026-12-10") && tag.contains("#2026-09-10"));
}

#[test]
fn the_ics_carries_one_rule_that_two_readers_expand_to_the_same_dates() {
    let site = built();
    let ics = site.page("events/coffee-and-code/event.ics");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
    assert!(ics.contains("RRULE:FREQ=MONTHLY;BYDAY=2TH;UNTIL=20270114T180000Z\r\n"));
    assert!(ics.contains("EXDATE;TZID=Europe/Berlin:20261112T190000\r\n"));
    for file in ["events/coffee-and-code/event.ics", "events/calendar.ics"] {
        let script = repo_root().join("tests/tools/expand_ics.py");
        let out = Command::new("python3")
            .arg(&script)
            .arg(site.public().join(file))
            .args(["2026-01-01", "2028-01-01", "coffee-and-code@"])
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let rule = &parsed["rules"][0];
        // icalendar's own reading of the rule and the skipped date.
        assert_eq!(rule["exdates"][0], "2026-11-12T19:00:00+01:00");
        assert!(
            rule["rrule"]
                .as_str()
                .is_some_and(|r| r.contains("BYDAY=2TH"))
        );
        let starts: Vec<&str> = parsed["starts"]
            .as_array()
            .expect("starts")
            .iter()
            .filter_map(|s| s.as_str())
            .collect();
        assert_eq!(starts, EXPECTED, "{file} expanded by recurring_ical_events");
    }
}

#[test]
fn events_json_lists_every_date_of_the_series() {
    let site = built();
    let json: serde_json::Value =
        serde_json::from_str(&site.page("events.json")).expect("events.json parses");
    let mut starts: Vec<String> = ["upcoming", "past"]
        .iter()
        .flat_map(|k| json[k].as_array().expect("a list").clone())
        .filter(|e| e["title"] == "Coffee and Code")
        .map(|e| {
            assert!(
                e["url"]
                    .as_str()
                    .is_some_and(|u| u.contains("/events/coffee-and-code/#"))
            );
            assert!(e["start_utc"].as_str().is_some_and(|u| u.ends_with('Z')));
            assert_eq!(e["timezone"], "Europe/Berlin");
            e["start"].as_str().expect("start").to_string()
        })
        .collect();
    starts.sort();
    assert_eq!(starts, EXPECTED);
    let first_upcoming = &json["upcoming"][0];
    assert!(first_upcoming["start"].is_string());
}

#[test]
fn a_series_that_does_not_start_on_its_rule_or_has_a_bad_rule_is_a_located_error() {
    let site = Site::fixture("basic");
    let wrong_day = SERIES.replace("start = 2026-09-10T19:00:00", "start = 2026-09-09T19:00:00");
    site.write("content/events/coffee-and-code.md", &wrong_day);
    let run = site.build(&[]);
    run.failure(1);
    assert!(
        run.stderr.contains("coffee-and-code.md:3"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the first is 2026-09-10"),
        "{}",
        run.stderr
    );

    let bad_rule = SERIES.replace("on = \"2nd thursday\"", "on = \"9th thursday\"");
    site.write("content/events/coffee-and-code.md", &bad_rule);
    let run = site.build(&[]);
    run.failure(1);
    assert!(
        run.stderr.contains("coffee-and-code.md:12"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_series_without_until_is_capped_with_a_warning() {
    let site = Site::fixture("basic");
    let open = SERIES.replace("until = 2027-01-31\n", "");
    site.write("content/events/coffee-and-code.md", &open);
    let run = site.build(&[]);
    run.success();
    assert!(run.stderr.contains("has no `until`"), "{}", run.stderr);
    assert!(run.stderr.contains("2028-09-09"), "{}", run.stderr);
    let ics = site.page("events/coffee-and-code/event.ics");
    assert!(
        ics.contains("UNTIL=20280810T170000Z"),
        "the last date under the cap"
    );
}
