//! `hearth build` over fixture sites, through the real binary: what the built site
//! contains, and that it is safe and reproducible.

mod common;

use common::{NOW, Site, broken_internal_links, hearth, links, snapshot};

#[test]
fn every_page_of_the_contract_is_built() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    for page in [
        "index.html",
        "posts/index.html",
        "posts/page/2/index.html",
        "posts/first/index.html",
        "posts/yaml/index.html",
        "members/index.html",
        "members/ada-lovelace/index.html",
        "events/index.html",
        "events/spring-meetup/index.html",
        "tags/index.html",
        "tags/rust/index.html",
        "tags/community/index.html",
        "about/index.html",
        "404.html",
        "images/dot.svg",
        "style.css",
        "posts/bundle-post/photo.svg",
    ] {
        assert!(site.public().join(page).is_file(), "{page} is missing");
    }
}

#[test]
fn internal_links_of_every_page_resolve() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    assert_eq!(broken_internal_links(&site.public()), Vec::<String>::new());
}

#[test]
fn drafts_and_future_posts_are_left_out_unless_asked_for() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    assert!(!site.public().join("posts/unfinished").exists());
    assert!(!site.public().join("posts/from-the-future").exists());
    let listing: String = [
        "posts/index.html",
        "posts/page/2/index.html",
        "posts/page/3/index.html",
        "index.html",
    ]
    .iter()
    .filter(|p| site.public().join(p).exists())
    .map(|p| site.page(p))
    .collect();
    assert!(!listing.contains("Unfinished draft"));
    assert!(!listing.contains("From the future"));

    site.build(&["--drafts"]).success();
    assert!(site.public().join("posts/unfinished/index.html").is_file());
    assert!(
        site.public()
            .join("posts/from-the-future/index.html")
            .is_file()
    );
}

#[test]
fn a_hostile_slug_stays_inside_the_output_folder() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    assert!(site.public().join("posts/x/index.html").is_file());
    assert!(!site.path().join("x").exists());
    assert!(
        !site
            .path()
            .parent()
            .expect("temp parent")
            .join("x")
            .exists()
    );
}

#[test]
fn front_matter_text_is_html_escaped() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let page = site.page("members/mallory/index.html");
    assert!(!page.contains("<script>alert"), "raw script in member page");
    assert!(page.contains("&lt;script&gt;"), "escaped name missing");
    assert!(!page.contains("<b>bold</b>"));
    assert!(!site.page("members/index.html").contains("<script>alert"));
}

#[test]
fn authors_and_organizers_link_to_their_member_pages() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    assert!(
        links(&site.page("posts/first/index.html")).contains(&"/members/ada-lovelace/".to_string())
    );
    assert!(
        links(&site.page("events/spring-meetup/index.html")).contains(&"/members/bob/".to_string())
    );
    let bob = site.page("members/bob/index.html");
    assert!(
        links(&bob).contains(&"/posts/second/".to_string()),
        "bob's page lists his post"
    );
    assert!(
        links(&bob).contains(&"/events/spring-meetup/".to_string()),
        "bob's page lists his event"
    );
}

fn position(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not found"))
}

#[test]
fn upcoming_events_come_soonest_first_and_past_ones_latest_first() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let events = site.page("events/index.html");
    let december = position(&events, "/events/december-talks/");
    let winter = position(&events, "/events/winter-social/");
    let clocks = position(&events, "/events/after-the-clocks-change/");
    let spring = position(&events, "/events/spring-meetup/");
    assert!(december < winter, "upcoming: 1 Dec before 10 Dec");
    assert!(winter < clocks, "upcoming before past");
    assert!(clocks < spring, "past: October before March");
}

#[test]
fn event_times_show_in_the_events_own_zone_across_a_dst_change() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    // Given as 18:00 UTC on the day Berlin leaves summer time: 19:00 CET.
    let page = site.page("events/after-the-clocks-change/index.html");
    assert!(page.contains("19:00 CET"), "local time missing");
    assert!(
        page.contains("2026-10-25T19:00:00+01:00"),
        "machine time missing"
    );
    // The same wall-clock time a day earlier would still be summer time.
    let spring = site.page("events/spring-meetup/index.html");
    assert!(spring.contains("19:00–21:00 CET"), "{spring}");
    let online = site.page("events/december-talks/index.html");
    assert!(online.contains("18:30 EST"), "New York time");
}

#[test]
fn cancelled_events_are_marked() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let page = site.page("events/winter-social/index.html").to_lowercase();
    assert!(page.contains("cancelled"));
}

#[test]
fn post_lists_are_paginated_newest_first() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    // Six posts are published, two per page.
    let first = site.page("posts/index.html");
    let second = site.page("posts/page/2/index.html");
    let links_first = links(&first);
    assert!(
        first.contains("A bundle") && first.contains("Hostile slug"),
        "page 1 holds the newest two"
    );
    assert!(!first.contains("Second post"));
    assert!(second.contains("A post from Jekyll") && second.contains("Third post"));
    assert!(
        links_first.contains(&"/posts/page/2/".to_string()),
        "next link"
    );
    assert!(
        links(&second).contains(&"/posts/".to_string()),
        "previous link"
    );
    assert!(site.page("posts/page/3/index.html").contains("First post"));
    assert!(!site.public().join("posts/page/4").exists());
    assert!(
        site.page("posts/page/1/index.html")
            .contains("https://test.example.org/posts/")
    );
}

#[test]
fn pages_with_a_menu_weight_appear_in_the_navigation() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    assert!(links(&site.page("index.html")).contains(&"/about/".to_string()));
}

#[test]
fn the_spotlight_member_is_on_the_home_page() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    assert!(links(&site.page("index.html")).contains(&"/members/bob/".to_string()));
}

#[test]
fn two_builds_with_the_same_now_are_byte_identical() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let first = snapshot(&site.public());
    site.build(&[]).success();
    assert_eq!(first, snapshot(&site.public()));
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    let before = snapshot(&site.public());
    site.write("content/posts/broken.md", "+++\ntitle = \n+++\n");
    site.write(
        "content/posts/2026-06-01-new.md",
        "+++\ntitle = \"New\"\n+++\nNew post.\n",
    );
    site.build(&[]).failure(1);
    assert_eq!(before, snapshot(&site.public()));
    let leftovers: Vec<_> = std::fs::read_dir(site.path())
        .expect("read site")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("hearth-new") || n.contains("hearth-old"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
}

#[test]
fn a_non_empty_folder_hearth_did_not_make_is_never_cleared() {
    let site = Site::fixture("basic");
    site.write("elsewhere/notes.txt", "precious");
    let out = site.path().join("elsewhere");
    let out = out.to_str().expect("utf-8");
    let run = site.build(&["--out", out]);
    run.failure(1);
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(site.path().join("elsewhere/notes.txt")).expect("kept"),
        "precious"
    );
    // The site folder itself is the most dangerous --out of all.
    site.build(&["--out", site.path().to_str().expect("utf-8")])
        .failure(1);
    assert!(site.path().join("hearth.toml").is_file());
}

#[test]
fn an_empty_or_missing_out_folder_is_used_and_then_rebuilt() {
    let site = Site::fixture("basic");
    let out = site.path().join("deploy/site");
    let out_str = out.to_str().expect("utf-8");
    site.build(&["--out", out_str]).success();
    assert!(out.join("index.html").is_file());
    site.build(&["--out", out_str]).success();
    assert!(out.join("index.html").is_file());
}

#[test]
fn base_url_with_a_path_prefixes_every_internal_link() {
    let site = Site::fixture("basic");
    site.build(&["--base-url", "https://example.org/club/"])
        .success();
    let home = site.page("index.html");
    let internal: Vec<_> = links(&home)
        .into_iter()
        .filter(|l| l.starts_with('/'))
        .collect();
    assert!(!internal.is_empty());
    for link in internal {
        assert!(link.starts_with("/club/"), "{link} lacks the base path");
    }
}

#[test]
fn a_sites_templates_override_single_theme_templates() {
    let site = Site::fixture("basic");
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<p>Custom: {{ page.title }}</p>{% endblock %}",
    );
    site.build(&[]).success();
    assert!(
        site.page("about/index.html")
            .contains("<p>Custom: About us</p>")
    );
    assert!(
        site.page("posts/first/index.html").contains("First post"),
        "other templates still built in"
    );
}

#[test]
fn a_site_theme_folder_is_used_when_named() {
    let site = Site::fixture("basic");
    site.write(
        "themes/plain/templates/post.html",
        "<p>plain {{ post.title }}</p>",
    );
    site.write("themes/plain/static/plain.css", "p{}");
    let config = std::fs::read_to_string(site.path().join("hearth.toml")).expect("config");
    site.write("hearth.toml", format!("theme = \"plain\"\n{config}"));
    site.build(&[]).success();
    assert_eq!(
        site.page("posts/first/index.html"),
        "<p>plain First post</p>"
    );
    assert!(site.public().join("plain.css").is_file());

    site.write("hearth.toml", format!("theme = \"missing\"\n{config}"));
    let run = site.build(&[]);
    run.failure(1);
    assert!(
        run.stderr.contains("theme `missing` not found"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_with_2_and_help_with_0() {
    hearth(&["build", "--no-such-flag"]).failure(2);
    hearth(&["build", ".", "--now", "yesterday"]).failure(2);
    hearth(&["frobnicate"]).failure(2);
    let help = hearth(&["build", "--help"]);
    help.success();
    assert!(help.stdout.contains("--drafts"));
    assert!(NOW.starts_with("2026"));
}

#[test]
fn a_tag_page_lists_the_posts_members_and_events_that_carry_it() {
    let site = Site::fixture("basic");
    site.build(&[]).success();
    // "Rust" and "rust" are one tag.
    let rust = links(&site.page("tags/rust/index.html"));
    for url in [
        "/posts/first/",
        "/posts/third/",
        "/members/ada-lovelace/",
        "/events/december-talks/",
    ] {
        assert!(
            rust.contains(&url.to_string()),
            "{url} missing from /tags/rust/"
        );
    }
    assert!(!rust.contains(&"/posts/second/".to_string()));
    assert!(links(&site.page("tags/index.html")).contains(&"/tags/community/".to_string()));
}

#[test]
fn verbose_mode_logs_and_quiet_mode_prints_nothing_on_success() {
    let site = Site::fixture("basic");
    let quiet = site.build(&["-q"]);
    quiet.success();
    assert!(quiet.stdout.is_empty() && quiet.stderr.is_empty());
    let verbose = site.build(&["-v"]);
    verbose.success();
    assert!(
        verbose.stderr.contains("loaded content"),
        "{}",
        verbose.stderr
    );
    assert!(verbose.stdout.contains("Built"));
}

#[test]
fn staging_folders_left_by_a_killed_build_are_cleaned_up() {
    let site = Site::fixture("basic");
    // No process has this id (above the kernel's pid limit).
    site.write(".public.hearth-new-4999999/index.html", "half a site");
    site.write(".public.hearth-other/keep.txt", "not ours");
    site.build(&[]).success();
    assert!(!site.path().join(".public.hearth-new-4999999").exists());
    assert!(site.path().join(".public.hearth-other/keep.txt").exists());
}

#[test]
fn a_closed_output_pipe_is_not_a_panic() {
    use std::process::{Command, Stdio};
    let site = Site::fixture("basic");
    for args in [
        vec!["completions", "bash"],
        vec!["build", site.path().to_str().expect("utf-8"), "--now", NOW],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn shell_completions_are_printed_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let run = hearth(&["completions", shell]);
        run.success();
        assert!(
            run.stdout.contains("newsletter") && run.stdout.contains("serve"),
            "{shell}"
        );
    }
}
