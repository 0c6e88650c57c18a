//! `ludd serve`: the live preview — a private build, a file watcher, incremental rebuilds and an
//! HTTP server that tells open pages to reload.
//!
//! How the parts fit: [`run`] binds the port, creates the private output folder (a temporary
//! folder, never the deploy `output_dir`) and starts the [`rebuild`] thread, which owns the
//! [`Session`](crate::engine::session::Session) and the [`watch`]er and runs the first build. The main thread then runs
//! a tokio runtime with the [`server`]. After every rebuild the rebuild thread tells the
//! [`reload::Hub`], which fans the result out to every open page over server-sent events.

pub mod rebuild;
pub mod reload;
pub mod server;
pub mod watch;

use crate::engine::{BuildOptions, Mode};
use crate::load::config::CONFIG_FILE;
use std::fmt::Display;
use std::io::{self, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;

/// What `ludd serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site root.
    pub root: PathBuf,
    /// The address to listen on.
    pub bind: IpAddr,
    /// The port; 0 takes any free port, a taken port moves up to 20 ports higher.
    pub port: u16,
    /// Open the site in a browser once it is built.
    pub open: bool,
    /// Include drafts.
    pub drafts: bool,
    /// The `base_url` pages are built with (previews behind a proxy); its path is served too.
    /// Without it, pages point at the local server, under `base_url`'s path from `site.toml`.
    pub base_url: Option<String>,
    /// Include pages whose `publish_date` is still to come.
    pub future: bool,
    /// Include pages whose `expiry_date` has passed.
    pub expired: bool,
    /// Poll for file changes instead of using the operating system's events.
    pub poll: bool,
    /// Print only errors (the URL is always printed).
    pub quiet: bool,
    /// Print each rebuild's time per stage.
    pub verbose: bool,
    /// Host names (besides localhost and IP addresses) the preview answers for.
    pub allow_hosts: Vec<String>,
}

/// Preview folders are called `ludd-serve-<pid>-<random>`.
const PREVIEW_PREFIX: &str = "ludd-serve-";

/// Removes the preview folders that `ludd serve` processes no longer running left in `dir`
/// (killed with SIGKILL, or by a power cut). Folders of running previews stay.
pub fn remove_stale_previews(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(PREVIEW_PREFIX)
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<i32>().ok())
        else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && !crate::write::process_is_running(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// What stops `ludd serve` from starting (once it runs, nothing stops it but Ctrl-C).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The site folder cannot be read.
    #[error("cannot open the site folder `{}`: {source}", .path.display())]
    Root {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// No `site.toml`.
    #[error("no {CONFIG_FILE} in `{}`\n  help: run `ludd serve` inside a site, pass --root, or create one with `ludd init`", .0.display())]
    NoSite(PathBuf),
    /// The port (and the next 20) could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address and port tried first.
        addr: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The private output folder could not be created.
    #[error("cannot create the preview folder: {0}")]
    OutDir(#[source] io::Error),
    /// The runtime or the rebuild thread could not start.
    #[error("cannot start the server: {0}")]
    Start(#[source] io::Error),
    /// The server failed while running.
    #[error("the server stopped: {0}")]
    Serve(#[source] io::Error),
}

/// Prints a line on stdout; a closed stdout must not stop the server.
pub(crate) fn say(line: impl Display) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Prints a line on stderr, never failing.
pub(crate) fn shout(line: impl Display) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// The site's address as seen from a browser (no trailing slash).
pub fn site_url(bind: IpAddr, port: u16) -> String {
    match bind {
        ip if ip.is_unspecified() => format!("http://localhost:{port}"),
        IpAddr::V4(ip) => format!("http://{ip}:{port}"),
        IpAddr::V6(ip) => format!("http://[{ip}]:{port}"),
    }
}

/// Runs the preview server until Ctrl-C (or SIGTERM). Prints `serving <url>` first.
pub fn run(options: ServeOptions) -> Result<(), ServeError> {
    let root = std::fs::canonicalize(&options.root).map_err(|source| ServeError::Root {
        path: options.root.clone(),
        source,
    })?;
    if !root.join(CONFIG_FILE).is_file() {
        return Err(ServeError::NoSite(root));
    }
    let (listener, port) =
        server::bind(options.bind, options.port).map_err(|source| ServeError::Bind {
            addr: site_url(options.bind, options.port),
            source,
        })?;
    let local = site_url(options.bind, port);
    // Parsed once here and handed to the first build; an unreadable one fails there (read
    // again then, to report it as every later build would).
    let config = crate::load::config::Config::load(&root).ok();
    let base_url = match &options.base_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let path = config.as_ref().map(|c| c.base_path()).unwrap_or_default();
            format!("{local}{path}")
        }
    };
    let base_path = crate::load::config::base_path_of(&base_url).to_string();
    let url = format!("{local}{base_path}");
    if !options.bind.is_loopback() {
        shout(format!(
            "warning: listening on {}, reachable from the network: anyone who can reach this machine sees the whole preview, drafts included (use --bind 127.0.0.1 to keep it private)",
            options.bind
        ));
    }
    // The preview lives in memory-backed /dev/shm where there is one (much faster than a
    // disk-backed /tmp for large sites), else in the system's temporary folder. Its name holds
    // the process id, so that a later `ludd serve` can remove it if this one is killed.
    let shm = std::path::Path::new("/dev/shm");
    let prefix = format!("{PREVIEW_PREFIX}{}-", std::process::id());
    for dir in [shm.to_path_buf(), std::env::temp_dir()] {
        remove_stale_previews(&dir);
    }
    let out = match tempfile::Builder::new().prefix(&prefix).tempdir_in(shm) {
        Ok(dir) if shm.is_dir() => dir,
        _ => tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir()
            .map_err(ServeError::OutDir)?,
    };
    let out_dir = std::fs::canonicalize(out.path()).map_err(ServeError::OutDir)?;
    let hub = Arc::new(reload::Hub::new());
    // New images are processed in the background; the server answers a variant's URL with
    // the original until it is ready.
    let images = Arc::new(crate::render::images::background::Background::new(&root));
    let settings = rebuild::Settings {
        build: BuildOptions {
            root,
            drafts: options.drafts,
            future: options.future,
            expired: options.expired,
            base_url: Some(base_url.clone()),
            output_dir: None,
            mode: Mode::Preview,
            background_images: Some(Arc::clone(&images)),
        },
        out_dir: out_dir.clone(),
        poll: options.poll,
        quiet: options.quiet,
        verbose: options.verbose,
    };
    // Files are read on a small blocking pool: a burst of requests queues there instead of
    // starting hundreds of threads (each with its stack) that stay around.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(8)
        .enable_all()
        .build()
        .map_err(ServeError::Start)?;
    // A signal stops the server; during the first build (which can take a while) it removes
    // the preview folder and ends the process at once.
    let state = server::AppState::new(out_dir.clone(), Arc::clone(&hub))
        .with_pending_images(images)
        .under(&base_path)
        .allowing_hosts(&options.allow_hosts);
    let mut signals = {
        let _inside = runtime.enter();
        server::Signals::register().map_err(ServeError::Start)?
    };
    let serving = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (guarded, quiet, stopper, started) = (
        out_dir.clone(),
        options.quiet,
        state.clone(),
        Arc::clone(&serving),
    );
    runtime.spawn(async move {
        signals.recv().await;
        if started.load(std::sync::atomic::Ordering::SeqCst) {
            stopper.stop();
            return;
        }
        let _ = std::fs::remove_dir_all(&guarded);
        if !quiet {
            say("stopped");
        }
        std::process::exit(130);
    });
    say(format!("serving {url}/"));
    if options.port != 0 && port != options.port {
        say(format!("port {} is taken, using {port}", options.port));
    }
    if !base_path.is_empty() {
        say(format!(
            "the site lives under {base_path}/ (the path of base_url), as on its host"
        ));
    }
    if options.base_url.is_some() {
        say(format!("pages link to {base_url}/ (--base-url)"));
    }
    say(format!(
        "preview files in {} (press Ctrl-C to stop)",
        out_dir.display()
    ));
    let first_build =
        rebuild::spawn(settings, config, Arc::clone(&hub)).map_err(ServeError::Start)?;
    // Requests that arrive meanwhile wait in the listen queue.
    let _ = first_build.recv();
    serving.store(true, std::sync::atomic::Ordering::SeqCst);
    if options.open {
        open_browser(&format!("{url}/"));
    }

    let result = runtime.block_on(server::serve(listener, state, server::max_connections()));
    runtime.shutdown_background();
    if !options.quiet {
        say("stopped");
    }
    // Removes the preview files (the rebuild thread ends with the process).
    drop(out);
    result.map_err(ServeError::Serve)
}

/// Opens `url` in the default browser, if there is a way to; best effort.
fn open_browser(url: &str) {
    let openers: &[(&str, &[&str])] = if cfg!(target_os = "macos") {
        &[("open", &[])]
    } else if cfg!(windows) {
        &[("cmd", &["/C", "start", ""])]
    } else {
        &[("xdg-open", &[])]
    };
    for (program, args) in openers {
        let spawned = Command::new(program)
            .args(*args)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        if let Ok(mut child) = spawned {
            // Reap it so it does not linger as a zombie.
            std::thread::spawn(move || child.wait());
            return;
        }
    }
    shout(format!("cannot open a browser here; open {url} yourself"));
}
