//! Replication conformance: scenarios played on the core's simulator and on
//! real `redis-server`s behind fault proxies, compared step by step (see
//! `replscope_conformance::cluster_compare` for what is compared and the
//! normalisation rules).
//!
//! ```text
//! cargo test -p replscope-conformance --test replication_conformance -- --nocapture
//! REPLSCOPE_REAL_ONLY=1 …     # real side only, checked against EXPECTATIONS
//! REPLSCOPE_SCENARIO=sweep …  # only scenarios whose name contains this
//! REPLSCOPE_VERBOSE=1 …       # print every scenario's steps, passing or not
//! ```
//!
//! Scenarios: `conformance/scenarios/*.json` (written for this comparison:
//! zero diskless delay, pings every hour, so real runs are fast and no PING
//! lands in the stream at a wall-clock moment), the deterministic examples
//! of `scenarios/`, and generated ones: the backlog boundary sweep and a
//! chain whose middle node must resync fully. Generated scenarios are built
//! as JSON and parsed by `replscope_core::scenario` like the files.
//!
//! Every real run is also checked against [`expectations`]: what real Redis
//! 7.0 does (redis-facts.md, docs/backlog-7.0.md). A failure there is a
//! harness or environment problem, not a core bug.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use replscope_conformance::cluster_compare::{self, Comparison};
use replscope_conformance::observe::{NodeObs, Run, core_run, info_field};
use replscope_conformance::real_cluster::{PortMap, real_run};
use replscope_conformance::report::escape;
use replscope_core::resp::encoded_command_len;
use replscope_core::scenario::Scenario;
use replscope_core::sim::CommandResult;
use serde_json::{Value, json};

/// Real runs at the same time: each is mostly waiting for Redis's
/// once-a-second replication cron, not using CPU.
const PARALLEL_RUNS: usize = 4;

/// Examples of `scenarios/` left out, and why.
const EXAMPLES_SKIPPED: &[(&str, &str)] = &[
    (
        "output-buffer-limit-loop.json",
        "how many times the resync loop turns depends on wall-clock timing of the snapshot and the writes",
    ),
    ("high-latency-chain.json", "link latency is not simulated on real servers (the proxy forwards at once)"),
];

/// The settings every generated scenario's nodes share (as the files').
fn fast(extra: Value) -> Value {
    let mut c = json!({"repl-diskless-sync-delay": "0", "repl-ping-replica-period": "3600"});
    if let (Some(c), Some(e)) = (c.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            c.insert(k.clone(), v.clone());
        }
    }
    c
}

/// One backlog block of Redis 7.0: what `docs/backlog-7.0.md` measured
/// (16424-byte allocations in jemalloc's 20480 class, less the header).
const BLOCK_CAPACITY: u64 = 20440;

/// `SET` commands on `node` whose propagated bytes add up to exactly `n`
/// (every one of them about `chunk` bytes; `n` must be at least 60).
fn exact_writes(node: &str, prefix: &str, n: u64, chunk: u64) -> Vec<Value> {
    let mut steps = Vec::new();
    let mut left = n;
    let mut i = 0;
    while left > 0 {
        let size = if left >= 2 * chunk {
            chunk
        } else if left > chunk {
            left / 2
        } else {
            left
        };
        let (key, value) = sized_set(&format!("{prefix}{i}"), size);
        steps.push(json!({"node": node, "cmd": ["SET", key, value]}));
        left -= size;
        i += 1;
    }
    steps
}

/// A `SET key value` whose RESP encoding is exactly `size` bytes (the key
/// is padded when a value length's digit count would skip `size`).
fn sized_set(key: &str, size: u64) -> (String, String) {
    for pad in 0..4 {
        let key = format!("{key}{}", "_".repeat(pad));
        for len in 0..size as usize {
            let value = "x".repeat(len);
            let got = encoded_command_len(&["SET", key.as_str(), value.as_str()]) as u64;
            if got == size {
                return (key, value);
            }
            if got > size {
                break;
            }
        }
    }
    panic!("no SET of exactly {size} bytes");
}

/// Stream bytes before the cut in the sweep: `SELECT 0` (23) + `SET k0 v` (28).
const SWEEP_OFFSET_AT_CUT: u64 = 23 + 28;

/// The backlog boundary sweep: A (backlog `size`) with replica B; the link
/// is cut at offset [`SWEEP_OFFSET_AT_CUT`], exactly `n` bytes of stream are
/// written, the link heals. B asks for offset R+1 = 52, which is still in
/// the backlog unless its first block was trimmed.
fn sweep(size: u64, n: u64) -> (String, Value) {
    let mut steps = vec![json!({"settle": {}}), json!({"node": "A", "cmd": ["SET", "k0", "v"]}), json!({"settle": {}})];
    steps.push(json!({"cut": ["A", "B"]}));
    steps.extend(exact_writes("A", "f", n, 1000));
    steps.push(json!({"node": "A", "cmd": ["INFO", "replication"]}));
    steps.push(json!({"heal": ["A", "B"]}));
    steps.push(json!({"settle": {}}));
    let name = format!("sweep-{}kb-N{n}", size / 1024);
    let scenario = json!({
        "version": 1,
        "description": format!("backlog {size}: cut, exactly {n} bytes of stream, heal"),
        "nodes": [
            {"name": "A", "config": fast(json!({"repl-backlog-size": size.to_string()}))},
            {"name": "B", "config": fast(json!({"port": "6380", "replicaof": "A 6379"}))},
        ],
        "steps": steps,
    });
    (name, scenario)
}

/// The largest `n` that still resyncs partially, by the rule of
/// `docs/backlog-7.0.md`: the head block (which holds offset 52) is trimmed
/// once `histlen - head capacity > size`, and histlen = 51 + n here.
fn sweep_window(size: u64) -> u64 {
    size + BLOCK_CAPACITY - SWEEP_OFFSET_AT_CUT
}

/// Sizes of the sweep and the points around each window edge: ±2 and ±1
/// commands, and ±1 byte.
fn sweep_points(size: u64) -> Vec<u64> {
    let w = sweep_window(size);
    vec![w - 2000, w - 1000, w - 1, w, w + 1, w + 1000, w + 2000]
}

const SWEEP_SIZES: &[u64] = &[16384, 32768];

/// A chain A → B → C where B must resync fully after a cut (the writes
/// overflow A's 16kb backlog): B drops C, which must resync fully too.
fn chain_full() -> (String, Value) {
    let mut steps =
        vec![json!({"node": "A", "cmd": ["SET", "k", "1"]}), json!({"settle": {}}), json!({"cut": ["A", "B"]})];
    steps.extend(exact_writes("A", "big", 60_000, 1000));
    steps.push(json!({"heal": ["A", "B"]}));
    steps.push(json!({"settle": {}}));
    steps.push(json!({"node": "C", "cmd": ["DBSIZE"]}));
    let scenario = json!({
        "version": 1,
        "description": "chain A -> B -> C; B's resync after the cut must be full, and C then resyncs fully from B",
        "nodes": [
            {"name": "A", "config": fast(json!({"repl-backlog-size": "16kb"}))},
            {"name": "B", "config": fast(json!({"port": "6380", "replicaof": "A 6379"}))},
            {"name": "C", "config": fast(json!({"port": "6381", "replicaof": "B 6380"}))},
        ],
        "steps": steps,
    });
    ("chain-full".into(), scenario)
}

/// A difference that comes from a race between two real processes' timers
/// (their crons run a few ms apart and drift under load), so real Redis
/// itself gives either value from run to run; the core, deterministic,
/// always gives one of them. Accepted only for the scenario and the
/// differing keys named (a key is `<node> <field>`, `<node> ROLE` or
/// `reply`), and printed when it fires. Keep this list short.
struct KnownRace {
    scenario: &'static str,
    keys: &'static [&'static str],
    why: &'static str,
}

const KNOWN_RACES: &[KnownRace] = &[
    KnownRace {
        scenario: "example-chain",
        keys: &["C repl_backlog_first_byte_offset", "C repl_backlog_histlen", "reply"],
        why: "C's snapshot from B starts at B's 10th replicationCron, about when A's 10th cron feeds a PING (14 bytes) to B:               real Redis gives first_byte 15/histlen 0 (PING first, usual, and the core's answer) or 1/14 (fork first),               depending on which process's timer fires first; the `reply` is C's INFO replication with those fields",
    },
    KnownRace {
        scenario: "example-serve-stale-data",
        keys: &["A slave0", "A slave1", "A ROLE"],
        why: "after the heal B and C reconnect at their own next replicationCron, a few ms apart: the order of A's replica               list (slave0/slave1, ROLE) is whichever reconnected first; the core's is B then C (started first)",
    },
    KnownRace {
        scenario: "example-partial-resync-after-short-cut",
        keys: &[
            "A ROLE",
            "A master_repl_offset",
            "A repl_backlog_histlen",
            "A slave0",
            "B ROLE",
            "B master_repl_offset",
            "B repl_backlog_histlen",
            "B slave_read_repl_offset",
            "B slave_repl_offset",
            "reply",
        ],
        why: "the example keeps the default repl-ping-replica-period (10 s) and ends about 9 s in: whether A's 10th-cron PING               (14 bytes) is in the offsets at the last settle depends on how many whole wall-clock seconds the real diskless               sync delay and the post-heal reconnect took (usually none: 114, the core's value; sometimes 128)",
    },
];

// (min-replicas, once listed here, was a harness blind spot, not a race of
// real Redis against the core: after a diskless sync a 7.0 master streams
// to the replica only after its first REPLCONF ACK; when that ACK arrives
// before the master noticed the end of the transfer, streaming waits for
// the next ACK, up to a second later, while INFO already shows the replica
// `online` with the master's offset. The real settle could not see the
// wait, and the cut right after `SET k 1` caught the write still held by A.
// The scenario now gives that second before the write.)

/// Moves the differences of [`KNOWN_RACES`] out of `cmp` (printing them).
fn accept_known_races(cmp: &mut Comparison) {
    let Some(race) = KNOWN_RACES.iter().find(|r| r.scenario == cmp.name) else { return };
    for step in &mut cmp.steps {
        step.diffs.retain(|(what, core, real)| {
            // A `reply` key covers only INFO replies (whose fields are the race's).
            let info_reply = what != "reply" || (core.starts_with("INFO view:") && real.starts_with("INFO view:"));
            let known = what != "resync outcome" && info_reply && race.keys.contains(&what.as_str());
            if known {
                println!(
                    "known race in {} step {}: {what}: core {core}, real {real} ({})",
                    cmp.name, step.step, race.why
                );
            }
            !known
        });
    }
}

/// One expected fact about a real run.
struct Expect {
    scenario: String,
    /// The step whose snapshot (or reply) is checked; `None`: the last step.
    step: Option<usize>,
    node: &'static str,
    /// An INFO replication/stats field, or `reply` (the step's reply, as
    /// escaped RESP).
    field: &'static str,
    value: String,
    why: &'static str,
}

fn expect(
    scenario: &str,
    step: Option<usize>,
    node: &'static str,
    field: &'static str,
    value: &str,
    why: &'static str,
) -> Expect {
    Expect { scenario: scenario.to_owned(), step, node, field, value: value.to_owned(), why }
}

/// What real Redis 7.0 must do in each scenario.
fn expectations() -> Vec<Expect> {
    let mut e = vec![
        expect(
            "partial-after-cut",
            None,
            "A",
            "sync_partial_ok",
            "1",
            "writes during a short cut fit in the backlog: +CONTINUE",
        ),
        expect("partial-after-cut", None, "A", "sync_full", "1", "only the initial sync was full"),
        expect(
            "partial-after-cut",
            Some(9),
            "B",
            "reply",
            "\"$1\\r\\n2\\r\\n\"",
            "the write made during the cut arrived",
        ),
        expect("chain-partial", None, "A", "sync_partial_ok", "1", "B resyncs partially"),
        expect("chain-partial", None, "B", "sync_full", "1", "C untouched: only its initial full sync"),
        expect("chain-partial", None, "B", "sync_partial_ok", "0", "C never had to resync"),
        expect("chain-partial", Some(7), "C", "reply", "\"$1\\r\\n2\\r\\n\"", "B forwarded A's write to C"),
        expect("failover-psync2", None, "B", "sync_partial_ok", "1", "C continues from B thanks to replid2"),
        expect("failover-psync2", None, "B", "sync_full", "0", "no full sync after the failover"),
        expect("failover-ahead", None, "B", "sync_full", "1", "C is ahead of B: full resync"),
        expect("failover-ahead", Some(9), "C", "reply", "\"$-1\\r\\n\"", "C lost the write B never had"),
        expect("restart-replica-rdb", None, "A", "sync_partial_ok", "1", "B restarts from its RDB's replid/offset"),
        expect("restart-replica-rdb", None, "A", "sync_full", "1", "no second full sync"),
        expect("restart-replica-rdb", Some(9), "B", "reply", "\"$1\\r\\n3\\r\\n\"", "B caught up after the restart"),
        expect("restart-master-expired", None, "A", "sync_partial_ok", "1", "B continues from the restarted A"),
        expect("restart-master-expired", None, "A", "sync_full", "0", "no full sync after the restart"),
        expect(
            "restart-master-expired",
            Some(10),
            "B",
            "reply",
            "\":1\\r\\n\"",
            "A's DEL of the expired key reached B",
        ),
        expect("restart-master-expired", Some(11), "A", "reply", "\":1\\r\\n\"", "s is gone on A"),
        expect(
            "restart-master-expired",
            Some(13),
            "B",
            "reply",
            "\"*2\\r\\n$1\\r\\nl\\r\\n$1\\r\\nm\\r\\n\"",
            "MSETNX acted on B as on A",
        ),
        expect(
            "stale-data-no",
            Some(3),
            "B",
            "reply",
            "\"-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\\r\\n\"",
            "stale reads refused",
        ),
        expect(
            "stale-data-no",
            Some(6),
            "B",
            "reply",
            "\"-READONLY You can't write against a read only replica.\\r\\n\"",
            "writes still READONLY",
        ),
        expect(
            "min-replicas",
            Some(4),
            "A",
            "reply",
            "\"-NOREPLICAS Not enough good replicas to write.\\r\\n\"",
            "no good replica",
        ),
        expect("min-replicas", Some(9), "A", "reply", "\"+OK\\r\\n\"", "writes accepted again"),
        expect("wait", Some(2), "A", "reply", "\":2\\r\\n\"", "both replicas ACK"),
        expect("wait", Some(7), "A", "reply", "\":1\\r\\n\"", "only B can ACK while C is cut off"),
        expect("chain-full", None, "A", "sync_full", "2", "B's resync is full (backlog overflowed)"),
        expect("chain-full", None, "B", "sync_full", "2", "B dropped C, which resynced fully too"),
        expect(
            "example-partial-resync-after-short-cut",
            None,
            "A",
            "sync_partial_ok",
            "1",
            "partial after a short cut",
        ),
        // The example writes 12 x 4000-byte values during the cut (about
        // 48 KB of stream): more than 7.0's real 16kb window, which keeps
        // up to size + one block (36824 bytes of history), so B's PSYNC is
        // refused and it resyncs fully.
        expect(
            "example-full-resync-after-backlog-overflow",
            None,
            "A",
            "sync_partial_ok",
            "0",
            "~48 KB overflows 7.0's real 16kb window (<= 36824 bytes of history)",
        ),
        expect(
            "example-full-resync-after-backlog-overflow",
            None,
            "A",
            "sync_full",
            "2",
            "the initial sync and the resync after the cut",
        ),
        expect(
            "example-full-resync-after-backlog-overflow",
            None,
            "A",
            "sync_partial_err",
            "1",
            "B asked to continue with its cached replid: a refused PSYNC",
        ),
        expect("example-failover-psync2", None, "B", "sync_partial_ok", "1", "PSYNC2 continue after failover"),
        expect("example-diskless-two-replicas", None, "A", "sync_full", "2", "two full syncs"),
    ];
    for &size in SWEEP_SIZES {
        let w = sweep_window(size);
        for n in sweep_points(size) {
            let (name, _) = sweep(size, n);
            let partial = n <= w;
            let why = if partial { "N <= window: +CONTINUE" } else { "N > window: first block trimmed, +FULLRESYNC" };
            e.push(Expect {
                scenario: name.clone(),
                step: None,
                node: "A",
                field: "sync_partial_ok",
                value: if partial { "1" } else { "0" }.into(),
                why,
            });
            e.push(Expect {
                scenario: name,
                step: None,
                node: "A",
                field: "sync_full",
                value: if partial { "1" } else { "2" }.into(),
                why,
            });
        }
    }
    e
}

/// Every scenario, by name, in a stable order.
fn scenarios() -> Vec<(String, Scenario)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut load_dir = |dir: &Path, prefix: &str| {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for path in files {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            if prefix == "example-" && EXAMPLES_SKIPPED.iter().any(|(f, _)| *f == file) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let scenario = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push((format!("{prefix}{}", file.trim_end_matches(".json")), scenario));
        }
    };
    load_dir(&root.join("scenarios"), "");
    load_dir(&root.join("../scenarios"), "example-");
    let mut generated = vec![chain_full()];
    for &size in SWEEP_SIZES {
        for n in sweep_points(size) {
            generated.push(sweep(size, n));
        }
    }
    for (name, json) in generated {
        let scenario = Scenario::from_json(&json.to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
        out.push((name, scenario));
    }
    if let Ok(filter) = std::env::var("REPLSCOPE_SCENARIO")
        && !filter.is_empty()
    {
        out.retain(|(n, _)| n.contains(&filter));
    }
    out
}

/// Runs the real side of every scenario, [`PARALLEL_RUNS`] at a time.
fn real_runs(all: &[(String, Scenario)]) -> Vec<(Run, PortMap)> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<(Run, PortMap)>>> = Mutex::new(vec![None; all.len()]);
    std::thread::scope(|s| {
        for _ in 0..PARALLEL_RUNS {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((_, scenario)) = all.get(i) else { return };
                    let r = real_run(scenario);
                    results.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    results.into_inner().unwrap().into_iter().map(|r| r.expect("every scenario ran")).collect()
}

/// Checks one real run against its expectations; returns the failures.
fn check_expectations(name: &str, run: &Run, all: &[Expect]) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some(e) = &run.error {
        failures.push(format!("{name}: the real run stopped: {e}"));
    }
    for x in all.iter().filter(|x| x.scenario == name) {
        let step = match x.step {
            Some(i) => run.steps.get(i),
            None => run.steps.last(),
        };
        let Some(step) = step else {
            failures.push(format!("{name}: no step {:?}", x.step));
            continue;
        };
        let got = if x.field == "reply" {
            match step.result.command.as_ref().map(|c| &c.result) {
                Some(CommandResult::Reply(f)) => Some(escape(&f.to_bytes())),
                Some(other) => Some(format!("{other:?}")),
                None => None,
            }
        } else {
            match step.snapshot.as_ref().and_then(|s| s.get(x.node)) {
                Some(NodeObs::Live { replication, stats, .. }) => {
                    info_field(replication, x.field).or_else(|| info_field(stats, x.field)).map(str::to_owned)
                }
                _ => None,
            }
        };
        if got.as_deref() != Some(x.value.as_str()) {
            failures.push(format!(
                "{name} step {:?} {} {}: expected {} ({}), real Redis gave {}",
                x.step,
                x.node,
                x.field,
                x.value,
                x.why,
                got.unwrap_or_else(|| "nothing".into())
            ));
        }
    }
    failures
}

/// The real resync outcome of a sweep run: `partial`, `full` or `?`.
fn sweep_outcome(run: &Run) -> &'static str {
    match run.steps.last().and_then(|s| s.snapshot.as_ref()).and_then(|s| s.get("A")) {
        Some(NodeObs::Live { stats, .. }) => {
            match (info_field(stats, "sync_partial_ok"), info_field(stats, "sync_full")) {
                (Some("1"), Some("1")) => "partial",
                (Some("0"), Some("2")) => "full",
                _ => "?",
            }
        }
        _ => "?",
    }
}

fn sweep_table(all: &[(String, Scenario)], runs: &[(Run, PortMap)]) -> String {
    let mut out =
        String::from("backlog boundary sweep (real Redis 7.0): R = offset at cut = 51, B asks PSYNC <replid> 52\n");
    out.push_str("  backlog      N   R+N  predicted  real  first_byte/histlen on A before heal\n");
    for ((name, _), (run, _)) in all.iter().zip(runs) {
        let Some(rest) = name.strip_prefix("sweep-") else { continue };
        let (size, n) = rest
            .split_once("kb-N")
            .map(|(s, n)| (s.parse::<u64>().unwrap_or(0) * 1024, n.parse::<u64>().unwrap_or(0)))
            .unwrap_or((0, 0));
        let predicted = if n <= sweep_window(size) { "partial" } else { "full" };
        // The INFO replication command step just before the heal.
        let info = run.steps.iter().rev().find_map(|s| match s.result.command.as_ref().map(|c| (&c.cmd, &c.result)) {
            Some((cmd, CommandResult::Reply(replscope_core::resp::Frame::Bulk(t)))) if cmd[0] == b"INFO" => {
                Some(String::from_utf8_lossy(t).into_owned())
            }
            _ => None,
        });
        let window = info.map_or("?".into(), |t| {
            format!(
                "{}/{}",
                info_field(&t, "repl_backlog_first_byte_offset").unwrap_or("?"),
                info_field(&t, "repl_backlog_histlen").unwrap_or("?")
            )
        });
        out.push_str(&format!(
            "  {:>7} {:>6} {:>5}  {predicted:>9} {:>5}  {window}\n",
            size,
            n,
            n + SWEEP_OFFSET_AT_CUT,
            sweep_outcome(run)
        ));
    }
    out
}

/// How many times a differing scenario is re-run on real Redis before it fails
/// (see the loop in [`replication_conformance`]).
const REAL_RETRIES: usize = 2;

#[test]
fn replication_conformance() {
    let started = Instant::now();
    let real_only = std::env::var("REPLSCOPE_REAL_ONLY").is_ok_and(|v| !v.is_empty() && v != "0");
    let verbose = std::env::var("REPLSCOPE_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0");
    let all = scenarios();
    assert!(!all.is_empty(), "REPLSCOPE_SCENARIO selected no scenario");
    let mut runs = real_runs(&all);
    let expects = expectations();
    let mut real_failures = Vec::new();
    let mut compared: Vec<Comparison> = Vec::new();
    // Scenarios in which no core node ever became a replica.
    let mut core_never_replicated = 0;
    for (i, (name, scenario)) in all.iter().enumerate() {
        // The core is deterministic: one run. The real cluster runs on wall-clock time, so a
        // ping or reconnect can land on either side of an observation point on a loaded
        // machine; a scenario that differs (or misses its expectations) is run again on real
        // Redis, up to REAL_RETRIES times, and fails only if every real run differs. A
        // consistent difference still fails; every retry is printed.
        let core = (!real_only).then(|| core_run(scenario));
        let mut attempt = 0;
        let (failures, cmp) = loop {
            let (real, ports) = &runs[i];
            let failures = check_expectations(name, real, &expects);
            let cmp = core.as_ref().map(|core| {
                let mut cmp = cluster_compare::compare(name, core, real, ports);
                accept_known_races(&mut cmp);
                cmp
            });
            let ok = failures.is_empty() && cmp.as_ref().is_none_or(Comparison::passed);
            if ok || attempt == REAL_RETRIES {
                break (failures, cmp);
            }
            attempt += 1;
            println!(
                "retrying {name} on real Redis (attempt {} of {}): the real run differed",
                attempt + 1,
                REAL_RETRIES + 1
            );
            runs[i] = real_run(scenario);
        };
        real_failures.extend(failures);
        if let (Some(core), Some(cmp)) = (&core, cmp) {
            let replicated = core.steps.iter().filter_map(|s| s.snapshot.as_ref()).any(|snap| {
                snap.values().any(|o| matches!(o, NodeObs::Live { replication, .. } if info_field(replication, "role") == Some("slave")))
            });
            core_never_replicated += usize::from(!replicated);
            let text = cluster_compare::report(&cmp, verbose);
            if !text.is_empty() {
                println!("{text}");
            }
            compared.push(cmp);
        }
    }
    println!("{}", sweep_table(&all, &runs));
    if !real_only {
        println!("{:<48} {:>6} {:>8}", "scenario", "steps", "differ");
        for c in &compared {
            let mark = if c.passed() { "ok" } else { "DIFFERS" };
            println!("{:<48} {:>6} {:>8}  {mark}", c.name, c.steps.len(), c.differing_steps());
        }
    }
    for (f, why) in EXAMPLES_SKIPPED {
        println!("skipped example {f}: {why}");
    }
    println!(
        "replication conformance: {} scenarios{} in {:.1}s",
        all.len(),
        if real_only { " (real side only)" } else { "" },
        started.elapsed().as_secs_f64()
    );
    assert!(real_failures.is_empty(), "real Redis did not do what the expectations say:\n{}", real_failures.join("\n"));
    let failed: Vec<&str> = compared.iter().filter(|c| !c.passed()).map(|c| c.name.as_str()).collect();
    let note = if !compared.is_empty() && core_never_replicated == compared.len() {
        "\nNOTE: in every scenario the core never had a replica (no node ever showed role:slave): \
         this build's core does not replicate yet, so every difference below is expected until replication is merged.\n"
    } else {
        ""
    };
    println!("{note}");
    assert!(
        failed.is_empty(),
        "{note}{} of {} scenarios differ between the core and real Redis: {}\nrerun one with REPLSCOPE_SCENARIO=<name> … -- --nocapture",
        failed.len(),
        compared.len(),
        failed.join(", ")
    );
}
