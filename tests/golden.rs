//! The example site's output is pinned: the hash of every file, recorded in
//! `tests/fixtures/example-site.sums`. Speed work (parallel loading and rendering,
//! caches) must not change a byte. When output is meant to change, regenerate the
//! list with `HEARTH_UPDATE_GOLDEN=1 cargo test --test golden` and review the diff.

mod common;

use common::{Site, repo_root, snapshot};

/// FNV-1a, 64 bits: enough to notice any change, with no dependency.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn the_example_site_builds_to_exactly_the_recorded_bytes() {
    let site = Site::copy_of(&repo_root().join("example-site"));
    site.build(&[]).success();
    let sums: String = snapshot(&site.public())
        .into_iter()
        .map(|(path, bytes)| {
            format!(
                "{:016x} {:>7} {}\n",
                fnv(&bytes),
                bytes.len(),
                path.display()
            )
        })
        .collect();
    let recorded_path = repo_root().join("tests/fixtures/example-site.sums");
    if std::env::var_os("HEARTH_UPDATE_GOLDEN").is_some() {
        std::fs::write(&recorded_path, &sums).expect("write the sums");
        return;
    }
    let recorded =
        std::fs::read_to_string(&recorded_path).expect("tests/fixtures/example-site.sums");
    let changed: Vec<&str> = sums
        .lines()
        .filter(|l| !recorded.lines().any(|r| r == *l))
        .chain(recorded.lines().filter(|r| !sums.lines().any(|l| l == *r)))
        .collect();
    assert!(
        changed.is_empty(),
        "output changed:\n{}",
        changed.join("\n")
    );
}
