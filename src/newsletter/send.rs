//! Delivering messages over SMTP with lettre (rustls, no OpenSSL): one reused
//! connection, `rate_per_second` honoured, temporary failures (4xx, a dropped or
//! timed-out connection) retried with back-off on a fresh connection, permanent ones
//! (5xx) reported at once. A message the server accepted is never sent again.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use lettre::Message;
use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, MailBodyParameter, MailParameter};

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
    smtp: Smtp,
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    /// The open connection, reused from message to message; dropped after any error
    /// so that a retry starts fresh.
    connection: Option<SmtpConnection>,
    interval: Option<Duration>,
    last_send: Option<Instant>,
    retry: Retry,
}

impl Sender {
    /// Prepares the sender; the connection opens with the first message.
    pub fn new(smtp: &Smtp) -> Result<Sender> {
        let tls = match smtp.security {
            Security::None => None,
            Security::StartTls | Security::Tls => {
                let mut builder = TlsParameters::builder(smtp.host.clone());
                if let Some(ca) = &smtp.ca_file {
                    let pem = std::fs::read(ca)
                        .with_context(|| format!("cannot read `ca_file` {}", ca.display()))?;
                    let cert = Certificate::from_pem(&pem).map_err(|e| {
                        anyhow!("`ca_file` {} is not a PEM certificate: {e}", ca.display())
                    })?;
                    builder = builder.add_root_certificate(cert);
                }
                Some(
                    builder
                        .build_rustls()
                        .map_err(|e| anyhow!("cannot set up TLS: {e}"))?,
                )
            }
        };
        let credentials = match &smtp.username {
            Some(user) => {
                let var = smtp
                    .password_env
                    .as_deref()
                    .unwrap_or("HEARTH_SMTP_PASSWORD");
                let Ok(password) = std::env::var(var) else {
                    bail!(
                        "[smtp] username is set, but the environment variable {var} (password_env) is not"
                    );
                };
                Some(Credentials::new(user.clone(), password))
            }
            None => None,
        };
        Ok(Sender {
            smtp: smtp.clone(),
            tls,
            credentials,
            connection: None,
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
            match self.transaction(message) {
                Ok(()) => return Outcome::Delivered,
                // A permanent answer about this message (to RCPT or DATA) rejects the
                // recipient. One about the connection, the login or the sender (a
                // wrong password, a refused MAIL FROM) says nothing about them: it is
                // retried, and the run stops when many recipients in a row fail.
                Err((e, Stage::Message)) if e.is_permanent() => {
                    return Outcome::Rejected(describe(&e));
                }
                Err((e, _)) => {
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

    /// One SMTP transaction on the open connection (opened if needed). After an
    /// error the connection is closed: the next attempt starts on a fresh one.
    fn transaction(&mut self, message: &Message) -> Result<(), (SmtpError, Stage)> {
        let envelope = message.envelope().clone();
        // The body and the closing `.` go out in one write. lettre writes them
        // separately, and with Nagle's algorithm the short second write then waits
        // for the server's delayed ACK of the first: 40 ms per message.
        let payload = Payload::new(&message.formatted());
        let conn = self.connection().map_err(|e| (e, Stage::Connection))?;
        let result = (|| {
            let mut options = Vec::new();
            if !payload.0.is_ascii() {
                options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
            }
            conn.command(Mail::new(envelope.from().cloned(), options))
                .map_err(|e| (e, Stage::Connection))?;
            let about_message = |e| (e, Stage::Message);
            for to in envelope.to() {
                conn.command(Rcpt::new(to.clone(), Vec::new()))
                    .map_err(about_message)?;
            }
            conn.command(Data).map_err(about_message)?;
            conn.command(&payload).map_err(about_message)?;
            Ok(())
        })();
        if result.is_err()
            && let Some(mut conn) = self.connection.take()
        {
            conn.abort();
        }
        result
    }

    fn connection(&mut self) -> Result<&mut SmtpConnection, SmtpError> {
        if self.connection.as_ref().is_some_and(|c| c.has_broken()) {
            self.connection = None;
        }
        let conn = match self.connection.take() {
            Some(conn) => conn,
            None => self.open()?,
        };
        Ok(self.connection.insert(conn))
    }

    /// Connects, upgrades to TLS as configured and logs in.
    fn open(&self) -> Result<SmtpConnection, SmtpError> {
        let hello = ClientId::default();
        let wrapper = match self.smtp.security {
            Security::Tls => self.tls.as_ref(),
            _ => None,
        };
        let address = (self.smtp.host.as_str(), self.smtp.port);
        let mut conn =
            SmtpConnection::connect(address, Some(self.smtp.timeout), &hello, wrapper, None)?;
        let ready = (|| {
            if let (Security::StartTls, Some(tls)) = (self.smtp.security, &self.tls) {
                conn.starttls(tls, &hello)?;
            }
            if let Some(credentials) = &self.credentials {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)?;
            }
            Ok(())
        })();
        match ready {
            Ok(()) => Ok(conn),
            Err(e) => {
                conn.abort();
                Err(e)
            }
        }
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

/// Where in a transaction an SMTP error came.
enum Stage {
    /// Connecting, logging in, or MAIL FROM: nothing about the recipient.
    Connection,
    /// RCPT, DATA or the message itself: the server's answer about this message.
    Message,
}

impl Drop for Sender {
    fn drop(&mut self) {
        if let Some(mut conn) = self.connection.take() {
            let _ = conn.quit();
        }
    }
}

/// A message's DATA: dot-stuffed (a line starting with `.` gets another), then the
/// closing `<CRLF>.<CRLF>`, as one piece of text.
struct Payload(String);

impl Payload {
    fn new(raw: &[u8]) -> Payload {
        let text = String::from_utf8_lossy(raw);
        let mut out = String::with_capacity(text.len() + 64);
        let mut line_start = true;
        for c in text.chars() {
            if line_start && c == '.' {
                out.push('.');
            }
            out.push(c);
            line_start = c == '\n';
        }
        out.push_str("\r\n.\r\n");
        Payload(out)
    }
}

impl std::fmt::Display for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The server's words when it gave any, else lettre's.
fn describe(e: &SmtpError) -> String {
    let text = e.to_string();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match e.status() {
        Some(code) if !text.contains(&code.to_string()) => format!("{code} {text}"),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::Payload;

    #[test]
    fn lines_starting_with_a_dot_are_stuffed_and_the_data_is_closed() {
        let p = Payload::new(b".hidden\r\nok\r\n.\r\nend");
        assert_eq!(p.0, "..hidden\r\nok\r\n..\r\nend\r\n.\r\n");
    }
}
