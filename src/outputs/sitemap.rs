//! `/sitemap.xml` listing every published HTML page, with `lastmod` where the content
//! says when it last changed, and `/robots.txt` pointing to it. Redirect pages
//! (aliases, `/posts/page/1/`) are left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::Site;
use crate::model::time::iso;
use crate::render::{PagePaths, Rendered};

use super::xml_escape;

/// A page that is not content: the not-found page.
const NOT_PAGES: &[&str] = &["404.html"];

/// The sitemap of the rendered pages (their output paths) and robots.txt. With a
/// memo (`hearth serve`), the sitemap is taken from it while the pages and the
/// posts' dates are the same.
pub fn files(site: &Site, pages: &PagePaths, memo: Option<&super::Memo>) -> Vec<Rendered> {
    let key = || {
        // What `sitemap` reads: the config, the pages and when each post changed.
        let mut h = crate::hash::Hasher::default();
        h.field(&site.config.fingerprint().to_le_bytes());
        for path in &pages.listed {
            h.field(path.as_bytes());
        }
        h.field(b"posts");
        for post in &site.posts {
            let changed = post.updated.as_ref().unwrap_or(&post.date);
            h.field(post.route.url.as_bytes())
                .field(&changed.timestamp().as_nanosecond().to_le_bytes())
                .field(&changed.offset().seconds().to_le_bytes());
        }
        h.finish()
    };
    vec![
        Rendered {
            path: "sitemap.xml".to_string(),
            contents: super::kept_or_made(memo, "sitemap.xml", key, || sitemap(site, pages)),
        },
        Rendered {
            path: "robots.txt".to_string(),
            contents: format!(
                "User-agent: *\nAllow: /\n\nSitemap: {}\n",
                site.config
                    .permalink(&format!("{}sitemap.xml", site.config.root))
            ),
        },
    ]
}

fn sitemap(site: &Site, pages: &PagePaths) -> String {
    let lastmod = last_modified(site);
    let mut urls: Vec<String> = pages
        .listed
        .iter()
        .filter(|p| !NOT_PAGES.contains(&p.as_str()))
        .map(|p| {
            // `x/index.html` is served as `x/`; `x.html` as itself.
            let served = p
                .strip_suffix("index.html")
                .filter(|dir| dir.is_empty() || dir.ends_with('/'))
                .unwrap_or(p);
            format!("{}{served}", site.config.root)
        })
        .collect();
    urls.sort();
    let mut x = String::with_capacity(128 + urls.len() * 128);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for url in urls {
        let _ = write!(
            x,
            "  <url><loc>{}</loc>",
            xml_escape(&site.config.permalink(&url))
        );
        if let Some(date) = lastmod.get(&url) {
            let _ = write!(x, "<lastmod>{date}</lastmod>");
        }
        x.push_str("</url>\n");
    }
    x.push_str("</urlset>\n");
    x
}

/// When each page's content last changed, where the content says so: posts by
/// `updated` or `date`, and the home page and post list by their newest post.
fn last_modified(site: &Site) -> BTreeMap<String, String> {
    let root = &site.config.root;
    let mut map = BTreeMap::new();
    for post in &site.posts {
        let changed = post.updated.as_ref().unwrap_or(&post.date);
        map.insert(post.route.url.clone(), iso(changed));
    }
    if let Some(newest) = site
        .posts
        .iter()
        .map(|p| p.updated.as_ref().unwrap_or(&p.date))
        .max()
    {
        map.insert(root.clone(), iso(newest));
        map.insert(format!("{root}posts/"), iso(newest));
    }
    map
}
