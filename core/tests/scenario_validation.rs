//! Scenario files: bad input gets an exact message naming the step (or
//! node) and the field; good files parse into the steps they say.

use replscope_core::scenario::{Scenario, Step};

const NODES: &str = r#""nodes":[{"name":"A"},{"name":"B","config":{"port":"6380","replicaof":"A 6379"}}]"#;

fn with_steps(steps: &str) -> String {
    format!(r#"{{"version":1,{NODES},"steps":[{steps}]}}"#)
}

fn error(text: &str) -> String {
    Scenario::from_json(text).expect_err("must be rejected").0
}

#[test]
fn a_good_file_parses_with_defaults() {
    let s = Scenario::from_json(&with_steps(
        r#"{"node":"A","cmd":["SET","k","v"],"comment":"first write"},{"settle":{}},{"advance_ms":5},
           {"cut":["A","B"]},{"heal":["A","B"]},{"partition_one_way":["B","A"]},{"crash":"B"},{"restart":"B"},
           {"link":["A","B"],"bandwidth_kbps":800}"#,
    ))
    .unwrap();
    assert_eq!((s.seed, s.start_unix_ms), (0, 1_767_225_600_000));
    assert_eq!(s.nodes[1].spec.config.port, 6380);
    assert_eq!(s.nodes[1].spec.replicaof.as_ref().map(|a| a.to_string()), Some("A:6379".into()));
    assert_eq!(
        s.steps,
        vec![
            Step::Cmd { node: "A".into(), cmd: vec![b"SET".to_vec(), b"k".to_vec(), b"v".to_vec()] },
            Step::Settle { limit_ms: 300_000 },
            Step::AdvanceMs(5),
            Step::Cut("A".into(), "B".into()),
            Step::Heal("A".into(), "B".into()),
            Step::PartitionOneWay("B".into(), "A".into()),
            Step::Crash("B".into()),
            Step::Restart("B".into()),
            Step::Link { a: "A".into(), b: "B".into(), latency_ms: None, bandwidth_kbps: Some(800) },
        ]
    );
}

#[test]
fn step_errors_name_the_step_and_the_field() {
    let cases = [
        (r#"{"cut":["A","Q"]}"#, r#"step 0 ("cut"): unknown node "Q""#),
        (
            r#"{"settle":{}},{"cut":["A","A"]}"#,
            r#"step 1 ("cut"): "cut" must be two different node names, e.g. ["A", "B"]"#,
        ),
        (
            r#"{"partition":"A"}"#,
            r#"step 0 ("partition"): "partition" must be two different node names, e.g. ["A", "B"]"#,
        ),
        (r#"{"crash":"B"},{"crash":"B"}"#, r#"step 1 ("crash"): node "B" is already crashed"#),
        (r#"{"restart":"B"}"#, r#"step 0 ("restart"): node "B" is not crashed"#),
        (r#"{"node":"A","cmd":[]}"#, r#"step 0 ("cmd"): "cmd" must be a non-empty array of strings"#),
        (r#"{"node":"A","cmd":["SET",1]}"#, r#"step 0 ("cmd"): "cmd" must be a non-empty array of strings"#),
        (r#"{"cmd":["PING"]}"#, r#"step 0 ("cmd"): missing field "node""#),
        (r#"{"node":"Z","cmd":["PING"]}"#, r#"step 0 ("cmd"): unknown node "Z""#),
        (r#"{"node":"A","cmd":["PING"],"reply":"PONG"}"#, r#"step 0 ("cmd"): unknown field "reply""#),
        (r#"{"advance_ms":-1}"#, r#"step 0 ("advance_ms"): "advance_ms" must be an integer from 0 to 86400000"#),
        (r#"{"advance_ms":1e20}"#, r#"step 0 ("advance_ms"): "advance_ms" must be an integer from 0 to 86400000"#),
        (r#"{"settle":{"limit":5}}"#, r#"step 0 ("settle"): unknown field "settle.limit""#),
        (
            r#"{"settle":{"limit_ms":0}}"#,
            r#"step 0 ("settle"): "settle.limit_ms" must be an integer from 1 to 86400000"#,
        ),
        (r#"{"settle":true}"#, r#"step 0 ("settle"): "settle" must be an object, e.g. {} or {"limit_ms": 60000}"#),
        (r#"{"link":["A","B"]}"#, r#"step 0 ("link"): give "latency_ms", "bandwidth_kbps" or both"#),
        (
            r#"{"link":["A","B"],"bandwidth_kbps":0}"#,
            r#"step 0 ("link"): "bandwidth_kbps" must be an integer from 1 to 100000000"#,
        ),
        (
            r#"{"link":["A","B"],"latency_ms":60001}"#,
            r#"step 0 ("link"): "latency_ms" must be an integer from 0 to 60000"#,
        ),
        (r#"{"cut":["A","B"],"comment":7}"#, r#"step 0 ("cut"): "comment" must be a string"#),
        (r#"{"cut":["A","B"],"heal":["A","B"]}"#, r#"step 0 ("cut"): unknown field "heal""#),
        (
            r#"{"explode":"A"}"#,
            "step 0: no verb (expected one of: cmd, settle, advance_ms, cut, cut_one_way, partition, partition_one_way, heal, crash, restart, link)",
        ),
        (r#"[1]"#, "step 0: expected an object"),
        (
            r#"{"advance_ms":86400000},{"advance_ms":1}"#,
            r#"step 1 ("advance_ms"): the scenario's advance_ms and settle limits add up to more than 86400000 ms of virtual time"#,
        ),
    ];
    for (steps, expected) in cases {
        assert_eq!(error(&with_steps(steps)), expected, "steps: {steps}");
    }
}

#[test]
fn node_errors_use_redis_config_messages() {
    let cases = [
        (
            r#"[{"name":"A","config":{"repl-backlog-size":"lots"}}]"#,
            r#"node 0 ("A"): config: ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be a memory value"#,
        ),
        (
            r#"[{"name":"A","config":{"no-such-option":"1"}}]"#,
            r#"node 0 ("A"): config: ERR Unknown option or number of arguments for CONFIG SET - 'no-such-option'"#,
        ),
        (
            r#"[{"name":"A"},{"name":"B","config":{"replicaof":"A"}}]"#,
            r#"node 1 ("B"): config: replicaof "A": expected "<host> <port>" with a port from 0 to 65535"#,
        ),
        (r#"[{"name":"A","config":{"port":true}}]"#, r#"node 0 ("A"): config "port": expected a string or a number"#),
        (r#"[{"name":"A"},{"name":"A"}]"#, r#"node 1 ("A"): duplicate node name"#),
        (r#"[{"name":"A B"}]"#, r#"node 0 ("A B"): "name" must be 1 to 32 letters, digits, '_', '-' or '.'"#),
        (r#"[]"#, r#"scenario: "nodes" is empty"#),
    ];
    for (nodes, expected) in cases {
        assert_eq!(error(&format!(r#"{{"version":1,"nodes":{nodes}}}"#)), expected, "nodes: {nodes}");
    }
}

#[test]
fn top_level_errors() {
    assert_eq!(
        error(r#"{"version":2,"nodes":[{"name":"A"}]}"#),
        "scenario: version 2 is not supported (this build reads version 1)"
    );
    assert_eq!(
        error(r#"{"version":1,"nodes":[{"name":"A"}],"sed":1}"#),
        "scenario: unknown field `sed`, expected one of `version`, `seed`, `start_unix_ms`, `description`, `nodes`, `steps` at line 1 column 41"
    );
    assert_eq!(error(r#"{"nodes":[{"name":"A"}]}"#), "scenario: missing field `version` at line 1 column 24");
    assert_eq!(
        error(r#"{"version":1,"nodes":[{"name":"A","confg":{}}]}"#),
        "scenario: unknown field `confg`, expected `name` or `config` at line 1 column 41"
    );
    assert_eq!(error("{"), "scenario: EOF while parsing an object at line 1 column 1");
}

#[test]
fn absurd_sizes_are_refused_not_attempted() {
    let nodes: Vec<String> = (0..17).map(|i| format!(r#"{{"name":"N{i}"}}"#)).collect();
    assert_eq!(
        error(&format!(r#"{{"version":1,"nodes":[{}]}}"#, nodes.join(","))),
        "scenario: 17 nodes, more than the limit of 16"
    );
    let steps = vec![r#"{"advance_ms":0}"#; 10_001].join(",");
    assert_eq!(error(&with_steps(&steps)), "scenario: 10001 steps, more than the limit of 10000");
    let huge = " ".repeat(16 * 1024 * 1024 + 1);
    assert_eq!(error(&huge), "scenario is 16777217 bytes, more than the limit of 16777216");
}
