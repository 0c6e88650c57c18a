//! Hugo shortcodes in Markdown bodies, rewritten for ludd: `{{< name args >}}` and
//! `{{% name args %}}` (with `{{< /name >}}` closing a body) become `{{ name(key="v") }}` or
//! `{% name(key="v") %}body{% end %}`; `ref`/`relref` become `@/` paths, `highlight` a fenced
//! code block, and the embeds of other hosts (YouTube, Vimeo, gists, posts) plain links, since a
//! ludd page loads nothing from another host. Escaped calls (`{{</* x */>}}`) become ludd's
//! escape `{{/* x() */}}`.

use super::Notes;

/// One parsed Hugo shortcode tag.
#[derive(Debug, Clone, PartialEq)]
struct Tag {
    /// Shortcode name.
    name: String,
    /// Positional arguments, in order.
    positional: Vec<String>,
    /// Named arguments, in order.
    named: Vec<(String, String)>,
    /// `{{< /name >}}`.
    closing: bool,
    /// `{{< name />}}`: no body follows.
    self_closing: bool,
    /// Byte range in the text.
    start: usize,
    end: usize,
}

/// Resolves a Hugo `ref` path (as written, anchor removed) to ludd's `@/` path.
pub trait RefResolver {
    /// `@/posts/a.md` for `posts/a`, if that content file exists.
    fn resolve(&self, path: &str) -> Option<String>;

    /// `@/docs/a.md` for the site path `/docs/a/` (the URL made from that file), if that
    /// content file exists; no guessing by name (see [`super::file_for_url`]).
    fn resolve_url(&self, _path: &str) -> Option<String> {
        None
    }
}

/// Shortcodes the default theme provides (after conversion).
pub const THEME_SHORTCODES: &[&str] = &[
    "callout",
    "demand",
    "details",
    "figure",
    "gist",
    "publisher",
    "pullquote",
    "timeline",
    "vimeo",
    "youtube",
];

/// Rewrites every Hugo shortcode of `body` (which starts at line `first_line` of `file`);
/// notes every change and every call it could not convert. Returns the new body and the
/// names of the ludd shortcodes it now calls.
pub fn convert(
    body: &str,
    first_line: usize,
    file: &std::path::Path,
    refs: &dyn RefResolver,
    notes: &mut Notes,
) -> (String, Vec<String>) {
    let mut out = String::with_capacity(body.len());
    let mut used = Vec::new();
    let mut pos = 0;
    let line_of = |at: usize| first_line + body[..at].matches('\n').count();
    while let Some(rel) = find_open(&body[pos..]) {
        let start = pos + rel;
        out.push_str(&body[pos..start]);
        // Escaped call: {{</* name args */>}}.
        if let Some(end) = escaped_end(body, start) {
            let inner = &body[start + 5..end - 5];
            match parse_tag(&format!("{{{{<{inner}>}}}}"), 0) {
                Some(tag) => {
                    out.push_str(&format!("{{{{/* {} */}}}}", ludd_call(&tag)));
                    notes.change(
                        file,
                        Some(line_of(start)),
                        format!("escaped shortcode `{}` written as ludd's escape", tag.name),
                    );
                }
                None => out.push_str(&body[start..end]),
            }
            pos = end;
            continue;
        }
        let Some(tag) = parse_tag(body, start) else {
            out.push_str(&body[start..start + 3]);
            pos = start + 3;
            continue;
        };
        let line = line_of(start);
        if tag.closing {
            notes.problem(
                file,
                Some(line),
                format!(
                    "closing `{{{{< /{} >}}}}` without an opening tag: left as text",
                    tag.name
                ),
            );
            out.push_str(&body[tag.start..tag.end]);
            pos = tag.end;
            continue;
        }
        // A body runs to the matching closing tag, if there is one.
        let closing = if tag.self_closing {
            None
        } else {
            find_closing(body, tag.end, &tag.name)
        };
        let (inner, next) = match closing {
            Some((inner_end, after)) => (Some(&body[tag.end..inner_end]), after),
            None => (None, tag.end),
        };
        let converted = convert_call(&tag, inner, line, file, refs, notes, &mut used);
        out.push_str(&converted);
        pos = next;
    }
    out.push_str(&body[pos..]);
    (out, used)
}

fn find_open(text: &str) -> Option<usize> {
    let a = text.find("{{<");
    let b = text.find("{{%");
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// End of an escaped call `{{</* … */>}}` (or `{{%/* … */%}}`) starting at `start`.
fn escaped_end(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start..];
    let (open, close) = if rest.starts_with("{{</*") {
        ("{{</*", "*/>}}")
    } else if rest.starts_with("{{%/*") {
        ("{{%/*", "*/%}}")
    } else {
        return None;
    };
    let end = rest[open.len()..].find(close)?;
    Some(start + open.len() + end + close.len())
}

/// Parses the tag starting at `start` (`{{<` or `{{%`).
fn parse_tag(text: &str, start: usize) -> Option<Tag> {
    let delim = text.as_bytes().get(start + 2).copied()?;
    let close = if delim == b'<' { ">}}" } else { "%}}" };
    let inner_start = start + 3;
    let inner_end = inner_start + text.get(inner_start..)?.find(close)?;
    let mut inner = text[inner_start..inner_end].trim();
    let self_closing = inner.ends_with('/');
    if self_closing {
        inner = inner[..inner.len() - 1].trim_end();
    }
    let closing = inner.starts_with('/');
    let inner = inner.trim_start_matches('/').trim_start();
    let mut words = tokenize(inner)?.into_iter();
    let name = words.next()?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '/')
    {
        return None;
    }
    let mut positional = Vec::new();
    let mut named = Vec::new();
    for w in words {
        match split_named(&w) {
            Some((k, v)) => named.push((k, v)),
            None => positional.push(unquote(&w)),
        }
    }
    Some(Tag {
        name,
        positional,
        named,
        closing,
        self_closing,
        start,
        end: inner_end + close.len(),
    })
}

/// Splits on whitespace outside quotes ("…", `…`).
fn tokenize(text: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                cur.push(c);
            }
            Some('"') if c == '\\' => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            Some(_) => cur.push(c),
            None if c == '"' || c == '`' => {
                quote = Some(c);
                cur.push(c);
            }
            None if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            None => cur.push(c),
        }
    }
    if quote.is_some() {
        return None;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    Some(out)
}

/// `key="v"` → (key, v).
fn split_named(word: &str) -> Option<(String, String)> {
    let (k, v) = word.split_once('=')?;
    if k.is_empty() || k.starts_with(['"', '`']) {
        return None;
    }
    Some((k.to_string(), unquote(v)))
}

fn unquote(v: &str) -> String {
    if v.len() >= 2 && v.starts_with('`') && v.ends_with('`') {
        return v[1..v.len() - 1].to_string();
    }
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        let inner = &v[1..v.len() - 1];
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    v.to_string()
}

/// The matching `{{< /name >}}` after `from`: (end of body, end of closing tag). Nested calls
/// of the same name are counted.
fn find_closing(text: &str, from: usize, name: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut pos = from;
    while let Some(rel) = find_open(&text[pos..]) {
        let at = pos + rel;
        if let Some(end) = escaped_end(text, at) {
            pos = end;
            continue;
        }
        let Some(tag) = parse_tag(text, at) else {
            pos = at + 3;
            continue;
        };
        if tag.name == name {
            if tag.closing {
                if depth == 0 {
                    return Some((at, tag.end));
                }
                depth -= 1;
            } else if !tag.self_closing {
                depth += 1;
            }
        }
        pos = tag.end;
    }
    None
}

/// A ludd string literal.
fn quoted(v: &str) -> String {
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A ludd identifier for a Hugo shortcode or argument name.
fn ident(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// `name(key="v", …)`: positional arguments become `arg0`, `arg1`, ….
fn ludd_call(tag: &Tag) -> String {
    let mut args: Vec<String> = tag
        .positional
        .iter()
        .enumerate()
        .map(|(i, v)| format!("arg{i}={}", quoted(v)))
        .collect();
    args.extend(
        tag.named
            .iter()
            .map(|(k, v)| format!("{}={}", ident(k), quoted(v))),
    );
    format!("{}({})", ident(&tag.name), args.join(", "))
}

fn arg<'a>(tag: &'a Tag, name: &str, index: usize) -> Option<&'a str> {
    tag.named
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .or_else(|| tag.positional.get(index).map(String::as_str))
}

/// Converts one call (with its body, if any).
fn convert_call(
    tag: &Tag,
    body: Option<&str>,
    line: usize,
    file: &std::path::Path,
    refs: &dyn RefResolver,
    notes: &mut Notes,
    used: &mut Vec<String>,
) -> String {
    let name = tag.name.as_str();
    let mut change = |message: String| notes.change(file, Some(line), message);
    match name {
        "ref" | "relref" => {
            let target = arg(tag, "path", 0).unwrap_or("");
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target, None),
            };
            let anchor = anchor.map(|a| format!("#{a}")).unwrap_or_default();
            if path.is_empty() {
                change(format!("`{name} \"{target}\"` → `{anchor}`"));
                return anchor;
            }
            match refs.resolve(path) {
                Some(at) => {
                    change(format!("`{name} \"{target}\"` → `{at}{anchor}`"));
                    format!("{at}{anchor}")
                }
                None => {
                    let url = format!("/{}/", path.trim_matches('/').trim_end_matches(".md"));
                    notes.problem(
                        file,
                        Some(line),
                        format!("`{name} \"{target}\"` names no content file: written as the URL `{url}{anchor}`; check it"),
                    );
                    format!("{url}{anchor}")
                }
            }
        }
        "highlight" => {
            let lang = arg(tag, "lang", 0).unwrap_or("");
            let code = body.unwrap_or("").trim_matches('\n');
            change(format!("`highlight {lang}` → fenced code block"));
            if tag.positional.len() > 1 || !tag.named.is_empty() {
                notes.problem(
                    file,
                    Some(line),
                    "highlight options (line numbers, highlighted lines) are not converted",
                );
            }
            format!("```{lang}\n{code}\n```")
        }
        "youtube" | "vimeo" | "gist" | "tweet" | "x" | "instagram" => {
            let link = embed_link(tag);
            match link {
                Some((text, url)) => {
                    change(format!(
                        "`{name}` embed → a link to {url} (ludd pages load nothing from other hosts)"
                    ));
                    format!("[{text}]({url})")
                }
                None => {
                    notes.problem(
                        file,
                        Some(line),
                        format!("`{name}` without the arguments it needs: removed"),
                    );
                    String::new()
                }
            }
        }
        "comment" => {
            change("`comment` shortcode removed with its text".into());
            String::new()
        }
        _ => {
            let call = ludd_call(tag);
            let ident_name = ident(name);
            if !used.contains(&ident_name) {
                used.push(ident_name.clone());
            }
            match body {
                Some(inner) => {
                    let (inner, inner_used) = convert(inner, line, file, refs, notes);
                    for u in inner_used {
                        if !used.contains(&u) {
                            used.push(u);
                        }
                    }
                    notes.change(
                        file,
                        Some(line),
                        format!("`{name}` with a body → `{{% {call} %}}…{{% end %}}`"),
                    );
                    format!("{{% {call} %}}{inner}{{% end %}}")
                }
                None => {
                    notes.change(file, Some(line), format!("`{name}` → `{{{{ {call} }}}}`"));
                    format!("{{{{ {call} }}}}")
                }
            }
        }
    }
}

/// (link text, URL) for the embed shortcodes of other hosts.
fn embed_link(tag: &Tag) -> Option<(String, String)> {
    let first = arg(tag, "id", 0)?;
    Some(match tag.name.as_str() {
        "youtube" => (
            arg(tag, "title", usize::MAX)
                .unwrap_or("Video on YouTube")
                .to_string(),
            format!("https://www.youtube.com/watch?v={first}"),
        ),
        "vimeo" => (
            arg(tag, "title", usize::MAX)
                .unwrap_or("Video on Vimeo")
                .to_string(),
            format!("https://vimeo.com/{first}"),
        ),
        "gist" => {
            let id = tag.positional.get(1)?;
            (
                "Gist".to_string(),
                format!("https://gist.github.com/{first}/{id}"),
            )
        }
        "tweet" | "x" => {
            let user = arg(tag, "user", 0)?;
            let id = arg(tag, "id", 1)?;
            (
                "Post on X".to_string(),
                format!("https://x.com/{user}/status/{id}"),
            )
        }
        _ => (
            "Post on Instagram".to_string(),
            format!("https://www.instagram.com/p/{first}/"),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    struct Refs;
    impl RefResolver for Refs {
        fn resolve(&self, path: &str) -> Option<String> {
            (path.trim_start_matches('/').trim_end_matches(".md") == "posts/a")
                .then(|| "@/posts/a.md".to_string())
        }
    }

    fn run(body: &str) -> (String, Notes) {
        let mut notes = Notes::default();
        let (out, _) = convert(body, 5, Path::new("content/x.md"), &Refs, &mut notes);
        (out, notes)
    }

    #[test]
    fn inline_and_block_calls() {
        let (out, notes) = run(
            "A {{< figure src=\"a.png\" alt=\"An \\\"a\\\"\" >}} b\n\n{{% notice info %}}\n**Hi**\n{{% /notice %}}\n",
        );
        assert_eq!(
            out,
            "A {{ figure(src=\"a.png\", alt=\"An \\\"a\\\"\") }} b\n\n{% notice(arg0=\"info\") %}\n**Hi**\n{% end %}\n"
        );
        assert_eq!(notes.changes.len(), 2);
        assert_eq!(notes.changes[1].line, Some(7));
    }

    #[test]
    fn refs_highlight_embeds_and_escapes() {
        let (out, notes) = run(
            "[a]({{< ref \"posts/a.md#top\" >}}) [b]({{< relref \"nope\" >}})\n{{< highlight rust >}}\nfn main() {}\n{{< /highlight >}}\n{{< youtube dQw4 >}}\n`{{</* x 1 */>}}`\n",
        );
        assert_eq!(
            out,
            "[a](@/posts/a.md#top) [b](/nope/)\n```rust\nfn main() {}\n```\n[Video on YouTube](https://www.youtube.com/watch?v=dQw4)\n`{{/* x(arg0=\"1\") */}}`\n"
        );
        assert_eq!(notes.problems.len(), 1, "{:?}", notes.problems);
    }

    #[test]
    fn non_shortcodes_stay() {
        let (out, _) = run("a {{< b {{% \"\n");
        assert_eq!(out, "a {{< b {{% \"\n");
    }
}
