//! The one way every input file is reached: content, static files, bundles, themes, UI strings,
//! templates, `site.toml`, and any kind of input added later. The rule lives here and nowhere
//! else:
//!
//! * a file is read only if its real path lies inside the site folder or one of its theme
//!   folders (a theme folder may itself be a link to a shared checkout); a symbolic link that
//!   points anywhere else is an error naming the link and its target;
//! * device files, FIFOs and sockets are never opened: the walk reports them as skipped, and
//!   the readers refuse anything that is not a regular file;
//! * files that editors and tools leave behind (`.#x`, `x~`, `x.swp`, `4913`, sed's
//!   `sedXXXXXX`, …) are not inputs, and a file that vanishes during the walk is simply gone.
//!
//! Files are opened with `O_NOFOLLOW`, so a file swapped for a link after the walk is refused
//! rather than followed.

use crate::error::{Diagnostic, Error, Result};
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

/// The folders whose files may be read: the site and its theme folders, as real paths.
#[derive(Debug, Clone)]
pub struct SiteFolders {
    root: PathBuf,
    allowed: Vec<PathBuf>,
}

/// What the walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A regular file that may be read.
    File(InputFile),
    /// A device file, FIFO or socket: never read (shown as a warning).
    Special(PathBuf),
}

/// A regular input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The path as walked (below the walked folder), for names and output paths.
    pub path: PathBuf,
    /// What to open: `path` itself, or the real path when `path` is a link.
    pub source: PathBuf,
}

impl SiteFolders {
    /// The folders of the site at `root`: the site itself and every folder in `themes/`.
    pub fn of(root: &Path) -> SiteFolders {
        let real = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let mut allowed = vec![real(root)];
        if let Ok(themes) = std::fs::read_dir(root.join("themes")) {
            allowed.extend(themes.flatten().map(|e| real(&e.path())));
        }
        SiteFolders {
            root: root.to_path_buf(),
            allowed,
        }
    }

    /// Whether `real` (a canonical path) lies inside the site or a theme.
    fn contains(&self, real: &Path) -> bool {
        self.allowed.iter().any(|a| real.starts_with(a))
    }

    /// `path` relative to the site root, for messages.
    pub fn shown(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root).unwrap_or(path).to_path_buf()
    }

    /// The real path of the link `link`, refused when it leads outside the site.
    fn resolve_link(&self, link: &Path) -> Result<PathBuf> {
        let target = std::fs::canonicalize(link).map_err(|e| Error::read(&self.shown(link), e))?;
        if self.contains(&target) {
            return Ok(target);
        }
        let written = std::fs::read_link(link).unwrap_or_else(|_| target.clone());
        let really = if written == target {
            String::new()
        } else {
            format!(" (really {})", target.display())
        };
        Err(Diagnostic::new(
            self.shown(link),
            format!(
                "symbolic link points outside the site: {} -> {}{really}",
                link.display(),
                written.display()
            ),
        )
        .with_help(
            "ludd reads only files inside the site folder or its theme: copy the file into the site, or remove the link",
        )
        .into())
    }

    /// Every input file below `dir` (or `dir` itself when it is a file), sorted by name,
    /// links inside the site followed. Ignored names are skipped (except `dir` itself when it
    /// is a folder); entries that vanish while walking, and dangling links, are gone.
    pub fn walk<'a>(&'a self, dir: &Path) -> impl Iterator<Item = Result<Found>> + 'a {
        fn keep(e: &walkdir::DirEntry) -> bool {
            (e.depth() == 0 && e.file_type().is_dir())
                || !is_ignored_file(&e.file_name().to_string_lossy())
        }
        walkdir::WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(keep as fn(&walkdir::DirEntry) -> bool)
            .filter_map(move |entry| self.found(entry).transpose())
    }

    fn found(&self, entry: walkdir::Result<walkdir::DirEntry>) -> Result<Option<Found>> {
        let entry = match entry {
            Ok(e) => e,
            Err(e)
                if e.io_error()
                    .is_some_and(|io| io.kind() == ErrorKind::NotFound) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(self.walk_error(e)),
        };
        let source = if entry.path_is_symlink() {
            self.resolve_link(entry.path())?
        } else {
            entry.path().to_path_buf()
        };
        let kind = entry.file_type();
        if kind.is_dir() {
            return Ok(None);
        }
        if !kind.is_file() {
            return Ok(Some(Found::Special(entry.into_path())));
        }
        Ok(Some(Found::File(InputFile {
            path: entry.into_path(),
            source,
        })))
    }

    fn walk_error(&self, e: walkdir::Error) -> Error {
        let path = self.shown(e.path().unwrap_or(&self.root));
        if e.loop_ancestor().is_some() {
            return Diagnostic::new(path, "symbolic link loop")
                .with_help("remove the link that points back to one of its parent folders")
                .into();
        }
        match e.into_io_error() {
            Some(io) => Error::io("read", &path, io),
            None => Diagnostic::new(path, "cannot walk this folder").into(),
        }
    }

    /// Reads `path` (a file of the site reached by name, not by a walk, like `site.toml`),
    /// following a link only when it stays inside the site.
    pub fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if is_link {
            let target = self
                .resolve_link(path)
                .map_err(|e| std::io::Error::new(ErrorKind::PermissionDenied, e.to_string()))?;
            return read(&target);
        }
        read(path)
    }
}

/// Opens the input file `path` for reading: never through a link in its last component, and
/// only when it is a regular file (a FIFO would block, a device never ends).
pub fn open(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
                std::io::Error::new(
                    ErrorKind::InvalidInput,
                    "it became a symbolic link after it was found; build again",
                )
            } else {
                e
            }
        })?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            ErrorKind::InvalidInput,
            "not a regular file (a device, FIFO or socket is never read)",
        ));
    }
    Ok(file)
}

/// Reads the whole input file `path` (see [`open`]).
pub fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = open(path)?;
    let mut bytes = Vec::with_capacity(file.metadata().map_or(0, |m| m.len() as usize));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Files that editors and tools leave behind, which are never inputs: hidden files and
/// Emacs locks (`.x`, `.#x`, `#x#`), backups (`x~`, `x.bak`, `x.orig`), swap and temporary
/// files (`x.swp`, `x.swx`, `x.tmp`, `x.part`, `x.crdownload`, `x.kate-swp`, JetBrains'
/// `x___jb_tmp___`), Vim's write test `4913`, and `sed -i`'s `sedXXXXXX`.
pub fn is_ignored_file(name: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "~",
        ".swp",
        ".swx",
        ".swo",
        ".tmp",
        ".bak",
        ".orig",
        ".part",
        ".crdownload",
        ".kate-swp",
        "___jb_tmp___",
        "___jb_old___",
    ];
    name.starts_with('.')
        || name.starts_with('#')
        || SUFFIXES.iter().any(|s| name.ends_with(s))
        || name == "4913"
        || is_sed_temp(name)
}

/// `sed -i` writes `sedXXXXXX` (six random letters and digits) beside the file it edits. A
/// word like `sedimente` (only lower-case letters) is left alone.
fn is_sed_temp(name: &str) -> bool {
    let Some(random) = name.strip_prefix("sed") else {
        return false;
    };
    random.len() == 6
        && random.bytes().all(|b| b.is_ascii_alphanumeric())
        && !random.bytes().all(|b| b.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_leftovers_are_ignored() {
        for name in [
            ".#a.md",
            "a.md~",
            ".a.md.swp",
            "4913",
            "sedAb12Cd",
            "a.tmp",
            "#a.md#",
        ] {
            assert!(is_ignored_file(name), "{name}");
        }
        for name in ["a.md", "sed.md", "sedimente", "style.css"] {
            assert!(!is_ignored_file(name), "{name}");
        }
    }

    #[test]
    fn links_outside_are_refused_and_fifos_skipped() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("site");
        std::fs::create_dir_all(root.join("static")).expect("mkdir");
        std::fs::write(tmp.path().join("secret"), "s").expect("write");
        std::fs::write(root.join("static/a.txt"), "a").expect("write");
        std::os::unix::fs::symlink("a.txt", root.join("static/b.txt")).expect("link");
        let folders = SiteFolders::of(&root);
        let found: Vec<Found> = folders
            .walk(&root.join("static"))
            .collect::<Result<_>>()
            .expect("inside links are fine");
        assert_eq!(found.len(), 2);
        std::os::unix::fs::symlink("../../secret", root.join("static/c.txt")).expect("link");
        let err = folders
            .walk(&root.join("static"))
            .find_map(|r| r.err())
            .expect("outside link refused");
        assert!(err.to_string().contains("c.txt"), "{err}");
        assert!(err.to_string().contains("secret"), "{err}");
    }
}
