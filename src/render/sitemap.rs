//! `sitemap.xml`: every page with its translations as `xhtml:link` alternates (plus `x-default`);
//! split into parts under a sitemap index when the site has more than 50,000 URLs.

use super::escape::xml;
use crate::model::Site;

/// URLs per sitemap file (the protocol's limit).
pub const URLS_PER_FILE: usize = 50_000;

struct Entry {
    url: String,
    lastmod: Option<String>,
    alternates: Vec<(String, String)>,
}

fn entries(site: &Site) -> Vec<Entry> {
    let mut out = Vec::with_capacity(site.docs.len() + 64);
    for d in &site.docs {
        let fm = &d.source.front_matter;
        let existing: Vec<(String, String)> = d
            .translations
            .iter()
            .enumerate()
            .filter_map(|(l, t)| {
                t.map(|t| {
                    (
                        site.languages[l].code.clone(),
                        site.permalink(&site.docs[t].url),
                    )
                })
            })
            .collect();
        let mut alternates = Vec::new();
        if existing.len() > 1 {
            alternates = existing.clone();
            if let Some(default) = d.translations[Site::DEFAULT_LANGUAGE] {
                alternates.push((
                    "x-default".to_string(),
                    site.permalink(&site.docs[default].url),
                ));
            }
        }
        out.push(Entry {
            url: site.permalink(&d.url),
            lastmod: fm.updated.or(fm.date).map(|x| x.iso()),
            alternates,
        });
    }
    for tax in &site.taxonomies {
        if tax.terms.is_empty() {
            continue;
        }
        out.push(Entry {
            url: site.permalink(&tax.url),
            lastmod: None,
            alternates: Vec::new(),
        });
        for t in &tax.terms {
            out.push(Entry {
                url: site.permalink(&t.url),
                lastmod: None,
                alternates: Vec::new(),
            });
        }
    }
    out.sort_by(|a, b| a.url.cmp(&b.url));
    out
}

fn url_count(site: &Site) -> usize {
    site.docs.len()
        + site
            .taxonomies
            .iter()
            .filter(|t| !t.terms.is_empty())
            .map(|t| t.terms.len() + 1)
            .sum::<usize>()
}

/// Number of sitemap files: 1, or 1 index plus N parts.
pub fn part_count(site: &Site) -> usize {
    let n = url_count(site);
    if n <= URLS_PER_FILE {
        1
    } else {
        1 + n.div_ceil(URLS_PER_FILE)
    }
}

/// Output path of part `k` (0 = `sitemap.xml`).
pub fn part_path(k: usize) -> String {
    if k == 0 {
        "sitemap.xml".to_string()
    } else {
        format!("sitemap-{k}.xml")
    }
}

/// Renders part `k`.
pub fn render(site: &Site, k: usize) -> String {
    let parts = part_count(site);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if k == 0 && parts > 1 {
        out.push_str("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        for p in 1..parts {
            out.push_str(&format!(
                "  <sitemap><loc>{}</loc></sitemap>\n",
                xml(&site.permalink(&format!("/{}", part_path(p))))
            ));
        }
        out.push_str("</sitemapindex>\n");
        return out;
    }
    let all = entries(site);
    let slice: &[Entry] = if parts == 1 {
        &all
    } else {
        let start = ((k - 1) * URLS_PER_FILE).min(all.len());
        &all[start..(start + URLS_PER_FILE).min(all.len())]
    };
    out.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
    for e in slice {
        out.push_str("  <url>\n");
        out.push_str(&format!("    <loc>{}</loc>\n", xml(&e.url)));
        if let Some(m) = &e.lastmod {
            out.push_str(&format!("    <lastmod>{m}</lastmod>\n"));
        }
        for (lang, href) in &e.alternates {
            out.push_str(&format!(
                "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>\n",
                xml(lang),
                xml(href)
            ));
        }
        out.push_str("  </url>\n");
    }
    out.push_str("</urlset>\n");
    out
}
