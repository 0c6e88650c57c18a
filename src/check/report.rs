//! `ludd check` output: readable text grouped by language, or stable JSON for CI (documented in
//! README.md, "ludd check").

use super::{CheckReport, Finding, Severity};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// Rows of the weight table shown without `--verbose`.
const WEIGHTS_SHOWN: usize = 12;

/// The report as JSON.
pub fn json(report: &CheckReport) -> Value {
    let rows: Vec<Value> = report
        .translations
        .rows
        .iter()
        .map(|r| {
            let status: serde_json::Map<String, Value> = report
                .translations
                .languages
                .iter()
                .zip(&r.status)
                .map(|(l, s)| (l.clone(), json!(s)))
                .collect();
            json!({ "page": r.page, "status": status })
        })
        .collect();
    json!({
        "errors": report.count(Severity::Error),
        "warnings": report.count(Severity::Warning),
        "languages": report.languages,
        "findings": report.findings,
        "budget_kb": report.budget_kb,
        "weights": report.weights,
        "translations": {
            "languages": report.translations.languages,
            "rows": rows,
        },
        "upcoming": report
            .upcoming
            .iter()
            .map(|(page, date)| json!({ "page": page, "publish_date": date }))
            .collect::<Vec<_>>(),
    })
}

/// The report as text: findings per language, page weights, translation table, totals.
pub fn text(report: &CheckReport, verbose: bool) -> String {
    let mut out = String::new();
    let mut groups: Vec<(Option<&String>, Vec<&Finding>)> = Vec::new();
    for f in &report.findings {
        match groups.last_mut() {
            Some((lang, list)) if *lang == f.language.as_ref() => list.push(f),
            _ => groups.push((f.language.as_ref(), vec![f])),
        }
    }
    for (lang, findings) in &groups {
        let _ = writeln!(
            out,
            "{} ({})",
            lang.map_or("whole site", |l| l.as_str()),
            counts(findings.iter().copied())
        );
        for f in findings {
            let _ = writeln!(out, "  {}", line(f));
            if let Some(help) = &f.help {
                let _ = writeln!(out, "      help: {help}");
            }
        }
        out.push('\n');
    }
    weights(&mut out, report, verbose);
    translations(&mut out, report);
    if !report.upcoming.is_empty() {
        let _ = writeln!(out, "upcoming publications (publish_date still to come):");
        for (page, date) in &report.upcoming {
            let _ = writeln!(out, "  {date}  {page}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", totals(&report.findings));
    out
}

/// Only the errors, one line each (for `--quiet`).
pub fn errors_only(report: &CheckReport) -> String {
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}\n", line(f)))
        .collect()
}

/// `error[broken-link] andere/index.html: links to …`.
fn line(f: &Finding) -> String {
    let severity = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("{severity}[{}] {}: {}", f.check.name(), f.page, f.message)
}

/// `2 errors, 1 warning`.
pub fn totals(findings: &[Finding]) -> String {
    counts(findings.iter())
}

fn counts<'a>(findings: impl Iterator<Item = &'a Finding>) -> String {
    let (mut errors, mut warnings) = (0, 0);
    for f in findings {
        match f.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
        }
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

fn weights(out: &mut String, report: &CheckReport, verbose: bool) {
    if report.weights.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "page weights (gzip, with everything each page loads; budget {} kB; CO2e per view, Sustainable Web Design v4):",
        report.budget_kb
    );
    let shown: Vec<_> = report
        .weights
        .iter()
        .enumerate()
        .filter(|(i, w)| verbose || *i < WEIGHTS_SHOWN || w.over_budget)
        .map(|(_, w)| w)
        .collect();
    for w in &shown {
        let _ = writeln!(
            out,
            "  {:>7.1} kB  {:>7.4} g  {}{}",
            w.bytes as f64 / 1000.0,
            w.grams_co2e,
            w.page,
            if w.over_budget { "  OVER BUDGET" } else { "" }
        );
    }
    if shown.len() < report.weights.len() {
        let _ = writeln!(
            out,
            "  … {} lighter pages (--verbose lists all)",
            report.weights.len() - shown.len()
        );
    }
    out.push('\n');
}

fn translations(out: &mut String, report: &CheckReport) {
    let table = &report.translations;
    if table.languages.len() < 2 || table.rows.is_empty() {
        return;
    }
    let width = table
        .rows
        .iter()
        .map(|r| r.page.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let _ = writeln!(out, "translations (ok, STALE, fallback, missing):");
    let _ = write!(out, "  {:width$}", "page");
    for l in &table.languages {
        let _ = write!(out, "  {l:<8}");
    }
    let trimmed = out.trim_end_matches(' ').len();
    out.truncate(trimmed);
    out.push('\n');
    for row in &table.rows {
        let _ = write!(out, "  {:width$}", row.page);
        for s in &row.status {
            let _ = write!(out, "  {:<8}", s.label());
        }
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        out.push('\n');
    }
    out.push('\n');
}
