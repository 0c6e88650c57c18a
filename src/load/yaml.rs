//! The one way ludd parses YAML (front matter, `data/*.yaml`, imported Hugo configs and front
//! matter): a linear pre-scan refuses nesting deeper than [`MAX_DEPTH`] before serde_yaml sees
//! the text. Its scanner takes time quadratic in the depth (front matter nested 100,000 levels
//! deep took 20 s, 200,000 levels 100 s, before serde_yaml's own limit of 128 refused it), so
//! hostile input is turned away in microseconds instead.
//!
//! The scan counts block collections by indentation (and the compact `- - -` and `? ` forms)
//! and flow collections by their brackets, outside quoted strings, comments and block
//! scalars. It errs on the side of counting: a plain scalar whose continuation line starts
//! with `[` counts as a flow collection. That can only matter for documents nested close to
//! the limit, which serde_yaml refuses anyway.

use serde::de::DeserializeOwned;

/// The deepest nesting (block and flow collections together) a YAML document may have; the
/// same as serde_yaml's own recursion limit, so nothing it accepted before is refused.
pub const MAX_DEPTH: usize = 128;

/// Why a YAML text was not parsed.
#[derive(Debug, thiserror::Error)]
pub enum YamlError {
    /// Collections nested deeper than [`MAX_DEPTH`], found by the pre-scan.
    #[error("nested more than {MAX_DEPTH} levels deep (line {line})")]
    TooDeep {
        /// 1-based line of the text where the limit was passed.
        line: usize,
    },
    /// serde_yaml's error.
    #[error(transparent)]
    Syntax(#[from] serde_yaml::Error),
}

impl YamlError {
    /// The 1-based line of the text the error is at, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            YamlError::TooDeep { line } => Some(*line),
            YamlError::Syntax(e) => e.location().map(|l| l.line()),
        }
    }

    /// The message without serde_yaml's ` at line … column …` suffix (the line is reported
    /// separately).
    pub fn message(&self) -> String {
        let message = self.to_string();
        match self {
            YamlError::TooDeep { .. } => format!("nested more than {MAX_DEPTH} levels deep"),
            YamlError::Syntax(_) => message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string(),
        }
    }

    /// What to do about it.
    pub fn help(&self) -> Option<String> {
        match self {
            YamlError::TooDeep { .. } => Some(format!(
                "flatten the data: ludd reads YAML nested at most {MAX_DEPTH} levels deep (lists and tables together)"
            )),
            YamlError::Syntax(_) => None,
        }
    }
}

/// Parses `text` as YAML into `T`, refusing nesting deeper than [`MAX_DEPTH`] first.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    if let Some(line) = too_deep(text) {
        return Err(YamlError::TooDeep { line });
    }
    Ok(serde_yaml::from_str(text)?)
}

/// The 1-based line where `text` passes [`MAX_DEPTH`] levels of nesting, if it does. Linear in
/// the length of the text.
pub fn too_deep(text: &str) -> Option<usize> {
    if cannot_pass_limit(text) {
        return None;
    }
    let mut scan = Scan::default();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line).as_bytes();
        if scan.line(line) > MAX_DEPTH {
            return Some(i + 1);
        }
    }
    None
}

/// Whether `text` is too small to pass [`MAX_DEPTH`]: every level the scan counts opens at a
/// line of its own, a `-` or `?` indicator or a bracket, so a text with no more of those than
/// the limit cannot pass it. Most front matter is, and is not scanned.
fn cannot_pass_limit(text: &str) -> bool {
    let openers = text
        .bytes()
        .filter(|b| matches!(b, b'\n' | b'-' | b'?' | b'[' | b'{'))
        .count();
    openers < MAX_DEPTH
}

/// The state of the pre-scan between lines.
#[derive(Debug, Default)]
struct Scan {
    /// Columns of the open block collections.
    block: Vec<usize>,
    /// Open flow collections (`[`, `{`).
    flow: usize,
    /// The quote of a quoted scalar that continues on the next line.
    quote: Option<u8>,
    /// Inside a block scalar (`|`, `>`) of a node indented this much: more indented lines
    /// (and blank ones) are its text.
    block_scalar: Option<usize>,
}

impl Scan {
    /// Scans one line (without its line break); returns the deepest nesting on it.
    fn line(&mut self, line: &[u8]) -> usize {
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        let blank = line[indent..].iter().all(|b| b.is_ascii_whitespace());
        if let Some(parent) = self.block_scalar {
            if blank || indent > parent {
                return 0;
            }
            self.block_scalar = None;
        }
        let mut deepest = 0;
        let mut i = 0;
        if let Some(q) = self.quote {
            match skip_quoted(line, 0, q) {
                Some(end) => {
                    self.quote = None;
                    i = end;
                }
                None => return 0,
            }
        } else if self.flow == 0 {
            if blank || line[indent] == b'#' {
                return 0;
            }
            while self.block.last().is_some_and(|&c| c > indent) {
                self.block.pop();
            }
            if self.block.last().is_none_or(|&c| c < indent) {
                self.block.push(indent);
            }
            i = indent;
            // `- - x` and `? x`: each indicator opens a collection at the column after it.
            while matches!(line.get(i), Some(b'-' | b'?')) && is_space_or_end(line, i + 1) {
                i = skip_spaces(line, i + 1);
                if i < line.len() && line[i] != b'#' {
                    self.block.push(i);
                }
            }
            deepest = self.block.len();
            match self.value(line, i, indent) {
                Some(next) => i = next,
                None => return deepest,
            }
        }
        deepest.max(self.rest(line, i, indent))
    }

    /// At a place where a node may begin in block context: enters a flow collection (returns
    /// where to go on with [`Scan::rest`]), a quoted scalar, a block scalar or a plain one.
    /// `None`: the rest of the line holds nothing that nests.
    fn value(&mut self, line: &[u8], mut i: usize, indent: usize) -> Option<usize> {
        loop {
            i = skip_spaces(line, i);
            // Anchors and tags come before the node: `&a [`, `!!seq [`.
            while matches!(line.get(i), Some(b'&' | b'!')) {
                while i < line.len() && line[i] != b' ' {
                    i += 1;
                }
                i = skip_spaces(line, i);
            }
            match line.get(i) {
                None | Some(b'#') => return None,
                Some(b'[' | b'{') => return Some(i),
                Some(&q @ (b'"' | b'\'')) => match skip_quoted(line, i + 1, q) {
                    Some(end) => i = end,
                    None => {
                        self.quote = Some(q);
                        return None;
                    }
                },
                Some(b'|' | b'>') => {
                    self.block_scalar = Some(indent);
                    return None;
                }
                Some(_) => i = skip_plain(line, i),
            }
            // After a key, `: ` starts its value.
            i = skip_spaces(line, i);
            if line.get(i) == Some(&b':') && is_space_or_end(line, i + 1) {
                i += 1;
                continue;
            }
            return None;
        }
    }

    /// Scans the rest of a line from `i` in flow context (and in block context after a flow
    /// collection closed); returns the deepest nesting seen.
    fn rest(&mut self, line: &[u8], mut i: usize, indent: usize) -> usize {
        let mut deepest = 0;
        while i < line.len() {
            match line[i] {
                b'[' | b'{' => {
                    self.flow += 1;
                    deepest = deepest.max(self.block.len() + self.flow);
                }
                b']' | b'}' => {
                    self.flow = self.flow.saturating_sub(1);
                    if self.flow == 0 {
                        // A flow collection used as a key (`[a, b]: x`): its value follows.
                        if let Some(next) = self.value(line, i + 1, indent) {
                            i = next;
                            continue;
                        }
                        return deepest;
                    }
                }
                q @ (b'"' | b'\'') => match skip_quoted(line, i + 1, q) {
                    Some(end) => {
                        i = end;
                        continue;
                    }
                    None => {
                        self.quote = Some(q);
                        return deepest;
                    }
                },
                b'#' if i == 0 || line[i - 1] == b' ' || line[i - 1] == b'\t' => {
                    return deepest;
                }
                _ => {}
            }
            i += 1;
        }
        deepest
    }
}

/// Whether `line[i]` is a space or past the end.
fn is_space_or_end(line: &[u8], i: usize) -> bool {
    matches!(line.get(i), None | Some(b' ' | b'\t'))
}

fn skip_spaces(line: &[u8], mut i: usize) -> usize {
    while matches!(line.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// The end of a plain scalar in block context starting at `i`: before `: `, ` #` or the end
/// of the line.
fn skip_plain(line: &[u8], mut i: usize) -> usize {
    while i < line.len() {
        let b = line[i];
        if b == b':' && is_space_or_end(line, i + 1) {
            return i;
        }
        if b == b'#' && i > 0 && matches!(line[i - 1], b' ' | b'\t') {
            return i;
        }
        i += 1;
    }
    i
}

/// Where a quoted scalar whose text starts at `i` ends (after its closing quote `q`), or
/// `None` when it goes on past this line.
fn skip_quoted(line: &[u8], mut i: usize, q: u8) -> Option<usize> {
    while i < line.len() {
        match line[i] {
            b'\\' if q == b'"' => i += 2,
            b'\'' if q == b'\'' && line.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == q => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(text: &str) -> usize {
        let mut scan = Scan::default();
        text.split('\n')
            .map(|l| scan.line(l.as_bytes()))
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn counts_block_and_flow_nesting() {
        assert_eq!(depth("title: x\n"), 1);
        assert_eq!(depth("a:\n  b:\n    c: 1\n"), 3);
        assert_eq!(depth("a: [1, [2, {b: 3}]]\n"), 4);
        assert_eq!(depth("a:\n  - - - x\n"), 5);
        assert_eq!(depth("a: [\n  [\n    1]]\n"), 3);
        assert_eq!(depth("a: &x !!seq [1]\n"), 2);
    }

    #[test]
    fn brackets_in_strings_comments_and_block_scalars_do_not_count() {
        assert_eq!(depth("title: \"[[[[\"\n"), 1);
        assert_eq!(depth("title: 'it''s [[['\n"), 1);
        assert_eq!(depth("title: a[[[b\n"), 1);
        assert_eq!(depth("title: x # [[[[\n"), 1);
        assert_eq!(depth("text: |\n  [[[[\n  {{{{\nnext: 1\n"), 1);
        assert_eq!(depth("text: \"a\n  [[[[ b\"\nnext: [1]\n"), 2);
        assert_eq!(depth("a: [\"]]]\", '[[[']\n"), 2);
    }

    #[test]
    fn refuses_deep_nesting_of_every_kind_on_its_line() {
        let deep = MAX_DEPTH * 100;
        let flow = format!(
            "title: x\nextra:\n  x: {}{}\n",
            "[".repeat(deep),
            "]".repeat(deep)
        );
        assert_eq!(too_deep(&flow), Some(3));
        let maps = format!("x: {}1{}\n", "{a: ".repeat(deep), "}".repeat(deep));
        assert_eq!(too_deep(&maps), Some(1));
        let dashes = format!("a: 1\nb:\n{}x\n", "- ".repeat(deep));
        assert_eq!(too_deep(&dashes), Some(3));
        let keys = format!("{}x\n", "? ".repeat(deep));
        assert_eq!(too_deep(&keys), Some(1));
        let lines: String = (0..deep).map(|_| "[\n").collect();
        assert_eq!(too_deep(&format!("a:\n{lines}")), Some(MAX_DEPTH + 1));
        let ok = format!(
            "x: {}{}\n",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        assert_eq!(too_deep(&ok), None);
        // The smallest texts that pass the limit are still scanned and refused.
        let least = format!("x: {}", "[".repeat(MAX_DEPTH + 1));
        assert_eq!(too_deep(&least), Some(1));
        let indented: String = (0..=MAX_DEPTH)
            .map(|level| format!("{}k:\n", " ".repeat(level)))
            .collect();
        assert_eq!(too_deep(indented.trim_end()), Some(MAX_DEPTH + 1));
    }

    #[test]
    fn from_str_refuses_before_parsing_and_parses_otherwise() {
        let deep = format!("x: {}{}\n", "[".repeat(200_000), "]".repeat(200_000));
        let start = std::time::Instant::now();
        let err = from_str::<serde_json::Value>(&deep).expect_err("too deep");
        assert!(matches!(err, YamlError::TooDeep { line: 1 }), "{err}");
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        let v: serde_json::Value = from_str("a: [1, {b: 2}]\n").expect("valid");
        assert_eq!(v["a"][1]["b"], 2);
        let err = from_str::<serde_json::Value>("a: [\n").expect_err("malformed");
        assert!(matches!(err, YamlError::Syntax(_)));
        assert!(err.line().is_some());
    }
}
