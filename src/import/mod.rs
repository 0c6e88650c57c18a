//! `ludd import zola|hugo <old-site> <new-site>`: writes a complete ludd site — `site.toml`
//! translated from the other tool's configuration, the converted content, its static files and
//! the default theme — into a new folder, and reports every change it made and everything it
//! could not convert, with file and line. The old site is only read, never written.
//!
//! `zola` and `hugo` read their tool's layout into a [`Plan`]; this module owns what they share:
//! the notes, content conversion per file, and writing the plan.

pub mod front_matter;
pub mod hugo;
pub mod shortcodes;
pub mod zola;

use crate::error::{Diagnostic, Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The tool a site comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// Zola.
    Zola,
    /// Hugo.
    Hugo,
}

/// One reported change or problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The old site's file, relative to its root.
    pub file: PathBuf,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// What happened.
    pub message: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Everything the import did (`changes`) and could not do (`problems`).
#[derive(Debug, Default, Clone)]
pub struct Notes {
    /// Conversions made.
    pub changes: Vec<Note>,
    /// What needs a look by hand.
    pub problems: Vec<Note>,
}

impl Notes {
    /// Records a change.
    pub fn change(&mut self, file: &Path, line: Option<usize>, message: impl Into<String>) {
        self.changes.push(Note {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        });
    }

    /// Records something not converted.
    pub fn problem(&mut self, file: &Path, line: Option<usize>, message: impl Into<String>) {
        self.problems.push(Note {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        });
    }
}

/// What an import writes: files by path in the new site, and files copied from the old one.
#[derive(Debug, Default)]
pub struct Plan {
    /// New-site path → bytes.
    pub writes: BTreeMap<String, Vec<u8>>,
    /// New-site path → old-site file.
    pub copies: BTreeMap<String, PathBuf>,
    /// Shortcodes the converted content calls.
    pub shortcodes: Vec<String>,
}

impl Plan {
    /// Adds a file to write.
    pub fn write(&mut self, rel: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.writes.insert(rel.into(), bytes.into());
    }

    /// Whether the new site gets a file at `rel`.
    pub fn has(&self, rel: &str) -> bool {
        self.writes.contains_key(rel) || self.copies.contains_key(rel)
    }
}

/// Imports the `tool` site at `from` into the new folder `to` (absent or empty).
pub fn import(tool: Tool, from: &Path, to: &Path) -> Result<Notes> {
    check_folders(from, to)?;
    let mut notes = Notes::default();
    let mut plan = match tool {
        Tool::Zola => zola::plan(from, &mut notes)?,
        Tool::Hugo => hugo::plan(from, &mut notes)?,
    };
    add_missing_shortcodes(&mut plan, &mut notes);
    write_plan(&plan, to)?;
    crate::init::write_theme(to)?;
    Ok(notes)
}

/// Refuses a missing old site, a non-empty new folder, and folders inside each other.
fn check_folders(from: &Path, to: &Path) -> Result<()> {
    if !from.is_dir() {
        return Err(Diagnostic::new(from, "the old site is not a folder")
            .with_help("give the folder that holds the old site's config file")
            .into());
    }
    crate::init::require_new_or_empty(
        to,
        "the new site's folder is not empty",
        "give a new or empty folder; ludd import never overwrites files",
    )?;
    let old = from
        .canonicalize()
        .map_err(|e| Error::io("resolve", from, e))?;
    let new_parent = to.parent().filter(|p| !p.as_os_str().is_empty());
    let new = match (to.canonicalize(), new_parent) {
        (Ok(p), _) => p,
        (Err(_), Some(parent)) => parent
            .canonicalize()
            .map_err(|e| Error::io("resolve", parent, e))?
            .join(to.file_name().unwrap_or_default()),
        (Err(_), None) => std::env::current_dir()
            .map_err(|e| Error::io("resolve", to, e))?
            .join(to),
    };
    if new.starts_with(&old) || old.starts_with(&new) {
        return Err(Diagnostic::new(
            to,
            "the new site may not be inside the old one, nor the other way round",
        )
        .with_help("write the new site into a folder next to the old one")
        .into());
    }
    Ok(())
}

/// A placeholder template for each shortcode the default theme lacks, so that the site builds;
/// each is reported.
fn add_missing_shortcodes(plan: &mut Plan, notes: &mut Notes) {
    let mut names = plan.shortcodes.clone();
    names.sort();
    names.dedup();
    for name in names {
        if shortcodes::THEME_SHORTCODES.contains(&name.as_str()) {
            continue;
        }
        let rel = format!("templates/shortcodes/{name}.html");
        plan.write(
            rel.clone(),
            format!("{{#- Placeholder written by `ludd import`: the old site's `{name}` shortcode. It shows its body only; write the real template here. -#}}\n{{{{ body | default(value=\"\") | safe }}}}\n"),
        );
        notes.problem(
            Path::new(&rel),
            None,
            format!("the default theme has no `{name}` shortcode: wrote a placeholder that shows only its body"),
        );
    }
}

/// Writes the plan into `to`.
fn write_plan(plan: &Plan, to: &Path) -> Result<()> {
    let ensure_parent = |path: &Path| -> Result<()> {
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| Error::io("create directory", p, e))?;
        }
        Ok(())
    };
    std::fs::create_dir_all(to).map_err(|e| Error::io("create directory", to, e))?;
    for (rel, bytes) in &plan.writes {
        let path = to.join(rel);
        ensure_parent(&path)?;
        crate::write::atomic::write(&path, bytes).map_err(|e| Error::io("write", &path, e))?;
    }
    for (rel, source) in &plan.copies {
        let path = to.join(rel);
        ensure_parent(&path)?;
        let mut file = std::fs::File::open(source).map_err(|e| Error::io("read", source, e))?;
        crate::write::atomic::copy(&path, &mut file).map_err(|e| Error::io("write", &path, e))?;
    }
    Ok(())
}

/// Every regular file below `dir` (symlinks are not followed), as (path relative to `dir`, path).
pub fn files_below(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_str()?
                .replace('\\', "/");
            Some((rel, e.path().to_path_buf()))
        })
        .collect();
    out.sort();
    out
}

/// One content file of the old site, placed in the new one.
pub struct ContentFile<'a> {
    /// The old file, relative to the old site's root (for notes).
    pub shown: PathBuf,
    /// Its text.
    pub text: &'a str,
    /// Its path in the new `content/`.
    pub new_rel: String,
    /// The tool's shortcode syntax is Hugo's.
    pub hugo_shortcodes: bool,
    /// Hugo: (language prefix like `/fa` or empty, the page's parent URL like `/blog/`), which
    /// relative aliases and the aliases of other languages are taken from.
    pub alias_base: Option<(String, String)>,
    /// The language prefix (`/fa`, empty in the default language) that the old tool's exact
    /// URL (`url`, `path`) includes and ludd's `path` does not.
    pub lang_prefix: String,
}

/// Converts one Markdown file (front matter and, for Hugo, shortcodes) into the plan.
pub fn convert_content(
    file: &ContentFile,
    taxonomies: &[String],
    tool: &str,
    refs: &dyn shortcodes::RefResolver,
    plan: &mut Plan,
    notes: &mut Notes,
) -> Option<serde_json::Map<String, serde_json::Value>> {
    let parsed = match front_matter::parse(file.text) {
        Ok(p) => p,
        Err(e) => {
            notes.problem(&file.shown, Some(1), format!("{e}: copied unchanged"));
            plan.write(
                format!("content/{}", file.new_rel),
                file.text.as_bytes().to_vec(),
            );
            return None;
        }
    };
    let is_section = file
        .new_rel
        .rsplit('/')
        .next()
        .is_some_and(|n| n.starts_with("_index."));
    let cx = front_matter::Context {
        file: &file.shown,
        is_section,
        taxonomies,
        tool,
    };
    let mut keys = front_matter::convert(parsed.keys, &parsed.header, &cx, notes);
    language_relative_path(
        &mut keys,
        &file.lang_prefix,
        &file.shown,
        front_matter::line_of(&parsed.header, "url")
            .or_else(|| front_matter::line_of(&parsed.header, "path")),
        notes,
    );
    if let Some(base) = &file.alias_base {
        rewrite_aliases(
            &mut keys,
            base,
            &file.shown,
            front_matter::line_of(&parsed.header, "aliases"),
            notes,
        );
    }
    let body = if file.hugo_shortcodes {
        let (body, used) =
            shortcodes::convert(&parsed.body, parsed.body_line, &file.shown, refs, notes);
        plan.shortcodes.extend(used);
        body
    } else {
        plan.shortcodes
            .extend(zola::shortcodes_called(&parsed.body));
        parsed.body
    };
    let body = root_relative_links(
        &body,
        parsed.body_line,
        &file.lang_prefix,
        refs,
        &file.shown,
        notes,
    );
    plan.write(
        format!("content/{}", file.new_rel),
        front_matter::write(&keys, &body),
    );
    Some(keys)
}

/// The content file (`@/docs/a.md`) whose URL is the site path `path` (`/docs/a/`; `/` for
/// the home page) among `known` (paths below `content/` without language codes).
pub fn file_for_url(known: &std::collections::BTreeSet<String>, path: &str) -> Option<String> {
    let p = path.trim_matches('/');
    let candidates = if p.is_empty() {
        vec!["_index.md".to_string()]
    } else {
        vec![
            format!("{p}.md"),
            format!("{p}/index.md"),
            format!("{p}/_index.md"),
        ]
    };
    candidates
        .into_iter()
        .find(|c| known.contains(c))
        .map(|c| format!("@/{c}"))
}

/// Root-relative Markdown links of `body` (`[x](/docs/a/)`, or `[x](/fa/docs/a/#b)` on a page
/// whose language prefix is `/fa`) that name a content file, as `@/` links: ludd gives those
/// the base path and the page's language, which a link written as a path lacks on a site
/// under a base path (`https://user.github.io/project`). Code blocks and code spans are left
/// as they are; each change is noted with its line.
fn root_relative_links(
    body: &str,
    first_line: usize,
    lang_prefix: &str,
    refs: &dyn shortcodes::RefResolver,
    file: &Path,
    notes: &mut Notes,
) -> String {
    if !body.contains("](/") {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut fenced = false;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
        }
        if fenced || !line.contains("](/") {
            out.push_str(line);
            continue;
        }
        // Outside code spans only: the even parts between backticks.
        for (k, part) in line.split('`').enumerate() {
            if k > 0 {
                out.push('`');
            }
            if k % 2 == 1 {
                out.push_str(part);
                continue;
            }
            let mut rest = part;
            while let Some(at) = rest.find("](/") {
                out.push_str(&rest[..at + 2]);
                let after = &rest[at + 2..];
                let end = after.find([')', ' ', '"']).unwrap_or(after.len());
                let link = &after[..end];
                match link_as_file(link, lang_prefix, refs) {
                    Some(target) => {
                        notes.change(
                            file,
                            Some(first_line + i),
                            format!("link `{link}` → `{target}`"),
                        );
                        out.push_str(&target);
                    }
                    None => out.push_str(link),
                }
                rest = &after[end..];
            }
            out.push_str(rest);
        }
    }
    out
}

/// `@/docs/a.md#b` for the link `/docs/a/#b` (below `lang_prefix` on another language's page),
/// if a content file has that URL.
fn link_as_file(
    link: &str,
    lang_prefix: &str,
    refs: &dyn shortcodes::RefResolver,
) -> Option<String> {
    if link.starts_with("//") || link.contains('?') {
        return None;
    }
    let (path, fragment) = match link.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (link, None),
    };
    let path = path
        .strip_prefix(lang_prefix)
        .filter(|r| !lang_prefix.is_empty() && (r.is_empty() || r.starts_with('/')))
        .unwrap_or(path);
    let file = refs.resolve_url(path)?;
    Some(match fragment {
        Some(f) => format!("{file}#{f}"),
        None => file,
    })
}

/// Hugo's `url` and Zola's `path` (both now `path`) as ludd's, which is below the page's
/// language prefix: `/fa/about/` (Hugo) or `fa/about` (Zola) on a Persian page is ludd's
/// `/about/`. One of another language's page that does not start with its prefix moves under
/// it (noted).
fn language_relative_path(
    keys: &mut serde_json::Map<String, serde_json::Value>,
    prefix: &str,
    file: &Path,
    line: Option<usize>,
    notes: &mut Notes,
) {
    let Some(serde_json::Value::String(path)) = keys.get_mut("path") else {
        return;
    };
    if prefix.is_empty() {
        return;
    }
    let rooted = format!("/{}", path.trim_start_matches('/'));
    let inner = rooted
        .strip_prefix(prefix)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'));
    match inner {
        Some(rest) => {
            let rest = if rest.is_empty() { "/" } else { rest };
            notes.change(
                file,
                line,
                format!("path `{path}` → `{rest}` (ludd adds the language prefix `{prefix}`)"),
            );
            *path = rest.to_string();
        }
        None => notes.change(
            file,
            line,
            format!("path `{path}` is served under the language prefix: {prefix}{rooted}"),
        ),
    }
}

/// Hugo's aliases as ludd's root-relative ones: a relative alias is relative to the page's
/// parent URL, an alias of another language than the default lives under its prefix, and an
/// alias with `*` (a host redirect rule, not a page) is left out.
fn rewrite_aliases(
    keys: &mut serde_json::Map<String, serde_json::Value>,
    (prefix, parent): &(String, String),
    file: &Path,
    line: Option<usize>,
    notes: &mut Notes,
) {
    let Some(serde_json::Value::Array(list)) = keys.get_mut("aliases") else {
        return;
    };
    let mut out = Vec::new();
    for a in list.iter().filter_map(|v| v.as_str()) {
        if a.contains('*') {
            notes.problem(
                file,
                line,
                format!("alias `{a}` is a redirect rule of the host, not a page: left out"),
            );
            continue;
        }
        let absolute = if a.starts_with('/') {
            if prefix.is_empty() || a.starts_with(&format!("{prefix}/")) {
                a.to_string()
            } else {
                format!("{prefix}{a}")
            }
        } else {
            format!("{prefix}{parent}{a}")
        };
        if absolute != a {
            notes.change(file, line, format!("alias `{a}` → `{absolute}`"));
        }
        out.push(serde_json::Value::String(absolute));
    }
    if out.is_empty() {
        keys.remove("aliases");
    } else {
        *list = out;
    }
}

/// `name = "…"` and `direction` for a language ludd writes into `site.toml`.
pub fn language_table(code: &str, name: Option<&str>) -> toml::Table {
    let mut t = toml::Table::new();
    let name = name
        .map(str::to_string)
        .or_else(|| crate::locale::endonym(code).map(str::to_string))
        .unwrap_or_else(|| code.to_string());
    t.insert("name".into(), name.into());
    if crate::locale::is_rtl(code) {
        t.insert("direction".into(), "rtl".into());
    }
    t
}

/// JSON (from any config format) as TOML, dropping nulls, which TOML cannot hold.
pub fn json_to_toml(value: &serde_json::Value) -> Option<toml::Value> {
    use serde_json::Value as J;
    Some(match value {
        J::Null => return None,
        J::Bool(b) => toml::Value::Boolean(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        J::String(s) => toml::Value::String(s.clone()),
        J::Array(a) => toml::Value::Array(a.iter().filter_map(json_to_toml).collect()),
        J::Object(m) => toml::Value::Table(
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), json_to_toml(v)?)))
                .collect(),
        ),
    })
}

/// A usable `base_url`: absolute URLs stay, anything else becomes `https://example.org`.
pub fn base_url(value: Option<&str>, config_file: &Path, notes: &mut Notes) -> String {
    match value {
        Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
            u.trim_end_matches('/').to_string()
        }
        other => {
            notes.problem(
                config_file,
                None,
                format!(
                    "base URL {:?} is not an absolute URL: site.toml says https://example.org; set base_url to the site's address",
                    other.unwrap_or("")
                ),
            );
            "https://example.org".into()
        }
    }
}

/// The converted `site.toml` text.
pub fn site_toml(table: toml::Table, tool: &str) -> String {
    let body = toml::to_string(&table).unwrap_or_default();
    format!(
        "# Imported from {tool} by `ludd import`. Every key is documented in ludd's README.\n{body}"
    )
}
