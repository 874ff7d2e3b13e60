//! The output folder, written safely: everything goes into a fresh folder beside the
//! target, which replaces the target only once the whole build has succeeded. A
//! marker file tells hearth's own output from a folder it must not clear, and every
//! path is checked to stay inside.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use anyhow::{Context as _, Result, bail};

/// Marks a folder as written by `hearth build`; only such a folder is ever replaced.
pub const MARKER: &str = ".hearth-output";
const MARKER_TEXT: &str = "This folder is written by `hearth build` and replaced on every build.\n";

/// What goes into one output file.
#[derive(Debug, Clone, Copy)]
pub enum Content<'a> {
    Bytes(&'a [u8]),
    /// A file to copy as it is.
    File(&'a Path),
}

/// A build in progress: files land in `staging`, beside `target`. Files may be
/// written from many threads at once.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    staging: PathBuf,
    /// The output paths written so far.
    written: Mutex<BTreeSet<String>>,
    /// Folders known to exist inside `staging`.
    folders: Mutex<HashSet<PathBuf>>,
    committed: bool,
}

/// The data behind a lock, even if a thread panicked while holding it: every use
/// here leaves the data whole.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Staging {
    /// Checks that `target` may be replaced and creates an empty staging folder.
    pub fn begin(target: &Path) -> Result<Staging> {
        // Never through a link: `public -> .` committed beside a forged marker would
        // have the site itself cleared as "the previous output".
        if target
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            bail!(
                "output folder `{}` is a symbolic link: hearth does not write through links (remove it, or give the real folder with --out)",
                target.display()
            );
        }
        if target.exists() {
            // The marker counts only as a regular file of a real folder.
            let is_ours = target
                .join(MARKER)
                .symlink_metadata()
                .is_ok_and(|m| m.is_file());
            let is_empty = fs::read_dir(target)
                .with_context(|| format!("cannot read output folder `{}`", target.display()))?
                .next()
                .is_none();
            if !is_ours && !is_empty {
                bail!(
                    "output folder `{}` is not empty and was not made by hearth; refusing to replace it (choose another --out, or empty it yourself)",
                    target.display()
                );
            }
        }
        let name = target
            .file_name()
            .with_context(|| format!("`{}` cannot be an output folder", target.display()))?
            .to_string_lossy();
        let parent = target.parent().unwrap_or(Path::new("."));
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
        remove_abandoned(parent, &name);
        let staging = parent.join(format!(".{name}.hearth-new-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear `{}`", staging.display()))?;
        }
        fs::create_dir(&staging)
            .with_context(|| format!("cannot create `{}`", staging.display()))?;
        Ok(Staging {
            target: target.to_path_buf(),
            staging,
            written: Mutex::default(),
            folders: Mutex::default(),
            committed: false,
        })
    }

    /// Writes `bytes` at `rel` (a `/`-separated path inside the output). Writing a
    /// path again replaces the file.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.put(rel, Content::Bytes(bytes))
    }

    /// Writes one file, creating its folder when needed.
    pub fn put(&self, rel: &str, content: Content<'_>) -> Result<()> {
        let rel_path = inside(rel)?;
        let new_folder = rel_path
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !lock(&self.folders).contains(*d));
        if let Some(dir) = new_folder {
            let folder = self.staging.join(dir);
            fs::create_dir_all(&folder)
                .with_context(|| format!("cannot create `{}`", folder.display()))?;
            lock(&self.folders).insert(dir.to_path_buf());
        }
        let path = self.staging.join(&rel_path);
        match content {
            Content::Bytes(bytes) => fs::write(&path, bytes)
                .with_context(|| format!("cannot write `{}`", path.display()))?,
            Content::File(source) => fs::copy(source, &path)
                .map(drop)
                .with_context(|| format!("cannot copy `{}`", source.display()))?,
        }
        lock(&self.written).insert(rel.to_string());
        Ok(())
    }

    /// Writes many files, in parallel. A later entry for the same path replaces an
    /// earlier one, as with `write`.
    pub fn write_many<'a>(
        &self,
        files: impl IntoIterator<Item = (&'a str, Content<'a>)>,
    ) -> Result<()> {
        use rayon::prelude::*;
        let mut last: std::collections::BTreeMap<&str, Content<'a>> =
            std::collections::BTreeMap::new();
        for (rel, content) in files {
            inside(rel)?;
            last.insert(rel, content);
        }
        last.into_par_iter()
            .try_for_each(|(rel, content)| self.put(rel, content))
    }

    /// How many different files have been written.
    pub fn file_count(&self) -> usize {
        lock(&self.written).len()
    }

    /// Puts the new site in place of the old one.
    pub fn commit(mut self) -> Result<()> {
        fs::write(self.staging.join(MARKER), MARKER_TEXT)
            .context("cannot write the output marker")?;
        let old = self.staging.with_file_name(
            self.staging
                .file_name()
                .map(|n| n.to_string_lossy().replace("hearth-new", "hearth-old"))
                .unwrap_or_default(),
        );
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).with_context(|| {
                format!(
                    "cannot move the previous site `{}` aside",
                    self.target.display()
                )
            })?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.target) {
            if had_old {
                // Put the previous site back; the staging folder is removed on drop.
                let _ = fs::rename(&old, &self.target);
            }
            return Err(e).with_context(|| {
                format!("cannot move the new site into `{}`", self.target.display())
            });
        }
        self.committed = true;
        if had_old {
            remove_tree(&old).with_context(|| {
                format!("cannot remove the previous site at `{}`", old.display())
            })?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Removes a folder and everything in it, with sub-folders removed in parallel (the
/// previous site of a big community has tens of thousands of page folders).
/// Symbolic links are removed, never followed.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let entries = fs::read_dir(dir)?.collect::<std::io::Result<Vec<_>>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            remove_tree(&entry.path())
        } else {
            fs::remove_file(entry.path())
        }
    })?;
    fs::remove_dir(dir)
}

/// Removes staging folders that a killed build of the same output left beside it:
/// `.NAME.hearth-new-PID` and `.NAME.hearth-old-PID` whose process is gone. Where
/// processes cannot be looked up (no `/proc`), nothing is removed.
fn remove_abandoned(parent: &Path, name: &str) {
    let proc = Path::new("/proc");
    if !proc.is_dir() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&format!(".{name}.hearth-")) else {
            continue;
        };
        let Some(pid) = rest
            .strip_prefix("new-")
            .or_else(|| rest.strip_prefix("old-"))
        else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !proc.join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// `rel` as a relative path of plain names only: no root, no `..`, no `.`, no
/// backslash, no empty part.
fn inside(rel: &str) -> Result<PathBuf> {
    let path = Path::new(rel);
    let plain = !rel.is_empty()
        && !rel.contains('\\')
        && rel.split('/').all(|part| !part.is_empty())
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if !plain {
        bail!("refusing to write `{rel}`: it is not a plain path inside the output folder");
    }
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_accepted() {
        assert!(inside("posts/a/index.html").is_ok());
        for bad in [
            "../x",
            "/etc/passwd",
            "a/../../b",
            "a//b",
            "",
            "a\\..\\b",
            "./a",
        ] {
            assert!(inside(bad).is_err(), "{bad} accepted");
        }
    }
}
