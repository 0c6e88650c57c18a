//! `ludd deploy`: builds the site (a no-op when the output is up to date, see
//! [`crate::build::build`]) and publishes the output folder to the `[deploy]` target of
//! `site.toml`: a local folder ([`dir`]), anything rsync reaches ([`rsync`]) or an
//! S3-compatible bucket ([`s3`]). Each target copies only what changed and removes what the
//! output no longer has. Credentials come from the environment, never from `site.toml`.

pub mod dir;
pub mod rsync;
pub mod s3;

use crate::build::BuildReport;
use crate::engine::BuildOptions;
use crate::error::{Diagnostic, Error, Result};
use crate::load::config::{CONFIG_FILE, Config, DeployTarget};
use std::path::Path;

/// What a deploy did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Default)]
pub struct DeployReport {
    /// Where the output went, for people.
    pub target: String,
    /// Files copied or uploaded (output paths).
    pub uploaded: Vec<String>,
    /// Files already identical at the target.
    pub unchanged: usize,
    /// Files removed from the target (target paths).
    pub deleted: Vec<String>,
    /// Nothing was changed at the target.
    pub dry_run: bool,
}

/// Builds the site at `options.root` and publishes it; `dry_run` only reports what would change.
/// While the imprint is a placeholder (`[extra.publisher] placeholder = true`) nothing is
/// published unless `allow_placeholder_imprint` is set: German law requires a real imprint.
/// `progress(done, total)` follows long uploads.
pub fn deploy(
    options: &BuildOptions,
    dry_run: bool,
    allow_placeholder_imprint: bool,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(BuildReport, DeployReport)> {
    let config = Config::load(&options.root)?;
    if config.imprint_is_placeholder() && !dry_run && !allow_placeholder_imprint {
        let line = config.line_of("extra.publisher.placeholder");
        return Err(Diagnostic::new(
            CONFIG_FILE,
            "the imprint is a placeholder ([extra.publisher] placeholder = true): not publishing",
        )
        .at_optional_line(line)
        .with_help("fill in [extra.publisher] and set placeholder = false, or pass --allow-placeholder-imprint to publish anyway (for a test deploy)")
        .into());
    }
    let Some(target) = config.deploy.clone() else {
        return Err(Diagnostic::new(CONFIG_FILE, "there is no [deploy] table")
            .with_help("add one, like [deploy] target = \"rsync\", destination = \"user@host:/srv/www/\" (see README.md)")
            .into());
    };
    let destination_line = config.line_of("destination");
    let build = crate::build::build_with(options, config)?;
    let files = output_files(&build.output)?;
    let report = match target.target {
        DeployTarget::Dir => dir::mirror(
            &options.root,
            destination_line,
            &build.output,
            target.destination.as_deref().unwrap_or_default(),
            &files,
            dry_run,
        )?,
        DeployTarget::Rsync => rsync::run(
            &options.root,
            destination_line,
            &build.output,
            target.destination.as_deref().unwrap_or_default(),
            files.len(),
            dry_run,
        )?,
        DeployTarget::S3 => s3::sync(&target, &build.output, &files, dry_run, progress)?,
    };
    Ok((build, report))
}

/// Every file in the output folder, as `/`-separated relative paths, sorted; ludd's marker
/// file stays home.
pub fn output_files(output: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(output).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(output).to_path_buf();
            Error::io("read", &path, e.into())
        })?;
        // Links are listed too (never followed): a link in a destination is a stale file.
        if (entry.file_type().is_file() || entry.file_type().is_symlink())
            && let Ok(rel) = entry.path().strip_prefix(output)
            && rel != Path::new(crate::write::ownership::MARKER)
        {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.push(parts.join("/"));
        }
    }
    Ok(files)
}
