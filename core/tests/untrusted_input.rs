//! A scenario file asking for absurd sizes or counts gets a clear error (or
//! runs in bounded memory), never an out-of-memory abort. RDB files that
//! claim absurd lengths are covered by `fuzz_regressions.rs`.

use replscope_core::resp::Frame;
use replscope_core::scenario::{self, Scenario};
use replscope_core::sim::CommandResult;

fn error(text: &str) -> String {
    Scenario::from_json(text).expect_err("must be rejected").0
}

fn one_node(config: &str, steps: &str) -> String {
    format!(r#"{{"version":1,"nodes":[{{"name":"A","config":{{{config}}}}}],"steps":[{steps}]}}"#)
}

/// Redis accepts `databases` up to 2^31 - 1 and allocates them all at
/// start: the process would die. A scenario is refused instead.
#[test]
fn absurd_database_counts_are_refused() {
    assert_eq!(
        error(&one_node(r#""databases":"2147483647""#, "")),
        "node 0 (\"A\"): config: \"databases\": 2147483647 databases, more than the limit of 1024"
    );
    assert!(Scenario::from_json(&one_node(r#""databases":"1024""#, r#"{"node":"A","cmd":["SELECT","1023"]}"#)).is_ok());
}

#[test]
fn absurd_times_are_refused() {
    assert_eq!(
        error(&one_node("", r#"{"advance_ms":18446744073709551615}"#)),
        "step 0 (\"advance_ms\"): \"advance_ms\" must be an integer from 0 to 86400000"
    );
    assert_eq!(
        error(&one_node("", r#"{"settle":{"limit_ms":1e30}}"#)),
        "step 0 (\"settle\"): \"settle.limit_ms\" must be an integer from 1 to 86400000"
    );
    let many = [r#"{"advance_ms":86400000}"#; 2].join(",");
    assert!(error(&one_node("", &many)).contains("86400000"), "{}", error(&one_node("", &many)));
}

/// Memory limits far beyond the machine are only limits: nothing is
/// reserved up front, so a run with them uses what its writes use. (`1tb`
/// is not a Redis memory unit: Redis's own error.)
#[test]
fn huge_memory_limits_cost_nothing_until_used() {
    assert!(error(&one_node(r#""repl-backlog-size":"1tb""#, "")).contains("argument must be a memory value"));
    let text = r#"{"version":1,"nodes":[
        {"name":"A","config":{"repl-backlog-size":"1000gb","client-output-buffer-limit":"replica 1000gb 1000gb 2147483647"}},
        {"name":"B","config":{"port":"6380","replicaof":"A 6379","repl-backlog-size":"1000gb"}}],
      "steps":[{"node":"A","cmd":["SET","k","v"]},{"settle":{}},{"node":"B","cmd":["GET","k"]},
               {"node":"A","cmd":["CONFIG","SET","repl-backlog-size","1000gb"]}]}"#;
    let scenario = Scenario::from_json(text).expect("valid");
    let results = scenario::run(&scenario).expect("runs");
    let replies: Vec<Frame> = results
        .iter()
        .filter_map(|r| match &r.command.as_ref()?.result {
            CommandResult::Reply(f) => Some(f.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(replies, [Frame::ok(), Frame::bulk("v"), Frame::ok()]);
}

/// A file of a million nodes is refused by its size, and one just under
/// the size limit by its node count, after a parse of bounded cost.
#[test]
fn a_million_nodes_are_refused() {
    let nodes = vec![r#"{"name":"a"}"#; 1_000_000].join(",");
    let text = format!(r#"{{"version":1,"steps":[],"nodes":[{nodes}]}}"#);
    assert_eq!(error(&text), "scenario: 1000000 nodes, more than the limit of 16");
    let nodes = vec![r#"{"name":"node"}"#; 1_100_000].join(",");
    let text = format!(r#"{{"version":1,"steps":[],"nodes":[{nodes}]}}"#);
    assert!(error(&text).starts_with("scenario is 17"), "{}", error(&text));
}

/// The same limit holds for nodes added at run time (the playground's
/// `Sim::add_node`), not only for scenario files.
#[test]
fn sim_add_node_refuses_absurd_database_counts() {
    let mut sim = replscope_core::sim::Sim::new(1, 1_767_225_600_000);
    let pairs = vec![("databases".to_string(), "2147483647".to_string())];
    assert_eq!(
        sim.add_node("A", &pairs),
        Err("\"databases\": 2147483647 databases, more than the limit of 1024".to_string())
    );
    assert!(sim.node("A").is_none());
    assert!(sim.add_node("A", &[("databases".to_string(), "1024".to_string())]).is_ok());
}
