//! A TCP proxy for one directed replication link (replica → master), so a
//! test can inject the faults of a scenario into real `redis-server`s.
//!
//! The replica is told `REPLICAOF 127.0.0.1 <proxy port>`; every connection
//! it opens there is forwarded to the master's real port by two pump
//! threads (one per direction). The test then controls the link:
//!
//! - [`Proxy::cut`]: every current connection is **reset** (`SO_LINGER 0`
//!   then close, so both Redis processes get an RST, as on a real cut) and the
//!   proxy **stops listening**, so a reconnect gets `ECONNREFUSED` from the
//!   kernel. That is what a replica sees when its master's port is closed,
//!   and the replica logs `Error condition on socket for SYNC: Connection
//!   refused`, the same retry-every-second path as a host that refuses.
//!   (Accepting and then resetting would instead make the connect succeed
//!   and fail later in the handshake, with other log lines and a state that
//!   passes through `connecting`.)
//! - [`Proxy::heal`]: listens again on the same port and forwards again
//!   (held bytes of a partition are delivered, in order).
//! - [`Proxy::partition`] / [`Proxy::partition_one_way`]: silent. The pumps
//!   stop reading, so bytes stay in the kernel's socket buffers (and then in
//!   the sender's output buffer), as unacknowledged TCP segments would; they
//!   are delivered after heal unless a side gives up first (`repl-timeout`).
//!   Connections keep their state; new connections are accepted by the
//!   proxy (the kernel completes the TCP handshake) but carry nothing until
//!   heal. This differs from the simulator, where a connect during a
//!   partition gets no answer at all: both end up waiting for a timeout.
//! - [`Proxy::reset_on_data`] (one-way cut): the next bytes sent in the given
//!   direction reset their connection; new connections are refused.
//!
//! Everything stays on 127.0.0.1. Bounded: at most [`MAX_CONNECTIONS`]
//! connections, one 16 KiB buffer per pump. Dropping the proxy resets its
//! connections and joins its threads.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// Connections one proxy forwards at a time (a replica opens one, sometimes
/// two while an old one is being torn down).
pub const MAX_CONNECTIONS: usize = 16;

/// How often the accept loop looks for new connections, and how long a
/// held (partitioned) pump waits between checks.
const POLL: Duration = Duration::from_millis(1);

/// A pump blocked in `read` wakes up this often to check for stop/cut, in
/// case `shutdown(Read)` did not wake it.
const READ_WAKEUP: Duration = Duration::from_millis(50);

/// The two directions of a proxied connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Bytes the replica sends toward the master (PSYNC, REPLCONF ACK).
    ToMaster,
    /// Bytes the master sends toward the replica (replies, the stream).
    ToReplica,
}

/// Per-direction fault flags, shared with the pumps.
#[derive(Debug, Default)]
struct Faults {
    hold_to_master: AtomicBool,
    hold_to_replica: AtomicBool,
    reset_to_master: AtomicBool,
    reset_to_replica: AtomicBool,
}

impl Faults {
    fn hold(&self, d: Direction) -> &AtomicBool {
        match d {
            Direction::ToMaster => &self.hold_to_master,
            Direction::ToReplica => &self.hold_to_replica,
        }
    }

    fn reset(&self, d: Direction) -> &AtomicBool {
        match d {
            Direction::ToMaster => &self.reset_to_master,
            Direction::ToReplica => &self.reset_to_replica,
        }
    }
}

/// One forwarded connection: both sockets (for resets) and its two pumps.
struct Conn {
    replica_side: TcpStream,
    master_side: TcpStream,
    /// Set by either pump when it stops; the other one then stops too.
    dead: Arc<AtomicBool>,
    pumps: Vec<JoinHandle<()>>,
}

impl Conn {
    /// Resets both sockets: `SO_LINGER 0` makes the final close send RST;
    /// `shutdown(Read)` wakes the pumps blocked in `read`, which then drop
    /// their handles (the last close is the reset).
    fn reset(mut self) {
        self.dead.store(true, Ordering::SeqCst);
        for s in [&self.replica_side, &self.master_side] {
            set_linger_zero(s);
            let _ = s.shutdown(Shutdown::Read);
        }
        for p in self.pumps.drain(..) {
            let _ = p.join();
        }
    }

    fn finished(&self) -> bool {
        self.pumps.iter().all(JoinHandle::is_finished)
    }
}

/// State shared by the control side and the accept thread.
struct Shared {
    /// `None` while cut (not listening: connects are refused).
    listener: Option<TcpListener>,
    conns: Vec<Conn>,
}

/// A controllable proxy on `127.0.0.1:<port>` toward `127.0.0.1:<upstream>`.
pub struct Proxy {
    pub port: u16,
    /// The master's real port (settable: a scenario's replicas are started
    /// before or after their masters).
    upstream: Arc<AtomicU16>,
    shared: Arc<Mutex<Shared>>,
    faults: Arc<Faults>,
    stop: Arc<AtomicBool>,
    accept_thread: Option<JoinHandle<()>>,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // A pump never holds the lock, so poisoning only follows a bug here.
    shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Proxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream`
    /// (0: not known yet; connections are then reset).
    pub fn start(upstream: u16) -> io::Result<Proxy> {
        let upstream = Arc::new(AtomicU16::new(upstream));
        let listener = bind_outside_ephemeral_range()?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Mutex::new(Shared { listener: Some(listener), conns: Vec::new() }));
        let faults = Arc::new(Faults::default());
        let stop = Arc::new(AtomicBool::new(false));
        let accept_thread = {
            let (shared, faults, stop, upstream) = (shared.clone(), faults.clone(), stop.clone(), upstream.clone());
            std::thread::Builder::new()
                .name(format!("proxy-{port}"))
                .spawn(move || accept_loop(&shared, &faults, &stop, &upstream))?
        };
        Ok(Proxy { port, upstream, shared, faults, stop, accept_thread: Some(accept_thread) })
    }

    /// Where new connections are forwarded.
    pub fn set_upstream(&self, port: u16) {
        self.upstream.store(port, Ordering::SeqCst);
    }

    pub fn upstream(&self) -> u16 {
        self.upstream.load(Ordering::SeqCst)
    }

    /// Resets every connection and refuses new ones until [`Proxy::heal`].
    pub fn cut(&self) {
        let conns = {
            let mut s = lock(&self.shared);
            s.listener = None;
            std::mem::take(&mut s.conns)
        };
        for c in conns {
            c.reset();
        }
    }

    /// Silently holds the bytes of both directions.
    pub fn partition(&self) {
        self.partition_one_way(Direction::ToMaster);
        self.partition_one_way(Direction::ToReplica);
    }

    /// Silently holds the bytes of one direction.
    pub fn partition_one_way(&self, d: Direction) {
        self.faults.hold(d).store(true, Ordering::SeqCst);
    }

    /// One-way cut: the next bytes sent in direction `d` reset their
    /// connection, and new connections are refused (a handshake needs both
    /// directions).
    pub fn reset_on_data(&self, d: Direction) {
        self.faults.reset(d).store(true, Ordering::SeqCst);
        lock(&self.shared).listener = None;
    }

    /// Undoes every fault: listens again (same port) and forwards held bytes.
    pub fn heal(&self) -> io::Result<()> {
        for d in [Direction::ToMaster, Direction::ToReplica] {
            self.faults.hold(d).store(false, Ordering::SeqCst);
            self.faults.reset(d).store(false, Ordering::SeqCst);
        }
        let mut s = lock(&self.shared);
        if s.listener.is_none() {
            // std sets SO_REUSEADDR on Unix listeners, so the port is free
            // again at once; only another process taking it in the meantime
            // makes this fail.
            let listener = TcpListener::bind(("127.0.0.1", self.port))?;
            listener.set_nonblocking(true)?;
            s.listener = Some(listener);
        }
        Ok(())
    }

    /// True while the proxy is not listening (cut).
    pub fn is_refusing(&self) -> bool {
        lock(&self.shared).listener.is_none()
    }

    /// Connections currently forwarded.
    pub fn connections(&self) -> usize {
        lock(&self.shared).conns.len()
    }
}

/// Proxy ports come from this range, below Linux's ephemeral range
/// (32768–60999), which `bind(0)` and outgoing connections use.
const PORT_RANGE: std::ops::Range<u16> = 21000..32000;

/// Where the next proxy port search starts (per process; the pid spreads
/// parallel test processes apart).
static NEXT_PORT: AtomicU16 = AtomicU16::new(0);

/// A listener on a free port of [`PORT_RANGE`]. A cut proxy closes its
/// listener and [`Proxy::heal`] binds the same port again: with a port from
/// the ephemeral range, any `bind(0)` in between (a server or a proxy of a
/// scenario running in parallel) could be given it, and the replica would
/// then reconnect to a stranger (seen: ROLE `handshake` after a cut, and
/// heal failing with "Address already in use").
fn bind_outside_ephemeral_range() -> io::Result<TcpListener> {
    let span = PORT_RANGE.end - PORT_RANGE.start;
    let _ = NEXT_PORT.compare_exchange(
        0,
        (std::process::id() % u32::from(span)) as u16 + 1,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    for _ in 0..span {
        let n = NEXT_PORT.fetch_add(1, Ordering::SeqCst);
        let port = PORT_RANGE.start + n % span;
        if let Ok(l) = TcpListener::bind(("127.0.0.1", port)) {
            return Ok(l);
        }
    }
    TcpListener::bind("127.0.0.1:0")
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.accept_thread.take() {
            let _ = t.join();
        }
        self.cut();
    }
}

fn accept_loop(shared: &Mutex<Shared>, faults: &Arc<Faults>, stop: &AtomicBool, upstream: &AtomicU16) {
    while !stop.load(Ordering::SeqCst) {
        let accepted = {
            let mut s = lock(shared);
            // Forget connections whose pumps both ended (closed normally).
            let (done, live): (Vec<Conn>, Vec<Conn>) =
                std::mem::take(&mut s.conns).into_iter().partition(Conn::finished);
            s.conns = live;
            drop(done);
            match &s.listener {
                Some(l) => l.accept().ok(),
                None => None,
            }
        };
        let Some((replica_side, _)) = accepted else {
            std::thread::sleep(POLL);
            continue;
        };
        let conn = match open(replica_side, faults, upstream.load(Ordering::SeqCst)) {
            Ok(c) => c,
            Err(_) => continue, // the master is down: the replica's socket closes
        };
        let mut s = lock(shared);
        if s.listener.is_none() || s.conns.len() >= MAX_CONNECTIONS {
            drop(s);
            conn.reset(); // cut while we were connecting, or too many
        } else {
            s.conns.push(conn);
        }
    }
}

/// Connects upstream and starts both pumps.
fn open(replica_side: TcpStream, faults: &Arc<Faults>, upstream: u16) -> io::Result<Conn> {
    replica_side.set_nonblocking(false)?;
    let connected = if upstream == 0 {
        Err(io::Error::from(io::ErrorKind::ConnectionRefused))
    } else {
        TcpStream::connect(("127.0.0.1", upstream))
    };
    let master_side = match connected {
        Ok(s) => s,
        Err(e) => {
            // What a replica would see from a crashed master: a reset.
            set_linger_zero(&replica_side);
            return Err(e);
        }
    };
    for s in [&replica_side, &master_side] {
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(READ_WAKEUP))?;
    }
    let dead = Arc::new(AtomicBool::new(false));
    let mut pumps = Vec::new();
    for (from, to, d) in [
        (replica_side.try_clone()?, master_side.try_clone()?, Direction::ToMaster),
        (master_side.try_clone()?, replica_side.try_clone()?, Direction::ToReplica),
    ] {
        let (faults, dead) = (faults.clone(), dead.clone());
        pumps.push(std::thread::spawn(move || pump(from, to, d, &faults, &dead)));
    }
    Ok(Conn { replica_side, master_side, dead, pumps })
}

/// Copies `from` → `to` until either side ends or the connection dies.
///
/// While direction `d` is held it neither reads nor writes (a chunk already
/// read waits), so the sender's kernel buffers fill up as they would behind
/// a silent network.
fn pump(mut from: TcpStream, mut to: TcpStream, d: Direction, faults: &Faults, dead: &AtomicBool) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while faults.hold(d).load(Ordering::SeqCst) && !dead.load(Ordering::SeqCst) {
            std::thread::sleep(POLL);
        }
        if dead.load(Ordering::SeqCst) {
            return;
        }
        let n = match from.read(&mut buf) {
            Ok(0) if dead.load(Ordering::SeqCst) => return, // woken by a reset
            Ok(0) => {
                // An orderly close: pass the FIN on; the other pump ends when
                // the other side closes too.
                let _ = to.shutdown(Shutdown::Write);
                return;
            }
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                ) =>
            {
                continue;
            }
            Err(_) => return reset_both(&from, &to, dead),
        };
        while faults.hold(d).load(Ordering::SeqCst) && !dead.load(Ordering::SeqCst) {
            std::thread::sleep(POLL);
        }
        if dead.load(Ordering::SeqCst) {
            return;
        }
        if faults.reset(d).load(Ordering::SeqCst) {
            return reset_both(&from, &to, dead);
        }
        if to.write_all(&buf[..n]).is_err() {
            return reset_both(&from, &to, dead);
        }
    }
}

/// Tears a connection down with resets on both sides (an error on one side,
/// or a one-way cut). `shutdown(Read)` sends nothing but wakes the other
/// pump; the RSTs go out when the last handles close (the pumps' on return,
/// the accept loop's when it reaps the connection a moment later).
fn reset_both(a: &TcpStream, b: &TcpStream, dead: &AtomicBool) {
    dead.store(true, Ordering::SeqCst);
    for s in [a, b] {
        set_linger_zero(s);
        let _ = s.shutdown(Shutdown::Read);
    }
}

/// `SO_LINGER {on, 0}`: closing the socket then sends RST instead of FIN.
/// (std's `set_linger` is not stable.)
fn set_linger_zero(s: &TcpStream) {
    let linger = libc::linger { l_onoff: 1, l_linger: 0 };
    // SAFETY: a valid fd owned by `s`, a correctly sized `linger` value.
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An echo server on a free port (its thread ends with the process).
    fn echo() -> u16 {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(mut s) = s else { return };
                std::thread::spawn(move || {
                    let mut buf = [0u8; 1024];
                    while let Ok(n) = s.read(&mut buf) {
                        if n == 0 || s.write_all(&buf[..n]).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        port
    }

    fn roundtrip(s: &mut TcpStream, msg: &[u8]) -> io::Result<Vec<u8>> {
        s.write_all(msg)?;
        let mut got = vec![0u8; msg.len()];
        s.read_exact(&mut got)?;
        Ok(got)
    }

    #[test]
    fn forwards_cuts_with_reset_refuses_and_heals() {
        let proxy = Proxy::start(echo()).expect("proxy");
        let mut c = TcpStream::connect(("127.0.0.1", proxy.port)).expect("connect");
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        assert_eq!(roundtrip(&mut c, b"hello").unwrap(), b"hello");
        proxy.cut();
        let mut buf = [0u8; 8];
        let err = c.read(&mut buf).expect_err("the connection was reset");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err}");
        let refused = TcpStream::connect(("127.0.0.1", proxy.port)).expect_err("refused while cut");
        assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
        proxy.heal().expect("heal");
        let mut c = TcpStream::connect(("127.0.0.1", proxy.port)).expect("connect after heal");
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        assert_eq!(roundtrip(&mut c, b"again").unwrap(), b"again");
    }

    #[test]
    fn partition_holds_bytes_and_heal_delivers_them_in_order() {
        let proxy = Proxy::start(echo()).expect("proxy");
        let mut c = TcpStream::connect(("127.0.0.1", proxy.port)).expect("connect");
        assert_eq!(roundtrip(&mut c, b"x").unwrap(), b"x");
        proxy.partition();
        c.write_all(b"held-1 ").unwrap();
        c.write_all(b"held-2").unwrap();
        c.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let mut buf = [0u8; 64];
        assert!(c.read(&mut buf).is_err(), "nothing crosses a partition");
        proxy.heal().expect("heal");
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut got = vec![0u8; 13];
        c.read_exact(&mut got).unwrap();
        assert_eq!(got, b"held-1 held-2");
    }

    #[test]
    fn one_way_cut_resets_on_the_next_bytes() {
        let proxy = Proxy::start(echo()).expect("proxy");
        let mut c = TcpStream::connect(("127.0.0.1", proxy.port)).expect("connect");
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        assert_eq!(roundtrip(&mut c, b"x").unwrap(), b"x");
        proxy.reset_on_data(Direction::ToMaster);
        assert!(TcpStream::connect(("127.0.0.1", proxy.port)).is_err());
        c.write_all(b"y").unwrap();
        let mut buf = [0u8; 8];
        let err = c.read(&mut buf).expect_err("reset");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err}");
    }
}
