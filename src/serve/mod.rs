//! `hearth serve`: builds the site in memory, serves it over HTTP, watches the site
//! folder, rebuilds on every change and tells open tabs to reload. A broken change
//! keeps the last good build online and shows the error in the terminal and over
//! the page. Nothing is written to the site's `public/` folder.

pub mod server;
pub mod watch;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use jiff::Timestamp;
use notify::{EventKind, RecursiveMode, Watcher as _};

use crate::build::{self, BuildOptions, CopyFrom};
use crate::cli::say;
use crate::content::cache::BodyCache;
use crate::diag::Problems;
use crate::output::lock;
use crate::render::{Rendered, Sink};
use watch::Action;

/// What `hearth serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub site_dir: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub drafts: bool,
    /// A fixed "now"; `None` reads the clock at every rebuild.
    pub now: Option<Timestamp>,
    /// Open the served URL in the default browser.
    pub open: bool,
}

/// One output file held in memory.
#[derive(Debug)]
pub enum Body {
    /// Shared with the next snapshot when the page is the same there. The text as
    /// it was rendered: made into an `Arc<str>` it would be copied once more.
    Text(Arc<String>),
    Copy(CopyFrom),
}

/// A complete build, as served.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub files: rustc_hash::FxHashMap<String, Body>,
    /// The key of each page's inputs (see [`crate::render::Sink`]): the next
    /// rebuild takes a page whose key is the same from here instead of rendering it.
    pub keys: rustc_hash::FxHashMap<String, u128>,
    /// The search index of this build, made after its pages are served.
    pub later: Option<Arc<Later>>,
}

impl Snapshot {
    /// The text of a generated file, or where a copied file comes from.
    pub fn get(&self, rel: &str) -> Option<(&str, Found<'_>)> {
        if Later::may_hold(rel)
            && let Some(later) = &self.later
            && let Some((path, text)) = later.files().get_key_value(rel)
        {
            return Some((path, Found::Text(text)));
        }
        let (path, body) = self.files.get_key_value(rel)?;
        let found = match body {
            Body::Text(text) => Found::Text(text),
            Body::Copy(from) => Found::Copy(from),
        };
        Some((path, found))
    }
}

/// A file of a snapshot.
#[derive(Debug)]
pub enum Found<'a> {
    Text(&'a str),
    Copy(&'a CopyFrom),
}

/// The files a rebuild leaves for after its pages are served: the search index,
/// which a big site takes longest to make and no page waits for. They are made
/// once, when a request first asks for one of them (the search page fetches the
/// index when the reader first reaches its search field): an edit costs nothing
/// for them until then, and a request never gets another build's index.
pub struct Later {
    loaded: build::Loaded,
    files: std::sync::OnceLock<HashMap<String, Arc<str>>>,
}

impl std::fmt::Debug for Later {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Later")
    }
}

impl Later {
    /// Whether `rel` may be one of the files made later (`search.json` and the
    /// parts of a big site's index under `search/`).
    pub fn may_hold(rel: &str) -> bool {
        rel == crate::outputs::search::PATH
            || (rel.starts_with("search/") && rel.ends_with(".json"))
    }

    pub fn files(&self) -> &HashMap<String, Arc<str>> {
        self.files.get_or_init(|| {
            let files = crate::outputs::search::files(&self.loaded.site);
            files
                .into_iter()
                .map(|f| (f.path, Arc::from(f.contents)))
                .collect()
        })
    }
}

/// A page of a rebuild: its path, text, and the key of its inputs.
type Page = (String, Arc<String>, Option<u128>);

/// Collects a rebuild's files, taking unchanged pages from the previous snapshot.
struct Reuse<'a> {
    previous: &'a Snapshot,
    files: Mutex<Vec<Page>>,
}

impl Sink for Reuse<'_> {
    fn put(&self, file: Rendered) -> Result<()> {
        self.put_keyed(file, None)
    }

    fn keyed(&self) -> bool {
        true
    }

    fn has(&self, path: &str, key: u128) -> bool {
        if self.previous.keys.get(path) != Some(&key) {
            return false;
        }
        let Some(Body::Text(text)) = self.previous.files.get(path) else {
            return false;
        };
        lock(&self.files).push((path.to_string(), Arc::clone(text), Some(key)));
        true
    }

    fn put_keyed(&self, file: Rendered, key: Option<u128>) -> Result<()> {
        lock(&self.files).push((file.path, Arc::new(file.contents), key));
        Ok(())
    }
}

/// What open tabs are told after a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Reload,
    Stylesheets,
    Failed(String),
}

/// State shared by the watcher and every connection.
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    /// Generation counter and the latest event; connections wait on `changed`.
    latest: Mutex<(u64, Event)>,
    changed: Condvar,
}

impl Shared {
    fn new(snapshot: Snapshot, event: Event) -> Shared {
        Shared {
            snapshot: RwLock::new(Arc::new(snapshot)),
            latest: Mutex::new((0, event)),
            changed: Condvar::new(),
        }
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .map(|s| Arc::clone(&s))
            .unwrap_or_default()
    }

    pub fn current(&self) -> (u64, Event) {
        self.latest
            .lock()
            .map(|l| l.clone())
            .unwrap_or((0, Event::Reload))
    }

    /// Waits up to `timeout` for an event newer than `seen`.
    pub fn wait_after(&self, seen: u64, timeout: Duration) -> Option<(u64, Event)> {
        let guard = self.latest.lock().ok()?;
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |(g, _)| *g == seen)
            .ok()?;
        (guard.0 != seen).then(|| guard.clone())
    }

    fn publish(&self, snapshot: Option<Snapshot>, event: Event) {
        if let Some(snapshot) = snapshot
            && let Ok(mut current) = self.snapshot.write()
        {
            let old = std::mem::replace(&mut *current, Arc::new(snapshot));
            drop(current);
            // The old build is freed after the new one is served, not while
            // requests wait for the lock.
            drop(old);
        }
        if let Ok(mut latest) = self.latest.lock() {
            *latest = (latest.0 + 1, event);
        }
        self.changed.notify_all();
    }
}

/// Serves the site until the process is stopped.
pub fn serve(opts: &ServeOptions) -> Result<()> {
    let address = SocketAddr::new(opts.bind, opts.port);
    let listener = TcpListener::bind(address).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!("port {} is already in use on {}: choose another with --port (or --port 0 for any free one)", opts.port, opts.bind)
        } else {
            anyhow::anyhow!("cannot listen on {address}: {e}")
        }
    })?;
    let local = listener.local_addr().context("no local address")?;
    let host = match local.ip() {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    let base_url = format!("http://{host}:{}", local.port());

    // notify reports paths under the folder exactly as it was given; one canonical
    // path for watching and for classifying keeps `serve ../blog` and symlinked
    // folders working.
    let site_dir = opts
        .site_dir
        .canonicalize()
        .unwrap_or_else(|_| opts.site_dir.clone());
    let (_watcher, changes) = watch(&site_dir)?;
    let started = Instant::now();
    // Bodies are held in memory while serving: a template edit renders every page
    // again, and reading each body back from the file costs more than it saves.
    let cache = Arc::new(BodyCache::load_held(&site_dir));
    let kept = Arc::new(build::Kept::default());
    let (snapshot, event) = match rebuild(opts, &base_url, (&cache, &kept), &Snapshot::default()) {
        Ok(snapshot) => {
            say(&format!("Built in {} ms.", started.elapsed().as_millis()));
            if let Err(e) = cache.save(&site_dir) {
                tracing::warn!("the cache was not saved: {e:#}");
            }
            (snapshot, Event::Reload)
        }
        Err(message) => {
            eprintln!("{message}");
            (Snapshot::default(), Event::Failed(message))
        }
    };
    let shared = Arc::new(Shared::new(snapshot, event));
    say(&format!(
        "Serving {} at {base_url}/ (Ctrl-C to stop)",
        opts.site_dir.display()
    ));
    use std::io::Write as _;
    let _ = std::io::stdout().flush();

    let server_shared = Arc::clone(&shared);
    std::thread::spawn(move || server::run(listener, server_shared));
    if opts.open {
        open_in_browser(&format!("{base_url}/"));
    }
    watch_and_rebuild(
        opts,
        &site_dir,
        &base_url,
        &shared,
        (&cache, &kept),
        changes,
    )
}

/// Opens `url` with the desktop's opener (`open` on macOS, `xdg-open` elsewhere). A
/// missing opener or browser is no reason to stop serving: it is said, and the URL
/// printed above still works.
fn open_in_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let started = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match started {
        // Reaped in the background so that no zombie is left behind.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => {
            eprintln!("note: cannot open a browser with `{opener}` ({e}); open {url} yourself")
        }
    }
}

/// Builds the whole site in memory, taking each page whose inputs are the same
/// from `previous` rather than rendering it again. The error is the text to show:
/// every problem with its file and line.
fn rebuild(
    opts: &ServeOptions,
    base_url: &str,
    (cache, kept): (&Arc<BodyCache>, &Arc<build::Kept>),
    previous: &Snapshot,
) -> Result<Snapshot, String> {
    let build_opts = BuildOptions {
        site_dir: opts.site_dir.clone(),
        out_dir: None,
        drafts: opts.drafts,
        base_url: Some(base_url.to_string()),
        now: opts.now.unwrap_or_else(Timestamp::now),
        cache: Some(Arc::clone(cache)),
        kept: Some(Arc::clone(kept)),
        progress: false,
    };
    cache.begin();
    let sink = Reuse {
        previous,
        files: Mutex::default(),
    };
    let started = Instant::now();
    let result = build::load(&build_opts).and_then(|loaded| {
        tracing::debug!(elapsed_ms = started.elapsed().as_millis(), "loaded");
        let warnings = build::render_into(&loaded, &sink, build::Search::Later)?;
        Ok((
            build::copied_files(&loaded, &opts.site_dir),
            warnings,
            loaded,
        ))
    });
    match result {
        Ok((copied, warnings, loaded)) => {
            cache.finish();
            for w in &warnings {
                eprintln!("{w}");
            }
            let mut snapshot = Snapshot {
                later: Some(Arc::new(Later {
                    loaded,
                    files: std::sync::OnceLock::new(),
                })),
                ..Snapshot::default()
            };
            let files = sink.files.into_inner().unwrap_or_else(|e| e.into_inner());
            snapshot.files.reserve(copied.len() + files.len());
            snapshot.keys.reserve(files.len());
            for (path, from) in copied {
                snapshot.files.insert(path, Body::Copy(from));
            }
            for (path, text, key) in files {
                if let Some(key) = key {
                    snapshot.keys.insert(path.clone(), key);
                }
                snapshot.files.insert(path, Body::Text(text));
            }
            Ok(snapshot)
        }
        Err(e) => Err(match e.downcast_ref::<Problems>() {
            Some(problems) => problems.to_string(),
            None => format!("error: {e:#}"),
        }),
    }
}

/// How long to wait for more changes after the first: editors save in several
/// steps (write a temporary file, rename it over the old one).
const SETTLE: Duration = Duration::from_millis(10);

type Changes = std::sync::mpsc::Receiver<notify::Result<notify::Event>>;

/// Starts watching the site folder. This happens before the first build, so that a
/// file saved while that build runs is seen.
fn watch(site_dir: &Path) -> Result<(notify::RecommendedWatcher, Changes)> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx).context("cannot watch files")?;
    watcher
        .watch(site_dir, RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch `{}`", site_dir.display()))?;
    Ok((watcher, rx))
}

fn watch_and_rebuild(
    opts: &ServeOptions,
    site_dir: &Path,
    base_url: &str,
    shared: &Shared,
    (cache, kept): (&Arc<BodyCache>, &Arc<build::Kept>),
    rx: Changes,
) -> Result<()> {
    // Without a fixed `--now`, the site is built again when the clock alone
    // changes it (an event ends, a scheduled post comes out), as a new build would.
    let clock_change = || {
        let snapshot = shared.snapshot();
        let later = snapshot.later.as_ref()?;
        opts.now
            .is_none()
            .then(|| build::next_change(&later.loaded))?
    };
    let mut next = clock_change();
    loop {
        let first = match next {
            Some(at) => {
                let wait = Timestamp::now().duration_until(at);
                // Woken at least hourly: a suspended laptop's clock jumps.
                let wait = Duration::try_from(wait).unwrap_or(Duration::ZERO);
                match rx.recv_timeout(wait.min(Duration::from_secs(3600))) {
                    Ok(first) => Some(first),
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
            None => match rx.recv() {
                Ok(first) => Some(first),
                Err(_) => break,
            },
        };
        // No change came: the clock's moment, unless the wait was cut short.
        let clock = first.is_none();
        if clock && next.is_some_and(|at| Timestamp::now() < at) {
            continue;
        }
        let mut batch: Vec<_> = first.into_iter().collect();
        while !clock && let Ok(more) = rx.recv_timeout(SETTLE) {
            batch.push(more);
        }
        // A watcher that lost events (or says it must rescan) leaves nothing known
        // about which files changed: every document is read again.
        let lost = batch
            .iter()
            .any(|e| e.as_ref().map_or(true, |e| e.need_rescan()));
        let only_writes = batch.iter().flatten().all(|e| {
            use notify::event::ModifyKind;
            matches!(
                e.kind,
                EventKind::Access(_)
                    | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Metadata(_))
            )
        });
        let changes: Vec<(PathBuf, watch::Change)> = batch
            .into_iter()
            .filter_map(Result::ok)
            // Reading files (as every build does) is not a change.
            .filter(|e| !matches!(e.kind, EventKind::Access(_)))
            .flat_map(|e| e.paths)
            .map(|path| {
                let change = watch::classify(site_dir, &path);
                (path, change)
            })
            .filter(|(_, c)| *c != watch::Change::Ignored)
            .collect();
        let action = watch::action(changes.iter().map(|(_, c)| *c));
        // Only writes into files that exist keep the lists of documents.
        if !only_writes {
            kept.documents.relist();
        }
        if lost || changes.iter().any(|(_, c)| *c == watch::Change::Config) {
            kept.documents.clear();
        } else {
            let relative = changes
                .iter()
                .map(|(p, _)| p.strip_prefix(site_dir).unwrap_or(p));
            kept.documents.forget(relative);
        }
        if action == Action::Nothing && !lost && !clock {
            continue;
        }
        let started = Instant::now();
        let mut failed = false;
        let previous = shared.snapshot();
        match rebuild(opts, base_url, (cache, kept), &previous) {
            Ok(snapshot) => {
                let what = match clock {
                    true => "the clock moved on".to_string(),
                    false => describe(site_dir, &changes),
                };
                say(&format!(
                    "Rebuilt in {} ms ({what}).",
                    started.elapsed().as_millis()
                ));
                // After a failed build the tab shows an overlay: reload it.
                let failing = matches!(shared.current().1, Event::Failed(_));
                let event = if action == Action::SwapStylesheets && !failing {
                    Event::Stylesheets
                } else {
                    Event::Reload
                };
                shared.publish(Some(snapshot), event);
            }
            Err(message) => {
                eprintln!("{message}");
                eprintln!("The last good build is still served.");
                shared.publish(None, Event::Failed(message));
                // Its clock change has passed: building again at once would fail
                // again. The next edit builds it.
                failed = true;
            }
        }
        // The build it replaced is freed on another thread: for a big site that
        // takes milliseconds, and the next change may already be waiting.
        std::thread::spawn(move || drop(previous));
        next = if failed { None } else { clock_change() };
    }
    Ok(())
}

fn describe(site_dir: &Path, changes: &[(PathBuf, watch::Change)]) -> String {
    let mut names: Vec<String> = changes
        .iter()
        .map(|(p, _)| p.strip_prefix(site_dir).unwrap_or(p).display().to_string())
        .collect();
    names.sort();
    names.dedup();
    match names.len() {
        0 => "no change".to_string(),
        1..=3 => names.join(", "),
        n => format!("{}, and {} more", names[..2].join(", "), n - 2),
    }
}
