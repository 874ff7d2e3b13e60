//! The files machines read: feeds (read back with Python's feedparser), the sitemap
//! (an XML parser), schema.org JSON-LD, highlighted code, and what every page head
//! carries.

mod common;

use std::collections::BTreeSet;

use common::{Site, inspect, links, repo_root, snapshot};
use serde_json::Value;

fn built() -> Site {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    site
}

fn path_of(site: &Site, rel: &str) -> String {
    site.public().join(rel).to_string_lossy().into_owned()
}

#[test]
fn both_feeds_parse_with_feedparser_and_carry_the_newest_posts() {
    let site = built();
    for (file, version) in [("atom.xml", "atom10"), ("rss.xml", "rss20")] {
        let feed = inspect(&["feed", &path_of(&site, file)]);
        assert_eq!(feed["bozo"], false, "{file}: {}", feed["bozo_exception"]);
        assert_eq!(feed["version"], version);
        assert_eq!(feed["title"], "Test Town Tech");
        let entries = feed["entries"].as_array().expect("entries");
        assert_eq!(
            entries.len(),
            6,
            "{file}: every published post, no draft or future post"
        );
        assert_eq!(entries[0]["title"], "A bundle", "{file}: newest first");
        assert_eq!(
            entries[0]["link"],
            "https://test.example.org/posts/bundle-post/"
        );
        let first = entries
            .iter()
            .find(|e| e["title"] == "First post")
            .expect("first post");
        assert_eq!(
            first["authors"],
            serde_json::json!(["Ada Lovelace"]),
            "{file}"
        );
        let content = first["content"][0].as_str().expect("full content");
        assert!(
            content.contains("href=\"https://test.example.org/members/bob/\""),
            "{file}: absolute links: {content}"
        );
        assert!(
            first["summary"]
                .as_str()
                .is_some_and(|s| s.contains("The first post")),
            "{file}"
        );
    }
}

#[test]
fn feed_dates_come_from_the_content_not_the_clock() {
    let site = built();
    let atom = std::fs::read(site.public().join("atom.xml")).expect("atom");
    let feed = inspect(&["feed", &path_of(&site, "atom.xml")]);
    assert_eq!(
        feed["updated"], "2026-05-03T00:00:00+02:00",
        "the newest post's date"
    );
    let later = common::hearth(&[
        "build",
        site.path().to_str().expect("utf-8"),
        "--now",
        "2026-11-30T08:00:00Z",
    ]);
    later.success();
    assert_eq!(
        atom,
        std::fs::read(site.public().join("atom.xml")).expect("atom")
    );
}

#[test]
fn feed_limit_caps_the_number_of_entries() {
    let site = Site::fixture("basic");
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    site.write("hearth.toml", format!("feed_limit = 2\n{config}"));
    site.build(&[]).success();
    let feed = inspect(&["feed", &path_of(&site, "rss.xml")]);
    assert_eq!(feed["entries"].as_array().map(Vec::len), Some(2));
}

#[test]
fn the_sitemap_lists_every_page_and_robots_names_it() {
    let site = built();
    let entries = inspect(&["sitemap", &path_of(&site, "sitemap.xml")]);
    let listed: BTreeSet<String> = entries
        .as_array()
        .expect("urls")
        .iter()
        .map(|u| u["loc"].as_str().expect("loc").to_string())
        .collect();
    let pages: BTreeSet<String> = snapshot(&site.public())
        .into_keys()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| p.ends_with("index.html") && p != "posts/page/1/index.html")
        .map(|p| {
            format!(
                "https://test.example.org/{}",
                p.trim_end_matches("index.html")
            )
        })
        .collect();
    assert_eq!(listed, pages);
    let post = entries
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|u| u["loc"] == "https://test.example.org/posts/second/")
        })
        .expect("second post listed");
    assert_eq!(post["lastmod"], "2026-02-01T00:00:00+01:00");
    let robots = site.page("robots.txt");
    assert!(
        robots.contains("Sitemap: https://test.example.org/sitemap.xml"),
        "{robots}"
    );
}

fn json_ld(site: &Site, rel: &str) -> Value {
    let path = path_of(site, rel);
    let all = inspect(&["jsonld", &path]);
    let blocks = all[path.as_str()].as_array().expect("blocks").clone();
    assert_eq!(blocks.len(), 1, "{rel} has one JSON-LD block");
    blocks[0].clone()
}

#[test]
fn posts_members_and_events_carry_schema_org_json_ld() {
    let site = built();
    let post = json_ld(&site, "posts/first/index.html");
    assert_eq!(post["@type"], "BlogPosting");
    assert_eq!(post["headline"], "First post");
    assert_eq!(post["datePublished"], "2026-01-10T00:00:00+01:00");
    assert_eq!(post["author"][0]["name"], "Ada Lovelace");
    assert_eq!(
        post["author"][0]["url"],
        "https://test.example.org/members/ada-lovelace/"
    );

    let member = json_ld(&site, "members/mallory/index.html");
    assert_eq!(member["@type"], "Person");
    assert_eq!(
        member["name"], "<script>alert('name')</script> Mallory",
        "escaped for HTML, intact as JSON"
    );

    let event = json_ld(&site, "events/spring-meetup/index.html");
    assert_eq!(event["@type"], "Event");
    assert_eq!(event["startDate"], "2026-03-05T19:00:00+01:00");
    assert_eq!(event["endDate"], "2026-03-05T21:00:00+01:00");
    assert_eq!(event["eventStatus"], "https://schema.org/EventScheduled");
    assert_eq!(event["location"]["@type"], "Place");
    assert_eq!(event["organizer"][0]["name"], "Bob Builder");

    let online = json_ld(&site, "events/december-talks/index.html");
    assert_eq!(online["location"]["@type"], "VirtualLocation");
    assert_eq!(online["startDate"], "2026-12-01T18:30:00-05:00");
    assert_eq!(
        online["eventAttendanceMode"],
        "https://schema.org/OnlineEventAttendanceMode"
    );

    let cancelled = json_ld(&site, "events/winter-social/index.html");
    assert_eq!(
        cancelled["eventStatus"],
        "https://schema.org/EventCancelled"
    );
}

#[test]
fn a_rust_code_block_is_highlighted_and_an_unknown_language_stays_plain() {
    let site = built();
    let page = site.page("posts/first/index.html");
    assert!(
        page.contains("<pre class=\"code\" data-lang=\"rust\" tabindex=\"0\""),
        "{page}"
    );
    for class in ["hl-keyword", "hl-comment", "hl-string", "hl-function"] {
        assert!(page.contains(class), "{class} missing");
    }
    assert!(page.contains("<code class=\"language-no-such-language\">plain text stays plain"));
    // Highlighting needs no JavaScript: the only script is the theme's optional
    // hearth.js (local times, copy buttons).
    assert_eq!(
        page.matches("<script src").count(),
        1,
        "highlighting needs no JavaScript"
    );
    assert!(page.contains("hearth.js\" defer>"));
}

#[test]
fn event_pages_offer_the_event_to_calendars() {
    let site = built();
    let page = site.page("events/december-talks/index.html");
    let page_links = links(&page);
    assert!(
        page_links.contains(&"/events/december-talks/event.ics".to_string()),
        "ics link"
    );
    let google = page_links
        .iter()
        .find(|l| l.starts_with("https://calendar.google.com/calendar/render?action=TEMPLATE"))
        .expect("Google Calendar link");
    assert!(google.contains("&text=December%20talks"), "{google}");
    assert!(
        google.contains("&dates=20261201T233000Z%2F20261202T003000Z"),
        "an hour when no end is given: {google}"
    );
    assert!(
        site.public()
            .join("events/december-talks/event.ics")
            .is_file()
    );
    assert!(links(&site.page("events/index.html")).contains(&"/events/calendar.ics".to_string()));
    // A cancelled event offers nothing to add.
    assert!(
        !site
            .page("events/winter-social/index.html")
            .contains("Add to calendar")
    );
}

#[test]
fn every_page_head_has_description_canonical_open_graph_and_feed_links() {
    let site = built();
    for (rel, bytes) in snapshot(&site.public()) {
        let rel = rel.to_string_lossy();
        if !rel.ends_with(".html") || rel == "posts/page/1/index.html" {
            continue;
        }
        let html = String::from_utf8(bytes).expect("utf-8");
        for needle in [
            "<meta name=\"description\"",
            "<link rel=\"canonical\" href=\"https://test.example.org/",
            "<meta property=\"og:title\"",
            "<meta property=\"og:url\"",
            "type=\"application/atom+xml\"",
            "type=\"application/rss+xml\"",
        ] {
            assert!(html.contains(needle), "{rel} lacks {needle}");
        }
    }
}

#[test]
fn nothing_in_the_example_site_loads_from_another_host() {
    let site = Site::copy_of(&repo_root().join("example-site"));
    site.build(&[]).success();
    for (rel, bytes) in snapshot(&site.public()) {
        let rel = rel.to_string_lossy();
        if !(rel.ends_with(".html") || rel.ends_with(".css") || rel.ends_with(".js")) {
            continue;
        }
        let text = String::from_utf8(bytes).expect("utf-8");
        // Everything a page loads by itself: src attributes, stylesheets and icons,
        // CSS url() and @import, and script fetches.
        let mut loaded: Vec<String> = links(&text)
            .into_iter()
            .filter(|l| text.contains(&format!("src=\"{l}\"")))
            .collect();
        for tag in text.split("<link ").skip(1) {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            if !tag.contains("rel=\"alternate\"") && !tag.contains("rel=\"canonical\"") {
                loaded.extend(links(tag));
            }
        }
        for marker in ["url(", "@import", "fetch("] {
            for part in text.split(marker).skip(1) {
                loaded.push(
                    part.trim_start_matches(['"', '\'', ' '])
                        .chars()
                        .take(60)
                        .collect(),
                );
            }
        }
        for url in loaded {
            assert!(
                !(url.starts_with("http:") || url.starts_with("https:") || url.starts_with("//")),
                "{rel} loads {url} from another host"
            );
        }
    }
}
