//! The `rsync` deploy target: spawns `rsync` to mirror the output folder to its destination
//! (a folder or `user@host:path`; ssh and its keys are rsync's business). Files are compared
//! by checksum, since every build writes fresh timestamps; removed files are deleted. The
//! counts come from rsync's itemized changes.

use super::DeployReport;
use crate::error::{Error, Result};
use std::path::Path;
use std::process::Command;

/// Runs rsync from `output` to `destination` (a relative folder is relative to `root`).
pub fn run(
    root: &Path,
    output: &Path,
    destination: &str,
    total: usize,
    dry_run: bool,
) -> Result<DeployReport> {
    let mut command = Command::new("rsync");
    command
        .args([
            "--recursive",
            "--links",
            "--checksum",
            "--delete",
            "--itemize-changes",
        ])
        .current_dir(root);
    if dry_run {
        command.arg("--dry-run");
    }
    // The trailing slash copies the folder's contents, not the folder.
    let mut source = output.as_os_str().to_owned();
    source.push("/");
    command.arg(source).arg("--").arg(destination);
    let result = command.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::Deploy(
                "rsync is not installed: install it (apt-get install rsync, brew install rsync) or use target = \"dir\"".into(),
            )
        } else {
            Error::Deploy(format!("cannot run rsync: {e}"))
        }
    })?;
    if !result.status.success() {
        return Err(Error::Deploy(format!(
            "rsync to `{destination}` failed ({}): {}",
            result.status,
            String::from_utf8_lossy(&result.stderr).trim()
        )));
    }
    let mut report = parse_itemized(&String::from_utf8_lossy(&result.stdout));
    report.unchanged = total.saturating_sub(report.uploaded.len());
    report.target = destination.to_string();
    report.dry_run = dry_run;
    Ok(report)
}

/// Files sent and deleted, from `--itemize-changes` lines like `>f+++++++++ css/site.css`
/// and `*deleting   old/index.html`.
fn parse_itemized(stdout: &str) -> DeployReport {
    let mut report = DeployReport::default();
    for line in stdout.lines() {
        if let Some(path) = line.strip_prefix("*deleting") {
            let path = path.trim();
            if !path.ends_with('/') {
                report.deleted.push(path.to_string());
            }
        } else if let Some((flags, path)) = line.split_once(' ')
            && flags.len() == 11
            && (flags.starts_with(">f") || flags.starts_with("<f"))
        {
            report.uploaded.push(path.to_string());
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::parse_itemized;

    #[test]
    fn itemized_changes_are_counted() {
        let out = "cd+++++++++ css/\n>f+++++++++ css/site.css\n>fc.t...... index.html\n*deleting   old/index.html\n*deleting   old/\n.d..t...... en/\n";
        let report = parse_itemized(out);
        assert_eq!(report.uploaded, ["css/site.css", "index.html"]);
        assert_eq!(report.deleted, ["old/index.html"]);
    }
}
