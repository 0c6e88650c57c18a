//! The `dir` deploy target: mirrors the output folder into a local folder. Files whose bytes
//! are already there stay untouched; files the output no longer has are removed, and so are
//! folders left empty. The destination may not be `/`, the home folder, the site, its sources,
//! the output or a parent of any of them, and must be ludd's own (missing, empty or marked, see
//! [`crate::write::ownership`]). A link inside the destination is never followed: a file is
//! replaced by a temporary file renamed over it, a linked folder by a real one.

use super::DeployReport;
use crate::error::{Diagnostic, Error, Result};
use crate::load::config::CONFIG_FILE;
use crate::write::ownership;
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// Mirrors `files` of `output` into `destination` (relative to the site `root`).
pub fn mirror(
    root: &Path,
    destination_line: Option<usize>,
    output: &Path,
    destination: &str,
    files: &[String],
    dry_run: bool,
) -> Result<DeployReport> {
    let dest = resolve(root, destination_line, output, destination)?;
    let mut report = DeployReport {
        target: dest.display().to_string(),
        dry_run,
        ..DeployReport::default()
    };
    if !dry_run {
        fs::create_dir_all(&dest).map_err(|e| Error::io("create directory", &dest, e))?;
    }
    for rel in files {
        let source = output.join(rel);
        let target = dest.join(rel);
        let mut file = crate::load::files::open(&source).map_err(|e| Error::read(&source, e))?;
        let size = file.metadata().map_err(|e| Error::read(&source, e))?.len();
        if crate::write::same_file_bytes(&target, &mut file, size) {
            report.unchanged += 1;
            continue;
        }
        report.uploaded.push(rel.clone());
        if !dry_run {
            use std::io::Seek;
            file.rewind().map_err(|e| Error::read(&source, e))?;
            replace(&dest, rel, &mut file)?;
        }
    }
    let keep: HashSet<&str> = files.iter().map(String::as_str).collect();
    report.deleted = stale_files(&dest, &keep)?;
    if !dry_run {
        for rel in &report.deleted {
            let path = dest.join(rel);
            fs::remove_file(&path).map_err(|e| Error::io("remove", &path, e))?;
        }
        remove_empty_folders(&dest);
        ownership::mark(&dest)?;
    }
    Ok(report)
}

/// The absolute local destination `destination` (relative to the site `root`), refused when
/// mirroring into it could delete anything ludd did not write: `/`, the home folder, the site,
/// its sources, the output, a parent of any of them, or a folder of someone else's files. A
/// link as the destination means the folder it points at. `line` is the destination's line in
/// `site.toml`.
pub fn resolve(
    root: &Path,
    line: Option<usize>,
    output: &Path,
    destination: &str,
) -> Result<PathBuf> {
    let dest = crate::write::resolve_output(root, Path::new(destination), line).map_err(|e| {
        let why = e
            .diagnostics()
            .first()
            .map(|d| d.message.replace("output_dir", "deploy destination"))
            .unwrap_or_default();
        Error::from(
            Diagnostic::new(
                CONFIG_FILE,
                format!("deploy destination `{destination}` would overwrite the site, its sources or your files: {why}"),
            )
            .at_optional_line(line)
            .with_help("deploy into a folder of its own, like destination = \"/srv/www/site\""),
        )
    })?;
    let output = fs::canonicalize(output).unwrap_or_else(|_| output.to_path_buf());
    let real = fs::canonicalize(&dest).unwrap_or_else(|_| dest.clone());
    if real.starts_with(&output) || output.starts_with(&real) {
        return Err(Diagnostic::new(
            CONFIG_FILE,
            format!("deploy destination `{destination}` overlaps the output folder"),
        )
        .at_optional_line(line)
        .with_help("deploy into a folder outside output_dir, like destination = \"/srv/www/site\"")
        .into());
    }
    ownership::check_owned(
        &dest,
        "deploy destination",
        "set [deploy] destination in site.toml to another folder",
    )?;
    Ok(dest)
}

/// Replaces `dest/rel` with the bytes of `source`, never following a link: a file or link in
/// the way of a folder is removed, a folder in the way of the file too, and the file itself
/// is written beside and renamed over whatever stood there.
fn replace(dest: &Path, rel: &str, source: &mut fs::File) -> Result<()> {
    let mut dir = dest.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    let Some((name, folders)) = parts.split_last() else {
        return Ok(());
    };
    for part in folders {
        dir.push(part);
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => continue,
            Ok(_) => fs::remove_file(&dir).map_err(|e| Error::io("remove", &dir, e))?,
            Err(_) => {}
        }
        fs::create_dir(&dir).map_err(|e| Error::io("create directory", &dir, e))?;
    }
    let target = dir.join(name);
    if fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir()) {
        fs::remove_dir_all(&target).map_err(|e| Error::io("remove", &target, e))?;
    }
    crate::write::atomic::copy(&target, source).map_err(|e| Error::io("write", &target, e))?;
    Ok(())
}

/// Files under `dest` that are not in `keep`, as `/`-separated relative paths.
fn stale_files(dest: &Path, keep: &HashSet<&str>) -> Result<Vec<String>> {
    if !dest.is_dir() {
        return Ok(Vec::new());
    }
    let present = super::output_files(dest)?;
    Ok(present
        .into_iter()
        .filter(|rel| !keep.contains(rel.as_str()))
        .collect())
}

/// Removes folders under `dest` that hold nothing any more (deepest first).
fn remove_empty_folders(dest: &Path) {
    for entry in walkdir::WalkDir::new(dest)
        .min_depth(1)
        .contents_first(true)
        .into_iter()
        .flatten()
    {
        if entry.file_type().is_dir() {
            // Fails, harmlessly, when the folder still holds something.
            let _ = fs::remove_dir(entry.path());
        }
    }
}
