//! Reading the old site: its files (through [`crate::files`], so a link out of SRC is
//! refused and named), its configuration, and each document cut into front matter (as
//! a TOML table, whatever it was written in) and body.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use toml::{Table, Value};

use crate::content::frontmatter::{self, Format};
use crate::files;

/// The regular files of the old site, relative to it, and what was refused.
#[derive(Debug, Default)]
pub struct SiteFiles {
    pub files: Vec<PathBuf>,
    pub refused: Vec<(PathBuf, String)>,
}

/// Folders never read: version control, dependencies and build output.
const NEVER: &[&str] = &["node_modules", "vendor", "public", "_site", "resources"];

/// Lists every file of `src`, hidden ones aside.
pub fn list(src: &Path) -> Result<SiteFiles> {
    let entries =
        std::fs::read_dir(src).with_context(|| format!("cannot read `{}`", src.display()))?;
    let mut names: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| PathBuf::from(e.file_name())))
        .filter(|n| !n.to_string_lossy().starts_with('.'))
        .filter(|n| !NEVER.iter().any(|x| n == Path::new(x)))
        .collect();
    names.sort();
    let mut out = SiteFiles::default();
    for name in names {
        if files::is_dir(src, &name)
            || matches!(files::resolve(src, &name), Err(files::Refused::Outside(_)))
        {
            let tree = files::walk(src, &name);
            out.files.extend(tree.files);
            out.refused
                .extend(tree.problems.into_iter().map(|(p, e)| (p, e.to_string())));
            continue;
        }
        match files::regular_file(src, &name) {
            Ok(_) => out.files.push(name),
            Err(files::Refused::NotAFile) => {}
            Err(e) => out.refused.push((name, e.to_string())),
        }
    }
    Ok(out)
}

/// The text of a file of the old site.
pub fn read_text(src: &Path, rel: &Path) -> Result<String, String> {
    let bytes = files::read(src, rel).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// A document cut at its front-matter fences.
#[derive(Debug, Clone)]
pub struct Doc {
    pub front: Table,
    /// The front matter as written, for finding a key's line.
    pub front_text: String,
    /// File line of the first front-matter line.
    pub front_line: usize,
    pub body: String,
    /// File line of the first body line.
    pub body_line: usize,
}

/// Cuts `text`; `Ok(None)` when it has no front matter. An error is a line and a
/// message.
pub fn parse_doc(text: &str) -> Result<Option<Doc>, (usize, String)> {
    // Blank lines before the fence are tolerated, as Hugo does.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut offset = 0;
    let mut lead_lines = 0;
    for line in text.split_inclusive('\n') {
        if !line.trim().is_empty() || !line.ends_with('\n') {
            break;
        }
        offset += line.len();
        lead_lines += 1;
    }
    let text = &text[offset..];
    let first = text.lines().next().unwrap_or("").trim_end();
    // Hugo reads a longer dash line (`------`) as the YAML fence too.
    let long_dashes = first.len() > 3 && first.chars().all(|c| c == '-');
    let owned;
    let text = if long_dashes {
        owned = format!("---{}", &text[first.len()..]);
        owned.as_str()
    } else {
        text
    };
    if first != "---" && first != "+++" && !long_dashes {
        return Ok(None);
    }
    let split = frontmatter::split(text).map_err(|(loc, m)| (loc.line + lead_lines, m))?;
    let front_line = split.front_line + lead_lines;
    let front = match split.format {
        Format::Toml => split.front.parse::<Table>().map_err(|e| {
            (
                front_line + line_of(split.front, e.span()),
                e.message().to_string(),
            )
        })?,
        Format::Yaml => yaml_table(split.front).map_err(|(l, m)| (front_line + l, m))?,
    };
    let body_line = front_line + split.front.matches('\n').count() + 1;
    Ok(Some(Doc {
        front,
        front_text: split.front.to_string(),
        front_line,
        body: split.body.to_string(),
        body_line,
    }))
}

fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> usize {
    span.map_or(0, |s| text[..s.start.min(text.len())].matches('\n').count())
}

/// YAML front matter as a TOML table; an error carries a line offset.
pub fn yaml_table(text: &str) -> Result<Table, (usize, String)> {
    if text.trim().is_empty() {
        return Ok(Table::new());
    }
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| {
        let line = e.location().map_or(0, |l| l.line().saturating_sub(1));
        (line, format!("invalid YAML: {e}"))
    })?;
    match yaml_to_toml(value) {
        Some(Value::Table(t)) => Ok(t),
        _ => Err((0, "front matter is not a mapping of keys".into())),
    }
}

/// A YAML value as TOML; `None` for null (TOML has no null).
pub fn yaml_to_toml(value: serde_yaml_ng::Value) -> Option<Value> {
    use serde_yaml_ng::Value as Y;
    Some(match value {
        Y::Null => return None,
        Y::Bool(b) => Value::Boolean(b),
        Y::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().filter_map(yaml_to_toml).collect()),
        Y::Mapping(map) => {
            let mut t = Table::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Bool(b) => b.to_string(),
                    Y::Number(n) => n.to_string(),
                    _ => continue,
                };
                if let Some(v) = yaml_to_toml(v) {
                    t.insert(key, v);
                }
            }
            Value::Table(t)
        }
        Y::Tagged(tagged) => return yaml_to_toml(tagged.value),
    })
}

/// A JSON value as TOML; `None` for null.
fn json_to_toml(value: serde_json::Value) -> Option<Value> {
    use serde_json::Value as J;
    Some(match value {
        J::Null => return None,
        J::Bool(b) => Value::Boolean(b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        J::String(s) => Value::String(s),
        J::Array(items) => Value::Array(items.into_iter().filter_map(json_to_toml).collect()),
        J::Object(map) => Value::Table(
            map.into_iter()
                .filter_map(|(k, v)| Some((k, json_to_toml(v)?)))
                .collect(),
        ),
    })
}

/// A configuration file (`.toml`, `.yaml`/`.yml` or `.json`) as a table.
pub fn config_file(src: &Path, rel: &Path) -> Result<Table> {
    let text = read_text(src, rel).map_err(|e| anyhow::anyhow!("{}: {e}", rel.display()))?;
    let ext = rel.extension().and_then(|e| e.to_str()).unwrap_or("");
    let table = match ext {
        "toml" => text.parse::<Table>().map_err(|e| {
            anyhow::anyhow!(
                "{}:{}: {}",
                rel.display(),
                line_of(&text, e.span()) + 1,
                e.message().trim_end()
            )
        }),
        "json" => serde_json::from_str::<serde_json::Value>(&text)
            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", rel.display(), e.line()))
            .map(|v| match json_to_toml(v) {
                Some(Value::Table(t)) => t,
                _ => Table::new(),
            }),
        _ => {
            yaml_table(&text).map_err(|(l, m)| anyhow::anyhow!("{}:{}: {m}", rel.display(), l + 1))
        }
    };
    match table {
        Ok(t) => Ok(t),
        Err(e) => bail!("{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_toml_front_matter_read_alike() {
        let doc = parse_doc("---\ntitle: A\ntags: null\ndate: 2019-05-15\n---\nbody\n")
            .ok()
            .flatten()
            .expect("doc");
        assert_eq!(doc.front.get("title").and_then(Value::as_str), Some("A"));
        assert!(!doc.front.contains_key("tags"));
        assert_eq!(doc.body_line, 6);
        let doc = parse_doc("\n\n+++\ntitle = \"B\"\n+++\nx")
            .ok()
            .flatten()
            .expect("doc");
        assert_eq!(doc.front_line, 4);
        assert_eq!(doc.body_line, 6);
        assert!(parse_doc("# no front matter\n").ok().flatten().is_none());
        // The YAML parser places an unclosed list where the text ends.
        assert!(parse_doc("---\ntitle: [\n---\n").is_err());
    }
}
