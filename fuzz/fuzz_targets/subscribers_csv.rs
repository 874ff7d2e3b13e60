//! The subscribers file: any bytes are read without panicking, and every subscriber
//! kept has a clean, deliverable, unique address and a name without control chars.

#![no_main]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hearth::newsletter::subscribers::{self, parse_address};
use libfuzzer_sys::fuzz_target;

/// One file of this process, rewritten for every input.
fn csv_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!(
            "hearth-fuzz-subscribers-{}.csv",
            std::process::id()
        ))
    })
}

fuzz_target!(|bytes: &[u8]| {
    std::fs::write(csv_path(), bytes).expect("the input written");
    let suppressed: BTreeSet<String> = ["left@example.org".to_string()].into();
    let Ok(subs) = subscribers::read(csv_path(), Path::new("subscribers.csv"), &suppressed) else {
        return;
    };
    let mut keys = BTreeSet::new();
    for s in &subs.list {
        let address = s.address.to_string();
        assert!(parse_address(&address).is_ok(), "{address:?}");
        assert!(
            !address.contains(|c: char| c.is_whitespace() || c.is_control()),
            "{address:?}"
        );
        assert!(!s.name.contains(char::is_control), "{:?}", s.name);
        assert!(!suppressed.contains(&s.key()), "{address:?} is suppressed");
        assert!(keys.insert(s.key()), "{address:?} twice");
    }
    for d in &subs.skipped {
        let _ = d.render(false);
    }
});
