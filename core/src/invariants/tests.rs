//! Each invariant fed a hand-made bad trace or a tampered state: the
//! regression half of "every invariant was shown to catch a bug".

use super::*;
use crate::backlog::ReplicationBacklog;
use crate::events::NodeEventKind;
use crate::keyspace::Value;
use crate::sim::DEFAULT_START_MS;

const ID: &str = "1111111111111111111111111111111111111111";
const ID2: &str = "2222222222222222222222222222222222222222";

fn node_event(node: &str, t_ms: u64, event: NodeEventKind) -> SimEvent {
    SimEvent { t_ms, kind: SimEventKind::Node { node: node.into(), event } }
}

fn master_state(offset: u64, first: Option<u64>) -> PsyncState {
    PsyncState {
        replid: ID.into(),
        replid2: ID2.into(),
        second_repl_offset: 40,
        master_repl_offset: offset,
        backlog_first_byte: first,
    }
}

fn decided(offset: i64, replid: &str, decision: &str) -> SimEvent {
    node_event(
        "A",
        0,
        NodeEventKind::PsyncDecided(Box::new(crate::events::PsyncDecided {
            replica: "B:6380".into(),
            replid: replid.into(),
            offset,
            decision: decision.into(),
            why: String::new(),
            log: Vec::new(),
        })),
    )
}

fn name_of(check: Check) -> Option<&'static str> {
    check.err().map(|v| v.name)
}

#[test]
fn a_skipped_or_repeated_append_is_caught() {
    let mut c = Checker::blank();
    c.assume("B", master_state(100, Some(1)), true, (0, 10));
    let ok = NodeEventKind::StreamApplied { offset: 101, len: 14, cmd: "SET k v".into() };
    assert_eq!(c.observe(&node_event("B", 0, ok)), Ok(()));
    let skip = NodeEventKind::StreamApplied { offset: 116, len: 14, cmd: "SET k v".into() };
    let err = c.observe(&node_event("B", 0, skip)).unwrap_err();
    assert_eq!(err.name, names::NO_SKIPPED_OR_DUPLICATED_BYTES);
    assert!(err.detail.contains("skips 1 bytes"), "{}", err.detail);
    let repeat = NodeEventKind::StreamFed { offset: 110, len: 5, cmd: "ping".into() };
    let err = c.observe(&node_event("B", 0, repeat)).unwrap_err();
    assert!(err.detail.contains("repeats 5 bytes"), "{}", err.detail);
}

#[test]
fn psync_decisions_are_judged_against_the_window() {
    let judge = |offset: i64, replid: &str, decision: &str| {
        let mut c = Checker::blank();
        c.assume("A", master_state(100, Some(50)), false, (0, 10));
        name_of(c.observe(&decided(offset, replid, decision)))
    };
    let partial = Some(names::PARTIAL_RESYNC_ONLY_WHEN_BACKLOG_HAS_EVERY_BYTE);
    let full = Some(names::FULL_RESYNC_ONLY_WHEN_NEEDED);
    // Inside the window [50, 101].
    assert_eq!(judge(50, ID, "continue"), None);
    assert_eq!(judge(101, ID, "continue"), None);
    assert_eq!(judge(60, ID, "full_resync"), full);
    // Outside it.
    assert_eq!(judge(49, ID, "continue"), partial);
    assert_eq!(judge(102, ID, "continue"), partial);
    assert_eq!(judge(102, ID, "full_resync"), None);
    // The old ID only up to second_repl_offset (40), and 40 < 50 is out of the window anyway.
    assert_eq!(judge(40, ID2, "continue"), partial);
    assert_eq!(judge(60, ID2, "continue"), partial);
    // Unknown history, or PSYNC ? -1.
    assert_eq!(judge(60, "?", "continue"), partial);
    assert_eq!(judge(60, "?", "full_resync"), None);
    // IDs compare case-insensitively (they are hex).
    let mut c = Checker::blank();
    c.assume("A", PsyncState { replid: "ABC".into(), ..master_state(100, Some(50)) }, false, (0, 10));
    assert_eq!(name_of(c.observe(&decided(60, "abc", "full_resync"))), full);
    // No backlog: always full.
    let mut c = Checker::blank();
    c.assume("A", master_state(100, None), false, (0, 10));
    assert_eq!(name_of(c.observe(&decided(60, ID, "continue"))), partial);
}

#[test]
fn the_old_id_counts_up_to_second_repl_offset() {
    let state = PsyncState { second_repl_offset: 80, ..master_state(100, Some(50)) };
    assert!(partial_resync_possible(&state, ID2, 80));
    assert!(!partial_resync_possible(&state, ID2, 81));
}

#[test]
fn the_shadow_follows_trims_and_id_shifts() {
    let mut c = Checker::blank();
    c.assume("A", master_state(100, Some(1)), false, (0, 10));
    c.observe(&node_event("A", 0, NodeEventKind::BacklogTrimmed { first_byte_offset: 90, histlen: 11 })).unwrap();
    assert_eq!(
        name_of(c.observe(&decided(60, ID, "continue"))),
        Some(names::PARTIAL_RESYNC_ONLY_WHEN_BACKLOG_HAS_EVERY_BYTE)
    );
    let line =
        format!("Setting secondary replication ID to {ID}, valid up to offset: 101. New replication ID is {ID2}");
    c.observe(&node_event("A", 0, NodeEventKind::Log { line })).unwrap();
    // The old ID is now ID2 up to 101; the new main ID is ID2's text.
    assert_eq!(c.observe(&decided(95, ID, "continue")), Ok(()));
    assert_eq!(c.observe(&decided(95, ID2, "continue")), Ok(()));
}

fn command(node: &str, t_ms: u64, cmd: &[&str]) -> SimEvent {
    SimEvent {
        t_ms,
        kind: SimEventKind::Command { node: node.into(), cmd: cmd.iter().map(|s| s.to_string()).collect() },
    }
}

fn reply(node: &str, t_ms: u64, text: &str) -> SimEvent {
    SimEvent { t_ms, kind: SimEventKind::Reply { node: node.into(), reply: text.into() } }
}

#[test]
fn writes_accepted_without_enough_good_replicas_are_caught() {
    let mut c = Checker::blank();
    c.assume("A", master_state(100, Some(1)), false, (1, 10));
    // A read, and a refused write, are fine.
    c.observe(&command("A", 0, &["GET", "k"])).unwrap();
    c.observe(&reply("A", 0, "(nil)")).unwrap();
    c.observe(&command("A", 0, &["SET", "k", "v"])).unwrap();
    c.observe(&reply("A", 0, "(error) NOREPLICAS Not enough good replicas to write.")).unwrap();
    // An accepted write with no replica is not.
    c.observe(&command("A", 0, &["SET", "k", "v"])).unwrap();
    assert_eq!(name_of(c.observe(&reply("A", 0, "OK"))), Some(names::MIN_REPLICAS_RESPECTED));
    // With a replica online and ACKing it is.
    c.observe(&node_event("A", 1000, NodeEventKind::ReplicaOnline { replica: "B:6380".into(), sync: "full".into() }))
        .unwrap();
    c.observe(&command("A", 2000, &["SET", "k", "v"])).unwrap();
    assert_eq!(c.observe(&reply("A", 2000, "OK")), Ok(()));
    // Its last ACK 30 s ago makes it not good.
    c.observe(&command("A", 31_000, &["MULTI"])).unwrap();
    c.observe(&reply("A", 31_000, "OK")).unwrap();
    c.observe(&command("A", 31_000, &["INCR", "n"])).unwrap();
    c.observe(&reply("A", 31_000, "QUEUED")).unwrap();
    c.observe(&command("A", 31_000, &["EXEC"])).unwrap();
    assert_eq!(name_of(c.observe(&reply("A", 31_000, "1) (integer) 1"))), Some(names::MIN_REPLICAS_RESPECTED));
    // CONFIG SET min-replicas-to-write 0 turns the check off.
    c.observe(&command("A", 31_000, &["CONFIG", "SET", "min-replicas-to-write", "0"])).unwrap();
    c.observe(&reply("A", 31_000, "OK")).unwrap();
    c.observe(&command("A", 31_000, &["SET", "k", "v"])).unwrap();
    assert_eq!(c.observe(&reply("A", 31_000, "OK")), Ok(()));
}

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

/// A master `A` and its replica `B`, in sync after a few writes.
fn synced_pair() -> Sim {
    let mut sim = Sim::new(3, DEFAULT_START_MS);
    sim.add_node("A", &[]).unwrap();
    sim.add_node("B", &[("port".into(), "6380".into()), ("replicaof".into(), "A 6379".into())]).unwrap();
    sim.settle(60_000).unwrap();
    for i in 0..5 {
        sim.command("A", argv(&["SET", &format!("k{i}"), "v"]));
    }
    sim.settle(60_000).unwrap();
    sim
}

#[test]
fn a_settled_pair_holds_every_invariant() {
    let sim = synced_pair();
    assert_eq!(replicas_converge(&sim), Ok(()));
    assert_eq!(stream_bytes_agree(&sim), Ok(()));
}

#[test]
fn a_replica_with_a_different_keyspace_does_not_converge() {
    let mut sim = synced_pair();
    let b = sim.node_mut("B").unwrap();
    b.server.keyspace.db_mut(0).put(b"extra".to_vec(), Value::String(b"x".to_vec()));
    let err = replicas_converge(&sim).unwrap_err();
    assert_eq!(err.name, names::REPLICAS_CONVERGE);
    assert!(err.detail.contains("\"extra\""), "{}", err.detail);
}

#[test]
fn a_replica_with_a_shifted_stream_is_caught() {
    let mut sim = synced_pair();
    let b = sim.node_mut("B").unwrap();
    let backlog = b.server.repl.backlog.as_ref().unwrap();
    let first = backlog.first_byte_offset();
    let mut bytes = backlog.bytes_from(first);
    // Drop one byte in the middle and repeat the last: same length, shifted.
    let mid = bytes.len() / 2;
    bytes.remove(mid);
    bytes.push(*bytes.last().unwrap());
    let mut shifted = ReplicationBacklog::new(backlog.size(), first - 1);
    shifted.append_raw(&bytes);
    b.server.repl.backlog = Some(shifted);
    let err = stream_bytes_agree(&sim).unwrap_err();
    assert_eq!(err.name, names::NO_SKIPPED_OR_DUPLICATED_BYTES);
}

#[test]
fn an_offset_going_back_is_caught_at_the_next_boundary() {
    let mut sim = synced_pair();
    let mut checker = Checker::new(&sim);
    sim.command("A", argv(&["SET", "k", "v"]));
    assert_eq!(checker.after_step(&sim), Ok(()));
    sim.node_mut("A").unwrap().server.repl.master_repl_offset -= 10;
    assert_eq!(name_of(checker.after_step(&sim)), Some(names::OFFSETS_NEVER_DECREASE));
}

#[test]
fn determinism_compares_hashes() {
    assert_eq!(deterministic(5, 5), Ok(()));
    assert_eq!(name_of(deterministic(5, 6)), Some(names::DETERMINISTIC));
}

/// Convergence compares what clients see: a key already expired counts as
/// absent on either side (the master's DEL may still be to come), but a
/// key alive on one side and dead on the other is a divergence.
#[test]
fn convergence_counts_dead_keys_as_absent_and_nothing_more() {
    let now = 10_000;
    let with = |keys: &[(&str, Option<u64>)]| {
        let mut ks = Keyspace::new(16);
        for (key, ttl) in keys {
            ks.db_mut(0).put(key.as_bytes().to_vec(), Value::String(b"v".to_vec()));
            if let Some(when) = ttl {
                ks.db_mut(0).set_expire(key.as_bytes(), *when);
            }
        }
        ks
    };
    let dead = Some(now - 1);
    // Dead on both sides, or dead on one and absent on the other: equal.
    assert_eq!(keyspace_diff(&with(&[("k", dead)]), &with(&[("k", dead)]), now), None);
    assert_eq!(keyspace_diff(&with(&[("k", dead)]), &with(&[]), now), None);
    assert_eq!(keyspace_diff(&with(&[]), &with(&[("k", dead)]), now), None);
    // Alive on one side (no TTL, or a later one), dead or absent on the other.
    for alive in [None, Some(now), Some(now + 5)] {
        let diff = keyspace_diff(&with(&[("k", alive)]), &with(&[("k", dead)]), now);
        assert!(diff.as_deref().is_some_and(|d| d.contains("\"k\"")), "{alive:?}: {diff:?}");
        let diff = keyspace_diff(&with(&[("k", dead)]), &with(&[("k", alive)]), now);
        assert!(diff.as_deref().is_some_and(|d| d.contains("missing")), "{alive:?}: {diff:?}");
        assert!(keyspace_diff(&with(&[]), &with(&[("k", alive)]), now).is_some());
    }
    // Same keys, different expire times.
    let diff = keyspace_diff(&with(&[("k", Some(now + 5))]), &with(&[("k", Some(now + 6))]), now);
    assert!(diff.as_deref().is_some_and(|d| d.contains("expires at")), "{diff:?}");
}
