//! A small HTTP/1.1 server for previews: serves the latest good build from memory,
//! answers `/posts/x` with a redirect to `/posts/x/`, unknown URLs with the theme's
//! 404 page, and streams build events to open tabs (server-sent events) so they
//! reload by themselves.
//!
//! It may be bound beyond loopback (`--bind`), so nothing a client sends can make
//! it hold much: a request head (request line and headers) is at most 64 KiB and
//! must arrive within 10 s, else 431 or 408 and the connection closes. At most 64
//! connections are open at once; when full, the oldest connection still waiting
//! for its request head is closed to make room (a browser sends its request at
//! once, so idle connections cannot lock it out), and when none is waiting a new
//! one gets a quick 503. Event streams (live reload) stay open by design, at most
//! 16 of them. The accept loop never waits on a client.
//!
//! Only requests naming this server in `Host` are answered (421 otherwise), which
//! stops DNS rebinding: a hostile page can reach this port through a DNS name it
//! controls, never through an address. Allowed: `localhost`, loopback addresses
//! and the bound address; when bound to all interfaces (`0.0.0.0`, `::`), any IP
//! address, so a phone on the LAN can open `http://192.168.1.20:1111/`. DNS names
//! other than `localhost` are refused: use the address.

use std::io::{Read as _, Write as _};
use std::net::{IpAddr, Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Event, Shared, Snapshot};
use crate::build::CopyFrom;

/// The path of the event stream the reload script listens to.
pub const EVENTS_PATH: &str = "/__hearth/events";

pub use crate::http::MAX_HEAD_BYTES;
use crate::http::{Gate, HeadError, Ticket, percent_decode, read_head};
/// How long one write may wait for a client that does not read.
const WRITE_TIME: Duration = Duration::from_secs(10);
/// Connections open at once, event streams included.
pub const MAX_CONNECTIONS: usize = 64;
/// Event streams (open tabs) at once.
pub const MAX_STREAMS: usize = 16;

/// Accepts connections until the process ends, one thread per admitted connection.
pub fn run(listener: TcpListener, shared: Arc<Shared>) {
    let Ok(local) = listener.local_addr() else {
        return;
    };
    let gate = Arc::new(Gate::new(MAX_CONNECTIONS, MAX_STREAMS));
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(stream) => stream,
            // Out of file handles, say: let connections close rather than spin.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let Some(ticket) = Gate::admit(&gate, &stream) else {
            busy(stream);
            continue;
        };
        let shared = Arc::clone(&shared);
        let spawned = std::thread::Builder::new().spawn(move || {
            let ticket = ticket;
            let _ = handle(stream, &shared, &ticket, local.ip(), local.port());
        });
        if spawned.is_err() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Turns a connection away at once, without reading from it.
fn busy(mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = stream.write_all(
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 24\r\nRetry-After: 1\r\nConnection: close\r\n\r\ntoo many connections now",
    );
}

/// The request line and the `Host` header of a head.
struct Request<'a> {
    method: &'a str,
    target: &'a str,
    host: Option<&'a str>,
}

fn parse_head(head: &str) -> Request<'_> {
    let mut lines = head.lines();
    let mut parts = lines.next().unwrap_or("").split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let host = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("host"))
        .map(|(_, value)| value.trim());
    Request {
        method,
        target,
        host,
    }
}

/// Whether a `Host` value names this server, bound to `bound` on `port` (see the
/// module comment): `localhost`, a loopback address or the bound address; any IP
/// address when bound to all interfaces; never another DNS name. A port, when
/// given, must be ours.
pub fn host_allowed(host: &str, bound: IpAddr, port: u16) -> bool {
    let (name, given_port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((name, "")) => (name, None),
            Some((name, tail)) => match tail.strip_prefix(':') {
                Some(p) => (name, Some(p)),
                None => return false,
            },
            None => return false,
        },
        None => match host.split_once(':') {
            Some((name, p)) if !p.contains(':') => (name, Some(p)),
            _ => (host, None),
        },
    };
    if given_port.is_some_and(|p| p.parse::<u16>().ok() != Some(port)) {
        return false;
    }
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip == bound || bound.is_unspecified(),
        Err(_) => false,
    }
}

fn handle(
    mut stream: TcpStream,
    shared: &Shared,
    ticket: &Ticket,
    bound: IpAddr,
    port: u16,
) -> std::io::Result<()> {
    stream.set_write_timeout(Some(WRITE_TIME))?;
    let head = match read_head(&stream) {
        Ok(head) => head,
        Err(HeadError::Closed) => return Ok(()),
        Err(HeadError::Slow) => return refuse(&mut stream, 408, "the request took too long\n"),
        Err(HeadError::TooLarge) => {
            return refuse(&mut stream, 431, "the request head is over 64 KiB\n");
        }
    };
    ticket.head_read();
    let head = String::from_utf8_lossy(&head);
    let request = parse_head(&head);
    let (method, target) = (request.method, request.target);
    match request.host {
        None => return refuse(&mut stream, 400, "a Host header is required\n"),
        Some(host) if !host_allowed(host, bound, port) => {
            let text = format!(
                "hearth serve answers only to localhost and IP addresses, not `{host}`: open it by address\n"
            );
            return refuse(&mut stream, 421, &text);
        }
        Some(_) => {}
    }
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            405,
            "text/plain; charset=utf-8",
            b"only GET and HEAD\n",
            &[],
            method,
        );
    }
    let path = percent_decode(target.split(['?', '#']).next().unwrap_or("/"));
    if path == EVENTS_PATH {
        if !ticket.open_stream() {
            return refuse(&mut stream, 503, "too many open tabs\n");
        }
        return events(stream, shared);
    }
    serve_path(&mut stream, shared, &path, target, method)
}

/// Answers with an error status and closes. Bytes the client still sends are read
/// and dropped for a moment (bounded), so that it sees the answer rather than a
/// reset connection.
fn refuse(stream: &mut TcpStream, status: u16, text: &str) -> std::io::Result<()> {
    respond(
        stream,
        status,
        "text/plain; charset=utf-8",
        text.as_bytes(),
        &[],
        "GET",
    )?;
    stream.shutdown(Shutdown::Write)?;
    stream.set_read_timeout(Some(Duration::from_millis(500)))?;
    let mut sink = [0u8; 8192];
    let until = Instant::now() + Duration::from_secs(2);
    let mut drained = 0usize;
    while Instant::now() < until && drained < 16 * 1024 * 1024 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
    Ok(())
}

fn serve_path(
    stream: &mut TcpStream,
    shared: &Shared,
    path: &str,
    target: &str,
    method: &str,
) -> std::io::Result<()> {
    let snapshot = shared.snapshot();
    match lookup(&snapshot, path) {
        Found::File(rel) => {
            let body = match read(&snapshot, rel) {
                Ok(body) => body,
                // A copied file deleted since the last build: it is gone.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return not_found(stream, &snapshot, method);
                }
                Err(e) => return Err(e),
            };
            let kind = content_type(rel);
            let body = if kind.starts_with("text/html") {
                inject_reload(&body)
            } else {
                body
            };
            respond(stream, 200, kind, &body, &[], method)
        }
        Found::Folder(location) => {
            let query = target.split_once('?').map(|(_, q)| q);
            let header = match query {
                Some(q) => format!("Location: {location}?{q}"),
                None => format!("Location: {location}"),
            };
            respond(
                stream,
                301,
                "text/plain; charset=utf-8",
                b"moved\n",
                &[&header],
                method,
            )
        }
        Found::Nothing => not_found(stream, &snapshot, method),
    }
}

/// The theme's 404 page with status 404. Before the first good build there is no
/// theme page: a bare page with the reload script, so the tab shows the build
/// error and reloads once it is fixed.
fn not_found(stream: &mut TcpStream, snapshot: &Snapshot, method: &str) -> std::io::Result<()> {
    let page = match snapshot.files.get("404.html") {
        Some(_) => read(snapshot, "404.html")?,
        None => b"<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Not found</title>\n</head>\n<body>\n<p>404 not found</p>\n</body>\n</html>\n".to_vec(),
    };
    respond(
        stream,
        404,
        "text/html; charset=utf-8",
        &inject_reload(&page),
        &[],
        method,
    )
}

enum Found<'a> {
    File(&'a str),
    /// A folder asked for without its trailing slash: redirect here.
    Folder(String),
    Nothing,
}

fn lookup<'a>(snapshot: &'a Snapshot, path: &str) -> Found<'a> {
    let rel = path.trim_start_matches('/');
    if rel.split('/').any(|p| p == "..") {
        return Found::Nothing;
    }
    let candidate = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    if let Some((key, _)) = snapshot.get(candidate.as_str()) {
        return Found::File(key);
    }
    if !rel.is_empty()
        && !rel.ends_with('/')
        && snapshot
            .files
            .contains_key(format!("{rel}/index.html").as_str())
    {
        return Found::Folder(format!("/{rel}/"));
    }
    Found::Nothing
}

fn read(snapshot: &Snapshot, rel: &str) -> std::io::Result<Vec<u8>> {
    match snapshot.get(rel) {
        Some((_, super::Found::Text(text))) => Ok(text.as_bytes().to_vec()),
        Some((_, super::Found::Copy(CopyFrom::Builtin(bytes)))) => Ok(bytes.to_vec()),
        Some((_, super::Found::Copy(CopyFrom::File(path)))) => std::fs::read(path),
        None => Ok(Vec::new()),
    }
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    kind: &str,
    body: &[u8],
    headers: &[&str],
    method: &str,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        _ => "Service Unavailable",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        body.len()
    );
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// Streams build events to one tab until it goes away.
fn events(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n",
    )?;
    // Tell a new tab the current state first, so an open error shows at once.
    let (mut seen, current) = shared.current();
    if let Event::Failed(message) = &current {
        send(&mut stream, "build-error", message)?;
    }
    loop {
        match shared.wait_after(seen, Duration::from_secs(15)) {
            Some((generation, event)) => {
                seen = generation;
                match event {
                    Event::Reload => send(&mut stream, "reload", "")?,
                    Event::Stylesheets => send(&mut stream, "css", "")?,
                    Event::Failed(message) => send(&mut stream, "build-error", &message)?,
                }
            }
            // Nothing happened; a comment keeps proxies happy and finds closed tabs.
            None => stream.write_all(b": ping\n\n")?,
        }
        stream.flush()?;
    }
}

fn send(stream: &mut TcpStream, event: &str, data: &str) -> std::io::Result<()> {
    let mut text = format!("event: {event}\n");
    for line in data.lines() {
        text.push_str("data: ");
        text.push_str(line);
        text.push('\n');
    }
    if data.is_empty() {
        text.push_str("data: \n");
    }
    text.push('\n');
    stream.write_all(text.as_bytes())
}

/// The reload script, only ever added to pages that `hearth serve` sends.
const RELOAD_SCRIPT: &str = r#"<script>
(() => {
  const overlayId = "hearth-error-overlay";
  const events = new EventSource("/__hearth/events");
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("css", () => {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("hearth-reload", Date.now());
      link.href = url.href;
    }
  });
  events.addEventListener("build-error", (e) => {
    let box = document.getElementById(overlayId);
    if (!box) {
      box = document.createElement("div");
      box.id = overlayId;
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(24,16,12,.94);color:#fff;padding:2rem;font:15px/1.5 ui-monospace,monospace";
      const title = document.createElement("h2");
      title.textContent = "hearth: the site does not build";
      title.style.cssText = "margin:0 0 1rem;font:600 1.2rem system-ui,sans-serif;color:#ffb38a";
      const pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0";
      const note = document.createElement("p");
      note.textContent = "The last good build is still served. Fix the file and this page reloads by itself.";
      note.style.cssText = "font:14px system-ui,sans-serif;opacity:.8";
      box.append(title, pre, note);
      document.body.append(box);
    }
    box.querySelector("pre").textContent = e.data;
  });
})();
</script>
"#;

/// `html` with the reload script before `</body>` (or at the end).
fn inject_reload(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let at = text.rfind("</body>").unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + RELOAD_SCRIPT.len());
    out.push_str(&text[..at]);
    out.push_str(RELOAD_SCRIPT);
    out.push_str(&text[at..]);
    out.into_bytes()
}

pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::head_end;

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(
            content_type("posts/a/index.html"),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("events/calendar.ics"),
            "text/calendar; charset=utf-8"
        );
        assert_eq!(content_type("a/photo.PNG"), "image/png");
    }

    #[test]
    fn the_reload_script_goes_before_the_body_ends() {
        let out = String::from_utf8(inject_reload(b"<html><body><p>x</p></body></html>"))
            .unwrap_or_default();
        assert!(out.contains("<p>x</p><script>"), "{out}");
        assert!(out.ends_with("</script>\n</body></html>"));
    }

    #[test]
    fn only_this_servers_names_are_answered() {
        let loopback: IpAddr = "127.0.0.1".parse().expect("ip");
        let lan: IpAddr = "192.168.1.20".parse().expect("ip");
        let all: IpAddr = "0.0.0.0".parse().expect("ip");
        for host in [
            "127.0.0.1:1111",
            "localhost:1111",
            "[::1]:1111",
            "LOCALHOST",
            "127.0.0.1",
        ] {
            assert!(host_allowed(host, loopback, 1111), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:1111",
            "127.0.0.1:2222",
            "[::1",
            "[::1]x",
            "",
        ] {
            assert!(!host_allowed(host, loopback, 1111), "{host}");
        }
        assert!(host_allowed("192.168.1.20:1111", lan, 1111));
        assert!(!host_allowed("192.168.1.21:1111", lan, 1111));
        assert!(host_allowed("192.168.1.21:1111", all, 1111));
        assert!(host_allowed("[fe80::1]:1111", all, 1111));
        assert!(!host_allowed("192.168.1.21.nip.io:1111", all, 1111));
    }

    #[test]
    fn a_head_ends_at_its_empty_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody"), Some(27));
        assert_eq!(head_end(b"GET / HTTP/1.0\n\n"), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n"), None);
    }

    #[test]
    fn escapes_in_paths_are_decoded() {
        assert_eq!(percent_decode("/tags/caf%C3%A9/"), "/tags/café/");
        assert_eq!(percent_decode("/a%2"), "/a%2");
        assert_eq!(percent_decode("/100%"), "/100%");
    }
}
