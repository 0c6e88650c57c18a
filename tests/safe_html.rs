//! Safe HTML: front matter values are always escaped (with the campaign theme and the test
//! fixtures' templates); raw HTML in Markdown passes through by default (trusted authors)
//! and is sanitised with `markdown.safe = true`, while what the renderer emits (heading ids,
//! footnotes, alerts, table alignment) and shortcode output from the theme stay intact.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Front matter with a script in every value a template may show.
const HOSTILE_FRONT_MATTER: &str = "---\n\
title: \"<script>alert('title')</script>\"\n\
description: \"\\\"><script>alert('description')</script>\"\n\
date: 2025-01-01\n\
tags: [\"<script>alert('tag')</script>\"]\n\
extra:\n  menu_title: \"<script>alert('menu')</script>\"\n  kicker: \"<script>alert('extra')</script>\"\n\
---\n\nText.\n";

/// The repository's own site (content, `site.toml` and the campaign theme) in a temporary folder.
fn campaign_site() -> (TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["content", "themes/campaign", "static", "data", "i18n"] {
        copy_dir(&repo.join(dir), &root.join(dir));
    }
    std::fs::copy(repo.join("site.toml"), root.join("site.toml")).expect("copy site.toml");
    (tmp, root)
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn build(root: &Path) -> Run {
    ludd(root, &["--root", root.to_str().expect("utf-8"), "build"]).ok()
}

/// Every output file that contains an unescaped `<script>alert`.
fn files_with_scripts(out: &Path) -> Vec<String> {
    list_files(out)
        .into_iter()
        .filter(|f| f.ends_with(".html") || f.ends_with(".xml"))
        .filter(|f| read_text(&out.join(f)).contains("<script>alert"))
        .collect()
}

#[test]
fn front_matter_values_are_escaped_by_the_campaign_theme() {
    let (_tmp, root) = campaign_site();
    write(&root, "content/boese.md", HOSTILE_FRONT_MATTER);
    build(&root);
    let out = root.join("public");
    assert_eq!(files_with_scripts(&out), Vec::<String>::new());
    let page = read_text(&out.join("boese/index.html"));
    assert!(
        // Escaped, after typographic quotes for German (titles and descriptions get them).
        page.contains("&lt;script&gt;alert(‚title‘)&lt;/script&gt;"),
        "{page}"
    );
    assert!(
        page.contains("&lt;script&gt;alert(‚description‘)"),
        "{page}"
    );
    assert!(page.contains("&lt;script&gt;alert(&#39;tag"), "{page}");
    let feed = read_text(&out.join("atom.xml"));
    assert!(feed.contains("&lt;script&gt;alert("), "{feed}");
}

#[test]
fn front_matter_values_are_escaped_by_the_fixture_templates() {
    for fixture in ["basic", "multi"] {
        let site = TestSite::new(fixture);
        site.write("content/boese.md", HOSTILE_FRONT_MATTER);
        site.build_ok();
        assert_eq!(
            files_with_scripts(&site.out()),
            Vec::<String>::new(),
            "{fixture}"
        );
        assert!(
            site.read("boese/index.html")
                .contains("&lt;script&gt;alert(")
        );
    }
}

/// A body with raw HTML an untrusted author could use to attack readers, next to everything the
/// renderer and the theme produce.
const BODY: &str = "Einleitung <span onclick=\"alert('click')\">mit Klick</span>.\n\n\
<script>alert('body')</script>\n\n\
<!-- more -->\n\n\
## Ziele\n\n\
> [!NOTE]\n> Ein Hinweis.\n\n\
Fußnote[^1] und [Link](javascript:alert('link')) und [gut](https://example.org).\n\n\
<iframe src=\"https://evil.example/\"></iframe>\n\n\
<p style=\"position:fixed\">Überlagerung</p>\n\n\
| links | mitte |\n|:--|:-:|\n| a | b |\n\n\
- [x] erledigt\n\n\
{% pullquote(cite=\"<script>alert('arg')</script>\") %}\nEin Zitat.\n{% end %}\n\n\
{% callout() %}\nIm Kasten <script>alert('block')</script>\n{% end %}\n\n\
[^1]: Die Fußnote.\n";

#[test]
fn raw_html_passes_through_by_default() {
    let (_tmp, root) = campaign_site();
    write(
        &root,
        "content/roh.md",
        &format!("---\ntitle: Roh\ntags: [\"roh\"]\n---\n\n{BODY}"),
    );
    build(&root);
    let page = read_text(&root.join("public/roh/index.html"));
    for trusted in [
        "<script>alert('body')</script>",
        "onclick=\"alert('click')\"",
        "<iframe src=\"https://evil.example/\"></iframe>",
        "style=\"position:fixed\"",
    ] {
        assert!(page.contains(trusted), "`{trusted}` missing:\n{page}");
    }
    // Shortcode arguments are escaped by Tera in any mode.
    assert!(!page.contains("<script>alert('arg')"), "{page}");
}

#[test]
fn safe_mode_sanitises_raw_html_but_keeps_the_renderer_and_theme_markup() {
    let (_tmp, root) = campaign_site();
    let config = read_text(&root.join("site.toml"));
    write(
        &root,
        "site.toml",
        &format!("{config}\n[markdown]\nsafe = true\n"),
    );
    write(
        &root,
        "content/roh.md",
        &format!("---\ntitle: Roh\ntags: [\"roh\"]\n---\n\n{BODY}"),
    );
    build(&root);
    let out = root.join("public");
    let page = read_text(&out.join("roh/index.html"));
    let body = page
        .split("<div class=\"prose\"")
        .nth(1)
        .and_then(|rest| rest.split("</article>").next())
        .unwrap_or_else(|| panic!("no prose in:\n{page}"));
    for removed in [
        "alert('body')",
        "alert('click')",
        "onclick",
        "javascript:",
        "<iframe",
        "position:fixed",
        "alert('block')",
        "<script>alert('arg')",
    ] {
        assert!(!body.contains(removed), "`{removed}` survived:\n{body}");
    }
    for kept in [
        "<h2 id=\"ziele\"",
        "<div class=\"alert alert-note\" role=\"note\">",
        "<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\">1</a></sup>",
        "<section class=\"footnotes\" role=\"doc-endnotes\">",
        "<h2 class=\"visually-hidden\">Fußnoten</h2>",
        "class=\"footnote-backref\"",
        "<a href=\"https://example.org\">gut</a>",
        "<th class=\"align-center\">mitte</th>",
        "type=\"checkbox\"",
        "<span>mit Klick</span>",
        "Überlagerung",
        "Im Kasten",
    ] {
        assert!(body.contains(kept), "`{kept}` missing:\n{body}");
    }
    // The theme's shortcodes render their own markup.
    assert!(body.contains("class=\"pullquote"), "{body}");
    assert!(body.contains("class=\"callout"), "{body}");
    // The summary, shown in listings, is sanitised too.
    assert_eq!(files_with_scripts(&out), Vec::<String>::new());
    let listing = read_text(&out.join("tags/roh/index.html"));
    assert!(
        listing.contains("<div class=\"post-summary\"><p>Einleitung <span>mit Klick</span>.</p>"),
        "summary missing in the tag's listing:\n{listing}"
    );
}
