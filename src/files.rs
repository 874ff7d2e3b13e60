//! The one place where hearth touches a site's files, and the rule it keeps there.
//!
//! A site comes from pull requests, so its files may be hostile. The rule:
//!
//! - **Reading** happens only inside a root folder (the site). A path is taken apart
//!   one name at a time; a symbolic link on the way is followed only when it leads to
//!   a place inside the root, otherwise the read is refused naming the link. Only
//!   regular files are read: a named pipe or a device would block or never end.
//! - **Writing** happens only below a folder the caller trusts (the site, its
//!   `.hearth/`, a staging folder), and never through a symbolic link at any depth:
//!   every folder on the way must be a real folder (missing ones are created), and the
//!   file itself is opened with `O_NOFOLLOW`, so a link committed where hearth writes
//!   its state (`.hearth/newsletter -> ~/.ssh`) is an error, not a write elsewhere.
//!
//! Paths given here are relative and plain (no `..`, no root): anything else is
//! refused before the disk is touched.

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use walkdir::WalkDir;

/// Why a file of the site cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("not found")]
    Missing,
    #[error("`{}` is a symbolic link to a place outside the site folder: not read", .0.display())]
    Outside(PathBuf),
    #[error("`{}` is a symbolic link that cannot be followed (a loop, or a missing target)", .0.display())]
    Broken(PathBuf),
    #[error("not a regular file: not read")]
    NotAFile,
    #[error("`{}` is not a plain path inside the site (no `..`, no absolute path)", .0.display())]
    NotPlain(PathBuf),
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// `rel` is relative and made of plain names only.
pub fn is_plain(rel: &Path) -> bool {
    !rel.as_os_str().is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Where `rel` (relative to `root`) really is, when every symbolic link on the way
/// stays inside `root`. The file need not be regular; it must exist.
pub fn resolve(root: &Path, rel: &Path) -> Result<PathBuf, Refused> {
    if !is_plain(rel) {
        return Err(Refused::NotPlain(rel.to_path_buf()));
    }
    // The root's real path is needed only when a link is met.
    let mut real_root: Option<PathBuf> = None;
    let mut here = root.to_path_buf();
    let mut shown = PathBuf::new();
    for name in rel.components() {
        here.push(name);
        shown.push(name);
        let meta = match here.symlink_metadata() {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Refused::Missing),
            Err(e) => return Err(e.into()),
        };
        if !meta.file_type().is_symlink() {
            continue;
        }
        let target = here
            .canonicalize()
            .map_err(|_| Refused::Broken(shown.clone()))?;
        let real_root = match &real_root {
            Some(r) => r,
            None => real_root.insert(root.canonicalize()?),
        };
        if !target.starts_with(real_root.as_path()) {
            return Err(Refused::Outside(shown));
        }
        here = target;
    }
    Ok(here)
}

/// A regular file of the site, for reading or copying.
pub fn regular_file(root: &Path, rel: &Path) -> Result<PathBuf, Refused> {
    let path = resolve(root, rel)?;
    if !path.metadata()?.is_file() {
        return Err(Refused::NotAFile);
    }
    Ok(path)
}

/// The bytes of a regular file of the site.
pub fn read(root: &Path, rel: &Path) -> Result<Vec<u8>, Refused> {
    Ok(std::fs::read(regular_file(root, rel)?)?)
}

/// A regular file of the site, opened for reading in pieces.
pub fn open_to_read(root: &Path, rel: &Path) -> Result<std::fs::File, Refused> {
    Ok(std::fs::File::open(regular_file(root, rel)?)?)
}

/// The text of a regular file of the site (UTF-8).
pub fn read_to_string(root: &Path, rel: &Path) -> Result<String, Refused> {
    Ok(std::fs::read_to_string(regular_file(root, rel)?)?)
}

/// Whether `rel` is a folder inside the site (through links that stay inside).
pub fn is_dir(root: &Path, rel: &Path) -> bool {
    resolve(root, rel).is_ok_and(|p| p.is_dir())
}

/// The regular files below a folder of the site, found by [`walk`].
#[derive(Debug, Default)]
pub struct Tree {
    /// Relative to the site, in a stable order (depth first, names sorted).
    pub files: Vec<PathBuf>,
    /// What could not be read, each with its path relative to the site.
    pub problems: Vec<(PathBuf, Refused)>,
}

/// Lists the regular files below `rel_dir`. Hidden names (`.git`, `.x.swp`) and
/// editor backups are passed over; a link that leads outside the site, a broken
/// link, a loop or a special file is a problem naming it. A missing folder is an
/// empty tree; a folder that is a link out of the site is a problem.
pub fn walk(root: &Path, rel_dir: &Path) -> Tree {
    let mut tree = Tree::default();
    let dir = match resolve(root, rel_dir) {
        Ok(dir) if dir.is_dir() => dir,
        Ok(_) | Err(Refused::Missing) => return tree,
        Err(e) => {
            tree.problems.push((rel_dir.to_path_buf(), e));
            return tree;
        }
    };
    let mut real_root: Option<PathBuf> = None;
    let mut walker = WalkDir::new(&dir)
        .min_depth(1)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let at = e.path().and_then(|p| p.strip_prefix(&dir).ok());
                let rel = at.map_or_else(|| rel_dir.to_path_buf(), |p| rel_dir.join(p));
                let refusal = if e.loop_ancestor().is_some() || e.io_error().is_none() {
                    Refused::Broken(rel.clone())
                } else {
                    match e.into_io_error() {
                        Some(io) if io.kind() == io::ErrorKind::NotFound => {
                            Refused::Broken(rel.clone())
                        }
                        Some(io) => Refused::Io(io),
                        None => Refused::Broken(rel.clone()),
                    }
                };
                tree.problems.push((rel, refusal));
                continue;
            }
        };
        let Ok(inner) = entry.path().strip_prefix(&dir) else {
            continue;
        };
        let rel = rel_dir.join(inner);
        let name = entry.file_name().to_string_lossy();
        let is_dir = entry.file_type().is_dir();
        if name.starts_with('.') || is_editor_backup(&name) {
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        }
        if entry.path_is_symlink() {
            let real_root = match &real_root {
                Some(r) => r,
                None => match root.canonicalize() {
                    Ok(r) => real_root.insert(r),
                    Err(e) => {
                        tree.problems.push((rel, e.into()));
                        return tree;
                    }
                },
            };
            let inside = entry
                .path()
                .canonicalize()
                .is_ok_and(|t| t.starts_with(real_root.as_path()));
            if !inside {
                if is_dir {
                    walker.skip_current_dir();
                }
                tree.problems.push((rel.clone(), Refused::Outside(rel)));
                continue;
            }
        }
        if is_dir {
            continue;
        }
        if entry.file_type().is_file() {
            tree.files.push(rel);
        } else {
            tree.problems.push((rel, Refused::NotAFile));
        }
    }
    tree
}

/// Files editors leave while saving: `x.md~`, `#x.md#`, `.x.md.swp`, vim's `4913`.
pub fn is_editor_backup(name: &str) -> bool {
    name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
}

// ---------------------------------------------------------------------------
// writing

/// Makes `base/rel` a real folder: each missing folder on the way is created, and a
/// symbolic link (or a file) on the way is an error naming it. Returns its path.
pub fn folder(base: &Path, rel: &Path) -> Result<PathBuf> {
    let mut here = base.to_path_buf();
    for name in rel.components() {
        let Component::Normal(name) = name else {
            bail!(
                "refusing to write into `{}`: not a plain path inside `{}`",
                rel.display(),
                base.display()
            );
        };
        here.push(name);
        match here.symlink_metadata() {
            Ok(m) if m.is_dir() => {}
            Ok(m) if m.file_type().is_symlink() => bail!(
                "`{}` is a symbolic link: hearth does not write through links (remove it; hearth makes the folder itself)",
                here.display()
            ),
            Ok(_) => bail!(
                "`{}` is in the way: hearth needs a folder there",
                here.display()
            ),
            Err(e) if e.kind() == io::ErrorKind::NotFound => match std::fs::create_dir(&here) {
                Ok(()) => {}
                // Made by someone else meanwhile: checked again on the next name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    if !here.symlink_metadata()?.is_dir() {
                        bail!(
                            "`{}` is in the way: hearth needs a folder there",
                            here.display()
                        );
                    }
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create `{}`", here.display()));
                }
            },
            Err(e) => return Err(e).with_context(|| format!("cannot read `{}`", here.display())),
        }
    }
    Ok(here)
}

/// How a file is opened for writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Made anew; an existing file is an error (`hearth new` never overwrites).
    New,
    /// Emptied, or made.
    Replace,
    /// Added to at the end, or made.
    Append,
    /// Opened for writing as it is, or made (a lock file).
    Keep,
}

/// Opens `base/rel` for writing, its folders made by [`folder`]; a symbolic link in
/// its place is an error, never followed.
pub fn open(base: &Path, rel: &Path, mode: Mode) -> Result<File> {
    let (dir, name) = split(rel)?;
    let path = folder(base, dir)?.join(name);
    let mut options = OpenOptions::new();
    options.custom_flags(libc::O_NOFOLLOW).mode(0o644);
    match mode {
        Mode::New => options.write(true).create_new(true),
        Mode::Replace => options.write(true).create(true).truncate(true),
        // Readable too: a ledger checks its own last line through the same handle.
        Mode::Append => options.read(true).append(true).create(true),
        Mode::Keep => options.write(true).create(true).truncate(false),
    };
    options.open(&path).map_err(|e| {
        let is_link = path
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
        if is_link {
            anyhow::anyhow!(
                "`{}` is a symbolic link: hearth does not write through links (remove it)",
                path.display()
            )
        } else if e.kind() == io::ErrorKind::AlreadyExists {
            anyhow::anyhow!("`{}` exists already: not overwritten", path.display())
        } else {
            anyhow::Error::new(e).context(format!("cannot write `{}`", path.display()))
        }
    })
}

/// Writes `bytes` to `base/rel`, replacing the file.
pub fn write(base: &Path, rel: &Path, bytes: &[u8]) -> Result<PathBuf> {
    let mut file = open(base, rel, Mode::Replace)?;
    let path = base.join(rel);
    file.write_all(bytes)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(path)
}

/// Writes `bytes` to `base/rel` through a new temporary file, fsync and rename, so
/// that a crash leaves either the old or the new file. A link in the place of the
/// file is replaced by the rename, never written through.
pub fn write_durably(base: &Path, rel: &Path, bytes: &[u8]) -> Result<PathBuf> {
    write_by_rename(base, rel, true, |file| file.write_all(bytes))
}

/// [`write_durably`] for a file written in pieces by `fill` (a big file that is
/// never whole in memory).
pub fn write_durably_with(
    base: &Path,
    rel: &Path,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<PathBuf> {
    write_by_rename(base, rel, true, fill)
}

/// Writes `bytes` to `base/rel` through a new temporary file and a rename, without
/// fsync: for a cache, where a crash may lose an entry but never leaves a half-written
/// one in its place.
pub fn write_whole(base: &Path, rel: &Path, bytes: &[u8]) -> Result<PathBuf> {
    write_by_rename(base, rel, false, |file| file.write_all(bytes))
}

fn write_by_rename(
    base: &Path,
    rel: &Path,
    sync: bool,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<PathBuf> {
    let (dir, name) = split(rel)?;
    let dir_path = folder(base, dir)?;
    let path = dir_path.join(name);
    // The counter keeps two threads writing the same file apart.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp_name = format!(".{}.{}.{n}.tmp", name.to_string_lossy(), std::process::id());
    let tmp = dir_path.join(&tmp_name);
    // A stale temporary file of a killed run of the same process id goes first.
    let _ = std::fs::remove_file(&tmp);
    {
        let mut file = open(base, &dir.join(&tmp_name), Mode::New)?;
        fill(&mut file)
            .and_then(|()| if sync { file.sync_all() } else { Ok(()) })
            .with_context(|| format!("cannot write `{}`", tmp.display()))?;
    }
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot replace `{}`", path.display()))?;
    if sync && let Ok(d) = File::open(&dir_path) {
        let _ = d.sync_all();
    }
    Ok(path)
}

fn split(rel: &Path) -> Result<(&Path, &std::ffi::OsStr)> {
    match (rel.parent(), rel.file_name()) {
        (Some(dir), Some(name)) if is_plain(rel) => Ok((dir, name)),
        _ => bail!(
            "refusing to write `{}`: not a plain relative path",
            rel.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn a_link_inside_is_followed_and_one_outside_is_named() -> Result<()> {
        let site = tempfile::tempdir()?;
        let outside = tempfile::tempdir()?;
        std::fs::create_dir(site.path().join("a"))?;
        std::fs::write(site.path().join("a/x.md"), "inside")?;
        std::fs::write(outside.path().join("secret"), "secret")?;
        symlink(site.path().join("a"), site.path().join("b"))?;
        symlink(outside.path(), site.path().join("c"))?;
        assert_eq!(read_to_string(site.path(), Path::new("b/x.md"))?, "inside");
        let err = read(site.path(), Path::new("c/secret")).expect_err("outside");
        assert!(
            matches!(&err, Refused::Outside(p) if p == Path::new("c")),
            "{err}"
        );
        assert!(matches!(
            read(site.path(), Path::new("a/../c/secret")),
            Err(Refused::NotPlain(_))
        ));
        assert!(matches!(
            read(site.path(), Path::new("a")),
            Err(Refused::NotAFile)
        ));
        Ok(())
    }

    #[test]
    fn writes_never_pass_a_link() -> Result<()> {
        let site = tempfile::tempdir()?;
        let outside = tempfile::tempdir()?;
        symlink(outside.path(), site.path().join(".hearth"))?;
        assert!(write(site.path(), Path::new(".hearth/x/state"), b"x").is_err());
        std::fs::remove_file(site.path().join(".hearth"))?;
        std::fs::create_dir(site.path().join(".hearth"))?;
        symlink(outside.path().join("f"), site.path().join(".hearth/f"))?;
        for mode in [Mode::New, Mode::Replace, Mode::Append, Mode::Keep] {
            assert!(open(site.path(), Path::new(".hearth/f"), mode).is_err());
        }
        write_durably(site.path(), Path::new(".hearth/f"), b"new")?;
        assert!(!outside.path().join("f").exists());
        assert_eq!(std::fs::read(site.path().join(".hearth/f"))?, b"new");
        assert_eq!(std::fs::read_dir(outside.path())?.count(), 0);
        Ok(())
    }
}
