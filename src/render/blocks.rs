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

/// The texts of each page's blocks, by output path.
#[derive(Debug, Default)]
pub struct Kept(std::sync::Mutex<FxHashMap<String, Vec<Text>>>);

/// A block's text, with the hash of what it was made from.
type Text = (u128, Arc<str>);

impl Kept {
    /// Forgets the pages that are not in `paths` (pages removed from the site).
    pub fn keep_only(&self, paths: &[String]) {
        let mut pages = lock(&self.0);
        if pages.len() > paths.len() {
            let paths: rustc_hash::FxHashSet<&str> = paths.iter().map(String::as_str).collect();
            pages.retain(|path, _| paths.contains(path.as_str()));
        }
    }

    #[cfg(test)]
    fn texts(&self) -> usize {
        lock(&self.0).values().map(Vec::len).sum()
    }
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
        let before = lock(&self.kept.0).remove(path).unwrap_or_default();
        let keys: Vec<u128> = plan
            .parts
            .iter()
            .map(|part| {
                let mut h = Hasher::default();
                h.field(&key.to_le_bytes())
                    .field(&part.sources.to_le_bytes());
                h.finish()
            })
            .collect();
        let kept: Vec<Option<&Arc<str>>> = keys
            .iter()
            .map(|key| before.iter().find(|(k, _)| k == key).map(|(_, text)| text))
            .collect();
        let scope = if plan.site_only && kept.iter().all(Option::is_some) {
            Scope::Site
        } else {
            Scope::Page
        };
        let mut context = make(scope)?;
        let mut texts = Vec::with_capacity(plan.parts.len());
        let composed = plan
            .parts
            .iter()
            .zip(keys)
            .zip(kept)
            .try_for_each(|((part, key), kept)| {
                let text = match kept {
                    Some(text) => Arc::clone(text),
                    None => Arc::from(tera.render(&part.alone, &context)?),
                };
                context.insert(part.var.as_str(), &*text);
                texts.push((key, text));
                Ok::<(), tera::Error>(())
            });
        match composed.and_then(|()| tera.render(&plan.composed, &context)) {
            Ok(html) => {
                lock(&self.kept.0).insert(path.to_string(), texts);
                Ok(html)
            }
            Err(_) => tera.render(template, &make(Scope::Page)?),
        }
    }
}

/// Makes the plans of `tera`'s page templates, adding the templates they render to
/// `tera`. `theme` gives the sources the kept texts' keys are made from.
pub fn plan(tera: &mut tera::Tera, theme: &Theme) -> Plans {
    let mut plans = Plans::default();
    let mut made = Vec::new();
    let graph = super::recursion::calls(tera);
    for (name, template) in &tera.templates {
        if name.starts_with(PREFIX) {
            continue;
        }
        if let Some((plan, templates)) = plan_one(tera, &graph, theme, template) {
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
    find_own_blocks(&layout.ast, template, &mut candidates);
    let alone: Vec<&str> = candidates
        .into_iter()
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
    let around = Walk::uses(defs, &alone, &layout.ast);
    let site_only = around
        .from_context
        .iter()
        .all(|name| SITE.contains(&name.as_str()));
    let sources = sources(tera, graph, theme, template);
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

/// The blocks the layout shows that the page template defines. (Tera allows no
/// block inside a loop, so each is shown once at most.)
fn find_own_blocks<'t>(nodes: &'t [Node], template: &'t tera::Template, out: &mut Vec<&'t str>) {
    for node in nodes {
        match node {
            Node::Block(_, block, _) => {
                let def = template
                    .blocks_definitions
                    .get(&block.name)
                    .and_then(|chain| chain.first());
                match def {
                    Some((owner, _)) if *owner == template.name => out.push(&block.name),
                    Some((_, own)) => find_own_blocks(&own.body, template, out),
                    None => find_own_blocks(&block.body, template, out),
                }
            }
            Node::If(branches, _) => {
                for (_, _, body) in &branches.conditions {
                    find_own_blocks(body, template, out);
                }
                if let Some((_, body)) = &branches.otherwise {
                    find_own_blocks(body, template, out);
                }
            }
            Node::FilterSection(_, section, _) => find_own_blocks(&section.body, template, out),
            _ => {}
        }
    }
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
            ExprVal::MacroCall(call) => self.exprs(call.args.values()),
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
        let plans = plan(&mut tera, &theme);
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
            let second = if site_only { Scope::Site } else { Scope::Page };
            assert_eq!(*scopes.lock().expect("not poisoned"), [Scope::Page, second]);
        }
    }
}
