//! `hearth calendar`: every kind of entry lands on its day in the site's time zone
//! (across the end of summer time), the gaps organizers should fill are flagged, and
//! the `.ics` file reads back with Python's `icalendar` at the same instants.

mod common;

use std::process::Command;

use common::{Site, hearth, repo_root};

/// Wednesday of the week before summer time ends in Berlin (25 October 2026).
const NOW: &str = "2026-10-21T12:00:00Z";

fn calendar(site: &Site, extra: &[&str]) -> common::Run {
    let dir = site.path().to_str().expect("utf-8");
    let mut args = vec!["calendar", dir, "--weeks", "3", "--now", NOW];
    args.extend_from_slice(extra);
    hearth(&args)
}

/// The lines of the table under the week starting `monday` (e.g. "Mon 26 Oct 2026").
fn week<'a>(table: &'a str, monday: &str) -> Vec<&'a str> {
    let header = format!("Week of {monday}");
    table
        .lines()
        .skip_while(|l| *l != header)
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

fn has(lines: &[&str], parts: &[&str]) -> bool {
    lines.iter().any(|l| parts.iter().all(|p| l.contains(p)))
}

#[test]
fn every_kind_of_entry_is_listed_on_its_day_in_the_sites_time_zone() {
    let site = Site::fixture("calendar");
    let run = calendar(&site, &[]);
    run.success();
    let table = &run.stdout;
    let dst_week = week(table, "Mon 26 Oct 2026");
    // 23:30 UTC on Sunday is 00:30 on Monday in Berlin, after the clocks went back.
    assert!(
        has(
            &dst_week,
            &["Mon 26 Oct", "00:30", "event", "Late Night Hack"]
        ),
        "{table}"
    );
    assert!(
        has(&dst_week, &["Mon 26 Oct", "09:00", "newsletter"]),
        "{table}"
    );
    assert!(
        has(&dst_week, &["Tue 27 Oct", "spotlight", "Ada Example"]),
        "{table}"
    );
    assert!(
        has(&dst_week, &["Wed 28 Oct", "scheduled", "Winter plans"]),
        "{table}"
    );
    assert!(
        has(
            &dst_week,
            &["Thu 29 Oct", "19:00", "event", "Autumn Meetup"]
        ),
        "{table}"
    );
    assert!(
        has(&dst_week, &["Fri 30 Oct", "draft", "Half written"]),
        "{table}"
    );
    let november = week(table, "Mon 2 Nov 2026");
    assert!(
        has(
            &november,
            &[
                "Mon 02 Nov",
                "09:00",
                "newsletter",
                "issue 2",
                "1 post",
                "a spotlight"
            ]
        ),
        "the slot holds what the files hold now: {table}"
    );
}

#[test]
fn gaps_are_flagged_where_they_are() {
    let site = Site::fixture("calendar");
    let run = calendar(&site, &[]);
    run.success();
    let table = &run.stdout;
    let this_week = week(table, "Mon 19 Oct 2026");
    let dst_week = week(table, "Mon 26 Oct 2026");
    let november = week(table, "Mon 2 Nov 2026");
    assert!(has(&this_week, &["!", "no post this week"]), "{table}");
    assert!(has(&november, &["!", "no post this week"]), "{table}");
    assert!(
        !has(&dst_week, &["no post this week"]),
        "a scheduled post counts: {table}"
    );
    assert!(
        has(
            &this_week,
            &["!", "Late Night Hack", "no post announcing it"]
        ),
        "an event nobody wrote about: {table}"
    );
    assert!(
        !table.contains("\"Autumn Meetup\" (") && !table.contains("\"Winter Gathering\" ("),
        "a post linking to the event, or a scheduled post naming it, announces it: {table}"
    );
    assert!(
        has(&dst_week, &["!", "nothing new", "--if-due"]),
        "the slot after an issue that announced everything is empty: {table}"
    );
}

#[test]
fn the_ics_file_reads_back_at_the_same_instants() {
    let site = Site::fixture("calendar");
    let out = tempfile::tempdir().expect("temp dir");
    let ics = out.path().join("desk.ics");
    calendar(&site, &["--ics", ics.to_str().expect("utf-8")]).success();
    let output = Command::new("python3")
        .arg(repo_root().join("tests/tools/check_ics.py"))
        .arg(&ics)
        .output()
        .expect("python3 runs (pip install -r tests/tools/requirements.txt)");
    assert!(
        output.status.success(),
        "icalendar reads the file: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let find = |summary: &str, start: &str| {
        events
            .iter()
            .find(|e| {
                e["summary"].as_str().is_some_and(|s| s.contains(summary)) && e["dtstart"] == start
            })
            .unwrap_or_else(|| panic!("no `{summary}` at {start} in {events:#?}"))
    };
    let late = find("Late Night Hack", "2026-10-25T23:30:00+00:00");
    assert_eq!(
        late["dtstart_vtimezone"], late["dtstart"],
        "the file's own VTIMEZONE agrees"
    );
    // 09:00 in Berlin is 08:00 UTC once summer time has ended.
    find("Newsletter", "2026-10-26T08:00:00+00:00");
    find("Newsletter: issue 2", "2026-11-02T08:00:00+00:00");
    find("Autumn Meetup", "2026-10-29T18:00:00+00:00");
    find("Spotlight: Ada Example", "2026-10-27");
    find("Scheduled: Winter plans", "2026-10-28");
    find("Draft: Half written", "2026-10-30");
    find("Problem: \"Late Night Hack\"", "2026-10-21");
    assert!(
        events
            .iter()
            .all(|e| e["errors"].as_array().is_some_and(Vec::is_empty)),
        "{events:#?}"
    );
}

#[test]
fn the_ics_file_is_never_written_into_the_output_folder() {
    let site = Site::fixture("calendar");
    std::fs::create_dir_all(site.public()).expect("mkdir");
    let inside = site.public().join("desk.ics");
    let run = calendar(&site, &["--ics", inside.to_str().expect("utf-8")]);
    run.failure(1);
    assert!(run.stderr.contains("output folder"), "{}", run.stderr);
    assert!(!inside.exists());
}

#[test]
fn each_date_of_a_series_is_listed_at_its_local_time_across_the_clock_change() {
    let site = Site::fixture("calendar");
    site.write(
        "content/events/coffee.md",
        "+++\ntitle = \"Tuesday Coffee\"\nstart = 2026-10-20T18:00:00\nend = 2026-10-20T19:00:00\n\
         location = \"Café am Markt\"\n\n[repeat]\nevery = \"week\"\non = \"tuesday\"\nuntil = 2026-11-10\n+++\n\
         Coffee and code, every Tuesday.\n",
    );
    let run = calendar(&site, &[]);
    run.success();
    let table = &run.stdout;
    // Summer time before 25 October, winter time after: 18:00 in Berlin both times.
    for (monday, day) in [
        ("Mon 19 Oct 2026", "Tue 20 Oct"),
        ("Mon 26 Oct 2026", "Tue 27 Oct"),
        ("Mon 2 Nov 2026", "Tue 03 Nov"),
    ] {
        assert!(
            has(
                &week(table, monday),
                &[day, "18:00", "event", "Tuesday Coffee", "series"]
            ),
            "{day}: {table}"
        );
    }
}
