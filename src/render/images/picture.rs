//! Markdown images become responsive: every `<img>` of a document's HTML whose `src` is a file
//! of the site (a bundle file next to the page, or a static file) is replaced by a `<picture>`
//! with one `<source>` per format, `srcset` + `sizes`, `width` and `height` (no layout shift),
//! and `loading="lazy"` + `decoding="async"` on every image but the first of the page. SVGs and
//! animated images keep their `src` and get their size.

use super::error::ImageError;
use super::{Images, Responsive};
use crate::render::escape;
use std::cell::RefCell;
use std::path::PathBuf;

/// Rewrites the `<img>` elements of `html` whose `src` is one of `markdown_srcs` (the
/// Markdown images; raw HTML `<img>` tags are the author's own). `resolve` maps a `src` to the
/// file it names (None: not a site file, left as it is). Returns the new HTML and the files it
/// shows.
pub fn rewrite(
    html: &str,
    markdown_srcs: &[String],
    images: &Images,
    resolve: &dyn Fn(&str) -> Option<PathBuf>,
) -> Result<(String, Vec<PathBuf>), ImageError> {
    if markdown_srcs.is_empty() || !html.contains("<img") {
        return Ok((html.to_string(), Vec::new()));
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let wanted: std::collections::HashSet<String> =
        markdown_srcs.iter().map(|s| decode(s)).collect();
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let used = RefCell::new(Vec::new());
    let error = RefCell::new(None);
    let count = RefCell::new(0usize);
    let sizes = images.config().sizes.clone();
    let result = rewrite_str(
        html,
        RewriteStrSettings {
            element_content_handlers: vec![element!("img[src]", |el| {
                if error.borrow().is_some() {
                    return Ok(());
                }
                let src = el.get_attribute("src").unwrap_or_default();
                if !wanted.contains(&decode(&src)) {
                    return Ok(());
                }
                let Some(path) = resolve(&src) else {
                    return Ok(());
                };
                let responsive = match images.responsive(&path) {
                    Ok(r) => r,
                    Err(e) => {
                        *error.borrow_mut() = Some(e);
                        return Ok(());
                    }
                };
                let first = *count.borrow() == 0;
                *count.borrow_mut() += 1;
                let attributes: Vec<(String, String)> = el
                    .attributes()
                    .iter()
                    .map(|a| (a.name(), a.value()))
                    .filter(|(n, _)| {
                        !matches!(
                            n.as_str(),
                            "src"
                                | "srcset"
                                | "sizes"
                                | "width"
                                | "height"
                                | "loading"
                                | "decoding"
                        )
                    })
                    .collect();
                el.replace(
                    &markup(&src, &responsive, &attributes, &sizes, first),
                    lol_html::html_content::ContentType::Html,
                );
                used.borrow_mut().push(path);
                Ok(())
            })],
            ..RewriteStrSettings::new()
        },
    );
    if let Some(e) = error.into_inner() {
        return Err(e);
    }
    let html = result.map_err(|e| ImageError::Argument(format!("cannot rewrite images: {e}")))?;
    Ok((html, used.into_inner()))
}

/// The markup of one image.
pub fn markup(
    src: &str,
    r: &Responsive,
    attributes: &[(String, String)],
    sizes: &str,
    first: bool,
) -> String {
    let mut img_attrs = String::new();
    for (name, value) in attributes {
        img_attrs.push_str(&format!(" {name}=\"{}\"", escape::html(value)));
    }
    let size = format!(" width=\"{}\" height=\"{}\"", r.probe.width, r.probe.height);
    let lazy = if first {
        ""
    } else {
        " loading=\"lazy\" decoding=\"async\""
    };
    let Some(((_, fallback), better)) = r.sets.split_last() else {
        return format!("<img src=\"{}\"{img_attrs}{size}{lazy}>", escape::html(src));
    };
    let largest = fallback.last().map(|v| v.url.as_str()).unwrap_or(src);
    let sizes = escape::html(sizes);
    let mut out = String::from("<picture>");
    for (format, variants) in better {
        out.push_str(&format!(
            "<source type=\"{}\" srcset=\"{}\" sizes=\"{sizes}\">",
            format.mime(),
            escape::html(&Responsive::srcset(variants))
        ));
    }
    out.push_str(&format!(
        "<img src=\"{}\" srcset=\"{}\" sizes=\"{sizes}\"{img_attrs}{size}{lazy}></picture>",
        escape::html(largest),
        escape::html(&Responsive::srcset(fallback)),
    ));
    out
}
