//! A build that changes every page (a theme edit) writes into the files that earlier
//! builds replaced, kept in `.hearth/cache/spare/`, instead of creating a file per
//! page and freeing the old one. What it publishes is the same as a full build; a
//! spare that is still another file's name, a link or a pipe is never written; a
//! second build running at the same time, or an output on another filesystem, goes
//! without spares.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use common::{MANIFEST, Site, repo_root, snapshot, stats};

const SPARE: &str = ".hearth/cache/spare";

/// The theme's layout with a new comment in it: every page changes.
fn change_every_page(site: &Site, mark: u32) {
    let base = std::fs::read_to_string(repo_root().join("themes/hearth/templates/base.html"))
        .expect("theme layout");
    let changed = base.replace("</body>", &format!("<!-- edit {mark} --></body>"));
    assert_ne!(changed, base);
    site.write("templates/base.html", changed);
}

/// The inode of every file below `dir` but the output manifest (written anew by
/// each build that changes something).
fn inodes(dir: &Path) -> BTreeSet<u64> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file() && e.file_name() != MANIFEST)
        .map(|e| e.metadata().expect("stat").ino())
        .collect()
}

fn spares(site: &Site) -> Vec<PathBuf> {
    let dir = site.path().join(SPARE);
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// Builds after a theme edit, and checks the site is what a full build makes.
fn build_changed(site: &Site, mark: u32, args: &[&str]) {
    change_every_page(site, mark);
    let run = site.build(args);
    run.success();
    assert!(!run.stdout.contains(" 0 written"), "{}", run.stdout);
}

#[test]
fn a_build_that_changes_every_page_creates_no_file_once_spares_exist() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    build_changed(&site, 1, &[]);
    let pages = snapshot(&site.public()).len();
    let kept = spares(&site).len();
    assert!(
        kept > pages / 2,
        "the pages replaced are kept: {kept} spares for {pages} files"
    );
    assert!(kept <= pages, "{kept} spares for {pages} files");
    // The spares are in the cache, which git ignores.
    let ignore = std::fs::read_to_string(site.path().join(".hearth/cache/.gitignore"))
        .expect("the cache folder has its .gitignore");
    assert_eq!(ignore.trim(), "*");
    let before: BTreeSet<u64> = &inodes(&site.public()) | &inodes(&site.path().join(SPARE));
    build_changed(&site, 2, &[]);
    let after: BTreeSet<u64> = &inodes(&site.public()) | &inodes(&site.path().join(SPARE));
    assert_eq!(
        after.difference(&before).count(),
        0,
        "no file was created: every changed page went into a spare"
    );
    assert_eq!(snapshot(&site.public()), site.full_build());
    build_changed(&site, 3, &[]);
    assert_eq!(snapshot(&site.public()), site.full_build());
}

#[test]
fn a_spare_that_is_another_files_name_a_link_or_a_pipe_is_never_written() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    build_changed(&site, 1, &[]);
    let outside = tempfile::tempdir().expect("temp dir");
    // A deploy tool's hard-linked copy of every spare.
    let mut copies = BTreeMap::new();
    for (i, spare) in spares(&site).iter().enumerate() {
        let copy = outside.path().join(format!("copy-{i}"));
        std::fs::hard_link(spare, &copy).expect("link");
        copies.insert(copy.clone(), std::fs::read(&copy).expect("read"));
    }
    assert!(!copies.is_empty());
    // A link to a file elsewhere, and a named pipe, left where spares go.
    let target = outside.path().join("target.txt");
    std::fs::write(&target, "not hearth's").expect("write");
    let spare_dir = site.path().join(SPARE);
    std::os::unix::fs::symlink(&target, spare_dir.join("999998")).expect("symlink");
    let fifo = std::process::Command::new("mkfifo")
        .arg(spare_dir.join("999999"))
        .status()
        .expect("mkfifo");
    assert!(fifo.success());
    build_changed(&site, 2, &[]);
    for (copy, bytes) in &copies {
        assert_eq!(
            &std::fs::read(copy).expect("read"),
            bytes,
            "{} changed",
            copy.display()
        );
    }
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "not hearth's"
    );
    assert_eq!(snapshot(&site.public()), site.full_build());
}

#[test]
fn a_second_build_at_the_same_time_goes_without_spares() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    build_changed(&site, 1, &[]);
    let spare_dir = site.path().join(SPARE);
    let before = stats(&spare_dir);
    assert!(!before.is_empty());
    // Another build holds the spare folder.
    let held = std::fs::File::open(&spare_dir).expect("open");
    held.lock().expect("lock");
    build_changed(&site, 2, &[]);
    assert_eq!(stats(&spare_dir), before, "the spares were left alone");
    assert_eq!(snapshot(&site.public()), site.full_build());
    drop(held);
}

#[test]
fn an_output_on_another_filesystem_is_built_without_spares() {
    // /dev/shm is a tmpfs on Linux; the site is in the temp folder on disk.
    let other = tempfile::tempdir_in("/dev/shm").expect("a folder in /dev/shm");
    let site = Site::fixture("basic");
    let dev = |p: &Path| std::fs::metadata(p).expect("stat").dev();
    assert_ne!(
        dev(other.path()),
        dev(site.path()),
        "this test needs /dev/shm on another filesystem than the temp folder"
    );
    let out = other.path().join("out");
    let out_arg = ["--out", out.to_str().expect("utf-8")];
    site.build(&out_arg).success();
    build_changed(&site, 1, &out_arg);
    build_changed(&site, 2, &out_arg);
    assert!(spares(&site).is_empty(), "{:?}", spares(&site));
    assert_eq!(snapshot(&out), site.full_build());
}
