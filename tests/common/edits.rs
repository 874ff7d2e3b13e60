//! The edit model of the rebuild proofs (`incremental.rs` for `hearth build`,
//! `serve_incremental.rs` for `hearth serve`): random edits to a copy of the
//! `basic` fixture, each written to disk the way an editor saves it.

use std::path::Path;

use proptest::prelude::*;

use super::{Run, Site, hearth, repo_root};

pub const SLOTS: usize = 3;
pub const TAGS: &[&str] = &["rust", "community", "web"];
/// Members of the `basic` fixture, and one that does not exist (a build error).
pub const AUTHORS: &[&str] = &["ada-lovelace", "bob", "nobody"];
/// Members whose name an edit changes: posts show their authors' names.
pub const MEMBERS: &[&str] = &["ada-lovelace", "bob"];
/// Events of the `basic` fixture.
pub const EVENTS: &[&str] = &["december-talks", "after-the-clocks-change"];
/// Before, just before and just after the start of `december-talks`
/// (2026-12-01 18:30 in New York, 23:30 UTC), and long after.
pub const NOWS: &[&str] = &[
    "2026-11-22T12:00:00Z",
    "2026-12-01T23:29:00Z",
    "2026-12-01T23:31:00Z",
    "2027-03-01T12:00:00Z",
];
pub const BLOCKS: &[&str] = &[
    "Plain words here.",
    "## A heading",
    "```rust\nfn main() { println!(\"hi\"); }\n```",
    "- one\n- two",
    "A [link](/members/bob/) and *emphasis*.",
    "| a | b |\n|---|---|\n| 1 | 2 |",
];
/// The data file the built-in theme shows (on the home page, grouped by tier, and
/// in every page's footer).
pub const SPONSORS: &str = "data/sponsors.toml";
/// Versions of `data/sponsors.toml`; the last has a row without `name`, a build
/// error.
pub const SPONSOR_FILES: &[&str] = &[
    "[[sponsors]]\nname = \"Acme\"\ntier = \"Gold\"\n",
    "[[sponsors]]\nname = \"Acme & Sons\"\nurl = \"https://acme.example\"\ntier = \"Gold\"\n\n[[sponsors]]\nname = \"Bits <Ltd>\"\ntier = \"Silver\"\n",
    "[[sponsors]]\nname = \"Nameless\"\n\n[[sponsors]]\nurl = \"https://no-name.example\"\n",
];

#[derive(Debug, Clone)]
pub struct Post {
    pub name: u8,
    pub title: String,
    pub day: u8,
    pub tags: Vec<bool>,
    pub authors: Vec<bool>,
    pub draft: bool,
    pub body: Vec<usize>,
}

impl Post {
    pub fn new(slot: usize) -> Post {
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

    pub fn file(&self) -> String {
        format!("content/posts/gen-{}.md", self.name)
    }

    pub fn text(&self) -> String {
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
pub enum Edit {
    Body(usize, Vec<usize>),
    Title(usize, String),
    Date(usize, u8),
    Tags(usize, Vec<bool>),
    Authors(usize, Vec<bool>),
    Draft(usize, bool),
    Delete(usize),
    Rename(usize, u8),
    /// Override `post.html` with the theme's own plus a marker, or remove the
    /// override; variant 2 also shows the layout's `layout_note` in its content.
    Template(Option<u8>),
    /// Override `macros.html` with the theme's own with one macro changed (0: the
    /// post card, 1: the avatar, 2: the date) or one macro added that nothing calls
    /// (3), or remove the override.
    Macros(Option<u8>),
    /// Override the layout `base.html` with the theme's own plus a marker and a
    /// variable `layout_note` set to it, or remove the override; variant 2 also
    /// shows the post's title on a post's page, variants 3 and 5 through a macro
    /// (of `templates/note.html`), variant 4 through an included template (the
    /// same).
    Layout(Option<u8>),
    PostsPerPage(u8),
    /// Write `static/extra.txt` with this text, or remove it.
    Static(Option<u8>),
    /// Write `data/sponsors.toml` as `SPONSOR_FILES[i]`, or remove it.
    Data(Option<usize>),
    /// Rename member `MEMBERS[i]` to one of a few names.
    Member(usize, u8),
    /// Give event `EVENTS[i]` one of a few titles.
    Event(usize, u8),
    Clock(usize),
}

/// Any edit; `clock: false` leaves out the clock passing (`Edit::Clock`).
pub fn edit(clock: bool) -> impl Strategy<Value = Edit> {
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
        proptest::option::of(0u8..6).prop_map(Edit::Layout),
        proptest::option::of(0u8..4).prop_map(Edit::Macros),
        (1u8..4).prop_map(Edit::PostsPerPage),
        proptest::option::of(0u8..3).prop_map(Edit::Static),
        proptest::option::of(0..SPONSOR_FILES.len()).prop_map(Edit::Data),
        (0..MEMBERS.len(), 0u8..3).prop_map(|(m, n)| Edit::Member(m, n)),
        (0..EVENTS.len(), 0u8..3).prop_map(|(e, n)| Edit::Event(e, n)),
        (0..NOWS.len()).prop_map(Edit::Clock),
    ]
    .prop_filter("no clock edits asked for", move |e| {
        clock || !matches!(e, Edit::Clock(_))
    })
}

/// The site under test and the state the edits change.
pub struct World {
    pub site: Site,
    pub posts: Vec<Option<Post>>,
    pub now: usize,
}

impl World {
    /// A copy of the `basic` fixture, none of the generated posts yet, the first clock.
    pub fn new() -> World {
        World {
            site: Site::fixture("basic"),
            posts: vec![None; SLOTS],
            now: 0,
        }
    }

    fn post(&mut self, slot: usize) -> &mut Post {
        self.posts[slot].get_or_insert_with(|| Post::new(slot))
    }

    /// Removes a file of the site; whether it was there.
    fn remove_file(&self, rel: &str) -> bool {
        std::fs::remove_file(self.site.path().join(rel)).is_ok()
    }

    /// Writes a file of the site unless it already holds `text` (an editor saving an
    /// unchanged file would still wake a watcher; the proofs want every write to be
    /// a change); whether it wrote.
    fn write_if_changed(&self, rel: &str, text: &str) -> bool {
        let now = std::fs::read_to_string(self.site.path().join(rel)).ok();
        if now.as_deref() == Some(text) {
            return false;
        }
        self.site.write(rel, text);
        true
    }

    /// Sets the front matter line of `rel` that starts with `key` (`name = `) to that
    /// key with `value` quoted; whether the file changed.
    fn set_line(&self, rel: &str, key: &str, value: &str) -> bool {
        let text = std::fs::read_to_string(self.site.path().join(rel)).expect("a fixture file");
        let lines: Vec<String> = text
            .lines()
            .map(|l| match l.starts_with(key) {
                true => format!("{key}\"{value}\""),
                false => l.to_string(),
            })
            .collect();
        self.write_if_changed(rel, &format!("{}\n", lines.join("\n")))
    }

    /// Applies `edit` to the files of the site; whether any file changed.
    pub fn apply(&mut self, edit: &Edit) -> bool {
        let mut changed = false;
        match edit.clone() {
            Edit::Body(s, body) => self.post(s).body = body,
            Edit::Title(s, title) => self.post(s).title = title,
            Edit::Date(s, day) => self.post(s).day = day,
            Edit::Tags(s, tags) => self.post(s).tags = tags,
            Edit::Authors(s, authors) => self.post(s).authors = authors,
            Edit::Draft(s, draft) => self.post(s).draft = draft,
            Edit::Delete(s) => {
                if let Some(post) = self.posts[s].take() {
                    changed |= self.remove_file(&post.file());
                }
            }
            Edit::Rename(s, name) => {
                let old = self.post(s).file();
                changed |= self.remove_file(&old);
                self.post(s).name = name;
            }
            Edit::Template(None) => changed |= self.remove_file("templates/post.html"),
            Edit::Template(Some(n)) => {
                let theme = repo_root().join("themes/hearth/templates/post.html");
                let mut text = std::fs::read_to_string(theme).expect("theme template");
                if n == 2 {
                    // A block that reads what the layout sets: it cannot be kept
                    // apart from the layout (see `render::blocks`).
                    let prose = r#"<div class="prose">"#;
                    assert!(text.contains(prose), "post.html shows the body");
                    text = text.replace(
                        prose,
                        &format!(
                            r#"<p>{{{{ layout_note | default(value="no note") }}}}</p>{prose}"#
                        ),
                    );
                }
                changed |= self.write_if_changed(
                    "templates/post.html",
                    &format!("{text}\n<!-- variant {n} -->\n"),
                );
            }
            Edit::Macros(None) => changed |= self.remove_file("templates/macros.html"),
            Edit::Macros(Some(n)) => {
                let theme = repo_root().join("themes/hearth/templates/macros.html");
                let text = std::fs::read_to_string(theme).expect("theme template");
                let text = match n {
                    0..=2 => {
                        let name = ["post_card", "avatar", "date"][usize::from(n)];
                        let end = format!("{{%- endmacro {name} %}}");
                        assert!(text.contains(&end), "macros.html has {name}");
                        text.replace(&end, &format!("<!-- {name} changed -->{end}"))
                    }
                    _ => format!("{text}\n{{% macro unused() %}}u{{% endmacro %}}\n"),
                };
                changed |= self.write_if_changed("templates/macros.html", &text);
            }
            Edit::Layout(None) => changed |= self.remove_file("templates/base.html"),
            Edit::Layout(Some(n)) => {
                let theme = repo_root().join("themes/hearth/templates/base.html");
                let text = std::fs::read_to_string(theme).expect("theme template");
                let text = text
                    .replacen(
                        "<!doctype html>",
                        &format!("{{% set layout_note = \"layout {n}\" %}}<!doctype html>"),
                        1,
                    )
                    .replace("</body>", &format!("<!-- layout {n} --></body>"));
                // Variant 2 also reads a post page's own data around the blocks.
                let import = r#"{%- import "macros.html" as m -%}"#;
                assert!(text.contains(import), "base.html imports its macros");
                let text = match n {
                    2 => text.replace(
                        "</body>",
                        "{% if post %}<!-- {{ post.title }} -->{% endif %}</body>",
                    ),
                    // The same through a macro, and through an included template:
                    // both see the page's context.
                    3 | 5 => text
                        .replace(
                            import,
                            &format!(r#"{import}{{%- import "note.html" as note -%}}"#),
                        )
                        .replace("</body>", "{{ note::title() }}</body>"),
                    4 => text.replace("</body>", r#"{% include "note.html" %}</body>"#),
                    _ => text,
                };
                if n >= 3 {
                    changed |= self.write_if_changed(
                        "templates/note.html",
                        "{% macro title() %}{% if post %}<!-- {{ post.title }} -->{% endif %}{% endmacro title %}{% if post %}<!-- {{ post.title }} -->{% endif %}",
                    );
                }
                changed |= self.write_if_changed("templates/base.html", &text);
            }
            Edit::PostsPerPage(n) => {
                let config = self.site.path().join("hearth.toml");
                let text = std::fs::read_to_string(&config).expect("config");
                let kept: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.starts_with("posts_per_page"))
                    .collect();
                let text = format!("{}\nposts_per_page = {n}\n", kept.join("\n"));
                changed |= self.write_if_changed("hearth.toml", &text);
            }
            Edit::Static(None) => changed |= self.remove_file("static/extra.txt"),
            Edit::Static(Some(n)) => {
                changed |= self.write_if_changed("static/extra.txt", &format!("extra {n}\n"));
            }
            Edit::Data(None) => changed |= self.remove_file(SPONSORS),
            Edit::Data(Some(i)) => changed |= self.write_if_changed(SPONSORS, SPONSOR_FILES[i]),
            Edit::Member(m, n) => {
                let rel = format!("content/members/{}.md", MEMBERS[m]);
                changed |= self.set_line(&rel, "name = ", &format!("Member {m} named {n}"));
            }
            Edit::Event(e, n) => {
                let rel = format!("content/events/{}.md", EVENTS[e]);
                changed |= self.set_line(&rel, "title = ", &format!("Event {e} titled {n}"));
            }
            Edit::Clock(i) => {
                changed |= self.now != i;
                self.now = i;
            }
        }
        let posts: Vec<(String, String)> = self
            .posts
            .iter()
            .flatten()
            .map(|p| (p.file(), p.text()))
            .collect();
        for (file, text) in posts {
            changed |= self.write_if_changed(&file, &text);
        }
        changed
    }

    /// `hearth build SITE --out OUT --now NOW [--base-url URL]` at the world's clock:
    /// of the site itself or of a fresh copy of it (without its cache).
    pub fn build(&self, site: &Path, out: &Path, base_url: Option<&str>) -> Run {
        let mut args = vec![
            "build",
            site.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
            "--now",
            NOWS[self.now],
        ];
        if let Some(url) = base_url {
            args.extend(["--base-url", url]);
        }
        hearth(&args)
    }
}

impl Default for World {
    fn default() -> World {
        World::new()
    }
}
