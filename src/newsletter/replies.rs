//! What an SMTP reply means for a send: a pure classification of the reply code and
//! text, so that a provider's throttling or quota reply pauses the send instead of
//! failing recipients, and a refused login stops it at once.
//!
//! The RFC 3463 enhanced status code (`5.4.5`) decides first, as providers use it to
//! say what they mean; the basic code (`421`, `454`) and the words of the reply
//! ("rate limit", "quota") decide when it says nothing specific.

use std::time::Duration;

/// How long a send pauses after a throttling reply (too fast for now).
pub const THROTTLE_PAUSE: Duration = Duration::from_secs(5 * 60);
/// How long a send pauses after a quota reply (a daily or hourly limit reached).
pub const QUOTA_PAUSE: Duration = Duration::from_secs(60 * 60);

/// What to do after a reply that was not a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// The provider asks to slow down or stop for a while: the recipient stays
    /// pending and the whole send waits this long.
    Pause(Duration),
    /// The login was refused (or is missing): nothing a retry can fix.
    Auth,
    /// Try this message again (soon, or on the next send).
    Temporary,
    /// Refused for good.
    Permanent,
}

/// Classifies a reply from its basic code (if it had one) and its text.
pub fn classify(code: Option<u16>, text: &str) -> Reply {
    let lower = text.to_ascii_lowercase();
    let enhanced = enhanced_code(text);
    if matches!(code, Some(530 | 534 | 535 | 538)) {
        return Reply::Auth;
    }
    if let Some((class, subject, detail)) = enhanced {
        match (class, subject, detail) {
            // X.7.8 bad credentials, X.7.9 mechanism too weak, X.7.11 encryption needed
            // for it, X.7.0 with the basic codes of AUTH: the login.
            (_, 7, 8 | 9 | 11) => return Reply::Auth,
            // X.4.5: "mail system congestion"; Gmail's daily sending limit is 5.4.5.
            (5, 4, 5) => return Reply::Pause(QUOTA_PAUSE),
            (4, 4, 5) => return Reply::Pause(pause_for(&lower)),
            // 4.7.x: temporary policy refusals, which providers use for rate limits.
            (4, 7, _) => return Reply::Pause(pause_for(&lower)),
            // X.1.x, X.2.x: about the mailbox, X.3.x: the recipient's system, X.5.x
            // X.6.x: this message. A mailbox receiving too fast is that recipient's
            // business, not a reason to stop everybody's mail.
            (4, 1..=3 | 5 | 6, _) => return Reply::Temporary,
            (5, 1..=3 | 5 | 6, _) => return Reply::Permanent,
            _ => {}
        }
    }
    let limited = sounds_limited(&lower);
    match code {
        Some(421 | 454) => Reply::Pause(pause_for(&lower)),
        Some(450..=452) if limited => Reply::Pause(pause_for(&lower)),
        Some(500..=599) if limited => Reply::Pause(QUOTA_PAUSE),
        Some(400..=499) => Reply::Temporary,
        Some(500..=599) => Reply::Permanent,
        _ => Reply::Temporary,
    }
}

/// Whether the text speaks of a rate limit or a quota.
fn sounds_limited(lower: &str) -> bool {
    [
        "rate limit",
        "rate exceeded",
        "sending rate",
        "too many",
        "quota",
        "throttl",
        "limit exceeded",
        "sending limit",
        "try again later",
    ]
    .iter()
    .any(|w| lower.contains(w))
        && !lower.contains("too many recipients")
}

/// A daily or hourly quota waits an hour; plain throttling a few minutes.
fn pause_for(lower: &str) -> Duration {
    if [
        "quota",
        "daily",
        "per day",
        "hourly",
        "per hour",
        "sending limit",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        QUOTA_PAUSE
    } else {
        THROTTLE_PAUSE
    }
}

/// The first RFC 3463 code (`class.subject.detail`, class 2, 4 or 5) in `text`.
fn enhanced_code(text: &str) -> Option<(u8, u16, u16)> {
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ':' || c == ',')
        .find_map(|word| {
            let word = word.trim_end_matches(['.', ';']);
            let mut parts = word.split('.');
            let class: u8 = parts.next()?.parse().ok()?;
            let subject: u16 = parts.next()?.parse().ok()?;
            let detail: u16 = parts.next()?.parse().ok()?;
            let short = |p: u16| p < 1000;
            (parts.next().is_none()
                && matches!(class, 2 | 4 | 5)
                && short(subject)
                && short(detail))
            .then_some((class, subject, detail))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_replies_are_classified() {
        let pause = |d| Reply::Pause(d);
        let table = [
            // Gmail
            (
                550,
                "5.4.5 Daily user sending limit exceeded.",
                pause(QUOTA_PAUSE),
            ),
            (
                421,
                "4.7.0 Try again later, closing connection.",
                pause(THROTTLE_PAUSE),
            ),
            (
                450,
                "4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages",
                Reply::Temporary,
            ),
            (
                535,
                "5.7.8 Username and Password not accepted.",
                Reply::Auth,
            ),
            (530, "5.7.0 Authentication Required.", Reply::Auth),
            // Amazon SES
            (
                454,
                "Throttling failure: Maximum sending rate exceeded.",
                pause(THROTTLE_PAUSE),
            ),
            (
                454,
                "Throttling failure: Daily message quota exceeded.",
                pause(QUOTA_PAUSE),
            ),
            (
                554,
                "Message rejected: Email address is not verified.",
                Reply::Permanent,
            ),
            // Microsoft 365, Postmark, Mailgun
            // A full mailbox speaks of a quota too, but only about that recipient.
            (552, "5.2.2 Mailbox full: over quota", Reply::Permanent),
            (550, "5.7.1 Relaying denied", Reply::Permanent),
            (
                451,
                "4.7.1 Rate limit exceeded, try again later",
                pause(THROTTLE_PAUSE),
            ),
            (421, "Too many connections", pause(THROTTLE_PAUSE)),
            (
                550,
                "Sending quota exceeded for this account",
                pause(QUOTA_PAUSE),
            ),
            (452, "4.5.3 Too many recipients", Reply::Temporary),
            // Plain codes
            (451, "4.3.0 Try again later", Reply::Temporary),
            (550, "5.1.1 No such user", Reply::Permanent),
            (451, "Local error in processing", Reply::Temporary),
            (
                534,
                "5.7.9 Please log in with your web browser",
                Reply::Auth,
            ),
        ];
        for (code, text, want) in table {
            assert_eq!(classify(Some(code), text), want, "{code} {text}");
        }
        assert_eq!(classify(None, "connection reset"), Reply::Temporary);
    }

    #[test]
    fn enhanced_codes_are_found_beside_punctuation_only() {
        assert_eq!(enhanced_code("(5.4.5) x"), Some((5, 4, 5)));
        assert_eq!(enhanced_code("version 1.2.3 of 4.7.1."), Some((4, 7, 1)));
        assert_eq!(enhanced_code("no code 10.0.0.1"), None);
    }
}
