//! `hearth serve` from the outside: the real binary serves a copy of
//! `tests/fixtures/serve` on a free port, the tests change files under it and ask
//! over HTTP until the change shows (never assuming how long a rebuild takes), and
//! one test watches an open tab in headless Chromium reload by itself.

mod common;

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::serve::{Server, TIMEOUT, path_str, wait_until};
use common::{NOW, Site, repo_root};
use hearth::serve::server::EVENTS_PATH;

#[test]
fn pages_are_served_with_their_status_and_content_type() {
    let site = Site::fixture("serve");
    let server = Server::start(&site);

    for (path, kind) in [
        ("/", "text/html"),
        ("/posts/first/", "text/html"),
        ("/style.css", "text/css"),
        ("/atom.xml", "application/xml"),
        ("/events/calendar.ics", "text/calendar"),
        ("/images/logo.png", "image/png"),
        ("/images/mark.svg", "image/svg+xml"),
    ] {
        let response = server.get(path);
        assert_eq!(response.status, 200, "GET {path}");
        let content_type = response.header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with(kind),
            "GET {path} is `{content_type}`, not {kind}"
        );
    }
    let png = server.get("/images/logo.png");
    let original = std::fs::read(site.path().join("static/images/logo.png")).expect("read png");
    assert_eq!(png.body, original, "a binary file is served byte for byte");
}

#[test]
fn a_folder_without_its_slash_redirects_to_the_slash() {
    let site = Site::fixture("serve");
    let server = Server::start(&site);
    let response = server.get("/posts/first");
    assert_eq!(response.status, 301);
    assert_eq!(response.header("location"), Some("/posts/first/"));
}

#[test]
fn aliases_and_html_permalinks_are_served_like_other_pages() {
    let site = Site::fixture("serve");
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    site.write(
        "hearth.toml",
        format!("{config}\n[permalinks]\nposts = \"/:year/:slug.html\"\n"),
    );
    site.write(
        "content/posts/2026-11-01-first.md",
        "+++\ntitle = \"First post\"\naliases = [\"/old/first.html\", \"/news/first/\"]\n+++\nMoved.\n",
    );
    let server = Server::start(&site);
    let page = server.get("/2026/first.html");
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap_or_default()
            .starts_with("text/html")
    );
    for alias in ["/old/first.html", "/news/first/"] {
        let response = server.get(alias);
        assert_eq!(response.status, 200, "GET {alias}");
        let body = String::from_utf8_lossy(&response.body);
        assert!(body.contains("/2026/first.html\">"), "GET {alias}: {body}");
    }
}

#[test]
fn an_unknown_url_answers_404_with_the_themes_404_page() {
    let site = Site::fixture("serve");
    let server = Server::start(&site);
    let response = server.get("/no/such/page/");
    assert_eq!(response.status, 404);
    let html = response.text();
    assert!(html.contains("We couldn’t find that page"), "{html}");
    assert!(
        html.contains("/__hearth/events"),
        "no reload script: {html}"
    );
}

#[test]
fn only_served_pages_carry_the_reload_script_and_serving_writes_no_public_folder() {
    let served = Site::fixture("serve");
    let server = Server::start(&served);
    let home = server.get("/").text();
    assert!(home.contains("/__hearth/events"), "{home}");
    let css = server.get("/style.css").text();
    assert!(!css.contains("__hearth"), "only HTML gets the script");

    let built = Site::fixture("serve");
    built.build(&[]).success();
    let index = built.page("index.html");
    assert!(
        !index.contains("__hearth"),
        "`hearth build` output has the reload script: {index}"
    );

    assert!(
        !served.public().exists(),
        "serving created {}",
        served.public().display()
    );
}

#[test]
fn a_new_post_appears_and_is_listed() {
    let site = Site::fixture("serve");
    let server = Server::start(&site);
    assert_eq!(server.get("/posts/news/").status, 404);

    site.write(
        "content/posts/2026-11-20-news.md",
        "+++\ntitle = \"Fresh news\"\n+++\nSomething happened.\n",
    );
    server.wait_for("the new post to answer 200", || {
        let page = server.get("/posts/news/");
        page.status == 200 && page.text().contains("Something happened.")
    });
    let list = server.get("/posts/").text();
    assert!(list.contains("href=\"/posts/news/\""), "{list}");
}

#[test]
fn a_site_given_as_a_relative_path_is_watched_too() {
    let site = Site::fixture("serve");
    let parent = site.path().parent().expect("the site folder has a parent");
    let name = site.path().file_name().expect("a folder name");
    let relative = format!("./{0}/../{0}", name.to_string_lossy());
    let server = Server::launch(parent, &relative, || {});
    site.write(
        "content/posts/2026-11-20-news.md",
        "+++\ntitle = \"Fresh news\"\n+++\nSomething happened.\n",
    );
    server.wait_for("the new post to answer 200", || {
        server.get("/posts/news/").status == 200
    });
}

#[test]
fn before_the_first_good_build_a_404_page_still_carries_the_reload_script() {
    let site = Site::fixture("serve");
    site.write("hearth.toml", "title = [\n");
    let server = Server::start(&site);
    let page = server.get("/");
    assert_eq!(page.status, 404);
    assert!(page.text().contains(EVENTS_PATH), "{}", page.text());
}

#[test]
fn a_deleted_post_answers_404() {
    let site = Site::fixture("serve");
    let server = Server::start(&site);
    assert_eq!(server.get("/posts/third/").status, 200);

    site.remove("content/posts/2026-10-01-third.md");
    server.wait_for("the deleted post to answer 404", || {
        server.get("/posts/third/").status == 404
    });
    let list = server.get("/posts/").text();
    assert!(!list.contains("href=\"/posts/third/\""), "{list}");
}

#[test]
fn a_renamed_post_moves_to_its_new_url() {
    let site = Site::fixture("serve");
    let server = Server::start(&site);
    assert_eq!(server.get("/posts/second/").status, 200);

    std::fs::rename(
        site.path().join("content/posts/2026-10-15-second.md"),
        site.path().join("content/posts/2026-10-15-moved.md"),
    )
    .expect("rename");
    server.wait_for("the post to move", || {
        server.get("/posts/moved/").status == 200 && server.get("/posts/second/").status == 404
    });
}

#[test]
fn a_template_edit_changes_every_page() {
    let site = Site::fixture("serve");
    let base = std::fs::read_to_string(repo_root().join("themes/hearth/templates/base.html"))
        .expect("read the theme's base.html");
    site.write("templates/base.html", &base);
    let server = Server::start(&site);
    let marker = "template-marker-5e1d";
    let pages = [
        "/",
        "/posts/first/",
        "/about/",
        "/events/",
        "/members/ada/",
        "/no/such/page/",
    ];
    assert!(!server.get("/").text().contains(marker));

    let edited = base.replacen(
        "<main id=\"main\"",
        &format!("<p>{marker}</p>\n<main id=\"main\""),
        1,
    );
    assert_ne!(
        edited, base,
        "the theme's base.html has no <main id=\"main\""
    );
    site.write("templates/base.html", &edited);
    server.wait_for("the home page to show the edited template", || {
        server.get("/").text().contains(marker)
    });
    for path in pages {
        let page = server.get(path).text();
        assert!(page.contains(marker), "{path} lacks the template edit");
    }
}

#[test]
fn an_edited_static_file_is_served_as_it_is_now() {
    let site = Site::fixture("serve");
    let server = Server::start(&site);

    site.write("static/hello.txt", "hello, first version\n");
    server.wait_for("the new static file", || {
        server.get("/hello.txt").text() == "hello, first version\n"
    });
    let kind = server
        .get("/hello.txt")
        .header("content-type")
        .map(str::to_owned);
    assert_eq!(kind.as_deref(), Some("text/plain; charset=utf-8"));

    site.write("static/hello.txt", "hello, second version\n");
    server.wait_for("the edited static file", || {
        server.get("/hello.txt").text() == "hello, second version\n"
    });
}

#[test]
fn a_broken_file_keeps_the_last_good_site_served_until_it_is_fixed() {
    let site = Site::fixture("serve");
    let server = Server::start(&site);
    let post = "content/posts/2026-11-01-first.md";
    let good = std::fs::read_to_string(site.path().join(post)).expect("read post");
    assert!(
        server
            .get("/posts/first/")
            .text()
            .contains("The first post")
    );

    let broken = good
        .replace("title = \"First post\"", "title = ")
        .replace("The first post", "The broken edit");
    assert_ne!(broken, good);
    site.write(post, &broken);
    server.wait_for("the build error on stderr", || {
        server
            .stderr()
            .contains("The last good build is still served.")
    });
    let stderr = server.stderr();
    assert!(stderr.contains(post), "the error names no file: {stderr}");
    let page = server.get("/posts/first/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("The first post"), "{}", page.text());
    assert!(!page.text().contains("The broken edit"));

    site.write(post, good.replace("The first post", "The fixed post"));
    server.wait_for("the fixed post", || {
        server
            .get("/posts/first/")
            .text()
            .contains("The fixed post")
    });
}

#[test]
fn a_port_in_use_is_a_clear_error_with_exit_code_1() {
    let site = Site::fixture("serve");
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = taken
        .local_addr()
        .expect("local address")
        .port()
        .to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args([
            "serve",
            path_str(site.path()),
            "--port",
            &port,
            "--now",
            NOW,
        ])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run hearth serve");
    let exited = wait_until(TIMEOUT, || child.try_wait().is_ok_and(|s| s.is_some()));
    if !exited {
        let _ = child.kill();
    }
    let output = child.wait_with_output().expect("collect output");
    assert!(exited, "hearth serve kept running on a port in use");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&port) && stderr.contains("in use"),
        "the error does not say port {port} is in use: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    drop(taken);
}

#[test]
fn editor_droppings_do_not_trigger_a_rebuild() {
    let site = Site::fixture("serve");
    let server = Server::start(&site);
    let before = server.rebuilds();

    site.write("content/posts/.news.md.swp", "swap file bytes");
    site.write("content/posts/news.md~", "+++\ntitle = \"Backup\"\n+++\n");
    // Asserting an absence: give a rebuild the chance to happen first.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(server.rebuilds(), before, "{}", server.stdout());

    // The watcher is alive: a real change is rebuilt, naming only itself.
    site.write(
        "content/posts/2026-11-20-news.md",
        "+++\ntitle = \"News\"\n+++\nReal.\n",
    );
    server.wait_for("a rebuild after a real change", || {
        server.rebuilds() > before
    });
    let stdout = server.stdout();
    let stdout = stdout
        .lines()
        .filter(|l| l.starts_with("Rebuilt in "))
        .skip(before)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(stdout.contains("2026-11-20-news.md"), "{stdout}");
    assert!(
        !stdout.contains(".swp") && !stdout.contains("news.md~"),
        "{stdout}"
    );
}

/// Once the URL is printed, every change counts: `hearth serve` must watch the
/// site before it says where it serves (it once started watching after, and lost
/// such changes). The moment is a race against the server's own start, so
/// several servers try.
#[test]
fn a_change_made_as_soon_as_the_url_is_printed_is_served() {
    let sites: Vec<Site> = (0..4).map(|_| Site::fixture("serve")).collect();
    let servers: Vec<Server> = sites
        .iter()
        .map(|site| {
            let file = site.path().join("static/hello.txt");
            Server::spawn(site, move || {
                std::fs::write(&file, "saved at once\n").expect("write hello.txt");
            })
        })
        .collect();
    for server in &servers {
        server.wait_for("the file saved as the URL was printed", || {
            server.get("/hello.txt").text() == "saved at once\n"
        });
    }
}

#[test]
fn an_open_tab_reloads_shows_build_errors_and_swaps_stylesheets_in_place() {
    common::require_browser_tools();
    let site = Site::fixture("serve");
    // A site stylesheet that overrides the theme's, for the stylesheet swap.
    let css = std::fs::read(repo_root().join("themes/hearth/static/style.css"))
        .expect("read the theme's style.css");
    site.write("static/style.css", css);
    let server = Server::start(&site);

    let script = repo_root().join("tests/tools/live_reload_test.mjs");
    let output = Command::new("node")
        .arg(&script)
        .arg(&server.url)
        .arg(site.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run node {}: {e}", script.display()));
    assert!(
        output.status.success(),
        "live_reload_test.mjs failed ({})\nstdout:\n{}\nstderr:\n{}\nhearth stdout:\n{}\nhearth stderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        server.stdout(),
        server.stderr()
    );
}

/// A full build of `site` into its `full-build/` folder, for `server`'s base URL, at
/// `now`.
fn full_build(site: &Site, server: &Server, now: &str) -> std::path::PathBuf {
    let out = site.path().join("full-build");
    let base = server.url.trim_end_matches('/').to_string();
    common::hearth(&[
        "build",
        site.path().to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--base-url",
        &base,
        "--now",
        now,
    ])
    .success();
    out
}

/// The served HTML without the reload script, as `hearth build` would write it.
fn without_reload_script(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    let Some(start) = text.find("<script>\n(() => {\n  const overlayId") else {
        return body.to_vec();
    };
    let end = text[start..]
        .find("</script>\n")
        .map_or(text.len(), |i| start + i + "</script>\n".len());
    format!("{}{}", &text[..start], &text[end..]).into_bytes()
}

#[test]
fn after_edits_additions_renames_and_deletions_the_served_site_equals_a_full_build() {
    let site = Site::fixture("serve");
    let server = Server::start(&site);
    let quiet = |server: &Server| {
        // Settled: no rebuild for a while.
        let mut last = server.rebuilds();
        server.wait_for("the rebuilds to settle", || {
            std::thread::sleep(Duration::from_millis(300));
            let now = server.rebuilds();
            let settled = now == last;
            last = now;
            settled
        });
    };
    let first = "content/posts/2026-11-01-first.md";
    let text = std::fs::read_to_string(site.path().join(first)).expect("first post");
    site.write(first, format!("{text}\nAn added paragraph.\n"));
    site.write(
        "content/posts/2026-11-05-fresh.md",
        "+++\ntitle = \"Fresh\"\n+++\nNew here.\n",
    );
    std::fs::rename(
        site.path().join("content/posts/2026-10-15-second.md"),
        site.path().join("content/posts/2026-10-16-second-moved.md"),
    )
    .expect("rename");
    site.remove("content/posts/2026-10-01-third.md");
    let member =
        std::fs::read_to_string(site.path().join("content/members/ada.md")).expect("member");
    site.write(
        "content/members/ada.md",
        member.replacen("name = \"", "name = \"Dr ", 1),
    );
    server.wait_for("the last change to be served", || {
        server.get("/posts/fresh/").status == 200
    });
    quiet(&server);

    let out = full_build(&site, &server, NOW);
    let built = common::snapshot(&out);
    assert!(built.len() > 20, "a full build has the whole site");
    for (rel, bytes) in built {
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel == ".hearth-output" {
            continue;
        }
        let served = server.get(&format!("/{rel}"));
        assert_eq!(served.status, 200, "{rel} is not served");
        assert!(
            without_reload_script(&served.body) == bytes,
            "{rel} differs between serve and a full build"
        );
    }
    assert_eq!(
        server.get("/posts/third/").status,
        404,
        "the deleted post is gone"
    );
    assert_eq!(
        server.get("/posts/second/").status,
        404,
        "the renamed post left its old URL"
    );
}

#[test]
fn an_event_that_ends_and_a_post_that_comes_out_while_serving_show_as_a_new_build_would() {
    let site = Site::fixture("serve");
    // A few seconds from now, to the second: the event starts (and, without an
    // end, is over) then, and the post comes out.
    let now = jiff::Timestamp::now();
    let at = jiff::Timestamp::from_second(now.as_second() + 5).expect("a time");
    let when = at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    site.write(
        "content/events/starting-soon.md",
        format!("+++\ntitle = \"Starting soon\"\nstart = \"{when}\"\n+++\nSoon.\n"),
    );
    site.write(
        "content/posts/later-news.md",
        format!("+++\ntitle = \"Later news\"\ndate = {when}\n+++\nOut later.\n"),
    );
    let server = Server::start_on_the_clock(&site);
    let events = server.get("/events/").text();
    let (upcoming, _) = events.split_once("past-heading").unwrap_or((&events, ""));
    assert!(
        upcoming.contains("Starting soon"),
        "upcoming first: {events}"
    );
    assert_eq!(server.get("/posts/later-news/").status, 404, "not out yet");

    server.wait_for("the post to come out with no file changed", || {
        server.get("/posts/later-news/").status == 200
    });
    let events = server.get("/events/").text();
    let (upcoming, past) = events.split_once("past-heading").unwrap_or((&events, ""));
    assert!(
        !upcoming.contains("Starting soon") && past.contains("Starting soon"),
        "the event is over: {events}"
    );
    assert!(
        server.stdout().contains("(the clock moved on)"),
        "{}",
        server.stdout()
    );

    // The same pages as a new build a moment later.
    let after = jiff::Timestamp::from_second(at.as_second() + 2).expect("a time");
    let out = full_build(&site, &server, &after.to_string());
    for rel in [
        "index.html",
        "events/index.html",
        "events/starting-soon/index.html",
        "posts/index.html",
        "posts/later-news/index.html",
        "events.json",
        "feed.json",
    ] {
        let built = std::fs::read(out.join(rel)).expect("built");
        let served = server.get(&format!("/{rel}"));
        assert!(
            without_reload_script(&served.body) == built,
            "{rel} differs between serve and a build after the clock moved on"
        );
    }
}
