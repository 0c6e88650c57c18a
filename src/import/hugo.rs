//! Hugo sites: `hugo.toml|yaml|json`, `config.toml|yaml|yml|json` or `config/_default/` (with
//! `languages.*`, `menus.*`, `params.*`) → `site.toml` (title, URL, languages with their
//! direction, taxonomies, menus with `pageRef`/`url`, `params` → `[extra]`); content in either of
//! Hugo's layouts — a folder per language (`contentDir`) or a file name per language — written in
//! ludd's file-name-per-language layout, front matter converted (`menu` entries → menus),
//! shortcodes rewritten, a section page for every top-level folder (Hugo makes one), and
//! `static/`.

use super::{ContentFile, Notes, Plan, files_below, json_to_toml, language_table};
use crate::error::{Diagnostic, Error, Result};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Config file names Hugo reads, in its order of preference.
const CONFIG_FILES: &[&str] = &[
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
    "config.json",
];

/// Parses a config file by its extension; keys are lowercased (Hugo's keys are case-insensitive).
fn read_config(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let value: std::result::Result<Value, String> = match ext {
        "toml" => toml::from_str::<toml::Table>(&text)
            .map(|t| crate::load::front_matter::toml_to_json(toml::Value::Table(t)))
            .map_err(|e| e.message().to_string()),
        "json" => serde_json::from_str(&text).map_err(|e| e.to_string()),
        _ => serde_yaml::from_str(&text).map_err(|e| e.to_string()),
    };
    value.map(lower_keys).map_err(|e| {
        Error::invalid(Diagnostic::new(
            path,
            format!("the config cannot be read: {e}"),
        ))
    })
}

/// Lowercases the keys of tables, except below `params` (a site's own data keeps its case).
fn lower_keys(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let lower = k.to_lowercase();
                    let v = if lower == "params" { v } else { lower_keys(v) };
                    (lower, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(lower_keys).collect()),
        other => other,
    }
}

/// The site's configuration, merged from the config file or `config/_default/`, and the file
/// to name in notes.
fn load_config(root: &Path) -> Result<(Value, PathBuf)> {
    for name in CONFIG_FILES {
        let p = root.join(name);
        if p.is_file() {
            return Ok((read_config(&p)?, PathBuf::from(name)));
        }
    }
    let dir = root.join("config/_default");
    if dir.is_dir() {
        let mut merged = Map::new();
        for (rel, path) in files_below(&dir) {
            let Some(stem) = Path::new(&rel).file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            let value = read_config(&path)?;
            // `menus.en.toml` holds the menus of language `en`.
            let mut parts = stem.split('.');
            let head = parts.next().unwrap_or("").to_lowercase();
            let lang = parts.next().map(str::to_lowercase);
            match (head.as_str(), lang) {
                ("hugo" | "config", _) => {
                    if let Value::Object(m) = value {
                        merged.extend(m);
                    }
                }
                ("menus" | "menu", Some(lang)) => {
                    let langs = merged
                        .entry("languages")
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(l) = langs {
                        let entry = l.entry(lang).or_insert_with(|| Value::Object(Map::new()));
                        if let Value::Object(e) = entry {
                            e.insert("menus".into(), value);
                        }
                    }
                }
                (key, _) => {
                    let slot = merged
                        .entry(key.to_string())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let (Value::Object(s), Value::Object(v)) = (slot, value) {
                        for (k, v) in v {
                            match (s.get_mut(&k), v) {
                                (Some(Value::Object(a)), Value::Object(b)) => a.extend(b),
                                (_, v) => {
                                    s.insert(k, v);
                                }
                            }
                        }
                    }
                }
            }
        }
        return Ok((Value::Object(merged), PathBuf::from("config/_default")));
    }
    Err(Diagnostic::new(
        root,
        "no Hugo config (hugo.toml, config.toml, config.yaml, … or config/_default/)",
    )
    .with_help("give the folder of a Hugo site, or use `ludd import zola` for a Zola site")
    .into())
}

/// One configured language.
struct Lang {
    code: String,
    weight: i64,
    table: toml::Table,
    content_dir: Option<String>,
    menus: Option<Value>,
}

/// Reads the Hugo site at `root` into a plan.
pub fn plan(root: &Path, notes: &mut Notes) -> Result<Plan> {
    let (config, shown) = load_config(root)?;
    let get = |k: &str| config.get(k);
    let str_of = |k: &str| get(k).and_then(|v| v.as_str()).map(str::to_string);
    let mut site = toml::Table::new();
    site.insert(
        "title".into(),
        str_of("title").unwrap_or_else(|| "Site".into()).into(),
    );
    site.insert(
        "base_url".into(),
        super::base_url(str_of("baseurl").as_deref(), &shown, notes).into(),
    );
    let default = str_of("defaultcontentlanguage")
        .unwrap_or_else(|| "en".into())
        .to_lowercase();
    site.insert("default_language".into(), default.clone().into());
    site.insert("theme".into(), "campaign".into());
    if get("defaultcontentlanguageinsubdir").and_then(|v| v.as_bool()) == Some(true) {
        site.insert("default_language_in_subdir".into(), true.into());
    }
    let disabled: Vec<String> = get("disablelanguages")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_lowercase))
                .collect()
        })
        .unwrap_or_default();
    let mut langs = languages(&config, &default, &disabled, &shown, notes);
    langs.sort_by_key(|l| (l.code != default, l.weight));
    let codes: Vec<String> = langs.iter().map(|l| l.code.clone()).collect();
    // Taxonomies: Hugo's default is tags and categories.
    let taxonomy_names: Vec<String> = match get("taxonomies").and_then(|v| v.as_object()) {
        Some(m) => m
            .values()
            .filter_map(|v| v.as_str().map(str::to_lowercase))
            .collect(),
        None => vec!["tags".into(), "categories".into()],
    };
    site.insert(
        "taxonomies".into(),
        toml::Value::Array(
            taxonomy_names
                .iter()
                .map(|n| {
                    let mut t = toml::Table::new();
                    t.insert("name".into(), n.clone().into());
                    toml::Value::Table(t)
                })
                .collect(),
        ),
    );
    if let Some(extra) = get("params").and_then(json_to_toml) {
        site.insert("extra".into(), extra);
    }
    for key in config.as_object().into_iter().flat_map(|m| m.keys()) {
        if ![
            "title",
            "baseurl",
            "defaultcontentlanguage",
            "defaultcontentlanguageinsubdir",
            "languages",
            "taxonomies",
            "params",
            "menus",
            "menu",
            "theme",
            "disablelanguages",
            "languagecode",
            "contentdir",
        ]
        .contains(&key.as_str())
        {
            notes.problem(
                &shown,
                None,
                format!("`{key}` is not converted (ludd has no such setting)"),
            );
        }
    }
    if let Some(theme) = get("theme") {
        notes.change(
            &shown,
            None,
            format!("theme {theme} replaced by ludd's default theme"),
        );
    }
    let mut menus = Menus::default();
    menus.add_config(None, get("menus").or_else(|| get("menu")), &shown, notes);
    for l in &langs {
        menus.add_config(Some(&l.code), l.menus.as_ref(), &shown, notes);
    }
    // Content: a folder per language (contentDir) or one tree with file names per language.
    let mut plan = Plan::default();
    let shared_dir = str_of("contentdir").unwrap_or_else(|| "content".into());
    // (language of the folder or "", file, path shown in notes, path inside the content folder)
    let mut sources: Vec<(String, PathBuf, String, String)> = Vec::new();
    let mut roots: BTreeSet<String> = BTreeSet::new();
    for l in &langs {
        let dir = l.content_dir.clone().unwrap_or_else(|| shared_dir.clone());
        if roots.insert(format!(
            "{}\u{0}{}",
            dir,
            if l.content_dir.is_some() { &l.code } else { "" }
        )) {
            let lang = if l.content_dir.is_some() {
                l.code.clone()
            } else {
                String::new()
            };
            for (rel, path) in files_below(&root.join(&dir)) {
                let shown = format!("{}/{rel}", dir.trim_end_matches('/'));
                sources.push((lang.clone(), path, shown, rel));
            }
        }
    }
    if langs.iter().any(|l| l.content_dir.is_some()) {
        notes.change(&shown, None, "content folders per language (contentDir) merged into one tree with a language code in each file name");
    }
    sources.sort();
    sources.dedup_by(|a, b| a.1 == b.1);
    let files = place_files(&sources, &codes, &default);
    let refs = Refs {
        known: files
            .iter()
            .filter(|f| f.new_rel.ends_with(".md"))
            .map(|f| neutral(&f.new_rel, &codes))
            .collect(),
    };
    let mut refs = refs;
    // The section pages written below for top-level folders can be linked too.
    let tops: Vec<String> = refs
        .known
        .iter()
        .filter_map(|k| k.split_once('/').map(|(top, _)| top.to_string()))
        .filter(|top| !refs.known.contains(&format!("{top}/index.md")))
        .collect();
    for top in tops {
        refs.known.insert(format!("{top}/_index.md"));
    }
    menus.resolve_pages(&refs, &shown, notes);
    for f in &files {
        let shown_path = PathBuf::from(&f.old_rel);
        if !f.new_rel.ends_with(".md") {
            if plan.copies.contains_key(&format!("content/{}", f.new_rel)) {
                if std::fs::read(&f.path).ok()
                    != plan
                        .copies
                        .get(&format!("content/{}", f.new_rel))
                        .and_then(|p| std::fs::read(p).ok())
                {
                    notes.problem(&shown_path, None, "a file of the same name in another language's folder differs: the first language's is kept");
                }
                continue;
            }
            plan.copies
                .insert(format!("content/{}", f.new_rel), f.path.clone());
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&f.path) else {
            notes.problem(&shown_path, None, "not valid UTF-8: left out");
            continue;
        };
        let menu_entries = front_matter_menus(&text);
        let keys = super::convert_content(
            &ContentFile {
                shown: shown_path.clone(),
                text: &text,
                new_rel: f.new_rel.clone(),
                hugo_shortcodes: true,
                alias_base: Some(alias_base(&f.new_rel, &f.lang, &default)),
                lang_prefix: alias_base(&f.new_rel, &f.lang, &default).0,
            },
            &taxonomy_names,
            "Hugo",
            &refs,
            &mut plan,
            notes,
        );
        if let Some(m) = menu_entries {
            menus.add_page(
                &f.lang,
                &neutral(&f.new_rel, &codes),
                &m,
                &shown_path,
                notes,
            );
        }
        if f.old_rel.trim_start_matches("./")
            != format!("{}/{}", shared_dir.trim_end_matches('/'), f.new_rel)
        {
            notes.change(
                &shown_path,
                None,
                format!("written as content/{}", f.new_rel),
            );
        }
        let _ = keys;
    }
    // Hugo makes a section of every top-level folder and a home page per language.
    let mut sections: BTreeMap<(String, String), ()> = BTreeMap::new();
    for f in files.iter().filter(|f| f.new_rel.ends_with(".md")) {
        if let Some((top, _)) = f.new_rel.split_once('/') {
            sections.insert((top.to_string(), f.lang.clone()), ());
        }
    }
    for ((top, lang), ()) in sections {
        let suffix = if lang == default {
            String::new()
        } else {
            format!(".{lang}")
        };
        let rel = format!("content/{top}/_index{suffix}.md");
        let page_rel = format!("content/{top}/index{suffix}.md");
        if plan.has(&rel) || plan.has(&page_rel) {
            continue;
        }
        let title = title_case(top.as_str());
        plan.write(
            rel.clone(),
            format!("---\ntitle: {}\n---\n", Value::from(title)),
        );
        notes.change(
            Path::new(&rel),
            None,
            format!(
                "section page for `{top}/` written (Hugo makes one for every top-level folder)"
            ),
        );
    }
    let mut lang_tables = toml::Table::new();
    for l in &langs {
        let mut t = l.table.clone();
        if let Some(m) = menus.for_language(&l.code) {
            t.insert("menus".into(), m);
        }
        lang_tables.insert(l.code.clone(), t.into());
    }
    if let Some(m) = menus.for_language("") {
        site.insert("menus".into(), m);
    }
    site.insert("languages".into(), lang_tables.into());
    super::zola::add_homes(&mut plan, &codes, &site, notes);
    for (rel, file) in files_below(&root.join("static")) {
        plan.copies.insert(format!("static/{rel}"), file);
    }
    for dir in ["layouts", "assets", "data", "i18n", "themes", "archetypes"] {
        if root.join(dir).is_dir() {
            notes.problem(
                Path::new(dir),
                None,
                format!("{dir}/ is not converted: the default theme is used"),
            );
        }
    }
    plan.write("site.toml", super::site_toml(site, "Hugo"));
    Ok(plan)
}

/// The configured languages (or the default one alone).
fn languages(
    config: &Value,
    default: &str,
    disabled: &[String],
    shown: &Path,
    notes: &mut Notes,
) -> Vec<Lang> {
    let mut out = Vec::new();
    if let Some(m) = config.get("languages").and_then(|v| v.as_object()) {
        for (code, v) in m {
            let code = code.to_lowercase();
            if disabled.contains(&code) {
                continue;
            }
            let name = v
                .get("languagename")
                .or_else(|| v.get("label"))
                .and_then(|n| n.as_str());
            let mut table = language_table(&code, name);
            if let Some(dir) = v
                .get("languagedirection")
                .or_else(|| v.get("direction"))
                .and_then(|d| d.as_str())
            {
                if dir == "rtl" {
                    table.insert("direction".into(), "rtl".into());
                } else {
                    table.remove("direction");
                }
            }
            if let Some(t) = v.get("title").and_then(|t| t.as_str()) {
                table.insert("title".into(), t.into());
            }
            if let Some(d) = v
                .get("params")
                .and_then(|p| p.get("description"))
                .and_then(|d| d.as_str())
            {
                table.insert("description".into(), d.into());
            }
            if let Some(extra) = v.get("params").and_then(json_to_toml) {
                table.insert("extra".into(), extra);
            }
            if code != default {
                table.insert("fallback".into(), true.into());
            }
            for key in v.as_object().into_iter().flat_map(|m| m.keys()) {
                if ![
                    "languagename",
                    "languagedirection",
                    "title",
                    "params",
                    "weight",
                    "contentdir",
                    "menus",
                    "menu",
                    "languagecode",
                ]
                .contains(&key.as_str())
                {
                    notes.problem(
                        shown,
                        None,
                        format!("[languages.{code}] `{key}` is not converted"),
                    );
                }
            }
            out.push(Lang {
                weight: v.get("weight").and_then(|w| w.as_i64()).unwrap_or(0),
                content_dir: v
                    .get("contentdir")
                    .and_then(|d| d.as_str())
                    .map(str::to_string),
                menus: v.get("menus").or_else(|| v.get("menu")).cloned(),
                table,
                code,
            });
        }
    }
    if !out.iter().any(|l| l.code == default) {
        out.push(Lang {
            code: default.to_string(),
            weight: 0,
            table: language_table(default, None),
            content_dir: None,
            menus: None,
        });
    }
    out
}

/// A content file's place in the new site.
struct Placed {
    old_rel: String,
    path: PathBuf,
    new_rel: String,
    lang: String,
}

/// Gives every file its language and its path in the new `content/` (`x.<lang>.md` for the
/// languages other than the default).
fn place_files(
    sources: &[(String, PathBuf, String, String)],
    codes: &[String],
    default: &str,
) -> Vec<Placed> {
    let mut out = Vec::new();
    for (dir_lang, path, old_rel, rel) in sources {
        let rel = rel.clone();
        let (stem_rel, file_lang) = split_lang(&rel, codes);
        let lang = if !dir_lang.is_empty() {
            dir_lang.clone()
        } else {
            file_lang.unwrap_or_else(|| default.to_string())
        };
        let new_rel = if rel.ends_with(".md") && lang != default {
            format!("{}.{lang}.md", stem_rel.trim_end_matches(".md"))
        } else if rel.ends_with(".md") {
            stem_rel.clone()
        } else {
            rel.clone()
        };
        out.push(Placed {
            old_rel: old_rel.clone(),
            path: path.clone(),
            new_rel,
            lang,
        });
    }
    out
}

/// `posts/a.fr.md` → (`posts/a.md`, Some("fr")) when `fr` is configured.
fn split_lang(rel: &str, codes: &[String]) -> (String, Option<String>) {
    if let Some(stem) = rel.strip_suffix(".md")
        && let Some((base, code)) = stem.rsplit_once('.')
        && codes.iter().any(|c| c == code)
        && !code.contains('/')
    {
        return (format!("{base}.md"), Some(code.to_string()));
    }
    (rel.to_string(), None)
}

/// (language prefix, parent URL) of a content file, for its aliases.
fn alias_base(new_rel: &str, lang: &str, default: &str) -> (String, String) {
    let prefix = if lang == default {
        String::new()
    } else {
        format!("/{lang}")
    };
    let mut parts: Vec<&str> = new_rel.split('/').collect();
    parts.pop();
    let name = new_rel.rsplit('/').next().unwrap_or("");
    // A bundle's URL is its folder: its parent is one folder up.
    if name.starts_with("index.") || name.starts_with("_index.") {
        parts.pop();
    }
    let parent = if parts.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", parts.join("/"))
    };
    (prefix, parent)
}

/// The language-neutral content path (`posts/a.fr.md` → `posts/a.md`).
pub(super) fn neutral(rel: &str, codes: &[String]) -> String {
    split_lang(rel, codes).0
}

fn title_case(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Resolves `ref` paths against the content files.
struct Refs {
    known: BTreeSet<String>,
}

impl super::shortcodes::RefResolver for Refs {
    fn resolve_url(&self, path: &str) -> Option<String> {
        super::file_for_url(&self.known, path)
    }

    fn resolve(&self, path: &str) -> Option<String> {
        let p = path.trim_start_matches('/').trim_end_matches('/');
        let base = p.trim_end_matches(".md");
        if let Some(found) = super::file_for_url(&self.known, base).filter(|_| !base.is_empty()) {
            return Some(found);
        }
        // A bare name: the one file with that name anywhere.
        let name = base.rsplit('/').next().unwrap_or(base);
        let found: Vec<&String> = self
            .known
            .iter()
            .filter(|k| {
                k.ends_with(&format!("/{name}.md"))
                    || **k == format!("{name}.md")
                    || k.ends_with(&format!("/{name}/index.md"))
            })
            .collect();
        match found.as_slice() {
            [one] => Some(format!("@/{one}")),
            _ => None,
        }
    }
}

/// Menus from the config and from pages' `menu` front matter, per language ("" = all).
#[derive(Default)]
struct Menus {
    by_lang: BTreeMap<String, BTreeMap<String, Vec<toml::Table>>>,
}

impl Menus {
    fn add_config(
        &mut self,
        lang: Option<&str>,
        menus: Option<&Value>,
        shown: &Path,
        notes: &mut Notes,
    ) {
        let Some(Value::Object(menus)) = menus else {
            return;
        };
        for (name, entries) in menus {
            for e in entries.as_array().into_iter().flatten() {
                let mut t = toml::Table::new();
                if let Some(page) = e.get("pageref").and_then(|p| p.as_str()) {
                    // Resolved against the content files later (see `resolve_pages`).
                    t.insert("page".into(), page.into());
                } else if let Some(url) = e.get("url").and_then(|u| u.as_str()) {
                    t.insert("url".into(), url.into());
                } else {
                    notes.problem(
                        shown,
                        None,
                        format!("menu `{name}` entry without pageRef or url: left out"),
                    );
                    continue;
                }
                let label = e
                    .get("name")
                    .and_then(|n| n.as_str())
                    .or_else(|| e.get("identifier").and_then(|n| n.as_str()));
                match label {
                    Some(n) => {
                        t.insert("name".into(), n.into());
                    }
                    None if t.contains_key("url") => {
                        t.insert("name".into(), t["url"].clone());
                    }
                    None => {}
                }
                if let Some(w) = e.get("weight").and_then(|w| w.as_i64()) {
                    t.insert("weight".into(), w.into());
                }
                if e.get("parent").is_some() {
                    notes.problem(
                        shown,
                        None,
                        format!("menu `{name}`: nested entries (parent) are listed flat"),
                    );
                }
                self.by_lang
                    .entry(lang.unwrap_or("").to_string())
                    .or_default()
                    .entry(name.clone())
                    .or_default()
                    .push(t);
            }
        }
        notes.change(
            shown,
            None,
            format!(
                "menus of {} → [[{}menus.…]]",
                lang.unwrap_or("every language"),
                lang.map(|l| format!("languages.{l}.")).unwrap_or_default()
            ),
        );
    }

    /// A page's `menu` front matter: `main`, `[main, footer]` or `{ main: { weight, name } }`.
    fn add_page(&mut self, lang: &str, rel: &str, menu: &Value, shown: &Path, notes: &mut Notes) {
        let entries: Vec<(String, Map<String, Value>)> = match menu {
            Value::String(s) => vec![(s.clone(), Map::new())],
            Value::Array(a) => a
                .iter()
                .filter_map(|v| v.as_str().map(|s| (s.to_string(), Map::new())))
                .collect(),
            Value::Object(m) => m
                .iter()
                .map(|(k, v)| (k.clone(), v.as_object().cloned().unwrap_or_default()))
                .collect(),
            _ => Vec::new(),
        };
        for (name, opts) in entries {
            let mut t = toml::Table::new();
            t.insert("page".into(), format!("@/{rel}").into());
            if let Some(n) = opts.get("name").and_then(|n| n.as_str()) {
                t.insert("name".into(), n.into());
            }
            if let Some(w) = opts.get("weight").and_then(|w| w.as_i64()) {
                t.insert("weight".into(), w.into());
            }
            notes.change(
                shown,
                super::front_matter::line_of("", "menu"),
                format!("`menu: {name}` → [[languages.{lang}.menus.{name}]] in site.toml"),
            );
            self.by_lang
                .entry(lang.to_string())
                .or_default()
                .entry(name)
                .or_default()
                .push(t);
        }
    }

    /// The menus of `lang` ("": of every language). A language's menu also holds the entries
    /// of the every-language menu of that name, since it replaces that menu in ludd.
    /// Turns each config entry's Hugo `pageRef` into an `@/` path; entries naming no content
    /// file are left out and reported.
    fn resolve_pages(&mut self, refs: &Refs, shown: &Path, notes: &mut Notes) {
        use super::shortcodes::RefResolver as _;
        for menus in self.by_lang.values_mut() {
            for (name, entries) in menus.iter_mut() {
                entries.retain_mut(|t| {
                    let Some(page) = t.get("page").and_then(|p| p.as_str()).map(str::to_string) else {
                        return true;
                    };
                    if page.starts_with("@/") {
                        return true;
                    }
                    let trimmed = page.trim_matches('/');
                    let found = if trimmed.is_empty() { Some("@/_index.md".to_string()) } else { refs.resolve(trimmed) };
                    match found {
                        Some(at) => {
                            t.insert("page".into(), at.into());
                            true
                        }
                        None => {
                            notes.problem(shown, None, format!("menu `{name}`: pageRef `{page}` names no content file: left out"));
                            false
                        }
                    }
                });
            }
        }
    }

    fn for_language(&self, lang: &str) -> Option<toml::Value> {
        let menus = self.by_lang.get(lang)?;
        let shared = self.by_lang.get("").filter(|_| !lang.is_empty());
        let mut t = toml::Table::new();
        for (name, entries) in menus {
            let all = shared
                .and_then(|s| s.get(name))
                .into_iter()
                .flatten()
                .chain(entries);
            t.insert(
                name.clone(),
                toml::Value::Array(all.cloned().map(toml::Value::Table).collect()),
            );
        }
        Some(t.into())
    }
}

/// The `menu`/`menus` front matter of a file, if any.
fn front_matter_menus(text: &str) -> Option<Value> {
    let parsed = super::front_matter::parse(text).ok()?;
    parsed
        .keys
        .get("menu")
        .or_else(|| parsed.keys.get("menus"))
        .cloned()
}
