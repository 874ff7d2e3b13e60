//! The README's "Make your own site" walkthrough, run as written: `init`, `cd`, `new`,
//! `serve` (until it serves), `build`, `check`.

mod common;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::repo_root;

/// The commands of the first ```sh block of the "Make your own site" section,
/// without comments.
fn walkthrough() -> Vec<String> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let section = readme
        .split("## Make your own site")
        .nth(1)
        .expect("the section exists");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a sh block");
    block
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Runs `hearth serve` with these arguments until it prints its URL, then stops it.
fn serve_briefly(dir: &Path, args: &[&str]) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .args(["--port", "0"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hearth serve");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut served = false;
    while Instant::now() < deadline && !served {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            served = line.starts_with("Serving ");
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(served, "hearth serve did not start");
}

#[test]
fn the_readme_walkthrough_works_as_written() {
    let commands = walkthrough();
    assert!(commands.len() >= 5, "{commands:?}");
    let temp = tempfile::tempdir().expect("temp dir");
    let mut cwd: PathBuf = temp.path().to_path_buf();
    for command in &commands {
        let words: Vec<String> = shell_words(command);
        match words.first().map(String::as_str) {
            Some("cd") => cwd = cwd.join(&words[1]),
            Some("hearth") => {
                let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
                if args.first() == Some(&"serve") {
                    serve_briefly(&cwd, &args);
                    continue;
                }
                let out = Command::new(env!("CARGO_BIN_EXE_hearth"))
                    .args(&args)
                    .current_dir(&cwd)
                    .env("NO_COLOR", "1")
                    .output()
                    .expect("run hearth");
                assert!(
                    out.status.success(),
                    "`{command}` failed:\n{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            other => panic!(
                "the walkthrough has a command the test does not know: {other:?} in `{command}`"
            ),
        }
    }
    assert!(
        cwd.join("public/index.html").is_file(),
        "the walkthrough builds the site"
    );
    let posts = std::fs::read_dir(cwd.join("content/posts"))
        .expect("posts")
        .count();
    assert_eq!(posts, 2, "the starter post and the new one");
}

/// Splits a command line on spaces, keeping "quoted words" together.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}
