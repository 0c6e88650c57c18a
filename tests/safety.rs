//! "Never lose or leak a byte": the rules of README's Safety section, each tried the way a
//! careless user or an attacker would, with real files, links and FIFOs in temporary folders.
//!
//! * Output ownership: ludd replaces only a folder that is missing, empty or marked as its own
//!   ([`output_with_your_files_is_refused`], [`home_is_refused_even_when_empty`],
//!   [`a_file_at_the_output_path_is_an_error`], [`symlinked_output_updates_its_target`], …).
//! * Inputs: a link out of the site is an error naming link and target, for every kind of input
//!   ([`links_out_of_the_site_are_refused_for_every_input`]); a FIFO is skipped with a warning
//!   and never opened ([`fifo_in_static_is_skipped_with_a_warning`]).
//! * Deploy destinations ([`dir_deploy_never_writes_through_a_link`], the rsync tests).

mod common;

use common::*;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// A run still going after this long counts as hung (a FIFO being read blocks forever). A guard
/// against a test that never ends, not a speed requirement.
const HANG: Duration = Duration::from_secs(120);

/// Runs `ludd --root <root> <args>` with `env`, killing it (and failing) if it hangs.
fn run_env(site: &TestSite, args: &[&str], env: &[(&str, &str)]) -> Run {
    site.run_guarded(args, env, HANG)
}

fn run(site: &TestSite, args: &[&str]) -> Run {
    run_env(site, args, &[])
}

/// Asserts that `run` failed cleanly and that its stderr holds every one of `words`.
#[track_caller]
fn refused(run: Run, words: &[&str]) -> Run {
    let run = run.failed();
    for w in words {
        assert!(
            run.stderr.contains(w),
            "stderr should name `{w}`:\n{}",
            run.stderr
        );
    }
    run
}

/// Every file below `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect();
    out.sort();
    out
}

/// Names in `dir` starting with `.` that look like ludd's staging or old folders.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("ludd-staging") || n.contains("ludd-old"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Output ownership
// ---------------------------------------------------------------------------------------------

#[test]
fn output_with_your_files_is_refused() {
    let site = TestSite::new("basic");
    let mine = site.tmp().join("documents");
    std::fs::create_dir_all(mine.join("taxes")).expect("mkdir");
    std::fs::write(mine.join("letter.odt"), "dear").expect("write");
    std::fs::write(mine.join("taxes/2025.pdf"), "numbers").expect("write");
    let before = snapshot(&mine);
    let out = mine.to_str().expect("utf-8");
    let r = refused(
        run(&site, &["build", "--output", out]),
        &[out, "letter.odt", "taxes", "pick another output folder"],
    );
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert_eq!(snapshot(&mine), before, "your files must stay");
    assert!(leftovers(site.tmp()).is_empty());
    // The same through output_dir in site.toml.
    site.edit("site.toml", |s| {
        s.replace(
            "output_dir = \"public\"",
            &format!("output_dir = \"{out}\""),
        )
    });
    refused(run(&site, &["build"]), &[out, "letter.odt"]);
    assert_eq!(snapshot(&mine), before);
}

#[test]
fn home_is_refused_even_when_empty() {
    let site = TestSite::new("basic");
    let home = site.tmp().join("home/user");
    std::fs::create_dir_all(&home).expect("mkdir");
    let home_s = home.to_str().expect("utf-8");
    let parent = site.tmp().join("home");
    for output in [home_s, parent.to_str().expect("utf-8")] {
        refused(
            run_env(&site, &["build", "--output", output], &[("HOME", home_s)]),
            &["home folder"],
        );
    }
    std::fs::create_dir_all(home.join(".ssh")).expect("mkdir");
    std::fs::write(home.join(".ssh/id_ed25519"), "key").expect("write");
    refused(
        run_env(&site, &["build", "--output", home_s], &[("HOME", home_s)]),
        &["home folder"],
    );
    assert_eq!(
        std::fs::read(home.join(".ssh/id_ed25519")).expect("key"),
        b"key"
    );
    refused(run(&site, &["build", "--output", "/"]), &["`/`"]);
}

#[test]
fn a_file_at_the_output_path_is_an_error() {
    let site = TestSite::new("basic");
    std::fs::write(site.out(), "not a folder").expect("write");
    refused(run(&site, &["build"]), &["public", "is a file"]);
    assert_eq!(std::fs::read(site.out()).expect("file"), b"not a folder");
    let names: Vec<String> = std::fs::read_dir(&site.root)
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "nothing moved away: {names:?}");
}

#[test]
fn empty_and_own_folders_are_replaced() {
    let site = TestSite::new("basic");
    std::fs::create_dir_all(site.out()).expect("mkdir");
    run(&site, &["build"]).ok();
    assert!(site.out().join(".ludd-output").is_file());
    site.edit("content/seite.md", |s| {
        s.replace("Seite", "Geänderte Seite")
    });
    run(&site, &["build"]).ok();
    assert!(site.read("seite/index.html").contains("Geänderte Seite"));
    assert!(leftovers(&site.root).is_empty());
}

#[test]
fn symlinked_output_updates_its_target() {
    let site = TestSite::new("basic");
    let www = site.tmp().join("srv-www");
    std::fs::create_dir_all(&www).expect("mkdir");
    std::os::unix::fs::symlink(&www, site.out()).expect("link");
    run(&site, &["build"]).ok();
    assert!(site.out().is_symlink(), "the link stays a link");
    assert!(www.join("index.html").is_file(), "the target is updated");
    site.edit("content/seite.md", |s| s.replace("Seite", "Neue Seite"));
    run(&site, &["build"]).ok();
    assert!(site.out().is_symlink());
    let page = std::fs::read_to_string(www.join("seite/index.html")).expect("page");
    assert!(page.contains("Neue Seite"));
    assert!(leftovers(site.tmp()).is_empty());
    // A link to a folder of someone else's files is refused like the folder itself.
    let site = TestSite::new("basic");
    let theirs = site.tmp().join("theirs");
    std::fs::create_dir_all(&theirs).expect("mkdir");
    std::fs::write(theirs.join("keep.txt"), "keep").expect("write");
    std::os::unix::fs::symlink(&theirs, site.out()).expect("link");
    refused(run(&site, &["build"]), &["keep.txt"]);
    assert_eq!(
        std::fs::read(theirs.join("keep.txt")).expect("keep"),
        b"keep"
    );
}

#[test]
fn leftovers_of_killed_builds_are_removed_and_foreign_folders_kept() {
    let site = TestSite::new("basic");
    run(&site, &["build"]).ok();
    // A staging folder of a process that no longer runs (pid beyond pid_max), marked as ludd's.
    let dead = site.root.join(".public.ludd-staging-99999999-abc");
    std::fs::create_dir_all(dead.join("en")).expect("mkdir");
    std::fs::write(dead.join(".ludd-output"), "").expect("marker");
    std::fs::write(dead.join("en/index.html"), "old").expect("write");
    // A folder with a similar name that is not ludd's.
    let foreign = site.root.join(".public.ludd-staging-99999998-xyz");
    std::fs::create_dir_all(&foreign).expect("mkdir");
    std::fs::write(foreign.join("mine.txt"), "mine").expect("write");
    site.edit("content/seite.md", |s| s.replace("Seite", "Andere Seite"));
    run(&site, &["build"]).ok();
    assert!(!dead.exists(), "the dead build's staging folder is removed");
    assert!(
        foreign.join("mine.txt").is_file(),
        "a folder without the marker stays"
    );
}

// ---------------------------------------------------------------------------------------------
// Symbolic links and special files in the inputs
// ---------------------------------------------------------------------------------------------

/// A site with a theme, so that every kind of input exists.
fn themed_site() -> TestSite {
    let site = TestSite::new("basic");
    site.edit("site.toml", |s| {
        s.replace("output_dir", "theme = \"t\"\noutput_dir")
    });
    site.write("themes/t/templates/page.html", "{{ page.title }}");
    site.write("themes/t/static/t.css", "p{}");
    site.write("static/site.css", "body{}");
    site.write("i18n/de.toml", "x = \"X\"\n");
    site.write("content/bundle/index.md", "---\ntitle: B\n---\nb\n");
    site
}

#[test]
fn links_out_of_the_site_are_refused_for_every_input() {
    let cases = [
        "static/env.txt",
        "static/deep/env.txt",
        "content/bundle/env.txt",
        "content/geheim.md",
        "templates/geheim.html",
        "i18n/en.toml",
        "themes/t/static/env.txt",
        "themes/t/templates/x.html",
    ];
    for rel in cases {
        let site = themed_site();
        let secret = site.tmp().join("secret.txt");
        std::fs::write(&secret, "AWS_SECRET_ACCESS_KEY=hunter2").expect("write");
        let link = site.path(rel);
        std::fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(&secret, &link).expect("link");
        for command in ["build", "check"] {
            let r = refused(
                run(&site, &[command]),
                &[rel, "secret.txt", "outside the site"],
            );
            assert!(!r.stdout.contains("hunter2") && !r.stderr.contains("hunter2"));
        }
        let published = snapshot(&site.out());
        assert!(
            published
                .iter()
                .all(|(_, b)| !String::from_utf8_lossy(b).contains("hunter2")),
            "{rel}: the secret was published"
        );
    }
}

#[test]
fn link_to_proc_self_environ_is_refused() {
    let site = themed_site();
    std::os::unix::fs::symlink("/proc/self/environ", site.path("static/env.txt")).expect("link");
    let r = refused(
        run_env(&site, &["build"], &[("AWS_SECRET_ACCESS_KEY", "hunter2")]),
        &["static/env.txt", "/proc/self/environ"],
    );
    assert!(!r.stderr.contains("hunter2"));
    assert!(!site.out().join("env.txt").exists());
}

#[test]
fn a_linked_folder_out_of_the_site_is_refused() {
    let site = themed_site();
    let outside = site.tmp().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("id_rsa"), "key").expect("write");
    std::os::unix::fs::symlink(&outside, site.path("static/linked")).expect("link");
    refused(run(&site, &["build"]), &["static/linked", "outside"]);
}

#[test]
fn links_inside_the_site_are_followed() {
    let site = themed_site();
    std::os::unix::fs::symlink("site.css", site.path("static/alias.css")).expect("link");
    std::os::unix::fs::symlink("../content/bundle", site.path("static/bundle-copy")).expect("link");
    run(&site, &["build"]).ok();
    assert_eq!(site.read("alias.css"), "body{}");
    assert!(site.exists("bundle-copy/index.md"));
}

#[test]
fn fifo_in_static_is_skipped_with_a_warning() {
    let site = themed_site();
    for rel in ["static/pipe.css", "content/bundle/pipe.txt"] {
        let status = Command::new("mkfifo")
            .arg(site.path(rel))
            .status()
            .expect("mkfifo");
        assert!(status.success());
    }
    // A FIFO that is opened blocks until a writer comes: a hang here is the failure.
    let r = run(&site, &["build"]).ok();
    let all = format!("{}{}", r.stdout, r.stderr);
    for rel in ["static/pipe.css", "content/bundle/pipe.txt"] {
        assert!(
            all.contains(rel) && all.contains("FIFO"),
            "warning for {rel}:\n{all}"
        );
    }
    assert!(!site.exists("pipe.css"));
}

// ---------------------------------------------------------------------------------------------
// Deploy destinations
// ---------------------------------------------------------------------------------------------

/// `site` with a `[deploy]` table of `target` into `destination`.
fn deploying(site: &TestSite, target: &str, destination: &str) {
    site.edit("site.toml", |s| {
        format!("{s}\n[deploy]\ntarget = \"{target}\"\ndestination = \"{destination}\"\n")
    });
}

#[test]
fn dir_deploy_never_writes_through_a_link() {
    let site = TestSite::new("basic");
    let dest = site.tmp().join("www");
    deploying(&site, "dir", dest.to_str().expect("utf-8"));
    run(&site, &["deploy"]).ok();
    // Someone (or something) puts links into the destination: a file and a folder.
    let victim = site.tmp().join("victim.txt");
    std::fs::write(&victim, "precious").expect("write");
    let victim_dir = site.tmp().join("victim-dir");
    std::fs::create_dir_all(&victim_dir).expect("mkdir");
    std::fs::write(victim_dir.join("index.html"), "theirs").expect("write");
    std::fs::remove_file(dest.join("index.html")).expect("rm");
    std::os::unix::fs::symlink(&victim, dest.join("index.html")).expect("link");
    std::fs::remove_dir_all(dest.join("seite")).expect("rm");
    std::os::unix::fs::symlink(&victim_dir, dest.join("seite")).expect("link");
    site.edit("content/seite.md", |s| s.replace("Seite", "Neue Seite"));
    site.edit("content/_index.md", |s| format!("{s}\nNeu.\n"));
    run(&site, &["deploy"]).ok();
    assert_eq!(std::fs::read(&victim).expect("victim"), b"precious");
    assert_eq!(
        std::fs::read(victim_dir.join("index.html")).expect("victim"),
        b"theirs"
    );
    assert!(!dest.join("index.html").is_symlink() && !dest.join("seite").is_symlink());
    let page = std::fs::read_to_string(dest.join("seite/index.html")).expect("page");
    assert!(page.contains("Neue Seite"));
}

#[test]
fn dir_deploy_refuses_home_and_foreign_folders() {
    let site = TestSite::new("basic");
    let home = site.tmp().join("home");
    std::fs::create_dir_all(home.join(".ssh")).expect("mkdir");
    std::fs::write(home.join(".ssh/id_ed25519"), "key").expect("write");
    let home_s = home.to_str().expect("utf-8");
    deploying(&site, "dir", home_s);
    refused(
        run_env(&site, &["deploy"], &[("HOME", home_s)]),
        &["home folder"],
    );
    assert!(home.join(".ssh/id_ed25519").is_file());
    let site = TestSite::new("basic");
    let theirs = site.tmp().join("theirs");
    std::fs::create_dir_all(&theirs).expect("mkdir");
    std::fs::write(theirs.join("notes.txt"), "mine").expect("write");
    deploying(&site, "dir", theirs.to_str().expect("utf-8"));
    refused(
        run(&site, &["deploy"]),
        &["notes.txt", "deploy destination"],
    );
    assert!(theirs.join("notes.txt").is_file());
}

/// Whether rsync is here (CI installs it; README's Tests section says so).
fn has_rsync() -> bool {
    Command::new("rsync")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn rsync_deploy_refuses_the_site_its_sources_and_home() {
    assert!(has_rsync(), "this test needs rsync: apt-get install rsync");
    let home_holder = tempfile::tempdir().expect("tmp");
    for destination in [".", "./", "content", "public", "..", "/"] {
        let site = TestSite::new("basic");
        deploying(&site, "rsync", destination);
        let before = snapshot(&site.root);
        // --dry-run first: if the check were missing, a real run would delete the sources.
        for args in [&["deploy", "--dry-run"][..], &["deploy"][..]] {
            refused(run(&site, args), &["deploy destination"]);
        }
        let after: Vec<_> = snapshot(&site.root)
            .into_iter()
            .filter(|(p, _)| !p.starts_with("public/") && p != ".public.ludd-state")
            .collect();
        let before: Vec<_> = before
            .into_iter()
            .filter(|(p, _)| !p.starts_with("public/"))
            .collect();
        assert_eq!(after, before, "{destination}: the sources are intact");
    }
    let site = TestSite::new("basic");
    let home = home_holder.path().join("me");
    std::fs::create_dir_all(&home).expect("mkdir");
    std::fs::write(home.join("thesis.odt"), "years").expect("write");
    let home_s = home.to_str().expect("utf-8");
    deploying(&site, "rsync", &format!("{home_s}/"));
    refused(
        run_env(&site, &["deploy", "--dry-run"], &[("HOME", home_s)]),
        &["home folder"],
    );
    refused(
        run_env(&site, &["deploy"], &[("HOME", home_s)]),
        &["home folder"],
    );
    assert!(home.join("thesis.odt").is_file());
    // A folder of someone's files is refused like an output folder.
    let site = TestSite::new("basic");
    let theirs = site.tmp().join("theirs");
    std::fs::create_dir_all(&theirs).expect("mkdir");
    std::fs::write(theirs.join("notes.txt"), "mine").expect("write");
    deploying(&site, "rsync", &format!("{}/", theirs.display()));
    refused(run(&site, &["deploy", "--dry-run"]), &["notes.txt"]);
    refused(run(&site, &["deploy"]), &["notes.txt"]);
    assert!(theirs.join("notes.txt").is_file());
    // Remote roots and home folders.
    for destination in ["host:", "user@host:/", "host:~/"] {
        let site = TestSite::new("basic");
        deploying(&site, "rsync", destination);
        refused(
            run(&site, &["deploy", "--dry-run"]),
            &["remote root or home"],
        );
    }
}

#[test]
fn rsync_deploy_marks_its_destination_and_sends_no_marker() {
    assert!(has_rsync(), "this test needs rsync: apt-get install rsync");
    let site = TestSite::new("basic");
    let dest = site.tmp().join("www");
    deploying(&site, "rsync", &format!("{}/", dest.display()));
    run(&site, &["deploy"]).ok();
    assert!(dest.join("index.html").is_file());
    let marker = std::fs::read_to_string(dest.join(".ludd-output")).expect("marker");
    assert!(marker.contains("ludd"));
    // The next deploy is allowed (the destination is ludd's now) and keeps the marker.
    site.edit("content/seite.md", |s| s.replace("Seite", "Neue Seite"));
    run(&site, &["deploy"]).ok();
    assert!(dest.join(".ludd-output").is_file());
}
