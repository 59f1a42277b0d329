//! The native half of the wasm determinism check: every example scenario's
//! event hash, compared with `wasm-checks/fixtures/event_hashes.json`, which
//! the browser test (`wasm-checks/tests/browser.rs`) compares its own run
//! with. Same file on both sides: native and wasm streams are identical.
//!
//! A change that alters any event changes the hashes on purpose; rewrite the
//! fixture with `REPLSCOPE_BLESS=1 cargo test -p replscope-core --test
//! event_hash_fixture` and commit it.

use std::collections::BTreeMap;
use std::path::Path;

use replscope_core::scenario::{Runner, Scenario};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../wasm-checks/fixtures/event_hashes.json");
const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");

/// `{"hash": "<16 hex digits>", "events": N}`, the format
/// `replscope_wasm_checks::RunHash` reads.
fn run_hash(text: &str) -> serde_json::Value {
    let scenario = Scenario::from_json(text).expect("example parses");
    let mut runner = Runner::new(&scenario);
    while let Some(result) = runner.next_step() {
        result.expect("example runs");
    }
    let sim = runner.sim();
    serde_json::json!({ "hash": format!("{:016x}", sim.event_hash()), "events": sim.event_count() })
}

#[test]
fn example_hashes_match_the_fixture() {
    let mut names: Vec<String> = std::fs::read_dir(SCENARIOS)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let native: BTreeMap<String, serde_json::Value> = names
        .iter()
        .map(|n| (n.clone(), run_hash(&std::fs::read_to_string(Path::new(SCENARIOS).join(n)).unwrap())))
        .collect();
    let text = serde_json::to_string_pretty(&native).unwrap() + "\n";
    if std::env::var_os("REPLSCOPE_BLESS").is_some() {
        std::fs::write(FIXTURE, &text).unwrap();
        return;
    }
    let fixed = std::fs::read_to_string(FIXTURE).unwrap_or_default();
    let fixed: BTreeMap<String, serde_json::Value> = serde_json::from_str(&fixed).unwrap_or_default();
    assert_eq!(
        native, fixed,
        "event hashes differ from {FIXTURE}; if the change in events is intended, run \
         REPLSCOPE_BLESS=1 cargo test -p replscope-core --test event_hash_fixture and commit the file"
    );
}
