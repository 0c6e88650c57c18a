//! `ludd build`: the one-shot build. Checks whether the output is up to date, else runs the
//! [`engine`](crate::engine) into a staging folder that replaces the output when everything
//! worked, and reports what it did.

use crate::engine::sink::Staging as StagingSink;
use crate::engine::{BuildOptions, Engine, pages_per_language};
use crate::error::{Error, Result};
use crate::load;
use crate::load::config::Config;
use crate::write::state::BuildState;
use crate::write::{self, Staging, WriteStats};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Published pages and sections per language code, default language first.
    pub pages_per_language: Vec<(String, usize)>,
    /// Warnings (missing UI strings and the like).
    pub warnings: Vec<String>,
    /// Files written and kept.
    pub stats: WriteStats,
    /// Files in the output.
    pub files: usize,
    /// The output folder.
    pub output: PathBuf,
    /// Weight of every HTML page, heaviest first (sites up to [`WEIGH_UP_TO`] pages).
    pub weights: Option<Vec<crate::check::weight::PageWeight>>,
    /// The page weight budget in kB.
    pub budget_kb: u64,
    /// Time per stage.
    pub timings: Vec<(&'static str, Duration)>,
    /// Wall time.
    pub elapsed: Duration,
    /// The previous output, being removed in the background; wait with [`write::Cleanup::finish`]
    /// (dropping the report waits too).
    pub cleanup: write::Cleanup,
}

/// Sites with at most this many HTML pages get their page weights in every build report;
/// larger ones are weighed by `ludd check`.
pub const WEIGH_UP_TO: usize = 1000;

/// Builds the site into its output folder. When no input changed since the last build into
/// the same folder and that output is intact, nothing is rendered or written.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    build_with(options, Config::load(&options.root)?)
}

/// [`build`] with `site.toml` already parsed into `config`.
pub fn build_with(options: &BuildOptions, config: Config) -> Result<BuildReport> {
    let start = Instant::now();
    let output = output_folder(options, &config)?;
    let inputs = inputs_fingerprint(options, &config)?;
    if let Some(state) = BuildState::read(&output).filter(|s| {
        s.inputs == inputs && !s.expired_at(jiff::Timestamp::now()) && s.output_intact(&output)
    }) {
        // A build killed after it wrote the state may have left its old tree behind.
        write::remove_leftovers(&output);
        let weights = weigh_if_small(&output, &state.files)?;
        return Ok(BuildReport {
            pages_per_language: state.pages,
            warnings: state.warnings,
            stats: WriteStats {
                written: 0,
                unchanged: state.files.len(),
            },
            files: state.files.len(),
            output,
            weights,
            budget_kb: config.budget.page_kb,
            timings: vec![("check inputs", start.elapsed())],
            elapsed: start.elapsed(),
            cleanup: write::Cleanup::default(),
        });
    }
    let budget_kb = config.budget.page_kb;
    // Refused before any work when the folder is not ludd's; an output of an earlier ludd
    // (its state file beside it, no marker yet) is marked now.
    write::ownership::check_owned(&output, "output folder", write::CHOOSE_OTHER)?;
    if output.is_dir() && !write::ownership::has_marker(&output) {
        write::ownership::mark(&output)?;
    }
    BuildState::clear(&output);
    let (mut rendered, problems) = Engine::prepare_partial(options, config)?;
    if !problems.is_empty() {
        return Err(rendered.with_render_problems(problems));
    }
    let mut timings = rendered.timings.clone();
    let clock = Instant::now();
    let staging = Staging::begin(&output)?;
    rendered
        .render_all_once(&StagingSink(&staging))
        .map_err(|e| match e {
            Error::Invalid(list) => Error::Invalid(crate::error::merge_repeated(list)),
            other => other,
        })?;
    rendered.render_linked_assets(&StagingSink(&staging))?;
    rendered.render_late_images(&StagingSink(&staging))?;
    let (stats, files, cleanup) = staging.commit()?;
    // From here on the new output is in place: nothing may fail the build any more.
    // Cached image variants no page uses any more are removed.
    if let Err(e) = rendered.templates.images.finish(true) {
        rendered
            .warnings
            .once(crate::render::warnings::Warning::ImageCachePrune {
                dir: crate::render::images::cache::CACHE_DIR.to_string(),
                reason: e.to_string(),
            });
    }
    timings.push(("render+write", clock.elapsed()));
    let clock = Instant::now();
    let (weights, weigh_warning) = match weigh_if_small(&output, &files) {
        Ok(w) => (w, None),
        Err(e) => (None, Some(format!("page weights not measured: {e}"))),
    };
    let mut warnings: Vec<String> = rendered
        .warnings
        .list()
        .iter()
        .map(|w| w.to_string())
        .collect();
    warnings.extend(crate::check::build_warnings(&rendered.site));
    warnings.extend(weigh_warning);
    warnings.sort();
    warnings.dedup();
    timings.push(("checks", clock.elapsed()));
    for w in weights
        .iter()
        .flatten()
        .filter(|w| w.total > budget_kb * 1000)
    {
        warnings.push(format!(
            "{} weighs {:.1} kB, over the budget of {budget_kb} kB",
            w.page,
            w.total as f64 / 1000.0
        ));
    }
    let pages = pages_per_language(&rendered.site);
    let valid_until = rendered.site.valid_until;
    // Freeing a large site's memory takes a while; nobody needs to wait for it.
    std::thread::spawn(move || drop(rendered));
    BuildState {
        inputs,
        files: files.clone(),
        pages: pages.clone(),
        warnings: warnings.clone(),
        valid_until,
    }
    .write(&output);
    Ok(BuildReport {
        pages_per_language: pages,
        warnings,
        stats,
        files: files.len(),
        output,
        weights,
        budget_kb,
        timings,
        elapsed: start.elapsed(),
        cleanup,
    })
}

/// After a failed build: the output folder of `options` when it holds a previous output of
/// ludd, which a failed build never touches. `None` when there was none (or no config).
pub fn kept_output(options: &BuildOptions) -> Option<PathBuf> {
    let config = Config::load(&options.root).ok()?;
    let output = output_folder(options, &config).ok()?;
    (output.is_dir() && write::ownership::has_marker(&output)).then_some(output)
}

/// Page weights of every HTML output, for sites up to [`WEIGH_UP_TO`] pages.
fn weigh_if_small(
    output: &Path,
    files: &[(String, u64)],
) -> Result<Option<Vec<crate::check::weight::PageWeight>>> {
    let html: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, _)| p.clone())
        .collect();
    if html.len() > WEIGH_UP_TO {
        return Ok(None);
    }
    crate::check::weight::weigh(output, &html).map(Some)
}

/// Fingerprint of everything a build depends on: the input files (by size and mtime), the
/// options, and this very binary.
fn inputs_fingerprint(options: &BuildOptions, config: &Config) -> Result<u64> {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    load::inputs::stat_fingerprint(&options.root, config)?.hash(&mut h);
    (
        options.drafts,
        options.future,
        options.expired,
        &options.base_url,
        &options.output_dir,
        options.mode,
    )
        .hash(&mut h);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    if let Some(meta) = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
    {
        (meta.len(), meta.modified().ok()).hash(&mut h);
    }
    Ok(h.finish())
}

/// The output folder of a build: `--output`, else `output_dir`, checked to be safe.
pub fn output_folder(options: &BuildOptions, config: &Config) -> Result<PathBuf> {
    let output_dir = options
        .output_dir
        .clone()
        .unwrap_or_else(|| config.output_dir.clone());
    // An --output override has no line in site.toml.
    let line = if options.output_dir.is_some() {
        None
    } else {
        config.line_of("output_dir")
    };
    write::resolve_output(&options.root, &output_dir, line)
}

/// The site root containing `start` (the nearest folder upwards with a `site.toml`).
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|p| p.join(load::config::CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
}
