//! Data files: `data/**/*.{toml,yaml,yml,json,csv}` read into plain values for templates, like
//! Hugo's `data/` folder. `data/events.toml` becomes `data.events`, `data/team/board.json`
//! becomes `data.team.board`. A file named with a configured language code before its extension
//! (`data/events.fr.toml`) replaces the file of the same name for that language only. A CSV file
//! becomes a list of rows, each a map from the header row's names to the cell texts.

use crate::error::{Diagnostic, Result, collect_all};
use crate::load::front_matter::toml_to_json;
use crate::load::keys::line_of_offset;
use crate::load::theme::{display_path, files_under, read_text};
use serde_json::{Map, Value};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

/// The folder data files live in, relative to the site root.
pub const DATA_DIR: &str = crate::layout::DATA;

/// File extensions read as data.
const EXTENSIONS: &[&str] = &["toml", "yaml", "yml", "json", "csv"];

/// One parsed data file.
#[derive(Debug, Clone, PartialEq)]
pub struct DataFile {
    /// Where the value goes: `["team", "board"]` for `data/team/board.json`.
    pub key: Vec<String>,
    /// The language the file is for (`data/events.fr.toml`), or none for every language.
    pub lang: Option<String>,
    /// The file, relative to the site root.
    pub path: PathBuf,
    /// Its content.
    pub value: Value,
}

/// Every data file of the site.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Data {
    /// The files, sorted by path.
    pub files: Vec<DataFile>,
    /// A hash of every file's path and text: what outputs that read `data` depend on.
    pub fingerprint: u64,
    /// Device files, FIFOs and sockets found in `data/`: never read, shown as warnings.
    pub skipped: Vec<PathBuf>,
}

impl Data {
    /// The `data` value for language `lang`: every file without a language, with the files for
    /// `lang` in place of their namesakes.
    pub fn for_language(&self, lang: &str) -> Value {
        let mut root = Map::new();
        let shared = self.files.iter().filter(|f| f.lang.is_none());
        let own = self
            .files
            .iter()
            .filter(|f| f.lang.as_deref() == Some(lang));
        for file in shared.chain(own) {
            insert(&mut root, &file.key, file.value.clone());
        }
        Value::Object(root)
    }

    /// The file that gives `key` (dotted, `events` or `team.board`) its value in `lang`: the
    /// file for that language, else the shared one, else none.
    pub fn source_of(&self, key: &str, lang: &str) -> Option<&Path> {
        let parts: Vec<&str> = key.split('.').collect();
        let matches = |f: &&DataFile| {
            parts.starts_with(&f.key.iter().map(String::as_str).collect::<Vec<_>>()[..])
        };
        let own = self
            .files
            .iter()
            .filter(matches)
            .find(|f| f.lang.as_deref() == Some(lang));
        own.or_else(|| self.files.iter().filter(matches).find(|f| f.lang.is_none()))
            .map(|f| f.path.as_path())
    }

    /// Whether the site has no data files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Puts `value` at `key` below `map`, creating maps on the way (a value in the way is replaced).
fn insert(map: &mut Map<String, Value>, key: &[String], value: Value) {
    let Some((last, parents)) = key.split_last() else {
        return;
    };
    let mut here = map;
    for part in parents {
        let slot = here
            .entry(part.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(next) = slot else { return };
        here = next;
    }
    here.insert(last.clone(), value);
}

/// Reads every data file under `root/data`; `languages` are the configured language codes.
/// Every malformed file is reported, each with its line.
pub fn load(root: &Path, languages: &[String]) -> Result<Data> {
    let dir = root.join(DATA_DIR);
    let mut hasher = DefaultHasher::new();
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    let folders = crate::load::files::SiteFolders::of(root);
    for (name, path) in files_under(&folders, &dir, &mut skipped)? {
        let Some((stem, ext)) = name.rsplit_once('.') else {
            continue;
        };
        if !EXTENSIONS.contains(&ext) {
            continue;
        }
        let shown = display_path(root, &path);
        let text = match read_text(root, &path) {
            Ok(text) => text,
            Err(e) => {
                results.push(Err(e));
                continue;
            }
        };
        (&name, &text).hash(&mut hasher);
        let (stem, lang) = match stem.rsplit_once('.') {
            Some((base, code)) if languages.iter().any(|l| l == code) => {
                (base, Some(code.to_string()))
            }
            _ => (stem, None),
        };
        let key = stem.split('/').map(str::to_string).collect();
        results.push(parse(&text, ext, &shown).map(|value| DataFile {
            key,
            lang,
            path: shown,
            value,
        }));
    }
    let files = collect_all(results)?;
    check_conflicts(&files)?;
    Ok(Data {
        files,
        fingerprint: hasher.finish(),
        skipped,
    })
}

/// Two files for the same key and language (`events.toml` and `events.json`) are an error.
fn check_conflicts(files: &[DataFile]) -> Result<()> {
    let problems: Vec<Diagnostic> = files
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let b = files[..i]
                .iter()
                .find(|b| b.key == a.key && b.lang == a.lang)?;
            Some(
                Diagnostic::new(
                    &a.path,
                    format!(
                        "`data.{}` is also defined by {}",
                        a.key.join("."),
                        b.path.display()
                    ),
                )
                .with_help("keep one of the two files, or rename one"),
            )
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(crate::error::Error::Invalid(problems))
    }
}

/// Parses one file's text by its extension.
fn parse(text: &str, ext: &str, path: &Path) -> Result<Value> {
    match ext {
        "toml" => toml::from_str::<toml::Table>(text)
            .map(|t| toml_to_json(toml::Value::Table(t)))
            .map_err(|e| {
                let line = e.span().map(|s| line_of_offset(text, s.start));
                syntax_error(path, line, e.message(), "TOML")
            }),
        "yaml" | "yml" => crate::load::yaml::from_str::<Value>(text).map_err(|e| match e.help() {
            // Too deep: refused before parsing, with what to do about it.
            Some(help) => Diagnostic::new(path, format!("malformed YAML: {}", e.message()))
                .at_optional_line(e.line())
                .with_help(help)
                .into(),
            None => syntax_error(path, e.line(), &e.message(), "YAML"),
        }),
        "json" => serde_json::from_str::<Value>(text).map_err(|e| {
            syntax_error(
                path,
                Some(e.line()).filter(|l| *l > 0),
                &e.to_string(),
                "JSON",
            )
        }),
        _ => parse_csv(text, path),
    }
}

fn syntax_error(
    path: &Path,
    line: Option<usize>,
    message: &str,
    format: &str,
) -> crate::error::Error {
    let first = message.lines().next().unwrap_or(message).trim();
    Diagnostic::new(path, format!("malformed {format}: {first}"))
        .at_optional_line(line)
        .with_help(format!("fix the {format} syntax at that line"))
        .into()
}

/// A CSV file with a header row as a list of `{column: text}` maps.
fn parse_csv(text: &str, path: &Path) -> Result<Value> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let csv_error = |e: csv::Error| {
        let line = e.position().map(|p| p.line() as usize);
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => format!("a row has {len} fields where the header has {expected_len}"),
            _ => e.to_string(),
        };
        syntax_error(path, line, &message, "CSV")
    };
    let headers: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let row: Map<String, Value> = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.clone(), Value::String(v.to_string())))
            .collect();
        rows.push(Value::Object(row));
    }
    Ok(Value::Array(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(key: &str, lang: Option<&str>, value: Value) -> DataFile {
        DataFile {
            key: key.split('/').map(str::to_string).collect(),
            lang: lang.map(str::to_string),
            path: PathBuf::from(format!("data/{key}.toml")),
            value,
        }
    }

    #[test]
    fn a_language_file_replaces_its_namesake_for_that_language_only() {
        let data = Data {
            skipped: Vec::new(),
            files: vec![
                file("events", None, Value::from("de")),
                file("events", Some("fr"), Value::from("fr")),
                file("team/board", None, Value::from(1)),
            ],
            fingerprint: 0,
        };
        assert_eq!(data.for_language("fr")["events"], "fr");
        assert_eq!(data.for_language("en")["events"], "de");
        assert_eq!(data.for_language("en")["team"]["board"], 1);
    }

    #[test]
    fn malformed_files_name_the_line() {
        let e = parse("a = 1\nb = \n", "toml", Path::new("data/x.toml")).unwrap_err();
        assert_eq!(e.diagnostics()[0].line, Some(2));
        let e = parse("{\n\"a\": 1,\n}", "json", Path::new("data/x.json")).unwrap_err();
        assert_eq!(e.diagnostics()[0].line, Some(3));
        let e = parse("a: [1\nb: 2\n", "yaml", Path::new("data/x.yaml")).unwrap_err();
        assert!(e.diagnostics()[0].line.is_some());
        let e = parse("a,b\n1,2\n3\n", "csv", Path::new("data/x.csv")).unwrap_err();
        assert_eq!(e.diagnostics()[0].line, Some(3));
    }

    #[test]
    fn csv_rows_are_maps_by_header() {
        let v = parse("name,city\nAda,London\n", "csv", Path::new("data/x.csv")).unwrap();
        assert_eq!(v[0]["city"], "London");
    }
}
