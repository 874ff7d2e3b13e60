//! The proof that rebuilding into the previous output is safe: for random sequences
//! of edits (`common::edits`: a post's body, title, date, tags, authors, draft flag;
//! deleting and renaming posts; a template, the layout, one macro, the config, a
//! static file, a data file, a member's name; the clock passing an event's start),
//! each build into the same `public/` (with its manifest and the body cache in
//! `.hearth/cache/`) gives exactly the bytes of a full build of a fresh copy of the
//! site into a new folder; files whose bytes did not change keep their inode and
//! modification time; and a failed build changes nothing.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::edits::{Edit, World, edit};
use common::{copy_tree, proptest_cases, snapshot, stats};
use proptest::prelude::*;

fn files_of(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    if dir.exists() {
        snapshot(dir)
    } else {
        BTreeMap::new()
    }
}

proptest! {
    #![proptest_config(proptest_cases(8))]

    #[test]
    fn every_rebuild_equals_a_full_build_and_leaves_unchanged_files_alone(
        edits in prop::collection::vec(edit(true), 1..6),
    ) {
        rebuilds_equal_full_builds(&edits)?;
    }
}

/// A page is made again only when a template or macro it reaches changed (the keys
/// of `render::TemplateKeys`): after edits of `post.html`, of the layout and of
/// single macros of `macros.html`, one after the other, each rebuild still equals a
/// full build.
#[test]
fn template_edits_make_again_the_pages_that_use_them() -> Result<(), TestCaseError> {
    rebuilds_equal_full_builds(&[
        Edit::Template(Some(0)),
        Edit::Layout(Some(1)),
        Edit::Body(0, vec![1]),
        Edit::Template(Some(2)),
        Edit::Layout(Some(2)),
        Edit::Template(None),
        Edit::Layout(None),
        Edit::Macros(Some(0)),
        Edit::Macros(Some(1)),
        Edit::Body(0, vec![2]),
        Edit::Macros(Some(3)),
        Edit::Macros(Some(2)),
        Edit::Macros(None),
    ])
}

/// Applies `edits` one by one, rebuilding into the same output after each, and
/// checks the output against a full build into a new folder, and that files with
/// the same bytes were left alone.
fn rebuilds_equal_full_builds(edits: &[Edit]) -> Result<(), TestCaseError> {
    let mut world = World::new();
    let public = world.site.public();
    world.build(world.site.path(), &public, None).success();
    for edit in edits {
        world.apply(edit);
        let before = files_of(&public);
        let before_stats = stats(&public);
        let run = world.build(world.site.path(), &public, None);

        let fresh = tempfile::tempdir().expect("temp dir");
        let copy = fresh.path().join("site");
        copy_tree(world.site.path(), &copy);
        let _ = std::fs::remove_dir_all(copy.join(".hearth"));
        let full_out = fresh.path().join("out");
        let full = world.build(&copy, &full_out, None);

        prop_assert_eq!(
            run.code,
            full.code,
            "after {:?}: {}\n{}",
            edit,
            run.stderr,
            full.stderr
        );
        if run.code != Some(0) {
            prop_assert!(
                files_of(&public) == before,
                "a failed build changed the output"
            );
            prop_assert!(
                stats(&public) == before_stats,
                "a failed build touched files"
            );
            continue;
        }
        let after = files_of(&public);
        let wanted = files_of(&full_out);
        let differing: std::collections::BTreeSet<&PathBuf> = after
            .keys()
            .chain(wanted.keys())
            .filter(|rel| after.get(*rel) != wanted.get(*rel))
            .collect();
        prop_assert!(
            differing.is_empty(),
            "after {:?}, differs from a full build: {:?}",
            edit,
            differing
        );
        let after_stats = stats(&public);
        for (rel, bytes) in &after {
            if before.get(rel) == Some(bytes) {
                prop_assert_eq!(
                    before_stats.get(rel),
                    after_stats.get(rel),
                    "after {:?}, {} was rewritten with the same bytes",
                    edit,
                    rel.display()
                );
            }
        }
    }
    Ok(())
}
