//! Languages as the site uses them: code, name, direction, URL prefix and merged site settings.

use crate::load::config::{Config, Direction};

/// One configured language.
#[derive(Debug, Clone, PartialEq)]
pub struct Language {
    /// Code (`de`).
    pub code: String,
    /// Own name (`Deutsch`).
    pub name: String,
    /// Text direction.
    pub direction: Direction,
    /// URL prefix without trailing slash, starting with `base_url`'s path: `""` for the default
    /// language at the root, else `/de` (`/project` and `/project/de` under a base path).
    pub prefix: String,
    /// Whether this is the default language.
    pub is_default: bool,
    /// Untranslated pages appear in listings in the default language.
    pub fallback: bool,
    /// Site title in this language.
    pub title: String,
    /// Site description in this language.
    pub description: String,
    /// `[extra]` merged with `[languages.<code>.extra]`.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The folder below `content/` holding this language's files, if it has one.
    pub content_dir: Option<String>,
}

/// The configured languages, default first.
pub fn languages(config: &Config) -> Vec<Language> {
    let top_extra =
        match crate::load::front_matter::toml_to_json(toml::Value::Table(config.extra.clone())) {
            serde_json::Value::Object(m) => m,
            _ => serde_json::Map::new(),
        };
    config
        .language_codes()
        .into_iter()
        .map(|code| {
            let lc = config.languages.get(&code).cloned().unwrap_or_default();
            let is_default = code == config.default_language;
            let mut extra = top_extra.clone();
            if let serde_json::Value::Object(own) =
                crate::load::front_matter::toml_to_json(toml::Value::Table(lc.extra))
            {
                merge(&mut extra, own);
            }
            Language {
                name: lc.name.unwrap_or_else(|| code.clone()),
                direction: lc.direction,
                prefix: if is_default && !config.default_language_in_subdir {
                    config.base_path().to_string()
                } else {
                    format!("{}/{code}", config.base_path())
                },
                is_default,
                fallback: lc.fallback,
                title: lc.title.unwrap_or_else(|| config.title.clone()),
                description: lc
                    .description
                    .or_else(|| config.description.clone())
                    .unwrap_or_default(),
                extra,
                content_dir: lc.content_dir,
                code,
            }
        })
        .collect()
}

/// Deep-merges `over` into `base`: tables merge key by key, anything else replaces.
fn merge(
    base: &mut serde_json::Map<String, serde_json::Value>,
    over: serde_json::Map<String, serde_json::Value>,
) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(serde_json::Value::Object(b)), serde_json::Value::Object(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}
