//! The random history generator: one seed gives one history (ChaCha8, so
//! the same seed gives the same history on every platform).
//!
//! A history is a topology (one master, up to eight replicas in chains and
//! trees, each with a random backlog size, diskless setting and perhaps
//! `min-replicas-to-write`) and a sequence of moves, each one or a few
//! scenario steps: client writes of every propagating command family,
//! faults (cuts, silent partitions, one-way faults, heals, latency and
//! bandwidth changes, crashes, restarts), `REPLICAOF` re-pointing and
//! `REPLICAOF NO ONE` failovers, `CONFIG SET`s, time advancing, and
//! checkpoints (heal everything, restart the crashed, settle) after which
//! the replicas must have converged. Every history ends with a checkpoint.
//!
//! The generator keeps a rough model (who replicates from whom, who is
//! crashed, which pairs have faults) to make useful moves: writes go to
//! masters, re-pointing avoids replication cycles, restarts follow crashes.

// `s(*d.pick(&[..]))` reads better than leaning on inference for `&&str`.
#![allow(clippy::explicit_auto_deref)]

use std::collections::BTreeSet;

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use replscope_core::scenario::Step;

use crate::history::{History, NodeConfig};

/// Node names, in order; node `i` listens on port `6379 + i`.
pub const NAMES: [&str; 9] = ["A", "B", "C", "D", "E", "F", "G", "H", "I"];

/// How a history is shaped.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// At most this many replicas (the master comes on top).
    pub max_replicas: usize,
    /// Moves per history (each is one or a few steps).
    pub min_moves: usize,
    pub max_moves: usize,
}

impl Default for Shape {
    fn default() -> Self {
        Shape { max_replicas: 8, min_moves: 20, max_moves: 80 }
    }
}

/// A small seeded random source with the helpers the generator needs.
pub struct Dice(ChaCha8Rng);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(ChaCha8Rng::seed_from_u64(seed))
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n.max(1)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

fn port(i: usize) -> u16 {
    6379 + i as u16
}

fn replicaof_value(i: usize) -> String {
    format!("{} {}", NAMES[i], port(i))
}

/// The generator's model of the system.
struct Model {
    n: usize,
    /// `master[i]`: whom node `i` replicates from (`None`: a master).
    master: Vec<Option<usize>>,
    crashed: BTreeSet<usize>,
    /// `config_master[i]`: the `replicaof` of node `i`'s config file, which
    /// a restart goes back to (REPLICAOF changes are not persisted).
    config_master: Vec<Option<usize>>,
    /// Pairs with a fault that a checkpoint must heal.
    faulted: BTreeSet<(usize, usize)>,
}

impl Model {
    /// True if `j` is `i` or replicates (directly or not) from `i`.
    fn in_subtree(&self, i: usize, mut j: usize) -> bool {
        for _ in 0..=self.n {
            if j == i {
                return true;
            }
            match self.master[j] {
                Some(m) => j = m,
                None => return false,
            }
        }
        true // a cycle: treat as inside, never close one
    }

    fn masters(&self) -> Vec<usize> {
        (0..self.n).filter(|&i| self.master[i].is_none() && !self.crashed.contains(&i)).collect()
    }
}

/// The history for `seed`.
#[allow(clippy::needless_range_loop)] // node i is NAMES[i], port(i), master[i]
pub fn generate(seed: u64, shape: Shape) -> History {
    let mut d = Dice::new(seed);
    let replicas = match d.below(10) {
        0 => 0,
        1..=5 => d.range(1, 2.min(shape.max_replicas as u64)),
        6..=8 => d.range(1, 4.min(shape.max_replicas as u64)),
        _ => d.range(1, shape.max_replicas as u64),
    } as usize;
    let n = replicas + 1;
    let mut model = Model {
        n,
        master: vec![None; n],
        config_master: vec![None; n],
        crashed: BTreeSet::new(),
        faulted: BTreeSet::new(),
    };
    let chain = d.chance(30);
    let mut nodes = Vec::new();
    for i in 0..n {
        let mut config = vec![("port".to_string(), port(i).to_string())];
        if i > 0 {
            let m = if chain {
                i - 1
            } else if d.chance(70) {
                0
            } else {
                d.below(i as u64) as usize
            };
            model.master[i] = Some(m);
            model.config_master[i] = Some(m);
            config.push(("replicaof".into(), replicaof_value(m)));
        }
        if d.chance(40) {
            config.push(("repl-backlog-size".into(), d.pick(&["16kb", "20kb", "32kb", "64kb"]).to_string()));
        }
        if d.chance(30) {
            config.push(("repl-diskless-sync".into(), "no".into()));
        } else if d.chance(30) {
            config.push(("repl-diskless-sync-delay".into(), d.range(0, 2).to_string()));
        }
        if i == 0 && n > 1 && d.chance(15) {
            config.push(("min-replicas-to-write".into(), d.range(1, 2).to_string()));
            config.push(("min-replicas-max-lag".into(), d.pick(&["3", "10"]).to_string()));
        }
        if d.chance(10) {
            config.push(("repl-timeout".into(), d.pick(&["5", "10"]).to_string()));
        }
        config.sort();
        nodes.push(NodeConfig { name: NAMES[i].to_string(), config });
    }
    let mut steps = vec![Step::Settle { limit_ms: 120_000 }];
    let moves = d.range(shape.min_moves as u64, shape.max_moves as u64);
    for _ in 0..moves {
        let roll = d.below(100);
        match roll {
            0..=44 => write_move(&mut d, &model, &mut steps),
            45..=64 => steps.push(Step::AdvanceMs(advance(&mut d))),
            65..=76 => fault_move(&mut d, &mut model, &mut steps),
            77..=81 => crash_move(&mut d, &mut model, &mut steps),
            82..=87 => replicaof_move(&mut d, &mut model, &mut steps),
            88..=93 => config_move(&mut d, &model, &mut steps),
            _ => checkpoint(&mut model, &mut steps),
        }
    }
    checkpoint(&mut model, &mut steps);
    History { seed, description: format!("replscope-dst history for seed {seed}"), nodes, steps }
}

fn advance(d: &mut Dice) -> u64 {
    match d.below(10) {
        0..=3 => d.range(0, 50),
        4..=7 => d.range(100, 1500),
        8 => d.range(2000, 8000),
        _ => d.range(10_000, 70_000),
    }
}

/// Heal every fault, restart every crashed node, and settle: afterwards
/// the replicas must have converged.
fn checkpoint(model: &mut Model, steps: &mut Vec<Step>) {
    for (a, b) in std::mem::take(&mut model.faulted) {
        steps.push(Step::Heal(NAMES[a].into(), NAMES[b].into()));
    }
    for i in std::mem::take(&mut model.crashed) {
        steps.push(Step::Restart(NAMES[i].into()));
        model.master[i] = model.config_master[i];
    }
    steps.push(Step::Settle { limit_ms: 300_000 });
}

fn two_nodes(d: &mut Dice, model: &Model) -> Option<(usize, usize)> {
    if model.n < 2 {
        return None;
    }
    // Mostly a replication link, so the fault matters.
    let replicas: Vec<usize> = (1..model.n).filter(|&i| model.master[i].is_some()).collect();
    if !replicas.is_empty() && d.chance(80) {
        let r = *d.pick(&replicas);
        let m = model.master[r]?;
        return if d.chance(50) { Some((r, m)) } else { Some((m, r)) };
    }
    let a = d.below(model.n as u64) as usize;
    let b = (a + 1 + d.below(model.n as u64 - 1) as usize) % model.n;
    Some((a, b))
}

fn fault_move(d: &mut Dice, model: &mut Model, steps: &mut Vec<Step>) {
    let Some((a, b)) = two_nodes(d, model) else { return };
    let (na, nb) = (NAMES[a].to_string(), NAMES[b].to_string());
    let pair = (a.min(b), a.max(b));
    let step = match d.below(12) {
        0..=2 => Step::Cut(na, nb),
        3..=4 => Step::Partition(na, nb),
        5 => Step::CutOneWay(na, nb),
        6 => Step::PartitionOneWay(na, nb),
        7..=9 => {
            model.faulted.remove(&pair);
            steps.push(Step::Heal(na, nb));
            return;
        }
        _ => {
            // Latencies stay well under the 1 s ACK period: with several
            // slower links some ACK is always in flight and `settle`
            // (which waits for an idle network) never returns.
            let latency_ms = d.chance(70).then(|| *d.pick(&[0, 1, 5, 20, 50, 150]));
            let bandwidth_kbps =
                (latency_ms.is_none() || d.chance(40)).then(|| *d.pick(&[200, 1000, 10_000, 1_000_000]));
            steps.push(Step::Link { a: na, b: nb, latency_ms, bandwidth_kbps });
            return;
        }
    };
    model.faulted.insert(pair);
    steps.push(step);
}

fn crash_move(d: &mut Dice, model: &mut Model, steps: &mut Vec<Step>) {
    let i = d.below(model.n as u64) as usize;
    if model.crashed.remove(&i) {
        steps.push(Step::Restart(NAMES[i].into()));
        model.master[i] = model.config_master[i];
    } else {
        if d.chance(40) {
            // Give it something to restart from.
            steps.push(cmd(i, &[if d.chance(50) { "SAVE" } else { "BGSAVE" }]));
            steps.push(Step::AdvanceMs(d.range(0, 300)));
        }
        model.crashed.insert(i);
        steps.push(Step::Crash(NAMES[i].into()));
    }
}

fn replicaof_move(d: &mut Dice, model: &mut Model, steps: &mut Vec<Step>) {
    if model.n < 2 {
        return;
    }
    let i = d.below(model.n as u64) as usize;
    if model.crashed.contains(&i) {
        return;
    }
    if model.master[i].is_some() && d.chance(40) {
        // Failover: promote i, and maybe point its old master's tree at it.
        steps.push(cmd(i, &["REPLICAOF", "NO", "ONE"]));
        let old = model.master[i].take();
        if let Some(old) = old
            && d.chance(60)
            && !model.crashed.contains(&old)
            && !model.in_subtree(old, i)
        {
            let target = replicaof_value(i);
            let (host, port) = target.split_once(' ').unwrap_or(("A", "6379"));
            steps.push(cmd(old, &["REPLICAOF", host, port]));
            model.master[old] = Some(i);
        }
        return;
    }
    let candidates: Vec<usize> = (0..model.n).filter(|&m| !model.in_subtree(i, m)).collect();
    if candidates.is_empty() {
        return;
    }
    let m = *d.pick(&candidates);
    let target = replicaof_value(m);
    let (host, port) = target.split_once(' ').unwrap_or(("A", "6379"));
    steps.push(cmd(i, &["REPLICAOF", host, port]));
    model.master[i] = Some(m);
}

fn config_move(d: &mut Dice, model: &Model, steps: &mut Vec<Step>) {
    let i = d.below(model.n as u64) as usize;
    let (param, value) = match d.below(5) {
        0 | 1 => ("repl-backlog-size", d.pick(&["16kb", "17kb", "32kb", "1mb"]).to_string()),
        2 => ("repl-diskless-sync", d.pick(&["yes", "no"]).to_string()),
        3 => ("repl-diskless-sync-delay", d.range(0, 3).to_string()),
        _ => ("min-replicas-to-write", d.pick(&["0", "0", "1", "2"]).to_string()),
    };
    steps.push(cmd(i, &["CONFIG", "SET", param, &value]));
}

fn cmd(i: usize, words: &[&str]) -> Step {
    Step::Cmd { node: NAMES[i].into(), cmd: words.iter().map(|w| w.as_bytes().to_vec()).collect() }
}

fn write_move(d: &mut Dice, model: &Model, steps: &mut Vec<Step>) {
    let masters = model.masters();
    let i = if !masters.is_empty() && d.chance(90) { *d.pick(&masters) } else { d.below(model.n as u64) as usize };
    let node = NAMES[i];
    let mut push = |argv: Vec<String>| {
        steps.push(Step::Cmd { node: node.into(), cmd: argv.into_iter().map(String::into_bytes).collect() })
    };
    match d.below(100) {
        0..=3 => push(vec!["SELECT".into(), d.range(0, 3).to_string()]),
        4 => push(vec!["FLUSHDB".into()]),
        5 if d.chance(20) => push(vec!["FLUSHALL".into()]),
        6..=11 => {
            push(vec!["MULTI".into()]);
            for _ in 0..d.range(1, 4) {
                push(random_write(d));
            }
            push(vec![if d.chance(90) { "EXEC" } else { "DISCARD" }.into()]);
        }
        12 if d.chance(30) => push(vec!["WAIT".into(), d.range(0, 2).to_string(), d.range(0, 500).to_string()]),
        _ => push(random_write(d)),
    }
}

/// A value: mostly short, sometimes long enough to overflow a small backlog.
fn value(d: &mut Dice) -> String {
    let len = match d.below(100) {
        0..=69 => d.range(1, 8),
        70..=94 => d.range(20, 200),
        _ => d.range(2000, 6000),
    };
    let c = b'a' + d.below(26) as u8;
    let mut s = String::with_capacity(len as usize);
    for k in 0..len {
        s.push(if k % 7 == 3 { (b'0' + d.below(10) as u8) as char } else { c as char });
    }
    s
}

fn key(d: &mut Dice, family: &str) -> String {
    if d.chance(8) {
        // Cross-family keys give WRONGTYPE errors and overwrites.
        format!("k{}", d.below(3))
    } else {
        format!("{family}{}", d.below(4))
    }
}

fn num(d: &mut Dice, lo: i64, hi: i64) -> String {
    (lo + d.below((hi - lo + 1) as u64) as i64).to_string()
}

/// One write command of a random family, with plausible arguments.
pub fn random_write(d: &mut Dice) -> Vec<String> {
    let s = |x: &str| x.to_string();
    match d.below(8) {
        0 | 1 => {
            let k = key(d, "s");
            match d.below(16) {
                0 => vec![s("SET"), k, value(d)],
                1 => vec![s("SET"), k, value(d), s("EX"), num(d, 1, 30)],
                2 => vec![s("SET"), k, value(d), s("PX"), num(d, 1, 3000)],
                3 => vec![s("SET"), k, value(d), s(*d.pick(&["NX", "XX", "KEEPTTL", "GET"]))],
                4 => vec![s("SETEX"), k, num(d, 1, 20), value(d)],
                5 => vec![s("PSETEX"), k, num(d, 1, 2000), value(d)],
                6 => vec![s("GETSET"), k, value(d)],
                7 => vec![s("APPEND"), k, value(d)],
                8 => vec![s("INCR"), k],
                9 => vec![s("INCRBY"), k, num(d, -100, 100)],
                10 => vec![s("INCRBYFLOAT"), k, s(*d.pick(&["1.5", "-0.25", "3e2", "0.1"]))],
                11 => {
                    let k2 = key(d, "s");
                    vec![s(*d.pick(&["MSET", "MSETNX"])), k, value(d), k2, value(d)]
                }
                12 => vec![s("SETRANGE"), k, num(d, 0, 30), value(d)],
                13 => vec![s("GETDEL"), k],
                14 => vec![s("GETEX"), k, s(*d.pick(&["EX", "PX", "PERSIST"])), num(d, 1, 20)],
                _ => vec![s("SETNX"), k, value(d)],
            }
        }
        2 => {
            let family = if d.chance(50) { "s" } else { "l" };
            let k = key(d, family);
            match d.below(9) {
                0 => vec![s("EXPIRE"), k, num(d, -1, 30)],
                1 => vec![s("PEXPIRE"), k, num(d, 1, 5000)],
                2 => vec![s("EXPIREAT"), k, (1_767_225_600 + d.below(120)).to_string()],
                3 => vec![s("PEXPIREAT"), k, (1_767_225_600_000 + d.below(120_000)).to_string()],
                4 => vec![s("PERSIST"), k],
                5 => vec![s(*d.pick(&["DEL", "UNLINK"])), k],
                6 => {
                    let k2 = key(d, "s");
                    vec![s(*d.pick(&["RENAME", "RENAMENX"])), k, k2]
                }
                7 => {
                    let k2 = key(d, "l");
                    vec![s("COPY"), k, k2, s("REPLACE")]
                }
                _ => vec![s("EXPIRE"), k, num(d, 1, 10), s(*d.pick(&["NX", "XX", "GT", "LT"]))],
            }
        }
        3 => {
            let k = key(d, "l");
            match d.below(9) {
                0 | 1 => vec![s(*d.pick(&["LPUSH", "RPUSH"])), k, value(d), value(d)],
                2 => vec![s(*d.pick(&["LPUSHX", "RPUSHX"])), k, value(d)],
                3 => vec![s(*d.pick(&["LPOP", "RPOP"])), k],
                4 => vec![s(*d.pick(&["LPOP", "RPOP"])), k, num(d, 0, 3)],
                5 => vec![s("LSET"), k, num(d, -2, 2), value(d)],
                6 => vec![s("LTRIM"), k, num(d, 0, 2), num(d, -3, 5)],
                7 => vec![s("LREM"), k, num(d, -2, 2), value(d)],
                _ => vec![s("LINSERT"), k, s(*d.pick(&["BEFORE", "AFTER"])), value(d), value(d)],
            }
        }
        4 => {
            let k = key(d, "h");
            let f = format!("f{}", d.below(5));
            match d.below(6) {
                0 | 1 => {
                    let verb = s(*d.pick(&["HSET", "HMSET"]));
                    let (v1, f2, v2) = (value(d), format!("f{}", d.below(5)), value(d));
                    vec![verb, k, f, v1, f2, v2]
                }
                2 => vec![s("HSETNX"), k, f, value(d)],
                3 => vec![s("HDEL"), k, f],
                4 => vec![s("HINCRBY"), k, f, num(d, -5, 5)],
                _ => vec![s("HINCRBYFLOAT"), k, f, s(*d.pick(&["0.5", "-1.25", "10"]))],
            }
        }
        5 => {
            let k = key(d, "t");
            match d.below(5) {
                0 | 1 => vec![s("SADD"), k, format!("m{}", d.below(8)), format!("m{}", d.below(8)), value(d)],
                2 => vec![s("SREM"), k, format!("m{}", d.below(8))],
                3 => vec![s("SPOP"), k],
                _ => vec![s("SPOP"), k, num(d, 0, 4)],
            }
        }
        6 => {
            let k = key(d, "z");
            let m = format!("m{}", d.below(6));
            match d.below(5) {
                0 | 1 => vec![s("ZADD"), k, num(d, -10, 10), m, s("1.5"), format!("m{}", d.below(6))],
                2 => vec![s("ZADD"), k, s(*d.pick(&["NX", "XX", "GT", "LT", "CH"])), num(d, -10, 10), m],
                3 => vec![s("ZINCRBY"), k, s(*d.pick(&["1", "0.5", "-2"])), m],
                _ => vec![s("ZREM"), k, m],
            }
        }
        _ => {
            if d.chance(20) {
                vec![s("SWAPDB"), num(d, 0, 1), num(d, 2, 3)]
            } else {
                vec![s("SET"), key(d, "s"), value(d)]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_valid_history() {
        for seed in 0..50 {
            let h = generate(seed, Shape::default());
            assert_eq!(h, generate(seed, Shape::default()));
            h.to_scenario().unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        }
    }
}
