//! Finding the content files of one section (`content/posts`, ...): single markdown
//! files and bundles (`NAME/index.md` with the files beside it), in a stable order,
//! without following links out of the site.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diag::Diagnostics;

/// One markdown document to load.
#[derive(Debug, Clone)]
pub struct DocFile {
    /// Relative to the site folder.
    pub path: PathBuf,
    /// Name the slug comes from: the file stem, or the bundle folder's name.
    pub stem: String,
    /// For a bundle, its folder (relative to the site) and files (relative to it).
    pub bundle: Option<(PathBuf, Vec<PathBuf>)>,
}

/// Lists the documents under `site_dir/section`, sorted by path. A missing section
/// folder is simply empty.
pub fn documents(site_dir: &Path, section: &str, diags: &mut Diagnostics) -> Vec<DocFile> {
    let root = site_dir.join("content").join(section);
    if !root.is_dir() {
        return Vec::new();
    }
    let site_real = site_dir
        .canonicalize()
        .unwrap_or_else(|_| site_dir.to_path_buf());
    let mut docs = Vec::new();
    let mut walker = WalkDir::new(&root)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map_or_else(|| root.clone(), Path::to_path_buf);
                diags.error(
                    &relative(site_dir, &path),
                    None,
                    format!("cannot read: {e}"),
                );
                continue;
            }
        };
        let path = entry.path();
        let rel = relative(site_dir, path);
        let name = entry.file_name().to_string_lossy();
        if name.starts_with('.') || is_editor_backup(&name) {
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        if entry.path_is_symlink() {
            match path.canonicalize() {
                Err(e) => {
                    diags.error(&rel, None, format!("symbolic link that cannot be followed (a loop, or a missing target): {e}"));
                    continue;
                }
                Ok(target) if !target.starts_with(&site_real) => {
                    diags.error(
                        &rel,
                        None,
                        "symbolic link to a place outside the site folder: not read",
                    );
                    continue;
                }
                // A link inside the site is read like the file it points to.
                Ok(_) => {}
            }
        }
        if entry.file_type().is_dir() {
            if path.join("index.md").is_file() {
                walker.skip_current_dir();
                docs.push(bundle(site_dir, path, &name, diags));
            }
            continue;
        }
        if path.extension().is_some_and(|e| e == "md") {
            // Only regular files are read: a named pipe or a device would block or
            // never end.
            if !path.metadata().is_ok_and(|m| m.is_file()) {
                diags.error(&rel, None, "not a regular file: not read");
                continue;
            }
            let stem = path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            docs.push(DocFile {
                path: rel,
                stem,
                bundle: None,
            });
        } else {
            diags.warning(
                &rel,
                None,
                "not a markdown file and not inside a bundle folder: ignored",
            );
        }
    }
    docs
}

fn bundle(site_dir: &Path, dir: &Path, name: &str, diags: &mut Diagnostics) -> DocFile {
    let mut assets = Vec::new();
    for entry in WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let Ok(rel) = e.path().strip_prefix(dir) else {
                    continue;
                };
                let file_name = e.file_name().to_string_lossy();
                if rel != Path::new("index.md")
                    && !file_name.starts_with('.')
                    && !is_editor_backup(&file_name)
                {
                    assets.push(rel.to_path_buf());
                }
            }
            Ok(_) => {}
            Err(e) => diags.error(&relative(site_dir, dir), None, format!("cannot read: {e}")),
        }
    }
    DocFile {
        path: relative(site_dir, &dir.join("index.md")),
        stem: name.to_string(),
        bundle: Some((relative(site_dir, dir), assets)),
    }
}

/// Files editors leave while saving: `x.md~`, `#x.md#`, `.x.md.swp`, vim's `4913`.
pub fn is_editor_backup(name: &str) -> bool {
    name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
}

pub fn relative(base: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(base)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}
