//! Last commit time of every file under `content/`, from one `git log` call, for judging stale
//! translations when front matter has no dates. Without git, or outside a checkout: nothing.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// Path relative to the site root (`content/artikel.md`) → Unix time of its last commit.
pub(crate) type CommitTimes = HashMap<String, i64>;

/// Commit times of the files in `root/content`, or `None` when `root` is not in a git checkout
/// (or git is not installed).
pub(crate) fn last_commit_times(root: &Path) -> Option<CommitTimes> {
    // -z and core.quotePath=false: every path comes raw and NUL-terminated, never quoted.
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "-c",
            "core.quotePath=false",
            "log",
            "-z",
            &format!("--format={COMMIT_MARK}%ct"),
            "--name-only",
            "--relative",
            "--no-renames",
            "--",
            crate::load::content::CONTENT_DIR,
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(parse_log(&out.stdout))
}

/// What starts each commit's line in the log; paths all start with `content/`.
const COMMIT_MARK: &str = "commit:";

/// Parses `git log -z --format=commit:%ct --name-only` output, newest commit first: NUL-separated
/// fields, each commit's time, then its paths (the first one after a newline). The first time a
/// file appears is its last commit.
fn parse_log(log: &[u8]) -> CommitTimes {
    let mut times = CommitTimes::new();
    let mut current: Option<i64> = None;
    for field in log.split(|&b| b == 0) {
        let field = String::from_utf8_lossy(field.strip_prefix(b"\n").unwrap_or(field));
        if let Some(ts) = field.strip_prefix(COMMIT_MARK) {
            current = ts.trim().parse().ok();
        } else if !field.is_empty()
            && let Some(t) = current
        {
            times.entry(field.into_owned()).or_insert(t);
        }
    }
    times
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_commit_wins() {
        let log = b"commit:200\0\ncontent/a.md\0commit:100\0\ncontent/a.md\0content/b.en.md\0\
                    commit:70\0commit:50\0\ncontent/\xc3\x9cber uns.md\0content/new\nline.md\0";
        let t = parse_log(log);
        assert_eq!(t["content/a.md"], 200);
        assert_eq!(t["content/b.en.md"], 100);
        assert_eq!(t["content/Über uns.md"], 50);
        assert_eq!(t["content/new\nline.md"], 50);
        assert_eq!(t.len(), 4);
    }

    #[test]
    fn reads_a_real_log_with_unusual_names() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let ok = Command::new("git")
                .arg("-C")
                .arg(dir.path())
                .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
                .args(args)
                .env("GIT_COMMITTER_DATE", "1700000000 +0000")
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                ok,
                "git {args:?} failed (is git installed? apt-get install -y git)"
            );
        };
        git(&["init", "-q"]);
        std::fs::create_dir(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("content/Über \"uns\".md"), "x").unwrap();
        git(&["add", "."]);
        git(&["commit", "-qm", "one"]);
        let t = last_commit_times(dir.path()).unwrap();
        assert_eq!(
            t.get("content/Über \"uns\".md"),
            Some(&1_700_000_000),
            "{t:?}"
        );
    }
}
