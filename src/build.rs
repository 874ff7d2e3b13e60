//! `hearth build`: config → content → model → rendered pages → output folder, with
//! every problem collected before anything replaces the previous site.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result};
use jiff::Timestamp;

use crate::config::Config;
use crate::content::{self, Visibility};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Site;
use crate::output::Staging;
use crate::render::theme::{Origin, Theme};
use crate::render::{self, Rendered};
use crate::outputs;

/// What to build and how.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub site_dir: PathBuf,
    /// Output folder; `SITE/public` when `None`.
    pub out_dir: Option<PathBuf>,
    /// Publish drafts and future-dated posts.
    pub drafts: bool,
    /// Replaces `base_url` of `hearth.toml`.
    pub base_url: Option<String>,
    pub now: Timestamp,
}

/// The outcome of a successful build.
#[derive(Debug)]
pub struct BuildReport {
    pub out_dir: PathBuf,
    pub pages: usize,
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: std::time::Duration,
}

/// A loaded site with its theme, ready to render.
pub struct Loaded {
    pub site: Site,
    pub theme: Theme,
    pub tera: tera::Tera,
    pub warnings: Vec<Diagnostic>,
}

/// Reads and checks everything a build needs. All problems of the site are found in
/// one go; an error with every one of them is returned if any is an error.
pub fn load(opts: &BuildOptions) -> Result<Loaded> {
    let mut diags = Diagnostics::default();
    let config = Config::load(&opts.site_dir, opts.base_url.as_deref(), &mut diags);
    let Some(config) = config else {
        return Err(diags
            .into_result()
            .err()
            .map_or_else(|| anyhow::anyhow!("bad config"), Into::into));
    };
    let theme = Theme::load(&opts.site_dir, &config.theme, &mut diags);
    let tera = render::compile(&theme, &mut diags);
    let visibility = Visibility {
        drafts: opts.drafts,
        now: opts.now,
    };
    let site = content::load(&opts.site_dir, config, visibility, &mut diags);
    tracing::info!(
        posts = site.posts.len(),
        members = site.members.len(),
        events = site.events.len(),
        pages = site.pages.len(),
        tags = site.tags.len(),
        "loaded content from {}",
        opts.site_dir.display()
    );
    let warnings = diags.into_result()?;
    let tera = tera.context("templates did not compile")?;
    Ok(Loaded {
        site,
        theme,
        tera,
        warnings,
    })
}

/// Builds the site into its output folder, replacing the previous site only when the
/// whole build has succeeded.
pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let loaded = load(opts)?;
    let mut diags = Diagnostics::default();
    let mut pages = render::pages(&loaded.site, &loaded.tera, &mut diags);
    let machine_files = outputs::all(&loaded.site, &pages);
    pages.extend(machine_files);
    tracing::info!(
        pages = pages.len(),
        elapsed_ms = started.elapsed().as_millis(),
        "rendered"
    );
    let mut warnings = loaded.warnings;
    warnings.extend(diags.into_result()?);

    let out_dir = opts
        .out_dir
        .clone()
        .unwrap_or_else(|| opts.site_dir.join("public"));
    let mut staging = Staging::begin(&out_dir)?;
    copy_static(&mut staging, &opts.site_dir, &loaded.theme)?;
    copy_bundle_assets(&mut staging, &loaded.site, &opts.site_dir)?;
    let page_count = pages.len();
    write_pages(&mut staging, pages)?;
    let files = staging.file_count();
    staging.commit()?;
    tracing::info!(files, "replaced {}", out_dir.display());
    Ok(BuildReport {
        out_dir,
        pages: page_count,
        files,
        warnings,
        elapsed: started.elapsed(),
    })
}

fn copy_static(staging: &mut Staging, site_dir: &Path, theme: &Theme) -> Result<()> {
    for (name, origin) in &theme.static_files {
        match origin {
            Origin::Builtin(bytes) => staging.write(name, bytes)?,
            Origin::Site(rel) => staging.copy(name, &site_dir.join(rel))?,
        };
    }
    Ok(())
}

fn copy_bundle_assets(staging: &mut Staging, site: &Site, site_dir: &Path) -> Result<()> {
    let root = &site.config.root;
    let sources = site
        .posts
        .iter()
        .map(|p| (&p.source, crate::model::item_path(root, "posts", &p.slug)))
        .chain(
            site.members
                .iter()
                .map(|m| (&m.source, crate::model::item_path(root, "members", &m.slug))),
        )
        .chain(
            site.events
                .iter()
                .map(|e| (&e.source, crate::model::item_path(root, "events", &e.slug))),
        )
        .chain(
            site.pages
                .iter()
                .map(|p| (&p.source, crate::model::item_path(root, "", &p.slug))),
        );
    for (source, url) in sources {
        let Some(dir) = &source.bundle_dir else {
            continue;
        };
        let out_dir = url.strip_prefix(root.as_str()).unwrap_or(&url);
        for asset in &source.assets {
            let rel = format!("{out_dir}{}", asset.to_string_lossy().replace('\\', "/"));
            staging.copy(&rel, &site_dir.join(dir).join(asset))?;
        }
    }
    Ok(())
}

fn write_pages(staging: &mut Staging, pages: Vec<Rendered>) -> Result<()> {
    for page in pages {
        staging.write(&page.path, page.contents.as_bytes())?;
    }
    Ok(())
}
