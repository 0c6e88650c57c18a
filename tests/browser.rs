//! Runs the browser and HTML-validity suites in `tests/browser/` (node's test runner driving
//! headless Chromium through playwright-core, axe-core and the Nu HTML Checker) against this
//! build of ludd, so that `cargo test` covers them too.

use std::path::Path;
use std::process::Command;

#[test]
fn browser_and_html_suites_pass() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "the browser tests need Chromium: apt-get install -y chromium"
    );
    if !dir.join("node_modules").is_dir() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm must be installed to run the browser tests");
        assert!(status.success(), "npm ci in tests/browser failed");
    }
    let output = Command::new("node")
        .args(["--test", "--test-reporter=spec"])
        .arg(&dir)
        .env("LUDD_BIN", env!("CARGO_BIN_EXE_ludd"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("node must be installed to run the browser tests");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "browser tests failed (see the output above)"
    );
    let count = |name: &str| -> Option<usize> {
        stdout.lines().find_map(|l| {
            l.trim_start_matches(['ℹ', '#', ' '])
                .strip_prefix(name)?
                .trim()
                .parse()
                .ok()
        })
    };
    assert!(
        count("pass ").is_some_and(|n| n > 0),
        "node's test runner reported no passing test"
    );
    assert_eq!(
        count("fail "),
        Some(0),
        "node's test runner reported failures"
    );
}
