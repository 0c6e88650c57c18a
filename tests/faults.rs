//! Fault injection: `ludd build` killed with SIGKILL at ten different moments of a build of a
//! generated site of a few thousand pages, and a build that runs out of disk space on a small
//! tmpfs. After each fault the output folder holds the whole old site or the whole new one,
//! byte for byte; the next build succeeds, equals a clean build and leaves no staging or old
//! folders behind; a full disk leaves the old site as it was and says which disk is full.
//!
//! The kills are placed by watching the build, not by hooks in the binary: the moment the
//! staging folder appears, the number of files written into it, the moment the new output is
//! swapped in (the output folder's inode changes) and the moment the build state is written.
//! The test asserts that the kills landed in every phase (before staging, while staging, after
//! the swap), so a machine that is too fast or too slow for a moment cannot hide a phase.

mod common;

use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Pages of the generated section.
const PAGES: usize = 2000;

/// A build that runs longer than this counts as hung (a guard, not a speed requirement).
const HANG: Duration = Duration::from_secs(300);

/// The fixture site with [`PAGES`] generated pages in `content/gen/`, in version `version`
/// (every page and the site title differ between versions, so every page is written anew).
fn write_generated(site: &TestSite, version: u32) {
    site.edit("site.toml", |t| {
        let rest: String = t
            .lines()
            .skip(1)
            .map(|l| format!("{l}\n"))
            .collect::<String>();
        format!("title = \"Kleine Seite, Fassung {version}\"\n{rest}")
    });
    site.write(
        "content/gen/_index.md",
        "---\ntitle: Viele Seiten\nsort_by: title\npaginate_by: 50\n---\n\nAlle Seiten.\n",
    );
    for i in 0..PAGES {
        site.write(
            &format!("content/gen/seite-{i:04}.md"),
            format!(
                "---\ntitle: \"Seite {i}\"\n---\n\nFassung {version} der Seite {i}. Die Weber \
                 fragten, wem der Fortschritt dient.\n\n## Abschnitt\n\nNoch ein Absatz mit \
                 *Betonung* und einer [Verknüpfung](https://example.org/{i}).\n"
            ),
        );
    }
}

/// The staging folders (and their old-tree successors) next to the output of `site`.
fn staging_folders(site: &TestSite) -> Vec<PathBuf> {
    leftovers(&site.root)
        .into_iter()
        .map(|n| site.root.join(n))
        .collect()
}

/// How many of the generated pages a staging folder holds: their folders in `gen/` (one
/// listing, cheap enough to repeat every millisecond).
fn pages_staged(staging: &Path) -> usize {
    std::fs::read_dir(staging.join("gen")).map_or(0, |entries| entries.count())
}

fn inode(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.ino())
}

/// When a trial kills the build.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// This long after the start.
    After(Duration),
    /// As soon as a staging folder exists.
    StagingAppears,
    /// As soon as the staging folder holds this share (in percent) of the generated pages.
    StagingHolds(usize),
    /// As soon as the new output is swapped in.
    Swapped,
    /// As soon as the build state file beside the output is written (the build's last step).
    StateWritten,
}

/// Where a build was when it was killed, as seen afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// No staging folder yet: loading, modelling, rendering Markdown.
    BeforeStaging,
    /// Writing the staging folder; the old output still in place.
    Staging,
    /// The new output swapped in (the old tree maybe still being deleted).
    Swapped,
    /// The build had finished before the moment came.
    Finished,
}

/// Starts `ludd build` on `site`, quietly.
fn spawn_build(site: &TestSite) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ludd"))
        .arg("--root")
        .arg(&site.root)
        .args(["build", "--quiet"])
        .current_dir(site.tmp())
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ludd build")
}

/// Runs a build and kills it with SIGKILL at `moment`; returns the phase it was in.
fn kill_at(site: &TestSite, moment: Moment, old_inode: Option<u64>) -> Phase {
    let state = site.root.join(".public.ludd-state");
    let mut child = spawn_build(site);
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return Phase::Finished;
        }
        assert!(start.elapsed() < HANG, "ludd build hangs");
        let swapped = inode(&site.out()) != old_inode;
        let due = match moment {
            Moment::After(d) => start.elapsed() >= d,
            Moment::StagingAppears => !staging_folders(site).is_empty() || swapped,
            Moment::StagingHolds(percent) => {
                swapped
                    || staging_folders(site)
                        .iter()
                        .any(|d| pages_staged(d) * 100 >= PAGES * percent)
            }
            Moment::Swapped => swapped,
            Moment::StateWritten => state.exists(),
        };
        if due {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    if inode(&site.out()) != old_inode {
        Phase::Swapped
    } else if staging_folders(site).is_empty() {
        Phase::BeforeStaging
    } else {
        Phase::Staging
    }
}

/// Replaces `to` with a copy of `from` made of hard links (ludd never writes an output file in
/// place, so the copy stays as it is).
fn link_tree(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).expect("remove");
    }
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let dest = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::hard_link(entry.path(), &dest).expect("link");
        }
    }
}

#[track_caller]
fn assert_same_tree(got: &BTreeMap<String, Vec<u8>>, want: &BTreeMap<String, Vec<u8>>, what: &str) {
    if got == want {
        return;
    }
    let got_names: BTreeSet<&String> = got.keys().collect();
    let want_names: BTreeSet<&String> = want.keys().collect();
    let missing: Vec<_> = want_names.difference(&got_names).take(5).collect();
    let extra: Vec<_> = got_names.difference(&want_names).take(5).collect();
    let differ: Vec<_> = got
        .iter()
        .filter(|(k, v)| want.get(*k).is_some_and(|w| w != *v))
        .map(|(k, _)| k)
        .take(5)
        .collect();
    panic!("{what}: missing {missing:?}, extra {extra:?}, different {differ:?}");
}

#[test]
fn killed_builds_leave_the_old_or_the_new_site_and_the_next_build_recovers() {
    let site = TestSite::new("basic");
    write_generated(&site, 1);
    site.build(&["--quiet"]).ok();
    let old = tree(&site.out());
    assert!(old.len() > PAGES, "{} files", old.len());
    let snapshot = site.tmp().join("old-output");
    link_tree(&site.out(), &snapshot);

    write_generated(&site, 2);
    let clean_dir = site.tmp().join("clean");
    site.build(&["--quiet", "--output", clean_dir.to_str().expect("utf-8")])
        .ok();
    let new = tree(&clean_dir);
    assert_ne!(old, new);

    let moments = [
        Moment::After(Duration::ZERO),
        Moment::After(Duration::from_millis(40)),
        Moment::StagingAppears,
        Moment::StagingHolds(10),
        Moment::StagingHolds(35),
        Moment::StagingHolds(65),
        Moment::StagingHolds(95),
        Moment::Swapped,
        Moment::Swapped,
        Moment::StateWritten,
    ];
    let mut phases = Vec::new();
    for (trial, moment) in moments.into_iter().enumerate() {
        // Every trial starts from the old output, without the state file that would let the
        // build skip its work.
        link_tree(&snapshot, &site.out());
        let _ = std::fs::remove_file(site.root.join(".public.ludd-state"));
        let phase = kill_at(&site, moment, inode(&site.out()));
        let after_kill = tree(&site.out());
        if after_kill != old {
            assert_same_tree(
                &after_kill,
                &new,
                &format!("trial {trial} ({moment:?}, {phase:?}): neither old nor new"),
            );
        }
        assert_eq!(
            after_kill == new,
            phase >= Phase::Swapped,
            "trial {trial} ({moment:?}): the new site shows only after the swap"
        );
        let run = site.build(&["--quiet"]).ok();
        assert_same_tree(
            &tree(&site.out()),
            &new,
            &format!("trial {trial}: the build after the kill"),
        );
        assert_eq!(
            leftovers(&site.root),
            Vec::<String>::new(),
            "trial {trial}: leftovers; stderr:\n{}",
            run.stderr
        );
        phases.push(phase);
    }
    eprintln!("kills landed in these phases: {phases:?}");
    for want in [Phase::BeforeStaging, Phase::Staging, Phase::Swapped] {
        assert!(
            phases.contains(&want),
            "no kill landed in {want:?}: {phases:?}"
        );
    }
    let distinct: BTreeSet<Phase> = phases.iter().copied().collect();
    assert!(distinct.len() >= 3, "{phases:?}");
}

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs of `size` (`2m`) at `dir`, or `None` when this is not permitted.
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).expect("mkdir");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::piped())
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs(dir.to_path_buf())),
            Ok(o) => {
                eprintln!(
                    "skipping the full-disk test: cannot mount a tmpfs ({})",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("skipping the full-disk test: cannot run mount ({e})");
                None
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_leaves_the_old_output_and_names_the_disk() {
    let site = TestSite::new("basic");
    let Some(disk) = Tmpfs::mount(&site.tmp().join("disk"), "1m") else {
        return;
    };
    let out = disk.0.join("public");
    let out_arg = out.to_str().expect("utf-8");
    site.write("static/small.txt", "klein");
    site.build(&["--quiet", "--output", out_arg]).ok();
    let before = tree(&out);
    assert!(before.contains_key("small.txt"));

    // Pages that fit, and a static file that does not.
    site.edit("content/seite.md", |t| t.replace("---\n\n", "---\n\nNeu. "));
    site.write("static/gross.bin", vec![7u8; 3 << 20]);
    let run = site.build(&["--output", out_arg]).failed();
    assert_eq!(tree(&out), before, "the old output survives byte for byte");
    for part in [
        out_arg,
        "the disk that holds the output folder",
        "is full",
        "free some space",
        "the previous output",
        "unchanged",
    ] {
        assert!(run.stderr.contains(part), "`{part}` in:\n{}", run.stderr);
    }
    let left: Vec<String> = std::fs::read_dir(&disk.0)
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "public" && n != ".public.ludd-state")
        .collect();
    assert!(left.is_empty(), "left on the disk: {left:?}");

    // With room again, the build goes through.
    site.remove("static/gross.bin");
    site.build(&["--quiet", "--output", out_arg]).ok();
    assert!(read_text(&out.join("seite/index.html")).contains("Neu."));
}
