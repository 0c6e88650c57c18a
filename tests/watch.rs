//! End-to-end tests of `ludd build --watch`: the real binary on a copy of
//! tests/fixtures/serve-site, writing into the site's `output_dir`. An edit reaches the output
//! with one line per rebuild, an error keeps the last good output and names the file and line,
//! the fix is picked up, and SIGINT and SIGTERM stop it cleanly. Timeouts only keep a broken
//! watcher from hanging the suite.

#![cfg(all(feature = "serve", unix))]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A running `ludd build --watch`; killed on drop.
struct Watching {
    child: Child,
    site: PathBuf,
    lines: Receiver<String>,
    _work: tempfile::TempDir,
}

fn forward(stream: impl Read + Send + 'static, tx: Sender<String>, tag: &'static str) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(format!("{tag}{line}"));
        }
    });
}

/// A copy of the fixture in a temporary folder, and the site's root in it.
fn site_copy() -> (tempfile::TempDir, PathBuf) {
    let work = tempfile::tempdir().expect("tempdir");
    let site = work.path().join("site");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve-site"),
        &site,
    );
    (work, site)
}

impl Watching {
    /// Starts watching the site at `site` (inside `work`) and waits until the first build is done.
    fn start(work: tempfile::TempDir, site: PathBuf) -> Watching {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ludd"))
            .args(["build", "--watch"])
            .current_dir(&site)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn ludd");
        let (tx, lines) = mpsc::channel();
        forward(child.stdout.take().expect("stdout"), tx.clone(), "out: ");
        forward(child.stderr.take().expect("stderr"), tx, "err: ");
        let mut w = Watching {
            child,
            site,
            lines,
            _work: work,
        };
        w.wait_for("watching");
        w
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.site.join(rel)
    }

    fn output(&self, rel: &str) -> String {
        std::fs::read_to_string(self.site.join("public").join(rel)).unwrap_or_default()
    }

    /// Waits for a line containing `text`; returns every line up to it.
    fn wait_for(&mut self, text: &str) -> Vec<String> {
        let start = Instant::now();
        let mut seen = Vec::new();
        while start.elapsed() < WAIT {
            match self.lines.recv_timeout(Duration::from_millis(200)) {
                Ok(line) => {
                    let found = line.contains(text);
                    seen.push(line);
                    if found {
                        return seen;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        panic!("no line with `{text}`; got {seen:#?}");
    }

    fn signal(&self, name: &str) {
        common::send_signal(self.child.id(), name);
    }

    /// Waits for the process to exit; returns whether it exited successfully.
    fn wait_exit(&mut self) -> bool {
        let start = Instant::now();
        while start.elapsed() < WAIT {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("ludd build --watch did not stop");
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Files a half-finished write would leave behind.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".ludd-write-"))
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn edit_error_fix_and_ctrl_c() {
    let (work, site) = site_copy();
    let mut w = Watching::start(work, site);
    assert!(w.output("hallo/index.html").contains("<html"));
    // Publishing output: fingerprinted asset names and host files, no reload script.
    assert!(!w.output("hallo/index.html").contains("__ludd"));
    assert!(w.site.join("public/_headers").exists());

    // An edit: one line naming the file and what was written, and the new text in the output.
    std::fs::write(
        w.path("content/hallo.md"),
        "---\ntitle: Hallo\n---\nZweiter Entwurf des Textes.\n",
    )
    .expect("write");
    let lines = w.wait_for("written");
    let line = lines.last().expect("line");
    assert!(line.contains("content/hallo.md"), "{line}");
    assert!(line.contains("hallo/index.html"), "{line}");
    assert!(line.contains(" ms"), "{line}");
    assert!(w.output("hallo/index.html").contains("Zweiter Entwurf"));

    // An error: named with its file and line; the output keeps the last good build.
    std::fs::write(
        w.path("content/hallo.md"),
        "---\ntitle: [Hallo\n---\nKaputt.\n",
    )
    .expect("write");
    let lines = w.wait_for("last good build").join("\n");
    assert!(lines.contains("build failed"), "{lines}");
    assert!(
        lines.contains("content/hallo.md:3: invalid YAML front matter"),
        "{lines}"
    );
    assert!(w.output("hallo/index.html").contains("Zweiter Entwurf"));

    // The fix is picked up.
    std::fs::write(
        w.path("content/hallo.md"),
        "---\ntitle: Hallo\n---\nDritter Entwurf.\n",
    )
    .expect("write");
    let lines = w.wait_for("error fixed");
    assert!(
        lines.last().is_some_and(|l| l.contains("written")),
        "{lines:?}"
    );
    assert!(w.output("hallo/index.html").contains("Dritter Entwurf"));

    // A deleted page leaves the output.
    std::fs::remove_file(w.path("content/hallo.en.md")).expect("remove");
    let lines = w.wait_for("removed");
    assert!(
        lines
            .last()
            .is_some_and(|l| l.contains("en/hallo/index.html")),
        "{lines:?}"
    );
    assert!(!w.site.join("public/en/hallo/index.html").exists());

    // Ctrl-C stops it cleanly, without leftovers.
    w.signal("INT");
    w.wait_for("stopped");
    assert!(w.wait_exit(), "exit status");
    assert!(temp_files(&w.site.join("public")).is_empty());
    // The next one-shot build does not take the watched output for its own.
    common::ludd(&w.site, &["build"]).ok();
    assert!(w.output("hallo/index.html").contains("Dritter Entwurf"));
}

#[test]
fn sigterm_stops_and_an_earlier_build_is_taken_over() {
    let (work, site) = site_copy();
    // A one-shot build first, then a page goes away before watching starts: the watcher
    // removes the stale output the build wrote, and keeps what it did not write.
    common::ludd(&site, &["build"]).ok();
    std::fs::write(site.join("public/mine.txt"), "not ludd's").expect("write");
    std::fs::remove_file(site.join("content/hallo.en.md")).expect("remove");
    let before = std::fs::metadata(site.join("public/hallo/index.html"))
        .and_then(|m| m.modified())
        .expect("mtime");
    let mut w = Watching::start(work, site.clone());
    assert!(!site.join("public/en/hallo/index.html").exists());
    assert!(site.join("public/mine.txt").exists());
    // Unchanged files are left as they were.
    let after = std::fs::metadata(site.join("public/hallo/index.html"))
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(before, after);
    w.signal("TERM");
    w.wait_for("stopped");
    assert!(w.wait_exit());
}

#[test]
fn one_failed_rebuild_reports_every_problem() {
    let (work, site) = site_copy();
    let mut w = Watching::start(work, site);
    let template = w.path("templates/section.html");
    let good_template = std::fs::read_to_string(&template).expect("read");

    // A template that fails while rendering: that rebuild reports it.
    std::fs::write(
        &template,
        good_template.replace(
            "{{ section.content }}",
            "{{ section.content }}{{ section.nosuch.field }}",
        ),
    )
    .expect("write");
    let lines = w.wait_for("last good build").join("\n");
    assert!(lines.contains("templates/section.html:5"), "{lines}");

    // Broken front matter stops the model before any template runs; the rebuild still reports
    // both problems at once, as `ludd build` does.
    std::fs::write(
        w.path("content/hallo.md"),
        "---\ntitle: [Hallo\n---\nKaputt.\n",
    )
    .expect("write");
    let lines = w.wait_for("last good build").join("\n");
    let failure = lines
        .rsplit("build failed")
        .next()
        .expect("a failure report");
    assert!(
        failure.contains("content/hallo.md:3: invalid YAML front matter"),
        "{lines}"
    );
    assert!(failure.contains("templates/section.html:5"), "{lines}");
    assert!(failure.contains("2 errors"), "{lines}");
    assert!(w.output("hallo/index.html").contains("<html"));

    // Both fixed: one rebuild picks them up.
    std::fs::write(&template, good_template).expect("write");
    std::fs::write(
        w.path("content/hallo.md"),
        "---\ntitle: Hallo\n---\nWieder heil.\n",
    )
    .expect("write");
    w.wait_for("error fixed");
    let start = Instant::now();
    while !w.output("hallo/index.html").contains("Wieder heil") && start.elapsed() < WAIT {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(w.output("hallo/index.html").contains("Wieder heil"));
}
