//! What real Jekyll, Hugo and Zola sites contain and hearth accepts: each input
//! builds, and means what its author meant.

mod common;

use common::Site;

/// The basic fixture with `files` added; the build must succeed.
fn built_with(files: &[(&str, &str)]) -> Site {
    let site = Site::fixture("basic");
    for (rel, text) in files {
        site.write(rel, text);
    }
    site.build(&[]).success();
    site
}

#[test]
fn a_byte_order_mark_before_the_front_matter_is_skipped() {
    let site = built_with(&[(
        "content/posts/bom.md",
        "\u{feff}---\ntitle: Marked\ndate: 2026-01-05\n---\nText.\n",
    )]);
    assert!(site.page("posts/bom/index.html").contains("Marked"));
}

#[test]
fn blank_lines_before_the_front_matter_are_skipped() {
    let site = built_with(&[(
        "content/posts/blank.md",
        "\n\n+++\ntitle = \"Spaced\"\ndate = 2026-01-05\n+++\nText.\n",
    )]);
    assert!(site.page("posts/blank/index.html").contains("Spaced"));
}

#[test]
fn the_more_marker_without_spaces_ends_the_summary() {
    let site = built_with(&[(
        "content/posts/more.md",
        "---\ntitle: More\ndate: 2026-01-05\n---\nOne.\n\nTwo.\n<!--more-->\nThree.\n",
    )]);
    // Without the marker the summary would be the first paragraph alone.
    let page = site.page("posts/more/index.html");
    let description = page
        .split("name=\"description\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a meta description");
    assert!(description.contains("Two."), "{description}");
    assert!(!description.contains("Three."), "{description}");
}

#[test]
fn null_lists_mean_none() {
    let site = built_with(&[
        (
            "content/posts/null.md",
            "---\ntitle: Null\ndate: 2026-01-05\ntags: null\nauthors:\n---\nText.\n",
        ),
        (
            "content/events/null.md",
            "---\ntitle: Null event\nstart: 2026-12-05T18:00:00\norganizers: null\ntags: ~\n---\n",
        ),
        (
            "content/members/nully.md",
            "---\nname: Nully\ntags: null\nlinks: null\n---\n",
        ),
    ]);
    assert!(site.page("posts/null/index.html").contains("Null"));
    assert!(site.page("events/null/index.html").contains("Null event"));
}

#[test]
fn a_one_digit_hour_is_read() {
    let site = built_with(&[(
        "content/posts/early.md",
        "---\ntitle: Early\ndate: 2026-01-05T8:30:00\n---\nText.\n",
    )]);
    let page = site.page("posts/early/index.html");
    assert!(page.contains("2026-01-05T08:30:00+01:00"), "{page}");
}

#[test]
fn author_names_members_as_text_as_a_comma_list_or_as_a_list() {
    let site = built_with(&[
        (
            "content/posts/one.md",
            "---\ntitle: One\ndate: 2026-01-05\nauthor: ada-lovelace\n---\n",
        ),
        (
            "content/posts/two.md",
            "---\ntitle: Two\ndate: 2026-01-05\nauthor: \"ada-lovelace, bob\"\n---\n",
        ),
        (
            "content/posts/list.md",
            "+++\ntitle = \"List\"\ndate = 2026-01-05\nauthor = [\"bob\"]\n+++\n",
        ),
    ]);
    let one = site.page("posts/one/index.html");
    assert!(one.contains("/members/ada-lovelace/") && !one.contains("/members/bob/"));
    let two = site.page("posts/two/index.html");
    assert!(two.contains("/members/ada-lovelace/") && two.contains("/members/bob/"));
    assert!(site.page("posts/list/index.html").contains("/members/bob/"));
}

#[test]
fn author_must_still_name_members_and_not_come_with_authors() {
    let site = Site::fixture("basic");
    site.write(
        "content/posts/nobody.md",
        "---\ntitle: Nobody\ndate: 2026-01-05\nauthor: \"Jane Doe\"\n---\n",
    );
    site.write(
        "content/posts/both.md",
        "---\ntitle: Both\ndate: 2026-01-05\nauthor: bob\nauthors: [bob]\n---\n",
    );
    let run = site.build(&[]);
    run.failure(1);
    assert!(
        run.stderr.contains("`author` names `Jane Doe`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("both `author` and `authors`"),
        "{}",
        run.stderr
    );
}

#[test]
fn dated_files_that_differ_only_in_time_get_different_slugs() {
    let session = "---\ntitle: Lactation room\n---\nOpen all day.\n";
    let site = built_with(&[
        ("content/posts/2026-10-17-08-00-lactation-room.md", session),
        ("content/posts/2026-10-17-09-00-lactation-room.md", session),
    ]);
    let early = site.page("posts/lactation-room-0800/index.html");
    assert!(early.contains("2026-10-17T08:00:00+02:00"), "{early}");
    let late = site.page("posts/lactation-room-0900/index.html");
    assert!(late.contains("2026-10-17T09:00:00+02:00"), "{late}");
}

#[test]
fn every_slug_collision_is_reported_in_the_first_run() {
    let site = Site::fixture("basic");
    // One clash between two good files, one where the later file has a bad date,
    // one where it has a wrong type: all three are found at once.
    site.write(
        "content/posts/2026-02-01-same.md",
        "+++\ntitle = \"Same\"\n+++\n",
    );
    site.write(
        "content/posts/2026-02-02-same.md",
        "+++\ntitle = \"Same again\"\n+++\n",
    );
    site.write(
        "content/posts/late.md",
        "+++\ntitle = \"Late\"\nslug = \"first\"\ndate = \"2026-02-30\"\n+++\n",
    );
    site.write(
        "content/pages/about-again.md",
        "+++\ntitle = \"About\"\nslug = \"about\"\nmenu = \"10\"\n+++\n",
    );
    let run = site.build(&[]);
    run.failure(1);
    let clashes = run.stderr.matches("already has the slug").count();
    assert_eq!(clashes, 3, "{}", run.stderr);
    assert!(run.stderr.contains("`2026-02-30` is not a valid date"));
}

#[test]
fn published_false_holds_a_file_back_like_a_draft() {
    let site = built_with(&[(
        "content/posts/held.md",
        "---\ntitle: Held\ndate: 2026-01-05\npublished: false\n---\n",
    )]);
    assert!(!site.public().join("posts/held").exists());
    site.build(&["--drafts"]).success();
    assert!(site.page("posts/held/index.html").contains("Held"));
}
