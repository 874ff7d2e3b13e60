//! Problems found in a site's files, each tied to a place, collected so that one run
//! reports all of them.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is: errors stop the build, warnings do not, notes only inform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    /// The word a message starts with: `error`, `warning`, `note`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
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
    /// What to do about it, when hearth can tell: "did you mean `title`?".
    pub hint: Option<String>,
    /// The line of the file the location points into, for showing it.
    pub source_line: Option<String>,
    /// Problems with the same group (`unknown key `description``) are told once,
    /// with a count, when many files have them.
    pub group: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A note about the whole site has no file.
        if !self.path.as_os_str().is_empty() {
            write!(f, "{}", self.path.display())?;
            if let Some(loc) = self.location {
                write!(f, ":{}", loc.line)?;
                if let Some(column) = loc.column {
                    write!(f, ":{column}")?;
                }
            }
            f.write_str(": ")?;
        }
        write!(f, "{}: {}", self.severity.label(), self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (help: {hint})")?;
        }
        Ok(())
    }
}

impl Diagnostic {
    /// The problem as a compiler would show it: the message, the file's line with a
    /// marker under the spot, and the hint. Falls back to one line without a source.
    pub fn render(&self, color: bool) -> String {
        use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
        let (Some(loc), Some(line)) = (self.location, &self.source_line) else {
            return self.to_string();
        };
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Note => Level::NOTE,
        };
        let path = self.path.display().to_string();
        let span = marker_span(line, loc.column);
        let snippet = Snippet::source(line.as_str())
            .line_start(loc.line)
            .path(path.as_str())
            .annotation(AnnotationKind::Primary.span(span));
        let mut group = level.primary_title(self.message.as_str()).element(snippet);
        if let Some(hint) = &self.hint {
            group = group.element(Level::HELP.message(hint.as_str()));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group])
    }
}

/// The bytes of `line` to underline: the token at `column` (counted in characters
/// from 1), or the whole line without its indentation.
fn marker_span(line: &str, column: Option<usize>) -> std::ops::Range<usize> {
    let start = match column {
        Some(c) => line
            .char_indices()
            .nth(c.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i),
        None => line.len() - line.trim_start().len(),
    };
    let rest = &line[start..];
    // A quoted or bracketed value is marked whole; a bare token up to whitespace.
    let len = match (column, rest.chars().next()) {
        (Some(_), Some('"' | '[' | '{' | '\'')) => rest.trim_end().len(),
        (Some(_), first) => rest
            .find(char::is_whitespace)
            .unwrap_or(rest.len())
            .max(first.map_or(0, char::len_utf8)),
        (None, _) => rest.trim_end().len(),
    };
    start..start + len
}

/// The problems of one run, in the order they were found.
#[derive(Debug, Default, Clone)]
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
            hint: None,
            source_line: None,
            group: None,
        });
    }

    /// Something a writer should know that is not a problem, about the whole site.
    pub fn note(&mut self, message: impl Into<String>) {
        self.push(Severity::Note, Path::new(""), None, message.into());
    }

    /// Puts the problem reported last into `group` (see [`Diagnostics::group_repeats`]).
    pub fn group_last(&mut self, group: impl Into<String>) {
        if let Some(last) = self.items.last_mut() {
            last.group = Some(group.into());
        }
    }

    /// Replaces the problems of each group found in more than `at_most` files by
    /// one: the first, with the count and a few other places. A handful stay one
    /// per file; hundreds of files with the same unknown key make one message.
    pub fn group_repeats(&mut self, at_most: usize) {
        let mut counts: std::collections::HashMap<String, usize> = Default::default();
        for group in self.items.iter().filter_map(|d| d.group.clone()) {
            *counts.entry(group).or_default() += 1;
        }
        let mut others: std::collections::HashMap<String, Vec<String>> = Default::default();
        let mut kept: Vec<Diagnostic> = Vec::with_capacity(self.items.len());
        for d in std::mem::take(&mut self.items) {
            let count = d
                .group
                .as_ref()
                .and_then(|g| counts.get(g).copied())
                .unwrap_or(0);
            let Some(group) = d.group.clone().filter(|_| count > at_most) else {
                kept.push(d);
                continue;
            };
            match others.get_mut(&group) {
                Some(places) => places.push(d.place()),
                None => {
                    others.insert(group, Vec::new());
                    kept.push(d);
                }
            }
        }
        for d in &mut kept {
            let Some(places) = d.group.as_ref().and_then(|g| others.get(g)) else {
                continue;
            };
            let shown: Vec<&str> = places.iter().take(3).map(String::as_str).collect();
            let rest = places.len() - shown.len();
            let more = if rest > 0 {
                format!(" and {rest} more")
            } else {
                String::new()
            };
            d.message = format!(
                "{} in {} files: here, {}{more}",
                d.message,
                places.len() + 1,
                shown.join(", ")
            );
        }
        self.items = kept;
    }

    /// Appends the problems of `other`, in their order.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Adds a hint to the problem reported last.
    pub fn hint(&mut self, hint: impl Into<String>) {
        if let Some(last) = self.items.last_mut() {
            last.hint = Some(hint.into());
        }
    }

    /// Fills in the source line of every problem with a place, reading each file of
    /// `site_dir` once.
    pub fn attach_sources(&mut self, site_dir: &Path) {
        attach_sources(&mut self.items, site_dir);
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

    /// `Err` with every problem when any is an error, else the warnings and notes.
    /// A failed run leaves its notes out: they are about what a build would publish.
    pub fn into_result(self) -> Result<Vec<Diagnostic>, Problems> {
        if self.has_errors() {
            let mut diagnostics = self.items;
            diagnostics.retain(|d| d.severity != Severity::Note);
            Err(Problems { diagnostics })
        } else {
            Ok(self.items)
        }
    }
}

impl Diagnostic {
    /// `path:line`, or the path alone.
    pub fn place(&self) -> String {
        match self.location {
            Some(loc) => format!("{}:{}", self.path.display(), loc.line),
            None => self.path.display().to_string(),
        }
    }
}

/// Fills in the source line of every diagnostic with a location.
pub fn attach_sources(items: &mut [Diagnostic], site_dir: &Path) {
    let mut files: std::collections::BTreeMap<PathBuf, Option<String>> =
        std::collections::BTreeMap::new();
    for d in items.iter_mut().filter(|d| d.source_line.is_none()) {
        let Some(loc) = d.location else { continue };
        let text = files.entry(d.path.clone()).or_insert_with(|| {
            crate::files::read(site_dir, &d.path)
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        });
        d.source_line = text
            .as_deref()
            .and_then(|t| t.lines().nth(loc.line.saturating_sub(1)))
            .map(str::to_string);
    }
}

/// The names in `known` closest to `wrong`, best first, for "did you mean" hints.
pub fn closest<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let wrong = wrong.to_lowercase();
    let mut scored: Vec<(f64, &str)> = known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(&wrong, &k.to_lowercase()), k))
        .filter(|(score, _)| *score > 0.85)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}

/// A hint for an unknown time zone name: the closest IANA names.
pub fn time_zone_hint(wrong: &str) -> String {
    let names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_string())
        .collect();
    let close = closest(wrong, names.iter().map(String::as_str));
    did_you_mean(&close).unwrap_or_else(|| {
        "use an IANA name such as `Europe/Berlin`, `America/New_York` or `UTC`".to_string()
    })
}

/// "did you mean `a`?" / "did you mean `a`, `b` or `c`?"
pub fn did_you_mean(options: &[&str]) -> Option<String> {
    let quoted: Vec<String> = options.iter().map(|o| format!("`{o}`")).collect();
    match quoted.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean {one}?")),
        [init @ .., last] => Some(format!("did you mean {} or {last}?", init.join(", "))),
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
    fn many_files_with_one_unknown_key_make_one_warning() {
        let mut d = Diagnostics::default();
        for n in 1..=6 {
            let path = format!("content/posts/{n}.md");
            d.warning(Path::new(&path), Some(Location::line(3)), "unknown key `x`");
            d.group_last("unknown key `x`");
            if n <= 2 {
                d.warning(Path::new(&path), None, "unknown key `y`");
                d.group_last("unknown key `y`");
            }
        }
        d.error(Path::new("content/posts/7.md"), None, "bad");
        d.group_repeats(3);
        let lines: Vec<String> = d.items().iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "content/posts/1.md:3: warning: unknown key `x` in 6 files: here, content/posts/2.md:3, content/posts/3.md:3, content/posts/4.md:3 and 2 more",
                "content/posts/1.md: warning: unknown key `y`",
                "content/posts/2.md: warning: unknown key `y`",
                "content/posts/7.md: error: bad",
            ]
        );
    }

    #[test]
    fn a_note_about_the_site_has_no_file() {
        let mut d = Diagnostics::default();
        d.note("2 posts wait");
        assert_eq!(d.items()[0].to_string(), "note: 2 posts wait");
        d.error(Path::new("a.md"), None, "bad");
        let problems = d.into_result().expect_err("an error");
        assert_eq!(problems.diagnostics.len(), 1, "a failed run has no notes");
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
