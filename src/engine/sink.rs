//! The sinks that write: [`Staging`] (a one-shot build's staging folder, swapped in at the end)
//! and [`Folder`] (a folder kept up to date file by file, each file replaced atomically, for
//! the preview server and `ludd build --watch`). `ludd check`'s in-memory sink lives with the
//! checks (`check::outputs`).

use super::Sink;
use crate::error::{Error, Result};
use crate::render::output::Output;
use crate::render::plan::Planned;
use crate::write;
use std::collections::HashMap;
use std::path::Path;

/// Renders into a [`write::Staging`] folder.
pub struct Staging<'a>(pub &'a write::Staging);

impl Sink for Staging<'_> {
    type Receipt = ();

    fn accept(&self, planned: &Planned, output: Output) -> Result<()> {
        match output {
            Output::Bytes(b) => self.0.write(&planned.path, &b),
            Output::Copy(src) => self.0.copy(&planned.path, &src),
        }
    }
}

/// Takes every output and keeps none: a build that already failed renders its outputs only to
/// find their problems too.
pub struct Discard;

impl Sink for Discard {
    type Receipt = ();

    fn accept(&self, _: &Planned, _: Output) -> Result<()> {
        Ok(())
    }
}

/// What is in a [`Folder`] at one output path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InPlace {
    /// The fingerprint of the output written there (`None`: written by an earlier run, not
    /// known).
    pub fingerprint: Option<u64>,
    /// The hash of its bytes (`None`: not known).
    pub bytes: Option<blake3::Hash>,
}

/// What [`Folder`] did with one output.
#[derive(Debug, Clone, Copy)]
pub struct Written {
    /// The hash of its bytes.
    pub bytes: blake3::Hash,
    /// Whether the file was written (false: the same bytes were there already).
    pub changed: bool,
}

/// Renders into a folder that already holds the last rendering: outputs whose fingerprints
/// match are skipped, outputs with the same bytes are left alone, every other file is
/// replaced atomically ([`write::atomic_write`]).
pub struct Folder<'a> {
    /// The folder.
    pub dir: &'a Path,
    /// What it holds, by output path.
    pub files: &'a HashMap<String, InPlace>,
}

impl Sink for Folder<'_> {
    type Receipt = Written;

    fn incremental(&self) -> bool {
        true
    }

    fn is_current(&self, path: &str, fingerprint: u64) -> bool {
        self.files.get(path).and_then(|f| f.fingerprint) == Some(fingerprint)
    }

    fn accept(&self, planned: &Planned, output: Output) -> Result<Written> {
        let bytes = match output {
            Output::Bytes(b) => b,
            Output::Copy(src) => {
                crate::load::files::read(&src).map_err(|e| Error::read(&src, e))?
            }
        };
        let hash = blake3::hash(&bytes);
        let dest = write::safe_join(self.dir, &planned.path)?;
        let same = match self.files.get(&planned.path).and_then(|f| f.bytes) {
            Some(known) => known == hash,
            // A file of an earlier run: left alone (and its modification time kept) when its
            // bytes are the same.
            None => std::fs::read(&dest).is_ok_and(|old| old == bytes),
        };
        if same {
            return Ok(Written {
                bytes: hash,
                changed: false,
            });
        }
        write::atomic_write(&dest, &bytes)?;
        Ok(Written {
            bytes: hash,
            changed: true,
        })
    }
}
