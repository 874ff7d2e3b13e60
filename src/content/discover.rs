//! Finding the content files of one section (`content/posts`, ...): single markdown
//! files and bundles (`NAME/index.md` with the files beside it), in a stable order.
//! The walk itself, and the rule that nothing outside the site is read, are
//! [`crate::files`]'s.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::diag::Diagnostics;
use crate::files;

/// One markdown document to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocFile {
    /// Relative to the site folder.
    pub path: PathBuf,
    /// Name the slug comes from: the file stem, or the bundle folder's name.
    pub stem: String,
    /// For a bundle, its folder (relative to the site) and files (relative to it).
    pub bundle: Option<(PathBuf, Vec<PathBuf>)>,
}

/// Lists the documents under `site_dir/content/section`, in path order. A missing
/// section folder is simply empty.
pub fn documents(site_dir: &Path, section: &str, diags: &mut Diagnostics) -> Vec<DocFile> {
    let section_dir = Path::new("content").join(section);
    let tree = files::walk(site_dir, &section_dir);
    for (path, problem) in &tree.problems {
        diags.error(path, None, problem.to_string());
    }
    // A folder holding an `index.md` is a bundle; the outermost one takes in
    // everything below it.
    let bundles: BTreeSet<&Path> = tree
        .files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "index.md"))
        .filter_map(|f| f.parent())
        .filter(|dir| *dir != section_dir)
        .collect();
    let mut docs: Vec<DocFile> = Vec::new();
    for file in &tree.files {
        let bundle = file
            .ancestors()
            .skip(1)
            .take_while(|dir| *dir != section_dir)
            .filter(|dir| bundles.contains(dir))
            .last();
        if let Some(dir) = bundle {
            let asset = file.strip_prefix(dir).unwrap_or(file).to_path_buf();
            let open = docs
                .last_mut()
                .and_then(|d| d.bundle.as_mut())
                .filter(|(folder, _)| folder == dir);
            let assets = match open {
                Some((_, assets)) => assets,
                None => {
                    docs.push(new_bundle(dir));
                    let Some((_, assets)) = docs.last_mut().and_then(|d| d.bundle.as_mut()) else {
                        continue;
                    };
                    assets
                }
            };
            if asset != Path::new("index.md") {
                assets.push(asset);
            }
        } else if file.extension().is_some_and(|e| e == "md") {
            let stem = file
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            docs.push(DocFile {
                path: file.clone(),
                stem,
                bundle: None,
            });
        } else {
            diags.warning(
                file,
                None,
                "not a markdown file and not inside a bundle folder: ignored",
            );
        }
    }
    docs
}

fn new_bundle(dir: &Path) -> DocFile {
    DocFile {
        path: dir.join("index.md"),
        stem: dir
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        bundle: Some((dir.to_path_buf(), Vec::new())),
    }
}
