//! Images through the real binary on fixture sites made in each test: Markdown photos become
//! `<picture>`s with the configured widths and formats and no GPS left in any output file,
//! `image()`, `image_meta()` and `qr()` in templates, SVG and animated GIF pass-through, the
//! disk cache (reused, pruned), `ludd check` on a GPS-tagged static photo, and hostile images
//! (broken, truncated, a decompression bomb, an unsupported format), each a clear error.
//! Test images are generated here; none is committed.

mod common;

use common::{TestSite, attr, one, select};
use image::{ImageEncoder, RgbImage};
use std::collections::BTreeMap;
use std::path::Path;

/// A photo-like gradient, `width` × `height`, as JPEG with `exif` (TIFF bytes) if given.
fn jpeg(width: u32, height: u32, exif: Option<Vec<u8>>) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width.max(1)) as u8,
            (y * 255 / height.max(1)) as u8,
            ((x + y) % 256) as u8,
        ])
    });
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    if let Some(exif) = exif {
        encoder.set_exif_metadata(exif).unwrap();
    }
    encoder
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// EXIF (TIFF bytes) with a GPS position, a camera serial number and `orientation`.
fn gps_exif(orientation: u16) -> Vec<u8> {
    use exif::{Field, In, Rational, Tag, Value};
    let r = |n: u32| Rational { num: n, denom: 1 };
    let fields = [
        Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![orientation]),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"N".to_vec()]),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(vec![r(52), r(31), r(12)]),
        },
        Field {
            tag: Tag::BodySerialNumber,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![b"SN123456".to_vec()]),
        },
    ];
    let mut writer = exif::experimental::Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    writer.write(&mut out, false).unwrap();
    out.into_inner()
}

/// Whether an image file still has any EXIF GPS field.
fn has_gps(bytes: &[u8]) -> bool {
    exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(bytes))
        .map(|e| e.fields().any(|f| f.tag.context() == exif::Context::Gps))
        .unwrap_or(false)
}

/// Every image file in a folder, by path.
fn images_in(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    common::tree(dir)
        .into_iter()
        .filter(|(p, _)| {
            [".jpg", ".jpeg", ".png", ".webp", ".gif"]
                .iter()
                .any(|e| p.ends_with(e))
        })
        .collect()
}

/// The basic fixture with a gallery bundle showing `photos` (file name, bytes) in order.
fn gallery(photos: &[(&str, Vec<u8>)], config: &str) -> TestSite {
    let site = TestSite::new("basic");
    site.edit("site.toml", |s| format!("{s}\n{config}\n"));
    let mut md = String::from("+++\ntitle = \"Galerie\"\n+++\n\nFotos der Demo.\n\n");
    for (name, bytes) in photos {
        site.write(&format!("content/galerie/{name}"), bytes);
        md.push_str(&format!("![Foto {name}]({name})\n\n"));
    }
    site.write("content/galerie/index.md", md);
    site
}

/// Width descriptors of a srcset, with the URLs.
fn srcset(value: &str) -> Vec<(String, u32)> {
    value
        .split(',')
        .map(|c| {
            let mut parts = c.split_whitespace();
            let url = parts.next().unwrap().to_string();
            let w = parts.next().unwrap().trim_end_matches('w').parse().unwrap();
            (url, w)
        })
        .collect()
}

fn dimensions(bytes: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(bytes).unwrap();
    (img.width(), img.height())
}

#[test]
fn markdown_photo_becomes_a_picture_without_gps() {
    let site = gallery(
        &[
            ("demo.jpg", jpeg(2000, 1000, Some(gps_exif(1)))),
            ("klein.jpg", jpeg(600, 400, Some(gps_exif(1)))),
        ],
        "[images]\nwidths = [480, 800, 1200, 1600]",
    );
    site.build_ok();
    let html = site.html("galerie/index.html");
    let pictures = select(&html, "picture");
    assert_eq!(pictures.len(), 2, "{}", html.html());
    // The first photo: every configured width, WebP first, JPEG fallback, its own size.
    let source = pictures[0].select(&common::sel("source")).next().unwrap();
    assert_eq!(source.value().attr("type"), Some("image/webp"));
    let webp = srcset(source.value().attr("srcset").unwrap());
    assert_eq!(
        webp.iter().map(|(_, w)| *w).collect::<Vec<_>>(),
        [480, 800, 1200, 1600]
    );
    let img = pictures[0].select(&common::sel("img")).next().unwrap();
    assert_eq!(img.value().attr("width"), Some("2000"));
    assert_eq!(img.value().attr("height"), Some("1000"));
    assert_eq!(img.value().attr("alt"), Some("Foto demo.jpg"));
    assert!(img.value().attr("sizes").is_some());
    // The first image of the page loads at once, the others lazily.
    assert_eq!(img.value().attr("loading"), None);
    let second = pictures[1].select(&common::sel("img")).next().unwrap();
    assert_eq!(second.value().attr("loading"), Some("lazy"));
    assert_eq!(second.value().attr("decoding"), Some("async"));
    let jpegs = srcset(img.value().attr("srcset").unwrap());
    for (url, w) in webp.iter().chain(&jpegs) {
        let bytes = std::fs::read(site.out().join(url.trim_start_matches('/'))).unwrap();
        let (width, height) = dimensions(&bytes);
        assert_eq!(width, *w, "{url}");
        assert_eq!(height, w / 2, "{url}");
    }
    assert!(webp.iter().all(|(u, _)| u.ends_with(".webp")));
    assert!(jpegs.iter().all(|(u, _)| u.ends_with(".jpg")));
    // Never upscaled: the small photo offers 480 and its own 600.
    let small_source = pictures[1].select(&common::sel("source")).next().unwrap();
    let small = srcset(small_source.value().attr("srcset").unwrap());
    assert_eq!(
        small.iter().map(|(_, w)| *w).collect::<Vec<_>>(),
        [480, 600]
    );
    // No output image carries the GPS position, not even the copied original.
    let images = images_in(&site.out());
    assert!(images.contains_key("galerie/demo.jpg"));
    assert!(images.len() >= 12, "{:?}", images.keys());
    for (path, bytes) in &images {
        assert!(!has_gps(bytes), "{path} still has GPS");
        assert!(
            !bytes.windows(8).any(|w| w == b"SN123456"),
            "{path} still has the serial number"
        );
    }
}

#[test]
fn orientation_is_applied_before_the_metadata_goes() {
    // Orientation 6: shown turned 90° clockwise, so 300 × 200 stored is 200 × 300 shown.
    let site = gallery(
        &[("hoch.jpg", jpeg(300, 200, Some(gps_exif(6))))],
        "[images]\nwidths = [100]",
    );
    site.build_ok();
    let html = site.html("galerie/index.html");
    assert_eq!(attr(&html, "picture img", "width"), "200");
    assert_eq!(attr(&html, "picture img", "height"), "300");
    let webp = srcset(&attr(&html, "picture source", "srcset"));
    assert_eq!(webp[0].1, 100);
    let bytes = std::fs::read(site.out().join(webp[0].0.trim_start_matches('/'))).unwrap();
    assert_eq!(dimensions(&bytes), (100, 150));
    // The copied original is turned upright too, since its turn was in the EXIF removed.
    let original = std::fs::read(site.out().join("galerie/hoch.jpg")).unwrap();
    assert_eq!(dimensions(&original), (200, 300));
    assert!(!has_gps(&original));
}

#[test]
fn keep_metadata_opts_out() {
    let site = gallery(
        &[("demo.jpg", jpeg(500, 250, Some(gps_exif(1))))],
        "[images]\nwidths = [200]\nkeep_metadata = true",
    );
    site.build_ok();
    let original = std::fs::read(site.out().join("galerie/demo.jpg")).unwrap();
    assert!(has_gps(&original));
    let html = site.html("galerie/index.html");
    let jpg = srcset(&attr(&html, "picture img", "srcset"));
    let bytes = std::fs::read(site.out().join(jpg[0].0.trim_start_matches('/'))).unwrap();
    assert!(has_gps(&bytes), "the JPEG variant keeps its EXIF");
}

#[test]
fn svg_and_animated_gif_pass_through() {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" height="40"/></svg>"#;
    let mut gif = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
        encoder
            .set_repeat(image::codecs::gif::Repeat::Infinite)
            .unwrap();
        for shade in [0u8, 255] {
            let frame = image::RgbaImage::from_pixel(30, 20, image::Rgba([shade, 0, 0, 255]));
            encoder.encode_frame(image::Frame::new(frame)).unwrap();
        }
    }
    let site = gallery(&[("logo.svg", svg.to_vec()), ("tanz.gif", gif.clone())], "");
    site.build_ok();
    let html = site.html("galerie/index.html");
    assert!(select(&html, "picture").is_empty(), "{}", html.html());
    let imgs = select(&html, "img");
    assert_eq!(imgs[0].value().attr("src"), Some("logo.svg"));
    assert_eq!(imgs[0].value().attr("width"), Some("120"));
    assert_eq!(imgs[0].value().attr("height"), Some("40"));
    assert_eq!(imgs[1].value().attr("src"), Some("tanz.gif"));
    assert_eq!(imgs[1].value().attr("width"), Some("30"));
    assert_eq!(
        std::fs::read(site.out().join("galerie/tanz.gif")).unwrap(),
        gif,
        "the animation is copied unchanged"
    );
    assert_eq!(
        std::fs::read(site.out().join("galerie/logo.svg")).unwrap(),
        svg.to_vec()
    );
}

#[test]
fn image_and_image_meta_and_qr_in_templates() {
    let site = gallery(
        &[("demo.jpg", jpeg(1000, 500, None))],
        "[images]\nwidths = [200, 400]",
    );
    site.write(
        "templates/shortcodes/bild.html",
        r#"{% set i = image(path=path, width=300, height=300, op="fill", focus="left") %}<img class="thumb" src="{{ i.url }}" srcset="{{ i.srcset }}" width="{{ i.width }}" height="{{ i.height }}" alt="">
{% set m = image_meta(path=path) %}<span class="meta">{{ m.width }}x{{ m.height }} {{ m.format }}</span>
{% set f = image(path=path, width=250, op="fit", format="jpeg") %}<img class="fit" src="{{ f.url }}" width="{{ f.width }}" height="{{ f.height }}" alt="">"#,
    );
    site.write(
        "templates/shortcodes/qr.html",
        r#"<figure class="qr-code">{{ qr(url=url) }}</figure>"#,
    );
    site.edit("content/seite.md", |s| {
        format!("{s}\n\n{{{{ bild(path=\"galerie/demo.jpg\") }}}}\n\n{{{{ qr(url=\"https://example.com/de/\") }}}}\n")
    });
    site.build_ok();
    let html = site.html("seite/index.html");
    let thumb = one(&html, "img.thumb");
    assert_eq!(thumb.value().attr("width"), Some("300"));
    assert_eq!(thumb.value().attr("height"), Some("300"));
    let url = thumb.value().attr("src").unwrap();
    assert!(url.ends_with(".webp"), "{url}");
    let bytes = std::fs::read(site.out().join(url.trim_start_matches('/'))).unwrap();
    assert_eq!(dimensions(&bytes), (300, 300));
    let set = srcset(thumb.value().attr("srcset").unwrap());
    assert_eq!(set.iter().map(|(_, w)| *w).collect::<Vec<_>>(), [200, 300]);
    for (u, w) in &set {
        let bytes = std::fs::read(site.out().join(u.trim_start_matches('/'))).unwrap();
        assert_eq!(dimensions(&bytes), (*w, *w), "{u}");
    }
    assert_eq!(common::text(one(&html, "span.meta")), "1000x500 jpeg");
    let fit = one(&html, "img.fit");
    assert_eq!(fit.value().attr("width"), Some("250"));
    assert_eq!(fit.value().attr("height"), Some("125"));
    assert!(fit.value().attr("src").unwrap().ends_with(".jpg"));
    let qr = one(&html, "figure.qr-code svg");
    assert_eq!(qr.value().attr("role"), Some("img"));
    assert!(
        !select(&html, "figure.qr-code svg path").is_empty()
            || !select(&html, "figure.qr-code svg rect").is_empty()
    );
}

#[test]
fn template_errors_name_the_problem() {
    let site = gallery(&[("demo.jpg", jpeg(100, 50, None))], "");
    site.write(
        "templates/shortcodes/bild.html",
        r#"{% set i = image(path="galerie/demo.jpg", width=50, op="rotate") %}{{ i.url }}"#,
    );
    site.edit("content/seite.md", |s| format!("{s}\n\n{{{{ bild() }}}}\n"));
    let run = site.build(&[]).failed();
    assert!(
        run.stderr.contains("unknown image op `rotate`"),
        "{}",
        run.stderr
    );
}

/// Cache files and their modification times.
fn cache_files(site: &TestSite) -> BTreeMap<String, std::time::SystemTime> {
    common::identities(&site.path(".ludd-cache/images"))
        .into_iter()
        .filter(|(p, _)| p != "index.json")
        .map(|(p, (_, t))| (p, t))
        .collect()
}

#[test]
fn the_cache_is_reused_and_pruned() {
    let site = gallery(
        &[
            ("demo.jpg", jpeg(900, 600, None)),
            ("zwei.jpg", jpeg(700, 300, None)),
        ],
        "[images]\nwidths = [300, 600]",
    );
    site.build_ok();
    let first = cache_files(&site);
    // Two photos wider than 600 px, widths 300 and 600, WebP and JPEG.
    assert_eq!(first.len(), 8, "{first:?}");
    assert!(!site.out().join(".ludd-cache").exists());
    let variants = images_in(&site.out().join("processed_images"));
    // Another page changes: the variants come from the cache, not from an encoder.
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.edit("content/seite.md", |s| format!("{s}\n\nNeu.\n"));
    site.build_ok();
    assert_eq!(cache_files(&site), first, "no variant was made again");
    assert_eq!(images_in(&site.out().join("processed_images")), variants);
    // A photo leaves the page: its variants leave the cache and the output. A file the cache
    // did not write stays, whatever its name.
    site.write(".ludd-cache/images/holiday.jpg", "mine");
    site.edit("content/galerie/index.md", |s| {
        s.replace("![Foto zwei.jpg](zwei.jpg)", "")
    });
    site.build_ok();
    assert_eq!(
        std::fs::read_to_string(site.path(".ludd-cache/images/holiday.jpg")).expect("kept"),
        "mine"
    );
    let pruned: BTreeMap<_, _> = cache_files(&site)
        .into_iter()
        .filter(|(p, _)| p != "holiday.jpg")
        .collect();
    assert_eq!(pruned.len(), 4, "{pruned:?}");
    assert!(pruned.iter().all(|(k, t)| first.get(k) == Some(t)));
    let left = images_in(&site.out().join("processed_images"));
    assert_eq!(left.len(), 4, "{:?}", left.keys());
    assert!(left.keys().all(|k| k.starts_with("demo.")));
}

#[test]
fn check_flags_a_gps_tagged_static_photo() {
    let site = TestSite::new("basic");
    site.write("static/img/demo.jpg", jpeg(64, 32, Some(gps_exif(1))));
    site.write("static/img/sauber.jpg", jpeg(64, 32, None));
    let run = site.run(&["check", "--format", "json"]).no_panic();
    assert!(!run.status.success(), "{}", run.stdout);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "image-metadata")
        .collect();
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["page"], "img/demo.jpg");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("GPS position"), "{message}");
    assert!(message.contains("camera serial number"), "{message}");
}

/// A PNG whose header declares `width` × `height` pixels, with no pixel data to speak of.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
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
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&width.to_be_bytes());
    chunk.extend_from_slice(&height.to_be_bytes());
    chunk.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&chunk);
    png.extend_from_slice(&crc32(&chunk).to_be_bytes());
    let idat = b"IDAT\x78\x9c\x03\x00\x00\x00\x00\x01";
    png.extend_from_slice(&((idat.len() - 4) as u32).to_be_bytes());
    png.extend_from_slice(idat);
    png.extend_from_slice(&crc32(idat).to_be_bytes());
    png
}

/// Builds a gallery with one hostile file and returns the error output.
#[track_caller]
fn hostile(name: &str, bytes: Vec<u8>) -> String {
    let site = gallery(&[(name, bytes)], "");
    let run = site.build(&[]).failed();
    assert!(run.stderr.contains(name), "names the file:\n{}", run.stderr);
    assert!(
        run.stderr.contains("content/galerie/index.md"),
        "names the page:\n{}",
        run.stderr
    );
    assert!(!site.out().join("galerie").exists());
    run.stderr
}

#[test]
fn a_broken_image_is_a_clear_error() {
    let stderr = hostile(
        "kaputt.jpg",
        b"\xFF\xD8\xFF\xE0 this is not really a JPEG".to_vec(),
    );
    assert!(stderr.contains("broken or truncated"), "{stderr}");
}

#[test]
fn a_truncated_image_is_a_clear_error() {
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(
            RgbImage::from_pixel(200, 200, image::Rgb([9, 99, 199])).as_raw(),
            200,
            200,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    png.truncate(png.len() / 2);
    let stderr = hostile("halb.png", png);
    assert!(stderr.contains("broken or truncated"), "{stderr}");
}

#[test]
fn an_image_bomb_is_refused_before_decoding() {
    let stderr = hostile("bombe.png", png_header_only(100_000, 100_000));
    assert!(stderr.contains("100000 × 100000"), "{stderr}");
    assert!(stderr.contains("scale the image down"), "{stderr}");
}

#[test]
fn an_unsupported_format_is_a_clear_error() {
    // A BMP header: a real image format, but not one for the web.
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&[0u8; 60]);
    let stderr = hostile("alt.bmp", bmp);
    assert!(
        stderr.contains("is not a JPEG, PNG, WebP, GIF or SVG"),
        "{stderr}"
    );
}
