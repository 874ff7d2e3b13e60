//! Delivering messages over SMTP with lettre (rustls, no OpenSSL): one reused
//! connection, `rate_per_second` honoured, temporary failures (4xx, a dropped or
//! timed-out connection) retried with back-off on a fresh connection, permanent ones
//! (5xx) reported at once. A message the server accepted is never sent again.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport as _};

use super::settings::{Security, Smtp};

/// The result of delivering one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// The server refused for good (5xx): do not retry.
    Rejected(String),
    /// Still failing after every retry (4xx, connection trouble): retry later.
    Deferred(String),
}

/// How hard to try before deferring a recipient.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub first_wait: Duration,
}

pub struct Sender {
    transport: SmtpTransport,
    interval: Option<Duration>,
    last_send: Option<Instant>,
    retry: Retry,
}

impl Sender {
    /// Prepares the transport; the connection opens with the first message.
    pub fn new(smtp: &Smtp) -> Result<Sender> {
        let tls = || -> Result<TlsParameters> {
            let mut builder = TlsParameters::builder(smtp.host.clone());
            if let Some(ca) = &smtp.ca_file {
                let pem = std::fs::read(ca)
                    .with_context(|| format!("cannot read `ca_file` {}", ca.display()))?;
                let cert = Certificate::from_pem(&pem).map_err(|e| {
                    anyhow!("`ca_file` {} is not a PEM certificate: {e}", ca.display())
                })?;
                builder = builder.add_root_certificate(cert);
            }
            builder
                .build_rustls()
                .map_err(|e| anyhow!("cannot set up TLS: {e}"))
        };
        let mut builder = SmtpTransport::builder_dangerous(smtp.host.clone())
            .port(smtp.port)
            .timeout(Some(smtp.timeout))
            .pool_config(PoolConfig::new().max_size(1));
        builder = match smtp.security {
            Security::StartTls => builder.tls(Tls::Required(tls()?)),
            Security::Tls => builder.tls(Tls::Wrapper(tls()?)),
            Security::None => builder.tls(Tls::None),
        };
        if let Some(user) = &smtp.username {
            let var = smtp
                .password_env
                .as_deref()
                .unwrap_or("HEARTH_SMTP_PASSWORD");
            let Ok(password) = std::env::var(var) else {
                bail!(
                    "[smtp] username is set, but the environment variable {var} (password_env) is not"
                );
            };
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Sender {
            transport: builder.build(),
            interval: smtp
                .rate_per_second
                .map(|r| Duration::from_secs_f64(1.0 / r)),
            last_send: None,
            retry: smtp.retry,
        })
    }

    /// Delivers `message`, waiting for the rate limit and retrying temporary failures.
    pub fn send(&mut self, message: &Message) -> Outcome {
        let mut wait = self.retry.first_wait;
        let mut last_error = String::new();
        for attempt in 1..=self.retry.attempts {
            self.pace();
            match self.transport.send(message) {
                Ok(_) => return Outcome::Delivered,
                Err(e) if e.is_permanent() => return Outcome::Rejected(describe(&e)),
                Err(e) => {
                    last_error = describe(&e);
                    tracing::info!(attempt, "temporary failure: {last_error}");
                    if attempt < self.retry.attempts {
                        std::thread::sleep(wait);
                        wait = wait.saturating_mul(2);
                    }
                }
            }
        }
        Outcome::Deferred(last_error)
    }

    fn pace(&mut self) {
        if let (Some(interval), Some(last)) = (self.interval, self.last_send) {
            let elapsed = last.elapsed();
            if elapsed < interval {
                std::thread::sleep(interval - elapsed);
            }
        }
        self.last_send = Some(Instant::now());
    }
}

/// The server's words when it gave any, else lettre's.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let text = e.to_string();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match e.status() {
        Some(code) if !text.contains(&code.to_string()) => format!("{code} {text}"),
        _ => text,
    }
}
