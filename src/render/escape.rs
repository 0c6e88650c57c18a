//! Escaping for the HTML and XML that ludd writes itself (redirect pages, head links, feeds,
//! sitemaps, and what the Markdown renderer adds; templates are escaped by Tera), and the
//! percent-encoding sets for URLs.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What stays as it is in a query value: RFC 3986's unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What stays as it is in one path segment: unreserved characters, sub-delimiters, `:` and `@`.
const SEGMENT: &AsciiSet = &UNRESERVED
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// What stays as it is in a whole path that may already hold escapes: a segment's characters,
/// `/` and `%`.
const PATH: &AsciiSet = &SEGMENT.remove(b'/').remove(b'%');

/// Percent-encodes everything but unreserved characters (a query value, the `urlencode` filter).
pub(crate) fn url_component(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// Percent-encodes what may not stand in one path segment (spaces, `/`, `?`, non-ASCII).
pub(crate) fn url_segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// Percent-encodes what may not stand in a URL path (spaces, non-ASCII), keeping `/` and escapes.
pub(crate) fn url_path(text: &str) -> String {
    utf8_percent_encode(text, PATH).to_string()
}

/// Escapes text for HTML element content and quoted attributes (`&`, `<`, `>`, `"`, `'`).
pub(crate) fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    push_html(s, &mut out);
    out
}

/// Appends `s` escaped for HTML to `out`: pulldown-cmark's own escaper, the one ludd uses for
/// the Markdown renderer's additions and everything it writes itself.
pub(crate) fn push_html(s: &str, out: &mut String) {
    // Writing into a String never fails (its `write_str` always returns Ok).
    let _ = pulldown_cmark_escape::escape_html(out, s);
}

/// Escapes text for XML, dropping the control characters XML 1.0 forbids.
pub(crate) fn xml(s: &str) -> String {
    let forbidden = |c: char| (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r');
    if s.contains(forbidden) {
        html(&s.replace(forbidden, ""))
    } else {
        html(s)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_encoding_keeps_what_each_place_allows() {
        use super::{url_component, url_path, url_segment};
        assert_eq!(url_component("a b/ü-._~!"), "a%20b%2F%C3%BC-._~%21");
        assert_eq!(
            url_segment("a b/ü!$&'()*+,;=:@%"),
            "a%20b%2F%C3%BC!$&'()*+,;=:@%25"
        );
        assert_eq!(url_path("/über uns/%20x?"), "/%C3%BCber%20uns/%20x%3F");
    }

    #[test]
    fn escapes() {
        assert_eq!(
            super::html("a<b> & \"c\""),
            "a&lt;b&gt; &amp; &quot;c&quot;"
        );
        assert_eq!(super::html("l'a"), "l&#39;a");
        assert_eq!(super::xml("it's\u{1}<x>\tü"), "it&#39;s&lt;x&gt;\tü");
    }
}
