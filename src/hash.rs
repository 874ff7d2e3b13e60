//! A stable 128-bit content hash for hearth's files on disk (the output manifest, the
//! cache) and for page keys: XXH3-128 with a fixed seed, from the `xxhash-rust`
//! crate. The same bytes hash the same in every hearth build, on every machine and
//! with every Rust version, which `std`'s `DefaultHasher` does not promise. It
//! notices changes; it is not meant to resist someone forging collisions. It was
//! SipHash-1-3 until page keys and file hashes of big sites showed in profiles:
//! XXH3 is several times faster on long inputs.

use xxhash_rust::xxh3::Xxh3;

/// A fixed seed: changing it invalidates every manifest and cache (harmless).
const SEED: u64 = 0x6865_6172_7468_2d32;

/// A hash being computed; also an `io::Write`, so serde can serialize into it.
#[derive(Clone)]
pub struct Hasher(Xxh3);

impl Default for Hasher {
    fn default() -> Hasher {
        Hasher(Xxh3::with_seed(SEED))
    }
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher")
    }
}

impl Hasher {
    /// Adds raw bytes (no length: use [`Hasher::field`] for parts of a key).
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Hasher {
        self.0.update(bytes);
        self
    }

    /// Adds one part of a composite key: its length, then its bytes, so that
    /// `("ab", "c")` and `("a", "bc")` differ.
    pub fn field(&mut self, bytes: &[u8]) -> &mut Hasher {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    pub fn finish(&self) -> u128 {
        self.0.digest128()
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The hash of `bytes`.
pub fn of(bytes: &[u8]) -> u128 {
    Hasher::default().bytes(bytes).finish()
}

/// What identifies this hearth program: its version and, so that a rebuilt binary
/// of the same version never trusts what an older one recorded, the size and
/// modification time of its executable.
pub fn program() -> u128 {
    static ID: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    *ID.get_or_init(|| {
        let mut h = Hasher::default();
        h.field(env!("CARGO_PKG_VERSION").as_bytes());
        if let Some(meta) = std::env::current_exe().ok().and_then(|p| p.metadata().ok()) {
            use std::os::unix::fs::MetadataExt as _;
            h.field(&meta.len().to_le_bytes());
            h.field(&meta.mtime().to_le_bytes());
            h.field(&meta.mtime_nsec().to_le_bytes());
        }
        h.finish()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_of_known_bytes_never_changes() {
        // Recorded once: a change here would make every manifest and cache stale.
        assert_eq!(
            format!("{:032x}", of(b"hearth")),
            "28e713e5f048958040dd292ea127e55b"
        );
        assert_ne!(of(b"hearth"), of(b"hearti"));
        let mut a = Hasher::default();
        a.field(b"ab").field(b"c");
        let mut b = Hasher::default();
        b.field(b"a").field(b"bc");
        assert_ne!(a.finish(), b.finish());
    }
}
