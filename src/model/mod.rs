//! Model stage: turns loaded files into the site's structure — languages, documents with their
//! URLs and aliases, sections and their sorted pages, translations, neighbours and taxonomies.
//! Pure data; no I/O, no HTML. The output paths and pagination are the plan's
//! (`render::plan`).

pub mod language;
pub mod taxonomy;
pub mod urls;

use crate::error::{Diagnostic, Error, Result};
use crate::load::Project;
use crate::load::config::Config;
use crate::load::content::{ContentAsset, DocKind, SourceDoc};
use crate::load::front_matter::SortBy;
use crate::load::theme::Theme;
pub use language::Language;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
pub use taxonomy::{Taxonomy, Term};

/// A document: its index in [`Site::docs`] (and in everything kept per document, such as the
/// rendered Markdown). Ids are valid for one model only; a rebuilt model numbers afresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub usize);

impl DocId {
    /// The index.
    pub fn index(self) -> usize {
        self.0
    }

    /// Every id of `n` documents, in order.
    pub fn all(n: usize) -> impl Iterator<Item = DocId> {
        (0..n).map(DocId)
    }
}

impl<T> std::ops::Index<DocId> for [T] {
    type Output = T;
    fn index(&self, id: DocId) -> &T {
        &self[id.0]
    }
}

impl<T> std::ops::IndexMut<DocId> for [T] {
    fn index_mut(&mut self, id: DocId) -> &mut T {
        &mut self[id.0]
    }
}

impl<T> std::ops::Index<DocId> for Vec<T> {
    type Output = T;
    fn index(&self, id: DocId) -> &T {
        &self[id.0]
    }
}

impl<T> std::ops::IndexMut<DocId> for Vec<T> {
    fn index_mut(&mut self, id: DocId) -> &mut T {
        &mut self[id.0]
    }
}

/// A page or section in one language, placed in the site.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The file it comes from.
    pub source: SourceDoc,
    /// Index of its language in [`Site::languages`].
    pub lang: usize,
    /// Root-relative URL with trailing slash (`/en/article/`).
    pub url: String,
    /// Enclosing section in the same language (none for a home page, or when the section has no
    /// version in this language).
    pub parent: Option<DocId>,
    /// For sections: listed pages in order, with whether each is a default-language fallback.
    pub pages: Vec<Listed>,
    /// For sections: direct subsections in this language, by weight then title.
    pub subsections: Vec<DocId>,
    /// The same document in each language (index = language index).
    pub translations: Vec<Option<DocId>>,
    /// Previous and next page in the parent section's order.
    pub previous: Option<DocId>,
    /// See `previous`.
    pub next: Option<DocId>,
    /// Taxonomy terms: (index in [`Site::taxonomies`], index of the term there).
    pub terms: Vec<(usize, usize)>,
    /// Bundle or section files copied next to this document (paths relative to `content/`).
    pub assets: Vec<String>,
    /// Alias paths that redirect here (root-relative, trailing slash).
    pub aliases: Vec<String>,
}

impl Doc {
    /// Whether this is a section (home included).
    pub fn is_section(&self) -> bool {
        self.source.kind == DocKind::Section
    }

    /// The title from front matter (the rendered first heading is used when absent).
    pub fn front_title(&self) -> Option<&str> {
        self.source.front_matter.title.as_deref()
    }
}

/// A page in a section's listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    /// The listed page.
    pub id: DocId,
    /// Shown in the default language because the listing's language has no translation.
    pub is_fallback: bool,
}

/// The whole site, ready to render.
#[derive(Debug, Clone)]
pub struct Site {
    /// `site.toml`.
    pub config: Config,
    /// Languages, default first.
    pub languages: Vec<Language>,
    /// Every published document.
    pub docs: Vec<Doc>,
    /// Taxonomies per language.
    pub taxonomies: Vec<Taxonomy>,
    /// Content files that are not Markdown.
    pub assets: Vec<ContentAsset>,
    /// Theme data.
    pub theme: Theme,
    /// Data files (`data/`), for templates.
    pub data: crate::load::data::Data,
    /// Document by content path (`forderungen/_index.en.md`).
    pub by_path: HashMap<String, DocId>,
    /// Document by root-relative URL.
    pub by_url: HashMap<String, DocId>,
    /// Home page per language (index = language index).
    pub homes: Vec<Option<DocId>>,
}

/// Options that change what the model contains.
#[derive(Debug, Clone, Default)]
pub struct ModelOptions {
    /// Include drafts.
    pub drafts: bool,
    /// Override `base_url`.
    pub base_url: Option<String>,
    /// Override `output_dir`.
    pub output_dir: Option<PathBuf>,
}

impl Site {
    /// The default language's index (always 0).
    pub const DEFAULT_LANGUAGE: usize = 0;

    /// Builds the model from a loaded project.
    pub fn build(project: Project, options: &ModelOptions) -> Result<Site> {
        let Project {
            mut config,
            content,
            theme,
            data,
        } = project;
        if let Some(url) = &options.base_url {
            config.base_url = url.trim_end_matches('/').to_string();
        }
        if let Some(dir) = &options.output_dir {
            config.output_dir = dir.clone();
        }
        let languages = language::languages(&config);
        let lang_index: HashMap<&str, usize> = languages
            .iter()
            .enumerate()
            .map(|(i, l)| (l.code.as_str(), i))
            .collect();
        // Sized up front: growing a vector of 100,000 documents copies it several times.
        let mut docs: Vec<Doc> = Vec::with_capacity(content.docs.len());
        docs.extend(
            content
                .docs
                .into_iter()
                .filter(|d| options.drafts || !d.front_matter.draft)
                .map(|source| Doc {
                    lang: lang_index.get(source.lang.as_str()).copied().unwrap_or(0),
                    source,
                    url: String::new(),
                    parent: None,
                    pages: Vec::new(),
                    subsections: Vec::new(),
                    translations: vec![None; languages.len()],
                    previous: None,
                    next: None,
                    terms: Vec::new(),
                    assets: Vec::new(),
                    aliases: Vec::new(),
                }),
        );
        // Paths are unique, so an unstable sort gives the same order, without a scratch buffer.
        docs.sort_unstable_by(|a, b| a.source.rel_path.cmp(&b.source.rel_path));
        link_translations(&mut docs)?;
        let sections = section_index(&docs);
        urls::assign(&mut docs, &languages, &sections);
        let by_path = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.source.rel_path.clone(), DocId(i)))
            .collect();
        let by_url = urls::check_unique(&docs)?;
        let homes = (0..languages.len())
            .map(|l| sections.get(&(String::new(), l)).copied())
            .collect();
        attach_to_sections(&mut docs, &languages, &sections);
        attach_assets(&mut docs, &content.assets);
        urls::assign_aliases(&mut docs)?;
        let taxonomies = taxonomy::collect(&mut docs, &config, &languages);
        Ok(Site {
            config,
            languages,
            docs,
            taxonomies,
            assets: content.assets,
            theme,
            data,
            by_path,
            by_url,
            homes,
        })
    }

    /// Every document with its id, in id order.
    pub fn documents(&self) -> impl Iterator<Item = (DocId, &Doc)> {
        self.docs.iter().enumerate().map(|(i, d)| (DocId(i), d))
    }

    /// Document `id` in language `lang`, else in the default language, else itself.
    pub fn in_language(&self, id: DocId, lang: usize) -> DocId {
        let t = &self.docs[id].translations;
        t[lang].or(t[Self::DEFAULT_LANGUAGE]).unwrap_or(id)
    }

    /// The document's language.
    pub fn language(&self, doc: &Doc) -> &Language {
        &self.languages[doc.lang]
    }

    /// Absolute URL for a root-relative path.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.config.base_url, path)
    }

    /// Pages per pager of a section's listing (`None`: one page lists them all, and pages are
    /// never paginated).
    pub fn pagination(&self, doc: &Doc) -> Option<usize> {
        doc.source
            .front_matter
            .paginate_by
            .filter(|_| doc.is_section())
    }
}

/// Sections by (folder, language).
pub type SectionIndex = HashMap<(String, usize), DocId>;

fn section_index(docs: &[Doc]) -> SectionIndex {
    docs.iter()
        .enumerate()
        .filter(|(_, d)| d.is_section())
        .map(|(i, d)| ((d.source.section_dir.clone(), d.lang), DocId(i)))
        .collect()
}

/// Fills `translations`; two files of one group in one language is an error.
fn link_translations(docs: &mut [Doc]) -> Result<()> {
    let mut groups: BTreeMap<&str, Vec<DocId>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        groups
            .entry(d.source.group.as_str())
            .or_default()
            .push(DocId(i));
    }
    let mut problems = Vec::new();
    let mut links = Vec::new();
    for members in groups.values() {
        let mut by_lang: BTreeMap<usize, DocId> = BTreeMap::new();
        for &m in members {
            if let Some(&other) = by_lang.get(&docs[m].lang) {
                problems.push(
                    Diagnostic::new(
                        crate::layout::content_path(&docs[m].source.rel_path),
                        format!(
                            "is a second `{}` version of {}",
                            docs[m].source.lang,
                            crate::layout::content_path(&docs[other].source.rel_path)
                        ),
                    )
                    .with_help("give each translation its own language code, or a different translation_key"),
                );
            } else {
                by_lang.insert(docs[m].lang, m);
            }
        }
        for &m in members {
            links.push((m, by_lang.clone()));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    for (m, by_lang) in links {
        for (lang, id) in by_lang {
            docs[m].translations[lang] = Some(id);
        }
    }
    Ok(())
}

/// Parent links, section listings (sorted, with fallbacks), subsections and neighbours.
fn attach_to_sections(docs: &mut [Doc], languages: &[Language], sections: &SectionIndex) {
    for d in docs.iter_mut() {
        let parent_dir = if d.is_section() {
            if d.source.section_dir.is_empty() {
                continue;
            }
            crate::load::content::split_dir(&d.source.section_dir)
                .0
                .to_string()
        } else {
            d.source.section_dir.clone()
        };
        d.parent = nearest_section(sections, &parent_dir, d.lang);
    }
    // Pages and subsections grouped by folder and language, in one pass over all documents.
    let mut pages_in: HashMap<(&str, usize), Vec<DocId>> = HashMap::new();
    let mut children_of: HashMap<DocId, Vec<DocId>> = HashMap::new();
    for (id, d) in docs.iter().enumerate() {
        if d.is_section() {
            if let Some(p) = d.parent {
                children_of.entry(p).or_default().push(DocId(id));
            }
        } else {
            pages_in
                .entry((d.source.section_dir.as_str(), d.lang))
                .or_default()
                .push(DocId(id));
        }
    }
    let mut listings: Vec<(DocId, Vec<Listed>, Vec<DocId>)> = Vec::with_capacity(sections.len());
    for &s in sections.values() {
        let lang = docs[s].lang;
        let dir = docs[s].source.section_dir.as_str();
        let mut listed: Vec<Listed> = pages_in
            .get(&(dir, lang))
            .into_iter()
            .flatten()
            .map(|&id| Listed {
                id,
                is_fallback: false,
            })
            .collect();
        if languages[lang].fallback && lang != Site::DEFAULT_LANGUAGE {
            listed.extend(
                pages_in
                    .get(&(dir, Site::DEFAULT_LANGUAGE))
                    .into_iter()
                    .flatten()
                    .filter(|&&id| docs[id].translations[lang].is_none())
                    .map(|&id| Listed {
                        id,
                        is_fallback: true,
                    }),
            );
        }
        let sort_by = docs[s].source.front_matter.sort_by.unwrap_or_default();
        listed.sort_by(|a, b| compare(&docs[a.id], &docs[b.id], sort_by));
        let mut subsections = children_of.remove(&s).unwrap_or_default();
        subsections.sort_by(|&a, &b| compare(&docs[a], &docs[b], SortBy::Weight));
        listings.push((s, listed, subsections));
    }
    for (s, listed, subsections) in listings {
        let own: Vec<DocId> = listed
            .iter()
            .filter(|l| !l.is_fallback)
            .map(|l| l.id)
            .collect();
        for (k, &id) in own.iter().enumerate() {
            docs[id].previous = k.checked_sub(1).map(|p| own[p]);
            docs[id].next = own.get(k + 1).copied();
        }
        docs[s].pages = listed;
        docs[s].subsections = subsections;
    }
}

/// The section at `dir` in `lang`, or the closest ancestor that exists in `lang`.
fn nearest_section(sections: &SectionIndex, dir: &str, lang: usize) -> Option<DocId> {
    let mut dir = dir.to_string();
    loop {
        if let Some(&id) = sections.get(&(dir.clone(), lang)) {
            return Some(id);
        }
        if dir.is_empty() {
            return None;
        }
        dir = crate::load::content::split_dir(&dir).0.to_string();
    }
}

/// Sort order of listed pages.
fn compare(a: &Doc, b: &Doc, sort_by: SortBy) -> std::cmp::Ordering {
    let (fa, fb) = (&a.source.front_matter, &b.source.front_matter);
    let title = |d: &Doc| d.front_title().unwrap_or(&d.source.stem).to_lowercase();
    let by_path = a.source.rel_path.cmp(&b.source.rel_path);
    match sort_by {
        SortBy::Weight => fa
            .weight
            .unwrap_or(i64::MAX)
            .cmp(&fb.weight.unwrap_or(i64::MAX))
            .then_with(|| title(a).cmp(&title(b)))
            .then(by_path),
        SortBy::Date => fb
            .date
            .cmp(&fa.date)
            .then_with(|| title(a).cmp(&title(b)))
            .then(by_path),
        SortBy::Title => title(a).cmp(&title(b)).then(by_path),
    }
}

/// Assigns content assets to the bundle page or section that owns their folder.
fn attach_assets(docs: &mut [Doc], assets: &[ContentAsset]) {
    let mut owners: HashMap<String, Vec<DocId>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        let dir = match d.source.kind {
            DocKind::Bundle if d.source.section_dir.is_empty() => d.source.stem.clone(),
            DocKind::Bundle => format!("{}/{}", d.source.section_dir, d.source.stem),
            DocKind::Section => d.source.section_dir.clone(),
            DocKind::Page => continue,
        };
        owners.entry(dir).or_default().push(DocId(i));
    }
    for a in assets {
        let dir = crate::load::content::split_dir(&a.rel_path).0;
        for &owner in owners.get(dir).into_iter().flatten() {
            docs[owner].assets.push(a.rel_path.clone());
        }
    }
}
