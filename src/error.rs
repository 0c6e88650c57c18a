//! The library's error type: diagnostics that name the file, the line and what to do.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in the user's input, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in (relative to the site root where possible).
    pub path: PathBuf,
    /// 1-based line number, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic for `path` with `message`.
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: None,
            message: message.into(),
            help: None,
        }
    }

    /// Sets the line.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the line when one is known.
    pub fn at_optional_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    /// Adds advice on how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// One diagnostic per problem: a template error met by many outputs (the same file, line and
/// message) is listed once, saying how many more outputs met it.
pub fn merge_repeated(list: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<(Diagnostic, usize)> = Vec::with_capacity(list.len());
    let mut index: std::collections::HashMap<(PathBuf, Option<usize>, String), usize> =
        std::collections::HashMap::new();
    for d in list {
        let key = (d.path.clone(), d.line, d.message.clone());
        match index.get(&key) {
            Some(&i) => out[i].1 += 1,
            None => {
                index.insert(key, out.len());
                out.push((d, 0));
            }
        }
    }
    out.into_iter()
        .map(|(mut d, more)| {
            if more > 0 {
                let help = d.help.take().map_or_else(String::new, |h| format!("{h}; "));
                d.help = Some(format!("{help}the same in {more} more outputs"));
            }
            d
        })
        .collect()
}

/// Everything that can stop a build.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The site's input is invalid; every problem found is listed.
    #[error("{}", DiagnosticList(.0))]
    Invalid(Vec<Diagnostic>),
    /// Reading or writing a file failed.
    #[error("cannot {action} `{}`: {source}", .path.display())]
    Io {
        /// What we were doing ("read", "write", "create directory", ...).
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Publishing the output failed (the target refused, could not be reached, …).
    #[error("deploy failed: {0}")]
    Deploy(String),
}

struct DiagnosticList<'a>(&'a [Diagnostic]);

impl fmt::Display for DiagnosticList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {d}")?;
        }
        if self.0.len() > 1 {
            write!(f, "\n{} errors", self.0.len())?;
        }
        Ok(())
    }
}

impl Error {
    /// A single-diagnostic error.
    pub fn invalid(diagnostic: Diagnostic) -> Self {
        Error::Invalid(vec![diagnostic])
    }

    /// An I/O error while doing `action` on `path`.
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// A failed read of an input file at `path`; a file that is gone was deleted during the
    /// build (it was there when the folders were listed), which gets a clear message.
    pub fn read(path: &Path, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::invalid(
                Diagnostic::new(path, "file vanished during the build")
                    .with_help("something deleted it while ludd was building; build again"),
            )
        } else {
            Error::io("read", path, source)
        }
    }

    /// The diagnostics carried, if this is an input error.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Invalid(list) => list,
            Error::Io { .. } | Error::Deploy(_) => &[],
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::invalid(d)
    }
}

/// Result with the library's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Collects the results of many independent steps, keeping every diagnostic.
pub fn collect_all<T>(results: impl IntoIterator<Item = Result<T>>) -> Result<Vec<T>> {
    let mut ok = Vec::new();
    let mut problems = Vec::new();
    for r in results {
        match r {
            Ok(v) => ok.push(v),
            Err(Error::Invalid(mut d)) => problems.append(&mut d),
            Err(e) => return Err(e),
        }
    }
    if problems.is_empty() {
        Ok(ok)
    } else {
        Err(Error::Invalid(problems))
    }
}
