//! `hearth init` and `hearth new`: a new site builds and passes the check at once, and
//! every new file builds; nothing is ever overwritten.

mod common;

use common::{NOW, hearth};

#[test]
fn an_initialised_site_builds_and_passes_the_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().join("club");
    let site = site.to_str().expect("utf-8");
    let init = hearth(&["init", site, "--now", NOW]);
    init.success();
    assert!(
        init.stdout.contains("hearth serve"),
        "prints the next commands: {}",
        init.stdout
    );
    hearth(&["build", site, "--now", NOW]).success();
    let check = hearth(&["check", site, "--now", NOW]);
    check.success();
    assert!(
        check.stderr.trim().is_empty(),
        "no warnings: {}",
        check.stderr
    );
    let home = std::fs::read_to_string(dir.path().join("club/public/index.html")).expect("home");
    assert!(
        home.contains("Welcome to our new site") && home.contains("Our first meetup"),
        "post and event on the home page"
    );
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("notes.txt"), "mine").expect("write");
    let run = hearth(&["init", dir.path().to_str().expect("utf-8")]);
    run.failure(1);
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        1,
        "nothing written"
    );
}

#[test]
fn new_files_of_every_kind_build_and_are_never_overwritten() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().to_str().expect("utf-8");
    hearth(&["init", site, "--now", NOW]).success();
    let mut paths = Vec::new();
    for kind in ["post", "member", "event", "page"] {
        let run = hearth(&[
            "new",
            kind,
            "Spring \"Hack\" Night",
            "--site",
            site,
            "--now",
            NOW,
        ]);
        run.success();
        let path = run.stdout.trim().to_string();
        assert!(std::path::Path::new(&path).is_file(), "{kind}: {path}");
        paths.push(path);
    }
    assert!(
        paths[0].ends_with("content/posts/2026-11-22-spring-hack-night.md"),
        "{}",
        paths[0]
    );
    let event = std::fs::read_to_string(&paths[2]).expect("event");
    assert!(
        event.contains("start = 2026-11-29T19:00:00"),
        "a week ahead: {event}"
    );
    assert!(
        !event.lines().any(|l| l.starts_with("timezone")),
        "the event follows the site's time zone, even one set later: {event}"
    );
    let post = std::fs::read_to_string(&paths[0]).expect("post");
    assert!(!post.contains("Welcome to our new site"), "{post}");
    let member = std::fs::read_to_string(&paths[1]).expect("member");
    assert!(
        member.contains("A few words about Spring \"Hack\" Night:"),
        "the body shows the name as written: {member}"
    );
    let long_title = "A very long title ".repeat(20);
    let long = hearth(&["new", "post", &long_title, "--site", site, "--now", NOW]);
    long.success();
    let name = long
        .stdout
        .trim()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(name.len() < 90, "a short file name: {name}");
    hearth(&["build", site, "--now", NOW]).success();
    hearth(&["check", site, "--now", NOW]).success();

    std::fs::write(&paths[0], "my words").expect("write");
    let again = hearth(&[
        "new",
        "post",
        "Spring \"Hack\" Night",
        "--site",
        site,
        "--now",
        NOW,
    ]);
    // The same title again makes a second file with its own slug, never the first.
    again.success();
    assert_ne!(again.stdout.trim(), paths[0], "{}", again.stdout);
    assert!(
        again.stdout.trim().ends_with("spring-hack-night-2.md"),
        "{}",
        again.stdout
    );
    assert_eq!(
        std::fs::read_to_string(&paths[0]).expect("kept"),
        "my words"
    );
}
