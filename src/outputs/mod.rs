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

/// The machine-readable files that do not depend on the rendered pages, besides
/// the search index (`search::files`): feeds and calendars, made in parallel. The
/// sitemap (`sitemap::files`) lists the rendered pages.
pub fn without_pages(site: &Site) -> Vec<Rendered> {
    let (mut out, calendars) = rayon::join(|| feeds::files(site), || ical::files(site));
    out.extend(calendars);
    out.extend(feed_json::files(site));
    out.extend(events_json::files(site));
    out
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(text: &str) -> String {
    crate::render::escape_html(text)
}

pub use links::absolute_links;
