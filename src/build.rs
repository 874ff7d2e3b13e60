//! `hearth build`: config → content → model → rendered pages → output folder, with
//! every problem collected before anything replaces the previous site.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use anyhow::{Context as _, Result};
use indicatif::ProgressBar;
use jiff::Timestamp;

use crate::config::Config;
use crate::content::cache::BodyCache;
use crate::content::{self, Visibility};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Site;
use crate::output::{Content, Staging};
use crate::outputs;
use crate::render::theme::{Origin, Theme};
use crate::render::{self, Collect, PagePaths, Rendered, Sink};

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
    /// Bodies rendered by an earlier build of the same process (`hearth serve`).
    /// Without one, `build` uses the cache in the site's `.hearth/cache/`.
    pub cache: Option<std::sync::Arc<BodyCache>>,
    /// What the previous build of the same `hearth serve` kept for this one.
    pub kept: Option<std::sync::Arc<Kept>>,
    /// Show a progress bar for a long build (on a terminal only).
    pub progress: bool,
}

/// The outcome of a successful build.
#[derive(Debug)]
pub struct BuildReport {
    pub out_dir: PathBuf,
    pub pages: usize,
    pub files: usize,
    /// Files written into the output folder (new or changed); the others were left
    /// as they were.
    pub written: usize,
    /// Files of the previous site removed.
    pub removed: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: std::time::Duration,
}

/// A loaded site with its theme, ready to render.
pub struct Loaded {
    pub site: Site,
    pub theme: Theme,
    pub tera: Arc<tera::Tera>,
    /// See [`render::TemplateKeys`].
    pub template_keys: Arc<render::TemplateKeys>,
    /// The cards of the `post_card` filter (see [`render::cards`]).
    pub cards: Arc<render::cards::Cards>,
    /// With `hearth serve`: how pages are made from their kept blocks (see
    /// [`render::blocks`]).
    pub plans: Option<Arc<render::blocks::Plans>>,
    /// What the previous build of the same `hearth serve` kept for this one.
    pub kept: Option<Arc<Kept>>,
    pub warnings: Vec<Diagnostic>,
    /// The site's own `static/_redirects`, which hearth's alias rules extend.
    pub own_redirects: Option<String>,
}

/// What `hearth serve` keeps from one build for the next: the documents as they
/// were loaded (see [`content::memo`]) and the compiled templates, by the hash of
/// their sources (see [`render::templates_hash`]).
#[derive(Default)]
pub struct Kept {
    pub documents: content::memo::Documents,
    /// Post cards, used again while the post and its card's templates are the same.
    pub cards: Arc<render::cards::Cards>,
    /// The posts' views, used again while the post and what its view is made from
    /// are the same.
    pub views: render::views::ViewCache,
    /// Calendars and the sitemap, used again while what they are made from is the
    /// same.
    pub outputs: outputs::Memo,
    /// What each page's own blocks rendered (see [`render::blocks`]).
    pub blocks: render::blocks::Kept,
    templates: Mutex<Option<Compiled>>,
}

/// Templates compiled, with what is made from them once: for `hearth serve`, kept
/// by the hash of their sources.
#[derive(Clone)]
struct Compiled {
    hash: u128,
    tera: Arc<tera::Tera>,
    keys: Arc<render::TemplateKeys>,
    /// With `hearth serve`: how pages are made from kept blocks.
    plans: Option<Arc<render::blocks::Plans>>,
}

impl Compiled {
    fn new(
        theme: &Theme,
        cards: &Arc<render::cards::Cards>,
        serve: bool,
        diags: &mut Diagnostics,
    ) -> Option<Compiled> {
        let mut tera = render::compile(theme, Arc::clone(cards), diags)?;
        let graph = render::recursion::calls(&tera);
        let keys = render::TemplateKeys::new(&tera, &graph, theme);
        let plans = serve.then(|| Arc::new(render::blocks::plan(&mut tera, &graph, theme)));
        Some(Compiled {
            hash: render::templates_hash(theme),
            tera: Arc::new(tera),
            keys: Arc::new(keys),
            plans,
        })
    }
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Kept({:?})", self.documents)
    }
}

impl Kept {
    /// The templates compiled from sources with this hash, if they were.
    fn templates(&self, hash: u128) -> Option<Compiled> {
        let kept = crate::output::lock(&self.templates);
        kept.as_ref().filter(|c| c.hash == hash).cloned()
    }

    fn keep_templates(&self, compiled: &Compiled) {
        *crate::output::lock(&self.templates) = Some(compiled.clone());
    }
}

/// How many bytes of post cards one `hearth build` keeps (see
/// [`render::cards::Cards::with_budget`]): a card for each of 10,000 posts, at one level.
const CARDS_BUDGET: usize = 12 << 20;

/// Reads and checks everything a build needs. All problems of the site are found in
/// one go; an error with every one of them is returned if any is an error.
pub fn load(opts: &BuildOptions) -> Result<Loaded> {
    let started = Instant::now();
    let mut diags = Diagnostics::default();
    let config = Config::load(&opts.site_dir, opts.base_url.as_deref(), &mut diags);
    diags.attach_sources(&opts.site_dir);
    let Some(config) = config else {
        return Err(diags
            .into_result()
            .err()
            .map_or_else(|| anyhow::anyhow!("bad config"), Into::into));
    };
    let visibility = Visibility {
        drafts: opts.drafts,
        now: opts.now,
        cache: opts.cache.as_deref(),
        memo: opts.kept.as_deref().map(|k| &k.documents),
    };
    // The theme compiles while the content loads.
    let theme_name = config.theme.clone();
    let cards = opts.kept.as_ref().map_or_else(
        || Arc::new(render::cards::Cards::with_budget(CARDS_BUDGET)),
        |k| Arc::clone(&k.cards),
    );
    let ((theme, compiled, theme_diags), (mut site, content_diags)) = rayon::join(
        || {
            let mut diags = Diagnostics::default();
            let theme = Theme::load(&opts.site_dir, &theme_name, &mut diags);
            let compiled = match &opts.kept {
                None => Compiled::new(&theme, &cards, false, &mut diags),
                Some(kept) => kept.templates(render::templates_hash(&theme)).or_else(|| {
                    let compiled = Compiled::new(&theme, &cards, true, &mut diags)?;
                    kept.keep_templates(&compiled);
                    Some(compiled)
                }),
            };
            (theme, compiled, diags)
        },
        || {
            let mut diags = Diagnostics::default();
            let site = content::load(&opts.site_dir, config, visibility, &mut diags);
            (site, diags)
        },
    );
    diags.extend(theme_diags);
    diags.extend(content_diags);
    site.issues = content::issues::load(&opts.site_dir, &mut diags);
    tracing::info!(
        posts = site.posts.len(),
        members = site.members.len(),
        events = site.events.len(),
        pages = site.pages.len(),
        tags = site.tags.len(),
        elapsed_ms = started.elapsed().as_millis(),
        "loaded content from {}",
        opts.site_dir.display()
    );
    let own_redirects = own_redirects(&opts.site_dir, &theme, &mut diags);
    let sources = copied_sources(&site, &theme, &opts.site_dir);
    site.images = crate::images::resize(&opts.site_dir, &site, &sources, &mut diags);
    diags.attach_sources(&opts.site_dir);
    let warnings = diags.into_result()?;
    let compiled = compiled.context("templates did not compile")?;
    Ok(Loaded {
        site,
        theme,
        tera: compiled.tera,
        template_keys: compiled.keys,
        cards,
        plans: compiled.plans,
        kept: opts.kept.clone(),
        warnings,
        own_redirects,
    })
}

/// The text of a `_redirects` file among the site's static files, if any.
fn own_redirects(site_dir: &Path, theme: &Theme, diags: &mut Diagnostics) -> Option<String> {
    let Some(Origin::Site(rel)) = theme.static_files.get(outputs::redirects::PATH) else {
        return None;
    };
    crate::files::read_to_string(site_dir, rel)
        .map_err(|e| diags.error(rel, None, format!("cannot read: {e}")))
        .ok()
}

/// A file that goes into the output as it is.
#[derive(Debug, Clone)]
pub enum CopyFrom {
    /// A file of the built-in theme.
    Builtin(&'static [u8]),
    /// A file on disk (a static file or a bundle's image).
    File(PathBuf),
}

/// Everything a build puts into the output folder, before anything is written.
#[derive(Debug)]
pub struct SiteFiles {
    /// Pages, feeds, calendars, ...: rendered text.
    pub generated: Vec<Rendered>,
    /// Static files and bundle files: output path and where the bytes come from.
    pub copied: Vec<(String, CopyFrom)>,
}

/// Whether [`render_into`] makes the search index, or leaves it to the caller
/// (`hearth serve` makes it after the pages are served, see `serve::Later`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    Now,
    Later,
}

/// Renders every generated file of a loaded site into `sink`: the pages, then the
/// feeds, calendars, search index and sitemap. Render problems (a broken template)
/// are errors; the result is the load's warnings and any of the render's.
pub fn render_into(loaded: &Loaded, sink: &dyn Sink, search: Search) -> Result<Vec<Diagnostic>> {
    let mut diags = Diagnostics::default();
    let site = &loaded.site;
    // Two levels of card for each post, and room for the cards of edited posts.
    loaded.cards.begin(4 * site.posts.len() + 100);
    let memo = loaded.kept.as_ref().map(|k| &k.outputs);
    if let Some(memo) = memo {
        memo.begin();
    }
    // The search index is made again only when what it is made from changed.
    let source = (search == Search::Now).then(|| outputs::search::Source::of(site));
    let search_key = source.as_ref().filter(|_| sink.keyed()).map(|s| s.key());
    let kept_search = search_key.is_some_and(|key| sink.has_group(key));
    let source = source.filter(|_| !kept_search);
    tracing::debug!(kept = kept_search, "search index");
    // The feeds, calendars and search index need no pages: they are made while
    // the pages render.
    let (pages, (machine_files, search_files)) = rayon::join(
        || {
            let blocks = loaded.kept.as_ref().zip(loaded.plans.as_ref());
            let templates = render::Templates {
                tera: &loaded.tera,
                keys: &loaded.template_keys,
                blocks: blocks.map(|(kept, plans)| render::blocks::Blocks {
                    plans,
                    kept: &kept.blocks,
                }),
            };
            let started = Instant::now();
            // The sitemap needs only the pages' paths: it is made while they render.
            let views = loaded.kept.as_ref().map(|k| &k.views);
            let pages = render::pages(site, views, &templates, sink, &mut diags, |paths| {
                outputs::sitemap::files(site, paths, memo)
            });
            tracing::debug!(elapsed_ms = started.elapsed().as_millis(), "pages");
            pages
        },
        || {
            let started = Instant::now();
            // The search index goes to the sink as it is made (a big site's index
            // is hundreds of files): its own file is the one an item's URL could
            // land on (its parts live under `/search/`, which the search page
            // holds), checked below like the others.
            let files = rayon::join(
                || outputs::without_pages(site, memo),
                || source.map(|s| s.each_file(&|file| sink.put_keyed(file, search_key))),
            );
            tracing::debug!(
                elapsed_ms = started.elapsed().as_millis(),
                "feeds, calendars and search index"
            );
            files
        },
    );
    let (pages, sitemap) = pages?;
    let mut machine_files = machine_files;
    machine_files.extend(outputs::redirects::files(
        site,
        loaded.own_redirects.as_deref(),
    ));
    machine_files.extend(sitemap);
    if let Some(made) = search_files {
        made?;
    }
    let index = Rendered {
        path: outputs::search::PATH.to_string(),
        contents: String::new(),
    };
    let all: Vec<&Rendered> = machine_files.iter().chain([&index]).collect();
    check_places(loaded, &pages, &all, &mut diags);
    let mut warnings = loaded.warnings.clone();
    warnings.extend(diags.into_result()?);
    for file in machine_files {
        sink.put(file)?;
    }
    Ok(warnings)
}

/// The first instant after the build's "now" at which the same site would build
/// differently, by the clock alone (`hearth serve` builds again then).
pub fn next_change(loaded: &Loaded) -> Option<jiff::Timestamp> {
    let site = &loaded.site;
    [site.next_change(), outputs::events_json::next_change(site)]
        .into_iter()
        .flatten()
        .min()
}

/// An item's page or alias may not land on a file the site makes itself (a list
/// page, a feed, the sitemap) or on a static file: either would silently replace
/// the other. Each clash is an error at the item's file naming the other file.
/// (Clashes between items are found when the content loads.)
fn check_places(
    loaded: &Loaded,
    pages: &PagePaths,
    machine_files: &[&Rendered],
    diags: &mut Diagnostics,
) {
    let site = &loaded.site;
    // Hash maps, not sorted ones: tens of thousands of paths, and clashes are rare
    // (they are sorted before they are said).
    let mut claims: rustc_hash::FxHashMap<&str, Vec<(&Path, &str)>> = Default::default();
    for (source, route) in site.routes() {
        let own = std::iter::once((&route.file, &route.url))
            .chain(route.aliases.iter().map(|a| (&a.file, &a.url)));
        for (file, url) in own {
            claims
                .entry(file)
                .or_default()
                .push((&source.path, url.as_str()));
        }
    }
    let mut made: rustc_hash::FxHashMap<&str, usize> = Default::default();
    let all = pages.listed.iter().chain(&pages.redirects);
    for path in all.chain(machine_files.iter().map(|f| &f.path)) {
        *made.entry(path).or_default() += 1;
    }
    let mut clashes = Vec::new();
    for (file, items) in &claims {
        let by_site = made.get(file).copied().unwrap_or(0) > items.len();
        let static_file = loaded.theme.static_files.get(*file);
        let other = match (by_site, static_file) {
            (true, _) => format!("a page hearth makes itself (`{file}`)"),
            (false, Some(origin)) => format!("the static file {}", describe_static(origin, file)),
            (false, None) => continue,
        };
        clashes.push((*file, items[0], other));
    }
    clashes.sort_unstable_by_key(|(file, ..)| *file);
    for (_, (source, url), other) in clashes {
        diags.error(
            source,
            None,
            format!(
                "{url} is also {other}: change this item's `slug` or `aliases`, or `[permalinks]`"
            ),
        );
    }
}

fn describe_static(origin: &Origin, name: &str) -> String {
    match origin {
        Origin::Builtin(_) => format!("`{name}` of the built-in theme"),
        Origin::Site(rel) => format!("`{}`", rel.display()),
    }
}

/// Renders every file of a loaded site in memory.
pub fn render_all(loaded: &Loaded, site_dir: &Path) -> Result<(SiteFiles, Vec<Diagnostic>)> {
    let collect = Collect::default();
    let warnings = render_into(loaded, &collect, Search::Now)?;
    let files = SiteFiles {
        generated: collect.into_files(),
        copied: copied_files(loaded, site_dir),
    };
    Ok((files, warnings))
}

/// The static files and bundle files of a loaded site, and its resized images.
pub fn copied_files(loaded: &Loaded, site_dir: &Path) -> Vec<(String, CopyFrom)> {
    let mut copied = copied_sources(&loaded.site, &loaded.theme, site_dir);
    let resized = loaded.site.images.files.iter();
    copied.extend(resized.map(|(out, file)| (out.clone(), CopyFrom::File(file.clone()))));
    copied
}

/// The static files and bundle files of a site.
fn copied_sources(site: &Site, theme: &Theme, site_dir: &Path) -> Vec<(String, CopyFrom)> {
    let mut copied = static_files(site_dir, theme);
    copied.extend(bundle_files(site, site_dir));
    copied
}

/// Builds the site into its output folder, replacing the previous site only when the
/// whole build has succeeded. Pages are written as they are rendered.
pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    // Bodies rendered by the previous build, from `.hearth/cache/`.
    let cache = match &opts.cache {
        Some(cache) => std::sync::Arc::clone(cache),
        None => std::sync::Arc::new(BodyCache::load(&opts.site_dir)),
    };
    tracing::info!(
        bodies = cache.len(),
        elapsed_ms = started.elapsed().as_millis(),
        "loaded the cache"
    );
    cache.begin();
    let outer_cache = opts.cache.as_ref();
    let opts = &BuildOptions {
        cache: Some(std::sync::Arc::clone(&cache)),
        ..opts.clone()
    };
    let out_dir = opts
        .out_dir
        .clone()
        .unwrap_or_else(|| opts.site_dir.join("public"));
    refuse_input_as_output(&opts.site_dir, &out_dir)?;
    // The content is read while the previous output is listed: neither needs the
    // other, and both wait on the disk.
    let (loaded, staging) = rayon::join(|| load(opts), || Staging::begin(&out_dir));
    let loaded = loaded?;
    let mut staging = staging?;
    // Files the previous builds replaced, to write into (see `output::spare`).
    if staging.updates() {
        match crate::content::cache::folder(&opts.site_dir, "spare") {
            Ok(dir) => staging.use_spares(dir),
            Err(e) => tracing::debug!("no spare files: {e:#}"),
        }
    }
    // Copied files first: a generated file at the same path replaces one.
    let copied = copied_files(&loaded, &opts.site_dir);
    staging.write_many(copied.iter().map(|(path, from)| {
        let content = match from {
            CopyFrom::Builtin(bytes) => Content::Bytes(bytes),
            CopyFrom::File(source) => Content::File(source),
        };
        (path.as_str(), content)
    }))?;
    let writer = Writer {
        staging: &staging,
        progress: opts.progress,
        bar: OnceLock::new(),
        pages: AtomicUsize::new(0),
    };
    let warnings = render_into(&loaded, &writer, Search::Now)?;
    if let Some(bar) = writer.bar.get().and_then(Option::as_ref) {
        bar.finish_and_clear();
    }
    let pages = writer.pages.load(Ordering::Relaxed);
    tracing::info!(
        pages,
        elapsed_ms = started.elapsed().as_millis(),
        "rendered and written"
    );
    if cache.read_failed() {
        // A body's text changed in the cache's file since it was loaded: what was
        // made from it is wrong. Nothing is published; the build starts again from
        // the markdown, unless its caller gave it the cache.
        drop(staging);
        anyhow::ensure!(
            outer_cache.is_none(),
            "the cache `.hearth/cache/bodies` changed while it was read: restart to build again"
        );
        tracing::warn!("the cache changed while it was read: building again without it");
        return build(&BuildOptions {
            cache: Some(std::sync::Arc::new(BodyCache::default())),
            ..opts.clone()
        });
    }
    let changes = staging.commit()?;
    cache.finish();
    if let Err(e) = cache.save(&opts.site_dir) {
        tracing::warn!("the cache was not saved (the next build renders every body again): {e:#}");
    }
    tracing::info!(
        files = changes.files,
        written = changes.written,
        removed = changes.removed,
        "updated {}",
        out_dir.display()
    );
    Ok(BuildReport {
        out_dir,
        pages,
        files: changes.files,
        written: changes.written,
        removed: changes.removed,
        warnings,
        elapsed: started.elapsed(),
    })
}

/// Folders of the site that hold its sources: an output folder there would replace
/// them, whatever marker a contributor committed into them.
const INPUT_FOLDERS: &[&str] = &[
    "content",
    "static",
    "templates",
    "themes",
    "data",
    "newsletter",
    ".hearth",
    ".git",
];

/// Refuses an output folder that is the site, holds the site, or is one of its
/// source folders.
fn refuse_input_as_output(site_dir: &Path, out_dir: &Path) -> Result<()> {
    let site = site_dir
        .canonicalize()
        .with_context(|| format!("cannot find the site folder `{}`", site_dir.display()))?;
    let out = match (out_dir.parent(), out_dir.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            parent.canonicalize().ok().map(|p| p.join(name))
        }
        _ => out_dir.canonicalize().ok(),
    };
    let Some(out) = out else {
        // A folder whose parent does not exist yet cannot hold the site.
        return Ok(());
    };
    let source_folder = out
        .strip_prefix(&site)
        .ok()
        .and_then(|rel| rel.components().next())
        .is_some_and(|first| INPUT_FOLDERS.iter().any(|f| first.as_os_str() == *f));
    if site.starts_with(&out) || source_folder {
        anyhow::bail!(
            "refusing to build into `{}`: it is the site folder, holds it, or holds its sources (choose another --out)",
            out_dir.display()
        );
    }
    Ok(())
}

/// Writes rendered files into the staging folder as they come, with a progress bar
/// for a big site.
struct Writer<'a> {
    staging: &'a Staging,
    progress: bool,
    bar: OnceLock<Option<ProgressBar>>,
    /// HTML pages written.
    pages: AtomicUsize,
}

impl Sink for Writer<'_> {
    fn expect(&self, files: usize) {
        self.bar
            .get_or_init(|| crate::progress::bar(self.progress, files, "writing"));
    }

    fn put(&self, file: Rendered) -> Result<()> {
        self.put_keyed(file, None)
    }

    fn keyed(&self) -> bool {
        true
    }

    fn has(&self, path: &str, key: u128) -> bool {
        let has = self.staging.has(path, key);
        if has {
            self.count(path);
        }
        has
    }

    fn has_group(&self, key: u128) -> bool {
        self.staging.has_group(key)
    }

    fn put_keyed(&self, file: Rendered, key: Option<u128>) -> Result<()> {
        self.staging
            .put_keyed(&file.path, file.contents.as_bytes(), key)?;
        self.count(&file.path);
        Ok(())
    }
}

impl Writer<'_> {
    /// The bar counts pages (what `expect` announced), not feeds and calendars.
    fn count(&self, path: &str) {
        if path.ends_with(".html") {
            self.pages.fetch_add(1, Ordering::Relaxed);
            if let Some(bar) = self.bar.get().and_then(Option::as_ref) {
                bar.inc(1);
            }
        }
    }
}

fn static_files(site_dir: &Path, theme: &Theme) -> Vec<(String, CopyFrom)> {
    theme
        .static_files
        .iter()
        .map(|(name, origin)| {
            let from = match origin {
                Origin::Builtin(bytes) => CopyFrom::Builtin(bytes),
                Origin::Site(rel) => CopyFrom::File(site_dir.join(rel)),
            };
            (name.clone(), from)
        })
        .collect()
}

/// The files beside each bundle's `index.md`, placed in the item's folder (beside
/// its page, or for a page ending in `.html`, in the folder of that name).
fn bundle_files(site: &Site, site_dir: &Path) -> Vec<(String, CopyFrom)> {
    let root = &site.config.root;
    let mut files = Vec::new();
    for (source, route) in site.routes() {
        let Some(dir) = &source.bundle_dir else {
            continue;
        };
        let out_dir = route.dir.strip_prefix(root.as_str()).unwrap_or(&route.dir);
        for asset in &source.assets {
            let rel = format!("{out_dir}{}", asset.to_string_lossy().replace('\\', "/"));
            files.push((rel, CopyFrom::File(site_dir.join(dir).join(asset))));
        }
    }
    files
}
