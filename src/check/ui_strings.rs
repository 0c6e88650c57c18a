//! UI strings: every key of the default language's `i18n/<lang>.toml` (theme and site merged)
//! that another configured language lacks. Templates then show the default language's text.

use super::{Finding, Kind};
use crate::model::Site;
use crate::render::warnings::Warning;

/// A warning per UI string missing in a configured language (one per language when it has no
/// UI strings at all).
pub(crate) fn check(site: &Site) -> Vec<Finding> {
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
pub(crate) fn from_render_warnings(warnings: &[Warning], known: &[Finding]) -> Vec<Finding> {
    warnings
        .iter()
        .filter_map(|warning| {
            let (file, lang, key) = warning.ui_string()?;
            let already = known
                .iter()
                .any(|f| f.page == file && f.target.as_deref() == Some(key));
            (!already).then(|| {
                Finding::new(Kind::MissingUiString, &file, warning.message())
                    .in_language(lang)
                    .with_target(key)
                    .with_help(format!("add {key} = \"…\" to {file}"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_warnings_become_findings_from_their_fields() {
        let warnings = [
            Warning::UiStringFallback {
                lang: "en".into(),
                key: "a.b".into(),
                default: "de".into(),
            },
            Warning::UiStringFallback {
                lang: "fr".into(),
                key: "c".into(),
                default: "de".into(),
            },
            Warning::UiStringNowhere {
                key: "d".into(),
                default: "de".into(),
            },
        ];
        let known = [Finding::new(Kind::MissingUiString, "i18n/en.toml", "x").with_target("a.b")];
        let found = from_render_warnings(&warnings, &known);
        let summary: Vec<(&str, Option<&str>, Option<&str>)> = found
            .iter()
            .map(|f| (f.page.as_str(), f.language.as_deref(), f.target.as_deref()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("i18n/fr.toml", Some("fr"), Some("c")),
                ("i18n/de.toml", Some("de"), Some("d"))
            ]
        );
        assert_eq!(
            found[0].message,
            "UI string `c` is missing; using the de text"
        );
        assert_eq!(
            found[0].help.as_deref(),
            Some("add c = \"…\" to i18n/fr.toml")
        );
    }
}
