//! `site.toml`: the site's configuration, parsed strictly (unknown keys are errors) and validated.

use crate::error::{Diagnostic, Error, Result};
use crate::load::keys::{line_of_offset, serde_diagnostic};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The config file's name in the site root.
pub const CONFIG_FILE: &str = crate::layout::CONFIG_FILE;

/// Text direction of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Left to right.
    #[default]
    Ltr,
    /// Right to left.
    Rtl,
}

impl Direction {
    /// `ltr` or `rtl`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// `[languages.<code>]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LanguageConfig {
    /// The language's own name ("Deutsch").
    pub name: Option<String>,
    /// `ltr` or `rtl`.
    #[serde(default)]
    pub direction: Direction,
    /// Site title in this language.
    pub title: Option<String>,
    /// Site description in this language.
    pub description: Option<String>,
    /// Untranslated pages show in this language's listings in the default language.
    #[serde(default)]
    pub fallback: bool,
    /// Per-language extra data, merged over the top-level `[extra]`.
    #[serde(default)]
    pub extra: toml::Table,
    /// The folder under `content/` that holds this language's files (Hugo's `contentDir`,
    /// `content/fa/…`): everything in it is in this language, laid out like `content/` itself.
    #[serde(default)]
    pub content_dir: Option<String>,
    /// Menus of this language; each replaces the top-level menu of the same name.
    #[serde(default)]
    pub menus: MenusConfig,
    /// This language's taxonomies, replacing the top-level list (as Zola's
    /// `[languages.fr] taxonomies = […]`); absent: the top-level list.
    #[serde(default)]
    pub taxonomies: Option<Vec<TaxonomyConfig>>,
}

/// One menu entry (`[[menus.main]]`): a page of the site or a URL, with a label and a weight.
#[derive(Debug, Clone, Deserialize, PartialEq, Hash)]
#[serde(deny_unknown_fields)]
pub struct MenuEntryConfig {
    /// A content file (`@/about.md`), linked in the menu's language (default language as fallback).
    pub page: Option<String>,
    /// A URL used as it is (`https://…` or a root-relative path).
    pub url: Option<String>,
    /// The label, as written.
    pub name: Option<String>,
    /// A UI-string key for the label, looked up in the menu's language.
    pub key: Option<String>,
    /// Order: lower first; entries without a weight follow in the order written.
    pub weight: Option<i64>,
}

/// Menus by name (`main`, `footer`, …), entries in the order written.
pub type MenusConfig = std::collections::BTreeMap<String, Vec<MenuEntryConfig>>;

/// Problems of the menu entries of one menus table; `at` names the table in messages.
fn menu_problems(menus: &MenusConfig, at: &str, text: &str) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (name, entries) in menus {
        let header = format!("[[{at}.{name}]]");
        let headers: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with(&header))
            .map(|(i, _)| i + 1)
            .collect();
        let line = headers.first().copied();
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_name {
            problems.push(
                Diagnostic::new(CONFIG_FILE, format!("menu name `{name}` cannot be used"))
                    .at_optional_line(line)
                    .with_help("use letters, digits, - and _, like [[menus.main]]"),
            );
        }
        for (i, e) in entries.iter().enumerate() {
            let entry = format!("[[{at}.{name}]] entry {}", i + 1);
            let line = headers.get(i).copied().or(line);
            match (&e.page, &e.url) {
                (Some(_), Some(_)) | (None, None) => problems.push(
                    Diagnostic::new(CONFIG_FILE, format!("{entry} needs exactly one of `page` and `url`"))
                        .at_optional_line(line)
                        .with_help("link a content file with page = \"@/about.md\", or anything else with url = \"https://…\""),
                ),
                (Some(page), None) if !page.starts_with("@/") => problems.push(
                    Diagnostic::new(CONFIG_FILE, format!("{entry}: page `{page}` does not start with @/"))
                        .at_optional_line(line)
                        .with_help(format!("name the content file from content/, like page = \"@/{}\"", page.trim_start_matches('/'))),
                ),
                (None, Some(_)) if e.name.is_none() && e.key.is_none() => problems.push(
                    Diagnostic::new(CONFIG_FILE, format!("{entry} has a url but no label"))
                        .at_optional_line(line)
                        .with_help("add name = \"…\" or a UI-string key = \"…\""),
                ),
                _ => {}
            }
            if e.name.is_some() && e.key.is_some() {
                problems.push(
                    Diagnostic::new(CONFIG_FILE, format!("{entry} has both `name` and `key`"))
                        .at_optional_line(line)
                        .with_help("keep one: name is shown as written, key is a UI string translated per language"),
                );
            }
        }
    }
    problems
}

/// `[languages.*]` tables in the order they are written.
#[derive(Debug, Clone, Default)]
pub struct Languages(pub Vec<(String, LanguageConfig)>);

impl Languages {
    /// The language with `code`.
    pub fn get(&self, code: &str) -> Option<&LanguageConfig> {
        self.0.iter().find(|(c, _)| c == code).map(|(_, l)| l)
    }

    /// Whether `code` is configured.
    pub fn contains_key(&self, code: &str) -> bool {
        self.get(code).is_some()
    }

    /// Codes in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(c, _)| c)
    }

    /// Whether none is configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de> Deserialize<'de> for Languages {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Ordered;
        impl<'de> serde::de::Visitor<'de> for Ordered {
            type Value = Languages;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of languages, like [languages.de]")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Languages, A::Error> {
                let mut out = Vec::new();
                while let Some((code, lang)) = map.next_entry::<String, LanguageConfig>()? {
                    out.push((code, lang));
                }
                Ok(Languages(out))
            }
        }
        d.deserialize_map(Ordered)
    }
}

/// One taxonomy (`[[taxonomies]]`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyConfig {
    /// Front matter key, in any case (`tags`, `Tags`; front matter may write it in any case
    /// too); its slug is the URL segment (`/tags/`) and the folder of its term pages
    /// (`content/tags/<term>/_index.md`).
    pub name: String,
    /// Terms' pages per listing page.
    pub paginate_by: Option<usize>,
    /// Whether each term gets an Atom feed.
    #[serde(default = "yes")]
    pub feed: bool,
}

/// One iCalendar output (`[[calendars]]`): the events of a data file as `.ics` files.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// Dotted key of the events list in `data` (`"events"` for `data/events.yaml`).
    pub data: String,
    /// Output folder below each language's root: one `<id>.ics` per event and `all.ics`.
    pub path: String,
    /// Calendar name shown by calendar apps (default: the language's site title).
    #[serde(default)]
    pub name: Option<String>,
}

/// `[markdown]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    /// Typographic quotes, dashes and ellipses.
    #[serde(default = "yes")]
    pub smart_punctuation: bool,
    /// Sanitise raw HTML in Markdown (for content from untrusted authors).
    #[serde(default)]
    pub safe: bool,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            smart_punctuation: true,
            safe: false,
        }
    }
}

/// Largest width or height of an image ludd processes.
pub const MAX_IMAGE_SIDE: u32 = 20_000;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    /// Lossy WebP (lossless when the source is a PNG with transparency).
    Webp,
    /// JPEG for opaque images; an image with transparency gets PNG instead.
    Jpeg,
    /// PNG.
    Png,
}

/// `[images]` in `site.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ImagesConfig {
    /// Widths of the responsive variants, in pixels (never larger than the source).
    #[serde(default = "default_widths")]
    pub widths: Vec<u32>,
    /// Formats offered, best first; the last is the `<img>` fallback.
    #[serde(default = "default_formats")]
    pub formats: Vec<ImageFormat>,
    /// Quality of the lossy formats, 1–100.
    #[serde(default = "default_quality")]
    pub quality: u8,
    /// The `sizes` attribute of responsive images: how wide the image is shown.
    #[serde(default = "default_sizes")]
    pub sizes: String,
    /// Keep EXIF/XMP/IPTC (GPS positions, camera serial numbers) in copied and processed images.
    #[serde(default)]
    pub keep_metadata: bool,
    /// Process images referenced from Markdown (false: leave `<img>` as written).
    #[serde(default = "yes")]
    pub responsive: bool,
}

fn default_widths() -> Vec<u32> {
    vec![480, 800, 1200, 1600]
}
fn default_formats() -> Vec<ImageFormat> {
    vec![ImageFormat::Webp, ImageFormat::Jpeg]
}
fn default_quality() -> u8 {
    80
}
fn default_sizes() -> String {
    "(max-width: 50rem) 100vw, 50rem".to_string()
}

impl Default for ImagesConfig {
    fn default() -> Self {
        ImagesConfig {
            widths: default_widths(),
            formats: default_formats(),
            quality: default_quality(),
            sizes: default_sizes(),
            keep_metadata: false,
            responsive: true,
        }
    }
}

impl ImagesConfig {
    /// Problems with the values, as (key, message).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.widths.is_empty() || self.widths.iter().any(|&w| w == 0 || w > MAX_IMAGE_SIDE) {
            out.push((
                "images.widths",
                format!(
                    "images.widths must list widths between 1 and {} pixels",
                    MAX_IMAGE_SIDE
                ),
            ));
        }
        if self.formats.is_empty() {
            out.push(("images.formats", "images.formats is empty".to_string()));
        }
        if !(1..=100).contains(&self.quality) {
            out.push((
                "images.quality",
                "images.quality must be between 1 and 100".to_string(),
            ));
        }
        out
    }
}

/// `[budget]`: limits the site should stay within.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BudgetConfig {
    /// Most kilobytes (gzip) one page may transfer with everything it loads.
    #[serde(default = "default_page_kb")]
    pub page_kb: u64,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        BudgetConfig {
            page_kb: default_page_kb(),
        }
    }
}

/// `[check]`: settings of `ludd check`.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// Other hosts pages may load resources from (`"media.example.net"`); everything else
    /// loaded from another host fails the check.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
}

/// `[hosting]`: the host files written beside the site (see `render::hosting`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HostingConfig {
    /// Write `_headers` (Netlify, Cloudflare Pages): security headers and caching.
    #[serde(default = "yes")]
    pub headers: bool,
    /// Write `_redirects` (Netlify, Cloudflare Pages): aliases and the language root.
    #[serde(default = "yes")]
    pub redirects: bool,
    /// Write `.nojekyll` (GitHub Pages serves the output as it is).
    #[serde(default = "yes")]
    pub nojekyll: bool,
    /// The custom domain for GitHub Pages, written to `CNAME`.
    pub cname: Option<String>,
    /// Extra Content-Security-Policy sources per directive, like `img-src = ["https://img.example"]`.
    #[serde(default)]
    pub csp: std::collections::BTreeMap<String, Vec<String>>,
}

impl Default for HostingConfig {
    fn default() -> Self {
        HostingConfig {
            headers: true,
            redirects: true,
            nojekyll: true,
            cname: None,
            csp: Default::default(),
        }
    }
}

/// Content-Security-Policy directives `[hosting.csp]` may extend.
pub const CSP_DIRECTIVES: &[&str] = &[
    "default-src",
    "script-src",
    "style-src",
    "img-src",
    "font-src",
    "connect-src",
    "media-src",
    "frame-src",
    "manifest-src",
    "worker-src",
    // A sign-up form that posts to the campaign's own server on another host.
    "form-action",
];

/// Where `ludd deploy` sends the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeployTarget {
    /// A local folder: the output is mirrored into it.
    Dir,
    /// Anything `rsync` reaches (`host:path`, a folder): rsync is spawned.
    Rsync,
    /// An S3-compatible bucket.
    S3,
}

/// `[deploy]`: where `ludd deploy` publishes the site. Credentials come from the environment.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeployConfig {
    /// `dir`, `rsync` or `s3`.
    pub target: DeployTarget,
    /// The folder (dir) or rsync destination (rsync).
    pub destination: Option<String>,
    /// The bucket (s3).
    pub bucket: Option<String>,
    /// The S3 endpoint URL (s3; default: AWS in `region`).
    pub endpoint: Option<String>,
    /// The bucket's region (s3; default `us-east-1`).
    pub region: Option<String>,
    /// A key prefix inside the bucket (s3), like `site/`.
    pub prefix: Option<String>,
    /// Address the bucket as `endpoint/bucket` rather than `bucket.endpoint` (s3; default:
    /// true with an `endpoint`, false for AWS).
    pub path_style: Option<bool>,
    /// Seconds to wait for a connection, and for each read or write of a request (s3; default
    /// 10). A request that times out is tried again a few times with growing pauses.
    pub timeout: Option<u64>,
}

impl DeployConfig {
    fn problems(&self, text: &str) -> Vec<Diagnostic> {
        let at = |key: &str| find_key_line(text, key);
        let mut problems = Vec::new();
        let mut require = |key: &str, value: &Option<String>, what: &str| {
            if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
                problems.push(
                    Diagnostic::new(CONFIG_FILE, format!("[deploy] target needs `{key}`"))
                        .at_optional_line(at("deploy").or(at("target")))
                        .with_help(format!("add {key} = {what} to [deploy]")),
                );
            }
        };
        match self.target {
            DeployTarget::Dir => require("destination", &self.destination, "\"/srv/www/site\""),
            DeployTarget::Rsync => require(
                "destination",
                &self.destination,
                "\"user@host:/srv/www/site/\"",
            ),
            DeployTarget::S3 => require("bucket", &self.bucket, "\"my-site\""),
        }
        if let Some(endpoint) = &self.endpoint
            && !(endpoint.starts_with("https://") || endpoint.starts_with("http://"))
        {
            problems.push(
                Diagnostic::new(
                    CONFIG_FILE,
                    format!("deploy endpoint `{endpoint}` is not an http(s) URL"),
                )
                .at_optional_line(at("endpoint"))
                .with_help("write it with its scheme, like endpoint = \"https://s3.example.org\""),
            );
        }
        problems
    }
}

/// Zola and Hugo `config.toml` keys that ludd spells differently, with what to write instead.
const CONFIG_HINTS: &[(&str, &str)] = &[
    ("baseURL", "ludd calls it `base_url`"),
    ("baseurl", "ludd calls it `base_url`"),
    ("defaultContentLanguage", "ludd calls it `default_language`"),
    ("languageCode", "ludd calls it `default_language`"),
    (
        "defaultContentLanguageInSubdir",
        "ludd calls it `default_language_in_subdir`",
    ),
    ("publishDir", "ludd calls it `output_dir`"),
    (
        "contentDir",
        "ludd calls it `content_dir`, per language in [languages.<code>]",
    ),
    ("params", "ludd calls it `extra`"),
    ("languageName", "ludd calls it `name`"),
    ("languageDirection", "ludd calls it `direction`"),
    (
        "weight",
        "languages are ordered as they are written; remove it",
    ),
    (
        "compile_sass",
        "ludd does not compile Sass: ship plain CSS in static/",
    ),
    ("build_search_index", "ludd has no search index; remove it"),
    ("generate_feed", "ludd calls it `generate_feeds`"),
    (
        "feed_filename",
        "ludd writes atom.xml per language; remove it",
    ),
    ("rss_limit", "ludd calls it `feed_limit`"),
];

/// A diagnostic about an unknown key, with the ludd name when it is a Zola or Hugo key.
fn with_migration_hint(mut d: Diagnostic) -> Diagnostic {
    let hint = CONFIG_HINTS
        .iter()
        .find(|(k, _)| d.message == format!("unknown key `{k}`"));
    if let Some((_, hint)) = hint {
        d.help = Some(match d.help.take() {
            Some(h) => format!("{hint}; {h}"),
            None => (*hint).to_string(),
        });
    }
    d
}

/// Every unknown key after the first one serde reported (`first_message`): the key is taken
/// out of a copy of the table and the parse repeated, so that one build lists them all.
fn further_unknown_keys(text: &str, first_message: &str) -> Vec<Diagnostic> {
    let Ok(mut table) = toml::from_str::<toml::Table>(text) else {
        return Vec::new();
    };
    let mut message = first_message.to_string();
    let mut found = Vec::new();
    for round in 0..64 {
        let Some((key, _)) =
            crate::load::keys::parse_unknown_field(message.lines().next().unwrap_or(""))
        else {
            break;
        };
        let Some(path) = remove_key(&mut table, &key) else {
            break;
        };
        // The first key is the one already reported.
        if round > 0 {
            found.push((path, key, expected_of(&message)));
        }
        match Config::deserialize(toml::Value::Table(table.clone())) {
            Ok(_) => break,
            Err(e) => message = e.message().to_string(),
        }
    }
    found
        .into_iter()
        .map(|(path, key, expected)| {
            let line = find_key_line(text, &path);
            with_migration_hint(serde_diagnostic(
                Path::new(CONFIG_FILE),
                line,
                &format!("unknown field `{key}`, expected one of {expected}"),
            ))
        })
        .collect()
}

/// The "expected one of …" part of a serde message (for the help text).
fn expected_of(message: &str) -> String {
    message
        .split("expected one of ")
        .nth(1)
        .map_or_else(String::new, |s| s.lines().next().unwrap_or("").to_string())
}

/// Removes the first `key` in the tables ludd validates (never inside `extra`), returning its
/// dotted path.
fn remove_key(table: &mut toml::Table, key: &str) -> Option<String> {
    if table.remove(key).is_some() {
        return Some(key.to_string());
    }
    for (name, value) in table.iter_mut() {
        if name == "extra" {
            continue;
        }
        let path = match value {
            toml::Value::Table(t) => remove_key(t, key).map(|p| format!("{name}.{p}")),
            toml::Value::Array(items) => items.iter_mut().find_map(|item| match item {
                toml::Value::Table(t) => remove_key(t, key).map(|p| format!("{name}.{p}")),
                _ => None,
            }),
            _ => None,
        };
        if path.is_some() {
            return path;
        }
    }
    None
}

/// A credential key in `[deploy]`, found before the strict parse so that it gets its own
/// message rather than "unknown key".
fn credentials_in_deploy(text: &str) -> Option<Diagnostic> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let deploy = table.get("deploy")?.as_table()?;
    let key = CREDENTIAL_KEYS.iter().find(|k| deploy.contains_key(**k))?;
    Some(
        Diagnostic::new(
            CONFIG_FILE,
            format!("[deploy] must not hold credentials (`{key}`)"),
        )
        .at_optional_line(find_key_line(text, key))
        .with_help("remove the key from site.toml and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) in the environment"),
    )
}

/// Keys that would hold secrets; `[deploy]` rejects each with a pointer to the environment.
const CREDENTIAL_KEYS: &[&str] = &[
    "access_key_id",
    "secret_access_key",
    "session_token",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "password",
    "secret",
];

impl HostingConfig {
    fn problems(&self, text: &str) -> Vec<Diagnostic> {
        let at = |key: &str| find_key_line(text, key);
        let mut problems = Vec::new();
        if let Some(cname) = &self.cname {
            let ok = !cname.is_empty()
                && cname.contains('.')
                && cname
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
            if !ok {
                problems.push(
                    Diagnostic::new(CONFIG_FILE, format!("cname `{cname}` is not a domain name"))
                        .at_optional_line(at("cname"))
                        .with_help("write the bare domain, like cname = \"www.example.org\""),
                );
            }
        }
        for (directive, sources) in &self.csp {
            if !CSP_DIRECTIVES.contains(&directive.as_str()) {
                problems.push(
                    Diagnostic::new(
                        CONFIG_FILE,
                        format!("`{directive}` is not a CSP directive ludd extends"),
                    )
                    .at_optional_line(at(directive))
                    .with_help(format!("use one of: {}", CSP_DIRECTIVES.join(", "))),
                );
            }
            for source in sources {
                let ok = !source.is_empty()
                    && !source.contains([';', ',', '\n', '\r'])
                    && !source.chars().any(char::is_whitespace)
                    && source != "'unsafe-inline'"
                    && source != "'unsafe-eval'";
                if !ok {
                    problems.push(
                        Diagnostic::new(CONFIG_FILE, format!("CSP source `{source}` cannot be used"))
                            .at_optional_line(at(directive))
                            .with_help("give one source per string, like \"https://img.example.org\"; 'unsafe-inline' and 'unsafe-eval' are not allowed"),
                    );
                }
            }
        }
        problems
    }
}

fn default_page_kb() -> u64 {
    100
}

fn yes() -> bool {
    true
}

fn default_output_dir() -> PathBuf {
    PathBuf::from("public")
}

fn default_taxonomies() -> Vec<TaxonomyConfig> {
    vec![TaxonomyConfig {
        name: "tags".into(),
        paginate_by: None,
        feed: true,
    }]
}

fn default_feed_limit() -> Option<usize> {
    Some(20)
}

/// The whole `site.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Site title.
    pub title: String,
    /// Absolute URL the site is served from, without trailing slash.
    pub base_url: String,
    /// Site description.
    #[serde(default)]
    pub description: Option<String>,
    /// Code of the default language.
    pub default_language: String,
    /// Put the default language under `/<code>/` too, with a language chooser at `/`.
    #[serde(default)]
    pub default_language_in_subdir: bool,
    /// Theme folder name under `themes/`.
    #[serde(default)]
    pub theme: Option<String>,
    /// Output folder, relative to the site root.
    #[serde(default = "default_output_dir")]
    pub output_dir: PathBuf,
    /// Languages by code, in the order they are written.
    #[serde(default)]
    pub languages: Languages,
    /// Taxonomies.
    #[serde(default = "default_taxonomies")]
    pub taxonomies: Vec<TaxonomyConfig>,
    /// Markdown options.
    #[serde(default)]
    pub markdown: MarkdownConfig,
    /// Write Atom feeds.
    #[serde(default = "yes")]
    pub generate_feeds: bool,
    /// Entries per feed (absent: all).
    #[serde(default = "default_feed_limit")]
    pub feed_limit: Option<usize>,
    /// Write `sitemap.xml`.
    #[serde(default = "yes")]
    pub generate_sitemap: bool,
    /// Write `robots.txt`.
    #[serde(default = "yes")]
    pub generate_robots_txt: bool,
    /// Limits such as the page weight budget.
    #[serde(default)]
    pub budget: BudgetConfig,
    /// `ludd check` settings.
    #[serde(default)]
    pub check: CheckConfig,
    /// Image processing.
    #[serde(default)]
    pub images: ImagesConfig,
    /// Host files: `_headers`, `_redirects`, `.nojekyll`, `CNAME`.
    #[serde(default)]
    pub hosting: HostingConfig,
    /// Where `ludd deploy` publishes the output.
    #[serde(default)]
    pub deploy: Option<DeployConfig>,
    /// URL patterns for the pages of a section (`blog = "/p/:year/:slug/"`), by the section's
    /// folder below `content/`. Placeholders: `:slug`, `:title`, `:filename`, `:section`,
    /// `:year`, `:month`, `:day`.
    #[serde(default)]
    pub permalinks: BTreeMap<String, String>,
    /// iCalendar files made from data files.
    #[serde(default)]
    pub calendars: Vec<CalendarConfig>,
    /// Menus of every language (`[[menus.main]]`, `[[menus.footer]]`).
    #[serde(default)]
    pub menus: MenusConfig,
    /// Free-form data for templates.
    #[serde(default)]
    pub extra: toml::Table,
    /// The file's text, to point diagnostics found later at the right line.
    #[serde(skip)]
    pub source: String,
}

impl Config {
    /// Whether `[extra.publisher] placeholder = true`: the imprint (the publisher's legal
    /// details) is not filled in yet. `ludd build` warns and `ludd deploy` refuses to publish
    /// unless `--allow-placeholder-imprint` is given. Any theme can use the same key.
    pub fn imprint_is_placeholder(&self) -> bool {
        self.extra
            .get("publisher")
            .and_then(|p| p.get("placeholder"))
            .and_then(toml::Value::as_bool)
            .unwrap_or(false)
    }

    /// The line of `site.toml` where `key` is set (`key` or `table.key`).
    pub fn line_of(&self, key: &str) -> Option<usize> {
        find_key_line(&self.source, key)
    }

    /// Reads and validates `site.toml` in `root`.
    pub fn load(root: &Path) -> Result<Config> {
        let path = root.join(CONFIG_FILE);
        let bytes = crate::load::files::SiteFolders::of(root).read(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::invalid(
                    Diagnostic::new(CONFIG_FILE, "no site.toml in this folder")
                        .with_help("run ludd in the site's root folder, or create a site with `ludd init <dir>`"),
                )
            } else {
                Error::io("read", &path, e)
            }
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let line = line_of_offset(
                &String::from_utf8_lossy(e.as_bytes()),
                e.utf8_error().valid_up_to(),
            );
            Diagnostic::new(CONFIG_FILE, "the file is not valid UTF-8")
                .at_line(line)
                .with_help("save site.toml as UTF-8")
        })?;
        Config::parse(&text)
    }

    /// Parses and validates config text.
    pub fn parse(text: &str) -> Result<Config> {
        if let Some(problem) = credentials_in_deploy(text) {
            return Err(problem.into());
        }
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of_offset(text, s.start));
            let first = serde_diagnostic(Path::new(CONFIG_FILE), line, e.message());
            let mut all = vec![with_migration_hint(first)];
            all.extend(further_unknown_keys(text, e.message()));
            Error::Invalid(all)
        })?;
        config.validate(text)?;
        config.source = text.to_string();
        Ok(config)
    }

    fn validate(&mut self, text: &str) -> Result<()> {
        let at = |key: &str| find_key_line(text, key);
        let mut problems = Vec::new();
        self.base_url = self.base_url.trim_end_matches('/').to_string();
        if !(self.base_url.starts_with("https://") || self.base_url.starts_with("http://")) {
            problems.push(
                Diagnostic::new(
                    CONFIG_FILE,
                    format!("base_url `{}` is not an absolute URL", self.base_url),
                )
                .at_optional_line(at("base_url"))
                .with_help("write it with its scheme, like base_url = \"https://example.org\""),
            );
        }
        if self.markdown.safe && !cfg!(feature = "safe-html") {
            problems.push(
                Diagnostic::new(
                    CONFIG_FILE,
                    "markdown.safe = true needs the `safe-html` feature, which this ludd was built without",
                )
                .at_optional_line(at("safe"))
                .with_help("build ludd with its default features (cargo install ludd), or remove markdown.safe"),
            );
        }
        if self.languages.is_empty() {
            self.languages
                .0
                .push((self.default_language.clone(), LanguageConfig::default()));
        }
        let mut dirs: Vec<(String, String)> = Vec::new();
        for (code, lc) in &mut self.languages.0 {
            let Some(raw) = lc.content_dir.clone() else {
                continue;
            };
            let dir = raw.trim_matches('/');
            let dir = dir
                .strip_prefix("content/")
                .unwrap_or(dir)
                .trim_matches('/');
            let escapes = dir.is_empty()
                || dir.contains('\\')
                || dir
                    .split('/')
                    .any(|p| p.is_empty() || p == "." || p == "..");
            if escapes || dir == "content" {
                problems.push(
                    Diagnostic::new(CONFIG_FILE, format!("content_dir `{raw}` of `{code}` is not a folder inside content/"))
                        .at_optional_line(at(&format!("languages.{code}.content_dir")))
                        .with_help(format!("name a folder below content/, like content_dir = \"{code}\" for content/{code}/")),
                );
                continue;
            }
            if let Some((other, _)) = dirs.iter().find(|(_, d)| d == dir) {
                problems.push(
                    Diagnostic::new(
                        CONFIG_FILE,
                        format!("`{code}` and `{other}` have the same content_dir `{dir}`"),
                    )
                    .at_optional_line(at(&format!("languages.{code}.content_dir")))
                    .with_help("give each language its own folder"),
                );
            }
            dirs.push((code.clone(), dir.to_string()));
            lc.content_dir = Some(dir.to_string());
        }
        for code in self.languages.keys() {
            if !is_language_code(code) {
                problems.push(
                    Diagnostic::new(CONFIG_FILE, format!("`{code}` is not a language code"))
                        .at_optional_line(at(&format!("languages.{code}")))
                        .with_help("use a BCP 47 code such as de, en, fr, pt-BR"),
                );
            }
        }
        if !self.languages.contains_key(&self.default_language) {
            problems.push(
                Diagnostic::new(
                    CONFIG_FILE,
                    format!(
                        "default_language `{}` has no [languages.{}] table",
                        self.default_language, self.default_language
                    ),
                )
                .at_optional_line(at("default_language"))
                .with_help(format!(
                    "add [languages.{}] or pick one of: {}",
                    self.default_language,
                    self.language_codes().join(", ")
                )),
            );
        }
        problems.extend(taxonomy_problems(&self.taxonomies, "taxonomies", text));
        for (code, l) in &self.languages.0 {
            if let Some(list) = &l.taxonomies {
                let at = format!("languages.{code}.taxonomies");
                problems.extend(taxonomy_problems(list, &at, text));
            }
        }
        problems.extend(menu_problems(&self.menus, "menus", text));
        for (code, l) in &self.languages.0 {
            problems.extend(menu_problems(
                &l.menus,
                &format!("languages.{code}.menus"),
                text,
            ));
        }
        problems.extend(self.hosting.problems(text));
        if let Some(deploy) = &self.deploy {
            problems.extend(deploy.problems(text));
        }
        for (key, message) in self.images.problems() {
            problems.push(
                Diagnostic::new(CONFIG_FILE, message)
                    .at_optional_line(at(key))
                    .with_help("see [images] in the README"),
            );
        }
        if self.output_dir.as_os_str().is_empty() {
            problems.push(
                Diagnostic::new(CONFIG_FILE, "output_dir is empty")
                    .at_optional_line(at("output_dir"))
                    .with_help("use a folder such as \"public\""),
            );
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(problems))
        }
    }

    /// The path part of `base_url` without trailing slash: `""` for `https://example.org`,
    /// `/project` for `https://user.github.io/project`. Every root-relative URL starts with it.
    pub fn base_path(&self) -> &str {
        base_path_of(&self.base_url)
    }

    /// `base_url` without its path (`https://user.github.io`): a root-relative URL appended to
    /// it gives the absolute URL.
    pub fn origin(&self) -> &str {
        let path = self.base_path();
        let full = self.base_url.trim_end_matches('/');
        &full[..full.len() - path.len()]
    }

    /// The taxonomies of language `code`: its own `taxonomies` list, else the top-level one.
    pub fn taxonomies_of(&self, code: &str) -> &[TaxonomyConfig] {
        self.languages
            .get(code)
            .and_then(|l| l.taxonomies.as_deref())
            .unwrap_or(&self.taxonomies)
    }

    /// Language codes, default language first, the others in the order they are written.
    pub fn language_codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = self.languages.keys().cloned().collect();
        codes.sort_by_key(|c| c != &self.default_language);
        codes
    }
}

/// The path part of an absolute URL, without trailing slash (see [`Config::base_path`]).
pub fn base_path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or("", |(_, r)| r);
    let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    path.split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/')
}

/// Problems of one list of taxonomies; `at` names the list in messages (`taxonomies`,
/// `languages.fr.taxonomies`). A name may be in any case, but two names with one URL segment
/// (`Tags` and `tags`) or a name that is a front matter key (`Title`) cannot be told apart.
fn taxonomy_problems(list: &[TaxonomyConfig], at: &str, text: &str) -> Vec<Diagnostic> {
    let line = find_key_line(text, at).or_else(|| find_key_line(text, "taxonomies"));
    let mut problems = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for t in list {
        let slug = crate::slug::slugify(&t.name);
        let usable = !slug.is_empty()
            && t.name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            && !RESERVED_FRONT_MATTER_KEYS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&t.name));
        if !usable {
            problems.push(
                Diagnostic::new(CONFIG_FILE, format!("taxonomy name `{}` cannot be used", t.name))
                    .at_optional_line(line)
                    .with_help("use a name of letters, digits, - and _ (in any case) that is not a front matter key"),
            );
        } else if seen.contains(&slug) {
            problems.push(
                Diagnostic::new(
                    CONFIG_FILE,
                    format!("taxonomy `{}` is declared twice in {at}", t.name),
                )
                .at_optional_line(line)
                .with_help("names that differ only in case share one URL: keep one of them"),
            );
        }
        if t.paginate_by == Some(0) {
            problems.push(
                Diagnostic::new(
                    CONFIG_FILE,
                    format!("taxonomy `{}` has paginate_by = 0", t.name),
                )
                .at_optional_line(find_key_line(text, "paginate_by").or(line))
                .with_help("use a positive number, or remove the key"),
            );
        }
        seen.push(slug);
    }
    problems
}

/// Front matter keys that a taxonomy may not shadow, and that `ludd import` writes as they are
/// (the one list of ludd's own front matter keys).
pub const RESERVED_FRONT_MATTER_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "draft",
    "weight",
    "slug",
    "aliases",
    "template",
    "translation_key",
    "extra",
    "sort_by",
    "paginate_by",
    "taxonomies",
    "publish_date",
    "expiry_date",
    "path",
    "render",
    "redirect_to",
];

/// A BCP 47-like code: a 2–3 letter primary subtag, optional subtags of letters and digits.
pub fn is_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The line where `key` (or a `[table.key]` header) is written, for diagnostics.
fn find_key_line(text: &str, key: &str) -> Option<usize> {
    let last = key.rsplit('.').next().unwrap_or(key);
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with(&format!("[{key}]"))
                || (t.starts_with(last) && t[last.len()..].trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str =
        "title = \"T\"\nbase_url = \"https://example.org/\"\ndefault_language = \"de\"\n";

    #[test]
    fn minimal_config_gets_defaults() {
        let c = Config::parse(MINIMAL).expect("valid");
        assert_eq!(c.base_url, "https://example.org");
        assert_eq!(c.output_dir, PathBuf::from("public"));
        assert_eq!(c.language_codes(), vec!["de"]);
        assert_eq!(c.taxonomies[0].name, "tags");
    }

    #[test]
    fn unknown_key_names_line_and_suggestion() {
        let err = Config::parse(&format!("{MINIMAL}titel = \"x\"\n")).expect_err("invalid");
        let d = &err.diagnostics()[0];
        assert_eq!(d.line, Some(4));
        assert!(d.message.contains("unknown key `titel`"), "{d}");
        assert!(
            d.help
                .as_deref()
                .unwrap_or("")
                .contains("did you mean `title`"),
            "{d}"
        );
    }

    #[test]
    fn default_language_must_be_configured() {
        let text = format!("{MINIMAL}[languages.en]\nname = \"English\"\n");
        let err = Config::parse(&text).expect_err("invalid");
        assert!(err.to_string().contains("default_language `de`"), "{err}");
    }

    #[test]
    fn language_codes_are_checked() {
        assert!(is_language_code("de"));
        assert!(is_language_code("pt-BR"));
        assert!(!is_language_code("../x"));
        assert!(!is_language_code("German"));
    }

    #[test]
    fn taxonomies_in_any_case_and_per_language() {
        let text = format!(
            "{MINIMAL}taxonomies = [{{ name = \"Tags\" }}, {{ name = \"series\", feed = false }}]\n[languages.de]\n[languages.fr]\ntaxonomies = [{{ name = \"etiquettes\" }}]\n"
        );
        let c = Config::parse(&text).expect("valid");
        let names = |code: &str| -> Vec<String> {
            c.taxonomies_of(code)
                .iter()
                .map(|t| t.name.clone())
                .collect()
        };
        assert_eq!(names("de"), ["Tags", "series"]);
        assert_eq!(names("fr"), ["etiquettes"]);
        assert!(!c.taxonomies_of("de")[1].feed);
        for (list, wanted) in [
            (
                "[{ name = \"tags\" }, { name = \"Tags\" }]",
                "declared twice",
            ),
            ("[{ name = \"Title\" }]", "cannot be used"),
            ("[{ name = \"a/b\" }]", "cannot be used"),
        ] {
            let err = Config::parse(&format!("{MINIMAL}taxonomies = {list}\n")).expect_err(list);
            assert!(err.to_string().contains(wanted), "{list}: {err}");
        }
    }
}
