//! Accessibility basics in every rendered page: `<img>` without `alt` (an empty `alt` marks a
//! decorative image and is fine), `<html>` without `lang`, duplicate ids, and headings that skip
//! a level (a warning).

use super::html::PageFacts;
use super::{Finding, Kind};
use std::collections::HashMap;

/// Accessibility findings of every page ludd rendered.
pub(crate) fn check(pages: &HashMap<String, PageFacts>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (page, facts) in pages.iter().filter(|(_, f)| f.rendered) {
        findings.extend(page_findings(page, facts));
    }
    findings
}

fn page_findings(page: &str, facts: &PageFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    if !facts.has_lang {
        out.push(
            Finding::new(
                Kind::MissingLang,
                page,
                "the <html> element has no lang attribute",
            )
            .with_help("write <html lang=\"{{ lang }}\" dir=\"{{ dir }}\"> in the base template"),
        );
    }
    for src in &facts.images_without_alt {
        out.push(
            Finding::new(
                Kind::MissingAlt,
                page,
                format!("image `{src}` has no alt attribute"),
            )
            .with_target(src)
            .with_help("describe the image in alt=\"…\", or write alt=\"\" if it is decorative"),
        );
    }
    for id in &facts.duplicate_ids {
        out.push(
            Finding::new(
                Kind::DuplicateId,
                page,
                format!("id `{id}` is used more than once"),
            )
            .with_target(id)
            .with_help("give each element its own id ({#id} on a heading sets it)"),
        );
    }
    for (from, to) in &facts.heading_skips {
        out.push(
            Finding::new(
                Kind::HeadingSkip,
                page,
                format!("heading level jumps from h{from} to h{to}"),
            )
            .with_target(format!("h{to}"))
            .with_help(format!(
                "use h{} here, or fill in the level between",
                from + 1
            )),
        );
    }
    out
}
