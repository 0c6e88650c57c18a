//! URLs: every document's root-relative URL (language prefix, translated slugs, readable ASCII),
//! alias paths, and the check that no two things claim the same output path.

use super::{Doc, DocId, Language, SectionIndex};
use crate::error::{Diagnostic, Error, Result};
use crate::load::content::{DocKind, split_dir};
use crate::slug::slugify;
use std::collections::HashMap;

/// URL of a bundle or section asset next to its document.
pub fn asset_url(d: &Doc, rel_path: &str) -> String {
    format!("{}{}", d.url, split_dir(rel_path).1)
}

/// Sets `url` on every document.
pub fn assign(docs: &mut [Doc], languages: &[Language], sections: &SectionIndex) {
    let urls: Vec<String> = docs
        .iter()
        .map(|d| url_of(d, docs, languages, sections))
        .collect();
    for (d, url) in docs.iter_mut().zip(urls) {
        d.url = url;
    }
}

fn url_of(doc: &Doc, docs: &[Doc], languages: &[Language], sections: &SectionIndex) -> String {
    let mut url = languages[doc.lang].prefix.clone();
    let dir_segments = folder_segments(&doc.source.section_dir, doc, docs, sections);
    for seg in dir_segments {
        url.push('/');
        url.push_str(&seg);
    }
    if doc.source.kind != DocKind::Section {
        url.push('/');
        url.push_str(&own_slug(doc));
    }
    url.push('/');
    url
}

/// The slug of a page or bundle: front matter `slug`, else its file or folder name.
fn own_slug(doc: &Doc) -> String {
    let from = doc
        .source
        .front_matter
        .slug
        .as_deref()
        .unwrap_or(&doc.source.stem);
    let slug = slugify(from);
    if slug.is_empty() {
        slugify(&doc.source.stem).max("page".to_string())
    } else {
        slug
    }
}

/// URL segments for a content folder in the document's language. Each folder uses the slug of
/// its section in that language, else the default language's, else its slugified name.
fn folder_segments(dir: &str, doc: &Doc, docs: &[Doc], sections: &SectionIndex) -> Vec<String> {
    if dir.is_empty() {
        return Vec::new();
    }
    let mut segments = Vec::new();
    let mut prefix = String::new();
    for part in dir.split('/') {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(part);
        let slug = [doc.lang, 0]
            .iter()
            .find_map(|&l| sections.get(&(prefix.clone(), l)))
            .and_then(|&id| docs[id].source.front_matter.slug.as_deref())
            .map(slugify)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| {
                let s = slugify(part);
                if s.is_empty() {
                    "section".to_string()
                } else {
                    s
                }
            });
        segments.push(slug);
    }
    segments
}

/// Output file for a root-relative URL (`/en/a/` → `en/a/index.html`).
pub fn output_path(url: &str) -> String {
    let trimmed = url.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

/// Maps URL → document, failing with both files named when two documents share a URL.
pub fn check_unique(docs: &[Doc]) -> Result<HashMap<String, DocId>> {
    let mut by_url: HashMap<String, DocId> = HashMap::with_capacity(docs.len());
    let mut problems = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        if let Some(&other) = by_url.get(&d.url) {
            problems.push(
                Diagnostic::new(
                    crate::layout::content_path(&d.source.rel_path),
                    format!(
                        "writes the same page {} as {}",
                        d.url,
                        crate::layout::content_path(&docs[other].source.rel_path)
                    ),
                )
                .with_help("change the `slug` of one of them or rename a file"),
            );
        } else {
            by_url.insert(d.url.clone(), DocId(i));
        }
    }
    if problems.is_empty() {
        Ok(by_url)
    } else {
        Err(Error::Invalid(problems))
    }
}

/// Normalises `aliases` into root-relative paths; an alias that escapes the site or hits a page
/// is an error.
pub fn assign_aliases(docs: &mut [Doc]) -> Result<()> {
    let taken: HashMap<String, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.url.clone(), i))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut problems = Vec::new();
    for i in 0..docs.len() {
        let file = crate::layout::content_path(&docs[i].source.rel_path);
        let mut aliases = Vec::new();
        for raw in docs[i].source.front_matter.aliases.clone() {
            match normalize_alias(&raw) {
                Some(path) => {
                    if let Some(&j) = taken.get(&path).or_else(|| seen.get(&path)) {
                        problems.push(
                            Diagnostic::new(&file, format!("alias `{raw}` is already used by {}", crate::layout::content_path(&docs[j].source.rel_path)))
                                .at_optional_line(docs[i].source.line_of("aliases"))
                                .with_help("remove the alias or point it elsewhere"),
                        );
                    } else {
                        seen.insert(path.clone(), i);
                        aliases.push(path);
                    }
                }
                None => problems.push(
                    Diagnostic::new(&file, format!("alias `{raw}` is not a path inside the site"))
                        .at_optional_line(docs[i].source.line_of("aliases"))
                        .with_help("write aliases as site paths like \"/old/url/\", without `..`, `//` or a host"),
                ),
            }
        }
        docs[i].aliases = aliases;
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// `old/url` → `/old/url/`; `/a/file.html` stays a file. None for anything that could escape.
pub fn normalize_alias(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.contains("://")
        || raw.contains('\\')
        || raw.contains('?')
        || raw.contains('#')
        || raw.starts_with("//")
    {
        return None;
    }
    let parts: Vec<&str> = raw.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty()
        || parts
            .iter()
            .any(|p| *p == "." || *p == ".." || p.chars().any(char::is_control))
    {
        return None;
    }
    let last = parts.last().copied().unwrap_or("");
    let is_file = last.ends_with(".html") || last.ends_with(".htm");
    let mut path = format!("/{}", parts.join("/"));
    if !is_file {
        path.push('/');
    }
    Some(path)
}

/// The folder of a content path (for relative link resolution).
pub fn content_dir_of(rel_path: &str) -> &str {
    split_dir(rel_path).0
}

/// What [`join_path`] does with a `..` that climbs above the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AboveRoot {
    /// The path is refused (a content link may not leave `content/`).
    Refuse,
    /// The `..` is dropped and the path stays at the root, as browsers resolve URL paths.
    Stay,
}

/// Joins the `/`-separated `path` to the folder `dir` (or to the root when `path` starts with
/// `/`), dropping empty and `.` segments and resolving `..`: the one path normaliser for
/// content links, output paths and URLs. The result has no leading or trailing slash.
pub fn join_path(dir: &str, path: &str, above_root: AboveRoot) -> Option<String> {
    let base = if path.starts_with('/') { "" } else { dir };
    let mut parts: Vec<&str> = Vec::new();
    for segment in base.split('/').chain(path.split('/')) {
        match segment {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() && above_root == AboveRoot::Refuse {
                    return None;
                }
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths() {
        assert_eq!(output_path("/"), "index.html");
        assert_eq!(output_path("/en/a/"), "en/a/index.html");
        assert_eq!(output_path("/old.html"), "old.html");
    }

    #[test]
    fn aliases_cannot_escape() {
        assert_eq!(normalize_alias("old/url").as_deref(), Some("/old/url/"));
        assert_eq!(
            normalize_alias("/x/page.html").as_deref(),
            Some("/x/page.html")
        );
        assert_eq!(normalize_alias("../../etc/passwd"), None);
        assert_eq!(normalize_alias("https://evil.example/"), None);
        assert_eq!(normalize_alias("/"), None);
    }

    #[test]
    fn joins_and_normalises_paths() {
        use super::{AboveRoot::*, join_path};
        assert_eq!(
            join_path("a/b", "../c.md", Refuse).as_deref(),
            Some("a/c.md")
        );
        assert_eq!(join_path("", "c.md", Refuse).as_deref(), Some("c.md"));
        assert_eq!(join_path("", "../c.md", Refuse), None);
        assert_eq!(
            join_path("a", "./x//y/../z/", Refuse).as_deref(),
            Some("a/x/z")
        );
        assert_eq!(join_path("a/b", "/c/./d", Refuse).as_deref(), Some("c/d"));
        assert_eq!(join_path("a", "../../../x", Stay).as_deref(), Some("x"));
    }
}
