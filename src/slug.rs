//! Slug generation: turns arbitrary text (file names, `slug`, taxonomy terms, heading titles,
//! footnote labels) into an identifier, following the language of the page it belongs to.
//!
//! [`slugify_in`] makes URL segments, lowercase ASCII `[a-z0-9-]`: in German, umlauts and `ß`
//! are transliterated first (`ä` → `ae`, `ß` → `ss`, also the decomposed form `u` + U+0308);
//! everything else goes through `deunicode` (`multilingüe` → `multilingue`). [`anchor_in`] makes
//! heading ids: Latin letters the same way, but letters and digits of other scripts (Arabic,
//! Chinese, Japanese, Cyrillic, Greek, …) are kept, lowercased, as Zola's "safe" strategy does,
//! so that `## Введение` gets `#введение` rather than a transliteration. Runs of anything else
//! collapse into a single `-`, and the result never starts or ends with `-`. Since only letters,
//! digits and `-` can appear, a slug can never be `.`/`..` or contain `/`; it can be empty, and
//! callers decide on a fallback.

/// Whether `lang` (a BCP 47 code) is German, whose umlauts transliterate as `ae`, `oe`, `ue`.
fn is_german(lang: &str) -> bool {
    lang.split('-')
        .next()
        .is_some_and(|p| p.eq_ignore_ascii_case("de"))
}

/// A URL slug in language `lang`. The result matches `^([a-z0-9]+(-[a-z0-9]+)*)?$`.
pub fn slugify_in(text: &str, lang: &str) -> String {
    build(text, is_german(lang), false)
}

/// A heading id in language `lang`: like [`slugify_in`], but non-Latin letters are kept.
pub fn anchor_in(text: &str, lang: &str) -> String {
    build(text, is_german(lang), true)
}

/// A German-style ASCII slug (the campaign's own default).
pub fn slugify(text: &str) -> String {
    build(text, true, false)
}

/// Whether `c` belongs to the Latin script (or is ASCII): those letters fold to ASCII.
fn is_latin(c: char) -> bool {
    matches!(c as u32,
        0x0000..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF | 0xFF00..=0xFFEF)
}

fn build(text: &str, german: bool, keep_scripts: bool) -> String {
    let mut out = SlugWriter {
        out: String::with_capacity(text.len()),
        pending_dash: false,
    };
    for ch in text.chars() {
        match ch {
            'ä' | 'Ä' if german => out.push_str("ae"),
            'ö' | 'Ö' if german => out.push_str("oe"),
            'ü' | 'Ü' if german => out.push_str("ue"),
            'ß' | 'ẞ' => out.push_str("ss"),
            // Combining diaeresis after a, o, u (decomposed umlaut): append the `e`.
            '\u{308}' => {
                if german && !out.pending_dash && out.out.ends_with(['a', 'o', 'u']) {
                    out.out.push('e');
                }
            }
            c if c.is_ascii() => out.push_char(c),
            c if keep_scripts && !is_latin(c) && c.is_alphanumeric() => {
                for lower in c.to_lowercase() {
                    out.push_unicode(lower);
                }
            }
            // Combining marks of other scripts (Arabic vowel signs, Devanagari matras) stay
            // with their letter.
            c if keep_scripts
                && !is_latin(c)
                && !out.pending_dash
                && out.out.chars().last().is_some_and(|p| !p.is_ascii())
                && matches!(c as u32, 0x0300..=0x036F | 0x0610..=0x061A | 0x064B..=0x065F | 0x0900..=0x0DFF | 0x3099..=0x309A) =>
            {
                out.out.push(c);
            }
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

    fn push_unicode(&mut self, c: char) {
        if self.pending_dash && !self.out.is_empty() {
            self.out.push('-');
        }
        self.pending_dash = false;
        self.out.push(c);
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
    use super::{anchor_in, slugify, slugify_in};

    #[test]
    fn transliteration_follows_the_language() {
        assert_eq!(
            slugify_in("Soporte multilingüe", "es"),
            "soporte-multilingue"
        );
        assert_eq!(
            anchor_in("Soporte multilingüe", "es"),
            "soporte-multilingue"
        );
        assert_eq!(slugify_in("Über uns", "de"), "ueber-uns");
        assert_eq!(slugify_in("Über uns", "de-AT"), "ueber-uns");
        assert_eq!(slugify_in("Über uns", "en"), "uber-uns");
        assert_eq!(anchor_in("Größe", "de"), "groesse");
        assert_eq!(anchor_in("Straße", "fr"), "strasse");
        assert_eq!(
            anchor_in("Élection présidentielle", "fr"),
            "election-presidentielle"
        );
    }

    #[test]
    fn other_scripts_keep_readable_ids() {
        assert_eq!(anchor_in("Введение в тему", "ru"), "введение-в-тему");
        assert_eq!(anchor_in("مقدمة عامة", "ar"), "مقدمة-عامة");
        assert_eq!(anchor_in("日本語のテキスト", "ja"), "日本語のテキスト");
        assert_eq!(anchor_in("快速开始", "zh"), "快速开始");
        assert_eq!(anchor_in("Ελληνικά 2", "el"), "ελληνικά-2");
        assert_eq!(anchor_in("Hugo и Zola", "ru"), "hugo-и-zola");
        // Two different headings never collide into the same (empty) id.
        assert_ne!(anchor_in("Установка", "ru"), anchor_in("Настройка", "ru"));
        // URL slugs stay ASCII.
        assert_eq!(slugify_in("Введение", "ru"), "vvedenie");
        for s in [anchor_in("a/../b", "ru"), anchor_in("../..", "ar")] {
            assert!(!s.contains('/') && s != "." && s != "..", "{s}");
        }
    }

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
