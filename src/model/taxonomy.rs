//! Taxonomies: per language, the terms used by pages (each language's declared taxonomies),
//! with their URLs and pages, and the content pages of terms and taxonomies
//! (`content/tags/climate/_index.md`, `content/tags/_index.md`) that the generated pages show.

use super::{Doc, DocId, LangId, Language, TaxonomyId, TermId};
use crate::load::config::{Config, TaxonomyConfig};
use crate::slug::slugify_in;
use std::collections::{BTreeMap, HashSet};

/// One taxonomy in one language.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// Its configuration.
    pub config: TaxonomyConfig,
    /// Its language.
    pub lang: LangId,
    /// URL segment (`tags`, also for a taxonomy named `Tags`), and the folder below `content/`
    /// of its own page and its terms' pages.
    pub slug: String,
    /// URL of the term list (`/en/tags/`).
    pub url: String,
    /// Terms, sorted by slug.
    pub terms: Vec<Term>,
    /// The section `content/<slug>/_index.md` in this language: its title, description and
    /// content are shown on the term list, which takes its URL.
    pub page: Option<DocId>,
}

/// One term.
#[derive(Debug, Clone)]
pub struct Term {
    /// Display name (as first written).
    pub name: String,
    /// URL segment.
    pub slug: String,
    /// URL (`/en/tags/climate/`).
    pub url: String,
    /// Pages, newest first, then by title.
    pub pages: Vec<DocId>,
    /// The section `content/<taxonomy>/<term>/_index.md` in this language: its title,
    /// description and content are shown on the term's page, which takes its URL. A term
    /// with a page but no tagged pages yet is listed too (as Hugo does).
    pub page: Option<DocId>,
}

/// Builds every taxonomy for every language, records each page's terms and claims the term
/// and taxonomy pages of the content (see [`Doc::taxonomy_page`]).
pub fn collect(docs: &mut [Doc], config: &Config, languages: &[Language]) -> Vec<Taxonomy> {
    let mut out = Vec::new();
    // Sections one or two folders below the root (where taxonomy and term pages are), by
    // language and folder, in path order.
    let sections: Vec<(LangId, String, DocId)> = docs
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            let dir = &d.source.section_dir;
            d.is_section() && !dir.is_empty() && dir.matches('/').count() <= 1
        })
        .map(|(i, d)| (d.lang, d.source.section_dir.clone(), DocId(i)))
        .collect();
    let mut claimed: Vec<(DocId, String)> = Vec::new();
    for (lang, language) in LangId::all(languages.len()).zip(languages) {
        for tc in config.taxonomies_of(&language.code) {
            let slug = slugify_in(&tc.name, &language.code);
            let url = format!("{}/{slug}/", language.prefix);
            let mut terms = terms_of(docs, lang, tc, &language.code, &url);
            // Term pages: content/<taxonomy>/<term>/_index.md, the folders in any case.
            for (l, dir, id) in &sections {
                let (l, id) = (*l, *id);
                let Some((top, term_dir)) = dir.split_once('/') else {
                    continue;
                };
                if l != lang || term_dir.contains('/') || slugify_in(top, &language.code) != slug {
                    continue;
                }
                let term_slug = slugify_in(term_dir, &language.code);
                if term_slug.is_empty() {
                    continue;
                }
                let term = terms.entry(term_slug.clone()).or_insert_with(|| Term {
                    name: docs[id].front_title().unwrap_or(term_dir).to_string(),
                    url: format!("{url}{term_slug}/"),
                    slug: term_slug,
                    pages: Vec::new(),
                    page: None,
                });
                term.page = Some(id);
                claimed.push((id, term.url.clone()));
            }
            let page = sections
                .iter()
                .find(|(l, dir, _)| {
                    *l == lang && !dir.contains('/') && slugify_in(dir, &language.code) == slug
                })
                .map(|(_, _, id)| *id);
            if let Some(id) = page {
                claimed.push((id, url.clone()));
            }
            let mut terms: Vec<Term> = terms.into_values().collect();
            for t in &mut terms {
                t.pages.sort_by(|&a, &b| {
                    let (da, db) = (&docs[a].source.front_matter, &docs[b].source.front_matter);
                    db.date
                        .cmp(&da.date)
                        .then_with(|| docs[a].source.rel_path.cmp(&docs[b].source.rel_path))
                });
            }
            let index = TaxonomyId(out.len());
            for (ti, t) in TermId::all(terms.len()).zip(&terms) {
                for &p in &t.pages {
                    docs[p].terms.push((index, ti));
                }
            }
            out.push(Taxonomy {
                config: tc.clone(),
                lang,
                slug,
                url,
                terms,
                page,
            });
        }
    }
    if claimed.is_empty() {
        return out;
    }
    let ids: HashSet<DocId> = claimed.iter().map(|(id, _)| *id).collect();
    for (id, url) in claimed {
        docs[id].taxonomy_page = true;
        docs[id].url = url;
    }
    // Shown by the generated pages, never linked as sections of their own.
    for d in docs.iter_mut() {
        d.subsections.retain(|s| !ids.contains(s));
    }
    out
}

impl Taxonomy {
    /// Whether the taxonomy has a term list page: it has terms, or a page of its own.
    pub fn has_list(&self) -> bool {
        !self.terms.is_empty() || self.page.is_some()
    }
}

/// The terms of taxonomy `tc` used by the pages of language `lang`, by slug.
fn terms_of(
    docs: &[Doc],
    lang: LangId,
    tc: &TaxonomyConfig,
    code: &str,
    url: &str,
) -> BTreeMap<String, Term> {
    let mut terms: BTreeMap<String, Term> = BTreeMap::new();
    for (id, d) in docs.iter().enumerate() {
        if d.lang != lang || d.is_section() {
            continue;
        }
        for name in d
            .source
            .front_matter
            .terms
            .get(&tc.name)
            .into_iter()
            .flatten()
        {
            let slug = slugify_in(name, code);
            if slug.is_empty() {
                continue;
            }
            let term = terms.entry(slug.clone()).or_insert_with(|| Term {
                name: name.clone(),
                url: format!("{url}{slug}/"),
                slug,
                pages: Vec::new(),
                page: None,
            });
            // Documents come in order, so a repeated term of this one can only be last.
            if term.pages.last() != Some(&DocId(id)) {
                term.pages.push(DocId(id));
            }
        }
    }
    terms
}
