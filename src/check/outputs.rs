//! Every output file of the site, rendered in memory (never written): rendered files keep their
//! bytes, copied files (static files, bundle assets) their source path, read only when needed.

use super::Finding;
use super::html::css_urls;
use crate::engine::{Engine, Sink, Which};
use crate::error::Result;
use crate::render::output::Output;
use crate::render::plan::{Job, Planned};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;

/// One output file.
#[derive(Debug, Clone)]
pub enum OutputFile {
    /// Rendered by ludd (pages, feeds, sitemap).
    Rendered(Vec<u8>),
    /// Copied as it is from this file.
    Copy(PathBuf),
    /// A static file's copy under its fingerprinted name (`css/site.4baefe4919.css`): the same
    /// bytes as the plain file, so checked once, as that file.
    FingerprintedCopy(PathBuf),
}

/// Output path (`en/article/index.html`) → file.
#[derive(Debug, Clone, Default)]
pub struct Outputs(pub HashMap<String, OutputFile>);

impl Outputs {
    /// Whether `path` is an output file.
    pub fn contains(&self, path: &str) -> bool {
        self.0.contains_key(path)
    }

    /// The bytes of `path` (read from disk for copied files).
    pub fn bytes(&self, path: &str) -> Option<Cow<'_, [u8]>> {
        match self.0.get(path)? {
            OutputFile::Rendered(b) => Some(Cow::Borrowed(b)),
            OutputFile::Copy(src) | OutputFile::FingerprintedCopy(src) => {
                crate::load::files::read(src).ok().map(Cow::Owned)
            }
        }
    }

    /// `finding(stylesheet, url)` for every `url()` and `@import` of every stylesheet (the
    /// fingerprinted copies are the same files, so they are left out).
    pub fn stylesheet_findings(
        &self,
        finding: impl Fn(&str, &str) -> Option<Finding> + Sync,
    ) -> Vec<Finding> {
        self.0
            .par_iter()
            .filter(|(path, file)| {
                path.ends_with(".css") && !matches!(file, OutputFile::FingerprintedCopy(_))
            })
            .flat_map_iter(|(path, _)| {
                let css = self
                    .bytes(path)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                css_urls(&css)
                    .into_iter()
                    .filter_map(|url| finding(path, &url))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Whether `path` was rendered by ludd (rather than copied).
    pub fn is_rendered(&self, path: &str) -> bool {
        matches!(self.0.get(path), Some(OutputFile::Rendered(_)))
    }
}

/// The in-memory sink: every output kept as an [`OutputFile`].
struct InMemory;

impl Sink for InMemory {
    type Receipt = OutputFile;

    fn accept(&self, planned: &Planned, output: Output) -> Result<OutputFile> {
        Ok(match (output, &planned.job) {
            (Output::Bytes(b), _) => OutputFile::Rendered(b),
            (Output::Copy(src), Job::Fingerprinted { .. }) => OutputFile::FingerprintedCopy(src),
            (Output::Copy(src), _) => OutputFile::Copy(src),
        })
    }
}

/// Renders every planned output in parallel, keeping every error found.
pub fn render_all(engine: &mut Engine) -> Result<Outputs> {
    let mut done = engine.render_outputs(Which::All, &InMemory)?;
    done.extend(engine.render_linked_assets(&InMemory)?);
    let mut outputs: HashMap<String, OutputFile> = done
        .into_iter()
        .filter_map(|d| Some((engine.plan[d.index].path.clone(), d.receipt?)))
        .collect();
    for (planned, file) in engine.render_late_images(&InMemory)? {
        outputs.insert(planned.path, file);
    }
    let _ = engine.templates.images.finish(false);
    Ok(Outputs(outputs))
}
