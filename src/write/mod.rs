//! Write stage: puts the rendered site into `output_dir` atomically. Files go into a staging
//! folder next to the output; files whose bytes did not change are hard-linked from the previous
//! output (same inode, same mtime: rsync sees nothing to do); at the end the staging folder is
//! swapped in with one atomic exchange, and the old tree is deleted in the background. A failed
//! or killed build leaves the last good site untouched; its staging folder is removed by the
//! next build. Only folders ludd owns are ever replaced (see [`ownership`]).

pub mod atomic;
pub mod ownership;
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
    /// Input file → where it was copied in the staging folder: a file copied to a second
    /// path (a static file's fingerprinted copy) is hard-linked to the first, never written
    /// twice.
    copies: std::sync::Mutex<std::collections::HashMap<PathBuf, PathBuf>>,
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
    for out in [&out, &resolved] {
        if let Some(why) = ownership::always_refused(out) {
            return refuse(why);
        }
    }
    // A link at the output path (`public -> /srv/www`): the folder it points at is updated.
    if fs::symlink_metadata(&out).is_ok_and(|m| m.file_type().is_symlink()) {
        return Ok(resolved);
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

/// The name of the output folder `output`, for the names of its staging folders.
fn folder_name(output: &Path) -> String {
    output
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// Prefix of the staging folders of `output` (`.public.ludd-staging-<pid>-`).
fn staging_prefix(output: &Path) -> String {
    format!(".{}.ludd-staging-", folder_name(output))
}

/// Removes staging folders that builds of `output` left behind when they were killed: those of
/// processes no longer running, and only when they carry ludd's marker (or are empty).
pub fn remove_leftovers(output: &Path) {
    let Some(parent) = output.parent() else {
        return;
    };
    let prefix = staging_prefix(output);
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<i32>().ok());
        if pid.is_some_and(process_is_running) {
            continue;
        }
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        // Killed while its marker was being written, a staging folder holds at most that
        // marker's temporary file.
        if is_dir && (ownership::has_marker(&path) || holds_only_temp_files(&path)) {
            let _ = remove_owned_tree(&path);
        }
    }
}

/// Whether `dir` holds nothing but temporary files of [`atomic`] (or nothing at all).
fn holds_only_temp_files(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().all(|e| {
            e.file_type().is_ok_and(|t| t.is_file())
                && atomic::is_temp_name(&e.file_name().to_string_lossy())
        })
    })
}

/// Whether a process with id `pid` exists.
pub fn process_is_running(pid: i32) -> bool {
    match rustix::process::Pid::from_raw(pid) {
        Some(pid) => !matches!(
            rustix::process::test_kill_process(pid),
            Err(rustix::io::Errno::SRCH)
        ),
        None => false,
    }
}

/// The old output tree, being deleted in the background after a swap. Dropping the last copy
/// waits for the deletion, so the process does not exit before it is done.
#[derive(Clone, Default)]
pub struct Cleanup(std::sync::Arc<Removal>);

/// A background removal of a folder.
#[derive(Default)]
struct Removal(std::sync::Mutex<Option<(PathBuf, std::thread::JoinHandle<std::io::Result<()>>)>>);

impl std::fmt::Debug for Cleanup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cleanup")
    }
}

impl Cleanup {
    fn start(path: PathBuf) -> Cleanup {
        let removed = path.clone();
        let thread = std::thread::spawn(move || remove_owned_tree(&removed));
        Cleanup(std::sync::Arc::new(Removal(std::sync::Mutex::new(Some((
            path, thread,
        ))))))
    }

    /// Waits until the old tree is gone; a warning when it could not be removed (the new output
    /// is in place either way; the next build tries again).
    pub fn finish(&self) -> Option<String> {
        let (path, thread) = self.0.0.lock().ok()?.take()?;
        let failed = match thread.join() {
            Ok(Ok(())) => return None,
            Ok(Err(e)) => e.to_string(),
            Err(_) => "the removal stopped".to_string(),
        };
        Some(format!(
            "the new output is in place, but the previous one could not be removed from {}: {failed}; the next build tries again, or remove it yourself",
            path.display()
        ))
    }
}

impl Drop for Removal {
    fn drop(&mut self) {
        // Never leave the process with the deletion half done; see Cleanup.
        if let Ok(slot) = self.0.get_mut()
            && let Some((_, thread)) = slot.take()
        {
            let _ = thread.join();
        }
    }
}

/// Removes the folder `dir`, which carries ludd's marker, with the marker last: a removal
/// that is interrupted (the process killed) leaves a folder that still says it is ludd's, so
/// the next build removes the rest ([`remove_leftovers`]).
fn remove_owned_tree(dir: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == ownership::MARKER {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    match fs::remove_file(dir.join(ownership::MARKER)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::remove_dir(dir)
}

impl Staging {
    /// Starts a staging folder next to `output`, after removing the leftovers of killed builds.
    /// Refused unless ludd owns `output` (see [`ownership::check_owned`]).
    pub fn begin(output: &Path) -> Result<Staging> {
        Staging::begin_inner(output).map_err(|e| explain_full_disk(output, e))
    }

    fn begin_inner(output: &Path) -> Result<Staging> {
        ownership::check_owned(output, "output folder", CHOOSE_OTHER)?;
        let parent = output.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
        remove_leftovers(output);
        let staging = tempfile::Builder::new()
            .prefix(&format!(
                "{}{}-",
                staging_prefix(output),
                std::process::id()
            ))
            .tempdir_in(parent)
            .map_err(|e| Error::io("create directory", parent, e))?;
        ownership::mark(staging.path())?;
        Ok(Staging {
            has_previous: output.is_dir(),
            output: output.to_path_buf(),
            staging,
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            files: std::sync::Mutex::new(Vec::new()),
            copies: std::sync::Mutex::new(std::collections::HashMap::new()),
        })
    }

    /// Writes `bytes` at `rel` (e.g. `en/article/index.html`).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.write_inner(rel, bytes)
            .map_err(|e| explain_full_disk(&self.output, e))
    }

    fn write_inner(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let dest = safe_join(self.staging.path(), rel)?;
        let old = safe_join(&self.output, rel)?;
        self.record(rel, bytes.len() as u64);
        if self.has_previous && same_bytes(&old, bytes) && link(&old, &dest).is_ok() {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        create_parent(&dest)?;
        atomic::write(&dest, bytes).map_err(|e| Error::io("write", &dest, e))?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn record(&self, rel: &str, size: u64) {
        if let Ok(mut files) = self.files.lock() {
            files.push((rel.to_string(), size));
        }
    }

    /// Copies the input file `source` to `rel`, streamed: a large file is never read into
    /// memory. Kept as a hard link to the previous output when the bytes are the same.
    pub fn copy(&self, rel: &str, source: &Path) -> Result<()> {
        self.copy_inner(rel, source)
            .map_err(|e| explain_full_disk(&self.output, e))
    }

    fn copy_inner(&self, rel: &str, source: &Path) -> Result<()> {
        let dest = safe_join(self.staging.path(), rel)?;
        let old = safe_join(&self.output, rel)?;
        let copied = self.copies.lock().ok().and_then(|c| c.get(source).cloned());
        if let Some(first) = copied
            && let Ok(meta) = fs::symlink_metadata(&first)
            && link(&first, &dest).is_ok()
        {
            use std::os::unix::fs::MetadataExt;
            self.record(rel, meta.len());
            // Unchanged when the previous output had this very file there too.
            let kept = fs::symlink_metadata(&old)
                .is_ok_and(|o| (o.dev(), o.ino()) == (meta.dev(), meta.ino()));
            let counter = if kept { &self.unchanged } else { &self.written };
            counter.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let mut file = crate::load::files::open(source).map_err(|e| Error::read(source, e))?;
        let size = file.metadata().map_err(|e| Error::read(source, e))?.len();
        self.record(rel, size);
        if self.has_previous && same_file_bytes(&old, &mut file, size) && link(&old, &dest).is_ok()
        {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
        } else {
            use std::io::Seek;
            file.rewind().map_err(|e| Error::read(source, e))?;
            atomic_copy(&dest, &mut file)?;
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        if let Ok(mut copies) = self.copies.lock() {
            copies.insert(source.to_path_buf(), dest);
        }
        Ok(())
    }

    /// Swaps the staging folder in as the new output, in one atomic step where the system has
    /// one: the output path always holds either the whole old site or the whole new one. The
    /// old tree is deleted in the background ([`Cleanup`]).
    pub fn commit(self) -> Result<Committed> {
        let mut files = self.files.into_inner().unwrap_or_default();
        files.sort();
        let stats = WriteStats {
            written: self.written.into_inner(),
            unchanged: self.unchanged.into_inner(),
        };
        let staged = self.staging.keep();
        let output = &self.output;
        let failed = |e: std::io::Error| {
            let _ = fs::remove_dir_all(&staged);
            Error::io("move", &staged, e)
        };
        if fs::symlink_metadata(output).is_err() {
            fs::rename(&staged, output).map_err(failed)?;
            return Ok((stats, files, Cleanup::default()));
        }
        match exchange(&staged, output) {
            // `staged` now holds the old tree.
            Ok(()) => Ok((stats, files, Cleanup::start(staged))),
            Err(_) => {
                // No atomic exchange here (not Linux, or a file system without it): move the
                // old tree aside, then the new one in, and put the old one back on failure.
                let parent = output.parent().unwrap_or(Path::new("."));
                let aside = tempfile::Builder::new()
                    .prefix(&format!(
                        "{}{}-old-",
                        staging_prefix(output),
                        std::process::id()
                    ))
                    .tempdir_in(parent)
                    .map_err(|e| Error::io("create directory", parent, e))?
                    .keep();
                fs::remove_dir(&aside).map_err(|e| Error::io("remove", &aside, e))?;
                fs::rename(output, &aside).map_err(failed)?;
                if let Err(e) = fs::rename(&staged, output) {
                    let _ = fs::rename(&aside, output);
                    return Err(failed(e));
                }
                Ok((stats, files, Cleanup::start(aside)))
            }
        }
    }
}

/// `error`, or when it is a write that failed for want of space (`ENOSPC`, `EDQUOT`), a
/// message that names the output folder and its disk and says what to do.
fn explain_full_disk(output: &Path, error: Error) -> Error {
    let Error::Io {
        action,
        path,
        source,
    } = &error
    else {
        return error;
    };
    let full = [rustix::io::Errno::NOSPC, rustix::io::Errno::DQUOT]
        .iter()
        .any(|e| source.raw_os_error() == Some(e.raw_os_error()));
    if !full {
        return error;
    }
    let disk = output.parent().unwrap_or(output);
    let size = rustix::fs::statvfs(disk)
        .map(|s| {
            let block = s.f_frsize;
            format!(
                " ({} in all, {} free)",
                megabytes(s.f_blocks * block),
                megabytes(s.f_bavail * block)
            )
        })
        .unwrap_or_default();
    Diagnostic::new(
        output,
        format!(
            "the disk that holds the output folder ({}) is full{size}: cannot {action} `{}`: {source}",
            disk.display(),
            path.display()
        ),
    )
    .with_help(format!(
        "free some space on that disk, or {CHOOSE_OTHER}; the new site is written beside the old one, which it replaces only when it is complete"
    ))
    .into()
}

/// `bytes` in MB with one decimal.
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// What [`Staging::commit`] returns: the counts, every file with its size (sorted), and the
/// removal of the previous output.
pub type Committed = (WriteStats, Vec<(String, u64)>, Cleanup);

/// What to tell a user whose output folder ludd may not replace.
pub const CHOOSE_OTHER: &str =
    "pick another output folder (`ludd build --output <folder>`, or output_dir in site.toml)";

/// Swaps the folders `a` and `b` in one step (Linux `renameat2` with `RENAME_EXCHANGE`).
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = (a, b);
        Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
    }
}

/// Whether the regular file at `old` (never a link) holds exactly what `file` (of `size`
/// bytes) holds, compared in blocks.
pub fn same_file_bytes(old: &Path, file: &mut fs::File, size: u64) -> bool {
    use std::io::Read;
    match fs::symlink_metadata(old) {
        Ok(m) if m.is_file() && m.len() == size => {}
        _ => return false,
    }
    let Ok(mut other) = fs::File::open(old) else {
        return false;
    };
    let (mut a, mut b) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let n = match file.read(&mut a) {
            Ok(n) => n,
            Err(_) => return false,
        };
        if n == 0 {
            return true;
        }
        if other.read_exact(&mut b[..n]).is_err() || a[..n] != b[..n] {
            return false;
        }
    }
}

/// Writes `bytes` to `path` so that no reader ever sees a partial file ([`atomic::write`]),
/// creating its folder if needed.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    create_parent(path)?;
    atomic::write(path, bytes).map_err(|e| Error::io("write", path, e))
}

/// Copies everything `source` holds to `path` ([`atomic::copy`]: streamed, never a partial
/// file), creating its folder if needed.
pub fn atomic_copy(path: &Path, source: &mut fs::File) -> Result<()> {
    create_parent(path)?;
    atomic::copy(path, source)
        .map(|_| ())
        .map_err(|e| Error::io("write", path, e))
}

fn same_bytes(old: &Path, bytes: &[u8]) -> bool {
    match fs::symlink_metadata(old) {
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
