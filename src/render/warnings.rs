//! Warnings collected during a rendering: typed values with their fields, shared by the parallel
//! render workers and reported once each. Their text is made where they are shown (the build
//! report, `ludd check`'s findings) from [`std::fmt::Display`].

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Something a rendering noticed that does not stop the build.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Warning {
    /// A UI string a template or the Markdown renderer asked for is missing in `lang`; the
    /// default language's text is shown.
    UiStringFallback {
        /// The language that lacks it.
        lang: String,
        /// The key (`nav.back`).
        key: String,
        /// The default language, whose text is used.
        default: String,
    },
    /// A UI string is missing in every language, the default one included; the key is shown.
    UiStringNowhere {
        /// The key.
        key: String,
        /// The default language.
        default: String,
    },
    /// An input that is a device file, FIFO or socket: skipped and never read.
    SpecialFileSkipped {
        /// The file, relative to the site root.
        path: std::path::PathBuf,
    },
    /// Cached image variants that no page uses any more could not be removed.
    ImageCachePrune {
        /// The cache folder.
        dir: String,
        /// What went wrong.
        reason: String,
    },
}

impl Warning {
    /// What is wrong, without the file it is about.
    pub fn message(&self) -> String {
        match self {
            Warning::UiStringFallback { key, default, .. } => {
                format!("UI string `{key}` is missing; using the {default} text")
            }
            Warning::UiStringNowhere { key, .. } => {
                format!("UI string `{key}` is missing in every language; showing the key")
            }
            Warning::SpecialFileSkipped { .. } => {
                "not a regular file (a device, FIFO or socket), skipped and never read".into()
            }
            Warning::ImageCachePrune { reason, .. } => {
                format!("unused cached images could not be removed: {reason}")
            }
        }
    }

    /// For a UI-string warning: the UI-strings file it is about (`i18n/de.toml`), its language
    /// and the key.
    pub fn ui_string(&self) -> Option<(String, &str, &str)> {
        match self {
            Warning::UiStringFallback { lang, key, .. } => {
                Some((format!("i18n/{lang}.toml"), lang.as_str(), key.as_str()))
            }
            Warning::UiStringNowhere { key, default } => Some((
                format!("i18n/{default}.toml"),
                default.as_str(),
                key.as_str(),
            )),
            Warning::SpecialFileSkipped { .. } | Warning::ImageCachePrune { .. } => None,
        }
    }

    /// The file or folder the warning is about (relative to the site root).
    pub fn file(&self) -> String {
        match self {
            Warning::SpecialFileSkipped { path } => path.display().to_string(),
            Warning::ImageCachePrune { dir, .. } => dir.clone(),
            _ => self.ui_string().map(|(file, ..)| file).unwrap_or_default(),
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file(), self.message())
    }
}

/// A shared, de-duplicated list of warnings owned by one build.
#[derive(Debug, Clone, Default)]
pub struct Warnings(Arc<Mutex<BTreeSet<Warning>>>);

impl Warnings {
    /// Records `warning` unless it was recorded before.
    pub fn once(&self, warning: Warning) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(warning);
        }
    }

    /// All warnings, sorted.
    pub fn list(&self) -> Vec<Warning> {
        self.0
            .lock()
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::{Warning, Warnings};

    #[test]
    fn warnings_keep_their_fields_and_are_recorded_once() {
        let fallback = Warning::UiStringFallback {
            lang: "fr".into(),
            key: "nav.back".into(),
            default: "de".into(),
        };
        let nowhere = Warning::UiStringNowhere {
            key: "x.y".into(),
            default: "de".into(),
        };
        let warnings = Warnings::default();
        warnings.once(fallback.clone());
        warnings.once(nowhere.clone());
        warnings.once(fallback.clone());
        assert_eq!(warnings.list(), vec![fallback.clone(), nowhere.clone()]);
        assert_eq!(
            fallback.ui_string(),
            Some(("i18n/fr.toml".into(), "fr", "nav.back"))
        );
        assert_eq!(
            fallback.to_string(),
            "i18n/fr.toml: UI string `nav.back` is missing; using the de text"
        );
        assert_eq!(
            nowhere.to_string(),
            "i18n/de.toml: UI string `x.y` is missing in every language; showing the key"
        );
    }
}
