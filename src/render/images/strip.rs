//! Metadata: removes EXIF, XMP, IPTC and text chunks from images copied without re-encoding
//! (a JPEG whose EXIF turns it is re-encoded upright first, since the turn lives in the EXIF
//! that goes), and finds identifying metadata left in an output image for `ludd check`.

use super::decode;
use super::encode::{self, Format};
use super::error::ImageError;
use super::resize::Pixels;
use img_parts::{Bytes, ImageEXIF};
use std::path::Path;

/// JPEG markers that carry metadata: APP1 (EXIF, XMP), APP12 (Ducky, camera info), APP13
/// (IPTC, Photoshop), COM (comments).
const JPEG_METADATA: [u8; 4] = [0xE1, 0xEC, 0xED, 0xFE];
/// PNG chunks that carry metadata.
const PNG_METADATA: [[u8; 4]; 5] = [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"];
/// Quality of a JPEG re-encoded only to turn it upright.
const UPRIGHT_QUALITY: u8 = 90;

/// Whether `path` is an image this module strips (by extension).
pub fn is_strippable(path: &Path) -> bool {
    path.extension().is_some_and(|e| {
        let e = e.to_ascii_lowercase();
        matches!(e.to_str(), Some("jpg" | "jpeg" | "png" | "webp"))
    })
}

/// The bytes of an image without its metadata. Files that are not JPEG, PNG or WebP by their
/// bytes come back unchanged.
pub fn strip(path: &Path, bytes: Vec<u8>) -> Result<Vec<u8>, ImageError> {
    let corrupt = |e: img_parts::Error| ImageError::Corrupt {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    match image::guess_format(&bytes) {
        Ok(image::ImageFormat::Jpeg) => {
            if is_turned(path, &bytes) {
                let pixels = Pixels::from_image(decode::decode(path, &bytes)?);
                return encode::encode(path, &pixels, Format::Jpeg, UPRIGHT_QUALITY, None);
            }
            let mut jpeg =
                img_parts::jpeg::Jpeg::from_bytes(Bytes::from(bytes)).map_err(corrupt)?;
            jpeg.segments_mut()
                .retain(|s| !JPEG_METADATA.contains(&s.marker()));
            Ok(jpeg.encoder().bytes().to_vec())
        }
        Ok(image::ImageFormat::Png) => {
            let mut png = img_parts::png::Png::from_bytes(Bytes::from(bytes)).map_err(corrupt)?;
            png.chunks_mut()
                .retain(|c| !PNG_METADATA.contains(&c.kind()));
            Ok(png.encoder().bytes().to_vec())
        }
        Ok(image::ImageFormat::WebP) => {
            let mut webp =
                img_parts::webp::WebP::from_bytes(Bytes::from(bytes)).map_err(corrupt)?;
            webp.set_exif(None);
            webp.remove_chunks_by_id(*b"XMP ");
            Ok(webp.encoder().bytes().to_vec())
        }
        _ => Ok(bytes),
    }
}

/// Whether a JPEG's EXIF says to display it turned or mirrored.
fn is_turned(path: &Path, bytes: &[u8]) -> bool {
    use image::ImageDecoder;
    let Ok(mut decoder) = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(bytes)) else {
        let _ = path;
        return false;
    };
    decoder
        .orientation()
        .is_ok_and(|o| o != image::metadata::Orientation::NoTransforms)
}

/// What identifying metadata an image carries: GPS position, serial numbers, owner, XMP or
/// IPTC blocks. Empty for a clean image or a file that is not an image.
pub fn identifying_metadata(bytes: &[u8]) -> Vec<&'static str> {
    let mut found = Vec::new();
    if let Ok(exif) = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(bytes)) {
        let mut has = |what: &'static str| {
            if !found.contains(&what) {
                found.push(what);
            }
        };
        for field in exif.fields() {
            match field.tag {
                t if t.context() == exif::Context::Gps => has("GPS position"),
                exif::Tag::BodySerialNumber | exif::Tag::LensSerialNumber => {
                    has("camera serial number")
                }
                exif::Tag::CameraOwnerName | exif::Tag::Artist => has("owner's name"),
                exif::Tag::ImageUniqueID => has("unique image ID"),
                _ => {}
            }
        }
    }
    match image::guess_format(bytes) {
        Ok(image::ImageFormat::Jpeg) => {
            if let Ok(jpeg) = img_parts::jpeg::Jpeg::from_bytes(Bytes::copy_from_slice(bytes)) {
                for s in jpeg.segments() {
                    if s.marker() == 0xE1 && s.contents().starts_with(b"http://ns.adobe.com/xap") {
                        found.push("XMP metadata");
                    }
                    if s.marker() == 0xED {
                        found.push("IPTC metadata");
                    }
                }
            }
        }
        Ok(image::ImageFormat::Png) => {
            if let Ok(png) = img_parts::png::Png::from_bytes(Bytes::copy_from_slice(bytes)) {
                if png
                    .chunks()
                    .iter()
                    .any(|c| c.kind() == *b"iTXt" && c.contents().starts_with(b"XML:com.adobe.xmp"))
                {
                    found.push("XMP metadata");
                }
            }
        }
        Ok(image::ImageFormat::WebP) => {
            if let Ok(webp) = img_parts::webp::WebP::from_bytes(Bytes::copy_from_slice(bytes)) {
                if webp.has_chunk(*b"XMP ") {
                    found.push("XMP metadata");
                }
            }
        }
        _ => {}
    }
    found.dedup();
    found
}
