//! Dates and numbers in each configured language, from CLDR (ICU4X's compiled data): the long
//! date form (`28. Oktober 2025`, `October 28, 2025`, `28 de octubre de 2025`) and grouped
//! numbers (`1.100`, `1,100`, `1 100` with a narrow no-break space). The formatters are built
//! once per language when the templates are, and shared by the render workers.

use icu_calendar::Gregorian;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::YMD;
use icu_datetime::input::Date;
use icu_decimal::DecimalFormatter;
use icu_decimal::input::Decimal;
use icu_locale_core::Locale;
use std::collections::HashMap;

/// The formatters of one language.
struct Formats {
    /// Year, month and day, long (month spelled out), in the Gregorian calendar that front
    /// matter dates are written in.
    long_date: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    /// Decimal numbers with the language's separators and grouping.
    number: DecimalFormatter,
}

/// The formatters of every configured language, by language code.
pub(crate) struct Locales(HashMap<String, Formats>);

impl Locales {
    /// Formatters for `codes` (BCP 47 language codes such as `de`, `pt-BR`). A language CLDR has
    /// no data for gets the data of its nearest parent (in the end CLDR's root).
    pub(crate) fn new<'a>(codes: impl IntoIterator<Item = &'a str>) -> Locales {
        Locales(
            codes
                .into_iter()
                .filter_map(|code| Some((code.to_string(), formats(code)?)))
                .collect(),
        )
    }

    /// `date` in `lang`'s long form; None when `lang` is not configured.
    pub(crate) fn long_date(&self, lang: &str, date: jiff::civil::Date) -> Option<String> {
        let formats = self.0.get(lang)?;
        let month = u8::try_from(date.month()).ok()?;
        let day = u8::try_from(date.day()).ok()?;
        let date = Date::try_new_gregorian(i32::from(date.year()), month, day).ok()?;
        Some(formats.long_date.format(&date).to_string())
    }

    /// The decimal number `number` (like `1100`, `-3.25`) written for `lang`; None when it is
    /// not a number or `lang` is not configured.
    pub(crate) fn number(&self, lang: &str, number: &str) -> Option<String> {
        let formats = self.0.get(lang)?;
        let decimal = Decimal::try_from_str(number.trim()).ok()?;
        Some(formats.number.format(&decimal).to_string())
    }
}

fn formats(code: &str) -> Option<Formats> {
    let locale = Locale::try_from_str(code).unwrap_or(Locale::UNKNOWN);
    Some(Formats {
        long_date: FixedCalendarDateTimeFormatter::try_new((&locale).into(), YMD::long()).ok()?,
        number: DecimalFormatter::try_new((&locale).into(), Default::default()).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::Locales;

    #[test]
    fn long_dates_follow_cldr_in_every_language() {
        let locales = Locales::new(["de", "en", "fr", "es", "pt-BR", "ar", "xx"]);
        let date = jiff::civil::date(2025, 10, 8);
        let long = |lang| locales.long_date(lang, date).unwrap_or_default();
        assert_eq!(long("de"), "8. Oktober 2025");
        assert_eq!(long("en"), "October 8, 2025");
        assert_eq!(long("fr"), "8 octobre 2025");
        assert_eq!(long("es"), "8 de octubre de 2025");
        assert_eq!(long("pt-BR"), "8 de outubro de 2025");
        // CLDR writes Arabic with Latin digits by default (ar-EG and others use Arabic-Indic).
        assert_eq!(long("ar"), "8 أكتوبر 2025");
        assert!(long("xx").contains("2025"), "{}", long("xx"));
        assert_eq!(locales.long_date("it", date), None);
    }

    #[test]
    fn numbers_are_grouped_per_language() {
        let locales = Locales::new(["de", "en", "fr", "es", "ar"]);
        let num = |lang, n| locales.number(lang, n).unwrap_or_default();
        assert_eq!(num("de", "1100"), "1.100");
        assert_eq!(num("en", "1100"), "1,100");
        assert_eq!(num("fr", "1100"), "1\u{202f}100");
        assert_eq!(num("de", "-1234567.5"), "-1.234.567,5");
        assert_eq!(num("en", "0.25"), "0.25");
        // CLDR: Spanish groups only from five digits on.
        assert_eq!(num("es", "1100"), "1100");
        assert_eq!(num("es", "11000"), "11.000");
        assert_eq!(num("ar", "1100"), "1,100");
        assert_eq!(locales.number("de", "viele"), None);
    }
}
