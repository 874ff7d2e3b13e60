//! The messages a writer moving a Jekyll, Hugo or Zola site sees: each in words a
//! person reads, at the place it is about. Snapshots of the exact stderr (no colour;
//! paths are relative to the site, so they do not depend on the temp folder).

mod common;

use common::Site;

/// The stderr of a build of the basic fixture with `files` added.
fn stderr_with(files: &[(&str, &str)]) -> String {
    let site = Site::fixture("basic");
    for (rel, text) in files {
        site.write(rel, text);
    }
    let run = site.build(&[]);
    assert!(!run.stderr.contains("panicked"));
    run.stderr
}

#[test]
fn template_syntax_left_in_the_text() {
    insta::assert_snapshot!(stderr_with(&[(
        "content/posts/hugo.md",
        "---\ntitle: Hugo\ndate: 2026-01-05\n---\nIntro.\n\n{{< figure src=\"a.png\" >}}\n\nShown as code: `{% raw %}`.\n\n{% include footer.html %}\n",
    )]));
}

#[test]
fn a_key_of_another_kind_gets_no_suggestion_of_itself() {
    // `description` is a key of hearth.toml, not of a post.
    insta::assert_snapshot!(stderr_with(&[(
        "content/posts/described.md",
        "+++\ntitle = \"Described\"\ndate = 2026-01-05\ndescription = \"A post\"\n+++\n",
    )]));
}

#[test]
fn a_misspelt_required_key_is_named() {
    insta::assert_snapshot!(stderr_with(&[(
        "content/pages/typo.md",
        "+++\nslug = \"typo\"\ntitel = \"Typo\"\n+++\n",
    )]));
}

#[test]
fn a_wrong_type_is_said_in_words() {
    insta::assert_snapshot!(stderr_with(&[
        (
            "content/pages/menu.md",
            "+++\ntitle = \"Menu\"\nmenu = \"10\"\n+++\n"
        ),
        (
            "content/posts/flag.md",
            "---\ntitle: Flag\ndate: 2026-01-05\nnewsletter: [yes]\n---\n",
        ),
    ]));
}

#[test]
fn a_misspelt_draft_is_an_error() {
    insta::assert_snapshot!(stderr_with(&[(
        "content/posts/secret.md",
        "---\ntitle: Secret\ndate: 2026-01-05\ndrafts: true\n---\n",
    )]));
}

#[test]
fn author_and_authors_together() {
    insta::assert_snapshot!(stderr_with(&[(
        "content/posts/both.md",
        "---\ntitle: Both\ndate: 2026-01-05\nauthor: bob\nauthors: [ada-lovelace]\n---\n",
    )]));
}

#[test]
fn posts_waiting_for_their_date_are_noted_once() {
    let later = |n: u32| {
        (
            format!("content/posts/later-{n}.md"),
            format!("+++\ntitle = \"Later {n}\"\ndate = 2027-0{n}-01\n+++\n"),
        )
    };
    let files: Vec<(String, String)> = (1..=5).map(later).collect();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    insta::assert_snapshot!(stderr_with(&files));
}

#[test]
fn one_unknown_key_in_many_files_is_one_warning() {
    let layout = |n: u32| {
        (
            format!("content/posts/old-{n}.md"),
            format!("---\ntitle: Old {n}\ndate: 2026-01-0{n}\nlayout: post\n---\n"),
        )
    };
    // Five files share `layout`; two share `comments`, which stay one per file.
    let mut files: Vec<(String, String)> = (1..=5).map(layout).collect();
    for n in 1..=2 {
        files.push((
            format!("content/pages/page-{n}.md"),
            format!("---\ntitle: Page {n}\ncomments: false\n---\n"),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    insta::assert_snapshot!(stderr_with(&files));
}

#[test]
fn slug_collisions_are_listed_with_the_other_errors() {
    insta::assert_snapshot!(stderr_with(&[
        (
            "content/posts/2026-02-01-same.md",
            "+++\ntitle = \"Same\"\n+++\n"
        ),
        (
            "content/posts/2026-02-02-same.md",
            "+++\ntitle = \"Same again\"\ndate = \"2026-02-30\"\n+++\n",
        ),
    ]));
}
