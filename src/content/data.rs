//! The site's data files: `data/NAME.toml|yaml|yml|json|csv`, each read into a JSON
//! value that templates see as `site.data.NAME`, and the sponsors the built-in theme
//! shows, taken from `data/sponsors.*`.
//!
//! A CSV file is a list of rows keyed by its header. A TOML file is a table; one
//! whose only key is a list named like the file (`[[sponsors]]` in `sponsors.toml`)
//! gives that list, so that a list reads the same in every format. In the rows of
//! any list, `url` is checked like a URL of front matter and `logo` like the site's
//! `logo`, so that a template may put them in `href` and `src`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diag::{Diagnostics, Location};
use crate::model::{SafeUrl, Sponsor};

/// The folder of data files, in the site.
pub const FOLDER: &str = "data";

/// A data file larger than this is refused: data is for small lists, and a huge
/// file would be copied into every page's context.
const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// The formats a data file may be written in, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Toml,
    Yaml,
    Json,
    Csv,
}

impl Format {
    fn of(extension: &str) -> Option<Format> {
        match extension {
            "toml" => Some(Format::Toml),
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Reads every data file of the site. Problems go into `diags`; a file with an
/// error is left out.
pub fn load(site_dir: &Path, root: &str, diags: &mut Diagnostics) -> BTreeMap<String, Value> {
    let tree = crate::files::walk(site_dir, Path::new(FOLDER));
    for (path, problem) in &tree.problems {
        diags.error(path, None, problem.to_string());
    }
    let mut data = BTreeMap::new();
    let mut first_file: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in &tree.files {
        let Some((name, format)) = name_and_format(path, diags) else {
            continue;
        };
        if let Some(first) = first_file.get(&name) {
            diags.error(
                path,
                None,
                format!(
                    "`{}` is also data `{name}`: two files cannot give `site.data.{name}`; rename or remove one",
                    first.display()
                ),
            );
            continue;
        }
        first_file.insert(name.clone(), path.clone());
        let Some(text) = read(site_dir, path, diags) else {
            continue;
        };
        let Some(mut value) = parse(&text, format, path, diags) else {
            continue;
        };
        if format == Format::Toml {
            value = unwrap_named_list(value, &name);
        }
        check_rows(&mut value, &Written { text: &text, path }, root, diags);
        data.insert(name, value);
    }
    data
}

/// The data name of a file (`sponsors` for `data/sponsors.toml`) and its format;
/// `None`, with a message, for a file hearth does not read as data.
fn name_and_format(path: &Path, diags: &mut Diagnostics) -> Option<(String, Format)> {
    let in_folder = path.parent() == Some(Path::new(FOLDER));
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let Some(format) = Format::of(&extension.to_ascii_lowercase()) else {
        diags.warning(
            path,
            None,
            "not a data file (.toml, .yaml, .yml, .json or .csv): ignored",
        );
        return None;
    };
    if !in_folder {
        diags.warning(
            path,
            None,
            "data files sit directly in data/, not in a folder below it: ignored",
        );
        return None;
    }
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if !is_identifier(name) {
        diags.error(
            path,
            None,
            format!(
                "the data name `{name}` must be a plain identifier (letters, digits and `_`, not starting with a digit), so that templates can write `site.data.NAME`"
            ),
        );
        return None;
    }
    Some((name.to_string(), format))
}

/// `sponsors`, `team_2026`: ASCII letters, digits and `_`, not starting with a digit.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn read(site_dir: &Path, path: &Path, diags: &mut Diagnostics) -> Option<String> {
    let too_big = crate::files::regular_file(site_dir, path)
        .ok()
        .and_then(|p| p.metadata().ok())
        .is_some_and(|m| m.len() > MAX_BYTES);
    if too_big {
        diags.error(
            path,
            None,
            format!(
                "the data file is larger than {} MiB: data files are for small lists",
                MAX_BYTES / 1024 / 1024
            ),
        );
        return None;
    }
    crate::files::read_to_string(site_dir, path)
        .map_err(|e| diags.error(path, None, format!("cannot read: {e}")))
        .ok()
}

/// The file's value; a syntax error is reported at its line.
fn parse(text: &str, format: Format, path: &Path, diags: &mut Diagnostics) -> Option<Value> {
    let result: Result<Value, (Option<Location>, String)> = match format {
        Format::Toml => toml::from_str::<toml::Value>(text)
            .map(crate::content::frontmatter::toml_to_json)
            .map_err(|e| {
                let at = e.span().map(|s| Location::of_offset(text, s.start, 1));
                (at, format!("invalid TOML: {}", e.message().trim_end()))
            }),
        Format::Yaml => parse_yaml(text),
        Format::Json => serde_json::from_str(text).map_err(|e| {
            let at = Location {
                line: e.line(),
                column: Some(e.column()),
            };
            (
                Some(at),
                format!("invalid JSON: {}", without_place(&e.to_string())),
            )
        }),
        Format::Csv => parse_csv(text),
    };
    result
        .map_err(|(at, message)| diags.error(path, at, message))
        .ok()
}

fn parse_yaml(text: &str) -> Result<Value, (Option<Location>, String)> {
    if let Some(offset) = crate::content::frontmatter::too_deep_flow(text) {
        let at = Location::of_offset(text, offset, 1);
        return Err((Some(at), "invalid YAML: nested too deep".to_string()));
    }
    serde_yaml_ng::from_str::<Value>(text).map_err(|e| {
        let at = e.location().map(|l| Location {
            line: l.line(),
            column: Some(l.column()),
        });
        (
            at,
            format!("invalid YAML: {}", without_place(&e.to_string())),
        )
    })
}

/// A CSV file as a list of rows, each an object keyed by the header row.
fn parse_csv(text: &str) -> Result<Value, (Option<Location>, String)> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let csv_error = |e: csv::Error| {
        let at = e.position().map(|p| Location::line(p.line() as usize));
        (
            at,
            format!("invalid CSV: {}", without_place(&e.to_string())),
        )
    };
    let headers = reader.headers().map_err(csv_error)?.clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let row: serde_json::Map<String, Value> = headers
            .iter()
            .zip(record.iter())
            .map(|(key, value)| (key.to_string(), Value::String(value.to_string())))
            .collect();
        rows.push(Value::Object(row));
    }
    Ok(Value::Array(rows))
}

/// An error message without the " at line N column M" its library adds (the
/// diagnostic places it).
fn without_place(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// `{ sponsors = [...] }` of `sponsors.toml` is the list itself.
fn unwrap_named_list(value: Value, name: &str) -> Value {
    match value {
        Value::Object(mut table)
            if table.len() == 1 && table.get(name).is_some_and(Value::is_array) =>
        {
            table.remove(name).unwrap_or(Value::Null)
        }
        other => other,
    }
}

/// A data file's text and path, to place problems.
struct Written<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Written<'_> {
    /// The first line that holds `needle`: where a bad value was written.
    fn line_of(&self, needle: &str) -> Option<Location> {
        let index = self.text.lines().position(|l| l.contains(needle))?;
        Some(Location::line(index + 1))
    }
}

/// Checks `url` and `logo` in the rows of a list (placing `logo` under the site
/// root). A bad value is an error at its line and is removed from the row.
fn check_rows(value: &mut Value, file: &Written<'_>, root: &str, diags: &mut Diagnostics) {
    let Value::Array(rows) = value else {
        return;
    };
    for row in rows.iter_mut().filter_map(Value::as_object_mut) {
        for key in ["url", "logo"] {
            let Some(Value::String(written)) = row.get(key) else {
                continue;
            };
            if written.trim().is_empty() {
                row.remove(key);
                continue;
            }
            let checked = match key {
                "logo" => SafeUrl::site_asset(written, root),
                _ => SafeUrl::parse(written),
            };
            match checked {
                Ok(url) => {
                    row.insert(key.to_string(), Value::String(url.to_string()));
                }
                Err(msg) => {
                    diags.error(file.path, file.line_of(written), format!("`{key}`: {msg}"));
                    row.remove(key);
                }
            }
        }
    }
}

/// The sponsors of `data/sponsors.*`, in file order. A row without a `name` is an
/// error (the theme would show nothing for it).
pub fn sponsors(data: &BTreeMap<String, Value>, diags: &mut Diagnostics) -> Vec<Sponsor> {
    let Some(value) = data.get("sponsors") else {
        return Vec::new();
    };
    let path = Path::new(FOLDER).join("sponsors.*");
    let Value::Array(rows) = value else {
        diags.error(
            &path,
            None,
            "`sponsors` must be a list of rows with `name`, `url`, `logo` and `tier` (in TOML: `[[sponsors]]` tables)",
        );
        return Vec::new();
    };
    let text = |row: &serde_json::Map<String, Value>, key: &str| {
        row.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let Some(row) = row.as_object() else { continue };
        let Some(name) = text(row, "name") else {
            diags.error(&path, None, format!("sponsor {} has no `name`", i + 1));
            continue;
        };
        // Already checked by `check_rows`.
        let url = |key: &str| text(row, key).and_then(|u| SafeUrl::parse(&u).ok());
        out.push(Sponsor {
            url: url("url"),
            logo: url("logo"),
            tier: text(row, "tier"),
            name,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_names_are_plain_identifiers() {
        for good in ["sponsors", "team_2026", "_x"] {
            assert!(is_identifier(good), "{good}");
        }
        for bad in ["2026", "my-list", "", "a.b", "ü"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }

    #[test]
    fn csv_rows_are_keyed_by_the_header() {
        let rows = parse_csv("name,tier\nAcme, gold\nGlobex,\n").expect("valid");
        assert_eq!(
            rows,
            serde_json::json!([{"name": "Acme", "tier": "gold"}, {"name": "Globex", "tier": ""}])
        );
    }

    #[test]
    fn a_toml_list_named_like_its_file_is_the_list() {
        let value = serde_json::json!({"sponsors": [{"name": "Acme"}]});
        assert_eq!(
            unwrap_named_list(value, "sponsors"),
            serde_json::json!([{"name": "Acme"}])
        );
        let table = serde_json::json!({"a": 1, "b": 2});
        assert_eq!(unwrap_named_list(table.clone(), "a"), table);
    }
}
