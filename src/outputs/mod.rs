//! Files for machines rather than people: feeds, iCalendar files, the sitemap and
//! robots.txt, and the search index. One artefact per file; each is a pure function
//! of the loaded site.

pub mod feeds;
pub mod ical;
pub mod search;
pub mod sitemap;

use crate::model::Site;
use crate::render::Rendered;

/// Every machine-readable file of the site.
pub fn all(site: &Site) -> Vec<Rendered> {
    let mut out = Vec::new();
    out.extend(feeds::files(site));
    out.extend(ical::files(site));
    out.extend(search::files(site));
    out.extend(sitemap::files(site));
    out
}
