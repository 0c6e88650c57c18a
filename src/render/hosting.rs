//! Host files: what static hosts read beside the site. `_headers` (Netlify, Cloudflare Pages)
//! with the Content-Security-Policy, the other security headers and the caching policy;
//! `_redirects` for aliases and the language root; `.nojekyll` and `CNAME` for GitHub Pages;
//! and the names of fingerprinted copies of static files, whose URL carries their content hash.
//!
//! Why fingerprinted file names rather than `?h=<hash>` query strings: a `_headers` rule matches
//! the path only, never the query, so marking `/css/site.css` immutable would also pin the
//! plain URL (used by CSS `url()`s, feeds and other sites) in caches forever after it changes.
//! A name like `css/site.3f2a9c1b00.css` changes with the content, so it alone may be cached
//! forever; the plain file stays beside it with `no-cache` for everyone else.

use crate::model::Site;
use crate::render::escape::url_path;

/// `Cache-Control` of a file whose URL carries its content hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else: HTML, feeds and plain-named files are revalidated.
pub const REVALIDATE: &str = "no-cache";

/// Hex digits of the content hash in fingerprinted names (the `asset()` hash).
pub const HASH_DIGITS: usize = super::templates::ASSET_HASH_DIGITS;

/// The fingerprinted name of static file `rel_path` with content hash `hash`:
/// `css/site.css` → `css/site.<hash>.css`; a name without extension gets `.<hash>` appended.
pub fn fingerprinted_path(rel_path: &str, hash: &str) -> String {
    let (dir, name) = match rel_path.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), rel_path),
    };
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{dir}{stem}.{hash}.{ext}"),
        _ => format!("{dir}{name}.{hash}"),
    }
}

/// Whether the file at output path `path` with content `bytes` is a fingerprinted copy: the
/// content hash in its name is the hash of its bytes, so its URL can never show other bytes.
pub fn is_fingerprinted(path: &str, bytes: &[u8]) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts = name.rsplit('.');
    let last = parts.next();
    let candidates = [last, parts.next()];
    let hash = blake3::hash(bytes).to_hex();
    candidates.into_iter().flatten().any(|part| {
        part.len() == HASH_DIGITS
            && part.bytes().all(|b| b.is_ascii_hexdigit())
            && part == &hash[..HASH_DIGITS]
            && name != part
    })
}

/// The `Cache-Control` value for output file `path` with `bytes`.
pub fn cache_control(path: &str, bytes: &[u8]) -> &'static str {
    if is_fingerprinted(path, bytes) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// The Content-Security-Policy: only the site's own origin, nothing inline, no plugins, no
/// framing; `[hosting.csp]` adds sources to single directives.
pub fn content_security_policy(site: &Site) -> String {
    let mut directives: Vec<(&str, Vec<String>)> = vec![
        ("default-src", vec!["'self'".into()]),
        ("img-src", vec!["'self'".into(), "data:".into()]),
        ("base-uri", vec!["'self'".into()]),
        ("form-action", vec!["'self'".into()]),
        ("frame-ancestors", vec!["'none'".into()]),
        ("object-src", vec!["'none'".into()]),
    ];
    for (directive, sources) in &site.config.hosting.csp {
        match directives.iter_mut().find(|(d, _)| d == directive) {
            Some((_, list)) => list.extend(sources.iter().cloned()),
            // A fetch directive replaces default-src for its kind, so it starts from 'self'.
            None => directives.push((
                directive.as_str(),
                std::iter::once("'self'".to_string())
                    .chain(sources.iter().cloned())
                    .collect(),
            )),
        }
    }
    directives
        .iter()
        .map(|(d, sources)| format!("{d} {}", sources.join(" ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Features no page of a campaign site needs, denied to the page and everything it embeds.
const PERMISSIONS_POLICY: &str = "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), interest-cohort=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()";

/// `_headers`. Both hosts apply every rule whose path matches. The `/*` rule comes first and
/// the fingerprinted files' rules after it: Netlify lets the later rule's `Cache-Control`
/// win; Cloudflare Pages joins both values, which still never serves stale bytes.
pub fn headers(site: &Site, fingerprinted: &[String]) -> String {
    let mut out = String::from(
        "# Written by ludd ([hosting] in site.toml). Read by Netlify and Cloudflare Pages.\n",
    );
    out.push_str(&site.file_url("*"));
    out.push('\n');
    for (name, value) in [
        (
            "Content-Security-Policy",
            content_security_policy(site).as_str(),
        ),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", REVALIDATE),
    ] {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    if !fingerprinted.is_empty() {
        out.push_str("\n# The content hash is in these names: they never change.\n");
    }
    for path in fingerprinted {
        out.push_str(&format!(
            "{}\n  Cache-Control: {IMMUTABLE}\n",
            url_path(&site.file_url(path))
        ));
    }
    out
}

/// `_redirects`: every alias (the same ones the alias redirect pages are written for), then,
/// with `default_language_in_subdir`, the language root. `!` makes Netlify redirect although
/// a page (the alias page, the language chooser) exists at the path; hosts without language
/// conditions use the plain last rule, and hosts without `_redirects` keep those pages.
pub fn redirects(site: &Site) -> String {
    let mut out = String::from(
        "# Written by ludd ([hosting] in site.toml). Read by Netlify and Cloudflare Pages.\n",
    );
    for d in &site.docs {
        for alias in &d.aliases {
            out.push_str(&format!("{} {} 301!\n", url_path(alias), url_path(&d.url)));
        }
        for rule in &d.alias_rules {
            // Encoded piece by piece: the `*` stays the host's wildcard.
            let from: Vec<String> = rule.split('*').map(url_path).collect();
            out.push_str(&format!("{} {} 301\n", from.join("*"), url_path(&d.url)));
        }
    }
    if site.config.default_language_in_subdir {
        for l in &site.languages {
            out.push_str(&format!(
                "{} {}/ 302! Language={}\n",
                site.root_url(),
                l.prefix,
                l.code
            ));
        }
        if let Some(default) = site.languages.first() {
            out.push_str(&format!("{} {}/ 302\n", site.root_url(), default.prefix));
        }
    }
    out
}

/// `CNAME`: the custom domain on one line.
pub fn cname(domain: &str) -> String {
    format!("{domain}\n")
}

/// Adds `; charset=utf-8` to text types that lack a charset.
pub fn with_charset(content_type: &str) -> Option<String> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let texty = essence.starts_with("text/")
        || essence.ends_with("+xml")
        || essence.ends_with("+json")
        || matches!(
            essence.as_str(),
            "application/javascript" | "application/json" | "application/xml"
        );
    (texty && !content_type.to_ascii_lowercase().contains("charset"))
        .then(|| format!("{essence}; charset=utf-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprinted_names_keep_the_extension() {
        assert_eq!(
            fingerprinted_path("css/site.css", "0123456789"),
            "css/site.0123456789.css"
        );
        assert_eq!(
            fingerprinted_path("a.b/LICENSE", "0123456789"),
            "a.b/LICENSE.0123456789"
        );
        assert_eq!(
            fingerprinted_path(".well-known", "0123456789"),
            ".well-known.0123456789"
        );
    }

    #[test]
    fn only_names_with_their_own_hash_are_fingerprinted() {
        let bytes = b"body { color: red }";
        let hash = &blake3::hash(bytes).to_hex()[..HASH_DIGITS];
        let path = fingerprinted_path("css/site.css", hash);
        assert!(is_fingerprinted(&path, bytes));
        assert_eq!(cache_control(&path, bytes), IMMUTABLE);
        assert!(!is_fingerprinted(&path, b"other bytes"));
        assert!(!is_fingerprinted("css/site.css", bytes));
        assert!(!is_fingerprinted("css/site.0123456789.css", bytes));
        assert_eq!(cache_control("index.html", b"<p>"), REVALIDATE);
    }

    #[test]
    fn paths_are_encoded() {
        assert_eq!(url_path("/über uns/"), "/%C3%BCber%20uns/");
        assert_eq!(url_path("/a-b/c.css"), "/a-b/c.css");
    }
}
