//! The template engine: parses every template once into a Tera 2 instance and registers ludd's
//! functions (`url`, `asset`, `t`) and filters (`date`, `urlencode`). Tera errors become
//! diagnostics naming the template file and line.

use crate::error::{Diagnostic, Error, Result};
use crate::load::theme::{TemplateSource, UiStrings};
use crate::model::Site;
use crate::render::warnings::Warnings;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use tera::{Kwargs, State, Tera, TeraResult};

/// The parsed templates plus where each came from.
pub struct Templates {
    /// The engine.
    pub tera: Tera,
    /// Template name → file (for messages).
    pub files: HashMap<String, PathBuf>,
}

impl Templates {
    /// Parses `sources` and registers the site's functions. `fingerprinted`: `asset()` links
    /// the fingerprinted copies of static files (a build) rather than `?h=` URLs (the preview).
    pub fn new(
        site: &Arc<Site>,
        assets: Arc<AssetHashes>,
        warnings: &Warnings,
        fingerprinted: bool,
    ) -> Result<Templates> {
        let files: HashMap<String, PathBuf> = site
            .theme
            .templates
            .iter()
            .map(|t| (t.name.clone(), t.path.clone()))
            .collect();
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        register(&mut tera, site, assets, warnings, fingerprinted);
        let sources: Vec<&TemplateSource> = site.theme.templates.iter().collect();
        tera.add_raw_templates(sources.iter().map(|t| (t.name.as_str(), t.text.as_str())))
            .map_err(|e| tera_error(&e, &files))?;
        Ok(Templates { tera, files })
    }

    /// Whether a template exists.
    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// Renders `name` with `context`.
    pub fn render(&self, name: &str, context: &tera::Context) -> Result<String> {
        self.tera
            .render(name, context)
            .map_err(|e| tera_error(&e, &self.files))
    }
}

/// Converts a Tera error into a diagnostic that names the template file and line.
pub fn tera_error(e: &tera::Error, files: &HashMap<String, PathBuf>) -> Error {
    use std::error::Error as _;
    let file = |name: &str| {
        files
            .get(name)
            .cloned()
            .unwrap_or_else(|| PathBuf::from(format!("templates/{name}")))
    };
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
                Ok((
                    f.rel_path.clone(),
                    hash[..super::hosting::HASH_DIGITS].to_string(),
                ))
            })
            .collect::<Result<BTreeMap<_, _>>>()?;
        Ok(AssetHashes(hashes))
    }
}

fn current_lang(state: &State) -> String {
    state
        .get::<String>("lang")
        .ok()
        .flatten()
        .unwrap_or_default()
}

fn register(
    tera: &mut Tera,
    site: &Arc<Site>,
    assets: Arc<AssetHashes>,
    warnings: &Warnings,
    fingerprinted: bool,
) {
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
    // A built site links each static file's fingerprinted copy, which hosts may cache forever
    // (see `hosting`). The preview server keeps the plain name with `?h=<hash>`: its live
    // reload swaps style sheets by that query and compares pages without it.
    tera.register_function(
        "asset",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            let absolute: bool = kwargs.get("absolute")?.unwrap_or(false);
            let clean = path.trim_start_matches('/');
            let base = if absolute { base_url.as_str() } else { "" };
            match assets.0.get(clean) {
                Some(hash) if !fingerprinted => Ok(format!("{base}/{clean}?h={hash}")),
                Some(hash) => Ok(format!(
                    "{base}/{}",
                    super::hosting::fingerprinted_path(clean, hash)
                )),
                None => Err(tera::Error::message(format!(
                    "asset `{path}` not found in static/ (theme or site)"
                ))),
            }
        },
    );
    let ui = Arc::new(site.theme.ui_strings.clone());
    let default = site.config.default_language.clone();
    let w = warnings.clone();
    let strings = Arc::clone(&ui);
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
    let w = warnings.clone();
    tera.register_filter(
        "date",
        move |value: String, kwargs: Kwargs, state: &State| -> TeraResult<String> {
            let format: String = kwargs
                .get("format")?
                .unwrap_or_else(|| "%Y-%m-%d".to_string());
            let date = crate::load::front_matter::Date::parse(&value)
                .ok_or_else(|| tera::Error::message(format!("`{value}` is not a date")))?;
            let lang = current_lang(state);
            if format == "long" {
                return Ok(long_date(&date, &lang, |k| {
                    ui_string(&ui, &default, &lang, k, &w)
                }));
            }
            let mut out = String::new();
            jiff::fmt::strtime::format(
                format.as_str(),
                &date.timestamp.to_zoned(jiff::tz::TimeZone::UTC),
            )
            .map(|s| out.push_str(&s))
            .map_err(|e| tera::Error::message(format!("bad date format `{format}`: {e}")))?;
            Ok(out)
        },
    );
    tera.register_filter(
        "urlencode",
        |value: String, _: Kwargs, _: &State| -> String {
            crate::render::escape::url_component(&value)
        },
    );
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
        warnings.once(format!(
            "i18n/{lang}.toml: UI string `{key}` is missing; using the {default} text"
        ));
        return s.clone();
    }
    warnings.once(format!(
        "i18n/{default}.toml: UI string `{key}` is missing in every language; showing the key"
    ));
    key.to_string()
}

/// `28. Oktober 2025` / `October 28, 2025` / `28 octobre 2025`, month names from UI strings.
pub fn long_date(
    date: &crate::load::front_matter::Date,
    lang: &str,
    ui: impl Fn(&str) -> String,
) -> String {
    let d = date.timestamp.to_zoned(jiff::tz::TimeZone::UTC).date();
    let month = ui(&format!("month.{}", d.month()));
    match lang.split('-').next().unwrap_or(lang) {
        "en" => format!("{month} {}, {}", d.day(), d.year()),
        "de" => format!("{}. {month} {}", d.day(), d.year()),
        _ => format!("{} {month} {}", d.day(), d.year()),
    }
}

/// `@/file.md` → that document's URL in `lang` (default language as fallback);
/// a plain path gets the language's prefix.
pub fn resolve_url(site: &Site, path: &str, lang: &str) -> std::result::Result<String, String> {
    let lang_index = site
        .languages
        .iter()
        .position(|l| l.code == lang)
        .unwrap_or(0);
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
