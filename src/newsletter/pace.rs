//! When a send may go on: the pause a provider asked for (a throttling or quota
//! reply), kept in `.hearth/newsletter/paused-until` so that later runs, `--if-due`
//! and the daemon wait for it, and the `max_per_hour` / `max_per_day` quotas of
//! `[smtp]`, counted from the delivery times in the ledgers so they hold across runs.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result};
use jiff::Timestamp;

use super::ledger::{self, LEDGER_DIR};
use crate::files;

const HOUR: Duration = Duration::from_secs(60 * 60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// A pause: no message goes out before `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    pub until: Timestamp,
    /// Why, in the server's words or naming the quota.
    pub why: String,
}

fn pause_path() -> PathBuf {
    Path::new(LEDGER_DIR).join("paused-until")
}

/// `t` moved forward by `d` (the end of time at the most).
pub fn later(t: Timestamp, d: Duration) -> Timestamp {
    t.saturating_add(d).unwrap_or(Timestamp::MAX)
}

fn earlier(t: Timestamp, d: Duration) -> Timestamp {
    t.saturating_sub(d).unwrap_or(Timestamp::MIN)
}

/// The recorded pause, if any (it may lie in the past).
pub fn read_pause(site_dir: &Path) -> Result<Option<Pause>> {
    let text = match files::read_to_string(site_dir, &pause_path()) {
        Ok(text) => text,
        Err(files::Refused::Missing) => return Ok(None),
        Err(e) => {
            return Err(e).with_context(|| {
                format!("cannot read `{}`", site_dir.join(pause_path()).display())
            });
        }
    };
    let (when, why) = text.trim().split_once(' ').unwrap_or((text.trim(), ""));
    Ok(when.parse::<Timestamp>().ok().map(|until| Pause {
        until,
        why: why.to_string(),
    }))
}

/// Records `pause` durably; it replaces any earlier one.
pub fn write_pause(site_dir: &Path, pause: &Pause) -> Result<()> {
    let why = pause.why.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = format!("{} {why}\n", pause.until);
    files::write_durably(site_dir, &pause_path(), text.as_bytes()).map(drop)
}

/// The quotas of `[smtp]` and the deliveries of the last day that count against them.
#[derive(Debug)]
pub struct Quota {
    per_hour: u32,
    per_day: u32,
    /// Delivery times of the last day, oldest first.
    recent: VecDeque<Timestamp>,
    /// Messages reserved and not settled yet (in flight on some connection).
    in_flight: u32,
}

impl Quota {
    /// The quotas (0: none) with the deliveries recorded in every ledger.
    pub fn load(site_dir: &Path, per_hour: u32, per_day: u32, now: Timestamp) -> Result<Quota> {
        let recent = if per_hour == 0 && per_day == 0 {
            VecDeque::new()
        } else {
            ledger::delivery_times(site_dir, earlier(now, DAY))?.into()
        };
        Ok(Quota::new(per_hour, per_day, recent))
    }

    fn new(per_hour: u32, per_day: u32, recent: VecDeque<Timestamp>) -> Quota {
        Quota {
            per_hour,
            per_day,
            recent,
            in_flight: 0,
        }
    }

    /// Reserves one message at `now`, or says when the quota next lets one go.
    pub fn reserve(&mut self, now: Timestamp) -> Result<(), Pause> {
        let day_ago = earlier(now, DAY);
        while self.recent.front().is_some_and(|t| *t <= day_ago) {
            self.recent.pop_front();
        }
        let hour_ago = earlier(now, HOUR);
        let in_hour: Vec<Timestamp> = self
            .recent
            .iter()
            .copied()
            .filter(|t| *t > hour_ago)
            .collect();
        let in_day: Vec<Timestamp> = self.recent.iter().copied().collect();
        for (limit, window, times, name) in [
            (self.per_hour, HOUR, &in_hour, "max_per_hour"),
            (self.per_day, DAY, &in_day, "max_per_day"),
        ] {
            let used = times.len() + self.in_flight as usize;
            if limit > 0 && used >= limit as usize {
                // The oldest delivery in the window leaves it first.
                let until = times
                    .first()
                    .map_or(later(now, window), |t| later(*t, window));
                return Err(Pause {
                    until,
                    why: format!("the quota `{name} = {limit}` of [smtp] is reached"),
                });
            }
        }
        self.in_flight += 1;
        Ok(())
    }

    /// Ends a reservation: a delivered message at `at` counts from now on.
    pub fn settle(&mut self, delivered: Option<Timestamp>) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if let Some(at) = delivered {
            self.recent.push_back(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn an_hourly_quota_holds_until_the_oldest_delivery_is_an_hour_old() {
        let mut q = Quota::new(2, 0, VecDeque::from([at("2026-11-23T09:10:00Z")]));
        let now = at("2026-11-23T09:30:00Z");
        assert!(q.reserve(now).is_ok());
        let refused = q.reserve(now);
        assert_eq!(
            refused.map_err(|p| p.until),
            Err(at("2026-11-23T10:10:00Z"))
        );
        q.settle(None);
        assert!(
            q.reserve(now).is_ok(),
            "a message not delivered frees its place"
        );
        let past_the_hour = at("2026-11-23T10:11:00Z");
        assert!(
            q.reserve(past_the_hour).is_ok(),
            "the old delivery left the hour"
        );
        assert!(q.reserve(past_the_hour).is_err(), "two in flight fill it");
    }

    #[test]
    fn a_daily_quota_counts_the_whole_day_and_a_pause_reads_back() -> Result<()> {
        let times = (0..5)
            .map(|h| at(&format!("2026-11-23T0{h}:00:00Z")))
            .collect();
        let mut q = Quota::new(0, 5, times);
        let refused = q.reserve(at("2026-11-23T12:00:00Z"));
        assert_eq!(
            refused.map_err(|p| p.until),
            Err(at("2026-11-24T00:00:00Z"))
        );
        let dir = tempfile::tempdir()?;
        assert_eq!(read_pause(dir.path())?, None);
        let pause = Pause {
            until: at("2026-11-24T00:00:00Z"),
            why: "550 5.4.5 Daily\nlimit".into(),
        };
        write_pause(dir.path(), &pause)?;
        let back = read_pause(dir.path())?.map(|p| (p.until, p.why));
        assert_eq!(back, Some((pause.until, "550 5.4.5 Daily limit".into())));
        Ok(())
    }
}
