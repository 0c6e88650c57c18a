//! What the last successful build wrote: the fingerprint of its inputs and the size of every
//! output file, kept in a small file beside the output folder (`.public.ludd-state`, never
//! deployed). A build whose inputs are unchanged and whose output is intact has nothing to do.

use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The record of one build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildState {
    /// Fingerprint of the inputs, options and generator.
    pub inputs: u64,
    /// Output files (relative paths) and their sizes.
    pub files: Vec<(String, u64)>,
    /// Published documents per language.
    pub pages: Vec<(String, usize)>,
    /// The build's warnings, repeated when nothing changes.
    pub warnings: Vec<String>,
    /// When a `publish_date` or `expiry_date` makes this output out of date, unchanged inputs
    /// or not.
    pub valid_until: Option<jiff::Timestamp>,
}

/// Where the state of the output folder `output` is kept.
pub fn state_path(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    output.with_file_name(format!(".{name}.ludd-state"))
}

impl BuildState {
    /// Reads the state of `output`, if there is a readable one.
    pub fn read(output: &Path) -> Option<BuildState> {
        let text = std::fs::read_to_string(state_path(output)).ok()?;
        let mut lines = text.lines();
        let inputs = lines.next()?.strip_prefix("ludd-state 2 ")?.parse().ok()?;
        let mut state = BuildState {
            inputs,
            files: Vec::new(),
            pages: Vec::new(),
            warnings: Vec::new(),
            valid_until: None,
        };
        for line in lines {
            let (kind, rest) = line.split_once(' ')?;
            match kind {
                "page" => {
                    let (lang, n) = rest.split_once(' ')?;
                    state.pages.push((lang.to_string(), n.parse().ok()?));
                }
                "warn" => state.warnings.push(rest.to_string()),
                "until" => state.valid_until = Some(rest.parse().ok()?),
                "file" => {
                    let (size, path) = rest.split_once(' ')?;
                    state.files.push((path.to_string(), size.parse().ok()?));
                }
                _ => return None,
            }
        }
        Some(state)
    }

    /// Saves the state; a failure only costs the next build its shortcut.
    pub fn write(&self, output: &Path) {
        let mut text = format!("ludd-state 2 {}\n", self.inputs);
        for (lang, n) in &self.pages {
            text.push_str(&format!("page {lang} {n}\n"));
        }
        if let Some(t) = self.valid_until {
            text.push_str(&format!("until {t}\n"));
        }
        for w in &self.warnings {
            text.push_str(&format!("warn {}\n", w.replace('\n', " ")));
        }
        for (path, size) in &self.files {
            text.push_str(&format!("file {size} {path}\n"));
        }
        let _ = std::fs::write(state_path(output), text);
    }

    /// Whether a publish or expiry date has passed since the build, at `now`.
    pub fn expired_at(&self, now: jiff::Timestamp) -> bool {
        self.valid_until.is_some_and(|t| now >= t)
    }

    /// Forgets the state (before a build that may fail halfway).
    pub fn clear(output: &Path) {
        let _ = std::fs::remove_file(state_path(output));
    }

    /// Whether every recorded output file is still there with its size.
    pub fn output_intact(&self, output: &Path) -> bool {
        self.files.par_iter().all(|(path, size)| {
            std::fs::metadata(output.join(path)).is_ok_and(|m| m.is_file() && m.len() == *size)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_integrity() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("public");
        std::fs::create_dir_all(out.join("a")).expect("mkdir");
        std::fs::write(out.join("a/index.html"), "hello").expect("write");
        let state = BuildState {
            inputs: 42,
            files: vec![("a/index.html".into(), 5)],
            pages: vec![("de".into(), 1)],
            warnings: vec!["w".into()],
            valid_until: Some("2030-01-01T00:00:00Z".parse().expect("timestamp")),
        };
        state.write(&out);
        assert_eq!(state_path(&out), dir.path().join(".public.ludd-state"));
        let read = BuildState::read(&out).expect("read");
        assert_eq!(read, state);
        assert!(read.output_intact(&out));
        assert!(!read.expired_at("2029-12-31T23:59:59Z".parse().expect("timestamp")));
        assert!(read.expired_at("2030-01-01T00:00:00Z".parse().expect("timestamp")));
        std::fs::write(out.join("a/index.html"), "changed!").expect("write");
        assert!(!read.output_intact(&out));
        BuildState::clear(&out);
        assert!(BuildState::read(&out).is_none());
    }
}
