//! Reading source images safely: the format from the file's bytes, the size from its header,
//! decoder limits set before any pixel is decoded (so a small file declaring 100,000 × 100,000
//! pixels is refused, not allocated), the EXIF orientation applied, SVG sizes read from the
//! `<svg>` element, and animated GIFs told apart from still ones.

use super::error::ImageError;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use std::path::Path;

/// Largest width or height accepted.
pub const MAX_SIDE: u32 = crate::load::config::MAX_IMAGE_SIDE;
/// Most pixels accepted (100 megapixels: a 12,000 × 8,000 photo).
pub const MAX_PIXELS: u64 = 100_000_000;
/// Most bytes one decoder may allocate.
const MAX_ALLOC: u64 = 1 << 30;

/// What kind of image a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A still raster image that is decoded, resized and encoded.
    Raster(ImageFormat),
    /// An animated GIF (or WebP/PNG): copied unchanged, since resizing would lose frames.
    Animated(ImageFormat),
    /// An SVG: copied unchanged.
    Svg,
}

/// What the header of an image says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Probe {
    /// Its kind.
    pub kind: Kind,
    /// Width as displayed (after the EXIF orientation).
    pub width: u32,
    /// Height as displayed.
    pub height: u32,
    /// Whether it may have transparent pixels (then the fallback is PNG, not JPEG).
    pub alpha: bool,
}

impl Probe {
    /// The short name of the source format: `jpeg`, `png`, `webp`, `gif`, `svg`.
    pub fn format_name(&self) -> &'static str {
        match self.kind {
            Kind::Svg => "svg",
            Kind::Raster(f) | Kind::Animated(f) => format_name(f),
        }
    }
}

/// The short name of a raster format.
pub fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Png => "png",
        ImageFormat::WebP => "webp",
        ImageFormat::Gif => "gif",
        _ => "image",
    }
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

/// Whether `path` names an SVG file (by extension: SVG is text and has no magic number).
pub fn is_svg(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"))
}

fn raster_format(path: &Path, bytes: &[u8]) -> Result<ImageFormat, ImageError> {
    match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif)) => {
            Ok(f)
        }
        _ => Err(ImageError::Unsupported {
            path: path.to_path_buf(),
        }),
    }
}

fn decode_error(path: &Path, e: image::ImageError) -> ImageError {
    match e {
        image::ImageError::Limits(_) => ImageError::TooLarge {
            path: path.to_path_buf(),
            width: 0,
            height: 0,
            max_side: MAX_SIDE,
            max_megapixels: (MAX_PIXELS / 1_000_000) as u32,
        },
        image::ImageError::Unsupported(_) => ImageError::Unsupported {
            path: path.to_path_buf(),
        },
        other => ImageError::Corrupt {
            path: path.to_path_buf(),
            reason: other.to_string(),
        },
    }
}

fn check_size(path: &Path, width: u32, height: u32) -> Result<(), ImageError> {
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooLarge {
            path: path.to_path_buf(),
            width,
            height,
            max_side: MAX_SIDE,
            max_megapixels: (MAX_PIXELS / 1_000_000) as u32,
        });
    }
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt {
            path: path.to_path_buf(),
            reason: "it has no pixels".into(),
        });
    }
    Ok(())
}

fn decoder<'a>(
    path: &Path,
    bytes: &'a [u8],
    format: ImageFormat,
) -> Result<impl ImageDecoder + 'a, ImageError> {
    // The header is read without limits (no pixel buffer is allocated for it) so that a bomb
    // is reported with the size it declares; the limits apply before any pixel is decoded.
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.no_limits();
    let mut decoder = reader.into_decoder().map_err(|e| decode_error(path, e))?;
    let (width, height) = decoder.dimensions();
    check_size(path, width, height)?;
    decoder
        .set_limits(limits())
        .map_err(|e| decode_error(path, e))?;
    Ok(decoder)
}

/// Reads the format, size and orientation of an image without decoding its pixels.
pub fn probe(path: &Path, bytes: &[u8]) -> Result<Probe, ImageError> {
    if is_svg(path) {
        let (width, height) = svg_size(path, bytes)?;
        return Ok(Probe {
            kind: Kind::Svg,
            width,
            height,
            alpha: true,
        });
    }
    let format = raster_format(path, bytes)?;
    let mut decoder = decoder(path, bytes, format)?;
    let (w, h) = decoder.dimensions();
    let alpha = decoder.color_type().has_alpha();
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let (width, height) = if swaps_sides(orientation) {
        (h, w)
    } else {
        (w, h)
    };
    let kind = if is_animated(path, bytes, format)? {
        Kind::Animated(format)
    } else {
        Kind::Raster(format)
    };
    Ok(Probe {
        kind,
        width,
        height,
        alpha,
    })
}

fn swaps_sides(orientation: image::metadata::Orientation) -> bool {
    use image::metadata::Orientation::*;
    matches!(
        orientation,
        Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH
    )
}

/// Whether a GIF has more than one frame (other formats are treated as still images).
fn is_animated(path: &Path, bytes: &[u8], format: ImageFormat) -> Result<bool, ImageError> {
    if format != ImageFormat::Gif {
        return Ok(false);
    }
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options
        .read_info(Cursor::new(bytes))
        .map_err(|e| ImageError::Corrupt {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    let mut frames = 0;
    while frames < 2 {
        match decoder.next_frame_info() {
            Ok(Some(_)) => frames += 1,
            Ok(None) => break,
            Err(e) => {
                return Err(ImageError::Corrupt {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok(frames > 1)
}

/// Decodes a raster image within the limits and turns it upright.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<DynamicImage, ImageError> {
    let format = raster_format(path, bytes)?;
    let mut decoder = decoder(path, bytes, format)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(path, e))?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// The EXIF block of a JPEG, PNG or WebP, if any (to keep with `keep_metadata = true`).
pub fn exif(path: &Path, bytes: &[u8]) -> Option<Vec<u8>> {
    let format = raster_format(path, bytes).ok()?;
    let mut decoder = decoder(path, bytes, format).ok()?;
    decoder.exif_metadata().ok().flatten()
}

/// Width and height of an SVG: its `width` and `height` attributes in pixels, else its
/// `viewBox`.
pub fn svg_size(path: &Path, bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    let bad = |reason: &str| ImageError::Svg {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let text = std::str::from_utf8(bytes).map_err(|_| bad("the file is not UTF-8 text"))?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 1_000_000,
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| bad(&format!("not valid XML: {e}")))?;
    let svg = doc.root_element();
    if svg.tag_name().name() != "svg" {
        return Err(bad("the root element is not <svg>"));
    }
    let length = |name: &str| {
        svg.attribute(name).and_then(|v| {
            let v = v.trim().trim_end_matches("px");
            v.parse::<f64>().ok().filter(|n| *n > 0.0)
        })
    };
    let view_box = svg.attribute("viewBox").and_then(|v| {
        let n: Vec<f64> = v
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        (n.len() == 4 && n[2] > 0.0 && n[3] > 0.0).then(|| (n[2], n[3]))
    });
    let (w, h) = match (length("width"), length("height"), view_box) {
        (Some(w), Some(h), _) => (w, h),
        (Some(w), None, Some((vw, vh))) => (w, w * vh / vw),
        (None, Some(h), Some((vw, vh))) => (h * vw / vh, h),
        (_, _, Some(v)) => v,
        _ => return Err(bad("it has neither width and height nor a viewBox")),
    };
    Ok((w.round().max(1.0) as u32, h.round().max(1.0) as u32))
}
