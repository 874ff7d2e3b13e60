//! `hearth newsletter bounces` against a real IMAP server (Debian's Dovecot, started
//! by the test in a temporary folder, TLS with a test CA) and against a Maildir: a
//! DSN, an ARF complaint and a plain bounce to a VERP address suppress their
//! recipients, soft bounces only three issues in a row, processed messages are
//! moved aside, and the next send skips the suppressed.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::smtp::{self, SmtpOptions, SmtpServer, make_certs};
use common::{Run, Site};
use hearth::newsletter::token::Signer;

const MONDAY: &str = "2026-11-23T10:00:00+01:00";
const SECRET_ENV: &str = "HEARTH_TEST_NEWSLETTER_SECRET";
const SECRET: &str = "a long random test key, 32 bytes";
const PASSWORD_ENV: &str = "HEARTH_TEST_BOUNCE_PASSWORD";
const PASSWORD: &str = "bounce-secret";
const DOVECOT: &str = "/usr/sbin/dovecot";

/// The newsletter fixture with four subscribers, `[smtp]` at `server`, and
/// `bounce_mailbox` as given.
fn site_for(server: &SmtpServer, mailbox: &str, extra: &str) -> Site {
    smtp::newsletter_site(
        server,
        "email,name\nada@example.org,Ada\ngrace@example.org,Grace\nlin@example.org,Lin\nkeep@example.org,Keep\n",
        &format!(
            "secret_env = \"{SECRET_ENV}\"\nbounce_address = \"bounces@harbour.example.org\"\nbounce_mailbox = \"{mailbox}\"\n{extra}"
        ),
        "",
    )
}

fn newsletter(site: &Site, args: &[&str]) -> Run {
    smtp::newsletter(
        site,
        args,
        MONDAY,
        &[(SECRET_ENV, SECRET), (PASSWORD_ENV, PASSWORD)],
    )
}

fn verp(address: &str, issue: u32) -> String {
    let signer = Signer::new(SECRET.as_bytes(), "newsletter.harbour.example.org");
    let bounce = "bounces@harbour.example.org".parse().expect("address");
    let who = address.parse().expect("address");
    signer.verp(&bounce, &who, issue).expect("verp").to_string()
}

fn dsn(recipient: &str, action: &str, status: &str, to: &str) -> String {
    format!(
        "From: MAILER-DAEMON@mx.example.net\r\nTo: {to}\r\nSubject: Delivery Status Notification\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n boundary=\"=b=\"\r\n\r\n--=b=\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n--=b=\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\nDiagnostic-Code: smtp; {status} test\r\n\r\n--=b=--\r\n"
    )
}

fn arf(recipient: &str) -> String {
    format!(
        "From: fbl@isp.example.net\r\nTo: bounces@harbour.example.org\r\nSubject: Complaint\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=\"arf\"\r\n\r\n--arf\r\nContent-Type: text/plain\r\n\r\nA complaint about a message.\r\n\r\n--arf\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: test/1.0\r\nVersion: 1\r\n\r\n--arf\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: Harbour Devs <news@harbour.example.org>\r\nTo: {recipient}\r\nSubject: Harbour Devs #1\r\n\r\n--arf--\r\n"
    )
}

fn plain_bounce(address: &str) -> String {
    format!(
        "From: MAILER-DAEMON@old.example.net\r\nTo: {}\r\nSubject: failure notice\r\n\r\nHi. This is the qmail-send program.\r\n<{address}>:\r\n550 sorry, no mailbox here by that name\r\n",
        verp(address, 1)
    )
}

/// Writes messages into `dir/new` of a Maildir.
fn deliver(dir: &Path, messages: &[String]) {
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
    }
    for (i, m) in messages.iter().enumerate() {
        std::fs::write(dir.join("new").join(format!("100{i}.test:2,")), m).expect("write");
    }
}

/// Dovecot in a temporary folder: imaps on a free port, one user `bounces`.
struct Dovecot {
    dir: tempfile::TempDir,
    child: Child,
    port: u16,
}

impl Dovecot {
    /// Starts it with `messages` in the INBOX.
    fn start(messages: &[String]) -> Dovecot {
        assert!(
            Path::new(DOVECOT).exists(),
            "the IMAP tests need Dovecot: apt-get install dovecot-imapd"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let t = dir.path();
        let tls = make_certs(&t.join("tls"));
        deliver(&t.join("mail/bounces"), messages);
        // As root, mail belongs to Debian's `dovecot` user (Dovecot refuses UID 0).
        let (uid, gid) = ids();
        let owner = format!("{uid}:{gid}");
        let _ = Command::new("chown")
            .args(["-R", &owner])
            .arg(t.join("mail"))
            .status();
        let _ = Command::new("chmod").arg("755").arg(t).status();
        std::fs::write(
            t.join("passwd"),
            format!(
                "bounces:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{}\n",
                t.join("home").display()
            ),
        )
        .expect("passwd");
        let port = free_port();
        std::fs::write(t.join("dovecot.conf"), config(t, &tls.cert, &tls.key, port)).expect("conf");
        let child = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(t.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dovecot");
        let until = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < until,
                "dovecot did not start: {}",
                std::fs::read_to_string(t.join("dovecot.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Dovecot { dir, child, port }
    }

    fn ca(&self) -> PathBuf {
        self.dir.path().join("tls/ca.pem")
    }

    /// Messages in a folder of the user's Maildir (`""` for the INBOX).
    fn count(&self, folder: &str) -> usize {
        let base = self.dir.path().join("mail/bounces").join(folder);
        ["new", "cur"]
            .iter()
            .map(|s| std::fs::read_dir(base.join(s)).map_or(0, |d| d.count()))
            .sum()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.dir.path().join("dovecot.log"));
            eprintln!("dovecot.log:\n{}", log.unwrap_or_default());
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn am_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// The user and group mail is kept as: ours, or `dovecot`'s when we are root.
fn ids() -> (String, String) {
    let id = |flag: &str, user: Option<&str>| {
        let mut cmd = Command::new("id");
        cmd.arg(flag);
        if let Some(u) = user {
            cmd.arg(u);
        }
        String::from_utf8_lossy(&cmd.output().expect("id").stdout)
            .trim()
            .to_string()
    };
    if am_root() {
        (id("-u", Some("dovecot")), id("-g", Some("dovecot")))
    } else {
        (id("-u", None), id("-g", None))
    }
}

fn config(t: &Path, cert: &Path, key: &Path, port: u16) -> String {
    let t = t.display();
    let (login, internal) = if am_root() {
        ("dovenull".to_string(), "dovecot".to_string())
    } else {
        let me =
            String::from_utf8_lossy(&Command::new("id").arg("-un").output().expect("id").stdout)
                .trim()
                .to_string();
        (me.clone(), me)
    };
    format!(
        "base_dir = {t}/run\nstate_dir = {t}/state\nlog_path = {t}/dovecot.log\nlisten = 127.0.0.1\nprotocols = imap\nssl = required\nssl_cert = <{cert}\nssl_key = <{key}\ndefault_internal_user = {internal}\ndefault_login_user = {login}\nauth_mechanisms = plain\nmail_location = maildir:{t}/mail/%u\nfirst_valid_uid = 1\nservice imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = 0\n  }}\n  inet_listener imaps {{\n    port = {port}\n    ssl = yes\n  }}\n}}\nservice anvil {{\n  chroot =\n}}\npassdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {t}/passwd\n}}\nuserdb {{\n  driver = passwd-file\n  args = username_format=%u {t}/passwd\n}}\n",
        cert = cert.display(),
        key = key.display(),
    )
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn suppressed(site: &Site) -> String {
    std::fs::read_to_string(site.path().join("newsletter/suppressed.txt")).unwrap_or_default()
}

#[test]
fn bounces_read_over_imap_suppress_their_recipients_and_the_next_send_skips_them() {
    let dovecot = Dovecot::start(&[
        dsn("ada@example.org", "failed", "5.1.1", "bounces@harbour.example.org"),
        arf("Grace <grace@example.org>"),
        plain_bounce("lin@example.org"),
        "From: someone@example.net\r\nTo: bounces@harbour.example.org\r\nSubject: hello\r\n\r\nNot a bounce.\r\n".to_string(),
    ]);
    let server = SmtpServer::start(&SmtpOptions::default());
    let mailbox = format!("imaps://bounces@127.0.0.1:{}/INBOX", dovecot.port);
    let extra = format!(
        "bounce_password_env = \"{PASSWORD_ENV}\"\nbounce_ca_file = \"{}\"\n",
        dovecot.ca().display()
    );
    let site = site_for(&server, &mailbox, &extra);

    let run = newsletter(&site, &["bounces"]);
    run.success();
    assert!(
        run.stdout.contains(
            "4 messages read, 3 bounces and complaints recognised, 3 addresses suppressed"
        ),
        "{}",
        run.stdout
    );
    let list = suppressed(&site);
    assert!(
        list.contains("ada@example.org # ") && list.contains("hard bounce: failed 5.1.1"),
        "{list}"
    );
    assert!(
        list.contains("grace@example.org # ") && list.contains("complaint"),
        "{list}"
    );
    assert!(
        list.contains("lin@example.org # ") && list.contains("hard bounce"),
        "{list}"
    );
    assert_eq!(
        dovecot.count(""),
        1,
        "only the message that is no bounce stays in the INBOX"
    );
    assert_eq!(
        dovecot.count(".hearth-processed"),
        3,
        "the others were moved aside"
    );

    // Read again: nothing new, nothing twice.
    let again = newsletter(&site, &["bounces"]);
    assert!(
        again
            .success()
            .stdout
            .contains("1 messages read, 0 bounces"),
        "{}",
        again.stdout
    );

    newsletter(&site, &["send"]).success();
    let received = server.received_by();
    assert_eq!(
        received.keys().collect::<Vec<_>>(),
        ["keep@example.org"],
        "{received:?}"
    );
    let status = newsletter(&site, &["status"]);
    assert!(
        status
            .success()
            .stdout
            .contains("suppressed: 0 left, 2 bounced, 1 complained"),
        "{}",
        status.stdout
    );
}

#[test]
fn a_maildir_of_bounces_is_read_and_soft_bounces_count_only_three_issues_in_a_row() {
    let maildir = tempfile::tempdir().expect("temp dir");
    let server = SmtpServer::start(&SmtpOptions::default());
    let site = site_for(
        &server,
        &format!("maildir:{}", maildir.path().display()),
        "",
    );
    deliver(
        maildir.path(),
        &[
            dsn(
                "ada@example.org",
                "failed",
                "5.1.1",
                "bounces@harbour.example.org",
            ),
            dsn(
                "lin@example.org",
                "delayed",
                "4.2.2",
                &verp("lin@example.org", 1),
            ),
            dsn(
                "lin@example.org",
                "delayed",
                "4.2.2",
                &verp("lin@example.org", 2),
            ),
            dsn(
                "grace@example.org",
                "failed",
                "4.2.2",
                &verp("grace@example.org", 1),
            ),
            dsn(
                "grace@example.org",
                "failed",
                "4.2.2",
                &verp("grace@example.org", 3),
            ),
        ],
    );
    newsletter(&site, &["bounces"]).success();
    let list = suppressed(&site);
    assert!(list.contains("ada@example.org"), "{list}");
    assert!(
        !list.contains("lin@example.org") && !list.contains("grace@example.org"),
        "not yet: {list}"
    );
    assert_eq!(
        std::fs::read_dir(maildir.path().join(".processed/cur"))
            .expect("moved")
            .count(),
        5
    );

    // The third soft bounce in a row suppresses; grace's (issues 1, 3, 4) do not.
    deliver(
        maildir.path(),
        &[
            dsn(
                "lin@example.org",
                "delayed",
                "4.2.2",
                &verp("lin@example.org", 3),
            ),
            dsn(
                "grace@example.org",
                "failed",
                "4.2.2",
                &verp("grace@example.org", 4),
            ),
        ],
    );
    let run = newsletter(&site, &["bounces"]);
    assert!(
        run.success().stdout.contains("suppressed lin@example.org"),
        "{}",
        run.stdout
    );
    let list = suppressed(&site);
    assert!(list.contains("soft bounces in issues 1, 2, 3"), "{list}");
    assert!(!list.contains("grace@example.org"), "{list}");
    let bounces =
        std::fs::read_to_string(site.path().join("newsletter/bounces.csv")).expect("bounces.csv");
    assert_eq!(
        bounces.lines().count(),
        8,
        "a header and one line per bounce: {bounces}"
    );

    // A send reads the mailbox first, then skips the suppressed.
    deliver(maildir.path(), &[arf("keep@example.org")]);
    let run = newsletter(&site, &["send"]);
    assert!(
        run.success().stdout.contains("suppressed keep@example.org"),
        "{}",
        run.stdout
    );
    let received = server.received_by();
    assert_eq!(
        received.keys().collect::<Vec<_>>(),
        ["grace@example.org"],
        "{received:?}"
    );
}
