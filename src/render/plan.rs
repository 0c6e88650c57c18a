//! The output plan: one job per file the site will contain, each with its output path, the
//! pagination of listings, and the check that no two jobs claim the same path. The plan is the
//! one owner of output paths; rendering a job is [`super::output`]'s.

use super::images::card;
use super::templates::{AssetHashes, LinkedAssets};
use super::{calendar, hosting, sitemap};
use crate::error::{Diagnostic, Error, Result};
use crate::layout::content_path;
use crate::model::urls::asset_url;
use crate::model::{DocId, LangId, Site, TaxonomyId, TermId};
use std::collections::{HashMap, HashSet};

/// One output file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Job {
    /// A document (section pages may be paginated: `pager` from 1).
    Doc {
        /// The document.
        id: DocId,
        /// The pager, from 1.
        pager: usize,
    },
    /// A taxonomy's term list.
    TaxonomyList {
        /// Index of the taxonomy in the config.
        taxonomy: TaxonomyId,
    },
    /// One term's pages.
    Term {
        /// Index of the taxonomy in the config.
        taxonomy: TaxonomyId,
        /// Index of the term in its taxonomy.
        term: TermId,
        /// The pager, from 1.
        pager: usize,
    },
    /// A term's Atom feed.
    TermFeed {
        /// Index of the taxonomy in the config.
        taxonomy: TaxonomyId,
        /// Index of the term in its taxonomy.
        term: TermId,
    },
    /// A language's 404 page.
    NotFound {
        /// Index of the language.
        lang: LangId,
    },
    /// The root `404.html`, for hosts that serve one 404 page for every language.
    RootNotFound,
    /// A language's Atom feed.
    Feed {
        /// Index of the language.
        lang: LangId,
    },
    /// `sitemap.xml` (part 0) or its parts when split.
    Sitemap {
        /// The part, from 0.
        part: usize,
    },
    /// `robots.txt`.
    Robots,
    /// A redirect page for an alias.
    Alias {
        /// The document.
        id: DocId,
        /// Index of the alias in the document's aliases.
        alias: usize,
    },
    /// The language chooser at `/` (default language in a subfolder).
    Chooser,
    /// A static file from the theme or site.
    Static {
        /// Index of the static file.
        index: usize,
    },
    /// A bundle or section file copied next to its document.
    Asset {
        /// The document.
        id: DocId,
        /// Index of the file in the document's assets.
        asset: usize,
    },
    /// A static file's copy under its fingerprinted name (see [`hosting`]), for the files
    /// `asset()` linked ([`linked_asset_copies`]).
    Fingerprinted {
        /// Index of the static file.
        index: usize,
    },
    /// `_headers`.
    Headers,
    /// `_redirects`.
    Redirects,
    /// `.nojekyll`.
    NoJekyll,
    /// `CNAME`.
    Cname,
    /// A document's share card (see [`super::images::card`]).
    Card {
        /// The document.
        id: DocId,
    },
    /// An iCalendar file of `[[calendars]]` entry `calendar` in language `lang`: one event
    /// (its index), or all of them.
    Calendar {
        /// Index of the calendar.
        calendar: usize,
        /// Index of the language.
        lang: LangId,
        /// Index of the event, or None for all of them.
        event: Option<usize>,
    },
    /// A processed image, copied from the image cache (see [`super::images`]).
    Image {
        /// The processed file in the image cache.
        file: std::path::PathBuf,
    },
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

/// Lists every output of the site but the fingerprinted copies of static files, which only
/// the files that `asset()` links get ([`linked_asset_copies`], planned once every template
/// ran). The preview server (`for_hosts` false) needs no host files: its pages link `?h=`
/// URLs (see `templates`), and its live reload swaps style sheets by those.
pub fn plan(site: &Site, for_hosts: bool) -> Result<Vec<Planned>> {
    // URLs carry base_url's path; the output folder does not.
    let output_path = |url: &str| site.output_path(url);
    let mut jobs = Vec::new();
    let mut push = |job: Job, path: String| jobs.push(Planned { job, path });
    for (id, d) in site.documents() {
        // `render = false`: listed, but no page of its own; a redirect is one page.
        let pagers = match (d.has_own_page(), &d.redirect) {
            (false, _) => 0,
            (true, Some(_)) => 1,
            (true, None) => pager_count(d.pages.len(), site.pagination(d)),
        };
        for pager in 1..=pagers {
            push(
                Job::Doc { id, pager },
                output_path(&pager_url(&d.url, pager)),
            );
        }
        if card::is_drawn(site, d) {
            push(Job::Card { id }, card::output_path(site, d));
        }
        for (alias, path) in d.aliases.iter().enumerate() {
            push(Job::Alias { id, alias }, output_path(path));
        }
        for (asset, rel) in d.assets.iter().enumerate() {
            push(Job::Asset { id, asset }, output_path(&asset_url(d, rel)));
        }
    }
    for (t, tax) in TaxonomyId::all(site.taxonomies.len()).zip(&site.taxonomies) {
        if !tax.has_list() {
            continue;
        }
        push(Job::TaxonomyList { taxonomy: t }, output_path(&tax.url));
        for (term, tm) in TermId::all(tax.terms.len()).zip(&tax.terms) {
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
    for (lang, l) in site.each_language() {
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
    let mut problems: Vec<Result<()>> = missing_own_cards(site).map(Err).collect();
    for (calendar, cal) in site.config.calendars.iter().enumerate() {
        for lang in LangId::all(site.languages.len()) {
            let events = match calendar::events(site, cal, lang) {
                Ok(events) => events,
                Err(e) => {
                    problems.push(Err(e));
                    continue;
                }
            };
            for (i, e) in events.iter().enumerate() {
                push(
                    Job::Calendar {
                        calendar,
                        lang,
                        event: Some(i),
                    },
                    calendar::output_path(site, cal, lang, Some(&e.id)),
                );
            }
            push(
                Job::Calendar {
                    calendar,
                    lang,
                    event: None,
                },
                calendar::output_path(site, cal, lang, None),
            );
        }
    }
    crate::error::collect_all::<()>(problems)?;
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
    let generated: HashSet<String> = jobs.iter().map(|p| p.path.clone()).collect();
    for (index, f) in site.theme.static_files.iter().enumerate() {
        // A static file never replaces a generated page.
        if !generated.contains(&f.rel_path) {
            jobs.push(Planned {
                job: Job::Static { index },
                path: f.rel_path.clone(),
            });
        }
    }
    check_collisions(site, &jobs)?;
    Ok(jobs)
}

/// The fingerprinted copies of the static files `asset()` linked that `plan` does not hold yet
/// (a static file a generated page replaced has none, and no copy replaces an output). After
/// the first build of a session the answer is nearly always "none", so the plan is only
/// scanned by job kind; its paths are hashed only when there is a new copy to place.
pub fn linked_asset_copies(
    site: &Site,
    plan: &[Planned],
    hashes: &AssetHashes,
    linked: &LinkedAssets,
) -> Vec<Planned> {
    let statics = &site.theme.static_files;
    if statics.is_empty() {
        return Vec::new();
    }
    let mut copied = vec![false; statics.len()];
    let mut placed = vec![false; statics.len()];
    for p in plan {
        match p.job {
            Job::Static { index } => copied[index] = true,
            Job::Fingerprinted { index } => placed[index] = true,
            _ => {}
        }
    }
    let new: Vec<Planned> = statics
        .iter()
        .enumerate()
        .filter(|&(index, f)| copied[index] && !placed[index] && linked.contains(&f.rel_path))
        .filter_map(|(index, f)| {
            Some(Planned {
                job: Job::Fingerprinted { index },
                path: hosting::fingerprinted_path(&f.rel_path, hashes.0.get(&f.rel_path)?),
            })
        })
        .collect();
    if new.is_empty() {
        return new;
    }
    let planned: HashSet<&str> = plan.iter().map(|p| p.path.as_str()).collect();
    new.into_iter()
        .filter(|p| !planned.contains(p.path.as_str()))
        .collect()
}

/// An error for every document whose `extra.card` names an image that is neither in its
/// bundle nor in `static/`.
fn missing_own_cards(site: &Site) -> impl Iterator<Item = Error> + '_ {
    site.documents().filter_map(|(_, d)| {
        let own = card::own_card(d)?;
        if card::own_card_url(site, d, own).is_some() {
            return None;
        }
        Some(Error::invalid(
            Diagnostic::new(
                content_path(&d.source.rel_path),
                format!("extra.card names `{own}`, which is neither a file of this page's bundle nor in static/"),
            )
            .with_help("put the image next to the page's index.md or in static/, or remove extra.card to get a drawn card"),
        ))
    })
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
pub(crate) fn fingerprinted_paths(plan: &[Planned]) -> Vec<String> {
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
            content_path(&site.docs[*id].source.rel_path)
        }
        Job::Alias { id, .. } => format!(
            "an alias of {}",
            content_path(&site.docs[*id].source.rel_path)
        ),
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
