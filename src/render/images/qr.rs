//! QR codes as inline SVG (for printed handouts): drawn here from the URL, so no service ever
//! sees which page was encoded.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An inline `<svg>` QR code of `text`, at least `size` CSS pixels wide, with `label` as its
/// accessible name.
pub fn svg(text: &str, size: u32, label: &str) -> Result<String, String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| format!("cannot make a QR code of `{text}`: {e}"))?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(size, size)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    // Inline SVG takes no XML declaration.
    let body = image
        .find("<svg")
        .map(|start| &image[start..])
        .unwrap_or(&image);
    let label = crate::render::escape::html(label);
    Ok(body.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{label}\" class=\"qr\" "),
        1,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_an_inline_svg() {
        let svg = super::svg("https://example.org/de/", 160, "QR code").unwrap();
        assert!(svg.starts_with("<svg role=\"img\""));
        assert!(svg.contains("<path") || svg.contains("<rect"));
        assert!(!svg.contains("<?xml"));
    }
}
