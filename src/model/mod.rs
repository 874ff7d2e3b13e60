//! The site as hearth understands it once every file is loaded and checked: posts,
//! members, events and pages with resolved dates, slugs and cross-references.
//! Nothing here touches the disk; rendering reads only these types.

pub mod issue;
pub mod picture;
pub mod route;
pub mod series;
pub mod slug;
pub mod time;
pub mod url;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use jiff::Zoned;
use jiff::civil::Date;

use crate::config::Config;
pub use picture::{Picture, Resized};
pub use route::{Alias, Kind, Permalinks, Route};
pub use series::{Occurrence, Series};
pub use slug::Slug;
pub use url::SafeUrl;

/// A heading of a document, for tables of contents and `#anchor` checks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// What the markdown body of any document turns into.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub content_html: Text,
    pub summary_html: String,
    pub summary_text: String,
    /// The whole body as plain text, whitespace collapsed: what search indexes.
    pub text: Text,
    pub toc: Vec<Heading>,
    pub word_count: usize,
    /// The hash of everything the body was rendered from (see `content::cache`):
    /// two bodies with one key are the same body. Page keys hash this instead of
    /// the HTML.
    pub key: u128,
}

/// A long text of a body (its HTML, its plain text): held in memory, or left in a
/// [`Store`] (the body cache's file) and read each time it is asked for, so that a
/// build which renders few pages never holds every body at once.
#[derive(Clone)]
pub struct Text(Held);

#[derive(Clone)]
enum Held {
    Here(String),
    Stored {
        store: std::sync::Arc<dyn Store>,
        at: u64,
        len: usize,
        check: u128,
    },
}

/// Where stored texts are kept. Reading never fails loudly: a text that cannot be
/// read back as it was written comes back empty, and the store remembers the
/// failure for the build to report (see `content::cache`).
pub trait Store: Send + Sync {
    /// The `len` bytes at `at`, whose hash is `check`.
    fn read(&self, at: u64, len: usize, check: u128) -> String;
}

impl Text {
    /// A text kept in `store`: `len` bytes at `at`, with the hash `check`.
    pub fn stored(store: std::sync::Arc<dyn Store>, at: u64, len: usize, check: u128) -> Text {
        Text(Held::Stored {
            store,
            at,
            len,
            check,
        })
    }

    /// The text, read from its store if it is not held.
    pub fn get(&self) -> std::borrow::Cow<'_, str> {
        match &self.0 {
            Held::Here(text) => std::borrow::Cow::Borrowed(text),
            Held::Stored {
                store,
                at,
                len,
                check,
            } => std::borrow::Cow::Owned(store.read(*at, *len, *check)),
        }
    }
}

impl Default for Text {
    fn default() -> Text {
        Text(Held::Here(String::new()))
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(Held::Here(text))
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text(Held::Here(text.to_string()))
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Held::Here(text) => text.fmt(f),
            Held::Stored { at, len, .. } => write!(f, "<{len} bytes stored at {at}>"),
        }
    }
}

/// Where a document came from, and the files that travel with it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The markdown file, relative to the site folder.
    pub path: PathBuf,
    /// Files beside a bundle's `index.md` (relative to the bundle folder), copied
    /// next to the rendered page. Empty for a single-file document.
    pub assets: Vec<PathBuf>,
    /// The bundle folder, relative to the site folder.
    pub bundle_dir: Option<PathBuf>,
    /// Which reading of the document this is: a new number each time it is read,
    /// the same for a document `hearth serve` kept from an earlier build (see
    /// [`crate::content::memo`]). An item is made whole when its document is read
    /// and never changed after, so two items with one stamp are the same.
    pub stamp: u64,
}

/// A new [`Source::stamp`].
pub fn new_stamp() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

#[derive(Debug, Clone)]
pub struct Post {
    pub source: Source,
    pub slug: Slug,
    /// Its URL, output file and aliases.
    pub route: Route,
    pub title: String,
    pub date: Zoned,
    pub updated: Option<Zoned>,
    pub draft: bool,
    pub tags: Vec<String>,
    pub authors: Vec<Slug>,
    /// URL path (or absolute URL) of the post's image.
    pub image: Option<SafeUrl>,
    /// Whether the newsletter digest includes this post.
    pub newsletter: bool,
    /// The event this post recaps (`event`), checked to exist.
    pub event: Option<Slug>,
    pub body: std::sync::Arc<Body>,
    pub extra: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct Member {
    pub source: Source,
    pub slug: Slug,
    /// Its URL, output file and aliases.
    pub route: Route,
    pub name: String,
    pub role: Option<String>,
    pub pronouns: Option<String>,
    /// URL path (or absolute URL) of the portrait.
    pub avatar: Option<SafeUrl>,
    pub joined: Option<Date>,
    pub location: Option<String>,
    /// Label and URL, sorted by label.
    pub links: Vec<(String, SafeUrl)>,
    pub tags: Vec<String>,
    pub spotlight: Option<Date>,
    pub draft: bool,
    pub body: std::sync::Arc<Body>,
    pub extra: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventStatus {
    Scheduled,
    Cancelled,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub source: Source,
    pub slug: Slug,
    /// Its URL, output file and aliases.
    pub route: Route,
    pub title: String,
    /// Start, in the event's own time zone.
    pub start: Zoned,
    pub end: Option<Zoned>,
    /// True when `start` was written as a date without a time.
    pub all_day: bool,
    pub timezone: String,
    pub location: Option<String>,
    pub online: Option<SafeUrl>,
    pub rsvp: Option<SafeUrl>,
    pub organizers: Vec<Slug>,
    pub tags: Vec<String>,
    pub status: EventStatus,
    /// URL path (or absolute URL) of the event's picture.
    pub image: Option<SafeUrl>,
    /// The rule of a series (`[repeat]`); `None` for a single event.
    pub series: Option<Series>,
    /// Every date of the event, soonest first: `start`/`end` alone for a single
    /// event, one per date of a series. Never empty.
    pub occurrences: Vec<Occurrence>,
    pub draft: bool,
    pub body: std::sync::Arc<Body>,
    pub extra: serde_json::Value,
}

impl Event {
    /// The event is upcoming until its last date has ended (or, without an end,
    /// started).
    pub fn is_upcoming(&self, now: &jiff::Timestamp) -> bool {
        self.occurrences.iter().any(|o| o.is_upcoming(now))
    }

    /// The date to show for the event as a whole: the next that has not ended, else
    /// the last.
    pub fn current(&self, now: &jiff::Timestamp) -> Occurrence {
        self.occurrences
            .iter()
            .find(|o| o.is_upcoming(now))
            .or(self.occurrences.last())
            .cloned()
            .unwrap_or_else(|| Occurrence {
                start: self.start.clone(),
                end: self.end.clone(),
            })
    }
}

/// A sponsor of the community (`data/sponsors.*`), in file order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sponsor {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<SafeUrl>,
    /// A path under the site root or an absolute URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo: Option<SafeUrl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub source: Source,
    pub slug: Slug,
    /// Its URL, output file and aliases.
    pub route: Route,
    pub title: String,
    pub menu: Option<i64>,
    pub draft: bool,
    pub body: std::sync::Arc<Body>,
    pub extra: serde_json::Value,
}

/// A tag and the indices of everything that carries it.
#[derive(Debug, Clone, Default)]
pub struct Tag {
    pub name: String,
    pub posts: Vec<usize>,
    pub members: Vec<usize>,
    pub events: Vec<usize>,
}

/// Everything that will be published, already filtered (drafts and future posts left
/// out unless asked for) and ordered.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    /// The instant the build treats as now.
    pub now: jiff::Timestamp,
    /// Newest first.
    pub posts: Vec<Post>,
    /// By name.
    pub members: Vec<Member>,
    /// Where each member is in `members`, by slug (see `Site::index_items`).
    pub(crate) member_index: HashMap<Slug, usize>,
    /// Where each event is in `events`, by slug.
    pub(crate) event_index: HashMap<Slug, usize>,
    /// The posts that recap each event (`event = "slug"`), as places in `posts`.
    pub(crate) recap_index: HashMap<Slug, Vec<usize>>,
    /// By start, soonest first.
    pub events: Vec<Event>,
    /// By menu weight, then title.
    pub pages: Vec<Page>,
    pub tags: BTreeMap<Slug, Tag>,
    /// `data/NAME.*` by NAME (`site.data.NAME` in templates).
    pub data: BTreeMap<String, serde_json::Value>,
    /// The rows of `data/sponsors.*`, checked.
    pub sponsors: Vec<Sponsor>,
    /// The newsletter issues sent so far, oldest first (`newsletter/issues.toml`).
    pub issues: Vec<issue::Issue>,
    /// Avatars and post and event images resized for the theme (`crate::images`).
    pub images: Resized,
    /// When the first post left out for being in the future comes out.
    pub hidden_until: Option<jiff::Timestamp>,
}

impl Site {
    /// The source file and route of every published item: posts, members, events,
    /// then pages.
    pub fn routes(&self) -> impl Iterator<Item = (&Source, &Route)> {
        let posts = self.posts.iter().map(|p| (&p.source, &p.route));
        let members = self.members.iter().map(|m| (&m.source, &m.route));
        let events = self.events.iter().map(|e| (&e.source, &e.route));
        let pages = self.pages.iter().map(|p| (&p.source, &p.route));
        posts.chain(members).chain(events).chain(pages)
    }

    /// The posts that recap `event` (`event = "slug"`), newest first.
    pub fn recaps_of<'a>(&'a self, event: &'a Slug) -> impl Iterator<Item = &'a Post> + 'a {
        let places = self.recap_index.get(event).map_or(&[][..], Vec::as_slice);
        places.iter().map(|&i| &self.posts[i])
    }

    pub fn event(&self, slug: &Slug) -> Option<&Event> {
        self.event_index.get(slug).map(|&i| &self.events[i])
    }

    pub fn member(&self, slug: &Slug) -> Option<&Member> {
        self.member_index.get(slug).map(|&i| &self.members[i])
    }

    /// Rebuilds the look-ups by slug after `members`, `events` or `posts` changed.
    pub(crate) fn index_items(&mut self) {
        fn places<'a>(slugs: impl Iterator<Item = &'a Slug>) -> HashMap<Slug, usize> {
            slugs.cloned().zip(0..).collect()
        }
        self.member_index = places(self.members.iter().map(|m| &m.slug));
        self.event_index = places(self.events.iter().map(|e| &e.slug));
        self.recap_index.clear();
        for (i, post) in self.posts.iter().enumerate() {
            if let Some(event) = &post.event {
                self.recap_index.entry(event.clone()).or_default().push(i);
            }
        }
    }

    /// The first instant after `now` at which this site would be built differently
    /// with nothing changed but the clock: a post comes out, an event date ends (or,
    /// without an end, starts), a member's spotlight day begins. Outputs that look
    /// further ahead say so themselves (`outputs::events_json`).
    pub fn next_change(&self) -> Option<jiff::Timestamp> {
        let ended = self
            .events
            .iter()
            .flat_map(|e| &e.occurrences)
            .filter(|o| o.is_upcoming(&self.now))
            // Upcoming until the instant after it ends.
            .filter_map(|o| {
                o.ends_at()
                    .checked_add(jiff::SignedDuration::from_nanos(1))
                    .ok()
            });
        let tz = &self.config.timezone;
        let today = self.now.to_zoned(tz.clone()).date();
        let spotlights = self
            .members
            .iter()
            .filter_map(|m| m.spotlight)
            .filter(|d| *d > today)
            .filter_map(|d| d.to_zoned(tz.clone()).ok().map(|z| z.timestamp()));
        let hidden = self.hidden_until.filter(|at| *at > self.now);
        ended.chain(spotlights).chain(hidden).min()
    }

    /// The member featured now: the latest spotlight date that is not in the future.
    pub fn current_spotlight(&self) -> Option<&Member> {
        let today = self.now.to_zoned(self.config.timezone.clone()).date();
        self.members
            .iter()
            .filter(|m| m.spotlight.is_some_and(|d| d <= today))
            .max_by_key(|m| m.spotlight)
    }
}
