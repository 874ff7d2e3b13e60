//! Building into a folder hearth built before writes only what changed: unchanged
//! files keep their inode and modification time, and the result is always the same
//! bytes as a full build into a new folder, also after a build that was cut short
//! while it put its files in place, and whatever was left in the folder.

mod common;

use std::path::PathBuf;

use common::{MANIFEST, NOW, Site, hearth, snapshot, stats};

#[test]
fn a_build_with_nothing_changed_touches_no_file() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let before = stats(&site.public());
    let run = site.build(&[]);
    run.success();
    assert!(
        run.stdout.contains("0 written, 0 removed"),
        "{}",
        run.stdout
    );
    assert_eq!(stats(&site.public()), before);
}

#[test]
fn an_edited_post_rewrites_only_the_files_it_shows_in() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let before = stats(&site.public());
    let post = "content/posts/2026-01-10-first.md";
    let text = std::fs::read_to_string(site.path().join(post)).expect("post");
    site.write(post, format!("{text}\nOne more sentence.\n"));
    site.build(&[]).success();
    let after = stats(&site.public());
    let changed: Vec<&PathBuf> = after
        .iter()
        .filter(|(rel, stat)| before.get(*rel) != Some(stat))
        .map(|(rel, _)| rel)
        .collect();
    assert!(
        changed.contains(&&PathBuf::from("posts/first/index.html")),
        "{changed:?}"
    );
    assert!(
        changed.len() < after.len() / 2,
        "most files are untouched: {changed:?}"
    );
    assert_eq!(snapshot(&site.public()), site.full_build());
}

#[test]
fn files_and_links_left_in_the_output_are_removed_and_never_followed() {
    let site = Site::fixture("basic");
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(outside.path().join("keep"), "outside").expect("write");
    site.build(&[]).success();
    let public = site.public();
    std::fs::write(public.join("stray.html"), "left here").expect("write");
    std::fs::create_dir_all(public.join("old/deep")).expect("mkdir");
    std::fs::write(public.join("index.html"), "edited by hand").expect("write");
    // A page's folder replaced by a link out, and a file by a link to a file out.
    std::fs::remove_dir_all(public.join("posts")).expect("rm");
    std::os::unix::fs::symlink(outside.path(), public.join("posts")).expect("link");
    std::fs::remove_file(public.join("atom.xml")).expect("rm");
    std::os::unix::fs::symlink(outside.path().join("keep"), public.join("atom.xml")).expect("link");
    site.build(&[]).success();
    assert_eq!(snapshot(&site.public()), site.full_build());
    assert_eq!(
        std::fs::read_dir(outside.path()).expect("ls").count(),
        1,
        "nothing written outside"
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("keep")).expect("read"),
        "outside"
    );
    assert!(!public.join("old").exists(), "empty folders are removed");
}

#[test]
fn a_build_cut_short_while_putting_files_in_place_is_repaired_by_the_next() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let post = "content/posts/2026-01-10-first.md";
    let text = std::fs::read_to_string(site.path().join(post)).expect("post");
    site.write(post, format!("{text}\nOne more sentence.\n"));
    site.write(
        "content/posts/2026-11-10-added.md",
        "+++\ntitle = \"Added\"\n+++\nAdded.\n",
    );
    // What the interrupted build was putting in place.
    let next = tempfile::tempdir().expect("temp dir");
    let next_out = next.path().join("out");
    site.build(&["--out", next_out.to_str().expect("utf-8")])
        .success();
    let wanted = snapshot(&next_out);
    let public = site.public();
    let old = snapshot(&public);
    // Cut short: every other changed file moved in (a new inode, as a rename
    // does), every other file of the old site removed, the old manifest still
    // there.
    let changed = wanted
        .iter()
        .filter(|(rel, bytes)| old.get(*rel) != Some(bytes));
    for (rel, _) in changed.step_by(2) {
        std::fs::create_dir_all(public.join(rel).parent().expect("parent")).expect("mkdir");
        std::fs::rename(next_out.join(rel), public.join(rel)).expect("move in");
    }
    for (rel, _) in old
        .iter()
        .filter(|(rel, _)| !wanted.contains_key(*rel))
        .step_by(2)
    {
        std::fs::remove_file(public.join(rel)).expect("remove");
    }
    site.build(&[]).success();
    assert_eq!(snapshot(&public), site.full_build());
}

#[test]
fn a_damaged_manifest_is_not_trusted() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    std::fs::write(
        site.public().join(MANIFEST),
        "hearth output manifest 1\ngarbage\n",
    )
    .expect("write");
    std::fs::write(site.public().join("index.html"), "edited by hand").expect("write");
    site.build(&[]).success();
    assert_eq!(snapshot(&site.public()), site.full_build());
}

#[test]
fn a_folder_with_a_marker_but_no_manifest_is_brought_up_to_date() {
    // As left by an older hearth: the marker, no manifest.
    let site = Site::fixture("basic");
    site.build(&[]).success();
    std::fs::remove_file(site.public().join(MANIFEST)).expect("rm");
    std::fs::write(site.public().join("stray.txt"), "old").expect("write");
    let run = hearth(&["build", site.path().to_str().expect("utf-8"), "--now", NOW]);
    run.success();
    assert_eq!(snapshot(&site.public()), site.full_build());
}

#[test]
fn the_search_index_is_kept_whole_or_made_again() {
    let site = Site::fixture("basic");
    // Enough text for an index split into parts (over 500 KB).
    let words = "community meetup garden workshop volunteer compiler ".repeat(200);
    for n in 0..60 {
        site.write(
            &format!("content/posts/long-{n}.md"),
            format!(
                "+++\ntitle = \"Long {n}\"\ndate = 2026-01-{:02}\n+++\nword{n} {words}\n",
                n % 28 + 1
            ),
        );
    }
    site.build(&[]).success();
    let part = site.public().join("search/text-0.json");
    assert!(part.exists(), "the index is split into parts");

    // Nothing changed: the index and its parts are kept as they are.
    let before = stats(&site.public());
    site.build(&[]).success();
    assert_eq!(stats(&site.public()), before);

    // One part gone or changed by hand: the next build makes the index again.
    std::fs::remove_file(&part).expect("remove a part");
    site.build(&[]).success();
    assert_eq!(snapshot(&site.public()), site.full_build());
    std::fs::write(site.public().join("search.json"), "{}").expect("spoil the index");
    site.build(&[]).success();
    assert_eq!(snapshot(&site.public()), site.full_build());

    // A post's words change: the index follows.
    site.write(
        "content/posts/long-0.md",
        "+++\ntitle = \"Long 0\"\ndate = 2026-01-01\n+++\nquokka\n",
    );
    site.build(&[]).success();
    let index = std::fs::read_to_string(site.public().join("search.json")).expect("index");
    assert!(index.contains("\"quokka\""), "the new word is indexed");
    assert_eq!(snapshot(&site.public()), site.full_build());
}

#[test]
fn a_body_changed_in_the_cache_is_never_published() {
    let site = Site::fixture("basic");
    let out = |name: &str| site.path().join(name);
    site.build(&["--out", out("first").to_str().expect("utf-8")])
        .success();
    let good = snapshot(&out("first"));
    // The bodies' texts follow the cache's 60-byte header: spoil one of them in
    // place, as a disk error or another program would.
    let cache = site.path().join(".hearth/cache/bodies");
    let mut bytes = std::fs::read(&cache).expect("a cache");
    for b in &mut bytes[60..200] {
        *b = b'x';
    }
    std::fs::write(&cache, &bytes).expect("write");
    let run = site.build(&["--out", out("second").to_str().expect("utf-8")]);
    run.success();
    assert!(
        run.stderr.contains("changed while it was read"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&out("second")), good);
    // The build that found it saved a whole cache again.
    assert_ne!(std::fs::read(&cache).expect("a cache"), bytes);
    let run = site.build(&["--out", out("third").to_str().expect("utf-8")]);
    run.success();
    assert!(!run.stderr.contains("changed while"), "{}", run.stderr);
    assert_eq!(snapshot(&out("third")), good);
}
