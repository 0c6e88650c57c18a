//! Fuzz target: slug generation and URL building. Checks the invariants the generator relies on
//! to never write outside the output folder: a slug is `[a-z0-9-]` only, an alias never keeps a
//! `..`/`.` segment, a backslash or a host, and output paths stay relative.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ludd::model::urls::{normalize_alias, output_path};
use ludd::slug::slugify;

fuzz_target!(|text: &str| {
    let slug = slugify(text);
    assert!(
        slug.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "slug {slug:?}"
    );
    assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));

    let url = format!("/en/{slug}/");
    let path = output_path(&url);
    assert!(!path.starts_with('/'));
    assert!(path.split('/').all(|p| p != ".." && p != "."));

    if let Some(alias) = normalize_alias(text) {
        assert!(
            alias.starts_with('/') && !alias.starts_with("//"),
            "alias {alias:?}"
        );
        assert!(!alias.contains('\\') && !alias.contains("://"));
        assert!(
            alias.split('/').all(|p| p != ".." && p != "."),
            "alias {alias:?}"
        );
        let path = output_path(&alias);
        assert!(!path.starts_with('/'), "alias path {path:?}");
        assert!(path.split('/').all(|p| p != ".." && p != "."));
    }
});
