//! `ludd init`: writes a neutral starter site in the languages the user names — config with
//! every language, a home page and a first post per language, a menu, the site's own UI strings
//! (share-card text, fallback marks) and the default theme, which is embedded in the binary so
//! that it works anywhere. Texts exist for de, en, fr, es and ar; other languages get the
//! English texts to translate.

use crate::error::{Diagnostic, Error, Result};
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/theme_files.rs"));

/// The starter texts of one language.
struct Texts {
    site_title: &'static str,
    site_description: &'static str,
    home_title: &'static str,
    home_body: &'static str,
    post_title: &'static str,
    post_slug: &'static str,
    post_body: &'static str,
    card_alt: &'static str,
    not_translated: &'static str,
    only_in_default: &'static str,
}

const EN: Texts = Texts {
    site_title: "My campaign",
    site_description: "A multilingual campaign site",
    home_title: "Welcome",
    home_body: "This is the home page. Read the [first post]({post}).",
    post_title: "First post",
    post_slug: "first-post",
    post_body: "## What it is about\n\nWrite your text here.",
    card_alt: "My campaign",
    not_translated: "(not translated)",
    only_in_default: "(not translated yet)",
};

/// Texts for a language code (its primary subtag), or none: then English is used.
fn texts(code: &str) -> Option<&'static Texts> {
    const DE: Texts = Texts {
        site_title: "Meine Kampagne",
        site_description: "Eine mehrsprachige Kampagnenseite",
        home_title: "Willkommen",
        home_body: "Das ist die Startseite. Lies den [ersten Beitrag]({post}).",
        post_title: "Erster Beitrag",
        post_slug: "erster-beitrag",
        post_body: "## Worum es geht\n\nSchreib hier deinen Text.",
        card_alt: "Meine Kampagne",
        not_translated: "(nicht übersetzt)",
        only_in_default: "(noch nicht übersetzt)",
    };
    const FR: Texts = Texts {
        site_title: "Ma campagne",
        site_description: "Un site de campagne multilingue",
        home_title: "Bienvenue",
        home_body: "Voici la page d’accueil. Lisez le [premier article]({post}).",
        post_title: "Premier article",
        post_slug: "premier-article",
        post_body: "## De quoi il s’agit\n\nÉcrivez votre texte ici.",
        card_alt: "Ma campagne",
        not_translated: "(non traduit)",
        only_in_default: "(pas encore traduit)",
    };
    const ES: Texts = Texts {
        site_title: "Mi campaña",
        site_description: "Un sitio de campaña multilingüe",
        home_title: "Bienvenida",
        home_body: "Esta es la página de inicio. Lee la [primera entrada]({post}).",
        post_title: "Primera entrada",
        post_slug: "primera-entrada",
        post_body: "## De qué se trata\n\nEscribe aquí tu texto.",
        card_alt: "Mi campaña",
        not_translated: "(sin traducir)",
        only_in_default: "(todavía sin traducir)",
    };
    const AR: Texts = Texts {
        site_title: "حملتي",
        site_description: "موقع حملة متعدد اللغات",
        home_title: "أهلاً وسهلاً",
        home_body: "هذه هي الصفحة الرئيسية. اقرأ [المقال الأول]({post}).",
        post_title: "المقال الأول",
        post_slug: "al-maqal-al-awwal",
        post_body: "## عمّ يدور الأمر\n\nاكتب نصك هنا.",
        card_alt: "حملتي",
        not_translated: "(غير مترجم)",
        only_in_default: "(لم يُترجم بعد)",
    };
    match code.split('-').next().unwrap_or(code) {
        "en" => Some(&EN),
        "de" => Some(&DE),
        "fr" => Some(&FR),
        "es" => Some(&ES),
        "ar" => Some(&AR),
        _ => None,
    }
}

/// What `ludd init` creates.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The default language (`en`).
    pub lang: String,
    /// Every language, default included (it is put first).
    pub languages: Vec<String>,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions {
            lang: "en".into(),
            languages: Vec::new(),
        }
    }
}

/// Creates a starter site in `dir`, which must not exist or be empty. Returns the languages
/// that got English texts (ludd has none of their own for them).
pub fn init(dir: &Path, options: &InitOptions) -> Result<Vec<String>> {
    let mut languages = vec![options.lang.clone()];
    for l in &options.languages {
        if !languages.contains(l) {
            languages.push(l.clone());
        }
    }
    let bad: Vec<&String> = languages
        .iter()
        .filter(|l| !crate::load::config::is_language_code(l))
        .collect();
    if let Some(l) = bad.first() {
        return Err(
            Diagnostic::new(dir, format!("`{l}` is not a language code"))
                .with_help("use BCP 47 codes such as en, de, fr, es, ar, pt-br (lowercase)")
                .into(),
        );
    }
    require_new_or_empty(
        dir,
        "folder is not empty",
        "choose a new or empty folder; ludd init never overwrites files",
    )?;
    let write = |rel: &str, bytes: &[u8]| -> Result<()> {
        let path = dir.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| Error::io("create directory", p, e))?;
        }
        crate::write::atomic::write(&path, bytes).map_err(|e| Error::io("write", &path, e))
    };
    let default = &languages[0];
    let default_texts = texts(default).unwrap_or(&EN);
    write("site.toml", site_toml(&languages).as_bytes())?;
    for (i, code) in languages.iter().enumerate() {
        let t = texts(code).unwrap_or(&EN);
        let suffix = if i == 0 {
            String::new()
        } else {
            format!(".{code}")
        };
        let post = format!("@/{}.md", default_texts.post_slug);
        write(
            &format!("content/_index{suffix}.md"),
            format!(
                "---\ntitle: {}\ndescription: {}\n---\n\n{}\n",
                quoted(t.home_title),
                quoted(t.site_description),
                t.home_body.replace("{post}", &post)
            )
            .as_bytes(),
        )?;
        let slug = if i == 0 {
            String::new()
        } else {
            format!("slug: {}\n", quoted(t.post_slug))
        };
        write(
            &format!("content/{}{suffix}.md", default_texts.post_slug),
            format!(
                "---\ntitle: {}\ndate: 2025-01-01\n{slug}---\n\n{}\n",
                quoted(t.post_title),
                t.post_body
            )
            .as_bytes(),
        )?;
        write(
            &format!("i18n/{code}.toml"),
            format!(
                "# This site's own UI strings ({code}); they override the theme's key by key.\n[meta]\ncard_alt = {}\n\n[lang]\nfallback = {}\n\n[fallback]\nnotice = {}\n",
                quoted(t.card_alt),
                quoted(t.not_translated),
                quoted(t.only_in_default)
            )
            .as_bytes(),
        )?;
    }
    write_theme(dir)?;
    write(".gitignore", b"/public/\n/.public.ludd-state\n")?;
    Ok(languages
        .iter()
        .filter(|l| texts(l).is_none())
        .cloned()
        .collect())
}

/// A YAML/TOML double-quoted string.
fn quoted(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// The starter `site.toml`.
fn site_toml(languages: &[String]) -> String {
    let default = &languages[0];
    let t = texts(default).unwrap_or(&EN);
    let mut out = format!(
        "# ludd site configuration. Every key is documented in ludd's README.\ntitle = {}\ndescription = {}\nbase_url = \"https://example.org\"\ndefault_language = \"{default}\"\ntheme = \"campaign\"\noutput_dir = \"public\"\n",
        quoted(t.site_title),
        quoted(t.site_description)
    );
    for (i, code) in languages.iter().enumerate() {
        let lt = texts(code).unwrap_or(&EN);
        out.push_str(&format!(
            "\n[languages.{code}]\nname = {}\n",
            quoted(crate::locale::endonym(code).unwrap_or(code))
        ));
        if crate::locale::is_rtl(code) {
            out.push_str("direction = \"rtl\"\n");
        }
        if i > 0 {
            out.push_str(&format!(
                "title = {}\ndescription = {}\nfallback = true\n",
                quoted(lt.site_title),
                quoted(lt.site_description)
            ));
        }
    }
    out.push_str(&format!(
        "\n# The header menu; add entries, or [[menus.footer]] for footer links.\n[[menus.main]]\npage = \"@/{}.md\"\n\n[extra]\n# Every page gets its own share card, drawn from the theme's cards/card.svg with the page's\n# title. To use one image for all pages instead (1200×630, in static/):\n# og_image = \"img/card.png\"\n",
        t.post_slug
    ));
    out
}

/// Refuses `dir` unless it is missing or empty (`ludd init`, `ludd import`): a new site never
/// lands among someone's files.
pub(crate) fn require_new_or_empty(dir: &Path, message: &str, help: &str) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    let empty = std::fs::read_dir(dir)
        .map_err(|e| Error::io("read", dir, e))?
        .next()
        .is_none();
    if empty {
        Ok(())
    } else {
        Err(Diagnostic::new(dir, message).with_help(help).into())
    }
}

/// Writes the embedded default theme into `dir/themes/campaign/`.
pub fn write_theme(dir: &Path) -> Result<()> {
    for (rel, bytes) in THEME_FILES {
        let path = dir.join("themes/campaign").join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| Error::io("create directory", p, e))?;
        }
        crate::write::atomic::write(&path, bytes).map_err(|e| Error::io("write", &path, e))?;
    }
    Ok(())
}
