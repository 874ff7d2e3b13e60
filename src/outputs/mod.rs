//! Files for machines rather than people: feeds, iCalendar files, the sitemap and
//! robots.txt, and the search index. One artefact per file; each is a pure function
//! of the loaded site.

pub mod events_json;
pub mod feed_json;
pub mod feeds;
pub mod ical;
pub mod links;
pub mod redirects;
pub mod search;
pub mod sitemap;

use std::sync::{Arc, Mutex};

use crate::model::Site;
use crate::output::lock;
use crate::render::Rendered;

/// Files `hearth serve` keeps from one build to the next, each with the hash of
/// what it was made from: a build takes the kept file when the hash is the same
/// instead of making it again. The hashes may hold stamps
/// ([`crate::model::Source::stamp`]), which mean something within one process only:
/// a memo lives in memory and is never written anywhere.
#[derive(Debug, Default)]
pub struct Memo(Mutex<Kept>);

#[derive(Debug, Default)]
struct Kept {
    /// The files of the last build that this one has not used (yet).
    last: rustc_hash::FxHashMap<String, (u128, Arc<str>)>,
    /// The files of this build.
    this: rustc_hash::FxHashMap<String, (u128, Arc<str>)>,
}

impl Memo {
    /// Starts a build: the files the last build did not use are let go.
    pub fn begin(&self) {
        let mut kept = lock(&self.0);
        kept.last = std::mem::take(&mut kept.this);
    }

    /// The file at `path` made from inputs with this key: kept, or made by `make`.
    fn get_or_make(&self, path: &str, key: u128, make: impl FnOnce() -> String) -> String {
        {
            let mut kept = lock(&self.0);
            let found = kept.last.remove(path).or_else(|| kept.this.remove(path));
            if let Some((k, text)) = found.filter(|(k, _)| *k == key) {
                let copy = text.to_string();
                kept.this.insert(path.to_string(), (k, text));
                return copy;
            }
        }
        let made = make();
        lock(&self.0)
            .this
            .insert(path.to_string(), (key, Arc::from(made.as_str())));
        made
    }
}

/// The file at `path`: from `memo` when it holds it for the key `key` makes, else
/// made by `make`. Without a memo (`hearth build`) no key is made.
pub fn kept_or_made(
    memo: Option<&Memo>,
    path: &str,
    key: impl FnOnce() -> u128,
    make: impl FnOnce() -> String,
) -> String {
    match memo {
        Some(memo) => memo.get_or_make(path, key(), make),
        None => make(),
    }
}

/// The machine-readable files that do not depend on the rendered pages, besides
/// the search index (`search::files`): feeds and calendars, made in parallel. The
/// sitemap (`sitemap::files`) lists the rendered pages. With a memo (`hearth serve`),
/// the calendars of events that did not change are taken from it.
pub fn without_pages(site: &Site, memo: Option<&Memo>) -> Vec<Rendered> {
    let (mut out, calendars) = rayon::join(|| feeds::files(site), || ical::files(site, memo));
    out.extend(calendars);
    out.extend(feed_json::files(site));
    out.extend(events_json::files(site));
    out
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(text: &str) -> String {
    crate::render::escape_html(text)
}

pub use links::absolute_links;
