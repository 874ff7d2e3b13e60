//! `hearth import`: a Jekyll, Hugo or Zola site read (never written) and written anew
//! as a hearth site, with a report of everything that did not convert.
//!
//! The work runs one way:
//!
//! 1. [`detect`] names the generator and reads its configuration.
//! 2. [`source`] lists the old site's files; the generator's module ([`jekyll`],
//!    [`hugo`], [`zola`]) says which are posts, members, events and pages, what URL
//!    each had, and which files are static.
//! 3. [`plan`] gives every document its slug and new URL, so references between
//!    documents can be resolved; [`frontmatter`] maps keys and [`shortcodes`]
//!    converts bodies.
//! 4. [`write`] writes the new site into DEST, which must be new or empty.

pub mod dates;
pub mod detect;
pub mod frontmatter;
mod hugo;
mod jekyll;
mod plan;
mod report;
pub mod shortcodes;
pub mod source;
mod write;
mod zola;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use jiff::civil::Date;

pub use detect::Generator;
pub use report::Report;

pub use crate::model::Kind;

/// The hearth URL of an imported item: hearth's default permalinks (an import
/// writes no `[permalinks]`).
pub fn new_url(kind: Kind, slug: &str) -> String {
    match kind {
        Kind::Page => format!("/{slug}/"),
        kind => format!("/{}/{slug}/", kind.section()),
    }
}

/// What `hearth import` was asked.
#[derive(Debug, Clone)]
pub struct Options {
    pub src: PathBuf,
    pub dest: PathBuf,
    pub from: Option<Generator>,
    /// Folders (relative to SRC) whose documents are of a kind, beside the defaults.
    pub folders: Vec<(PathBuf, Kind)>,
    /// Front-matter keys renamed before anything else (`OLD`, `NEW`).
    pub renames: Vec<(String, String)>,
    /// The date given to drafts and posts that have none.
    pub today: Date,
}

/// One content document of the old site, as its generator's rules see it.
#[derive(Debug, Clone)]
pub struct Found {
    /// Relative to SRC.
    pub rel: PathBuf,
    pub kind: Kind,
    /// In a drafts folder (Jekyll's `_drafts`).
    pub draft_folder: bool,
    /// The name a slug comes from: file stem, or the bundle folder's name, without a
    /// language suffix.
    pub stem: String,
    /// Files beside it that travel with it (a page bundle): folder relative to SRC,
    /// and files relative to that folder.
    pub bundle: Option<(PathBuf, Vec<PathBuf>)>,
}

/// A file the generator's rules passed over, and why.
#[derive(Debug, Clone)]
pub struct Skip {
    pub rel: PathBuf,
    pub kind: Option<Kind>,
    pub why: String,
}

/// What a generator's rules make of the old site's files.
#[derive(Debug, Default)]
pub struct Layout {
    pub documents: Vec<Found>,
    pub skipped: Vec<Skip>,
    pub translations: Vec<PathBuf>,
    /// Static files: source relative to SRC, destination relative to DEST.
    pub statics: Vec<(PathBuf, PathBuf)>,
}

/// Imports `opts.src` into `opts.dest`. Fails when SRC cannot be read, DEST is not
/// empty or lies inside SRC, or no generator is recognised; anything a document
/// lacks is in the report instead.
pub fn import(opts: &Options) -> Result<Report> {
    check_dest(&opts.src, &opts.dest)?;
    let site = source::list(&opts.src)?;
    let old = detect::load(&opts.src, &site.files, opts.from)?;
    let layout = match old.generator {
        Generator::Jekyll => jekyll::layout(&opts.src, &old, &site.files, &opts.folders),
        Generator::Hugo => hugo::layout(&old, &site.files, &opts.folders),
        Generator::Zola => zola::layout(&old, &site.files, &opts.folders),
    };
    let mut report = Report::new(old.generator);
    report.refused = site.refused;
    let planned = plan::plan(opts, &old, layout, &mut report);
    std::fs::create_dir_all(&opts.dest)
        .with_context(|| format!("cannot create `{}`", opts.dest.display()))?;
    write::write(opts, &old, &planned, &mut report)?;
    Ok(report)
}

/// DEST must be missing or an empty folder, and not inside SRC.
fn check_dest(src: &Path, dest: &Path) -> Result<()> {
    let real_src = src
        .canonicalize()
        .with_context(|| format!("cannot read `{}`", src.display()))?;
    if !real_src.is_dir() {
        bail!("`{}` is not a folder", src.display());
    }
    if let Ok(meta) = dest.symlink_metadata() {
        if meta.file_type().is_symlink() || !meta.is_dir() {
            bail!(
                "`{}` is not a folder: hearth import writes into a new or empty folder",
                dest.display()
            );
        }
        let mut entries =
            std::fs::read_dir(dest).with_context(|| format!("cannot read `{}`", dest.display()))?;
        if entries.next().is_some() {
            bail!(
                "`{}` is not empty; hearth import only writes into a new or empty folder",
                dest.display()
            );
        }
    }
    // The nearest existing ancestor tells where DEST will be.
    let existing = dest
        .ancestors()
        .find(|a| a.exists())
        .unwrap_or(Path::new("."));
    let real = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    if real.starts_with(&real_src) {
        bail!(
            "`{}` is inside `{}`: hearth import never writes into the old site",
            dest.display(),
            src.display()
        );
    }
    Ok(())
}

/// The kind of a file by the longest folder prefix that names one.
pub fn kind_of(rel: &Path, folders: &[(PathBuf, Kind)]) -> Option<Kind> {
    folders
        .iter()
        .filter(|(dir, _)| {
            dir.as_os_str().is_empty() || dir == Path::new(".") || rel.starts_with(dir)
        })
        .max_by_key(|(dir, _)| dir.components().count())
        .map(|(_, kind)| *kind)
}

/// Language codes read as a suffix (`x.fr.md`) even when the configuration lists
/// no languages.
const COMMON_LANGUAGES: &[&str] = &[
    "ar", "ca", "cs", "da", "de", "el", "en", "es", "eu", "fa", "fi", "fr", "gl", "he", "hi", "hu",
    "id", "it", "ja", "ko", "nb", "nl", "no", "pl", "pt", "ro", "ru", "sv", "tr", "uk", "vi", "zh",
];

/// `x.fr` → (`x`, `Some("fr")`) when the suffix is a known or configured language.
pub fn language_suffix<'a>(stem: &'a str, configured: &[String]) -> (&'a str, Option<&'a str>) {
    if let Some((base, lang)) = stem.rsplit_once('.') {
        let known = COMMON_LANGUAGES.contains(&lang)
            || is_region_code(lang)
            || configured.iter().any(|c| c == lang);
        if !base.is_empty() && known {
            return (base, Some(lang));
        }
    }
    (stem, None)
}

/// `pt-br`, `zh-hans`: a language with a region or script.
fn is_region_code(lang: &str) -> bool {
    lang.split_once('-').is_some_and(|(l, r)| {
        l.len() == 2 && l.chars().all(|c| c.is_ascii_lowercase()) && (2..=4).contains(&r.len())
    })
}

/// Files with these extensions are markdown documents.
pub fn is_markdown(rel: &Path) -> bool {
    rel.extension()
        .is_some_and(|e| e == "md" || e == "markdown" || e == "mdown")
}

/// The file stem as text.
pub fn stem(rel: &Path) -> String {
    rel.file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_folder_decides_the_kind() {
        let folders = vec![
            (PathBuf::from("content"), Kind::Page),
            (PathBuf::from("content/blog"), Kind::Post),
        ];
        assert_eq!(
            kind_of(Path::new("content/blog/a.md"), &folders),
            Some(Kind::Post)
        );
        assert_eq!(
            kind_of(Path::new("content/about.md"), &folders),
            Some(Kind::Page)
        );
        assert_eq!(kind_of(Path::new("other/x.md"), &folders), None);
    }

    #[test]
    fn language_suffixes_are_recognised() {
        let none: &[String] = &[];
        assert_eq!(language_suffix("index.es", none), ("index", Some("es")));
        assert_eq!(language_suffix("x.pt-br", none), ("x", Some("pt-br")));
        assert_eq!(
            language_suffix("x.tlh", &["tlh".to_string()]),
            ("x", Some("tlh"))
        );
        assert_eq!(language_suffix("Rust.1.44.1", none), ("Rust.1.44.1", None));
        assert_eq!(language_suffix("regex-1.9", none), ("regex-1.9", None));
        assert_eq!(language_suffix("plain", none), ("plain", None));
    }
}
