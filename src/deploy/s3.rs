//! The `s3` deploy target: an S3-compatible bucket (AWS, MinIO, Garage, R2, …). Requests are
//! signed by `rusty-s3` and sent by `ureq`.
//!
//! Changed-only uploads compare against the bucket listing: for an object stored by a simple
//! PUT, S3's ETag is the MD5 of its bytes, so a file whose MD5 equals its object's ETag is left
//! alone. This needs no extra state in the bucket and stays right when someone else changed
//! it; an object uploaded in parts (ETag with `-`) is simply uploaded once more. Headers are
//! not compared: to re-send every Content-Type and Cache-Control, delete the objects first.
//! Objects under the prefix that the output no longer has are deleted. The host files for
//! Netlify, Cloudflare Pages and GitHub Pages mean nothing to a bucket and are not uploaded.
//!
//! Uploads go in dependency order, so that a deploy that stops halfway never leaves a live page
//! pointing at a file that is not there yet: first the assets (stylesheets, images, fonts…),
//! then the HTML pages, then the files that point at pages (feeds, sitemaps, `robots.txt`), and
//! only at the end are removed objects deleted. Every request has connect and read/write
//! timeouts of seconds (`[deploy] timeout`) and is tried again a bounded number of times with
//! growing pauses.

use super::DeployReport;
use crate::error::{Error, Result};
use crate::load::config::DeployConfig;
use crate::render::hosting;
use instant_xml::FromXml;
use md5::{Digest, Md5};
use rayon::prelude::*;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

/// How long a signed request stays valid.
const SIGNED_FOR: Duration = Duration::from_secs(3600);

/// Seconds to wait for a connection and for each read or write, unless `[deploy] timeout`.
const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// Tries of one request before the deploy fails.
const ATTEMPTS: u32 = 3;

/// The pause before the first retry; doubled for each further one.
const FIRST_PAUSE: Duration = Duration::from_millis(500);

/// The upload phases, in order (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// Files pages load: stylesheets, scripts, images, fonts, downloads.
    Asset,
    /// HTML pages.
    Page,
    /// Files that point at pages: feeds, sitemaps, `robots.txt`.
    Index,
}

/// The phase `rel` is uploaded in.
fn phase(rel: &str) -> Phase {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if name.ends_with(".html") {
        Phase::Page
    } else if name == "atom.xml"
        || name == "robots.txt"
        || (name.starts_with("sitemap") && name.ends_with(".xml"))
    {
        Phase::Index
    } else {
        Phase::Asset
    }
}

/// Output files a bucket does not need: they configure other hosts.
const HOST_ONLY: &[&str] = &["_headers", "_redirects", ".nojekyll", "CNAME"];

/// The environment variables credentials come from.
pub const KEY_VARIABLE: &str = "AWS_ACCESS_KEY_ID";
/// See [`KEY_VARIABLE`].
pub const SECRET_VARIABLE: &str = "AWS_SECRET_ACCESS_KEY";
/// See [`KEY_VARIABLE`].
pub const TOKEN_VARIABLE: &str = "AWS_SESSION_TOKEN";

/// Uploads the changed `files` of `output`, deletes removed ones; `progress(done, total)` after
/// every upload and deletion.
pub fn sync(
    config: &DeployConfig,
    output: &Path,
    files: &[String],
    dry_run: bool,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<DeployReport> {
    let remote = Remote::connect(config)?;
    let existing = remote.list()?;
    let mut report = DeployReport {
        target: remote.describe(),
        dry_run,
        ..DeployReport::default()
    };
    let mut wanted = HashSet::new();
    let mut uploads = Vec::new();
    for rel in files.iter().filter(|f| !HOST_ONLY.contains(&f.as_str())) {
        let key = format!("{}{rel}", remote.prefix);
        let path = output.join(rel);
        let md5 = md5_of(&path)?;
        if existing.get(&key).is_some_and(|etag| *etag == md5) {
            report.unchanged += 1;
        } else {
            report.uploaded.push(rel.clone());
            uploads.push((key.clone(), rel.clone()));
        }
        wanted.insert(key);
    }
    let mut stale: Vec<String> = existing
        .into_keys()
        .filter(|k| !wanted.contains(k))
        .collect();
    stale.sort();
    if !dry_run {
        uploads.sort_by_key(|(_, rel)| phase(rel));
        let total = uploads.len() + stale.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let step = || {
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(n, total);
        };
        for phase_uploads in uploads.chunk_by(|a, b| phase(&a.1) == phase(&b.1)) {
            // A phase starts only when the one before it is complete.
            phase_uploads
                .par_iter()
                .map(|(key, rel)| {
                    let r = remote.put(key, rel, &output.join(rel));
                    step();
                    r
                })
                .collect::<Result<Vec<()>>>()?;
        }
        stale
            .par_iter()
            .map(|key| {
                let r = remote.delete(key);
                step();
                r
            })
            .collect::<Result<Vec<()>>>()?;
    }
    report.deleted = stale;
    Ok(report)
}

/// A bucket with credentials and an HTTP agent.
struct Remote {
    bucket: Bucket,
    credentials: Credentials,
    prefix: String,
    agent: ureq::Agent,
}

impl Remote {
    fn connect(config: &DeployConfig) -> Result<Remote> {
        let credentials = credentials()?;
        let region = config.region.clone().unwrap_or_else(|| "us-east-1".into());
        let endpoint = config
            .endpoint
            .clone()
            .unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let url: url::Url = endpoint
            .parse()
            .map_err(|e| Error::Deploy(format!("endpoint `{endpoint}` is not a URL: {e}")))?;
        let style = if config.path_style.unwrap_or(config.endpoint.is_some()) {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let name = config.bucket.clone().unwrap_or_default();
        let bucket = Bucket::new(url, style, name, region)
            .map_err(|e| Error::Deploy(format!("cannot use endpoint `{endpoint}`: {e}")))?;
        let prefix = config
            .prefix
            .as_deref()
            .map(|p| p.trim_matches('/'))
            .filter(|p| !p.is_empty())
            .map(|p| format!("{p}/"))
            .unwrap_or_default();
        let timeout = Duration::from_secs(config.timeout.unwrap_or(DEFAULT_TIMEOUT_SECS).max(1));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_resolve(Some(timeout))
            .timeout_connect(Some(timeout))
            .timeout_per_read(Some(timeout))
            .timeout_per_write(Some(timeout))
            .build()
            .into();
        Ok(Remote {
            bucket,
            credentials,
            prefix,
            agent,
        })
    }

    fn describe(&self) -> String {
        format!("{}{}", self.bucket.base_url(), self.prefix)
    }

    /// Every object under the prefix with its ETag (quotes removed).
    fn list(&self) -> Result<HashMap<String, String>> {
        let mut objects = HashMap::new();
        let mut token: Option<String> = None;
        loop {
            let mut action = self.bucket.list_objects_v2(Some(&self.credentials));
            if !self.prefix.is_empty() {
                action.with_prefix(self.prefix.as_str());
            }
            if let Some(t) = &token {
                action.with_continuation_token(t.as_str());
            }
            let url = action.sign(SIGNED_FOR);
            let body = self.send("list", || self.agent.get(url.as_str()).call())?;
            let page = rusty_s3::actions::ListObjectsV2::parse_response(&body)
                .map_err(|e| Error::Deploy(format!("cannot read the bucket listing: {e}")))?;
            for object in page.contents {
                objects.insert(object.key, object.etag.trim_matches('"').to_string());
            }
            match page.next_continuation_token {
                Some(next) => token = Some(next),
                None => return Ok(objects),
            }
        }
    }

    /// Uploads one file with the headers `_headers` would give it.
    fn put(&self, key: &str, rel: &str, path: &Path) -> Result<()> {
        let bytes = crate::load::files::read(path).map_err(|e| Error::io("read", path, e))?;
        let content_type = content_type(rel);
        let cache_control = hosting::cache_control(rel, &bytes);
        let mut action = self.bucket.put_object(Some(&self.credentials), key);
        action
            .headers_mut()
            .insert("content-type", content_type.clone());
        action.headers_mut().insert("cache-control", cache_control);
        let url = action.sign(SIGNED_FOR);
        self.send(&format!("upload {key}"), || {
            self.agent
                .put(url.as_str())
                .header("content-type", &content_type)
                .header("cache-control", cache_control)
                .send(&bytes[..])
        })
        .map(|_| ())
    }

    fn delete(&self, key: &str) -> Result<()> {
        let url = self
            .bucket
            .delete_object(Some(&self.credentials), key)
            .sign(SIGNED_FOR);
        self.send(&format!("delete {key}"), || {
            self.agent.delete(url.as_str()).call()
        })
        .map(|_| ())
    }

    /// The response body of a successful request; anything else becomes an error naming `what`.
    /// A request that cannot reach the server, times out, or gets a 5xx or 429 answer is tried
    /// again, [`ATTEMPTS`] times in all, with pauses of [`FIRST_PAUSE`] doubling each time.
    fn send(
        &self,
        what: &str,
        request: impl Fn() -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<String> {
        let mut pause = FIRST_PAUSE;
        let mut attempt = 1;
        loop {
            let failure = match request() {
                Ok(mut response) => {
                    let status = response.status();
                    let body = response.body_mut().read_to_string().unwrap_or_default();
                    if status.is_success() {
                        return Ok(body);
                    }
                    let message = format!(
                        "{what}: the server answered {status}: {}",
                        s3_message(&body)
                    );
                    if !(status.is_server_error() || status.as_u16() == 429) {
                        return Err(Error::Deploy(message));
                    }
                    message
                }
                Err(e) => format!("{what}: cannot reach {}: {e}", self.bucket.base_url()),
            };
            if attempt >= ATTEMPTS {
                return Err(Error::Deploy(format!(
                    "{failure} (tried {ATTEMPTS} times; check the endpoint and the network, or raise [deploy] timeout)"
                )));
            }
            std::thread::sleep(pause);
            pause *= 2;
            attempt += 1;
        }
    }
}

/// The MD5 of the file at `path` (hex), read in blocks.
fn md5_of(path: &Path) -> Result<String> {
    use std::io::Read;
    let mut file = crate::load::files::open(path).map_err(|e| Error::io("read", path, e))?;
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::io("read", path, e))?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
fn credentials() -> Result<Credentials> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    match (var(KEY_VARIABLE), var(SECRET_VARIABLE)) {
        (Some(key), Some(secret)) => Ok(match var(TOKEN_VARIABLE) {
            Some(token) => Credentials::new_with_token(key, secret, token),
            None => Credentials::new(key, secret),
        }),
        _ => Err(Error::Deploy(format!(
            "set {KEY_VARIABLE} and {SECRET_VARIABLE} (and {TOKEN_VARIABLE} for temporary credentials) in the environment"
        ))),
    }
}

/// The `Content-Type` of an output file, with `charset=utf-8` for text.
pub fn content_type(rel: &str) -> String {
    // ludd's feeds are all called atom.xml.
    let guess = if rel == "atom.xml" || rel.ends_with("/atom.xml") {
        "application/atom+xml"
    } else {
        mime_guess::from_path(rel)
            .first_raw()
            .unwrap_or("application/octet-stream")
    };
    hosting::with_charset(guess).unwrap_or_else(|| guess.to_string())
}

/// An S3 error document (`<Error><Code>…</Code><Message>…</Message>…</Error>`).
#[derive(Debug, FromXml)]
#[xml(rename = "Error")]
struct ErrorDocument {
    #[xml(rename = "Code")]
    code: Option<String>,
    #[xml(rename = "Message")]
    message: Option<String>,
}

/// The `<Code>` and `<Message>` of an S3 error document, or the body's start when it is none.
fn s3_message(body: &str) -> String {
    let document = instant_xml::from_str::<ErrorDocument>(body.trim_start_matches('\u{feff}'));
    match document {
        Ok(ErrorDocument {
            code: Some(code),
            message: Some(message),
        }) => format!("{code}: {message}"),
        Ok(ErrorDocument {
            code: Some(code), ..
        }) => code,
        _ => body.chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_carry_a_charset_for_text() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("css/site.0123456789.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type("img/card.png"), "image/png");
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(
            content_type("en/atom.xml"),
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(content_type("sitemap.xml"), "text/xml; charset=utf-8");
    }

    #[test]
    fn assets_go_before_pages_and_pages_before_feeds() {
        assert_eq!(phase("css/site.0123456789.css"), Phase::Asset);
        assert_eq!(phase("img/a.png"), Phase::Asset);
        assert_eq!(phase("en/index.html"), Phase::Page);
        assert_eq!(phase("en/atom.xml"), Phase::Index);
        assert_eq!(phase("sitemap.xml"), Phase::Index);
        assert_eq!(phase("robots.txt"), Phase::Index);
        assert!(Phase::Asset < Phase::Page && Phase::Page < Phase::Index);
    }

    #[test]
    fn error_documents_are_shortened() {
        let body = "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>The bucket does not exist</Message></Error>";
        assert_eq!(s3_message(body), "NoSuchBucket: The bucket does not exist");
        // AWS adds more fields and escapes text; MinIO and others put the message first.
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Message>Key &lt;a&gt; &amp; more</Message>\
                    <Code>AccessDenied</Code><Resource>/b/k</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>";
        assert_eq!(s3_message(body), "AccessDenied: Key <a> & more");
        assert_eq!(
            s3_message("<Error><Code>SlowDown</Code></Error>"),
            "SlowDown"
        );
        assert_eq!(s3_message("Bad Gateway"), "Bad Gateway");
    }

    #[test]
    fn md5_is_lower_hex_like_an_etag() {
        assert_eq!(
            hex::encode(Md5::digest(b"")),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
    }
}
