//! Rendered markdown bodies kept between builds: in memory for the rebuilds of one
//! `hearth serve`, and on disk in `.hearth/cache/bodies` for the next process, so
//! that a build of an unchanged or slightly changed site skips the markdown and
//! code highlighting of every document that did not change.
//!
//! Rendering a body is a pure function of its inputs, and an entry's key is a hash
//! of all of them (the body, the summary, the base path, the page URL, the bundle
//! files, the `[markdown]` options) and of the hearth program itself, so a cached
//! body is the body a full build would make.
//!
//! The file is a header, the bodies' long texts (HTML and plain text) back to back,
//! and an index. The header holds a magic string, the format version, the program's
//! identity, the lengths of the texts and of the index, and the index's hash. The
//! index holds each entry's key, summaries, outline and, for each long text, where
//! it is and its hash. Loading reads only the header and the index: a file whose
//! header does not match this hearth (another version) is passed over, and a
//! damaged one is passed over with a warning. A long text is read when a page or
//! the search index asks for it, and checked against its hash then; one that no
//! longer matches comes back empty and the cache notes it (`read_failed`), so that
//! the build fails rather than publish it (`build` then builds again without the
//! cache). A cache is never trusted, only used when what is read is as it was
//! written. Deleting `.hearth/cache/` is always safe.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::markdown::{self, LinkBase};
use crate::config::Markdown;
use crate::model::{Body, Heading, Text};
use crate::output::lock;

/// Where the cache lives, relative to the site folder.
pub const FOLDER: &str = ".hearth/cache";
const FILE: &str = ".hearth/cache/bodies";
const MAGIC: &[u8; 8] = b"HEARTHBC";
const VERSION: u32 = 3;
/// Magic, version, program, texts' length, index length, index hash.
const HEADER_LEN: usize = 8 + 4 + 16 + 8 + 8 + 16;

/// Makes the site's cache folder, `rel` inside it (a real folder each, never a
/// link), and returns its path. The folder is marked as a cache for git and backup
/// tools.
pub fn folder(site_dir: &Path, rel: &str) -> anyhow::Result<std::path::PathBuf> {
    let folder = Path::new(FOLDER);
    for (name, text) in [
        (".gitignore", "*\n"),
        (
            "CACHEDIR.TAG",
            "Signature: 8a477f597d28d172789f06886806bc55\n# hearth's cache: safe to delete.\n",
        ),
    ] {
        let rel = folder.join(name);
        if !site_dir.join(&rel).exists() {
            crate::files::write_durably(site_dir, &rel, text.as_bytes())?;
        }
    }
    crate::files::folder(site_dir, &folder.join(rel))
}

/// Rendered bodies by the hash of their inputs.
#[derive(Debug, Default)]
pub struct BodyCache {
    entries: Mutex<HashMap<u128, (Arc<Body>, u64)>>,
    generation: AtomicU64,
    /// Entries were added or dropped since the cache was loaded or saved.
    changed: AtomicBool,
    /// A long text could not be read back from the file as it was written.
    failed: Arc<AtomicBool>,
}

impl BodyCache {
    /// The cache saved in the site's `.hearth/cache/`, or an empty one when there
    /// is none, it was written by another hearth, or it is damaged (with a warning).
    pub fn load(site_dir: &Path) -> BodyCache {
        let cache = BodyCache::default();
        let file = match crate::files::open_to_read(site_dir, Path::new(FILE)) {
            Ok(file) => file,
            Err(crate::files::Refused::Missing) => return cache,
            Err(e) => {
                tracing::warn!("the cache `{FILE}` is not used: {e}");
                return cache;
            }
        };
        match decode_from(file, &cache.failed) {
            Ok(entries) => {
                let entries = entries
                    .into_iter()
                    .map(|(k, b)| (k, (Arc::new(b), 0)))
                    .collect();
                *lock(&cache.entries) = entries;
            }
            Err(Unusable::Other) => {}
            Err(Unusable::Damaged) => {
                tracing::warn!("the cache `{FILE}` is damaged and is not used (it is rebuilt)");
            }
        }
        cache
    }

    /// [`BodyCache::load`] with every long text read now (and an entry whose text
    /// cannot be read back dropped): for a command that must not find out later,
    /// such as sending the newsletter or checking the site.
    pub fn load_held(site_dir: &Path) -> BodyCache {
        let cache = BodyCache::load(site_dir);
        let mut entries = lock(&cache.entries);
        let before = entries.len();
        entries.retain(|_, (body, _)| {
            let held = Body {
                content_html: body.content_html.get().into_owned().into(),
                text: body.text.get().into_owned().into(),
                ..Body::clone(body)
            };
            *body = Arc::new(held);
            !cache.failed.swap(false, Ordering::SeqCst)
        });
        if entries.len() != before {
            tracing::warn!(
                "{} bodies in the cache `{FILE}` are damaged: they are rendered again",
                before - entries.len()
            );
        }
        drop(entries);
        cache
    }

    /// Whether a long text of a body could not be read back from the cache's file
    /// as it was written (it came back empty): what was made from it is wrong.
    pub fn read_failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    /// Writes the bodies the last build used to the site's `.hearth/cache/`, if
    /// they differ from what is there. Never through a link.
    pub fn save(&self, site_dir: &Path) -> anyhow::Result<()> {
        if !self.changed.swap(false, Ordering::SeqCst) {
            return Ok(());
        }
        folder(site_dir, "")?;
        let entries = lock(&self.entries);
        let mut keys: Vec<&u128> = entries.keys().collect();
        keys.sort_unstable();
        // Written in pieces: a big site's cache is never whole in memory twice.
        crate::files::write_durably_with(site_dir, Path::new(FILE), |file| {
            encode_into(file, keys.into_iter().map(|k| (*k, &*entries[k].0)))?;
            // A text read back wrong from the old file is not written into the new.
            if self.read_failed() {
                return Err(std::io::Error::other(
                    "a body could not be read back from the old cache",
                ));
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Starts a build: entries not used by it are dropped at `finish`.
    pub fn begin(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Forgets the bodies of documents the last build did not render.
    pub fn finish(&self) {
        let current = self.generation.load(Ordering::SeqCst);
        let mut entries = lock(&self.entries);
        let before = entries.len();
        entries.retain(|_, (_, used)| *used == current);
        if entries.len() != before {
            self.changed.store(true, Ordering::SeqCst);
        }
    }

    /// The body for these inputs, taken from an earlier build, or rendered now if
    /// `fits` says it may be (it is asked only then: a body in the cache passed it
    /// when it was rendered); `None` when it may not.
    pub fn render(
        &self,
        body: &str,
        summary: Option<&str>,
        links: &LinkBase<'_>,
        options: Markdown,
        fits: impl FnOnce() -> bool,
    ) -> Option<Arc<Body>> {
        let key = key(body, summary, links, options);
        let current = self.generation.load(Ordering::SeqCst);
        if let Some((cached, used)) = lock(&self.entries).get_mut(&key) {
            *used = current;
            return Some(Arc::clone(cached));
        }
        if !fits() {
            return None;
        }
        let rendered = Arc::new(Body {
            key,
            ..markdown::render(body, summary, links, options)
        });
        lock(&self.entries).insert(key, (Arc::clone(&rendered), current));
        self.changed.store(true, Ordering::SeqCst);
        Some(rendered)
    }

    /// Keeps the bodies with these keys for the current build (their documents
    /// were not loaded again).
    pub fn keep_all(&self, keys: impl IntoIterator<Item = u128>) {
        let current = self.generation.load(Ordering::SeqCst);
        let mut entries = lock(&self.entries);
        for key in keys {
            if let Some((_, used)) = entries.get_mut(&key) {
                *used = current;
            }
        }
    }

    /// How many bodies are held.
    pub fn len(&self) -> usize {
        lock(&self.entries).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A document's body: from `cache` when it has it, else rendered now; either way
/// stamped with the key of its inputs.
pub fn body(
    cache: Option<&BodyCache>,
    body: &str,
    summary: Option<&str>,
    links: &LinkBase<'_>,
    options: Markdown,
    fits: impl FnOnce() -> bool,
) -> Option<Arc<Body>> {
    match cache {
        Some(cache) => cache.render(body, summary, links, options, fits),
        None => fits().then(|| {
            Arc::new(Body {
                key: key(body, summary, links, options),
                ..markdown::render(body, summary, links, options)
            })
        }),
    }
}

/// The hash of every input of `markdown::render`, and of the program.
fn key(body: &str, summary: Option<&str>, links: &LinkBase<'_>, options: Markdown) -> u128 {
    let mut h = crate::hash::Hasher::default();
    h.field(&crate::hash::program().to_le_bytes())
        .field(body.as_bytes());
    match summary {
        Some(summary) => h.field(b"summary").field(summary.as_bytes()),
        None => h.field(b"no summary"),
    };
    h.field(links.root.as_bytes())
        .field(links.page_url.as_bytes())
        .field(&(links.assets.len() as u64).to_le_bytes());
    for asset in links.assets {
        h.field(asset.as_bytes());
    }
    let Markdown { unsafe_html } = options;
    h.field(&[u8::from(unsafe_html)]);
    h.finish()
}

/// Why a cache file is not used.
#[derive(Debug, PartialEq, Eq)]
enum Unusable {
    /// Written by another version or build of hearth: expected, said nowhere.
    Other,
    /// Cut short, changed, or not a cache at all.
    Damaged,
}

/// Writes the cache: a header, left blank until the lengths and the index's hash
/// are known, then the long texts entry by entry, then the index (built on the way).
fn encode_into<'a, W: std::io::Write + std::io::Seek>(
    out: &mut W,
    entries: impl Iterator<Item = (u128, &'a Body)>,
) -> std::io::Result<()> {
    use std::io::{SeekFrom, Write as _};
    out.seek(SeekFrom::Start(0))?;
    out.write_all(&[0; HEADER_LEN])?;
    let mut texts = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
    let mut at = 0u64;
    let mut index = Vec::new();
    for (key, body) in entries {
        index.extend_from_slice(&key.to_le_bytes());
        for long in [&body.content_html, &body.text] {
            let text = long.get();
            texts.write_all(text.as_bytes())?;
            index.extend_from_slice(&at.to_le_bytes());
            index.extend_from_slice(&(text.len() as u64).to_le_bytes());
            index.extend_from_slice(&crate::hash::of(text.as_bytes()).to_le_bytes());
            at += text.len() as u64;
        }
        put_str(&mut index, &body.summary_html);
        put_str(&mut index, &body.summary_text);
        index.extend_from_slice(&(body.toc.len() as u64).to_le_bytes());
        for heading in &body.toc {
            index.push(heading.level);
            put_str(&mut index, &heading.id);
            put_str(&mut index, &heading.title);
        }
        index.extend_from_slice(&(body.word_count as u64).to_le_bytes());
    }
    texts.write_all(&index)?;
    texts.flush()?;
    drop(texts);
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&VERSION.to_le_bytes());
    header.extend_from_slice(&crate::hash::program().to_le_bytes());
    header.extend_from_slice(&at.to_le_bytes());
    header.extend_from_slice(&(index.len() as u64).to_le_bytes());
    header.extend_from_slice(&crate::hash::of(&index).to_le_bytes());
    out.seek(SeekFrom::Start(0))?;
    out.write_all(&header)?;
    out.seek(SeekFrom::End(0))?;
    Ok(())
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    out.reserve(8 + text.len());
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

/// The cache's file, from which long texts are read when asked for.
struct Stored {
    file: std::fs::File,
    failed: Arc<AtomicBool>,
}

impl crate::model::Store for Stored {
    fn read(&self, at: u64, len: usize, check: u128) -> String {
        use std::os::unix::fs::FileExt as _;
        // `len` was checked against the file's size when the index was read.
        let mut bytes = vec![0; len];
        let read =
            self.file.read_exact_at(&mut bytes, at).is_ok() && crate::hash::of(&bytes) == check;
        match String::from_utf8(bytes) {
            Ok(text) if read => text,
            _ => {
                self.failed.store(true, Ordering::SeqCst);
                String::new()
            }
        }
    }
}

/// Reads a cache's header and index, checking the index's length and hash; nothing
/// is returned unless the whole index is as the header says. Long texts are left in
/// the file, to be read through `failed`'s store.
fn decode_from(
    mut file: std::fs::File,
    failed: &Arc<AtomicBool>,
) -> Result<Vec<(u128, Body)>, Unusable> {
    use std::io::{Read as _, Seek as _};
    let mut header = [0; HEADER_LEN];
    file.read_exact(&mut header)
        .map_err(|_| Unusable::Damaged)?;
    let mut head: &[u8] = &header;
    let mut r = Reader {
        input: &mut head,
        left: HEADER_LEN,
        hasher: None,
    };
    if r.take(8)? != MAGIC {
        return Err(Unusable::Damaged);
    }
    let version = u32::from_le_bytes(r.array()?);
    let program = u128::from_le_bytes(r.array()?);
    if version != VERSION || program != crate::hash::program() {
        return Err(Unusable::Other);
    }
    let texts_len = u64::from_le_bytes(r.array()?);
    let len = r.len()?;
    let hash = u128::from_le_bytes(r.array()?);
    let size = file.metadata().map_err(|_| Unusable::Damaged)?.len();
    let texts_start = HEADER_LEN as u64;
    if texts_start
        .checked_add(texts_len)
        .and_then(|n| n.checked_add(len as u64))
        != Some(size)
    {
        return Err(Unusable::Damaged);
    }
    file.seek(std::io::SeekFrom::Start(texts_start + texts_len))
        .map_err(|_| Unusable::Damaged)?;
    let mut input = std::io::BufReader::with_capacity(1 << 16, &file);
    let mut r = Reader {
        input: &mut input,
        left: len,
        hasher: Some(crate::hash::Hasher::default()),
    };
    let mut places = Vec::new();
    let mut entries = Vec::new();
    while r.left > 0 {
        let key = u128::from_le_bytes(r.array()?);
        let mut long = [(0, 0, 0); 2];
        for place in &mut long {
            let at = u64::from_le_bytes(r.array()?);
            let n = r.len()?;
            let check = u128::from_le_bytes(r.array()?);
            if at.checked_add(n as u64).is_none_or(|end| end > texts_len) {
                return Err(Unusable::Damaged);
            }
            *place = (texts_start + at, n, check);
        }
        let summary_html = r.string()?;
        let summary_text = r.string()?;
        let headings = r.len()?;
        let mut toc = Vec::with_capacity(headings.min(r.left));
        for _ in 0..headings {
            let level = r.take(1)?[0];
            toc.push(Heading {
                level,
                id: r.string()?,
                title: r.string()?,
            });
        }
        let word_count = r.len()?;
        places.push(long);
        entries.push((
            key,
            Body {
                summary_html,
                summary_text,
                toc,
                word_count,
                key,
                ..Body::default()
            },
        ));
    }
    if r.hasher.as_ref().map(crate::hash::Hasher::finish) != Some(hash) {
        return Err(Unusable::Damaged);
    }
    drop(input);
    let store: Arc<dyn crate::model::Store> = Arc::new(Stored {
        file,
        failed: Arc::clone(failed),
    });
    for ((_, body), [html, text]) in entries.iter_mut().zip(places) {
        body.content_html = Text::stored(Arc::clone(&store), html.0, html.1, html.2);
        body.text = Text::stored(Arc::clone(&store), text.0, text.1, text.2);
    }
    Ok(entries)
}

/// Reads a cache file's parts, at most `left` bytes; running out of bytes means a
/// damaged file. What is read goes into `hasher`.
struct Reader<'a, R: std::io::Read> {
    input: &'a mut R,
    left: usize,
    hasher: Option<crate::hash::Hasher>,
}

impl<R: std::io::Read> Reader<'_, R> {
    fn take(&mut self, n: usize) -> Result<Vec<u8>, Unusable> {
        if n > self.left {
            return Err(Unusable::Damaged);
        }
        // Grown as bytes come, so that a damaged length never asks for more memory
        // than the file holds.
        use std::io::Read as _;
        let mut bytes = Vec::with_capacity(n.min(1 << 16));
        (&mut *self.input)
            .take(n as u64)
            .read_to_end(&mut bytes)
            .map_err(|_| Unusable::Damaged)?;
        if bytes.len() != n {
            return Err(Unusable::Damaged);
        }
        self.left -= n;
        if let Some(h) = &mut self.hasher {
            std::io::Write::write_all(h, &bytes).map_err(|_| Unusable::Damaged)?;
        }
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Unusable> {
        self.take(N)?.try_into().map_err(|_| Unusable::Damaged)
    }

    fn len(&mut self) -> Result<usize, Unusable> {
        usize::try_from(u64::from_le_bytes(self.array()?)).map_err(|_| Unusable::Damaged)
    }

    fn string(&mut self) -> Result<String, Unusable> {
        let n = self.len()?;
        String::from_utf8(self.take(n)?).map_err(|_| Unusable::Damaged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_bodies_apart_by_their_markdown_options() {
        let cache = BodyCache::default();
        let links = LinkBase::default();
        let safe = cache
            .render("<b>x</b>", None, &links, Markdown::default(), || true)
            .expect("fits");
        let raw = cache
            .render(
                "<b>x</b>",
                None,
                &links,
                Markdown { unsafe_html: true },
                || true,
            )
            .expect("fits");
        assert!(
            safe.content_html.get().contains("&lt;b&gt;"),
            "{}",
            safe.content_html.get()
        );
        assert!(
            raw.content_html.get().contains("<b>x</b>"),
            "{}",
            raw.content_html.get()
        );
    }

    #[test]
    fn only_a_body_to_render_is_checked_and_one_that_does_not_fit_is_not_kept() {
        let links = LinkBase::default();
        let cache = BodyCache::default();
        cache.begin();
        assert!(
            cache
                .render("x", None, &links, Markdown::default(), || false)
                .is_none()
        );
        assert!(cache.is_empty(), "a body that does not fit is not kept");
        let asked = std::cell::Cell::new(0);
        let fits = || {
            asked.set(asked.get() + 1);
            true
        };
        let made = cache.render("x", None, &links, Markdown::default(), fits);
        let again = cache.render("x", None, &links, Markdown::default(), || {
            panic!("a body in the cache is not checked again")
        });
        assert_eq!(asked.get(), 1);
        assert_eq!(made.map(|b| b.key), again.map(|b| b.key));
    }

    #[test]
    fn a_saved_cache_loads_back_and_a_damaged_one_is_passed_over() -> anyhow::Result<()> {
        let site = tempfile::tempdir()?;
        let links = LinkBase {
            root: "/",
            page_url: "/posts/a/",
            assets: &[],
        };
        let text = "# Title\n\nSome *words*.\n\n```rust\nfn main() {}\n```\n";
        let cache = BodyCache::default();
        cache.begin();
        let made = cache
            .render(text, Some("Sum"), &links, Markdown::default(), || true)
            .expect("fits");
        cache.finish();
        cache.save(site.path())?;
        let loaded = BodyCache::load(site.path());
        assert_eq!(loaded.len(), 1);
        let again = loaded
            .render(text, Some("Sum"), &links, Markdown::default(), || true)
            .expect("fits");
        assert!(format!("{:?}", again.content_html).contains("stored at"));
        assert_eq!(again.content_html.get(), made.content_html.get());
        assert_eq!(again.text.get(), made.text.get());
        assert_eq!(again.summary_html, made.summary_html);
        assert_eq!(again.toc.len(), made.toc.len());
        assert_eq!(again.word_count, made.word_count);
        assert!(
            !loaded.changed.load(Ordering::SeqCst),
            "a hit changes nothing"
        );
        assert!(!loaded.read_failed());

        // Saved again from the texts it reads back: the same file.
        let path = site.path().join(FILE);
        let bytes = std::fs::read(&path)?;
        loaded.changed.store(true, Ordering::SeqCst);
        loaded.save(site.path())?;
        assert_eq!(std::fs::read(&path)?, bytes);

        // A damaged index, a file cut short, or not a cache: passed over whole.
        let damaged = |change: &dyn Fn(&mut Vec<u8>)| -> anyhow::Result<bool> {
            let mut spoilt = bytes.clone();
            change(&mut spoilt);
            std::fs::write(&path, &spoilt)?;
            Ok(BodyCache::load(site.path()).is_empty())
        };
        assert!(damaged(&|b| {
            let last = b.len() - 3;
            b[last] ^= 1;
        })?);
        assert!(damaged(&|b| b.truncate(b.len() - 1))?);
        assert!(damaged(&|b| b.truncate(40))?);
        assert!(damaged(&|b| b.push(0))?);
        assert!(damaged(&|b| *b = b"not a cache at all".to_vec())?);

        // A damaged text is found when it is read: it comes back empty and the
        // failure is noted, and a cache that holds its texts drops the entry.
        let html = made.content_html.get();
        let at = HEADER_LEN + 2;
        assert!(!damaged(&|b| b[at] ^= 1)?);
        let loaded = BodyCache::load(site.path());
        let again = loaded
            .render(text, Some("Sum"), &links, Markdown::default(), || true)
            .expect("fits");
        assert_eq!(again.content_html.get(), "");
        assert!(loaded.read_failed());
        assert_eq!(again.text.get(), made.text.get(), "the other text is whole");
        assert!(BodyCache::load_held(site.path()).is_empty());
        assert!(!html.is_empty());
        Ok(())
    }

    #[test]
    fn the_cache_is_never_written_through_a_link() -> anyhow::Result<()> {
        let site = tempfile::tempdir()?;
        let outside = tempfile::tempdir()?;
        std::os::unix::fs::symlink(outside.path(), site.path().join(".hearth"))?;
        let cache = BodyCache::default();
        cache.render("x", None, &LinkBase::default(), Markdown::default(), || {
            true
        });
        assert!(cache.save(site.path()).is_err());
        assert_eq!(std::fs::read_dir(outside.path())?.count(), 0);
        Ok(())
    }
}
