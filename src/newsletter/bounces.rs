//! Reading the bounce mailbox (`bounce_mailbox`): delivery status notifications
//! (RFC 3464), complaint reports (ARF, RFC 5965) and bounces to a VERP address are
//! recognised; hard bounces and complaints suppress the address at once, soft
//! bounces after `changes::SOFT_BOUNCES_IN_A_ROW` issues in a row (see `changes`).
//! Recognised messages are moved aside (IMAP: copied to `hearth-processed`, then
//! flagged `\Seen \Deleted` and expunged; Maildir: moved to `.processed/`);
//! anything else stays for a person to read.
//!
//! The recipient comes from the VERP address when there is one: it is signed, so
//! it names the recipient without trusting the report's text. Without VERP, the
//! report's `Final-Recipient` (DSN) or the original's `To` (ARF) is used.
//!
//! MIME is parsed only as far as these reports need: headers, multipart parts,
//! base64 and quoted-printable bodies are not decoded (report parts are plain
//! text by their RFCs).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use lettre::Address;

use super::changes::{self, BounceKind};
use super::run::Newsletter;
use super::settings::BounceMailbox;
use super::subscribers::parse_address;
use super::token::Signer;

/// Messages larger than this are not reports: left alone.
pub const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;

/// What one run over the mailbox did.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub messages: usize,
    pub recognised: usize,
    /// Addresses put on the suppression list, with why.
    pub suppressed: Vec<(String, String)>,
}

/// One bounce or complaint found in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    pub address: Address,
    pub kind: BounceKind,
    pub issue: Option<u32>,
    pub detail: String,
}

/// Reads the site's bounce mailbox once; a site without one gets an empty report.
pub fn process(n: &Newsletter) -> Result<Report> {
    let Some(mailbox) = &n.settings.bounce_mailbox else {
        return Ok(Report::default());
    };
    let signer = n.signer()?;
    let verp_user = n
        .settings
        .bounce_address
        .as_ref()
        .map(|a| a.user().to_ascii_lowercase());
    let reader = Reader {
        signer: signer.as_ref(),
        verp_user: verp_user.as_deref(),
    };
    let mut report = Report::default();
    let mut record = |raw: &[u8]| -> Result<bool> {
        report.messages += 1;
        let found = reader.read(raw);
        if found.is_empty() {
            return Ok(false);
        }
        report.recognised += found.len();
        for b in found {
            let suppressed =
                changes::record_bounce(&n.site_dir, &b.address, b.kind, b.issue, &b.detail, n.now)?;
            if suppressed {
                report
                    .suppressed
                    .push((b.address.to_string(), format!("{:?}: {}", b.kind, b.detail)));
            }
        }
        Ok(true)
    };
    match mailbox {
        BounceMailbox::Maildir(dir) => maildir(dir, &mut record)?,
        BounceMailbox::Imap(imap) => super::imap::process(imap, &mut record)?,
    }
    Ok(report)
}

/// Each message of a Maildir's `new/` and `cur/`; those `handle` recognised move
/// to `.processed/cur/`.
fn maildir(dir: &Path, handle: &mut dyn FnMut(&[u8]) -> Result<bool>) -> Result<()> {
    let processed = dir.join(".processed");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(processed.join(sub))
            .with_context(|| format!("cannot create `{}`", processed.join(sub).display()))?;
    }
    for sub in ["new", "cur"] {
        let folder = dir.join(sub);
        let entries = std::fs::read_dir(&folder)
            .with_context(|| format!("cannot read the Maildir folder `{}`", folder.display()))?;
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            // Only regular files: a link or a pipe in a mailbox is nothing of ours.
            let is_file = path.symlink_metadata().is_ok_and(|m| m.is_file());
            let small = path
                .metadata()
                .is_ok_and(|m| m.len() <= MAX_MESSAGE_BYTES as u64);
            if !is_file || !small {
                continue;
            }
            let raw = std::fs::read(&path)
                .with_context(|| format!("cannot read `{}`", path.display()))?;
            if handle(&raw)? {
                let name = path.file_name().unwrap_or_default();
                let to = processed.join("cur").join(name);
                std::fs::rename(&path, &to)
                    .with_context(|| format!("cannot move `{}` aside", path.display()))?;
            }
        }
    }
    Ok(())
}

/// Recognises reports, with the key of VERP addresses when there is one.
pub struct Reader<'a> {
    pub signer: Option<&'a Signer>,
    /// The local part of `bounce_address`, lower case.
    pub verp_user: Option<&'a str>,
}

impl Reader<'_> {
    /// The bounces and complaints a message reports (none for other mail).
    pub fn read(&self, raw: &[u8]) -> Vec<Bounce> {
        let text = String::from_utf8_lossy(raw);
        let message = Part::parse(&text);
        let verp = self.verp(&text);
        let (issue, verp_address) = match &verp {
            Some((a, i)) => (Some(*i), Some(a.clone())),
            None => (None, None),
        };
        let content_type = message.content_type();
        let report_type = content_type.param("report-type").unwrap_or_default();
        if content_type.is("multipart/report")
            && report_type.eq_ignore_ascii_case("feedback-report")
        {
            return complaint(&message, verp_address, issue)
                .into_iter()
                .collect();
        }
        if content_type.is("multipart/report")
            && report_type.eq_ignore_ascii_case("delivery-status")
        {
            return delivery_status(&message, verp_address, issue);
        }
        // A bounce in no standard form, to a VERP address: a 5.x.x or 5xx in its text
        // makes it hard.
        match verp_address {
            Some(address) => {
                let kind = if has_permanent_code(&message.body) {
                    BounceKind::Hard
                } else {
                    BounceKind::Soft
                };
                vec![Bounce {
                    address,
                    kind,
                    issue,
                    detail: "bounce to the VERP address".to_string(),
                }]
            }
            None => Vec::new(),
        }
    }

    /// The first genuine VERP address in the message (headers or quoted original).
    fn verp(&self, text: &str) -> Option<(Address, u32)> {
        let signer = self.signer?;
        let user = self.verp_user?;
        let lower = text.to_ascii_lowercase();
        let needle = format!("{user}+");
        let mut from = 0;
        while let Some(at) = lower[from..].find(&needle) {
            let start = from + at;
            let end = lower[start..]
                .find(|c: char| c.is_whitespace() || "<>\"';,()".contains(c))
                .map_or(lower.len(), |e| start + e);
            if let Some(found) = signer.open_verp(&lower[start..end]) {
                return Some(found);
            }
            from = start + needle.len();
        }
        None
    }
}

/// An ARF report: a complaint about the original message's recipient.
fn complaint(message: &Part, verp: Option<Address>, issue: Option<u32>) -> Option<Bounce> {
    let parts = message.parts();
    let feedback = parts
        .iter()
        .find(|p| p.content_type().is("message/feedback-report"));
    let fields = feedback.map(|f| fields(&f.body)).unwrap_or_default();
    let kind = field(&fields, "feedback-type")
        .unwrap_or("abuse")
        .to_string();
    let original_to = parts
        .iter()
        .find(|p| {
            let t = p.content_type();
            t.is("message/rfc822") || t.is("text/rfc822-headers")
        })
        .and_then(|p| Part::parse(&p.body).header("to").map(str::to_string));
    let address = verp
        .or_else(|| field(&fields, "original-rcpt-to").and_then(address_in))
        .or_else(|| original_to.as_deref().and_then(address_in))?;
    Some(Bounce {
        address,
        kind: BounceKind::Complaint,
        issue,
        detail: format!("complaint ({kind})"),
    })
}

/// A DSN: one bounce per recipient that failed or was delayed.
fn delivery_status(message: &Part, verp: Option<Address>, issue: Option<u32>) -> Vec<Bounce> {
    let Some(status) = message
        .parts()
        .into_iter()
        .find(|p| p.content_type().is("message/delivery-status"))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // Per-message fields, then one block per recipient, separated by blank lines.
    for block in status.body.split("\n\n").skip(1) {
        let f = fields(block);
        let action = field(&f, "action").unwrap_or("").to_ascii_lowercase();
        let code = field(&f, "status").unwrap_or("").to_string();
        let kind = match (action.as_str(), code.chars().next()) {
            ("failed", Some('5')) => BounceKind::Hard,
            ("failed", Some('4')) | ("delayed", _) => BounceKind::Soft,
            _ => continue,
        };
        let recipient = field(&f, "final-recipient").or_else(|| field(&f, "original-recipient"));
        let Some(address) = verp.clone().or_else(|| recipient.and_then(address_in)) else {
            continue;
        };
        let diagnostic = field(&f, "diagnostic-code").unwrap_or("");
        out.push(Bounce {
            address,
            kind,
            issue,
            detail: format!("{action} {code} {diagnostic}").trim().to_string(),
        });
        if verp.is_some() {
            break;
        }
    }
    out
}

/// `rfc822; ada@example.org`, `<ada@example.org>`, `Ada <ada@example.org>`.
fn address_in(value: &str) -> Option<Address> {
    let value = value.rsplit(';').next().unwrap_or(value).trim();
    let inner = match (value.rfind('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => &value[a + 1..b],
        _ => value,
    };
    parse_address(inner.trim()).ok()
}

/// Whether `text` holds an enhanced status `5.x.x` or a reply code 5xx.
fn has_permanent_code(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || c == ':' || c == '(' || c == ')')
        .any(|w| {
            let b = w.as_bytes();
            let enhanced = b.len() >= 5
                && b[0] == b'5'
                && b[1] == b'.'
                && w[2..].split('.').count() == 2
                && w[2..]
                    .split('.')
                    .all(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()));
            let reply = b.len() == 3 && b[0] == b'5' && b.iter().all(u8::is_ascii_digit);
            enhanced || reply
        })
}

/// `Name: value` lines (continuations joined), names lower case.
fn fields(block: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    out
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A message or MIME part: its headers and its body, line ends as `\n`.
struct Part {
    headers: Vec<(String, String)>,
    body: String,
}

/// A `Content-Type` value: the type and its parameters.
struct ContentType {
    mime: String,
    params: Vec<(String, String)>,
}

impl ContentType {
    fn is(&self, mime: &str) -> bool {
        self.mime.eq_ignore_ascii_case(mime)
    }

    fn param(&self, name: &str) -> Option<String> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

impl Part {
    fn parse(text: &str) -> Part {
        let text = text.replace("\r\n", "\n");
        if let Some(body) = text.strip_prefix('\n') {
            return Part {
                headers: Vec::new(),
                body: body.to_string(),
            };
        }
        let (head, body) = match text.find("\n\n") {
            Some(at) => (&text[..at], &text[at + 2..]),
            None => (text.as_str(), ""),
        };
        Part {
            headers: fields(head),
            body: body.to_string(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        field(&self.headers, name)
    }

    fn content_type(&self) -> ContentType {
        let value = self.header("content-type").unwrap_or("text/plain");
        let mut pieces = value.split(';');
        let mime = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let params = pieces
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
            .collect();
        ContentType { mime, params }
    }

    /// The parts of a multipart body (none for other types).
    fn parts(&self) -> Vec<Part> {
        let Some(boundary) = self.content_type().param("boundary") else {
            return Vec::new();
        };
        let delimiter = format!("--{boundary}");
        let mut parts = Vec::new();
        let mut current: Option<String> = None;
        for line in self.body.lines() {
            if line.trim_end() == delimiter || line.trim_end() == format!("{delimiter}--") {
                if let Some(text) = current.take() {
                    parts.push(Part::parse(&text));
                }
                if line.trim_end().ends_with("--") && line.trim_end() != delimiter {
                    break;
                }
                current = Some(String::new());
            } else if let Some(text) = &mut current {
                text.push_str(line);
                text.push('\n');
            }
        }
        parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DSN: &str = "From: MAILER-DAEMON@mx.example.net\r\nTo: bounces@example.org\r\nSubject: Undelivered Mail\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"B1\"\r\n\r\n--B1\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n--B1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; gone@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 no such user\r\n\r\nFinal-Recipient: rfc822; full@example.net\r\nAction: delayed\r\nStatus: 4.2.2\r\n--B1--\r\n";

    fn reader() -> Reader<'static> {
        Reader {
            signer: None,
            verp_user: None,
        }
    }

    #[test]
    fn a_dsn_names_each_recipient_hard_or_soft() {
        let found = reader().read(DSN.as_bytes());
        let got: Vec<(String, BounceKind)> = found
            .iter()
            .map(|b| (b.address.to_string(), b.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("gone@example.net".to_string(), BounceKind::Hard),
                ("full@example.net".to_string(), BounceKind::Soft)
            ]
        );
    }

    #[test]
    fn an_arf_report_is_a_complaint_about_the_original_recipient() {
        let arf = "Content-Type: multipart/report; report-type=feedback-report; boundary=x\n\n--x\nContent-Type: text/plain\n\nA complaint.\n--x\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: test\nVersion: 1\n\n--x\nContent-Type: message/rfc822\n\nFrom: news@example.org\nTo: Grumpy <grumpy@example.net>\nSubject: Issue 3\n\nbody\n--x--\n";
        let found = reader().read(arf.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].address.to_string(), "grumpy@example.net");
        assert_eq!(found[0].kind, BounceKind::Complaint);
    }

    #[test]
    fn a_plain_bounce_to_a_verp_address_is_read_through_its_signature() {
        let signer = Signer::new(b"a test key of enough length", "newsletter.example.org");
        let bounce: Address = "bounces@example.org".parse().expect("address");
        let who: Address = "ada@example.net".parse().expect("address");
        let verp = signer.verp(&bounce, &who, 4).expect("verp");
        let mail = format!(
            "To: {verp}\nSubject: failure notice\n\nHi. This is the qmail-send program.\n<ada@example.net>:\n550 mailbox unavailable\n"
        );
        let r = Reader {
            signer: Some(&signer),
            verp_user: Some("bounces"),
        };
        let found = r.read(mail.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].kind, found[0].issue), (BounceKind::Hard, Some(4)));
        assert!(
            r.read(b"To: bounces+ada=example.net.4.0000000000000000@example.org\n\nhi")
                .is_empty()
        );
        assert!(reader().read(b"Subject: hello\n\njust mail").is_empty());
    }

    #[test]
    fn permanent_codes_are_found_in_text() {
        assert!(has_permanent_code("said: 550 5.1.1 unknown"));
        assert!(has_permanent_code("(5.7.1)"));
        assert!(!has_permanent_code("451 4.2.2 try later; 5000 users"));
    }
}
