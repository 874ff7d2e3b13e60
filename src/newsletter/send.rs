//! Delivering messages over SMTP with lettre (rustls, no OpenSSL): one reused
//! connection per `Sender`, PIPELINING when the server offers it, a `rate_per_second`
//! shared by all connections, temporary failures retried with back-off on a fresh
//! connection, and every reply classified (`replies`): a permanent refusal rejects
//! the recipient, a throttling or quota reply pauses the send, a refused login stops
//! it. Every network operation has the `[smtp]` timeout. A message the server
//! accepted is never sent again.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use lettre::Message;
use lettre::address::Envelope;
use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, MailBodyParameter, MailParameter};

use super::replies::{self, Reply};
use super::settings::{Security, Smtp};

/// The longest wait between two attempts at one message: a retry is for a blip,
/// longer trouble leaves the recipient to the next send.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(30);

/// The result of delivering one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// The server refused for good (5xx): do not retry.
    Rejected(String),
    /// Still failing after every retry (4xx, connection trouble): retry later.
    Deferred(String),
    /// The provider asked to slow down or stop for `wait` (throttling, a quota):
    /// the recipient stays pending and the send waits.
    Paused {
        why: String,
        wait: Duration,
    },
    /// The server refused the login: no retry can help, the send stops.
    LoginRefused(String),
}

/// How hard to try before deferring a recipient.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub first_wait: Duration,
}

/// `rate_per_second` over all the connections of a send: each message takes the
/// next free slot.
#[derive(Debug)]
pub struct Pacer {
    interval: Option<Duration>,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    pub fn new(rate_per_second: Option<f64>) -> Pacer {
        Pacer {
            interval: rate_per_second.map(|r| Duration::from_secs_f64(1.0 / r)),
            next: Mutex::new(None),
        }
    }

    /// Waits for this message's slot.
    fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + interval);
            slot
        };
        let now = Instant::now();
        if slot > now {
            std::thread::sleep(slot - now);
        }
    }
}

/// An open connection and what its server offers beyond what lettre tracks.
struct Open {
    conn: SmtpConnection,
    pipelining: bool,
}

pub struct Sender {
    smtp: Smtp,
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    /// The open connection, reused from message to message; dropped after any error
    /// so that a retry starts fresh.
    connection: Option<Open>,
    pacer: Arc<Pacer>,
    retry: Retry,
}

/// Where in a transaction an SMTP error came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Connecting, TLS, EHLO: nothing about the recipient.
    Connect,
    /// AUTH.
    Login,
    /// MAIL FROM: about the sender, not the recipient.
    Envelope,
    /// RCPT, DATA or the message itself: the server's answer about this message.
    Message,
}

struct Failure {
    error: SmtpError,
    stage: Stage,
}

/// What one failed attempt means.
enum Verdict {
    Retry(String),
    Final(Outcome),
}

impl Sender {
    /// Prepares the sender; the connection opens with the first message (or
    /// `check_login`).
    pub fn new(smtp: &Smtp) -> Result<Sender> {
        let tls = match smtp.security {
            Security::None => None,
            Security::StartTls | Security::Tls => Some(tls_parameters(smtp)?),
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
            pacer: Arc::new(Pacer::new(smtp.rate_per_second)),
            retry: smtp.retry,
        })
    }

    /// Another sender with the same settings and rate, on its own connection.
    pub fn sibling(&self) -> Sender {
        Sender {
            smtp: self.smtp.clone(),
            tls: self.tls.clone(),
            credentials: self.credentials.clone(),
            connection: None,
            pacer: Arc::clone(&self.pacer),
            retry: self.retry,
        }
    }

    /// `host:port` of the server, for messages.
    fn server(&self) -> String {
        format!("{}:{}", self.smtp.host, self.smtp.port)
    }

    /// Opens the connection and logs in, once: `Some(reason)` when the server
    /// refused the login. Any other trouble is left to the delivery (it retries).
    pub fn check_login(&mut self) -> Option<String> {
        let failure = self.connection().err()?;
        match self.judge(&failure) {
            Verdict::Final(Outcome::LoginRefused(why)) => Some(why),
            _ => None,
        }
    }

    /// Delivers `message`, waiting for the rate limit and retrying temporary failures.
    pub fn send(&mut self, message: &Message) -> Outcome {
        let mut wait = self.retry.first_wait;
        let mut last_error = String::new();
        for attempt in 1..=self.retry.attempts {
            self.pacer.wait();
            let failure = match self.transaction(message) {
                Ok(()) => return Outcome::Delivered,
                Err(failure) => failure,
            };
            match self.judge(&failure) {
                Verdict::Final(outcome) => return outcome,
                Verdict::Retry(why) => {
                    tracing::info!(attempt, "temporary failure: {why}");
                    last_error = why;
                    if attempt < self.retry.attempts {
                        std::thread::sleep(wait);
                        wait = wait.saturating_mul(2).min(MAX_RETRY_WAIT);
                    }
                }
            }
        }
        Outcome::Deferred(last_error)
    }

    /// What a failed attempt means, from where it came and the server's reply.
    fn judge(&self, failure: &Failure) -> Verdict {
        let e = &failure.error;
        let mut why = describe(e);
        if matches!(failure.stage, Stage::Connect | Stage::Login) {
            why = format!("{}: {why}", self.server());
        }
        let code = e.status().and_then(|c| c.to_string().parse::<u16>().ok());
        let reply = replies::classify(code, &why);
        let outcome = match (failure.stage, reply) {
            (_, Reply::Pause(wait)) => Outcome::Paused { why, wait },
            (Stage::Login, Reply::Temporary) if code.is_some() || e.is_timeout() => {
                return Verdict::Retry(why);
            }
            // A 5xx to AUTH, or the connection closed right after it: a refusal.
            (Stage::Login, _) | (_, Reply::Auth) => Outcome::LoginRefused(why),
            (Stage::Message, Reply::Permanent) => Outcome::Rejected(why),
            // A permanent answer about the connection or the sender (a refused MAIL
            // FROM) says nothing about the recipient: it is retried, and the run
            // stops when many recipients in a row fail.
            _ => return Verdict::Retry(why),
        };
        Verdict::Final(outcome)
    }

    /// One SMTP transaction on the open connection (opened if needed). After an
    /// error the connection is closed: the next attempt starts on a fresh one.
    fn transaction(&mut self, message: &Message) -> Result<(), Failure> {
        let envelope = message.envelope().clone();
        let payload = Payload::new(&message.formatted());
        let open = self.connection()?;
        let result = exchange(open, &envelope, &payload);
        if result.is_err()
            && let Some(mut open) = self.connection.take()
        {
            open.conn.abort();
        }
        result
    }

    fn connection(&mut self) -> Result<&mut Open, Failure> {
        if self
            .connection
            .as_ref()
            .is_some_and(|o| o.conn.has_broken())
        {
            self.connection = None;
        }
        let open = match self.connection.take() {
            Some(open) => open,
            None => self.open()?,
        };
        Ok(self.connection.insert(open))
    }

    /// Connects, upgrades to TLS as configured, learns whether the server pipelines,
    /// and logs in.
    fn open(&self) -> Result<Open, Failure> {
        let hello = ClientId::default();
        let wrapper = match self.smtp.security {
            Security::Tls => self.tls.as_ref(),
            _ => None,
        };
        let at = |stage| move |error| Failure { error, stage };
        let address = (self.smtp.host.as_str(), self.smtp.port);
        let mut conn =
            SmtpConnection::connect(address, Some(self.smtp.timeout), &hello, wrapper, None)
                .map_err(at(Stage::Connect))?;
        let ready = (|| {
            if let (Security::StartTls, Some(tls)) = (self.smtp.security, &self.tls) {
                conn.starttls(tls, &hello).map_err(at(Stage::Connect))?;
            }
            // lettre keeps only the extensions it knows from EHLO; ask once more
            // (before AUTH, where a second EHLO is always allowed) for PIPELINING.
            let ehlo = conn
                .command(Ehlo::new(hello.clone()))
                .map_err(at(Stage::Connect))?;
            let pipelining = ehlo
                .message()
                .any(|line| line.trim().eq_ignore_ascii_case("PIPELINING"));
            if let Some(credentials) = &self.credentials {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                    .map_err(at(Stage::Login))?;
            }
            Ok(pipelining)
        })();
        match ready {
            Ok(pipelining) => Ok(Open { conn, pipelining }),
            Err(e) => {
                conn.abort();
                Err(e)
            }
        }
    }
}

fn tls_parameters(smtp: &Smtp) -> Result<TlsParameters> {
    let mut builder = TlsParameters::builder(smtp.host.clone());
    if let Some(ca) = &smtp.ca_file {
        let pem =
            std::fs::read(ca).with_context(|| format!("cannot read `ca_file` {}", ca.display()))?;
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| anyhow!("`ca_file` {} is not a PEM certificate: {e}", ca.display()))?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build_rustls()
        .map_err(|e| anyhow!("cannot set up TLS for {}:{}: {e}", smtp.host, smtp.port))
}

/// MAIL FROM, RCPT TO and DATA, then the message. With PIPELINING the three
/// commands go out in one write and their replies are read in order: one round trip
/// instead of three. The body and the closing `.` always go out in one write.
fn exchange(open: &mut Open, envelope: &Envelope, payload: &Payload) -> Result<(), Failure> {
    let mut options = Vec::new();
    if !payload.0.is_ascii() {
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    let mail = Mail::new(envelope.from().cloned(), options);
    let rcpts: Vec<Rcpt> = envelope
        .to()
        .iter()
        .map(|to| Rcpt::new(to.clone(), Vec::new()))
        .collect();
    let stage_of = |i: usize| {
        if i == 0 {
            Stage::Envelope
        } else {
            Stage::Message
        }
    };
    let conn = &mut open.conn;
    if open.pipelining {
        let mut batch = mail.to_string();
        for rcpt in &rcpts {
            batch.push_str(&rcpt.to_string());
        }
        batch.push_str(&Data.to_string());
        let mut replies = vec![conn.command(batch)];
        // One reply per command; a reply that could not be read at all (no code)
        // means the rest will not come either.
        while replies.len() < rcpts.len() + 2
            && replies
                .last()
                .is_some_and(|r| r.as_ref().err().is_none_or(|e| e.status().is_some()))
        {
            replies.push(conn.read_response());
        }
        for (i, reply) in replies.into_iter().enumerate() {
            reply.map_err(|error| Failure {
                error,
                stage: stage_of(i),
            })?;
        }
    } else {
        conn.command(mail).map_err(|error| Failure {
            error,
            stage: Stage::Envelope,
        })?;
        for rcpt in rcpts {
            conn.command(rcpt).map_err(|error| Failure {
                error,
                stage: Stage::Message,
            })?;
        }
        conn.command(Data).map_err(|error| Failure {
            error,
            stage: Stage::Message,
        })?;
    }
    conn.command(payload).map(drop).map_err(|error| Failure {
        error,
        stage: Stage::Message,
    })
}

impl Drop for Sender {
    fn drop(&mut self) {
        if let Some(mut open) = self.connection.take() {
            let _ = open.conn.quit();
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
