//! The replica's handshake when its master will not (or cannot) serve a
//! PSYNC, and the master's answers to SYNC. Every log line, byte and retry
//! time below was read from Redis 7.0.15: a real replica against a fake
//! master on a raw python socket (PSYNC answered with `-NOMASTERLINK …`,
//! `-LOADING …`, `-ERR …`; a payload replaced by an error, by junk, cut
//! short or stalled), a real replica of a real master with `requirepass`
//! and no `masterauth`, and a raw-socket replica sending PSYNC and SYNC to a
//! real master and to a real replica whose own master link was down.

use replscope_core::config::Config;
use replscope_core::net::{Action, ConnId};
use replscope_core::node::{ClientId, Node};
use replscope_core::resp::Frame;
use replscope_core::sim::{CommandResult, DEFAULT_START_MS, Sim};

const T0: u64 = DEFAULT_START_MS;

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn log_since(node: &Node, from: usize) -> Vec<String> {
    node.server.log.iter().skip(from).map(|l| l.text.clone()).collect()
}

fn info_field(node: &mut Node, now: u64, field: &str) -> String {
    let Frame::Bulk(text) = node.execute(now, ClientId(9), argv(&["INFO", "replication"])) else { panic!("INFO") };
    let text = String::from_utf8(text).unwrap();
    text.split("\r\n").find_map(|l| l.strip_prefix(&format!("{field}:")).map(str::to_owned)).unwrap_or_default()
}

/// A replica node talking to a fake master we play by hand.
struct FakeMaster {
    node: Node,
    now: u64,
}

impl FakeMaster {
    fn new() -> FakeMaster {
        let mut node = Node::new("R", Config::from_pairs(&[("port", "6380")]).unwrap(), 7, T0);
        let reply = node.execute(T0, ClientId(1), argv(&["REPLICAOF", "M", "6379"]));
        assert_eq!(reply, Frame::ok());
        FakeMaster { node, now: T0 }
    }

    /// The replica's next connect.
    fn expect_connect(&mut self) -> ConnId {
        loop {
            match self.node.poll_action() {
                Some(Action::Connect { conn, .. }) => return conn,
                Some(_) => {}
                None => panic!("no connect"),
            }
        }
    }

    fn sent(&mut self, conn: ConnId) -> Vec<u8> {
        self.node.take_output(conn, usize::MAX)
    }

    /// Connects and plays the master up to the PSYNC, which is returned.
    fn handshake(&mut self) -> ConnId {
        let conn = self.expect_connect();
        self.node.on_connected(self.now, conn);
        assert_eq!(self.sent(conn), b"*1\r\n$4\r\nPING\r\n");
        self.node.on_bytes(self.now, conn, b"+PONG\r\n");
        self.sent(conn);
        self.node.on_bytes(self.now, conn, b"+OK\r\n+OK\r\n");
        let psync = self.sent(conn);
        assert!(psync.starts_with(b"*3\r\n$5\r\nPSYNC\r\n"), "{}", String::from_utf8_lossy(&psync));
        conn
    }

    /// Runs the replica's timers up to `until`.
    fn run_until(&mut self, until: u64) {
        while let Some(t) = self.node.poll_timeout().filter(|&t| t <= until) {
            self.now = t.max(self.now);
            self.node.handle_timeout(self.now);
        }
        self.now = until;
    }

    fn log_from(&self, from: usize) -> Vec<String> {
        log_since(&self.node, from)
    }
}

/// `-NOMASTERLINK` and `-LOADING`: "should be in the future": the link goes
/// back to CONNECT and the next replicationCron, within a second, starts
/// over with a new connection (real: 1.00 s, 1.01 s, 1.00 s apart).
#[test]
fn a_transient_psync_error_retries_at_the_next_cron() {
    for reply in [
        "-NOMASTERLINK Can't SYNC while not connected with my master",
        "-LOADING Redis is loading the dataset in memory",
    ] {
        let mut m = FakeMaster::new();
        let conn = m.handshake();
        let from = m.node.server.log.len();
        m.node.on_bytes(m.now, conn, format!("{reply}\r\n").as_bytes());
        assert_eq!(
            m.log_from(from),
            [format!("Master is currently unable to PSYNC but should be in the future: {reply}")]
        );
        assert_eq!(m.sent(conn), b"", "no SYNC after a transient error");
        assert!(matches!(m.node.poll_action(), Some(Action::Close { conn: c }) if c == conn));
        assert_eq!(info_field(&mut m.node, m.now, "master_link_status"), "down");
        assert_eq!(info_field(&mut m.node, m.now, "master_sync_in_progress"), "0");
        // REPLICAOF on a master synthesized a cached master at offset 0.
        assert_eq!(info_field(&mut m.node, m.now, "slave_repl_offset"), "0");
        assert_eq!(info_field(&mut m.node, m.now, "master_link_down_since_seconds"), "-1", "never connected");
        // Nothing until the next replicationCron.
        assert!(m.node.poll_action().is_none());
        let next = m.node.poll_timeout().unwrap();
        m.run_until(T0 + 1000);
        assert!(next <= T0 + 1000);
        m.expect_connect();
        assert_eq!(m.log_from(from + 1)[..2], ["Connecting to MASTER M:6379", "MASTER <-> REPLICA sync started"]);
    }
}

/// `-ERR`: "Master does not support PSYNC…", then `Retrying with SYNC...`:
/// an inline `SYNC\r\n` on the same connection, and the payload comes
/// without a `+FULLRESYNC` line.
#[test]
fn an_err_reply_to_psync_falls_back_to_sync() {
    let mut m = FakeMaster::new();
    let conn = m.handshake();
    let from = m.node.server.log.len();
    let reply = "-ERR unknown command 'PSYNC', with args beginning with: '?' '-1' ";
    m.node.on_bytes(m.now, conn, format!("{reply}\r\n").as_bytes());
    assert_eq!(
        m.log_from(from),
        [
            format!("Master does not support PSYNC or is in error state (reply: {reply})"),
            "Retrying with SYNC...".into()
        ]
    );
    assert_eq!(m.sent(conn), b"SYNC\r\n");
    assert_eq!(info_field(&mut m.node, m.now, "master_sync_in_progress"), "1");
    // The payload, `$<len>` framed, as a (core) master sends it to SYNC.
    let payload = sync_payload();
    let rdb_len = payload.len() - payload.iter().position(|&b| b == b'\n').unwrap() - 1;
    m.node.on_bytes(m.now, conn, &payload);
    let log = m.log_from(from + 2);
    assert_eq!(log[0], format!("MASTER <-> REPLICA sync: receiving {rdb_len} bytes from master to disk"));
    assert!(log.iter().any(|l| l == "MASTER <-> REPLICA sync: Finished with success"), "{log:?}");
    assert_eq!(info_field(&mut m.node, m.now, "master_link_status"), "up");
    assert_eq!(info_field(&mut m.node, m.now, "master_replid"), "", "no +FULLRESYNC, no replication ID");
    m.sent(conn);
    // A pre-PSYNC master gets no REPLCONF ACK from replicationCron.
    m.run_until(T0 + 3000);
    assert_eq!(m.sent(conn), b"");
}

/// Any other reply: "Unexpected reply to PSYNC from master", then SYNC too.
#[test]
fn an_unexpected_reply_to_psync_falls_back_to_sync() {
    let mut m = FakeMaster::new();
    let conn = m.handshake();
    let from = m.node.server.log.len();
    m.node.on_bytes(m.now, conn, b"-NOAUTH Authentication required.\r\n");
    assert_eq!(
        m.log_from(from),
        ["Unexpected reply to PSYNC from master: -NOAUTH Authentication required.", "Retrying with SYNC..."]
    );
    assert_eq!(m.sent(conn), b"SYNC\r\n");
}

/// The transfer's own failures reconnect at once (`cancelReplicationHandshake(1)`):
/// an error instead of the payload, junk, the connection lost, a stall.
#[test]
fn transfer_failures_reconnect_at_once() {
    type Fail = fn(&mut FakeMaster, ConnId);
    let cases: [(Fail, &str); 4] = [
        (
            |m, c| m.node.on_bytes(m.now, c, b"-ERR something broke\r\n"),
            "MASTER aborted replication with an error: ERR something broke",
        ),
        (
            |m, c| m.node.on_bytes(m.now, c, b"junk\r\n"),
            "Bad protocol from MASTER, the first byte is not '$' (we received 'junk'), are you sure the host and port are right?",
        ),
        (
            |m, c| {
                m.node.on_bytes(m.now, c, b"$1000\r\nREDIS0010");
                m.node.on_closed(m.now, c);
            },
            "I/O error trying to sync with MASTER: connection lost",
        ),
        (
            |m, c| {
                m.node.on_bytes(m.now, c, b"$1000\r\nREDIS0010");
                m.run_until(m.now + 62_000);
            },
            "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.",
        ),
    ];
    for (fail, line) in cases {
        let mut m = FakeMaster::new();
        let conn = m.handshake();
        m.node.on_bytes(m.now, conn, b"+FULLRESYNC 1111111111111111111111111111111111111111 0\r\n");
        let from = m.node.server.log.len();
        fail(&mut m, conn);
        let log = m.log_from(from);
        let at = log.iter().position(|l| l == line).unwrap_or_else(|| panic!("no {line:?} in {log:?}"));
        assert_eq!(
            log[at + 1..at + 3],
            ["Reconnecting to MASTER M:6379 after failure", "MASTER <-> REPLICA sync started"]
        );
        let connects =
            std::iter::from_fn(|| m.node.poll_action()).filter(|a| matches!(a, Action::Connect { .. })).count();
        assert_eq!(connects, 1, "{line}: one new connect, at once");
    }
}

/// A silent master: the handshake times out after repl-timeout and the
/// replica reconnects at once.
#[test]
fn a_handshake_timeout_reconnects_at_once() {
    let mut m = FakeMaster::new();
    let conn = m.expect_connect();
    m.node.on_connected(m.now, conn);
    let from = m.node.server.log.len();
    m.run_until(T0 + 62_000);
    let log = m.log_from(from);
    let at = log.iter().position(|l| l == "Timeout connecting to the MASTER...").expect("timeout");
    assert_eq!(log[at + 1], "Reconnecting to MASTER M:6379 after failure");
}

/// A real master with `requirepass` and a replica without `masterauth`:
/// PSYNC and SYNC both get `-NOAUTH`, and the replica reconnects at once,
/// over and over (real: about 9700 attempts in 2.6 s on loopback).
#[test]
fn a_replica_without_masterauth_loops_through_sync() {
    let mut sim = Sim::new(3, T0);
    sim.add_node("A", &pairs(&[("requirepass", "secret")])).unwrap();
    sim.add_node("B", &pairs(&[("port", "6380"), ("replicaof", "A 6379")])).unwrap();
    sim.run_for(100);
    let log: Vec<String> = log_since(sim.node("B").unwrap(), 0);
    let first = log.iter().position(|l| l.starts_with("Unexpected reply to PSYNC")).expect("PSYNC refused");
    assert_eq!(
        log[first..first + 5],
        [
            "Unexpected reply to PSYNC from master: -NOAUTH Authentication required.",
            "Retrying with SYNC...",
            "MASTER aborted replication with an error: NOAUTH Authentication required.",
            "Reconnecting to MASTER A:6379 after failure",
            "MASTER <-> REPLICA sync started",
        ]
    );
    let attempts = log.iter().filter(|l| l.starts_with("Reconnecting to MASTER A:6379 after failure")).count();
    assert!(attempts >= 5, "a tight loop, not one try a second: {attempts} in 100 ms");
    assert_eq!(sim.node("A").unwrap().server.stats.sync_full, 0);
    // Never synced, nothing cached: INFO shows offset 1 (as real B did).
    let now = sim.now_ms();
    assert_eq!(info_field(sim.node_mut("B").unwrap(), now, "slave_repl_offset"), "1");
    assert_eq!(info_field(sim.node_mut("B").unwrap(), now, "slave_read_repl_offset"), "1");
    // With masterauth it syncs.
    sim.command("B", argv(&["CONFIG", "SET", "masterauth", "secret"]));
    sim.settle(60_000).unwrap();
}

/// A sub-replica C of B, whose own link to A is down, reconnecting to B:
/// B answers `-NOMASTERLINK` (to PSYNC and SYNC alike, before logging
/// "asks for synchronization"), C retries every second, and syncs once
/// A and B are together again.
#[test]
fn a_sub_replica_cannot_sync_from_a_replica_whose_link_is_down() {
    let mut sim = Sim::new(3, T0);
    sim.add_node("A", &[]).unwrap();
    sim.add_node("B", &pairs(&[("port", "6380"), ("replicaof", "A 6379")])).unwrap();
    sim.add_node("C", &pairs(&[("port", "6381"), ("replicaof", "B 6380")])).unwrap();
    sim.settle(60_000).unwrap();
    sim.cut("A", "B");
    sim.cut("B", "C");
    sim.heal("B", "C");
    let c_from = sim.node("C").unwrap().server.log.len();
    let b_from = sim.node("B").unwrap().server.log.len();
    sim.run_for(4000);
    let c_log = log_since(sim.node("C").unwrap(), c_from);
    let refused = "Master is currently unable to PSYNC but should be in the future: -NOMASTERLINK Can't SYNC while not connected with my master";
    assert!(c_log.iter().filter(|l| *l == refused).count() >= 3, "{c_log:#?}");
    assert!(
        c_log.iter().any(|l| l.starts_with("Trying a partial resynchronization (request ")),
        "C asks with its cached master"
    );
    let b_log = log_since(sim.node("B").unwrap(), b_from);
    assert!(!b_log.iter().any(|l| l.contains("asks for synchronization")), "{b_log:#?}");
    for f in [("master_link_status", "down"), ("master_sync_in_progress", "0")] {
        let now = sim.now_ms();
        assert_eq!(info_field(sim.node_mut("C").unwrap(), now, f.0), f.1);
    }
    assert_eq!(sim.node("B").unwrap().server.stats.sync_partial_err, 0);
    sim.heal("A", "B");
    sim.settle(60_000).unwrap();
    assert_eq!(sim.command("C", argv(&["PING"])), CommandResult::Reply(Frame::Simple("PONG".into())));
    assert_eq!(sim.replication_view("C").unwrap().offset, sim.replication_view("A").unwrap().offset);
}

/// What a disk-syncing master sends a `SYNC` client, keepalives dropped.
fn sync_payload() -> Vec<u8> {
    let mut master = Node::new("A", Config::from_pairs(&[("repl-diskless-sync", "no")]).unwrap(), 7, T0);
    let conn = master.on_accept(T0, replscope_core::net::Addr::new("X", 40001));
    master.on_bytes(T0, conn, b"SYNC\r\n");
    let mut out = Vec::new();
    while !out.starts_with(b"$") {
        let now = master.poll_timeout().unwrap();
        master.handle_timeout(now);
        out.extend(master.take_output(conn, usize::MAX));
        while out.first() == Some(&b'\n') {
            out.remove(0);
        }
    }
    assert_eq!(master.server.stats.sync_full, 1);
    out
}

/// The master's side: SYNC gets the payload with no `+FULLRESYNC` line
/// (disk `$<len>` without `capa eof`), PSYNC takes extra words, SYNC none.
#[test]
fn a_master_answers_sync_with_the_payload_alone() {
    let out = sync_payload();
    assert!(out.starts_with(b"$"), "{}", String::from_utf8_lossy(&out[..out.len().min(40)]));
    let mut master = Node::new("A", Config::default(), 7, T0);
    let conn = master.on_accept(T0, replscope_core::net::Addr::new("X", 40001));
    master.on_bytes(T0, conn, b"SYNC x\r\n");
    assert_eq!(master.take_output(conn, usize::MAX), b"-ERR wrong number of arguments for 'sync' command\r\n");
    master.on_bytes(T0, conn, b"PSYNC ? -1 x\r\n");
    let out = master.take_output(conn, usize::MAX);
    assert!(out.starts_with(b"+FULLRESYNC "), "{}", String::from_utf8_lossy(&out));
}
