//! Browser checks, in headless Chromium (`cargo xtask test`, or
//! `cargo test --target wasm32-unknown-unknown -p replscope-wasm-checks`).

#![cfg(target_arch = "wasm32")]

use replscope_wasm_checks::{
    EXAMPLES, FIXTURE, check_applied, cluster, parse_fixture, pipelined_requests, run_scenario, writes_by_command,
    writes_pipelined,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Same scenario, native vs wasm: identical event stream (same hash, same
/// count). The native side is `core/tests/event_hash_fixture.rs`.
#[wasm_bindgen_test]
fn every_example_hashes_as_natively() {
    let fixture = parse_fixture(FIXTURE).unwrap();
    let names: Vec<&str> = EXAMPLES.iter().map(|(n, _)| *n).collect();
    let fixed: Vec<&str> = fixture.keys().map(String::as_str).collect();
    assert_eq!(names, fixed, "scenarios/ and the fixture list different files: re-bless the fixture");
    for (name, text) in EXAMPLES {
        let wasm = run_scenario(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&wasm, &fixture[*name], "{name}: the wasm run differs from the native one");
        console_log!("{name}: {} events, hash {} (same as native)", wasm.events, wasm.hash);
    }
}

/// Fixed workloads, small in the dev profile (unoptimised, what `cargo
/// xtask test` runs: a few seconds) and 20× larger with `--release`.
/// Numbers are printed, not asserted.
const SCALE: usize = if cfg!(debug_assertions) { 1 } else { 20 };
const COMMAND_WRITES: usize = 5_000 * SCALE;
const PIPELINED_WRITES: usize = 10_000 * SCALE;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn report(what: &str, writes: usize, ms: f64) {
    let profile = if cfg!(debug_assertions) { "dev profile, unoptimised" } else { "release profile" };
    let rate = writes as f64 / (ms.max(1.0) / 1000.0);
    console_log!("wasm cluster_writes/{what}: {writes} writes in {ms:.0} ms = {rate:.0} writes/s ({profile})");
}

/// The `core/benches/sim.rs` workload: a master with three replicas, every
/// SET delivered to and applied on all of them.
#[wasm_bindgen_test]
fn cluster_write_throughput() {
    let mut sim = cluster();
    let started = now_ms();
    writes_by_command(&mut sim, COMMAND_WRITES);
    report("command", COMMAND_WRITES, now_ms() - started);
    check_applied(&sim, COMMAND_WRITES - 1).unwrap();

    let mut sim = cluster();
    let chunks = pipelined_requests(PIPELINED_WRITES);
    let started = now_ms();
    writes_pipelined(&mut sim, &chunks);
    report("pipelined", PIPELINED_WRITES, now_ms() - started);
    check_applied(&sim, PIPELINED_WRITES - 1).unwrap();
}
