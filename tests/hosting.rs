//! The host files a build writes beside the site: `_headers` (security headers, caching),
//! `_redirects` (aliases, language root), `.nojekyll`, `CNAME`, the fingerprinted copies of
//! static files, and the root `404.html` in every language; and that the campaign theme's
//! pages hold under the strict Content-Security-Policy.

mod common;

use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `_headers` as path → header lines (name, value), in file order.
fn header_rules(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut rules: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix("  ") {
            let (name, value) = header.split_once(": ").expect("name: value");
            rules
                .last_mut()
                .expect("a header line follows a path")
                .1
                .push((name.to_string(), value.to_string()));
        } else {
            assert!(line.starts_with('/'), "a rule starts with a path: {line}");
            rules.push((line.to_string(), Vec::new()));
        }
    }
    rules
}

fn header<'a>(rule: &'a [(String, String)], name: &str) -> &'a str {
    rule.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {rule:?}"))
}

/// Output files whose name carries the first ten hex digits of their own blake3 hash.
fn fingerprinted_files(out: &Path) -> BTreeSet<String> {
    tree(out)
        .into_iter()
        .filter(|(path, bytes)| {
            let hash = blake3::hash(bytes).to_hex()[..10].to_string();
            path.rsplit('/')
                .next()
                .is_some_and(|name| name.contains(&format!(".{hash}")))
        })
        .map(|(path, _)| path)
        .collect()
}

#[test]
fn headers_set_a_strict_policy_and_cache_only_fingerprinted_files_forever() {
    let site = TestSite::new("multi");
    site.build_ok();
    let rules = header_rules(&site.read("_headers"));
    let (path, all) = &rules[0];
    assert_eq!(path, "/*", "the site-wide rule comes first");
    let csp = header(all, "Content-Security-Policy");
    let directives: BTreeMap<&str, &str> = csp
        .split("; ")
        .map(|d| d.split_once(' ').expect("directive and sources"))
        .collect();
    for (directive, sources) in [
        ("default-src", "'self'"),
        ("base-uri", "'self'"),
        ("form-action", "'self'"),
        ("frame-ancestors", "'none'"),
        ("object-src", "'none'"),
        ("img-src", "'self' data:"),
    ] {
        assert_eq!(directives.get(directive), Some(&sources), "{csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(
        header(all, "Referrer-Policy"),
        "strict-origin-when-cross-origin"
    );
    let permissions = header(all, "Permissions-Policy");
    for feature in [
        "camera=()",
        "microphone=()",
        "geolocation=()",
        "browsing-topics=()",
        "interest-cohort=()",
    ] {
        assert!(permissions.contains(feature), "{permissions}");
    }
    assert_eq!(header(all, "X-Content-Type-Options"), "nosniff");
    assert_eq!(
        header(all, "Cache-Control"),
        "no-cache",
        "HTML is revalidated"
    );

    // Immutable rules name exactly the files whose name carries their content hash.
    let immutable: BTreeSet<String> = rules[1..]
        .iter()
        .map(|(path, headers)| {
            assert_eq!(
                headers,
                &[(
                    "Cache-Control".to_string(),
                    "public, max-age=31536000, immutable".to_string()
                )],
                "{path}"
            );
            path.trim_start_matches('/').to_string()
        })
        .collect();
    let fingerprinted = fingerprinted_files(&site.out());
    assert!(!fingerprinted.is_empty());
    assert_eq!(immutable, fingerprinted);
    assert!(
        !immutable.contains("css/site.css"),
        "the plain name may change"
    );
    // Every page links the stylesheet by its fingerprinted name, which exists.
    for page in html_files(&site.out()) {
        let html = site.html(&page);
        for link in select(&html, r#"link[rel="stylesheet"]"#) {
            let href = link.value().attr("href").expect("href");
            assert!(
                immutable.contains(href.trim_start_matches('/')),
                "{page} links {href}"
            );
        }
    }
}

#[test]
fn extra_csp_sources_join_their_directive() {
    let site = TestSite::new("multi");
    site.edit("site.toml", |s| {
        s.replace(
            "[languages.de]",
            "[hosting.csp]\nimg-src = [\"https://img.example.org\"]\nconnect-src = [\"https://api.example.org\"]\n\n[languages.de]",
        )
    });
    site.build_ok();
    let rules = header_rules(&site.read("_headers"));
    let csp = header(&rules[0].1, "Content-Security-Policy");
    assert!(
        csp.contains("img-src 'self' data: https://img.example.org"),
        "{csp}"
    );
    assert!(
        csp.contains("connect-src 'self' https://api.example.org"),
        "{csp}"
    );
    assert!(csp.starts_with("default-src 'self';"), "{csp}");
}

#[test]
fn redirects_match_the_alias_pages() {
    let site = TestSite::new("multi");
    site.build_ok();
    let text = site.read("_redirects");
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(lines.contains(&"/alt/artikel/ /artikel/ 301!"), "{text}");
    assert!(lines.contains(&"/old.html /artikel/ 301!"), "{text}");
    assert!(
        !lines.iter().any(|l| l.starts_with("/ ")),
        "no language root rules when the default language is at /: {text}"
    );
    // Every alias page written is redirected, and every redirect has its page.
    let alias_pages: BTreeSet<String> = html_files(&site.out())
        .into_iter()
        .filter(|p| site.read(p).contains("http-equiv=\"refresh\""))
        .map(|p| file_to_url(&p))
        .collect();
    let redirected: BTreeSet<String> = lines
        .iter()
        .map(|l| l.split(' ').next().expect("source").to_string())
        .collect();
    assert_eq!(alias_pages, redirected);
}

#[test]
fn redirects_send_the_language_root_to_a_language() {
    let site = TestSite::new("multi");
    site.edit("site.toml", |s| {
        s.replace(
            "default_language = \"de\"\n",
            "default_language = \"de\"\ndefault_language_in_subdir = true\n",
        )
    });
    site.build_ok();
    let text = site.read("_redirects");
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(lines.contains(&"/old.html /de/artikel/ 301!"), "{text}");
    let root: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("/ "))
        .collect();
    assert_eq!(
        root,
        [
            "/ /de/ 302! Language=de",
            "/ /en/ 302! Language=en",
            "/ /ar/ 302! Language=ar",
            "/ /de/ 302",
        ],
        "language conditions first, then the plain fallback"
    );
    assert!(
        site.exists("index.html"),
        "the chooser stays for other hosts"
    );
}

#[test]
fn github_pages_files_and_switches() {
    let site = TestSite::new("multi");
    site.build_ok();
    assert_eq!(site.read(".nojekyll"), "");
    assert!(!site.exists("CNAME"), "no CNAME unless configured");
    site.edit("site.toml", |s| {
        s.replace(
            "[languages.de]",
            "[hosting]\ncname = \"www.example.org\"\nheaders = false\nredirects = false\nnojekyll = false\n\n[languages.de]",
        )
    });
    site.build_ok();
    assert_eq!(site.read("CNAME"), "www.example.org\n");
    for gone in ["_headers", "_redirects", ".nojekyll"] {
        assert!(!site.exists(gone), "{gone}");
    }
}

#[test]
fn a_sites_own_host_file_wins() {
    let site = TestSite::new("multi");
    site.write("static/_headers", "/*\n  X-Own: yes\n");
    site.build_ok();
    assert_eq!(site.read("_headers"), "/*\n  X-Own: yes\n");
}

#[test]
fn hosting_and_deploy_config_is_strict() {
    for (table, expected) in [
        (
            "[hosting]\ncname = \"https://x.org/\"\n",
            "is not a domain name",
        ),
        (
            "[hosting.csp]\nscript-src = [\"'unsafe-inline'\"]\n",
            "cannot be used",
        ),
        (
            "[hosting.csp]\nscript = [\"https://x.org\"]\n",
            "not a CSP directive",
        ),
        ("[hosting]\nheader = true\n", "unknown key `header`"),
        ("[deploy]\ntarget = \"s3\"\n", "needs `bucket`"),
        ("[deploy]\ntarget = \"dir\"\n", "needs `destination`"),
        ("[deploy]\ntarget = \"ftp\"\n", "unknown variant `ftp`"),
        (
            "[deploy]\ntarget = \"s3\"\nbucket = \"b\"\nsecret_access_key = \"abc\"\n",
            "must not hold credentials",
        ),
    ] {
        let site = TestSite::new("basic");
        site.edit("site.toml", |s| format!("{s}\n{table}"));
        let run = site.build(&[]).failed();
        assert!(run.stderr.contains(expected), "{table}\n{}", run.stderr);
        assert!(run.stderr.contains("site.toml:"), "{}", run.stderr);
    }
    let site = TestSite::new("basic");
    site.edit("site.toml", |s| {
        format!("{s}\n[deploy]\ntarget = \"s3\"\nbucket = \"b\"\naccess_key_id = \"AKIA-SECRET\"\nsecret_access_key = \"x\"\n")
    });
    let run = site.build(&[]).failed();
    assert!(
        run.stderr.contains("must not hold credentials"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("AWS_ACCESS_KEY_ID"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("AKIA-SECRET"),
        "secrets are not echoed: {}",
        run.stderr
    );
}

#[test]
fn the_root_404_speaks_every_language() {
    let site = TestSite::new("multi");
    site.build_ok();
    let root = site.html("404.html");
    assert_eq!(attr(&root, "html", "lang"), "de");
    assert_eq!(text(one(&root, "h1")), "Nicht gefunden");
    let others: Vec<(String, String, String, String)> = select(&root, "section.other-404")
        .into_iter()
        .map(|s| {
            let link = s
                .select(&sel("a"))
                .next()
                .expect("a home link in each language");
            (
                s.value().attr("lang").unwrap_or_default().to_string(),
                s.value().attr("dir").unwrap_or_default().to_string(),
                text(s.select(&sel("h2")).next().expect("h2")),
                link.value().attr("href").unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        others,
        [
            ("en".into(), "ltr".into(), "Not found".into(), "/en/".into()),
            ("ar".into(), "rtl".into(), "غير موجود".into(), "/ar/".into()),
        ]
    );
    assert!(
        select(&root, "script").is_empty(),
        "works without JavaScript"
    );
    // Each language's own 404 shows only its language.
    let en = site.html("en/404.html");
    assert_eq!(attr(&en, "html", "lang"), "en");
    assert!(select(&en, "section.other-404").is_empty());
}

#[test]
fn the_root_404_exists_beside_each_language_folder() {
    let site = TestSite::new("multi");
    site.edit("site.toml", |s| {
        s.replace(
            "default_language = \"de\"\n",
            "default_language = \"de\"\ndefault_language_in_subdir = true\n",
        )
    });
    site.build_ok();
    for file in ["404.html", "de/404.html", "en/404.html", "ar/404.html"] {
        assert!(site.exists(file), "{file}");
    }
    assert_eq!(select(&site.html("404.html"), "section.other-404").len(), 2);
    assert!(select(&site.html("de/404.html"), "section.other-404").is_empty());
}

/// The campaign site (content/ and themes/campaign of this repository) under the policy in
/// `_headers`: no inline script or style, no style attributes, no event handler attributes,
/// no `javascript:` URLs, and every script and style sheet from the site itself.
#[test]
fn the_campaign_theme_needs_nothing_the_policy_forbids() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("public");
    let out_arg = out.to_str().expect("utf-8 path");
    let run = ludd(
        tmp.path(),
        &[
            "--root",
            repo.to_str().expect("utf-8 path"),
            "build",
            "-o",
            out_arg,
        ],
    )
    .ok();
    assert!(run.stdout.contains("built"), "{}", run.stdout);
    let mut problems = Vec::new();
    let pages = html_files(&out);
    assert!(pages.len() > 10, "{pages:?}");
    for page in &pages {
        let html = scraper::Html::parse_document(&read_text(&out.join(page)));
        for el in html
            .root_element()
            .descendants()
            .filter_map(scraper::ElementRef::wrap)
        {
            let v = el.value();
            if v.name() == "style" {
                problems.push(format!("{page}: <style> element"));
            }
            if v.name() == "script" && v.attr("src").is_none() {
                problems.push(format!("{page}: inline <script>"));
            }
            for (name, value) in v.attrs() {
                if name == "style" {
                    problems.push(format!("{page}: style attribute on <{}>", v.name()));
                }
                if name.starts_with("on") {
                    problems.push(format!("{page}: {name} attribute on <{}>", v.name()));
                }
                if value
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("javascript:")
                {
                    problems.push(format!("{page}: javascript: URL"));
                }
            }
            let external = match v.name() {
                "script" => v.attr("src"),
                "link" if v.attr("rel") == Some("stylesheet") => v.attr("href"),
                _ => None,
            };
            if let Some(url) = external.filter(|u| !u.starts_with('/') || u.starts_with("//")) {
                problems.push(format!("{page}: loads {url} from elsewhere"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn shortcodes_link_fingerprinted_assets_too() {
    let site = TestSite::new("basic");
    site.write(
        "static/img/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site.write(
        "templates/shortcodes/logo.html",
        "<img class=\"logo\" src=\"{{ asset(path='img/logo.svg') }}\" alt=\"\">",
    );
    site.edit("content/seite.md", |s| {
        s.replace("Ein Absatz.", "Ein Absatz.\n\n{{ logo() }}")
    });
    site.build_ok();
    let src = attr(&site.page("/seite/"), "img.logo", "src");
    let hash = &blake3::hash(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>").to_hex()[..10];
    assert_eq!(src, format!("/img/logo.{hash}.svg"));
    assert!(site.exists(src.trim_start_matches('/')), "{src}");

    // The preview server writes no fingerprinted copies: its shortcodes link `?h=` URLs.
    #[cfg(feature = "serve")]
    {
        let out = site.tmp().join("serve");
        let options = ludd::engine::BuildOptions {
            root: site.root.clone(),
            mode: ludd::engine::Mode::Preview,
            ..Default::default()
        };
        let (_session, first) = ludd::engine::session::Session::start(options, out.clone());
        first.expect("serve build");
        let page = scraper::Html::parse_document(&read_text(&out.join("seite/index.html")));
        assert_eq!(
            attr(&page, "img.logo", "src"),
            format!("/img/logo.svg?h={hash}")
        );
        assert!(!out.join("_headers").exists());
        assert!(!out.join(format!("img/logo.{hash}.svg")).exists());
    }
}

/// The basic fixture with a logo that a shortcode in `seite.md` links through `asset()`, and a
/// 4 MB download in `static/` that no template links that way.
fn site_with_logo_and_download() -> (TestSite, Vec<u8>) {
    let site = TestSite::new("basic");
    site.write("static/img/logo.svg", LOGO);
    let download: Vec<u8> = (0..4u32 << 20).map(|i| (i % 251) as u8).collect();
    site.write("static/material/kampagne.zip", &download);
    site.write(
        "templates/shortcodes/logo.html",
        "<img class=\"logo\" src=\"{{ asset(path='img/logo.svg') }}\" alt=\"\">",
    );
    site.edit("content/seite.md", |s| {
        s.replace("Ein Absatz.", "Ein Absatz.\n\n{{ logo() }}")
    });
    (site, download)
}

const LOGO: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";

/// The fingerprinted name of a static file at `rel` with `bytes`.
fn fingerprinted_name(rel: &str, bytes: &[u8]) -> String {
    let hash = &blake3::hash(bytes).to_hex()[..10];
    let (stem, ext) = rel.rsplit_once('.').expect("extension");
    format!("{stem}.{hash}.{ext}")
}

#[test]
fn only_static_files_linked_by_asset_get_a_fingerprinted_copy() {
    use std::os::unix::fs::MetadataExt;
    let (site, download) = site_with_logo_and_download();
    site.build_ok();
    let out = tree(&site.out());
    // The download is in the output once: no hashed copy of it.
    let copies: Vec<&String> = out
        .iter()
        .filter(|(_, bytes)| **bytes == download)
        .map(|(path, _)| path)
        .collect();
    assert_eq!(copies, ["material/kampagne.zip"]);
    // The logo has its hashed copy, written once: a hard link of the plain file.
    let logo = fingerprinted_name("img/logo.svg", LOGO.as_bytes());
    assert_eq!(out.get(&logo).map(Vec::as_slice), Some(LOGO.as_bytes()));
    let inode = |rel: &str| {
        std::fs::metadata(site.out().join(rel))
            .expect("metadata")
            .ino()
    };
    assert_eq!(inode(&logo), inode("img/logo.svg"));
    // `_headers` marks exactly the linked copy immutable.
    let immutable: Vec<String> = header_rules(&site.read("_headers"))[1..]
        .iter()
        .map(|(path, _)| path.clone())
        .collect();
    assert_eq!(immutable, [format!("/{logo}")]);
    // `ludd check` renders the same outputs: the page's link to the copy is not broken.
    let check = site.run(&["check"]).no_panic();
    let said = format!("{}{}", check.stdout, check.stderr);
    assert!(!said.contains(&logo), "{said}");
}

/// An incremental rebuild renders only what changed: a fingerprinted copy linked by a page that
/// is not rendered again stays, and a changed file's new copy replaces the old one.
#[test]
fn incremental_rebuilds_keep_the_copies_of_linked_files() {
    let (site, download) = site_with_logo_and_download();
    let out = site.tmp().join("watch");
    let options = ludd::engine::BuildOptions {
        root: site.root.clone(),
        mode: ludd::engine::Mode::Publish,
        ..Default::default()
    };
    let (mut session, first) = ludd::engine::session::Session::start(options, out.clone());
    first.expect("first build");
    let logo = fingerprinted_name("img/logo.svg", LOGO.as_bytes());
    let download_copy = fingerprinted_name("material/kampagne.zip", &download);
    assert!(out.join(&logo).is_file());
    assert!(!out.join(&download_copy).exists());

    // A new model in which `seite.md`'s page is current and not rendered again.
    site.edit("content/andere.md", |s| {
        s.replace("\"Andere\"", "\"Anders\"")
    });
    let changes = session
        .rebuild(&[site.path("content/andere.md")])
        .expect("rebuild");
    assert!(
        !changes.written.iter().any(|p| p.starts_with("seite/")),
        "{changes:?}"
    );
    assert!(out.join(&logo).is_file(), "{changes:?}");
    assert!(read_text(&out.join("_headers")).contains(&logo));

    let new_logo = LOGO.replace("/>", "><title>Logo</title></svg>");
    site.write("static/img/logo.svg", &new_logo);
    let changes = session
        .rebuild(&[site.path("static/img/logo.svg")])
        .expect("rebuild");
    let renamed = fingerprinted_name("img/logo.svg", new_logo.as_bytes());
    assert!(out.join(&renamed).is_file(), "{changes:?}");
    assert!(!out.join(&logo).exists(), "{changes:?}");
    assert!(read_text(&out.join("seite/index.html")).contains(&renamed));
}
