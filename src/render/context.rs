//! Template contexts: turns the model and the rendered Markdown into Tera values. Site- and
//! language-level values are built once; each document's listing summary is built once and shared
//! (Tera values are reference-counted), so a section never re-serialises its pages per render.

use crate::model::{Doc, DocId, Language, Site};
use crate::render::DocContent;
use crate::render::markdown::TocEntry;
use std::sync::OnceLock;
use tera::Value;

/// Builds a Tera map from `(key, value)` pairs.
pub fn obj(pairs: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    // Sized up front: no rehashing while it fills (Tera copies it into its own map once more).
    let pairs = pairs.into_iter();
    let mut map = tera::Map::with_capacity(pairs.size_hint().0);
    for (k, v) in pairs {
        map.insert(k.into(), v);
    }
    Value::from(map)
}

/// A string, or none.
pub fn opt(value: Option<impl Into<Value>>) -> Value {
    value.map(Into::into).unwrap_or_else(Value::none)
}

/// Values shared by every render of one build.
pub struct SharedValues {
    /// `site` per language.
    pub site: Vec<Value>,
    /// `language` per language.
    pub language: Vec<Value>,
    /// `menu` entries per language.
    pub menu: Vec<Vec<MenuItem>>,
    /// `menu` entries per language as template values, `is_current` false.
    pub menu_values: Vec<Vec<Value>>,
    /// Each document's listing summary (no content), built when a listing first shows it: a
    /// build renders the pages before the listings, so the summaries take the memory that the
    /// pages' HTML leaves.
    summaries: Vec<OnceLock<Value>>,
    /// Each document's listing summary marked as a fallback, built likewise.
    fallback_summaries: Vec<OnceLock<Value>>,
    /// `{ name, url }` of every taxonomy term, by taxonomy and term index: built once and shared
    /// by the summary of every document that has the term.
    terms: Vec<Vec<Value>>,
}

/// One menu entry.
pub struct MenuItem {
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
        let menu: Vec<Vec<MenuItem>> = (0..site.languages.len())
            .map(|l| menu_items(site, l))
            .collect();
        let menu_values = menu
            .iter()
            .map(|items| {
                items
                    .iter()
                    .map(|m| menu_value(site, contents, m, false))
                    .collect()
            })
            .collect();
        SharedValues {
            site: site_values,
            language,
            menu,
            menu_values,
            summaries: site.docs.iter().map(|_| OnceLock::new()).collect(),
            fallback_summaries: site.docs.iter().map(|_| OnceLock::new()).collect(),
            terms: term_values(site),
        }
    }

    /// Document `id`'s listing summary; `is_fallback` marks it as shown in another language.
    pub fn summary(
        &self,
        site: &Site,
        contents: &[std::sync::Arc<DocContent>],
        id: DocId,
        is_fallback: bool,
    ) -> Value {
        let cell = if is_fallback {
            &self.fallback_summaries[id]
        } else {
            &self.summaries[id]
        };
        cell.get_or_init(|| obj(doc_pairs(site, contents, &self.terms, id, is_fallback)))
            .clone()
    }
}

impl SharedValues {
    /// Updates document `id`'s values after its rendered content changed (the model did not):
    /// its listing summaries are built again when next shown and, when it is a menu entry, that
    /// language's menu is built again now.
    pub fn refresh_doc(&mut self, site: &Site, contents: &[std::sync::Arc<DocContent>], id: DocId) {
        self.summaries[id] = OnceLock::new();
        self.fallback_summaries[id] = OnceLock::new();
        for (items, values) in self.menu.iter().zip(self.menu_values.iter_mut()) {
            if items.iter().any(|m| m.id == id) {
                *values = items
                    .iter()
                    .map(|m| menu_value(site, contents, m, false))
                    .collect();
            }
        }
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
                .taxonomies
                .iter()
                .map(|t| Value::from(t.name.as_str()))
                .collect::<Vec<_>>()
                .into(),
        ),
    ])
}

/// Top-level sections and pages of the home page in language `lang`, by weight.
fn menu_items(site: &Site, lang: usize) -> Vec<MenuItem> {
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
    if let Some(default_home) =
        site.homes[Site::DEFAULT_LANGUAGE].filter(|_| site.languages[lang].fallback && lang != 0)
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
pub fn full_doc_value(
    site: &Site,
    contents: &[std::sync::Arc<DocContent>],
    shared: &SharedValues,
    id: DocId,
) -> Value {
    let d = &site.docs[id];
    let c = &contents[id];
    let summary = doc_pairs(site, contents, &shared.terms, id, false);
    obj(summary.into_iter().chain([
        ("content", c.html.clone()),
        ("toc", toc_value(&c.toc)),
        ("previous", neighbour(site, contents, d.previous)),
        ("next", neighbour(site, contents, d.next)),
    ]))
}

/// The fields of a document's listing summary (no content). `is_fallback` marks listing entries
/// shown in another language; `terms` are [`SharedValues::terms`].
fn doc_pairs(
    site: &Site,
    contents: &[std::sync::Arc<DocContent>],
    terms: &[Vec<Value>],
    id: DocId,
    is_fallback: bool,
) -> [(&'static str, Value); 17] {
    let d = &site.docs[id];
    let c = &contents[id];
    let fm = &d.source.front_matter;
    [
        ("title", c.title.as_str().into()),
        ("description", opt(c.description.as_deref())),
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
        ("summary", opt(c.summary.as_deref().map(Value::safe_string))),
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
                .map(|a| Value::from(asset_url(d, a)))
                .collect::<Vec<_>>()
                .into(),
        ),
        ("is_fallback", (is_fallback || d.generated).into()),
        ("is_section", d.is_section().into()),
    ]
}

/// URL of a bundle or section asset next to its document, keeping the folders below the
/// document's own (`img/a.png`).
pub fn asset_url(d: &Doc, rel_path: &str) -> String {
    let dir = d.asset_dir().unwrap_or_default();
    let below = if dir.is_empty() {
        rel_path
    } else {
        rel_path
            .strip_prefix(dir.as_str())
            .and_then(|r| r.strip_prefix('/'))
            .unwrap_or_else(|| crate::load::content::split_dir(rel_path).1)
    };
    format!("{}{below}", d.url)
}

fn neighbour(site: &Site, contents: &[std::sync::Arc<DocContent>], id: Option<DocId>) -> Value {
    opt(id.map(|id| {
        obj([
            ("title", contents[id].title.as_str().into()),
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

fn toc_value(toc: &[TocEntry]) -> Value {
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
pub struct Place<'a> {
    /// Language index.
    pub lang: usize,
    /// Root-relative URL of this output.
    pub path: &'a str,
    /// For each language, (URL, exists, title) of this output's counterpart.
    pub translations: Vec<(String, bool, Option<String>)>,
}

impl Place<'_> {
    /// The counterparts of a document: its translations, else the default-language version.
    pub fn for_doc<'a>(
        site: &Site,
        contents: &[std::sync::Arc<DocContent>],
        id: DocId,
        path: &'a str,
    ) -> Place<'a> {
        let d = &site.docs[id];
        let fallback = d.translations[Site::DEFAULT_LANGUAGE].unwrap_or(id);
        let translations = d
            .translations
            .iter()
            .map(|t| match t {
                Some(t) => (
                    site.docs[*t].url.clone(),
                    true,
                    Some(contents[*t].title.clone()),
                ),
                None => (
                    site.docs[fallback].url.clone(),
                    false,
                    Some(contents[fallback].title.clone()),
                ),
            })
            .collect();
        Place {
            lang: d.lang,
            path,
            translations,
        }
    }

    /// Counterparts of a generated page that exists in every language at `prefix + suffix`.
    pub fn generated<'a>(site: &Site, lang: usize, path: &'a str, suffix: &str) -> Place<'a> {
        let translations = site
            .languages
            .iter()
            .map(|l| (format!("{}{suffix}", l.prefix), true, None))
            .collect();
        Place {
            lang,
            path,
            translations,
        }
    }
}

/// The base context every template gets.
pub fn base_context(
    site: &Site,
    shared: &SharedValues,
    contents: &[std::sync::Arc<DocContent>],
    place: &Place,
    is_serve: bool,
) -> tera::Context {
    let lang = &site.languages[place.lang];
    let mut ctx = tera::Context::new();
    ctx.insert_value("site", shared.site[place.lang].clone());
    ctx.insert_value("lang", lang.code.as_str().into());
    ctx.insert_value("dir", lang.direction.as_str().into());
    ctx.insert_value("language", shared.language[place.lang].clone());
    let translations: Vec<Value> = site
        .languages
        .iter()
        .zip(&place.translations)
        .enumerate()
        .map(|(i, (l, (url, exists, title)))| {
            obj([
                ("code", l.code.as_str().into()),
                ("name", l.name.as_str().into()),
                ("dir", l.direction.as_str().into()),
                ("url", url.as_str().into()),
                ("exists", (*exists).into()),
                ("is_current", (i == place.lang).into()),
                ("title", opt(title.as_deref())),
            ])
        })
        .collect();
    ctx.insert_value("translations", translations.into());
    ctx.insert_value("head_links", Value::safe_string(&head_links(site, place)));
    ctx.insert_value("canonical", site.permalink(place.path).into());
    ctx.insert_value("current_path", place.path.into());
    ctx.insert_value(
        "feed_url",
        site.permalink(&format!("{}/atom.xml", lang.prefix)).into(),
    );
    let mut menu = shared.menu_values[place.lang].clone();
    for (value, m) in menu.iter_mut().zip(&shared.menu[place.lang]) {
        if menu_is_current(site, m, place.path) {
            *value = menu_value(site, contents, m, true);
        }
    }
    ctx.insert_value("menu", menu.into());
    ctx.insert_value("is_serve", is_serve.into());
    ctx
}

/// Whether a menu entry is the current page or a section that contains it.
fn menu_is_current(site: &Site, m: &MenuItem, path: &str) -> bool {
    let d = &site.docs[m.id];
    let is_root = site.strip_base_path(&d.url) == "/";
    path == d.url || (!is_root && d.is_section() && path.starts_with(&d.url))
}

fn menu_value(
    site: &Site,
    contents: &[std::sync::Arc<DocContent>],
    m: &MenuItem,
    is_current: bool,
) -> Value {
    let d = &site.docs[m.id];
    obj([
        ("title", contents[m.id].title.as_str().into()),
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
pub fn head_links(site: &Site, place: &Place) -> String {
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
        .filter(|(_, (_, exists, _))| *exists)
        .map(|(l, (url, _, _))| (l, url))
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
            .map(|t| t.0.as_str())
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
