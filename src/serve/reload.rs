//! Live reload: the [`Hub`] that fans rebuild results out to every open page over server-sent
//! events (`/__ludd/events`), the JSON payloads of those events, and the browser client
//! (`/__ludd/reload.js`, injected into HTML responses while serving).
//!
//! Events: `hello` on connect (`{"stamp"}`: server and build the client is talking to), then
//! `error` at once if the last rebuild failed; later `change` after every successful rebuild
//! (`{"stamp", "written", "removed", "pages", "css_only", "elapsed_ms"}`; it also clears the
//! overlay), `error` after every failed one (`{"message", "diagnostics": [{"file", "line",
//! "message", "help"}]}`), and `reload` when a client fell too far behind.

use crate::error::Error;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Serialize;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{broadcast, watch};

/// The tag inserted before `</body>` of every HTML response while serving.
pub const SCRIPT_TAG: &str = r#"<script src="/__ludd/reload.js" defer></script>"#;

/// Where the client script is served.
pub const SCRIPT_PATH: &str = "/__ludd/reload.js";

/// Where the event stream is served.
pub const EVENTS_PATH: &str = "/__ludd/events";

/// The browser client.
pub const SCRIPT: &str = include_str!("reload.js");

/// How many events a slow client may fall behind before it is told to reload.
const BACKLOG: usize = 64;

/// A successful rebuild, as sent to browsers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChangeEvent {
    /// The build the pages now show (see [`Hub::stamp`]).
    pub stamp: String,
    /// Output paths written.
    pub written: Vec<String>,
    /// Output paths removed.
    pub removed: Vec<String>,
    /// HTML outputs whose content changed (not just the fingerprints of the assets they link):
    /// open pages with these paths reload.
    pub pages: Vec<String>,
    /// Nothing but stylesheets changed: pages swap them in place.
    pub css_only: bool,
    /// Rebuild time.
    pub elapsed_ms: u64,
}

/// One diagnostic, as sent to browsers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DiagnosticEvent {
    /// The file (relative to the site root where possible).
    pub file: String,
    /// 1-based line.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

/// A failed rebuild, as sent to browsers.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorEvent {
    /// The whole error as the terminal shows it.
    pub message: String,
    /// Each problem with its place.
    pub diagnostics: Vec<DiagnosticEvent>,
}

impl ErrorEvent {
    /// The browser's view of a build error.
    pub fn from_error(error: &Error) -> ErrorEvent {
        let mut diagnostics: Vec<DiagnosticEvent> = error
            .diagnostics()
            .iter()
            .map(|d| DiagnosticEvent {
                file: d.path.to_string_lossy().replace('\\', "/"),
                line: d.line,
                message: d.message.clone(),
                help: d.help.clone(),
            })
            .collect();
        if let Error::Io { path, .. } = error {
            diagnostics.push(DiagnosticEvent {
                file: path.to_string_lossy().replace('\\', "/"),
                line: None,
                message: error.to_string(),
                help: None,
            });
        }
        ErrorEvent {
            message: error.to_string(),
            diagnostics,
        }
    }

    /// An error that is not the site's fault (a crash inside the rebuild).
    pub fn internal(message: impl Into<String>) -> ErrorEvent {
        ErrorEvent {
            message: message.into(),
            diagnostics: Vec::new(),
        }
    }
}

/// One event, serialized once and shared by every connection.
#[derive(Debug)]
pub struct Message {
    kind: &'static str,
    data: String,
}

impl Message {
    fn new(kind: &'static str, payload: &impl Serialize) -> Message {
        // Serializing these plain structs cannot fail; an empty object keeps clients going.
        let data = serde_json::to_string(payload).unwrap_or_else(|_| "{}".to_string());
        Message { kind, data }
    }

    fn event(&self) -> Event {
        Event::default().event(self.kind).data(&self.data)
    }

    /// The event name.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The JSON payload.
    pub fn data(&self) -> &str {
        &self.data
    }
}

#[derive(Debug, Default)]
struct State {
    build: u64,
    error: Option<Arc<Message>>,
}

/// Fans rebuild results out to every connected page and remembers the current state for pages
/// that connect later.
#[derive(Debug)]
pub struct Hub {
    server: String,
    state: Mutex<State>,
    sender: broadcast::Sender<Arc<Message>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new()
    }
}

impl Hub {
    /// A hub with no clients, at build 0.
    pub fn new() -> Hub {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let server = blake3::hash(format!("{}:{nanos}", std::process::id()).as_bytes()).to_hex()
            [..8]
            .to_string();
        let (sender, _) = broadcast::channel(BACKLOG);
        Hub {
            server,
            state: Mutex::new(State::default()),
            sender,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves plain data behind: keep using it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn stamp_of(&self, build: u64) -> String {
        format!("{}.{build}", self.server)
    }

    /// Names the server process and the build the served files belong to. Pages get it in a
    /// `Server-Timing` header and compare it with the `hello` event, so a page that missed a
    /// rebuild (or a server restart) while it was not connected reloads.
    pub fn stamp(&self) -> String {
        let build = self.lock().build;
        self.stamp_of(build)
    }

    /// Whether the last rebuild failed.
    pub fn has_error(&self) -> bool {
        self.lock().error.is_some()
    }

    /// Records a successful rebuild and tells every page. Returns the event sent.
    pub fn changed(
        &self,
        written: Vec<String>,
        removed: Vec<String>,
        pages: Vec<String>,
        elapsed: Duration,
    ) -> ChangeEvent {
        let mut state = self.lock();
        state.build += 1;
        state.error = None;
        let css_only = pages.is_empty()
            && removed.is_empty()
            && written.iter().any(|p| p.ends_with(".css"))
            && written
                .iter()
                .all(|p| p.ends_with(".css") || p.ends_with(".html"));
        let event = ChangeEvent {
            stamp: self.stamp_of(state.build),
            written,
            removed,
            pages,
            css_only,
            elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        };
        // Sent while holding the lock, so a page that connects now sees either the old state
        // and this event, or the new state.
        let _ = self.sender.send(Arc::new(Message::new("change", &event)));
        event
    }

    /// Records a failed rebuild and shows it on every page (and on pages opened later).
    pub fn failed(&self, error: &ErrorEvent) {
        let mut state = self.lock();
        let message = Arc::new(Message::new("error", error));
        state.error = Some(Arc::clone(&message));
        let _ = self.sender.send(message);
    }

    /// Connects a page: the events describing the current state, and the stream of later ones.
    pub fn subscribe(&self) -> (Vec<Arc<Message>>, broadcast::Receiver<Arc<Message>>) {
        let state = self.lock();
        let hello = Arc::new(Message::new(
            "hello",
            &serde_json::json!({ "stamp": self.stamp_of(state.build) }),
        ));
        let mut initial = vec![hello];
        initial.extend(state.error.clone());
        (initial, self.sender.subscribe())
    }

    /// The `/__ludd/events` response: current state first, then every later event, until the
    /// page goes away or `stop` turns true (server shutdown).
    pub fn events(
        &self,
        stop: watch::Receiver<bool>,
    ) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<>> {
        let (initial, receiver) = self.subscribe();
        let mut pending: VecDeque<Event> = initial.iter().map(|m| m.event()).collect();
        if let Some(first) = pending.pop_front() {
            // Reconnect quickly after a server restart.
            pending.push_front(first.retry(Duration::from_millis(500)));
        }
        let connection = Connection {
            pending,
            receiver,
            stop,
        };
        let stream = futures_util::stream::unfold(connection, |mut c| async move {
            let event = c.next().await?;
            Some((Ok(event), c))
        });
        Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
    }
}

struct Connection {
    pending: VecDeque<Event>,
    receiver: broadcast::Receiver<Arc<Message>>,
    stop: watch::Receiver<bool>,
}

impl Connection {
    async fn next(&mut self) -> Option<Event> {
        if let Some(event) = self.pending.pop_front() {
            return Some(event);
        }
        if *self.stop.borrow() {
            return None;
        }
        tokio::select! {
            received = self.receiver.recv() => match received {
                Ok(message) => Some(message.event()),
                // Missed events: the page cannot know what changed, so it reloads.
                Err(broadcast::error::RecvError::Lagged(_)) => Some(Event::default().event("reload").data("{}")),
                Err(broadcast::error::RecvError::Closed) => None,
            },
            _ = self.stop.wait_for(|stopped| *stopped) => None,
        }
    }
}

/// Inserts [`SCRIPT_TAG`] before the last `</body>` (any case), or appends it.
pub fn inject(mut html: Vec<u8>) -> Vec<u8> {
    const CLOSE: &[u8] = b"</body";
    let at = html
        .windows(CLOSE.len())
        .rposition(|w| w.eq_ignore_ascii_case(CLOSE))
        .unwrap_or(html.len());
    html.splice(at..at, SCRIPT_TAG.bytes());
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Diagnostic;

    #[test]
    fn injects_before_the_last_body_end() {
        let html = b"<html><body><p>x</p></BODY></html>".to_vec();
        let out = String::from_utf8(inject(html)).unwrap();
        assert_eq!(
            out,
            format!("<html><body><p>x</p>{SCRIPT_TAG}</BODY></html>")
        );
        let out = String::from_utf8(inject(b"<p>fragment</p>".to_vec())).unwrap();
        assert_eq!(out, format!("<p>fragment</p>{SCRIPT_TAG}"));
    }

    #[test]
    fn new_subscribers_get_the_current_error() {
        let hub = Hub::new();
        let (initial, _) = hub.subscribe();
        assert_eq!(
            initial.iter().map(|m| m.kind()).collect::<Vec<_>>(),
            ["hello"]
        );
        let error = Error::invalid(
            Diagnostic::new("content/a.md", "bad <front> matter")
                .at_line(2)
                .with_help("fix it"),
        );
        hub.failed(&ErrorEvent::from_error(&error));
        let (initial, _) = hub.subscribe();
        assert_eq!(
            initial.iter().map(|m| m.kind()).collect::<Vec<_>>(),
            ["hello", "error"]
        );
        let payload: serde_json::Value = serde_json::from_str(initial[1].data()).unwrap();
        assert_eq!(payload["diagnostics"][0]["file"], "content/a.md");
        assert_eq!(payload["diagnostics"][0]["line"], 2);
        assert_eq!(payload["diagnostics"][0]["message"], "bad <front> matter");
        assert_eq!(payload["diagnostics"][0]["help"], "fix it");
        let (_, mut receiver) = hub.subscribe();
        let event = hub.changed(
            vec!["a/index.html".into()],
            vec![],
            vec!["a/index.html".into()],
            Duration::ZERO,
        );
        assert!(!hub.has_error());
        assert_eq!(event.stamp, hub.stamp());
        assert_eq!(receiver.try_recv().unwrap().kind(), "change");
    }

    #[test]
    fn css_only_ignores_pages_whose_asset_links_changed() {
        let hub = Hub::new();
        let e = hub.changed(
            vec!["css/site.css".into(), "index.html".into()],
            vec![],
            vec![],
            Duration::ZERO,
        );
        assert!(e.css_only);
        let e = hub.changed(
            vec!["css/site.css".into(), "index.html".into()],
            vec![],
            vec!["index.html".into()],
            Duration::ZERO,
        );
        assert!(!e.css_only);
    }
}
