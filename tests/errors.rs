//! Bad input: one test per class of mistake. Each build must fail with exit code 1, name the file
//! (and the line where the input has one), say what to do (`help:`), never panic, and leave the
//! previously built output byte for byte as it was.

mod common;

use common::*;
use std::collections::BTreeMap;

type Tree = BTreeMap<String, Vec<u8>>;

/// The small fixture, built once successfully.
fn built() -> (TestSite, Tree) {
    let site = TestSite::new("basic");
    site.build_ok();
    let before = tree(&site.out());
    assert!(
        before.contains_key("index.html") && before.contains_key("seite/index.html"),
        "{:?}",
        before.keys()
    );
    (site, before)
}

/// Builds again and checks that the build is refused properly.
/// `file` must be named, with `:line` when `line` is given; `also` must appear in stderr too.
#[track_caller]
fn refused(site: &TestSite, before: &Tree, file: &str, line: Option<usize>, also: &[&str]) -> Run {
    let run = site.build(&[]).failed();
    assert_eq!(
        tree(&site.out()),
        *before,
        "the previous output must stay unchanged; stderr:\n{}",
        run.stderr
    );
    assert!(
        leftovers(&site.root).is_empty(),
        "staging folders left behind: {:?}",
        leftovers(&site.root)
    );
    assert!(run.stderr.contains("error"), "stderr:\n{}", run.stderr);
    assert!(
        run.stderr.contains(file),
        "stderr should name `{file}`:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("help:"),
        "stderr should say what to do (`help:`):\n{}",
        run.stderr
    );
    for s in also {
        assert!(
            run.stderr.contains(s),
            "stderr should mention `{s}`:\n{}",
            run.stderr
        );
    }
    if let Some(line) = line {
        let at = format!("{file}:{line}");
        assert!(
            run.stderr.contains(&at),
            "stderr should name the line as `{at}`:\n{}",
            run.stderr
        );
    }
    run
}

const PAGE: &str = "content/seite.md";

// ---------------------------------------------------------------------------------------------
// All stages at once
// ---------------------------------------------------------------------------------------------

#[test]
fn front_matter_link_and_template_errors_are_reported_by_one_build() {
    let (site, before) = built();
    // tests/fixtures/three-errors: one file with broken front matter, one broken `@/` link, one
    // broken template call, each in its own file (see its README).
    let overlay = fixtures_dir().join("three-errors");
    for dir in ["content", "templates"] {
        copy_dir(&overlay.join(dir), &site.path(dir));
    }
    let run = refused(
        &site,
        &before,
        "content/kaputt.md",
        Some(4),
        &[
            "invalid YAML front matter",
            "content/verweise.md:6: broken link `@/gibt-es-nicht.md`",
            "templates/kaputt.html:3: template error",
            "while rendering content/vorlage.md",
            "3 errors",
        ],
    );
    // The page with broken front matter is left out; a link to it is not an error too.
    assert!(!run.stderr.contains("@/kaputt.md"), "{}", run.stderr);
    let errors = |run: &Run| {
        run.stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .count()
    };
    assert_eq!(errors(&run), 3, "{}", run.stderr);
    // `ludd check` reports the same three.
    let check = site.run(&["check"]).failed();
    for wanted in [
        "content/kaputt.md:4",
        "content/verweise.md:6",
        "templates/kaputt.html:3",
    ] {
        assert!(check.stderr.contains(wanted), "{wanted}:\n{}", check.stderr);
    }
    assert_eq!(errors(&check), 3, "{}", check.stderr);
    // With the three fixed, the build works again.
    site.remove("content/kaputt.md");
    site.edit("content/verweise.md", |t| {
        t.replace("(@/gibt-es-nicht.md)", "(@/seite.md)")
            .replace("(@/kaputt.md)", "(@/andere.md)")
    });
    site.edit("templates/kaputt.html", |t| t.replace("laenge", "length"));
    site.build_ok();
    assert!(site.exists("vorlage/index.html") && site.exists("verweise/index.html"));
}

#[test]
fn one_template_error_met_by_every_page_is_reported_once() {
    let (site, before) = built();
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}{{ page.title | round }}{% endblock content %}\n",
    );
    let run = refused(
        &site,
        &before,
        "templates/page.html",
        Some(2),
        &["more outputs"],
    );
    let errors = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .count();
    assert_eq!(errors, 1, "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Front matter
// ---------------------------------------------------------------------------------------------

#[test]
fn malformed_yaml_front_matter() {
    let (site, before) = built();
    site.write(PAGE, "---\ntitle: Seite\ndescription: a: b\n---\n\nText.\n");
    refused(&site, &before, PAGE, Some(3), &["YAML"]);
}

#[test]
fn malformed_toml_front_matter() {
    let (site, before) = built();
    site.write(
        PAGE,
        "+++\ndate = 2025-01-01\ntitle = Seite\n+++\n\nText.\n",
    );
    refused(&site, &before, PAGE, Some(3), &["TOML"]);
}

#[test]
fn unterminated_front_matter_fence() {
    let (site, before) = built();
    site.write(
        PAGE,
        "---\ntitle: Seite\n\nText ohne Ende der Kopfzeilen.\n",
    );
    refused(&site, &before, PAGE, Some(1), &["---"]);
}

#[test]
fn unknown_front_matter_key_suggests_the_closest() {
    let (site, before) = built();
    site.write(PAGE, "---\ntitle: Seite\ntitel: Doppelt\n---\n\nText.\n");
    refused(
        &site,
        &before,
        PAGE,
        Some(3),
        &["titel", "did you mean `title`"],
    );
}

#[test]
fn front_matter_value_of_the_wrong_type() {
    let (site, before) = built();
    site.write(PAGE, "---\ntitle: Seite\ndraft: maybe\n---\n\nText.\n");
    refused(&site, &before, PAGE, Some(3), &["draft", "true or false"]);
}

#[test]
fn front_matter_bad_date() {
    let (site, before) = built();
    site.write(PAGE, "---\ntitle: Seite\ndate: 2025-13-45\n---\n\nText.\n");
    refused(&site, &before, PAGE, Some(3), &["2025-13-45"]);
}

#[test]
fn invalid_utf8_in_a_content_file() {
    let (site, before) = built();
    site.write(
        PAGE,
        b"---\ntitle: Seite\n---\n\nZeile\n\xff\xfe kaputt\n".as_slice(),
    );
    refused(&site, &before, PAGE, Some(6), &["UTF-8"]);
}

#[test]
fn language_suffix_that_is_not_configured() {
    let (site, before) = built();
    site.write("content/seite.es.md", "---\ntitle: Página\n---\n\nTexto.\n");
    refused(&site, &before, "content/seite.es.md", None, &["`es`"]);
}

// ---------------------------------------------------------------------------------------------
// site.toml
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_site_toml_key_suggests_the_closest() {
    let (site, before) = built();
    site.edit("site.toml", |s| {
        s.replacen('\n', "\ndescripton = \"Tippfehler\"\n", 1)
    });
    refused(
        &site,
        &before,
        "site.toml",
        Some(2),
        &["descripton", "did you mean `description`"],
    );
}

#[test]
fn default_language_without_its_table() {
    let (site, before) = built();
    site.edit("site.toml", |s| {
        s.replace("default_language = \"de\"", "default_language = \"fr\"")
    });
    refused(&site, &before, "site.toml", Some(3), &["[languages.fr]"]);
}

#[test]
fn output_dir_may_not_be_the_site_folder() {
    let (site, before) = built();
    let content = tree(&site.path("content"));
    site.edit("site.toml", |s| {
        s.replace("output_dir = \"public\"", "output_dir = \".\"")
    });
    refused(&site, &before, "site.toml", Some(4), &["output_dir"]);
    assert_eq!(tree(&site.path("content")), content);
    assert!(site.path("site.toml").is_file() && site.path("templates/page.html").is_file());
}

#[test]
fn output_dir_may_not_be_the_content_folder() {
    let (site, before) = built();
    let content = tree(&site.path("content"));
    site.edit("site.toml", |s| {
        s.replace("output_dir = \"public\"", "output_dir = \"content\"")
    });
    refused(
        &site,
        &before,
        "site.toml",
        Some(4),
        &["output_dir", "content"],
    );
    assert_eq!(
        tree(&site.path("content")),
        content,
        "content/ must never be touched"
    );
}

#[test]
fn missing_content_folder() {
    let (site, before) = built();
    site.remove("content");
    refused(&site, &before, "content", None, &["content"]);
}

#[test]
fn missing_theme() {
    let (site, before) = built();
    site.edit("site.toml", |s| {
        s.replacen('\n', "\ntheme = \"gibtsnicht\"\n", 1)
    });
    refused(&site, &before, "site.toml", Some(2), &["gibtsnicht"]);
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

#[test]
fn template_syntax_error() {
    let (site, before) = built();
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{% if %}\n{% endblock content %}\n",
    );
    refused(&site, &before, "templates/page.html", Some(3), &[]);
}

#[test]
fn template_renders_an_undefined_variable() {
    let (site, before) = built();
    site.write("templates/page.html", "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ page.nope }}</p>\n{% endblock content %}\n");
    refused(&site, &before, "templates/page.html", Some(3), &["nope"]);
}

#[test]
fn missing_template_named_in_front_matter() {
    let (site, before) = built();
    site.write(
        PAGE,
        "---\ntitle: Seite\ntemplate: fancy.html\n---\n\nText.\n",
    );
    refused(&site, &before, PAGE, Some(3), &["fancy.html"]);
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

#[test]
fn link_to_a_missing_file() {
    let (site, before) = built();
    site.write(
        PAGE,
        "---\ntitle: Seite\n---\n\nText.\n\n[weg](@/nope.md)\n",
    );
    refused(&site, &before, PAGE, Some(7), &["nope.md"]);
}

#[test]
fn relative_link_to_a_missing_file() {
    let (site, before) = built();
    site.write(
        PAGE,
        "---\ntitle: Seite\n---\n\nText.\n\n[weg](./fehlt.md)\n",
    );
    refused(&site, &before, PAGE, Some(7), &["fehlt.md"]);
}

#[test]
fn link_to_a_missing_anchor_names_both_files() {
    let (site, before) = built();
    site.write(
        PAGE,
        "---\ntitle: Seite\n---\n\nText.\n\n[weg](@/andere.md#nope)\n",
    );
    refused(
        &site,
        &before,
        PAGE,
        Some(7),
        &["content/andere.md", "nope"],
    );
}

#[test]
fn unknown_shortcode() {
    let (site, before) = built();
    site.write(
        PAGE,
        "---\ntitle: Seite\n---\n\nText.\n\n{{ gibtsnicht(a=1) }}\n",
    );
    refused(&site, &before, PAGE, Some(7), &["gibtsnicht"]);
}

#[test]
fn unknown_block_shortcode() {
    let (site, before) = built();
    site.write(
        PAGE,
        "---\ntitle: Seite\n---\n\nText.\n\n{% gibtsnicht() %}\nInhalt\n{% end %}\n",
    );
    refused(&site, &before, PAGE, Some(7), &["gibtsnicht"]);
}

// ---------------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------------

#[test]
fn two_files_writing_the_same_url_are_both_named() {
    let (site, before) = built();
    site.write("content/a.md", "---\ntitle: A\nslug: gleich\n---\n\nA.\n");
    site.write("content/b.md", "---\ntitle: B\nslug: gleich\n---\n\nB.\n");
    refused(
        &site,
        &before,
        "content/b.md",
        None,
        &["content/a.md", "/gleich/"],
    );
}

#[test]
fn alias_that_climbs_out_of_the_site() {
    let (site, before) = built();
    site.write(
        PAGE,
        "---\ntitle: Seite\naliases: [\"../../etc/x\"]\n---\n\nText.\n",
    );
    refused(&site, &before, PAGE, Some(3), &["../../etc/x"]);
}

// ---------------------------------------------------------------------------------------------
// General behaviour on errors
// ---------------------------------------------------------------------------------------------

#[test]
fn every_problem_is_reported_at_once() {
    let (site, before) = built();
    site.write(PAGE, "---\ntitle: Seite\ntitel: x\n---\n");
    site.write(
        "content/andere.md",
        "---\ntitle: Andere\ndraft: vielleicht\n---\n",
    );
    let run = refused(&site, &before, PAGE, Some(3), &["content/andere.md:3"]);
    assert!(run.stderr.contains("2 errors"), "{}", run.stderr);
}

#[test]
fn a_failed_first_build_creates_no_output() {
    let site = TestSite::new("basic");
    site.write(PAGE, "---\ntitle: Seite\ndraft: maybe\n---\n");
    let run = site.build(&[]).failed();
    assert!(run.stderr.contains("content/seite.md:3"), "{}", run.stderr);
    assert!(
        !site.out().exists(),
        "no output folder may appear after a failed build"
    );
    assert!(
        leftovers(&site.root).is_empty(),
        "{:?}",
        leftovers(&site.root)
    );
}

#[test]
fn quiet_still_prints_errors() {
    let (site, _) = built();
    site.write(PAGE, "---\ntitle: Seite\ndraft: maybe\n---\n");
    let run = site.build(&["--quiet"]).failed();
    assert!(run.stderr.contains("content/seite.md:3"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn a_missing_site_toml_is_explained() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().to_str().expect("utf-8");
    let run = ludd(tmp.path(), &["--root", root, "build"]).failed();
    assert!(
        run.stderr.contains("site.toml") && run.stderr.contains("help:"),
        "{}",
        run.stderr
    );
}

#[test]
fn template_error_inside_a_shortcode_names_the_content_file_and_line() {
    let (site, before) = built();
    site.write(
        "templates/shortcodes/hinweis.html",
        "<aside>{{ body }}{{ gibtsnicht }}</aside>\n",
    );
    site.write(
        PAGE,
        "---\ntitle: Seite\n---\n\nText.\n\n{% hinweis() %}\nInhalt\n{% end %}\n",
    );
    refused(&site, &before, PAGE, Some(7), &["hinweis"]);
}

#[test]
fn url_function_with_a_missing_file() {
    let (site, before) = built();
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<a href=\"{{ url(path='@/fehlt.md') }}\">x</a>\n{% endblock content %}\n",
    );
    refused(
        &site,
        &before,
        "templates/page.html",
        Some(3),
        &["fehlt.md"],
    );
}

#[test]
fn asset_function_with_a_missing_file() {
    let (site, before) = built();
    site.write("templates/404.html", "{% extends \"base.html\" %}\n{% block content %}\n<link href=\"{{ asset(path='css/fehlt.css') }}\">\n{% endblock content %}\n");
    refused(
        &site,
        &before,
        "templates/404.html",
        Some(3),
        &["css/fehlt.css"],
    );
}

#[test]
fn malformed_data_files_are_refused_with_file_and_line_all_at_once() {
    let (site, before) = built();
    site.write(
        "data/events.toml",
        "[[items]]\ntitle = \"Infoabend\"\nstart = \n",
    );
    site.write("data/team.json", "{\n  \"name\": \"Ada\",\n}\n");
    let run = refused(
        &site,
        &before,
        "data/events.toml",
        Some(3),
        &["malformed TOML"],
    );
    assert!(
        run.stderr.contains("data/team.json:3") && run.stderr.contains("malformed JSON"),
        "every malformed data file is reported:\n{}",
        run.stderr
    );
    site.remove("data/team.json");
    site.write("data/events.toml", "a = 1\n");
    site.write("data/places.csv", "city,venue\nLeeds\n");
    refused(
        &site,
        &before,
        "data/places.csv",
        Some(2),
        &["malformed CSV"],
    );
    site.remove("data/places.csv");
    site.write("data/events.yaml", "b: 2\n");
    refused(
        &site,
        &before,
        "data/events.yaml",
        None,
        &["also defined by"],
    );
}
