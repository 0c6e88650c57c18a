//! Front matter of Zola and Hugo files, read (YAML `---`, TOML `+++`, JSON `{`) and rewritten
//! with ludd's keys: renamed keys (`lastmod` → `updated`, `summary` → `description`,
//! `translationKey` → `translation_key`, Zola's `[taxonomies]` table → one key per taxonomy),
//! and everything ludd has no key for moved under `extra`, each change noted with its line.

use super::Notes;
use serde_json::{Map, Value};
use std::path::Path;

/// How a file's front matter was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `---` YAML.
    Yaml,
    /// `+++` TOML.
    Toml,
    /// A JSON object on the first line (Hugo).
    Json,
}

/// A content file split into front matter and body.
pub struct Parsed {
    /// The keys, as written.
    pub keys: Map<String, Value>,
    /// The raw header text (for line numbers).
    pub header: String,
    /// The Markdown body.
    pub body: String,
    /// 1-based line where the body starts.
    pub body_line: usize,
}

/// Splits and parses a file; `Err` names what is wrong.
pub fn parse(text: &str) -> Result<Parsed, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("").trim_end();
    let format = match first {
        "---" => Format::Yaml,
        "+++" => Format::Toml,
        f if f.starts_with('{') => Format::Json,
        _ => {
            return Ok(Parsed {
                keys: Map::new(),
                header: String::new(),
                body: text.to_string(),
                body_line: 1,
            });
        }
    };
    let (header, body_start) = if format == Format::Json {
        json_object_end(text)
            .map(|end| (text[..end].to_string(), end))
            .ok_or("the JSON front matter is never closed")?
    } else {
        let start = text.find('\n').map_or(text.len(), |i| i + 1);
        let mut offset = start;
        let mut found = None;
        for line in text[start..].split_inclusive('\n') {
            if line.trim_end() == first {
                found = Some((text[start..offset].to_string(), offset + line.len()));
                break;
            }
            offset += line.len();
        }
        found.ok_or_else(|| format!("the front matter opened with `{first}` is never closed"))?
    };
    let value: Value = match format {
        Format::Yaml if header.trim().is_empty() => Value::Object(Map::new()),
        Format::Yaml => serde_yaml::from_str(&header).map_err(|e| format!("invalid YAML: {e}"))?,
        Format::Toml => {
            let table: toml::Table =
                toml::from_str(&header).map_err(|e| format!("invalid TOML: {}", e.message()))?;
            crate::load::front_matter::toml_to_json(toml::Value::Table(table))
        }
        Format::Json => serde_json::from_str(&header).map_err(|e| format!("invalid JSON: {e}"))?,
    };
    let keys = match value {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        _ => return Err("the front matter is not a table of keys".into()),
    };
    let body_line = 1 + text[..body_start].matches('\n').count();
    Ok(Parsed {
        keys,
        header,
        body: text[body_start..].to_string(),
        body_line,
    })
}

/// End (exclusive) of the JSON object that starts the text.
fn json_object_end(text: &str) -> Option<usize> {
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// The 1-based line of `key` in the file (the header starts on line 2).
pub fn line_of(header: &str, key: &str) -> Option<usize> {
    header
        .lines()
        .position(|l| {
            let t = l.trim_start().trim_start_matches('"');
            t.strip_prefix(key).is_some_and(|rest| {
                let rest = rest.trim_start_matches('"').trim_start();
                rest.starts_with(':') || rest.starts_with('=')
            }) || t.trim_end() == format!("[{key}]")
        })
        .map(|i| i + 2)
}

/// What the conversion of one file needs to know.
pub struct Context<'a> {
    /// The source file, for notes.
    pub file: &'a Path,
    /// Whether it is a section (`_index.md`).
    pub is_section: bool,
    /// Configured taxonomy names.
    pub taxonomies: &'a [String],
    /// The tool's name (`Hugo`, `Zola`), for notes.
    pub tool: &'a str,
}

/// Keys renamed to a ludd key (when that key is not set already): Hugo's and Zola's spellings
/// of what ludd reads natively.
const RENAMED: &[(&str, &str)] = &[
    ("lastmod", "updated"),
    ("modified", "updated"),
    ("summary", "description"),
    ("translationKey", "translation_key"),
    ("translationkey", "translation_key"),
    ("publishDate", "publish_date"),
    ("publishdate", "publish_date"),
    ("pubdate", "publish_date"),
    ("pubDate", "publish_date"),
    ("expiryDate", "expiry_date"),
    ("expirydate", "expiry_date"),
    ("unpublishdate", "expiry_date"),
    ("url", "path"),
];

/// Keys that name the old theme's templates or features ludd has no equivalent of: kept under
/// `extra` and reported.
const BEHAVIOUR: &[(&str, &str)] = &[
    ("cascade", "cascading front matter"),
    ("outputs", "other output formats"),
    ("transparent", "transparent sections"),
    ("page_template", "per-section page templates"),
    (
        "template",
        "the old theme's templates (the default theme's are used)",
    ),
    (
        "layout",
        "the old theme's layouts (the default theme's are used)",
    ),
    ("type", "content types of the old theme"),
];

/// Whether ludd reads `key` as it is in a section (`is_section`) or a page: one list, the load
/// stage's ([`crate::load::config::RESERVED_FRONT_MATTER_KEYS`]).
fn is_ludd_key(key: &str, is_section: bool) -> bool {
    crate::load::config::RESERVED_FRONT_MATTER_KEYS.contains(&key)
        && (is_section || !crate::load::front_matter::SECTION_ONLY_KEYS.contains(&key))
}

/// Converts the keys of one file to ludd's; notes every change.
pub fn convert(
    mut keys: Map<String, Value>,
    header: &str,
    cx: &Context,
    notes: &mut Notes,
) -> Map<String, Value> {
    let mut out = Map::new();
    let mut extra = match keys.remove("extra").or_else(|| keys.remove("params")) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let line = |k: &str| line_of(header, k);
    // Zola's [taxonomies] table: one key per taxonomy.
    if let Some(Value::Object(taxonomies)) = keys.remove("taxonomies") {
        for (name, terms) in taxonomies {
            notes.change(
                cx.file,
                line(&name).or(line("taxonomies")),
                format!("[taxonomies] {name} → {name}"),
            );
            out.insert(name, terms);
        }
    }
    // ludd's own keys first, so that a renamed key never replaces one written natively.
    let (native, other): (Vec<_>, Vec<_>) = keys
        .into_iter()
        .partition(|(k, _)| is_ludd_key(k, cx.is_section) && k != "template");
    for (key, value) in native.into_iter().chain(other) {
        // Hugo's `menu` entries become menus in site.toml (see `hugo`).
        if cx.tool == "Hugo" && (key == "menu" || key == "menus") {
            continue;
        }
        if cx.taxonomies.contains(&key) {
            out.insert(key, as_terms(value));
            continue;
        }
        if key == "sort_by" && cx.is_section {
            match value.as_str() {
                Some("weight" | "date" | "title") => {
                    out.insert(key, value);
                }
                Some("title_bytes") => {
                    notes.change(cx.file, line(&key), "sort_by = \"title_bytes\" → \"title\"");
                    out.insert(key, "title".into());
                }
                _ => {
                    notes.problem(cx.file, line(&key), format!("sort_by = {value} has no ludd equivalent (weight, date, title): moved to extra"));
                    extra.insert(key, value);
                }
            }
            continue;
        }
        if let Some(what) = hugo_no_page(&key, &value) {
            if out.contains_key("render") {
                extra.insert(key, value);
            } else {
                notes.change(cx.file, line(&key), format!("{what} → `render: false`"));
                out.insert("render".into(), Value::Bool(false));
            }
            continue;
        }
        if let Some((_, to)) = RENAMED.iter().find(|(from, _)| *from == key) {
            if out.contains_key(*to) {
                notes.change(
                    cx.file,
                    line(&key),
                    format!("`{key}` moved to extra (`{to}` is set)"),
                );
                extra.insert(key, value);
            } else if let Some(v) = checked(to, value, cx, line(&key), notes, &mut extra) {
                notes.change(cx.file, line(&key), format!("`{key}` → `{to}`"));
                out.insert((*to).to_string(), v);
            }
            continue;
        }
        if key == "linkTitle" || key == "linktitle" {
            notes.change(cx.file, line(&key), "`linkTitle` → `extra.link_title`");
            extra.insert("link_title".into(), value);
            continue;
        }
        if let Some((_, what)) = BEHAVIOUR.iter().find(|(k, _)| *k == key) {
            notes.problem(
                cx.file,
                line(&key),
                format!("`{key}` ({what}) has no ludd equivalent: kept as extra.{key}"),
            );
            extra.insert(key, value);
            continue;
        }
        if is_ludd_key(&key, cx.is_section) {
            if let Some(v) = checked(&key, value, cx, line(&key), notes, &mut extra) {
                out.insert(key, v);
            }
            continue;
        }
        notes.change(
            cx.file,
            line(&key),
            format!("`{key}` ({} only) moved to extra", cx.tool),
        );
        extra.insert(key, value);
    }
    // Hugo takes the date from publishDate when `date` is missing.
    if !out.contains_key("date")
        && let Some(d) = out.get("publish_date").cloned()
    {
        out.insert("date".into(), d);
    }
    if !extra.is_empty() {
        out.insert("extra".into(), Value::Object(extra));
    }
    out
}

/// Hugo's ways of saying a page has no page of its own (`headless: true`, `build: {render:
/// never}` or `link`, and `_build`), described for the note; `None` for anything else.
fn hugo_no_page(key: &str, value: &Value) -> Option<String> {
    let never = |v: &Value| match v {
        Value::Bool(b) => !b,
        Value::String(s) => matches!(s.to_ascii_lowercase().as_str(), "never" | "link" | "false"),
        _ => false,
    };
    match key {
        "headless" if value.as_bool() == Some(true) => Some("`headless: true`".into()),
        "build" | "_build" => value
            .get("render")
            .filter(|r| never(r))
            .map(|r| format!("`{key}: {{render: {r}}}`")),
        _ => None,
    }
}

/// A ludd key's value if it has the type ludd expects; otherwise moved to `extra` with a note.
fn checked(
    key: &str,
    value: Value,
    cx: &Context,
    line: Option<usize>,
    notes: &mut Notes,
    extra: &mut Map<String, Value>,
) -> Option<Value> {
    let ok = match key {
        "title" | "description" | "slug" | "translation_key" => match &value {
            Value::String(_) => true,
            Value::Number(_) | Value::Bool(_) => {
                notes.change(cx.file, line, format!("`{key}` written as text"));
                return Some(Value::String(value.to_string()));
            }
            _ => false,
        },
        "date" | "updated" | "publish_date" | "expiry_date" => match &value {
            Value::String(s) if s.trim().is_empty() => {
                notes.change(cx.file, line, format!("empty `{key}` removed"));
                return None;
            }
            Value::String(s) => crate::load::front_matter::Date::parse(s).is_some(),
            _ => false,
        },
        "draft" | "render" => value.is_boolean(),
        "path" | "redirect_to" => value.as_str().is_some_and(|s| !s.trim().is_empty()),
        "weight" => value.is_i64(),
        "aliases" => match value {
            Value::String(s) => {
                notes.change(cx.file, line, "`aliases` written as a list");
                return Some(Value::Array(vec![Value::String(s)]));
            }
            Value::Array(ref a) => a.iter().all(Value::is_string),
            _ => false,
        },
        _ => true,
    };
    if ok {
        Some(value)
    } else {
        notes.problem(
            cx.file,
            line,
            format!("`{key}` = {value} is not what ludd expects: moved to extra.{key}"),
        );
        extra.insert(key.to_string(), value);
        None
    }
}

/// Taxonomy terms as a list of strings.
fn as_terms(value: Value) -> Value {
    match value {
        Value::String(s) => Value::Array(vec![Value::String(s)]),
        Value::Array(a) => Value::Array(
            a.into_iter()
                .map(|v| match v {
                    Value::String(s) => Value::String(s),
                    other => Value::String(other.to_string()),
                })
                .collect(),
        ),
        Value::Null => Value::Array(Vec::new()),
        other => Value::Array(vec![Value::String(other.to_string())]),
    }
}

/// The file with `keys` as YAML front matter and `body`.
pub fn write(keys: &Map<String, Value>, body: &str) -> String {
    if keys.is_empty() {
        return format!("---\n---\n{body}");
    }
    let yaml = serde_yaml::to_string(keys).unwrap_or_default();
    format!("---\n{yaml}---\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hugo_keys_become_ludd_keys() {
        let text = "---\ntitle: A\nlastmod: 2024-01-02\nsummary: S\nlinkTitle: L\ntoc: true\nexpiryDate: 2030-01-01\ntags: x\n---\nBody\n";
        let p = parse(text).expect("parse");
        let mut notes = Notes::default();
        let cx = Context {
            file: Path::new("content/a.md"),
            is_section: false,
            taxonomies: &["tags".to_string()],
            tool: "Hugo",
        };
        let out = convert(p.keys, &p.header, &cx, &mut notes);
        assert_eq!(out["updated"], "2024-01-02");
        assert_eq!(out["description"], "S");
        assert_eq!(out["tags"], serde_json::json!(["x"]));
        assert_eq!(out["extra"]["link_title"], "L");
        assert_eq!(out["extra"]["toc"], true);
        // A native key now, with its line in the notes.
        assert_eq!(out["expiry_date"], "2030-01-01");
        assert!(notes.problems.is_empty(), "{:?}", notes.problems);
        assert!(
            notes
                .changes
                .iter()
                .any(|c| c.line == Some(7) && c.message.contains("`expiryDate` → `expiry_date`")),
            "{:?}",
            notes.changes
        );
        assert_eq!(p.body, "Body\n");
        assert_eq!(p.body_line, 10);
    }

    #[test]
    fn zola_taxonomies_table_and_json_front_matter() {
        let p = parse("+++\ntitle = \"A\"\n[taxonomies]\ntags = [\"x\"]\n+++\nB").expect("toml");
        let mut notes = Notes::default();
        let cx = Context {
            file: Path::new("a.md"),
            is_section: false,
            taxonomies: &[],
            tool: "Zola",
        };
        let out = convert(p.keys, &p.header, &cx, &mut notes);
        assert_eq!(out["tags"], serde_json::json!(["x"]));
        let j = parse("{\"title\": \"J\"}\nBody").expect("json");
        assert_eq!(j.keys["title"], "J");
        assert_eq!(j.body, "\nBody");
    }

    #[test]
    fn dates_urls_and_pageless_pages_map_to_native_keys() {
        let hugo = "---\ntitle: A\npublishDate: 2024-05-01\nunpublishdate: 2031-01-01\nurl: /press/a/\nheadless: true\n---\n";
        let p = parse(hugo).expect("parse");
        let mut notes = Notes::default();
        let cx = Context {
            file: Path::new("content/a.md"),
            is_section: false,
            taxonomies: &[],
            tool: "Hugo",
        };
        let out = convert(p.keys, &p.header, &cx, &mut notes);
        assert_eq!(out["publish_date"], "2024-05-01");
        // Hugo's date falls back to publishDate.
        assert_eq!(out["date"], "2024-05-01");
        assert_eq!(out["expiry_date"], "2031-01-01");
        assert_eq!(out["path"], "/press/a/");
        assert_eq!(out["render"], false);
        assert!(out.get("extra").is_none(), "{out:?}");
        let build = parse("---\ntitle: B\n_build:\n  render: never\n---\n").expect("parse");
        let out = convert(build.keys, &build.header, &cx, &mut notes);
        assert_eq!(out["render"], false);
        let zola = "+++\ntitle = \"S\"\npath = \"about\"\nrender = false\nredirect_to = \"docs/start\"\ntemplate = \"info.html\"\n+++\n";
        let p = parse(zola).expect("parse");
        let cx = Context {
            is_section: true,
            tool: "Zola",
            ..cx
        };
        let out = convert(p.keys, &p.header, &cx, &mut notes);
        assert_eq!(out["path"], "about");
        assert_eq!(out["render"], false);
        assert_eq!(out["redirect_to"], "docs/start");
        // The old theme's template names stay out of ludd's `template`.
        assert_eq!(out["extra"]["template"], "info.html");
        assert!(out.get("template").is_none());
        // A value ludd could not read goes to extra, reported.
        let bad = parse("---\ntitle: C\nexpiryDate: soon\n---\n").expect("parse");
        let before = notes.problems.len();
        let out = convert(bad.keys, &bad.header, &cx, &mut notes);
        assert_eq!(out["extra"]["expiry_date"], "soon");
        assert_eq!(notes.problems.len(), before + 1);
    }
}
