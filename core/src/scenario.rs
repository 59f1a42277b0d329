//! Scenario files: a versioned JSON description of nodes and steps, its
//! validation, and a runner that plays it on a [`Sim`].
//!
//! # Format (version 1) — a contract: keep it stable
//! ```json
//! {
//!   "version": 1,
//!   "seed": 42,                          // optional, default 0
//!   "start_unix_ms": 1767225600000,      // optional, default 2026-01-01 UTC
//!   "description": "what to look for",  // optional
//!   "nodes": [
//!     {"name": "A", "config": {"repl-backlog-size": "16kb"}},
//!     {"name": "B", "config": {"replicaof": "A 6379", "port": "6380"}}
//!   ],
//!   "steps": [
//!     {"node": "A", "cmd": ["SET", "k", "v"]},
//!     {"settle": {}},                     // or {"settle": {"limit_ms": 60000}}
//!     {"advance_ms": 1500},
//!     {"cut": ["A", "B"]},                // also partition, cut_one_way,
//!     {"heal": ["A", "B"]},               // partition_one_way (from, to)
//!     {"crash": "B"}, {"restart": "B"},
//!     {"link": ["A", "B"], "latency_ms": 20, "bandwidth_kbps": 800}
//!   ]
//! }
//! ```
//! Any step may also carry a `"comment"` string. Config values are strings
//! in Redis's syntax (numbers are accepted too) and go through
//! [`Config::from_pairs`](crate::config::Config::from_pairs), so bad values
//! get Redis's own error text. Steps are numbered from 0 (their index in
//! `steps`), in error messages and in the runner's results.
//!
//! Nodes start in file order, [`NODE_START_GAP_MS`] apart (the first at
//! `start_unix_ms`), and step 0 runs the same gap after the last one, like
//! `redis-server` processes launched one after another by a script.
//!
//! Untrusted input is bounded: see the `MAX_*` constants. Every error names
//! the step (or node) and the field.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::sim::{CommandResult, DEFAULT_SETTLE_LIMIT_MS, DEFAULT_START_MS, NodeSpec, Sim};
use crate::util::quoted;

/// The only format version this build reads.
pub const FORMAT_VERSION: u64 = 1;
/// Largest scenario file, in bytes.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
pub const MAX_NODES: usize = 16;
pub const MAX_STEPS: usize = 10_000;
/// Longest node name.
pub const MAX_NAME_LEN: usize = 32;
/// Most `databases` a node may have. Redis accepts up to 2^31 - 1 and
/// allocates every one at start (a process asking for that many dies out
/// of memory); a scenario or `Sim::add_node` gets a clear error instead.
pub const MAX_DATABASES: usize = 1024;
/// Largest single `advance_ms` and settle limit: one day.
pub const MAX_ADVANCE_MS: u64 = 86_400_000;
/// Largest total of every `advance_ms` and settle limit: one day of virtual
/// time keeps a run (nodes run timers at `hz`) to seconds.
pub const MAX_TOTAL_MS: u64 = 86_400_000;
/// How long a blocking command step (WAIT) may run.
pub const BLOCK_LIMIT_MS: u64 = 60_000;
/// Limits of `link` steps.
pub const MAX_LATENCY_MS: u64 = crate::network::MAX_LATENCY_MS;
pub const MAX_BANDWIDTH_KBPS: u64 = crate::network::MAX_BANDWIDTH_KBPS;

/// A parsed, validated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub seed: u64,
    pub start_unix_ms: u64,
    pub description: Option<String>,
    pub nodes: Vec<NodeDef>,
    pub steps: Vec<Step>,
}

/// One node of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeDef {
    pub name: String,
    pub spec: NodeSpec,
}

/// One step of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Cmd { node: String, cmd: Vec<Vec<u8>> },
    Settle { limit_ms: u64 },
    AdvanceMs(u64),
    Cut(String, String),
    CutOneWay(String, String),
    Partition(String, String),
    PartitionOneWay(String, String),
    Heal(String, String),
    Crash(String),
    Restart(String),
    Link { a: String, b: String, latency_ms: Option<u64>, bandwidth_kbps: Option<u64> },
}

impl Step {
    /// The step's verb, as written in the file.
    pub fn verb(&self) -> &'static str {
        match self {
            Step::Cmd { .. } => "cmd",
            Step::Settle { .. } => "settle",
            Step::AdvanceMs(_) => "advance_ms",
            Step::Cut(..) => "cut",
            Step::CutOneWay(..) => "cut_one_way",
            Step::Partition(..) => "partition",
            Step::PartitionOneWay(..) => "partition_one_way",
            Step::Heal(..) => "heal",
            Step::Crash(_) => "crash",
            Step::Restart(_) => "restart",
            Step::Link { .. } => "link",
        }
    }

    /// Applies a fault step (cut, partition, heal, crash, restart, link) to
    /// `sim` at once; false, doing nothing, for the steps that run commands
    /// or let time pass, whose pacing is the player's (the [`Runner`] runs
    /// them to completion, the web playground spreads them over frames).
    pub fn apply_fault(&self, sim: &mut Sim) -> bool {
        match self {
            Step::Cmd { .. } | Step::Settle { .. } | Step::AdvanceMs(_) => return false,
            Step::Cut(a, b) => sim.cut(a, b),
            Step::CutOneWay(a, b) => sim.cut_one_way(a, b),
            Step::Partition(a, b) => sim.partition(a, b),
            Step::PartitionOneWay(a, b) => sim.partition_one_way(a, b),
            Step::Heal(a, b) => sim.heal(a, b),
            Step::Crash(n) => {
                sim.crash(n);
            }
            Step::Restart(n) => {
                sim.restart(n);
            }
            Step::Link { a, b, latency_ms, bandwidth_kbps } => sim.set_link(a, b, *latency_ms, *bandwidth_kbps),
        }
        true
    }
}

/// A scenario that does not parse or validate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError(pub String);

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioError {}

fn default_start() -> u64 {
    DEFAULT_START_MS
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    version: u64,
    #[serde(default)]
    seed: u64,
    #[serde(default = "default_start")]
    start_unix_ms: u64,
    #[serde(default)]
    description: Option<String>,
    nodes: Vec<RawNode>,
    #[serde(default)]
    steps: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    name: String,
    #[serde(default)]
    config: Map<String, Value>,
}

/// Verbs in the order a step object is searched for them.
const VERBS: &[&str] = &[
    "cmd",
    "settle",
    "advance_ms",
    "cut",
    "cut_one_way",
    "partition",
    "partition_one_way",
    "heal",
    "crash",
    "restart",
    "link",
];

impl Scenario {
    /// Parses and validates a scenario file.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(ScenarioError(format!(
                "scenario is {} bytes, more than the limit of {MAX_FILE_BYTES}",
                text.len()
            )));
        }
        let raw: RawScenario = serde_json::from_str(text).map_err(|e| ScenarioError(format!("scenario: {e}")))?;
        if raw.version != FORMAT_VERSION {
            return Err(ScenarioError(format!(
                "scenario: version {} is not supported (this build reads version {FORMAT_VERSION})",
                raw.version
            )));
        }
        let nodes = parse_nodes(raw.nodes)?;
        if raw.steps.len() > MAX_STEPS {
            return Err(ScenarioError(format!(
                "scenario: {} steps, more than the limit of {MAX_STEPS}",
                raw.steps.len()
            )));
        }
        let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
        let mut checker = StepChecker { names: &names, crashed: Vec::new(), total_ms: 0 };
        let steps = raw.steps.iter().enumerate().map(|(i, v)| checker.step(i, v)).collect::<Result<Vec<_>, _>>()?;
        Ok(Scenario { seed: raw.seed, start_unix_ms: raw.start_unix_ms, description: raw.description, nodes, steps })
    }
}

fn parse_nodes(raw: Vec<RawNode>) -> Result<Vec<NodeDef>, ScenarioError> {
    if raw.is_empty() {
        return Err(ScenarioError("scenario: \"nodes\" is empty".into()));
    }
    if raw.len() > MAX_NODES {
        return Err(ScenarioError(format!("scenario: {} nodes, more than the limit of {MAX_NODES}", raw.len())));
    }
    let mut nodes: Vec<NodeDef> = Vec::new();
    for (i, node) in raw.into_iter().enumerate() {
        let err = |msg: String| ScenarioError(format!("node {i} ({}): {msg}", quoted(&node.name, '"')));
        let valid_name = !node.name.is_empty()
            && node.name.len() <= MAX_NAME_LEN
            && node.name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !valid_name {
            return Err(err(format!("\"name\" must be 1 to {MAX_NAME_LEN} letters, digits, '_', '-' or '.'")));
        }
        if nodes.iter().any(|n| n.name == node.name) {
            return Err(err("duplicate node name".into()));
        }
        let mut pairs = Vec::new();
        for (key, value) in &node.config {
            let value = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return Err(err(format!("config \"{key}\": expected a string or a number"))),
            };
            pairs.push((key.clone(), value));
        }
        // Name order, whatever the JSON library's map order: the same file
        // always gives the same config.
        crate::util::sort(&mut pairs);
        let spec = NodeSpec::from_pairs(&pairs).map_err(|e| err(format!("config: {e}")))?;
        nodes.push(NodeDef { name: node.name, spec });
    }
    Ok(nodes)
}

/// Validates steps in order, tracking which nodes are crashed.
struct StepChecker<'a> {
    names: &'a [&'a str],
    crashed: Vec<String>,
    total_ms: u64,
}

impl StepChecker<'_> {
    fn step(&mut self, i: usize, value: &Value) -> Result<Step, ScenarioError> {
        let Some(obj) = value.as_object() else {
            return Err(ScenarioError(format!("step {i}: expected an object")));
        };
        let Some(verb) = VERBS.iter().find(|v| obj.contains_key(**v)) else {
            return Err(ScenarioError(format!("step {i}: no verb (expected one of: {})", VERBS.join(", "))));
        };
        let err = |msg: String| ScenarioError(format!("step {i} ({}): {msg}", quoted(verb, '"')));
        let allowed: &[&str] = match *verb {
            "cmd" => &["node", "cmd"],
            "link" => &["link", "latency_ms", "bandwidth_kbps"],
            other => std::slice::from_ref(VERBS.iter().find(|v| **v == other).expect("verb from VERBS")),
        };
        for key in obj.keys() {
            if key != "comment" && !allowed.contains(&key.as_str()) {
                return Err(err(format!("unknown field {}", quoted(key, '"'))));
            }
        }
        if obj.get("comment").is_some_and(|c| !c.is_string()) {
            return Err(err("\"comment\" must be a string".into()));
        }
        let field = obj.get(*verb).expect("verb present");
        let step = match *verb {
            "cmd" => {
                let node = match obj.get("node") {
                    Some(Value::String(n)) => self.known(n).map_err(err)?,
                    Some(_) => return Err(err("\"node\" must be a node name".into())),
                    None => return Err(err("missing field \"node\"".into())),
                };
                let cmd = match field.as_array() {
                    Some(args) if !args.is_empty() => {
                        args.iter().map(|a| a.as_str().map(|s| s.as_bytes().to_vec())).collect::<Option<Vec<_>>>()
                    }
                    _ => None,
                };
                let cmd = cmd.ok_or_else(|| err("\"cmd\" must be a non-empty array of strings".into()))?;
                Step::Cmd { node, cmd }
            }
            "settle" => {
                let Some(opts) = field.as_object() else {
                    return Err(err("\"settle\" must be an object, e.g. {} or {\"limit_ms\": 60000}".into()));
                };
                if let Some(key) = opts.keys().find(|k| *k != "limit_ms") {
                    return Err(err(format!("unknown field \"settle.{key}\"")));
                }
                let limit_ms = match opts.get("limit_ms") {
                    None => DEFAULT_SETTLE_LIMIT_MS,
                    Some(v) => int_in(v, 1, MAX_ADVANCE_MS).ok_or_else(|| {
                        err(format!("\"settle.limit_ms\" must be an integer from 1 to {MAX_ADVANCE_MS}"))
                    })?,
                };
                self.spend(limit_ms).map_err(err)?;
                Step::Settle { limit_ms }
            }
            "advance_ms" => {
                let ms = int_in(field, 0, MAX_ADVANCE_MS)
                    .ok_or_else(|| err(format!("\"advance_ms\" must be an integer from 0 to {MAX_ADVANCE_MS}")))?;
                self.spend(ms).map_err(err)?;
                Step::AdvanceMs(ms)
            }
            "cut" | "cut_one_way" | "partition" | "partition_one_way" | "heal" | "link" => {
                let (a, b) = self.pair(verb, field).map_err(err)?;
                match *verb {
                    "cut" => Step::Cut(a, b),
                    "cut_one_way" => Step::CutOneWay(a, b),
                    "partition" => Step::Partition(a, b),
                    "partition_one_way" => Step::PartitionOneWay(a, b),
                    "heal" => Step::Heal(a, b),
                    _ => {
                        let latency_ms = match obj.get("latency_ms") {
                            None => None,
                            Some(v) => Some(int_in(v, 0, MAX_LATENCY_MS).ok_or_else(|| {
                                err(format!("\"latency_ms\" must be an integer from 0 to {MAX_LATENCY_MS}"))
                            })?),
                        };
                        let bandwidth_kbps = match obj.get("bandwidth_kbps") {
                            None => None,
                            Some(v) => Some(int_in(v, 1, MAX_BANDWIDTH_KBPS).ok_or_else(|| {
                                err(format!("\"bandwidth_kbps\" must be an integer from 1 to {MAX_BANDWIDTH_KBPS}"))
                            })?),
                        };
                        if latency_ms.is_none() && bandwidth_kbps.is_none() {
                            return Err(err("give \"latency_ms\", \"bandwidth_kbps\" or both".into()));
                        }
                        Step::Link { a, b, latency_ms, bandwidth_kbps }
                    }
                }
            }
            "crash" | "restart" => {
                let Some(name) = field.as_str() else {
                    return Err(err(format!("\"{verb}\" must be a node name")));
                };
                let name = self.known(name).map_err(err)?;
                let is_crashed = self.crashed.contains(&name);
                if *verb == "crash" {
                    if is_crashed {
                        return Err(err(format!("node {} is already crashed", quoted(&name, '"'))));
                    }
                    self.crashed.push(name.clone());
                    Step::Crash(name)
                } else {
                    if !is_crashed {
                        return Err(err(format!("node {} is not crashed", quoted(&name, '"'))));
                    }
                    self.crashed.retain(|n| *n != name);
                    Step::Restart(name)
                }
            }
            _ => unreachable!("every verb in VERBS is handled"),
        };
        Ok(step)
    }

    fn known(&self, name: &str) -> Result<String, String> {
        if self.names.contains(&name) {
            Ok(name.to_string())
        } else {
            Err(format!("unknown node {}", quoted(name, '"')))
        }
    }

    fn pair(&self, verb: &str, field: &Value) -> Result<(String, String), String> {
        let shape = || format!("\"{verb}\" must be two different node names, e.g. [\"A\", \"B\"]");
        let Some([Value::String(a), Value::String(b)]) = field.as_array().map(Vec::as_slice) else {
            return Err(shape());
        };
        let (a, b) = (self.known(a)?, self.known(b)?);
        if a == b {
            return Err(shape());
        }
        Ok((a, b))
    }

    fn spend(&mut self, ms: u64) -> Result<(), String> {
        self.total_ms = self.total_ms.saturating_add(ms);
        if self.total_ms > MAX_TOTAL_MS {
            return Err(format!(
                "the scenario's advance_ms and settle limits add up to more than {MAX_TOTAL_MS} ms of virtual time"
            ));
        }
        Ok(())
    }
}

/// `v` as an integer within `min..=max`.
fn int_in(v: &Value, min: u64, max: u64) -> Option<u64> {
    v.as_u64().filter(|n| (min..=max).contains(n))
}

// ----- running -----------------------------------------------------------------

/// What one step did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepResult {
    /// The step's index in `steps`.
    pub step: usize,
    pub verb: &'static str,
    /// Virtual ms since the start, when the step finished.
    pub t_ms: u64,
    /// For `cmd` steps: the node, the command and what it got.
    pub command: Option<CommandStep>,
}

/// A command step's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandStep {
    pub node: String,
    pub cmd: Vec<Vec<u8>>,
    pub result: CommandResult,
}

/// A step that could not complete (a settle that timed out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunError {
    pub step: usize,
    pub message: String,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RunError {}

/// The scenario's nodes start one after another, this many virtual ms
/// apart, in file order, as `redis-server` processes launched by a script
/// do. It matters because each node's once-a-second `replicationCron` is
/// phased from its own start: were they all started at the same instant, a
/// master's cron PING (or any byte it sends at its cron) could never reach
/// a replica before that replica's cron of the same second, since a link
/// has latency. With real processes started a few ms apart it always does
/// (a chain A → B → C: B's snapshot for C includes the PING A sent at its
/// 10th cron, so C's `repl_backlog_first_byte_offset` is 15, not 1). It
/// must exceed a default link's latency ([`crate::network::DEFAULT_LATENCY_MS`]).
///
/// The first step comes the same gap after the last node started: by then
/// a replica started from its config has done its handshake (a few ms over
/// default links) and its master has created the backlog, as a script's
/// first command to real servers finds it, so a write in step 0 already
/// advances `master_repl_offset`.
pub const NODE_START_GAP_MS: u64 = 10;

/// Plays a scenario step by step on its own [`Sim`].
#[derive(Debug)]
pub struct Runner {
    steps: Vec<Step>,
    sim: Sim,
    next: usize,
}

impl Runner {
    /// The scenario's nodes, started (nothing has run yet).
    pub fn new(scenario: &Scenario) -> Runner {
        let mut sim = Sim::new(scenario.seed, scenario.start_unix_ms);
        for (i, node) in scenario.nodes.iter().enumerate() {
            if i > 0 {
                sim.run_for(NODE_START_GAP_MS);
            }
            // Validated already: the same pairs parsed once.
            if let Err(e) = sim.add_node(&node.name, &node.spec.pairs) {
                debug_assert!(false, "validated node failed to start: {e}");
            }
        }
        if !scenario.nodes.is_empty() {
            sim.run_for(NODE_START_GAP_MS);
        }
        Runner { steps: scenario.steps.clone(), sim, next: 0 }
    }

    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    pub fn sim_mut(&mut self) -> &mut Sim {
        &mut self.sim
    }

    /// Runs the next step; `None` when all have run.
    pub fn next_step(&mut self) -> Option<Result<StepResult, RunError>> {
        let i = self.next;
        let step = self.steps.get(i)?.clone();
        self.next += 1;
        let sim = &mut self.sim;
        let mut command = None;
        match &step {
            Step::Cmd { node, cmd } => {
                let result = sim.command_with_limit(node, cmd.clone(), BLOCK_LIMIT_MS);
                command = Some(CommandStep { node: node.clone(), cmd: cmd.clone(), result });
            }
            Step::Settle { limit_ms } => {
                if let Err(e) = sim.settle(*limit_ms) {
                    return Some(Err(RunError { step: i, message: format!("step {i} (\"settle\"): {e}") }));
                }
            }
            Step::AdvanceMs(ms) => sim.run_for(*ms),
            fault => {
                let applied = fault.apply_fault(sim);
                debug_assert!(applied, "every other step is a fault");
            }
        }
        Some(Ok(StepResult { step: i, verb: step.verb(), t_ms: sim.elapsed_ms(), command }))
    }
}

/// Runs a whole scenario; stops at the first step that fails.
pub fn run(scenario: &Scenario) -> Result<Vec<StepResult>, RunError> {
    let mut runner = Runner::new(scenario);
    let mut results = Vec::new();
    while let Some(result) = runner.next_step() {
        results.push(result?);
    }
    Ok(results)
}
