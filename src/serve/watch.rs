//! The file watcher of `ludd serve`: watches the site's inputs (`site.toml`, `content/`,
//! `templates/`, `themes/`, `i18n/`, `static/`) with notify-debouncer-full, drops editor
//! swap, backup and temp files, and hands each debounced burst of events to the rebuild loop as
//! one [`Batch`]. Input folders that appear, vanish or are replaced (a `git checkout`) are
//! re-watched by [`Watcher::sync`].

use crate::layout::is_ignored_file;
use crate::load::config::CONFIG_FILE;
use notify::event::{AccessKind, AccessMode, CreateKind, EventKind, RemoveKind};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, Debouncer, NoCache, RecommendedCache, new_debouncer_opt,
};
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// The folders under the site root whose contents are inputs.
pub const WATCHED_DIRS: [&str; 7] = crate::layout::INPUT_DIRS;

/// How long the watcher waits for a burst of events to settle before reporting it.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// How often `--poll` scans the inputs (reading every input file: keep it modest).
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// What a debounced burst of file events asks the rebuild loop to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// Input files that changed (absolute).
    pub paths: BTreeSet<PathBuf>,
    /// Something changed that cannot be pinned to files (a folder appeared or vanished, the
    /// watcher lost events): check everything.
    pub everything: bool,
    /// Top-level input folders (`content`, ...) that were themselves created, removed or renamed:
    /// their watches must be renewed.
    pub top_dirs: BTreeSet<String>,
    /// Image variants made in the background are ready to publish (not a file event).
    pub images_ready: bool,
}

impl Batch {
    /// A batch that asks for a full check.
    pub fn everything() -> Batch {
        Batch {
            everything: true,
            ..Batch::default()
        }
    }

    /// A batch that says background image variants are ready.
    pub fn images_ready() -> Batch {
        Batch {
            images_ready: true,
            ..Batch::default()
        }
    }

    /// Adds `other` to this batch (batches that queued up during a rebuild become one).
    pub fn merge(&mut self, other: Batch) {
        self.paths.extend(other.paths);
        self.everything |= other.everything;
        self.top_dirs.extend(other.top_dirs);
        self.images_ready |= other.images_ready;
    }

    /// Whether no input changed (the batch only says that images are ready).
    pub fn no_input_changed(&self) -> bool {
        self.paths.is_empty() && !self.everything && self.top_dirs.is_empty()
    }

    /// The paths to hand to `Session::rebuild`: empty means "unknown, check everything".
    pub fn rebuild_paths(&self) -> Vec<PathBuf> {
        if self.everything {
            Vec::new()
        } else {
            self.paths.iter().cloned().collect()
        }
    }

    /// Whether the batch asks for nothing.
    pub fn is_empty(&self) -> bool {
        self.no_input_changed() && !self.images_ready
    }
}

/// How a path relates to the site's inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relevance {
    /// Not an input (output folders, VCS data, editor swap/backup/temp files).
    Ignore,
    /// `site.toml` or a file (or folder) inside an input folder.
    Input,
    /// One of the top-level input folders itself.
    TopDir,
}

/// Classifies `path` (absolute, under `root`).
pub fn classify(root: &Path, path: &Path) -> Relevance {
    let Ok(rel) = path.strip_prefix(root) else {
        return Relevance::Ignore;
    };
    let mut components = rel.components();
    let Some(Component::Normal(first)) = components.next() else {
        return Relevance::Ignore;
    };
    let first = first.to_string_lossy();
    let rest: Vec<Component<'_>> = components.collect();
    if rest.is_empty() {
        return if first == CONFIG_FILE {
            Relevance::Input
        } else if WATCHED_DIRS.contains(&first.as_ref()) {
            Relevance::TopDir
        } else {
            Relevance::Ignore
        };
    }
    if !WATCHED_DIRS.contains(&first.as_ref()) {
        return Relevance::Ignore;
    }
    let ignored = rest.iter().any(|c| match c {
        Component::Normal(name) => is_ignored_file(&name.to_string_lossy()),
        _ => true,
    });
    if ignored {
        Relevance::Ignore
    } else {
        Relevance::Input
    }
}

/// Turns a burst of debounced events into a batch; `None` when nothing relevant happened
/// (only reads, or only editor temp files).
pub fn batch_of(root: &Path, events: &[DebouncedEvent]) -> Option<Batch> {
    let mut batch = Batch::default();
    for event in events {
        if event.need_rescan() {
            batch.everything = true;
            continue;
        }
        match event.kind {
            // Reads (our own builds open every input) must never trigger a rebuild.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
            EventKind::Access(_) => continue,
            _ => {}
        }
        let folder_event = matches!(
            event.kind,
            EventKind::Create(CreateKind::Folder) | EventKind::Remove(RemoveKind::Folder)
        );
        for path in &event.paths {
            match classify(root, path) {
                Relevance::Ignore => {}
                Relevance::TopDir => {
                    batch.everything = true;
                    if let Some(name) = path.file_name() {
                        batch.top_dirs.insert(name.to_string_lossy().into_owned());
                    }
                }
                Relevance::Input => {
                    // A folder that was created, removed or moved stands for everything inside
                    // it, which notify does not list: let the session check everything. A path
                    // that no longer exists and has no extension was most likely a folder.
                    let maybe_folder = folder_event
                        || path.is_dir()
                        || (path.extension().is_none() && !path.exists());
                    if maybe_folder {
                        batch.everything = true;
                    } else {
                        batch.paths.insert(path.clone());
                    }
                }
            }
        }
    }
    (!batch.is_empty()).then_some(batch)
}

/// A problem while setting up watches.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The watcher itself could not be created.
    #[error("cannot start the file watcher: {0}")]
    Start(#[source] notify::Error),
    /// One path could not be watched.
    #[error("cannot watch `{}`: {source}", .path.display())]
    Watch {
        /// The path.
        path: PathBuf,
        /// What notify said.
        #[source]
        source: notify::Error,
    },
}

enum Inner {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

impl Inner {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Inner::Native(d) => d.watch(path, mode),
            Inner::Poll(d) => d.watch(path, mode),
        }
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        match self {
            Inner::Native(d) => d.unwatch(path),
            Inner::Poll(d) => d.unwatch(path),
        }
    }
}

/// Watches a site's inputs and sends a [`Batch`] to `sink` after every burst of changes.
pub struct Watcher {
    inner: Inner,
    root: PathBuf,
    watched: BTreeSet<&'static str>,
}

impl Watcher {
    /// Starts watching the site at `root` (absolute, canonical). With `poll`, scans the files
    /// periodically instead of asking the operating system (for network drives, containers).
    /// `on_error` receives watcher errors as they happen; a full check is requested after them.
    /// Returns the watcher and the paths that could not be watched.
    pub fn start(
        root: &Path,
        poll: bool,
        sink: Sender<Batch>,
        on_error: impl Fn(&notify::Error) + Send + 'static,
    ) -> Result<(Watcher, Vec<WatchError>), WatchError> {
        let events_root = root.to_path_buf();
        let handler = move |result: DebounceEventResult| match result {
            Ok(events) => {
                if let Some(batch) = batch_of(&events_root, &events) {
                    let _ = sink.send(batch);
                }
            }
            Err(errors) => {
                errors.iter().for_each(&on_error);
                let _ = sink.send(Batch::everything());
            }
        };
        let tick = Some(DEBOUNCE / 4);
        let inner = if poll {
            // The poll watcher keeps modification times in whole seconds: without comparing
            // contents, a second save within the same second would go unnoticed.
            let config = notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(true);
            Inner::Poll(
                new_debouncer_opt(DEBOUNCE, tick, handler, NoCache, config)
                    .map_err(WatchError::Start)?,
            )
        } else {
            let config = notify::Config::default();
            Inner::Native(
                new_debouncer_opt(DEBOUNCE, tick, handler, RecommendedCache::new(), config)
                    .map_err(WatchError::Start)?,
            )
        };
        let mut watcher = Watcher {
            inner,
            root: root.to_path_buf(),
            watched: BTreeSet::new(),
        };
        let mut problems = Vec::new();
        // The root itself, not recursively: `site.toml` and input folders appearing or vanishing.
        if let Err(source) = watcher.inner.watch(root, RecursiveMode::NonRecursive) {
            problems.push(WatchError::Watch {
                path: root.to_path_buf(),
                source,
            });
        }
        problems.extend(watcher.sync(&BTreeSet::new()));
        Ok((watcher, problems))
    }

    /// "native" or "polling".
    pub fn kind(&self) -> &'static str {
        match self.inner {
            Inner::Native(_) => "native",
            Inner::Poll(_) => "polling",
        }
    }

    /// Brings the watches in line with the input folders on disk: watches folders that
    /// appeared, forgets folders that vanished, and renews the watches of `renew` (folders that
    /// were replaced, so the old watch points at a deleted folder).
    pub fn sync(&mut self, renew: &BTreeSet<String>) -> Vec<WatchError> {
        let mut problems = Vec::new();
        for name in WATCHED_DIRS {
            let dir = self.root.join(name);
            let present = dir.is_dir();
            let watched = self.watched.contains(name);
            if watched && (!present || renew.contains(name)) {
                // The old watch may already be gone with its folder.
                let _ = self.inner.unwatch(&dir);
                self.watched.remove(name);
            }
            if present && !self.watched.contains(name) {
                match self.inner.watch(&dir, RecursiveMode::Recursive) {
                    Ok(()) => {
                        self.watched.insert(name);
                    }
                    Err(source) => problems.push(WatchError::Watch { path: dir, source }),
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::Event;
    use notify::event::{ModifyKind, RenameMode};
    use std::time::Instant;

    fn event(kind: EventKind, paths: &[&Path]) -> DebouncedEvent {
        let mut e = Event::new(kind);
        for p in paths {
            e = e.add_path(p.to_path_buf());
        }
        DebouncedEvent::new(e, Instant::now())
    }

    #[test]
    fn classifies_inputs_and_ignores_the_rest() {
        let root = Path::new("/site");
        assert_eq!(
            classify(root, Path::new("/site/site.toml")),
            Relevance::Input
        );
        assert_eq!(
            classify(root, Path::new("/site/content/a.md")),
            Relevance::Input
        );
        assert_eq!(
            classify(root, Path::new("/site/themes/t/static/css/x.css")),
            Relevance::Input
        );
        assert_eq!(classify(root, Path::new("/site/static")), Relevance::TopDir);
        assert_eq!(
            classify(root, Path::new("/site/public/index.html")),
            Relevance::Ignore
        );
        assert_eq!(
            classify(root, Path::new("/site/.git/index")),
            Relevance::Ignore
        );
        assert_eq!(classify(root, Path::new("/site/4913")), Relevance::Ignore);
        assert_eq!(
            classify(root, Path::new("/other/content/a.md")),
            Relevance::Ignore
        );
        for temp in [".a.md.swp", "a.md~", ".#a.md", "#a.md#", "4913", "a.md.tmp"] {
            let p = PathBuf::from("/site/content").join(temp);
            assert_eq!(classify(root, &p), Relevance::Ignore, "{temp}");
        }
        assert_eq!(
            classify(root, Path::new("/site/content/.git/x.md")),
            Relevance::Ignore
        );
    }

    #[test]
    fn an_atomic_save_is_one_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("content")).unwrap();
        let real = root.join("content/a.md");
        std::fs::write(&real, "x").unwrap();
        let temp = root.join("content/.a.md.swp");
        let events = [
            event(EventKind::Create(CreateKind::File), &[&temp]),
            event(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &[&temp, &real],
            ),
            event(
                EventKind::Access(AccessKind::Open(AccessMode::Read)),
                &[&real],
            ),
        ];
        let batch = batch_of(root, &events).unwrap();
        assert!(!batch.everything);
        assert_eq!(batch.rebuild_paths(), vec![real]);
    }

    #[test]
    fn reads_and_temp_files_alone_are_nothing() {
        let root = Path::new("/site");
        let events = [
            event(
                EventKind::Access(AccessKind::Open(AccessMode::Any)),
                &[Path::new("/site/content/a.md")],
            ),
            event(
                EventKind::Create(CreateKind::File),
                &[Path::new("/site/content/4913")],
            ),
        ];
        assert_eq!(batch_of(root, &events), None);
    }

    #[test]
    fn folders_ask_for_everything() {
        let root = Path::new("/site");
        let removed = [event(
            EventKind::Remove(RemoveKind::Folder),
            &[Path::new("/site/content/sec")],
        )];
        assert!(batch_of(root, &removed).unwrap().everything);
        let top = [event(
            EventKind::Create(CreateKind::Folder),
            &[Path::new("/site/i18n")],
        )];
        let batch = batch_of(root, &top).unwrap();
        assert!(batch.everything);
        assert!(batch.top_dirs.contains("i18n"));
        assert!(batch.rebuild_paths().is_empty());
    }
}
