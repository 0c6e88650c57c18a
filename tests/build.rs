//! End-to-end tests of `ludd build` on the multilingual fixture `tests/fixtures/multi`:
//! de (default), en (fallback = true) and ar (rtl, no fallback).

mod common;

use common::*;
use scraper::Html;
use std::collections::{BTreeMap, BTreeSet};

/// Builds the multilingual fixture with `extra` arguments.
fn multi(extra: &[&str]) -> (TestSite, Run) {
    let site = TestSite::new("multi");
    let run = site.build(extra).ok();
    (site, run)
}

/// Rewrites site.toml so that the default language gets its own `/de/` folder.
fn enable_subdir(site: &TestSite) {
    site.edit("site.toml", |s| {
        s.replace(
            "default_language = \"de\"\n",
            "default_language = \"de\"\ndefault_language_in_subdir = true\n",
        )
    });
}

/// `(href, data-fallback)` of the entries of a fixture listing.
fn listing(html: &Html) -> Vec<(String, String)> {
    select(html, "ul.listing > li.entry")
        .into_iter()
        .map(|li| {
            let a = li.select(&sel("a")).next().expect("entry link");
            (
                a.value().attr("href").unwrap_or("").to_string(),
                li.value().attr("data-fallback").unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn hrefs(html: &Html, css: &str) -> Vec<String> {
    select(html, css)
        .into_iter()
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect()
}

/// The rendered Markdown of a fixture page.
fn content(html: &Html) -> scraper::ElementRef<'_> {
    select(html, "div.content")
        .into_iter()
        .next()
        .expect("div.content")
}

fn is_redirect(html: &Html) -> bool {
    !select(html, r#"meta[http-equiv="refresh"]"#).is_empty()
}

const EXPECTED_FILES: &[&str] = &[
    ".nojekyll",
    "_headers",
    "_redirects",
    "404.html",
    "alt/artikel/index.html",
    "ar/404.html",
    "ar/artikel/index.html",
    "ar/atom.xml",
    "ar/blog/eins/index.html",
    "ar/blog/index.html",
    "ar/index.html",
    "ar/kampagne/flyer.pdf",
    "ar/kampagne/index.html",
    "ar/kampagne/plakat.png",
    "artikel/index.html",
    "atom.xml",
    "blog/drei/index.html",
    "blog/eins/index.html",
    "blog/fuenf/index.html",
    "blog/index.html",
    "blog/page/2/index.html",
    "blog/page/3/index.html",
    "blog/vier/index.html",
    "blog/zwei/index.html",
    // The fingerprinted copy: blake3 of tests/fixtures/multi/static/css/site.css, 10 digits.
    "css/site.6522af76f9.css",
    "css/site.css",
    "en/404.html",
    "en/article/index.html",
    "en/atom.xml",
    "en/blog/eins/index.html",
    "en/blog/index.html",
    "en/blog/page/2/index.html",
    "en/blog/page/3/index.html",
    "en/blog/zwei/index.html",
    "en/campaign/flyer.pdf",
    "en/campaign/index.html",
    "en/campaign/plakat.png",
    "en/contact-us/index.html",
    "en/index.html",
    "en/tags/climate/atom.xml",
    "en/tags/climate/index.html",
    "en/tags/index.html",
    "en/topics/climate/index.html",
    "en/topics/climate/water/index.html",
    "en/topics/index.html",
    "index.html",
    "kampagne/flyer.pdf",
    "kampagne/index.html",
    "kampagne/plakat.png",
    "kontakt/index.html",
    "old.html",
    // The Markdown image `plakat.png` (1 × 1 with transparency): WebP and a PNG fallback.
    "processed_images/plakat.528c61f993.1.png",
    "processed_images/plakat.f8d074b9ca.1.webp",
    "robots.txt",
    "sitemap.xml",
    "tags/arbeit/atom.xml",
    "tags/arbeit/index.html",
    "tags/index.html",
    "tags/klima/atom.xml",
    "tags/klima/index.html",
    "themen/index.html",
    "themen/klima/index.html",
    "themen/klima/wasser/index.html",
    "ueber-uns/index.html",
];

// ---------------------------------------------------------------------------------------------
// Output layout
// ---------------------------------------------------------------------------------------------

#[test]
fn output_paths_are_exactly_the_expected_ones() {
    let (site, _) = multi(&[]);
    // ludd's ownership marker sits beside the built files (it is not one of them).
    let expected: BTreeSet<String> = EXPECTED_FILES
        .iter()
        .chain(&[".ludd-output"])
        .map(|s| s.to_string())
        .collect();
    let actual = site.files();
    let missing: Vec<_> = expected.difference(&actual).collect();
    let extra: Vec<_> = actual.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:?}\nunexpected: {extra:?}"
    );
    assert!(
        leftovers(&site.root).is_empty(),
        "staging folders left behind: {:?}",
        leftovers(&site.root)
    );
}

#[test]
fn file_names_become_readable_slugs() {
    let (site, _) = multi(&[]);
    let html = site.page("/ueber-uns/");
    assert_eq!(text(one(&html, "article.page h1")), "Über uns");
    assert_eq!(attr(&html, "article.page", "data-slug"), "ueber-uns");
    assert_eq!(attr(&html, "article.page", "data-url"), "/ueber-uns/");
}

#[test]
fn translated_slugs_nested_sections_and_translation_keys() {
    let (site, _) = multi(&[]);
    // `slug:` renames the page (and, on a section, the folder segment) in that language only.
    assert_eq!(
        attr(&site.page("/en/article/"), "article.page", "data-slug"),
        "article"
    );
    assert_eq!(
        attr(&site.page("/ar/artikel/"), "article.page", "data-slug"),
        "artikel"
    );
    assert_eq!(
        attr(
            &site.page("/en/topics/climate/water/"),
            "article.page",
            "data-url"
        ),
        "/en/topics/climate/water/"
    );
    assert_eq!(
        attr(
            &site.page("/themen/klima/wasser/"),
            "article.page",
            "data-url"
        ),
        "/themen/klima/wasser/"
    );
    // A section inside a section is listed as a subsection of its parent, in each language.
    assert_eq!(
        hrefs(&site.page("/themen/"), "ul.subsections a"),
        vec!["/themen/klima/"]
    );
    assert_eq!(
        hrefs(&site.page("/en/topics/"), "ul.subsections a"),
        vec!["/en/topics/climate/"]
    );
    assert_eq!(
        text(one(&site.page("/themen/"), "ul.subsections .desc")),
        "Rund ums Klima"
    );
    assert_eq!(
        listing(&site.page("/en/topics/climate/")),
        vec![("/en/topics/climate/water/".to_string(), "false".to_string())]
    );
    // translation_key links files with different names.
    let de = site.page("/kontakt/");
    let en = site.page("/en/contact-us/");
    assert_eq!(
        hreflangs(&de).get("en").map(String::as_str),
        Some("https://example.com/en/contact-us/")
    );
    assert_eq!(
        hreflangs(&en).get("de").map(String::as_str),
        Some("https://example.com/kontakt/")
    );
    assert_eq!(
        switcher(&de)["en"],
        ("/en/contact-us/".to_string(), "true".to_string())
    );
    assert_eq!(
        switcher(&en)["de"],
        ("/kontakt/".to_string(), "true".to_string())
    );
}

#[test]
fn bundle_assets_are_copied_next_to_every_language_version() {
    let (site, _) = multi(&[]);
    for dir in ["kampagne", "en/campaign", "ar/kampagne"] {
        for file in ["plakat.png", "flyer.pdf"] {
            let out = std::fs::read(site.out().join(dir).join(file))
                .unwrap_or_else(|e| panic!("{dir}/{file}: {e}"));
            let src =
                std::fs::read(site.path("content/kampagne").join(file)).expect("source asset");
            assert_eq!(out, src, "{dir}/{file} differs from its source");
        }
        let page = site.page(&format!("/{dir}/"));
        let assets = hrefs(&page, "ul.assets a");
        assert_eq!(
            assets,
            vec![format!("/{dir}/flyer.pdf"), format!("/{dir}/plakat.png")],
            "page.assets of /{dir}/"
        );
    }
}

#[test]
fn aliases_are_redirect_pages_with_meta_refresh_and_canonical() {
    let (site, _) = multi(&[]);
    for file in ["alt/artikel/index.html", "old.html"] {
        let html = site.html(file);
        let target = "https://example.com/artikel/";
        assert_eq!(
            attr(&html, r#"meta[http-equiv="refresh"]"#, "content"),
            format!("0; url={target}"),
            "{file}"
        );
        assert_eq!(
            attr(&html, r#"link[rel="canonical"]"#, "href"),
            target,
            "{file}"
        );
        assert!(
            hrefs(&html, "body a").contains(&target.to_string()),
            "{file} has no plain link for people"
        );
        assert_eq!(attr(&html, "html", "lang"), "de");
        assert!(
            site.read(file).contains("Diese Seite ist umgezogen:"),
            "{file} should use redirect.text"
        );
    }
}

#[test]
fn not_found_pages_robots_and_feeds_per_language() {
    let (site, _) = multi(&[]);
    for (file, lang, title) in [
        ("404.html", "de", "Nicht gefunden"),
        ("en/404.html", "en", "Not found"),
        ("ar/404.html", "ar", "غير موجود"),
    ] {
        let html = site.html(file);
        assert_eq!(attr(&html, "html", "lang"), lang, "{file}");
        assert_eq!(text(one(&html, "main h1")), title, "{file}");
    }
    let robots = site.read("robots.txt");
    assert!(robots.contains("User-agent: *"), "{robots}");
    assert!(
        robots.contains("Sitemap: https://example.com/sitemap.xml"),
        "{robots}"
    );
}

// ---------------------------------------------------------------------------------------------
// Languages
// ---------------------------------------------------------------------------------------------

#[test]
fn every_page_has_html_lang_and_dir() {
    let (site, _) = multi(&[]);
    for file in html_files(&site.out()) {
        let html = site.html(&file);
        let root = one(&html, "html");
        let (lang, dir) = (root.value().attr("lang"), root.value().attr("dir"));
        let expected = if file.starts_with("ar/") {
            ("ar", "rtl")
        } else if file.starts_with("en/") {
            ("en", "ltr")
        } else {
            ("de", "ltr")
        };
        assert_eq!(
            (lang, dir),
            (Some(expected.0), Some(expected.1)),
            "<html lang dir> of {file}"
        );
    }
}

/// Everything wrong with the hreflang annotations of the output at `out` for `base`.
fn hreflang_problems(site: &TestSite, base: &str) -> Vec<String> {
    let out = site.out();
    let mut pages: BTreeMap<String, (BTreeMap<String, String>, Option<String>)> = BTreeMap::new();
    let mut canonicals: BTreeMap<String, String> = BTreeMap::new();
    for file in html_files(&out) {
        let html = site.html(&file);
        if is_redirect(&html) {
            continue;
        }
        let lang = one(&html, "html").value().attr("lang").map(str::to_string);
        let url = file_to_url(&file);
        let canonical = select(&html, r#"link[rel="canonical"]"#)
            .first()
            .and_then(|l| l.value().attr("href"))
            .map(str::to_string);
        canonicals.insert(
            url.clone(),
            canonical.unwrap_or_else(|| format!("{base}{url}")),
        );
        pages.insert(url, (hreflangs(&html), lang));
    }
    let mut problems = Vec::new();
    for (url, (set, _)) in &pages {
        if set.is_empty() {
            continue;
        }
        if !set.contains_key("x-default") {
            problems.push(format!("{url}: no x-default in {set:?}"));
        }
        // A page lists itself (by its canonical URL: `/404.html` may be a copy of `/de/404.html`).
        if !set.values().any(|h| *h == canonicals[url]) {
            problems.push(format!(
                "{url}: its hreflang set does not include the page itself ({}): {set:?}",
                canonicals[url]
            ));
        }
        for (code, href) in set {
            let Some(path) = href.strip_prefix(base).filter(|p| p.starts_with('/')) else {
                problems.push(format!(
                    "{url}: hreflang {code} href {href} is not an absolute URL of the site"
                ));
                continue;
            };
            let target_url = file_to_url(&url_to_file(path));
            match pages.get(&target_url) {
                None => problems.push(format!(
                    "{url}: hreflang {code} points to {href}, which was not generated"
                )),
                Some((other, lang)) => {
                    if code != "x-default" && lang.as_deref() != Some(code.as_str()) {
                        problems.push(format!(
                            "{url}: hreflang {code} points to {href}, whose <html lang> is {lang:?}"
                        ));
                    }
                    if other != set {
                        problems.push(format!("{url} lists {href} as {code}, but {target_url} lists a different set:\n    {set:?}\n    {other:?}"));
                    }
                }
            }
        }
    }
    problems
}

#[test]
fn hreflang_links_are_absolute_reciprocal_and_include_x_default() {
    let (site, _) = multi(&[]);
    // Pages that exist in several languages must have alternates at all.
    for url in [
        "/",
        "/artikel/",
        "/en/article/",
        "/ar/artikel/",
        "/blog/",
        "/kontakt/",
        "/kampagne/",
    ] {
        let set = hreflangs(&site.page(url));
        assert!(
            set.len() >= 3,
            "{url} should list its translations and x-default: {set:?}"
        );
    }
    let set = hreflangs(&site.page("/artikel/"));
    let expected: BTreeMap<String, String> = [
        ("ar", "https://example.com/ar/artikel/"),
        ("de", "https://example.com/artikel/"),
        ("en", "https://example.com/en/article/"),
        ("x-default", "https://example.com/artikel/"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(set, expected);
    // A page that exists in one language only has no alternates.
    assert!(hreflangs(&site.page("/blog/drei/")).is_empty());
    let problems = hreflang_problems(&site, BASE);
    assert!(
        problems.is_empty(),
        "{} hreflang problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn language_switcher_falls_back_to_the_default_language_version() {
    let (site, _) = multi(&[]);
    let html = site.page("/blog/drei/");
    let sw = switcher(&html);
    assert_eq!(sw["de"], ("/blog/drei/".to_string(), "true".to_string()));
    assert_eq!(
        sw["en"],
        ("/blog/drei/".to_string(), "false".to_string()),
        "en entry of a German-only page"
    );
    assert_eq!(
        sw["ar"],
        ("/blog/drei/".to_string(), "false".to_string()),
        "ar entry of a German-only page"
    );
    assert_eq!(
        attr(&html, r#"a.tr[data-code="de"]"#, "data-current"),
        "true"
    );
    assert!(!site.exists("en/blog/drei/index.html") && !site.exists("ar/blog/drei/index.html"));
    // A translated page links every existing translation.
    let sw = switcher(&site.page("/en/article/"));
    assert_eq!(sw["de"], ("/artikel/".to_string(), "true".to_string()));
    assert_eq!(sw["ar"], ("/ar/artikel/".to_string(), "true".to_string()));
    assert_eq!(
        attr(
            &site.page("/en/article/"),
            r#"a.tr[data-code="de"]"#,
            "data-title"
        ),
        "Artikel"
    );
}

#[test]
fn untranslated_pages_are_listed_only_in_fallback_languages() {
    let (site, _) = multi(&[]);
    let pages = |base: &str, n: usize| -> Vec<(String, String)> {
        (1..=n)
            .flat_map(|k| {
                listing(&site.page(&if k == 1 {
                    base.to_string()
                } else {
                    format!("{base}page/{k}/")
                }))
            })
            .collect()
    };
    let en = pages("/en/blog/", 3);
    for german_only in ["/blog/drei/", "/blog/vier/", "/blog/fuenf/"] {
        assert!(
            en.contains(&(german_only.to_string(), "true".to_string())),
            "en (fallback = true) should list {german_only} as a fallback: {en:?}"
        );
    }
    assert!(
        en.contains(&("/en/blog/eins/".to_string(), "false".to_string())),
        "{en:?}"
    );
    assert_eq!(en.len(), 5, "{en:?}");
    let page2 = site.page("/en/blog/page/2/");
    let fb = one(&page2, r#"li.entry[data-fallback="true"]"#);
    assert_eq!(fb.value().attr("data-lang"), Some("de"));
    assert!(
        text(fb).contains("(German only)"),
        "fallback notice: {}",
        text(fb)
    );
    // ar has no fallback: only its own page.
    assert_eq!(
        pages("/ar/blog/", 1),
        vec![("/ar/blog/eins/".to_string(), "false".to_string())]
    );
    assert!(!site.exists("ar/blog/page/2/index.html"));
    // de lists its own pages only, none as fallback.
    assert!(pages("/blog/", 3).iter().all(|(_, fb)| fb == "false"));
    // The home page of en lists the German-only root page as fallback too, ar's does not.
    assert!(listing(&site.page("/en/")).contains(&("/ueber-uns/".to_string(), "true".to_string())));
    assert!(
        !listing(&site.page("/ar/"))
            .iter()
            .any(|(h, _)| h == "/ueber-uns/")
    );
}

#[test]
fn languages_keep_the_order_of_site_toml() {
    let (site, run) = multi(&[]);
    let codes: Vec<String> = select(&site.page("/"), "nav.languages a.tr")
        .into_iter()
        .map(|a| a.value().attr("data-code").unwrap_or("").to_string())
        .collect();
    assert_eq!(
        codes,
        vec!["de", "en", "ar"],
        "translations should be default first, then as written in site.toml"
    );
    assert!(
        run.stdout
            .contains("pages per language: de 14, en 10, ar 5"),
        "{}",
        run.stdout
    );
}

#[test]
fn site_values_are_merged_per_language() {
    let (site, _) = multi(&[]);
    for (url, title, motto, language) in [
        ("/", "Testseite", "Mut", "de|Deutsch|ltr"),
        ("/en/", "Test site", "Courage", "en|English|ltr"),
        ("/ar/", "موقع تجريبي", "Mut", "ar|العربية|rtl"),
    ] {
        let html = site.page(url);
        assert_eq!(text(one(&html, "title")), title, "{url}");
        assert_eq!(attr(&html, "meta[name=ludd]", "data-motto"), motto, "{url}");
        assert_eq!(
            attr(&html, "meta[name=ludd]", "data-language"),
            language,
            "{url}"
        );
        assert_eq!(
            attr(&html, "meta[name=ludd]", "data-default-language"),
            "de",
            "{url}"
        );
        assert_eq!(
            attr(&html, "meta[name=ludd]", "data-taxonomies"),
            "tags",
            "{url}"
        );
        assert_eq!(
            attr(&html, "meta[name=ludd]", "data-is-serve"),
            "false",
            "{url}"
        );
    }
    let html = site.page("/en/blog/page/2/");
    assert_eq!(
        attr(&html, "meta[name=ludd]", "data-canonical"),
        "https://example.com/en/blog/page/2/"
    );
    assert_eq!(
        attr(&html, "meta[name=ludd]", "data-current-path"),
        "/en/blog/page/2/"
    );
    assert_eq!(
        attr(&html, "meta[name=ludd]", "data-feed-url"),
        "https://example.com/en/atom.xml"
    );
    assert_eq!(
        attr(&html, r#"link[rel="canonical"]"#, "href"),
        "https://example.com/en/blog/page/2/"
    );
    assert_eq!(
        attr(&html, r#"link[type="application/atom+xml"]"#, "href"),
        "https://example.com/en/atom.xml"
    );
}

#[test]
fn menu_lists_top_level_sections_and_pages_by_weight() {
    let (site, _) = multi(&[]);
    assert_eq!(
        hrefs(&site.page("/artikel/"), "nav.menu a"),
        vec![
            "/ueber-uns/",
            "/artikel/",
            "/themen/",
            "/blog/",
            "/kampagne/",
            "/kontakt/"
        ]
    );
    let en = hrefs(&site.page("/en/"), "nav.menu a");
    for url in [
        "/en/topics/",
        "/en/blog/",
        "/en/article/",
        "/en/campaign/",
        "/en/contact-us/",
    ] {
        assert!(en.contains(&url.to_string()), "en menu lacks {url}: {en:?}");
    }
    // en has fallback = true: the German-only top-level page is in its menu, marked.
    let en = site.page("/en/");
    assert_eq!(
        attr(&en, r#"nav.menu a[href="/ueber-uns/"]"#, "data-fallback"),
        "true"
    );
    assert_eq!(
        attr(&en, r#"nav.menu a[href="/ueber-uns/"]"#, "data-lang"),
        "de"
    );
    assert_eq!(
        attr(&en, r#"nav.menu a[href="/en/blog/"]"#, "data-fallback"),
        "false"
    );
    assert!(
        select(&site.page("/ar/"), r#"nav.menu a[href="/ueber-uns/"]"#).is_empty(),
        "ar has no fallback"
    );
    let html = site.page("/blog/page/2/");
    assert_eq!(
        attr(&html, r#"nav.menu a[href="/blog/"]"#, "data-current"),
        "true"
    );
    assert_eq!(
        attr(&html, r#"nav.menu a[href="/themen/"]"#, "data-current"),
        "false"
    );
}

// ---------------------------------------------------------------------------------------------
// Sections, pages, pagination, taxonomies
// ---------------------------------------------------------------------------------------------

#[test]
fn paginated_section_has_one_page_per_pager() {
    let (site, _) = multi(&[]);
    let pagers: Vec<Vec<(String, String)>> = ["/blog/", "/blog/page/2/", "/blog/page/3/"]
        .iter()
        .map(|u| listing(&site.page(u)))
        .collect();
    let urls: Vec<Vec<&str>> = pagers
        .iter()
        .map(|p| p.iter().map(|(h, _)| h.as_str()).collect())
        .collect();
    assert_eq!(
        urls,
        vec![
            vec!["/blog/fuenf/", "/blog/vier/"],
            vec!["/blog/drei/", "/blog/zwei/"],
            vec!["/blog/eins/"]
        ]
    );
    assert!(!site.exists("blog/page/4/index.html") && !site.exists("blog/page/1/index.html"));
    let p2 = site.page("/blog/page/2/");
    assert_eq!(attr(&p2, "nav.pager", "data-current"), "2");
    assert_eq!(attr(&p2, "nav.pager", "data-count"), "3");
    assert_eq!(attr(&p2, "nav.pager", "data-per"), "2");
    assert_eq!(attr(&p2, "nav.pager", "data-total"), "5");
    assert_eq!(attr(&p2, "nav.pager a.first", "href"), "/blog/");
    assert_eq!(attr(&p2, "nav.pager a.previous", "href"), "/blog/");
    assert_eq!(attr(&p2, "nav.pager a.next", "href"), "/blog/page/3/");
    assert_eq!(attr(&p2, "nav.pager a.last", "href"), "/blog/page/3/");
    assert!(select(&site.page("/blog/"), "nav.pager a.previous").is_empty());
    assert!(select(&site.page("/blog/page/3/"), "nav.pager a.next").is_empty());
}

#[test]
fn pages_have_their_documented_variables() {
    let (site, _) = multi(&[]);
    let html = site.page("/artikel/");
    let a = one(&html, "article.page");
    let v = |k: &str| a.value().attr(k).unwrap_or_default().to_string();
    assert_eq!(v("data-lang"), "de");
    assert_eq!(v("data-permalink"), "https://example.com/artikel/");
    assert_eq!(v("data-updated"), "2025-03-05");
    assert_eq!(v("data-weight"), "2");
    assert_eq!(v("data-color"), "rot");
    assert_eq!(v("data-fallback"), "false");
    assert!(v("data-word-count").parse::<usize>().expect("word count") > 20);
    assert_eq!(v("data-reading-time"), "1");
    assert_eq!(text(one(&html, "p.description")), "Ein Artikel");
    assert_eq!(attr(&html, "p.date time", "datetime"), "2025-03-01");
    assert_eq!(text(one(&html, "p.date time")), "1. März 2025");
    assert_eq!(
        text(one(&site.page("/en/article/"), "p.date time")),
        "March 1, 2025"
    );
    assert_eq!(
        text(one(&site.page("/ar/artikel/"), "p.date time")),
        "1 مارس 2025"
    );
    assert_eq!(
        hrefs(&html, "ul.tags a"),
        vec!["/tags/arbeit/", "/tags/klima/"]
    );
    // Neighbours follow the section's order (date, newest first).
    let drei = site.page("/blog/drei/");
    assert_eq!(attr(&drei, r#"a[rel="prev"]"#, "href"), "/blog/vier/");
    assert_eq!(attr(&drei, r#"a[rel="next"]"#, "href"), "/blog/zwei/");
    assert!(select(&site.page("/blog/fuenf/"), r#"a[rel="prev"]"#).is_empty());
    // Sections.
    let home = site.page("/");
    assert_eq!(attr(&home, "section.home", "data-hero"), "ja");
    assert_eq!(
        attr(&home, "section.home", "data-permalink"),
        "https://example.com/"
    );
    assert_eq!(hrefs(&home, "ul.subsections a"), vec!["/themen/", "/blog/"]);
}

#[test]
fn listing_entries_have_every_documented_field() {
    // templates.md: section.pages entries are "like page minus content, toc, previous, next".
    let site = TestSite::new("multi");
    site.write(
        "templates/section.html",
        r#"{% extends "base.html" %}
{% block content %}
<ul class="fields">
{%- for p in section.pages %}
<li data-url="{{ p.url }}" data-all="{{ p.title }}|{{ p.description }}|{{ p.date }}|{{ p.updated }}|{{ p.slug }}|{{ p.permalink }}|{{ p.summary }}|{{ p.word_count > 0 }}|{{ p.reading_time }}|{{ p.lang }}|{{ p.extra | length }}|{{ p.taxonomies | length }}|{{ p.weight }}|{{ p.assets | length }}|{{ p.is_fallback }}"></li>
{%- endfor %}
</ul>
{% endblock content %}
"#,
    );
    site.build_ok();
    let html = site.page("/en/blog/");
    let li = one(&html, r#"ul.fields li[data-url="/blog/fuenf/"]"#);
    assert_eq!(
        li.value().attr("data-all"),
        Some("Fuenf||2025-06-01||fuenf|https://example.com/blog/fuenf/||true|1|de|0|0||0|true")
    );
}

#[test]
fn tags_have_list_and_term_pages_per_language() {
    let (site, _) = multi(&[]);
    let tags = site.page("/tags/");
    assert_eq!(
        hrefs(&tags, "ul.terms a"),
        vec!["/tags/arbeit/", "/tags/klima/"]
    );
    assert_eq!(attr(&tags, "h1.taxonomy", "data-name"), "tags");
    assert_eq!(attr(&tags, "h1.taxonomy", "data-lang"), "de");
    let klima = site.page("/tags/klima/");
    assert_eq!(text(one(&klima, "h1.term")), "Klima");
    let urls: Vec<String> = listing(&klima).into_iter().map(|(h, _)| h).collect();
    assert_eq!(
        urls,
        vec!["/artikel/", "/themen/klima/wasser/"],
        "term pages, newest first"
    );
    let en = site.page("/en/tags/");
    assert_eq!(hrefs(&en, "ul.terms a"), vec!["/en/tags/climate/"]);
    let climate: Vec<String> = listing(&site.page("/en/tags/climate/"))
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    assert_eq!(climate, vec!["/en/article/", "/en/topics/climate/water/"]);
    assert_eq!(attr(&site.page("/en/tags/climate/"), "html", "lang"), "en");
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let (site, _) = multi(&[]);
    assert!(!site.exists("blog/entwurf/index.html"));
    assert!(!site.read("atom.xml").contains("entwurf"));
    assert!(!site.read("sitemap.xml").contains("entwurf"));
    assert!(
        !listing(&site.page("/blog/"))
            .iter()
            .any(|(h, _)| h.contains("entwurf"))
    );

    let (site, run) = multi(&["--drafts"]);
    assert!(site.exists("blog/entwurf/index.html"));
    assert_eq!(
        listing(&site.page("/blog/"))[0].0,
        "/blog/entwurf/",
        "the draft is the newest post"
    );
    assert!(site.exists("blog/page/3/index.html") && !site.exists("blog/page/4/index.html"));
    assert!(run.stdout.contains("de 15"), "{}", run.stdout);
}

// ---------------------------------------------------------------------------------------------
// Sitemap and feeds
// ---------------------------------------------------------------------------------------------

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

#[test]
fn sitemap_is_valid_xml_with_alternates() {
    let (site, _) = multi(&[]);
    let text = site.read("sitemap.xml");
    let doc = parse_xml(&text);
    let root = doc.root_element();
    assert!(
        root.has_tag_name((SITEMAP_NS, "urlset")),
        "root is {:?}",
        root.tag_name()
    );
    let mut entries: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for url in root
        .children()
        .filter(|n| n.has_tag_name((SITEMAP_NS, "url")))
    {
        let loc = url
            .children()
            .find(|n| n.has_tag_name((SITEMAP_NS, "loc")))
            .and_then(|n| n.text())
            .expect("loc")
            .to_string();
        let alternates = url
            .children()
            .filter(|n| n.has_tag_name((XHTML_NS, "link")))
            .map(|l| {
                (
                    l.attribute("hreflang").unwrap_or("").to_string(),
                    l.attribute("href").unwrap_or("").to_string(),
                )
            })
            .collect();
        assert!(entries.insert(loc, alternates).is_none(), "duplicate <loc>");
    }
    for loc in entries.keys() {
        let path = loc
            .strip_prefix(BASE)
            .unwrap_or_else(|| panic!("{loc} is not absolute"));
        assert!(
            url_exists(&site.out(), path),
            "sitemap lists {loc}, which was not generated"
        );
    }
    for must in [
        "/",
        "/en/",
        "/ar/",
        "/artikel/",
        "/en/article/",
        "/ueber-uns/",
        "/blog/drei/",
        "/en/topics/climate/water/",
    ] {
        assert!(
            entries.contains_key(&format!("{BASE}{must}")),
            "sitemap lacks {must}"
        );
    }
    assert!(
        !entries
            .keys()
            .any(|k| k.contains("/alt/") || k.ends_with("old.html")),
        "aliases are not pages"
    );
    let alternates = &entries[&format!("{BASE}/artikel/")];
    assert_eq!(
        alternates.get("en").map(String::as_str),
        Some("https://example.com/en/article/")
    );
    assert_eq!(
        alternates.get("ar").map(String::as_str),
        Some("https://example.com/ar/artikel/")
    );
    assert_eq!(
        alternates.get("x-default").map(String::as_str),
        Some("https://example.com/artikel/")
    );
    // Reciprocal: every alternate lists the same set.
    for (loc, set) in &entries {
        for href in set.values() {
            assert_eq!(
                entries.get(href),
                Some(set),
                "{loc} lists {href}, which does not list the same alternates"
            );
        }
    }
    assert!(entries[&format!("{BASE}/blog/drei/")].is_empty());
}

/// (link, published) of every entry of a feed, in order.
fn feed_entries(site: &TestSite, file: &str) -> Vec<(String, String)> {
    let text = site.read(file);
    let doc = parse_xml(&text);
    let root = doc.root_element();
    assert!(
        root.has_tag_name((ATOM_NS, "feed")),
        "{file}: root is {:?}",
        root.tag_name()
    );
    root.children()
        .filter(|n| n.has_tag_name((ATOM_NS, "entry")))
        .map(|e| {
            let link = e
                .children()
                .find(|n| n.has_tag_name((ATOM_NS, "link")))
                .and_then(|l| l.attribute("href"))
                .expect("entry link")
                .to_string();
            let published = e
                .children()
                .find(|n| n.has_tag_name((ATOM_NS, "published")))
                .and_then(|n| n.text())
                .expect("published")
                .to_string();
            (link, published)
        })
        .collect()
}

#[test]
fn feeds_are_valid_xml_with_only_dated_pages_newest_first() {
    let (site, _) = multi(&[]);
    let expected: &[(&str, &[&str])] = &[
        (
            "atom.xml",
            &[
                "/blog/fuenf/",
                "/blog/vier/",
                "/blog/drei/",
                "/artikel/",
                "/blog/zwei/",
                "/themen/klima/wasser/",
                "/blog/eins/",
            ],
        ),
        (
            "en/atom.xml",
            &[
                "/en/article/",
                "/en/blog/zwei/",
                "/en/topics/climate/water/",
                "/en/blog/eins/",
            ],
        ),
        ("ar/atom.xml", &["/ar/artikel/", "/ar/blog/eins/"]),
        (
            "tags/klima/atom.xml",
            &["/artikel/", "/themen/klima/wasser/"],
        ),
        ("tags/arbeit/atom.xml", &["/artikel/"]),
        (
            "en/tags/climate/atom.xml",
            &["/en/article/", "/en/topics/climate/water/"],
        ),
    ];
    for (file, urls) in expected {
        let entries = feed_entries(&site, file);
        let links: Vec<String> = entries.iter().map(|(l, _)| l.clone()).collect();
        let want: Vec<String> = urls.iter().map(|u| format!("{BASE}{u}")).collect();
        assert_eq!(links, want, "{file}");
        let dates: Vec<&String> = entries.iter().map(|(_, d)| d).collect();
        let mut sorted = dates.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted, "{file} is not newest first");
    }
    let text = site.read("en/atom.xml");
    let doc = parse_xml(&text);
    assert_eq!(
        doc.root_element()
            .attribute(("http://www.w3.org/XML/1998/namespace", "lang")),
        Some("en")
    );
}

// ---------------------------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------------------------

/// Every link of every HTML file that points into the site but to nothing.
fn dangling_links(site: &TestSite) -> Vec<String> {
    let out = site.out();
    let mut problems = Vec::new();
    for file in html_files(&out) {
        let html = site.html(&file);
        let page_url = file_to_url(&file);
        for el in select(&html, "[href], [src]") {
            for name in ["href", "src"] {
                let Some(link) = el.value().attr(name) else {
                    continue;
                };
                let link = link.trim();
                if link.is_empty()
                    || link.starts_with('#')
                    || link.starts_with("//")
                    || link.contains(':')
                {
                    continue;
                }
                let target = if link.starts_with('/') {
                    link.to_string()
                } else {
                    let dir = &page_url[..=page_url.rfind('/').unwrap_or(0)];
                    resolve_relative(dir, link)
                };
                if !url_exists(&out, &target) {
                    problems.push(format!("{file}: {name}=\"{link}\" -> {target}"));
                }
            }
        }
    }
    problems
}

fn resolve_relative(dir: &str, link: &str) -> String {
    let path = link.split(['?', '#']).next().unwrap_or("");
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let trailing = if path.ends_with('/') { "/" } else { "" };
    format!("/{}{trailing}", parts.join("/"))
}

#[test]
fn no_internal_link_is_dangling() {
    let (site, _) = multi(&[]);
    let problems = dangling_links(&site);
    assert!(
        problems.is_empty(),
        "{} dangling links:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn internal_link_fragments_point_to_existing_ids() {
    let (site, _) = multi(&[]);
    let mut problems = Vec::new();
    for file in html_files(&site.out()) {
        let html = site.html(&file);
        for a in select(&html, "div.content a[href*='#']") {
            let href = a.value().attr("href").unwrap_or("");
            let (path, fragment) = href.split_once('#').expect("has #");
            let target = if path.is_empty() {
                html.clone()
            } else {
                site.page(path)
            };
            if select(&target, &format!("[id=\"{fragment}\"]")).is_empty() {
                problems.push(format!("{file}: {href} has no target"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The links in a page's content include every one of `wanted`.
fn assert_links(site: &TestSite, url: &str, wanted: &[&str]) {
    let found = hrefs(&site.page(url), "div.content a");
    for want in wanted {
        assert!(
            found.contains(&want.to_string()),
            "links of {url} {found:?} lack {want}"
        );
    }
}

#[test]
fn internal_links_resolve_to_the_same_language_and_fall_back_to_the_default() {
    let (site, _) = multi(&[]);
    assert_links(
        &site,
        "/artikel/",
        &[
            "/",
            "/blog/drei/",
            "/themen/klima/wasser/",
            "/kontakt/#adresse",
            "#klima",
        ],
    );
    assert_links(
        &site,
        "/en/article/",
        &[
            "/en/",
            "/blog/drei/",
            "/en/topics/climate/water/",
            "/en/contact-us/#adresse",
            "/en/contact-us/",
        ],
    );
    assert_links(&site, "/ar/artikel/", &["/ar/", "/blog/drei/"]);
    assert!(
        !site.read("artikel/index.html").contains("@/"),
        "an @/ link was left unresolved"
    );
    assert!(
        !site.read("en/article/index.html").contains(".md\""),
        "a .md link was left unresolved"
    );
}

#[test]
fn relative_markdown_links_resolve() {
    let (site, _) = multi(&[]);
    assert_eq!(
        hrefs(&site.page("/themen/klima/wasser/"), "div.content a"),
        vec!["/themen/", "/artikel/"]
    );
    assert_eq!(
        hrefs(&site.page("/en/topics/climate/water/"), "div.content a"),
        vec!["/en/topics/", "/en/article/"]
    );
}

// ---------------------------------------------------------------------------------------------
// Template functions and UI strings
// ---------------------------------------------------------------------------------------------

#[test]
fn url_asset_and_t_template_functions() {
    let (site, _) = multi(&[]);
    let de = site.page("/artikel/");
    assert_eq!(attr(&de, "a.url-artikel", "href"), "/artikel/");
    assert_eq!(attr(&de, "a.url-drei", "href"), "/blog/drei/");
    assert_eq!(attr(&de, "a.url-blog", "href"), "/blog/");
    assert_eq!(attr(&de, "a.url-artikel-en", "href"), "/en/article/");
    assert_eq!(
        text(one(&de, "span.url-abs")),
        "https://example.com/artikel/"
    );
    assert_eq!(attr(&de, "a.home", "href"), "/");
    let en = site.page("/en/article/");
    assert_eq!(attr(&en, "a.url-artikel", "href"), "/en/article/");
    assert_eq!(
        attr(&en, "a.url-drei", "href"),
        "/blog/drei/",
        "url() falls back to the default language"
    );
    assert_eq!(attr(&en, "a.url-blog", "href"), "/en/blog/");
    assert_eq!(
        text(one(&en, "span.url-abs")),
        "https://example.com/en/article/"
    );
    assert_eq!(attr(&en, "a.home", "href"), "/en/");
    let ar = site.page("/ar/artikel/");
    assert_eq!(attr(&ar, "a.url-artikel", "href"), "/ar/artikel/");
    assert_eq!(
        text(one(&ar, "span.t-de")),
        "Hallo",
        "t(lang=) picks the language"
    );

    let css = std::fs::read(site.path("static/css/site.css")).expect("css");
    let hash = blake3::hash(&css).to_hex()[..10].to_string();
    // Built pages link the fingerprinted copy, written beside the plain file.
    assert_eq!(
        attr(&de, r#"link[rel="stylesheet"]"#, "href"),
        format!("/css/site.{hash}.css")
    );
    assert_eq!(site.read("css/site.css").as_bytes(), css.as_slice());
    assert_eq!(
        site.read(&format!("css/site.{hash}.css")).as_bytes(),
        css.as_slice()
    );
    assert_eq!(
        text(one(&de, "span.asset-abs")),
        format!("https://example.com/css/site.{hash}.css")
    );

    for (url, greeting) in [
        ("/artikel/", "Hallo"),
        ("/en/article/", "Hello"),
        ("/ar/artikel/", "مرحبا"),
    ] {
        assert_eq!(
            attr(&site.page(url), "p.ui", "data-greeting"),
            greeting,
            "{url}"
        );
    }
    // The content hash changes with the file.
    site.write("static/css/site.css", "body { color: red; }\n");
    site.build_ok();
    let changed = attr(&site.page("/artikel/"), r#"link[rel="stylesheet"]"#, "href");
    assert_ne!(changed, format!("/css/site.{hash}.css"));
    assert!(changed.starts_with("/css/site.") && changed.ends_with(".css"));
    assert!(
        site.path(&format!("public{changed}")).is_file(),
        "{changed}"
    );
    assert!(
        !site.path(&format!("public/css/site.{hash}.css")).exists(),
        "the old copy is gone"
    );
}

#[test]
fn missing_ui_string_falls_back_with_exactly_one_warning() {
    let (site, run) = multi(&[]);
    assert_eq!(
        attr(&site.page("/en/article/"), "p.ui", "data-only-de"),
        "Nur auf Deutsch übersetzt"
    );
    assert_eq!(
        attr(&site.page("/en/"), "p.ui", "data-only-de"),
        "Nur auf Deutsch übersetzt"
    );
    assert_eq!(attr(&site.page("/ar/"), "p.ui", "data-only-de"), "مترجم");
    assert!(run.stderr.contains("warning:"), "{}", run.stderr);
    assert_eq!(
        count(&run.stderr, "only_de"),
        1,
        "one warning per key and language:\n{}",
        run.stderr
    );
    // artikel.md was updated after its translations: those are reported as stale (`ludd check`).
    assert_eq!(
        count(&run.stderr, "warning:") - count(&run.stderr, "translation is older than"),
        1,
        "no other warnings expected:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("en"), "{}", run.stderr);
    assert!(run.stdout.contains("; 3 warnings"), "{}", run.stdout);
}

#[test]
fn ui_string_missing_everywhere_shows_the_key_and_never_fails() {
    let site = TestSite::new("multi");
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}\n{% block content %}<h1>{{ t(key='gibt.es.nicht') }}</h1>{% endblock content %}\n",
    );
    let run = site.build_ok();
    assert_eq!(
        text(one(&site.html("en/404.html"), "main h1")),
        "gibt.es.nicht"
    );
    assert!(
        run.stderr.contains("warning:") && run.stderr.contains("gibt.es.nicht"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

#[test]
fn footnotes_have_back_links() {
    let (site, _) = multi(&[]);
    for (url, label) in [
        ("/artikel/", "Zurück zum Text"),
        ("/en/article/", "Back to the text"),
    ] {
        let html = site.page(url);
        let backs = select(&html, &format!("a[aria-label=\"{label}\"]"));
        assert!(
            !backs.is_empty(),
            "{url}: no footnote back-link labelled {label}:\n{}",
            content(&html).html()
        );
        for back in backs {
            let href = back.value().attr("href").unwrap_or("");
            let id = href
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{url}: back-link {href} is not a fragment"));
            let reference = select(&html, &format!("[id=\"{id}\"]"));
            assert_eq!(
                reference.len(),
                1,
                "{url}: back-link target #{id} must exist once"
            );
            // The reference links to the footnote that holds this back-link.
            let footnote_ids: Vec<String> = back
                .ancestors()
                .filter_map(scraper::ElementRef::wrap)
                .filter_map(|e| e.value().attr("id").map(str::to_string))
                .collect();
            let ref_el = reference[0];
            let ref_links: Vec<String> = std::iter::once(ref_el)
                .chain(ref_el.select(&sel("a")))
                .filter_map(|a| a.value().attr("href").map(str::to_string))
                .collect();
            assert!(
                ref_links
                    .iter()
                    .any(|h| footnote_ids.iter().any(|f| *h == format!("#{f}"))),
                "{url}: reference #{id} ({ref_links:?}) does not link to its footnote ({footnote_ids:?})"
            );
        }
        assert!(
            !content(&html).html().contains("[^1]"),
            "{url}: footnote left unrendered"
        );
    }
}

#[test]
fn the_footnote_section_has_a_visually_hidden_localised_heading() {
    let (site, _) = multi(&[]);
    for (url, title) in [("/artikel/", "Fußnoten"), ("/en/article/", "Footnotes")] {
        let html = site.page(url);
        let headings: Vec<String> = select(&html, "section.footnotes > h2.visually-hidden")
            .into_iter()
            .map(text)
            .collect();
        assert_eq!(headings, [title], "{url}");
    }
}

#[test]
fn heading_ids_are_unique_and_the_toc_points_to_them() {
    let (site, _) = multi(&[]);
    let html = site.page("/artikel/");
    let mut seen = BTreeSet::new();
    for el in select(&html, "[id]") {
        let id = el.value().attr("id").unwrap_or("");
        assert!(seen.insert(id.to_string()), "duplicate id {id}");
    }
    let h2: Vec<(String, String)> = select(&html, "div.content > h2")
        .into_iter()
        .map(|h| (text(h), h.value().attr("id").unwrap_or("").to_string()))
        .collect();
    assert_eq!(h2.len(), 3, "{h2:?}");
    assert_eq!(
        h2[0],
        ("Klima".to_string(), "klima".to_string()),
        "{{#klima}} sets the id"
    );
    assert!(
        !h2[1].1.is_empty() && !h2[2].1.is_empty() && h2[1].1 != h2[2].1,
        "two `## Ziele` need two ids: {h2:?}"
    );
    let toc = hrefs(&html, "nav.toc a");
    assert_eq!(toc.len(), 3, "toc: {toc:?}");
    for (href, (_, id)) in toc.iter().zip(&h2) {
        assert_eq!(*href, format!("#{id}"));
    }
}

#[test]
fn gfm_alert_titles_are_localised() {
    let (site, _) = multi(&[]);
    let de = text(content(&site.page("/artikel/")));
    assert!(
        de.contains("Hinweis") && de.contains("Das sollte man wissen."),
        "{de}"
    );
    assert!(
        de.contains("Eigener Titel") && !de.contains("Warnung"),
        "a title after the marker replaces the default: {de}"
    );
    assert!(
        !de.contains("[!NOTE]") && !de.contains("[!WARNING]"),
        "{de}"
    );
    let en = text(content(&site.page("/en/article/")));
    assert!(
        en.contains("Please note") && en.contains("Worth knowing."),
        "{en}"
    );
    assert!(!en.contains("[!NOTE]"), "{en}");
    let ar = text(content(&site.page("/ar/artikel/")));
    assert!(ar.contains("ملاحظة") && !ar.contains("[!NOTE]"), "{ar}");
}

#[test]
fn typographic_quotes_follow_the_language() {
    let site = TestSite::new("multi");
    site.edit("site.toml", |s| {
        s.replace(
            "[extra]\n",
            "[languages.fr]\nname = \"Français\"\n\n[extra]\n",
        )
    });
    let mut fr = site.read_source("i18n/en.toml");
    fr.push_str("only_de = \"seulement\"\n");
    site.write("i18n/fr.toml", fr.replace("Please note", "Remarque"));
    site.write(
        "content/artikel.fr.md",
        "---\ntitle: \"Article\"\nslug: \"article-fr\"\n---\n\nC'est une \"citation\" ici.\n",
    );
    site.build_ok();
    let de = text(content(&site.page("/artikel/")));
    assert!(de.contains("„Zitat“"), "German double quotes: {de}");
    assert!(de.contains("‚kleines‘"), "German single quotes: {de}");
    let en = text(content(&site.page("/en/article/")));
    assert!(en.contains("“quote”"), "English double quotes: {en}");
    assert!(en.contains("‘small’"), "English single quotes: {en}");
    let fr = content(&site.page("/fr/article-fr/"))
        .text()
        .collect::<String>();
    let open = fr
        .find('«')
        .unwrap_or_else(|| panic!("French quotes: {fr}"));
    let close = fr
        .find('»')
        .unwrap_or_else(|| panic!("French quotes: {fr}"));
    let inner = &fr[open + '«'.len_utf8()..close];
    assert_eq!(
        inner.trim_matches(|c: char| c.is_whitespace() || c == '\u{202f}' || c == '\u{a0}'),
        "citation",
        "{fr}"
    );
    assert!(fr.contains("C’est"), "apostrophe: {fr}");
}

#[test]
fn shortcodes_render_with_their_arguments_and_context() {
    let (site, _) = multi(&[]);
    let html = site.page("/artikel/");
    let badge = one(&html, "div.content span.badge");
    let v = |k: &str| badge.value().attr(k).unwrap_or_default().to_string();
    assert_eq!(text(badge), "neu");
    assert_eq!(
        (v("data-n"), v("data-flag"), v("data-nth"), v("data-lang")),
        ("1".into(), "true".into(), "1".into(), "de".into())
    );
    assert_eq!(v("data-page-url"), "https://example.com/artikel/");
    let boxes = select(&html, "div.content aside.box");
    assert_eq!(boxes.len(), 2, "{}", content(&html).html());
    assert_eq!(boxes[0].value().attr("class"), Some("box box-info"));
    assert_eq!(boxes[0].value().attr("data-nth"), Some("1"));
    assert_eq!(boxes[1].value().attr("data-nth"), Some("2"));
    assert_eq!(boxes[0].value().attr("data-page-title"), Some("Artikel"));
    assert_eq!(
        boxes[0].value().attr("data-page-url"),
        Some("https://example.com/artikel/")
    );
    assert_eq!(boxes[0].value().attr("data-lang"), Some("de"));
    assert_eq!(
        boxes[0]
            .select(&sel("strong"))
            .map(text)
            .collect::<Vec<_>>(),
        vec!["fetter"],
        "the body is Markdown"
    );
    assert!(
        select(&html, "p > aside.box").is_empty(),
        "block shortcodes are not wrapped in <p>"
    );
    assert!(
        !site.read("artikel/index.html").contains("{%"),
        "shortcode tags left in the output"
    );
}

#[test]
fn summaries_come_from_the_more_marker() {
    let (site, _) = multi(&[]);
    let home = site.page("/");
    let summary = text(one(&home, "section.home > div.summary"));
    assert!(
        summary.contains("Willkommen") && !summary.contains("Noch mehr"),
        "{summary}"
    );
    let entry = select(&home, "li.entry")
        .into_iter()
        .find(|li| {
            li.select(&sel("a"))
                .next()
                .and_then(|a| a.value().attr("href"))
                == Some("/artikel/")
        })
        .expect("the article is listed on the home page");
    let s = entry
        .select(&sel("div.summary"))
        .next()
        .map(text)
        .unwrap_or_default();
    assert!(
        s.contains("Zitat") && !s.contains("Fußnote"),
        "summary of the article in the home listing: {s:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Configuration variants and CLI overrides
// ---------------------------------------------------------------------------------------------

#[test]
fn default_language_in_subdir_prefixes_every_language() {
    let site = TestSite::new("multi");
    enable_subdir(&site);
    site.build_ok();
    for f in [
        "de/index.html",
        "de/artikel/index.html",
        "de/blog/page/3/index.html",
        "de/tags/klima/index.html",
        "de/atom.xml",
        "de/404.html",
        "404.html",
        "en/index.html",
        "ar/index.html",
        "de/kampagne/plakat.png",
    ] {
        assert!(site.exists(f), "{f} missing; files: {:?}", site.files());
    }
    assert!(
        !site.exists("artikel/index.html")
            && !site.exists("blog/index.html")
            && !site.exists("tags/index.html")
    );
    // The root is a language chooser with plain links and alternates.
    let chooser = site.html("index.html");
    let links = hrefs(&chooser, "body a");
    assert_eq!(
        links.iter().collect::<BTreeSet<_>>(),
        ["/de/", "/en/", "/ar/"]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .iter()
            .collect()
    );
    assert!(
        select(&chooser, "script").is_empty(),
        "the chooser must work without JavaScript"
    );
    assert!(!is_redirect(&chooser), "the chooser is not a redirect");
    let set = hreflangs(&chooser);
    assert_eq!(
        set.get("x-default").map(String::as_str),
        Some("https://example.com/")
    );
    assert_eq!(
        set.get("de").map(String::as_str),
        Some("https://example.com/de/")
    );
    assert_eq!(
        hreflangs(&site.page("/de/"))
            .get("x-default")
            .map(String::as_str),
        Some("https://example.com/")
    );
    assert!(
        site.read("index.html").contains("Sprache wählen"),
        "chooser.title"
    );
    // Aliases redirect to the prefixed page.
    assert_eq!(
        attr(&site.html("old.html"), r#"link[rel="canonical"]"#, "href"),
        "https://example.com/de/artikel/"
    );
    assert_eq!(
        attr(&site.page("/de/artikel/"), "a.url-artikel", "href"),
        "/de/artikel/"
    );
    let problems = dangling_links(&site);
    assert!(
        problems.is_empty(),
        "{} dangling links:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let problems = hreflang_problems(&site, BASE);
    assert!(
        problems.is_empty(),
        "{} hreflang problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn language_chooser_template_is_used_when_present() {
    let site = TestSite::new("multi");
    enable_subdir(&site);
    site.write(
        "templates/language_chooser.html",
        r#"<!DOCTYPE html>
<html lang="{{ lang }}" dir="{{ dir }}"><head>{{ head_links }}</head>
<body><ul class="chooser">{% for tr in translations %}<li><a href="{{ tr.url }}" lang="{{ tr.code }}">{{ tr.name }}</a></li>{% endfor %}</ul></body></html>
"#,
    );
    site.build_ok();
    let html = site.html("index.html");
    assert_eq!(hrefs(&html, "ul.chooser a"), vec!["/de/", "/en/", "/ar/"]);
}

#[test]
fn base_url_and_output_can_be_overridden() {
    let (site, _) = multi(&[
        "--base-url",
        "https://preview.example.net",
        "--output",
        "other",
    ]);
    assert!(
        !site.out().exists(),
        "the configured output_dir must not be written"
    );
    let out = site.root.join("other");
    assert!(out.join("index.html").is_file());
    let html = Html::parse_document(&read_text(&out.join("artikel/index.html")));
    assert_eq!(
        attr(&html, r#"link[rel="canonical"]"#, "href"),
        "https://preview.example.net/artikel/"
    );
    assert_eq!(
        hreflangs(&html).get("en").map(String::as_str),
        Some("https://preview.example.net/en/article/")
    );
    let sitemap = read_text(&out.join("sitemap.xml"));
    assert!(
        sitemap.contains("<loc>https://preview.example.net/artikel/</loc>"),
        "{sitemap}"
    );
    assert!(!sitemap.contains("example.com"), "{sitemap}");
    assert!(!read_text(&out.join("atom.xml")).contains("https://example.com"));
    assert!(read_text(&out.join("robots.txt")).contains("https://preview.example.net/sitemap.xml"));
}

#[test]
fn rebuild_without_changes_writes_nothing_and_keeps_files() {
    let (site, first) = multi(&[]);
    let n = EXPECTED_FILES.len();
    assert!(
        first
            .stdout
            .contains(&format!("({n} written, 0 unchanged)")),
        "{}",
        first.stdout
    );
    let before = identities(&site.out());
    let bytes = tree(&site.out());
    let second = site.build_ok();
    assert!(
        second
            .stdout
            .contains(&format!("(0 written, {n} unchanged)")),
        "{}",
        second.stdout
    );
    assert_eq!(
        identities(&site.out()),
        before,
        "inodes and mtimes must be kept"
    );
    assert_eq!(tree(&site.out()), bytes);
    assert!(
        leftovers(&site.root).is_empty(),
        "{:?}",
        leftovers(&site.root)
    );
    // One changed page: only the files that show it change.
    site.edit("content/kontakt.md", |s| {
        s.replace("Musterstraße 1.", "Musterstraße 2.")
    });
    let third = site.build_ok();
    assert!(
        third
            .stdout
            .contains(&format!("(1 written, {} unchanged)", n - 1)),
        "{}",
        third.stdout
    );
}

#[test]
fn summary_line_names_pages_per_language() {
    let (_, run) = multi(&[]);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("pages per language:"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    for part in ["de 14", "en 10", "ar 5"] {
        assert!(line.contains(part), "{line}");
    }
    assert!(
        run.stdout
            .starts_with(&format!("built {} files", EXPECTED_FILES.len())),
        "{}",
        run.stdout
    );
}

#[test]
fn quiet_prints_nothing_on_success() {
    let site = TestSite::new("multi");
    let run = site.build(&["--quiet"]).ok();
    assert_eq!(run.stdout, "", "stdout under --quiet");
    assert_eq!(
        run.stderr, "",
        "stderr under --quiet (only errors may be printed)"
    );
    assert!(site.exists("index.html"));
}

// ---------------------------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------------------------

#[test]
fn snapshot_paginated_listing_with_fallbacks() {
    let (site, _) = multi(&[]);
    insta::assert_snapshot!("en_blog_page_2", site.read("en/blog/page/2/index.html"));
}

#[test]
fn snapshot_alias_redirect_and_sitemap() {
    let (site, _) = multi(&[]);
    insta::assert_snapshot!("alias_redirect", site.read("old.html"));
    insta::assert_snapshot!("sitemap", site.read("sitemap.xml"));
}

#[test]
fn front_matter_titles_and_descriptions_get_the_languages_quotes() {
    let site = TestSite::new("multi");
    site.write(
        "content/zitat.md",
        "---\ntitle: Die \"KI um jeden Preis\" und 'Fortschritt'\ndescription: Was \"Fortschritt\" heißt...\n---\nText.\n",
    );
    site.write(
        "content/zitat.en.md",
        "---\ntitle: The workers' \"AI at any cost\"\n---\nText.\n",
    );
    site.build_ok();
    let de = site.read("zitat/index.html");
    assert!(
        de.contains("<title>Die „KI um jeden Preis“ und ‚Fortschritt‘"),
        "German quotes in <title>"
    );
    assert!(
        de.contains("Was „Fortschritt“ heißt…"),
        "German quotes in the description"
    );
    let en = site.read("en/zitat/index.html");
    assert!(
        en.contains("The workers’ “AI at any cost”"),
        "English quotes and apostrophe"
    );
}

#[test]
fn long_dates_and_numbers_follow_cldr_in_every_language() {
    let site = TestSite::new("basic");
    site.edit("site.toml", |s| {
        s + "\n[languages.es]\nname = \"Español\"\n\n[languages.fr]\nname = \"Français\"\n"
    });
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{% if page.date %}<p id=\"d\">{{ page.date | date(format=\"long\") }}</p>{% endif %}\
         <p id=\"n\">{{ 1100 | num }} {{ \"-2500.5\" | num }}</p>\
         {% if page.date %}<p id=\"iso\">{{ page.date | date }} {{ page.date | date(format=\"%d.%m.%Y\") }}</p>{% endif %}{% endblock content %}",
    );
    for (lang, suffix) in [("de", ""), ("en", ".en"), ("es", ".es"), ("fr", ".fr")] {
        site.write(
            &format!("content/seite{suffix}.md"),
            format!("---\ntitle: \"Seite {lang}\"\ndate: 2025-10-28\n---\n\nText.\n"),
        );
    }
    site.build_ok();
    let text = |url: &str, id: &str| {
        site.page(url)
            .select(&scraper::Selector::parse(&format!("#{id}")).unwrap())
            .next()
            .map(|e| e.text().collect::<String>())
            .unwrap_or_default()
    };
    assert_eq!(text("/seite/", "d"), "28. Oktober 2025");
    assert_eq!(text("/en/seite/", "d"), "October 28, 2025");
    assert_eq!(text("/es/seite/", "d"), "28 de octubre de 2025");
    assert_eq!(text("/fr/seite/", "d"), "28 octobre 2025");
    assert_eq!(text("/seite/", "n"), "1.100 -2.500,5");
    assert_eq!(text("/en/seite/", "n"), "1,100 -2,500.5");
    assert_eq!(text("/es/seite/", "n"), "1100 -2500,5");
    assert_eq!(text("/fr/seite/", "n"), "1\u{202f}100 -2\u{202f}500,5");
    assert_eq!(text("/en/seite/", "iso"), "2025-10-28 28.10.2025");
}

#[test]
fn data_files_reach_templates_per_language_and_rebuild_what_reads_them() {
    let site = TestSite::new("basic");
    site.write(
        "data/events.toml",
        "[[items]]\ntitle = \"Infoabend\"\nstart = \"2026-02-12T19:00:00+01:00\"\n",
    );
    site.write(
        "data/events.en.toml",
        "[[items]]\ntitle = \"Information evening\"\nstart = \"2026-02-12T19:00:00+01:00\"\n",
    );
    site.write("data/team/board.yaml", "name: Ada\nroles: [chair]\n");
    site.write("data/numbers.json", "{\"signatures\": 1100}");
    site.write("data/places.csv", "city,venue\nLeeds,\"Hall, upstairs\"\n");
    site.edit("templates/page.html", |s| {
        s.replace(
            "{{ page.content }}",
            "{{ page.content }}\n<ul id=\"data\">{% for e in data.events.items %}<li>{{ e.title }} {{ e.start | date(format=\"%H:%M\") }}</li>{% endfor %}\
             <li>{{ data.team.board.name }} {{ data.team.board.roles[0] }}</li><li>{{ data.numbers.signatures }}</li>\
             <li>{{ data.places[0].venue }}</li></ul>",
        )
    });
    site.build_ok();
    let de = site.page("/seite/");
    assert_eq!(
        select(&de, "#data li")
            .into_iter()
            .map(text)
            .collect::<Vec<_>>(),
        ["Infoabend 19:00", "Ada chair", "1100", "Hall, upstairs"]
    );
    let en = site.page("/en/seite/");
    assert_eq!(
        text(select(&en, "#data li")[0]),
        "Information evening 19:00"
    );

    // An edited data file changes the outputs that show it, also in an incremental build.
    site.write(
        "data/events.toml",
        "[[items]]\ntitle = \"Stammtisch\"\nstart = \"2026-03-01T18:30:00+01:00\"\n",
    );
    site.build_ok();
    assert_eq!(
        text(select(&site.page("/seite/"), "#data li")[0]),
        "Stammtisch 18:30"
    );
    assert_eq!(
        text(select(&site.page("/en/seite/"), "#data li")[0]),
        "Information evening 19:00"
    );
}
