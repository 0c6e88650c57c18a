//! `ludd check`: renders the whole site in memory (templates included) and reports what is wrong
//! with it — broken links and anchors, resources loaded from other hosts, accessibility basics,
//! page weight with its CO2e estimate, stale or missing translations and missing UI strings.
//! `ludd build` runs the cheap checks ([`build_warnings`]) that need no HTML parsing.

pub(crate) mod a11y;
pub(crate) mod co2;
pub(crate) mod git;
pub(crate) mod html;
pub(crate) mod links;
pub mod outputs;
pub(crate) mod privacy;
pub mod report;
pub(crate) mod translations;
pub(crate) mod ui_strings;
pub(crate) mod weight;

use crate::engine::{BuildOptions, Engine, Mode};
use crate::error::{Error, Result, merge_repeated};
use crate::load::config::Config;
use crate::model::Site;
use serde::Serialize;
use std::collections::HashMap;

/// How bad a finding is: errors fail the check, warnings only with `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails `ludd check`.
    Error,
    /// Reported; fails only with `--strict`.
    Warning,
}

/// Which check found something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A link or resource on this site that does not exist.
    BrokenLink,
    /// A `#fragment` with no matching `id` (or `name`) in the target page.
    BrokenAnchor,
    /// A resource loaded from another host.
    OffSite,
    /// An `<img>` without an `alt` attribute.
    MissingAlt,
    /// An `<html>` element without `lang`.
    MissingLang,
    /// An `id` used twice in one page.
    DuplicateId,
    /// A heading more than one level below the previous heading.
    HeadingSkip,
    /// A page transferring more than `[budget] page_kb`.
    OverBudget,
    /// A translation older than its original.
    StaleTranslation,
    /// A UI string in the default language that another language lacks.
    MissingUiString,
    /// An output image carrying GPS positions, serial numbers or other identifying metadata.
    ImageMetadata,
}

impl Kind {
    /// The name used in text and JSON output (`broken-link`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::BrokenLink => "broken-link",
            Kind::BrokenAnchor => "broken-anchor",
            Kind::OffSite => "off-site",
            Kind::MissingAlt => "missing-alt",
            Kind::MissingLang => "missing-lang",
            Kind::DuplicateId => "duplicate-id",
            Kind::HeadingSkip => "heading-skip",
            Kind::OverBudget => "over-budget",
            Kind::StaleTranslation => "stale-translation",
            Kind::MissingUiString => "missing-ui-string",
            Kind::ImageMetadata => "image-metadata",
        }
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// The check that found it.
    pub check: Kind,
    /// The language it concerns (`None`: the whole site).
    pub language: Option<String>,
    /// Output path (`en/article/index.html`) or source file (`content/artikel.en.md`).
    pub page: String,
    /// What it points at: the link target, the resource URL, the duplicated id, the original.
    pub target: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl Finding {
    /// A finding of `check` with its default severity.
    pub fn new(check: Kind, page: impl Into<String>, message: impl Into<String>) -> Finding {
        let severity = match check {
            Kind::HeadingSkip | Kind::StaleTranslation | Kind::MissingUiString => Severity::Warning,
            _ => Severity::Error,
        };
        Finding {
            severity,
            check,
            language: None,
            page: page.into(),
            target: None,
            message: message.into(),
            help: None,
        }
    }

    /// Sets the language.
    pub fn in_language(mut self, language: impl Into<String>) -> Finding {
        self.language = Some(language.into());
        self
    }

    /// Sets the target.
    pub fn with_target(mut self, target: impl Into<String>) -> Finding {
        self.target = Some(target.into());
        self
    }

    /// Sets the advice.
    pub fn with_help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// One line for the build's warning list (`page: message`).
    pub fn as_warning_line(&self) -> String {
        format!("{}: {}", self.page, self.message)
    }
}

/// One page's transferred weight and its emissions estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightRow {
    /// Output path.
    pub page: String,
    /// The page's language.
    pub language: String,
    /// Gzip bytes of the HTML and everything it loads.
    pub bytes: u64,
    /// Estimated grams of CO2e per view (Sustainable Web Design model v4).
    pub grams_co2e: f64,
    /// Whether it exceeds the budget.
    pub over_budget: bool,
}

/// Everything `ludd check` found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// Language codes, default first.
    pub languages: Vec<String>,
    /// Every finding, sorted by language, page and check.
    pub findings: Vec<Finding>,
    /// The page weight budget in kB.
    pub budget_kb: u64,
    /// Every HTML page's weight, heaviest first.
    pub weights: Vec<WeightRow>,
    /// Which translations exist, are missing or are stale.
    pub translations: translations::TranslationTable,
    /// Pages whose `publish_date` is still to come: (content path, date), soonest first.
    pub upcoming: Vec<(String, String)>,
}

impl CheckReport {
    /// Number of findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether the check fails: any error, or any warning when `strict`.
    pub fn fails(&self, strict: bool) -> bool {
        self.count(Severity::Error) > 0 || (strict && self.count(Severity::Warning) > 0)
    }
}

/// Renders the site described by `options` in memory and checks it. Template and content errors
/// are returned as errors, like a build's.
pub fn check(options: &BuildOptions) -> Result<CheckReport> {
    let options = BuildOptions {
        mode: Mode::Check,
        ..options.clone()
    };
    // Like a build, every content and template problem at once.
    let (rendered, mut problems) = Engine::prepare_partial(&options, Config::load(&options.root)?)?;
    let outputs = match outputs::render_all(&rendered) {
        Ok(outputs) if problems.is_empty() => outputs,
        Ok(_) => return Err(Error::Invalid(merge_repeated(problems))),
        Err(Error::Invalid(mut list)) => {
            problems.append(&mut list);
            return Err(Error::Invalid(merge_repeated(problems)));
        }
        Err(e) => return Err(e),
    };
    let site = &rendered.site;
    let context = links::SiteUrls::new(site);
    let pages = html::analyze_all(&outputs, &context);
    let mut findings = Vec::new();
    findings.extend(links::check(&pages, &outputs, &context));
    findings.extend(privacy::check(&pages, &outputs, &context));
    if !site.config.images.keep_metadata {
        findings.extend(privacy::image_metadata(&outputs));
    }
    findings.extend(a11y::check(&pages));
    let weights = weigh(site, &outputs, &pages);
    findings.extend(over_budget(site, &weights));
    let git_times = git::last_commit_times(&options.root);
    let (table, stale) = translations::analyze(site, git_times.as_ref());
    findings.extend(stale);
    let missing_strings = ui_strings::check(site);
    findings.extend(ui_strings::from_render_warnings(
        &rendered.warnings.list(),
        &missing_strings,
    ));
    findings.extend(missing_strings);
    for f in &mut findings {
        if f.language.is_none()
            && let Some(page) = pages.get(&f.page)
        {
            f.language = Some(page.language.clone());
        }
    }
    findings.sort_by(|a, b| {
        language_rank(site, &a.language)
            .cmp(&language_rank(site, &b.language))
            .then_with(|| a.cmp(b))
    });
    findings.dedup();
    Ok(CheckReport {
        languages: site.languages.iter().map(|l| l.code.clone()).collect(),
        findings,
        budget_kb: site.config.budget.page_kb,
        weights,
        translations: table,
        upcoming: site
            .upcoming
            .iter()
            .map(|(path, date)| (format!("content/{path}"), date.iso()))
            .collect(),
    })
}

/// Sort key of a language: configured order, site-wide findings last.
fn language_rank(site: &Site, language: &Option<String>) -> usize {
    language
        .as_ref()
        .and_then(|c| site.languages.iter().position(|l| &l.code == c))
        .unwrap_or(usize::MAX)
}

/// The checks `ludd build` runs on every build: they read only the model (UI strings, stale
/// translations by front matter dates), never the rendered pages.
pub fn build_warnings(site: &Site) -> Vec<String> {
    let (_, stale) = translations::analyze(site, None);
    let mut warnings: Vec<String> = stale
        .iter()
        .chain(ui_strings::check(site).iter())
        .map(Finding::as_warning_line)
        .collect();
    if site.config.imprint_is_placeholder() {
        warnings.push(placeholder_imprint_warning(&site.config));
    }
    warnings
}

/// The warning (and, for `ludd deploy`, the error) while `[extra.publisher] placeholder = true`.
pub fn placeholder_imprint_warning(config: &crate::load::config::Config) -> String {
    let line = config
        .line_of("extra.publisher.placeholder")
        .map(|l| format!(":{l}"))
        .unwrap_or_default();
    format!(
        "site.toml{line}: the imprint is a placeholder ([extra.publisher] placeholder = true); \
         fill in the publisher's details and set placeholder = false before publishing"
    )
}

/// Weight and CO2e of every rendered HTML page, heaviest first.
fn weigh(
    site: &Site,
    outputs: &outputs::Outputs,
    pages: &HashMap<String, html::PageFacts>,
) -> Vec<WeightRow> {
    use rayon::prelude::*;
    let budget = site.config.budget.page_kb * 1000;
    let sizes = weight::SizeCache::default();
    let mut rows: Vec<WeightRow> = pages
        .par_iter()
        .filter(|(_, facts)| facts.rendered)
        .filter_map(|(path, facts)| {
            let html = outputs.bytes(path)?;
            let w = weight::page_weight(path, &html, |rel| {
                sizes.get_or_insert(rel, || outputs.bytes(rel).map(|b| weight::gzip_size(&b)))
            });
            Some(WeightRow {
                page: path.clone(),
                language: facts.language.clone(),
                bytes: w.total,
                grams_co2e: co2::grams_per_view(w.total),
                over_budget: w.total > budget,
            })
        })
        .collect();
    rows.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.page.cmp(&b.page)));
    rows
}

/// An error per page over the budget.
fn over_budget(site: &Site, weights: &[WeightRow]) -> Vec<Finding> {
    let budget_kb = site.config.budget.page_kb;
    weights
        .iter()
        .filter(|w| w.over_budget)
        .map(|w| {
            Finding::new(
                Kind::OverBudget,
                &w.page,
                format!(
                    "transfers {:.1} kB (gzip, with everything it loads), over the budget of {budget_kb} kB",
                    w.bytes as f64 / 1000.0
                ),
            )
            .in_language(&w.language)
            .with_help("make images smaller, load less, or raise [budget] page_kb in site.toml")
        })
        .collect()
}
