//! URLs: every document's root-relative URL (language prefix, translated slugs, readable ASCII),
//! alias paths, and the check that no two things claim the same output path.

use super::{Doc, DocId, Language, SectionIndex, Site};
use crate::error::{Diagnostic, Error, Result};
use crate::load::content::{DocKind, split_dir};
use crate::slug::slugify_in;
use std::collections::HashMap;

/// URL of a bundle or section asset next to its document, keeping the folders below the
/// document's own (`img/a.png`).
pub fn asset_url(d: &Doc, rel_path: &str) -> String {
    let dir = d.asset_dir().unwrap_or_default();
    let below = if dir.is_empty() {
        rel_path
    } else {
        rel_path
            .strip_prefix(dir.as_str())
            .and_then(|r| r.strip_prefix('/'))
            .unwrap_or_else(|| split_dir(rel_path).1)
    };
    format!("{}{below}", d.url)
}

/// Sets `url` on every document: front matter `path`, else the section's `permalinks`
/// pattern, else folders and slug.
pub fn assign(
    docs: &mut [Doc],
    languages: &[Language],
    sections: &SectionIndex,
    permalinks: &std::collections::BTreeMap<String, String>,
) {
    let urls: Vec<String> = docs
        .iter()
        .map(|d| {
            let prefix = &languages[d.lang].prefix;
            if let Some(path) = &d.source.front_matter.path {
                return exact_path(prefix, path);
            }
            match permalink_pattern(d, permalinks) {
                Some(pattern) => expand_pattern(pattern, d, docs, languages, sections),
                None => url_of(d, docs, languages, sections),
            }
        })
        .collect();
    for (d, url) in docs.iter_mut().zip(urls) {
        d.url = url;
    }
}

fn url_of(doc: &Doc, docs: &[Doc], languages: &[Language], sections: &SectionIndex) -> String {
    let mut url = languages[doc.lang].prefix.clone();
    let lang = languages[doc.lang].code.as_str();
    let dir_segments = folder_segments(&doc.source.section_dir, doc, docs, sections, lang);
    for seg in dir_segments {
        url.push('/');
        url.push_str(&seg);
    }
    if doc.source.kind != DocKind::Section {
        url.push('/');
        url.push_str(&own_slug(doc, lang));
    }
    url.push('/');
    url
}

/// `prefix` + front matter `path` (`press/2025` → `/en/press/2025/`; a name ending in `.html`
/// stays a file). Segments that could leave the site (`.`, `..`, empty) are dropped.
fn exact_path(prefix: &str, path: &str) -> String {
    let parts: Vec<&str> = path
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != "." && *p != ".." && !p.chars().any(char::is_control))
        .collect();
    let mut url = format!("{prefix}/{}", parts.join("/"));
    let is_file = parts.last().is_some_and(|l| l.ends_with(".html"));
    if !is_file && !url.ends_with('/') {
        url.push('/');
    }
    url
}

/// The `[permalinks]` pattern for a page: the one of its section folder, or the closest folder
/// above it. Sections keep their own URLs.
fn permalink_pattern<'a>(
    doc: &Doc,
    permalinks: &'a std::collections::BTreeMap<String, String>,
) -> Option<&'a str> {
    if doc.is_section() || permalinks.is_empty() {
        return None;
    }
    let mut dir = doc.source.section_dir.as_str();
    loop {
        if let Some(p) = permalinks.get(dir) {
            return Some(p);
        }
        if dir.is_empty() {
            return None;
        }
        dir = split_dir(dir).0;
    }
}

/// A page's URL from a `[permalinks]` pattern like `/p/:year/:slug/`.
fn expand_pattern(
    pattern: &str,
    doc: &Doc,
    docs: &[Doc],
    languages: &[Language],
    sections: &SectionIndex,
) -> String {
    let lang = languages[doc.lang].code.as_str();
    let date = doc
        .source
        .front_matter
        .date
        .map(|d| d.timestamp.to_zoned(jiff::tz::TimeZone::UTC).date());
    let section = folder_segments(&doc.source.section_dir, doc, docs, sections, lang)
        .into_iter()
        .next()
        .unwrap_or_default();
    let title = doc
        .source
        .front_matter
        .title
        .as_deref()
        .map(|t| slugify_in(t, lang))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| own_slug(doc, lang));
    let mut path = String::new();
    for segment in pattern.split('/').filter(|s| !s.is_empty()) {
        let value = match segment {
            ":slug" => own_slug(doc, lang),
            ":title" => title.clone(),
            ":filename" => slugify_in(&doc.source.stem, lang),
            ":section" => section.clone(),
            ":year" => date.map_or("0000".into(), |d| format!("{:04}", d.year())),
            ":month" => date.map_or("00".into(), |d| format!("{:02}", d.month())),
            ":day" => date.map_or("00".into(), |d| format!("{:02}", d.day())),
            other => slugify_in(other, lang),
        };
        if !value.is_empty() {
            path.push('/');
            path.push_str(&value);
        }
    }
    format!("{}{path}/", languages[doc.lang].prefix)
}

/// The slug of a page or bundle in its language `lang`: front matter `slug`, else its file or
/// folder name.
fn own_slug(doc: &Doc, lang: &str) -> String {
    let from = doc
        .source
        .front_matter
        .slug
        .as_deref()
        .unwrap_or(&doc.source.stem);
    let slug = slugify_in(from, lang);
    if slug.is_empty() {
        slugify_in(&doc.source.stem, lang).max("page".to_string())
    } else {
        slug
    }
}

/// URL segments for a content folder in the document's language. Each folder uses the slug of
/// its section in that language, else the default language's, else its slugified name.
fn folder_segments(
    dir: &str,
    doc: &Doc,
    docs: &[Doc],
    sections: &SectionIndex,
    lang: &str,
) -> Vec<String> {
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
        let slug = [doc.lang, Site::DEFAULT_LANGUAGE]
            .iter()
            .find_map(|&l| sections.get(&(prefix.clone(), l)))
            .and_then(|&id| docs[id].source.front_matter.slug.as_deref())
            .map(|s| slugify_in(s, lang))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| {
                let s = slugify_in(part, lang);
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

/// Normalises `aliases` into root-relative URLs under `base_path`: `/old/` from the site root,
/// `old` relative to the page's folder (Hugo: `old` on `/en/post/a/` is `/en/post/old/`), a
/// `*` in either makes it a host redirect rule (`_redirects` only, never a folder). An alias
/// that escapes the site or hits a page is an error.
pub fn assign_aliases(docs: &mut [Doc], base_path: &str) -> Result<()> {
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
        let mut rules = Vec::new();
        for raw in docs[i].source.front_matter.aliases.clone() {
            match resolve_alias(&raw, &docs[i].url, base_path) {
                Some(path) => {
                    if let Some(&j) = taken.get(&path).or_else(|| seen.get(&path)) {
                        problems.push(
                            Diagnostic::new(&file, format!("alias `{raw}` is already used by {}", crate::layout::content_path(&docs[j].source.rel_path)))
                                .at_optional_line(docs[i].source.line_of("aliases"))
                                .with_help("remove the alias or point it elsewhere"),
                        );
                    } else {
                        seen.insert(path.clone(), i);
                        if path.contains('*') {
                            rules.push(path);
                        } else {
                            aliases.push(path);
                        }
                    }
                }
                None => problems.push(
                    Diagnostic::new(&file, format!("alias `{raw}` is not a path inside the site"))
                        .at_optional_line(docs[i].source.line_of("aliases"))
                        .with_help("write aliases as site paths like \"/old/url/\" or relative to the page like \"old\", without `..`, `//` or a host"),
                ),
            }
        }
        docs[i].aliases = aliases;
        docs[i].alias_rules = rules;
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// The root-relative URL of alias `raw` of the page at `page_url`: from the site root
/// (`base_path`) when it starts with `/`, else from the page's parent folder.
fn resolve_alias(raw: &str, page_url: &str, base_path: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.starts_with('/') {
        return normalize_alias(raw).map(|p| format!("{base_path}{p}"));
    }
    let trimmed = page_url.trim_end_matches('/');
    let parent = trimmed.rsplit_once('/').map_or("", |(p, _)| p);
    // `..` is refused by `normalize_alias`, so the result stays under the page's parent.
    normalize_alias(raw).map(|p| format!("{parent}{p}"))
}

/// `old/url` → `/old/url/`; `/a/file.html` stays a file. None for anything that could escape.
pub fn normalize_alias(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.contains("://")
        || raw.contains('\\')
        || raw.contains('?')
        || raw.contains('#')
        || raw.starts_with("//")
        || raw.contains(char::is_whitespace)
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
    // `*` is a host rule's wildcard (`/blog/*`): no slash after it.
    let is_file = last.ends_with(".html") || last.ends_with(".htm") || last.contains('*');
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
    fn relative_aliases_start_at_the_page_folder() {
        assert_eq!(
            resolve_alias("old", "/en/post/a/", "").as_deref(),
            Some("/en/post/old/")
        );
        assert_eq!(
            resolve_alias("/old/", "/en/post/a/", "/project").as_deref(),
            Some("/project/old/")
        );
        assert_eq!(
            resolve_alias("old", "/project/post/a/", "/project").as_deref(),
            Some("/project/post/old/")
        );
        assert_eq!(
            resolve_alias("/blog/*", "/a/", "").as_deref(),
            Some("/blog/*")
        );
        assert_eq!(resolve_alias("../../x", "/a/", ""), None);
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
