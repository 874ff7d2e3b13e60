//! Files for machines rather than people: feeds, iCalendar files, the sitemap and
//! robots.txt, and the search index. One artefact per file; each is a pure function
//! of the loaded site.

pub mod events_json;
pub mod feed_json;
pub mod feeds;
pub mod ical;
pub mod redirects;
pub mod search;
pub mod sitemap;

use crate::model::Site;
use crate::render::Rendered;

/// The machine-readable files that do not depend on the rendered pages: feeds,
/// calendars and the search index, made in parallel. The sitemap
/// (`sitemap::files`) lists the rendered pages.
pub fn without_pages(site: &Site) -> Vec<Rendered> {
    let ((mut out, calendars), search) = rayon::join(
        || rayon::join(|| feeds::files(site), || ical::files(site)),
        || search::files(site),
    );
    out.extend(calendars);
    out.extend(search);
    out.extend(feed_json::files(site));
    out.extend(events_json::files(site));
    out
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(text: &str) -> String {
    crate::render::escape_html(text)
}

/// Makes root-relative links (`href="/x"`, `src="/x"`) in HTML absolute under
/// `origin` (`https://example.org`), for feeds and email where no page URL resolves
/// them.
pub fn absolute_links(html: &str, origin: &str) -> String {
    let mut out = html.replace("href=\"/", &format!("href=\"{origin}/"));
    out = out.replace("src=\"/", &format!("src=\"{origin}/"));
    // Protocol-relative URLs (`//host/x`) were not root-relative; put them back.
    out.replace(&format!("=\"{origin}//"), "=\"//")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_relative_links_become_absolute_and_others_stay() {
        let html = r##"<a href="/posts/a/">a</a> <img src="/x.png"> <a href="https://b.org/">b</a> <a href="//cdn.org/c">c</a> <a href="#top">t</a>"##;
        let out = absolute_links(html, "https://ex.org");
        assert!(out.contains(r#"href="https://ex.org/posts/a/""#));
        assert!(out.contains(r#"src="https://ex.org/x.png""#));
        assert!(out.contains(r#"href="https://b.org/""#));
        assert!(out.contains(r#"href="//cdn.org/c""#));
        assert!(out.contains(r##"href="#top""##));
    }
}
