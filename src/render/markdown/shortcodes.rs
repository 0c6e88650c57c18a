//! Shortcodes (Zola syntax): finding calls, parsing their arguments, rendering them through the
//! host, and substituting their output.
//!
//! * inline: `{{ name(key="v", n=1, x=1.5, flag=true, list=["a", "b"]) }}`
//! * block: `{% name(key="v") %}body{% end %}` — the body is Markdown, rendered (with its own
//!   shortcodes) before the call, and block shortcodes nest;
//! * escapes: `{{/* name() */}}` and `{%/* name() */%}` print the call literally.
//!
//! Before pulldown-cmark runs, every call outside code (code spans, fenced and indented code
//! blocks — found with an offset pass of pulldown-cmark, done only when the text contains `{{` or
//! `{%`) is rendered and replaced by an inert ASCII placeholder token. After the HTML is written,
//! [`substitute`] replaces `<p>TOKEN</p>` (a call alone in its paragraph) or the bare token with
//! the output. The token prefix is chosen so that it cannot occur in the source text. Text that
//! does not have the call shape `ident(...)` is left alone; a call that has the shape but is
//! malformed is an error with the line of the call. The scanner is iterative and linear; nesting
//! of block shortcodes (the only recursion, through rendering bodies) is capped at
//! [`MAX_DEPTH`].

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

use super::{
    InternalLink, MarkdownError, MarkdownHost, MarkdownOptions, MarkdownProblem, ShortcodeArgs,
    ShortcodeValue, parser_options, render_inner, scan_ids,
};

/// Maximum nesting depth of block shortcodes.
pub(crate) const MAX_DEPTH: usize = 16;

const TOKEN_BASE: &str = "lUdDsC";

/// State shared by a document and the bodies of its block shortcodes.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Uses so far per shortcode name (for `nth`).
    nth: HashMap<String, usize>,
    /// Block-shortcode nesting depth of the text being rendered.
    depth: usize,
}

/// Rendered output of one placeholder token.
#[derive(Debug)]
pub(crate) struct TokenOutput {
    html: String,
    /// May replace a whole `<p>TOKEN</p>` (false for escapes, which are inline text).
    block: bool,
}

/// The placeholder tokens of one text.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    /// Empty when the text had no shortcodes.
    pub(crate) prefix: String,
    outputs: Vec<TokenOutput>,
}

/// Text ready for pulldown-cmark, plus what is needed to map it back.
#[derive(Debug)]
pub(crate) struct Preprocessed<'t> {
    pub(crate) text: Cow<'t, str>,
    pub(crate) tokens: Tokens,
    /// `(offset in text after a token, newlines removed minus newlines inserted by all tokens
    /// up to it)`, ascending by offset.
    pub(crate) line_adjust: Vec<(usize, isize)>,
    /// Internal links found in block shortcode bodies.
    pub(crate) body_links: Vec<InternalLink>,
    /// Words in block shortcode bodies.
    pub(crate) body_words: usize,
}

impl<'t> Preprocessed<'t> {
    fn unchanged(text: &'t str) -> Self {
        Preprocessed {
            text: Cow::Borrowed(text),
            tokens: Tokens::default(),
            line_adjust: Vec::new(),
            body_links: Vec::new(),
            body_words: 0,
        }
    }
}

/// A parsed call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Call {
    pub(crate) name: String,
    pub(crate) args: ShortcodeArgs,
}

/// What starts at a `{{` / `{%`.
#[derive(Debug, PartialEq)]
enum Item {
    /// Not call syntax; leave as text.
    NotCall,
    Escape {
        literal: String,
        end: usize,
    },
    Inline {
        call: Call,
        end: usize,
    },
    Open {
        call: Call,
        end: usize,
    },
    End {
        end: usize,
    },
}

/// Replaces shortcode calls in `text` by placeholder tokens, rendering them through `host`.
pub(crate) fn preprocess<'t>(
    text: &'t str,
    first_line: usize,
    options: &MarkdownOptions,
    host: &dyn MarkdownHost,
    shared: &mut Shared,
) -> Result<Preprocessed<'t>, MarkdownError> {
    if !(text.contains("{{") || text.contains("{%")) {
        return Ok(Preprocessed::unchanged(text));
    }
    let mut scan = Scanner {
        text,
        pos: 0,
        code: code_ranges(text),
        code_ix: 0,
    };
    let mut lines = LineCounter {
        text,
        pos: 0,
        line: first_line,
        first_line,
    };
    let mut out = Rewriter {
        text,
        out: String::new(),
        copied: 0,
        prefix: choose_prefix(text),
        outputs: Vec::new(),
        line_delta: 0,
        line_adjust: Vec::new(),
    };
    let mut body_links = Vec::new();
    let mut body_words = 0;
    let mut depth = 0usize;
    let mut open: Option<OpenBlock> = None;

    while let Some(p) = scan.next_candidate() {
        let item = parse_item(text, p).map_err(|message| MarkdownError {
            line: lines.line_at(p),
            problem: MarkdownProblem::ShortcodeSyntax(message),
        })?;
        match item {
            Item::NotCall => scan.pos = p + 1,
            Item::Escape { literal, end } => {
                if depth == 0 {
                    let html = crate::render::escape::html(&literal);
                    out.replace(p..end, html, Kind::Escape);
                }
                scan.pos = end;
            }
            Item::Inline { call, end } => {
                if depth == 0 {
                    let nth = shared.next_nth(&call.name);
                    let html = host
                        .render_shortcode(&call.name, &call.args, None, nth)
                        .map_err(|reason| MarkdownError {
                            line: lines.line_at(p),
                            problem: MarkdownProblem::ShortcodeFailed {
                                name: call.name.clone(),
                                reason,
                            },
                        })?;
                    out.replace(p..end, html, Kind::Inline);
                }
                scan.pos = end;
            }
            Item::Open { call, end } => {
                depth += 1;
                if shared.depth + depth > MAX_DEPTH {
                    return Err(MarkdownError {
                        line: lines.line_at(p),
                        problem: MarkdownProblem::ShortcodesTooDeep { max: MAX_DEPTH },
                    });
                }
                if depth == 1 {
                    let nth = shared.next_nth(&call.name);
                    open = Some(OpenBlock {
                        call,
                        start: p,
                        body_start: end,
                        line: lines.line_at(p),
                        body_line: lines.line_at(end),
                        nth,
                    });
                }
                scan.pos = end;
            }
            Item::End { end } => {
                if depth == 0 {
                    return Err(MarkdownError {
                        line: lines.line_at(p),
                        problem: MarkdownProblem::UnmatchedEnd,
                    });
                }
                depth -= 1;
                if depth == 0
                    && let Some(block) = open.take()
                {
                    let body = text.get(block.body_start..p).unwrap_or("");
                    shared.depth += 1;
                    let rendered = render_inner(body, block.body_line, options, host, shared);
                    shared.depth -= 1;
                    let rendered = rendered?;
                    body_links.extend(rendered.internal_links);
                    body_words += rendered.word_count;
                    let html = host
                        .render_shortcode(
                            &block.call.name,
                            &block.call.args,
                            Some(&rendered.html),
                            block.nth,
                        )
                        .map_err(|reason| MarkdownError {
                            line: block.line,
                            problem: MarkdownProblem::ShortcodeFailed {
                                name: block.call.name.clone(),
                                reason,
                            },
                        })?;
                    out.replace(block.start..end, html, Kind::Block);
                }
                scan.pos = end;
            }
        }
    }
    if let Some(block) = open {
        return Err(MarkdownError {
            line: block.line,
            problem: MarkdownProblem::UnclosedBlock {
                name: block.call.name,
            },
        });
    }
    if out.outputs.is_empty() {
        return Ok(Preprocessed::unchanged(text));
    }
    let (text, tokens, line_adjust) = out.finish();
    Ok(Preprocessed {
        text: Cow::Owned(text),
        tokens,
        line_adjust,
        body_links,
        body_words,
    })
}

impl Shared {
    fn next_nth(&mut self, name: &str) -> usize {
        let n = self.nth.entry(name.to_owned()).or_insert(0);
        *n += 1;
        *n
    }
}

#[derive(Debug)]
struct OpenBlock {
    call: Call,
    start: usize,
    body_start: usize,
    line: usize,
    body_line: usize,
    nth: usize,
}

/// What a token stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Escape,
    Inline,
    Block,
}

/// Builds the rewritten text.
struct Rewriter<'t> {
    text: &'t str,
    out: String,
    copied: usize,
    prefix: String,
    outputs: Vec<TokenOutput>,
    /// Newlines removed minus newlines inserted so far.
    line_delta: isize,
    line_adjust: Vec<(usize, isize)>,
}

impl Rewriter<'_> {
    fn replace(&mut self, span: Range<usize>, html: String, kind: Kind) {
        if self.out.capacity() == 0 {
            self.out.reserve(self.text.len() + 64);
        }
        self.out
            .push_str(self.text.get(self.copied..span.start).unwrap_or(""));
        let bytes = self.text.as_bytes();
        // A block call that fills whole lines starting in column 0 becomes its own block:
        // blank lines around the token keep it out of a neighbouring paragraph.
        let rest = bytes.get(span.end..).unwrap_or_default();
        let trailing = rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        let own_lines = kind == Kind::Block
            && (span.start == 0 || bytes.get(span.start - 1) == Some(&b'\n'))
            && matches!(rest.get(trailing), None | Some(b'\n' | b'\r'));
        let mut inserted = 0;
        if own_lines && !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
            inserted += 1;
        }
        let index = self.outputs.len();
        self.out.push_str(&self.prefix);
        self.out.push_str(&index.to_string());
        self.out.push('z');
        if own_lines && !rest.is_empty() {
            self.out.push('\n');
            inserted += 1;
        }
        self.outputs.push(TokenOutput {
            html,
            block: kind != Kind::Escape,
        });
        let removed = count_newlines(self.text.get(span.clone()).unwrap_or(""));
        if removed != inserted {
            self.line_delta += removed as isize - inserted as isize;
            self.line_adjust.push((self.out.len(), self.line_delta));
        }
        self.copied = span.end;
    }

    fn finish(mut self) -> (String, Tokens, Vec<(usize, isize)>) {
        self.out
            .push_str(self.text.get(self.copied..).unwrap_or(""));
        (
            self.out,
            Tokens {
                prefix: self.prefix,
                outputs: self.outputs,
            },
            self.line_adjust,
        )
    }
}

pub(crate) fn count_newlines(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

/// Forward-moving line counter over the original text.
struct LineCounter<'t> {
    text: &'t str,
    pos: usize,
    line: usize,
    first_line: usize,
}

impl LineCounter<'_> {
    fn line_at(&mut self, p: usize) -> usize {
        if p < self.pos {
            self.pos = 0;
            self.line = self.first_line;
        }
        self.line += count_newlines(self.text.get(self.pos..p).unwrap_or(""));
        self.pos = p;
        self.line
    }
}

/// Finds `{{` / `{%` outside code.
struct Scanner<'t> {
    text: &'t str,
    pos: usize,
    code: Vec<Range<usize>>,
    code_ix: usize,
}

impl Scanner<'_> {
    /// The next `{{` or `{%` to look at: outside code, any; inside code only escapes
    /// (`{{/* … */}}`), which print the call without the `/* */` there too, as in Zola.
    fn next_candidate(&mut self) -> Option<usize> {
        let bytes = self.text.as_bytes();
        loop {
            let p = self.pos + self.text.get(self.pos..)?.find('{')?;
            if !matches!(bytes.get(p + 1), Some(b'{' | b'%')) {
                self.pos = p + 1;
                continue;
            }
            while self.code.get(self.code_ix).is_some_and(|r| r.end <= p) {
                self.code_ix += 1;
            }
            if let Some(r) = self.code.get(self.code_ix)
                && r.start <= p
            {
                let after = self.text[p + 2..].trim_start();
                let escape = ["/*", "</*", "%/*"].iter().any(|e| after.starts_with(e));
                if escape
                    && matches!(parse_item(self.text, p), Ok(Item::Escape { end, .. }) if end <= r.end)
                {
                    return Some(p);
                }
                self.pos = p + 2;
                continue;
            }
            return Some(p);
        }
    }
}

/// Byte ranges of code spans and code blocks, in document order. Skips the parse when the text
/// cannot contain code (no backtick, no `~~~` fence, no tab or four-space indentation).
fn code_ranges(text: &str) -> Vec<Range<usize>> {
    if !(text.contains('`') || text.contains("~~~") || text.contains('\t') || text.contains("    "))
    {
        return Vec::new();
    }
    Parser::new_ext(text, parser_options(false))
        .into_offset_iter()
        .filter_map(|(ev, range)| match ev {
            Event::Start(Tag::CodeBlock(_)) | Event::Code(_) => Some(range),
            _ => None,
        })
        .collect()
}

/// A token prefix `lUdDsC{n}q` that does not occur in `text`: `n` is the smallest number not
/// written (without leading zeros) directly after an occurrence of the base in the text.
fn choose_prefix(text: &str) -> String {
    let mut seen = HashSet::new();
    for (i, _) in text.match_indices(TOKEN_BASE) {
        let rest = text.get(i + TOKEN_BASE.len()..).unwrap_or("");
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if (1..=19).contains(&digits)
            && let Ok(n) = rest.get(..digits).unwrap_or("").parse::<u64>()
        {
            seen.insert(n);
        }
    }
    let mut n = 0u64;
    while seen.contains(&n) {
        n += 1;
    }
    format!("{TOKEN_BASE}{n}q")
}

/// Removes placeholder tokens from plain text (heading titles, word counts).
pub(crate) fn strip_tokens(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + prefix.len()..).unwrap_or("");
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after.as_bytes().get(digits) == Some(&b'z') {
            rest = after.get(digits + 1..).unwrap_or("");
        } else {
            out.push_str(prefix);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Replaces the tokens in rendered `html` by their outputs; ids found in the substituted
/// outputs are appended to `ids`.
pub(crate) fn substitute(html: &str, tokens: &Tokens, mut ids: Option<&mut Vec<String>>) -> String {
    let prefix = tokens.prefix.as_str();
    if prefix.is_empty() {
        return html.to_owned();
    }
    let extra: usize = tokens.outputs.iter().map(|o| o.html.len()).sum();
    let mut out = String::with_capacity(html.len() + extra);
    let mut rest = html;
    while let Some(i) = rest.find(prefix) {
        let before = rest.get(..i).unwrap_or("");
        let after_prefix = rest.get(i + prefix.len()..).unwrap_or("");
        let digits = after_prefix.bytes().take_while(u8::is_ascii_digit).count();
        let output = after_prefix
            .get(..digits)
            .and_then(|d| d.parse::<usize>().ok())
            .and_then(|ix| tokens.outputs.get(ix))
            .filter(|_| after_prefix.as_bytes().get(digits) == Some(&b'z'));
        let Some(output) = output else {
            out.push_str(before);
            out.push_str(prefix);
            rest = after_prefix;
            continue;
        };
        let after = after_prefix.get(digits + 1..).unwrap_or("");
        match (before.strip_suffix("<p>"), after.strip_prefix("</p>")) {
            (Some(b), Some(a)) if output.block => {
                out.push_str(b);
                rest = a;
            }
            _ => {
                out.push_str(before);
                rest = after;
            }
        }
        out.push_str(&output.html);
        if let Some(ids) = ids.as_deref_mut() {
            scan_ids(&output.html, ids);
        }
    }
    out.push_str(rest);
    out
}

/// Byte cursor for the call parser. All delimiters are ASCII, so every position it stops at
/// is a char boundary.
struct Cursor<'t> {
    text: &'t str,
    i: usize,
}

impl<'t> Cursor<'t> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_str(&mut self, s: &str) -> bool {
        if self
            .text
            .as_bytes()
            .get(self.i..)
            .is_some_and(|rest| rest.starts_with(s.as_bytes()))
        {
            self.i += s.len();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn ident(&mut self) -> Option<&'t str> {
        let bytes = self.text.as_bytes();
        let start = self.i;
        if !bytes
            .get(start)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            return None;
        }
        let len = bytes
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        self.i = start + len;
        self.text.get(start..self.i)
    }

    fn slice(&self, r: Range<usize>) -> &'t str {
        self.text.get(r).unwrap_or("")
    }

    /// Describes what is at the cursor, for error messages.
    fn found(&self) -> String {
        match self.text.get(self.i..).and_then(|s| s.chars().next()) {
            None => "end of input".to_owned(),
            Some(c) => format!("`{c}`"),
        }
    }
}

/// Parses what starts at `p` (which points at `{{` or `{%`).
fn parse_item(text: &str, p: usize) -> Result<Item, String> {
    let block = text.as_bytes().get(p + 1) == Some(&b'%');
    let (open, close) = if block { ("{%", "%}") } else { ("{{", "}}") };
    let mut c = Cursor { text, i: p + 2 };
    c.skip_ws();
    if c.eat_str("/*") {
        let inner_start = c.i;
        let mut search = c.i;
        loop {
            let Some(off) = text.get(search..).and_then(|s| s.find("*/")) else {
                return Err(format!(
                    "unterminated shortcode escape: `{open}/*` without `*/{close}`"
                ));
            };
            let star = search + off;
            let mut end = Cursor { text, i: star + 2 };
            end.skip_ws();
            if end.eat_str(close) {
                let literal = format!("{open}{}{close}", c.slice(inner_start..star));
                return Ok(Item::Escape {
                    literal,
                    end: end.i,
                });
            }
            search = star + 2;
        }
    }
    if !block && matches!(c.peek(), Some(b'<' | b'%')) {
        return hugo_call(text, p);
    }
    let Some(name) = c.ident() else {
        return Ok(Item::NotCall);
    };
    if block && name == "end" {
        let save = c.i;
        c.skip_ws();
        if c.eat_str("%}") {
            return Ok(Item::End { end: c.i });
        }
        c.i = save;
    }
    c.skip_ws();
    if !c.eat(b'(') {
        return Ok(Item::NotCall);
    }
    let args = parse_args(&mut c, name)?;
    c.skip_ws();
    if !c.eat_str(close) {
        return Err(format!(
            "shortcode `{name}`: expected `{close}` after the arguments, found {}",
            c.found()
        ));
    }
    let call = Call {
        name: name.to_owned(),
        args,
    };
    Ok(if block {
        Item::Open { call, end: c.i }
    } else {
        Item::Inline { call, end: c.i }
    })
}

/// A Hugo shortcode at `p` (`{{< name args >}}`, `{{% name %}}`, `{{< /name >}}`): its escape
/// `{{</* … */>}}` prints the call, anything else is an error that shows the ludd form.
fn hugo_call(text: &str, p: usize) -> Result<Item, String> {
    let delim = text.as_bytes().get(p + 2..).and_then(|rest| {
        let skip = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        rest.get(skip).copied()
    });
    let Some(delim @ (b'<' | b'%')) = delim else {
        return Ok(Item::NotCall);
    };
    let close = if delim == b'<' { ">}}" } else { "%}}" };
    let Some(len) = text[p..].find(close) else {
        return Ok(Item::NotCall);
    };
    let end = p + len + close.len();
    let open_len = text[p + 2..].find(delim as char).map_or(2, |i| i + 3);
    let inner = text[p + open_len..p + len].trim();
    if let Some(escaped) = inner.strip_prefix("/*").and_then(|r| r.strip_suffix("*/")) {
        let closing = if delim == b'<' { '>' } else { '%' };
        let literal = format!("{{{{{} {} {closing}}}}}", delim as char, escaped.trim());
        return Ok(Item::Escape { literal, end });
    }
    let call = &text[p..end];
    if inner.is_empty()
        || !inner
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '_')
    {
        return Ok(Item::NotCall);
    }
    let ludd_form = match inner.strip_prefix('/') {
        Some(_) => "{% end %}".to_string(),
        None => {
            let mut words = hugo_words(inner).into_iter();
            let name = words.next().unwrap_or_default();
            let mut positional = 0;
            let args: Vec<String> = words
                .map(|w| match w.split_once('=') {
                    Some((k, v)) => format!("{k}={}", quoted(v)),
                    None => {
                        positional += 1;
                        format!("arg{positional}={}", quoted(&w))
                    }
                })
                .collect();
            let args = args.join(", ");
            if delim == b'%' || text[end..].contains(&format!("/{name}")) {
                format!("{{% {name}({args}) %}}…{{% end %}}")
            } else {
                format!("{{{{ {name}({args}) }}}}")
            }
        }
    };
    Err(format!(
        "Hugo shortcode `{call}`: ludd writes shortcodes as {ludd_form} (named arguments; `ludd import hugo` rewrites them), or escape it as {{{{</* … */>}}}} to show it as text"
    ))
}

/// The words of a Hugo shortcode call: white space separates them, quotes group them.
fn hugo_words(inner: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    for ch in inner.chars() {
        match (quote, ch) {
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            (None, '"' | '`') => quote = Some(ch),
            (Some(q), c) if c == q => quote = None,
            (_, c) => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// A value as a quoted shortcode string, unless it is a number or boolean.
fn quoted(v: &str) -> String {
    let v = v.trim_matches(['"', '`']);
    if v.parse::<f64>().is_ok() || v == "true" || v == "false" {
        v.to_string()
    } else {
        format!("\"{}\"", v.replace('"', "\\\""))
    }
}

/// Parses `key=value, …)` (the `(` is already consumed) up to and including the `)`.
fn parse_args(c: &mut Cursor<'_>, name: &str) -> Result<ShortcodeArgs, String> {
    let unterminated = || format!("unterminated shortcode `{name}`: missing `)`");
    let mut args = Vec::new();
    loop {
        c.skip_ws();
        if c.eat(b')') {
            return Ok(args);
        }
        if c.peek().is_none() {
            return Err(unterminated());
        }
        let Some(key) = c.ident() else {
            return Err(format!(
                "shortcode `{name}`: expected an argument name or `)`, found {}",
                c.found()
            ));
        };
        c.skip_ws();
        if !c.eat(b'=') {
            return Err(format!(
                "shortcode `{name}`: expected `=` after argument `{key}`, found {}",
                c.found()
            ));
        }
        c.skip_ws();
        let value = parse_value(c, name, key, true)?;
        args.push((key.to_owned(), value));
        c.skip_ws();
        if c.eat(b',') {
            continue;
        }
        if c.eat(b')') {
            return Ok(args);
        }
        if c.peek().is_none() {
            return Err(unterminated());
        }
        // Zola accepts arguments separated by white space alone: `f(a=1 b=2)`.
        if c.peek()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && c.text
                .as_bytes()
                .get(c.i.wrapping_sub(1))
                .is_some_and(u8::is_ascii_whitespace)
        {
            continue;
        }
        return Err(format!(
            "shortcode `{name}`: expected `,` or `)` after argument `{key}`, found {}",
            c.found()
        ));
    }
}

fn parse_value(
    c: &mut Cursor<'_>,
    name: &str,
    key: &str,
    allow_array: bool,
) -> Result<ShortcodeValue, String> {
    match c.peek() {
        Some(q @ (b'"' | b'\'')) => parse_string(c, q, name, key).map(ShortcodeValue::Str),
        Some(b'[') if allow_array => {
            c.i += 1;
            let mut items = Vec::new();
            loop {
                c.skip_ws();
                if c.eat(b']') {
                    return Ok(ShortcodeValue::Array(items));
                }
                items.push(parse_value(c, name, key, false)?);
                c.skip_ws();
                if c.eat(b',') {
                    continue;
                }
                if c.eat(b']') {
                    return Ok(ShortcodeValue::Array(items));
                }
                return Err(format!(
                    "shortcode `{name}`: expected `,` or `]` in the list for argument `{key}`, found {}",
                    c.found()
                ));
            }
        }
        Some(b'[') => Err(format!(
            "shortcode `{name}`: nested lists are not supported (argument `{key}`)"
        )),
        Some(b't' | b'f') => {
            let start = c.i;
            match c.ident() {
                Some("true") => Ok(ShortcodeValue::Bool(true)),
                Some("false") => Ok(ShortcodeValue::Bool(false)),
                _ => Err(format!(
                    "shortcode `{name}`: invalid value `{}` for argument `{key}` (strings need quotes)",
                    c.slice(start..c.i)
                )),
            }
        }
        Some(b'-' | b'+' | b'.' | b'0'..=b'9') => {
            let start = c.i;
            while c.peek().is_some_and(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-' | b'_')
            }) {
                c.i += 1;
            }
            let raw = c.slice(start..c.i);
            let clean: String = raw.chars().filter(|&ch| ch != '_').collect();
            let number = if clean.contains(['.', 'e', 'E']) {
                clean
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(ShortcodeValue::Float)
            } else {
                clean.parse::<i64>().ok().map(ShortcodeValue::Int)
            };
            number.ok_or_else(|| {
                format!("shortcode `{name}`: invalid number `{raw}` for argument `{key}`")
            })
        }
        None => Err(format!("unterminated shortcode `{name}`: missing `)`")),
        Some(_) => Err(format!(
            "shortcode `{name}`: invalid value for argument `{key}`, found {} (expected a string, number, boolean or list)",
            c.found()
        )),
    }
}

fn parse_string(c: &mut Cursor<'_>, quote: u8, name: &str, key: &str) -> Result<String, String> {
    c.i += 1;
    let mut out = String::new();
    let mut seg = c.i;
    loop {
        match c.peek() {
            None => {
                return Err(format!(
                    "shortcode `{name}`: unterminated string for argument `{key}`"
                ));
            }
            Some(b) if b == quote => {
                out.push_str(c.slice(seg..c.i));
                c.i += 1;
                return Ok(out);
            }
            Some(b'\\') => {
                out.push_str(c.slice(seg..c.i));
                c.i += 1;
                let escaped = match c.peek() {
                    Some(b'n') => '\n',
                    Some(b't') => '\t',
                    Some(b'r') => '\r',
                    Some(b'0') => '\0',
                    Some(b'\\') => '\\',
                    Some(b'"') => '"',
                    Some(b'\'') => '\'',
                    _ => {
                        return Err(format!(
                            "shortcode `{name}`: invalid escape `\\{}` in string for argument `{key}`",
                            c.text
                                .get(c.i..)
                                .and_then(|s| s.chars().next())
                                .unwrap_or(' ')
                        ));
                    }
                };
                out.push(escaped);
                c.i += 1;
                seg = c.i;
            }
            Some(_) => c.i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::markdown::tests::{TestHost, render_de, render_err};
    use ShortcodeValue::*;

    fn item(s: &str) -> Result<Item, String> {
        parse_item(s, 0)
    }

    fn call(s: &str) -> Call {
        match item(s) {
            Ok(Item::Inline { call, .. } | Item::Open { call, .. }) => call,
            other => panic!("{s:?}: {other:?}"),
        }
    }

    #[test]
    fn parses_all_value_kinds() {
        let c = call(
            r#"{{ name(key="v", n=1, neg=-7, x=1.5, e=2e3, flag=true, off=false, list=["a", 'b', 3], empty=[], s='it\'s "q"\n') }}"#,
        );
        assert_eq!(c.name, "name");
        assert_eq!(
            c.args,
            vec![
                ("key".to_owned(), Str("v".into())),
                ("n".to_owned(), Int(1)),
                ("neg".to_owned(), Int(-7)),
                ("x".to_owned(), Float(1.5)),
                ("e".to_owned(), Float(2000.0)),
                ("flag".to_owned(), Bool(true)),
                ("off".to_owned(), Bool(false)),
                (
                    "list".to_owned(),
                    Array(vec![Str("a".into()), Str("b".into()), Int(3)])
                ),
                ("empty".to_owned(), Array(vec![])),
                ("s".to_owned(), Str("it's \"q\"\n".into())),
            ]
        );
    }

    #[test]
    fn whitespace_and_multiline_args() {
        let c = call("{%note(\n  title = \"Ä ö\" ,\n  n=2,\n)%}");
        assert_eq!(c.name, "note");
        assert_eq!(
            c.args,
            vec![
                ("title".to_owned(), Str("Ä ö".into())),
                ("n".to_owned(), Int(2))
            ]
        );
        assert_eq!(call("{{ x() }}").args, vec![]);
    }

    #[test]
    fn not_calls_and_end_and_escape() {
        assert_eq!(item("{{ not a call }}"), Ok(Item::NotCall));
        assert_eq!(item("{{ 1 + 2 }}"), Ok(Item::NotCall));
        assert_eq!(item("{%raw%}"), Ok(Item::NotCall));
        assert_eq!(item("{% end %}x"), Ok(Item::End { end: 9 }));
        assert_eq!(
            item("{{/* yt(id=\"x\") */}}"),
            Ok(Item::Escape {
                literal: "{{ yt(id=\"x\") }}".into(),
                end: 20
            })
        );
        assert_eq!(
            item("{%/* note() */%}"),
            Ok(Item::Escape {
                literal: "{% note() %}".into(),
                end: 16
            })
        );
    }

    #[test]
    fn malformed_calls() {
        let err = |s: &str| item(s).unwrap_err();
        assert_eq!(
            err("{{ name("),
            "unterminated shortcode `name`: missing `)`"
        );
        assert_eq!(
            err("{{ name(a=\"x\""),
            "unterminated shortcode `name`: missing `)`"
        );
        assert_eq!(
            err("{{ name(bar) }}"),
            "shortcode `name`: expected `=` after argument `bar`, found `)`"
        );
        assert_eq!(
            err("{{ name(a=bar) }}"),
            "shortcode `name`: invalid value for argument `a`, found `b` (expected a string, number, boolean or list)"
        );
        assert_eq!(
            err("{{ name(a=tru) }}"),
            "shortcode `name`: invalid value `tru` for argument `a` (strings need quotes)"
        );
        assert_eq!(
            err("{{ name(a=\"x) }}"),
            "shortcode `name`: unterminated string for argument `a`"
        );
        assert_eq!(
            err("{{ name(a=1 2) }}"),
            "shortcode `name`: expected `,` or `)` after argument `a`, found `2`"
        );
        assert_eq!(
            err("{{ name(a=1) }"),
            "shortcode `name`: expected `}}` after the arguments, found `}`"
        );
        assert_eq!(
            err("{{ name(a=[[1]]) }}"),
            "shortcode `name`: nested lists are not supported (argument `a`)"
        );
        assert_eq!(
            err("{{ name(a=1.2.3) }}"),
            "shortcode `name`: invalid number `1.2.3` for argument `a`"
        );
        assert_eq!(
            err("{{ name(a=\"\\q\") }}"),
            "shortcode `name`: invalid escape `\\q` in string for argument `a`"
        );
        assert_eq!(
            err("{{/* x() "),
            "unterminated shortcode escape: `{{/*` without `*/}}`"
        );
    }

    #[test]
    fn prefix_is_absent_from_text() {
        assert_eq!(choose_prefix("plain"), "lUdDsC0q");
        assert_eq!(choose_prefix("lUdDsC0q lUdDsC1x lUdDsC02"), "lUdDsC3q");
        assert_eq!(
            strip_tokens("a lUdDsC0q12z b lUdDsC0q", "lUdDsC0q"),
            "a  b lUdDsC0q"
        );
    }

    #[test]
    fn inline_shortcodes() {
        let h = TestHost;
        let r = render_de(
            "Video: {{ yt(id=\"abc\") }} und {{ yt(id='def') }}.\n\n{{ yt(id=\"ghi\") }}\n",
            &h,
        );
        assert_eq!(
            r.html,
            "<p>Video: <iframe id=\"yt-1\" src=\"https://example.org/abc\"></iframe> und \
             <iframe id=\"yt-2\" src=\"https://example.org/def\"></iframe>.</p>\n\
             <iframe id=\"yt-3\" src=\"https://example.org/ghi\"></iframe>\n"
        );
        assert_eq!(r.ids, ["yt-1", "yt-2", "yt-3"]);
    }

    #[test]
    fn arguments_reach_the_host() {
        let h = TestHost;
        let r = render_de("{{ args(s=\"x\", n=2, f=0.5, b=false, l=[1, \"y\"]) }}", &h);
        assert_eq!(
            r.html,
            "1:[(\"s\", Str(\"x\")), (\"n\", Int(2)), (\"f\", Float(0.5)), (\"b\", Bool(false)), \
             (\"l\", Array([Int(1), Str(\"y\")]))]\n"
        );
    }

    #[test]
    fn block_shortcode_body_is_markdown() {
        let h = TestHost;
        let r = render_de(
            "Vorher.\n\n{% note(kind=\"info\") %}\n## Titel\n\nText mit *Betonung* und \"Zitat\".\n{% end %}\n\nNachher.\n",
            &h,
        );
        assert_eq!(
            r.html,
            "<p>Vorher.</p>\n<div class=\"note\"><h2 id=\"titel\">Titel</h2>\n\
             <p>Text mit <em>Betonung</em> und „Zitat“.</p>\n</div>\n<p>Nachher.</p>\n"
        );
        assert_eq!(r.ids, ["titel"]);
        assert!(r.toc.is_empty());
        assert_eq!(r.word_count, 8);
    }

    #[test]
    fn nested_block_shortcodes_and_shared_nth() {
        let h = TestHost;
        let r = render_de(
            "{% note() %}\nAußen {{ yt(id=\"a\") }}\n{% note() %}\nInnen {{ yt(id=\"b\") }}\n{% end %}\n{% end %}\n\n{{ yt(id=\"c\") }}\n",
            &h,
        );
        assert_eq!(
            r.html,
            "<div class=\"note\"><p>Außen <iframe id=\"yt-1\" src=\"https://example.org/a\"></iframe></p>\n\
             <div class=\"note\"><p>Innen <iframe id=\"yt-2\" src=\"https://example.org/b\"></iframe></p>\n</div>\n\
             </div>\n<iframe id=\"yt-3\" src=\"https://example.org/c\"></iframe>\n"
        );
        assert_eq!(r.ids, ["yt-1", "yt-2", "yt-3"]);
    }

    #[test]
    fn block_call_on_its_own_lines_is_a_block() {
        let h = TestHost;
        // Directly after a paragraph line: still its own block, and lines after it stay right.
        let r = render_de(
            "Text davor\n{% note() %}\nInnen\n{% end %}\nText danach [x](other.md)\n",
            &h,
        );
        assert_eq!(
            r.html,
            "<p>Text davor</p>\n<div class=\"note\"><p>Innen</p>\n</div>\n\
             <p>Text danach <a href=\"/de/other/\">x</a></p>\n"
        );
        assert_eq!(r.internal_links[0].line, 5);
        // Not alone on its line: stays inline in the paragraph.
        let r = render_de("Ein {% note() %}kurzer{% end %} Satz.\n", &h);
        assert_eq!(
            r.html,
            "<p>Ein <div class=\"note\"><p>kurzer</p>\n</div> Satz.</p>\n"
        );
        // Inside a list item (indented): keeps the list structure.
        let r = render_de("- Punkt\n  {% note() %}\n  x\n  {% end %}\n- Zwei\n", &h);
        assert_eq!(
            r.html,
            "<ul>\n<li>Punkt\n<div class=\"note\"><p>x</p>\n</div></li>\n<li>Zwei</li>\n</ul>\n"
        );
    }

    #[test]
    fn escapes_print_literally() {
        let h = TestHost;
        let r = render_de(
            "Schreibe {{/* yt(id=\"x\") */}} oder\n\n{%/* note() */%}\n",
            &h,
        );
        assert_eq!(
            r.html,
            "<p>Schreibe {{ yt(id=&quot;x&quot;) }} oder</p>\n<p>{% note() %}</p>\n"
        );
    }

    #[test]
    fn hugo_calls_are_errors_that_show_the_ludd_form() {
        let h = TestHost;
        let err = |text: &str| {
            let e = render_err(text, 1, &h);
            (e.line, e.problem.to_string())
        };
        let (line, message) = err("Text\n\n{{< youtube dQw4w9 >}}\n");
        assert_eq!(line, 3);
        assert!(
            message.contains("{{ youtube(arg1=\"dQw4w9\") }}"),
            "{message}"
        );
        let (_, message) = err("{{< figure src=\"a.png\" title=\"Ein Bild\" >}}");
        assert!(
            message.contains("{{ figure(src=\"a.png\", title=\"Ein Bild\") }}"),
            "{message}"
        );
        let (_, message) = err("{{% notice info %}}\nText\n{{% /notice %}}");
        assert!(
            message.contains("{% notice(arg1=\"info\") %}…{% end %}"),
            "{message}"
        );
        let (_, message) = err("{{< details summary=\"x\" >}}\nText\n{{< /details >}}");
        assert!(
            message.contains("{% details(summary=\"x\") %}…{% end %}"),
            "{message}"
        );
        // Hugo's own escape prints the call, in text and in code.
        let r = render_de(
            "Schreibe {{</* gist a b */>}}.\n\n```\n{{</* x */>}}\n```\n",
            &h,
        );
        assert_eq!(
            r.html,
            "<p>Schreibe {{&lt; gist a b &gt;}}.</p>\n<pre><code>{{&lt; x &gt;}}\n</code></pre>\n"
        );
        // In code, Hugo calls are text.
        let r = render_de("`{{< x >}}`\n", &h);
        assert_eq!(r.html, "<p><code>{{&lt; x &gt;}}</code></p>\n");
    }

    #[test]
    fn arguments_without_commas() {
        assert_eq!(
            call("{{ f(a=1 b=\"x\"\n  c=true) }}").args,
            vec![
                ("a".to_owned(), ShortcodeValue::Int(1)),
                ("b".to_owned(), ShortcodeValue::Str("x".to_owned())),
                ("c".to_owned(), ShortcodeValue::Bool(true)),
            ]
        );
        assert!(item("{{ f(a=1b=2) }}").is_err());
    }

    #[test]
    fn not_processed_in_code() {
        let h = TestHost;
        let r = render_de(
            "Inline `{{ yt(id=\"x\") }}` code.\n\n```\n{% note() %}\n{{ fail() }}\n```\n\n    {{ fail() }}\n\n`{{/* x() */}}`\n",
            &h,
        );
        assert_eq!(
            r.html,
            "<p>Inline <code>{{ yt(id=\"x\") }}</code> code.</p>\n\
             <pre><code>{% note() %}\n{{ fail() }}\n</code></pre>\n\
             <pre><code>{{ fail() }}\n</code></pre>\n<p><code>{{ x() }}</code></p>\n"
        );
    }

    #[test]
    fn code_inside_block_body_is_not_processed() {
        let h = TestHost;
        let r = render_de("{% note() %}\n`{% end %}`\n{% end %}\n", &h);
        assert_eq!(
            r.html,
            "<div class=\"note\"><p><code>{% end %}</code></p>\n</div>\n"
        );
    }

    #[test]
    fn non_calls_stay_text() {
        let h = TestHost;
        assert_eq!(
            render_de("Template {{ not a call }} and {% raw %} and {{{ x", &h).html,
            "<p>Template {{ not a call }} and {% raw %} and {{{ x</p>\n"
        );
    }

    #[test]
    fn shortcode_in_heading_and_link() {
        let h = TestHost;
        let r = render_de(
            "## Video {{ yt(id=\"h\") }} hier\n\n[Link]({{ url() }})\n",
            &h,
        );
        assert_eq!(
            r.html,
            "<h2 id=\"video-hier\">Video <iframe id=\"yt-1\" src=\"https://example.org/h\"></iframe> hier</h2>\n\
             <p><a href=\"/de/url/\">Link</a></p>\n"
        );
        assert_eq!(r.toc[0].title, "Video  hier");
    }

    #[test]
    fn errors_with_lines() {
        let h = TestHost;
        let e = render_err("a\n\nb {{ nope() }}\n", 10, &h);
        assert_eq!(e.line, 12);
        assert_eq!(
            e.problem.to_string(),
            "shortcode `nope`: unknown shortcode `nope`"
        );
        assert_eq!(
            e.to_string(),
            "line 12: shortcode `nope`: unknown shortcode `nope`"
        );

        let e = render_err("x\n{{ yt(\n", 1, &h);
        assert_eq!(
            (e.line, e.problem.to_string().as_str()),
            (2, "unterminated shortcode `yt`: missing `)`")
        );

        let e = render_err("x\n\n{% note() %}\nbody\n", 3, &h);
        assert_eq!(
            (e.line, e.problem.to_string().as_str()),
            (5, "block shortcode `note` is not closed with `{% end %}`")
        );

        let e = render_err("x\n{% end %}\n", 1, &h);
        assert_eq!(
            (e.line, e.problem.to_string().as_str()),
            (2, "`{% end %}` without an open block shortcode")
        );

        let e = render_err("{% note() %}\nok\n\n{{ fail() }}\n{% end %}\n", 1, &h);
        assert_eq!(
            (e.line, e.problem.to_string().as_str()),
            (4, "shortcode `fail`: boom")
        );

        let e = render_err(
            "{% note() %}\nok\n{% end %}\n{% fail() %}\nx\n{% end %}",
            1,
            &h,
        );
        assert_eq!(
            (e.line, e.problem.to_string().as_str()),
            (4, "shortcode `fail`: boom")
        );

        let e = render_err("\n{{ yt(a=1 2) }}", 1, &h);
        assert_eq!(e.line, 2);
        assert!(
            e.problem.to_string().contains("expected `,` or `)`"),
            "{}",
            e.problem
        );
    }

    #[test]
    fn nesting_limit() {
        let h = TestHost;
        let deep = "{% note() %}\n".repeat(MAX_DEPTH + 1) + &"{% end %}\n".repeat(MAX_DEPTH + 1);
        let e = render_err(&deep, 1, &h);
        assert_eq!(e.line, MAX_DEPTH + 1);
        assert!(
            e.problem.to_string().contains("nested more than"),
            "{}",
            e.problem
        );
        let ok = "{% note() %}\n".repeat(MAX_DEPTH) + "x\n" + &"{% end %}\n".repeat(MAX_DEPTH);
        assert!(render_de(&ok, &h).html.contains("<p>x</p>"));
    }

    #[test]
    fn links_in_bodies_keep_real_lines() {
        let h = TestHost;
        let r = render_de(
            "[a](@/blog/post.md)\n\n{% note() %}\n\n[b](other.md)\n{% end %}\n\n[c](#anker)\n",
            &h,
        );
        let lines: Vec<(usize, &str)> = r
            .internal_links
            .iter()
            .map(|l| (l.line, l.target.as_str()))
            .collect();
        assert_eq!(lines, [(1, "@/blog/post.md"), (5, "other.md"), (8, "")]);
    }
}
