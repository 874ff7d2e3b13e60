//! Hugo's rules: sections under `contentDir`, leaf bundles (`x/index.md` with files
//! beside it), section lists (`_index.md`), translations (`x.fr.md`), `static/`, and
//! the `[permalinks]`, `url`, `slug` and `aliases` that made each old URL. Zola's
//! content folder has the same shape and shares [`content_layout`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::detect::OldSite;
use super::frontmatter::{Lists, as_text, list};
use super::plan::{UrlVars, expand};
use super::{Found, Kind, Layout, Skip, is_markdown, kind_of, language_suffix, stem};

/// Default kinds of the first section under the content folder.
pub struct Sections<'a> {
    pub posts: &'a [&'a str],
    pub members: &'a [&'a str],
    pub events: &'a [&'a str],
}

const HUGO_SECTIONS: Sections<'static> = Sections {
    posts: &["posts", "post", "blog", "news", "articles"],
    members: &["authors", "members", "people", "speakers", "team"],
    events: &["events", "meetups"],
};

pub fn content_dir(old: &OldSite) -> PathBuf {
    old.config
        .get("contentDir")
        .and_then(as_text)
        .map_or_else(|| PathBuf::from("content"), PathBuf::from)
}

pub fn layout(old: &OldSite, files: &[PathBuf], folders: &[(PathBuf, Kind)]) -> Layout {
    content_layout(old, &content_dir(old), files, folders, &HUGO_SECTIONS)
}

/// Documents, bundles, translations and static files of a content folder.
pub fn content_layout(
    old: &OldSite,
    content: &Path,
    files: &[PathBuf],
    folders: &[(PathBuf, Kind)],
    sections: &Sections<'_>,
) -> Layout {
    let mut out = Layout::default();
    let bundles: BTreeSet<&Path> = files
        .iter()
        .filter(|f| f.starts_with(content) && is_markdown(f) && bundle_index(f, &old.languages))
        .filter_map(|f| f.parent())
        .collect();
    let in_bundle = |f: &Path| f.ancestors().skip(1).any(|a| bundles.contains(a));
    for rel in files {
        if rel.starts_with("static") {
            let inner = rel.strip_prefix("static").unwrap_or(rel);
            out.statics
                .push((rel.clone(), Path::new("static").join(inner)));
            continue;
        }
        let Ok(inner) = rel.strip_prefix(content) else {
            continue;
        };
        if !is_markdown(rel) {
            if !in_bundle(rel) {
                out.statics
                    .push((rel.clone(), Path::new("static").join(inner)));
            }
            continue;
        }
        let (base, lang) = language_suffix_of(rel, &old.languages);
        if lang.is_some_and(|l| l != old.language) {
            out.translations.push(rel.clone());
            continue;
        }
        let kind = kind_of(rel, folders).unwrap_or_else(|| default_kind(inner, sections));
        if in_bundle(rel) && base != "index" {
            out.skipped.push(Skip {
                rel: rel.clone(),
                kind: Some(kind),
                why: "a markdown file inside another page's bundle: not imported".into(),
            });
            continue;
        }
        if base == "_index" {
            section_index(rel, inner, kind, &mut out);
            continue;
        }
        let bundle = (base == "index" && rel.parent().is_some_and(|p| p != content)).then(|| {
            let dir = rel.parent().unwrap_or(rel).to_path_buf();
            let assets = files
                .iter()
                .filter(|f| f.starts_with(&dir) && !is_markdown(f))
                .filter_map(|f| f.strip_prefix(&dir).ok().map(Path::to_path_buf))
                .collect::<Vec<_>>();
            (dir, assets)
        });
        let stem = match &bundle {
            Some((dir, _)) => dir
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            None => base.to_string(),
        };
        out.documents.push(Found {
            rel: rel.clone(),
            kind,
            draft_folder: false,
            stem,
            bundle,
        });
    }
    out
}

fn language_suffix_of(rel: &Path, languages: &[String]) -> (String, Option<String>) {
    let s = stem(rel);
    let (base, lang) = language_suffix(&s, languages);
    (base.to_string(), lang.map(str::to_string))
}

fn bundle_index(rel: &Path, languages: &[String]) -> bool {
    language_suffix_of(rel, languages).0 == "index"
}

fn default_kind(inner: &Path, sections: &Sections<'_>) -> Kind {
    let mut parts = inner.components();
    let first = parts
        .next()
        .map(|c| c.as_os_str().to_string_lossy().to_lowercase());
    if parts.next().is_none() {
        return Kind::Page;
    }
    match first.as_deref() {
        Some(s) if sections.posts.contains(&s) => Kind::Post,
        Some(s) if sections.members.contains(&s) => Kind::Member,
        Some(s) if sections.events.contains(&s) => Kind::Event,
        _ => Kind::Page,
    }
}

/// A section's `_index.md`: a document of its own in a section of pages and below
/// the first level (`events/2020/kcc/_index.md`); the list of a top section of posts,
/// members or events (which hearth draws itself) is passed over.
fn section_index(rel: &Path, inner: &Path, kind: Kind, out: &mut Layout) {
    let dir = inner.parent().filter(|p| !p.as_os_str().is_empty());
    let nested = dir.is_some_and(|d| d.components().count() > 1);
    match (dir, kind) {
        (Some(dir), _) if kind == Kind::Page || nested => out.documents.push(Found {
            rel: rel.to_path_buf(),
            kind,
            draft_folder: false,
            stem: dir
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            bundle: None,
        }),
        (None, _) => out.skipped.push(Skip {
            rel: rel.to_path_buf(),
            kind: None,
            why: "the home page's text: hearth's theme draws the home page; not imported".into(),
        }),
        (Some(_), kind) => out.skipped.push(Skip {
            rel: rel.to_path_buf(),
            kind: Some(kind),
            why: format!(
                "the list page of a section of {}: hearth draws its own",
                kind.section()
            ),
        }),
    }
}

/// The URLs a Hugo document had: `url`, else `[permalinks]` of its section, else its
/// place; then `aliases`. Lower case unless `disablePathToLower`.
pub fn old_urls(old: &OldSite, found: &Found, front: &Table, vars: &UrlVars) -> Vec<String> {
    let content = content_dir(old);
    let inner = found.rel.strip_prefix(&content).unwrap_or(&found.rel);
    let place = place_of(inner, found);
    let section = place
        .split('/')
        .find(|s| !s.is_empty())
        .unwrap_or("")
        .to_string();
    let is_list = stem(&found.rel).starts_with("_index");
    let mut vars = vars.clone();
    vars.section = section.clone();
    vars.sections = place.trim_matches('/').to_string();
    let url = if let Some(url) = front.get("url").and_then(as_text) {
        url
    } else if let Some(pattern) = permalink(old, &section).filter(|_| !is_list) {
        // Hugo's `:title` is the title made URL-safe, not the file name.
        expand(&pattern.replace(":title", &vars.title_slug), &vars)
    } else if is_list {
        format!("{place}/")
    } else {
        let name = front
            .get("slug")
            .and_then(as_text)
            .unwrap_or_else(|| found.stem.clone());
        format!("{place}/{name}/")
    };
    let lower = old
        .config
        .get("disablePathToLower")
        .and_then(Value::as_bool)
        != Some(true);
    let url = if lower { url.to_lowercase() } else { url };
    let mut urls = vec![url];
    if let Some(a) = front.get("aliases") {
        urls.extend(list(a, Lists::Single));
    }
    urls
}

/// The folder path of a document's URL: `/blog/2021` for `blog/2021/x.md` and for
/// the bundle `blog/2021/x/index.md`, `/blog/2021/x` for its `_index.md`.
fn place_of(inner: &Path, found: &Found) -> String {
    let dir = inner.parent().unwrap_or(Path::new(""));
    let dir = if found.bundle.is_some() {
        dir.parent().unwrap_or(Path::new(""))
    } else {
        dir
    };
    let text = dir.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        String::new()
    } else {
        format!("/{text}")
    }
}

/// `[permalinks] SECTION = "..."`, or `[permalinks.page] SECTION = "..."`.
fn permalink(old: &OldSite, section: &str) -> Option<String> {
    let p = old.config.get("permalinks")?;
    p.get(section)
        .and_then(as_text)
        .or_else(|| p.get("page").and_then(|t| t.get(section)).and_then(as_text))
}
