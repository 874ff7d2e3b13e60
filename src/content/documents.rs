//! Front matter as each kind of document writes it, and the checks that turn it into
//! the model's `Post`, `Member`, `Event` and `Page`.

use std::collections::{BTreeMap, BTreeSet};

use jiff::tz::TimeZone;
use serde::Deserialize;

use super::cache;
use super::discover::DocFile;
use super::frontmatter::{self, DateText, Extra, NameList, Split};
use super::markdown::{self, LinkBase};
use crate::config::Config;
use crate::diag::{Diagnostics, Location};
use crate::model::series::{self, Rule};
use crate::model::time::DateSpec;
use crate::model::url::UrlKind;
use crate::model::{
    Alias, Event, EventStatus, Kind, Member, Occurrence, Page, Post, Route, SafeUrl, Series, Slug,
    Source,
};

/// The most tags one post, member or event may have.
pub const MAX_TAGS: usize = 50;

#[derive(Debug, Deserialize)]
struct RawPost {
    title: String,
    date: Option<DateText>,
    updated: Option<DateText>,
    slug: Option<String>,
    #[serde(default)]
    draft: bool,
    /// Jekyll's way to hold a file back: `published: false` is `draft: true`.
    published: Option<bool>,
    #[serde(default, deserialize_with = "frontmatter::nullable")]
    tags: Vec<String>,
    #[serde(default)]
    authors: NameList,
    /// Jekyll's name for `authors`.
    author: Option<NameList>,
    summary: Option<String>,
    image: Option<String>,
    newsletter: Option<bool>,
    /// The slug of the event this post recaps.
    event: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    extra: Extra,
}

#[derive(Debug, Deserialize)]
struct RawMember {
    name: String,
    slug: Option<String>,
    role: Option<String>,
    pronouns: Option<String>,
    avatar: Option<String>,
    joined: Option<DateText>,
    location: Option<String>,
    #[serde(default, deserialize_with = "frontmatter::nullable")]
    links: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "frontmatter::nullable")]
    tags: Vec<String>,
    spotlight: Option<DateText>,
    #[serde(default)]
    draft: bool,
    /// Jekyll's way to hold a file back: `published: false` is `draft: true`.
    published: Option<bool>,
    summary: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    extra: Extra,
}

#[derive(Debug, Deserialize)]
struct RawEvent {
    title: String,
    start: DateText,
    end: Option<DateText>,
    timezone: Option<String>,
    slug: Option<String>,
    location: Option<String>,
    online: Option<String>,
    rsvp: Option<String>,
    #[serde(default)]
    organizers: NameList,
    #[serde(default, deserialize_with = "frontmatter::nullable")]
    tags: Vec<String>,
    status: Option<String>,
    image: Option<String>,
    repeat: Option<RawRepeat>,
    #[serde(default)]
    draft: bool,
    /// Jekyll's way to hold a file back: `published: false` is `draft: true`.
    published: Option<bool>,
    summary: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    extra: Extra,
}

/// `[repeat]` of an event, as written.
#[derive(Debug, Deserialize)]
struct RawRepeat {
    every: String,
    on: String,
    until: Option<DateText>,
    #[serde(default)]
    except: Vec<DateText>,
}

#[derive(Debug, Deserialize)]
struct RawPage {
    title: String,
    slug: Option<String>,
    menu: Option<i64>,
    #[serde(default)]
    draft: bool,
    /// Jekyll's way to hold a file back: `published: false` is `draft: true`.
    published: Option<bool>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    extra: Extra,
}

/// What every document builder needs besides its own file.
pub struct Context<'a> {
    pub config: &'a Config,
    /// Slugs of every member, drafts included.
    pub member_slugs: &'a BTreeSet<Slug>,
    /// Slugs of every event, drafts included (empty while the events load).
    pub event_slugs: &'a BTreeSet<Slug>,
}

/// One document being turned into a model item; problems are reported at the line of
/// the key they concern.
pub struct Doc<'a, 'd> {
    pub file: &'a DocFile,
    /// Bodies from earlier builds (`hearth serve`), if any.
    pub cache: Option<&'a cache::BodyCache>,
    pub split: Split<'a>,
    pub diags: &'d mut Diagnostics,
    /// The slug this document takes, set even when the document has other errors,
    /// so that one run reports every slug collision.
    pub claim: &'d mut Option<Slug>,
}

impl Doc<'_, '_> {
    /// Where the value of `key` is written.
    fn at(&self, key: &str) -> Option<Location> {
        frontmatter::value_location(self.split.front, key, self.split.front_line)
    }

    fn error(&mut self, key: &str, message: impl Into<String>) {
        let loc = self.at(key);
        let path = self.file.path.clone();
        self.diags.error(&path, loc, message);
    }

    fn parse<T: serde::de::DeserializeOwned>(&mut self) -> Option<T> {
        let parsed = frontmatter::parse(&self.split, &self.file.path, self.diags);
        if parsed.is_none() {
            self.claim_slug_anyway();
        }
        parsed
    }

    /// The slug of a document whose front matter did not parse, when it can still
    /// be told: its `slug` if that reads, else its file name.
    fn claim_slug_anyway(&mut self) {
        #[derive(Deserialize)]
        struct SlugOnly {
            slug: Option<String>,
        }
        let mut scratch = Diagnostics::default();
        let written: Option<SlugOnly> =
            frontmatter::parse(&self.split, &self.file.path, &mut scratch);
        if let Some(written) = written {
            let from_name = FileName::parse(&self.file.stem).slug_text();
            *self.claim = Slug::from_text(written.slug.as_deref().unwrap_or(&from_name));
        }
    }

    /// The slug: front matter's `slug`, else the file or bundle name without a
    /// leading `YYYY-MM-DD-` (see [`FileName`]).
    fn slug(&mut self, written: Option<&str>) -> Option<Slug> {
        let from_name = FileName::parse(&self.file.stem).slug_text();
        let source = written.unwrap_or(&from_name);
        let slug = Slug::from_text(source);
        self.claim.clone_from(&slug);
        if slug.is_none() {
            self.error(
                "slug",
                format!("cannot make a URL slug from `{source}`: set `slug` to a few words"),
            );
        }
        slug
    }

    fn date(&mut self, key: &str, text: &DateText, tz: &TimeZone) -> Option<(jiff::Zoned, bool)> {
        let resolved =
            DateSpec::parse(&text.0).and_then(|spec| Ok((spec.in_zone(tz)?, spec.is_day())));
        match resolved {
            Ok(z) => Some(z),
            Err(msg) => {
                self.error(key, format!("`{key}`: {msg}"));
                self.diags.hint(DateSpec::FORMS);
                None
            }
        }
    }

    fn day(
        &mut self,
        key: &str,
        text: &Option<DateText>,
        tz: &TimeZone,
    ) -> Option<jiff::civil::Date> {
        text.as_ref()
            .and_then(|t| self.date(key, t, tz))
            .map(|(z, _)| z.date())
    }

    /// The tags as written, one per slug (`Rust` and `rust` are one tag: the first
    /// spelling is kept and the others are named in a warning), at most `MAX_TAGS`.
    /// Tags fan out into tag pages that list each other, so their number is capped.
    fn tags(&mut self, written: Vec<String>) -> Vec<String> {
        let mut seen: std::collections::HashMap<Slug, usize> = std::collections::HashMap::new();
        let mut kept: Vec<String> = Vec::new();
        let mut merged: Vec<String> = Vec::new();
        for name in written {
            let Some(slug) = Slug::from_text(&name) else {
                continue;
            };
            match seen.get(&slug).and_then(|&first| kept.get(first)) {
                Some(first) if merged.len() < 3 => {
                    let note = format!("`{}` into `{}`", name.trim(), first.trim());
                    if !merged.contains(&note) {
                        merged.push(note);
                    }
                }
                Some(_) => {}
                // Past the cap only the count matters; nothing more is kept.
                None if seen.contains_key(&slug) || kept.len() > MAX_TAGS => {
                    seen.insert(slug, usize::MAX);
                }
                None => {
                    seen.insert(slug, kept.len());
                    kept.push(name);
                }
            }
        }
        if seen.len() > MAX_TAGS {
            self.error(
                "tags",
                format!(
                    "`tags` has {} different tags; at most {MAX_TAGS} are allowed",
                    seen.len()
                ),
            );
            kept.truncate(MAX_TAGS);
        } else if !merged.is_empty() {
            let loc = self.at("tags");
            let path = self.file.path.clone();
            self.diags.warning(
                &path,
                loc,
                format!(
                    "`tags` names the same tag more than once (same URL slug); merged {}",
                    merged.join(", ")
                ),
            );
        }
        kept
    }

    /// The event a post recaps: it must exist, else an error with the closest slug.
    fn recapped_event(&mut self, written: Option<&str>, ctx: &Context<'_>) -> Option<Slug> {
        let written = written?;
        let found = Slug::from_text(written).filter(|s| ctx.event_slugs.contains(s));
        if found.is_none() {
            self.error(
                "event",
                format!("`event` names `{written}`, but there is no event with that slug"),
            );
            let known: Vec<&str> = ctx.event_slugs.iter().map(Slug::as_str).collect();
            let hint =
                crate::diag::did_you_mean(&crate::diag::closest(written, known.iter().copied()))
                    .unwrap_or_else(|| {
                        "`event` takes the slug of an event under content/events/".to_string()
                    });
            self.diags.hint(hint);
        }
        found
    }

    fn members(&mut self, key: &str, slugs: &[String], ctx: &Context<'_>) -> Vec<Slug> {
        let mut out = Vec::new();
        for written in slugs {
            match Slug::from_text(written).filter(|s| ctx.member_slugs.contains(s)) {
                Some(slug) => out.push(slug),
                None => {
                    self.error(
                        key,
                        format!("`{key}` names `{written}`, but there is no member with that slug"),
                    );
                    let known: Vec<&str> = ctx.member_slugs.iter().map(Slug::as_str).collect();
                    let hint = crate::diag::did_you_mean(&crate::diag::closest(
                        written,
                        known.iter().copied(),
                    ))
                    .unwrap_or_else(|| format!("the members are: {}", known.join(", ")));
                    self.diags.hint(hint);
                }
            }
        }
        out
    }

    /// A URL for an image or avatar value: absolute URLs as written, `/x` under the
    /// site root, anything else must be a file of the bundle.
    fn asset_url(
        &mut self,
        key: &str,
        value: Option<String>,
        page_url: &str,
        config: &Config,
    ) -> Option<SafeUrl> {
        let url = self.url(key, value)?;
        let resolved = match url.kind() {
            UrlKind::External => return Some(url),
            UrlKind::Mail => {
                self.error(
                    key,
                    format!("`{key}` is a `mailto:` address, not a picture: use an https URL, `/path` for a file in static/, or a file beside this one"),
                );
                return None;
            }
            UrlKind::SitePath => format!("{}{}", config.root, &url.as_str()[1..]),
            UrlKind::Relative => {
                let name = url.as_str().trim_start_matches("./");
                if !asset_names(self.file).iter().any(|a| a == name) {
                    self.error(
                        key,
                        format!("`{key}` names `{url}`, which is not beside this file: make the file a bundle (NAME/index.md) with `{url}` in it, or use `/path` for a file in static/"),
                    );
                    return None;
                }
                format!("{page_url}{name}")
            }
        };
        self.checked_url(key, &resolved)
    }

    /// A URL-valued key (`online`, `rsvp`, ...), accepted only as an http(s) or mailto
    /// URL or a path; anything else is an error at the key's line.
    fn url(&mut self, key: &str, value: Option<String>) -> Option<SafeUrl> {
        self.checked_url(key, &value?)
    }

    fn checked_url(&mut self, key: &str, value: &str) -> Option<SafeUrl> {
        SafeUrl::parse(value)
            .map_err(|msg| self.error(key, format!("`{key}`: {msg}")))
            .ok()
    }

    /// The member's `links`, each URL checked; a bad one is reported at its own line.
    fn links(&mut self, links: BTreeMap<String, String>) -> Vec<(String, SafeUrl)> {
        let mut out = Vec::with_capacity(links.len());
        for (label, value) in links {
            match SafeUrl::parse(&value) {
                Ok(url) => out.push((label, url)),
                Err(msg) => {
                    let loc = self.link_location(&label);
                    let path = self.file.path.clone();
                    self.diags
                        .error(&path, loc, format!("`links.{label}`: {msg}"));
                }
            }
        }
        out
    }

    /// The line of one entry of `links`: under a `[links]` table, in a YAML block, or
    /// else the line of `links` itself (an inline table).
    fn link_location(&self, label: &str) -> Option<Location> {
        let front = self.split.front;
        let first = self.split.front_line;
        let lines: Vec<&str> = front.lines().collect();
        let start = lines
            .iter()
            .position(|l| l.trim() == "[links]")
            .or_else(|| Some(frontmatter::key_line(front, "links", first)?.line - first))?;
        let is_entry = |line: &str| {
            let line = line.trim_start();
            [
                label.to_string(),
                format!("\"{label}\""),
                format!("'{label}'"),
            ]
            .iter()
            .filter_map(|written| line.strip_prefix(written.as_str()))
            .any(|rest| rest.trim_start().starts_with(['=', ':']))
        };
        let entry = lines
            .iter()
            .enumerate()
            .skip(start + 1)
            .take_while(|(_, l)| !l.trim_start().starts_with('['))
            .find(|(_, l)| is_entry(l))
            .map_or(start, |(i, _)| i);
        Some(Location::line(entry + first))
    }

    fn body(
        &mut self,
        summary: Option<&str>,
        page_url: &str,
        config: &Config,
    ) -> std::sync::Arc<crate::model::Body> {
        let assets = asset_names(self.file);
        let links = LinkBase {
            root: &config.root,
            page_url,
            assets: &assets,
        };
        let text = self.split.body;
        // Checked only before rendering: a body in the cache passed already.
        let mut too_big = None;
        let body = super::cache::body(self.cache, text, summary, &links, config.markdown, || {
            too_big = markdown::too_big(text);
            too_big.is_none()
        });
        if let Some((offset, why)) = too_big {
            let loc = Location::of_offset(text, offset, self.body_line());
            let path = self.file.path.clone();
            self.diags.error(&path, Some(Location::line(loc.line)), why);
            return std::sync::Arc::default();
        }
        self.warn_template_leftovers();
        body.unwrap_or_default()
    }

    /// One warning for the other generator's template syntax left in the body (a
    /// site moved from Hugo or Jekyll), at the first place, with the count.
    fn warn_template_leftovers(&mut self) {
        let found = markdown::template_leftovers(self.split.body);
        let Some(&(offset, what)) = found.first() else {
            return;
        };
        let line_of = |at: usize| Location::of_offset(self.split.body, at, self.body_line());
        let loc = line_of(offset);
        let others: Vec<String> = found[1..]
            .iter()
            .take(3)
            .map(|&(at, what)| format!("{what} on line {}", line_of(at).line))
            .collect();
        let more = match found.len().saturating_sub(1 + others.len()) {
            _ if others.is_empty() => String::new(),
            0 => format!(" (also: {})", others.join(", ")),
            n => format!(" (also: {} and {n} more)", others.join(", ")),
        };
        let path = self.file.path.clone();
        self.diags.warning(
            &path,
            Some(loc),
            format!("{what} left in the text: it is printed as written{more}"),
        );
        self.diags.hint(
            "hearth runs no shortcodes or Liquid: write it as markdown or HTML, or put it in `code` to show it",
        );
    }

    /// The file line on which the markdown body starts (after the closing fence).
    fn body_line(&self) -> usize {
        self.split.front_line + self.split.front.matches('\n').count() + 1
    }

    fn source(&self) -> Source {
        let (bundle_dir, assets) = match &self.file.bundle {
            Some((dir, assets)) => (Some(dir.clone()), assets.clone()),
            None => (None, Vec::new()),
        };
        Source {
            path: self.file.path.clone(),
            assets,
            bundle_dir,
            stamp: crate::model::new_stamp(),
        }
    }
}

fn asset_names(file: &DocFile) -> Vec<String> {
    file.bundle
        .iter()
        .flat_map(|(_, assets)| {
            assets
                .iter()
                .map(|a| a.to_string_lossy().replace('\\', "/"))
        })
        .collect()
}

/// A content file's name cut into its parts: `2026-11-20-welcome`, or with a time of
/// day after the date, as Jekyll session files have it:
/// `2023-10-17-08-00-lactation-room`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileName<'a> {
    pub date: Option<&'a str>,
    /// Hour and minute, when the date is followed by `HH-MM-`.
    pub time: Option<(&'a str, &'a str)>,
    /// What follows the date and time.
    pub rest: &'a str,
}

impl<'a> FileName<'a> {
    pub fn parse(stem: &'a str) -> FileName<'a> {
        let undated = FileName {
            date: None,
            time: None,
            rest: stem,
        };
        let is_dated = stem.len() > 11
            && stem.as_bytes()[10] == b'-'
            && stem
                .get(..10)
                .is_some_and(|d| d.parse::<jiff::civil::Date>().is_ok());
        if !is_dated {
            return undated;
        }
        let after = &stem[11..];
        let time = after
            .get(..6)
            .filter(|t| t.len() < after.len())
            .and_then(|t| Some((t.strip_suffix('-')?.split_once('-')?, t)))
            .filter(|((h, m), _)| two_digits_below(h, 24) && two_digits_below(m, 60));
        match time {
            Some((hm, t)) => FileName {
                date: Some(&stem[..10]),
                time: Some(hm),
                rest: &after[t.len()..],
            },
            None => FileName {
                date: Some(&stem[..10]),
                time: None,
                rest: after,
            },
        }
    }

    /// The date (and time) as front matter would write it.
    pub fn date_text(&self) -> Option<String> {
        let date = self.date?;
        Some(match self.time {
            Some((h, m)) => format!("{date}T{h}:{m}:00"),
            None => date.to_string(),
        })
    }

    /// What the slug is made from. A time stays in it, at the end: a day's sessions
    /// of the same name (`08-00-lactation-room`, `09-00-lactation-room`) get
    /// different slugs, and a file's URL never depends on which other files exist.
    pub fn slug_text(&self) -> std::borrow::Cow<'a, str> {
        match self.time {
            Some((h, m)) => format!("{}-{h}{m}", self.rest).into(),
            None => self.rest.into(),
        }
    }
}

/// `08` for an hour below 24: two ASCII digits naming a number below `limit`.
fn two_digits_below(text: &str, limit: u8) -> bool {
    text.len() == 2
        && text.bytes().all(|b| b.is_ascii_digit())
        && text.parse::<u8>().is_ok_and(|n| n < limit)
}

impl Doc<'_, '_> {
    /// Where the item lives (`[permalinks]`), with its `aliases` checked; a bad
    /// alias is an error at the `aliases` line and is left out.
    fn route(
        &mut self,
        config: &Config,
        (kind, slug, date): (Kind, &Slug, Option<jiff::civil::Date>),
        aliases: Vec<String>,
    ) -> Route {
        let mut route = config.permalinks.route(&config.root, kind, slug, date);
        for written in aliases {
            match Alias::parse(&written, &config.root) {
                Ok(alias) => route.aliases.push(alias),
                Err(msg) => self.error("aliases", format!("`aliases`: {msg}")),
            }
        }
        route
    }
}

pub fn post(mut doc: Doc<'_, '_>, ctx: &Context<'_>) -> Option<Post> {
    let raw: RawPost = doc.parse()?;
    let tz = &ctx.config.timezone;
    let slug = doc.slug(raw.slug.as_deref());
    let date = match (&raw.date, FileName::parse(&doc.file.stem).date_text()) {
        (Some(d), _) => doc.date("date", d, tz).map(|(z, _)| z),
        (None, Some(d)) => doc.date("date", &DateText(d), tz).map(|(z, _)| z),
        (None, None) => {
            doc.error(
                "title",
                "missing `date`: add `date = YYYY-MM-DD` or name the file YYYY-MM-DD-slug.md",
            );
            None
        }
    };
    let updated = raw
        .updated
        .as_ref()
        .and_then(|u| doc.date("updated", u, tz))
        .map(|(z, _)| z);
    let authors = match raw.author {
        Some(_) if !raw.authors.0.is_empty() => {
            doc.error(
                "author",
                "both `author` and `authors` are set: keep one (`author` is another name for `authors`)",
            );
            doc.members("authors", &raw.authors.0, ctx)
        }
        Some(author) => doc.members("author", &author.0, ctx),
        None => doc.members("authors", &raw.authors.0, ctx),
    };
    let tags = doc.tags(raw.tags);
    let event = doc.recapped_event(raw.event.as_deref(), ctx);
    let (slug, date) = (slug?, date?);
    let route = doc.route(
        ctx.config,
        (Kind::Post, &slug, Some(date.date())),
        raw.aliases,
    );
    let image = doc.asset_url("image", raw.image, &route.dir, ctx.config);
    let body = doc.body(raw.summary.as_deref(), &route.dir, ctx.config);
    Some(Post {
        source: doc.source(),
        slug,
        route,
        title: raw.title,
        date,
        updated,
        draft: raw.draft || raw.published == Some(false),
        tags,
        authors,
        image,
        newsletter: raw.newsletter.unwrap_or(true),
        event,
        body,
        extra: raw.extra.0,
    })
}

pub fn member(mut doc: Doc<'_, '_>, config: &Config) -> Option<Member> {
    let raw: RawMember = doc.parse()?;
    let tz = &config.timezone;
    let slug = doc.slug(raw.slug.as_deref())?;
    let tags = doc.tags(raw.tags);
    let route = doc.route(config, (Kind::Member, &slug, None), raw.aliases);
    let joined = doc.day("joined", &raw.joined, tz);
    let spotlight = doc.day("spotlight", &raw.spotlight, tz);
    let avatar = doc.asset_url("avatar", raw.avatar, &route.dir, config);
    let links = doc.links(raw.links);
    let body = doc.body(raw.summary.as_deref(), &route.dir, config);
    Some(Member {
        source: doc.source(),
        slug,
        route,
        name: raw.name,
        role: raw.role,
        pronouns: raw.pronouns,
        avatar,
        joined,
        location: raw.location,
        links,
        tags,
        spotlight,
        draft: raw.draft || raw.published == Some(false),
        body,
        extra: raw.extra.0,
    })
}

pub fn event(mut doc: Doc<'_, '_>, ctx: &Context<'_>) -> Option<Event> {
    let raw: RawEvent = doc.parse()?;
    let timezone = raw
        .timezone
        .clone()
        .unwrap_or_else(|| ctx.config.timezone_name.clone());
    let tz = match TimeZone::get(&timezone) {
        Ok(tz) => Some(tz),
        Err(_) => {
            doc.error("timezone", format!("unknown time zone `{timezone}`"));
            doc.diags.hint(crate::diag::time_zone_hint(&timezone));
            None
        }
    };
    let slug = doc.slug(raw.slug.as_deref());
    let status = match raw.status.as_deref() {
        None | Some("scheduled") => Some(EventStatus::Scheduled),
        Some("cancelled" | "canceled") => Some(EventStatus::Cancelled),
        Some(other) => {
            doc.error(
                "status",
                format!("`status` is `{other}`; it must be `scheduled` or `cancelled`"),
            );
            None
        }
    };
    let organizers = doc.members("organizers", &raw.organizers.0, ctx);
    let online = doc.url("online", raw.online);
    let rsvp = doc.url("rsvp", raw.rsvp);
    let tags = doc.tags(raw.tags);
    let tz = tz?;
    let (start, all_day) = doc.date("start", &raw.start, &tz)?;
    let end = raw
        .end
        .as_ref()
        .and_then(|e| doc.date("end", e, &tz))
        .map(|(z, _)| z);
    if end.as_ref().is_some_and(|e| *e < start) {
        doc.error("end", "`end` is before `start`");
        return None;
    }
    let slug = slug?;
    let route = doc.route(
        ctx.config,
        (Kind::Event, &slug, Some(start.date())),
        raw.aliases,
    );
    let image = doc.asset_url("image", raw.image, &route.dir, ctx.config);
    let series = match raw.repeat {
        Some(repeat) => Some(doc.series(repeat, &start, &tz)?),
        None => None,
    };
    let occurrences = match &series {
        Some(series) => series.occurrences(&start, end.as_ref()),
        None => vec![Occurrence {
            start: start.clone(),
            end: end.clone(),
        }],
    };
    let body = doc.body(raw.summary.as_deref(), &route.dir, ctx.config);
    Some(Event {
        source: doc.source(),
        slug,
        route,
        title: raw.title,
        image,
        series,
        occurrences,
        start,
        end,
        all_day,
        timezone,
        location: raw.location,
        online,
        rsvp,
        organizers,
        tags,
        status: status?,
        draft: raw.draft || raw.published == Some(false),
        body,
        extra: raw.extra.0,
    })
}

impl Doc<'_, '_> {
    /// Where `key` of the table `[table]` is written (TOML), else the table itself.
    fn at_in(&self, table: &str, key: &str) -> Option<Location> {
        let front = self.split.front;
        frontmatter::table_key_line(front, table, key)
            .map(|l| Location::line(l.line + self.split.front_line - 1))
            .or_else(|| self.at(table))
    }

    fn repeat_error(&mut self, key: &str, message: String) {
        let loc = self.at_in("repeat", key);
        let path = self.file.path.clone();
        self.diags.error(&path, loc, message);
    }

    /// Checks `[repeat]`: the rule, that `start` is one of its dates, `until`
    /// (capped at `series::MAX_YEARS` after `start`, with a warning) and `except`.
    fn series(&mut self, raw: RawRepeat, start: &jiff::Zoned, tz: &TimeZone) -> Option<Series> {
        let rule = match Rule::parse(&raw.every, &raw.on) {
            Ok(rule) => rule,
            Err(msg) => {
                let key = if msg.starts_with("`every") {
                    "every"
                } else {
                    "on"
                };
                self.repeat_error(key, format!("`repeat.{key}`: {msg}"));
                return None;
            }
        };
        if !rule.matches(start.date()) {
            let first = rule
                .first_on_or_after(start.date())
                .map_or_else(String::new, |d| format!(" (the first is {d})"));
            self.error(
                "start",
                format!(
                    "`start` ({}) is not a date of the series `{}`: start the series on one of its dates{first}",
                    start.date(),
                    rule.describe().to_lowercase()
                ),
            );
            return None;
        }
        let cap = Series::cap(start.date());
        let until = match &raw.until {
            Some(text) => Some(self.repeat_date("until", text, tz)?),
            None => None,
        };
        let bound = match until {
            Some(until) if until < start.date() => {
                self.repeat_error(
                    "until",
                    format!("`repeat.until` ({until}) is before `start`"),
                );
                return None;
            }
            Some(until) if until <= cap => until,
            _ => {
                let why = match until {
                    Some(until) => format!("`repeat.until` ({until}) is more than"),
                    None => "the series has no `until`, so it is listed for".to_string(),
                };
                let key = if until.is_some() { "until" } else { "every" };
                let loc = self.at_in("repeat", key);
                let path = self.file.path.clone();
                self.diags.warning(
                    &path,
                    loc,
                    format!(
                        "{why} {} years after `start`: its dates end on {cap}",
                        series::MAX_YEARS
                    ),
                );
                cap
            }
        };
        let dates = rule.dates(start.date(), bound);
        let last = dates.last().copied().unwrap_or(start.date());
        let mut except = Vec::new();
        for text in &raw.except {
            let date = self.repeat_date("except", text, tz)?;
            if dates.binary_search(&date).is_err() {
                let loc = self.at_in("repeat", "except");
                let path = self.file.path.clone();
                self.diags.warning(
                    &path,
                    loc,
                    format!("`repeat.except`: {date} is not a date of the series: nothing to skip"),
                );
            }
            except.push(date);
        }
        except.sort_unstable();
        except.dedup();
        if dates.iter().all(|d| except.binary_search(d).is_ok()) {
            self.repeat_error(
                "except",
                "`repeat.except` skips every date of the series".to_string(),
            );
            return None;
        }
        Some(Series { rule, last, except })
    }

    fn repeat_date(
        &mut self,
        key: &str,
        text: &DateText,
        tz: &TimeZone,
    ) -> Option<jiff::civil::Date> {
        match DateSpec::parse(&text.0).and_then(|spec| spec.in_zone(tz)) {
            Ok(z) => Some(z.date()),
            Err(msg) => {
                self.repeat_error(key, format!("`repeat.{key}`: {msg}"));
                None
            }
        }
    }
}

pub fn page(mut doc: Doc<'_, '_>, config: &Config) -> Option<Page> {
    let raw: RawPage = doc.parse()?;
    let slug = doc.slug(raw.slug.as_deref())?;
    let route = doc.route(config, (Kind::Page, &slug, None), raw.aliases);
    let body = doc.body(None, &route.dir, config);
    Some(Page {
        source: doc.source(),
        slug,
        route,
        title: raw.title,
        menu: raw.menu,
        draft: raw.draft || raw.published == Some(false),
        body,
        extra: raw.extra.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dated_file_names_split_into_date_and_slug() {
        let parts = |stem| {
            let name = FileName::parse(stem);
            (name.date_text(), name.slug_text().into_owned())
        };
        assert_eq!(
            parts("2026-11-20-welcome"),
            (Some("2026-11-20".into()), "welcome".into())
        );
        assert_eq!(parts("welcome"), (None, "welcome".into()));
        assert_eq!(parts("2026-13-40-odd"), (None, "2026-13-40-odd".into()));
        assert_eq!(parts("2026-11-20"), (None, "2026-11-20".into()));
    }

    #[test]
    fn a_time_after_the_date_is_kept_at_the_end_of_the_slug() {
        let name = FileName::parse("2023-10-17-08-00-lactation-room");
        assert_eq!(name.date_text().as_deref(), Some("2023-10-17T08:00:00"));
        assert_eq!(name.slug_text(), "lactation-room-0800");
        // Not a time: a number of things, an hour past 23, nothing after the time.
        for stem in [
            "2023-10-17-10-tips",
            "2023-10-17-24-00-late",
            "2023-10-17-08-00",
        ] {
            assert_eq!(FileName::parse(stem).time, None, "{stem}");
        }
    }
}
