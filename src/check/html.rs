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
pub(crate) struct Load {
    /// The URL as written (entities decoded).
    pub url: String,
    /// What loads it (`<img src>`, `<link rel=stylesheet>`, `style url()`).
    pub via: String,
}

/// What one HTML page contains, as far as the checks care.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageFacts {
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

/// Analyzes every HTML output in parallel: output path → facts.
pub(crate) fn analyze_all(outputs: &Outputs, urls: &SiteUrls) -> HashMap<String, PageFacts> {
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
pub(crate) fn analyze(html: &[u8]) -> PageFacts {
    let collector = RefCell::new(Collector::default());
    let mut rewriter = HtmlRewriter::new(
        Settings {
            element_content_handlers: vec![
                element!("*", |el| {
                    let attr = |name: &str| {
                        el.get_attribute(name)
                            .map(|v| html_escape::decode_html_entities(&v).into_owned())
                    };
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
        match link_load(rel) {
            Some((r, _)) => self.load(href, format!("<link rel={r}>")),
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

/// How a `<link>` makes the browser fetch its target, by its `rel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkLoad {
    /// Fetched with the page (`stylesheet`, `preload`, `modulepreload`): part of its weight.
    WithPage,
    /// Fetched once for the site and cached (`icon`, `apple-touch-icon`, `mask-icon`, `manifest`).
    OncePerSite,
    /// A hint the browser may act on (`prefetch`, `preconnect`, `dns-prefetch`).
    Hint,
}

/// `rel` values of `<link>` that make the browser fetch the target, and how.
const LOADING_RELS: &[(&str, LinkLoad)] = &[
    ("stylesheet", LinkLoad::WithPage),
    ("preload", LinkLoad::WithPage),
    ("modulepreload", LinkLoad::WithPage),
    ("icon", LinkLoad::OncePerSite),
    ("apple-touch-icon", LinkLoad::OncePerSite),
    ("mask-icon", LinkLoad::OncePerSite),
    ("manifest", LinkLoad::OncePerSite),
    ("prefetch", LinkLoad::Hint),
    ("preconnect", LinkLoad::Hint),
    ("dns-prefetch", LinkLoad::Hint),
];

/// The first `rel` token of a `<link>` (space-separated, any case) that fetches the target, and
/// how it does; None for links that load nothing (`canonical`, `alternate`, …).
pub(crate) fn link_load(rel: &str) -> Option<(&'static str, LinkLoad)> {
    rel.split_ascii_whitespace().find_map(|token| {
        LOADING_RELS
            .iter()
            .find(|(name, _)| token.eq_ignore_ascii_case(name))
            .copied()
    })
}

/// The URLs of a `srcset` (`a.png 1x, b.png 2x`), split as the HTML standard does: a URL runs
/// to the next white space (so it may hold commas, as `data:` URLs do), trailing commas end
/// it, and descriptors run to the next comma outside parentheses.
pub(crate) fn srcset_urls(srcset: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut rest = srcset;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return urls;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let (candidate, after) = rest.split_at(end);
        let url = candidate.trim_end_matches(',');
        urls.push(url.to_string());
        rest = after;
        if url.len() == candidate.len() {
            let mut depth = 0usize;
            let descriptors_end = after
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth = depth.saturating_sub(1),
                        ',' => return depth == 0,
                        _ => {}
                    }
                    false
                })
                .map_or(after.len(), |(i, _)| i);
            rest = &after[descriptors_end..];
        }
    }
}

/// URLs a piece of CSS loads: every `url(...)`, `@import "..."` and the strings of
/// `image-set()`, read by cssparser's tokenizer (comments, escapes and strings as CSS has them).
pub(crate) fn css_urls(css: &str) -> Vec<String> {
    let mut input = cssparser::ParserInput::new(css);
    let mut out = Vec::new();
    collect_css_urls(
        &mut cssparser::Parser::new(&mut input),
        CssBlock::Plain,
        &mut out,
    );
    out.retain(|u| !u.is_empty());
    out
}

/// What the strings of a block of CSS tokens are.
#[derive(Clone, Copy, PartialEq)]
enum CssBlock {
    /// Plain CSS (a string is a URL only after `@import`).
    Plain,
    /// The inside of `url("…")` or `image-set(…)`: every string is a URL.
    Urls,
}

fn collect_css_urls(
    parser: &mut cssparser::Parser<'_, '_>,
    block: CssBlock,
    out: &mut Vec<String>,
) {
    use cssparser::Token;
    let mut after_import = false;
    while let Ok(token) = parser.next() {
        let token = token.clone();
        let nested = match &token {
            Token::UnquotedUrl(url) => {
                out.push(url.trim().to_string());
                None
            }
            Token::QuotedString(url) if after_import || block == CssBlock::Urls => {
                out.push(url.trim().to_string());
                None
            }
            Token::Function(name)
                if ["url", "image-set", "-webkit-image-set"]
                    .iter()
                    .any(|f| name.eq_ignore_ascii_case(f)) =>
            {
                Some(CssBlock::Urls)
            }
            Token::Function(_)
            | Token::ParenthesisBlock
            | Token::SquareBracketBlock
            | Token::CurlyBracketBlock => Some(CssBlock::Plain),
            _ => None,
        };
        if let Some(inner) = nested {
            // The closure reads every token of the block, so the block itself cannot fail.
            let _ = parser.parse_nested_block(|p| {
                collect_css_urls(p, inner, out);
                Ok::<(), cssparser::ParseError<'_, ()>>(())
            });
        }
        after_import = matches!(&token, Token::AtKeyword(k) if k.eq_ignore_ascii_case("import"));
    }
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
        let css = "/* url(no.png) */ @import 'a.css'; @import url(c.css); @font-face{src:url( \"f.woff2\" )} x{background:URL(b.png)}\
                   y{content:\"url(not-a-url.png)\"; background-image: image-set(\"s1.png\" 1x, url(s2.png) 2x)} z{background:url(\\\"esc\\).png)}";
        assert_eq!(
            css_urls(css),
            vec![
                "a.css",
                "c.css",
                "f.woff2",
                "b.png",
                "s1.png",
                "s2.png",
                "\"esc).png"
            ]
        );
        assert!(css_urls("/* unterminated url(x.png)").is_empty());
    }

    #[test]
    fn splits_srcset_like_browsers() {
        assert_eq!(srcset_urls("a.png 1x, b.png 2x"), vec!["a.png", "b.png"]);
        assert_eq!(
            srcset_urls(
                " a,b.png 100w,c.png,, d.png (max-width: 5px, 1x) , data:image/png;base64,AA 2x"
            ),
            vec!["a,b.png", "c.png", "d.png", "data:image/png;base64,AA"]
        );
        assert!(srcset_urls(" , ").is_empty());
    }

    #[test]
    fn link_rels_that_load() {
        assert_eq!(
            link_load("Stylesheet"),
            Some(("stylesheet", LinkLoad::WithPage))
        );
        assert_eq!(
            link_load("shortcut icon"),
            Some(("icon", LinkLoad::OncePerSite))
        );
        assert_eq!(
            link_load("dns-prefetch"),
            Some(("dns-prefetch", LinkLoad::Hint))
        );
        assert_eq!(link_load("canonical alternate"), None);
    }

    #[test]
    fn attribute_values_are_decoded_with_every_html_entity() {
        let f = analyze(
            br#"<a href="/caf&eacute;/?a=1&amp;b=2">x</a><a href="/l&#x27;&#39;&apos;s/">y</a><a href="/&zz;&">z</a><img alt="" src="/&Uuml;ber&nbsp;.png">"#,
        );
        assert_eq!(f.links, vec!["/café/?a=1&b=2", "/l'''s/", "/&zz;&"]);
        assert_eq!(f.loads[0].url, "/Über\u{a0}.png");
    }
}
