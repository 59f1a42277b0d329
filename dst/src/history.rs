//! A history: the nodes and the steps of one random run, kept in the
//! scenario file's own terms so that a failure *is* a scenario file the CLI
//! replays (`replscope run FILE`).

use replscope_core::scenario::{Scenario, ScenarioError, Step};
use serde_json::{Map, Value, json};

/// One node: its name and config pairs (including `replicaof`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeConfig {
    pub name: String,
    pub config: Vec<(String, String)>,
}

/// A run to replay: the scenario's seed, its nodes and its steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History {
    pub seed: u64,
    pub description: String,
    pub nodes: Vec<NodeConfig>,
    pub steps: Vec<Step>,
}

impl History {
    /// The scenario file (format version 1), pretty-printed one step per line.
    pub fn to_json(&self) -> String {
        let nodes: Vec<Value> = self
            .nodes
            .iter()
            .map(|n| {
                let config: Map<String, Value> =
                    n.config.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
                json!({"name": n.name, "config": config})
            })
            .collect();
        let mut out = String::from("{\n  \"version\": 1,\n");
        out += &format!("  \"seed\": {},\n", self.seed);
        out += &format!("  \"description\": {},\n", Value::String(self.description.clone()));
        out += "  \"nodes\": [\n";
        out += &nodes.iter().map(|n| format!("    {n}")).collect::<Vec<_>>().join(",\n");
        out += "\n  ],\n  \"steps\": [\n";
        out += &self.steps.iter().map(|s| format!("    {}", step_json(s))).collect::<Vec<_>>().join(",\n");
        out += "\n  ]\n}\n";
        out
    }

    /// Parses and validates the history as the CLI would (a shrunk history
    /// may be invalid, e.g. a restart whose crash was removed).
    pub fn to_scenario(&self) -> Result<Scenario, ScenarioError> {
        Scenario::from_json(&self.to_json())
    }

    /// Reads a scenario file back into a history.
    pub fn from_json(text: &str) -> Result<History, String> {
        let scenario = Scenario::from_json(text).map_err(|e| e.0)?;
        Ok(History {
            seed: scenario.seed,
            description: scenario.description.clone().unwrap_or_default(),
            nodes: scenario
                .nodes
                .iter()
                .map(|n| NodeConfig { name: n.name.clone(), config: n.spec.pairs.clone() })
                .collect(),
            steps: scenario.steps,
        })
    }
}

/// One step as the scenario file writes it.
pub fn step_json(step: &Step) -> Value {
    match step {
        Step::Cmd { node, cmd } => {
            let cmd: Vec<Value> = cmd.iter().map(|a| Value::String(String::from_utf8_lossy(a).into_owned())).collect();
            json!({"node": node, "cmd": cmd})
        }
        Step::Settle { limit_ms } => json!({"settle": {"limit_ms": limit_ms}}),
        Step::AdvanceMs(ms) => json!({"advance_ms": ms}),
        Step::Cut(a, b) => json!({"cut": [a, b]}),
        Step::CutOneWay(a, b) => json!({"cut_one_way": [a, b]}),
        Step::Partition(a, b) => json!({"partition": [a, b]}),
        Step::PartitionOneWay(a, b) => json!({"partition_one_way": [a, b]}),
        Step::Heal(a, b) => json!({"heal": [a, b]}),
        Step::Crash(n) => json!({"crash": n}),
        Step::Restart(n) => json!({"restart": n}),
        Step::Link { a, b, latency_ms, bandwidth_kbps } => {
            let mut obj = Map::new();
            obj.insert("link".into(), json!([a, b]));
            if let Some(l) = latency_ms {
                obj.insert("latency_ms".into(), json!(l));
            }
            if let Some(bw) = bandwidth_kbps {
                obj.insert("bandwidth_kbps".into(), json!(bw));
            }
            Value::Object(obj)
        }
    }
}

/// The nodes a step names.
pub fn step_nodes(step: &Step) -> Vec<&str> {
    match step {
        Step::Cmd { node, .. } | Step::Crash(node) | Step::Restart(node) => vec![node],
        Step::Cut(a, b)
        | Step::CutOneWay(a, b)
        | Step::Partition(a, b)
        | Step::PartitionOneWay(a, b)
        | Step::Heal(a, b)
        | Step::Link { a, b, .. } => vec![a, b],
        Step::Settle { .. } | Step::AdvanceMs(_) => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_round_trips_through_the_scenario_format() {
        let h = History {
            seed: 9,
            description: "d".into(),
            nodes: vec![
                NodeConfig { name: "A".into(), config: vec![] },
                NodeConfig {
                    name: "B".into(),
                    config: vec![("port".into(), "6380".into()), ("replicaof".into(), "A 6379".into())],
                },
            ],
            steps: vec![
                Step::Cmd { node: "A".into(), cmd: vec![b"SET".to_vec(), b"k".to_vec(), b"\"v\"".to_vec()] },
                Step::Cut("A".into(), "B".into()),
                Step::Link { a: "A".into(), b: "B".into(), latency_ms: Some(3), bandwidth_kbps: None },
                Step::Crash("B".into()),
                Step::Restart("B".into()),
                Step::AdvanceMs(10),
                Step::Settle { limit_ms: 1000 },
            ],
        };
        assert_eq!(History::from_json(&h.to_json()), Ok(h));
    }
}
