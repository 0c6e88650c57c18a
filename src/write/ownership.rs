//! Which folders ludd may replace. An output folder (or a local deploy destination) is replaced
//! only when it is missing, empty, or carries ludd's marker file [`MARKER`] from an earlier
//! build; anything else is refused with a message that says what is in it. A few places are
//! refused always, whatever they hold: `/`, the home folder and its parents, the site and its
//! parents.

use crate::error::{Diagnostic, Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// The marker file ludd keeps inside every folder it owns. It never leaves the machine: deploys
/// and the hosts' upload rules leave it out.
pub const MARKER: &str = ".ludd-output";

/// What the marker says to a person who finds it.
pub const MARKER_TEXT: &str = "This folder was written by ludd, which replaces it on every build.\nDo not keep your own files here: they would be removed.\n";

/// Whether `dir` carries ludd's marker.
pub fn has_marker(dir: &Path) -> bool {
    fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
}

/// Puts the marker into `dir` (unless it is there).
pub fn mark(dir: &Path) -> Result<()> {
    if has_marker(dir) {
        return Ok(());
    }
    let path = dir.join(MARKER);
    super::atomic::write(&path, MARKER_TEXT.as_bytes()).map_err(|e| Error::io("write", &path, e))
}

/// The home folder, as written in `$HOME` and as its real path.
fn home_folders() -> Vec<PathBuf> {
    let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else {
        return Vec::new();
    };
    let home = PathBuf::from(home);
    let mut out = vec![home.clone()];
    if let Ok(real) = fs::canonicalize(&home) {
        out.push(real);
    }
    out
}

/// Why `folder` (absolute) may never be replaced, if it is `/`, the home folder or a parent of
/// it.
pub fn always_refused(folder: &Path) -> Option<String> {
    if folder.parent().is_none() {
        return Some("is a file system root".into());
    }
    for home in home_folders() {
        if home.starts_with(folder) {
            return Some(format!(
                "is your home folder or one of its parents ({})",
                home.display()
            ));
        }
    }
    None
}

/// Checks that ludd may replace `folder` (absolute): it is missing, an empty folder, or a
/// folder with ludd's marker. `what` names it in messages (`output folder`), `help_key` says
/// where to pick another one.
pub fn check_owned(folder: &Path, what: &str, choose_other: &str) -> Result<()> {
    let meta = match fs::symlink_metadata(folder) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("read", folder, e)),
    };
    if !meta.is_dir() {
        return Err(Diagnostic::new(
            folder,
            format!("the {what} is a file, not a folder; ludd never replaces it"),
        )
        .with_help(format!(
            "move or remove the file yourself, or {choose_other}"
        ))
        .into());
    }
    if has_marker(folder) || super::state::state_path(folder).is_file() {
        return Ok(());
    }
    let mut names: Vec<String> = fs::read_dir(folder)
        .map_err(|e| Error::io("read", folder, e))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    names.sort();
    let count = names.len();
    let mut shown: Vec<String> = names.into_iter().take(5).collect();
    if count > shown.len() {
        shown.push(format!("and {} more", count - shown.len()));
    }
    Err(Diagnostic::new(
        folder,
        format!(
            "the {what} holds files ludd did not write ({count} entries: {}); ludd never replaces such a folder",
            shown.join(", ")
        ),
    )
    .with_help(format!(
        "{choose_other}, or empty this folder yourself if nothing in it is needed (ludd marks the folders it writes with a {MARKER} file)"
    ))
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_missing_empty_or_marked_folders_are_owned() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("out");
        assert!(check_owned(&dir, "output folder", "pick another").is_ok());
        fs::create_dir(&dir).expect("mkdir");
        assert!(check_owned(&dir, "output folder", "pick another").is_ok());
        fs::write(dir.join("notes.txt"), "mine").expect("write");
        let err = check_owned(&dir, "output folder", "pick another")
            .expect_err("foreign folder")
            .to_string();
        assert!(err.contains("notes.txt"), "{err}");
        mark(&dir).expect("mark");
        assert!(check_owned(&dir, "output folder", "pick another").is_ok());
        let file = tmp.path().join("file");
        fs::write(&file, "x").expect("write");
        assert!(check_owned(&file, "output folder", "pick another").is_err());
    }

    #[test]
    fn root_is_always_refused() {
        assert!(always_refused(Path::new("/")).is_some());
    }
}
