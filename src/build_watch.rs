//! `ludd build --watch`: keeps `output_dir` up to date without a server. The same
//! [`Session`] and incremental rebuild as `ludd serve` write into the output folder itself,
//! each file replaced atomically (a web server serving the folder never sees a partial file),
//! with publishing output (fingerprinted asset names, host files, no reload script). One line
//! per rebuild; on an error the output keeps the last good build and the error is printed
//! with its file and line. Ctrl-C (SIGINT) or SIGTERM stop it between rebuilds.

use crate::build::output_folder;
use crate::engine::session::{Changes, Session};
use crate::engine::{BuildOptions, Mode};
use crate::error::Result;
use crate::load::config::Config;
use crate::serve::rebuild::{
    describe_changes, describe_failure, describe_stages, describe_trigger,
};
use crate::serve::watch::{Batch, Watcher};
use crate::write::state::BuildState;
use std::fmt::Display;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// What `ludd build --watch` was asked to do.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// How to build (the mode is always [`Mode::Publish`]).
    pub build: BuildOptions,
    /// Poll for file changes instead of using the operating system's events.
    pub poll: bool,
    /// Print only errors.
    pub quiet: bool,
    /// Print each rebuild's time per stage.
    pub verbose: bool,
}

/// How often the loop looks at the stop flag while no change arrives.
const STOP_CHECK: Duration = Duration::from_millis(100);

/// Builds, then rebuilds after every change until SIGINT or SIGTERM. Returns an error only
/// when it cannot start (no config, an output folder that is not allowed, no file watcher).
pub fn run(options: WatchOptions) -> Result<()> {
    let build = BuildOptions {
        mode: Mode::Publish,
        ..options.build.clone()
    };
    let root = build
        .root
        .canonicalize()
        .unwrap_or_else(|_| build.root.clone());
    let build = BuildOptions { root, ..build };
    let config = Config::load(&build.root)?;
    let output = output_folder(&build, &config)?;
    // The same ownership rule as `ludd build`: only a missing, empty or ludd-marked folder.
    crate::write::ownership::check_owned(&output, "output folder", crate::write::CHOOSE_OTHER)?;
    let stop = Arc::new(AtomicBool::new(false));
    stop_on_signals(Arc::clone(&stop));
    let (sink, batches) = mpsc::channel();
    let (mut watcher, problems) = Watcher::start(&build.root, options.poll, sink, |e| {
        shout(format!("file watcher: {e}"))
    })
    .map_err(|e| {
        crate::error::Diagnostic::new(&build.root, e.to_string()).with_help("try --poll")
    })?;
    for p in problems {
        shout(format!("warning: {p}"));
    }
    // The output is about to change file by file: a later `ludd build` must not take it for
    // the result of an earlier one. The files that build wrote are this session's to replace
    // or remove.
    let earlier: Vec<String> = BuildState::read(&output)
        .map(|s| s.files.into_iter().map(|(path, _)| path).collect())
        .unwrap_or_default();
    BuildState::clear(&output);
    let (mut session, first) =
        Session::start_with(build.clone(), output.clone(), Some(config), earlier);
    // Marked as ludd's, so that a later `ludd build` may replace it.
    std::fs::create_dir_all(&output).map_err(|e| crate::error::Error::io("create", &output, e))?;
    crate::write::ownership::mark(&output)?;
    let mut failing = report(&options, "", first, false);
    if !options.quiet {
        say(format!(
            "watching {} for changes, writing {} (Ctrl-C stops)",
            build.root.display(),
            output.display()
        ));
    }
    while !stop.load(Ordering::SeqCst) {
        let mut batch: Batch = match batches.recv_timeout(STOP_CHECK) {
            Ok(batch) => batch,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        while let Ok(more) = batches.try_recv() {
            batch.merge(more);
        }
        for p in watcher.sync(&batch.top_dirs) {
            shout(format!("warning: {p}"));
        }
        let trigger = describe_trigger(&build.root, &batch);
        let result = session.rebuild(&batch.rebuild_paths());
        failing = report(&options, &trigger, result, failing);
    }
    if !options.quiet {
        say("stopped");
    }
    Ok(())
}

/// Prints one rebuild's result; returns whether the output now lags behind an error.
fn report(options: &WatchOptions, trigger: &str, result: Result<Changes>, failing: bool) -> bool {
    match result {
        Ok(changes) => {
            if !options.quiet || failing {
                let fixed = if failing { " (error fixed)" } else { "" };
                say(format!("{}{fixed}", describe_changes(trigger, &changes)));
            }
            if options.verbose {
                say(describe_stages(&changes));
            }
            false
        }
        Err(error) => {
            shout(describe_failure(
                trigger,
                &error,
                "the output keeps the last good build",
            ));
            true
        }
    }
}

/// Sets `stop` on SIGINT or SIGTERM (a thread with a small tokio runtime waits for them).
fn stop_on_signals(stop: Arc<AtomicBool>) {
    let spawned = std::thread::Builder::new()
        .name("ludd-signals".to_string())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                #[cfg(unix)]
                {
                    use tokio::signal::unix::{SignalKind, signal};
                    let (Ok(mut int), Ok(mut term)) = (
                        signal(SignalKind::interrupt()),
                        signal(SignalKind::terminate()),
                    ) else {
                        return;
                    };
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                #[cfg(not(unix))]
                {
                    let _ = tokio::signal::ctrl_c().await;
                }
            });
            stop.store(true, Ordering::SeqCst);
        });
    if let Err(e) = spawned {
        shout(format!(
            "warning: cannot wait for Ctrl-C ({e}); stop with kill -9"
        ));
    }
}

fn say(line: impl Display) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn shout(line: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
