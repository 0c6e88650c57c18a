//! End-to-end tests of `ludd serve`: the real binary on a copy of tests/fixtures/serve-site,
//! spoken to over HTTP (ureq, and raw TCP where a client would clean the path up) — content
//! types, no-store, redirects, per-language 404 pages, refused traversal, the injected reload
//! script, and the server-sent events for changes, build errors and their fixes.
//! Timeouts are generous and only keep a broken server from hanging the suite.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SCRIPT_TAG: &str = r#"<script src="/__ludd/reload.js" defer></script>"#;
const WAIT: Duration = Duration::from_secs(30);

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve-site")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A running `ludd serve` on a private copy of the fixture; killed on drop.
struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    url: String,
    /// The folder it serves from.
    out_dir: PathBuf,
    /// The site copy.
    site: PathBuf,
    /// The test's scratch folder (the server's TMPDIR, so nothing leaks when it is killed).
    work: tempfile::TempDir,
    log: Arc<Mutex<Vec<String>>>,
    agent: ureq::Agent,
}

struct Reply {
    status: u16,
    content_type: String,
    cache_control: String,
    location: String,
    body: String,
}

fn read_lines(
    stream: impl Read + Send + 'static,
    log: Arc<Mutex<Vec<String>>>,
    tx: Option<mpsc::Sender<String>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            log.lock().unwrap().push(line.clone());
            if let Some(tx) = &tx {
                let _ = tx.send(line);
            }
        }
    });
}

impl Server {
    fn start() -> Server {
        Server::start_with(&["--port", "0"])
    }

    fn start_with(args: &[&str]) -> Server {
        Server::start_prepared(args, |_| {})
    }

    /// Starts on a copy of the fixture that `prepare` changed first.
    fn start_prepared(args: &[&str], prepare: impl FnOnce(&Path)) -> Server {
        let work = tempfile::tempdir().unwrap();
        let site = work.path().join("site");
        copy_dir(&fixture(), &site);
        prepare(&site);
        let tmp = work.path().join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_ludd"))
            .arg("serve")
            .arg("--root")
            .arg(&site)
            .args(args)
            .env("TMPDIR", &tmp)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        read_lines(child.stdout.take().unwrap(), Arc::clone(&log), Some(tx));
        read_lines(child.stderr.take().unwrap(), Arc::clone(&log), None);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(WAIT))
            .build()
            .into();
        let mut server = Server {
            child,
            url: String::new(),
            out_dir: PathBuf::new(),
            site,
            work,
            log,
            agent,
        };
        let first = server.next_line(&rx);
        let url = first
            .strip_prefix("serving ")
            .unwrap_or_else(|| panic!("first line: {first}"));
        server.url = url.trim_end_matches('/').to_string();
        loop {
            let line = server.next_line(&rx);
            if let Some(rest) = line.strip_prefix("preview files in ") {
                server.out_dir = PathBuf::from(rest.split(" (").next().unwrap());
            }
            if line.starts_with("built ") || line.starts_with("build failed") {
                break;
            }
        }
        server
    }

    fn next_line(&self, rx: &Receiver<String>) -> String {
        rx.recv_timeout(WAIT)
            .unwrap_or_else(|_| panic!("no output from ludd serve; log:\n{}", self.log()))
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    fn get(&self, path: &str) -> Reply {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.url))
            .call()
            .unwrap();
        let header = |name: &str| common::header(&response, name);
        let (content_type, cache_control, location) = (
            header("content-type"),
            header("cache-control"),
            header("location"),
        );
        Reply {
            status: response.status().as_u16(),
            content_type,
            cache_control,
            location,
            body: response.body_mut().read_to_string().unwrap(),
        }
    }

    /// Status, content type and bytes of `path`.
    fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.url))
            .call()
            .unwrap();
        let content_type = common::header(&response, "content-type");
        let bytes = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .unwrap();
        (response.status().as_u16(), content_type, bytes)
    }

    /// Sends `path` exactly as given (clients like ureq would normalize `..`).
    fn raw_get(&self, path: &str) -> (u16, String) {
        let addr = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, text)
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.site.join(rel), text).unwrap();
    }

    /// Connects to the event stream; events arrive as (name, data) on the receiver.
    fn events(&self) -> Receiver<(String, String)> {
        let (tx, rx) = mpsc::channel();
        let url = format!("{}/__ludd/events", self.url);
        std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let Ok(response) = agent.get(&url).call() else {
                return;
            };
            let reader = BufReader::new(response.into_body().into_reader());
            let (mut name, mut data) = (String::from("message"), String::new());
            for line in reader.lines() {
                let Ok(line) = line else { return };
                if line.is_empty() {
                    if !data.is_empty() && tx.send((name.clone(), data.clone())).is_err() {
                        return;
                    }
                    name = "message".into();
                    data.clear();
                } else if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
        });
        rx
    }

    /// Waits for an event named `name` whose data satisfies `accept`, skipping others.
    fn wait_for(
        &self,
        rx: &Receiver<(String, String)>,
        name: &str,
        accept: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + WAIT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok((event, data)) = rx.recv_timeout(left) else {
                break;
            };
            let value: serde_json::Value = serde_json::from_str(&data).unwrap();
            if event == name && accept(&value) {
                return value;
            }
        }
        panic!("no `{name}` event in time; server log:\n{}", self.log());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first: ludd removes its preview folder; SIGKILL only if it does not stop.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn names(value: &serde_json::Value, key: &str) -> Vec<String> {
    value[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn serves_pages_folders_and_assets() {
    let server = Server::start();
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );

    let page = server.get("/hallo/");
    assert_eq!(page.status, 200);
    assert_eq!(page.content_type, "text/html; charset=utf-8");
    assert_eq!(page.cache_control, "no-store");
    assert!(page.body.contains("Erster Entwurf des Textes."));
    assert!(
        page.body.contains(&format!("{SCRIPT_TAG}</body>")),
        "{}",
        page.body
    );
    // Links point at the local server.
    let home = server.get("/en/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Welcome to the preview."));

    let index = server.get("/");
    assert_eq!(index.status, 200);
    assert_eq!(index.content_type, "text/html; charset=utf-8");
    assert!(index.body.contains("Willkommen auf der Vorschau."));

    let css = server.get("/css/site.css?h=0123456789");
    assert_eq!(css.status, 200);
    assert_eq!(css.content_type, "text/css; charset=utf-8");
    assert_eq!(css.cache_control, "no-store");

    let script = server.get("/__ludd/reload.js");
    assert_eq!(script.status, 200);
    assert_eq!(script.content_type, "text/javascript; charset=utf-8");
    assert!(script.body.contains("EventSource"));

    for (from, to) in [
        ("/doku", "/doku/"),
        ("/en", "/en/"),
        ("/en/hallo?x=1", "/en/hallo/?x=1"),
    ] {
        let r = server.get(from);
        assert_eq!(r.status, 308, "{from}");
        assert_eq!(r.location, to, "{from}");
        assert_eq!(r.cache_control, "no-store");
    }
    let doku = server.get("/doku/");
    assert_eq!(doku.status, 200);
    assert!(doku.body.contains("Die Dokumentation."));

    // The preview folder is not the deploy folder.
    assert!(!server.site.join("public").exists());
    assert!(server.out_dir.join("hallo/index.html").is_file());
}

#[test]
fn missing_pages_get_the_404_page_of_their_language() {
    let server = Server::start();
    let de = server.get("/gibt-es-nicht/");
    assert_eq!(de.status, 404);
    assert_eq!(de.content_type, "text/html; charset=utf-8");
    assert_eq!(de.cache_control, "no-store");
    assert!(de.body.contains("Seite nicht gefunden"), "{}", de.body);
    assert!(de.body.contains(SCRIPT_TAG));

    let en = server.get("/en/missing/page/");
    assert_eq!(en.status, 404);
    assert!(en.body.contains("Page not found"), "{}", en.body);
    assert!(en.body.contains(r#"<html lang="en""#));

    let file = server.get("/en/nothing.css");
    assert_eq!(file.status, 404);
    assert!(file.body.contains("Page not found"));
}

#[test]
fn nothing_outside_the_served_folder_is_reachable() {
    let server = Server::start();
    // The served folder's parent holds a secret, and the site root holds site.toml.
    let parent = server.out_dir.parent().unwrap();
    std::fs::write(parent.join("secret.txt"), "TOP SECRET").unwrap();
    // The parent is shared (/dev/shm): the secret goes when the test ends, passed or failed.
    struct RemoveOnDrop(std::path::PathBuf);
    impl Drop for RemoveOnDrop {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    let _secret = RemoveOnDrop(parent.join("secret.txt"));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(parent.join("secret.txt"), server.out_dir.join("leak.txt"))
            .unwrap();
        std::os::unix::fs::symlink(parent, server.out_dir.join("up")).unwrap();
        std::os::unix::fs::symlink(
            server.site.join("site.toml"),
            server.out_dir.join("site.html"),
        )
        .unwrap();
    }
    for path in [
        "/../secret.txt",
        "/../../site/site.toml",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/hallo/..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/..%5csecret.txt",
        "/secret.txt%00.html",
        "/leak.txt",
        "/up/secret.txt",
        "/up/",
        "/site.html",
    ] {
        let (status, text) = server.raw_get(path);
        assert!(
            [400, 403, 404].contains(&status),
            "{path}: {status}\n{text}"
        );
        assert!(!text.contains("TOP SECRET"), "{path}");
        assert!(!text.contains("default_language"), "{path}");
    }
}

#[test]
fn the_reload_script_is_only_in_served_html() {
    let server = Server::start();
    assert!(server.get("/hallo/").body.contains(SCRIPT_TAG));
    let out = server.work.path().join("build-out");
    let status = Command::new(env!("CARGO_BIN_EXE_ludd"))
        .args(["build", "--quiet", "--root"])
        .arg(&server.site)
        .arg("--output")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let built = std::fs::read_to_string(out.join("hallo/index.html")).unwrap();
    assert!(built.contains("Erster Entwurf"));
    assert!(!built.contains("__ludd"), "{built}");
    // Nor in the files the server serves from: it is added to responses only.
    let served_file = std::fs::read_to_string(server.out_dir.join("hallo/index.html")).unwrap();
    assert!(!served_file.contains("__ludd"));
}

#[test]
fn edits_errors_and_fixes_reach_open_pages() {
    let server = Server::start();
    let events = server.events();
    server.wait_for(&events, "hello", |v| v["stamp"].is_string());

    // An edit: an event names the page's output, and the page shows the new text.
    server.write(
        "content/hallo.md",
        "---\ntitle: Hallo\n---\nZweiter Entwurf des Textes.\n",
    );
    let change = server.wait_for(&events, "change", |v| {
        names(v, "written").contains(&"hallo/index.html".to_string())
    });
    assert!(names(&change, "pages").contains(&"hallo/index.html".to_string()));
    assert!(
        server
            .get("/hallo/")
            .body
            .contains("Zweiter Entwurf des Textes.")
    );

    // Broken front matter: an error event naming the file; the last good page stays.
    server.write("content/hallo.md", "---\ntitle: [Hallo\n---\nKaputt.\n");
    let error = server.wait_for(&events, "error", |_| true);
    let first = &error["diagnostics"][0];
    assert_eq!(first["file"], "content/hallo.md", "{error}");
    assert!(first["line"].is_u64());
    assert!(
        first["message"].as_str().unwrap().contains("front matter"),
        "{error}"
    );
    let page = server.get("/hallo/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Zweiter Entwurf des Textes."));
    assert!(
        server.log().contains("content/hallo.md"),
        "the terminal shows the error too"
    );

    // A page opened now gets the error as soon as it connects.
    let late = server.events();
    server.wait_for(&late, "hello", |_| true);
    server.wait_for(&late, "error", |v| {
        v["diagnostics"][0]["file"] == "content/hallo.md"
    });

    // The fix clears the overlay everywhere and the page shows the fixed text.
    server.write(
        "content/hallo.md",
        "---\ntitle: Hallo\n---\nDritter Entwurf des Textes.\n",
    );
    let fixed = server.wait_for(&events, "change", |v| {
        names(v, "pages").contains(&"hallo/index.html".to_string())
    });
    assert!(fixed["stamp"].is_string());
    server.wait_for(&late, "change", |_| true);
    assert!(
        server
            .get("/hallo/")
            .body
            .contains("Dritter Entwurf des Textes.")
    );
}

#[test]
fn a_stylesheet_edit_swaps_css_without_page_changes() {
    let server = Server::start();
    let events = server.events();
    server.wait_for(&events, "hello", |_| true);
    let css = std::fs::read_to_string(server.site.join("static/css/site.css")).unwrap();
    server.write(
        "static/css/site.css",
        &css.replace("rgb(20, 20, 20)", "rgb(180, 0, 0)"),
    );
    let change = server.wait_for(&events, "change", |v| {
        names(v, "written").contains(&"css/site.css".to_string())
    });
    assert_eq!(change["css_only"], true, "{change}");
    assert!(names(&change, "pages").is_empty(), "{change}");
    assert!(server.get("/css/site.css").body.contains("rgb(180, 0, 0)"));
}

#[test]
fn editor_temp_files_and_new_folders() {
    let server = Server::start();
    let events = server.events();
    server.wait_for(&events, "hello", |_| true);
    // Swap and backup files alone trigger nothing; the atomic save that follows does.
    server.write("content/.hallo.md.swp", "swap");
    server.write("content/hallo.md~", "backup");
    server.write("content/4913", "");
    let temp = server.site.join("content/hallo.md.tmp");
    std::fs::write(&temp, "---\ntitle: Hallo\n---\nAtomar gespeichert.\n").unwrap();
    std::fs::rename(&temp, server.site.join("content/hallo.md")).unwrap();
    server.wait_for(&events, "change", |v| {
        names(v, "pages").contains(&"hallo/index.html".to_string())
    });
    assert!(server.get("/hallo/").body.contains("Atomar gespeichert."));
    for line in server.log().lines().filter(|l| l.contains('→')) {
        for temp in [".swp", "~", "4913", ".tmp"] {
            assert!(
                !line.contains(temp),
                "a temp file triggered a rebuild: {line}"
            );
        }
    }

    // A new section folder appears with its page; then it goes away again.
    let section = server.site.join("content/neu");
    std::fs::create_dir(&section).unwrap();
    std::fs::write(
        section.join("_index.md"),
        "---\ntitle: Neu\n---\nEin neuer Bereich.\n",
    )
    .unwrap();
    server.wait_for(&events, "change", |v| {
        names(v, "written").contains(&"neu/index.html".to_string())
    });
    assert!(server.get("/neu/").body.contains("Ein neuer Bereich."));
    std::fs::remove_dir_all(&section).unwrap();
    server.wait_for(&events, "change", |v| {
        names(v, "removed").contains(&"neu/index.html".to_string())
    });
    assert_eq!(server.get("/neu/").status, 404);
}

#[test]
fn a_taken_port_moves_up() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let server = Server::start_with(&["--port", &port.to_string()]);
    let got: u16 = server.url.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(got, port);
    assert!(got > port && got <= port.saturating_add(20));
    assert!(server.log().contains(&format!("port {port} is taken")));
    assert_eq!(server.get("/hallo/").status, 200);
}

#[test]
fn polling_sees_edits_too() {
    let server = Server::start_with(&["--port", "0", "--poll"]);
    let events = server.events();
    server.wait_for(&events, "hello", |_| true);
    server.write(
        "content/hallo.en.md",
        "---\ntitle: Hello\n---\nPolled text.\n",
    );
    server.wait_for(&events, "change", |v| {
        names(v, "pages").contains(&"en/hallo/index.html".to_string())
    });
    assert!(server.get("/en/hallo/").body.contains("Polled text."));
}

/// A photo-sized JPEG (2400 × 1800, noisy like a camera's, so encoding it takes a while).
fn big_photo() -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    let img = image::RgbImage::from_fn(2400, 1800, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state & 0x1f) as u8;
        image::Rgb([
            (x / 10) as u8 ^ noise,
            (y / 8) as u8 ^ noise,
            ((x + y) / 17) as u8,
        ])
    });
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(&img)
        .unwrap();
    bytes
}

#[test]
fn a_new_image_is_served_as_its_original_until_its_variants_are_ready() {
    let server = Server::start_prepared(&["--port", "0"], |site| {
        let config = std::fs::read_to_string(site.join("site.toml")).unwrap();
        std::fs::write(
            site.join("site.toml"),
            format!("{config}\n[images]\nwidths = [800]\n"),
        )
        .unwrap();
    });
    let events = server.events();
    server.wait_for(&events, "hello", |_| true);
    let photo = big_photo();
    std::fs::write(server.site.join("content/doku/foto.jpg"), &photo).unwrap();
    server.write(
        "content/doku/_index.md",
        "---\ntitle: Doku\n---\nDie Dokumentation.\n\n![Ein Sturm](foto.jpg)\n",
    );
    // The edit is rebuilt at once: the page names the variants before they exist.
    server.wait_for(&events, "change", |v| {
        names(v, "written").contains(&"doku/index.html".to_string())
    });
    let page = server.get("/doku/");
    let html = scraper::Html::parse_document(&page.body);
    let webp = common::attr(&html, "picture source[type='image/webp']", "srcset");
    let variant = webp.split(' ').next().unwrap().to_string();
    assert!(variant.starts_with("/processed_images/foto."), "{webp}");
    assert!(variant.ends_with(".800.webp"), "{webp}");
    // Until the variant is made, its URL answers with the original photo.
    let (status, content_type, bytes) = server.get_bytes(&variant);
    assert!(
        !server.log().contains("images processed"),
        "the encoder finished before the first request; the photo is too small for this test:\n{}",
        server.log()
    );
    assert_eq!(status, 200);
    assert_eq!(content_type, "image/jpeg");
    assert_eq!(bytes, photo, "the original, byte for byte");
    // Another edit meanwhile is not held up by the encoder either.
    server.write(
        "content/hallo.md",
        "---\ntitle: Hallo\n---\nWährend das Foto entsteht.\n",
    );
    server.wait_for(&events, "change", |v| {
        names(v, "written").contains(&"hallo/index.html".to_string())
    });
    let log = server.log();
    assert!(!log.contains("images processed"), "{log}");
    // Then the variants arrive: an event names them (open pages that show them reload), and
    // the URL serves the WebP.
    let path = variant.trim_start_matches('/').to_string();
    let deadline = Instant::now() + Duration::from_secs(300);
    let ready = loop {
        let Ok((event, data)) = events.recv_timeout(Duration::from_secs(5)) else {
            assert!(
                Instant::now() < deadline,
                "no variant in time:\n{}",
                server.log()
            );
            continue;
        };
        let value: serde_json::Value = serde_json::from_str(&data).unwrap();
        if event == "change" && names(&value, "written").contains(&path) {
            break value;
        }
    };
    assert!(
        names(&ready, "pages").is_empty(),
        "no page changed: {ready}"
    );
    let (status, content_type, bytes) = server.get_bytes(&variant);
    assert_eq!((status, content_type.as_str()), (200, "image/webp"));
    assert!(bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP");
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (800, 600));
    assert!(
        server.log().contains("images processed"),
        "{}",
        server.log()
    );
}
