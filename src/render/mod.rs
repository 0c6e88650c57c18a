//! Render stage: Markdown for every document (in parallel), link and anchor checks, then the
//! plan of outputs (pages, listings, taxonomies, feeds, sitemap, redirects, static files) and
//! the rendering of each one, recording what it read. Produces bytes; writing them is the write
//! stage's job.

pub(crate) mod calendar;
pub mod context;
pub mod deps;
pub(crate) mod escape;
pub mod feeds;
pub(crate) mod host;
pub mod hosting;
pub mod images;
pub(crate) mod locale;
pub mod markdown;
pub mod output;
pub mod plan;
pub(crate) mod sitemap;
pub mod templates;
pub mod warnings;

use crate::error::{Diagnostic, Error, Result};
use crate::hash::hash_text;
use crate::model::{DocId, Site};
use deps::Part;
use host::DocHost;
use markdown::{InternalLink, MarkdownOptions, TocEntry};
pub use output::Mode;
use rayon::prelude::*;
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use templates::Templates;
use warnings::Warnings;

/// A document's rendered Markdown.
#[derive(Debug, Clone)]
pub struct DocContent {
    /// Title: front matter (with typographic quotes), else first heading, else file name.
    pub title: String,
    /// Front matter description, with typographic quotes.
    pub description: Option<String>,
    /// Body HTML, as a safe template string (shared, never copied per page).
    pub html: tera::Value,
    /// HTML before `<!-- more -->`.
    pub summary: Option<String>,
    /// Table of contents.
    pub toc: Vec<TocEntry>,
    /// Every id in the body.
    pub ids: HashSet<String>,
    /// Internal links, for the anchor check.
    pub links: Vec<InternalLink>,
    /// Words in the body.
    pub word_count: usize,
    /// Hash of `html`, for fingerprints.
    pub html_hash: u64,
    /// Hash of the Markdown it was rendered from ([`crate::load::content::SourceDoc::body_hash`]).
    pub body_hash: u64,
    /// The image files its `<picture>`s were made from, with their size and modification time
    /// when rendered: a changed image renders the document again.
    pub images: Vec<(PathBuf, Option<(u64, u128)>)>,
}

impl DocContent {
    /// Empty content for document `id`, whose Markdown could not be rendered: its front
    /// matter title (else its file name), no text.
    pub fn placeholder(site: &Site, id: DocId) -> DocContent {
        let doc = &site.docs[id];
        DocContent {
            title: doc
                .front_title()
                .map_or_else(|| doc.source.stem.clone(), str::to_string),
            description: doc.source.front_matter.description.clone(),
            html: tera::Value::safe_string(""),
            summary: None,
            toc: Vec::new(),
            ids: HashSet::new(),
            links: Vec::new(),
            word_count: 0,
            html_hash: hash_text(""),
            body_hash: doc.source.body_hash,
            images: Vec::new(),
        }
    }

    /// The first [`Part`] in which `self` differs from `old` (the rendering of the same
    /// document after an edit), or `None` when a template sees no difference.
    pub fn changed_part(&self, old: &DocContent) -> Option<Part> {
        let DocContent {
            title,
            description,
            html: _,
            summary,
            toc,
            ids: _,
            links: _,
            word_count,
            html_hash,
            body_hash: _,
            images: _,
        } = self;
        if *title != old.title {
            Some(Part::Title)
        } else if (description, summary, word_count)
            != (&old.description, &old.summary, &old.word_count)
        {
            Some(Part::Listing)
        } else if *html_hash != old.html_hash || *toc != old.toc {
            Some(Part::Body)
        } else {
            None
        }
    }
}

/// Everything Markdown rendering depends on beyond a document's own text and links: the
/// Markdown settings, the shortcode templates and what their functions read (the languages,
/// `base_url`, UI strings, static files). When it changes, all Markdown is rendered again.
pub fn markdown_environment(site: &Site, templates: &Templates) -> u64 {
    let mut h = DefaultHasher::new();
    let m = &site.config.markdown;
    (m.smart_punctuation, m.safe).hash(&mut h);
    // Shortcodes see their language's title, direction and `extra`.
    format!("{:?}", site.languages).hash(&mut h);
    templates.environment_without_urls().hash(&mut h);
    templates.shortcode_fingerprints().hash(&mut h);
    h.finish()
}

/// The previous build's Markdown, for reuse.
pub struct PreviousMarkdown<'a> {
    /// Its model.
    pub site: &'a Site,
    /// Its rendered Markdown.
    pub contents: &'a [Arc<DocContent>],
    /// Its [`markdown_environment`].
    pub environment: u64,
}

/// Renders every document's Markdown, reusing the previous build's result for documents whose
/// text, place and link targets are unchanged (when the environment is unchanged too).
pub fn render_markdown(
    site: &Site,
    bodies: Vec<Arc<str>>,
    templates: &Templates,
    warnings: &Warnings,
    environment: u64,
    previous: Option<&PreviousMarkdown>,
) -> Result<Vec<Arc<DocContent>>> {
    let (contents, problems) =
        render_markdown_partial(site, bodies, templates, warnings, environment, previous)?;
    if problems.is_empty() {
        Ok(contents)
    } else {
        Err(Error::Invalid(problems))
    }
}

/// [`render_markdown`], but a document whose Markdown fails (a broken link, a shortcode
/// error) gets empty content ([`DocContent::placeholder`]) and its problems are returned,
/// so that the outputs that show it can still be rendered to find their own problems. Such
/// contents are never published: the build fails with the problems.
pub fn render_markdown_partial(
    site: &Site,
    bodies: Vec<Arc<str>>,
    templates: &Templates,
    warnings: &Warnings,
    environment: u64,
    previous: Option<&PreviousMarkdown>,
) -> Result<(Vec<Arc<DocContent>>, Vec<Diagnostic>)> {
    let previous = previous.filter(|p| p.environment == environment);
    // Each source is dropped as soon as its HTML exists, so the memory it held serves the HTML
    // of the next documents: the peak holds about one of the two, not both.
    let results: Vec<Result<Arc<DocContent>>> = bodies
        .into_par_iter()
        .enumerate()
        .map(|(i, body)| (DocId(i), body))
        .map(
            |(id, body)| match previous.and_then(|p| reusable(site, templates, warnings, id, p)) {
                Some(content) => Ok(content),
                None => {
                    let body_hash = site.docs[id].source.body_hash;
                    render_doc_markdown(site, &body, body_hash, templates, warnings, id)
                        .map(Arc::new)
                }
            },
        )
        .collect();
    let mut contents = Vec::with_capacity(results.len());
    let mut problems = Vec::new();
    for (id, result) in DocId::all(site.docs.len()).zip(results) {
        match result {
            Ok(c) => contents.push(c),
            Err(Error::Invalid(mut list)) => {
                problems.append(&mut list);
                contents.push(Arc::new(DocContent::placeholder(site, id)));
            }
            Err(e) => return Err(e),
        }
    }
    Ok((contents, problems))
}

/// The previous rendering of document `id`, if nothing it depends on changed.
fn reusable(
    site: &Site,
    templates: &Templates,
    warnings: &Warnings,
    id: DocId,
    previous: &PreviousMarkdown,
) -> Option<Arc<DocContent>> {
    let doc = &site.docs[id];
    let old_id = *previous.site.by_path.get(&doc.source.rel_path)?;
    let old = &previous.site.docs[old_id];
    let content = previous.contents.get(old_id.index())?;
    // The previous model may predate body-only edits; the rendered content knows its source.
    let same = content.body_hash == doc.source.body_hash
        && old.source.body_line == doc.source.body_line
        && old.url == doc.url
        && old.source.front_matter.title == doc.source.front_matter.title
        // Shortcodes see the page's assets and extra data.
        && old.assets == doc.assets
        && old.source.front_matter.extra == doc.source.front_matter.extra
        && previous.site.languages[old.lang].code == site.languages[doc.lang].code;
    let images_same = content
        .images
        .iter()
        .all(|(path, stamp)| images::cache::stamp(path) == *stamp);
    if !same || !images_same {
        return None;
    }
    let host = DocHost {
        site,
        id,
        templates,
        warnings,
    };
    use markdown::MarkdownHost;
    let links_same = content.links.iter().all(|l| {
        l.target.is_empty() || host.resolve_link(&l.target).as_deref() == Ok(l.url.as_str())
    });
    links_same.then(|| Arc::clone(content))
}

/// Renders one document's Markdown from `body` (whose hash is `body_hash`).
pub fn render_doc_markdown(
    site: &Site,
    body: &str,
    body_hash: u64,
    templates: &Templates,
    warnings: &Warnings,
    id: DocId,
) -> Result<DocContent> {
    let doc = &site.docs[id];
    let host = DocHost {
        site,
        id,
        templates,
        warnings,
    };
    let options = MarkdownOptions {
        lang: &site.languages[doc.lang].code,
        smart_punctuation: site.config.markdown.smart_punctuation,
        safe: site.config.markdown.safe,
    };
    let rendered = markdown::render(body, doc.source.body_line, &options, &host).map_err(|e| {
        Error::invalid(
            Diagnostic::new(source_path(site, id), e.problem.to_string())
                .at_line(e.line)
                .with_help(e.problem.help()),
        )
    })?;
    let plain = |text: &str| {
        if site.config.markdown.smart_punctuation {
            markdown::smarten_plain(text, options.lang)
        } else {
            text.to_string()
        }
    };
    let (html, images) = if site.config.images.responsive {
        let resolve = |src: &str| images::functions::resolve_markdown(site, id, src);
        let (html, used) = images::picture::rewrite(
            &rendered.html,
            &rendered.images,
            &templates.images,
            &resolve,
        )
        .map_err(|e| image_error(site, id, &templates.images, &e))?;
        let stamps = used
            .into_iter()
            .map(|p| {
                let stamp = images::cache::stamp(&p);
                (p, stamp)
            })
            .collect();
        (html, stamps)
    } else {
        (rendered.html, Vec::new())
    };
    let summary = match rendered.summary_html {
        Some(s) if site.config.images.responsive => {
            let resolve = |src: &str| images::functions::resolve_markdown(site, id, src);
            Some(
                images::picture::rewrite(&s, &rendered.images, &templates.images, &resolve)
                    .map_err(|e| image_error(site, id, &templates.images, &e))?
                    .0,
            )
        }
        other => other,
    };
    let title = doc
        .front_title()
        .map(plain)
        .or(rendered.first_heading.clone())
        .unwrap_or_else(|| doc.source.stem.clone());
    let description = doc.source.front_matter.description.as_deref().map(plain);
    Ok(DocContent {
        title,
        description,
        summary,
        toc: rendered.toc,
        ids: rendered.ids.into_iter().collect(),
        links: rendered.internal_links,
        word_count: rendered.word_count,
        html_hash: hash_text(&html),
        body_hash,
        html: tera::Value::safe_string(&html),
        images,
    })
}

/// An image error in a document, as a diagnostic naming the document and the image.
fn image_error(
    site: &Site,
    id: DocId,
    images: &images::Images,
    e: &images::error::ImageError,
) -> Error {
    // Name the image by its place in the site, not by its absolute path.
    let root = format!("{}/", images.root().display());
    let message = e.to_string().replace(&root, "");
    Error::invalid(Diagnostic::new(source_path(site, id), message).with_help(e.help()))
}

/// `content/<rel_path>` of a document.
pub fn source_path(site: &Site, id: DocId) -> PathBuf {
    PathBuf::from(crate::layout::content_path(&site.docs[id].source.rel_path))
}

/// Every `#fragment` of an internal link must exist on its target page.
pub fn check_anchors(site: &Site, contents: &[Arc<DocContent>]) -> Result<()> {
    let mut problems = Vec::new();
    for (id, c) in contents.iter().enumerate() {
        let id = DocId(id);
        for link in &c.links {
            let Some(fragment) = &link.fragment else {
                continue;
            };
            let target = if link.url.is_empty() {
                Some(id)
            } else {
                site.by_url.get(&link.url).copied()
            };
            let Some(target) = target else { continue };
            if !contents[target].ids.contains(fragment.as_str()) {
                let shown = if link.target.is_empty() {
                    format!("#{fragment}")
                } else {
                    format!("{}#{fragment}", link.target)
                };
                problems.push(
                    Diagnostic::new(source_path(site, id), format!("link `{shown}` points to a missing anchor"))
                        .at_line(link.line)
                        .with_help(format!(
                            "{} has no element with id=\"{fragment}\"; link to an existing heading id or add {{#{fragment}}} to a heading",
                            source_path(site, target).display()
                        )),
                );
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}
