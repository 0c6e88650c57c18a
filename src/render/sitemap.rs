//! `sitemap.xml`: every page with its translations as `xhtml:link` alternates (plus `x-default`);
//! split into parts under a sitemap index when the site has more than 50,000 URLs.

use super::escape::xml;
use crate::model::Site;

/// URLs per sitemap file (the protocol's limit).
pub(crate) const URLS_PER_FILE: usize = 50_000;

/// What a sitemap URL belongs to.
#[derive(Clone, Copy)]
enum Source {
    /// A document, by id.
    Doc(crate::model::DocId),
    /// Any other page (taxonomy lists and terms): no date, no alternates.
    Other,
}

/// Every URL of the sitemap, sorted: borrowed root-relative URLs (every permalink is `base_url`
/// plus one of them, so they sort alike), to be written a slice at a time.
fn sorted_urls(site: &Site) -> Vec<(&str, Source)> {
    let mut urls = Vec::with_capacity(url_count(site));
    urls.extend(
        site.documents()
            .filter(|(_, d)| in_sitemap(d))
            .map(|(id, d)| (d.url.as_str(), Source::Doc(id))),
    );
    for tax in site.taxonomies.iter().filter(|t| t.has_list()) {
        urls.push((tax.url.as_str(), Source::Other));
        urls.extend(tax.terms.iter().map(|t| (t.url.as_str(), Source::Other)));
    }
    urls.sort_unstable_by(|a, b| a.0.cmp(b.0));
    urls
}

/// Writes one `<url>` element.
fn write_entry(out: &mut String, site: &Site, url: &str, source: Source) {
    out.push_str("  <url>\n    <loc>");
    out.push_str(&xml(&site.permalink(url)));
    out.push_str("</loc>\n");
    if let Source::Doc(id) = source {
        let d = &site.docs[id];
        let fm = &d.source.front_matter;
        if let Some(m) = fm.updated.or(fm.date) {
            out.push_str(&format!("    <lastmod>{}</lastmod>\n", m.iso()));
        }
        let existing = || {
            d.translations
                .iter()
                .enumerate()
                .filter_map(|(l, t)| t.map(|t| (site.languages[l].code.as_str(), t)))
        };
        if existing().count() > 1 {
            let default = d.translations[Site::DEFAULT_LANGUAGE].map(|t| ("x-default", t));
            for (lang, t) in existing().chain(default) {
                out.push_str(&format!(
                    "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>\n",
                    xml(lang),
                    xml(&site.permalink(&site.docs[t].url))
                ));
            }
        }
    }
    out.push_str("  </url>\n");
}

/// Documents with a page of their own (not `render = false`, not a `redirect_to`).
fn in_sitemap(d: &crate::model::Doc) -> bool {
    d.has_own_page() && d.redirect.is_none()
}

fn url_count(site: &Site) -> usize {
    site.docs.iter().filter(|d| in_sitemap(d)).count()
        + site
            .taxonomies
            .iter()
            .filter(|t| t.has_list())
            .map(|t| t.terms.len() + 1)
            .sum::<usize>()
}

/// Number of sitemap files: 1, or 1 index plus N parts.
pub(crate) fn part_count(site: &Site) -> usize {
    parts_of(site, URLS_PER_FILE)
}

/// Number of sitemap files when a file holds at most `per_file` URLs.
fn parts_of(site: &Site, per_file: usize) -> usize {
    let n = url_count(site);
    if n <= per_file {
        1
    } else {
        1 + n.div_ceil(per_file)
    }
}

/// Output path of part `k` (0 = `sitemap.xml`).
pub(crate) fn part_path(k: usize) -> String {
    if k == 0 {
        "sitemap.xml".to_string()
    } else {
        format!("sitemap-{k}.xml")
    }
}

/// Renders part `k`.
pub(crate) fn render(site: &Site, k: usize) -> String {
    render_part(site, k, URLS_PER_FILE)
}

/// Renders part `k` of a sitemap split every `per_file` URLs.
fn render_part(site: &Site, k: usize, per_file: usize) -> String {
    let parts = parts_of(site, per_file);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if k == 0 && parts > 1 {
        out.push_str("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        for p in 1..parts {
            out.push_str(&format!(
                "  <sitemap><loc>{}</loc></sitemap>\n",
                xml(&site.permalink(&site.file_url(&part_path(p))))
            ));
        }
        out.push_str("</sitemapindex>\n");
        return out;
    }
    let all = sorted_urls(site);
    let slice = if parts == 1 {
        &all[..]
    } else {
        let start = ((k - 1) * per_file).min(all.len());
        &all[start..(start + per_file).min(all.len())]
    };
    out.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
    for &(url, source) in slice {
        write_entry(&mut out, site, url, source);
    }
    out.push_str("</urlset>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelOptions;

    fn site() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "site.toml",
            "title = \"T\"\nbase_url = \"https://example.org\"\ndefault_language = \"de\"\n\
             [languages.de]\n[languages.en]\n",
        );
        write("templates/page.html", "{{ page.title }}");
        write("content/_index.md", "+++\ntitle = \"Start\"\n+++\n");
        write("content/_index.en.md", "+++\ntitle = \"Home\"\n+++\n");
        for (name, date) in [
            ("a", "2024-01-02"),
            ("b", "2024-03-04"),
            ("c", "2024-05-06"),
        ] {
            let page = format!(
                "+++\ntitle = \"{name}\"\ndate = {date}\ntags = [\"t{name}\"]\n+++\nText.\n"
            );
            write(&format!("content/{name}.md"), &page);
            write(&format!("content/{name}.en.md"), &page);
        }
        let project = crate::load::load(dir.path()).unwrap();
        Site::build(project, &ModelOptions::default()).unwrap()
    }

    fn url_elements(xml: &str) -> Vec<&str> {
        xml.split("<url>").skip(1).collect()
    }

    #[test]
    fn parts_hold_the_whole_sitemap_in_order() {
        let site = site();
        let whole = render_part(&site, 0, 1000);
        let all = url_elements(&whole);
        // 8 documents, 2 tag lists, 6 terms.
        assert_eq!(all.len(), 16, "{whole}");
        assert!(whole.contains("<lastmod>2024-03-04</lastmod>"), "{whole}");
        assert!(
            whole.contains("hreflang=\"x-default\" href=\"https://example.org/a/\""),
            "{whole}"
        );
        let parts = parts_of(&site, 5);
        assert_eq!(parts, 1 + 4);
        let index = render_part(&site, 0, 5);
        for p in 1..parts {
            assert!(
                index.contains(&format!("<loc>https://example.org/sitemap-{p}.xml</loc>")),
                "{index}"
            );
        }
        assert!(!index.contains("<url>"), "{index}");
        let split: Vec<String> = (1..parts).map(|p| render_part(&site, p, 5)).collect();
        assert!(
            split
                .iter()
                .take(parts - 2)
                .all(|x| url_elements(x).len() == 5)
        );
        let joined: Vec<&str> = split.iter().flat_map(|x| url_elements(x)).collect();
        let last_of = |e: &str| {
            e.trim_end()
                .trim_end_matches("</urlset>")
                .trim_end()
                .to_string()
        };
        assert_eq!(
            joined.iter().map(|e| last_of(e)).collect::<Vec<_>>(),
            all.iter().map(|e| last_of(e)).collect::<Vec<_>>()
        );
    }
}
