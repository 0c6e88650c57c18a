//! Atomic file replacement, the only way ludd writes an output file: the bytes go into a
//! temporary file in the same folder, which is then renamed over the old one. A reader (the
//! preview server, a web server, rsync) sees the old file or the new one, never a mix, and a
//! crash leaves at worst a stray temporary file, never a half-written output. A link standing at
//! the path is replaced by the new file, never written through.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

/// Temporary files of this module start with this (hidden, so never published or served).
pub const TEMP_PREFIX: &str = ".ludd-tmp-";

/// Replaces `path` with `bytes`.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_with(path, |file| file.write_all(bytes))
}

/// Replaces `path` with everything `source` yields, streamed (a large file is never held in
/// memory; between two files the kernel copies without user space where it can).
pub fn copy(path: &Path, source: &mut impl Read) -> io::Result<u64> {
    let mut copied = 0;
    replace_with(path, |file| {
        copied = io::copy(source, file)?;
        Ok(())
    })?;
    Ok(copied)
}

/// Creates a temporary file beside `path`, lets `fill` write it, and renames it over `path`.
/// On any error the temporary file is removed and `path` is unchanged.
fn replace_with(path: &Path, fill: impl FnOnce(&mut File) -> io::Result<()>) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)?;
    fill(temp.as_file_mut())?;
    // Temporary files are private (0600); an output is as readable as `fs::write` makes it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Whether `name` is one of this module's temporary files (a leftover of a crash).
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_a_link_instead_of_writing_through_it() {
        let tmp = tempfile::tempdir().expect("tmp");
        let outside = tmp.path().join("outside.txt");
        std::fs::write(&outside, "keep").expect("write");
        let link = tmp.path().join("link.txt");
        std::os::unix::fs::symlink(&outside, &link).expect("link");
        write(&link, b"new").expect("write");
        assert_eq!(std::fs::read_to_string(&outside).expect("read"), "keep");
        assert_eq!(std::fs::read_to_string(&link).expect("read"), "new");
        assert!(!link.is_symlink());
    }

    #[test]
    fn streams_and_leaves_no_temporary_file() {
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("a.bin");
        let n = copy(&path, &mut io::repeat(7).take(1 << 20)).expect("copy");
        assert_eq!(n, 1 << 20);
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("list")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["a.bin"]);
    }
}
