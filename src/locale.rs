//! What ludd knows about language codes without configuration: each language's own name
//! (endonym) and its writing direction, for `ludd init` and `ludd import`.

/// The language's own name for a BCP 47 code (its primary subtag), if ludd knows it.
pub fn endonym(code: &str) -> Option<&'static str> {
    let primary = code.split(['-', '_']).next().unwrap_or(code);
    let name = match primary.to_ascii_lowercase().as_str() {
        "ar" => "العربية",
        "bg" => "Български",
        "bn" => "বাংলা",
        "ca" => "Català",
        "cs" => "Čeština",
        "da" => "Dansk",
        "de" => "Deutsch",
        "el" => "Ελληνικά",
        "en" => "English",
        "eo" => "Esperanto",
        "es" => "Español",
        "et" => "Eesti",
        "eu" => "Euskara",
        "fa" => "فارسی",
        "fi" => "Suomi",
        "fr" => "Français",
        "ga" => "Gaeilge",
        "gl" => "Galego",
        "he" => "עברית",
        "hi" => "हिन्दी",
        "hr" => "Hrvatski",
        "hu" => "Magyar",
        "id" => "Bahasa Indonesia",
        "it" => "Italiano",
        "ja" => "日本語",
        "ko" => "한국어",
        "ku" => "Kurdî",
        "lt" => "Lietuvių",
        "lv" => "Latviešu",
        "nb" | "no" => "Norsk",
        "nl" => "Nederlands",
        "pl" => "Polski",
        "pt" => "Português",
        "ro" => "Română",
        "ru" => "Русский",
        "sk" => "Slovenčina",
        "sl" => "Slovenščina",
        "sr" => "Српски",
        "sv" => "Svenska",
        "sw" => "Kiswahili",
        "th" => "ไทย",
        "tr" => "Türkçe",
        "uk" => "Українська",
        "ur" => "اردو",
        "vi" => "Tiếng Việt",
        "zh" => "中文",
        _ => return None,
    };
    Some(name)
}

/// Whether the language is written right to left.
pub fn is_rtl(code: &str) -> bool {
    let primary = code.split(['-', '_']).next().unwrap_or(code);
    matches!(
        primary.to_ascii_lowercase().as_str(),
        "ar" | "fa" | "he" | "ur" | "ps" | "sd" | "yi" | "dv" | "ug" | "ckb"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_directions() {
        assert_eq!(endonym("pt-BR"), Some("Português"));
        assert_eq!(endonym("xx"), None);
        assert!(is_rtl("fa") && is_rtl("ar-EG") && !is_rtl("fr"));
    }
}
