//! Documents loaded by an earlier build of the same `hearth serve`, so that a
//! rebuild reads and parses only the files that changed.
//!
//! Loading a document is a function of its file, the files of its bundle, the
//! config and the slugs of the site's members and events. The server tells the memo
//! which paths its watcher saw change ([`Documents::forget`]) and clears it when the
//! config changes or the watcher lost track ([`Documents::clear`]); an entry is used
//! only when its bundle's file list and the slugs it was loaded with are the same.

use std::any::Any;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use super::discover::DocFile;
use crate::diag::Diagnostics;
use crate::model::{Body, Event, Member, Page, Post, Slug};
use crate::output::lock;

/// What loading one document gave: the item, the slug it claims, its problems.
pub type Loaded<T> = (Option<T>, Option<Slug>, Diagnostics);

/// Loaded documents by path, and the documents each section had.
#[derive(Default)]
pub struct Documents {
    /// Read by every document of every rebuild, on many threads at once.
    entries: RwLock<rustc_hash::FxHashMap<PathBuf, Entry>>,
    /// Each section's documents and the problems found listing them, kept while
    /// no file or folder was created, removed or renamed (see [`Documents::relist`]).
    listings: Mutex<HashMap<String, Listing>>,
}

/// A section's documents, shared by the builds that use them, and the problems
/// found listing them.
type Listing = (Arc<Vec<DocFile>>, Diagnostics);

struct Entry {
    file: DocFile,
    /// The hash of the slugs the document was checked against.
    context: u128,
    loaded: Arc<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for Documents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Documents({})", read(&self.entries).len())
    }
}

impl Documents {
    /// Forgets every document at, below or (for a bundle) beside a changed path.
    pub fn forget<'a>(&self, changed: impl IntoIterator<Item = &'a Path>) {
        let changed: Vec<&Path> = changed.into_iter().collect();
        write(&self.entries).retain(|path, entry| {
            let own_dir = entry.file.bundle.as_ref().map(|(dir, _)| dir.as_path());
            !changed.iter().any(|c| {
                path.starts_with(c) || c == path || own_dir.is_some_and(|d| c.starts_with(d))
            })
        });
    }

    /// Forgets everything (the config changed, or changes may have been missed).
    pub fn clear(&self) {
        write(&self.entries).clear();
        self.relist();
    }

    /// Forgets the sections' lists of documents: a file or folder was created,
    /// removed or renamed, so the folders are walked again.
    pub fn relist(&self) {
        lock(&self.listings).clear();
    }

    /// The documents of `section`, as listed by `list` or kept from the last time.
    pub fn listing(
        &self,
        section: &str,
        list: impl FnOnce(&mut Diagnostics) -> Vec<DocFile>,
    ) -> Listing {
        if let Some((files, diags)) = lock(&self.listings).get(section) {
            return (Arc::clone(files), diags.clone());
        }
        let mut diags = Diagnostics::default();
        let files = Arc::new(list(&mut diags));
        lock(&self.listings).insert(section.to_string(), (Arc::clone(&files), diags.clone()));
        (files, diags)
    }

    /// The document as an earlier build loaded it, if nothing it depends on changed.
    pub fn get<T: Clone + Send + Sync + 'static>(
        &self,
        file: &DocFile,
        context: u128,
    ) -> Option<Loaded<T>> {
        let loaded = {
            let entries = read(&self.entries);
            let entry = entries.get(&file.path)?;
            if entry.file != *file || entry.context != context {
                return None;
            }
            Arc::clone(&entry.loaded)
        };
        // Copied outside the lock: the documents of a section are taken in parallel.
        loaded.downcast_ref::<Loaded<T>>().cloned()
    }

    pub fn put<T: Clone + Send + Sync + 'static>(
        &self,
        file: &DocFile,
        context: u128,
        loaded: &Loaded<T>,
    ) {
        let entry = Entry {
            file: file.clone(),
            context,
            loaded: Arc::new(loaded.clone()),
        };
        write(&self.entries).insert(file.path.clone(), entry);
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The hash of the slugs documents are checked against.
pub fn context(
    members: &std::collections::BTreeSet<Slug>,
    events: &std::collections::BTreeSet<Slug>,
) -> u128 {
    let mut h = crate::hash::Hasher::default();
    for slug in members {
        h.field(slug.as_str().as_bytes());
    }
    h.field(b"events");
    for slug in events {
        h.field(slug.as_str().as_bytes());
    }
    h.finish()
}

/// A kind of document: its rendered body, which the body cache must keep while a
/// memoized document uses it.
pub trait Item: Clone + Send + Sync + 'static {
    fn body(&self) -> &Body;
}

macro_rules! item {
    ($($kind:ty),*) => {$(
        impl Item for $kind {
            fn body(&self) -> &Body {
                &self.body
            }
        }
    )*};
}

item!(Post, Member, Event, Page);
