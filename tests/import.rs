//! `ludd import zola|hugo`: small fixture sites and four real multilingual sites
//! (`tests/fixtures/real/`, see the README there) are imported with the real binary, the
//! originals are checked byte for byte and mtime for mtime, the new site must build with zero
//! errors and the same pages per language as Hugo (counts recorded with Hugo 0.168) or Zola
//! (counted here by Zola's documented rules) would publish, and an independent link checker must
//! find no broken internal link or anchor.

mod common;

use common::linkcheck::broken_links;
use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Every file below `dir` with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    list_files(dir)
        .into_iter()
        .map(|rel| {
            let p = dir.join(&rel);
            let bytes = std::fs::read(&p).expect("read");
            let mtime = std::fs::metadata(&p)
                .and_then(|m| m.modified())
                .expect("mtime");
            (rel, (bytes, mtime))
        })
        .collect()
}

/// Imports `tests/fixtures/<fixture>` with `tool` into a fresh folder and builds it; checks
/// that the original is untouched. Returns (temp dir, new site, import output, build output).
fn import_and_build(tool: &str, fixture: &str) -> (tempfile::TempDir, PathBuf, Run, Run) {
    let old = fixtures_dir().join(fixture);
    let before = snapshot(&old);
    let tmp = tempfile::tempdir().expect("temp dir");
    let new = tmp.path().join("new");
    let import = ludd(
        tmp.path(),
        &["import", tool, old.to_str().expect("utf-8"), "new"],
    )
    .ok();
    assert!(
        snapshot(&old) == before,
        "import changed the original site {fixture}"
    );
    let build = ludd(&new, &["build"]);
    (tmp, new, import, build)
}

/// `pages per language: en 4, fr 3` → [(en, 4), (fr, 3)].
fn pages_per_language(stdout: &str) -> Vec<(String, usize)> {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("pages per language: "))
        .unwrap_or_else(|| panic!("no page count in:\n{stdout}"));
    let list = line.split(';').next().unwrap_or("");
    list.split(", ")
        .filter_map(|p| {
            let (lang, n) = p.trim().split_once(' ')?;
            Some((lang.to_string(), n.parse().ok()?))
        })
        .collect()
}

fn base_url(site: &Path) -> String {
    let text = read_text(&site.join("site.toml"));
    let table: toml::Table = toml::from_str(&text).expect("site.toml parses");
    table["base_url"].as_str().expect("base_url").to_string()
}

#[test]
fn hugo_fixture_converts_layout_front_matter_shortcodes_and_menus() {
    let (_tmp, new, import, build) = import_and_build("hugo", "import-hugo");
    let build = build.ok();
    assert_eq!(
        pages_per_language(&build.stdout),
        [("en".to_string(), 4), ("fr".to_string(), 4)]
    );
    // Every change names its file and line.
    for wanted in [
        "changed: content/fr/a-propos.md:3: `url` → `path`",
        "changed: content/fr/a-propos.md:3: path `/fr/qui-sommes-nous/` → `/qui-sommes-nous/`",
        "changed: content/fr/a-propos.md:4: `publishDate` → `publish_date`",
        "changed: content/en/expired.md:4: `expiryDate` → `expiry_date`",
        "changed: content/fr/a-propos.md:9: link `/fr/posts/hello/` → `@/posts/hello.md`",
        "changed: content/en/posts/hello.md:4: `lastmod` → `updated`",
        "changed: content/en/posts/hello.md:9: `ref \"other\"` → `@/posts/other.md`",
        "changed: content/fr/posts/hello.md: written as content/posts/hello.fr.md",
        "not converted: templates/shortcodes/notice.html: the default theme has no `notice` shortcode",
    ] {
        assert!(
            import.stdout.contains(wanted),
            "missing `{wanted}` in:\n{}",
            import.stdout
        );
    }
    // Hugo's url, publishDate and expiryDate are ludd's path, publish_date and expiry_date:
    // the page is at its exact URL, the expired page is not published.
    let about = read_text(&new.join("content/a-propos.fr.md"));
    assert!(about.contains("path: /qui-sommes-nous/"), "{about}");
    assert!(about.contains("publish_date: 2020-01-01"), "{about}");
    assert!(!about.contains("extra"), "{about}");
    // A root-relative link to a content file is an `@/` link (the code span stays as it is).
    assert!(
        about.contains("[le premier article](@/posts/hello.md) ou écrire `[lien](/posts/hello/)`"),
        "{about}"
    );
    assert!(new.join("public/fr/qui-sommes-nous/index.html").is_file());
    assert!(new.join("content/expired.md").is_file());
    assert!(!new.join("public/expired").exists());
    let hello = read_text(&new.join("content/posts/hello.md"));
    assert!(hello.contains("updated: 2024-02-01"), "{hello}");
    assert!(hello.contains("[x](@/posts/other.md)"), "{hello}");
    assert!(
        hello.contains("[Video on YouTube](https://www.youtube.com/watch?v=abc)"),
        "{hello}"
    );
    assert!(hello.contains("{% notice(arg0=\"tip\") %}"), "{hello}");
    let toml = read_text(&new.join("site.toml"));
    // The page's `menu: main` joins the configured menu of its language.
    assert!(toml.contains("[[languages.en.menus.main]]\npage = \"@/posts/_index.md\"\nname = \"Posts\"\nweight = 1\n\n[[languages.en.menus.main]]\npage = \"@/posts/hello.md\""), "{toml}");
    let page =
        scraper::Html::parse_document(&read_text(&new.join("public/posts/hello/index.html")));
    assert_eq!(
        attr(
            &page,
            "nav.main-nav a[href=\"/posts/hello/\"]",
            "aria-current"
        ),
        "page"
    );
    let fr =
        scraper::Html::parse_document(&read_text(&new.join("public/fr/posts/hello/index.html")));
    assert_eq!(attr(&fr, "html", "lang"), "fr");
    assert!(
        !select(&fr, "figure.figure img[src=\"/a.png\"]").is_empty(),
        "{}",
        fr.html()
    );
    assert_eq!(
        broken_links(&new.join("public"), &base_url(&new)),
        Vec::<String>::new()
    );
}

#[test]
fn zola_fixture_converts_taxonomies_shortcodes_and_keeps_bundles() {
    let (_tmp, new, import, build) = import_and_build("zola", "import-zola");
    let build = build.ok();
    assert_eq!(
        pages_per_language(&build.stdout),
        [("en".to_string(), 4), ("fr".to_string(), 3)]
    );
    for wanted in [
        "content/about.fr.md:3: path `fr/a-propos` → `/a-propos` (ludd adds the language prefix `/fr`)",
        "content/blog/post/index.md:8: [taxonomies] tags → tags",
        "content/blog/post/index.md:15: shortcode `figure`: arguments written with commas",
        "content/blog/_index.md:5: `insert_anchor_links`",
    ] {
        assert!(
            import.stdout.contains(wanted),
            "missing `{wanted}` in:\n{}",
            import.stdout
        );
    }
    // French has taxonomies of its own in Zola: written to its language table.
    let toml = read_text(&new.join("site.toml"));
    let fr: toml::Table =
        toml::from_str::<toml::Table>(&toml).expect("site.toml")["languages"]["fr"]
            .as_table()
            .cloned()
            .expect("[languages.fr]");
    assert_eq!(fr["taxonomies"][0]["feed"].as_bool(), Some(false), "{toml}");
    assert!(new.join("public/fr/tags/rust/index.html").is_file());
    assert!(!new.join("public/fr/tags/rust/atom.xml").exists());
    // Zola's `path` (which names the language itself) and `redirect_to` are read natively.
    assert!(new.join("public/fr/a-propos/index.html").is_file());
    assert!(!new.join("public/fr/fr").exists());
    let old = read_text(&new.join("public/old/index.html"));
    assert!(old.contains("/blog/"), "{old}");
    assert!(new.join("public/blog/post/a.png").is_file());
    assert!(new.join("public/extra.css").is_file());
    let post = scraper::Html::parse_document(&read_text(&new.join("public/blog/post/index.html")));
    assert!(!select(&post, "a[href=\"https://www.youtube.com/watch?v=dQw4\"]").is_empty());
    assert!(
        !select(&post, "a[href=\"/tags/rust/\"]").is_empty()
            || new.join("public/tags/rust/index.html").is_file()
    );
    assert_eq!(
        broken_links(&new.join("public"), &base_url(&new)),
        Vec::<String>::new()
    );
}

#[test]
fn import_refuses_a_non_empty_folder_without_touching_it() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let new = tmp.path().join("new");
    std::fs::create_dir(&new).expect("mkdir");
    std::fs::write(new.join("keep.txt"), "mine").expect("write");
    let before = snapshot(&new);
    let old = fixtures_dir().join("import-zola");
    let run = ludd(
        tmp.path(),
        &["import", "zola", old.to_str().expect("utf-8"), "new"],
    )
    .failed();
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    assert!(snapshot(&new) == before);
    // Nor into the old site itself.
    let inside = old.join("converted");
    let run = ludd(
        tmp.path(),
        &[
            "import",
            "zola",
            old.to_str().expect("utf-8"),
            inside.to_str().expect("utf-8"),
        ],
    )
    .failed();
    assert!(run.stderr.contains("inside"), "{}", run.stderr);
    assert!(!inside.exists());
    // A folder that is not a site of that tool.
    let content = old.join("content");
    let run = ludd(
        tmp.path(),
        &["import", "hugo", content.to_str().expect("utf-8"), "other"],
    )
    .failed();
    assert!(run.stderr.contains("no Hugo config"), "{}", run.stderr);
    let run = ludd(
        tmp.path(),
        &["import", "zola", content.to_str().expect("utf-8"), "other"],
    )
    .failed();
    assert!(run.stderr.contains("not a Zola site"), "{}", run.stderr);
}

/// Pages Zola publishes per language, by its documented rules: every Markdown file of
/// `content/` is a page or section in the language of its file name suffix (else the default
/// language), except drafts and sections with `render = false`; Zola makes a home page for a
/// language without `_index.<lang>.md`.
fn zola_pages(site: &Path) -> BTreeMap<String, usize> {
    let config_path = ["config.toml", "zola.toml"]
        .iter()
        .map(|n| site.join(n))
        .find(|p| p.is_file())
        .expect("zola config");
    let config: toml::Table = toml::from_str(&read_text(&config_path)).expect("config");
    let default = config
        .get("default_language")
        .and_then(|v| v.as_str())
        .unwrap_or("en")
        .to_string();
    let others: Vec<String> = config
        .get("languages")
        .and_then(|v| v.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut homes: Vec<String> = Vec::new();
    for rel in list_files(&site.join("content")) {
        let Some(stem) = rel.strip_suffix(".md") else {
            continue;
        };
        let name = stem.rsplit('/').next().unwrap_or(stem);
        let lang = match name.rsplit_once('.') {
            Some((_, code)) if others.iter().any(|o| o == code) => code.to_string(),
            _ => default.clone(),
        };
        let text = read_text(&site.join("content").join(&rel));
        let front: toml::Table = text
            .strip_prefix("+++")
            .and_then(|t| t.split_once("\n+++"))
            .and_then(|(f, _)| toml::from_str(f).ok())
            .unwrap_or_default();
        let is_section = name.starts_with("_index");
        if front.get("draft").and_then(|v| v.as_bool()) == Some(true)
            || (is_section && front.get("render").and_then(|v| v.as_bool()) == Some(false))
        {
            continue;
        }
        if is_section && !stem.contains('/') {
            homes.push(lang.clone());
        }
        *counts.entry(lang).or_default() += 1;
    }
    for lang in std::iter::once(&default).chain(&others) {
        if !homes.contains(lang) {
            *counts.entry(lang.clone()).or_default() += 1;
        }
    }
    counts
}

/// Checks one real site: zero errors, pages per language as expected, no broken link but the
/// `known` ones (substrings of the checker's lines), each of which must still occur, so that the
/// list shrinks as ludd learns (see tests/fixtures/real/README.md).
fn real_site(tool: &str, name: &str, expected: BTreeMap<String, usize>, known: &[&str]) {
    let (_tmp, new, import, build) = import_and_build(tool, &format!("real/{name}"));
    let build = build.ok();
    assert!(import.stdout.contains("imported "), "{}", import.stdout);
    let got: BTreeMap<String, usize> = pages_per_language(&build.stdout).into_iter().collect();
    assert_eq!(got, expected, "{name}: pages per language");
    let broken = broken_links(&new.join("public"), &base_url(&new));
    let unknown: Vec<&String> = broken
        .iter()
        .filter(|b| !known.iter().any(|k| b.contains(k)))
        .collect();
    assert!(
        unknown.is_empty(),
        "{name}: {} broken links:\n{}",
        unknown.len(),
        unknown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    for k in known {
        assert!(
            broken.iter().any(|b| b.contains(k)),
            "{name}: `{k}` is no longer broken: remove it from the known list"
        );
    }
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(l, n)| (l.to_string(), *n)).collect()
}

#[test]
fn real_hugo_book_with_hebrew() {
    // `hugo list all` (Hugo 0.168.0): en 32, zh 2, he 2 (see tests/fixtures/real/README.md).
    real_site(
        "hugo",
        "hugo-book",
        counts(&[("en", 32), ("zh", 2), ("he", 2)]),
        &[],
    );
}

#[test]
fn real_docsy_example_with_persian() {
    // `hugo list all` (Hugo 0.168.0): en 30, no 60, fa 11.
    real_site(
        "hugo",
        "docsy-example",
        counts(&[("en", 30), ("no", 60), ("fa", 11)]),
        &[],
    );
}

#[test]
fn real_tabi_with_arabic() {
    let site = fixtures_dir().join("real/tabi");
    real_site(
        "zola",
        "tabi",
        zola_pages(&site),
        &[
            // Broken in the original too: the text shows the Markdown `[…](...)` itself.
            "href=\"...\"",
            // The ramu project's video (media/) is not in the fetched snapshot of tabi, nor the fixture.
            "src=\"media/ラム_demo.mp4\"",
            // Broken in Zola too: `[about](about/)` in a blog post is relative to the post
            // (`path = "about"` puts the page at /about/, which ludd reads now).
            "mastering-tabi-settings/index.html: href=\"about/\"",
        ],
    );
}

#[test]
fn real_abridge() {
    let site = fixtures_dir().join("real/abridge");
    real_site(
        "zola",
        "abridge",
        zola_pages(&site),
        // No broken link left: bundle sub-folders are copied and `{{<` text is escaped.
        &[],
    );
}
