//! Shrinking a failing history to a small one that fails the same way
//! (same invariant name): delta debugging over the steps (Zeller's ddmin),
//! then dropping whole nodes, then simplifying what remains one argument at
//! a time (shorter values, less time, fewer config pairs). Every candidate
//! must still be a valid scenario; invalid ones count as "does not fail".

use replscope_core::scenario::Step;

use crate::history::{History, step_nodes};
use crate::run::violation;

/// How many candidate runs one shrink may spend.
pub const DEFAULT_BUDGET: usize = 3000;

struct Shrinker {
    name: &'static str,
    runs: usize,
    budget: usize,
}

impl Shrinker {
    fn fails(&mut self, candidate: &History) -> bool {
        if self.runs >= self.budget || candidate.to_scenario().is_err() {
            return false;
        }
        self.runs += 1;
        violation(candidate).is_some_and(|v| v.name == self.name)
    }
}

/// The smallest history found that still breaks the invariant `name`, and
/// the number of runs it took.
pub fn shrink(history: &History, name: &'static str, budget: usize) -> (History, usize) {
    let mut s = Shrinker { name, runs: 0, budget };
    let mut best = history.clone();
    loop {
        let before = (best.steps.len(), best.nodes.len(), size(&best));
        best = ddmin_steps(&mut s, best);
        best = drop_nodes(&mut s, best);
        best = simplify(&mut s, best);
        if (best.steps.len(), best.nodes.len(), size(&best)) == before || s.runs >= s.budget {
            return (best, s.runs);
        }
    }
}

/// A rough measure of how much there is to read.
fn size(h: &History) -> usize {
    h.to_json().len()
}

fn with_steps(h: &History, steps: Vec<Step>) -> History {
    History { steps, ..h.clone() }
}

/// ddmin: remove chunks of steps while the failure persists.
fn ddmin_steps(s: &mut Shrinker, mut best: History) -> History {
    let mut n = 2usize;
    while best.steps.len() >= 2 {
        let len = best.steps.len();
        let chunk = len.div_ceil(n);
        let mut reduced = false;
        for start in (0..len).step_by(chunk) {
            let end = (start + chunk).min(len);
            let mut steps = best.steps[..start].to_vec();
            steps.extend_from_slice(&best.steps[end..]);
            let candidate = with_steps(&best, steps);
            if s.fails(&candidate) {
                best = candidate;
                n = (n - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if n >= len {
                break;
            }
            n = (n * 2).min(len);
        }
        if s.runs >= s.budget {
            break;
        }
    }
    // Single steps one by one from the end (ddmin's last granularity may
    // have been skipped by the budget or by validity).
    let mut i = best.steps.len();
    while i > 0 && s.runs < s.budget {
        i -= 1;
        let mut steps = best.steps.clone();
        steps.remove(i);
        let candidate = with_steps(&best, steps);
        if s.fails(&candidate) {
            best = candidate;
        }
    }
    best
}

/// Removes a node with every step that names it (and `replicaof` lines
/// that point at it).
fn drop_nodes(s: &mut Shrinker, mut best: History) -> History {
    let mut i = best.nodes.len();
    while i > 1 && s.runs < s.budget {
        i -= 1;
        let Some(gone) = best.nodes.get(i).map(|n| n.name.clone()) else { continue };
        let port = best.nodes[i].config.iter().find(|(k, _)| k == "port").map(|(_, v)| v.clone()).unwrap_or_default();
        let mut candidate = best.clone();
        candidate.nodes.remove(i);
        for node in &mut candidate.nodes {
            node.config.retain(|(k, v)| !(k == "replicaof" && v == &format!("{gone} {port}")));
        }
        candidate.steps.retain(|step| {
            let names = step_nodes(step);
            let repoints_at_gone =
                matches!(step, Step::Cmd { cmd, .. } if cmd.get(1).is_some_and(|h| h == gone.as_bytes()));
            !names.contains(&gone.as_str()) && !repoints_at_gone
        });
        if s.fails(&candidate) {
            best = candidate;
        }
    }
    best
}

/// Simpler versions of one step.
fn step_variants(step: &Step) -> Vec<Step> {
    let mut out = Vec::new();
    match step {
        Step::AdvanceMs(ms) if *ms > 0 => {
            out.push(Step::AdvanceMs(0));
            out.push(Step::AdvanceMs(ms / 2));
            out.push(Step::AdvanceMs(ms - ms / 10 - 1));
        }
        Step::Cmd { node, cmd } => {
            for (i, arg) in cmd.iter().enumerate().skip(1) {
                if arg.len() > 1 {
                    for len in [1, arg.len() / 2] {
                        let mut shorter = cmd.clone();
                        shorter[i] = arg[..len].to_vec();
                        out.push(Step::Cmd { node: node.clone(), cmd: shorter });
                    }
                }
            }
            if cmd.len() > 2 {
                let mut fewer = cmd.clone();
                fewer.truncate(cmd.len() - 2);
                out.push(Step::Cmd { node: node.clone(), cmd: fewer });
            }
        }
        Step::Link { a, b, latency_ms, bandwidth_kbps } if latency_ms.is_some() && bandwidth_kbps.is_some() => {
            out.push(Step::Link { a: a.clone(), b: b.clone(), latency_ms: *latency_ms, bandwidth_kbps: None });
            out.push(Step::Link { a: a.clone(), b: b.clone(), latency_ms: None, bandwidth_kbps: *bandwidth_kbps });
        }
        Step::Partition(a, b) => out.push(Step::Cut(a.clone(), b.clone())),
        Step::PartitionOneWay(a, b) => out.push(Step::CutOneWay(a.clone(), b.clone())),
        _ => {}
    }
    out
}

/// One argument at a time: simpler steps, fewer config pairs.
fn simplify(s: &mut Shrinker, mut best: History) -> History {
    let mut i = 0;
    while i < best.steps.len() && s.runs < s.budget {
        for variant in step_variants(&best.steps[i]) {
            let mut candidate = best.clone();
            candidate.steps[i] = variant;
            if s.fails(&candidate) {
                best = candidate;
                break;
            }
        }
        i += 1;
    }
    for n in 0..best.nodes.len() {
        let mut k = best.nodes[n].config.len();
        while k > 0 && s.runs < s.budget {
            k -= 1;
            if matches!(best.nodes[n].config[k].0.as_str(), "port" | "replicaof") {
                continue;
            }
            let mut candidate = best.clone();
            candidate.nodes[n].config.remove(k);
            if s.fails(&candidate) {
                best = candidate;
            }
        }
    }
    best
}
