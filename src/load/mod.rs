//! Load stage: reads the site from disk into plain data — config, content files with their front
//! matter, and the theme. Nothing here knows about URLs or HTML.

pub mod config;
pub mod content;
pub mod data;
pub mod files;
pub mod front_matter;
pub mod inputs;
pub mod keys;
pub mod theme;

use crate::error::Result;
use crate::layout;
use std::path::Path;

/// The site as read from disk.
#[derive(Debug, Clone)]
pub struct Project {
    /// `site.toml`.
    pub config: config::Config,
    /// `content/`.
    pub content: content::Content,
    /// Theme and site templates, UI strings, static files.
    pub theme: theme::Theme,
    /// `data/`.
    pub data: data::Data,
}

/// Reads everything under `root`.
pub fn load(root: &Path) -> Result<Project> {
    load_with(root, config::Config::load(root)?)
}

/// Reads everything under `root` but `site.toml`, whose parsed `config` the caller has.
pub fn load_with(root: &Path, config: config::Config) -> Result<Project> {
    let (project, problems) = load_partial_with(root, config)?;
    if problems.is_empty() {
        Ok(project)
    } else {
        Err(crate::error::Error::Invalid(problems))
    }
}

/// [`load_with`], but content files that cannot be read are left out (see
/// [`content::load_partial`]) and their problems returned beside the project, for a build that
/// reports the problems of every stage at once. Theme and data problems are errors (with the
/// content's problems among them): nothing can be rendered without them.
pub fn load_partial_with(
    root: &Path,
    config: config::Config,
) -> Result<(Project, Vec<crate::error::Diagnostic>)> {
    let settings = content_settings(&config);
    let (content, theme) = rayon::join(
        || content::load_partial(root, &settings),
        || theme::load(root, config.theme.as_deref(), config.line_of("theme")),
    );
    let data = data::load(root, &settings.languages);
    // Every problem at once: content, theme and data are independent.
    let ((content, deferred), theme, data) = match (content, theme, data) {
        (Ok(c), Ok(t), Ok(d)) => (c, t, d),
        (c, t, d) => {
            let mut problems = match &c {
                Ok((_, deferred)) => deferred.clone(),
                Err(_) => Vec::new(),
            };
            for e in [c.err(), t.err(), d.err()].into_iter().flatten() {
                match e {
                    crate::error::Error::Invalid(mut list) => problems.append(&mut list),
                    other => return Err(other),
                }
            }
            return Err(crate::error::Error::Invalid(problems));
        }
    };
    let project = Project {
        config,
        content,
        theme,
        data,
    };
    Ok((project, deferred))
}

/// How `config` says content files are read.
pub fn content_settings(config: &config::Config) -> content::ContentSettings {
    content::ContentSettings {
        languages: config.language_codes(),
        default_language: config.default_language.clone(),
        taxonomies: config
            .language_codes()
            .into_iter()
            .map(|code| {
                let names = config.taxonomies_of(&code).iter();
                let names = names.map(|t| t.name.clone()).collect();
                (code, names)
            })
            .collect(),
        content_dirs: config
            .languages
            .0
            .iter()
            .filter_map(|(code, l)| l.content_dir.clone().map(|d| (d, code.clone())))
            .collect(),
    }
}

/// What kind of input a changed path is, which decides how much must be read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A file under `content/`.
    Content,
    /// Templates, UI strings or static files (the site's or the theme's).
    Theme,
    /// A file under `data/`.
    Data,
    /// `site.toml`, or something we cannot place: read everything.
    Everything,
}

/// Classifies a changed path (absolute) of the site at `root`.
pub fn classify(root: &Path, path: &Path) -> Option<ChangeKind> {
    let rel = path.strip_prefix(root).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    match first {
        layout::CONTENT => Some(ChangeKind::Content),
        layout::TEMPLATES | layout::THEMES | layout::I18N | layout::STATIC | layout::CARDS => {
            Some(ChangeKind::Theme)
        }
        layout::DATA => Some(ChangeKind::Data),
        config::CONFIG_FILE => Some(ChangeKind::Everything),
        _ => None,
    }
}

/// Loads the project again after `changed` paths, re-reading only what they touch.
/// An empty `changed` list reads everything.
pub fn reload(root: &Path, previous: &Project, changed: &[std::path::PathBuf]) -> Result<Project> {
    let kinds: Vec<ChangeKind> = changed.iter().filter_map(|p| classify(root, p)).collect();
    if changed.is_empty() || kinds.contains(&ChangeKind::Everything) {
        return load(root);
    }
    let config = previous.config.clone();
    let content = if kinds.contains(&ChangeKind::Content) {
        content::reload(root, &previous.content, changed, &content_settings(&config))?
    } else {
        previous.content.clone()
    };
    let theme = if kinds.contains(&ChangeKind::Theme) {
        theme::load(root, config.theme.as_deref(), config.line_of("theme"))?
    } else {
        previous.theme.clone()
    };
    let data = if kinds.contains(&ChangeKind::Data) {
        data::load(root, &config.language_codes())?
    } else {
        previous.data.clone()
    };
    Ok(Project {
        config,
        content,
        theme,
        data,
    })
}
