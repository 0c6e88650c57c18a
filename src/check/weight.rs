//! Page weight: what a visitor downloads for one page — the HTML plus every same-site stylesheet,
//! script, font and image it loads — as gzip-compressed bytes, the way a server sends them.

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
pub fn gzip_size(bytes: &[u8]) -> u64 {
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
pub fn loaded_resources(html: &str) -> Vec<String> {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let found = std::cell::RefCell::new(Vec::new());
    let push = |v: Option<String>| {
        if let Some(v) = v {
            found.borrow_mut().push(v);
        }
    };
    let srcset = |v: Option<String>| {
        found
            .borrow_mut()
            .extend(super::html::srcset_urls(&v.unwrap_or_default()));
    };
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
                    "script[src], img[src], audio[src], video[src], source[src], iframe[src], embed[src], input[src]",
                    |el| {
                        push(el.get_attribute("src"));
                        Ok(())
                    }
                ),
                element!("video[poster]", |el| {
                    push(el.get_attribute("poster"));
                    Ok(())
                }),
                element!("img[srcset], source[srcset]", |el| {
                    srcset(el.get_attribute("srcset"));
                    Ok(())
                }),
            ],
            ..RewriteStrSettings::new()
        },
    );
    found.into_inner()
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
pub struct SizeCache(Mutex<HashMap<String, u64>>);

impl SizeCache {
    /// The cached size of `rel`, else `size()` (0 when the file does not exist), cached.
    pub fn get_or_insert(&self, rel: &str, size: impl FnOnce() -> Option<u64>) -> u64 {
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
pub fn page_weight(page: &str, bytes: &[u8], resource_size: impl Fn(&str) -> u64) -> PageWeight {
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
pub fn weigh(output: &Path, pages: &[String]) -> Result<Vec<PageWeight>> {
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
            vec!["/a.css?h=1", "/s.js", "i.png", "i2.png", "i3.png"]
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
