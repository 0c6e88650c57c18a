//! Slugs: readable ASCII URL segments and ids from any text (ä→ae, ß→ss, é→e).

/// Turns `text` into a lowercase ASCII slug of letters, digits and single dashes.
/// Never returns `.`/`..` or anything with a `/`; may return an empty string.
pub fn slugify(text: &str) -> String {
    let mut ascii = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'ä' | 'Ä' => ascii.push_str("ae"),
            'ö' | 'Ö' => ascii.push_str("oe"),
            'ü' | 'Ü' => ascii.push_str("ue"),
            'ß' | 'ẞ' => ascii.push_str("ss"),
            c if c.is_ascii() => ascii.push(c),
            c => ascii.push_str(deunicode::deunicode_char(c).unwrap_or("-")),
        }
    }
    let mut slug = String::with_capacity(ascii.len());
    let mut dash = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn readable_slugs() {
        assert_eq!(slugify("Über uns"), "ueber-uns");
        assert_eq!(slugify("Straße"), "strasse");
        assert_eq!(slugify("Forderung 1: Klima"), "forderung-1-klima");
        assert_eq!(slugify("Café"), "cafe");
        assert_eq!(slugify("../../etc"), "etc");
        assert_eq!(slugify("..."), "");
        assert_eq!(slugify("page-00001"), "page-00001");
    }
}
