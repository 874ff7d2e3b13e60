//! Who joined and who left since a person last edited `subscribers.csv`, kept as
//! plain files in the site folder that can be read, committed and merged:
//!
//! - `newsletter/joined.csv`: `time,email,name,source,consent`, one line per
//!   confirmed signup (source `endpoint`, the consent text the person was shown).
//! - `newsletter/suppressed.txt`: the suppression list, one address per line; lines
//!   hearth adds carry `# TIME REASON` (`unsubscribed (one-click)`, `hard bounce:
//!   5.1.1 …`, `complaint`, `soft bounces in issues 4, 5, 6`, `rejected at send: …`).
//! - `newsletter/bounces.csv`: `time,email,kind,issue,detail`, every bounce and
//!   complaint read, so soft bounces can be counted across issues.
//!
//! Every file is only ever appended to (one write per line, then fsync), through
//! `crate::files`. The recipients of a send are `subscribers.csv` and `joined.csv`
//! minus the suppressed: a suppression without a time, or later than a join, wins;
//! a join confirmed after a suppression (the person came back) wins over it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result};
use jiff::Timestamp;
use lettre::Address;

use super::subscribers::{SUPPRESSED_FILE, key, normalize, parse_address};
use crate::files;

pub const JOINED_FILE: &str = "newsletter/joined.csv";
pub const BOUNCES_FILE: &str = "newsletter/bounces.csv";
/// Soft bounces in this many issues in a row suppress an address.
pub const SOFT_BOUNCES_IN_A_ROW: u32 = 3;

/// One confirmed signup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    pub time: Timestamp,
    pub address: Address,
    pub name: String,
    pub source: String,
    pub consent: String,
}

/// One line of the suppression list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// `None` for lines a person wrote (or earlier hearth versions).
    pub time: Option<Timestamp>,
    pub reason: String,
}

/// What kind of suppression a reason names, for `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Left,
    Bounced,
    Complained,
}

impl Suppression {
    pub fn why(&self) -> Why {
        let r = self.reason.as_str();
        if r.starts_with("complaint") {
            Why::Complained
        } else if r.contains("bounce") || r.starts_with("rejected") {
            Why::Bounced
        } else {
            Why::Left
        }
    }
}

/// A bounce or complaint as read from the bounce mailbox or met at send time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BounceKind {
    Hard,
    Soft,
    Complaint,
}

impl BounceKind {
    fn as_str(self) -> &'static str {
        match self {
            BounceKind::Hard => "hard",
            BounceKind::Soft => "soft",
            BounceKind::Complaint => "complaint",
        }
    }
}

/// The joins and suppressions of a site.
#[derive(Debug, Default)]
pub struct Changes {
    pub joined: Vec<Joined>,
    /// By normalised address.
    pub suppressed: BTreeMap<String, Vec<Suppression>>,
}

impl Changes {
    /// Reads `joined.csv` and `suppressed.txt` (missing files are empty).
    pub fn load(site_dir: &Path) -> Result<Changes> {
        let mut changes = Changes::default();
        if let Some(text) = read(site_dir, SUPPRESSED_FILE)? {
            for line in text.lines() {
                if let Some((address, s)) = parse_suppression(line) {
                    changes.suppressed.entry(address).or_default().push(s);
                }
            }
        }
        if let Some(text) = read(site_dir, JOINED_FILE)? {
            changes.joined = parse_joined(&text);
        }
        Ok(changes)
    }

    /// The latest time `address` was suppressed: `Some(None)` for a line without a
    /// time (it always wins), `None` when it never was.
    fn suppressed_at(&self, key: &str) -> Option<Option<Timestamp>> {
        let list = self.suppressed.get(key)?;
        if list.iter().any(|s| s.time.is_none()) {
            return Some(None);
        }
        Some(list.iter().filter_map(|s| s.time).max())
    }

    /// Whether a join at `time` (or a list entry, `None`) still stands.
    pub fn stands(&self, key: &str, time: Option<Timestamp>) -> bool {
        match (self.suppressed_at(key), time) {
            (None, _) => true,
            (Some(Some(left)), Some(joined)) => joined > left,
            _ => false,
        }
    }

    /// Whether `key` is suppressed now: on the list, with no join since.
    pub fn is_suppressed(&self, key: &str) -> bool {
        self.suppressed_at(key).is_some()
            && !self.joined.iter().any(|j| {
                super::subscribers::key(&j.address) == key && self.stands(key, Some(j.time))
            })
    }

    /// The joins that still stand, latest per address.
    pub fn active_joins(&self) -> Vec<&Joined> {
        let mut latest: BTreeMap<String, &Joined> = BTreeMap::new();
        for j in &self.joined {
            latest.insert(key(&j.address), j);
        }
        latest
            .into_iter()
            .filter(|(k, j)| self.stands(k, Some(j.time)))
            .map(|(_, j)| j)
            .collect()
    }

    /// Addresses to leave out of `subscribers.csv`: every suppressed one.
    pub fn suppressed_keys(&self) -> BTreeSet<String> {
        self.suppressed.keys().cloned().collect()
    }

    /// Counts of suppressed addresses by kind (latest reason of each).
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut out = BTreeMap::new();
        for list in self.suppressed.values() {
            let kind = match list.last().map(Suppression::why) {
                Some(Why::Bounced) => "bounced",
                Some(Why::Complained) => "complained",
                _ => "left",
            };
            *out.entry(kind).or_insert(0) += 1;
        }
        out
    }
}

fn read(site_dir: &Path, rel: &str) -> Result<Option<String>> {
    match files::read_to_string(site_dir, Path::new(rel)) {
        Ok(text) => Ok(Some(text)),
        Err(files::Refused::Missing) => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read `{rel}`")),
    }
}

/// `address` or `address # TIME REASON`; comments and blank lines are `None`.
fn parse_suppression(line: &str) -> Option<(String, Suppression)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (address, comment) = match line.split_once(" #") {
        Some((a, c)) => (a.trim(), c.trim()),
        None => (line, ""),
    };
    let (time, reason) = match comment.split_once(' ') {
        Some((t, r)) => match t.parse::<Timestamp>() {
            Ok(t) => (Some(t), r.trim()),
            Err(_) => (None, comment),
        },
        None => (comment.parse::<Timestamp>().ok(), ""),
    };
    let reason = if reason.is_empty() {
        "unsubscribed"
    } else {
        reason
    };
    Some((
        normalize(address),
        Suppression {
            time,
            reason: reason.to_string(),
        },
    ))
}

fn parse_joined(text: &str) -> Vec<Joined> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| {
            Some(Joined {
                time: r.get(0)?.parse().ok()?,
                address: parse_address(r.get(1)?).ok()?,
                name: r.get(2).unwrap_or("").to_string(),
                source: r.get(3).unwrap_or("").to_string(),
                consent: r.get(4).unwrap_or("").to_string(),
            })
        })
        .collect()
}

/// One CSV line, quoted as needed; never a line break inside (they are dropped).
fn csv_line(fields: &[&str]) -> Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    let clean: Vec<String> = fields
        .iter()
        .map(|f| f.chars().filter(|c| !c.is_control()).collect())
        .collect();
    writer.write_record(&clean)?;
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write a CSV line: {e}"))
}

/// Appends `line` to `rel`, writing `header` first when the file is new; fsync.
fn append(site_dir: &Path, rel: &str, header: &[u8], line: &[u8]) -> Result<()> {
    let fresh = !site_dir.join(rel).exists();
    let mut file = files::open(site_dir, Path::new(rel), files::Mode::Append)?;
    let mut bytes = Vec::with_capacity(header.len() + line.len());
    if fresh {
        bytes.extend_from_slice(header);
    }
    bytes.extend_from_slice(line);
    file.write_all(&bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write `{rel}`"))
}

/// Records a confirmed signup.
pub fn record_join(site_dir: &Path, j: &Joined) -> Result<()> {
    let time = j.time.to_string();
    let line = csv_line(&[&time, &key(&j.address), &j.name, &j.source, &j.consent])?;
    append(
        site_dir,
        JOINED_FILE,
        b"time,email,name,source,consent\n",
        &line,
    )
}

/// Puts `address` on the suppression list with a time and reason.
pub fn record_suppression(
    site_dir: &Path,
    address: &Address,
    time: Timestamp,
    reason: &str,
) -> Result<()> {
    let reason: String = reason
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect();
    let line = format!("{} # {time} {}\n", key(address), reason.trim());
    append(
        site_dir,
        SUPPRESSED_FILE,
        b"# Addresses hearth never mails, one per line; `# TIME REASON` says why.\n",
        line.as_bytes(),
    )
}

/// Records a bounce or complaint; true when it puts the address on the
/// suppression list (hard bounce, complaint, or soft bounces in a row).
pub fn record_bounce(
    site_dir: &Path,
    address: &Address,
    kind: BounceKind,
    issue: Option<u32>,
    detail: &str,
    time: Timestamp,
) -> Result<bool> {
    let issue_text = issue.map(|i| i.to_string()).unwrap_or_default();
    let line = csv_line(&[
        &time.to_string(),
        &key(address),
        kind.as_str(),
        &issue_text,
        detail,
    ])?;
    append(
        site_dir,
        BOUNCES_FILE,
        b"time,email,kind,issue,detail\n",
        &line,
    )?;
    let reason = match kind {
        BounceKind::Hard => format!("hard bounce: {detail}"),
        BounceKind::Complaint => format!("complaint: {detail}"),
        BounceKind::Soft => {
            let issues = soft_issues(site_dir, &key(address))?;
            match soft_in_a_row(&issues) {
                Some(run) => format!("soft bounces in issues {run}"),
                None => return Ok(false),
            }
        }
    };
    if Changes::load(site_dir)?.is_suppressed(&key(address)) {
        // One line is enough.
        return Ok(false);
    }
    record_suppression(site_dir, address, time, &reason)?;
    Ok(true)
}

/// The issues in which `key` bounced softly, from `bounces.csv`.
fn soft_issues(site_dir: &Path, key: &str) -> Result<BTreeSet<u32>> {
    let Some(text) = read(site_dir, BOUNCES_FILE)? else {
        return Ok(BTreeSet::new());
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    Ok(reader
        .records()
        .filter_map(Result::ok)
        .filter(|r| r.get(1).map(normalize).as_deref() == Some(key) && r.get(2) == Some("soft"))
        .filter_map(|r| r.get(3)?.parse().ok())
        .collect())
}

/// `"4, 5, 6"` when the latest `SOFT_BOUNCES_IN_A_ROW` issues bounced are
/// consecutive numbers.
pub fn soft_in_a_row(issues: &BTreeSet<u32>) -> Option<String> {
    let last: Vec<u32> = issues
        .iter()
        .rev()
        .take(SOFT_BOUNCES_IN_A_ROW as usize)
        .copied()
        .collect();
    let in_a_row =
        last.len() == SOFT_BOUNCES_IN_A_ROW as usize && last.windows(2).all(|w| w[0] == w[1] + 1);
    in_a_row.then(|| {
        last.iter()
            .rev()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn suppression_lines_keep_time_and_reason_and_old_lines_still_count() {
        let (a, s) = parse_suppression("Ada@Example.org # 2026-11-23T10:00:00Z hard bounce: 5.1.1")
            .expect("a line");
        assert_eq!(a, "ada@example.org");
        assert_eq!(s.time, Some(at("2026-11-23T10:00:00Z")));
        assert_eq!(s.why(), Why::Bounced);
        let (_, s) = parse_suppression("grace@example.org").expect("a bare line");
        assert_eq!((s.time, s.why()), (None, Why::Left));
        assert!(parse_suppression("# a comment").is_none());
    }

    #[test]
    fn a_join_after_leaving_stands_and_one_before_does_not() {
        let mut c = Changes::default();
        c.suppressed.insert(
            "ada@example.org".into(),
            vec![Suppression {
                time: Some(at("2026-11-23T10:00:00Z")),
                reason: "unsubscribed".into(),
            }],
        );
        assert!(!c.stands("ada@example.org", Some(at("2026-11-22T10:00:00Z"))));
        assert!(c.stands("ada@example.org", Some(at("2026-11-24T10:00:00Z"))));
        assert!(!c.stands("ada@example.org", None));
        assert!(c.stands("grace@example.org", None));
    }

    #[test]
    fn soft_bounces_count_only_in_consecutive_issues() {
        let set = |v: &[u32]| v.iter().copied().collect::<BTreeSet<u32>>();
        assert_eq!(soft_in_a_row(&set(&[4, 5, 6])), Some("4, 5, 6".into()));
        assert_eq!(soft_in_a_row(&set(&[1, 5, 6])), None);
        assert_eq!(soft_in_a_row(&set(&[5, 6])), None);
        assert_eq!(
            soft_in_a_row(&set(&[1, 2, 3, 5, 6, 7])),
            Some("5, 6, 7".into())
        );
    }
}
