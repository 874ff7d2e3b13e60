//! Jekyll's rules: `_posts` and `_drafts`, collections (`_people`, `_events`, ...),
//! pages with front matter anywhere else, static files that have no front matter,
//! and the permalink styles and placeholders that made each old URL.

use std::path::{Component, Path, PathBuf};

use toml::{Table, Value};

use super::detect::OldSite;
use super::frontmatter::{Lists, as_text, list};
use super::plan::{UrlVars, expand};
use super::{Found, Kind, Layout, Skip, is_markdown, kind_of, stem};

/// Collections whose documents are people, and events.
const MEMBER_COLLECTIONS: &[&str] = &[
    "members",
    "people",
    "speakers",
    "authors",
    "team",
    "organizers",
    "organisers",
];
const EVENT_COLLECTIONS: &[&str] = &["events", "sessions", "meetups"];
/// Folders of templates and data, never imported.
const TEMPLATE_DIRS: &[&str] = &[
    "_layouts",
    "_includes",
    "_sass",
    "_data",
    "_plugins",
    "_site",
];
/// Files copied as they are when they have no front matter.
pub const STATIC_EXTENSIONS: &[&str] = &[
    "png",
    "jpg",
    "jpeg",
    "gif",
    "svg",
    "webp",
    "avif",
    "ico",
    "bmp",
    "pdf",
    "css",
    "js",
    "woff",
    "woff2",
    "ttf",
    "otf",
    "eot",
    "mp3",
    "mp4",
    "webm",
    "ogg",
    "ogv",
    "wav",
    "zip",
    "odp",
    "odt",
    "ods",
    "pptx",
    "docx",
    "xlsx",
    "txt",
    "csv",
    "ics",
    "webmanifest",
];

/// Says what each file of a Jekyll site is.
pub fn layout(src: &Path, old: &OldSite, files: &[PathBuf], folders: &[(PathBuf, Kind)]) -> Layout {
    let mut out = Layout::default();
    let excluded = list_of(&old.config, "exclude");
    for rel in files {
        if excluded
            .iter()
            .any(|x| rel.starts_with(x.trim_end_matches('/')))
        {
            continue;
        }
        if is_markdown(rel) {
            document(src, old, rel, folders, &mut out);
        } else if !rel.components().any(|c| name(c).starts_with('_')) {
            static_file(src, rel, &mut out);
        }
    }
    out
}

fn document(src: &Path, old: &OldSite, rel: &Path, folders: &[(PathBuf, Kind)], out: &mut Layout) {
    let in_dir = |d: &str| rel.components().any(|c| name(c) == d);
    let first = first_name(rel);
    let draft_folder = in_dir("_drafts");
    let kind = if let Some(kind) = kind_of(rel, folders) {
        kind
    } else if in_dir("_posts") || draft_folder {
        Kind::Post
    } else if let Some(collection) = first.strip_prefix('_') {
        if TEMPLATE_DIRS.contains(&first.as_str()) || rel.components().count() == 1 {
            return;
        }
        match collection_kind(old, collection) {
            Ok(kind) => kind,
            Err(why) => {
                out.skipped.push(Skip {
                    rel: rel.to_path_buf(),
                    kind: None,
                    why,
                });
                return;
            }
        }
    } else {
        if !has_front_matter(src, rel) {
            out.skipped.push(Skip {
                rel: rel.to_path_buf(),
                kind: Some(Kind::Page),
                why: "no front matter: Jekyll copied it as it is; not imported".into(),
            });
            return;
        }
        Kind::Page
    };
    out.documents.push(Found {
        rel: rel.to_path_buf(),
        kind,
        draft_folder,
        stem: stem(rel),
        bundle: None,
    });
}

/// The kind of a collection's documents, or why they are not imported.
fn collection_kind(old: &OldSite, name: &str) -> Result<Kind, String> {
    let kind = if MEMBER_COLLECTIONS.contains(&name) {
        Kind::Member
    } else if EVENT_COLLECTIONS.contains(&name) {
        Kind::Event
    } else {
        Kind::Page
    };
    let Some(settings) = collection(old, name) else {
        return Err(format!(
            "`_{name}` is not a collection in _config.yml: not imported (use --pages _{name} to import it)"
        ));
    };
    let output = settings
        .get("output")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if kind == Kind::Page && !output {
        return Err(format!(
            "collection `{name}` had no pages of its own (output: false): not imported"
        ));
    }
    Ok(kind)
}

/// A collection's settings: `collections: {NAME: {...}}` or `collections: [NAME]`.
fn collection(old: &OldSite, name: &str) -> Option<Table> {
    match old.config.get("collections")? {
        Value::Table(t) => Some(t.get(name)?.as_table().cloned().unwrap_or_default()),
        Value::Array(a) => a.iter().any(|v| v.as_str() == Some(name)).then(Table::new),
        _ => None,
    }
}

fn static_file(src: &Path, rel: &Path, out: &mut Layout) {
    let ext = rel
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let is_page = matches!(ext.as_str(), "html" | "htm") && has_front_matter(src, rel);
    if is_page {
        out.skipped.push(Skip {
            rel: rel.to_path_buf(),
            kind: Some(Kind::Page),
            why: "an HTML page drawn by a Jekyll layout: not imported (hearth's theme draws lists and the home page)".into(),
        });
        return;
    }
    if STATIC_EXTENSIONS.contains(&ext.as_str()) && !has_front_matter(src, rel) {
        out.statics
            .push((rel.to_path_buf(), Path::new("static").join(rel)));
    }
}

fn has_front_matter(src: &Path, rel: &Path) -> bool {
    crate::files::read(src, rel).is_ok_and(|b| {
        let b = b.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&b);
        b.starts_with(b"---")
    })
}

fn first_name(rel: &Path) -> String {
    rel.components().next().map(name).unwrap_or_default()
}

fn name(c: Component<'_>) -> String {
    c.as_os_str().to_string_lossy().into_owned()
}

fn list_of(config: &Table, key: &str) -> Vec<String> {
    config
        .get(key)
        .map(|v| list(v, Lists::Single))
        .unwrap_or_default()
}

/// The URLs a document had: `permalink` (its own, its collection's or the site's
/// style) and `redirect_from`.
pub fn old_urls(old: &OldSite, found: &Found, front: &Table, vars: &UrlVars) -> Vec<String> {
    let mut urls = Vec::new();
    let own = front.get("permalink").and_then(as_text);
    let first = first_name(&found.rel);
    let pattern = if found.draft_folder {
        None
    } else if let Some(own) = own {
        Some(own)
    } else if found.rel.components().any(|c| name(c) == "_posts") {
        Some(post_pattern(old))
    } else if let Some(coll) = first.strip_prefix('_') {
        collection(old, coll)
            .filter(|s| s.get("output").and_then(Value::as_bool) == Some(true))
            .map(|s| {
                s.get("permalink").and_then(as_text).map_or_else(
                    || "/:collection/:path:output_ext".to_string(),
                    |p| style(&p),
                )
            })
    } else {
        Some(page_url(&found.rel))
    };
    let mut vars = vars.clone();
    vars.collection = first.trim_start_matches('_').to_string();
    vars.path = collection_path(&found.rel);
    vars.categories = categories(front, &found.rel);
    if let Some(pattern) = pattern {
        urls.push(expand(&pattern, &vars));
    }
    if let Some(v) = front.get("redirect_from") {
        urls.extend(list(v, Lists::Single));
    }
    urls
}

/// The site's `permalink` for posts, styles spelled out (default `date`).
fn post_pattern(old: &OldSite) -> String {
    let p = old
        .config
        .get("permalink")
        .and_then(as_text)
        .unwrap_or_else(|| "date".into());
    style(&p)
}

fn style(p: &str) -> String {
    match p {
        "date" => "/:categories/:year/:month/:day/:title:output_ext".into(),
        "pretty" => "/:categories/:year/:month/:day/:title/".into(),
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext".into(),
        "none" => "/:categories/:title:output_ext".into(),
        other => other.into(),
    }
}

/// A page's URL from its place: `about.md` → `/about.html`, `x/index.md` → `/x/`.
fn page_url(rel: &Path) -> String {
    let dir = rel
        .parent()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let dir = if dir.is_empty() {
        String::new()
    } else {
        format!("/{dir}")
    };
    match stem(rel).as_str() {
        "index" => format!("{dir}/"),
        s => format!("{dir}/{s}.html"),
    }
}

/// `:path` of a collection document: its path in the collection, without extension.
fn collection_path(rel: &Path) -> String {
    let inner: PathBuf = rel.components().skip(1).collect();
    inner
        .with_extension("")
        .to_string_lossy()
        .replace('\\', "/")
}

/// Folder categories (`news/_posts/x.md`) and front-matter `categories`/`category`,
/// lower case, joined by `/`.
fn categories(front: &Table, rel: &Path) -> String {
    let mut cats: Vec<String> = rel
        .components()
        .map(name)
        .take_while(|c| c != "_posts" && c != "_drafts")
        .filter(|c| !c.starts_with('_'))
        .collect();
    if cats.len() == rel.components().count() {
        cats.clear();
    }
    for key in ["categories", "category"] {
        if let Some(v) = front.get(key) {
            cats.extend(list(v, Lists::SpaceSeparated));
        }
    }
    let mut seen = Vec::new();
    for c in cats.into_iter().map(|c| c.to_lowercase()) {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    seen.join("/")
}
