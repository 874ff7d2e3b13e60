//! The proof that rebuilding into the previous output is safe: for random sequences
//! of edits (a post's body, title, date, tags, authors, draft flag; deleting and
//! renaming posts; a template, the config, a static file; the clock passing an
//! event's start), each build into the same `public/` (with its manifest and the
//! body cache in `.hearth/cache/`) gives exactly the bytes of a full build of a
//! fresh copy of the site into a new folder; files whose bytes did not change keep
//! their inode and modification time; and a failed build changes nothing.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Site, copy_tree, hearth, proptest_cases, repo_root, snapshot, stats};
use proptest::prelude::*;

const SLOTS: usize = 3;
const TAGS: &[&str] = &["rust", "community", "web"];
/// Members of the `basic` fixture, and one that does not exist (a build error).
const AUTHORS: &[&str] = &["ada-lovelace", "bob", "nobody"];
/// Before, just before and just after the start of `december-talks`
/// (2026-12-01 18:30 in New York, 23:30 UTC), and long after.
const NOWS: &[&str] = &[
    "2026-11-22T12:00:00Z",
    "2026-12-01T23:29:00Z",
    "2026-12-01T23:31:00Z",
    "2027-03-01T12:00:00Z",
];
const BLOCKS: &[&str] = &[
    "Plain words here.",
    "## A heading",
    "```rust\nfn main() { println!(\"hi\"); }\n```",
    "- one\n- two",
    "A [link](/members/bob/) and *emphasis*.",
    "| a | b |\n|---|---|\n| 1 | 2 |",
];

#[derive(Debug, Clone)]
struct Post {
    name: u8,
    title: String,
    day: u8,
    tags: Vec<bool>,
    authors: Vec<bool>,
    draft: bool,
    body: Vec<usize>,
}

impl Post {
    fn new(slot: usize) -> Post {
        Post {
            name: slot as u8,
            title: format!("Post {slot}"),
            day: 10,
            tags: vec![true, false, false],
            authors: vec![false, true, false],
            draft: false,
            body: vec![0],
        }
    }

    fn file(&self) -> String {
        format!("content/posts/gen-{}.md", self.name)
    }

    fn text(&self) -> String {
        let pick = |mask: &[bool], names: &[&str]| {
            let chosen: Vec<String> = names
                .iter()
                .zip(mask)
                .filter(|(_, on)| **on)
                .map(|(n, _)| format!("{n:?}"))
                .collect();
            chosen.join(", ")
        };
        let body: Vec<&str> = self.body.iter().map(|&i| BLOCKS[i]).collect();
        format!(
            "+++\ntitle = {:?}\ndate = 2026-11-{:02}\ntags = [{}]\nauthors = [{}]\ndraft = {}\n+++\n{}\n",
            self.title,
            self.day,
            pick(&self.tags, TAGS),
            pick(&self.authors, AUTHORS),
            self.draft,
            body.join("\n\n")
        )
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Body(usize, Vec<usize>),
    Title(usize, String),
    Date(usize, u8),
    Tags(usize, Vec<bool>),
    Authors(usize, Vec<bool>),
    Draft(usize, bool),
    Delete(usize),
    Rename(usize, u8),
    /// Override `post.html` with the theme's own plus a marker, or remove the override.
    Template(Option<u8>),
    PostsPerPage(u8),
    /// Write `static/extra.txt` with this text, or remove it.
    Static(Option<u8>),
    Clock(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let slot = 0..SLOTS;
    prop_oneof![
        (slot.clone(), prop::collection::vec(0..BLOCKS.len(), 0..4))
            .prop_map(|(s, b)| Edit::Body(s, b)),
        (slot.clone(), "[A-Za-z &<]{1,12}").prop_map(|(s, t)| Edit::Title(s, t)),
        (slot.clone(), 1u8..=28).prop_map(|(s, d)| Edit::Date(s, d)),
        (
            slot.clone(),
            prop::collection::vec(any::<bool>(), TAGS.len())
        )
            .prop_map(|(s, t)| Edit::Tags(s, t)),
        (
            slot.clone(),
            prop::collection::vec(any::<bool>(), AUTHORS.len())
        )
            .prop_map(|(s, a)| Edit::Authors(s, a)),
        (slot.clone(), any::<bool>()).prop_map(|(s, d)| Edit::Draft(s, d)),
        slot.clone().prop_map(Edit::Delete),
        (slot, 0u8..5).prop_map(|(s, n)| Edit::Rename(s, n)),
        proptest::option::of(0u8..3).prop_map(Edit::Template),
        (1u8..4).prop_map(Edit::PostsPerPage),
        proptest::option::of(0u8..3).prop_map(Edit::Static),
        (0..NOWS.len()).prop_map(Edit::Clock),
    ]
}

/// The site under test and the state the edits change.
struct World {
    site: Site,
    posts: Vec<Option<Post>>,
    now: usize,
}

impl World {
    fn post(&mut self, slot: usize) -> &mut Post {
        self.posts[slot].get_or_insert_with(|| Post::new(slot))
    }

    fn remove_file(&self, rel: &str) {
        let _ = std::fs::remove_file(self.site.path().join(rel));
    }

    fn apply(&mut self, edit: &Edit) {
        match edit.clone() {
            Edit::Body(s, body) => self.post(s).body = body,
            Edit::Title(s, title) => self.post(s).title = title,
            Edit::Date(s, day) => self.post(s).day = day,
            Edit::Tags(s, tags) => self.post(s).tags = tags,
            Edit::Authors(s, authors) => self.post(s).authors = authors,
            Edit::Draft(s, draft) => self.post(s).draft = draft,
            Edit::Delete(s) => {
                if let Some(post) = self.posts[s].take() {
                    self.remove_file(&post.file());
                }
            }
            Edit::Rename(s, name) => {
                let old = self.post(s).file();
                self.remove_file(&old);
                self.post(s).name = name;
            }
            Edit::Template(None) => self.remove_file("templates/post.html"),
            Edit::Template(Some(n)) => {
                let theme = repo_root().join("themes/hearth/templates/post.html");
                let text = std::fs::read_to_string(theme).expect("theme template");
                self.site.write(
                    "templates/post.html",
                    format!("{text}\n<!-- variant {n} -->\n"),
                );
            }
            Edit::PostsPerPage(n) => {
                let config = self.site.path().join("hearth.toml");
                let text = std::fs::read_to_string(&config).expect("config");
                let kept: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.starts_with("posts_per_page"))
                    .collect();
                let text = format!("{}\nposts_per_page = {n}\n", kept.join("\n"));
                std::fs::write(config, text).expect("write config");
            }
            Edit::Static(None) => self.remove_file("static/extra.txt"),
            Edit::Static(Some(n)) => self.site.write("static/extra.txt", format!("extra {n}\n")),
            Edit::Clock(i) => self.now = i,
        }
        for post in self.posts.iter().flatten() {
            self.site.write(&post.file(), post.text());
        }
    }

    /// `hearth build` of the site into `out`, or of a fresh copy of it (without
    /// its cache) into a new folder.
    fn build(&self, site: &Path, out: &Path) -> common::Run {
        hearth(&[
            "build",
            site.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
            "--now",
            NOWS[self.now],
        ])
    }
}

fn files_of(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    if dir.exists() {
        snapshot(dir)
    } else {
        BTreeMap::new()
    }
}

proptest! {
    #![proptest_config(proptest_cases(8))]

    #[test]
    fn every_rebuild_equals_a_full_build_and_leaves_unchanged_files_alone(
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let mut world = World {
            site: Site::fixture("basic"),
            posts: vec![None; SLOTS],
            now: 0,
        };
        let public = world.site.public();
        world.build(world.site.path(), &public).success();
        for edit in &edits {
            world.apply(edit);
            let before = files_of(&public);
            let before_stats = stats(&public);
            let run = world.build(world.site.path(), &public);

            let fresh = tempfile::tempdir().expect("temp dir");
            let copy = fresh.path().join("site");
            copy_tree(world.site.path(), &copy);
            let _ = std::fs::remove_dir_all(copy.join(".hearth"));
            let full_out = fresh.path().join("out");
            let full = world.build(&copy, &full_out);

            prop_assert_eq!(run.code, full.code, "after {:?}: {}\n{}", edit, run.stderr, full.stderr);
            if run.code != Some(0) {
                prop_assert!(files_of(&public) == before, "a failed build changed the output");
                prop_assert!(stats(&public) == before_stats, "a failed build touched files");
                continue;
            }
            let after = files_of(&public);
            let wanted = files_of(&full_out);
            let differing: std::collections::BTreeSet<&PathBuf> = after
                .keys()
                .chain(wanted.keys())
                .filter(|rel| after.get(*rel) != wanted.get(*rel))
                .collect();
            prop_assert!(differing.is_empty(), "after {:?}, differs from a full build: {:?}", edit, differing);
            let after_stats = stats(&public);
            for (rel, bytes) in &after {
                if before.get(rel) == Some(bytes) {
                    prop_assert_eq!(
                        before_stats.get(rel),
                        after_stats.get(rel),
                        "after {:?}, {} was rewritten with the same bytes",
                        edit,
                        rel.display()
                    );
                }
            }
        }
    }
}
