//! GFM alerts (`> [!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]`, `[!CAUTION]`).
//!
//! pulldown-cmark 0.13 recognises an alert only when nothing but whitespace follows the marker
//! on its line and reports it as `BlockQuote(Some(kind))`; it exposes no custom title. A marker
//! followed by text (`> [!WARNING] Achtung, Frist`) arrives as a plain `BlockQuote(None)` whose
//! first paragraph starts with the Text events `[`, `!WARNING`, `]`, ` Achtung, Frist`. The
//! [`Probe`] here looks at the first events of every plain block quote, and when they spell a
//! marker plus title it reports an [`AlertMatch`]: the renderer then treats the quote as an alert
//! with that title and drops the title line from the body. Otherwise the buffered events are
//! handed back unchanged. Rendering: `<div class="alert alert-note" role="note">` followed by
//! `<p class="alert-title">{title}</p>` and the body, closed by `</div>`.

use std::ops::Range;

use pulldown_cmark::{BlockQuoteKind, Event, Tag, TagEnd};

use crate::render::escape::push_html as escape_html;

const KINDS: [(&str, BlockQuoteKind); 5] = [
    ("note", BlockQuoteKind::Note),
    ("tip", BlockQuoteKind::Tip),
    ("important", BlockQuoteKind::Important),
    ("warning", BlockQuoteKind::Warning),
    ("caution", BlockQuoteKind::Caution),
];

/// Lowercase name of an alert kind, as used in the class and the UI string key (`alert.note`).
pub(crate) fn kind_name(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    }
}

/// Opening HTML of an alert, including its title paragraph; `title` is plain text.
pub(crate) fn open_html(kind: BlockQuoteKind, title: &str) -> String {
    let name = kind_name(kind);
    let mut s = String::with_capacity(80 + title.len());
    s.push_str("<div class=\"alert alert-");
    s.push_str(name);
    s.push_str("\" role=\"note\">\n<p class=\"alert-title\">");
    escape_html(title, &mut s);
    s.push_str("</p>\n");
    s
}

/// Closing HTML of an alert.
pub(crate) const CLOSE_HTML: &str = "</div>\n";

/// Result of matching the start of a block quote's text against `[!KIND]` + whitespace.
#[derive(Debug, PartialEq, Eq)]
enum Marker {
    /// Still a prefix of a marker; more text is needed.
    NeedMore,
    NoMatch,
    /// The marker matched; the title starts at this byte index.
    Match(BlockQuoteKind, usize),
}

fn parse_marker(s: &str) -> Marker {
    let b = s.as_bytes();
    for (i, want) in [b'[', b'!'].into_iter().enumerate() {
        match b.get(i) {
            None => return Marker::NeedMore,
            Some(&c) if c == want => {}
            Some(_) => return Marker::NoMatch,
        }
    }
    let word_len = b
        .get(2..)
        .unwrap_or_default()
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let word = s.get(2..2 + word_len).unwrap_or("");
    let is_prefix = KINDS
        .iter()
        .any(|(name, _)| name.len() >= word.len() && name[..word.len()].eq_ignore_ascii_case(word));
    if !is_prefix {
        return Marker::NoMatch;
    }
    let close = 2 + word_len;
    match b.get(close) {
        None => return Marker::NeedMore,
        Some(b']') => {}
        Some(_) => return Marker::NoMatch,
    }
    let Some(kind) = KINDS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|&(_, kind)| kind)
    else {
        return Marker::NoMatch;
    };
    match b.get(close + 1) {
        None => Marker::NeedMore,
        Some(b' ' | b'\t') => Marker::Match(kind, close + 1),
        Some(_) => Marker::NoMatch,
    }
}

#[derive(Debug)]
enum Phase {
    ExpectParagraph,
    Marker,
    Title { kind: BlockQuoteKind, depth: usize },
}

/// A detected alert with a custom title.
#[derive(Debug)]
pub(crate) struct AlertMatch<'a> {
    pub(crate) kind: BlockQuoteKind,
    /// Source range of the block quote (for the synthesized `BlockQuote(Some(kind))`).
    pub(crate) quote_range: Range<usize>,
    /// `Some(range)` when the first paragraph continues after the title line.
    pub(crate) paragraph: Option<Range<usize>>,
    /// Title text that arrived in the same Text event as the marker.
    pub(crate) title_prefix: String,
    /// The title's Text/Code events (other inline events are only markup and are dropped).
    pub(crate) title_events: Vec<(Event<'a>, Range<usize>)>,
}

/// Outcome of feeding one event to a [`Probe`].
#[derive(Debug)]
pub(crate) enum Step<'a> {
    Continue,
    /// Not an alert: replay these events (the first is the `BlockQuote(None)` start).
    Fail(Vec<(Event<'a>, Range<usize>)>),
    Match(AlertMatch<'a>),
}

/// Watches the first events of a plain block quote for `[!KIND] title`.
#[derive(Debug)]
pub(crate) struct Probe<'a> {
    events: Vec<(Event<'a>, Range<usize>)>,
    phase: Phase,
    text: String,
    title_start: usize,
}

impl<'a> Probe<'a> {
    /// Starts probing at a `Start(BlockQuote(None))` event.
    pub(crate) fn new(start: Event<'a>, range: Range<usize>) -> Self {
        Probe {
            events: vec![(start, range)],
            phase: Phase::ExpectParagraph,
            text: String::new(),
            title_start: 0,
        }
    }

    /// Gives up (e.g. at the end of input) and returns the buffered events.
    pub(crate) fn into_events(self) -> Vec<(Event<'a>, Range<usize>)> {
        self.events
    }

    pub(crate) fn feed(&mut self, ev: Event<'a>, range: Range<usize>) -> Step<'a> {
        match self.phase {
            Phase::ExpectParagraph => {
                let is_para = matches!(ev, Event::Start(Tag::Paragraph));
                self.events.push((ev, range));
                if is_para {
                    self.phase = Phase::Marker;
                    Step::Continue
                } else {
                    self.fail()
                }
            }
            Phase::Marker => {
                if let Event::Text(t) = &ev {
                    self.text.push_str(t);
                    self.events.push((ev, range));
                    match parse_marker(&self.text) {
                        Marker::NeedMore => Step::Continue,
                        Marker::NoMatch => self.fail(),
                        Marker::Match(kind, at) => {
                            self.phase = Phase::Title { kind, depth: 0 };
                            self.title_start = self.events.len();
                            self.text.drain(..at.min(self.text.len()));
                            Step::Continue
                        }
                    }
                } else {
                    self.events.push((ev, range));
                    self.fail()
                }
            }
            Phase::Title { kind, depth } => match ev {
                Event::SoftBreak | Event::HardBreak if depth == 0 => self.matched(kind, true),
                Event::End(TagEnd::Paragraph) => self.matched(kind, false),
                Event::SoftBreak | Event::HardBreak => {
                    // A line break inside inline markup: the title cannot be cut out cleanly.
                    self.events.push((ev, range));
                    self.fail()
                }
                Event::Start(_) => {
                    self.phase = Phase::Title {
                        kind,
                        depth: depth + 1,
                    };
                    self.events.push((ev, range));
                    Step::Continue
                }
                Event::End(_) => {
                    self.phase = Phase::Title {
                        kind,
                        depth: depth.saturating_sub(1),
                    };
                    self.events.push((ev, range));
                    Step::Continue
                }
                other => {
                    self.events.push((other, range));
                    Step::Continue
                }
            },
        }
    }

    fn fail(&mut self) -> Step<'a> {
        Step::Fail(std::mem::take(&mut self.events))
    }

    fn matched(&mut self, kind: BlockQuoteKind, continues: bool) -> Step<'a> {
        let events = std::mem::take(&mut self.events);
        let mut quote_range = 0..0;
        let mut para_range = 0..0;
        let mut title_events = Vec::new();
        for (i, (ev, range)) in events.into_iter().enumerate() {
            match i {
                0 => quote_range = range,
                1 => para_range = range,
                _ if i >= self.title_start && matches!(ev, Event::Text(_) | Event::Code(_)) => {
                    title_events.push((ev, range));
                }
                _ => {}
            }
        }
        Step::Match(AlertMatch {
            kind,
            quote_range,
            paragraph: continues.then_some(para_range),
            title_prefix: std::mem::take(&mut self.text),
            title_events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::markdown::tests::{TestHost, render_de};

    #[test]
    fn marker_parsing() {
        assert_eq!(parse_marker("["), Marker::NeedMore);
        assert_eq!(parse_marker("[!WARN"), Marker::NeedMore);
        assert_eq!(parse_marker("[!WARNING]"), Marker::NeedMore);
        assert_eq!(
            parse_marker("[!WARNING] x"),
            Marker::Match(BlockQuoteKind::Warning, 10)
        );
        assert_eq!(
            parse_marker("[!tip]\tx"),
            Marker::Match(BlockQuoteKind::Tip, 6)
        );
        assert_eq!(parse_marker("[!WARNINGS] x"), Marker::NoMatch);
        assert_eq!(parse_marker("[!FOO] x"), Marker::NoMatch);
        assert_eq!(parse_marker("[!NOTE]x"), Marker::NoMatch);
        assert_eq!(parse_marker("[x"), Marker::NoMatch);
        assert_eq!(parse_marker("Hello"), Marker::NoMatch);
    }

    #[test]
    fn default_titles_for_all_kinds() {
        let h = TestHost;
        for (kind, title) in [
            ("NOTE", "Hinweis"),
            ("TIP", "Tipp"),
            ("IMPORTANT", "Wichtig"),
            ("WARNING", "Warnung"),
            ("CAUTION", "Vorsicht"),
        ] {
            let r = render_de(&format!("> [!{kind}]\n> Text *hier*.\n"), &h);
            let class = kind.to_lowercase();
            assert_eq!(
                r.html,
                format!(
                    "<div class=\"alert alert-{class}\" role=\"note\">\n\
                     <p class=\"alert-title\">{title}</p>\n<p>Text <em>hier</em>.</p>\n</div>\n"
                )
            );
        }
    }

    #[test]
    fn custom_title_with_body_in_same_paragraph() {
        let h = TestHost;
        let r = render_de(
            "> [!WARNING] Achtung, Frist\n> Bis \"Montag\" abgeben.\n",
            &h,
        );
        assert_eq!(
            r.html,
            "<div class=\"alert alert-warning\" role=\"note\">\n\
             <p class=\"alert-title\">Achtung, Frist</p>\n<p>Bis „Montag“ abgeben.</p>\n</div>\n"
        );
    }

    #[test]
    fn custom_title_with_separate_body_and_markup() {
        let h = TestHost;
        let r = render_de(
            "> [!tip] Der *beste* `Trick` & mehr\n>\n> Erster Absatz.\n>\n> - Liste\n",
            &h,
        );
        assert_eq!(
            r.html,
            "<div class=\"alert alert-tip\" role=\"note\">\n\
             <p class=\"alert-title\">Der beste Trick &amp; mehr</p>\n<p>Erster Absatz.</p>\n\
             <ul>\n<li>Liste</li>\n</ul>\n</div>\n"
        );
    }

    #[test]
    fn title_only_alert() {
        let h = TestHost;
        let r = render_de("> [!NOTE] Nur ein Titel\n\nDanach.\n", &h);
        assert_eq!(
            r.html,
            "<div class=\"alert alert-note\" role=\"note\">\n\
             <p class=\"alert-title\">Nur ein Titel</p>\n</div>\n<p>Danach.</p>\n"
        );
    }

    #[test]
    fn plain_quotes_and_non_markers_stay_blockquotes() {
        let h = TestHost;
        assert_eq!(
            render_de("> [!UNKNOWN] x\n", &h).html,
            "<blockquote>\n<p>[!UNKNOWN] x</p>\n</blockquote>\n"
        );
        assert_eq!(
            render_de("> Just a quote\n> > nested\n", &h).html,
            "<blockquote>\n<p>Just a quote</p>\n<blockquote>\n<p>nested</p>\n</blockquote>\n</blockquote>\n"
        );
        assert_eq!(
            render_de("> # Heading\n", &h).html,
            "<blockquote>\n<h1 id=\"heading\">Heading</h1>\n</blockquote>\n"
        );
    }

    #[test]
    fn nested_alerts() {
        let h = TestHost;
        let r = render_de("> [!NOTE] Außen\n> > [!CAUTION]\n> > Innen\n", &h);
        assert_eq!(
            r.html,
            "<div class=\"alert alert-note\" role=\"note\">\n<p class=\"alert-title\">Außen</p>\n\
             <div class=\"alert alert-caution\" role=\"note\">\n<p class=\"alert-title\">Vorsicht</p>\n\
             <p>Innen</p>\n</div>\n</div>\n"
        );
    }

    #[test]
    fn title_is_escaped() {
        let h = TestHost;
        let r = render_de("> [!NOTE] a <b>x</b> & \"q\"\n", &h);
        assert!(
            r.html
                .contains("<p class=\"alert-title\">a x &amp; „q“</p>"),
            "{}",
            r.html
        );
    }
}
