//! The newsletter's record of issues sent (`newsletter/issues.toml`), read as
//! content: the site builds its archive from it, and the next issue is composed after
//! it. The newsletter writes it (`newsletter::record`).

use std::path::Path;

use serde::Deserialize;

use crate::diag::Diagnostics;
use crate::model::issue::{Issue, RECORD_FILE};

#[derive(Debug, Default, Deserialize)]
struct RecordFile {
    #[serde(default, rename = "issue")]
    issues: Vec<Issue>,
}

/// The recorded issues, oldest first. A missing file is an empty record; a broken
/// one is a problem with its line.
pub fn load(site_dir: &Path, diags: &mut Diagnostics) -> Vec<Issue> {
    let text = match crate::files::read_to_string(site_dir, Path::new(RECORD_FILE)) {
        Ok(text) => text,
        Err(crate::files::Refused::Missing) => return Vec::new(),
        Err(e) => {
            diags.error(Path::new(RECORD_FILE), None, format!("cannot read: {e}"));
            return Vec::new();
        }
    };
    let file: Option<RecordFile> =
        crate::content::frontmatter::from_toml(&text, 1, Path::new(RECORD_FILE), diags);
    let mut issues = file.map(|f| f.issues).unwrap_or_default();
    issues.sort_by_key(|i| i.number);
    for pair in issues.windows(2).filter(|p| p[0].number == p[1].number) {
        let number = pair[1].number;
        // The line of the second `number = N`.
        let line = text
            .lines()
            .enumerate()
            .filter(|(_, l)| {
                l.split_once('=')
                    .is_some_and(|(k, v)| k.trim() == "number" && v.trim().parse() == Ok(number))
            })
            .nth(1)
            .map(|(i, _)| crate::diag::Location::line(i + 1));
        diags.error(
            Path::new(RECORD_FILE),
            line,
            format!("issue {number} is recorded twice: each issue number may appear once"),
        );
    }
    issues
}
