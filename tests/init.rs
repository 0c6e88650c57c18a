//! `ludd init`: a new site builds with the embedded theme; existing folders are never overwritten.

mod common;

use common::*;

#[test]
fn init_creates_a_site_that_builds_with_the_embedded_theme() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("site");
    let run = ludd(tmp.path(), &["init", dir.to_str().expect("utf-8")]).ok();
    assert!(run.stdout.contains("created a new site"), "{}", run.stdout);
    for f in [
        "site.toml",
        "content/_index.md",
        "content/first-post.md",
        "i18n/en.toml",
        "themes/campaign/templates/page.html",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing after init");
    }
    let build = ludd(
        tmp.path(),
        &["--root", dir.to_str().expect("utf-8"), "build"],
    )
    .ok();
    assert!(
        build.stdout.contains("pages per language: en"),
        "{}",
        build.stdout
    );
    let out = dir.join("public");
    for f in [
        "index.html",
        "first-post/index.html",
        "sitemap.xml",
        "atom.xml",
        "404.html",
    ] {
        assert!(
            out.join(f).is_file(),
            "{f} missing; output: {:?}",
            list_files(&out)
        );
    }
    let home = scraper::Html::parse_document(&read_text(&out.join("index.html")));
    assert_eq!(attr(&home, "html", "lang"), "en");
    // The starter content links the first post from the home page, and the menu lists it.
    assert!(
        !select(&home, r#"main a[href="/first-post/"]"#).is_empty(),
        "{}",
        home.html()
    );
    assert!(!select(&home, r#"nav.main-nav a[href="/first-post/"]"#).is_empty());
    // Nothing of the campaign: the home page's own share card, drawn with the site's title.
    let card = attr(&home, r#"meta[property="og:image"]"#, "content");
    let card_path = card
        .split_once("/cards/")
        .map(|(_, rest)| format!("cards/{rest}"))
        .unwrap_or_else(|| panic!("og:image {card} is not a drawn card"));
    assert!(out.join(&card_path).is_file(), "{card_path} missing");
    assert_eq!(
        attr(&home, r#"meta[property="og:image:alt"]"#, "content"),
        "Welcome – My campaign",
        "the card's alt text names the home title drawn on it and the site"
    );
    for file in html_files(&out) {
        let text = read_text(&out.join(&file));
        for campaign in ["Amazon", "KI nicht", "Preis", "in German"] {
            assert!(!text.contains(campaign), "{file} shows `{campaign}`");
        }
    }
}

#[test]
fn init_writes_every_language_with_its_own_texts() {
    let tmp = tempfile::tempdir().expect("temp dir");
    ludd(
        tmp.path(),
        &["init", "site", "--lang", "de", "--languages", "en,fr,es,ar"],
    )
    .ok();
    let dir = tmp.path().join("site");
    let build = ludd(&dir, &["build"]).ok();
    assert!(
        build
            .stdout
            .contains("pages per language: de 2, en 2, fr 2, es 2, ar 2"),
        "{}",
        build.stdout
    );
    let out = dir.join("public");
    for (home, lang, post, title) in [
        ("index.html", "de", "/erster-beitrag/", "Willkommen"),
        ("en/index.html", "en", "/en/first-post/", "Welcome"),
        ("fr/index.html", "fr", "/fr/premier-article/", "Bienvenue"),
        ("es/index.html", "es", "/es/primera-entrada/", "Bienvenida"),
        ("ar/index.html", "ar", "/ar/al-maqal-al-awwal/", "أهلاً وسهلاً"),
    ] {
        let html = scraper::Html::parse_document(&read_text(&out.join(home)));
        assert_eq!(attr(&html, "html", "lang"), lang);
        assert_eq!(
            attr(&html, "html", "dir"),
            if lang == "ar" { "rtl" } else { "ltr" }
        );
        assert!(
            !select(&html, &format!("main a[href=\"{post}\"]")).is_empty(),
            "{home}: {}",
            html.html()
        );
        assert!(text(one(&html, "h1")).contains(title), "{home}");
    }
    assert_eq!(
        common::linkcheck::broken_links(&out, "https://example.org"),
        Vec::<String>::new()
    );
}

#[test]
fn init_in_a_language_without_texts_writes_english_and_says_so() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = ludd(tmp.path(), &["init", "site", "--lang", "sw"]).ok();
    assert!(
        run.stdout.contains("no starter texts in `sw`"),
        "{}",
        run.stdout
    );
    let dir = tmp.path().join("site");
    assert!(read_text(&dir.join("content/_index.md")).contains("Welcome"));
    assert!(read_text(&dir.join("site.toml")).contains("name = \"Kiswahili\""));
    ludd(&dir, &["build"]).ok();
    let bad = ludd(tmp.path(), &["init", "other", "--lang", "German"]).failed();
    assert!(bad.stderr.contains("not a language code"), "{}", bad.stderr);
    assert!(!tmp.path().join("other").exists());
}

#[test]
fn init_dot_works_in_the_current_empty_folder() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("here");
    std::fs::create_dir(&dir).expect("mkdir");
    ludd(&dir, &["init", ".", "--lang", "fr"]).ok();
    assert!(dir.join("content/premier-article.md").is_file());
    ludd(&dir, &["build"]).ok();
    assert!(dir.join("public/premier-article/index.html").is_file());
}

#[test]
fn init_builds_from_inside_the_new_folder() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("neu");
    ludd(tmp.path(), &["init", "neu"]).ok();
    // Without --root, ludd finds site.toml from the current folder (or a subfolder of the site).
    ludd(&dir.join("content"), &["build"]).ok();
    assert!(dir.join("public/index.html").is_file());
    assert!(!dir.join("content/public").exists());
}

#[test]
fn init_into_an_empty_existing_folder_works() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("leer");
    std::fs::create_dir(&dir).expect("mkdir");
    ludd(tmp.path(), &["init", dir.to_str().expect("utf-8")]).ok();
    assert!(dir.join("site.toml").is_file());
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("voll");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("notes.txt"), "meine Notizen\n").expect("write");
    let run = ludd(tmp.path(), &["init", dir.to_str().expect("utf-8")]).failed();
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    assert!(run.stderr.contains("help:"), "{}", run.stderr);
    assert_eq!(
        list_files(&dir).into_iter().collect::<Vec<_>>(),
        vec!["notes.txt"],
        "init must not write anything"
    );
    assert_eq!(read_text(&dir.join("notes.txt")), "meine Notizen\n");
}
