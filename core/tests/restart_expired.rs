//! A master restarted from its RDB after some of its keys expired, as Redis
//! 7.0.15 does it (observed on real servers restarted with the same `--dir`,
//! a replica reconnecting on its own, and a raw `PSYNC <old id> <offset>`
//! reading the backlog):
//!
//! - the expired keys are not loaded (`keys expired: 1`), but a `DEL` for
//!   each is fed into the backlog, which exists during the load;
//! - the stored replication ID becomes ID2, the offset grows by the DELs'
//!   bytes (80 → 123 for `SELECT 0` + `DEL s`), the backlog starts at the
//!   stored offset + 1;
//! - the replica continues (`+CONTINUE`, `Sending 43 bytes of backlog
//!   starting from offset 81.`), applies the DELs, and a conditional write
//!   afterwards (`MSETNX`) acts the same on both: they converge.
//!
//! This was DST finding seeds 116161 / 172650: the core used to drop the
//! keys silently, so the replica kept a dead copy and `MSETNX s l s0 m`
//! did nothing on it while it succeeded on the master.

use replscope_core::resp::Frame;
use replscope_core::sim::{CommandResult, Sim};

const START_MS: u64 = 1_767_225_600_000;

fn argv(line: &str) -> Vec<Vec<u8>> {
    line.split(' ').map(|s| s.as_bytes().to_vec()).collect()
}

fn cmd(sim: &mut Sim, node: &str, line: &str) -> Frame {
    match sim.command(node, argv(line)) {
        CommandResult::Reply(f) => f,
        other => panic!("{node} {line}: {other:?}"),
    }
}

fn field(sim: &mut Sim, node: &str, section: &str, name: &str) -> String {
    let Frame::Bulk(text) = cmd(sim, node, &format!("INFO {section}")) else { panic!("INFO is a bulk") };
    let text = String::from_utf8(text.to_vec()).expect("utf8");
    let prefix = format!("{name}:");
    text.lines().find_map(|l| l.strip_prefix(&prefix)).unwrap_or_else(|| panic!("no {name} in {text}")).to_string()
}

fn has_log(sim: &Sim, node: &str, line: &str) -> bool {
    sim.node(node).is_some_and(|n| n.server.log.iter().any(|l| l.text.contains(line)))
}

/// A master A (disk sync, so the test does not wait for the diskless
/// delay) and its replica B from the scenario config, synced.
fn pair() -> Sim {
    let mut sim = Sim::new(7, START_MS);
    let pairs = |p: &[(&str, &str)]| p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    sim.add_node("A", &pairs(&[("port", "6379"), ("repl-diskless-sync", "no")])).expect("A");
    sim.add_node("B", &pairs(&[("port", "6380"), ("replicaof", "A 6379")])).expect("B");
    sim.settle(60_000).expect("settles");
    sim
}

#[test]
fn restarted_master_feeds_del_for_keys_that_expired_while_down() {
    let mut sim = pair();
    let before = field(&mut sim, "A", "replication", "master_repl_offset");
    let old_id = field(&mut sim, "A", "replication", "master_replid");
    assert_eq!(cmd(&mut sim, "A", "SET s z PX 3000"), Frame::ok());
    sim.settle(60_000).expect("settles");
    assert_eq!(cmd(&mut sim, "A", "SAVE"), Frame::ok());
    // SELECT 0 (23 bytes) + SET s z PXAT <13 digits> (57 bytes).
    let saved: u64 = field(&mut sim, "A", "replication", "master_repl_offset").parse().expect("offset");
    assert_eq!(saved, before.parse::<u64>().expect("offset") + 80);
    assert!(sim.crash("A"));
    sim.run_for(4000);
    assert!(sim.restart("A"));

    assert!(has_log(&sim, "A", "Done loading RDB, keys loaded: 0, keys expired: 1."));
    assert_eq!(field(&mut sim, "A", "replication", "master_replid2"), old_id);
    assert_eq!(field(&mut sim, "A", "replication", "second_repl_offset"), (saved + 1).to_string());
    assert_eq!(field(&mut sim, "A", "replication", "master_repl_offset"), (saved + 43).to_string());
    assert_eq!(field(&mut sim, "A", "replication", "repl_backlog_first_byte_offset"), (saved + 1).to_string());
    assert_eq!(field(&mut sim, "A", "replication", "repl_backlog_histlen"), "43");
    let backlog =
        sim.node("A").and_then(|n| n.server.repl.backlog.as_ref()).expect("backlog").copy_range(saved + 1, 43);
    assert_eq!(backlog, b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*2\r\n$3\r\nDEL\r\n$1\r\ns\r\n");

    sim.settle(60_000).expect("settles");
    let line = format!(
        "Partial resynchronization request from B:6380 accepted. Sending 43 bytes of backlog starting from offset {}.",
        saved + 1
    );
    assert!(has_log(&sim, "A", &line), "{:#?}", sim.node("A").map(|n| &n.server.log));
    assert!(has_log(&sim, "B", "Successful partial resynchronization with master."));
    assert_eq!(field(&mut sim, "A", "stats", "sync_partial_ok"), "1");
    assert_eq!(cmd(&mut sim, "B", "DBSIZE"), Frame::Integer(0));

    assert_eq!(cmd(&mut sim, "A", "MSETNX s l s0 m"), Frame::Integer(1));
    sim.settle(60_000).expect("settles");
    for node in ["A", "B"] {
        assert_eq!(cmd(&mut sim, node, "MGET s s0"), Frame::Array(vec![Frame::bulk("l"), Frame::bulk("m")]), "{node}");
    }
    assert_eq!(replscope_core::invariants::replicas_converge(&sim), Ok(()));
}

/// Several dbs: a `SELECT` before each db's DELs, in file order (the core
/// writes keys in lexicographic order; Redis in its hash table's order, so
/// real Redis sent `DEL c` before `DEL b` in the run this mirrors: same
/// bytes count, same offsets). The stream's db stays the last one fed.
#[test]
fn restart_feeds_a_select_per_db_and_keeps_the_last_db_selected() {
    let mut sim = pair();
    for line in [
        "SET a 1 PX 3000",
        "SET keep 1",
        "SELECT 3",
        "SET b 2 PX 3000",
        "SET c 3 PX 3000",
        "SET keep3 x",
        "SELECT 5",
        "SET d 4 PX 3000",
        "SELECT 3",
        "SET late x PX 60000",
        "SELECT 0",
        "SAVE",
    ] {
        assert_eq!(cmd(&mut sim, "A", line), Frame::ok(), "{line}");
    }
    let saved: u64 = field(&mut sim, "A", "replication", "master_repl_offset").parse().expect("offset");
    assert!(sim.crash("A"));
    sim.run_for(3500);
    assert!(sim.restart("A"));
    assert!(has_log(&sim, "A", "Done loading RDB, keys loaded: 3, keys expired: 4."));
    // 149 bytes, as on Redis.
    assert_eq!(field(&mut sim, "A", "replication", "master_repl_offset"), (saved + 149).to_string());
    let backlog =
        sim.node("A").and_then(|n| n.server.repl.backlog.as_ref()).expect("backlog").copy_range(saved + 1, 149);
    assert_eq!(
        String::from_utf8_lossy(&backlog),
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*2\r\n$3\r\nDEL\r\n$1\r\na\r\n\
         *2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$3\r\nDEL\r\n$1\r\nb\r\n*2\r\n$3\r\nDEL\r\n$1\r\nc\r\n\
         *2\r\n$6\r\nSELECT\r\n$1\r\n5\r\n*2\r\n$3\r\nDEL\r\n$1\r\nd\r\n"
    );
    // SET z 1 in db 0 then db 3: both carry a SELECT (100 bytes on Redis).
    assert_eq!(cmd(&mut sim, "A", "SET z 1"), Frame::ok());
    assert_eq!(cmd(&mut sim, "A", "SELECT 3"), Frame::ok());
    assert_eq!(cmd(&mut sim, "A", "SET z 1"), Frame::ok());
    assert_eq!(field(&mut sim, "A", "replication", "master_repl_offset"), (saved + 249).to_string());
    sim.settle(60_000).expect("settles");
    assert_eq!(replscope_core::invariants::replicas_converge(&sim), Ok(()));
}

/// A master that never had a replica saves no replication info: on restart
/// the DELs still advance its offset (0 → 149 on Redis for the same four
/// keys), but its backlog is freed after loading (`repl_backlog_active:0`).
#[test]
fn restart_without_replication_info_counts_the_dels_but_keeps_no_backlog() {
    let mut sim = Sim::new(7, START_MS);
    sim.add_node("A", &[("port".to_string(), "6379".to_string())]).expect("A");
    for line in
        ["SET a 1 PX 3000", "SELECT 3", "SET b 2 PX 3000", "SET c 3 PX 3000", "SELECT 5", "SET d 4 PX 3000", "SAVE"]
    {
        assert_eq!(cmd(&mut sim, "A", line), Frame::ok(), "{line}");
    }
    assert_eq!(field(&mut sim, "A", "replication", "master_repl_offset"), "0");
    assert!(sim.crash("A"));
    sim.run_for(3500);
    assert!(sim.restart("A"));
    assert_eq!(field(&mut sim, "A", "replication", "master_repl_offset"), "149");
    assert_eq!(field(&mut sim, "A", "replication", "repl_backlog_active"), "0");
    assert_eq!(field(&mut sim, "A", "replication", "master_replid2"), "0000000000000000000000000000000000000000");
}
