//! A cheap fingerprint of every input file — path, size and modification time, no contents — so
//! a build can tell in milliseconds that nothing changed since the last one.

use crate::error::Result;
use crate::load::config::{CONFIG_FILE, Config};
use crate::load::files::{Found, SiteFolders};
use rayon::prelude::*;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

/// (path, size, mtime) of a walked file (the file a link points to); None if it vanished.
fn file_stat(path: PathBuf) -> Option<(PathBuf, u64, i128)> {
    let meta = std::fs::metadata(&path).ok()?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    Some((path, meta.len(), mtime))
}

/// Hash of (path, size, mtime) of `site.toml` and every file in the input folders. Folders are
/// walked in parallel, one task per top-level entry.
pub fn stat_fingerprint(root: &Path, config: &Config) -> Result<u64> {
    let mut tops: Vec<PathBuf> = vec![root.join(CONFIG_FILE)];
    for dir in crate::layout::build_inputs(root, config.theme.as_deref()) {
        match std::fs::read_dir(&dir) {
            Ok(entries) => tops.extend(entries.filter_map(|e| e.ok().map(|e| e.path()))),
            Err(_) => tops.push(dir),
        }
    }
    let folders = SiteFolders::of(root);
    let mut stats: Vec<(PathBuf, u64, i128)> = tops
        .par_iter()
        .flat_map_iter(|top| {
            folders
                .walk(top)
                .filter_map(|e| match e {
                    Ok(Found::File(f)) => {
                        file_stat(f.source).map(|(_, size, mtime)| (f.path, size, mtime))
                    }
                    // A special file or a walk error (such as a link loop or a link out of
                    // the site) is part of the fingerprint, so that the build runs and reports
                    // it instead of keeping the last output.
                    Ok(Found::Special(path)) => Some((path, u64::MAX, 0)),
                    Err(_) => Some((top.clone(), u64::MAX, i128::MIN)),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    stats.sort_unstable();
    let mut h = DefaultHasher::new();
    stats.hash(&mut h);
    Ok(h.finish())
}
