//! Taxonomies: per language, the terms used by pages (tags and any declared taxonomy), with their
//! URLs and pages.

use super::{Doc, DocId, LangId, Language, TaxonomyId, TermId};
use crate::load::config::{Config, TaxonomyConfig};
use crate::slug::slugify_in;
use std::collections::BTreeMap;

/// One taxonomy in one language.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// Its configuration.
    pub config: TaxonomyConfig,
    /// Its language.
    pub lang: LangId,
    /// URL of the term list (`/en/tags/`).
    pub url: String,
    /// Terms, sorted by slug.
    pub terms: Vec<Term>,
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
}

/// Builds every taxonomy for every language and records each page's terms.
pub fn collect(docs: &mut [Doc], config: &Config, languages: &[Language]) -> Vec<Taxonomy> {
    let mut out = Vec::new();
    for (lang, language) in LangId::all(languages.len()).zip(languages) {
        for tc in &config.taxonomies {
            let mut terms: BTreeMap<String, Term> = BTreeMap::new();
            let url = format!(
                "{}/{}/",
                language.prefix,
                slugify_in(&tc.name, &language.code)
            );
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
                    let slug = slugify_in(name, &language.code);
                    if slug.is_empty() {
                        continue;
                    }
                    let term = terms.entry(slug.clone()).or_insert_with(|| Term {
                        name: name.clone(),
                        url: format!("{url}{slug}/"),
                        slug,
                        pages: Vec::new(),
                    });
                    // Documents come in order, so a repeated term of this one can only be last.
                    if term.pages.last() != Some(&DocId(id)) {
                        term.pages.push(DocId(id));
                    }
                }
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
                url,
                terms,
            });
        }
    }
    out
}
