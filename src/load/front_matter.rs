//! Front matter: splits a content file into its YAML (`---`) or TOML (`+++`) header and its body,
//! and turns the header into typed, validated fields.

use crate::error::{Diagnostic, Result};
use crate::load::config::RESERVED_FRONT_MATTER_KEYS;
use crate::load::keys::{line_of_offset, unknown_key_help};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// A date or date-time from front matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The instant (midnight UTC for a plain date).
    pub timestamp: jiff::Timestamp,
    /// Written without a time of day.
    pub date_only: bool,
}

impl Date {
    /// Parses `2025-10-28`, `2025-10-28T10:00:00Z`, `2025-10-28T10:00:00+02:00` or `2025-10-28 10:00:00`.
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        if let Ok(ts) = text.parse::<jiff::Timestamp>() {
            return Some(Date {
                timestamp: ts,
                date_only: false,
            });
        }
        if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
            let ts = dt.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
            let date_only = !text.contains(['T', ' ', ':']);
            return Some(Date {
                timestamp: ts,
                date_only,
            });
        }
        None
    }

    /// ISO 8601: `2025-10-28` for a plain date, RFC 3339 otherwise.
    pub fn iso(&self) -> String {
        if self.date_only {
            self.timestamp.strftime("%Y-%m-%d").to_string()
        } else {
            self.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
        }
    }

    /// RFC 3339, as feeds and sitemaps want it.
    pub fn rfc3339(&self) -> String {
        self.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

/// How a section sorts its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// By `weight`, then title.
    #[default]
    Weight,
    /// Newest first.
    Date,
    /// Alphabetically.
    Title,
}

/// Typed front matter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `date`.
    pub date: Option<Date>,
    /// `updated`.
    pub updated: Option<Date>,
    /// `draft`.
    pub draft: bool,
    /// `weight`.
    pub weight: Option<i64>,
    /// `slug`.
    pub slug: Option<String>,
    /// `aliases`.
    pub aliases: Vec<String>,
    /// `template`.
    pub template: Option<String>,
    /// `translation_key`.
    pub translation_key: Option<String>,
    /// `extra`.
    pub extra: Map<String, Value>,
    /// `sort_by` (sections).
    pub sort_by: Option<SortBy>,
    /// `paginate_by` (sections).
    pub paginate_by: Option<usize>,
    /// Taxonomy terms by taxonomy name (from `tags = [...]` or `taxonomies.tags = [...]`).
    pub terms: BTreeMap<String, Vec<String>>,
    /// `publish_date`: hidden until then (unless `--future`).
    pub publish_date: Option<Date>,
    /// `expiry_date`: hidden from then on (unless `--expired`).
    pub expiry_date: Option<Date>,
    /// `path`: the exact URL path (`/press/2025/`), instead of the folder and slug.
    pub path: Option<String>,
    /// `render = false`: no page of its own, still in listings.
    pub render: Option<bool>,
    /// `redirect_to`: the document's page redirects there (`@/file.md`, a site path or a URL).
    pub redirect_to: Option<String>,
}

impl FrontMatter {
    /// Whether the document gets a page of its own (`render`, default true).
    pub fn renders(&self) -> bool {
        self.render.unwrap_or(true)
    }
}

/// Zola and Hugo front matter keys that ludd spells differently or handles elsewhere, with
/// what to write instead.
const MIGRATION_HINTS: &[(&str, &str)] = &[
    ("lastmod", "ludd calls it `updated`"),
    (
        "summary",
        "ludd calls it `description` (the summary is the text before <!-- more -->)",
    ),
    ("publishDate", "ludd calls it `publish_date`"),
    ("publishdate", "ludd calls it `publish_date`"),
    ("pubDate", "ludd calls it `publish_date`"),
    ("expiryDate", "ludd calls it `expiry_date`"),
    ("expirydate", "ludd calls it `expiry_date`"),
    ("unpublishdate", "ludd calls it `expiry_date`"),
    (
        "linkTitle",
        "ludd has no separate link title: use `title`, or keep it under `extra` for the templates (extra.link_title)",
    ),
    (
        "url",
        "ludd calls it `path` (the page's exact URL, like \"/press/2025/\")",
    ),
    (
        "insert_anchor_links",
        "ludd gives every heading an id; put it under `extra` if a template reads it",
    ),
    (
        "author",
        "put it under `extra` (extra.author) for the templates",
    ),
    (
        "authors",
        "put it under `extra` (extra.authors) for the templates",
    ),
    (
        "categories",
        "declare the taxonomy in site.toml: taxonomies = [{ name = \"tags\" }, { name = \"categories\" }]",
    ),
    (
        "menu",
        "menus are configured in site.toml ([[menus.main]] with page = \"@/file.md\")",
    ),
    (
        "menus",
        "menus are configured in site.toml ([[menus.main]] with page = \"@/file.md\")",
    ),
    (
        "layout",
        "ludd calls it `template` (a file in templates/, like \"page.html\")",
    ),
    (
        "type",
        "ludd calls it `template` (a file in templates/, like \"page.html\")",
    ),
    (
        "image",
        "put it under `extra` (extra.image) for the templates",
    ),
    (
        "images",
        "put it under `extra` (extra.images) for the templates",
    ),
    (
        "keywords",
        "use a taxonomy (`tags`) or put it under `extra`",
    ),
    ("headless", "ludd calls it `render = false`"),
    ("build", "ludd calls it `render = false`"),
    (
        "in_search_index",
        "put it under `extra` if a template reads it",
    ),
    (
        "toc",
        "every page has its `toc`; put it under `extra` if a template reads it",
    ),
    (
        "isCJKLanguage",
        "ludd counts words per language itself; remove it",
    ),
    (
        "lang",
        "the language comes from the file name (page.en.md) or its folder's content_dir",
    ),
];

/// Help for an unknown front matter key: the migration hint, else the closest valid key.
pub fn front_matter_key_help(key: &str, valid: &[&str]) -> String {
    match MIGRATION_HINTS
        .iter()
        .find(|(k, _)| *k == key || k.eq_ignore_ascii_case(key))
    {
        Some((_, hint)) => format!("{hint}; valid keys: {}", valid.join(", ")),
        None => unknown_key_help(key, valid),
    }
}

/// A content file split into front matter and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Split<'a> {
    /// The parsed front matter.
    pub front_matter: FrontMatter,
    /// The Markdown body.
    pub body: &'a str,
    /// 1-based line of the body's first line in the file.
    pub body_line: usize,
    /// The front matter's text (without fences), for diagnostics found later.
    pub header: &'a str,
}

/// Splits and parses `text`. `taxonomies` are the configured taxonomy names; `is_section` allows
/// the section-only keys.
pub fn split<'a>(
    text: &'a str,
    path: &Path,
    taxonomies: &[String],
    is_section: bool,
) -> Result<Split<'a>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let fence = match first_line(text) {
        "---" => "---",
        "+++" => "+++",
        _ => {
            return Ok(Split {
                front_matter: FrontMatter::default(),
                body: text,
                body_line: 1,
                header: "",
            });
        }
    };
    let header_start = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = header_start;
    let mut header_end = None;
    for line in text[header_start..].split_inclusive('\n') {
        if line.trim_end() == fence {
            header_end = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    let Some((end, body_start)) = header_end else {
        return Err(Diagnostic::new(
            path,
            format!("the front matter opened with `{fence}` is never closed"),
        )
        .at_line(1)
        .with_help(format!(
            "add a line with only `{fence}` after the front matter"
        ))
        .into());
    };
    let header = &text[header_start..end];
    let raw = if fence == "---" {
        parse_yaml(header, path)?
    } else {
        parse_toml(header, path)?
    };
    let front_matter = typed(raw, header, path, taxonomies, is_section)?;
    Ok(Split {
        front_matter,
        body: &text[body_start..],
        body_line: line_of_offset(text, body_start),
        header,
    })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim_end()
}

fn parse_yaml(header: &str, path: &Path) -> Result<Map<String, Value>> {
    if header.trim().is_empty() {
        return Ok(Map::new());
    }
    let value: Value = serde_yaml::from_str(header).map_err(|e| {
        let line = e.location().map(|l| l.line() + 1);
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        Diagnostic::new(path, format!("invalid YAML front matter: {message}"))
            .at_optional_line(line)
            .with_help("front matter is `key: value` lines between two `---` lines; quote values that contain `:` or `#`")
    })?;
    into_table(value, path)
}

fn parse_toml(header: &str, path: &Path) -> Result<Map<String, Value>> {
    let table: toml::Table = toml::from_str(header).map_err(|e| {
        let line = e.span().map(|s| line_of_offset(header, s.start) + 1);
        Diagnostic::new(
            path,
            format!("invalid TOML front matter: {}", e.message().trim()),
        )
        .at_optional_line(line)
        .with_help(
            "front matter is `key = value` lines between two `+++` lines; strings need quotes",
        )
    })?;
    into_table(toml_to_json(toml::Value::Table(table)), path)
}

fn into_table(value: Value, path: &Path) -> Result<Map<String, Value>> {
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        _ => Err(
            Diagnostic::new(path, "front matter must be a list of `key: value` pairs")
                .at_line(2)
                .into(),
        ),
    }
}

/// TOML values as JSON values; dates become ISO strings.
pub fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// Keys only a section's `_index.md` may set.
pub const SECTION_ONLY_KEYS: &[&str] = &["sort_by", "paginate_by"];

fn typed(
    mut raw: Map<String, Value>,
    header: &str,
    path: &Path,
    taxonomies: &[String],
    is_section: bool,
) -> Result<FrontMatter> {
    let line_of = |key: &str| -> Line {
        Line {
            header: Some(header),
            key: key.to_string(),
        }
    };
    let mut valid: Vec<&str> = RESERVED_FRONT_MATTER_KEYS
        .iter()
        .copied()
        .filter(|k| is_section || !SECTION_ONLY_KEYS.contains(k))
        .collect();
    valid.extend(taxonomies.iter().map(String::as_str));
    taxonomy_keys_as_declared(&mut raw, taxonomies);
    if let Some(Value::Object(nested)) = raw.get_mut("taxonomies") {
        taxonomy_keys_as_declared(nested, taxonomies);
    }
    // Every unknown key of the file at once.
    let unknown: Vec<Diagnostic> = raw
        .keys()
        .filter(|key| !valid.contains(&key.as_str()))
        .map(|key| {
            let message = if SECTION_ONLY_KEYS.contains(&key.as_str()) {
                format!("`{key}` is only allowed in a section's _index.md")
            } else {
                format!("unknown front matter key `{key}`")
            };
            Diagnostic::new(path, message)
                .at_optional_line(key_line(header, key))
                .with_help(front_matter_key_help(key, &valid))
        })
        .collect();
    if !unknown.is_empty() {
        let mut unknown = unknown;
        unknown.sort_by_key(|d| d.line);
        return Err(crate::error::Error::Invalid(unknown));
    }
    let mut field = |key: &str| raw.remove(key).filter(|v| !v.is_null());
    let mut fm = FrontMatter {
        title: get(field("title"), "title", path, line_of("title"))?,
        description: get(
            field("description"),
            "description",
            path,
            line_of("description"),
        )?,
        draft: get(field("draft"), "draft", path, line_of("draft"))?.unwrap_or(false),
        weight: get(field("weight"), "weight", path, line_of("weight"))?,
        slug: get(field("slug"), "slug", path, line_of("slug"))?,
        aliases: get(field("aliases"), "aliases", path, line_of("aliases"))?.unwrap_or_default(),
        template: get(field("template"), "template", path, line_of("template"))?,
        translation_key: get(
            field("translation_key"),
            "translation_key",
            path,
            line_of("translation_key"),
        )?,
        extra: get(field("extra"), "extra", path, line_of("extra"))?.unwrap_or_default(),
        sort_by: get(field("sort_by"), "sort_by", path, line_of("sort_by"))?,
        paginate_by: get(
            field("paginate_by"),
            "paginate_by",
            path,
            line_of("paginate_by"),
        )?,
        path: get(field("path"), "path", path, line_of("path"))?,
        render: get(field("render"), "render", path, line_of("render"))?,
        redirect_to: get(
            field("redirect_to"),
            "redirect_to",
            path,
            line_of("redirect_to"),
        )?,
        date: None,
        updated: None,
        publish_date: None,
        expiry_date: None,
        terms: BTreeMap::new(),
    };
    fm.date = date_field(field("date"), "date", path, line_of("date"))?;
    fm.updated = date_field(field("updated"), "updated", path, line_of("updated"))?;
    fm.publish_date = date_field(
        field("publish_date"),
        "publish_date",
        path,
        line_of("publish_date"),
    )?;
    fm.expiry_date = date_field(
        field("expiry_date"),
        "expiry_date",
        path,
        line_of("expiry_date"),
    )?;
    if fm.paginate_by == Some(0) {
        return Err(Diagnostic::new(path, "paginate_by must be at least 1")
            .at_optional_line(key_line(header, "paginate_by"))
            .into());
    }
    let nested: Option<Map<String, Value>> = get(
        field("taxonomies"),
        "taxonomies",
        path,
        line_of("taxonomies"),
    )?;
    for (name, value) in nested.into_iter().flatten() {
        if !taxonomies.contains(&name) {
            let names: Vec<&str> = taxonomies.iter().map(String::as_str).collect();
            return Err(Diagnostic::new(
                path,
                format!("taxonomy `{name}` is not declared in site.toml"),
            )
            .at_optional_line(key_line(header, &name))
            .with_help(unknown_key_help(&name, &names))
            .into());
        }
        let terms: Vec<String> = get(Some(value), &name, path, line_of(&name))?.unwrap_or_default();
        fm.terms.insert(name, terms);
    }
    for name in taxonomies {
        if let Some(terms) = get::<Vec<String>>(field(name), name, path, line_of(name))? {
            fm.terms.insert(name.clone(), terms);
        }
    }
    Ok(fm)
}

/// Renames keys that name a taxonomy in another case (`Tags` for `tags`, as Hugo, which
/// lowercases every key, reads them) to the declared name.
fn taxonomy_keys_as_declared(raw: &mut Map<String, Value>, taxonomies: &[String]) {
    let renames: Vec<(String, String)> = raw
        .keys()
        .filter(|k| !taxonomies.contains(k))
        .filter_map(|k| {
            let declared = taxonomies.iter().find(|t| t.eq_ignore_ascii_case(k))?;
            Some((k.clone(), declared.clone()))
        })
        .collect();
    for (from, to) in renames {
        if let Some(v) = raw.remove(&from) {
            raw.entry(to).or_insert(v);
        }
    }
}

/// Where a key is written; looked up only when an error needs it.
struct Line<'a> {
    header: Option<&'a str>,
    key: String,
}

impl<'a> Line<'a> {
    fn find(&self) -> Option<usize> {
        self.header.and_then(|h| key_line(h, &self.key))
    }

    fn find_later(&self) -> Line<'a> {
        Line {
            header: self.header,
            key: self.key.clone(),
        }
    }
}

fn get<T: DeserializeOwned>(
    value: Option<Value>,
    key: &str,
    path: &Path,
    line: Line,
) -> Result<Option<T>> {
    let Some(value) = value else { return Ok(None) };
    serde_json::from_value(value).map(Some).map_err(|e| {
        Diagnostic::new(path, format!("`{key}` has the wrong type: {e}"))
            .at_optional_line(line.find())
            .with_help(expected_shape(key))
            .into()
    })
}

fn date_field(value: Option<Value>, key: &str, path: &Path, line: Line) -> Result<Option<Date>> {
    let found = line.find_later();
    let Some(text) = get::<String>(value, key, path, line)? else {
        return Ok(None);
    };
    Date::parse(&text).map(Some).ok_or_else(|| {
        Diagnostic::new(path, format!("`{key}` is not a date: `{text}`"))
            .at_optional_line(found.find())
            .with_help("write a date as 2025-10-28 or a date and time as 2025-10-28T10:00:00Z")
            .into()
    })
}

fn expected_shape(key: &str) -> String {
    match key {
        "draft" | "render" => "write true or false".into(),
        "weight" | "paginate_by" => "write a whole number".into(),
        "aliases" => "write a list of paths, like [\"/old-url/\"]".into(),
        "extra" | "taxonomies" => "write a table of keys and values".into(),
        "sort_by" => "write one of: weight, date, title".into(),
        "title" | "description" | "slug" | "template" | "translation_key" | "path"
        | "redirect_to" => "write text in quotes".into(),
        _ => "write a list of terms, like [\"climate\", \"work\"]".into(),
    }
}

/// Line in the whole file (header starts on line 2) where `key` is set.
pub fn key_line(header: &str, key: &str) -> Option<usize> {
    header
        .lines()
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix(key)
                .or_else(|| t.strip_prefix(&format!("\"{key}\"")))
                .is_some_and(|rest| {
                    let rest = rest.trim_start();
                    rest.starts_with(':') || rest.starts_with('=')
                })
        })
        .map(|i| i + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags() -> Vec<String> {
        vec!["tags".to_string()]
    }

    #[test]
    fn yaml_front_matter() {
        let text = "---\ntitle: \"Hallo\"\ndate: 2025-03-24\ntags: [a, b]\nweight: 3\n---\nBody\n";
        let s = split(text, Path::new("a.md"), &tags(), false).expect("valid");
        assert_eq!(s.front_matter.title.as_deref(), Some("Hallo"));
        assert_eq!(
            s.front_matter.date.map(|d| d.iso()),
            Some("2025-03-24".to_string())
        );
        assert_eq!(s.front_matter.terms["tags"], vec!["a", "b"]);
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 7);
    }

    #[test]
    fn toml_front_matter_with_datetime() {
        let text =
            "+++\ntitle = \"x\"\ndate = 2025-03-24T10:00:00Z\n[taxonomies]\ntags = [\"a\"]\n+++\n";
        let s = split(text, Path::new("a.md"), &tags(), false).expect("valid");
        assert_eq!(
            s.front_matter.date.map(|d| d.iso()),
            Some("2025-03-24T10:00:00Z".to_string())
        );
        assert_eq!(s.front_matter.terms["tags"], vec!["a"]);
    }

    #[test]
    fn no_front_matter() {
        let s = split("# Title\n", Path::new("a.md"), &tags(), false).expect("valid");
        assert_eq!(s.front_matter, FrontMatter::default());
        assert_eq!(s.body_line, 1);
    }

    #[test]
    fn unknown_key_is_named_with_line_and_suggestion() {
        let text = "---\ntitle: x\ntitel: y\n---\n";
        let err = split(text, Path::new("a.md"), &tags(), false).expect_err("invalid");
        let d = &err.diagnostics()[0];
        assert_eq!(d.line, Some(3));
        assert!(d.message.contains("`titel`"));
        assert!(
            d.help
                .as_deref()
                .unwrap_or("")
                .contains("did you mean `title`")
        );
    }

    #[test]
    fn unterminated_fence() {
        let err = split("---\ntitle: x\n", Path::new("a.md"), &tags(), false).expect_err("invalid");
        assert!(err.to_string().contains("never closed"), "{err}");
    }

    #[test]
    fn malformed_yaml_names_the_line() {
        let err = split(
            "---\ntitle: x\ndate: [\n---\n",
            Path::new("a.md"),
            &tags(),
            false,
        )
        .expect_err("invalid");
        assert!(err.to_string().contains("invalid YAML"), "{err}");
    }

    #[test]
    fn wrong_types_and_bad_dates() {
        let err = split(
            "---\ndraft: maybe\n---\n",
            Path::new("a.md"),
            &tags(),
            false,
        )
        .expect_err("invalid");
        assert!(
            err.to_string().contains("`draft` has the wrong type"),
            "{err}"
        );
        let err = split(
            "---\ndate: gestern\n---\n",
            Path::new("a.md"),
            &tags(),
            false,
        )
        .expect_err("invalid");
        assert!(err.to_string().contains("not a date"), "{err}");
    }

    #[test]
    fn section_keys_only_in_sections() {
        assert!(
            split(
                "---\nsort_by: date\n---\n",
                Path::new("a.md"),
                &tags(),
                false
            )
            .is_err()
        );
        let s = split(
            "---\nsort_by: date\npaginate_by: 5\n---\n",
            Path::new("_index.md"),
            &tags(),
            true,
        )
        .expect("valid");
        assert_eq!(s.front_matter.sort_by, Some(SortBy::Date));
    }
}
