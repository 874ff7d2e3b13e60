//! Helpers shared by the integration tests: run the real `hearth` binary over copies
//! of fixture sites in temporary folders.
#![allow(dead_code)]
pub mod edits;
pub mod serve;
pub mod smtp;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixed "now" of every test build: 2026-11-22, noon UTC.
pub const NOW: &str = "2026-11-22T12:00:00Z";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of `tests/fixtures/NAME` (or of any folder) in a temporary folder.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub fn fixture(name: &str) -> Site {
        Site::copy_of(&repo_root().join("tests/fixtures").join(name))
    }

    pub fn copy_of(source: &Path) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_tree(source, dir.path());
        Site { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path().join(rel)).expect("remove");
    }

    /// `hearth build SITE --now NOW` plus `args`.
    pub fn build(&self, args: &[&str]) -> Run {
        let site = self.path().to_str().expect("utf-8 temp path");
        let mut all = vec!["build", site, "--now", NOW];
        all.extend_from_slice(args);
        hearth(&all)
    }

    /// The site as a full build makes it, in a new folder.
    pub fn full_build(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let fresh = tempfile::tempdir().expect("temp dir");
        let out = fresh.path().join("out");
        self.build(&["--out", out.to_str().expect("utf-8")])
            .success();
        snapshot(&out)
    }

    pub fn public(&self) -> PathBuf {
        self.path().join("public")
    }

    /// A built file of the default output folder, as text.
    pub fn page(&self, rel: &str) -> String {
        let path = self.public().join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

/// The outcome of one run of the binary.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(
            self.code,
            Some(0),
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn failure(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "panic: {}", self.stderr);
        self
    }
}

pub fn hearth(args: &[&str]) -> Run {
    hearth_with_env(args, &[])
}

/// `hearth` with extra environment variables (an SMTP password, say).
pub fn hearth_with_env(args: &[&str], envs: &[(&str, &str)]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .env("NO_COLOR", "1")
        .envs(envs.iter().copied())
        .output()
        .expect("run hearth");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    // A built `public/` of the source is not part of the site.
    let walk = walkdir::WalkDir::new(from)
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || e.file_name() != "public");
    for entry in walk {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("inside");
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The output manifest: it records inodes and times, which differ between two
/// folders holding the same site, so `snapshot` leaves it out.
pub const MANIFEST: &str = ".hearth-manifest";

/// Every file under `dir` with its bytes, keyed by relative path (the output
/// manifest left out).
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.depth() != 1 || e.file_name() != MANIFEST)
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside").to_path_buf();
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

/// Every `href="..."` and `src="..."` value of an HTML page.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            out.push(rest[..end].replace("&amp;", "&"));
        }
    }
    out
}

/// Internal links (root-relative, and `#anchors`) of every HTML page under `public`
/// that lead to no file or to no element with that id, as `page: link`.
pub fn broken_internal_links(public: &Path) -> Vec<String> {
    let pages = snapshot(public);
    let text = |rel: &Path| {
        pages
            .get(rel)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };
    let mut broken = Vec::new();
    for (rel, bytes) in &pages {
        if rel.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for link in links(&html) {
            let (path, fragment) = link
                .split_once('#')
                .map_or((link.as_str(), None), |(p, f)| (p, Some(f)));
            let target = if path.is_empty() {
                rel.clone()
            } else if path.starts_with('/') && !path.starts_with("//") {
                let file = path.trim_start_matches('/');
                PathBuf::from(if file.is_empty() || file.ends_with('/') {
                    format!("{file}index.html")
                } else {
                    file.to_string()
                })
            } else {
                continue;
            };
            let ok = match (text(&target), fragment) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(page), Some(id)) => page.contains(&format!("id=\"{id}\"")),
            };
            if !ok {
                broken.push(format!("{}: {link}", rel.display()));
            }
        }
    }
    broken
}

/// Runs `tests/tools/inspect_output.py` (standard Python parsers) and returns its
/// JSON. Fails with an install hint when Python or its packages are missing.
pub fn inspect(args: &[&str]) -> serde_json::Value {
    let script = repo_root().join("tests/tools/inspect_output.py");
    let output = Command::new("python3")
        .arg(&script)
        .args(args)
        .output()
        .expect("python3 runs (install Python 3)");
    assert!(
        output.status.success(),
        "{} failed: {}\nInstall the test tools: python3 -m pip install -r tests/tools/requirements.txt",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("inspect_output.py prints JSON")
}

/// hearth's problems as one line each, `PATH:LINE[:COL]: LEVEL: MESSAGE`, whether it
/// printed them on one line or as a snippet (` --> PATH:LINE:COL` under the title),
/// with any `help:` appended as ` (help: ...)`.
pub fn problem_lines(stderr: &str) -> Vec<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let title = ["error: ", "warning: "]
            .iter()
            .find_map(|p| line.strip_prefix(p).map(|m| (p.trim_end_matches(": "), m)));
        let place = lines
            .get(i + 1)
            .and_then(|next| next.trim_start().strip_prefix("--> "));
        match (title, place) {
            (Some((level, message)), Some(place)) => {
                let mut text = format!("{place}: {level}: {message}");
                i += 2;
                while i < lines.len()
                    && !lines[i].starts_with("error")
                    && !lines[i].starts_with("warning")
                {
                    if let Some(help) = lines[i].trim_start().strip_prefix("= help: ") {
                        text.push_str(&format!(" (help: {help})"));
                    }
                    i += 1;
                }
                out.push(text);
            }
            _ => {
                out.push(line.to_string());
                i += 1;
            }
        }
    }
    out
}

/// Debian's Chromium, driven by playwright-core in the browser tests.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Fails the test with an install hint unless node, playwright-core and Chromium are
/// all there.
pub fn require_browser_tools() {
    let hint = "run `bash .ci/run`, which installs them";
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "node is not installed or not on PATH: {hint} (or `apt-get install nodejs npm`)"
    );
    let playwright = repo_root().join("tests/tools/node_modules/playwright-core/package.json");
    assert!(
        playwright.is_file(),
        "playwright-core is not installed in tests/tools/node_modules: {hint} (or `npm ci --prefix tests/tools`)"
    );
    assert!(
        Path::new(CHROMIUM).is_file(),
        "Chromium is not installed at {CHROMIUM}: {hint} (or `apt-get install chromium`)"
    );
}

/// What a build printed and the most memory it held.
pub struct Measured {
    pub run: Run,
    /// The largest `VmHWM` of the process seen while it ran, in KiB.
    pub peak_kib: u64,
}

/// `hearth build SITE --now NOW`, killed (and the test failed as a hang) if it runs
/// past `limit`; its peak memory sampled from `/proc/PID/status` while it runs. The
/// output is read as it comes, so a chatty build cannot block on a full pipe.
pub fn build_measured(site: &Site, limit: std::time::Duration) -> Measured {
    use std::io::Read as _;
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["build", site.path().to_str().expect("utf-8"), "--now", NOW])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start hearth");
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + limit;
    let mut peak_kib = 0;
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll") {
            break status;
        }
        peak_kib = peak_kib.max(status_kib(child.id(), "VmHWM:").unwrap_or(0));
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("hearth build did not finish within {limit:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let run = Run {
        code: status.code(),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    };
    Measured { run, peak_kib }
}

/// A `KEY: N kB` line of `/proc/PID/status`.
pub fn status_kib(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Few property cases where each is costly, and no regression files written beside
/// the tests. Under CI (`CI` set) the inputs come from a fixed seed, so a run there is
/// repeatable; elsewhere every run draws new inputs and keeps exploring.
pub fn proptest_cases(n: u32) -> proptest::test_runner::Config {
    let rng_seed = match std::env::var_os("CI") {
        Some(_) => proptest::test_runner::RngSeed::Fixed(0x4845_4152_5448),
        None => proptest::test_runner::RngSeed::Random,
    };
    proptest::test_runner::Config {
        cases: n,
        failure_persistence: None,
        rng_seed,
        ..proptest::test_runner::Config::default()
    }
}

/// Inode and modification time of every file under `dir` but the build manifest
/// (none when `dir` does not exist): what "left untouched" means for a rebuild.
pub fn stats(dir: &Path) -> BTreeMap<PathBuf, (u64, i64, i64)> {
    use std::os::unix::fs::MetadataExt as _;
    if !dir.exists() {
        return BTreeMap::new();
    }
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file() && e.file_name() != MANIFEST)
        .map(|e| {
            let meta = e.metadata().expect("stat");
            let rel = e.path().strip_prefix(dir).expect("inside").to_path_buf();
            (rel, (meta.ino(), meta.mtime(), meta.mtime_nsec()))
        })
        .collect()
}
