//! The output plan: one job per file the site will contain, each with its output path, and the
//! rendering of a job into bytes. Two jobs that claim the same path are an error.

use super::context::{self, Place, SharedValues, base_context, obj, opt};
use super::escape::html as escape;
use super::templates::AssetHashes;
use super::templates::Templates;
use super::{DocContent, feeds, hosting, sitemap};
use crate::error::{Diagnostic, Error, Result};
use crate::model::{DocId, Site};
use std::collections::HashMap;
use std::path::PathBuf;
use tera::Value;

/// One output file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Job {
    /// A document (section pages may be paginated: `pager` from 1).
    Doc { id: DocId, pager: usize },
    /// A taxonomy's term list.
    TaxonomyList { taxonomy: usize },
    /// One term's pages.
    Term {
        taxonomy: usize,
        term: usize,
        pager: usize,
    },
    /// A term's Atom feed.
    TermFeed { taxonomy: usize, term: usize },
    /// A language's 404 page.
    NotFound { lang: usize },
    /// The root `404.html`, for hosts that serve one 404 page for every language.
    RootNotFound,
    /// A language's Atom feed.
    Feed { lang: usize },
    /// `sitemap.xml` (part 0) or its parts when split.
    Sitemap { part: usize },
    /// `robots.txt`.
    Robots,
    /// A redirect page for an alias.
    Alias { id: DocId, alias: usize },
    /// The language chooser at `/` (default language in a subfolder).
    Chooser,
    /// A static file from the theme or site.
    Static { index: usize },
    /// A bundle or section file copied next to its document.
    Asset { id: DocId, asset: usize },
    /// A static file's copy under its fingerprinted name (see [`hosting`]).
    Fingerprinted { index: usize },
    /// `_headers`.
    Headers,
    /// `_redirects`.
    Redirects,
    /// `.nojekyll`.
    NoJekyll,
    /// `CNAME`.
    Cname,
}

/// What a job produces.
pub enum Output {
    /// Rendered bytes.
    Bytes(Vec<u8>),
    /// A file to copy.
    Copy(PathBuf),
}

/// A job and its output path (relative to the output folder).
#[derive(Debug, Clone)]
pub struct Planned {
    /// The job.
    pub job: Job,
    /// Output path.
    pub path: String,
}

/// Number of pagers of a listing with `items` entries.
pub fn pager_count(items: usize, paginate_by: Option<usize>) -> usize {
    match paginate_by {
        Some(n) if n > 0 => items.div_ceil(n).max(1),
        _ => 1,
    }
}

/// URL of pager `k` (from 1) of a listing at `base`.
pub fn pager_url(base: &str, k: usize) -> String {
    if k <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{k}/")
    }
}

/// Lists every output of the site. `hashes` name the fingerprinted copies of static files;
/// the preview server (`for_hosts` false) needs neither them nor the host files: its pages
/// link `?h=` URLs (see `templates`), and its live reload swaps style sheets by those.
pub fn plan(site: &Site, hashes: &AssetHashes, for_hosts: bool) -> Result<Vec<Planned>> {
    let output_path = |url: &str| site.output_path(url);
    let mut jobs = Vec::new();
    let mut push = |job: Job, path: String| jobs.push(Planned { job, path });
    for (id, d) in site.docs.iter().enumerate() {
        let pagers = pager_count(d.pages.len(), site.pagination(d));
        for pager in 1..=pagers {
            push(
                Job::Doc { id, pager },
                output_path(&pager_url(&d.url, pager)),
            );
        }
        for (alias, path) in d.aliases.iter().enumerate() {
            push(Job::Alias { id, alias }, output_path(path));
        }
        for (asset, rel) in d.assets.iter().enumerate() {
            push(
                Job::Asset { id, asset },
                output_path(&context::asset_url(d, rel)),
            );
        }
    }
    for (t, tax) in site.taxonomies.iter().enumerate() {
        if tax.terms.is_empty() {
            continue;
        }
        push(Job::TaxonomyList { taxonomy: t }, output_path(&tax.url));
        for (term, tm) in tax.terms.iter().enumerate() {
            for pager in 1..=pager_count(tm.pages.len(), tax.config.paginate_by) {
                push(
                    Job::Term {
                        taxonomy: t,
                        term,
                        pager,
                    },
                    output_path(&pager_url(&tm.url, pager)),
                );
            }
            if tax.config.feed && site.config.generate_feeds {
                push(
                    Job::TermFeed { taxonomy: t, term },
                    format!(
                        "{}atom.xml",
                        output_path(&tm.url).trim_end_matches("index.html")
                    ),
                );
            }
        }
    }
    // The root 404 speaks every language; each language with its own folder has its own too.
    push(Job::RootNotFound, "404.html".to_string());
    for (lang, l) in site.languages.iter().enumerate() {
        let dir = dir_of(site.strip_base_path(&l.prefix));
        if !dir.is_empty() {
            push(Job::NotFound { lang }, format!("{dir}404.html"));
        }
        if site.config.generate_feeds {
            push(Job::Feed { lang }, format!("{dir}atom.xml"));
        }
    }
    if site.config.default_language_in_subdir {
        push(Job::Chooser, "index.html".to_string());
    }
    if site.config.generate_sitemap {
        for part in 0..sitemap::part_count(site) {
            push(Job::Sitemap { part }, sitemap::part_path(part));
        }
    }
    if site.config.generate_robots_txt {
        push(Job::Robots, "robots.txt".to_string());
    }
    if for_hosts {
        plan_host_files(site, &mut jobs);
    }
    let generated: std::collections::HashSet<String> =
        jobs.iter().map(|p| p.path.clone()).collect();
    for (index, f) in site.theme.static_files.iter().enumerate() {
        // A static file never replaces a generated page.
        if !generated.contains(&f.rel_path) {
            jobs.push(Planned {
                job: Job::Static { index },
                path: f.rel_path.clone(),
            });
            if let Some(hash) = hashes.0.get(&f.rel_path).filter(|_| for_hosts) {
                jobs.push(Planned {
                    job: Job::Fingerprinted { index },
                    path: hosting::fingerprinted_path(&f.rel_path, hash),
                });
            }
        }
    }
    check_collisions(site, &jobs)?;
    Ok(jobs)
}

/// `_headers`, `_redirects`, `.nojekyll` and `CNAME` as `[hosting]` asks; a site's own static
/// file of the same name wins over the generated one.
fn plan_host_files(site: &Site, jobs: &mut Vec<Planned>) {
    let hosting = &site.config.hosting;
    let wanted = [
        (hosting.headers, Job::Headers, "_headers"),
        (hosting.redirects, Job::Redirects, "_redirects"),
        (hosting.nojekyll, Job::NoJekyll, ".nojekyll"),
        (hosting.cname.is_some(), Job::Cname, "CNAME"),
    ];
    for (on, job, path) in wanted {
        let own = site.theme.static_files.iter().any(|f| f.rel_path == path);
        if on && !own {
            jobs.push(Planned {
                job,
                path: path.to_string(),
            });
        }
    }
}

/// Output paths of the fingerprinted static copies in `plan`.
pub fn fingerprinted_paths(plan: &[Planned]) -> Vec<String> {
    plan.iter()
        .filter(|p| matches!(p.job, Job::Fingerprinted { .. }))
        .map(|p| p.path.clone())
        .collect()
}

fn dir_of(prefix: &str) -> String {
    let p = prefix.trim_start_matches('/');
    if p.is_empty() {
        String::new()
    } else {
        format!("{p}/")
    }
}

fn describe(site: &Site, job: &Job) -> String {
    match job {
        Job::Doc { id, .. } | Job::Asset { id, .. } => {
            format!("content/{}", site.docs[*id].source.rel_path)
        }
        Job::Alias { id, .. } => format!("an alias of content/{}", site.docs[*id].source.rel_path),
        Job::TaxonomyList { taxonomy }
        | Job::Term { taxonomy, .. }
        | Job::TermFeed { taxonomy, .. } => {
            format!("the `{}` taxonomy", site.taxonomies[*taxonomy].config.name)
        }
        _ => "a generated file".to_string(),
    }
}

fn check_collisions(site: &Site, jobs: &[Planned]) -> Result<()> {
    let mut seen: HashMap<&str, &Job> = HashMap::with_capacity(jobs.len());
    let mut problems = Vec::new();
    for p in jobs {
        if let Some(other) = seen.insert(p.path.as_str(), &p.job) {
            problems.push(
                Diagnostic::new(
                    describe(site, &p.job),
                    format!(
                        "writes {} which {} writes too",
                        p.path,
                        describe(site, other)
                    ),
                )
                .with_help("rename one of them or change its slug"),
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Everything a job needs to render.
pub struct RenderInput<'a> {
    /// The model.
    pub site: &'a Site,
    /// Rendered Markdown per document.
    pub contents: &'a [std::sync::Arc<DocContent>],
    /// Shared template values.
    pub shared: &'a SharedValues,
    /// Templates.
    pub templates: &'a Templates,
    /// Rendering for the preview server.
    pub is_serve: bool,
    /// Paths of the fingerprinted static copies (for `_headers`).
    pub fingerprinted: &'a [String],
}

impl RenderInput<'_> {
    /// Produces a job's output.
    pub fn render(&self, planned: &Planned) -> Result<Output> {
        let site = self.site;
        let bytes = |s: String| Ok(Output::Bytes(s.into_bytes()));
        match &planned.job {
            Job::Doc { id, pager } => bytes(self.doc(*id, *pager)?),
            Job::TaxonomyList { taxonomy } => bytes(self.taxonomy_list(*taxonomy)?),
            Job::Term {
                taxonomy,
                term,
                pager,
            } => bytes(self.term(*taxonomy, *term, *pager)?),
            Job::TermFeed { taxonomy, term } => {
                bytes(feeds::term_feed(site, self.contents, *taxonomy, *term))
            }
            Job::NotFound { lang } => bytes(self.not_found(*lang, false)?),
            Job::RootNotFound => bytes(self.not_found(Site::DEFAULT_LANGUAGE, true)?),
            Job::Fingerprinted { index } => {
                Ok(Output::Copy(site.theme.static_files[*index].source.clone()))
            }
            Job::Headers => bytes(hosting::headers(site, self.fingerprinted)),
            Job::Redirects => bytes(hosting::redirects(site)),
            Job::NoJekyll => bytes(String::new()),
            Job::Cname => bytes(hosting::cname(
                site.config.hosting.cname.as_deref().unwrap_or_default(),
            )),
            Job::Feed { lang } => bytes(feeds::language_feed(site, self.contents, *lang)),
            Job::Sitemap { part } => bytes(sitemap::render(site, *part)),
            Job::Robots => bytes(robots(site)),
            Job::Alias { id, .. } => {
                let d = &site.docs[*id];
                bytes(redirect_page(
                    site,
                    &d.url,
                    &self.contents[*id].title,
                    d.lang,
                ))
            }
            Job::Chooser => bytes(self.chooser()?),
            Job::Static { index } => {
                Ok(Output::Copy(site.theme.static_files[*index].source.clone()))
            }
            Job::Asset { id, asset } => {
                let rel = &site.docs[*id].assets[*asset];
                let source = site
                    .assets
                    .iter()
                    .find(|a| &a.rel_path == rel)
                    .map(|a| a.source.clone());
                source.map(Output::Copy).ok_or_else(|| {
                    Diagnostic::new(format!("content/{rel}"), "file vanished during the build")
                        .into()
                })
            }
        }
    }

    fn doc(&self, id: DocId, pager: usize) -> Result<String> {
        let site = self.site;
        let d = &site.docs[id];
        let url = pager_url(&d.url, pager);
        let mut place = Place::for_doc(site, self.contents, id, &url);
        if pager > 1 {
            // Pager k of a listing corresponds to pager k of its translations, where they have one.
            for (t_url, exists, _) in &mut place.translations {
                let pagers = site.by_url.get(t_url.as_str()).map(|&t| {
                    pager_count(site.docs[t].pages.len(), site.pagination(&site.docs[t]))
                });
                if *exists && pagers.is_some_and(|n| n >= pager) {
                    *t_url = pager_url(t_url, pager);
                } else {
                    *exists = false;
                }
            }
        }
        let mut ctx = base_context(site, self.shared, self.contents, &place, self.is_serve);
        let value = context::full_doc_value(site, self.contents, self.shared, id);
        let template = match &d.source.front_matter.template {
            Some(t) => t.clone(),
            None if d.is_section() && d.parent.is_none() && d.source.section_dir.is_empty() => {
                "index.html".to_string()
            }
            None if d.is_section() => "section.html".to_string(),
            None => "page.html".to_string(),
        };
        if d.is_section() {
            let pages: Vec<Value> = d
                .pages
                .iter()
                .map(|l| {
                    self.shared
                        .summary(site, self.contents, l.id, l.is_fallback)
                })
                .collect();
            let subsections: Vec<Value> = d
                .subsections
                .iter()
                .map(|&s| {
                    obj([
                        ("title", self.contents[s].title.as_str().into()),
                        ("description", opt(self.contents[s].description.as_deref())),
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
                ctx.insert_value("paginator", paginator(&pages, n, pager, &d.url));
            }
            let mut map = value.into_map().unwrap_or_default();
            map.insert("pages".into(), pages.into());
            map.insert("subsections".into(), subsections.into());
            ctx.insert_value("section", Value::from(map));
        } else {
            ctx.insert_value("page", value);
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
        self.templates
            .render(&template, &ctx)
            .map_err(|e| while_rendering(e, &super::source_path(site, id)))
    }

    fn taxonomy_list(&self, t: usize) -> Result<String> {
        let site = self.site;
        let tax = &site.taxonomies[t];
        // A language whose taxonomy has no terms has no list page: fall back like a document does.
        let list_in = |l: usize| {
            site.taxonomies
                .iter()
                .find(|x| x.lang == l && x.config.name == tax.config.name && !x.terms.is_empty())
        };
        let fallback = list_in(0).map_or_else(|| tax.url.clone(), |x| x.url.clone());
        let translations = (0..site.languages.len())
            .map(|l| match list_in(l) {
                Some(x) => (x.url.clone(), true, None),
                None => (fallback.clone(), false, None),
            })
            .collect();
        let place = Place {
            lang: tax.lang,
            path: &tax.url,
            translations,
        };
        let mut ctx = base_context(site, self.shared, self.contents, &place, self.is_serve);
        ctx.insert_value("taxonomy", taxonomy_value(site, t));
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
        ctx.insert_value("terms", terms.into());
        self.templates.render("taxonomy_list.html", &ctx)
    }

    fn term(&self, t: usize, term: usize, pager: usize) -> Result<String> {
        let site = self.site;
        let tax = &site.taxonomies[t];
        let tm = &tax.terms[term];
        let url = pager_url(&tm.url, pager);
        // The same term in each language; else the default language's term page; else that
        // language's term list; else the current page.
        let term_in = |l: usize| {
            site.taxonomies
                .iter()
                .find(|x| x.lang == l && x.config.name == tax.config.name)
                .and_then(|x| x.terms.iter().find(|o| o.slug == tm.slug))
        };
        let list_in = |l: usize| {
            site.taxonomies
                .iter()
                .find(|x| x.lang == l && x.config.name == tax.config.name && !x.terms.is_empty())
                .map(|x| x.url.clone())
        };
        let translations = (0..site.languages.len())
            .map(|l| match term_in(l) {
                Some(o) => (o.url.clone(), true, Some(o.name.clone())),
                None => match term_in(Site::DEFAULT_LANGUAGE) {
                    Some(o) => (o.url.clone(), false, Some(o.name.clone())),
                    None => (list_in(l).unwrap_or_else(|| tm.url.clone()), false, None),
                },
            })
            .collect();
        let place = Place {
            lang: tax.lang,
            path: &url,
            translations,
        };
        let mut ctx = base_context(site, self.shared, self.contents, &place, self.is_serve);
        ctx.insert_value("taxonomy", taxonomy_value(site, t));
        let pages: Vec<Value> = tm
            .pages
            .iter()
            .map(|&p| self.shared.summary(site, self.contents, p, false))
            .collect();
        if let Some(n) = tax.config.paginate_by {
            ctx.insert_value("paginator", paginator(&pages, n, pager, &tm.url));
        }
        ctx.insert_value(
            "term",
            obj([
                ("name", tm.name.as_str().into()),
                ("slug", tm.slug.as_str().into()),
                ("url", tm.url.as_str().into()),
                ("pages", pages.into()),
            ]),
        );
        self.templates.render("taxonomy_single.html", &ctx)
    }

    /// A 404 page in `lang`; the root one (`root`) also lists every other language's message
    /// as `other_languages` (code, name, dir, home URL) for the template to show.
    fn not_found(&self, lang: usize, root: bool) -> Result<String> {
        let site = self.site;
        // The root 404 stands in for the language's own: same canonical URL and alternates.
        let path = format!("{}/404.html", site.languages[lang].prefix);
        let place = Place::generated(site, lang, &path, "/404.html");
        let mut ctx = base_context(site, self.shared, self.contents, &place, self.is_serve);
        let others: Vec<Value> = site
            .languages
            .iter()
            .enumerate()
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
        ctx.insert_value("other_languages", others.into());
        self.templates.render("404.html", &ctx)
    }

    fn chooser(&self) -> Result<String> {
        let site = self.site;
        let translations: Vec<(String, bool, Option<String>)> = site
            .languages
            .iter()
            .enumerate()
            .map(|(l, lang)| match site.homes[l] {
                Some(h) => (
                    site.docs[h].url.clone(),
                    true,
                    Some(self.contents[h].title.clone()),
                ),
                None => (format!("{}/", lang.prefix), false, None),
            })
            .collect();
        if self.templates.has("language_chooser.html") {
            let root = site.root_url();
            let place = Place {
                lang: 0,
                path: &root,
                translations,
            };
            let ctx = base_context(site, self.shared, self.contents, &place, self.is_serve);
            return self.templates.render("language_chooser.html", &ctx);
        }
        Ok(builtin_chooser(site, &translations))
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

fn taxonomy_value(site: &Site, t: usize) -> Value {
    let tax = &site.taxonomies[t];
    obj([
        ("name", tax.config.name.as_str().into()),
        ("url", tax.url.as_str().into()),
        ("lang", site.languages[tax.lang].code.as_str().into()),
    ])
}

/// The `paginator` value for pager `current` (from 1).
fn paginator(pages: &[Value], per: usize, current: usize, base: &str) -> Value {
    let count = pager_count(pages.len(), Some(per));
    let start = (current - 1).saturating_mul(per).min(pages.len());
    let end = start.saturating_add(per).min(pages.len());
    obj([
        ("pages", pages[start..end].to_vec().into()),
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
    ])
}

/// A redirect page: meta refresh, canonical link, and a plain link for people.
pub fn redirect_page(site: &Site, target: &str, title: &str, lang: usize) -> String {
    let l = &site.languages[lang];
    let url = escape(&site.permalink(target));
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

fn builtin_chooser(site: &Site, translations: &[(String, bool, Option<String>)]) -> String {
    let default = &site.languages[0];
    let mut links = String::new();
    for (l, (url, _, _)) in site.languages.iter().zip(translations) {
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
        lang: 0,
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
