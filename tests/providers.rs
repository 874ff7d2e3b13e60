//! Sending through real providers: throttling and quota replies pause the send and a
//! later run finishes it, each recipient exactly once; hourly quotas hold across
//! runs; a refused login stops at the first attempt; PIPELINING and parallel
//! connections keep a slow server busy; a killed parallel send loses nobody.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::smtp::{self, SmtpOptions, SmtpServer};
use common::{Run, Site, hearth_with_env};

/// Monday 23 November 2026, 10:00 in Berlin.
const MONDAY: &str = "2026-11-23T10:00:00+01:00";

fn address(i: usize) -> String {
    format!("person{i:04}@example.org")
}

/// The newsletter fixture with `count` subscribers and `[smtp]` pointing at `server`.
fn site_for(server: &SmtpServer, count: usize, smtp_extra: &str) -> Site {
    let mut csv = String::from("email,name\n");
    for i in 0..count {
        csv.push_str(&format!("{},Person {i}\n", address(i)));
    }
    smtp::newsletter_site(server, &csv, "", smtp_extra)
}

/// `hearth newsletter`, with the server's password (if any) in the environment.
fn newsletter(site: &Site, server: &SmtpServer, args: &[&str], now: &str) -> Run {
    let env = server.password_env();
    let envs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    smtp::newsletter(site, args, now, &envs)
}

fn everyone_once(server: &SmtpServer, count: usize) -> BTreeMap<String, usize> {
    let received = server.received_by();
    assert_eq!(received.len(), count, "everyone reached");
    assert!(received.values().all(|&n| n == 1), "nobody twice");
    received
}

fn status(site: &Site, server: &SmtpServer, now: &str) -> String {
    let run = newsletter(site, server, &["status"], now);
    run.success();
    run.stdout
}

#[test]
fn a_daily_limit_pauses_the_send_for_an_hour_and_a_later_run_delivers_everyone_once() {
    let server = SmtpServer::start(&SmtpOptions {
        fault: Some((3, "550 5.4.5 Daily user sending limit exceeded.".into(), 1)),
        ..SmtpOptions::default()
    });
    let site = site_for(&server, 6, "");
    let first = newsletter(&site, &server, &["send"], MONDAY);
    first.failure(1);
    assert!(
        first.stderr.contains("paused") && first.stderr.contains("5.4.5"),
        "{}",
        first.stderr
    );
    assert_eq!(server.received_by().len(), 3);
    assert!(
        status(&site, &server, MONDAY).contains("3 delivered, 0 failed, 3 pending"),
        "the recipient who met the limit is not failed for good"
    );
    // Half an hour later the pause still holds, for cron and by hand alike.
    let later = "2026-11-23T10:30:00+01:00";
    let cron = newsletter(&site, &server, &["send", "--if-due"], later);
    cron.success();
    assert!(cron.stdout.contains("paused until"), "{}", cron.stdout);
    newsletter(&site, &server, &["send"], later).failure(1);
    assert_eq!(server.received_by().len(), 3);
    // After the hour, the next run finishes the issue.
    let resumed = newsletter(
        &site,
        &server,
        &["send", "--if-due"],
        "2026-11-23T11:01:00+01:00",
    );
    resumed.success();
    everyone_once(&server, 6);
    assert!(
        status(&site, &server, "2026-11-23T11:01:00+01:00")
            .contains("6 delivered, 0 failed, 0 pending")
    );
}

#[test]
fn ses_throttling_pauses_for_minutes_not_failing_anyone() {
    let server = SmtpServer::start(&SmtpOptions {
        fault: Some((
            2,
            "454 Throttling failure: Maximum sending rate exceeded.".into(),
            1,
        )),
        ..SmtpOptions::default()
    });
    let site = site_for(&server, 5, "");
    let first = newsletter(&site, &server, &["send"], MONDAY);
    first.failure(1);
    assert!(first.stderr.contains("Throttling"), "{}", first.stderr);
    assert_eq!(
        server.events("fault").len(),
        1,
        "no retry hammers the provider"
    );
    newsletter(&site, &server, &["send"], "2026-11-23T10:01:00+01:00").failure(1);
    newsletter(&site, &server, &["send"], "2026-11-23T10:06:00+01:00").success();
    everyone_once(&server, 5);
}

#[test]
fn an_hourly_quota_holds_across_runs() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 5, "max_per_hour = 3\n");
    let first = newsletter(&site, &server, &["send"], MONDAY);
    first.failure(1);
    assert!(
        first.stderr.contains("max_per_hour = 3"),
        "{}",
        first.stderr
    );
    assert_eq!(server.received_by().len(), 3);
    newsletter(
        &site,
        &server,
        &["send", "--force"],
        "2026-11-23T10:20:00+01:00",
    )
    .failure(1);
    assert_eq!(
        server.received_by().len(),
        3,
        "--force does not beat the quota"
    );
    newsletter(&site, &server, &["send"], "2026-11-23T11:01:00+01:00").success();
    everyone_once(&server, 5);
}

#[test]
fn a_refused_login_is_tried_once_and_records_no_issue() {
    for close in [false, true] {
        let server = SmtpServer::start(&SmtpOptions {
            auth: Some(("news".into(), "s3cret-pass".into())),
            close_after_failed_auth: close,
            ..SmtpOptions::default()
        });
        let site = site_for(&server, 12, "connections = 4\n");
        let path = site.path().to_str().expect("utf-8");
        let start = Instant::now();
        let wrong = hearth_with_env(
            &["newsletter", "send", path, "--now", MONDAY],
            &[("HEARTH_SMTP_PASSWORD", "not-the-password")],
        );
        wrong.failure(1);
        assert!(start.elapsed() < Duration::from_secs(20), "send exits");
        assert!(
            wrong.stderr.contains("refused the login")
                && wrong.stderr.contains(&format!("127.0.0.1:{}", server.port)),
            "{}",
            wrong.stderr
        );
        assert_eq!(
            server.events("auth").len(),
            1,
            "one login attempt (close: {close})"
        );
        assert!(
            !site.path().join("newsletter/issues.toml").exists(),
            "no issue recorded that nobody was sent"
        );
        newsletter(&site, &server, &["send"], MONDAY).success();
        everyone_once(&server, 12);
    }
}

#[test]
fn a_connection_error_names_the_host_and_port() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 2, "retries = 0\n");
    let port = common::smtp::point_at_dead_port(&site, &server);
    let run = newsletter(&site, &server, &["send"], MONDAY);
    run.failure(1);
    assert!(
        run.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        run.stderr
    );
}

#[test]
fn pipelining_and_four_connections_deliver_a_thousand_messages_each_once_over_a_slow_link() {
    let server = SmtpServer::start(&SmtpOptions {
        latency_ms: 25,
        pipelining: true,
        ..SmtpOptions::default()
    });
    let site = site_for(&server, 1000, "connections = 4\n");
    let start = Instant::now();
    let run = newsletter(&site, &server, &["send"], MONDAY);
    run.success();
    let took = start.elapsed();
    everyone_once(&server, 1000);
    // One connection without pipelining needs four round trips a message: 100 s.
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

#[test]
fn a_send_over_four_connections_killed_three_times_loses_nobody() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 300, "rate_per_second = 100\nconnections = 4\n");
    common::smtp::send_and_kill(site.path(), MONDAY, 3, 500);
    assert!(
        server.messages().len() < 300,
        "the kills interrupted the send"
    );
    newsletter(&site, &server, &["send"], MONDAY).success();
    let received = server.received_by();
    assert_eq!(received.len(), 300, "everyone reached");
    let duplicates: usize = received.values().map(|n| n - 1).sum();
    assert!(
        duplicates <= 3 * 4,
        "{duplicates} duplicates after 3 kills of 4 connections"
    );
    assert!(status(&site, &server, MONDAY).contains("300 delivered, 0 failed, 0 pending"));
}

/// The `.eml` files a dry run of the next issue writes.
fn dry_run(site: &Site, server: &SmtpServer) -> Vec<std::path::PathBuf> {
    let outbox = site.path().join("outbox");
    let out = outbox.to_str().expect("utf-8");
    newsletter(
        site,
        server,
        &["send", "--dry-run", "--outbox", out],
        MONDAY,
    )
    .success();
    let mut files: Vec<_> = std::fs::read_dir(&outbox)
        .expect("outbox")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

#[test]
fn every_link_form_in_a_post_comes_out_absolute_against_the_post() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 1, "");
    site.write(
        "content/posts/2026-11-20-links.md",
        "+++\ntitle = \"Links\"\n+++\nSee [the welcome](../welcome-aboard/), [the notes](notes.pdf), \
         [details](#details), [a script](//cdn.example.org/x.js), [old](http://old.example.org/), \
         [mail](mailto:a@example.org), [call](tel:+4930123) and [about](/about/).\n",
    );
    let files = dry_run(&site, &server);
    let mail = common::smtp::inspect_email(&files[0]);
    let links: Vec<&str> = mail["links"]
        .as_array()
        .expect("links")
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    for want in [
        "https://harbour.example.org/posts/welcome-aboard/",
        "https://harbour.example.org/posts/links/notes.pdf",
        "https://harbour.example.org/posts/links/#details",
        "https://cdn.example.org/x.js",
        "http://old.example.org/",
        "mailto:a@example.org",
        "tel:+4930123",
        "https://harbour.example.org/about/",
    ] {
        assert!(links.contains(&want), "{want} missing from {links:#?}");
    }
    for link in &links {
        assert!(
            ["https://", "http://old", "mailto:", "tel:"]
                .iter()
                .any(|p| link.starts_with(p)),
            "relative link {link}"
        );
    }
}

#[test]
fn a_sixty_post_issue_stays_under_100_kb_and_keeps_its_unsubscribe_footer() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(&server, 1, "");
    let paragraph =
        "Harbour news with a fair amount of words in it, as people write them. ".repeat(25);
    for i in 0..60 {
        site.write(
            &format!("content/posts/2026-11-{:02}-post-{i}.md", 1 + i % 20),
            format!("+++\ntitle = \"Post number {i}\"\n+++\n{paragraph}\n\n{paragraph}\n"),
        );
    }
    let files = dry_run(&site, &server);
    let mail = common::smtp::inspect_email(&files[0]);
    let html = mail["html"].as_str().expect("html");
    assert!(html.len() < 100 * 1024, "{} KB", html.len() / 1024);
    assert!(
        html.contains("https://harbour.example.org/unsubscribe"),
        "footer kept"
    );
    assert!(
        html.contains("Post number 0") && html.contains("Post number 59"),
        "every post named"
    );
    let text = mail["text"].as_str().expect("text");
    assert!(text.contains("Post number 59"));
}

/// Verifies every message with dkimpy against the public key of `key` (PEM).
fn verify_dkim(messages: &[std::path::PathBuf], key: &std::path::Path, ed25519: bool) {
    let public = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(key)
        .output()
        .expect("openssl runs");
    assert!(public.status.success());
    let script = r#"
import base64, sys, dkim
der = sys.stdin.buffer.read()
ed = sys.argv[1] == "ed25519"
public = base64.b64encode(der[-32:] if ed else der).decode()
record = ("v=DKIM1; k=" + ("ed25519" if ed else "rsa") + "; p=" + public).encode()
for path in sys.argv[2:]:
    raw = open(path, "rb").read()
    head = raw.split(b"\r\n\r\n")[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ")
    sig = [l for l in head.split(b"\r\n") if l.lower().startswith(b"dkim-signature")][0].lower()
    for name in [b"mime-version", b"reply-to", b"list-unsubscribe-post", b"x-pm-message-stream"]:
        assert name in sig, (name, sig)
    assert dkim.verify(raw, dnsfunc=lambda name, timeout=5: record), path
print("ok")
"#;
    let mut child = std::process::Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .arg(if ed25519 { "ed25519" } else { "rsa" })
        .args(messages)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (apt-get install python3-dkim python3-nacl)");
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
        "DKIM verification failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn pkcs1_pkcs8_and_ed25519_keys_sign_messages_that_verify_with_custom_headers_covered() {
    for (kind, args) in [
        (
            "pkcs1",
            &["genrsa", "-traditional", "-out", "dkim.pem", "2048"][..],
        ),
        (
            "pkcs8",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                "dkim.pem",
            ][..],
        ),
        (
            "ed25519",
            &["genpkey", "-algorithm", "ed25519", "-out", "dkim.pem"][..],
        ),
    ] {
        let server = SmtpServer::start(&SmtpOptions::default());
        let site = site_for(
            &server,
            2,
            "dkim_selector = \"hearth\"\ndkim_domain = \"harbour.example.org\"\ndkim_key_file = \"dkim.pem\"\n\
             headers = { \"X-PM-Message-Stream\" = \"broadcast\", \"Feedback-ID\" = \"issue:harbour\" }\n",
        );
        let made = std::process::Command::new("openssl")
            .args(args)
            .current_dir(site.path())
            .output()
            .expect("openssl runs");
        assert!(
            made.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        newsletter(&site, &server, &["send"], MONDAY).success();
        let messages = server.messages();
        assert_eq!(messages.len(), 2, "{kind}");
        let mail = common::smtp::inspect_email(&messages[0]);
        assert_eq!(
            mail["headers"]["X-PM-Message-Stream"], "broadcast",
            "{kind}"
        );
        verify_dkim(&messages, &site.path().join("dkim.pem"), kind == "ed25519");
    }
}

#[test]
fn a_dkim_domain_that_does_not_align_with_from_and_a_header_hearth_owns_are_config_errors() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(
        &server,
        1,
        "dkim_selector = \"s\"\ndkim_domain = \"example.net\"\ndkim_key_file = \"dkim.pem\"\n\
         headers = { \"List-Unsubscribe\" = \"<https://evil.example/>\" }\n",
    );
    let run = newsletter(&site, &server, &["send"], MONDAY);
    run.failure(1);
    assert!(
        run.stderr.contains("hearth.toml:") && run.stderr.contains("dkim_domain"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("List-Unsubscribe"), "{}", run.stderr);
    assert!(server.messages().is_empty());
}
