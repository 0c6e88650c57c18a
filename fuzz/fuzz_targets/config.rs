//! Fuzz target: `site.toml` parsing and validation (`Config::parse`). Any input must give a
//! config or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ludd::load::config::Config;

fuzz_target!(|text: &str| {
    if let Ok(config) = Config::parse(text) {
        let _ = config.language_codes();
    }
});
