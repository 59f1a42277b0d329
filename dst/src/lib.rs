//! # replscope-dst
//!
//! Deterministic simulation testing of the ReplScope replication core, the
//! way FoundationDB and TigerBeetle test theirs: a seed gives a random
//! history (topology, client writes, faults, failovers, config changes,
//! time), the history runs on the simulator, and the named invariants of
//! [`replscope_core::invariants`] are checked after every step. A failing
//! history is shrunk to a small one and written as a scenario file that
//! the CLI replays.
//!
//! ## Layout
//! - [`history`]: a history in the scenario file's terms (JSON out and in).
//! - [`generate`]: the seeded generator.
//! - [`run`]: replays a history through the scenario runner with checks.
//! - [`shrink`]: delta debugging over steps, nodes and arguments.
//!
//! Run `cargo run --release -p replscope-dst -- help` for the commands.

pub mod generate;
pub mod history;
pub mod run;
pub mod shrink;

use std::path::PathBuf;

use replscope_core::invariants::Violation;

pub use generate::{Shape, generate};
pub use history::History;
pub use run::{Failed, Passed};

/// Where shrunk failures go: `target/dst-failures/` of the workspace
/// (or of `CARGO_TARGET_DIR`).
pub fn failures_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
    target.join("dst-failures")
}

/// A seed's failure, shrunk and saved.
#[derive(Debug)]
pub struct Failure {
    pub seed: u64,
    pub original_steps: usize,
    pub shrunk: History,
    pub violation: Violation,
    pub shrink_runs: usize,
    pub path: PathBuf,
}

impl Failure {
    /// What to print: the invariant, the sizes, and the commands to
    /// reproduce.
    pub fn report(&self) -> String {
        let path = self.path.display();
        format!(
            "seed {}: {}\n  shrunk from {} to {} steps and {} node(s) in {} runs: {path}\n  replay:  cargo run -p replscope-cli -- run {path} --events\n  check:   cargo run -p replscope-dst -- check {path}",
            self.seed,
            self.violation,
            self.original_steps,
            self.shrunk.steps.len(),
            self.shrunk.nodes.len(),
            self.shrink_runs,
        )
    }
}

/// Runs seed `seed`; on a failure shrinks it and writes
/// `target/dst-failures/seed-<seed>.json`.
pub fn check_seed(seed: u64, shape: Shape, shrink_budget: usize) -> Result<Passed, Box<Failure>> {
    let history = generate(seed, shape);
    let failed = match run::run_catching(&history) {
        Ok(passed) => return Ok(passed),
        Err(failed) => failed,
    };
    let (mut shrunk, shrink_runs) = shrink::shrink(&history, failed.violation.name, shrink_budget);
    let violation = run::violation(&shrunk).unwrap_or(failed.violation);
    shrunk.description =
        format!("replscope-dst seed {seed}, shrunk from {} steps: breaks {}", history.steps.len(), violation.name);
    let dir = failures_dir();
    let path = dir.join(format!("seed-{seed}.json"));
    if std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, shrunk.to_json())).is_err() {
        eprintln!("could not write {}", path.display());
    }
    Err(Box::new(Failure { seed, original_steps: history.steps.len(), shrunk, violation, shrink_runs, path }))
}
