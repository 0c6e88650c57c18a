//! Sites moving over from Zola and Hugo (issue 13): a site under a base path (every emitted URL
//! checked), languages without a home page, nested bundle assets, per-language heading ids,
//! publish and expiry dates, `path` and permalinks, relative aliases, term pages, the
//! folder-per-language layout and shortcode syntax.

mod common;

use common::*;
use scraper::Html;
use std::path::Path;

const PROJECT: &str = "https://user.github.io/project";

/// Every URL in an output file: HTML attributes, CSS `url()`, XML links and host files.
fn urls_in(rel: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    if rel.ends_with(".html") {
        let html = Html::parse_document(text);
        for el in select(
            &html,
            "[href], [src], [srcset], [action], [content], [poster]",
        ) {
            for name in ["href", "src", "action", "poster"] {
                if let Some(v) = el.value().attr(name) {
                    found.push(v.to_string());
                }
            }
            if let Some(v) = el.value().attr("srcset") {
                found.extend(
                    v.split(',')
                        .filter_map(|c| c.split_whitespace().next().map(str::to_string)),
                );
            }
            // `<meta http-equiv=refresh content="0; url=…">` and `og:` URLs.
            if let Some(v) = el.value().attr("content") {
                if let Some((_, url)) = v.split_once("url=") {
                    found.push(url.to_string());
                } else if v.starts_with('/') || v.starts_with("http") {
                    found.push(v.to_string());
                }
            }
        }
    } else if rel.ends_with(".css") {
        for part in text.split("url(").skip(1) {
            let url = part.split(')').next().unwrap_or("");
            found.push(url.trim_matches(['"', '\'']).to_string());
        }
    } else if rel.ends_with(".xml") {
        let doc = parse_xml(text);
        for node in doc.descendants() {
            if node.has_tag_name("loc") || node.has_tag_name("id") {
                found.extend(node.text().map(str::to_string));
            }
            if let Some(href) = node.attribute("href") {
                found.push(href.to_string());
            }
        }
    } else if rel == "_redirects" || rel == "_headers" {
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            if rel == "_headers" && line.starts_with(' ') {
                continue;
            }
            found.extend(
                line.split_whitespace()
                    .take(2)
                    .filter(|w| w.starts_with('/'))
                    .map(str::to_string),
            );
        }
    } else if rel == "robots.txt" {
        found.extend(
            text.lines()
                .filter_map(|l| l.strip_prefix("Sitemap: "))
                .map(str::to_string),
        );
    }
    found
}

/// Whether `url` leaves the site's base path (root-relative or on the site's host).
fn misses_base_path(url: &str) -> bool {
    let host_relative = if let Some(rest) = url.strip_prefix("https://user.github.io") {
        rest
    } else if url.starts_with('/') && !url.starts_with("//") {
        url
    } else {
        return false;
    };
    !(host_relative == "/project" || host_relative.starts_with("/project/"))
}

#[test]
fn every_url_of_a_site_under_a_base_path_carries_the_path() {
    let site = TestSite::new("multi");
    site.edit("site.toml", |s| {
        s.replace(
            "base_url = \"https://example.com\"",
            &format!("base_url = \"{PROJECT}/\""),
        )
    });
    site.write("content/blog/vier.md", "---\ntitle: Vier\ndate: 2025-01-04\naliases: [\"/alt/vier/\", \"vier-alt\"]\ntags: [Klima]\n---\nText mit [Link](@/artikel.md).\n");
    site.build_ok();
    let mut checked = 0;
    for rel in site.files() {
        let Ok(text) = std::fs::read_to_string(site.out().join(&rel)) else {
            continue;
        };
        for url in urls_in(&rel, &text) {
            checked += 1;
            assert!(!misses_base_path(&url), "{rel}: `{url}` misses /project/");
        }
    }
    assert!(checked > 200, "only {checked} URLs seen");
    // Pages are written at the output root, their URLs carry the path.
    let home = site.html("index.html");
    assert_eq!(
        attr(&home, r#"link[rel="canonical"]"#, "href"),
        format!("{PROJECT}/")
    );
    assert!(
        site.exists("alt/vier/index.html"),
        "root alias at the output root"
    );
    assert!(
        site.exists("blog/vier-alt/index.html"),
        "relative alias next to the page"
    );
    let redirects = site.read("_redirects");
    assert!(
        redirects.contains("/project/alt/vier/ /project/blog/vier/ 301!"),
        "{redirects}"
    );
    assert!(
        site.read("robots.txt")
            .contains(&format!("Sitemap: {PROJECT}/sitemap.xml"))
    );
    // And the link checker agrees: no broken link anywhere.
    let check = site.run(&["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&check.stdout).expect("json report");
    let broken: Vec<_> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["check"] == "broken-link" || f["check"] == "broken-anchor")
        .collect();
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn check_flags_root_relative_links_that_miss_the_base_path() {
    let site = TestSite::new("multi");
    site.edit("site.toml", |s| {
        s.replace(
            "base_url = \"https://example.com\"",
            &format!("base_url = \"{PROJECT}\""),
        )
    });
    site.edit("content/kontakt.md", |s| {
        s + "\nSiehe [Artikel](/artikel/) und [richtig](/project/artikel/).\n"
    });
    let run = site.run(&["check", "--format", "json"]).failed();
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json report");
    let broken: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["check"] == "broken-link")
        .map(|f| {
            format!(
                "{} {}",
                f["page"].as_str().unwrap_or(""),
                f["target"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        broken,
        vec!["kontakt/index.html /artikel/".to_string()],
        "{}",
        run.stdout
    );
    let message = report["findings"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("outside the base path /project/"),
        "{message}"
    );
}

#[test]
fn the_campaign_site_under_a_base_path_passes_its_checks() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in [
        "content",
        "themes",
        "site.toml",
        "static",
        "templates",
        "i18n",
    ] {
        let from = repo.join(part);
        if from.is_dir() {
            copy_dir(&from, &root.join(part));
        } else if from.is_file() {
            std::fs::create_dir_all(&root).expect("mkdir");
            std::fs::copy(&from, root.join(part)).expect("copy");
        }
    }
    let root_str = root.to_str().expect("utf-8");
    let run = ludd(
        tmp.path(),
        &[
            "--root",
            root_str,
            "check",
            "--format",
            "json",
            "--base-url",
            PROJECT,
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json report");
    let broken: Vec<_> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["check"] == "broken-link" || f["check"] == "broken-anchor")
        .collect();
    assert!(broken.is_empty(), "{broken:#?}");
    let out = tmp.path().join("out");
    let out_str = out.to_str().expect("utf-8");
    ludd(
        tmp.path(),
        &[
            "--root",
            root_str,
            "build",
            "--base-url",
            PROJECT,
            "--output",
            out_str,
        ],
    )
    .ok();
    for rel in list_files(&out) {
        let Ok(text) = std::fs::read_to_string(out.join(&rel)) else {
            continue;
        };
        for url in urls_in(&rel, &text) {
            assert!(!misses_base_path(&url), "{rel}: `{url}` misses /project/");
        }
    }
}
