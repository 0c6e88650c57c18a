//! The `ludd` command line: a thin layer over the library that parses arguments, runs a command
//! and reports the result. Exit code 0 on success, 1 on any error.

use anyhow::{Context, Result};
use clap::{CommandFactory, Parser, Subcommand};
use ludd::build::{BuildReport, find_root};
use ludd::engine::{BuildOptions, Mode};
use std::path::PathBuf;
use std::process::ExitCode;

/// Prints a line to stdout, ignoring a closed pipe (`ludd build | head` must not panic).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// A fast static site generator for multilingual campaign sites.
#[derive(Parser)]
#[command(name = "ludd", version, about, propagate_version = true)]
struct Cli {
    /// The site folder (default: the nearest folder upwards with a site.toml)
    #[arg(long, short = 'r', global = true)]
    root: Option<PathBuf>,
    /// Print only errors
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more detail
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder
    Build(BuildArgs),
    /// Build the site into a private folder, serve it and rebuild on every change
    #[cfg(feature = "serve")]
    Serve(ServeArgs),
    /// Render the whole site in memory and check links, privacy, accessibility, page weight,
    /// translations and UI strings (exit code 1 on errors)
    Check(CheckArgs),
    /// Build the site, then publish the output to the [deploy] target of site.toml
    #[cfg(feature = "deploy")]
    Deploy {
        /// Only report what would be uploaded and deleted
        #[arg(long)]
        dry_run: bool,
        /// Publish even though [extra.publisher] placeholder = true (the imprint is not filled in)
        #[arg(long)]
        allow_placeholder_imprint: bool,
    },
    /// Create a new site with the default theme
    Init {
        /// Folder to create (or an empty one; `.` for the current folder)
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The default language's code (its texts are written at the root)
        #[arg(long, default_value = "en")]
        lang: String,
        /// More languages, comma-separated (`--languages fr,ar`)
        #[arg(long, value_delimiter = ',')]
        languages: Vec<String>,
    },
    /// Convert a Zola or Hugo site into a new ludd site (the old site is only read)
    Import {
        /// The tool the old site is built with
        #[arg(value_enum)]
        tool: ImportTool,
        /// The old site's folder
        from: PathBuf,
        /// The new site's folder (must not exist, or be empty)
        to: PathBuf,
    },
    /// Print shell completions
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
}

/// The tools `ludd import` reads.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ImportTool {
    /// A Zola site (config.toml)
    Zola,
    /// A Hugo site (hugo.toml, config.toml, config.yaml, … or config/_default/)
    Hugo,
}

/// What to publish: drafts and pages outside their publish and expiry dates.
#[derive(clap::Args)]
struct Visibility {
    /// Include drafts
    #[arg(long, short = 'D', visible_alias = "buildDrafts")]
    drafts: bool,
    /// Include pages whose publish_date is still to come
    #[arg(long, short = 'F', visible_alias = "buildFuture")]
    future: bool,
    /// Include pages whose expiry_date has passed
    #[arg(long, short = 'E', visible_alias = "buildExpired")]
    expired: bool,
}

#[derive(clap::Args)]
struct BuildArgs {
    /// Override base_url (for preview deploys)
    #[arg(long, short = 'u', visible_alias = "baseURL")]
    base_url: Option<String>,
    /// Override output_dir
    #[arg(long, short, visible_alias = "output-dir")]
    output: Option<PathBuf>,
    #[command(flatten)]
    visibility: Visibility,
    /// Fail on warnings too
    #[arg(long)]
    strict: bool,
    /// Keep building: rebuild the output after every change until Ctrl-C
    #[arg(long, short, conflicts_with = "strict")]
    watch: bool,
    /// With --watch: poll for changes instead of using the operating system's file events
    #[arg(long, requires = "watch")]
    poll: bool,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Fail on warnings too
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    visibility: Visibility,
    /// Override base_url (links to this host count as internal)
    #[arg(long, short = 'u', visible_alias = "baseURL")]
    base_url: Option<String>,
}

/// How `ludd check` prints its report.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Readable text, grouped per language
    Text,
    /// JSON for CI
    Json,
}

#[cfg(feature = "serve")]
#[derive(clap::Args)]
struct ServeArgs {
    /// Port to listen on (0: any free port; a taken port moves up to 20 higher)
    #[arg(long, short, default_value_t = 1111)]
    port: u16,
    /// Address to listen on
    #[arg(
        long,
        short,
        visible_alias = "interface",
        short_alias = 'i',
        default_value = "127.0.0.1"
    )]
    bind: std::net::IpAddr,
    /// Open the site in a browser
    #[arg(long, short = 'O')]
    open: bool,
    /// Build pages for this base_url (a preview behind a proxy) and serve them under its path
    #[arg(long, short = 'u', visible_alias = "baseURL")]
    base_url: Option<String>,
    #[command(flatten)]
    visibility: Visibility,
    /// Poll for changes instead of using file system events (network drives, containers)
    #[arg(long)]
    poll: bool,
    /// Also answer requests for this host name (besides localhost and IP addresses), such as
    /// the machine's name on the local network; repeatable
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_hosts: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn site_root(cli: &Cli) -> Result<PathBuf> {
    if let Some(r) = &cli.root {
        return Ok(r.clone());
    }
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    Ok(find_root(&cwd).unwrap_or(cwd))
}

fn run(cli: &Cli) -> Result<()> {
    match &cli.command {
        Command::Build(args) => {
            keep_freed_memory();
            let options = BuildOptions {
                root: site_root(cli)?,
                drafts: args.visibility.drafts,
                future: args.visibility.future,
                expired: args.visibility.expired,
                base_url: args.base_url.clone(),
                output_dir: args.output.clone(),
                mode: Mode::Publish,
                background_images: None,
            };
            if args.watch {
                return watch(options, args, cli);
            }
            let report =
                ludd::build(&options).map_err(|e| match ludd::build::kept_output(&options) {
                    Some(out) => anyhow::anyhow!(
                        "{e}\nbuild failed; the previous output in {} is unchanged",
                        out.display()
                    ),
                    None => anyhow::anyhow!("{e}\nbuild failed; nothing was written"),
                })?;
            print_report(&report, cli);
            finish_cleanup(&report, cli);
            if args.strict && !report.warnings.is_empty() {
                anyhow::bail!(
                    "build failed: {} warnings with --strict (the output was written)",
                    report.warnings.len()
                );
            }
            Ok(())
        }
        Command::Check(args) => {
            keep_freed_memory();
            run_check(args, cli)
        }
        #[cfg(feature = "serve")]
        Command::Serve(args) => {
            let options = ludd::serve::ServeOptions {
                root: site_root(cli)?,
                bind: args.bind,
                port: args.port,
                open: args.open,
                drafts: args.visibility.drafts,
                future: args.visibility.future,
                expired: args.visibility.expired,
                base_url: args.base_url.clone(),
                poll: args.poll,
                quiet: cli.quiet,
                verbose: cli.verbose,
                allow_hosts: args.allow_hosts.clone(),
            };
            ludd::serve::run(options)?;
            Ok(())
        }
        #[cfg(feature = "deploy")]
        Command::Deploy {
            dry_run,
            allow_placeholder_imprint,
        } => {
            keep_freed_memory();
            let options = BuildOptions {
                root: site_root(cli)?,
                ..BuildOptions::default()
            };
            let quiet = cli.quiet;
            let last_shown = std::sync::Mutex::new(std::time::Instant::now());
            let progress = |done: usize, total: usize| {
                // A line a second at most, and the last one.
                let Ok(mut last) = last_shown.lock() else {
                    return;
                };
                if !quiet && (done == total || last.elapsed().as_secs() >= 1) {
                    *last = std::time::Instant::now();
                    eprintln!("deploy: {done}/{total} files");
                }
            };
            let (build, deployed) =
                ludd::deploy::deploy(&options, *dry_run, *allow_placeholder_imprint, &progress)?;
            print_report(&build, cli);
            print_deploy(&deployed, cli);
            finish_cleanup(&build, cli);
            Ok(())
        }
        Command::Init {
            dir,
            lang,
            languages,
        } => {
            let options = ludd::init::InitOptions {
                lang: lang.trim().to_lowercase(),
                languages: languages
                    .iter()
                    .map(|l| l.trim().to_lowercase())
                    .filter(|l| !l.is_empty())
                    .collect(),
            };
            let english = ludd::init::init(dir, &options)?;
            for code in english {
                say!(
                    "note: ludd has no starter texts in `{code}`: its pages and i18n/{code}.toml are in English, translate them"
                );
            }
            if !cli.quiet {
                say!("created a new site in {}", dir.display());
                say!("next: cd {} && ludd serve", dir.display());
            }
            Ok(())
        }
        Command::Import { tool, from, to } => {
            let tool = match tool {
                ImportTool::Zola => ludd::import::Tool::Zola,
                ImportTool::Hugo => ludd::import::Tool::Hugo,
            };
            let notes = ludd::import::import(tool, from, to)?;
            if !cli.quiet {
                for n in &notes.changes {
                    say!("changed: {n}");
                }
            }
            for n in &notes.problems {
                say!("not converted: {n}");
            }
            if !cli.quiet {
                say!(
                    "imported {} into {}: {} changes, {} things to look at by hand",
                    from.display(),
                    to.display(),
                    notes.changes.len(),
                    notes.problems.len()
                );
                say!("next: cd {} && ludd build", to.display());
            }
            Ok(())
        }
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "ludd", &mut std::io::stdout());
            Ok(())
        }
    }
}

#[cfg(feature = "serve")]
fn watch(build: BuildOptions, args: &BuildArgs, cli: &Cli) -> Result<()> {
    let options = ludd::build_watch::WatchOptions {
        build,
        poll: args.poll,
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    ludd::build_watch::run(options).map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(not(feature = "serve"))]
fn watch(_: BuildOptions, _: &BuildArgs, _: &Cli) -> Result<()> {
    anyhow::bail!("this ludd was built without the `serve` feature, which --watch needs")
}

fn run_check(args: &CheckArgs, cli: &Cli) -> Result<()> {
    let options = BuildOptions {
        root: site_root(cli)?,
        drafts: args.visibility.drafts,
        future: args.visibility.future,
        expired: args.visibility.expired,
        base_url: args.base_url.clone(),
        output_dir: None,
        mode: Mode::Check,
        background_images: None,
    };
    let report = ludd::check::check(&options)
        .map_err(|e| anyhow::anyhow!("{e}\ncheck failed: the site does not render"))?;
    match args.format {
        Format::Json => say!(
            "{}",
            serde_json::to_string_pretty(&ludd::check::report::json(&report))?
        ),
        Format::Text if !cli.quiet => say!(
            "{}",
            ludd::check::report::text(&report, cli.verbose).trim_end()
        ),
        Format::Text => {
            use std::io::Write as _;
            let errors = ludd::check::report::errors_only(&report);
            let _ = std::io::stdout().lock().write_all(errors.as_bytes());
        }
    }
    if report.fails(args.strict) {
        anyhow::bail!(
            "check failed: {}{}",
            ludd::check::report::totals(&report.findings),
            if args.strict { " (--strict)" } else { "" }
        );
    }
    Ok(())
}

#[cfg(feature = "deploy")]
fn print_deploy(report: &ludd::deploy::DeployReport, cli: &Cli) {
    if cli.quiet {
        return;
    }
    // A dry run lists what it would do; a real one lists it with --verbose.
    if report.dry_run || cli.verbose {
        for path in &report.uploaded {
            say!("  upload {path}");
        }
        for path in &report.deleted {
            say!("  delete {path}");
        }
    }
    let (uploaded, unchanged, deleted) = (
        report.uploaded.len(),
        report.unchanged,
        report.deleted.len(),
    );
    if report.dry_run {
        say!(
            "dry run for {}: {uploaded} to upload, {unchanged} unchanged, {deleted} to delete; nothing changed",
            report.target
        );
    } else {
        say!(
            "deployed to {}: {uploaded} uploaded, {unchanged} unchanged, {deleted} deleted",
            report.target
        );
    }
}

/// Waits for the previous output's removal (after the report: nobody waits for it to see the
/// result) and warns if it failed.
fn finish_cleanup(report: &BuildReport, cli: &Cli) {
    if let Some(warning) = report.cleanup.finish()
        && !cli.quiet
    {
        eprintln!("warning: {warning}");
    }
}

fn print_report(report: &BuildReport, cli: &Cli) {
    if cli.quiet {
        return;
    }
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    let per_lang: Vec<String> = report
        .pages_per_language
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    say!(
        "built {} files ({} written, {} unchanged) into {} in {:.0} ms",
        report.files,
        report.stats.written,
        report.stats.unchanged,
        report.output.display(),
        report.elapsed.as_secs_f64() * 1000.0
    );
    say!(
        "pages per language: {}; {} warnings",
        per_lang.join(", "),
        report.warnings.len()
    );
    if cli.verbose {
        let stages: Vec<String> = report
            .timings
            .iter()
            .map(|(n, d)| format!("{n} {:.0} ms", d.as_secs_f64() * 1000.0))
            .collect();
        say!("stages: {}", stages.join(", "));
    }
    match &report.weights {
        Some(weights) => {
            let shown = if cli.verbose {
                weights.len()
            } else {
                weights.len().min(12)
            };
            say!(
                "page weights (gzip, with everything each page loads; budget {} kB):",
                report.budget_kb
            );
            for w in &weights[..shown] {
                say!("  {:>7.1} kB  {}", w.total as f64 / 1000.0, w.page);
            }
            if shown < weights.len() {
                let lightest = weights
                    .last()
                    .map(|w| w.total as f64 / 1000.0)
                    .unwrap_or(0.0);
                say!(
                    "  … {} more pages, the lightest {lightest:.1} kB (--verbose lists all)",
                    weights.len() - shown
                );
            }
        }
        None => say!(
            "page weights: run `ludd check` (not measured on every build of sites over {} pages)",
            ludd::build::WEIGH_UP_TO
        ),
    }
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`: position 15 of `mi_option_e` in mimalloc.h (v2 and v3);
/// libmimalloc-sys names no constant for it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps memory the allocator freed for reuse instead of handing it back to the OS. A build frees
/// the Markdown sources and every rendered page as it goes; when that memory goes back to the OS
/// and is asked for again, the kernel zeroes fresh pages (at 50,000 pages per language a fifth
/// of the build's CPU time went to that). One-shot commands exit soon anyway; `ludd serve` keeps
/// the default and returns what it no longer needs.
fn keep_freed_memory() {
    // SAFETY: sets a process-wide allocator option; mimalloc reads it on every purge decision.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_delay_is_the_option_we_set() {
        // mimalloc v3's default purge delay is 1000 ms (MIMALLOC_PURGE_DELAY overrides it): a
        // different number would mean position 15 is another option.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: reads an allocator option.
            assert_eq!(
                unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) },
                1000
            );
        }
        keep_freed_memory();
        // SAFETY: reads an allocator option.
        assert_eq!(
            unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) },
            -1
        );
    }
}
