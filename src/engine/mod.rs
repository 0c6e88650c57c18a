//! The engine: runs the stages (load → model → render) for every command and hands each
//! rendered output to a [`Sink`]. `ludd build` and `ludd deploy` render into a staging folder
//! ([`sink::Staging`]), `ludd serve` and `ludd build --watch` into a folder kept up to date
//! file by file ([`sink::Folder`], through a [`session::Session`]), `ludd check` into memory.
//! The [`Mode`] (publish, preview, check) is chosen once, in [`BuildOptions`], and held here.
//!
//! One loop renders outputs: [`Engine::render_outputs`]. For each planned output it prepares
//! the inputs (recording the rendered Markdown it read, see [`crate::render::deps`]), asks the
//! sink whether an output with that fingerprint is already in place, and if not renders it and
//! gives it to the sink. What can only be planned once every template ran (the fingerprinted
//! copies of the static files `asset()` linked, and `_headers`, which lists them) is rendered
//! after all the rest: [`Engine::render_linked_assets`].

pub mod session;
pub mod sink;

use crate::error::{Diagnostic, Error, Result, collect_all};
use crate::hash::hash_of;
use crate::load;
use crate::load::config::Config;
use crate::load::content::SourceDoc;
use crate::model::{DocId, ModelOptions, Site};
pub use crate::render::Mode;
use crate::render::context::SharedValues;
use crate::render::deps::{Dep, Part};
use crate::render::output::{Output, RenderInput};
use crate::render::plan::{self, Job, Planned};
use crate::render::templates::{AssetHashes, Templates};
use crate::render::warnings::{Warning, Warnings};
use crate::render::{self, DocContent, PreviousMarkdown};
use rayon::prelude::*;
use std::collections::HashMap;
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
    /// Include pages whose `publish_date` is still to come.
    pub future: bool,
    /// Include pages whose `expiry_date` has passed.
    pub expired: bool,
    /// Override `base_url`.
    pub base_url: Option<String>,
    /// Override `output_dir` (relative to the root, or absolute).
    pub output_dir: Option<PathBuf>,
    /// What the output is for.
    pub mode: Mode,
    /// The preview's background image worker: variants not cached yet are made there while
    /// pages render at once (`ludd serve`; see [`crate::render::images::background`]).
    pub background_images: Option<Arc<crate::render::images::background::Background>>,
}

/// Where rendered outputs go. The engine calls it from many threads at once.
pub trait Sink: Sync {
    /// What the sink reports per output it took.
    type Receipt: Send;

    /// Whether outputs get fingerprints and their reads recorded (an incremental sink).
    fn incremental(&self) -> bool {
        false
    }

    /// Whether the output at `path` with `fingerprint` is already in place: it is then not
    /// rendered (only asked when [`Sink::incremental`]).
    fn is_current(&self, _path: &str, _fingerprint: u64) -> bool {
        false
    }

    /// Takes one rendered output.
    fn accept(&self, planned: &Planned, output: Output) -> Result<Self::Receipt>;
}

/// What happened to one output in [`Engine::render_outputs`].
#[derive(Debug)]
pub struct Done<R> {
    /// Its index in the plan.
    pub index: usize,
    /// Its fingerprint (incremental sinks only).
    pub fingerprint: Option<u64>,
    /// The rendered Markdown it read (incremental sinks only).
    pub deps: Vec<Dep>,
    /// The sink's receipt; `None` when the output was current and not rendered.
    pub receipt: Option<R>,
}

/// Which planned outputs to render.
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    /// Every one.
    All,
    /// These plan indices.
    Only(&'a [usize]),
}

/// A site loaded, modelled and rendered up to its output plan: everything needed to produce
/// any output file.
pub struct Engine {
    /// What the output is for.
    pub mode: Mode,
    /// The model.
    pub site: Arc<Site>,
    /// Templates with the site's functions.
    pub templates: Templates,
    /// Rendered Markdown per document.
    pub contents: Vec<Arc<DocContent>>,
    /// Content hashes of static files.
    pub asset_hashes: Arc<AssetHashes>,
    /// Each static file's index in the theme's list, by its source path (see
    /// [`Engine::file_fingerprint`]).
    static_by_source: HashMap<PathBuf, usize>,
    /// What the Markdown depended on beyond each document (see [`render::markdown_environment`]).
    pub markdown_environment: u64,
    /// Shared template values.
    pub shared: SharedValues,
    /// Every output file.
    pub plan: Vec<Planned>,
    /// Output paths of the fingerprinted static copies planned so far (see
    /// [`Engine::render_linked_assets`] and [`render::hosting`]).
    pub fingerprinted: Vec<String>,
    /// Warnings so far.
    pub warnings: Warnings,
    /// Time per stage, for `--verbose`.
    pub timings: Vec<(&'static str, Duration)>,
}

impl Engine {
    /// Loads, models and renders the Markdown of the site at `options.root`, whose `site.toml`
    /// was parsed into `config`.
    pub fn prepare(options: &BuildOptions, config: Config) -> Result<Engine> {
        let (engine, problems) = Engine::prepare_partial(options, config)?;
        fail_with(problems)?;
        Ok(engine)
    }

    /// [`Engine::prepare`] that goes on past the problems of single documents (content files
    /// that cannot be read are left out, Markdown that fails renders empty, broken anchors are
    /// noted) and returns them, so that rendering the outputs can find the template problems
    /// too and one build reports them all. An engine with problems must never publish.
    pub fn prepare_partial(
        options: &BuildOptions,
        config: Config,
    ) -> Result<(Engine, Vec<Diagnostic>)> {
        let start = Instant::now();
        let (project, mut problems) = load::load_partial_with(&options.root, config)?;
        let loaded = start.elapsed();
        let (mut engine, more) = match Engine::from_project_partial(project, options, None) {
            Ok(done) => done,
            // What stops the model (or the templates) is reported with the files left out.
            Err(Error::Invalid(mut list)) => {
                problems.append(&mut list);
                return Err(Error::Invalid(problems));
            }
            Err(e) => return Err(e),
        };
        problems.extend(more);
        engine.timings.insert(0, ("load", loaded));
        Ok((engine, problems))
    }

    /// Models and renders a loaded project, reusing `previous` Markdown where nothing changed.
    pub fn from_project(
        project: load::Project,
        options: &BuildOptions,
        previous: Option<&Engine>,
    ) -> Result<Engine> {
        let (engine, problems) = Engine::from_project_partial(project, options, previous)?;
        fail_with(problems)?;
        Ok(engine)
    }

    /// [`Engine::from_project`] that returns the problems of single documents beside the
    /// engine (see [`Engine::prepare_partial`]).
    pub fn from_project_partial(
        project: load::Project,
        options: &BuildOptions,
        previous: Option<&Engine>,
    ) -> Result<(Engine, Vec<Diagnostic>)> {
        let mode = options.mode;
        let model_options = ModelOptions {
            drafts: options.drafts,
            base_url: options.base_url.clone(),
            output_dir: options.output_dir.clone(),
            future: options.future,
            expired: options.expired,
            now: None,
        };
        let mut clock = Instant::now();
        let mut timings = Vec::new();
        let mut lap = |name: &'static str| {
            timings.push((name, clock.elapsed()));
            clock = Instant::now();
        };
        let skipped = skipped_warnings(&project, &options.root);
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
            mode.for_hosts(),
            Arc::new(
                crate::render::images::Images::new(
                    &options.root,
                    site.config.base_path(),
                    site.config.images.clone(),
                )
                .in_background(options.background_images.clone())
                .with_cards(site.theme.card.as_ref())
                .map_err(|e| e.diagnostic(&options.root))?,
            ),
        )?;
        if let Some(previous) = previous {
            templates
                .linked_assets
                .keep(&previous.templates.linked_assets);
        }
        let environment = render::markdown_environment(&site, &templates);
        let previous_markdown = previous.map(|p| PreviousMarkdown {
            site: &p.site,
            contents: &p.contents,
            environment: p.markdown_environment,
        });
        lap("templates");
        let (contents, mut problems) = render::render_markdown_partial(
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
            || plan::plan(&site, mode.for_hosts()),
        );
        match anchors {
            Err(Error::Invalid(mut list)) => problems.append(&mut list),
            other => other?,
        }
        let mut plan = plan?;
        // The images the Markdown (and its shortcodes) showed are outputs like any other.
        plan.extend(image_jobs(&plan, &templates));
        lap("plan");
        let static_by_source = (site.theme.static_files.iter().enumerate())
            .map(|(i, f)| (f.source.clone(), i))
            .collect();
        let engine = Engine {
            mode,
            site,
            templates,
            contents,
            static_by_source,
            asset_hashes,
            markdown_environment: environment,
            shared,
            plan,
            fingerprinted: Vec::new(),
            warnings,
            timings,
        };
        Ok((engine, problems))
    }

    /// Fingerprint of a static or content file: its content hash when it is a static file,
    /// else its size and modification time.
    fn file_fingerprint(&self, path: &Path) -> u64 {
        if let Some(&index) = self.static_by_source.get(path) {
            let rel_path = &self.site.theme.static_files[index].rel_path;
            return hash_of(&self.asset_hashes.0.get(rel_path));
        }
        let meta = std::fs::metadata(path).ok();
        hash_of(&(
            path,
            meta.as_ref().map(|m| m.len()),
            meta.and_then(|m| m.modified().ok()),
        ))
    }

    /// Applies edits to the Markdown text of documents whose front matter did not change, so
    /// that the model stays as it is: renders their Markdown again, checks anchors and
    /// refreshes their template values. Returns each edited document whose rendering changed,
    /// with the first part that changed (see [`Part`]). On error nothing changes.
    pub fn apply_text_edits(
        &mut self,
        edits: &[(DocId, &SourceDoc)],
    ) -> Result<Vec<(DocId, Part)>> {
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
        let rendered = collect_all(rendered)?;
        // Swapped in place (the old renderings kept aside for an error) rather than copying
        // every document's handle for one edit.
        let mut replaced = Vec::with_capacity(rendered.len());
        let mut changed = Vec::new();
        for (id, content) in rendered {
            if let Some(part) = content.changed_part(&self.contents[id]) {
                changed.push((id, part));
            }
            replaced.push((
                id,
                std::mem::replace(&mut self.contents[id], Arc::new(content)),
            ));
        }
        if let Err(e) = render::check_anchors(&self.site, &self.contents) {
            for (id, old) in replaced.into_iter().rev() {
                self.contents[id] = old;
            }
            return Err(e);
        }
        for &(id, _) in &changed {
            self.shared.refresh_doc(&self.site, &self.contents, id);
        }
        Ok(changed)
    }

    /// Renders the `which` outputs into `sink`, in parallel, and reports each one. An
    /// incremental sink gets only the outputs whose fingerprints it does not have. `_headers`
    /// is not among [`Which::All`]: [`Engine::render_linked_assets`] renders it.
    pub fn render_outputs<S: Sink>(&self, which: Which, sink: &S) -> Result<Vec<Done<S::Receipt>>> {
        let file_fingerprint = |path: &Path| self.file_fingerprint(path);
        let input = RenderInput {
            site: &self.site,
            contents: &self.contents,
            shared: &self.shared,
            templates: &self.templates,
            mode: self.mode,
            fingerprinted: &self.fingerprinted,
            file_fingerprint: &file_fingerprint,
        };
        let incremental = sink.incremental();
        let one = |index: usize| -> Result<Done<S::Receipt>> {
            let planned = &self.plan[index];
            let (prepared, deps) = input.prepare_recorded(planned, incremental)?;
            let fingerprint = incremental.then(|| input.fingerprint(&prepared));
            if let Some(fp) = fingerprint
                && sink.is_current(&planned.path, fp)
            {
                return Ok(Done {
                    index,
                    fingerprint,
                    deps,
                    receipt: None,
                });
            }
            let receipt = sink.accept(planned, input.finish(prepared)?)?;
            Ok(Done {
                index,
                fingerprint,
                deps,
                receipt: Some(receipt),
            })
        };
        let results: Vec<Result<Done<S::Receipt>>> = match which {
            Which::All => (0..self.plan.len())
                .into_par_iter()
                .filter(|&i| !is_last(&self.plan[i].job))
                .map(one)
                .collect(),
            Which::Only(indices) => indices.par_iter().map(|&i| one(i)).collect(),
        };
        collect_all(results)
    }

    /// Renders every output once into `sink`: first the outputs that show a page's content
    /// (its own page and the feeds), then, with the pages' HTML freed, everything else, whose
    /// listings build the summaries in the memory the HTML left. A large site never holds all
    /// its HTML and all its summaries at once. Sections keep their HTML: their own pages are
    /// listings too. Afterwards the engine cannot render pages again.
    pub fn render_all_once<S: Sink>(&mut self, sink: &S) -> Result<Vec<Done<S::Receipt>>> {
        let site = &self.site;
        let (content, rest): (Vec<usize>, Vec<usize>) = (0..self.plan.len())
            .filter(|&i| !is_last(&self.plan[i].job))
            .partition(|&i| match self.plan[i].job {
                Job::Doc { id, .. } => !site.docs[id].is_section(),
                Job::Feed { .. } | Job::TermFeed { .. } => true,
                _ => false,
            });
        let first = self.render_outputs(Which::Only(&content), sink);
        let site = Arc::clone(&self.site);
        self.contents
            .par_iter_mut()
            .zip(&site.docs)
            .filter(|(_, d)| !d.is_section())
            .for_each(|(c, _)| {
                if let Some(c) = Arc::get_mut(c) {
                    c.html = tera::Value::none();
                }
            });
        // The rest is rendered even when a page failed: one build reports every problem.
        let rest = self.render_outputs(Which::Only(&rest), sink);
        Ok(collect_all([first, rest])?.into_iter().flatten().collect())
    }

    /// The problems found before rendering (`problems`: content files left out, Markdown that
    /// failed, broken anchors) together with those of rendering every output (templates), as
    /// one error; the outputs go nowhere ([`sink::Discard`]). Afterwards the engine cannot
    /// render pages again.
    pub fn with_render_problems(&mut self, mut problems: Vec<Diagnostic>) -> Error {
        match self.render_all_once(&sink::Discard) {
            Ok(_) => {}
            Err(Error::Invalid(mut list)) => problems.append(&mut list),
            // Reading a file failed: reported with the problems found so far.
            Err(Error::Io {
                action,
                path,
                source,
            }) => problems.push(Diagnostic::new(path, format!("cannot {action}: {source}"))),
            Err(other) => return other,
        }
        Error::Invalid(crate::error::merge_repeated(problems))
    }

    /// After the other outputs were rendered: plans the fingerprinted copies of the static
    /// files `asset()` linked that the plan does not hold yet, and renders them and
    /// `_headers` (which names them) into `sink`.
    pub fn render_linked_assets<S: Sink>(&mut self, sink: &S) -> Result<Vec<Done<S::Receipt>>> {
        let copies = plan::linked_asset_copies(
            &self.site,
            &self.plan,
            &self.asset_hashes,
            &self.templates.linked_assets,
        );
        let first = self.plan.len();
        self.plan.extend(copies);
        self.fingerprinted = plan::fingerprinted_paths(&self.plan);
        let last: Vec<usize> = (0..self.plan.len())
            .filter(|&i| i >= first || is_last(&self.plan[i].job))
            .collect();
        self.render_outputs(Which::Only(&last), sink)
    }
}

/// `Ok` without problems, else the problems as an error.
fn fail_with(problems: Vec<Diagnostic>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Whether `job` is rendered after every other output: `_headers` lists the fingerprinted
/// copies, known only then.
fn is_last(job: &Job) -> bool {
    matches!(job, Job::Headers)
}

/// The processed images used so far that `plan` does not hold yet, as planned outputs.
fn image_jobs(plan: &[Planned], templates: &Templates) -> Vec<Planned> {
    let outputs = templates.images.outputs();
    if outputs.is_empty() {
        // The common case after a text edit of a site without processed images: no index
        // of the whole plan to build.
        return Vec::new();
    }
    let planned: std::collections::HashSet<&str> = plan.iter().map(|p| p.path.as_str()).collect();
    outputs
        .into_iter()
        .filter(|(path, _)| !planned.contains(path.as_str()))
        .map(|(path, file)| Planned {
            job: Job::Image { file },
            path,
        })
        .collect()
}

impl Engine {
    /// The processed images that templates asked for while the outputs were rendered (a
    /// page template's `image()`), beyond the planned ones: the caller gives them to its sink.
    pub(crate) fn late_images(&self) -> Vec<Planned> {
        image_jobs(&self.plan, &self.templates)
    }

    /// Gives the late images (see [`Engine::late_images`]) to `sink`.
    pub(crate) fn render_late_images<S: Sink>(
        &self,
        sink: &S,
    ) -> Result<Vec<(Planned, S::Receipt)>> {
        let results: Vec<Result<(Planned, S::Receipt)>> = self
            .late_images()
            .into_par_iter()
            .map(|p| {
                let file = match &p.job {
                    Job::Image { file } => file.clone(),
                    _ => PathBuf::new(),
                };
                let receipt = sink.accept(&p, Output::Copy(file))?;
                Ok((p, receipt))
            })
            .collect();
        collect_all(results)
    }
}

/// Published documents per language: those with a page of their own (not `render = false`).
pub fn pages_per_language(site: &Site) -> Vec<(String, usize)> {
    site.each_language()
        .map(|(i, l)| {
            (
                l.code.clone(),
                site.docs
                    .iter()
                    .filter(|d| d.lang == i && d.source.front_matter.renders())
                    .count(),
            )
        })
        .collect()
}

/// A warning for every special file (device, FIFO, socket) the load stage skipped.
fn skipped_warnings(project: &load::Project, root: &std::path::Path) -> Vec<Warning> {
    project
        .content
        .skipped
        .iter()
        .chain(&project.theme.skipped)
        .chain(&project.data.skipped)
        .map(|p| Warning::SpecialFileSkipped {
            path: p.strip_prefix(root).unwrap_or(p).to_path_buf(),
        })
        .collect()
}
