//! Bytes → the scenario loader (`Scenario::from_json`: parse + validate),
//! and a validated scenario is run on a `Sim`.
//!
//! Running is budgeted so one input stays fast: at most `MAX_RUN_STEPS`
//! steps, and `advance_ms` / settle limits clamped to `MAX_RUN_MS`.
//! Validation itself sees the input unchanged. Checked: no panic (and no
//! debug assertion: a validated node must start), no huge allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replscope_core::scenario::{self, Scenario, Step};

const MAX_RUN_STEPS: usize = 24;
const MAX_RUN_MS: u64 = 5_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(mut scenario) = Scenario::from_json(text) else { return };
    scenario.steps.truncate(MAX_RUN_STEPS);
    for step in &mut scenario.steps {
        match step {
            Step::AdvanceMs(ms) => *ms = (*ms).min(MAX_RUN_MS),
            Step::Settle { limit_ms } => *limit_ms = (*limit_ms).min(MAX_RUN_MS),
            _ => {}
        }
    }
    let mut runner = scenario::Runner::new(&scenario);
    while let Some(result) = runner.next_step() {
        if result.is_err() {
            break;
        }
    }
});
