//! Self-test of the SMTP test harness (`tests/common/smtp.rs`,
//! `tests/tools/smtp_server.py`, `tests/tools/inspect_email.py`), driven by Python's
//! smtplib as the client: no hearth code is involved.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::smtp::{PYTHON, SmtpOptions, SmtpServer, inspect_email, inspect_emails};
use serde_json::{Value, json};

/// An smtplib client. argv: PORT ATTEMPTS, where ATTEMPTS is a JSON list of
/// `{to: [..], auth: [user, password, "PLAIN"|"LOGIN"]?, tls: "starttls"|"wrapper"?,
/// cafile?, host?}`; prints one JSON outcome per attempt, each connection fresh.
const CLIENT: &str = r#"
import json, smtplib, ssl, sys

port = int(sys.argv[1])
results = []
for a in json.loads(sys.argv[2]):
    host = a.get("host", "127.0.0.1")
    tls = a.get("tls")
    s = None
    try:
        ctx = ssl.create_default_context(cafile=a.get("cafile")) if tls else None
        if tls == "wrapper":
            s = smtplib.SMTP_SSL(host, port, timeout=10, context=ctx)
        else:
            s = smtplib.SMTP(host, port, timeout=10)
        s.ehlo()
        features = sorted(s.esmtp_features)
        if tls == "starttls":
            s.starttls(context=ctx)
            s.ehlo()
        if a.get("auth"):
            s.user, s.password, mech = a["auth"]
            s.auth(mech, getattr(s, "auth_" + mech.lower()))
        to = a["to"]
        msg = ("From: news@example.org\r\nTo: %s\r\nSubject: harness\r\n\r\nHello %s\r\n"
               % (", ".join(to), ", ".join(to)))
        refused = s.sendmail("news@example.org", to, msg.encode())
        results.append({"ok": True, "features": features,
                        "refused": {k: v[0] for k, v in refused.items()}})
    except smtplib.SMTPRecipientsRefused as e:
        results.append({"ok": False, "error": "recipients",
                        "codes": {k: v[0] for k, v in e.recipients.items()}})
    except smtplib.SMTPResponseException as e:
        results.append({"ok": False, "error": type(e).__name__, "code": e.smtp_code})
    except smtplib.SMTPServerDisconnected:
        results.append({"ok": False, "error": "disconnected"})
    except ssl.SSLError as e:
        results.append({"ok": False, "error": "ssl", "detail": str(e)})
    except OSError as e:
        results.append({"ok": False, "error": "os", "detail": str(e)})
    finally:
        if s is not None:
            try:
                s.quit()
            except Exception:
                s.close()
print(json.dumps(results))
"#;

/// Runs `CLIENT` against `server` and returns its outcomes.
fn client(port: u16, attempts: Value) -> Vec<Value> {
    let out = python(CLIENT, &[&port.to_string(), &attempts.to_string()]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("client output {out:?}: {e}"))
}

fn python(code: &str, args: &[&str]) -> String {
    let output = Command::new(PYTHON)
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("run /usr/bin/python3");
    assert!(
        output.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn events_for(server: &SmtpServer, event: &str, rcpt: &str) -> usize {
    server
        .events(event)
        .iter()
        .filter(|e| e["rcpt"] == rcpt)
        .count()
}

const OK: &str = "ok@example.org";
const TEMP: &str = "temp@example.org";
const GONE: &str = "gone@example.org";
const DROP: &str = "drop@example.org";

#[test]
fn faults_and_auth_over_plain_smtp() {
    let server = SmtpServer::start(&SmtpOptions {
        tempfail_first: vec![TEMP.into()],
        permfail: vec![GONE.into()],
        drop_data_once: vec![DROP.into()],
        auth: Some(("news".into(), "s3cret".into())),
        ..SmtpOptions::default()
    });
    assert_eq!(server.cert_path(), None);
    assert!(
        server
            .smtp_toml()
            .contains(&format!("port = {}", server.port))
    );
    assert!(server.smtp_toml().contains("security = \"none\""));

    let plain = json!(["news", "s3cret", "PLAIN"]);
    let login = json!(["news", "s3cret", "LOGIN"]);
    let first = client(
        server.port,
        json!([
            {"to": [OK], "auth": plain},
            {"to": [TEMP], "auth": login},
            {"to": [GONE], "auth": plain},
            {"to": [DROP], "auth": plain},
            {"to": ["multi1@example.org", "multi2@example.org"], "auth": login},
            {"to": [OK], "auth": ["news", "wrong", "PLAIN"]},
            {"to": [OK]},
        ]),
    );
    assert_eq!(first[0]["ok"], true, "{first:?}");
    assert_eq!(first[1]["codes"][TEMP], 451, "{first:?}");
    assert_eq!(first[2]["codes"][GONE], 550, "{first:?}");
    assert_eq!(first[3]["error"], "disconnected", "{first:?}");
    assert_eq!(first[4]["ok"], true, "{first:?}");
    assert_eq!(first[5]["error"], "SMTPAuthenticationError", "{first:?}");
    assert_eq!(first[5]["code"], 535, "{first:?}");
    assert_eq!(first[6]["error"], "SMTPSenderRefused", "{first:?}");
    assert_eq!(first[6]["code"], 530, "{first:?}");

    // Nothing of the dropped or refused messages was stored.
    assert_eq!(
        server.received_by(),
        counts(&[
            (OK, 1),
            ("multi1@example.org", 1),
            ("multi2@example.org", 1)
        ])
    );
    assert!(server.messages_to(DROP).is_empty());
    let files = server.messages();
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(files.iter().all(|f| !f.to_string_lossy().contains("drop@")));
    // One message with two recipients: two files with the same bytes.
    let multi1 = server.messages_to("multi1@example.org");
    let multi2 = server.messages_to("MULTI2@example.org");
    assert_eq!((multi1.len(), multi2.len()), (1, 1));
    assert_eq!(
        std::fs::read(&multi1[0]).expect("read"),
        std::fs::read(&multi2[0]).expect("read")
    );
    assert!(multi1[0].ends_with("messages/000002-multi1@example.org.eml"));

    assert_eq!(events_for(&server, "tempfail", TEMP), 1);
    assert_eq!(events_for(&server, "permfail", GONE), 1);
    assert_eq!(events_for(&server, "dropped", DROP), 1);
    let auth = server.events("auth");
    let good = auth.iter().filter(|e| e["success"] == true).count();
    let bad: Vec<_> = auth.iter().filter(|e| e["success"] == false).collect();
    assert_eq!(good, 5, "{auth:?}");
    assert_eq!(bad.len(), 1, "{auth:?}");
    assert_eq!(bad[0]["user"], "news");
    let mechanisms: Vec<_> = auth.iter().map(|e| e["mechanism"].clone()).collect();
    assert!(mechanisms.contains(&json!("LOGIN")) && mechanisms.contains(&json!("PLAIN")));
    for e in server.events("accepted") {
        assert_eq!(e["mail_from"], "news@example.org");
        assert_eq!(e["user"], "news");
        assert_eq!(e["tls"], false);
        assert!(e["ts"].as_f64().is_some_and(|t| t > 1.0e9));
    }

    // Retries: the temporary failures now go through; the permanent one does not.
    let second = client(
        server.port,
        json!([
            {"to": [TEMP], "auth": plain},
            {"to": [DROP], "auth": plain},
            {"to": [GONE], "auth": plain},
        ]),
    );
    assert_eq!(second[0]["ok"], true, "{second:?}");
    assert_eq!(second[1]["ok"], true, "{second:?}");
    assert_eq!(second[2]["codes"][GONE], 550, "{second:?}");
    assert_eq!(
        server.received_by(),
        counts(&[
            (OK, 1),
            (TEMP, 1),
            (DROP, 1),
            ("multi1@example.org", 1),
            ("multi2@example.org", 1),
        ])
    );
    assert_eq!(events_for(&server, "tempfail", TEMP), 1);
    assert_eq!(events_for(&server, "dropped", DROP), 1);
    assert_eq!(events_for(&server, "permfail", GONE), 2);
    let dropped = std::fs::read_to_string(&server.messages_to(DROP)[0]).expect("read");
    assert!(dropped.contains("To: drop@example.org\r\n"), "{dropped}");
    assert_eq!(server.messages().len(), 5);
    assert_eq!(server.stderr(), "");
}

#[test]
fn starttls_with_the_generated_certificate() {
    let server = SmtpServer::start(&SmtpOptions {
        starttls: true,
        auth: Some(("news".into(), "s3cret".into())),
        ..SmtpOptions::default()
    });
    let ca = server.cert_path().expect("a CA with TLS");
    assert!(ca.is_file());
    assert!(server.smtp_toml().contains("security = \"starttls\""));
    assert!(
        server
            .smtp_toml()
            .contains("password_env = \"HEARTH_SMTP_PASSWORD\"")
    );
    let ca = ca.to_str().expect("utf-8");
    let to = "tls@example.org";
    let auth = json!(["news", "s3cret", "PLAIN"]);
    let out = client(
        server.port,
        json!([
            // No STARTTLS: refused.
            {"to": [to]},
            // The system's roots do not trust the test CA.
            {"to": [to], "tls": "starttls", "auth": auth},
            {"to": [to], "tls": "starttls", "cafile": ca, "auth": auth},
            {"to": [to], "tls": "starttls", "cafile": ca, "auth": auth, "host": "localhost"},
        ]),
    );
    assert_eq!(out[0]["code"], 530, "{out:?}");
    assert_eq!(out[1]["error"], "ssl", "{out:?}");
    assert!(
        out[1]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("CERTIFICATE_VERIFY_FAILED")),
        "{out:?}"
    );
    assert_eq!(out[2]["ok"], true, "{out:?}");
    assert_eq!(out[3]["ok"], true, "{out:?}");
    assert!(
        out[2]["features"]
            .as_array()
            .is_some_and(|f| f.contains(&json!("starttls"))),
        "{out:?}"
    );
    assert_eq!(server.received_by(), counts(&[(to, 2)]));
    for e in server.events("accepted") {
        assert_eq!(e["tls"], true);
        assert_eq!(e["user"], "news");
    }
}

#[test]
fn implicit_tls_and_stop() {
    let mut server = SmtpServer::start(&SmtpOptions {
        tls_wrapper: true,
        auth: Some(("news".into(), "s3cret".into())),
        ..SmtpOptions::default()
    });
    assert_eq!(server.security(), "tls");
    let ca = server.cert_path().expect("CA");
    let ca = ca.to_str().expect("utf-8");
    let to = "smtps@example.org";
    let out = client(
        server.port,
        json!([
            {"to": [to], "tls": "wrapper", "cafile": ca, "auth": ["news", "s3cret", "LOGIN"]},
            {"to": [to], "tls": "wrapper", "auth": ["news", "s3cret", "LOGIN"]},
        ]),
    );
    assert_eq!(out[0]["ok"], true, "{out:?}");
    assert_eq!(out[1]["error"], "ssl", "{out:?}");
    assert_eq!(server.received_by(), counts(&[(to, 1)]));
    assert_eq!(server.events("accepted")[0]["tls"], true);

    server.stop();
    let out = client(
        server.port,
        json!([{"to": [to], "tls": "wrapper", "cafile": ca}]),
    );
    assert_eq!(out[0]["error"], "os", "{out:?}");
    // What it received stays readable.
    assert_eq!(server.messages().len(), 1);
}

/// Sends one multipart/alternative message built by `email.message.EmailMessage`.
const SEND_ALTERNATIVE: &str = r#"
import smtplib, sys
from email.message import EmailMessage

m = EmailMessage()
m["From"] = "Rust Berlin <news@rust.berlin>"
m["To"] = "Ada Lovelace <ada@example.org>"
m["Subject"] = "Rust Berlin: Grüße zum Treffen"
m["List-Unsubscribe"] = "<https://rust.berlin/unsubscribe?u=ada>"
m.set_content("Hallo Ada,\n\nread https://rust.berlin/posts/welcome/.\n")
m.add_alternative(
    '<p>Hallo Ada, <a href="https://rust.berlin/posts/welcome/?a=1&amp;b=2">welcome</a>'
    '<img src="https://rust.berlin/logo.png" alt=""></p>',
    subtype="html",
)
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    s.send_message(m)
"#;

#[test]
fn inspect_email_reads_a_multipart_alternative_message() {
    let server = SmtpServer::start(&SmtpOptions {
        delay_ms: 300,
        ..SmtpOptions::default()
    });
    let start = Instant::now();
    python(SEND_ALTERNATIVE, &[&server.port.to_string()]);
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert!(server.wait_until(Duration::from_secs(5), |s| s.messages().len() == 1));
    let files: Vec<PathBuf> = server.messages();
    let all = inspect_emails(&files);
    let email = &all[files[0].to_str().expect("utf-8")];
    assert_eq!(email, &inspect_email(&files[0]));

    assert_eq!(email["content_type"], "multipart/alternative");
    assert_eq!(email["is_multipart"], true);
    assert_eq!(
        email["headers"]["Subject"],
        "Rust Berlin: Grüße zum Treffen"
    );
    assert_eq!(email["headers"]["To"], "Ada Lovelace <ada@example.org>");
    assert_eq!(
        email["headers"]["List-Unsubscribe"],
        "<https://rust.berlin/unsubscribe?u=ada>"
    );
    let types: Vec<_> = email["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .map(|p| (p["content_type"].clone(), p["charset"].clone()))
        .collect();
    assert_eq!(
        types,
        vec![
            (json!("text/plain"), json!("utf-8")),
            (json!("text/html"), json!("utf-8"))
        ]
    );
    assert!(
        email["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("Hallo Ada,"))
    );
    assert!(
        email["html"]
            .as_str()
            .is_some_and(|h| h.contains("<a href="))
    );
    assert_eq!(
        email["links"],
        json!([
            "https://rust.berlin/posts/welcome/?a=1&b=2",
            "https://rust.berlin/logo.png"
        ])
    );
    assert_eq!(
        email["text_links"],
        json!(["https://rust.berlin/posts/welcome/"])
    );
    assert_eq!(email["defects"], json!([]));
    assert_eq!(server.received_by(), counts(&[("ada@example.org", 1)]));
}
