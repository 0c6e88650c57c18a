//! Per-language typographic quotes.
//!
//! pulldown-cmark's smart punctuation turns `"` and `'` into English quotes (“…” ‘…’) and every
//! unpaired `'` into the apostrophe ’. This module rewrites those synthesized quote characters
//! into the quotes of the page language: German „…“ ‚…‘, Swiss German «…» ‹…›, French « … » ‹ … ›
//! (with U+00A0 no-break spaces inside). Other languages keep pulldown's output.
//!
//! A synthesized quote is recognised by its event: pulldown emits it as its own `Text` event
//! whose source range is the single ASCII quote byte, so quotes the author typed literally, quotes
//! in code or raw HTML, and escaped quotes are never touched. The single closing quote and the
//! apostrophe are both ’ in pulldown's output; they are told apart by re-applying pulldown's own
//! pairing rule: after an opening ‘ the closing quote is the first later `'` that can close
//! (not preceded by whitespace, followed by whitespace, punctuation or the end), so apostrophes
//! inside words (“geht’s”) stay ’, and so does a trailing apostrophe outside a quotation
//! (“workers’”).

use std::ops::Range;

/// The four replacement strings for one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quotes {
    open_double: &'static str,
    close_double: &'static str,
    open_single: &'static str,
    close_single: &'static str,
}

const GERMAN: Quotes = Quotes {
    open_double: "„",
    close_double: "“",
    open_single: "‚",
    close_single: "‘",
};

const SWISS: Quotes = Quotes {
    open_double: "«",
    close_double: "»",
    open_single: "‹",
    close_single: "›",
};

const FRENCH: Quotes = Quotes {
    open_double: "«\u{a0}",
    close_double: "\u{a0}»",
    open_single: "‹\u{a0}",
    close_single: "\u{a0}›",
};

/// The quote style for a BCP47-ish language code, or `None` to keep pulldown's (English) quotes.
pub(crate) fn quotes_for_lang(lang: &str) -> Option<Quotes> {
    let mut parts = lang.split(['-', '_']);
    let primary = parts.next().unwrap_or("");
    let region = parts.next().unwrap_or("");
    if primary.eq_ignore_ascii_case("de") {
        if region.eq_ignore_ascii_case("ch") || region.eq_ignore_ascii_case("li") {
            Some(SWISS)
        } else {
            Some(GERMAN)
        }
    } else if primary.eq_ignore_ascii_case("fr") {
        Some(FRENCH)
    } else {
        None
    }
}

/// Streaming quote rewriter; one per document. Call [`Typographer::reset`] at block boundaries.
#[derive(Debug)]
pub(crate) struct Typographer {
    quotes: Quotes,
    /// A matched opening single quote is waiting for its closing quote.
    single_open: bool,
}

impl Typographer {
    pub(crate) fn new(quotes: Quotes) -> Self {
        Typographer {
            quotes,
            single_open: false,
        }
    }

    pub(crate) fn reset(&mut self) {
        self.single_open = false;
    }

    /// If the `Text` event `text` with source range `range` in `src` is a quote synthesized by
    /// smart punctuation, returns its replacement for this language.
    pub(crate) fn convert(
        &mut self,
        text: &str,
        src: &str,
        range: &Range<usize>,
    ) -> Option<&'static str> {
        // Every curly quote is 3 bytes in UTF-8; a synthesized one comes from a 1-byte source range.
        if text.len() != 3 || range.end != range.start.wrapping_add(1) {
            return None;
        }
        let source = src.as_bytes().get(range.start).copied()?;
        match (text, source) {
            ("“", b'"') => Some(self.quotes.open_double),
            ("”", b'"') => Some(self.quotes.close_double),
            ("‘", b'\'') => {
                self.single_open = true;
                Some(self.quotes.open_single)
            }
            ("’", b'\'') => {
                if self.single_open && can_close(src, range) {
                    self.single_open = false;
                    Some(self.quotes.close_single)
                } else {
                    None // apostrophe
                }
            }
            _ => None,
        }
    }
}

/// Typographic quotes, apostrophes and dashes for plain text outside Markdown (front matter
/// titles and descriptions), in the quotes of `lang`. A `"` or `'` opens after the start,
/// whitespace or an opening bracket and closes elsewhere; a `'` closes an open single quotation
/// when whitespace, punctuation or the end follows it, and is an apostrophe otherwise (as in
/// Markdown text). ` -- ` becomes an en dash and `...` an ellipsis.
pub fn smarten_plain(text: &str, lang: &str) -> String {
    const ENGLISH: Quotes = Quotes {
        open_double: "“",
        close_double: "”",
        open_single: "‘",
        close_single: "’",
    };
    if !text.contains(['"', '\'']) && !text.contains("...") && !text.contains(" -- ") {
        return text.to_string();
    }
    let quotes = quotes_for_lang(lang).unwrap_or(ENGLISH);
    let text = text.replace("...", "…").replace(" -- ", " – ");
    let mut out = String::with_capacity(text.len() + 8);
    let mut single_open = false;
    let mut prev: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let opens = prev.is_none_or(|p| p.is_whitespace() || "([{„“‘«‹—–/".contains(p));
        let closes = chars
            .peek()
            .is_none_or(|&n| n.is_whitespace() || is_punctuation(n));
        match c {
            '"' if opens => out.push_str(quotes.open_double),
            '"' => out.push_str(quotes.close_double),
            '\'' if opens => {
                single_open = true;
                out.push_str(quotes.open_single);
            }
            '\'' if single_open && closes => {
                single_open = false;
                out.push_str(quotes.close_single);
            }
            '\'' => out.push('’'),
            c => out.push(c),
        }
        prev = Some(c);
    }
    out
}

/// pulldown-cmark's `delim_run_can_close` for a single `'` at `range` in `src`.
fn can_close(src: &str, range: &Range<usize>) -> bool {
    let prev = src.get(..range.start).and_then(|s| s.chars().next_back());
    let next = src.get(range.end..).and_then(|s| s.chars().next());
    match (prev, next) {
        (None, _) => false,
        (Some(p), _) if p.is_whitespace() => false,
        (Some(_), None) => true,
        (Some(_), Some(n)) => n.is_whitespace() || is_punctuation(n),
    }
}

/// ASCII punctuation plus the common Unicode punctuation blocks (an approximation of pulldown's
/// Unicode punctuation table, which only matters for rare quote/apostrophe ambiguities).
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c,
            '\u{a1}' | '\u{a7}' | '\u{ab}' | '\u{b6}' | '\u{b7}' | '\u{bb}' | '\u{bf}'
            | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205e}' | '\u{3001}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}')
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_text_quotes_follow_the_language() {
        assert_eq!(
            smarten_plain("Le pari d'Amazon \"à tout prix\"", "fr"),
            "Le pari d’Amazon «\u{a0}à tout prix\u{a0}»"
        );
        assert_eq!(
            smarten_plain("Die \"KI um jeden Preis\" und 'Fortschritt'", "de"),
            "Die „KI um jeden Preis“ und ‚Fortschritt‘"
        );
        assert_eq!(
            smarten_plain(
                "The workers' letter, 'in brief' -- it's \"urgent\"...",
                "en"
            ),
            "The workers’ letter, ‘in brief’ – it’s “urgent”…"
        );
        assert_eq!(smarten_plain("No quotes here", "de"), "No quotes here");
    }

    use super::*;
    use crate::render::markdown::tests::{TestHost, html};

    #[test]
    fn language_selection() {
        assert_eq!(quotes_for_lang("de"), Some(GERMAN));
        assert_eq!(quotes_for_lang("de-AT"), Some(GERMAN));
        assert_eq!(quotes_for_lang("de_CH"), Some(SWISS));
        assert_eq!(quotes_for_lang("FR-ca"), Some(FRENCH));
        assert_eq!(quotes_for_lang("en"), None);
        assert_eq!(quotes_for_lang("ar"), None);
        assert_eq!(quotes_for_lang(""), None);
    }

    #[test]
    fn english_is_pulldown_default() {
        let h = TestHost;
        assert_eq!(
            html("Say \"hi 'there'\" -- it's fine...", "en", &h),
            "<p>Say “hi ‘there’” – it’s fine…</p>\n"
        );
    }

    #[test]
    fn german_quotes_and_apostrophes() {
        let h = TestHost;
        assert_eq!(
            html("Er sagte \"Hallo 'Welt'\" und 'geht's gut?'", "de", &h),
            "<p>Er sagte „Hallo ‚Welt‘“ und ‚geht’s gut?‘</p>\n"
        );
        assert_eq!(
            html("Die workers' rights und \"Zitat\".", "de", &h),
            "<p>Die workers’ rights und „Zitat“.</p>\n"
        );
    }

    #[test]
    fn french_guillemets_with_nbsp() {
        let h = TestHost;
        assert_eq!(
            html("Il dit \"bonjour 'toi'\" aujourd'hui.", "fr", &h),
            "<p>Il dit «\u{a0}bonjour ‹\u{a0}toi\u{a0}›\u{a0}» aujourd’hui.</p>\n"
        );
    }

    #[test]
    fn swiss_german() {
        let h = TestHost;
        assert_eq!(
            html("\"Grüezi 'mitenand'\"", "de-CH", &h),
            "<p>«Grüezi ‹mitenand›»</p>\n"
        );
    }

    #[test]
    fn nesting_across_markup() {
        let h = TestHost;
        assert_eq!(
            html("\"*Betont* und 'ein [Link](https://x.org)'\" ok", "de", &h),
            "<p>„<em>Betont</em> und ‚ein <a href=\"https://x.org\">Link</a>‘“ ok</p>\n"
        );
    }

    #[test]
    fn code_raw_html_and_literal_quotes_untouched() {
        let h = TestHost;
        assert_eq!(
            html(
                "`\"code\"` <span title=\"x\">\"a\"</span> “typed” \\\"esc\\\"",
                "de",
                &h
            ),
            "<p><code>\"code\"</code> <span title=\"x\">„a“</span> “typed” \"esc\"</p>\n"
        );
        assert_eq!(
            html("```\n\"block\" 'x'\n```\n", "de", &h),
            "<pre><code>\"block\" 'x'\n</code></pre>\n"
        );
        assert_eq!(
            html("<div title=\"'q'\">\n\n\"p\"\n\n</div>\n", "de", &h),
            "<div title=\"'q'\">\n<p>„p“</p>\n</div>\n"
        );
    }

    #[test]
    fn smart_punctuation_off_keeps_ascii() {
        let h = TestHost;
        let opts = crate::render::markdown::MarkdownOptions {
            lang: "de",
            smart_punctuation: false,
            safe: false,
        };
        let r = crate::render::markdown::render("\"a\" 'b' c's", 1, &opts, &h).unwrap();
        assert_eq!(r.html, "<p>\"a\" 'b' c's</p>\n");
    }

    #[test]
    fn headings_and_separate_paragraphs() {
        let h = TestHost;
        assert_eq!(
            html("# \"Titel\"\n\n'offen\n\nzu' x", "de", &h),
            "<h1 id=\"titel\">„Titel“</h1>\n<p>’offen</p>\n<p>zu’ x</p>\n"
        );
    }
}
