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

/// Where the summary ends: the first `<!-- more -->`, written with or without the
/// spaces (Hugo and Jekyll sites write `<!--more-->`), in any case.
fn more_marker(body: &str) -> Option<usize> {
    body.match_indices("<!--").map(|(i, _)| i).find(|&i| {
        let inner = body[i + 4..].trim_start();
        inner
            .get(..4)
            .is_some_and(|word| word.eq_ignore_ascii_case("more"))
            && inner[4..].trim_start().starts_with("-->")
    })
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

/// How much markup one document may hold, weighed by what the parser makes of it:
/// a `[` counts 3 (a link's nodes and strings), a line break 2 (a text and a break),
/// each other character that can start markup (`*`, `<`, a backtick, ...) 1. The parser keeps a node of about 100
/// bytes for each, for the whole document at once, so 6 MB of one-letter lines
/// would take 600 MB; at this limit a document stays under 500 MB. A 20 MB post of
/// ordinary prose with a link or two per paragraph weighs about 1.5 million.
pub const MAX_MARKUP: usize = 3_000_000;

/// Why `body` is too big to render, and the byte offset where it becomes so: too
/// many table cells or too much markup.
pub fn too_big(body: &str) -> Option<(usize, String)> {
    if let Some((offset, cells)) = too_many_table_cells(body) {
        return Some((
            offset,
            format!(
                "the tables of this document have over {MAX_TABLE_CELLS} cells (about {cells} by here); split them up, or link a CSV file instead"
            ),
        ));
    }
    // No byte weighs more than 3: a document this short cannot pass the limit, and
    // nearly every real one is, so it costs nothing.
    if body.len().saturating_mul(3) <= MAX_MARKUP {
        return None;
    }
    let mut weight = 0usize;
    for (offset, byte) in body.bytes().enumerate() {
        weight += match byte {
            // A link or image makes several nodes and its own strings.
            b'[' => 3,
            b'\n' => 2,
            b'*' | b'_' | b'`' | b']' | b'!' | b'<' | b'&' | b'\\' | b'~' | b'|' => 1,
            _ => 0,
        };
        if weight > MAX_MARKUP {
            return Some((
                offset,
                format!(
                    "this document holds too much markup to render safely (over {MAX_MARKUP} line breaks and markup characters by here); split it into several documents"
                ),
            ));
        }
    }
    None
}

/// Where the document's tables first go past `MAX_TABLE_CELLS`: the byte offset in
/// `body` of the line where the count does, and the cells counted by then.
/// Counted from the text before parsing, because the parser allocates every cell of
/// the document before it hands out the first event. The count is an upper bound:
/// each line that looks like a delimiter row (in a quote or list too) starts a
/// table as wide as it has pipes, which runs to the next blank line, and the header
/// and every row count that width.
fn too_many_table_cells(body: &str) -> Option<(usize, usize)> {
    // A table needs a `|`; most documents have none.
    if !body.contains('|') {
        return None;
    }
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

/// The events of `text`, links resolved and guarded as `trust` asks, one at a time:
/// a document is never held whole as events (a few megabytes of short lines are
/// millions of them).
fn events<'a, 'l>(
    text: &'a str,
    trust: Trust,
    links: &'l LinkBase<'l>,
) -> Guard<'a, impl Iterator<Item = Event<'a>> + use<'a, 'l>> {
    Guard {
        inner: Parser::new_ext(text, options(trust)).map(|e| rewrite_link(e, links)),
        trust,
        dropped: Vec::new(),
        block: None,
        pending: Vec::new().into_iter(),
    }
}

/// Documents up to this size (bytes) are parsed once, their events kept for both
/// passes: at most some tens of megabytes of events.
const KEEP_EVENTS_BELOW: usize = 256 * 1024;

/// Renders a document body. The summary is `summary` when given (front-matter text:
/// raw HTML and attribute syntax in it stay text), else the text before
/// `<!-- more -->`, else the first paragraph.
///
/// Two passes over the events: one for what the HTML needs from further on (heading
/// ids, made unique in document order) and for the outline, then one into HTML as
/// the events come. A big document is parsed again for the second, so memory follows
/// the size of its HTML, not of its events.
pub fn render(body: &str, summary: Option<&str>, links: &LinkBase<'_>, markdown: Markdown) -> Body {
    let trust = if markdown.unsafe_html {
        Trust::Site
    } else {
        Trust::Body
    };
    // A small document is parsed once and its events kept; a big one is parsed
    // twice, so that its events are never all held at once.
    let kept: Option<Vec<Event<'_>>> =
        (body.len() <= KEEP_EVENTS_BELOW).then(|| events(body, trust, links).collect());
    let outline = match &kept {
        Some(kept) => Outline::of(kept.iter().cloned()),
        None => Outline::of(events(body, trust, links)),
    };
    let mut content_html = String::with_capacity(body.len() * 3 / 2);
    let mut ids = outline.toc.iter().map(|h| h.id.clone());
    let second: Box<dyn Iterator<Item = Event<'_>>> = match kept {
        Some(kept) => Box::new(kept.into_iter()),
        None => Box::new(events(body, trust, links)),
    };
    let with_ids = second.map(|event| match event {
        Event::Start(Tag::Heading {
            level,
            classes,
            attrs,
            ..
        }) => Event::Start(Tag::Heading {
            level,
            id: ids.next().map(CowStr::from),
            classes,
            attrs,
        }),
        other => other,
    });
    html::push_html(
        &mut content_html,
        Highlight::new(with_ids).flat_map(scrollable),
    );

    let summary_events: Vec<Event<'_>> = if let Some(text) = summary {
        events(text, Trust::FrontMatter, links).collect()
    } else if let Some(cut) = more_marker(body) {
        events(&body[..cut], trust, links).collect()
    } else {
        outline.first_paragraph
    };
    let summary_text = plain_text(&summary_events);
    let mut summary_html = String::new();
    html::push_html(&mut summary_html, summary_events.into_iter());

    Body {
        content_html: content_html.into(),
        summary_html,
        summary_text,
        text: outline.text.into(),
        toc: outline.toc,
        word_count: outline.word_count,
        key: 0,
    }
}

/// Template syntax of other generators that hearth does not run: the opening
/// characters and what they are, for the warning.
const LEFTOVERS: &[(&str, &str)] = &[
    ("{{<", "Hugo shortcode"),
    ("{{%", "Hugo shortcode"),
    ("{%", "Liquid tag"),
    ("{{ site.", "Liquid variable"),
    ("{{site.", "Liquid variable"),
    ("{{ page.", "Liquid variable"),
    ("{{page.", "Liquid variable"),
];

/// Where a body still holds another generator's template syntax (`{{< figure >}}`,
/// `{% include %}`, `{{ site.url }}`) outside code, which hearth prints as written:
/// the byte offset and what it looks like, in body order. Code spans and blocks are
/// left alone, since showing such syntax is what they are for.
pub fn template_leftovers(body: &str) -> Vec<(usize, &'static str)> {
    // Most bodies have none; they are not parsed again.
    if !body.contains("{{") && !body.contains("{%") {
        return Vec::new();
    }
    let code: Vec<std::ops::Range<usize>> = Parser::new_ext(body, options(Trust::Body))
        .into_offset_iter()
        .filter(|(event, _)| matches!(event, Event::Code(_) | Event::Start(Tag::CodeBlock(_))))
        .map(|(_, range)| range)
        .collect();
    let mut found: Vec<(usize, &'static str)> = LEFTOVERS
        .iter()
        .flat_map(|(open, what)| body.match_indices(open).map(move |(i, _)| (i, *what)))
        .filter(|(i, _)| !code.iter().any(|r| r.contains(i)))
        .collect();
    found.sort_unstable();
    // `{{%` is also found as `{%` one byte later.
    found.dedup_by(|later, earlier| later.0 == earlier.0 + 1 && earlier.1 == "Hugo shortcode");
    found
}

/// Keeps markup that content did not ask hearth for out of the events: raw HTML
/// becomes visible text (an author sees what did not render, and why), heading
/// attributes other than `#id` and `.class` go, and a link or image to
/// `javascript:`, `vbscript:` or `data:` keeps its text but loses its target. With
/// `Trust::Site` the events pass as they are.
struct Guard<'a, I> {
    inner: I,
    trust: Trust,
    /// For each open link or image: whether its start was dropped.
    dropped: Vec<bool>,
    /// The text of the raw HTML block being read.
    block: Option<String>,
    /// Events made from one input event, handed out next.
    pending: std::vec::IntoIter<Event<'a>>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Guard<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(event) = self.pending.next() {
                return Some(event);
            }
            let Some(event) = self.inner.next() else {
                let text = self.block.take()?;
                self.pending = html_block(text, self.trust).into_iter();
                continue;
            };
            if self.trust == Trust::Site {
                return Some(event);
            }
            if let Some(event) = self.step(event) {
                return Some(event);
            }
        }
    }
}

impl<'a, I> Guard<'a, I> {
    /// The event that `event` becomes, if any now; blocks go to `pending`.
    fn step(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        match (&mut self.block, event) {
            (None, Event::Start(Tag::HtmlBlock)) => {
                self.block = Some(String::new());
                None
            }
            (Some(text), Event::Html(h) | Event::Text(h)) => {
                text.push_str(&h);
                None
            }
            (Some(_), Event::End(TagEnd::HtmlBlock)) => {
                let text = self.block.take().unwrap_or_default();
                self.pending = html_block(text, self.trust).into_iter();
                None
            }
            (_, Event::Html(h) | Event::InlineHtml(h)) => Some(raw_html(h, self.trust)),
            (
                _,
                Event::Start(Tag::Heading {
                    level, id, classes, ..
                }),
            ) => Some(Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs: Vec::new(),
            })),
            (_, Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. }))) => {
                let script = match &tag {
                    Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                        is_script_like(dest_url)
                    }
                    _ => false,
                };
                self.dropped.push(script);
                (!script).then_some(Event::Start(tag))
            }
            (_, Event::End(end @ (TagEnd::Link | TagEnd::Image))) => {
                (!self.dropped.pop().unwrap_or(false)).then_some(Event::End(end))
            }
            (_, other) => Some(other),
        }
    }
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

/// Fenced code blocks in a known language replaced with highlighted HTML; only the
/// code block being read is held.
struct Highlight<'a, I> {
    inner: I,
    pending: std::vec::IntoIter<Event<'a>>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Highlight<'a, I> {
    fn new(inner: I) -> Self {
        Highlight {
            inner,
            pending: Vec::new().into_iter(),
        }
    }

    /// The rest of a code block in `lang` that began with `start`: one HTML event,
    /// or the block's own events when highlighting fails.
    fn block(&mut self, lang: &str, start: Event<'a>) -> Vec<Event<'a>> {
        let mut raw = vec![start];
        let mut code = String::new();
        for event in self.inner.by_ref() {
            match event {
                Event::End(TagEnd::CodeBlock) => {
                    if let Some(html) = highlight::highlight(&code, lang) {
                        return vec![Event::Html(CowStr::from(html))];
                    }
                    raw.push(Event::End(TagEnd::CodeBlock));
                    return raw;
                }
                Event::Text(text) => {
                    code.push_str(&text);
                    raw.push(Event::Text(text));
                }
                other => raw.push(other),
            }
        }
        raw
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Highlight<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.pending.next() {
            return Some(event);
        }
        match self.inner.next()? {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let start = Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info.clone())));
                match highlight::language(&info) {
                    Some(lang) => {
                        let lang = lang.to_string();
                        self.pending = self.block(&lang, start).into_iter();
                        self.pending.next()
                    }
                    None => Some(start),
                }
            }
            other => Some(other),
        }
    }
}

/// Code blocks and tables scroll sideways inside themselves on a narrow screen, so
/// they are made keyboard-focusable (a keyboard user can scroll them) and named for
/// screen readers, as WCAG 2.1.1 and axe's `scrollable-region-focusable` ask. A
/// table gets a wrapper that scrolls, so the table itself keeps its semantics.
/// (Highlighted blocks get the same attributes in `highlight`.)
fn scrollable(event: Event<'_>) -> impl Iterator<Item = Event<'_>> {
    const FOCUSABLE: &str = r#"tabindex="0" role="group""#;
    let (first, second) = match event {
        Event::Start(Tag::CodeBlock(kind)) => {
            let lang = match &kind {
                CodeBlockKind::Fenced(info) => highlight::language(info),
                CodeBlockKind::Indented => None,
            };
            let html = match lang {
                Some(lang) => {
                    let lang = crate::render::escape_html(lang);
                    format!(
                        r#"<pre {FOCUSABLE} aria-label="Code: {lang}"><code class="language-{lang}">"#
                    )
                }
                None => format!(r#"<pre {FOCUSABLE} aria-label="Code"><code>"#),
            };
            (Event::Html(CowStr::from(html)), None)
        }
        Event::End(TagEnd::CodeBlock) => (Event::Html(CowStr::from("</code></pre>\n")), None),
        Event::Start(Tag::Table(alignments)) => (
            Event::Html(CowStr::from(format!(
                r#"<div class="table-scroll" {FOCUSABLE} aria-label="Table">"#
            ))),
            Some(Event::Start(Tag::Table(alignments))),
        ),
        Event::End(TagEnd::Table) => (
            Event::End(TagEnd::Table),
            Some(Event::Html(CowStr::from("</div>\n"))),
        ),
        other => (other, None),
    };
    std::iter::once(first).chain(second)
}

/// The most events of the first paragraph kept as the summary; a longer first
/// paragraph is summarised by the start of its text.
const SUMMARY_EVENTS: usize = 4_096;
/// How much text of a too-long first paragraph the summary keeps.
const SUMMARY_CHARS: usize = 600;

/// What a document's HTML needs from further on, and what is said about it: the
/// headings with their unique ids, the words, and the first paragraph.
struct Outline<'a> {
    toc: Vec<Heading>,
    word_count: usize,
    /// The plain text of the whole document, whitespace collapsed.
    text: String,
    first_paragraph: Vec<Event<'a>>,
}

impl<'a> Outline<'a> {
    fn of(events: impl Iterator<Item = Event<'a>>) -> Outline<'a> {
        let mut outline = Outline {
            toc: Vec::new(),
            word_count: 0,
            text: String::new(),
            first_paragraph: Vec::new(),
        };
        let mut used = HashSet::new();
        // The heading being read: its level, written id and text so far.
        let mut heading: Option<(HeadingLevel, Option<String>, String)> = None;
        let mut depth = 0usize;
        // Whether the first top-level paragraph is being read, and was read.
        let (mut in_first, mut first_done) = (false, false);
        for event in events {
            if let Event::Text(t) | Event::Code(t) = &event {
                outline.word_count += t.split_whitespace().count();
                push_words(&mut outline.text, t);
                if let Some((_, _, text)) = &mut heading {
                    text.push_str(t);
                }
            }
            if matches!(
                event,
                Event::SoftBreak
                    | Event::HardBreak
                    | Event::End(
                        TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell
                    )
            ) {
                push_words(&mut outline.text, " ");
            }
            match &event {
                Event::Start(Tag::Heading { level, id, .. }) => {
                    heading = Some((*level, id.as_ref().map(|id| id.to_string()), String::new()));
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, id, title)) = heading.take() {
                        outline
                            .toc
                            .push(unique_heading(level, id, title, &mut used));
                    }
                }
                Event::Start(Tag::Paragraph) if depth == 0 && !first_done => in_first = true,
                _ => {}
            }
            match &event {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
            if in_first {
                let ends = depth == 0 && matches!(event, Event::End(TagEnd::Paragraph));
                outline.first_paragraph.push(event);
                if outline.first_paragraph.len() > SUMMARY_EVENTS {
                    // Enough to summarise it; the rest is not kept.
                    outline.first_paragraph = shortened(&outline.first_paragraph);
                    (in_first, first_done) = (false, true);
                } else if ends {
                    (in_first, first_done) = (false, true);
                }
            }
        }
        if !first_done {
            outline.first_paragraph.clear();
        }
        let end = outline.text.trim_end().len();
        outline.text.truncate(end);
        outline
    }
}

/// Appends `words` to `text` with every run of whitespace as one space, so the text
/// is collapsed as it is built (no second copy of a big document's text).
fn push_words(text: &mut String, words: &str) {
    for (i, word) in words.split(char::is_whitespace).enumerate() {
        if i > 0 && !text.is_empty() && !text.ends_with(' ') {
            text.push(' ');
        }
        text.push_str(word);
    }
    if words.ends_with(char::is_whitespace) && !text.is_empty() && !text.ends_with(' ') {
        text.push(' ');
    }
}

/// A first paragraph too long to be a summary, as a paragraph of its first words.
fn shortened<'a>(paragraph: &[Event<'a>]) -> Vec<Event<'a>> {
    let text = plain_text(paragraph);
    let mut cut: String = text.chars().take(SUMMARY_CHARS).collect();
    if cut.len() < text.len() {
        cut = cut
            .rsplit_once(' ')
            .map_or(cut.clone(), |(head, _)| head.to_string());
        cut.push_str(" …");
    }
    vec![
        Event::Start(Tag::Paragraph),
        Event::Text(CowStr::from(cut)),
        Event::End(TagEnd::Paragraph),
    ]
}

/// A heading of the outline: its own `{#id}` if written, else a slug of its text,
/// made unique within the document with `-1`, `-2`, ...
fn unique_heading(
    level: HeadingLevel,
    id: Option<String>,
    title: String,
    used: &mut HashSet<String>,
) -> Heading {
    let base = id.unwrap_or_else(|| {
        Slug::from_text(&title).map_or_else(|| "section".to_string(), |s| s.as_str().to_string())
    });
    let mut unique = base.clone();
    let mut n = 1;
    while !used.insert(unique.clone()) {
        unique = format!("{base}-{n}");
        n += 1;
    }
    Heading {
        level: heading_level(level),
        id: unique,
        title,
    }
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
            b.content_html
                .get()
                .contains(r#"<h2 id="getting-started">"#),
            "{}",
            b.content_html.get()
        );
        assert!(
            b.content_html
                .get()
                .contains(r#"<h2 id="getting-started-1">"#)
        );
        assert!(b.content_html.get().contains(r#"<h3 id="here">"#));
        let ids: Vec<_> = b.toc.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["getting-started", "getting-started-1", "here"]);
    }

    #[test]
    fn tables_and_code_blocks_can_be_scrolled_from_the_keyboard() {
        let b = md("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nplain\n```\n\n    indented\n");
        assert!(
            b.content_html.get().contains(
                r#"<div class="table-scroll" tabindex="0" role="group" aria-label="Table"><table>"#
            ),
            "{}",
            b.content_html.get()
        );
        assert!(
            b.content_html.get().contains("</table>\n</div>"),
            "{}",
            b.content_html.get()
        );
        assert!(
            b.content_html
                .get()
                .contains(r#"<pre tabindex="0" role="group" aria-label="Code"><code>plain"#),
            "{}",
            b.content_html.get()
        );
        assert_eq!(b.content_html.get().matches("tabindex=\"0\"").count(), 3);
    }

    #[test]
    fn the_plain_text_of_the_whole_body_is_kept_for_search() {
        let b = md(
            "# Title\n\nFirst *para*\ngraph.\n\n- one\n- two `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert_eq!(b.text.get(), "Title First para graph. one two code a b 1 2");
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
                b.content_html.get().contains(needle),
                "{needle} missing in {}",
                b.content_html.get()
            );
        }
    }

    #[test]
    fn the_summary_is_the_more_marker_then_the_first_paragraph() {
        let b = md("# Title\n\nFirst *para*.\n\nSecond.\n");
        assert_eq!(b.summary_html.trim(), "<p>First <em>para</em>.</p>");
        assert_eq!(b.summary_text, "First para.");
        for marker in ["<!-- more -->", "<!--more-->", "<!--  MORE-->"] {
            let b = md(&format!("One.\n\nTwo.\n\n{marker}\n\nThree.\n"));
            assert!(b.summary_html.contains("Two."), "{marker}");
            assert!(!b.summary_html.contains("Three."), "{marker}");
        }
        assert!(md("One.\n\n<!--moreover-->\n\nTwo.\n").summary_text == "One.");
    }

    #[test]
    fn template_syntax_outside_code_is_found() {
        let body = "A {{< figure src=\"a.png\" >}} and {{% note %}}.\n\n`{% raw %}` is code.\n\n```\n{{ site.url }}\n```\n\n{% include x.html %} {{ site.title }}\n";
        let found: Vec<(&str, &str)> = template_leftovers(body)
            .into_iter()
            .map(|(i, what)| (&body[i..i + 3], what))
            .collect();
        assert_eq!(
            found,
            [
                ("{{<", "Hugo shortcode"),
                ("{{%", "Hugo shortcode"),
                ("{% ", "Liquid tag"),
                ("{{ ", "Liquid variable")
            ]
        );
        assert!(template_leftovers("Set {x} and {{y}}.").is_empty());
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
        let html = md(body).content_html.get().into_owned();
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
        let html = render(body, None, &LinkBase::default(), site)
            .content_html
            .get()
            .into_owned();
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
        let html = md("## Hi {#here .note onclick=alert(1) style=x}\n")
            .content_html
            .get()
            .into_owned();
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
        let html = md(body).content_html.get().into_owned();
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
        let html = md("[e](&#106;ava&#115;cript&#58;x)")
            .content_html
            .get()
            .into_owned();
        assert_eq!(html.trim(), "<p>e</p>");
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
        let html = render(md, None, &links, Markdown::default())
            .content_html
            .get()
            .into_owned();
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
