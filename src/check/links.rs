//! Internal links and anchors: every link, resource and CSS `url()` that points into the site
//! must name an output file, and every `#fragment` an `id` (or `<a name>`) in the target page.
//! Also owns URL resolution against the page's URL and `base_url`, which the privacy check shares.

use super::html::PageFacts;
use super::outputs::Outputs;
use super::{Finding, Kind};
use crate::model::Site;
use crate::model::urls::{AboveRoot, join_path};
use rayon::prelude::*;
use std::collections::HashMap;

/// Where a URL found in a page points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A file of this site: output path candidates and the fragment, if any.
    Internal {
        /// Output path (`en/a/index.html`, `css/site.css`), percent-decoded.
        path: String,
        /// Whether the URL names a folder without its trailing slash (`/en/a`).
        may_be_folder: bool,
        /// `#fragment`, percent-decoded.
        fragment: Option<String>,
    },
    /// A root-relative URL (or an absolute one on this host) outside `base_url`'s path: on the
    /// real host it misses the site.
    OutsideBase,
    /// Another host.
    External {
        /// The host (lowercase, without port).
        host: String,
    },
    /// Nothing to check (`mailto:`, `tel:`, `data:`, `javascript:`, …).
    Other,
}

/// What URL resolution needs to know about the site.
#[derive(Debug, Clone)]
pub(crate) struct SiteUrls {
    /// `base_url` without trailing slash.
    base_url: String,
    /// `base_url`'s host.
    host: String,
    /// `base_url`'s path without trailing slash (`""` or `/project`).
    base_path: String,
    /// Hosts allowed to serve resources (`[check] allowed_hosts`), lowercase.
    allowed_hosts: Vec<String>,
    /// (output path prefix, language code), longest prefix first; the default language last.
    languages: Vec<(String, String)>,
}

impl SiteUrls {
    /// The URL context of `site`.
    pub(crate) fn new(site: &Site) -> SiteUrls {
        let base_url = site.config.base_url.trim_end_matches('/').to_string();
        let host = host_of(&base_url).unwrap_or_default();
        let base_path = site.config.base_path().to_string();
        let mut languages: Vec<(String, String)> = site
            .languages
            .iter()
            .map(|l| {
                let prefix = site.strip_base_path(&l.prefix).trim_start_matches('/');
                let prefix = if prefix.is_empty() {
                    String::new()
                } else {
                    format!("{prefix}/")
                };
                (prefix, l.code.clone())
            })
            .collect();
        languages.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        SiteUrls {
            base_url,
            host,
            base_path,
            allowed_hosts: site
                .config
                .check
                .allowed_hosts
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect(),
            languages,
        }
    }

    /// The language of an output path, by its URL prefix (the default language otherwise).
    pub(crate) fn language_of(&self, path: &str) -> String {
        self.languages
            .iter()
            .find(|(prefix, _)| prefix.is_empty() || path.starts_with(prefix.as_str()))
            .or_else(|| self.languages.last())
            .map(|(_, code)| code.clone())
            .unwrap_or_default()
    }

    /// Whether resources may be loaded from `host`.
    pub(crate) fn is_allowed(&self, host: &str) -> bool {
        host == self.host
            || self.allowed_hosts.iter().any(|a| a == host)
            || self
                .allowed_hosts
                .iter()
                .filter_map(|a| a.strip_prefix("*."))
                .any(|suffix| host.ends_with(&format!(".{suffix}")))
    }

    /// Resolves `url`, found in the output file `from`.
    pub(crate) fn resolve(&self, from: &str, url: &str) -> Target {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        let absolute = lower.starts_with("http://") || lower.starts_with("https://");
        if url.starts_with("//") || absolute {
            let host = host_of(url).unwrap_or_default();
            if host != self.host {
                return Target::External { host };
            }
            let path = match url.get(..self.base_url.len()) {
                // The scheme and host may differ in case; the path may not.
                Some(prefix) if prefix.eq_ignore_ascii_case(&self.base_url) => {
                    format!("{}{}", self.base_path, &url[self.base_url.len()..])
                }
                _ => after_host(url).to_string(),
            };
            return self.internal(from, if path.is_empty() { "/" } else { &path });
        }
        let has_scheme = url
            .split_once(':')
            .is_some_and(|(s, _)| !s.is_empty() && !s.contains(['/', '?', '#']));
        if has_scheme {
            return Target::Other;
        }
        self.internal(from, url)
    }

    fn internal(&self, from: &str, url: &str) -> Target {
        let (rest, fragment) = match url.split_once('#') {
            Some((r, f)) => (r, Some(percent_decode(f))),
            None => (url, None),
        };
        let path = rest.split('?').next().unwrap_or("");
        if path.is_empty() {
            // `#x` or `?q`: the page itself.
            return Target::Internal {
                path: from.to_string(),
                may_be_folder: false,
                fragment,
            };
        }
        // Under a base path, a root-relative URL must start with it; the output has no such folder.
        let path = match path.strip_prefix(self.base_path.as_str()) {
            _ if self.base_path.is_empty() || !path.starts_with('/') => path,
            Some("") => "/",
            Some(rest) if rest.starts_with('/') => rest,
            _ => return Target::OutsideBase,
        };
        let (path, folder) = output_path_of(from, path);
        Target::Internal {
            may_be_folder: !folder,
            path,
            fragment,
        }
    }
}

/// The output file that the URL path `path` (query and fragment removed, percent-encoded) names
/// from the output file `from`, and whether it named a folder (`/en/a/` → `en/a/index.html`).
/// `..` above the root stays at the root, as in browsers.
pub(crate) fn output_path_of(from: &str, path: &str) -> (String, bool) {
    let decoded = percent_decode(path);
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    let folder = decoded.is_empty()
        || decoded.ends_with('/')
        || decoded.ends_with("/.")
        || decoded == "."
        || decoded.ends_with("/..")
        || decoded == "..";
    let mut file = join_path(dir, &decoded, AboveRoot::Stay).unwrap_or_default();
    if folder {
        if !file.is_empty() {
            file.push('/');
        }
        file.push_str("index.html");
    }
    (file, folder)
}

/// The host of an absolute or protocol-relative URL, lowercase, without user info or port.
pub(crate) fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("//")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next()?
    } else {
        host.split(':').next()?
    };
    Some(host.to_ascii_lowercase())
}

/// The path, query and fragment of an absolute URL.
fn after_host(url: &str) -> &str {
    let Some((_, rest)) = url.split_once("//") else {
        return url;
    };
    rest.find(['/', '?', '#']).map_or("", |i| &rest[i..])
}

/// Decodes `%XX` escapes (invalid ones stay as they are).
pub(crate) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Broken links and anchors in every HTML page and stylesheet.
pub(crate) fn check(
    pages: &HashMap<String, PageFacts>,
    outputs: &Outputs,
    urls: &SiteUrls,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = pages
        .par_iter()
        .flat_map_iter(|(page, facts)| {
            let targets = facts.links.iter().chain(facts.loads.iter().map(|l| &l.url));
            targets
                .filter_map(|url| broken(page, url, pages, outputs, urls))
                .collect::<Vec<_>>()
        })
        .collect();
    findings
        .extend(outputs.stylesheet_findings(|path, url| broken(path, url, pages, outputs, urls)));
    findings
}

/// A finding when `url` in `page` points at a missing file or anchor of this site.
fn broken(
    page: &str,
    url: &str,
    pages: &HashMap<String, PageFacts>,
    outputs: &Outputs,
    urls: &SiteUrls,
) -> Option<Finding> {
    let (path, may_be_folder, fragment) = match urls.resolve(page, url) {
        Target::Internal {
            path,
            may_be_folder,
            fragment,
        } => (path, may_be_folder, fragment),
        Target::OutsideBase => {
            return Some(
                Finding::new(
                    Kind::BrokenLink,
                    page,
                    format!(
                        "links to `{url}`, outside the base path {}/ of base_url",
                        urls.base_path
                    ),
                )
                .with_target(url)
                .with_help(format!(
                    "the site is served under {}/: start root-relative links with it, or use url(path=…) in templates and @/ links in Markdown",
                    urls.base_path
                )),
            );
        }
        _ => return None,
    };
    let folder_index = format!("{path}/index.html");
    let file = if outputs.contains(&path) {
        path
    } else if may_be_folder && outputs.contains(&folder_index) {
        folder_index
    } else {
        return Some(
            Finding::new(
                Kind::BrokenLink,
                page,
                format!("links to `{url}`, which does not exist"),
            )
            .with_target(url)
            .with_help(format!(
                "no output file {path}; fix the link, or add the page or file it points at"
            )),
        );
    };
    let fragment = fragment.filter(|f| is_checkable_fragment(f))?;
    let target = pages.get(&file)?;
    if target.ids.contains(&fragment) {
        return None;
    }
    Some(
        Finding::new(
            Kind::BrokenAnchor,
            page,
            format!("links to `{url}`, but {file} has no id `{fragment}`"),
        )
        .with_target(url)
        .with_help("fix the fragment, or give the heading or element that id"),
    )
}

/// `#` and `#top` always work; text fragments (`#:~:text=`) are not ids.
fn is_checkable_fragment(fragment: &str) -> bool {
    !fragment.is_empty() && !fragment.eq_ignore_ascii_case("top") && !fragment.starts_with(":~:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls() -> SiteUrls {
        SiteUrls {
            base_url: "https://example.org".into(),
            host: "example.org".into(),
            base_path: String::new(),
            allowed_hosts: vec!["media.example.net".into(), "*.cdn.example".into()],
            languages: vec![("en/".into(), "en".into()), (String::new(), "de".into())],
        }
    }

    fn internal(path: &str, folder: bool, fragment: Option<&str>) -> Target {
        Target::Internal {
            path: path.into(),
            may_be_folder: folder,
            fragment: fragment.map(str::to_string),
        }
    }

    #[test]
    fn resolves_urls_against_the_page() {
        let u = urls();
        let from = "en/a/index.html";
        assert_eq!(
            u.resolve(from, "/x/"),
            internal("x/index.html", false, None)
        );
        assert_eq!(
            u.resolve(from, "img.png"),
            internal("en/a/img.png", true, None)
        );
        assert_eq!(
            u.resolve(from, "../b/#c"),
            internal("en/b/index.html", false, Some("c"))
        );
        assert_eq!(u.resolve(from, "#top"), internal(from, false, Some("top")));
        assert_eq!(
            u.resolve(from, "https://example.org/en/?q=1"),
            internal("en/index.html", false, None)
        );
        assert_eq!(
            u.resolve(from, "https://example.org"),
            internal("index.html", false, None)
        );
        assert_eq!(
            u.resolve(from, "/%C3%BCber/"),
            internal("über/index.html", false, None)
        );
        assert_eq!(
            u.resolve(from, "//cdn.example.com/x.js"),
            Target::External {
                host: "cdn.example.com".into()
            }
        );
        assert_eq!(u.resolve(from, "mailto:a@b.c"), Target::Other);
        assert_eq!(u.resolve(from, "data:image/png;base64,AA"), Target::Other);
    }

    #[test]
    fn urls_under_a_base_path() {
        let u = SiteUrls {
            base_url: "https://user.github.io/project".into(),
            host: "user.github.io".into(),
            base_path: "/project".into(),
            ..urls()
        };
        let from = "en/index.html";
        assert_eq!(
            u.resolve(from, "/project/en/a/"),
            internal("en/a/index.html", false, None)
        );
        assert_eq!(
            u.resolve(from, "/project"),
            internal("index.html", false, None)
        );
        assert_eq!(
            u.resolve(from, "https://user.github.io/project/css/a.css"),
            internal("css/a.css", true, None)
        );
        assert_eq!(u.resolve(from, "/en/a/"), Target::OutsideBase);
        assert_eq!(u.resolve(from, "/projects/"), Target::OutsideBase);
        assert_eq!(
            u.resolve(from, "https://user.github.io/other/"),
            Target::OutsideBase
        );
        assert_eq!(
            u.resolve(from, "a/"),
            internal("en/a/index.html", false, None)
        );
    }

    #[test]
    fn allowed_hosts_and_languages() {
        let u = urls();
        assert!(u.is_allowed("example.org"));
        assert!(u.is_allowed("media.example.net"));
        assert!(u.is_allowed("a.cdn.example"));
        assert!(!u.is_allowed("evil.example.net"));
        assert_eq!(u.language_of("en/a/index.html"), "en");
        assert_eq!(u.language_of("ende/index.html"), "de");
    }

    #[test]
    fn hosts() {
        assert_eq!(
            host_of("https://User@Ex.org:8080/x").as_deref(),
            Some("ex.org")
        );
        assert_eq!(host_of("//a.b?x").as_deref(), Some("a.b"));
    }
}
