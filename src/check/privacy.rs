//! Privacy: nothing a page loads may come from another host — every `src`, `srcset`, loading
//! `<link>`, `<object data>`, `<video poster>`, inline and embedded CSS `url()`/`@import`, and
//! `url()`/`@import` in the site's stylesheets — unless `[check] allowed_hosts` names the host.
//! Plain links (`<a href>`) to other hosts load nothing and are not reported. Output images
//! must not give away where a photo was taken or with which camera: GPS positions, serial
//! numbers, owners' names and XMP/IPTC blocks are reported.

use super::html::PageFacts;
use super::links::{SiteUrls, Target};
use super::outputs::Outputs;
use super::{Finding, Kind};
use rayon::prelude::*;
use std::collections::HashMap;

/// A finding per resource loaded from a host that is not allowed.
pub(crate) fn check(
    pages: &HashMap<String, PageFacts>,
    outputs: &Outputs,
    urls: &SiteUrls,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = pages
        .par_iter()
        .flat_map_iter(|(page, facts)| {
            facts
                .loads
                .iter()
                .filter_map(|load| off_site(page, &load.url, &load.via, urls))
                .collect::<Vec<_>>()
        })
        .collect();
    findings
        .extend(outputs.stylesheet_findings(|path, url| off_site(path, url, "CSS url()", urls)));
    findings
}

fn off_site(page: &str, url: &str, via: &str, urls: &SiteUrls) -> Option<Finding> {
    let Target::External { host } = urls.resolve(page, url) else {
        return None;
    };
    if urls.is_allowed(&host) {
        return None;
    }
    Some(
        Finding::new(
            Kind::OffSite,
            page,
            format!("loads `{url}` from {host} ({via}); visitors' browsers contact that host"),
        )
        .with_target(url)
        .with_help(format!(
            "serve the file from this site (static/), or allow the host with [check] allowed_hosts = [\"{host}\"] in site.toml"
        )),
    )
}

/// A finding per output image (JPEG, PNG, WebP) that still carries identifying metadata, such
/// as a photo copied through `static/` as it came from the phone.
pub(crate) fn image_metadata(outputs: &Outputs) -> Vec<Finding> {
    use crate::render::images::strip::{identifying_metadata, is_strippable};
    outputs
        .0
        .par_iter()
        .filter(|(path, file)| {
            // A fingerprinted copy has the bytes of its plain file, reported once as that file.
            !matches!(file, super::outputs::OutputFile::FingerprintedCopy(_))
                && is_strippable(std::path::Path::new(path.as_str()))
        })
        .filter_map(|(path, _)| {
            let bytes = outputs.bytes(path)?;
            let found = identifying_metadata(&bytes);
            (!found.is_empty()).then(|| {
                Finding::new(
                    Kind::ImageMetadata,
                    path.clone(),
                    format!("image carries {}", found.join(", ")),
                )
                .with_help(
                    "move it into the page's bundle or reference it from Markdown so ludd strips \
                     it, or remove the metadata (exiftool -all= FILE); \
                     [images] keep_metadata = true allows it",
                )
            })
        })
        .collect()
}
