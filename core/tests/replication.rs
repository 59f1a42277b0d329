//! Replication between simulated nodes, checked against what Redis 7.0.15
//! does (logs, INFO, ROLE and stream bytes observed on real servers; see
//! the module docs of `replscope_core::replication`).

mod replication_wire;

use replication_wire::{Wire, argv};
use replscope_core::node::ClientId;
use replscope_core::resp::Frame;

fn ok() -> Frame {
    Frame::ok()
}

/// A master A and a replica B (REPLICAOF typed at run time), synced.
fn pair(config: &[(&str, &str)]) -> Wire {
    let mut w = Wire::new();
    w.add("A", config);
    w.add("B", config);
    assert_eq!(w.cmd("B", "REPLICAOF A 6379"), ok());
    w.advance(7000);
    w
}

#[test]
fn initial_diskless_full_sync() {
    let mut w = Wire::new();
    w.add("A", &[]);
    w.add("B", &[]);
    w.cmd("A", "SET k v");
    assert_eq!(w.cmd("B", "REPLICAOF A 6379"), ok());
    assert_eq!(w.cmd("B", "REPLICAOF A 6379"), Frame::Simple("OK Already connected to specified master".into()));
    // In the diskless delay the replica waits in the handshake.
    w.advance(500);
    assert_eq!(
        w.cmd("B", "ROLE").to_bytes(),
        b"*5\r\n$5\r\nslave\r\n$1\r\nA\r\n:6379\r\n$9\r\nhandshake\r\n:-1\r\n".to_vec()
    );
    w.advance(6000);
    assert_eq!(w.cmd("B", "GET k"), Frame::bulk("v"));
    assert_eq!(
        w.cmd("B", "ROLE").to_bytes(),
        b"*5\r\n$5\r\nslave\r\n$1\r\nA\r\n:6379\r\n$9\r\nconnected\r\n:0\r\n".to_vec()
    );
    // A fresh master turned replica asks with its own replid: err + full.
    assert_eq!(w.field("A", "sync_full"), "1");
    assert_eq!(w.field("A", "sync_partial_err"), "1");
    for line in [
        "Replica B:6379 asks for synchronization",
        "Partial resynchronization not accepted: Replication ID mismatch",
        "Replication backlog created, my new replication IDs are '",
        "Delay next BGSAVE for diskless SYNC",
        "Starting BGSAVE for SYNC with target: replicas sockets",
        "Diskless rdb transfer, done reading from pipe, 1 replicas still up.",
        "Streamed RDB transfer with replica B:6379 succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming",
        "Synchronization with replica B:6379 succeeded",
    ] {
        assert!(w.has_log("A", line), "A lacks {line:?}: {:#?}", w.logs("A"));
    }
    for line in [
        "Connecting to MASTER A:6379",
        "MASTER <-> REPLICA sync started",
        "Non blocking connect for SYNC fired the event.",
        "Master replied to PING, replication can continue...",
        "Trying a partial resynchronization (request ",
        "Full resync from master: ",
        "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk",
        "MASTER <-> REPLICA sync: Flushing old data",
        "MASTER <-> REPLICA sync: Loading DB in memory",
        "Done loading RDB, keys loaded: 1, keys expired: 0.",
        "MASTER <-> REPLICA sync: Finished with success",
    ] {
        assert!(w.has_log("B", line), "B lacks {line:?}: {:#?}", w.logs("B"));
    }
    // The handshake bytes, exactly (PING; AUTH-less REPLCONFs pipelined; PSYNC; ACKs).
    let sent = String::from_utf8_lossy(&w.delivered[&("B".to_string(), "A".to_string())]).into_owned();
    assert!(
        sent.starts_with(
            "*1\r\n$4\r\nPING\r\n*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$4\r\n6379\r\n\
         *5\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n*3\r\n$5\r\nPSYNC\r\n$40\r\n"
        ),
        "{sent}"
    );
    assert!(sent.contains("*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n"));
    let got = String::from_utf8_lossy(&w.delivered[&("A".to_string(), "B".to_string())]).into_owned();
    // Keepalive newlines every second of the diskless delay, then the answer.
    let rest = got.strip_prefix("+PONG\r\n+OK\r\n+OK\r\n").expect("handshake replies");
    assert!(rest.trim_start_matches('\n').starts_with("+FULLRESYNC "), "{got:?}");
    assert!(rest.starts_with("\n\n\n\n"), "{got:?}");
    assert!(got.contains("\r\n$EOF:"));
}

#[test]
fn disk_based_full_sync_sends_length_prefixed_rdb() {
    let mut w = pair(&[("repl-diskless-sync", "no")]);
    assert!(w.has_log("A", "Starting BGSAVE for SYNC with target: disk"));
    assert!(w.has_log("A", "Background saving terminated with success"));
    assert!(w.has_log("B", "MASTER <-> REPLICA sync: receiving "));
    let got = &w.delivered[&("A".to_string(), "B".to_string())];
    let text = String::from_utf8_lossy(got);
    let after = text.split("+FULLRESYNC ").nth(1).expect("fullresync");
    assert!(after.split("\r\n").nth(1).expect("len").trim_start_matches('\n').starts_with("$"), "{after:?}");
    assert!(w.node("A").rdb_file().is_some(), "a disk-based sync leaves dump.rdb");
    assert!(w.node("B").rdb_file().is_some(), "a replica keeps the RDB it loaded");
    assert_eq!(w.cmd("A", "SET x 1"), ok());
    assert_eq!(w.cmd("B", "GET x"), Frame::bulk("1"));
}

#[test]
fn two_replicas_share_one_diskless_snapshot() {
    let mut w = Wire::new();
    for n in ["A", "B", "C"] {
        w.add(n, &[]);
    }
    w.cmd("B", "REPLICAOF A 6379");
    w.advance(1000);
    w.cmd("C", "REPLICAOF A 6379");
    w.advance(7000);
    let starts = w.logs("A").iter().filter(|l| l.starts_with("Starting BGSAVE for SYNC")).count();
    assert_eq!(starts, 1, "{:#?}", w.logs("A"));
    assert!(w.has_log("A", "Diskless rdb transfer, done reading from pipe, 2 replicas still up."));
    assert_eq!(w.field("A", "connected_slaves"), "2");
    assert_eq!(w.field("A", "sync_full"), "2");
}

#[test]
fn streaming_offsets_are_byte_identical_down_a_chain() {
    let mut w = pair(&[]);
    w.add("C", &[]);
    w.cmd("C", "REPLICAOF B 6379");
    w.advance(7000);
    w.cmd("A", "SET k v");
    w.cmd("A", "SELECT 3");
    w.cmd("A", "INCR n");
    w.cmd("A", "MULTI");
    w.cmd("A", "SET a 1");
    w.cmd("A", "SET b 2");
    w.cmd("A", "EXEC");
    w.advance(1500);
    let a = w.field("A", "master_repl_offset");
    assert_eq!(w.field("B", "master_repl_offset"), a);
    assert_eq!(w.field("C", "master_repl_offset"), a);
    assert_eq!(w.field("B", "slave_repl_offset"), a);
    assert_eq!(w.field("C", "master_replid"), w.field("A", "master_replid"));
    // The backlogs hold the same bytes from the point C joined.
    let from = w.node("C").server.repl.backlog.as_ref().expect("backlog").first_byte_offset();
    let bytes = |w: &mut Wire, n: &str| w.node(n).server.repl.backlog.as_ref().expect("backlog").bytes_from(from);
    let a_bytes = bytes(&mut w, "A");
    assert_eq!(bytes(&mut w, "B"), a_bytes);
    assert_eq!(bytes(&mut w, "C"), a_bytes);
    w.cmd("A", "SELECT 0");
    assert_eq!(w.cmd("C", "SELECT 3"), ok());
    assert_eq!(w.cmd("C", "GET b"), Frame::bulk("2"));
    // Replicas ACK their offset; the master lists them online.
    let info = w.info("A", "replication");
    assert!(info.contains(&format!("slave0:ip=B,port=6379,state=online,offset={a},lag=")), "{info}");
}

#[test]
fn short_cut_continues_with_the_backlog() {
    let mut w = pair(&[]);
    w.cmd("A", "SET k v");
    w.advance(1000);
    let before = w.field("B", "master_repl_offset").parse::<u64>().unwrap();
    w.cut("A", "B");
    assert!(w.has_log("B", "Connection with master lost."));
    assert!(w.has_log("B", "Caching the disconnected master state."));
    assert_eq!(w.cmd("A", "SET k2 v2"), ok());
    w.advance(500);
    assert!(w.has_log("B", "Error condition on socket for SYNC: Connection refused"));
    w.heal("A", "B");
    w.delivered.clear();
    w.advance(1500);
    assert!(w.has_log("B", "Successful partial resynchronization with master."));
    assert!(w.has_log("A", &format!("Partial resynchronization request from B:6379 accepted. Sending 29 bytes of backlog starting from offset {}.", before + 1)), "{:#?}", w.logs("A"));
    let got = String::from_utf8_lossy(&w.delivered[&("A".to_string(), "B".to_string())]).into_owned();
    let replid = w.field("A", "master_replid");
    assert!(got.contains(&format!("+CONTINUE {replid}\r\n*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$2\r\nv2\r\n")), "{got:?}");
    assert_eq!(w.field("A", "sync_partial_ok"), "1");
    assert_eq!(w.cmd("B", "GET k2"), Frame::bulk("v2"));
}

#[test]
fn cut_past_the_backlog_window_means_full_resync() {
    let mut w = pair(&[("repl-backlog-size", "16kb")]);
    w.cut("A", "B");
    let big = "x".repeat(1000);
    for i in 0..40 {
        w.cmd("A", &format!("SET k{i} {big}"));
    }
    w.heal("A", "B");
    w.advance(8000);
    assert!(w.has_log("A", "for lack of backlog (Replica request was:"), "{:#?}", w.logs("A"));
    assert_eq!(w.field("A", "sync_full"), "2");
    assert_eq!(w.field("A", "sync_partial_err"), "2");
    assert_eq!(w.field("B", "master_repl_offset"), w.field("A", "master_repl_offset"));
    assert_eq!(w.cmd("B", "DBSIZE"), Frame::Integer(40));
}

#[test]
fn chain_full_resync_drops_the_sub_replica() {
    let mut w = pair(&[("repl-backlog-size", "16kb")]);
    w.add("C", &[]);
    w.cmd("C", "REPLICAOF B 6379");
    w.advance(7000);
    assert_eq!(w.field("B", "connected_slaves"), "1");
    w.cut("A", "B");
    let big = "x".repeat(1000);
    for i in 0..40 {
        w.cmd("A", &format!("SET k{i} {big}"));
    }
    w.heal("A", "B");
    w.advance(15000);
    assert!(w.has_log("B", "Connection with replica C:6379 lost."), "{:#?}", w.logs("B"));
    assert_eq!(w.field("B", "sync_full"), "2");
    assert_eq!(w.field("C", "master_repl_offset"), w.field("A", "master_repl_offset"));
    assert_eq!(w.cmd("C", "DBSIZE"), Frame::Integer(40));
}

#[test]
fn chain_partial_resync_leaves_the_sub_replica_alone() {
    let mut w = pair(&[]);
    w.add("C", &[]);
    w.cmd("C", "REPLICAOF B 6379");
    w.advance(7000);
    w.cut("A", "B");
    w.cmd("A", "SET x y");
    w.heal("A", "B");
    w.advance(2000);
    assert!(!w.has_log("B", "Connection with replica C:6379 lost."));
    assert_eq!(w.cmd("C", "GET x"), Frame::bulk("y"));
}

#[test]
fn failover_psync2_partial_for_not_ahead_full_for_ahead() {
    let mut w = pair(&[]);
    w.add("C", &[]);
    w.cmd("C", "REPLICAOF A 6379");
    w.advance(7000);
    w.cmd("A", "SET k v");
    w.advance(100);
    let old_id = w.field("A", "master_replid");
    let off = w.field("A", "master_repl_offset").parse::<i64>().unwrap();
    w.crash("A");
    assert_eq!(w.cmd("B", "REPLICAOF NO ONE"), ok());
    assert!(w.has_log(
        "B",
        &format!(
            "Setting secondary replication ID to {old_id}, valid up to offset: {}. New replication ID is ",
            off + 1
        )
    ));
    assert!(w.has_log("B", "MASTER MODE enabled (user request from '"));
    assert_eq!(w.field("B", "master_replid2"), old_id);
    assert_eq!(w.field("B", "second_repl_offset"), (off + 1).to_string());
    assert_eq!(w.cmd("C", "REPLICAOF B 6379"), ok());
    w.advance(1500);
    assert!(
        w.has_log("B", "Partial resynchronization request from C:6379 accepted. Sending 0 bytes"),
        "{:#?}",
        w.logs("B")
    );
    assert_eq!(w.field("C", "master_replid"), w.field("B", "master_replid"));
    assert_eq!(w.cmd("B", "SET after promotion"), ok());
    w.advance(100);
    assert_eq!(w.cmd("C", "GET after"), Frame::bulk("promotion"));
}

#[test]
fn failover_replica_ahead_gets_full_resync() {
    let mut w = pair(&[]);
    w.add("C", &[]);
    w.cmd("C", "REPLICAOF A 6379");
    w.advance(7000);
    w.cut("A", "B");
    w.cmd("A", "SET only c-and-a");
    w.advance(100);
    w.crash("A");
    w.cmd("B", "REPLICAOF NO ONE");
    w.cmd("C", "REPLICAOF B 6379");
    w.advance(8000);
    assert!(
        w.has_log("B", "Partial resynchronization not accepted: Requested offset for second ID was"),
        "{:#?}",
        w.logs("B")
    );
    assert_eq!(w.cmd("C", "GET only"), Frame::Null);
}

#[test]
fn wait_blocks_until_acks_and_feeds_getack() {
    let mut w = pair(&[]);
    w.add("C", &[]);
    w.cmd("C", "REPLICAOF A 6379");
    w.advance(7000);
    assert_eq!(w.cmd("A", "SET k v"), ok());
    let before = w.field("A", "master_repl_offset").parse::<u64>().unwrap();
    // Acks come at the next replicationCron; WAIT asks with GETACK at once.
    let reply = w.cmd_blocking("A", "WAIT 2 5000", 6000);
    assert_eq!(reply, Frame::Integer(2));
    assert_eq!(w.field("A", "master_repl_offset").parse::<u64>().unwrap(), before + 37);
    assert_eq!(w.cmd("A", "WAIT 1 0"), Frame::Integer(2));
    assert_eq!(w.cmd("B", "WAIT 1 0"), Frame::error(replscope_core::commands::replication_cmds::WAIT_ON_REPLICA));
    // Nobody can ack 3: the timeout answers with the count.
    w.cmd("A", "SET k2 v");
    assert_eq!(w.cmd_blocking("A", "WAIT 3 300", 2000), Frame::Integer(2));
}

#[test]
fn min_replicas_and_serve_stale_data() {
    let mut w = Wire::new();
    w.add("A", &[("min-replicas-to-write", "1")]);
    w.add("B", &[("replica-serve-stale-data", "no")]);
    assert_eq!(w.cmd("A", "SET k v"), Frame::error("NOREPLICAS Not enough good replicas to write."));
    w.cmd("B", "REPLICAOF A 6379");
    assert_eq!(
        w.cmd("B", "GET k"),
        Frame::error("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")
    );
    w.advance(8000);
    assert_eq!(w.cmd("A", "SET k v"), ok());
    assert_eq!(w.cmd("B", "GET k"), Frame::bulk("v"));
    assert!(w.info("A", "replication").contains("min_slaves_good_slaves:1"));
}

#[test]
fn restart_from_received_rdb_resyncs_partially() {
    let mut w = pair(&[("repl-diskless-sync", "no")]);
    w.cmd("A", "SET k v");
    w.advance(1000);
    let b = w.crash("B");
    let rdb = b.rdb_file().map(|r| r.to_vec());
    assert!(rdb.is_some());
    w.cmd("A", "SET k2 v2");
    let config = b.server.config.clone();
    let node = replscope_core::node::Node::restart(
        "B",
        config,
        9,
        w.now,
        rdb,
        Some(replscope_core::net::Addr::new("A", 6379)),
    );
    w.nodes.insert("B".into(), node);
    w.advance(2000);
    assert!(w.has_log("B", "Trying a partial resynchronization (request "), "{:#?}", w.logs("B"));
    assert!(w.has_log("B", "Successful partial resynchronization with master."), "{:#?}", w.logs("B"));
    assert_eq!(w.cmd("B", "GET k"), Frame::bulk("v"));
    assert_eq!(w.cmd("B", "GET k2"), Frame::bulk("v2"));
    assert_eq!(w.field("B", "master_repl_offset"), w.field("A", "master_repl_offset"));
}

#[test]
fn info_replication_bytes_on_master_and_replica() {
    let mut w = pair(&[]);
    w.cmd("A", "SET a b");
    w.advance(1000);
    let norm = |s: String, w: &mut Wire| {
        let id = w.field("A", "master_replid");
        s.replace(&id, "<replid>")
    };
    let a = w.info("A", "replication");
    assert_eq!(
        norm(a, &mut w),
        "# Replication\r\nrole:master\r\nconnected_slaves:1\r\nslave0:ip=B,port=6379,state=online,offset=50,lag=0\r\n\
         master_failover_state:no-failover\r\nmaster_replid:<replid>\r\nmaster_replid2:0000000000000000000000000000000000000000\r\n\
         master_repl_offset:50\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\n\
         repl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:50\r\n"
    );
    let b = w.info("B", "replication");
    assert_eq!(
        norm(b, &mut w),
        "# Replication\r\nrole:slave\r\nmaster_host:A\r\nmaster_port:6379\r\nmaster_link_status:up\r\n\
         master_last_io_seconds_ago:1\r\nmaster_sync_in_progress:0\r\nslave_read_repl_offset:50\r\nslave_repl_offset:50\r\n\
         slave_priority:100\r\nslave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\n\
         master_failover_state:no-failover\r\nmaster_replid:<replid>\r\nmaster_replid2:0000000000000000000000000000000000000000\r\n\
         master_repl_offset:50\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\n\
         repl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:50\r\n"
    );
    assert_eq!(
        w.cmd("A", "ROLE").to_bytes(),
        b"*3\r\n$6\r\nmaster\r\n:50\r\n*1\r\n*3\r\n$1\r\nB\r\n$4\r\n6379\r\n$2\r\n50\r\n".to_vec()
    );
    assert_eq!(w.cmd("B", "SET x y"), Frame::error("READONLY You can't write against a read only replica."));
    let _ = argv;
    let _ = ClientId(1);
}

/// The classic loop: a slow link, a snapshot that takes long to cross it,
/// writes meanwhile; the replica's buffer passes the hard limit, the master
/// drops it, it reconnects, full-resyncs again, and again.
#[test]
fn output_buffer_limit_makes_an_endless_full_resync_loop() {
    let mut w = Wire::new();
    let cfg = [
        ("client-output-buffer-limit", "replica 64kb 0 0"),
        ("repl-diskless-sync-delay", "0"),
        ("rdbcompression", "no"),
    ];
    w.add("A", &cfg);
    w.add("B", &[]);
    let big = "x".repeat(2000);
    for i in 0..200 {
        w.cmd("A", &format!("SET k{i} {big}"));
    }
    // About 400 KB of RDB at 50 bytes/ms: 8 s to cross.
    w.set_bandwidth("A", "B", 50);
    w.cmd("B", "REPLICAOF A 6379");
    for i in 0..300 {
        w.advance(100);
        w.cmd("A", &format!("SET w{i} {big}"));
    }
    let closes = w
        .logs("A")
        .iter()
        .filter(|l| l.contains("scheduled to be closed ASAP for overcoming of output buffer limits."))
        .count();
    assert!(closes >= 2, "{:#?}", w.logs("A"));
    assert!(w.field("A", "sync_full").parse::<u64>().unwrap() >= 3);
    assert!(w.has_log("A", "Connection with replica B:6379 lost."));
}

#[test]
fn replica_timeout_and_reconnect_every_second() {
    let mut w = pair(&[("repl-timeout", "5")]);
    w.crash("A");
    assert!(w.has_log("B", "Reconnecting to MASTER A:6379"));
    w.advance(3000);
    let attempts = w.logs("B").iter().filter(|l| l.as_str() == "Connecting to MASTER A:6379").count();
    assert!(attempts >= 3, "{:#?}", w.logs("B"));
    let info = w.info("B", "replication");
    assert!(info.contains("master_link_status:down\r\nmaster_last_io_seconds_ago:-1\r\n"), "{info}");
    assert!(info.contains("master_link_down_since_seconds:3\r\n"), "{info}");
    assert_eq!(
        w.cmd("B", "ROLE").to_bytes(),
        b"*5\r\n$5\r\nslave\r\n$1\r\nA\r\n:6379\r\n$7\r\nconnect\r\n:-1\r\n".to_vec()
    );
}
