//! The replica's stream apply path, fed by hand as a fake master would: the
//! fast path (commands parsed straight out of the segment) and the frames it
//! leaves to the frame parser, split at every byte, must apply the same
//! commands and advance the offset by exactly their bytes.

use replscope_core::config::Config;
use replscope_core::keyspace::Value;
use replscope_core::net::{Action, ConnId};
use replscope_core::node::{ClientId, Node};
use replscope_core::server::Server;

const T0: u64 = 1_767_225_600_000;
const REPLID: &str = "0123456789012345678901234567890123456789";

fn argv(words: &str) -> Vec<Vec<u8>> {
    words.split_whitespace().map(|w| w.as_bytes().to_vec()).collect()
}

/// Replica B after a full sync from a fake master at offset 0 (empty RDB),
/// with the connection the stream arrives on.
fn connected_replica() -> (Node, ConnId) {
    let mut b = Node::new("B", Config::default(), 7, T0);
    b.execute(T0, ClientId(1), argv("REPLICAOF A 6379"));
    let mut now = T0;
    let conn = loop {
        if let Some(Action::Connect { conn, .. }) = b.poll_action() {
            break conn;
        }
        now = b.poll_timeout().expect("a timer");
        b.handle_timeout(now);
    };
    b.on_connected(now, conn);
    b.on_bytes(now, conn, b"+PONG\r\n");
    b.on_bytes(now, conn, b"+OK\r\n+OK\r\n");
    let rdb = replscope_core::rdb::encode(&Server::new("A", Config::default(), 1, T0), now);
    let mut sync = format!("+FULLRESYNC {REPLID} 0\r\n${}\r\n", rdb.len()).into_bytes();
    sync.extend_from_slice(&rdb);
    b.on_bytes(now, conn, &sync);
    assert_eq!(b.server.repl.master_replid, REPLID, "{:#?}", b.server.log);
    assert_eq!(b.server.repl.master_repl_offset, 0);
    (b, conn)
}

fn string(b: &Node, key: &str) -> Option<Vec<u8>> {
    match b.server.keyspace.db(0).get(key.as_bytes()) {
        Some(Value::String(v)) => Some(v.clone()),
        _ => None,
    }
}

#[test]
fn commands_split_anywhere_apply_once_with_their_exact_length() {
    // A plain command, one with an integer argument (left to the frame
    // parser), then a plain one again in the same bytes.
    let mut stream = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\n".to_vec();
    stream.extend_from_slice(b"*3\r\n$3\r\nSET\r\n:5\r\n$2\r\nv2\r\n");
    stream.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$1\r\nj\r\n$2\r\nv3\r\n");
    for cut in 0..=stream.len() {
        for second in cut..=stream.len() {
            let (mut b, conn) = connected_replica();
            b.on_bytes(T0 + 10, conn, &stream[..cut]);
            b.on_bytes(T0 + 10, conn, &stream[cut..second]);
            b.on_bytes(T0 + 10, conn, &stream[second..]);
            assert_eq!(b.server.repl.master_repl_offset, stream.len() as u64, "cuts at {cut}, {second}");
            assert_eq!(string(&b, "k"), Some(b"v1".to_vec()));
            assert_eq!(string(&b, "5"), Some(b"v2".to_vec()));
            assert_eq!(string(&b, "j"), Some(b"v3".to_vec()), "cuts at {cut}, {second}");
        }
    }
}

#[test]
fn a_non_array_frame_is_read_but_not_applied_and_a_bad_one_drops_the_link() {
    let (mut b, conn) = connected_replica();
    b.on_bytes(T0 + 10, conn, b"+OK\r\n*1\r\n$4\r\nPING\r\n");
    assert_eq!(b.server.repl.master_repl_offset, 14, "only the PING counts");
    b.on_bytes(T0 + 10, conn, b"*1\r\n$4\r\nPINGxx");
    assert!(b.server.log.iter().any(|l| l.text.starts_with("Protocol error from MASTER")), "{:#?}", b.server.log);
    assert_eq!(b.server.repl.master_repl_offset, 14);
}
