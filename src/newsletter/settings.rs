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
    let subscribers = site_dir.join(raw.subscribers.as_deref().unwrap_or("subscribers.csv"));
    Some(Settings {
        from: from?,
        reply_to,
        subject,
        subscribers,
        schedule,
        upcoming_days,
        unsubscribe,
        smtp: None,
    })
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
