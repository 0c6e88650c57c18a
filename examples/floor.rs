//! The benchmark's floor: what any generator must do for a content tree, and nothing else. Reads
//! every Markdown file under a folder, renders its body to HTML with pulldown-cmark (ludd's
//! Markdown options, no templates, no model, no link resolution) and writes one `index.html` per
//! file into a fresh output folder, in parallel on every core. `bench/run.sh` times it beside
//! ludd's cold build to show how close the full build comes to this floor.
//!
//! ```sh
//! cargo run --profile profiling --example floor -- <content dir> <output dir>
//! ```

use pulldown_cmark::{Parser, html};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use walkdir::WalkDir;

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [content, output] = args.as_slice() else {
        eprintln!("usage: floor <content dir> <output dir>");
        return ExitCode::from(2);
    };
    match run(content, output) {
        Ok(files) => {
            println!("{files} files");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("floor: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(content: &Path, output: &Path) -> std::io::Result<usize> {
    let files: Vec<PathBuf> = WalkDir::new(content)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    files
        .par_iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)?;
            let target = output.join(page_dir(content, path)).join("index.html");
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(target, render(body(&text)))
        })
        .collect::<std::io::Result<Vec<()>>>()
        .map(|written| written.len())
}

/// The text after the front matter (`---` or `+++` fenced), or all of it.
fn body(text: &str) -> &str {
    for fence in ["---", "+++"] {
        if let Some(rest) = text.strip_prefix(fence)
            && let Some(end) = rest.find(&format!("\n{fence}"))
        {
            let after = &rest[end + 1 + fence.len()..];
            return after.strip_prefix('\n').unwrap_or(after);
        }
    }
    text
}

/// Markdown to HTML with the options ludd enables (the benchmark site turns smart punctuation
/// off).
fn render(markdown: &str) -> String {
    let options = ludd::render::markdown::parser_options(false);
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(markdown, options));
    out
}

/// A pretty-URL folder per file: `a/b.en.md` → `a/b.en/`, `a/_index.md` → `a/_index/`.
fn page_dir(content: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(content)
        .unwrap_or(path)
        .with_extension("")
}
