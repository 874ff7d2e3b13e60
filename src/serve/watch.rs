//! Which file changes matter while serving, and what they call for. `classify` is a
//! pure function of the path, so it is tested without touching a file system.

use std::path::{Component, Path};

/// What a changed file is, as far as a rebuild is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Not part of the site: output, local state, editor droppings, version control.
    Ignored,
    /// A stylesheet under `static/` or a theme's `static/`: the page can swap it.
    Stylesheet,
    /// Any other static file.
    Static,
    /// Markdown under `content/`, a bundle's file, a data file, subscribers, the
    /// issue record.
    Content,
    /// A template of the site or of its theme.
    Template,
    /// `hearth.toml`.
    Config,
}

/// Classifies `path` (absolute, or relative to `site_dir`).
pub fn classify(site_dir: &Path, path: &Path) -> Change {
    let rel = path.strip_prefix(site_dir).unwrap_or(path);
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => p.to_str(),
            _ => None,
        })
        .collect();
    let Some(name) = parts.last() else {
        return Change::Ignored;
    };
    if is_editor_file(name) || parts.iter().any(|p| p.starts_with('.')) {
        return Change::Ignored;
    }
    let stylesheet = || {
        if name.ends_with(".css") {
            Change::Stylesheet
        } else {
            Change::Static
        }
    };
    match parts.as_slice() {
        ["hearth.toml"] => Change::Config,
        ["content", ..] | ["data", ..] => Change::Content,
        ["templates", ..] | ["themes", _, "templates", ..] => Change::Template,
        ["static", ..] | ["themes", _, "static", ..] => stylesheet(),
        ["newsletter", "issues.toml"] => Change::Content,
        [csv] if csv.ends_with(".csv") => Change::Content,
        _ => Change::Ignored,
    }
}

/// Files editors write while saving, which never hold the saved content.
fn is_editor_file(name: &str) -> bool {
    crate::files::is_editor_backup(name)
        || name.starts_with(".#")
        || name.ends_with(".swp")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name.ends_with('~')
}

/// What a batch of changes calls for: nothing, a stylesheet swap, or a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Nothing,
    SwapStylesheets,
    Rebuild,
}

pub fn action(changes: impl IntoIterator<Item = Change>) -> Action {
    let mut most = Change::Ignored;
    for c in changes {
        most = most.max(c);
    }
    match most {
        Change::Ignored => Action::Nothing,
        Change::Stylesheet => Action::SwapStylesheets,
        _ => Action::Rebuild,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(path: &str) -> Change {
        classify(Path::new("/site"), Path::new(path))
    }

    #[test]
    fn site_files_are_classified_by_where_they_live() {
        assert_eq!(c("/site/hearth.toml"), Change::Config);
        assert_eq!(c("/site/content/posts/a.md"), Change::Content);
        assert_eq!(c("/site/content/members/ada/avatar.png"), Change::Content);
        assert_eq!(c("/site/templates/post.html"), Change::Template);
        assert_eq!(
            c("/site/themes/plain/templates/base.html"),
            Change::Template
        );
        assert_eq!(c("/site/static/style.css"), Change::Stylesheet);
        assert_eq!(c("/site/themes/plain/static/app.css"), Change::Stylesheet);
        assert_eq!(c("/site/static/images/logo.svg"), Change::Static);
        assert_eq!(c("/site/subscribers.csv"), Change::Content);
        assert_eq!(c("/site/newsletter/issues.toml"), Change::Content);
        assert_eq!(c("/site/data/sponsors.toml"), Change::Content);
        assert_eq!(
            c("content/pages/about.md"),
            Change::Content,
            "relative paths too"
        );
    }

    #[test]
    fn output_state_and_editor_files_are_ignored() {
        for path in [
            "/site/public/index.html",
            "/site/.hearth/newsletter/issue-1.log",
            "/site/.git/index",
            "/site/content/posts/.a.md.swp",
            "/site/content/posts/a.md~",
            "/site/content/posts/.#a.md",
            "/site/content/posts/#a.md#",
            "/site/content/posts/4913",
            "/site/README.md",
            "/site/newsletter/suppressed.txt",
        ] {
            assert_eq!(c(path), Change::Ignored, "{path}");
        }
    }

    #[test]
    fn only_stylesheets_changed_means_a_swap_anything_else_a_rebuild() {
        assert_eq!(action([Change::Ignored]), Action::Nothing);
        assert_eq!(
            action([Change::Stylesheet, Change::Ignored]),
            Action::SwapStylesheets
        );
        assert_eq!(
            action([Change::Stylesheet, Change::Content]),
            Action::Rebuild
        );
        assert_eq!(action(Vec::new()), Action::Nothing);
    }
}
