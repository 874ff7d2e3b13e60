//! A small HTTP/1.1 server for previews: serves the latest good build from memory,
//! answers `/posts/x` with a redirect to `/posts/x/`, unknown URLs with the theme's
//! 404 page, and streams build events to open tabs (server-sent events) so they
//! reload by themselves.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use super::{Event, Shared, Snapshot};
use crate::build::CopyFrom;

/// The path of the event stream the reload script listens to.
pub const EVENTS_PATH: &str = "/__hearth/events";

/// Accepts connections until the process ends, one thread per connection.
pub fn run(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            let _ = handle(stream, &shared);
        });
    }
}

fn handle(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Headers are read and dropped; nothing here needs them.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
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
        return events(stream, shared);
    }
    let snapshot = shared.snapshot();
    match lookup(&snapshot, &path) {
        Found::File(rel) => {
            let body = match read(&snapshot, rel) {
                Ok(body) => body,
                // A copied file deleted since the last build: it is gone.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return not_found(&mut stream, &snapshot, method);
                }
                Err(e) => return Err(e),
            };
            let kind = content_type(rel);
            let body = if kind.starts_with("text/html") {
                inject_reload(&body)
            } else {
                body
            };
            respond(&mut stream, 200, kind, &body, &[], method)
        }
        Found::Folder(location) => {
            let query = target.split_once('?').map(|(_, q)| q);
            let header = match query {
                Some(q) => format!("Location: {location}?{q}"),
                None => format!("Location: {location}"),
            };
            respond(
                &mut stream,
                301,
                "text/plain; charset=utf-8",
                b"moved\n",
                &[&header],
                method,
            )
        }
        Found::Nothing => not_found(&mut stream, &snapshot, method),
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
    if let Some((key, _)) = snapshot.files.get_key_value(candidate.as_str()) {
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
    match snapshot.files.get(rel) {
        Some(super::Body::Text(text)) => Ok(text.as_bytes().to_vec()),
        Some(super::Body::Copy(CopyFrom::Builtin(bytes))) => Ok(bytes.to_vec()),
        Some(super::Body::Copy(CopyFrom::File(path))) => std::fs::read(path),
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
        404 => "Not Found",
        _ => "Method Not Allowed",
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

/// Decodes `%XX` escapes of a URL path; invalid ones stay as written.
fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn escapes_in_paths_are_decoded() {
        assert_eq!(percent_decode("/tags/caf%C3%A9/"), "/tags/café/");
        assert_eq!(percent_decode("/a%2"), "/a%2");
        assert_eq!(percent_decode("/100%"), "/100%");
    }
}
