//! Typed errors of the image pipeline: every variant names the file it is about, so that the
//! build can report it as a diagnostic with a hint on what to do.

use std::path::PathBuf;
use thiserror::Error;

/// Something went wrong with one image.
#[derive(Debug, Error)]
pub enum ImageError {
    /// The file could not be read.
    #[error("cannot read image `{path}`: {source}")]
    Read {
        /// The image.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not a format ludd processes (by its bytes, whatever its extension says).
    #[error("image `{path}` is not a JPEG, PNG, WebP, GIF or SVG file")]
    Unsupported {
        /// The image.
        path: PathBuf,
    },
    /// The header declares more pixels than a web image needs (a decompression bomb).
    #[error(
        "image `{path}` declares {width} × {height} pixels, over the limit of {max_side} pixels a side and {max_megapixels} megapixels"
    )]
    TooLarge {
        /// The image.
        path: PathBuf,
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// Largest side allowed.
        max_side: u32,
        /// Most megapixels allowed.
        max_megapixels: u32,
    },
    /// The file is broken or truncated.
    #[error("image `{path}` is broken or truncated: {reason}")]
    Corrupt {
        /// The image.
        path: PathBuf,
        /// What the decoder said.
        reason: String,
    },
    /// An SVG file that does not parse, or has no size.
    #[error("SVG `{path}`: {reason}")]
    Svg {
        /// The image.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Encoding a variant failed.
    #[error("cannot encode `{path}` as {format}: {reason}")]
    Encode {
        /// The image.
        path: PathBuf,
        /// Target format.
        format: &'static str,
        /// What the encoder said.
        reason: String,
    },
    /// Writing to the image cache failed.
    #[error("cannot write the image cache at `{path}`: {source}")]
    Cache {
        /// The cache file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A bad argument to `image()` (an unknown op or focal point).
    #[error("{0}")]
    Argument(String),
}

impl ImageError {
    /// What the user can do about it.
    pub fn help(&self) -> &'static str {
        match self {
            ImageError::Read { .. } => "check that the file exists and is readable",
            ImageError::Unsupported { .. } => {
                "convert it to JPEG, PNG or WebP, or link it as a plain file instead of an image"
            }
            ImageError::TooLarge { .. } => {
                "scale the image down (a web page never needs more than a few thousand pixels)"
            }
            ImageError::Corrupt { .. } => "export the image again from its original",
            ImageError::Svg { .. } => "give the <svg> element width and height or a viewBox",
            ImageError::Encode { .. } => "export the image again as an 8-bit JPEG or PNG",
            ImageError::Cache { .. } => "check the permissions of the .ludd-cache folder",
            ImageError::Argument(_) => {
                "use op = \"scale\", \"fit\" or \"fill\", and focus = \"center\", \"top\", … or \"x,y\" in per cent"
            }
        }
    }

    /// The error as a diagnostic that names its file (and the file in the message) relative
    /// to the site root `root`.
    pub fn diagnostic(&self, root: &std::path::Path) -> crate::error::Diagnostic {
        let shown = |p: &std::path::Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
        let message = self
            .to_string()
            .replace(&format!("{}/", root.display()), "");
        crate::error::Diagnostic::new(self.path().map(shown).unwrap_or_default(), message)
            .with_help(self.help())
    }

    /// The file the error is about, if any.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            ImageError::Read { path, .. }
            | ImageError::Unsupported { path }
            | ImageError::TooLarge { path, .. }
            | ImageError::Corrupt { path, .. }
            | ImageError::Svg { path, .. }
            | ImageError::Encode { path, .. }
            | ImageError::Cache { path, .. } => Some(path),
            ImageError::Argument(_) => None,
        }
    }
}
