//! What a page's own blocks render, kept for `hearth serve`. An edit of the layout
//! (`base.html`) changes every page of the site, but not what `post.html` puts
//! into its `content` block: that is a function of the page's context and of the
//! templates the block uses, and the layout is not one of them. So each page
//! template that extends a layout gets a plan (made once per compile):
//!
//! - each of its blocks that can be rendered on its own is compiled as a template
//!   of its own (`(hearth block content) post.html`), and its text is kept by the
//!   hash of the page's context and of what the block reaches, which is not the
//!   layout (see [`super::reach`]);
//! - a copy of the page template (`(hearth composed) post.html`) has each such
//!   block replaced by the text from the context, and renders the layout around
//!   them.
//!
//! The texts are kept by page: a page made again replaces its own, so what is
//! kept is at most one set of blocks for each page of the site.
//!
//! When the layout reads nothing of the page but [`SITE`] (and every block it shows
//! is kept apart, none inside a `{% filter %}`), the text the composed template puts
//! around the blocks does not depend on them either: it is rendered once with a
//! marker in each block's place, cut at the markers and kept by page too (with the
//! hash of the page's context and of what the layout reaches). An edit that changes
//! only blocks (a macro only they call) then fills the new blocks into the kept text
//! without rendering the layout. Whether the layout reads the page counts the macros
//! it calls (a macro sees the page's context) and what it includes.
//!
//! A block can be rendered on its own when nothing else on the page changes what
//! it renders, and it changes nothing the rest reads: it reads no variable the
//! layout or another block sets (`{% set %}`, loop variables), sets none they read,
//! calls no `super()` and includes no template (an included template sees the
//! variables set around it). Tera allows no block inside a loop, and gives a
//! macro only its arguments and the page's context, so macros called from a block
//! need no check. Everything else is rendered as Tera renders the page;
//! `tests/serve_incremental.rs` checks that pages made this way are the pages a
//! full build makes, for edits of every kind.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use tera::ast::{Block, Expr, ExprVal, Node};

use rustc_hash::FxHashMap;

use super::theme::Theme;
use crate::hash::Hasher;
use crate::output::lock;

/// Names given to the templates made here start so; no file's name can (a file
/// name holds no NUL).
pub const PREFIX: &str = "\0(hearth ";

/// What every page's context holds besides the page's own data: the site, the
/// page's path and its address.
pub const SITE: [&str; 3] = ["site", "current_path", "permalink"];

/// How much of a page's context to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// All of it.
    Page,
    /// Only [`SITE`]: enough for a layout around kept blocks that reads nothing
    /// else.
    Site,
}

/// The plans of a compiled theme's page templates, by template name.
#[derive(Debug, Default)]
pub struct Plans(HashMap<String, Plan>);

/// How the pages of one template are made from kept blocks.
#[derive(Debug)]
struct Plan {
    /// The page template with each kept block read from the context.
    composed: String,
    /// Whether the composed template reads nothing of the context but [`SITE`]
    /// (and the blocks): then, when every block is kept, the page's own data is
    /// not made at all.
    site_only: bool,
    /// When the composed template renders the same text around whatever the
    /// blocks hold (it reads only [`SITE`], every block it shows is kept, none
    /// under a filter): the hash of what that text depends on besides the page's
    /// context. Then a page's text around its blocks is kept too ([`Around`]).
    around: Option<u128>,
    parts: Vec<Part>,
}

/// One block of a page template, rendered on its own.
#[derive(Debug)]
struct Part {
    /// The template that renders only this block.
    alone: String,
    /// The context variable the composed template reads the block's text from.
    var: String,
    /// The hash of everything but the page's context that the text depends on.
    sources: u128,
}

/// The texts of each page's blocks, and around them, by output path.
#[derive(Debug, Default)]
pub struct Kept {
    pages: std::sync::Mutex<FxHashMap<String, Page>>,
    /// The stretches of text around blocks, each kept once: most are the same
    /// on every page of a template (the head, the footer).
    stretches: std::sync::Mutex<rustc_hash::FxHashSet<Arc<str>>>,
}

/// What is kept of one page.
#[derive(Debug, Default)]
struct Page {
    texts: Vec<Text>,
    around: Option<Around>,
}

/// A block's text, with the hash of what it was made from.
type Text = (u128, Arc<str>);

/// The text of a page around its blocks, with the hash of what it was made from.
#[derive(Debug)]
struct Around {
    key: u128,
    pieces: Vec<Piece>,
}

#[derive(Debug)]
enum Piece {
    Text(Arc<str>),
    /// The text of the plan's part with this index.
    Block(usize),
}

impl Around {
    /// The page: this text with the blocks' texts in their places.
    fn fill(&self, texts: &[Text]) -> String {
        fn text<'a>(piece: &'a Piece, texts: &'a [Text]) -> &'a str {
            match piece {
                Piece::Text(text) => text,
                Piece::Block(i) => texts.get(*i).map_or("", |(_, text)| text),
            }
        }
        let len = self.pieces.iter().map(|p| text(p, texts).len()).sum();
        let mut page = String::with_capacity(len);
        for piece in &self.pieces {
            page.push_str(text(piece, texts));
        }
        page
    }
}

impl Kept {
    /// Forgets the pages that are not in `paths` (pages removed from the site),
    /// and the stretches of text no page holds any more.
    pub fn keep_only(&self, paths: &[String]) {
        let mut pages = lock(&self.pages);
        if pages.len() > paths.len() {
            let paths: rustc_hash::FxHashSet<&str> = paths.iter().map(String::as_str).collect();
            pages.retain(|path, _| paths.contains(path.as_str()));
        }
        lock(&self.stretches).retain(|text| Arc::strong_count(text) > 1);
    }

    /// Cuts `page`, rendered with [`marker`]s for its `parts` blocks, into the
    /// text around them; `None` when a marker is there twice or cut short (the
    /// page is then made the long way).
    fn cut(&self, page: &str, parts: usize) -> Option<Vec<Piece>> {
        let mark = marker_start();
        let mut pieces = Vec::new();
        let mut seen = vec![false; parts];
        let mut rest = page;
        while let Some(at) = rest.find(mark) {
            let after = &rest[at + mark.len()..];
            let end = after.find('\0')?;
            let index: usize = after[..end].parse().ok()?;
            if after[..end] != index.to_string() || std::mem::replace(seen.get_mut(index)?, true) {
                return None;
            }
            pieces.push(Err(&rest[..at]));
            pieces.push(Ok(index));
            rest = &after[end + 1..];
        }
        pieces.push(Err(rest));
        let mut stretches = lock(&self.stretches);
        let mut keep = |text: &str| match stretches.get(text) {
            Some(kept) => Arc::clone(kept),
            None => {
                let text: Arc<str> = Arc::from(text);
                stretches.insert(Arc::clone(&text));
                text
            }
        };
        Some(
            pieces
                .into_iter()
                .filter(|piece| *piece != Err(""))
                .map(|piece| match piece {
                    Ok(index) => Piece::Block(index),
                    Err(text) => Piece::Text(keep(text)),
                })
                .collect(),
        )
    }

    #[cfg(test)]
    fn texts(&self) -> usize {
        lock(&self.pages)
            .values()
            .map(|page| page.texts.len())
            .sum()
    }

    #[cfg(test)]
    fn around(&self) -> usize {
        lock(&self.pages)
            .values()
            .filter(|page| page.around.is_some())
            .count()
    }
}

/// What a page's template is rendered with in place of the text of its block
/// `index`, to find where the text goes: made with a number drawn once per
/// process, so no content can hold it.
fn marker(index: usize) -> String {
    format!("{}{index}\0", marker_start())
}

fn marker_start() -> &'static str {
    static START: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    START.get_or_init(|| {
        use std::hash::BuildHasher;
        let drawn = std::collections::hash_map::RandomState::new().hash_one(std::process::id());
        format!("\0hearth block {drawn:016x} ")
    })
}

/// The plans, and the block texts kept from the last build.
#[derive(Clone, Copy)]
pub struct Blocks<'a> {
    pub plans: &'a Plans,
    pub kept: &'a Kept,
}

impl Blocks<'_> {
    /// Renders `template` with `context`, whose hash (without the templates) is
    /// `key`, into the page at `path`: its blocks are taken from the last build
    /// when their keys are the same, else rendered, and kept for the next. Anything
    /// unexpected falls back to rendering the page as Tera does, which also gives
    /// an error its usual words.
    pub fn render(
        &self,
        tera: &tera::Tera,
        template: &str,
        path: &str,
        key: u128,
        make: &dyn Fn(Scope) -> tera::Result<tera::Context>,
    ) -> tera::Result<String> {
        let Some(plan) = self.plans.0.get(template) else {
            return tera.render(template, &make(Scope::Page)?);
        };
        let before = lock(&self.kept.pages).remove(path).unwrap_or_default();
        match self.compose(tera, plan, key, before, make) {
            Ok((html, page)) => {
                lock(&self.kept.pages).insert(path.to_string(), page);
                Ok(html)
            }
            Err(_) => tera.render(template, &make(Scope::Page)?),
        }
    }

    /// The page of `plan` from what was kept `before` where the keys are the same,
    /// and what to keep of it.
    fn compose(
        &self,
        tera: &tera::Tera,
        plan: &Plan,
        key: u128,
        before: Page,
        make: &dyn Fn(Scope) -> tera::Result<tera::Context>,
    ) -> tera::Result<(String, Page)> {
        let with_key = |sources: u128| {
            let mut h = Hasher::default();
            h.field(&key.to_le_bytes()).field(&sources.to_le_bytes());
            h.finish()
        };
        let keys: Vec<u128> = plan
            .parts
            .iter()
            .map(|part| with_key(part.sources))
            .collect();
        let kept: Vec<Option<&Arc<str>>> = keys
            .iter()
            .map(|key| {
                before
                    .texts
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, text)| text)
            })
            .collect();
        let all_kept = kept.iter().all(Option::is_some);
        let around_key = plan.around.map(with_key);
        let around = before
            .around
            .filter(|around| Some(around.key) == around_key);
        // Only a page with every block and the text around them kept needs no
        // context at all.
        let mut context = match (all_kept, &around) {
            (true, Some(_)) => None,
            (true, None) if plan.site_only => Some(make(Scope::Site)?),
            _ => Some(make(Scope::Page)?),
        };
        let mut texts = Vec::with_capacity(plan.parts.len());
        for ((part, key), kept) in plan.parts.iter().zip(keys).zip(kept) {
            let text = match (kept, &context) {
                (Some(text), _) => Arc::clone(text),
                (None, Some(context)) => Arc::from(tera.render(&part.alone, context)?),
                (None, None) => return Err(tera::Error::msg("no context to render a block")),
            };
            texts.push((key, text));
        }
        let around = match (around, around_key, &mut context) {
            (Some(around), ..) => Some(around),
            (None, Some(key), Some(context)) => {
                for (index, part) in plan.parts.iter().enumerate() {
                    context.insert(part.var.as_str(), &marker(index));
                }
                let page = tera.render(&plan.composed, context)?;
                self.kept
                    .cut(&page, plan.parts.len())
                    .map(|pieces| Around { key, pieces })
            }
            _ => None,
        };
        let html = match (&around, context) {
            (Some(around), _) => around.fill(&texts),
            (None, Some(mut context)) => {
                for (part, (_, text)) in plan.parts.iter().zip(&texts) {
                    context.insert(part.var.as_str(), &**text);
                }
                tera.render(&plan.composed, &context)?
            }
            (None, None) => return Err(tera::Error::msg("no context to render the page")),
        };
        Ok((html, Page { texts, around }))
    }
}

/// Makes the plans of `tera`'s page templates, adding the templates they render to
/// `tera`. `graph` is `tera`'s calls ([`super::recursion::calls`]); `theme` gives the
/// sources the kept texts' keys are made from.
pub fn plan(tera: &mut tera::Tera, graph: &super::recursion::Graph, theme: &Theme) -> Plans {
    let mut plans = Plans::default();
    let mut made = Vec::new();
    for (name, template) in &tera.templates {
        if name.starts_with(PREFIX) {
            continue;
        }
        if let Some((plan, templates)) = plan_one(tera, graph, theme, template) {
            tracing::debug!(
                template = name.as_str(),
                blocks = plan.parts.len(),
                site_only = plan.site_only,
                "blocks kept apart from the layout"
            );
            plans.0.insert(name.clone(), plan);
            made.extend(templates);
        }
    }
    for template in made {
        tera.templates.insert(template.name.clone(), template);
    }
    plans
}

/// The plan of one template, with the templates it needs; `None` when the template
/// extends no layout (or a layout that extends another), or no block of it can be
/// rendered on its own.
fn plan_one(
    tera: &tera::Tera,
    graph: &super::recursion::Graph,
    theme: &Theme,
    template: &tera::Template,
) -> Option<(Plan, Vec<tera::Template>)> {
    let [layout] = template.parents.as_slice() else {
        return None;
    };
    let layout = tera.get_template(layout).ok()?;
    // A block that calls a macro of the layout itself would depend on its source.
    if !layout.macros.is_empty() || !layout.parents.is_empty() {
        return None;
    }
    let defs = &template.blocks_definitions;
    let mut candidates = Vec::new();
    find_own_blocks(&layout.ast, template, false, &mut candidates);
    let alone: Vec<&str> = candidates
        .iter()
        .map(|&(name, _)| name)
        .filter(|name| {
            let own = Walk::uses(defs, &[], body_of(defs, name));
            let rest = Walk::uses(defs, &[name], &layout.ast);
            !own.unsafe_
                && !own.reads.contains("__tera_context")
                && own.reads.is_disjoint(&rest.sets)
                && own.reads.is_disjoint(&rest.binds)
                && own.sets.is_disjoint(&rest.reads)
        })
        .collect();
    if alone.is_empty() {
        return None;
    }
    let outside = Walk::uses(defs, &alone, &layout.ast);
    let site_only = !outside.unsafe_
        && only_site(&outside.from_context)
        && macros_read_only_site(tera, outside.calls);
    let sources = sources(tera, graph, theme, template);
    // The text around the blocks is the same whatever they hold when it reads
    // only the site, every block it shows is kept, and no filter sees a block.
    let around = (site_only
        && alone.len() == candidates.len()
        && candidates.iter().all(|&(_, filtered)| !filtered))
    .then(|| {
        let reach = super::reach::Reach::around(tera, graph, &template.name);
        let mut h = Hasher::default();
        h.field(&super::reach::key_of(&reach, tera, theme).to_le_bytes());
        for (file, namespace) in &template.imported_macro_files {
            h.field(file.as_bytes()).field(namespace.as_bytes());
        }
        for name in &alone {
            h.field(name.as_bytes());
        }
        h.finish()
    });
    let mut composed = template.clone();
    composed.name = format!("{PREFIX}composed) {}", template.name);
    // The blocks are rendered with the macros the page template sees: its own
    // imports, then the layout's.
    let mut imports = template.imported_macro_files.clone();
    for (file, namespace) in &layout.imported_macro_files {
        if !imports.iter().any(|(_, n)| n == namespace) {
            imports.push((file.clone(), namespace.clone()));
        }
    }
    let mut templates = Vec::new();
    let mut parts = Vec::new();
    for name in alone {
        let var = format!("__hearth_block_{name}");
        let read = tera::Template::new("read.html", None, &format!("{{{{ {var} | safe }}}}"))
            .ok()?
            .ast;
        let mut one = template.clone();
        one.name = format!("{PREFIX}block {name}) {}", template.name);
        one.ast = body_of(defs, name).to_vec();
        one.parent = None;
        one.parents = Vec::new();
        one.imported_macro_files.clone_from(&imports);
        let mut h = Hasher::default();
        h.field(&sources.to_le_bytes()).field(name.as_bytes());
        parts.push(Part {
            alone: one.name.clone(),
            var,
            sources: h.finish(),
        });
        templates.push(one);
        if let Some(chain) = composed.blocks_definitions.get_mut(name) {
            chain[0].1.body.clone_from(&read);
        }
        if let Some(block) = composed.blocks.get_mut(name) {
            block.body = read;
        }
    }
    let plan = Plan {
        composed: composed.name.clone(),
        site_only,
        around,
        parts,
    };
    templates.push(composed);
    Some((plan, templates))
}

/// The hash of what a block of `template` depends on besides the page's context:
/// the program, the public environment, what the block can reach (its template, and
/// the macro files the layouts import, not the layouts themselves: see
/// [`super::reach`]), and which namespace names which macro file in the layouts.
fn sources(
    tera: &tera::Tera,
    graph: &super::recursion::Graph,
    theme: &Theme,
    template: &tera::Template,
) -> u128 {
    let mut h = Hasher::default();
    let reached = super::reach::key(tera, graph, theme, &template.name, false);
    h.field(&reached.to_le_bytes());
    for layout in &template.parents {
        h.field(layout.as_bytes());
        for (file, namespace) in tera
            .get_template(layout)
            .map(|t| t.imported_macro_files.as_slice())
            .unwrap_or_default()
        {
            h.field(file.as_bytes()).field(namespace.as_bytes());
        }
    }
    h.finish()
}

/// The body a block of the page template renders: its own definition, else the
/// layout's.
fn body_of<'t>(defs: &'t HashMap<String, Vec<(String, Block)>>, name: &str) -> &'t [Node] {
    defs.get(name)
        .and_then(|chain| chain.first())
        .map_or(&[], |(_, block)| block.body.as_slice())
}

/// The blocks the layout shows that the page template defines, each with whether
/// a filter section holds it. (Tera allows no block inside a loop, so each is shown
/// once at most.)
fn find_own_blocks<'t>(
    nodes: &'t [Node],
    template: &'t tera::Template,
    filtered: bool,
    out: &mut Vec<(&'t str, bool)>,
) {
    for node in nodes {
        match node {
            Node::Block(_, block, _) => {
                let def = template
                    .blocks_definitions
                    .get(&block.name)
                    .and_then(|chain| chain.first());
                match def {
                    Some((owner, _)) if *owner == template.name => {
                        out.push((&block.name, filtered));
                    }
                    Some((_, own)) => find_own_blocks(&own.body, template, filtered, out),
                    None => find_own_blocks(&block.body, template, filtered, out),
                }
            }
            Node::If(branches, _) => {
                for (_, _, body) in &branches.conditions {
                    find_own_blocks(body, template, filtered, out);
                }
                if let Some((_, body)) = &branches.otherwise {
                    find_own_blocks(body, template, filtered, out);
                }
            }
            Node::FilterSection(_, section, _) => {
                find_own_blocks(&section.body, template, true, out);
            }
            _ => {}
        }
    }
}

fn only_site(names: &BTreeSet<String>) -> bool {
    names.iter().all(|name| SITE.contains(&name.as_str()))
}

/// Whether the macros named `names`, and those they call, read nothing of the
/// page's context but [`SITE`]: a macro sees its arguments and the context. Calls
/// are followed by name into every template (which file a call resolves to is
/// not worked out: see [`super::reach`]).
fn macros_read_only_site(tera: &tera::Tera, names: BTreeSet<String>) -> bool {
    let mut names: Vec<String> = names.into_iter().collect();
    let mut seen = BTreeSet::new();
    while let Some(name) = names.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        for template in tera.templates.values() {
            if let Some(definition) = template.macros.get(&name) {
                let uses = Walk::in_macro(definition);
                if uses.unsafe_ || !only_site(&uses.from_context) {
                    return false;
                }
                names.extend(uses.calls);
            }
        }
    }
    true
}

/// The variables a stretch of template reads and sets, by the name at their root
/// (`post` of `post.title`).
#[derive(Debug, Default)]
struct Uses {
    /// Read, and not bound by a loop of the stretch itself.
    reads: BTreeSet<String>,
    /// Of `reads`, those not set earlier in the same stretch either: read from the
    /// page's context.
    from_context: BTreeSet<String>,
    /// Set by `{% set %}` or `{% set_global %}`.
    sets: BTreeSet<String>,
    /// Bound by a loop (with `loop`).
    binds: BTreeSet<String>,
    /// Calls `super()` or includes a template.
    unsafe_: bool,
    /// The names of the macros called.
    calls: BTreeSet<String>,
}

/// Walks template nodes as a page renders them: each block by the page template's
/// definition of it, but those in `skip`.
struct Walk<'t> {
    defs: &'t HashMap<String, Vec<(String, Block)>>,
    skip: &'t [&'t str],
    /// Loop variables in scope.
    bound: Vec<String>,
    /// Variables set earlier in the enclosing stretches.
    set: Vec<String>,
    uses: Uses,
}

impl<'t> Walk<'t> {
    fn uses(
        defs: &'t HashMap<String, Vec<(String, Block)>>,
        skip: &'t [&'t str],
        nodes: &[Node],
    ) -> Uses {
        let mut walk = Walk {
            defs,
            skip,
            bound: Vec::new(),
            set: Vec::new(),
            uses: Uses::default(),
        };
        walk.nodes(nodes, 0);
        walk.uses
    }

    /// What a macro's body uses besides its arguments.
    fn in_macro(definition: &tera::ast::MacroDefinition) -> Uses {
        let defs = HashMap::new();
        let mut walk = Walk {
            defs: &defs,
            skip: &[],
            bound: definition.args.keys().cloned().collect(),
            set: Vec::new(),
            uses: Uses::default(),
        };
        walk.nodes(&definition.body, 0);
        walk.uses
    }

    /// A stretch of nodes: what it sets is known to be set after it only when the
    /// stretch is the whole page (a conditional or a loop body may not run).
    fn nodes(&mut self, nodes: &[Node], depth: usize) {
        let set = self.set.len();
        for node in nodes {
            self.node(node, depth);
        }
        self.set.truncate(set);
    }

    fn node(&mut self, node: &Node, depth: usize) {
        // Blocks nest only as deep as their sources; a cycle cannot happen, but a
        // limit costs nothing.
        if depth > 64 {
            self.uses.unsafe_ = true;
            return;
        }
        match node {
            Node::Super | Node::Include(..) => self.uses.unsafe_ = true,
            Node::VariableBlock(_, e) => self.expr(e),
            Node::Set(_, set) => {
                self.expr(&set.value);
                self.uses.sets.insert(set.key.clone());
                self.set.push(set.key.clone());
            }
            Node::FilterSection(_, section, _) => {
                for e in section.filter.args.values() {
                    self.expr(e);
                }
                self.nodes(&section.body, depth + 1);
            }
            Node::Block(_, block, _) => {
                if self.skip.contains(&block.name.as_str()) {
                    return;
                }
                let defs = self.defs;
                let body = match defs.get(&block.name).and_then(|c| c.first()) {
                    Some((_, own)) => &own.body,
                    None => &block.body,
                };
                self.nodes(body, depth + 1);
            }
            Node::Forloop(_, forloop, _) => {
                self.expr(&forloop.container);
                if let Some(empty) = &forloop.empty_body {
                    self.nodes(empty, depth + 1);
                }
                let names: Vec<String> = forloop
                    .key
                    .iter()
                    .chain([&forloop.value])
                    .cloned()
                    .chain(["loop".to_string()])
                    .collect();
                self.uses.binds.extend(names.iter().cloned());
                let before = self.bound.len();
                self.bound.extend(names);
                self.nodes(&forloop.body, depth + 1);
                self.bound.truncate(before);
            }
            Node::If(branches, _) => {
                for (_, condition, body) in &branches.conditions {
                    self.expr(condition);
                    self.nodes(body, depth + 1);
                }
                if let Some((_, body)) = &branches.otherwise {
                    self.nodes(body, depth + 1);
                }
            }
            _ => {}
        }
    }

    fn expr(&mut self, e: &Expr) {
        self.value(&e.val);
        for filter in &e.filters {
            self.exprs(filter.args.values());
        }
    }

    fn exprs<'e>(&mut self, exprs: impl IntoIterator<Item = &'e Expr>) {
        for e in exprs {
            self.expr(e);
        }
    }

    fn value(&mut self, v: &ExprVal) {
        match v {
            ExprVal::Ident(ident) => self.ident(ident),
            ExprVal::Test(test) => {
                self.ident(&test.ident);
                self.exprs(&test.args);
            }
            ExprVal::MacroCall(call) => {
                self.uses.calls.insert(call.name.clone());
                self.exprs(call.args.values());
            }
            ExprVal::FunctionCall(call) => self.exprs(call.args.values()),
            ExprVal::Math(m) => self.exprs([&*m.lhs, &*m.rhs]),
            ExprVal::Logic(l) => self.exprs([&*l.lhs, &*l.rhs]),
            ExprVal::In(i) => self.exprs([&*i.lhs, &*i.rhs]),
            ExprVal::Array(items) => self.exprs(items),
            ExprVal::StringConcat(s) => s.values.iter().for_each(|v| self.value(v)),
            ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => {}
        }
    }

    /// Every variable a Tera identifier reads: the one it starts with, and those
    /// of its subscripts (`a[b.c]` reads `a` and `b`).
    fn ident(&mut self, ident: &str) {
        for root in roots(ident) {
            if self.bound.iter().any(|b| b == root) {
                continue;
            }
            self.uses.reads.insert(root.to_string());
            if !self.set.iter().any(|s| s == root) {
                self.uses.from_context.insert(root.to_string());
            }
        }
    }
}

/// The variable names in a Tera identifier: at its start and right after each `[`,
/// outside quotes.
fn roots(ident: &str) -> Vec<&str> {
    let bytes = ident.as_bytes();
    let mut out = Vec::new();
    let mut quote = None;
    // A name counts when what came before it is the start or `[`.
    let mut before = b'[';
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
                before = c;
            }
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if before == b'[' {
                out.push(&ident[start..i]);
            }
            before = b'a';
            continue;
        }
        if matches!(c, b'"' | b'\'' | b'`') {
            quote = Some(c);
        }
        if !c.is_ascii_whitespace() {
            before = c;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_of_identifiers() {
        assert_eq!(roots("post"), ["post"]);
        assert_eq!(roots("post.title"), ["post"]);
        assert_eq!(roots("a[b.c].d[\"e[f]\"][0]"), ["a", "b"]);
        assert_eq!(roots("a['x'][ y ]"), ["a", "y"]);
    }

    /// The templates, compiled as hearth does, with their plans.
    fn compile(files: &[(&str, &str)]) -> (tera::Tera, Plans) {
        let theme = Theme::of_templates(files);
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.add_raw_templates(files.iter().copied())
            .expect("compiles");
        let graph = super::super::recursion::calls(&tera);
        let plans = plan(&mut tera, &graph, &theme);
        (tera, plans)
    }

    /// The blocks of `page.html` that are kept, for a layout and a page template.
    fn kept_blocks(layout: &str, page: &str) -> Vec<String> {
        let (_, plans) = compile(&[("base.html", layout), ("page.html", page)]);
        plans.0.get("page.html").map_or_else(Vec::new, |plan| {
            plan.parts
                .iter()
                .map(|p| p.var.trim_start_matches("__hearth_block_").to_string())
                .collect()
        })
    }

    #[test]
    fn blocks_that_depend_on_the_layout_are_not_kept() {
        let layout = r#"{% set who = "x" %}<title>{% block title %}{% endblock %}</title>{% for i in [1, 2] %}{{ i }}{% endfor %}<main>{% block main %}{% endblock %}</main>{% block tail %}{% endblock %}{{ shown }}"#;
        // Reads a variable the layout sets, or a loop variable of the layout; calls
        // super(); sets what the layout reads; includes.
        let page = r#"{% extends "base.html" %}{% block title %}{{ who }}{{ i }}{% endblock %}{% block main %}{{ super() }}{% endblock %}{% block tail %}{% set_global shown = 1 %}{% endblock %}"#;
        assert!(kept_blocks(layout, page).is_empty());
        let page = r#"{% extends "base.html" %}{% block title %}{{ page.title }}{% endblock %}{% block main %}{% for who in page.list %}{{ who }}{{ loop.index }}{% endfor %}{% endblock %}"#;
        assert_eq!(kept_blocks(layout, page), ["title", "main"]);
        let page =
            r#"{% extends "base.html" %}{% block main %}{% include "x.html" %}{% endblock %}"#;
        assert!(kept_blocks(layout, page).is_empty());
    }

    #[test]
    fn composed_pages_are_the_pages_tera_renders() {
        let macros = r#"{% macro nav(at) %}<nav>{{ at }}</nav>{% endmacro %}"#;
        let page = r#"{% extends "base.html" %}{% block title %}{{ page.title }} &{% endblock %}{% block main %}<h1>{{ page.title }}</h1>{% block inner %}{{ m::nav(at=page.title) }}{% endblock %}{% for x in page.list %}{{ x }}{{ loop.index }}{% endfor %}{% endblock %}"#;
        let layout = r#"{% import "m.html" as m %}{% set nav = m::nav(at=current_path) %}<title>{% block title %}Site{% endblock %}</title>{{ nav }}<main>{% block main %}{% endblock %}</main>{% block foot %}<p>{{ m::nav(at=site.title) }}</p>{% endblock %}"#;
        // The first layout reads only what every page has; the second reads the
        // page's own data too.
        for (layout, site_only) in [
            (layout, true),
            (&layout.replace("site.title", "page.title"), false),
        ] {
            let (tera, plans) = compile(&[
                ("base.html", layout),
                ("page.html", page),
                ("m.html", macros),
            ]);
            assert_eq!(plans.0["page.html"].site_only, site_only);
            let kept = Kept::default();
            let blocks = Blocks {
                plans: &plans,
                kept: &kept,
            };
            let mut context = tera::Context::new();
            context.insert("site", &serde_json::json!({"title": "S"}));
            context.insert("current_path", "/a/");
            context.insert("permalink", "https://x/a/");
            let site = context.clone();
            context.insert(
                "page",
                &serde_json::json!({"title": "A < B", "list": [1, 2]}),
            );
            let direct = tera.render("page.html", &context).expect("renders");
            let scopes = std::sync::Mutex::new(Vec::new());
            let make = |scope| {
                scopes.lock().expect("not poisoned").push(scope);
                Ok(match scope {
                    Scope::Page => context.clone(),
                    Scope::Site => site.clone(),
                })
            };
            for _ in 0..2 {
                let made = blocks
                    .render(&tera, "page.html", "a/index.html", 7, &make)
                    .expect("renders");
                assert_eq!(made, direct);
            }
            assert_eq!(kept.texts(), 2, "title and main, kept once");
            // Around blocks that read only the site, the page is made again from
            // what was kept, with no context at all.
            let asked: &[Scope] = if site_only {
                &[Scope::Page]
            } else {
                &[Scope::Page, Scope::Page]
            };
            assert_eq!(*scopes.lock().expect("not poisoned"), asked);
            assert_eq!(kept.around(), usize::from(site_only));
        }
    }

    /// What `page.html` looks like made by the plan (twice: from nothing, then
    /// from what was kept) and by Tera, with `page` in the context, and whether
    /// the text around the blocks was kept.
    fn both_ways(files: &[(&str, &str)], site: &str, page: &str) -> (String, String, bool) {
        let (tera, plans) = compile(files);
        let kept = Kept::default();
        let blocks = Blocks {
            plans: &plans,
            kept: &kept,
        };
        let mut context = tera::Context::new();
        context.insert("site", &serde_json::json!({ "title": site }));
        context.insert("current_path", "/a/");
        context.insert("permalink", "https://x/a/");
        context.insert("page", &serde_json::json!({ "title": page }));
        let make = |_| Ok(context.clone());
        let direct = tera.render("page.html", &context).expect("renders");
        let mut made = String::new();
        for _ in 0..2 {
            made = blocks
                .render(&tera, "page.html", "a/index.html", 7, &make)
                .expect("renders");
        }
        (made, direct, kept.around() == 1)
    }

    #[test]
    fn the_text_around_blocks_is_kept_only_when_it_cannot_depend_on_them() {
        let page =
            r#"{% extends "base.html" %}{% block main %}<h1>{{ page.title }}</h1>{% endblock %}"#;
        let cases = [
            // Reads only the site: kept.
            (
                r#"<p>{{ site.title }}</p>{% block main %}{% endblock %}"#,
                "",
                true,
            ),
            // A macro that reads the page from the context, or an included
            // template: the layout depends on the page.
            (
                r#"{% import "m.html" as m %}{{ m::who() }}{% block main %}{% endblock %}"#,
                r#"{% macro who() %}{% if page %}{{ page.title }}{% endif %}{% endmacro %}"#,
                false,
            ),
            (
                r#"{% include "m.html" %}{% block main %}{% endblock %}"#,
                "x",
                false,
            ),
            // A filter over the block: its text is not the block's.
            (
                r#"{% filter upper %}{% block main %}{% endblock %}{% endfilter %}"#,
                "",
                false,
            ),
        ];
        for (layout, other, around) in cases {
            let files = [
                ("base.html", layout),
                ("page.html", page),
                ("m.html", other),
            ];
            let (made, direct, kept) = both_ways(&files, "S", "Tea");
            assert_eq!(made, direct, "{layout}");
            assert_eq!(kept, around, "{layout}");
        }
        // A site title that looks like the marker of the block but for the number
        // drawn is text like any other; one with the very marker (which no
        // content can know) makes the page the long way.
        let files = [("base.html", cases[0].0), ("page.html", page)];
        let real = marker(0);
        let drawn = real.split(' ').nth(2).expect("the number drawn");
        let other = format!("{:016x}", u64::from_str_radix(drawn, 16).expect("hex") ^ 1);
        for (title, around) in [(real.replace(drawn, &other), true), (real, false)] {
            let (made, direct, kept) = both_ways(&files, &title, "Tea");
            assert_eq!(made, direct);
            assert_eq!(kept, around);
        }
    }
}
