//! A minimal IMAP4rev1 client over TLS (rustls, already in the tree for SMTP) for
//! the bounce mailbox: LOGIN, SELECT, UID SEARCH, UID FETCH BODY.PEEK[], CREATE,
//! UID COPY, UID STORE, EXPUNGE, LOGOUT, nothing else.
//!
//! Why not a crate: `imap` 2.x needs native-tls (OpenSSL), `async-imap` an async
//! runtime; these nine commands over a blocking rustls stream cost less than
//! either, and every answer is bounded (a line 64 KiB, a message 10 MiB).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};

use super::bounces::MAX_MESSAGE_BYTES;
use super::settings::Imap;

/// Where recognised messages are copied before they are deleted from the inbox.
pub const PROCESSED_MAILBOX: &str = "hearth-processed";
const MAX_LINE: usize = 64 * 1024;
const TIMEOUT: Duration = Duration::from_secs(30);

type Tls = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

/// Reads every message of the mailbox; those `handle` recognises are moved aside.
pub fn process(imap: &Imap, handle: &mut dyn FnMut(&[u8]) -> Result<bool>) -> Result<()> {
    let password = std::env::var(&imap.password_env).map_err(|_| {
        anyhow!(
            "the environment variable {} (`bounce_password_env`) is not set: it holds the bounce mailbox's password",
            imap.password_env
        )
    })?;
    let mut client = Client::connect(imap)?;
    client
        .command(&format!("LOGIN {} {}", quote(&imap.user), quote(&password)))
        .map_err(|e| anyhow!("the IMAP server refused the login of `{}`: {e}", imap.user))?;
    client.command(&format!("SELECT {}", quote(&imap.mailbox)))?;
    let uids = client.search()?;
    // Exists already, most runs: a NO is fine.
    let _ = client.command(&format!("CREATE {}", quote(PROCESSED_MAILBOX)));
    let mut moved = 0;
    for uid in uids {
        let Some(raw) = client.fetch(uid)? else {
            continue;
        };
        if handle(&raw)? {
            client.command(&format!("UID COPY {uid} {}", quote(PROCESSED_MAILBOX)))?;
            client.command(&format!("UID STORE {uid} +FLAGS.SILENT (\\Seen \\Deleted)"))?;
            moved += 1;
        }
    }
    if moved > 0 {
        client.command("EXPUNGE")?;
    }
    let _ = client.command("LOGOUT");
    Ok(())
}

/// An IMAP string: quoted, with `\` and `"` escaped (line breaks cannot occur:
/// settings refuse control characters).
fn quote(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    format!("\"{}\"", clean.replace('\\', "\\\\").replace('"', "\\\""))
}

struct Client {
    stream: BufReader<Tls>,
    tag: u32,
}

/// One untagged line of an answer, with the literal that followed it, if any.
struct Untagged {
    line: String,
    literal: Option<Vec<u8>>,
}

impl Client {
    fn connect(imap: &Imap) -> Result<Client> {
        let tcp = TcpStream::connect((imap.host.as_str(), imap.port)).with_context(|| {
            format!(
                "cannot connect to the IMAP server {}:{}",
                imap.host, imap.port
            )
        })?;
        tcp.set_read_timeout(Some(TIMEOUT))?;
        tcp.set_write_timeout(Some(TIMEOUT))?;
        let name = rustls::pki_types::ServerName::try_from(imap.host.clone())
            .map_err(|e| anyhow!("`{}` is not a host name: {e}", imap.host))?;
        let connection = rustls::ClientConnection::new(Arc::new(tls_config(imap)?), name)
            .context("cannot set up TLS")?;
        let mut client = Client {
            stream: BufReader::new(rustls::StreamOwned::new(connection, tcp)),
            tag: 0,
        };
        let greeting = client.line()?;
        if !greeting.starts_with("* OK") && !greeting.starts_with("* PREAUTH") {
            bail!("the IMAP server did not greet: {greeting}");
        }
        Ok(client)
    }

    /// Sends a command and reads its answer up to the tagged status; NO/BAD are errors.
    fn command(&mut self, command: &str) -> Result<Vec<Untagged>> {
        self.tag += 1;
        let tag = format!("h{}", self.tag);
        let stream = self.stream.get_mut();
        stream.write_all(format!("{tag} {command}\r\n").as_bytes())?;
        stream.flush()?;
        let mut untagged = Vec::new();
        loop {
            let line = self.line()?;
            if let Some(status) = line.strip_prefix(&format!("{tag} ")) {
                if status.starts_with("OK") {
                    return Ok(untagged);
                }
                let verb = command.split(' ').next().unwrap_or(command);
                bail!("IMAP {verb}: {status}");
            }
            let literal = match literal_size(&line) {
                Some(size) => Some(self.literal(size)?),
                None => None,
            };
            untagged.push(Untagged { line, literal });
            // The rest of a line that carried a literal (`)` and the like) is read
            // as the next line.
        }
    }

    fn search(&mut self) -> Result<Vec<u32>> {
        let answer = self.command("UID SEARCH ALL")?;
        Ok(answer
            .iter()
            .filter_map(|u| u.line.strip_prefix("* SEARCH"))
            .flat_map(|rest| rest.split_whitespace().filter_map(|n| n.parse().ok()))
            .collect())
    }

    /// The raw message of `uid`, without setting `\Seen`.
    fn fetch(&mut self, uid: u32) -> Result<Option<Vec<u8>>> {
        let answer = self.command(&format!("UID FETCH {uid} BODY.PEEK[]"))?;
        Ok(answer.into_iter().find_map(|u| u.literal))
    }

    /// One line without its CRLF, at most `MAX_LINE` bytes.
    fn line(&mut self) -> Result<String> {
        let mut buf = Vec::new();
        let n = (&mut self.stream)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut buf)
            .context("the IMAP server did not answer")?;
        if n == 0 {
            bail!("the IMAP server closed the connection");
        }
        if !buf.ends_with(b"\n") {
            bail!("the IMAP server sent a line over {MAX_LINE} bytes");
        }
        Ok(String::from_utf8_lossy(&buf).trim_end().to_string())
    }

    fn literal(&mut self, size: usize) -> Result<Vec<u8>> {
        if size > MAX_MESSAGE_BYTES {
            bail!("the IMAP server sent a message over {MAX_MESSAGE_BYTES} bytes");
        }
        let mut buf = vec![0; size];
        self.stream
            .read_exact(&mut buf)
            .context("the IMAP server's answer ended early")?;
        Ok(buf)
    }
}

/// `{123}` at the end of a line: a literal of that many bytes follows.
fn literal_size(line: &str) -> Option<usize> {
    let open = line.strip_suffix('}')?.rfind('{')?;
    line[open + 1..line.len() - 1].parse().ok()
}

/// Web PKI roots, plus the certificates of `bounce_ca_file` if given.
fn tls_config(imap: &Imap) -> Result<rustls::ClientConfig> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(ca) = &imap.ca_file {
        for cert in CertificateDer::pem_file_iter(ca)
            .with_context(|| format!("cannot read `bounce_ca_file` {}", ca.display()))?
        {
            let cert = cert.map_err(|e| anyhow!("`bounce_ca_file` {}: {e}", ca.display()))?;
            roots
                .add(cert)
                .map_err(|e| anyhow!("`bounce_ca_file` {}: {e}", ca.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("cannot set up TLS")?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_strings_are_framed() {
        assert_eq!(literal_size("* 1 FETCH (UID 7 BODY[] {342}"), Some(342));
        assert_eq!(literal_size("* OK done"), None);
        assert_eq!(quote("a\"b\\c\r\n"), "\"a\\\"b\\\\c\"");
    }
}
