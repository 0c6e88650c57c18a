//! Image work in the background, for `ludd serve`: a variant that is not cached yet is not
//! made while the page waits. The page is rendered at once with the variants' final URLs and
//! sizes; [`Background`] makes them on its own thread (one image at a time, so an edit's
//! rebuild keeps a core), and until a variant is ready the preview server answers its URL
//! with the original image ([`Background::original`]). When an image's variants are in the
//! cache, the `on_ready` callback runs: the rebuild loop copies them into the served folder
//! ([`Background::take_ready`]) and open pages that show them reload.
//!
//! One `Background` lives as long as the preview: every build of the session shares it, so a
//! variant already being made is never queued twice.

use super::cache::Cache;
use super::error::ImageError;
use super::{Job, decode_for, encode_job, lock};
use crate::load::config::ImagesConfig;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex, OnceLock};

/// The variants of one source still to make.
struct Task {
    source: PathBuf,
    jobs: Vec<Job>,
    config: ImagesConfig,
}

/// What is waiting, being made, and done.
#[derive(Default)]
struct State {
    /// Output path → the source image, served in its place until the variant is published.
    pending: HashMap<String, PathBuf>,
    /// Cache names queued or being made.
    queued: HashSet<String>,
    /// Made: output path → cached file, until [`Background::take_ready`].
    ready: Vec<(String, PathBuf)>,
    /// Sources that failed, until [`Background::take_ready`].
    failed: Vec<ImageError>,
}

/// The background image worker of one preview session.
pub struct Background {
    cache_root: PathBuf,
    state: Arc<Mutex<State>>,
    queue: OnceLock<Mutex<Sender<Task>>>,
    on_ready: Arc<OnceLock<Box<dyn Fn() + Send + Sync>>>,
}

impl std::fmt::Debug for Background {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Background")
            .field("cache_root", &self.cache_root)
            .finish()
    }
}

/// Variants made by the worker, to publish.
#[derive(Debug, Default)]
pub struct Ready {
    /// Output path (relative to the output folder) → cached file to copy there.
    pub variants: Vec<(String, PathBuf)>,
    /// Images whose variants could not be made.
    pub failed: Vec<ImageError>,
}

impl Background {
    /// A worker for the site at `root` (whose cache it fills). Its thread starts with the
    /// first task.
    pub fn new(root: &Path) -> Background {
        Background {
            cache_root: root.to_path_buf(),
            state: Arc::default(),
            queue: OnceLock::new(),
            on_ready: Arc::default(),
        }
    }

    /// Sets what runs (on the worker's thread) each time an image's variants are made or have
    /// failed. Only the first call counts.
    pub fn on_ready(&self, notify: impl Fn() + Send + Sync + 'static) {
        let _ = self.on_ready.set(Box::new(notify));
    }

    /// Queues the variants `jobs` of `source` (those not queued yet).
    pub(super) fn submit(&self, source: &Path, jobs: Vec<Job>, config: &ImagesConfig) {
        let jobs: Vec<Job> = {
            let mut state = lock(&self.state);
            for job in &jobs {
                state
                    .pending
                    .insert(job.output.clone(), source.to_path_buf());
            }
            jobs.into_iter()
                .filter(|j| state.queued.insert(j.name.clone()))
                .collect()
        };
        if jobs.is_empty() {
            return;
        }
        let task = Task {
            source: source.to_path_buf(),
            jobs,
            config: config.clone(),
        };
        let queue = self.queue.get_or_init(|| Mutex::new(self.start()));
        if let Err(mpsc::SendError(task)) = lock(queue).send(task) {
            // The worker is gone (it never is while the preview runs): forget the task, so
            // the next build queues it again.
            let mut state = lock(&self.state);
            for job in &task.jobs {
                state.queued.remove(&job.name);
            }
        }
    }

    /// Starts the worker thread; its sender.
    fn start(&self) -> Sender<Task> {
        let (sender, tasks) = mpsc::channel::<Task>();
        let state = Arc::clone(&self.state);
        let on_ready = Arc::clone(&self.on_ready);
        let cache = Cache::open(&self.cache_root);
        let spawned = std::thread::Builder::new()
            .name("ludd-images".to_string())
            .spawn(move || {
                for task in tasks {
                    let result = make(&cache, &task);
                    {
                        let mut state = lock(&state);
                        for job in &task.jobs {
                            state.queued.remove(&job.name);
                        }
                        match result {
                            Ok(made) => state.ready.extend(made),
                            Err(e) => {
                                for job in &task.jobs {
                                    state.pending.remove(&job.output);
                                }
                                state.failed.push(e);
                            }
                        }
                    }
                    if let Some(notify) = on_ready.get() {
                        notify();
                    }
                }
            });
        if spawned.is_err() {
            // No thread: the receiver is dropped and `submit` forgets its tasks.
            return mpsc::channel().0;
        }
        sender
    }

    /// The source image to serve at output path `path` while its variant is being made.
    pub fn original(&self, path: &str) -> Option<PathBuf> {
        lock(&self.state).pending.get(path).cloned()
    }

    /// Whether variants are queued or being made.
    pub fn is_busy(&self) -> bool {
        !lock(&self.state).queued.is_empty()
    }

    /// The variants made (and the failures) since the last call. Their output paths keep
    /// being answered with the original until [`Background::published`].
    pub fn take_ready(&self) -> Ready {
        let mut state = lock(&self.state);
        Ready {
            variants: std::mem::take(&mut state.ready),
            failed: std::mem::take(&mut state.failed),
        }
    }

    /// The variant at output path `path` is in the served folder now.
    pub fn published(&self, path: &str) {
        lock(&self.state).pending.remove(path);
    }
}

/// Decodes the source once and makes every variant of `task` into the cache.
fn make(cache: &Cache, task: &Task) -> Result<Vec<(String, PathBuf)>, ImageError> {
    let decoded = decode_for(&task.source, &task.config)?;
    let mut made = Vec::with_capacity(task.jobs.len());
    for job in &task.jobs {
        let file = match cache.get(&job.name) {
            Some(file) => file,
            None => {
                let bytes = encode_job(&task.source, &decoded, job, &task.config)?;
                cache.put(&job.name, &bytes)?
            }
        };
        made.push((job.output.clone(), file));
    }
    Ok(made)
}
