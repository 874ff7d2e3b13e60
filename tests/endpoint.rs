//! `hearth newsletter endpoint` as a real process on a free port, driven over HTTP,
//! with confirmation mails caught by a real SMTP server (aiosmtpd): double opt-in,
//! one-click unsubscribe, tokens forged, altered, expired and replayed, the
//! honeypot and the rate limit, and the whole path through two sends.

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::smtp::{self, SmtpOptions, SmtpServer, inspect_email};
use common::{Run, Site};

/// Monday 23 November 2026, 10:00 in Berlin.
const MONDAY: &str = "2026-11-23T10:00:00+01:00";
const SECRET_ENV: &str = "HEARTH_TEST_NEWSLETTER_SECRET";
const SECRET: &str = "a long random test key, 32 bytes";

/// A free port on loopback (released again at once; the endpoint takes it next).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// The newsletter fixture with two subscribers, `[smtp]` at `server` and an
/// endpoint at `port`.
fn site_for(server: &SmtpServer, port: u16) -> Site {
    smtp::newsletter_site(
        server,
        "email,name\nada@example.org,Ada\ngrace@example.org,Grace\n",
        &format!(
            "endpoint = \"http://127.0.0.1:{port}\"\nsecret_env = \"{SECRET_ENV}\"\nbounce_address = \"bounces@harbour.example.org\"\n"
        ),
        "",
    )
}

/// A running endpoint; stopped with SIGTERM when dropped.
struct Endpoint {
    child: Child,
    port: u16,
}

impl Endpoint {
    fn start(site: &Site, port: u16, now: &str) -> Endpoint {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
            .args(["newsletter", "endpoint"])
            .arg(site.path())
            .args(["--port", &port.to_string(), "--now", now])
            .env("NO_COLOR", "1")
            .env(SECRET_ENV, SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the endpoint");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout).read_line(&mut line).expect("read");
        assert!(line.contains("listening on"), "endpoint said: {line:?}");
        Endpoint { child, port }
    }

    fn request(&self, method: &str, path: &str, headers: &[&str], body: &str) -> (u16, String) {
        http(self.port, method, path, headers, body)
    }

    fn post_form(&self, path: &str, form: &str, client: &str) -> (u16, String) {
        let forwarded = format!("X-Forwarded-For: {client}");
        self.request(
            "POST",
            path,
            &[
                "Content-Type: application/x-www-form-urlencoded",
                &forwarded,
            ],
            form,
        )
    }

    /// SIGTERM, and the exit status.
    fn stop(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().ok().and_then(|s| s.code())
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One HTTP/1.1 request; the status and the body.
fn http(port: u16, method: &str, path: &str, headers: &[&str], body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

/// The path part of the link in the newest confirmation mail to `to`.
fn confirm_path(server: &SmtpServer, to: &str, port: u16) -> String {
    let files = server.messages_to(to);
    let file = files.last().expect("a confirmation mail");
    let mail = inspect_email(file);
    let text = mail["text"].as_str().expect("a text body").to_string();
    let prefix = format!("http://127.0.0.1:{port}");
    let start = text.find(&format!("{prefix}/confirm/")).expect("a link") + prefix.len();
    let end = text[start..]
        .find(char::is_whitespace)
        .map_or(text.len(), |e| start + e);
    text[start..end].to_string()
}

fn newsletter(site: &Site, args: &[&str], now: &str) -> Run {
    smtp::newsletter(site, args, now, &[(SECRET_ENV, SECRET)])
}

fn read(site: &Site, rel: &str) -> String {
    std::fs::read_to_string(site.path().join(rel)).unwrap_or_default()
}

#[test]
fn subscribe_confirm_send_one_click_leave_and_the_next_send_skips_them() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let port = free_port();
    let site = site_for(&server, port);
    let mut endpoint = Endpoint::start(&site, port, MONDAY);

    let (status, page) = endpoint.post_form(
        "/subscribe",
        "email=Lin%40example.org&name=Lin+Wu&website=",
        "198.51.100.1",
    );
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Check your inbox"), "{page}");
    assert!(
        !site.path().join("newsletter/joined.csv").exists(),
        "nothing recorded yet"
    );

    // Opening the link (as a scanner would) confirms nothing.
    let link = confirm_path(&server, "lin@example.org", port);
    let (status, page) = endpoint.request("GET", &link, &[], "");
    assert_eq!(status, 200);
    assert!(
        page.contains("<form method=\"post\"") && page.contains("lin@example.org"),
        "{page}"
    );
    assert!(
        page.contains("https://harbour.example.org/style.css"),
        "the site's stylesheet"
    );
    assert!(!site.path().join("newsletter/joined.csv").exists());

    let (status, page) = endpoint.request("POST", &link, &[], "");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("You are subscribed"));
    // Replayed: the same answer, one line.
    assert_eq!(endpoint.request("POST", &link, &[], "").0, 200);
    let joined = read(&site, "newsletter/joined.csv");
    assert_eq!(joined.lines().count(), 2, "{joined}");
    assert!(
        joined.contains("lin@example.org,Lin Wu,endpoint,I want to receive"),
        "{joined}"
    );

    newsletter(&site, &["send"], MONDAY).success();
    let to_lin = server.messages_to("lin@example.org");
    assert_eq!(to_lin.len(), 2, "the confirmation and the issue");
    let mail = inspect_email(&to_lin[1]);
    let header = mail["headers"]["List-Unsubscribe"]
        .as_str()
        .expect("List-Unsubscribe");
    assert!(
        header.starts_with(&format!("<http://127.0.0.1:{port}/unsubscribe/")),
        "{header}"
    );
    assert!(
        header.ends_with(", <mailto:hello@harbour.example.org?subject=unsubscribe>"),
        "{header}"
    );
    assert_eq!(
        mail["headers"]["List-Unsubscribe-Post"],
        "List-Unsubscribe=One-Click"
    );
    let url = header[1..header.find('>').expect(">")].to_string();
    assert!(
        mail["html"].as_str().expect("html").contains(&url),
        "the footer links the same page"
    );
    let envelope_from = server
        .events("accepted")
        .iter()
        .find(|e| e["rcpt"] == "lin@example.org" && e["mail_from"] != "news@harbour.example.org")
        .map(|e| e["mail_from"].as_str().unwrap_or("").to_string())
        .expect("an issue to Lin");
    assert!(
        envelope_from.starts_with("bounces+lin=example.org.1."),
        "{envelope_from}"
    );

    // One-click, as a mail program does it; twice changes nothing more.
    let path = url.trim_start_matches(&format!("http://127.0.0.1:{port}"));
    let one_click = "List-Unsubscribe=One-Click";
    let form = ["Content-Type: application/x-www-form-urlencoded"];
    let (status, page) = endpoint.request("POST", path, &form, one_click);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("You have left"));
    assert_eq!(endpoint.request("POST", path, &form, one_click).0, 200);
    let suppressed = read(&site, "newsletter/suppressed.txt");
    assert_eq!(
        suppressed.matches("lin@example.org").count(),
        1,
        "{suppressed}"
    );
    assert!(suppressed.contains("unsubscribed (one-click)"));

    newsletter(&site, &["send", "--force"], "2026-11-30T10:00:00+01:00").success();
    assert_eq!(
        server.messages_to("lin@example.org").len(),
        2,
        "no second issue for Lin"
    );
    assert_eq!(server.messages_to("ada@example.org").len(), 2);
    let status = newsletter(&site, &["status"], "2026-11-30T10:00:00+01:00");
    assert!(status.success().stdout.contains("2 recipients for the next issue (2 in the subscribers file, 0 joined via the endpoint); suppressed: 1 left"), "{}", status.stdout);
    assert_eq!(endpoint.stop(), Some(0), "SIGTERM ends it cleanly");
}

#[test]
fn forged_altered_and_expired_tokens_change_nothing() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let port = free_port();
    let site = site_for(&server, port);
    let endpoint = Endpoint::start(&site, port, MONDAY);
    endpoint.post_form("/subscribe", "email=lin%40example.org", "198.51.100.2");
    let link = confirm_path(&server, "lin@example.org", port);
    let token = link.trim_start_matches("/confirm/");
    let altered = format!("/confirm/{}A{}", &token[..4], &token[5..]);
    let (payload, mac) = token.split_once('.').expect("two parts");
    let stolen_mac = format!("/unsubscribe/{payload}.{mac}");
    for path in [
        altered.as_str(),
        "/confirm/bm90LmEudG9rZW4.AAAA",
        stolen_mac.as_str(),
        "/unsubscribe/dW5zdWJzY3JpYmUKYWRhQGV4YW1wbGUub3Jn.Zm9yZ2Vk",
        "/unsubscribe/",
    ] {
        let (status, _) = endpoint.request("POST", path, &[], "");
        assert!((400..500).contains(&status), "{path}: {status}");
    }
    drop(endpoint);
    // Eight days later the link has expired.
    let port2 = free_port();
    let later = Endpoint::start(&site, port2, "2026-12-01T10:00:01+01:00");
    let (status, page) = later.request("POST", &link, &[], "");
    assert_eq!(status, 410, "{page}");
    assert!(!site.path().join("newsletter/joined.csv").exists());
    assert!(!site.path().join("newsletter/suppressed.txt").exists());
}

#[test]
fn a_filled_honeypot_a_bad_address_and_too_many_requests_are_refused() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let port = free_port();
    let site = site_for(&server, port);
    let endpoint = Endpoint::start(&site, port, MONDAY);
    let (status, _) = endpoint.post_form(
        "/subscribe",
        "email=bot%40example.org&website=http%3A%2F%2Fspam",
        "198.51.100.3",
    );
    assert_eq!(status, 400);
    let (status, page) = endpoint.post_form("/subscribe", "email=not-an-address", "198.51.100.3");
    assert_eq!(status, 400, "{page}");
    assert!(server.messages().is_empty(), "no mail for either");
    // The bad address counted; four more, the sixth is refused. An address on the
    // list already gets the same answer as a new one.
    for i in 0..4 {
        let (status, page) = endpoint.post_form(
            "/subscribe",
            &format!("email=new{i}%40example.org"),
            "198.51.100.3",
        );
        assert_eq!(status, 200, "{page}");
    }
    let (status, _) = endpoint.post_form("/subscribe", "email=ada%40example.org", "198.51.100.3");
    assert_eq!(status, 429, "the sixth request of one client");
    let (status, page) =
        endpoint.post_form("/subscribe", "email=ada%40example.org", "198.51.100.4");
    assert_eq!(status, 200, "another client: {page}");
    assert!(page.contains("Check your inbox"));
    let (status, _) = endpoint.request("GET", "/", &[], "");
    assert_eq!(status, 404, "it never serves the site");
    assert!(!Path::new(&site.path().join("newsletter/joined.csv")).exists());
}

#[test]
fn the_subscribe_page_and_the_endpoints_pages_are_valid_html_with_the_form() {
    let server = SmtpServer::start(&SmtpOptions::default());
    let port = free_port();
    let site = site_for(&server, port);
    site.build(&[]).success();
    let join = site.page("newsletter/subscribe/index.html");
    assert!(
        join.contains(&format!("action=\"http://127.0.0.1:{port}/subscribe\""))
            && join.contains("name=\"website\""),
        "{join}"
    );
    let endpoint = Endpoint::start(&site, port, MONDAY);
    endpoint.post_form(
        "/subscribe",
        "email=lin%40example.org&name=Lin",
        "198.51.100.5",
    );
    let link = confirm_path(&server, "lin@example.org", port);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut pages = vec![site.public().join("newsletter/subscribe/index.html")];
    for (name, method, path) in [
        ("confirm.html", "GET", link.as_str()),
        ("subscribed.html", "POST", link.as_str()),
        ("message.html", "GET", "/nothing-here"),
    ] {
        let (_, body) = endpoint.request(method, path, &[], "");
        std::fs::write(dir.path().join(name), body).expect("write");
        pages.push(dir.path().join(name));
    }
    let jar = common::repo_root().join("tests/tools/node_modules/vnu-jar/build/dist/vnu.jar");
    let output = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "gnu"])
        .args(&pages)
        .output()
        .expect("java runs");
    let report = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && report.trim().is_empty(),
        "{report}"
    );
}
