//! What the Markdown renderer asks of the site while rendering one document: resolving internal
//! links, rendering shortcodes through the templates, and UI strings.

use crate::model::urls::{AboveRoot, join_path};
use crate::model::{DocId, Site};
use crate::render::markdown::{MarkdownHost, ShortcodeArgs, ShortcodeValue};
use crate::render::templates::{Templates, ui_string};
use crate::render::warnings::Warnings;
use tera::Value;

/// The host for one document.
pub(crate) struct DocHost<'a> {
    /// The site.
    pub site: &'a Site,
    /// The document being rendered.
    pub id: DocId,
    /// Templates for shortcodes.
    pub templates: &'a Templates,
    /// Build warnings.
    pub warnings: &'a Warnings,
}

impl MarkdownHost for DocHost<'_> {
    fn resolve_link(&self, target: &str) -> Result<String, String> {
        let doc = &self.site.docs[self.id];
        let rel = match target.strip_prefix("@/") {
            Some(rel) => rel.to_string(),
            None => join_path(
                crate::model::urls::content_dir_of(&doc.source.rel_path),
                target,
                AboveRoot::Refuse,
            )
            .ok_or_else(|| format!("`{target}` points outside the content folder"))?,
        };
        let Some(&id) = self.site.by_path.get(&rel) else {
            // A file whose own problems fail this build: the link to it is not broken too.
            if self.site.unreadable.contains(&rel) {
                return Ok(self.site.root_url());
            }
            return Err(format!("no content file `content/{rel}`"));
        };
        Ok(self.site.docs[self.site.in_language(id, doc.lang)]
            .url
            .clone())
    }

    fn render_shortcode(
        &self,
        name: &str,
        args: &ShortcodeArgs,
        body: Option<&str>,
        nth: usize,
    ) -> Result<String, String> {
        let template = format!("shortcodes/{name}.html");
        if !self.templates.has(&template) {
            return Err(format!(
                "unknown shortcode `{name}`: add templates/{template} to the site or theme"
            ));
        }
        let doc = &self.site.docs[self.id];
        let lang = &self.site.languages[doc.lang];
        let mut ctx = tera::Context::new();
        for (k, v) in args {
            ctx.insert_value(k.clone(), shortcode_value(v));
        }
        ctx.insert_value(
            "body",
            body.map(Value::safe_string).unwrap_or_else(Value::none),
        );
        ctx.insert_value("lang", lang.code.as_str().into());
        ctx.insert_value("dir", lang.direction.as_str().into());
        ctx.insert_value("page_url", self.site.permalink(&doc.url).into());
        ctx.insert_value(
            "page_title",
            doc.front_title().unwrap_or(&doc.source.stem).into(),
        );
        ctx.insert_value("nth", nth.into());
        // The page the shortcode is called from (its rendered content does not exist yet).
        ctx.insert_value(
            "page",
            crate::render::context::obj([
                (
                    "title",
                    doc.front_title().unwrap_or(&doc.source.stem).into(),
                ),
                ("lang", lang.code.as_str().into()),
                ("url", doc.url.as_str().into()),
                ("permalink", self.site.permalink(&doc.url).into()),
                (
                    "assets",
                    doc.assets
                        .iter()
                        .map(|a| Value::from(crate::model::urls::asset_url(doc, a)))
                        .collect::<Vec<_>>()
                        .into(),
                ),
                (
                    "extra",
                    Value::from_serializable(&doc.source.front_matter.extra),
                ),
                ("is_section", doc.is_section().into()),
            ]),
        );
        ctx.insert_value(
            "site",
            crate::render::context::obj([
                ("title", lang.title.as_str().into()),
                ("base_url", self.site.config.base_url.as_str().into()),
                ("extra", Value::from_serializable(&lang.extra)),
            ]),
        );
        self.templates.render(&template, &ctx).map_err(|e| {
            e.diagnostics()
                .first()
                .map(|d| {
                    format!(
                        "shortcode `{name}` failed: {}:{} {}",
                        d.path.display(),
                        d.line.unwrap_or(0),
                        d.message
                    )
                })
                .unwrap_or_else(|| format!("shortcode `{name}` failed: {e}"))
        })
    }

    fn ui_string(&self, key: &str) -> String {
        let lang = &self.site.languages[self.site.docs[self.id].lang].code;
        ui_string(
            &self.site.theme.ui_strings,
            &self.site.config.default_language,
            lang,
            key,
            self.warnings,
        )
    }
}

fn shortcode_value(v: &ShortcodeValue) -> Value {
    match v {
        ShortcodeValue::Str(s) => s.as_str().into(),
        ShortcodeValue::Int(i) => (*i).into(),
        ShortcodeValue::Float(f) => (*f).into(),
        ShortcodeValue::Bool(b) => (*b).into(),
        ShortcodeValue::Array(a) => a.iter().map(shortcode_value).collect::<Vec<_>>().into(),
    }
}
