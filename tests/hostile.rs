//! Hostile input (issue #6): one test per input of the hardening list, each building a real
//! temporary site with the real binary. Every input must give a clear error (exit code 1, the
//! file named, a `help:` line) or be handled, never a panic, an abort or a hang, and nothing may
//! be written outside `output_dir`.
//!
//! The list, with the tests that cover each input (some live in `tests/errors.rs`):
//! * invalid UTF-8: `errors.rs::invalid_utf8_in_a_content_file`, and here
//!   [`invalid_utf8_in_site_toml`], [`invalid_utf8_in_a_file_name`], [`invalid_utf8_in_a_template`];
//! * a 50 MB Markdown file: [`a_50_mb_markdown_file_builds`];
//! * nesting 10,000 deep: [`markdown_nested_10000_deep_builds`],
//!   [`markdown_nested_10000_deep_in_safe_mode_is_refused_clearly`],
//!   [`front_matter_nested_10000_deep_is_refused`], [`shortcodes_nested_10000_deep_are_refused`];
//! * an unterminated front matter fence: `errors.rs::unterminated_front_matter_fence`, and here
//!   [`unterminated_fence_at_the_end_of_the_file`];
//! * a slug of `../../etc`: [`slug_dot_dot_etc_stays_inside_the_output`],
//!   [`section_slug_dot_dot_etc_stays_inside_the_output`],
//!   [`aliases_that_climb_out_are_refused`] (with `errors.rs::alias_that_climbs_out_of_the_site`),
//!   [`file_and_folder_names_with_dots_stay_inside_the_output`],
//!   [`template_name_that_climbs_out_is_refused`];
//! * a symlink loop in `content/`: [`symlink_loop_in_content_is_an_error`];
//! * a file deleted mid-build: [`dangling_symlink_in_content_is_skipped`],
//!   [`files_deleted_between_loading_and_writing_give_an_error`],
//!   [`content_changing_during_builds_never_panics`];
//! * `output_dir` pointing at the project root: `errors.rs::output_dir_may_not_be_the_site_folder`
//!   and `errors.rs::output_dir_may_not_be_the_content_folder`, and here
//!   [`output_dir_spelled_as_the_root_in_other_ways_is_refused`],
//!   [`output_dir_symlinked_to_the_root_is_refused`].

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// A build that is still running after this long counts as hung. It is a guard against a test
/// that never ends, not a speed requirement: every build here takes seconds.
const HANG: Duration = Duration::from_secs(600);

/// Runs the binary on `site` (`ludd --root <root> <args>`), failing the test if it hangs.
fn run_guarded(site: &TestSite, args: &[&str]) -> Run {
    site.run_guarded(args, &[], HANG)
}

/// Builds `site` with the hang guard.
fn build(site: &TestSite) -> Run {
    run_guarded(site, &["build", "--quiet"])
}

/// Every file in the temporary folder around the site, except the output folder and the build
/// state file next to it: what a build may not touch.
fn outside_output(site: &TestSite) -> BTreeMap<String, Vec<u8>> {
    tree(site.tmp())
        .into_iter()
        .filter(|(rel, _)| !rel.starts_with("site/public/") && rel != "site/.public.ludd-state")
        .collect()
}

/// The small fixture site with `files` written into it, built once to have an output.
fn site_with(files: &[(&str, &str)]) -> TestSite {
    let site = TestSite::new("basic");
    for (rel, text) in files {
        site.write(rel, text);
    }
    site
}

/// A page with `title` and `body`.
fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: \"{title}\"\n---\n\n{body}\n")
}

/// Asserts that a run failed cleanly and that stderr names `file` and every one of `also`.
#[track_caller]
fn refused_naming(run: Run, file: &str, also: &[&str]) {
    let run = run.failed();
    for s in std::iter::once(&file).chain(also) {
        assert!(
            run.stderr.contains(s),
            "stderr should mention `{s}`:\n{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("help:"), "stderr:\n{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Invalid UTF-8
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_utf8_in_site_toml() {
    let site = site_with(&[]);
    let mut bytes = std::fs::read(site.path("site.toml")).expect("read site.toml");
    bytes.extend_from_slice(b"\n[extra]\nmotto = \"\xff\xfe\"\n");
    site.write("site.toml", bytes);
    refused_naming(build(&site), "site.toml:", &["UTF-8"]);
    assert!(!site.out().exists());
}

#[test]
fn invalid_utf8_in_a_file_name() {
    use std::os::unix::ffi::OsStrExt;
    let site = site_with(&[]);
    let name = std::ffi::OsStr::from_bytes(b"kaputt-\xff.md");
    std::fs::write(site.path("content").join(name), page("Kaputt", "Text.")).expect("write");
    refused_naming(build(&site), "kaputt-", &["not valid UTF-8"]);
}

#[test]
fn invalid_utf8_in_a_template() {
    let site = site_with(&[]);
    site.write(
        "templates/page.html",
        b"{% extends \"base.html\" %}{% block content %}\xff{% endblock content %}".as_slice(),
    );
    refused_naming(build(&site), "templates/page.html", &["UTF-8"]);
}

// ---------------------------------------------------------------------------------------------
// A 50 MB Markdown file
// ---------------------------------------------------------------------------------------------

/// 50 MB of ordinary Markdown (a heading every 100 paragraphs, links, emphasis) builds: a
/// campaign page is small, but a huge one is not an error, and memory stays linear.
#[test]
fn a_50_mb_markdown_file_builds() {
    let site = site_with(&[]);
    let mut body = String::with_capacity(51 << 20);
    let mut n = 0;
    while body.len() < 50 << 20 {
        if n % 100 == 0 {
            body.push_str(&format!("## Teil {n}\n\n"));
        }
        body.push_str(&format!(
            "Absatz {n} mit *etwas* Text, einem [Link](https://example.org/{n}) und noch mehr \
             Text, damit die Zeile so lang wie ein echter Absatz wird.\n\n"
        ));
        n += 1;
    }
    body.push_str("Das Ende.\n");
    site.write("content/riesig.md", page("Riesig", &body));
    build(&site).ok();
    let html = site.read("riesig/index.html");
    assert!(html.len() > 50 << 20, "{} bytes", html.len());
    assert!(html.contains(&format!("<h2 id=\"teil-{}\">", (n - 1) / 100 * 100)));
    assert!(html.contains("<p>Das Ende.</p>"));
}

// ---------------------------------------------------------------------------------------------
// Nesting 10,000 deep
// ---------------------------------------------------------------------------------------------

const DEEP: usize = 10_000;

/// Markdown bodies nested 10,000 levels deep in different ways.
fn deep_bodies() -> Vec<(&'static str, String)> {
    vec![
        ("block quotes", ">".repeat(DEEP) + " tief"),
        ("block quote alerts", "> ".repeat(DEEP) + "[!NOTE]\n> tief"),
        ("bullet lists", "- ".repeat(DEEP) + "tief"),
        ("ordered lists", "1. ".repeat(DEEP) + "tief"),
        ("lists in quotes", "> - ".repeat(DEEP / 2) + "tief"),
        ("emphasis", "*".repeat(DEEP) + "tief" + &"*".repeat(DEEP)),
        ("strong", "**".repeat(DEEP) + "tief" + &"**".repeat(DEEP)),
        ("brackets", "[".repeat(DEEP) + "tief" + &"]".repeat(DEEP)),
        ("links", "[a](".repeat(DEEP) + "tief"),
        ("raw html", "<div>".repeat(DEEP) + "tief"),
        (
            "footnotes",
            "[^a]".repeat(DEEP) + "\n\n[^a]: " + &"[^a]".repeat(100),
        ),
    ]
}

/// Runs in a child process (the binary), so a stack overflow would show as a failed run (abort
/// by signal), not as a crashed test harness.
#[test]
fn markdown_nested_10000_deep_builds() {
    let site = site_with(&[]);
    for (i, (what, body)) in deep_bodies().into_iter().enumerate() {
        site.write(&format!("content/tief-{i}.md"), page(what, &body));
    }
    let run = build(&site).ok();
    for i in 0..deep_bodies().len() {
        assert!(
            site.exists(&format!("tief-{i}/index.html")),
            "{:?}: {}",
            site.files(),
            run.stderr
        );
    }
}

#[test]
#[cfg_attr(
    not(feature = "safe-html"),
    ignore = "markdown.safe needs the safe-html feature"
)]
fn markdown_nested_10000_deep_in_safe_mode_is_refused_clearly() {
    let site = site_with(&[]);
    site.edit("site.toml", |s| s + "\n[markdown]\nsafe = true\n");
    for (what, body) in deep_bodies() {
        site.write("content/tief.md", page(what, &body));
        let run = build(&site);
        if run.status.success() {
            // Only what does not actually nest (emphasis delimiters, brackets) may build.
            assert!(
                ["emphasis", "strong", "brackets", "links", "footnotes"].contains(&what),
                "{what} built in safe mode"
            );
            run.no_panic();
            assert!(site.exists("tief/index.html"), "{what}");
        } else {
            refused_naming(run, "content/tief.md:4", &["nested more than 1000 levels"]);
        }
    }
}

#[test]
fn front_matter_nested_10000_deep_is_refused() {
    let yaml_flow = format!(
        "---\ntitle: Tief\nextra:\n  x: {}{}\n---\n\nText.\n",
        "[".repeat(DEEP),
        "]".repeat(DEEP)
    );
    let yaml_maps = format!(
        "---\ntitle: Tief\nextra:\n  x: {}1{}\n---\n\nText.\n",
        "{a: ".repeat(DEEP),
        "}".repeat(DEEP)
    );
    let toml_arrays = format!(
        "+++\ntitle = \"Tief\"\n[extra]\nx = {}{}\n+++\n\nText.\n",
        "[".repeat(DEEP),
        "]".repeat(DEEP)
    );
    let toml_tables = format!(
        "+++\ntitle = \"Tief\"\n[extra]\nx = {}1{}\n+++\n\nText.\n",
        "{a = ".repeat(DEEP),
        "}".repeat(DEEP)
    );
    let toml_dotted = format!(
        "+++\ntitle = \"Tief\"\n[extra]\n{} = 1\n+++\n\nText.\n",
        vec!["a"; DEEP].join(".")
    );
    let site = site_with(&[]);
    for (what, text) in [
        ("YAML", yaml_flow),
        ("YAML", yaml_maps),
        ("TOML", toml_arrays),
        ("TOML", toml_tables),
        ("TOML", toml_dotted),
    ] {
        site.write("content/tief.md", &text);
        let run = build(&site);
        if run.status.success() {
            // A format without a depth limit may accept it; then the page must render.
            run.no_panic();
            assert!(site.exists("tief/index.html"), "{what}");
        } else {
            refused_naming(run, "content/tief.md", &[what]);
        }
    }
}

/// YAML nested 100,000 and 200,000 levels deep, in flow and block form, in front matter and in
/// a data file: refused by the depth pre-scan with the file, the line and what to do. serde_yaml
/// alone took 20 s and 100 s on these; the bound below only proves the refusal is not
/// quadratic, it is no speed requirement.
#[test]
fn yaml_nested_100000_deep_is_refused_at_once() {
    let site = site_with(&[]);
    for deep in [100_000, 200_000] {
        let flow = format!("[{}", "[".repeat(deep));
        let maps = "{a: ".repeat(deep);
        let dashes = format!("\n  - {}x", "- ".repeat(deep));
        for (form, value) in [
            ("flow lists", flow),
            ("flow maps", maps),
            ("dashes", dashes),
        ] {
            site.write(
                "content/tief.md",
                format!("---\ntitle: Tief\nextra:\n  x: {value}\n---\n\nText.\n"),
            );
            let start = std::time::Instant::now();
            let run = build(&site);
            let took = start.elapsed();
            refused_naming(
                run,
                "content/tief.md:",
                &["nested more than 128 levels", "flatten"],
            );
            assert!(took < Duration::from_secs(5), "{form} {deep}: {took:?}");
        }
    }
    site.write("content/tief.md", page("Tief", "Text."));
    site.write("data/tief.yaml", format!("x: {}", "[".repeat(100_000)));
    let start = std::time::Instant::now();
    refused_naming(build(&site), "data/tief.yaml:1", &["nested more than 128"]);
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn shortcodes_nested_10000_deep_are_refused() {
    let body = "{% hinweis() %}".repeat(DEEP) + "tief" + &"{% end %}".repeat(DEEP);
    let site = site_with(&[("content/tief.md", &page("Tief", &body))]);
    refused_naming(
        build(&site),
        "content/tief.md:5",
        &["nested more than 16 levels"],
    );
    let inline = "{{ hinweis(text=\"".repeat(DEEP);
    site.write("content/tief.md", page("Tief", &inline));
    let run = build(&site);
    if !run.status.success() {
        refused_naming(run, "content/tief.md", &["shortcode"]);
    }
}

/// A page template with two nested `range(end=100000)` loops would write 10^10 characters: the
/// process used to allocate 2.4 GB and abort. Now the rendering stops at the output limit with
/// an error naming the template, and the previous output stays.
#[test]
fn a_template_with_runaway_output_is_stopped_with_an_error() {
    let site = site_with(&[]);
    build(&site).ok();
    let before = tree(&site.out());
    site.write("templates/page.html", runaway_template());
    refused_naming(
        build(&site),
        "templates/page.html",
        &["produced more than 64 MB of output", "loop"],
    );
    assert_eq!(tree(&site.out()), before, "the previous output stays");
}

// ---------------------------------------------------------------------------------------------
// Unterminated front matter fence
// ---------------------------------------------------------------------------------------------

#[test]
fn unterminated_fence_at_the_end_of_the_file() {
    let site = site_with(&[]);
    for text in [
        "---",
        "---\n",
        "+++\ntitle = \"x\"",
        "---\ntitle: x\n--",
        "\u{feff}---\n",
    ] {
        site.write("content/offen.md", text);
        refused_naming(build(&site), "content/offen.md:1", &["never closed"]);
    }
}

// ---------------------------------------------------------------------------------------------
// A slug of `../../etc`
// ---------------------------------------------------------------------------------------------

/// Builds `site` and checks that only the output folder changed.
#[track_caller]
fn build_touching_only_the_output(site: &TestSite) -> Run {
    let before = outside_output(site);
    let run = build(site);
    assert_eq!(
        outside_output(site).keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "files outside output_dir changed; stderr:\n{}",
        run.stderr
    );
    assert_eq!(
        outside_output(site),
        before,
        "file contents outside output_dir changed"
    );
    run
}

#[test]
fn slug_dot_dot_etc_stays_inside_the_output() {
    let site = site_with(&[
        (
            "content/boese.md",
            "---\ntitle: Böse\nslug: \"../../etc\"\ntags: [\"../../etc/passwd\", \"..\"]\n---\n\nText.\n",
        ),
        (
            "content/boese.en.md",
            "---\ntitle: Evil\nslug: \"/../../../etc/passwd\\\\..\"\n---\n\nText.\n",
        ),
    ]);
    build_touching_only_the_output(&site).ok();
    assert!(site.exists("etc/index.html"), "{:?}", site.files());
    assert!(
        site.exists("en/etc-passwd/index.html"),
        "{:?}",
        site.files()
    );
    assert!(
        site.exists("tags/etc-passwd/index.html"),
        "{:?}",
        site.files()
    );
}

#[test]
fn section_slug_dot_dot_etc_stays_inside_the_output() {
    let site = site_with(&[
        (
            "content/bereich/_index.md",
            "---\ntitle: Bereich\nslug: \"../../etc\"\n---\n",
        ),
        (
            "content/bereich/seite.md",
            "---\ntitle: Seite\nslug: \"..\"\n---\n\nText.\n",
        ),
    ]);
    build_touching_only_the_output(&site).ok();
    assert!(site.exists("etc/index.html"), "{:?}", site.files());
    // A slug with nothing usable falls back to the file name.
    assert!(site.exists("etc/seite/index.html"), "{:?}", site.files());
}

#[test]
fn aliases_that_climb_out_are_refused() {
    let site = site_with(&[]);
    site.build_ok();
    for alias in [
        "../../etc",
        "/en/../../../etc/passwd",
        "..\\..\\etc",
        "//evil.example/x",
        "https://evil.example/",
        "/./x",
    ] {
        let front = format!(
            "---\ntitle: Seite\naliases: [\"{}\"]\n---\n\nText.\n",
            alias.replace('\\', "\\\\")
        );
        site.write("content/seite.md", &front);
        let run = build_touching_only_the_output(&site);
        refused_naming(
            run,
            "content/seite.md:3",
            &["is not a path inside the site"],
        );
    }
}

#[test]
fn file_and_folder_names_with_dots_stay_inside_the_output() {
    let site = site_with(&[
        ("content/a..md", &page("Punkte", "Text.")),
        ("content/x../y...md", &page("Mehr Punkte", "Text.")),
        ("content/....md", &page("Versteckt", "Text.")),
        ("content/x../bild..png", "kein Bild"),
    ]);
    build_touching_only_the_output(&site).ok();
    assert!(site.exists("a/index.html"), "{:?}", site.files());
    assert!(site.exists("x/y/index.html"), "{:?}", site.files());
    assert!(
        site.files()
            .iter()
            .all(|f| f.split('/').all(|p| p != ".." && p != ".")),
        "{:?}",
        site.files()
    );
}

#[test]
fn template_name_that_climbs_out_is_refused() {
    let site = site_with(&[(
        "content/boese.md",
        "---\ntitle: Böse\ntemplate: \"../../../../etc/passwd\"\n---\n\nText.\n",
    )]);
    let run = build_touching_only_the_output(&site);
    refused_naming(run, "content/boese.md:3", &["does not exist"]);
}

// ---------------------------------------------------------------------------------------------
// Symlink loop in content/
// ---------------------------------------------------------------------------------------------

#[test]
fn symlink_loop_in_content_is_an_error() {
    let site = site_with(&[]);
    site.build_ok();
    let before = tree(&site.out());
    std::fs::create_dir_all(site.path("content/a/b")).expect("mkdir");
    std::os::unix::fs::symlink("../..", site.path("content/a/b/zurueck")).expect("symlink");
    refused_naming(build(&site), "content/a/b/zurueck", &["symbolic link loop"]);
    std::fs::remove_dir_all(site.path("content/a")).expect("rm");
    std::os::unix::fs::symlink(".", site.path("content/selbst")).expect("symlink");
    refused_naming(build(&site), "content/selbst", &["symbolic link loop"]);
    assert_eq!(tree(&site.out()), before, "the previous output must stay");
}

// ---------------------------------------------------------------------------------------------
// A file deleted mid-build
// ---------------------------------------------------------------------------------------------

/// A dangling link is what a file deleted between listing the folder and reading it looks like.
#[test]
fn dangling_symlink_in_content_is_skipped() {
    let site = site_with(&[]);
    std::os::unix::fs::symlink("geloescht.md", site.path("content/weg.md")).expect("symlink");
    std::os::unix::fs::symlink("geloescht.png", site.path("content/weg.png")).expect("symlink");
    build(&site).ok();
    assert!(site.exists("seite/index.html"));
    assert!(!site.exists("weg/index.html") && !site.exists("weg.png"));
}

/// The library seam between the stages: files are listed and read by `load`, content assets
/// and static files are read again when the output is written. Deleting them in between must
/// give an error that names the file.
#[test]
fn files_deleted_between_loading_and_writing_give_an_error() {
    use ludd::engine::{BuildOptions, Engine};
    let site = site_with(&[("content/bild.png", "bild"), ("static/stil.css", "p{}")]);
    let options = BuildOptions {
        root: site.root.clone(),
        ..BuildOptions::default()
    };
    let project = ludd::load::load(&site.root).expect("load");
    site.remove("content/bild.png");
    site.remove("static/stil.css");
    let error = Engine::from_project(project, &options, None)
        .and_then(|mut engine| {
            let staging = ludd::write::Staging::begin(&site.out())?;
            engine.render_all_once(&ludd::engine::sink::Staging(&staging))
        })
        .expect_err("the files are gone");
    let diagnostic = error
        .diagnostics()
        .first()
        .unwrap_or_else(|| panic!("no diagnostic: {error}"))
        .to_string();
    assert!(
        diagnostic.contains("stil.css") || diagnostic.contains("bild.png"),
        "{diagnostic}"
    );
    assert!(
        diagnostic.contains("vanished during the build"),
        "{diagnostic}"
    );
    assert!(!site.out().exists(), "nothing may be written");
}

/// Files appear and vanish while the site builds again and again: every build succeeds or fails
/// with a clear error; none panics.
#[test]
fn content_changing_during_builds_never_panics() {
    let site = site_with(&[]);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let root = site.root.clone();
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || churn_files(&root, &stop))
    };
    for _ in 0..12 {
        let run = build(&site);
        if run.status.success() {
            run.no_panic();
            assert!(site.exists("seite/index.html"));
        } else {
            let run = run.failed();
            assert!(
                run.stderr.contains("help:"),
                "unclear error:\n{}",
                run.stderr
            );
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    churn.join().expect("churn thread");
}

/// Creates and deletes content files (pages, a folder with a page, an image) until `stop`.
fn churn_files(root: &Path, stop: &std::sync::atomic::AtomicBool) {
    let content = root.join("content");
    let mut i = 0u64;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let page = content.join(format!("wechsel-{}.md", i % 7));
        let folder = content.join(format!("ordner-{}", i % 3));
        if i % 2 == 0 {
            let _ = std::fs::write(&page, page_text(i));
            let _ = std::fs::create_dir_all(&folder);
            let _ = std::fs::write(folder.join("index.md"), page_text(i));
            let _ = std::fs::write(folder.join("bild.png"), b"png");
        } else {
            let _ = std::fs::remove_file(&page);
            let _ = std::fs::remove_dir_all(&folder);
        }
        i += 1;
        std::thread::yield_now();
    }
}

fn page_text(i: u64) -> String {
    page(&format!("Wechsel {i}"), "Ein Absatz.")
}

// ---------------------------------------------------------------------------------------------
// output_dir pointing at the project root
// ---------------------------------------------------------------------------------------------

#[test]
fn output_dir_spelled_as_the_root_in_other_ways_is_refused() {
    let site = site_with(&[]);
    let root = site.root.to_str().expect("utf-8").to_string();
    for dir in [
        "./".to_string(),
        "public/..".to_string(),
        "../site".to_string(),
        "..".to_string(),
        root.clone(),
        format!("{root}/"),
        "/".to_string(),
    ] {
        site.edit("site.toml", |s| {
            let start = s.find("output_dir").expect("output_dir line");
            let end = start + s[start..].find('\n').expect("line end");
            format!("{}output_dir = \"{dir}\"{}", &s[..start], &s[end..])
        });
        let after_edit = tree(site.tmp());
        refused_naming(build(&site), "site.toml:4", &["output_dir"]);
        assert_eq!(
            tree(site.tmp()),
            after_edit,
            "output_dir = {dir:?} touched files"
        );
        // Also as the command line override.
        let run = run_guarded(&site, &["build", "--quiet", "--output", &dir]);
        refused_naming(run, "site.toml", &["output_dir"]);
        assert_eq!(
            tree(site.tmp()),
            after_edit,
            "--output {dir:?} touched files"
        );
    }
}

#[test]
fn output_dir_symlinked_to_the_root_is_refused() {
    let site = site_with(&[]);
    for target in [site.root.clone(), site.path("content")] {
        let link = site.path("public");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        let before = tree(&site.root);
        refused_naming(build(&site), "site.toml", &["output_dir"]);
        assert_eq!(tree(&site.root), before, "nothing may change");
        assert!(link.is_symlink());
    }
}
