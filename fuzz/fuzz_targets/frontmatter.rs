//! Front matter: any text is split at its fences, parsed as TOML or YAML into the
//! loosest typed struct and into free `extra` fields, and every problem found is
//! rendered with its source line as `hearth build` would show it.

#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hearth::content::frontmatter::{self, DateText, Extra};
use hearth::diag::{self, Diagnostics};
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

/// Any keys hearth's documents use, in their loosest types.
#[derive(Debug, Deserialize)]
#[allow(dead_code)] // fields are only deserialised
struct AnyFrontMatter {
    title: Option<String>,
    date: Option<DateText>,
    start: Option<DateText>,
    slug: Option<String>,
    draft: Option<bool>,
    tags: Option<Vec<String>>,
    menu: Option<i64>,
    links: Option<BTreeMap<String, String>>,
    #[serde(default)]
    extra: Extra,
}

/// A folder of this process where the input is written, so diagnostics can attach
/// their source lines the way a build does.
fn site_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("hearth-fuzz-frontmatter-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        dir
    })
}

fn is_slice_of(part: &str, whole: &str) -> bool {
    let range = whole.as_bytes().as_ptr_range();
    let start = part.as_ptr();
    start >= range.start && start.wrapping_add(part.len()) <= range.end
}

fuzz_target!(|text: &str| {
    let Ok(split) = frontmatter::split(text) else {
        return;
    };
    assert!(is_slice_of(split.front, text) && is_slice_of(split.body, text));
    assert!(split.front.as_ptr() <= split.body.as_ptr());
    let path = Path::new("a.md");
    let mut diags = Diagnostics::default();
    let typed = frontmatter::parse::<AnyFrontMatter>(&split, path, &mut diags);
    assert!(typed.is_some() || diags.has_errors());
    let _ = frontmatter::parse::<Extra>(&split, path, &mut diags);
    for key in ["title", "date", "extra", "links"] {
        let _ = frontmatter::value_location(split.front, key, split.front_line);
        let _ = frontmatter::table_key_line(split.front, "extra", key);
    }
    if diags.items().is_empty() {
        return;
    }
    std::fs::write(site_dir().join(path), text).expect("the input written");
    let mut items = diags.into_items();
    diag::attach_sources(&mut items, site_dir());
    for d in &items {
        let _ = d.render(false);
        let _ = d.render(true);
    }
});
