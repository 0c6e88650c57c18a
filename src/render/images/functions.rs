//! The template functions of images: `image(path, width, height, op, focus, format)` returns
//! the URL, size and `srcset` of a processed variant; `image_meta(path)` the width, height and
//! format of a source; `qr(url, size, label)` an inline SVG QR code. Paths are relative to
//! `static/` or `content/` (`@/blog/post/photo.jpg` works too).

use super::encode::Format;
use super::resize::Op;
use super::{Images, Responsive, Variant};
use crate::model::Site;
use std::path::PathBuf;
use std::sync::Arc;
use tera::{Kwargs, State, Tera, TeraResult, Value};

/// The file a template's image path names: a static file, else a content file.
pub fn resolve(site: &Site, path: &str) -> Option<PathBuf> {
    let clean = path.trim_start_matches("@/").trim_start_matches('/');
    if let Some(f) = site.theme.static_files.iter().find(|f| f.rel_path == clean) {
        return Some(f.source.clone());
    }
    site.assets
        .iter()
        .find(|a| a.rel_path == clean)
        .map(|a| a.source.clone())
}

/// The file a Markdown image's `src` names in document `id`: a file of its bundle or folder
/// (relative `src`) or a static file (`/img/x.jpg`). None for other hosts, data URLs and
/// files that are not part of the site.
pub fn resolve_markdown(site: &Site, id: crate::model::DocId, src: &str) -> Option<PathBuf> {
    if src.contains("://") || src.starts_with("//") || src.starts_with("data:") || src.is_empty() {
        return None;
    }
    let path = src.split(['?', '#']).next().unwrap_or_default();
    let path = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    if let Some(abs) = path.strip_prefix('/') {
        return site
            .theme
            .static_files
            .iter()
            .find(|f| f.rel_path == abs)
            .map(|f| f.source.clone());
    }
    let doc = &site.docs[id];
    let mut parts: Vec<&str> = doc.source.rel_path.split('/').collect();
    parts.pop();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let rel = parts.join("/");
    site.assets
        .binary_search_by(|a| a.rel_path.as_str().cmp(&rel))
        .ok()
        .map(|i| site.assets[i].source.clone())
}

/// What `image()` and `image_meta()` read besides their arguments, for
/// [`crate::render::templates::Templates::environment`]: the image settings and the size and
/// modification time of every image among the content files.
pub fn environment(site: &Site) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    format!("{:?}", site.config.images).hash(&mut h);
    for a in &site.assets {
        if super::strip::is_strippable(&a.source) || a.rel_path.ends_with(".gif") {
            (&a.rel_path, super::cache::stamp(&a.source)).hash(&mut h);
        }
    }
    h.finish()
}

fn message(e: impl std::fmt::Display) -> tera::Error {
    tera::Error::message(e.to_string())
}

/// Registers `image`, `image_meta` and `qr`.
pub fn register(tera: &mut Tera, site: &Arc<Site>, images: &Arc<Images>) {
    let (s, im) = (Arc::clone(site), Arc::clone(images));
    tera.register_function(
        "image",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let path: String = kwargs.must_get("path")?;
            let width: Option<u32> = kwargs.get("width")?;
            let height: Option<u32> = kwargs.get("height")?;
            let op: Option<String> = kwargs.get("op")?;
            let focus: Option<String> = kwargs.get("focus")?;
            let format: Option<String> = kwargs.get("format")?;
            let file = resolve(&s, &path).ok_or_else(|| {
                message(format!(
                    "image `{path}` is neither in static/ nor in content/"
                ))
            })?;
            let op =
                Op::parse(op.as_deref().unwrap_or("scale"), focus.as_deref()).map_err(message)?;
            let format = match format.as_deref() {
                None => im.config().formats.first().copied().unwrap_or(Format::Webp),
                Some("webp") => Format::Webp,
                Some("jpeg" | "jpg") => Format::Jpeg,
                Some("png") => Format::Png,
                Some(other) => {
                    return Err(message(format!(
                        "unknown image format `{other}`: use webp, jpeg or png"
                    )));
                }
            };
            let main = im
                .resized(&file, op, width, height, format)
                .map_err(message)?;
            let mut set: Vec<Variant> = Vec::new();
            for &w in im.config().widths.iter().filter(|&&w| w < main.width) {
                let h = height.map(|_| {
                    (u64::from(main.height) * u64::from(w) / u64::from(main.width)) as u32
                });
                let smaller_op = if matches!(op, Op::Fill(_)) {
                    op
                } else {
                    Op::Scale
                };
                set.push(
                    im.resized(&file, smaller_op, Some(w), h, format)
                        .map_err(message)?,
                );
            }
            set.push(main.clone());
            let meta = im.meta(&file).map_err(message)?;
            Ok(Value::from_serializable(&serde_json::json!({
                "url": main.url,
                "width": main.width,
                "height": main.height,
                "format": main.format,
                "srcset": Responsive::srcset(&set),
                "orig_width": meta.width,
                "orig_height": meta.height,
            })))
        },
    );
    let (s, im) = (Arc::clone(site), Arc::clone(images));
    tera.register_function(
        "image_meta",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let path: String = kwargs.must_get("path")?;
            let file = resolve(&s, &path).ok_or_else(|| {
                message(format!(
                    "image `{path}` is neither in static/ nor in content/"
                ))
            })?;
            let meta = im.meta(&file).map_err(message)?;
            Ok(Value::from_serializable(&serde_json::json!({
                "width": meta.width,
                "height": meta.height,
                "format": meta.format_name(),
            })))
        },
    );
    tera.register_function("qr", |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
        let url: String = kwargs.must_get("url")?;
        let size: Option<u32> = kwargs.get("size")?;
        let label: Option<String> = kwargs.get("label")?;
        let label = label.unwrap_or_else(|| format!("QR code: {url}"));
        let svg = super::qr::svg(&url, size.unwrap_or(160), &label).map_err(message)?;
        Ok(Value::safe_string(&svg))
    });
}
