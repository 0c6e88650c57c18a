//! One streaming pass (lol_html) over each HTML output collects the facts every check needs:
//! ids, links, loaded resources, `lang`, images without `alt` and the heading outline.

use super::links::SiteUrls;
use super::outputs::Outputs;
use lol_html::{HtmlRewriter, Settings, element, text};
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// A resource a page loads, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Load {
    /// The URL as written (entities decoded).
    pub url: String,
    /// What loads it (`<img src>`, `<link rel=stylesheet>`, `style url()`).
    pub via: String,
}

/// What one HTML page contains, as far as the checks care.
#[derive(Debug, Clone, Default)]
pub struct PageFacts {
    /// The page's language code (from its output path).
    pub language: String,
    /// Rendered by ludd from templates (copied HTML files skip the accessibility checks).
    pub rendered: bool,
    /// Every `id`, and `name` of `<a>`: what `#fragment`s can point at.
    pub ids: HashSet<String>,
    /// Ids used more than once, each listed once.
    pub duplicate_ids: Vec<String>,
    /// Link targets (`<a href>`, `<area href>`, `<link href>` that are not loads).
    pub links: Vec<String>,
    /// Resources the page loads.
    pub loads: Vec<Load>,
    /// Whether an `<html>` element was seen.
    pub has_html_element: bool,
    /// Whether `<html>` has a non-empty `lang`.
    pub has_lang: bool,
    /// `src` of each `<img>` without an `alt` attribute.
    pub images_without_alt: Vec<String>,
    /// Heading level jumps: (previous level, level) where level > previous + 1.
    pub heading_skips: Vec<(u8, u8)>,
}

/// `rel` values of `<link>` that make the browser fetch the target.
const LOADING_RELS: &[&str] = &[
    "stylesheet",
    "icon",
    "apple-touch-icon",
    "mask-icon",
    "manifest",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
];

/// Analyzes every HTML output in parallel: output path → facts.
pub fn analyze_all(outputs: &Outputs, urls: &SiteUrls) -> HashMap<String, PageFacts> {
    outputs
        .0
        .par_iter()
        .filter(|(path, _)| path.ends_with(".html") || path.ends_with(".htm"))
        .filter_map(|(path, _)| {
            let bytes = outputs.bytes(path)?;
            let mut facts = analyze(&bytes);
            facts.language = urls.language_of(path);
            facts.rendered = outputs.is_rendered(path);
            Some((path.clone(), facts))
        })
        .collect()
}

/// The facts of one HTML document.
pub fn analyze(html: &[u8]) -> PageFacts {
    let facts = RefCell::new(PageFacts::default());
    let seen_ids: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    let last_heading = RefCell::new(0u8);
    let style_text = RefCell::new(String::new());
    let mut rewriter = HtmlRewriter::new(
        Settings {
            element_content_handlers: vec![
                element!("*", |el| {
                    let tag = el.tag_name();
                    let attr = |name: &str| el.get_attribute(name).map(|v| decode_entities(&v));
                    let mut f = facts.borrow_mut();
                    if let Some(id) = attr("id") {
                        if !seen_ids.borrow_mut().insert(id.clone())
                            && !f.duplicate_ids.contains(&id)
                        {
                            f.duplicate_ids.push(id.clone());
                        }
                        f.ids.insert(id);
                    }
                    if tag == "a"
                        && let Some(name) = attr("name")
                    {
                        f.ids.insert(name);
                    }
                    if let Some(level) = heading_level(&tag) {
                        let mut last = last_heading.borrow_mut();
                        if *last > 0 && level > *last + 1 {
                            f.heading_skips.push((*last, level));
                        }
                        *last = level;
                    }
                    match tag.as_str() {
                        "html" => {
                            f.has_html_element = true;
                            f.has_lang = attr("lang").is_some_and(|l| !l.trim().is_empty());
                        }
                        "img" if !el.has_attribute("alt") => {
                            f.images_without_alt.push(attr("src").unwrap_or_default());
                        }
                        "a" | "area" => f.links.extend(attr("href")),
                        "link" => {
                            let rel = attr("rel").unwrap_or_default().to_ascii_lowercase();
                            let loading = rel.split_whitespace().find(|r| LOADING_RELS.contains(r));
                            match (loading, attr("href")) {
                                (Some(r), Some(href)) => f.loads.push(Load {
                                    url: href,
                                    via: format!("<link rel={r}>"),
                                }),
                                (None, Some(href)) => f.links.push(href),
                                _ => {}
                            }
                        }
                        _ => {}
                    }
                    for (name, via) in [("src", "src"), ("poster", "poster"), ("data", "data")] {
                        let applies = match name {
                            "poster" => tag == "video",
                            "data" => tag == "object",
                            _ => true,
                        };
                        if applies && let Some(url) = attr(name) {
                            f.loads.push(Load {
                                url,
                                via: format!("<{tag} {via}>"),
                            });
                        }
                    }
                    if let Some(srcset) = attr("srcset") {
                        for url in srcset_urls(&srcset) {
                            f.loads.push(Load {
                                url,
                                via: format!("<{tag} srcset>"),
                            });
                        }
                    }
                    if let Some(style) = attr("style") {
                        for url in css_urls(&style) {
                            f.loads.push(Load {
                                url,
                                via: "style attribute".to_string(),
                            });
                        }
                    }
                    Ok(())
                }),
                text!("style", |chunk| {
                    style_text.borrow_mut().push_str(chunk.as_str());
                    if chunk.last_in_text_node() {
                        let css = std::mem::take(&mut *style_text.borrow_mut());
                        let mut f = facts.borrow_mut();
                        for url in css_urls(&css) {
                            f.loads.push(Load {
                                url,
                                via: "<style>".to_string(),
                            });
                        }
                    }
                    Ok(())
                }),
            ],
            ..Settings::new()
        },
        |_: &[u8]| {},
    );
    // A malformed page still yields what was read before the problem.
    if rewriter.write(html).is_ok() {
        let _ = rewriter.end();
    } else {
        drop(rewriter);
    }
    facts.into_inner()
}

fn heading_level(tag: &str) -> Option<u8> {
    let rest = tag.strip_prefix('h')?;
    match rest.parse::<u8>() {
        Ok(n @ 1..=6) if rest.len() == 1 => Some(n),
        _ => None,
    }
}

/// The URLs of a `srcset` (`a.png 1x, b.png 2x`).
pub fn srcset_urls(srcset: &str) -> Vec<String> {
    srcset
        .split(',')
        .filter_map(|candidate| candidate.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// URLs a piece of CSS loads: every `url(...)` and `@import "..."`, comments skipped.
pub fn css_urls(css: &str) -> Vec<String> {
    let css = strip_css_comments(css);
    let mut out = Vec::new();
    let lower = css.to_ascii_lowercase();
    let mut at = 0;
    while let Some(i) = lower[at..].find("url(") {
        let start = at + i + 4;
        let end = css[start..].find(')').map_or(css.len(), |e| start + e);
        let url = css[start..end].trim().trim_matches(['"', '\'']).trim();
        if !url.is_empty() {
            out.push(url.to_string());
        }
        at = end;
    }
    at = 0;
    while let Some(i) = lower[at..].find("@import") {
        let rest = css[at + i + 7..].trim_start();
        if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'')
            && let Some(end) = rest[1..].find(q)
        {
            out.push(rest[1..1 + end].to_string());
        }
        at += i + 7;
    }
    out
}

fn strip_css_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = match rest[start + 2..].find("*/") {
            Some(end) => &rest[start + 2 + end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Decodes the character references that appear in attribute values (`&amp;`, `&#39;`, …).
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest.find(';').filter(|&e| e <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_page_facts() {
        let f = analyze(
            br#"<!doctype html><html lang="en"><head><link rel="stylesheet" href="/a.css"><link rel="canonical" href="https://x.org/"><style>body{background:url('/bg.png')}</style></head>
<body><h1 id="t">T</h1><h3 id="t">x</h3><a name="n" href="/y/?a=1&amp;b=2#f">y</a><img src="i.png"><img src="d.png" alt="" srcset="d2.png 2x"></body></html>"#,
        );
        assert!(f.has_lang);
        assert_eq!(f.duplicate_ids, vec!["t"]);
        assert!(f.ids.contains("n"));
        assert_eq!(f.links, vec!["https://x.org/", "/y/?a=1&b=2#f"]);
        let loads: Vec<&str> = f.loads.iter().map(|l| l.url.as_str()).collect();
        assert_eq!(loads, vec!["/a.css", "/bg.png", "i.png", "d.png", "d2.png"]);
        assert_eq!(f.images_without_alt, vec!["i.png"]);
        assert_eq!(f.heading_skips, vec![(1, 3)]);
    }

    #[test]
    fn finds_css_urls() {
        let css = "/* url(no.png) */ @import 'a.css'; @font-face{src:url( \"f.woff2\" )} x{background:URL(b.png)}";
        assert_eq!(css_urls(css), vec!["f.woff2", "b.png", "a.css"]);
    }

    #[test]
    fn decodes_entities() {
        assert_eq!(decode_entities("a&amp;b&#39;c&#x41;&zz"), "a&b'cA&zz");
    }
}
