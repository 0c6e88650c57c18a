//! Geometry and resampling: the size and crop of each variant (`scale`, `fit`, `fill` with a
//! focal point, never larger than the source), and Lanczos resampling with SIMD through
//! `fast_image_resize`.

use super::error::ImageError;
use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::DynamicImage;
use std::path::Path;

/// Decoded pixels, 8-bit RGB or RGBA.
pub struct Pixels {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Four channels (RGBA) instead of three.
    pub alpha: bool,
    /// Row-major bytes.
    pub data: Vec<u8>,
}

impl Pixels {
    /// Converts a decoded image, keeping an alpha channel only where it has one.
    pub fn from_image(image: DynamicImage) -> Pixels {
        let (width, height) = (image.width(), image.height());
        if image.color().has_alpha() {
            Pixels {
                width,
                height,
                alpha: true,
                data: image.into_rgba8().into_raw(),
            }
        } else {
            Pixels {
                width,
                height,
                alpha: false,
                data: image.into_rgb8().into_raw(),
            }
        }
    }
}

/// Where the crop of `fill` is anchored, as fractions of the free space (0 = left/top).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Focus {
    /// Horizontal position, 0.0–1.0.
    pub x: f64,
    /// Vertical position, 0.0–1.0.
    pub y: f64,
}

impl Focus {
    /// The middle.
    pub const CENTER: Focus = Focus { x: 0.5, y: 0.5 };

    /// Parses `center`, `top`, `bottom`, `left`, `right`, `top-left`, … or `x,y` in per cent.
    pub fn parse(text: &str) -> Result<Focus, ImageError> {
        let t = text.trim().to_ascii_lowercase();
        let named = match t.as_str() {
            "center" | "centre" | "smart" => Some((0.5, 0.5)),
            "top" => Some((0.5, 0.0)),
            "bottom" => Some((0.5, 1.0)),
            "left" => Some((0.0, 0.5)),
            "right" => Some((1.0, 0.5)),
            "top-left" | "topleft" => Some((0.0, 0.0)),
            "top-right" | "topright" => Some((1.0, 0.0)),
            "bottom-left" | "bottomleft" => Some((0.0, 1.0)),
            "bottom-right" | "bottomright" => Some((1.0, 1.0)),
            _ => None,
        };
        if let Some((x, y)) = named {
            return Ok(Focus { x, y });
        }
        let percent = |s: &str| {
            s.trim()
                .trim_end_matches('%')
                .parse::<f64>()
                .ok()
                .filter(|v| (0.0..=100.0).contains(v))
        };
        match t.split_once(',') {
            Some((x, y)) => match (percent(x), percent(y)) {
                (Some(x), Some(y)) => Ok(Focus {
                    x: x / 100.0,
                    y: y / 100.0,
                }),
                _ => Err(bad_focus(text)),
            },
            None => Err(bad_focus(text)),
        }
    }
}

fn bad_focus(text: &str) -> ImageError {
    ImageError::Argument(format!(
        "focal point `{text}` is not center, top, bottom, left, right, top-left, … or `x,y` in per cent"
    ))
}

/// How a variant is cut from its source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// To the given width and/or height; with both, the aspect ratio changes.
    Scale,
    /// As large as fits inside width × height, keeping the aspect ratio.
    Fit,
    /// Exactly width × height, cropping around the focal point.
    Fill(Focus),
}

impl Op {
    /// Parses an op name, with `focus` for `fill`.
    pub fn parse(name: &str, focus: Option<&str>) -> Result<Op, ImageError> {
        match name {
            "scale" | "resize" => Ok(Op::Scale),
            "fit" | "fit_width" | "fit_height" => Ok(Op::Fit),
            "fill" => Ok(Op::Fill(match focus {
                Some(f) => Focus::parse(f)?,
                None => Focus::CENTER,
            })),
            other => Err(ImageError::Argument(format!(
                "unknown image op `{other}`: use scale, fit or fill"
            ))),
        }
    }
}

/// The crop (in source pixels) and the output size of a variant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    /// Left, top, width, height of the part of the source used.
    pub crop: (f64, f64, f64, f64),
    /// Output width.
    pub width: u32,
    /// Output height.
    pub height: u32,
}

fn round(v: f64) -> u32 {
    v.round().max(1.0) as u32
}

/// Plans a variant of a `src_w` × `src_h` image. Never upscales: a request beyond the source
/// is scaled down to fit it, keeping the requested aspect ratio.
pub fn plan(src_w: u32, src_h: u32, op: Op, width: Option<u32>, height: Option<u32>) -> Plan {
    let (sw, sh) = (f64::from(src_w), f64::from(src_h));
    let whole = (0.0, 0.0, sw, sh);
    let aspect = sw / sh;
    match (op, width, height) {
        (_, None, None) => Plan {
            crop: whole,
            width: src_w,
            height: src_h,
        },
        (Op::Scale | Op::Fit, Some(w), None) => {
            let w = f64::from(w).min(sw);
            Plan {
                crop: whole,
                width: round(w),
                height: round(w / aspect),
            }
        }
        (Op::Scale | Op::Fit, None, Some(h)) => {
            let h = f64::from(h).min(sh);
            Plan {
                crop: whole,
                width: round(h * aspect),
                height: round(h),
            }
        }
        (Op::Scale, Some(w), Some(h)) => {
            let (w, h) = (f64::from(w), f64::from(h));
            let shrink = (sw / w).min(sh / h).min(1.0);
            Plan {
                crop: whole,
                width: round(w * shrink),
                height: round(h * shrink),
            }
        }
        (Op::Fit, Some(w), Some(h)) => {
            let scale = (f64::from(w) / sw).min(f64::from(h) / sh).min(1.0);
            Plan {
                crop: whole,
                width: round(sw * scale),
                height: round(sh * scale),
            }
        }
        (Op::Fill(focus), w, h) => {
            let (w, h) = (f64::from(w.unwrap_or(src_w)), f64::from(h.unwrap_or(src_h)));
            let target = w / h;
            let (cw, ch) = if target > aspect {
                (sw, sw / target)
            } else {
                (sh * target, sh)
            };
            let left = (sw - cw) * focus.x;
            let top = (sh - ch) * focus.y;
            let shrink = (cw / w).min(1.0);
            let (ow, oh) = if shrink < 1.0 { (cw, ch) } else { (w, h) };
            Plan {
                crop: (left, top, cw, ch),
                width: round(ow),
                height: round(oh),
            }
        }
    }
}

/// Resamples `pixels` as `plan` says (Lanczos 3).
pub fn apply(path: &Path, pixels: &Pixels, plan: &Plan) -> Result<Pixels, ImageError> {
    let pixel_type = if pixels.alpha {
        PixelType::U8x4
    } else {
        PixelType::U8x3
    };
    let fail = |e: &dyn std::fmt::Display| ImageError::Corrupt {
        path: path.to_path_buf(),
        reason: format!("cannot resize: {e}"),
    };
    let whole = plan.crop == (0.0, 0.0, f64::from(pixels.width), f64::from(pixels.height));
    if whole && plan.width == pixels.width && plan.height == pixels.height {
        return Ok(Pixels {
            width: pixels.width,
            height: pixels.height,
            alpha: pixels.alpha,
            data: pixels.data.clone(),
        });
    }
    let src = fast_image_resize::images::ImageRef::new(
        pixels.width,
        pixels.height,
        &pixels.data,
        pixel_type,
    )
    .map_err(|e| fail(&e))?;
    let mut dst = Image::new(plan.width, plan.height, pixel_type);
    let (left, top, w, h) = plan.crop;
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
        .crop(left, top, w, h);
    Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|e| fail(&e))?;
    Ok(Pixels {
        width: plan.width,
        height: plan.height,
        alpha: pixels.alpha,
        data: dst.into_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_upscales() {
        let p = plan(1000, 500, Op::Scale, Some(1600), None);
        assert_eq!((p.width, p.height), (1000, 500));
        let p = plan(1000, 500, Op::Fit, Some(400), Some(400));
        assert_eq!((p.width, p.height), (400, 200));
    }

    #[test]
    fn fill_crops_around_the_focus() {
        let p = plan(
            2000,
            1000,
            Op::Fill(Focus::parse("left").unwrap()),
            Some(500),
            Some(500),
        );
        assert_eq!((p.width, p.height), (500, 500));
        assert_eq!(p.crop, (0.0, 0.0, 1000.0, 1000.0));
        let p = plan(
            2000,
            1000,
            Op::Fill(Focus::parse("100,0").unwrap()),
            Some(500),
            Some(500),
        );
        assert_eq!(p.crop.0, 1000.0);
        assert!(Focus::parse("north").is_err());
        assert!(Op::parse("rotate", None).is_err());
    }
}
