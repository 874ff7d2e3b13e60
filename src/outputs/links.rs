//! Making the links of an HTML fragment absolute against the page it came from, for
//! places where no page URL resolves them (email, feeds): `../other/`, `notes.pdf`,
//! `#details`, `/x`, `?q` and `//cdn.example/x` all become `https://` URLs; links
//! with a scheme (`http:`, `mailto:`, `tel:`) stay as written.

/// Rewrites the `href` and `src` attributes of `html` against `page`, the absolute
/// URL of the page the HTML belongs to (`https://example.org/posts/a/`).
pub fn absolute_links(html: &str, page: &str) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some((start, quote)) = next_attribute(rest) {
        let (before, value_and_after) = rest.split_at(start);
        out.push_str(before);
        let end = value_and_after.find(quote).unwrap_or(value_and_after.len());
        out.push_str(&resolve(page, &value_and_after[..end]));
        rest = &value_and_after[end..];
    }
    out.push_str(rest);
    out
}

/// Where the value of the next ` href="` / ` src="` starts, and its quote.
fn next_attribute(html: &str) -> Option<(usize, char)> {
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(i) = html[from..].find(['h', 's']).map(|i| i + from) {
        from = i + 1;
        let preceded = i > 0 && bytes[i - 1].is_ascii_whitespace();
        for name in ["href=", "src="] {
            if preceded && html[i..].starts_with(name) {
                let q = i + name.len();
                if let Some(&b) = bytes.get(q)
                    && (b == b'"' || b == b'\'')
                {
                    return Some((q + 1, b as char));
                }
            }
        }
    }
    None
}

/// `link` resolved against the absolute URL `page` (RFC 3986, section 5.2, for the
/// forms HTML content uses).
pub fn resolve(page: &str, link: &str) -> String {
    let link = link.trim();
    let (scheme, after_scheme) = page.split_once("://").unwrap_or(("https", page));
    let authority_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let origin = format!("{scheme}://{}", &after_scheme[..authority_end]);
    let path_and_more = &after_scheme[authority_end..];
    let no_fragment = page.split('#').next().unwrap_or(page);
    if has_scheme(link) {
        return link.to_string();
    }
    if let Some(rest) = link.strip_prefix("//") {
        return format!("https://{rest}");
    }
    if link.is_empty() {
        return no_fragment.to_string();
    }
    if link.starts_with('#') {
        return format!("{no_fragment}{link}");
    }
    let page_path = path_and_more
        .split(['?', '#'])
        .next()
        .filter(|p| !p.is_empty())
        .unwrap_or("/");
    if link.starts_with('?') {
        return format!("{origin}{page_path}{link}");
    }
    let (link_path, tail) = link
        .find(['?', '#'])
        .map_or((link, ""), |i| (&link[..i], &link[i..]));
    let joined = if link_path.starts_with('/') {
        link_path.to_string()
    } else {
        let dir = &page_path[..page_path.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{link_path}")
    };
    format!("{origin}{}{tail}", remove_dot_segments(&joined))
}

/// Whether `link` starts with a URL scheme (`mailto:`, `https:`).
fn has_scheme(link: &str) -> bool {
    match link.find(':') {
        Some(i) if i > 0 => {
            let scheme = &link[..i];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        _ => false,
    }
}

/// `/a/b/../c/./d` -> `/a/c/d`; never above the root.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                out.pop();
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    format!("/{}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_form_is_resolved_against_its_page() {
        let page = "https://ex.org/posts/a/";
        for (link, want) in [
            ("../b/", "https://ex.org/posts/b/"),
            ("notes.pdf", "https://ex.org/posts/a/notes.pdf"),
            ("./img/x.png", "https://ex.org/posts/a/img/x.png"),
            ("#details", "https://ex.org/posts/a/#details"),
            ("?page=2", "https://ex.org/posts/a/?page=2"),
            ("/about/", "https://ex.org/about/"),
            ("//cdn.org/c.js", "https://cdn.org/c.js"),
            ("http://old.org/", "http://old.org/"),
            ("mailto:a@b.org", "mailto:a@b.org"),
            ("tel:+4930123", "tel:+4930123"),
            ("../../../../x", "https://ex.org/x"),
            ("b/../c#top", "https://ex.org/posts/a/c#top"),
        ] {
            assert_eq!(resolve(page, link), want, "{link}");
        }
        assert_eq!(resolve("https://ex.org", "x/"), "https://ex.org/x/");
    }

    #[test]
    fn only_href_and_src_attributes_change() {
        let html = r##"<a href="/posts/a/">a</a> <img src="x.png"> <a href="https://b.org/">b</a> <a data-href="y">c</a> <a href='#top'>t</a> href="z""##;
        let out = absolute_links(html, "https://ex.org/p/");
        assert_eq!(
            out,
            r##"<a href="https://ex.org/posts/a/">a</a> <img src="https://ex.org/p/x.png"> <a href="https://b.org/">b</a> <a data-href="y">c</a> <a href='https://ex.org/p/#top'>t</a> href="https://ex.org/p/z""##
        );
    }
}
