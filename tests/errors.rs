//! Malformed input: each kind of problem stops the build with exit code 1 and a
//! message naming the file and, where the parser knows it, the line.

mod common;

use common::{Site, problem_lines};

/// Builds the basic fixture with one extra file and returns stderr of the failure.
fn failing_build_with(rel: &str, contents: &[u8]) -> String {
    let site = Site::fixture("basic");
    site.write(rel, contents);
    let run = site.build(&[]);
    run.failure(1);
    run.stderr
}

#[track_caller]
fn assert_names(stderr: &str, place: &str, words: &str) {
    let lines = problem_lines(stderr);
    let line = lines
        .iter()
        .find(|l| l.starts_with(place))
        .unwrap_or_else(|| panic!("no message starting with `{place}` in:\n{stderr}"));
    assert!(line.contains("error"), "not an error: {line}");
    assert!(
        line.to_lowercase().contains(words),
        "`{words}` not in: {line}"
    );
}

#[test]
fn unterminated_front_matter_names_the_file_and_line() {
    let err = failing_build_with(
        "content/posts/open.md",
        b"+++\ntitle = \"Open\"\ndate = 2026-01-01\nbody\n",
    );
    assert_names(&err, "content/posts/open.md:1:", "never closed");
}

#[test]
fn a_toml_syntax_error_names_its_line_and_column() {
    let err = failing_build_with(
        "content/posts/syntax.md",
        b"+++\ntitle = \"Ok\"\ndate = 2026-01-01\ntags = [\"a\",\n+++\n",
    );
    assert!(err.contains("content/posts/syntax.md:"), "{err}");
    assert_names(&err, "content/posts/syntax.md:", "invalid toml");
}

#[test]
fn a_yaml_syntax_error_names_its_line() {
    let err = failing_build_with(
        "content/posts/syntax.md",
        b"---\ntitle: Ok\ndate: 2026-01-01\ntags: [a, b\n---\n",
    );
    assert_names(&err, "content/posts/syntax.md:", "yaml");
}

#[test]
fn a_missing_required_key_is_named() {
    let err = failing_build_with(
        "content/members/nameless.md",
        b"+++\nrole = \"Helper\"\n+++\nNo name.\n",
    );
    assert_names(
        &err,
        "content/members/nameless.md:1:",
        "missing required key `name`",
    );
}

#[test]
fn a_wrong_type_names_the_line_of_the_key() {
    let err = failing_build_with(
        "content/posts/typed.md",
        b"+++\ntitle = \"Typed\"\ndate = 2026-01-01\ntags = \"rust\"\n+++\n",
    );
    assert_names(&err, "content/posts/typed.md:4:", "`tags`: expected a list");
}

#[test]
fn a_bad_date_names_the_line_of_the_key() {
    let err = failing_build_with(
        "content/events/when.md",
        b"+++\ntitle = \"When?\"\nstart = \"next thursday\"\n+++\n",
    );
    assert_names(&err, "content/events/when.md:3:", "not a valid date");
    let err = failing_build_with(
        "content/posts/when.md",
        b"+++\ntitle = \"When?\"\ndate = \"2026-02-30\"\n+++\n",
    );
    assert_names(&err, "content/posts/when.md:3:", "not a valid date");
}

#[test]
fn an_unknown_time_zone_names_the_line_of_the_key() {
    let err = failing_build_with(
        "content/events/zone.md",
        b"+++\ntitle = \"Zone\"\nstart = 2026-12-01T19:00:00\ntimezone = \"Europe/Atlantis\"\n+++\n",
    );
    assert_names(
        &err,
        "content/events/zone.md:4:",
        "unknown time zone `europe/atlantis`",
    );
}

#[test]
fn an_unknown_member_slug_names_the_line_and_the_known_members() {
    let err = failing_build_with(
        "content/posts/ghost.md",
        b"+++\ntitle = \"Ghost\"\ndate = 2026-01-01\nauthors = [\"ada-lovelace\", \"nobody\"]\n+++\n",
    );
    assert_names(&err, "content/posts/ghost.md:4:", "`nobody`");
    assert!(
        err.contains("ada-lovelace, bob"),
        "known members listed: {err}"
    );
    let err = failing_build_with(
        "content/events/ghost.md",
        b"+++\ntitle = \"Ghost\"\nstart = 2026-12-01T19:00:00\norganizers = [\"nobody\"]\n+++\n",
    );
    assert_names(&err, "content/events/ghost.md:4:", "no member");
}

#[test]
fn invalid_utf8_names_the_line() {
    let err = failing_build_with(
        "content/posts/latin1.md",
        b"+++\ntitle = \"Caf\xe9\"\n+++\n",
    );
    assert_names(&err, "content/posts/latin1.md:2:", "utf-8");
}

#[test]
fn an_empty_file_is_an_error() {
    let err = failing_build_with("content/pages/empty.md", b"");
    assert_names(&err, "content/pages/empty.md:1:", "empty");
}

#[test]
fn markdown_without_front_matter_is_an_error() {
    let err = failing_build_with("content/pages/bare.md", b"# Just a heading\n");
    assert_names(&err, "content/pages/bare.md:1:", "no front matter");
}

#[test]
fn a_bad_hearth_toml_names_its_line() {
    let site = Site::fixture("basic");
    site.write(
        "hearth.toml",
        "title = \"X\"\nbase_url = \"https://x.example.org\"\ntimezone = \"Mars/Olympus\"\n",
    );
    let run = site.build(&[]);
    run.failure(1);
    assert_names(&run.stderr, "hearth.toml:3:", "unknown time zone");

    site.write("hearth.toml", "title = \"X\"\nbase_url = x.example.org\n");
    let run = site.build(&[]);
    run.failure(1);
    assert_names(&run.stderr, "hearth.toml:2:", "invalid toml");

    site.write(
        "hearth.toml",
        "title = \"X\"\nbase_url = \"x.example.org\"\n",
    );
    let run = site.build(&[]);
    run.failure(1);
    assert_names(&run.stderr, "hearth.toml:2:", "absolute");
}

#[test]
fn a_missing_hearth_toml_says_what_to_do() {
    let site = Site::fixture("basic");
    site.remove("hearth.toml");
    let run = site.build(&[]);
    run.failure(1);
    assert!(run.stderr.contains("hearth init"), "{}", run.stderr);
}

#[test]
fn every_problem_of_a_run_is_reported_together() {
    let site = Site::fixture("basic");
    site.write(
        "content/posts/one.md",
        "+++\ntitle = 1\ndate = 2026-01-01\n+++\n",
    );
    site.write(
        "content/events/two.md",
        "+++\ntitle = \"Two\"\nstart = \"soon\"\n+++\n",
    );
    site.write("content/members/three.md", "---\nrole: x\n---\n");
    site.write("content/pages/four.md", "");
    let run = site.build(&[]);
    run.failure(1);
    for file in [
        "content/posts/one.md",
        "content/events/two.md",
        "content/members/three.md",
        "content/pages/four.md",
    ] {
        assert!(
            run.stderr.contains(file),
            "{file} not reported:\n{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("4 problems found"), "{}", run.stderr);
}

#[test]
fn unknown_keys_are_warnings_that_name_file_and_key() {
    let site = Site::fixture("basic");
    site.write(
        "content/posts/extra.md",
        "+++\ntitle = \"Extra\"\ndate = 2026-01-01\ncolour = \"red\"\n+++\n",
    );
    let run = site.build(&[]);
    run.success();
    assert!(
        problem_lines(&run.stderr)
            .iter()
            .any(|l| l.starts_with("content/posts/extra.md:4")
                && l.contains("warning: unknown key `colour`")),
        "{}",
        run.stderr
    );
}

#[test]
fn two_posts_with_one_slug_are_an_error_naming_both() {
    let site = Site::fixture("basic");
    site.write(
        "content/posts/2026-07-01-first.md",
        "+++\ntitle = \"Again\"\n+++\n",
    );
    let run = site.build(&[]);
    run.failure(1);
    assert!(run.stderr.contains("2026-01-10-first.md"), "{}", run.stderr);
    assert!(run.stderr.contains("2026-07-01-first.md"), "{}", run.stderr);
}

#[test]
fn a_page_cannot_take_a_url_the_site_uses() {
    let site = Site::fixture("basic");
    site.write("content/pages/posts.md", "+++\ntitle = \"Posts\"\n+++\n");
    site.build(&[]).failure(1);
}

#[test]
fn a_missing_bundle_image_is_named() {
    let err = failing_build_with(
        "content/posts/pic.md",
        b"+++\ntitle = \"Pic\"\ndate = 2026-01-01\nimage = \"nope.png\"\n+++\n",
    );
    assert_names(&err, "content/posts/pic.md:4:", "nope.png");
}

#[test]
fn a_broken_site_template_is_named() {
    let site = Site::fixture("basic");
    site.write("templates/post.html", "{% if post.title %}never closed");
    let run = site.build(&[]);
    run.failure(1);
    assert_names(&run.stderr, "templates/post.html", "template");

    site.write("templates/post.html", "{{ post.no_such_field }}");
    let run = site.build(&[]);
    run.failure(1);
    assert!(run.stderr.contains("post.html"), "{}", run.stderr);
    assert!(run.stderr.contains("no_such_field"), "{}", run.stderr);
}

#[test]
fn an_issue_number_recorded_twice_names_the_record_and_line() {
    let issue = |n: u32, day: u32| {
        format!(
            "[[issue]]\nnumber = {n}\ndate = \"2026-11-{day:02}T09:00:00+01:00\"\nsubject = \"Issue\"\n\n"
        )
    };
    let record = format!("{}{}{}", issue(1, 2), issue(2, 9), issue(2, 16));
    let err = failing_build_with("newsletter/issues.toml", record.as_bytes());
    assert_names(&err, "newsletter/issues.toml:12:", "recorded twice");
}
