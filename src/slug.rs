//! Slug generation (`slugify`): turns arbitrary text (heading titles, footnote labels, and in the
//! generator also file names) into a lowercase ASCII identifier made of `[a-z0-9-]`.
//!
//! German umlauts and `ß` are transliterated first (`ä` → `ae`, `ß` → `ss`, also the decomposed
//! form `u` + U+0308), everything else goes through `deunicode`. Runs of anything that is not an
//! ASCII letter or digit collapse into a single `-`, and the result never starts or ends with `-`.
//! Because only `[a-z0-9-]` can appear, a slug can never be `.`/`..` or contain `/`; it can be
//! empty, and callers decide on a fallback.

/// Builds a slug, see the module documentation. The result matches `^([a-z0-9]+(-[a-z0-9]+)*)?$`.
pub fn slugify(text: &str) -> String {
    let mut out = SlugWriter {
        out: String::with_capacity(text.len()),
        pending_dash: false,
    };
    for ch in text.chars() {
        match ch {
            'ä' | 'Ä' => out.push_str("ae"),
            'ö' | 'Ö' => out.push_str("oe"),
            'ü' | 'Ü' => out.push_str("ue"),
            'ß' | 'ẞ' => out.push_str("ss"),
            // Combining diaeresis after a, o, u (decomposed umlaut): append the `e`.
            '\u{308}' => {
                if !out.pending_dash && out.out.ends_with(['a', 'o', 'u']) {
                    out.out.push('e');
                }
            }
            c if c.is_ascii() => out.push_char(c),
            c => match deunicode::deunicode_char(c) {
                Some(s) => out.push_str(s),
                None => out.pending_dash = true,
            },
        }
    }
    out.out
}

struct SlugWriter {
    out: String,
    pending_dash: bool,
}

impl SlugWriter {
    fn push_str(&mut self, s: &str) {
        for c in s.chars() {
            self.push_char(c);
        }
    }

    fn push_char(&mut self, c: char) {
        if c.is_ascii_alphanumeric() {
            if self.pending_dash && !self.out.is_empty() {
                self.out.push('-');
            }
            self.pending_dash = false;
            self.out.push(c.to_ascii_lowercase());
        } else {
            self.pending_dash = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn examples_from_the_spec() {
        assert_eq!(slugify("Über uns"), "ueber-uns");
        assert_eq!(slugify("Straße"), "strasse");
        assert_eq!(slugify("Forderung 1: Klima"), "forderung-1-klima");
        assert_eq!(slugify("Café"), "cafe");
        assert_eq!(slugify("../../etc"), "etc");
    }

    #[test]
    fn umlauts_all_cases() {
        assert_eq!(slugify("ÄÖÜ äöü ß ẞ"), "aeoeue-aeoeue-ss-ss");
        assert_eq!(slugify("Größe"), "groesse");
        // Decomposed umlaut: "u" + combining diaeresis.
        assert_eq!(slugify("U\u{308}ber"), "ueber");
    }

    #[test]
    fn other_scripts_and_symbols() {
        assert_eq!(slugify("Ελληνικά"), "ellenika");
        assert_eq!(slugify("naïve façade"), "naive-facade");
        assert_eq!(slugify("  --Hello,   World!--  "), "hello-world");
        assert_eq!(slugify("a/b\\c.d"), "a-b-c-d");
        assert_eq!(slugify("C++ & Rust"), "c-rust");
    }

    #[test]
    fn empty_and_degenerate() {
        assert_eq!(slugify(""), "");
        assert_eq!(slugify("."), "");
        assert_eq!(slugify(".."), "");
        assert_eq!(slugify("/"), "");
        assert_eq!(slugify("!!!"), "");
        assert_eq!(slugify("\u{10FFFF}"), "");
    }

    #[test]
    fn output_alphabet_is_safe() {
        let inputs = [
            "../..",
            "/etc/passwd",
            "a..b",
            "日本語のテキスト",
            "😀 emoji 🎉",
            "\0\u{1}\u{7f}",
            "ＦＵＬＬＷＩＤＴＨ",
            "-a-",
            "x\u{308}",
        ];
        for input in inputs {
            let s = slugify(input);
            assert!(
                s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{input:?} -> {s:?}"
            );
            assert!(
                !s.starts_with('-') && !s.ends_with('-') && !s.contains("--"),
                "{s:?}"
            );
            assert!(s != "." && s != ".." && !s.contains('/'));
        }
    }
}
