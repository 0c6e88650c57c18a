//! Sites moving over from Zola and Hugo (issue 13): a site under a base path (every emitted URL
//! checked), languages without a home page, nested bundle assets, per-language heading ids,
//! publish and expiry dates, `path` and permalinks, relative aliases, term pages, the
//! folder-per-language layout and shortcode syntax.

mod common;

use common::*;
use scraper::Html;
use std::path::Path;

const PROJECT: &str = "https://user.github.io/project";

/// Every URL in an output file: HTML attributes, CSS `url()`, XML links and host files.
fn urls_in(rel: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    if rel.ends_with(".html") {
        let html = Html::parse_document(text);
        for el in select(
            &html,
            "[href], [src], [srcset], [action], [content], [poster]",
        ) {
            for name in ["href", "src", "action", "poster"] {
                if let Some(v) = el.value().attr(name) {
                    found.push(v.to_string());
                }
            }
            if let Some(v) = el.value().attr("srcset") {
                found.extend(
                    v.split(',')
                        .filter_map(|c| c.split_whitespace().next().map(str::to_string)),
                );
            }
            // `<meta http-equiv=refresh content="0; url=…">` and `og:` URLs.
            if let Some(v) = el.value().attr("content") {
                if let Some((_, url)) = v.split_once("url=") {
                    found.push(url.to_string());
                } else if v.starts_with('/') || v.starts_with("http") {
                    found.push(v.to_string());
                }
            }
        }
    } else if rel.ends_with(".css") {
        for part in text.split("url(").skip(1) {
            let url = part.split(')').next().unwrap_or("");
            found.push(url.trim_matches(['"', '\'']).to_string());
        }
    } else if rel.ends_with(".xml") {
        let doc = parse_xml(text);
        for node in doc.descendants() {
            if node.has_tag_name("loc") || node.has_tag_name("id") {
                found.extend(node.text().map(str::to_string));
            }
            if let Some(href) = node.attribute("href") {
                found.push(href.to_string());
            }
        }
    } else if rel == "_redirects" || rel == "_headers" {
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            if rel == "_headers" && line.starts_with(' ') {
                continue;
            }
            found.extend(
                line.split_whitespace()
                    .take(2)
                    .filter(|w| w.starts_with('/'))
                    .map(str::to_string),
            );
        }
    } else if rel == "robots.txt" {
        found.extend(
            text.lines()
                .filter_map(|l| l.strip_prefix("Sitemap: "))
                .map(str::to_string),
        );
    }
    found
}

/// Whether `url` leaves the site's base path (root-relative or on the site's host).
fn misses_base_path(url: &str) -> bool {
    let host_relative = if let Some(rest) = url.strip_prefix("https://user.github.io") {
        rest
    } else if url.starts_with('/') && !url.starts_with("//") {
        url
    } else {
        return false;
    };
    !(host_relative == "/project" || host_relative.starts_with("/project/"))
}

#[test]
fn every_url_of_a_site_under_a_base_path_carries_the_path() {
    let site = TestSite::new("multi");
    site.edit("site.toml", |s| {
        s.replace(
            "base_url = \"https://example.com\"",
            &format!("base_url = \"{PROJECT}/\""),
        )
    });
    site.write("content/blog/vier.md", "---\ntitle: Vier\ndate: 2025-01-04\naliases: [\"/alt/vier/\", \"vier-alt\"]\ntags: [Klima]\n---\nText mit [Link](@/artikel.md).\n");
    site.build_ok();
    let mut checked = 0;
    for rel in site.files() {
        let Ok(text) = std::fs::read_to_string(site.out().join(&rel)) else {
            continue;
        };
        for url in urls_in(&rel, &text) {
            checked += 1;
            assert!(!misses_base_path(&url), "{rel}: `{url}` misses /project/");
        }
    }
    assert!(checked > 200, "only {checked} URLs seen");
    // Pages are written at the output root, their URLs carry the path.
    let home = site.html("index.html");
    assert_eq!(
        attr(&home, r#"link[rel="canonical"]"#, "href"),
        format!("{PROJECT}/")
    );
    assert!(
        site.exists("alt/vier/index.html"),
        "root alias at the output root"
    );
    assert!(
        site.exists("blog/vier-alt/index.html"),
        "relative alias next to the page"
    );
    let redirects = site.read("_redirects");
    assert!(
        redirects.contains("/project/alt/vier/ /project/blog/vier/ 301!"),
        "{redirects}"
    );
    assert!(
        site.read("robots.txt")
            .contains(&format!("Sitemap: {PROJECT}/sitemap.xml"))
    );
    // And the link checker agrees: no broken link anywhere.
    let check = site.run(&["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&check.stdout).expect("json report");
    let broken: Vec<_> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["check"] == "broken-link" || f["check"] == "broken-anchor")
        .collect();
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn check_flags_root_relative_links_that_miss_the_base_path() {
    let site = TestSite::new("multi");
    site.edit("site.toml", |s| {
        s.replace(
            "base_url = \"https://example.com\"",
            &format!("base_url = \"{PROJECT}\""),
        )
    });
    site.edit("content/kontakt.md", |s| {
        s + "\nSiehe [Artikel](/artikel/) und [richtig](/project/artikel/).\n"
    });
    let run = site.run(&["check", "--format", "json"]).failed();
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json report");
    let broken: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["check"] == "broken-link")
        .map(|f| {
            format!(
                "{} {}",
                f["page"].as_str().unwrap_or(""),
                f["target"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        broken,
        vec!["kontakt/index.html /artikel/".to_string()],
        "{}",
        run.stdout
    );
    let message = report["findings"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("outside the base path /project/"),
        "{message}"
    );
}

#[test]
fn the_campaign_site_under_a_base_path_passes_its_checks() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in [
        "content",
        "themes",
        "site.toml",
        "static",
        "templates",
        "i18n",
        "data",
    ] {
        let from = repo.join(part);
        if from.is_dir() {
            copy_dir(&from, &root.join(part));
        } else if from.is_file() {
            std::fs::create_dir_all(&root).expect("mkdir");
            std::fs::copy(&from, root.join(part)).expect("copy");
        }
    }
    let root_str = root.to_str().expect("utf-8");
    let run = ludd(
        tmp.path(),
        &[
            "--root",
            root_str,
            "check",
            "--format",
            "json",
            "--base-url",
            PROJECT,
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json report");
    // The campaign's Markdown links its illustrations as `/img/…`, which misses the path: that
    // is the content's to fix, and exactly what the check must report. Everything ludd writes
    // itself must pass.
    let broken: Vec<_> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["check"] == "broken-link" || f["check"] == "broken-anchor")
        .filter(|f| !f["target"].as_str().unwrap_or("").starts_with("/img/"))
        .collect();
    assert!(broken.is_empty(), "{broken:#?}");
    let out = tmp.path().join("out");
    let out_str = out.to_str().expect("utf-8");
    ludd(
        tmp.path(),
        &[
            "--root",
            root_str,
            "build",
            "--base-url",
            PROJECT,
            "--output",
            out_str,
        ],
    )
    .ok();
    for rel in list_files(&out) {
        let Ok(text) = std::fs::read_to_string(out.join(&rel)) else {
            continue;
        };
        for url in urls_in(&rel, &text) {
            // (the content's own `/img/…` links, see above)
            let from_content = url.starts_with("/img/");
            assert!(
                from_content || !misses_base_path(&url),
                "{rel}: `{url}` misses /project/"
            );
        }
    }
}

/// The hrefs of `css` elements.
fn hrefs(html: &Html, css: &str) -> Vec<String> {
    select(html, css)
        .into_iter()
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect()
}

#[test]
fn languages_without_a_home_page_get_an_empty_one_marked_as_fallback() {
    let site = TestSite::new("migrate");
    site.write("content/_index.en.md", "---\ntitle: Home\n---\nWelcome.\n");
    site.write("content/seite.es.md", "---\ntitle: Página\n---\nTexto.\n");
    site.build_ok();
    for (file, lang, fallback) in [
        ("index.html", "de", "false"),
        ("en/index.html", "en", "false"),
        ("es/index.html", "es", "true"),
        ("ru/index.html", "ru", "true"),
    ] {
        let html = site.html(file);
        assert_eq!(attr(&html, "html", "lang"), lang, "{file}");
        assert_eq!(attr(&html, "main", "data-fallback"), fallback, "{file}");
        // The switcher of every home links every other home, and each of those exists.
        for href in hrefs(&html, "a.lang") {
            assert!(url_exists(&site.out(), &href), "{file} links {href}");
        }
    }
    // The generated Spanish home lists the Spanish page and takes the language's title.
    let es = site.html("es/index.html");
    assert_eq!(hrefs(&es, "ul a"), vec!["/es/seite/".to_string()]);
    assert_eq!(text(one(&es, "h1")), "Umzug");
    // And it is reported as a fallback, not as a translation.
    let check = site.run(&["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&check.stdout).expect("json");
    let row = report["translations"]["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["page"] == "_index.md")
        .cloned()
        .expect("home row");
    assert_eq!(row["status"]["en"], "present", "{row}");
    assert_eq!(row["status"]["es"], "fallback", "{row}");
    let broken = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["check"] == "broken-link")
        .count();
    assert_eq!(broken, 0, "{}", check.stdout);
}

#[test]
fn files_in_sub_folders_of_a_bundle_keep_their_folders() {
    let site = TestSite::new("migrate");
    site.write(
        "content/blog/post/index.md",
        "---\ntitle: Post\n---\n[A](img/a.png) and [the data](data/2025/table.csv).\n",
    );
    site.write(
        "content/blog/post/index.en.md",
        "---\ntitle: Post\n---\nText.\n",
    );
    site.write("content/blog/post/cover.png", "cover");
    site.write("content/blog/post/img/a.png", "a");
    site.write("content/blog/post/img/b.png", "b");
    site.write("content/blog/post/data/2025/table.csv", "x,y");
    site.build_ok();
    for rel in [
        "blog/post/cover.png",
        "blog/post/img/a.png",
        "blog/post/img/b.png",
        "blog/post/data/2025/table.csv",
        "en/blog/post/img/a.png",
    ] {
        assert!(site.exists(rel), "{rel} missing: {:?}", site.files());
    }
    assert_eq!(site.read("blog/post/img/b.png"), "b");
    let page = site.page("/blog/post/");
    assert_eq!(
        hrefs(&page, "ul.assets a"),
        vec![
            "/blog/post/cover.png",
            "/blog/post/data/2025/table.csv",
            "/blog/post/img/a.png",
            "/blog/post/img/b.png"
        ]
    );
    site.run(&["check"]).ok();
}

#[test]
fn heading_ids_and_slugs_follow_the_page_language() {
    let site = TestSite::new("migrate");
    let body = "## Soporte multilingüe\n\n## Über uns\n\n## Введение\n\n## Настройка\n\n## مقدمة\n\n## 快速开始\n\n[oben](#soporte-multilingue)\n";
    site.write(
        "content/seite.es.md",
        format!("---\ntitle: Página\n---\n{body}"),
    );
    site.write(
        "content/seite.ru.md",
        format!("---\ntitle: Страница\n---\n{body}"),
    );
    site.write(
        "content/Größe Übersicht.md",
        "---\ntitle: Größe\n---\n## Größe und Maß\n",
    );
    site.write(
        "content/Größe Übersicht.es.md",
        "---\ntitle: Tamaño\n---\n## Año\n",
    );
    site.build_ok();
    let ids = |url: &str| -> Vec<String> {
        let html = site.page(url);
        select(&html, "div.content h2")
            .into_iter()
            .filter_map(|h| h.value().attr("id").map(str::to_string))
            .collect()
    };
    let expected = vec![
        "soporte-multilingue",
        "uber-uns",
        "введение",
        "настройка",
        "مقدمة",
        "快速开始",
    ];
    assert_eq!(ids("/es/seite/"), expected);
    assert_eq!(ids("/ru/seite/"), expected);
    assert_eq!(ids("/seite/"), vec!["ueber-uns"]);
    // German file names transliterate German-style, the same file's Spanish version does not.
    assert_eq!(ids("/groesse-uebersicht/"), vec!["groesse-und-mass"]);
    assert_eq!(ids("/es/grosse-ubersicht/"), vec!["ano"]);
    site.run(&["check"]).ok();
}

#[test]
fn publish_and_expiry_dates_hide_pages_unless_asked() {
    let site = TestSite::new("migrate");
    site.write(
        "content/embargo.md",
        "---\ntitle: Embargo\npublish_date: 2999-01-01\n---\nGeheim.\n",
    );
    site.write(
        "content/alt.md",
        "---\ntitle: Alt\nexpiry_date: 2001-01-01T00:00:00Z\n---\nVorbei.\n",
    );
    site.write(
        "content/jetzt.md",
        "---\ntitle: Jetzt\npublish_date: 2001-01-01\nexpiry_date: 2999-01-01\n---\nDa.\n",
    );
    site.build_ok();
    assert!(site.exists("jetzt/index.html"));
    assert!(!site.exists("embargo/index.html"), "future page published");
    assert!(!site.exists("alt/index.html"), "expired page published");
    assert!(!site.read("sitemap.xml").contains("/embargo/"));
    assert!(!site.read("index.html").contains("/embargo/"));
    site.build(&["--future"]).ok();
    assert!(site.exists("embargo/index.html"));
    assert!(!site.exists("alt/index.html"));
    site.build(&["--expired", "--future"]).ok();
    assert!(site.exists("alt/index.html") && site.exists("embargo/index.html"));
    site.build(&["-F", "-E"]).ok();
    assert!(site.exists("alt/index.html"));
    site.build(&[]).ok();
    assert!(!site.exists("alt/index.html"), "flags left over");
    // `ludd check` lists what is still to come.
    let check = site.run(&["check"]).ok();
    assert!(
        check.stdout.contains("upcoming")
            && check.stdout.contains("content/embargo.md")
            && check.stdout.contains("2999-01-01"),
        "{}",
        check.stdout
    );
}

#[test]
fn a_build_goes_out_of_date_when_a_publish_date_passes() {
    let site = TestSite::new("migrate");
    // Two seconds from now: the first build hides it, a build after that shows it although no
    // input changed.
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2);
    site.write(
        "content/bald.md",
        format!("---\ntitle: Bald\npublish_date: {soon}\n---\nGleich.\n"),
    );
    site.build_ok();
    assert!(!site.exists("bald/index.html"));
    std::thread::sleep(std::time::Duration::from_millis(2500));
    site.build_ok();
    assert!(
        site.exists("bald/index.html"),
        "the up-to-date shortcut kept the old output"
    );
}

#[test]
fn aliases_are_relative_to_the_page_and_per_language() {
    let site = TestSite::new("migrate");
    site.write("content/post/_index.md", "---\ntitle: Posts\n---\n");
    site.write("content/post/_index.en.md", "---\ntitle: Posts\n---\n");
    site.write(
        "content/post/a.md",
        "---\ntitle: A\naliases: [\"alt\", \"/ganz/alt/\", \"/archiv/*\"]\n---\nText.\n",
    );
    site.write(
        "content/post/a.en.md",
        "---\ntitle: A\naliases: [\"alt\"]\n---\nText.\n",
    );
    site.build_ok();
    assert!(site.exists("post/alt/index.html"));
    assert!(site.exists("en/post/alt/index.html"));
    assert!(site.exists("ganz/alt/index.html"));
    assert!(
        !site.files().iter().any(|f| f.contains('*')),
        "a folder named *: {:?}",
        site.files()
    );
    let redirects = site.read("_redirects");
    for line in [
        "/post/alt/ /post/a/ 301!",
        "/en/post/alt/ /en/post/a/ 301!",
        "/ganz/alt/ /post/a/ 301!",
        "/archiv/* /post/a/ 301",
    ] {
        assert!(
            redirects.lines().any(|l| l == line),
            "{line} missing:\n{redirects}"
        );
    }
    let alias = site.html("en/post/alt/index.html");
    assert_eq!(
        attr(&alias, r#"link[rel="canonical"]"#, "href"),
        "https://example.com/en/post/a/"
    );
}

#[test]
fn hugo_folder_per_language_layout_with_content_dir() {
    let site = TestSite::new("migrate");
    site.remove("content");
    site.write("content/en/_index.md", "---\ntitle: Home\n---\nHello.\n");
    site.write("content/en/posts/_index.md", "---\ntitle: Posts\n---\n");
    site.write(
        "content/en/posts/hello.md",
        "---\ntitle: Hello\n---\nSee [the other](@/posts/bundle/index.md).\n",
    );
    site.write(
        "content/en/posts/bundle/index.md",
        "---\ntitle: Bundle\n---\n[x](img/x.png)\n",
    );
    site.write("content/en/posts/bundle/img/x.png", "en");
    site.write(
        "content/ru/_index.md",
        "---\ntitle: Главная\n---\nПривет.\n",
    );
    site.write("content/ru/posts/_index.md", "---\ntitle: Записи\n---\n");
    site.write(
        "content/ru/posts/hello.md",
        "---\ntitle: Привет\n---\n## Введение\n\nТекст.\n",
    );
    site.write(
        "content/ru/posts/bundle/index.md",
        "---\ntitle: Пакет\n---\n[x](img/x.png)\n",
    );
    site.write("content/ru/posts/bundle/img/x.png", "ru");
    // Moved over as it is, the folders would land in the default language: an error with the fix.
    let run = site.build(&[]).failed();
    assert!(
        run.stderr.contains("content/en") && run.stderr.contains("content_dir = \"en\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("content/ru"), "{}", run.stderr);
    site.edit("site.toml", |s| {
        s.replace("default_language = \"de\"", "default_language = \"en\"")
            .replace("[languages.de]\nname = \"Deutsch\"\n\n", "")
            .replace(
                "title = \"Moving\"",
                "title = \"Moving\"\ncontent_dir = \"content/en\"",
            )
            .replace(
                "name = \"Русский\"",
                "name = \"Русский\"\ncontent_dir = \"ru\"",
            )
    });
    site.build_ok();
    let home = site.html("index.html");
    assert_eq!(attr(&home, "html", "lang"), "en");
    let ru = site.page("/ru/posts/hello/");
    assert_eq!(attr(&ru, "html", "lang"), "ru");
    assert_eq!(text(one(&ru, "h1")), "Привет");
    assert_eq!(attr(&ru, "div.content h2", "id"), "введение");
    // Translations are linked by their path inside the language folders.
    let hreflang = hreflangs(&ru);
    assert_eq!(
        hreflang.get("en").map(String::as_str),
        Some("https://example.com/posts/hello/"),
        "{hreflang:?}"
    );
    assert_eq!(site.read("posts/bundle/img/x.png"), "en");
    assert_eq!(site.read("ru/posts/bundle/img/x.png"), "ru");
    assert!(!site.exists("ru/ru/posts/bundle/img/x.png") && !site.exists("en/index.html"));
    site.run(&["check"]).ok();
}

#[test]
fn hugo_shortcodes_are_errors_and_zola_escapes_print_the_call() {
    let site = TestSite::new("migrate");
    site.write(
        "content/seite.md",
        "---\ntitle: Seite\n---\nText.\n\n{{< youtube dQw4w9 >}}\n",
    );
    let run = site.build(&[]).failed();
    assert!(
        run.stderr.contains("content/seite.md:6")
            && run.stderr.contains("{{ youtube(arg1=\"dQw4w9\") }}"),
        "{}",
        run.stderr
    );
    site.write(
        "content/seite.md",
        "---\ntitle: Seite\n---\nSo: {{/* hinweis() */}}\n\n```\n{{/* hinweis(body=\"x\") */}}\n```\n\n{% hinweis(a=1 b=\"zwei\") %}Ohne Kommas{% end %}\n",
    );
    site.build_ok();
    let html = site.read("seite/index.html");
    assert!(html.contains("So: {{ hinweis() }}"), "{html}");
    assert!(
        html.contains("<code>{{ hinweis(body=&quot;x&quot;) }}"),
        "{html}"
    );
    assert!(!html.contains("/*"), "{html}");
    assert!(
        html.contains("<aside class=\"hinweis\"><p>Ohne Kommas</p>"),
        "{html}"
    );
}

#[test]
fn shortcodes_receive_the_page_they_are_called_from() {
    let site = TestSite::new("migrate");
    site.write(
        "templates/shortcodes/galerie.html",
        "<p class=\"g\" data-title=\"{{ page.title }}\" data-lang=\"{{ page.lang }}\" data-url=\"{{ page.permalink }}\">{% for a in page.assets %}<img src=\"{{ a }}\" alt=\"\">{% endfor %}</p>",
    );
    site.write(
        "content/reise/index.es.md",
        "---\ntitle: Viaje\n---\n{{ galerie() }}\n",
    );
    site.write(
        "content/reise/index.md",
        "---\ntitle: Reise\n---\n{{ galerie() }}\n",
    );
    site.write("content/reise/fotos/1.png", "1");
    site.write("content/reise/fotos/2.png", "2");
    site.build_ok();
    let es = site.page("/es/reise/");
    let p = one(&es, "p.g");
    assert_eq!(p.value().attr("data-title"), Some("Viaje"));
    assert_eq!(p.value().attr("data-lang"), Some("es"));
    assert_eq!(
        p.value().attr("data-url"),
        Some("https://example.com/es/reise/")
    );
    let srcs: Vec<&str> = p
        .select(&sel("img"))
        .filter_map(|i| i.value().attr("src"))
        .collect();
    assert_eq!(srcs, vec!["/es/reise/fotos/1.png", "/es/reise/fotos/2.png"]);
    site.run(&["check"]).ok();
}

#[test]
fn front_matter_reports_every_unknown_key_with_the_ludd_name() {
    let site = TestSite::new("migrate");
    site.write(
        "content/seite.md",
        "---\ntitle: Seite\nlastmod: 2025-01-02\nsummary: Kurz\ncategories: [a]\nlinkTitle: S\nauthor: Ada\nfoo: 1\n---\nText.\n",
    );
    site.write(
        "content/andere.md",
        "+++\ntitle = \"A\"\npublishDate = 2025-01-01\nurl = \"/x/\"\n+++\n",
    );
    let run = site.build(&[]).failed();
    let err = &run.stderr;
    for (line, hint) in [
        ("content/seite.md:3", "`updated`"),
        ("content/seite.md:4", "`description`"),
        ("content/seite.md:5", "taxonomies = ["),
        ("content/seite.md:6", "extra.link_title"),
        ("content/seite.md:7", "extra.author"),
        ("content/seite.md:8", "unknown front matter key `foo`"),
        ("content/andere.md:3", "`publish_date`"),
        ("content/andere.md:4", "`path`"),
    ] {
        let found = err.lines().any(|l| l.contains(line)) && err.contains(hint);
        assert!(found, "{line} / {hint} missing:\n{err}");
    }
    assert!(err.contains("8 errors"), "{err}");
}

#[test]
fn path_permalinks_redirect_to_and_render_false() {
    let site = TestSite::new("migrate");
    site.edit("site.toml", |s| {
        s.replace(
            "output_dir = \"public\"\n",
            "output_dir = \"public\"\n\n[permalinks]\nblog = \"/p/:year/:month/:slug/\"\n\"blog/kurz\" = \"/k/:title/\"\n",
        )
    });
    site.write("content/blog/_index.md", "---\ntitle: Blog\n---\n");
    site.write(
        "content/blog/erster.md",
        "---\ntitle: Erster\ndate: 2025-03-04\n---\nText.\n",
    );
    site.write(
        "content/blog/erster.en.md",
        "---\ntitle: First\ndate: 2025-03-04\nslug: first\n---\nText.\n",
    );
    site.write("content/blog/kurz/_index.md", "---\ntitle: Kurz\n---\n");
    site.write(
        "content/blog/kurz/notiz.md",
        "---\ntitle: Eine Notiz\n---\nText.\n",
    );
    site.write(
        "content/presse.md",
        "---\ntitle: Presse\npath: /presse/2025/mitteilung\n---\nText.\n",
    );
    site.write(
        "content/alt/_index.md",
        "---\ntitle: Alt\nredirect_to: \"@/presse.md\"\n---\n",
    );
    site.write(
        "content/weg/_index.md",
        "---\ntitle: Weg\nredirect_to: \"https://example.org/anderswo/\"\n---\n",
    );
    site.write(
        "content/blog/still.md",
        "---\ntitle: Still\nrender: false\ndate: 2025-01-01\n---\nNur gelistet.\n",
    );
    site.build_ok();
    assert!(
        site.exists("p/2025/03/erster/index.html"),
        "{:?}",
        site.files()
    );
    assert!(site.exists("en/p/2025/03/first/index.html"));
    assert!(site.exists("k/eine-notiz/index.html"));
    assert!(site.exists("presse/2025/mitteilung/index.html"));
    assert!(!site.exists("blog/erster/index.html") && !site.exists("presse/index.html"));
    // redirect_to: the section's page sends visitors on.
    let alt = site.html("alt/index.html");
    assert_eq!(
        attr(&alt, r#"link[rel="canonical"]"#, "href"),
        "https://example.com/presse/2025/mitteilung/"
    );
    let weg = site.html("weg/index.html");
    assert_eq!(
        attr(&weg, r#"link[rel="canonical"]"#, "href"),
        "https://example.org/anderswo/"
    );
    // render = false: no page, still in the listing, not in the sitemap.
    assert!(!site.exists("p/2025/01/still/index.html"));
    assert!(site.read("blog/index.html").contains("Still"));
    assert!(!site.read("sitemap.xml").contains("still"));
    let bad = TestSite::new("migrate");
    bad.write(
        "content/x/_index.md",
        "---\ntitle: X\nredirect_to: \"@/fehlt.md\"\n---\n",
    );
    let run = bad.build(&[]).failed();
    assert!(
        run.stderr.contains("content/x/_index.md:3") && run.stderr.contains("redirect_to"),
        "{}",
        run.stderr
    );
}

#[test]
fn site_toml_reports_every_unknown_key_with_the_ludd_name() {
    let site = TestSite::new("migrate");
    site.edit("site.toml", |s| {
        s.replace(
            "output_dir = \"public\"\n",
            "output_dir = \"public\"\nbaseURL = \"x\"\ncompile_sass = true\n",
        )
        .replace(
            "name = \"English\"",
            "name = \"English\"\nlanguageName = \"English\"\nweight = 2",
        )
    });
    let run = site.build(&[]).failed();
    let err = &run.stderr;
    for (line, hint) in [
        ("site.toml:5", "`base_url`"),
        ("site.toml:6", "Sass"),
        ("site.toml:13", "`name`"),
        ("site.toml:14", "ordered as they are written"),
    ] {
        assert!(
            err.lines()
                .any(|l| l.starts_with(&format!("error: {line}:")))
                && err.contains(hint),
            "{line} / {hint}:\n{err}"
        );
    }
    assert!(err.contains("4 errors"), "{err}");
}

/// `tests/fixtures/terms` with the repository's default theme.
fn terms_site() -> TestSite {
    let site = TestSite::new("terms");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/campaign"),
        &site.path("themes/campaign"),
    );
    site
}

#[test]
fn term_pages_taxonomies_in_any_case_per_language_and_feeds_per_taxonomy() {
    let site = terms_site();
    let build = site.build_ok();
    assert!(
        build.stdout.contains("pages per language: en 7, fr 3"),
        "{}",
        build.stdout
    );
    // content/tags/climate/_index.md is the term page's title, description and content, at
    // the term's URL (no collision with the generated page).
    let climate = site.html("tags/climate/index.html");
    assert_eq!(text(one(&climate, "main h1")), "Climate and data centres");
    assert_eq!(
        text(one(&climate, "main .lead")),
        "Where the servers go, and what they use."
    );
    assert_eq!(text(one(&climate, "main .prose h2")), "Why it matters");
    assert_eq!(
        attr(&climate, "main .prose a", "href"),
        "/posts/two/",
        "the term page's own links resolve"
    );
    assert_eq!(select(&climate, "main .post-list li").len(), 2);
    assert!(
        site.read("tags/climate/index.html")
            .contains("<title>Climate and data centres"),
        "the document title is the term page's"
    );
    // The taxonomy's own page (content/tags/_index.md) is the term list's.
    let tags = site.html("tags/index.html");
    assert_eq!(text(one(&tags, "main h1")), "All our topics");
    assert_eq!(text(one(&tags, "main .prose p")), "Pick a topic.");
    // A term with a page but no tagged page yet is listed, as Hugo does.
    let listed: Vec<String> = select(&tags, "main .term-list a")
        .into_iter()
        .map(text)
        .collect();
    assert_eq!(listed, ["Climate", "Energy", "Jobs"]);
    assert_eq!(
        text(one(&site.html("tags/energy/index.html"), "main h1")),
        "Energy"
    );
    // `tags` and `Tags` in front matter are the taxonomy `Tags`; its URL segment is `tags`.
    let one_page = site.html("posts/one/index.html");
    let terms: Vec<String> = select(&one_page, "ul.tags a")
        .into_iter()
        .map(|a| a.value().attr("href").unwrap_or("").to_string())
        .collect();
    assert_eq!(terms, ["/tags/climate/", "/tags/jobs/", "/series/basics/"]);
    assert_eq!(attr(&one_page, "main .prose a", "href"), "/tags/climate/");
    // Feeds per taxonomy: `Tags` has them, `series` does not.
    assert!(site.exists("tags/climate/atom.xml"));
    assert!(site.exists("series/basics/index.html"));
    assert!(!site.exists("series/basics/atom.xml"));
    // French declares only `etiquettes`, with a term page of its own.
    let climat = site.html("fr/etiquettes/climat/index.html");
    assert_eq!(text(one(&climat, "main h1")), "Le climat");
    assert_eq!(attr(&climat, "html", "lang"), "fr");
    assert!(!site.exists("fr/tags/index.html"));
    assert!(!site.exists("fr/etiquettes/climat/atom.xml"));
    // Term pages are not sections of their own: not in the menu, once in the sitemap.
    let home = site.html("index.html");
    assert!(select(&home, "nav a[href=\"/tags/climate/\"]").is_empty());
    assert_eq!(
        site.read("sitemap.xml").matches("/tags/climate/<").count(),
        1
    );
    assert_eq!(
        common::linkcheck::broken_links(&site.out(), "https://example.org"),
        Vec::<String>::new()
    );
    site.run(&["check"]).ok();
}

#[test]
fn taxonomies_are_checked_per_language() {
    let site = terms_site();
    // French has no `tags`: the key is unknown there, with the taxonomies it does have.
    site.write(
        "content/posts/deux.fr.md",
        "---\ntitle: Deux\ntags: [Climat]\n---\nTexte.\n",
    );
    let run = site.build(&[]).failed();
    assert!(
        run.stderr.contains("content/posts/deux.fr.md")
            && run.stderr.contains("unknown front matter key `tags`")
            && run.stderr.contains("etiquettes"),
        "{}",
        run.stderr
    );
    site.remove("content/posts/deux.fr.md");
    // Two names that differ only in case would share one URL.
    site.edit("site.toml", |t| {
        t.replace("{ name = \"series\", feed = false }", "{ name = \"tags\" }")
    });
    let run = site.build(&[]).failed();
    assert!(
        run.stderr.contains("site.toml")
            && run.stderr.contains("taxonomy `tags` is declared twice"),
        "{}",
        run.stderr
    );
}
