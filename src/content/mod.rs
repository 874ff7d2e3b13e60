//! Loading a site folder: every content file is read, split, parsed and checked, all
//! problems are collected, and what is published is assembled into a `model::Site`.

pub mod cache;
pub mod data;
pub mod discover;
pub mod documents;
pub mod frontmatter;
pub mod highlight;
pub mod issues;
pub mod keys;
pub mod markdown;
pub mod memo;
pub mod wording;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use jiff::Timestamp;

use crate::config::Config;
use crate::diag::{Diagnostics, Location};
use crate::model::route::Kind;
use crate::model::{Event, Member, Page, Post, Site, Slug, Tag};
use discover::DocFile;
use documents::{Context, Doc};

/// Which content a build publishes, and how.
#[derive(Debug, Clone, Copy)]
pub struct Visibility<'a> {
    /// Publish drafts and future-dated posts too.
    pub drafts: bool,
    pub now: Timestamp,
    /// Rendered bodies of an earlier build to reuse (`hearth serve`).
    pub cache: Option<&'a cache::BodyCache>,
    /// Documents loaded by an earlier build of the same `hearth serve`.
    pub memo: Option<&'a memo::Documents>,
}

/// URL names the site itself uses at its root; a page cannot take them.
const RESERVED_SLUGS: &[&str] = &[
    "posts",
    "members",
    "events",
    "tags",
    "newsletter",
    "search",
    "page",
    "404",
    "atom-xml",
    "rss-xml",
    "feed-json",
    "events-json",
];

/// Loads and checks every content file of the site. Problems go into `diags`; the
/// site is returned even when some files failed, so that all problems are found.
pub fn load(
    site_dir: &Path,
    config: Config,
    visibility: Visibility<'_>,
    diags: &mut Diagnostics,
) -> Site {
    let reader = Reader {
        site_dir,
        cache: visibility.cache,
        memo: visibility.memo,
    };
    let (members, member_claims) =
        reader.each_doc("members", 0, diags, |doc| documents::member(doc, &config));
    let member_slugs: BTreeSet<Slug> = members.iter().map(|m| m.slug.clone()).collect();
    let no_events = BTreeSet::new();
    let ctx = Context {
        config: &config,
        member_slugs: &member_slugs,
        event_slugs: &no_events,
    };
    let (events, event_claims) = reader.each_doc(
        "events",
        memo::context(&member_slugs, &no_events),
        diags,
        |doc| documents::event(doc, &ctx),
    );
    // Posts may recap events (`event = "slug"`), so events load first.
    let event_slugs: BTreeSet<Slug> = event_claims.iter().map(|(slug, _)| slug.clone()).collect();
    let ctx = Context {
        event_slugs: &event_slugs,
        ..ctx
    };
    let (posts, post_claims) = reader.each_doc(
        "posts",
        memo::context(&member_slugs, &event_slugs),
        diags,
        |doc| documents::post(doc, &ctx),
    );
    let (pages, page_claims) =
        reader.each_doc("pages", 0, diags, |doc| documents::page(doc, &config));

    // Over every document whose slug is known, also those with other errors, so that
    // a first run lists all collisions.
    check_unique("post", &post_claims, diags);
    check_unique("member", &member_claims, diags);
    check_unique("event", &event_claims, diags);
    check_unique("page", &page_claims, diags);
    for page in &pages {
        if RESERVED_SLUGS.contains(&page.slug.as_str()) {
            diags.error(
                &page.source.path,
                None,
                format!("a page cannot have the slug `{}`: the site uses /{}/ itself; set another `slug`", page.slug, page.slug),
            );
        }
    }

    diags.group_repeats(GROUP_AFTER);
    note_future_posts(&posts, visibility, diags);
    let shown = |draft: bool| visibility.drafts || !draft;
    let hidden_until = posts
        .iter()
        .filter(|p| !visibility.drafts && !p.draft)
        .map(|p| p.date.timestamp())
        .filter(|at| *at > visibility.now)
        .min();
    let posts: Vec<Post> = posts
        .into_iter()
        .filter(|p| shown(p.draft) && (visibility.drafts || p.date.timestamp() <= visibility.now))
        .collect();
    let mut members: Vec<Member> = members.into_iter().filter(|m| shown(m.draft)).collect();
    let mut events: Vec<Event> = events.into_iter().filter(|e| shown(e.draft)).collect();
    let mut pages: Vec<Page> = pages.into_iter().filter(|p| shown(p.draft)).collect();

    let posts = newest_first(posts);
    members.sort_by_cached_key(|m| (m.name.to_lowercase(), m.slug.clone()));
    events.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.slug.cmp(&b.slug)));
    pages.sort_by(|a, b| {
        (a.menu.is_none(), a.menu, &a.title, &a.slug).cmp(&(
            b.menu.is_none(),
            b.menu,
            &b.title,
            &b.slug,
        ))
    });

    let tags = collect_tags(&posts, &members, &events);
    let data = data::load(site_dir, &config.root, diags);
    let sponsors = data::sponsors(&data, diags);
    let mut site = Site {
        config,
        now: visibility.now,
        posts,
        members,
        member_index: Default::default(),
        event_index: Default::default(),
        recap_index: Default::default(),
        events,
        pages,
        tags,
        data,
        sponsors,
        issues: Vec::new(),
        images: Default::default(),
        hidden_until,
    };
    site.index_items();
    check_routes(&site, site_dir, diags);
    site
}

/// No two published items, or their aliases, may claim the same output file. Each
/// clash is told at the file that came second (an alias always counts as second),
/// naming the first.
fn check_routes(site: &Site, site_dir: &Path, diags: &mut Diagnostics) {
    let mut taken: rustc_hash::FxHashMap<&str, (&Path, &str)> = rustc_hash::FxHashMap::default();
    let mut kinds: rustc_hash::FxHashMap<&str, Kind> = rustc_hash::FxHashMap::default();
    for (source, route) in site.routes() {
        // Two items of one kind meet only with one slug (every pattern holds
        // `:slug`), and that is told already, with both files.
        let same_kind = kinds.insert(&route.file, route.kind) == Some(route.kind);
        if let Some(&(first, url)) = taken.get(route.file.as_str()) {
            if same_kind {
                continue;
            }
            diags.error(
                &source.path,
                None,
                format!(
                    "its URL {} is also the URL of {} ({url}): give one of them another `slug`, or change `[permalinks]`",
                    route.url,
                    first.display()
                ),
            );
        } else {
            taken.insert(&route.file, (&source.path, &route.url));
        }
    }
    for (source, route) in site.routes() {
        for alias in &route.aliases {
            let written = &alias.url[site.config.root.len() - 1..];
            let Some(&(first, url)) = taken.get(alias.file.as_str()) else {
                taken.insert(&alias.file, (&source.path, &alias.url));
                continue;
            };
            let what = if first == source.path && url == route.url {
                "this item's own URL".to_string()
            } else {
                format!("{url}, of {}", first.display())
            };
            let needle = written.trim_end_matches('/');
            diags.error(
                &source.path,
                line_of(site_dir, &source.path, needle),
                format!("the alias `{written}` is the same page as {what}: remove it or change it"),
            );
        }
    }
}

/// The first line of a content file that contains `needle`.
fn line_of(site_dir: &Path, path: &Path, needle: &str) -> Option<Location> {
    let text = crate::files::read_to_string(site_dir, path).ok()?;
    let index = text.lines().position(|line| line.contains(needle))?;
    Some(Location::line(index + 1))
}

/// Up to this many files may each get their own warning of one kind (an unknown
/// key); more get one warning with the count.
const GROUP_AFTER: usize = 3;

/// Says once which posts wait for their date, so that a post held back does not
/// seem lost: the count and the first few, soonest first.
fn note_future_posts(posts: &[Post], visibility: Visibility<'_>, diags: &mut Diagnostics) {
    if visibility.drafts {
        return;
    }
    let mut waiting: Vec<&Post> = posts
        .iter()
        .filter(|p| !p.draft && p.date.timestamp() > visibility.now)
        .collect();
    if waiting.is_empty() {
        return;
    }
    waiting.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then_with(|| a.source.path.cmp(&b.source.path))
    });
    let named: Vec<String> = waiting
        .iter()
        .take(3)
        .map(|p| {
            let date = crate::model::time::iso_date(&p.date);
            format!("{} ({date})", p.source.path.display())
        })
        .collect();
    let more = match waiting.len().saturating_sub(named.len()) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let (count, verb) = match waiting.len() {
        1 => ("1 post is".to_string(), "it appears"),
        n => (format!("{n} posts are"), "each appears"),
    };
    diags.note(format!(
        "{count} dated in the future and not published yet: {}{more}; {verb} in the first build after its date, or now with --drafts",
        named.join(", ")
    ));
}

/// Reads the documents of the site's sections.
struct Reader<'a> {
    site_dir: &'a Path,
    cache: Option<&'a cache::BodyCache>,
    memo: Option<&'a memo::Documents>,
}

impl Reader<'_> {
    /// Loads every document of a section with `build`, in parallel, reporting
    /// unreadable files. Items and problems keep the order of the files. Also
    /// returns the slug each document takes, failed ones included. `context` is the
    /// hash of what else the documents are checked against (see [`memo`]).
    fn each_doc<T: memo::Item>(
        &self,
        section: &str,
        context: u128,
        diags: &mut Diagnostics,
        build: impl Fn(Doc<'_, '_>) -> Option<T> + Sync,
    ) -> (Vec<T>, Vec<Claim>) {
        use rayon::prelude::*;
        let files = match self.memo {
            Some(memo) => {
                let (files, found) = memo.listing(section, |diags| {
                    discover::documents(self.site_dir, section, diags)
                });
                diags.extend(found);
                files
            }
            None => std::sync::Arc::new(discover::documents(self.site_dir, section, diags)),
        };
        let results: Vec<memo::Loaded<T>> = files
            .par_iter()
            .map(|file| {
                if let Some(memo) = self.memo
                    && let Some(loaded) = memo.get::<T>(file, context)
                {
                    return loaded;
                }
                let mut own = Diagnostics::default();
                let mut claim = None;
                let item = self.one_doc(file, &mut own, &mut claim, &build);
                let loaded = (item, claim, own);
                if let Some(memo) = self.memo {
                    memo.put(file, context, &loaded);
                }
                loaded
            })
            .collect();
        // Bodies of kept documents stay in the cache (those rendered now are in it).
        if let Some(cache) = self.cache {
            cache.keep_all(
                results
                    .iter()
                    .filter_map(|(item, ..)| Some(item.as_ref()?.body().key)),
            );
        }
        let mut items = Vec::with_capacity(results.len());
        let mut claims = Vec::with_capacity(results.len());
        for ((item, claim, own), file) in results.into_iter().zip(files.iter()) {
            diags.extend(own);
            items.extend(item);
            claims.extend(claim.map(|slug| (slug, file.path.clone())));
        }
        (items, claims)
    }

    fn one_doc<T>(
        &self,
        file: &DocFile,
        diags: &mut Diagnostics,
        claim: &mut Option<Slug>,
        build: &impl Fn(Doc<'_, '_>) -> Option<T>,
    ) -> Option<T> {
        let text = read_text(self.site_dir, file, diags)?;
        let split = match frontmatter::split(&text) {
            Ok(split) => split,
            Err((loc, message)) => {
                diags.error(&file.path, Some(loc), message);
                return None;
            }
        };
        build(Doc {
            file,
            cache: self.cache,
            split,
            diags,
            claim,
        })
    }
}

fn read_text(site_dir: &Path, file: &DocFile, diags: &mut Diagnostics) -> Option<String> {
    let bytes = match crate::files::read(site_dir, &file.path) {
        Ok(b) => b,
        Err(e) => {
            diags.error(&file.path, None, format!("cannot read: {e}"));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            let loc = Location::of_offset(valid, valid.len(), 1);
            diags.error(
                &file.path,
                Some(loc),
                "the file is not valid UTF-8: save it as UTF-8",
            );
            None
        }
    }
}

/// A document's slug and file.
type Claim = (Slug, std::path::PathBuf);

/// Reports every document whose slug an earlier one of its kind has.
fn check_unique(kind: &str, claims: &[Claim], diags: &mut Diagnostics) {
    let mut seen: rustc_hash::FxHashMap<&Slug, &std::path::PathBuf> =
        rustc_hash::FxHashMap::default();
    for (slug, path) in claims {
        if let Some(first) = seen.insert(slug, path) {
            diags.error(
                path,
                None,
                format!(
                    "another {kind} already has the slug `{slug}` ({}); set a different `slug`",
                    first.display()
                ),
            );
        }
    }
}

fn collect_tags<'a>(
    posts: &'a [Post],
    members: &'a [Member],
    events: &'a [Event],
) -> BTreeMap<Slug, Tag> {
    let mut tags: BTreeMap<Slug, Tag> = BTreeMap::new();
    // A site uses few tag names, each on many items: each name is made a slug once.
    let mut slugs: rustc_hash::FxHashMap<&str, Option<Slug>> = rustc_hash::FxHashMap::default();
    let mut add = |name: &'a str, pick: fn(&mut Tag) -> &mut Vec<usize>, i: usize| {
        let Some(slug) = slugs.entry(name).or_insert_with(|| Slug::from_text(name)) else {
            return;
        };
        if !tags.contains_key(slug) {
            let tag = Tag {
                name: name.trim().to_string(),
                ..Tag::default()
            };
            tags.insert(slug.clone(), tag);
        }
        if let Some(tag) = tags.get_mut(slug) {
            push_once(pick(tag), i);
        }
    };
    for (i, post) in posts.iter().enumerate() {
        post.tags
            .iter()
            .for_each(|name| add(name, |t| &mut t.posts, i));
    }
    for (i, member) in members.iter().enumerate() {
        member
            .tags
            .iter()
            .for_each(|name| add(name, |t| &mut t.members, i));
    }
    for (i, event) in events.iter().enumerate() {
        event
            .tags
            .iter()
            .for_each(|name| add(name, |t| &mut t.events, i));
    }
    tags
}

/// The posts newest first, and by slug at the same instant. The order is found
/// first and the posts moved once: a post is a big value to move around in a sort.
fn newest_first(posts: Vec<Post>) -> Vec<Post> {
    let mut order: Vec<(std::cmp::Reverse<jiff::Timestamp>, usize)> = (posts.iter())
        .enumerate()
        .map(|(i, p)| (std::cmp::Reverse(p.date.timestamp()), i))
        .collect();
    order.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| posts[a.1].slug.cmp(&posts[b.1].slug))
    });
    let mut posts: Vec<Option<Post>> = posts.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(_, i)| posts[i].take())
        .collect()
}

fn push_once(list: &mut Vec<usize>, i: usize) {
    if list.last() != Some(&i) {
        list.push(i);
    }
}
