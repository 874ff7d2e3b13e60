//! `hearth.toml`: read into plain serde structs, then checked once into a `Config`
//! whose fields cannot be wrong.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::content::frontmatter::{self, Extra, key_line};
use crate::diag::Diagnostics;
use crate::model::SafeUrl;
use crate::model::route::{Kind, Pattern, Permalinks};

pub const FILE_NAME: &str = "hearth.toml";

/// `hearth.toml` exactly as written.
#[derive(Debug, Deserialize)]
struct RawConfig {
    title: String,
    base_url: String,
    #[serde(default)]
    description: String,
    /// A short line shown under the title on the home page.
    tagline: Option<String>,
    /// The community's logo, shown instead of the theme's mark.
    logo: Option<String>,
    /// The default picture for link previews (`og:image`).
    image: Option<String>,
    /// The community elsewhere: label -> URL.
    #[serde(default)]
    links: BTreeMap<String, String>,
    language: Option<String>,
    timezone: Option<String>,
    theme: Option<String>,
    posts_per_page: Option<i64>,
    feed_limit: Option<i64>,
    #[serde(default)]
    extra: Extra,
    newsletter: Option<RawNewsletter>,
    smtp: Option<RawSmtp>,
    markdown: Option<RawMarkdown>,
    permalinks: Option<RawPermalinks>,
}

/// `[permalinks]` as written: a URL pattern per kind.
#[derive(Debug, Deserialize)]
struct RawPermalinks {
    posts: Option<String>,
    members: Option<String>,
    events: Option<String>,
    pages: Option<String>,
}

/// `[markdown]` as written.
#[derive(Debug, Deserialize)]
struct RawMarkdown {
    unsafe_html: Option<bool>,
}

/// How markdown bodies are rendered (`[markdown]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Markdown {
    /// Raw HTML in bodies passes through as written. Off by default: content comes
    /// from pull requests, so raw HTML is shown as text, heading attributes keep only
    /// `#id` and `.class`, and links to `javascript:`, `vbscript:` and `data:` lose
    /// their target (as Hugo's `markup.goldmark.renderer.unsafe = false`).
    pub unsafe_html: bool,
}

/// `[newsletter]` as written; `newsletter::settings` checks it when a newsletter
/// command runs, so a site without a newsletter never trips over it.
#[derive(Debug, Clone, Deserialize)]
pub struct RawNewsletter {
    pub from: String,
    pub reply_to: Option<String>,
    pub subject: Option<String>,
    pub subscribers: Option<String>,
    pub schedule: Option<String>,
    pub upcoming_days: Option<i64>,
    pub unsubscribe: Option<String>,
    /// Where `hearth newsletter endpoint` answers (behind a reverse proxy).
    pub endpoint: Option<String>,
    /// Name of the environment variable holding the key of signed links.
    pub secret_env: Option<String>,
    /// Envelope sender (Return-Path), with VERP when an endpoint key is set.
    pub bounce_address: Option<String>,
    /// `imaps://user@host[:port]/MAILBOX` or `maildir:PATH`.
    pub bounce_mailbox: Option<String>,
    pub bounce_password_env: Option<String>,
    /// A PEM file of extra trusted certificates for the bounce mailbox's server.
    pub bounce_ca_file: Option<String>,
}

/// `[smtp]` as written.
#[derive(Debug, Clone, Deserialize)]
pub struct RawSmtp {
    pub host: String,
    pub port: Option<u16>,
    pub security: Option<String>,
    pub username: Option<String>,
    pub password_env: Option<String>,
    pub rate_per_second: Option<f64>,
    /// A PEM file of extra trusted certificates (a private CA, a test server).
    pub ca_file: Option<String>,
    pub timeout_seconds: Option<u64>,
    /// Retries of a temporary failure before a recipient is left for the next send.
    pub retries: Option<u32>,
    /// The wait before the first retry, doubled for each next one.
    pub retry_wait_ms: Option<u64>,
    pub dkim_selector: Option<String>,
    pub dkim_domain: Option<String>,
    pub dkim_key_file: Option<String>,
    /// Provider quotas: messages per hour and per day (0 or absent: none).
    pub max_per_hour: Option<u32>,
    pub max_per_day: Option<u32>,
    /// Parallel SMTP connections (1 to 8).
    pub connections: Option<u32>,
    /// Extra headers for every message (name -> value), such as a provider's
    /// message stream or configuration set.
    pub headers: Option<std::collections::BTreeMap<String, String>>,
}

/// The checked site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    /// Absolute, without a trailing slash: `https://rust.berlin` or `https://x.org/club`.
    pub base_url: String,
    /// URL path of the site's root: `/`, or `/club/` when `base_url` has a path.
    pub root: String,
    pub description: String,
    /// Shown under the title on the home page; empty when not set.
    pub tagline: String,
    /// Logo URL: a path under the site root (`/club/images/logo.svg`) or an absolute URL.
    pub logo: Option<SafeUrl>,
    /// The default social picture, as `logo`.
    pub image: Option<SafeUrl>,
    /// `[links]`: label and URL, sorted by label.
    pub links: Vec<(String, SafeUrl)>,
    pub language: String,
    pub timezone: TimeZone,
    pub timezone_name: String,
    /// `hearth` (built in) or the name of a folder under `themes/`.
    pub theme: String,
    pub posts_per_page: usize,
    /// How many of the newest posts the feeds carry.
    pub feed_limit: usize,
    pub extra: serde_json::Value,
    pub newsletter: Option<RawNewsletter>,
    pub smtp: Option<RawSmtp>,
    pub markdown: Markdown,
    /// The URL pattern of each kind of item (`[permalinks]`).
    pub permalinks: Permalinks,
    /// The text of hearth.toml, to place later problems at their line.
    pub text: String,
}

impl Config {
    /// A hash of the whole config as it was read, for what `hearth serve` keeps
    /// from one build to the next (within one process: it hashes the `Debug` text,
    /// in which every map is ordered).
    pub fn fingerprint(&self) -> u128 {
        let mut h = crate::hash::Hasher::default();
        h.field(format!("{self:?}").as_bytes());
        h.finish()
    }

    /// Reads `SITE/hearth.toml`. Every problem goes into `diags`; `None` when the
    /// config cannot be used.
    pub fn load(
        site_dir: &Path,
        base_url_override: Option<&str>,
        diags: &mut Diagnostics,
    ) -> Option<Config> {
        let path = Path::new(FILE_NAME);
        let text = match crate::files::read_to_string(site_dir, path) {
            Ok(t) => t,
            Err(crate::files::Refused::Missing) => {
                diags.error(
                    path,
                    None,
                    format!("no {FILE_NAME} in `{}`: is this a hearth site? (`hearth init DIR` makes one)", site_dir.display()),
                );
                return None;
            }
            Err(e) => {
                diags.error(path, None, format!("cannot read: {e}"));
                return None;
            }
        };
        let raw: RawConfig = frontmatter::from_toml(&text, 1, path, diags)?;
        resolve(raw, &text, base_url_override, diags)
    }

    /// Scheme and host of `base_url`, without a path: `https://example.org`.
    pub fn origin(&self) -> &str {
        &self.base_url[..self.base_url.len() - (self.root.len() - 1)]
    }

    /// The absolute URL of a root-relative path such as `/posts/x/`.
    pub fn permalink(&self, url_path: &str) -> String {
        format!("{}{}", self.origin(), url_path)
    }

    /// The absolute form of a checked picture or link URL: a site path gets the
    /// origin, a protocol-relative `//host/x` gets `https:`, others stay.
    pub fn absolute(&self, url: &str) -> String {
        if url.starts_with("//") {
            format!("https:{url}")
        } else if url.starts_with('/') {
            self.permalink(url)
        } else {
            url.to_string()
        }
    }
}

fn resolve(
    raw: RawConfig,
    text: &str,
    base_url_override: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<Config> {
    let RawConfig {
        title,
        base_url,
        description,
        tagline,
        logo,
        image,
        links,
        language,
        timezone,
        theme,
        posts_per_page,
        feed_limit,
        extra,
        newsletter,
        smtp,
        markdown,
        permalinks,
    } = raw;
    let path = Path::new(FILE_NAME);
    let errors_before = diags.items().len();

    let base_url = base_url_override.unwrap_or(&base_url);
    let (base_url, root) = match parse_base_url(base_url) {
        Ok(parts) => parts,
        Err(msg) => {
            let loc = if base_url_override.is_some() {
                None
            } else {
                key_line(text, "base_url", 1)
            };
            diags.error(path, loc, msg);
            (String::new(), String::new())
        }
    };
    let timezone_name = timezone.unwrap_or_else(|| "UTC".to_string());
    let tz = match TimeZone::get(&timezone_name) {
        Ok(tz) => tz,
        Err(_) => {
            diags.error(
                path,
                key_line(text, "timezone", 1),
                format!("unknown time zone `{timezone_name}`"),
            );
            diags.hint(crate::diag::time_zone_hint(&timezone_name));
            TimeZone::UTC
        }
    };
    let theme = theme.unwrap_or_else(|| "hearth".to_string());
    if !is_folder_name(&theme) {
        diags.error(
            path,
            key_line(text, "theme", 1),
            format!("theme `{theme}` must be the name of a folder under `themes/` (no `/`, `..` or hidden name), or `hearth`"),
        );
    }
    let mut at_least_one = |key: &str, value: Option<i64>, default: usize| match value {
        None => default,
        Some(n) if n >= 1 => usize::try_from(n).unwrap_or(usize::MAX),
        Some(n) => {
            diags.error(
                path,
                key_line(text, key, 1),
                format!("{key} must be at least 1, not {n}"),
            );
            default
        }
    };
    let posts_per_page = at_least_one("posts_per_page", posts_per_page, 10);
    let feed_limit = at_least_one("feed_limit", feed_limit, 20);
    let permalinks = permalinks.map_or_else(Permalinks::default, |raw| {
        resolve_permalinks(raw, text, diags)
    });
    let identity = resolve_identity((logo, image, links), &root, text, diags);
    if diags.items()[errors_before..]
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error)
    {
        return None;
    }
    Some(Config {
        title,
        base_url,
        root,
        description,
        tagline: tagline.unwrap_or_default(),
        logo: identity.logo,
        image: identity.image,
        links: identity.links,
        language: language.unwrap_or_else(|| "en".to_string()),
        timezone: tz,
        timezone_name,
        theme,
        posts_per_page,
        feed_limit,
        extra: extra.0,
        newsletter,
        smtp,
        markdown: markdown.map_or_else(Markdown::default, |RawMarkdown { unsafe_html }| Markdown {
            unsafe_html: unsafe_html.unwrap_or(false),
        }),
        permalinks,
        text: text.to_string(),
    })
}

/// The checked `logo`, `image` and `[links]`.
struct Identity {
    logo: Option<SafeUrl>,
    image: Option<SafeUrl>,
    links: Vec<(String, SafeUrl)>,
}

/// Checks the site's pictures (a site path or an absolute URL) and its `[links]`
/// (as front matter's URLs); each bad value is an error at its line.
fn resolve_identity(
    (logo, image, links): (Option<String>, Option<String>, BTreeMap<String, String>),
    root: &str,
    text: &str,
    diags: &mut Diagnostics,
) -> Identity {
    let path = Path::new(FILE_NAME);
    let mut picture = |key: &str, written: Option<String>| {
        let written = written?;
        SafeUrl::site_asset(&written, root)
            .map_err(|msg| diags.error(path, key_line(text, key, 1), format!("`{key}`: {msg}")))
            .ok()
    };
    let logo = picture("logo", logo);
    let image = picture("image", image);
    let mut checked = Vec::with_capacity(links.len());
    for (label, written) in links {
        match SafeUrl::parse(&written) {
            Ok(url) => checked.push((label, url)),
            Err(msg) => {
                let loc = frontmatter::table_key_line(text, "links", &label)
                    .or_else(|| frontmatter::table_key_line(text, "links", &format!("\"{label}\"")))
                    .or_else(|| header_line(text, "[links]"));
                diags.error(path, loc, format!("`links.{label}`: {msg}"));
            }
        }
    }
    Identity {
        logo,
        image,
        links: checked,
    }
}

/// The line of a table header such as `[links]`.
fn header_line(text: &str, header: &str) -> Option<crate::diag::Location> {
    let index = text.lines().position(|l| l.trim() == header)?;
    Some(crate::diag::Location::line(index + 1))
}

/// Checks each pattern of `[permalinks]`; a bad one is an error at its line.
fn resolve_permalinks(raw: RawPermalinks, text: &str, diags: &mut Diagnostics) -> Permalinks {
    let RawPermalinks {
        posts,
        members,
        events,
        pages,
    } = raw;
    let mut check = |kind: Kind, written: Option<String>| {
        let Some(written) = written else {
            return Pattern::default_for(kind);
        };
        Pattern::parse(&written, kind).unwrap_or_else(|msg| {
            let loc = frontmatter::table_key_line(text, "permalinks", kind.section());
            diags.error(
                Path::new(FILE_NAME),
                loc,
                format!("`permalinks.{}`: {msg}", kind.section()),
            );
            Pattern::default_for(kind)
        })
    };
    Permalinks {
        posts: check(Kind::Post, posts),
        members: check(Kind::Member, members),
        events: check(Kind::Event, events),
        pages: check(Kind::Page, pages),
    }
}

/// A theme is a folder of `themes/`, named plainly: nothing that leads elsewhere.
fn is_folder_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && crate::files::is_plain(Path::new(name))
}

/// Splits `https://host/path/` into the base URL without a trailing slash and the
/// root path (`/path/`).
fn parse_base_url(url: &str) -> Result<(String, String), String> {
    let bad = || {
        format!("base_url `{url}` must be an absolute http(s) URL such as `https://example.org`")
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.is_empty() || url.contains(char::is_whitespace) || url.contains(['?', '#']) {
        return Err(bad());
    }
    let path = path.trim_matches('/');
    let root = if path.is_empty() {
        "/".to_string()
    } else {
        format!("/{path}/")
    };
    let base = url.trim_end_matches('/').to_string();
    Ok((base, root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_split_into_origin_and_root_path() {
        assert_eq!(
            parse_base_url("https://rust.berlin/"),
            Ok(("https://rust.berlin".into(), "/".into()))
        );
        assert_eq!(
            parse_base_url("https://example.org/club"),
            Ok(("https://example.org/club".into(), "/club/".into()))
        );
        assert!(parse_base_url("rust.berlin").is_err());
        assert!(parse_base_url("https:///x").is_err());
    }
}
