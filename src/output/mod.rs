//! The output folder, written safely and only where it changed.
//!
//! Files are written into a fresh staging folder beside the target; nothing in the
//! target changes until the whole build has succeeded. A new (or empty) target is
//! then replaced by the staging folder at once. A target that hearth built before
//! (it holds the marker file) is updated instead: the manifest ([`manifest`]) says
//! what each of its files holds, files whose bytes are the same are left alone
//! (same inode, same modification time), changed and new files are renamed into
//! place from the staging folder, and files the build no longer makes are removed.
//! Replaced and removed files are kept as spares for the next build to write into
//! ([`spare`]), so that a build that changes every page frees and creates no files.
//! A marker file tells hearth's own output from a folder it must not clear, and
//! every path is checked to stay inside.

pub mod manifest;
mod spare;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};

use anyhow::{Context as _, Result, bail};

use manifest::{Entry, Stat};
use spare::Spares;

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
///
/// When the staging folder will replace the target whole, it holds the new site's
/// folders and files; when the target is updated file by file, it holds only the
/// files to put in place, each under a number (no folder is made for them).
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    staging: PathBuf,
    /// What the target holds, when it is a folder hearth built before; `None` when
    /// the staging folder will replace it whole.
    previous: Option<Previous>,
    /// The output files of this build so far.
    written: Mutex<BTreeMap<String, Placed>>,
    /// Folders known to exist inside `staging`.
    folders: Mutex<HashSet<PathBuf>>,
    /// Files are staged under numbers (the target is updated file by file).
    flat: bool,
    /// The number of the next file staged under a number.
    slots: AtomicU32,
    /// Files of earlier builds to write into, when the folder can be used.
    spares: Option<Spares>,
    committed: bool,
}

/// An output file of this build.
#[derive(Debug, Clone, Copy)]
struct Placed {
    entry: Entry,
    /// Where it was written (new or changed); `None` when left as it is in the
    /// target.
    staged: Option<Staged>,
}

/// Where a file of this build waits to be put in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Staged {
    /// In the staging folder: at its own path when the folder will replace the
    /// target whole, else under this number.
    Slot(u32),
    /// Written into this spare file.
    Spare(u64),
}

/// The target folder as the build found it.
#[derive(Debug, Default)]
struct Previous {
    /// Files the manifest still vouches for, by output path.
    known: HashMap<String, Entry>,
    /// Every file, link or other non-folder in the target, relative to it.
    found: Vec<(PathBuf, Found)>,
    /// The manifest's text as read.
    manifest: Option<String>,
    /// The folders in the target that hold nothing, relative to it.
    empty_folders: Vec<PathBuf>,
    /// The keys whose every file in the manifest is still as written.
    whole_keys: std::collections::HashSet<u128>,
}

#[derive(Debug, Clone, Copy)]
enum Found {
    File(Stat),
    /// A symbolic link or a special file: never made by hearth, always removed.
    Other,
}

/// What a build did to the output folder.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changes {
    /// Files of the new site.
    pub files: usize,
    /// Files written (new or changed).
    pub written: usize,
    /// Files removed from the previous site.
    pub removed: usize,
}

/// The data behind a lock, even if a thread panicked while holding it: every use
/// here leaves the data whole.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Staging {
    /// Checks that `target` may be replaced, reads what it holds, and creates an
    /// empty staging folder.
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
        let mut previous = None;
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
            if is_ours {
                previous = Some(Previous::read(target)?);
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
            flat: previous.is_some(),
            previous,
            written: Mutex::default(),
            folders: Mutex::default(),
            slots: AtomicU32::new(0),
            spares: None,
            committed: false,
        })
    }

    /// Whether the target is updated file by file (hearth built it before), so
    /// that the files it replaces could be kept as spares.
    pub fn updates(&self) -> bool {
        self.flat
    }

    /// Writes changed files into spare files kept in `dir` (a real folder), and
    /// keeps the files it replaces there ([`spare`]): as many as the previous site
    /// had files. Nothing happens when the target is not updated file by file, the
    /// folder is on another filesystem, or another build holds it. Call before
    /// writing.
    pub fn use_spares(&mut self, dir: PathBuf) {
        if let Some(previous) = &self.previous {
            self.spares = Spares::open(dir, &self.target, previous.found.len());
        }
    }

    /// Writes `bytes` at `rel` (a `/`-separated path inside the output). Writing a
    /// path again replaces the file.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.put(rel, Content::Bytes(bytes))
    }

    /// Writes one file, creating its folder when needed.
    pub fn put(&self, rel: &str, content: Content<'_>) -> Result<()> {
        match content {
            Content::Bytes(bytes) => self.put_keyed(rel, bytes, None),
            Content::File(source) => self.copy(rel, source),
        }
    }

    /// Copies `source` to `rel`, unless the target holds the same bytes there. The
    /// file is read in pieces (a static file may be a big video).
    fn copy(&self, rel: &str, source: &Path) -> Result<()> {
        let rel_path = inside(rel)?;
        let context = || format!("cannot copy `{}`", source.display());
        let hash = {
            let mut hasher = crate::hash::Hasher::default();
            let mut file = fs::File::open(source).with_context(context)?;
            std::io::copy(&mut file, &mut hasher).with_context(context)?;
            hasher.finish()
        };
        if let Some(entry) = self.kept(rel, hash) {
            self.place(rel, Entry { key: None, ..entry }, None);
            return Ok(());
        }
        // Copied as a new file: it keeps the source's permissions.
        let (path, slot) = self.staged_path(&rel_path)?;
        fs::copy(source, &path).with_context(context)?;
        let stat = Stat::of(&fs::metadata(&path).with_context(context)?);
        self.place(
            rel,
            Entry {
                hash,
                key: None,
                stat,
            },
            Some(Staged::Slot(slot)),
        );
        Ok(())
    }

    /// The previous build's file at `rel`, if it holds bytes with this hash.
    fn kept(&self, rel: &str, hash: u128) -> Option<Entry> {
        self.previous
            .as_ref()
            .and_then(|p| p.known.get(rel))
            .filter(|e| e.hash == hash)
            .copied()
    }

    /// Where `rel` goes in the staging folder (its folder made) and its number
    /// there.
    fn staged_path(&self, rel_path: &Path) -> Result<(PathBuf, u32)> {
        if self.flat {
            let slot = self.slots.fetch_add(1, Ordering::Relaxed);
            return Ok((self.staging.join(slot.to_string()), slot));
        }
        let new_folder = rel_path
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !lock(&self.folders).contains(*d));
        if let Some(dir) = new_folder {
            let folder = self.staging.join(dir);
            fs::create_dir_all(&folder)
                .with_context(|| format!("cannot create `{}`", folder.display()))?;
            lock(&self.folders).insert(dir.to_path_buf());
        }
        Ok((self.staging.join(rel_path), 0))
    }

    /// Where the staged file for `rel` is.
    fn staged_file(&self, rel: &str, staged: Staged) -> PathBuf {
        match (staged, &self.spares) {
            (Staged::Spare(name), Some(spares)) => spares.path(name),
            (Staged::Slot(slot), _) if self.flat => self.staging.join(slot.to_string()),
            _ => self.staging.join(rel),
        }
    }

    /// Whether the previous build wrote `rel` from inputs with this `key` and the
    /// file is still as it wrote it. If so, the file is part of this build as it is,
    /// and need not be made again.
    pub fn has(&self, rel: &str, key: u128) -> bool {
        let Some(entry) = self.previous.as_ref().and_then(|p| p.known.get(rel)) else {
            return false;
        };
        if entry.key != Some(key) {
            return false;
        }
        self.place(rel, *entry, None);
        true
    }

    /// Whether every file the previous build made from inputs with this `key` is
    /// still as it wrote it; if so, they are all part of this build as they are.
    pub fn has_group(&self, key: u128) -> bool {
        let Some(previous) = &self.previous else {
            return false;
        };
        if !previous.whole_keys.contains(&key) {
            return false;
        }
        for (rel, entry) in &previous.known {
            if entry.key == Some(key) {
                self.place(rel, *entry, None);
            }
        }
        true
    }

    /// Writes one file made from inputs whose hash is `key` (recorded for
    /// [`Staging::has`] in the next build). A file whose bytes are already in the
    /// target is left there.
    pub fn put_keyed(&self, rel: &str, bytes: &[u8], key: Option<u128>) -> Result<()> {
        let rel_path = inside(rel)?;
        let hash = crate::hash::of(bytes);
        if let Some(entry) = self.kept(rel, hash) {
            self.place(rel, Entry { key, ..entry }, None);
            return Ok(());
        }
        let (stat, staged) = self.write_new(&rel_path, bytes)?;
        self.place(rel, Entry { hash, key, stat }, Some(staged));
        Ok(())
    }

    /// Writes `bytes` for `rel` into a spare file when there is one, else into a
    /// new file in the staging folder; returns what it is on disk and where.
    fn write_new(&self, rel_path: &Path, bytes: &[u8]) -> Result<(Stat, Staged)> {
        let claimed = self.spares.as_ref().and_then(|s| Some((s, s.claim()?)));
        let (path, mut file, old_len, staged) = match claimed {
            Some((spares, spare)) => (
                spares.path(spare.name),
                spare.file,
                spare.len,
                Staged::Spare(spare.name),
            ),
            None => {
                let (path, slot) = self.staged_path(rel_path)?;
                let file = fs::File::create(&path)
                    .with_context(|| format!("cannot write `{}`", path.display()))?;
                (path, file, 0, Staged::Slot(slot))
            }
        };
        let context = || format!("cannot write `{}`", path.display());
        file.write_all(bytes).with_context(context)?;
        if old_len > bytes.len() as u64 {
            file.set_len(bytes.len() as u64).with_context(context)?;
        }
        Ok((Stat::of(&file.metadata().with_context(context)?), staged))
    }

    /// Records `rel` as a file of this build. A file staged earlier for the same
    /// path, and not at the same place in the staging folder as this one, is
    /// removed.
    fn place(&self, rel: &str, entry: Entry, staged: Option<Staged>) {
        let before = lock(&self.written).insert(rel.to_string(), Placed { entry, staged });
        let old = before.and_then(|b| b.staged);
        // A spare written for nothing stays a spare.
        if let Some(old @ Staged::Slot(_)) = old {
            let old = self.staged_file(rel, old);
            if staged.is_none_or(|new| self.staged_file(rel, new) != old) {
                let _ = fs::remove_file(old);
            }
        }
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
    pub fn commit(mut self) -> Result<Changes> {
        let written = std::mem::take(&mut *lock(&self.written));
        let changes = match self.previous.take() {
            None => self.replace(&written)?,
            Some(previous) => self.update(previous, &written)?,
        };
        self.committed = true;
        Ok(changes)
    }

    /// Moves the staging folder into the target's place (the target is new, or an
    /// empty folder).
    fn replace(&self, written: &BTreeMap<String, Placed>) -> Result<Changes> {
        fs::write(self.staging.join(MARKER), MARKER_TEXT)
            .context("cannot write the output marker")?;
        let entries = written.iter().map(|(path, p)| (path.as_str(), &p.entry));
        fs::write(self.staging.join(manifest::NAME), manifest::format(entries))
            .context("cannot write the output manifest")?;
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
        if had_old {
            remove_tree(&old).with_context(|| {
                format!("cannot remove the previous site at `{}`", old.display())
            })?;
        }
        Ok(Changes {
            files: written.len(),
            written: written.len(),
            removed: 0,
        })
    }

    /// Brings a target hearth built before up to date: removes what the new site no
    /// longer has (and any link or special file), moves new and changed files in,
    /// then records the new manifest. Should this be cut short, the manifest on disk
    /// still vouches only for files that are as it says (see [`manifest`]), and the
    /// next build finishes the work.
    fn update(&self, previous: Previous, written: &BTreeMap<String, Placed>) -> Result<Changes> {
        use rayon::prelude::*;
        let target = &self.target;
        let gone: Vec<&PathBuf> = previous
            .found
            .iter()
            .filter(|(rel, found)| {
                matches!(found, Found::Other)
                    || rel.to_str().is_none_or(|r| !written.contains_key(r))
            })
            .map(|(rel, _)| rel)
            .collect();
        gone.par_iter().try_for_each(|rel| {
            let path = target.join(rel);
            if self.spares.as_ref().is_some_and(|s| s.keep_moved(&path)) {
                return Ok(());
            }
            fs::remove_file(&path).with_context(|| format!("cannot remove `{}`", path.display()))
        })?;
        remove_empty_folders(
            target,
            gone.iter()
                .filter_map(|rel| rel.parent())
                .chain(previous.empty_folders.iter().map(PathBuf::as_path)),
        );
        let staged: Vec<(&String, Staged)> = written
            .iter()
            .filter_map(|(rel, p)| Some((rel, p.staged?)))
            .collect();
        staged
            .par_iter()
            .try_for_each(|(rel, staged)| -> Result<()> {
                let from = self.staged_file(rel, *staged);
                let rel = Path::new(rel.as_str());
                // Every folder on the way is a real one (links were removed above).
                let dir = crate::files::folder(target, rel.parent().unwrap_or(Path::new("")))?;
                let name = rel.file_name().context("a file name")?;
                let to = dir.join(name);
                match &self.spares {
                    Some(spares) => spares.put(&from, &to, matches!(staged, Staged::Spare(_))),
                    None => fs::rename(from, &to),
                }
                .with_context(|| format!("cannot put `{}` in place", to.display()))
            })?;
        if let Some(spares) = &self.spares {
            spares.trim();
        }
        let entries = written.iter().map(|(path, p)| (path.as_str(), &p.entry));
        let text = manifest::format(entries);
        // A build that changed nothing leaves the manifest alone too.
        if previous.manifest.as_deref() != Some(text.as_str()) {
            crate::files::write_durably(target, Path::new(manifest::NAME), text.as_bytes())
                .context("cannot write the output manifest")?;
        }
        let _ = remove_tree(&self.staging);
        Ok(Changes {
            files: written.len(),
            written: staged.len(),
            removed: gone.len(),
        })
    }
}

impl Previous {
    /// Reads the target's manifest and lists what is in the target. A manifest
    /// that is missing or damaged vouches for nothing.
    fn read(target: &Path) -> Result<Previous> {
        // Read by the site's rule: a regular file only (not a link to a pipe).
        let text = crate::files::read_to_string(target, Path::new(manifest::NAME)).ok();
        let manifest = text
            .as_deref()
            .and_then(manifest::parse)
            .unwrap_or_default();
        let mut previous = Previous {
            manifest: text,
            ..Previous::default()
        };
        list(target, Path::new(""), &mut previous)
            .with_context(|| format!("cannot read output folder `{}`", target.display()))?;
        for (rel, found) in &previous.found {
            let (Found::File(stat), Some(rel)) = (found, rel.to_str()) else {
                continue;
            };
            if let Some(entry) = manifest.get(rel).filter(|e| e.stat == *stat) {
                previous.known.insert(rel.to_string(), *entry);
            }
        }
        let mut files_of: HashMap<u128, (usize, usize)> = HashMap::new();
        for entry in manifest.values() {
            if let Some(key) = entry.key {
                files_of.entry(key).or_default().0 += 1;
            }
        }
        for entry in previous.known.values() {
            if let Some(key) = entry.key {
                files_of.entry(key).or_default().1 += 1;
            }
        }
        previous.whole_keys = files_of
            .into_iter()
            .filter(|(_, (listed, known))| listed == known)
            .map(|(key, _)| key)
            .collect();
        Ok(previous)
    }
}

/// Adds everything below `target/rel` to `into`, never following a link. The
/// marker and the manifest are left out.
fn list(target: &Path, rel: &Path, into: &mut Previous) -> std::io::Result<()> {
    use rayon::prelude::*;
    let mut subfolders = Vec::new();
    let mut empty = true;
    for entry in fs::read_dir(target.join(rel))? {
        let entry = entry?;
        empty = false;
        let name = entry.file_name();
        if rel.as_os_str().is_empty() && (name == MARKER || name == manifest::NAME) {
            continue;
        }
        let child = rel.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            subfolders.push(child);
        } else if kind.is_file() {
            into.found
                .push((child, Found::File(Stat::of(&entry.metadata()?))));
        } else {
            into.found.push((child, Found::Other));
        }
    }
    // Big sites have thousands of page folders: listed in parallel.
    let below = subfolders
        .par_iter()
        .map(|dir| {
            let mut part = Previous::default();
            list(target, dir, &mut part).map(|()| part)
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    for part in below {
        into.found.extend(part.found);
        into.empty_folders.extend(part.empty_folders);
    }
    if empty && !rel.as_os_str().is_empty() {
        into.empty_folders.push(rel.to_path_buf());
    }
    Ok(())
}

/// Removes the folders that are empty now (a full build makes no empty folder):
/// those that were, and those that held removed files, deepest first, each one's
/// parent tried in turn. A folder that still holds something stays.
fn remove_empty_folders<'a>(target: &Path, candidates: impl IntoIterator<Item = &'a Path>) {
    use std::collections::BinaryHeap;
    let mut heap: BinaryHeap<(usize, PathBuf)> = candidates
        .into_iter()
        .filter(|f| !f.as_os_str().is_empty())
        .map(|f| (f.components().count(), f.to_path_buf()))
        .collect();
    let mut tried = HashSet::new();
    while let Some((depth, folder)) = heap.pop() {
        if !tried.insert(folder.clone()) {
            continue;
        }
        // Fails (and is meant to) for a folder that is not empty.
        if fs::remove_dir(target.join(&folder)).is_ok()
            && let Some(parent) = folder.parent().filter(|p| !p.as_os_str().is_empty())
        {
            heap.push((depth - 1, parent.to_path_buf()));
        }
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
