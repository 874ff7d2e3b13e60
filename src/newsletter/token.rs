//! Signed tokens for the newsletter's links and bounce addresses: HMAC-SHA256 with
//! the key of `secret_env` over the list id, the purpose and the address (and, for a
//! confirmation, the name and the time it was asked for). Nothing is stored: a token
//! proves itself, so the endpoint needs no database, and a forged or altered one
//! fails its check.
//!
//! A link token is `PAYLOAD.MAC`, both URL-safe base64 without padding; the payload
//! is `purpose \n address [\n issued \n name]`. Confirmation tokens expire after
//! seven days (a link found in an old inbox must not sign anybody up); unsubscribe
//! tokens never do (an old issue must still let its reader leave).
//!
//! A bounce address is `LOCAL+USER=DOMAIN.ISSUE.MAC@DOMAIN` (VERP): readable,
//! lower case (some servers fold case of local parts) and with a 64-bit MAC in hex,
//! enough that nobody guesses one for an address they do not receive mail for.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use lettre::Address;
use ring::hmac;

use super::subscribers::{self, parse_address};

/// How long a confirmation link works.
pub const CONFIRM_VALID: SignedDuration = SignedDuration::from_hours(7 * 24);
/// The shortest key accepted: 16 bytes (128 bits).
pub const MIN_SECRET_BYTES: usize = 16;
/// Longer tokens are refused before any work.
const MAX_TOKEN: usize = 2048;
/// The longest name a confirmation carries.
pub const MAX_NAME: usize = 100;
/// A clock a little ahead on another machine must not refuse a fresh link.
const SKEW: SignedDuration = SignedDuration::from_mins(5);

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the link is damaged or was not made by this list")]
    Invalid,
    #[error("the link has expired")]
    Expired,
}

/// A confirmation a person asked for: who, under which name, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub address: Address,
    pub name: String,
    pub issued: Timestamp,
}

/// Makes and checks the tokens of one list.
pub struct Signer {
    key: hmac::Key,
    list: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("list", &self.list).finish()
    }
}

impl Signer {
    /// A signer with the key of environment variable `var` (at least 16 bytes).
    pub fn from_env(var: &str, list: &str) -> anyhow::Result<Signer> {
        let Ok(secret) = std::env::var(var) else {
            anyhow::bail!(
                "the environment variable {var} (`secret_env` of [newsletter]) is not set: it holds the key of the signed links (make one with `openssl rand -base64 32`)"
            );
        };
        if secret.trim().len() < MIN_SECRET_BYTES {
            anyhow::bail!(
                "the key in {var} is shorter than {MIN_SECRET_BYTES} characters: use a long random one (`openssl rand -base64 32`)"
            );
        }
        Ok(Signer::new(secret.trim().as_bytes(), list))
    }

    pub fn new(secret: &[u8], list: &str) -> Signer {
        Signer {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            list: list.to_string(),
        }
    }

    /// What the MAC covers: a version, the list and the payload.
    fn signed(&self, payload: &str) -> Vec<u8> {
        format!("hearth-newsletter-1\n{}\n{payload}", self.list).into_bytes()
    }

    fn seal(&self, payload: &str) -> String {
        let tag = hmac::sign(&self.key, &self.signed(payload));
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(tag.as_ref())
        )
    }

    /// The payload of a token whose MAC checks (compared in constant time).
    fn open(&self, token: &str) -> Result<String, Refusal> {
        if token.len() > MAX_TOKEN {
            return Err(Refusal::Invalid);
        }
        let (payload, tag) = token.split_once('.').ok_or(Refusal::Invalid)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|p| String::from_utf8(p).ok())
            .ok_or(Refusal::Invalid)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| Refusal::Invalid)?;
        hmac::verify(&self.key, &self.signed(&payload), &tag).map_err(|_| Refusal::Invalid)?;
        Ok(payload)
    }

    /// A confirmation token for `address` and `name`, issued `now`.
    pub fn confirm(&self, address: &Address, name: &str, now: Timestamp) -> String {
        let name: String = clean_name(name);
        self.seal(&format!(
            "confirm\n{}\n{}\n{name}",
            subscribers::key(address),
            now.as_second()
        ))
    }

    /// The confirmation in `token`, if it is genuine and younger than seven days.
    pub fn open_confirm(&self, token: &str, now: Timestamp) -> Result<Confirm, Refusal> {
        let payload = self.open(token)?;
        let mut fields = payload.splitn(4, '\n');
        let (Some("confirm"), Some(address), Some(issued), Some(name)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(Refusal::Invalid);
        };
        let issued = issued
            .parse::<i64>()
            .ok()
            .and_then(|s| Timestamp::from_second(s).ok())
            .ok_or(Refusal::Invalid)?;
        if issued > now + SKEW {
            return Err(Refusal::Invalid);
        }
        if now.duration_since(issued) > CONFIRM_VALID {
            return Err(Refusal::Expired);
        }
        Ok(Confirm {
            address: parse_address(address).map_err(|_| Refusal::Invalid)?,
            name: clean_name(name),
            issued,
        })
    }

    /// The unsubscribe token of `address`: the same for every issue, never expiring.
    pub fn unsubscribe(&self, address: &Address) -> String {
        self.seal(&format!("unsubscribe\n{}", subscribers::key(address)))
    }

    /// The address of a genuine unsubscribe token.
    pub fn open_unsubscribe(&self, token: &str) -> Result<Address, Refusal> {
        let payload = self.open(token)?;
        let address = payload
            .strip_prefix("unsubscribe\n")
            .ok_or(Refusal::Invalid)?;
        parse_address(address).map_err(|_| Refusal::Invalid)
    }

    /// The VERP envelope sender for `address` in `issue`, on the bounce address
    /// `bounce`; `None` when the address cannot be written into a local part
    /// (quoted or non-ASCII): such a recipient gets the plain bounce address.
    pub fn verp(&self, bounce: &Address, address: &Address, issue: u32) -> Option<Address> {
        let key = subscribers::key(address);
        let (user, domain) = key.rsplit_once('@')?;
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
        };
        if !plain(user) || !plain(domain) {
            return None;
        }
        let tag = self.verp_tag(&key, issue);
        let local = format!("{}+{user}={domain}.{issue}.{tag}", bounce.user());
        Address::new(local, bounce.domain()).ok()
    }

    /// The recipient and issue a VERP address (any case) names, if its MAC checks.
    pub fn open_verp(&self, verp: &str) -> Option<(Address, u32)> {
        let local = verp.trim().rsplit_once('@')?.0.to_ascii_lowercase();
        let (_, tail) = local.split_once('+')?;
        let mut parts = tail.rsplitn(3, '.');
        let (tag, issue, who) = (parts.next()?, parts.next()?, parts.next()?);
        let issue: u32 = issue.parse().ok()?;
        let (user, domain) = who.rsplit_once('=')?;
        let address = parse_address(&format!("{user}@{domain}")).ok()?;
        let expected = self.verp_tag(&subscribers::key(&address), issue);
        constant_time_eq(expected.as_bytes(), tag.as_bytes()).then_some((address, issue))
    }

    /// 64 bits of the MAC over a bounce address, in lower-case hex.
    fn verp_tag(&self, key: &str, issue: u32) -> String {
        let tag = hmac::sign(&self.key, &self.signed(&format!("verp\n{key}\n{issue}")));
        tag.as_ref()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A name as a token carries it: no control characters, at most `MAX_NAME`.
fn clean_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME)
        .collect::<String>()
        .trim()
        .to_string()
}

/// Compares without an early exit, so timing does not tell how much matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer::new(b"a test key of enough length", "newsletter.example.org")
    }

    fn ada() -> Address {
        "Ada@Example.org".parse().expect("address")
    }

    fn at(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn a_confirmation_carries_address_name_and_time_for_seven_days() {
        let s = signer();
        let now = at("2026-11-23T10:00:00Z");
        let token = s.confirm(&ada(), "Ada\nLovelace", now);
        let c = s.open_confirm(&token, now).expect("valid");
        assert_eq!(c.address.to_string(), "ada@example.org");
        assert_eq!(c.name, "AdaLovelace");
        assert!(s.open_confirm(&token, at("2026-11-30T09:59:00Z")).is_ok());
        assert_eq!(
            s.open_confirm(&token, at("2026-11-30T10:01:00Z")),
            Err(Refusal::Expired)
        );
        assert_eq!(
            s.open_confirm(&token, at("2026-11-20T10:00:00Z")),
            Err(Refusal::Invalid)
        );
    }

    #[test]
    fn forged_altered_or_foreign_tokens_are_refused() {
        let s = signer();
        let token = s.unsubscribe(&ada());
        assert_eq!(
            s.open_unsubscribe(&token).map(|a| a.to_string()),
            Ok("ada@example.org".into())
        );
        let (payload, tag) = token.split_once('.').expect("two parts");
        let other = URL_SAFE_NO_PAD.encode("unsubscribe\ngrace@example.org");
        for bad in [
            format!("{other}.{tag}"),
            format!("{payload}.{}", &tag[1..]),
            format!("{payload}x.{tag}"),
            token.replace('.', ""),
            String::new(),
            "x".repeat(5000),
        ] {
            assert_eq!(s.open_unsubscribe(&bad), Err(Refusal::Invalid), "{bad}");
        }
        let other_list = Signer::new(b"a test key of enough length", "newsletter.other.org");
        assert_eq!(other_list.open_unsubscribe(&token), Err(Refusal::Invalid));
        let other_key = Signer::new(b"another key of enough length", "newsletter.example.org");
        assert_eq!(other_key.open_unsubscribe(&token), Err(Refusal::Invalid));
        // A token of one purpose does not serve another.
        let confirm = s.confirm(&ada(), "Ada", at("2026-11-23T10:00:00Z"));
        assert_eq!(s.open_unsubscribe(&confirm), Err(Refusal::Invalid));
        assert!(s.open_confirm(&token, at("2026-11-23T10:00:00Z")).is_err());
    }

    #[test]
    fn a_bounce_address_names_its_recipient_and_issue_in_any_case() {
        let s = signer();
        let bounce: Address = "bounces@example.org".parse().expect("address");
        let verp = s.verp(&bounce, &ada(), 7).expect("plain address");
        let text = verp.to_string();
        assert!(text.starts_with("bounces+ada=example.org.7."), "{text}");
        assert!(text.ends_with("@example.org"));
        let (who, issue) = s.open_verp(&text.to_uppercase()).expect("genuine");
        assert_eq!((who.to_string().as_str(), issue), ("ada@example.org", 7));
        let forged = text.replace("ada=", "grace=");
        assert!(s.open_verp(&forged).is_none());
        assert!(s.open_verp(&text.replace(".7.", ".8.")).is_none());
    }
}
