//! A preview session: builds the site into a private output folder (never the deploy
//! `output_dir`) and rebuilds it after changes, reporting exactly which output files changed so
//! the server can tell browsers what to reload.

use crate::build::{BuildOptions, Rendered};
use crate::error::{Error, Result, collect_all};
use crate::load;
use crate::load::content::SourceDoc;
use crate::model::DocId;
use crate::render::fingerprint::Fingerprints;
use crate::render::jobs::Output;
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

/// The last build that succeeded: what was read, what it rendered to, and the fingerprints.
struct LastGood {
    project: load::Project,
    rendered: Rendered,
    fingerprints: Fingerprints,
}

/// A running preview build.
pub struct Session {
    options: BuildOptions,
    out_dir: PathBuf,
    /// The last project that built successfully, and what it rendered to.
    last_good: Option<LastGood>,
    /// Output path → (fingerprint of its inputs, hash of its bytes), as currently on disk.
    files: HashMap<String, (u64, blake3::Hash)>,
    /// Paths changed since the last successful build (kept across failed rebuilds).
    pending: Vec<PathBuf>,
}

impl Session {
    /// Starts a session that serves from `out_dir` (created if needed) and runs a first build.
    pub fn start(options: BuildOptions, out_dir: PathBuf) -> (Session, Result<Changes>) {
        let mut session = Session {
            options,
            out_dir,
            last_good: None,
            files: HashMap::new(),
            pending: Vec::new(),
        };
        let first = session.rebuild(&[]);
        (session, first)
    }

    /// The private folder the site is served from.
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
        let text_edits = if everything {
            None
        } else {
            self.apply_text_edits()?
        };
        let text_only = text_edits.is_some();
        if !text_only {
            self.rebuild_model(everything)?;
        }
        let prepared = start.elapsed();
        let candidates = text_edits.flatten();
        let mut changes = match self.write_changed_outputs(candidates.as_deref(), !text_only) {
            Ok(changes) => changes,
            Err(e) => {
                // What is on disk is uncertain now: the next rebuild starts from scratch.
                self.last_good = None;
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

    /// The common edit, new text in existing Markdown files with their front matter unchanged,
    /// leaves the model as it is: only those documents are rendered again. `None` when the
    /// pending changes are more than that; else the outputs that may have changed (`None`
    /// inside: any).
    fn apply_text_edits(&mut self) -> Result<Option<Option<Vec<usize>>>> {
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
        let site = &last.rendered.site;
        // Drafts left out of the model have no outputs.
        let edits: Vec<(DocId, &SourceDoc)> = updates
            .iter()
            .filter_map(|(_, doc)| site.by_path.get(&doc.rel_path).map(|&id| (id, doc)))
            .collect();
        let candidates = last
            .rendered
            .apply_text_edits(&edits, &mut last.fingerprints)?;
        for (index, doc) in updates {
            last.project.content.docs[index] = doc;
        }
        Ok(Some(candidates))
    }

    /// Reads what changed (everything when `everything`), and models and renders the site
    /// again, reusing the Markdown of documents that did not change.
    fn rebuild_model(&mut self, everything: bool) -> Result<()> {
        let root = &self.options.root;
        let project = match &self.last_good {
            Some(last) if !everything => load::reload(root, &last.project, &self.pending)?,
            _ => load::load(root)?,
        };
        let rendered = Rendered::from_project(
            project.clone(),
            &self.options,
            self.last_good.as_ref().map(|l| &l.rendered),
        )?;
        let fingerprints = rendered.fingerprints();
        self.last_good = Some(LastGood {
            project,
            rendered,
            fingerprints,
        });
        Ok(())
    }

    /// Renders and writes every output whose fingerprint differs from what is on disk (of
    /// `candidates` only, when given), and removes outputs no longer planned (`plan_changed`:
    /// the plan may have changed).
    fn write_changed_outputs(
        &mut self,
        candidates: Option<&[usize]>,
        plan_changed: bool,
    ) -> Result<Changes> {
        let Some(last) = &self.last_good else {
            return Ok(Changes::default());
        };
        let (rendered, fingerprints) = (&last.rendered, &last.fingerprints.outputs);
        let is_stale =
            |i: usize| self.files.get(&rendered.plan[i].path).map(|f| f.0) != Some(fingerprints[i]);
        let indices: Vec<usize> = match candidates {
            Some(candidates) => candidates.to_vec(),
            None => (0..fingerprints.len()).collect(),
        };
        let stale: Vec<(usize, u64)> = indices
            .into_iter()
            .filter(|&i| is_stale(i))
            .map(|i| (i, fingerprints[i]))
            .collect();
        let input = rendered.input(self.options.is_serve);
        let outputs: Vec<Result<(usize, u64, Vec<u8>)>> = stale
            .par_iter()
            .map(|&(i, fp)| {
                let bytes = match input.render(&rendered.plan[i])? {
                    Output::Bytes(b) => b,
                    Output::Copy(src) => {
                        crate::load::files::read(&src).map_err(|e| Error::io("read", &src, e))?
                    }
                };
                Ok((i, fp, bytes))
            })
            .collect();
        let outputs = collect_all(outputs)?;
        // Write every output whose bytes changed, in parallel.
        let files = &mut self.files;
        let to_write: Vec<(usize, u64, blake3::Hash, Vec<u8>)> = outputs
            .into_par_iter()
            .map(|(i, fp, bytes)| (i, fp, blake3::hash(&bytes), bytes))
            .collect();
        let out_dir = &self.out_dir;
        let written: Vec<Result<Option<String>>> = to_write
            .par_iter()
            .map(|(i, _, hash, bytes)| {
                let path = &rendered.plan[*i].path;
                if files.get(path).map(|f| f.1) == Some(*hash) {
                    return Ok(None);
                }
                let dest = out_dir.join(path);
                if let Some(p) = dest.parent() {
                    std::fs::create_dir_all(p).map_err(|e| Error::io("create directory", p, e))?;
                }
                crate::write::atomic::write(&dest, bytes)
                    .map_err(|e| Error::io("write", &dest, e))?;
                Ok(Some(path.clone()))
            })
            .collect();
        let mut changes = Changes {
            written: collect_all(written)?.into_iter().flatten().collect(),
            ..Changes::default()
        };
        for (i, fp, hash, _) in to_write {
            files.insert(rendered.plan[i].path.clone(), (fp, hash));
        }
        if plan_changed {
            let planned: HashSet<&str> = rendered.plan.iter().map(|p| p.path.as_str()).collect();
            let gone: BTreeSet<String> = files
                .keys()
                .filter(|p| !planned.contains(p.as_str()))
                .cloned()
                .collect();
            for path in gone {
                let _ = std::fs::remove_file(self.out_dir.join(&path));
                files.remove(&path);
                changes.removed.push(path);
            }
        }
        changes.written.sort();
        Ok(changes)
    }
}
