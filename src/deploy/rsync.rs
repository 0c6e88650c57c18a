//! The `rsync` deploy target: spawns `rsync` to mirror the output folder to its destination
//! (a folder or `user@host:path`; ssh and its keys are rsync's business). Files are compared
//! by checksum, since every build writes fresh timestamps; removed files are deleted. The
//! counts come from rsync's itemized changes.
//!
//! Since `--delete` removes whatever the output does not have, a local destination gets the
//! same checks as the `dir` target ([`super::dir::resolve`]: never `/`, the home folder, the
//! site, its sources, the output or their parents, and only a folder ludd owns); a remote one
//! may not be the remote root or home folder. ludd's marker file is never sent.

use super::DeployReport;
use crate::error::{Diagnostic, Error, Result};
use crate::load::config::CONFIG_FILE;
use crate::write::ownership;
use std::path::Path;
use std::process::Command;

/// Runs rsync from `output` to `destination` (a relative folder is relative to `root`).
pub fn run(
    root: &Path,
    destination_line: Option<usize>,
    output: &Path,
    destination: &str,
    total: usize,
    dry_run: bool,
) -> Result<DeployReport> {
    let local = if is_remote(destination) {
        check_remote(destination)?;
        None
    } else {
        Some(super::dir::resolve(
            root,
            destination_line,
            output,
            destination,
        )?)
    };
    let mut command = Command::new("rsync");
    command
        .args([
            "--recursive",
            "--links",
            "--checksum",
            "--delete",
            "--itemize-changes",
        ])
        // Anchored: only the marker at the top, which --delete then leaves alone too.
        .arg(format!("--exclude=/{}", ownership::MARKER))
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
    if let Some(dest) = local.filter(|_| !dry_run) {
        ownership::mark(&dest)?;
    }
    let mut report = parse_itemized(&String::from_utf8_lossy(&result.stdout));
    report.unchanged = total.saturating_sub(report.uploaded.len());
    report.target = destination.to_string();
    report.dry_run = dry_run;
    Ok(report)
}

/// Whether rsync reads `destination` as remote: `host:path`, `user@host:path` (a colon before
/// any slash) or `rsync://…`.
fn is_remote(destination: &str) -> bool {
    let head = destination.split('/').next().unwrap_or_default();
    destination.starts_with("rsync://") || head.contains(':')
}

/// Refuses a remote destination whose path is the remote root or home folder, where
/// `--delete` would remove everything the output does not have.
fn check_remote(destination: &str) -> Result<()> {
    let path = match destination.strip_prefix("rsync://") {
        Some(rest) => rest.split_once('/').map_or("", |(_, p)| p),
        None => destination.split_once(':').map_or("", |(_, p)| p),
    };
    let path = path.trim_start_matches(':');
    let bare = path.trim_end_matches('/');
    if ["", "/", "~", ".", "./", "~/"].contains(&path) || bare.is_empty() || bare == "~" {
        return Err(Diagnostic::new(
            CONFIG_FILE,
            format!(
                "deploy destination `{destination}` is the remote root or home folder; rsync --delete would remove everything else there"
            ),
        )
        .with_help("name a folder of its own, like destination = \"user@host:/srv/www/site/\"")
        .into());
    }
    Ok(())
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
    use super::{check_remote, is_remote, parse_itemized};

    #[test]
    fn remote_roots_and_homes_are_refused() {
        assert!(is_remote("user@host:/srv/www/"));
        assert!(is_remote("host:site"));
        assert!(!is_remote("./a:b"));
        assert!(!is_remote("/srv/www"));
        for d in [
            "host:",
            "user@host:/",
            "host:~",
            "host:~/",
            "host:.",
            "rsync://host/",
        ] {
            assert!(check_remote(d).is_err(), "{d}");
        }
        assert!(check_remote("user@host:/srv/www/site/").is_ok());
    }

    #[test]
    fn itemized_changes_are_counted() {
        let out = "cd+++++++++ css/\n>f+++++++++ css/site.css\n>fc.t...... index.html\n*deleting   old/index.html\n*deleting   old/\n.d..t...... en/\n";
        let report = parse_itemized(out);
        assert_eq!(report.uploaded, ["css/site.css", "index.html"]);
        assert_eq!(report.deleted, ["old/index.html"]);
    }
}
