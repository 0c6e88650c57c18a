//! Write stage: puts the rendered site into `output_dir` atomically. Files go into a staging
//! folder next to the output; files whose bytes did not change are hard-linked from the previous
//! output (same inode, same mtime: rsync sees nothing to do); at the end the staging folder is
//! swapped in. A failed build drops the staging folder and leaves the last good site untouched.

pub mod state;

use crate::error::{Diagnostic, Error, Result};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Folders of the site that the output may never be, contain, or sit inside.
const PROTECTED: &[&str] = &crate::layout::PROTECTED;

/// Counts of what a build wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files written because they are new or changed.
    pub written: usize,
    /// Files kept from the previous output because their bytes are the same.
    pub unchanged: usize,
}

/// An output folder being built.
pub struct Staging {
    output: PathBuf,
    /// Whether a previous output exists to keep unchanged files from.
    has_previous: bool,
    staging: tempfile::TempDir,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    files: std::sync::Mutex<Vec<(String, u64)>>,
}

/// The absolute, lexically normalised output folder for `output_dir` (relative to `root`),
/// refused when it would overwrite the site itself.
pub fn resolve_output(root: &Path, output_dir: &Path, line: Option<usize>) -> Result<PathBuf> {
    let root_abs =
        normalize(&std::path::absolute(root).map_err(|e| Error::io("resolve", root, e))?);
    let root_abs = fs::canonicalize(&root_abs).unwrap_or(root_abs);
    let joined = if output_dir.is_absolute() {
        output_dir.to_path_buf()
    } else {
        root_abs.join(output_dir)
    };
    let out = normalize(&joined);
    // An existing output folder (or a parent of it) may be a symbolic link into the site.
    let resolved = canonical_prefix(&out);
    let refuse = |why: String| -> Result<PathBuf> {
        Err(Diagnostic::new(
            "site.toml",
            format!("output_dir `{}` {why}", output_dir.display()),
        )
        .at_optional_line(line)
        .with_help("use a separate folder inside the site, such as output_dir = \"public\"")
        .into())
    };
    for out in [&out, &resolved] {
        if *out == root_abs || root_abs.starts_with(out) {
            return refuse("is the site folder or one of its parents".into());
        }
        for p in PROTECTED {
            let protected = root_abs.join(p);
            if *out == protected || out.starts_with(&protected) || protected.starts_with(out) {
                return refuse(format!("would overwrite the site's {p}/ folder"));
            }
        }
    }
    if out.parent().is_none() {
        return refuse("is a file system root".into());
    }
    Ok(out)
}

/// `path` with its longest existing prefix resolved through the file system (symbolic links
/// followed), the rest appended as written.
fn canonical_prefix(path: &Path) -> PathBuf {
    let mut existing = path;
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = fs::canonicalize(existing) {
            return rest.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// Removes `.` and resolves `..` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `rel` as a path below the output, refusing anything that could escape it.
pub fn safe_join(base: &Path, rel: &str) -> Result<PathBuf> {
    let mut out = base.to_path_buf();
    for part in rel.split('/') {
        if part.is_empty()
            || part == "."
            || part == ".."
            || part.contains('\\')
            || part.contains('\0')
        {
            return Err(
                Diagnostic::new(rel, "output path escapes the output folder")
                    .with_help("rename the file or fix its slug")
                    .into(),
            );
        }
        out.push(part);
    }
    Ok(out)
}

impl Staging {
    /// Starts a staging folder next to `output`.
    pub fn begin(output: &Path) -> Result<Staging> {
        let parent = output.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{name}.ludd-staging-"))
            .tempdir_in(parent)
            .map_err(|e| Error::io("create directory", parent, e))?;
        Ok(Staging {
            has_previous: output.is_dir(),
            output: output.to_path_buf(),
            staging,
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            files: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Writes `bytes` at `rel` (e.g. `en/article/index.html`).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let dest = safe_join(self.staging.path(), rel)?;
        let old = safe_join(&self.output, rel)?;
        if let Ok(mut files) = self.files.lock() {
            files.push((rel.to_string(), bytes.len() as u64));
        }
        if self.has_previous && same_bytes(&old, bytes) && link(&old, &dest).is_ok() {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        create_parent(&dest)?;
        fs::write(&dest, bytes).map_err(|e| Error::io("write", &dest, e))?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Copies `source` to `rel`.
    pub fn copy(&self, rel: &str, source: &Path) -> Result<()> {
        let bytes = fs::read(source).map_err(|e| Error::read(source, e))?;
        self.write(rel, &bytes)
    }

    /// Swaps the staging folder in as the new output.
    pub fn commit(self) -> Result<(WriteStats, Vec<(String, u64)>)> {
        let mut files = self.files.into_inner().unwrap_or_default();
        files.sort();
        let stats = WriteStats {
            written: self.written.into_inner(),
            unchanged: self.unchanged.into_inner(),
        };
        let staged = self.staging.keep();
        let parent = self.output.parent().unwrap_or(Path::new("."));
        let backup = if self.output.exists() {
            let backup = tempfile::Builder::new()
                .prefix(".ludd-old-")
                .tempdir_in(parent)
                .map_err(|e| Error::io("create directory", parent, e))?
                .keep();
            fs::remove_dir(&backup).map_err(|e| Error::io("remove", &backup, e))?;
            fs::rename(&self.output, &backup).map_err(|e| Error::io("move", &self.output, e))?;
            Some(backup)
        } else {
            None
        };
        if let Err(e) = fs::rename(&staged, &self.output) {
            if let Some(b) = &backup {
                let _ = fs::rename(b, &self.output);
            }
            let _ = fs::remove_dir_all(&staged);
            return Err(Error::io("move", &staged, e));
        }
        if let Some(b) = backup {
            fs::remove_dir_all(&b).map_err(|e| Error::io("remove", &b, e))?;
        }
        Ok((stats, files))
    }
}

/// Writes `bytes` to `path` so that no reader ever sees a partial file: into a temporary file
/// in the same folder (created if needed), then renamed over `path`.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    create_parent(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".ludd-write-")
        .tempfile_in(dir)
        .map_err(|e| Error::io("write", path, e))?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io("write", tmp.path(), e))?;
    // Temporary files are private; an output file is as readable as one `fs::write` makes.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io("write", tmp.path(), e))?;
    }
    tmp.persist(path)
        .map_err(|e| Error::io("write", path, e.error))?;
    Ok(())
}

fn same_bytes(old: &Path, bytes: &[u8]) -> bool {
    match fs::metadata(old) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            fs::read(old).is_ok_and(|b| b == bytes)
        }
        _ => false,
    }
}

fn link(old: &Path, dest: &Path) -> Result<()> {
    create_parent(dest)?;
    fs::hard_link(old, dest).map_err(|e| Error::io("link", dest, e))
}

fn create_parent(dest: &Path) -> Result<()> {
    let Some(p) = dest.parent() else {
        return Ok(());
    };
    // Most parents are new leaf folders whose own parent exists: one mkdir. Fall back to
    // creating the whole chain.
    match fs::create_dir(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(_) => fs::create_dir_all(p).map_err(|e| Error::io("create directory", p, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_may_not_be_the_site_or_its_sources() {
        let root = Path::new("/site");
        assert!(resolve_output(root, Path::new("."), None).is_err());
        assert!(resolve_output(root, Path::new(".."), None).is_err());
        assert!(resolve_output(root, Path::new("content"), None).is_err());
        assert!(resolve_output(root, Path::new("content/x"), None).is_err());
        assert!(resolve_output(root, Path::new("themes/../content"), None).is_err());
        assert_eq!(
            resolve_output(root, Path::new("public"), None).ok(),
            Some(PathBuf::from("/site/public"))
        );
        assert_eq!(
            resolve_output(root, Path::new("/tmp/out"), None).ok(),
            Some(PathBuf::from("/tmp/out"))
        );
    }

    #[test]
    fn paths_cannot_escape() {
        assert!(safe_join(Path::new("/o"), "../x").is_err());
        assert!(safe_join(Path::new("/o"), "a//b").is_err());
        assert!(safe_join(Path::new("/o"), "a/b.html").is_ok());
    }
}
