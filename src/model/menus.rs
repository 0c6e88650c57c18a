//! Menus per language: the `[[menus.<name>]]` entries of `site.toml` (a language's own
//! `[[languages.<code>.menus.<name>]]` replace the top-level menu of that name) resolved to the
//! documents they link in that language, with a visible default-language fallback where a page
//! has no translation. Without a configured `main` menu, `main` lists the top-level sections.

use super::{DocId, LangId, Site};
use crate::error::Diagnostic;
use crate::load::config::{CONFIG_FILE, MenuEntryConfig, MenusConfig};

/// One language's menu.
#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    /// Its name (`main`, `footer`).
    pub name: String,
    /// Entries, sorted by weight (unweighted ones after, in the order written).
    pub entries: Vec<MenuEntry>,
    /// Whether `site.toml` configures it (false: the generated `main` of top-level sections).
    pub configured: bool,
}

/// One resolved menu entry.
#[derive(Debug, Clone, PartialEq)]
pub struct MenuEntry {
    /// What it links.
    pub target: MenuTarget,
    /// What it shows.
    pub label: MenuLabel,
    /// Its weight.
    pub weight: Option<i64>,
}

/// Where a menu entry links.
#[derive(Debug, Clone, PartialEq)]
pub enum MenuTarget {
    /// A document, in the menu's language or (`is_fallback`) in the default language.
    Page {
        /// The linked document.
        id: DocId,
        /// `#fragment` of the link, if any.
        fragment: Option<String>,
        /// The page has no version in the menu's language; this is the default language's.
        is_fallback: bool,
    },
    /// A URL, used as written.
    Url(String),
}

/// A menu entry's label.
#[derive(Debug, Clone, PartialEq)]
pub enum MenuLabel {
    /// Shown as written.
    Name(String),
    /// A UI string, looked up in the menu's language.
    Key(String),
    /// The linked page's title.
    Title,
}

/// The menus of every language (index = language index), or every entry that names a missing
/// page.
pub fn resolve(site: &Site) -> Result<Vec<Vec<Menu>>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut all = Vec::with_capacity(site.languages.len());
    for (lang, language) in site.each_language() {
        let own = site.config.languages.get(&language.code).map(|l| &l.menus);
        let mut menus: Vec<Menu> = Vec::new();
        let mut add = |name: &str, entries: &[MenuEntryConfig], at: String| {
            let resolved = entries
                .iter()
                .filter_map(|e| match entry(site, lang, e) {
                    Ok(e) => Some(e),
                    Err(message) => {
                        problems.push(
                            Diagnostic::new(CONFIG_FILE, message)
                                .at_optional_line(site.config.line_of(&format!("{at}.{name}]")))
                                .with_help("name an existing content file from content/ (page = \"@/about.md\") and an existing UI string (key = \"footer.imprint\"), or use name = \"…\""),
                        );
                        None
                    }
                })
                .collect();
            menus.push(Menu {
                name: name.to_string(),
                entries: sorted(resolved),
                configured: true,
            });
        };
        let own_menus: Option<&MenusConfig> = own;
        for (name, entries) in own_menus.into_iter().flatten() {
            add(name, entries, format!("[languages.{}.menus", language.code));
        }
        for (name, entries) in &site.config.menus {
            if !own_menus.is_some_and(|m| m.contains_key(name)) {
                add(name, entries, "[menus".to_string());
            }
        }
        if !menus.iter().any(|m| m.name == "main") {
            menus.push(Menu {
                name: "main".into(),
                entries: top_level_sections(site, lang),
                configured: false,
            });
        }
        menus.sort_by(|a, b| a.name.cmp(&b.name));
        all.push(menus);
    }
    // A top-level entry is resolved once per language: report each problem once.
    problems.dedup_by(|a, b| a.to_string() == b.to_string());
    let mut seen = std::collections::HashSet::new();
    problems.retain(|p| seen.insert(p.to_string()));
    if problems.is_empty() {
        Ok(all)
    } else {
        Err(problems)
    }
}

/// Resolves one configured entry in language `lang`.
fn entry(site: &Site, lang: LangId, e: &MenuEntryConfig) -> Result<MenuEntry, String> {
    let label = match (&e.name, &e.key) {
        (Some(name), _) => MenuLabel::Name(name.clone()),
        (None, Some(key)) if !site.theme.ui_strings.values().any(|m| m.contains_key(key)) => {
            return Err(format!(
                "menu entry key `{key}` is not a UI string in any i18n/<lang>.toml"
            ));
        }
        (None, Some(key)) => MenuLabel::Key(key.clone()),
        (None, None) => MenuLabel::Title,
    };
    let target = match (&e.page, &e.url) {
        (Some(page), _) => {
            let rel = page.strip_prefix("@/").unwrap_or(page);
            let (file, fragment) = match rel.split_once('#') {
                Some((f, frag)) => (f, Some(frag.to_string())),
                None => (rel, None),
            };
            let Some(&id) = site.by_path.get(file) else {
                return Err(format!(
                    "menu entry `{page}`: no published content file content/{file}"
                ));
            };
            let id = site.in_language(id, lang);
            MenuTarget::Page {
                id,
                fragment,
                is_fallback: site.docs[id].lang != lang,
            }
        }
        (None, Some(url)) => MenuTarget::Url(url.clone()),
        (None, None) => return Err("menu entry without `page` or `url`".into()),
    };
    Ok(MenuEntry {
        target,
        label,
        weight: e.weight,
    })
}

/// Entries by weight; unweighted ones keep their order after the weighted ones.
fn sorted(mut entries: Vec<MenuEntry>) -> Vec<MenuEntry> {
    entries.sort_by_key(|e| (e.weight.is_none(), e.weight.unwrap_or(0)));
    entries
}

/// The generated `main` menu: the home page's sections in `lang` by weight and URL, plus the
/// default language's untranslated ones when the language shows fallbacks.
fn top_level_sections(site: &Site, lang: LangId) -> Vec<MenuEntry> {
    let Some(home) = site.homes[lang] else {
        return Vec::new();
    };
    let mut ids: Vec<(DocId, bool)> = site.docs[home]
        .subsections
        .iter()
        .map(|&id| (id, false))
        .collect();
    if let Some(default_home) = site.homes[Site::DEFAULT_LANGUAGE]
        .filter(|_| lang != Site::DEFAULT_LANGUAGE && site.languages[lang].fallback)
    {
        for &sub in &site.docs[default_home].subsections {
            if site.docs[sub].translations[lang].is_none() {
                ids.push((sub, true));
            }
        }
    }
    ids.sort_by(|a, b| {
        let (da, db) = (&site.docs[a.0], &site.docs[b.0]);
        let wa = da.source.front_matter.weight.unwrap_or(i64::MAX);
        let wb = db.source.front_matter.weight.unwrap_or(i64::MAX);
        (wa, &da.url).cmp(&(wb, &db.url))
    });
    ids.into_iter()
        .map(|(id, is_fallback)| MenuEntry {
            target: MenuTarget::Page {
                id,
                fragment: None,
                is_fallback,
            },
            label: MenuLabel::Title,
            weight: site.docs[id].source.front_matter.weight,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry_of(weight: Option<i64>, name: &str) -> MenuEntry {
        MenuEntry {
            target: MenuTarget::Url(format!("/{name}/")),
            label: MenuLabel::Name(name.into()),
            weight,
        }
    }

    #[test]
    fn weighted_entries_first_then_written_order() {
        let out = sorted(vec![
            entry_of(None, "c"),
            entry_of(Some(2), "b"),
            entry_of(None, "d"),
            entry_of(Some(-1), "a"),
        ]);
        let names: Vec<_> = out
            .iter()
            .map(|e| match &e.label {
                MenuLabel::Name(n) => n.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
    }
}
