//! The `dir` deploy target: mirrors the output folder into a local folder. Files whose bytes
//! are already there stay untouched; files the output no longer has are removed, and so are
//! folders left empty. The destination may not be the site, its sources or the output itself.

use super::DeployReport;
use crate::error::{Diagnostic, Error, Result};
use crate::load::config::CONFIG_FILE;
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
    for rel in files {
        let source = output.join(rel);
        let target = dest.join(rel);
        let bytes = fs::read(&source).map_err(|e| Error::io("read", &source, e))?;
        if fs::read(&target).is_ok_and(|old| old == bytes) {
            report.unchanged += 1;
            continue;
        }
        report.uploaded.push(rel.clone());
        if !dry_run {
            write(&target, &bytes)?;
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
    }
    Ok(report)
}

/// The absolute destination, refused when mirroring into it would delete the site, its
/// sources or the output.
/// `line` is the destination's line in `site.toml`.
fn resolve(root: &Path, line: Option<usize>, output: &Path, destination: &str) -> Result<PathBuf> {
    let dest = crate::write::resolve_output(root, Path::new(destination), line).map_err(|_| {
        Error::from(
            Diagnostic::new(
                CONFIG_FILE,
                format!(
                    "deploy destination `{destination}` would overwrite the site or its sources"
                ),
            )
            .at_optional_line(line),
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
    Ok(dest)
}

fn write(target: &Path, bytes: &[u8]) -> Result<()> {
    if target.is_dir() {
        fs::remove_dir_all(target).map_err(|e| Error::io("remove", target, e))?;
    }
    if let Some(parent) = target.parent() {
        // A file standing where a folder must go is replaced too.
        for ancestor in parent.ancestors() {
            if ancestor.is_file() {
                fs::remove_file(ancestor).map_err(|e| Error::io("remove", ancestor, e))?;
            }
        }
        fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
    }
    fs::write(target, bytes).map_err(|e| Error::io("write", target, e))
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
