//! Shared harness for the integration tests: copies a fixture site into a temporary folder, runs
//! the real `ludd` binary on it and offers helpers to read, parse and walk the output.

#![allow(dead_code)]

pub(crate) mod linkcheck;

use scraper::{ElementRef, Html, Selector};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use tempfile::TempDir;

/// The base URL every fixture's site.toml uses.
pub(crate) const BASE: &str = "https://example.com";

/// The folder with the fixture sites.
pub(crate) fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// What one run of the binary did.
#[derive(Debug)]
pub(crate) struct Run {
    /// Exit status.
    pub status: ExitStatus,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Panics with the output unless the run succeeded; never allows a panic message.
    #[track_caller]
    pub(crate) fn ok(self) -> Run {
        assert!(
            self.status.success(),
            "ludd failed ({}):\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self.no_panic()
    }

    /// Panics unless the run failed with exit code 1 (and without a panic).
    #[track_caller]
    pub(crate) fn failed(self) -> Run {
        assert!(
            !self.status.success(),
            "ludd succeeded but should have failed:\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        assert_eq!(
            self.status.code(),
            Some(1),
            "exit code should be 1; stderr:\n{}",
            self.stderr
        );
        self.no_panic()
    }

    /// Panics if stderr shows a panic.
    #[track_caller]
    pub(crate) fn no_panic(self) -> Run {
        assert!(
            !self.stderr.contains("panicked"),
            "ludd panicked:\n{}",
            self.stderr
        );
        assert!(
            !self.stderr.contains("RUST_BACKTRACE"),
            "ludd panicked:\n{}",
            self.stderr
        );
        self
    }
}

/// Sends signal `name` (`INT`, `TERM`, `HUP`, …) to process `pid` with kill(1).
pub(crate) fn send_signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{name} {pid} failed");
}

/// Runs the real binary with `args` in `cwd`.
pub(crate) fn ludd(cwd: &Path, args: &[&str]) -> Run {
    ludd_with_env(cwd, args, &[])
}

/// Runs the real binary with `args` in `cwd`, with `env` set and no other AWS variables.
pub(crate) fn ludd_with_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ludd"));
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1");
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ] {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    let out = command.output().expect("run the ludd binary");
    Run {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fixture site copied into a temporary folder (`<tmp>/site`).
pub(crate) struct TestSite {
    tmp: TempDir,
    /// The site root.
    pub root: PathBuf,
}

impl TestSite {
    /// Copies `tests/fixtures/<name>` into a fresh temporary folder.
    pub(crate) fn new(name: &str) -> TestSite {
        let tmp = tempfile::Builder::new()
            .prefix("ludd-test-")
            .tempdir()
            .expect("temp dir");
        let root = tmp.path().join("site");
        copy_dir(&fixtures_dir().join(name), &root);
        TestSite { tmp, root }
    }

    /// The temporary folder that holds the site (for output folders outside it).
    pub(crate) fn tmp(&self) -> &Path {
        self.tmp.path()
    }

    /// Runs `ludd --root <root> <args>` from the temporary folder with `env` set, killing it
    /// (and failing the test) if it is still running after `hang`: a guard against a test that
    /// never ends, not a speed requirement. Output is read while it runs, so a chatty process
    /// cannot block on a full pipe.
    pub(crate) fn run_guarded(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
        hang: std::time::Duration,
    ) -> Run {
        use std::io::Read;
        let root = self.root.to_str().expect("utf-8 temp path");
        let mut child = Command::new(env!("CARGO_BIN_EXE_ludd"))
            .args(["--root", root])
            .args(args)
            .current_dir(self.tmp())
            .env_remove("RUST_BACKTRACE")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run the ludd binary");
        let read_all = |mut r: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut s = Vec::new();
                let _ = r.read_to_end(&mut s);
                String::from_utf8_lossy(&s).into_owned()
            })
        };
        let out = read_all(Box::new(child.stdout.take().expect("stdout")));
        let err = read_all(Box::new(child.stderr.take().expect("stderr")));
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for ludd") {
                break status;
            }
            if started.elapsed() > hang {
                let _ = child.kill();
                panic!("ludd {args:?} hangs");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        Run {
            status,
            stdout: out.join().expect("stdout reader"),
            stderr: err.join().expect("stderr reader"),
        }
    }

    /// Runs `ludd --root <root> <args>` from the temporary folder.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let root = self.root.to_str().expect("utf-8 temp path");
        let mut all = vec!["--root", root];
        all.extend_from_slice(args);
        ludd(self.tmp.path(), &all)
    }

    /// Runs `ludd --root <root> build <extra>`.
    pub(crate) fn build(&self, extra: &[&str]) -> Run {
        let mut args = vec!["build"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Builds and panics unless the build succeeds.
    #[track_caller]
    pub(crate) fn build_ok(&self) -> Run {
        self.build(&[]).ok()
    }

    /// The default output folder.
    pub(crate) fn out(&self) -> PathBuf {
        self.root.join("public")
    }

    /// A path in the site.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Writes a file in the site (creating folders).
    pub(crate) fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(&p, bytes).expect("write file");
    }

    /// Reads a site file as text.
    pub(crate) fn read_source(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Rewrites a site file through `f`.
    pub(crate) fn edit(&self, rel: &str, f: impl FnOnce(String) -> String) {
        let text = self.read_source(rel);
        self.write(rel, f(text));
    }

    /// Deletes a site file or folder.
    pub(crate) fn remove(&self, rel: &str) {
        let p = self.path(rel);
        if p.is_dir() {
            std::fs::remove_dir_all(&p).expect("remove folder");
        } else {
            std::fs::remove_file(&p).expect("remove file");
        }
    }

    /// Whether an output file exists (`rel` below `public/`).
    pub(crate) fn exists(&self, rel: &str) -> bool {
        self.out().join(rel).is_file()
    }

    /// An output file as text.
    #[track_caller]
    pub(crate) fn read(&self, rel: &str) -> String {
        read_text(&self.out().join(rel))
    }

    /// An output file parsed as HTML.
    #[track_caller]
    pub(crate) fn html(&self, rel: &str) -> Html {
        Html::parse_document(&self.read(rel))
    }

    /// The page at a root-relative URL (`/en/article/`) parsed as HTML.
    #[track_caller]
    pub(crate) fn page(&self, url: &str) -> Html {
        self.html(&url_to_file(url))
    }

    /// Every file below the output folder, relative, `/`-separated.
    pub(crate) fn files(&self) -> BTreeSet<String> {
        list_files(&self.out())
    }
}

/// Copies a folder tree.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("inside fixture");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("create folder");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy fixture file");
        }
    }
}

/// Reads a file as UTF-8 text.
#[track_caller]
pub(crate) fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Files below `dir`, relative with `/` separators.
pub(crate) fn list_files(dir: &Path) -> BTreeSet<String> {
    if !dir.exists() {
        return BTreeSet::new();
    }
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk output"))
        .filter(|e| e.file_type().is_file())
        .map(|e| rel_string(e.path().strip_prefix(dir).expect("inside")))
        .collect()
}

fn rel_string(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every file below `dir` with its bytes, for byte-for-byte comparisons.
pub(crate) fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    list_files(dir)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(dir.join(&rel)).expect("read output file");
            (rel, bytes)
        })
        .collect()
}

/// The HTML files of the output.
pub(crate) fn html_files(dir: &Path) -> Vec<String> {
    list_files(dir)
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .collect()
}

/// The output file for a root-relative URL path: `/en/a/` → `en/a/index.html`, `/old.html` → `old.html`.
pub(crate) fn url_to_file(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

/// The root-relative URL of an output file: `en/a/index.html` → `/en/a/`.
pub(crate) fn file_to_url(rel: &str) -> String {
    match rel.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{rel}"),
    }
}

/// Whether a root-relative URL (query and fragment ignored) is served by a file in `out`.
pub(crate) fn url_exists(out: &Path, url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path);
    let rel = decoded.trim_start_matches('/');
    let target = out.join(rel);
    if target.is_dir() || rel.is_empty() {
        target.join("index.html").is_file()
    } else {
        target.is_file()
    }
}

/// Decodes `%XX` escapes.
pub(crate) fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Parses a CSS selector.
#[track_caller]
pub(crate) fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e:?}"))
}

/// Every element matching `css`.
pub(crate) fn select<'a>(html: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    html.select(&sel(css)).collect()
}

/// The single element matching `css`.
#[track_caller]
pub(crate) fn one<'a>(html: &'a Html, css: &str) -> ElementRef<'a> {
    let all = select(html, css);
    assert_eq!(
        all.len(),
        1,
        "expected one `{css}`, found {}:\n{}",
        all.len(),
        html.html()
    );
    all[0]
}

/// An attribute of the single element matching `css`.
#[track_caller]
pub(crate) fn attr(html: &Html, css: &str, name: &str) -> String {
    one(html, css)
        .value()
        .attr(name)
        .unwrap_or_else(|| panic!("`{css}` has no `{name}`"))
        .to_string()
}

/// The text of an element, whitespace-normalised.
pub(crate) fn text(el: ElementRef) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `<link rel="alternate" hreflang>` of a page: hreflang → href.
pub(crate) fn hreflangs(html: &Html) -> BTreeMap<String, String> {
    select(html, r#"head link[rel="alternate"][hreflang]"#)
        .into_iter()
        .map(|l| {
            (
                l.value().attr("hreflang").unwrap_or("").to_string(),
                l.value().attr("href").unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The language switcher entries of a fixture page: code → (href, data-exists).
pub(crate) fn switcher(html: &Html) -> BTreeMap<String, (String, String)> {
    select(html, "nav.languages a.tr")
        .into_iter()
        .map(|a| {
            let v = a.value();
            (
                v.attr("data-code").unwrap_or("").to_string(),
                (
                    v.attr("href").unwrap_or("").to_string(),
                    v.attr("data-exists").unwrap_or("").to_string(),
                ),
            )
        })
        .collect()
}

/// Parses an XML file of the output.
#[track_caller]
pub(crate) fn parse_xml(text: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("invalid XML ({e}):\n{text}"))
}

/// (inode, mtime) of every file below `dir`.
#[cfg(unix)]
pub(crate) fn identities(dir: &Path) -> BTreeMap<String, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    list_files(dir)
        .into_iter()
        .map(|rel| {
            let m = std::fs::metadata(dir.join(&rel)).expect("metadata");
            (rel, (m.ino(), m.modified().expect("mtime")))
        })
        .collect()
}

/// Whether `haystack` contains `needle` exactly once.
pub(crate) fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// Leftover staging or backup folders next to the output.
pub(crate) fn leftovers(root: &Path) -> Vec<String> {
    std::fs::read_dir(root)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains("ludd-staging") || n.starts_with(".ludd-old"))
                .collect()
        })
        .unwrap_or_default()
}

/// A response header as text ("" when absent).
pub(crate) fn header<B>(response: &ureq::http::Response<B>, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A page template whose two nested `range(end=100000)` loops would write 10^10 lines of 1 kB
/// (the loop body is long so that the limit is reached after few iterations of a debug build).
pub(crate) fn runaway_template() -> String {
    format!(
        "{{% extends \"base.html\" %}}{{% block content %}}{{% for i in range(end=100000) %}}{{% for j in range(end=100000) %}}{}\n{{% endfor %}}{{% endfor %}}{{% endblock content %}}",
        "x".repeat(1000)
    )
}
