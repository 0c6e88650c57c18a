//! The template engine: parses every template once into a Tera 2 instance and registers ludd's
//! functions (`url`, `asset`, `t`) and filters (`date`, `num`, `urlencode`). Owns the names of the
//! templates ludd renders ([`TemplateName`]), the fingerprint of each template (its text with
//! everything it pulls in) and of the environment the functions read, the `?h=` preview asset
//! URL format ([`preview_asset_url`], [`strip_preview_hashes`]). Tera errors become diagnostics
//! naming the template file and line.

use crate::error::{Diagnostic, Error, Result};
use crate::hash::hash_of;
use crate::load::theme::{TemplateSource, UiStrings};
use crate::model::Site;
use crate::render::locale::Locales;
use crate::render::warnings::{Warning, Warnings};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use tera::{Kwargs, State, Tera, TeraResult, Value};

/// The templates ludd renders by name (front matter's `template` may name any other).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TemplateName {
    /// The home page of a language.
    Index,
    /// Any other section.
    Section,
    /// A page.
    Page,
    /// A taxonomy's list of terms.
    TaxonomyList,
    /// One term's pages.
    TaxonomySingle,
    /// A 404 page.
    NotFound,
    /// The language chooser at `/` (optional: a built-in page stands in).
    LanguageChooser,
}

impl TemplateName {
    /// The template's file name.
    pub const fn file(self) -> &'static str {
        match self {
            TemplateName::Index => "index.html",
            TemplateName::Section => "section.html",
            TemplateName::Page => "page.html",
            TemplateName::TaxonomyList => "taxonomy_list.html",
            TemplateName::TaxonomySingle => "taxonomy_single.html",
            TemplateName::NotFound => "404.html",
            TemplateName::LanguageChooser => "language_chooser.html",
        }
    }
}

impl std::fmt::Display for TemplateName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.file())
    }
}

/// Folder of the shortcode templates, inside the templates folder.
pub const SHORTCODES: &str = "shortcodes/";

/// Hex digits of a static file's content hash in asset URLs (`?h=` and fingerprinted names).
pub const ASSET_HASH_DIGITS: usize = 10;

/// The preview's URL of static file `clean` with content hash `hash`: the plain name with
/// `?h=<hash>`, by which the live reload swaps style sheets.
pub fn preview_asset_url(base: &str, clean: &str, hash: &str) -> String {
    format!("{base}/{clean}?h={hash}")
}

/// `bytes` with every `?h=` followed by [`ASSET_HASH_DIGITS`] hex digits (what
/// [`preview_asset_url`] appends) removed.
pub fn strip_preview_hashes(bytes: &[u8]) -> Vec<u8> {
    const MARK: &[u8] = b"?h=";
    const DIGITS: usize = ASSET_HASH_DIGITS;
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(MARK)
            && rest.len() >= MARK.len() + DIGITS
            && rest[MARK.len()..MARK.len() + DIGITS]
                .iter()
                .all(u8::is_ascii_hexdigit)
            && rest
                .get(MARK.len() + DIGITS)
                .is_none_or(|b| !b.is_ascii_hexdigit())
        {
            i += MARK.len() + DIGITS;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The parsed templates plus where each came from.
pub struct Templates {
    /// The engine.
    pub tera: Tera,
    /// Template name → file (for messages).
    pub files: HashMap<String, PathBuf>,
    /// Template name → fingerprint (see [`template_fingerprints`]).
    fingerprints: HashMap<String, u64>,
    /// Template name → the output buffer to start a rendering with (as Tera sizes its own).
    size_hints: HashMap<String, usize>,
    /// See [`Templates::environment`]: without and with the document URLs.
    environment: (u64, u64),
    /// The image processor behind `image()` and the Markdown `<picture>`s.
    pub images: Arc<crate::render::images::Images>,
    /// The static files `asset()` linked by their fingerprinted names so far.
    pub linked_assets: Arc<LinkedAssets>,
}

/// The static files that `asset()` linked by their fingerprinted names (a build, not the
/// preview): only these get a fingerprinted copy, so a large download in `static/` that no
/// template links that way is written once. Filled while templates render; read after every
/// output was rendered.
#[derive(Debug, Default)]
pub struct LinkedAssets(std::sync::Mutex<std::collections::BTreeSet<String>>);

impl LinkedAssets {
    fn note(&self, rel_path: &str) {
        if let Ok(mut linked) = self.0.lock()
            && !linked.contains(rel_path)
        {
            linked.insert(rel_path.to_string());
        }
    }

    /// Whether static file `rel_path` was linked.
    pub fn contains(&self, rel_path: &str) -> bool {
        self.0.lock().is_ok_and(|l| l.contains(rel_path))
    }

    /// Notes every file `earlier` noted: an incremental rebuild renders only what changed,
    /// so the files linked by the outputs it keeps are known only from the rendering before.
    pub fn keep(&self, earlier: &LinkedAssets) {
        let earlier = earlier.0.lock().map(|l| l.clone()).unwrap_or_default();
        if let Ok(mut linked) = self.0.lock() {
            linked.extend(earlier);
        }
    }
}

impl Templates {
    /// Parses `sources` and registers the site's functions. `fingerprinted`: `asset()` links
    /// the fingerprinted copies of static files (a build) rather than `?h=` URLs (the preview).
    pub fn new(
        site: &Arc<Site>,
        assets: Arc<AssetHashes>,
        warnings: &Warnings,
        fingerprinted: bool,
        images: Arc<crate::render::images::Images>,
    ) -> Result<Templates> {
        let files: HashMap<String, PathBuf> = site
            .theme
            .templates
            .iter()
            .map(|t| (t.name.clone(), t.path.clone()))
            .collect();
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        let environment = environment(site, &assets, fingerprinted);
        let linked_assets = Arc::new(LinkedAssets::default());
        let functions = Functions {
            assets,
            linked: fingerprinted.then(|| Arc::clone(&linked_assets)),
        };
        register(&mut tera, site, functions, warnings);
        crate::render::images::functions::register(&mut tera, site, &images);
        let sources: Vec<&TemplateSource> = site.theme.templates.iter().collect();
        tera.add_raw_templates(sources.iter().map(|t| (t.name.as_str(), t.text.as_str())))
            .map_err(|e| tera_error(&e, &files))?;
        Ok(Templates {
            tera,
            files,
            fingerprints: template_fingerprints(&site.theme.templates),
            size_hints: site
                .theme
                .templates
                .iter()
                .map(|t| (t.name.clone(), (t.text.len() * 2).next_power_of_two()))
                .collect(),
            environment,
            images,
            linked_assets,
        })
    }

    /// The fingerprint of template `name`: its text, everything it extends, includes or imports
    /// (transitively) and every template that defines components. 0 when there is no such
    /// template.
    pub fn fingerprint(&self, name: &str) -> u64 {
        self.fingerprints.get(name).copied().unwrap_or(0)
    }

    /// The fingerprints of the shortcode templates, by name.
    pub fn shortcode_fingerprints(&self) -> Vec<(&str, u64)> {
        let mut out: Vec<(&str, u64)> = self
            .fingerprints
            .iter()
            .filter(|(k, _)| k.starts_with(SHORTCODES))
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        out.sort_unstable();
        out
    }

    /// The fingerprint of everything the registered functions and filters read besides their
    /// arguments and the context: UI strings (`t`, `date`), static file hashes and the asset URL
    /// style (`asset`), `base_url`, the languages and every document's URL and translations
    /// (`url`). A function that reads more must add it in [`environment`].
    pub fn environment(&self) -> u64 {
        hash_of(&self.environment)
    }

    /// [`Templates::environment`] without the document URLs, for shortcodes: a Markdown
    /// document is rendered again when its own links resolve differently (see
    /// [`super::render_markdown`]), not whenever any URL of the site changes.
    pub fn environment_without_urls(&self) -> u64 {
        self.environment.0
    }

    /// Whether a template exists.
    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// Renders `name` with `context`, refusing to produce more than [`MAX_OUTPUT`] bytes.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String> {
        let mut out = CappedOutput {
            bytes: Vec::with_capacity(self.size_hints.get(name).copied().unwrap_or(0)),
            exceeded: false,
        };
        match self.tera.render_to(name, context, &mut out) {
            Ok(()) => String::from_utf8(out.bytes).map_err(|_| {
                Diagnostic::new(self.file(name), "template output is not valid UTF-8").into()
            }),
            Err(_) if out.exceeded => Err(Diagnostic::new(
                self.file(name),
                format!(
                    "template `{name}` produced more than {} MB of output, so its rendering was stopped",
                    MAX_OUTPUT >> 20
                ),
            )
            .with_help(
                "look for a loop that runs away (two nested `range(end=100000)` loops write billions of characters); a page is rarely more than a few hundred kB",
            )
            .into()),
            Err(e) => Err(tera_error(&e, &self.files)),
        }
    }

    /// The file template `name` was read from, for messages.
    fn file(&self, name: &str) -> PathBuf {
        template_file(&self.files, name)
    }
}

/// The most bytes one rendering of a template may produce: pages are kilobytes, and a runaway
/// loop would otherwise fill the memory until the process is aborted (taking `ludd serve`
/// down with it).
pub const MAX_OUTPUT: usize = 64 << 20;

/// A rendering's output, refusing writes past [`MAX_OUTPUT`].
struct CappedOutput {
    bytes: Vec<u8>,
    /// Whether a write was refused.
    exceeded: bool,
}

impl std::io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT {
            self.exceeded = true;
            return Err(std::io::Error::other("template output limit reached"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The file template `name` was read from (`templates/<name>` when unknown).
fn template_file(files: &HashMap<String, PathBuf>, name: &str) -> PathBuf {
    files
        .get(name)
        .cloned()
        .unwrap_or_else(|| PathBuf::from(format!("templates/{name}")))
}

/// Converts a Tera error into a diagnostic that names the template file and line.
pub fn tera_error(e: &tera::Error, files: &HashMap<String, PathBuf>) -> Error {
    use std::error::Error as _;
    let file = |name: &str| template_file(files, name);
    let mut cause = e.source().map(|s| format!(": {s}")).unwrap_or_default();
    if cause.len() > 400 {
        cause.truncate(400);
    }
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Diagnostic::new(
            file(r.filename()),
            format!("template error: {}{cause}", r.message()),
        )
        .at_line(r.span().start_line)
        .with_help("fix the template; `x?.y` and `| default(value=…)` guard optional values")
        .into(),
        tera::ErrorKind::MissingParent { current, parent } => Diagnostic::new(
            file(current),
            format!("extends `{parent}`, which does not exist"),
        )
        .with_help("check the name in {% extends %}")
        .into(),
        tera::ErrorKind::TemplateNotFound(name) => {
            Diagnostic::new(file(name), format!("template `{name}` not found"))
                .with_help("add the template to your theme or templates/ folder")
                .into()
        }
        other => Diagnostic::new("templates", format!("template error: {other}{cause}")).into(),
    }
}

/// Content hashes of static files, for cache-busting URLs.
#[derive(Debug, Default)]
pub struct AssetHashes(pub BTreeMap<String, String>);

impl AssetHashes {
    /// Hashes every static file of the site (blake3, first 10 hex digits).
    pub fn compute(site: &Site) -> Result<AssetHashes> {
        use rayon::prelude::*;
        let hashes = site
            .theme
            .static_files
            .par_iter()
            .map(|f| {
                // Streamed: a large static file is never held in memory whole.
                let hash = crate::load::files::open(&f.source)
                    .and_then(|file| {
                        blake3::Hasher::new()
                            .update_reader(file)
                            .map(|h| h.finalize())
                    })
                    .map_err(|e| Error::read(&f.source, e))?
                    .to_hex();
                Ok((f.rel_path.clone(), hash[..ASSET_HASH_DIGITS].to_string()))
            })
            .collect::<Result<BTreeMap<_, _>>>()?;
        Ok(AssetHashes(hashes))
    }
}

/// See [`Templates::environment`]; computed from what [`register`] hands to the functions:
/// (everything but the document URLs, the document URLs).
fn environment(site: &Site, assets: &AssetHashes, fingerprinted: bool) -> (u64, u64) {
    let mut h = DefaultHasher::new();
    (&site.theme.ui_strings, &assets.0, fingerprinted).hash(&mut h);
    (&site.config.base_url, &site.config.default_language).hash(&mut h);
    // `image()` and `image_meta()` read image files: static ones are in the asset hashes
    // above, content files are stamped here.
    crate::render::images::functions::environment(site).hash(&mut h);
    for l in &site.languages {
        (&l.code, &l.prefix).hash(&mut h);
    }
    let mut urls = DefaultHasher::new();
    for d in &site.docs {
        (&d.source.rel_path, &d.url, &d.translations).hash(&mut urls);
    }
    (h.finish(), urls.finish())
}

/// Templates named in `{% extends %}` / `{% include %}` / `{% import %}` tags of `text`.
pub fn referenced_templates(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{%") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find("%}") else { break };
        let tag = rest[..end].trim().trim_start_matches('-').trim_start();
        for keyword in ["extends", "include", "import"] {
            if let Some(args) = tag.strip_prefix(keyword) {
                for quote in ['"', '\''] {
                    let mut parts = args.split(quote);
                    parts.next();
                    if let Some(name) = parts.next() {
                        out.push(name.to_string());
                        break;
                    }
                }
            }
        }
        rest = &rest[end..];
    }
    out
}

/// Per template name: a hash of its text, the templates it extends, includes or imports
/// (transitively) and every template that defines components (they can be used from anywhere).
pub fn template_fingerprints(templates: &[TemplateSource]) -> HashMap<String, u64> {
    let by_name: HashMap<&str, &TemplateSource> =
        templates.iter().map(|t| (t.name.as_str(), t)).collect();
    let components: Vec<&str> = templates
        .iter()
        .filter(|t| t.text.contains("{% component") || t.text.contains("{%- component"))
        .map(|t| t.text.as_str())
        .collect();
    let components_hash = hash_of(&components);
    templates
        .iter()
        .map(|t| {
            let mut seen: HashSet<&str> = HashSet::new();
            let mut stack = vec![t.name.as_str()];
            let mut h = DefaultHasher::new();
            components_hash.hash(&mut h);
            while let Some(name) = stack.pop() {
                if !seen.insert(name) {
                    continue;
                }
                name.hash(&mut h);
                match by_name.get(name) {
                    Some(src) => {
                        src.text.hash(&mut h);
                        for r in referenced_templates(&src.text) {
                            if let Some((k, _)) = by_name.get_key_value(r.as_str()) {
                                stack.push(k);
                            } else {
                                r.hash(&mut h);
                            }
                        }
                    }
                    None => 0u8.hash(&mut h),
                }
            }
            (t.name.clone(), h.finish())
        })
        .collect()
}

fn current_lang(state: &State) -> String {
    state
        .get::<String>("lang")
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// What `asset()` reads and notes.
struct Functions {
    /// The static files' content hashes.
    assets: Arc<AssetHashes>,
    /// Where to note the files linked by fingerprinted name; `None`: link `?h=` URLs (the
    /// preview).
    linked: Option<Arc<LinkedAssets>>,
}

fn register(tera: &mut Tera, site: &Arc<Site>, functions: Functions, warnings: &Warnings) {
    let Functions { assets, linked } = functions;
    let s = Arc::clone(site);
    tera.register_function(
        "url",
        move |kwargs: Kwargs, state: &State| -> TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            let lang: Option<String> = kwargs.get("lang")?;
            let absolute: bool = kwargs.get("absolute")?.unwrap_or(false);
            let lang = lang.unwrap_or_else(|| current_lang(state));
            let url = resolve_url(&s, &path, &lang).map_err(tera::Error::message)?;
            Ok(if absolute { s.permalink(&url) } else { url })
        },
    );
    let base_url = site.config.base_url.clone();
    let base_path = site.config.base_path().to_string();
    // A built site links each static file's fingerprinted copy, which hosts may cache forever
    // (see `hosting`). The preview server keeps the plain name with `?h=<hash>`: its live
    // reload swaps style sheets by that query and compares pages without it.
    tera.register_function(
        "asset",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            let absolute: bool = kwargs.get("absolute")?.unwrap_or(false);
            let clean = path.trim_start_matches('/');
            let base = if absolute {
                base_url.as_str()
            } else {
                base_path.as_str()
            };
            match (assets.0.get(clean), &linked) {
                (Some(hash), None) => Ok(preview_asset_url(base, clean, hash)),
                (Some(hash), Some(linked)) => {
                    linked.note(clean);
                    Ok(format!(
                        "{base}/{}",
                        super::hosting::fingerprinted_path(clean, hash)
                    ))
                }
                (None, _) => Err(tera::Error::message(format!(
                    "asset `{path}` not found in static/ (theme or site)"
                ))),
            }
        },
    );
    let strings = Arc::new(site.theme.ui_strings.clone());
    let default = site.config.default_language.clone();
    let w = warnings.clone();
    let default_lang = default.clone();
    tera.register_function(
        "t",
        move |kwargs: Kwargs, state: &State| -> TeraResult<String> {
            let key: String = kwargs.must_get("key")?;
            let lang: Option<String> = kwargs.get("lang")?;
            let lang = lang.unwrap_or_else(|| current_lang(state));
            Ok(ui_string(&strings, &default_lang, &lang, &key, &w))
        },
    );
    let locales = Arc::new(Locales::new(site.languages.iter().map(|l| l.code.as_str())));
    let dates = Arc::clone(&locales);
    let default_lang = default.clone();
    tera.register_filter(
        "date",
        move |value: String, kwargs: Kwargs, state: &State| -> TeraResult<String> {
            let format: String = kwargs
                .get("format")?
                .unwrap_or_else(|| "%Y-%m-%d".to_string());
            // The common case, a listing's plain dates in ISO form, is the value as it is.
            if format == "%Y-%m-%d" && is_plain_date(&value) {
                return Ok(value);
            }
            let date = crate::load::front_matter::Date::parse(&value)
                .ok_or_else(|| tera::Error::message(format!("`{value}` is not a date")))?;
            // A datetime written with an offset (`2026-02-12T19:00:00+01:00`, an event in a data
            // file) shows the date and wall-clock time as written; a date or a UTC time in UTC.
            let local = value
                .get(..19)
                .filter(|_| value.len() > 19 && !value.ends_with('Z'))
                .and_then(|v| v.parse::<jiff::civil::DateTime>().ok());
            if format == "long" {
                let day = local
                    .map(|c| c.date())
                    .unwrap_or_else(|| date.timestamp.to_zoned(jiff::tz::TimeZone::UTC).date());
                let lang = current_lang(state);
                return dates
                    .long_date(&lang, day)
                    .or_else(|| dates.long_date(&default_lang, day))
                    .ok_or_else(|| tera::Error::message(format!("`{value}` is not a date")));
            }
            let mut out = String::new();
            let formatted = match local {
                Some(civil) => jiff::fmt::strtime::format(format.as_str(), civil),
                None => jiff::fmt::strtime::format(
                    format.as_str(),
                    &date.timestamp.to_zoned(jiff::tz::TimeZone::UTC),
                ),
            };
            formatted
                .map(|s| out.push_str(&s))
                .map_err(|e| tera::Error::message(format!("bad date format `{format}`: {e}")))?;
            Ok(out)
        },
    );
    let default_lang = default;
    tera.register_filter(
        "num",
        move |value: Value, _: Kwargs, state: &State| -> TeraResult<String> {
            // A number, or a string holding one (front matter and data often give strings).
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string);
            let lang = current_lang(state);
            locales
                .number(&lang, &text)
                .or_else(|| locales.number(&default_lang, &text))
                .ok_or_else(|| tera::Error::message(format!("`{text}` is not a number")))
        },
    );
    tera.register_filter(
        "urlencode",
        |value: String, _: Kwargs, _: &State| -> String {
            crate::render::escape::url_component(&value)
        },
    );
}

/// Whether `value` is a calendar date written `YYYY-MM-DD` and nothing else.
fn is_plain_date(value: &str) -> bool {
    value.len() == 10 && value.parse::<jiff::civil::Date>().is_ok()
}

/// A UI string in `lang`, falling back to the default language (and then to the key) with one
/// warning per key and language.
pub fn ui_string(
    strings: &UiStrings,
    default: &str,
    lang: &str,
    key: &str,
    warnings: &Warnings,
) -> String {
    if let Some(s) = strings.get(lang).and_then(|m| m.get(key)) {
        return s.clone();
    }
    if let Some(s) = strings.get(default).and_then(|m| m.get(key)) {
        warnings.once(Warning::UiStringFallback {
            lang: lang.to_string(),
            key: key.to_string(),
            default: default.to_string(),
        });
        return s.clone();
    }
    warnings.once(Warning::UiStringNowhere {
        key: key.to_string(),
        default: default.to_string(),
    });
    key.to_string()
}

/// `@/file.md` → that document's URL in `lang` (default language as fallback);
/// a plain path gets the language's prefix.
pub fn resolve_url(site: &Site, path: &str, lang: &str) -> std::result::Result<String, String> {
    let lang_index = site
        .each_language()
        .find(|(_, l)| l.code == lang)
        .map_or(Site::DEFAULT_LANGUAGE, |(i, _)| i);
    if let Some(rel) = path.strip_prefix("@/") {
        let (file, fragment) = match rel.split_once('#') {
            Some((f, frag)) => (f, Some(frag)),
            None => (rel, None),
        };
        let id = site
            .by_path
            .get(file)
            .copied()
            .ok_or_else(|| format!("no content file `{file}`"))?;
        let mut url = site.docs[site.in_language(id, lang_index)].url.clone();
        if let Some(f) = fragment {
            url.push('#');
            url.push_str(f);
        }
        return Ok(url);
    }
    if path.contains("://") || path.starts_with("mailto:") {
        return Ok(path.to_string());
    }
    let prefix = &site.languages[lang_index].prefix;
    let clean = path.trim_start_matches('/');
    Ok(format!("{prefix}/{clean}"))
}
