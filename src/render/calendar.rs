//! iCalendar (RFC 5545) files from data files: for each `[[calendars]]` entry of `site.toml`, one
//! `.ics` file per event and one with all events, in every language (each language reads its own
//! version of the data file). Lines end in CRLF and are folded at 75 octets; text is escaped.

use crate::error::{Diagnostic, Result};
use crate::load::config::CalendarConfig;
use crate::load::front_matter::Date;
use crate::model::{LangId, Site};
use serde_json::Value;
use std::path::PathBuf;

/// One event, validated.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    /// Stable identifier: the file name and the UID.
    pub id: String,
    /// SUMMARY.
    pub title: String,
    /// DTSTART.
    pub start: Moment,
    /// DTEND.
    pub end: Option<Moment>,
    /// LOCATION.
    pub place: Option<String>,
    /// DESCRIPTION.
    pub description: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// DTSTAMP: when the entry was last changed (default: its start).
    pub updated: Option<Moment>,
}

/// A point in time, or a whole day.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Moment {
    /// A date without a time: an all-day event (`20260212`).
    Day(String),
    /// A time, in UTC (`20260212T180000Z`).
    Utc(String),
}

impl Moment {
    fn parse(text: &str) -> Option<Moment> {
        let date = Date::parse(text)?;
        if text.len() == 10 {
            return Some(Moment::Day(text.replace('-', "")));
        }
        let utc = date.timestamp.to_zoned(jiff::tz::TimeZone::UTC);
        Some(Moment::Utc(utc.strftime("%Y%m%dT%H%M%SZ").to_string()))
    }

    fn property(&self, name: &str) -> String {
        match self {
            Moment::Day(d) => format!("{name};VALUE=DATE:{d}"),
            Moment::Utc(t) => format!("{name}:{t}"),
        }
    }

    fn stamp(&self) -> String {
        match self {
            Moment::Day(d) => format!("{d}T000000Z"),
            Moment::Utc(t) => t.clone(),
        }
    }
}

/// Output path of calendar `cal`'s file for `event` (none: all events) in language `lang`.
pub(crate) fn output_path(
    site: &Site,
    cal: &CalendarConfig,
    lang: LangId,
    event: Option<&str>,
) -> String {
    // The output folder has no base path; the language prefix carries it.
    let prefix = site
        .strip_base_path(&site.languages[lang].prefix)
        .trim_matches('/');
    let folder = cal.path.trim_matches('/');
    let file = event.unwrap_or("all");
    [prefix, folder, &format!("{file}.ics")]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/")
}

/// The events of calendar `cal` in language `lang`; a malformed entry is an error naming the
/// data file.
pub(crate) fn events(site: &Site, cal: &CalendarConfig, lang: LangId) -> Result<Vec<Event>> {
    let code = &site.languages[lang].code;
    let data = site.data.for_language(code);
    let file: PathBuf = site
        .data
        .source_of(&cal.data, code)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(crate::load::config::CONFIG_FILE));
    let mut value = &data;
    for part in cal.data.split('.') {
        value = value.get(part).unwrap_or(&Value::Null);
    }
    let list = match value {
        Value::Array(list) => list,
        Value::Null => {
            return Err(Diagnostic::new(
                crate::load::config::CONFIG_FILE,
                format!("calendar data `data.{}` does not exist", cal.data),
            )
            .with_help("add the data file (data/events.yaml, …) or fix `data` in [[calendars]]")
            .into());
        }
        _ => {
            return Err(Diagnostic::new(
                &file,
                format!("`data.{}` must be a list of events", cal.data),
            )
            .with_help("write the events as a list (YAML `- id: …`, TOML needs a key such as [[items]] and data = \"events.items\")")
            .into());
        }
    };
    let mut out: Vec<Event> = Vec::with_capacity(list.len());
    let mut problems = Vec::new();
    for (i, item) in list.iter().enumerate() {
        match event(item) {
            Ok(e) if out.iter().any(|o| o.id == e.id) => problems.push(
                Diagnostic::new(&file, format!("event {}: id `{}` is used twice", i + 1, e.id))
                    .with_help("give every event its own id"),
            ),
            Ok(e) => out.push(e),
            Err(message) => problems.push(
                Diagnostic::new(&file, format!("event {}: {message}", i + 1)).with_help(
                    "every event needs id (letters, digits, -), title and start (2026-02-12T19:00:00+01:00 or 2026-02-12)",
                ),
            ),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(crate::error::Error::Invalid(problems))
    }
}

fn event(item: &Value) -> std::result::Result<Event, String> {
    let text = |key: &str| -> Option<String> {
        match item.get(key)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let moment = |key: &str| -> std::result::Result<Option<Moment>, String> {
        match text(key) {
            None => Ok(None),
            Some(t) => Moment::parse(&t)
                .map(Some)
                .ok_or_else(|| format!("`{key}` is not a date or a date and time: `{t}`")),
        }
    };
    let id = text("id").ok_or("`id` is missing")?;
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "`id` may hold only letters, digits, - and _: `{id}`"
        ));
    }
    Ok(Event {
        title: text("title").ok_or("`title` is missing")?,
        start: moment("start")?.ok_or("`start` is missing")?,
        end: moment("end")?,
        place: text("place"),
        description: text("description"),
        url: text("url"),
        updated: moment("updated")?,
        id,
    })
}

/// An iCalendar file with `events`.
pub(crate) fn render(site: &Site, cal: &CalendarConfig, lang: LangId, events: &[Event]) -> String {
    let l = &site.languages[lang];
    let host = site
        .config
        .base_url
        .split("://")
        .nth(1)
        .unwrap_or(&site.config.base_url)
        .split('/')
        .next()
        .unwrap_or("localhost");
    let name = cal.name.as_deref().unwrap_or(&l.title);
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        format!(
            "PRODID:-//ludd//{}//{}",
            escape(&site.config.title),
            l.code.to_uppercase()
        ),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        format!("X-WR-CALNAME:{}", escape(name)),
    ];
    for e in events {
        lines.push("BEGIN:VEVENT".to_string());
        lines.push(format!("UID:{}@{host}", e.id));
        lines.push(format!(
            "DTSTAMP:{}",
            e.updated.as_ref().unwrap_or(&e.start).stamp()
        ));
        lines.push(e.start.property("DTSTART"));
        if let Some(end) = &e.end {
            lines.push(end.property("DTEND"));
        }
        lines.push(format!("SUMMARY;LANGUAGE={}:{}", l.code, escape(&e.title)));
        if let Some(place) = &e.place {
            lines.push(format!("LOCATION:{}", escape(place)));
        }
        if let Some(d) = &e.description {
            lines.push(format!("DESCRIPTION;LANGUAGE={}:{}", l.code, escape(d)));
        }
        if let Some(url) = &e.url {
            lines.push(format!("URL:{url}"));
        }
        lines.push("END:VEVENT".to_string());
    }
    lines.push("END:VCALENDAR".to_string());
    let mut out = String::new();
    for line in lines {
        fold(&line, &mut out);
    }
    out
}

/// TEXT escaping of RFC 5545 (3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded to lines of at most 75 octets (continuations start with a space),
/// never splitting a UTF-8 character, each ended by CRLF.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        fold(&format!("DESCRIPTION:{}", "ä".repeat(60)), &mut out);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l:?} has {} octets", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("DESCRIPTION:{}\r\n", "ä".repeat(60)));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }

    #[test]
    fn times_are_written_in_utc_and_dates_as_whole_days() {
        assert_eq!(
            Moment::parse("2026-02-12T19:00:00+01:00"),
            Some(Moment::Utc("20260212T180000Z".into()))
        );
        assert_eq!(
            Moment::parse("2026-02-12"),
            Some(Moment::Day("20260212".into()))
        );
        assert_eq!(Moment::parse("12.2.2026"), None);
    }

    #[test]
    fn events_need_id_title_and_start() {
        let e = event(&serde_json::json!({"title": "x", "start": "2026-01-01"})).unwrap_err();
        assert!(e.contains("`id`"), "{e}");
        let e = event(&serde_json::json!({"id": "a b", "title": "x", "start": "2026-01-01"}))
            .unwrap_err();
        assert!(e.contains("letters"), "{e}");
    }
}
