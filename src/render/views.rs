//! What templates see: one view struct per kind, built once per item from the model,
//! with URLs resolved and dates formatted. `docs/templates.md` documents every field;
//! keep the two in step.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::config::Config;
use crate::model::time::{
    human_date, human_time, human_weekday_date, iso, iso_date, zone_abbreviation,
};
use crate::model::{
    Body, Event, EventStatus, Heading, Member, Occurrence, Page, Picture, Post, Resized, SafeUrl,
    Series, Site, Slug, Sponsor, Tag,
};

/// A rendered body's HTML, as templates see it. For a page key (see
/// [`super::keying`]) it stands for itself by the key of its inputs, so that a
/// key is not the hash of every body's HTML again on every rebuild.
#[derive(Debug, Clone)]
pub struct Html(pub Arc<Body>);

impl Serialize for Html {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.key != 0 && super::keying() {
            s.serialize_u128(self.0.key)
        } else {
            s.serialize_str(&self.0.content_html.get())
        }
    }
}

/// One of a body's short texts (its summary as HTML or as text), shared with the
/// body rather than copied: a big site lists every post several times.
#[derive(Clone)]
pub struct BodyStr(Arc<Body>, fn(&Body) -> &str);

impl BodyStr {
    pub fn summary_html(body: &Arc<Body>) -> BodyStr {
        BodyStr(Arc::clone(body), |body| &body.summary_html)
    }

    pub fn summary_text(body: &Arc<Body>) -> BodyStr {
        BodyStr(Arc::clone(body), |body| &body.summary_text)
    }
}

impl std::ops::Deref for BodyStr {
    type Target = str;

    fn deref(&self) -> &str {
        (self.1)(&self.0)
    }
}

impl std::fmt::Debug for BodyStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl Serialize for BodyStr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

/// A body's table of contents, as templates see it.
#[derive(Debug, Clone)]
pub struct Toc(pub Arc<Body>);

impl Serialize for Toc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.toc.serialize(s)
    }
}

/// The key of a view that lists show (see [`super::Shown`]), made the first time
/// a page key needs it and kept for the rest of the build. A copy starts empty: a
/// copied view may be changed before it is shown.
#[derive(Debug, Default)]
pub struct KeyCell(std::sync::OnceLock<u128>);

impl Clone for KeyCell {
    fn clone(&self) -> Self {
        KeyCell::default()
    }
}

impl KeyCell {
    /// The key, made by `make` the first time.
    pub fn get_or_make(&self, make: impl FnOnce() -> Option<u128>) -> Option<u128> {
        if let Some(key) = self.0.get() {
            return Some(*key);
        }
        let key = make()?;
        Some(*self.0.get_or_init(|| key))
    }
}

/// A view lists show, with its key's place.
pub trait Listed: Serialize {
    fn key_cell(&self) -> &KeyCell;
}

impl Listed for PostItem {
    fn key_cell(&self) -> &KeyCell {
        &self.key
    }
}

impl Listed for PostView {
    fn key_cell(&self) -> &KeyCell {
        &self.key
    }
}

impl Listed for MemberView<'_> {
    fn key_cell(&self) -> &KeyCell {
        &self.key
    }
}

impl Listed for EventView<'_> {
    fn key_cell(&self) -> &KeyCell {
        &self.key
    }
}

#[derive(Debug, Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    pub timezone: &'a str,
    pub base_url: &'a str,
    /// Scheme and host of `base_url`: `https://example.org`.
    pub origin: &'a str,
    pub root: &'a str,
    /// A short line under the title (home page); empty when not set.
    pub tagline: &'a str,
    /// The community's logo (`logo`), a site path or URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo: Option<&'a str>,
    /// The default social picture (`image`), as an absolute URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The same picture as written (a site path or URL), to show it on a page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_path: Option<&'a str>,
    /// `[links]`: the community elsewhere, sorted by label.
    pub links: Vec<SiteLink<'a>>,
    /// `data/NAME.*` by NAME.
    pub data: &'a std::collections::BTreeMap<String, serde_json::Value>,
    /// The sponsors of `data/sponsors.*`, in file order.
    pub sponsors: &'a [Sponsor],
    /// The sponsors grouped by `tier`, tiers in the order they first appear.
    pub sponsor_tiers: Vec<SponsorTier<'a>>,
    pub menu: Vec<MenuItem>,
    /// The main navigation: the site's sections, then `menu`.
    pub nav: Vec<MenuItem>,
    pub extra: &'a serde_json::Value,
    /// Present when the site has a `[newsletter]`: where to join it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newsletter: Option<NewsletterLinks>,
}

/// The newsletter's pages, for links in the layout.
#[derive(Debug, Clone, Serialize)]
pub struct NewsletterLinks {
    /// `/newsletter/subscribe/`: how to join.
    pub subscribe_url: String,
    /// `/newsletter/`: the archive.
    pub archive_url: String,
}

/// One of the site's `[links]`.
#[derive(Debug, Serialize)]
pub struct SiteLink<'a> {
    pub label: &'a str,
    pub url: &'a str,
    /// `mastodon`, `github`, ...: a well-known service the theme has an icon for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<&'static str>,
}

/// Sponsors of one tier (`tier` absent: `name` is empty).
#[derive(Debug, Serialize)]
pub struct SponsorTier<'a> {
    pub name: &'a str,
    pub sponsors: Vec<&'a Sponsor>,
}

/// A link to another item: a recap's event, an event's recaps.
#[derive(Debug, Clone, Serialize)]
pub struct ItemLink {
    pub title: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_iso: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MenuItem {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagRef {
    pub name: String,
    pub slug: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberRef {
    pub slug: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// The avatar resized, by the width it is shown at (`"40"`, `"96"`, `"128"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_set: Option<BTreeMap<u32, Picture>>,
}

/// A post as lists show it (home, post lists, tag and member pages): everything but
/// the body and its structured data. A big site lists every post several times, and
/// a tag page may list thousands, so list items stay light.
#[derive(Debug, Serialize)]
pub struct PostItem {
    #[serde(skip)]
    pub key: KeyCell,
    pub slug: String,
    pub title: String,
    pub url: String,
    pub permalink: String,
    pub date: String,
    pub date_iso: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_iso: Option<String>,
    pub tags: Vec<TagRef>,
    pub authors: Vec<MemberRef>,
    pub summary_html: BodyStr,
    pub summary_text: BodyStr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The image resized for the page column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_set: Option<Picture>,
    pub reading_minutes: usize,
    /// The event this post recaps, when it is published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recap_of: Option<ItemLink>,
    pub draft: bool,
    pub extra: serde_json::Value,
}

/// A post with its body: on its own page and in the newsletter. Templates see the
/// fields of its `item` as its own; a page key takes the item's key for them (made
/// once, see [`KeyCell`]).
#[derive(Debug, Serialize)]
pub struct PostView {
    #[serde(skip)]
    pub key: KeyCell,
    #[serde(flatten, serialize_with = "item_or_key")]
    pub item: PostItem,
    pub content_html: Html,
    pub toc: Toc,
    /// The picture for link previews: the post's `image`, else the site's; absolute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub social_image: Option<String>,
    /// schema.org `BlogPosting`, ready for `<script type="application/ld+json">`.
    pub json_ld: super::structured::JsonLd<super::structured::BlogPosting>,
}

fn item_or_key<S: serde::Serializer>(item: &PostItem, s: S) -> Result<S::Ok, S::Error> {
    super::Shown { view: item }.serialize(s)
}

impl std::ops::Deref for PostView {
    type Target = PostItem;

    fn deref(&self) -> &PostItem {
        &self.item
    }
}

pub use post_env::PostEnv;

/// In a module of its own, so that a post's view can read the site only through
/// [`PostEnv`]'s methods.
mod post_env {
    use super::{Config, Event, Member, Resized, Site, Slug, Urls};

    /// Everything besides the post itself that a post's view is made from: the
    /// config (and the tag links made from it), the members (authors), the events
    /// (recaps) and the resized pictures. A post's view is a function of the post
    /// and this, and [`PostEnv::stamp`] hashes all of it: `hearth serve` keeps the
    /// views of the posts that did not change from one build to the next (see
    /// [`super::ViewCache`]).
    pub struct PostEnv<'a> {
        site: &'a Site,
        urls: &'a Urls<'a>,
    }

    impl<'a> PostEnv<'a> {
        pub fn new(site: &'a Site, urls: &'a Urls<'a>) -> PostEnv<'a> {
            PostEnv { site, urls }
        }

        pub fn config(&self) -> &'a Config {
            &self.site.config
        }

        pub fn urls(&self) -> &'a Urls<'a> {
            self.urls
        }

        pub fn member(&self, slug: &Slug) -> Option<&'a Member> {
            self.site.member(slug)
        }

        pub fn event(&self, slug: &Slug) -> Option<&'a Event> {
            self.site.event(slug)
        }

        pub fn images(&self) -> &'a Resized {
            &self.site.images
        }

        /// The hash of all of it: the config as read (the tag links are made from
        /// it and the tag names, which are the post's), each member's and event's
        /// slug and [`crate::model::Source::stamp`], and the resized pictures.
        pub fn stamp(&self) -> Option<u128> {
            let site = self.site;
            let mut h = crate::hash::Hasher::default();
            h.field(&site.config.fingerprint().to_le_bytes());
            for m in &site.members {
                h.field(m.slug.as_str().as_bytes())
                    .field(&m.source.stamp.to_le_bytes());
            }
            h.field(b"events");
            for e in &site.events {
                h.field(e.slug.as_str().as_bytes())
                    .field(&e.source.stamp.to_le_bytes());
            }
            h.field(b"pictures");
            crate::render::keyhash::hash(&mut h, &site.images.pictures).ok()?;
            Some(h.finish())
        }
    }
}

/// The views of posts made by the last build of a `hearth serve`, by the post's
/// stamp, with the stamp of the [`PostEnv`] they were made in. A rebuild takes the
/// view of each post whose stamp and environment are the same, with its keys.
#[derive(Debug, Default)]
pub struct ViewCache(std::sync::Mutex<ViewsKept>);

#[derive(Debug, Default)]
struct ViewsKept {
    env: Option<u128>,
    posts: rustc_hash::FxHashMap<u64, Arc<PostView>>,
}

impl ViewCache {
    /// The view of each post of `site`: kept, or made (in parallel).
    fn posts(&self, site: &Site, env: &PostEnv<'_>) -> Vec<Arc<PostView>> {
        use rayon::prelude::*;
        let stamp = env.stamp();
        let kept = std::mem::take(&mut *crate::output::lock(&self.0));
        let same = stamp.is_some() && kept.env == stamp;
        let views: Vec<Arc<PostView>> = site
            .posts
            .par_iter()
            .map(|p| {
                same.then(|| kept.posts.get(&p.source.stamp))
                    .flatten()
                    .map_or_else(|| Arc::new(post_view(p, env)), Arc::clone)
            })
            .collect();
        let posts: rustc_hash::FxHashMap<u64, Arc<PostView>> = (site.posts.iter())
            .zip(&views)
            .map(|(p, view)| (p.source.stamp, Arc::clone(view)))
            .collect();
        let made = posts
            .keys()
            .filter(|s| !same || !kept.posts.contains_key(s))
            .count();
        tracing::debug!(made, kept = posts.len() - made, "posts' views");
        *crate::output::lock(&self.0) = ViewsKept { env: stamp, posts };
        views
    }
}

#[derive(Debug, Serialize)]
pub struct MemberView<'a> {
    #[serde(skip)]
    pub key: KeyCell,
    pub slug: &'a str,
    pub name: &'a str,
    pub url: String,
    pub permalink: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pronouns: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<&'a str>,
    /// The avatar resized, by the width it is shown at (`"40"`, `"96"`, `"128"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_set: Option<BTreeMap<u32, Picture>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined_iso: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spotlight: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spotlight_iso: Option<String>,
    pub links: Vec<LinkView<'a>>,
    pub tags: Vec<TagRef>,
    pub summary_html: &'a str,
    pub summary_text: &'a str,
    pub content_html: Html,
    pub draft: bool,
    pub extra: &'a serde_json::Value,
    /// The picture for link previews: the `avatar`, else the site's; absolute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub social_image: Option<String>,
    /// schema.org `Person`.
    pub json_ld: super::structured::JsonLd<serde_json::Value>,
}

#[derive(Debug, Serialize)]
pub struct LinkView<'a> {
    pub label: &'a str,
    pub url: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView<'a> {
    /// Where the event is in the site's events (not for templates).
    #[serde(skip)]
    pub index: usize,
    #[serde(skip)]
    pub key: KeyCell,
    pub slug: &'a str,
    pub title: &'a str,
    pub url: String,
    pub permalink: String,
    pub start_iso: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_iso: Option<String>,
    pub start_date: String,
    pub start_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    pub when: String,
    pub timezone: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rsvp: Option<&'a str>,
    pub organizers: Vec<MemberRef>,
    pub tags: Vec<TagRef>,
    pub status: EventStatus,
    pub cancelled: bool,
    pub upcoming: bool,
    /// This event as an iCalendar file: `/events/SLUG/event.ics`.
    pub ics_url: String,
    /// A Google Calendar "add event" link, prefilled.
    pub google_calendar_url: String,
    pub summary_html: &'a str,
    pub summary_text: &'a str,
    pub content_html: Html,
    pub draft: bool,
    pub extra: &'a serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<&'a str>,
    /// The image resized for the page column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_set: Option<Picture>,
    /// The picture for link previews: the event's `image`, else the site's; absolute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub social_image: Option<String>,
    /// For an event of a series: the rule, and (on the event's own page) its dates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<SeriesView>,
    /// Posts that recap this event, newest first.
    pub recaps: Vec<ItemLink>,
    /// schema.org `Event`.
    pub json_ld: super::structured::JsonLd<serde_json::Value>,
}

/// A series as its page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesView {
    /// `Every 2nd Thursday of the month, until 10 December 2026`.
    pub rule: String,
    /// Dates that have not ended, soonest first (on the event's page only).
    pub upcoming: Vec<OccurrenceView>,
    /// Dates that are over, latest first (on the event's page only).
    pub past: Vec<OccurrenceView>,
}

/// One date of a series; `id` is its anchor on the series' page (`2026-12-10`).
#[derive(Debug, Clone, Serialize)]
pub struct OccurrenceView {
    pub id: String,
    pub when: String,
    pub start_iso: String,
    pub cancelled: bool,
}

#[derive(Debug, Serialize)]
pub struct PageView<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub url: String,
    pub permalink: String,
    pub content_html: Html,
    pub toc: &'a [Heading],
    pub draft: bool,
    pub extra: &'a serde_json::Value,
    /// The site's social picture, absolute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub social_image: Option<String>,
    /// The rows of the data file named by `extra.data` (`partners`), when it is a list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_rows: Option<&'a serde_json::Value>,
}

#[derive(Debug, Serialize)]
pub struct TagView {
    pub name: String,
    pub slug: String,
    pub url: String,
    pub count: usize,
}

/// Every view of the site, built once and shared by all pages that list them.
pub struct Views<'a> {
    pub site: SiteView<'a>,
    pub posts: Vec<Arc<PostView>>,
    pub members: Vec<MemberView<'a>>,
    pub events: Vec<EventView<'a>>,
    /// Every date of every event, soonest first: a single event once, a series once
    /// per date (its `url` with the date as `#anchor`).
    pub listings: Vec<EventView<'a>>,
    pub pages: Vec<PageView<'a>>,
    pub tags: Vec<TagView>,
}

impl<'a> Views<'a> {
    pub fn new(site: &'a Site) -> Views<'a> {
        Views::kept(site, None)
    }

    /// The views of `site`, taking the posts' views that `cache` holds for the same
    /// post in the same environment (see [`PostEnv`]), and keeping this build's.
    pub fn kept(site: &'a Site, cache: Option<&ViewCache>) -> Views<'a> {
        use rayon::prelude::*;
        let urls = Urls::new(site);
        let env = PostEnv::new(site, &urls);
        let posts = match cache {
            Some(cache) => cache.posts(site, &env),
            None => site
                .posts
                .par_iter()
                .map(|p| Arc::new(post_view(p, &env)))
                .collect(),
        };
        let events: Vec<EventView<'a>> = site
            .events
            .par_iter()
            .enumerate()
            .map(|(i, e)| event_view(e, i, &e.current(&site.now), Dates::Listed, site, &urls))
            .collect();
        Views {
            site: site_view(site),
            posts,
            members: site
                .members
                .par_iter()
                .map(|m| member_view(m, site, &urls))
                .collect(),
            listings: listings(site, &urls, &events),
            events,
            pages: site.pages.iter().map(|p| page_view(p, site)).collect(),
            tags: site
                .tags
                .iter()
                .map(|(slug, tag)| tag_view(slug, tag, &urls))
                .collect(),
        }
    }
}

/// The URLs of the site's own pages (items carry theirs in `route`).
pub struct Urls<'a> {
    pub config: &'a Config,
    /// Each tag name the items use, as a link to its page: made once, not once per
    /// item that carries it.
    tags: rustc_hash::FxHashMap<&'a str, Option<TagRef>>,
}

impl<'a> Urls<'a> {
    fn new(site: &'a Site) -> Urls<'a> {
        let mut urls = Urls {
            config: &site.config,
            tags: rustc_hash::FxHashMap::default(),
        };
        let names = (site.posts.iter().flat_map(|p| &p.tags))
            .chain(site.members.iter().flat_map(|m| &m.tags))
            .chain(site.events.iter().flat_map(|e| &e.tags));
        for name in names {
            if !urls.tags.contains_key(name.as_str()) {
                let link = urls.tag_ref(name);
                urls.tags.insert(name, link);
            }
        }
        urls
    }

    pub fn tag(&self, slug: &Slug) -> String {
        format!("{}tags/{slug}/", self.config.root)
    }

    fn tag_ref(&self, name: &str) -> Option<TagRef> {
        let slug = Slug::from_text(name)?;
        Some(TagRef {
            name: name.trim().to_string(),
            url: self.tag(&slug),
            slug: slug.as_str().to_string(),
        })
    }
}

fn site_view(site: &Site) -> SiteView<'_> {
    let c = &site.config;
    let menu: Vec<MenuItem> = site
        .pages
        .iter()
        .filter(|p| p.menu.is_some())
        .map(|p| MenuItem {
            title: p.title.clone(),
            url: p.route.url.clone(),
        })
        .collect();
    let sections = [
        ("Home", ""),
        ("Posts", "posts/"),
        ("Events", "events/"),
        ("Members", "members/"),
        ("Tags", "tags/"),
        ("Search", "search/"),
    ];
    let nav = sections
        .into_iter()
        .map(|(title, path)| MenuItem {
            title: title.to_string(),
            url: format!("{}{path}", c.root),
        })
        .chain(menu.iter().cloned())
        .collect();
    SiteView {
        title: &c.title,
        description: &c.description,
        language: &c.language,
        timezone: &c.timezone_name,
        base_url: &c.base_url,
        origin: c.origin(),
        root: &c.root,
        tagline: &c.tagline,
        logo: c.logo.as_ref().map(SafeUrl::as_str),
        image: c.image.as_ref().map(|i| c.absolute(i.as_str())),
        image_path: c.image.as_ref().map(SafeUrl::as_str),
        links: c
            .links
            .iter()
            .map(|(label, url)| SiteLink {
                label,
                url: url.as_str(),
                icon: known_service(label, url.as_str()),
            })
            .collect(),
        data: &site.data,
        sponsors: &site.sponsors,
        sponsor_tiers: sponsor_tiers(&site.sponsors),
        menu,
        nav,
        extra: &c.extra,
        newsletter: c.newsletter.as_ref().map(|_| NewsletterLinks {
            subscribe_url: format!("{}newsletter/subscribe/", c.root),
            archive_url: format!("{}newsletter/", c.root),
        }),
    }
}

/// The well-known service a `[links]` entry points at, by its label (or host), for
/// the theme's icons.
fn known_service(label: &str, url: &str) -> Option<&'static str> {
    const SERVICES: &[(&str, &str)] = &[
        ("mastodon", "mastodon"),
        ("github", "github.com"),
        ("discord", "discord"),
        ("matrix", "matrix.to"),
        ("linkedin", "linkedin.com"),
        ("youtube", "youtube.com"),
    ];
    let label = label.to_lowercase();
    SERVICES
        .iter()
        .find(|(name, host)| label.contains(name) || url.contains(host))
        .map(|(name, _)| *name)
}

/// Sponsors grouped by tier, the tiers in the order the file first names them.
fn sponsor_tiers(sponsors: &[Sponsor]) -> Vec<SponsorTier<'_>> {
    let mut tiers: Vec<SponsorTier<'_>> = Vec::new();
    for sponsor in sponsors {
        let name = sponsor.tier.as_deref().unwrap_or("");
        match tiers.iter_mut().find(|t| t.name == name) {
            Some(tier) => tier.sponsors.push(sponsor),
            None => tiers.push(SponsorTier {
                name,
                sponsors: vec![sponsor],
            }),
        }
    }
    tiers
}

/// The picture for a page's link preview: its own, else the site's; absolute.
fn social_image(own: Option<&SafeUrl>, config: &Config) -> Option<String> {
    own.or(config.image.as_ref())
        .map(|url| config.absolute(url.as_str()))
}

fn tag_refs(names: &[String], urls: &Urls<'_>) -> Vec<TagRef> {
    names
        .iter()
        .filter_map(|name| match urls.tags.get(name.as_str()) {
            Some(link) => link.clone(),
            None => urls.tag_ref(name),
        })
        .collect()
}

fn member_refs(slugs: &[Slug], site: &Site) -> Vec<MemberRef> {
    slugs
        .iter()
        .map(|slug| member_ref(slug, site.member(slug), &site.images))
        .collect()
}

/// The member `slug` names, or, for one left out of the site (a draft member), the
/// slug, linked nowhere.
fn member_ref(slug: &Slug, member: Option<&Member>, images: &Resized) -> MemberRef {
    match member {
        Some(m) => MemberRef {
            slug: slug.to_string(),
            name: m.name.clone(),
            url: Some(m.route.url.clone()),
            avatar: m.avatar.as_ref().map(ToString::to_string),
            avatar_set: avatar_set(m, images),
        },
        None => MemberRef {
            slug: slug.to_string(),
            name: slug.to_string(),
            url: None,
            avatar: None,
            avatar_set: None,
        },
    }
}

fn avatar_set(m: &Member, images: &Resized) -> Option<BTreeMap<u32, Picture>> {
    images.sizes(m.avatar.as_ref()?.as_str()).cloned()
}

/// A post's or event's image resized for the page column.
fn image_set(image: Option<&SafeUrl>, images: &Resized) -> Option<Picture> {
    let width = *crate::images::ENTRY_WIDTHS.first()?;
    images.at(image?.as_str(), width).cloned()
}

fn reading_minutes(body: &Body) -> usize {
    body.word_count.div_ceil(200).max(1)
}

fn post_view(p: &Post, env: &PostEnv<'_>) -> PostView {
    let url = p.route.url.clone();
    let config = env.config();
    let item = PostItem {
        key: KeyCell::default(),
        slug: p.slug.to_string(),
        title: p.title.clone(),
        permalink: config.permalink(&url),
        url,
        date: human_date(&p.date),
        date_iso: iso(&p.date),
        updated: p.updated.as_ref().map(human_date),
        updated_iso: p.updated.as_ref().map(iso),
        tags: tag_refs(&p.tags, env.urls()),
        authors: (p.authors.iter())
            .map(|slug| member_ref(slug, env.member(slug), env.images()))
            .collect(),
        summary_html: BodyStr::summary_html(&p.body),
        summary_text: BodyStr::summary_text(&p.body),
        image: p.image.as_ref().map(ToString::to_string),
        image_set: image_set(p.image.as_ref(), env.images()),
        reading_minutes: reading_minutes(&p.body),
        recap_of: p
            .event
            .as_ref()
            .and_then(|slug| env.event(slug))
            .map(|e| ItemLink {
                title: e.title.clone(),
                url: e.route.url.clone(),
                date: None,
                date_iso: None,
            }),
        draft: p.draft,
        extra: p.extra.clone(),
    };
    PostView {
        key: KeyCell::default(),
        item,
        content_html: Html(Arc::clone(&p.body)),
        toc: Toc(Arc::clone(&p.body)),
        social_image: social_image(p.image.as_ref(), config),
        json_ld: super::structured::post(env, p),
    }
}

fn member_view<'a>(m: &'a Member, site: &Site, urls: &Urls<'_>) -> MemberView<'a> {
    let url = m.route.url.clone();
    let human = |d: &jiff::civil::Date| d.strftime("%-d %B %Y").to_string();
    let machine = |d: &jiff::civil::Date| d.to_string();
    MemberView {
        key: KeyCell::default(),
        slug: m.slug.as_str(),
        name: &m.name,
        permalink: urls.config.permalink(&url),
        url,
        role: m.role.as_deref(),
        pronouns: m.pronouns.as_deref(),
        location: m.location.as_deref(),
        avatar: m.avatar.as_ref().map(SafeUrl::as_str),
        avatar_set: avatar_set(m, &site.images),
        joined: m.joined.as_ref().map(human),
        joined_iso: m.joined.as_ref().map(machine),
        spotlight: m.spotlight.as_ref().map(human),
        spotlight_iso: m.spotlight.as_ref().map(machine),
        links: m
            .links
            .iter()
            .map(|(label, url)| LinkView {
                label,
                url: url.as_str(),
            })
            .collect(),
        tags: tag_refs(&m.tags, urls),
        summary_html: &m.body.summary_html,
        summary_text: &m.body.summary_text,
        content_html: Html(Arc::clone(&m.body)),
        draft: m.draft,
        extra: &m.extra,
        social_image: social_image(m.avatar.as_ref(), &site.config),
        json_ld: super::structured::member(site, m),
    }
}

/// Whether an event's view lists the dates of its series.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dates {
    Listed,
    /// One date of a series, shown among the dates of all events: its rule only.
    RuleOnly,
}

/// An event as shown at one of its dates: its own page shows the current date
/// (the next, else the last) with every date of a series; a list shows each date.
fn event_view<'a>(
    e: &'a Event,
    index: usize,
    at: &Occurrence,
    dates: Dates,
    site: &Site,
    urls: &Urls<'_>,
) -> EventView<'a> {
    let url = e.route.url.clone();
    let time = |z: &jiff::Zoned| format!("{} {}", human_time(z), zone_abbreviation(z));
    let permalink = site.config.permalink(&url);
    EventView {
        key: KeyCell::default(),
        index,
        slug: e.slug.as_str(),
        title: &e.title,
        ics_url: format!("{}event.ics", e.route.dir),
        google_calendar_url: google_calendar_url(e, at, &permalink),
        permalink,
        url,
        start_iso: if e.all_day {
            iso_date(&at.start)
        } else {
            iso(&at.start)
        },
        end_iso: at.end.as_ref().map(iso),
        start_date: human_weekday_date(&at.start),
        start_time: if e.all_day {
            String::new()
        } else {
            time(&at.start)
        },
        end_date: at.end.as_ref().map(human_weekday_date),
        end_time: at.end.as_ref().map(time),
        when: when_of(at, e.all_day),
        timezone: &e.timezone,
        location: e.location.as_deref(),
        online: e.online.as_ref().map(SafeUrl::as_str),
        rsvp: e.rsvp.as_ref().map(SafeUrl::as_str),
        organizers: member_refs(&e.organizers, site),
        tags: tag_refs(&e.tags, urls),
        status: e.status,
        cancelled: e.status == EventStatus::Cancelled,
        upcoming: e.is_upcoming(&site.now),
        summary_html: &e.body.summary_html,
        summary_text: &e.body.summary_text,
        content_html: Html(Arc::clone(&e.body)),
        draft: e.draft,
        extra: &e.extra,
        image: e.image.as_ref().map(SafeUrl::as_str),
        image_set: image_set(e.image.as_ref(), &site.images),
        social_image: social_image(e.image.as_ref(), &site.config),
        series: e
            .series
            .as_ref()
            .map(|s| series_view(e, s, dates, &site.now)),
        recaps: site
            .recaps_of(&e.slug)
            .map(|p| ItemLink {
                title: p.title.clone(),
                url: p.route.url.clone(),
                date: Some(human_date(&p.date)),
                date_iso: Some(iso(&p.date)),
            })
            .collect(),
        json_ld: super::structured::event(site, e),
    }
}

/// The rule of a series and its dates, upcoming and past.
fn series_view(e: &Event, series: &Series, dates: Dates, now: &jiff::Timestamp) -> SeriesView {
    let last = jiff::civil::Date::strftime(&series.last, "%-d %B %Y").to_string();
    let date_view = |o: &Occurrence| OccurrenceView {
        id: o.start.date().to_string(),
        when: when_of(o, e.all_day),
        start_iso: if e.all_day {
            iso_date(&o.start)
        } else {
            iso(&o.start)
        },
        cancelled: e.status == EventStatus::Cancelled,
    };
    let listed = match dates {
        Dates::Listed => &e.occurrences[..],
        Dates::RuleOnly => &[],
    };
    let (upcoming, past): (Vec<&Occurrence>, Vec<&Occurrence>) =
        listed.iter().partition(|o| o.is_upcoming(now));
    SeriesView {
        rule: format!("{}, until {last}", series.rule.describe()),
        upcoming: upcoming.into_iter().map(date_view).collect(),
        past: past.into_iter().rev().map(date_view).collect(),
    }
}

/// Every date of every event, soonest first. A date of a series links to its
/// anchor on the series' page and carries the rule, not the list of dates. An
/// event of one date is listed as its own page shows it (`events`).
fn listings<'a>(site: &'a Site, urls: &Urls<'_>, events: &[EventView<'a>]) -> Vec<EventView<'a>> {
    use rayon::prelude::*;
    let mut dated: Vec<(jiff::Timestamp, EventView<'a>)> = site
        .events
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, e)| {
            e.occurrences.iter().map(move |o| {
                let mut view = match (&e.series, events.get(i)) {
                    (None, Some(own)) => own.clone(),
                    _ => event_view(e, i, o, Dates::RuleOnly, site, urls),
                };
                view.upcoming = o.is_upcoming(&site.now);
                if view.series.is_some() {
                    view.url = format!("{}#{}", e.route.url, o.start.date());
                    view.permalink = site.config.permalink(&view.url);
                }
                (o.start.timestamp(), view)
            })
        })
        .collect();
    // Events are sorted by start already; a stable sort keeps that order for ties.
    dated.sort_by_key(|(at, _)| *at);
    dated.into_iter().map(|(_, view)| view).collect()
}

/// A link that opens Google Calendar's "new event" form filled in with the event.
/// Without an end, the event is given an hour.
fn google_calendar_url(e: &Event, at: &Occurrence, permalink: &str) -> String {
    let dates = if e.all_day {
        let last = at.end.as_ref().unwrap_or(&at.start).date();
        let after = last.tomorrow().unwrap_or(last);
        format!(
            "{}/{}",
            at.start.date().strftime("%Y%m%d"),
            after.strftime("%Y%m%d")
        )
    } else {
        let utc = |z: &jiff::Zoned| z.timestamp().strftime("%Y%m%dT%H%M%SZ").to_string();
        let end = at
            .end
            .clone()
            .unwrap_or_else(|| at.start.saturating_add(jiff::SignedDuration::from_hours(1)));
        format!("{}/{}", utc(&at.start), utc(&end))
    };
    let details = if e.body.summary_text.is_empty() {
        permalink.to_string()
    } else {
        format!("{}\n\n{permalink}", e.body.summary_text)
    };
    let location = e
        .location
        .as_deref()
        .or(e.online.as_ref().map(SafeUrl::as_str))
        .unwrap_or("");
    format!(
        "https://calendar.google.com/calendar/render?action=TEMPLATE&text={}&dates={}&details={}&location={}&ctz={}",
        percent_encode(&e.title),
        percent_encode(&dates),
        percent_encode(&details),
        percent_encode(location),
        percent_encode(&e.timezone)
    )
}

/// Percent-encodes `text` for a URL query value (RFC 3986 unreserved kept).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte))
            }
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
    }
    out
}

/// The span of an event for people, in its own zone:
/// `Thursday 3 December 2026, 18:30–21:00 CET`. For a series: its first date.
pub fn when(e: &Event) -> String {
    let first = Occurrence {
        start: e.start.clone(),
        end: e.end.clone(),
    };
    when_of(&first, e.all_day)
}

/// The span of one date of an event, as [`when`].
pub fn when_of(at: &Occurrence, all_day: bool) -> String {
    let (start, end) = (&at.start, &at.end);
    let day = human_weekday_date(start);
    if all_day {
        return match end {
            Some(end) if end.date() != start.date() => {
                format!("{day} – {}", human_weekday_date(end))
            }
            _ => day,
        };
    }
    let start_time = human_time(start);
    let start_zone = zone_abbreviation(start);
    match end {
        None => format!("{day}, {start_time} {start_zone}"),
        Some(end) if end.date() == start.date() => {
            let end_zone = zone_abbreviation(end);
            if end_zone == start_zone {
                format!("{day}, {start_time}–{} {end_zone}", human_time(end))
            } else {
                format!(
                    "{day}, {start_time} {start_zone} – {} {end_zone}",
                    human_time(end)
                )
            }
        }
        Some(end) => format!(
            "{day}, {start_time} {start_zone} – {}, {} {}",
            human_weekday_date(end),
            human_time(end),
            zone_abbreviation(end)
        ),
    }
}

fn page_view<'a>(p: &'a Page, site: &'a Site) -> PageView<'a> {
    let url = p.route.url.clone();
    let data_rows = p
        .extra
        .get("data")
        .and_then(serde_json::Value::as_str)
        .and_then(|name| site.data.get(name))
        .filter(|v| v.is_array());
    PageView {
        social_image: social_image(None, &site.config),
        data_rows,
        slug: p.slug.as_str(),
        title: &p.title,
        permalink: site.config.permalink(&url),
        url,
        content_html: Html(Arc::clone(&p.body)),
        toc: &p.body.toc,
        draft: p.draft,
        extra: &p.extra,
    }
}

fn tag_view(slug: &Slug, tag: &Tag, urls: &Urls<'_>) -> TagView {
    TagView {
        name: tag.name.clone(),
        slug: slug.to_string(),
        url: urls.tag(slug),
        count: tag.posts.len() + tag.members.len() + tag.events.len(),
    }
}
