//! Every scenario in `dst/regressions/` is a shrunk DST failure whose bug
//! was fixed: each must now hold every invariant.

use replscope_dst::{History, run};

#[test]
fn every_regression_scenario_holds_every_invariant() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/regressions");
    let mut files: Vec<_> =
        std::fs::read_dir(dir).expect("regressions dir").filter_map(|e| Some(e.ok()?.path())).collect();
    files.sort();
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let history = History::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Err(f) = run::run_catching(&history) {
            failures.push(format!("{}: step {}: {}", path.display(), f.step, f.violation));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
