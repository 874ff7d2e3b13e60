//! `[newsletter]` and `[smtp]` of hearth.toml, checked into settings a send can trust:
//! parsed addresses, a parsed schedule, a known security mode. Problems name
//! hearth.toml and the line of the key.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::Mailbox;

use super::schedule::Schedule;
use crate::config::{self, Config, RawNewsletter, RawSmtp};
use crate::content::frontmatter::table_key_line;
use crate::diag::{Diagnostics, Problems};
use crate::http::percent_decode;

#[derive(Debug, Clone)]
pub struct Settings {
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    /// A Tera template with `site` and `issue`.
    pub subject: String,
    /// The subscribers CSV file.
    pub subscribers: PathBuf,
    pub schedule: Option<Schedule>,
    pub upcoming_days: i64,
    /// `mailto:` or `https:` URL for List-Unsubscribe and the email's footer when
    /// there is no endpoint; empty when an endpoint stands in for it.
    pub unsubscribe: String,
    /// Where `hearth newsletter endpoint` answers, without a trailing `/`.
    pub endpoint: Option<String>,
    /// The environment variable holding the key of signed links (set with `endpoint`).
    pub secret_env: Option<String>,
    /// The list's id (`newsletter.HOST`): in `List-Id` and in every signed token, so
    /// a token of one list means nothing to another.
    pub list: String,
    /// Envelope sender; bounces land there.
    pub bounce_address: Option<lettre::Address>,
    pub bounce_mailbox: Option<BounceMailbox>,
    pub smtp: Option<Smtp>,
}

impl Settings {
    /// Whether the unsubscribe target takes a one-click POST (RFC 8058).
    pub fn one_click_unsubscribe(&self) -> bool {
        self.endpoint.is_some() || self.unsubscribe.starts_with("https:")
    }

    /// The `mailto:` of List-Unsubscribe beside the endpoint's link: the
    /// `unsubscribe` key when it is one, else the reply address, else the sender.
    pub fn unsubscribe_mailto(&self) -> String {
        if self.unsubscribe.starts_with("mailto:") {
            return self.unsubscribe.clone();
        }
        let to = self.reply_to.as_ref().unwrap_or(&self.from);
        format!("mailto:{}?subject=unsubscribe", to.email)
    }
}

/// Where bounce reports are read (`bounce_mailbox`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BounceMailbox {
    Imap(Imap),
    /// A Maildir folder (with `new/` and `cur/`), from the operator's own machine.
    Maildir(PathBuf),
}

/// An IMAP mailbox over TLS (`imaps://user@host[:port]/MAILBOX`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imap {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub mailbox: String,
    /// The variable holding the password (`bounce_password_env`).
    pub password_env: String,
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (required).
    StartTls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption: only for a relay on the same machine.
    None,
}

#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    /// Name of the environment variable that holds the password; the password itself
    /// is never stored or logged.
    pub password_env: Option<String>,
    /// Messages per second at most; `None`: as fast as the server takes them.
    pub rate_per_second: Option<f64>,
    pub ca_file: Option<PathBuf>,
    pub timeout: Duration,
    pub retry: super::send::Retry,
    pub dkim: Option<Dkim>,
    /// Provider quotas (0: none), counted over every issue's ledger.
    pub max_per_hour: u32,
    pub max_per_day: u32,
    /// Parallel connections, 1 to `MAX_CONNECTIONS`.
    pub connections: usize,
    /// Extra headers for every message, checked (`headers`).
    pub headers: Vec<(String, String)>,
}

/// The most parallel connections a send opens: more only trips providers' limits.
pub const MAX_CONNECTIONS: u32 = 8;

/// Headers hearth writes itself: `[smtp] headers` cannot replace them.
const OWN_HEADERS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "reply-to",
    "sender",
    "return-path",
    "list-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "dkim-signature",
    "received",
];

/// Checks `[smtp] headers`: a name is a header field name (printable ASCII without
/// `:` or spaces) not among hearth's own headers; a value has no line break.
fn custom_headers(
    raw: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (name, value) in raw {
        let token = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
        if !token {
            return Err(format!(
                "`headers`: `{name}` is not a header name (letters, digits and `-`, no spaces or `:`)"
            ));
        }
        if OWN_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "`headers`: `{name}` is written by hearth itself and cannot be set here"
            ));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(format!(
                "`headers`: the value of `{name}` has a line break or control character"
            ));
        }
        out.push((name.clone(), value.trim().to_string()));
    }
    Ok(out)
}

/// The slowest sending rate: one message every 1,000 seconds.
const MIN_RATE: f64 = 0.001;

#[derive(Debug, Clone)]
pub struct Dkim {
    pub selector: String,
    pub domain: String,
    pub key_file: PathBuf,
}

/// The lead title and how much more it holds; the date when it has none.
const DEFAULT_SUBJECT: &str = "{{ site.title }}: {% if issue.lead %}{{ issue.lead }}{% if issue.more > 0 %} (+{{ issue.more }} more){% endif %}{% else %}{{ issue.date }}{% endif %}";

/// Checks the newsletter settings of `config`; every problem is listed.
pub fn load(site_dir: &Path, config: &Config) -> Result<Settings, Problems> {
    let mut diags = Diagnostics::default();
    let path = Path::new(config::FILE_NAME);
    let Some(raw) = &config.newsletter else {
        diags.error(path, None, "there is no [newsletter] section: add one with at least `from` and `unsubscribe` (see README)");
        return Err(Problems::new(diags.into_items()));
    };
    let mut at = |key: &str, message: String| {
        diags.error(
            path,
            table_key_line(&config.text, "newsletter", key),
            message,
        )
    };
    let settings = resolve(site_dir, raw, &mut at).map(|mut s| {
        s.list = format!("newsletter.{}", host_of(config.origin()));
        s
    });
    let smtp = config
        .smtp
        .as_ref()
        .map(|s| resolve_smtp(site_dir, s, &config.text, &mut diags));
    if let (Some(s), Some(Some(smtp))) = (&settings, &smtp)
        && let Some(dkim) = &smtp.dkim
        && !aligned(&dkim.domain, s.from.email.domain())
    {
        diags.error(
            path,
            table_key_line(&config.text, "smtp", "dkim_domain"),
            format!(
                "`dkim_domain = \"{}\"` is not the domain of `from` ({}) or a parent of it: receivers would not count the signature for DMARC",
                dkim.domain,
                s.from.email.domain()
            ),
        );
    }
    match (settings, diags.has_errors()) {
        (Some(mut settings), false) => {
            settings.smtp = smtp.flatten();
            Ok(settings)
        }
        _ => {
            diags.attach_sources(site_dir);
            Err(Problems::new(diags.into_items()))
        }
    }
}

fn mailbox(key: &str, value: &str, at: &mut impl FnMut(&str, String)) -> Option<Mailbox> {
    match value.parse::<Mailbox>() {
        Ok(m) => Some(m),
        Err(e) => {
            at(
                key,
                format!(
                    "`{key}` is not an email address (`Name <user@example.org>` or `user@example.org`): {e}"
                ),
            );
            None
        }
    }
}

fn resolve(
    site_dir: &Path,
    raw: &RawNewsletter,
    at: &mut impl FnMut(&str, String),
) -> Option<Settings> {
    let from = mailbox("from", &raw.from, at);
    let reply_to = raw
        .reply_to
        .as_deref()
        .and_then(|r| mailbox("reply_to", r, at));
    let schedule = raw
        .schedule
        .as_deref()
        .and_then(|s| match Schedule::parse(s) {
            Ok(s) => Some(s),
            Err(e) => {
                at("schedule", format!("`schedule`: {e}"));
                None
            }
        });
    let upcoming_days = raw.upcoming_days.unwrap_or(30);
    if !(0..=3650).contains(&upcoming_days) {
        at(
            "upcoming_days",
            format!("`upcoming_days` must be between 0 and 3650, not {upcoming_days}"),
        );
    }
    let joining = resolve_joining(site_dir, raw, at);
    let unsubscribe = raw.unsubscribe.clone().unwrap_or_default();
    let valid_target = (unsubscribe.starts_with("mailto:") && unsubscribe.len() > 7)
        || (unsubscribe.starts_with("https://") && unsubscribe.len() > 8)
        || (unsubscribe.is_empty() && raw.endpoint.is_some());
    if !valid_target || !url_safe(&unsubscribe) {
        at(
            "unsubscribe",
            "set `unsubscribe` to a `mailto:` or `https:` URL: every email needs a working way to leave the list".to_string(),
        );
    }
    let subject = raw
        .subject
        .clone()
        .unwrap_or_else(|| DEFAULT_SUBJECT.to_string());
    let subscribers = subscribers_path(raw.subscribers.as_deref().unwrap_or("subscribers.csv"))
        .map_err(|why| at("subscribers", why))
        .ok()
        .map(|rel| site_dir.join(rel));
    Some(Settings {
        from: from?,
        reply_to,
        subject,
        subscribers: subscribers?,
        schedule,
        upcoming_days,
        unsubscribe,
        endpoint: joining.endpoint,
        secret_env: joining.secret_env,
        list: String::new(),
        bounce_address: joining.bounce_address,
        bounce_mailbox: joining.bounce_mailbox,
        smtp: None,
    })
}

/// DMARC's relaxed alignment: `signing` is `from_domain` or a parent of it.
fn aligned(signing: &str, from_domain: &str) -> bool {
    let signing = signing.trim_end_matches('.').to_ascii_lowercase();
    let from = from_domain.trim_end_matches('.').to_ascii_lowercase();
    signing.contains('.') && (from == signing || from.ends_with(&format!(".{signing}")))
}

/// A URL fit for a header between `<` and `>`: no spaces, no brackets or quotes.
fn url_safe(url: &str) -> bool {
    !url.contains(|c: char| c.is_whitespace() || c.is_control() || "<>\"".contains(c))
}

/// The host of an origin (`https://example.org` -> `example.org`).
fn host_of(origin: &str) -> &str {
    origin.split("://").nth(1).unwrap_or(origin)
}

/// The keys for joining and leaving: `endpoint`, `secret_env`, `bounce_*`.
#[derive(Default)]
struct Joining {
    endpoint: Option<String>,
    secret_env: Option<String>,
    bounce_address: Option<lettre::Address>,
    bounce_mailbox: Option<BounceMailbox>,
}

fn resolve_joining(
    site_dir: &Path,
    raw: &RawNewsletter,
    at: &mut impl FnMut(&str, String),
) -> Joining {
    let endpoint = raw.endpoint.as_deref().and_then(|e| match endpoint_url(e) {
        Ok(url) => Some(url),
        Err(why) => {
            at("endpoint", why);
            None
        }
    });
    if raw.endpoint.is_some() && raw.secret_env.is_none() {
        at(
            "endpoint",
            "`endpoint` needs `secret_env`: the environment variable that holds the key of the signed links".to_string(),
        );
    }
    let bounce_address = raw.bounce_address.as_deref().and_then(|a| {
        super::subscribers::parse_address(a)
            .map_err(|why| at("bounce_address", format!("`bounce_address`: {why}")))
            .ok()
    });
    let bounce_mailbox = raw.bounce_mailbox.as_deref().and_then(|m| {
        bounce_mailbox(site_dir, m, raw)
            .map_err(|why| at("bounce_mailbox", why))
            .ok()
    });
    Joining {
        endpoint,
        secret_env: raw.secret_env.clone(),
        bounce_address,
        bounce_mailbox,
    }
}

/// The endpoint's public URL: `https://`, or `http://` on this machine only (a
/// test, or a proxy on the same host), without a trailing `/`.
fn endpoint_url(value: &str) -> Result<String, String> {
    let url = value.trim_end_matches('/');
    let host = url.strip_prefix("https://").or_else(|| {
        url.strip_prefix("http://").filter(|rest| {
            let host = rest.split('/').next().unwrap_or("");
            let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
            is_loopback(host)
        })
    });
    match host {
        Some(rest) if !rest.is_empty() && url_safe(url) && !url.contains(['?', '#']) => {
            Ok(url.to_string())
        }
        _ => Err(format!(
            "`endpoint` must be an `https://` URL (or `http://` on localhost), not `{value}`"
        )),
    }
}

/// `imaps://user@host[:port]/MAILBOX` or `maildir:PATH`.
fn bounce_mailbox(
    site_dir: &Path,
    value: &str,
    raw: &RawNewsletter,
) -> Result<BounceMailbox, String> {
    if let Some(path) = value.strip_prefix("maildir:") {
        if path.trim().is_empty() {
            return Err("`bounce_mailbox = \"maildir:PATH\"` needs a path".to_string());
        }
        return Ok(BounceMailbox::Maildir(site_dir.join(path)));
    }
    let bad = || {
        format!(
            "`bounce_mailbox` must be `imaps://user@host[:port]/MAILBOX` or `maildir:PATH`, not `{value}`"
        )
    };
    let rest = value.strip_prefix("imaps://").ok_or_else(bad)?;
    let (authority, mailbox) = rest.split_once('/').unwrap_or((rest, "INBOX"));
    let (user, hostport) = authority.rsplit_once('@').ok_or_else(bad)?;
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
        None => (hostport, 993),
    };
    let clean = |s: &str| !s.is_empty() && !s.contains(|c: char| c.is_control() || c == '"');
    if !clean(user) || !clean(host) || !clean(mailbox) {
        return Err(bad());
    }
    let Some(password_env) = raw.bounce_password_env.clone() else {
        return Err("an `imaps://` bounce mailbox needs `bounce_password_env`: the environment variable that holds its password".to_string());
    };
    Ok(BounceMailbox::Imap(Imap {
        host: host.to_string(),
        port,
        user: percent_decode(user),
        mailbox: percent_decode(mailbox),
        password_env,
        ca_file: raw.bounce_ca_file.as_ref().map(|f| site_dir.join(f)),
    }))
}

/// The subscribers file must be a relative path inside the site: a pull request
/// must not point hearth at `/etc/passwd` or at a file beside the site.
fn subscribers_path(value: &str) -> Result<&Path, String> {
    use std::path::Component;
    let path = Path::new(value);
    let inside = path
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if value.trim().is_empty() || !inside || value.starts_with(['/', '\\']) {
        return Err(
            "`subscribers` must be a relative path inside the site folder (such as `subscribers.csv`), with no `..` and not absolute".to_string(),
        );
    }
    Ok(path)
}

/// Whether `host` is this machine: `localhost`, 127.0.0.0/8 or ::1.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn resolve_smtp(
    site_dir: &Path,
    raw: &RawSmtp,
    text: &str,
    diags: &mut Diagnostics,
) -> Option<Smtp> {
    let path = Path::new(config::FILE_NAME);
    let mut error =
        |key: &str, message: String| diags.error(path, table_key_line(text, "smtp", key), message);
    let security = match raw.security.as_deref().unwrap_or("starttls") {
        "starttls" => Security::StartTls,
        "tls" => Security::Tls,
        "none" => Security::None,
        other => {
            error(
                "security",
                format!("`security` is `{other}`; use `starttls`, `tls` or `none`"),
            );
            return None;
        }
    };
    let port = raw.port.unwrap_or(match security {
        Security::StartTls => 587,
        Security::Tls => 465,
        Security::None => 25,
    });
    let rate = raw.rate_per_second.filter(|r| *r > 0.0);
    if raw
        .rate_per_second
        .is_some_and(|r| !r.is_finite() || r < 0.0 || (r > 0.0 && r < MIN_RATE))
    {
        error(
            "rate_per_second",
            format!(
                "`rate_per_second` must be 0 (no limit) or a number of messages per second of at least {MIN_RATE}"
            ),
        );
    }
    if security == Security::None && raw.username.is_some() && !is_loopback(&raw.host) {
        error(
            "security",
            format!(
                "`security = \"none\"` would send the password of `username` in clear to `{}`; use `starttls` or `tls`, or `none` only with a relay on this machine (`localhost`, 127.0.0.1, ::1)",
                raw.host
            ),
        );
    }
    if raw.username.is_some() && raw.password_env.is_none() {
        error(
            "username",
            "`username` is set but `password_env` is not: name the environment variable that holds the password".to_string(),
        );
    }
    let dkim = match (&raw.dkim_selector, &raw.dkim_domain, &raw.dkim_key_file) {
        (None, None, None) => None,
        (Some(selector), Some(domain), Some(key)) => Some(Dkim {
            selector: selector.clone(),
            domain: domain.clone(),
            key_file: site_dir.join(key),
        }),
        _ => {
            error(
                "dkim_selector",
                "DKIM needs all three of `dkim_selector`, `dkim_domain` and `dkim_key_file`"
                    .to_string(),
            );
            None
        }
    };
    let connections = raw.connections.unwrap_or(1);
    if !(1..=MAX_CONNECTIONS).contains(&connections) {
        error(
            "connections",
            format!("`connections` must be between 1 and {MAX_CONNECTIONS}, not {connections}"),
        );
    }
    let headers = match raw.headers.as_ref().map(custom_headers).transpose() {
        Ok(h) => h.unwrap_or_default(),
        Err(why) => {
            error("headers", why);
            Vec::new()
        }
    };
    Some(Smtp {
        max_per_hour: raw.max_per_hour.unwrap_or(0),
        max_per_day: raw.max_per_day.unwrap_or(0),
        connections: connections.clamp(1, MAX_CONNECTIONS) as usize,
        headers,
        host: raw.host.clone(),
        port,
        security,
        username: raw.username.clone(),
        password_env: raw.password_env.clone(),
        rate_per_second: rate,
        ca_file: raw.ca_file.as_ref().map(|f| site_dir.join(f)),
        timeout: Duration::from_secs(raw.timeout_seconds.unwrap_or(30).max(1)),
        retry: super::send::Retry {
            attempts: raw.retries.unwrap_or(3).min(20) + 1,
            first_wait: Duration::from_millis(raw.retry_wait_ms.unwrap_or(500)),
        },
        dkim,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subscribers_file_stays_inside_the_site() {
        for good in ["subscribers.csv", "./lists/members.csv", "a/b.csv"] {
            assert!(subscribers_path(good).is_ok(), "{good}");
        }
        for bad in [
            "/etc/passwd",
            "../x.csv",
            "lists/../../x.csv",
            "",
            "\\\\host\\x",
        ] {
            assert!(subscribers_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_endpoint_is_https_or_local_http() {
        assert_eq!(
            endpoint_url("https://news.example.org/"),
            Ok("https://news.example.org".to_string())
        );
        assert!(endpoint_url("http://127.0.0.1:8080").is_ok());
        for bad in [
            "http://news.example.org",
            "ftp://x",
            "https://",
            "https://a b",
            "https://x/?q",
        ] {
            assert!(endpoint_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn custom_headers_are_names_with_one_line_values_and_not_our_own() {
        let one = |name: &str, value: &str| {
            custom_headers(
                &[(name.to_string(), value.to_string())]
                    .into_iter()
                    .collect(),
            )
        };
        assert!(one("X-PM-Message-Stream", "broadcast").is_ok());
        assert!(one("Feedback-ID", "a:b:c").is_ok());
        assert!(one("X Bad", "x").is_err());
        assert!(one("X-Bad:", "x").is_err());
        assert!(one("X-Inject", "a\r\nBcc: v@x.org").is_err());
        assert!(one("list-unsubscribe", "<https://evil.org>").is_err());
        assert!(one("From", "x@y.org").is_err());
    }

    #[test]
    fn a_dkim_domain_aligns_with_the_from_domain_or_a_parent() {
        assert!(aligned("rust.berlin", "rust.berlin"));
        assert!(aligned("rust.berlin", "news.rust.berlin"));
        assert!(aligned("Rust.Berlin.", "news.rust.berlin"));
        assert!(!aligned("news.rust.berlin", "rust.berlin"));
        assert!(!aligned("trust.berlin", "rust.berlin"));
        assert!(
            !aligned("berlin", "rust.berlin"),
            "not a public suffix alone"
        );
        assert!(!aligned("example.org", "rust.berlin"));
    }

    #[test]
    fn only_this_machine_is_loopback() {
        for local in [
            "localhost",
            "LOCALHOST.",
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
        ] {
            assert!(is_loopback(local), "{local}");
        }
        for remote in [
            "smtp.example.org",
            "10.0.0.1",
            "localhost.evil.org",
            "::2",
            "128.0.0.1",
        ] {
            assert!(!is_loopback(remote), "{remote}");
        }
    }
}
