//! Hostile and unusual input at the edges: huge files, huge front matter, symbolic
//! links that loop or lead out of the site, files that cannot be read, extreme
//! nesting. Each gets a clear error or works; none crashes, hangs, or reads outside
//! the site. Time is bounded by the test's own deadline, never asserted.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{NOW, Run, Site};

/// `hearth build` of `site`, killed (and the test failed) if it runs past `limit`.
fn build_within(site: &Site, limit: Duration) -> Run {
    common::build_measured(site, limit).run
}

const LIMIT: Duration = Duration::from_secs(120);

#[test]
fn a_twenty_megabyte_post_builds() {
    let site = Site::fixture("basic");
    let paragraph =
        "Lorem ipsum dolor sit amet, *consectetur* adipiscing elit, [a link](/posts/first/). "
            .repeat(10);
    let mut text = String::from("+++\ntitle = \"Big\"\ndate = 2026-01-01\n+++\n");
    while text.len() < 20 * 1024 * 1024 {
        text.push_str(&paragraph);
        text.push_str("\n\n");
    }
    site.write("content/posts/big.md", text);
    build_within(&site, LIMIT).success();
    assert!(site.public().join("posts/big/index.html").is_file());
}

#[test]
fn a_hundred_thousand_front_matter_lines_build() {
    let site = Site::fixture("basic");
    let mut text = String::from("+++\ntitle = \"Long\"\ndate = 2026-01-01\n[extra]\n");
    for i in 0..100_000 {
        text.push_str(&format!("key{i} = {i}\n"));
    }
    text.push_str("+++\nBody.\n");
    site.write("content/posts/long.md", text);
    build_within(&site, LIMIT).success();
}

#[test]
fn a_hundred_thousand_levels_of_nesting_build() {
    let site = Site::fixture("basic");
    let quotes = format!(
        "+++\ntitle = \"Quotes\"\ndate = 2026-01-01\n+++\n{}deep\n",
        "> ".repeat(100_000)
    );
    let lists = format!(
        "+++\ntitle = \"Lists\"\ndate = 2026-01-01\n+++\n{}deep\n",
        "- ".repeat(100_000)
    );
    let brackets = format!(
        "+++\ntitle = \"Brackets\"\ndate = 2026-01-01\n+++\n{}x{}\n",
        "[".repeat(100_000),
        "](/)".repeat(100_000)
    );
    site.write("content/posts/quotes.md", quotes);
    site.write("content/posts/lists.md", lists);
    site.write("content/posts/brackets.md", brackets);
    build_within(&site, LIMIT).success();
}

#[test]
fn a_symbolic_link_loop_is_a_clear_error() {
    let site = Site::fixture("basic");
    let dir = site.path().join("content/posts");
    std::os::unix::fs::symlink(dir.join("loop-b.md"), dir.join("loop-a.md")).expect("link a");
    std::os::unix::fs::symlink(dir.join("loop-a.md"), dir.join("loop-b.md")).expect("link b");
    std::os::unix::fs::symlink(&dir, dir.join("itself")).expect("link to its own folder");
    let run = build_within(&site, LIMIT);
    run.failure(1);
    assert!(
        run.stderr.contains("content/posts/loop-a.md") && run.stderr.contains("cannot be followed"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_symbolic_link_out_of_the_site_is_not_read() {
    let site = Site::fixture("basic");
    let outside = tempfile::tempdir().expect("temp");
    std::fs::write(
        outside.path().join("secret.md"),
        "+++\ntitle = \"Secret\"\ndate = 2026-01-01\n+++\nTOP-SECRET-TEXT\n",
    )
    .expect("write");
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        site.path().join("content/posts/secret.md"),
    )
    .expect("link");
    std::os::unix::fs::symlink(outside.path(), site.path().join("content/pages/elsewhere"))
        .expect("link a folder");
    let run = build_within(&site, LIMIT);
    run.failure(1);
    assert!(
        run.stderr.contains("content/posts/secret.md") && run.stderr.contains("outside the site"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/pages/elsewhere"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("TOP-SECRET-TEXT"));
}

#[test]
fn a_named_pipe_is_not_read_and_does_not_hang() {
    let site = Site::fixture("basic");
    let pipe = site.path().join("content/posts/pipe.md");
    let made = Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let run = build_within(&site, LIMIT);
    run.failure(1);
    assert!(
        run.stderr.contains("content/posts/pipe.md") && run.stderr.contains("not a regular file"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_without_read_permission_is_named() {
    use std::os::unix::fs::PermissionsExt as _;
    let site = Site::fixture("basic");
    let file = site.path().join("content/posts/private.md");
    std::fs::write(&file, "+++\ntitle = \"Private\"\ndate = 2026-01-01\n+++\n").expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // Root reads anything; run as an unprivileged user where the tests run as root.
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false);
    let mut command = if is_root {
        std::fs::set_permissions(site.path(), std::fs::Permissions::from_mode(0o777))
            .expect("open the site folder");
        for dir in [
            "content",
            "content/posts",
            "content/members",
            "content/events",
            "content/pages",
            "static",
            "static/images",
        ] {
            let _ = std::fs::set_permissions(
                site.path().join(dir),
                std::fs::Permissions::from_mode(0o777),
            );
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_hearth"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_hearth"))
    };
    let out = command
        .args(["build", site.path().to_str().expect("utf-8"), "--now", NOW])
        .env("NO_COLOR", "1")
        .output()
        .expect("run hearth (setpriv comes with util-linux)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("content/posts/private.md") && stderr.contains("ermission denied"),
        "{stderr}"
    );
}
