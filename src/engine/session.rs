//! A session: builds the site into a folder and keeps it up to date after changes, rendering
//! only what a change reaches, and reports exactly which output files changed. The preview
//! server runs one on a private folder (so it can tell browsers what to reload), `ludd build
//! --watch` on `output_dir`.

use super::sink::{Folder, InPlace};
use super::{BuildOptions, Engine, Which};
use crate::error::{Error, Result, collect_all};
use crate::load;
use crate::load::config::Config;
use crate::load::content::SourceDoc;
use crate::model::DocId;
use crate::render::deps::Dependents;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a rebuild changed in the served output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Output paths (relative, `/`-separated) written with new bytes.
    pub written: Vec<String>,
    /// Output paths removed.
    pub removed: Vec<String>,
    /// Time taken.
    pub elapsed: Duration,
    /// Time per stage.
    pub timings: Vec<(&'static str, Duration)>,
    /// Only the text of existing documents changed: the model was kept and only their
    /// Markdown rendered again.
    pub text_only: bool,
}

impl Changes {
    /// Only stylesheets changed: browsers can swap CSS without reloading.
    pub fn css_only(&self) -> bool {
        self.removed.is_empty()
            && !self.written.is_empty()
            && self.written.iter().all(|p| p.ends_with(".css"))
    }

    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.written.is_empty() && self.removed.is_empty()
    }
}

/// The last build that succeeded: what was read, what it rendered to, and which outputs read
/// each document's rendered Markdown.
struct LastGood {
    project: load::Project,
    engine: Engine,
    dependents: Dependents,
}

/// A running incremental build.
pub struct Session {
    options: BuildOptions,
    out_dir: PathBuf,
    /// The last project that built successfully, and what it rendered to.
    last_good: Option<LastGood>,
    /// What is on disk, by output path.
    files: HashMap<String, InPlace>,
    /// Paths changed since the last successful build (kept across failed rebuilds).
    pending: Vec<PathBuf>,
    /// `site.toml` as the command parsed it, for the first build (so that it is parsed once).
    first_config: Option<Config>,
}

impl Session {
    /// Starts a session that writes into `out_dir` (created if needed) and runs a first build,
    /// which reads `site.toml`.
    pub fn start(options: BuildOptions, out_dir: PathBuf) -> (Session, Result<Changes>) {
        Session::start_with(options, out_dir, None, Vec::new())
    }

    /// [`Session::start`] with `site.toml` already parsed into `config` (when given), in a
    /// folder that may hold the output of an earlier run: `earlier` are the files that run
    /// wrote. Those with the right bytes are kept as they are; those no longer planned are
    /// removed by the first build that succeeds.
    pub fn start_with(
        options: BuildOptions,
        out_dir: PathBuf,
        config: Option<Config>,
        earlier: Vec<String>,
    ) -> (Session, Result<Changes>) {
        let unknown = InPlace {
            fingerprint: None,
            bytes: None,
        };
        let mut session = Session {
            options,
            out_dir,
            last_good: None,
            files: earlier.into_iter().map(|p| (p, unknown)).collect(),
            pending: Vec::new(),
            first_config: config,
        };
        let first = session.rebuild(&[]);
        (session, first)
    }

    /// The folder the session keeps up to date.
    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        &self.options.root
    }

    /// Rebuilds after `changed` paths (absolute; empty = unknown, read everything). Only the
    /// outputs whose inputs changed are rendered and written. On error the served output stays
    /// as it was, and the changed paths are remembered for the next attempt.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Changes> {
        let start = Instant::now();
        let everything = changed.is_empty() || self.last_good.is_none();
        self.pending.extend(changed.iter().cloned());
        let candidates = if everything {
            None
        } else {
            self.apply_text_edits()?
        };
        let text_only = candidates.is_some();
        if !text_only && let Err(e) = self.rebuild_model(everything) {
            return Err(self.with_every_problem(e));
        }
        let prepared = start.elapsed();
        let mut changes = match self.write_changed_outputs(candidates.as_deref()) {
            Ok(changes) => changes,
            Err(e) => {
                // What is on disk is uncertain now: the next rebuild starts from scratch and
                // renders every output again (which also notes again the files `asset()`
                // links), writing only what differs from the bytes on disk.
                self.last_good = None;
                for file in self.files.values_mut() {
                    file.fingerprint = None;
                }
                return Err(e);
            }
        };
        changes.timings = vec![
            (if text_only { "text edits" } else { "model" }, prepared),
            ("render+write", start.elapsed() - prepared),
        ];
        changes.text_only = text_only;
        self.pending.clear();
        changes.elapsed = start.elapsed();
        Ok(changes)
    }

    /// Copies the image variants the background worker made since the last call into the
    /// served folder (see [`crate::render::images::background`]); an image that could not be
    /// processed is an error naming it. Nothing else is rendered: the pages already name the
    /// variants.
    pub fn publish_ready_images(&mut self) -> Result<Changes> {
        let start = Instant::now();
        let Some(worker) = &self.options.background_images else {
            return Ok(Changes::default());
        };
        let ready = worker.take_ready();
        let written: Vec<Result<String>> = ready
            .variants
            .into_par_iter()
            .map(|(path, file)| {
                let bytes =
                    std::fs::read(&file).map_err(|e| crate::error::Error::read(&file, e))?;
                let dest = crate::write::safe_join(&self.out_dir, &path)?;
                crate::write::atomic_write(&dest, &bytes)?;
                worker.published(&path);
                Ok(path)
            })
            .collect();
        let failed = ready.failed.iter().map(|e| {
            Err(crate::error::Error::invalid(
                e.diagnostic(&self.options.root),
            ))
        });
        let mut written = collect_all(written.into_iter().chain(failed))?;
        written.sort();
        Ok(Changes {
            written,
            elapsed: start.elapsed(),
            ..Changes::default()
        })
    }

    /// The common edit, new text in existing Markdown files with their front matter unchanged,
    /// leaves the model as it is: only those documents are rendered again. `None` when the
    /// pending changes are more than that; else the outputs that read what changed.
    fn apply_text_edits(&mut self) -> Result<Option<Vec<usize>>> {
        let Some(last) = &mut self.last_good else {
            return Ok(None);
        };
        let settings = load::content_settings(&last.project.config);
        let Some(updates) = load::content::reread_bodies(
            &self.options.root,
            &last.project.content,
            &self.pending,
            &settings,
        )?
        else {
            return Ok(None);
        };
        let site = &last.engine.site;
        // Drafts left out of the model have no outputs.
        let edits: Vec<(DocId, &SourceDoc)> = updates
            .iter()
            .filter_map(|(_, doc)| site.by_path.get(&doc.rel_path).map(|&id| (id, doc)))
            .collect();
        let changed = last.engine.apply_text_edits(&edits)?;
        for (index, doc) in updates {
            last.project.content.docs[index] = doc;
        }
        let mut candidates: Vec<usize> = changed
            .iter()
            .flat_map(|&(doc, part)| last.dependents.affected(doc, part))
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        Ok(Some(candidates))
    }

    /// Reads what changed (everything when `everything`), and models and renders the site
    /// again, reusing the Markdown of documents that did not change.
    fn rebuild_model(&mut self, everything: bool) -> Result<()> {
        let root = &self.options.root;
        let project = match (&self.last_good, self.first_config.take()) {
            (Some(last), _) if !everything => load::reload(root, &last.project, &self.pending)?,
            (_, Some(config)) => load::load_with(root, config)?,
            (_, None) => load::load(root)?,
        };
        let engine = Engine::from_project(
            project.clone(),
            &self.options,
            self.last_good.as_ref().map(|l| &l.engine),
        )?;
        let dependents = Dependents::new(engine.site.docs.len());
        self.last_good = Some(LastGood {
            project,
            engine,
            dependents,
        });
        Ok(())
    }

    /// A model rebuild stops at the problems of the files it read (front matter, Markdown,
    /// anchors) before any template runs. Like `ludd build`, one failed rebuild reports every
    /// problem: the site is prepared again going on past them, every output is rendered to
    /// nowhere, and the template problems join the list. Nothing is written. Any other error
    /// (an unreadable `site.toml`, a failed read) is returned as it is.
    fn with_every_problem(&self, error: Error) -> Error {
        if !matches!(error, Error::Invalid(_)) {
            return error;
        }
        let Ok(config) = Config::load(&self.options.root) else {
            return error;
        };
        match Engine::prepare_partial(&self.options, config) {
            Ok((mut engine, problems)) if !problems.is_empty() => {
                engine.with_render_problems(problems)
            }
            Err(all @ Error::Invalid(_)) => all,
            _ => error,
        }
    }

    /// Renders and writes every output whose fingerprint differs from what is on disk (of
    /// `candidates` only, when given: the model is unchanged), and removes outputs no longer
    /// planned (all outputs: the plan may have changed).
    fn write_changed_outputs(&mut self, candidates: Option<&[usize]>) -> Result<Changes> {
        let Some(last) = &mut self.last_good else {
            return Ok(Changes::default());
        };
        let which = match candidates {
            Some(c) => Which::Only(c),
            None => Which::All,
        };
        let sink = Folder {
            dir: &self.out_dir,
            files: &self.files,
        };
        let mut done = last.engine.render_outputs(which, &sink)?;
        done.extend(last.engine.render_linked_assets(&sink)?);
        let plan = &last.engine.plan;
        let mut changes = Changes::default();
        for d in done {
            last.dependents.record(d.index, &d.deps);
            let path = &plan[d.index].path;
            if let (Some(written), Some(fingerprint)) = (d.receipt, d.fingerprint) {
                if written.changed {
                    changes.written.push(path.clone());
                }
                self.files.insert(
                    path.clone(),
                    InPlace {
                        fingerprint: Some(fingerprint),
                        bytes: Some(written.bytes),
                    },
                );
            }
        }
        if candidates.is_none() {
            let planned: HashSet<&str> = plan.iter().map(|p| p.path.as_str()).collect();
            let gone: BTreeSet<String> = self
                .files
                .keys()
                .filter(|p| !planned.contains(p.as_str()))
                .cloned()
                .collect();
            for path in gone {
                let _ = std::fs::remove_file(self.out_dir.join(&path));
                self.files.remove(&path);
                changes.removed.push(path);
            }
        }
        changes
            .written
            .extend(write_late_images(&self.out_dir, &last.engine)?);
        changes.written.sort();
        Ok(changes)
    }
}

/// Writes the processed images that page templates asked for beyond the plan, unless the
/// folder has them (their names carry their content hash, so one that exists is current), and
/// saves the image cache's index.
fn write_late_images(out_dir: &Path, engine: &super::Engine) -> Result<Vec<String>> {
    let late: Vec<_> = engine
        .late_images()
        .into_iter()
        .filter(|p| !out_dir.join(&p.path).exists())
        .collect();
    let written: Vec<Result<String>> = late
        .into_par_iter()
        .map(|p| {
            let crate::render::plan::Job::Image { file } = &p.job else {
                return Ok(p.path);
            };
            let bytes = std::fs::read(file).map_err(|e| crate::error::Error::read(file, e))?;
            let dest = crate::write::safe_join(out_dir, &p.path)?;
            crate::write::atomic_write(&dest, &bytes)?;
            Ok(p.path)
        })
        .collect();
    let _ = engine.templates.images.finish(false);
    collect_all(written)
}
