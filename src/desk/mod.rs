//! The organizers' desk: what is coming up ([`calendar`]), what has happened
//! ([`report`]) and what is in the folder ([`list`]), read from the site's own files
//! with drafts and scheduled posts included. Nothing here writes into `public/`.

pub mod calendar;
pub mod ics;
pub mod list;
pub mod report;
pub mod report_html;

use std::path::{Path, PathBuf};

use anyhow::Result;
use jiff::Timestamp;

use crate::config::Config;
use crate::content::{self, Visibility};
use crate::diag::{Diagnostic, Diagnostics, Problems};
use crate::model::{Event, Post, Site};
use crate::newsletter::settings::{self, Settings};

/// A site loaded for planning: every item, drafts and future posts too (each knows
/// whether it is a draft), with the newsletter record and settings.
pub struct Desk {
    pub site_dir: PathBuf,
    pub site: Site,
    /// `None` when hearth.toml has no `[newsletter]` section.
    pub settings: Option<Settings>,
    pub warnings: Vec<Diagnostic>,
}

/// Loads `site_dir` for the desk. Content or config errors are returned all at once,
/// as a build would report them.
pub fn load(site_dir: &Path, now: Timestamp) -> Result<Desk> {
    let mut diags = Diagnostics::default();
    let config = Config::load(site_dir, None, &mut diags);
    let Some(config) = config else {
        diags.attach_sources(site_dir);
        return Err(Problems::new(diags.into_items()).into());
    };
    let visibility = Visibility {
        drafts: true,
        now,
        cache: None,
        memo: None,
    };
    let mut site = content::load(site_dir, config, visibility, &mut diags);
    site.issues = crate::content::issues::load(site_dir, &mut diags);
    diags.attach_sources(site_dir);
    let warnings = diags.into_result()?;
    let settings = match site.config.newsletter {
        Some(_) => Some(settings::load(site_dir, &site.config)?),
        None => None,
    };
    Ok(Desk {
        site_dir: site_dir.to_path_buf(),
        site,
        settings,
        warnings,
    })
}

/// Whether an event happens in a room, online, or both: from `location` and `online`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    InPerson,
    Hybrid,
    Online,
}

impl Format {
    pub fn of(event: &Event) -> Format {
        match (event.location.is_some(), event.online.is_some()) {
            (true, true) => Format::Hybrid,
            (false, true) => Format::Online,
            // An event without either is where the organizers say; a room is likelier.
            (_, false) => Format::InPerson,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::InPerson => "in person",
            Format::Hybrid => "in person and online",
            Format::Online => "online",
        }
    }
}

/// Whether `post` announces `event`: it links to the event's page (by its URL path,
/// absolute or not, with or without the trailing `/`), or names the event's title
/// (case-insensitive) in its own title or text. Kept simple on purpose, so that
/// organizers can predict it: link the event, or say its name.
pub fn announces(post: &Post, event: &Event, base_url: &str) -> bool {
    let target = event.route.url.trim_end_matches('/');
    let html = post.body.content_html.get();
    let links = hrefs(&html).any(|href| {
        let path = href.strip_prefix(base_url).unwrap_or(href);
        let path = path.split(['#', '?']).next().unwrap_or(path);
        !target.is_empty() && path.trim_end_matches('/') == target
    });
    if links {
        return true;
    }
    let title = event.title.trim().to_lowercase();
    if title.is_empty() {
        return false;
    }
    let escaped = crate::render::escape_html(&title);
    post.title.to_lowercase().contains(&title) || html.to_lowercase().contains(&escaped)
}

/// The `href` values of an HTML fragment.
fn hrefs(html: &str) -> impl Iterator<Item = &str> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
}
