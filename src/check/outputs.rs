//! Every output file of the site, rendered in memory (never written): rendered files keep their
//! bytes, copied files (static files, bundle assets) their source path, read only when needed.

use super::Finding;
use super::html::css_urls;
use crate::build::Rendered;
use crate::error::{Result, collect_all};
use crate::render::jobs::{Job, Output};
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

/// Renders every planned output in parallel, keeping every error found.
pub fn render_all(rendered: &Rendered) -> Result<Outputs> {
    let input = rendered.input(false);
    let results: Vec<Result<(String, OutputFile)>> = rendered
        .plan
        .par_iter()
        .map(|p| {
            let file = match (input.render(p)?, &p.job) {
                (Output::Bytes(b), _) => OutputFile::Rendered(b),
                (Output::Copy(src), Job::Fingerprinted { .. }) => {
                    OutputFile::FingerprintedCopy(src)
                }
                (Output::Copy(src), _) => OutputFile::Copy(src),
            };
            Ok((p.path.clone(), file))
        })
        .collect();
    Ok(Outputs(collect_all(results)?.into_iter().collect()))
}
