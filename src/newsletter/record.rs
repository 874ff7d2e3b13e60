//! What has been sent: `newsletter/issues.toml` in the site folder, one entry per
//! issue with its number, date, subject and the content it carried. Commit it with
//! the site: it decides what the next issue holds and builds the web archive.

use std::path::Path;

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use crate::diag::Diagnostics;

/// The record, relative to the site folder.
pub const RECORD_FILE: &str = "newsletter/issues.toml";

/// One issue as recorded when its sending began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub number: u32,
    /// When the issue was composed (RFC 3339); content after this goes in the next.
    pub date: String,
    pub subject: String,
    /// Slugs of the posts it carried.
    #[serde(default)]
    pub posts: Vec<String>,
    /// Slugs of the upcoming events it announced.
    #[serde(default)]
    pub events: Vec<String>,
    /// Slugs of announced events it reported as cancelled.
    #[serde(default)]
    pub cancelled_events: Vec<String>,
    /// Slug of the member in the spotlight, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spotlight: Option<String>,
    /// True while the issue is being delivered; a later send resumes it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sending: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Issue {
    pub fn timestamp(&self) -> Option<jiff::Timestamp> {
        self.date.parse().ok()
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
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

/// Adds `issue` to the record, durably: the new file replaces the old in one rename.
pub fn append(site_dir: &Path, issues: &[Issue], issue: Issue) -> Result<()> {
    let mut all = issues.to_vec();
    all.push(issue);
    let body =
        toml::to_string(&RecordFile { issues: all }).context("cannot write the issue record")?;
    let text = format!(
        "# Newsletter issues sent by `hearth newsletter send`. Commit this file with the site:\n\
         # it decides what the next issue holds and builds the archive at /newsletter/.\n\n{body}"
    );
    crate::files::write_durably(site_dir, Path::new(RECORD_FILE), text.as_bytes()).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_appended_issue_reads_back() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let issue = Issue {
            number: 1,
            date: "2026-11-23T09:00:00+01:00".into(),
            subject: "Hello \"all\"".into(),
            posts: vec!["a".into()],
            events: vec![],
            cancelled_events: vec![],
            spotlight: Some("ada".into()),
            sending: true,
        };
        append(dir.path(), &[], issue.clone())?;
        let mut diags = Diagnostics::default();
        let back = load(dir.path(), &mut diags);
        assert!(!diags.has_errors());
        assert_eq!(back, [issue]);
        Ok(())
    }
}
