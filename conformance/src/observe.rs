//! What a scenario run records, on either side: per step the same
//! [`StepResult`] the core's scenario runner returns (the command replies),
//! plus, at moments whose state does not depend on timing, a [`Snapshot`] of
//! every node's `INFO replication`, `INFO stats` and `ROLE`.
//!
//! [`core_run`] plays a scenario on the core ([`replscope_core::scenario`]);
//! [`crate::real_cluster::real_run`] plays it on real `redis-server`s.

use std::collections::BTreeMap;

use replscope_core::node::ClientId;
use replscope_core::resp::Frame;
use replscope_core::scenario::{Runner, Scenario, Step, StepResult};

/// One node at one moment.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeObs {
    /// The node is crashed (killed, not restarted yet).
    Crashed,
    Live {
        /// The raw `INFO replication` text.
        replication: String,
        /// The raw `INFO stats` text.
        stats: String,
        /// The `ROLE` reply.
        role: Frame,
    },
}

/// Every node of the scenario, by name.
pub type Snapshot = BTreeMap<String, NodeObs>;

/// One step: its result and, if [`observed_after`] says so, a snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct StepObs {
    pub result: StepResult,
    pub snapshot: Option<Snapshot>,
}

/// A whole run: the steps that ran, and why it stopped early, if it did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Run {
    pub steps: Vec<StepObs>,
    pub error: Option<String>,
}

/// Whether the state after `step` can be compared between the core and
/// real Redis, so a snapshot is taken:
/// - `settle`: both sides wait for the same quiescent state;
/// - `cut`: both ends have seen the reset (the real side waits for it);
/// - the last step of the scenario, whatever it is, so every run ends with one.
///
/// Not after a command (a real replica receives a write within microseconds,
/// the core's only when time moves), `heal`/`restart`/`advance_ms` (a real
/// replica reconnects on its next once-a-second cron, at a moment the core
/// cannot know) or `crash` (the core's peers see the reset one latency
/// later).
pub fn observed_after(step: &Step, last: bool) -> bool {
    last || matches!(step, Step::Settle { .. } | Step::Cut(..))
}

/// One round trip between two nodes on the core's network.
fn round_trip(sim: &replscope_core::sim::Sim, a: &str, b: &str) -> u64 {
    let net = sim.network();
    net.direction(a, b).latency_ms + net.direction(b, a).latency_ms
}

/// The client the core side's `ROLE` runs on: not the console client, so it
/// cannot change the scenario's SELECT or MULTI state.
const OBSERVER: ClientId = ClientId(u64::MAX - 1);

/// Plays `scenario` on the core and records what [`observed_after`] asks.
///
/// Where the real side is observed later than the core's virtual instant,
/// the core's clock is moved on by one link round trip (default 2 ms), so
/// both are observed after the same things happened. Real steps are
/// separated by the harness's own real time (a fraction of a ms at least),
/// during which loopback (tens of µs) has delivered everything in flight;
/// the core's consecutive steps happen at one virtual instant over links
/// with 1 ms latency. So:
/// - before a `cut`: what was sent before it (a write's stream bytes) has
///   landed, as it has on loopback before the proxy resets anything;
/// - after a `cut`: the replica's immediate reconnect (`Reconnecting to
///   MASTER`) has been refused, as real Redis's is within the same ms
///   (`ROLE` says `connect`, not `connecting`);
/// - after a last step that is a command: the write it made has reached the
///   replicas (not their ACK cron, which is a second away).
pub fn core_run(scenario: &Scenario) -> Run {
    let mut runner = Runner::new(scenario);
    let mut run = Run::default();
    let count = scenario.steps.len();
    loop {
        if let Some(Step::Cut(a, b)) = scenario.steps.get(run.steps.len()) {
            let rtt = round_trip(runner.sim(), a, b);
            runner.sim_mut().run_for(rtt);
        }
        let Some(result) = runner.next_step() else { break };
        let result = match result {
            Ok(r) => r,
            Err(e) => {
                run.error = Some(e.message);
                break;
            }
        };
        let step = &scenario.steps[result.step];
        let last = result.step + 1 == count;
        if observed_after(step, last) {
            match step {
                Step::Cut(a, b) => {
                    let rtt = round_trip(runner.sim(), a, b);
                    runner.sim_mut().run_for(rtt);
                }
                Step::Cmd { .. } => {
                    let rtt = runner.sim().links().iter().map(|l| l.latency_ms).max().unwrap_or(0) * 2;
                    runner.sim_mut().run_for(rtt);
                }
                _ => {}
            }
        }
        let snapshot = observed_after(step, last).then(|| core_snapshot(runner.sim_mut(), scenario));
        run.steps.push(StepObs { result, snapshot });
    }
    run
}

fn core_snapshot(sim: &mut replscope_core::sim::Sim, scenario: &Scenario) -> Snapshot {
    let now = sim.now_ms();
    let mut snap = Snapshot::new();
    for def in &scenario.nodes {
        let obs = match sim.node_mut(&def.name) {
            None => NodeObs::Crashed,
            Some(node) => {
                let replication = replscope_core::info::render(&node.server, now, &["replication"]);
                let stats = replscope_core::info::render(&node.server, now, &["stats"]);
                let role = node.execute(now, OBSERVER, vec![b"ROLE".to_vec()]);
                node.disconnect(OBSERVER);
                NodeObs::Live { replication, stats, role }
            }
        };
        snap.insert(def.name.clone(), obs);
    }
    snap
}

/// `field:value` lines of an INFO text, in order.
pub fn info_fields(text: &str) -> Vec<(&str, &str)> {
    text.split("\r\n").filter(|l| !l.starts_with('#')).filter_map(|l| l.split_once(':')).collect()
}

/// One field of an INFO text.
pub fn info_field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    info_fields(text).into_iter().find(|(n, _)| *n == name).map(|(_, v)| v)
}

/// `sync_full`, `sync_partial_ok`, `sync_partial_err` of an `INFO stats`
/// text (0 when absent).
pub fn sync_counters(stats: &str) -> [u64; 3] {
    ["sync_full", "sync_partial_ok", "sync_partial_err"]
        .map(|f| info_field(stats, f).and_then(|v| v.parse().ok()).unwrap_or(0))
}
