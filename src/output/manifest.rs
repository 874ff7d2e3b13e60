//! The output manifest, `.hearth-manifest` beside the output marker: for every file
//! the last build wrote, the hash of its bytes, the hash of the inputs it was made
//! from (a page's template context, see `render`), and the inode, size and
//! modification time the file had when hearth wrote it.
//!
//! An entry vouches for a file only while the file on disk still has that inode,
//! size and modification time. hearth never changes a published file in place (a
//! changed file is written in full elsewhere, as a new file or into a spare that is
//! no longer published, and put over the old one in one step), so an entry that
//! still matches describes the bytes there, whatever happened since: a build killed
//! halfway through putting its files in place, or a person editing the output by
//! hand, leaves files that no longer match, and the next build rewrites them.
//!
//! One line a file, in path order, after a header line:
//! `HASH KEY SIZE MTIME_S MTIME_NS INODE PATH` (hashes as 32 hex digits, `-` for no
//! key; `\` and line breaks in the path escaped as `\\` and `\n`), and `end`.

use std::collections::HashMap;
use std::fmt::Write as _;

/// The first line of a manifest; another first line means: no manifest.
const HEADER: &str = "hearth output manifest 1";
/// The last line: a manifest without it was cut short.
const TRAILER: &str = "end\n";

/// The name of the manifest file, at the top of the output folder.
pub const NAME: &str = ".hearth-manifest";

/// What hearth knows of one output file it wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Hash of the file's bytes.
    pub hash: u128,
    /// Hash of everything the file was made from, when known.
    pub key: Option<u128>,
    pub stat: Stat,
}

/// The facts of a file on disk that change whenever it is replaced or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub len: u64,
    pub mtime: i64,
    pub mtime_nsec: i64,
    pub ino: u64,
}

impl Stat {
    pub fn of(meta: &std::fs::Metadata) -> Stat {
        use std::os::unix::fs::MetadataExt as _;
        Stat {
            len: meta.len(),
            mtime: meta.mtime(),
            mtime_nsec: meta.mtime_nsec(),
            ino: meta.ino(),
        }
    }
}

/// The manifest's text for these entries.
pub fn format<'a>(entries: impl IntoIterator<Item = (&'a str, &'a Entry)>) -> String {
    let mut text = String::with_capacity(64 * 1024);
    text.push_str(HEADER);
    text.push('\n');
    for (path, e) in entries {
        let _ = write!(text, "{:032x} ", e.hash);
        match e.key {
            Some(key) => {
                let _ = write!(text, "{key:032x} ");
            }
            None => text.push_str("- "),
        }
        let s = &e.stat;
        let _ = write!(text, "{} {} {} {} ", s.len, s.mtime, s.mtime_nsec, s.ino);
        for c in path.chars() {
            match c {
                '\\' => text.push_str("\\\\"),
                '\n' => text.push_str("\\n"),
                c => text.push(c),
            }
        }
        text.push('\n');
    }
    text.push_str(TRAILER);
    text
}

/// The entries of a manifest's text; `None` when it is not a manifest this hearth
/// wrote (another version, a damaged file): then nothing in the folder is trusted.
pub fn parse(text: &str) -> Option<HashMap<String, Entry>> {
    // A line of its own: a text cut after an entry's path ending in `end` is no
    // manifest.
    let body = text.strip_suffix(TRAILER)?.strip_suffix('\n')?;
    let mut lines = body.split('\n');
    if lines.next()? != HEADER {
        return None;
    }
    let mut entries = HashMap::new();
    for line in lines {
        if line.is_empty() {
            continue;
        }
        let mut parts = line.splitn(7, ' ');
        let mut next = || parts.next();
        let hash = u128::from_str_radix(next()?, 16).ok()?;
        let key = match next()? {
            "-" => None,
            hex => Some(u128::from_str_radix(hex, 16).ok()?),
        };
        let stat = Stat {
            len: next()?.parse().ok()?,
            mtime: next()?.parse().ok()?,
            mtime_nsec: next()?.parse().ok()?,
            ino: next()?.parse().ok()?,
        };
        let path = unescape(next()?)?;
        entries.insert(path, Entry { hash, key, stat });
    }
    Some(entries)
}

fn unescape(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_as_written_and_a_damaged_one_is_not_trusted() {
        let stat = Stat {
            len: 12,
            mtime: 1_700_000_000,
            mtime_nsec: 5,
            ino: 77,
        };
        let a = Entry {
            hash: u128::MAX - 3,
            key: Some(9),
            stat,
        };
        let b = Entry {
            hash: 1,
            key: None,
            stat,
        };
        let text = format([("posts/a b/index.html", &a), ("we\\ird\nname", &b)]);
        let back = parse(&text).expect("parses");
        assert_eq!(back.len(), 2);
        assert_eq!(back["posts/a b/index.html"], a);
        assert_eq!(back["we\\ird\nname"], b);
        assert!(parse("hearth output manifest 0\n").is_none());
        assert!(parse(&text.replace(" 77 ", " x ")).is_none());
        assert!(parse(&text[..text.len() - 30]).is_none());
    }
}
