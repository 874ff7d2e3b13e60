//! Markdown: any body (and a front-matter summary after a `\x1e`) renders without
//! panicking; heading ids are unique and a front-matter summary cannot add a tag.

#![no_main]

use std::collections::BTreeSet;

use hearth::config::Markdown;
use hearth::content::markdown::{LinkBase, render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let (body, summary) = match input.split_once('\x1e') {
        Some((body, summary)) => (body, Some(summary)),
        None => (input, None),
    };
    let assets = ["photo.png".to_string()];
    let links = LinkBase {
        root: "/club/",
        page_url: "/club/posts/x/",
        assets: &assets,
    };
    let rendered = render(body, summary, &links, Markdown::default());
    let ids: BTreeSet<&str> = rendered.toc.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids.len(), rendered.toc.len(), "heading ids repeat");
    if summary.is_some() {
        // Raw HTML in front matter is escaped; markdown makes images, links and
        // footnote divs, never these.
        for tag in ["<script", "<iframe", "<style"] {
            assert!(
                !rendered.summary_html.contains(tag),
                "{:?}",
                rendered.summary_html
            );
        }
    }
});
