//! Commands per second through one node, with propagation on.
//!
//! The node has a replication backlog (as if a replica had attached once),
//! so every write is encoded into the replication stream and copied into
//! the backlog, which is the cost a master in the playground pays. The
//! stream is drained between timed chunks so memory stays bounded.
//!
//! Two paths are measured:
//! - `execute/*`: [`Node::execute`] with an argv already split (no parsing,
//!   no reply encoding). Building the argv happens outside the timed part;
//!   freeing it (execute takes it by value) is inside.
//! - `client_bytes/*`: [`Node::client_bytes`] with 16 pipelined RESP
//!   commands per call, so RESP parsing and reply encoding are included.
//!
//! One criterion iteration is one command (`execute`) or one call of 16
//! commands (`client_bytes`); `Throughput::Elements` turns that into
//! commands per second either way.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use replscope_core::config::Config;
use replscope_core::node::{ClientId, Node};
use replscope_core::resp::encode_command;
use replscope_core::workload::SetWorkload;

/// Distinct keys the string workloads rotate over.
const KEYS: usize = 10_000;
/// Distinct lists LPUSH rotates over.
const LISTS: usize = 1_000;
/// Lists are trimmed back to this length between chunks.
const LIST_KEEP: usize = 100;
/// Fixed value size for SET and LPUSH (bytes).
const VALUE_SIZE: usize = 16;
/// Commands built ahead of each timed chunk.
const CHUNK: usize = 1_024;
/// Commands per `client_bytes` call.
const PIPELINE: usize = 16;
/// Virtual time: fixed, nothing in these workloads expires.
const NOW_MS: u64 = 1_700_000_000_000;
const CLIENT: ClientId = ClientId(1);

type Argv = Vec<Vec<u8>>;

/// A master with a 1 MB backlog and `KEYS` string keys and counters loaded.
fn loaded_node() -> Node {
    let mut node = Node::new("bench", Config::default(), 1, NOW_MS);
    node.server.repl.create_backlog(1 << 20);
    for i in 0..KEYS {
        node.execute(NOW_MS, CLIENT, set(i));
        node.execute(NOW_MS, CLIENT, argv(&[b"SET", &counter_key(i), b"0"]));
    }
    drain(&mut node);
    node
}

fn argv(words: &[&[u8]]) -> Argv {
    words.iter().map(|w| w.to_vec()).collect()
}

/// The string writes: core's shared workload shape (individual SETs over
/// `KEYS` keys, `VALUE_SIZE`-byte values), the one the playground and the
/// browser checks send too.
const WRITES: SetWorkload = SetWorkload::sequential(KEYS as u64, VALUE_SIZE);

fn key(i: usize) -> Vec<u8> {
    WRITES.key(i as u64)
}

fn counter_key(i: usize) -> Vec<u8> {
    format!("counter:{:06}", i % KEYS).into_bytes()
}

fn list_key(i: usize) -> Vec<u8> {
    format!("list:{:04}", i % LISTS).into_bytes()
}

fn value(i: usize) -> Vec<u8> {
    WRITES.value(i as u64)
}

fn set(i: usize) -> Argv {
    WRITES.argv(i as u64)
}

fn get(i: usize) -> Argv {
    vec![b"GET".to_vec(), key(i)]
}

fn incr(i: usize) -> Argv {
    vec![b"INCR".to_vec(), counter_key(i)]
}

fn lpush(i: usize) -> Argv {
    vec![b"LPUSH".to_vec(), list_key(i), value(i)]
}

/// 50% GET, 25% SET, 15% INCR, 10% LPUSH, interleaved deterministically.
fn mixed(i: usize) -> Argv {
    // Spread consecutive commands over keys rather than walking them in step.
    let k = i.wrapping_mul(7919);
    match i % 20 {
        0..=9 => get(k),
        10..=14 => set(k),
        15..=17 => incr(k),
        _ => lpush(k),
    }
}

/// Throws away the replication stream produced so far (a replica would
/// have read it); the backlog keeps its own bounded copy.
fn drain(node: &mut Node) {
    black_box(node.server.repl.take_outgoing());
}

/// Keeps every list at most `LIST_KEEP` long. Called between timed chunks.
fn trim_lists(node: &mut Node) {
    let stop = (LIST_KEEP - 1).to_string();
    for i in 0..LISTS {
        node.execute(NOW_MS, CLIENT, argv(&[b"LTRIM", &list_key(i), b"0", stop.as_bytes()]));
    }
    drain(node);
}

/// Where a workload is in its key rotation, kept across criterion's calls.
#[derive(Default)]
struct Cursor {
    /// Index of the next command to build.
    next: usize,
    /// Timed chunks run so far.
    chunks: u64,
}

impl Cursor {
    /// Housekeeping after a timed chunk: drop the replication stream and,
    /// every 32 chunks (about 32 pushes per list at most), trim the lists.
    fn after_chunk(&mut self, node: &mut Node) {
        drain(node);
        self.chunks += 1;
        if self.chunks.is_multiple_of(32) {
            trim_lists(node);
        }
    }
}

/// Times `iters` commands made by `make` through `Node::execute`, building
/// each chunk of argvs and doing housekeeping outside the timed part.
fn time_execute(node: &mut Node, cursor: &mut Cursor, iters: u64, make: Workload) -> Duration {
    let mut elapsed = Duration::ZERO;
    let mut left = iters as usize;
    while left > 0 {
        let n = left.min(CHUNK);
        let batch: Vec<Argv> = (cursor.next..cursor.next + n).map(make).collect();
        cursor.next += n;
        let start = Instant::now();
        for cmd in batch {
            black_box(node.execute(NOW_MS, CLIENT, cmd));
        }
        elapsed += start.elapsed();
        left -= n;
        cursor.after_chunk(node);
    }
    elapsed
}

/// Like [`time_execute`] but through `Node::client_bytes`: one iteration
/// is one call carrying `PIPELINE` RESP-encoded commands. The replies are
/// freed outside the timed part.
fn time_client_bytes(node: &mut Node, cursor: &mut Cursor, iters: u64, make: Workload) -> Duration {
    let mut elapsed = Duration::ZERO;
    let mut left = iters as usize;
    while left > 0 {
        let n = left.min(CHUNK / PIPELINE);
        let payloads: Vec<Vec<u8>> = (0..n)
            .map(|_| {
                let mut bytes = Vec::new();
                for i in cursor.next..cursor.next + PIPELINE {
                    encode_command(&make(i), &mut bytes);
                }
                cursor.next += PIPELINE;
                bytes
            })
            .collect();
        let mut replies = Vec::with_capacity(n);
        let start = Instant::now();
        for payload in &payloads {
            replies.push(node.client_bytes(NOW_MS, CLIENT, payload));
        }
        elapsed += start.elapsed();
        black_box(replies);
        left -= n;
        cursor.after_chunk(node);
    }
    elapsed
}

/// Builds the `i`th command of a workload.
type Workload = fn(usize) -> Argv;

const WORKLOADS: &[(&str, Workload)] =
    &[("set", set), ("get", get), ("incr", incr), ("lpush", lpush), ("mixed", mixed)];

fn execute(c: &mut Criterion) {
    let mut group = c.benchmark_group("execute");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1)).sample_size(20);
    for &(name, make) in WORKLOADS {
        let mut node = loaded_node();
        let mut cursor = Cursor::default();
        group.bench_function(name, |b| b.iter_custom(|iters| time_execute(&mut node, &mut cursor, iters, make)));
    }
    group.finish();
}

fn client_bytes(c: &mut Criterion) {
    let mut group = c.benchmark_group("client_bytes_p16");
    group.throughput(Throughput::Elements(PIPELINE as u64));
    group.measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1)).sample_size(20);
    for &(name, make) in WORKLOADS {
        let mut node = loaded_node();
        let mut cursor = Cursor::default();
        group.bench_function(name, |b| b.iter_custom(|iters| time_client_bytes(&mut node, &mut cursor, iters, make)));
    }
    group.finish();
}

criterion_group!(benches, execute, client_bytes);
criterion_main!(benches);
