//! Last commit time of every file under `content/`, from one `git log` call, for judging stale
//! translations when front matter has no dates. Without git, or outside a checkout: nothing.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// Path relative to the site root (`content/artikel.md`) → Unix time of its last commit.
pub type CommitTimes = HashMap<String, i64>;

/// Commit times of the files in `root/content`, or `None` when `root` is not in a git checkout
/// (or git is not installed).
pub fn last_commit_times(root: &Path) -> Option<CommitTimes> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "log",
            "--format=%x00%ct",
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
    Some(parse_log(&String::from_utf8_lossy(&out.stdout)))
}

/// Parses `git log --format=%x00%ct --name-only` output, newest commit first: the first time a
/// file appears is its last commit.
fn parse_log(log: &str) -> CommitTimes {
    let mut times = CommitTimes::new();
    let mut current: Option<i64> = None;
    for line in log.lines() {
        if let Some(ts) = line.strip_prefix('\0') {
            current = ts.trim().parse().ok();
        } else if !line.trim().is_empty()
            && let Some(t) = current
        {
            times.entry(unquote(line)).or_insert(t);
        }
    }
    times
}

/// Git quotes paths with unusual characters (`"content/\303\234ber.md"`); undo that.
fn unquote(path: &str) -> String {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return path.to_string();
    };
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next() {
            Some(d @ b'0'..=b'7') => {
                let mut n = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&d @ b'0'..=b'7') = chars.peek() {
                        n = n * 8 + u32::from(d - b'0');
                        chars.next();
                    }
                }
                bytes.push(n as u8);
            }
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(other) => bytes.push(other),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_commit_wins() {
        let log = "\u{0}200\n\ncontent/a.md\n\u{0}100\n\ncontent/a.md\ncontent/b.en.md\n\u{0}50\n\n\"content/\\303\\234ber.md\"\n";
        let t = parse_log(log);
        assert_eq!(t["content/a.md"], 200);
        assert_eq!(t["content/b.en.md"], 100);
        assert_eq!(t["content/Über.md"], 50);
    }
}
