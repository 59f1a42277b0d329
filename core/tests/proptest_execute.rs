//! Property test: any argv — real command names in random case, arguments
//! that are numbers at the edges of i64, negatives, empty strings, binary
//! — never makes `Node::execute` panic, in or out of MULTI, on a master or
//! a replica.

use proptest::prelude::*;
use replscope_core::commands;
use replscope_core::config::Config;
use replscope_core::node::{ClientId, Node};
use replscope_core::resp::Frame;
use replscope_core::server::Role;

fn name() -> impl Strategy<Value = Vec<u8>> {
    let names: Vec<&'static str> = commands::table().iter().map(|c| c.name).collect();
    prop_oneof![
        8 => (prop::sample::select(names), any::<u64>()).prop_map(|(n, mask)| {
            n.bytes().enumerate().map(|(i, b)| if mask >> (i % 64) & 1 == 1 { b.to_ascii_uppercase() } else { b }).collect()
        }),
        1 => prop::collection::vec(any::<u8>(), 0..12),
        1 => prop::sample::select(vec!["multi", "exec", "discard", "quit", "select", "config"]).prop_map(|s| s.as_bytes().to_vec()),
    ]
}

fn arg() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            "0",
            "1",
            "-1",
            "k",
            "v",
            "f",
            "",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "18446744073709551616",
            "1e308",
            "-inf",
            "+inf",
            "nan",
            "0.5",
            " 1",
            "EX",
            "PX",
            "EXAT",
            "PXAT",
            "NX",
            "XX",
            "GET",
            "KEEPTTL",
            "WITHSCORES",
            "LIMIT",
            "BEFORE",
            "AFTER",
            "LEFT",
            "RIGHT",
            "COUNT",
            "MATCH",
            "*",
            "get",
            "set",
            "maxmemory",
            "16",
            "100000000000",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..16),
    ]
}

fn command() -> impl Strategy<Value = Vec<Vec<u8>>> {
    (name(), prop::collection::vec(arg(), 0..7)).prop_map(|(n, mut args)| {
        args.insert(0, n);
        args
    })
}

/// Cases per property: `PROPTEST_CASES` overrides the fast default.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(200)))]

    #[test]
    fn execute_never_panics(cmds in prop::collection::vec(command(), 1..25), replica in any::<bool>(), now in 0u64..4_000_000_000_000) {
        let mut node = Node::new("A", Config::default(), 3, now);
        node.server.repl.create_backlog(1 << 16);
        if replica {
            node.server.role = Role::Replica { host: "127.0.0.1".into(), port: 6379 };
        }
        for (i, argv) in cmds.into_iter().enumerate() {
            let client = ClientId(i as u64 % 2);
            let reply: Frame = node.execute(now + i as u64 * 1000, client, argv);
            let _ = reply.to_bytes();
        }
        node.server.repl.take_outgoing();
    }
}
