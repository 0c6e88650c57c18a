//! `ludd init`: writes a working starter site — config, bilingual sample content and the default
//! theme, which is embedded in the binary so that it works anywhere.

use crate::error::{Diagnostic, Error, Result};
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/theme_files.rs"));

const SITE_TOML: &str = r#"# ludd site configuration. Every key is documented in ludd's README.
title = "Meine Kampagne"
description = "Eine mehrsprachige Kampagnenseite"
base_url = "https://example.org"
default_language = "de"
theme = "campaign"
output_dir = "public"

[languages.de]
name = "Deutsch"

[languages.en]
name = "English"
title = "My campaign"
description = "A multilingual campaign site"
fallback = true

[extra.publisher]
placeholder = true
name = "Name of the responsible person"
street = "Street and number"
city = "Postcode and city"
country = "Country"
email = "contact@example.org"
"#;

const STARTER: &[(&str, &str)] = &[
    (
        "content/_index.md",
        "---\ntitle: \"Willkommen\"\ndescription: \"Die Startseite der Kampagne\"\n---\n\nDas ist die Startseite. Lies den [ersten Beitrag](@/erster-beitrag.md).\n",
    ),
    (
        "content/_index.en.md",
        "---\ntitle: \"Welcome\"\ndescription: \"The campaign's home page\"\n---\n\nThis is the home page. Read the [first post](@/erster-beitrag.md).\n",
    ),
    (
        "content/erster-beitrag.md",
        "---\ntitle: \"Erster Beitrag\"\ndate: 2025-01-01\nweight: 1\ntags: [\"Kampagne\"]\n---\n\n## Worum es geht\n\nSchreib hier deinen Text.\n",
    ),
    (
        "content/erster-beitrag.en.md",
        "---\ntitle: \"First post\"\nslug: \"first-post\"\ndate: 2025-01-01\nweight: 1\ntags: [\"Campaign\"]\n---\n\n## What it is about\n\nWrite your text here.\n",
    ),
    (
        "content/impressum.md",
        "---\ntitle: \"Impressum\"\nweight: 91\n---\n\n{{ publisher() }}\n",
    ),
    (
        "content/datenschutz.md",
        "---\ntitle: \"Datenschutz\"\nweight: 90\n---\n\nDiese Seite setzt keine Cookies und lädt nichts von anderen Servern.\n",
    ),
];

/// Creates a starter site in `dir`, which must not exist or be empty.
pub fn init(dir: &Path) -> Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| Error::io("read", dir, e))?
            .next()
            .is_none();
        if !empty {
            return Err(Diagnostic::new(dir, "folder is not empty")
                .with_help("choose a new folder name; ludd init never overwrites files")
                .into());
        }
    }
    let write = |rel: &str, bytes: &[u8]| -> Result<()> {
        let path = dir.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| Error::io("create directory", p, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))
    };
    write("site.toml", SITE_TOML.as_bytes())?;
    for (rel, text) in STARTER {
        write(rel, text.as_bytes())?;
    }
    write_theme(dir)?;
    write(".gitignore", b"/public/\n/.public.ludd-state\n")?;
    Ok(())
}

/// Writes the embedded default theme into `dir/themes/campaign/`.
pub fn write_theme(dir: &Path) -> Result<()> {
    for (rel, bytes) in THEME_FILES {
        let path = dir.join("themes/campaign").join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| Error::io("create directory", p, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))?;
    }
    Ok(())
}
