//! Share cards through the real binary: the basic fixture with the campaign theme's card
//! template and fonts copied in. Every page and language gets a 1200 × 630 PNG that its
//! `og:image` names; editing a title changes that card and no other; a right-to-left title is
//! laid out from the right; `extra.card` uses the given image instead.

mod common;

use common::{TestSite, attr};
use std::collections::BTreeMap;
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

fn rgb(png: &[u8]) -> image::RgbImage {
    image::load_from_memory(png).unwrap().into_rgb8()
}

/// Horizontal extent (min x, max x) of the white title pixels in the title box.
fn title_extent(png: &[u8]) -> (u32, u32) {
    let img = rgb(png);
    let (mut min, mut max) = (u32::MAX, 0);
    for y in 180..500 {
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

#[test]
fn every_page_and_language_gets_its_card() {
    let site = site_with_cards();
    site.build_ok();
    let cards = cards(&site);
    for page in ["index.html", "seite/index.html", "en/index.html", "en/page/index.html"] {
        let url = attr(&site.html(page), "meta[property='og:image']", "content");
        let path = url
            .strip_prefix("https://example.com/")
            .unwrap_or_else(|| panic!("{page}: {url}"));
        let bytes = std::fs::read(site.out().join(path))
            .unwrap_or_else(|e| panic!("{page}: {path}: {e}"));
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (1200, 630), "{path}");
        assert!(bytes.starts_with(b"\x89PNG"), "{path}");
    }
    // One card per document, each different (the titles differ).
    let distinct: std::collections::HashSet<&Vec<u8>> = cards.values().collect();
    assert_eq!(distinct.len(), cards.len(), "{:?}", cards.keys());
    assert!(cards.len() >= 5, "{:?}", cards.keys());
}

#[test]
fn a_title_edit_changes_that_card_only() {
    let site = site_with_cards();
    site.build_ok();
    let before = cards(&site);
    site.edit("content/seite.md", |s| s.replace("title: \"Seite\"", "title: \"Neue Überschrift\""));
    site.build_ok();
    let after = cards(&site);
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (path, bytes) in &after {
        if path == "seite.png" {
            assert_ne!(&before[path], bytes, "the edited page's card changed");
        } else {
            assert_eq!(&before[path], bytes, "{path} did not change");
        }
    }
    // A body edit leaves every card as it was.
    site.edit("content/seite.md", |s| format!("{s}\nNoch ein Satz.\n"));
    site.build_ok();
    assert_eq!(cards(&site), after);
}

#[test]
fn a_right_to_left_title_starts_on_the_right() {
    let site = site_with_cards();
    site.edit("site.toml", |s| {
        format!("{s}\n[languages.ar]\nname = \"العربية\"\ndirection = \"rtl\"\n")
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
    // The box spans x 80–1120: an LTR title starts at its left edge, an RTL one at its right.
    assert!(de_min < 100 && de_max < 800, "LTR {de_min}–{de_max}");
    assert!(ar_max > 1100 && ar_min > 400, "RTL {ar_min}–{ar_max}");
}

#[test]
fn a_long_title_shrinks_and_wraps_inside_the_box() {
    let site = site_with_cards();
    let long = "Über 1.100 Beschäftigte warnen: KI um jeden Preis schadet Demokratie, Arbeit und dem Planeten, und niemand hat sie gefragt";
    site.edit("content/seite.md", |s| s.replace("title: \"Seite\"", &format!("title: \"{long}\"")));
    site.build_ok();
    let (min, max) = title_extent(&cards(&site)["seite.png"]);
    assert!(min >= 78 && max <= 1122, "{min}–{max}");
}

#[test]
fn extra_card_uses_the_given_image() {
    let site = site_with_cards();
    site.write("static/img/eigen.png", b"\x89PNG\r\n\x1a\n");
    site.edit("content/seite.md", |s| {
        s.replace("tags: [\"Test\"]", "tags: [\"Test\"]\nextra:\n  card: \"img/eigen.png\"")
    });
    site.build_ok();
    let url = attr(&site.html("seite/index.html"), "meta[property='og:image']", "content");
    assert_eq!(url, "https://example.com/img/eigen.png");
    assert!(!site.out().join("cards/seite.png").exists());
}
