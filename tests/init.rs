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
        "content/_index.en.md",
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
        build.stdout.contains("pages per language: de"),
        "{}",
        build.stdout
    );
    let out = dir.join("public");
    for f in [
        "index.html",
        "en/index.html",
        "erster-beitrag/index.html",
        "en/first-post/index.html",
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
    assert_eq!(attr(&home, "html", "lang"), "de");
    // The starter content links the first post from the home page in both languages.
    assert!(
        !select(&home, r#"a[href="/erster-beitrag/"]"#).is_empty(),
        "{}",
        home.html()
    );
    let en = scraper::Html::parse_document(&read_text(&out.join("en/index.html")));
    assert!(
        !select(&en, r#"a[href="/en/first-post/"]"#).is_empty(),
        "{}",
        en.html()
    );
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
