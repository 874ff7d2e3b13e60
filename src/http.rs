//! The bounded pieces of hearth's small HTTP/1.1 servers (`hearth serve` and the
//! newsletter endpoint), which may face clients that send slowly, too much, or
//! nothing: a request head of at most 64 KiB within 10 s, and a cap on connections
//! open at once where the oldest one still waiting for its head gives way.

use std::collections::VecDeque;
use std::io::Read as _;
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most bytes of a request head: the request line and all headers.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long a client has to send its whole request head.
pub const HEAD_TIME: Duration = Duration::from_secs(10);

/// Counts open connections and event streams, and knows which connections are
/// still waiting for their request head (those may be closed to make room).
pub struct Gate {
    state: Mutex<GateState>,
    max_connections: usize,
    max_streams: usize,
}

#[derive(Default)]
pub struct GateState {
    open: usize,
    streams: usize,
    next_id: u64,
    /// Oldest first, with a handle to close each.
    waiting: VecDeque<(u64, TcpStream)>,
}

/// One admitted connection; dropping it gives its place back.
pub struct Ticket {
    gate: Arc<Gate>,
    id: u64,
    stream: std::sync::atomic::AtomicBool,
}

impl Gate {
    /// At most `max_connections` open at once, `max_streams` of them long-lived.
    pub fn new(max_connections: usize, max_streams: usize) -> Gate {
        Gate {
            state: Mutex::default(),
            max_connections,
            max_streams,
        }
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.lock().open
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A place for `stream`, closing the oldest waiting connection when full; `None`
    /// when every place is taken by a connection that is being served.
    pub fn admit(gate: &Arc<Gate>, stream: &TcpStream) -> Option<Ticket> {
        let mut state = gate.lock();
        if state.open >= gate.max_connections {
            let (_, oldest) = state.waiting.pop_front()?;
            // Its thread sees the end of input and gives its place back.
            let _ = oldest.shutdown(Shutdown::Both);
        }
        state.open += 1;
        state.next_id += 1;
        let id = state.next_id;
        if let Ok(handle) = stream.try_clone() {
            state.waiting.push_back((id, handle));
        }
        Some(Ticket {
            gate: Arc::clone(gate),
            id,
            stream: false.into(),
        })
    }
}

impl Ticket {
    /// The request head is in: this connection is no longer one to close for room.
    pub fn head_read(&self) {
        self.gate.lock().waiting.retain(|(id, _)| *id != self.id);
    }

    /// Takes a place for an event stream; false when all are taken.
    pub fn open_stream(&self) -> bool {
        let mut state = self.gate.lock();
        if state.streams >= self.gate.max_streams {
            return false;
        }
        state.streams += 1;
        self.stream.store(true, std::sync::atomic::Ordering::SeqCst);
        true
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut state = self.gate.lock();
        state.open = state.open.saturating_sub(1);
        state.waiting.retain(|(id, _)| *id != self.id);
        if self.stream.load(std::sync::atomic::Ordering::SeqCst) {
            state.streams = state.streams.saturating_sub(1);
        }
    }
}

/// Why a request head could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum HeadError {
    /// Past `MAX_HEAD_BYTES`.
    TooLarge,
    /// Not complete within `HEAD_TIME`.
    Slow,
    /// The client went away.
    Closed,
}

/// Reads the request head (up to and including the empty line), never holding more
/// than `MAX_HEAD_BYTES`, within `HEAD_TIME` in all, however slowly bytes arrive.
pub fn read_head(stream: &TcpStream) -> Result<Vec<u8>, HeadError> {
    read_head_and_more(stream).map(|(head, _)| head)
}

/// [`read_head`], and the bytes that came after the head in the same reads (the
/// start of a body).
pub fn read_head_and_more(stream: &TcpStream) -> Result<(Vec<u8>, Vec<u8>), HeadError> {
    let deadline = Instant::now() + HEAD_TIME;
    let mut head: Vec<u8> = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or(HeadError::Slow)?;
        stream
            .set_read_timeout(Some(left))
            .map_err(|_| HeadError::Closed)?;
        let room = (MAX_HEAD_BYTES + 1 - head.len()).min(chunk.len());
        let n = match (&*stream).read(&mut chunk[..room]) {
            Ok(0) => return Err(HeadError::Closed),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(HeadError::Slow);
            }
            Err(_) => return Err(HeadError::Closed),
        };
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = head_end(&head[from..]) {
            let more = head.split_off(from + end);
            return Ok((head, more));
        }
        if head.len() > MAX_HEAD_BYTES {
            return Err(HeadError::TooLarge);
        }
    }
}

/// Where the head in `bytes` ends (just past its empty line), if it does.
pub fn head_end(bytes: &[u8]) -> Option<usize> {
    let crlf = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = bytes.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Decodes `%XX` escapes (a URL path, a user name in a mailbox URL such as
/// `bounces%40example.org`); invalid ones stay as written.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
