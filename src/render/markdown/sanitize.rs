//! Safe mode (`markdown.safe = true`): sanitises the HTML rendered from a Markdown body with
//! `ammonia`, for sites that take content from authors who are not trusted with raw HTML.
//!
//! The allow-list is ammonia's default (text formatting, lists, tables, links, images) plus what
//! the renderer itself emits and the theme styles: `id`, `class`, `role`, `aria-*` labels on any
//! element, the footnote `<section>`, task-list checkboxes and the `text-align` of table cells.
//! Scripts, styles, iframes, forms, event handlers, `style` attributes and `javascript:` URLs are
//! removed. Shortcode output is not sanitised: it comes from the theme's templates (trusted) and
//! its arguments are escaped by Tera; the shortcode placeholder tokens are plain ASCII text, so
//! they pass through the sanitiser unchanged and are substituted afterwards.
//!
//! ammonia is compiled in with the default feature `safe-html`; a ludd built without it refuses
//! `markdown.safe = true` when it reads `site.toml` (see `load::config`).

use super::MarkdownProblem;
#[cfg(feature = "safe-html")]
use std::borrow::Cow;
#[cfg(feature = "safe-html")]
use std::sync::LazyLock;

/// The sanitiser, built once (it is immutable and shared by all threads).
#[cfg(feature = "safe-html")]
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(builder);

#[cfg(feature = "safe-html")]
fn builder() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.add_tags(["section", "input"])
        .add_generic_attributes(["id", "class", "role", "dir", "aria-label", "aria-hidden"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("a", ["title"])
        .link_rel(None)
        .attribute_filter(keep_attribute);
    b
}

/// Only the values the Markdown renderer writes survive for `style` and `<input type>`.
#[cfg(feature = "safe-html")]
fn keep_attribute<'a>(element: &str, attribute: &str, value: &'a str) -> Option<Cow<'a, str>> {
    match (element, attribute) {
        (_, "style") => [
            "text-align: left",
            "text-align: center",
            "text-align: right",
        ]
        .contains(&value)
        .then_some(Cow::Borrowed(value)),
        ("input", "type") => (value == "checkbox").then_some(Cow::Borrowed(value)),
        _ => Some(Cow::Borrowed(value)),
    }
}

/// Deepest element nesting safe mode accepts. The HTML parser behind the sanitiser gets slow
/// (quadratic) with deep nesting, and browsers stop nesting at a few hundred levels anyway
/// (Chromium: 512), so deeper input is refused instead of stalling the build.
pub(crate) const MAX_NESTING: usize = 1000;

/// `html` with everything outside the allow-list removed; refused when the HTML is nested
/// deeper than [`MAX_NESTING`].
pub(crate) fn sanitize(html: &str) -> Result<String, MarkdownProblem> {
    if nesting_depth(html) > MAX_NESTING {
        return Err(MarkdownProblem::TooDeepToSanitize { max: MAX_NESTING });
    }
    #[cfg(feature = "safe-html")]
    return Ok(SANITIZER.clean(html).to_string());
    #[cfg(not(feature = "safe-html"))]
    return Err(MarkdownProblem::SanitizerMissing);
}

/// Elements without an end tag.
const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The deepest nesting of start tags in `html`, estimated by one linear scan: start tags count
/// up (except void and self-closing ones), end tags count down. Tags that are left open count as
/// nested, so the estimate can only be too high.
fn nesting_depth(html: &str) -> usize {
    let bytes = html.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut i = 0;
    while let Some(at) = bytes[i..].iter().position(|&b| b == b'<') {
        i += at + 1;
        match bytes.get(i) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b) if b.is_ascii_alphabetic() => {
                let name_len = bytes[i..]
                    .iter()
                    .position(|b| !b.is_ascii_alphanumeric())
                    .unwrap_or(bytes.len() - i);
                let name = html[i..i + name_len].to_ascii_lowercase();
                let end = bytes[i..].iter().position(|&b| b == b'>').map(|e| i + e);
                let self_closing = end.is_some_and(|e| bytes[e - 1] == b'/');
                if !VOID_ELEMENTS.contains(&name.as_str()) && !self_closing {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
            }
            _ => {}
        }
    }
    deepest
}

#[cfg(all(test, feature = "safe-html"))]
mod tests {
    use super::sanitize;

    #[test]
    fn strips_scripts_handlers_javascript_urls_iframes_and_styles() {
        let html = "<p onclick=\"x()\">Hi<script>alert(1)</script></p>\n\
                    <a href=\"javascript:alert(1)\">link</a>\n\
                    <iframe src=\"https://evil.example\"></iframe>\n\
                    <p style=\"color: red\">red</p>\n\
                    <img src=\"x.png\" onerror=\"alert(1)\" alt=\"x\">";
        let clean = sanitize(html).unwrap();
        for bad in [
            "script",
            "onclick",
            "javascript",
            "iframe",
            "style",
            "onerror",
            "alert",
        ] {
            assert!(!clean.contains(bad), "`{bad}` survived: {clean}");
        }
        assert!(clean.contains("<p>Hi</p>"), "{clean}");
        assert!(clean.contains("<a>link</a>"), "{clean}");
        assert!(clean.contains("<p>red</p>"), "{clean}");
        assert!(clean.contains("<img src=\"x.png\" alt=\"x\">"), "{clean}");
    }

    #[test]
    fn keeps_what_the_renderer_emits() {
        let html = "<h2 id=\"ziele\">Ziele</h2>\n\
                    <div class=\"alert alert-note\" role=\"note\">\n<p class=\"alert-title\">Hinweis</p>\n</div>\n\
                    <p>a<sup class=\"footnote-ref\"><a href=\"#fn-a\" id=\"fnref-a\">1</a></sup></p>\n\
                    <section class=\"footnotes\" role=\"doc-endnotes\">\n\
                    <h2 class=\"visually-hidden\">Fußnoten</h2>\n<ol>\n<li id=\"fn-a\">\n\
                    <p>A <a href=\"#fnref-a\" class=\"footnote-backref\" aria-label=\"Zurück\">↩</a></p>\n\
                    </li>\n</ol>\n</section>\n\
                    <table><thead><tr><th style=\"text-align: center\">x</th></tr></thead></table>\n\
                    <ul>\n<li><input disabled=\"\" type=\"checkbox\" checked=\"\">\ndone</li>\n</ul>\n\
                    <pre><code class=\"language-rust\">fn main() {}\n</code></pre>\n\
                    <p><a href=\"/de/seite/\" title=\"Seite\">Seite</a> <span lang=\"en\" dir=\"ltr\">x</span></p>\n";
        assert_eq!(sanitize(html).unwrap(), html);
    }

    #[test]
    fn drops_unexpected_values_of_allowed_attributes() {
        let clean = sanitize(
            "<table><tr><td style=\"background: url(x)\">x</td></tr></table>\
             <input type=\"text\" value=\"x\">",
        )
        .unwrap();
        assert!(
            !clean.contains("style") && !clean.contains("text"),
            "{clean}"
        );
    }

    #[test]
    fn ids_of_removed_elements_are_not_reported() {
        use crate::render::markdown::{render, tests::TestHost};
        let options = crate::render::markdown::MarkdownOptions {
            lang: "de",
            smart_punctuation: false,
            safe: true,
        };
        let text = "## Ziel\n\n<iframe id=\"rahmen\"></iframe><span id=\"bleibt\">x</span>\n";
        let r = render(text, 1, &options, &TestHost).unwrap();
        assert_eq!(r.ids, ["ziel", "bleibt"], "{}", r.html);
    }

    #[test]
    fn deep_nesting_is_refused_not_stalled() {
        let deep = "<blockquote>".repeat(super::MAX_NESTING + 1) + "x";
        let error = sanitize(&deep).unwrap_err();
        assert!(
            error.to_string().contains("nested more than 1000 levels"),
            "{error}"
        );
        let ok = "<blockquote>".repeat(super::MAX_NESTING) + "x";
        assert!(sanitize(&ok).is_ok());
    }

    #[test]
    fn nesting_depth_ignores_void_self_closing_and_closed_elements() {
        assert_eq!(
            super::nesting_depth("<p>a<br>b<img src=x/><hr/></p><p><em>x</em></p>"),
            2
        );
        assert_eq!(super::nesting_depth("</p></p><div><div></div></div>"), 2);
        assert_eq!(super::nesting_depth("<!-- x --> a < b <"), 0);
    }
}
