//! Page weight: what a visitor downloads for one page — the HTML plus every same-site stylesheet,
//! script, font and image it loads — as gzip-compressed bytes, the way a server sends them. Of
//! a responsive image it counts the one file a phone loads: the `srcset` candidate for a
//! 375 px wide screen at 2× (the first `<source>` of a `<picture>`, which phones support).

use super::html::{LinkLoad, link_load};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::Mutex;

/// One page's weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageWeight {
    /// Output path of the HTML file (`en/article/index.html`).
    pub page: String,
    /// Compressed bytes of the HTML itself.
    pub html: u64,
    /// Compressed bytes of the HTML and everything it loads.
    pub total: u64,
}

/// Gzip-compressed size of `bytes` (level 6, like most servers).
pub(crate) fn gzip_size(bytes: &[u8]) -> u64 {
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::new(6),
    );
    if enc.write_all(bytes).is_err() {
        return bytes.len() as u64;
    }
    enc.finish()
        .map(|v| v.len() as u64)
        .unwrap_or(bytes.len() as u64)
}

/// Same-site resources an HTML page loads: stylesheets, scripts, images (`src`, `srcset`),
/// media posters and preloaded fonts. Links to pages are not loads, nor are icons and the
/// manifest (fetched once per site) or prefetch hints: see [`LinkLoad`].
pub(crate) fn loaded_resources(html: &str) -> Vec<String> {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let found = std::cell::RefCell::new(Vec::new());
    let push = |v: Option<String>| {
        if let Some(v) = v {
            found.borrow_mut().push(v);
        }
    };
    // A `<picture>`'s first `<source>` is what a phone shows, in place of its `<img>`.
    let pending = std::cell::RefCell::new(None::<String>);
    let _ = rewrite_str(
        html,
        RewriteStrSettings {
            element_content_handlers: vec![
                element!("link[href]", |el| {
                    let rel = el.get_attribute("rel").unwrap_or_default();
                    if matches!(link_load(&rel), Some((_, LinkLoad::WithPage))) {
                        push(el.get_attribute("href"));
                    }
                    Ok(())
                }),
                element!(
                    "script[src], audio[src], video[src], source[src], iframe[src], embed[src], input[src]",
                    |el| {
                        push(el.get_attribute("src"));
                        Ok(())
                    }
                ),
                element!("video[poster]", |el| {
                    push(el.get_attribute("poster"));
                    Ok(())
                }),
                element!("source[srcset]", |el| {
                    let mut pending = pending.borrow_mut();
                    if pending.is_none() {
                        *pending = phone_candidate(
                            &el.get_attribute("srcset").unwrap_or_default(),
                            el.get_attribute("sizes").as_deref(),
                        );
                    }
                    Ok(())
                }),
                element!("img", |el| {
                    let chosen = pending.borrow_mut().take().or_else(|| {
                        el.get_attribute("srcset")
                            .and_then(|s| phone_candidate(&s, el.get_attribute("sizes").as_deref()))
                    });
                    push(chosen.or_else(|| el.get_attribute("src")));
                    Ok(())
                }),
            ],
            ..RewriteStrSettings::new()
        },
    );
    found.into_inner()
}

/// CSS pixels of the phone a page is weighed for, and its pixel ratio.
const PHONE_WIDTH: f64 = 375.0;
const PHONE_DENSITY: f64 = 2.0;

/// The `srcset` candidate a 375 px wide, 2× phone picks: the smallest at least as wide as the
/// slot `sizes` gives it (times two), else the widest; with `x` descriptors, the one nearest 2×.
pub(crate) fn phone_candidate(srcset: &str, sizes: Option<&str>) -> Option<String> {
    let slot = sizes.map_or(PHONE_WIDTH, slot_width) * PHONE_DENSITY;
    let mut candidates: Vec<(f64, bool, &str)> = srcset
        .split(',')
        .filter_map(|c| {
            let mut parts = c.split_whitespace();
            let url = parts.next()?;
            let descriptor = parts.next().unwrap_or("1x");
            if let Some(w) = descriptor.strip_suffix('w') {
                Some((w.parse().ok()?, true, url))
            } else {
                let x: f64 = descriptor.strip_suffix('x')?.parse().ok()?;
                Some((x, false, url))
            }
        })
        .collect();
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    let wanted = |&&(v, is_width, _): &&(f64, bool, &str)| {
        if is_width {
            v >= slot
        } else {
            v >= PHONE_DENSITY
        }
    };
    candidates
        .iter()
        .find(wanted)
        .or(candidates.last())
        .map(|c| c.2.to_string())
}

/// The width in CSS pixels of the slot `sizes` gives an image on the phone: the first entry
/// whose media condition holds (`(max-width: …)` or `(min-width: …)`), else the last one.
fn slot_width(sizes: &str) -> f64 {
    let length = |text: &str| -> Option<f64> {
        let t = text.trim();
        let number = |suffix: &str| t.strip_suffix(suffix)?.trim().parse::<f64>().ok();
        number("vw")
            .map(|v| v * PHONE_WIDTH / 100.0)
            .or_else(|| number("px"))
            .or_else(|| number("rem").map(|v| v * 16.0))
            .or_else(|| number("em").map(|v| v * 16.0))
    };
    for entry in sizes.split(',') {
        let entry = entry.trim();
        let Some(rest) = entry.strip_prefix('(') else {
            return length(entry).unwrap_or(PHONE_WIDTH);
        };
        let Some((condition, size)) = rest.split_once(')') else {
            continue;
        };
        let holds = match condition.split_once(':') {
            Some((feature, value)) => match (feature.trim(), length(value)) {
                ("max-width", Some(v)) => PHONE_WIDTH <= v,
                ("min-width", Some(v)) => PHONE_WIDTH >= v,
                _ => false,
            },
            None => false,
        };
        if holds {
            return length(size).unwrap_or(PHONE_WIDTH);
        }
    }
    PHONE_WIDTH
}

/// The output path a same-site URL refers to, from the page at `page` (output path).
fn resolve(page: &str, url: &str) -> Option<String> {
    if url.starts_with("//") || url.contains("://") || url.starts_with("data:") {
        return None;
    }
    let path = url.split(['?', '#']).next().unwrap_or("");
    Some(super::links::output_path_of(page, path).0)
}

/// Gzip sizes of resources by output path, shared by parallel workers so each is compressed once.
#[derive(Debug, Default)]
pub(crate) struct SizeCache(Mutex<HashMap<String, u64>>);

impl SizeCache {
    /// The cached size of `rel`, else `size()` (0 when the file does not exist), cached.
    pub(crate) fn get_or_insert(&self, rel: &str, size: impl FnOnce() -> Option<u64>) -> u64 {
        if let Some(s) = self.0.lock().ok().and_then(|c| c.get(rel).copied()) {
            return s;
        }
        let s = size().unwrap_or(0);
        if let Ok(mut c) = self.0.lock() {
            c.insert(rel.to_string(), s);
        }
        s
    }
}

/// The weight of the page at output path `page` with HTML `bytes`; `resource_size` gives the
/// gzip size of another output file by its output path.
pub(crate) fn page_weight(
    page: &str,
    bytes: &[u8],
    resource_size: impl Fn(&str) -> u64,
) -> PageWeight {
    let html = gzip_size(bytes);
    let text = String::from_utf8_lossy(bytes);
    let mut resources: Vec<String> = loaded_resources(&text)
        .iter()
        .filter_map(|u| resolve(page, u))
        .collect();
    resources.sort();
    resources.dedup();
    let total = html + resources.iter().map(|r| resource_size(r)).sum::<u64>();
    PageWeight {
        page: page.to_string(),
        html,
        total,
    }
}

/// Weights of the given HTML pages (output paths) in `output`, heaviest first.
pub(crate) fn weigh(output: &Path, pages: &[String]) -> Result<Vec<PageWeight>> {
    use rayon::prelude::*;
    let cache = SizeCache::default();
    let mut weights = pages
        .par_iter()
        .map(|page| {
            let file = output.join(page);
            let bytes = std::fs::read(&file).map_err(|e| Error::io("read", &file, e))?;
            Ok(page_weight(page, &bytes, |rel| {
                cache.get_or_insert(rel, || {
                    std::fs::read(output.join(rel)).ok().map(|b| gzip_size(&b))
                })
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    weights.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.page.cmp(&b.page)));
    Ok(weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_a_page_loads() {
        let html = r#"<link rel="stylesheet" href="/a.css?h=1"><link rel="canonical" href="/x/"><a href="/y/">y</a>
<script src="/s.js" defer></script><img src="i.png" srcset="i2.png 2x, i3.png 3x" alt=""><link rel="icon" href="/f.svg">"#;
        assert_eq!(
            loaded_resources(html),
            vec!["/a.css?h=1", "/s.js", "i2.png"]
        );
    }

    #[test]
    fn counts_the_picture_a_phone_loads() {
        let html = r#"<picture><source type="image/webp" srcset="/a-480.webp 480w, /a-800.webp 800w, /a-1200.webp 1200w" sizes="(max-width: 50rem) 100vw, 50rem"><img src="/a-1200.jpg" srcset="/a-480.jpg 480w, /a-800.jpg 800w" sizes="(max-width: 50rem) 100vw, 50rem" alt=""></picture><img src="/b.jpg" srcset="/b-300.jpg 300w, /b-600.jpg 600w" sizes="150px" alt="">"#;
        assert_eq!(loaded_resources(html), vec!["/a-800.webp", "/b-300.jpg"]);
        assert_eq!(
            phone_candidate("/s.jpg 400w, /m.jpg 600w", None).as_deref(),
            Some("/m.jpg")
        );
    }

    #[test]
    fn resolves_relative_and_absolute_urls() {
        assert_eq!(
            resolve("en/a/index.html", "/c.css?h=1").as_deref(),
            Some("c.css")
        );
        assert_eq!(
            resolve("en/a/index.html", "img.png").as_deref(),
            Some("en/a/img.png")
        );
        assert_eq!(
            resolve("en/a/index.html", "../").as_deref(),
            Some("en/index.html")
        );
        assert_eq!(resolve("en/a/index.html", "https://cdn.example/x.js"), None);
    }

    #[test]
    fn gzip_shrinks_text() {
        let text = "hello world ".repeat(1000);
        assert!(gzip_size(text.as_bytes()) < 200);
    }
}
