//! Just enough HTML reading for link checking: the `href`, `src` and `id` attributes
//! of every tag, skipping comments and the raw text of `<script>` and `<style>`.

/// What one page links to and which anchors it offers.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PageRefs {
    /// `href` and `src` values, entities decoded, in document order.
    pub links: Vec<String>,
    /// `id` values (and `name` of `<a>`), the page's `#anchors`.
    pub ids: Vec<String>,
}

pub fn scan(html: &str) -> PageRefs {
    let mut refs = PageRefs::default();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[..end];
        rest = &rest[(end + 1).min(rest.len())..];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        for (attr, value) in attributes(&tag[name.len()..]) {
            match attr.as_str() {
                "href" | "src" => refs.links.push(value),
                "id" => refs.ids.push(value),
                "name" if name == "a" => refs.ids.push(value),
                _ => {}
            }
        }
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            rest = find_ignore_case(rest, &close).map_or("", |i| &rest[i..]);
        }
    }
    refs
}

/// Index of the `>` closing a tag, outside quoted attribute values.
fn tag_end(tag: &str) -> usize {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i,
            _ => {}
        }
    }
    tag.len()
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .to_ascii_lowercase()
        .find(&needle.to_ascii_lowercase())
}

/// `(name, value)` pairs of a tag's attribute text, names lower-cased.
fn attributes(mut text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        let name_len = text
            .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(text.len());
        if name_len == 0 {
            return out;
        }
        let name = text[..name_len].to_ascii_lowercase();
        text = text[name_len..].trim_start();
        let Some(after_eq) = text.strip_prefix('=') else {
            out.push((name, String::new()));
            continue;
        };
        let after_eq = after_eq.trim_start();
        let (value, rest) = match after_eq.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = &after_eq[1..];
                let end = body.find(q).unwrap_or(body.len());
                (&body[..end], &body[(end + 1).min(body.len())..])
            }
            _ => {
                let end = after_eq.find(char::is_whitespace).unwrap_or(after_eq.len());
                (&after_eq[..end], &after_eq[end..])
            }
        };
        out.push((name, decode_entities(value)));
        text = rest;
    }
}

/// Decodes the character references hearth and markdown produce in attributes.
fn decode_entities(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_ids_are_found_in_any_attribute_style() {
        let refs = scan(
            r#"<a href="/a/" id=top>x</a><IMG SRC='/i.png' alt="a > b"><h2 id="s-1">t</h2><a name="old">o</a><link rel=stylesheet href=/s.css>"#,
        );
        assert_eq!(refs.links, ["/a/", "/i.png", "/s.css"]);
        assert_eq!(refs.ids, ["top", "s-1", "old"]);
    }

    #[test]
    fn comments_scripts_and_styles_are_skipped() {
        let refs = scan(
            r#"<!-- <a href="/no/"> --><script>let s = "<a href='/no/'>";</script><style>a[href="/no/"]{}</style><a href="/yes/?a=1&amp;b=2">y</a>"#,
        );
        assert_eq!(refs.links, ["/yes/?a=1&b=2"]);
    }

    #[test]
    fn broken_markup_does_not_panic() {
        for html in [
            "<",
            "<a href=\"",
            "<a href='x",
            "<!--",
            "<script>",
            "<a =x>",
            "<é href=/x>",
        ] {
            let _ = scan(html);
        }
    }
}
