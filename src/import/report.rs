//! What `hearth import` did and could not do, for the person moving their site:
//! counts per kind, every file and line left unconverted, what was passed over.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::{Generator, Kind};

/// Documents of one kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub imported: usize,
    /// Of the imported, how many are drafts.
    pub drafts: usize,
    pub skipped: usize,
}

/// Something that did not convert, at a file (relative to SRC) and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// The outcome of an import.
#[derive(Debug)]
pub struct Report {
    pub generator: Generator,
    pub counts: BTreeMap<Kind, Counts>,
    pub notes: Vec<Note>,
    /// Files passed over, and why.
    pub skipped: Vec<(PathBuf, String)>,
    pub translations: Vec<PathBuf>,
    /// Members made for authors or organizers without a profile: slug and name.
    pub stubs: Vec<(String, String)>,
    /// Files not read because a link leads out of SRC (or similar), and why.
    pub refused: Vec<(PathBuf, String)>,
    pub static_files: usize,
}

impl Report {
    pub fn new(generator: Generator) -> Report {
        Report {
            generator,
            counts: BTreeMap::new(),
            notes: Vec::new(),
            skipped: Vec::new(),
            translations: Vec::new(),
            stubs: Vec::new(),
            refused: Vec::new(),
            static_files: 0,
        }
    }

    pub fn imported(&mut self, kind: Kind, draft: bool) {
        let c = self.counts.entry(kind).or_default();
        c.imported += 1;
        c.drafts += usize::from(draft);
    }

    pub fn skip(&mut self, kind: Option<Kind>, path: &Path, why: &str) {
        if let Some(kind) = kind {
            self.counts.entry(kind).or_default().skipped += 1;
        }
        self.skipped.push((path.to_path_buf(), why.to_string()));
    }

    pub fn note(&mut self, path: &Path, line: Option<usize>, message: String) {
        self.notes.push(Note {
            path: path.to_path_buf(),
            line,
            message,
        });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Imported a {} site:", self.generator)?;
        for kind in [Kind::Post, Kind::Member, Kind::Event, Kind::Page] {
            let c = self.counts.get(&kind).copied().unwrap_or_default();
            writeln!(
                f,
                "  {:<8} {} imported ({} drafts), {} skipped",
                kind.section(),
                c.imported,
                c.drafts,
                c.skipped
            )?;
        }
        writeln!(f, "  static   {} files copied", self.static_files)?;
        if !self.stubs.is_empty() {
            writeln!(
                f,
                "Member profiles made for authors and organizers without one ({}):",
                self.stubs.len()
            )?;
            for (slug, name) in &self.stubs {
                writeln!(f, "  content/members/{slug}.md  ({name})")?;
            }
        }
        section(
            f,
            "Not converted (left as written; please check):",
            self.notes.iter().map(ToString::to_string),
        )?;
        section(
            f,
            "Not imported:",
            self.skipped
                .iter()
                .map(|(p, why)| format!("{}: {why}", p.display())),
        )?;
        section(
            f,
            "Translations not imported (hearth keeps one language):",
            self.translations.iter().map(|p| p.display().to_string()),
        )?;
        section(
            f,
            "Refused (not read):",
            self.refused
                .iter()
                .map(|(p, why)| format!("{}: {why}", p.display())),
        )
    }
}

fn section(
    f: &mut fmt::Formatter<'_>,
    title: &str,
    lines: impl Iterator<Item = String>,
) -> fmt::Result {
    let lines: Vec<String> = lines.collect();
    if lines.is_empty() {
        return Ok(());
    }
    writeln!(f, "{title} ({})", lines.len())?;
    for line in lines {
        writeln!(f, "  {line}")?;
    }
    Ok(())
}
