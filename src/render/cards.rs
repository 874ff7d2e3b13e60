//! Post cards rendered once. A big site shows each post's card on many pages (the
//! paginated list, each of its tags' pages, each author's page, the home page), and
//! a card is a function of the post as the list shows it, the heading level and
//! the theme's `post_card` macro with what it calls (see [`super::reach`]): a macro
//! sees nothing of the page that calls it. The `post_card` filter
//! (`{{ post | post_card(level=3) }}`) renders the macro of the theme's
//! `macros.html` and keeps the result by the hash of those three, so each card is
//! made once per build, and once per `hearth serve` while neither the post nor those
//! templates change.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::theme::Theme;
use crate::hash::Hasher;
use crate::output::lock;

/// The filter's name, as templates use it.
pub const FILTER: &str = "post_card";

/// The template the filter renders a card with; its name is no file's. It ends in
/// `.html`, so a card is escaped as HTML wherever it is used.
pub const TEMPLATE: &str = "(hearth) post_card filter.html";
const SOURCE: &str = r#"{% import "macros.html" as m %}{% if level is defined %}{{ m::post_card(post=post, level=level) }}{% else %}{{ m::post_card(post=post) }}{% endif %}"#;

/// Rendered cards by the hash of what they were made from.
#[derive(Debug)]
pub struct Cards {
    /// Each card, and the build that last used it.
    entries: Mutex<rustc_hash::FxHashMap<u128, (Arc<str>, u64)>>,
    build: AtomicU64,
    /// How many bytes of cards may be kept; those made beyond are not kept.
    budget: usize,
    kept: AtomicUsize,
}

impl Default for Cards {
    fn default() -> Cards {
        Cards::with_budget(usize::MAX)
    }
}

impl Cards {
    /// Cards that keep at most `budget` bytes of text. A single build keeps few:
    /// the cards that lists show again (a tag page and an author's page show the
    /// same card) are the first made, and those made later are mostly shown once
    /// (the paginated list). `hearth serve` keeps them all, for the next build.
    pub fn with_budget(budget: usize) -> Cards {
        Cards {
            entries: Mutex::default(),
            build: AtomicU64::new(0),
            budget,
            kept: AtomicUsize::new(0),
        }
    }

    /// Starts a build. When more than `limit` cards are kept (edited posts leave
    /// their old cards behind), those the last build did not use are dropped.
    pub fn begin(&self, limit: usize) {
        let build = self.build.fetch_add(1, Ordering::Relaxed);
        let mut entries = lock(&self.entries);
        if entries.len() > limit {
            entries.retain(|_, (_, used)| *used >= build);
            let kept = entries.values().map(|(card, _)| card.len()).sum();
            self.kept.store(kept, Ordering::Relaxed);
        }
    }

    fn get(&self, key: u128) -> Option<Arc<str>> {
        let build = self.build.load(Ordering::Relaxed);
        let mut entries = lock(&self.entries);
        let (card, used) = entries.get_mut(&key)?;
        *used = build;
        Some(Arc::clone(card))
    }

    fn put(&self, key: u128, card: &str) {
        let before = self.kept.fetch_add(card.len(), Ordering::Relaxed);
        if before.saturating_add(card.len()) > self.budget {
            self.kept.fetch_sub(card.len(), Ordering::Relaxed);
            return;
        }
        let build = self.build.load(Ordering::Relaxed);
        lock(&self.entries).insert(key, (Arc::from(card), build));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.entries).len()
    }
}

/// The `post_card` filter: `post` rendered by the `post_card` macro of `macros.html`,
/// with `level` when it is given.
struct PostCard {
    /// The theme's templates and the card template, without this filter (a card
    /// that used it would call itself).
    tera: tera::Tera,
    cards: Arc<Cards>,
    /// The hash of the program, the public environment and what the macro reaches
    /// (see [`super::reach::key`]).
    sources: u128,
}

impl tera::Filter for PostCard {
    fn filter(&self, post: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let level = args.get("level");
        let mut h = Hasher::default();
        h.field(&self.sources.to_le_bytes());
        super::keyhash::hash(&mut h, &level)
            .and_then(|()| super::keyhash::hash(&mut h, post))
            .map_err(|e| tera::Error::msg(e.to_string()))?;
        let key = h.finish();
        if let Some(card) = self.cards.get(key) {
            return Ok(Value::String(String::from(&*card)));
        }
        let mut context = tera::Context::new();
        context.insert("post", post);
        if let Some(level) = level {
            context.insert("level", level);
        }
        let card = self.tera.render(TEMPLATE, &context)?;
        self.cards.put(key, &card);
        Ok(Value::String(card))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// Adds the `post_card` filter to `tera`, compiled from `theme`'s templates.
pub fn register(tera: &mut tera::Tera, theme: &Theme, cards: Arc<Cards>) -> tera::Result<()> {
    tera.add_raw_template(TEMPLATE, SOURCE)?;
    let graph = super::recursion::calls(tera);
    let sources = super::reach::key(tera, &graph, theme, TEMPLATE, true);
    let filter = PostCard {
        tera: tera.clone(),
        cards,
        sources,
    };
    tera.register_filter(FILTER, filter);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme_with(macros: &str, extra: &[(&str, &str)]) -> Theme {
        let list = r#"{% for p in posts %}[{{ p | post_card(level=level) }}]{% endfor %}"#;
        let mut files = vec![("macros.html", macros), ("list.html", list)];
        files.extend_from_slice(extra);
        Theme::of_templates(&files)
    }

    fn render(theme: &Theme, cards: &Arc<Cards>, posts: &Value) -> Result<String, String> {
        let mut diags = crate::diag::Diagnostics::default();
        let tera = super::super::compile(theme, Arc::clone(cards), &mut diags).ok_or("compiles")?;
        let mut context = tera::Context::new();
        context.insert("posts", posts);
        context.insert("level", &2);
        tera.render("list.html", &context)
            .map_err(|e| super::super::error_chain(&e))
    }

    #[test]
    fn a_card_is_made_once_and_changes_with_the_post_and_the_macro() -> Result<(), String> {
        let card = r#"{% macro post_card(post, level=3) %}<h{{ level }}>{{ post.title }}</h{{ level }}>{% endmacro %}"#;
        let theme = theme_with(card, &[]);
        let cards = Arc::new(Cards::default());
        let posts = serde_json::json!([{"title": "A & B"}, {"title": "C"}, {"title": "A & B"}]);
        let out = render(&theme, &cards, &posts)?;
        assert_eq!(out, "[<h2>A &amp; B</h2>][<h2>C</h2>][<h2>A &amp; B</h2>]");
        assert_eq!(cards.len(), 2, "the same post and level is one card");
        // Another post is another card; the kept ones are used.
        let posts = serde_json::json!([{"title": "D"}, {"title": "C"}]);
        assert_eq!(render(&theme, &cards, &posts)?, "[<h2>D</h2>][<h2>C</h2>]");
        assert_eq!(cards.len(), 3);
        // Another macro (here through a macro it calls) makes every card again.
        let calls = r#"{% import "more.html" as more %}{% macro post_card(post, level=3) %}{{ more::title(t=post.title) }}{% endmacro %}"#;
        let more = r#"{% macro title(t) %}<b>{{ t }}</b>{% endmacro %}"#;
        let theme = theme_with(calls, &[("more.html", more)]);
        assert_eq!(render(&theme, &cards, &posts)?, "[<b>D</b>][<b>C</b>]");
        let theme = theme_with(calls, &[("more.html", &more.replace('b', "i"))]);
        assert_eq!(render(&theme, &cards, &posts)?, "[<i>D</i>][<i>C</i>]");
        // A template the macro does not use changes no card.
        let before = cards.len();
        let theme = theme_with(
            calls,
            &[("more.html", &more.replace('b', "i")), ("x.html", "x")],
        );
        assert_eq!(render(&theme, &cards, &posts)?, "[<i>D</i>][<i>C</i>]");
        assert_eq!(cards.len(), before);
        Ok(())
    }

    #[test]
    fn an_included_template_is_part_of_the_card() -> Result<(), String> {
        let card =
            r#"{% macro post_card(post, level=3) %}{% include "inner.html" %}{% endmacro %}"#;
        let cards = Arc::new(Cards::default());
        let posts = serde_json::json!([{"title": "A"}]);
        let theme = theme_with(card, &[("inner.html", "<p>{{ post.title }}</p>")]);
        assert_eq!(render(&theme, &cards, &posts)?, "[<p>A</p>]");
        let theme = theme_with(card, &[("inner.html", "<q>{{ post.title }}</q>")]);
        assert_eq!(render(&theme, &cards, &posts)?, "[<q>A</q>]");
        Ok(())
    }

    #[test]
    fn cards_beyond_the_budget_are_made_but_not_kept() {
        let cards = Cards::with_budget(3);
        cards.put(1, "ab");
        cards.put(2, "cd");
        cards.put(3, "e");
        assert!(cards.get(1).is_some());
        assert!(cards.get(2).is_none(), "past the budget");
        assert!(cards.get(3).is_some(), "within it again");
    }

    #[test]
    fn cards_the_last_build_did_not_use_go_when_there_are_too_many() {
        let cards = Cards::default();
        cards.begin(10);
        cards.put(1, "a");
        cards.put(2, "b");
        cards.begin(10);
        assert!(cards.get(1).is_some());
        cards.begin(1);
        assert_eq!(cards.len(), 1, "card 2 was not used by the last build");
        assert!(cards.get(1).is_some());
    }
}
