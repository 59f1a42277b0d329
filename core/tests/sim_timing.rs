//! When things happen in a scenario, checked against what real Redis 7.0.15
//! showed for the same steps (conformance/tests/replication_conformance.rs
//! replays these on real servers; the values below were read there and on a
//! hand-run master/replica pair).

use replscope_core::info;
use replscope_core::node::ClientId;
use replscope_core::resp::Frame;
use replscope_core::scenario::{NODE_START_GAP_MS, Runner, Scenario};

fn runner(json: &str) -> Runner {
    Runner::new(&Scenario::from_json(json).expect("scenario parses"))
}

fn run_all(r: &mut Runner) {
    while let Some(step) = r.next_step() {
        step.expect("step runs");
    }
}

fn field(r: &Runner, node: &str, section: &str, name: &str) -> String {
    let sim = r.sim();
    let text = info::render(&sim.node(node).expect("live node").server, sim.now_ms(), &[section]);
    text.split("\r\n").find_map(|l| l.strip_prefix(&format!("{name}:")).map(str::to_owned)).unwrap_or_default()
}

fn role_state(r: &mut Runner, node: &str) -> Frame {
    let now = r.sim().now_ms();
    let n = r.sim_mut().node_mut(node).expect("live node");
    let Frame::Array(items) = n.execute(now, ClientId(999), vec![b"ROLE".to_vec()]) else { panic!("ROLE is an array") };
    items[3].clone()
}

const CHAIN: &str = r#"{"version":1,"nodes":[
    {"name":"A"},
    {"name":"B","config":{"port":"6380","replicaof":"A 6379"}},
    {"name":"C","config":{"port":"6381","replicaof":"B 6380"}}],
  "steps":[{"settle":{}}]}"#;

/// Nodes start one after another, so the first step comes after every
/// node's boot plus one gap.
#[test]
fn nodes_start_one_gap_apart_and_the_first_step_one_gap_later() {
    let r = runner(CHAIN);
    assert_eq!(r.sim().elapsed_ms(), 3 * NODE_START_GAP_MS);
}

// The gap outlasts a default link's latency, so a node's first connect
// finds its master already up.
const _: () = assert!(NODE_START_GAP_MS > replscope_core::network::DEFAULT_LATENCY_MS);

/// Real Redis, chain A → B → C with default settings: B can serve C only
/// after its own sync (about 5 s, A's diskless delay), then waits its own
/// 5 s delay; meanwhile A's 10th replicationCron fed a PING (14 bytes) to
/// B, which B's snapshot for C includes: C shows
/// `repl_backlog_first_byte_offset:15`, `repl_backlog_histlen:0`. With
/// every node's cron at the same instant, the PING would still be on the
/// wire when B forks, and C would show 1/14.
#[test]
fn chain_sub_replica_snapshot_includes_the_masters_first_ping() {
    let mut r = runner(CHAIN);
    run_all(&mut r);
    assert_eq!(field(&r, "C", "replication", "master_repl_offset"), "14");
    assert_eq!(field(&r, "C", "replication", "repl_backlog_first_byte_offset"), "15");
    assert_eq!(field(&r, "C", "replication", "repl_backlog_histlen"), "0");
}

/// A write in step 0 finds the replica attached (real: `master_repl_offset`
/// 50 = SELECT 23 + SET 27 after the first settle).
#[test]
fn a_first_step_write_already_feeds_the_backlog() {
    let mut r = runner(
        r#"{"version":1,"nodes":[{"name":"A","config":{"repl-diskless-sync-delay":"0"}},
        {"name":"B","config":{"port":"6380","replicaof":"A 6379","repl-diskless-sync-delay":"0"}}],
        "steps":[{"node":"A","cmd":["SET","a","1"]},{"settle":{}}]}"#,
    );
    run_all(&mut r);
    assert_eq!(field(&r, "A", "replication", "master_repl_offset"), "50");
    assert_eq!(field(&r, "B", "replication", "slave_repl_offset"), "50");
}

/// After a cut a replica reconnects at once (`Reconnecting to MASTER`) and
/// the refusal takes one round trip: ROLE says `connecting` until then and
/// `connect` after, as real Redis (refused within the same ms on loopback)
/// says right away.
#[test]
fn after_a_cut_the_reconnect_is_refused_one_round_trip_later() {
    let mut r = runner(
        r#"{"version":1,"nodes":[{"name":"A"},{"name":"B","config":{"port":"6380","replicaof":"A 6379"}}],
        "steps":[{"settle":{}},{"cut":["A","B"]}]}"#,
    );
    run_all(&mut r);
    let log = &r.sim().node("B").unwrap().server.log;
    assert!(log.iter().any(|l| l.text.contains("Reconnecting to MASTER A:6379")), "immediate reconnect");
    assert_eq!(role_state(&mut r, "B"), Frame::bulk("connecting"));
    r.sim_mut().run_for(2 * replscope_core::network::DEFAULT_LATENCY_MS);
    assert_eq!(role_state(&mut r, "B"), Frame::bulk("connect"));
    let log = &r.sim().node("B").unwrap().server.log;
    assert!(log.iter().any(|l| l.text == "Error condition on socket for SYNC: Connection refused"));
}
