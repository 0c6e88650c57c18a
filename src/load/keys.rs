//! Turns serde's "unknown field" and type errors into diagnostics that suggest the closest valid key.

use crate::error::Diagnostic;
use std::path::Path;

/// The valid key closest to `unknown` among `valid`, if any is reasonably close.
pub fn closest_key<'a>(unknown: &str, valid: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    valid
        .into_iter()
        .map(|k| (strsim::jaro_winkler(unknown, k), k))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// Help text for an unknown key: the closest valid key, or the list of valid keys.
pub fn unknown_key_help(unknown: &str, valid: &[&str]) -> String {
    match closest_key(unknown, valid.iter().copied()) {
        Some(k) => format!("did you mean `{k}`? Valid keys: {}", valid.join(", ")),
        None => format!("valid keys: {}", valid.join(", ")),
    }
}

/// Parses serde's "unknown field `x`, expected one of `a`, `b`" message.
/// Returns the unknown key and the expected keys.
pub fn parse_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.split("unknown field `").nth(1)?;
    let (key, tail) = rest.split_once('`')?;
    let expected = tail
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect();
    Some((key.to_string(), expected))
}

/// A diagnostic for a serde error message, upgraded with a suggestion when it is an unknown key.
pub fn serde_diagnostic(path: &Path, line: Option<usize>, message: &str) -> Diagnostic {
    let first_line = message.lines().next().unwrap_or(message).trim();
    match parse_unknown_field(first_line) {
        Some((key, expected)) => {
            let valid: Vec<&str> = expected.iter().map(String::as_str).collect();
            Diagnostic::new(path, format!("unknown key `{key}`"))
                .at_optional_line(line)
                .with_help(unknown_key_help(&key, &valid))
        }
        None => Diagnostic::new(path, first_line.to_string())
            .at_optional_line(line)
            .with_help("fix the value so that it has the type the key expects"),
    }
}

/// 1-based line of a byte offset in `text`.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_key() {
        assert_eq!(
            closest_key("titel", ["title", "date", "slug"]),
            Some("title")
        );
        assert_eq!(closest_key("zzzz", ["title", "date"]), None);
    }

    #[test]
    fn parses_serde_unknown_field_messages() {
        let (k, e) = parse_unknown_field("unknown field `titel`, expected one of `title`, `date`")
            .expect("parsed");
        assert_eq!(k, "titel");
        assert_eq!(e, vec!["title", "date"]);
    }

    #[test]
    fn lines_count_from_one() {
        assert_eq!(line_of_offset("a\nb\nc", 0), 1);
        assert_eq!(line_of_offset("a\nb\nc", 2), 2);
        assert_eq!(line_of_offset("a\nb\nc", 99), 3);
    }
}
