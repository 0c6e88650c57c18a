//! Rendering one planned output in two steps. [`RenderInput::prepare`] gathers everything the
//! output's bytes follow from (a template and its complete context, a feed's entries, the bytes
//! of a small generated file, a file to copy), recording which rendered Markdown it read (see
//! [`super::deps`]); [`RenderInput::fingerprint`] hashes that; [`RenderInput::finish`] produces
//! the bytes. An incremental rebuild prepares and fingerprints, and finishes only what changed.

use super::context::{
    self, Counterpart, Ctx, Place, SharedValues, Summaries, base_context, obj, opt,
};
use super::deps::{Dep, Reads};
use super::escape::html as escape;
use super::plan::{Job, Planned, pager_count, pager_url};
use super::templates::{TemplateName, Templates};
use super::{DocContent, calendar, feeds, hosting, sitemap};
use crate::error::{Diagnostic, Result};
use crate::hash::hash_bytes;
use crate::model::{DocId, LangId, Site, TaxonomyId, TermId};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use tera::Value;

/// What a job produces.
pub enum Output {
    /// Rendered bytes.
    Bytes(Vec<u8>),
    /// A file to copy.
    Copy(PathBuf),
}

/// Everything an output's bytes follow from, gathered but not yet rendered.
pub enum Prepared<'a> {
    /// A template with its context.
    Template {
        /// The template's name.
        name: String,
        /// Its context.
        context: Ctx,
        /// The content file shown, for error messages.
        source: Option<PathBuf>,
    },
    /// An Atom feed.
    Feed(feeds::Feed<'a>),
    /// Finished bytes (small generated files: fingerprinted by their bytes).
    Bytes(Vec<u8>),
    /// A file to copy.
    Copy(PathBuf),
    /// An image to copy without its metadata (see [`super::images::strip`]).
    StrippedCopy(PathBuf),
    /// A share card: what it shows.
    Card(CardFields),
}

/// What a share card shows, owned until the card is drawn.
#[derive(Debug)]
pub struct CardFields {
    /// The page title.
    title: String,
    /// The site name in the page's language.
    site_name: String,
    /// Language code.
    lang: String,
    /// Right to left.
    rtl: bool,
}

impl CardFields {
    /// The borrowed view the card renderer keys and draws by.
    fn text(&self) -> super::images::card::CardText<'_> {
        super::images::card::CardText {
            title: &self.title,
            site_name: &self.site_name,
            lang: &self.lang,
            rtl: self.rtl,
        }
    }
}

/// How the engine renders: for publishing (fingerprinted asset names, host files), for the
/// preview server (`?h=` asset URLs, no host files, `is_serve` true) or for `ludd check`
/// (as published, kept in memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// `ludd build` and `ludd deploy`.
    #[default]
    Publish,
    /// `ludd serve`.
    Preview,
    /// `ludd check`.
    Check,
}

impl Mode {
    /// Whether pages link static files by fingerprinted names (and the plan holds those copies
    /// and the host files): everywhere but the preview, whose live reload swaps style sheets
    /// by their `?h=` query.
    pub fn for_hosts(self) -> bool {
        self != Mode::Preview
    }

    /// Whether this renders for the preview server (the templates' `is_serve`).
    pub fn is_preview(self) -> bool {
        self == Mode::Preview
    }
}

/// Everything a job needs to render.
pub struct RenderInput<'a> {
    /// The model.
    pub site: &'a Site,
    /// Rendered Markdown per document, read through [`Reads`] only.
    pub contents: &'a [Arc<DocContent>],
    /// Shared template values.
    pub shared: &'a SharedValues,
    /// Templates.
    pub templates: &'a Templates,
    /// How to render.
    pub mode: Mode,
    /// Paths of the fingerprinted static copies (for `_headers`).
    pub fingerprinted: &'a [String],
    /// Fingerprints a copied file (see [`RenderInput::fingerprint`]).
    pub file_fingerprint: &'a (dyn Fn(&std::path::Path) -> u64 + Sync),
}

impl<'a> RenderInput<'a> {
    /// Renders a job's output.
    pub fn render(&self, planned: &Planned) -> Result<Output> {
        let reads = Reads::new(self.contents, false);
        let prepared = self.prepare(planned, &reads)?;
        self.finish(prepared)
    }

    /// Prepares a job's output; with `record`, also returns the rendered Markdown it read.
    pub fn prepare_recorded(
        &self,
        planned: &Planned,
        record: bool,
    ) -> Result<(Prepared<'a>, Vec<Dep>)> {
        let reads = Reads::new(self.contents, record);
        let prepared = self.prepare(planned, &reads)?;
        Ok((prepared, reads.into_deps()))
    }

    /// Gathers what a job's output follows from, reading rendered Markdown through `reads`.
    pub fn prepare(&self, planned: &Planned, reads: &Reads<'a>) -> Result<Prepared<'a>> {
        let site = self.site;
        let bytes = |s: String| Ok(Prepared::Bytes(s.into_bytes()));
        match &planned.job {
            Job::Doc { id, .. } if site.docs[*id].redirect.is_some() => {
                let d = &site.docs[*id];
                let target = d.redirect.as_deref().unwrap_or_default();
                bytes(redirect_page(site, target, reads.title(*id), d.lang))
            }
            Job::Doc { id, pager } => self.doc(*id, *pager, reads),
            Job::TaxonomyList { taxonomy } => Ok(self.taxonomy_list(*taxonomy, reads)),
            Job::Term {
                taxonomy,
                term,
                pager,
            } => Ok(self.term(*taxonomy, *term, *pager, reads)),
            Job::TermFeed { taxonomy, term } => Ok(Prepared::Feed(feeds::term_feed(
                site, reads, *taxonomy, *term,
            ))),
            Job::NotFound { lang } => Ok(self.not_found(*lang, false, reads)),
            Job::RootNotFound => Ok(self.not_found(Site::DEFAULT_LANGUAGE, true, reads)),
            Job::Fingerprinted { index } => Ok(Prepared::Copy(
                site.theme.static_files[*index].source.clone(),
            )),
            Job::Headers => bytes(hosting::headers(site, self.fingerprinted)),
            Job::Redirects => bytes(hosting::redirects(site)),
            Job::NoJekyll => bytes(String::new()),
            Job::Cname => bytes(hosting::cname(
                site.config.hosting.cname.as_deref().unwrap_or_default(),
            )),
            Job::Feed { lang } => Ok(Prepared::Feed(feeds::language_feed(site, reads, *lang))),
            Job::Sitemap { part } => bytes(sitemap::render(site, *part)),
            Job::Robots => bytes(robots(site)),
            Job::Alias { id, .. } => {
                let d = &site.docs[*id];
                bytes(redirect_page(site, &d.url, reads.title(*id), d.lang))
            }
            Job::Chooser => self.chooser(reads),
            Job::Calendar {
                calendar,
                lang,
                event,
            } => {
                let cal = &site.config.calendars[*calendar];
                let mut events = calendar::events(site, cal, *lang)?;
                if let Some(i) = event {
                    events = events.into_iter().skip(*i).take(1).collect();
                }
                bytes(calendar::render(site, cal, *lang, &events))
            }
            Job::Static { index } => Ok(Prepared::Copy(
                site.theme.static_files[*index].source.clone(),
            )),
            Job::Asset { id, asset } => {
                let rel = &site.docs[*id].assets[*asset];
                let source = site
                    .assets
                    .iter()
                    .find(|a| &a.rel_path == rel)
                    .map(|a| a.source.clone());
                let source = source.ok_or_else(|| {
                    Diagnostic::new(
                        crate::layout::content_path(rel),
                        "file vanished during the build",
                    )
                })?;
                let strip = super::images::strip::is_strippable(&source)
                    && !site.config.images.keep_metadata;
                Ok(if strip {
                    Prepared::StrippedCopy(source)
                } else {
                    Prepared::Copy(source)
                })
            }
            Job::Image { file } => Ok(Prepared::Copy(file.clone())),
            Job::Card { id } => {
                let d = &site.docs[*id];
                let language = &site.languages[d.lang];
                Ok(Prepared::Card(CardFields {
                    title: reads.title(*id).to_string(),
                    site_name: super::images::card::site_name(site, d.lang),
                    lang: language.code.clone(),
                    rtl: language.direction == crate::load::config::Direction::Rtl,
                }))
            }
        }
    }

    /// The fingerprint of a prepared output: equal fingerprints, equal bytes. A template output
    /// hashes its template (with everything it pulls in), the template environment and the
    /// whole context; a feed its entries; generated files their bytes; copies their source.
    pub fn fingerprint(&self, prepared: &Prepared) -> u64 {
        let mut h = DefaultHasher::new();
        std::mem::discriminant(prepared).hash(&mut h);
        match prepared {
            Prepared::Template { name, context, .. } => {
                name.hash(&mut h);
                self.templates.fingerprint(name).hash(&mut h);
                self.templates.environment().hash(&mut h);
                context.hash_into(&mut h);
            }
            Prepared::Feed(feed) => feed.hash(&mut h),
            Prepared::Bytes(b) => hash_bytes(b).hash(&mut h),
            Prepared::Copy(path) | Prepared::StrippedCopy(path) => {
                (self.file_fingerprint)(path).hash(&mut h);
            }
            Prepared::Card(card) => self.templates.images.card_key(&card.text()).hash(&mut h),
        }
        h.finish()
    }

    /// Produces the bytes (or the file to copy) of a prepared output.
    pub fn finish(&self, prepared: Prepared) -> Result<Output> {
        match prepared {
            Prepared::Template {
                name,
                context,
                source,
            } => {
                let text = self.templates.render(&name, &context.into_tera());
                let text = match source {
                    Some(source) => text.map_err(|e| while_rendering(e, &source))?,
                    None => text?,
                };
                Ok(Output::Bytes(text.into_bytes()))
            }
            Prepared::Feed(feed) => Ok(Output::Bytes(feed.render().into_bytes())),
            Prepared::Bytes(b) => Ok(Output::Bytes(b)),
            Prepared::Copy(p) => Ok(Output::Copy(p)),
            Prepared::Card(card) => {
                let images = &self.templates.images;
                images
                    .card(&card.text())
                    .map(Output::Copy)
                    .map_err(|e| e.diagnostic(images.root()).into())
            }
            Prepared::StrippedCopy(p) => {
                let images = &self.templates.images;
                images
                    .copy_bytes(&p)
                    .map(Output::Bytes)
                    .map_err(|e| e.diagnostic(images.root()).into())
            }
        }
    }

    fn doc(&self, id: DocId, pager: usize, reads: &Reads<'a>) -> Result<Prepared<'a>> {
        let site = self.site;
        let d = &site.docs[id];
        let url = pager_url(&d.url, pager);
        let mut place = Place::for_doc(site, reads, id, &url);
        if pager > 1 {
            // Pager k of a listing corresponds to pager k of its translations, where they have one.
            for t in &mut place.translations {
                let pagers = site.by_url.get(t.url.as_str()).map(|&t| {
                    pager_count(site.docs[t].pages.len(), site.pagination(&site.docs[t]))
                });
                if t.exists && pagers.is_some_and(|n| n >= pager) {
                    t.url = pager_url(&t.url, pager);
                } else {
                    t.exists = false;
                }
            }
        }
        let mut ctx = base_context(site, self.shared, reads, &place, self.mode.is_preview());
        let value = context::full_doc_value(site, reads, self.shared, id);
        let template = match &d.source.front_matter.template {
            Some(t) => t.clone(),
            None if d.is_section() && d.parent.is_none() && d.source.section_dir.is_empty() => {
                TemplateName::Index.to_string()
            }
            None if d.is_section() => TemplateName::Section.to_string(),
            None => TemplateName::Page.to_string(),
        };
        if d.is_section() {
            let pages =
                self.shared
                    .summaries(site, reads, d.pages.iter().map(|l| (l.id, l.is_fallback)));
            let subsections: Vec<Value> = d
                .subsections
                .iter()
                .map(|&s| {
                    let listing = reads.listing(s);
                    obj([
                        ("title", listing.title.into()),
                        ("description", opt(listing.description)),
                        ("url", site.docs[s].url.as_str().into()),
                        (
                            "lang",
                            site.languages[site.docs[s].lang].code.as_str().into(),
                        ),
                        ("weight", opt(site.docs[s].source.front_matter.weight)),
                        (
                            "extra",
                            Value::from_serializable(&site.docs[s].source.front_matter.extra),
                        ),
                    ])
                })
                .collect();
            if let Some(n) = site.pagination(d) {
                let (value, digest) = paginator(&pages, n, pager, &d.url);
                ctx.insert_digested("paginator", value, digest);
            }
            let mut map = value.into_map().unwrap_or_default();
            map.insert("subsections".into(), subsections.into());
            let (section, digest) =
                context::with_summaries(Value::from(map), "pages", &pages, 0..pages.len());
            ctx.insert_digested("section", section, digest);
        } else {
            ctx.insert("page", value);
        }
        if !self.templates.has(&template) {
            return Err(Diagnostic::new(
                super::source_path(site, id),
                format!("template `{template}` does not exist"),
            )
            .at_optional_line(d.source.line_of("template"))
            .with_help("add it to templates/ or the theme, or fix the `template` field")
            .into());
        }
        Ok(Prepared::Template {
            name: template,
            context: ctx,
            source: Some(super::source_path(site, id)),
        })
    }

    fn taxonomy_list(&self, t: TaxonomyId, reads: &Reads<'a>) -> Prepared<'a> {
        let site = self.site;
        let tax = &site.taxonomies[t];
        // A language whose taxonomy has no terms has no list page: fall back like a document does.
        let list_in = |l: LangId| {
            site.taxonomies
                .iter()
                .find(|x| x.lang == l && x.config.name == tax.config.name && x.has_list())
        };
        let fallback =
            list_in(Site::DEFAULT_LANGUAGE).map_or_else(|| tax.url.clone(), |x| x.url.clone());
        let translations = LangId::all(site.languages.len())
            .map(|l| match list_in(l) {
                Some(x) => Counterpart {
                    url: x.url.clone(),
                    exists: true,
                    title: None,
                },
                None => Counterpart {
                    url: fallback.clone(),
                    exists: false,
                    title: None,
                },
            })
            .collect();
        let place = Place {
            lang: tax.lang,
            path: &tax.url,
            translations,
        };
        let mut ctx = base_context(site, self.shared, reads, &place, self.mode.is_preview());
        let mut taxonomy = taxonomy_fields(site, t);
        taxonomy.extend(page_fields(site, tax.page, reads));
        ctx.insert("taxonomy", obj(taxonomy));
        let terms: Vec<Value> = tax
            .terms
            .iter()
            .map(|term| {
                obj([
                    ("name", term.name.as_str().into()),
                    ("slug", term.slug.as_str().into()),
                    ("url", term.url.as_str().into()),
                    ("count", term.pages.len().into()),
                ])
            })
            .collect();
        ctx.insert("terms", terms.into());
        Prepared::Template {
            name: TemplateName::TaxonomyList.to_string(),
            context: ctx,
            source: None,
        }
    }

    fn term(&self, t: TaxonomyId, term: TermId, pager: usize, reads: &Reads<'a>) -> Prepared<'a> {
        let site = self.site;
        let tax = &site.taxonomies[t];
        let tm = &tax.terms[term];
        let url = pager_url(&tm.url, pager);
        // The same term in each language; else the default language's term page; else that
        // language's term list; else the current page.
        let term_in = |l: LangId| {
            site.taxonomies
                .iter()
                .find(|x| x.lang == l && x.config.name == tax.config.name)
                .and_then(|x| x.terms.iter().find(|o| o.slug == tm.slug))
        };
        let list_in = |l: LangId| {
            site.taxonomies
                .iter()
                .find(|x| x.lang == l && x.config.name == tax.config.name && x.has_list())
                .map(|x| x.url.clone())
        };
        let translations = LangId::all(site.languages.len())
            .map(|l| match term_in(l) {
                Some(o) => Counterpart {
                    url: o.url.clone(),
                    exists: true,
                    title: Some(o.name.clone()),
                },
                None => match term_in(Site::DEFAULT_LANGUAGE) {
                    Some(o) => Counterpart {
                        url: o.url.clone(),
                        exists: false,
                        title: Some(o.name.clone()),
                    },
                    None => Counterpart {
                        url: list_in(l).unwrap_or_else(|| tm.url.clone()),
                        exists: false,
                        title: None,
                    },
                },
            })
            .collect();
        let place = Place {
            lang: tax.lang,
            path: &url,
            translations,
        };
        let mut ctx = base_context(site, self.shared, reads, &place, self.mode.is_preview());
        ctx.insert("taxonomy", taxonomy_value(site, t));
        let pages = self
            .shared
            .summaries(site, reads, tm.pages.iter().map(|&p| (p, false)));
        if let Some(n) = tax.config.paginate_by {
            let (value, digest) = paginator(&pages, n, pager, &tm.url);
            ctx.insert_digested("paginator", value, digest);
        }
        let mut term = vec![
            ("name", tm.name.as_str().into()),
            ("slug", tm.slug.as_str().into()),
            ("url", tm.url.as_str().into()),
        ];
        term.extend(page_fields(site, tm.page, reads));
        let (term, digest) = context::with_summaries(obj(term), "pages", &pages, 0..pages.len());
        ctx.insert_digested("term", term, digest);
        Prepared::Template {
            name: TemplateName::TaxonomySingle.to_string(),
            context: ctx,
            source: None,
        }
    }

    /// A 404 page in `lang`; the root one (`root`) also lists every other language's message
    /// as `other_languages` (code, name, dir, home URL) for the template to show.
    fn not_found(&self, lang: LangId, root: bool, reads: &Reads<'a>) -> Prepared<'a> {
        let site = self.site;
        // The root 404 stands in for the language's own: same canonical URL and alternates.
        let path = format!("{}/404.html", site.languages[lang].prefix);
        let place = Place::generated(site, lang, &path, "/404.html");
        let mut ctx = base_context(site, self.shared, reads, &place, self.mode.is_preview());
        let others: Vec<Value> = site
            .each_language()
            .filter(|(l, _)| root && *l != lang)
            .map(|(l, language)| {
                let home = site.homes[l].map_or_else(
                    || format!("{}/", language.prefix),
                    |h| site.docs[h].url.clone(),
                );
                obj([
                    ("code", language.code.as_str().into()),
                    ("name", language.name.as_str().into()),
                    ("dir", language.direction.as_str().into()),
                    ("home_url", home.into()),
                ])
            })
            .collect();
        ctx.insert("other_languages", others.into());
        Prepared::Template {
            name: TemplateName::NotFound.to_string(),
            context: ctx,
            source: None,
        }
    }

    fn chooser(&self, reads: &Reads<'a>) -> Result<Prepared<'a>> {
        let site = self.site;
        let translations: Vec<Counterpart> = site
            .each_language()
            .map(|(l, lang)| match site.homes[l] {
                Some(h) => Counterpart {
                    url: site.docs[h].url.clone(),
                    exists: true,
                    title: Some(reads.title(h).to_string()),
                },
                None => Counterpart {
                    url: format!("{}/", lang.prefix),
                    exists: false,
                    title: None,
                },
            })
            .collect();
        let name = TemplateName::LanguageChooser.to_string();
        if self.templates.has(&name) {
            let root = site.root_url();
            let place = Place {
                lang: Site::DEFAULT_LANGUAGE,
                path: &root,
                translations,
            };
            let ctx = base_context(site, self.shared, reads, &place, self.mode.is_preview());
            return Ok(Prepared::Template {
                name,
                context: ctx,
                source: None,
            });
        }
        Ok(Prepared::Bytes(
            builtin_chooser(site, &translations).into_bytes(),
        ))
    }
}

/// Adds which content file was being rendered to a template error.
fn while_rendering(e: crate::error::Error, source: &std::path::Path) -> crate::error::Error {
    match e {
        crate::error::Error::Invalid(diagnostics) => crate::error::Error::Invalid(
            diagnostics
                .into_iter()
                .map(|mut d| {
                    let help = d.help.take().unwrap_or_default();
                    d.help = Some(format!("while rendering {}; {help}", source.display()));
                    d
                })
                .collect(),
        ),
        other => other,
    }
}

/// The fields of a term's or taxonomy's own page (`content/tags/climate/_index.md`) for its
/// `term` or `taxonomy` value: `title`, `description`, `content`, `toc` and `extra`, each none
/// without a page. Read through `reads`, so a text edit of that page reaches the output.
fn page_fields(site: &Site, page: Option<DocId>, reads: &Reads) -> [(&'static str, Value); 5] {
    match page {
        Some(id) => {
            let c = reads.body(id);
            [
                ("title", c.title.as_str().into()),
                ("description", opt(c.description.as_deref())),
                ("content", c.html.clone()),
                ("toc", context::toc_value(&c.toc)),
                (
                    "extra",
                    Value::from_serializable(&site.docs[id].source.front_matter.extra),
                ),
            ]
        }
        None => [
            ("title", Value::none()),
            ("description", Value::none()),
            ("content", Value::none()),
            ("toc", Vec::<Value>::new().into()),
            ("extra", Value::none()),
        ],
    }
}

fn taxonomy_value(site: &Site, t: TaxonomyId) -> Value {
    obj(taxonomy_fields(site, t))
}

fn taxonomy_fields(site: &Site, t: TaxonomyId) -> Vec<(&'static str, Value)> {
    let tax = &site.taxonomies[t];
    vec![
        ("name", tax.config.name.as_str().into()),
        ("url", tax.url.as_str().into()),
        ("lang", site.languages[tax.lang].code.as_str().into()),
        ("slug", tax.slug.as_str().into()),
    ]
}

/// The `paginator` value for pager `current` (from 1), with its digest (see
/// [`context::with_summaries`]).
fn paginator(pages: &Summaries, per: usize, current: usize, base: &str) -> (Value, Option<u64>) {
    let count = pager_count(pages.len(), Some(per));
    let start = (current - 1).saturating_mul(per).min(pages.len());
    let end = start.saturating_add(per).min(pages.len());
    let rest = obj([
        ("current_index", current.into()),
        ("number_pagers", count.into()),
        ("paginate_by", per.into()),
        ("total_pages", pages.len().into()),
        ("first", base.into()),
        ("last", pager_url(base, count).into()),
        (
            "previous",
            opt((current > 1).then(|| pager_url(base, current - 1))),
        ),
        (
            "next",
            opt((current < count).then(|| pager_url(base, current + 1))),
        ),
    ]);
    context::with_summaries(rest, "pages", pages, start..end)
}

/// A redirect page: meta refresh, canonical link, and a plain link for people.
pub(crate) fn redirect_page(site: &Site, target: &str, title: &str, lang: LangId) -> String {
    let l = &site.languages[lang];
    let absolute = target.starts_with("https://") || target.starts_with("http://");
    let url = escape(&if absolute {
        target.to_string()
    } else {
        site.permalink(target)
    });
    let text = site
        .theme
        .ui_strings
        .get(&l.code)
        .and_then(|m| m.get("redirect.text"))
        .cloned()
        .unwrap_or_else(|| "This page has moved to".to_string());
    format!(
        "<!doctype html>\n<html lang=\"{code}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" href=\"{url}\">\n<meta http-equiv=\"refresh\" content=\"0; url={url}\">\n</head>\n<body>\n<p>{text} <a href=\"{url}\">{title}</a>.</p>\n</body>\n</html>\n",
        code = l.code,
        dir = l.direction.as_str(),
        title = escape(title),
        text = escape(&text),
    )
}

fn builtin_chooser(site: &Site, translations: &[Counterpart]) -> String {
    let default = &site.languages[0];
    let mut links = String::new();
    for (l, Counterpart { url, .. }) in site.languages.iter().zip(translations) {
        links.push_str(&format!(
            "<li><a href=\"{}\" lang=\"{}\" hreflang=\"{}\">{}</a></li>\n",
            escape(url),
            l.code,
            l.code,
            escape(&l.name)
        ));
    }
    let root = site.root_url();
    let place = Place {
        lang: Site::DEFAULT_LANGUAGE,
        path: &root,
        translations: translations.to_vec(),
    };
    let title = site
        .theme
        .ui_strings
        .get(&default.code)
        .and_then(|m| m.get("chooser.title"))
        .cloned()
        .unwrap_or_else(|| default.title.clone());
    format!(
        "<!doctype html>\n<html lang=\"{code}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n{head}\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n<ul>\n{links}</ul>\n</main>\n</body>\n</html>\n",
        code = default.code,
        dir = default.direction.as_str(),
        title = escape(&title),
        head = context::head_links(site, &place),
    )
}

fn robots(site: &Site) -> String {
    let mut s = String::from("User-agent: *\nAllow: /\n");
    if site.config.generate_sitemap {
        s.push_str(&format!(
            "Sitemap: {}\n",
            site.permalink(&site.file_url("sitemap.xml"))
        ));
    }
    s
}
