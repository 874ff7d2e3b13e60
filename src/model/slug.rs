//! URL-safe names. A `Slug` can never hold a path separator, a dot, or be empty, so
//! whatever a content file says, a slug names exactly one folder inside the output.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// Makes a slug from any text: lower case, letters and digits kept (common
    /// accented Latin letters lose their accents), everything else becomes one `-`
    /// between words. `None` when nothing usable is left.
    pub fn from_text(text: &str) -> Option<Slug> {
        let mut out = String::with_capacity(text.len());
        let mut pending_dash = false;
        for c in text.chars().flat_map(char::to_lowercase) {
            let folded = fold_accent(c);
            if folded.is_empty() && c.is_alphanumeric() {
                push_word_char(&mut out, &mut pending_dash, c);
            } else if !folded.is_empty() {
                for f in folded.chars() {
                    push_word_char(&mut out, &mut pending_dash, f);
                }
            } else {
                pending_dash = !out.is_empty();
            }
        }
        (!out.is_empty()).then_some(Slug(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn push_word_char(out: &mut String, pending_dash: &mut bool, c: char) {
    if *pending_dash {
        out.push('-');
        *pending_dash = false;
    }
    out.push(c);
}

/// ASCII spelling of `c` when it is an ASCII letter or digit or a common accented
/// Latin letter; empty for anything else.
fn fold_accent(c: char) -> &'static str {
    const ASCII: [&str; 36] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f", "g", "h",
        "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
    ];
    match c {
        '0'..='9' => ASCII[c as usize - '0' as usize],
        'a'..='z' => ASCII[10 + c as usize - 'a' as usize],
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => "",
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(s: &str) -> Option<String> {
        Slug::from_text(s).map(|s| s.0)
    }

    #[test]
    fn words_are_joined_by_single_dashes_in_lower_case() {
        assert_eq!(slug("  Hello, World!  ").as_deref(), Some("hello-world"));
        assert_eq!(
            slug("Rust & WebAssembly 2026").as_deref(),
            Some("rust-webassembly-2026")
        );
    }

    #[test]
    fn accents_are_folded_and_other_scripts_kept() {
        assert_eq!(slug("Zürich Straße").as_deref(), Some("zurich-strasse"));
        assert_eq!(slug("東京 meetup").as_deref(), Some("東京-meetup"));
    }

    #[test]
    fn path_tricks_leave_no_separator_or_dot() {
        assert_eq!(slug("../../etc/passwd").as_deref(), Some("etc-passwd"));
        assert_eq!(slug("a\\b/c.d").as_deref(), Some("a-b-c-d"));
        assert_eq!(slug("../.."), None);
        assert_eq!(slug(""), None);
    }
}
