//! `search.json`: the index the theme's `/search/` page loads to search the posts,
//! members and events in the browser, bodies included, with no outside service.
//!
//! The file is one JSON object, written compactly because every visitor of the search
//! page downloads it (the page fetches it when the reader first reaches the search
//! field). `v` is the format version, raised when a key changes meaning.
//!
//! | key | what |
//! | --- | --- |
//! | `v` | `2` |
//! | `stop` | words too common to index; the page ignores them in a query |
//! | `items` | the documents, below; a document's number is its place in this list |
//! | `terms` | every indexed word (lower case, as written, accents kept) → the numbers of the documents that hold it; or, for a big site, → how many documents hold it, with the lists in `parts` |
//! | `parts` | only for a big site: `{"terms": P, "text": T, "chunk": N}`: the lists of the words starting with the character of code point X (hex) are in `P` + `X.json`; the text of documents `k*N` to `k*N+N-1` is the array in `T` + `k.json` |
//!
//! Each item has short keys:
//!
//! | key | always | what |
//! | --- | --- | --- |
//! | `k` | yes | kind: `post`, `member` or `event` |
//! | `t` | yes | title (a member's name) |
//! | `u` | yes | URL path, with the site's base path: `/members/priya-raman/` |
//! | `s` | yes | the summary as plain text, cut to about 200 characters (may be empty) |
//! | `g` | no | tags as written, absent when there are none |
//! | `r` | no | a member's role |
//! | `d` | no | a date for people: a post's date, an event's whole span (`when`) |
//! | `x` | no | `true` for a cancelled event |
//! | `b` | no | the body as plain text (for the snippet around a match); absent on a big site, whose texts are in `parts` |
//!
//! Words are runs of letters and digits, two characters or more, from the title,
//! summary, tags, role, date and body. The whole index stays in one file while it is
//! under [`SPLIT_ABOVE`] bytes; past that, the word lists and texts move to files
//! under `/search/` that the page fetches only for the words of a query and the
//! results it shows.
//!
//! Items come in the site's own order: posts newest first, members by name, events
//! soonest first. Only what the site publishes is indexed (drafts only with
//! `--drafts`), so the index never names a page that was not built.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::time::human_date;
use crate::model::{Body, EventStatus, Kind, Site};
use crate::render::Rendered;
use crate::render::views::when;

/// Where the index is written, relative to the output folder.
pub const PATH: &str = "search.json";

/// Where the parts of a big site's index go, relative to the output folder (beside
/// the search page, which is `search/index.html`).
const PARTS_DIR: &str = "search/";

/// An index bigger than this (in bytes) is split into parts.
pub const SPLIT_ABOVE: usize = 500_000;

/// Documents per text part of a split index.
const TEXT_CHUNK: usize = 40;

/// A body's text is kept up to this many characters for snippets (all its words
/// are indexed).
const TEXT_CHARS: usize = 12_000;

/// Summaries longer than this many characters are cut at a word boundary.
const SUMMARY_CHARS: usize = 200;

const FORMAT_VERSION: u32 = 2;

/// Words that nearly every document holds: indexing them costs the most and finds
/// nothing. The list travels in the index, so the page skips them in a query too.
const STOP_WORDS: &[&str] = &[
    "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "if", "in",
    "into", "is", "it", "its", "of", "on", "or", "our", "so", "that", "the", "their", "then",
    "there", "these", "this", "to", "was", "we", "were", "will", "with", "you", "your",
];

#[derive(Serialize)]
struct Index<'a, T: Serialize> {
    v: u32,
    stop: &'static [&'static str],
    items: &'a [Item<'a>],
    terms: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    parts: Option<Parts>,
}

#[derive(Serialize)]
struct Parts {
    terms: String,
    text: String,
    chunk: usize,
}

#[derive(Serialize)]
struct Item<'a> {
    k: Kind,
    t: &'a str,
    u: String,
    s: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    g: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    r: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    d: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    x: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    b: Option<&'a str>,
}

/// Every indexed word and the documents that hold it, in document order.
type Terms = BTreeMap<String, Vec<u32>>;

/// The search index of the site: one file, or for a big site the index and its parts.
pub fn files(site: &Site) -> Vec<Rendered> {
    let made = std::sync::Mutex::new(Vec::new());
    let kept = Source::of(site).each_file(&|file| {
        crate::output::lock(&made).push(file);
        Ok(())
    });
    debug_assert!(kept.is_ok(), "collecting cannot fail");
    made.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// What the index is made from: the site's items as the index shows them, and
/// their bodies. Gathered once for both the key and the files.
pub struct Source<'a> {
    site: &'a Site,
    items: Vec<Item<'a>>,
    bodies: Vec<&'a Body>,
}

impl<'a> Source<'a> {
    pub fn of(site: &'a Site) -> Source<'a> {
        let (items, bodies) = items(site);
        Source {
            site,
            items,
            bodies,
        }
    }

    /// The hash of everything the index is made from: its items, each body by the
    /// key of its inputs (its text is a function of them), and the site's base path
    /// (the parts' addresses). A build whose previous output holds the index made
    /// from the same key keeps it (see `render::Sink::has_group`).
    pub fn key(&self) -> u128 {
        let mut h = crate::hash::Hasher::default();
        h.field(&crate::hash::program().to_le_bytes())
            .field(self.site.config.root.as_bytes());
        for (item, body) in self.items.iter().zip(&self.bodies) {
            if serde_json::to_writer(&mut h, item).is_err() {
                // Cannot happen for strings and numbers; a key that matches nothing.
                h.field(b"unserializable");
            }
            match body.key {
                // A body made without its inputs' key: its text stands for it.
                0 => h.field(body.text.get().as_bytes()),
                key => h.field(&key.to_le_bytes()),
            };
        }
        h.finish()
    }

    /// Hands each file of the index to `put` as soon as it is made, so that a big
    /// site's parts (hundreds of files, tens of megabytes) are never all held at
    /// once. An error from `put` stops it.
    pub fn each_file(
        self,
        put: &(dyn Fn(Rendered) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<()> {
        let Source {
            site,
            items,
            bodies,
        } = self;
        let (terms, texts) = terms(&items, &bodies);
        // Texts too many bytes for one file (each is at least as long in JSON): the
        // whole index is never written out to be weighed.
        let Some(texts) = texts else {
            return split(site, items, &bodies, &terms, put);
        };
        let mut items: Vec<Item<'_>> = items;
        for (item, text) in items.iter_mut().zip(&texts) {
            item.b = Some(text.as_str()).filter(|b| !b.is_empty());
        }
        let whole = json(&Index {
            v: FORMAT_VERSION,
            stop: STOP_WORDS,
            items: &items,
            terms: &terms,
            parts: None,
        });
        if whole.len() <= SPLIT_ABOVE {
            return put(Rendered {
                path: PATH.to_string(),
                contents: whole,
            });
        }
        drop(whole);
        for item in &mut items {
            item.b = None;
        }
        split(site, items, &bodies, &terms, put)
    }
}

/// A body's text as the index shows it: cut for snippets.
fn shown_text(text: &str) -> String {
    cut_text(text, TEXT_CHARS).to_string()
}

/// A big site's index: the items and the vocabulary with document counts, and the
/// parts: word lists by first character, texts in chunks of [`TEXT_CHUNK`].
/// The texts are read again, a part at a time, so that they are never all held.
fn split(
    site: &Site,
    items: Vec<Item<'_>>,
    bodies: &[&Body],
    terms: &Terms,
    put: &(dyn Fn(Rendered) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<()> {
    let root = &site.config.root;
    let counts: BTreeMap<&str, usize> = terms.iter().map(|(w, d)| (w.as_str(), d.len())).collect();
    let index = json(&Index {
        v: FORMAT_VERSION,
        stop: STOP_WORDS,
        items: &items,
        terms: counts,
        parts: Some(Parts {
            terms: format!("{root}{PARTS_DIR}terms-"),
            text: format!("{root}{PARTS_DIR}text-"),
            chunk: TEXT_CHUNK,
        }),
    });
    put(Rendered {
        path: PATH.to_string(),
        contents: index,
    })?;
    let mut shards: BTreeMap<u32, BTreeMap<&str, &[u32]>> = BTreeMap::new();
    for (word, docs) in terms {
        let first = word.chars().next().map_or(0, u32::from);
        shards.entry(first).or_default().insert(word, docs);
    }
    for (first, lists) in shards {
        put(Rendered {
            path: format!("{PARTS_DIR}terms-{first:x}.json"),
            contents: json(&lists),
        })?;
    }
    use rayon::prelude::*;
    bodies
        .par_chunks(TEXT_CHUNK)
        .enumerate()
        .try_for_each(|(k, chunk)| {
            let texts: Vec<String> = chunk.iter().map(|b| shown_text(&b.text.get())).collect();
            put(Rendered {
                path: format!("{PARTS_DIR}text-{k}.json"),
                contents: json(&texts),
            })
        })
}

/// Serializing plain structs of strings and numbers into a String cannot fail.
fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("the search index serializes")
}

/// The items, and beside them the plain text of each one's body.
fn items(site: &Site) -> (Vec<Item<'_>>, Vec<&Body>) {
    use rayon::prelude::*;
    let summary = |text: &str| truncate_summary(text, SUMMARY_CHARS);
    let posts = site.posts.par_iter().map(|p| {
        let item = Item {
            k: Kind::Post,
            t: &p.title,
            u: p.route.url.clone(),
            s: summary(&p.body.summary_text),
            g: tag_names(&p.tags),
            r: None,
            d: Some(human_date(&p.date)),
            x: false,
            b: None,
        };
        (item, &*p.body)
    });
    let members = site.members.par_iter().map(|m| {
        let item = Item {
            k: Kind::Member,
            t: &m.name,
            u: m.route.url.clone(),
            s: summary(&m.body.summary_text),
            g: tag_names(&m.tags),
            r: m.role.as_deref().map(str::trim).filter(|r| !r.is_empty()),
            d: None,
            x: false,
            b: None,
        };
        (item, &*m.body)
    });
    let events = site.events.par_iter().map(|e| {
        let item = Item {
            k: Kind::Event,
            t: &e.title,
            u: e.route.url.clone(),
            s: summary(&e.body.summary_text),
            g: tag_names(&e.tags),
            r: None,
            d: Some(when(e)),
            x: e.status == EventStatus::Cancelled,
            b: None,
        };
        (item, &*e.body)
    });
    posts.chain(members).chain(events).unzip()
}

/// The words of every item (all its fields and its body), each with the numbers of
/// the items that hold it; and the items' texts as the index shows them, while they
/// are few enough bytes for one file. Each item's distinct words are found on its
/// own (in parallel), lower-cased into one buffer per item; then the lists are
/// gathered in item order, one look-up per distinct word of an item, and sorted once
/// at the end. Each body's text is read once, a chunk of items at a time, so that
/// the texts (and their lower-cased copies) of a big site are never all held at once.
fn terms(items: &[Item<'_>], bodies: &[&Body]) -> (Terms, Option<Vec<String>>) {
    use rayon::prelude::*;
    let mut terms: rustc_hash::FxHashMap<String, Vec<u32>> = rustc_hash::FxHashMap::default();
    let mut shown = Some(Vec::new());
    let mut shown_bytes = 0;
    for (chunk, (items, bodies)) in items.chunks(CHUNK).zip(bodies.chunks(CHUNK)).enumerate() {
        let found: Vec<(Distinct, Option<String>)> = items
            .par_iter()
            .zip(bodies)
            .map(|(item, body)| {
                let text = body.text.get();
                let fields = [
                    item.t,
                    &item.s,
                    item.r.unwrap_or(""),
                    item.d.as_deref().unwrap_or(""),
                    &text,
                ];
                let words = Distinct::of(fields.into_iter().chain(item.g.iter().copied()));
                let cut = shown.is_some().then(|| shown_text(&text));
                (words, cut)
            })
            .collect();
        let first = (chunk * CHUNK) as u32;
        for (number, (words, cut)) in (first..).zip(found) {
            for word in words.iter() {
                match terms.get_mut(word) {
                    Some(docs) => docs.push(number),
                    None => {
                        terms.insert(word.to_string(), vec![number]);
                    }
                }
            }
            if let (Some(texts), Some(cut)) = (&mut shown, cut) {
                shown_bytes += cut.len();
                texts.push(cut);
            }
        }
        if shown_bytes > SPLIT_ABOVE {
            shown = None;
        }
    }
    (terms.into_iter().collect(), shown)
}

/// Items whose words are found at once, in parallel.
const CHUNK: usize = 512;

/// The distinct indexed words of one item, lower-cased, in the order first met.
struct Distinct {
    lowered: String,
    words: Vec<(usize, usize)>,
}

impl Distinct {
    fn of<'t>(texts: impl Iterator<Item = &'t str>) -> Distinct {
        let mut lowered = String::new();
        let mut all = Vec::new();
        for text in texts {
            for word in words(text) {
                let start = lowered.len();
                if word.is_ascii() {
                    lowered.push_str(word);
                    lowered[start..].make_ascii_lowercase();
                } else {
                    // Whole-word rules (a Greek final sigma) as the browser applies them.
                    lowered.push_str(&word.to_lowercase());
                }
                if is_stop_word(&lowered[start..]) {
                    lowered.truncate(start);
                } else {
                    all.push((start, lowered.len()));
                }
            }
        }
        let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
        seen.reserve(all.len() / 2);
        let words = all
            .into_iter()
            .filter(|&(a, b)| seen.insert(&lowered[a..b]))
            .collect();
        drop(seen);
        Distinct { lowered, words }
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(|&(a, b)| &self.lowered[a..b])
    }
}

/// The runs of letters and digits of `text` that are at least two characters long
/// (the indexed words, before lower-casing and leaving out stop words).
fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

/// The iterator of [`words`]: ASCII is classified a byte at a time, other text a
/// character at a time, with the same rule (`char::is_alphanumeric`) for both.
struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let mut start = None;
        let mut chars = 0;
        while self.at < bytes.len() {
            let b = bytes[self.at];
            let (word, len) = if b.is_ascii() {
                (b.is_ascii_alphanumeric(), 1)
            } else {
                let c = self.text[self.at..].chars().next()?;
                (c.is_alphanumeric(), c.len_utf8())
            };
            if word {
                start.get_or_insert(self.at);
                chars += 1;
            } else if let Some(s) = start.take() {
                if chars >= 2 {
                    let found = &self.text[s..self.at];
                    self.at += len;
                    return Some(found);
                }
                chars = 0;
            }
            self.at += len;
        }
        start.filter(|_| chars >= 2).map(|s| &self.text[s..self.at])
    }
}

fn is_stop_word(lower: &str) -> bool {
    // Every stop word is short: most words need no look at the list.
    lower.len() <= 5 && STOP_WORDS.contains(&lower)
}

/// The first `max` characters of `text`, cut at a char boundary.
fn cut_text(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

/// Tags as the pages print them: trimmed, blank ones left out.
fn tag_names(tags: &[String]) -> Vec<&str> {
    tags.iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect()
}

/// `text` with its whitespace collapsed, cut to at most `max` characters plus `…`.
/// The cut goes at the last space when there is one in the second half, so words
/// stay whole; a single very long word is cut inside (always at a char boundary).
fn truncate_summary(text: &str, max: usize) -> String {
    // Collapsed word by word, and only as far as the cut can reach.
    let mut collapsed = String::with_capacity(text.len().min(4 * max + 8));
    let mut chars = 0;
    for word in text.split_whitespace() {
        if chars > max {
            break;
        }
        if !collapsed.is_empty() {
            collapsed.push(' ');
            chars += 1;
        }
        collapsed.push_str(word);
        chars += word.chars().count();
    }
    let text = collapsed;
    let Some((cut, _)) = text.char_indices().nth(max) else {
        return text;
    };
    let head = &text[..cut];
    let head = match head.rfind(' ') {
        Some(space) if head[..space].chars().count() >= max / 2 => &head[..space],
        _ => head,
    };
    let head = head.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—".contains(c));
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_the_runs_of_two_or_more_letters_and_digits() {
        let plain = |text: &str| -> Vec<String> {
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().nth(1).is_some())
                .map(str::to_string)
                .collect()
        };
        for text in [
            "",
            "a",
            "ab",
            "a b cd",
            "Héllo, wörld! x 42 ñ ÅÄ",
            "snake_case and kebab-case, e.g. x1y2",
            "日本語のテキスト ok",
            "ends with é",
            "é",
            "  — «quoted» 3.14 ",
        ] {
            let ours: Vec<&str> = words(text).collect();
            assert_eq!(ours, plain(text), "{text:?}");
        }
    }

    use jiff::Zoned;
    use jiff::tz::TimeZone;

    use crate::config::Config;
    use crate::model::{Body, Event, Member, Post, Slug, Source};

    fn config(root: &str) -> Config {
        Config {
            title: "Test club".into(),
            base_url: format!("https://example.org{}", root.trim_end_matches('/')),
            root: root.into(),
            description: String::new(),
            tagline: String::new(),
            logo: None,
            image: None,
            links: Vec::new(),
            language: "en".into(),
            timezone: TimeZone::UTC,
            timezone_name: "UTC".into(),
            theme: "hearth".into(),
            posts_per_page: 10,
            feed_limit: 20,
            text: String::new(),
            extra: serde_json::Value::Null,
            newsletter: None,
            smtp: None,
            markdown: Default::default(),
            permalinks: Default::default(),
        }
    }

    /// The default route; `site` places it under the site's root.
    fn route(kind: Kind, title: &str) -> crate::model::Route {
        crate::model::Permalinks::default().route("/", kind, &slug(title), None)
    }

    fn source() -> Source {
        Source {
            path: "content/x.md".into(),
            assets: Vec::new(),
            bundle_dir: None,
            stamp: crate::model::new_stamp(),
        }
    }

    fn body(summary: &str) -> Body {
        Body {
            summary_text: summary.into(),
            ..Body::default()
        }
    }

    fn slug(text: &str) -> Slug {
        Slug::from_text(text).expect("a valid slug")
    }

    fn zoned(text: &str) -> Zoned {
        text.parse().expect("a valid zoned date-time")
    }

    fn post(title: &str, date: &str, tags: &[&str]) -> Post {
        Post {
            source: source(),
            slug: slug(title),
            route: route(Kind::Post, title),
            title: title.into(),
            date: zoned(date),
            updated: None,
            draft: false,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            authors: Vec::new(),
            image: None,
            newsletter: true,
            event: None,
            body: body("A post about things.").into(),
            extra: serde_json::Value::Null,
        }
    }

    fn member(name: &str, role: Option<&str>) -> Member {
        Member {
            source: source(),
            slug: slug(name),
            route: route(Kind::Member, name),
            name: name.into(),
            role: role.map(Into::into),
            pronouns: None,
            avatar: None,
            joined: None,
            location: None,
            links: Vec::new(),
            tags: vec!["accessibility".into()],
            spotlight: None,
            draft: false,
            body: body("Priya audits websites.").into(),
            extra: serde_json::Value::Null,
        }
    }

    fn event(title: &str, status: EventStatus) -> Event {
        Event {
            source: source(),
            slug: slug(title),
            route: route(Kind::Event, title),
            title: title.into(),
            start: zoned("2026-12-03T18:30:00+01:00[Europe/Zurich]"),
            end: Some(zoned("2026-12-03T21:00:00+01:00[Europe/Zurich]")),
            all_day: false,
            timezone: "Europe/Zurich".into(),
            location: None,
            online: None,
            rsvp: None,
            organizers: Vec::new(),
            tags: Vec::new(),
            status,
            image: None,
            series: None,
            occurrences: vec![crate::model::Occurrence {
                start: zoned("2026-12-03T18:30:00+01:00[Europe/Zurich]"),
                end: Some(zoned("2026-12-03T21:00:00+01:00[Europe/Zurich]")),
            }],
            draft: false,
            body: body("").into(),
            extra: serde_json::Value::Null,
        }
    }

    fn site(root: &str) -> Site {
        let mut site = Site {
            config: config(root),
            now: "2026-11-22T12:00:00Z".parse().expect("a timestamp"),
            posts: vec![post(
                "Winter programme",
                "2026-11-16T00:00:00+01:00[Europe/Zurich]",
                &["events", " "],
            )],
            members: vec![
                member("Priya Raman", Some("Accessibility lead")),
                member("Noah Keller", None),
            ],
            events: vec![
                event("Winter Rust Night", EventStatus::Scheduled),
                event("Year-end social", EventStatus::Cancelled),
            ],
            member_index: Default::default(),
            event_index: Default::default(),
            recap_index: Default::default(),
            pages: Vec::new(),
            issues: Vec::new(),
            images: Default::default(),
            hidden_until: None,
            tags: Default::default(),
            data: Default::default(),
            sponsors: Vec::new(),
        };
        site.index_items();
        let at_root = |r: &mut crate::model::Route| r.url = format!("{root}{}", &r.url[1..]);
        site.posts.iter_mut().for_each(|p| at_root(&mut p.route));
        site.members.iter_mut().for_each(|m| at_root(&mut m.route));
        site.events.iter_mut().for_each(|e| at_root(&mut e.route));
        site
    }

    fn index(site: &Site) -> serde_json::Value {
        let files = files(site);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, "search.json");
        serde_json::from_str(&files[0].contents).expect("the index is JSON")
    }

    #[test]
    fn the_index_lists_posts_then_members_then_events_with_short_keys() {
        let index = index(&site("/"));
        assert_eq!(index["v"], 2);
        let items = index["items"].as_array().expect("items");
        let kinds: Vec<&str> = items.iter().map(|i| i["k"].as_str().expect("k")).collect();
        assert_eq!(kinds, ["post", "member", "member", "event", "event"]);
        assert_eq!(
            items[0],
            serde_json::json!({
                "k": "post",
                "t": "Winter programme",
                "u": "/posts/winter-programme/",
                "s": "A post about things.",
                "g": ["events"],
                "d": "16 November 2026",
            })
        );
        assert_eq!(
            items[1],
            serde_json::json!({
                "k": "member",
                "t": "Priya Raman",
                "u": "/members/priya-raman/",
                "s": "Priya audits websites.",
                "g": ["accessibility"],
                "r": "Accessibility lead",
            })
        );
        assert!(items[2].get("r").is_none(), "no role, no key");
    }

    #[test]
    fn events_carry_their_span_for_people_and_a_cancelled_flag() {
        let index = index(&site("/"));
        let winter = &index["items"][3];
        assert_eq!(winter["u"], "/events/winter-rust-night/");
        assert_eq!(winter["d"], "Thursday 3 December 2026, 18:30–21:00 CET");
        assert_eq!(winter["s"], "");
        assert!(winter.get("x").is_none());
        assert_eq!(index["items"][4]["x"], true);
    }

    #[test]
    fn urls_include_the_sites_base_path() {
        let index = index(&site("/club/"));
        assert_eq!(index["items"][0]["u"], "/club/posts/winter-programme/");
        assert_eq!(index["items"][1]["u"], "/club/members/priya-raman/");
    }

    #[test]
    fn body_words_are_indexed_with_the_documents_that_hold_them() {
        let mut site = site("/");
        std::sync::Arc::make_mut(&mut site.posts[0].body).text =
            "We use thiserror, and Thiserror again; a Zürich café.".into();
        let index = index(&site);
        assert_eq!(index["terms"]["thiserror"], serde_json::json!([0]));
        assert_eq!(index["terms"]["zürich"], serde_json::json!([0]));
        assert_eq!(index["terms"]["winter"], serde_json::json!([0, 3]));
        assert!(
            index["terms"].get("and").is_none(),
            "stop words are left out"
        );
        assert!(
            index["terms"].get("a").is_none(),
            "one letter is not a word"
        );
        assert_eq!(index["items"][0]["b"], *site.posts[0].body.text.get());
        assert!(index.get("parts").is_none());
    }

    #[test]
    fn a_big_index_is_split_into_word_lists_and_texts() {
        let mut site = site("/club/");
        let post = site.posts.remove(0);
        for n in 0..300 {
            let mut p = post.clone();
            let body = std::sync::Arc::make_mut(&mut p.body);
            let mut text: String = (0..300).map(|w| format!("common{w} ")).collect();
            text.push_str(&format!("only{n}"));
            body.text = text.into();
            site.posts.push(p);
        }
        let files = files(&site);
        assert!(files.len() > 2, "split into parts");
        let index: serde_json::Value = serde_json::from_str(&files[0].contents).expect("JSON");
        assert!(files[0].contents.len() < SPLIT_ABOVE);
        assert_eq!(index["terms"]["only7"], 1, "a count, not a list");
        assert_eq!(index["terms"]["common3"], 300);
        assert_eq!(index["parts"]["terms"], "/club/search/terms-");
        assert!(index["items"][0].get("b").is_none());
        let shard = files
            .iter()
            .find(|f| f.path == "search/terms-6f.json")
            .expect("o shard");
        let lists: serde_json::Value = serde_json::from_str(&shard.contents).expect("JSON");
        assert_eq!(lists["only7"], serde_json::json!([7]));
        let text = files
            .iter()
            .find(|f| f.path == "search/text-0.json")
            .expect("texts");
        let texts: Vec<String> = serde_json::from_str(&text.contents).expect("JSON");
        assert_eq!(texts.len(), TEXT_CHUNK);
        assert!(texts[1].starts_with("common0 common1"));
        assert!(texts[1].ends_with("only1"));
    }

    #[test]
    fn the_same_site_gives_the_same_bytes() {
        assert_eq!(files(&site("/"))[0].contents, files(&site("/"))[0].contents);
    }

    #[test]
    fn every_stop_word_is_short_enough_for_the_quick_check() {
        assert!(STOP_WORDS.iter().all(|w| w.len() <= 5));
    }

    #[test]
    fn short_summaries_are_kept_whole_with_whitespace_collapsed() {
        assert_eq!(truncate_summary("  Hello\n  world  ", 200), "Hello world");
        assert_eq!(truncate_summary("", 200), "");
        let exact = "a".repeat(200);
        assert_eq!(truncate_summary(&exact, 200), exact);
    }

    #[test]
    fn long_summaries_are_cut_at_a_word_boundary() {
        let text = "word ".repeat(60);
        let cut = truncate_summary(&text, 200);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= 201, "{cut}");
        let commas = "one, two, three, four, five";
        assert_eq!(truncate_summary(commas, 12), "one, two…");
    }

    #[test]
    fn a_long_word_is_cut_at_a_char_boundary() {
        let text = "é".repeat(300);
        let cut = truncate_summary(&text, 200);
        assert_eq!(cut.chars().count(), 201);
        assert!(cut.ends_with("é…"));
    }
}
