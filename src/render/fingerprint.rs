//! Fingerprints: for every output file, a 64-bit hash of everything its bytes depend on — the
//! documents it shows (content or just their listing summary), its language's settings and UI
//! strings, its template with everything that template pulls in, and the static files. An
//! incremental rebuild renders only the outputs whose fingerprint changed; since each output's
//! fingerprint covers all of its inputs, the result equals a clean build.

use super::DocContent;
use super::jobs::{Job, Planned};
use crate::load::theme::TemplateSource;
use crate::model::{DocId, Site};
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// Hashes anything hashable.
pub fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Hashes a long text (a Markdown body, rendered HTML) to tell whether it changed. foldhash
/// (fixed seed, so equal texts always hash equal) reads 16 bytes per step, many times faster
/// than the standard hasher on kilobytes of input.
pub fn hash_text(text: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x6c75_6464).hash_one(text)
}

/// Templates named in `{% extends %}` / `{% include %}` tags of `text`.
pub fn referenced_templates(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{%") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find("%}") else { break };
        let tag = rest[..end].trim().trim_start_matches('-').trim_start();
        for keyword in ["extends", "include"] {
            if let Some(args) = tag.strip_prefix(keyword) {
                for quote in ['"', '\''] {
                    let mut parts = args.split(quote);
                    parts.next();
                    if let Some(name) = parts.next() {
                        out.push(name.to_string());
                        break;
                    }
                }
            }
        }
        rest = &rest[end..];
    }
    out
}

/// Per template name: a hash of its text, the templates it extends or includes (transitively)
/// and every template that defines components (they can be used from anywhere).
pub fn template_fingerprints(templates: &[TemplateSource]) -> HashMap<String, u64> {
    let by_name: HashMap<&str, &TemplateSource> =
        templates.iter().map(|t| (t.name.as_str(), t)).collect();
    let components: Vec<&str> = templates
        .iter()
        .filter(|t| t.text.contains("{% component") || t.text.contains("{%- component"))
        .map(|t| t.text.as_str())
        .collect();
    let components_hash = hash_of(&components);
    templates
        .iter()
        .map(|t| {
            let mut seen: HashSet<&str> = HashSet::new();
            let mut stack = vec![t.name.as_str()];
            let mut h = DefaultHasher::new();
            components_hash.hash(&mut h);
            while let Some(name) = stack.pop() {
                if !seen.insert(name) {
                    continue;
                }
                name.hash(&mut h);
                match by_name.get(name) {
                    Some(src) => {
                        src.text.hash(&mut h);
                        for r in referenced_templates(&src.text) {
                            if let Some((k, _)) = by_name.get_key_value(r.as_str()) {
                                stack.push(k);
                            } else {
                                r.hash(&mut h);
                            }
                        }
                    }
                    None => 0u8.hash(&mut h),
                }
            }
            (t.name.clone(), h.finish())
        })
        .collect()
}

/// Everything Markdown rendering depends on beyond a document's own text: configuration, UI
/// strings and the shortcode templates. When it changes, all Markdown is rendered again.
pub fn markdown_environment(site: &Site, template_fps: &HashMap<String, u64>) -> u64 {
    let mut h = DefaultHasher::new();
    format!("{:?}", site.config).hash(&mut h);
    site.theme.ui_strings.hash(&mut h);
    let mut shortcodes: Vec<(&String, &u64)> = template_fps
        .iter()
        .filter(|(k, _)| k.starts_with("shortcodes/"))
        .collect();
    shortcodes.sort();
    shortcodes.hash(&mut h);
    h.finish()
}

/// Fingerprints of documents and languages, the building blocks of output fingerprints.
pub struct Atoms {
    /// Per document: everything its listing summary shows.
    summary: Vec<u64>,
    /// Per document: the summary plus the rendered content.
    full: Vec<u64>,
    /// Per language: configuration, UI strings, static files and the menu.
    language: Vec<u64>,
    /// Per template name: see [`template_fingerprints`].
    templates: HashMap<String, u64>,
    /// Static file contents.
    static_hash: u64,
}

/// The document atoms one output's fingerprint read.
#[derive(Debug, Default)]
struct Reads {
    summaries: Vec<DocId>,
    fulls: Vec<DocId>,
}

impl Atoms {
    /// Computes the atoms of a rendered site. `static_hash` covers static file contents.
    pub fn new(site: &Site, contents: &[Arc<DocContent>], static_hash: u64) -> Atoms {
        let summary: Vec<u64> = (0..site.docs.len())
            .map(|id| summary_atom(site, &contents[id], id))
            .collect();
        let full = summary
            .iter()
            .zip(contents)
            .map(|(s, c)| full_atom(*s, c))
            .collect();
        let mut atoms = Atoms {
            summary,
            full,
            language: Vec::new(),
            templates: template_fingerprints(&site.theme.templates),
            static_hash,
        };
        atoms.language = (0..site.languages.len())
            .map(|l| atoms.language_fp(site, l))
            .collect();
        atoms
    }

    fn language_fp(&self, site: &Site, lang: usize) -> u64 {
        let mut h = DefaultHasher::new();
        format!("{:?}", site.config).hash(&mut h);
        format!("{:?}", site.languages).hash(&mut h);
        site.theme
            .ui_strings
            .get(&site.languages[lang].code)
            .hash(&mut h);
        site.theme
            .ui_strings
            .get(&site.config.default_language)
            .hash(&mut h);
        self.static_hash.hash(&mut h);
        // The menu shows the home page's children; any of their summaries can change it.
        for home in site.homes.iter().flatten() {
            for &sub in &site.docs[*home].subsections {
                self.summary[sub].hash(&mut h);
            }
            for l in &site.docs[*home].pages {
                (l.id, l.is_fallback, self.summary[l.id]).hash(&mut h);
            }
        }
        h.finish()
    }

    fn template(&self, name: &str) -> u64 {
        self.templates.get(name).copied().unwrap_or(0)
    }

    fn summary(&self, id: DocId, reads: &mut Reads) -> u64 {
        reads.summaries.push(id);
        self.summary[id]
    }

    fn full(&self, id: DocId, reads: &mut Reads) -> u64 {
        reads.fulls.push(id);
        self.full[id]
    }

    fn translations(&self, site: &Site, id: DocId, h: &mut DefaultHasher, reads: &mut Reads) {
        let d = &site.docs[id];
        for t in &d.translations {
            t.map(|t| self.summary(t, reads)).hash(h);
        }
        d.translations[Site::DEFAULT_LANGUAGE]
            .map(|t| self.summary(t, reads))
            .hash(h);
    }

    /// The fingerprint of one planned output, and the document atoms it read.
    fn output(
        &self,
        site: &Site,
        planned: &Planned,
        asset_fp: &dyn Fn(&std::path::Path) -> u64,
    ) -> (u64, Reads) {
        let mut reads = Reads::default();
        let mut h = DefaultHasher::new();
        planned.job.hash(&mut h);
        planned.path.hash(&mut h);
        match &planned.job {
            Job::Doc { id, .. } => {
                let d = &site.docs[*id];
                (
                    self.language[d.lang],
                    self.full(*id, &mut reads),
                    d.parent.is_none(),
                )
                    .hash(&mut h);
                d.source.front_matter.template.hash(&mut h);
                for name in ["index.html", "section.html", "page.html"] {
                    self.template(name).hash(&mut h);
                }
                if let Some(t) = &d.source.front_matter.template {
                    self.template(t).hash(&mut h);
                }
                self.translations(site, *id, &mut h, &mut reads);
                // Pager k links the translations' pager k where they have one.
                for t in d.translations.iter().flatten() {
                    (site.docs[*t].pages.len(), site.pagination(&site.docs[*t])).hash(&mut h);
                }
                d.previous.map(|p| self.summary(p, &mut reads)).hash(&mut h);
                d.next.map(|p| self.summary(p, &mut reads)).hash(&mut h);
                for l in &d.pages {
                    (l.id, l.is_fallback, self.summary(l.id, &mut reads)).hash(&mut h);
                }
                for &s in &d.subsections {
                    self.summary(s, &mut reads).hash(&mut h);
                }
            }
            Job::TaxonomyList { taxonomy }
            | Job::Term { taxonomy, .. }
            | Job::TermFeed { taxonomy, .. } => {
                let tax = &site.taxonomies[*taxonomy];
                (
                    self.language[tax.lang],
                    self.template("taxonomy_list.html"),
                    self.template("taxonomy_single.html"),
                )
                    .hash(&mut h);
                for other in site
                    .taxonomies
                    .iter()
                    .filter(|t| t.config.name == tax.config.name)
                {
                    for t in &other.terms {
                        (other.lang, &t.name, &t.slug, &t.url, t.pages.len()).hash(&mut h);
                    }
                }
                if let Job::Term { term, .. } | Job::TermFeed { term, .. } = &planned.job {
                    for &p in &tax.terms[*term].pages {
                        (self.summary(p, &mut reads), self.full(p, &mut reads)).hash(&mut h);
                    }
                }
            }
            Job::Feed { lang } => {
                self.language[*lang].hash(&mut h);
                for (i, d) in site.docs.iter().enumerate() {
                    if d.lang == *lang && !d.is_section() && d.source.front_matter.date.is_some() {
                        self.full(i, &mut reads).hash(&mut h);
                    }
                }
            }
            Job::NotFound { lang } => {
                (self.language[*lang], self.template("404.html")).hash(&mut h)
            }
            // The root 404 shows every language's strings and home page.
            Job::RootNotFound => {
                (&self.language, self.template("404.html")).hash(&mut h);
                for home in &site.homes {
                    home.map(|id| &site.docs[id].url).hash(&mut h);
                }
            }
            Job::Fingerprinted { index } => {
                asset_fp(&site.theme.static_files[*index].source).hash(&mut h)
            }
            // The policy comes from the config; the immutable rules list the static files'
            // fingerprinted names, which follow their content hashes.
            Job::Headers => (format!("{:?}", site.config.hosting), self.static_hash).hash(&mut h),
            Job::Redirects => {
                format!("{:?}", site.languages).hash(&mut h);
                site.config.default_language_in_subdir.hash(&mut h);
                for d in &site.docs {
                    (&d.url, &d.aliases, &d.alias_rules).hash(&mut h);
                }
            }
            Job::NoJekyll => {}
            Job::Cname => site.config.hosting.cname.hash(&mut h),
            Job::Sitemap { .. } => {
                // The sitemap shows the model only: URLs, dates and translations.
                format!("{:?}", site.config).hash(&mut h);
                for d in &site.docs {
                    let fm = &d.source.front_matter;
                    (&d.url, &d.translations, &fm.date, &fm.updated).hash(&mut h);
                }
                for t in &site.taxonomies {
                    for term in &t.terms {
                        term.url.hash(&mut h);
                    }
                }
            }
            Job::Robots => format!("{:?}", site.config).hash(&mut h),
            Job::Alias { id, .. } => (
                self.summary(*id, &mut reads),
                self.language[site.docs[*id].lang],
            )
                .hash(&mut h),
            Job::Chooser => {
                self.language.hash(&mut h);
                self.template("language_chooser.html").hash(&mut h);
                for home in site.homes.iter().flatten() {
                    self.summary(*home, &mut reads).hash(&mut h);
                }
            }
            Job::Static { index } => asset_fp(&site.theme.static_files[*index].source).hash(&mut h),
            Job::Asset { id, asset } => {
                let rel = &site.docs[*id].assets[*asset];
                if let Some(a) = site.assets.iter().find(|a| &a.rel_path == rel) {
                    asset_fp(&a.source).hash(&mut h);
                }
            }
        }
        (h.finish(), reads)
    }
}

/// Everything a document's listing summary shows.
fn summary_atom(site: &Site, c: &DocContent, id: DocId) -> u64 {
    let d = &site.docs[id];
    let fm = &d.source.front_matter;
    let mut h = DefaultHasher::new();
    (
        &d.url,
        &c.title,
        &c.description,
        &fm.date,
        &fm.updated,
        &fm.weight,
        d.lang,
    )
        .hash(&mut h);
    serde_json::to_string(&fm.extra)
        .unwrap_or_default()
        .hash(&mut h);
    (&c.summary, c.word_count, d.is_section(), &d.assets).hash(&mut h);
    for &(t, term) in &d.terms {
        let tm = &site.taxonomies[t].terms[term];
        (&site.taxonomies[t].config.name, &tm.name, &tm.url).hash(&mut h);
    }
    h.finish()
}

/// A document's summary atom plus its rendered content.
fn full_atom(summary: u64, c: &DocContent) -> u64 {
    hash_of(&(summary, c.html_hash, hash_of(&format!("{:?}", c.toc))))
}

/// The fingerprint of every planned output, with the index from each document to the outputs
/// whose fingerprints read it, so that a change to a few documents' content re-fingerprints
/// only the outputs that show them.
pub struct Fingerprints {
    atoms: Atoms,
    /// Per planned output (same order as the plan).
    pub outputs: Vec<u64>,
    /// Per document: the outputs that read its summary atom.
    summary_readers: Vec<Vec<u32>>,
    /// Per document: the outputs that read its full atom.
    full_readers: Vec<Vec<u32>>,
}

impl Fingerprints {
    /// Fingerprints every output of `plan`. `asset_fp` fingerprints a static or content file.
    pub fn compute(
        site: &Site,
        contents: &[Arc<DocContent>],
        plan: &[Planned],
        static_hash: u64,
        asset_fp: &(dyn Fn(&std::path::Path) -> u64 + Sync),
    ) -> Fingerprints {
        use rayon::prelude::*;
        let atoms = Atoms::new(site, contents, static_hash);
        let computed: Vec<(u64, Reads)> = plan
            .par_iter()
            .map(|p| atoms.output(site, p, asset_fp))
            .collect();
        let mut summary_readers = vec![Vec::new(); site.docs.len()];
        let mut full_readers = vec![Vec::new(); site.docs.len()];
        let mut outputs = Vec::with_capacity(computed.len());
        for (i, (fp, reads)) in computed.into_iter().enumerate() {
            outputs.push(fp);
            for id in reads.summaries {
                summary_readers[id].push(i as u32);
            }
            for id in reads.fulls {
                full_readers[id].push(i as u32);
            }
        }
        Fingerprints {
            atoms,
            outputs,
            summary_readers,
            full_readers,
        }
    }

    /// After the rendered content of documents `ids` changed (and nothing else): recomputes
    /// their atoms and every fingerprint that reads them, and returns those outputs. `None`
    /// when the change reaches the language atoms (a menu entry changed) and everything must
    /// be fingerprinted again with [`Fingerprints::compute`].
    pub fn update_docs(
        &mut self,
        site: &Site,
        contents: &[Arc<DocContent>],
        plan: &[Planned],
        ids: &[DocId],
        asset_fp: &(dyn Fn(&std::path::Path) -> u64 + Sync),
    ) -> Option<Vec<usize>> {
        let mut stale: Vec<u32> = Vec::new();
        let mut summary_changed = false;
        for &id in ids {
            let summary = summary_atom(site, &contents[id], id);
            let full = full_atom(summary, &contents[id]);
            if summary != self.atoms.summary[id] {
                self.atoms.summary[id] = summary;
                stale.extend(&self.summary_readers[id]);
                summary_changed = true;
            }
            if full != self.atoms.full[id] {
                self.atoms.full[id] = full;
                stale.extend(&self.full_readers[id]);
            }
        }
        // Language atoms read summaries only (of the menu entries).
        if summary_changed {
            let languages: Vec<u64> = (0..site.languages.len())
                .map(|l| self.atoms.language_fp(site, l))
                .collect();
            if languages != self.atoms.language {
                return None;
            }
        }
        stale.sort_unstable();
        stale.dedup();
        let stale: Vec<usize> = stale.into_iter().map(|i| i as usize).collect();
        for &i in &stale {
            self.outputs[i] = self.atoms.output(site, &plan[i], asset_fp).0;
        }
        Some(stale)
    }
}
