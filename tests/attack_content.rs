//! Content from a hostile pull request: each test builds a tiny site carrying one
//! attack and checks that the published HTML carries no script, or that the build
//! refuses the file with its name and line.

mod common;

use common::{Site, problem_lines};

const CONFIG: &str = "title = \"Target\"\nbase_url = \"https://target.example.org\"\n";

/// A site of one config and the given files; nothing else.
fn hostile_site(config_extra: &str, files: &[(&str, &str)]) -> Site {
    let site = Site {
        dir: tempfile::tempdir().expect("temp dir"),
    };
    site.write("hearth.toml", format!("{CONFIG}{config_extra}"));
    for (rel, text) in files {
        site.write(rel, text);
    }
    site
}

/// Builds and expects exit 1 with an error at `place` (`file:line`) that names `words`.
#[track_caller]
fn refused_at(site: &Site, place: &str, words: &str) {
    let run = site.build(&[]);
    run.failure(1);
    let lines = problem_lines(&run.stderr);
    let line = lines
        .iter()
        .find(|l| l.starts_with(&format!("{place}:")))
        .unwrap_or_else(|| panic!("no problem at `{place}` in:\n{}", run.stderr));
    assert!(line.contains("error"), "not an error: {line}");
    assert!(line.contains(words), "`{words}` not in: {line}");
    assert!(
        !site.public().join("index.html").exists(),
        "a site was published"
    );
}

/// Every HTML file of the built site, as text.
fn published_html(site: &Site) -> Vec<(String, String)> {
    common::snapshot(&site.public())
        .into_iter()
        .filter(|(rel, _)| rel.extension().is_some_and(|e| e == "html"))
        .map(|(rel, bytes)| {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            (rel.display().to_string(), text)
        })
        .collect()
}

/// The names of all attributes of all tags in `html`, as a browser would read them.
fn attribute_names(html: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let mut chars = rest[..tag_end].chars().peekable();
        // The tag name.
        while chars.next_if(|c| !c.is_whitespace()).is_some() {}
        loop {
            while chars.next_if(|c| c.is_whitespace() || *c == '/').is_some() {}
            let name: String =
                std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
            if name.is_empty() {
                break;
            }
            names.push(name.to_ascii_lowercase());
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            if chars.next_if_eq(&'=').is_some() {
                while chars.next_if(|c| c.is_whitespace()).is_some() {}
                match chars.next_if(|c| *c == '"' || *c == '\'') {
                    Some(q) => while chars.next().is_some_and(|c| c != q) {},
                    None => while chars.next_if(|c| !c.is_whitespace()).is_some() {},
                }
            }
        }
        rest = &rest[tag_end..];
    }
    names
}

/// No page of the site has an event-handler attribute or a link to script or data.
#[track_caller]
fn assert_no_script_anywhere(site: &Site) {
    for (page, html) in published_html(site) {
        for name in attribute_names(&html) {
            assert!(!name.starts_with("on"), "{page}: attribute `{name}`");
        }
        for link in common::links(&html) {
            let squashed: String = link
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            for scheme in ["javascript:", "vbscript:", "data:"] {
                assert!(!squashed.starts_with(scheme), "{page}: link `{link}`");
            }
        }
        assert!(!html.contains("<script>alert"), "{page}: a raw script");
    }
}

const MEMBER_TOP: &str = "+++\nname = \"Eve\"\n";

#[test]
fn a_javascript_link_of_a_member_is_refused_at_its_line() {
    let member = format!(
        "{MEMBER_TOP}[links]\nWeb = \"https://eve.example\"\nHome = \"JaVaScRiPt:alert(1)\"\n+++\nHi.\n"
    );
    let site = hostile_site("", &[("content/members/eve.md", &member)]);
    refused_at(&site, "content/members/eve.md:5", "`javascript:`");
}

#[test]
fn a_script_url_dressed_in_tabs_and_spaces_is_refused() {
    let member = format!("{MEMBER_TOP}links = {{ Home = \" \\tjava\\tscript:alert(1)\" }}\n+++\n");
    let site = hostile_site("", &[("content/members/eve.md", &member)]);
    refused_at(&site, "content/members/eve.md:3", "`javascript:`");
}

#[test]
fn a_member_link_in_yaml_front_matter_is_refused_at_its_line() {
    let member = "---\nname: Eve\nlinks:\n  Site: https://eve.example\n  Home: \"vbscript:msgbox(1)\"\n---\n";
    let site = hostile_site("", &[("content/members/eve.md", member)]);
    refused_at(&site, "content/members/eve.md:5", "`vbscript:`");
}

#[test]
fn a_data_url_as_avatar_is_refused_at_its_line() {
    let member =
        format!("{MEMBER_TOP}avatar = \"data:image/svg+xml,<svg onload=alert(1)>\"\n+++\n");
    let site = hostile_site("", &[("content/members/eve.md", &member)]);
    refused_at(&site, "content/members/eve.md:3", "`data:`");
}

const EVENT_TOP: &str = "+++\ntitle = \"Party\"\nstart = 2026-12-01T19:00:00Z\n";

#[test]
fn a_vbscript_online_link_of_an_event_is_refused_at_its_line() {
    let event = format!("{EVENT_TOP}online = \"VBScript:msgbox(1)\"\n+++\n");
    let site = hostile_site("", &[("content/events/party.md", &event)]);
    refused_at(&site, "content/events/party.md:4", "`vbscript:`");
}

#[test]
fn a_data_rsvp_link_of_an_event_is_refused_at_its_line() {
    let event = format!(
        "{EVENT_TOP}location = \"Hall\"\nrsvp = \"data:text/html,<script>alert(1)</script>\"\n+++\n"
    );
    let site = hostile_site("", &[("content/events/party.md", &event)]);
    refused_at(&site, "content/events/party.md:5", "`data:`");
}

const POST_TOP: &str = "+++\ntitle = \"News\"\ndate = 2026-11-01\n";

#[test]
fn a_javascript_post_image_is_refused_at_its_line() {
    let post = format!("{POST_TOP}image = \"javascript:alert(1)//x.png\"\n+++\nBody.\n");
    let site = hostile_site("", &[("content/posts/news.md", &post)]);
    refused_at(&site, "content/posts/news.md:4", "`javascript:`");
}

#[test]
fn web_mail_and_path_urls_in_front_matter_are_published() {
    let member = format!(
        "{MEMBER_TOP}avatar = \"/eve.png\"\n[links]\nWeb = \" https://eve.example/ \"\nMail = \"mailto:eve@example.org\"\nCdn = \"//cdn.example/eve\"\n+++\n"
    );
    let site = hostile_site("", &[("content/members/eve.md", &member)]);
    site.build(&[]).success();
    let page = site.page("members/eve/index.html");
    for href in [
        "href=\"https://eve.example/\"",
        "href=\"mailto:eve@example.org\"",
        "href=\"//cdn.example/eve\"",
        "src=\"/eve.png\"",
    ] {
        assert!(page.contains(href), "{href} missing in {page}");
    }
}

#[test]
fn a_summary_with_heading_attributes_adds_no_attribute() {
    let post = format!(
        "{POST_TOP}summary = \"# Hi {{onmouseover=alert(1) style=position:fixed;top:0;left:0;width:100%;height:100% .x #y}}\"\n+++\nBody.\n"
    );
    let site = hostile_site("", &[("content/posts/news.md", &post)]);
    site.build(&[]).success();
    assert_no_script_anywhere(&site);
    let home = site.page("index.html");
    assert!(
        !attribute_names(&home).contains(&"style".to_string()),
        "{home}"
    );
    assert!(
        home.contains("{onmouseover=alert(1)"),
        "the text stays: {home}"
    );
}

#[test]
fn a_javascript_link_in_a_summary_is_kept_as_text() {
    let post = format!(
        "{POST_TOP}summary = \"[win](javascript:alert(1)) <javascript:alert(2)>\"\n+++\nBody.\n"
    );
    let site = hostile_site("", &[("content/posts/news.md", &post)]);
    site.build(&[]).success();
    assert_no_script_anywhere(&site);
    assert!(site.page("index.html").contains("win"));
}

#[test]
fn raw_html_in_a_body_is_shown_as_text_by_default() {
    let post = format!(
        "{POST_TOP}+++\nHello.\n\n<script>alert(1)</script>\n\nInline <img src=x onerror=alert(1)> here.\n"
    );
    let site = hostile_site("", &[("content/posts/news.md", &post)]);
    site.build(&[]).success();
    assert_no_script_anywhere(&site);
    let page = site.page("posts/news/index.html");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{page}"
    );
}

#[test]
fn raw_html_in_a_body_passes_when_the_site_allows_it() {
    let post = format!("{POST_TOP}+++\nHello.\n\n<script>alert(1)</script>\n");
    let site = hostile_site(
        "[markdown]\nunsafe_html = true\n",
        &[("content/posts/news.md", &post)],
    );
    site.build(&[]).success();
    assert!(
        site.page("posts/news/index.html")
            .contains("<script>alert(1)</script>")
    );
}

#[test]
fn script_and_data_links_in_a_body_are_neutralised() {
    let post = format!(
        "{POST_TOP}+++\n[alpha](javascript:alert(1)) [bravo](< JaVa\tScRiPt:alert(1)>) [charlie][r] <vbscript:msgbox(1)>\n\n![delta](data:image/svg+xml;base64,PHN2Zz4=)\n\n[r]: DATA:text/html,x\n"
    );
    let site = hostile_site("", &[("content/posts/news.md", &post)]);
    site.build(&[]).success();
    assert_no_script_anywhere(&site);
    let page = site.page("posts/news/index.html");
    for text in ["alpha", "bravo", "charlie", "delta"] {
        assert!(page.contains(text), "`{text}` is kept as text: {page}");
    }
}

#[test]
fn heading_attributes_in_a_body_keep_only_id_and_class() {
    let post = format!("{POST_TOP}+++\n## Hi {{#here .note onclick=alert(1) style=color:red}}\n");
    let site = hostile_site("", &[("content/posts/news.md", &post)]);
    site.build(&[]).success();
    assert_no_script_anywhere(&site);
    let page = site.page("posts/news/index.html");
    assert!(page.contains(r#"<h2 id="here" class="note">"#), "{page}");
    assert!(!page.contains("color:red"), "{page}");
}

#[test]
fn a_markdown_option_that_is_not_a_bool_is_refused_at_its_line() {
    let site = hostile_site("[markdown]\nunsafe_html = \"yes\"\n", &[]);
    let run = site.build(&[]);
    run.failure(1);
    assert!(
        problem_lines(&run.stderr)
            .iter()
            .any(|l| l.starts_with("hearth.toml:4") && l.contains("error")),
        "{}",
        run.stderr
    );
}
