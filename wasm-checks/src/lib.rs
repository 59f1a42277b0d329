//! Checks of replscope-core that only mean something in the browser.
//!
//! - Determinism: every example scenario, run by the core's scenario runner
//!   compiled to wasm, must give the event hash a native run gives. The
//!   native hashes are committed in `fixtures/event_hashes.json`, written
//!   and checked by `core/tests/event_hash_fixture.rs`
//!   (`REPLSCOPE_BLESS=1` rewrites it); `tests/browser.rs` compares the wasm
//!   run with the same file.
//! - Throughput: the `core/benches/sim.rs` cluster workload (a master and
//!   three replicas, every SET applied everywhere), timed in the browser.
//!
//! This library holds what both sides share; it has no browser code.

use std::collections::BTreeMap;

use replscope_core::node::ClientId;
use replscope_core::scenario::{Runner, Scenario};
use replscope_core::sim::{DEFAULT_START_MS, Sim};
use replscope_core::workload::SetWorkload;
use serde::{Deserialize, Serialize};

include!(concat!(env!("OUT_DIR"), "/examples.rs"));

/// The committed native hashes.
pub const FIXTURE: &str = include_str!("../fixtures/event_hashes.json");

/// What one scenario run produced: the FNV-1a hash of its event stream
/// ([`Sim::event_hash`], as 16 hex digits) and how many events there were.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunHash {
    pub hash: String,
    pub events: usize,
}

/// Runs a scenario to its end; a step error fails the run.
pub fn run_scenario(text: &str) -> Result<RunHash, String> {
    let scenario = Scenario::from_json(text).map_err(|e| e.to_string())?;
    let mut runner = Runner::new(&scenario);
    while let Some(result) = runner.next_step() {
        result.map_err(|e| e.to_string())?;
    }
    let sim = runner.sim();
    Ok(RunHash { hash: format!("{:016x}", sim.event_hash()), events: sim.event_count() })
}

/// Parses `fixtures/event_hashes.json`: file name → [`RunHash`].
pub fn parse_fixture(text: &str) -> Result<BTreeMap<String, RunHash>, String> {
    serde_json::from_str(text).map_err(|e| format!("fixtures/event_hashes.json: {e}"))
}

// ----- the cluster write workload ------------------------------------------

/// The replicas of [`cluster`].
pub const REPLICAS: [&str; 3] = ["B", "C", "D"];
/// Writes issued before the clock moves on.
pub const BATCH: usize = 1_000;
/// Distinct keys the writes rotate over.
pub const KEYS: usize = 10_000;
/// SETs per `client_bytes` call in the pipelined variant.
pub const PIPELINE: usize = 16;
/// The client the pipelined variant uses on the master.
pub const PIPE_CLIENT: ClientId = ClientId(1_000);

/// Master A and replicas B, C, D, fully synced.
pub fn cluster() -> Sim {
    let mut sim = Sim::new(1, DEFAULT_START_MS);
    sim.add_node("A", &[]).expect("master");
    for (i, name) in REPLICAS.iter().enumerate() {
        let pairs = [("replicaof".to_string(), "A 6379".to_string()), ("port".to_string(), (6380 + i).to_string())];
        sim.add_node(name, &pairs).expect("replica");
    }
    sim.settle(60_000).expect("initial sync settles");
    sim
}

/// Value size of the writes.
pub const VALUE_SIZE: usize = 16;
/// The writes: core's shared workload shape (individual SETs), the one the
/// benchmarks and the playground send too.
pub const WRITES: SetWorkload = SetWorkload::sequential(KEYS as u64, VALUE_SIZE);

/// Write `i`: `SET key:NNNNNN <i padded with x>`.
pub fn set_argv(i: usize) -> Vec<Vec<u8>> {
    WRITES.argv(i as u64)
}

/// Runs the clock until everything sent so far is delivered and applied.
pub fn deliver(sim: &mut Sim) {
    while !sim.network().is_idle() {
        sim.step();
    }
}

/// `n` SETs through [`Sim::command`] in batches of [`BATCH`], delivered.
pub fn writes_by_command(sim: &mut Sim, n: usize) {
    for start in (0..n).step_by(BATCH) {
        for i in start..(start + BATCH).min(n) {
            sim.command("A", set_argv(i));
        }
        deliver(sim);
    }
}

/// The requests of [`writes_pipelined`]: `n` SETs as RESP, [`PIPELINE`]
/// per chunk (the client's work, kept out of the timing).
pub fn pipelined_requests(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .step_by(PIPELINE)
        .map(|start| {
            let mut bytes = Vec::new();
            WRITES.encode(start as u64..(start + PIPELINE).min(n) as u64, &mut bytes);
            bytes
        })
        .collect()
}

/// Sends the chunks to the master as one pipelining client would, the
/// stream delivered every [`BATCH`] writes and at the end.
pub fn writes_pipelined(sim: &mut Sim, chunks: &[Vec<u8>]) {
    for (c, bytes) in chunks.iter().enumerate() {
        let now = sim.now_ms();
        let Some(master) = sim.node_mut("A") else { return };
        master.client_bytes(now, PIPE_CLIENT, bytes);
        sim.pump("A");
        if (c + 1) % (BATCH / PIPELINE) == 0 {
            deliver(sim);
        }
    }
    deliver(sim);
}

/// Checks every replica has the master's offset and write `last`.
pub fn check_applied(sim: &Sim, last: usize) -> Result<(), String> {
    let master = sim.replication_view("A").ok_or("master is down")?.offset;
    let key = WRITES.key(last as u64);
    let value = replscope_core::keyspace::Value::String(WRITES.value(last as u64));
    for name in REPLICAS {
        let node = sim.node(name).ok_or_else(|| format!("{name} is down"))?;
        let offset = sim.replication_view(name).map_or(0, |v| v.offset);
        if offset != master {
            return Err(format!("{name} at offset {offset}, master at {master}"));
        }
        if node.server.keyspace.db(0).get(&key) != Some(&value) {
            return Err(format!("{name} lacks write {last}"));
        }
    }
    Ok(())
}
