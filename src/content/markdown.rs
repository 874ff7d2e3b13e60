//! Markdown bodies to HTML: CommonMark plus tables, footnotes, strikethrough and task
//! lists; stable heading ids; a summary; links to a bundle's own files made absolute;
//! raw HTML, heading attributes and script links kept out unless the site allows them.

use std::collections::HashSet;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html,
};

use super::highlight;

use crate::config::Markdown;
use crate::model::url::is_script_like;
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

/// Every input of `render`: body, summary, base path, page URL, bundle files, and
/// the `[markdown]` options.
type CacheKey = (
    String,
    Option<String>,
    String,
    String,
    Vec<String>,
    Markdown,
);

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
    pub fn render(
        &self,
        body: &str,
        summary: Option<&str>,
        links: &LinkBase<'_>,
        markdown: Markdown,
    ) -> Body {
        let key: CacheKey = (
            body.to_string(),
            summary.map(str::to_string),
            links.root.to_string(),
            links.page_url.to_string(),
            links.assets.to_vec(),
            markdown,
        );
        let current = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut entries) = self.entries.lock()
            && let Some((cached, used)) = entries.get_mut(&key)
        {
            *used = current;
            return cached.clone();
        }
        let rendered = render(body, summary, links, markdown);
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

/// Who wrote the text being rendered, which decides what of it may become markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// A body on a site with `unsafe_html = true`: rendered as written.
    Site,
    /// A body: raw HTML is shown as text (plain comments such as `<!-- more -->`
    /// stay), headings keep only `#id` and `.class`, script links lose their target.
    Body,
    /// Front-matter text (`summary`): as `Body`, and no attribute syntax or comments.
    FrontMatter,
}

fn options(trust: Trust) -> Options {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION;
    match trust {
        Trust::Site | Trust::Body => options | Options::ENABLE_HEADING_ATTRIBUTES,
        Trust::FrontMatter => options,
    }
}

/// The events of `text`, links resolved and guarded as `trust` asks.
fn events<'a>(text: &'a str, trust: Trust, links: &LinkBase<'_>) -> Vec<Event<'a>> {
    let events = Parser::new_ext(text, options(trust)).map(|e| rewrite_link(e, links));
    match trust {
        Trust::Site => events.collect(),
        Trust::Body | Trust::FrontMatter => guard(events, trust),
    }
}

/// Renders a document body. The summary is `summary` when given (front-matter text:
/// raw HTML and attribute syntax in it stay text), else the text before
/// `<!-- more -->`, else the first paragraph.
pub fn render(body: &str, summary: Option<&str>, links: &LinkBase<'_>, markdown: Markdown) -> Body {
    let trust = if markdown.unsafe_html {
        Trust::Site
    } else {
        Trust::Body
    };
    let events = with_heading_ids(events(body, trust, links));
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
        self::events(text, Trust::FrontMatter, links)
    } else if let Some(cut) = body.find(MORE_MARKER) {
        self::events(&body[..cut], trust, links)
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

/// Keeps markup that content did not ask hearth for out of `events`: raw HTML becomes
/// visible text (an author sees what did not render, and why), heading attributes
/// other than `#id` and `.class` go, and a link or image to `javascript:`,
/// `vbscript:` or `data:` keeps its text but loses its target.
fn guard<'a>(events: impl Iterator<Item = Event<'a>>, trust: Trust) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    // For each open link or image: whether its start was dropped.
    let mut dropped = Vec::new();
    let mut block: Option<String> = None;
    for event in events {
        match (&mut block, event) {
            (None, Event::Start(Tag::HtmlBlock)) => block = Some(String::new()),
            (Some(text), Event::Html(h) | Event::Text(h)) => text.push_str(&h),
            (Some(_), Event::End(TagEnd::HtmlBlock)) => {
                out.extend(html_block(block.take().unwrap_or_default(), trust));
            }
            (_, Event::Html(h) | Event::InlineHtml(h)) => out.push(raw_html(h, trust)),
            (
                _,
                Event::Start(Tag::Heading {
                    level, id, classes, ..
                }),
            ) => {
                out.push(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs: Vec::new(),
                }));
            }
            (_, Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. }))) => {
                let script = match &tag {
                    Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                        is_script_like(dest_url)
                    }
                    _ => false,
                };
                dropped.push(script);
                if !script {
                    out.push(Event::Start(tag));
                }
            }
            (_, Event::End(end @ (TagEnd::Link | TagEnd::Image))) => {
                if !dropped.pop().unwrap_or(false) {
                    out.push(Event::End(end));
                }
            }
            (_, other) => out.push(other),
        }
    }
    if let Some(text) = block {
        out.extend(html_block(text, trust));
    }
    out
}

/// A raw HTML block of a body or summary: a plain comment in a body stays, anything
/// else becomes a paragraph of its text.
fn html_block<'a>(text: String, trust: Trust) -> Vec<Event<'a>> {
    if trust == Trust::Body && is_plain_comment(&text) {
        return vec![
            Event::Start(Tag::HtmlBlock),
            Event::Html(CowStr::from(text)),
            Event::End(TagEnd::HtmlBlock),
        ];
    }
    vec![
        Event::Start(Tag::Paragraph),
        Event::Text(CowStr::from(text.trim_end().to_string())),
        Event::End(TagEnd::Paragraph),
    ]
}

fn raw_html(html: CowStr<'_>, trust: Trust) -> Event<'_> {
    if trust == Trust::Body && is_plain_comment(&html) {
        Event::InlineHtml(html)
    } else {
        Event::Text(html)
    }
}

/// `<!-- text -->` and nothing else: a comment no browser can end early, so the
/// text after it cannot become markup.
fn is_plain_comment(html: &str) -> bool {
    let html = html.trim();
    let Some(inner) = html
        .strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
    else {
        return false;
    };
    !inner.contains("--")
        && !inner.starts_with('>')
        && !inner.starts_with("->")
        && !inner.ends_with('-')
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
        render(body, None, &LinkBase::default(), Markdown::default())
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
            Markdown::default(),
        );
        assert!(!b.summary_html.contains("<script>"), "{}", b.summary_html);
        assert!(b.summary_html.contains("&lt;script&gt;"));
    }

    #[test]
    fn raw_html_in_a_body_is_text_unless_the_site_allows_it() {
        let body = "<div onclick=x>\n\nA <b>b</b> <!-- note -->\n\n<!-- more -->\n\n<!-- a --><script>x</script>\n";
        let html = md(body).content_html;
        for kept in [
            "<!-- note -->",
            "<!-- more -->",
            "&lt;div onclick=x&gt;",
            "&lt;b&gt;",
        ] {
            assert!(html.contains(kept), "{kept} missing in {html}");
        }
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );
        let site = Markdown { unsafe_html: true };
        let html = render(body, None, &LinkBase::default(), site).content_html;
        assert!(html.contains("<div onclick=x>") && html.contains("<script>x</script>"));
    }

    #[test]
    fn only_plain_comments_count_as_comments() {
        assert!(is_plain_comment("<!-- more -->\n"));
        for not in [
            "<!-->",
            "<!--->",
            "<!-- a --><b>",
            "<!-- a -- b -->",
            "<!--->-->",
            "<p>",
        ] {
            assert!(!is_plain_comment(not), "{not}");
        }
    }

    #[test]
    fn headings_keep_only_id_and_class_of_their_attributes() {
        let html = md("## Hi {#here .note onclick=alert(1) style=x}\n").content_html;
        assert!(html.contains(r#"<h2 id="here" class="note">"#), "{html}");
        assert!(
            !html.contains("onclick") && !html.contains("style"),
            "{html}"
        );
    }

    #[test]
    fn a_front_matter_summary_has_no_attribute_syntax() {
        let b = render(
            "Body.",
            Some("# Hi {onmouseover=alert(1) #x}"),
            &LinkBase::default(),
            Markdown { unsafe_html: true },
        );
        assert_eq!(
            b.summary_html.trim(),
            "<h1>Hi {onmouseover=alert(1) #x}</h1>"
        );
    }

    #[test]
    fn script_and_data_links_keep_their_text_and_lose_their_target() {
        let body = "[a](javascript:alert(1)) [b](<VBScript:x>) ![c](data:image/png;base64,x) [d](/ok/) <javascript:y>";
        let html = md(body).content_html;
        assert!(!html.to_lowercase().contains("script:x\""), "{html}");
        assert!(
            !html.contains("href=\"javascript") && !html.contains("src="),
            "{html}"
        );
        assert!(
            html.contains("<p>a b c <a href=\"/ok/\">d</a> javascript:y</p>"),
            "{html}"
        );
        let summary = render(
            "B.",
            Some("[a](javascript:x)"),
            &LinkBase::default(),
            Markdown::default(),
        );
        assert_eq!(summary.summary_html.trim(), "<p>a</p>");
        // Markdown decodes entities in a destination before the check sees it.
        let html = md("[e](&#106;ava&#115;cript&#58;x)").content_html;
        assert_eq!(html.trim(), "<p>e</p>");
    }

    #[test]
    fn the_cache_keeps_bodies_apart_by_their_markdown_options() {
        let cache = BodyCache::default();
        let links = LinkBase::default();
        let safe = cache.render("<b>x</b>", None, &links, Markdown::default());
        let raw = cache.render("<b>x</b>", None, &links, Markdown { unsafe_html: true });
        assert!(
            safe.content_html.contains("&lt;b&gt;"),
            "{}",
            safe.content_html
        );
        assert!(
            raw.content_html.contains("<b>x</b>"),
            "{}",
            raw.content_html
        );
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
        let html = render(md, None, &links, Markdown::default()).content_html;
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
