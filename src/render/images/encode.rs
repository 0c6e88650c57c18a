//! Encoding variants: lossy WebP through libwebp, baseline JPEG and PNG through `image`. No
//! encoder here writes metadata unless given EXIF to keep (`keep_metadata = true`).

pub use super::Format;
use super::error::ImageError;
use super::resize::Pixels;
use image::{ExtendedColorType, ImageEncoder};
use std::path::Path;

impl Format {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Webp => "webp",
            Format::Jpeg => "jpg",
            Format::Png => "png",
        }
    }

    /// MIME type, for `<source type>`.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Webp => "image/webp",
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
        }
    }

    /// The format actually written for an image with or without transparency: JPEG has no
    /// alpha channel, so such images fall back to PNG.
    pub fn for_alpha(self, alpha: bool) -> Format {
        if alpha && self == Format::Jpeg {
            Format::Png
        } else {
            self
        }
    }
}

/// Encodes `pixels` as `format` at `quality` (1–100, for the lossy formats), with `exif` kept
/// where the format can carry it.
pub fn encode(
    path: &Path,
    pixels: &Pixels,
    format: Format,
    quality: u8,
    exif: Option<&[u8]>,
) -> Result<Vec<u8>, ImageError> {
    let format = format.for_alpha(pixels.alpha);
    let fail = |e: &dyn std::fmt::Display| ImageError::Encode {
        path: path.to_path_buf(),
        format: format.extension(),
        reason: e.to_string(),
    };
    let color = if pixels.alpha {
        ExtendedColorType::Rgba8
    } else {
        ExtendedColorType::Rgb8
    };
    let mut out = Vec::new();
    match format {
        Format::Webp => {
            let encoder = if pixels.alpha {
                webp::Encoder::from_rgba(&pixels.data, pixels.width, pixels.height)
            } else {
                webp::Encoder::from_rgb(&pixels.data, pixels.width, pixels.height)
            };
            let encoded = encoder
                .encode_simple(false, f32::from(quality))
                .map_err(|e| fail(&format!("{e:?}")))?;
            out.extend_from_slice(&encoded);
        }
        Format::Jpeg => {
            let mut encoder =
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100));
            if let Some(exif) = exif {
                let _ = encoder.set_exif_metadata(exif.to_vec());
            }
            encoder
                .write_image(&pixels.data, pixels.width, pixels.height, color)
                .map_err(|e| fail(&e))?;
        }
        Format::Png => {
            let mut encoder = image::codecs::png::PngEncoder::new(&mut out);
            if let Some(exif) = exif {
                let _ = encoder.set_exif_metadata(exif.to_vec());
            }
            encoder
                .write_image(&pixels.data, pixels.width, pixels.height, color)
                .map_err(|e| fail(&e))?;
        }
    }
    Ok(out)
}
