//! Slugs: whatever text a file name or front matter holds, a slug is one plain,
//! non-empty folder name, and slugging it again changes nothing.

#![no_main]

use std::path::{Component, Path};

use hearth::model::{Kind, Permalinks, Slug};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Some(slug) = Slug::from_text(text) else {
        return;
    };
    let s = slug.as_str();
    assert!(!s.is_empty());
    assert!(
        !s.contains(['/', '\\', '.']) && !s.contains(|c: char| c.is_whitespace() || c.is_control()),
        "{s:?} from {text:?}"
    );
    assert!(
        !s.starts_with('-') && !s.ends_with('-') && !s.contains("--"),
        "{s:?}"
    );
    assert_eq!(
        Slug::from_text(s).as_ref(),
        Some(&slug),
        "not idempotent for {text:?}"
    );
    let rel = Permalinks::default().route("/", Kind::Post, &slug, None).file;
    let parts: Vec<Component<'_>> = Path::new(&rel).components().collect();
    assert_eq!(parts.len(), 3, "{rel:?}");
    assert!(
        parts.iter().all(|c| matches!(c, Component::Normal(_))),
        "{rel:?}"
    );
});
