//! Footnotes: numbering, reference markup, and the endnote section.
//!
//! References are numbered in order of first reference and rendered as
//! `<sup class="footnote-ref"><a href="#fn-LABEL" id="fnref-LABEL">N</a></sup>` (the second and
//! later references to the same note get ids `fnref-LABEL-2`, …). Definitions are collected
//! wherever they appear and emitted once at the end of the document as
//! `<section class="footnotes" role="doc-endnotes"><h2 class="visually-hidden">TITLE</h2><ol>
//! <li id="fn-LABEL">…</li></ol></section>` (the heading names the section for screen readers),
//! with one back-link per reference inside the last paragraph of each definition. Labels are
//! matched case-insensitively (as pulldown-cmark does) and slugified for ids. Definitions that are
//! never referenced are still listed, after the referenced ones.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{CowStr, Event, TagEnd};

use crate::render::escape::push_html as escape_html;
use crate::slug::slugify;

#[derive(Debug)]
struct Note<'a> {
    slug: String,
    /// Number shown in the text, assigned at the first reference.
    number: Option<usize>,
    refs: usize,
    /// The definition's (already transformed) events; the first definition wins.
    def: Option<Vec<Event<'a>>>,
}

/// Footnote state of one document.
#[derive(Debug, Default)]
pub(crate) struct Footnotes<'a> {
    notes: Vec<Note<'a>>,
    by_label: HashMap<String, usize>,
    slugs: HashSet<String>,
    /// `S` for every allocated slug of the form `S-K` (K ≥ 2).
    ref_bases: HashSet<String>,
    next_number: usize,
}

impl<'a> Footnotes<'a> {
    fn note_index(&mut self, label: &str) -> usize {
        let key = label.to_lowercase();
        if let Some(&ix) = self.by_label.get(&key) {
            return ix;
        }
        let slug = self.allocate_slug(label);
        let ix = self.notes.len();
        self.notes.push(Note {
            slug,
            number: None,
            refs: 0,
            def: None,
        });
        self.by_label.insert(key, ix);
        ix
    }

    /// A slug for a new label such that no two notes can produce the same `fn-`/`fnref-` id:
    /// the second and later references of slug `S` use `fnref-S-K` (K ≥ 2), so a slug must not
    /// be `S-K` for an existing slug `S`, nor the `S` of an existing `S-K`.
    fn allocate_slug(&mut self, label: &str) -> String {
        let mut base = slugify(label);
        if base.is_empty() {
            base.push_str("note");
        }
        let mut candidate = base.clone();
        let mut n = 1;
        while self.slugs.contains(&candidate)
            || self.ref_bases.contains(&candidate)
            || ref_base(&candidate).is_some_and(|b| self.slugs.contains(b))
        {
            n += 1;
            candidate = format!("{base}-fn{n}");
        }
        if let Some(b) = ref_base(&candidate) {
            self.ref_bases.insert(b.to_owned());
        }
        self.slugs.insert(candidate.clone());
        candidate
    }

    /// Registers a reference and returns its HTML; its id is appended to `ids`.
    pub(crate) fn reference(&mut self, label: &str, ids: &mut Vec<String>) -> String {
        let ix = self.note_index(label);
        let next = self.next_number + 1;
        let Some(note) = self.notes.get_mut(ix) else {
            return String::new();
        };
        note.refs += 1;
        let number = *note.number.get_or_insert(next);
        if number == next {
            self.next_number = next;
        }
        let ref_id = ref_id(&note.slug, note.refs);
        let html = format!(
            "<sup class=\"footnote-ref\"><a href=\"#fn-{}\" id=\"{ref_id}\">{number}</a></sup>",
            note.slug
        );
        ids.push(ref_id);
        html
    }

    /// Stores a definition's events (the first definition of a label wins).
    pub(crate) fn define(&mut self, label: &str, events: Vec<Event<'a>>) {
        let ix = self.note_index(label);
        if let Some(note) = self.notes.get_mut(ix)
            && note.def.is_none()
        {
            note.def = Some(events);
        }
    }

    /// Whether any footnote was defined (and a section will be emitted).
    pub(crate) fn has_definitions(&self) -> bool {
        self.notes.iter().any(|n| n.def.is_some())
    }

    /// The events of the endnote section (empty if there are no definitions); the `fn-` ids are
    /// appended to `ids`. `back_label` is the (unescaped) aria-label of the back-links, `title`
    /// the (unescaped) text of the section's visually hidden heading.
    pub(crate) fn section(
        self,
        back_label: &str,
        title: &str,
        ids: &mut Vec<String>,
    ) -> Vec<Event<'a>> {
        let mut notes: Vec<Note<'a>> = self.notes.into_iter().filter(|n| n.def.is_some()).collect();
        if notes.is_empty() {
            return Vec::new();
        }
        // Referenced notes by number, then unreferenced ones in definition order (stable sort).
        notes.sort_by_key(|n| n.number.unwrap_or(usize::MAX));
        let mut label = String::with_capacity(back_label.len());
        escape_html(back_label, &mut label);

        let mut heading = String::with_capacity(title.len());
        escape_html(title, &mut heading);

        let mut out = Vec::new();
        out.push(Event::Html(
            format!(
                "<section class=\"footnotes\" role=\"doc-endnotes\">\n\
                 <h2 class=\"visually-hidden\">{heading}</h2>\n<ol>\n"
            )
            .into(),
        ));
        for note in notes {
            let id = format!("fn-{}", note.slug);
            out.push(Event::Html(format!("<li id=\"{id}\">\n").into()));
            ids.push(id);
            let mut backlinks = String::new();
            for k in 1..=note.refs {
                backlinks.push_str(&format!(
                    " <a href=\"#{}\" class=\"footnote-backref\" aria-label=\"{label}\">↩</a>",
                    ref_id(&note.slug, k)
                ));
            }
            let mut events = note.def.unwrap_or_default();
            if !backlinks.is_empty() {
                if matches!(events.last(), Some(Event::End(TagEnd::Paragraph))) {
                    let at = events.len() - 1;
                    events.insert(at, Event::Html(backlinks.into()));
                } else {
                    let para = format!("<p>{}</p>\n", backlinks.trim_start());
                    events.push(Event::Html(para.into()));
                }
            }
            out.extend(events);
            out.push(Event::Html(CowStr::Borrowed("</li>\n")));
        }
        out.push(Event::Html(CowStr::Borrowed("</ol>\n</section>\n")));
        out
    }
}

/// `S` if `slug` has the form `S-K` with a number K ≥ 2 (as a later reference id would).
fn ref_base(slug: &str) -> Option<&str> {
    let (base, k) = slug.rsplit_once('-')?;
    let is_ref_number =
        !k.is_empty() && k != "1" && !k.starts_with('0') && k.bytes().all(|b| b.is_ascii_digit());
    is_ref_number.then_some(base)
}

fn ref_id(slug: &str, k: usize) -> String {
    if k <= 1 {
        format!("fnref-{slug}")
    } else {
        format!("fnref-{slug}-{k}")
    }
}

#[cfg(test)]
mod tests {
    use crate::render::markdown::tests::{TestHost, render_de};

    const BACK: &str = "class=\"footnote-backref\" aria-label=\"Zurück zum Text\"";

    #[test]
    fn numbering_multiple_refs_and_backlinks() {
        let h = TestHost;
        let r = render_de(
            "Erst[^b], dann[^a] und wieder[^b].\n\n[^a]: Note A.\n[^b]: Note B.\n",
            &h,
        );
        let expected = format!(
            "<p>Erst<sup class=\"footnote-ref\"><a href=\"#fn-b\" id=\"fnref-b\">1</a></sup>, \
             dann<sup class=\"footnote-ref\"><a href=\"#fn-a\" id=\"fnref-a\">2</a></sup> und \
             wieder<sup class=\"footnote-ref\"><a href=\"#fn-b\" id=\"fnref-b-2\">1</a></sup>.</p>\n\
             <section class=\"footnotes\" role=\"doc-endnotes\">\n\
             <h2 class=\"visually-hidden\">Fußnoten</h2>\n<ol>\n\
             <li id=\"fn-b\">\n<p>Note B. <a href=\"#fnref-b\" {BACK}>↩</a> \
             <a href=\"#fnref-b-2\" {BACK}>↩</a></p>\n</li>\n\
             <li id=\"fn-a\">\n<p>Note A. <a href=\"#fnref-a\" {BACK}>↩</a></p>\n</li>\n\
             </ol>\n</section>\n"
        );
        assert_eq!(r.html, expected);
        assert_eq!(r.ids, ["fnref-b", "fnref-a", "fnref-b-2", "fn-b", "fn-a"]);
    }

    #[test]
    fn labels_are_slugified_and_case_insensitive() {
        let h = TestHost;
        let r = render_de(
            "Text[^Über Note] und[^über note].\n\n[^über note]: Inhalt\n",
            &h,
        );
        assert!(
            r.html
                .contains("<a href=\"#fn-ueber-note\" id=\"fnref-ueber-note\">1</a>")
        );
        assert!(
            r.html
                .contains("<a href=\"#fn-ueber-note\" id=\"fnref-ueber-note-2\">1</a>")
        );
        assert!(r.html.contains("<li id=\"fn-ueber-note\">"));
    }

    #[test]
    fn ids_never_collide() {
        let h = TestHost;
        let r = render_de(
            "x[^1] y[^1-2] z[^1] a[^Über Note] b[^über-note] c[^note-1] d[^n-3] e[^n]\n\n\
             [^1]: a\n[^1-2]: b\n[^über note]: c\n[^über-note]: d\n[^note-1]: e\n[^n-3]: f\n[^n]: g\n",
            &h,
        );
        let mut ids = r.ids.clone();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), r.ids.len(), "{:?}", r.ids);
        assert_eq!(
            r.ids,
            [
                "fnref-1",
                "fnref-1-2-fn2",
                "fnref-1-2",
                "fnref-ueber-note",
                "fnref-ueber-note-fn2",
                "fnref-note-1",
                "fnref-n-3",
                "fnref-n-fn2",
                "fn-1",
                "fn-1-2-fn2",
                "fn-ueber-note",
                "fn-ueber-note-fn2",
                "fn-note-1",
                "fn-n-3",
                "fn-n-fn2",
            ]
        );
    }

    #[test]
    fn undefined_reference_is_literal() {
        let h = TestHost;
        let r = render_de("Text[^nope] here.\n", &h);
        assert_eq!(r.html, "<p>Text[^nope] here.</p>\n");
        assert!(r.ids.is_empty());
    }

    #[test]
    fn unreferenced_definition_still_listed() {
        let h = TestHost;
        let r = render_de("A[^x].\n\n[^y]: Unused.\n\n[^x]: Used.\n", &h);
        assert_eq!(
            r.html,
            format!(
                "<p>A<sup class=\"footnote-ref\"><a href=\"#fn-x\" id=\"fnref-x\">1</a></sup>.</p>\n\
                 <section class=\"footnotes\" role=\"doc-endnotes\">\n\
             <h2 class=\"visually-hidden\">Fußnoten</h2>\n<ol>\n\
                 <li id=\"fn-x\">\n<p>Used. <a href=\"#fnref-x\" {BACK}>↩</a></p>\n</li>\n\
                 <li id=\"fn-y\">\n<p>Unused.</p>\n</li>\n</ol>\n</section>\n"
            )
        );
    }

    #[test]
    fn multi_paragraph_definition_and_code_end() {
        let h = TestHost;
        let r = render_de(
            "A[^1] B[^2]\n\n[^1]: Erster.\n\n    Zweiter Absatz.\n\n[^2]: Liste:\n\n    - x\n    - y\n",
            &h,
        );
        assert!(
            r.html.contains(&format!(
                "<li id=\"fn-1\">\n<p>Erster.</p>\n<p>Zweiter Absatz. <a href=\"#fnref-1\" {BACK}>↩</a></p>\n</li>\n"
            )),
            "{}",
            r.html
        );
        assert!(
            r.html.contains(&format!(
                "</ul>\n<p><a href=\"#fnref-2\" {BACK}>↩</a></p>\n</li>\n"
            )),
            "{}",
            r.html
        );
    }

    #[test]
    fn definition_content_is_transformed() {
        let h = TestHost;
        let r = render_de("A[^q]\n\n[^q]: \"Zitat\" und [Link](@/blog/post.md).\n", &h);
        assert!(
            r.html.contains(
                "<p>„Zitat“ und <a href=\"/de/blog/post/\">Link</a>. <a href=\"#fnref-q\""
            ),
            "{}",
            r.html
        );
        assert_eq!(r.internal_links.len(), 1);
        assert_eq!(r.internal_links[0].line, 3);
    }
}
