//! Per-recipient delivery state of one issue: an append-only log under
//! `.hearth/newsletter/`, made durable (fsync) right after each message the server
//! accepted. A send killed at any instant and started again reads it back and mails
//! only those without a result, so nobody gets an issue twice, except at most the
//! one message in flight at the kill.
//!
//! Lines: `R <addr>` a recipient of the issue (written once, up front), `D <addr>
//! [<time>]` delivered (the RFC 3339 time, absent in ledgers of older hearth
//! versions, counts towards `max_per_hour` and `max_per_day`), `F <addr> <reason>` failed for good (5xx), `T <addr> <reason>` failed
//! for now (retried by the next send), `S <addr> <reason>` left out on purpose (they
//! unsubscribed since the issue began). A torn last line (a kill mid-write) is
//! ignored.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use jiff::Timestamp;

use crate::files;

/// Where the ledgers live, relative to the site folder.
pub const LEDGER_DIR: &str = ".hearth/newsletter";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Pending,
    Delivered,
    /// Rejected for good; not retried.
    Failed(String),
    /// Not delivered yet after a temporary failure; the next send retries.
    Deferred(String),
    /// Left out on purpose (unsubscribed since the issue began); not a failure.
    Skipped(String),
}

impl State {
    pub fn is_done(&self) -> bool {
        matches!(
            self,
            State::Delivered | State::Failed(_) | State::Skipped(_)
        )
    }
}

/// An issue's ledger file, open for appending.
#[derive(Debug)]
pub struct Ledger {
    path: PathBuf,
    file: std::fs::File,
    /// Recipients in list order with their state.
    states: BTreeMap<String, State>,
    order: Vec<String>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub recipients: usize,
    pub delivered: usize,
    pub failed: usize,
    pub pending: usize,
    /// Left out on purpose (unsubscribed during the send).
    pub skipped: usize,
}

/// The ledger of `issue`, relative to the site folder.
pub fn rel_path(issue: u32) -> PathBuf {
    Path::new(LEDGER_DIR).join(format!("issue-{issue}.log"))
}

pub fn path(site_dir: &Path, issue: u32) -> PathBuf {
    site_dir.join(rel_path(issue))
}

impl Ledger {
    /// Opens the ledger of `issue`, creating it with `recipients` if it does not
    /// exist yet (a resumed send keeps its original list).
    pub fn open(
        site_dir: &Path,
        issue: u32,
        recipients: impl FnOnce() -> Vec<String>,
    ) -> Result<Ledger> {
        let rel = rel_path(issue);
        let path = site_dir.join(&rel);
        if !path.exists() {
            let mut text = String::new();
            for r in recipients() {
                text.push_str("R ");
                text.push_str(&r);
                text.push('\n');
            }
            files::write_durably(site_dir, &rel, text.as_bytes())?;
        }
        let (order, states) = read(site_dir, &rel)?;
        let file = files::open(site_dir, &rel, files::Mode::Append)
            .with_context(|| format!("cannot open the ledger `{}`", path.display()))?;
        drop_torn_line(&path, &file)?;
        Ok(Ledger {
            path,
            file,
            states,
            order,
        })
    }

    /// Recipients in list order.
    pub fn recipients(&self) -> &[String] {
        &self.order
    }

    pub fn state(&self, address: &str) -> &State {
        self.states.get(address).unwrap_or(&State::Pending)
    }

    pub fn counts(&self) -> Counts {
        counts(&self.order, &self.states)
    }

    /// Records a result, reached at `at`, durably before returning.
    pub fn record(&mut self, address: &str, state: State, at: Timestamp) -> Result<()> {
        let line = match &state {
            State::Delivered => format!("D {address} {at}\n"),
            State::Failed(why) => format!("F {address} {}\n", one_line(why)),
            State::Deferred(why) => format!("T {address} {}\n", one_line(why)),
            State::Skipped(why) => format!("S {address} {}\n", one_line(why)),
            State::Pending => return Ok(()),
        };
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data())
            .with_context(|| format!("cannot write the ledger `{}`", self.path.display()))?;
        self.states.insert(address.to_string(), state);
        Ok(())
    }

    /// The failed and deferred recipients with their reasons.
    pub fn problems(&self) -> Problems {
        problems(&self.order, &self.states)
    }
}

/// Cuts a half-written last line off, so that the next line appended starts clean
/// (a torn `D` line glued to the next could name another address).
fn drop_torn_line(path: &Path, mut file: &std::fs::File) -> Result<()> {
    use std::io::{Read as _, Seek as _};
    // Read through the handle opened without following links, not by name again.
    let mut bytes = Vec::new();
    file.rewind()
        .and_then(|_| file.read_to_end(&mut bytes))
        .with_context(|| format!("cannot read the ledger `{}`", path.display()))?;
    if bytes.last().is_some_and(|b| *b != b'\n') {
        let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        file.set_len(keep as u64)?;
        file.sync_data()?;
    }
    Ok(())
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

type Read = (Vec<String>, BTreeMap<String, State>);

fn read(site_dir: &Path, rel: &Path) -> Result<Read> {
    let text = files::read_to_string(site_dir, rel)
        .with_context(|| format!("cannot read the ledger `{}`", site_dir.join(rel).display()))?;
    let mut order = Vec::new();
    let mut states = BTreeMap::new();
    // Only whole lines count: a kill can leave half a line at the end.
    let whole = match text.rfind('\n') {
        Some(i) => &text[..=i],
        None => "",
    };
    for line in whole.lines() {
        let mut parts = line.splitn(3, ' ');
        let (Some(kind), Some(address)) = (parts.next(), parts.next()) else {
            continue;
        };
        let rest = parts.next().unwrap_or("").to_string();
        match kind {
            "R" if states.insert(address.to_string(), State::Pending).is_none() => {
                order.push(address.to_string());
            }
            "D" => {
                states.insert(address.to_string(), State::Delivered);
            }
            "F" => {
                states.insert(address.to_string(), State::Failed(rest));
            }
            "T" => {
                states.insert(address.to_string(), State::Deferred(rest));
            }
            "S" => {
                states.insert(address.to_string(), State::Skipped(rest));
            }
            _ => {}
        }
    }
    Ok((order, states))
}

fn counts(order: &[String], states: &BTreeMap<String, State>) -> Counts {
    let mut c = Counts {
        recipients: order.len(),
        ..Counts::default()
    };
    for a in order {
        match states.get(a).unwrap_or(&State::Pending) {
            State::Delivered => c.delivered += 1,
            State::Failed(_) => c.failed += 1,
            State::Pending | State::Deferred(_) => c.pending += 1,
            State::Skipped(_) => c.skipped += 1,
        }
    }
    c
}

/// Recipients that failed or wait for a retry, with their state.
pub type Problems = Vec<(String, State)>;

fn problems(order: &[String], states: &BTreeMap<String, State>) -> Problems {
    order
        .iter()
        .filter_map(|a| match states.get(a) {
            Some(s @ (State::Failed(_) | State::Deferred(_))) => Some((a.clone(), s.clone())),
            _ => None,
        })
        .collect()
}

/// The delivery times after `since` in the ledgers of every issue, oldest first:
/// what `max_per_hour` and `max_per_day` count, across runs and issues.
pub fn delivery_times(site_dir: &Path, since: Timestamp) -> Result<Vec<Timestamp>> {
    let tree = files::walk(site_dir, Path::new(LEDGER_DIR));
    let mut times = Vec::new();
    for rel in &tree.files {
        let is_ledger = rel
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("issue-") && n.ends_with(".log"));
        if !is_ledger {
            continue;
        }
        let text = files::read_to_string(site_dir, rel).with_context(|| {
            format!("cannot read the ledger `{}`", site_dir.join(rel).display())
        })?;
        times.extend(
            text.lines()
                .filter_map(|line| line.strip_prefix("D "))
                .filter_map(|rest| rest.split(' ').nth(1)?.parse::<Timestamp>().ok())
                .filter(|t| *t > since),
        );
    }
    times.sort();
    Ok(times)
}

/// The counts of an issue's ledger and its problems, or `None` if it has none.
pub fn read_counts(site_dir: &Path, issue: u32) -> Result<Option<(Counts, Problems)>> {
    let rel = rel_path(issue);
    if !site_dir.join(&rel).exists() {
        return Ok(None);
    }
    let (order, states) = read(site_dir, &rel)?;
    Ok(Some((counts(&order, &states), problems(&order, &states))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_survive_a_reopen_and_a_torn_last_line_is_ignored() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let list = || {
            vec![
                "a@x.org".to_string(),
                "b@x.org".to_string(),
                "c@x.org".to_string(),
            ]
        };
        let at: Timestamp = "2026-11-23T09:00:00Z".parse()?;
        let mut ledger = Ledger::open(dir.path(), 1, list)?;
        ledger.record("a@x.org", State::Delivered, at)?;
        ledger.record("b@x.org", State::Failed("550 no such user".into()), at)?;
        drop(ledger);
        // A kill in the middle of writing c's result.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(path(dir.path(), 1))?;
        f.write_all(b"D c@x")?;
        let mut ledger = Ledger::open(dir.path(), 1, Vec::new)?;
        ledger.record("c@x.org", State::Deferred("451 later".into()), at)?;
        let ledger = Ledger::open(dir.path(), 1, Vec::new)?;
        assert_eq!(ledger.recipients().len(), 3, "the original list is kept");
        assert_eq!(ledger.state("a@x.org"), &State::Delivered);
        assert!(matches!(ledger.state("b@x.org"), State::Failed(_)));
        assert!(
            matches!(ledger.state("c@x.org"), State::Deferred(_)),
            "the line after the torn one reads"
        );
        assert_eq!(
            delivery_times(dir.path(), "2026-11-23T08:00:00Z".parse()?)?,
            [at],
            "delivery times are kept for the quotas"
        );
        assert_eq!(
            ledger.counts(),
            Counts {
                recipients: 3,
                delivered: 1,
                failed: 1,
                pending: 1,
                skipped: 0
            }
        );
        Ok(())
    }

    #[test]
    fn a_ledger_of_an_older_hearth_without_times_still_reads() -> Result<()> {
        let dir = tempfile::tempdir()?;
        files::write_durably(
            dir.path(),
            &rel_path(3),
            b"R a@x.org\nR b@x.org\nD a@x.org\n",
        )?;
        let ledger = Ledger::open(dir.path(), 3, Vec::new)?;
        assert_eq!(ledger.state("a@x.org"), &State::Delivered);
        assert_eq!(ledger.counts().pending, 1);
        assert!(delivery_times(dir.path(), Timestamp::UNIX_EPOCH)?.is_empty());
        Ok(())
    }
}
