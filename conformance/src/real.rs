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

use crate::client::Client;

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

/// A running `redis-server` child.
pub struct RealRedis {
    child: Child,
    pub port: u16,
    dir: PathBuf,
    /// Housekeeping connection (TIME, INFO): never used for case commands,
    /// so it cannot change a case's selected db or transaction state.
    control: Client,
}

impl RealRedis {
    /// Starts a fresh server, waits until it answers PING, and turns active
    /// expiry off (`DEBUG SET-ACTIVE-EXPIRE 0`): the core expires keys only
    /// when a command touches them, and real Redis's background cycle would
    /// otherwise delete a key (and propagate `DEL`) at a random moment.
    ///
    /// Fails loudly if the binary is missing.
    pub fn start() -> io::Result<RealRedis> {
        let mut last_err = None;
        // A free port can be taken by someone else between our probe and the
        // server's bind; retry with another one.
        for _ in 0..5 {
            match RealRedis::try_start() {
                Ok(r) => return Ok(r),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(e),
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(|| io::Error::other("redis-server did not start")))
    }

    fn try_start() -> io::Result<RealRedis> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let port = free_port()?;
        let dir = std::env::temp_dir().join(format!(
            "replscope-conformance-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&dir)?;
        let log = fs::File::create(dir.join("redis.log"))?;
        let binary = redis_server_binary();
        let mut cmd = Command::new(&binary);
        cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--daemonize", "no"]);
        cmd.arg("--dir").arg(&dir);
        cmd.args(["--enable-debug-command", "yes"]);
        for (name, value) in HARNESS_CONFIG {
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
        // From here on, a failure must still kill the child: build the value
        // early with a placeholder connection.
        let mut server = match wait_for_ping(port) {
            Ok(control) => RealRedis { child, port, dir, control },
            Err(e) => {
                let mut child = child;
                let _ = child.kill();
                let _ = child.wait();
                let log = fs::read_to_string(dir.join("redis.log")).unwrap_or_default();
                let _ = fs::remove_dir_all(&dir);
                return Err(io::Error::other(format!("redis-server on port {port} did not answer PING: {e}\n{log}")));
            }
        };
        server.wait_for_first_cron()?;
        let reply = server.control.query(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"])?;
        if reply != Frame::ok() {
            return Err(io::Error::other(format!("DEBUG SET-ACTIVE-EXPIRE 0 failed: {reply:?}")));
        }
        Ok(server)
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
        self.dir.join("redis.log")
    }
}

impl Drop for RealRedis {
    fn drop(&mut self) {
        // Our own child only, by its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
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

fn wait_for_ping(port: u16) -> io::Result<Client> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let attempt = Client::connect(port).and_then(|mut c| {
            let pong = c.query(&["PING"])?;
            if pong == Frame::Simple("PONG".into()) {
                Ok(c)
            } else {
                // LOADING or similar: not ready yet.
                Err(io::Error::other(format!("PING answered {pong:?}")))
            }
        });
        match attempt {
            Ok(c) => return Ok(c),
            Err(e) if Instant::now() > deadline => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
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
            if got == Frame::Simple(want.into()) {
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
