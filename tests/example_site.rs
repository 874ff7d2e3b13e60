//! The example site: it builds cleanly, and every page passes the Nu HTML checker.

mod common;

use std::process::Command;

use common::{Site, broken_internal_links, repo_root};

fn built_example() -> Site {
    let site = Site::copy_of(&repo_root().join("example-site"));
    let run = site.build(&[]);
    run.success();
    // A note (its scheduled post waits for its date) is not a warning.
    let problems: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.starts_with("note: "))
        .collect();
    assert!(
        problems.concat().trim().is_empty(),
        "the example site builds without warnings:\n{}",
        run.stderr
    );
    site
}

#[test]
fn the_example_site_builds_without_warnings_and_shows_every_kind_of_content() {
    let site = built_example();
    let home = site.page("index.html");
    assert!(home.contains("Lakeside Tech Collective"));
    for dir in ["posts", "members", "events", "tags"] {
        let count = std::fs::read_dir(site.public().join(dir))
            .expect(dir)
            .count();
        assert!(count >= 8, "{dir}/ has only {count} entries");
    }
    assert!(
        site.public()
            .join("posts/hackathon-recap/team-photo.png")
            .is_file(),
        "bundle image copied"
    );
    assert!(site.public().join("code-of-conduct/index.html").is_file());
}

#[test]
fn every_internal_link_and_anchor_of_the_example_site_resolves() {
    let site = built_example();
    assert_eq!(broken_internal_links(&site.public()), Vec::<String>::new());
}

#[test]
fn every_page_of_the_example_site_passes_the_nu_html_checker() {
    let site = built_example();
    let jar = repo_root().join("tests/tools/node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(
        jar.is_file(),
        "the Nu HTML checker is not installed at {}: run `bash .ci/run` (or `npm ci --prefix tests/tools`)",
        jar.display()
    );
    let output = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--skip-non-html", "--errors-only", "--format", "gnu"])
        .arg(site.public())
        .output()
        .expect("java runs (install a JRE: default-jre-headless)");
    let report = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    let pages = walkdir::WalkDir::new(site.public())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .count();
    assert!(pages > 50, "only {pages} pages were checked");
    assert!(
        output.status.success() && report.trim().is_empty(),
        "Nu HTML checker errors:\n{report}"
    );
}
