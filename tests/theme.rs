//! The default theme on sites that are not the campaign: only `_index.md` files, top-level
//! sections without menus, and menus from `site.toml` (per language, with visible fallbacks),
//! each in two languages, built with the real binary and link-checked.

mod common;

use common::linkcheck::broken_links;
use common::*;
use std::path::Path;

/// A site in a temporary folder using the repository's `themes/campaign`, with `files`.
fn themed_site(site_toml: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("site");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/campaign"),
        &root.join("themes/campaign"),
    );
    std::fs::write(root.join("site.toml"), site_toml).expect("write site.toml");
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    (tmp, root)
}

fn build(root: &Path) -> Run {
    ludd(root, &["build"])
}

fn page(root: &Path, rel: &str) -> scraper::Html {
    scraper::Html::parse_document(&read_text(&root.join("public").join(rel)))
}

const TWO_LANGUAGES: &str = r#"title = "Test site"
base_url = "https://example.com"
default_language = "en"
theme = "campaign"

[languages.en]
name = "English"

[languages.es]
name = "Español"
title = "Sitio de prueba"
fallback = true
"#;

/// (href, text, lang, hreflang) of every link in `css`.
fn links(html: &scraper::Html, css: &str) -> Vec<(String, String, String, String)> {
    select(html, css)
        .into_iter()
        .map(|a| {
            let v = a.value();
            (
                v.attr("href").unwrap_or("").to_string(),
                text(a),
                v.attr("lang").unwrap_or("").to_string(),
                v.attr("hreflang").unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_site_with_only_index_files_builds_in_two_languages() {
    let (_tmp, root) = themed_site(
        TWO_LANGUAGES,
        &[
            ("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHello.\n"),
            (
                "content/_index.es.md",
                "+++\ntitle = \"Inicio\"\n+++\nHola.\n",
            ),
        ],
    );
    let run = build(&root).ok();
    assert!(run.stdout.contains("0 warnings"), "{}", run.stdout);
    for f in ["index.html", "es/index.html", "404.html", "es/404.html"] {
        assert!(root.join("public").join(f).is_file(), "{f} missing");
    }
    let home = page(&root, "es/index.html");
    assert_eq!(attr(&home, "html", "lang"), "es");
    // No sections: no empty navigation landmark; the footer keeps the feed link and the
    // other languages.
    assert!(select(&home, "nav.main-nav").is_empty(), "{}", home.html());
    assert_eq!(
        links(&home, ".site-footer nav a")
            .iter()
            .map(|l| l.0.as_str())
            .collect::<Vec<_>>(),
        ["https://example.com/es/atom.xml", "/"]
    );
    assert_eq!(
        broken_links(&root.join("public"), BASE),
        Vec::<String>::new()
    );
}

#[test]
fn without_menus_the_theme_shows_the_top_level_sections() {
    let (_tmp, root) = themed_site(
        TWO_LANGUAGES,
        &[
            ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
            ("content/_index.es.md", "+++\ntitle = \"Inicio\"\n+++\n"),
            (
                "content/news/_index.md",
                "+++\ntitle = \"News\"\nweight = 2\n+++\n",
            ),
            (
                "content/news/_index.es.md",
                "+++\ntitle = \"Noticias\"\nslug = \"noticias\"\nweight = 2\n+++\n",
            ),
            (
                "content/about/_index.md",
                "+++\ntitle = \"About\"\nweight = 1\n+++\n",
            ),
            (
                "content/news/first.md",
                "+++\ntitle = \"First\"\n+++\nText.\n",
            ),
            (
                "content/contact.md",
                "+++\ntitle = \"Contact\"\n+++\nA page, not a section.\n",
            ),
        ],
    );
    build(&root).ok();
    let en = page(&root, "news/first/index.html");
    let nav = links(&en, "nav.main-nav a");
    assert_eq!(
        nav.iter()
            .map(|l| (l.0.as_str(), l.1.as_str()))
            .collect::<Vec<_>>(),
        [("/about/", "About"), ("/news/", "News")]
    );
    // The section that holds the page is marked as the current place.
    assert_eq!(
        attr(&en, "nav.main-nav a[href=\"/news/\"]", "aria-current"),
        "true"
    );
    let es = page(&root, "es/index.html");
    let nav = links(&es, "nav.main-nav a");
    // `about` has no Spanish version: it falls back visibly to the English section.
    assert_eq!(nav[0].0, "/about/");
    assert_eq!(nav[0].2, "en");
    assert_eq!(nav[0].3, "en");
    assert!(nav[0].1.contains("(English)"), "{nav:?}");
    assert_eq!(
        (nav[1].0.as_str(), nav[1].1.as_str()),
        ("/es/noticias/", "Noticias")
    );
    assert_eq!(
        broken_links(&root.join("public"), BASE),
        Vec::<String>::new()
    );
}

const MENUS: &str = r#"
[[menus.main]]
page = "@/about.md"
weight = 2

[[menus.main]]
page = "@/blog/_index.md"
name = "Blog"
weight = 1

[[menus.main]]
url = "https://example.net/petition"
key = "menu.petition"

[[menus.footer]]
page = "@/legal.md"
key = "footer.imprint"

[[languages.es.menus.footer]]
page = "@/legal.md"
name = "Aviso legal"

[[languages.es.menus.footer]]
page = "@/about.md#team"
name = "Equipo"
"#;

fn menu_site() -> (tempfile::TempDir, std::path::PathBuf) {
    themed_site(
        &format!("{TWO_LANGUAGES}{MENUS}"),
        &[
            ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
            ("content/_index.es.md", "+++\ntitle = \"Inicio\"\n+++\n"),
            (
                "content/about.md",
                "+++\ntitle = \"About us\"\n+++\n## Team\n",
            ),
            (
                "content/about.es.md",
                "+++\ntitle = \"Sobre nosotros\"\nslug = \"sobre\"\n+++\n## Equipo {#team}\n",
            ),
            ("content/blog/_index.md", "+++\ntitle = \"Our blog\"\n+++\n"),
            (
                "content/legal.md",
                "+++\ntitle = \"Legal notice\"\n+++\nWho we are.\n",
            ),
            ("i18n/en.toml", "[menu]\npetition = \"Sign the petition\"\n"),
            ("i18n/es.toml", "[menu]\npetition = \"Firma la petición\"\n"),
        ],
    )
}

#[test]
fn menus_come_from_site_toml_per_language_with_visible_fallbacks() {
    let (_tmp, root) = menu_site();
    let run = build(&root).ok();
    assert!(run.stdout.contains("0 warnings"), "{}", run.stdout);
    let en = page(&root, "about/index.html");
    assert_eq!(
        links(&en, "nav.main-nav a"),
        [
            ("/blog/".into(), "Blog".into(), String::new(), String::new()),
            (
                "/about/".into(),
                "About us".into(),
                String::new(),
                String::new()
            ),
            (
                "https://example.net/petition".into(),
                "Sign the petition".into(),
                String::new(),
                String::new()
            ),
        ]
    );
    assert_eq!(
        attr(&en, "nav.main-nav a[href=\"/about/\"]", "aria-current"),
        "page"
    );
    // The footer's label is a UI string of the theme.
    let footer = links(&en, ".site-footer nav a");
    assert_eq!(
        (footer[0].0.as_str(), footer[0].1.as_str()),
        ("/legal/", "Imprint")
    );

    let es = page(&root, "es/index.html");
    let main = links(&es, "nav.main-nav a");
    // The page title in Spanish; the blog has no Spanish version: English page, named, marked.
    assert_eq!(main[0].0, "/blog/");
    assert_eq!(main[0].3, "en");
    assert!(
        main[0].1.starts_with("Blog") && main[0].1.contains("(English)"),
        "{main:?}"
    );
    assert!(
        !select(
            &es,
            "nav.main-nav a[href=\"/blog/\"] .fallback-mark[lang=\"en\"]"
        )
        .is_empty()
    );
    assert_eq!(
        (main[1].0.as_str(), main[1].1.as_str()),
        ("/es/sobre/", "Sobre nosotros")
    );
    assert_eq!(main[2].1, "Firma la petición");
    // Spanish has its own footer menu, which replaces the top-level one.
    let footer = links(&es, ".site-footer nav a");
    assert_eq!(footer[0].0, "/legal/");
    assert!(
        footer[0].1.starts_with("Aviso legal (English)"),
        "{footer:?}"
    );
    assert_eq!(footer[0].3, "en");
    assert_eq!(
        (footer[1].0.as_str(), footer[1].1.as_str()),
        ("/es/sobre/#team", "Equipo")
    );
    assert_eq!(
        broken_links(&root.join("public"), BASE),
        Vec::<String>::new()
    );
}

#[test]
fn a_menu_entry_naming_a_missing_page_is_an_error_with_its_line() {
    let (_tmp, root) = menu_site();
    let toml =
        read_text(&root.join("site.toml")).replace("@/legal.md\"\nkey", "@/imprint.md\"\nkey");
    std::fs::write(root.join("site.toml"), toml).expect("write");
    let run = build(&root).failed();
    assert!(run.stderr.contains("site.toml:"), "{}", run.stderr);
    assert!(run.stderr.contains("content/imprint.md"), "{}", run.stderr);
}

#[test]
fn a_menu_entry_needs_a_page_or_a_url_and_a_known_key() {
    let (_tmp, root) = menu_site();
    let toml = format!(
        "{}\n[[menus.side]]\nname = \"Nowhere\"\n\n[[menus.side]]\npage = \"@/about.md\"\ntitel = \"x\"\n",
        read_text(&root.join("site.toml"))
    );
    std::fs::write(root.join("site.toml"), toml).expect("write");
    let run = build(&root).failed();
    assert!(
        run.stderr.contains("unknown key `titel`")
            || run.stderr.contains("exactly one of `page` and `url`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_menu_key_that_no_language_has_is_an_error() {
    let (_tmp, root) = menu_site();
    let toml = read_text(&root.join("site.toml")).replace("menu.petition", "menu.petitoin");
    std::fs::write(root.join("site.toml"), toml).expect("write");
    let run = build(&root).failed();
    assert!(
        run.stderr.contains("`menu.petitoin` is not a UI string"),
        "{}",
        run.stderr
    );
}
