//! Properties that must hold for any input, checked on generated cases: front matter,
//! slugs and the output folder, dates, the subscribers file and markdown. Each block
//! runs a few hundred cases at most so the file stays fast in `cargo test`; the fuzz
//! targets in `fuzz/` search the same code for much longer.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use hearth::config::Markdown;
use hearth::content::frontmatter::{self, DateText, Extra};
use hearth::content::markdown::{LinkBase, render};
use hearth::diag::Diagnostics;
use hearth::model::Slug;
use hearth::model::time::{DateSpec, iso};
use hearth::newsletter::subscribers::{self, parse_address};
use hearth::output::Staging;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde::Deserialize;

fn cases(n: u32) -> Config {
    common::proptest_cases(n)
}

/// Text built from pieces that trouble parsers and paths: fences, line ends, a byte
/// order mark, separators, `..`, NUL, accents, other scripts, and arbitrary chars.
fn tricky_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(vec![
            "+++", "---", "\n", "\r\n", "\r", "\u{feff}", "/", "\\", "..", ".", "\0", " ",
            "\t", "\u{a0}", "\u{2028}", "-", "_", "é", "ß", "İ", "Æ", "東京", "ǅ", "²",
            "\u{301}", "😀", "title = \"A\"", "title: A", "<!-- more -->", "<b>", "#",
        ])
        .prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
        1 => "\\PC{0,8}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// A fenced document whose front matter is made of plausible and broken lines.
fn fenced_document() -> impl Strategy<Value = String> {
    let line = prop::sample::select(vec![
        "title = \"A post\"\n",
        "title = 5\n",
        "date = 2026-11-20\n",
        "date = 2026-11-20T18:30:00+01:00\n",
        "date = \"next tuesday\"\n",
        "tags = [\"a\", \"b\"]\n",
        "[extra]\n",
        "[links]\n",
        "mastodon = \"https://example.org/@a\"\n",
        "x = [1, {b = 2}, [[]]]\n",
        "x = 1979-05-27T07:32:00\n",
        "title: A post\n",
        "date: 2026-11-20T18:30:00+01:00\n",
        "tags: [a, b]\n",
        "extra: {a: [1, 2]}\n",
        "a: &a [x]\nb: *a\n",
        "- x\n",
        ": :\n",
        "\"unclosed\n",
        "\u{feff}\n",
        "\n",
        "=\n",
        "[[\n",
    ]);
    (
        prop::sample::select(vec!["+++", "---", "+++ \r", "--- "]),
        prop::collection::vec(
            prop_oneof![4 => line.prop_map(str::to_string), 1 => tricky_text()],
            0..8,
        ),
        tricky_text(),
    )
        .prop_map(|(fence, lines, body)| format!("{fence}\n{}{fence}\n{body}", lines.concat()))
}

/// Whether `part` lies inside `whole` in memory: a borrowed slice, not a copy.
fn is_slice_of(part: &str, whole: &str) -> bool {
    let range = whole.as_bytes().as_ptr_range();
    let start = part.as_ptr();
    start >= range.start && start.wrapping_add(part.len()) <= range.end
}

/// Any keys hearth's documents use, in their loosest types.
#[derive(Debug, Deserialize)]
#[allow(dead_code)] // fields are only deserialised
struct AnyFrontMatter {
    title: Option<String>,
    date: Option<DateText>,
    slug: Option<String>,
    draft: Option<bool>,
    tags: Option<Vec<String>>,
    menu: Option<i64>,
    links: Option<BTreeMap<String, String>>,
    #[serde(default)]
    extra: Extra,
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn front_matter_splitting_never_panics_and_returns_slices_of_the_input(
        text in prop_oneof![tricky_text(), fenced_document()],
    ) {
        if let Ok(split) = frontmatter::split(&text) {
            prop_assert!(is_slice_of(split.front, &text));
            prop_assert!(is_slice_of(split.body, &text));
            prop_assert!(split.front.as_ptr() <= split.body.as_ptr());
            let mut diags = Diagnostics::default();
            let path = Path::new("a.md");
            let typed = frontmatter::parse::<AnyFrontMatter>(&split, path, &mut diags);
            prop_assert!(typed.is_some() || diags.has_errors());
            let _ = frontmatter::parse::<Extra>(&split, path, &mut diags);
        }
    }

    #[test]
    fn a_slug_is_one_plain_name_and_slugging_it_again_changes_nothing(text in tricky_text()) {
        if let Some(slug) = Slug::from_text(&text) {
            let s = slug.as_str();
            prop_assert!(!s.is_empty());
            let unsafe_char = |c: char| "/\\.".contains(c) || c.is_whitespace() || c.is_control();
            prop_assert!(!s.contains(unsafe_char), "{:?} from {:?}", s, text);
            prop_assert!(!s.starts_with('-') && !s.ends_with('-') && !s.contains("--"), "{:?}", s);
            prop_assert_eq!(Slug::from_text(s), Some(slug.clone()));
        }
    }

    #[test]
    fn deeply_nested_front_matter_is_read_or_refused_quickly(
        yaml in any::<bool>(),
        opens in prop::collection::vec(prop::sample::select(vec!["[", "{a: ", "{a = "]), 1..5000),
    ) {
        let (fence, title, key) = if yaml {
            ("---", "title: A", "x: ")
        } else {
            ("+++", "title = \"A\"", "x = ")
        };
        let text = format!("{fence}\n{title}\n{key}{}1\n{fence}\n", opens.concat());
        let split = frontmatter::split(&text).map_err(|(_, e)| fail(e))?;
        let mut diags = Diagnostics::default();
        let started = std::time::Instant::now();
        let _ = frontmatter::parse::<AnyFrontMatter>(&split, Path::new("a.md"), &mut diags);
        let took = started.elapsed();
        let levels = opens.len();
        prop_assert!(took < std::time::Duration::from_secs(2), "{} levels: {:?}", levels, took);
    }

    #[test]
    fn any_single_char_slugs_idempotently(c in any::<char>()) {
        if let Some(slug) = Slug::from_text(&c.to_string()) {
            prop_assert_eq!(Slug::from_text(slug.as_str()), Some(slug.clone()), "{:?}", c);
        }
    }
}

fn entries(dir: &Path) -> Result<Vec<String>, TestCaseError> {
    Ok(std::fs::read_dir(dir)
        .map_err(fail)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect())
}

/// The output sits three empty folders down (`a/b/out`), so a path that climbed out
/// of it by up to three levels would leave a file where none should be.
fn nothing_beside_the_output(top: &Path) -> Result<(), TestCaseError> {
    prop_assert_eq!(entries(top)?, ["a"]);
    prop_assert_eq!(entries(&top.join("a"))?, ["b"]);
    prop_assert_eq!(entries(&top.join("a/b"))?, ["out"]);
    Ok(())
}

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

proptest! {
    #![proptest_config(cases(64))]

    #[test]
    fn a_post_slug_always_names_a_folder_inside_the_output(
        // At most 40 chars, so the folder name stays under the 255-byte limit of file
        // systems.
        text in tricky_text().prop_map(|t| t.chars().take(40).collect::<String>()),
    ) {
        let Some(slug) = Slug::from_text(&text) else { return Ok(()) };
        let top = tempfile::tempdir().map_err(fail)?;
        let out = top.path().join("a/b/out");
        let staging = Staging::begin(&out).map_err(fail)?;
        let rel = format!("posts/{slug}/index.html");
        staging.write(&rel, b"<p>hi</p>").map_err(fail)?;
        staging.commit().map_err(fail)?;
        let file = out.join("posts").join(slug.as_str()).join("index.html");
        let real = file.canonicalize().map_err(fail)?;
        prop_assert!(real.starts_with(out.canonicalize().map_err(fail)?), "{}", real.display());
        nothing_beside_the_output(top.path())?;
    }

    #[test]
    fn staging_writes_only_plain_paths_and_only_inside_the_output(
        rel in prop_oneof![
            tricky_text(),
            prop::collection::vec(
                prop::sample::select(vec![
                    "..", ".", "", "a", "posts", "x.html", "\\", "..\\b", "/",
                ]),
                1..6,
            )
            .prop_map(|parts| parts.join("/")),
        ],
    ) {
        let top = tempfile::tempdir().map_err(fail)?;
        let out = top.path().join("a/b/out");
        let staging = Staging::begin(&out).map_err(fail)?;
        let written = staging.write(&rel, b"x").is_ok();
        staging.commit().map_err(fail)?;
        if written {
            prop_assert!(Path::new(&rel)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_))), "{:?}", rel);
            let real = out.join(&rel).canonicalize().map_err(fail)?;
            prop_assert!(real.starts_with(out.canonicalize().map_err(fail)?), "{:?}", rel);
        }
        nothing_beside_the_output(top.path())?;
    }
}

fn civil_date() -> impl Strategy<Value = Date> {
    (-9999i16..=9999, 1i8..=12, 1i8..=31)
        .prop_filter_map("a real day", |(y, m, d)| Date::new(y, m, d).ok())
}

fn civil_time() -> impl Strategy<Value = Time> {
    (
        0i8..24,
        0i8..60,
        0i8..60,
        prop_oneof![Just(0i32), 0i32..1_000_000_000],
    )
        .prop_filter_map("a real time", |(h, m, s, ns)| Time::new(h, m, s, ns).ok())
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (Timestamp::MIN.as_second()..=Timestamp::MAX.as_second())
        .prop_filter_map("in range", |s| Timestamp::from_second(s).ok())
}

fn berlin() -> TimeZone {
    TimeZone::get("Europe/Berlin").expect("the bundled tzdb has Europe/Berlin")
}

/// Text that looks like dates: digits, separators, zones, and the tricky pieces.
fn date_like_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(vec![
            "2026", "-", "11", "20", "T", "t", " ", ":", "30", "00", "Z", "z", "+01:00",
            "-05:30", ".123", "[Europe/Berlin]", "24", "99", "-009999", "+10000", "\u{2212}",
        ])
        .prop_map(str::to_string),
        1 => tricky_text(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn reading_any_date_text_never_panics(text in date_like_text()) {
        if let Ok(spec) = DateSpec::parse(&text) {
            let _ = spec.in_zone(&berlin());
            let _ = spec.in_zone(&TimeZone::UTC);
        }
    }

    #[test]
    fn a_day_reads_back_as_the_same_day(date in civil_date()) {
        let spec = DateSpec::parse(&date.to_string()).map_err(fail)?;
        prop_assert_eq!(spec, DateSpec::Day(date));
        let _ = spec.in_zone(&berlin());
    }

    #[test]
    fn a_wall_clock_time_reads_back_as_the_same_time(
        date in civil_date(),
        time in civil_time(),
        space in any::<bool>(),
    ) {
        let dt = DateTime::from_parts(date, time);
        let text = if space { format!("{date} {time}") } else { dt.to_string() };
        let spec = DateSpec::parse(&text).map_err(fail)?;
        prop_assert_eq!(spec, DateSpec::Local(dt), "{}", text);
        let _ = spec.in_zone(&berlin());
    }

    #[test]
    fn an_exact_instant_reads_back_as_the_same_instant(
        ts in timestamp(),
        // RFC 3339 offsets are whole minutes.
        offset_minutes in -(25 * 60 + 59)..=(25 * 60 + 59),
    ) {
        let offset = Offset::from_seconds(offset_minutes * 60).map_err(fail)?;
        // The wall-clock time in that offset must itself be a representable date.
        let wall = offset.to_datetime(ts).date();
        prop_assume!(wall > Date::MIN && wall < Date::MAX);
        let text = ts.display_with_offset(offset).to_string();
        let spec = DateSpec::parse(&text).map_err(fail)?;
        prop_assert_eq!(spec, DateSpec::Exact(ts), "{}", text);
        let zoned = spec.in_zone(&berlin()).map_err(fail)?;
        prop_assert_eq!(zoned.timestamp(), ts, "{}", text);
    }

    #[test]
    fn a_time_placed_in_berlin_prints_as_rfc3339_that_reads_back(
        date in (1i16..=9998, 1i8..=12, 1i8..=31)
            .prop_filter_map("a real day", |(y, m, d)| Date::new(y, m, d).ok()),
        time in civil_time(),
    ) {
        let whole_seconds = time.with().subsec_nanosecond(0).build().map_err(fail)?;
        let dt = DateTime::from_parts(date, whole_seconds);
        let zoned = DateSpec::Local(dt).in_zone(&berlin()).map_err(fail)?;
        let text = iso(&zoned);
        let again = DateSpec::parse(&text);
        prop_assert_eq!(again, Ok(DateSpec::Exact(zoned.timestamp())), "{}", text);
    }
}

/// A wall-clock time in the hour Berlin skips in spring or repeats in autumn.
fn berlin_dst_edge() -> impl Strategy<Value = (DateTime, bool)> {
    (1996i16..=2100, any::<bool>(), 0i8..60, 0i8..60).prop_filter_map(
        "a real time",
        |(year, autumn, minute, second)| {
            let month = if autumn { 10 } else { 3 };
            let sunday = Date::new(year, month, 1)
                .ok()?
                .nth_weekday_of_month(-1, Weekday::Sunday)
                .ok()?;
            Some((sunday.at(2, minute, second, 0), autumn))
        },
    )
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn berlin_dst_edges_take_the_earlier_fold_and_skip_the_gap(
        (dt, autumn) in berlin_dst_edge(),
    ) {
        let zoned = DateSpec::Local(dt).in_zone(&berlin()).map_err(fail)?;
        let summer = Offset::from_hours(2).map_err(fail)?;
        prop_assert_eq!(zoned.offset(), summer, "{}", dt);
        let expected = if autumn { dt } else { dt + SignedDuration::from_hours(1) };
        prop_assert_eq!(zoned.datetime(), expected);
        let again = DateSpec::parse(&iso(&zoned)).map_err(fail)?;
        prop_assert_eq!(again, DateSpec::Exact(zoned.timestamp()));
    }
}

/// A CSV file: arbitrary bytes, or rows of cells made of tricky pieces.
fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(vec![
                "ada@example.org", "ADA@example.org", "bob@localhost", "x@y", "@", ".", "\"",
                "\"\"", ",", " ", "\t", "\n", "\r\n", "\r", "\0", "\u{7f}", "\u{85}", "\u{a0}",
                "\u{2028}", "<", ">", "Ada", "é", "email", "name", "a\"b@example.org",
                "\"a b\"@example.org", "ada@[127.0.0.1]", "ada@example.org.", "ünï@cödé.org",
            ])
            .prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::collection::vec(any::<u8>(), 0..4),
        ],
        0..4,
    )
    .prop_map(|parts| parts.concat());
    let row = prop::collection::vec(cell, 0..4).prop_map(|cells| cells.join(&b","[..]));
    let header = prop::sample::select(vec![
        "email,name\n",
        "Name,EMAIL,city\r\n",
        "email\n",
        "e,m\n",
        "",
    ]);
    prop_oneof![
        3 => (header, prop::collection::vec(row, 0..8)).prop_map(|(header, rows)| {
            let mut bytes = header.as_bytes().to_vec();
            bytes.extend(rows.join(&b"\n"[..]));
            bytes
        }),
        1 => prop::collection::vec(any::<u8>(), 0..200),
    ]
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn any_subscribers_file_is_read_without_panicking_into_clean_addresses(bytes in csv_bytes()) {
        let dir = tempfile::tempdir().map_err(fail)?;
        let path = dir.path().join("subscribers.csv");
        std::fs::write(&path, &bytes).map_err(fail)?;
        let Ok(subs) = subscribers::read(&path, Path::new("subscribers.csv"), &BTreeSet::new())
        else {
            return Ok(());
        };
        let mut keys = BTreeSet::new();
        for s in &subs.list {
            let address = s.address.to_string();
            prop_assert!(parse_address(&address).is_ok(), "{:?}", address);
            prop_assert!(
                !address.contains(|c: char| c.is_whitespace() || c.is_control()),
                "{:?}", address
            );
            prop_assert!(!s.name.contains(char::is_control), "{:?}", s.name);
            prop_assert!(keys.insert(s.key()), "{:?} twice", s.key());
        }
    }

    #[test]
    fn an_accepted_address_has_no_spaces_controls_or_brackets(text in tricky_text()) {
        if let Ok(address) = parse_address(&text) {
            let shown = address.to_string();
            prop_assert!(shown.contains('@'));
            prop_assert!(
                !shown.contains(|c: char| c.is_whitespace() || c.is_control() || "<>,".contains(c)),
                "{:?}", shown
            );
        }
    }
}

/// Markdown made of block and inline syntax pieces, HTML and tricky text.
fn markdown_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(vec![
            "# ", "## Title", " {#id}", "\n", "\n\n", "> ", "- ", "1. ", "* ", "    ", "```",
            "```rust\n", "```\n", "~~~", "|a|b|\n|-|-|\n", "[^1]", "[^1]: note\n", "[x](/a/)",
            "![i](photo.png)", "<div>", "</div>", "<script>", "<!-- more -->", "*", "_", "`",
            "~~", "[ ] ", "[x] ", "\\", "&amp;", "&#0;", "<", ">", "\"", "'", "--", "...",
        ])
        .prop_map(str::to_string),
        2 => tricky_text(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

fn link_base(assets: &[String]) -> LinkBase<'_> {
    LinkBase {
        root: "/club/",
        page_url: "/club/posts/x/",
        assets,
    }
}

/// Text of a summary without anything markdown would itself turn into `<`: no `<`,
/// no entities, no backslash escapes, no code spans.
fn plain_words() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 .,!?*_\\n\u{e9}\u{6771}-]{0,12}"
}

/// Elements markdown itself makes of `plain_words`: two trailing spaces make a
/// hard line break, four leading spaces an indented code block.
const MARKDOWN_TAGS: &[&str] = &[
    "p", "em", "strong", "ul", "ol", "li", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "pre",
    "code",
];

/// Raw HTML an author might put in a front-matter summary.
fn raw_html() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "<script>alert(1)</script>",
        "<b>",
        "</b>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:x\">",
        "<!-- c -->",
        "<div>\n",
        "<br/>",
        "<?php ?>",
        "<![CDATA[x]]>",
    ])
    .prop_map(str::to_string)
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn rendering_any_markdown_never_panics(
        body in markdown_text(),
        summary in prop::option::of(markdown_text()),
    ) {
        let assets = vec!["photo.png".to_string()];
        let rendered = render(&body, summary.as_deref(), &link_base(&assets), Markdown::default());
        let ids: BTreeSet<_> = rendered.toc.iter().map(|h| h.id.as_str()).collect();
        prop_assert_eq!(ids.len(), rendered.toc.len(), "heading ids are unique");
    }

    #[test]
    fn raw_html_in_a_front_matter_summary_is_shown_as_text_never_as_markup(
        parts in prop::collection::vec(prop_oneof![plain_words(), raw_html()], 0..8),
    ) {
        let summary = parts.concat();
        let rendered = render("Body.", Some(&summary), &LinkBase::default(), Markdown::default());
        let html = &rendered.summary_html;
        for (i, _) in html.match_indices('<') {
            let name: String = html[i + 1..]
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            prop_assert!(
                MARKDOWN_TAGS.contains(&name.as_str()),
                "<{} in {:?} from {:?}", name, html, summary
            );
        }
        // The words have no `<`, so each `<` of the text is a raw tag's, which the
        // HTML shows escaped.
        prop_assert_eq!(
            rendered.summary_text.matches('<').count(),
            html.matches("&lt;").count(),
            "{:?} -> {:?}", summary, rendered.summary_text
        );
    }
}

/// Raw HTML, heading attributes and script links an author might put in a body.
fn hostile_markdown() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        raw_html(),
        prop::sample::select(vec![
            "## H {#id .c onclick=x}",
            "[a](javascript:x)",
            "[a](<JaVa\tScript:x>)",
            "![i](data:image/png;base64,x)",
            "<vbscript:x>",
            "[r]\n\n[r]: javascript:x\n",
            "<!-- a --><script>x</script>",
            "<div onclick=x>\n",
        ])
        .prop_map(str::to_string),
        markdown_text(),
    ];
    prop::collection::vec(piece, 0..10).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn a_body_makes_no_script_unless_the_site_allows_raw_html(body in hostile_markdown()) {
        let html = render(&body, None, &LinkBase::default(), Markdown::default()).content_html.get().into_owned();
        for (i, _) in html.match_indices('<') {
            let tag = &html[i..html[i..].find('>').map_or(html.len(), |e| i + e)];
            let lower = tag.to_ascii_lowercase();
            prop_assert!(!lower.starts_with("<script"), "{:?} from {:?}", tag, body);
            prop_assert!(
                !lower.split_whitespace().any(|a| a.starts_with("on") && a.contains('=')),
                "{:?} from {:?}", tag, body
            );
            prop_assert!(
                !lower.contains("href=\"javascript") && !lower.contains("src=\"data"),
                "{:?} from {:?}", tag, body
            );
        }
    }
}

proptest! {
    #![proptest_config(cases(24))]

    #[test]
    fn deeply_nested_quotes_and_lists_render_without_panicking(
        prefixes in prop::collection::vec(
            prop::sample::select(vec!["> ", ">", "- ", "* ", "1. ", "  ", "- > "]),
            1..3000,
        ),
        lines in 1usize..3,
    ) {
        let line = format!("{}text *em*\n", prefixes.concat());
        let body = line.repeat(lines);
        let rendered = render(&body, None, &LinkBase::default(), Markdown::default());
        prop_assert!(rendered.content_html.get().contains("text"));
    }
}
