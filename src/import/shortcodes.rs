//! Bodies of old pages made plain markdown: the Hugo shortcodes, Liquid tags and Zola
//! links that have a markdown equivalent are converted; anything else that looks like
//! template syntax is left as written and reported with its line, so nobody is
//! surprised by `{{< tweet >}}` on a built page.
//!
//! The body is read line by line, passing over fenced code (where template syntax is
//! an example, not a tag) and `{% raw %}` blocks (whose inside is kept as it is).

/// A reference the old site resolved at build time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref<'a> {
    /// Hugo `{{< ref "x" >}}` / `relref`: a content path, maybe relative to the page.
    Hugo(&'a str),
    /// Jekyll `{% post_url 2019-05-15-name %}`.
    PostUrl(&'a str),
    /// Jekyll `{% link path/file.md %}`.
    Link(&'a str),
    /// Zola `@/path/file.md`.
    Zola(&'a str),
}

/// What the conversion needs to know about the rest of the site.
pub trait Lookup {
    /// The new URL of what `reference` names, if it was imported.
    fn resolve(&self, reference: Ref<'_>) -> Option<String>;
    /// A `site.NAME` value of the old configuration (Jekyll's `{{ site.title }}`).
    fn site_var(&self, name: &str) -> Option<String>;
}

/// A body after conversion, with what could not be converted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Converted {
    pub body: String,
    /// Line of the body (1-based) and the text left as written there.
    pub leftovers: Vec<(usize, String)>,
}

/// Where the line loop is.
enum State {
    Text,
    /// Inside a ``` or ~~~ fence: the marker that closes it.
    Fence(String),
    /// Inside `{% highlight %}` (Liquid) or `{{< highlight >}}` (Hugo).
    Highlight(&'static str),
    Raw,
}

const LIQUID_END_HIGHLIGHT: &str = "endhighlight";
const HUGO_END_HIGHLIGHT: &str = "/highlight";

/// Converts `body`, reporting leftovers by body line.
pub fn convert(body: &str, lookup: &dyn Lookup) -> Converted {
    let mut out = Converted::default();
    let mut state = State::Text;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let (text, newline) = match line.strip_suffix('\n') {
            Some(t) => (t.strip_suffix('\r').unwrap_or(t), "\n"),
            None => (line, ""),
        };
        let converted = match &mut state {
            State::Fence(marker) => {
                if text.trim_start().starts_with(marker.as_str()) {
                    state = State::Text;
                }
                text.to_string()
            }
            State::Highlight(end) => match highlight_close(text, end) {
                Some(before) => {
                    state = State::Text;
                    format!("{before}```")
                }
                None => text.to_string(),
            },
            State::Raw => match text
                .find("{% endraw %}")
                .or_else(|| text.find("{%- endraw -%}"))
            {
                Some(at) => {
                    state = State::Text;
                    let close_len = text[at..].find("%}").map_or(0, |e| e + 2);
                    let (rest, left) = inline(&text[at + close_len..], lookup, &mut state);
                    out.leftovers.extend(left.into_iter().map(|l| (i + 1, l)));
                    format!("{}{rest}", &text[..at])
                }
                None => text.to_string(),
            },
            State::Text => {
                let (t, left) = text_line(text, lookup, &mut state);
                out.leftovers.extend(left.into_iter().map(|l| (i + 1, l)));
                t
            }
        };
        out.body.push_str(&converted);
        out.body.push_str(newline);
    }
    if matches!(state, State::Highlight(_)) {
        // An unclosed highlight block still needs its fence closed.
        out.body.push_str("\n```\n");
    }
    out
}

/// A line outside any block: fences and highlight blocks open here.
fn text_line(text: &str, lookup: &dyn Lookup, state: &mut State) -> (String, Vec<String>) {
    let trimmed = text.trim_start();
    for marker in ["```", "~~~"] {
        if trimmed.starts_with(marker) {
            let len = trimmed.len()
                - trimmed
                    .trim_start_matches(marker.as_bytes()[0] as char)
                    .len();
            *state = State::Fence(trimmed[..len].to_string());
            return (text.to_string(), Vec::new());
        }
    }
    if let Some((lang, after)) = highlight_open(trimmed) {
        *state = State::Highlight(if trimmed.starts_with("{%") {
            LIQUID_END_HIGHLIGHT
        } else {
            HUGO_END_HIGHLIGHT
        });
        let mut out = format!("```{lang}");
        if let Some(close) = highlight_close(after, end_of(state)) {
            *state = State::Text;
            out = format!("{out}\n{close}```");
        } else if !after.trim().is_empty() {
            out = format!("{out}\n{after}");
        }
        return (out, Vec::new());
    }
    inline(text, lookup, state)
}

fn end_of(state: &State) -> &'static str {
    match state {
        State::Highlight(end) => end,
        _ => LIQUID_END_HIGHLIGHT,
    }
}

/// `{% highlight rust linenos %}` or `{{< highlight go "linenos=table" >}}` at the start
/// of a line: the language and the text after the tag.
fn highlight_open(trimmed: &str) -> Option<(String, &str)> {
    let (inner, after) = if let Some(rest) = trimmed.strip_prefix("{%") {
        let end = rest.find("%}")?;
        (&rest[..end], &rest[end + 2..])
    } else {
        let rest = trimmed.strip_prefix("{{<")?;
        let end = rest.find(">}}")?;
        (&rest[..end], &rest[end + 3..])
    };
    let words = words(inner.trim_matches('-'));
    if words.first().map(String::as_str) != Some("highlight") {
        return None;
    }
    let lang = words.get(1).cloned().unwrap_or_default();
    Some((lang, after))
}

/// The text before the closing tag, when `text` holds it.
fn highlight_close<'a>(text: &'a str, end: &str) -> Option<&'a str> {
    let (open, close) = if end == LIQUID_END_HIGHLIGHT {
        ("{%", "%}")
    } else {
        ("{{<", ">}}")
    };
    let at = text.find(open)?;
    let inner = &text[at + open.len()..];
    let stop = inner.find(close)?;
    (inner[..stop].trim().trim_matches('-').trim() == end).then_some(&text[..at])
}

/// Converts the tags of one line of text; returns the line and what was left.
fn inline(text: &str, lookup: &dyn Lookup, state: &mut State) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut left = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(['`', '{']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('`') {
            let (code, after) = code_span(rest);
            out.push_str(code);
            rest = after;
            continue;
        }
        match tag(rest) {
            Some(found) => {
                let whole = &rest[..found.len];
                match convert_tag(&found, lookup) {
                    Action::Replace(text) => out.push_str(&text),
                    Action::Keep => {
                        out.push_str(whole);
                        left.push(short(whole));
                    }
                    Action::StartRaw => {
                        let after = &rest[found.len..];
                        match after.find("{% endraw %}") {
                            Some(end) => {
                                out.push_str(&after[..end]);
                                rest = &after[end + "{% endraw %}".len()..];
                                continue;
                            }
                            None => {
                                out.push_str(after);
                                *state = State::Raw;
                                return (zola_links(&out, lookup, &mut left), left);
                            }
                        }
                    }
                }
                rest = &rest[found.len..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    (zola_links(&out, lookup, &mut left), left)
}

/// A code span from its opening backticks to the same number closing it (or the end).
fn code_span(text: &str) -> (&str, &str) {
    let ticks = text.len() - text.trim_start_matches('`').len();
    let marker = &text[..ticks];
    match text[ticks..].find(marker) {
        Some(end) => text.split_at(ticks + end + ticks),
        None => (text, ""),
    }
}

/// A template tag at the start of `text`.
struct Tag<'a> {
    kind: TagKind,
    /// The words inside the delimiters.
    inner: &'a str,
    /// Length of the whole tag in `text`.
    len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagKind {
    /// `{{< x >}}` or `{{% x %}}`
    Hugo,
    /// `{% x %}`
    Statement,
    /// `{{ x }}`
    Expression,
}

fn tag(text: &str) -> Option<Tag<'_>> {
    let (kind, open, close) = if text.starts_with("{{<") {
        (TagKind::Hugo, "{{<", ">}}")
    } else if text.starts_with("{{%") {
        (TagKind::Hugo, "{{%", "%}}")
    } else if text.starts_with("{%") {
        (TagKind::Statement, "{%", "%}")
    } else if text.starts_with("{{") {
        (TagKind::Expression, "{{", "}}")
    } else {
        return None;
    };
    let inner_start = open.len();
    let end = text[inner_start..].find(close)?;
    let inner = text[inner_start..inner_start + end]
        .trim()
        .trim_matches('-')
        .trim();
    Some(Tag {
        kind,
        inner,
        len: inner_start + end + close.len(),
    })
}

enum Action {
    Replace(String),
    Keep,
    StartRaw,
}

fn convert_tag(tag: &Tag<'_>, lookup: &dyn Lookup) -> Action {
    let words = words(tag.inner);
    let name = words.first().map_or("", String::as_str);
    match (tag.kind, name) {
        (TagKind::Statement, "raw") => Action::StartRaw,
        (TagKind::Statement, "endraw") => Action::Replace(String::new()),
        (TagKind::Statement, "post_url") => reference(words.get(1), lookup, |s| Ref::PostUrl(s)),
        (TagKind::Statement, "link") => reference(words.get(1), lookup, |s| Ref::Link(s)),
        (TagKind::Hugo, "ref" | "relref") => reference(words.get(1), lookup, |s| Ref::Hugo(s)),
        (TagKind::Hugo, "figure") => figure(&words),
        (TagKind::Hugo, "youtube" | "vimeo") => video(name, &words),
        (TagKind::Expression, _) => expression(tag.inner, lookup),
        _ => Action::Keep,
    }
}

fn reference(
    target: Option<&String>,
    lookup: &dyn Lookup,
    make: for<'a> fn(&'a str) -> Ref<'a>,
) -> Action {
    let Some(target) = target else {
        return Action::Keep;
    };
    let target = target.split('=').next_back().unwrap_or(target);
    let (path, anchor) = match target.split_once('#') {
        Some((p, a)) => (p, format!("#{a}")),
        None => (target, String::new()),
    };
    match lookup.resolve(make(path)) {
        Some(url) => Action::Replace(format!("{url}{anchor}")),
        None => Action::Keep,
    }
}

/// `{{< figure src="x.png" caption="..." alt="..." link="..." >}}` as an image with
/// its caption in italics below.
fn figure(words: &[String]) -> Action {
    let Some(src) = param(words, "src") else {
        return Action::Keep;
    };
    let caption = param(words, "caption").or_else(|| param(words, "title"));
    let alt = param(words, "alt")
        .or_else(|| caption.clone())
        .unwrap_or_default();
    let mut image = format!("![{}]({src})", escape_brackets(&alt));
    if let Some(link) = param(words, "link") {
        image = format!("[{image}]({link})");
    }
    match caption {
        Some(caption) if !caption.trim().is_empty() => {
            Action::Replace(format!("{image}\n\n*{}*", caption.trim()))
        }
        _ => Action::Replace(image),
    }
}

/// `{{< youtube ID >}}` / `{{< vimeo ID >}}` as a link to the video.
fn video(name: &str, words: &[String]) -> Action {
    let id = param(words, "id").or_else(|| words.get(1).filter(|w| !w.contains('=')).cloned());
    let Some(id) = id.filter(|id| {
        id.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
    }) else {
        return Action::Keep;
    };
    let title = param(words, "title").unwrap_or_else(|| "Watch the video".into());
    let url = if name == "youtube" {
        format!("https://www.youtube.com/watch?v={id}")
    } else {
        format!("https://vimeo.com/{id}")
    };
    Action::Replace(format!("[{}]({url})", escape_brackets(&title)))
}

/// `{{ site.title }}`, `{{ "/x/" | relative_url }}` and Zola's `{{ youtube(id="...") }}`.
fn expression(inner: &str, lookup: &dyn Lookup) -> Action {
    let mut filters = inner.split('|').map(str::trim);
    let head = filters.next().unwrap_or("");
    let filters: Vec<&str> = filters.collect();
    let only_url_filters = filters.iter().all(|f| {
        matches!(
            *f,
            "relative_url" | "absolute_url" | "prepend: site.baseurl"
        )
    });
    if let Some(name) = head.strip_prefix("site.")
        && filters.is_empty()
        && let Some(value) = lookup.site_var(name)
    {
        return Action::Replace(value);
    }
    let quoted = head.len() >= 2
        && ((head.starts_with('"') && head.ends_with('"'))
            || (head.starts_with('\'') && head.ends_with('\'')));
    if quoted && !filters.is_empty() && only_url_filters {
        return Action::Replace(head[1..head.len() - 1].to_string());
    }
    if let Some(args) = head
        .strip_prefix("youtube(")
        .and_then(|a| a.strip_suffix(')'))
    {
        let words: Vec<String> = std::iter::once("youtube".to_string())
            .chain(args.split(',').map(|a| a.trim().to_string()))
            .collect();
        return video("youtube", &words);
    }
    Action::Keep
}

/// Rewrites Zola's `](@/path.md)` and `]: @/path.md` links to new URLs.
fn zola_links(line: &str, lookup: &dyn Lookup, left: &mut Vec<String>) -> String {
    if !line.contains("@/") {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("@/") {
        let before = &rest[..at];
        let is_target = before.ends_with("](") || before.trim_end().ends_with("]:");
        out.push_str(before);
        let after = &rest[at + 2..];
        let end = after
            .find(|c: char| c == ')' || c.is_whitespace() || c == '"')
            .unwrap_or(after.len());
        let target = &after[..end];
        let (path, anchor) = match target.split_once('#') {
            Some((p, a)) => (p, format!("#{a}")),
            None => (target, String::new()),
        };
        match lookup.resolve(Ref::Zola(path)).filter(|_| is_target) {
            Some(url) => out.push_str(&format!("{url}{anchor}")),
            None => {
                if is_target {
                    left.push(format!("@/{target}"));
                }
                out.push_str(&rest[at..at + 2 + end]);
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Splits the inside of a tag into words; quotes (`"`, `'`, `` ` ``) hold spaces and
/// are removed; `key="a b"` stays one word `key=a b`.
fn words(inner: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in inner.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '"' || c == '\'' || c == '`' => {
                quote = Some(c);
                started = true;
            }
            None if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            None => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    out
}

/// The value of `key=value` among the words.
fn param(words: &[String], key: &str) -> Option<String> {
    words.iter().find_map(|w| {
        let (k, v) = w.split_once('=')?;
        (k.trim() == key).then(|| v.trim().to_string())
    })
}

fn escape_brackets(text: &str) -> String {
    text.replace('[', "\\[").replace(']', "\\]")
}

/// A leftover as shown in the report: at most 60 characters.
fn short(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

/// Whether `text` still holds template syntax outside code: for checking built pages.
pub fn looks_like_template(text: &str) -> bool {
    ["{{<", "{{%", "{%", "{{ "].iter().any(|m| text.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Site;
    impl Lookup for Site {
        fn resolve(&self, reference: Ref<'_>) -> Option<String> {
            match reference {
                Ref::Hugo("/community/code-of-conduct") | Ref::Hugo("about.md") => {
                    Some("/code-of-conduct/".into())
                }
                Ref::PostUrl("2019-05-15-old") => Some("/posts/old/".into()),
                Ref::Link("about.md") => Some("/about/".into()),
                Ref::Zola("blog/first.md") => Some("/posts/first/".into()),
                _ => None,
            }
        }
        fn site_var(&self, name: &str) -> Option<String> {
            (name == "title").then(|| "Rust Berlin".into())
        }
    }

    fn run(body: &str) -> Converted {
        convert(body, &Site)
    }

    #[test]
    fn hugo_figures_videos_and_refs_become_markdown() {
        let c = run(concat!(
            "{{< figure src=\"/img/a.png\" caption=\"Our table\" >}}\n",
            "{{< youtube dQw4w9WgXcQ >}}\n",
            "See [the code]({{< ref \"/community/code-of-conduct\" >}}).\n",
        ));
        assert_eq!(
            c.body,
            concat!(
                "![Our table](/img/a.png)\n\n*Our table*\n",
                "[Watch the video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)\n",
                "See [the code](/code-of-conduct/).\n",
            )
        );
        assert!(c.leftovers.is_empty());
    }

    #[test]
    fn highlight_blocks_become_fenced_code_and_their_inside_is_kept() {
        let c = run("{% highlight rust %}\nlet x = \"{{ y }}\";\n{% endhighlight %}\nafter\n");
        assert_eq!(c.body, "```rust\nlet x = \"{{ y }}\";\n```\nafter\n");
        let c = run("{{< highlight go \"linenos=table\" >}}\nfmt.Println()\n{{< /highlight >}}\n");
        assert_eq!(c.body, "```go\nfmt.Println()\n```\n");
        assert!(c.leftovers.is_empty());
    }

    #[test]
    fn liquid_raw_is_unwrapped_and_links_resolve() {
        let c =
            run("{% raw %}{{ not_a_tag }}{% endraw %} and [x]({% post_url 2019-05-15-old %})\n");
        assert_eq!(c.body, "{{ not_a_tag }} and [x](/posts/old/)\n");
        let c = run(
            "{% raw %}\n{% include x.html %}\n{% endraw %}\n[a]({% link about.md %}) {{ site.title }}\n",
        );
        assert_eq!(
            c.body,
            "\n{% include x.html %}\n\n[a](/about/) Rust Berlin\n"
        );
        assert!(c.leftovers.is_empty());
    }

    #[test]
    fn zola_internal_links_become_new_urls() {
        let c = run("[first](@/blog/first.md#intro) and [gone](@/blog/gone.md)\n");
        assert_eq!(
            c.body,
            "[first](/posts/first/#intro) and [gone](@/blog/gone.md)\n"
        );
        assert_eq!(c.leftovers, vec![(1, "@/blog/gone.md".to_string())]);
    }

    #[test]
    fn unknown_tags_are_kept_and_reported_but_code_is_not() {
        let c = run(concat!(
            "text\n",
            "{{< tweet 123 >}} and {% include card.html %}\n",
            "`{{ inline }}` code\n",
            "```\n{{< example >}}\n```\n",
            "{{ site.unknown }}\n",
        ));
        assert_eq!(
            c.leftovers,
            vec![
                (2, "{{< tweet 123 >}}".to_string()),
                (2, "{% include card.html %}".to_string()),
                (7, "{{ site.unknown }}".to_string()),
            ]
        );
        assert!(c.body.contains("{{< tweet 123 >}}"));
    }

    #[test]
    fn broken_syntax_never_panics() {
        for body in [
            "{{<",
            "{%",
            "{{ x",
            "`",
            "{% raw %}",
            "{% highlight %}",
            "@/",
            "{{< figure >}}",
            "é{{é",
        ] {
            let _ = run(body);
        }
    }
}
