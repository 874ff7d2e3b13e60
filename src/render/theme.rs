//! The templates and static files a build uses, layered: the built-in `hearth` theme
//! (embedded in the binary), then a site theme under `themes/NAME/`, then the site's
//! own `templates/`. A later layer replaces a file of the same name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostics;
use crate::files;

include!(concat!(env!("OUT_DIR"), "/builtin_theme.rs"));

/// Where a theme file comes from; for messages and for copying.
#[derive(Debug, Clone)]
pub enum Origin {
    Builtin(&'static [u8]),
    /// A file on disk, relative to the site folder.
    Site(PathBuf),
}

impl Origin {
    /// How a message names the file.
    pub fn describe(&self, name: &str) -> String {
        match self {
            Origin::Builtin(_) => format!("(built-in theme) templates/{name}"),
            Origin::Site(path) => path.display().to_string(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Theme {
    /// Template name (`post.html`) to its source text and origin.
    pub templates: BTreeMap<String, (String, Origin)>,
    /// Output path (`style.css`) to where the file comes from.
    pub static_files: BTreeMap<String, Origin>,
}

impl Theme {
    /// A theme of these templates only (for tests).
    #[cfg(test)]
    pub fn of_templates(files: &[(&str, &str)]) -> Theme {
        let mut theme = Theme::default();
        for (name, text) in files {
            theme
                .templates
                .insert(name.to_string(), (text.to_string(), Origin::Builtin(b"")));
        }
        theme
    }

    /// Resolves the layers for `theme_name` in `site_dir`.
    pub fn load(site_dir: &Path, theme_name: &str, diags: &mut Diagnostics) -> Theme {
        let mut theme = Theme::default();
        for (path, bytes) in BUILTIN_THEME {
            if let Some(name) = path.strip_prefix("templates/") {
                let text = String::from_utf8_lossy(bytes).into_owned();
                theme
                    .templates
                    .insert(name.to_string(), (text, Origin::Builtin(bytes)));
            } else if let Some(name) = path.strip_prefix("static/") {
                theme
                    .static_files
                    .insert(name.to_string(), Origin::Builtin(bytes));
            }
        }
        let theme_dir = Path::new("themes").join(theme_name);
        match files::resolve(site_dir, &theme_dir) {
            Ok(dir) if dir.is_dir() => {
                theme.add_templates(site_dir, &theme_dir.join("templates"), diags);
                theme.add_static(site_dir, &theme_dir.join("static"), diags);
            }
            Err(e @ (files::Refused::Outside(_) | files::Refused::Broken(_))) => {
                diags.error(&theme_dir, None, e.to_string());
            }
            _ if theme_name == "hearth" => {}
            _ => {
                diags.error(
                Path::new(crate::config::FILE_NAME),
                None,
                format!("theme `{theme_name}` not found: there is no folder `{}` (the built-in theme is `hearth`)", theme_dir.display()),
            );
            }
        }
        theme.add_templates(site_dir, Path::new("templates"), diags);
        theme.add_static(site_dir, Path::new("static"), diags);
        theme
    }

    fn add_templates(&mut self, site_dir: &Path, dir: &Path, diags: &mut Diagnostics) {
        for (name, rel) in files_under(site_dir, dir, diags) {
            match files::read_to_string(site_dir, &rel) {
                Ok(text) => {
                    self.templates.insert(name, (text, Origin::Site(rel)));
                }
                Err(e) => diags.error(&rel, None, format!("cannot read template: {e}")),
            }
        }
    }

    fn add_static(&mut self, site_dir: &Path, dir: &Path, diags: &mut Diagnostics) {
        for (name, rel) in files_under(site_dir, dir, diags) {
            self.static_files.insert(name, Origin::Site(rel));
        }
    }
}

/// Files under `site_dir/dir`: name relative to `dir` (with `/`) and path relative to
/// the site. Hidden files and editor backups are skipped.
fn files_under(site_dir: &Path, dir: &Path, diags: &mut Diagnostics) -> Vec<(String, PathBuf)> {
    let tree = files::walk(site_dir, dir);
    for (path, problem) in &tree.problems {
        diags.error(path, None, problem.to_string());
    }
    tree.files
        .into_iter()
        .filter_map(|rel| {
            let name = rel
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((name, rel))
        })
        .collect()
}
