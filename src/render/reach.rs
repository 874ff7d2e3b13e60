//! What decides how a template renders, macro by macro: the key of a page, of a
//! kept block and of a post card hashes only this, so an edit of one macro of
//! `macros.html` renders again only the pages (and cards) that can call it.
//!
//! Tera resolves a macro call through namespaces merged from the page template, the
//! files it imports and its layouts (a `self::` call inside `macros.html` resolves
//! through the page's namespaces), so which definition a call reaches is not worked
//! out here. Instead, the reach of a template is closed by name: every macro named by
//! a call it can reach, in every file it can reach. Its hash covers
//!
//! - the whole source of the template, its layouts and the templates any of these
//!   include (they render their whole text), and of a macro file that extends
//!   another;
//! - for every other file it can reach (the macro files imported, all the way down):
//!   what it imports under which names, the names of its macros, and the definition
//!   of each macro with a name that is called (in a canonical form of Tera's syntax
//!   tree: its argument maps are `HashMap`s, so its `Debug` text is not stable).
//!
//! Which definition each call picks depends only on the imports and the macro names,
//! and what it renders only on the definitions: all hashed.

use std::collections::{BTreeSet, HashMap};

use tera::ast::{Expr, ExprVal, FunctionCall, MacroDefinition, Node};

use super::recursion::{Graph, Unit};
use super::theme::Theme;
use crate::hash::Hasher;

/// The templates and macros one template can reach (see the module's text).
#[derive(Debug, Default)]
pub struct Reach {
    /// Templates rendered whole.
    whole: BTreeSet<String>,
    /// Macro files: only their imports and the called macros matter.
    files: BTreeSet<String>,
    /// The names of the macros called.
    names: BTreeSet<String>,
}

impl Reach {
    /// What `template` reaches; with `layouts: false`, its layouts are left out but
    /// for what they import (what the template's own blocks can reach).
    pub fn of(tera: &tera::Tera, graph: &Graph, template: &str, layouts: bool) -> Reach {
        let mut reach = Reach::default();
        let mut whole = Vec::new();
        let mut files = Vec::new();
        if layouts {
            whole.push(template.to_string());
        } else {
            // The template itself without what it extends.
            reach.whole.insert(template.to_string());
            reach.follow(graph, &Unit::Template(template.to_string()), &mut whole);
            files.extend(imports(tera, template));
            for parent in parents(tera, template) {
                files.extend(imports(tera, &parent));
            }
        }
        reach.close(tera, graph, whole, files);
        reach
    }

    /// What the layouts of `template` reach when they render around its blocks:
    /// the layouts whole, and the macro files both import (a call in a layout
    /// resolves through the page template's namespaces too).
    pub fn around(tera: &tera::Tera, graph: &Graph, template: &str) -> Reach {
        let mut reach = Reach::default();
        reach.close(
            tera,
            graph,
            parents(tera, template),
            imports(tera, template),
        );
        reach
    }

    /// Adds the templates in `whole` and the macro files in `files`, and all they
    /// reach.
    fn close(
        &mut self,
        tera: &tera::Tera,
        graph: &Graph,
        mut whole: Vec<String>,
        mut files: Vec<String>,
    ) {
        let reach = self;
        let mut defined: BTreeSet<(String, String)> = BTreeSet::new();
        loop {
            while let Some(name) = whole.pop() {
                if reach.whole.insert(name.clone()) {
                    reach.follow(graph, &Unit::Template(name.clone()), &mut whole);
                    files.extend(imports(tera, &name));
                    whole.extend(parents(tera, &name));
                }
            }
            while let Some(file) = files.pop() {
                if reach.files.insert(file.clone()) {
                    files.extend(imports(tera, &file));
                    let extends = parents(tera, &file);
                    if !extends.is_empty() {
                        whole.push(file.clone());
                        whole.extend(extends);
                    }
                }
            }
            // The definitions of the called names not followed yet, and what they
            // call; when there is none, nothing more can be reached.
            let new: Vec<Unit> = reach
                .files
                .iter()
                .chain(&reach.whole)
                .flat_map(|file| {
                    reach
                        .names
                        .iter()
                        .map(move |name| Unit::Macro(file.clone(), name.clone()))
                })
                .filter(|unit| graph.contains_key(unit))
                .filter(|unit| match unit {
                    Unit::Macro(file, name) => defined.insert((file.clone(), name.clone())),
                    Unit::Template(_) => false,
                })
                .collect();
            if new.is_empty() && whole.is_empty() {
                return;
            }
            for unit in &new {
                reach.follow(graph, unit, &mut whole);
            }
        }
    }

    /// Notes what `unit` calls and includes.
    fn follow(&mut self, graph: &Graph, unit: &Unit, whole: &mut Vec<String>) {
        for callee in graph.get(unit).into_iter().flatten() {
            match callee {
                Unit::Template(name) => whole.push(name.clone()),
                Unit::Macro(_, name) => {
                    self.names.insert(name.clone());
                }
            }
        }
    }

    /// Adds what decides the rendering to `h` (sources from `theme`; a template the
    /// theme does not have is hashed as empty: hearth's own are in the program).
    pub fn hash(&self, h: &mut Hasher, tera: &tera::Tera, theme: &Theme) {
        for name in &self.whole {
            let source = theme.templates.get(name).map(|(text, _)| text.as_str());
            h.field(b"whole")
                .field(name.as_bytes())
                .field(source.unwrap_or_default().as_bytes());
        }
        for name in self.files.difference(&self.whole) {
            h.field(b"file").field(name.as_bytes());
            let Ok(file) = tera.get_template(name) else {
                h.field(b"missing");
                continue;
            };
            for (imported, namespace) in &file.imported_macro_files {
                h.field(imported.as_bytes()).field(namespace.as_bytes());
            }
            let mut macros: Vec<(&String, &MacroDefinition)> = file.macros.iter().collect();
            macros.sort_by(|a, b| a.0.cmp(b.0));
            h.field(&(macros.len() as u64).to_le_bytes());
            for (name, definition) in macros {
                h.field(name.as_bytes());
                if self.names.contains(name) {
                    Canon(h).definition(definition);
                }
            }
        }
    }
}

/// The hash of everything besides a page's own context that decides how `template`
/// renders: hearth itself, the environment variables templates may read
/// (`get_env`), and what it reaches (with its layouts, or without: see
/// [`Reach::of`]).
pub fn key(tera: &tera::Tera, graph: &Graph, theme: &Theme, template: &str, layouts: bool) -> u128 {
    key_of(&Reach::of(tera, graph, template, layouts), tera, theme)
}

/// The hash of hearth itself, the environment variables templates may read and
/// what `reach` holds.
pub fn key_of(reach: &Reach, tera: &tera::Tera, theme: &Theme) -> u128 {
    let mut h = Hasher::default();
    h.field(&crate::hash::program().to_le_bytes());
    super::environment(&mut h);
    reach.hash(&mut h, tera, theme);
    h.finish()
}

fn imports(tera: &tera::Tera, template: &str) -> Vec<String> {
    tera.get_template(template)
        .map(|t| {
            t.imported_macro_files
                .iter()
                .map(|(file, _)| file.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn parents(tera: &tera::Tera, template: &str) -> Vec<String> {
    tera.get_template(template)
        .map(|t| t.parents.clone())
        .unwrap_or_default()
}

/// Hashes Tera's syntax tree in a canonical form: every part, in order, with maps in
/// the order of their keys.
struct Canon<'h>(&'h mut Hasher);

impl Canon<'_> {
    fn tag(&mut self, tag: &str) -> &mut Self {
        self.0.field(tag.as_bytes());
        self
    }

    fn flags(&mut self, flags: &[bool]) -> &mut Self {
        let bytes: Vec<u8> = flags.iter().map(|&f| u8::from(f)).collect();
        self.0.field(&bytes);
        self
    }

    fn definition(&mut self, definition: &MacroDefinition) {
        self.tag("macro").tag(&definition.name);
        let mut args: Vec<(&String, &Option<Expr>)> = definition.args.iter().collect();
        args.sort_by(|a, b| a.0.cmp(b.0));
        self.count(args.len());
        for (name, default) in args {
            self.tag(name);
            match default {
                Some(e) => self.tag("default").expr(e),
                None => self.tag("required"),
            };
        }
        self.nodes(&definition.body);
    }

    fn count(&mut self, n: usize) -> &mut Self {
        self.0.field(&(n as u64).to_le_bytes());
        self
    }

    fn nodes(&mut self, nodes: &[Node]) -> &mut Self {
        self.count(nodes.len());
        for node in nodes {
            self.node(node);
        }
        self
    }

    fn ws(&mut self, ws: &tera::ast::WS) -> &mut Self {
        self.flags(&[ws.left, ws.right])
    }

    fn node(&mut self, node: &Node) {
        match node {
            Node::Super => {
                self.tag("super");
            }
            Node::Text(text) => {
                self.tag("text").tag(text);
            }
            Node::VariableBlock(ws, e) => {
                self.tag("variable").ws(ws).expr(e);
            }
            Node::MacroDefinition(a, definition, b) => {
                self.tag("macro definition")
                    .ws(a)
                    .ws(b)
                    .definition(definition);
            }
            Node::Extends(ws, name) => {
                self.tag("extends").ws(ws).tag(name);
            }
            Node::Include(ws, names, ignore_missing) => {
                self.tag("include")
                    .ws(ws)
                    .flags(&[*ignore_missing])
                    .count(names.len());
                for name in names {
                    self.tag(name);
                }
            }
            Node::ImportMacro(ws, file, namespace) => {
                self.tag("import").ws(ws).tag(file).tag(namespace);
            }
            Node::Set(ws, set) => {
                self.tag("set")
                    .ws(ws)
                    .tag(&set.key)
                    .flags(&[set.global])
                    .expr(&set.value);
            }
            Node::Raw(a, text, b) => {
                self.tag("raw").ws(a).ws(b).tag(text);
            }
            Node::FilterSection(a, section, b) => {
                self.tag("filter")
                    .ws(a)
                    .ws(b)
                    .call(&section.filter)
                    .nodes(&section.body);
            }
            Node::Block(a, block, b) => {
                self.tag("block")
                    .ws(a)
                    .ws(b)
                    .tag(&block.name)
                    .nodes(&block.body);
            }
            Node::Forloop(a, forloop, b) => {
                self.tag("for").ws(a).ws(b);
                match &forloop.key {
                    Some(key) => self.tag("key").tag(key),
                    None => self.tag("no key"),
                };
                self.tag(&forloop.value)
                    .expr(&forloop.container)
                    .nodes(&forloop.body);
                match &forloop.empty_body {
                    Some(body) => self.tag("empty").nodes(body),
                    None => self.tag("no empty"),
                };
            }
            Node::If(branches, ws) => {
                self.tag("if").ws(ws).count(branches.conditions.len());
                for (ws, condition, body) in &branches.conditions {
                    self.ws(ws).expr(condition).nodes(body);
                }
                match &branches.otherwise {
                    Some((ws, body)) => self.tag("else").ws(ws).nodes(body),
                    None => self.tag("no else"),
                };
            }
            Node::Break(ws) => {
                self.tag("break").ws(ws);
            }
            Node::Continue(ws) => {
                self.tag("continue").ws(ws);
            }
            Node::Comment(ws, text) => {
                self.tag("comment").ws(ws).tag(text);
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> &mut Self {
        self.tag("expr").flags(&[e.negated]).value(&e.val);
        self.count(e.filters.len());
        for filter in &e.filters {
            self.call(filter);
        }
        self
    }

    fn call(&mut self, call: &FunctionCall) -> &mut Self {
        self.tag(&call.name).args(&call.args)
    }

    fn args(&mut self, args: &HashMap<String, Expr>) -> &mut Self {
        let mut args: Vec<(&String, &Expr)> = args.iter().collect();
        args.sort_by(|a, b| a.0.cmp(b.0));
        self.count(args.len());
        for (name, e) in args {
            self.tag(name).expr(e);
        }
        self
    }

    fn value(&mut self, v: &ExprVal) -> &mut Self {
        match v {
            ExprVal::String(s) => self.tag("string").tag(s),
            ExprVal::Int(i) => {
                self.tag("int").0.field(&i.to_le_bytes());
                self
            }
            ExprVal::Float(f) => {
                self.tag("float").0.field(&f.to_bits().to_le_bytes());
                self
            }
            ExprVal::Bool(b) => self.tag("bool").flags(&[*b]),
            ExprVal::Ident(ident) => self.tag("ident").tag(ident),
            ExprVal::Math(m) => self
                .tag("math")
                .tag(&m.operator.to_string())
                .expr(&m.lhs)
                .expr(&m.rhs),
            ExprVal::Logic(l) => self
                .tag("logic")
                .tag(&l.operator.to_string())
                .expr(&l.lhs)
                .expr(&l.rhs),
            ExprVal::Test(test) => {
                self.tag("test")
                    .tag(&test.ident)
                    .tag(&test.name)
                    .flags(&[test.negated])
                    .count(test.args.len());
                for e in &test.args {
                    self.expr(e);
                }
                self
            }
            ExprVal::MacroCall(call) => self
                .tag("macro call")
                .tag(&call.namespace)
                .tag(&call.name)
                .args(&call.args),
            ExprVal::FunctionCall(call) => self.tag("function call").call(call),
            ExprVal::Array(items) => {
                self.tag("array").count(items.len());
                for e in items {
                    self.expr(e);
                }
                self
            }
            ExprVal::StringConcat(concat) => {
                self.tag("concat").count(concat.values.len());
                for v in &concat.values {
                    self.value(v);
                }
                self
            }
            ExprVal::In(i) => self.tag("in").flags(&[i.negated]).expr(&i.lhs).expr(&i.rhs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key of what `page.html` reaches (with its layouts, or only its blocks).
    fn key(files: &[(&str, &str)], layouts: bool) -> u128 {
        let theme = Theme::of_templates(files);
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(files.iter().copied())
            .expect("compiles");
        let graph = super::super::recursion::calls(&tera);
        super::key(&tera, &graph, &theme, "page.html", layouts)
    }

    const BASE: &str = r#"{% import "m.html" as m %}{{ m::nav() }}{% block main %}{% endblock %}"#;
    const PAGE: &str = r#"{% extends "base.html" %}{% import "m.html" as m %}{% block main %}{{ m::card(x=1, y=2) }}{% include "part.html" %}{% endblock %}"#;
    const MACROS: &str = r#"{% import "more.html" as more %}{% macro card(x, y=3) %}<b>{{ more::inner(v=x) }}</b>{% endmacro %}{% macro nav() %}<nav>{% endmacro %}{% macro unused() %}u{% endmacro %}"#;
    const MORE: &str = r#"{% macro inner(v) %}{{ v | round(method="floor", precision=1) }}{% endmacro %}{% macro other() %}o{% endmacro %}"#;

    fn site<'a>(changed: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut files = vec![
            ("base.html", BASE),
            ("page.html", PAGE),
            ("m.html", MACROS),
            ("more.html", MORE),
            ("part.html", "p"),
            ("other.html", "o"),
        ];
        for (name, text) in changed {
            match files.iter_mut().find(|(n, _)| n == name) {
                Some(file) => file.1 = text,
                None => files.push((name, text)),
            }
        }
        files
    }

    #[test]
    fn a_key_changes_with_the_macros_a_page_calls_and_no_others() {
        let before = key(&site(&[]), true);
        // The same sources compiled again: Tera's argument maps come out in another
        // order, the key does not.
        assert_eq!(key(&site(&[]), true), before);
        let changes = |file: &str, from: &str, to: &str| {
            let text = match file {
                "base.html" => BASE,
                "page.html" => PAGE,
                "m.html" => MACROS,
                _ => MORE,
            };
            assert!(text.contains(from), "{from} in {file}");
            let changed = text.replace(from, to);
            key(&site(&[(file, changed.as_str())]), true) != before
        };
        assert!(changes("m.html", "<b>", "<i>"), "the macro called");
        assert!(changes("m.html", "y=3", "y=4"), "its default argument");
        assert!(
            changes("more.html", "precision=1", "precision=2"),
            "a macro it calls, in another file"
        );
        assert!(
            changes("m.html", "<nav>", "<nav class=x>"),
            "a macro the layout calls"
        );
        assert!(
            changes("m.html", "more.html", "other.html"),
            "what a namespace names"
        );
        assert!(!changes("m.html", "%}u{%", "%}v{%"), "a macro nobody calls");
        assert!(!changes("more.html", "%}o{%", "%}q{%"), "another one");
        assert!(
            key(&site(&[("part.html", "q")]), true) != before,
            "an included template"
        );
        assert!(
            key(&site(&[("other.html", "q")]), true) == before,
            "a template it does not reach"
        );
    }

    #[test]
    fn a_page_that_shows_cards_depends_on_the_card_macro() {
        let keys = |card: &str| {
            let macros = format!(
                r#"{{% macro post_card(post, level=3) %}}{card}{{% endmacro %}}{{% macro other() %}}o{{% endmacro %}}"#
            );
            let theme = Theme::of_templates(&[
                ("macros.html", macros.as_str()),
                (
                    "list.html",
                    "{% for p in posts %}{{ p | post_card }}{% endfor %}",
                ),
                (
                    "one.html",
                    r#"{% import "macros.html" as m %}{{ m::other() }}"#,
                ),
            ]);
            let cards = std::sync::Arc::new(super::super::cards::Cards::default());
            let mut diags = crate::diag::Diagnostics::default();
            let tera = super::super::compile(&theme, cards, &mut diags).expect("compiles");
            let graph = super::super::recursion::calls(&tera);
            let keys = super::super::TemplateKeys::new(&tera, &graph, &theme);
            (keys.get("list.html"), keys.get("one.html"))
        };
        let (list, one) = keys("<b>{{ post.title }}</b>");
        let (list_after, one_after) = keys("<i>{{ post.title }}</i>");
        assert_ne!(list, list_after, "the list shows cards");
        assert_eq!(one, one_after, "this page shows none");
    }

    #[test]
    fn the_blocks_of_a_page_do_not_reach_its_layout_but_what_it_imports() {
        let before = key(&site(&[]), false);
        let layout = BASE.replace("{% block main %}", "<hr>{% block main %}");
        let layout: &str = &layout;
        assert_eq!(key(&site(&[("base.html", layout)]), false), before);
        assert_ne!(
            key(&site(&[("base.html", layout)]), true),
            key(&site(&[]), true)
        );
        // A block that calls a macro through a namespace only the layout imports.
        let page = PAGE.replace(r#"{% import "m.html" as m %}"#, "");
        let page: &str = &page;
        let nav = MACROS.replace("<b>", "<i>");
        let nav: &str = &nav;
        assert_ne!(
            key(&site(&[("page.html", page)]), false),
            key(&site(&[("page.html", page), ("m.html", nav)]), false)
        );
    }
}
