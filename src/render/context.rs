//! Template contexts: turns the model and the rendered Markdown into Tera values. Site- and
//! language-level values are built once; each document's listing summary is built once and shared
//! (Tera values are reference-counted), so a section never re-serialises its pages per render.
//! Rendered Markdown is read through [`Reads`] only, which records each read (see
//! [`super::deps`]); a context is a [`Ctx`], which is hashed whole for the output's fingerprint.
//! A shared value that many contexts hold (a listing summary) is hashed once and stands in the
//! fingerprint by that digest: a listing of a thousand pages costs a thousand digests, not a
//! thousand summaries walked again for every output that shows them.

use super::deps::Reads;
use crate::hash::{hash_of, hash_value, value_digest};
use crate::model::menus::{MenuEntry, MenuLabel, MenuTarget};
use crate::model::{Doc, DocId, LangId, Language, Site};
use crate::render::DocContent;
use crate::render::markdown::TocEntry;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::OnceLock;
use tera::Value;

/// A template context under construction: every value a template will see, in insertion order,
/// so that it can be hashed before it becomes a [`tera::Context`].
#[derive(Default)]
pub struct Ctx {
    /// Key, value, and the value's digest when the code that built it knows one (see
    /// [`Ctx::insert_digested`]).
    pairs: Vec<(&'static str, Value, Option<u64>)>,
}

impl Ctx {
    /// Sets `key` to `value` (a later insert of the same key wins, as in Tera).
    pub fn insert(&mut self, key: &'static str, value: Value) {
        self.pairs.push((key, value, None));
    }

    /// [`Ctx::insert`] of a value whose digest is known: `digest` (when given) stands for
    /// `value` in [`Ctx::hash_into`], so it must change whenever anything a template can see
    /// in `value` changes. Built from [`Summaries::digest`] and [`value_digest`]s of the rest.
    pub fn insert_digested(&mut self, key: &'static str, value: Value, digest: Option<u64>) {
        self.pairs.push((key, value, digest));
    }

    /// Feeds every key and value (or its digest) into `h`.
    pub fn hash_into(&self, h: &mut impl Hasher) {
        self.pairs.len().hash(h);
        for (k, v, digest) in &self.pairs {
            k.hash(h);
            match digest {
                Some(d) => (1u8, d).hash(h),
                None => {
                    0u8.hash(h);
                    hash_value(v, h);
                }
            }
        }
    }

    /// The Tera context.
    pub fn into_tera(self) -> tera::Context {
        let mut ctx = tera::Context::new();
        for (k, v, _) in self.pairs {
            ctx.insert_value(k, v);
        }
        ctx
    }
}

/// Listing summaries in the order a listing shows them, each with its digest (its
/// [`value_digest`]) when the reads are recorded, that is when the output gets a fingerprint.
pub(crate) struct Summaries {
    /// The summaries.
    pub(crate) values: Vec<Value>,
    /// Their digests, one per value (`None`: not fingerprinted).
    digests: Option<Vec<u64>>,
}

impl Summaries {
    /// How many there are.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// A digest of the summaries in `range` (`None`: not fingerprinted).
    pub(crate) fn digest(&self, range: Range<usize>) -> Option<u64> {
        self.digests.as_ref().map(|d| hash_of(&d[range]))
    }
}

/// The map value `base` with `key` set to the summaries in `range`, and the digest of the
/// whole when the summaries have digests: they enter it by their digests, not walked again.
pub(crate) fn with_summaries(
    base: Value,
    key: &'static str,
    summaries: &Summaries,
    range: Range<usize>,
) -> (Value, Option<u64>) {
    let digest = summaries
        .digest(range.clone())
        .map(|list| hash_of(&(value_digest(&base), key, list)));
    let mut map = base.into_map().unwrap_or_default();
    map.insert(key.into(), summaries.values[range].to_vec().into());
    (Value::from(map), digest)
}

/// The same output in one language, as the translation links show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Counterpart {
    /// Root-relative URL (the default language's version when `exists` is false).
    pub url: String,
    /// Whether the output exists in that language.
    pub exists: bool,
    /// Its title, when it has one.
    pub title: Option<String>,
}

/// Builds a Tera map from `(key, value)` pairs.
pub(crate) fn obj(pairs: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    // Sized up front: no rehashing while it fills (Tera copies it into its own map once more).
    let pairs = pairs.into_iter();
    let mut map = tera::Map::with_capacity(pairs.size_hint().0);
    for (k, v) in pairs {
        map.insert(k.into(), v);
    }
    Value::from(map)
}

/// A value, or none.
pub(crate) fn opt(value: Option<impl Into<Value>>) -> Value {
    value.map(Into::into).unwrap_or_else(Value::none)
}

/// Values shared by every render of one build.
pub struct SharedValues {
    /// `site` per language.
    pub site: Vec<Value>,
    /// `language` per language.
    pub language: Vec<Value>,
    /// `data` (the data files) per language.
    pub data: Vec<Value>,
    /// `menu` entries per language.
    pub(crate) menu: Vec<Vec<MenuItem>>,
    /// `menu` entries per language as template values, `is_current` false.
    pub menu_values: Vec<Vec<Value>>,
    /// `menus` per language: each menu's name and its entries as template values, `is_current`
    /// false (see [`crate::model::menus`]).
    pub menus: Vec<Vec<(String, Vec<Value>)>>,
    /// Each document's listing summary (no content), built when a listing first shows it: a
    /// build renders the pages before the listings, so the summaries take the memory that the
    /// pages' HTML leaves.
    summaries: Vec<SummaryCell>,
    /// Each document's listing summary marked as a fallback, built likewise.
    fallback_summaries: Vec<SummaryCell>,
    /// `{ name, url }` of every taxonomy term, by taxonomy and term index: built once and shared
    /// by the summary of every document that has the term.
    terms: Vec<Vec<Value>>,
}

/// One document's listing summary and its digest, each built when first asked for.
#[derive(Default)]
struct SummaryCell {
    value: OnceLock<Value>,
    digest: OnceLock<u64>,
}

/// One menu entry.
pub(crate) struct MenuItem {
    /// Target document.
    pub id: DocId,
    /// Shown in the default language.
    pub is_fallback: bool,
}

impl SharedValues {
    /// Builds the shared values.
    pub fn new(site: &Site, contents: &[std::sync::Arc<DocContent>]) -> SharedValues {
        let site_values = site.languages.iter().map(|l| site_value(site, l)).collect();
        let language = site
            .languages
            .iter()
            .map(|l| {
                obj([
                    ("code", l.code.as_str().into()),
                    ("name", l.name.as_str().into()),
                    ("dir", l.direction.as_str().into()),
                ])
            })
            .collect();
        let menu: Vec<Vec<MenuItem>> = LangId::all(site.languages.len())
            .map(|l| menu_items(site, l))
            .collect();
        let menu_values = menu
            .iter()
            .map(|items| {
                items
                    .iter()
                    .map(|m| menu_value(site, &contents[m.id].title, m, false))
                    .collect()
            })
            .collect();
        let data = site
            .languages
            .iter()
            .map(|l| Value::from_serializable(&site.data.for_language(&l.code)))
            .collect();
        let menus = LangId::all(site.languages.len())
            .map(|l| menus_values(site, contents, l))
            .collect();
        SharedValues {
            site: site_values,
            language,
            data,
            menu,
            menu_values,
            menus,
            summaries: site.docs.iter().map(|_| SummaryCell::default()).collect(),
            fallback_summaries: site.docs.iter().map(|_| SummaryCell::default()).collect(),
            terms: term_values(site),
        }
    }

    /// The listing summaries of `docs` (document, whether it is shown in another language), with
    /// their digests when `reads` are recorded.
    pub(crate) fn summaries(
        &self,
        site: &Site,
        reads: &Reads,
        docs: impl IntoIterator<Item = (DocId, bool)>,
    ) -> Summaries {
        let record = reads.records();
        let mut values = Vec::new();
        let mut digests = Vec::new();
        for (id, is_fallback) in docs {
            let cell = if is_fallback {
                &self.fallback_summaries[id]
            } else {
                &self.summaries[id]
            };
            // Read (and recorded) even when the value was built before.
            let listing = reads.listing(id);
            let value = cell
                .value
                .get_or_init(|| obj(doc_pairs(site, listing, &self.terms, id, is_fallback)));
            if record {
                digests.push(*cell.digest.get_or_init(|| value_digest(value)));
            }
            values.push(value.clone());
        }
        Summaries {
            values,
            digests: record.then_some(digests),
        }
    }

    /// The `menu` of language `lang` with the entries that contain `path` marked current.
    pub(crate) fn menu(&self, site: &Site, reads: &Reads, lang: LangId, path: &str) -> Vec<Value> {
        let mut menu = self.menu_values[lang].clone();
        for (value, m) in menu.iter_mut().zip(&self.menu[lang]) {
            let title = reads.title(m.id);
            if menu_is_current(site, m, path) {
                *value = menu_value(site, title, m, true);
            }
        }
        menu
    }

    /// `menus` of language `lang` with the entries that link or contain `path` marked current.
    /// Reads (and records) the title of every page a menu links.
    pub(crate) fn menus(&self, site: &Site, reads: &Reads, lang: LangId, path: &str) -> Value {
        let mut menus = tera::Map::with_capacity(self.menus[lang].len());
        for ((name, values), m) in self.menus[lang].iter().zip(&site.menus[lang]) {
            let mut values = values.clone();
            for (value, e) in values.iter_mut().zip(&m.entries) {
                let title = match e.target {
                    MenuTarget::Page { id, .. } => Some(reads.title(id)),
                    MenuTarget::Url(_) => None,
                };
                if menu_entry_is_current(site, e, path) {
                    *value = menu_entry_value(site, title, lang, e, true);
                }
            }
            menus.insert(name.clone().into(), values.into());
        }
        Value::from(menus)
    }
}

impl SharedValues {
    /// Updates document `id`'s values after its rendered content changed (the model did not):
    /// its listing summaries are built again when next shown and, when it is a menu entry, that
    /// language's menu is built again now.
    pub(crate) fn refresh_doc(
        &mut self,
        site: &Site,
        contents: &[std::sync::Arc<DocContent>],
        id: DocId,
    ) {
        self.summaries[id] = SummaryCell::default();
        self.fallback_summaries[id] = SummaryCell::default();
        for (items, values) in self.menu.iter().zip(self.menu_values.iter_mut()) {
            if items.iter().any(|m| m.id == id) {
                *values = items
                    .iter()
                    .map(|m| menu_value(site, &contents[m.id].title, m, false))
                    .collect();
            }
        }
        for (lang, menus) in LangId::all(site.menus.len()).zip(&site.menus) {
            if menus
                .iter()
                .flat_map(|m| &m.entries)
                .any(|e| matches!(e.target, MenuTarget::Page { id: t, .. } if t == id))
            {
                self.menus[lang] = menus_values(site, contents, lang);
            }
        }
    }
}

/// `menus` of language `lang` as template values, `is_current` false.
fn menus_values(
    site: &Site,
    contents: &[std::sync::Arc<DocContent>],
    lang: LangId,
) -> Vec<(String, Vec<Value>)> {
    site.menus[lang]
        .iter()
        .map(|m| {
            let entries = m
                .entries
                .iter()
                .map(|e| {
                    let title = match e.target {
                        MenuTarget::Page { id, .. } => Some(contents[id].title.as_str()),
                        MenuTarget::Url(_) => None,
                    };
                    menu_entry_value(site, title, lang, e, false)
                })
                .collect();
            (m.name.clone(), entries)
        })
        .collect()
}

/// One `menus.<name>` entry: `name` (the label) in `name_lang`, `url`, `lang` (the linked
/// page's language) and `lang_name`, `is_fallback`, `is_current`, `is_external`, `weight`, and
/// for pages their `title` (as given) and `extra`.
fn menu_entry_value(
    site: &Site,
    title: Option<&str>,
    lang: LangId,
    e: &MenuEntry,
    is_current: bool,
) -> Value {
    let code = site.languages[lang].code.as_str();
    let default = site.config.default_language.as_str();
    let (url, target_lang, is_fallback, extra) = match &e.target {
        MenuTarget::Page {
            id,
            fragment,
            is_fallback,
        } => {
            let d = &site.docs[*id];
            let url = match fragment {
                Some(f) => format!("{}#{f}", d.url),
                None => d.url.clone(),
            };
            (
                url,
                site.languages[d.lang].code.as_str(),
                *is_fallback,
                Value::from_serializable(&d.source.front_matter.extra),
            )
        }
        MenuTarget::Url(url) => (url.clone(), code, false, Value::none()),
    };
    let (name, name_lang) = match &e.label {
        MenuLabel::Name(n) => (n.clone(), code),
        MenuLabel::Key(key) => {
            let strings = &site.theme.ui_strings;
            match strings.get(code).and_then(|m| m.get(key)) {
                Some(s) => (s.clone(), code),
                None => match strings.get(default).and_then(|m| m.get(key)) {
                    Some(s) => (s.clone(), default),
                    None => (key.clone(), code),
                },
            }
        }
        MenuLabel::Title => (title.unwrap_or_default().to_string(), target_lang),
    };
    let is_external =
        matches!(&e.target, MenuTarget::Url(u) if u.contains("://") || u.starts_with("mailto:"));
    obj([
        ("name", name.into()),
        ("name_lang", name_lang.into()),
        ("url", url.into()),
        ("lang", target_lang.into()),
        ("lang_name", lang_name(site, target_lang).into()),
        ("is_fallback", is_fallback.into()),
        ("is_current", is_current.into()),
        ("is_external", is_external.into()),
        ("weight", opt(e.weight)),
        ("title", opt(title)),
        ("extra", extra),
    ])
}

/// The own name of the language with `code`.
fn lang_name<'a>(site: &'a Site, code: &'a str) -> &'a str {
    site.languages
        .iter()
        .find(|l| l.code == code)
        .map_or(code, |l| l.name.as_str())
}

/// Whether a menu entry links the output at `path` or a section that contains it.
fn menu_entry_is_current(site: &Site, e: &MenuEntry, path: &str) -> bool {
    match &e.target {
        MenuTarget::Page {
            id, fragment: None, ..
        } => {
            let d = &site.docs[*id];
            path == d.url || (d.url != "/" && d.is_section() && path.starts_with(&d.url))
        }
        MenuTarget::Page { .. } => false,
        MenuTarget::Url(url) => url == path,
    }
}

fn site_value(site: &Site, l: &Language) -> Value {
    obj([
        ("title", l.title.as_str().into()),
        ("description", l.description.as_str().into()),
        ("base_url", site.config.base_url.as_str().into()),
        (
            "default_language",
            site.config.default_language.as_str().into(),
        ),
        ("extra", Value::from_serializable(&l.extra)),
        (
            "taxonomies",
            site.config
                .taxonomies_of(&l.code)
                .iter()
                .map(|t| Value::from(t.name.as_str()))
                .collect::<Vec<_>>()
                .into(),
        ),
        ("calendars", calendar_values(site, l)),
    ])
}

/// The `[[calendars]]` of `site.toml` for language `l`: `{data, path, name, url}`, where `url` is
/// the root-relative URL of the calendar's folder in that language (`/en/events/`), so a theme
/// links `url ~ "all.ics"` and `url ~ id ~ ".ics"` wherever the site puts them.
fn calendar_values(site: &Site, l: &Language) -> Value {
    site.config
        .calendars
        .iter()
        .map(|c| {
            let folder = c.path.trim_matches('/');
            obj([
                ("data", c.data.as_str().into()),
                ("path", folder.into()),
                ("name", c.name.as_deref().unwrap_or(&l.title).into()),
                ("url", format!("{}/{folder}/", l.prefix).into()),
            ])
        })
        .collect::<Vec<_>>()
        .into()
}

/// Top-level sections and pages of the home page in language `lang`, by weight.
fn menu_items(site: &Site, lang: LangId) -> Vec<MenuItem> {
    let Some(home) = site.homes[lang] else {
        return Vec::new();
    };
    let h = &site.docs[home];
    let mut items: Vec<MenuItem> = h
        .subsections
        .iter()
        .map(|&id| MenuItem {
            id,
            is_fallback: false,
        })
        .collect();
    if let Some(default_home) = site.homes[Site::DEFAULT_LANGUAGE]
        .filter(|_| site.languages[lang].fallback && lang != Site::DEFAULT_LANGUAGE)
    {
        for &sub in &site.docs[default_home].subsections {
            if site.docs[sub].translations[lang].is_none() {
                items.push(MenuItem {
                    id: sub,
                    is_fallback: true,
                });
            }
        }
    }
    items.extend(h.pages.iter().map(|l| MenuItem {
        id: l.id,
        is_fallback: l.is_fallback,
    }));
    items.sort_by_key(|m| {
        (
            site.docs[m.id]
                .source
                .front_matter
                .weight
                .unwrap_or(i64::MAX),
            site.docs[m.id].url.clone(),
        )
    });
    items
}

/// A document as a Tera value: its listing summary's fields plus content, toc and neighbours.
pub(crate) fn full_doc_value(
    site: &Site,
    reads: &Reads,
    shared: &SharedValues,
    id: DocId,
) -> Value {
    let d = &site.docs[id];
    let listing = reads.listing(id);
    let c = reads.body(id);
    let summary = doc_pairs(site, listing, &shared.terms, id, false);
    // Every term of every taxonomy, in declared order (a template cannot walk the
    // `taxonomies` map in a stable order).
    let all_terms: Vec<Value> = d
        .terms
        .iter()
        .map(|&(t, term)| shared.terms[t][term].clone())
        .collect();
    obj(summary.into_iter().chain([
        ("terms", all_terms.into()),
        ("content", c.html.clone()),
        ("toc", toc_value(&c.toc)),
        ("previous", neighbour(site, reads, d.previous)),
        ("next", neighbour(site, reads, d.next)),
    ]))
}

/// The fields of a document's listing summary (no content). `is_fallback` marks listing entries
/// shown in another language; `terms` are [`SharedValues::terms`].
fn doc_pairs(
    site: &Site,
    c: super::deps::Listing,
    terms: &[Vec<Value>],
    id: DocId,
    is_fallback: bool,
) -> [(&'static str, Value); 17] {
    let d = &site.docs[id];
    let fm = &d.source.front_matter;
    [
        ("title", c.title.into()),
        ("description", opt(c.description)),
        ("date", opt(fm.date.map(|x| x.iso()))),
        ("updated", opt(fm.updated.map(|x| x.iso()))),
        (
            "slug",
            d.url
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("")
                .into(),
        ),
        ("url", d.url.as_str().into()),
        ("permalink", site.permalink(&d.url).into()),
        ("summary", opt(c.summary.map(Value::safe_string))),
        ("word_count", c.word_count.into()),
        ("reading_time", c.word_count.div_ceil(200).max(1).into()),
        ("lang", site.languages[d.lang].code.as_str().into()),
        ("extra", Value::from_serializable(&fm.extra)),
        ("weight", opt(fm.weight)),
        ("taxonomies", taxonomies_value(site, terms, d)),
        (
            "assets",
            d.assets
                .iter()
                .map(|a| Value::from(crate::model::urls::asset_url(d, a)))
                .collect::<Vec<_>>()
                .into(),
        ),
        ("is_fallback", (is_fallback || d.generated).into()),
        ("is_section", d.is_section().into()),
    ]
}

fn neighbour(site: &Site, reads: &Reads, id: Option<DocId>) -> Value {
    opt(id.map(|id| {
        obj([
            ("title", reads.title(id).into()),
            ("url", site.docs[id].url.as_str().into()),
        ])
    }))
}

/// `{ name, url }` of every term, by taxonomy and term index.
fn term_values(site: &Site) -> Vec<Vec<Value>> {
    site.taxonomies
        .iter()
        .map(|tax| {
            tax.terms
                .iter()
                .map(|term| {
                    obj([
                        ("name", term.name.as_str().into()),
                        ("url", term.url.as_str().into()),
                    ])
                })
                .collect()
        })
        .collect()
}

/// `{ <taxonomy name>: [term, …] }` of a document, in the order of its terms.
fn taxonomies_value(site: &Site, terms: &[Vec<Value>], d: &Doc) -> Value {
    let mut lists: Vec<(&str, Vec<Value>)> = Vec::new();
    for &(t, term) in &d.terms {
        let name = site.taxonomies[t].config.name.as_str();
        let value = terms[t][term].clone();
        match lists.iter_mut().find(|(n, _)| *n == name) {
            Some((_, list)) => list.push(value),
            None => lists.push((name, vec![value])),
        }
    }
    let mut map = tera::Map::with_capacity(lists.len());
    for (name, list) in lists {
        map.insert(name.to_string().into(), Value::from(list));
    }
    Value::from(map)
}

pub(crate) fn toc_value(toc: &[TocEntry]) -> Value {
    toc.iter()
        .map(|e| {
            obj([
                ("level", e.level.into()),
                ("id", e.id.as_str().into()),
                ("title", e.title.as_str().into()),
                ("children", toc_value(&e.children)),
            ])
        })
        .collect::<Vec<_>>()
        .into()
}

/// What differs per rendered output: where it is and which document it shows in which languages.
pub(crate) struct Place<'a> {
    /// Language index.
    pub lang: LangId,
    /// Root-relative URL of this output.
    pub path: &'a str,
    /// For each language, this output's counterpart.
    pub translations: Vec<Counterpart>,
}

impl Place<'_> {
    /// The counterparts of a document: its translations, else the default-language version.
    pub(crate) fn for_doc<'a>(site: &Site, reads: &Reads, id: DocId, path: &'a str) -> Place<'a> {
        let d = &site.docs[id];
        let fallback = d.translations[Site::DEFAULT_LANGUAGE].unwrap_or(id);
        let translations = d
            .translations
            .iter()
            .map(|t| {
                let (shown, exists) = match t {
                    Some(t) => (*t, true),
                    None => (fallback, false),
                };
                Counterpart {
                    url: site.docs[shown].url.clone(),
                    exists,
                    title: Some(reads.title(shown).to_string()),
                }
            })
            .collect();
        Place {
            lang: d.lang,
            path,
            translations,
        }
    }

    /// Counterparts of a generated page that exists in every language at `prefix + suffix`.
    pub(crate) fn generated<'a>(
        site: &Site,
        lang: LangId,
        path: &'a str,
        suffix: &str,
    ) -> Place<'a> {
        let translations = site
            .languages
            .iter()
            .map(|l| Counterpart {
                url: format!("{}{suffix}", l.prefix),
                exists: true,
                title: None,
            })
            .collect();
        Place {
            lang,
            path,
            translations,
        }
    }
}

/// The base context every template gets. `is_preview`: rendering for the preview server.
pub(crate) fn base_context(
    site: &Site,
    shared: &SharedValues,
    reads: &Reads,
    place: &Place,
    is_preview: bool,
) -> Ctx {
    let lang = &site.languages[place.lang];
    let mut ctx = Ctx::default();
    ctx.insert("site", shared.site[place.lang].clone());
    ctx.insert("lang", lang.code.as_str().into());
    ctx.insert("dir", lang.direction.as_str().into());
    ctx.insert("language", shared.language[place.lang].clone());
    ctx.insert("data", shared.data[place.lang].clone());
    use super::images::card;
    let home_card_link = card::home_card_link(site, place.lang);
    let home_card = home_card_link
        .as_deref()
        .map(|link| card::permalink(site, link));
    let card = card::card_url(site, place.path, place.lang);
    // A page without a card of its own shows the home page's: its alt text needs the title
    // drawn on it, which is the home page's.
    if card.is_some() && card == home_card {
        if let Some(home) = site.homes.get(place.lang.index()).copied().flatten() {
            ctx.insert("card_title", reads.title(home).into());
        }
    }
    if let Some(card) = card {
        ctx.insert("card", card.into());
    }
    if let Some(card) = home_card {
        ctx.insert("home_card", card.into());
    }
    if let Some(link) = home_card_link {
        ctx.insert("home_card_link", link.into());
    }
    let translations: Vec<Value> = site
        .each_language()
        .zip(&place.translations)
        .map(|((i, l), t)| {
            obj([
                ("code", l.code.as_str().into()),
                ("name", l.name.as_str().into()),
                ("dir", l.direction.as_str().into()),
                ("url", t.url.as_str().into()),
                ("exists", t.exists.into()),
                ("is_current", (i == place.lang).into()),
                ("title", opt(t.title.as_deref())),
            ])
        })
        .collect();
    ctx.insert("translations", translations.into());
    ctx.insert("head_links", Value::safe_string(&head_links(site, place)));
    ctx.insert("canonical", site.permalink(place.path).into());
    ctx.insert("current_path", place.path.into());
    ctx.insert(
        "feed_url",
        site.permalink(&format!("{}/atom.xml", lang.prefix)).into(),
    );
    let menu = shared.menu(site, reads, place.lang, place.path);
    ctx.insert("menu", menu.into());
    ctx.insert("menus", shared.menus(site, reads, place.lang, place.path));
    ctx.insert("is_serve", is_preview.into());
    ctx
}

/// Whether a menu entry is the current page or a section that contains it.
fn menu_is_current(site: &Site, m: &MenuItem, path: &str) -> bool {
    let d = &site.docs[m.id];
    let is_root = site.strip_base_path(&d.url) == "/";
    path == d.url || (!is_root && d.is_section() && path.starts_with(&d.url))
}

fn menu_value(site: &Site, title: &str, m: &MenuItem, is_current: bool) -> Value {
    let d = &site.docs[m.id];
    obj([
        ("title", title.into()),
        ("url", d.url.as_str().into()),
        ("weight", opt(d.source.front_matter.weight)),
        ("lang", site.languages[d.lang].code.as_str().into()),
        (
            "extra",
            Value::from_serializable(&d.source.front_matter.extra),
        ),
        ("is_fallback", m.is_fallback.into()),
        ("is_current", is_current.into()),
    ])
}

/// Canonical, hreflang alternates (reciprocal, absolute, with x-default) and the feed link.
pub(crate) fn head_links(site: &Site, place: &Place) -> String {
    let mut out = String::with_capacity(512);
    let esc = super::escape::html;
    out.push_str(&format!(
        "<link rel=\"canonical\" href=\"{}\">\n",
        esc(&site.permalink(place.path))
    ));
    let existing: Vec<(&Language, &String)> = site
        .languages
        .iter()
        .zip(&place.translations)
        .filter(|(_, t)| t.exists)
        .map(|(l, t)| (l, &t.url))
        .collect();
    if existing.len() > 1 {
        for (l, url) in &existing {
            out.push_str(&format!(
                "<link rel=\"alternate\" hreflang=\"{}\" href=\"{}\">\n",
                l.code,
                esc(&site.permalink(url))
            ));
        }
        let default_url = place
            .translations
            .first()
            .map(|t| t.url.as_str())
            .unwrap_or("/");
        let x_default = if site.config.default_language_in_subdir
            && default_url == site.languages[0].prefix.clone() + "/"
        {
            site.root_url()
        } else {
            default_url.to_string()
        };
        out.push_str(&format!(
            "<link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\">\n",
            esc(&site.permalink(&x_default))
        ));
    }
    if site.config.generate_feeds {
        let lang = &site.languages[place.lang];
        out.push_str(&format!(
            "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"{}\" href=\"{}\">",
            esc(&lang.title),
            esc(&site.permalink(&format!("{}/atom.xml", lang.prefix)))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summaries(titles: &[&str]) -> Summaries {
        let values: Vec<Value> = titles
            .iter()
            .map(|t| obj([("title", (*t).into())]))
            .collect();
        let digests = values.iter().map(value_digest).collect();
        Summaries {
            values,
            digests: Some(digests),
        }
    }

    fn fingerprint(base: &str, list: &Summaries, range: Range<usize>) -> u64 {
        let (value, digest) = with_summaries(obj([("name", base.into())]), "pages", list, range);
        assert!(digest.is_some(), "digested summaries give a digest");
        let mut ctx = Ctx::default();
        ctx.insert_digested("term", value, digest);
        let mut h = std::hash::DefaultHasher::new();
        ctx.hash_into(&mut h);
        h.finish()
    }

    #[test]
    fn a_digest_changes_with_every_part_a_template_sees() {
        let a = summaries(&["x", "y", "z"]);
        let same = fingerprint("t", &a, 0..3);
        assert_eq!(same, fingerprint("t", &summaries(&["x", "y", "z"]), 0..3));
        assert_ne!(same, fingerprint("t", &summaries(&["x", "Y", "z"]), 0..3));
        assert_ne!(same, fingerprint("u", &a, 0..3));
        assert_ne!(same, fingerprint("t", &a, 0..2));
        assert_ne!(same, fingerprint("t", &summaries(&["y", "x", "z"]), 0..3));
    }

    #[test]
    fn a_value_with_summaries_holds_them_in_range() {
        let (value, _) = with_summaries(
            obj([("name", "t".into())]),
            "pages",
            &summaries(&["x", "y", "z"]),
            1..3,
        );
        let field =
            |v: &Value, k: &'static str| v.as_map()?.get(&tera::value::Key::from(k)).cloned();
        let pages = field(&value, "pages").unwrap_or_else(Value::none);
        let titles: Vec<String> = pages
            .as_array()
            .unwrap_or_default()
            .iter()
            .filter_map(|p| Some(field(p, "title")?.as_str()?.to_string()))
            .collect();
        assert_eq!(titles, ["y", "z"]);
        assert_eq!(
            field(&value, "name").as_ref().and_then(Value::as_str),
            Some("t")
        );
    }
}
