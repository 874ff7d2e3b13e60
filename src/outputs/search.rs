//! `search.json`: the index the theme's `/search/` page loads to search posts,
//! members and events in the browser, with no outside service.
//!
//! The file is one JSON object, `{"v": 1, "items": [...]}`, written compactly
//! because every visitor of the search page downloads it. `v` is the format version,
//! raised when a key changes meaning. Each item has short keys:
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
//!
//! Items come in the site's own order: posts newest first, members by name, events
//! soonest first. Only what the site publishes is indexed (drafts only with
//! `--drafts`), so the index never names a page that was not built.

use serde::Serialize;

use crate::model::time::human_date;
use crate::model::{EventStatus, Kind, Site};
use crate::render::Rendered;
use crate::render::views::when;

/// Where the index is written, relative to the output folder.
pub const PATH: &str = "search.json";

/// Summaries longer than this many characters are cut at a word boundary.
const SUMMARY_CHARS: usize = 200;

const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Index<'a> {
    v: u32,
    items: Vec<Item<'a>>,
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
}

/// The search index of the site.
pub fn files(site: &Site) -> Vec<Rendered> {
    let index = Index {
        v: FORMAT_VERSION,
        items: items(site),
    };
    // Serializing plain structs of strings into a String cannot fail.
    let contents = serde_json::to_string(&index).expect("the search index serializes");
    vec![Rendered {
        path: PATH.to_string(),
        contents,
    }]
}

fn items(site: &Site) -> Vec<Item<'_>> {
    let summary = |text: &str| truncate_summary(text, SUMMARY_CHARS);
    let posts = site.posts.iter().map(|p| Item {
        k: Kind::Post,
        t: &p.title,
        u: p.route.url.clone(),
        s: summary(&p.body.summary_text),
        g: tag_names(&p.tags),
        r: None,
        d: Some(human_date(&p.date)),
        x: false,
    });
    let members = site.members.iter().map(|m| Item {
        k: Kind::Member,
        t: &m.name,
        u: m.route.url.clone(),
        s: summary(&m.body.summary_text),
        g: tag_names(&m.tags),
        r: m.role.as_deref().map(str::trim).filter(|r| !r.is_empty()),
        d: None,
        x: false,
    });
    let events = site.events.iter().map(|e| Item {
        k: Kind::Event,
        t: &e.title,
        u: e.route.url.clone(),
        s: summary(&e.body.summary_text),
        g: tag_names(&e.tags),
        r: None,
        d: Some(when(e)),
        x: e.status == EventStatus::Cancelled,
    });
    posts.chain(members).chain(events).collect()
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
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
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
            body: body("A post about things."),
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
            body: body("Priya audits websites."),
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
            body: body(""),
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
            pages: Vec::new(),
            issues: Vec::new(),
            tags: Default::default(),
            data: Default::default(),
            sponsors: Vec::new(),
        };
        site.index_members();
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
        assert_eq!(index["v"], 1);
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
    fn the_same_site_gives_the_same_bytes() {
        assert_eq!(files(&site("/"))[0].contents, files(&site("/"))[0].contents);
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
