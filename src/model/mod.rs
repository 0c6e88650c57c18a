//! Model stage: turns loaded files into the site's structure — languages, documents with their
//! URLs and aliases, sections and their sorted pages, translations, neighbours and taxonomies.
//! Pure data; no I/O, no HTML. The output paths and pagination are the plan's
//! (`render::plan`).

pub mod language;
pub mod menus;
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

/// Defines an index newtype: `$name(pub usize)` with `index()`, `all(n)`, and indexing of slices
/// and vectors by it, so that an index of one kind cannot index a list of another.
macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub usize);

        impl $name {
            /// The index.
            pub fn index(self) -> usize {
                self.0
            }

            /// Every index of a list of `n`, in order.
            pub fn all(n: usize) -> impl Iterator<Item = $name> {
                (0..n).map($name)
            }
        }

        impl<T> std::ops::Index<$name> for [T] {
            type Output = T;
            fn index(&self, id: $name) -> &T {
                &self[id.0]
            }
        }

        impl<T> std::ops::IndexMut<$name> for [T] {
            fn index_mut(&mut self, id: $name) -> &mut T {
                &mut self[id.0]
            }
        }

        impl<T> std::ops::Index<$name> for Vec<T> {
            type Output = T;
            fn index(&self, id: $name) -> &T {
                &self[id.0]
            }
        }

        impl<T> std::ops::IndexMut<$name> for Vec<T> {
            fn index_mut(&mut self, id: $name) -> &mut T {
                &mut self[id.0]
            }
        }
    };
}

index_type!(
    /// A document: its index in [`Site::docs`] (and in everything kept per document, such as the
    /// rendered Markdown). Ids are valid for one model only; a rebuilt model numbers afresh.
    DocId
);

index_type!(
    /// A language: its index in [`Site::languages`] (and in everything kept per language, such
    /// as [`Doc::translations`] and [`Site::homes`]). The default language is
    /// [`Site::DEFAULT_LANGUAGE`].
    LangId
);

index_type!(
    /// A taxonomy in one language: its index in [`Site::taxonomies`].
    TaxonomyId
);

index_type!(
    /// A term: its index in its taxonomy's [`Taxonomy::terms`].
    TermId
);

/// A page or section in one language, placed in the site.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The file it comes from.
    pub source: SourceDoc,
    /// Its language.
    pub lang: LangId,
    /// Root-relative URL with trailing slash (`/en/article/`).
    pub url: String,
    /// Enclosing section in the same language (none for a home page, or when the section has no
    /// version in this language).
    pub parent: Option<DocId>,
    /// For sections: listed pages in order, with whether each is a default-language fallback.
    pub pages: Vec<Listed>,
    /// For sections: direct subsections in this language that have a page of their own, by
    /// weight then title.
    pub subsections: Vec<DocId>,
    /// The same document in each language (index = language index).
    pub translations: Vec<Option<DocId>>,
    /// Previous and next page in the parent section's order.
    pub previous: Option<DocId>,
    /// See `previous`.
    pub next: Option<DocId>,
    /// Taxonomy terms: the taxonomy and the term there.
    pub terms: Vec<(TaxonomyId, TermId)>,
    /// Bundle or section files copied next to this document (paths relative to `content/`).
    pub assets: Vec<String>,
    /// Alias paths that redirect here (root-relative, trailing slash).
    pub aliases: Vec<String>,
    /// Aliases with a `*`: host redirect rules only (`_redirects`), no page of their own.
    pub alias_rules: Vec<String>,
    /// Where this document's page sends visitors (`redirect_to`): a root-relative URL of this
    /// site or an absolute URL.
    pub redirect: Option<String>,
    /// A home page ludd made for a language without `content/_index.<lang>.md`: no content
    /// of its own, shown as a fallback.
    pub generated: bool,
    /// The page of a taxonomy term or of a taxonomy (`content/tags/climate/_index.md`,
    /// `content/tags/_index.md`): the generated term or term list page shows its title,
    /// description and content at its URL (which is that page's), so it has no page of its own.
    pub taxonomy_page: bool,
}

impl Doc {
    /// A document of language `lang` read from `source`, not yet placed in the site (no URL,
    /// section, translations or neighbours).
    fn unplaced(source: SourceDoc, lang: LangId, languages: usize) -> Doc {
        Doc {
            lang,
            source,
            url: String::new(),
            parent: None,
            pages: Vec::new(),
            subsections: Vec::new(),
            translations: vec![None; languages],
            previous: None,
            next: None,
            terms: Vec::new(),
            assets: Vec::new(),
            aliases: Vec::new(),
            alias_rules: Vec::new(),
            redirect: None,
            generated: false,
            taxonomy_page: false,
        }
    }

    /// Whether the document gets a page of its own: not `render = false`, not shown by a
    /// taxonomy's generated page.
    pub fn has_own_page(&self) -> bool {
        self.source.front_matter.renders() && !self.taxonomy_page
    }

    /// Whether this is a section (home included).
    pub fn is_section(&self) -> bool {
        self.source.kind == DocKind::Section
    }

    /// The content folder whose other files are copied next to this document: a bundle's own
    /// folder, a section's folder; none for a plain page.
    pub fn asset_dir(&self) -> Option<String> {
        // The folder of its `index.md` or `_index.md`, inside a language's content_dir too.
        match self.source.kind {
            DocKind::Bundle | DocKind::Section => Some(
                crate::load::content::split_dir(&self.source.rel_path)
                    .0
                    .to_string(),
            ),
            DocKind::Page => None,
        }
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
    /// Menus per language (index = language index), by name.
    pub menus: Vec<Vec<menus::Menu>>,
    /// Documents whose `publish_date` is still to come (content path, date), soonest first,
    /// whether `--future` showed them or not.
    pub upcoming: Vec<(String, crate::load::front_matter::Date)>,
    /// The next moment a `publish_date` or `expiry_date` changes what is published: a build
    /// made now is out of date from then on.
    pub valid_until: Option<jiff::Timestamp>,
    /// Content files (paths relative to `content/`) that could not be read and are left out;
    /// a build with any fails with their problems (see [`crate::load::load_partial_with`]).
    pub unreadable: Vec<String>,
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
    /// Include pages whose `publish_date` is still to come.
    pub future: bool,
    /// Include pages whose `expiry_date` has passed.
    pub expired: bool,
    /// The moment dates are compared with (default: the current time).
    pub now: Option<jiff::Timestamp>,
}

/// Which documents are published at `now`, and when that changes next.
struct DateFilter {
    now: jiff::Timestamp,
    future: bool,
    expired: bool,
}

impl DateFilter {
    fn shows(&self, fm: &crate::load::front_matter::FrontMatter) -> bool {
        let early = fm.publish_date.is_some_and(|d| d.timestamp > self.now);
        let late = fm.expiry_date.is_some_and(|d| d.timestamp <= self.now);
        (self.future || !early) && (self.expired || !late)
    }

    /// The first date after `now` among the documents' publish and expiry dates.
    fn next_change<'a>(
        &self,
        docs: impl Iterator<Item = &'a crate::load::front_matter::FrontMatter>,
    ) -> Option<jiff::Timestamp> {
        docs.flat_map(|fm| [fm.publish_date, fm.expiry_date])
            .flatten()
            .map(|d| d.timestamp)
            .filter(|t| *t > self.now)
            .min()
    }
}

impl Site {
    /// The default language (always the first).
    pub const DEFAULT_LANGUAGE: LangId = LangId(0);

    /// Every language with its id, default first.
    pub fn each_language(&self) -> impl Iterator<Item = (LangId, &Language)> {
        LangId::all(self.languages.len()).zip(&self.languages)
    }

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
        let dates = DateFilter {
            now: options.now.unwrap_or_else(jiff::Timestamp::now),
            future: options.future,
            expired: options.expired,
        };
        let valid_until = dates.next_change(content.docs.iter().map(|d| &d.front_matter));
        let mut upcoming: Vec<(String, crate::load::front_matter::Date)> = content
            .docs
            .iter()
            .filter(|d| options.drafts || !d.front_matter.draft)
            .filter_map(|d| {
                d.front_matter
                    .publish_date
                    .filter(|p| p.timestamp > dates.now)
                    .map(|p| (d.rel_path.clone(), p))
            })
            .collect();
        upcoming.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        let languages = language::languages(&config);
        let lang_index: HashMap<&str, LangId> = languages
            .iter()
            .zip(LangId::all(languages.len()))
            .map(|(l, i)| (l.code.as_str(), i))
            .collect();
        // Sized up front: growing a vector of 100,000 documents copies it several times.
        let mut docs: Vec<Doc> = Vec::with_capacity(content.docs.len());
        docs.extend(
            content
                .docs
                .into_iter()
                .filter(|d| options.drafts || !d.front_matter.draft)
                .filter(|d| dates.shows(&d.front_matter))
                .map(|source| {
                    let lang = lang_index
                        .get(source.lang.as_str())
                        .copied()
                        .unwrap_or(Site::DEFAULT_LANGUAGE);
                    Doc::unplaced(source, lang, languages.len())
                }),
        );
        add_missing_homes(&mut docs, &languages);
        // Paths are unique, so an unstable sort gives the same order, without a scratch buffer.
        docs.sort_unstable_by(|a, b| a.source.rel_path.cmp(&b.source.rel_path));
        link_translations(&mut docs)?;
        let sections = section_index(&docs);
        urls::assign(&mut docs, &languages, &sections, &config.permalinks);
        let mut by_path: HashMap<String, DocId> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.source.rel_path.clone(), DocId(i)))
            .collect();
        // In a language's content_dir, `@/blog/a.md` names `content/<dir>/blog/a.md` too.
        for (i, d) in docs.iter().enumerate() {
            if let Some(inner) = languages[d.lang].content_dir.as_deref().and_then(|dir| {
                d.source
                    .rel_path
                    .strip_prefix(dir)
                    .and_then(|r| r.strip_prefix('/'))
            }) {
                by_path.entry(inner.to_string()).or_insert(DocId(i));
            }
        }
        let mut by_url = urls::check_unique(&docs)?;
        let homes = LangId::all(languages.len())
            .map(|l| sections.get(&(String::new(), l)).copied())
            .collect();
        attach_to_sections(&mut docs, &languages, &sections);
        attach_assets(&mut docs, &content.assets);
        urls::assign_aliases(&mut docs, config.base_path())?;
        resolve_redirects(&mut docs, &by_path, config.base_path())?;
        let taxonomies = taxonomy::collect(&mut docs, &config, &languages);
        // Term and taxonomy pages answer at their generated page's URL.
        for (i, d) in docs.iter().enumerate().filter(|(_, d)| d.taxonomy_page) {
            by_url.insert(d.url.clone(), DocId(i));
        }
        let mut site = Site {
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
            menus: Vec::new(),
            upcoming,
            valid_until,
            unreadable: content.unreadable,
        };
        site.menus = menus::resolve(&site).map_err(Error::Invalid)?;
        Ok(site)
    }

    /// Every document with its id, in id order.
    pub fn documents(&self) -> impl Iterator<Item = (DocId, &Doc)> {
        self.docs.iter().enumerate().map(|(i, d)| (DocId(i), d))
    }

    /// Document `id` in language `lang`, else in the default language, else itself.
    pub fn in_language(&self, id: DocId, lang: LangId) -> DocId {
        let t = &self.docs[id].translations;
        t[lang].or(t[Self::DEFAULT_LANGUAGE]).unwrap_or(id)
    }

    /// The document's language.
    pub fn language(&self, doc: &Doc) -> &Language {
        &self.languages[doc.lang]
    }

    /// Absolute URL for a root-relative URL (one that starts with the base path, like every
    /// URL of the model).
    pub fn permalink(&self, url: &str) -> String {
        format!("{}{}", self.config.origin(), url)
    }

    /// Root-relative URL of the output file `rel` (`sitemap.xml` → `/project/sitemap.xml`).
    pub fn file_url(&self, rel: &str) -> String {
        format!(
            "{}/{}",
            self.config.base_path(),
            rel.trim_start_matches('/')
        )
    }

    /// The site's root URL: `/`, or the base path with a slash (`/project/`).
    pub fn root_url(&self) -> String {
        self.file_url("")
    }

    /// Output file (relative to the output folder) of a root-relative URL of this site:
    /// the base path is dropped, `/project/en/a/` → `en/a/index.html`.
    pub fn output_path(&self, url: &str) -> String {
        urls::output_path(self.strip_base_path(url))
    }

    /// `url` without the base path (unchanged when it does not start with it).
    pub fn strip_base_path<'a>(&self, url: &'a str) -> &'a str {
        let base = self.config.base_path();
        match url.strip_prefix(base) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
            _ => url,
        }
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

/// Gives every language without a home page (`content/_index.<lang>.md`) an empty one, as Zola
/// and Hugo do, so that its URL, the language switcher and its listings work. It is a
/// translation of the default language's home and is marked `generated`.
fn add_missing_homes(docs: &mut Vec<Doc>, languages: &[Language]) {
    let has_home: Vec<bool> = LangId::all(languages.len())
        .map(|l| {
            docs.iter()
                .any(|d| d.lang == l && d.is_section() && d.source.section_dir.is_empty())
        })
        .collect();
    let group = docs
        .iter()
        .find(|d| d.is_section() && d.source.section_dir.is_empty())
        .map_or_else(|| "_index.md".to_string(), |d| d.source.group.clone());
    for (l, language) in LangId::all(languages.len()).zip(languages) {
        if has_home[l] {
            continue;
        }
        let rel_path = if l == Site::DEFAULT_LANGUAGE {
            "_index.md".to_string()
        } else {
            format!("_index.{}.md", language.code)
        };
        let source = SourceDoc {
            rel_path,
            kind: DocKind::Section,
            lang: language.code.clone(),
            group: group.clone(),
            section_dir: String::new(),
            stem: String::new(),
            front_matter: crate::load::front_matter::FrontMatter {
                title: Some(language.title.clone()),
                ..Default::default()
            },
            body: std::sync::Arc::from(""),
            body_hash: crate::hash::hash_text(""),
            body_line: 1,
            header: String::new(),
        };
        docs.push(Doc {
            generated: true,
            ..Doc::unplaced(source, l, languages.len())
        });
    }
}

/// Resolves `redirect_to`: `@/file.md` to that document in the same language (else the
/// default one), a site path under the base path, an absolute URL as it is.
fn resolve_redirects(
    docs: &mut [Doc],
    by_path: &HashMap<String, DocId>,
    base_path: &str,
) -> Result<()> {
    let mut problems = Vec::new();
    for i in 0..docs.len() {
        let Some(raw) = docs[i].source.front_matter.redirect_to.clone() else {
            continue;
        };
        let raw = raw.trim();
        let target = if let Some(rel) = raw.strip_prefix("@/") {
            let (file, fragment) = rel
                .split_once('#')
                .map_or((rel, None), |(f, x)| (f, Some(x)));
            by_path.get(file).map(|&id| {
                let lang = docs[i].lang;
                let id = docs[id].translations[lang]
                    .or(docs[id].translations[Site::DEFAULT_LANGUAGE])
                    .unwrap_or(id);
                let mut url = docs[id].url.clone();
                if let Some(f) = fragment {
                    url.push('#');
                    url.push_str(f);
                }
                url
            })
        } else if raw.starts_with("https://") || raw.starts_with("http://") {
            Some(raw.to_string())
        } else {
            urls::normalize_alias(raw).map(|p| format!("{base_path}{p}"))
        };
        match target {
            Some(t) => docs[i].redirect = Some(t),
            None => problems.push(
                Diagnostic::new(
                    format!("content/{}", docs[i].source.rel_path),
                    format!("redirect_to `{raw}` points nowhere"),
                )
                .at_optional_line(docs[i].source.line_of("redirect_to"))
                .with_help("write @/file.md for a page of this site, a site path like \"/demands/\", or a full URL"),
            ),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Sections by (folder, language).
pub type SectionIndex = HashMap<(String, LangId), DocId>;

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
        let mut by_lang: BTreeMap<LangId, DocId> = BTreeMap::new();
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
    let mut pages_in: HashMap<(&str, LangId), Vec<DocId>> = HashMap::new();
    let mut children_of: HashMap<DocId, Vec<DocId>> = HashMap::new();
    for (id, d) in docs.iter().enumerate() {
        if d.is_section() {
            // A section without a page of its own (`render = false`) is never linked as one.
            if let Some(p) = d.parent.filter(|_| d.source.front_matter.renders()) {
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
fn nearest_section(sections: &SectionIndex, dir: &str, lang: LangId) -> Option<DocId> {
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

/// Assigns content assets to the bundle page or section that owns their folder, or the nearest
/// folder above it (`blog/post/img/a.png` belongs to the bundle `blog/post/`, and keeps its
/// `img/` folder next to the page).
fn attach_assets(docs: &mut [Doc], assets: &[ContentAsset]) {
    let mut owners: HashMap<String, Vec<DocId>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        if let Some(dir) = d.asset_dir() {
            owners.entry(dir).or_default().push(DocId(i));
        }
    }
    for a in assets {
        let mut dir = crate::load::content::split_dir(&a.rel_path).0;
        let found = loop {
            if let Some(found) = owners.get(dir) {
                break Some(found);
            }
            if dir.is_empty() {
                break None;
            }
            dir = crate::load::content::split_dir(dir).0;
        };
        for &owner in found.into_iter().flatten() {
            docs[owner].assets.push(a.rel_path.clone());
        }
    }
}
