//! Markdown rendering (temporary minimal version; replaced by the full renderer).

/// Options.
pub struct MarkdownOptions<'a> {
    /// Language code.
    pub lang: &'a str,
    /// Smart punctuation.
    pub smart_punctuation: bool,
}
/// Host.
pub trait MarkdownHost {
    /// Resolve.
    fn resolve_link(&self, target: &str) -> Result<String, String>;
    /// Shortcode.
    fn render_shortcode(&self, name: &str, args: &ShortcodeArgs, body: Option<&str>, nth: usize) -> Result<String, String>;
    /// UI string.
    fn ui_string(&self, key: &str) -> String;
}
/// Result.
#[derive(Debug, Default)]
pub struct RenderedMarkdown {
    /// Html.
    pub html: String,
    /// Summary.
    pub summary_html: Option<String>,
    /// Toc.
    pub toc: Vec<TocEntry>,
    /// Ids.
    pub ids: Vec<String>,
    /// Links.
    pub internal_links: Vec<InternalLink>,
    /// First heading.
    pub first_heading: Option<String>,
    /// Words.
    pub word_count: usize,
}
/// Toc entry.
#[derive(Debug, Clone)]
pub struct TocEntry {
    /// Level.
    pub level: u32,
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Children.
    pub children: Vec<TocEntry>,
}
/// Link.
#[derive(Debug, Clone)]
pub struct InternalLink {
    /// Target.
    pub target: String,
    /// Fragment.
    pub fragment: Option<String>,
    /// Url.
    pub url: String,
    /// Line.
    pub line: usize,
}
/// Value.
#[derive(Debug, Clone)]
pub enum ShortcodeValue {
    /// S.
    Str(String),
    /// I.
    Int(i64),
    /// F.
    Float(f64),
    /// B.
    Bool(bool),
    /// A.
    Array(Vec<ShortcodeValue>),
}
/// Args.
pub type ShortcodeArgs = Vec<(String, ShortcodeValue)>;
/// Error.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct MarkdownError {
    /// Line.
    pub line: usize,
    /// Message.
    pub message: String,
}
/// Render.
pub fn render(text: &str, _first_line: usize, _o: &MarkdownOptions, _h: &dyn MarkdownHost) -> Result<RenderedMarkdown, MarkdownError> {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(text));
    Ok(RenderedMarkdown { word_count: text.split_whitespace().count(), html, ..Default::default() })
}
