//! The real side: a `redis-server` child process on 127.0.0.1 and a raw
//! replica connection that records every byte the master propagates.
//!
//! Each [`RealRedis`] owns a fresh process on a free port with its own
//! temporary directory; dropping it kills that one child by its handle (never
//! by name) and removes the directory.

use std::fs;
use std::io;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use replscope_core::resp::Frame;

use crate::client::{Client, READ_TIMEOUT};

/// Configuration both sides start with. The real server gets it on its
/// command line; [`crate::core_side::CoreSide`] mirrors it into the core's
/// `Config` so `CONFIG GET` answers alike. Each deviation from Redis's
/// defaults is there for the harness:
pub const HARNESS_CONFIG: &[(&str, &str)] = &[
    // No persistence: nothing to write, nothing to load between cases.
    ("save", ""),
    ("appendonly", "no"),
    // Diskless full sync with no delay: the handshake takes ~5 ms instead of
    // the ~100 ms a disk-based BGSAVE needs to be noticed by serverCron.
    // The stream bytes after the snapshot are the same either way.
    ("repl-diskless-sync", "yes"),
    ("repl-diskless-sync-delay", "0"),
    // The master feeds `PING` (14 bytes) into the stream on replicationCron
    // runs (one per second) whose count is a multiple of
    // `repl-ping-replica-period`: run 0, then INT_MAX seconds later. The
    // harness attaches its replica only after run 0 (see
    // `wait_for_first_cron`), so no ping ever enters the stream. If one did,
    // it would show up as a mismatch: the harness strips nothing.
    ("repl-ping-replica-period", "2147483647"),
];

/// Where to find the server: `$REDIS_SERVER`, else `redis-server` on PATH.
pub fn redis_server_binary() -> String {
    std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into())
}

/// How many ports [`RealRedisBuilder::start`] tries before giving up: each
/// attempt fails only if another process took the port in the instant
/// between our probe and the server's bind.
const START_ATTEMPTS: usize = 5;

/// What redis-server logs when its `bind()` fails because the port is taken.
const PORT_IN_USE_LOG: &str = "Address already in use";

/// A server still booting answers nothing (or `-LOADING` while it reads a
/// preloaded `dump.rdb`); give up after this long.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// How long one readiness probe waits for an answer: a booting server
/// answers at once (`-LOADING` if it is busy), so silence means something
/// else holds the port.
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// How to start a [`RealRedis`]: [`HARNESS_CONFIG`] plus per-test settings.
///
/// Tests that need more than the conformance setup (a small backlog, disk
/// based full syncs, an RDB file to load at boot) say so here instead of
/// launching their own server.
#[derive(Clone, Debug, Default)]
pub struct RealRedisBuilder {
    /// `--name value` pairs; one with a name in [`HARNESS_CONFIG`] replaces
    /// that entry, so every option appears once on the command line.
    config: Vec<(String, String)>,
    /// Written to `<dir>/<dbfilename>` before the server starts, so it
    /// loads this snapshot at boot.
    dump_rdb: Option<Vec<u8>>,
    /// Leave [`HARNESS_CONFIG`] out: Redis's defaults plus `config` only
    /// (the replication scenarios, which say everything they need).
    bare: bool,
}

impl RealRedisBuilder {
    /// Sets `--name value` (e.g. `config("repl-backlog-size", "16kb")`).
    pub fn config(mut self, name: &str, value: &str) -> RealRedisBuilder {
        self.config.retain(|(n, _)| n != name);
        self.config.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Preloads `bytes` as the server's `dump.rdb`.
    pub fn dump_rdb(mut self, bytes: &[u8]) -> RealRedisBuilder {
        self.dump_rdb = Some(bytes.to_vec());
        self
    }

    /// Starts from Redis's own defaults instead of [`HARNESS_CONFIG`].
    pub fn bare(mut self) -> RealRedisBuilder {
        self.bare = true;
        self
    }

    /// The whole configuration: [`HARNESS_CONFIG`] (unless [`Self::bare`])
    /// with this builder's settings replacing or following it.
    fn effective_config(&self) -> Vec<(String, String)> {
        let harness: &[(&str, &str)] = if self.bare { &[] } else { HARNESS_CONFIG };
        let mut all: Vec<(String, String)> = harness
            .iter()
            .filter(|(name, _)| !self.config.iter().any(|(n, _)| n == name))
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        all.extend(self.config.iter().cloned());
        all
    }

    /// Starts the server, waits until it answers PING and its first
    /// `serverCron` has run, and turns active expiry off (`DEBUG
    /// SET-ACTIVE-EXPIRE 0`): the core expires keys only when a command
    /// touches them, and real Redis's background cycle would otherwise delete
    /// a key (and propagate `DEL`) at a random moment.
    ///
    /// The free port we probe can be taken by another process before the
    /// server binds it; then the server logs "Address already in use" and
    /// exits, and we try again on a new port. Any other failure (a missing
    /// binary above all) is returned at once: tests `expect` it, so they
    /// fail rather than skip.
    pub fn start(&self) -> io::Result<RealRedis> {
        self.start_on_ports(free_port)
    }

    /// [`RealRedisBuilder::start`] with the ports to try given by `next_port`.
    fn start_on_ports(&self, mut next_port: impl FnMut() -> io::Result<u16>) -> io::Result<RealRedis> {
        let mut attempt = 1;
        loop {
            match self.try_start(next_port()?) {
                Err(e) if e.kind() == io::ErrorKind::AddrInUse && attempt < START_ATTEMPTS => attempt += 1,
                result => return result,
            }
        }
    }

    fn try_start(&self, port: u16) -> io::Result<RealRedis> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "replscope-conformance-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let config = self.effective_config();
        let dbfilename =
            config.iter().rev().find(|(n, _)| n == "dbfilename").map_or("dump.rdb".to_owned(), |(_, v)| v.clone());
        fs::create_dir_all(&dir)?;
        // From here on the directory (and later the child) is cleaned up by
        // `Process`'s drop, whichever way this function returns.
        let mut process = Process { child: None, dir };
        if let Some(bytes) = &self.dump_rdb {
            fs::write(process.dir.join(&dbfilename), bytes)?;
        }
        let control = process.spawn(&config, port)?;
        let mut server = RealRedis { process, port, dbfilename, control, builder: self.clone() };
        server.after_boot()?;
        Ok(server)
    }
}

/// The child process and its private directory; dropping it kills our own
/// child by its handle (never by name) and removes the directory.
struct Process {
    /// `None` only while the directory is prepared, before the spawn.
    child: Option<Child>,
    dir: PathBuf,
}

impl Process {
    fn log_path(&self) -> PathBuf {
        self.dir.join("redis.log")
    }

    fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Spawns `redis-server` in this directory (appending to its log) and
    /// waits until it answers; the answering connection is returned.
    fn spawn(&mut self, config: &[(String, String)], port: u16) -> io::Result<Client> {
        let log = fs::OpenOptions::new().create(true).append(true).open(self.log_path())?;
        let binary = redis_server_binary();
        let mut cmd = Command::new(&binary);
        cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--daemonize", "no"]);
        cmd.arg("--dir").arg(&self.dir);
        cmd.args(["--enable-debug-command", "yes"]);
        for (name, value) in config {
            cmd.arg(format!("--{name}")).arg(value);
        }
        cmd.stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log);
        let child = cmd.spawn().map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("`{binary}` not found: install redis-server 7.0 (apt-get install redis-server) or set REDIS_SERVER"),
                )
            } else {
                e
            }
        })?;
        self.child = Some(child);
        self.wait_until_ready(port)
    }

    /// Polls until the server on `port` answers PING and is our child.
    ///
    /// If the child exits first, its log says why; "Address already in use"
    /// becomes [`io::ErrorKind::AddrInUse`] so the caller retries on another
    /// port. The PID check guards the other side of the same race: if some
    /// other redis-server took the port, it would answer our PING while our
    /// child is about to fail.
    fn wait_until_ready(&mut self, port: u16) -> io::Result<Client> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            let child = self.child.as_mut().ok_or_else(|| io::Error::other("redis-server not spawned"))?;
            let pid = child.id();
            if let Some(status) = child.try_wait()? {
                let log = self.log();
                let kind = if log.contains(PORT_IN_USE_LOG) { io::ErrorKind::AddrInUse } else { io::ErrorKind::Other };
                return Err(io::Error::new(
                    kind,
                    format!("redis-server on port {port} exited at startup ({status}):\n{log}"),
                ));
            }
            let attempt = Client::connect(port).and_then(|mut c| {
                // Whatever holds the port may accept and never answer.
                c.set_read_timeout(PROBE_TIMEOUT)?;
                let pong = c.query(&["PING"])?;
                // A replica with `replica-serve-stale-data no` refuses PING
                // until it has synced: that answer means "up" too.
                let stale = matches!(&pong, Frame::Error(e) if e.starts_with("MASTERDOWN"));
                if pong != Frame::Simple("PONG".into()) && !stale {
                    // LOADING or similar: not ready yet.
                    return Err(io::Error::other(format!("PING answered {pong:?}")));
                }
                let Frame::Bulk(info) = c.query(&["INFO", "server"])? else {
                    return Err(io::Error::other("INFO server did not return a bulk string"));
                };
                let ours = String::from_utf8_lossy(&info).lines().any(|l| l == format!("process_id:{pid}"));
                if !ours {
                    return Err(io::Error::other(format!("another server answers on port {port}")));
                }
                c.set_read_timeout(READ_TIMEOUT)?;
                Ok(c)
            });
            match attempt {
                Ok(c) => return Ok(c),
                Err(e) if Instant::now() > deadline => {
                    return Err(io::Error::other(format!(
                        "redis-server on port {port} not ready after {READY_TIMEOUT:?}: {e}\n{}",
                        self.log()
                    )));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A running `redis-server` child.
pub struct RealRedis {
    process: Process,
    pub port: u16,
    /// The snapshot file `SAVE` writes, inside the server's directory.
    dbfilename: String,
    /// Housekeeping connection (TIME, INFO, SAVE): never used for case
    /// commands, so it cannot change a case's selected db or transaction
    /// state.
    control: Client,
    /// How it was started, for [`RealRedis::restart`].
    builder: RealRedisBuilder,
}

impl RealRedis {
    /// A server with exactly [`HARNESS_CONFIG`]; see [`RealRedisBuilder::start`].
    pub fn start() -> io::Result<RealRedis> {
        RealRedis::builder().start()
    }

    /// A builder for a server with extra settings or a preloaded snapshot.
    pub fn builder() -> RealRedisBuilder {
        RealRedisBuilder::default()
    }

    /// After every boot: the first cron (see [`Self::wait_for_first_cron`])
    /// and active expiry off (see [`RealRedisBuilder::start`]).
    fn after_boot(&mut self) -> io::Result<()> {
        self.wait_for_first_cron()?;
        let reply = self.control.query(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"])?;
        if reply != Frame::ok() {
            return Err(io::Error::other(format!("DEBUG SET-ACTIVE-EXPIRE 0 failed: {reply:?}")));
        }
        Ok(())
    }

    /// Kills the server with SIGKILL (a crash: no shutdown, no final save;
    /// its sockets close at once). Its directory, `dump.rdb` included, stays
    /// for [`RealRedis::restart`].
    pub fn crash(&mut self) -> io::Result<()> {
        if let Some(mut child) = self.process.child.take() {
            child.kill()?; // SIGKILL on Unix
            child.wait()?;
        }
        Ok(())
    }

    /// True while the process runs (not crashed, not exited).
    pub fn is_running(&mut self) -> bool {
        self.process.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Starts a crashed server again: same port, same directory (so it
    /// loads its last `dump.rdb`, if any), same configuration.
    pub fn restart(&mut self) -> io::Result<()> {
        if self.is_running() {
            return Err(io::Error::other(format!("redis-server on port {} is still running", self.port)));
        }
        self.process.child = None;
        let config = self.builder.effective_config();
        self.control = self.process.spawn(&config, self.port)?;
        self.after_boot()
    }

    /// The whole text of `INFO <section>` (on the control connection).
    pub fn info(&mut self, section: &str) -> io::Result<String> {
        match self.control.query(&["INFO", section])? {
            Frame::Bulk(text) => Ok(String::from_utf8_lossy(&text).into_owned()),
            other => Err(io::Error::other(format!("INFO {section} answered {other:?}"))),
        }
    }

    /// Any command on the control connection (ROLE, CONFIG GET…).
    pub fn control_query(&mut self, words: &[&str]) -> io::Result<Frame> {
        self.control.query(words)
    }

    /// The server's directory (its `dump.rdb` and `redis.log`).
    pub fn dir(&self) -> &std::path::Path {
        &self.process.dir
    }

    /// Waits until `serverCron` has run once. Its first run also runs
    /// `replicationCron` for the first time, and that first run (loop 0)
    /// pings every attached replica whatever `repl-ping-replica-period` is:
    /// a replica attached before it would get a 14-byte `PING` in its
    /// stream. The first cron also samples the RSS, which INFO shows as
    /// `used_memory_rss:0` until then.
    fn wait_for_first_cron(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.info_field("memory", "used_memory_rss")? == "0" {
            if Instant::now() > deadline {
                return Err(io::Error::other("serverCron never ran (used_memory_rss stays 0)"));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    }

    /// A new client connection.
    pub fn client(&self) -> io::Result<Client> {
        Client::connect(self.port)
    }

    /// The server's clock (`TIME`) in unix milliseconds.
    pub fn time_ms(&mut self) -> io::Result<u64> {
        match self.control.query(&["TIME"])? {
            Frame::Array(parts) => match parts.as_slice() {
                [Frame::Bulk(s), Frame::Bulk(us)] => {
                    let s: u64 = parse_ascii(s)?;
                    let us: u64 = parse_ascii(us)?;
                    Ok(s * 1000 + us / 1000)
                }
                _ => Err(io::Error::other("bad TIME reply")),
            },
            other => Err(io::Error::other(format!("bad TIME reply: {other:?}"))),
        }
    }

    /// One field of `INFO <section>`.
    pub fn info_field(&mut self, section: &str, field: &str) -> io::Result<String> {
        let Frame::Bulk(text) = self.control.query(&["INFO", section])? else {
            return Err(io::Error::other("INFO did not return a bulk string"));
        };
        let text = String::from_utf8_lossy(&text).into_owned();
        let prefix = format!("{field}:");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
            .ok_or_else(|| io::Error::other(format!("INFO {section} has no {field}")))
    }

    /// `master_repl_offset` from `INFO replication`.
    pub fn master_repl_offset(&mut self) -> io::Result<u64> {
        let v = self.info_field("replication", "master_repl_offset")?;
        parse_ascii(v.as_bytes())
    }

    /// Where the server writes its log (useful when a case crashes it).
    pub fn log_path(&self) -> PathBuf {
        self.process.log_path()
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// `SAVE`, then the bytes of the snapshot file it wrote.
    pub fn save(&mut self) -> io::Result<Vec<u8>> {
        let reply = self.control.query(&["SAVE"])?;
        if reply != Frame::ok() {
            return Err(io::Error::other(format!("SAVE failed: {reply:?}")));
        }
        fs::read(self.process.dir.join(&self.dbfilename))
    }
}

/// How long dropping a server waits for a snapshot child to finish.
const SNAPSHOT_GRACE: Duration = Duration::from_secs(2);

/// How long a server may take to exit after `SHUTDOWN` before it is killed.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

impl Drop for RealRedis {
    /// Graceful rather than a bare kill: a server killed outright leaves
    /// its snapshot child (the BGSAVE a disk-based full sync started)
    /// running on its own, orphaned, writing into a directory we are about
    /// to remove. So first let a snapshot in progress finish (the server
    /// then reaps its child), briefly; then `SHUTDOWN NOSAVE NOW`, which
    /// kills a child still running. `NOW` skips waiting for lagging
    /// replicas, which ours always are (they never ACK). If the server does
    /// not exit in time (or already died), the `Process` drop kills it by
    /// its handle.
    fn drop(&mut self) {
        let deadline = Instant::now() + SNAPSHOT_GRACE;
        while Instant::now() < deadline
            && self.info_field("persistence", "rdb_bgsave_in_progress").is_ok_and(|v| v == "1")
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        if self.control.send(&["SHUTDOWN", "NOSAVE", "NOW"]).is_ok() {
            let deadline = Instant::now() + SHUTDOWN_TIMEOUT;
            while let Some(child) = self.process.child.as_mut() {
                match child.try_wait() {
                    Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
                    _ => break,
                }
            }
        }
    }
}

fn parse_ascii<T: std::str::FromStr>(b: &[u8]) -> io::Result<T> {
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| io::Error::other(format!("not a number: {:?}", String::from_utf8_lossy(b))))
}

/// Binds 127.0.0.1:0, notes the port the OS chose, and releases it.
pub fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// What a full resynchronisation handed the replica.
#[derive(Clone, Debug)]
pub struct FullSync {
    /// The replid from `+FULLRESYNC <replid> <offset>`.
    pub replid: String,
    pub offset: u64,
    /// The RDB snapshot, without the `$<len>` or `$EOF:<mark>` framing.
    pub rdb: Vec<u8>,
}

/// A raw replica connection: it performs the handshake a real replica does
/// and then only reads, so every byte it receives is the replication stream.
pub struct ReplicaLink {
    conn: Client,
    /// The master offset of the last stream byte read.
    pub offset: u64,
}

impl ReplicaLink {
    /// `PING`, `REPLCONF listening-port`, `REPLCONF capa eof capa psync2`,
    /// `PSYNC ? -1`, then reads `+FULLRESYNC` and the snapshot in either
    /// framing (disk `$<len>\r\n<rdb>` or diskless `$EOF:<40 chars>\r\n<rdb><40 chars>`).
    pub fn attach(port: u16) -> io::Result<(ReplicaLink, FullSync)> {
        let mut conn = Client::connect(port)?;
        let expect = |got: Frame, want: &str| {
            if got == Frame::Simple(want.to_string().into()) {
                Ok(())
            } else {
                Err(io::Error::other(format!("replica handshake: expected +{want}, got {got:?}")))
            }
        };
        expect(conn.query(&["PING"])?, "PONG")?;
        // The port a real replica would listen on; only ROLE/INFO show it.
        expect(conn.query(&["REPLCONF", "listening-port", "1"])?, "OK")?;
        expect(conn.query(&["REPLCONF", "capa", "eof", "capa", "psync2"])?, "OK")?;
        conn.send(&["PSYNC", "?", "-1"])?;
        let line = conn.read_line()?;
        let line = String::from_utf8_lossy(&line).into_owned();
        let mut parts = line.split(' ');
        let (Some("+FULLRESYNC"), Some(replid), Some(offset)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(io::Error::other(format!("PSYNC ? -1 answered {line:?}")));
        };
        let offset: u64 = parse_ascii(offset.as_bytes())?;
        let replid = replid.to_owned();
        let rdb = read_snapshot(&mut conn)?;
        Ok((ReplicaLink { conn, offset }, FullSync { replid, offset, rdb }))
    }

    /// After a diskless sync Redis 7.0 holds the stream back until the
    /// replica's first `REPLCONF ACK` *after* the master has seen the
    /// snapshot child exit and marked the replica online; an earlier ACK is
    /// ignored (a real replica simply ACKs again a second later). So: wait
    /// for `state=online` in `INFO replication`, then ACK.
    pub fn start_streaming(&mut self, master: &mut RealRedis) -> io::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let slave0 = master.info_field("replication", "slave0").unwrap_or_default();
            if slave0.contains("state=online") {
                break;
            }
            if Instant::now() > deadline {
                return Err(io::Error::other(format!("replica never became online: {slave0:?}")));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        self.conn.send(&["REPLCONF", "ACK", &self.offset.to_string()])
    }

    /// Reads stream bytes until the link has everything up to master offset
    /// `target` (ask the master's `master_repl_offset` first: its reply
    /// means the bytes are already queued for us).
    pub fn read_to(&mut self, target: u64) -> io::Result<Vec<u8>> {
        if target < self.offset {
            return Err(io::Error::other(format!(
                "master offset went backwards: link is at {}, master says {target}",
                self.offset
            )));
        }
        let mut out = Vec::new();
        while self.offset < target {
            let chunk = self.conn.read_some((target - self.offset) as usize)?;
            self.offset += chunk.len() as u64;
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// Bytes already received past `offset` (should be 0 after `read_to`).
    pub fn unread(&self) -> usize {
        self.conn.buffered()
    }

    /// Hands the link to a thread that reads and discards the stream until
    /// the master closes it (when its [`RealRedis`] is dropped), so the
    /// master can send every byte at once and free its replication buffer
    /// blocks, as behind a real replica that keeps up.
    pub fn consume_in_background(mut self) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            loop {
                match self.conn.read_some(usize::MAX) {
                    Ok(_) => {}
                    // The read timeout only means the master had nothing to send.
                    Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
                    Err(_) => return,
                }
            }
        })
    }
}

fn read_snapshot(conn: &mut Client) -> io::Result<Vec<u8>> {
    // A disk-based master sends `\n` keepalives while BGSAVE runs.
    conn.skip_leading(b'\n')?;
    let header = conn.read_line()?;
    if let Some(mark) = header.strip_prefix(b"$EOF:") {
        let mark = mark.to_vec();
        let mut rdb = conn.read_until(&mark)?;
        rdb.truncate(rdb.len() - mark.len());
        Ok(rdb)
    } else if let Some(len) = header.strip_prefix(b"$") {
        let len: usize = parse_ascii(len)?;
        conn.read_exact_bytes(len)
    } else {
        Err(io::Error::other(format!("unexpected snapshot header {:?}", String::from_utf8_lossy(&header))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A port someone else holds: the race `start` must survive.
    fn taken_port() -> (TcpListener, u16) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        (listener, port)
    }

    #[test]
    fn a_taken_port_is_reported_as_addr_in_use() {
        let (_holder, port) = taken_port();
        let err = RealRedis::builder().try_start(port).err().expect("the port is taken");
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse, "{err}");
        assert!(err.to_string().contains(PORT_IN_USE_LOG), "{err}");
    }

    #[test]
    fn start_retries_on_a_new_port_when_its_port_was_taken() {
        let (_holder, taken) = taken_port();
        let mut offered = Vec::new();
        let mut ports = || {
            let port = if offered.is_empty() { taken } else { free_port()? };
            offered.push(port);
            Ok(port)
        };
        let mut server = RealRedis::builder().start_on_ports(&mut ports).expect("second port works");
        assert_eq!(offered.len(), 2);
        assert_eq!(server.port, offered[1]);
        assert_eq!(server.client().and_then(|mut c| c.query(&["PING"])).expect("PING"), Frame::Simple("PONG".into()));
        assert_eq!(server.info_field("server", "tcp_port").expect("INFO"), offered[1].to_string());
    }

    #[test]
    fn start_gives_up_after_a_few_taken_ports() {
        let (_holder, taken) = taken_port();
        let mut tries = 0;
        let err = RealRedis::builder()
            .start_on_ports(|| {
                tries += 1;
                Ok(taken)
            })
            .err()
            .expect("every port is taken");
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
        assert_eq!(tries, START_ATTEMPTS);
    }

    #[test]
    fn builder_settings_replace_harness_ones_and_preload_dump_rdb() {
        let mut first = RealRedis::builder().config("repl-backlog-size", "16kb").start().expect("start");
        let mut c = first.client().expect("connect");
        assert_eq!(c.query(&["SET", "saved", "value"]).expect("SET"), Frame::ok());
        let dump = first.save().expect("SAVE");
        assert!(dump.starts_with(b"REDIS0010"));
        assert_eq!(first.info_field("replication", "repl_backlog_size").expect("INFO"), "16384");
        assert!(first.log().contains("Ready to accept connections"), "{}", first.log());

        let builder = RealRedis::builder().config("repl-diskless-sync", "no").dump_rdb(&dump);
        let config = builder.effective_config();
        assert_eq!(config.iter().filter(|(n, _)| n == "repl-diskless-sync").count(), 1);
        let second = builder.start().expect("start with dump.rdb");
        let mut c = second.client().expect("connect");
        assert_eq!(c.query(&["GET", "saved"]).expect("GET"), Frame::bulk("value"));
        assert_eq!(
            c.query(&["CONFIG", "GET", "repl-diskless-sync"]).expect("CONFIG GET"),
            Frame::bulk_array(["repl-diskless-sync", "no"])
        );
    }
}
