//! The build pipeline, top-down: load → model → render → write. `ludd build` runs it once;
//! `ludd serve` runs the same stages.

use crate::error::{Result, collect_all};
use crate::load;
use crate::load::content::SourceDoc;
use crate::model::DocId;
use crate::model::{ModelOptions, Site};
use crate::render::context::SharedValues;
use crate::render::fingerprint::Fingerprints;
use crate::render::jobs::{self, Output, Planned, RenderInput};
use crate::render::templates::{AssetHashes, Templates};
use crate::render::warnings::Warnings;
use crate::render::{self, DocContent, PreviousMarkdown, fingerprint};
use crate::write::state::BuildState;
use crate::write::{self, Staging, WriteStats};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Site root (the folder with `site.toml`).
    pub root: PathBuf,
    /// Include drafts.
    pub drafts: bool,
    /// Override `base_url`.
    pub base_url: Option<String>,
    /// Override `output_dir` (relative to the root, or absolute).
    pub output_dir: Option<PathBuf>,
    /// Render for the preview server.
    pub is_serve: bool,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Published pages and sections per language code, default language first.
    pub pages_per_language: Vec<(String, usize)>,
    /// Warnings (missing UI strings and the like).
    pub warnings: Vec<String>,
    /// Files written and kept.
    pub stats: WriteStats,
    /// Files in the output.
    pub files: usize,
    /// The output folder.
    pub output: PathBuf,
    /// Weight of every HTML page, heaviest first (sites up to [`WEIGH_UP_TO`] pages).
    pub weights: Option<Vec<crate::check::weight::PageWeight>>,
    /// The page weight budget in kB.
    pub budget_kb: u64,
    /// Time per stage.
    pub timings: Vec<(&'static str, Duration)>,
    /// Wall time.
    pub elapsed: Duration,
    /// The previous output, being removed in the background; wait with [`write::Cleanup::finish`]
    /// (dropping the report waits too).
    pub cleanup: write::Cleanup,
}

/// Sites with at most this many HTML pages get their page weights in every build report;
/// larger ones are weighed by `ludd check`.
pub const WEIGH_UP_TO: usize = 1000;

/// A site rendered in memory up to its output plan: everything needed to produce any file.
pub struct Rendered {
    /// The model.
    pub site: Arc<Site>,
    /// Templates with the site's functions.
    pub templates: Templates,
    /// Rendered Markdown per document.
    pub contents: Vec<Arc<DocContent>>,
    /// Content hashes of static files.
    pub asset_hashes: Arc<AssetHashes>,
    /// What the Markdown depended on beyond each document (see [`fingerprint::markdown_environment`]).
    pub markdown_environment: u64,
    /// Shared template values.
    pub shared: SharedValues,
    /// Every output file.
    pub plan: Vec<Planned>,
    /// Output paths of the fingerprinted static copies (see [`render::hosting`]).
    pub fingerprinted: Vec<String>,
    /// Warnings so far.
    pub warnings: Warnings,
    /// Time per stage, for `--verbose`.
    pub timings: Vec<(&'static str, Duration)>,
}

impl Rendered {
    /// Loads, models and renders the Markdown of the site at `options.root`.
    pub fn prepare(options: &BuildOptions) -> Result<Rendered> {
        let start = Instant::now();
        let project = load::load(&options.root)?;
        let loaded = start.elapsed();
        let mut rendered = Rendered::from_project(project, options, None)?;
        rendered.timings.insert(0, ("load", loaded));
        Ok(rendered)
    }

    /// Models and renders a loaded project, reusing `previous` Markdown where nothing changed.
    pub fn from_project(
        project: load::Project,
        options: &BuildOptions,
        previous: Option<&Rendered>,
    ) -> Result<Rendered> {
        let model_options = ModelOptions {
            drafts: options.drafts,
            base_url: options.base_url.clone(),
            output_dir: options.output_dir.clone(),
        };
        let mut clock = Instant::now();
        let mut timings = Vec::new();
        let mut lap = |name: &'static str| {
            timings.push((name, clock.elapsed()));
            clock = Instant::now();
        };
        let skipped: Vec<String> = project
            .content
            .skipped
            .iter()
            .chain(&project.theme.skipped)
            .map(|p| {
                let shown = p.strip_prefix(&options.root).unwrap_or(p);
                format!(
                    "{}: not a regular file (a device, FIFO or socket), skipped and never read",
                    shown.display()
                )
            })
            .collect();
        let mut site = Site::build(project, &model_options)?;
        // The Markdown sources leave the model: they are read once, below, and each is freed
        // right after its HTML is rendered.
        let bodies: Vec<Arc<str>> = site
            .docs
            .iter_mut()
            .map(|d| std::mem::replace(&mut d.source.body, Arc::from("")))
            .collect();
        let site = Arc::new(site);
        lap("model");
        let warnings = Warnings::default();
        for w in skipped {
            warnings.once(w);
        }
        let asset_hashes = Arc::new(AssetHashes::compute(&site)?);
        let templates = Templates::new(
            &site,
            Arc::clone(&asset_hashes),
            &warnings,
            !options.is_serve,
        )?;
        let environment = fingerprint::markdown_environment(
            &site,
            &fingerprint::template_fingerprints(&site.theme.templates),
        );
        let previous_markdown = previous.map(|p| PreviousMarkdown {
            site: &p.site,
            contents: &p.contents,
            environment: p.markdown_environment,
        });
        lap("templates");
        let contents = render::render_markdown(
            &site,
            bodies,
            &templates,
            &warnings,
            environment,
            previous_markdown.as_ref(),
        )?;
        lap("markdown");
        let ((anchors, shared), plan) = rayon::join(
            || {
                (
                    render::check_anchors(&site, &contents),
                    SharedValues::new(&site, &contents),
                )
            },
            || jobs::plan(&site, &asset_hashes, !options.is_serve),
        );
        anchors?;
        let plan = plan?;
        let fingerprinted = jobs::fingerprinted_paths(&plan);
        lap("plan");
        Ok(Rendered {
            site,
            templates,
            contents,
            asset_hashes,
            markdown_environment: environment,
            shared,
            plan,
            fingerprinted,
            warnings,
            timings,
        })
    }

    /// Fingerprint of every planned output (see [`fingerprint`]).
    pub fn fingerprints(&self) -> Fingerprints {
        Fingerprints::compute(
            &self.site,
            &self.contents,
            &self.plan,
            self.static_hash(),
            &|path| self.asset_fingerprint(path),
        )
    }

    /// Hash of the static files' contents and of which fingerprinted copies are published (the
    /// names in `_headers` follow both; a page may shadow a static file).
    fn static_hash(&self) -> u64 {
        fingerprint::hash_of(&(&self.asset_hashes.0, &self.fingerprinted))
    }

    /// Fingerprint of a static or content file: its content hash when it is a static file,
    /// else its size and modification time.
    fn asset_fingerprint(&self, path: &Path) -> u64 {
        let static_files = &self.site.theme.static_files;
        if let Some(f) = static_files.iter().find(|f| f.source == path) {
            return fingerprint::hash_of(&self.asset_hashes.0.get(&f.rel_path));
        }
        let meta = std::fs::metadata(path).ok();
        fingerprint::hash_of(&(
            path,
            meta.as_ref().map(|m| m.len()),
            meta.and_then(|m| m.modified().ok()),
        ))
    }

    /// Applies edits to the Markdown text of documents whose front matter did not change, so
    /// that the model stays as it is: renders their Markdown again, checks anchors, and
    /// refreshes their template values and the fingerprints that read them. Returns the
    /// outputs whose fingerprints were computed again (`None`: all of them). On error nothing
    /// changes.
    pub fn apply_text_edits(
        &mut self,
        edits: &[(DocId, &SourceDoc)],
        fingerprints: &mut Fingerprints,
    ) -> Result<Option<Vec<usize>>> {
        let rendered: Vec<Result<(DocId, DocContent)>> = edits
            .par_iter()
            .map(|&(id, source)| {
                render::render_doc_markdown(
                    &self.site,
                    &source.body,
                    source.body_hash,
                    &self.templates,
                    &self.warnings,
                    id,
                )
                .map(|c| (id, c))
            })
            .collect();
        let mut contents = self.contents.clone();
        for (id, content) in collect_all(rendered)? {
            contents[id] = Arc::new(content);
        }
        render::check_anchors(&self.site, &contents)?;
        self.contents = contents;
        let ids: Vec<DocId> = edits.iter().map(|(id, _)| *id).collect();
        for &id in &ids {
            self.shared.refresh_doc(&self.site, &self.contents, id);
        }
        let asset_fp = |path: &Path| self.asset_fingerprint(path);
        let updated =
            fingerprints.update_docs(&self.site, &self.contents, &self.plan, &ids, &asset_fp);
        if updated.is_none() {
            // A menu entry changed: every page shows the menu.
            *fingerprints = self.fingerprints();
        }
        Ok(updated)
    }

    /// The inputs a job renders from.
    pub fn input(&self, is_serve: bool) -> RenderInput<'_> {
        RenderInput {
            site: &self.site,
            contents: &self.contents,
            shared: &self.shared,
            templates: &self.templates,
            is_serve,
            fingerprinted: &self.fingerprinted,
        }
    }

    /// Renders one planned output.
    pub fn output(&self, planned: &Planned, is_serve: bool) -> Result<Output> {
        self.input(is_serve).render(planned)
    }

    /// Renders every output into `staging`, in parallel: first the outputs that show a page's
    /// content (its own page and the feeds), then, with the pages' HTML freed, everything else,
    /// whose listings build the summaries in the memory the HTML left. A large site never holds
    /// all its HTML and all its summaries at once. Sections keep their HTML: their own pages are
    /// listings too.
    pub fn write_all(&mut self, staging: &Staging, is_serve: bool) -> Result<()> {
        let site = &self.site;
        let (content, rest): (Vec<&Planned>, Vec<&Planned>) =
            self.plan.iter().partition(|p| match p.job {
                jobs::Job::Doc { id, .. } => !site.docs[id].is_section(),
                jobs::Job::Feed { .. } | jobs::Job::TermFeed { .. } => true,
                _ => false,
            });
        let write = |input: RenderInput<'_>, plan: &[&Planned]| {
            let results: Vec<Result<()>> = plan
                .par_iter()
                .map(|p| match input.render(p)? {
                    Output::Bytes(b) => staging.write(&p.path, &b),
                    Output::Copy(src) => staging.copy(&p.path, &src),
                })
                .collect();
            collect_all(results).map(|_| ())
        };
        write(self.input(is_serve), &content)?;
        self.contents
            .par_iter_mut()
            .zip(&site.docs)
            .filter(|(_, d)| !d.is_section())
            .for_each(|(c, _)| {
                if let Some(c) = Arc::get_mut(c) {
                    c.html = tera::Value::none();
                }
            });
        write(self.input(is_serve), &rest)
    }
}

/// Builds the site into its output folder. When no input changed since the last build into
/// the same folder and that output is intact, nothing is rendered or written.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let start = Instant::now();
    let config = load::config::Config::load(&options.root)?;
    let output_dir = options
        .output_dir
        .clone()
        .unwrap_or_else(|| config.output_dir.clone());
    // An --output override has no line in site.toml.
    let line = if options.output_dir.is_some() {
        None
    } else {
        config.line_of("output_dir")
    };
    let output = write::resolve_output(&options.root, &output_dir, line)?;
    let inputs = inputs_fingerprint(options, &config)?;
    if let Some(state) =
        BuildState::read(&output).filter(|s| s.inputs == inputs && s.output_intact(&output))
    {
        let weights = weigh_if_small(&output, &state.files)?;
        return Ok(BuildReport {
            pages_per_language: state.pages,
            warnings: state.warnings,
            stats: WriteStats {
                written: 0,
                unchanged: state.files.len(),
            },
            files: state.files.len(),
            output,
            weights,
            budget_kb: config.budget.page_kb,
            timings: vec![("check inputs", start.elapsed())],
            elapsed: start.elapsed(),
            cleanup: write::Cleanup::default(),
        });
    }
    // Refused before any work when the folder is not ludd's; an output of an earlier ludd
    // (its state file beside it, no marker yet) is marked now.
    write::ownership::check_owned(&output, "output folder", write::CHOOSE_OTHER)?;
    if output.is_dir() && !write::ownership::has_marker(&output) {
        write::ownership::mark(&output)?;
    }
    BuildState::clear(&output);
    let mut rendered = Rendered::prepare(options)?;
    let mut timings = rendered.timings.clone();
    let clock = Instant::now();
    let staging = Staging::begin(&output)?;
    rendered.write_all(&staging, options.is_serve)?;
    let (stats, files, cleanup) = staging.commit()?;
    // From here on the new output is in place: nothing may fail the build any more.
    timings.push(("render+write", clock.elapsed()));
    let clock = Instant::now();
    let (weights, weigh_warning) = match weigh_if_small(&output, &files) {
        Ok(w) => (w, None),
        Err(e) => (None, Some(format!("page weights not measured: {e}"))),
    };
    for w in crate::check::build_warnings(&rendered.site) {
        rendered.warnings.once(w);
    }
    timings.push(("checks", clock.elapsed()));
    let mut warnings = rendered.warnings.list();
    warnings.extend(weigh_warning);
    let budget_kb = rendered.site.config.budget.page_kb;
    for w in weights
        .iter()
        .flatten()
        .filter(|w| w.total > budget_kb * 1000)
    {
        warnings.push(format!(
            "{} weighs {:.1} kB, over the budget of {budget_kb} kB",
            w.page,
            w.total as f64 / 1000.0
        ));
    }
    let pages = pages_per_language(&rendered.site);
    // Freeing a large site's memory takes a while; nobody needs to wait for it.
    std::thread::spawn(move || drop(rendered));
    BuildState {
        inputs,
        files: files.clone(),
        pages: pages.clone(),
        warnings: warnings.clone(),
    }
    .write(&output);
    Ok(BuildReport {
        pages_per_language: pages,
        warnings,
        stats,
        files: files.len(),
        output,
        weights,
        budget_kb,
        timings,
        elapsed: start.elapsed(),
        cleanup,
    })
}

/// After a failed build: the output folder of `options` when it holds a previous output of
/// ludd, which a failed build never touches. `None` when there was none (or no config).
pub fn kept_output(options: &BuildOptions) -> Option<PathBuf> {
    let config = load::config::Config::load(&options.root).ok()?;
    let dir = options.output_dir.as_ref().unwrap_or(&config.output_dir);
    let output = write::resolve_output(&options.root, dir, None).ok()?;
    (output.is_dir() && write::ownership::has_marker(&output)).then_some(output)
}

/// Page weights of every HTML output, for sites up to [`WEIGH_UP_TO`] pages.
fn weigh_if_small(
    output: &Path,
    files: &[(String, u64)],
) -> Result<Option<Vec<crate::check::weight::PageWeight>>> {
    let html: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, _)| p.clone())
        .collect();
    if html.len() > WEIGH_UP_TO {
        return Ok(None);
    }
    crate::check::weight::weigh(output, &html).map(Some)
}

/// Fingerprint of everything a build depends on: the input files (by size and mtime), the
/// options, and this very binary.
fn inputs_fingerprint(options: &BuildOptions, config: &load::config::Config) -> Result<u64> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    load::inputs::stat_fingerprint(&options.root, config)?.hash(&mut h);
    (
        options.drafts,
        &options.base_url,
        &options.output_dir,
        options.is_serve,
    )
        .hash(&mut h);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    if let Some(meta) = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
    {
        (meta.len(), meta.modified().ok()).hash(&mut h);
    }
    Ok(h.finish())
}

/// Published documents per language.
pub fn pages_per_language(site: &Site) -> Vec<(String, usize)> {
    site.languages
        .iter()
        .enumerate()
        .map(|(i, l)| {
            (
                l.code.clone(),
                site.docs.iter().filter(|d| d.lang == i).count(),
            )
        })
        .collect()
}

/// The site root containing `start` (the nearest folder upwards with a `site.toml`).
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|p| p.join(load::config::CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
}
