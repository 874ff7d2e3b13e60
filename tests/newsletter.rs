//! The newsletter against a real SMTP server (Debian's aiosmtpd, with fault
//! injection): every subscriber gets exactly one well-formed message, failures are
//! told, nothing is sent twice, and a killed send resumes.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::smtp::{self, SmtpOptions, SmtpServer, inspect_emails};
use common::{Run, Site, hearth_with_env, repo_root};

/// Monday 23 November 2026, 10:00 in Berlin: after the Monday 09:00 slot.
const MONDAY: &str = "2026-11-23T10:00:00+01:00";

fn address(i: usize) -> String {
    format!("person{i:03}@example.org")
}

/// The newsletter fixture with `count` subscribers and `[smtp]` pointing at `server`.
fn site_for(server: &SmtpServer, count: usize, smtp_extra: &str) -> Site {
    let mut csv = String::from("email,name,team\n");
    for i in 0..count {
        csv.push_str(&format!("{},Person {i},Team {}\n", address(i), i % 3));
    }
    smtp::newsletter_site(server, &csv, "", smtp_extra)
}

/// `hearth newsletter`, with the server's password (if any) in the environment.
fn newsletter(site: &Site, server: &SmtpServer, args: &[&str], now: &str) -> Run {
    let env = server.password_env();
    let envs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    smtp::newsletter(site, args, now, &envs)
}

fn counts(server: &SmtpServer) -> BTreeMap<String, usize> {
    server.received_by()
}

#[test]
fn a_send_to_fifty_subscribers_delivers_one_well_formed_message_to_each() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 50, "");
    let run = newsletter(&site, &server, &["send"], MONDAY);
    run.success();
    assert!(run.stdout.contains("50 delivered"), "{}", run.stdout);

    let received = counts(&server);
    assert_eq!(received.len(), 50);
    assert!(received.values().all(|&n| n == 1), "{received:?}");

    let parsed = inspect_emails(&server.messages());
    for (file, mail) in parsed.as_object().expect("per file") {
        let h = &mail["headers"];
        assert_eq!(mail["content_type"], "multipart/alternative", "{file}");
        assert_eq!(mail["defects"], serde_json::json!([]), "{file}");
        for name in [
            "From",
            "Reply-To",
            "To",
            "Subject",
            "Date",
            "Message-ID",
            "List-Id",
            "List-Unsubscribe",
        ] {
            assert!(h.get(name).is_some(), "{file} lacks {name}");
        }
        assert_eq!(
            h["List-Unsubscribe"],
            "<https://harbour.example.org/unsubscribe>"
        );
        assert_eq!(h["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
        assert_eq!(h["Subject"], "Harbour Devs #1: 23 November 2026");
        let to = h["To"].as_str().expect("To");
        let name = to.split(" <").next().expect("a name").trim_matches('"');
        let (html, text) = (
            mail["html"].as_str().expect("html"),
            mail["text"].as_str().expect("text"),
        );
        for part in [html, text] {
            let first_name = name.split(' ').next().expect("a first name");
            assert!(
                part.contains(&format!("Hi {first_name},")),
                "{file}: personal greeting"
            );
            assert!(part.contains("Welcome aboard"), "{file}: the new post");
            assert!(
                part.contains("Harbour social"),
                "{file}: the upcoming event"
            );
            assert!(part.contains("Grace Hopper"), "{file}: the spotlight");
            assert!(
                !part.contains("Old news")
                    && !part.contains("Internal notes")
                    && !part.contains("Far future")
            );
        }
        for link in mail["links"].as_array().expect("links") {
            let link = link.as_str().expect("str");
            assert!(
                link.starts_with("https://") || link.starts_with("mailto:"),
                "{file}: relative link {link}"
            );
        }
        assert!(html.len() < 102 * 1024, "{file}: HTML under 102 KB");
    }
    let ids: std::collections::BTreeSet<String> = parsed
        .as_object()
        .expect("per file")
        .values()
        .map(|m| m["headers"]["Message-ID"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(ids.len(), 50, "Message-IDs are unique");

    let status = newsletter(&site, &server, &["status"], MONDAY);
    status.success();
    assert!(
        status.stdout.contains("50 delivered, 0 failed, 0 pending"),
        "{}",
        status.stdout
    );
    let record =
        std::fs::read_to_string(site.path().join("newsletter/issues.toml")).expect("record");
    assert!(
        record.contains("number = 1")
            && record.contains("welcome-aboard")
            && !record.contains("sending"),
        "{record}"
    );
}

#[test]
fn a_second_send_with_nothing_new_sends_nothing_and_edited_posts_are_not_resent() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 3, "");
    newsletter(&site, &server, &["send"], MONDAY).success();
    // Editing an old post does not make it new.
    let post = "content/posts/2026-11-18-welcome-aboard.md";
    let text = std::fs::read_to_string(site.path().join(post)).expect("post");
    site.write(
        post,
        text.replace("authors", "updated = 2026-11-24\nauthors"),
    );
    let again = newsletter(&site, &server, &["send"], "2026-11-30T10:00:00+01:00");
    again.success();
    assert!(
        again.stdout.contains("Nothing new to send since issue 1"),
        "{}",
        again.stdout
    );
    assert_eq!(server.messages().len(), 3);
    // --force sends anyway.
    newsletter(
        &site,
        &server,
        &["send", "--force"],
        "2026-11-30T10:00:00+01:00",
    )
    .success();
    assert_eq!(server.messages().len(), 6);
}

#[test]
fn a_suppressed_address_receives_nothing() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 5, "");
    let path = site.path().to_str().expect("utf-8");
    common::hearth(&[
        "newsletter",
        "unsubscribe",
        path,
        &address(2).to_uppercase(),
    ])
    .success();
    newsletter(&site, &server, &["send"], MONDAY).success();
    let received = counts(&server);
    assert_eq!(received.len(), 4);
    assert!(!received.contains_key(&address(2)));
}

#[test]
fn a_dry_run_writes_one_eml_per_subscriber_and_sends_nothing() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 7, "");
    let outbox = site.path().join("outbox");
    // The user's own folder: what was there stays.
    site.write("outbox/kept-by-the-user.eml", "mine");
    let run = newsletter(
        &site,
        &server,
        &[
            "send",
            "--dry-run",
            "--outbox",
            outbox.to_str().expect("utf-8"),
        ],
        MONDAY,
    );
    run.success();
    let files: Vec<PathBuf> = std::fs::read_dir(&outbox)
        .expect("outbox")
        .map(|e| e.expect("entry").path())
        .filter(|p| !p.ends_with("kept-by-the-user.eml"))
        .collect();
    assert_eq!(files.len(), 7);
    assert!(outbox.join("kept-by-the-user.eml").exists());
    let parsed = inspect_emails(&files);
    assert!(
        parsed
            .as_object()
            .expect("files")
            .values()
            .all(|m| m["content_type"] == "multipart/alternative")
    );
    assert!(server.messages().is_empty(), "the server received nothing");
    assert!(
        !site.path().join("newsletter/issues.toml").exists(),
        "nothing recorded"
    );
}

#[test]
fn a_test_send_reaches_only_that_address_and_changes_no_state() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 5, "");
    let run = newsletter(
        &site,
        &server,
        &["send", "--to", "editor@example.org"],
        MONDAY,
    );
    run.success();
    assert_eq!(
        counts(&server).keys().collect::<Vec<_>>(),
        ["editor@example.org"]
    );
    let mail = inspect_emails(&server.messages());
    let subject = mail
        .as_object()
        .and_then(|m| m.values().next())
        .map(|m| m["headers"]["Subject"].clone());
    assert_eq!(
        subject,
        Some(serde_json::json!(
            "[Test] Harbour Devs #1: 23 November 2026"
        ))
    );
    assert!(!site.path().join("newsletter/issues.toml").exists());
    assert!(!site.path().join(".hearth/newsletter/issue-1.log").exists());
    // The real issue 1 still goes to everybody.
    newsletter(&site, &server, &["send"], MONDAY).success();
    assert_eq!(counts(&server).len(), 6);
}

#[test]
fn a_send_that_leaves_recipients_pending_exits_1_and_the_next_send_finishes_it() {
    let server = SmtpServer::start(&SmtpOptions {
        tempfail_first: vec![address(3)],
        ..SmtpOptions::default()
    });
    let site = site_for(&server, 5, "retries = 0\n");
    let run = newsletter(&site, &server, &["send"], MONDAY);
    run.failure(1);
    assert!(
        run.stderr.contains("1 recipients are still pending"),
        "a cron line `send && build` must not go on: {}",
        run.stderr
    );
    assert_eq!(counts(&server).len(), 4);
    let resumed = newsletter(&site, &server, &["send"], MONDAY);
    resumed.success();
    assert_eq!(counts(&server).len(), 5);
    assert!(counts(&server).values().all(|&n| n == 1));
}

#[test]
fn temporary_failures_are_retried_and_permanent_ones_named_with_nobody_mailed_twice() {
    let server = SmtpServer::start(&SmtpOptions {
        tempfail_first: vec![address(1), address(4)],
        permfail: vec![address(2)],
        drop_data_once: vec![address(3)],
        ..SmtpOptions::default()
    });
    let site = site_for(&server, 8, "");
    let csv = std::fs::read_to_string(site.path().join("subscribers.csv")).expect("csv");
    site.write(
        "subscribers.csv",
        format!("{csv}not-an-address,Broken Line,Team 0\n"),
    );
    let run = newsletter(&site, &server, &["send"], MONDAY);
    run.failure(1);
    assert!(
        run.stderr.contains(&address(2)) && run.stderr.contains("550"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("subscribers.csv:10:"),
        "the malformed line is named: {}",
        run.stderr
    );
    let received = counts(&server);
    assert_eq!(received.len(), 7, "{received:?}");
    assert!(
        received.values().all(|&n| n == 1),
        "nobody twice: {received:?}"
    );
    assert!(
        received.contains_key(&address(1))
            && received.contains_key(&address(3))
            && received.contains_key(&address(4))
    );
    let status = newsletter(&site, &server, &["status"], MONDAY);
    assert!(
        status.stdout.contains("7 delivered, 1 failed, 0 pending"),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains(&address(2)), "{}", status.stdout);
    // The failed address is not retried by a later send.
    let again = newsletter(&site, &server, &["send"], MONDAY);
    assert_eq!(counts(&server), received, "{}", again.stdout);
}

#[test]
fn starttls_with_auth_delivers_and_the_password_comes_from_the_environment() {
    let server = SmtpServer::start(&SmtpOptions {
        starttls: true,
        auth: Some(("news".into(), "s3cret-pass".into())),
        ..SmtpOptions::default()
    });
    let site = site_for(&server, 3, "");
    let run = newsletter(&site, &server, &["send"], MONDAY);
    run.success();
    assert_eq!(counts(&server).len(), 3);
    assert!(!run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"));
    // Without the variable, hearth says which one it needs.
    let path = site.path().to_str().expect("utf-8");
    let no_password = common::hearth(&["newsletter", "send", path, "--now", MONDAY, "--force"]);
    no_password.failure(1);
    assert!(
        no_password.stderr.contains("HEARTH_SMTP_PASSWORD"),
        "{}",
        no_password.stderr
    );
}

#[test]
fn a_missing_password_or_dkim_key_stops_the_send_before_anything_is_recorded() {
    let server = SmtpServer::start(&SmtpOptions {
        starttls: true,
        auth: Some(("news".into(), "s3cret-pass".into())),
        ..SmtpOptions::default()
    });
    let site = site_for(&server, 3, "");
    let record = site.path().join("newsletter/issues.toml");
    let before = std::fs::read_to_string(&record).unwrap_or_default();
    let path = site.path().to_str().expect("utf-8");
    let no_password = common::hearth(&["newsletter", "send", path, "--now", MONDAY]);
    no_password.failure(1);
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    site.write(
        "hearth.toml",
        format!("{config}dkim_selector = \"s1\"\ndkim_domain = \"example.org\"\ndkim_key_file = \"missing.pem\"\n"),
    );
    let no_key = newsletter(&site, &server, &["send"], MONDAY);
    no_key.failure(1);
    assert!(no_key.stderr.contains("missing.pem"), "{}", no_key.stderr);
    assert_eq!(
        std::fs::read_to_string(&record).unwrap_or_default(),
        before,
        "no issue may be recorded (and archived) that nobody was sent"
    );
    assert!(counts(&server).is_empty());
}

#[test]
fn the_daemon_stops_at_once_on_a_problem_it_finds_at_start() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 2, "");
    site.write("hearth.toml", "title = [\n");
    let path = site.path().to_str().expect("utf-8");
    let run = common::hearth(&["newsletter", "daemon", path]);
    run.failure(1);
    assert!(run.stderr.contains("hearth.toml"), "{}", run.stderr);
}

#[test]
fn a_template_may_use_a_csv_column_even_when_nobody_is_left_on_the_list() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 1, "");
    let digest =
        std::fs::read_to_string(repo_root().join("themes/hearth/templates/email/digest.txt"))
            .expect("theme text template");
    site.write(
        "templates/email/digest.txt",
        digest.replace(
            "Hi {{ recipient.name }},",
            "Hi {{ recipient.name }} of {{ recipient.team }},",
        ),
    );
    let path = site.path().to_str().expect("utf-8");
    common::hearth(&["newsletter", "unsubscribe", path, &address(0)]).success();
    let run = newsletter(&site, &server, &["send"], MONDAY);
    assert!(
        !run.stderr.contains("team"),
        "the `team` column is known from the header row: {}",
        run.stderr
    );
    assert!(counts(&server).is_empty());
}

#[test]
fn someone_who_unsubscribes_during_a_send_is_left_out_and_that_is_no_failure() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 12, "retries = 0\n");
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    common::smtp::point_at_dead_port(&site, &server);
    // The server is away: the issue begins, nobody is reached yet.
    newsletter(&site, &server, &["send"], MONDAY).failure(1);
    let path = site.path().to_str().expect("utf-8");
    common::hearth(&["newsletter", "unsubscribe", path, &address(5)]).success();
    site.write("hearth.toml", config);
    let resumed = newsletter(&site, &server, &["send"], MONDAY);
    resumed.success();
    assert!(
        resumed.stdout.contains("11 delivered") && resumed.stdout.contains("1 left out"),
        "{}",
        resumed.stdout
    );
    assert!(!counts(&server).contains_key(&address(5)));
    let status = newsletter(&site, &server, &["status"], MONDAY);
    assert!(status.stdout.contains("0 failed"), "{}", status.stdout);
}

#[test]
fn a_rate_too_small_to_wait_for_is_a_config_error_not_a_crash() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 2, "rate_per_second = 1e-20\n");
    let run = newsletter(&site, &server, &["send"], MONDAY);
    run.failure(1);
    assert!(run.stderr.contains("rate_per_second"), "{}", run.stderr);
    assert!(counts(&server).is_empty());
}

#[test]
fn a_wrong_password_fails_nobody_for_good_and_the_right_one_resumes() {
    let server = SmtpServer::start(&SmtpOptions {
        starttls: true,
        auth: Some(("news".into(), "s3cret-pass".into())),
        ..SmtpOptions::default()
    });
    let site = site_for(&server, 12, "retries = 1\nretry_wait_ms = 10\n");
    let path = site.path().to_str().expect("utf-8");
    let wrong = hearth_with_env(
        &["newsletter", "send", path, "--now", MONDAY],
        &[("HEARTH_SMTP_PASSWORD", "not-the-password")],
    );
    wrong.failure(1);
    assert!(counts(&server).is_empty());
    let status = newsletter(&site, &server, &["status"], MONDAY);
    assert!(
        status.stdout.contains("No issue has been sent yet"),
        "the login is checked before the issue is recorded: {}",
        status.stdout
    );
    let resumed = newsletter(&site, &server, &["send"], MONDAY);
    resumed.success();
    assert_eq!(counts(&server).len(), 12, "{}", resumed.stdout);
}

#[test]
fn a_send_killed_three_times_resumes_and_reaches_everyone_with_at_most_one_duplicate_per_kill() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 300, "rate_per_second = 100\n");
    common::smtp::send_and_kill(site.path(), MONDAY, 3, 700);
    let before_finish = server.messages().len();
    assert!(
        before_finish < 300,
        "the kills interrupted the send ({before_finish} already delivered)"
    );
    newsletter(&site, &server, &["send"], MONDAY).success();
    let received = counts(&server);
    assert_eq!(received.len(), 300, "everyone reached");
    let duplicates: usize = received.values().map(|n| n - 1).sum();
    assert!(
        duplicates <= 3,
        "{duplicates} duplicates after 3 kills: {received:?}"
    );
    let status = newsletter(&site, &server, &["status"], MONDAY);
    assert!(
        status.stdout.contains("300 delivered, 0 failed, 0 pending"),
        "{}",
        status.stdout
    );
}

#[test]
fn the_archive_pages_exist_after_a_send_and_pass_the_nu_html_checker() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 2, "");
    newsletter(&site, &server, &["send"], MONDAY).success();
    site.build(&[]).success();
    let list = site.page("newsletter/index.html");
    assert!(list.contains("/newsletter/1/"), "{list}");
    let issue = site.page("newsletter/1/index.html");
    assert!(issue.contains("Welcome aboard") && issue.contains("Harbour social"));
    for page in [
        "index.html",
        "newsletter/index.html",
        "newsletter/1/index.html",
    ] {
        assert!(
            site.page(page).contains("href=\"/newsletter/subscribe/\""),
            "{page} links the subscribe page"
        );
    }
    let join = site.page("newsletter/subscribe/index.html");
    assert!(
        join.contains("mailto:hello@harbour.example.org?subject=subscribe"),
        "without an endpoint, the page says whom to write to: {join}"
    );
    let jar = repo_root().join("tests/tools/node_modules/vnu-jar/build/dist/vnu.jar");
    let output = std::process::Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "gnu"])
        .arg(site.public().join("newsletter/index.html"))
        .arg(site.public().join("newsletter/1/index.html"))
        .arg(site.public().join("newsletter/subscribe/index.html"))
        .arg(site.public().join("index.html"))
        .output()
        .expect("java runs");
    let report = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && report.trim().is_empty(),
        "{report}"
    );
}

#[test]
fn a_dead_server_stops_the_send_after_ten_recipients_in_a_row() {
    // A port nobody listens on.
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 25, "retries = 1\nretry_wait_ms = 10\n");
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    common::smtp::point_at_dead_port(&site, &server);
    let run = newsletter(&site, &server, &["send"], MONDAY);
    run.failure(1);
    assert!(
        run.stderr.contains("stopped after 10 recipients in a row"),
        "{}",
        run.stderr
    );
    let status = newsletter(&site, &server, &["status"], MONDAY);
    assert!(
        status.stdout.contains("0 delivered, 0 failed, 25 pending"),
        "{}",
        status.stdout
    );
    // Once the server is back, the next send finishes the same issue.
    site.write("hearth.toml", config);
    let resumed = newsletter(&site, &server, &["send"], MONDAY);
    resumed.success();
    assert!(
        resumed.stdout.contains("Resumed issue 1: 25 delivered"),
        "{}",
        resumed.stdout
    );
    assert_eq!(counts(&server).len(), 25);
}

#[test]
fn no_content_or_config_string_can_inject_a_header() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 0, "");
    site.write(
        "subscribers.csv",
        "email,name\neve@example.org,\"Eve\r\nBcc: victim@example.org\"\n",
    );
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    site.write(
        "hearth.toml",
        config.replace(
            "title = \"Harbour Devs\"",
            "title = \"Harbour\\r\\nBcc: victim2@example.org\"",
        ),
    );
    newsletter(&site, &server, &["send"], MONDAY).success();
    assert_eq!(
        counts(&server).keys().collect::<Vec<_>>(),
        ["eve@example.org"]
    );
    let mail = inspect_emails(&server.messages());
    let headers = mail
        .as_object()
        .and_then(|m| m.values().next())
        .map(|m| m["headers"].clone())
        .expect("one mail");
    assert!(headers.get("Bcc").is_none(), "{headers}");
    let all = headers.to_string();
    assert!(!all.contains("\\r") && !all.contains("\\n"), "{all}");
}

#[test]
fn dkim_signatures_cover_both_unsubscribe_headers_and_verify() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(
        &server,
        2,
        "dkim_selector = \"hearth\"\ndkim_domain = \"harbour.example.org\"\ndkim_key_file = \"dkim.pem\"\n",
    );
    let key = site.path().join("dkim.pem");
    let made = std::process::Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&key)
        .arg("2048")
        .output()
        .expect("openssl runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    newsletter(&site, &server, &["send"], MONDAY).success();
    let messages = server.messages();
    assert_eq!(messages.len(), 2);
    let public = std::process::Command::new("openssl")
        .args(["rsa", "-pubout", "-outform", "DER", "-in"])
        .arg(&key)
        .output()
        .expect("openssl runs");
    let script = r#"
import base64, sys, dkim
public = base64.b64encode(sys.stdin.buffer.read()).decode()
record = ("v=DKIM1; k=rsa; p=" + public).encode()
for path in sys.argv[1:]:
    raw = open(path, "rb").read()
    sig = [l for l in raw.split(b"\r\n\r\n")[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ").split(b"\r\n") if l.lower().startswith(b"dkim-signature")][0].lower()
    assert b"list-unsubscribe:" in sig and b"list-unsubscribe-post" in sig, sig
    assert dkim.verify(raw, dnsfunc=lambda name, timeout=5: record), path
print("ok")
"#;
    let mut child = std::process::Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .args(&messages)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (apt-get install python3-dkim)");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&public.stdout)
        .expect("write key");
    let out = child.wait_with_output().expect("verify");
    assert!(
        out.status.success(),
        "DKIM verification failed (needs python3-dkim): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issues recorded so far.
fn issue_count(site: &Site) -> usize {
    std::fs::read_to_string(site.path().join("newsletter/issues.toml"))
        .map(|t| t.matches("[[issue]]").count())
        .unwrap_or(0)
}

#[test]
fn if_due_sends_once_at_the_monday_slot_and_status_names_the_next() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 2, "");
    // Issue 1 goes out by hand on Tuesday 17 November.
    newsletter(
        &site,
        &server,
        &["send", "--force"],
        "2026-11-17T12:00:00+01:00",
    )
    .success();
    assert_eq!(issue_count(&site), 1);
    // Sunday: not due; status names Monday 09:00 CET.
    let sunday = newsletter(
        &site,
        &server,
        &["send", "--if-due"],
        "2026-11-22T23:59:00+01:00",
    );
    sunday.success();
    assert!(
        sunday
            .stdout
            .contains("Not due yet: the next issue is due Monday 23 November 2026, 09:00 CET"),
        "{}",
        sunday.stdout
    );
    let status = newsletter(&site, &server, &["status"], "2026-11-22T23:59:00+01:00");
    assert!(
        status
            .stdout
            .contains("The next issue is due Monday 23 November 2026, 09:00 CET"),
        "{}",
        status.stdout
    );
    // One minute before the slot: still not due.
    newsletter(
        &site,
        &server,
        &["send", "--if-due"],
        "2026-11-23T08:59:00+01:00",
    )
    .success();
    assert_eq!(issue_count(&site), 1);
    // At the slot: issue 2, with the post and event published since.
    let at = newsletter(
        &site,
        &server,
        &["send", "--if-due"],
        "2026-11-23T09:00:00+01:00",
    );
    at.success();
    assert_eq!(issue_count(&site), 2, "{}", at.stdout);
    // Every minute after that, until next Monday: nothing more.
    for now in [
        "2026-11-23T09:01:00+01:00",
        "2026-11-23T18:00:00+01:00",
        "2026-11-30T08:59:00+01:00",
    ] {
        newsletter(&site, &server, &["send", "--if-due", "--force"], now).success();
    }
    assert_eq!(issue_count(&site), 2);
    assert_eq!(server.messages().len(), 4);
}

#[test]
fn if_due_follows_the_slot_across_the_spring_dst_change() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 1, "");
    newsletter(
        &site,
        &server,
        &["send", "--force"],
        "2026-03-24T12:00:00+01:00",
    )
    .success();
    // Berlin moves to summer time on Sunday 29 March: Monday 09:00 is 07:00 UTC.
    let before = newsletter(
        &site,
        &server,
        &["send", "--if-due", "--force"],
        "2026-03-30T06:59:00Z",
    );
    before.success();
    assert!(
        before.stdout.contains("Monday 30 March 2026, 09:00 CEST"),
        "{}",
        before.stdout
    );
    assert_eq!(issue_count(&site), 1);
    newsletter(
        &site,
        &server,
        &["send", "--if-due", "--force"],
        "2026-03-30T07:00:00Z",
    )
    .success();
    assert_eq!(issue_count(&site), 2);
}

#[test]
fn a_due_slot_with_nothing_new_is_passed_over() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 1, "");
    newsletter(&site, &server, &["send"], MONDAY).success();
    // Monday 30 November: nothing new; the slot passes.
    let quiet = newsletter(
        &site,
        &server,
        &["send", "--if-due"],
        "2026-11-30T09:00:00+01:00",
    );
    assert!(quiet.stdout.contains("Nothing new"), "{}", quiet.stdout);
    // A post on Tuesday does not trigger a mid-week issue...
    site.write(
        "content/posts/2026-12-01-news.md",
        "+++\ntitle = \"Fresh news\"\n+++\nNews.\n",
    );
    let tuesday = newsletter(
        &site,
        &server,
        &["send", "--if-due"],
        "2026-12-01T12:00:00+01:00",
    );
    assert!(tuesday.stdout.contains("Not due yet"), "{}", tuesday.stdout);
    // ...it waits for the next slot.
    newsletter(
        &site,
        &server,
        &["send", "--if-due"],
        "2026-12-07T09:00:00+01:00",
    )
    .success();
    assert_eq!(issue_count(&site), 2);
}

#[test]
fn the_digest_greets_by_first_name_leads_its_subject_and_reminds_of_this_weeks_events() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 0, "");
    site.write(
        "subscribers.csv",
        "email,name\nsofia@example.org,Sofía Ramírez\nanon@example.org,\n",
    );
    // The default subject: the site's own is set in the fixture.
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    let config: String = config
        .lines()
        .filter(|l| !l.starts_with("subject"))
        .map(|l| format!("{l}\n"))
        .collect();
    site.write("hearth.toml", config);

    newsletter(&site, &server, &["send"], MONDAY).success();
    let first = inspect_emails(&server.messages());
    for (file, mail) in first.as_object().expect("per file") {
        let subject = mail["headers"]["Subject"].as_str().expect("subject");
        assert!(
            subject.starts_with("Harbour Devs: Welcome aboard (+"),
            "{file}: {subject}"
        );
        let to = mail["headers"]["To"].as_str().expect("To");
        let greeting = if to.contains("sofia") {
            "Hi Sofía,"
        } else {
            "Hi,"
        };
        for part in ["html", "text"] {
            let body = mail[part].as_str().expect("part");
            assert!(body.contains(greeting), "{file} {part}: {body}");
        }
        let links: Vec<&str> = mail["links"]
            .as_array()
            .expect("links")
            .iter()
            .filter_map(|l| l.as_str())
            .collect();
        assert!(
            links.contains(&"https://harbour.example.org/events/harbour-social/event.ics"),
            "{file}: {links:?}"
        );
        assert!(
            links
                .iter()
                .any(|l| l.starts_with("https://calendar.google.com/")),
            "{file}: {links:?}"
        );
    }

    // A week later, with a new post: the event announced in issue 1 happens within
    // the week, and is mentioned again.
    site.write(
        "content/posts/2026-11-29-second-wind.md",
        "+++\ntitle = \"Second wind\"\ndate = 2026-11-29T12:00:00+01:00\n+++\nMore news.\n",
    );
    newsletter(&site, &server, &["send"], "2026-11-30T10:00:00+01:00").success();
    let all = inspect_emails(&server.messages());
    let second: Vec<&serde_json::Value> = all
        .as_object()
        .expect("per file")
        .values()
        .filter(|m| {
            m["headers"]["Subject"]
                .as_str()
                .is_some_and(|s| s.contains("Second wind"))
        })
        .collect();
    assert_eq!(second.len(), 2, "{all}");
    for mail in second {
        for part in ["html", "text"] {
            let body = mail[part].as_str().expect("part");
            assert!(
                body.contains("Also this week") && body.contains("Harbour social"),
                "{part}: {body}"
            );
        }
    }
}
