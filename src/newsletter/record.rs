//! What has been sent: `newsletter/issues.toml` in the site folder, one entry per
//! issue with its number, date, subject and the content it carried. Commit it with
//! the site: it decides what the next issue holds and builds the web archive.

use std::path::Path;

use anyhow::{Context as _, Result};
use serde::Serialize;

pub use crate::model::issue::{Issue, RECORD_FILE};

/// The file as written: every issue under `[[issue]]`.
#[derive(Debug, Default, Serialize)]
struct RecordFile {
    #[serde(rename = "issue")]
    issues: Vec<Issue>,
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
            date: "2026-11-23T09:00:00+01:00".parse()?,
            subject: "Hello \"all\"".into(),
            posts: vec!["a".into()],
            events: vec![],
            cancelled_events: vec![],
            spotlight: Some("ada".into()),
            reminders: vec![],
            sending: true,
        };
        append(dir.path(), &[], issue.clone())?;
        let mut diags = crate::diag::Diagnostics::default();
        let back = crate::content::issues::load(dir.path(), &mut diags);
        assert!(!diags.has_errors());
        assert_eq!(back, [issue]);
        Ok(())
    }
}
