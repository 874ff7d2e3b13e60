//! Where each item lives on the site: its URL, decided once from the `[permalinks]`
//! pattern of its kind when the model is assembled, and the old paths (`aliases`)
//! that redirect to it. Every page, feed, calendar and check takes URLs from here.

use jiff::civil::Date;

use super::Slug;
use super::url::{SafeUrl, UrlKind};

/// The four kinds of content item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Post,
    Member,
    Event,
    Page,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Post, Kind::Member, Kind::Event, Kind::Page];

    /// The kind's section: its folder under `content/`, its key in `[permalinks]`,
    /// and the value of `:section`.
    pub fn section(self) -> &'static str {
        match self {
            Kind::Post => "posts",
            Kind::Member => "members",
            Kind::Event => "events",
            Kind::Page => "pages",
        }
    }

    /// Whether items of this kind have a date for `:year`, `:month` and `:day`
    /// (a post's `date`, an event's `start`). A member's `joined` is optional, so
    /// members, like pages, have none.
    pub fn is_dated(self) -> bool {
        matches!(self, Kind::Post | Kind::Event)
    }

    /// The pattern used when `[permalinks]` does not name the kind: hearth's URLs
    /// from before permalinks existed.
    fn default_pattern(self) -> &'static str {
        match self {
            Kind::Post => "/posts/:slug/",
            Kind::Member => "/members/:slug/",
            Kind::Event => "/events/:slug/",
            Kind::Page => "/:slug/",
        }
    }
}

/// One piece of a permalink pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Year,
    Month,
    Day,
    Slug,
    Section,
}

/// A checked `[permalinks]` pattern: starts with `/`, ends with `/` (the page is
/// `index.html` in that folder) or with `.html` (the page is exactly that file),
/// holds `:slug`, and uses a date only for a kind that has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    parts: Vec<Part>,
}

const PLACEHOLDERS: &str = "`:slug`, `:section`, `:year`, `:month`, `:day`";

impl Pattern {
    pub fn default_for(kind: Kind) -> Pattern {
        // The defaults are valid patterns; `Text` parts only if they were not.
        Pattern::parse(kind.default_pattern(), kind).unwrap_or_else(|_| Pattern {
            parts: vec![Part::Text("/".into()), Part::Slug, Part::Text("/".into())],
        })
    }

    /// Checks a pattern for items of `kind`; the error says what is wrong.
    pub fn parse(text: &str, kind: Kind) -> Result<Pattern, String> {
        let bad_end = !(text.ends_with('/') || text.ends_with(".html"));
        if !text.starts_with('/') || bad_end || text.len() < 2 {
            return Err(format!(
                "`{text}` must start with `/` and end with `/` (a folder, served as `index.html`) or `.html` (exactly that file), as `/posts/:slug/` or `/:year/:month/:day/:slug.html`"
            ));
        }
        let inner = &text[1..];
        let inner = inner.strip_suffix('/').unwrap_or(inner);
        if let Some(part) = inner.split('/').find(|p| matches!(*p, "" | "." | "..")) {
            return Err(format!(
                "`{text}` has the path part `{part}`: parts may not be empty, `.` or `..`"
            ));
        }
        if let Some(c) = text.chars().find(|c| {
            !(c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '~' | ':'))
        }) {
            return Err(format!(
                "`{text}` contains `{c}`: write letters, digits, `-`, `_`, `.`, `/` and the placeholders {PLACEHOLDERS}"
            ));
        }
        let parts = split_parts(text, kind)?;
        if !parts.contains(&Part::Slug) {
            return Err(format!(
                "`{text}` has no `:slug`: without it every {} would get the same URL",
                kind.section().trim_end_matches('s')
            ));
        }
        Ok(Pattern { parts })
    }

    /// The URL path under the site root (`posts/x/`, `2019/05/x.html`), without
    /// the leading `/`. `date` is used only by dated patterns.
    fn expand(&self, kind: Kind, slug: &Slug, date: Option<Date>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Slug => out.push_str(slug.as_str()),
                Part::Section => out.push_str(kind.section()),
                Part::Year => {
                    out.push_str(&date.map_or_else(String::new, |d| format!("{:04}", d.year())))
                }
                Part::Month => {
                    out.push_str(&date.map_or_else(String::new, |d| format!("{:02}", d.month())))
                }
                Part::Day => {
                    out.push_str(&date.map_or_else(String::new, |d| format!("{:02}", d.day())))
                }
            }
        }
        out.trim_start_matches('/').to_string()
    }
}

/// Splits a pattern into text and placeholders; an unknown placeholder, or a date
/// for a kind without one, is an error.
fn split_parts(text: &str, kind: Kind) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(':') {
        if i > 0 {
            parts.push(Part::Text(rest[..i].to_string()));
        }
        rest = &rest[i..];
        let name_len = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len() - 1);
        let name = &rest[1..1 + name_len];
        let part = match name {
            "slug" => Part::Slug,
            "section" => Part::Section,
            "year" => Part::Year,
            "month" => Part::Month,
            "day" => Part::Day,
            "title" => return Err(format!("`{text}` uses `:title`: hearth calls it `:slug`")),
            _ => {
                return Err(format!(
                    "`{text}` uses the unknown placeholder `:{name}`; the placeholders are {PLACEHOLDERS}"
                ));
            }
        };
        if matches!(part, Part::Year | Part::Month | Part::Day) && !kind.is_dated() {
            return Err(format!(
                "`{text}` uses `:{name}`, but {} have no date: use `:slug` and `:section` (dates are for posts and events)",
                kind.section()
            ));
        }
        parts.push(part);
        rest = &rest[1 + name_len..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_string()));
    }
    Ok(parts)
}

/// The URL pattern of each kind (`[permalinks]` of hearth.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permalinks {
    pub posts: Pattern,
    pub members: Pattern,
    pub events: Pattern,
    pub pages: Pattern,
}

impl Default for Permalinks {
    fn default() -> Self {
        Permalinks {
            posts: Pattern::default_for(Kind::Post),
            members: Pattern::default_for(Kind::Member),
            events: Pattern::default_for(Kind::Event),
            pages: Pattern::default_for(Kind::Page),
        }
    }
}

impl Permalinks {
    pub fn pattern(&self, kind: Kind) -> &Pattern {
        match kind {
            Kind::Post => &self.posts,
            Kind::Member => &self.members,
            Kind::Event => &self.events,
            Kind::Page => &self.pages,
        }
    }

    /// Where an item of `kind` lives, under the site root `root` (`/` or `/club/`).
    pub fn route(&self, root: &str, kind: Kind, slug: &Slug, date: Option<Date>) -> Route {
        let url = format!("{root}{}", self.pattern(kind).expand(kind, slug, date));
        Route {
            kind,
            file: output_file(root, &url),
            dir: match url.strip_suffix(".html") {
                Some(stem) => format!("{stem}/"),
                None => url.clone(),
            },
            url,
            aliases: Vec::new(),
        }
    }
}

/// Where an item lives: decided once, read everywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub kind: Kind,
    /// URL path with the site's base path: `/club/posts/x/`, `/2019/05/15/x.html`.
    pub url: String,
    /// The page's file inside the output folder: `posts/x/index.html`, `2019/05/15/x.html`.
    pub file: String,
    /// URL path of the folder for the files that travel with the item (a bundle's
    /// images, an event's `event.ics`): the URL itself when it ends in `/`, else the
    /// URL without `.html`, as a folder (`/2019/05/15/x/`).
    pub dir: String,
    /// Old URLs that redirect here.
    pub aliases: Vec<Alias>,
}

/// An old URL of an item, which gets a redirect page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// URL path with the site's base path, as `_redirects` lists it: `/club/news/old/`.
    pub url: String,
    /// The redirect page inside the output folder: `news/old/index.html`, `x.html`.
    pub file: String,
}

impl Alias {
    /// Checks an `aliases` entry: a path of this site (`/2019/05/old.html`,
    /// `/news/old/`), placed under the site root `root`. A path ending in `.html` or
    /// `.htm` is that file; any other is a folder (`/news/old` is `news/old/index.html`,
    /// which hosts serve for `/news/old` too).
    pub fn parse(written: &str, root: &str) -> Result<Alias, String> {
        let url = SafeUrl::parse(written)?;
        let text = url.as_str();
        if url.kind() != UrlKind::SitePath {
            return Err(format!(
                "`{written}` is not a path of this site: write the old URL's path, starting with `/` (`/2019/05/15/old-name.html`)"
            ));
        }
        if let Some(c) = text
            .chars()
            .find(|c| matches!(c, '?' | '#' | '%' | '"' | '<' | '>') || c.is_whitespace())
        {
            return Err(format!(
                "`{written}` contains `{c}`: an alias is a plain path (no query, fragment or %-escape; write `é` rather than `%C3%A9`)"
            ));
        }
        let inner = text.trim_matches('/');
        if inner.is_empty() || inner.split('/').any(|p| matches!(p, "" | "." | "..")) {
            return Err(format!(
                "`{written}` must name a page below the site root, with no empty, `.` or `..` parts"
            ));
        }
        let folder = !(inner.ends_with(".html") || inner.ends_with(".htm"));
        let under_root = if folder {
            format!("{inner}/")
        } else {
            inner.to_string()
        };
        let url = format!("{root}{under_root}");
        Ok(Alias {
            file: output_file(root, &url),
            url,
        })
    }
}

/// The output file of a URL path under `root`: `/club/x/` is `x/index.html`,
/// `/club/x.html` is `x.html`.
pub fn output_file(root: &str, url: &str) -> String {
    let rel = url
        .strip_prefix(root)
        .unwrap_or(url.trim_start_matches('/'));
    if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug(s: &str) -> Slug {
        Slug::from_text(s).expect("slug")
    }

    fn route(pattern: &str, kind: Kind, root: &str) -> Route {
        let permalinks = Permalinks {
            posts: Pattern::parse(pattern, kind).expect("valid"),
            ..Permalinks::default()
        };
        let date = Date::new(2019, 5, 7).ok();
        permalinks.route(root, Kind::Post, &slug("Old Name"), date)
    }

    #[test]
    fn defaults_are_the_urls_hearth_always_had() {
        let p = Permalinks::default();
        let r = |kind| p.route("/", kind, &slug("x"), None).url;
        assert_eq!(r(Kind::Post), "/posts/x/");
        assert_eq!(r(Kind::Member), "/members/x/");
        assert_eq!(r(Kind::Event), "/events/x/");
        assert_eq!(r(Kind::Page), "/x/");
        assert_eq!(
            p.route("/club/", Kind::Page, &slug("x"), None).file,
            "x/index.html"
        );
    }

    #[test]
    fn dated_and_html_patterns_expand() {
        let r = route("/:year/:month/:day/:slug.html", Kind::Post, "/club/");
        assert_eq!(r.url, "/club/2019/05/07/old-name.html");
        assert_eq!(r.file, "2019/05/07/old-name.html");
        assert_eq!(r.dir, "/club/2019/05/07/old-name/");
        let r = route("/blog/:section/:slug/", Kind::Post, "/");
        assert_eq!(
            (r.url.as_str(), r.file.as_str()),
            ("/blog/posts/old-name/", "blog/posts/old-name/index.html")
        );
    }

    #[test]
    fn bad_patterns_say_why() {
        for (bad, why) in [
            ("posts/:slug/", "must start with `/`"),
            ("/posts/:slug", "end with `/`"),
            ("/posts/", "no `:slug`"),
            ("/:categories/:slug/", "unknown placeholder `:categories`"),
            ("/:title/", "`:slug`"),
            ("/a/../:slug/", "`..`"),
            ("/a//:slug/", "may not be empty"),
            ("/a?b/:slug/", "contains `?`"),
        ] {
            let err = Pattern::parse(bad, Kind::Post).expect_err(bad);
            assert!(err.contains(why), "{bad}: {err}");
        }
        let err = Pattern::parse("/:year/:slug/", Kind::Member).expect_err("dateless");
        assert!(err.contains("members have no date"), "{err}");
        assert!(Pattern::parse("/:year/:slug/", Kind::Event).is_ok());
    }

    #[test]
    fn aliases_are_site_paths_placed_under_the_root() {
        let a = Alias::parse("/2019/05/15/old.html", "/club/").expect("valid");
        assert_eq!(
            (a.url.as_str(), a.file.as_str()),
            ("/club/2019/05/15/old.html", "2019/05/15/old.html")
        );
        let a = Alias::parse("/news/old", "/").expect("valid");
        assert_eq!(
            (a.url.as_str(), a.file.as_str()),
            ("/news/old/", "news/old/index.html")
        );
        for bad in [
            "javascript:x",
            "https://other/x",
            "/a/../b",
            "//host/x",
            "/",
            "/a?b",
            "/a#b",
            "x/y",
            "/a%2e/",
        ] {
            assert!(Alias::parse(bad, "/").is_err(), "{bad} accepted");
        }
    }
}
