//! The file-system rule over generated trees: folders, files and symbolic links
//! (into the site, out of it, to `/`, broken, looping) at random places of a site.
//! Whatever the tree, nothing is read from outside the site, nothing outside
//! changes, and a build publishes nothing of it.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use hearth::files;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const SECRET: &str = "OUTSIDE-SECRET-7f3a";

/// Places where hearth reads or writes.
const PLACES: &[&str] = &[
    "content",
    "content/posts",
    "content/posts/b",
    "content/pages",
    "static",
    "static/img",
    "templates",
    "themes",
    "themes/t",
    "themes/t/static",
    "themes/t/templates",
    ".hearth",
    ".hearth/newsletter",
    "newsletter",
    "public",
];

const NAMES: &[&str] = &["a.md", "index.md", "x.css", "base.html", "b", "img", "c.md"];

#[derive(Debug, Clone)]
enum Target {
    /// Another place inside the site (relative to the link's folder).
    Inside(String),
    OutsideFolder,
    OutsideFile,
    Root,
    /// `..` a few times: out of the site by climbing.
    Up(usize),
    Missing,
}

#[derive(Debug, Clone)]
enum Entry {
    Folder,
    File,
    Link(Target),
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        prop::sample::select(PLACES).prop_map(|p| Target::Inside(p.to_string())),
        Just(Target::OutsideFolder),
        Just(Target::OutsideFile),
        Just(Target::Root),
        (1usize..5).prop_map(Target::Up),
        Just(Target::Missing),
    ]
}

fn entry() -> impl Strategy<Value = (String, Entry)> {
    let path = (
        prop::sample::select(PLACES),
        prop::option::of(prop::sample::select(NAMES)),
    )
        .prop_map(|(place, name)| match name {
            Some(name) => format!("{place}/{name}"),
            None => place.to_string(),
        });
    let kind = prop_oneof![
        Just(Entry::Folder),
        Just(Entry::File),
        target().prop_map(Entry::Link),
    ];
    (path, kind)
}

/// The site, with `outside` beside it.
struct World {
    _root: tempfile::TempDir,
    site: PathBuf,
    outside: PathBuf,
}

fn world(entries: &[(String, Entry)]) -> std::io::Result<World> {
    let root = tempfile::tempdir()?;
    let site = root.path().join("site");
    let outside = root.path().join("outside");
    std::fs::create_dir_all(outside.join("templates"))?;
    let secret_post = format!("+++\ntitle = \"{SECRET}\"\ndate = 2026-01-01\n+++\n{SECRET}\n");
    std::fs::write(outside.join("a.md"), &secret_post)?;
    std::fs::write(outside.join("index.md"), &secret_post)?;
    std::fs::write(outside.join("x.css"), SECRET)?;
    std::fs::write(outside.join("templates/base.html"), SECRET)?;
    std::fs::create_dir_all(site.join("content/posts"))?;
    std::fs::write(
        site.join("hearth.toml"),
        "title = \"T\"\nbase_url = \"https://t.example.org\"\ntheme = \"t\"\n",
    )?;
    std::fs::write(
        site.join("content/posts/first.md"),
        "+++\ntitle = \"First\"\ndate = 2026-01-01\n+++\nHello\n",
    )?;
    for (rel, kind) in entries {
        let path = site.join(rel);
        let Some(parent) = Path::new(rel).parent() else {
            continue;
        };
        // A place may already be taken by an earlier entry (a file, or a link): then
        // this entry is left out, as a real tree could not hold both. The folders on
        // the way are made without following links, so that setting up never
        // writes outside the temporary folder either.
        if files::folder(&site, parent).is_err() || path.symlink_metadata().is_ok() {
            continue;
        }
        match kind {
            Entry::Folder => std::fs::create_dir(&path)?,
            Entry::File => {
                std::fs::write(&path, "+++\ntitle = \"In\"\ndate = 2026-01-02\n+++\nin\n")?
            }
            Entry::Link(target) => {
                let to = match target {
                    Target::Inside(place) => site.join(place),
                    Target::OutsideFolder => outside.clone(),
                    Target::OutsideFile => outside.join("a.md"),
                    Target::Root => PathBuf::from("/"),
                    Target::Up(n) => PathBuf::from("../".repeat(*n)),
                    Target::Missing => site.join("nowhere"),
                };
                symlink(to, &path)?;
            }
        }
    }
    Ok(World {
        _root: root,
        site,
        outside,
    })
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| Some((e.path().to_path_buf(), std::fs::read(e.path()).ok()?)))
        .collect()
}

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// Every generated path and the places, with names below them.
fn probes() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for place in PLACES {
        out.push(PathBuf::from(place));
        for name in NAMES {
            out.push(Path::new(place).join(name));
        }
    }
    out
}

proptest! {
    #![proptest_config(common::proptest_cases(40))]

    #[test]
    fn no_tree_of_links_lets_hearth_read_write_or_publish_outside_the_site(
        entries in prop::collection::vec(entry(), 1..14),
    ) {
        let w = world(&entries).map_err(fail)?;
        let real_site = w.site.canonicalize().map_err(fail)?;
        let before = snapshot(&w.outside);

        // Reads: whatever is read resolves inside the site.
        for rel in probes() {
            if let Ok(path) = files::regular_file(&w.site, &rel) {
                let real = path.canonicalize().map_err(fail)?;
                prop_assert!(real.starts_with(&real_site), "{} read as {}", rel.display(), real.display());
            }
            let tree = files::walk(&w.site, &rel);
            for file in &tree.files {
                let real = w.site.join(file).canonicalize().map_err(fail)?;
                prop_assert!(real.starts_with(&real_site), "{} walked as {}", file.display(), real.display());
            }
        }

        // Writes: every way hearth writes, at every place.
        for rel in probes() {
            let state = Path::new(".hearth/state").join(&rel);
            for target in [&rel, &state] {
                let _ = files::write(&w.site, target, b"w");
                let _ = files::write_durably(&w.site, target, b"d");
                for mode in [files::Mode::New, files::Mode::Append, files::Mode::Keep] {
                    let _ = files::open(&w.site, target, mode);
                }
            }
        }
        prop_assert_eq!(&snapshot(&w.outside), &before, "outside changed by a write");

        // A whole build, into the default output folder.
        let opts = hearth::BuildOptions {
            site_dir: w.site.clone(),
            out_dir: None,
            drafts: true,
            base_url: None,
            now: "2026-11-22T12:00:00Z".parse().map_err(fail)?,
            cache: None,
            kept: None,
            progress: false,
        };
        let result = hearth::build(&opts);
        if let Err(e) = &result {
            prop_assert!(!format!("{e:#}").contains(SECRET), "a message showed outside text: {e:#}");
        }
        prop_assert_eq!(&snapshot(&w.outside), &before, "outside changed by a build");
        for (path, bytes) in snapshot(&w.site) {
            prop_assert!(
                !String::from_utf8_lossy(&bytes).contains(SECRET),
                "{} holds text from outside",
                path.display()
            );
        }
    }
}
