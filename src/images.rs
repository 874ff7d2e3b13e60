//! Images done at build time. Each avatar and post or event image that is a PNG or
//! JPEG file of the site (a bundle file or one in `static/`) is resized to the widths
//! the theme shows it at, 1x and 2x, in its own format and in WebP, and published
//! beside the original (`avatar.png` → `avatar-96w.png`, `avatar-96w.webp`, ...).
//! Templates find the files through `avatar_set` and `image_set` (see
//! `docs/templates.md`).
//!
//! Every file made is kept in `.hearth/cache/images/`, named by a hash of the source
//! bytes, the size, the format and [`VERSION`]: a later build publishes the cached
//! file instead of decoding and encoding again. Encoding is deterministic, so a cold
//! and a warm build publish the same bytes.
//!
//! SVG, GIF and WebP sources and external URLs pass through as written. A source
//! wider or taller than [`MAX_SIDE`], or one that does not decode, is published as it
//! is with a warning at the item that uses it; decoding is also capped at
//! [`MAX_ALLOC`] bytes, so a hostile file cannot exhaust memory.
//!
//! WebP from the `image` crate is lossless: right for avatars and drawings, often
//! bigger than a JPEG photo. A picture's WebP files are offered only when together
//! they are no bigger than the same sizes in the original format.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Instant;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use rayon::prelude::*;

use crate::build::CopyFrom;
use crate::diag::Diagnostics;
use crate::files;
use crate::model::{Picture, Resized, Site};

/// Part of every cache key: change it whenever resizing or encoding changes.
const VERSION: &str = "hearth-images-1";
/// Where the resized files are kept, inside the site folder.
pub const CACHE_DIR: &str = ".hearth/cache/images";
/// Avatars are shown 40 px wide (authors, organisers), 96 px (member cards) and
/// 128 px (member page, spotlight): `.avatar-sm`, `.avatar-96`, `.avatar-128` in the
/// theme's `style.css`.
pub const AVATAR_WIDTHS: &[u32] = &[40, 96, 128];
/// Post and event images fill the narrow page column (`--page-narrow`: 46rem).
pub const ENTRY_WIDTHS: &[u32] = &[736];
/// Sources wider or taller than this are not decoded.
pub const MAX_SIDE: u32 = 8_000;
/// The most memory one decode may take.
pub const MAX_ALLOC: u64 = 256 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;

/// How a picture is cut: avatars are round, so a centred square; others keep their
/// proportions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    Square,
    Keep,
}

/// The two formats of a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// The source's own (PNG or JPEG), with the source file's extension.
    Own(ImageFormat),
    Webp,
}

/// A picture file of the site and how the theme shows it.
struct Job<'a> {
    url: &'a str,
    /// Relative to the site folder.
    source: PathBuf,
    /// Output path of the original (`members/ada/avatar.png`).
    out: &'a str,
    /// The item using it first, where warnings go.
    used_by: &'a Path,
    /// Displayed widths and their shape.
    shown: BTreeSet<(Shape, u32)>,
}

/// What one job gave.
#[derive(Default)]
struct Outcome {
    pictures: BTreeMap<u32, Picture>,
    files: Vec<(String, PathBuf)>,
    warning: Option<String>,
    made: usize,
    reused: usize,
}

/// Resizes every picture the theme shows at a known size. `copied` are the files
/// published as they are (static and bundle files): only those are resized. Problems
/// are warnings; the picture is then published as it is.
pub fn resize(
    site_dir: &Path,
    site: &Site,
    copied: &[(String, CopyFrom)],
    diags: &mut Diagnostics,
) -> Resized {
    let started = Instant::now();
    let jobs = jobs(site, site_dir, copied);
    let taken: BTreeSet<&str> = copied.iter().map(|(out, _)| out.as_str()).collect();
    let outcomes: Vec<Outcome> = jobs
        .par_iter()
        .map(|job| run(job, site_dir, &site.config.root, &taken))
        .collect();
    let mut resized = Resized::default();
    let (mut made, mut reused) = (0, 0);
    for (job, outcome) in jobs.iter().zip(outcomes) {
        if let Some(warning) = outcome.warning {
            diags.warning(job.used_by, None, warning);
        }
        made += outcome.made;
        reused += outcome.reused;
        if !outcome.pictures.is_empty() {
            resized
                .pictures
                .insert(job.url.to_string(), outcome.pictures);
            resized.files.extend(outcome.files);
        }
    }
    resized.files.sort();
    resized.files.dedup_by(|a, b| a.0 == b.0);
    tracing::info!(
        pictures = resized.pictures.len(),
        files = resized.files.len(),
        made,
        reused,
        elapsed_ms = started.elapsed().as_millis(),
        "images resized ({made} made, {reused} from the cache)"
    );
    resized
}

/// The pictures of the site's items that are files of the site, by URL.
fn jobs<'a>(site: &'a Site, site_dir: &Path, copied: &'a [(String, CopyFrom)]) -> Vec<Job<'a>> {
    let root = site.config.root.as_str();
    let by_out: BTreeMap<&str, &Path> = copied
        .iter()
        .filter_map(|(out, from)| match from {
            CopyFrom::File(path) => Some((out.as_str(), path.as_path())),
            CopyFrom::Builtin(_) => None,
        })
        .collect();
    let avatars = site
        .members
        .iter()
        .filter_map(|m| Some((m.avatar.as_ref()?, &m.source.path, Shape::Square)));
    let posts = site
        .posts
        .iter()
        .filter_map(|p| Some((p.image.as_ref()?, &p.source.path, Shape::Keep)));
    let events = site
        .events
        .iter()
        .filter_map(|e| Some((e.image.as_ref()?, &e.source.path, Shape::Keep)));
    let mut jobs: BTreeMap<&str, Job<'a>> = BTreeMap::new();
    for (url, used_by, shape) in avatars.chain(posts).chain(events) {
        let url = url.as_str();
        let Some(out) = url.strip_prefix(root) else {
            continue;
        };
        let Some((&out, path)) = by_out.get_key_value(out) else {
            continue;
        };
        let Ok(source) = path.strip_prefix(site_dir) else {
            continue;
        };
        // A space or comma would split a `srcset` entry: such names pass through.
        let splits_srcset = out.contains(|c: char| c.is_whitespace() || c == ',');
        if splits_srcset || !matches!(extension(out), Some("png" | "jpg" | "jpeg")) {
            continue;
        }
        let widths = match shape {
            Shape::Square => AVATAR_WIDTHS,
            Shape::Keep => ENTRY_WIDTHS,
        };
        let job = jobs.entry(url).or_insert_with(|| Job {
            url,
            source: source.to_path_buf(),
            out,
            used_by,
            shown: BTreeSet::new(),
        });
        job.shown.extend(widths.iter().map(|w| (shape, *w)));
    }
    jobs.into_values().collect()
}

fn extension(out: &str) -> Option<&str> {
    let name = out.rsplit('/').next()?;
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()).then_some(ext)
}

/// Makes (or finds in the cache) every file of one picture.
fn run(job: &Job<'_>, site_dir: &Path, root: &str, taken: &BTreeSet<&str>) -> Outcome {
    match try_run(job, site_dir, root, taken) {
        Ok(outcome) => outcome,
        Err(problem) => Outcome {
            warning: Some(format!(
                "`{}` is published as it is, not resized: {problem}",
                job.url
            )),
            ..Outcome::default()
        },
    }
}

/// One file to publish: its width and height in pixels, its shape and format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Variant {
    width: u32,
    height: u32,
    shape: Shape,
    format: Format,
}

fn try_run(
    job: &Job<'_>,
    site_dir: &Path,
    root: &str,
    taken: &BTreeSet<&str>,
) -> Result<Outcome, String> {
    let Some(mut source) = Source::read(job, site_dir)? else {
        return Ok(Outcome::default());
    };
    let mut outcome = Outcome::default();
    for &(shape, shown) in &job.shown {
        let picture = source.picture(shape, shown, &Place { root, taken }, &mut outcome)?;
        outcome.pictures.insert(shown, picture);
    }
    Ok(outcome)
}

/// Where the files of a picture go: the site's root URL, and the output paths taken
/// by the site's own files.
struct Place<'a> {
    root: &'a str,
    taken: &'a BTreeSet<&'a str>,
}

/// A PNG or JPEG source, its pixels decoded only when a variant is not in the cache.
struct Source<'a> {
    site_dir: &'a Path,
    bytes: Vec<u8>,
    hash: String,
    format: ImageFormat,
    width: u32,
    height: u32,
    /// The output path of the original without and with its extension.
    stem: &'a str,
    ext: &'a str,
    decoded: Option<DynamicImage>,
}

impl<'a> Source<'a> {
    /// The source of `job`, or `None` when it is no PNG or JPEG (a GIF or WebP named
    /// `.png` is shown as it is, as the browser reads it).
    fn read(job: &'a Job<'_>, site_dir: &'a Path) -> Result<Option<Source<'a>>, String> {
        let bytes = files::read(site_dir, &job.source).map_err(|e| e.to_string())?;
        let format = match image::guess_format(&bytes) {
            Ok(f @ (ImageFormat::Png | ImageFormat::Jpeg)) => f,
            Ok(_) => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        // The header alone, read without the size limits so the warning can name the size.
        let (width, height) = ImageReader::with_format(Cursor::new(&bytes[..]), format)
            .into_dimensions()
            .map_err(|e| e.to_string())?;
        if width > MAX_SIDE || height > MAX_SIDE || width == 0 || height == 0 {
            return Err(format!(
                "it is {width}×{height} pixels, and hearth resizes pictures up to {MAX_SIDE}×{MAX_SIDE}"
            ));
        }
        let (stem, ext) = job
            .out
            .rsplit_once('.')
            .ok_or_else(|| "no extension".to_string())?;
        Ok(Some(Source {
            site_dir,
            hash: hex(&sha256(&[&bytes])),
            bytes,
            format,
            width,
            height,
            stem,
            ext,
            decoded: None,
        }))
    }

    /// The picture shown `shown` pixels wide: its files at 1x and 2x (when the source
    /// is big enough) in both formats, added to `outcome`.
    fn picture(
        &mut self,
        shape: Shape,
        shown: u32,
        place: &Place<'_>,
        outcome: &mut Outcome,
    ) -> Result<Picture, String> {
        let (w1, h1) = fit(shape, shown, self.width, self.height);
        let (w2, h2) = fit(shape, shown * 2, self.width, self.height);
        let mut sizes = vec![(w1, h1)];
        if w2 > w1 {
            sizes.push((w2, h2));
        }
        let mut own = Set::default();
        let mut webp = Set::default();
        for (set, format) in [
            (&mut own, Format::Own(self.format)),
            (&mut webp, Format::Webp),
        ] {
            for (density, &(width, height)) in sizes.iter().enumerate() {
                let variant = Variant {
                    width,
                    height,
                    shape,
                    format,
                };
                let out = self.out_path(variant);
                if place.taken.contains(out.as_str()) {
                    return Err(format!(
                        "`{out}` is already a file of the site, where hearth would put a resized copy"
                    ));
                }
                let (cached, len) = self.cached_file(variant, outcome)?;
                set.bytes += len;
                set.urls
                    .push(format!("{}{out} {}x", place.root, density + 1));
                if density == 0 {
                    set.src = format!("{}{out}", place.root);
                }
                set.files.push((out, cached));
            }
        }
        // Lossless WebP bigger than the original format is offered nowhere, nor published.
        let webp_srcset = if webp.bytes <= own.bytes {
            outcome.files.extend(webp.files);
            webp.urls.join(", ")
        } else {
            String::new()
        };
        outcome.files.extend(own.files);
        Ok(Picture {
            src: own.src,
            srcset: own.urls.join(", "),
            webp_srcset,
            width: w1,
            height: h1,
        })
    }

    /// `members/ada/avatar-96w.png`; a square cut of a picture that is not square is
    /// `-96sq`.
    fn out_path(&self, variant: Variant) -> String {
        let tag = if variant.shape == Shape::Square && self.width != self.height {
            "sq"
        } else {
            "w"
        };
        let ext = match variant.format {
            Format::Own(_) => self.ext,
            Format::Webp => "webp",
        };
        format!("{}-{}{tag}.{ext}", self.stem, variant.width)
    }

    /// The cache file of a variant, made now when it is missing. Returns its path and
    /// length.
    fn cached_file(
        &mut self,
        variant: Variant,
        outcome: &mut Outcome,
    ) -> Result<(PathBuf, u64), String> {
        let (format_name, ext) = match variant.format {
            Format::Own(ImageFormat::Jpeg) => ("jpeg", "jpg"),
            Format::Own(_) => ("png", "png"),
            Format::Webp => ("webp", "webp"),
        };
        let key = sha256(&[
            VERSION.as_bytes(),
            self.hash.as_bytes(),
            format!(
                "{}x{} {:?} {format_name}",
                variant.width, variant.height, variant.shape
            )
            .as_bytes(),
        ]);
        let rel = Path::new(CACHE_DIR).join(format!("{}.{ext}", hex(&key[..16])));
        if let Ok(path) = files::regular_file(self.site_dir, &rel)
            && let Ok(meta) = path.metadata()
            && meta.len() > 0
        {
            outcome.reused += 1;
            return Ok((path, meta.len()));
        }
        let image = match &mut self.decoded {
            Some(image) => image,
            None => self.decoded.insert(decode(&self.bytes)?),
        };
        let encoded = encode(&cut(image, variant), variant.format).map_err(|e| e.to_string())?;
        let path =
            files::write_whole(self.site_dir, &rel, &encoded).map_err(|e| format!("{e:#}"))?;
        outcome.made += 1;
        Ok((path, encoded.len() as u64))
    }
}

/// The files of one picture in one format.
#[derive(Default)]
struct Set {
    src: String,
    urls: Vec<String>,
    files: Vec<(String, PathBuf)>,
    bytes: u64,
}

/// The size of a variant shown `shown` pixels wide, never bigger than the source.
fn fit(shape: Shape, shown: u32, width: u32, height: u32) -> (u32, u32) {
    match shape {
        Shape::Square => {
            let side = shown.min(width).min(height);
            (side, side)
        }
        Shape::Keep => {
            let w = shown.min(width);
            let h = (u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width);
            (w, u32::try_from(h).unwrap_or(u32::MAX).max(1))
        }
    }
}

fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    reader
}

/// Decodes the source within the limits, as 8-bit RGB or RGBA.
fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    let own = image::guess_format(bytes).map_err(|e| e.to_string())?;
    let image = reader(bytes, own).decode().map_err(|e| e.to_string())?;
    Ok(if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.to_rgb8())
    })
}

/// The variant's pixels: a centred square for avatars, then resized.
fn cut(image: &DynamicImage, variant: Variant) -> DynamicImage {
    let source = match variant.shape {
        Shape::Square if image.width() != image.height() => {
            let side = image.width().min(image.height());
            let x = (image.width() - side) / 2;
            let y = (image.height() - side) / 2;
            image.crop_imm(x, y, side, side)
        }
        _ => image.clone(),
    };
    if source.width() == variant.width && source.height() == variant.height {
        return source;
    }
    source.resize_exact(variant.width, variant.height, FilterType::CatmullRom)
}

fn encode(image: &DynamicImage, format: Format) -> image::ImageResult<Vec<u8>> {
    let mut out = Vec::new();
    match format {
        Format::Own(ImageFormat::Jpeg) => {
            let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
            rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))?;
        }
        Format::Own(_) => image.write_with_encoder(PngEncoder::new_with_quality(
            &mut out,
            CompressionType::Default,
            PngFilter::Adaptive,
        ))?,
        Format::Webp => image.write_with_encoder(WebPEncoder::new_lossless(&mut out))?,
    }
    Ok(out)
}

fn sha256(parts: &[&[u8]]) -> Vec<u8> {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        // Lengths first, so that no two different lists of parts hash alike.
        ctx.update(&(part.len() as u64).to_le_bytes());
        ctx.update(part);
    }
    ctx.finish().as_ref().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_fit_the_source_and_keep_its_proportions() {
        assert_eq!(fit(Shape::Square, 96, 256, 256), (96, 96));
        assert_eq!(fit(Shape::Square, 256, 200, 300), (200, 200));
        assert_eq!(fit(Shape::Keep, 736, 800, 450), (736, 414));
        assert_eq!(fit(Shape::Keep, 1472, 800, 450), (800, 450));
        assert_eq!(fit(Shape::Keep, 736, 3000, 1), (736, 1));
    }

    #[test]
    fn only_named_pictures_have_an_extension() {
        assert_eq!(extension("members/ada/avatar.png"), Some("png"));
        assert_eq!(extension("members/ada/.png"), None);
        assert_eq!(extension("members/ada/avatar"), None);
    }
}
