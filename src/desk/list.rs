//! `hearth list`: the site's items with their dates and files, drafts and scheduled
//! posts included, so an organizer sees at a glance what is where.

use std::path::PathBuf;

use jiff::Timestamp;

use crate::model::Site;

/// Which items to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// Everything below.
    All,
    /// Posts, members, events and pages marked `draft = true`.
    Drafts,
    /// Posts dated in the future (not drafts): they appear on their date.
    Scheduled,
    /// Published posts.
    Posts,
    Events,
    Members,
}

/// One listed item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// `post`, `draft post`, `scheduled`, `event`, `member`, ...
    pub kind: String,
    /// `YYYY-MM-DD` in the site's time zone, or empty.
    pub date: String,
    pub title: String,
    pub path: PathBuf,
}

/// The items of `which`, each group in date order (members by name).
pub fn items(site: &Site, which: Which, now: Timestamp) -> Vec<Item> {
    let tz = &site.config.timezone;
    let day = |z: &jiff::Zoned| z.with_time_zone(tz.clone()).date().to_string();
    let wants = |w: Which| which == Which::All || which == w;
    let mut out = Vec::new();
    let mut posts: Vec<_> = site.posts.iter().collect();
    posts.sort_by(|a, b| a.date.cmp(&b.date));
    for post in posts {
        let (kind, group) = if post.draft {
            ("draft post", Which::Drafts)
        } else if post.date.timestamp() > now {
            ("scheduled", Which::Scheduled)
        } else {
            ("post", Which::Posts)
        };
        if wants(group) {
            out.push(item(kind, day(&post.date), &post.title, &post.source.path));
        }
    }
    for event in &site.events {
        if wants(Which::Events) || (event.draft && wants(Which::Drafts)) {
            let kind = if event.draft { "draft event" } else { "event" };
            out.push(item(
                kind,
                day(&event.start),
                &event.title,
                &event.source.path,
            ));
        }
    }
    for member in &site.members {
        if wants(Which::Members) || (member.draft && wants(Which::Drafts)) {
            let kind = if member.draft {
                "draft member"
            } else {
                "member"
            };
            let date = member.joined.map(|d| d.to_string()).unwrap_or_default();
            out.push(item(kind, date, &member.name, &member.source.path));
        }
    }
    for page in &site.pages {
        if which == Which::All || (page.draft && which == Which::Drafts) {
            let kind = if page.draft { "draft page" } else { "page" };
            out.push(item(kind, String::new(), &page.title, &page.source.path));
        }
    }
    out
}

fn item(kind: &str, date: String, title: &str, path: &std::path::Path) -> Item {
    Item {
        kind: kind.to_string(),
        date,
        title: title.to_string(),
        path: path.to_path_buf(),
    }
}
