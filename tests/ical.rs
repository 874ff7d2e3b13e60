//! The iCalendar files of a built site (`events/SLUG/event.ics`, `events/calendar.ics`),
//! read back by the Python `icalendar` library: every file parses, every event lands on
//! its exact instant, and the files are well-formed and reproducible.
//!
//! Needs `python3` with `icalendar` (`python3 -m pip install -r
//! tests/tools/requirements.txt`); without them these tests fail rather than skip.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Site, repo_root, snapshot};

const INSTALL: &str = "python3 -m pip install -r tests/tools/requirements.txt";
const HOST: &str = "test.example.org";

/// One VEVENT as `tests/tools/check_ics.py` reports it; instants in UTC.
#[derive(Debug, Clone, serde::Deserialize)]
struct ParsedEvent {
    file: PathBuf,
    uid: String,
    dtstamp: Option<String>,
    summary: String,
    status: String,
    location: String,
    url: String,
    description: String,
    categories: Vec<String>,
    dtstart: Option<String>,
    dtend: Option<String>,
    /// The same instants, computed from the file's own VTIMEZONE rather than a tz
    /// database that knows the zone by name.
    dtstart_vtimezone: Option<String>,
    dtend_vtimezone: Option<String>,
    errors: Vec<String>,
}

/// Parses `files` with the Python `icalendar` library.
fn read_back(files: &[PathBuf]) -> Vec<ParsedEvent> {
    let script = repo_root().join("tests/tools/check_ics.py");
    let output = Command::new("python3")
        .arg(&script)
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run python3 ({e}): the iCalendar tests need Python 3 with the \
                 `icalendar` package; install it with `{INSTALL}`"
            )
        });
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => {}
        Some(3) => panic!("{stderr}the iCalendar tests need it: `{INSTALL}`"),
        _ => panic!("icalendar could not read the calendars:\n{stderr}"),
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("checker output {line}: {e}"))
        })
        .collect()
}

/// Every `.ics` file under `public/events`: the calendar first, then by path.
fn calendar_files(public: &Path) -> Vec<PathBuf> {
    let events = public.join("events");
    let mut files: Vec<PathBuf> = snapshot(&events)
        .into_keys()
        .filter(|rel| rel.extension().is_some_and(|e| e == "ics"))
        .map(|rel| events.join(rel))
        .collect();
    files.sort_by_key(|f| (!f.ends_with("calendar.ics"), f.clone()));
    files
}

/// The events of `events/calendar.ics`, by UID.
fn whole_calendar(site: &Site) -> BTreeMap<String, ParsedEvent> {
    read_back(&[site.public().join("events/calendar.ics")])
        .into_iter()
        .map(|e| (e.uid.clone(), e))
        .collect()
}

fn uid(slug: &str) -> String {
    format!("{slug}@{HOST}")
}

fn built_fixture() -> Site {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    site
}

/// The slugs of the fixture's event files.
fn fixture_event_slugs() -> Vec<String> {
    let dir = repo_root().join("tests/fixtures/basic/content/events");
    let mut slugs: Vec<String> = snapshot(&dir)
        .into_keys()
        .filter_map(|rel| Some(rel.file_stem()?.to_str()?.to_string()))
        .collect();
    slugs.sort();
    slugs
}

#[test]
fn every_event_file_and_the_whole_calendar_parse() {
    let site = built_fixture();
    let files = calendar_files(&site.public());
    let parsed = read_back(&files);
    let slugs = fixture_event_slugs();

    for slug in &slugs {
        let file = site.public().join(format!("events/{slug}/event.ics"));
        let own: Vec<&ParsedEvent> = parsed.iter().filter(|e| e.file == file).collect();
        assert_eq!(own.len(), 1, "{slug}/event.ics holds one event: {own:#?}");
        assert_eq!(own[0].uid, uid(slug));
    }
    let whole = whole_calendar(&site);
    let uids: Vec<String> = slugs.iter().map(|s| uid(s)).collect();
    assert_eq!(whole.keys().cloned().collect::<Vec<_>>(), {
        let mut sorted = uids.clone();
        sorted.sort();
        sorted
    });
    for event in &parsed {
        assert_eq!(
            event.errors,
            Vec::<String>::new(),
            "{}",
            event.file.display()
        );
        assert!(event.dtstamp.is_some(), "{} has no DTSTAMP", event.uid);
        assert!(event.dtstart.is_some(), "{} has no DTSTART", event.uid);
    }
}

#[test]
fn every_event_lands_on_its_exact_instant() {
    let site = built_fixture();
    let expected = [
        // Berlin local, winter time.
        (
            "spring-meetup",
            "2026-03-05T18:00:00+00:00",
            Some("2026-03-05T20:00:00+00:00"),
        ),
        // Written as UTC.
        ("after-the-clocks-change", "2026-10-25T18:00:00+00:00", None),
        // 02:30 happens twice that night in Berlin: the first one, in summer time.
        (
            "fold-night",
            "2026-10-25T00:30:00+00:00",
            Some("2026-10-25T02:30:00+00:00"),
        ),
        ("december-talks", "2026-12-01T23:30:00+00:00", None),
        (
            "tokyo-exchange",
            "2026-12-05T01:00:00+00:00",
            Some("2026-12-05T03:00:00+00:00"),
        ),
        (
            "offset-given",
            "2026-12-02T18:00:00+00:00",
            Some("2026-12-02T20:00:00+00:00"),
        ),
        ("winter-social", "2026-12-10T18:00:00+00:00", None),
    ];
    let whole = whole_calendar(&site);
    for (slug, start, end) in expected {
        let single = read_back(&[site.public().join(format!("events/{slug}/event.ics"))]);
        for event in single.iter().chain(whole.get(&uid(slug))) {
            let file = event.file.display();
            assert_eq!(event.dtstart.as_deref(), Some(start), "{slug} in {file}");
            assert_eq!(event.dtend.as_deref(), end, "{slug} in {file}");
            assert_eq!(
                event.dtstart_vtimezone, event.dtstart,
                "{slug}: the VTIMEZONE of {file} disagrees with the tz database"
            );
            assert_eq!(event.dtend_vtimezone, event.dtend, "{slug} in {file}");
        }
    }
}

#[test]
fn the_cancelled_event_is_cancelled_and_the_others_confirmed() {
    let site = built_fixture();
    for (uid, event) in whole_calendar(&site) {
        let expected = if uid == self::uid("winter-social") {
            "CANCELLED"
        } else {
            "CONFIRMED"
        };
        assert_eq!(event.status, expected, "{uid}");
    }
}

#[test]
fn events_carry_their_place_page_and_plain_text() {
    let site = built_fixture();
    let whole = whole_calendar(&site);
    for (uid, event) in &whole {
        let slug = uid.trim_end_matches(&format!("@{HOST}"));
        let page = format!("https://{HOST}/events/{slug}/");
        assert_eq!(event.url, page);
        assert!(event.description.ends_with(&page), "{}", event.description);
        assert!(!event.description.contains('<'), "{}", event.description);
    }
    let fold = &whole[&uid("fold-night")];
    assert_eq!(fold.location, "Night café; Kreuzberg, Berlin");
    assert_eq!(fold.categories, ["community"]);
    // Online only: the link is the place.
    let talks = &whole[&uid("december-talks")];
    assert_eq!(talks.location, "https://video.example.org/room");
    assert_eq!(talks.summary, "December talks");
}

#[test]
fn every_line_ends_with_crlf_and_fits_in_75_octets() {
    let site = built_fixture();
    for file in calendar_files(&site.public()) {
        let bytes = std::fs::read(&file).expect("read calendar");
        let name = file.display();
        let text = std::str::from_utf8(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let body = text
            .strip_suffix("\r\n")
            .unwrap_or_else(|| panic!("{name} does not end with CRLF"));
        for (n, line) in body.split("\r\n").enumerate() {
            assert!(
                !line.contains(['\r', '\n']),
                "{name}:{}: a line break that is not CRLF",
                n + 1
            );
            assert!(
                line.len() <= 75,
                "{name}:{}: {} octets: {line}",
                n + 1,
                line.len()
            );
        }
    }
}

#[test]
fn two_builds_give_the_same_bytes_and_the_same_uids() {
    let first = built_fixture();
    let second = built_fixture();
    let calendars = |site: &Site| {
        let events = site.public().join("events");
        snapshot(&events)
            .into_iter()
            .filter(|(rel, _)| rel.extension().is_some_and(|e| e == "ics"))
            .collect::<BTreeMap<_, _>>()
    };
    let (a, b) = (calendars(&first), calendars(&second));
    assert!(!a.is_empty());
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (rel, bytes) in &a {
        assert!(b[rel] == *bytes, "{} differs between builds", rel.display());
    }
    let uids = |site: &Site| whole_calendar(site).into_keys().collect::<Vec<_>>();
    assert_eq!(uids(&first), uids(&second));
}

#[test]
fn a_site_below_a_path_links_with_the_path_but_writes_files_at_events() {
    let site = Site::fixture("basic");
    site.build(&["--base-url", "https://example.org/club"])
        .success();
    let parsed = read_back(&[site.public().join("events/spring-meetup/event.ics")]);
    assert_eq!(parsed.len(), 1);
    assert_eq!(
        parsed[0].url,
        "https://example.org/club/events/spring-meetup/"
    );
    assert_eq!(parsed[0].uid, "spring-meetup@example.org/club");
}

#[test]
fn all_day_utc_and_oddly_written_events_survive_the_round_trip() {
    let site = Site::fixture("basic");
    site.write(
        "content/events/harvest-days.md",
        "+++\ntitle = \"Harvest days\"\nstart = 2026-09-12\nend = 2026-09-13\n+++\nTwo days.\n",
    );
    site.write(
        "content/events/utc-call.md",
        "+++\ntitle = \"UTC call\"\nstart = 2026-09-01T10:00:00\ntimezone = \"UTC\"\n+++\nA call.\n",
    );
    let title = "Ünïcödé café, commas; semicolons \\\\ backslashes — and a title long \
                 enough to fold 😀😀😀😀😀";
    site.write(
        "content/events/odd-title.md",
        format!(
            "+++\ntitle = \"{title}\"\nstart = 2026-09-05T18:00:00\n\
             location = \"Hof 3, Aufgang B; 2. Stock\"\ntags = [\"rust\", \"a,b\"]\n+++\n\
             Line one.\n\nLine two; with, punctuation.\n"
        ),
    );
    site.build(&[]).success();
    let whole = whole_calendar(&site);

    let harvest = &whole[&uid("harvest-days")];
    assert_eq!(harvest.dtstart.as_deref(), Some("2026-09-12"));
    // DTEND of a whole-day event is the day after the last day.
    assert_eq!(harvest.dtend.as_deref(), Some("2026-09-14"));

    let call = &whole[&uid("utc-call")];
    assert_eq!(call.dtstart.as_deref(), Some("2026-09-01T10:00:00+00:00"));
    let raw = site.page("events/utc-call/event.ics");
    assert!(raw.contains("\r\nDTSTART:20260901T100000Z\r\n"), "{raw}");

    let odd = &whole[&uid("odd-title")];
    // TOML turns `\\\\` into one backslash.
    assert_eq!(odd.summary, title.replace("\\\\", "\\"));
    assert_eq!(odd.location, "Hof 3, Aufgang B; 2. Stock");
    assert_eq!(odd.categories, ["rust", "a,b"]);
    assert_eq!(odd.dtstart.as_deref(), Some("2026-09-05T16:00:00+00:00"));
}
