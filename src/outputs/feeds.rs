//! The posts as an Atom feed (`/atom.xml`) and as RSS 2.0 (`/rss.xml`): the newest
//! `feed_limit` posts, absolute URLs, dates from the content (never the clock), author
//! names from members, summary and full content.

use std::fmt::Write as _;

use crate::model::time::iso;
use crate::model::{Post, Site};
use crate::render::Rendered;

use super::{absolute_links, xml_escape};

pub fn files(site: &Site) -> Vec<Rendered> {
    vec![
        Rendered {
            path: "atom.xml".to_string(),
            contents: atom(site),
        },
        Rendered {
            path: "rss.xml".to_string(),
            contents: rss(site),
        },
    ]
}

fn feed_posts(site: &Site) -> &[Post] {
    &site.posts[..site.config.feed_limit.min(site.posts.len())]
}

/// The newest change among the feed's posts; the Unix epoch for an empty feed, so
/// that the output does not depend on when it was built.
fn last_change(posts: &[Post]) -> Option<&jiff::Zoned> {
    posts
        .iter()
        .map(|p| p.updated.as_ref().unwrap_or(&p.date))
        .max()
}

/// Names of a post's authors, as published (a draft member by slug).
fn author_names(site: &Site, post: &Post) -> Vec<String> {
    post.authors
        .iter()
        .map(|slug| {
            site.member(slug)
                .map_or_else(|| slug.to_string(), |m| m.name.clone())
        })
        .collect()
}

fn atom(site: &Site) -> String {
    let c = &site.config;
    let home = c.permalink(&c.root);
    let posts = feed_posts(site);
    let updated = last_change(posts).map_or_else(|| "1970-01-01T00:00:00Z".to_string(), iso);
    let mut x = String::with_capacity(4096 + posts.len() * 8192);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        x,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        xml_escape(&c.language)
    );
    let _ = writeln!(x, "  <title>{}</title>", xml_escape(&c.title));
    if !c.description.is_empty() {
        let _ = writeln!(x, "  <subtitle>{}</subtitle>", xml_escape(&c.description));
    }
    let self_url = c.permalink(&format!("{}atom.xml", c.root));
    let _ = writeln!(
        x,
        "  <link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>",
        xml_escape(&self_url)
    );
    let _ = writeln!(
        x,
        "  <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>",
        xml_escape(&home)
    );
    let _ = writeln!(x, "  <id>{}</id>", xml_escape(&home));
    let _ = writeln!(x, "  <updated>{updated}</updated>");
    // Entries without authors fall back to the feed's author, which Atom requires.
    let _ = writeln!(
        x,
        "  <author><name>{}</name></author>",
        xml_escape(&c.title)
    );
    let _ = writeln!(
        x,
        "  <generator version=\"{}\">hearth</generator>",
        env!("CARGO_PKG_VERSION")
    );
    for post in posts {
        atom_entry(&mut x, site, post);
    }
    x.push_str("</feed>\n");
    x
}

fn atom_entry(x: &mut String, site: &Site, post: &Post) {
    let c = &site.config;
    let url = c.permalink(&post.route.url);
    let _ = writeln!(x, "  <entry>");
    let _ = writeln!(x, "    <title>{}</title>", xml_escape(&post.title));
    let _ = writeln!(
        x,
        "    <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>",
        xml_escape(&url)
    );
    let _ = writeln!(x, "    <id>{}</id>", xml_escape(&url));
    let _ = writeln!(x, "    <published>{}</published>", iso(&post.date));
    let _ = writeln!(
        x,
        "    <updated>{}</updated>",
        iso(post.updated.as_ref().unwrap_or(&post.date))
    );
    for (slug, name) in post.authors.iter().zip(author_names(site, post)) {
        let _ = write!(x, "    <author><name>{}</name>", xml_escape(&name));
        if let Some(member) = site.member(slug) {
            let _ = write!(
                x,
                "<uri>{}</uri>",
                xml_escape(&c.permalink(&member.route.url))
            );
        }
        x.push_str("</author>\n");
    }
    for tag in &post.tags {
        let _ = writeln!(x, "    <category term=\"{}\"/>", xml_escape(tag.trim()));
    }
    let summary = absolute_links(&post.body.summary_html, &url);
    let content = absolute_links(&post.body.content_html.get(), &url);
    let _ = writeln!(
        x,
        "    <summary type=\"html\">{}</summary>",
        xml_escape(&summary)
    );
    let _ = writeln!(
        x,
        "    <content type=\"html\">{}</content>",
        xml_escape(&content)
    );
    let _ = writeln!(x, "  </entry>");
}

/// RFC 2822, as RSS wants its dates.
fn rfc2822(z: &jiff::Zoned) -> String {
    jiff::fmt::rfc2822::to_string(z).unwrap_or_else(|_| iso(z))
}

fn rss(site: &Site) -> String {
    let c = &site.config;
    let home = c.permalink(&c.root);
    let posts = feed_posts(site);
    let mut x = String::with_capacity(4096 + posts.len() * 8192);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str(
        "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n",
    );
    x.push_str("<channel>\n");
    let _ = writeln!(x, "  <title>{}</title>", xml_escape(&c.title));
    let _ = writeln!(x, "  <link>{}</link>", xml_escape(&home));
    let description = if c.description.is_empty() {
        &c.title
    } else {
        &c.description
    };
    let _ = writeln!(
        x,
        "  <description>{}</description>",
        xml_escape(description)
    );
    let _ = writeln!(x, "  <language>{}</language>", xml_escape(&c.language));
    let self_url = c.permalink(&format!("{}rss.xml", c.root));
    let _ = writeln!(
        x,
        "  <atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
        xml_escape(&self_url)
    );
    if let Some(last) = last_change(posts) {
        let _ = writeln!(x, "  <lastBuildDate>{}</lastBuildDate>", rfc2822(last));
    }
    let _ = writeln!(
        x,
        "  <generator>hearth {}</generator>",
        env!("CARGO_PKG_VERSION")
    );
    for post in posts {
        rss_item(&mut x, site, post);
    }
    x.push_str("</channel>\n</rss>\n");
    x
}

fn rss_item(x: &mut String, site: &Site, post: &Post) {
    let c = &site.config;
    let url = c.permalink(&post.route.url);
    let _ = writeln!(x, "  <item>");
    let _ = writeln!(x, "    <title>{}</title>", xml_escape(&post.title));
    let _ = writeln!(x, "    <link>{}</link>", xml_escape(&url));
    let _ = writeln!(
        x,
        "    <guid isPermaLink=\"true\">{}</guid>",
        xml_escape(&url)
    );
    let _ = writeln!(x, "    <pubDate>{}</pubDate>", rfc2822(&post.date));
    let authors = author_names(site, post);
    if !authors.is_empty() {
        let _ = writeln!(
            x,
            "    <dc:creator>{}</dc:creator>",
            xml_escape(&authors.join(", "))
        );
    }
    for tag in &post.tags {
        let _ = writeln!(x, "    <category>{}</category>", xml_escape(tag.trim()));
    }
    let summary = absolute_links(&post.body.summary_html, &url);
    let content = absolute_links(&post.body.content_html.get(), &url);
    let _ = writeln!(x, "    <description>{}</description>", xml_escape(&summary));
    let _ = writeln!(
        x,
        "    <content:encoded>{}</content:encoded>",
        xml_escape(&content)
    );
    let _ = writeln!(x, "  </item>");
}
