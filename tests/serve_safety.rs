//! The preview server under attack and load, and its preview folder: the `Host` check (DNS
//! rebinding), `nosniff`, 1,000 slow clients, bounded memory under 20,000 requests, responses
//! that are always a complete version of a file while the site is edited every 50 ms, and a
//! preview folder that is removed on every signal and by the next start when a process was
//! killed. Everything talks to 127.0.0.1 only, bounded in count and time.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// Longest wait for anything the server says or answers (a guard, not a speed requirement).
const WAIT: Duration = Duration::from_secs(60);

/// A `ludd serve --port 0` on a copy of the basic fixture.
struct Preview {
    child: Child,
    addr: String,
    out_dir: PathBuf,
    site: common::TestSite,
    lines: Receiver<String>,
    /// Every line said so far.
    seen: Vec<String>,
}

impl Preview {
    fn start(site: common::TestSite, extra: &[&str]) -> Preview {
        let mut preview = Preview::spawn(site, extra);
        preview.wait_for_line(|l| l.starts_with("built ") || l.starts_with("build failed"));
        preview
    }

    /// Starts the server and returns once it named its preview folder (the first build may
    /// still run).
    fn spawn(site: common::TestSite, extra: &[&str]) -> Preview {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ludd"))
            .args(["serve", "--port", "0", "--root"])
            .arg(&site.root)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ludd serve");
        let (tx, lines) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut preview = Preview {
            child,
            addr: String::new(),
            out_dir: PathBuf::new(),
            site,
            lines,
            seen: Vec::new(),
        };
        let serving = preview.wait_for_line(|l| l.starts_with("serving "));
        preview.addr = serving
            .trim_start_matches("serving http://")
            .trim_end_matches('/')
            .to_string();
        let folder = preview.wait_for_line(|l| l.starts_with("preview files in "));
        preview.out_dir = PathBuf::from(
            folder
                .trim_start_matches("preview files in ")
                .split(" (")
                .next()
                .unwrap_or_default(),
        );
        preview
    }

    fn wait_for_line(&mut self, accept: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if accept(&line) {
                        return line;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("ludd serve did not say what was expected in time");
    }

    fn signal(&self, name: &str) {
        common::send_signal(self.child.id(), name);
    }

    /// Waits until the process has ended.
    fn wait_exit(&mut self) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("ludd serve did not stop");
    }

    /// Sends `request` as written and returns the whole response.
    fn raw(&self, request: &str) -> String {
        let mut stream = TcpStream::connect(&self.addr).expect("connect");
        stream.set_read_timeout(Some(WAIT)).expect("timeout");
        stream.write_all(request.as_bytes()).expect("send");
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn get_with_host(&self, path: &str, host: &str) -> String {
        self.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        ))
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.signal("TERM");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn status_of(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn basic() -> common::TestSite {
    common::TestSite::new("basic")
}

#[test]
fn only_local_hosts_and_allowed_names_are_answered() {
    let preview = Preview::start(basic(), &["--allow-host", "werkstatt.local"]);
    let port = preview
        .addr
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_string();
    for host in [
        preview.addr.clone(),
        format!("localhost:{port}"),
        "LOCALHOST".to_string(),
        format!("preview.localhost:{port}"),
        format!("[::1]:{port}"),
        format!("werkstatt.local:{port}"),
    ] {
        let response = preview.get_with_host("/", &host);
        assert_eq!(status_of(&response), 200, "{host}: {response}");
        assert!(
            response
                .to_ascii_lowercase()
                .contains("x-content-type-options: nosniff"),
            "{response}"
        );
    }
    for host in [
        format!("evil.example:{port}"),
        "attacker.com".to_string(),
        format!("localhost.evil.example:{port}"),
    ] {
        let response = preview.get_with_host("/", &host);
        assert_eq!(status_of(&response), 421, "{host}: {response}");
        assert!(response.contains("--allow-host"), "{response}");
    }
    let response = preview.raw("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(status_of(&response), 400, "{response}");
    let feed = preview.get_with_host("/atom.xml", &preview.addr);
    assert!(
        feed.to_ascii_lowercase()
            .contains("content-type: application/atom+xml"),
        "{feed}"
    );
}

#[test]
fn binding_every_interface_warns() {
    let mut preview = Preview::spawn(basic(), &["--bind", "0.0.0.0"]);
    preview.signal("TERM");
    preview.wait_exit();
    let mut said = preview.seen.clone();
    said.extend(preview.lines.try_iter());
    assert!(
        said.iter()
            .any(|l| l.contains("reachable from the network") && l.contains("drafts")),
        "{said:?}"
    );
}

#[test]
fn every_signal_removes_the_preview_folder() {
    for signal in ["TERM", "INT", "HUP", "QUIT"] {
        let mut preview = Preview::start(basic(), &[]);
        assert!(preview.out_dir.is_dir());
        preview.signal(signal);
        preview.wait_exit();
        assert!(
            !preview.out_dir.exists(),
            "SIGHUP etc.: {signal} left {:?}",
            preview.out_dir
        );
    }
}

#[test]
fn ctrl_c_during_the_first_build_removes_the_preview_folder() {
    let site = basic();
    for i in 0..3000 {
        site.write(
            &format!("content/viele/s{i}.md"),
            format!("---\ntitle: S{i}\n---\n\nText {i}.\n"),
        );
    }
    let mut preview = Preview::spawn(site, &[]);
    preview.signal("INT");
    preview.wait_exit();
    assert!(!preview.out_dir.exists(), "{:?} was left", preview.out_dir);
}

#[test]
fn stale_preview_folders_of_dead_processes_are_removed_at_start() {
    let shm = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    // pid 99999999 is above any pid_max: that process is dead. Our own pid is alive.
    let dead = shm.join("ludd-serve-99999999-test");
    let alive = shm.join(format!("ludd-serve-{}-test", std::process::id()));
    for dir in [&dead, &alive] {
        std::fs::create_dir_all(dir.join("en")).expect("mkdir");
        std::fs::write(dir.join("en/index.html"), "old").expect("write");
    }
    let preview = Preview::start(basic(), &[]);
    assert!(!dead.exists(), "the dead process's preview is removed");
    assert!(alive.is_dir(), "a running process's preview stays");
    drop(preview);
    let _ = std::fs::remove_dir_all(&alive);
}

/// Raises this test process's open-file limit so it can hold many connections.
fn raise_fd_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    limit.current = limit.maximum.map(|m| m.min(8192)).or(Some(8192));
    let _ = setrlimit(Resource::Nofile, limit);
}

#[test]
fn a_normal_client_is_answered_while_1000_slow_clients_are_connected() {
    raise_fd_limit();
    let preview = Preview::start(basic(), &[]);
    let mut slow = Vec::new();
    for _ in 0..1000 {
        let Ok(mut stream) = TcpStream::connect(&preview.addr) else {
            break;
        };
        // Headers that never end.
        let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
        slow.push(stream);
    }
    assert!(slow.len() >= 1000, "opened only {} connections", slow.len());
    let response = preview.get_with_host("/", &preview.addr);
    assert_eq!(status_of(&response), 200, "{response}");
    // The header timeout closes the slow ones: a read ends (EOF or reset) instead of hanging.
    let first = &mut slow[0];
    first.set_read_timeout(Some(WAIT)).expect("timeout");
    let mut buf = [0u8; 256];
    let started = Instant::now();
    let _ = first.read(&mut buf);
    assert!(started.elapsed() < WAIT, "a slow client is never closed");
}

/// The server's resident memory in kB (`VmRSS`).
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[test]
fn responses_are_complete_versions_while_the_site_changes_and_memory_stays_bounded() {
    raise_fd_limit();
    let site = basic();
    // Versions of a static file with different lengths, all known in advance.
    let versions: Vec<Vec<u8>> = (0..40)
        .map(|i| format!("version {i}\n{}", "x".repeat(1000 + (i * 7919) % 60_000)).into_bytes())
        .collect();
    site.write("static/data.txt", &versions[0]);
    let preview = Preview::start(site, &[]);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let editor = {
        let root = preview.site.root.clone();
        let versions = versions.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut i = 0;
            // Saved the way most editors save: a new file renamed over the old one, so that
            // every version of the source is complete and any other body is ludd's fault.
            let save = |rel: &str, bytes: &[u8]| {
                let temp = root.join(format!("{rel}.saving~"));
                std::fs::write(&temp, bytes).expect("edit");
                std::fs::rename(&temp, root.join(rel)).expect("edit");
            };
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                i = (i + 1) % versions.len();
                save("static/data.txt", &versions[i]);
                let page = format!("---\ntitle: \"Seite {i}\"\n---\n\nText {i}.\n");
                save("content/seite.md", page.as_bytes());
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let url = format!("http://{}", preview.addr);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(WAIT))
        .build()
        .into();
    let (threads, per_thread) = (200, 100);
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let (agent, url, versions) = (agent.clone(), url.clone(), versions.clone());
            std::thread::spawn(move || {
                let mut checked = 0;
                for n in 0..per_thread {
                    let path = if (t + n) % 2 == 0 {
                        "/data.txt"
                    } else {
                        "/seite/"
                    };
                    let Ok(mut response) = agent.get(format!("{url}{path}")).call() else {
                        continue;
                    };
                    if response.status() != 200 {
                        continue;
                    }
                    let body = match response
                        .body_mut()
                        .with_config()
                        .limit(10_000_000)
                        .read_to_vec()
                    {
                        Ok(body) => body,
                        Err(e) => panic!("{path}: the body could not be read whole: {e}"),
                    };
                    if path == "/data.txt" {
                        assert!(
                            versions.contains(&body),
                            "a body that is no complete version ({} bytes)",
                            body.len()
                        );
                    } else {
                        let text = String::from_utf8_lossy(&body);
                        assert!(text.trim_end().ends_with("</html>"), "cut short: {text}");
                        assert_eq!(text.matches("<h1>").count(), 1, "{text}");
                    }
                    checked += 1;
                }
                checked
            })
        })
        .collect();
    let mut peak = 0;
    let mut checked = 0;
    for w in workers {
        peak = peak.max(rss_kb(preview.child.id()));
        checked += w.join().expect("worker");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    editor.join().expect("editor");
    let after = rss_kb(preview.child.id());
    assert!(
        checked > threads * per_thread / 2,
        "only {checked} responses were checked"
    );
    assert!(
        peak < 150_000 && after < 150_000,
        "RSS {peak} kB during, {after} kB after"
    );
}
