//! The people an issue goes to: `subscribers.csv` (header row, `email` and `name`
//! columns, more allowed), minus the suppression list. A bad or repeated address is
//! reported with its line and skipped; it never stops a send.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use lettre::Address;

use crate::diag::{Diagnostic, Diagnostics, Location};

/// The suppression list, relative to the site folder: one address per line.
pub const SUPPRESSED_FILE: &str = "newsletter/suppressed.txt";

#[derive(Debug, Clone)]
pub struct Subscriber {
    pub address: Address,
    /// The `name` column, else the address's local part.
    pub name: String,
    /// The CSV's headers (lower case), shared by every subscriber of the list.
    pub columns: std::sync::Arc<[String]>,
    /// This subscriber's value of each column, in `columns` order.
    pub values: Vec<String>,
}

impl Subscriber {
    /// The value of the column named `name`, if the CSV has it.
    pub fn field(&self, name: &str) -> Option<&str> {
        let i = self.columns.iter().position(|c| c == name)?;
        self.values.get(i).map(String::as_str)
    }

    /// The address as the ledger and suppression list keep it (see `normalize`).
    pub fn key(&self) -> String {
        key(&self.address)
    }
}

/// An address as the ledger and suppression list keep it (see `normalize`).
pub fn key(address: &Address) -> String {
    normalize(address.as_ref())
}

/// The one form in which addresses are compared: the local part in lower case (no
/// provider tells `Ada` from `ada` apart), the domain in lower-case ASCII (IDNA /
/// UTS-46 punycode), so `d@exämple.org`, `D@xn--exmple-cua.org` and
/// `d@EXÄMPLE.org` are one address. A domain IDNA refuses is only lower-cased.
///
/// For an all-ASCII address this is exactly the lower-cased address, the key of
/// earlier hearth versions, so their ledgers and suppression lists still match.
pub fn normalize(address: &str) -> String {
    let address = address.trim();
    let Some((local, domain)) = address.rsplit_once('@') else {
        return address.to_lowercase();
    };
    let domain = idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_lowercase());
    format!("{}@{domain}", local.to_lowercase())
}

#[derive(Debug, Default)]
pub struct Subscribers {
    pub list: Vec<Subscriber>,
    /// The header row, lower case: every column, even with nobody on the list.
    pub columns: std::sync::Arc<[String]>,
    /// Lines skipped (bad or repeated address), as warnings with their line.
    pub skipped: Vec<Diagnostic>,
    /// How many were left out because they unsubscribed.
    pub suppressed: usize,
    /// Valid lines of the subscribers file, suppressed ones included.
    pub from_file: usize,
}

/// Reads the subscribers of `csv_path` (shown as `display` in messages), leaving out
/// the suppressed addresses.
pub fn read(csv_path: &Path, display: &Path, suppressed: &BTreeSet<String>) -> Result<Subscribers> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(csv_path)
        .with_context(|| format!("cannot read the subscribers file `{}`", display.display()))?;
    let headers: std::sync::Arc<[String]> = reader
        .headers()
        .with_context(|| format!("`{}`: cannot read the header row", display.display()))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let Some(email_col) = headers.iter().position(|h| h == "email") else {
        // The first line is not named: a file that is no subscriber list (a
        // `[newsletter] subscribers` pointed at something else) must not be echoed.
        bail!(
            "`{}`: the first line is not a header row with an `email` column ({} column{} found); it must name the columns, such as `email,name`",
            display.display(),
            headers.len(),
            if headers.len() == 1 { "" } else { "s" }
        );
    };
    let name_col = headers.iter().position(|h| h == "name");
    let mut out = Subscribers {
        columns: std::sync::Arc::clone(&headers),
        ..Subscribers::default()
    };
    let mut diags = Diagnostics::default();
    let mut seen = BTreeSet::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                diags.warning(
                    display,
                    line.map(Location::line),
                    format!("unreadable line skipped: {e}"),
                );
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize);
        let here = line.map(Location::line);
        let raw = record.get(email_col).unwrap_or("");
        let address = match parse_address(raw) {
            Ok(a) => a,
            Err(why) => {
                diags.warning(display, here, format!("`{}` skipped: {why}", shown(raw)));
                continue;
            }
        };
        let key = key(&address);
        if !seen.insert(key.clone()) {
            diags.warning(
                display,
                here,
                format!("`{}` skipped: the address is listed twice", shown(raw)),
            );
            continue;
        }
        if suppressed.contains(&key) {
            out.suppressed += 1;
            continue;
        }
        let values: Vec<String> = record.iter().map(str::to_string).collect();
        let name = name_col
            .and_then(|c| record.get(c))
            .filter(|n| !n.is_empty())
            .map_or_else(|| address.user().to_string(), clean_name);
        out.list.push(Subscriber {
            address,
            name,
            columns: std::sync::Arc::clone(&headers),
            values,
        });
    }
    out.skipped = diags.into_items();
    out.from_file = out.list.len() + out.suppressed;
    Ok(out)
}

/// Adds the joins that stand (see `changes`) to `subs`: those not on the list
/// already, and those who left the list and joined again since.
pub fn add_joined(subs: &mut Subscribers, changes: &super::changes::Changes) {
    let mut on_list: BTreeSet<String> = subs.list.iter().map(Subscriber::key).collect();
    for j in changes.active_joins() {
        if !on_list.insert(key(&j.address)) {
            continue;
        }
        let values = subs
            .columns
            .iter()
            .map(|c| match c.as_str() {
                "email" => j.address.to_string(),
                "name" => j.name.clone(),
                _ => String::new(),
            })
            .collect();
        let name = if j.name.is_empty() {
            j.address.user().to_string()
        } else {
            clean_name(&j.name)
        };
        subs.list.push(Subscriber {
            address: j.address.clone(),
            name,
            columns: std::sync::Arc::clone(&subs.columns),
            values,
        });
    }
}

/// A value of the `email` column as a message shows it: at most 80 characters, no
/// control characters (a terminal must not take them as commands).
fn shown(raw: &str) -> String {
    let mut text: String = raw
        .chars()
        .take(80)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if raw.chars().count() > 80 {
        text.push('…');
    }
    text
}

/// A name fit for a header and a greeting: no control characters.
fn clean_name(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).collect()
}

/// A deliverable address: `user@domain`, no spaces or angle brackets, a dot in the
/// domain (or `localhost`).
pub fn parse_address(raw: &str) -> Result<Address, &'static str> {
    if raw.is_empty() {
        return Err("the email is empty");
    }
    if raw
        .contains(|c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
    {
        return Err("not an email address");
    }
    let address: Address = raw.parse().map_err(|_| "not an email address")?;
    let domain = address.domain();
    if !(domain.contains('.') || domain == "localhost")
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err("the domain part is not a full domain name");
    }
    Ok(address)
}

/// The suppressed addresses of the site, normalised (see `normalize`).
pub fn suppressed(site_dir: &Path) -> Result<BTreeSet<String>> {
    let path = site_dir.join(SUPPRESSED_FILE);
    match crate::files::read_to_string(site_dir, Path::new(SUPPRESSED_FILE)) {
        Ok(text) => Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            // `address # TIME REASON`: the reason is a comment.
            .map(|l| normalize(l.split(" #").next().unwrap_or(l)))
            .collect()),
        Err(crate::files::Refused::Missing) => Ok(BTreeSet::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read `{}`", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_before_they_are_mailed() {
        assert!(parse_address("ada@example.org").is_ok());
        assert!(parse_address("Ada.Lovelace+news@mail.example.org").is_ok());
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "ada@example.org\r\nBcc: x@y.z",
            "<ada@example.org>",
        ] {
            assert!(parse_address(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn bad_and_repeated_lines_are_skipped_with_their_line() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let csv = dir.path().join("s.csv");
        std::fs::write(
            &csv,
            "email,name,city\nada@example.org,Ada,Berlin\nnot-an-address,Bob,Rome\n\"grace@example.org\",\"Hopper, Grace\",NYC\nADA@example.org,Ada again,\nleft@example.org,Left,\n",
        )?;
        let suppressed: BTreeSet<String> = ["left@example.org".to_string()].into();
        let subs = read(&csv, Path::new("subscribers.csv"), &suppressed)?;
        let names: Vec<_> = subs.list.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Ada", "Hopper, Grace"]);
        assert_eq!(subs.list[0].field("city"), Some("Berlin"));
        let lines: Vec<_> = subs
            .skipped
            .iter()
            .map(|d| d.location.map(|l| l.line))
            .collect();
        assert_eq!(lines, [Some(3), Some(5)]);
        assert_eq!(subs.suppressed, 1);
        Ok(())
    }

    #[test]
    fn one_address_in_any_spelling_has_one_key() {
        let one = [
            "d@exämple.org",
            "D@xn--exmple-cua.org",
            "d@EXÄMPLE.org",
            "d@XN--EXMPLE-CUA.ORG",
        ];
        for spelling in one {
            assert_eq!(normalize(spelling), "d@xn--exmple-cua.org", "{spelling}");
        }
        // All-ASCII addresses keep the key of earlier versions: lower case.
        for ascii in [
            "Ada.Lovelace+News@Mail.Example.ORG",
            "x@xn--zz-bad.org",
            "a@b_c.org",
        ] {
            assert_eq!(normalize(ascii), ascii.to_lowercase());
        }
        let address: Address = "Émile@Bücher.org".parse().expect("an IDN address");
        assert_eq!(key(&address), "émile@xn--bcher-kva.org");
    }

    #[test]
    fn a_file_without_a_header_row_is_not_echoed() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let csv = dir.path().join("s.csv");
        std::fs::write(&csv, "root:x:0:0:root:/root:/bin/bash\n")?;
        let error = read(&csv, Path::new("s.csv"), &BTreeSet::new())
            .expect_err("no email column")
            .to_string();
        assert!(
            !error.contains("root") && error.contains("1 column found"),
            "{error}"
        );
        Ok(())
    }
}
