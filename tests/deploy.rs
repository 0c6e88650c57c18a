//! `ludd deploy` round trips: to a real S3-compatible server on loopback (moto's server, from
//! PyPI: `pip install 'moto[server]'`), to a local folder, and through rsync. Each deploys a
//! fixture site, edits one page, deploys again and checks that only that page moved, then
//! removes a page and checks that it is deleted at the target.

#![cfg(feature = "deploy")]

mod common;

use common::*;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const KEY: &str = "test-key";
const SECRET: &str = "test-secret";
const CREDENTIALS: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", KEY),
    ("AWS_SECRET_ACCESS_KEY", SECRET),
];
/// What the test writes as Cache-Control on every object; ludd never writes it, so an object
/// that still has it after a deploy was not uploaded again.
const MARKER: &str = "x-untouched-by-ludd";

/// moto's S3 server on a free loopback port, stopped when dropped.
struct S3Server {
    child: Child,
    endpoint: String,
}

impl S3Server {
    fn start() -> S3Server {
        let probe = Command::new("python3")
            .args(["-c", "import moto.server"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        assert!(
            probe.is_ok_and(|s| s.success()),
            "the S3 deploy test needs moto's S3 server: pip install 'moto[server]' (see README.md, Tests)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto.server");
        let mut server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        // Wait until it accepts connections (or has exited).
        for _ in 0..600 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("moto.server exited: {status}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto.server did not start listening on port {port}");
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Signed requests to one bucket, for checking what ludd did.
struct Client {
    bucket: Bucket,
    credentials: Credentials,
    agent: ureq::Agent,
}

/// One object as the server describes it.
#[derive(Debug, Clone, PartialEq)]
struct Object {
    etag: String,
    content_type: String,
    cache_control: String,
}

impl Client {
    fn new(endpoint: &str, name: &str) -> Client {
        let bucket = Bucket::new(
            endpoint.parse().expect("endpoint URL"),
            UrlStyle::Path,
            name.to_string(),
            "us-east-1",
        )
        .expect("bucket");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Client {
            bucket,
            credentials: Credentials::new(KEY, SECRET),
            agent,
        }
    }

    fn create_bucket(&self) {
        let action = self.bucket.create_bucket(&self.credentials);
        let url = action.sign(Duration::from_secs(600));
        let status = self
            .agent
            .put(url.as_str())
            .send_empty()
            .expect("create bucket")
            .status();
        assert!(status.is_success(), "create bucket: {status}");
    }

    fn put(&self, key: &str, bytes: &[u8], cache_control: &str) {
        let mut action = self.bucket.put_object(Some(&self.credentials), key);
        action.headers_mut().insert("cache-control", cache_control);
        let url = action.sign(Duration::from_secs(600));
        let status = self
            .agent
            .put(url.as_str())
            .header("cache-control", cache_control)
            .send(bytes)
            .expect("put")
            .status();
        assert!(status.is_success(), "put {key}: {status}");
    }

    fn get(&self, key: &str) -> Vec<u8> {
        let url = self
            .bucket
            .get_object(Some(&self.credentials), key)
            .sign(Duration::from_secs(600));
        let mut response = self.agent.get(url.as_str()).call().expect("get");
        assert!(response.status().is_success(), "get {key}");
        response.body_mut().read_to_vec().expect("body")
    }

    fn head(&self, key: &str) -> Object {
        let url = self
            .bucket
            .head_object(Some(&self.credentials), key)
            .sign(Duration::from_secs(600));
        let response = self.agent.head(url.as_str()).call().expect("head");
        assert!(
            response.status().is_success(),
            "head {key}: {}",
            response.status()
        );
        let header = |name: &str| header(&response, name);
        Object {
            etag: header("etag").trim_matches('"').to_string(),
            content_type: header("content-type"),
            cache_control: header("cache-control"),
        }
    }

    /// Every key in the bucket with its ETag.
    fn list(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let mut token: Option<String> = None;
        loop {
            let mut action = self.bucket.list_objects_v2(Some(&self.credentials));
            if let Some(t) = &token {
                action.with_continuation_token(t.as_str());
            }
            let url = action.sign(Duration::from_secs(600));
            let body = self
                .agent
                .get(url.as_str())
                .call()
                .expect("list")
                .body_mut()
                .read_to_string()
                .expect("listing");
            let page = rusty_s3::actions::ListObjectsV2::parse_response(&body).expect("xml");
            for o in page.contents {
                out.insert(o.key, o.etag.trim_matches('"').to_string());
            }
            match page.next_continuation_token {
                Some(t) => token = Some(t),
                None => return out,
            }
        }
    }
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `deploy … N uploaded, N unchanged, N deleted` (or the dry run's wording) as numbers.
fn counts(stdout: &str) -> (usize, usize, usize) {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("deployed to") || l.starts_with("dry run for"))
        .unwrap_or_else(|| panic!("no deploy summary in:\n{stdout}"));
    let numbers: Vec<usize> = line
        .rsplit(": ")
        .next()
        .unwrap_or_default()
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(numbers.len(), 3, "{line}");
    (numbers[0], numbers[1], numbers[2])
}

fn deploy(site: &TestSite, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let root = site.root.to_str().expect("utf-8 path");
    let mut args = vec!["--root", root, "deploy"];
    args.extend_from_slice(extra);
    ludd_with_env(site.tmp(), &args, env)
}

/// Output files that go to a bucket (the host files for other hosts stay behind).
/// The files of a folder without ludd's ownership marker (whose text differs between an
/// output and a destination marked by a test).
fn published(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    tree(dir)
        .into_iter()
        .filter(|(k, _)| k != ".ludd-output")
        .collect()
}

fn bucket_files(out: &Path) -> BTreeMap<String, Vec<u8>> {
    tree(out)
        .into_iter()
        .filter(|(k, _)| {
            ![
                "_headers",
                "_redirects",
                ".nojekyll",
                "CNAME",
                ".ludd-output",
            ]
            .contains(&k.as_str())
        })
        .collect()
}

#[test]
fn s3_round_trip_uploads_only_what_changed() {
    let server = S3Server::start();
    let client = Client::new(&server.endpoint, "site");
    client.create_bucket();
    client.put("elsewhere/keep.txt", b"not ours", MARKER);
    let site = TestSite::new("multi");
    site.edit("site.toml", |s| {
        format!(
            "{s}\n[deploy]\ntarget = \"s3\"\nbucket = \"site\"\nendpoint = \"{}\"\nprefix = \"www/\"\n",
            server.endpoint
        )
    });

    // Credentials come from the environment only.
    let run = deploy(&site, &[], &[]).failed();
    assert!(run.stderr.contains("AWS_ACCESS_KEY_ID"), "{}", run.stderr);

    // First deploy: everything is uploaded with its type and caching.
    let first = deploy(&site, &[], CREDENTIALS).ok();
    let local = bucket_files(&site.out());
    assert_eq!(
        counts(&first.stdout),
        (local.len(), 0, 0),
        "{}",
        first.stdout
    );
    let remote = client.list();
    let expected: BTreeMap<String, String> = local
        .iter()
        .map(|(k, v)| (format!("www/{k}"), md5_hex(v)))
        .chain([("elsewhere/keep.txt".to_string(), md5_hex(b"not ours"))])
        .collect();
    assert_eq!(remote, expected, "keys and contents in the bucket");
    assert!(!remote.contains_key("www/_headers"));
    let css = local
        .keys()
        .find(|k| k.starts_with("css/site.") && k.as_str() != "css/site.css")
        .expect("fingerprinted stylesheet")
        .clone();
    for (key, content_type, cache_control) in [
        ("www/index.html", "text/html; charset=utf-8", "no-cache"),
        (
            &format!("www/{css}") as &str,
            "text/css; charset=utf-8",
            "public, max-age=31536000, immutable",
        ),
        ("www/css/site.css", "text/css; charset=utf-8", "no-cache"),
        ("www/kampagne/plakat.png", "image/png", "no-cache"),
    ] {
        let object = client.head(key);
        assert_eq!(object.content_type, content_type, "{key}");
        assert_eq!(object.cache_control, cache_control, "{key}");
    }
    assert_eq!(
        client.get("www/kontakt/index.html"),
        site.read("kontakt/index.html").into_bytes()
    );

    // Mark every object: whatever still carries the mark afterwards was not uploaded again.
    for key in remote.keys().filter(|k| k.starts_with("www/")) {
        client.put(key, &client.get(key), MARKER);
    }

    // Nothing changed: nothing is uploaded.
    let again = deploy(&site, &[], CREDENTIALS).ok();
    assert_eq!(
        counts(&again.stdout),
        (0, local.len(), 0),
        "{}",
        again.stdout
    );

    // One page edited: a dry run reports it and leaves the bucket alone; the deploy sends it.
    site.edit("content/kontakt.md", |s| {
        s.replace("Musterstraße 1.", "Musterstraße 2.")
    });
    let dry = deploy(&site, &["--dry-run"], CREDENTIALS).ok();
    assert_eq!(
        counts(&dry.stdout),
        (1, local.len() - 1, 0),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("upload kontakt/index.html"),
        "{}",
        dry.stdout
    );
    assert_eq!(client.head("www/kontakt/index.html").cache_control, MARKER);
    let edited = deploy(&site, &[], CREDENTIALS).ok();
    assert_eq!(
        counts(&edited.stdout),
        (1, local.len() - 1, 0),
        "{}",
        edited.stdout
    );
    let page = client.head("www/kontakt/index.html");
    assert_eq!(page.cache_control, "no-cache");
    assert_eq!(
        page.etag,
        md5_hex(site.read("kontakt/index.html").as_bytes())
    );
    for key in client.list().keys() {
        if key != "www/kontakt/index.html" {
            assert_eq!(
                client.head(key).cache_control,
                MARKER,
                "{key} was uploaded again"
            );
        }
    }

    // A page removed: its object is deleted; objects outside the prefix stay.
    site.remove("content/blog/vier.md");
    let removed = deploy(&site, &["--verbose"], CREDENTIALS).ok();
    let (_, _, deleted) = counts(&removed.stdout);
    assert!(deleted >= 1, "{}", removed.stdout);
    assert!(
        removed.stdout.contains("delete www/blog/vier/index.html"),
        "{}",
        removed.stdout
    );
    let remote = client.list();
    assert!(!remote.contains_key("www/blog/vier/index.html"));
    assert!(remote.contains_key("elsewhere/keep.txt"));
    let local: BTreeMap<String, String> = bucket_files(&site.out())
        .iter()
        .map(|(k, v)| (format!("www/{k}"), md5_hex(v)))
        .collect();
    let ours: BTreeMap<String, String> = remote
        .into_iter()
        .filter(|(k, _)| k.starts_with("www/"))
        .collect();
    assert_eq!(ours, local, "the bucket mirrors the output");
}

#[test]
fn dir_target_mirrors_the_output() {
    let site = TestSite::new("multi");
    let dest = site.tmp().join("www");
    std::fs::create_dir_all(dest.join("stale/deep")).expect("mkdir");
    std::fs::write(dest.join("stale/deep/old.html"), "old").expect("write");
    // An earlier deploy's folder: ludd's marker says it may be mirrored into.
    std::fs::write(dest.join(".ludd-output"), "").expect("marker");
    site.edit("site.toml", |s| {
        format!(
            "{s}\n[deploy]\ntarget = \"dir\"\ndestination = \"{}\"\n",
            dest.display()
        )
    });
    let first = deploy(&site, &[], &[]).ok();
    // ludd's marker file is not sent (the destination gets its own).
    let n = tree(&site.out()).len() - 1;
    assert_eq!(counts(&first.stdout), (n, 0, 1), "{}", first.stdout);
    assert_eq!(published(&dest), published(&site.out()));
    assert!(!dest.join("stale").exists(), "emptied folders go too");

    let before = identities(&dest);
    site.edit("content/kontakt.md", |s| {
        s.replace("Musterstraße 1.", "Musterstraße 2.")
    });
    let edited = deploy(&site, &[], &[]).ok();
    assert_eq!(counts(&edited.stdout), (1, n - 1, 0), "{}", edited.stdout);
    assert_eq!(published(&dest), published(&site.out()));
    let after = identities(&dest);
    for (path, identity) in &before {
        if path != "kontakt/index.html" {
            assert_eq!(after.get(path), Some(identity), "{path} was rewritten");
        }
    }

    site.remove("content/blog/vier.md");
    let removed = deploy(&site, &[], &[]).ok();
    assert!(counts(&removed.stdout).2 >= 1, "{}", removed.stdout);
    assert!(
        !dest.join("blog/vier").exists(),
        "the page and its folder are gone"
    );
    assert_eq!(published(&dest), published(&site.out()));
}

#[test]
fn dir_target_refuses_the_site_itself() {
    for destination in [".", "content", "public", "public/sub"] {
        let site = TestSite::new("multi");
        site.edit("site.toml", |s| {
            format!("{s}\n[deploy]\ntarget = \"dir\"\ndestination = \"{destination}\"\n")
        });
        let run = deploy(&site, &[], &[]).failed();
        assert!(
            run.stderr.contains("deploy destination"),
            "{destination}: {}",
            run.stderr
        );
        assert!(
            site.path("content/kontakt.md").is_file(),
            "the sources are intact"
        );
    }
}

#[test]
fn rsync_target_mirrors_the_output() {
    let probe = Command::new("rsync").arg("--version").output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "the rsync deploy test needs rsync: apt-get install rsync (see README.md, Tests)"
    );
    let site = TestSite::new("multi");
    let dest = site.tmp().join("rsync-www");
    site.edit("site.toml", |s| {
        format!(
            "{s}\n[deploy]\ntarget = \"rsync\"\ndestination = \"{}/\"\n",
            dest.display()
        )
    });
    let first = deploy(&site, &[], &[]).ok();
    // ludd's marker file is not sent (the destination gets its own).
    let n = tree(&site.out()).len() - 1;
    assert_eq!(counts(&first.stdout), (n, 0, 0), "{}", first.stdout);
    assert_eq!(tree(&dest), tree(&site.out()));

    site.edit("content/kontakt.md", |s| {
        s.replace("Musterstraße 1.", "Musterstraße 2.")
    });
    let dry = deploy(&site, &["--dry-run"], &[]).ok();
    assert_eq!(counts(&dry.stdout), (1, n - 1, 0), "{}", dry.stdout);
    assert_ne!(tree(&dest), tree(&site.out()), "a dry run changes nothing");
    let edited = deploy(&site, &[], &[]).ok();
    assert_eq!(counts(&edited.stdout), (1, n - 1, 0), "{}", edited.stdout);
    assert_eq!(tree(&dest), tree(&site.out()));

    site.remove("content/blog/vier.md");
    let removed = deploy(&site, &[], &[]).ok();
    assert!(counts(&removed.stdout).2 >= 1, "{}", removed.stdout);
    assert!(!dest.join("blog/vier/index.html").exists());
    assert_eq!(tree(&dest), tree(&site.out()));
}

#[test]
fn deploy_needs_a_deploy_table() {
    let site = TestSite::new("basic");
    let run = deploy(&site, &[], &[]).failed();
    assert!(run.stderr.contains("no [deploy] table"), "{}", run.stderr);
}

/// A stand-in S3 endpoint on loopback that lists one stale object (`old/index.html`), accepts
/// every upload and deletion, and records the order of the requests (method and path).
struct RecordingS3 {
    endpoint: String,
    log: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

impl RecordingS3 {
    fn start() -> RecordingS3 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let shared = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = shared.clone();
                std::thread::spawn(move || serve_recorded(stream, &log));
            }
        });
        RecordingS3 { endpoint, log }
    }
}

/// Answers the requests of one connection (keep-alive) like a bucket would.
fn serve_recorded(stream: TcpStream, log: &std::sync::Mutex<Vec<(String, String)>>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header == "\r\n" {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts.next().unwrap_or_default();
        let path = target.split('?').next().unwrap_or_default().to_string();
        let answer = if method == "GET" {
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>site</Name><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>old/index.html</Key><LastModified>2020-01-01T00:00:00.000Z</LastModified><ETag>\"0\"</ETag><Size>1</Size></Contents></ListBucketResult>"
        } else {
            ""
        };
        log.lock().expect("log").push((method, path));
        let status = if answer.is_empty() && request_line.starts_with("DELETE") {
            "204 No Content"
        } else {
            "200 OK"
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nETag: \"x\"\r\n\r\n{answer}",
            answer.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn s3_uploads_assets_then_pages_then_feeds_and_deletes_last() {
    let server = RecordingS3::start();
    let site = TestSite::new("multi");
    site.edit("site.toml", |s| {
        format!(
            "{s}\n[deploy]\ntarget = \"s3\"\nbucket = \"site\"\nendpoint = \"{}\"\n",
            server.endpoint
        )
    });
    let run = deploy(&site, &[], CREDENTIALS).ok();
    let log = server.log.lock().expect("log").clone();
    let rank = |(method, path): &(String, String)| -> u8 {
        let name = path.rsplit('/').next().unwrap_or_default();
        match method.as_str() {
            "GET" => 0,
            "DELETE" => 4,
            _ if name.ends_with(".html") => 2,
            _ if name == "atom.xml" || name == "robots.txt" || name.starts_with("sitemap") => 3,
            _ => 1,
        }
    };
    let ranks: Vec<u8> = log.iter().map(rank).collect();
    assert!(
        ranks.windows(2).all(|w| w[0] <= w[1]),
        "requests out of dependency order: {log:?}"
    );
    for r in 1..=4 {
        assert!(ranks.contains(&r), "no request of rank {r}: {log:?}");
    }
    assert!(
        log.last()
            .is_some_and(|(m, p)| m == "DELETE" && p.ends_with("old/index.html")),
        "{log:?}"
    );
    let uploads = log.iter().filter(|(m, _)| m == "PUT").count();
    assert!(
        run.stderr
            .contains(&format!("deploy: {0}/{0} files", uploads + 1)),
        "progress is shown:\n{}",
        run.stderr
    );
}

#[test]
fn s3_endpoint_that_never_answers_fails_after_bounded_retries() {
    // Accepts connections and never says a word.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let held = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = held.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            keep.lock().expect("held").push(stream);
        }
    });
    let site = TestSite::new("basic");
    site.edit("site.toml", |s| {
        format!(
            "{s}\n[deploy]\ntarget = \"s3\"\nbucket = \"site\"\nendpoint = \"{endpoint}\"\ntimeout = 1\n"
        )
    });
    let run = deploy(&site, &[], CREDENTIALS).failed();
    assert!(run.stderr.contains("tried 3 times"), "{}", run.stderr);
    assert!(run.stderr.contains("timeout"), "{}", run.stderr);
    assert_eq!(
        held.lock().expect("held").len(),
        3,
        "one connection per try"
    );
}

#[test]
fn a_placeholder_imprint_is_not_published_without_the_flag() {
    let site = TestSite::new("multi");
    let dest = site.tmp().join("www");
    site.edit("site.toml", |s| {
        format!(
            "{s}\n[deploy]\ntarget = \"dir\"\ndestination = \"{}\"\n\n[extra.publisher]\nname = \"[Name]\"\nplaceholder = true\n",
            dest.display()
        )
    });
    let refused = deploy(&site, &[], &[]).failed();
    assert!(
        refused.stderr.contains("site.toml:")
            && refused.stderr.contains("imprint is a placeholder"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("--allow-placeholder-imprint"),
        "{}",
        refused.stderr
    );
    assert!(!dest.exists(), "nothing may be published");

    let allowed = deploy(&site, &["--allow-placeholder-imprint"], &[]).ok();
    assert!(allowed.stdout.contains("deployed to"), "{}", allowed.stdout);
    assert_eq!(tree(&dest), tree(&site.out()));

    site.edit("site.toml", |s| {
        s.replace("placeholder = true", "placeholder = false")
    });
    deploy(&site, &[], &[]).ok();
}
