//! Markdown rendering for ludd: the public API ([`render`], [`slugify`], [`MarkdownHost`], the
//! result types) and the single event pass that drives pulldown-cmark.
//!
//! Pipeline of [`render`]:
//! 1. `shortcodes::preprocess` replaces shortcode calls by placeholder tokens (only when the text
//!    contains `{{` or `{%`; otherwise the text is used as is, at no cost).
//! 2. One pulldown-cmark pass with offsets; the events stream through [`Pass`], which resolves
//!    internal links, gives headings ids and collects the toc, rewrites quotes, turns alerts into
//!    `<div>`s, renders footnote references and collects footnote definitions, counts words,
//!    records ids, and notes where a top-level `<!-- more -->` line is. pulldown-cmark's own HTML
//!    writer writes the transformed events; the summary is the HTML written before the marker.
//! 3. In safe mode (`markdown.safe`), the HTML is sanitised (`sanitize`); shortcode output, which
//!    comes from trusted templates, is not.
//! 4. Placeholder tokens in the HTML are replaced by the shortcode output.
//!
//! Everything is linear in the input and iterative; the only recursion is rendering block
//! shortcode bodies, capped by `shortcodes::MAX_DEPTH`.

mod alerts;
mod footnotes;
mod headings;
mod sanitize;
mod shortcodes;

mod typography;
pub use typography::smarten_plain;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, OffsetIter, Options, Parser, Tag, TagEnd};

pub use crate::slug::slugify;

use footnotes::Footnotes;
use headings::{HeadingBuf, IdSet, TocBuilder};
use shortcodes::{Preprocessed, Shared};
use typography::Typographer;

/// Options for one rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkdownOptions<'a> {
    /// BCP47-ish language code: "de", "en", "fr", "ar", ….
    pub lang: &'a str,
    /// Typographic quotes/dashes/ellipsis.
    pub smart_punctuation: bool,
    /// Sanitise the HTML (raw HTML from the author) before shortcode output is put in.
    pub safe: bool,
}

/// Implemented by the generator. All methods are pure lookups.
pub trait MarkdownHost {
    /// Resolve an internal link target: either "@/path/to/file.md" (relative to content/) or a
    /// relative link like "../artikel.md" / "other.md" (relative to the current file). The target
    /// is passed WITHOUT its "#fragment". Returns the root-relative URL ("/en/article/") or an
    /// error message (e.g. "no content file `x.md`").
    fn resolve_link(&self, target: &str) -> Result<String, String>;
    /// Render shortcode `name` with its args and optional body (already rendered to HTML).
    /// `nth` counts uses of this shortcode name in this document, from 1.
    fn render_shortcode(
        &self,
        name: &str,
        args: &ShortcodeArgs,
        body: Option<&str>,
        nth: usize,
    ) -> Result<String, String>;
    /// A UI string for the current language (e.g. "alert.note", "footnote.back").
    fn ui_string(&self, key: &str) -> String;
}

/// The result of [`render`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RenderedMarkdown {
    /// The body's HTML.
    pub html: String,
    /// HTML before a `<!-- more -->` line, if present.
    pub summary_html: Option<String>,
    /// Nested by level.
    pub toc: Vec<TocEntry>,
    /// Every id attribute emitted (headings, footnotes, and ids found in shortcode output and raw
    /// HTML).
    pub ids: Vec<String>,
    /// Every `@/` or relative `.md` link, and every same-page `#anchor` link, in order.
    pub internal_links: Vec<InternalLink>,
    /// Plain text of the first heading (any level), for title fallback.
    pub first_heading: Option<String>,
    /// Words in the body (for reading time and word counts).
    pub word_count: usize,
    /// The `src` of every Markdown image (`![alt](src)`), in order; raw HTML `<img>` tags are
    /// not listed.
    pub images: Vec<String>,
}

/// One heading in the table of contents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TocEntry {
    /// Heading level, 1 to 6.
    pub level: u32,
    /// The heading's id (the link target).
    pub id: String,
    /// The heading's plain text.
    pub title: String,
    /// The headings nested below it.
    pub children: Vec<TocEntry>,
}

/// An internal link. For a same-page `#anchor` link, `target` and `url` are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InternalLink {
    /// As written, without fragment.
    pub target: String,
    /// `#fragment`, without the `#`.
    pub fragment: Option<String>,
    /// Resolved, without fragment.
    pub url: String,
    /// 1-based line in the source file.
    pub line: usize,
}

/// A shortcode argument value.
#[derive(Debug, Clone, PartialEq)]
pub enum ShortcodeValue {
    /// `"text"`.
    Str(String),
    /// `12`.
    Int(i64),
    /// `1.5`.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `[1, "a"]`.
    Array(Vec<ShortcodeValue>),
}

/// Shortcode arguments in call order.
pub type ShortcodeArgs = Vec<(String, ShortcodeValue)>;

/// A rendering error at a line of the source file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct MarkdownError {
    /// The 1-based line of the source file.
    pub line: usize,
    /// What is wrong there.
    pub problem: MarkdownProblem,
}

/// What can be wrong in a Markdown body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkdownProblem {
    /// An internal link whose target does not resolve.
    #[error("broken link `{target}`: {reason}")]
    BrokenLink {
        /// The link as written (`@/a.md`, `../b.md`).
        target: String,
        /// Why it does not resolve.
        reason: String,
    },
    /// A shortcode call that cannot be parsed.
    #[error("{0}")]
    ShortcodeSyntax(String),
    /// A shortcode that is unknown or whose template failed.
    #[error("shortcode `{name}`: {reason}")]
    ShortcodeFailed {
        /// The shortcode's name.
        name: String,
        /// The host's explanation.
        reason: String,
    },
    /// Block shortcodes nested deeper than [`shortcodes::MAX_DEPTH`].
    #[error("block shortcodes are nested more than {max} levels deep")]
    ShortcodesTooDeep {
        /// The limit.
        max: usize,
    },
    /// `{% end %}` with no open block shortcode.
    #[error("`{{% end %}}` without an open block shortcode")]
    UnmatchedEnd,
    /// A block shortcode without its `{% end %}`.
    #[error("block shortcode `{name}` is not closed with `{{% end %}}`")]
    UnclosedBlock {
        /// The shortcode's name.
        name: String,
    },
    /// Safe mode cannot sanitise text nested this deep.
    #[error(
        "the text is nested more than {max} levels deep (block quotes, lists or HTML elements), \
         which markdown.safe cannot sanitise"
    )]
    TooDeepToSanitize {
        /// The limit ([`sanitize::MAX_NESTING`]).
        max: usize,
    },
    /// `markdown.safe` in a ludd built without the `safe-html` feature.
    #[error("this ludd was built without the `safe-html` feature, which markdown.safe needs")]
    SanitizerMissing,
}

impl MarkdownProblem {
    /// What the author can do about it.
    pub fn help(&self) -> &'static str {
        match self {
            MarkdownProblem::BrokenLink { .. } => {
                "link to an existing file with @/path/from/content.md, or fix the relative path"
            }
            MarkdownProblem::ShortcodeSyntax(_)
            | MarkdownProblem::ShortcodeFailed { .. }
            | MarkdownProblem::ShortcodesTooDeep { .. }
            | MarkdownProblem::UnmatchedEnd
            | MarkdownProblem::UnclosedBlock { .. } => {
                "check the shortcode's name and arguments: {{ name(key=\"value\") }} or {% name() %}…{% end %}"
            }
            MarkdownProblem::TooDeepToSanitize { .. } => {
                "nest block quotes, lists and HTML elements less deeply"
            }
            MarkdownProblem::SanitizerMissing => {
                "build ludd with its default features, or remove markdown.safe from site.toml"
            }
        }
    }
}

/// Renders Markdown to HTML.
///
/// `first_line` is the 1-based line number in the source file of the first line of `text`
/// (front matter precedes it), so every error and InternalLink.line is a line of the real file.
pub fn render(
    text: &str,
    first_line: usize,
    options: &MarkdownOptions,
    host: &dyn MarkdownHost,
) -> Result<RenderedMarkdown, MarkdownError> {
    render_inner(text, first_line, options, host, &mut Shared::default())
}

/// [`render`] with the state shared with block shortcode bodies.
fn render_inner(
    text: &str,
    first_line: usize,
    options: &MarkdownOptions,
    host: &dyn MarkdownHost,
    shared: &mut Shared,
) -> Result<RenderedMarkdown, MarkdownError> {
    let pre = shortcodes::preprocess(text, first_line, options, host, shared)?;
    let mut result = run_pass(&pre, first_line, options, host)?;
    if !pre.body_links.is_empty() {
        result.internal_links.extend(pre.body_links);
        // Stable: links of one line keep their relative order.
        result.internal_links.sort_by_key(|l| l.line);
    }
    result.word_count += pre.body_words;
    Ok(result)
}

/// The pulldown-cmark options used for every pass (also by the benchmark's floor,
/// `examples/floor.rs`).
pub fn parser_options(smart_punctuation: bool) -> Options {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM;
    if smart_punctuation {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    options
}

fn run_pass(
    pre: &Preprocessed<'_>,
    first_line: usize,
    options: &MarkdownOptions,
    host: &dyn MarkdownHost,
) -> Result<RenderedMarkdown, MarkdownError> {
    let src: &str = &pre.text;
    let sink = RefCell::new(String::with_capacity(src.len() + src.len() / 2 + 64));
    let parser = Parser::new_ext(src, parser_options(options.smart_punctuation));
    let typo = if options.smart_punctuation {
        typography::quotes_for_lang(options.lang).map(Typographer::new)
    } else {
        None
    };
    let mut pass = Pass {
        parser: parser.into_offset_iter(),
        src,
        host,
        token_prefix: &pre.tokens.prefix,
        lines: LineMap {
            text: src,
            first_line,
            newlines: None,
            adjust: &pre.line_adjust,
        },
        input: VecDeque::new(),
        out: VecDeque::new(),
        probe: None,
        skip_probe: false,
        next_alert_title: None,
        quote_stack: Vec::new(),
        heading: None,
        footnote_stack: Vec::new(),
        footnotes: Footnotes::default(),
        typo,
        in_code_block: false,
        depth: 0,
        top_html_block: false,
        html_block_lines: 0,
        held_marker: None,
        words: WordCounter::default(),
        id_set: IdSet::for_lang(options.lang),
        toc: TocBuilder::default(),
        ids: Vec::new(),
        links: Vec::new(),
        images: Vec::new(),
        first_heading: None,
        error: None,
        finished: false,
        yielded: 0,
        cut_at: None,
        cut_len: None,
        sink: &sink,
    };
    // The writer cannot fail (SinkWriter only fails on a RefCell conflict, which cannot happen);
    // a stop caused by an error is reported through `pass.error`.
    let _ = pulldown_cmark::html::write_html_fmt(SinkWriter(&sink), &mut pass);
    if let Some(error) = pass.error.take() {
        return Err(error);
    }
    let Pass {
        toc,
        mut ids,
        links,
        images,
        first_heading,
        words,
        cut_len,
        ..
    } = pass;
    let html = sink.into_inner();
    let summary = cut_len.map(|n| html.get(..n).unwrap_or(&html).to_owned());
    let (html, summary) = if options.safe {
        let unsafe_html = |problem| MarkdownError {
            line: first_line,
            problem,
        };
        let summary = summary
            .as_deref()
            .map(sanitize::sanitize)
            .transpose()
            .map_err(unsafe_html)?;
        let html = sanitize::sanitize(&html).map_err(unsafe_html)?;
        // Ids on elements the sanitiser removed are gone: links to them must fail the check.
        let mut kept = Vec::new();
        scan_ids(&html, &mut kept);
        let kept: std::collections::HashSet<String> = kept.into_iter().collect();
        ids.retain(|id| kept.contains(id));
        (html, summary)
    } else {
        (html, summary)
    };
    let (html, summary_html) = if pre.tokens.prefix.is_empty() {
        (html, summary)
    } else {
        let full = shortcodes::substitute(&html, &pre.tokens, Some(&mut ids));
        let summary = summary.map(|s| shortcodes::substitute(&s, &pre.tokens, None));
        (full, summary)
    };
    Ok(RenderedMarkdown {
        html,
        summary_html,
        toc: toc.finish(),
        ids,
        internal_links: links,
        first_heading,
        word_count: words.count,
        images,
    })
}

/// `fmt::Write` into the shared output buffer, so the pass can see how much has been written.
struct SinkWriter<'s>(&'s RefCell<String>);

impl fmt::Write for SinkWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let s = cell_alignment_class(s).unwrap_or(s);
        self.0.try_borrow_mut().map_err(|_| fmt::Error)?.push_str(s);
        Ok(())
    }
}

/// pulldown-cmark aligns table cells with a `style` attribute, written as one piece; a strict
/// Content-Security-Policy (see `render::hosting`) ignores style attributes, so cells get an
/// `align-left`, `align-center` or `align-right` class for the theme to style instead.
fn cell_alignment_class(piece: &str) -> Option<&'static str> {
    match piece {
        " style=\"text-align: left\">" => Some(" class=\"align-left\">"),
        " style=\"text-align: center\">" => Some(" class=\"align-center\">"),
        " style=\"text-align: right\">" => Some(" class=\"align-right\">"),
        _ => None,
    }
}

/// Maps byte offsets of the (preprocessed) text to lines of the source file.
struct LineMap<'a> {
    text: &'a str,
    first_line: usize,
    /// Offsets of `\n` in `text`, built on first use.
    newlines: Option<Vec<usize>>,
    adjust: &'a [(usize, isize)],
}

impl LineMap<'_> {
    fn line(&mut self, offset: usize) -> usize {
        let text = self.text;
        let newlines = self.newlines.get_or_insert_with(|| {
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect()
        });
        let before = newlines.partition_point(|&p| p < offset);
        let delta = match self.adjust.partition_point(|&(o, _)| o <= offset) {
            0 => 0,
            k => self.adjust.get(k - 1).map_or(0, |&(_, d)| d),
        };
        (self.first_line + before).saturating_add_signed(delta)
    }
}

/// Counts whitespace-separated words across Text events (a word may span several events).
#[derive(Debug, Default)]
struct WordCounter {
    count: usize,
    in_word: bool,
}

impl WordCounter {
    fn feed(&mut self, s: &str) {
        // A word starts at every non-space byte that follows a space. Bytes up to 0x20 (ASCII
        // space and controls) are spaces; every byte of a multi-byte character is > 0x7f, so a
        // character is never split. Counting pairs of neighbours has no loop-carried state, so
        // the compiler vectorises it.
        let bytes = s.as_bytes();
        let Some((&first, _)) = bytes.split_first() else {
            return;
        };
        let starts: usize = bytes
            .iter()
            .zip(&bytes[1..])
            .map(|(&a, &b)| usize::from((a <= b' ') & (b > b' ')))
            .sum();
        self.count += starts + usize::from(!self.in_word && first > b' ');
        self.in_word = bytes.last().is_some_and(|&b| b > b' ');
    }

    fn brk(&mut self) {
        self.in_word = false;
    }
}

/// How a link destination is treated.
enum LinkKind {
    Other,
    Anchor(String),
    Internal {
        target: String,
        fragment: Option<String>,
    },
}

fn classify_link(dest: &str) -> LinkKind {
    if let Some(fragment) = dest.strip_prefix('#') {
        return if fragment.is_empty() {
            LinkKind::Other
        } else {
            LinkKind::Anchor(fragment.to_owned())
        };
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((p, f)) => (p, (!f.is_empty()).then(|| f.to_owned())),
        None => (dest, None),
    };
    let internal = path.starts_with("@/")
        || (!path.starts_with('/') && !has_scheme(path) && path.ends_with(".md"));
    if internal {
        LinkKind::Internal {
            target: path.to_owned(),
            fragment,
        }
    } else {
        LinkKind::Other
    }
}

/// `scheme:` as in RFC 3986: a letter followed by letters, digits, `+`, `-`, `.`.
fn has_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Appends the non-empty `id` attribute values of the start tags in `html` (a fragment of
/// raw HTML, or a whole rendered body) to `ids`, entities decoded, as lol_html's tokenizer
/// reads them.
pub(crate) fn scan_ids(html: &str, ids: &mut Vec<String>) {
    // Most raw HTML (`<br>`, `</span>`) has no id at all: skip the parser then.
    if !html
        .as_bytes()
        .windows(2)
        .any(|w| w.eq_ignore_ascii_case(b"id"))
    {
        return;
    }
    let found = RefCell::new(Vec::new());
    let mut rewriter = lol_html::HtmlRewriter::new(
        lol_html::Settings {
            element_content_handlers: vec![lol_html::element!("[id]", |el| {
                if let Some(id) = el.get_attribute("id").filter(|id| !id.is_empty()) {
                    found
                        .borrow_mut()
                        .push(html_escape::decode_html_entities(&id).into_owned());
                }
                Ok(())
            })],
            ..lol_html::Settings::new()
        },
        |_: &[u8]| {},
    );
    // Malformed HTML still yields the ids read before the problem.
    if rewriter.write(html.as_bytes()).is_ok() {
        let _ = rewriter.end();
    } else {
        drop(rewriter);
    }
    ids.append(&mut found.into_inner());
}

fn is_more_marker(html: &str) -> bool {
    html.trim()
        .strip_prefix("<!--")
        .and_then(|s| s.strip_suffix("-->"))
        .is_some_and(|s| s.trim() == "more")
}

/// Inline (span-level) tags; everything else is a block boundary for quotes and word counting.
fn is_inline_end(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// The event pass: an iterator adapter between pulldown-cmark's parser and its HTML writer.
struct Pass<'a> {
    parser: OffsetIter<'a>,
    src: &'a str,
    host: &'a dyn MarkdownHost,
    token_prefix: &'a str,
    lines: LineMap<'a>,
    /// Events to process before pulling more from the parser (replays from the alert probe).
    input: VecDeque<(Event<'a>, Range<usize>)>,
    /// Transformed events ready for the writer.
    out: VecDeque<Event<'a>>,
    probe: Option<alerts::Probe<'a>>,
    /// The next `BlockQuote(None)` is a replay and must not be probed again.
    skip_probe: bool,
    next_alert_title: Option<String>,
    /// Per open block quote: was it turned into an alert?
    quote_stack: Vec<bool>,
    heading: Option<HeadingBuf<'a>>,
    footnote_stack: Vec<(CowStr<'a>, Vec<Event<'a>>)>,
    footnotes: Footnotes<'a>,
    typo: Option<Typographer>,
    in_code_block: bool,
    depth: usize,
    top_html_block: bool,
    html_block_lines: usize,
    held_marker: Option<Event<'a>>,
    words: WordCounter,
    id_set: IdSet,
    toc: TocBuilder,
    ids: Vec<String>,
    links: Vec<InternalLink>,
    images: Vec<String>,
    first_heading: Option<String>,
    error: Option<MarkdownError>,
    finished: bool,
    /// Events handed to the writer so far.
    yielded: usize,
    /// The summary ends after this many events have been written.
    cut_at: Option<usize>,
    /// Length of the HTML at the summary cut.
    cut_len: Option<usize>,
    sink: &'a RefCell<String>,
}

impl<'a> Iterator for Pass<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if self.cut_len.is_none() && self.cut_at == Some(self.yielded) {
                self.cut_len = self.sink.try_borrow().ok().map(|s| s.len());
            }
            if self.error.is_some() {
                return None;
            }
            if let Some(ev) = self.out.pop_front() {
                self.yielded += 1;
                return Some(ev);
            }
            if self.finished {
                return None;
            }
            match self.input.pop_front().or_else(|| self.parser.next()) {
                Some((ev, range)) => self.dispatch(ev, range),
                None => match self.probe.take() {
                    Some(probe) => self.replay(probe.into_events()),
                    None => {
                        self.finish();
                        self.finished = true;
                    }
                },
            }
        }
    }
}

impl<'a> Pass<'a> {
    fn dispatch(&mut self, ev: Event<'a>, range: Range<usize>) {
        if let Some(probe) = self.probe.as_mut() {
            match probe.feed(ev, range) {
                alerts::Step::Continue => {}
                alerts::Step::Fail(events) => {
                    self.probe = None;
                    self.replay(events);
                }
                alerts::Step::Match(m) => {
                    self.probe = None;
                    self.apply_alert(m);
                }
            }
            return;
        }
        if matches!(ev, Event::Start(Tag::BlockQuote(None))) {
            if self.skip_probe {
                self.skip_probe = false;
            } else {
                self.probe = Some(alerts::Probe::new(ev, range));
                return;
            }
        }
        self.handle(ev, range);
    }

    /// Puts events back in front of the input; the first is a block quote not to be re-probed.
    fn replay(&mut self, events: Vec<(Event<'a>, Range<usize>)>) {
        self.skip_probe = true;
        for item in events.into_iter().rev() {
            self.input.push_front(item);
        }
    }

    fn apply_alert(&mut self, m: alerts::AlertMatch<'a>) {
        if let Some(t) = self.typo.as_mut() {
            t.reset();
        }
        let mut title = m.title_prefix;
        for (ev, range) in &m.title_events {
            if let Event::Text(t) | Event::Code(t) = ev {
                let converted = match (ev, self.typo.as_mut()) {
                    (Event::Text(_), Some(typo)) => typo.convert(t, self.src, range),
                    _ => None,
                };
                title.push_str(converted.unwrap_or(t));
            }
        }
        self.words.brk();
        self.words.feed(&title);
        self.words.brk();
        self.next_alert_title = Some(title.trim().to_owned());
        if let Some(para) = m.paragraph {
            self.input.push_front((Event::Start(Tag::Paragraph), para));
        }
        self.input
            .push_front((Event::Start(Tag::BlockQuote(Some(m.kind))), m.quote_range));
    }

    /// Routes an output event to the innermost open buffer, or to the writer.
    fn emit(&mut self, ev: Event<'a>) {
        if let Some(h) = self.heading.as_mut() {
            h.events.push(ev);
        } else if let Some((_, events)) = self.footnote_stack.last_mut() {
            events.push(ev);
        } else {
            self.out.push_back(ev);
        }
    }

    fn fail(&mut self, line: usize, problem: MarkdownProblem) {
        if self.error.is_none() {
            self.error = Some(MarkdownError { line, problem });
        }
    }

    fn block_boundary(&mut self) {
        self.words.brk();
        if let Some(t) = self.typo.as_mut() {
            t.reset();
        }
    }

    fn handle(&mut self, ev: Event<'a>, range: Range<usize>) {
        if let Some(marker) = self.held_marker.take() {
            if matches!(ev, Event::End(TagEnd::HtmlBlock)) {
                // `<!-- more -->` alone in a top-level HTML block: the summary ends here.
                self.cut_at = Some(self.yielded + self.out.len());
            } else {
                self.emit(marker);
            }
        }
        match ev {
            Event::Start(tag) => {
                self.depth += 1;
                self.start(tag, range);
            }
            Event::End(end) => {
                self.depth = self.depth.saturating_sub(1);
                self.end(end);
            }
            Event::Text(t) => self.text(t, range),
            Event::Code(t) => {
                self.count_words(&t);
                if let Some(h) = self.heading.as_mut() {
                    h.text.push_str(&t);
                }
                self.emit(Event::Code(t));
            }
            Event::Html(h) => self.raw_html(h, true),
            Event::InlineHtml(h) => self.raw_html(h, false),
            Event::FootnoteReference(label) => {
                let html = self.footnotes.reference(&label, &mut self.ids);
                self.emit(Event::InlineHtml(html.into()));
            }
            Event::SoftBreak | Event::HardBreak => {
                self.words.brk();
                if let Some(h) = self.heading.as_mut() {
                    h.text.push(' ');
                }
                self.emit(ev);
            }
            other => self.emit(other),
        }
    }

    fn count_words(&mut self, text: &str) {
        if !self.token_prefix.is_empty() && text.contains(self.token_prefix) {
            self.words
                .feed(&shortcodes::strip_tokens(text, self.token_prefix));
        } else {
            self.words.feed(text);
        }
    }

    fn text(&mut self, t: CowStr<'a>, range: Range<usize>) {
        self.count_words(&t);
        if self.in_code_block {
            self.emit(Event::Text(t));
            return;
        }
        let t = match self.typo.as_mut() {
            Some(typo) => match typo.convert(&t, self.src, &range) {
                Some(q) => CowStr::Borrowed(q),
                None => t,
            },
            None => t,
        };
        if let Some(h) = self.heading.as_mut() {
            h.text.push_str(&t);
        }
        self.emit(Event::Text(t));
    }

    fn raw_html(&mut self, h: CowStr<'a>, block: bool) {
        scan_ids(&h, &mut self.ids);
        if block && self.top_html_block && self.depth == 1 {
            self.html_block_lines += 1;
            if self.html_block_lines == 1 && self.cut_at.is_none() && is_more_marker(&h) {
                self.held_marker = Some(Event::Html(h));
                return;
            }
        }
        self.emit(if block {
            Event::Html(h)
        } else {
            Event::InlineHtml(h)
        });
    }

    fn start(&mut self, tag: Tag<'a>, range: Range<usize>) {
        match tag {
            Tag::Heading {
                level: _,
                id,
                classes,
                attrs,
            } => {
                self.block_boundary();
                self.heading = Some(HeadingBuf {
                    id,
                    classes,
                    attrs,
                    events: Vec::new(),
                    text: String::new(),
                });
            }
            Tag::BlockQuote(kind) => {
                self.block_boundary();
                match kind {
                    Some(kind) => {
                        self.quote_stack.push(true);
                        let title = match self.next_alert_title.take() {
                            Some(t) if !t.is_empty() => t,
                            _ => self
                                .host
                                .ui_string(&format!("alert.{}", alerts::kind_name(kind))),
                        };
                        self.emit(Event::Html(alerts::open_html(kind, &title).into()));
                    }
                    None => {
                        self.quote_stack.push(false);
                        self.emit(Event::Start(Tag::BlockQuote(None)));
                    }
                }
            }
            Tag::CodeBlock(kind) => {
                self.block_boundary();
                self.in_code_block = true;
                self.emit(Event::Start(Tag::CodeBlock(kind)));
            }
            Tag::FootnoteDefinition(label) => {
                self.block_boundary();
                self.footnote_stack.push((label, Vec::new()));
            }
            Tag::HtmlBlock => {
                self.block_boundary();
                if self.depth == 1 {
                    self.top_html_block = true;
                    self.html_block_lines = 0;
                }
                self.emit(Event::Start(Tag::HtmlBlock));
            }
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            } => self.link(link_type, dest_url, title, id, range),
            Tag::Image { ref dest_url, .. } => {
                self.images.push(dest_url.to_string());
                self.emit(Event::Start(tag));
            }
            other @ (Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript) => self.emit(Event::Start(other)),
            other => {
                self.block_boundary();
                self.emit(Event::Start(other));
            }
        }
    }

    fn end(&mut self, end: TagEnd) {
        if !is_inline_end(&end) {
            self.block_boundary();
        }
        match end {
            TagEnd::Heading(level) => {
                let Some(h) = self.heading.take() else {
                    self.emit(Event::End(end));
                    return;
                };
                let text = if self.token_prefix.is_empty() {
                    h.text
                } else {
                    shortcodes::strip_tokens(&h.text, self.token_prefix)
                };
                let text = text.trim().to_owned();
                let id = self.id_set.heading_id(h.id.as_deref(), &text);
                self.ids.push(id.clone());
                self.toc
                    .push(headings::level_number(level), id.clone(), text.clone());
                if self.first_heading.is_none() {
                    self.first_heading = Some(text);
                }
                self.emit(Event::Start(Tag::Heading {
                    level,
                    id: Some(id.into()),
                    classes: h.classes,
                    attrs: h.attrs,
                }));
                for ev in h.events {
                    self.emit(ev);
                }
                self.emit(Event::End(end));
            }
            TagEnd::BlockQuote(kind) => {
                if self.quote_stack.pop() == Some(true) {
                    self.emit(Event::Html(CowStr::Borrowed(alerts::CLOSE_HTML)));
                } else {
                    self.emit(Event::End(TagEnd::BlockQuote(kind)));
                }
            }
            TagEnd::CodeBlock => {
                self.in_code_block = false;
                self.emit(Event::End(end));
            }
            TagEnd::FootnoteDefinition => {
                if let Some((label, events)) = self.footnote_stack.pop() {
                    self.footnotes.define(&label, events);
                }
            }
            TagEnd::HtmlBlock => {
                if self.depth == 0 {
                    self.top_html_block = false;
                }
                self.emit(Event::End(end));
            }
            other => self.emit(Event::End(other)),
        }
    }

    fn link(
        &mut self,
        link_type: LinkType,
        dest_url: CowStr<'a>,
        title: CowStr<'a>,
        id: CowStr<'a>,
        range: Range<usize>,
    ) {
        let kind = match link_type {
            LinkType::Email | LinkType::Autolink => LinkKind::Other,
            _ => classify_link(&dest_url),
        };
        let dest_url = match kind {
            LinkKind::Other => dest_url,
            LinkKind::Anchor(fragment) => {
                let line = self.lines.line(range.start);
                self.links.push(InternalLink {
                    target: String::new(),
                    fragment: Some(fragment),
                    url: String::new(),
                    line,
                });
                dest_url
            }
            LinkKind::Internal { target, fragment } => {
                let line = self.lines.line(range.start);
                match self.host.resolve_link(&target) {
                    Ok(url) => {
                        let href = match &fragment {
                            Some(f) => format!("{url}#{f}"),
                            None => url.clone(),
                        };
                        self.links.push(InternalLink {
                            target,
                            fragment,
                            url,
                            line,
                        });
                        CowStr::from(href)
                    }
                    Err(e) => {
                        self.fail(
                            line,
                            MarkdownProblem::BrokenLink {
                                target: target.to_string(),
                                reason: e,
                            },
                        );
                        return;
                    }
                }
            }
        };
        self.emit(Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }));
    }

    /// End of input: flush buffers and emit the footnote section.
    fn finish(&mut self) {
        if let Some(marker) = self.held_marker.take() {
            self.emit(marker);
        }
        if let Some(h) = self.heading.take() {
            for ev in h.events {
                self.emit(ev);
            }
        }
        while let Some((label, events)) = self.footnote_stack.pop() {
            self.footnotes.define(&label, events);
        }
        let footnotes = std::mem::take(&mut self.footnotes);
        if footnotes.has_definitions() {
            let back = self.host.ui_string("footnote.back");
            let title = self.host.ui_string("footnote.title");
            let section = footnotes.section(&back, &title, &mut self.ids);
            self.out.extend(section);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A host with a few content files, shortcodes and German UI strings.
    #[derive(Debug, Default)]
    pub(crate) struct TestHost;

    impl MarkdownHost for TestHost {
        fn resolve_link(&self, target: &str) -> Result<String, String> {
            match target {
                "@/blog/post.md" => Ok("/de/blog/post/".to_owned()),
                "../artikel.md" | "@/artikel.md" => Ok("/de/artikel/".to_owned()),
                "other.md" | "./other.md" => Ok("/de/other/".to_owned()),
                _ => Err(format!(
                    "no content file `{}`",
                    target.strip_prefix("@/").unwrap_or(target)
                )),
            }
        }

        fn render_shortcode(
            &self,
            name: &str,
            args: &ShortcodeArgs,
            body: Option<&str>,
            nth: usize,
        ) -> Result<String, String> {
            let arg = |key: &str| {
                args.iter()
                    .find(|(k, _)| k == key)
                    .and_then(|(_, v)| match v {
                        ShortcodeValue::Str(s) => Some(s.clone()),
                        _ => None,
                    })
            };
            match name {
                "yt" => Ok(format!(
                    "<iframe id=\"yt-{nth}\" src=\"https://example.org/{}\"></iframe>",
                    arg("id").unwrap_or_default()
                )),
                "note" => Ok(format!("<div class=\"note\">{}</div>", body.unwrap_or(""))),
                "url" => Ok("/de/url/".to_owned()),
                "args" => Ok(format!("{nth}:{args:?}")),
                "fail" => Err("boom".to_owned()),
                _ => Err(format!("unknown shortcode `{name}`")),
            }
        }

        fn ui_string(&self, key: &str) -> String {
            match key {
                "alert.note" => "Hinweis",
                "alert.tip" => "Tipp",
                "alert.important" => "Wichtig",
                "alert.warning" => "Warnung",
                "alert.caution" => "Vorsicht",
                "footnote.back" => "Zurück zum Text",
                "footnote.title" => "Fußnoten",
                other => other,
            }
            .to_owned()
        }
    }

    pub(crate) fn opts(lang: &str) -> MarkdownOptions<'_> {
        MarkdownOptions {
            lang,
            smart_punctuation: true,
            safe: false,
        }
    }

    pub(crate) fn render_de(text: &str, host: &TestHost) -> RenderedMarkdown {
        match render(text, 1, &opts("de"), host) {
            Ok(r) => r,
            Err(e) => panic!("render failed: {e}"),
        }
    }

    pub(crate) fn html(text: &str, lang: &str, host: &TestHost) -> String {
        match render(text, 1, &opts(lang), host) {
            Ok(r) => r.html,
            Err(e) => panic!("render failed: {e}"),
        }
    }

    pub(crate) fn render_err(text: &str, first_line: usize, host: &TestHost) -> MarkdownError {
        match render(text, first_line, &opts("de"), host) {
            Ok(r) => panic!("expected an error, got {:?}", r.html),
            Err(e) => e,
        }
    }

    #[test]
    fn basic_markdown_features() {
        let h = TestHost;
        assert_eq!(
            html(
                "| a | b |\n|---|--:|\n| 1 | 2 |\n\n~~weg~~ **fett**\n\n- [ ] offen\n- [x] erledigt\n",
                "en",
                &h
            ),
            "<table><thead><tr><th>a</th><th class=\"align-right\">b</th></tr></thead><tbody>\n\
             <tr><td>1</td><td class=\"align-right\">2</td></tr>\n</tbody></table>\n\
             <p><del>weg</del> <strong>fett</strong></p>\n\
             <ul>\n<li><input disabled=\"\" type=\"checkbox\"/>\noffen</li>\n\
             <li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\nerledigt</li>\n</ul>\n"
        );
    }

    #[test]
    fn raw_html_passes_through_and_ids_are_collected() {
        let h = TestHost;
        let r = render_de(
            "<div id=\"box\" data-id=\"no\" class='x'>\n<span ID='inner'></span>\n</div>\n\nText <a id=anchor>hier</a>.\n",
            &h,
        );
        assert_eq!(
            r.html,
            "<div id=\"box\" data-id=\"no\" class='x'>\n<span ID='inner'></span>\n</div>\n\
             <p>Text <a id=anchor>hier</a>.</p>\n"
        );
        assert_eq!(r.ids, ["box", "inner", "anchor"]);
    }

    #[test]
    fn scan_ids_edge_cases() {
        let mut ids = Vec::new();
        scan_ids(
            "id=\"x\" <p id=\"\"> <b\tid='a b'> <i id=c/> <x grid=\"y\"> <u ID=caf&eacute;> <y id=\"unterminated",
            &mut ids,
        );
        // `<i id=c/>`: an unquoted value runs to white space or `>`, as browsers read it.
        assert_eq!(ids, ["a b", "c/", "café"]);
    }

    #[test]
    fn internal_links_resolved_with_lines() {
        let h = TestHost;
        let text = "Zeile 1\n\nZeile 3\n\n\n\nSiehe [Artikel](@/blog/post.md#teil-2) und [dort](../artikel.md).\n\n\
                    [anker](#oben) [extern](https://example.org/x.md) [abs](/x.md) [mail](mailto:a@b.md) \
                    [bild.md](bild.png) [leer](#)\n\n[ref]: other.md\n\nUnd [ref] als Referenz.\n";
        let r = render(text, 5, &opts("de"), &h).unwrap();
        assert_eq!(
            r.internal_links,
            vec![
                InternalLink {
                    target: "@/blog/post.md".into(),
                    fragment: Some("teil-2".into()),
                    url: "/de/blog/post/".into(),
                    line: 11,
                },
                InternalLink {
                    target: "../artikel.md".into(),
                    fragment: None,
                    url: "/de/artikel/".into(),
                    line: 11,
                },
                InternalLink {
                    target: String::new(),
                    fragment: Some("oben".into()),
                    url: String::new(),
                    line: 13,
                },
                InternalLink {
                    target: "other.md".into(),
                    fragment: None,
                    url: "/de/other/".into(),
                    line: 17,
                },
            ]
        );
        assert_eq!(
            r.html,
            "<p>Zeile 1</p>\n<p>Zeile 3</p>\n\
             <p>Siehe <a href=\"/de/blog/post/#teil-2\">Artikel</a> und <a href=\"/de/artikel/\">dort</a>.</p>\n\
             <p><a href=\"#oben\">anker</a> <a href=\"https://example.org/x.md\">extern</a> \
             <a href=\"/x.md\">abs</a> <a href=\"mailto:a@b.md\">mail</a> <a href=\"bild.png\">bild.md</a> \
             <a href=\"#\">leer</a></p>\n<p>Und <a href=\"/de/other/\">ref</a> als Referenz.</p>\n"
        );
    }

    #[test]
    fn each_problem_carries_its_own_help() {
        let broken = MarkdownProblem::BrokenLink {
            target: "@/x.md".into(),
            reason: "no content file `x.md`".into(),
        };
        assert!(broken.help().contains("@/path/from/content.md"));
        assert!(MarkdownProblem::UnmatchedEnd.help().contains("shortcode"));
        let deep = MarkdownProblem::TooDeepToSanitize { max: 1000 };
        assert!(deep.help().contains("less deeply"));
        assert!(deep.to_string().contains("more than 1000 levels"));
        assert!(
            MarkdownProblem::SanitizerMissing
                .help()
                .contains("default features")
        );
    }

    #[test]
    fn broken_link_is_an_error() {
        let h = TestHost;
        let e = render_err("Text\n\n[kaputt](@/gibt/es/nicht.md#x)\n", 20, &h);
        assert_eq!(
            e,
            MarkdownError {
                line: 22,
                problem: MarkdownProblem::BrokenLink {
                    target: "@/gibt/es/nicht.md".into(),
                    reason: "no content file `gibt/es/nicht.md`".into()
                }
            }
        );
        let e = render_err("[a](weg.md)", 1, &h);
        assert_eq!(
            e.to_string(),
            "line 1: broken link `weg.md`: no content file `weg.md`"
        );
    }

    #[test]
    fn link_classification() {
        assert!(matches!(classify_link("#x"), LinkKind::Anchor(f) if f == "x"));
        assert!(matches!(classify_link("#"), LinkKind::Other));
        assert!(matches!(classify_link("a.md"), LinkKind::Internal { .. }));
        assert!(matches!(
            classify_link("a.md#"),
            LinkKind::Internal { fragment: None, .. }
        ));
        assert!(matches!(classify_link("@/a"), LinkKind::Internal { .. }));
        assert!(matches!(classify_link("http://x/a.md"), LinkKind::Other));
        assert!(matches!(classify_link("git+ssh:a.md"), LinkKind::Other));
        assert!(matches!(classify_link("/a.md"), LinkKind::Other));
        assert!(matches!(classify_link("a.mdx"), LinkKind::Other));
        assert!(matches!(classify_link("dir:x/a.md"), LinkKind::Other));
    }

    #[test]
    fn summary_split() {
        let h = TestHost;
        let r = render_de(
            "# Titel\n\nEinleitung[^1] mit [Link](other.md).\n\n<!-- more -->\n\nRest {{ yt(id=\"r\") }}.\n\n[^1]: Fußnote.\n",
            &h,
        );
        assert_eq!(
            r.summary_html.as_deref(),
            Some(
                "<h1 id=\"titel\">Titel</h1>\n<p>Einleitung<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\">1</a></sup> \
                 mit <a href=\"/de/other/\">Link</a>.</p>\n"
            )
        );
        assert!(r.html.starts_with(r.summary_html.as_deref().unwrap_or("-")));
        assert!(!r.html.contains("more"));
        assert!(r.html.contains("<p>Rest <iframe id=\"yt-1\""));
        assert!(r.html.ends_with("</ol>\n</section>\n"));
    }

    #[test]
    fn summary_marker_must_be_top_level_and_alone() {
        let h = TestHost;
        assert_eq!(
            render_de("a\n\n> <!-- more -->\n\nb\n", &h).summary_html,
            None
        );
        assert_eq!(
            render_de("```\n<!-- more -->\n```\n", &h).summary_html,
            None
        );
        assert_eq!(render_de("a <!-- more --> b\n", &h).summary_html, None);
        assert_eq!(render_de("<!-- more --><b>x</b>\n", &h).summary_html, None);
        let r = render_de("Eins\n<!--more-->\nZwei\n", &h);
        assert_eq!(r.summary_html.as_deref(), Some("<p>Eins</p>\n"));
        assert_eq!(r.html, "<p>Eins</p>\n<p>Zwei</p>\n");
        let r = render_de("<!-- more -->\nAlles\n", &h);
        assert_eq!(r.summary_html.as_deref(), Some(""));
    }

    #[test]
    fn word_count() {
        let h = TestHost;
        let r = render_de(
            "# Zwei Wörter\n\nEr sagt \"geht's\" *wirk*lich `code x` gut.\n\n- a\n- b\n",
            &h,
        );
        // Zwei, Wörter, Er, sagt, "geht's", wirklich, code, x, gut., a, b
        assert_eq!(r.word_count, 11);
        assert_eq!(render_de("", &h).word_count, 0);
    }

    #[test]
    fn empty_input() {
        let h = TestHost;
        assert_eq!(render_de("", &h), RenderedMarkdown::default());
    }

    /// Deterministic xorshift for the property-style test.
    fn rng(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let h = TestHost;
        let n = 10_000;
        let mut inputs = vec![
            ">".repeat(n) + " [!NOTE] x",
            "> ".repeat(n) + "[!NOTE]\n",
            "*".repeat(n) + "a" + &"*".repeat(n),
            "[".repeat(n) + "a" + &"]".repeat(n),
            "[".repeat(n) + "(" + &"](".repeat(n),
            "- ".repeat(n) + "x",
            "{{".repeat(n),
            "{% ".repeat(n),
            "{{ x(".to_owned(),
            "{{ x(a=\"".to_owned(),
            "{{/*".to_owned(),
            "{% end %}".repeat(3),
            "{% note() %}".repeat(n),
            "[^a]".repeat(n) + "\n\n[^a]: " + &"[^a]".repeat(10),
            "\"'".repeat(n),
            "#".repeat(n),
            "# {#}\n# {#x}\n# {.y}\n".to_owned(),
            "`".repeat(n) + "{{ a() }}",
            "<!-- more -->\n".repeat(100),
            "lUdDsC0q0z lUdDsC0q99999999999999999999999z {{ yt(id=\"x\") }}".to_owned(),
            "\u{0}\u{FFFD}\u{10FFFF}\r\n\r".repeat(100),
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let alphabet: &[u8] = b"*_[]()!#>-`{}%\"'\\\n \t|:^@/.mdxa1&<";
        for _ in 0..200 {
            let len = (rng(&mut seed) % 400) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    let r = rng(&mut seed);
                    if r.is_multiple_of(4) {
                        (r >> 8) as u8
                    } else {
                        alphabet[(r >> 8) as usize % alphabet.len()]
                    }
                })
                .collect();
            inputs.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        for input in &inputs {
            for lang in ["de", "fr", "en"] {
                for smart in [true, false] {
                    let o = MarkdownOptions {
                        lang,
                        smart_punctuation: smart,
                        safe: !smart,
                    };
                    let _ = render(input, 1, &o, &h);
                }
            }
        }
    }

    #[test]
    fn large_input_renders_completely() {
        let h = TestHost;
        let chunk = "## Abschnitt \"Über\" uns\n\nText mit [Link](@/blog/post.md), *Betonung*, `code` und 'Zitat'.[^n]\n\n\
                     > [!NOTE] Titel\n> Inhalt {{ yt(id=\"v\") }}\n\n- eins\n- zwei\n\n";
        let mut text = String::with_capacity(5_200_000);
        while text.len() < 5_000_000 {
            text.push_str(chunk);
        }
        text.push_str("[^n]: Fußnote.\n");
        // Speed is the benchmark's business (bench/run.sh); this checks that 5 MB of every
        // construct render whole: every chunk's heading and footnote reference arrives.
        let r = render(&text, 1, &opts("de"), &h).unwrap();
        assert!(r.html.len() > text.len());
        assert!(r.word_count > 400_000, "{}", r.word_count);
        // One heading per chunk, and the footnotes section's own (visually hidden) heading.
        let chunks = text.matches("## Abschnitt").count();
        assert_eq!(r.html.matches("<h2").count(), chunks + 1);
    }
}
