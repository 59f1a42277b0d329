//! `replscope-dst`: deterministic simulation testing of the replication core.
//!
//! - `campaign [--seeds N] [--from S] [--jobs J] [--max-replicas R] [--max-failures F]
//!   [--shrink-budget B]`: runs seeds `S..S+N` on `J` threads, prints seeds/second and every
//!   failure (shrunk, in at most `B` re-runs, into `target/dst-failures/seed-<n>.json`).
//! - `seed N`: runs one seed, verbosely.
//! - `check FILE`: replays a scenario file with every invariant checked.
//! - `print N`: prints seed N's history as a scenario file.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use replscope_dst::shrink::DEFAULT_BUDGET;
use replscope_dst::{History, Shape, check_seed, generate, run};

const USAGE: &str = "usage:
  replscope-dst campaign [--seeds N] [--from S] [--jobs J] [--max-replicas R] [--max-failures F] [--shrink-budget B]
  replscope-dst seed N
  replscope-dst check FILE
  replscope-dst print N";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("campaign") => campaign(&args[1..]),
        Some("seed") => args.get(1).and_then(|s| s.parse().ok()).map(one_seed).ok_or(USAGE.to_string()),
        Some("check") => args.get(1).map(|f| check_file(f)).ok_or(USAGE.to_string()),
        Some("print") => args
            .get(1)
            .and_then(|s| s.parse().ok())
            .map(|seed| {
                print!("{}", generate(seed, Shape::default()).to_json());
                true
            })
            .ok_or(USAGE.to_string()),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn flag(args: &[String], name: &str, default: u64) -> Result<u64, String> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args.get(i + 1).and_then(|v| v.parse().ok()).ok_or(format!("{name} needs a number\n{USAGE}")),
    }
}

fn campaign(args: &[String]) -> Result<bool, String> {
    let seeds = flag(args, "--seeds", 1000)?;
    let from = flag(args, "--from", 0)?;
    let jobs = flag(args, "--jobs", 1)?.max(1);
    let max_failures = flag(args, "--max-failures", u64::MAX)?;
    let shrink_budget = flag(args, "--shrink-budget", DEFAULT_BUDGET as u64)? as usize;
    let shape = Shape { max_replicas: flag(args, "--max-replicas", 8)? as usize, ..Shape::default() };
    // Shrinking re-runs failing histories: their panics would flood stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let next = Arc::new(AtomicU64::new(from));
    let done = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let totals = Arc::new(Mutex::new((0u64, 0u64, 0u64)));
    let start = Instant::now();
    println!("campaign: seeds {from}..{} on {jobs} thread(s)", from + seeds);
    let handles: Vec<_> = (0..jobs)
        .map(|_| {
            let (next, done, failures, totals) = (next.clone(), done.clone(), failures.clone(), totals.clone());
            std::thread::spawn(move || {
                loop {
                    let seed = next.fetch_add(1, Ordering::Relaxed);
                    let failed = failures.lock().unwrap_or_else(|e| e.into_inner()).len() as u64;
                    if seed >= from + seeds || failed >= max_failures {
                        break;
                    }
                    match check_seed(seed, shape, shrink_budget) {
                        Ok(passed) => {
                            let mut t = totals.lock().unwrap_or_else(|e| e.into_inner());
                            t.0 += passed.events as u64;
                            t.1 += passed.stats.psync_checked;
                            t.2 += passed.convergence_checks as u64;
                        }
                        Err(failure) => {
                            println!("FAIL {}", failure.report());
                            failures.lock().unwrap_or_else(|e| e.into_inner()).push(failure.seed);
                        }
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n.is_multiple_of(500) {
                        let secs = start.elapsed().as_secs_f64();
                        println!("  {n} seeds, {:.1} seeds/s", n as f64 / secs);
                    }
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    let secs = start.elapsed().as_secs_f64();
    let n = done.load(Ordering::Relaxed);
    let failures = failures.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let t = *totals.lock().unwrap_or_else(|e| e.into_inner());
    println!(
        "campaign done: {n} seeds in {secs:.1} s ({:.1} seeds/s), {} events, {} PSYNC decisions judged, {} convergence checks; {} failure(s){}",
        n as f64 / secs,
        t.0,
        t.1,
        t.2,
        failures.len(),
        if failures.is_empty() { String::new() } else { format!(": seeds {failures:?}") }
    );
    Ok(failures.is_empty())
}

fn one_seed(seed: u64) -> bool {
    let h = generate(seed, Shape::default());
    println!("seed {seed}: {} nodes, {} steps", h.nodes.len(), h.steps.len());
    match check_seed(seed, Shape::default(), DEFAULT_BUDGET) {
        Ok(p) => {
            println!(
                "ok: {} events, hash {:016x}, {} convergence checks, {:?}",
                p.events, p.event_hash, p.convergence_checks, p.stats
            );
            true
        }
        Err(f) => {
            println!("FAIL {}", f.report());
            false
        }
    }
}

fn check_file(path: &str) -> bool {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return false;
        }
    };
    let history = match History::from_json(&text) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("{path}: {e}");
            return false;
        }
    };
    match run::run_catching(&history) {
        Ok(p) => {
            println!(
                "{path}: every invariant holds ({} steps, {} events, {} convergence checks)",
                p.steps, p.events, p.convergence_checks
            );
            true
        }
        Err(f) => {
            println!("{path}: step {}: {}", f.step, f.violation);
            false
        }
    }
}
