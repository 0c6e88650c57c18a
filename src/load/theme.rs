//! The theme and the site's own overrides: templates, UI strings (`i18n/`) and static files.
//! A site file always wins over the theme's file of the same name.

use crate::error::{Diagnostic, Error, Result};
use crate::load::files::{Found, SiteFolders};
use crate::load::front_matter::toml_to_json;
use crate::load::keys::line_of_offset;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One template's source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSource {
    /// Name relative to `templates/` (`page.html`, `shortcodes/demand.html`).
    pub name: String,
    /// File on disk, relative to the site root for messages.
    pub path: PathBuf,
    /// The template text.
    pub text: String,
}

/// A file to copy to the output as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticFile {
    /// Output path relative to the output root (`css/site.css`).
    pub rel_path: String,
    /// File on disk.
    pub source: PathBuf,
}

/// UI strings: language → key → text.
pub type UiStrings = BTreeMap<String, BTreeMap<String, String>>;

/// The share card template (`cards/card.svg`, the site's own overriding the theme's) and the
/// fonts it may use (`cards/fonts/*.ttf|otf` of the theme and the site).
#[derive(Debug, Clone, Default)]
pub struct CardSource {
    /// The template, as named in messages.
    pub path: PathBuf,
    /// Its text.
    pub svg: String,
    /// Fonts: (path as named in messages, bytes), by file name.
    pub fonts: Vec<(PathBuf, Vec<u8>)>,
}

/// Everything that shapes the look: templates, UI strings, static files.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Templates, the site's overriding the theme's.
    pub templates: Vec<TemplateSource>,
    /// UI strings per language.
    pub ui_strings: UiStrings,
    /// Static files, the site's overriding the theme's.
    pub static_files: Vec<StaticFile>,
    /// The share card template, if the theme or site has one.
    pub card: Option<CardSource>,
    /// Device files, FIFOs and sockets found among them: never read, shown as warnings.
    pub skipped: Vec<PathBuf>,
}

/// Loads the theme `theme` (if any) and the site's own `templates/`, `i18n/`, `static/`.
pub fn load(root: &Path, theme: Option<&str>, theme_line: Option<usize>) -> Result<Theme> {
    let mut layers = Vec::new();
    if let Some(name) = theme {
        let dir = root.join("themes").join(name);
        if name.is_empty() || name.contains(['/', '\\']) || name == ".." || !dir.is_dir() {
            return Err(Diagnostic::new("site.toml", format!("theme `{name}` not found in themes/"))
                .at_optional_line(theme_line)
                .with_help("set theme to the name of a folder in themes/, or remove the key to use only templates/")
                .into());
        }
        layers.push(dir);
    }
    layers.push(root.to_path_buf());
    let mut templates = BTreeMap::new();
    let mut ui_strings = UiStrings::new();
    let mut static_files = BTreeMap::new();
    let mut card: Option<(PathBuf, String)> = None;
    let mut fonts = BTreeMap::new();
    let folders = SiteFolders::of(root);
    let mut skipped = Vec::new();
    let mut files_under = |dir: &Path| files_under(&folders, dir, &mut skipped);
    for layer in &layers {
        for (name, path) in files_under(&layer.join(crate::layout::CARDS))? {
            if name == "card.svg" {
                card = Some((display_path(root, &path), read_text(root, &path)?));
            } else if is_font(&name) {
                let shown = display_path(root, &path);
                let bytes = crate::load::files::read(&path).map_err(|e| Error::read(&shown, e))?;
                fonts.insert(name, (shown, bytes));
            }
        }
        for (name, path) in files_under(&layer.join("templates"))? {
            let text = read_text(root, &path)?;
            templates.insert(
                name.clone(),
                TemplateSource {
                    name,
                    path: display_path(root, &path),
                    text,
                },
            );
        }
        for (name, path) in files_under(&layer.join("i18n"))? {
            let Some(lang) = name.strip_suffix(".toml") else {
                continue;
            };
            let strings = parse_ui_strings(&read_text(root, &path)?, &display_path(root, &path))?;
            ui_strings
                .entry(lang.to_string())
                .or_default()
                .extend(strings);
        }
        for (name, path) in files_under(&layer.join("static"))? {
            static_files.insert(
                name.clone(),
                StaticFile {
                    rel_path: name,
                    source: path,
                },
            );
        }
    }
    if templates.is_empty() {
        return Err(Diagnostic::new("templates", "no templates found")
            .with_help("set `theme` in site.toml to a folder in themes/, or add templates/page.html and friends")
            .into());
    }
    Ok(Theme {
        templates: templates.into_values().collect(),
        ui_strings,
        static_files: static_files.into_values().collect(),
        card: card.map(|(path, svg)| CardSource {
            path,
            svg,
            fonts: fonts.into_values().collect(),
        }),
        skipped,
    })
}

/// Files below `dir` as (`/`-separated relative name, path to read), sorted; none if `dir` is
/// absent. Special files go to `skipped`.
pub(crate) fn files_under(
    folders: &SiteFolders,
    dir: &Path,
    skipped: &mut Vec<PathBuf>,
) -> Result<Vec<(String, PathBuf)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for found in folders.walk(dir) {
        let file = match found? {
            Found::File(file) => file,
            Found::Special(path) => {
                skipped.push(path);
                continue;
            }
        };
        let rel = file.path.strip_prefix(dir).unwrap_or(&file.path);
        let Some(name) = rel.to_str() else {
            return Err(
                Diagnostic::new(folders.shown(&file.path), "file name is not valid UTF-8")
                    .with_help("rename the file using UTF-8 characters")
                    .into(),
            );
        };
        out.push((name.replace('\\', "/"), file.source));
    }
    Ok(out)
}

/// Whether `name` (below `cards/`) is a font the card renderer loads: `fonts/*.ttf|otf`.
fn is_font(name: &str) -> bool {
    name.strip_prefix("fonts/")
        .is_some_and(|n| n.ends_with(".ttf") || n.ends_with(".otf"))
}

/// `path` relative to the site root, for messages.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// Reads an input file as UTF-8 text; errors name the file (and the line of invalid UTF-8).
pub(crate) fn read_text(root: &Path, path: &Path) -> Result<String> {
    let shown = display_path(root, path);
    let bytes = crate::load::files::read(path).map_err(|e| Error::read(&shown, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = line_of_offset(&String::from_utf8_lossy(&e.as_bytes()[..valid]), valid);
        Diagnostic::new(shown, "the file is not valid UTF-8")
            .at_line(line)
            .with_help("save it as UTF-8")
            .into()
    })
}

/// Parses a UI-strings file: flat `key = "text"` pairs; tables give dotted keys.
pub fn parse_ui_strings(text: &str, path: &Path) -> Result<BTreeMap<String, String>> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        Diagnostic::new(path, format!("invalid TOML: {}", e.message().trim()))
            .at_optional_line(e.span().map(|s| line_of_offset(text, s.start)))
            .with_help("write UI strings as key = \"text\"")
    })?;
    let mut out = BTreeMap::new();
    let mut stack = vec![(String::new(), toml_to_json(toml::Value::Table(table)))];
    while let Some((prefix, value)) = stack.pop() {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k
                    } else {
                        format!("{prefix}.{k}")
                    };
                    stack.push((key, v));
                }
            }
            serde_json::Value::String(s) => {
                out.insert(prefix, s);
            }
            other => {
                return Err(Diagnostic::new(
                    path,
                    format!("UI string `{prefix}` is not text: {other}"),
                )
                .with_help("put the text in quotes")
                .into());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_strings_flatten_tables() {
        let s = parse_ui_strings("a = \"A\"\n[alert]\nnote = \"N\"\n", Path::new("x.toml"))
            .expect("valid");
        assert_eq!(s["a"], "A");
        assert_eq!(s["alert.note"], "N");
    }

    #[test]
    fn ui_strings_reject_non_text() {
        assert!(parse_ui_strings("a = 1\n", Path::new("x.toml")).is_err());
    }
}
