//! Heading ids and the table of contents.
//!
//! Owns the per-document id allocator ([`IdSet`]: explicit `{#id}` wins, otherwise `anchor_in` of
//! the heading text, `section` when that is empty, `-1`, `-2`, … for duplicates), the buffer that
//! holds a heading's events until its text (and therefore its id) is known ([`HeadingBuf`]), and
//! the iterative builder that nests headings by level into [`TocEntry`] trees ([`TocBuilder`]).

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CowStr, Event, HeadingLevel};

use super::TocEntry;
use crate::slug::anchor_in;

/// Allocates unique ids within one document.
#[derive(Debug, Default)]
pub(crate) struct IdSet {
    used: HashSet<String>,
    /// Next suffix to try per base id, so many duplicates stay linear.
    next_suffix: HashMap<String, usize>,
    /// The document's language, which decides how heading text becomes an id.
    lang: String,
}

impl IdSet {
    /// An empty set for a document in language `lang`.
    pub(crate) fn for_lang(lang: &str) -> IdSet {
        IdSet {
            lang: lang.to_owned(),
            ..IdSet::default()
        }
    }

    /// Records an id the author chose; it is used verbatim.
    pub(crate) fn reserve(&mut self, id: &str) {
        if !self.used.contains(id) {
            self.used.insert(id.to_owned());
        }
    }

    /// Returns `base` or, if taken, the first free `base-1`, `base-2`, ….
    pub(crate) fn unique(&mut self, base: String) -> String {
        if !self.used.contains(&base) {
            self.used.insert(base.clone());
            return base;
        }
        let mut n = self.next_suffix.get(&base).copied().unwrap_or(1);
        let id = loop {
            let candidate = format!("{base}-{n}");
            n += 1;
            if !self.used.contains(&candidate) {
                break candidate;
            }
        };
        self.next_suffix.insert(base, n);
        self.used.insert(id.clone());
        id
    }

    /// The id for a heading: explicit id, else the unique slug of its text (`section` if empty).
    pub(crate) fn heading_id(&mut self, explicit: Option<&str>, text: &str) -> String {
        match explicit {
            Some(id) if !id.is_empty() => {
                self.reserve(id);
                id.to_owned()
            }
            _ => {
                let slug = anchor_in(text, &self.lang);
                self.unique(if slug.is_empty() {
                    "section".to_owned()
                } else {
                    slug
                })
            }
        }
    }
}

/// A heading whose events are held back until its end, when its id can be computed.
#[derive(Debug)]
pub(crate) struct HeadingBuf<'a> {
    pub(crate) id: Option<CowStr<'a>>,
    pub(crate) classes: Vec<CowStr<'a>>,
    pub(crate) attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
    pub(crate) events: Vec<Event<'a>>,
    /// Plain text (text and inline code) of the heading.
    pub(crate) text: String,
}

/// Numeric level of a heading (1–6).
pub(crate) fn level_number(level: HeadingLevel) -> u32 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Builds the nested table of contents from headings in document order, without recursion.
/// A heading becomes a child of the nearest preceding heading with a smaller level; skipped
/// levels are tolerated (an h4 directly under an h2 is the h2's child).
#[derive(Debug, Default)]
pub(crate) struct TocBuilder {
    roots: Vec<TocEntry>,
    /// The currently open chain of entries, outermost first; levels strictly increase.
    open: Vec<TocEntry>,
}

impl TocBuilder {
    pub(crate) fn push(&mut self, level: u32, id: String, title: String) {
        while self.open.last().is_some_and(|top| top.level >= level) {
            self.close_top();
        }
        self.open.push(TocEntry {
            level,
            id,
            title,
            children: Vec::new(),
        });
    }

    fn close_top(&mut self) {
        if let Some(mut done) = self.open.pop() {
            // Kept for the whole build: no room left for growth.
            done.children.shrink_to_fit();
            match self.open.last_mut() {
                Some(parent) => parent.children.push(done),
                None => self.roots.push(done),
            }
        }
    }

    pub(crate) fn finish(mut self) -> Vec<TocEntry> {
        while !self.open.is_empty() {
            self.close_top();
        }
        self.roots.shrink_to_fit();
        self.roots
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::markdown::tests::{TestHost, html, render_de};

    fn entry(level: u32, id: &str, children: Vec<TocEntry>) -> TocEntry {
        TocEntry {
            level,
            id: id.to_owned(),
            title: id.to_owned(),
            children,
        }
    }

    #[test]
    fn id_set_duplicates() {
        let mut ids = IdSet::default();
        assert_eq!(ids.heading_id(None, "Intro"), "intro");
        assert_eq!(ids.heading_id(None, "Intro"), "intro-1");
        ids.reserve("intro-2");
        assert_eq!(ids.heading_id(None, "Intro"), "intro-3");
        assert_eq!(ids.heading_id(None, "!!!"), "section");
        assert_eq!(ids.heading_id(None, ""), "section-1");
        assert_eq!(ids.heading_id(Some("intro"), "whatever"), "intro");
    }

    #[test]
    fn toc_builder_nests_and_tolerates_skips() {
        let mut toc = TocBuilder::default();
        for (level, id) in [(3, "a"), (2, "b"), (4, "c"), (3, "d"), (1, "e"), (2, "f")] {
            toc.push(level, id.to_owned(), id.to_owned());
        }
        assert_eq!(
            toc.finish(),
            vec![
                entry(3, "a", vec![]),
                entry(2, "b", vec![entry(4, "c", vec![]), entry(3, "d", vec![])]),
                entry(1, "e", vec![entry(2, "f", vec![])]),
            ]
        );
    }

    #[test]
    fn heading_ids_umlauts_duplicates_explicit() {
        let h = TestHost;
        let r = render_de(
            "# Über uns\n\n## Ziele\n\n## Ziele\n\n## Eigene {#custom .wide .red}\n\n### `code` & *mehr*\n\n## !!!\n",
            &h,
        );
        assert_eq!(
            r.html,
            "<h1 id=\"ueber-uns\">Über uns</h1>\n\
             <h2 id=\"ziele\">Ziele</h2>\n\
             <h2 id=\"ziele-1\">Ziele</h2>\n\
             <h2 id=\"custom\" class=\"wide red\">Eigene</h2>\n\
             <h3 id=\"code-mehr\"><code>code</code> &amp; <em>mehr</em></h3>\n\
             <h2 id=\"section\">!!!</h2>\n"
        );
        assert_eq!(
            r.ids,
            [
                "ueber-uns",
                "ziele",
                "ziele-1",
                "custom",
                "code-mehr",
                "section"
            ]
        );
        assert_eq!(r.first_heading.as_deref(), Some("Über uns"));
    }

    #[test]
    fn setext_headings_and_first_heading_any_level() {
        let h = TestHost;
        let r = render_de("Text\n\nZweite Ebene\n------------\n\n# Eins\n", &h);
        assert_eq!(
            r.html,
            "<p>Text</p>\n<h2 id=\"zweite-ebene\">Zweite Ebene</h2>\n<h1 id=\"eins\">Eins</h1>\n"
        );
        assert_eq!(r.first_heading.as_deref(), Some("Zweite Ebene"));
        assert_eq!(render_de("no heading", &h).first_heading, None);
    }

    #[test]
    fn toc_from_document() {
        let h = TestHost;
        let r = render_de(
            "# Titel\n\n## Teil A\n\n#### Tief\n\n## Teil B\n\n### B.1\n\n# Anhang\n",
            &h,
        );
        let t = |level, id: &str, title: &str, children| TocEntry {
            level,
            id: id.to_owned(),
            title: title.to_owned(),
            children,
        };
        assert_eq!(
            r.toc,
            vec![
                t(
                    1,
                    "titel",
                    "Titel",
                    vec![
                        t(2, "teil-a", "Teil A", vec![t(4, "tief", "Tief", vec![])]),
                        t(2, "teil-b", "Teil B", vec![t(3, "b-1", "B.1", vec![])]),
                    ]
                ),
                t(1, "anhang", "Anhang", vec![]),
            ]
        );
    }

    #[test]
    fn heading_with_link_and_quotes() {
        let h = TestHost;
        assert_eq!(
            html("## Siehe [Artikel](@/blog/post.md) \"hier\"", "de", &h),
            "<h2 id=\"siehe-artikel-hier\">Siehe <a href=\"/de/blog/post/\">Artikel</a> „hier“</h2>\n"
        );
    }
}
