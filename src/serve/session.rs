//! A preview session: builds the site into a private output folder (never the deploy
//! `output_dir`) and rebuilds it after changes, reporting exactly which output files changed so
//! the server can tell browsers what to reload.

use crate::build::{BuildOptions, Rendered};
use crate::error::{Error, Result, collect_all};
use crate::load;
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

/// A running preview build.
pub struct Session {
    options: BuildOptions,
    out_dir: PathBuf,
    /// The last project that built successfully, and what it rendered to.
    last_good: Option<(load::Project, Rendered)>,
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
        let full_reload = changed.is_empty() || self.last_good.is_none();
        self.pending.extend(changed.iter().cloned());
        let root = self.options.root.clone();
        let project = match (&self.last_good, full_reload) {
            (Some((previous, _)), false) => load::reload(&root, previous, &self.pending)?,
            _ => load::load(&root)?,
        };
        let rendered = Rendered::from_project(
            project.clone(),
            &self.options,
            self.last_good.as_ref().map(|(_, r)| r),
        )?;
        let fingerprints = rendered.fingerprints();
        let stale: Vec<(usize, u64)> = fingerprints
            .iter()
            .enumerate()
            .filter(|(i, fp)| self.files.get(&rendered.plan[*i].path).map(|f| f.0) != Some(**fp))
            .map(|(i, fp)| (i, *fp))
            .collect();
        let input = rendered.input(self.options.is_serve);
        let outputs: Vec<Result<(usize, u64, Vec<u8>)>> = stale
            .par_iter()
            .map(|&(i, fp)| {
                let bytes = match input.render(&rendered.plan[i])? {
                    Output::Bytes(b) => b,
                    Output::Copy(src) => {
                        std::fs::read(&src).map_err(|e| Error::io("read", &src, e))?
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
                std::fs::write(&dest, bytes).map_err(|e| Error::io("write", &dest, e))?;
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
        self.pending.clear();
        self.last_good = Some((project, rendered));
        changes.written.sort();
        changes.elapsed = start.elapsed();
        Ok(changes)
    }
}
