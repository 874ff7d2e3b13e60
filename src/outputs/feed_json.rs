//! The posts as a JSON Feed 1.1 (`/feed.json`, <https://jsonfeed.org/version/1.1>):
//! the same posts as the Atom and RSS feeds, with absolute URLs, dates from the
//! content and authors from members.

use serde_json::{Value, json};

use crate::model::time::iso;
use crate::model::{Post, Site};
use crate::render::Rendered;

use super::absolute_links;

pub const PATH: &str = "feed.json";

pub fn files(site: &Site) -> Vec<Rendered> {
    let c = &site.config;
    let posts = &site.posts[..c.feed_limit.min(site.posts.len())];
    let mut feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": c.title,
        "home_page_url": c.permalink(&c.root),
        "feed_url": c.permalink(&format!("{}{PATH}", c.root)),
        "language": c.language,
        "items": posts.iter().map(|p| item(site, p)).collect::<Vec<_>>(),
    });
    if !c.description.is_empty() {
        feed["description"] = json!(c.description);
    }
    if let Some(logo) = &c.logo {
        feed["icon"] = json!(c.absolute(logo.as_str()));
    }
    let mut contents = serde_json::to_string_pretty(&feed).unwrap_or_default();
    contents.push('\n');
    vec![Rendered {
        path: PATH.to_string(),
        contents,
    }]
}

fn item(site: &Site, post: &Post) -> Value {
    let c = &site.config;
    let url = c.permalink(&post.route.url);
    let authors: Vec<Value> = post
        .authors
        .iter()
        .map(|slug| match site.member(slug) {
            Some(m) => json!({ "name": m.name, "url": c.permalink(&m.route.url) }),
            None => json!({ "name": slug.as_str() }),
        })
        .collect();
    let mut item = json!({
        "id": url,
        "url": url,
        "title": post.title,
        "content_html": absolute_links(&post.body.content_html.get(), &url),
        "summary": post.body.summary_text,
        "date_published": iso(&post.date),
        "date_modified": iso(post.updated.as_ref().unwrap_or(&post.date)),
        "tags": post.tags.iter().map(|t| t.trim()).collect::<Vec<_>>(),
    });
    if !authors.is_empty() {
        item["authors"] = json!(authors);
    }
    if let Some(image) = &post.image {
        item["image"] = json!(c.absolute(image.as_str()));
    }
    item
}
