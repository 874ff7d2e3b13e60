//! Files for machines rather than people: feeds, iCalendar files, the sitemap and
//! robots.txt, and the search index. One artefact per file; each is a pure function
//! of the loaded site.

pub mod events_json;
pub mod feed_json;
pub mod feeds;
pub mod ical;
pub mod links;
pub mod redirects;
pub mod search;
pub mod sitemap;

use crate::model::Site;
use crate::render::Rendered;

/// The machine-readable files that do not depend on the rendered pages: feeds,
/// calendars and (with `search`) the search index, made in parallel. The sitemap
/// (`sitemap::files`) lists the rendered pages.
pub fn without_pages(site: &Site, search: bool) -> Vec<Rendered> {
    let ((mut out, calendars), search) = rayon::join(
        || rayon::join(|| feeds::files(site), || ical::files(site)),
        || {
            if search {
                search::files(site)
            } else {
                Vec::new()
            }
        },
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

pub use links::absolute_links;
