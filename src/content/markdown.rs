//! Markdown bodies to HTML: CommonMark plus tables, footnotes, strikethrough and task
//! lists; stable heading ids; a summary; links to a bundle's own files made absolute.

use std::collections::HashSet;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html,
};

use super::highlight;

use crate::model::{Body, Heading, Slug};

const MORE_MARKER: &str = "<!-- more -->";

/// Rendered bodies kept between builds of one `hearth serve`, so a rebuild renders
/// only the documents that changed. Rendering is a pure function of its inputs, and
/// the key holds all of them, so a cached body is the body a full build would make.
#[derive(Debug, Default)]
pub struct BodyCache {
    entries: std::sync::Mutex<std::collections::HashMap<CacheKey, (Body, u64)>>,
    generation: std::sync::atomic::AtomicU64,
}

/// Every input of `render`: body, summary, base path, page URL, bundle files.
type CacheKey = (String, Option<String>, String, String, Vec<String>);

impl BodyCache {
    /// Starts a build: entries not used by it are dropped at `finish`.
    pub fn begin(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Forgets the bodies of documents the last build did not render.
    pub fn finish(&self) {
        let current = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (_, used)| *used == current);
        }
    }

    /// The body for these inputs, rendered now or taken from an earlier build.
    pub fn render(&self, body: &str, summary: Option<&str>, links: &LinkBase<'_>) -> Body {
        let key: CacheKey = (
            body.to_string(),
            summary.map(str::to_string),
            links.root.to_string(),
            links.page_url.to_string(),
            links.assets.to_vec(),
        );
        let current = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut entries) = self.entries.lock()
            && let Some((cached, used)) = entries.get_mut(&key)
        {
            *used = current;
            return cached.clone();
        }
        let rendered = render(body, summary, links);
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(key, (rendered.clone(), current));
        }
        rendered
    }
}

/// How links inside one document are resolved.
#[derive(Debug, Default)]
pub struct LinkBase<'a> {
    /// URL path of the site root (`/` or `/club/`): root-relative links in markdown
    /// (`/events/x/`) are placed under it.
    pub root: &'a str,
    /// URL path of the rendered document (`/posts/slug/`), used for bundle files.
    pub page_url: &'a str,
    /// Files that sit beside the document in its bundle, as written in links.
    pub assets: &'a [String],
}

/// The most table cells one document may have. Each cell costs a few hundred bytes
/// while a page renders, and pulldown-cmark pads short rows up to the header's
/// width (up to 2^18 empty cells per table), so a few kilobytes of `|` can ask for
/// gigabytes. A real table of 10 columns and 10,000 rows stays under it.
pub const MAX_TABLE_CELLS: usize = 100_000;

/// Where the document's tables first go past `MAX_TABLE_CELLS`: the byte offset in
/// `body` of the line where the count does, and the cells counted by then.
/// Counted from the text before parsing, because the parser allocates every cell of
/// the document before it hands out the first event. The count is an upper bound:
/// each line that looks like a delimiter row (in a quote or list too) starts a
/// table as wide as it has pipes, which runs to the next blank line, and the header
/// and every row count that width.
pub fn too_many_table_cells(body: &str) -> Option<(usize, usize)> {
    let mut cells = 0usize;
    let mut width: Option<usize> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let bare = line.trim_start_matches(|c: char| c.is_whitespace() || c == '>');
        match width {
            Some(_) if bare.trim().is_empty() => width = None,
            Some(w) => cells = cells.saturating_add(w),
            None if is_delimiter_row(bare) => {
                let w = bare.matches('|').count() + 1;
                width = Some(w);
                // The header row above, then this table's rows as they come.
                cells = cells.saturating_add(w);
            }
            None => {}
        }
        if cells > MAX_TABLE_CELLS {
            return Some((at, cells));
        }
    }
    None
}

/// `|---|:--:|`, possibly after a list marker: only pipes, dashes, colons and
/// blanks, with at least one pipe and one dash.
fn is_delimiter_row(line: &str) -> bool {
    let line = line.trim();
    line.contains('|')
        && line.contains('-')
        && line
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | '>' | '+' | '*') || c.is_whitespace())
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders a document body. The summary is `summary` when given (front-matter text:
/// raw HTML in it is escaped), else the text before `<!-- more -->`, else the first
/// paragraph.
pub fn render(body: &str, summary: Option<&str>, links: &LinkBase<'_>) -> Body {
    let events = with_heading_ids(
        Parser::new_ext(body, options())
            .map(|e| rewrite_link(e, links))
            .collect(),
    );
    let toc = table_of_contents(&events);
    let word_count = events
        .iter()
        .map(|e| match e {
            Event::Text(t) | Event::Code(t) => t.split_whitespace().count(),
            _ => 0,
        })
        .sum();
    let events = highlight_code(events);

    let summary_events: Vec<Event<'_>> = if let Some(text) = summary {
        Parser::new_ext(text, options())
            .map(|e| match e {
                Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
                other => rewrite_link(other, links),
            })
            .collect()
    } else if let Some(cut) = body.find(MORE_MARKER) {
        Parser::new_ext(&body[..cut], options())
            .map(|e| rewrite_link(e, links))
            .collect()
    } else {
        first_paragraph(&events)
    };

    let mut content_html = String::with_capacity(body.len() * 3 / 2);
    html::push_html(&mut content_html, events.into_iter());
    let summary_text = plain_text(&summary_events);
    let mut summary_html = String::new();
    html::push_html(&mut summary_html, summary_events.into_iter());

    Body {
        content_html,
        summary_html,
        summary_text,
        toc,
        word_count,
    }
}

/// Replaces fenced code blocks in a known language with highlighted HTML.
fn highlight_code(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut block: Option<(String, String, Vec<Event<'_>>)> = None;
    for event in events {
        match (&mut block, event) {
            (None, Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))) => {
                match highlight::language(&info) {
                    Some(lang) => {
                        let start =
                            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info.clone())));
                        block = Some((lang.to_string(), String::new(), vec![start]));
                    }
                    None => out.push(Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))),
                }
            }
            (Some((_, code, raw)), Event::Text(text)) => {
                code.push_str(&text);
                raw.push(Event::Text(text));
            }
            (Some(_), Event::End(TagEnd::CodeBlock)) => {
                let Some((lang, code, mut raw)) = block.take() else {
                    continue;
                };
                match highlight::highlight(&code, &lang) {
                    Some(html) => out.push(Event::Html(CowStr::from(html))),
                    None => {
                        raw.push(Event::End(TagEnd::CodeBlock));
                        out.append(&mut raw);
                    }
                }
            }
            (Some((_, _, raw)), other) => raw.push(other),
            (None, other) => out.push(other),
        }
    }
    out
}

/// Gives every heading an `id`: its own `{#id}` if written, else a slug of its text,
/// made unique within the document with `-1`, `-2`, ...
fn with_heading_ids(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut used = HashSet::new();
    for i in 0..events.len() {
        let Event::Start(Tag::Heading { id, .. }) = &events[i] else {
            continue;
        };
        let base = match id {
            Some(id) => id.to_string(),
            None => {
                let text = heading_text(&events[i + 1..]);
                Slug::from_text(&text)
                    .map_or_else(|| "section".to_string(), |s| s.as_str().to_string())
            }
        };
        let mut unique = base.clone();
        let mut n = 1;
        while !used.insert(unique.clone()) {
            unique = format!("{base}-{n}");
            n += 1;
        }
        if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
            *id = Some(CowStr::from(unique));
        }
    }
    events
}

fn heading_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for e in events {
        match e {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            _ => {}
        }
    }
    text
}

fn table_of_contents(events: &[Event<'_>]) -> Vec<Heading> {
    events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Event::Start(Tag::Heading {
                level,
                id: Some(id),
                ..
            }) => Some(Heading {
                level: heading_level(*level),
                id: id.to_string(),
                title: heading_text(&events[i + 1..]),
            }),
            _ => None,
        })
        .collect()
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The events of the first top-level paragraph, or nothing.
fn first_paragraph<'a>(events: &[Event<'a>]) -> Vec<Event<'a>> {
    let mut depth = 0usize;
    let mut start = None;
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(Tag::Paragraph) if depth == 0 => start = Some(i),
            Event::End(TagEnd::Paragraph) if depth == 1 && start.is_some() => {
                return start.map_or_else(Vec::new, |s| events[s..=i].to_vec());
            }
            _ => {}
        }
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Vec::new()
}

fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Points links and images to a bundle's own files at the files' published URL, so
/// they work in summaries, lists and feeds too, and puts root-relative links under
/// the site's base path.
fn rewrite_link<'a>(event: Event<'a>, links: &LinkBase<'_>) -> Event<'a> {
    let resolve = |dest: CowStr<'a>| -> CowStr<'a> {
        let name = dest.trim_start_matches("./");
        if links.assets.iter().any(|a| a == name) {
            CowStr::from(format!("{}{}", links.page_url, name))
        } else if let Some(rooted) = dest.strip_prefix('/').filter(|r| !r.starts_with('/')) {
            if links.root.len() > 1 {
                CowStr::from(format!("{}{rooted}", links.root))
            } else {
                dest
            }
        } else {
            dest
        }
    };
    match event {
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: resolve(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: resolve(dest_url),
            title,
            id,
        }),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(body: &str) -> Body {
        render(body, None, &LinkBase::default())
    }

    #[test]
    fn headings_get_stable_unique_ids() {
        let b = md("## Getting started\n\ntext\n\n## Getting started\n\n### Custom {#here}\n");
        assert!(
            b.content_html.contains(r#"<h2 id="getting-started">"#),
            "{}",
            b.content_html
        );
        assert!(b.content_html.contains(r#"<h2 id="getting-started-1">"#));
        assert!(b.content_html.contains(r#"<h3 id="here">"#));
        let ids: Vec<_> = b.toc.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["getting-started", "getting-started-1", "here"]);
    }

    #[test]
    fn extensions_are_on() {
        let b = md(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ note[^1]\n\n- [x] done\n\n[^1]: the note\n",
        );
        for needle in [
            "<table>",
            "<del>old</del>",
            "type=\"checkbox\"",
            "footnote-definition",
        ] {
            assert!(
                b.content_html.contains(needle),
                "{needle} missing in {}",
                b.content_html
            );
        }
    }

    #[test]
    fn the_summary_is_the_more_marker_then_the_first_paragraph() {
        let b = md("# Title\n\nFirst *para*.\n\nSecond.\n");
        assert_eq!(b.summary_html.trim(), "<p>First <em>para</em>.</p>");
        assert_eq!(b.summary_text, "First para.");
        let b = md("One.\n\nTwo.\n\n<!-- more -->\n\nThree.\n");
        assert!(b.summary_html.contains("Two."));
        assert!(!b.summary_html.contains("Three."));
    }

    #[test]
    fn a_front_matter_summary_cannot_inject_html() {
        let b = render(
            "Body.",
            Some("Hi <script>alert(1)</script>"),
            &LinkBase::default(),
        );
        assert!(!b.summary_html.contains("<script>"), "{}", b.summary_html);
        assert!(b.summary_html.contains("&lt;script&gt;"));
    }

    #[test]
    fn bundle_files_resolve_to_the_page_url() {
        let assets = ["photo.png".to_string()];
        let links = LinkBase {
            root: "/club/",
            page_url: "/club/posts/recap/",
            assets: &assets,
        };
        let md = "![A team](photo.png) [other](other.png) [x](/events/x/) [y](//cdn.example/y)";
        let html = render(md, None, &links).content_html;
        assert!(
            html.contains(r#"src="/club/posts/recap/photo.png""#),
            "{html}"
        );
        assert!(html.contains(r#"href="other.png""#));
        assert!(
            html.contains(r#"href="/club/events/x/""#),
            "root-relative links move under the base path"
        );
        assert!(html.contains(r#"href="//cdn.example/y""#));
    }
}
