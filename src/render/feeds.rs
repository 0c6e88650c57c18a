//! Atom feeds: one per language for its dated pages, and one per taxonomy term. A feed is
//! gathered first ([`Feed`]: what its XML shows, hashed for its fingerprint), then written.

use super::deps::Reads;
use super::escape::xml;
use crate::model::{DocId, LangId, Site, TaxonomyId, TermId};
use std::hash::{Hash, Hasher};

/// The language's dated pages, newest first, limited by `feed_limit`.
fn dated_pages(site: &Site, lang: LangId) -> Vec<DocId> {
    let mut ids: Vec<DocId> = site
        .documents()
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

/// A feed, gathered: everything its XML shows, and nothing else (so its hash is the output's
/// fingerprint).
pub struct Feed<'a> {
    lang: &'a str,
    title: String,
    subtitle: &'a str,
    author: &'a str,
    self_link: String,
    home_link: String,
    updated: String,
    entries: Vec<Entry<'a>>,
}

/// One feed entry.
struct Entry<'a> {
    title: &'a str,
    link: String,
    published: String,
    updated: String,
    summary: Option<&'a str>,
    html: &'a str,
    html_hash: u64,
}

impl Hash for Feed<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let Feed {
            lang,
            title,
            subtitle,
            author,
            self_link,
            home_link,
            updated,
            entries,
        } = self;
        (lang, title, subtitle, author, self_link, home_link, updated).hash(h);
        entries.len().hash(h);
        for e in entries {
            let Entry {
                title,
                link,
                published,
                updated,
                summary,
                html: _,
                html_hash,
            } = e;
            // The HTML by its hash: the same text hashes equal.
            (title, link, published, updated, summary, html_hash).hash(h);
        }
    }
}

/// The language's Atom feed.
pub fn language_feed<'a>(site: &'a Site, reads: &Reads<'a>, lang: LangId) -> Feed<'a> {
    let l = &site.languages[lang];
    let home = format!("{}/", l.prefix);
    let self_url = format!("{}/atom.xml", l.prefix);
    gather(
        site,
        reads,
        lang,
        l.title.clone(),
        &home,
        &self_url,
        &dated_pages(site, lang),
    )
}

/// A taxonomy term's Atom feed.
pub fn term_feed<'a>(
    site: &'a Site,
    reads: &Reads<'a>,
    taxonomy: TaxonomyId,
    term: TermId,
) -> Feed<'a> {
    let tax = &site.taxonomies[taxonomy];
    let t = &tax.terms[term];
    let mut ids = t.pages.clone();
    sort_and_limit(site, &mut ids);
    let title = format!("{} – {}", site.languages[tax.lang].title, t.name);
    gather(
        site,
        reads,
        tax.lang,
        title,
        &t.url,
        &format!("{}atom.xml", t.url),
        &ids,
    )
}

fn gather<'a>(
    site: &'a Site,
    reads: &Reads<'a>,
    lang: LangId,
    title: String,
    home: &str,
    self_url: &str,
    ids: &[DocId],
) -> Feed<'a> {
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
    let entries = ids
        .iter()
        .filter_map(|&i| {
            let d = &site.docs[i];
            let fm = &d.source.front_matter;
            let date = fm.date?;
            let content = reads.body(i);
            Some(Entry {
                title: &content.title,
                link: site.permalink(&d.url),
                published: date.rfc3339(),
                updated: fm.updated.unwrap_or(date).rfc3339(),
                summary: content.description.as_deref(),
                html: content.html.as_str().unwrap_or_default(),
                html_hash: content.html_hash,
            })
        })
        .collect();
    Feed {
        lang: &l.code,
        title,
        subtitle: &l.description,
        author: &l.title,
        self_link: site.permalink(self_url),
        home_link: site.permalink(home),
        updated,
        entries,
    }
}

impl Feed<'_> {
    /// The feed's XML.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(1024 + self.entries.len() * 2048);
        out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        out.push_str(&format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
            xml(self.lang)
        ));
        out.push_str(&format!("  <title>{}</title>\n", xml(&self.title)));
        if !self.subtitle.is_empty() {
            out.push_str(&format!("  <subtitle>{}</subtitle>\n", xml(self.subtitle)));
        }
        out.push_str(&format!(
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
            xml(&self.self_link)
        ));
        out.push_str(&format!(
            "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            xml(&self.home_link)
        ));
        out.push_str(&format!("  <id>{}</id>\n", xml(&self.self_link)));
        out.push_str(&format!("  <updated>{}</updated>\n", self.updated));
        out.push_str("  <generator>ludd</generator>\n");
        for e in &self.entries {
            out.push_str("  <entry>\n");
            out.push_str(&format!("    <title>{}</title>\n", xml(e.title)));
            out.push_str(&format!(
                "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
                xml(&e.link)
            ));
            out.push_str(&format!("    <id>{}</id>\n", xml(&e.link)));
            out.push_str(&format!("    <published>{}</published>\n", e.published));
            out.push_str(&format!("    <updated>{}</updated>\n", e.updated));
            out.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                xml(self.author)
            ));
            if let Some(desc) = e.summary {
                out.push_str(&format!("    <summary>{}</summary>\n", xml(desc)));
            }
            out.push_str(&format!(
                "    <content type=\"html\" xml:base=\"{}\">{}</content>\n",
                xml(&e.link),
                xml(e.html)
            ));
            out.push_str("  </entry>\n");
        }
        out.push_str("</feed>\n");
        out
    }
}
