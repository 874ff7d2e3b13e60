//! Rendering the site's pages with Tera: the theme's templates are compiled once, each
//! page gets a typed context (see `views` and `docs/templates.md`), and the result is
//! a list of output files. Rendering reads nothing from disk but the theme.

pub mod archive;
pub mod blocks;
pub mod cards;
pub mod engine;
pub mod keyhash;
pub mod reach;
pub mod recursion;
pub mod structured;
pub mod theme;
pub mod views;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;

use crate::diag::Diagnostics;
use crate::model::Site;
use crate::output::lock;
use theme::Theme;
use views::{EventView, MemberView, PageView, PostItem, PostView, SiteView, TagView, Views};

thread_local! {
    /// Set while a page key is hashed on this thread: see [`views::Html`].
    static KEYING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the value being serialized is for a page key.
pub fn keying() -> bool {
    KEYING.with(std::cell::Cell::get)
}

/// Hashes `value` for a page key (see [`keyhash`]), with each rendered body and
/// each listed view standing for itself by its own key.
fn hash_for_key(h: &mut crate::hash::Hasher, value: &impl Serialize) -> Option<()> {
    let before = KEYING.with(|k| k.replace(true));
    let hashed = keyhash::hash(h, value);
    KEYING.with(|k| k.set(before));
    hashed.ok()
}

/// A view on a list in a page's context: itself for the template, and for the
/// page's key its own key, made once per build however many pages list the view
/// (a tag page lists thousands of posts, and each post is on several lists).
struct Shown<'a, T> {
    view: &'a T,
}

impl<T> Clone for Shown<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Shown<'_, T> {}

impl<T: views::Listed> Serialize for Shown<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeStruct as _};
        if !keying() {
            return self.view.serialize(s);
        }
        let key = self
            .view
            .key_cell()
            .get_or_make(|| {
                let mut h = crate::hash::Hasher::default();
                hash_for_key(&mut h, self.view)?;
                Some(h.finish())
            })
            .ok_or_else(|| S::Error::custom("a view does not serialize"))?;
        let mut shown = s.serialize_struct("Shown", 1)?;
        shown.serialize_field("@key", &key)?;
        shown.end()
    }
}

/// One generated file: its `/`-separated path inside the output folder and its text.
#[derive(Debug)]
pub struct Rendered {
    pub path: String,
    pub contents: String,
}

/// Compiles the theme's templates, with the `post_card` filter keeping its cards in
/// `cards` (see [`cards`]). Syntax errors are reported per template file.
pub fn compile(
    theme: &Theme,
    cards: std::sync::Arc<cards::Cards>,
    diags: &mut Diagnostics,
) -> Option<tera::Tera> {
    let mut tera = engine::new();
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    let sources: Vec<(&str, &str)> = theme
        .templates
        .iter()
        .map(|(n, (t, _))| (n.as_str(), t.as_str()))
        .collect();
    if let Err(e) = tera.add_raw_templates(sources) {
        // Tera names the template in its message; find which file that is.
        let message = error_chain(&e);
        let file = theme
            .templates
            .iter()
            .find(|(name, _)| message.contains(&format!("'{name}'")))
            .map_or_else(
                || "templates".to_string(),
                |(name, (_, origin))| origin.describe(name),
            );
        diags.error(Path::new(&file), None, format!("template error: {message}"));
        return None;
    }
    if !recursion::check(&tera, theme, diags) {
        return None;
    }
    if let Err(e) = cards::register(&mut tera, theme, cards) {
        let file = theme.templates.get("macros.html").map_or_else(
            || "templates/macros.html".to_string(),
            |(_, o)| o.describe("macros.html"),
        );
        diags.error(
            Path::new(&file),
            None,
            format!("template error: {}", error_chain(&e)),
        );
        return None;
    }
    Some(tera)
}

/// Where rendered files go as they are made: pages are rendered on many threads at
/// once, and each is handed over (written out, or kept) as soon as it is ready, so a
/// big site never sits in memory whole.
///
/// A sink may remember pages by the hash of everything they are made from (the
/// template set and the page's whole template context, see [`Templates`]): a page
/// whose key it already holds is not rendered again. Rendering is a pure function
/// of those inputs, so the page it holds is the page a render would make.
pub trait Sink: Sync {
    /// How many files are coming; called once, before the first `put`.
    fn expect(&self, _files: usize) {}
    /// Takes one rendered file. An error stops the rendering.
    fn put(&self, file: Rendered) -> anyhow::Result<()>;
    /// Whether this sink uses keys: only then are they computed.
    fn keyed(&self) -> bool {
        false
    }
    /// Whether the sink holds the page at `path` made from inputs with this key; if
    /// it does, it keeps that page for this build and the page is not rendered.
    fn has(&self, _path: &str, _key: u128) -> bool {
        false
    }
    /// Takes one rendered page with the key of its inputs.
    fn put_keyed(&self, file: Rendered, _key: Option<u128>) -> anyhow::Result<()> {
        self.put(file)
    }
    /// Whether the sink holds every file of a group that was made together from
    /// inputs with this key (the search index and its parts, each put with the
    /// key); if it does, it keeps them all for this build.
    fn has_group(&self, _key: u128) -> bool {
        false
    }
}

/// The compiled templates, and a hash of everything besides a page's own context
/// that decides how it renders, for each page template (see [`TemplateKeys`]).
pub struct Templates<'a> {
    pub tera: &'a tera::Tera,
    pub keys: &'a TemplateKeys,
    /// With `hearth serve`: each page's own blocks, kept from the last build (see
    /// [`blocks`]).
    pub blocks: Option<blocks::Blocks<'a>>,
}

/// For each template, the hash of everything besides a page's own context that
/// decides how it renders: hearth itself, the environment variables templates may
/// read (`get_env`), and what it reaches (see [`reach`]; using the `post_card`
/// filter reaches the card's macro). So an edit of `tag.html` renders the tag pages
/// again, and no other; an edit of one macro, the pages that can call it.
#[derive(Debug, Default)]
pub struct TemplateKeys(rustc_hash::FxHashMap<String, u128>);

impl TemplateKeys {
    /// `graph` is `tera`'s (see [`recursion::calls`]).
    pub fn new(tera: &tera::Tera, graph: &recursion::Graph, theme: &Theme) -> TemplateKeys {
        let keys = tera
            .get_template_names()
            .filter(|name| !name.starts_with(blocks::PREFIX))
            .map(|name| (name.to_string(), reach::key(tera, graph, theme, name, true)))
            .collect();
        TemplateKeys(keys)
    }

    fn get(&self, template: &str) -> Option<u128> {
        self.0.get(template).copied()
    }
}

/// The hash of the program, the theme's templates and the public environment.
pub fn templates_hash(theme: &Theme) -> u128 {
    let mut h = crate::hash::Hasher::default();
    h.field(&crate::hash::program().to_le_bytes());
    for (name, (source, _)) in &theme.templates {
        h.field(name.as_bytes()).field(source.as_bytes());
    }
    environment(&mut h);
    h.finish()
}

/// Adds the environment variables templates may read (`get_env`) to `h`.
fn environment(h: &mut crate::hash::Hasher) {
    let mut env: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.starts_with(engine::PUBLIC_PREFIX))
        .collect();
    env.sort();
    for (k, v) in env {
        h.field(k.as_bytes()).field(v.as_bytes());
    }
}

/// A sink that keeps every file in memory (for `hearth check` and `hearth serve`).
#[derive(Debug, Default)]
pub struct Collect(std::sync::Mutex<Vec<Rendered>>);

impl Collect {
    /// The files, in path order.
    pub fn into_files(self) -> Vec<Rendered> {
        let mut files = self.0.into_inner().unwrap_or_else(|e| e.into_inner());
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

impl Sink for Collect {
    fn put(&self, file: Rendered) -> anyhow::Result<()> {
        lock(&self.0).push(file);
        Ok(())
    }
}

/// The output paths of the rendered pages.
#[derive(Debug, Default)]
pub struct PagePaths {
    /// Pages for readers and search engines (the sitemap lists them).
    pub listed: Vec<String>,
    /// Redirect pages (aliases, `/posts/page/1/`): written, but not listed.
    pub redirects: Vec<String>,
}

/// Renders every page of the site into `sink` and returns the output paths of the
/// pages, and what `beside` made from them while the pages rendered. Template errors
/// go to `diags`; an error from the sink (a file that cannot be written) is returned.
/// With `kept` (`hearth serve`), the views of posts that did not change since the
/// last build are taken from there.
pub fn pages<T: Send>(
    site: &Site,
    kept: Option<&views::ViewCache>,
    templates: &Templates<'_>,
    sink: &dyn Sink,
    diags: &mut Diagnostics,
    beside: impl FnOnce(&PagePaths) -> T + Send,
) -> anyhow::Result<(PagePaths, T)> {
    let started = std::time::Instant::now();
    let views = Views::kept(site, kept);
    tracing::debug!(elapsed_ms = started.elapsed().as_millis(), "views");
    // Every page's context holds the site view: hashed once, into the base of all
    // contexts' keys. Kept blocks need the keys too.
    let base_key = (sink.keyed() || templates.blocks.is_some()).then(|| {
        let mut h = crate::hash::Hasher::default();
        hash_for_key(&mut h, &views.site).map(|()| h.finish())
    });
    let mut r = PageRenderer {
        site: &views.site,
        site_value: std::sync::Arc::new(
            serde_json::to_value(&views.site).context("the site's template data")?,
        ),
        base_key: base_key.flatten(),
        jobs: Vec::new(),
    };
    home(&mut r, site, &views);
    post_lists(&mut r, site, &views);
    for post in &views.posts {
        let post = r.shown(&**post);
        r.render("post.html", &post.view.url, PostContext { post });
    }
    member_pages(&mut r, site, &views);
    event_pages(&mut r, &views);
    tag_pages(&mut r, site, &views);
    for page in &views.pages {
        r.render("page.html", &page.url, PageContext { page });
    }
    r.render(
        "search.html",
        &format!("{}search/", site.config.root),
        Empty {},
    );
    archive::newsletter_archive(&mut r, site, &views);
    r.render_file("404.html", "404.html", "/404.html", Empty {});
    alias_pages(&mut r, site);
    r.run(templates, sink, diags, beside)
}

/// A redirect page at each alias of each item, to the item's URL.
fn alias_pages(r: &mut PageRenderer<'_>, site: &Site) {
    for (_, route) in site.routes() {
        let target = site.config.permalink(&route.url);
        for alias in &route.aliases {
            let html = redirect_html(&site.config.language, &target);
            r.text(&alias.file, &alias.url, html);
        }
    }
}

/// Builds one page's template context; called on the thread that renders the page.
type MakeContext<'a> = Box<dyn Fn(blocks::Scope) -> tera::Result<tera::Context> + Send + 'a>;

/// Hashes one page's inputs but the templates (its template's name, URL and
/// context) onto the base key; `None` when the context cannot be serialized (the
/// render will say why).
type MakeKey<'a> = Box<dyn FnOnce(u128) -> Option<u128> + Send + 'a>;

/// The pages to render, gathered first (cheap: contexts are made later, in parallel).
struct PageRenderer<'a> {
    site: &'a SiteView<'a>,
    /// `site` as template data, made once: every page's context gets a copy.
    site_value: std::sync::Arc<serde_json::Value>,
    /// The hash of what every page's context holds (the site), when keys are used.
    base_key: Option<u128>,
    jobs: Vec<Job<'a>>,
}

/// One output file to make.
struct Job<'a> {
    path: String,
    url: String,
    work: Work<'a>,
}

enum Work<'a> {
    Template(&'static str, MakeKey<'a>, MakeContext<'a>),
    /// Text made without a template (the redirect page).
    Text(String),
}

impl<'a> PageRenderer<'a> {
    /// `view` as a list in a page's context shows it.
    fn shown<T>(&self, view: &'a T) -> Shown<'a, T> {
        Shown { view }
    }

    fn all_shown<T>(&self, views: impl IntoIterator<Item = &'a T>) -> Vec<Shown<'a, T>> {
        views.into_iter().map(|view| self.shown(view)).collect()
    }

    /// Renders `template` for the URL path `url` (`/posts/x/` → `posts/x/index.html`,
    /// `/2019/x.html` → `2019/x.html`).
    fn render(
        &mut self,
        template: &'static str,
        url: &str,
        ctx: impl Serialize + Send + Sync + 'a,
    ) {
        let path = crate::model::route::output_file(self.site.root, url);
        self.render_file(template, &path, url, ctx);
    }

    fn render_file(
        &mut self,
        template: &'static str,
        path: &str,
        url: &str,
        ctx: impl Serialize + Send + Sync + 'a,
    ) {
        let site = self.site;
        let ctx = std::sync::Arc::new(ctx);
        let current_path = url.to_string();
        let permalink = format!("{}{url}", site.origin);
        let key = {
            let (ctx, path) = (std::sync::Arc::clone(&ctx), path.to_string());
            let (current_path, permalink) = (current_path.clone(), permalink.clone());
            move |base: u128| {
                let mut h = crate::hash::Hasher::default();
                h.field(&base.to_le_bytes())
                    .field(template.as_bytes())
                    .field(path.as_bytes())
                    .field(current_path.as_bytes())
                    .field(permalink.as_bytes());
                hash_for_key(&mut h, &*ctx)?;
                Some(h.finish())
            }
        };
        let site_value = std::sync::Arc::clone(&self.site_value);
        let make = move |scope| {
            let mut page = match scope {
                blocks::Scope::Page => serde_json::to_value(&*ctx).map_err(tera::Error::json)?,
                blocks::Scope::Site => serde_json::Value::Object(serde_json::Map::new()),
            };
            if let serde_json::Value::Object(data) = &mut page {
                let [site, path, link] = blocks::SITE;
                data.insert(site.into(), (*site_value).clone());
                data.insert(path.into(), current_path.clone().into());
                data.insert(link.into(), permalink.clone().into());
            }
            tera::Context::from_value(page)
        };
        self.jobs.push(Job {
            path: path.to_string(),
            url: url.to_string(),
            work: Work::Template(template, Box::new(key), Box::new(make)),
        });
    }

    fn text(&mut self, path: &str, url: &str, contents: String) {
        self.jobs.push(Job {
            path: path.to_string(),
            url: url.to_string(),
            work: Work::Text(contents),
        });
    }

    /// Renders the pages in parallel, handing each to `sink` when it is done. One
    /// broken template breaks many pages; each error is said once, naming the first
    /// page (in site order) that hit it and how many did.
    fn run<T: Send>(
        self,
        templates: &Templates<'_>,
        sink: &dyn Sink,
        diags: &mut Diagnostics,
        beside: impl FnOnce(&PagePaths) -> T + Send,
    ) -> anyhow::Result<(PagePaths, T)> {
        use rayon::prelude::*;
        use std::sync::Mutex;
        type Failures = BTreeMap<(&'static str, String), (usize, String, usize)>;
        let mut paths = PagePaths::default();
        for job in &self.jobs {
            let list = match job.work {
                Work::Template(..) => &mut paths.listed,
                Work::Text(_) => &mut paths.redirects,
            };
            list.push(job.path.clone());
        }
        sink.expect(self.jobs.len());
        let failures: Mutex<Failures> = Mutex::default();
        let base_key = self.base_key;
        let tera = templates.tera;
        // The pages that list whole sections first, so that the long ones do not
        // leave one thread working alone at the end; and one page at a time, so that
        // they are not left to one thread in a row either (rayon otherwise hands
        // each thread a run of neighbouring pages: at 10,000 posts one thread had
        // the twelve tag pages, 500 ms of work, while the other sat idle for 400).
        let mut jobs: Vec<(usize, Job<'_>)> = self.jobs.into_iter().enumerate().collect();
        jobs.sort_by_key(|(_, job)| match job.work {
            Work::Template(template, ..) => !LONG_PAGES.contains(&template),
            Work::Text(_) => true,
        });
        // A template error is noted and the other pages go on (all problems are
        // reported at once); a sink error (a file that cannot be written) stops.
        let render = || {
            jobs.into_par_iter()
                .with_max_len(1)
                .try_for_each(|(index, job)| {
                    let mut key = None;
                    let contents = match job.work {
                        Work::Text(text) => text,
                        Work::Template(template, make_key, make) => {
                            let context_key = base_key.and_then(make_key);
                            let template_key = templates.keys.get(template);
                            key = context_key.zip(template_key).filter(|_| sink.keyed()).map(
                                |(context, template)| {
                                    let mut h = crate::hash::Hasher::default();
                                    h.field(&context.to_le_bytes())
                                        .field(&template.to_le_bytes());
                                    h.finish()
                                },
                            );
                            if key.is_some_and(|k| sink.has(&job.path, k)) {
                                return Ok(());
                            }
                            let rendered = match (templates.blocks, context_key) {
                                (Some(blocks), Some(k)) => {
                                    blocks.render(tera, template, &job.path, k, &make)
                                }
                                _ => make(blocks::Scope::Page)
                                    .and_then(|context| tera.render(template, &context)),
                            };
                            match rendered {
                                Ok(html) => html,
                                Err(e) => {
                                    let mut failures = lock(&failures);
                                    let first = failures
                                        .entry((template, error_chain(&e)))
                                        .or_insert_with(|| (index, job.url.clone(), 0));
                                    if index < first.0 {
                                        (first.0, first.1) = (index, job.url);
                                    }
                                    first.2 += 1;
                                    return Ok(());
                                }
                            }
                        }
                    };
                    let file = Rendered {
                        path: job.path,
                        contents,
                    };
                    match key {
                        Some(key) => sink.put_keyed(file, Some(key)),
                        None => sink.put(file),
                    }
                })
        };
        let (rendered, made) = rayon::join(render, || beside(&paths));
        rendered?;
        if let Some(blocks) = templates.blocks {
            blocks.kept.keep_only(&paths.listed);
        }
        let failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
        for ((template, message), (_, first_url, count)) in failures {
            let others = match count {
                1 => String::new(),
                2 => " and 1 more page".to_string(),
                n => format!(" and {} more pages", n - 1),
            };
            let path = Path::new("templates").join(template);
            diags.error(
                &path,
                None,
                format!("cannot render {first_url}{others}: {message}"),
            );
        }
        Ok((paths, made))
    }
}

/// The templates of pages that list a whole section (every post with a tag, every
/// member, every event): the longest to render.
const LONG_PAGES: &[&str] = &["tag.html", "members.html", "events.html", "index.html"];

/// Escapes text for HTML element content and quoted attribute values. Unlike Tera's
/// default it leaves `/` alone, so URLs stay readable in the output.
///
/// Every page prints hundreds of values through it, so it copies the text between
/// the characters it replaces in one piece (they are ASCII: never inside a
/// multi-byte character).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut copied = 0;
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[copied..at]);
        out.push_str(entity);
        copied = at + 1;
    }
    out.push_str(&text[copied..]);
    out
}

pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct HomeContext<'a> {
    posts: Vec<Shown<'a, PostItem>>,
    upcoming_events: Vec<Shown<'a, EventView<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spotlight: Option<&'a MemberView<'a>>,
}

fn spotlight<'a>(site: &Site, views: &'a Views<'a>) -> Option<&'a MemberView<'a>> {
    let current = site.current_spotlight()?;
    views.members.get(*site.member_index.get(&current.slug)?)
}

fn home<'a>(r: &mut PageRenderer<'a>, site: &Site, views: &'a Views<'a>) {
    let n = site.config.posts_per_page.min(views.posts.len());
    let ctx = HomeContext {
        posts: r.all_shown(views.posts[..n].iter().map(|p| &p.item)),
        upcoming_events: r.all_shown(views.listings.iter().filter(|e| e.upcoming).take(3)),
        spotlight: spotlight(site, views),
    };
    r.render("index.html", &site.config.root, ctx);
}

#[derive(Serialize)]
struct Paginator {
    current: usize,
    total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_url: Option<String>,
    pages: Vec<PageLink>,
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
    /// Pages are left out before this one (show an ellipsis).
    gap_before: bool,
}

/// The page numbers a paginator links: the first, the last and two either side of
/// the current one, so each list page stays small however many pages there are.
fn page_window(current: usize, total: usize) -> Vec<usize> {
    let mut numbers: Vec<usize> = [1, total]
        .into_iter()
        .chain(current.saturating_sub(2).max(1)..=(current + 2).min(total))
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

#[derive(Serialize)]
struct PostListContext<'a> {
    posts: Vec<Shown<'a, PostItem>>,
    paginator: Paginator,
}

fn post_lists<'a>(r: &mut PageRenderer<'a>, site: &Site, views: &'a Views<'a>) {
    let per_page = site.config.posts_per_page;
    let first = format!("{}posts/", site.config.root);
    let page_url = |n: usize| {
        if n == 1 {
            first.clone()
        } else {
            format!("{first}page/{n}/")
        }
    };
    let total = views.posts.len().div_ceil(per_page).max(1);
    for current in 1..=total {
        let start = (current - 1) * per_page;
        let end = (start + per_page).min(views.posts.len());
        let paginator = Paginator {
            current,
            total,
            prev_url: (current > 1).then(|| page_url(current - 1)),
            next_url: (current < total).then(|| page_url(current + 1)),
            pages: {
                let mut previous = 0;
                page_window(current, total)
                    .into_iter()
                    .map(|number| {
                        let link = PageLink {
                            number,
                            url: page_url(number),
                            gap_before: number > previous + 1,
                        };
                        previous = number;
                        link
                    })
                    .collect()
            },
        };
        let ctx = PostListContext {
            posts: r.all_shown(views.posts[start..end].iter().map(|p| &p.item)),
            paginator,
        };
        r.render("posts.html", &page_url(current), ctx);
    }
    // `/posts/page/1/` is a natural URL to type; send it to `/posts/`.
    let target = site.config.permalink(&first);
    r.text(
        "posts/page/1/index.html",
        &page_url(1),
        redirect_html(&site.config.language, &target),
    );
}

/// A tiny page that sends the reader to `target` (absolute URL); search engines
/// are told to index the target instead.
fn redirect_html(language: &str, target: &str) -> String {
    let target = escape_html(target);
    let language = escape_html(language);
    format!(
        "<!doctype html>\n<html lang=\"{language}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moved</title>\n\
         <link rel=\"canonical\" href=\"{target}\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={target}\">\n</head>\n\
         <body>\n<p>This page has moved to <a href=\"{target}\">{target}</a>.</p>\n</body>\n</html>\n"
    )
}

#[derive(Serialize)]
struct PostContext<'a> {
    post: Shown<'a, PostView>,
}

#[derive(Serialize)]
struct MembersContext<'a> {
    members: Vec<Shown<'a, MemberView<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spotlight: Option<&'a MemberView<'a>>,
}

#[derive(Serialize)]
struct MemberContext<'a> {
    member: Shown<'a, MemberView<'a>>,
    posts: Vec<Shown<'a, PostItem>>,
    events: Vec<Shown<'a, EventView<'a>>>,
}

fn member_pages<'a>(r: &mut PageRenderer<'a>, site: &Site, views: &'a Views<'a>) {
    let ctx = MembersContext {
        members: r.all_shown(&views.members),
        spotlight: spotlight(site, views),
    };
    r.render(
        "members.html",
        &format!("{}members/", site.config.root),
        ctx,
    );
    // Who wrote and organised what, gathered once rather than per member.
    let mut posts_by: BTreeMap<&str, Vec<Shown<'_, PostItem>>> = BTreeMap::new();
    for (post, view) in site.posts.iter().zip(&views.posts) {
        for author in &post.authors {
            posts_by
                .entry(author.as_str())
                .or_default()
                .push(r.shown(&view.item));
        }
    }
    let mut events_by: BTreeMap<&str, Vec<Shown<'_, EventView<'_>>>> = BTreeMap::new();
    for view in upcoming_then_past(views.listings.iter()) {
        for organizer in &site.events[view.index].organizers {
            events_by
                .entry(organizer.as_str())
                .or_default()
                .push(r.shown(view));
        }
    }
    for (member, view) in site.members.iter().zip(&views.members) {
        let ctx = MemberContext {
            member: r.shown(view),
            posts: posts_by.remove(member.slug.as_str()).unwrap_or_default(),
            events: events_by.remove(member.slug.as_str()).unwrap_or_default(),
        };
        r.render("member.html", &view.url, ctx);
    }
}

#[derive(Serialize)]
struct EventsContext<'a> {
    upcoming: Vec<Shown<'a, EventView<'a>>>,
    past: Vec<Shown<'a, EventView<'a>>>,
}

#[derive(Serialize)]
struct EventContext<'a> {
    event: Shown<'a, EventView<'a>>,
}

/// Event dates (soonest first) reordered as lists show them: the upcoming ones
/// soonest first, then the past ones latest first.
fn upcoming_then_past<'a>(
    dates: impl DoubleEndedIterator<Item = &'a EventView<'a>> + Clone,
) -> impl Iterator<Item = &'a EventView<'a>> {
    let upcoming = dates.clone().filter(|e| e.upcoming);
    let past = dates.rev().filter(|e| !e.upcoming);
    upcoming.chain(past)
}

fn event_pages<'a>(r: &mut PageRenderer<'a>, views: &'a Views<'a>) {
    let ctx = EventsContext {
        upcoming: r.all_shown(views.listings.iter().filter(|e| e.upcoming)),
        past: r.all_shown(views.listings.iter().rev().filter(|e| !e.upcoming)),
    };
    r.render("events.html", &format!("{}events/", views.site.root), ctx);
    for event in &views.events {
        let ctx = EventContext {
            event: r.shown(event),
        };
        r.render("event.html", &event.url, ctx);
    }
}

#[derive(Serialize)]
struct TagsContext<'a> {
    tags: &'a [TagView],
}

#[derive(Serialize)]
struct TagContext<'a> {
    tag: &'a TagView,
    posts: Vec<Shown<'a, PostItem>>,
    members: Vec<Shown<'a, MemberView<'a>>>,
    events: Vec<Shown<'a, EventView<'a>>>,
}

fn tag_pages<'a>(r: &mut PageRenderer<'a>, site: &Site, views: &'a Views<'a>) {
    r.render(
        "tags.html",
        &format!("{}tags/", site.config.root),
        TagsContext { tags: &views.tags },
    );
    for (tag, view) in site.tags.values().zip(&views.tags) {
        let ctx = TagContext {
            tag: view,
            posts: r.all_shown(tag.posts.iter().map(|&i| &views.posts[i].item)),
            members: r.all_shown(tag.members.iter().map(|&i| &views.members[i])),
            events: r.all_shown(upcoming_then_past(
                views
                    .listings
                    .iter()
                    .filter(|e| tag.events.binary_search(&e.index).is_ok()),
            )),
        };
        r.render("tag.html", &view.url, ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::{escape_html, page_window};

    #[test]
    fn the_paginator_shows_the_ends_and_the_neighbourhood() {
        assert_eq!(page_window(1, 1), [1]);
        assert_eq!(page_window(1, 3), [1, 2, 3]);
        assert_eq!(page_window(10, 100), [1, 8, 9, 10, 11, 12, 100]);
        assert_eq!(page_window(100, 100), [1, 98, 99, 100]);
    }

    #[test]
    fn escape_html_replaces_the_five_characters_and_keeps_everything_else() {
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("/posts/a-b/?x=1"), "/posts/a-b/?x=1");
        assert_eq!(
            escape_html("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(escape_html("é<ü>✓&"), "é&lt;ü&gt;✓&amp;");
        assert_eq!(escape_html("&&"), "&amp;&amp;");
    }

    #[test]
    fn the_theme_post_list_shows_each_post_as_post_card_does()
    -> Result<(), Box<dyn std::error::Error>> {
        let site = tempfile::tempdir()?;
        let mut diags = crate::diag::Diagnostics::default();
        let theme = super::Theme::load(site.path(), "hearth", &mut diags);
        let mut tera =
            super::compile(&theme, Default::default(), &mut diags).ok_or("the theme compiles")?;
        tera.add_raw_template(
            "check.html",
            r#"{% import "macros.html" as m %}{% for post in posts %}{{ m::post_card(post=post, level=2) }}|{% endfor %}{{ m::post_list(posts=posts, level=2) }}"#,
        )?;
        let person = |name: &str, url: Option<&str>| serde_json::json!({"name": name, "url": url});
        let post = |n: u32, authors: Vec<serde_json::Value>, tags: Vec<&str>, draft: bool| {
            serde_json::json!({
                "url": format!("/posts/p{n}/"), "title": format!("Post <{n}>"), "draft": draft,
                "date": "1 May 2026", "date_iso": "2026-05-01T10:00:00+02:00",
                "authors": authors, "reading_minutes": n,
                "summary_html": if n.is_multiple_of(2) { "<p>Sum</p>" } else { "" },
                "tags": tags.iter().map(|t| serde_json::json!({"name": t, "url": format!("/tags/{t}/")})).collect::<Vec<_>>(),
            })
        };
        let posts = vec![
            post(1, vec![], vec![], false),
            post(
                2,
                vec![person("Ana", Some("/members/ana/"))],
                vec!["rust"],
                true,
            ),
            post(
                3,
                vec![
                    person("Ana", None),
                    person("Bo", Some("/members/bo/")),
                    person("Cy", None),
                ],
                vec!["a", "b"],
                false,
            ),
        ];
        let mut context = tera::Context::new();
        context.insert("posts", &posts);
        let out = tera.render("check.html", &context)?;
        let (cards, list) = out.rsplit_once('|').ok_or("cards, then the list")?;
        let items: String = cards
            .split('|')
            .map(|card| format!("\n  <li>{card}</li>"))
            .collect();
        assert_eq!(list, format!("<ul class=\"card-list\">{items}\n</ul>"));
        assert!(
            list.contains(r#"by Ana, <a href="/members/bo/">Bo</a> and Cy"#),
            "{list}"
        );
        Ok(())
    }
}

#[derive(Serialize)]
struct PageContext<'a> {
    page: &'a PageView<'a>,
}
