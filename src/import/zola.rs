//! Zola sites: `config.toml` → `site.toml` (title, URL, languages in both of Zola's forms,
//! taxonomies, feeds, sitemap, Markdown options, `[extra]`), the content tree as it is with its
//! front matter converted (Zola's `[taxonomies]` table, `sort_by` names, presentational keys to
//! `extra`), a home page per language where Zola would generate one, and `static/`.

use super::{ContentFile, Notes, Plan, files_below, json_to_toml, language_table};
use crate::error::{Diagnostic, Error, Result};
use std::path::Path;

/// The config file of a Zola site (`zola.toml` in newer sites).
const CONFIG: &str = "config.toml";
const CONFIG_NEW: &str = "zola.toml";

/// Top-level keys ludd reads as they are.
const SAME: &[&str] = &["generate_sitemap", "generate_robots_txt", "feed_limit"];

/// Reads the Zola site at `root` into a plan.
pub fn plan(root: &Path, notes: &mut Notes) -> Result<Plan> {
    let name = if !root.join(CONFIG).is_file() && root.join(CONFIG_NEW).is_file() {
        CONFIG_NEW
    } else {
        CONFIG
    };
    let path = root.join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::invalid(
                Diagnostic::new(&path, "no config.toml: this is not a Zola site").with_help(
                    "give the folder of a Zola site, or use `ludd import hugo` for a Hugo site",
                ),
            )
        } else {
            Error::read(&path, e)
        }
    })?;
    let config: toml::Table = toml::from_str(&text).map_err(|e| {
        Error::invalid(
            Diagnostic::new(
                &path,
                format!("config.toml is not valid TOML: {}", e.message()),
            )
            .at_optional_line(e.span().map(|s| 1 + text[..s.start].matches('\n').count())),
        )
    })?;
    let shown = Path::new(name);
    let line = |key: &str| {
        text.lines()
            .position(|l| l.trim_start().starts_with(key))
            .map(|i| i + 1)
    };
    let mut site = toml::Table::new();
    let str_of = |k: &str| config.get(k).and_then(|v| v.as_str()).map(str::to_string);
    site.insert(
        "title".into(),
        str_of("title").unwrap_or_else(|| "Site".into()).into(),
    );
    site.insert(
        "base_url".into(),
        super::base_url(str_of("base_url").as_deref(), shown, notes).into(),
    );
    if let Some(d) = str_of("description") {
        site.insert("description".into(), d.into());
    }
    let default = str_of("default_language").unwrap_or_else(|| "en".into());
    site.insert("default_language".into(), default.clone().into());
    site.insert("theme".into(), "campaign".into());
    // Languages: [languages.fr] tables (Zola 0.15+) or a list of { code } (older).
    let mut languages: Vec<(String, toml::Table)> = vec![(default.clone(), toml::Table::new())];
    match config.get("languages") {
        Some(toml::Value::Table(t)) => {
            for (code, v) in t {
                if let Some(t) = v.as_table() {
                    languages.push((code.clone(), t.clone()));
                }
            }
        }
        Some(toml::Value::Array(list)) => {
            for v in list {
                if let Some(code) = v.get("code").and_then(|c| c.as_str()) {
                    languages.push((code.to_string(), v.as_table().cloned().unwrap_or_default()));
                }
            }
        }
        _ => {}
    }
    languages.dedup_by(|a, b| a.0 == b.0);
    // Zola: the top-level list is the default language's; every other language has the
    // taxonomies its own table lists (none without one). ludd's languages share the top-level
    // list unless they have their own, so a list that differs is written per language.
    let taxonomies = taxonomy_list(config.get("taxonomies"), notes);
    let mut all_taxonomies = taxonomies.clone();
    let mut lang_tables = toml::Table::new();
    for (code, t) in &languages {
        let mut table = language_table(code, None);
        for key in ["title", "description"] {
            if let Some(v) = t.get(key) {
                table.insert(key.into(), v.clone());
            }
        }
        let own = match t.get("taxonomies") {
            Some(list) => taxonomy_list(Some(list), notes),
            None if code != &default => Vec::new(),
            None => taxonomies.clone(),
        };
        if own != taxonomies {
            notes.change(
                shown,
                line(&format!("[languages.{code}]")),
                format!("[languages.{code}] has taxonomies of its own: written to its table"),
            );
            let list = own.iter().cloned().map(toml::Value::Table).collect();
            table.insert("taxonomies".into(), toml::Value::Array(list));
        }
        for t in own {
            let name = t.get("name");
            if !all_taxonomies.iter().any(|x| x.get("name") == name) {
                all_taxonomies.push(t);
            }
        }
        for key in t.keys() {
            if !["title", "description", "taxonomies", "code"].contains(&key.as_str()) {
                notes.problem(
                    shown,
                    line(&format!("[languages.{code}]")),
                    format!("[languages.{code}] `{key}` is not converted"),
                );
            }
        }
        if code != &default {
            table.insert("fallback".into(), true.into());
        }
        lang_tables.insert(code.clone(), table.into());
    }
    if !taxonomies.is_empty() {
        site.insert(
            "taxonomies".into(),
            toml::Value::Array(taxonomies.iter().cloned().map(toml::Value::Table).collect()),
        );
    } else {
        site.insert("taxonomies".into(), toml::Value::Array(Vec::new()));
    }
    for (key, value) in &config {
        match key.as_str() {
            "title" | "base_url" | "description" | "default_language" | "languages"
            | "taxonomies" | "theme" => {}
            "generate_feeds" | "generate_feed" | "generate_rss" => {
                site.insert("generate_feeds".into(), value.clone());
                if key != "generate_feeds" {
                    notes.change(shown, line(key), format!("`{key}` → `generate_feeds`"));
                }
            }
            k if SAME.contains(&k) => {
                site.insert(key.clone(), value.clone());
            }
            "markdown" => {
                if let Some(sp) = value.get("smart_punctuation") {
                    let mut m = toml::Table::new();
                    m.insert("smart_punctuation".into(), sp.clone());
                    site.insert("markdown".into(), m.into());
                }
                for k in value
                    .as_table()
                    .into_iter()
                    .flat_map(|t| t.keys())
                    .filter(|k| *k != "smart_punctuation")
                {
                    notes.problem(shown, line(k), format!("[markdown] `{k}` is not converted"));
                }
            }
            "extra" => {
                site.insert("extra".into(), value.clone());
            }
            _ => notes.problem(
                shown,
                line(key),
                format!("`{key}` is not converted (ludd has no such setting)"),
            ),
        }
    }
    site.insert("languages".into(), lang_tables.into());
    if let Some(theme) = str_of("theme") {
        notes.change(
            shown,
            line("theme"),
            format!("theme `{theme}` replaced by ludd's default theme"),
        );
    }
    let mut plan = Plan::default();
    let taxonomy_names: Vec<String> = all_taxonomies
        .iter()
        .filter_map(|t| t.get("name").and_then(|n| n.as_str()).map(str::to_string))
        .collect();
    let codes: Vec<String> = languages.iter().map(|(c, _)| c.clone()).collect();
    let content = root.join("content");
    let files = files_below(&content);
    let refs = ZolaFiles {
        known: files
            .iter()
            .filter(|(rel, _)| rel.ends_with(".md"))
            .map(|(rel, _)| super::hugo::neutral(rel, &codes))
            .collect(),
    };
    for (rel, file) in files {
        let shown = Path::new("content").join(&rel);
        if !rel.ends_with(".md") {
            plan.copies.insert(format!("content/{rel}"), file);
            continue;
        }
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                notes.problem(&shown, None, format!("not read ({e}): left out"));
                continue;
            }
        };
        let text = normalise_calls(&text, &shown, notes);
        let lang_prefix = lang_prefix(&rel, codes.get(1..).unwrap_or(&[]));
        super::convert_content(
            &ContentFile {
                shown,
                text: &text,
                new_rel: rel,
                hugo_shortcodes: false,
                alias_base: None,
                lang_prefix,
            },
            &taxonomy_names,
            "Zola",
            &refs,
            &mut plan,
            notes,
        );
    }
    add_homes(&mut plan, &codes, &site, notes);
    for (rel, file) in files_below(&root.join("static")) {
        plan.copies.insert(format!("static/{rel}"), file);
    }
    for dir in ["templates", "sass", "themes"] {
        if root.join(dir).is_dir() {
            notes.problem(
                Path::new(dir),
                None,
                format!("{dir}/ is not converted: the default theme is used"),
            );
        }
    }
    let _ = json_to_toml;
    plan.write("site.toml", super::site_toml(site, "Zola"));
    Ok(plan)
}

/// Home pages Zola generates and ludd needs as files: `_index.md` (and `_index.<lang>.md`).
pub fn add_homes(plan: &mut Plan, codes: &[String], site: &toml::Table, notes: &mut Notes) {
    for (i, code) in codes.iter().enumerate() {
        let rel = if i == 0 {
            "content/_index.md".to_string()
        } else {
            format!("content/_index.{code}.md")
        };
        if plan.has(&rel) {
            continue;
        }
        let title = site
            .get("languages")
            .and_then(|l| l.get(code))
            .and_then(|l| l.get("title"))
            .or_else(|| site.get("title"))
            .and_then(|t| t.as_str())
            .unwrap_or("Home");
        let title = serde_json::Value::from(title).to_string();
        plan.write(rel.clone(), format!("---\ntitle: {title}\n---\n"));
        notes.change(
            Path::new(&rel),
            None,
            format!("home page for `{code}` written (the old tool generates it)"),
        );
    }
}

/// `[[taxonomies]]` entries as ludd's (`name`, `paginate_by`, `feed`), each name once; keys
/// ludd has no setting for are noted.
fn taxonomy_list(list: Option<&toml::Value>, notes: &mut Notes) -> Vec<toml::Table> {
    let mut taxonomies: Vec<toml::Table> = Vec::new();
    for t in list.and_then(|v| v.as_array()).into_iter().flatten() {
        let Some(name) = t.get("name").and_then(|n| n.as_str()) else {
            continue;
        };
        if taxonomies
            .iter()
            .any(|x| x.get("name").and_then(|n| n.as_str()) == Some(name))
        {
            continue;
        }
        let mut out = toml::Table::new();
        out.insert("name".into(), name.into());
        if let Some(p) = t.get("paginate_by") {
            out.insert("paginate_by".into(), p.clone());
        }
        let feed = t
            .get("feed")
            .or_else(|| t.get("rss"))
            .and_then(|f| f.as_bool())
            .unwrap_or(false);
        out.insert("feed".into(), feed.into());
        for key in t.as_table().into_iter().flat_map(|t| t.keys()) {
            if ![
                "name",
                "paginate_by",
                "feed",
                "rss",
                "lang",
                "render",
                "paginate_path",
            ]
            .contains(&key.as_str())
            {
                notes.problem(
                    Path::new(CONFIG),
                    None,
                    format!("taxonomy `{name}`: `{key}` is not converted"),
                );
            }
        }
        taxonomies.push(out);
    }
    taxonomies
}

/// `/<code>` for a file of another language than the default (`about.fr.md`,
/// `about/index.fr.md`), empty otherwise.
fn lang_prefix(rel: &str, others: &[String]) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.strip_suffix(".md").unwrap_or(name);
    match stem.rsplit_once('.') {
        Some((_, code)) if others.iter().any(|o| o == code) => format!("/{code}"),
        _ => String::new(),
    }
}

/// Zola's content files by their default-language names. Zola has no `ref` shortcodes (`@/`
/// links are ludd's own); root-relative links of the content resolve against them.
struct ZolaFiles {
    known: std::collections::BTreeSet<String>,
}

impl super::shortcodes::RefResolver for ZolaFiles {
    fn resolve(&self, _: &str) -> Option<String> {
        None
    }

    fn resolve_url(&self, path: &str) -> Option<String> {
        super::file_for_url(&self.known, path)
    }
}

/// Names of the Zola-syntax shortcodes `body` calls (`{{ name(` and `{% name(`), escapes and
/// `{% end %}` excluded.
pub fn shortcodes_called(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for open in ["{{", "{%"] {
        let mut rest = body;
        while let Some(i) = rest.find(open) {
            rest = &rest[i + 2..];
            let t = rest.trim_start();
            let name: String = t
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty()
                && t[name.len()..].trim_start().starts_with('(')
                && !out.contains(&name)
            {
                out.push(name);
            }
        }
    }
    out
}

/// Rewrites Zola shortcode calls that Zola accepts but ludd's stricter grammar does not:
/// arguments without commas between them, and single-quoted strings that contain a `'` (an
/// apostrophe is taken as part of the string unless `,` or `)` follows it). Such calls are
/// written with double quotes and commas; every rewrite is noted.
pub fn normalise_calls(text: &str, file: &Path, notes: &mut Notes) -> String {
    let unraw = strip_raw(text, file, notes);
    let text = unraw.as_str();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    while let Some(rel) = text[pos..].find(['{']) {
        let at = pos + rel;
        let rest = &text[at..];
        let opener = if rest.starts_with("{{") {
            "{{"
        } else if rest.starts_with("{%") {
            "{%"
        } else {
            ""
        };
        if opener.is_empty() {
            out.push_str(&text[pos..=at]);
            pos = at + 1;
            continue;
        }
        if let Some((len, escaped)) = hugo_like_text(rest) {
            let line = 1 + text[..at].matches('\n').count();
            out.push_str(&text[pos..at]);
            out.push_str(&escaped);
            notes.change(
                file,
                Some(line),
                "text that reads like a Hugo shortcode (`{{<`, `{{%`), which Zola prints as it is: escaped as {{</* … */>}} so that ludd prints it too",
            );
            pos = at + len;
            continue;
        }
        match parse_call(rest) {
            Some((len, name, args, rebuilt)) if rebuilt => {
                let line = 1 + text[..at].matches('\n').count();
                let closer = if opener == "{{" { "}}" } else { "%}" };
                let args: Vec<String> = args.iter().map(|(k, v)| format!("{k}={v}")).collect();
                out.push_str(&text[pos..at]);
                out.push_str(&format!("{opener} {name}({}) {closer}", args.join(", ")));
                notes.change(
                    file,
                    Some(line),
                    format!("shortcode `{name}`: arguments written with commas and double quotes"),
                );
                pos = at + len;
            }
            _ => {
                out.push_str(&text[pos..at + 2]);
                pos = at + 2;
            }
        }
    }
    out.push_str(&text[pos..]);
    out
}

/// Text at the start of `rest` that ludd would read as a Hugo shortcode (`{{< x >}}`,
/// `{{% x %}}`) but that Zola prints as it is: its length and the escaped form
/// `{{</* x */>}}`, which ludd prints as the call. Already escaped calls are left alone.
fn hugo_like_text(rest: &str) -> Option<(usize, String)> {
    let after = rest.strip_prefix("{{")?;
    let skip = after.len() - after.trim_start().len();
    let delim = after[skip..]
        .chars()
        .next()
        .filter(|c| matches!(c, '<' | '%'))?;
    let close = if delim == '<' { ">}}" } else { "%}}" };
    let open_len = 2 + skip + 1;
    let len = rest[open_len..].find(close)? + open_len + close.len();
    let inner = rest[open_len..len - close.len()].trim();
    if inner.starts_with("/*") || inner.is_empty() {
        return None;
    }
    Some((len, format!("{{{{{delim}/* {inner} */{}}}}}", &close[..1])))
}

/// `{% raw %}…{% endraw %}` (Tera's raw block, which some Zola sites write around text that
/// looks like a shortcode) → the text itself.
fn strip_raw(text: &str, file: &Path, notes: &mut Notes) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut consumed = 0;
    while let Some(start) = rest.find("{% raw %}") {
        let Some(len) = rest[start..].find("{% endraw %}") else {
            break;
        };
        let line = 1 + text[..consumed + start].matches('\n').count();
        out.push_str(&rest[..start]);
        out.push_str(&rest[start + 9..start + len]);
        notes.change(file, Some(line), "`{% raw %}…{% endraw %}` → its text");
        consumed += start + len + 12;
        rest = &rest[start + len + 12..];
    }
    out.push_str(rest);
    out
}

/// (length, name, arguments as `(key, ludd literal)`, whether it needed rewriting).
type ParsedCall = (usize, String, Vec<(String, String)>, bool);

/// Parses `{{ name(k=v …) }}` at the start of `text`: (length, name, args as ludd literals,
/// whether it needed rewriting). None when it is not a call of that shape.
fn parse_call(text: &str) -> Option<ParsedCall> {
    let closer = if text.starts_with("{{") { "}}" } else { "%}" };
    let b = text.as_bytes();
    let mut i = 2;
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && (b[*i] as char).is_whitespace() {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    let start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        i += 1;
    }
    let name = text.get(start..i)?.to_string();
    if name.is_empty() || b.get(i) != Some(&b'(') {
        return None;
    }
    i += 1;
    let mut args = Vec::new();
    let mut rebuilt = false;
    loop {
        skip_ws(&mut i);
        match b.get(i)? {
            b')' => {
                i += 1;
                break;
            }
            b',' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let k0 = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        let key = text.get(k0..i)?.to_string();
        if key.is_empty() {
            return None;
        }
        skip_ws(&mut i);
        if b.get(i) != Some(&b'=') {
            return None;
        }
        i += 1;
        skip_ws(&mut i);
        let q = *b.get(i)?;
        let value = if q == b'"' || q == b'\'' || q == b'`' {
            let v0 = i + 1;
            let mut j = v0;
            loop {
                let c = *b.get(j)?;
                if c == b'\\' && q == b'"' {
                    j += 2;
                    continue;
                }
                if c == q {
                    // An apostrophe inside a single-quoted string: the string goes on unless
                    // the argument ends here.
                    let mut k = j + 1;
                    while k < b.len() && (b[k] as char).is_whitespace() {
                        k += 1;
                    }
                    let ends = matches!(b.get(k), Some(b',') | Some(b')'))
                        || (b.get(k).is_some_and(|c| c.is_ascii_alphabetic())
                            && text[k..].split(['=', ' ', ')']).next().is_some_and(|w| {
                                text[k + w.len()..].trim_start().starts_with('=')
                            }));
                    if q != b'\'' || ends {
                        break;
                    }
                    rebuilt = true;
                }
                j += 1;
            }
            let raw = text.get(v0..j)?;
            i = j + 1;
            if q != b'"' {
                rebuilt |= q == b'\'' && raw.contains('\'');
                let escaped = raw.replace('\\', "\\\\").replace('"', "\\\"");
                format!("\"{escaped}\"")
            } else {
                format!("\"{raw}\"")
            }
        } else {
            let v0 = i;
            let mut depth = 0i32;
            while i < b.len() {
                match b[i] {
                    b'[' => depth += 1,
                    b']' => depth -= 1,
                    b',' | b')' if depth <= 0 => break,
                    c if (c as char).is_whitespace() && depth <= 0 => break,
                    _ => {}
                }
                i += 1;
            }
            text.get(v0..i)?.to_string()
        };
        args.push((key, value));
        // No comma before the next argument: Zola accepts it, ludd needs one.
        let mut k = i;
        while k < b.len() && (b[k] as char).is_whitespace() {
            k += 1;
        }
        if b.get(k)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            rebuilt = true;
        }
    }
    skip_ws(&mut i);
    if !text.get(i..)?.starts_with(closer) {
        return None;
    }
    Some((i + closer.len(), name, args, rebuilt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_get_commas_and_double_quotes() {
        let mut notes = Notes::default();
        let out = normalise_calls(
            "a {{ img(src=\"x.png\" alt=\"A\") }} b {{ note(text='it's here', n=1) }} {{ ok(a=\"1\") }}",
            Path::new("c.md"),
            &mut notes,
        );
        assert_eq!(
            out,
            "a {{ img(src=\"x.png\", alt=\"A\") }} b {{ note(text=\"it's here\", n=1) }} {{ ok(a=\"1\") }}"
        );
        assert_eq!(notes.changes.len(), 2);
    }
}
