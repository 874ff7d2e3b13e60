//! `hearth check`: builds the site in memory and checks that every internal link,
//! `#anchor`, image and asset reference of the generated pages leads somewhere. Each
//! broken link is reported once, at the content file (and line) that holds it. An
//! alias's redirect page counts as a page, and its target must exist.

mod html;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::build::{self, BuildOptions, SiteFiles};
use crate::diag::{Diagnostic, Diagnostics, Location, Problems};
use crate::model::Site;

/// The outcome of a check that found no problem.
#[derive(Debug)]
pub struct CheckReport {
    pub pages: usize,
    pub links: usize,
    pub warnings: Vec<Diagnostic>,
}

/// Checks the site's content and every internal link of the built pages.
pub fn check(opts: &BuildOptions) -> Result<CheckReport> {
    let loaded = build::load(opts)?;
    let (files, warnings) = build::render_all(&loaded, &opts.site_dir)?;
    let sources = page_sources(&loaded.site);
    let mut diags = Diagnostics::default();
    let (pages, links) = check_links(&files, &loaded.site, &sources, &opts.site_dir, &mut diags);
    check_redirects(&files, &loaded.site, &mut diags);
    newsletter_endpoint(&loaded.site, &opts.site_dir, &mut diags);
    diags.attach_sources(&opts.site_dir);
    let mut all = warnings;
    all.extend(diags.into_items());
    if all
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error)
    {
        return Err(Problems::new(all).into());
    }
    Ok(CheckReport {
        pages,
        links,
        warnings: all,
    })
}

/// A list from which a warning about one-click unsubscribe starts: big mailbox
/// providers ask it of bulk senders (Gmail and Yahoo: over 5,000 messages a day),
/// so a list of this size is on its way there.
const LIST_NEEDS_ENDPOINT: usize = 1_000;

/// A `[newsletter]` without an `endpoint` offers no personal one-click unsubscribe;
/// said once the list is big enough to need it, not on a new site's first check.
fn newsletter_endpoint(site: &Site, site_dir: &Path, diags: &mut Diagnostics) {
    let config = &site.config;
    let Some(raw) = &config.newsletter else {
        return;
    };
    if raw.endpoint.is_some() {
        return;
    }
    let list = raw.subscribers.as_deref().unwrap_or("subscribers.csv");
    let people = crate::files::read(site_dir, Path::new(list))
        .map(|bytes| bytecount_lines(&bytes).saturating_sub(1))
        .unwrap_or(0);
    if people < LIST_NEEDS_ENDPOINT {
        return;
    }
    let line = crate::content::frontmatter::table_key_line(&config.text, "newsletter", "from");
    diags.warning(
        Path::new(crate::config::FILE_NAME),
        line,
        format!(
            "[newsletter] has no `endpoint`: {list} lists about {people} people, and without `hearth newsletter endpoint` emails offer no personal one-click unsubscribe (RFC 8058), which Gmail and Yahoo require of lists over a few thousand (see README, \"Running the newsletter endpoint\")"
        ),
    );
}

/// Lines of a text, the last one counted without its line end too.
fn bytecount_lines(bytes: &[u8]) -> usize {
    let breaks = bytes.iter().filter(|b| **b == b'\n').count();
    breaks + usize::from(bytes.last().is_some_and(|b| *b != b'\n'))
}

/// Output path of each content page (`posts/x/index.html`) to its markdown source.
fn page_sources(site: &Site) -> BTreeMap<String, PathBuf> {
    site.routes()
        .map(|(source, route)| (route.file.clone(), source.path.clone()))
        .collect()
}

/// Follows each alias: its redirect page must be there and lead to a page that is.
/// (Links on the redirect pages are absolute, so the link check passes them by.)
fn check_redirects(files: &SiteFiles, site: &Site, diags: &mut Diagnostics) {
    let existing: BTreeSet<&str> = files.generated.iter().map(|f| f.path.as_str()).collect();
    for (source, route) in site.routes() {
        for alias in &route.aliases {
            let problem = if !existing.contains(alias.file.as_str()) {
                format!("the alias {} has no redirect page", alias.url)
            } else if !existing.contains(route.file.as_str()) {
                format!(
                    "the alias {} redirects to {}, which was not built",
                    alias.url, route.url
                )
            } else {
                continue;
            };
            diags.error(&source.path, None, problem);
        }
    }
}

/// A link that leads nowhere, and why.
struct Broken {
    page: String,
    link: String,
    reason: String,
}

fn check_links(
    files: &SiteFiles,
    site: &Site,
    sources: &BTreeMap<String, PathBuf>,
    site_dir: &Path,
    diags: &mut Diagnostics,
) -> (usize, usize) {
    let existing: BTreeSet<&str> = files
        .generated
        .iter()
        .map(|f| f.path.as_str())
        .chain(files.copied.iter().map(|(p, _)| p.as_str()))
        .collect();
    let scanned: BTreeMap<&str, html::PageRefs> = files
        .generated
        .iter()
        .filter(|f| f.path.ends_with(".html"))
        .map(|f| (f.path.as_str(), html::scan(&f.contents)))
        .collect();
    let ids: BTreeMap<&str, BTreeSet<&str>> = scanned
        .iter()
        .map(|(path, refs)| (*path, refs.ids.iter().map(String::as_str).collect()))
        .collect();
    let root = site.config.root.as_str();
    let mut broken = Vec::new();
    let mut count = 0;
    for (page, refs) in &scanned {
        for link in &refs.links {
            let Some((target, fragment)) = resolve(page, link, root) else {
                continue;
            };
            count += 1;
            let reason = match find_target(&target, &existing) {
                None => Some(format!(
                    "there is no page or file at {}",
                    display_url(&target, root)
                )),
                Some(found) => fragment.filter(|f| !f.is_empty()).and_then(|f| {
                    let on_page = ids.get(found.as_str());
                    match on_page {
                        Some(set) if !set.contains(f.as_str()) => Some(format!(
                            "{} has no element with id \"{f}\"",
                            display_url(&target, root)
                        )),
                        _ => None,
                    }
                }),
            };
            if let Some(reason) = reason {
                broken.push(Broken {
                    page: (*page).to_string(),
                    link: link.clone(),
                    reason,
                });
            }
        }
    }
    report(broken, sources, (site_dir, root), diags);
    (scanned.len(), count)
}

/// The output path a link points to, and its `#fragment`; `None` for links that
/// leave the site (other hosts, `mailto:`, ...).
fn resolve(page: &str, link: &str, root: &str) -> Option<(String, Option<String>)> {
    let (rest, fragment) = match link.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment.to_string())),
        None => (link, None),
    };
    let rest = rest.split('?').next().unwrap_or(rest);
    if rest.contains(':') || rest.starts_with("//") {
        return None;
    }
    let page_dir = match page.rfind('/') {
        Some(i) => &page[..=i],
        None => "",
    };
    let joined = if rest.is_empty() {
        page.to_string()
    } else if let Some(absolute) = rest.strip_prefix('/') {
        // Root-relative: must live under the site's base path.
        let under_root = format!("/{absolute}");
        match under_root.strip_prefix(root) {
            Some(inside) => inside.to_string(),
            None => format!("../{absolute}"),
        }
    } else {
        format!("{page_dir}{rest}")
    };
    Some((normalize(&joined), fragment))
}

/// Resolves `.` and `..` in a `/`-separated path; a `..` above the root stays.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "." => {}
            ".." => {
                if parts.pop().is_none() {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let mut out = parts.join("/");
    if path.ends_with('/') && !out.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    out
}

/// The output file a resolved path is served from, as a web server would find it:
/// `x/` is `x/index.html`, and `x` may be the folder `x/`.
fn find_target(target: &str, existing: &BTreeSet<&str>) -> Option<String> {
    let candidates = if target.is_empty() || target.ends_with('/') {
        vec![format!("{target}index.html")]
    } else {
        vec![target.to_string(), format!("{target}/index.html")]
    };
    candidates
        .into_iter()
        .find(|c| existing.contains(c.as_str()))
}

fn display_url(target: &str, root: &str) -> String {
    format!("{root}{}", target.trim_end_matches("index.html"))
}

/// One message per broken link per source file. A link broken on a content page is
/// told at its markdown file (with the line where the link is written); the same
/// link in lists and summaries is not told again. Links only on generated pages
/// (lists, the home page) are told at the page.
fn report(
    broken: Vec<Broken>,
    sources: &BTreeMap<String, PathBuf>,
    (site_dir, root): (&Path, &str),
    diags: &mut Diagnostics,
) {
    let mut told: BTreeSet<(PathBuf, String)> = BTreeSet::new();
    let (from_content, from_lists): (Vec<_>, Vec<_>) = broken
        .into_iter()
        .partition(|b| sources.contains_key(&b.page));
    for b in &from_content {
        let source = &sources[&b.page];
        if told.insert((source.clone(), b.link.clone())) {
            let line = line_of(site_dir, source, &b.link, root);
            diags.error(
                source,
                line,
                format!("broken link `{}`: {}", b.link, b.reason),
            );
        }
    }
    let known: BTreeSet<&str> = from_content.iter().map(|b| b.link.as_str()).collect();
    for b in from_lists {
        if !known.contains(b.link.as_str()) && told.insert((PathBuf::from(&b.page), b.link.clone()))
        {
            diags.error(
                Path::new(&b.page),
                None,
                format!("broken link `{}` (from a template): {}", b.link, b.reason),
            );
        }
    }
}

/// The line of `source` where `link` (or its path without the base path) is written.
fn line_of(site_dir: &Path, source: &Path, link: &str, root: &str) -> Option<Location> {
    let text = crate::files::read_to_string(site_dir, source).ok()?;
    // Markdown writes `/x/`; the page says `/club/x/` under a base path.
    let written = link
        .strip_prefix(root)
        .filter(|_| root.len() > 1)
        .map(|rest| format!("/{rest}"));
    let index = text
        .lines()
        .position(|line| line.contains(link))
        .or_else(|| {
            let written = written.as_deref()?;
            text.lines().position(|line| line.contains(written))
        })?;
    Some(Location::line(index + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_like_a_browser_would() {
        let r = |page, link| resolve(page, link, "/");
        assert_eq!(
            r("posts/a/index.html", "/members/b/"),
            Some(("members/b/".into(), None))
        );
        assert_eq!(
            r("posts/a/index.html", "photo.png"),
            Some(("posts/a/photo.png".into(), None))
        );
        assert_eq!(
            r("posts/a/index.html", "../b/#x"),
            Some(("posts/b/".into(), Some("x".into())))
        );
        assert_eq!(
            r("posts/a/index.html", "#top"),
            Some(("posts/a/index.html".into(), Some("top".into())))
        );
        assert_eq!(r("index.html", "https://example.org/"), None);
        assert_eq!(r("index.html", "mailto:a@example.org"), None);
        assert_eq!(r("index.html", "//cdn.example.org/x.js"), None);
        assert_eq!(
            resolve("index.html", "/club/posts/", "/club/"),
            Some(("posts/".into(), None))
        );
        assert_eq!(
            resolve("index.html", "/elsewhere/", "/club/"),
            Some(("../elsewhere/".into(), None))
        );
    }

    #[test]
    fn folders_are_found_with_or_without_a_trailing_slash() {
        let existing: BTreeSet<&str> = ["posts/a/index.html", "style.css", "index.html"].into();
        assert_eq!(
            find_target("posts/a/", &existing).as_deref(),
            Some("posts/a/index.html")
        );
        assert_eq!(
            find_target("posts/a", &existing).as_deref(),
            Some("posts/a/index.html")
        );
        assert_eq!(find_target("", &existing).as_deref(), Some("index.html"));
        assert_eq!(
            find_target("style.css", &existing).as_deref(),
            Some("style.css")
        );
        assert_eq!(find_target("posts/b/", &existing), None);
    }
}
