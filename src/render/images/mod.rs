//! Image processing: responsive variants of the photos a page shows (several widths, WebP plus
//! a JPEG or PNG fallback), `image()` and `image_meta()` for templates, metadata stripping, and
//! the disk cache. [`Images`] is the one entry point; it is owned by a build (never global),
//! processes each source at most once per build however many pages show it, and lists the
//! variant files the build must publish.
//!
//! The steps live in their own files: [`decode`] (formats, limits, orientation), [`resize`]
//! (geometry, resampling), [`encode`], [`strip`] (metadata), [`cache`], [`picture`] (the
//! `<picture>` markup for Markdown images), [`functions`] (template functions) and [`qr`].

pub mod background;
pub mod cache;
pub mod card;
pub mod decode;
pub mod encode;
pub mod error;
pub mod functions;
pub mod picture;
pub mod qr;
pub mod resize;
pub mod strip;

pub use crate::load::config::{ImageFormat as Format, ImagesConfig};
use cache::{Cache, ProbeRecord, SourceEntry};
use decode::{Kind, Probe};
use error::ImageError;
use resize::{Op, Pixels};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Output folder of processed images.
pub const OUTPUT_DIR: &str = "processed_images";
/// Bumped when the pipeline's output changes, so old cache entries are not reused.
const PIPELINE_VERSION: u32 = 1;

/// One processed file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Variant {
    /// Root-relative URL.
    pub url: String,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Format written.
    pub format: Format,
}

/// The variants of one image for a `<picture>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Responsive {
    /// The source's header.
    pub probe: Probe,
    /// Per format, best first: variants by increasing width. Empty for images passed through.
    pub sets: Vec<(Format, Vec<Variant>)>,
}

impl Responsive {
    /// The `srcset` of one set.
    pub fn srcset(variants: &[Variant]) -> String {
        variants
            .iter()
            .map(|v| format!("{} {}w", v.url, v.width))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a source is, read once per build.
#[derive(Debug, Clone)]
struct Source {
    hash: String,
    probe: Probe,
}

type Slot<T> = Arc<OnceLock<Result<T, Arc<ImageError>>>>;

/// The image processor of one build.
pub struct Images {
    root: PathBuf,
    cards: Option<card::CardRenderer>,
    /// The path of `base_url` (`/project`, or empty) that every variant URL starts with.
    base_path: String,
    config: ImagesConfig,
    cache: Cache,
    sources: Mutex<HashMap<PathBuf, Slot<Source>>>,
    variants: Mutex<HashMap<String, Slot<PathBuf>>>,
    /// Output path → cached file, for every variant this build used.
    outputs: Mutex<BTreeMap<String, PathBuf>>,
    /// The preview's background worker: variants not cached yet are made there, not while
    /// the page renders (see [`background`]).
    background: Option<Arc<background::Background>>,
}

impl std::fmt::Debug for Images {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Images")
            .field("cache", &self.cache.dir())
            .finish()
    }
}

/// A variant to make: how, in which format, under which name.
#[derive(Debug, Clone)]
struct Job {
    plan: resize::Plan,
    format: Format,
    /// Cache file name.
    name: String,
    /// Output path, relative to the output folder.
    output: String,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Images {
    /// The processor of the site at `root`, served under `base_path` (the path of
    /// `base_url`), with its disk cache.
    pub fn new(root: &Path, base_path: &str, config: ImagesConfig) -> Images {
        Images {
            root: root.to_path_buf(),
            cards: None,
            base_path: base_path.trim_end_matches('/').to_string(),
            config,
            cache: Cache::open(root),
            sources: Mutex::new(HashMap::new()),
            variants: Mutex::new(HashMap::new()),
            outputs: Mutex::new(BTreeMap::new()),
            background: None,
        }
    }

    /// Makes variants that are not cached yet on `worker` instead of at once (`ludd serve`).
    pub fn in_background(mut self, worker: Option<Arc<background::Background>>) -> Images {
        self.background = worker;
        self
    }

    /// Draws share cards from `source` (the theme's or site's `cards/card.svg`).
    pub fn with_cards(
        mut self,
        source: Option<&crate::load::theme::CardSource>,
    ) -> Result<Images, ImageError> {
        self.cards = source.map(card::CardRenderer::new).transpose()?;
        Ok(self)
    }

    /// The cache key of a card: equal keys, equal cards. None without a card template.
    pub fn card_key(&self, text: &card::CardText) -> Option<String> {
        self.cards.as_ref().map(|c| c.key(text))
    }

    /// The card for `text`, from the cache or drawn now.
    pub fn card(&self, text: &card::CardText) -> Result<PathBuf, ImageError> {
        let Some(renderer) = &self.cards else {
            return Err(ImageError::Argument(
                "this theme has no cards/card.svg".into(),
            ));
        };
        let name = format!("{}.png", renderer.key(text));
        if let Some(file) = self.cache.get(&name) {
            return Ok(file);
        }
        let png = renderer.render(text)?;
        self.cache.put(&name, &png)
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The settings.
    pub fn config(&self) -> &ImagesConfig {
        &self.config
    }

    fn source(&self, path: &Path) -> Result<Source, ImageError> {
        let slot = Arc::clone(lock(&self.sources).entry(path.to_path_buf()).or_default());
        slot.get_or_init(|| self.read_source(path).map_err(Arc::new))
            .clone()
            .map_err(|e| clone_error(&e))
    }

    fn read_source(&self, path: &Path) -> Result<Source, ImageError> {
        if let Some(entry) = self.cache.source(path) {
            return Ok(Source {
                hash: entry.hash,
                probe: entry.probe.probe(),
            });
        }
        let stamp = cache::stamp(path);
        let bytes = read(path)?;
        let probe = decode::probe(path, &bytes)?;
        let hash = blake3::hash(&bytes).to_hex()[..32].to_string();
        if let Some((len, mtime)) = stamp {
            self.cache.remember(
                path,
                SourceEntry {
                    len,
                    mtime,
                    hash: hash.clone(),
                    probe: ProbeRecord::new(&probe),
                },
            );
        }
        Ok(Source { hash, probe })
    }

    /// Width, height and format of an image.
    pub fn meta(&self, path: &Path) -> Result<Probe, ImageError> {
        self.source(path).map(|s| s.probe)
    }

    /// The responsive variants of an image: every configured width up to its own (its own
    /// width too when that is smaller than the largest), in every configured format. SVGs and
    /// animated images get none: they are shown as they are.
    pub fn responsive(&self, path: &Path) -> Result<Responsive, ImageError> {
        let source = self.source(path)?;
        let probe = source.probe;
        if !matches!(probe.kind, Kind::Raster(_)) {
            return Ok(Responsive {
                probe,
                sets: Vec::new(),
            });
        }
        let mut widths: Vec<u32> = self
            .config
            .widths
            .iter()
            .copied()
            .filter(|&w| w <= probe.width)
            .collect();
        let largest = self.config.widths.iter().copied().max().unwrap_or(0);
        if probe.width < largest && !widths.contains(&probe.width) {
            widths.push(probe.width);
        }
        widths.sort_unstable();
        widths.dedup();
        let mut jobs = Vec::new();
        let mut sets = Vec::new();
        for &format in &self.config.formats {
            let format = format.for_alpha(probe.alpha);
            if sets.iter().any(|(f, _)| *f == format) {
                continue;
            }
            let mut variants = Vec::new();
            for &w in &widths {
                let plan = resize::plan(probe.width, probe.height, Op::Scale, Some(w), None);
                let (job, variant) = self.job(path, &source, plan, format, "scale");
                jobs.push(job);
                variants.push(variant);
            }
            sets.push((format, variants));
        }
        self.make(path, jobs)?;
        Ok(Responsive { probe, sets })
    }

    /// One variant for `image()`: `op` with `width` and/or `height`, in `format`.
    pub fn resized(
        &self,
        path: &Path,
        op: Op,
        width: Option<u32>,
        height: Option<u32>,
        format: Format,
    ) -> Result<Variant, ImageError> {
        let source = self.source(path)?;
        let probe = source.probe;
        if !matches!(probe.kind, Kind::Raster(_)) {
            return Err(ImageError::Argument(format!(
                "`{}` is {} and cannot be resized; link it as it is",
                path.display(),
                if probe.kind == Kind::Svg {
                    "an SVG"
                } else {
                    "animated"
                }
            )));
        }
        let plan = resize::plan(probe.width, probe.height, op, width, height);
        let op_name = match op {
            Op::Scale => "scale".to_string(),
            Op::Fit => "fit".to_string(),
            Op::Fill(f) => format!("fill{:.4},{:.4}", f.x, f.y),
        };
        let (job, variant) = self.job(path, &source, plan, format.for_alpha(probe.alpha), &op_name);
        self.make(path, vec![job])?;
        Ok(variant)
    }

    fn job(
        &self,
        path: &Path,
        source: &Source,
        plan: resize::Plan,
        format: Format,
        op: &str,
    ) -> (Job, Variant) {
        let key = blake3::hash(
            format!(
                "{PIPELINE_VERSION}|{}|{op}|{:?}|{}x{}|{:?}|{}|{}",
                source.hash,
                plan.crop,
                plan.width,
                plan.height,
                format,
                self.config.quality,
                self.config.keep_metadata
            )
            .as_bytes(),
        )
        .to_hex();
        let name = format!("{}.{}", &key[..20], format.extension());
        let output = format!(
            "{OUTPUT_DIR}/{}.{}.{}.{}",
            url_stem(path),
            &key[..10],
            plan.width,
            format.extension()
        );
        let variant = Variant {
            url: format!("{}/{output}", self.base_path),
            width: plan.width,
            height: plan.height,
            format,
        };
        let job = Job {
            plan,
            format,
            name,
            output,
        };
        (job, variant)
    }

    /// Makes the variants not yet cached (decoding the source once for all of them), and
    /// records every one as an output of this build.
    fn make(&self, path: &Path, jobs: Vec<Job>) -> Result<(), ImageError> {
        let mut missing = Vec::new();
        let mut slots = Vec::new();
        for job in &jobs {
            let slot = Arc::clone(lock(&self.variants).entry(job.name.clone()).or_default());
            if slot.get().is_none() {
                if let Some(file) = self.cache.get(&job.name) {
                    let _ = slot.set(Ok(file));
                } else {
                    missing.push(job);
                }
            }
            slots.push(slot);
        }
        if let (Some(worker), false) = (&self.background, missing.is_empty()) {
            worker.submit(path, missing.into_iter().cloned().collect(), &self.config);
        } else if !missing.is_empty() {
            let decoded = decode_for(path, &self.config)?;
            for job in missing {
                let Some(slot) = slots.iter().zip(&jobs).find(|(_, j)| j.name == job.name) else {
                    continue;
                };
                let made = slot
                    .0
                    .get_or_init(|| {
                        encode_job(path, &decoded, job, &self.config)
                            .and_then(|encoded| self.cache.put(&job.name, &encoded))
                            .map_err(Arc::new)
                    })
                    .clone();
                made.map_err(|e| clone_error(&e))?;
            }
        }
        let mut outputs = lock(&self.outputs);
        for (job, slot) in jobs.iter().zip(&slots) {
            if let Some(Ok(file)) = slot.get() {
                outputs.insert(job.output.clone(), file.clone());
            }
        }
        Ok(())
    }

    /// Every variant this build used: output path (relative to the output folder) → cached
    /// file to copy.
    pub fn outputs(&self) -> Vec<(String, PathBuf)> {
        lock(&self.outputs)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Saves the cache index; with `prune`, removes cached files this build did not use.
    pub fn finish(&self, prune: bool) -> Result<(), ImageError> {
        self.cache.finish(prune)
    }

    /// The bytes to publish for a copied image: without metadata unless `keep_metadata`.
    pub fn copy_bytes(&self, path: &Path) -> Result<Vec<u8>, ImageError> {
        let bytes = read(path)?;
        if self.config.keep_metadata {
            return Ok(bytes);
        }
        strip::strip(path, bytes)
    }
}

/// A source's pixels, decoded once for all of its variants, and the EXIF to keep (only with
/// `keep_metadata`).
struct Decoded {
    pixels: Pixels,
    exif: Option<Vec<u8>>,
}

fn decode_for(path: &Path, config: &ImagesConfig) -> Result<Decoded, ImageError> {
    let bytes = read(path)?;
    let exif = if config.keep_metadata {
        decode::exif(path, &bytes)
    } else {
        None
    };
    let pixels = Pixels::from_image(decode::decode(path, &bytes)?);
    Ok(Decoded { pixels, exif })
}

/// One variant's encoded bytes.
fn encode_job(
    path: &Path,
    decoded: &Decoded,
    job: &Job,
    config: &ImagesConfig,
) -> Result<Vec<u8>, ImageError> {
    let resized = resize::apply(path, &decoded.pixels, &job.plan)?;
    encode::encode(
        path,
        &resized,
        job.format,
        config.quality,
        decoded.exif.as_deref(),
    )
}

/// A file name part from the source's name: ASCII letters, digits, `-` and `_`.
fn url_stem(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    if clean.is_empty() {
        "image".to_string()
    } else {
        clean
    }
}

fn read(path: &Path) -> Result<Vec<u8>, ImageError> {
    std::fs::read(path).map_err(|source| ImageError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Errors are shared between the threads waiting on one source; each caller gets its own copy.
fn clone_error(e: &ImageError) -> ImageError {
    match e {
        ImageError::Read { path, source } => ImageError::Read {
            path: path.clone(),
            source: std::io::Error::new(source.kind(), source.to_string()),
        },
        ImageError::Unsupported { path } => ImageError::Unsupported { path: path.clone() },
        ImageError::TooLarge {
            path,
            width,
            height,
            max_side,
            max_megapixels,
        } => ImageError::TooLarge {
            path: path.clone(),
            width: *width,
            height: *height,
            max_side: *max_side,
            max_megapixels: *max_megapixels,
        },
        ImageError::Corrupt { path, reason } => ImageError::Corrupt {
            path: path.clone(),
            reason: reason.clone(),
        },
        ImageError::Svg { path, reason } => ImageError::Svg {
            path: path.clone(),
            reason: reason.clone(),
        },
        ImageError::Encode {
            path,
            format,
            reason,
        } => ImageError::Encode {
            path: path.clone(),
            format,
            reason: reason.clone(),
        },
        ImageError::Cache { path, source } => ImageError::Cache {
            path: path.clone(),
            source: std::io::Error::new(source.kind(), source.to_string()),
        },
        ImageError::Argument(m) => ImageError::Argument(m.clone()),
    }
}
