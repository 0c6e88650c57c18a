//! Atom feeds: one per language for its dated pages, and one per taxonomy term.

use super::DocContent;
use super::escape::xml;
use crate::model::{DocId, Site};

/// The language's dated pages, newest first, limited by `feed_limit`.
fn dated_pages(site: &Site, lang: usize) -> Vec<DocId> {
    let mut ids: Vec<DocId> = site
        .docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.lang == lang && !d.is_section() && d.source.front_matter.date.is_some())
        .map(|(i, _)| i)
        .collect();
    sort_and_limit(site, &mut ids);
    ids
}

fn sort_and_limit(site: &Site, ids: &mut Vec<DocId>) {
    ids.retain(|&i| site.docs[i].source.front_matter.date.is_some());
    ids.sort_by(|&a, &b| {
        let (fa, fb) = (
            &site.docs[a].source.front_matter,
            &site.docs[b].source.front_matter,
        );
        fb.date
            .cmp(&fa.date)
            .then_with(|| site.docs[a].url.cmp(&site.docs[b].url))
    });
    if let Some(limit) = site.config.feed_limit {
        ids.truncate(limit);
    }
}

/// The language's Atom feed.
pub fn language_feed(site: &Site, contents: &[std::sync::Arc<DocContent>], lang: usize) -> String {
    let l = &site.languages[lang];
    let home = format!("{}/", l.prefix);
    let self_url = format!("{}/atom.xml", l.prefix);
    atom(
        site,
        contents,
        lang,
        &l.title,
        &home,
        &self_url,
        &dated_pages(site, lang),
    )
}

/// A taxonomy term's Atom feed.
pub fn term_feed(
    site: &Site,
    contents: &[std::sync::Arc<DocContent>],
    taxonomy: usize,
    term: usize,
) -> String {
    let tax = &site.taxonomies[taxonomy];
    let t = &tax.terms[term];
    let mut ids = t.pages.clone();
    sort_and_limit(site, &mut ids);
    let title = format!("{} – {}", site.languages[tax.lang].title, t.name);
    atom(
        site,
        contents,
        tax.lang,
        &title,
        &t.url,
        &format!("{}atom.xml", t.url),
        &ids,
    )
}

fn atom(
    site: &Site,
    contents: &[std::sync::Arc<DocContent>],
    lang: usize,
    title: &str,
    home: &str,
    self_url: &str,
    ids: &[DocId],
) -> String {
    let l = &site.languages[lang];
    let updated = ids
        .iter()
        .filter_map(|&i| {
            let fm = &site.docs[i].source.front_matter;
            fm.updated.or(fm.date)
        })
        .max()
        .map(|d| d.rfc3339())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
    let mut out = String::with_capacity(1024 + ids.len() * 2048);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        xml(&l.code)
    ));
    out.push_str(&format!("  <title>{}</title>\n", xml(title)));
    if !l.description.is_empty() {
        out.push_str(&format!("  <subtitle>{}</subtitle>\n", xml(&l.description)));
    }
    out.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        xml(&site.permalink(self_url))
    ));
    out.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml(&site.permalink(home))
    ));
    out.push_str(&format!("  <id>{}</id>\n", xml(&site.permalink(self_url))));
    out.push_str(&format!("  <updated>{updated}</updated>\n"));
    out.push_str("  <generator>ludd</generator>\n");
    for &i in ids {
        let d = &site.docs[i];
        let fm = &d.source.front_matter;
        let Some(date) = fm.date else { continue };
        let link = site.permalink(&d.url);
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <title>{}</title>\n", xml(&contents[i].title)));
        out.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml(&link)
        ));
        out.push_str(&format!("    <id>{}</id>\n", xml(&link)));
        out.push_str(&format!("    <published>{}</published>\n", date.rfc3339()));
        out.push_str(&format!(
            "    <updated>{}</updated>\n",
            fm.updated.unwrap_or(date).rfc3339()
        ));
        out.push_str(&format!(
            "    <author><name>{}</name></author>\n",
            xml(&l.title)
        ));
        if let Some(desc) = &contents[i].description {
            out.push_str(&format!("    <summary>{}</summary>\n", xml(desc)));
        }
        out.push_str(&format!(
            "    <content type=\"html\" xml:base=\"{}\">{}</content>\n",
            xml(&link),
            xml(contents[i].html.as_str().unwrap_or_default())
        ));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}
