//! `/_redirects`: every alias as `OLD NEW 301`, the format Netlify and Cloudflare
//! Pages read, so those hosts answer old URLs with a real 301 (other hosts serve the
//! alias's redirect page). Written only when some item has aliases; a `_redirects`
//! of the site's `static/` comes first, so its own rules keep working.

use std::fmt::Write as _;

use crate::model::Site;
use crate::render::Rendered;

/// Where the file is written, relative to the output folder.
pub const PATH: &str = "_redirects";

/// The `_redirects` file, after the site's own rules (`static/_redirects`), if any.
pub fn files(site: &Site, own_rules: Option<&str>) -> Vec<Rendered> {
    let mut lines = String::new();
    for (_, route) in site.routes() {
        for alias in &route.aliases {
            let _ = writeln!(lines, "{} {} 301", alias.url, route.url);
        }
    }
    if lines.is_empty() {
        return Vec::new();
    }
    let mut contents = own_rules.unwrap_or_default().to_string();
    if !contents.is_empty() && !contents.ends_with('\n') {
        contents.push('\n');
    }
    contents.push_str("# Old URLs of content (`aliases`), written by hearth\n");
    contents.push_str(&lines);
    vec![Rendered {
        path: PATH.to_string(),
        contents,
    }]
}
