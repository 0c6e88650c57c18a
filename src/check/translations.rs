//! Translation status: for every document of the default language, whether each other language
//! has it, lacks it (and shows a fallback) or has a **stale** version — one whose original was
//! updated after it, by `updated` (else `date`) front matter, or, when either lacks a date, by
//! their last git commit times.

use super::git::CommitTimes;
use super::{Finding, Kind};
use crate::load::front_matter::Date;
use crate::model::{Doc, Site};
use serde::Serialize;

/// The state of one page in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The default language's original.
    Original,
    /// Translated, and not older than the original.
    Present,
    /// Translated, but the original changed since.
    Stale,
    /// Not translated; listings show the default-language page (`fallback = true`).
    Fallback,
    /// Not translated.
    Missing,
}

impl Status {
    /// Short label for the text table.
    pub fn label(self) -> &'static str {
        match self {
            Status::Original => "original",
            Status::Present => "ok",
            Status::Stale => "STALE",
            Status::Fallback => "fallback",
            Status::Missing => "missing",
        }
    }
}

/// One row: a default-language document and its status per language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TranslationRow {
    /// The original's path in `content/` (`artikel.md`).
    pub page: String,
    /// Status per language, in the order of [`TranslationTable::languages`].
    pub status: Vec<Status>,
}

/// Page × language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TranslationTable {
    /// Language codes, default first.
    pub languages: Vec<String>,
    /// One row per default-language document, by path.
    pub rows: Vec<TranslationRow>,
}

/// The translation table and a warning per stale translation. `git` (commit times) judges pairs
/// whose front matter has no dates; without it they count as up to date.
pub(crate) fn analyze(site: &Site, git: Option<&CommitTimes>) -> (TranslationTable, Vec<Finding>) {
    let mut rows = Vec::new();
    let mut findings = Vec::new();
    let mut originals: Vec<&Doc> = site
        .docs
        .iter()
        .filter(|d| d.lang == Site::DEFAULT_LANGUAGE)
        .collect();
    originals.sort_by(|a, b| a.source.rel_path.cmp(&b.source.rel_path));
    for original in originals {
        let status = site
            .each_language()
            .map(|(l, lang)| {
                if l == Site::DEFAULT_LANGUAGE {
                    return Status::Original;
                }
                let Some(t) = original.translations[l] else {
                    return if lang.fallback {
                        Status::Fallback
                    } else {
                        Status::Missing
                    };
                };
                let translation = &site.docs[t];
                if translation.generated {
                    return Status::Fallback;
                }
                match staleness(original, translation, git) {
                    Some(reason) => {
                        findings.push(stale_finding(original, translation, &lang.code, &reason));
                        Status::Stale
                    }
                    None => Status::Present,
                }
            })
            .collect();
        rows.push(TranslationRow {
            page: original.source.rel_path.clone(),
            status,
        });
    }
    let table = TranslationTable {
        languages: site.languages.iter().map(|l| l.code.clone()).collect(),
        rows,
    };
    (table, findings)
}

/// Why `translation` is older than `original`, if it is.
fn staleness(original: &Doc, translation: &Doc, git: Option<&CommitTimes>) -> Option<String> {
    let changed = |d: &Doc| -> Option<Date> {
        let fm = &d.source.front_matter;
        fm.updated.or(fm.date)
    };
    if let (Some(o), Some(t)) = (changed(original), changed(translation)) {
        return (o.timestamp > t.timestamp).then(|| {
            format!(
                "the original was updated {}, this translation {}",
                o.iso(),
                t.iso()
            )
        });
    }
    let times = git?;
    let committed = |d: &Doc| {
        times
            .get(&format!("content/{}", d.source.rel_path))
            .copied()
    };
    let (o, t) = (committed(original)?, committed(translation)?);
    (o > t).then(|| {
        let day = |s: i64| {
            jiff::Timestamp::from_second(s)
                .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default()
        };
        format!(
            "the original was last committed {}, this translation {}",
            day(o),
            day(t)
        )
    })
}

fn stale_finding(original: &Doc, translation: &Doc, lang: &str, reason: &str) -> Finding {
    Finding::new(
        Kind::StaleTranslation,
        format!("content/{}", translation.source.rel_path),
        format!(
            "translation is older than content/{}: {reason}",
            original.source.rel_path
        ),
    )
    .in_language(lang)
    .with_target(format!("content/{}", original.source.rel_path))
    .with_help("bring the translation up to date and set `updated` in its front matter")
}
