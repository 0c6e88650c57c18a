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
    let collector = RefCell::new(Collector::default());
    let mut rewriter = HtmlRewriter::new(
        Settings {
            element_content_handlers: vec![
                element!("*", |el| {
                    let attr = |name: &str| el.get_attribute(name).map(|v| decode_entities(&v));
                    collector
                        .borrow_mut()
                        .element(&el.tag_name(), attr, el.has_attribute("alt"));
                    Ok(())
                }),
                text!("style", |chunk| {
                    collector
                        .borrow_mut()
                        .style_text(chunk.as_str(), chunk.last_in_text_node());
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
    collector.into_inner().facts
}

/// The state of one pass over a page.
#[derive(Default)]
struct Collector {
    facts: PageFacts,
    seen_ids: HashSet<String>,
    last_heading: u8,
    style: String,
}

impl Collector {
    /// Records one start tag; `attr` reads an attribute (entities decoded).
    fn element(&mut self, tag: &str, attr: impl Fn(&str) -> Option<String>, has_alt: bool) {
        if let Some(id) = attr("id") {
            self.id(id);
        }
        if let Some(level) = heading_level(tag) {
            self.heading(level);
        }
        let f = &mut self.facts;
        match tag {
            "html" => {
                f.has_html_element = true;
                f.has_lang = attr("lang").is_some_and(|l| !l.trim().is_empty());
            }
            "img" if !has_alt => f.images_without_alt.push(attr("src").unwrap_or_default()),
            "a" | "area" => {
                f.links.extend(attr("href"));
                if tag == "a" {
                    f.ids.extend(attr("name"));
                }
            }
            "link" => self.link(&attr("rel").unwrap_or_default(), attr("href")),
            _ => {}
        }
        self.resources(tag, attr);
    }

    fn id(&mut self, id: String) {
        if !self.seen_ids.insert(id.clone()) && !self.facts.duplicate_ids.contains(&id) {
            self.facts.duplicate_ids.push(id.clone());
        }
        self.facts.ids.insert(id);
    }

    fn heading(&mut self, level: u8) {
        if self.last_heading > 0 && level > self.last_heading + 1 {
            self.facts.heading_skips.push((self.last_heading, level));
        }
        self.last_heading = level;
    }

    /// A `<link>`: a load when its `rel` fetches the target, else a link.
    fn link(&mut self, rel: &str, href: Option<String>) {
        let Some(href) = href else {
            return;
        };
        let rel = rel.to_ascii_lowercase();
        match rel.split_whitespace().find(|r| LOADING_RELS.contains(r)) {
            Some(r) => self.load(href, format!("<link rel={r}>")),
            None => self.facts.links.push(href),
        }
    }

    /// `src`, `<video poster>`, `<object data>`, `srcset` and `url()` in a `style` attribute.
    fn resources(&mut self, tag: &str, attr: impl Fn(&str) -> Option<String>) {
        let attributes = [
            ("src", true),
            ("poster", tag == "video"),
            ("data", tag == "object"),
        ];
        for (name, applies) in attributes {
            if applies && let Some(url) = attr(name) {
                self.load(url, format!("<{tag} {name}>"));
            }
        }
        for url in attr("srcset").map(|s| srcset_urls(&s)).unwrap_or_default() {
            self.load(url, format!("<{tag} srcset>"));
        }
        for url in attr("style").map(|s| css_urls(&s)).unwrap_or_default() {
            self.load(url, "style attribute".to_string());
        }
    }

    /// Text of a `<style>` element, in chunks.
    fn style_text(&mut self, chunk: &str, last: bool) {
        self.style.push_str(chunk);
        if last {
            for url in css_urls(&std::mem::take(&mut self.style)) {
                self.load(url, "<style>".to_string());
            }
        }
    }

    fn load(&mut self, url: String, via: String) {
        self.facts.loads.push(Load { url, via });
    }
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
