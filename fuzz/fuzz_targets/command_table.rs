//! Argv from arbitrary bytes → the command table, on a node.
//!
//! Input: commands separated by `\n`, arguments by ` `. A first word of
//! one byte `b` becomes the name of command `b % N` of the table (plus a
//! few names the table does not have), so the fuzzer reaches every handler
//! without spelling names.
//!
//! The same commands run on two nodes with the same seed: node A through
//! `Node::execute`, node B as multibulk bytes through `Node::client_bytes`.
//! Checked:
//! - no panic and no huge allocation, whatever the argv;
//! - both paths give byte-identical replies and replication streams and
//!   end with equal keyspaces;
//! - `INFO` and `KEYS *` work afterwards;
//! - the keyspace survives `rdb::encode` + `rdb::decode` unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replscope_core::commands::table;
use replscope_core::config::Config;
use replscope_core::node::{ClientId, Node};
use replscope_core::rdb;
use replscope_core::resp::{Frame, encode_command};

const START_MS: u64 = 1_767_225_600_000;
const MAX_COMMANDS: usize = 64;
/// Commands outside the table that clients still send.
const EXTRA: &[&str] =
    &["replicaof", "slaveof", "wait", "psync", "sync", "replconf", "debug", "save", "bgsave", "quit"];

fn name_for(b: u8) -> Vec<u8> {
    let t = table();
    let i = usize::from(b) % (t.len() + EXTRA.len());
    let name = if i < t.len() { t[i].name } else { EXTRA[i - t.len()] };
    name.as_bytes().to_vec()
}

fn parse(data: &[u8]) -> Vec<Vec<Vec<u8>>> {
    data.split(|&b| b == b'\n')
        .take(MAX_COMMANDS)
        .map(|line| {
            let mut argv: Vec<Vec<u8>> = line.split(|&b| b == b' ').map(<[u8]>::to_vec).collect();
            if argv[0].len() == 1 {
                argv[0] = name_for(argv[0][0]);
            }
            argv
        })
        .filter(|argv| !raises_string_limit(argv))
        .collect()
}

/// `CONFIG SET proto-max-bulk-len <huge>` then `SETRANGE k <huge> x` makes
/// a node allocate whatever was asked, as Redis would: legitimate, but past
/// libFuzzer's malloc and time limits. The nodes keep the 1mb set in
/// [`node`].
fn raises_string_limit(argv: &[Vec<u8>]) -> bool {
    argv[0].eq_ignore_ascii_case(b"config")
        && argv.iter().any(|a| a.eq_ignore_ascii_case(b"proto-max-bulk-len"))
}

fn node() -> Node {
    // Strings capped at Redis's minimum `proto-max-bulk-len` (1mb): the
    // limit's own checks are exercised, and a SETRANGE far out costs 1 MB,
    // not the default 512 MB (which RDB-encoded twice per input made the
    // target time out, found at 09:40 on 2026-11-26).
    let config = Config { proto_max_bulk_len: 1 << 20, ..Config::default() };
    let mut node = Node::new("A", config, 7, START_MS);
    // As if a replica had attached: writes advance the offset.
    node.server.repl.create_backlog(1 << 20);
    node
}

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fuzz_target!(|data: &[u8]| {
    let (mut a, mut b) = (node(), node());
    let client = ClientId(1);
    let mut now = START_MS;
    for argv in parse(data) {
        now += 250;
        let reply = a.execute(now, client, argv.clone()).to_bytes();
        let mut request = Vec::new();
        encode_command(&argv, &mut request);
        let out = b.client_bytes(now, client, &request);
        assert_eq!(reply, out.reply_bytes, "execute and client_bytes disagree on {argv:?}");
        assert_eq!(a.server.repl.take_outgoing(), b.server.repl.take_outgoing(), "streams differ after {argv:?}");
        a.cron(now);
        b.cron(now);
    }
    assert_eq!(a.server.keyspace, b.server.keyspace);

    // A fresh client: the fuzzed one may be inside MULTI.
    let other = ClientId(2);
    let info = a.execute(now, other, argv(&["INFO"]));
    assert!(matches!(info, Frame::Bulk(_)), "INFO replied {info:?}");
    let keys = a.execute(now, other, argv(&["KEYS", "*"]));
    assert!(matches!(keys, Frame::Array(_)), "KEYS * replied {keys:?}");

    let bytes = rdb::encode(&a.server, now);
    let snapshot = match rdb::decode(&bytes) {
        Ok(s) => s,
        Err(e) => panic!("our own snapshot does not load: {e}"),
    };
    assert_eq!(snapshot.keyspace, a.server.keyspace, "keyspace changed through RDB");
});
