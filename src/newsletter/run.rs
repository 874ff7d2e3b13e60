//! The newsletter commands: preview, send (new, resumed, dry run, test, when due),
//! status, unsubscribe and the daemon. Printing is left to the CLI; these return
//! reports.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context as _, Result, bail};
use jiff::{Timestamp, Zoned};

use crate::model::time::iso;

use super::bounces;
use super::changes::{self, BounceKind, Changes};
use super::compose::{self, Draft};
use super::email::{self, Envelope, Rendered};
use super::ledger::{self, Counts, Ledger, State};
use super::pace::{self, Pause, Quota};
use super::personal::Links;
use super::record::{self, Issue};
use super::schedule;
use super::send::{Outcome, Sender};
use super::settings::{self, Settings};
use super::subscribers::{self, Subscriber, Subscribers};
use super::token::Signer;
use crate::build::{self, BuildOptions, Loaded};
use crate::diag::Diagnostic;
use crate::files;

/// After this many recipients in a row without a delivery, a send stops: a dead
/// server must not burn through the list.
pub const MAX_FAILURES_IN_A_ROW: usize = 10;

/// A site loaded for newsletter work.
pub struct Newsletter {
    pub site_dir: PathBuf,
    pub loaded: Loaded,
    pub settings: Settings,
    pub now: Timestamp,
}

impl Newsletter {
    /// The SMTP sender of `[smtp]`: fails on a missing section or password.
    fn sender(&self) -> Result<Sender> {
        let Some(smtp) = &self.settings.smtp else {
            bail!("there is no [smtp] section in hearth.toml: add one with at least `host`");
        };
        Sender::new(smtp)
    }

    /// What every message of `rendered` shares (DKIM key read and checked once).
    fn envelope<'a>(&'a self, rendered: &'a Rendered, test: bool) -> Result<Envelope<'a>> {
        Ok(Envelope {
            test,
            dkim: email::dkim(&self.settings)?,
            signer: self.signer()?,
            ..self.envelope_without_keys(rendered)
        })
    }

    fn envelope_without_keys<'a>(&'a self, rendered: &'a Rendered) -> Envelope<'a> {
        Envelope {
            settings: &self.settings,
            site: &self.loaded.site,
            rendered,
            date: SystemTime::from(self.now),
            test: false,
            dkim: None,
            signer: None,
        }
    }

    /// The key of signed links, when `secret_env` is set (it must then be).
    pub fn signer(&self) -> Result<Option<Signer>> {
        self.settings
            .secret_env
            .as_deref()
            .map(|var| Signer::from_env(var, &self.settings.list))
            .transpose()
    }

    /// Loads the published site (no drafts) and its newsletter settings.
    pub fn load(site_dir: &Path, now: Timestamp) -> Result<Newsletter> {
        // Bodies the last build rendered are read from `.hearth/cache/` (not saved).
        let cache = crate::content::cache::BodyCache::load_held(site_dir);
        let opts = BuildOptions {
            site_dir: site_dir.to_path_buf(),
            out_dir: None,
            drafts: false,
            base_url: None,
            now,
            cache: Some(std::sync::Arc::new(cache)),
            kept: None,
            progress: false,
        };
        let loaded = build::load(&opts)?;
        let settings = settings::load(site_dir, &loaded.site.config)?;
        Ok(Newsletter {
            site_dir: site_dir.to_path_buf(),
            loaded,
            settings,
            now,
        })
    }

    pub fn warnings(&self) -> &[Diagnostic] {
        &self.loaded.warnings
    }

    fn issues(&self) -> &[Issue] {
        &self.loaded.site.issues
    }

    fn next_draft(&self) -> Draft {
        compose::next(
            &self.loaded.site,
            self.issues(),
            self.settings.upcoming_days,
            self.now,
        )
    }

    fn render(&self, draft: &Draft, columns: &[String]) -> Result<Rendered> {
        email::render(
            &self.loaded.site,
            &self.loaded.tera,
            &self.settings,
            draft,
            columns,
        )
    }

    /// The recipients: `subscribers.csv` and the joins that stand, minus the
    /// suppressed (see `changes`).
    pub fn recipients(&self) -> Result<Subscribers> {
        recipients(
            &self.site_dir,
            &self.settings,
            &Changes::load(&self.site_dir)?,
        )
    }
}

/// The recipients of a site: `subscribers.csv` and the joins that stand, minus the
/// suppressed (see `changes`).
pub fn recipients(site_dir: &Path, settings: &Settings, changes: &Changes) -> Result<Subscribers> {
    let suppressed = changes.suppressed_keys();
    let display = settings
        .subscribers
        .strip_prefix(site_dir)
        .unwrap_or(&settings.subscribers);
    // Read only inside the site, never through a link out of it.
    let csv = files::regular_file(site_dir, display).map_err(|e| {
        anyhow::anyhow!(
            "cannot read the subscribers file `{}`: {e}",
            display.display()
        )
    })?;
    let mut subs = subscribers::read(&csv, display, &suppressed)?;
    crate::diag::attach_sources(&mut subs.skipped, site_dir);
    subscribers::add_joined(&mut subs, changes);
    Ok(subs)
}

// ---------------------------------------------------------------------------
// preview

/// Writes the next issue as HTML (and its text part beside it) and returns where.
pub fn preview(n: &Newsletter, out: Option<&Path>) -> Result<(PathBuf, PathBuf, bool)> {
    let draft = n.next_draft();
    let subs = n.recipients().unwrap_or_default();
    let rendered = n.render(&draft, &subs.columns)?;
    let sample = subs.list.first().cloned().unwrap_or_else(sample_subscriber);
    // `--out FILE` is the user's own choice; the default place is inside the site,
    // where nothing is written through a link.
    let (base, html_rel) = match out {
        Some(file) => (
            file.parent().unwrap_or(Path::new("")).to_path_buf(),
            PathBuf::from(file.file_name().context("--out needs a file name")?),
        ),
        None => (
            n.site_dir.clone(),
            Path::new(".hearth/preview").join(format!("issue-{}.html", draft.number)),
        ),
    };
    // A preview needs no DKIM key, and shows the real link only when the key of
    // signed links is at hand.
    let env = Envelope {
        dkim: None,
        signer: n.signer().ok().flatten(),
        ..n.envelope_without_keys(&rendered)
    };
    let links = Links {
        unsubscribe: env.unsubscribe_url(&sample.address),
    };
    let html = rendered.html.fill(&sample, &links, true);
    let html_path = files::write(&base, &html_rel, html.as_bytes())?;
    let text = rendered.text.fill(&sample, &links, false);
    let text_path = files::write(&base, &html_rel.with_extension("txt"), text.as_bytes())?;
    Ok((html_path, text_path, draft.is_empty()))
}

fn sample_subscriber() -> Subscriber {
    Subscriber {
        address: "ada@example.org".parse().expect("a valid literal address"),
        name: "Ada".to_string(),
        columns: Vec::new().into(),
        values: Vec::new(),
    }
}

// ---------------------------------------------------------------------------
// send

#[derive(Debug, Default, Clone)]
pub struct SendOptions {
    pub dry_run: bool,
    pub outbox: Option<PathBuf>,
    pub to: Option<String>,
    pub if_due: bool,
    pub force: bool,
    /// Show a progress line (on a terminal).
    pub progress: bool,
}

#[derive(Debug)]
pub enum SendReport {
    /// Nothing new since the last issue (and no --force).
    NothingNew { last: Option<u32> },
    /// --if-due and no slot has come since the last issue.
    NotDue { next: Option<Zoned> },
    /// Another send of this site is running.
    Busy,
    /// A provider asked to wait (or a quota is reached) and the time has not come.
    Paused(Pause),
    /// --dry-run: one .eml per subscriber in `dir`.
    DryRun {
        issue: u32,
        files: usize,
        dir: PathBuf,
        skipped: Vec<Diagnostic>,
    },
    /// --to: one test message.
    Test {
        issue: u32,
        to: String,
        outcome: Outcome,
    },
    /// A real send, new or resumed.
    Sent(Delivery),
}

#[derive(Debug, Default)]
pub struct Delivery {
    pub issue: u32,
    pub resumed: bool,
    pub sent_now: usize,
    pub counts: Counts,
    /// Failed for good, and deferred (to retry), with reasons.
    pub problems: Vec<(String, State)>,
    pub skipped: Vec<Diagnostic>,
    pub suppressed: usize,
    /// Why the run stopped early, if it did (a refused login, a dead server).
    pub stopped: Option<String>,
    /// The provider asked to wait, or a quota was reached: the rest stay pending
    /// until then (recorded for the next runs).
    pub paused: Option<Pause>,
    /// The bounce mailbox, read first (when configured); a mailbox that cannot be
    /// read does not stop the send.
    pub bounces: Option<std::result::Result<bounces::Report, String>>,
}

impl Delivery {
    /// Whether anyone failed for good, or the run gave up.
    pub fn failed(&self) -> bool {
        self.stopped.is_some()
            || self
                .problems
                .iter()
                .any(|(_, s)| matches!(s, State::Failed(_)))
    }
}

/// Holds the site's send lock for as long as it lives.
struct SendLock(#[allow(dead_code)] File);

fn lock(site_dir: &Path) -> Result<Option<SendLock>> {
    let rel = Path::new(ledger::LEDGER_DIR).join("send.lock");
    let path = site_dir.join(&rel);
    let file = files::open(site_dir, &rel, files::Mode::Keep)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(SendLock(file))),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock `{}`", path.display()))
        }
    }
}

pub fn send(n: &Newsletter, opts: &SendOptions) -> Result<SendReport> {
    if opts.dry_run {
        return dry_run(n, opts.outbox.as_deref());
    }
    if let Some(to) = &opts.to {
        return test_send(n, to);
    }
    let Some(_lock) = lock(&n.site_dir)? else {
        if opts.if_due {
            return Ok(SendReport::Busy);
        }
        bail!("another `hearth newsletter send` of this site is running; wait for it to finish");
    };
    // A provider's pause holds for every kind of run; --force sends anyway.
    if !opts.force
        && let Some(pause) = pace::read_pause(&n.site_dir)?
        && pause.until > n.now
    {
        return Ok(SendReport::Paused(pause));
    }
    // Bounces first: an address that bounced for good is not mailed again.
    let bounced = n
        .settings
        .bounce_mailbox
        .is_some()
        .then(|| bounces::process(n).map_err(|e| format!("{e:#}")));
    let with_bounces = |mut d: Delivery| {
        d.bounces = bounced.clone();
        SendReport::Sent(d)
    };
    if let Some(issue) = n.issues().last().filter(|i| i.sending) {
        let subs = n.recipients()?;
        let sender = n.sender()?;
        return deliver(n, issue.clone(), subs, sender, true, opts).map(with_bounces);
    }
    let mut due = None;
    if opts.if_due {
        let Some(schedule) = &n.settings.schedule else {
            bail!(
                "--if-due needs a `schedule` in [newsletter] of hearth.toml (e.g. \"0 9 * * MON\")"
            );
        };
        let tz = &n.loaded.site.config.timezone;
        let last = last_slot_handled(n)?;
        due = schedule::due_slot(schedule, tz, last, n.now);
        if due.is_none() {
            return Ok(SendReport::NotDue {
                next: schedule.next_after(last.map_or(n.now, |l| l.max(n.now)), tz),
            });
        }
    }
    let draft = n.next_draft();
    if draft.is_empty() && !opts.force {
        // A slot with nothing to say is passed over, not kept pending until
        // something is published.
        if let Some(slot) = &due {
            files::write_durably(&n.site_dir, &skipped_slot_path(), iso(slot).as_bytes())?;
        }
        return Ok(SendReport::NothingNew {
            last: n.issues().last().map(|i| i.number),
        });
    }
    let subs = n.recipients()?;
    // Render first: a broken template must stop the send before anything is recorded.
    let rendered = n.render(&draft, &subs.columns)?;
    let issue = draft.to_issue(&n.loaded.site, &rendered.subject);
    // So must a missing [smtp], password or DKIM key, and a refused login.
    let mut sender = n.sender()?;
    n.envelope(&rendered, false)?;
    if let Some(why) = sender.check_login() {
        bail!("{}", login_refused(&why));
    }
    // The ledger comes first, then the record: a record saying "sending" without a
    // ledger can then only mean the issue is being sent from another machine.
    Ledger::open(&n.site_dir, issue.number, || {
        subs.list.iter().map(Subscriber::key).collect()
    })?;
    let mut sending = issue.clone();
    sending.sending = true;
    record::append(&n.site_dir, n.issues(), sending.clone())?;
    deliver(n, sending, subs, sender, false, opts).map(with_bounces)
}

/// Where `--if-due` remembers a slot it passed over because nothing was new
/// (relative to the site).
fn skipped_slot_path() -> PathBuf {
    Path::new(ledger::LEDGER_DIR).join("skipped-slot")
}

/// The last moment the schedule was served: the last issue, or a later slot that
/// was passed over for lack of news.
fn last_slot_handled(n: &Newsletter) -> Result<Option<Timestamp>> {
    let issue = n.issues().last().map(|i| i.date);
    let skipped = match files::read_to_string(&n.site_dir, &skipped_slot_path()) {
        Ok(text) => text.trim().parse::<Timestamp>().ok(),
        Err(files::Refused::Missing) => None,
        Err(e) => return Err(e).context("cannot read the skipped-slot marker"),
    };
    Ok(issue.max(skipped))
}

/// The error of a refused login, saying what to check.
fn login_refused(why: &str) -> String {
    format!(
        "the SMTP server refused the login ({why}): check `username` and the password in `password_env` of [smtp]; nobody was marked failed, the next send resumes"
    )
}

/// "Now" during a run: the run's `now` (which `--now` may set) moved on by the time
/// the run has taken, so delivery times and pauses follow the same clock.
struct Clock {
    start: Timestamp,
    started: std::time::Instant,
}

impl Clock {
    fn now(&self) -> Timestamp {
        pace::later(self.start, self.started.elapsed())
    }
}

/// Why workers stop before the list is done; the first reason wins.
#[derive(Debug)]
enum Stop {
    Unreachable,
    LoginRefused(String),
    Paused(Pause),
}

/// What the connections of one run share: the queue of recipients (each taken by
/// exactly one connection), the ledger (results written durably, one at a time),
/// the quota and the reason to stop.
struct Shared<'a> {
    n: &'a Newsletter,
    issue: u32,
    env: &'a Envelope<'a>,
    by_key: std::collections::BTreeMap<String, &'a Subscriber>,
    queue: std::sync::Mutex<std::collections::VecDeque<String>>,
    ledger: std::sync::Mutex<Ledger>,
    quota: std::sync::Mutex<Quota>,
    stop: std::sync::Mutex<Option<Stop>>,
    misses_in_a_row: std::sync::atomic::AtomicUsize,
    sent_now: std::sync::atomic::AtomicUsize,
    clock: Clock,
    progress: Option<indicatif::ProgressBar>,
}

/// A lock that a panicked holder (there are none) would not make unusable.
fn held<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared<'_> {
    fn stopping(&self) -> bool {
        held(&self.stop).is_some()
    }

    fn stop(&self, why: Stop) {
        held(&self.stop).get_or_insert(why);
    }

    /// The next recipient for one connection, within the quota.
    fn claim(&self) -> Option<String> {
        let mut quota = held(&self.quota);
        if let Err(pause) = quota.reserve(self.clock.now()) {
            drop(quota);
            self.stop(Stop::Paused(pause));
            return None;
        }
        let next = held(&self.queue).pop_front();
        if next.is_none() {
            quota.settle(None);
        }
        next
    }

    /// One connection's loop: claim, send, record, until the queue is empty or the
    /// run stops. At most one message per connection is in flight.
    fn work(&self, mut sender: Sender) -> Result<()> {
        while !self.stopping() {
            let Some(address) = self.claim() else {
                return Ok(());
            };
            if let Some(bar) = &self.progress {
                bar.inc(1);
            }
            // A ledger begun by an older hearth may hold an address in another
            // spelling (a Unicode domain); its lines stay as written, the lookup is
            // normalised.
            let Some(subscriber) = self.by_key.get(&subscribers::normalize(&address)) else {
                // Unsubscribed (or removed from the list) since the issue began.
                held(&self.quota).settle(None);
                let why = State::Skipped("no longer subscribed; not sent".into());
                held(&self.ledger).record(&address, why, self.clock.now())?;
                continue;
            };
            let message = email::message(self.env, subscriber)?;
            let outcome = sender.send(&message);
            self.settle(&address, subscriber, outcome)?;
        }
        Ok(())
    }

    /// Records the outcome of one message and decides whether the run goes on.
    fn settle(&self, address: &str, subscriber: &Subscriber, outcome: Outcome) -> Result<()> {
        use std::sync::atomic::Ordering::SeqCst;
        let now = self.clock.now();
        let delivered = outcome == Outcome::Delivered;
        held(&self.quota).settle(delivered.then_some(now));
        let state = match outcome {
            Outcome::Delivered => State::Delivered,
            Outcome::Rejected(why) => {
                // A permanent refusal is a hard bounce: the address is suppressed.
                let _ledger = held(&self.ledger);
                changes::record_bounce(
                    &self.n.site_dir,
                    &subscriber.address,
                    BounceKind::Hard,
                    Some(self.issue),
                    &format!("rejected at send: {why}"),
                    self.n.now,
                )?;
                State::Failed(why)
            }
            Outcome::Deferred(why) => State::Deferred(why),
            // The recipient stays pending, with no line: nobody's fault.
            Outcome::Paused { why, wait } => {
                let until = pace::later(now, wait);
                self.stop(Stop::Paused(Pause { until, why }));
                return Ok(());
            }
            Outcome::LoginRefused(why) => {
                self.stop(Stop::LoginRefused(why));
                return Ok(());
            }
        };
        held(&self.ledger).record(address, state, now)?;
        if delivered {
            self.sent_now.fetch_add(1, SeqCst);
            self.misses_in_a_row.store(0, SeqCst);
        } else if self.misses_in_a_row.fetch_add(1, SeqCst) + 1 >= MAX_FAILURES_IN_A_ROW {
            self.stop(Stop::Unreachable);
        }
        Ok(())
    }
}

/// Sends `issue` to every recipient of its ledger without a result yet, over
/// `connections` parallel connections.
fn deliver(
    n: &Newsletter,
    issue: Issue,
    subs: Subscribers,
    mut sender: Sender,
    resumed: bool,
    opts: &SendOptions,
) -> Result<Delivery> {
    let site = &n.loaded.site;
    let ledger_path = ledger::path(&n.site_dir, issue.number);
    if !ledger_path.exists() {
        bail!(
            "issue {} is recorded as being sent, but this machine has no delivery ledger for it ({}): if it is being sent from another machine, finish it there; if it was finished, remove `sending = true` from issue {} in {}",
            issue.number,
            ledger_path.display(),
            issue.number,
            record::RECORD_FILE
        );
    }
    let draft = site.recorded_issue(&issue);
    let mut rendered = n.render(&draft, &subs.columns)?;
    rendered.subject = issue.subject.clone();
    let ledger = Ledger::open(&n.site_dir, issue.number, Vec::new)?;
    let env = n.envelope(&rendered, false)?;
    let todo: std::collections::VecDeque<String> = ledger
        .recipients()
        .iter()
        .filter(|a| !ledger.state(a).is_done())
        .cloned()
        .collect();
    let smtp = n.settings.smtp.as_ref();
    let (per_hour, per_day) = smtp.map_or((0, 0), |s| (s.max_per_hour, s.max_per_day));
    let connections = smtp.map_or(1, |s| s.connections).min(todo.len()).max(1);
    let shared = Shared {
        n,
        issue: issue.number,
        env: &env,
        by_key: subs.list.iter().map(|s| (s.key(), s)).collect(),
        progress: crate::progress::bar(opts.progress, todo.len(), "sending"),
        queue: std::sync::Mutex::new(todo),
        ledger: std::sync::Mutex::new(ledger),
        quota: std::sync::Mutex::new(Quota::load(&n.site_dir, per_hour, per_day, n.now)?),
        stop: std::sync::Mutex::new(None),
        misses_in_a_row: 0.into(),
        sent_now: 0.into(),
        clock: Clock {
            start: n.now,
            started: std::time::Instant::now(),
        },
    };
    // One login first: a refused one stops the run before N connections repeat it.
    if let Some(why) = sender.check_login() {
        shared.stop(Stop::LoginRefused(why));
    }
    let siblings: Vec<Sender> = (1..connections).map(|_| sender.sibling()).collect();
    let results: Vec<Result<()>> = std::thread::scope(|scope| {
        let shared = &shared;
        let handles: Vec<_> = std::iter::once(sender)
            .chain(siblings)
            .map(|s| scope.spawn(move || shared.work(s)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a sending thread failed")))
            })
            .collect()
    });
    if let Some(bar) = &shared.progress {
        bar.finish_and_clear();
    }
    results.into_iter().collect::<Result<Vec<()>>>()?;
    let ledger = shared
        .ledger
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let mut report = Delivery {
        issue: issue.number,
        resumed,
        sent_now: shared.sent_now.into_inner(),
        counts: ledger.counts(),
        problems: ledger.problems(),
        skipped: subs.skipped.clone(),
        suppressed: subs.suppressed,
        ..Delivery::default()
    };
    match shared.stop.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(Stop::Unreachable) => {
            report.stopped = Some(format!(
                "stopped after {MAX_FAILURES_IN_A_ROW} recipients in a row could not be reached; the rest stay pending for the next send"
            ));
        }
        Some(Stop::LoginRefused(why)) => report.stopped = Some(login_refused(&why)),
        Some(Stop::Paused(pause)) if report.counts.pending > 0 => {
            pace::write_pause(&n.site_dir, &pause)?;
            report.paused = Some(pause);
        }
        Some(Stop::Paused(_)) | None => {}
    }
    if report.counts.pending == 0 {
        finish_issue(n, issue.number)?;
    }
    Ok(report)
}

/// Marks an issue as completely sent in the record.
fn finish_issue(n: &Newsletter, number: u32) -> Result<()> {
    let mut diags = crate::diag::Diagnostics::default();
    let mut issues = crate::content::issues::load(&n.site_dir, &mut diags);
    if let Some(last) = issues.iter_mut().find(|i| i.number == number) {
        last.sending = false;
    }
    let Some(last) = issues.pop() else {
        return Ok(());
    };
    record::append(&n.site_dir, &issues, last)
}

fn dry_run(n: &Newsletter, outbox: Option<&Path>) -> Result<SendReport> {
    let draft = n.next_draft();
    let subs = n.recipients()?;
    let rendered = n.render(&draft, &subs.columns)?;
    let default_rel = Path::new(".hearth/outbox").join(format!("issue-{}", draft.number));
    // A folder given with --outbox is the user's: made if missing, nothing in it is
    // removed. The default outbox is hearth's own, inside the site, never through a
    // link: an earlier dry run's messages go.
    let dir = match outbox {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
            dir.to_path_buf()
        }
        None => {
            let dir = files::folder(&n.site_dir, &default_rel)?;
            for entry in std::fs::read_dir(&dir)?.flatten() {
                let is_file = entry
                    .file_type()
                    .is_ok_and(|t| t.is_file() || t.is_symlink());
                if is_file && entry.path().extension().is_some_and(|e| e == "eml") {
                    std::fs::remove_file(entry.path())?;
                }
            }
            dir
        }
    };
    let env = n.envelope(&rendered, false)?;
    for (i, subscriber) in subs.list.iter().enumerate() {
        let message = email::message(&env, subscriber)?;
        let name: String = subscriber
            .key()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "@.-_+".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let file = PathBuf::from(format!("{:05}-{name}.eml", i + 1));
        files::write(&dir, &file, &message.formatted())?;
    }
    Ok(SendReport::DryRun {
        issue: draft.number,
        files: subs.list.len(),
        dir,
        skipped: subs.skipped,
    })
}

fn test_send(n: &Newsletter, to: &str) -> Result<SendReport> {
    let address =
        subscribers::parse_address(to).map_err(|why| anyhow::anyhow!("--to `{to}`: {why}"))?;
    let subs = n.recipients().unwrap_or_default();
    let subscriber = subs
        .list
        .iter()
        .find(|s| s.key() == subscribers::key(&address))
        .cloned()
        .unwrap_or_else(|| Subscriber {
            name: address.user().to_string(),
            address: address.clone(),
            columns: Vec::new().into(),
            values: Vec::new(),
        });
    let draft = n.next_draft();
    let rendered = n.render(&draft, &subs.columns)?;
    let env = n.envelope(&rendered, true)?;
    let outcome = n.sender()?.send(&email::message(&env, &subscriber)?);
    Ok(SendReport::Test {
        issue: draft.number,
        to: address.to_string(),
        outcome,
    })
}

// ---------------------------------------------------------------------------
// status

#[derive(Debug)]
pub struct IssueStatus {
    pub issue: Issue,
    /// Delivery counts from this machine's ledger, if it has one.
    pub counts: Option<Counts>,
    pub problems: Vec<(String, State)>,
}

/// Who is on the list, and how they came and went.
#[derive(Debug, Default)]
pub struct ListCounts {
    /// Valid lines of `subscribers.csv`, suppressed ones included.
    pub subscribers: usize,
    /// Joined through the endpoint (and not left since).
    pub joined: usize,
    pub left: usize,
    pub bounced: usize,
    pub complained: usize,
    /// Recipients of the next issue.
    pub recipients: usize,
}

#[derive(Debug)]
pub struct Status {
    pub list: ListCounts,
    pub issues: Vec<IssueStatus>,
    pub next_due: Option<Zoned>,
    pub has_schedule: bool,
    /// A provider's pause (or a reached quota) that still holds.
    pub paused: Option<Pause>,
}

fn list_counts(n: &Newsletter) -> Result<ListCounts> {
    let changes = Changes::load(&n.site_dir)?;
    let counts = changes.counts();
    let subs = n.recipients()?;
    Ok(ListCounts {
        subscribers: subs.from_file,
        joined: changes.active_joins().len(),
        left: counts.get("left").copied().unwrap_or(0),
        bounced: counts.get("bounced").copied().unwrap_or(0),
        complained: counts.get("complained").copied().unwrap_or(0),
        recipients: subs.list.len(),
    })
}

pub fn status(n: &Newsletter) -> Result<Status> {
    let mut issues = Vec::new();
    for issue in n.issues() {
        let (counts, problems) = match ledger::read_counts(&n.site_dir, issue.number)? {
            Some((c, p)) => (Some(c), p),
            None => (None, Vec::new()),
        };
        issues.push(IssueStatus {
            issue: issue.clone(),
            counts,
            problems,
        });
    }
    let tz = &n.loaded.site.config.timezone;
    let last = last_slot_handled(n)?;
    let next_due = n.settings.schedule.as_ref().and_then(|s| {
        if schedule::due_slot(s, tz, last, n.now).is_some() {
            // Due already: the slot that made it due.
            s.latest_at_or_before(n.now, tz)
        } else {
            s.next_after(last.map_or(n.now, |l| l.max(n.now)), tz)
        }
    });
    Ok(Status {
        list: list_counts(n)?,
        issues,
        next_due,
        has_schedule: n.settings.schedule.is_some(),
        paused: pace::read_pause(&n.site_dir)?.filter(|p| p.until > n.now),
    })
}
