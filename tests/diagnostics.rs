//! What a writer sees when a file is wrong: the place, the line with a marker under
//! the spot, and a hint where one helps. Snapshots of the exact text (no colour;
//! paths are relative to the site, so they do not depend on the temp folder).

mod common;

use common::Site;

/// The stderr of a build of the basic fixture with one extra file.
fn diagnostics(rel: &str, contents: &[u8]) -> String {
    let site = Site::fixture("basic");
    site.write(rel, contents);
    let run = site.build(&[]);
    assert!(!run.stderr.contains("panicked"));
    run.stderr
}

#[test]
fn unterminated_front_matter() {
    insta::assert_snapshot!(diagnostics(
        "content/posts/open.md",
        b"+++\ntitle = \"Open\"\n\nNo closing fence.\n"
    ));
}

#[test]
fn a_toml_syntax_error() {
    insta::assert_snapshot!(diagnostics(
        "content/posts/syntax.md",
        b"+++\ntitle = \"Syntax\"\ndate = 2026-01-01\ntags = [\"rust\",\n+++\n"
    ));
}

#[test]
fn a_value_of_the_wrong_type() {
    insta::assert_snapshot!(diagnostics(
        "content/posts/typed.md",
        b"+++\ntitle = \"Typed\"\ndate = 2026-01-01\ntags = \"rust\"\n+++\n"
    ));
}

#[test]
fn a_misspelt_key_gets_a_suggestion() {
    insta::assert_snapshot!(diagnostics(
        "content/posts/typo.md",
        b"+++\ntitle = \"Typo\"\ndate = 2026-01-01\nsumary = \"Short\"\n+++\nBody.\n"
    ));
}

#[test]
fn an_unknown_time_zone_lists_the_nearest_ones() {
    insta::assert_snapshot!(diagnostics(
        "content/events/zone.md",
        b"+++\ntitle = \"Zone\"\nstart = 2026-12-01T19:00:00\ntimezone = \"America/New_Yrok\"\n+++\n"
    ));
}

#[test]
fn an_unknown_member_suggests_the_nearest_slug() {
    insta::assert_snapshot!(diagnostics(
        "content/posts/author.md",
        b"+++\ntitle = \"Author\"\ndate = 2026-01-01\nauthors = [\"ada-lovelcae\"]\n+++\n"
    ));
}

#[test]
fn a_bad_date() {
    insta::assert_snapshot!(diagnostics(
        "content/posts/when.md",
        b"+++\ntitle = \"When\"\ndate = \"2026-02-30\"\n+++\n"
    ));
}

#[test]
fn a_yaml_error() {
    insta::assert_snapshot!(diagnostics(
        "content/posts/yaml.md",
        b"---\ntitle: YAML\ndate: 2026-01-01\ntags: [a, b\n---\n"
    ));
}
