//! Finds template cycles before anything renders: a macro that calls itself (directly
//! or through other macros) and a template that includes itself. Tera 1.x has no
//! depth limit, so either would recurse until the stack overflows and the process
//! aborts; found here, they are a template error naming the file instead.
//!
//! A recursive macro with a stopping condition (a tree of nested menus) is refused
//! too: whether it stops depends on the data, which a hostile pull request controls.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use tera::ast::{Expr, ExprVal, Node};

use super::theme::Theme;
use crate::diag::{Diagnostics, Location};

/// Something that can be entered while rendering: a whole template (by include) or
/// one macro of a template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unit {
    Template(String),
    Macro(String, String),
}

impl Unit {
    fn template(&self) -> &str {
        match self {
            Unit::Template(t) | Unit::Macro(t, _) => t,
        }
    }

    fn describe(&self) -> String {
        match self {
            Unit::Template(t) => format!("`{t}`"),
            Unit::Macro(t, m) => format!("macro `{m}` of `{t}`"),
        }
    }
}

/// Who enters whom (see [`calls`]).
pub type Graph = BTreeMap<Unit, BTreeSet<Unit>>;

/// Reports every cycle of macro calls and includes among the compiled templates;
/// true when there is none.
pub fn check(tera: &tera::Tera, theme: &Theme, diags: &mut Diagnostics) -> bool {
    let graph = calls(tera);
    let found = cycles(&graph);
    for cycle in &found {
        let first = &cycle[0];
        let path: Vec<String> = cycle
            .iter()
            .chain(std::iter::once(first))
            .map(Unit::describe)
            .collect();
        let (file, location) = place(theme, first);
        let message = if cycle.len() == 1 {
            format!("{} calls itself", first.describe())
        } else {
            format!(
                "templates call each other in a circle: {}",
                path.join(" → ")
            )
        };
        diags.error(
            Path::new(&file),
            location,
            format!("template error: {message}"),
        );
        diags.hint(
            "a template or macro cannot call itself, even with a condition: hearth refuses recursion so that no content can make a build run forever",
        );
    }
    found.is_empty()
}

/// The file to name for `unit`, and the line of its macro definition when found.
fn place(theme: &Theme, unit: &Unit) -> (String, Option<Location>) {
    let Some((text, origin)) = theme.templates.get(unit.template()) else {
        return (format!("templates/{}", unit.template()), None);
    };
    let location = match unit {
        Unit::Macro(_, name) => text
            .match_indices("macro")
            .find(|(at, _)| text[at + 5..].trim_start().starts_with(name.as_str()))
            .map(|(at, _)| Location::line(Location::of_offset(text, at, 1).line)),
        Unit::Template(_) => None,
    };
    (origin.describe(unit.template()), location)
}

/// Who enters whom: every template and macro with the templates it includes and the
/// macros it calls. A call through a namespace the template does not import itself
/// (its layout's, say) is named with an empty file: it counts by its name (see
/// [`super::reach`]), and leads nowhere here.
pub fn calls(tera: &tera::Tera) -> Graph {
    let mut graph = Graph::new();
    for name in tera.get_template_names() {
        let Ok(template) = tera.get_template(name) else {
            continue;
        };
        let namespaces: BTreeMap<&str, &str> = template
            .imported_macro_files
            .iter()
            .map(|(file, ns)| (ns.as_str(), file.as_str()))
            .collect();
        let resolve = Resolver {
            own: name,
            namespaces: &namespaces,
        };
        let mut out = BTreeSet::new();
        resolve.nodes(&template.ast, &mut out);
        graph.insert(Unit::Template(name.to_string()), out);
        for (macro_name, definition) in &template.macros {
            let mut out = BTreeSet::new();
            resolve.nodes(&definition.body, &mut out);
            graph.insert(Unit::Macro(name.to_string(), macro_name.clone()), out);
        }
    }
    graph
}

/// Turns the includes and macro calls of one template's nodes into units.
struct Resolver<'a> {
    own: &'a str,
    /// Import namespace to template name.
    namespaces: &'a BTreeMap<&'a str, &'a str>,
}

impl Resolver<'_> {
    fn nodes(&self, nodes: &[Node], out: &mut BTreeSet<Unit>) {
        for node in nodes {
            self.node(node, out);
        }
    }

    fn node(&self, node: &Node, out: &mut BTreeSet<Unit>) {
        match node {
            Node::VariableBlock(_, e) => self.expr(e, out),
            Node::Include(_, names, _) => {
                out.extend(names.iter().map(|n| Unit::Template(n.clone())));
            }
            Node::Set(_, set) => self.expr(&set.value, out),
            Node::FilterSection(_, section, _) => {
                self.filter(&section.filter, out);
                self.nodes(&section.body, out);
            }
            Node::Block(_, block, _) => self.nodes(&block.body, out),
            Node::Forloop(_, forloop, _) => {
                self.expr(&forloop.container, out);
                self.nodes(&forloop.body, out);
                if let Some(empty) = &forloop.empty_body {
                    self.nodes(empty, out);
                }
            }
            Node::If(branches, _) => {
                for (_, condition, body) in &branches.conditions {
                    self.expr(condition, out);
                    self.nodes(body, out);
                }
                if let Some((_, body)) = &branches.otherwise {
                    self.nodes(body, out);
                }
            }
            // A macro definition runs only when called: its body is its own unit.
            _ => {}
        }
    }

    fn args<'e>(&self, args: impl IntoIterator<Item = &'e Expr>, out: &mut BTreeSet<Unit>) {
        for e in args {
            self.expr(e, out);
        }
    }

    fn expr(&self, e: &Expr, out: &mut BTreeSet<Unit>) {
        self.value(&e.val, out);
        for filter in &e.filters {
            self.filter(filter, out);
        }
    }

    /// A filter's arguments; the `post_card` filter enters the template it renders
    /// cards with.
    fn filter(&self, filter: &tera::ast::FunctionCall, out: &mut BTreeSet<Unit>) {
        if filter.name == super::cards::FILTER {
            out.insert(Unit::Template(super::cards::TEMPLATE.to_string()));
        }
        self.args(filter.args.values(), out);
    }

    fn value(&self, v: &ExprVal, out: &mut BTreeSet<Unit>) {
        match v {
            ExprVal::MacroCall(call) => {
                let file = if call.namespace == "self" {
                    Some(self.own)
                } else {
                    self.namespaces.get(call.namespace.as_str()).copied()
                };
                out.insert(Unit::Macro(
                    file.unwrap_or_default().to_string(),
                    call.name.clone(),
                ));
                self.args(call.args.values(), out);
            }
            ExprVal::Math(m) => self.args([&*m.lhs, &*m.rhs], out),
            ExprVal::Logic(l) => self.args([&*l.lhs, &*l.rhs], out),
            ExprVal::In(i) => self.args([&*i.lhs, &*i.rhs], out),
            ExprVal::Test(t) => self.args(&t.args, out),
            ExprVal::FunctionCall(f) => self.args(f.args.values(), out),
            ExprVal::Array(items) => self.args(items, out),
            ExprVal::StringConcat(s) => s.values.iter().for_each(|v| self.value(v, out)),
            _ => {}
        }
    }
}

/// The cycles of `graph`, each once, as the units along it. Iterative, so that a
/// long chain of templates cannot overflow this check's own stack.
fn cycles(graph: &Graph) -> Vec<Vec<Unit>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    let mut marks: BTreeMap<&Unit, Mark> = BTreeMap::new();
    let mut found = Vec::new();
    for start in graph.keys() {
        if marks.contains_key(start) {
            continue;
        }
        // The path from `start`, each unit with the callees still to visit.
        let mut path: Vec<(&Unit, Vec<&Unit>)> = vec![(start, callees(graph, start))];
        marks.insert(start, Mark::Open);
        while let Some((_, todo)) = path.last_mut() {
            let Some(next) = todo.pop() else {
                if let Some((unit, _)) = path.pop() {
                    marks.insert(unit, Mark::Done);
                }
                continue;
            };
            match marks.get(next) {
                Some(Mark::Done) => {}
                Some(Mark::Open) => {
                    let at = path.iter().position(|(u, _)| *u == next).unwrap_or(0);
                    found.push(path[at..].iter().map(|(u, _)| (*u).clone()).collect());
                }
                None => {
                    marks.insert(next, Mark::Open);
                    path.push((next, callees(graph, next)));
                }
            }
        }
    }
    found
}

fn callees<'g>(graph: &'g Graph, unit: &Unit) -> Vec<&'g Unit> {
    graph
        .get(unit)
        .map(|set| {
            set.iter()
                .rev()
                .filter_map(|u| graph.get_key_value(u).map(|(k, _)| k))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph_of(templates: &[(&str, &str)]) -> Graph {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(templates.to_vec())
            .expect("templates compile");
        calls(&tera)
    }

    #[test]
    fn a_macro_that_calls_itself_is_a_cycle() {
        let graph = graph_of(&[(
            "m.html",
            "{% macro f(n) %}{% if n > 0 %}{{ self::f(n=n - 1) }}{% endif %}{% endmacro %}",
        )]);
        assert_eq!(
            cycles(&graph),
            [vec![Unit::Macro("m.html".into(), "f".into())]]
        );
    }

    #[test]
    fn macros_calling_each_other_across_files_are_a_cycle() {
        let graph = graph_of(&[
            (
                "a.html",
                "{% import \"b.html\" as b %}{% macro f() %}{{ b::g() }}{% endmacro %}",
            ),
            (
                "b.html",
                "{% import \"a.html\" as a %}{% macro g() %}{{ a::f() }}{% endmacro %}",
            ),
        ]);
        assert_eq!(cycles(&graph).len(), 1);
    }

    #[test]
    fn a_template_that_includes_itself_is_a_cycle_and_plain_use_is_not() {
        let looping = graph_of(&[("a.html", "x{% include \"a.html\" %}")]);
        assert_eq!(cycles(&looping), [vec![Unit::Template("a.html".into())]]);
        let fine = graph_of(&[
            (
                "m.html",
                "{% macro f() %}hi{% endmacro %}{% macro g() %}{{ self::f() }}{% endmacro %}",
            ),
            (
                "page.html",
                "{% import \"m.html\" as m %}{{ m::g() }}{% include \"part.html\" %}",
            ),
            ("part.html", "{% import \"m.html\" as m %}{{ m::f() }}"),
        ]);
        assert!(cycles(&fine).is_empty());
    }
}
