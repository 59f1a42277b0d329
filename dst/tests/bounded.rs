//! The bounded DST run for CI: a fixed range of seeds, every invariant
//! checked after every step, failures shrunk and written to
//! `target/dst-failures/`. `DST_SEEDS=n` changes the count (the long
//! campaign is `cargo run --release -p replscope-dst -- campaign`).

use replscope_core::invariants;
use replscope_dst::{Shape, check_seed, generate, run};

/// Seeds per CI run: about 20 s in debug mode on two cores.
const SEEDS: u64 = 800;

#[test]
fn bounded_seeds_hold_every_invariant() {
    let seeds: u64 = std::env::var("DST_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(SEEDS);
    let jobs = 2;
    let handles: Vec<_> = (0..jobs)
        .map(|job| {
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for seed in (job..seeds).step_by(jobs as usize) {
                    if let Err(f) = check_seed(seed, Shape::default(), 300) {
                        failures.push(f.report());
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> =
        handles.into_iter().flat_map(|h| h.join().expect("no panic outside the core")).collect();
    assert!(failures.is_empty(), "{} of {seeds} seeds failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_same_seed_gives_the_same_event_hash() {
    for seed in [1, 7, 42] {
        let history = generate(seed, Shape::default());
        let first = run::run(&history).expect("seed passes");
        let second = run::run(&history).expect("seed passes");
        assert_eq!(invariants::deterministic(first.event_hash, second.event_hash), Ok(()));
        assert_eq!(first.events, second.events);
    }
}

#[test]
fn different_seeds_give_different_histories() {
    let a = run::run(&generate(1, Shape::default())).expect("seed passes");
    let b = run::run(&generate(2, Shape::default())).expect("seed passes");
    assert_ne!(a.event_hash, b.event_hash);
}
