//! An independent link checker for built sites: parses every output HTML file with scraper and
//! resolves every internal `href`, `src` and `srcset` URL (relative, root-relative, or absolute on
//! the site's own host) to an output file, and every `#fragment` to an `id` or `<a name>` of the
//! target page. It shares no code with ludd's own `check`.

use super::{html_files, percent_decode};
use scraper::{Html, Selector};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Every broken internal link or anchor of the site in `out`, as `file: attr="link" (why)`.
/// `base_url` is the site's base URL (`https://example.org/sub`); its path prefixes every
/// root-relative URL of the site.
pub(crate) fn broken_links(out: &Path, base_url: &str) -> Vec<String> {
    let base = base_url.trim_end_matches('/');
    let (origin, base_path) = split_origin(base);
    let files = html_files(out);
    let mut ids: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    let mut links: Vec<(String, String, String)> = Vec::new();
    let id_sel = Selector::parse("[id], a[name]").expect("selector");
    // Only attributes that link or load: `src` on an element the browser does not know (text
    // such as `<showdata src=…>` in a page) loads nothing.
    let link_sel = Selector::parse(
        "a[href], area[href], link[href], img[src], img[srcset], source[src], source[srcset], script[src], iframe[src], video[src], video[poster], audio[src], track[src], embed[src], input[src]",
    )
    .expect("selector");
    for file in &files {
        let text = std::fs::read_to_string(out.join(file)).unwrap_or_default();
        let html = Html::parse_document(&text);
        let mut page_ids = HashSet::new();
        for el in html.select(&id_sel) {
            for name in ["id", "name"] {
                if let Some(v) = el.value().attr(name) {
                    page_ids.insert(v.to_string());
                }
            }
        }
        ids.insert(file.clone(), page_ids);
        for el in html.select(&link_sel) {
            // <link rel=canonical/alternate> name pages by their absolute URLs like any link.
            for name in ["href", "src", "srcset", "poster"] {
                let Some(value) = el.value().attr(name) else {
                    continue;
                };
                let urls: Vec<&str> = if name == "srcset" {
                    value
                        .split(',')
                        .filter_map(|c| c.split_whitespace().next())
                        .collect()
                } else {
                    vec![value.trim()]
                };
                for url in urls {
                    links.push((file.clone(), name.to_string(), url.to_string()));
                }
            }
        }
    }
    let mut problems = Vec::new();
    for (file, attr, link) in links {
        let Some(target) = internal_path(&file, &link, &origin, &base_path) else {
            continue;
        };
        let (path, fragment) = match target.split_once('#') {
            Some((p, f)) => (p.to_string(), Some(f.to_string())),
            None => (target.clone(), None),
        };
        let Some(target_file) = output_file(out, &path) else {
            problems.push(format!("{file}: {attr}=\"{link}\" (no file for {path})"));
            continue;
        };
        if let Some(f) = fragment.filter(|f| !f.is_empty() && f != "top") {
            let f = percent_decode(&f);
            match ids.get(&target_file) {
                Some(page_ids) if page_ids.contains(&f) => {}
                Some(_) => problems.push(format!(
                    "{file}: {attr}=\"{link}\" (no id \"{f}\" in {target_file})"
                )),
                None => {}
            }
        }
    }
    problems
}

/// `https://host:port` and the path (`/sub`, or empty) of a base URL.
fn split_origin(base: &str) -> (String, String) {
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    match base[after_scheme..].find('/') {
        Some(i) => (
            base[..after_scheme + i].to_string(),
            base[after_scheme + i..].to_string(),
        ),
        None => (base.to_string(), String::new()),
    }
}

/// The site path (relative to the output root, with `#fragment`) an internal link points at,
/// or none for links to other hosts and non-HTTP schemes.
fn internal_path(file: &str, link: &str, origin: &str, base_path: &str) -> Option<String> {
    let link = link.trim();
    if link.is_empty() || link.starts_with("//") {
        return None;
    }
    let page_dir = match file.rfind('/') {
        Some(i) => format!("/{}", &file[..=i]),
        None => "/".to_string(),
    };
    let without_query = |s: &str| -> String {
        match s.split_once('#') {
            Some((p, f)) => format!("{}#{f}", p.split('?').next().unwrap_or("")),
            None => s.split('?').next().unwrap_or("").to_string(),
        }
    };
    if let Some(rest) = link.strip_prefix(origin) {
        if !(rest.is_empty() || rest.starts_with('/') || rest.starts_with('#')) {
            return None;
        }
        let rest = if rest.is_empty() { "/" } else { rest };
        return Some(without_query(&strip_base(rest, base_path)?));
    }
    if link.contains("://") || link.split(['/', '#', '?']).next()?.contains(':') {
        return None;
    }
    if link.starts_with('#') {
        return Some(format!("{}{}", file_url(file), link));
    }
    if link.starts_with('/') {
        return Some(without_query(&strip_base(link, base_path)?));
    }
    Some(without_query(&normalise(&format!("{page_dir}{link}"))))
}

/// `/sub/a/` → `/a/` for base path `/sub`; none when the link leaves the base path.
fn strip_base(path: &str, base_path: &str) -> Option<String> {
    if base_path.is_empty() {
        return Some(path.to_string());
    }
    let rest = path.strip_prefix(base_path)?;
    if rest.is_empty() {
        Some("/".into())
    } else if rest.starts_with('/') || rest.starts_with('#') {
        Some(rest.to_string())
    } else {
        None
    }
}

/// The URL of an output file (`a/index.html` → `/a/`).
fn file_url(file: &str) -> String {
    match file.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{file}"),
    }
}

/// Resolves `.` and `..` segments.
fn normalise(path: &str) -> String {
    let (p, frag) = match path.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (path, None),
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let trailing = if p.ends_with('/') && !parts.is_empty() {
        "/"
    } else {
        ""
    };
    let mut out = format!("/{}{trailing}", parts.join("/"));
    if let Some(f) = frag {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// The output file (relative) that serves root-relative `path`, if any.
fn output_file(out: &Path, path: &str) -> Option<String> {
    let decoded = percent_decode(path);
    let rel = decoded.trim_start_matches('/');
    let candidate = out.join(rel);
    if rel.is_empty() || rel.ends_with('/') || candidate.is_dir() {
        let index = format!(
            "{}index.html",
            rel.trim_end_matches('/').to_string() + if rel.is_empty() { "" } else { "/" }
        );
        return out.join(&index).is_file().then_some(index);
    }
    candidate.is_file().then(|| rel.to_string())
}
