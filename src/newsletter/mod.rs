//! The email digest: compose the next issue from the site's content, render it,
//! send it to every subscriber exactly once (a crash-safe ledger), on a schedule.
//!
//! - [`settings`]: `[newsletter]` and `[smtp]` of hearth.toml, checked.
//! - [`subscribers`]: `subscribers.csv` and the suppression list.
//! - [`token`]: signed links (confirm, unsubscribe) and bounce addresses.
//! - [`changes`]: joins and suppressions recorded as plain files (endpoint, bounces).
//! - [`record`]: `newsletter/issues.toml`, what each sent issue held.
//! - [`compose`]: what the next issue holds.
//! - [`email`]: the HTML and text parts, personalised, as a MIME message.
//! - [`personal`]: subscriber fields in an email rendered once, unforgeable by content.
//! - [`ledger`]: per-recipient delivery state, durable after every message.
//! - [`send`]: SMTP delivery with retries, a rate limit and PIPELINING.
//! - [`replies`]: what an SMTP reply means (retry, reject, pause, bad login).
//! - [`pace`]: pauses a provider asked for, and the hourly and daily quotas.
//! - [`schedule`]: cron schedules in the site's time zone.
//! - [`bounces`]: reading the bounce mailbox (DSN, ARF, VERP); [`imap`] its client.
//! - [`endpoint`]: the HTTP service for joining and leaving.
//! - [`run`]: the commands, tying these together.

pub mod bounces;
pub mod changes;
pub mod compose;
pub mod email;
pub mod endpoint;
pub mod imap;
pub mod ledger;
pub mod pace;
pub mod personal;
pub mod record;
pub mod replies;
pub mod run;
pub mod schedule;
pub mod send;
pub mod settings;
pub mod subscribers;
pub mod token;
