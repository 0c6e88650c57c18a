//! Escaping for the HTML and XML that ludd writes itself (redirect pages, head links, feeds,
//! sitemaps); templates are escaped by Tera.

/// Escapes text for HTML element content and double-quoted attributes.
pub fn html(s: &str) -> String {
    escape(s, false)
}

/// Escapes text for XML, dropping the control characters XML 1.0 forbids.
pub fn xml(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, xml: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if xml => out.push_str("&apos;"),
            c if xml && (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(
            super::html("a<b> & \"c\""),
            "a&lt;b&gt; &amp; &quot;c&quot;"
        );
        assert_eq!(super::xml("it's\u{1}<x>"), "it&apos;s&lt;x&gt;");
    }
}
