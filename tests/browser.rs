//! The built site in a real browser: headless Chromium, driven by Playwright scripts
//! under `tests/tools/`, over the example site served from a tiny local HTTP server.
//! These tests need node, playwright-core and Chromium, and fail (never skip) with
//! an install hint when one is missing.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Site, repo_root};

#[test]
fn the_search_page_finds_a_member_by_name_without_asking_other_hosts() {
    common::require_browser_tools();
    let site = Site::copy_of(&repo_root().join("example-site"));
    site.build(&[]).success();
    let base = serve(site.public());
    run_script("search_test.mjs", &base);
}

#[test]
fn every_page_type_passes_axe_at_both_widths_in_both_schemes() {
    common::require_browser_tools();
    let site = Site::copy_of(&repo_root().join("example-site"));
    site.build(&[]).success();
    let base = serve(site.public());
    run_script("axe_test.mjs", &base);
}

/// Runs `node tests/tools/SCRIPT BASE_URL` and fails the test unless it exits 0.
fn run_script(script: &str, base_url: &str) {
    let path = repo_root().join("tests/tools").join(script);
    let output = Command::new("node")
        .arg(&path)
        .arg(base_url)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node {}: {e}", path.display()));
    assert!(
        output.status.success(),
        "{script} failed ({})\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Serves the files under `root` on 127.0.0.1 at a free port, from a background
/// thread that lives as long as the test process; returns `http://127.0.0.1:PORT/`.
///
/// Just enough HTTP for a browser: GET only, one request per connection,
/// `/dir/` serves `dir/index.html`, anything else missing is a 404.
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let port = listener.local_addr().expect("local address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            // One thread per connection: a browser may open a connection it
            // does not use yet, which must not hold up the others.
            std::thread::spawn(move || answer(stream, &root));
        }
    });
    format!("http://127.0.0.1:{port}/")
}

fn answer(mut stream: TcpStream, root: &Path) {
    // A connection that never sends a request is dropped after a while.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Read (and ignore) the headers, up to the blank line.
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 0) && !header.trim_end().is_empty() {
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, content_type, body) = if method != "GET" {
        (
            "405 Method Not Allowed",
            "text/plain",
            b"GET only\n".to_vec(),
        )
    } else {
        match file_for(root, target).and_then(|p| std::fs::read(&p).ok().map(|b| (p, b))) {
            Some((path, bytes)) => ("200 OK", content_type(&path), bytes),
            None => ("404 Not Found", "text/plain", b"not found\n".to_vec()),
        }
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// The file a request target names: query and fragment dropped, `%XX` decoded,
/// `/dir/` → `dir/index.html`. `None` for anything that could leave `root`.
fn file_for(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next()?;
    let path = percent_decode(path.strip_prefix('/')?)?;
    let rel = Path::new(&path);
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    let file = if path.is_empty() || path.ends_with('/') {
        root.join(rel).join("index.html")
    } else {
        root.join(rel)
    };
    file.is_file().then_some(file)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("xml") => "application/xml",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
