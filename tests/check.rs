//! `hearth check`: every internal link and `#anchor` of the built site leads
//! somewhere, and each broken one is named with the file (and line) holding it.

mod common;

use common::{NOW, Site, hearth, repo_root};

fn check(site: &Site) -> common::Run {
    hearth(&["check", site.path().to_str().expect("utf-8"), "--now", NOW])
}

#[test]
fn the_example_site_passes_the_check() {
    let site = Site::copy_of(&repo_root().join("example-site"));
    let run = check(&site);
    run.success();
    assert!(run.stdout.contains("no problems found"), "{}", run.stdout);
    assert!(!site.public().exists(), "check writes no output folder");
}

#[test]
fn a_missing_post_and_a_missing_anchor_are_named_with_their_files() {
    let site = Site::fixture("basic");
    site.write(
        "content/posts/links.md",
        "+++\ntitle = \"Links\"\ndate = 2026-06-01\n+++\nSee [the plan](/posts/no-such-post/).\n",
    );
    site.write(
        "content/pages/faq.md",
        "+++\ntitle = \"FAQ\"\n+++\nRead [who we are](/about/#who-we-are)\nand [the rules](/about/#rules).\n",
    );
    let run = check(&site);
    run.failure(1);
    let lines = common::problem_lines(&run.stderr);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("content/posts/links.md:5:")
                && l.contains("/posts/no-such-post/")),
        "{}",
        run.stderr
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("content/pages/faq.md:5:") && l.contains("/about/#rules")),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("#who-we-are"),
        "the good anchor is fine: {}",
        run.stderr
    );
    // The post's summary shows on list pages too; the problem is told once.
    assert_eq!(
        lines.iter().filter(|l| l.contains("no-such-post")).count(),
        1,
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("2 problems found"), "{}", run.stderr);
}

#[test]
fn a_missing_image_is_a_problem() {
    let site = Site::fixture("basic");
    site.write(
        "content/pages/gallery.md",
        "+++\ntitle = \"Gallery\"\n+++\n![Us](/images/us.png)\n",
    );
    let run = check(&site);
    run.failure(1);
    assert!(
        run.stderr.contains("content/pages/gallery.md:4:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("/images/us.png"), "{}", run.stderr);
}

#[test]
fn content_problems_fail_the_check_too() {
    let site = Site::fixture("basic");
    site.write(
        "content/events/bad.md",
        "+++\ntitle = \"Bad\"\nstart = \"soon\"\n+++\n",
    );
    let run = check(&site);
    run.failure(1);
    assert!(
        run.stderr.contains("content/events/bad.md:3:"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_big_list_without_an_endpoint_is_warned_about_and_a_small_one_is_not() {
    let site = Site::fixture("newsletter");
    let people = |n: usize| {
        let mut csv = String::from("email,name\n");
        for i in 0..n {
            csv.push_str(&format!("person{i}@example.org,Person {i}\n"));
        }
        csv
    };
    site.write("subscribers.csv", people(20));
    let run = check(&site);
    run.success();
    assert!(!run.stderr.contains("endpoint"), "{}", run.stderr);

    site.write("subscribers.csv", people(1_500));
    let run = check(&site);
    run.success();
    assert!(
        run.stderr.contains("hearth.toml:") && run.stderr.contains("no `endpoint`"),
        "{}",
        run.stderr
    );
}
