//! ludd: a fast static site generator for multilingual campaign sites.
//!
//! The pipeline reads top-down, one module per stage:
//! [`load`] (files, front matter, config) → [`model`] (languages, sections, pages, translations,
//! URLs) → [`render`] (Markdown, templates, feeds, sitemap; what each output read is recorded)
//! → [`write`] (atomic output). The [`engine`] runs the stages for every command, in one of
//! three modes; [`build`], [`check`], `serve` and `deploy` are the commands on top of it.

pub mod build;
#[cfg(feature = "serve")]
pub mod build_watch;
pub mod check;
#[cfg(feature = "deploy")]
pub mod deploy;
pub mod engine;
pub mod error;
pub mod hash;
pub mod import;
pub mod init;
pub mod layout;
pub mod load;
pub mod locale;
pub mod model;
pub mod render;
#[cfg(feature = "serve")]
pub mod serve;
pub mod slug;
pub mod write;

pub use build::{BuildReport, build};
pub use engine::{BuildOptions, Mode};
pub use error::{Diagnostic, Error, Result};
