//! `hearth newsletter endpoint`: the one dynamic part of a hearth site, a small
//! HTTP/1.1 service behind a reverse proxy for joining (double opt-in) and leaving
//! (RFC 8058 one-click). It never serves the site itself.
//!
//! - `POST /subscribe` (form `email`, `name`; the hidden `website` field must stay
//!   empty: bots fill it) mails a signed confirmation link and records nothing. The
//!   answer is the same whether or not the address is on the list already, so the
//!   form tells nobody who is subscribed. At most `RATE_MAX` requests per client in
//!   `RATE_WINDOW`; the client is the peer's IP, or the first `X-Forwarded-For`
//!   hop when the peer is this machine (the reverse proxy).
//! - `GET /confirm/T` and `GET /unsubscribe/T` show a page with one button and
//!   change nothing: mail scanners open links; only a `POST` acts.
//! - `POST /confirm/T` appends to `newsletter/joined.csv`; `POST /unsubscribe/T`
//!   appends to `newsletter/suppressed.txt` (see `changes`). Both are idempotent.
//!
//! Requests are bounded as in `hearth serve` (`crate::http`): a head of 64 KiB
//! within 10 s, a body of 16 KiB, 64 connections. SIGTERM or Ctrl-C stops
//! accepting, lets open requests finish (up to 10 s), and ends.

use std::collections::{BTreeMap, VecDeque};
use std::io::{Read as _, Write as _};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use jiff::Timestamp;
use serde::Serialize;

use super::changes::{self, Changes, Joined};
use super::run::Newsletter;
use super::send::{Outcome, Sender};
use super::subscribers;
use super::token::{Refusal, Signer};
use crate::http::{Gate, HeadError, Ticket, read_head_and_more};

/// The largest request body (a form).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Signup requests one client may make per window.
pub const RATE_MAX: usize = 5;
pub const RATE_WINDOW: Duration = Duration::from_secs(600);
/// Clients remembered by the rate limit at most; past that, new ones wait.
const RATE_CLIENTS: usize = 10_000;
const MAX_CONNECTIONS: usize = 64;
const BODY_TIME: Duration = Duration::from_secs(10);
const WRITE_TIME: Duration = Duration::from_secs(10);
/// The hidden form field only bots fill in.
pub use crate::render::archive::HONEYPOT;

/// What `hearth newsletter endpoint` was asked for.
#[derive(Debug, Clone)]
pub struct EndpointOptions {
    pub site_dir: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// A fixed "now" (tests move time with `--now`); `None` reads the clock.
    pub now: Option<Timestamp>,
}

/// Everything a request needs, shared by the connection threads.
struct Service {
    n: Newsletter,
    endpoint: String,
    signer: Signer,
    fixed_now: Option<Timestamp>,
    /// `site` for the page templates, links made absolute to the site.
    site: serde_json::Value,
    limiter: Mutex<Limiter>,
    /// One change to the list files at a time.
    writing: Mutex<()>,
}

/// Runs the endpoint until SIGTERM or Ctrl-C; `ready` is told the bound address.
pub fn run(opts: &EndpointOptions, ready: impl FnOnce(SocketAddr)) -> Result<()> {
    let now = opts.now.unwrap_or_else(Timestamp::now);
    let n = Newsletter::load(&opts.site_dir, now)?;
    let Some(endpoint) = n.settings.endpoint.clone() else {
        bail!(
            "there is no `endpoint` in [newsletter] of hearth.toml: set it to the public URL this service answers at (see README, \"Running the newsletter endpoint\")"
        );
    };
    let Some(signer) = n.signer()? else {
        bail!("`endpoint` needs `secret_env` in [newsletter] of hearth.toml");
    };
    if n.settings.smtp.is_none() {
        bail!("the endpoint mails confirmation links: add an [smtp] section to hearth.toml");
    }
    let site = site_json(&n)?;
    let listener = TcpListener::bind((opts.bind, opts.port))
        .with_context(|| format!("cannot listen on {}:{}", opts.bind, opts.port))?;
    let service = Arc::new(Service {
        n,
        endpoint,
        signer,
        fixed_now: opts.now,
        site,
        limiter: Mutex::new(Limiter::default()),
        writing: Mutex::new(()),
    });
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("cannot listen for SIGTERM/SIGINT")?;
    }
    ready(listener.local_addr()?);
    serve(&listener, &service, &stop)
}

/// The site as page templates see it, with `root` the site's absolute URL: the
/// endpoint runs on another host, and the stylesheet and links are the site's.
fn site_json(n: &Newsletter) -> Result<serde_json::Value> {
    let views = crate::render::views::Views::new(&n.loaded.site);
    let mut site = serde_json::to_value(&views.site)?;
    let config = &n.loaded.site.config;
    let root = format!("{}{}", config.origin(), config.root);
    site["root"] = root.into();
    Ok(site)
}

/// Accepts until told to stop, then waits a little for open requests.
fn serve(listener: &TcpListener, service: &Arc<Service>, stop: &AtomicBool) -> Result<()> {
    // Non-blocking, so a signal is noticed within a tick.
    listener.set_nonblocking(true)?;
    let gate = Arc::new(Gate::new(MAX_CONNECTIONS, 0));
    while !stop.load(Ordering::SeqCst) {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(_) => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let _ = stream.set_nonblocking(false);
        let Some(ticket) = Gate::admit(&gate, &stream) else {
            let _ = respond(&stream, &Page::text(503, "too many connections now\n"));
            continue;
        };
        let service = Arc::clone(service);
        let spawned = std::thread::Builder::new().spawn(move || {
            let ticket = ticket;
            let _ = handle(&stream, &service, &ticket, peer.ip());
        });
        if spawned.is_err() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let until = Instant::now() + Duration::from_secs(10);
    while gate.open() > 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// One parsed request.
struct Request {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

fn handle(stream: &TcpStream, s: &Service, ticket: &Ticket, peer: IpAddr) -> std::io::Result<()> {
    stream.set_write_timeout(Some(WRITE_TIME))?;
    let (head, more) = match read_head_and_more(stream) {
        Ok(read) => read,
        Err(HeadError::Closed) => return Ok(()),
        Err(HeadError::Slow) => return respond(stream, &Page::text(408, "too slow\n")),
        Err(HeadError::TooLarge) => {
            return respond(
                stream,
                &Page::text(431, "the request head is over 64 KiB\n"),
            );
        }
    };
    ticket.head_read();
    let (page, head_only) = match read_request(stream, &head, more) {
        Ok(request) => (route(s, &request, peer), request.method == "HEAD"),
        Err(page) => (page, false),
    };
    if head_only {
        let mut page = page;
        // The length of the page a GET would get, without the page.
        let length = page.body.len();
        page.body.clear();
        return respond_sized(stream, &page, length);
    }
    respond(stream, &page)
}

/// The request line, headers and body (at most `MAX_BODY_BYTES`).
fn read_request(stream: &TcpStream, head: &[u8], mut body: Vec<u8>) -> Result<Request, Page> {
    let head = String::from_utf8_lossy(head);
    let mut lines = head.lines();
    let mut parts = lines.next().unwrap_or("").split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/").to_string();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    if headers.contains_key("transfer-encoding") {
        return Err(Page::text(411, "send the body with a Content-Length\n"));
    }
    let length: usize = match headers.get("content-length") {
        Some(l) => l
            .parse()
            .map_err(|_| Page::text(400, "bad Content-Length\n"))?,
        None => 0,
    };
    if length > MAX_BODY_BYTES {
        return Err(Page::text(413, "the request body is over 16 KiB\n"));
    }
    let deadline = Instant::now() + BODY_TIME;
    let mut chunk = [0u8; 4096];
    while body.len() < length {
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| Page::text(408, "too slow\n"))?;
        let _ = stream.set_read_timeout(Some(left));
        match (&*stream).read(&mut chunk) {
            Ok(0) => return Err(Page::text(400, "the body ended early\n")),
            Ok(k) => body.extend_from_slice(&chunk[..k]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(Page::text(408, "too slow\n")),
        }
    }
    body.truncate(length);
    Ok(Request {
        method,
        path,
        headers,
        body,
    })
}

fn route(s: &Service, r: &Request, peer: IpAddr) -> Page {
    let segments: Vec<&str> = r.path.trim_matches('/').split('/').collect();
    let result = match (r.method.as_str(), segments.as_slice()) {
        ("POST", ["subscribe"]) => subscribe(s, r, peer),
        ("GET" | "HEAD", ["confirm", token]) => confirm_page(s, token),
        ("POST", ["confirm", token]) => confirm(s, token),
        ("GET" | "HEAD", ["unsubscribe", token]) => unsubscribe_page(s, token),
        ("POST", ["unsubscribe", token]) => unsubscribe(s, token),
        (_, ["subscribe" | "confirm" | "unsubscribe", ..]) => Ok(message(
            s,
            405,
            "Not like this",
            "This address takes a form sent with the button on its page.",
        )),
        _ => Ok(message(
            s,
            404,
            "Not found",
            "This service only handles joining and leaving the newsletter.",
        )),
    };
    result.unwrap_or_else(|e| {
        tracing::error!("{e:#}");
        eprintln!("error: {e:#}");
        message(s, 500, "Something went wrong", "Please try again later.")
    })
}

impl Service {
    fn now(&self) -> Timestamp {
        self.fixed_now.unwrap_or_else(Timestamp::now)
    }

    fn title(&self) -> &str {
        &self.n.loaded.site.config.title
    }

    /// Whether `address` is among the next issue's recipients.
    fn on_list(&self, address: &lettre::Address) -> Result<bool> {
        let key = subscribers::key(address);
        Ok(self.n.recipients()?.list.iter().any(|s| s.key() == key))
    }

    /// What a person agrees to by pressing the confirm button; kept in joined.csv.
    fn consent(&self, address: &lettre::Address) -> String {
        format!(
            "I want to receive the {} newsletter at {address}. I can leave at any time with the link in every email.",
            self.title()
        )
    }
}

// ---------------------------------------------------------------------------
// the routes

fn subscribe(s: &Service, r: &Request, peer: IpAddr) -> Result<Page> {
    let form = parse_form(&r.body);
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    if !field(HONEYPOT).is_empty() {
        return Ok(message(
            s,
            400,
            "Not sent",
            "The form was not filled in as expected.",
        ));
    }
    let client = client_of(peer, r.headers.get("x-forwarded-for").map(String::as_str));
    if !s
        .limiter
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .allow(&client, Instant::now())
    {
        return Ok(message(
            s,
            429,
            "Too many requests",
            "Please wait a few minutes and try again.",
        ));
    }
    let email = field("email").trim();
    let Ok(address) = subscribers::parse_address(email) else {
        return Ok(message(
            s,
            400,
            "That is not an email address",
            "Please go back and check the address.",
        ));
    };
    let token = s.signer.confirm(&address, field("name"), s.now());
    let link = format!("{}/confirm/{token}", s.endpoint);
    match mail_confirmation(s, &address, &link)? {
        Outcome::Deferred(why) | Outcome::Paused { why, .. } | Outcome::LoginRefused(why) => {
            tracing::warn!("confirmation to {address} deferred: {why}");
            Ok(message(
                s,
                503,
                "Not sent yet",
                "We could not send the confirmation email just now. Please try again later.",
            ))
        }
        // Refused for good, or sent: the same answer either way.
        Outcome::Rejected(_) | Outcome::Delivered => Ok(message(
            s,
            200,
            "Check your inbox",
            "If the address can receive email, a message with a confirmation link is on its way. The link works for seven days.",
        )),
    }
}

fn mail_confirmation(s: &Service, address: &lettre::Address, link: &str) -> Result<Outcome> {
    let settings = &s.n.settings;
    let Some(smtp) = &settings.smtp else {
        bail!("there is no [smtp] section in hearth.toml");
    };
    let text = format!(
        "Hello,\r\n\r\nsomeone, hopefully you, asked to receive the {title} newsletter at {address}.\r\nTo confirm, open this link and press the button on the page:\r\n\r\n{link}\r\n\r\nThe link works for seven days. If it was not you, ignore this email: nothing happens without the button.\r\n\r\n-- \r\n{title}\r\n",
        title = s.title()
    );
    let mut builder = lettre::Message::builder()
        .from(settings.from.clone())
        .to(lettre::message::Mailbox::new(None, address.clone()))
        .subject(format!("Confirm your subscription to {}", s.title()))
        .date(std::time::SystemTime::from(s.now()));
    if let Some(reply_to) = &settings.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    let message = builder
        .body(text)
        .context("cannot build the confirmation email")?;
    Ok(Sender::new(smtp)?.send(&message))
}

/// The page for a token that did not check.
fn refused(s: &Service, why: &Refusal) -> Page {
    match why {
        Refusal::Expired => message(
            s,
            410,
            "This link has expired",
            "Confirmation links work for seven days. Please subscribe again.",
        ),
        Refusal::Invalid => message(
            s,
            400,
            "This link does not work",
            "It may have been cut short or changed. Please use the link exactly as it came.",
        ),
    }
}

#[derive(Serialize)]
struct ConfirmContext<'a> {
    email: String,
    name: &'a str,
    consent: String,
    action: String,
}

fn confirm_page(s: &Service, token: &str) -> Result<Page> {
    let c = match s.signer.open_confirm(token, s.now()) {
        Ok(c) => c,
        Err(why) => return Ok(refused(s, &why)),
    };
    let ctx = ConfirmContext {
        email: c.address.to_string(),
        name: &c.name,
        consent: s.consent(&c.address),
        action: format!("{}/confirm/{token}", s.endpoint),
    };
    page(s, 200, "newsletter/confirm.html", &ctx)
}

#[derive(Serialize)]
struct SubscribedContext {
    email: String,
    /// False when the address was on the list already.
    new: bool,
}

fn confirm(s: &Service, token: &str) -> Result<Page> {
    let c = match s.signer.open_confirm(token, s.now()) {
        Ok(c) => c,
        Err(why) => return Ok(refused(s, &why)),
    };
    let new = {
        let _writing = s.writing.lock().unwrap_or_else(|e| e.into_inner());
        let new = !s.on_list(&c.address)?;
        if new {
            changes::record_join(
                &s.n.site_dir,
                &Joined {
                    time: s.now(),
                    address: c.address.clone(),
                    name: c.name.clone(),
                    source: "endpoint".to_string(),
                    consent: s.consent(&c.address),
                },
            )?;
        }
        new
    };
    let ctx = SubscribedContext {
        email: c.address.to_string(),
        new,
    };
    page(s, 200, "newsletter/subscribed.html", &ctx)
}

#[derive(Serialize)]
struct UnsubscribeContext {
    email: String,
    list: String,
    action: String,
    /// True once the address has left (after the button).
    done: bool,
}

fn unsubscribe_page(s: &Service, token: &str) -> Result<Page> {
    let address = match s.signer.open_unsubscribe(token) {
        Ok(a) => a,
        Err(why) => return Ok(refused(s, &why)),
    };
    let ctx = UnsubscribeContext {
        email: address.to_string(),
        list: s.title().to_string(),
        action: format!("{}/unsubscribe/{token}", s.endpoint),
        done: false,
    };
    page(s, 200, "newsletter/unsubscribe.html", &ctx)
}

/// RFC 8058 one-click: leaves at once, 200 without a redirect, idempotent.
fn unsubscribe(s: &Service, token: &str) -> Result<Page> {
    let address = match s.signer.open_unsubscribe(token) {
        Ok(a) => a,
        Err(why) => return Ok(refused(s, &why)),
    };
    {
        let _writing = s.writing.lock().unwrap_or_else(|e| e.into_inner());
        let changes = Changes::load(&s.n.site_dir)?;
        if !changes.is_suppressed(&subscribers::key(&address)) {
            changes::record_suppression(
                &s.n.site_dir,
                &address,
                s.now(),
                "unsubscribed (one-click)",
            )?;
        }
    }
    let ctx = UnsubscribeContext {
        email: address.to_string(),
        list: s.title().to_string(),
        action: format!("{}/unsubscribe/{token}", s.endpoint),
        done: true,
    };
    page(s, 200, "newsletter/unsubscribe.html", &ctx)
}

// ---------------------------------------------------------------------------
// pages and answers

/// An answer: status, content type and body.
struct Page {
    status: u16,
    kind: &'static str,
    body: Vec<u8>,
}

impl Page {
    fn text(status: u16, text: &str) -> Page {
        Page {
            status,
            kind: "text/plain; charset=utf-8",
            body: text.as_bytes().to_vec(),
        }
    }
}

#[derive(Serialize)]
struct MessageContext<'a> {
    heading: &'a str,
    text: &'a str,
    status: u16,
}

/// The theme's generic message page (`newsletter/message.html`).
fn message(s: &Service, status: u16, heading: &str, text: &str) -> Page {
    let ctx = MessageContext {
        heading,
        text,
        status,
    };
    page(s, status, "newsletter/message.html", &ctx)
        .unwrap_or_else(|_| Page::text(status, &format!("{heading}\n\n{text}\n")))
}

/// A page of the site's theme with `ctx`, `site`, `current_path` and `permalink`.
fn page(s: &Service, status: u16, template: &str, ctx: &impl Serialize) -> Result<Page> {
    let mut context = tera::Context::from_serialize(ctx)?;
    context.insert("site", &s.site);
    context.insert("current_path", "/");
    context.insert("permalink", &s.endpoint);
    let html = s.n.loaded.tera.render(template, &context).map_err(|e| {
        anyhow::anyhow!(
            "cannot render the template {template}: {}",
            crate::render::error_chain(&e)
        )
    })?;
    Ok(Page {
        status,
        kind: "text/html; charset=utf-8",
        body: html.into_bytes(),
    })
}

fn respond(stream: &TcpStream, page: &Page) -> std::io::Result<()> {
    respond_sized(stream, page, page.body.len())
}

/// Writes `page` with `length` as its Content-Length (that of the body a GET gets).
fn respond_sized(mut stream: &TcpStream, page: &Page, length: usize) -> std::io::Result<()> {
    let reason = match page.status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        410 => "Gone",
        411 => "Length Required",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "Service Unavailable",
    };
    // No Referer may carry a token to another site; no page is framed.
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nX-Frame-Options: DENY\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        page.status, page.kind, length
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&page.body)?;
    stream.flush()
}

// ---------------------------------------------------------------------------
// small pure parts

/// Fields of an `application/x-www-form-urlencoded` body; the first of a name wins.
pub fn parse_form(body: &[u8]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for pair in body.split(|&b| b == b'&') {
        let mut kv = pair.splitn(2, |&b| b == b'=');
        let key = decode_form(kv.next().unwrap_or(b""));
        let value = decode_form(kv.next().unwrap_or(b""));
        if !key.is_empty() {
            out.entry(key).or_insert(value);
        }
    }
    out
}

fn decode_form(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Who a request is from, for the rate limit: the first `X-Forwarded-For` hop
/// when the peer is this machine (the reverse proxy), else the peer. A client
/// reaching the endpoint directly cannot pick its identity with the header.
pub fn client_of(peer: IpAddr, forwarded: Option<&str>) -> String {
    let hop = forwarded
        .and_then(|f| f.split(',').next())
        .and_then(|h| h.trim().parse::<IpAddr>().ok());
    match hop {
        Some(ip) if peer.is_loopback() => ip.to_string(),
        _ => peer.to_string(),
    }
}

/// Requests per client in a sliding window.
#[derive(Default)]
struct Limiter {
    seen: BTreeMap<String, VecDeque<Instant>>,
}

impl Limiter {
    /// Whether `client` may make one more request at `now` (and counts it).
    fn allow(&mut self, client: &str, now: Instant) -> bool {
        if self.seen.len() >= RATE_CLIENTS && !self.seen.contains_key(client) {
            self.seen.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < RATE_WINDOW)
            });
            if self.seen.len() >= RATE_CLIENTS {
                return false;
            }
        }
        let times = self.seen.entry(client.to_string()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= RATE_WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= RATE_MAX {
            return false;
        }
        times.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_are_decoded() {
        let form =
            parse_form(b"email=ada%40example.org&name=Ada+L%C3%B6w&website=&bad=%zz&email=x");
        assert_eq!(form["email"], "ada@example.org");
        assert_eq!(form["name"], "Ada Löw");
        assert_eq!(form["website"], "");
        assert_eq!(form["bad"], "%zz");
        assert_eq!(parse_form(b"a=%4")["a"], "%4");
    }

    #[test]
    fn the_forwarded_client_counts_only_behind_a_local_proxy() {
        let local: IpAddr = "127.0.0.1".parse().expect("ip");
        let remote: IpAddr = "203.0.113.9".parse().expect("ip");
        assert_eq!(
            client_of(local, Some("198.51.100.7, 10.0.0.1")),
            "198.51.100.7"
        );
        assert_eq!(client_of(local, Some("garbage")), "127.0.0.1");
        assert_eq!(client_of(remote, Some("198.51.100.7")), "203.0.113.9");
    }

    #[test]
    fn a_client_gets_five_signups_per_window() {
        let mut l = Limiter::default();
        let t = Instant::now();
        for _ in 0..RATE_MAX {
            assert!(l.allow("a", t));
        }
        assert!(!l.allow("a", t));
        assert!(l.allow("b", t));
        assert!(l.allow("a", t + RATE_WINDOW));
    }
}
