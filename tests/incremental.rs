//! The serve invariant: after any sequence of edits, creates, deletes and renames, the output of
//! an incremental rebuild is byte-identical to a clean build of the same tree.

use ludd::build::build;
use ludd::engine::session::Session;
use ludd::engine::{BuildOptions, Mode};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// A tiny deterministic PRNG (xorshift64*), so failures reproduce from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const BASE: &str = r#"<!doctype html><html lang="{{ lang }}" dir="{{ dir }}"><head><title>{% block title %}{{ site.title }}{% endblock title %}</title>{{ head_links }}</head>
<body><nav>{% for m in menu %}<a href="{{ m.url }}">{{ m.title }}</a>{% endfor %}</nav>
{% for name in ["main", "footer"] %}<nav data-menu="{{ name }}">{% for m in menus[name] | default(value=[]) %}<a href="{{ m.url }}" lang="{{ m.name_lang }}" hreflang="{{ m.lang }}">{{ m.name }} {{ m.is_fallback }} {{ m.is_current }}</a>{% endfor %}</nav>{% endfor %}
<nav>{% for t in translations %}<a href="{{ t.url }}" data-exists="{{ t.exists }}">{{ t.name }}</a>{% endfor %}</nav>
<p>{{ t(key="hello") }}</p><link rel="stylesheet" href="{{ asset(path='style.css') }}">
<p data-lang="{{ language.name }}" data-path="{{ current_path }}" data-canonical="{{ canonical }}" data-feed="{{ feed_url }}" data-serve="{{ is_serve }}" data-home="{{ url(path='@/_index.md') }}" data-a="{{ url(path='@/a/_index.md') }}">{{ site.title }} {{ site.extra.motto | default(value="") }}</p>
<nav>{% for m in menu %}<a href="{{ m.url }}" data-w="{{ m.weight }}" data-current="{{ m.is_current }}" data-mood="{{ m.extra.mood | default(value='') }}">{{ m.title }}</a>{% endfor %}</nav>
{% block main %}{% endblock main %}</body></html>"#;
const PAGE: &str = r#"{% extends "base.html" %}{% block main %}<h1>{{ page.title }}</h1>{{ page.content }}
{% if page.previous %}<a href="{{ page.previous.url }}">{{ page.previous.title }}</a>{% endif %}
{% if page.next %}<a href="{{ page.next.url }}">{{ page.next.title }}</a>{% endif %}
{% for tag in page.taxonomies?.tags | default(value=[]) %}<a href="{{ tag.url }}">{{ tag.name }}</a>{% endfor %}
<p>{{ page.description | default(value="") }} {{ page.word_count }} {{ page.reading_time }} {{ page.slug }} {{ page.permalink }} {{ page.updated | default(value="") }} {{ page.extra.mood | default(value="") }}</p>
<ol>{% for h in page.toc %}<li><a href='#{{ h.id }}'>{{ h.title }}</a> {{ h.level }}</li>{% endfor %}</ol>
{% for t in translations %}<a hreflang="{{ t.code }}" href="{{ t.url }}">{{ t.title }}</a>{% endfor %}{% endblock main %}"#;
const SECTION: &str = r#"{% extends "base.html" %}{% block main %}<h1>{{ section.title }}</h1>{{ section.content }}
<ul>{% for p in section.pages %}<li><a href="{{ p.url }}">{{ p.title }}</a>{{ p.is_fallback }} {{ p.word_count }} {{ p.description | default(value="") }} {{ p.summary | default(value="") }} {{ p.extra.mood | default(value="") }} {{ p.date | default(value="") }}</li>{% endfor %}</ul>
{% if paginator %}<p>{{ paginator.current_index }}/{{ paginator.number_pagers }} {% for p in paginator.pages %}<a href="{{ p.url }}">{{ p.title }}</a>{% endfor %} {{ paginator.next | default(value="") }}</p>{% endif %}
<ul>{% for s in section.subsections %}<li><a href="{{ s.url }}">{{ s.title }}</a> {{ s.description | default(value="") }}</li>{% endfor %}</ul>{% endblock main %}"#;
const TERMS: &str = r#"{% extends "base.html" %}{% block main %}<h1>{{ taxonomy.title | default(value="") }}</h1>{{ taxonomy.content | default(value="") }}{% for t in terms %}<a href="{{ t.url }}">{{ t.name }} {{ t.count }}</a>{% endfor %}{% endblock main %}"#;
const TERM: &str = r#"{% extends "base.html" %}{% block main %}<h1>{{ term.name }} {{ term.title | default(value="") }} {{ term.description | default(value="") }}</h1>{{ term.content | default(value="") }}{% for p in term.pages %}<a href="{{ p.url }}">{{ p.title }}</a>{% endfor %}{% endblock main %}"#;
const NOT_FOUND: &str = r#"{% extends "base.html" %}{% block main %}<h1>404</h1>{% for l in other_languages %}<p lang="{{ l.code }}"><a href="{{ l.home_url }}">{{ t(key="hello", lang=l.code) }}</a></p>{% endfor %}{% endblock main %}"#;

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        fs::create_dir_all(p).expect("mkdir");
    }
    fs::write(path, text).expect("write");
}

fn fixture(root: &Path) {
    write(
        &root.join("site.toml"),
        "title = \"T\"\nbase_url = \"http://127.0.0.1:1111\"\ndefault_language = \"de\"\n\n[languages.de]\nname = \"Deutsch\"\n\n[languages.en]\nname = \"English\"\nfallback = true\n\n[extra]\nmotto = \"m0\"\n",
    );
    for (name, text) in [
        ("base.html", BASE),
        ("page.html", PAGE),
        ("section.html", SECTION),
        ("index.html", SECTION),
        ("taxonomy_list.html", TERMS),
        ("taxonomy_single.html", TERM),
        ("404.html", NOT_FOUND),
    ] {
        write(&root.join("templates").join(name), text);
    }
    write(&root.join("i18n/de.toml"), "hello = \"Hallo\"\n");
    write(&root.join("i18n/en.toml"), "hello = \"Hello\"\n");
    write(&root.join("static/style.css"), "body { color: black }\n");
    // A page without a title of its own: its first heading names it in the menus.
    write(
        &root.join("content/about.md"),
        "---\nweight: 5\n---\n# Über\n",
    );
    write(
        &root.join("content/_index.md"),
        "---\ntitle: Start\n---\nWillkommen.\n",
    );
    write(
        &root.join("content/_index.en.md"),
        "---\ntitle: Home\n---\nWelcome.\n",
    );
    for s in ["a", "b"] {
        write(
            &root.join(format!("content/{s}/_index.md")),
            &format!("---\ntitle: Bereich {s}\nweight: 1\n---\n"),
        );
        write(
            &root.join(format!("content/{s}/_index.en.md")),
            &format!("---\ntitle: Section {s}\nweight: 1\n---\n"),
        );
        for i in 0..PAGES {
            page(root, s, i, "de", 0);
        }
        page(root, s, 0, "en", 0);
    }
}

/// Pages per section in the first build.
const PAGES: usize = 5;

fn page(root: &Path, section: &str, i: usize, lang: &str, version: u64) -> PathBuf {
    let suffix = if lang == "de" {
        String::new()
    } else {
        format!(".{lang}")
    };
    let path = root.join(format!("content/{section}/p{i}{suffix}.md"));
    let tag = ["x", "y", "z"][(version as usize + i) % 3];
    let link = if i > 0 {
        format!("[prev](@/{section}/p{}.md)", i - 1)
    } else {
        "[home](@/_index.md)".to_string()
    };
    write(
        &path,
        &format!(
            "---\ntitle: \"{section} {i} {lang} v{version}\"\nweight: {}\ndate: 2025-0{}-01\n{}tags: [\"{tag}\"]\naliases: [\"/{lang}-{section}{i}-{}/\"]\nextra:\n  mood: m{}\n---\n## Kopf {version}\n\nText {version} {link}.\n",
            (version % 5) as i64 - i as i64,
            1 + i % 9,
            match version % 3 {
                0 => String::new(),
                1 => format!(
                    "description: \"D {version}\"\nupdated: 2025-10-0{}\n",
                    1 + version % 9
                ),
                _ => format!("description: \"E {version}\"\n"),
            },
            version % 2,
            version % 4
        ),
    );
    path
}

/// New Markdown text under unchanged front matter (the serve fast path): new headings, words,
/// summaries, and now and then an anchor link that may not resolve.
/// `site.toml` menu variants the property test switches between (the pages they name may be
/// missing at times: then both builds fail alike).
const MENUS: &[&str] = &[
    "",
    "[[menus.main]]\npage = \"@/about.md\"\n\n[[menus.main]]\npage = \"@/a/_index.md\"\nkey = \"hello\"\nweight = 1\n\n[[menus.main]]\nurl = \"/x/\"\nname = \"X\"\n",
    "[[menus.footer]]\npage = \"@/b/p1.md\"\n\n[[languages.en.menus.footer]]\npage = \"@/a/p0.md\"\nname = \"Null\"\n\n[[languages.en.menus.footer]]\npage = \"@/about.md\"\n",
];

fn body_edit(
    root: &Path,
    rng: &mut Rng,
    section: &str,
    i: usize,
    lang: &str,
    step: u64,
) -> Vec<PathBuf> {
    let suffix = if lang == "de" {
        String::new()
    } else {
        format!(".{lang}")
    };
    // An existing file of the section, in the chosen language.
    let mut files: Vec<PathBuf> = fs::read_dir(root.join("content").join(section))
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        name.ends_with(&format!("{suffix}.md")) && (lang != "de" || name.matches('.').count() == 1)
    });
    files.sort();
    if files.is_empty() {
        return vec![root.join("content").join(section)];
    }
    let path = files[(i + step as usize) % files.len()].clone();
    let text = fs::read_to_string(&path).expect("read");
    let front_matter_end = text
        .match_indices("---\n")
        .nth(1)
        .map_or(0, |(at, _)| at + 4);
    let words = "wort ".repeat(rng.below(40));
    let body = match rng.below(4) {
        0 => format!("## Kopf {step}\n\nNeu {step} {words}\n"),
        1 => format!("Kurz {step}.\n\n<!-- more -->\n\nMehr {words}\n"),
        2 => format!("## Anker {{#anker-{step}}}\n\n[hier](#anker-{step}) {words}\n"),
        _ => format!("# Titel {step}\n\n{words}\n"),
    };
    write(&path, &format!("{}{body}", &text[..front_matter_end]));
    vec![path]
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        // ludd's ownership marker is in built folders only, not in the preview's.
        if e.file_type().is_file() && e.file_name() != ".ludd-output" {
            let rel = e
                .path()
                .strip_prefix(dir)
                .expect("prefix")
                .to_string_lossy()
                .to_string();
            out.insert(rel, fs::read(e.path()).expect("read"));
        }
    }
    out
}

/// One random change to the site; returns the paths it touched.
fn mutate(root: &Path, rng: &mut Rng, step: u64) -> Vec<PathBuf> {
    let sections = ["a", "b", "c"];
    let section = sections[rng.below(3)];
    let i = rng.below(5);
    let lang = ["de", "en"][rng.below(2)];
    match rng.below(18) {
        10 | 11 | 14 => body_edit(root, rng, section, i, lang, step),
        12 => {
            // Free-form `[extra]`, shown by every page.
            let p = root.join("site.toml");
            let text = fs::read_to_string(&p).expect("read");
            let motto = text
                .lines()
                .find(|l| l.starts_with("motto"))
                .unwrap_or("motto = \"m0\"")
                .to_string();
            write(
                &p,
                &text.replace(&motto, &format!("motto = \"m{}\"", step % 3)),
            );
            vec![p]
        }
        13 => {
            // A section's pagination and its slug (which moves every page under it).
            let p = root.join(format!(
                "content/{section}/_index{}.md",
                if lang == "de" { "" } else { ".en" }
            ));
            let paginate = ["", "paginate_by: 2\n", "paginate_by: 3\n"][rng.below(3)];
            let slug = ["", "slug: neu\n"][rng.below(2)];
            write(
                &p,
                &format!(
                    "---\ntitle: Bereich {section} {step}\nweight: 1\n{paginate}{slug}description: \"S {step}\"\n---\nText {step}\n"
                ),
            );
            vec![p]
        }
        15 => {
            let p = root.join("site.toml");
            let text = fs::read_to_string(&p).expect("read");
            let head = text.split("# menus").next().unwrap_or("").to_string();
            write(
                &p,
                &format!("{head}# menus\n{}", MENUS[rng.below(MENUS.len())]),
            );
            vec![p]
        }
        16 => {
            let p = root.join("content/about.md");
            write(
                &p,
                &format!("---\nweight: 5\n---\n# Über {step}\n\nText.\n"),
            );
            vec![p]
        }
        17 => {
            // A term's or the taxonomy's own page (content/tags/<term>/_index.md, shown by the
            // generated page): new text, a new title, or none.
            let dir = ["tags/x", "tags/y", "tags/z", "tags"][rng.below(4)];
            let suffix = if lang == "de" { "" } else { ".en" };
            let p = root.join(format!("content/{dir}/_index{suffix}.md"));
            match rng.below(3) {
                0 => {
                    let _ = fs::remove_file(&p);
                }
                1 => write(
                    &p,
                    &format!("---\ntitle: Thema\n---\n## Über {step}\n\nText {step}.\n"),
                ),
                _ => write(
                    &p,
                    &format!("---\ntitle: Thema {step}\ndescription: \"T {step}\"\n---\nText.\n"),
                ),
            }
            vec![p]
        }
        0..=2 => {
            let p = page(root, section, i, lang, step);
            let mut touched = vec![p];
            if section == "c" && !root.join("content/c/_index.md").exists() {
                let idx = root.join("content/c/_index.md");
                write(&idx, "---\ntitle: Bereich c\n---\n");
                touched.push(idx);
            }
            touched
        }
        3 => {
            let suffix = if lang == "de" {
                String::new()
            } else {
                format!(".{lang}")
            };
            let p = root.join(format!("content/{section}/p{i}{suffix}.md"));
            let _ = fs::remove_file(&p);
            // A page that others link to cannot go: rewrite links by touching the next page.
            let next = root.join(format!("content/{section}/p{}{suffix}.md", i + 1));
            let mut touched = vec![p];
            if next.exists() {
                page(root, section, i + 1, lang, step);
                let _ = fs::remove_file(&next);
                touched.push(next);
            }
            touched
        }
        4 => {
            let from = root.join(format!("content/{section}/p{i}.en.md"));
            let to = root.join(format!("content/{section}/p{}.en.md", i + 10));
            if from.exists() && i > 0 {
                let _ = fs::rename(&from, &to);
            }
            vec![from, to]
        }
        5 => {
            let p = root.join("templates/page.html");
            write(
                &p,
                &PAGE.replace("<h1>", &format!("<h1 data-v=\"{step}\">")),
            );
            vec![p]
        }
        6 => {
            let p = root.join(format!("i18n/{lang}.toml"));
            write(&p, &format!("hello = \"Hallo {step}\"\n"));
            vec![p]
        }
        7 => {
            let p = root.join("static/style.css");
            write(
                &p,
                &format!("body {{ color: #{:06x} }}\n", step * 4099 % 0xffffff),
            );
            vec![p]
        }
        8 => {
            let p = root.join(format!(
                "content/{section}/_index{}.md",
                if lang == "de" { "" } else { ".en" }
            ));
            write(
                &p,
                &format!(
                    "---\ntitle: Bereich {section} {step}\nweight: {}\nsort_by: {}\n---\nText {step}\n",
                    step % 3,
                    ["weight", "date", "title"][rng.below(3)]
                ),
            );
            vec![p]
        }
        _ => {
            let p = root.join("site.toml");
            let text = fs::read_to_string(&p).expect("read");
            let fallback = if text.contains("fallback = true") {
                "fallback = false"
            } else {
                "fallback = true"
            };
            write(
                &p,
                &text
                    .replace("fallback = true", "X")
                    .replace("fallback = false", "X")
                    .replace('X', fallback),
            );
            vec![p]
        }
    }
}

/// Random changes per seed.
const STEPS: u64 = 60;

#[test]
fn incremental_rebuilds_equal_clean_builds() {
    // The preview server's output, and the hosting output (fingerprinted copies, `_headers`,
    // `_redirects`) that only a build writes.
    // Rebuilds that took the text-edit path, per mode: both modes must exercise it.
    let mut text_only = [0usize; 2];
    for (seed, mode) in [
        (1u64, Mode::Preview),
        (7, Mode::Preview),
        (42, Mode::Preview),
        (5, Mode::Preview),
        (3, Mode::Publish),
        (11, Mode::Publish),
    ] {
        let site = tempfile::tempdir().expect("tempdir");
        let root = site.path().join("site");
        fixture(&root);
        let serve_out = site.path().join("serve");
        let options = BuildOptions {
            root: root.clone(),
            mode,
            ..Default::default()
        };
        let (mut session, first) = Session::start(options.clone(), serve_out.clone());
        first.expect("first build");
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        for step in 1..=STEPS {
            let touched = mutate(&root, &mut rng, step);
            let incremental = session.rebuild(&touched);
            text_only[usize::from(mode.is_preview())] +=
                usize::from(incremental.as_ref().is_ok_and(|c| c.text_only));
            let clean_out = site.path().join(format!("clean-{step}"));
            let clean = build(&BuildOptions {
                output_dir: Some(clean_out.clone()),
                ..options.clone()
            });
            match (&incremental, &clean) {
                (Ok(_), Ok(_)) => {
                    let (a, b) = (tree(&serve_out), tree(&clean_out));
                    let a_keys: Vec<&String> = a.keys().collect();
                    let b_keys: Vec<&String> = b.keys().collect();
                    assert_eq!(
                        a_keys, b_keys,
                        "seed {seed} step {step}: file sets differ after {touched:?}"
                    );
                    for (k, v) in &a {
                        assert!(
                            v == &b[k],
                            "seed {seed} step {step}: {k} differs after {touched:?}\n--- incremental\n{}\n--- clean\n{}",
                            String::from_utf8_lossy(v),
                            String::from_utf8_lossy(&b[k])
                        );
                    }
                }
                (Err(_), Err(_)) => {}
                _ => panic!(
                    "seed {seed} step {step}: incremental {:?} but clean {:?}",
                    incremental.as_ref().err(),
                    clean.as_ref().err()
                ),
            }
            let _ = fs::remove_dir_all(&clean_out);
        }
    }
    assert!(
        text_only.iter().all(|&n| n > 0),
        "body-only edits must take the text-edit path in both modes: {text_only:?}"
    );
}

/// The fixture in a temporary folder (kept alive by the first value), its root, and a preview
/// session on it after its first build.
fn preview_session() -> (tempfile::TempDir, PathBuf, Session) {
    let site = tempfile::tempdir().expect("tempdir");
    let root = site.path().join("site");
    fixture(&root);
    let options = BuildOptions {
        root: root.clone(),
        mode: Mode::Preview,
        ..Default::default()
    };
    let (session, first) = Session::start(options, site.path().join("serve"));
    first.expect("first build");
    (site, root, session)
}

#[test]
fn a_one_page_edit_rewrites_only_what_shows_it() {
    let (_site, root, mut session) = preview_session();
    // Body-only edit: the page itself and the feeds that carry its content, nothing else.
    let path = root.join("content/a/p1.md");
    let text = fs::read_to_string(&path)
        .expect("read")
        .replace("Text 0", "Neuer Text");
    write(&path, &text);
    let changes = session.rebuild(&[path]).expect("rebuild");
    assert!(changes.text_only, "a body edit keeps the model");
    assert_eq!(
        changes.written,
        vec!["a/p1/index.html", "atom.xml", "tags/y/atom.xml"]
    );
    // No change at all: nothing is written.
    let changes = session
        .rebuild(&[root.join("content/a/p1.md")])
        .expect("rebuild");
    assert!(changes.is_empty(), "{changes:?}");
    // A CSS edit rewrites the stylesheet and the pages that carry its hash, and says so.
    let css = root.join("static/style.css");
    write(&css, "body { color: red }\n");
    let changes = session.rebuild(&[css]).expect("rebuild");
    assert!(changes.written.contains(&"style.css".to_string()));
}

/// Keeps every output's bytes.
struct Collect;

impl ludd::engine::Sink for Collect {
    type Receipt = Vec<u8>;

    fn incremental(&self) -> bool {
        true
    }

    fn accept(
        &self,
        _: &ludd::render::plan::Planned,
        output: ludd::render::output::Output,
    ) -> ludd::Result<Vec<u8>> {
        Ok(match output {
            ludd::render::output::Output::Bytes(b) => b,
            ludd::render::output::Output::Copy(p) => fs::read(p).expect("read copy"),
        })
    }
}

/// Every output's bytes and recorded reads.
fn render_everything(
    engine: &ludd::engine::Engine,
) -> Vec<(Vec<u8>, Vec<ludd::render::deps::Dep>)> {
    let mut done = engine
        .render_outputs(ludd::engine::Which::All, &Collect)
        .expect("render");
    done.sort_by_key(|d| d.index);
    done.into_iter()
        .map(|d| (d.receipt.expect("rendered"), d.deps))
        .collect()
}

/// The test that fails when a renderer reads rendered Markdown without recording it: each part
/// (title, listing fields, body) of each document is changed in memory, everything is rendered
/// again, and every output that did not record a read of that part must come out byte for byte
/// the same, while the document's own page must change (so the change is visible at all).
#[test]
fn renderers_record_every_read_of_rendered_markdown() {
    use ludd::render::deps::Part;
    use ludd::render::plan::Job;
    let site = tempfile::tempdir().expect("tempdir");
    let root = site.path().join("site");
    fixture(&root);
    for (lang, i) in [("en", 1), ("en", 2)] {
        page(&root, "b", i, lang, 1);
    }
    for mode in [Mode::Preview, Mode::Publish] {
        let options = BuildOptions {
            root: root.clone(),
            mode,
            ..Default::default()
        };
        let config = ludd::load::config::Config::load(&root).expect("config");
        let mut engine = ludd::engine::Engine::prepare(&options, config).expect("prepare");
        let baseline = render_everything(&engine);
        let original = engine.contents.clone();
        let mut checked = 0;
        for doc in ludd::model::DocId::all(engine.site.docs.len()) {
            for part in [Part::Title, Part::Listing, Part::Body] {
                let mut changed = (*original[doc]).clone();
                match part {
                    Part::Title => changed.title.push_str(" (geändert)"),
                    Part::Listing => {
                        changed.description = Some("geändert".into());
                        changed.summary = Some("<p>geändert</p>".into());
                        changed.word_count += 7;
                    }
                    Part::Body => {
                        let html = changed.html.as_str().unwrap_or_default().to_string();
                        changed.html = tera::Value::safe_string(&format!("{html}<p>geändert</p>"));
                        changed.html_hash ^= 1;
                    }
                }
                engine.contents = original.clone();
                engine.contents[doc] = std::sync::Arc::new(changed);
                engine.shared =
                    ludd::render::context::SharedValues::new(&engine.site, &engine.contents);
                let after = render_everything(&engine);
                for (index, ((before, deps), (now, _))) in baseline.iter().zip(&after).enumerate() {
                    let read = deps.iter().any(|d| d.doc == doc && d.part >= part);
                    let planned = &engine.plan[index];
                    if !read {
                        assert!(
                            before == now,
                            "{mode:?}: {} changed with the {part:?} of {} although it recorded no read of it",
                            planned.path,
                            engine.site.docs[doc].source.rel_path
                        );
                    }
                    if planned.job == (Job::Doc { id: doc, pager: 1 }) {
                        assert!(read, "{} does not record its own {part:?}", planned.path);
                        checked += usize::from(before != now);
                    }
                }
            }
        }
        assert!(
            checked >= engine.site.docs.len() * 2,
            "{mode:?}: the changes must show on the documents' own pages ({checked})"
        );
    }
}

/// Settings that no output shows (`[check]`, `[deploy]`) re-render nothing.
#[test]
fn settings_no_page_shows_rewrite_nothing() {
    let (_site, root, mut session) = preview_session();
    let config = root.join("site.toml");
    let text = fs::read_to_string(&config).expect("read");
    write(
        &config,
        &format!(
            "{text}\n[check]\nallowed_hosts = [\"media.example.org\"]\n\n[deploy]\ntarget = \"dir\"\ndestination = \"/tmp/elsewhere\"\n"
        ),
    );
    let changes = session
        .rebuild(std::slice::from_ref(&config))
        .expect("rebuild");
    assert!(!changes.text_only, "a config change rebuilds the model");
    assert!(changes.is_empty(), "{changes:?}");
    // A setting the pages do show re-renders them.
    let text = fs::read_to_string(&config).expect("read");
    write(&config, &text.replace("motto = \"m0\"", "motto = \"m1\""));
    let changes = session.rebuild(&[config]).expect("rebuild");
    assert!(
        changes.written.contains(&"a/p1/index.html".to_string()),
        "{changes:?}"
    );
}
