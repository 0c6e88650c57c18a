//! The rebuild loop of `ludd serve`: one plain thread owns the [`Session`] and the file
//! [`Watcher`]. It runs the first build, then turns every debounced batch of changed inputs
//! (plus any batches that queued up meanwhile) into one `Session::rebuild`, prints one line per
//! rebuild (or the error), and tells the [`Hub`] so open pages reload, swap their stylesheets or
//! show the error overlay. Nothing that happens here stops the server: errors and even panics
//! inside a rebuild are reported and the loop waits for the next change.

use super::reload::{ErrorEvent, Hub};
use super::watch::{Batch, Watcher};
use super::{say, shout};
use crate::engine::BuildOptions;
use crate::engine::session::{Changes, Session};
use crate::error::Result;
use crate::load::config::Config;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::thread;

/// What the loop needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How to build (root canonical, mode preview, `base_url` pointing at the server).
    pub build: BuildOptions,
    /// The private folder the site is served from.
    pub out_dir: PathBuf,
    /// Poll instead of using the operating system's file events.
    pub poll: bool,
    /// Print only errors.
    pub quiet: bool,
    /// Print each rebuild's time per stage.
    pub verbose: bool,
}

/// Starts the loop; `config` is `site.toml` as the server parsed it, for the first build. The
/// receiver gets one message when the first build is done (whether it worked or not), so the
/// server can start with something to serve.
pub fn spawn(
    settings: Settings,
    config: Option<Config>,
    hub: Arc<Hub>,
) -> std::io::Result<Receiver<()>> {
    let (first_done, first_done_rx) = mpsc::channel();
    thread::Builder::new()
        .name("ludd-rebuild".to_string())
        .spawn(move || {
            let (sink, batches) = mpsc::channel();
            if let Some(images) = &settings.build.background_images {
                let sink = sink.clone();
                images.on_ready(move || {
                    let _ = sink.send(Batch::images_ready());
                });
            }
            let root = settings.build.root.clone();
            let watcher = match Watcher::start(&root, settings.poll, sink, |e| {
                shout(format!("file watcher: {e}"))
            }) {
                Ok((watcher, problems)) => {
                    for p in problems {
                        shout(format!("warning: {p}"));
                    }
                    Some(watcher)
                }
                Err(e) => {
                    shout(format!(
                        "warning: {e}; pages will not update on changes (try --poll)"
                    ));
                    None
                }
            };
            let mut rebuilder = Rebuilder::new(settings, config, hub);
            rebuilder.first_build();
            let _ = first_done.send(());
            rebuilder.run(watcher, &batches);
        })?;
    Ok(first_done_rx)
}

struct Rebuilder {
    settings: Settings,
    hub: Arc<Hub>,
    /// `None` until a session started without panicking (and after a panic).
    session: Option<Session>,
    /// `site.toml` as parsed at start, until the first session takes it.
    config: Option<Config>,
    pages: PageDigests,
}

impl Rebuilder {
    fn new(settings: Settings, config: Option<Config>, hub: Arc<Hub>) -> Rebuilder {
        Rebuilder {
            settings,
            hub,
            session: None,
            config,
            pages: PageDigests::default(),
        }
    }

    fn first_build(&mut self) {
        let (options, out_dir) = (self.settings.build.clone(), self.settings.out_dir.clone());
        let config = self.config.take();
        match catch_unwind(AssertUnwindSafe(|| {
            Session::start_with(options, out_dir, config, Vec::new())
        })) {
            Ok((session, result)) => {
                self.session = Some(session);
                self.report("", result);
            }
            Err(panic) => self.report_panic(&*panic),
        }
    }

    fn run(&mut self, mut watcher: Option<Watcher>, batches: &Receiver<Batch>) {
        while let Ok(mut batch) = batches.recv() {
            // Everything that queued up while the last rebuild ran goes into this one.
            while let Ok(more) = batches.try_recv() {
                batch.merge(more);
            }
            if let Some(w) = watcher.as_mut() {
                for p in w.sync(&batch.top_dirs) {
                    shout(format!("warning: {p}"));
                }
            }
            if batch.images_ready {
                self.publish_images();
            }
            if batch.no_input_changed() {
                continue;
            }
            let trigger = describe_trigger(&self.settings.build.root, &batch);
            let paths = batch.rebuild_paths();
            match self.session.as_mut() {
                Some(session) => match catch_unwind(AssertUnwindSafe(|| session.rebuild(&paths))) {
                    Ok(result) => self.report(&trigger, result),
                    Err(panic) => {
                        // The session may be half-updated: start a fresh one next time.
                        self.session = None;
                        self.report_panic(&*panic);
                    }
                },
                None => self.first_build(),
            }
        }
    }

    /// Publishes the image variants made in the background; pages that show them reload.
    fn publish_images(&mut self) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        match catch_unwind(AssertUnwindSafe(|| session.publish_ready_images())) {
            Ok(Ok(changes)) if changes.is_empty() => {}
            Ok(result) => self.report("images processed", result),
            Err(panic) => self.report_panic(&*panic),
        }
    }

    fn report(&mut self, trigger: &str, result: Result<Changes>) {
        match result {
            Ok(changes) => {
                let was_failing = self.hub.has_error();
                let pages = self.pages.update(&self.settings.out_dir, &changes);
                if !self.settings.quiet || was_failing {
                    let fixed = if was_failing { " (error fixed)" } else { "" };
                    say(format!("{}{fixed}", describe_changes(trigger, &changes)));
                }
                if self.settings.verbose {
                    say(describe_stages(&changes));
                }
                if !changes.is_empty() || was_failing {
                    self.hub
                        .changed(changes.written, changes.removed, pages, changes.elapsed);
                }
            }
            Err(error) => {
                shout(describe_failure(
                    trigger,
                    &error,
                    "still serving the last good build",
                ));
                self.hub.failed(&ErrorEvent::from_error(&error));
            }
        }
    }

    fn report_panic(&mut self, panic: &(dyn std::any::Any + Send)) {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let message = format!(
            "internal error while building: {what} (this is a bug in ludd; the next change retries)"
        );
        shout(&message);
        self.hub.failed(&ErrorEvent::internal(message));
    }
}

/// Hashes of the HTML outputs with asset fingerprints (`?h=0123456789`) blanked out, so a
/// stylesheet edit — which changes the fingerprint in every page's `<link>` — does not count as
/// a change of every page: those pages swap their CSS instead of reloading.
#[derive(Debug, Default)]
pub struct PageDigests(HashMap<String, blake3::Hash>);

impl PageDigests {
    /// Updates the digests after `changes` in `out_dir`; returns the HTML outputs whose content
    /// really changed.
    pub fn update(&mut self, out_dir: &Path, changes: &Changes) -> Vec<String> {
        for removed in &changes.removed {
            self.0.remove(removed);
        }
        let mut pages = Vec::new();
        for path in changes
            .written
            .iter()
            .filter(|p| p.ends_with(".html") || p.ends_with(".htm"))
        {
            let digest = std::fs::read(out_dir.join(path))
                .ok()
                .map(|bytes| blake3::hash(&without_fingerprints(&bytes)));
            let same = matches!((digest, self.0.get(path)), (Some(new), Some(old)) if new == *old);
            match digest {
                Some(d) => {
                    self.0.insert(path.clone(), d);
                }
                None => {
                    self.0.remove(path);
                }
            }
            if !same {
                pages.push(path.clone());
            }
        }
        pages
    }
}

/// `bytes` with the preview's asset hashes removed (see
/// [`crate::render::templates::strip_preview_hashes`]).
pub fn without_fingerprints(bytes: &[u8]) -> Vec<u8> {
    crate::render::templates::strip_preview_hashes(bytes)
}

fn list(paths: &[String], max: usize) -> String {
    let mut out = paths
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > max {
        out.push_str(&format!(" and {} more", paths.len() - max));
    }
    out
}

/// The changed inputs of a batch as the rebuild line names them.
pub fn describe_trigger(root: &Path, batch: &Batch) -> String {
    let rel: Vec<String> = batch
        .paths
        .iter()
        .map(|p| {
            p.strip_prefix(root)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    match (rel.is_empty(), batch.everything) {
        (true, _) => "files changed".to_string(),
        (false, false) => list(&rel, 3),
        (false, true) => format!("{} and folders", list(&rel, 3)),
    }
}

/// The terminal lines for a failed rebuild after `trigger`: the error and what `still` holds.
pub fn describe_failure(trigger: &str, error: &crate::error::Error, still: &str) -> String {
    let after = if trigger.is_empty() {
        String::new()
    } else {
        format!(" after {trigger}")
    };
    format!("build failed{after}:\n{error}\n{still}")
}

/// The `--verbose` line for a rebuild: its time per stage.
pub fn describe_stages(changes: &Changes) -> String {
    let stages: Vec<String> = changes
        .timings
        .iter()
        .map(|(name, t)| format!("{name} {:.1} ms", t.as_secs_f64() * 1000.0))
        .collect();
    format!("  stages: {}", stages.join(", "))
}

/// The terminal line for a build: what changed and how long it took.
pub fn describe_changes(trigger: &str, changes: &Changes) -> String {
    let ms = changes.elapsed.as_secs_f64() * 1000.0;
    let mut parts = Vec::new();
    if !changes.written.is_empty() {
        parts.push(format!(
            "{} written ({})",
            changes.written.len(),
            list(&changes.written, 4)
        ));
    }
    if !changes.removed.is_empty() {
        parts.push(format!(
            "{} removed ({})",
            changes.removed.len(),
            list(&changes.removed, 4)
        ));
    }
    let what = if parts.is_empty() {
        "no output changed".to_string()
    } else {
        parts.join(", ")
    };
    if trigger.is_empty() {
        format!("built {} files in {ms:.0} ms", changes.written.len())
    } else {
        format!("{trigger} → {what} in {ms:.0} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn fingerprints_are_blanked() {
        let html = b"<link href=\"/css/site.css?h=3044b2c55d\"><a href=\"?h=abc\">";
        assert_eq!(
            without_fingerprints(html),
            b"<link href=\"/css/site.css\"><a href=\"?h=abc\">".to_vec()
        );
        assert_eq!(
            without_fingerprints(b"?h=0123456789abc"),
            b"?h=0123456789abc".to_vec()
        );
    }

    #[test]
    fn only_real_page_changes_count() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::write(
            out.join("index.html"),
            "<link href=\"/a.css?h=0000000000\"><p>x</p>",
        )
        .unwrap();
        std::fs::write(out.join("a.css"), "p{}").unwrap();
        let mut digests = PageDigests::default();
        let all = Changes {
            written: vec!["a.css".into(), "index.html".into()],
            ..Changes::default()
        };
        assert_eq!(digests.update(out, &all), ["index.html"]);
        std::fs::write(
            out.join("index.html"),
            "<link href=\"/a.css?h=1111111111\"><p>x</p>",
        )
        .unwrap();
        assert!(digests.update(out, &all).is_empty());
        std::fs::write(
            out.join("index.html"),
            "<link href=\"/a.css?h=1111111111\"><p>y</p>",
        )
        .unwrap();
        assert_eq!(digests.update(out, &all), ["index.html"]);
    }

    #[test]
    fn describes_a_rebuild_in_one_line() {
        let changes = Changes {
            written: vec!["a/index.html".into(), "atom.xml".into()],
            removed: vec!["b/index.html".into()],
            elapsed: Duration::from_millis(12),
            ..Changes::default()
        };
        let line = describe_changes("content/a.md", &changes);
        assert_eq!(
            line,
            "content/a.md → 2 written (a/index.html, atom.xml), 1 removed (b/index.html) in 12 ms"
        );
        assert!(!line.contains('\n'));
    }
}
