//! The HTTP side of `ludd serve` (axum + tower-http): binds the port, serves the private output
//! folder — MIME types with `charset=utf-8` for text, `index.html` for folders, 308 from `/dir`
//! to `/dir/`, the 404 page of the request's language, `Cache-Control: no-store` on everything,
//! the reload script injected into HTML — and refuses every path that could leave that folder
//! (`..`, percent-encoded separators, backslashes, NUL, symlinks pointing outside).
//!
//! Hardened for a laptop on a hostile network and a browser with hostile pages open:
//! * only `Host` values that are an IP address, `localhost` (or `*.localhost`) or a name given
//!   with `--allow-host` are answered (421 otherwise), so a page cannot read the preview,
//!   drafts included, through DNS rebinding; HTTP/1.1 without `Host` gets 400;
//! * a client has [`HEADER_TIMEOUT`] to send a request's headers (also between requests on a
//!   kept-alive connection), and at most [`max_connections`] connections are open at once, well
//!   below the file-descriptor limit (raised to its hard maximum at start);
//! * every response says `X-Content-Type-Options: nosniff`.

use super::reload::{self, Hub};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tower_http::services::ServeFile;
use tower_http::set_header::SetResponseHeaderLayer;

/// How many ports above the requested one are tried when it is taken.
pub const PORT_ATTEMPTS: u16 = 20;

/// How long a client may take to send a request's headers, and how long a kept-alive
/// connection may wait idle for its next request.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// File descriptors kept free for the files being served, the watcher and the build.
const RESERVED_FDS: u64 = 128;

/// The most connections served at once, whatever the fd limit.
const CONNECTION_CAP: u64 = 4096;

/// Raises the soft limit of open files to the hard one (up to what the cap needs) and returns
/// how many connections may be open at once: the limit minus a reserve, at most
/// [`CONNECTION_CAP`].
pub fn max_connections() -> usize {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    let wanted = CONNECTION_CAP + RESERVED_FDS;
    let current = limit.current.unwrap_or(wanted);
    if current < wanted {
        let raised = limit.maximum.map_or(wanted, |max| max.min(wanted));
        if raised > current {
            limit.current = Some(raised);
            if setrlimit(Resource::Nofile, limit).is_err() {
                limit.current = Some(current);
            }
        }
    }
    let fds = limit.current.unwrap_or(wanted);
    fds.saturating_sub(RESERVED_FDS).clamp(16, CONNECTION_CAP) as usize
}

/// Binds `ip:port`, or the next free port up to `port + 20` when it is taken. Port 0 takes any
/// free port. Returns the listener and the port it got.
pub fn bind(ip: IpAddr, port: u16) -> io::Result<(TcpListener, u16)> {
    let last = if port == 0 {
        0
    } else {
        port.saturating_add(PORT_ATTEMPTS)
    };
    let mut candidate = port;
    loop {
        match TcpListener::bind(SocketAddr::new(ip, candidate)) {
            Ok(listener) => {
                listener.set_nonblocking(true)?;
                let got = listener.local_addr()?.port();
                return Ok((listener, got));
            }
            Err(e) if e.kind() == io::ErrorKind::AddrInUse && candidate < last => candidate += 1,
            Err(e) => return Err(e),
        }
    }
}

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The served folder (canonical).
    root: Arc<PathBuf>,
    /// Live reload.
    hub: Arc<Hub>,
    /// The segments of `base_url`'s path the site is served under (empty: at the root).
    base: Arc<Vec<String>>,
    /// Turns true when the server shuts down (ends the event streams).
    stop: Arc<watch::Sender<bool>>,
    /// Image variants still being made: their URLs get the original image meanwhile.
    pending_images: Option<Arc<crate::render::images::background::Background>>,
    /// Host names answered besides IP addresses and `localhost` (lower case).
    allowed_hosts: Arc<Vec<String>>,
}

impl AppState {
    /// Serves `root` (canonical) and tells pages about rebuilds through `hub`.
    pub fn new(root: PathBuf, hub: Arc<Hub>) -> AppState {
        let (stop, _) = watch::channel(false);
        AppState {
            root: Arc::new(root),
            hub,
            base: Arc::new(Vec::new()),
            stop: Arc::new(stop),
            allowed_hosts: Arc::new(Vec::new()),
            pending_images: None,
        }
    }

    /// Answers the URL of an image variant still being made by `images` with its original.
    pub fn with_pending_images(
        mut self,
        images: Arc<crate::render::images::background::Background>,
    ) -> AppState {
        self.pending_images = Some(images);
        self
    }

    /// Serves the folder under `base_path` (`/project`) rather than at the root, as the real
    /// host does when `base_url` has a path; `/` redirects there.
    pub fn under(mut self, base_path: &str) -> AppState {
        self.base = Arc::new(
            base_path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(crate::check::links::percent_decode)
                .collect(),
        );
        self
    }

    /// Also answers requests for the host names `names` (`--allow-host`).
    pub fn allowing_hosts(mut self, names: &[String]) -> AppState {
        self.allowed_hosts = Arc::new(names.iter().map(|n| n.to_ascii_lowercase()).collect());
        self
    }

    /// Ends every event stream, so a graceful shutdown does not wait for open pages.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }
}

/// The application: the event stream, the client script and the files.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(reload::EVENTS_PATH, get(events))
        .route(reload::SCRIPT_PATH, get(script))
        .route(
            "/__ludd/{*rest}",
            get(|| async { plain(StatusCode::NOT_FOUND, "404 not found") }),
        )
        .fallback(files)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            check_host,
        ))
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

/// Whether the `Host` header value `host` (`name`, `name:port`, `[v6]:port`) may be answered:
/// an IP address, `localhost` or a subdomain of it, or one of `allowed`.
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((v6, _)) => return v6.parse::<std::net::Ipv6Addr>().is_ok(),
            None => return false,
        },
        None => host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        }),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name.parse::<IpAddr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || allowed.contains(&name)
}

/// Refuses requests whose `Host` is not the preview's own (DNS rebinding), and HTTP/1.1
/// requests without one.
async fn check_host(
    State(state): State<AppState>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.to_string()));
    match host {
        None if request.version() >= axum::http::Version::HTTP_11 => plain(
            StatusCode::BAD_REQUEST,
            "400 bad request: HTTP/1.1 requests need a Host header",
        ),
        Some(h) if !host_allowed(&h, &state.allowed_hosts) => plain(
            StatusCode::MISDIRECTED_REQUEST,
            "421 misdirected request: the preview answers only for localhost, IP addresses and the names given with `ludd serve --allow-host <name>`",
        ),
        _ => next.run(request).await,
    }
}

/// Serves until [`AppState::stop`] (see [`Signals`]): one task per connection, at most
/// `max_connections` at once (further ones are closed at once), each with [`HEADER_TIMEOUT`].
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    max_connections: usize,
) -> io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let app = router(state.clone());
    let slots = Arc::new(tokio::sync::Semaphore::new(max_connections));
    let mut stopped = state.stop.subscribe();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = async { let _ = stopped.wait_for(|s| *s).await; } => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            // Out of file descriptors or a connection reset before it was accepted: breathe.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let mut conn_stop = state.stop.subscribe();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .keep_alive(true);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = async { let _ = conn_stop.wait_for(|s| *s).await; } => {
                    conn.as_mut().graceful_shutdown();
                    // Connections that linger (keep-alive) get two seconds.
                    let _ = tokio::time::timeout(Duration::from_secs(2), conn).await;
                }
            }
            drop(slot);
        });
    }
    // Give open responses their two seconds to finish.
    let all = u32::try_from(max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(3), slots.acquire_many(all)).await;
    Ok(())
}

/// The signals that stop the preview: Ctrl-C (SIGINT), SIGTERM, SIGHUP (the terminal was
/// closed) and SIGQUIT (Ctrl-\\). Registered at once, so none is missed between registering
/// and waiting.
pub struct Signals {
    #[cfg(unix)]
    streams: Vec<tokio::signal::unix::Signal>,
}

impl Signals {
    /// Registers the handlers; call inside the runtime (`Runtime::enter`).
    pub fn register() -> io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let kinds = [
                SignalKind::interrupt(),
                SignalKind::terminate(),
                SignalKind::hangup(),
                SignalKind::quit(),
            ];
            let streams = kinds.into_iter().map(signal).collect::<io::Result<_>>()?;
            Ok(Signals { streams })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// Resolves when one of the signals arrives.
    pub async fn recv(&mut self) {
        #[cfg(unix)]
        {
            let waits = self.streams.iter_mut().map(|s| Box::pin(s.recv()));
            let _ = futures_util::future::select_all(waits).await;
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

async fn events(State(state): State<AppState>) -> Response {
    state.hub.events(state.stop.subscribe()).into_response()
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        reload::SCRIPT,
    )
        .into_response()
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// Why a request path is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed or trying to step outside (`..`, `%2f`, backslash, NUL): 400.
    BadRequest,
    /// Resolves outside the served folder (a symlink): 403.
    Forbidden,
}

/// Splits a request path (as sent, percent-encoded) into decoded segments, refusing any
/// segment that could step outside the served folder. Empty segments are dropped.
pub fn safe_segments(raw: &str) -> Result<Vec<String>, Refusal> {
    if !raw.starts_with('/') {
        return Err(Refusal::BadRequest);
    }
    let mut segments = Vec::new();
    for part in raw.split('/').filter(|s| !s.is_empty()) {
        let bytes = percent_decode(part).ok_or(Refusal::BadRequest)?;
        let segment = String::from_utf8(bytes).map_err(|_| Refusal::BadRequest)?;
        let bad_char = |c: char| {
            c == '/' || c == '\\' || c == '\0' || c.is_control() || (cfg!(windows) && c == ':')
        };
        if segment == "." || segment == ".." || segment.contains(bad_char) {
            return Err(Refusal::BadRequest);
        }
        segments.push(segment);
    }
    Ok(segments)
}

/// The file a request path names under `root`, before any symlink is followed.
pub fn safe_path(root: &Path, raw: &str) -> Result<PathBuf, Refusal> {
    let mut path = root.to_path_buf();
    path.extend(safe_segments(raw)?);
    Ok(path)
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Where a request path leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// A file inside the served folder (canonical path).
    File(PathBuf),
    /// A folder asked for without its trailing slash.
    Redirect,
    /// Nothing there.
    NotFound,
    /// Something there, but outside the served folder.
    Forbidden,
}

/// Finds the file `segments` name under `root` (canonical), following symlinks only as far as
/// they stay inside `root`, and `index.html` for folders.
pub fn locate(root: &Path, segments: &[String], trailing_slash: bool) -> Located {
    let mut path = root.to_path_buf();
    path.extend(segments);
    let Ok(real) = std::fs::canonicalize(&path) else {
        return Located::NotFound;
    };
    if !real.starts_with(root) {
        return Located::Forbidden;
    }
    let Ok(meta) = std::fs::metadata(&real) else {
        return Located::NotFound;
    };
    if meta.is_dir() {
        if !trailing_slash && !segments.is_empty() {
            return Located::Redirect;
        }
        match std::fs::canonicalize(real.join("index.html")) {
            Ok(index) if !index.starts_with(root) => Located::Forbidden,
            Ok(index) if index.is_file() => Located::File(index),
            _ => Located::NotFound,
        }
    } else if meta.is_file() && !trailing_slash {
        Located::File(real)
    } else {
        Located::NotFound
    }
}

/// The 404 page for a request: `<lang>/404.html` when the first segment names a folder with
/// one (a language), else `/404.html`.
pub fn not_found_page(root: &Path, segments: &[String]) -> Option<PathBuf> {
    let page = "404.html".to_string();
    let mut candidates = Vec::new();
    if let Some(first) = segments.first() {
        candidates.push(vec![first.clone(), page.clone()]);
    }
    candidates.push(vec![page]);
    candidates
        .into_iter()
        .find_map(|c| match locate(root, &c, false) {
            Located::File(p) => Some(p),
            _ => None,
        })
}

fn is_html(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

pub use crate::render::hosting::with_charset;

async fn files(State(state): State<AppState>, request: Request) -> Response {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "405 method not allowed");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let raw = request.uri().path().to_string();
    let segments = match safe_segments(&raw) {
        Ok(s) => s,
        Err(refusal) => return refused(refusal),
    };
    let root = Arc::clone(&state.root);
    let Some(lookup_segments) = segments.strip_prefix(state.base.as_slice()) else {
        if segments.is_empty() {
            return redirect(&state.base, None);
        }
        return page_response(&state, fallback_404(), StatusCode::NOT_FOUND, &method);
    };
    let lookup_segments = lookup_segments.to_vec();
    let original = state
        .pending_images
        .as_ref()
        .and_then(|images| images.original(&lookup_segments.join("/")));
    let trailing_slash = raw.ends_with('/');
    if lookup_segments.is_empty() && !trailing_slash && !state.base.is_empty() {
        return redirect(&segments, request.uri().query());
    }
    let located = tokio::task::spawn_blocking(move || {
        let located = locate(&root, &lookup_segments, trailing_slash);
        let fallback = matches!(located, Located::NotFound)
            .then(|| not_found_page(&root, &lookup_segments))
            .flatten();
        (located, fallback)
    })
    .await;
    let Ok((located, fallback)) = located else {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "500 internal error");
    };
    match located {
        Located::File(path) if is_html(&path) => html(&state, &path, StatusCode::OK, &method).await,
        Located::File(path) => file(path, request).await,
        Located::Redirect => redirect(&segments, request.uri().query()),
        Located::Forbidden => refused(Refusal::Forbidden),
        // A variant still being made: the original image stands in for it (a site input
        // that the image pipeline read, never a path taken from the request).
        Located::NotFound => match (original, fallback) {
            (Some(source), _) => file(source, request).await,
            (None, Some(page)) => html(&state, &page, StatusCode::NOT_FOUND, &method).await,
            (None, None) => page_response(&state, fallback_404(), StatusCode::NOT_FOUND, &method),
        },
    }
}

fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::BadRequest => plain(
            StatusCode::BAD_REQUEST,
            "400 bad request: this path is not allowed",
        ),
        Refusal::Forbidden => plain(
            StatusCode::FORBIDDEN,
            "403 forbidden: outside the served folder",
        ),
    }
}

fn redirect(segments: &[String], query: Option<&str>) -> Response {
    let mut location = String::new();
    for s in segments {
        location.push('/');
        location.push_str(&crate::render::escape::url_segment(s));
    }
    location.push('/');
    if let Some(q) = query {
        location.push('?');
        location.push_str(q);
    }
    match HeaderValue::from_str(&location) {
        Ok(value) => {
            let mut response = plain(StatusCode::PERMANENT_REDIRECT, "308 permanent redirect");
            response.headers_mut().insert(header::LOCATION, value);
            response
        }
        Err(_) => refused(Refusal::BadRequest),
    }
}

async fn html(state: &AppState, path: &Path, status: StatusCode, method: &Method) -> Response {
    // The stamp is taken before reading, so a page read during a rebuild is at worst reloaded
    // once more than needed.
    let stamp = state.hub.stamp();
    match tokio::fs::read(path).await {
        Ok(bytes) => page_with_stamp(reload::inject(bytes), status, method, &stamp),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            page_response(state, fallback_404(), StatusCode::NOT_FOUND, method)
        }
        Err(_) => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 cannot read the file",
        ),
    }
}

fn fallback_404() -> Vec<u8> {
    reload::inject(
        b"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>404 not found</title></head>\n<body><h1>404 not found</h1><p>The site has no page here (and no 404.html).</p></body></html>\n"
            .to_vec(),
    )
}

fn page_response(
    state: &AppState,
    bytes: Vec<u8>,
    status: StatusCode,
    method: &Method,
) -> Response {
    page_with_stamp(bytes, status, method, &state.hub.stamp())
}

fn page_with_stamp(bytes: Vec<u8>, status: StatusCode, method: &Method, stamp: &str) -> Response {
    let length = bytes.len();
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Ok(timing) = HeaderValue::from_str(&format!("ludd;desc=\"{stamp}\"")) {
        headers.insert(header::HeaderName::from_static("server-timing"), timing);
    }
    response
}

async fn file(path: PathBuf, request: Request) -> Response {
    // ServeFile brings range requests (video seeking) and HEAD; it guesses the type from the
    // extension, and text types get their charset here.
    // ludd's feeds are all called atom.xml; deploy gives them the same type.
    let is_feed = path.file_name().is_some_and(|n| n == "atom.xml");
    match ServeFile::new(&path).try_call(request).await {
        Ok(response) => {
            let mut response = response.map(Body::new);
            if is_feed && response.headers().contains_key(header::CONTENT_TYPE) {
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/atom+xml; charset=utf-8"),
                );
                return response;
            }
            let charset = response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(with_charset)
                .and_then(|v| HeaderValue::from_str(&v).ok());
            if let Some(value) = charset {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
        }
        Err(_) => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 cannot read the file",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn decodes_plain_paths() {
        assert_eq!(safe_segments("/").unwrap(), Vec::<String>::new());
        assert_eq!(safe_segments("/en/hello/").unwrap(), segs(&["en", "hello"]));
        assert_eq!(
            safe_segments("/%C3%BCber%20uns/").unwrap(),
            segs(&["über uns"])
        );
        assert_eq!(safe_segments("/a//b").unwrap(), segs(&["a", "b"]));
        assert_eq!(
            safe_segments("/.well-known/x").unwrap(),
            segs(&[".well-known", "x"])
        );
    }

    #[test]
    fn refuses_traversal() {
        for raw in [
            "/../site.toml",
            "/a/../../site.toml",
            "/%2e%2e/site.toml",
            "/%2E%2E/site.toml",
            "/..%2fsite.toml",
            "/%2e%2e%2fsite.toml",
            "/..\\site.toml",
            "/..%5csite.toml",
            "/a%00.html",
            "/./x",
            "/%zz",
            "/%ff",
            "relative",
        ] {
            assert_eq!(safe_segments(raw), Err(Refusal::BadRequest), "{raw}");
            assert!(safe_path(Path::new("/srv"), raw).is_err(), "{raw}");
        }
        assert_eq!(
            safe_path(Path::new("/srv"), "/a/b.css").unwrap(),
            Path::new("/srv/a/b.css")
        );
    }

    #[test]
    fn locates_files_and_refuses_symlinks_outside() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let root = base.join("out");
        std::fs::create_dir_all(root.join("en/docs")).unwrap();
        std::fs::write(root.join("index.html"), "home").unwrap();
        std::fs::write(root.join("en/docs/index.html"), "docs").unwrap();
        std::fs::write(root.join("en/404.html"), "nicht").unwrap();
        std::fs::write(root.join("404.html"), "not").unwrap();
        std::fs::write(base.join("secret.txt"), "secret").unwrap();
        assert_eq!(
            locate(&root, &[], true),
            Located::File(root.join("index.html"))
        );
        assert_eq!(
            locate(&root, &segs(&["en", "docs"]), false),
            Located::Redirect
        );
        assert_eq!(
            locate(&root, &segs(&["en", "docs"]), true),
            Located::File(root.join("en/docs/index.html"))
        );
        assert_eq!(
            locate(&root, &segs(&["index.html"]), true),
            Located::NotFound
        );
        assert_eq!(locate(&root, &segs(&["nope"]), false), Located::NotFound);
        assert_eq!(
            not_found_page(&root, &segs(&["en", "nope"])),
            Some(root.join("en/404.html"))
        );
        assert_eq!(
            not_found_page(&root, &segs(&["fr", "nope"])),
            Some(root.join("404.html"))
        );
        assert_eq!(
            not_found_page(&root, &segs(&["nope"])),
            Some(root.join("404.html"))
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("secret.txt"), root.join("link.txt")).unwrap();
            std::os::unix::fs::symlink(&base, root.join("up")).unwrap();
            std::os::unix::fs::symlink(root.join("index.html"), root.join("inside.html")).unwrap();
            assert_eq!(
                locate(&root, &segs(&["link.txt"]), false),
                Located::Forbidden
            );
            assert_eq!(
                locate(&root, &segs(&["up", "secret.txt"]), false),
                Located::Forbidden
            );
            assert_eq!(locate(&root, &segs(&["up"]), false), Located::Forbidden);
            assert_eq!(
                locate(&root, &segs(&["inside.html"]), false),
                Located::File(root.join("index.html"))
            );
        }
    }

    #[test]
    fn text_types_get_a_charset() {
        assert_eq!(
            with_charset("text/css").as_deref(),
            Some("text/css; charset=utf-8")
        );
        assert_eq!(
            with_charset("application/javascript").as_deref(),
            Some("application/javascript; charset=utf-8")
        );
        assert_eq!(
            with_charset("image/svg+xml").as_deref(),
            Some("image/svg+xml; charset=utf-8")
        );
        assert_eq!(with_charset("text/plain; charset=utf-8"), None);
        assert_eq!(with_charset("image/png"), None);
    }

    #[test]
    fn taken_ports_move_up() {
        let (held, port) = bind(IpAddr::from([127, 0, 0, 1]), 0).unwrap();
        assert_ne!(port, 0);
        let (_, next) = bind(IpAddr::from([127, 0, 0, 1]), port).unwrap();
        assert!(
            next > port && next <= port.saturating_add(PORT_ATTEMPTS),
            "{port} -> {next}"
        );
        drop(held);
    }

    #[test]
    fn redirects_keep_the_query_and_never_leave_the_host() {
        let r = redirect(&segs(&["über uns"]), Some("a=1"));
        assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(r.headers()[header::LOCATION], "/%C3%BCber%20uns/?a=1");
        // `//evil.example` has no empty segments left, so it cannot become a protocol-relative URL.
        let r = redirect(&safe_segments("//evil.example").unwrap(), None);
        assert_eq!(r.headers()[header::LOCATION], "/evil.example/");
    }
}
