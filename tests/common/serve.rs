//! A running `hearth serve` for the tests: started on a free port over a copy of a
//! site, its output collected line by line as it comes, asked over plain HTTP, and
//! killed when dropped.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{NOW, Site};

/// A safety bound for anything the tests wait for, not an expectation: a rebuild
/// of the fixture takes well under a second.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A running `hearth serve` over a site; killed when dropped.
pub struct Server {
    /// Behind a lock so that `&self` can ask whether it exited.
    child: Mutex<Child>,
    /// `http://127.0.0.1:PORT/`, as printed.
    pub url: String,
    pub address: String,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
    /// What each rebuild after the first build came to, in the order printed:
    /// `true` for `Rebuilt in …` (stdout), `false` for `The last good build is still
    /// served.` (stderr). One rebuild at a time, at least 25 ms apart, so the two
    /// readers push in the order hearth printed.
    reactions: Arc<Mutex<Vec<bool>>>,
}

impl Server {
    /// Starts `hearth serve SITE --port 0 --now NOW` and waits for its URL.
    pub fn start(site: &Site) -> Server {
        Server::spawn(site, || {})
    }

    /// Like `start`, with `--now now`.
    pub fn start_at(site: &Site, now: &str) -> Server {
        Server::launch_at(Path::new("."), path_str(site.path()), Some(now), || {})
    }

    /// Like `start`, without `--now`: the server reads the clock.
    pub fn start_on_the_clock(site: &Site) -> Server {
        Server::launch_at(Path::new("."), path_str(site.path()), None, || {})
    }

    /// Like `start`; `on_serving` runs the moment the `Serving … at URL` line arrives.
    pub fn spawn(site: &Site, on_serving: impl FnOnce() + Send + 'static) -> Server {
        Server::launch(Path::new("."), path_str(site.path()), on_serving)
    }

    /// Starts `hearth serve SITE_ARG …` from the folder `cwd`.
    pub fn launch(
        cwd: &Path,
        site_arg: &str,
        on_serving: impl FnOnce() + Send + 'static,
    ) -> Server {
        Server::launch_at(cwd, site_arg, Some(NOW), on_serving)
    }

    /// Starts `hearth serve SITE_ARG --port 0 [--now NOW]` from the folder `cwd`.
    fn launch_at(
        cwd: &Path,
        site_arg: &str,
        now: Option<&str>,
        on_serving: impl FnOnce() + Send + 'static,
    ) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
            .current_dir(cwd)
            .args(["serve", site_arg, "--port", "0"])
            .args(now.map(|now| ["--now", now]).into_iter().flatten())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run hearth serve");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let reactions = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().expect("piped stdout");
        let lines = Arc::clone(&stdout);
        let rebuilt = Arc::clone(&reactions);
        std::thread::spawn(move || {
            let mut on_serving = Some(on_serving);
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if line.starts_with("Serving ")
                    && let Some(run) = on_serving.take()
                {
                    run();
                }
                if line.starts_with("Rebuilt in ") {
                    rebuilt.lock().expect("reactions lock").push(true);
                }
                lines.lock().expect("stdout lock").push(line);
            }
        });
        let err = child.stderr.take().expect("piped stderr");
        let text = Arc::clone(&stderr);
        let failed = Arc::clone(&reactions);
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if line == "The last good build is still served." {
                    failed.lock().expect("reactions lock").push(false);
                }
                let mut text = text.lock().expect("stderr lock");
                text.push_str(&line);
                text.push('\n');
            }
        });
        let mut server = Server {
            child: Mutex::new(child),
            url: String::new(),
            address: String::new(),
            stdout,
            stderr,
            reactions,
        };
        server.wait_for("the `Serving … at URL` line", || {
            server.serving_url().is_some()
        });
        server.url = server.serving_url().unwrap_or_default();
        server.address = server
            .url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        server
    }

    /// The URL of the `Serving SITE at URL (Ctrl-C to stop)` line, once printed.
    pub fn serving_url(&self) -> Option<String> {
        let lines = self.stdout.lock().expect("stdout lock");
        let line = lines.iter().find(|l| l.starts_with("Serving "))?;
        let url = line.rsplit_once(" at ")?.1.split_whitespace().next()?;
        Some(url.to_string())
    }

    pub fn stdout(&self) -> String {
        self.stdout.lock().expect("stdout lock").join("\n")
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr lock").clone()
    }

    /// How many `Rebuilt in …` lines were printed so far.
    pub fn rebuilds(&self) -> usize {
        let lines = self.stdout.lock().expect("stdout lock");
        lines
            .iter()
            .filter(|l| l.starts_with("Rebuilt in "))
            .count()
    }

    /// What every rebuild so far came to, in order: `true` for a good build, `false`
    /// for a failed one.
    pub fn reactions(&self) -> Vec<bool> {
        self.reactions.lock().expect("reactions lock").clone()
    }

    pub fn get(&self, path: &str) -> Response {
        get(&self.address, path)
    }

    /// Polls `condition` until it holds; fails the test, with everything the
    /// server printed, if it has not held after `TIMEOUT` or if serve exited.
    #[track_caller]
    pub fn wait_for(&self, what: &str, mut condition: impl FnMut() -> bool) {
        let held = wait_until(TIMEOUT, || condition() || self.exited());
        assert!(
            held && !self.exited(),
            "waited in vain for {what}\nhearth stdout:\n{}\nhearth stderr:\n{}",
            self.stdout(),
            self.stderr()
        );
    }

    pub fn exited(&self) -> bool {
        let mut child = self.child.lock().expect("child lock");
        child.try_wait().is_ok_and(|status| status.is_some())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(child) = self.child.get_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An HTTP response, read to the end.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `GET path` over a fresh connection to `address` (`127.0.0.1:PORT`).
pub fn get(address: &str, path: &str) -> Response {
    let mut stream =
        TcpStream::connect(address).unwrap_or_else(|e| panic!("connect to {address}: {e}"));
    stream
        .set_read_timeout(Some(TIMEOUT))
        .expect("set a read timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("send the request");
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("read the answer to GET {path}: {e}"));
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("GET {path}: no end of headers in {raw:?}"));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("GET {path}: bad status line `{status_line}`"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body,
    }
}

/// Polls `condition` every 50 ms until it holds (true) or `timeout` passes (false).
pub fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}
