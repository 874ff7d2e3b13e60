//! The proof that `hearth serve` rebuilds in memory correctly: for random sequences
//! of edits (`common::edits`, the model of `incremental.rs`) to a copy of the `basic`
//! fixture, after each edit has been rebuilt, every file that a full `hearth build`
//! of a fresh copy of the site (no `.hearth/` cache, a new output folder, the same
//! `--now` and `--base-url`) makes is served with exactly its bytes (HTML pages
//! with the one live-reload script inserted where serve inserts it), files of the
//! previous good build that are gone answer 404, and after a broken edit the full
//! build fails too while serve still serves the last good build.
//!
//! The clock is left out of the edits: a running server's `--now` is fixed when
//! it starts, and restarting it would prove only the first build, which every case
//! already checks before its first edit.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::edits::{Edit, NOWS, World, edit};
use common::serve::{Server, TIMEOUT};
use common::{copy_tree, proptest_cases, snapshot};
use proptest::prelude::*;

/// Files of a build's output folder that are no page of the site: the marker that
/// the folder is hearth's output (`snapshot` already leaves out the manifest).
const NOT_SERVED: &[&str] = &[".hearth-output"];

/// The one file the edits change that serve does not hold in memory but copies
/// from the site when asked (`static/extra.txt`): while a broken edit keeps the
/// last good build online, serve answers for it with the file as it is now (see
/// `src/serve/server.rs`, `read`), so that check leaves it out.
const READ_LIVE: &str = "extra.txt";

/// A full build's files, keyed by their URL path without the leading `/`.
type Files = BTreeMap<String, Vec<u8>>;

fn full_build(world: &World, base_url: &str) -> (common::Run, Files) {
    let fresh = tempfile::tempdir().expect("temp dir");
    let copy = fresh.path().join("site");
    copy_tree(world.site.path(), &copy);
    let _ = std::fs::remove_dir_all(copy.join(".hearth"));
    let out = fresh.path().join("out");
    let run = world.build(&copy, &out, Some(base_url));
    let files = if run.code == Some(0) {
        snapshot(&out)
            .into_iter()
            .map(|(rel, bytes)| (url_path(&rel), bytes))
            .filter(|(rel, _)| !NOT_SERVED.contains(&rel.as_str()))
            .collect()
    } else {
        Files::new()
    };
    (run, files)
}

fn url_path(rel: &Path) -> String {
    let parts: Vec<String> = rel
        .components()
        .map(|c| {
            c.as_os_str()
                .to_str()
                .expect("utf-8 output path")
                .to_string()
        })
        .collect();
    parts.join("/")
}

/// `/rel` with every byte but unreserved ones and `/` percent-encoded, as the
/// server decodes it.
fn url_of(rel: &str) -> String {
    let mut url = String::from("/");
    for b in rel.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

fn is_html(rel: &str) -> bool {
    let ext = rel.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    ext == "html" || ext == "htm"
}

/// Whether `served` is `built` with one text inserted at the last `</body>` of
/// `built` (or at its end); the inserted text.
fn inserted<'a>(built: &[u8], served: &'a [u8]) -> Option<&'a [u8]> {
    let at = built
        .windows(b"</body>".len())
        .rposition(|w| w == b"</body>")
        .unwrap_or(built.len());
    let tail = built.len() - at;
    if served.len() <= built.len()
        || served[..at] != built[..at]
        || served[served.len() - tail..] != built[at..]
    {
        return None;
    }
    Some(&served[at..served.len() - tail])
}

/// The run of one case: the server, the last good full build, and the reload
/// script every served page must carry.
struct Check<'a> {
    server: &'a Server,
    script: Option<Vec<u8>>,
}

impl Check<'_> {
    /// Every file of `files` is served as it was built: byte for byte, or for an HTML
    /// page with the same one script inserted. The problems, one line each.
    fn served_as_built(&mut self, files: &Files, skip: &[&str]) -> Vec<String> {
        let mut problems = Vec::new();
        for (rel, built) in files {
            if skip.contains(&rel.as_str()) {
                continue;
            }
            let response = self.server.get(&url_of(rel));
            if response.status != 200 {
                problems.push(format!("{rel}: status {}", response.status));
                continue;
            }
            let served = &response.body;
            if !is_html(rel) {
                if served != built {
                    problems.push(format!(
                        "{rel}: the served bytes differ from the built ones\n{}",
                        first_difference(built, served)
                    ));
                }
                continue;
            }
            match (inserted(built, served), &self.script) {
                (None, _) => problems.push(format!(
                    "{rel}: the served page is not the built one plus a script\n{}",
                    first_difference(built, served)
                )),
                (Some(script), None) => {
                    if !String::from_utf8_lossy(script).contains("/__hearth/events") {
                        problems.push(format!(
                            "{rel}: the inserted text is no reload script: {}",
                            String::from_utf8_lossy(script)
                        ));
                    }
                    self.script = Some(script.to_vec());
                }
                (Some(script), Some(first)) => {
                    if script != first.as_slice() {
                        problems.push(format!(
                            "{rel}: another text is inserted than in the other pages: {}",
                            String::from_utf8_lossy(script)
                        ));
                    }
                }
            }
        }
        problems
    }
}

/// At most the first ten problems, one paragraph each, and how many more there are.
fn report(problems: &[String]) -> String {
    let mut text = problems
        .iter()
        .take(10)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    if problems.len() > 10 {
        text.push_str(&format!("\n… and {} more files", problems.len() - 10));
    }
    text
}

/// Where two texts first differ, with some context of each.
fn first_difference(built: &[u8], served: &[u8]) -> String {
    let at = built
        .iter()
        .zip(served)
        .position(|(a, b)| a != b)
        .unwrap_or(built.len().min(served.len()));
    let from = at.saturating_sub(200);
    let show = |b: &[u8]| {
        String::from_utf8_lossy(&b[from.min(b.len())..(at + 300).min(b.len())]).into_owned()
    };
    format!(
        "first difference at byte {at}\nbuilt:  …{}…\nserved: …{}…",
        show(built),
        show(served)
    )
}

/// Waits until serve has reacted to an edit (a rebuild after `before` reactions),
/// then until it has been quiet for a while, so that a second batch of the same
/// save is rebuilt too. Whether the last rebuild succeeded; `Err` with all the
/// server printed when it did not react in time.
fn settle(server: &Server, before: usize, edit: &Edit) -> Result<bool, String> {
    let deadline = Instant::now() + TIMEOUT;
    while server.reactions().len() <= before {
        if Instant::now() > deadline || server.exited() {
            return Err(format!(
                "hearth serve did not react to {edit:?} within {TIMEOUT:?}\nhearth stdout:\n{}\nhearth stderr:\n{}",
                server.stdout(),
                server.stderr()
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // A further batch of the same save is rebuilt after the rebuild in progress
    // (25 ms to settle, then the rebuild): quiet for longer than a rebuild takes.
    let quiet = Duration::from_millis(400).max(last_rebuild(server) * 3);
    let mut seen = server.reactions().len();
    let mut since = Instant::now();
    while since.elapsed() < quiet {
        std::thread::sleep(Duration::from_millis(20));
        let now = server.reactions().len();
        if now != seen {
            seen = now;
            since = Instant::now();
        }
    }
    Ok(*server.reactions().last().expect("a reaction"))
}

/// The time of the last `Rebuilt in N ms` line.
fn last_rebuild(server: &Server) -> Duration {
    let stdout = server.stdout();
    let ms = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("Rebuilt in "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Duration::from_millis(ms)
}

proptest! {
    #![proptest_config(ProptestConfig {
        // A failing case waits out TIMEOUT when serve does not react: shrink it
        // for a few minutes at most.
        max_shrink_time: 180_000,
        ..proptest_cases(6)
    })]

    #[test]
    fn after_every_edit_serve_serves_exactly_a_full_build(
        edits in prop::collection::vec(edit(false), 1..6),
    ) {
        serves_a_full_build_after_each(&edits)?;
    }
}

/// What `hearth serve` keeps from one rebuild to the next is made again when what
/// it shows of another file changes: posts' views (`render::views::ViewCache`) when
/// their authors' names change, or which members write them; calendars
/// (`outputs::Memo`) when an event changes; and kept when only another post changes.
#[test]
fn kept_views_and_calendars_follow_what_they_show() -> Result<(), TestCaseError> {
    serves_a_full_build_after_each(&[
        Edit::Body(0, vec![1, 2]),
        Edit::Event(0, 1),
        Edit::Member(0, 1),
        Edit::Event(1, 2),
        Edit::Authors(0, vec![false, true, true]),
        Edit::Member(1, 2),
        Edit::Title(1, "Other".to_string()),
        Edit::Member(0, 2),
        Edit::Authors(1, vec![true, false, false]),
        Edit::Member(0, 0),
    ])
}

/// An edit of the layout re-renders every page around the blocks kept from the
/// last build (`render::blocks`); a block that reads what the layout sets is never
/// kept apart from it (variant 2 of `post.html` shows the layout's `layout_note`),
/// and a layout that reads a page's own data gets it (variants 2 to 4 of the layout:
/// directly, through a macro, through an included template). An
/// edit of one macro renders again what calls it (keys by macro, `render::reach`).
#[test]
fn layout_edits_keep_only_the_blocks_that_do_not_depend_on_the_layout() -> Result<(), TestCaseError>
{
    serves_a_full_build_after_each(&[
        Edit::Layout(Some(0)),
        Edit::Body(0, vec![1]),
        Edit::Layout(Some(1)),
        Edit::Template(Some(2)),
        Edit::Layout(Some(2)),
        Edit::Title(0, "Again".to_string()),
        Edit::Template(Some(1)),
        Edit::Layout(Some(0)),
        Edit::Layout(Some(2)),
        Edit::Body(0, vec![2]),
        Edit::Template(Some(2)),
        Edit::Layout(None),
        Edit::Macros(Some(0)),
        Edit::Body(1, vec![0]),
        Edit::Macros(Some(1)),
        Edit::Macros(Some(3)),
        Edit::Layout(Some(1)),
        Edit::Macros(Some(2)),
        Edit::Macros(None),
        Edit::Template(None),
        Edit::Layout(Some(0)),
        Edit::Layout(Some(3)),
        Edit::Title(1, "Once more".to_string()),
        Edit::Layout(Some(5)),
        Edit::Layout(Some(0)),
        Edit::Layout(Some(4)),
        Edit::Title(0, "And again".to_string()),
        Edit::Layout(Some(1)),
    ])
}

/// Applies `edits` one by one to the fixture while `hearth serve` runs, and after
/// each checks that every file it serves is the file a full build makes.
fn serves_a_full_build_after_each(edits: &[Edit]) -> Result<(), TestCaseError> {
    let mut world = World::new();
    let server = Server::start_at(&world.site, NOWS[world.now]);
    let base_url = server.url.trim_end_matches('/').to_string();
    let mut check = Check {
        server: &server,
        script: None,
    };

    let (first, mut good) = full_build(&world, &base_url);
    prop_assert_eq!(
        first.code,
        Some(0),
        "the fixture does not build: {}",
        first.stderr
    );
    let problems = check.served_as_built(&good, &[]);
    prop_assert!(
        problems.is_empty(),
        "before any edit:\n{}",
        report(&problems)
    );

    for (i, edit) in edits.iter().enumerate() {
        let before = server.reactions().len();
        let changed = world.apply(edit);
        let rebuilt = if changed {
            match settle(&server, before, edit) {
                Ok(ok) => ok,
                Err(message) => {
                    return Err(TestCaseError::fail(format!(
                        "edits {:?}: {message}",
                        &edits[..=i]
                    )));
                }
            }
        } else {
            // Nothing on disk changed: no rebuild to wait for.
            server.reactions().last().copied().unwrap_or(true)
        };
        let (full, files) = full_build(&world, &base_url);
        let context = format!(
            "after edits {:?}\nfull build stderr:\n{}\nhearth serve stdout:\n{}\nhearth serve stderr:\n{}",
            &edits[..=i],
            full.stderr,
            server.stdout(),
            server.stderr()
        );
        if full.code != Some(0) {
            prop_assert_eq!(full.code, Some(1), "{}", context);
            prop_assert!(
                !rebuilt,
                "the full build failed, serve's rebuild did not: {}",
                context
            );
            let problems = check.served_as_built(&good, &[READ_LIVE]);
            prop_assert!(
                problems.is_empty(),
                "serve does not serve the last good build:\n{}\n{}",
                report(&problems),
                context
            );
            continue;
        }
        prop_assert!(
            rebuilt,
            "the full build succeeded, serve's rebuild failed: {}",
            context
        );
        let mut problems = check.served_as_built(&files, &[]);
        for gone in good.keys().filter(|rel| !files.contains_key(*rel)) {
            let status = server.get(&url_of(gone)).status;
            if status != 404 {
                problems.push(format!(
                    "{gone}: gone from the full build, served with status {status}"
                ));
            }
        }
        prop_assert!(
            problems.is_empty(),
            "serve differs from a full build:\n{}\n{}",
            report(&problems),
            context
        );
        good = files;
    }
    Ok(())
}

/// The comparison itself: the script must be at the last `</body>` (here inside a
/// comment, as `inject_reload` finds it), or at the end of a page without one.
#[test]
fn a_served_page_is_the_built_one_with_text_inserted_at_the_last_body_end() {
    let built = b"<body><p>x</p></body><!-- </body> -->\n";
    let script = b"<script>s</script>";
    let at_last = 26;
    assert_eq!(&built[at_last..at_last + 7], b"</body>");
    let mut right = built.to_vec();
    right.splice(at_last..at_last, script.iter().copied());
    assert_eq!(inserted(built, &right), Some(&script[..]));
    let mut wrong = built.to_vec();
    wrong.splice(14..14, script.iter().copied());
    assert_eq!(inserted(built, &wrong), None, "at the first </body>");
    assert_eq!(inserted(built, built), None, "nothing inserted");
    assert_eq!(
        inserted(b"<p>x</p>", b"<p>x</p><script>s</script>"),
        Some(&script[..])
    );
    assert_eq!(url_of("tags/a b/index.html"), "/tags/a%20b/index.html");
}
