//! `ludd check`: one small site per finding (built from `tests/fixtures/basic` with a file
//! changed), checked through the real binary; the JSON report is parsed and the finding,
//! its page, target and severity, and the exit code asserted.

mod common;

use common::{Run, TestSite};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Runs `ludd check --format json <extra>` and parses its report.
fn check(site: &TestSite, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let run = site.run(&args).no_panic();
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    (run, report)
}

/// The findings of one check kind.
fn findings<'a>(report: &'a Value, kind: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .filter(|f| f["check"] == kind)
        .collect()
}

/// The single finding of `kind` on `page`.
#[track_caller]
fn one_finding<'a>(report: &'a Value, kind: &str, page: &str) -> &'a Value {
    let all: Vec<&Value> = findings(report, kind)
        .into_iter()
        .filter(|f| f["page"] == page)
        .collect();
    assert_eq!(all.len(), 1, "expected one {kind} on {page}:\n{report:#}");
    all[0]
}

/// The basic fixture with `andere.md`'s body replaced by `body` (raw HTML is allowed).
fn site_with_body(body: &str) -> TestSite {
    let site = TestSite::new("basic");
    site.write(
        "content/andere.md",
        format!("---\ntitle: \"Andere\"\n---\n\n## Da {{#da}}\n\n{body}\n"),
    );
    site
}

#[track_caller]
fn assert_clean(report: &Value) {
    assert_eq!(report["errors"], 0, "{report:#}");
    assert_eq!(report["warnings"], 0, "{report:#}");
}

#[test]
fn fixture_site_is_clean() {
    let site = TestSite::new("basic");
    let (run, report) = check(&site, &[]);
    run.ok();
    assert_clean(&report);
    assert!(!site.out().exists(), "check must not write the output");
}

#[test]
fn broken_internal_link_is_an_error() {
    let site = site_with_body(r#"<p><a href="/gibt-es-nicht/">weg</a></p>"#);
    let (run, report) = check(&site, &[]);
    run.failed();
    let f = one_finding(&report, "broken-link", "andere/index.html");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["language"], "de");
    assert_eq!(f["target"], "/gibt-es-nicht/");
    assert_eq!(report["errors"], 1, "{report:#}");
}

#[test]
fn broken_relative_link_names_the_page_and_target() {
    let site = site_with_body(r#"<p><a href="../seiten/">weg</a> <a href="../seite/">da</a></p>"#);
    let (run, report) = check(&site, &[]);
    run.failed();
    let f = one_finding(&report, "broken-link", "andere/index.html");
    assert_eq!(f["target"], "../seiten/");
    assert!(
        f["help"]
            .as_str()
            .unwrap_or("")
            .contains("seiten/index.html"),
        "{f:#}"
    );
}

#[test]
fn broken_anchor_is_an_error() {
    let site = site_with_body(
        r##"<p><a href="/seite/#nirgends">x</a> <a href="/seite/#abschnitt">ok</a> <a href="#da">ok</a> <a href="#fehlt">x</a> <a href="#top">ok</a></p>"##,
    );
    let (run, report) = check(&site, &[]);
    run.failed();
    let targets: Vec<&str> = findings(&report, "broken-anchor")
        .iter()
        .map(|f| f["target"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(targets, vec!["#fehlt", "/seite/#nirgends"], "{report:#}");
    assert!(findings(&report, "broken-link").is_empty(), "{report:#}");
}

#[test]
fn links_across_languages_and_absolute_own_urls_are_internal() {
    let site = site_with_body(
        r##"<p><a href="/en/seite/#section">en</a> <a href="https://example.com/en/seite/">abs</a> <a href="https://example.com/">home</a> <a href="/en">en home</a> <a href="https://elsewhere.example/page">other site</a> <a href="mailto:a@example.org">mail</a></p>"##,
    );
    let (run, report) = check(&site, &[]);
    run.ok();
    assert_clean(&report);
}

#[test]
fn cross_language_anchor_must_exist_in_the_other_language() {
    let site = site_with_body(r#"<p><a href="/en/seite/#abschnitt">en</a></p>"#);
    let (run, report) = check(&site, &[]);
    run.failed();
    let f = one_finding(&report, "broken-anchor", "andere/index.html");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or("")
            .contains("en/seite/index.html has no id `abschnitt`"),
        "{f:#}"
    );
}

/// Off-site loads: (body HTML, the URL that must be reported).
const OFF_SITE: &[(&str, &str)] = &[
    (
        r#"<img src="https://cdn.example.net/a.png" alt="">"#,
        "https://cdn.example.net/a.png",
    ),
    (
        r#"<link rel="stylesheet" href="https://fonts.example.net/css?family=X">"#,
        "https://fonts.example.net/css?family=X",
    ),
    (
        r#"<iframe src="https://video.example.net/embed/1" title="v"></iframe>"#,
        "https://video.example.net/embed/1",
    ),
    (
        r#"<img src="/bild.png" srcset="/bild.png 1x, //cdn.example.net/b2.png 2x" alt="">"#,
        "//cdn.example.net/b2.png",
    ),
    (
        r#"<div style="background: url('https://img.example.net/bg.jpg')">x</div>"#,
        "https://img.example.net/bg.jpg",
    ),
    (
        r#"<link rel="preload" as="font" href="https://fonts.example.net/f.woff2" crossorigin>"#,
        "https://fonts.example.net/f.woff2",
    ),
    (
        "<style>@import \"https://css.example.net/x.css\";</style>",
        "https://css.example.net/x.css",
    ),
];

#[test]
fn every_off_site_load_is_an_error() {
    for (html, url) in OFF_SITE {
        let site = site_with_body(&format!("<p>{html}</p>"));
        site.write("static/bild.png", b"png");
        let (run, report) = check(&site, &[]);
        run.failed();
        let f = one_finding(&report, "off-site", "andere/index.html");
        assert_eq!(f["target"], *url, "{html}");
        assert_eq!(f["severity"], "error");
        assert!(
            f["help"].as_str().unwrap_or("").contains("allowed_hosts"),
            "{f:#}"
        );
    }
}

#[test]
fn off_site_font_in_a_stylesheet_is_an_error() {
    let site = TestSite::new("basic");
    site.write(
        "static/css/site.css",
        "/* url(https://ignored.example.net/) */\n@font-face { font-family: X; src: url(\"https://fonts.example.net/x.woff2\") format(\"woff2\"); }\nbody { background: url(../img/ok.png); }\n",
    );
    site.write("static/img/ok.png", b"png");
    let (run, report) = check(&site, &[]);
    run.failed();
    let f = one_finding(&report, "off-site", "css/site.css");
    assert_eq!(f["target"], "https://fonts.example.net/x.woff2");
    assert_eq!(findings(&report, "off-site").len(), 1, "{report:#}");
    assert!(findings(&report, "broken-link").is_empty(), "{report:#}");
}

#[test]
fn missing_file_in_a_stylesheet_is_a_broken_link() {
    let site = TestSite::new("basic");
    site.write(
        "static/css/site.css",
        "body { background: url(../img/weg.png); }\n",
    );
    let (run, report) = check(&site, &[]);
    run.failed();
    let f = one_finding(&report, "broken-link", "css/site.css");
    assert_eq!(f["target"], "../img/weg.png");
}

#[test]
fn allowed_hosts_may_serve_resources() {
    let site = site_with_body(
        r#"<p><img src="https://media.example.net/a.png" alt=""><img src="https://x.cdn.example.org/b.png" alt=""></p>"#,
    );
    site.edit("site.toml", |t| {
        format!("{t}\n[check]\nallowed_hosts = [\"media.example.net\", \"*.cdn.example.org\"]\n")
    });
    let (run, report) = check(&site, &[]);
    run.ok();
    assert_clean(&report);
}

#[test]
fn unknown_check_key_is_a_config_error() {
    let site = TestSite::new("basic");
    site.edit("site.toml", |t| {
        format!("{t}\n[check]\nallowed_host = []\n")
    });
    let run = site.run(&["check"]).failed();
    assert!(run.stderr.contains("allowed_hosts"), "{}", run.stderr);
}

#[test]
fn image_without_alt_is_an_error_and_empty_alt_is_fine() {
    let site = site_with_body(r#"<p><img src="/bild.png"> <img src="/bild.png" alt=""></p>"#);
    site.write("static/bild.png", b"png");
    let (run, report) = check(&site, &[]);
    run.failed();
    let f = one_finding(&report, "missing-alt", "andere/index.html");
    assert_eq!(f["target"], "/bild.png");
    assert_eq!(report["errors"], 1, "{report:#}");
}

#[test]
fn page_without_lang_is_an_error() {
    let site = TestSite::new("basic");
    site.edit("templates/base.html", |t| {
        t.replace(r#"<html lang="{{ lang }}" dir="{{ dir }}">"#, "<html>")
    });
    let (run, report) = check(&site, &[]);
    run.failed();
    let f = one_finding(&report, "missing-lang", "en/seite/index.html");
    assert_eq!(f["language"], "en");
    one_finding(&report, "missing-lang", "index.html");
}

#[test]
fn duplicate_id_is_an_error() {
    let site = site_with_body(r#"<p id="da">schon wieder</p>"#);
    let (run, report) = check(&site, &[]);
    run.failed();
    let f = one_finding(&report, "duplicate-id", "andere/index.html");
    assert_eq!(f["target"], "da");
}

#[test]
fn heading_skip_is_a_warning_and_strict_fails() {
    let site = site_with_body("#### Zu tief\n\nText.");
    let (run, report) = check(&site, &[]);
    run.ok();
    let f = one_finding(&report, "heading-skip", "andere/index.html");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["target"], "h4");
    assert_eq!(report["errors"], 0);
    let (strict, _) = check(&site, &["--strict"]);
    let strict = strict.failed();
    assert!(strict.stderr.contains("--strict"), "{}", strict.stderr);
}

/// Bytes that gzip cannot shrink (a simple xorshift stream).
fn incompressible(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn page_over_budget_is_an_error_with_its_co2e() {
    let site = site_with_body(r#"<p><img src="/gross.png" alt=""></p>"#);
    site.write("static/gross.png", incompressible(3000));
    site.edit("site.toml", |t| format!("{t}\n[budget]\npage_kb = 2\n"));
    let (run, report) = check(&site, &[]);
    run.failed();
    let f = one_finding(&report, "over-budget", "andere/index.html");
    assert_eq!(f["severity"], "error");
    assert_eq!(report["errors"], 1, "{report:#}");
    assert_eq!(report["budget_kb"], 2);
    let weights = report["weights"].as_array().expect("weights");
    let heaviest = &weights[0];
    assert_eq!(heaviest["page"], "andere/index.html");
    assert_eq!(heaviest["over_budget"], true);
    let bytes = heaviest["bytes"].as_u64().expect("bytes");
    assert!(bytes > 3000, "{heaviest:#}");
    let grams = heaviest["grams_co2e"].as_f64().expect("grams");
    // Sustainable Web Design v4: 0.3 kWh per GB × 494 g per kWh.
    assert!(
        (grams - bytes as f64 * 0.3 * 494.0 / 1e9).abs() < 1e-9,
        "{heaviest:#}"
    );
    assert!(weights.iter().skip(1).all(|w| w["over_budget"] == false));
}

#[test]
fn translation_older_than_its_original_is_stale() {
    let site = TestSite::new("basic");
    site.edit("content/seite.md", |t| {
        t.replace("date: 2025-01-01", "date: 2025-01-01\nupdated: 2025-03-01")
    });
    let (run, report) = check(&site, &[]);
    run.ok();
    let f = one_finding(&report, "stale-translation", "content/seite.en.md");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["language"], "en");
    assert_eq!(f["target"], "content/seite.md");
    assert!(
        f["message"].as_str().unwrap_or("").contains("2025-03-01"),
        "{f:#}"
    );
    let rows = report["translations"]["rows"].as_array().expect("rows");
    let row = |page: &str| {
        rows.iter()
            .find(|r| r["page"] == page)
            .unwrap_or_else(|| panic!("no row {page}"))
            .clone()
    };
    assert_eq!(row("seite.md")["status"]["en"], "stale");
    assert_eq!(row("seite.md")["status"]["de"], "original");
    assert_eq!(row("_index.md")["status"]["en"], "present");
    assert_eq!(row("andere.md")["status"]["en"], "missing");

    // The translation brought up to date is no longer stale.
    site.edit("content/seite.en.md", |t| {
        t.replace("date: 2025-01-01", "date: 2025-01-01\nupdated: 2025-03-02")
    });
    let (run, report) = check(&site, &[]);
    run.ok();
    assert_clean(&report);
}

#[test]
fn untranslated_page_shows_fallback_in_the_table() {
    let site = TestSite::new("basic");
    site.edit("site.toml", |t| {
        t.replace("name = \"English\"", "name = \"English\"\nfallback = true")
    });
    let (run, report) = check(&site, &[]);
    run.ok();
    let rows = report["translations"]["rows"].as_array().expect("rows");
    let andere = rows.iter().find(|r| r["page"] == "andere.md").expect("row");
    assert_eq!(andere["status"]["en"], "fallback");
    let text = site.run(&["check"]).ok().stdout;
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["andere.md", "original", "fallback"]),
        "{text}"
    );
}

fn git(root: &Path, date: &str, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(root)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .status()
        .expect("run git");
    assert!(status.success(), "git {args:?} failed");
}

#[test]
fn translation_committed_before_its_original_is_stale() {
    let site = TestSite::new("basic");
    // Neither file has a date: git decides.
    site.write(
        "content/andere.en.md",
        "---\ntitle: \"Other\"\n---\n\nText.\n",
    );
    let root = &site.root;
    git(root, "2025-01-01T10:00:00Z", &["init", "-q"]);
    git(root, "2025-01-01T10:00:00Z", &["add", "."]);
    git(root, "2025-01-01T10:00:00Z", &["commit", "-q", "-m", "all"]);
    let (run, report) = check(&site, &[]);
    run.ok();
    assert_clean(&report);

    site.edit("content/andere.md", |t| format!("{t}\nMehr.\n"));
    git(
        root,
        "2025-02-01T10:00:00Z",
        &["commit", "-q", "-am", "original"],
    );
    let (run, report) = check(&site, &[]);
    run.ok();
    let f = one_finding(&report, "stale-translation", "content/andere.en.md");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or("")
            .contains("last committed 2025-02-01"),
        "{f:#}"
    );

    site.edit("content/andere.en.md", |t| format!("{t}\nMore.\n"));
    git(
        root,
        "2025-03-01T10:00:00Z",
        &["commit", "-q", "-am", "translation"],
    );
    let (run, report) = check(&site, &[]);
    run.ok();
    assert_clean(&report);
}

#[test]
fn missing_ui_string_is_a_warning() {
    let site = TestSite::new("basic");
    site.write(
        "i18n/de.toml",
        "weiter = \"Weiter\"\n[nav]\nzurueck = \"Zurück\"\n",
    );
    site.write("i18n/en.toml", "weiter = \"Next\"\n");
    let (run, report) = check(&site, &[]);
    run.ok();
    let f = one_finding(&report, "missing-ui-string", "i18n/en.toml");
    assert_eq!(f["target"], "nav.zurueck");
    assert_eq!(f["language"], "en");
    assert_eq!(f["severity"], "warning");
    assert_eq!(report["warnings"], 1);
}

#[test]
fn json_report_has_the_documented_fields() {
    let site = site_with_body(r#"<p><a href="/weg/">x</a></p>"#);
    let (_, report) = check(&site, &[]);
    for key in [
        "errors",
        "warnings",
        "languages",
        "findings",
        "budget_kb",
        "weights",
        "translations",
    ] {
        assert!(report.get(key).is_some(), "no `{key}` in {report:#}");
    }
    assert_eq!(report["languages"], serde_json::json!(["de", "en"]));
    let f = &report["findings"][0];
    for key in [
        "severity", "check", "language", "page", "target", "message", "help",
    ] {
        assert!(f.get(key).is_some(), "finding lacks `{key}`: {f:#}");
    }
    let w = &report["weights"][0];
    for key in ["page", "language", "bytes", "grams_co2e", "over_budget"] {
        assert!(w.get(key).is_some(), "weight lacks `{key}`: {w:#}");
    }
    assert_eq!(
        report["translations"]["languages"],
        serde_json::json!(["de", "en"])
    );
}

#[test]
fn text_report_groups_findings_by_language() {
    let site = site_with_body(r#"<p><a href="/weg/">x</a></p>"#);
    site.write(
        "content/seite.en.md",
        "---\ntitle: \"Page\"\n---\n\n<img src=\"/x.png\">\n",
    );
    let run = site.run(&["check"]).failed();
    let out = &run.stdout;
    let de = out.find("de (1 error, 0 warnings)").expect(out);
    let en = out.find("en (").expect(out);
    assert!(de < en, "{out}");
    assert!(
        out.contains("error[broken-link] andere/index.html: links to `/weg/`"),
        "{out}"
    );
    assert!(
        out.contains("error[missing-alt] en/seite/index.html"),
        "{out}"
    );
    assert!(out.contains("page weights"), "{out}");
    assert!(out.trim_end().ends_with("3 errors, 0 warnings"), "{out}");
    assert!(
        run.stderr.contains("check failed: 3 errors"),
        "{}",
        run.stderr
    );
}

#[test]
fn template_error_is_reported_with_its_file() {
    let site = TestSite::new("basic");
    site.edit("templates/page.html", |t| {
        t.replace("{{ page.title }}", "{{ page.title | no_such_filter }}")
    });
    let run = site.run(&["check"]).failed();
    assert!(run.stderr.contains("page.html"), "{}", run.stderr);
    assert!(run.stderr.contains("check failed"), "{}", run.stderr);
}

#[test]
fn build_reports_cheap_checks_and_strict_fails_on_warnings() {
    let site = TestSite::new("basic");
    site.edit("content/seite.md", |t| {
        t.replace("date: 2025-01-01", "date: 2025-01-01\nupdated: 2025-03-01")
    });
    site.write("i18n/de.toml", "weiter = \"Weiter\"\n");
    site.write("i18n/en.toml", "");
    let run = site.build(&[]).ok();
    assert!(
        run.stderr
            .contains("warning: content/seite.en.md: translation is older than content/seite.md"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("warning: i18n/en.toml: UI string `weiter` is missing; using the de text"),
        "{}",
        run.stderr
    );
    let strict = site.build(&["--strict"]).failed();
    assert!(strict.stderr.contains("--strict"), "{}", strict.stderr);

    site.write("i18n/en.toml", "weiter = \"Next\"\n");
    site.edit("content/seite.en.md", |t| {
        t.replace("date: 2025-01-01", "date: 2025-03-01")
    });
    site.build(&["--strict"]).ok();
}

#[test]
fn campaign_site_passes_without_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = common::ludd(
        root,
        &[
            "--root",
            root.to_str().expect("utf-8 path"),
            "check",
            "--format",
            "json",
        ],
    );
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    assert_eq!(report["errors"], 0, "{report:#}");
    run.ok();
    assert!(
        report["weights"].as_array().is_some_and(|w| w.len() > 10),
        "{report:#}"
    );
}

#[test]
fn ui_string_a_template_uses_but_no_language_has_is_a_warning() {
    let site = TestSite::new("basic");
    site.write("i18n/de.toml", "weiter = \"Weiter\"\n");
    site.write("i18n/en.toml", "weiter = \"Next\"\n");
    site.edit("templates/page.html", |t| {
        t.replace(
            "{{ page.content }}",
            "{{ page.content }}<p>{{ t(key=\"gibt.es.nicht\") }}</p>",
        )
    });
    let (run, report) = check(&site, &[]);
    run.ok();
    let f = one_finding(&report, "missing-ui-string", "i18n/de.toml");
    assert_eq!(f["target"], "gibt.es.nicht");
    assert!(
        f["message"]
            .as_str()
            .unwrap_or("")
            .contains("every language"),
        "{f:#}"
    );
    assert_eq!(report["warnings"], 1, "{report:#}");
}

#[test]
fn base_url_override_decides_what_is_internal() {
    let site = site_with_body(r#"<p><img src="https://preview.example.net/bild.png" alt=""></p>"#);
    site.write("static/bild.png", b"png");
    let (run, report) = check(&site, &[]);
    run.failed();
    one_finding(&report, "off-site", "andere/index.html");
    let (run, report) = check(&site, &["--base-url", "https://preview.example.net"]);
    run.ok();
    assert_clean(&report);
}

#[test]
fn quiet_prints_only_the_errors() {
    let site = site_with_body("<p><a href=\"/weg/\">x</a></p>\n\n#### Zu tief\n");
    let run = site.run(&["--quiet", "check"]).failed();
    assert_eq!(
        run.stdout,
        "error[broken-link] andere/index.html: links to `/weg/`, which does not exist\n"
    );
}

#[test]
fn links_are_read_with_every_html_entity_decoded() {
    // `&#x65;` is `e`, `&#x27;` an apostrophe, `&eacute;` é: browsers decode them all.
    let site = site_with_body(
        r##"<p><span id="l'ami">x</span> <a href="/s&#x65;ite/#abschnitt">ok</a> <a href="#l&#x27;ami">ok</a> <a href="#l&apos;ami">ok</a> <a href="/caf&eacute;/">weg</a></p>"##,
    );
    let (run, report) = check(&site, &[]);
    run.failed();
    let f = one_finding(&report, "broken-link", "andere/index.html");
    assert_eq!(f["target"], "/café/");
    assert_eq!(report["errors"], 1, "{report:#}");
}
