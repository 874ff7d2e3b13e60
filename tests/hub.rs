//! The community's identity and content around the posts: the site's logo, picture
//! and links, data files (sponsors in four formats), recaps linking posts and
//! events, link previews on every page and the JSON outputs.

mod common;

use std::process::Command;

use common::Site;

const IDENTITY: &str = r#"
tagline = "Come as you are"
logo = "/images/logo.svg"
image = "/images/social.png"

[links]
Mastodon = "https://social.example.org/@town"
GitHub = "https://github.com/test-town"
Newsletter = "https://news.example.org/"
"#;

/// The basic fixture with the identity keys added to its hearth.toml.
fn with_identity() -> Site {
    let site = Site::fixture("basic");
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    let (top, rest) = config
        .split_once("\n[")
        .map_or((config.as_str(), ""), |(a, b)| (a, b));
    let rest = if rest.is_empty() {
        String::new()
    } else {
        format!("\n[{rest}")
    };
    site.write("hearth.toml", format!("{top}\n{IDENTITY}{rest}"));
    site
}

#[test]
fn the_logo_tagline_and_links_are_shown() {
    let site = with_identity();
    site.build(&[]).success();
    let home = site.page("index.html");
    assert!(
        home.contains(r#"<img class="brand-logo" src="/images/logo.svg" alt="Test Town Tech""#)
    );
    assert!(
        !home.contains("brand-mark"),
        "the flame gives way to the logo"
    );
    assert!(home.contains(r#"<p class="hero-tagline">Come as you are</p>"#));
    for (url, label) in [
        ("https://social.example.org/@town", "Mastodon"),
        ("https://github.com/test-town", "GitHub"),
        ("https://news.example.org/", "Newsletter"),
    ] {
        assert!(
            home.contains(&format!(r#"<a href="{url}" rel="me">"#)),
            "{label}"
        );
        assert!(home.contains(&format!("<span>{label}</span>")), "{label}");
    }
    // Icons only for services the theme knows, hidden from screen readers.
    assert_eq!(home.matches(r#"class="service-icon""#).count(), 2);
    assert!(home.contains(
        r#"class="service-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true""#
    ));
}

#[test]
fn every_kind_of_page_has_a_link_preview_picture() {
    let site = with_identity();
    site.build(&[]).success();
    let site_image = "https://test.example.org/images/social.png";
    for (page, image) in [
        ("index.html", site_image),
        ("posts/index.html", site_image),
        ("posts/second/index.html", site_image),
        (
            "posts/bundle-post/index.html",
            "https://test.example.org/posts/bundle-post/",
        ),
        ("members/bob/index.html", site_image),
        ("events/index.html", site_image),
        ("events/december-talks/index.html", site_image),
        ("about/index.html", site_image),
        ("tags/index.html", site_image),
    ] {
        let html = site.page(page);
        let tag = format!(r#"<meta property="og:image" content="{image}"#);
        assert!(html.contains(&tag), "{page} lacks {tag}");
        assert!(
            html.contains(r#"<meta name="twitter:card" content="summary_large_image">"#),
            "{page}"
        );
        assert!(
            html.contains(r#"<meta name="twitter:image" content="https://"#),
            "{page}"
        );
    }
}

#[test]
fn a_page_s_own_picture_wins_over_the_site_s() {
    let site = with_identity();
    site.write(
        "content/events/with-picture.md",
        "+++\ntitle = \"Picture night\"\nstart = 2026-12-05T19:00:00\nimage = \"https://cdn.example.org/night.png\"\n+++\n",
    );
    site.write(
        "content/members/pictured.md",
        "+++\nname = \"Pat\"\navatar = \"/images/pat.png\"\n+++\n",
    );
    site.build(&[]).success();
    assert!(
        site.page("events/with-picture/index.html")
            .contains(r#"og:image" content="https://cdn.example.org/night.png""#)
    );
    assert!(
        site.page("members/pictured/index.html")
            .contains(r#"og:image" content="https://test.example.org/images/pat.png""#)
    );
}

#[test]
fn without_any_picture_the_card_is_a_summary() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let about = site.page("about/index.html");
    assert!(!about.contains("og:image"));
    assert!(about.contains(r#"<meta name="twitter:card" content="summary">"#));
}

#[test]
fn bad_identity_values_are_errors_at_their_line() {
    let site = Site::fixture("basic");
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    // Top-level keys go before the first table.
    let text = format!("logo = \"logo.svg\"\n{config}\n[links]\nEvil = \"javascript:alert(1)\"\n");
    site.write("hearth.toml", &text);
    let run = site.build(&[]);
    run.failure(1);
    assert!(run.stderr.contains("hearth.toml:1"), "{}", run.stderr);
    assert!(run.stderr.contains("`logo`"), "{}", run.stderr);
    let links_line = text
        .lines()
        .position(|l| l.starts_with("Evil"))
        .expect("written")
        + 1;
    assert!(
        run.stderr.contains(&format!("hearth.toml:{links_line}")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`links.Evil`"), "{}", run.stderr);
}

/// The same three sponsors, written in each format hearth reads.
const SPONSORS: [(&str, &str); 4] = [
    (
        "sponsors.toml",
        "[[sponsors]]\nname = \"Acme\"\nurl = \"https://acme.example\"\nlogo = \"/images/acme.svg\"\ntier = \"Gold\"\n\n[[sponsors]]\nname = \"Bakery\"\ntier = \"Friends\"\n\n[[sponsors]]\nname = \"Globex\"\nurl = \"https://globex.example\"\ntier = \"Gold\"\n",
    ),
    (
        "sponsors.yaml",
        "- name: Acme\n  url: https://acme.example\n  logo: /images/acme.svg\n  tier: Gold\n- name: Bakery\n  tier: Friends\n- name: Globex\n  url: https://globex.example\n  tier: Gold\n",
    ),
    (
        "sponsors.json",
        r#"[{"name": "Acme", "url": "https://acme.example", "logo": "/images/acme.svg", "tier": "Gold"},
 {"name": "Bakery", "tier": "Friends"},
 {"name": "Globex", "url": "https://globex.example", "tier": "Gold"}]"#,
    ),
    (
        "sponsors.csv",
        "name,url,logo,tier\nAcme,https://acme.example,/images/acme.svg,Gold\nBakery,,,Friends\nGlobex,https://globex.example,,Gold\n",
    ),
];

#[test]
fn sponsors_are_shown_from_every_data_format() {
    for (file, text) in SPONSORS {
        let site = Site::fixture("basic");
        site.write(&format!("data/{file}"), text);
        site.build(&[]).success();
        let home = site.page("index.html");
        let section = &home[home
            .find("home-sponsors")
            .unwrap_or_else(|| panic!("{file}: no sponsors"))..];
        // Grouped by tier, tiers and sponsors in file order.
        let at = |needle: &str| {
            section
                .find(needle)
                .unwrap_or_else(|| panic!("{file}: {needle}"))
        };
        assert!(
            at(">Gold</h3>") < at(">Acme<") && at(">Acme<") < at(">Globex<"),
            "{file}"
        );
        assert!(
            at(">Globex<") < at(">Friends</h3>") && at(">Friends</h3>") < at(">Bakery<"),
            "{file}"
        );
        assert!(
            section.contains(r#"<a href="https://acme.example">Acme</a>"#),
            "{file}"
        );
        assert!(section.contains(r#"src="/images/acme.svg""#), "{file}");
        // The footer names them all, on every page.
        let post = site.page("posts/second/index.html");
        let footer = &post[post
            .find("sponsor-names")
            .unwrap_or_else(|| panic!("{file}: footer"))..];
        assert!(
            footer.contains("Acme") && footer.contains("Bakery") && footer.contains("Globex"),
            "{file}"
        );
    }
}

#[test]
fn data_files_are_given_to_templates() {
    let site = Site::fixture("basic");
    site.write("data/team.yaml", "lead: Ada\nsize: 3\n");
    site.write("data/partners.json", r#"[{"name": "Tokyo Rust", "url": "https://tokyo.example", "description": "Friends abroad"}]"#);
    site.write(
        "templates/404.html",
        "{{ site.data.team.lead }} of {{ site.data.team.size }}",
    );
    site.write(
        "content/pages/about.md",
        "+++\ntitle = \"About\"\n\n[extra]\ndata = \"partners\"\n+++\nWho we are.\n",
    );
    site.build(&[]).success();
    assert_eq!(site.page("404.html"), "Ada of 3");
    let page = site.page("about/index.html");
    assert!(
        page.contains(r#"<a href="https://tokyo.example">Tokyo Rust</a>"#),
        "{page}"
    );
    assert!(page.contains("Friends abroad"));
}

#[test]
fn data_file_errors_name_the_file_and_line() {
    for (file, text, line) in [
        ("data/a.toml", "x = 1\ny = = 2\n", 2),
        ("data/b.yaml", "- name: x\n  url: [unclosed\n", 3),
        ("data/c.json", "[\n  {\"name\": \"x\"},\n  oops\n]\n", 3),
        ("data/d.csv", "name,tier\nx,gold\ny,gold,extra\n", 3),
        (
            "data/sponsors.yaml",
            "- name: Evil\n  url: javascript:alert(1)\n",
            2,
        ),
    ] {
        let site = Site::fixture("basic");
        site.write(file, text);
        let run = site.build(&[]);
        run.failure(1);
        assert!(
            run.stderr.contains(&format!("{file}:{line}")),
            "{file}: {}",
            run.stderr
        );
    }
}

#[test]
fn data_names_must_be_identifiers_and_unique() {
    let site = Site::fixture("basic");
    site.write("data/my-list.json", "[]");
    let run = site.build(&[]);
    run.failure(1);
    assert!(run.stderr.contains("plain identifier"), "{}", run.stderr);

    let site = Site::fixture("basic");
    site.write("data/sponsors.json", "[]");
    site.write("data/sponsors.yaml", "[]");
    let run = site.build(&[]);
    run.failure(1);
    assert!(run.stderr.contains("data/sponsors.yaml"), "{}", run.stderr);
    assert!(run.stderr.contains("data/sponsors.json"), "{}", run.stderr);
}

const RECAP: &str = "+++\ntitle = \"How the December talks went\"\ndate = 2026-11-20\nevent = \"december-talks\"\n+++\nGreat evening.\n";

#[test]
fn a_recap_links_post_and_event_both_ways() {
    let site = Site::fixture("basic");
    site.write("content/posts/recap.md", RECAP);
    // After the talks, so that the event is past.
    let dir = site.path().to_str().expect("utf-8 path");
    common::hearth(&["build", dir, "--now", "2026-12-20T12:00:00Z"]).success();
    let post = site.page("posts/recap/index.html");
    assert!(
        post.contains(r#"Recap of: <a href="/events/december-talks/">December talks</a>"#),
        "{post}"
    );
    let event = site.page("events/december-talks/index.html");
    let recaps = event
        .find(r#"<h2 id="recaps-heading">Recaps</h2>"#)
        .expect("recaps listed");
    assert!(event[recaps..].contains(r#"<a href="/posts/recap/">How the December talks went</a>"#));
    // A past event shows its recaps before its details.
    assert!(recaps < event.find("event-facts").expect("facts"));
}

#[test]
fn a_recap_of_an_unknown_event_is_a_located_error_with_a_suggestion() {
    let site = Site::fixture("basic");
    site.write(
        "content/posts/recap.md",
        RECAP.replace("december-talks", "december-talk"),
    );
    let run = site.build(&[]);
    run.failure(1);
    assert!(
        run.stderr.contains("content/posts/recap.md:4"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("december-talks"),
        "did you mean: {}",
        run.stderr
    );
}

#[test]
fn the_json_feed_has_what_json_feed_1_1_requires() {
    let site = with_identity();
    site.build(&[]).success();
    let home = site.page("index.html");
    assert!(home.contains(r#"<link rel="alternate" type="application/feed+json" title="Test Town Tech: posts (JSON Feed)" href="/feed.json">"#));
    let check = r#"
import json, sys
feed = json.load(open(sys.argv[1]))
assert feed["version"] == "https://jsonfeed.org/version/1.1", feed["version"]
for key in ("title", "home_page_url", "feed_url"):
    assert isinstance(feed[key], str) and feed[key], key
assert feed["feed_url"].endswith("/feed.json")
assert isinstance(feed["items"], list) and feed["items"]
for item in feed["items"]:
    assert isinstance(item["id"], str) and item["id"]
    assert item.get("content_html") or item.get("content_text"), item["id"]
    assert item["url"].startswith("https://"), item["url"]
    for key in ("title", "summary", "date_published", "date_modified"):
        assert isinstance(item[key], str), (item["id"], key)
    assert "T" in item["date_published"] and item["date_published"][-6] in "+-" or item["date_published"].endswith("Z")
    for author in item.get("authors", []):
        assert isinstance(author["name"], str)
    assert all(isinstance(t, str) for t in item.get("tags", []))
    if "image" in item:
        assert item["image"].startswith("https://"), item["image"]
print(len(feed["items"]))
"#;
    let out = Command::new("python3")
        .args(["-c", check])
        .arg(site.public().join("feed.json"))
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn events_json_lists_upcoming_soonest_first_and_past_latest_first() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let json: serde_json::Value = serde_json::from_str(&site.page("events.json")).expect("json");
    let starts = |key: &str| -> Vec<String> {
        json[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|e| e["start_utc"].as_str().expect("start_utc").to_string())
            .collect()
    };
    let (upcoming, past) = (starts("upcoming"), starts("past"));
    assert!(!upcoming.is_empty() && !past.is_empty());
    assert!(upcoming.windows(2).all(|w| w[0] <= w[1]), "{upcoming:?}");
    assert!(past.windows(2).all(|w| w[0] >= w[1]), "{past:?}");
    for event in json["upcoming"].as_array().expect("list") {
        for key in ["title", "url", "start", "timezone", "status"] {
            assert!(event[key].is_string(), "{key}: {event}");
        }
        assert!(
            event["url"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://"))
        );
    }
}
