//! Subscriber fields in an email rendered once for everybody. The templates get
//! `recipient.*` as tokens made of a random per-render nonce; after rendering, the
//! text is split at those tokens once, and each recipient's copy is assembled from
//! the pieces. Content cannot forge a token: it never sees the nonce (drawn from the
//! OS when the issue is rendered, kept in memory only), and any stray marker
//! character in the rendered text (from a post, say) is dropped, not interpreted.

use anyhow::{Context as _, Result};

use super::subscribers::Subscriber;

/// Marker characters around a token (private use: no text means them).
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// The tokens of one render: `OPEN nonce . index CLOSE` stands for `fields[index]`.
/// The nonce is decimal digits, so no case filter changes a token.
#[derive(Debug, Clone)]
pub struct Placeholders {
    /// `OPEN` followed by the nonce and `.`: the start of every token.
    prefix: String,
    fields: Vec<String>,
}

impl Placeholders {
    /// Tokens for `fields` (subscriber field names), with a fresh nonce.
    pub fn new(fields: Vec<String>) -> Result<Placeholders> {
        let mut bytes = [0u8; 16];
        getrandom::getrandom(&mut bytes)
            .context("cannot get random bytes from the operating system")?;
        Ok(Placeholders::with_nonce(u128::from_le_bytes(bytes), fields))
    }

    fn with_nonce(nonce: u128, fields: Vec<String>) -> Placeholders {
        Placeholders {
            prefix: format!("{OPEN}{nonce:039}."),
            fields,
        }
    }

    /// Each field name with the token templates print for it.
    pub fn tokens(&self) -> impl Iterator<Item = (&str, String)> + '_ {
        self.fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.as_str(), format!("{}{i}{CLOSE}", self.prefix)))
    }

    /// Splits rendered text at its tokens; stray marker characters are dropped.
    pub fn compile(&self, rendered: &str) -> Personal {
        let mut parts = Vec::new();
        let mut text = String::with_capacity(rendered.len());
        let mut rest = rendered;
        while let Some(at) = rest.find([OPEN, CLOSE]) {
            text.push_str(&rest[..at]);
            let marker = &rest[at..];
            match self.token_at(marker) {
                Some((field, len)) => {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                    parts.push(Part::Field(field));
                    rest = &marker[len..];
                }
                // Not a token of this render: the marker goes, the rest stays text.
                None => rest = &marker[marker.chars().next().map_or(1, char::len_utf8)..],
            }
        }
        text.push_str(rest);
        parts.push(Part::Text(text));
        parts.retain(|p| !matches!(p, Part::Text(t) if t.is_empty()));
        Personal { parts }
    }

    /// The field of the token at the start of `text`, and the token's length.
    fn token_at(&self, text: &str) -> Option<(Field, usize)> {
        let after = text.strip_prefix(self.prefix.as_str())?;
        let digits = after.find(CLOSE)?;
        let index: usize = after[..digits].parse().ok()?;
        let name = self.fields.get(index)?;
        let field = match name.as_str() {
            "name" => Field::Name,
            "email" => Field::Email,
            UNSUBSCRIBE_FIELD => Field::Unsubscribe,
            GREETING_FIELD => Field::Greeting,
            other => Field::Column(other.to_string()),
        };
        Some((field, self.prefix.len() + digits + CLOSE.len_utf8()))
    }
}

/// A rendered part of the email, ready to be filled in per subscriber.
#[derive(Debug, Clone, Default)]
pub struct Personal {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Field(Field),
}

#[derive(Debug, Clone)]
enum Field {
    Name,
    Email,
    /// The recipient's own unsubscribe link (signed, see `token`).
    Unsubscribe,
    /// "Hi Sofía" for Sofía Ramírez, "Hi" without a name.
    Greeting,
    Column(String),
}

/// The field name of the personal unsubscribe link.
pub const UNSUBSCRIBE_FIELD: &str = "unsubscribe_url";

/// The field name of the greeting by first name (`Hi Sofía`, or `Hi`).
pub const GREETING_FIELD: &str = "greeting";

/// The greeting of a person: by the first word of their name, as people greet in
/// a newsletter; a name that is empty or only the address's own part gets none.
pub fn greeting(subscriber: &Subscriber) -> String {
    let first = subscriber.name.split_whitespace().next().unwrap_or("");
    if first.is_empty() || first == subscriber.address.user() {
        "Hi".to_string()
    } else {
        format!("Hi {first}")
    }
}

/// What a recipient's copy holds besides their subscriber fields.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// Their unsubscribe page (or the list's shared target).
    pub unsubscribe: String,
}

impl Personal {
    /// The text for `subscriber`; field values escaped for HTML when `html`.
    pub fn fill(&self, subscriber: &Subscriber, links: &Links, html: bool) -> String {
        let mut out = String::with_capacity(self.len() + 64);
        for part in &self.parts {
            let value = match part {
                Part::Text(text) => {
                    out.push_str(text);
                    continue;
                }
                Part::Field(Field::Name) => subscriber.name.clone(),
                Part::Field(Field::Email) => subscriber.address.to_string(),
                Part::Field(Field::Unsubscribe) => links.unsubscribe.clone(),
                Part::Field(Field::Greeting) => greeting(subscriber),
                Part::Field(Field::Column(c)) => subscriber.field(c).unwrap_or_default().into(),
            };
            if html {
                out.push_str(&crate::render::escape_html(&value));
            } else {
                out.push_str(&value);
            }
        }
        out
    }

    /// Bytes of the text without the fields (for the size warning).
    pub fn len(&self) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.len(),
                Part::Field(_) => 0,
            })
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subscriber(name: &str) -> Subscriber {
        Subscriber {
            address: "ada@example.org".parse().expect("address"),
            name: name.to_string(),
            columns: vec!["email".to_string(), "city".to_string()].into(),
            values: vec!["ada@example.org".to_string(), "Zürich".to_string()],
        }
    }

    fn placeholders() -> Placeholders {
        Placeholders::with_nonce(42, vec!["name".into(), "email".into(), "city".into()])
    }

    #[test]
    fn tokens_are_filled_per_subscriber_and_escaped_in_html() {
        let p = placeholders();
        let t: Vec<String> = p.tokens().map(|(_, t)| t).collect();
        let rendered = format!("Hi {} from {} <{}>", t[0], t[2], t[1]);
        let personal = p.compile(&rendered);
        let s = subscriber("<b>Ada</b> & co");
        assert_eq!(
            personal.fill(&s, &Links::default(), true),
            "Hi &lt;b&gt;Ada&lt;/b&gt; &amp; co from Zürich <ada@example.org>"
        );
        assert_eq!(
            personal.fill(&s, &Links::default(), false),
            "Hi <b>Ada</b> & co from Zürich <ada@example.org>"
        );
    }

    #[test]
    fn forged_markers_are_dropped_not_filled() {
        let p = placeholders();
        let forged = [
            "\u{E000}email\u{E001}".to_string(),
            "\u{E000}1\u{E001}".to_string(),
            format!("{OPEN}{:039}.1{CLOSE}", 41),
            format!("{OPEN}{:039}.9{CLOSE}", 42),
            format!("{OPEN}{:039}.{CLOSE}", 42),
            "\u{E000}\u{E000}\u{E001}".to_string(),
        ];
        for f in forged {
            let out = p.compile(&format!("<img src=\"x?{f}\">")).fill(
                &subscriber("Ada"),
                &Links::default(),
                true,
            );
            assert!(!out.contains("ada@") && !out.contains("Ada") && !out.contains("Zürich"));
            assert!(!out.contains([OPEN, CLOSE]), "{out:?}");
        }
    }

    #[test]
    fn every_render_draws_a_new_nonce() -> Result<()> {
        let a = Placeholders::new(vec!["name".into()])?;
        let b = Placeholders::new(vec!["name".into()])?;
        assert_ne!(a.prefix, b.prefix);
        Ok(())
    }
}
