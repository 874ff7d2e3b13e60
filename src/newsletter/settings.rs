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
    /// `mailto:` or `https:` URL for List-Unsubscribe and the email's footer.
    pub unsubscribe: String,
    pub smtp: Option<Smtp>,
}

impl Settings {
    /// Whether the unsubscribe target takes a one-click POST (RFC 8058).
    pub fn one_click_unsubscribe(&self) -> bool {
        self.unsubscribe.starts_with("https:")
    }
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
}

/// The slowest sending rate: one message every 1,000 seconds.
const MIN_RATE: f64 = 0.001;

#[derive(Debug, Clone)]
pub struct Dkim {
    pub selector: String,
    pub domain: String,
    pub key_file: PathBuf,
}

const DEFAULT_SUBJECT: &str = "{{ site.title }}: {{ issue.date }}";

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
    let settings = resolve(site_dir, raw, &mut at);
    let smtp = config
        .smtp
        .as_ref()
        .map(|s| resolve_smtp(site_dir, s, &config.text, &mut diags));
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
    let unsubscribe = raw.unsubscribe.clone().unwrap_or_default();
    let valid_target = (unsubscribe.starts_with("mailto:") && unsubscribe.len() > 7)
        || (unsubscribe.starts_with("https://") && unsubscribe.len() > 8);
    if !valid_target
        || unsubscribe.contains(char::is_whitespace)
        || unsubscribe.contains(['<', '>', '"'])
    {
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
        smtp: None,
    })
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
    Some(Smtp {
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
