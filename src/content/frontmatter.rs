//! Splitting a content file into front matter and body, and deserialising TOML or
//! YAML front matter into typed structs with every problem placed at a file line.

use std::path::Path;

use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::{keys, wording};
use crate::diag::{Diagnostics, Location};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
}

/// A content file cut at its front-matter fences.
#[derive(Debug)]
pub struct Split<'a> {
    pub format: Format,
    pub front: &'a str,
    /// File line of the first front-matter line (the one after the opening fence).
    pub front_line: usize,
    pub body: &'a str,
}

/// Cuts `text` at its `+++` (TOML) or `---` (YAML) fences.
pub fn split(text: &str) -> Result<Split<'_>, (Location, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err((
            Location::line(1),
            "the file is empty: it needs front matter, e.g. +++\\ntitle = \"…\"\\n+++".into(),
        ));
    }
    // Editors and exports leave blank lines before the fence; they are skipped, and
    // line numbers still count them.
    let blank = text.len() - text.trim_start_matches(['\n', '\r', ' ', '\t']).len();
    let blank = text[..blank].rfind('\n').map_or(0, |i| i + 1);
    let fence_line = text[..blank].matches('\n').count() + 1;
    let text = &text[blank..];
    let first_end = text.find('\n').unwrap_or(text.len());
    let fence = text[..first_end].trim_end();
    let format = match fence {
        "+++" => Format::Toml,
        "---" => Format::Yaml,
        _ => {
            return Err((
                Location::line(fence_line),
                "no front matter: start the file with a `+++` line (TOML) or a `---` line (YAML)"
                    .into(),
            ));
        }
    };
    let rest_start = (first_end + 1).min(text.len());
    let rest = &text[rest_start..];
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == fence {
            return Ok(Split {
                format,
                front: &rest[..offset],
                front_line: fence_line + 1,
                body: &rest[offset + line.len()..],
            });
        }
        offset += line.len();
    }
    Err((
        Location::line(fence_line),
        format!(
            "the front matter opened with `{fence}` on line {fence_line} is never closed: add a `{fence}` line after it"
        ),
    ))
}

/// Deserialises the front matter into `T`. Errors are reported with their file line;
/// keys `T` does not know are warnings. `None` when `T` could not be made.
pub fn parse<T: DeserializeOwned>(
    split: &Split<'_>,
    path: &Path,
    diags: &mut Diagnostics,
) -> Option<T> {
    match split.format {
        Format::Toml => from_toml(split.front, split.front_line, path, diags),
        Format::Yaml => from_yaml(split.front, split.front_line, path, diags),
    }
}

/// A document being deserialised: its text, where it starts in its file, and how
/// it is written.
struct Front<'a> {
    text: &'a str,
    first_line: usize,
    path: &'a Path,
    format: Format,
}

/// Why a document did not deserialise: serde's message and where it points.
struct Failure {
    location: Option<Location>,
    message: String,
    /// The key the failure is about, when it can be told.
    key: Option<String>,
}

/// Deserialises a TOML document that starts on `first_line` of `path`.
pub fn from_toml<T: DeserializeOwned>(
    text: &str,
    first_line: usize,
    path: &Path,
    diags: &mut Diagnostics,
) -> Option<T> {
    let place = |e: &toml::de::Error| {
        e.span()
            .map(|s| Location::of_offset(text, s.start, first_line))
    };
    let de = match toml::Deserializer::parse(text) {
        Ok(de) => de,
        Err(e) => {
            diags.error(
                path,
                place(&e),
                format!("invalid TOML: {}", e.message().trim_end()),
            );
            return None;
        }
    };
    let mut unknown = Vec::new();
    let result = serde_ignored::deserialize(de, |p| unknown.push(p.to_string()));
    let failure = result.as_ref().err().map(|e| {
        let location = place(e);
        Failure {
            location,
            message: e.message().to_string(),
            key: location.and_then(|l| key_on_line(text, l.line + 1 - first_line)),
        }
    });
    let front = Front {
        text,
        first_line,
        path,
        format: Format::Toml,
    };
    report::<T>(&front, &unknown, failure, diags);
    result.ok()
}

fn from_yaml<T: DeserializeOwned>(
    text: &str,
    first_line: usize,
    path: &Path,
    diags: &mut Diagnostics,
) -> Option<T> {
    if let Some(offset) = too_deep_flow(text) {
        let place = Location::of_offset(text, offset, first_line);
        let message = format!(
            "invalid YAML front matter: `[` and `{{` nested more than {MAX_YAML_FLOW_DEPTH} deep"
        );
        diags.error(path, Some(place), message);
        return None;
    }
    // An empty YAML document is "null"; read it as an empty mapping so the message
    // names the missing keys.
    let text_or_map = if text.trim().is_empty() { "{}" } else { text };
    let de = serde_yaml_ng::Deserializer::from_str(text_or_map);
    let mut unknown = Vec::new();
    let result = serde_ignored::deserialize(de, |p| unknown.push(p.to_string()));
    let failure = result.as_ref().err().map(yaml_failure(first_line));
    let front = Front {
        text,
        first_line,
        path,
        format: Format::Yaml,
    };
    report::<T>(&front, &unknown, failure, diags);
    result.ok()
}

/// A YAML error as a `Failure`. serde_yaml writes `key: invalid type: ... at line N
/// column M`; the key and the place are taken out of the text.
fn yaml_failure(first_line: usize) -> impl Fn(&serde_yaml_ng::Error) -> Failure {
    move |e| {
        let location = e.location().map(|l| Location {
            line: l.line() + first_line - 1,
            column: Some(l.column()),
        });
        let message = e.to_string();
        let message = match message.find(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        let about_value =
            |rest: &str| rest.starts_with("invalid type") || rest.starts_with("invalid value");
        match message.split_once(": ") {
            Some((key, rest)) if !key.contains(' ') && about_value(rest) => Failure {
                location,
                message: rest.to_string(),
                key: Some(key.to_string()),
            },
            _ if about_value(&message) || missing_key(&message).is_some() => Failure {
                location,
                message,
                key: None,
            },
            _ => Failure {
                location,
                message: format!("invalid YAML front matter: {message}"),
                key: None,
            },
        }
    }
}

/// Reports the unknown keys and the failure, if any, of one document read as `T`.
fn report<T: DeserializeOwned>(
    front: &Front<'_>,
    unknown: &[String],
    failure: Option<Failure>,
    diags: &mut Diagnostics,
) {
    // serde_ignored writes `?` for the `Some` of an optional table: not a key.
    let unknown: Vec<String> = unknown
        .iter()
        .map(|key| {
            key.split('.')
                .filter(|part| *part != "?")
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect();
    if !unknown.is_empty() {
        // Found by probing `T`: only for a document that has unknown keys.
        warn_unknown(&unknown, &keys::known_keys::<T>(), front, diags);
    }
    let Some(failure) = failure else { return };
    let Some(missing) = missing_key(&failure.message) else {
        let message = wording::plain(&failure.message, failure.key.as_deref());
        diags.error(front.path, failure.location, message);
        return;
    };
    // A misspelt required key (`titel`) is named where it is written.
    let misspelt = unknown
        .iter()
        .filter(|k| !k.contains('.'))
        .find(|k| strsim::levenshtein(&k.to_lowercase(), &missing) <= 2);
    match misspelt.and_then(|k| Some((k, key_line(front.text, k, front.first_line)?))) {
        Some((written, loc)) => diags.error(
            front.path,
            Some(loc),
            format!(
                "missing required key `{missing}`: `{written}` on line {} looks like a misspelling of it",
                loc.line
            ),
        ),
        None => diags.error(
            front.path,
            missing_field_location(front.first_line),
            format!("missing required key `{missing}`"),
        ),
    }
}

/// The deepest YAML flow nesting (`[[...]]`, `{a: {...}}`) read. The YAML parser
/// takes time that grows with the square of the depth (a 200 KB line of `[` takes
/// half a minute; serde-yaml-ng issue #16), and its deserialiser refuses values more
/// than 128 deep anyway, so deeper front matter is refused before parsing.
const MAX_YAML_FLOW_DEPTH: usize = 128;

/// The byte offset of the first `[` or `{` deeper than `MAX_YAML_FLOW_DEPTH`. Quotes
/// are not skipped: brackets inside strings count too, which only matters for text
/// with more than a hundred unclosed brackets.
pub(crate) fn too_deep_flow(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_YAML_FLOW_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The key serde's "missing field `x`" names.
fn missing_key(message: &str) -> Option<String> {
    let key = message.trim().strip_prefix("missing field ")?;
    Some(key.trim_matches('`').to_string())
}

/// A missing key has no place of its own; point at the opening fence.
fn missing_field_location(first_line: usize) -> Option<Location> {
    Some(Location::line(first_line.saturating_sub(1).max(1)))
}

/// The top-level key set on line `line` (from 1) of `text`, when the line sets one.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let written = text.lines().nth(line.checked_sub(1)?)?;
    let (key, _) = written.split_once(['=', ':'])?;
    let key = key.trim().trim_matches(['"', '\'']);
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    bare.then(|| key.to_string())
}

/// One warning per unknown key, with a hint from the keys this kind of file knows.
/// A likely misspelling of `draft` is an error: ignoring it would publish a draft.
fn warn_unknown(keys: &[String], known: &[String], front: &Front<'_>, diags: &mut Diagnostics) {
    let path = front.path;
    for key in keys {
        let top = key.split('.').next().unwrap_or(key);
        // A key inside a table (`[markdown]`, `[smtp]`) is placed on its own line and
        // compared with the keys that table can hold, not with top-level ones.
        let inner = key.split_once('.');
        let loc = inner
            .and_then(|(table, rest)| table_key_line(front.text, table, rest))
            .map(|l| Location::line(l.line + front.first_line - 1))
            .or_else(|| key_line(front.text, top, front.first_line));
        if inner.is_none() && known.iter().any(|k| k == "draft") && keys::is_misspelt_draft(top) {
            diags.error(
                path,
                loc,
                format!("unknown key `{top}`: did you mean `draft`?"),
            );
            diags.hint("a misspelt `draft` would publish what is meant to be held back, so it stops the build");
            continue;
        }
        diags.warning(path, loc, format!("unknown key `{key}` is ignored"));
        diags.group_last(format!("unknown key `{key}`"));
        let candidates: Vec<String> = match inner {
            Some((table, _)) => known
                .iter()
                .filter_map(|k| k.strip_prefix(table)?.strip_prefix('.'))
                .map(str::to_string)
                .collect(),
            None => known.iter().filter(|k| !k.contains('.')).cloned().collect(),
        };
        let written = inner.map_or(top, |(_, rest)| rest);
        let close = crate::diag::did_you_mean(&keys::suggestions(written, &candidates));
        let hint = match (close, inner, front.format) {
            (Some(hint), _, _) => hint,
            (None, Some(_), _) => continue,
            (None, None, Format::Toml) => {
                format!("free fields go under `[extra]`, as `extra.{top}`")
            }
            (None, None, Format::Yaml) => {
                format!("free fields go under `extra`, as `extra: {{ {top}: ... }}`")
            }
        };
        diags.hint(hint);
    }
}

/// The file line on which `key` of the TOML table `[table]` is set.
pub fn table_key_line(text: &str, table: &str, key: &str) -> Option<Location> {
    let header = format!("[{table}]");
    let start = text.lines().position(|l| l.trim() == header)?;
    let body: Vec<&str> = text
        .lines()
        .skip(start + 1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .collect();
    key_line(&body.join("\n"), key, start + 2)
}

/// The file line on which top-level `key` is set, in TOML (`key =`) or YAML (`key:`).
pub fn key_line(text: &str, key: &str, first_line: usize) -> Option<Location> {
    text.lines().enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(key)?;
        let rest = rest.trim_start();
        (rest.starts_with('=') || rest.starts_with(':')).then(|| Location::line(i + first_line))
    })
}

/// The line and column where the value of top-level `key` starts.
pub fn value_location(text: &str, key: &str, first_line: usize) -> Option<Location> {
    let line_no = key_line(text, key, first_line)?.line;
    let line = text.lines().nth(line_no - first_line)?;
    let after_key = &line[key.len()..];
    let sep = after_key.find(['=', ':'])?;
    let value = &after_key[sep + 1..];
    let start = key.len() + sep + 1 + (value.len() - value.trim_start().len());
    Some(Location {
        line: line_no,
        column: Some(line[..start].chars().count() + 1),
    })
}

/// A date as front matter writes it: a TOML date or date-time value, or a string.
/// Kept as text; `model::time::DateSpec` gives it meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateText(pub String);

impl<'de> Deserialize<'de> for DateText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl<'de> Visitor<'de> for DateVisitor {
            type Value = DateText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a date like 2026-11-20 or a date-time like 2026-11-20T18:30:00+01:00")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DateText, E> {
                Ok(DateText(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DateText, A::Error> {
                let d = serde::de::value::MapAccessDeserializer::new(map);
                let datetime = toml::value::Datetime::deserialize(d)?;
                Ok(DateText(datetime.to_string()))
            }
        }
        deserializer.deserialize_any(DateVisitor)
    }
}

/// For `#[serde(deserialize_with)]`: a YAML `null` (`tags:` with nothing after it,
/// or `tags: null`, common in Jekyll and Hugo sites) reads as the empty value.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// Names (member slugs) written as a list, as one text, or as one text with commas
/// between names (`author: "ada, bob"`, as Jekyll sites write it). `null` is none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameList(pub Vec<String>);

impl<'de> Deserialize<'de> for NameList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NamesVisitor;
        impl<'de> Visitor<'de> for NamesVisitor {
            type Value = NameList;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a member slug, several separated by commas, or a list of them")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<NameList, E> {
                let names = v.split(',').map(str::trim).filter(|n| !n.is_empty());
                Ok(NameList(names.map(str::to_owned).collect()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<NameList, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(NameList(names))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<NameList, E> {
                Ok(NameList::default())
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<NameList, E> {
                Ok(NameList::default())
            }
        }
        deserializer.deserialize_any(NamesVisitor)
    }
}

/// Free fields: any TOML or YAML table, turned into JSON for templates. TOML dates
/// become strings.
#[derive(Debug, Clone, Default)]
pub struct Extra(pub serde_json::Value);

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = toml::Value::deserialize(deserializer)?;
        Ok(Extra(toml_to_json(value)))
    }
}

pub fn toml_to_json(value: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            J::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Doc {
        title: String,
        date: Option<DateText>,
    }

    fn parse_doc(text: &str) -> (Option<Doc>, Diagnostics) {
        let mut diags = Diagnostics::default();
        let split = split(text).expect("fenced");
        let doc = parse::<Doc>(&split, Path::new("a.md"), &mut diags);
        assert!(doc.as_ref().is_none_or(|d| !d.title.is_empty()));
        (doc, diags)
    }

    #[test]
    fn toml_and_yaml_fences_are_recognised() {
        let s = split("+++\ntitle = \"A\"\n+++\nbody\n").expect("toml");
        assert_eq!(
            (s.format, s.front, s.body),
            (Format::Toml, "title = \"A\"\n", "body\n")
        );
        let s = split("---\ntitle: A\n---\n").expect("yaml");
        assert_eq!(
            (s.format, s.front, s.body),
            (Format::Yaml, "title: A\n", "")
        );
    }

    #[test]
    fn blank_lines_and_a_byte_order_mark_before_the_fence_are_skipped() {
        let s = split("\u{feff}\n \r\n+++\ntitle = \"A\"\n+++\nbody\n").expect("toml");
        assert_eq!(
            (s.front, s.front_line, s.body),
            ("title = \"A\"\n", 4, "body\n")
        );
        let e = split("\n\n# Just markdown\n").expect_err("no fence");
        assert_eq!(e.0.line, 3);
    }

    #[test]
    fn unclosed_missing_and_empty_front_matter_are_errors() {
        assert!(split("+++\ntitle = 1\n").is_err());
        assert!(split("# Just markdown\n").is_err());
        assert!(split("  \n").is_err());
    }

    #[test]
    fn toml_dates_and_string_dates_read_the_same() {
        let (doc, _) = parse_doc("+++\ntitle = \"A\"\ndate = 2026-11-20\n+++\n");
        assert_eq!(
            doc.and_then(|d| d.date),
            Some(DateText("2026-11-20".into()))
        );
        let (doc, _) = parse_doc("---\ntitle: A\ndate: 2026-11-20T18:30:00+01:00\n---\n");
        assert_eq!(
            doc.and_then(|d| d.date),
            Some(DateText("2026-11-20T18:30:00+01:00".into()))
        );
    }

    #[test]
    fn a_wrong_type_is_placed_on_its_line() {
        let (doc, diags) = parse_doc("+++\n\ntitle = 5\n+++\n");
        assert!(doc.is_none());
        let d = &diags.items()[0];
        assert_eq!(d.location.map(|l| l.line), Some(3), "{d}");
        let (doc, diags) = parse_doc("---\n\ntitle: [1, 2]\n---\n");
        assert!(doc.is_none());
        assert_eq!(
            diags.items()[0].location.map(|l| l.line),
            Some(3),
            "{}",
            diags.items()[0]
        );
    }

    #[test]
    fn deeply_nested_yaml_is_refused_before_it_is_parsed() {
        let deep = format!(
            "---\ntitle: A\nx: {}{}\n---\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        // Parsing this took about a minute in a debug build before the depth check.
        let started = std::time::Instant::now();
        let (doc, diags) = parse_doc(&deep);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        assert!(doc.is_none());
        let d = &diags.items()[0];
        assert_eq!(
            d.location,
            Some(Location {
                line: 3,
                column: Some(132)
            }),
            "{d}"
        );
        let fine = format!(
            "---\ntitle: A\nx: {}{}\n---\n",
            "[".repeat(20),
            "]".repeat(20)
        );
        let (doc, diags) = parse_doc(&fine);
        assert!(doc.is_some() && !diags.has_errors(), "{:?}", diags.items());
    }

    #[test]
    fn unknown_keys_are_warnings_on_their_line() {
        let (doc, diags) = parse_doc("+++\ntitle = \"A\"\ncolour = \"red\"\n+++\n");
        assert!(doc.is_some());
        let d = &diags.items()[0];
        assert!(!diags.has_errors());
        assert_eq!(d.location.map(|l| l.line), Some(3));
        assert!(d.message.contains("colour"));
    }

    #[test]
    fn an_unknown_key_of_a_table_is_placed_on_its_line_with_a_hint() {
        #[derive(Debug, Deserialize)]
        struct Conf {
            #[allow(dead_code)]
            markdown: Option<Table>,
        }
        #[derive(Debug, Deserialize)]
        struct Table {
            #[allow(dead_code)]
            unsafe_html: Option<bool>,
        }
        let mut diags = Diagnostics::default();
        let text = "[markdown]\nunsafe_htm = true\n";
        let conf: Option<Conf> = from_toml(text, 1, Path::new("hearth.toml"), &mut diags);
        assert!(conf.is_some());
        let d = &diags.items()[0];
        assert_eq!(d.location.map(|l| l.line), Some(2));
        assert!(d.message.contains("`markdown.unsafe_htm`"), "{}", d.message);
        assert!(
            d.hint
                .as_deref()
                .is_some_and(|h| h.contains("`unsafe_html`"))
        );
    }
}
