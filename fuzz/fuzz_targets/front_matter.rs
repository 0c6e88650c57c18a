//! Fuzz target: front matter splitting (fence detection) and YAML/TOML parsing into typed front
//! matter, for pages and sections. Any input must give `Ok` or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ludd::load::front_matter::split;
use std::path::Path;

fuzz_target!(|text: &str| {
    let taxonomies = ["tags".to_string(), "categories".to_string()];
    for is_section in [false, true] {
        let _ = split(text, Path::new("content/fuzz.md"), &taxonomies, is_section);
    }
});
