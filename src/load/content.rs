//! Walks `content/`: classifies each Markdown file (section, page, bundle page) and its language,
//! reads it, splits its front matter, and lists the other files (bundle and section assets).

use crate::error::{Diagnostic, Error, Result, collect_all};
use crate::load::files::{Found, SiteFolders};
use crate::load::front_matter::{self, FrontMatter};
use crate::load::keys::line_of_offset;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The content folder's name.
pub const CONTENT_DIR: &str = crate::layout::CONTENT;

/// What a Markdown file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// `_index.md`: a section (the root one is the home page).
    Section,
    /// `name.md`: a page.
    Page,
    /// `name/index.md`: a page bundle.
    Bundle,
}

/// One Markdown file, read and split.
#[derive(Debug, Clone)]
pub struct SourceDoc {
    /// Path relative to `content/`, with `/` separators.
    pub rel_path: String,
    /// Section, page or bundle.
    pub kind: DocKind,
    /// Language code.
    pub lang: String,
    /// Translation group: the path without the language code (`forderungen/_index.md`), or the
    /// `translation_key`.
    pub group: String,
    /// Folder of the section this document belongs to (for a section: its own folder), `""` at the root.
    pub section_dir: String,
    /// The name the default URL segment comes from (file stem, bundle or section folder name).
    pub stem: String,
    /// Parsed front matter.
    pub front_matter: FrontMatter,
    /// Markdown body (shared: cloning a document is cheap). The render stage takes it out of
    /// the model; `body_hash` stays to tell whether it changed.
    pub body: std::sync::Arc<str>,
    /// Hash of `body`.
    pub body_hash: u64,
    /// Line of the body's first line in the file.
    pub body_line: usize,
    /// The front matter's text, to point later diagnostics at the right line.
    pub header: String,
}

impl SourceDoc {
    /// The line where front matter key `key` is set, if it is.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        crate::load::front_matter::key_line(&self.header, key)
    }
}

/// A non-Markdown file inside `content/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentAsset {
    /// Path relative to `content/`.
    pub rel_path: String,
    /// Absolute path on disk.
    pub source: PathBuf,
}

/// Everything in `content/`.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// Markdown files (drafts included; the model filters them).
    pub docs: Vec<SourceDoc>,
    /// Other files.
    pub assets: Vec<ContentAsset>,
    /// Device files, FIFOs and sockets found in `content/`: never read, shown as warnings.
    pub skipped: Vec<PathBuf>,
    /// Markdown files (paths relative to `content/`) that could not be read, left out of
    /// `docs` by [`load_partial`]; empty after [`load`].
    pub unreadable: Vec<String>,
}

pub use crate::layout::is_ignored_file;

/// How to read content files.
#[derive(Debug, Clone)]
pub struct ContentSettings {
    /// Configured language codes, default first.
    pub languages: Vec<String>,
    /// The default language.
    pub default_language: String,
    /// Configured taxonomy names per language code (see [`ContentSettings::taxonomies_of`]).
    pub taxonomies: Vec<(String, Vec<String>)>,
    /// (folder below `content/`, language code) of languages with a `content_dir`.
    pub content_dirs: Vec<(String, String)>,
}

impl ContentSettings {
    /// The taxonomy names files of language `lang` may use.
    pub fn taxonomies_of(&self, lang: &str) -> &[String] {
        self.taxonomies
            .iter()
            .find(|(code, _)| code == lang)
            .map_or(&[], |(_, names)| names.as_slice())
    }

    /// The language whose `content_dir` holds `rel_path`, and the path inside that folder.
    pub fn in_content_dir<'a>(&'a self, rel_path: &'a str) -> Option<(&'a str, &'a str)> {
        self.content_dirs.iter().find_map(|(dir, code)| {
            rel_path
                .strip_prefix(dir.as_str())
                .and_then(|r| r.strip_prefix('/'))
                .map(|inner| (code.as_str(), inner))
        })
    }
}

/// A top-level folder named like a configured language that is not that language's
/// `content_dir` (Hugo's folder-per-language layout moved over as it is): its files would all
/// land in the default language.
fn check_language_folders(
    markdown: &[(String, PathBuf)],
    settings: &ContentSettings,
) -> Result<()> {
    let mut problems = Vec::new();
    for code in &settings.languages {
        if settings
            .content_dirs
            .iter()
            .any(|(d, c)| d == code || c == code)
        {
            continue;
        }
        let prefix = format!("{code}/");
        let count = markdown
            .iter()
            .filter(|(rel, _)| rel.starts_with(&prefix))
            .count();
        if count > 0 {
            problems.push(
                Diagnostic::new(
                    Path::new(CONTENT_DIR).join(code),
                    format!("the folder is named like the language `{code}`, but its {count} Markdown files would all be in the default language `{}`", settings.default_language),
                )
                .with_help(format!("if it holds the `{code}` content (Hugo's contentDir layout), add content_dir = \"{code}\" to [languages.{code}] in site.toml; else rename the folder")),
            );
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Reads the whole content tree; any file that cannot be read fails it.
pub fn load(root: &Path, settings: &ContentSettings) -> Result<Content> {
    let (content, problems) = load_partial(root, settings)?;
    if problems.is_empty() {
        Ok(content)
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Reads the whole content tree, leaving out the Markdown files whose text or front matter is
/// invalid (their paths in [`Content::unreadable`]) and returning their problems, so that a
/// build can go on to find the problems of the other files too. Only what stops reading the
/// tree at all (no `content/`, an I/O error) is an error.
pub fn load_partial(root: &Path, settings: &ContentSettings) -> Result<(Content, Vec<Diagnostic>)> {
    let content_dir = root.join(CONTENT_DIR);
    if !content_dir.is_dir() {
        return Err(
            Diagnostic::new(CONTENT_DIR, "the content folder is missing")
                .with_help("create content/_index.md for the home page")
                .into(),
        );
    }
    let (markdown, assets, skipped) = walk(root, &content_dir)?;
    check_language_folders(&markdown, settings)?;
    let bundle_dirs = bundle_dirs(markdown.iter().map(|(rel, _)| rel.as_str()), settings);
    let results: Vec<Result<SourceDoc>> = markdown
        .par_iter()
        .map(|(rel, path)| read_doc(rel, path, settings, &bundle_dirs))
        .collect();
    let mut docs = Vec::with_capacity(results.len());
    let mut problems = Vec::new();
    let mut unreadable = Vec::new();
    for ((rel, _), result) in markdown.iter().zip(results) {
        match result {
            Ok(doc) => docs.push(doc),
            Err(Error::Invalid(mut list)) => {
                problems.append(&mut list);
                unreadable.push(rel.clone());
            }
            Err(e) => return Err(e),
        }
    }
    Ok((
        Content {
            docs,
            assets,
            skipped,
            unreadable,
        },
        problems,
    ))
}

/// The most common edit, a change to the text of existing Markdown files, re-read without
/// touching anything else: for each changed file, its index in `previous.docs` and the new
/// document. `None` when any change is more than that — a path outside `content/`, a new,
/// removed or renamed file, a non-Markdown file, or edited front matter — and needs
/// [`reload`].
pub fn reread_bodies(
    root: &Path,
    previous: &Content,
    changed: &[PathBuf],
    settings: &ContentSettings,
) -> Result<Option<Vec<(usize, SourceDoc)>>> {
    let content_dir = root.join(CONTENT_DIR);
    let mut found: Vec<(usize, &Path)> = Vec::new();
    for path in changed {
        let Ok(rel) = path.strip_prefix(&content_dir) else {
            return Ok(None);
        };
        let Some(rel) = rel
            .to_str()
            .map(|r| r.replace(std::path::MAIN_SEPARATOR, "/"))
        else {
            return Ok(None);
        };
        let Some(index) = previous.docs.iter().position(|d| d.rel_path == rel) else {
            return Ok(None);
        };
        if !path.is_file() {
            return Ok(None);
        }
        if !found.iter().any(|(i, _)| *i == index) {
            found.push((index, path));
        }
    }
    let mut updates = Vec::with_capacity(found.len());
    for (index, path) in found {
        let old = &previous.docs[index];
        // The folder structure is unchanged, so the file's kind is too: no bundle check needed.
        let new = read_doc(&old.rel_path, path, settings, &[])?;
        if new.header != old.header || new.kind != old.kind {
            return Ok(None);
        }
        updates.push((index, new));
    }
    Ok(Some(updates))
}

/// Re-reads only what changed below `content/`: every path in `changed` (absolute) is dropped
/// from `previous` with everything under it, then read again if it still exists.
pub fn reload(
    root: &Path,
    previous: &Content,
    changed: &[PathBuf],
    settings: &ContentSettings,
) -> Result<Content> {
    let content_dir = root.join(CONTENT_DIR);
    let mut prefixes = Vec::new();
    for path in changed {
        if let Ok(rel) = path.strip_prefix(&content_dir) {
            prefixes.push(rel_string(rel, root)?);
        }
    }
    let touched = |rel: &str| {
        prefixes
            .iter()
            .any(|p| p.is_empty() || rel == p || rel.starts_with(&format!("{p}/")))
    };
    let mut markdown: Vec<(String, PathBuf)> = Vec::new();
    let mut assets: Vec<ContentAsset> = previous
        .assets
        .iter()
        .filter(|a| !touched(&a.rel_path))
        .cloned()
        .collect();
    let mut skipped: Vec<PathBuf> = previous
        .skipped
        .iter()
        .filter(|s| {
            s.strip_prefix(&content_dir)
                .ok()
                .and_then(|r| r.to_str())
                .is_none_or(|r| !touched(r))
        })
        .cloned()
        .collect();
    let mut seen = std::collections::HashSet::new();
    for p in &prefixes {
        let abs = content_dir.join(p);
        if !abs.exists() || !seen.insert(p.clone()) {
            continue;
        }
        let (md, other, special) = walk(root, &abs)?;
        skipped.extend(special);
        let base = if abs.is_dir() {
            p.clone()
        } else {
            split_dir(p).0.to_string()
        };
        let join = |rel: String| {
            if base.is_empty() {
                rel
            } else if rel.is_empty() {
                base.clone()
            } else {
                format!("{base}/{rel}")
            }
        };
        let single_file = !abs.is_dir();
        for (rel, path) in md {
            markdown.push((if single_file { p.clone() } else { join(rel) }, path));
        }
        for a in other {
            let rel = if single_file {
                p.clone()
            } else {
                join(a.rel_path)
            };
            assets.push(ContentAsset {
                rel_path: rel,
                source: a.source,
            });
        }
    }
    let kept: Vec<&SourceDoc> = previous
        .docs
        .iter()
        .filter(|d| !touched(&d.rel_path))
        .collect();
    let bundle_dirs = bundle_dirs(
        kept.iter()
            .map(|d| d.rel_path.as_str())
            .chain(markdown.iter().map(|(r, _)| r.as_str())),
        settings,
    );
    // A new or removed bundle changes how its folder's other files are read: re-read those too.
    let mut docs: Vec<SourceDoc> = Vec::with_capacity(kept.len() + markdown.len());
    for d in kept {
        let (dir, _) = split_dir(&d.rel_path);
        let was_bundle_member = d.kind == DocKind::Bundle;
        let now_in_bundle = bundle_dirs
            .iter()
            .any(|b| dir == b || dir.starts_with(&format!("{b}/")));
        if now_in_bundle != was_bundle_member && d.kind != DocKind::Section {
            markdown.push((d.rel_path.clone(), content_dir.join(&d.rel_path)));
        } else {
            docs.push(d.clone());
        }
    }
    docs.extend(collect_all(
        markdown
            .par_iter()
            .map(|(rel, path)| read_doc(rel, path, settings, &bundle_dirs))
            .collect::<Vec<_>>(),
    )?);
    docs.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    assets.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    skipped.sort();
    Ok(Content {
        docs,
        assets,
        skipped,
        unreadable: Vec::new(),
    })
}

/// Markdown files and other files below `dir` (a folder or a single file), relative to `dir`.
/// Markdown files (relative path, path to read), other files, and skipped special files found
/// by [`walk`].
type Walked = (Vec<(String, PathBuf)>, Vec<ContentAsset>, Vec<PathBuf>);

/// Markdown files and other files below `dir` (a folder or a single file), relative to `dir`.
fn walk(root: &Path, dir: &Path) -> Result<Walked> {
    // One task per top-level entry, in name order; each walks its subtree in name order, so the
    // concatenated result is sorted like a serial walk.
    let mut tops: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) if dir.is_dir() => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        _ => vec![dir.to_path_buf()],
    };
    tops.sort();
    let folders = SiteFolders::of(root);
    let parts = tops
        .par_iter()
        .map(|top| walk_subtree(root, &folders, dir, top))
        .collect::<Result<Vec<Walked>>>()?;
    let mut walked: Walked = Default::default();
    for (m, a, s) in parts {
        walked.0.extend(m);
        walked.1.extend(a);
        walked.2.extend(s);
    }
    Ok(walked)
}

/// Walks `top` (a file or folder inside `dir`), with paths relative to `dir`.
fn walk_subtree(root: &Path, folders: &SiteFolders, dir: &Path, top: &Path) -> Result<Walked> {
    let mut walked: Walked = Default::default();
    for found in folders.walk(top) {
        let file = match found? {
            Found::File(file) => file,
            Found::Special(path) => {
                walked.2.push(path);
                continue;
            }
        };
        let rel = file.path.strip_prefix(dir).unwrap_or(Path::new(""));
        let rel_path = rel_string(rel, root)?;
        let is_markdown = file
            .path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(".md"));
        if is_markdown {
            walked.0.push((rel_path, file.source));
        } else {
            walked.1.push(ContentAsset {
                rel_path,
                source: file.source,
            });
        }
    }
    Ok(walked)
}

/// Folders that hold an `index.md` (page bundles).
fn bundle_dirs<'a>(
    rel_paths: impl Iterator<Item = &'a str>,
    settings: &ContentSettings,
) -> Vec<String> {
    rel_paths
        .filter_map(|rel| {
            let (dir, file) = split_dir(rel);
            let stem = file.strip_suffix(".md")?;
            let (base, _) = split_lang(stem, &settings.languages, &settings.default_language);
            (base == "index" && !dir.is_empty()).then(|| dir.to_string())
        })
        .collect()
}

fn rel_string(rel: &Path, root: &Path) -> Result<String> {
    let mut parts = Vec::new();
    for c in rel.components() {
        match c.as_os_str().to_str() {
            Some(s) => parts.push(s),
            None => {
                return Err(Diagnostic::new(
                    root.join(CONTENT_DIR).join(rel),
                    "file name is not valid UTF-8",
                )
                .with_help("rename the file using UTF-8 characters")
                .into());
            }
        }
    }
    Ok(parts.join("/"))
}

/// `("a/b", "c.md")` for `a/b/c.md`; `("", "c.md")` at the root.
pub fn split_dir(rel: &str) -> (&str, &str) {
    rel.rsplit_once('/').unwrap_or(("", rel))
}

/// Splits `name.en` into `("name", Some("en"))` when `en` is a configured language.
pub fn split_lang<'a>(
    stem: &'a str,
    languages: &[String],
    _default: &str,
) -> (&'a str, Option<&'a str>) {
    if let Some((base, code)) = stem.rsplit_once('.')
        && languages.iter().any(|l| l == code)
    {
        return (base, Some(code));
    }
    (stem, None)
}

fn read_doc(
    rel_path: &str,
    path: &Path,
    settings: &ContentSettings,
    bundle_dirs: &[String],
) -> Result<SourceDoc> {
    let (languages, default_language) = (&settings.languages, settings.default_language.as_str());
    let display = Path::new(CONTENT_DIR).join(rel_path);
    let bytes = crate::load::files::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::invalid(
                Diagnostic::new(&display, "file vanished during the build")
                    .with_help("build again"),
            )
        } else {
            Error::io("read", &display, e)
        }
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = line_of_offset(&String::from_utf8_lossy(&e.as_bytes()[..valid]), valid);
        Error::invalid(
            Diagnostic::new(&display, "the file is not valid UTF-8")
                .at_line(line)
                .with_help("save the file as UTF-8 (most editors have an \"encoding\" setting)"),
        )
    })?;
    // In a language's content_dir, the path inside it decides the section and translation group.
    let (dir_lang, logical) = match settings.in_content_dir(rel_path) {
        Some((code, inner)) => (Some(code), inner),
        None => (None, rel_path),
    };
    let real_dir = split_dir(rel_path).0;
    let (dir, file) = split_dir(logical);
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let (base, code) = split_lang(stem, languages, default_language);
    if let (Some(folder_lang), Some(code)) = (dir_lang, code)
        && folder_lang != code
    {
        return Err(Diagnostic::new(
            &display,
            format!("a `{code}` file in the content_dir of `{folder_lang}`"),
        )
        .with_help(format!(
            "move it to the `{code}` content, or drop the `.{code}` from its name"
        ))
        .into());
    }
    if code.is_none()
        && let Some((_, suffix)) = base.rsplit_once('.')
        && crate::load::config::is_language_code(suffix)
        && suffix.len() <= 3
    {
        return Err(
            Diagnostic::new(&display, format!("language `{suffix}` is not configured"))
                .with_help(format!(
                    "add [languages.{suffix}] to site.toml, or rename the file"
                ))
                .into(),
        );
    }
    let lang = code.or(dir_lang).unwrap_or(default_language).to_string();
    let (kind, section_dir, stem) = match base {
        "_index" => (
            DocKind::Section,
            dir.to_string(),
            split_dir(dir).1.to_string(),
        ),
        "index" if !dir.is_empty() => (
            DocKind::Bundle,
            split_dir(dir).0.to_string(),
            split_dir(dir).1.to_string(),
        ),
        _ => {
            let in_bundle = bundle_dirs
                .iter()
                .any(|b| real_dir == b || real_dir.starts_with(&format!("{b}/")));
            if in_bundle {
                return Err(Diagnostic::new(&display, "a page bundle folder cannot hold other Markdown pages")
                    .with_help("move this file out of the bundle folder, or make the folder a section with _index.md")
                    .into());
            }
            (DocKind::Page, dir.to_string(), base.to_string())
        }
    };
    let taxonomies = settings.taxonomies_of(&lang);
    let split = front_matter::split(&text, &display, taxonomies, kind == DocKind::Section)?;
    let group = match &split.front_matter.translation_key {
        Some(key) => format!("key:{key}"),
        None => {
            let file = if code.is_some() {
                format!("{base}.md")
            } else {
                file.to_string()
            };
            if dir.is_empty() {
                file
            } else {
                format!("{dir}/{file}")
            }
        }
    };
    let body_line = split.body_line;
    let header = split.header.to_string();
    let body: std::sync::Arc<str> = split.body.into();
    let body_hash = crate::hash::hash_text(split.body);
    Ok(SourceDoc {
        rel_path: rel_path.to_string(),
        kind,
        lang,
        group,
        section_dir,
        stem,
        front_matter: split.front_matter,
        body,
        body_hash,
        body_line,
        header,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_suffixes() {
        let langs = vec!["de".to_string(), "en".to_string()];
        assert_eq!(
            split_lang("artikel.en", &langs, "de"),
            ("artikel", Some("en"))
        );
        assert_eq!(split_lang("artikel", &langs, "de"), ("artikel", None));
        assert_eq!(split_lang("v1.2", &langs, "de"), ("v1.2", None));
    }

    #[test]
    fn editor_files_are_ignored() {
        for name in [
            ".#a.md",
            "a.md~",
            ".a.md.swp",
            "#a.md#",
            "4913",
            ".DS_Store",
        ] {
            assert!(is_ignored_file(name), "{name}");
        }
        assert!(!is_ignored_file("a.md"));
    }
}
