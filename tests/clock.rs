//! When the clock alone changes a site (`build::next_change`, which `hearth serve`
//! waits for): each kind of moment on its own, and the earliest of them together.

use hearth::build::{BuildOptions, load, next_change};
use jiff::Timestamp;

const NOW: &str = "2026-11-22T12:00:00Z";

/// A site with `files` (path, text) besides its config, in Berlin.
fn next_for(files: &[(&str, &str)]) -> Option<Timestamp> {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut all = vec![(
        "hearth.toml",
        "title = \"Club\"\nbase_url = \"https://club.example.org\"\ntimezone = \"Europe/Berlin\"\n",
    )];
    all.extend_from_slice(files);
    for (rel, text) in all {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
        std::fs::write(path, text).expect("write");
    }
    let loaded = load(&BuildOptions {
        site_dir: dir.path().to_path_buf(),
        out_dir: None,
        drafts: false,
        base_url: None,
        now: NOW.parse().expect("a time"),
        cache: None,
        kept: None,
        progress: false,
    })
    .expect("the site loads");
    next_change(&loaded)
}

fn at(text: &str) -> Option<Timestamp> {
    Some(text.parse().expect("a time"))
}

const PAST_EVENT: (&str, &str) = (
    "content/events/past.md",
    "+++\ntitle = \"Past\"\nstart = \"2026-11-01T18:00:00Z\"\n+++\n",
);
const EVENT: (&str, &str) = (
    "content/events/talk.md",
    "+++\ntitle = \"Talk\"\nstart = \"2026-11-25T18:00:00Z\"\nend = \"2026-11-25T20:00:00Z\"\n+++\n",
);
const MEMBER: (&str, &str) = (
    "content/members/ada.md",
    "+++\nname = \"Ada\"\nspotlight = 2026-11-24\n+++\n",
);
const POST: (&str, &str) = (
    "content/posts/later.md",
    "+++\ntitle = \"Later\"\ndate = 2026-11-23T09:00:00+01:00\n+++\nSoon.\n",
);
/// Monthly, the dates from a year ahead: the first enters `events.json`'s window
/// (366 days) on 2026-12-08 at 18:00 UTC.
const SERIES: (&str, &str) = (
    "content/events/monthly.md",
    "+++\ntitle = \"Monthly\"\nstart = 2027-12-09T19:00:00\ntimezone = \"Europe/Berlin\"\n\n[repeat]\nevery = \"month\"\non = \"2nd thursday\"\nuntil = 2028-02-28\n+++\n",
);

#[test]
fn a_site_with_nothing_ahead_never_changes_by_the_clock() {
    assert_eq!(next_for(&[PAST_EVENT]), None);
}

#[test]
fn each_kind_of_moment_is_found_and_the_earliest_wins() {
    // An event is upcoming until its end has passed.
    assert_eq!(
        next_for(&[PAST_EVENT, EVENT]),
        at("2026-11-25T20:00:00.000000001Z")
    );
    // A spotlight day begins at midnight in the site's zone.
    assert_eq!(next_for(&[EVENT, MEMBER]), at("2026-11-23T23:00:00Z"));
    // A post comes out at its date.
    assert_eq!(next_for(&[EVENT, MEMBER, POST]), at("2026-11-23T08:00:00Z"));
    // A date of a series enters the window of `events.json`.
    assert_eq!(next_for(&[SERIES]), at("2026-12-08T18:00:00Z"));
    assert_eq!(
        next_for(&[SERIES, EVENT, MEMBER, POST]),
        at("2026-11-23T08:00:00Z")
    );
}
