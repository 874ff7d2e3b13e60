//! Spare files: the files a build replaced or removed, kept for a later build to
//! write into instead of creating new ones.
//!
//! A build that changes every page (a theme edit, a new `base_url`) replaces every
//! file of the site. Made as new files and renamed over the old ones, that is one
//! inode created and one freed per file; ext4 without a journal then slows down
//! for every file created while many were freed in the last seconds (it checks each
//! recently freed inode before reusing it), and a site of 15,000 files took longer
//! on each build in a row. With spares the number of files stays the same: a build
//! writes a changed page over a spare file's old bytes, in the spare folder, and
//! then swaps it with the published file in one step (`renameat2` with
//! `RENAME_EXCHANGE`), so the old page becomes the spare.
//!
//! The rules that keep this safe:
//! - One build at a time uses the folder (a lock on it); another build running at
//!   the same time makes new files as before.
//! - A spare is written only when it has no other name: a build cut short where
//!   swapping is not supported (a link is made before the rename there) leaves a
//!   spare that is still a published file, and a file hard-linked from elsewhere (a
//!   deploy tool's copy) is never written. Such a spare's name is dropped instead.
//!   A spare with other permissions than a new file's (a static file copied with
//!   its own) is dropped too.
//! - A spare is written over only a build later than the one that replaced it: a
//!   web server may still be reading the old page.
//! - Nothing in the published site changes through a spare before the build has
//!   succeeded, and each file changes at once, as with a rename.
//! - The folder holds at most as many files as the site, lives in the site's cache
//!   (ignored by git, safe to delete at any time) and is used only when it is on the
//!   output's filesystem.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::lock;

/// The spare folder, held by one build.
#[derive(Debug)]
pub struct Spares {
    dir: PathBuf,
    /// Open while the build holds the folder's lock.
    _lock: File,
    /// Names in the folder not yet written by this build.
    free: Mutex<Vec<u64>>,
    /// The next name to give a file.
    next: AtomicU64,
    /// Files in the folder.
    count: AtomicUsize,
    /// At most this many files are kept.
    limit: usize,
    /// The permissions a new file gets (`0o666` less the umask).
    mode: u32,
}

/// A spare file taken by a build, open for writing from its start.
pub struct Claimed {
    pub name: u64,
    pub file: File,
    /// Its length: the caller cuts what its own bytes do not cover. (A file emptied
    /// first would have its blocks freed and allocated again, and ext4 writes out a
    /// file emptied and written again when it is closed.)
    pub len: u64,
}

impl Spares {
    /// The spare folder `dir` (a real folder, made by the caller) for a build
    /// writing into `target`: `None` when they are on different filesystems, the
    /// folder cannot be read, or another build holds it. At most `limit` files are
    /// kept.
    pub fn open(dir: PathBuf, target: &Path, limit: usize) -> Option<Spares> {
        let dev = |p: &Path| fs::symlink_metadata(p).ok().map(|m| m.dev());
        if dev(&dir)? != dev(target)? {
            return None;
        }
        let lock_file = File::open(&dir).ok()?;
        lock_file.try_lock().ok()?;
        let free: Vec<u64> = fs::read_dir(&dir)
            .ok()?
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect();
        let next = free.iter().max().map_or(0, |n| n + 1);
        Some(Spares {
            dir,
            _lock: lock_file,
            count: AtomicUsize::new(free.len()),
            free: Mutex::new(free),
            next: AtomicU64::new(next),
            limit,
            mode: 0o666 & !umask(),
        })
    }

    /// The path of the spare called `name`.
    pub fn path(&self, name: u64) -> PathBuf {
        self.dir.join(name.to_string())
    }

    /// Takes a spare file to write into; `None` when none is left.
    pub fn claim(&self) -> Option<Claimed> {
        loop {
            let name = lock(&self.free).pop()?;
            let path = self.path(name);
            // Not through a link, and not blocking on a pipe someone left there.
            let file = OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
                .open(&path);
            let usable = file.ok().and_then(|file| {
                let m = file.metadata().ok()?;
                (m.is_file() && m.nlink() == 1 && m.mode() & 0o7777 == self.mode).then(|| Claimed {
                    name,
                    file,
                    len: m.len(),
                })
            });
            if usable.is_some() {
                return usable;
            }
            if fs::remove_file(&path).is_ok() {
                self.count.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }

    /// Puts the file at `from` in the place of the file at `to`, at once, and
    /// keeps the file it replaces (if any) as a spare. `from` is a spare when
    /// `spare` is set, else a new file of the staging folder. `to` is a file or
    /// nothing, never a folder: a folder the new site puts a file in the place of
    /// held only files it no longer makes, removed before, and it with them.
    pub fn put(&self, from: &Path, to: &Path, spare: bool) -> io::Result<()> {
        match exchange(from, to) {
            // `from` now holds the old file.
            // (A new file's old one stays in the staging folder, removed with it,
            // when the spares are full.)
            Ok(()) => {
                if !spare {
                    self.keep_moved(from);
                }
                Ok(())
            }
            Err(e) => {
                // `to` is new, or the filesystem cannot swap: a plain rename, after
                // giving the old file a second name where there is one.
                if e.kind() != io::ErrorKind::NotFound {
                    self.keep_linked(to);
                }
                fs::rename(from, to)?;
                if spare {
                    self.count.fetch_sub(1, Ordering::Relaxed);
                }
                Ok(())
            }
        }
    }

    /// Gives the file at `path` (about to be replaced by a rename) a second name in
    /// the spare folder, so that it is kept rather than freed. Best effort.
    fn keep_linked(&self, path: &Path) {
        if let Some(name) = self.reserve()
            && fs::hard_link(path, self.path(name)).is_err()
        {
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Moves the file at `path` into the spare folder; `false` (and the file left
    /// where it is) when the folder is full or the move fails.
    pub fn keep_moved(&self, path: &Path) -> bool {
        let Some(name) = self.reserve() else {
            return false;
        };
        let moved = fs::rename(path, self.path(name)).is_ok();
        if !moved {
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
        moved
    }

    /// A new name for a spare, counted, unless the folder is full.
    fn reserve(&self) -> Option<u64> {
        self.count
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                (n < self.limit).then_some(n + 1)
            })
            .ok()?;
        Some(self.next.fetch_add(1, Ordering::Relaxed))
    }

    /// Removes spares beyond the limit (the site got smaller). Best effort.
    pub fn trim(&self) {
        let mut free = lock(&self.free);
        while self.count.load(Ordering::Relaxed) > self.limit {
            let Some(name) = free.pop() else { break };
            if fs::remove_file(self.path(name)).is_ok() {
                self.count.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }
}

/// Swaps the files at `a` and `b` in one step; `NotFound` when either is missing,
/// another error where the filesystem (or the system) cannot swap.
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// The process's umask, read without changing it (Linux shows it in
/// `/proc/self/status`); the usual `022` where it cannot be read.
fn umask() -> u32 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find_map(|l| l.strip_prefix("Umask:"))?;
            u32::from_str_radix(line.trim(), 8).ok()
        })
        .unwrap_or(0o022)
}
