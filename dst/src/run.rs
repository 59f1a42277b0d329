//! Replays a history through the scenario [`Runner`] (exactly what the CLI
//! does) and checks the invariants: the event-level ones and the stream
//! bytes after every step, convergence after every settle that happens with
//! every fault healed and every node up.

use replscope_core::invariants::{self, Checker, CheckerStats, Violation, names};
use replscope_core::network::LinkState;
use replscope_core::scenario::{Runner, Step};
use replscope_core::sim::Sim;

use crate::history::History;

/// A run that held every invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passed {
    pub event_hash: u64,
    pub events: usize,
    pub steps: usize,
    /// Checkpoints at which convergence was checked.
    pub convergence_checks: usize,
    pub stats: CheckerStats,
}

/// A run that broke an invariant at `step`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failed {
    pub step: usize,
    pub violation: Violation,
}

/// Everything healed and up: the moment convergence is owed.
fn all_healed(sim: &Sim) -> bool {
    sim.node_names().iter().all(|n| !sim.is_crashed(n)) && sim.links().iter().all(|l| l.state == LinkState::Up)
}

/// Every replica's chain of masters ends at a master. Otherwise (a
/// replication cycle, a `REPLICAOF` to an unknown address) replicas retry
/// forever, as Redis's do, and `settle` owes no end.
fn topology_sound(sim: &Sim) -> bool {
    sim.node_names().iter().all(|n| invariants::reaches_a_master(sim, n))
}

/// Runs `history`, checking invariants after every step.
pub fn run(history: &History) -> Result<Passed, Failed> {
    let scenario = history
        .to_scenario()
        .map_err(|e| Failed { step: 0, violation: Violation { name: "valid_scenario", detail: e.0 } })?;
    let mut runner = Runner::new(&scenario);
    let mut checker = Checker::new(runner.sim());
    let mut convergence_checks = 0;
    let mut step = 0;
    while let Some(result) = runner.next_step() {
        let fail = |violation: Violation| Failed { step, violation };
        let sim = runner.sim();
        checker.after_step(sim).map_err(fail)?;
        let is_settle = matches!(scenario.steps[step], Step::Settle { .. });
        match result {
            Ok(_) if is_settle && all_healed(sim) => {
                convergence_checks += 1;
                invariants::replicas_converge(sim).map_err(fail)?;
            }
            Err(e) if all_healed(sim) && topology_sound(sim) => {
                return Err(fail(Violation {
                    name: names::SETTLES_ONCE_HEALED,
                    detail: format!("with every fault healed and every node up, {e}"),
                }));
            }
            _ => {}
        }
        step += 1;
    }
    let sim = runner.sim();
    Ok(Passed {
        event_hash: sim.event_hash(),
        events: sim.event_count(),
        steps: step,
        convergence_checks,
        stats: checker.stats,
    })
}

/// [`run`], with a panic in the core reported as the `no_panic` invariant
/// (the step is unknown then: reported as the last).
pub fn run_catching(history: &History) -> Result<Passed, Failed> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(history))) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "(no message)".into());
            Err(Failed {
                step: history.steps.len().saturating_sub(1),
                violation: Violation { name: "no_panic", detail: format!("the core panicked: {message}") },
            })
        }
    }
}

/// The violation `history` ends in, if any.
pub fn violation(history: &History) -> Option<Violation> {
    run_catching(history).err().map(|f| f.violation)
}
