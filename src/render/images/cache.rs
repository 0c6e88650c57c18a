//! The disk cache of processed images, `.ludd-cache/images/` next to `site.toml` (never in the
//! output; the watcher ignores dot folders). Variants are files named by a hash of their source
//! bytes and every option that shapes them, so build, serve and check share them and a cached
//! rebuild does no image work. `index.json` remembers each source's size, modification time,
//! hash and header, so an unchanged source is not even read again. After a build, files that
//! no image used are pruned.

use super::decode::Probe;
use super::error::ImageError;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

/// The cache folder, relative to the site root.
pub const CACHE_DIR: &str = ".ludd-cache/images";
const INDEX: &str = "index.json";

/// Whether `name` is a cached variant's file name as the cache writes it: 20 hex digits of the
/// variant's key and the format's extension (`3f2a…9c.webp`).
fn is_variant_name(name: &str) -> bool {
    name.split_once('.').is_some_and(|(key, ext)| {
        key.len() == 20
            && key.bytes().all(|b| b.is_ascii_hexdigit())
            && matches!(ext, "webp" | "jpg" | "png")
    })
}

/// What the cache knows about one source file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceEntry {
    /// File size.
    pub len: u64,
    /// Modification time, nanoseconds since 1970.
    pub mtime: u128,
    /// blake3 of its bytes (hex).
    pub hash: String,
    /// Its header.
    pub probe: ProbeRecord,
}

/// A [`Probe`] as stored.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct ProbeRecord {
    kind: u8,
    format: u8,
    width: u32,
    height: u32,
    alpha: bool,
}

impl ProbeRecord {
    /// Stores a probe.
    pub fn new(p: &Probe) -> ProbeRecord {
        use super::decode::Kind;
        let format_code = |f: image::ImageFormat| match f {
            image::ImageFormat::Jpeg => 0,
            image::ImageFormat::Png => 1,
            image::ImageFormat::WebP => 2,
            _ => 3,
        };
        let (kind, format) = match p.kind {
            Kind::Raster(f) => (0, format_code(f)),
            Kind::Animated(f) => (1, format_code(f)),
            Kind::Svg => (2, 0),
        };
        ProbeRecord {
            kind,
            format,
            width: p.width,
            height: p.height,
            alpha: p.alpha,
        }
    }

    /// The probe back.
    pub fn probe(&self) -> Probe {
        use super::decode::Kind;
        let format = match self.format {
            0 => image::ImageFormat::Jpeg,
            1 => image::ImageFormat::Png,
            2 => image::ImageFormat::WebP,
            _ => image::ImageFormat::Gif,
        };
        let kind = match self.kind {
            0 => Kind::Raster(format),
            1 => Kind::Animated(format),
            _ => Kind::Svg,
        };
        Probe {
            kind,
            width: self.width,
            height: self.height,
            alpha: self.alpha,
        }
    }
}

/// Size and modification time of a file, to tell whether it changed.
pub fn stamp(path: &Path) -> Option<(u64, u128)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((meta.len(), mtime))
}

/// The cache of one site.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    index: Mutex<HashMap<PathBuf, SourceEntry>>,
    used_sources: Mutex<HashSet<PathBuf>>,
    used_files: Mutex<HashSet<String>>,
}

impl Cache {
    /// Opens the cache of the site at `root` (nothing is created until a variant is stored).
    pub fn open(root: &Path) -> Cache {
        let dir = root.join(CACHE_DIR);
        let index = std::fs::read(dir.join(INDEX))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Cache {
            dir,
            index: Mutex::new(index),
            used_sources: Mutex::new(HashSet::new()),
            used_files: Mutex::new(HashSet::new()),
        }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the cache knows of `source`, if the file is unchanged since.
    pub fn source(&self, source: &Path) -> Option<SourceEntry> {
        let (len, mtime) = stamp(source)?;
        let index = self.index.lock().ok()?;
        let entry = index
            .get(source)
            .filter(|e| e.len == len && e.mtime == mtime)?;
        self.mark_source(source);
        Some(entry.clone())
    }

    /// Remembers what `source` is.
    pub fn remember(&self, source: &Path, entry: SourceEntry) {
        if let Ok(mut index) = self.index.lock() {
            index.insert(source.to_path_buf(), entry);
        }
        self.mark_source(source);
    }

    fn mark_source(&self, source: &Path) {
        if let Ok(mut used) = self.used_sources.lock() {
            used.insert(source.to_path_buf());
        }
    }

    /// The cached file `name`, if it exists (and marks it used).
    pub fn get(&self, name: &str) -> Option<PathBuf> {
        let path = self.dir.join(name);
        path.is_file().then(|| {
            self.mark(name);
            path
        })
    }

    fn mark(&self, name: &str) {
        if let Ok(mut used) = self.used_files.lock() {
            used.insert(name.to_string());
        }
    }

    /// Stores `bytes` as `name` (a temporary file renamed into place, so a reader never sees
    /// half a file).
    pub fn put(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, ImageError> {
        let fail = |path: &Path, source| ImageError::Cache {
            path: path.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(|e| fail(&self.dir, e))?;
        let path = self.dir.join(name);
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(|e| fail(&self.dir, e))?;
        std::io::Write::write_all(&mut tmp, bytes).map_err(|e| fail(tmp.path(), e))?;
        tmp.persist(&path).map_err(|e| fail(&path, e.error))?;
        self.mark(name);
        Ok(path)
    }

    /// Writes the index, keeping only the sources used in this run when `prune`, and with
    /// `prune` removes every cached file no variant of this run used.
    pub fn finish(&self, prune: bool) -> Result<(), ImageError> {
        let (Ok(mut index), Ok(used_sources), Ok(used_files)) = (
            self.index.lock(),
            self.used_sources.lock(),
            self.used_files.lock(),
        ) else {
            return Ok(());
        };
        if used_sources.is_empty() && !self.dir.exists() {
            return Ok(());
        }
        // Only a real cache folder is pruned (never one that links elsewhere), and in it only
        // the files the cache names itself: ludd deletes nothing it did not create.
        let real_dir = std::fs::symlink_metadata(&self.dir).is_ok_and(|m| m.is_dir());
        if prune && real_dir {
            index.retain(|path, _| used_sources.contains(path));
            if let Ok(entries) = std::fs::read_dir(&self.dir) {
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let is_file = entry.file_type().is_ok_and(|t| t.is_file());
                    if is_file && is_variant_name(&name) && !used_files.contains(&name) {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
            }
        }
        let json = serde_json::to_vec(&*index).unwrap_or_default();
        let path = self.dir.join(INDEX);
        let fail = |path: &Path, source| ImageError::Cache {
            path: path.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(|e| fail(&self.dir, e))?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(|e| fail(&self.dir, e))?;
        std::io::Write::write_all(&mut tmp, &json).map_err(|e| fail(tmp.path(), e))?;
        tmp.persist(&path).map_err(|e| fail(&path, e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::is_variant_name;

    #[test]
    fn only_the_caches_own_file_names_are_variants() {
        assert!(is_variant_name("0123456789abcdef0123.webp"));
        assert!(is_variant_name("0123456789abcdef0123.jpg"));
        assert!(!is_variant_name("index.json"));
        assert!(!is_variant_name("holiday.jpg"));
        assert!(!is_variant_name("0123456789abcdef0123.txt"));
        assert!(!is_variant_name("0123456789abcdef012z.png"));
    }
}
