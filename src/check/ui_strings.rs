//! UI strings: every key of the default language's `i18n/<lang>.toml` (theme and site merged)
//! that another configured language lacks. Templates then show the default language's text.

use super::{Finding, Kind};
use crate::model::Site;

/// A warning per UI string missing in a configured language (one per language when it has no
/// UI strings at all).
pub fn check(site: &Site) -> Vec<Finding> {
    let strings = &site.theme.ui_strings;
    let Some(default) = site.languages.first() else {
        return Vec::new();
    };
    let Some(reference) = strings.get(&default.code).filter(|m| !m.is_empty()) else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for lang in &site.languages[1..] {
        let file = format!("i18n/{}.toml", lang.code);
        let Some(own) = strings.get(&lang.code) else {
            findings.push(
                Finding::new(
                    Kind::MissingUiString,
                    &file,
                    format!(
                        "there are no UI strings for `{}`; all {} show the {} text",
                        lang.code,
                        reference.len(),
                        default.code
                    ),
                )
                .in_language(&lang.code)
                .with_help(format!(
                    "copy i18n/{}.toml to {file} and translate it",
                    default.code
                )),
            );
            continue;
        };
        for key in reference.keys().filter(|k| !own.contains_key(*k)) {
            findings.push(
                Finding::new(
                    Kind::MissingUiString,
                    &file,
                    format!(
                        "UI string `{key}` is missing; using the {} text",
                        default.code
                    ),
                )
                .in_language(&lang.code)
                .with_target(key)
                .with_help(format!("add {key} = \"…\" to {file}")),
            );
        }
    }
    findings
}

/// The rendering's own UI-string warnings (a key a template uses that some language, or every
/// language, lacks) as findings, except those [`check`] already reported.
pub fn from_render_warnings(lines: &[String], known: &[Finding]) -> Vec<Finding> {
    lines
        .iter()
        .filter(|line| line.contains("UI string"))
        .filter(|line| !known.iter().any(|f| &f.as_warning_line() == *line))
        .filter_map(|line| {
            let (file, message) = line.split_once(": ")?;
            let lang = file.strip_prefix("i18n/")?.strip_suffix(".toml")?;
            let key = message.split('`').nth(1).unwrap_or_default();
            Some(
                Finding::new(Kind::MissingUiString, file, message)
                    .in_language(lang)
                    .with_target(key)
                    .with_help(format!("add {key} = \"…\" to {file}")),
            )
        })
        .collect()
}
