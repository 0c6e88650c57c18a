//! Fuzz target: the Markdown + shortcode pipeline (`render::markdown::render`) with an in-memory
//! stub host: links to `.md` files resolve, every shortcode renders as a `<div>` around its
//! body, UI strings are their keys; one flag byte picks the language,
//! smart punctuation and safe mode (sanitising). Any input must give HTML or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ludd::render::markdown::{MarkdownHost, MarkdownOptions, ShortcodeArgs, render};

struct StubHost;

impl MarkdownHost for StubHost {
    fn resolve_link(&self, target: &str) -> Result<String, String> {
        if target.ends_with(".md") {
            Ok("/en/page/".to_string())
        } else {
            Err(format!("no content file `{target}`"))
        }
    }

    fn render_shortcode(
        &self,
        name: &str,
        args: &ShortcodeArgs,
        body: Option<&str>,
        nth: usize,
    ) -> Result<String, String> {
        if name == "fail" {
            return Err("shortcode failed".to_string());
        }
        Ok(format!(
            "<div id=\"{name}-{nth}\" data-args=\"{}\">{}</div>",
            args.len(),
            body.unwrap_or("")
        ))
    }

    fn ui_string(&self, key: &str) -> String {
        key.to_string()
    }
}

fuzz_target!(|input: (u8, &str)| {
    let (flags, text) = input;
    let lang = ["en", "de", "fr", "ar"][usize::from(flags >> 1) % 4];
    let options = MarkdownOptions {
        lang,
        smart_punctuation: flags & 1 == 1,
        safe: flags & 0x80 != 0,
    };
    if let Ok(rendered) = render(
        text,
        1 + usize::from((flags >> 3) & 0x0f),
        &options,
        &StubHost,
    ) {
        if let Some(summary) = &rendered.summary_html {
            assert!(summary.len() <= rendered.html.len() + 1024);
        }
    }
});
