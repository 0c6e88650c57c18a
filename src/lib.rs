//! ludd: a fast static site generator for multilingual campaign sites.
//!
//! The pipeline reads top-down, one module per stage:
//! [`load`] (files, front matter, config) → [`model`] (languages, sections, pages, translations,
//! URLs) → [`render`] (Markdown, templates, feeds, sitemap) → [`write`] (atomic output).
//! [`build`] runs the stages; the preview server reuses them.

pub mod build;
pub mod check;
#[cfg(feature = "deploy")]
pub mod deploy;
pub mod error;
pub mod import;
pub mod init;
pub mod load;
pub mod locale;
pub mod model;
pub mod render;
#[cfg(feature = "serve")]
pub mod serve;
pub mod slug;
pub mod write;

pub use build::{BuildOptions, BuildReport, build};
pub use error::{Diagnostic, Error, Result};
