//! The determinism self-check (turmoil's discipline): the same scenario and
//! seed, run twice, give the same event stream and the same hash.

use replscope_core::scenario::{Runner, Scenario};

fn run_hash(text: &str) -> (u64, usize, String) {
    let scenario = Scenario::from_json(text).expect("example parses");
    let mut runner = Runner::new(&scenario);
    while let Some(result) = runner.next_step() {
        result.expect("example runs");
    }
    let sim = runner.sim();
    let stream: Vec<String> = sim.events_since(0).iter().map(|e| serde_json::to_string(e).unwrap()).collect();
    (sim.event_hash(), sim.event_count(), stream.join("\n"))
}

#[test]
fn every_example_runs_twice_identically() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 9, "the eight examples of issue 4 and high-latency-chain");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let first = run_hash(&text);
        let second = run_hash(&text);
        assert!(first.1 > 0, "{}: no events", file.display());
        assert_eq!(first, second, "{}: two runs differ", file.display());
    }
}

#[test]
fn the_hash_sees_every_event() {
    let base = r#"{"version":1,"nodes":[{"name":"A"},{"name":"B"}],"steps":[{"node":"A","cmd":["SET","k","v"]}STEP]}"#;
    let a = run_hash(&base.replace("STEP", ""));
    let b = run_hash(&base.replace("STEP", r#",{"cut":["A","B"]}"#));
    let c = run_hash(&base.replace("STEP", r#",{"partition":["A","B"]}"#));
    assert_ne!(a.0, b.0);
    assert_ne!(b.0, c.0);
}
