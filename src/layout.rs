//! The site's folder layout: the names of the input folders under the site root, which of
//! them a command reads, watches and protects, which files inside them are ignored, and how a
//! content file is named in messages.
//! Every stage spells these folders through here.

use std::path::{Path, PathBuf};

/// Markdown and the files bundled with it.
pub const CONTENT: &str = "content";
/// The site's own templates (they win over the theme's).
pub const TEMPLATES: &str = "templates";
/// Themes, one folder each.
pub const THEMES: &str = "themes";
/// UI strings, one TOML file per language.
pub const I18N: &str = "i18n";
/// Files copied to the output as they are.
pub const STATIC: &str = "static";
/// Data files for templates (`data/events.yaml` → `data.events`).
pub const DATA: &str = "data";
/// The share card template and its fonts (see `render::images::card`).
pub const CARDS: &str = "cards";
/// The site configuration.
pub const CONFIG_FILE: &str = "site.toml";

/// The folders of a site (or of a theme, but `content` and `themes`) that hold templates, UI
/// strings and static files.
pub const THEME_DIRS: [&str; 4] = [TEMPLATES, I18N, STATIC, CARDS];

/// Every input folder under the site root, the themes included: what a watcher watches.
pub const INPUT_DIRS: [&str; 7] = [CONTENT, TEMPLATES, THEMES, I18N, STATIC, DATA, CARDS];

/// Folders of the site that the output may never be, contain, or sit inside.
pub const PROTECTED: [&str; 9] = [
    CONTENT, THEMES, TEMPLATES, STATIC, I18N, DATA, CARDS, "src", ".git",
];

/// The input folders of a build of the site at `root` with theme `theme`: the site's own and
/// the theme's.
pub fn build_inputs(root: &Path, theme: Option<&str>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = [CONTENT, TEMPLATES, I18N, STATIC, DATA, CARDS]
        .iter()
        .map(|d| root.join(d))
        .collect();
    if let Some(theme) = theme {
        dirs.push(root.join(THEMES).join(theme));
    }
    dirs
}

/// Files that editors and tools leave behind (and hidden files), which are never inputs: not
/// read, not watched (see [`crate::load::files::is_ignored_file`], the one rule).
pub use crate::load::files::is_ignored_file;

/// How messages name the content file at `rel_path` (relative to the content folder):
/// `content/blog/post.md`.
pub fn content_path(rel_path: &str) -> String {
    format!("{CONTENT}/{rel_path}")
}
