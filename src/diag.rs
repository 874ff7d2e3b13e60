//! Problems found in a site's files, each tied to a place, collected so that one run
//! reports all of them.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is: errors stop the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// A line and column in a file, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: Option<usize>,
}

impl Location {
    pub fn line(line: usize) -> Self {
        Location { line, column: None }
    }

    /// The location of byte `offset` in `text`, shifted down by `first_line - 1`
    /// lines (for text that starts part-way into a file).
    pub fn of_offset(text: &str, offset: usize, first_line: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + first_line;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location {
            line,
            column: Some(column),
        }
    }
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file, relative to the site folder where possible.
    pub path: PathBuf,
    pub location: Option<Location>,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(loc) = self.location {
            write!(f, ":{}", loc.line)?;
            if let Some(column) = loc.column {
                write!(f, ":{column}")?;
            }
        }
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {label}: {}", self.message)
    }
}

/// The problems of one run, in the order they were found.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn error(&mut self, path: &Path, location: Option<Location>, message: impl Into<String>) {
        self.push(Severity::Error, path, location, message.into());
    }

    pub fn warning(&mut self, path: &Path, location: Option<Location>, message: impl Into<String>) {
        self.push(Severity::Warning, path, location, message.into());
    }

    fn push(
        &mut self,
        severity: Severity,
        path: &Path,
        location: Option<Location>,
        message: String,
    ) {
        self.items.push(Diagnostic {
            severity,
            path: path.to_path_buf(),
            location,
            message,
        });
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    pub fn into_items(self) -> Vec<Diagnostic> {
        self.items
    }

    /// `Err` with every diagnostic when any is an error, else the warnings.
    pub fn into_result(self) -> Result<Vec<Diagnostic>, Problems> {
        if self.has_errors() {
            Err(Problems {
                diagnostics: self.items,
            })
        } else {
            Ok(self.items)
        }
    }
}

/// The error of a run that found problems in the site's files. Its text lists every
/// problem, one per line, then a count.
#[derive(Debug, thiserror::Error)]
pub struct Problems {
    pub diagnostics: Vec<Diagnostic>,
}

impl Problems {
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }
}

impl Problems {
    pub fn new(diagnostics: Vec<Diagnostic>) -> Problems {
        Problems { diagnostics }
    }

    /// The closing line: how many problems were found.
    pub fn summary(&self) -> String {
        let n = self.error_count();
        let s = if n == 1 { "" } else { "s" };
        format!("{n} problem{s} found")
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        f.write_str(&self.summary())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_columns_from_one() {
        let text = "a = 1\nbé = x\n";
        assert_eq!(
            Location::of_offset(text, 0, 1),
            Location {
                line: 1,
                column: Some(1)
            }
        );
        let x = text.find('x').unwrap_or_default();
        assert_eq!(
            Location::of_offset(text, x, 2),
            Location {
                line: 3,
                column: Some(6)
            }
        );
    }

    #[test]
    fn a_diagnostic_reads_like_a_compiler_message() {
        let mut d = Diagnostics::default();
        d.error(
            Path::new("content/posts/a.md"),
            Some(Location::line(3)),
            "missing `title`",
        );
        assert_eq!(
            d.items()[0].to_string(),
            "content/posts/a.md:3: error: missing `title`"
        );
    }
}
