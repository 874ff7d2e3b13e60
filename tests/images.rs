//! Images done at build time (`src/images.rs`): avatars and post images resized to
//! the widths the theme shows, in their own format and WebP, taken from the cache on
//! the next build, and hostile pictures published as they are.

mod common;

use std::path::Path;

use common::{Site, build_measured, snapshot};
use image::{ImageReader, Rgb, RgbImage};

/// The fixture with its pictures: a 300×300 PNG avatar and a 1600×900 JPEG photo.
fn site_with_pictures() -> Site {
    let site = Site::fixture("images");
    let avatar = RgbImage::from_fn(300, 300, |x, y| Rgb([(x / 2) as u8, (y / 2) as u8, 120]));
    avatar
        .save(site.path().join("content/members/ada/avatar.png"))
        .expect("write the avatar");
    let photo = RgbImage::from_fn(1600, 900, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    photo
        .save(site.path().join("content/posts/photo-walk/photo.jpg"))
        .expect("write the photo");
    site
}

fn size_of(path: &Path) -> (u32, u32) {
    ImageReader::open(path)
        .and_then(|r| r.with_guessed_format())
        .expect("open")
        .into_dimensions()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn avatars_and_post_images_are_published_at_the_stated_widths() {
    let site = site_with_pictures();
    site.build(&[]).success();
    let public = site.public();
    // Avatars are shown at 40, 96 and 128 px: 1x and 2x of each, square.
    for width in [40, 80, 96, 192, 128, 256] {
        let png = public.join(format!("members/ada/avatar-{width}w.png"));
        assert_eq!(size_of(&png), (width, width), "{}", png.display());
    }
    for width in [128, 256] {
        let webp = public.join(format!("members/ada/avatar-{width}w.webp"));
        assert_eq!(size_of(&webp), (width, width), "{}", webp.display());
    }
    // The post image fills the 736 px column, 2x as wide, proportions kept.
    assert_eq!(
        size_of(&public.join("posts/photo-walk/photo-736w.jpg")),
        (736, 414)
    );
    assert_eq!(
        size_of(&public.join("posts/photo-walk/photo-1472w.jpg")),
        (1472, 828)
    );
    // The originals are published too.
    assert!(public.join("members/ada/avatar.png").is_file());
    assert!(public.join("posts/photo-walk/photo.jpg").is_file());
}

#[test]
fn the_member_page_offers_webp_and_both_densities_with_a_size() {
    let site = site_with_pictures();
    site.build(&[]).success();
    let page = site.page("members/ada/index.html");
    assert!(
        page.contains(r#"<source type="image/webp" srcset="/members/ada/avatar-128w.webp 1x, /members/ada/avatar-256w.webp 2x">"#),
        "{page}"
    );
    assert!(
        page.contains(r#"src="/members/ada/avatar-128w.png" srcset="/members/ada/avatar-128w.png 1x, /members/ada/avatar-256w.png 2x" alt="" width="128" height="128""#),
        "{page}"
    );
    let post = site.page("posts/photo-walk/index.html");
    assert!(
        post.contains(r#"src="/posts/photo-walk/photo-736w.jpg" srcset="/posts/photo-walk/photo-736w.jpg 1x, /posts/photo-walk/photo-1472w.jpg 2x" alt="" width="736" height="414""#),
        "{post}"
    );
    // The author's avatar beside the post is the 40 px one.
    assert!(
        post.contains(r#"src="/members/ada/avatar-40w.png""#),
        "{post}"
    );
}

#[test]
fn external_avatars_and_members_without_one_are_shown_as_before() {
    let site = site_with_pictures();
    site.build(&[]).success();
    let page = site.page("members/bo/index.html");
    assert!(
        page.contains(
            r#"src="https://avatars.example.org/bo.png" alt="" width="128" height="128""#
        ),
        "{page}"
    );
    assert!(!page.contains("<picture"), "{page}");
}

#[test]
fn a_second_build_takes_every_picture_from_the_cache_and_publishes_the_same_bytes() {
    let site = site_with_pictures();
    site.build(&[]).success();
    let first = snapshot(&site.public());
    let cache = site.path().join(".hearth/cache/images");
    let stamps = |dir: &Path| {
        let mut all: Vec<_> = std::fs::read_dir(dir)
            .expect("the cache folder")
            .map(|e| {
                let e = e.expect("entry");
                (
                    e.file_name(),
                    e.metadata().and_then(|m| m.modified()).expect("mtime"),
                )
            })
            .collect();
        all.sort();
        all
    };
    let before = stamps(&cache);
    assert!(!before.is_empty());
    let run = common::hearth(&[
        "-v",
        "build",
        site.path().to_str().expect("utf-8"),
        "--now",
        common::NOW,
    ]);
    run.success();
    assert!(run.stderr.contains("(0 made,"), "{}", run.stderr);
    assert_eq!(stamps(&cache), before);
    assert_eq!(snapshot(&site.public()), first);
}

/// A PNG whose IHDR chunk claims `width`×`height` 8-bit RGB pixels, followed by a
/// few bytes of pixel data (far too few).
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    let idat = b"IDAT\x78\x9c\x63\x00\x00\x00\x01\x00\x01";
    png.extend(9u32.to_be_bytes());
    png.extend(idat);
    png.extend(crc32(idat).to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn a_picture_claiming_a_huge_size_is_published_as_it_is_without_decoding() {
    let site = site_with_pictures();
    site.write(
        "content/members/ada/avatar.png",
        png_claiming(100_000, 100_000),
    );
    let measured = build_measured(&site, std::time::Duration::from_secs(120));
    measured.run.success();
    assert!(
        measured.run.stderr.contains("100000×100000"),
        "{}",
        measured.run.stderr
    );
    assert!(
        measured.peak_kib < 200 * 1024,
        "peak {} KiB",
        measured.peak_kib
    );
    let page = site.page("members/ada/index.html");
    assert!(page.contains(r#"src="/members/ada/avatar.png""#), "{page}");
    assert!(!site.public().join("members/ada/avatar-128w.png").exists());
}

#[test]
fn a_picture_that_does_not_decode_is_published_as_it_is() {
    let site = site_with_pictures();
    let mut broken = png_claiming(64, 64);
    broken.extend(b"\0\0\0\x05IDATgarbage");
    site.write("content/members/ada/avatar.png", broken);
    let run = site.build(&[]);
    run.success();
    assert!(run.stderr.contains("not resized"), "{}", run.stderr);
    assert!(
        site.page("members/ada/index.html")
            .contains(r#"src="/members/ada/avatar.png""#)
    );
}
