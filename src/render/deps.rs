//! Recorded dependencies: what an output read of the rendered Markdown, noted by the code that
//! renders it, at the moment it reads.
//!
//! An output's bytes follow from two things:
//! - its *prepared inputs* ([`super::output::Prepared`]): the template name and the complete
//!   template context, or the feed's entries, or the finished bytes of a small generated file.
//!   The fingerprint of an output is the hash of those (see [`super::output::Prepared::fingerprint`]),
//!   together with the template's text (with everything it extends, includes or imports) and
//!   the template environment (what the template functions `t`, `url`, `asset` and `date`
//!   read: see [`super::templates::Templates::environment`]). Whatever a renderer puts into a
//!   context is therefore part of the fingerprint; nothing has to be listed twice.
//! - which documents' rendered Markdown it read, recorded here as [`Dep`]s. A text edit keeps
//!   the model and changes only [`super::DocContent`] values; [`Dependents`] (document → outputs
//!   that read it) then names the only outputs that can change, without preparing the others.
//!   [`Reads`] is the only way a renderer reaches rendered Markdown, and each of its accessors
//!   records the part it hands out, so a read cannot go unrecorded.
//!
//! Adding an input kind:
//! - an input that reaches outputs through the model or a template context (a data file in
//!   `data/`, a processed image's URL and size, a menu from `site.toml`) needs nothing here:
//!   put it into the context and it is fingerprinted; it changes through a model rebuild,
//!   which prepares every output and compares fingerprints;
//! - an input read by a template *function* (an image-processing function, `load_data`) must be
//!   hashed in [`super::templates::Templates::environment`] (or into the context by the
//!   function's caller);
//! - an input that gets its own fast path like text edits (changing without a model rebuild)
//!   gets a [`Dep`] variant, an accessor on [`Reads`] that records it, and a reader list in
//!   [`Dependents`].

use super::DocContent;
use crate::model::DocId;
use std::cell::RefCell;
use std::sync::Arc;

/// The part of a document's rendered Markdown an output read. Each part includes the ones
/// before it: a change of the title reaches every reader, a change of the HTML only the
/// readers of [`Part::Body`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// The title only (menus, translation links, neighbours, redirect pages).
    Title,
    /// What a listing shows: title, description, summary, word count.
    Listing,
    /// Everything, the HTML and the table of contents included.
    Body,
}

/// One recorded read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dep {
    /// The document whose rendered Markdown was read.
    pub doc: DocId,
    /// How much of it.
    pub part: Part,
}

/// A document's listing fields, as [`Reads::listing`] hands them out.
#[derive(Debug, Clone, Copy)]
pub struct Listing<'a> {
    /// See [`DocContent::title`].
    pub title: &'a str,
    /// See [`DocContent::description`].
    pub description: Option<&'a str>,
    /// See [`DocContent::summary`].
    pub summary: Option<&'a str>,
    /// See [`DocContent::word_count`].
    pub word_count: usize,
}

/// The rendered Markdown of every document, handed out to one output's renderer part by part,
/// recording each read (unless recording is off, as in a one-shot build).
pub struct Reads<'a> {
    contents: &'a [Arc<DocContent>],
    recorded: Option<RefCell<Vec<Dep>>>,
}

impl<'a> Reads<'a> {
    /// Reads of `contents`; `record`: keep a list of them.
    pub fn new(contents: &'a [Arc<DocContent>], record: bool) -> Reads<'a> {
        Reads {
            contents,
            recorded: record.then(|| RefCell::new(Vec::new())),
        }
    }

    /// Whether the reads are recorded (the output gets a fingerprint).
    pub fn records(&self) -> bool {
        self.recorded.is_some()
    }

    fn note(&self, doc: DocId, part: Part) {
        if let Some(r) = &self.recorded {
            r.borrow_mut().push(Dep { doc, part });
        }
    }

    /// Document `id`'s title.
    pub fn title(&self, id: DocId) -> &'a str {
        self.note(id, Part::Title);
        &self.contents[id].title
    }

    /// Document `id`'s listing fields.
    pub fn listing(&self, id: DocId) -> Listing<'a> {
        self.note(id, Part::Listing);
        let c = &self.contents[id];
        Listing {
            title: &c.title,
            description: c.description.as_deref(),
            summary: c.summary.as_deref(),
            word_count: c.word_count,
        }
    }

    /// All of document `id`'s rendered Markdown.
    pub fn body(&self, id: DocId) -> &'a DocContent {
        self.note(id, Part::Body);
        &self.contents[id]
    }

    /// The reads so far, sorted, each once.
    pub fn into_deps(self) -> Vec<Dep> {
        let mut deps = self.recorded.map(RefCell::into_inner).unwrap_or_default();
        deps.sort_unstable();
        deps.dedup();
        deps
    }
}

/// Per document and part: the outputs (plan indices) whose renderers read it.
#[derive(Debug, Default)]
pub(crate) struct Dependents {
    readers: Vec<[Vec<u32>; 3]>,
}

impl Dependents {
    /// An empty index for `docs` documents.
    pub(crate) fn new(docs: usize) -> Dependents {
        Dependents {
            readers: (0..docs).map(|_| Default::default()).collect(),
        }
    }

    /// Notes that output `output` read `deps`.
    pub(crate) fn record(&mut self, output: usize, deps: &[Dep]) {
        let output = output as u32;
        for d in deps {
            // Kept sorted and each reader once, however often the output is rendered again.
            let list = &mut self.readers[d.doc][d.part as usize];
            if let Err(at) = list.binary_search(&output) {
                list.insert(at, output);
            }
        }
    }

    /// The outputs that may change when document `doc`'s rendered Markdown changes from `part`
    /// on (see [`Part`]).
    pub(crate) fn affected(&self, doc: DocId, part: Part) -> impl Iterator<Item = usize> + '_ {
        let from = part as usize;
        self.readers[doc][from..]
            .iter()
            .flatten()
            .map(|&i| i as usize)
    }
}
