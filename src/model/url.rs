//! URLs written in front matter, parsed once into a `SafeUrl` that can only be an
//! http(s) link, a `mailto:` address, a site path or a relative path, so that no
//! `javascript:`, `vbscript:` or `data:` URL from content ever reaches an `href`.

use std::fmt;

/// What a `SafeUrl` points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlKind {
    /// `https://host/...`, `http://...`, or `//host/...` (protocol-relative: the same
    /// as an http(s) link to that host, so it is allowed as one).
    External,
    /// `mailto:someone@example.org`.
    Mail,
    /// `/path`: a path under the site's root.
    SitePath,
    /// `photo.png`, `../x`, `?q`, `#part`: relative to the page.
    Relative,
}

/// A URL from content that is safe to put in `href` or `src`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct SafeUrl {
    text: String,
    #[serde(skip)]
    kind: UrlKind,
}

/// The schemes front matter may use.
const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto"];

impl SafeUrl {
    /// Reads a URL as a browser would (surrounding spaces and control characters
    /// dropped, tabs and newlines removed anywhere: `java\tscript:` is `javascript:`)
    /// and accepts it only when it is an http(s) or mailto URL or a path. The error
    /// says what was wrong, to be placed at the key's line by the caller.
    pub fn parse(written: &str) -> Result<SafeUrl, String> {
        let text = browser_form(written);
        if text.is_empty() {
            return Err("is empty: write a URL such as `https://example.org`".to_string());
        }
        if let Some(c) = text.chars().find(|c| c.is_control()) {
            return Err(format!(
                "`{}` contains the control character U+{:04X}",
                written.escape_debug(),
                u32::from(c)
            ));
        }
        if text.contains('\\') {
            return Err(format!("`{written}` contains `\\`: URLs and paths use `/`"));
        }
        let kind = match scheme(&text) {
            Some(s) if s == "mailto" => UrlKind::Mail,
            Some(s) if ALLOWED_SCHEMES.contains(&s.as_str()) => UrlKind::External,
            Some(s) => {
                return Err(format!(
                    "`{}` uses the `{s}:` scheme; only `https:`, `http:`, `mailto:`, `/site/paths` and relative paths are allowed",
                    written.escape_debug()
                ));
            }
            None if text.starts_with("//") => UrlKind::External,
            None if text.starts_with('/') => UrlKind::SitePath,
            None => UrlKind::Relative,
        };
        Ok(SafeUrl { text, kind })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// A picture of the site itself (a logo, a sponsor's logo): an absolute http(s)
    /// URL as written, or a path of the site (`/images/x.svg`), placed under the site
    /// root `root` (`/` or `/club/`). Relative paths have no page to be relative to,
    /// and `mailto:` is no picture: both are errors.
    pub fn site_asset(written: &str, root: &str) -> Result<SafeUrl, String> {
        let url = SafeUrl::parse(written)?;
        match url.kind {
            UrlKind::External => Ok(url),
            UrlKind::SitePath => Ok(SafeUrl {
                text: format!("{root}{}", &url.text[1..]),
                kind: UrlKind::SitePath,
            }),
            UrlKind::Mail | UrlKind::Relative => Err(format!(
                "`{written}` is not a picture this site can show: write a path of the site starting with `/` (a file in static/, as `/images/logo.svg`) or an https URL"
            )),
        }
    }

    pub fn kind(&self) -> UrlKind {
        self.kind
    }
}

impl fmt::Display for SafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl AsRef<str> for SafeUrl {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// The URL as the WHATWG URL parser sees it: leading and trailing C0 controls and
/// spaces stripped, ASCII tab and newlines removed everywhere. Other surrounding
/// white space (as `str::trim` knows it) goes too, for tidy output.
fn browser_form(written: &str) -> String {
    written
        .trim_matches(|c: char| c <= ' ' || c.is_whitespace())
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// The scheme of a URL, lower case, when its first segment (before any `/`, `?` or
/// `#`) holds a `:`. Anything before that `:` counts, even if it is not a valid
/// scheme name (`jav ascript:`), so that nothing scheme-like slips through as a
/// "relative path".
pub fn scheme(text: &str) -> Option<String> {
    let first_segment = text.split(['/', '?', '#']).next().unwrap_or("");
    let (scheme, _) = first_segment.split_once(':')?;
    Some(scheme.to_ascii_lowercase())
}

/// Whether a link in a markdown body points at script or embedded data
/// (`javascript:`, `vbscript:`, `data:`), read as a browser reads it.
pub fn is_script_like(destination: &str) -> bool {
    let text = browser_form(destination);
    let scheme = scheme(&text).map(|s| s.chars().filter(|c| !c.is_control()).collect::<String>());
    matches!(scheme.as_deref(), Some("javascript" | "vbscript" | "data"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Result<UrlKind, String> {
        SafeUrl::parse(text).map(|u| u.kind())
    }

    #[test]
    fn web_mail_and_paths_are_accepted() {
        assert_eq!(kind("https://example.org/a?b#c"), Ok(UrlKind::External));
        assert_eq!(kind("HTTP://example.org"), Ok(UrlKind::External));
        assert_eq!(kind("//cdn.example/x.png"), Ok(UrlKind::External));
        assert_eq!(kind("mailto:hi@example.org"), Ok(UrlKind::Mail));
        assert_eq!(kind("/images/me.png"), Ok(UrlKind::SitePath));
        assert_eq!(kind("me.png"), Ok(UrlKind::Relative));
        assert_eq!(kind("../x"), Ok(UrlKind::Relative));
        assert_eq!(kind("./a:b.png"), Ok(UrlKind::Relative));
        assert_eq!(kind("#part"), Ok(UrlKind::Relative));
    }

    #[test]
    fn surrounding_space_goes_and_the_rest_is_kept() {
        let url = SafeUrl::parse("  https://example.org/x \n").expect("valid");
        assert_eq!(url.as_str(), "https://example.org/x");
        assert_eq!(url.to_string(), "https://example.org/x");
    }

    #[test]
    fn script_and_data_urls_are_refused_however_they_are_dressed() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "  javascript:alert(1)",
            "\u{1}\u{8}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "jav\r\nascript:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "DATA:image/svg+xml;base64,PHN2Zz4=",
            "java\u{0}script:alert(1)",
            "\u{a0}javascript:alert(1)",
            "jav ascript:alert(1)",
            "file:///etc/passwd",
            "c:/photos/me.png",
            "/\\evil.example",
            "",
            "   ",
        ] {
            assert!(
                SafeUrl::parse(bad).is_err(),
                "{} was accepted",
                bad.escape_debug()
            );
        }
    }

    #[test]
    fn site_assets_are_placed_under_the_root_and_relative_ones_refused() {
        let url = SafeUrl::site_asset("/images/logo.svg", "/club/").expect("a site path");
        assert_eq!(url.as_str(), "/club/images/logo.svg");
        let url = SafeUrl::site_asset("https://cdn.example/x.png", "/club/").expect("absolute");
        assert_eq!(url.as_str(), "https://cdn.example/x.png");
        for bad in ["logo.svg", "mailto:x@example.org", "javascript:alert(1)"] {
            assert!(SafeUrl::site_asset(bad, "/").is_err(), "{bad}");
        }
    }

    #[test]
    fn the_error_names_the_scheme() {
        let err = SafeUrl::parse("JavaScript:alert(1)").expect_err("refused");
        assert!(err.contains("`javascript:`"), "{err}");
    }

    #[test]
    fn body_links_to_script_or_data_are_recognised() {
        for bad in [
            "javascript:x",
            " JAVA\tSCRIPT:x",
            "vbscript:x",
            "data:x",
            "java\u{0}script:x",
        ] {
            assert!(is_script_like(bad), "{}", bad.escape_debug());
        }
        for fine in ["https://x", "/a:b", "tel:+41", "matrix:u/x", "notes.md", ""] {
            assert!(!is_script_like(fine), "{fine}");
        }
    }
}
