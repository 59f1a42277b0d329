//! The whole simulated cluster: writes through a master with three replicas,
//! and a full resync of a 1M-key dataset.
//!
//! Unlike `node_ops` (one node, no network), everything here goes through
//! [`Sim`]: the master executes the write, feeds its replication stream, the
//! simulated network carries the segments (with their events), and each
//! replica parses and applies the stream. A sample is only over when every
//! replica has the master's offset (checked after the timed part).
//!
//! - `cluster_writes/command`: one [`Sim::command`] per SET (the scenario
//!   path: a `Command` and a `Reply` event per write, the reply formatted
//!   as redis-cli shows it). Writes go out in batches of [`BATCH`] at one
//!   virtual millisecond, then the clock runs until they are delivered.
//! - `cluster_writes/pipelined`: the same SETs as raw RESP bytes, 16 per
//!   [`Node::client_bytes`] call on a second client of the master, then
//!   [`Sim::pump`]: what a pipelining client would send. The stream leaves
//!   the master in 16 KB segments instead of one segment per write.
//! - `full_resync_1M`: a fresh replica attaches to a master holding 1M keys
//!   over a fast link (0 ms, 100 Gbit/s); timed from `add_node` until the
//!   cluster settles (diskless snapshot: encode, transfer, load, ACK).
//!   The 5 s `repl-diskless-sync-delay` is virtual time and costs nothing.
//!
//! One criterion iteration is one write (`Throughput::Elements`), so the
//! report is in simulated writes per second for the four-node cluster.
//!
//! On a shared machine wall time says as much about the neighbours as about
//! the code, so `REPLSCOPE_SIM_WRITES=N cargo bench -p replscope-core
//! --bench sim` instead runs each `cluster_writes` variant once with N
//! writes (three times, best kept) and reports writes per second of wall
//! time *and* of the thread's own CPU time (Linux `schedstat`): the second
//! does not count time the thread spent waiting for a core.

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group};
use replscope_core::keyspace::Value;
use replscope_core::node::ClientId;
use replscope_core::resp::encode_command;
use replscope_core::sim::{DEFAULT_START_MS, Sim};

const REPLICAS: [&str; 3] = ["B", "C", "D"];
/// Writes issued before the clock moves on.
const BATCH: usize = 1_000;
/// Distinct keys the writes rotate over.
const KEYS: usize = 10_000;
/// SETs per `client_bytes` call in the pipelined variant.
const PIPELINE: usize = 16;
/// The client the pipelined variant uses on the master (not the console's).
const PIPE_CLIENT: ClientId = ClientId(1_000);
const RESYNC_KEYS: usize = 1_000_000;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Master A and replicas B, C, D (ports 6380..6382), fully synced. With
/// `REPLSCOPE_SIM_RETENTION=n` the sim keeps only the last n..2n events, as
/// the UI does (`Sim::set_event_retention`); by default it keeps them all.
fn cluster() -> Sim {
    let mut sim = Sim::new(1, DEFAULT_START_MS);
    let retention = std::env::var("REPLSCOPE_SIM_RETENTION").ok().and_then(|v| v.parse().ok());
    sim.set_event_retention(retention);
    sim.add_node("A", &[]).expect("master");
    for (i, name) in REPLICAS.iter().enumerate() {
        let port = (6380 + i).to_string();
        sim.add_node(name, &pairs(&[("replicaof", "A 6379"), ("port", &port)])).expect("replica");
    }
    sim.settle(60_000).expect("initial sync settles");
    sim
}

fn set_argv(i: usize) -> Vec<Vec<u8>> {
    vec![b"SET".to_vec(), format!("key:{:06}", i % KEYS).into_bytes(), format!("value-{i:010}").into_bytes()]
}

/// Asserts every replica has the master's offset and the last value.
fn check_applied(sim: &Sim, last: usize) {
    let master = sim.replication_view("A").expect("master is live").offset;
    let key = format!("key:{:06}", last % KEYS).into_bytes();
    let value = format!("value-{last:010}").into_bytes();
    for name in REPLICAS {
        let view = sim.replication_view(name).expect("replica is live");
        assert_eq!(view.offset, master, "{name} behind the master");
        let node = sim.node(name).expect("replica is live");
        assert_eq!(
            node.server.keyspace.db(0).get(&key),
            Some(&Value::String(value.clone())),
            "{name} lacks the last write"
        );
    }
}

/// Runs the clock until everything sent so far is delivered and applied.
fn deliver(sim: &mut Sim) {
    while !sim.network().is_idle() {
        sim.step();
    }
}

/// Nanoseconds this thread has run on a CPU (Linux), if known.
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Wall and CPU time of the timed part of the last run.
static LAST_CPU: std::sync::Mutex<Option<Duration>> = std::sync::Mutex::new(None);

struct Timer {
    wall: Instant,
    cpu: Option<u64>,
}

impl Timer {
    fn start() -> Timer {
        Timer { cpu: cpu_ns(), wall: Instant::now() }
    }

    fn stop(self) -> Duration {
        let wall = self.wall.elapsed();
        let cpu = self.cpu.zip(cpu_ns()).map(|(a, b)| Duration::from_nanos(b.saturating_sub(a)));
        *LAST_CPU.lock().unwrap_or_else(|e| e.into_inner()) = cpu;
        wall
    }
}

/// `n` SETs through [`Sim::command`], delivered; returns the time taken.
fn writes_by_command(n: usize) -> Duration {
    let mut sim = cluster();
    let started = Timer::start();
    let mut i = 0;
    while i < n {
        let end = (i + BATCH).min(n);
        for j in i..end {
            black_box(sim.command("A", set_argv(j)));
        }
        i = end;
        deliver(&mut sim);
    }
    let elapsed = started.stop();
    if n > 0 {
        check_applied(&sim, n - 1);
    }
    elapsed
}

/// `n` SETs as pipelined RESP bytes, delivered; returns the time taken.
/// Encoding the requests is part of the client's work and is outside the
/// timed part.
fn writes_pipelined(n: usize) -> Duration {
    let mut sim = cluster();
    let mut calls = Vec::with_capacity(n.div_ceil(PIPELINE));
    for chunk_start in (0..n).step_by(PIPELINE) {
        let mut bytes = Vec::new();
        for j in chunk_start..(chunk_start + PIPELINE).min(n) {
            encode_command(&set_argv(j), &mut bytes);
        }
        calls.push(bytes);
    }
    let started = Timer::start();
    for (c, bytes) in calls.iter().enumerate() {
        let now = sim.now_ms();
        let out = sim.node_mut("A").expect("master is live").client_bytes(now, PIPE_CLIENT, bytes);
        black_box(out);
        sim.pump("A");
        if (c + 1) % (BATCH / PIPELINE) == 0 {
            deliver(&mut sim);
        }
    }
    deliver(&mut sim);
    let elapsed = started.stop();
    if n > 0 {
        check_applied(&sim, n - 1);
    }
    elapsed
}

fn cluster_writes(c: &mut Criterion) {
    let mut group = c.benchmark_group("cluster_writes");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(2));
    group.bench_function("command", |b| b.iter_custom(|iters| writes_by_command(iters as usize)));
    group.bench_function("pipelined", |b| b.iter_custom(|iters| writes_pipelined(iters as usize)));
    group.finish();
}

/// A master holding `RESYNC_KEYS` keys (the `rdb` bench's dataset).
fn loaded_master() -> Sim {
    let mut sim = Sim::new(1, DEFAULT_START_MS);
    sim.add_node("A", &[]).expect("master");
    common::fill_strings(sim.node_mut("A").expect("master is live").server.keyspace.db_mut(0), RESYNC_KEYS);
    sim
}

/// A fresh replica B full-resyncs from A; returns the time taken.
fn full_resync(sim: &mut Sim) -> Duration {
    if sim.exists("B") {
        sim.remove_node("B");
        sim.settle(60_000).expect("master settles after B leaves");
    }
    let started = Instant::now();
    sim.add_node("B", &pairs(&[("replicaof", "A 6379"), ("port", "6380")])).expect("replica");
    sim.set_link("A", "B", Some(0), Some(replscope_core::network::MAX_BANDWIDTH_KBPS));
    sim.settle(600_000).expect("full resync settles");
    let elapsed = started.elapsed();
    let keys = sim.node("B").expect("replica is live").server.keyspace.db(0).len();
    assert_eq!(keys, RESYNC_KEYS, "the replica loaded every key");
    elapsed
}

fn resync(c: &mut Criterion) {
    let mut sim = loaded_master();
    let mut group = c.benchmark_group("full_resync_1M");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_secs(1));
    group.bench_function("diskless_fast_link", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| full_resync(&mut sim)).sum())
    });
    group.finish();
}

/// `REPLSCOPE_SIM_WRITES=N`: one fixed run per variant (best of three),
/// wall and CPU rates.
fn fixed_runs(n: usize) {
    type Run = fn(usize) -> Duration;
    let variants: [(&str, Run); 2] =
        [("cluster_writes/command", writes_by_command), ("cluster_writes/pipelined", writes_pipelined)];
    for (name, run) in variants {
        let mut best: Option<(Duration, Duration)> = None;
        for _ in 0..3 {
            let wall = run(n);
            let cpu = LAST_CPU.lock().unwrap_or_else(|e| e.into_inner()).unwrap_or(wall);
            if best.is_none_or(|(_, c)| cpu < c) {
                best = Some((wall, cpu));
            }
        }
        if let Some((wall, cpu)) = best {
            let rate = |d: Duration| n as f64 / d.as_secs_f64() / 1000.0;
            println!("{name}: {n} writes, {:.1} K writes/s wall, {:.1} K writes/s CPU", rate(wall), rate(cpu));
        }
    }
}

criterion_group!(benches, cluster_writes, resync);

fn main() {
    if let Some(n) = std::env::var("REPLSCOPE_SIM_WRITES").ok().and_then(|v| v.parse().ok()) {
        fixed_runs(n);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
