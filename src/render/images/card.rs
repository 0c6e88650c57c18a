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
use crate::model::{Doc, LangId, Site};
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

/// The title box of a template: where the element with `id="title"` puts the title.
#[derive(Debug, Clone, Copy)]
struct TitleBox {
    x: f32,
    y: f32,
    width: f32,
    height: f32,
    max_size: f32,
    min_size: f32,
    line_height: f32,
}

fn svg_error(path: &Path, reason: impl Into<String>) -> ImageError {
    ImageError::Svg {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Right-to-left mark: put around a right-to-left line so that the renderer (whose paragraphs
/// are left-to-right) keeps the punctuation at its ends on the right side.
const RLM: char = '\u{200F}';

impl CardRenderer {
    /// Prepares the template and fonts read by the load stage.
    pub fn new(source: &CardSource) -> Result<CardRenderer, ImageError> {
        let mut db = usvg::fontdb::Database::new();
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"card 1\0");
        hasher.update(source.svg.as_bytes());
        let mut fonts = Vec::new();
        for (path, bytes) in &source.fonts {
            if rustybuzz::Face::from_slice(bytes, 0).is_none() {
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
        let renderer = CardRenderer {
            path: source.path.clone(),
            template: source.svg.clone(),
            fonts,
            fontdb: Arc::new(db),
            hash: hasher.finalize().to_hex()[..16].to_string(),
        };
        // A broken template is reported once, when the build starts, not once per page.
        renderer.fill(&CardText {
            title: "Title",
            site_name: "Site",
            lang: "en",
            rtl: false,
        })?;
        Ok(renderer)
    }

    /// The cache key of a card: its text, this template and these fonts (20 hex digits).
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

    /// The template with the text put in: `{{ site_name }}`, `{{ lang }}` and `{{ dir }}`
    /// replaced, the title element replaced by one `<text>` per line, and for a right-to-left
    /// language every element marked `data-mirror` moved to the mirrored place (see
    /// [`mirror_tag`]).
    fn fill(&self, text: &CardText) -> Result<String, ImageError> {
        use crate::render::escape::xml;
        let svg = self
            .template
            .replace("{{ site_name }}", &xml(text.site_name))
            .replace("{{ lang }}", &xml(text.lang))
            .replace("{{ dir }}", if text.rtl { "rtl" } else { "ltr" });
        let doc = roxmltree::Document::parse(&svg)
            .map_err(|e| svg_error(&self.path, format!("not valid XML: {e}")))?;
        let root = doc.root_element();
        let canvas_width = number(root, "width")
            .or_else(|| {
                root.attribute("viewBox")
                    .and_then(|v| v.split([' ', ',']).filter(|p| !p.is_empty()).nth(2))
                    .and_then(|w| w.parse().ok())
            })
            .unwrap_or(WIDTH as f32);
        let Some(title) = doc
            .descendants()
            .find(|n| n.attribute("id") == Some("title"))
        else {
            return Err(svg_error(&self.path, "no element with id=\"title\""));
        };
        let spec = TitleBox {
            x: number(title, "x").unwrap_or(80.0),
            y: number(title, "y").unwrap_or(200.0),
            width: number(title, "data-width").unwrap_or(1040.0),
            height: number(title, "data-height").unwrap_or(300.0),
            max_size: number(title, "data-max-size").unwrap_or(96.0),
            min_size: number(title, "data-min-size").unwrap_or(36.0),
            line_height: number(title, "data-line-height").unwrap_or(1.15),
        };
        if !(spec.width > 0.0 && spec.height > 0.0 && spec.min_size > 0.0) {
            return Err(svg_error(
                &self.path,
                "the title element needs a positive data-width, data-height and data-min-size",
            ));
        }
        let letter_spacing = number(title, "letter-spacing").unwrap_or(0.0);
        let layout = self.layout(text.title, &spec, letter_spacing);
        // Edits: (byte range in `svg`, replacement), in document order.
        let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        if text.rtl {
            for node in doc.descendants().filter(|n| n.has_attribute("data-mirror")) {
                if node == title || node.ancestors().any(|a| a == title) {
                    continue;
                }
                edits.push((start_tag(&svg, node), mirror_tag(node, canvas_width)));
            }
        }
        edits.push((
            title.range(),
            title_element(title, &spec, &layout, text.rtl),
        ));
        edits.sort_by_key(|(r, _)| r.start);
        let mut out = String::with_capacity(svg.len() + 512);
        let mut at = 0;
        for (range, replacement) in edits {
            if range.start < at {
                continue;
            }
            out.push_str(&svg[at..range.start]);
            out.push_str(&replacement);
            at = range.end;
        }
        out.push_str(&svg[at..]);
        Ok(out)
    }

    /// Wraps `title` at the largest size from the box's maximum down to its minimum (in steps
    /// of 2 px) at which it fits; at the minimum, what does not fit is cut with an ellipsis.
    fn layout(&self, title: &str, spec: &TitleBox, letter_spacing: f32) -> Layout {
        let faces: Vec<rustybuzz::Face> = self
            .fonts
            .iter()
            .filter_map(|f| rustybuzz::Face::from_slice(f, 0))
            .collect();
        let measure = |s: &str, size: f32| {
            measure(&faces, s) * size + letter_spacing * s.chars().count() as f32
        };
        let words: Vec<&str> = title.split(is_break).filter(|w| !w.is_empty()).collect();
        let mut size = spec.max_size.max(spec.min_size);
        loop {
            let max_lines = (((spec.height / size) - 1.0) / spec.line_height + 1.0)
                .floor()
                .max(1.0) as usize;
            let lines = wrap(&words, |l| measure(l, size) <= spec.width);
            let fits =
                lines.len() <= max_lines && lines.iter().all(|l| measure(l, size) <= spec.width);
            if fits || size <= spec.min_size {
                let lines = if fits {
                    lines
                } else {
                    cut(lines, max_lines, |l| measure(l, size) <= spec.width)
                };
                return Layout { size, lines };
            }
            size = (size - 2.0).max(spec.min_size);
        }
    }
}

/// Whether a line may break at `c`: whitespace, but not the no-break spaces that keep
/// `1 100`, `« Le` or `nous ?` together.
fn is_break(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}')
}

/// Greedy line breaking: as many words on a line as `fits` allows (a word that fits on no line
/// gets one of its own).
fn wrap(words: &[&str], fits: impl Fn(&str) -> bool) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in words {
        match lines.last_mut() {
            Some(last) if fits(&format!("{last} {word}")) => {
                last.push(' ');
                last.push_str(word);
            }
            _ => lines.push((*word).to_string()),
        }
    }
    lines
}

/// The first `max_lines` lines, each shortened until it fits, the last one ending in `…`.
fn cut(mut lines: Vec<String>, max_lines: usize, fits: impl Fn(&str) -> bool) -> Vec<String> {
    let cut_short = lines.len() > max_lines;
    lines.truncate(max_lines);
    let last = lines.len().saturating_sub(1);
    for (i, line) in lines.iter_mut().enumerate() {
        let needs_ellipsis = (i == last && cut_short) || !fits(line);
        if !needs_ellipsis {
            continue;
        }
        while !line.is_empty() && !fits(&format!("{line}…")) {
            line.pop();
        }
        let kept = line.trim_end().len();
        line.truncate(kept);
        line.push('…');
    }
    lines
}

/// Width of `text` at size 1: shaped (so Arabic joins and ligatures count) with the first of
/// `faces` that has each character's glyph, run by run.
fn measure(faces: &[rustybuzz::Face], text: &str) -> f32 {
    let face_of = |c: char| {
        faces
            .iter()
            .position(|f| f.glyph_index(c).is_some())
            .unwrap_or(0)
    };
    let mut total = 0.0;
    let mut run = String::new();
    let mut run_face = None;
    let mut flush = |run: &mut String, face: Option<usize>| {
        if let Some(face) = face.and_then(|i| faces.get(i)) {
            let mut buffer = rustybuzz::UnicodeBuffer::new();
            buffer.push_str(run);
            buffer.guess_segment_properties();
            let glyphs = rustybuzz::shape(face, &[], buffer);
            let advance: i32 = glyphs.glyph_positions().iter().map(|p| p.x_advance).sum();
            total += advance as f32 / face.units_per_em() as f32;
        }
        run.clear();
    };
    for c in text.chars() {
        // Spaces and marks stay in the run they are in.
        let face = if c.is_whitespace() {
            run_face
        } else {
            Some(face_of(c))
        };
        if face != run_face && !run.is_empty() {
            flush(&mut run, run_face);
        }
        run_face = face.or(run_face);
        run.push(c);
    }
    flush(&mut run, run_face);
    total
}

/// A number attribute (`80`, `80px`).
fn number(node: roxmltree::Node, name: &str) -> Option<f32> {
    node.attribute(name)?
        .trim()
        .trim_end_matches("px")
        .parse::<f32>()
        .ok()
        .filter(|n| n.is_finite())
}

/// The byte range of `node`'s start tag in `svg` (its whole text for an empty element).
fn start_tag(svg: &str, node: roxmltree::Node) -> std::ops::Range<usize> {
    let range = node.range();
    let end = svg[range.clone()]
        .find('>')
        .map_or(range.end, |i| range.start + i + 1);
    range.start..end
}

/// The attributes of `node` as written in a tag, but `skip`ped ones.
fn attributes(node: roxmltree::Node, skip: &[&str]) -> String {
    use crate::render::escape::xml;
    let mut out = String::new();
    for a in node.attributes() {
        if a.namespace().is_none() && skip.contains(&a.name()) {
            continue;
        }
        let name = match a.namespace().and_then(|ns| node.lookup_prefix(ns)) {
            Some(prefix) if !prefix.is_empty() => format!("{prefix}:{}", a.name()),
            _ => a.name().to_string(),
        };
        out.push_str(&format!(" {name}=\"{}\"", xml(a.value())));
    }
    out
}

/// The start tag of a `data-mirror` element for a right-to-left card: its `x` mirrored across
/// the card's width (`x + width` of a shape lands at `canvas - x`), a text's `text-anchor`
/// swapped (start ↔ end).
fn mirror_tag(node: roxmltree::Node, canvas: f32) -> String {
    let x = number(node, "x").unwrap_or(0.0);
    let width = number(node, "width").unwrap_or(0.0);
    let mut extra = format!(" x=\"{}\"", canvas - x - width);
    if node.tag_name().name() == "text" {
        let anchor = match node.attribute("text-anchor") {
            Some("end") => "start",
            Some("middle") => "middle",
            _ => "end",
        };
        extra.push_str(&format!(" text-anchor=\"{anchor}\""));
    }
    let end = if node.has_children() { ">" } else { "/>" };
    format!(
        "<{}{}{extra}{end}",
        qualified_name(node),
        attributes(node, &["x", "text-anchor", "data-mirror"])
    )
}

fn qualified_name(node: roxmltree::Node) -> String {
    let name = node.tag_name();
    match name.namespace().and_then(|ns| node.lookup_prefix(ns)) {
        Some(prefix) if !prefix.is_empty() => format!("{prefix}:{}", name.name()),
        _ => name.name().to_string(),
    }
}

/// The title element, laid out: a group with the element's own presentation attributes and
/// one `<text>` per line, the first line's top at the box's top. A right-to-left title is
/// anchored at the box's right edge and each line kept right-to-left (see [`RLM`]).
fn title_element(node: roxmltree::Node, spec: &TitleBox, layout: &Layout, rtl: bool) -> String {
    use crate::render::escape::xml;
    let attrs = attributes(
        node,
        &[
            "id",
            "x",
            "y",
            "dy",
            "text-anchor",
            "direction",
            "font-size",
            "data-width",
            "data-height",
            "data-max-size",
            "data-min-size",
            "data-line-height",
        ],
    );
    let (x, anchor) = if rtl {
        (spec.x + spec.width, "end")
    } else {
        (spec.x, "start")
    };
    let mut out = format!("<g id=\"title\"{attrs} font-size=\"{:.1}\">", layout.size);
    for (i, line) in layout.lines.iter().enumerate() {
        let baseline = spec.y + layout.size * (1.0 + spec.line_height * i as f32);
        let line = if rtl {
            format!("{RLM}{line}{RLM}")
        } else {
            line.clone()
        };
        out.push_str(&format!(
            "<text x=\"{x:.1}\" y=\"{baseline:.1}\" text-anchor=\"{anchor}\">{}</text>",
            xml(&line)
        ));
    }
    out.push_str("</g>");
    out
}

/// The output path of the card of document `d`: `cards/en/article.png`, `cards/index.png`
/// for the home page (base_url's path is not part of output paths).
pub fn output_path(site: &Site, d: &Doc) -> String {
    let trimmed = site.strip_base_path(&d.url).trim_matches('/');
    let name = if trimmed.is_empty() { "index" } else { trimmed };
    format!("cards/{name}.png")
}

/// The image a document names as its own card (`extra.card = "path"`), if any. Any other
/// value of `extra.card` (a theme's `extra.card = false`) is not a card image.
pub fn own_card(d: &Doc) -> Option<&str> {
    d.source.front_matter.extra.get("card")?.as_str()
}

/// The root-relative (or absolute `http(s)://`) URL of a document's own card image: a file
/// of its bundle (`hero.jpg`), else a static file (`img/card.png`, `/img/card.png`). None when
/// it names neither.
pub fn own_card_url(site: &Site, d: &Doc, own: &str) -> Option<String> {
    if own.starts_with("https://") || own.starts_with("http://") {
        return Some(own.to_string());
    }
    if !own.starts_with('/') {
        if let Some(dir) = d.asset_dir() {
            let rel = if dir.is_empty() {
                own.to_string()
            } else {
                format!("{dir}/{own}")
            };
            if d.assets.contains(&rel) {
                return Some(crate::model::urls::asset_url(d, &rel));
            }
        }
    }
    let rel = own.trim_start_matches('/');
    site.theme
        .static_files
        .iter()
        .any(|f| f.rel_path == rel)
        .then(|| site.file_url(rel))
}

/// Whether document `d` gets a drawn card: the site has a card template, the document has a
/// page of its own (no redirect, `render` not off) and names no card image of its own.
pub fn is_drawn(site: &Site, d: &Doc) -> bool {
    site.theme.card.is_some()
        && d.source.front_matter.renders()
        && d.redirect.is_none()
        && own_card(d).is_none()
}

/// The site's name in language `lang`: its `[languages.<code>] title`, else `title`.
pub fn site_name(site: &Site, lang: LangId) -> String {
    let code = &site.languages[lang].code;
    site.config
        .languages
        .0
        .iter()
        .find(|(c, _)| c == code)
        .and_then(|(_, l)| l.title.clone())
        .unwrap_or_else(|| site.config.title.clone())
}

/// The absolute URL of the card of the output at `path` (a root-relative URL) in language
/// `lang`: its document's own image (`extra.card`) or drawn card, else (taxonomy listings, 404
/// pages) the language's home page card. None when there is neither.
pub fn card_url(site: &Site, path: &str, lang: LangId) -> Option<String> {
    card_link(site, path, lang).map(|link| permalink(site, &link))
}

/// [`card_url`] as a link within the site (with base_url's path), for the pages that offer
/// the card for download: it then works in the preview too, where base_url is not served. An
/// own card given as a full URL stays one.
fn card_link(site: &Site, path: &str, lang: LangId) -> Option<String> {
    let doc = site
        .by_url
        .get(path)
        .map(|&id| &site.docs[id])
        .filter(|d| is_drawn(site, d) || own_card(d).is_some());
    let doc = match doc {
        Some(d) => d,
        None => home_card_doc(site, lang)?,
    };
    let url = match own_card(doc) {
        Some(own) => own_card_url(site, doc, own)?,
        None => site.file_url(&output_path(site, doc)),
    };
    Some(if is_full_url(&url) {
        url
    } else {
        crate::render::escape::url_path(&url)
    })
}

/// Language `lang`'s home page card (the campaign's card, as a press kit offers it) as a link
/// within the site (see [`card_link`]), if the home page has one; [`permalink`] makes it absolute.
pub fn home_card_link(site: &Site, lang: LangId) -> Option<String> {
    let home = home_card_doc(site, lang)?;
    card_link(site, &home.url, lang)
}

fn home_card_doc(site: &Site, lang: LangId) -> Option<&Doc> {
    let home = &site.docs[site.homes.get(lang.index()).copied().flatten()?];
    (is_drawn(site, home) || own_card(home).is_some()).then_some(home)
}

/// `link` (see [`card_link`]) with the site's scheme and host.
pub fn permalink(site: &Site, link: &str) -> String {
    if is_full_url(link) {
        link.to_string()
    } else {
        site.permalink(link)
    }
}

fn is_full_url(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renderer() -> CardRenderer {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/campaign/cards");
        let read = |p: &str| std::fs::read(dir.join(p)).expect("theme card file");
        CardRenderer::new(&CardSource {
            path: PathBuf::from("cards/card.svg"),
            svg: String::from_utf8(read("card.svg")).expect("UTF-8"),
            fonts: ["fonts/NotoSans-Bold.ttf", "fonts/NotoSansArabic-Bold.ttf"]
                .iter()
                .map(|f| (PathBuf::from(f), read(f)))
                .collect(),
        })
        .expect("the campaign template loads")
    }

    fn text<'a>(title: &'a str, rtl: bool) -> CardText<'a> {
        CardText {
            title,
            site_name: "Kampagne",
            lang: if rtl { "ar" } else { "de" },
            rtl,
        }
    }

    #[test]
    fn right_to_left_lines_are_anchored_at_the_right_edge_of_the_box() {
        let svg = renderer()
            .fill(&text("الذكاء الاصطناعي، ولكن", true))
            .expect("fills");
        assert!(
            svg.contains("x=\"1120.0\" y=\"270.0\" text-anchor=\"end\">\u{200F}الذكاء"),
            "{svg}"
        );
        // The mirrored site name ends where the left-to-right one starts.
        assert!(
            svg.contains(" x=\"1074\" text-anchor=\"end\">Kampagne"),
            "{svg}"
        );
        let ltr = renderer().fill(&text("Kurz", false)).expect("fills");
        assert!(
            ltr.contains("x=\"80.0\" y=\"270.0\" text-anchor=\"start\">Kurz"),
            "{ltr}"
        );
    }

    #[test]
    fn titles_shrink_before_they_are_cut() {
        let r = renderer();
        let spec = TitleBox {
            x: 80.0,
            y: 170.0,
            width: 1040.0,
            height: 330.0,
            max_size: 100.0,
            min_size: 44.0,
            line_height: 1.12,
        };
        let short = r.layout("Kurz", &spec, 0.0);
        assert_eq!((short.size, short.lines.len()), (100.0, 1));
        let long = r.layout(&"Wort ".repeat(40), &spec, 0.0);
        assert!(long.size < 100.0 && long.size >= 44.0);
        let endless = r.layout(&"Überlänge ".repeat(200), &spec, 0.0);
        assert_eq!(endless.size, 44.0);
        assert!(endless.lines.last().is_some_and(|l| l.ends_with('…')));
        assert!(endless.lines.len() <= 6);
        // No-break spaces never break a line: thirty words joined by them are one word.
        let kept = r.layout(&["Wort"; 30].join("\u{a0}"), &spec, 0.0);
        assert_eq!(kept.lines.len(), 1, "{:?}", kept.lines);
        let word = r.layout(&"x".repeat(400), &spec, 0.0);
        assert_eq!(word.lines.len(), 1);
        assert!(word.lines[0].ends_with('…'));
    }

    #[test]
    fn shaped_arabic_is_measured_joined() {
        let r = renderer();
        let faces: Vec<rustybuzz::Face> = r
            .fonts
            .iter()
            .filter_map(|f| rustybuzz::Face::from_slice(f, 0))
            .collect();
        assert!(measure(&faces, "الذكاء") > 0.5);
        assert!(measure(&faces, "Kurz Kurz") > measure(&faces, "Kurz"));
    }
}
