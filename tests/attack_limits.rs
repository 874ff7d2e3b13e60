//! Attacks a hostile pull request or a client on the network can make: content that
//! would stall the build or blow up its memory, templates that never stop, and
//! requests that would exhaust `hearth serve`. Each must end in a clear error or a
//! small answer. Waits are safety bounds against hangs, never timing assertions;
//! all traffic goes to 127.0.0.1 and every loop is bounded.

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{Measured, NOW, Run, Site, status_kib};

/// A safety bound for one build: the attacks below took minutes before the limits.
const LIMIT: Duration = Duration::from_secs(120);

fn build_measured(site: &Site) -> Measured {
    common::build_measured(site, LIMIT)
}

fn post(title: &str, front: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = 2026-01-01\n{front}+++\n{body}")
}

#[test]
fn ten_posts_with_ten_thousand_tags_each_fail_at_once_with_a_located_error() {
    let site = Site::fixture("basic");
    let tags: Vec<String> = (0..10_000).map(|i| format!("\"tag {i}\"")).collect();
    for n in 0..10 {
        let front = format!("tags = [{}]\n", tags.join(", "));
        site.write(
            &format!("content/posts/many-{n}.md"),
            post("Many", &front, "Body.\n"),
        );
    }
    let measured = build_measured(&site);
    measured.run.failure(1);
    let lines = common::problem_lines(&measured.run.stderr);
    for n in 0..10 {
        let place = format!("content/posts/many-{n}.md:4:");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&place) && l.contains("at most 50")),
            "no error at {place}\n{}",
            measured.run.stderr
        );
    }
}

#[test]
fn tags_of_one_slug_are_one_tag_in_its_first_spelling() {
    let site = Site::fixture("basic");
    let copies = vec!["\"rust\""; 5_000].join(", ");
    let front = format!("tags = [\"Rust\", {copies}, \"RUST \", \"Web\"]\n");
    site.write("content/posts/dups.md", post("Dups", &front, "Body.\n"));
    let run = site.build(&[]);
    run.success();
    assert!(
        run.stderr.contains("content/posts/dups.md") && run.stderr.contains("merged"),
        "the merge is not reported: {}",
        run.stderr
    );
    let page = site.page("posts/dups/index.html");
    assert_eq!(page.matches("href=\"/tags/rust/\"").count(), 1, "{page}");
    assert!(page.contains(">Rust</a>"), "the first spelling is kept");
    assert!(site.page("tags/rust/index.html").contains("Dups"));
}

/// Exit 1 with `file` and `words` on stderr; no abort (a signal has no exit code).
#[track_caller]
fn fails_naming(run: &Run, file: &str, words: &str) {
    assert_eq!(
        run.code,
        Some(1),
        "expected exit 1, not an abort or success: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(file) && run.stderr.contains(words),
        "{}",
        run.stderr
    );
}

#[test]
fn a_macro_that_calls_itself_is_a_template_error_not_a_stack_overflow() {
    let site = Site::fixture("basic");
    site.write(
        "templates/loop.html",
        "{% macro f() %}{{ self::f() }}{% endmacro f %}\n",
    );
    site.write(
        "templates/search.html",
        "{% import \"loop.html\" as l %}{{ l::f() }}\n",
    );
    let run = build_measured(&site).run;
    fails_naming(&run, "templates/loop.html", "calls itself");
}

#[test]
fn a_template_that_includes_itself_is_a_template_error_not_a_stack_overflow() {
    let site = Site::fixture("basic");
    site.write("templates/404.html", "x{% include \"404.html\" %}\n");
    let run = build_measured(&site).run;
    fails_naming(&run, "templates/404.html", "calls itself");
}

/// The most memory a build of one hostile post may take (KiB).
const PAGE_MEMORY_KIB: u64 = 600 * 1024;

#[test]
fn wide_tables_fail_cleanly_in_bounded_memory() {
    // 6 MB of empty cells, and 90 KB of short rows that the parser pads to the
    // header's 1,000 columns: each took over 2 GB before tables were capped.
    let cols = 3_000;
    let row = format!("{}\n", "|".repeat(cols + 1));
    let wide = format!(
        "{row}|{}\n{}",
        "-|".repeat(cols),
        row.repeat(6_000_000 / row.len())
    );
    let padded = format!(
        "|{}\n|{}\n{}\n",
        "a|".repeat(1_000),
        "-|".repeat(1_000),
        "a\n".repeat(262)
    )
    .repeat(20);
    for (name, body) in [("wide", wide), ("padded", padded)] {
        let site = Site::fixture("basic");
        site.write(
            &format!("content/posts/{name}.md"),
            post("Table", "", &format!("Intro.\n\n{body}")),
        );
        let measured = build_measured(&site);
        fails_naming(&measured.run, &format!("content/posts/{name}.md:"), "cells");
        assert!(
            measured.peak_kib < PAGE_MEMORY_KIB,
            "{name}: the build held {} KiB",
            measured.peak_kib
        );
    }
}

#[test]
fn dense_markup_renders_in_bounded_memory_or_fails_cleanly() {
    // 6 MB of one-letter lines took 1.5 GB: the parser keeps a node per line and
    // per break, and the first paragraph (the whole post) was copied as the summary.
    let site = Site::fixture("basic");
    site.write(
        "content/posts/lines.md",
        post("Lines", "", &"a\n".repeat(3_000_000)),
    );
    let measured = build_measured(&site);
    fails_naming(&measured.run, "content/posts/lines.md:", "too much markup");
    assert!(
        measured.peak_kib < PAGE_MEMORY_KIB,
        "{} KiB",
        measured.peak_kib
    );

    // Just under the limit, a post of lines and one of links build within it.
    for (name, body) in [
        ("lines", "a\n".repeat(1_450_000)),
        ("links", "[a](b) ".repeat(720_000)),
    ] {
        let site = Site::fixture("basic");
        site.write(&format!("content/posts/{name}.md"), post(name, "", &body));
        let measured = build_measured(&site);
        measured.run.success();
        assert!(
            measured.peak_kib < PAGE_MEMORY_KIB,
            "{name}: {} KiB",
            measured.peak_kib
        );
    }
}

#[test]
fn a_real_table_of_twenty_thousand_rows_still_builds() {
    let site = Site::fixture("basic");
    let body = format!("| a | b |\n|---|:-:|\n{}", "| x | y |\n".repeat(20_000));
    site.write("content/posts/table.md", post("Table", "", &body));
    site.build(&[]).success();
    assert!(site.page("posts/table/index.html").contains("<td>x</td>"));
}

/// `hearth serve` of the `serve` fixture on a free port, at most 256 open files
/// (the limit the attack was reported at), killed when dropped.
struct Server {
    child: Child,
    address: String,
    _site: Site,
}

impl Server {
    fn start() -> Server {
        let site = Site::fixture("serve");
        let mut child = Command::new("sh")
            .args(["-c", "ulimit -n 256 && exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_hearth"))
            .args(["serve", site.path().to_str().expect("utf-8")])
            .args(["--port", "0", "--now", NOW])
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run hearth serve");
        let out = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(out).lines();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| {
                Some(
                    l.strip_prefix("Serving ")?
                        .rsplit_once(" at ")?
                        .1
                        .to_string(),
                )
            })
            .expect("the `Serving … at URL` line");
        // Keep reading so that the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let address = url
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Server {
            child,
            address,
            _site: site,
        }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        stream
    }

    /// The status of `GET path` sent with `host` as its Host header.
    fn status(&self, path: &str, host: &str) -> u16 {
        let mut stream = self.connect();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        status_of(&mut stream)
    }

    fn memory_kib(&self, key: &str) -> u64 {
        status_kib(self.child.id(), key).unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status code of the answer on `stream`, read to its end.
fn status_of(stream: &mut TcpStream) -> u16 {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"))
}

#[test]
fn a_one_mebibyte_request_line_is_refused_without_being_held() {
    let server = Server::start();
    let mut stream = server.connect();
    let mut writer = stream.try_clone().expect("clone");
    let sender = std::thread::spawn(move || {
        let line = format!("GET /{} HTTP/1.1\r\n", "a".repeat(1024 * 1024));
        // The server may stop reading once it has seen enough: errors are expected.
        let _ = writer.write_all(line.as_bytes());
    });
    let status = status_of(&mut stream);
    assert!(status == 431 || status == 400, "answered {status}");
    let _ = sender.join();
    assert!(
        server.memory_kib("VmHWM:") < 300 * 1024,
        "the server grew to {} KiB",
        server.memory_kib("VmHWM:")
    );
    assert_eq!(server.status("/", &server.address), 200);
}

#[test]
fn three_hundred_idle_connections_do_not_lock_out_a_reader() {
    let server = Server::start();
    let idle: Vec<TcpStream> = (0..300)
        .filter_map(|_| TcpStream::connect(&server.address).ok())
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    // Slowloris: each idle connection sends a byte of a request head every second,
    // so that no per-read timeout ever closes it. Bounded to 60 rounds.
    let trickle = {
        let stop = Arc::clone(&stop);
        let mut idle: Vec<TcpStream> = idle.iter().filter_map(|s| s.try_clone().ok()).collect();
        std::thread::spawn(move || {
            for _ in 0..60 {
                for s in &mut idle {
                    let _ = s.write_all(b"G");
                }
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        })
    };
    let status = server.status("/", &server.address);
    stop.store(true, Ordering::SeqCst);
    let _ = trickle.join();
    assert_eq!(status, 200);
    drop(idle);
}

#[test]
fn only_requests_that_name_this_server_are_answered() {
    let server = Server::start();
    let port = server.address.rsplit(':').next().unwrap_or_default();
    for host in ["evil.example", &format!("evil.example:{port}")] {
        let status = server.status("/", host);
        assert!((400..500).contains(&status), "Host {host}: {status}");
    }
    for host in [server.address.clone(), format!("localhost:{port}")] {
        assert_eq!(server.status("/", &host), 200, "Host {host}");
    }
}
