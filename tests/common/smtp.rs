//! A real SMTP server for the newsletter tests: `tests/tools/smtp_server.py` (Debian's
//! aiosmtpd, run by `/usr/bin/python3`) in a temporary folder, with fault injection, and
//! readers for what it received.
//!
//! ```ignore
//! let server = SmtpServer::start(&SmtpOptions {
//!     tempfail_first: vec!["ada@example.org".into()],
//!     ..SmtpOptions::default()
//! });
//! site.write("hearth.toml", format!("{BASE_CONFIG}\n{}", server.smtp_toml()));
//! // ... run `hearth newsletter send` ...
//! assert_eq!(server.received_by()["ada@example.org"], 1);
//! let emails = inspect_emails(&server.messages());
//! ```

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Debian's interpreter: the one that sees the `python3-aiosmtpd` package.
pub const PYTHON: &str = "/usr/bin/python3";
pub const INSTALL_HINT: &str = "apt-get install python3-aiosmtpd openssl";
/// The address the server listens on.
pub const HOST: &str = "127.0.0.1";
/// The variable `smtp_toml` names as `password_env`.
pub const PASSWORD_ENV: &str = "HEARTH_SMTP_PASSWORD";
const READY_TIMEOUT: Duration = Duration::from_secs(15);

/// What the server does besides accepting mail. Addresses are compared without regard
/// to case.
#[derive(Debug, Clone, Default)]
pub struct SmtpOptions {
    /// `451 4.3.0` to the first RCPT TO of each of these; later attempts succeed.
    pub tempfail_first: Vec<String>,
    /// `550 5.1.1` to every RCPT TO of these.
    pub permfail: Vec<String>,
    /// The first message to any of these loses its connection at the end of DATA, with
    /// no reply, and is not stored; later ones are accepted.
    pub drop_data_once: Vec<String>,
    /// Offer and require STARTTLS (certificate from `cert_path()`'s CA).
    pub starttls: bool,
    /// Implicit TLS (SMTPS) instead.
    pub tls_wrapper: bool,
    /// Require AUTH PLAIN/LOGIN with this user and password.
    pub auth: Option<(String, String)>,
    /// Wait this long in DATA before storing and answering. A client that goes away
    /// during the wait has its message discarded.
    pub delay_ms: u64,
    /// Every reply reaches the client this long after the server made it (a network
    /// delay; pipelined replies arrive together). Not with TLS.
    pub latency_ms: u64,
    /// Offer PIPELINING in EHLO.
    pub pipelining: bool,
    /// `(after, reply, times)`: once `after` messages were accepted, the next `times`
    /// RCPT TO get `reply` (a provider's throttling or quota reply).
    pub fault: Option<(usize, String, usize)>,
    /// Close the connection after a failed AUTH.
    pub close_after_failed_auth: bool,
}

/// A running server; killed when dropped. Everything it writes is under `dir`:
/// `messages/<seq>-<rcpt>.eml` (raw DATA, one file per recipient), `log.jsonl`,
/// `tls/` (certificates) and `server.stderr`.
pub struct SmtpServer {
    pub port: u16,
    pub dir: tempfile::TempDir,
    opts: SmtpOptions,
    child: Child,
    stopped: bool,
}

impl SmtpServer {
    /// Starts a server and waits until it accepts connections. Panics with an install
    /// hint when `/usr/bin/python3`, aiosmtpd or openssl is missing.
    #[track_caller]
    pub fn start(opts: &SmtpOptions) -> SmtpServer {
        assert!(
            !(opts.starttls && opts.tls_wrapper),
            "SmtpOptions: starttls and tls_wrapper exclude each other"
        );
        assert!(
            Path::new(PYTHON).exists(),
            "{PYTHON} is missing; the SMTP tests need Debian's Python with aiosmtpd: \
             {INSTALL_HINT}"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let script = script("smtp_server.py");
        let data = dir.path().join("data");

        let mut cmd = Command::new(PYTHON);
        cmd.arg(&script).arg("--dir").arg(&data);
        for (flag, list) in [
            ("--tempfail-first", &opts.tempfail_first),
            ("--permfail", &opts.permfail),
            ("--drop-data-once", &opts.drop_data_once),
        ] {
            if !list.is_empty() {
                cmd.arg(flag).arg(list.join(","));
            }
        }
        if opts.starttls || opts.tls_wrapper {
            let tls = make_certs(&dir.path().join("tls"));
            let flag = if opts.starttls {
                "--starttls"
            } else {
                "--tls-wrapper"
            };
            cmd.arg(flag)
                .arg(format!("{},{}", tls.cert.display(), tls.key.display()));
        }
        if let Some((user, password)) = &opts.auth {
            cmd.arg("--auth").arg(format!("{user}:{password}"));
        }
        if opts.delay_ms > 0 {
            cmd.arg("--delay-ms").arg(opts.delay_ms.to_string());
        }
        if opts.latency_ms > 0 {
            cmd.arg("--latency-ms").arg(opts.latency_ms.to_string());
        }
        if opts.pipelining {
            cmd.arg("--pipelining");
        }
        if let Some((after, reply, times)) = &opts.fault {
            cmd.arg("--fault-after").arg(after.to_string());
            cmd.arg("--fault-reply").arg(reply);
            cmd.arg("--fault-times").arg(times.to_string());
        }
        if opts.close_after_failed_auth {
            cmd.arg("--close-after-failed-auth");
        }
        // The server also stops when our end of its stdin closes, so a test process
        // that dies without running destructors leaves no server behind.
        cmd.arg("--exit-on-stdin-eof");

        let stderr_path = dir.path().join("server.stderr");
        let stderr = std::fs::File::create(&stderr_path).expect("create server.stderr");
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {PYTHON}: {e}; {INSTALL_HINT}"));

        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            // Keep draining, so the server never blocks on a full pipe.
            for _ in lines {}
        });
        let first = rx.recv_timeout(READY_TIMEOUT);
        let port = first
            .as_ref()
            .ok()
            .and_then(|line| line.strip_prefix("READY "))
            .and_then(|port| port.trim().parse::<u16>().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
            panic!(
                "{} did not report READY within {READY_TIMEOUT:?} (got {first:?})\n\
                 stderr:\n{stderr}\nInstall what it needs: {INSTALL_HINT}",
                script.display()
            );
        };
        SmtpServer {
            port,
            dir,
            opts: opts.clone(),
            child,
            stopped: false,
        }
    }

    /// Where `messages/` and `log.jsonl` are.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The PEM of the CA that signed the server's certificate (for `localhost` and
    /// `127.0.0.1`), to give the client as trusted root; `None` without TLS.
    pub fn cert_path(&self) -> Option<PathBuf> {
        (self.opts.starttls || self.opts.tls_wrapper).then(|| self.dir.path().join("tls/ca.pem"))
    }

    /// `starttls`, `tls` or `none`, as in hearth.toml.
    pub fn security(&self) -> &'static str {
        if self.opts.starttls {
            "starttls"
        } else if self.opts.tls_wrapper {
            "tls"
        } else {
            "none"
        }
    }

    /// An `[smtp]` section of hearth.toml for this server. With AUTH, the password is
    /// read from `PASSWORD_ENV`; set it with `password_env()`.
    pub fn smtp_toml(&self) -> String {
        let mut toml = format!(
            "[smtp]\nhost = \"{HOST}\"\nport = {}\nsecurity = \"{}\"\n",
            self.port,
            self.security()
        );
        if let Some((user, _)) = &self.opts.auth {
            toml.push_str(&format!(
                "username = \"{user}\"\npassword_env = \"{PASSWORD_ENV}\"\n"
            ));
        }
        toml
    }

    /// The environment variable and value that carry the AUTH password, if any.
    pub fn password_env(&self) -> Option<(&'static str, String)> {
        self.opts
            .auth
            .as_ref()
            .map(|(_, password)| (PASSWORD_ENV, password.clone()))
    }

    /// The `.eml` files received so far, in arrival order.
    pub fn messages(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(self.data_dir().join("messages")) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.expect("read messages/").path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "eml")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        files.sort();
        files
    }

    /// The `.eml` files received for one recipient, in arrival order.
    pub fn messages_to(&self, rcpt: &str) -> Vec<PathBuf> {
        self.events("accepted")
            .iter()
            .filter(|e| {
                e["rcpt"]
                    .as_str()
                    .is_some_and(|r| r.eq_ignore_ascii_case(rcpt))
            })
            .map(|e| {
                self.data_dir()
                    .join(e["file"].as_str().expect("accepted has file"))
            })
            .collect()
    }

    /// Recipient (as given in RCPT TO) → number of messages accepted for it.
    pub fn received_by(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for event in self.events("accepted") {
            let rcpt = event["rcpt"]
                .as_str()
                .expect("accepted has rcpt")
                .to_string();
            *counts.entry(rcpt).or_insert(0) += 1;
        }
        counts
    }

    /// Every line of `log.jsonl` so far: objects with `event` (`accepted`, `tempfail`,
    /// `permfail`, `dropped`, `auth`, `fault`), `rcpt`, `mail_from`, `ts`; `accepted` adds `file`,
    /// `seq`, `tls`, `user`; `auth` adds `user`, `mechanism`, `success`.
    pub fn log(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.data_dir().join("log.jsonl")).unwrap_or_default();
        text.split_inclusive('\n')
            // A line still being written has no newline yet.
            .filter(|line| line.ends_with('\n') && !line.trim().is_empty())
            .map(|line| serde_json::from_str(line).expect("log.jsonl line is JSON"))
            .collect()
    }

    /// The log lines of one kind of event.
    pub fn events(&self, event: &str) -> Vec<serde_json::Value> {
        self.log()
            .into_iter()
            .filter(|e| e["event"] == event)
            .collect()
    }

    /// Polls `done` every 50 ms until it holds or `timeout` passes; returns whether it
    /// held.
    pub fn wait_until(&self, timeout: Duration, mut done: impl FnMut(&SmtpServer) -> bool) -> bool {
        let start = Instant::now();
        loop {
            if done(self) {
                return true;
            }
            if start.elapsed() >= timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the server wrote to stderr (errors and tracebacks only).
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.stderr")).unwrap_or_default()
    }

    /// Kills the server (a later connection is refused); what it stored stays readable.
    pub fn stop(&mut self) {
        if !self.stopped {
            self.stopped = true;
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Paths written by `smtp_server.py --cert-out`.
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A throw-away CA (`ca.pem`) and a server certificate for `localhost` and `127.0.0.1`
/// signed by it (`cert.pem`, `key.pem`), made with the openssl CLI in `out`.
pub fn make_certs(out: &Path) -> TlsFiles {
    let output = Command::new(PYTHON)
        .arg(script("smtp_server.py"))
        .arg("--cert-out")
        .arg(out)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {PYTHON}: {e}; {INSTALL_HINT}"));
    assert!(
        output.status.success(),
        "making a test certificate failed: {}\n{INSTALL_HINT}",
        String::from_utf8_lossy(&output.stderr)
    );
    TlsFiles {
        ca: out.join("ca.pem"),
        cert: out.join("cert.pem"),
        key: out.join("key.pem"),
    }
}

/// Runs `tests/tools/inspect_email.py` (Python's standard email parser) over `files`
/// and returns its JSON: file path (as given) → `headers`, `content_type`,
/// `is_multipart`, `parts`, `text`, `html`, `links`, `text_links`, `defects`.
#[track_caller]
pub fn inspect_emails(files: &[PathBuf]) -> serde_json::Value {
    let python = if Path::new(PYTHON).exists() {
        PYTHON
    } else {
        "python3"
    };
    let script = script("inspect_email.py");
    let output = Command::new(python)
        .arg(&script)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e} (install Python 3)"));
    assert!(
        output.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("inspect_email.py prints JSON")
}

/// `inspect_emails` of one file: the object for that file.
#[track_caller]
pub fn inspect_email(file: &Path) -> serde_json::Value {
    let all = inspect_emails(&[file.to_path_buf()]);
    all[file.to_string_lossy().as_ref()].clone()
}

fn script(name: &str) -> PathBuf {
    super::repo_root().join("tests/tools").join(name)
}

/// Starts `hearth newsletter send SITE --now NOW` `kills` times and kills each run
/// (kill -9) at a pseudo-random moment 300 ms to 300 + `spread_ms` ms after its
/// start, once some messages went out.
pub fn send_and_kill(site: &Path, now: &str, kills: u64, spread_ms: u64) {
    let path = site.to_str().expect("utf-8");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(7, |d| u64::from(d.subsec_nanos()));
    for kill in 0..kills {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
            .args(["newsletter", "send", path, "--now", now, "-q"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start hearth");
        let delay = 300
            + (seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(kill * 1442695040888963407)
                >> 33)
                % spread_ms;
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().expect("kill -9");
        child.wait().expect("reap");
    }
}

/// Points the `[smtp]` of `site` (written for `server`) at a port of this machine
/// that nobody listens on, and returns that port.
pub fn point_at_dead_port(site: &super::Site, server: &SmtpServer) -> u16 {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    site.write(
        "hearth.toml",
        config.replace(
            &format!("port = {}", server.port),
            &format!("port = {port}"),
        ),
    );
    port
}

/// The `newsletter` fixture with `subscribers` as its `subscribers.csv`,
/// `newsletter_keys` added to its `[newsletter]` (the fixture's last section), and
/// an `[smtp]` section for `server` (with its CA when it speaks TLS) ending in
/// `smtp_keys`.
pub fn newsletter_site(
    server: &SmtpServer,
    subscribers: &str,
    newsletter_keys: &str,
    smtp_keys: &str,
) -> super::Site {
    let site = super::Site::fixture("newsletter");
    site.write("subscribers.csv", subscribers);
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    let mut smtp = server.smtp_toml();
    if let Some(ca) = server.cert_path() {
        smtp.push_str(&format!("ca_file = \"{}\"\n", ca.display()));
    }
    site.write(
        "hearth.toml",
        format!("{config}{newsletter_keys}\n{smtp}{smtp_keys}"),
    );
    site
}

/// `hearth newsletter ARGS[0] SITE --now NOW ARGS[1..]` with `envs` set.
pub fn newsletter(
    site: &super::Site,
    args: &[&str],
    now: &str,
    envs: &[(&str, &str)],
) -> super::Run {
    let path = site.path().to_str().expect("utf-8");
    let mut all = vec!["newsletter", args[0], path, "--now", now];
    all.extend_from_slice(&args[1..]);
    super::hearth_with_env(&all, envs)
}
