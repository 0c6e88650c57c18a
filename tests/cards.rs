//! Share cards through the real binary: the basic fixture with the campaign theme's card
//! template and fonts copied in, and the campaign theme itself. Every page and language gets a
//! 1200 × 630 PNG that its `og:image` names by absolute URL; editing a title draws that card
//! again and no other; a right-to-left title is laid out from the right; `extra.card` uses the
//! given image instead; the cards are cached and pruned with the images.

mod common;

use common::{TestSite, attr, identities};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The basic fixture with the campaign theme's `cards/` and an `og:image` meta tag.
fn site_with_cards() -> TestSite {
    let site = TestSite::new("basic");
    let theme_cards = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/campaign/cards");
    common::copy_dir(&theme_cards, &site.path("cards"));
    site.edit("templates/base.html", |s| {
        s.replace(
            "<meta charset=\"utf-8\">",
            "<meta charset=\"utf-8\">\n<meta property=\"og:image\" content=\"{{ card }}\">",
        )
    });
    site
}

fn cards(site: &TestSite) -> BTreeMap<String, Vec<u8>> {
    common::tree(&site.out().join("cards"))
}

/// The card files in the cache folder.
fn cached_cards(site: &TestSite) -> BTreeSet<String> {
    common::list_files(&site.path(".ludd-cache/images"))
        .into_iter()
        .filter(|f| f.ends_with(".png"))
        .collect()
}

fn rgb(png: &[u8]) -> image::RgbImage {
    image::load_from_memory(png)
        .expect("a card decodes")
        .into_rgb8()
}

/// Horizontal extent (min x, max x) of the white pixels in rows `rows`.
fn white_extent(png: &[u8], rows: std::ops::Range<u32>) -> (u32, u32) {
    let img = rgb(png);
    let (mut min, mut max) = (u32::MAX, 0);
    for y in rows {
        for x in 0..img.width() {
            let p = img.get_pixel(x, y);
            if p[0] > 230 && p[1] > 230 && p[2] > 230 {
                min = min.min(x);
                max = max.max(x);
            }
        }
    }
    (min, max)
}

/// The extent of the title (below the site name, above the rule).
fn title_extent(png: &[u8]) -> (u32, u32) {
    white_extent(png, 180..500)
}

/// Checks that `url` is an absolute card URL under `origin` of a 1200 × 630 PNG in `out`.
fn assert_card(out: &Path, origin: &str, url: &str) {
    let path = url
        .strip_prefix(origin)
        .unwrap_or_else(|| panic!("{url} is not under {origin}"));
    let bytes = std::fs::read(out.join(path)).unwrap_or_else(|e| panic!("{url}: {path}: {e}"));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{path} is a PNG");
    let img = image::load_from_memory(&bytes).expect("decodes");
    assert_eq!((img.width(), img.height()), (1200, 630), "{path}");
}

#[test]
fn every_page_and_language_gets_its_card() {
    let site = site_with_cards();
    site.build_ok();
    let mut urls = BTreeSet::new();
    for page in [
        "index.html",
        "seite/index.html",
        "andere/index.html",
        "en/index.html",
        "en/seite/index.html",
    ] {
        let url = attr(&site.html(page), "meta[property='og:image']", "content");
        assert_card(&site.out(), "https://example.com/", &url);
        urls.insert(url);
    }
    assert_eq!(urls.len(), 5, "each page has its own card: {urls:?}");
    // One card per document, each different (the titles differ), and nothing else.
    let cards = cards(&site);
    let names: Vec<&str> = cards.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "andere.png",
            "en.png",
            "en/seite.png",
            "index.png",
            "seite.png"
        ]
    );
    let distinct: BTreeSet<&Vec<u8>> = cards.values().collect();
    assert_eq!(distinct.len(), cards.len());
    // A page without a document of its own (the 404 page) shows the home page's card.
    let not_found = attr(
        &site.html("404.html"),
        "meta[property='og:image']",
        "content",
    );
    assert_eq!(not_found, "https://example.com/cards/index.png");
}

#[test]
fn a_title_edit_draws_that_card_again_and_no_other() {
    let site = site_with_cards();
    site.build_ok();
    let before = cards(&site);
    let before_ids = identities(&site.out().join("cards"));
    let before_cache = cached_cards(&site);
    assert_eq!(before_cache.len(), before.len(), "{before_cache:?}");
    site.edit("content/seite.md", |s| {
        s.replace("title: \"Seite\"", "title: \"Neue Überschrift\"")
    });
    site.build_ok();
    let after = cards(&site);
    let after_ids = identities(&site.out().join("cards"));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &after {
        if path == "seite.png" {
            assert_ne!(&before[path], bytes, "the edited page's card changed");
            assert_ne!(before_ids[path], after_ids[path]);
        } else {
            assert_eq!(&before[path], bytes, "{path} did not change");
            assert_eq!(
                before_ids[path], after_ids[path],
                "{path} was not rewritten"
            );
        }
    }
    // One card was drawn (a new cache entry) and the old one pruned.
    let after_cache = cached_cards(&site);
    assert_eq!(after_cache.difference(&before_cache).count(), 1);
    assert_eq!(before_cache.difference(&after_cache).count(), 1);
    // A body edit leaves every card as it was.
    site.edit("content/seite.md", |s| format!("{s}\nNoch ein Satz.\n"));
    site.build_ok();
    assert_eq!(cards(&site), after);
    assert_eq!(identities(&site.out().join("cards")), after_ids);
    // Back to the old title: the old card again, byte for byte.
    site.edit("content/seite.md", |s| {
        s.replace("title: \"Neue Überschrift\"", "title: \"Seite\"")
    });
    site.build_ok();
    assert_eq!(cards(&site)["seite.png"], before["seite.png"]);
}

#[test]
fn a_cached_build_draws_no_card() {
    let site = site_with_cards();
    site.build_ok();
    let cache = identities(&site.path(".ludd-cache/images"));
    let cards_before = cards(&site);
    std::fs::remove_dir_all(site.out()).expect("remove the output");
    site.build_ok();
    assert_eq!(cards(&site), cards_before);
    let after = identities(&site.path(".ludd-cache/images"));
    for (name, id) in &cache {
        if name.ends_with(".png") {
            assert_eq!(
                after.get(name),
                Some(id),
                "{name} was reused, not drawn again"
            );
        }
    }
}

#[test]
fn a_right_to_left_title_starts_on_the_right() {
    let site = site_with_cards();
    site.edit("site.toml", |s| {
        format!("{s}\n[languages.ar]\nname = \"العربية\"\ndirection = \"rtl\"\ntitle = \"موقع\"\n")
    });
    site.write(
        "content/seite.ar.md",
        "---\ntitle: \"لا للذكاء\"\n---\n\nنص.\n",
    );
    site.write("content/kurz.md", "---\ntitle: \"Kurz\"\n---\n\nText.\n");
    site.build_ok();
    let cards = cards(&site);
    let (ar_min, ar_max) = title_extent(&cards["ar/seite.png"]);
    let (de_min, de_max) = title_extent(&cards["kurz.png"]);
    // The box spans x 80–1120: a left-to-right title starts at its left edge, a right-to-left
    // one at its right edge.
    assert!(de_min < 100 && de_max < 800, "LTR {de_min}–{de_max}");
    assert!(ar_max > 1100 && ar_min > 600, "RTL {ar_min}–{ar_max}");
    // The template's data-mirror elements (the square and the site name) move to the right.
    let (name_min, name_max) = white_extent(&cards["ar/seite.png"], 70..110);
    assert!(
        name_max > 1110 && name_min > 800,
        "RTL site name {name_min}–{name_max}"
    );
    let (name_min, name_max) = white_extent(&cards["kurz.png"], 70..110);
    assert!(
        name_min < 90 && name_max < 700,
        "LTR site name {name_min}–{name_max}"
    );
}

#[test]
fn a_long_title_shrinks_and_wraps_inside_the_box() {
    let site = site_with_cards();
    let long = "Über 1.100 Beschäftigte warnen: KI um jeden Preis schadet Demokratie, Arbeit und dem Planeten, und niemand hat sie gefragt";
    site.edit("content/seite.md", |s| {
        s.replace("title: \"Seite\"", &format!("title: \"{long}\""))
    });
    site.write("content/kurz.md", "---\ntitle: \"Kurz\"\n---\n\nText.\n");
    site.build_ok();
    let cards = cards(&site);
    let (min, max) = title_extent(&cards["seite.png"]);
    assert!(min >= 78 && max <= 1122, "inside the box: {min}–{max}");
    // Wrapped onto several lines: white pixels well below the first line.
    let img = rgb(&cards["seite.png"]);
    let rows_with_text = (170..520)
        .filter(|&y| (80..1120).any(|x| img.get_pixel(x, y)[1] > 230))
        .count();
    let short = rgb(&cards["kurz.png"]);
    let short_rows = (170..520)
        .filter(|&y| (80..1120).any(|x| short.get_pixel(x, y)[1] > 230))
        .count();
    assert!(
        rows_with_text > 2 * short_rows,
        "{rows_with_text} vs {short_rows}"
    );
}

#[test]
fn extra_card_uses_the_given_image() {
    let site = site_with_cards();
    site.write("static/img/eigen.png", tiny_png());
    site.edit("content/seite.md", |s| {
        s.replace(
            "tags: [\"Test\"]",
            "tags: [\"Test\"]\nextra:\n  card: \"img/eigen.png\"",
        )
    });
    // A bundle's own file works too.
    site.write(
        "content/buendel/index.md",
        "---\ntitle: \"Bündel\"\nextra:\n  card: \"bild.png\"\n---\n\nText.\n",
    );
    site.write("content/buendel/bild.png", tiny_png());
    site.build_ok();
    let url = attr(
        &site.html("seite/index.html"),
        "meta[property='og:image']",
        "content",
    );
    assert_eq!(url, "https://example.com/img/eigen.png");
    assert!(!site.out().join("cards/seite.png").exists());
    let url = attr(
        &site.html("buendel/index.html"),
        "meta[property='og:image']",
        "content",
    );
    assert_eq!(url, "https://example.com/buendel/bild.png");
    assert!(site.out().join("buendel/bild.png").is_file());
    assert!(!site.out().join("cards/buendel.png").exists());
    // The others keep their drawn cards.
    assert!(site.out().join("cards/andere.png").is_file());
}

#[test]
fn extra_card_naming_a_missing_file_is_an_error() {
    let site = site_with_cards();
    site.build_ok();
    let before = common::tree(&site.out());
    site.edit("content/seite.md", |s| {
        s.replace(
            "tags: [\"Test\"]",
            "tags: [\"Test\"]\nextra:\n  card: \"img/fehlt.png\"",
        )
    });
    let run = site.build(&[]).failed();
    assert!(run.stderr.contains("content/seite.md"), "{}", run.stderr);
    assert!(run.stderr.contains("img/fehlt.png"), "{}", run.stderr);
    assert_eq!(
        common::tree(&site.out()),
        before,
        "the previous output stays"
    );
}

#[test]
fn a_broken_card_template_is_one_clear_error() {
    let site = site_with_cards();
    site.write(
        "cards/card.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>no title</text></svg>",
    );
    let run = site.build(&[]).failed();
    assert!(run.stderr.contains("cards/card.svg"), "{}", run.stderr);
    assert!(run.stderr.contains("id=\"title\""), "{}", run.stderr);
    assert_eq!(common::count(&run.stderr, "error:"), 1, "{}", run.stderr);
    site.write("cards/card.svg", "<svg <broken");
    let run = site.build(&[]).failed();
    assert!(run.stderr.contains("cards/card.svg"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn the_campaign_theme_links_each_pages_card_under_the_base_path() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("site");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/campaign"),
        &root.join("themes/campaign"),
    );
    let files = [
        (
            "site.toml",
            "title = \"Kampagne\"\nbase_url = \"https://example.com/kampagne/\"\ndefault_language = \"de\"\ntheme = \"campaign\"\n\n[languages.de]\nname = \"Deutsch\"\n\n[languages.ar]\nname = \"العربية\"\ndirection = \"rtl\"\ntitle = \"حملة\"\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Start\"\n+++\nHallo.\n"),
        (
            "content/_index.ar.md",
            "+++\ntitle = \"البداية\"\n+++\nمرحبا.\n",
        ),
        ("content/aufruf.md", "+++\ntitle = \"Aufruf\"\n+++\nText.\n"),
    ];
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    common::ludd(&root, &["build"]).ok();
    let out = root.join("public");
    for (page, card) in [
        ("index.html", "cards/index.png"),
        ("aufruf/index.html", "cards/aufruf.png"),
        ("ar/index.html", "cards/ar.png"),
    ] {
        let html = scraper::Html::parse_document(&common::read_text(&out.join(page)));
        let og = attr(&html, "meta[property='og:image']", "content");
        assert_eq!(og, format!("https://example.com/kampagne/{card}"), "{page}");
        assert_eq!(attr(&html, "meta[name='twitter:image']", "content"), og);
        assert_card(&out, "https://example.com/kampagne/", &og);
    }
}

/// A valid 1 × 1 PNG.
fn tiny_png() -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::new(1, 1)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("encode");
    bytes
}
