//! Share cards: a 1200 × 630 PNG per page, drawn from the theme's SVG template
//! (`cards/card.svg`, the site's own overriding the theme's) with the page's title wrapped and
//! shrunk to fit its box, the site's name, and the language's direction (right-to-left titles
//! are anchored on the right). Only the fonts shipped in `cards/fonts/` are used, never the
//! machine's, so every machine draws the same card; the SVG may not read files.
//!
//! The template marks the title box with `<text id="title" data-width="…" data-height="…">`
//! (optional `data-max-size`, `data-min-size`, `data-line-height`); `{{ site_name }}`,
//! `{{ lang }}` and `{{ dir }}` anywhere in it are replaced.

use super::error::ImageError;
use crate::load::theme::CardSource;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Width of a card.
pub const WIDTH: u32 = 1200;
/// Height of a card.
pub const HEIGHT: u32 = 630;

/// What one card shows.
#[derive(Debug, Clone, Hash)]
pub struct CardText<'a> {
    /// The page title.
    pub title: &'a str,
    /// The site's name in the page's language.
    pub site_name: &'a str,
    /// Language code.
    pub lang: &'a str,
    /// Right-to-left script.
    pub rtl: bool,
}

/// The card template with its fonts, ready to draw.
pub struct CardRenderer {
    path: PathBuf,
    template: String,
    fonts: Vec<Arc<Vec<u8>>>,
    fontdb: Arc<usvg::fontdb::Database>,
    /// Hash of the template and fonts: part of every card's key.
    hash: String,
}

impl std::fmt::Debug for CardRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardRenderer")
            .field("path", &self.path)
            .finish()
    }
}

/// A title laid out in its box.
#[derive(Debug, Clone, PartialEq)]
struct Layout {
    size: f32,
    lines: Vec<String>,
}

fn svg_error(path: &Path, reason: impl Into<String>) -> ImageError {
    ImageError::Svg {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

impl CardRenderer {
    /// Prepares the template and fonts read by the load stage.
    pub fn new(source: &CardSource) -> Result<CardRenderer, ImageError> {
        let mut db = usvg::fontdb::Database::new();
        let mut hasher = blake3::Hasher::new();
        hasher.update(source.svg.as_bytes());
        let mut fonts = Vec::new();
        for (path, bytes) in &source.fonts {
            if ttf_parser::Face::parse(bytes, 0).is_err() {
                return Err(svg_error(path, "not a TrueType or OpenType font"));
            }
            hasher.update(bytes);
            db.load_font_data(bytes.clone());
            fonts.push(Arc::new(bytes.clone()));
        }
        if fonts.is_empty() {
            return Err(svg_error(
                &source.path,
                "no fonts in cards/fonts/ next to the card template",
            ));
        }
        let first_family = db
            .faces()
            .next()
            .and_then(|f| f.families.first().map(|(n, _)| n.clone()))
            .unwrap_or_default();
        db.set_sans_serif_family(first_family);
        Ok(CardRenderer {
            path: source.path.clone(),
            template: source.svg.clone(),
            fonts,
            fontdb: Arc::new(db),
            hash: hasher.finalize().to_hex()[..16].to_string(),
        })
    }

    /// The cache key of a card: its text, this template and these fonts.
    pub fn key(&self, text: &CardText) -> String {
        let mut h = blake3::Hasher::new();
        for part in [self.hash.as_str(), text.title, text.site_name, text.lang] {
            h.update(part.as_bytes());
            h.update(&[0]);
        }
        h.update(&[u8::from(text.rtl)]);
        h.finalize().to_hex()[..20].to_string()
    }

    /// Draws a card as PNG bytes.
    pub fn render(&self, text: &CardText) -> Result<Vec<u8>, ImageError> {
        let svg = self.fill(text)?;
        let mut options = usvg::Options {
            fontdb: Arc::clone(&self.fontdb),
            ..usvg::Options::default()
        };
        // Data URLs only: a card template never reads a file.
        options.image_href_resolver = usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        };
        let tree = usvg::Tree::from_str(&svg, &options)
            .map_err(|e| svg_error(&self.path, format!("not a valid SVG: {e}")))?;
        let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT)
            .ok_or_else(|| svg_error(&self.path, "cannot allocate the card"))?;
        let size = tree.size();
        let transform = tiny_skia::Transform::from_scale(
            WIDTH as f32 / size.width(),
            HEIGHT as f32 / size.height(),
        );
        resvg::render(&tree, transform, &mut pixmap.as_mut());
        pixmap.encode_png().map_err(|e| ImageError::Encode {
            path: self.path.clone(),
            format: "png",
            reason: e.to_string(),
        })
    }

    /// The template with the text put in.
    fn fill(&self, text: &CardText) -> Result<String, ImageError> {
        use crate::render::escape::xml;
        let svg = self
            .template
            .replace("{{ site_name }}", &xml(text.site_name))
            .replace("{{ lang }}", &xml(text.lang))
            .replace("{{ dir }}", if text.rtl { "rtl" } else { "ltr" });
        let doc = roxmltree::Document::parse(&svg)
            .map_err(|e| svg_error(&self.path, format!("not valid XML: {e}")))?;
        let Some(node) = doc.descendants().find(|n| n.attribute("id") == Some("title")) else {
            return Err(svg_error(&self.path, "no element with id=\"title\""));
        };
        let number = |name: &str, default: f32| {
            node.attribute(name)
                .and_then(|v| v.trim().trim_end_matches("px").parse::<f32>().ok())
                .unwrap_or(default)
        };
        let (x, y) = (number("x", 80.0), number("y", 200.0));
        let (width, height) = (number("data-width", 1040.0), number("data-height", 300.0));
        let max = number("data-max-size", 96.0);
        let min = number("data-min-size", 36.0);
        let line_height = number("data-line-height", 1.15);
        let layout = self.layout(text.title, width, height, max, min, line_height);
        let anchor_x = if text.rtl { x + width } else { x };
        let mut out = String::new();
        for (i, line) in layout.lines.iter().enumerate() {
            let dy = if i == 0 {
                layout.size
            } else {
                layout.size * line_height
            };
            out.push_str(&format!(
                "<tspan x=\"{anchor_x}\" dy=\"{dy:.1}\">{}</tspan>",
                xml(line)
            ));
        }
        let range = node.range();
        let open_end = svg[range.clone()]
            .find('>')
            .map(|i| range.start + i + 1)
            .ok_or_else(|| svg_error(&self.path, "broken title element"))?;
        let self_closing = svg[..open_end].ends_with("/>");
        let tag = if self_closing {
            &svg[range.start..open_end - 2]
        } else {
            &svg[range.start..open_end - 1]
        };
        let direction = if text.rtl {
            " direction=\"rtl\" text-anchor=\"end\""
        } else {
            ""
        };
        // The text starts at the top of the box: `y` is its top edge.
        let tag = tag.replacen(&format!("y=\"{}\"", node.attribute("y").unwrap_or("")), &format!("y=\"{y}\""), 1);
        let element = format!("{tag} font-size=\"{:.1}\"{direction}>{out}</text>", layout.size);
        Ok(format!("{}{element}{}", &svg[..range.start], &svg[range.end..]))
    }

    /// Wraps `title` at the largest size from `max` down to `min` at which it fits the box;
    /// at `min`, lines that do not fit are cut with an ellipsis.
    fn layout(&self, title: &str, width: f32, height: f32, max: f32, min: f32, line_height: f32) -> Layout {
        let faces: Vec<ttf_parser::Face> = self
            .fonts
            .iter()
            .filter_map(|f| ttf_parser::Face::parse(f, 0).ok())
            .collect();
        let measure = |s: &str, size: f32| -> f32 {
            s.chars()
                .map(|c| {
                    faces
                        .iter()
                        .find_map(|f| {
                            let g = f.glyph_index(c)?;
                            let adv = f32::from(f.glyph_hor_advance(g)?);
                            Some(adv / f32::from(f.units_per_em()))
                        })
                        .unwrap_or(0.6)
                })
                .sum::<f32>()
                * size
        };
        let words: Vec<&str> = title.split_whitespace().collect();
        let mut size = max;
        loop {
            let max_lines = ((height / size - 1.0) / line_height + 1.0).floor().max(1.0) as usize;
            let mut lines: Vec<String> = Vec::new();
            let mut fits = true;
            for word in &words {
                let candidate = match lines.last() {
                    Some(last) => format!("{last} {word}"),
                    None => word.to_string(),
                };
                if lines.is_empty() {
                    lines.push(candidate);
                } else if measure(&candidate, size) <= width {
                    if let Some(last) = lines.last_mut() {
                        *last = candidate;
                    }
                } else {
                    lines.push(word.to_string());
                }
                if lines.last().is_some_and(|l| measure(l, size) > width) {
                    fits = false;
                }
            }
            if lines.len() > max_lines {
                fits = false;
            }
            if fits || size <= min {
                if !fits {
                    lines.truncate(max_lines);
                    for line in &mut lines {
                        while measure(&format!("{line}…"), size) > width && line.pop().is_some() {}
                    }
                    if let Some(last) = lines.last_mut() {
                        if !last.ends_with('…') {
                            last.push('…');
                        }
                    }
                }
                return Layout { size, lines };
            }
            size = (size - 4.0).max(min);
        }
    }
}

/// The output path of the card of the document at `url`: `cards/en/article.png`,
/// `cards/index.png` for `/`.
pub fn output_path(url: &str) -> String {
    let trimmed = url.trim_matches('/');
    let name = if trimmed.is_empty() { "index" } else { trimmed };
    format!("cards/{name}.png")
}

/// The site's name in language `lang`: its `[languages.<code>] title`, else `title`.
pub fn site_name(site: &crate::model::Site, lang: usize) -> String {
    let code = &site.languages[lang].code;
    site.config
        .languages
        .0
        .iter()
        .find(|(c, _)| c == code)
        .and_then(|(_, l)| l.title.clone())
        .unwrap_or_else(|| site.config.title.clone())
}

/// The absolute URL of the card of the output at `path` (root-relative URL) in language
/// `lang`: its document's card, else (listings of terms, 404 pages, a document with its own
/// `extra.card`) the language's home page card. `extra.card = "path"` names a static or
/// content image instead. None without a card template.
pub fn card_url(site: &crate::model::Site, path: &str, lang: usize) -> Option<String> {
    site.theme.card.as_ref()?;
    let doc = site.by_url.get(path).copied();
    if let Some(id) = doc {
        if let Some(own) = site.docs[id]
            .source
            .front_matter
            .extra
            .get("card")
            .and_then(|v| v.as_str())
        {
            let own = own.trim_start_matches('/');
            return Some(site.permalink(&format!("/{}", crate::render::escape::url_path(own))));
        }
    }
    let url = doc
        .map(|id| site.docs[id].url.as_str())
        .or_else(|| site.homes.get(lang).copied().flatten().map(|h| site.docs[h].url.as_str()))?;
    Some(site.permalink(&format!(
        "/{}",
        crate::render::escape::url_path(&output_path(url))
    )))
}
