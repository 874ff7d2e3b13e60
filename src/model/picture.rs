//! Pictures of the site resized at build time: for each picture a theme shows at a
//! known size, the files at 1x and 2x that width, in its own format and in WebP.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// One picture at one displayed size, ready for `<picture>` and `<img srcset>`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Picture {
    /// The 1x file in the original format (`/members/ada/avatar-96w.png`).
    pub src: String,
    /// `… 1x, … 2x` in the original format (only `1x` when the source is too small
    /// for 2x).
    pub srcset: String,
    /// The same in WebP; empty when WebP would be bigger than the original format.
    pub webp_srcset: String,
    /// Size of the 1x file, in CSS pixels.
    pub width: u32,
    pub height: u32,
}

/// What the image step made: the pictures by URL (as in `Member::avatar`,
/// `Post::image`) and displayed width, and the files to publish.
#[derive(Debug, Clone, Default)]
pub struct Resized {
    pub pictures: BTreeMap<String, BTreeMap<u32, Picture>>,
    /// Output path (relative to the output folder) and the file holding its bytes.
    pub files: Vec<(String, PathBuf)>,
}

impl Resized {
    /// The sizes made of the picture at `url`, by displayed width.
    pub fn sizes(&self, url: &str) -> Option<&BTreeMap<u32, Picture>> {
        self.pictures.get(url)
    }

    /// The picture at `url` shown `width` pixels wide.
    pub fn at(&self, url: &str, width: u32) -> Option<&Picture> {
        self.pictures.get(url)?.get(&width)
    }
}
