//! Zola's rules: the content folder as Hugo's (bundles, `_index.md`, translations),
//! `static/`, and the `path`, `slug` and `aliases` that made each old URL.

use std::path::{Path, PathBuf};

use toml::Table;

use super::detect::OldSite;
use super::frontmatter::{Lists, as_text, list};
use super::hugo::{Sections, content_layout};
use super::plan::UrlVars;
use super::{Found, Kind, Layout, stem};

const ZOLA_SECTIONS: Sections<'static> = Sections {
    posts: &["blog", "posts", "news"],
    members: &["authors", "members", "people"],
    events: &["events"],
};

pub fn layout(old: &OldSite, files: &[PathBuf], folders: &[(PathBuf, Kind)]) -> Layout {
    content_layout(old, Path::new("content"), files, folders, &ZOLA_SECTIONS)
}

/// The URLs a Zola document had: `path`, else its section and slug; then `aliases`.
pub fn old_urls(found: &Found, front: &Table, vars: &UrlVars) -> Vec<String> {
    let inner = found.rel.strip_prefix("content").unwrap_or(&found.rel);
    let mut dir = inner.parent().unwrap_or(Path::new("")).to_path_buf();
    if found.bundle.is_some() {
        dir = dir.parent().unwrap_or(Path::new("")).to_path_buf();
    }
    let dir = dir.to_string_lossy().replace('\\', "/");
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("/{dir}")
    };
    let url = if let Some(path) = front.get("path").and_then(as_text) {
        let path = path.trim_matches('/');
        if path.ends_with(".html") || path.ends_with(".xml") {
            format!("/{path}")
        } else {
            format!("/{path}/")
        }
    } else if stem(&found.rel).starts_with("_index") {
        format!("{prefix}/")
    } else {
        let slug = front
            .get("slug")
            .and_then(as_text)
            .unwrap_or_else(|| vars.slug.clone());
        format!("{prefix}/{slug}/")
    };
    let mut urls = vec![url];
    if let Some(a) = front.get("aliases") {
        urls.extend(list(a, Lists::Single));
    }
    urls
}
