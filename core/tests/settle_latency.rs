//! `settle` on slow links: heartbeats never stop, and with a one-way
//! latency near the 1 s `REPLCONF ACK` period an ACK is always in flight;
//! with a heartbeat round trip as long as `repl-ping-replica-period` a PING
//! always is. Settle must still end, and a WAIT right after it must still
//! return at once (see `Sim::quiescence`).

use replscope_core::resp::Frame;
use replscope_core::sim::{CommandResult, DEFAULT_START_MS, Sim};

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A → B → C with `latency_ms` on both links, both ways.
fn chain(latency_ms: u64) -> Sim {
    let mut sim = Sim::new(3, DEFAULT_START_MS);
    sim.add_node("A", &[]).unwrap();
    sim.add_node("B", &pairs(&[("port", "6380"), ("replicaof", "A 6379")])).unwrap();
    sim.add_node("C", &pairs(&[("port", "6381"), ("replicaof", "B 6380")])).unwrap();
    sim.set_link("A", "B", Some(latency_ms), None);
    sim.set_link("B", "C", Some(latency_ms), None);
    sim
}

fn get(sim: &mut Sim, node: &str, key: &str) -> CommandResult {
    sim.command(node, argv(&["GET", key]))
}

/// Settles, writes, settles: C has the write, and WAIT replies without the
/// clock moving.
fn settles_and_wait_is_immediate(latency_ms: u64) {
    let mut sim = chain(latency_ms);
    sim.settle(1_000_000).unwrap_or_else(|e| panic!("{latency_ms} ms: first settle: {e}"));
    assert_eq!(sim.command("A", argv(&["SET", "k", "v"])), CommandResult::Reply(Frame::ok()));
    sim.settle(1_000_000).unwrap_or_else(|e| panic!("{latency_ms} ms: second settle: {e}"));
    assert_eq!(get(&mut sim, "C", "k"), CommandResult::Reply(Frame::Bulk(b"v".to_vec())), "{latency_ms} ms");
    let before = sim.now_ms();
    assert_eq!(sim.command("A", argv(&["WAIT", "1", "0"])), CommandResult::Reply(Frame::Integer(1)));
    assert_eq!(sim.now_ms(), before, "{latency_ms} ms: WAIT blocked");
    assert_eq!(sim.quiescence(), None);
}

#[test]
fn settles_on_a_chain_with_800_ms_links() {
    settles_and_wait_is_immediate(800);
}

#[test]
fn settles_on_a_chain_with_1500_ms_links() {
    settles_and_wait_is_immediate(1500);
}

#[test]
fn settles_on_a_chain_with_5000_ms_links() {
    settles_and_wait_is_immediate(5000);
}

#[test]
fn settles_on_a_chain_with_20_s_links() {
    settles_and_wait_is_immediate(20_000);
}

/// With 1.5 s links an ACK is always on its way (sent every second,
/// arriving 1.5 s later): settle looks past it because it repeats what the
/// master already has.
#[test]
fn an_ack_the_master_already_has_is_not_waited_for() {
    let mut sim = chain(1500);
    sim.settle(1_000_000).unwrap();
    assert!(!sim.network().is_idle(), "expected a heartbeat ACK in flight");
    let in_flight = sim.in_flight();
    assert!(in_flight.iter().all(|f| f.to != "C"), "only ACKs toward masters: {in_flight:?}");
    // Not because PINGs are looked past: these paths are fast enough.
    assert!(!sim.pings_outlast_their_period("B"));
    assert!(!sim.pings_outlast_their_period("C"));
}

/// A write on its way is not a heartbeat, whatever the latency.
#[test]
fn a_write_in_flight_is_waited_for() {
    let mut sim = chain(5000);
    sim.settle(1_000_000).unwrap();
    sim.command("A", argv(&["SET", "k", "v"]));
    assert_eq!(sim.quiescence().as_deref(), Some("bytes in flight"));
    sim.run_for(5000);
    // B has it; C does not yet.
    assert!(sim.quiescence().is_some());
    assert_eq!(get(&mut sim, "C", "k"), CommandResult::Reply(Frame::Null));
}

/// On fast links the master's PINGs are waited for like any byte: right
/// after A feeds one, the system is not quiescent until B applied and
/// ACKed it.
#[test]
fn a_ping_is_waited_for_on_fast_links() {
    let mut sim = chain(1);
    sim.settle(1_000_000).unwrap();
    let offset = |sim: &Sim, n: &str| sim.replication_view(n).unwrap().offset;
    let start = offset(&sim, "A");
    while offset(&sim, "A") == start {
        sim.step();
    }
    assert_eq!(offset(&sim, "A"), start + 14, "a PING");
    assert!(sim.quiescence().is_some());
    sim.settle(1_000_000).unwrap();
    assert_eq!(offset(&sim, "C"), start + 14);
    let b = sim.replication_view("A").unwrap();
    assert_eq!(b.replicas[0].acked_offset, start + 14);
}

/// When a PING takes as long to come back acknowledged as the time between
/// two PINGs, a gap made only of PINGs is not waited for: here B's path is
/// 5 s down + up to 1 s to the ACK + 5 s up = 11 s ≥ 10 s.
#[test]
fn pings_are_looked_past_only_when_they_outlast_their_period() {
    let sim = chain(5000);
    assert!(sim.pings_outlast_their_period("B"));
    assert!(sim.pings_outlast_their_period("C"));
    let sim = chain(3000);
    // B: 3 + 1 + 3 = 7 s < 10 s; C: 3 + 3 + 1 + 3 = 10 s.
    assert!(!sim.pings_outlast_their_period("B"));
    assert!(sim.pings_outlast_their_period("C"));
    assert!(!sim.pings_outlast_their_period("A"), "a master has nobody to ACK");
    // A shorter ping period makes fast links "slow".
    let mut sim = Sim::new(3, DEFAULT_START_MS);
    sim.add_node("A", &pairs(&[("repl-ping-replica-period", "1")])).unwrap();
    sim.add_node("B", &pairs(&[("port", "6380"), ("replicaof", "A 6379")])).unwrap();
    assert!(sim.pings_outlast_their_period("B"));
}

/// With a 1 s ping period every round trip outlasts it: settle ends, and
/// WAIT still returns at once (it waits for writes, never for PINGs).
#[test]
fn settles_with_a_one_second_ping_period() {
    let mut sim = Sim::new(3, DEFAULT_START_MS);
    sim.add_node("A", &pairs(&[("repl-ping-replica-period", "1")])).unwrap();
    sim.add_node("B", &pairs(&[("port", "6380"), ("replicaof", "A 6379")])).unwrap();
    sim.set_link("A", "B", Some(700), None);
    sim.settle(1_000_000).unwrap();
    sim.command("A", argv(&["SET", "k", "v"]));
    sim.settle(1_000_000).unwrap();
    let before = sim.now_ms();
    assert_eq!(sim.command("A", argv(&["WAIT", "1", "0"])), CommandResult::Reply(Frame::Integer(1)));
    assert_eq!(sim.now_ms(), before);
}

/// A replica cut off from its master is not waited for, slow link or not.
#[test]
fn a_cut_slow_link_is_not_waited_for() {
    let mut sim = chain(5000);
    sim.settle(1_000_000).unwrap();
    sim.cut("B", "C");
    sim.command("A", argv(&["SET", "k", "v"]));
    sim.settle(1_000_000).unwrap();
    assert_eq!(get(&mut sim, "B", "k"), CommandResult::Reply(Frame::Bulk(b"v".to_vec())));
    assert_eq!(get(&mut sim, "C", "k"), CommandResult::Reply(Frame::Null));
}
