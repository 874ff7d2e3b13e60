//! Where items live: `[permalinks]` patterns move every kind of item and every link,
//! feed, sitemap, search entry, calendar and JSON-LD follows; `aliases` leave
//! redirect pages and `_redirects` rules at old URLs; clashes and bad paths are
//! errors naming the files involved.

mod common;

use common::{NOW, Site, broken_internal_links, hearth, problem_lines};

/// A small site of one item of each kind that link to each other, under `base_url`,
/// with `extra` appended to hearth.toml.
fn site(base_url: &str, extra: &str) -> Site {
    let site = Site {
        dir: tempfile::tempdir().expect("temp dir"),
    };
    site.write(
        "hearth.toml",
        format!(
            "title = \"Club\"\nbase_url = \"{base_url}\"\ntimezone = \"Europe/Berlin\"\n{extra}"
        ),
    );
    site.write(
        "content/members/ada.md",
        "+++\nname = \"Ada\"\ntags = [\"rust\"]\n+++\nAda writes.\n",
    );
    site.write(
        "content/posts/2026-11-02-hello/index.md",
        "+++\ntitle = \"Hello\"\nauthors = [\"ada\"]\ntags = [\"rust\"]\nimage = \"photo.svg\"\n+++\nHello, with ![a dot](photo.svg).\n",
    );
    site.write(
        "content/posts/2026-11-02-hello/photo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    site.write(
        "content/events/winter-night.md",
        "+++\ntitle = \"Winter night\"\nstart = 2026-12-03T19:00:00\norganizers = [\"ada\"]\ntags = [\"rust\"]\n+++\nTalks.\n",
    );
    site.write(
        "content/pages/about.md",
        "+++\ntitle = \"About\"\nmenu = 1\n+++\nAbout the club.\n",
    );
    site
}

/// Adds `aliases = [...]` to the front matter of `rel` (after its first line).
fn add_aliases(site: &Site, rel: &str, aliases: &[&str]) {
    let path = site.path().join(rel);
    let text = std::fs::read_to_string(&path).expect("read");
    let list: Vec<String> = aliases.iter().map(|a| format!("{a:?}")).collect();
    let text = text.replacen(
        "+++\n",
        &format!("+++\naliases = [{}]\n", list.join(", ")),
        1,
    );
    std::fs::write(path, text).expect("write");
}

fn exists(site: &Site, rel: &str) -> bool {
    site.public().join(rel).is_file()
}

fn check(site: &Site) -> common::Run {
    hearth(&["check", site.path().to_str().expect("utf-8"), "--now", NOW])
}

const MOVED: &str = r#"
[permalinks]
posts = "/:year/:month/:day/:slug.html"
members = "/people/:slug/"
events = "/meetups/:year/:slug/"
pages = "/p/:slug/"
"#;

#[test]
fn permalinks_place_every_kind_and_every_internal_link_follows() {
    let site = site("https://x.org", MOVED);
    site.build(&[]).success();
    for file in [
        "2026/11/02/hello.html",
        "2026/11/02/hello/photo.svg",
        "people/ada/index.html",
        "meetups/2026/winter-night/index.html",
        "meetups/2026/winter-night/event.ics",
        "p/about/index.html",
    ] {
        assert!(exists(&site, file), "{file} missing");
    }
    for old in [
        "posts/hello/index.html",
        "members/ada/index.html",
        "events/winter-night/index.html",
        "about/index.html",
    ] {
        assert!(!exists(&site, old), "{old} still written");
    }
    assert_eq!(broken_internal_links(&site.public()), Vec::<String>::new());
    let post = site.page("2026/11/02/hello.html");
    assert!(
        post.contains(r#"src="/2026/11/02/hello/photo.svg""#),
        "{post}"
    );
    assert!(
        post.contains(r#"href="/people/ada/""#),
        "author link: {post}"
    );
    assert!(
        post.contains(r#""url":"https://x.org/2026/11/02/hello.html""#),
        "JSON-LD: {post}"
    );
    assert!(
        site.page("index.html").contains(r#"href="/p/about/""#),
        "menu"
    );
    let event = site.page("meetups/2026/winter-night/index.html");
    assert!(
        event.contains(r#"href="/meetups/2026/winter-night/event.ics""#),
        "{event}"
    );
    assert!(event.contains(r#""url":"https://x.org/meetups/2026/winter-night/""#));
}

#[test]
fn permalinks_reach_feeds_sitemap_search_and_calendars() {
    let site = site("https://x.org", MOVED);
    site.build(&[]).success();
    let post_url = "https://x.org/2026/11/02/hello.html";
    assert!(
        site.page("atom.xml")
            .contains(&format!("<id>{post_url}</id>"))
    );
    assert!(
        site.page("atom.xml")
            .contains("<uri>https://x.org/people/ada/</uri>")
    );
    assert!(
        site.page("rss.xml")
            .contains(&format!("<link>{post_url}</link>"))
    );
    let sitemap = site.page("sitemap.xml");
    for url in [
        post_url,
        "https://x.org/people/ada/",
        "https://x.org/meetups/2026/winter-night/",
        "https://x.org/p/about/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>{url}</loc>")),
            "{url} not in {sitemap}"
        );
    }
    assert!(!sitemap.contains("/posts/hello/"), "{sitemap}");
    let search = site.page("search.json");
    assert!(
        search.contains(r#""u":"/2026/11/02/hello.html""#),
        "{search}"
    );
    assert!(
        search.contains(r#""u":"/people/ada/""#)
            && search.contains(r#""u":"/meetups/2026/winter-night/""#)
    );
    for ics in ["events/calendar.ics", "meetups/2026/winter-night/event.ics"] {
        let text = site.page(ics).replace("\r\n ", "");
        assert!(
            text.contains("URL:https://x.org/meetups/2026/winter-night/"),
            "{ics}: {text}"
        );
    }
}

#[test]
fn aliases_of_every_kind_become_redirect_pages_and_redirect_rules() {
    let site = site("https://x.org", "");
    add_aliases(
        &site,
        "content/posts/2026-11-02-hello/index.md",
        &["/2019/05/15/old-hello.html", "/news/hello"],
    );
    add_aliases(&site, "content/members/ada.md", &["/team/ada/"]);
    add_aliases(
        &site,
        "content/events/winter-night.md",
        &["/calendar/winter.html"],
    );
    add_aliases(&site, "content/pages/about.md", &["/about-us/"]);
    site.build(&[]).success();
    for (file, target) in [
        ("2019/05/15/old-hello.html", "https://x.org/posts/hello/"),
        ("news/hello/index.html", "https://x.org/posts/hello/"),
        ("team/ada/index.html", "https://x.org/members/ada/"),
        ("calendar/winter.html", "https://x.org/events/winter-night/"),
        ("about-us/index.html", "https://x.org/about/"),
    ] {
        let page = site.page(file);
        assert!(
            page.contains(&format!(
                r#"<meta http-equiv="refresh" content="0; url={target}">"#
            )),
            "{file}: {page}"
        );
        assert!(
            page.contains(&format!(r#"<link rel="canonical" href="{target}">"#)),
            "{file}"
        );
        assert!(
            page.contains(r#"<meta name="robots" content="noindex">"#),
            "{file}"
        );
        assert!(page.contains(&format!(r#"<a href="{target}">"#)), "{file}");
    }
    let rules = site.page("_redirects");
    for line in [
        "/2019/05/15/old-hello.html /posts/hello/ 301",
        "/news/hello/ /posts/hello/ 301",
        "/team/ada/ /members/ada/ 301",
        "/calendar/winter.html /events/winter-night/ 301",
        "/about-us/ /about/ 301",
    ] {
        assert!(rules.lines().any(|l| l == line), "{line} not in {rules}");
    }
    let sitemap = site.page("sitemap.xml");
    let search = site.page("search.json");
    for old in [
        "old-hello",
        "news/hello",
        "team/ada",
        "calendar/winter",
        "about-us",
    ] {
        assert!(
            !sitemap.contains(old) && !search.contains(old),
            "{old} listed"
        );
    }
    assert_eq!(broken_internal_links(&site.public()), Vec::<String>::new());
}

#[test]
fn a_site_without_aliases_has_no_redirect_rules_and_a_sites_own_rules_are_kept() {
    let site = site("https://x.org", "");
    site.build(&[]).success();
    assert!(!exists(&site, "_redirects"));
    site.write("static/_redirects", "/chat https://chat.example.org 302");
    add_aliases(&site, "content/pages/about.md", &["/about-us/"]);
    site.build(&[]).success();
    assert_eq!(
        site.page("_redirects")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>(),
        [
            "/chat https://chat.example.org 302",
            "/about-us/ /about/ 301"
        ]
    );
}

#[test]
fn with_a_base_path_urls_and_aliases_include_it() {
    let site = site(
        "https://x.org/club",
        "[permalinks]\nposts = \"/blog/:slug/\"\n",
    );
    add_aliases(
        &site,
        "content/posts/2026-11-02-hello/index.md",
        &["/2019/old.html"],
    );
    site.build(&[]).success();
    assert!(exists(&site, "blog/hello/index.html") && exists(&site, "blog/hello/photo.svg"));
    let redirect = site.page("2019/old.html");
    assert!(
        redirect.contains(r#"href="https://x.org/club/blog/hello/""#),
        "{redirect}"
    );
    assert!(
        site.page("_redirects")
            .contains("/club/2019/old.html /club/blog/hello/ 301")
    );
    assert!(
        site.page("search.json")
            .contains(r#""u":"/club/blog/hello/""#)
    );
    assert!(
        site.page("blog/hello/index.html")
            .contains(r#"src="/club/blog/hello/photo.svg""#)
    );
    assert!(
        site.page("sitemap.xml")
            .contains("<loc>https://x.org/club/blog/hello/</loc>")
    );
}

#[test]
fn two_items_on_one_url_are_an_error_naming_both_files() {
    let site = site("https://x.org", "[permalinks]\nposts = \"/:slug/\"\n");
    site.write(
        "content/pages/hello.md",
        "+++\ntitle = \"Hello page\"\n+++\nA page.\n",
    );
    let run = site.build(&[]);
    run.failure(1);
    let lines = problem_lines(&run.stderr);
    assert!(
        lines.iter().any(|l| l.contains("content/pages/hello.md")
            && l.contains("content/posts/2026-11-02-hello/index.md")
            && l.contains("/hello/")),
        "{}",
        run.stderr
    );
}

#[test]
fn an_alias_on_a_page_or_another_alias_is_an_error_naming_both_files() {
    let site = site("https://x.org", "");
    add_aliases(&site, "content/members/ada.md", &["/about/", "/old/"]);
    add_aliases(&site, "content/events/winter-night.md", &["/old"]);
    let run = site.build(&[]);
    run.failure(1);
    let lines = problem_lines(&run.stderr);
    let said = |needles: &[&str]| lines.iter().any(|l| needles.iter().all(|n| l.contains(n)));
    assert!(
        said(&[
            "content/members/ada.md:2",
            "`/about/`",
            "content/pages/about.md"
        ]),
        "{}",
        run.stderr
    );
    assert!(
        said(&[
            "content/events/winter-night.md:2",
            "`/old/`",
            "content/members/ada.md"
        ]),
        "{}",
        run.stderr
    );
}

#[test]
fn an_item_on_a_page_the_site_makes_or_a_static_file_is_an_error() {
    let site = site("https://x.org", "");
    add_aliases(
        &site,
        "content/posts/2026-11-02-hello/index.md",
        &["/tags/"],
    );
    site.write("static/team/index.html", "<!doctype html><title>t</title>");
    add_aliases(&site, "content/members/ada.md", &["/team/"]);
    let run = site.build(&[]);
    run.failure(1);
    let lines = problem_lines(&run.stderr);
    let said = |needles: &[&str]| lines.iter().any(|l| needles.iter().all(|n| l.contains(n)));
    assert!(
        said(&[
            "content/posts/2026-11-02-hello/index.md",
            "/tags/",
            "tags/index.html"
        ]),
        "{}",
        run.stderr
    );
    assert!(
        said(&["content/members/ada.md", "/team/", "static/team/index.html"]),
        "{}",
        run.stderr
    );
}

#[test]
fn aliases_that_are_not_paths_of_this_site_are_located_errors() {
    for bad in ["javascript:x", "https://other/x", "/a/../b", "/a?b=1"] {
        let site = site("https://x.org", "");
        add_aliases(&site, "content/pages/about.md", &[bad]);
        let run = site.build(&[]);
        run.failure(1);
        assert!(
            problem_lines(&run.stderr)
                .iter()
                .any(|l| l.starts_with("content/pages/about.md:2:") && l.contains("`aliases`")),
            "{bad}: {}",
            run.stderr
        );
    }
}

#[test]
fn bad_permalink_patterns_are_errors_at_their_line_in_hearth_toml() {
    for (pattern, why) in [
        ("posts = \"/:title/\"", "`:slug`"),
        ("posts = \"posts/:slug/\"", "must start with `/`"),
        (
            "posts = \"/:categories/:slug.html\"",
            "unknown placeholder `:categories`",
        ),
        ("members = \"/:year/:slug/\"", "members have no date"),
        ("pages = \"/pages/\"", "no `:slug`"),
    ] {
        let site = site("https://x.org", &format!("\n[permalinks]\n{pattern}\n"));
        let run = site.build(&[]);
        run.failure(1);
        assert!(
            problem_lines(&run.stderr)
                .iter()
                .any(|l| l.starts_with("hearth.toml:6") && l.contains(why)),
            "{pattern}: {}",
            run.stderr
        );
    }
}

#[test]
fn check_follows_aliases_and_still_finds_missing_pages() {
    let site = site("https://x.org/club", MOVED);
    add_aliases(
        &site,
        "content/posts/2026-11-02-hello/index.md",
        &["/2019/old-hello.html"],
    );
    site.write("content/pages/links.md", "+++\ntitle = \"Links\"\n+++\nThe [old post](/2019/old-hello.html) and [Ada](/people/ada/).\n");
    let run = check(&site);
    run.success();
    site.write("content/pages/links.md", "+++\ntitle = \"Links\"\n+++\nThe [old post](/2019/old-hello.html) and [gone](/posts/hello/).\n");
    let run = check(&site);
    run.failure(1);
    let lines = problem_lines(&run.stderr);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("content/pages/links.md:4") && l.contains("/club/posts/hello/")),
        "{}",
        run.stderr
    );
    assert!(
        !lines.iter().any(|l| l.contains("old-hello")),
        "{}",
        run.stderr
    );
}
