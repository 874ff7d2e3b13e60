//! `hearth newsletter preview|send|status|daemon|unsubscribe|endpoint|bounces`

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use jiff::Timestamp;

use super::{Output, say};
use crate::model::time::{human_time, human_weekday_date, zone_abbreviation};
use crate::newsletter::changes::{self, Changes};
use crate::newsletter::endpoint::EndpointOptions;
use crate::newsletter::ledger::State;
use crate::newsletter::run::{self, Delivery, Newsletter, SendOptions, SendReport};
use crate::newsletter::send::Outcome;
use crate::newsletter::subscribers;

#[derive(Debug, Args)]
pub struct NewsletterArgs {
    #[command(subcommand)]
    pub command: NewsletterCommand,
}

#[derive(Debug, Subcommand)]
pub enum NewsletterCommand {
    /// Compose the next issue and write its HTML (and text part beside it); sends nothing.
    Preview {
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Write the HTML here (the text part goes beside it, as .txt).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Compose and send the next issue (or finish one that was interrupted).
    Send(SendArgs),
    /// Show the issues sent, their delivered / failed / pending counts, and when the next is due.
    Status {
        #[arg(default_value = ".")]
        site: PathBuf,
    },
    /// Stay in the foreground and send each issue when the schedule makes it due.
    Daemon {
        #[arg(default_value = ".")]
        site: PathBuf,
    },
    /// Add an address to the suppression list: no later send reaches it.
    #[command(override_usage = "hearth newsletter unsubscribe [SITE] EMAIL")]
    Unsubscribe {
        /// The site folder (default: the current folder), then the address.
        #[arg(num_args = 1..=2, value_name = "ARG", required = true)]
        args: Vec<String>,
    },
    /// Run the HTTP service for joining (double opt-in) and one-click leaving, behind a reverse proxy.
    Endpoint(EndpointArgs),
    /// Read the bounce mailbox: hard bounces and complaints go on the suppression list.
    Bounces {
        #[arg(default_value = ".")]
        site: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct EndpointArgs {
    #[arg(default_value = ".")]
    pub site: PathBuf,
    /// The address to listen on; keep it local and let a reverse proxy face the world.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The port (0 picks a free one).
    #[arg(long, default_value_t = 8025)]
    pub port: u16,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    #[arg(default_value = ".")]
    pub site: PathBuf,
    /// Write one .eml per subscriber into the outbox instead of sending; record nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The folder --dry-run writes to (default: SITE/.hearth/outbox/issue-N).
    #[arg(long, value_name = "DIR", requires = "dry_run")]
    pub outbox: Option<PathBuf>,
    /// Send the next issue to this address only, as a test; record nothing.
    #[arg(long, value_name = "ADDR", conflicts_with = "dry_run")]
    pub to: Option<String>,
    /// Send only if the schedule has reached a time after the last issue (safe to run from cron every minute).
    #[arg(long)]
    pub if_due: bool,
    /// Send even when there is nothing new.
    #[arg(long)]
    pub force: bool,
}

/// `fixed` is `--now`; without it, now is the clock's (read as it goes by the
/// endpoint and the daemon).
pub fn run(args: NewsletterArgs, fixed: Option<Timestamp>, out: &Output) -> Result<()> {
    let now = fixed.unwrap_or_else(Timestamp::now);
    match args.command {
        NewsletterCommand::Endpoint(args) => endpoint(args, fixed, out),
        NewsletterCommand::Bounces { site } => bounces(&site, now, out),
        NewsletterCommand::Preview { site, out: file } => preview(&site, file.as_deref(), now, out),
        NewsletterCommand::Send(args) => send(args, now, out),
        NewsletterCommand::Status { site } => status(&site, now, out),
        NewsletterCommand::Daemon { site } => daemon(&site, out),
        NewsletterCommand::Unsubscribe { args } => {
            let (site, email) = match args.as_slice() {
                [email] => (PathBuf::from("."), email.clone()),
                [site, email] => (PathBuf::from(site), email.clone()),
                _ => bail!("give the address to unsubscribe"),
            };
            unsubscribe(&site, &email, now, out)
        }
    }
}

fn load(site: &Path, now: Timestamp, out: &Output) -> Result<Newsletter> {
    let n = Newsletter::load(site, now)?;
    for w in n.warnings() {
        out.diagnostic(w);
    }
    Ok(n)
}

fn preview(site: &Path, file: Option<&Path>, now: Timestamp, out: &Output) -> Result<()> {
    let n = load(site, now, out)?;
    let (html, text, empty) = run::preview(&n, file)?;
    if empty {
        out.summary(
            "There is nothing new for the next issue yet; the preview shows an empty issue.",
        );
    }
    out.summary(&format!(
        "Preview written to {} (text part: {})",
        html.display(),
        text.display()
    ));
    Ok(())
}

fn send(args: SendArgs, now: Timestamp, out: &Output) -> Result<()> {
    let n = load(&args.site, now, out)?;
    let opts = SendOptions {
        dry_run: args.dry_run,
        outbox: args.outbox,
        to: args.to,
        if_due: args.if_due,
        force: args.force,
        progress: !out.is_quiet(),
    };
    let if_due = opts.if_due;
    report(&n, run::send(&n, &opts)?, if_due, out)
}

fn when(z: &jiff::Zoned) -> String {
    format!(
        "{}, {} {}",
        human_weekday_date(z),
        human_time(z),
        zone_abbreviation(z)
    )
}

fn report(n: &Newsletter, report: SendReport, if_due: bool, out: &Output) -> Result<()> {
    match report {
        SendReport::NothingNew { last } => {
            let since = last.map_or_else(String::new, |l| format!(" since issue {l}"));
            out.summary(&format!(
                "Nothing new to send{since}; no email was sent (use --force to send anyway)."
            ));
        }
        SendReport::NotDue { next } => match next {
            Some(next) => out.summary(&format!(
                "Not due yet: the next issue is due {}.",
                when(&next)
            )),
            None => out.summary("Not due: the schedule has no upcoming slot."),
        },
        SendReport::Busy => out.summary("Another send of this site is running; nothing to do."),
        SendReport::Paused(pause) => {
            let until = when(&pause.until.to_zoned(n.loaded.site.config.timezone.clone()));
            if !if_due {
                bail!(
                    "sending is paused until {until} ({}); run again after that (`--if-due` and the daemon wait by themselves), or add --force to send now",
                    pause.why
                );
            }
            out.summary(&format!(
                "Sending is paused until {until} ({}); nothing to do yet.",
                pause.why
            ));
        }
        SendReport::DryRun {
            issue,
            files,
            dir,
            skipped,
        } => {
            for d in &skipped {
                out.diagnostic(d);
            }
            out.summary(&format!(
                "Dry run: wrote {files} {} of issue {issue} to {} (nothing was sent or recorded).",
                if files == 1 { "message" } else { "messages" },
                dir.display()
            ));
        }
        SendReport::Test { issue, to, outcome } => match outcome {
            Outcome::Delivered => out.summary(&format!(
                "Sent issue {issue} to {to} as a test (nothing was recorded)."
            )),
            Outcome::Rejected(why)
            | Outcome::Deferred(why)
            | Outcome::Paused { why, .. }
            | Outcome::LoginRefused(why) => {
                bail!("the test message to {to} was not accepted: {why}")
            }
        },
        SendReport::Sent(delivery) => return delivered(n, &delivery, out),
    }
    Ok(())
}

/// ", 2 left out (unsubscribed during the send)", or nothing.
fn left_out(c: &crate::newsletter::ledger::Counts) -> String {
    match c.skipped {
        0 => String::new(),
        n => format!(", {n} left out (unsubscribed during the send)"),
    }
}

fn delivered(n: &Newsletter, d: &Delivery, out: &Output) -> Result<()> {
    match &d.bounces {
        Some(Ok(report)) => say_bounces(report, out),
        Some(Err(why)) => eprintln!(
            "{}",
            out.error_line(&format!(
                "the bounce mailbox could not be read (the send goes on): {why}"
            ))
        ),
        None => {}
    }
    for skipped in &d.skipped {
        out.diagnostic(skipped);
    }
    let c = d.counts;
    let verb = if d.resumed { "Resumed issue" } else { "Issue" };
    out.summary(&format!(
        "{verb} {}: {} delivered ({} in this run), {} failed, {} pending{}, of {} recipients.",
        d.issue,
        c.delivered,
        d.sent_now,
        c.failed,
        c.pending,
        left_out(&c),
        c.recipients
    ));
    if d.suppressed > 0 {
        out.summary(&format!(
            "{} unsubscribed addresses were left out.",
            d.suppressed
        ));
    }
    for (address, state) in &d.problems {
        match state {
            State::Failed(why) => eprintln!("failed for good: {address}: {why}"),
            State::Deferred(why) => eprintln!("will retry on the next send: {address}: {why}"),
            _ => {}
        }
    }
    let web = n
        .loaded
        .site
        .config
        .permalink(&crate::newsletter::email::issue_path(
            &n.loaded.site,
            d.issue,
        ));
    if c.delivered > 0 {
        out.summary(&format!(
            "Rebuild and publish the site so that the web version ({web}) is online."
        ));
    }
    if let Some(why) = &d.stopped {
        bail!("{why}");
    }
    if let Some(pause) = &d.paused {
        let until = when(&pause.until.to_zoned(n.loaded.site.config.timezone.clone()));
        // Exit 1: the issue is not finished, and a script must not go on as if it were.
        bail!(
            "paused: {}; {} recipients stay pending; sending resumes at {until} (`send --if-due` and the daemon wait until then, then go on)",
            pause.why,
            c.pending
        );
    }
    if d.failed() {
        bail!(
            "some recipients could not be reached (see above; `hearth newsletter status` lists them)"
        );
    }
    if c.pending > 0 {
        // Not done: a script (`send --if-due && build`) must not go on as if it were.
        bail!(
            "issue {} is not finished: {} recipients are still pending after temporary failures; run `hearth newsletter send` again to resume",
            d.issue,
            c.pending
        );
    }
    Ok(())
}

fn status(site: &Path, now: Timestamp, out: &Output) -> Result<()> {
    let n = load(site, now, out)?;
    let status = run::status(&n)?;
    let l = &status.list;
    say(&format!(
        "List: {} recipients for the next issue ({} in the subscribers file, {} joined via the endpoint); suppressed: {} left, {} bounced, {} complained.",
        l.recipients, l.subscribers, l.joined, l.left, l.bounced, l.complained
    ));
    if status.issues.is_empty() {
        say("No issue has been sent yet.");
    }
    for s in &status.issues {
        let i = &s.issue;
        let state = if i.sending {
            " (sending, unfinished)"
        } else {
            ""
        };
        say(&format!(
            "Issue {}{state}: \"{}\", composed {}",
            i.number, i.subject, i.date
        ));
        match s.counts {
            Some(c) => say(&format!(
                "  {} delivered, {} failed, {} pending{}, of {} recipients",
                c.delivered,
                c.failed,
                c.pending,
                left_out(&c),
                c.recipients
            )),
            None => say("  no delivery record on this machine"),
        }
        for (address, state) in &s.problems {
            match state {
                State::Failed(why) => say(&format!("  failed: {address}: {why}")),
                State::Deferred(why) => say(&format!(
                    "  pending after a temporary failure: {address}: {why}"
                )),
                _ => {}
            }
        }
    }
    match (&status.next_due, status.has_schedule) {
        (Some(next), _) if next.timestamp() <= now => {
            say(&format!("The next issue is due now (slot {}).", when(next)))
        }
        (Some(next), _) => say(&format!("The next issue is due {}.", when(next))),
        (None, true) => say("The schedule has no upcoming slot."),
        (None, false) => {
            say("No schedule is set ([newsletter] schedule); send with `hearth newsletter send`.")
        }
    }
    Ok(())
}

fn endpoint(args: EndpointArgs, fixed: Option<Timestamp>, out: &Output) -> Result<()> {
    let opts = EndpointOptions {
        site_dir: args.site,
        bind: args.bind,
        port: args.port,
        now: fixed,
    };
    crate::newsletter::endpoint::run(&opts, |addr| {
        // Always said (also with -q): a script that asked for port 0 reads it here.
        say(&format!("Newsletter endpoint listening on http://{addr}"));
    })?;
    out.summary("Newsletter endpoint stopped.");
    Ok(())
}

fn bounces(site: &Path, now: Timestamp, out: &Output) -> Result<()> {
    let n = load(site, now, out)?;
    let report = crate::newsletter::bounces::process(&n)?;
    say_bounces(&report, out);
    Ok(())
}

/// The summary of a bounce run (also at the start of a send).
fn say_bounces(report: &crate::newsletter::bounces::Report, out: &Output) {
    for (address, why) in &report.suppressed {
        out.summary(&format!("suppressed {address}: {why}"));
    }
    out.summary(&format!(
        "Bounce mailbox: {} messages read, {} bounces and complaints recognised, {} addresses suppressed.",
        report.messages,
        report.recognised,
        report.suppressed.len()
    ));
}

fn unsubscribe(site: &Path, email: &str, now: Timestamp, out: &Output) -> Result<()> {
    let address =
        subscribers::parse_address(email).map_err(|why| anyhow::anyhow!("`{email}`: {why}"))?;
    if !site.join(crate::config::FILE_NAME).is_file() {
        bail!(
            "no {} in `{}`: is this a hearth site?",
            crate::config::FILE_NAME,
            site.display()
        );
    }
    let changes = Changes::load(site)?;
    if !changes.is_suppressed(&subscribers::key(&address)) {
        changes::record_suppression(site, &address, now, "unsubscribed (by hand)")?;
        out.summary(&format!(
            "{address} is unsubscribed: no later send reaches it."
        ));
    } else {
        out.summary(&format!("{address} was already unsubscribed."));
    }
    Ok(())
}

/// Sends each issue when it becomes due, until interrupted. Content and settings are
/// read afresh for every check, and sleeps are re-measured against the clock, so
/// the loop does not drift.
fn daemon(site: &Path, out: &Output) -> Result<()> {
    out.summary("Newsletter daemon started; press Ctrl-C to stop.");
    let mut first = true;
    loop {
        let now = Timestamp::now();
        // A problem at start ends the daemon at once; one that appears later (a
        // typo while editing content) is reported and checked again in a minute.
        let loaded = load(site, now, out).and_then(|n| match n.settings.schedule {
            Some(_) => Ok(n),
            None => Err(anyhow::anyhow!(
                "the daemon needs a `schedule` in [newsletter] of hearth.toml (e.g. \"0 9 * * MON\")"
            )),
        });
        let n = match loaded {
            Ok(n) => n,
            Err(e) if first => return Err(e),
            Err(e) => {
                eprintln!("{}", out.error_line(&format!("{e:#}")));
                eprintln!("Checking again in a minute.");
                std::thread::sleep(Duration::from_secs(60));
                continue;
            }
        };
        first = false;
        let opts = SendOptions {
            if_due: true,
            progress: !out.is_quiet(),
            ..SendOptions::default()
        };
        match run::send(&n, &opts) {
            Ok(SendReport::NotDue { .. }) => {}
            Ok(report) => {
                if let Err(e) = self::report(&n, report, true, out) {
                    eprintln!("{}", out.error_line(&format!("{e:#}")));
                }
            }
            Err(e) => eprintln!("{}", out.error_line(&format!("{e:#}"))),
        }
        let next = match run::status(&n) {
            // A provider's pause comes before the next slot: wake for it.
            Ok(status) => match status.paused {
                Some(p) => Some(p.until.to_zoned(n.loaded.site.config.timezone.clone())),
                None => status.next_due,
            },
            Err(e) => {
                eprintln!("{}", out.error_line(&format!("{e:#}")));
                None
            }
        };
        let wait = match next {
            Some(next) if next.timestamp() > Timestamp::now() => {
                out.summary(&format!("Next issue due {}.", when(&next)));
                Duration::try_from(next.timestamp().duration_since(Timestamp::now()))
                    .unwrap_or(Duration::from_secs(60))
            }
            _ => Duration::from_secs(60),
        };
        // Wake at least hourly to notice a changed schedule or clock.
        std::thread::sleep(
            wait.min(Duration::from_secs(3600))
                .max(Duration::from_secs(1)),
        );
    }
}
