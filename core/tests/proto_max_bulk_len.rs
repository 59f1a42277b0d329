//! `proto-max-bulk-len`: the longest bulk a client may send and the longest
//! string SETRANGE/APPEND may build, as a real config. Every reply below
//! was observed on Redis 7.0.15 (redis-cli and raw sockets; a replica with
//! a lower limit than its master for the master-stream exemption).

use replscope_core::config::Config;
use replscope_core::net::Addr;
use replscope_core::node::{ClientId, Node};
use replscope_core::resp::{Frame, encode_command};
use replscope_core::sim::{CommandResult, DEFAULT_START_MS, Sim};

const T0: u64 = DEFAULT_START_MS;
const TOO_BIG: &str = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
const BAD_BULK: &[u8] = b"-ERR Protocol error: invalid bulk length\r\n";

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn node_with(limit: &str) -> Node {
    let mut node = Node::new("A", Config::from_pairs(&[("proto-max-bulk-len", limit)]).unwrap(), 7, T0);
    node.server.repl.create_backlog(1 << 20);
    node
}

fn run(node: &mut Node, words: &[&str]) -> String {
    String::from_utf8_lossy(&node.execute(T0, ClientId(1), argv(words)).to_bytes()).into_owned()
}

#[test]
fn setrange_and_append_stop_at_the_configured_limit() {
    let mut a = node_with("1mb");
    assert_eq!(run(&mut a, &["SETRANGE", "a", "1048575", "x"]), ":1048576\r\n");
    assert_eq!(run(&mut a, &["SETRANGE", "b", "1048576", "x"]), TOO_BIG);
    // Writing nothing is answered before the check (0 for a missing key,
    // the length for an existing one).
    assert_eq!(run(&mut a, &["SETRANGE", "b", "1048576", ""]), ":0\r\n");
    assert_eq!(run(&mut a, &["SETRANGE", "a", "2000000", ""]), ":1048576\r\n");
    assert_eq!(run(&mut a, &["APPEND", "a", "y"]), TOO_BIG);
    assert_eq!(run(&mut a, &["STRLEN", "a"]), ":1048576\r\n");
    assert_eq!(run(&mut a, &["EXISTS", "b"]), ":0\r\n");
    // Inside MULTI the check runs at EXEC; the other commands still run.
    assert_eq!(run(&mut a, &["MULTI"]), "+OK\r\n");
    assert_eq!(run(&mut a, &["SETRANGE", "k", "2000000", "x"]), "+QUEUED\r\n");
    assert_eq!(run(&mut a, &["SET", "s", "v"]), "+QUEUED\r\n");
    assert_eq!(run(&mut a, &["EXEC"]), format!("*2\r\n{TOO_BIG}+OK\r\n"));
    // Raising it lets the same command through.
    assert_eq!(run(&mut a, &["CONFIG", "SET", "proto-max-bulk-len", "2mb"]), "+OK\r\n");
    assert_eq!(run(&mut a, &["APPEND", "a", "y"]), ":1048577\r\n");
    assert_eq!(run(&mut a, &["SETRANGE", "b", "2097151", "x"]), ":2097152\r\n");
    assert_eq!(run(&mut a, &["SETRANGE", "c", "2097152", "x"]), TOO_BIG);
    assert_eq!(
        run(&mut a, &["CONFIG", "GET", "proto-max-bulk-len"]),
        "*2\r\n$18\r\nproto-max-bulk-len\r\n$7\r\n2097152\r\n"
    );
}

/// The default is Redis's 512mb.
#[test]
fn default_limit_is_512mb() {
    let mut a = Node::new("A", Config::default(), 7, T0);
    assert_eq!(run(&mut a, &["SETRANGE", "a", "536870912", "x"]), TOO_BIG);
    assert_eq!(
        run(&mut a, &["CONFIG", "GET", "proto-max-bulk-len"]),
        "*2\r\n$18\r\nproto-max-bulk-len\r\n$9\r\n536870912\r\n"
    );
}

/// A `$<len>` over the limit closes the connection; exactly the limit makes
/// the parser wait for the data. The limit is read at each `$` line: a
/// `CONFIG SET` earlier in the same bytes already applies.
#[test]
fn request_parser_follows_the_config() {
    let mut a = node_with("1mb");
    let header = |n: usize| format!("*3\r\n$3\r\nSET\r\n$2\r\nk3\r\n${n}\r\n").into_bytes();
    let out = a.client_bytes(T0, ClientId(1), &header(1048576));
    assert_eq!((out.reply_bytes.as_slice(), out.close), (&b""[..], false));
    let out = a.client_bytes(T0, ClientId(2), &header(1048577));
    assert_eq!((out.reply_bytes.as_slice(), out.close), (BAD_BULK, true));

    let mut bytes = Vec::new();
    encode_command(&[&b"CONFIG"[..], b"SET", b"proto-max-bulk-len", b"2mb"], &mut bytes);
    let big = vec![b'z'; 1_500_000];
    encode_command(&[&b"SET"[..], b"k3", &big], &mut bytes);
    let out = a.client_bytes(T0, ClientId(3), &bytes);
    assert_eq!((out.reply_bytes.as_slice(), out.close), (&b"+OK\r\n+OK\r\n"[..], false));

    let mut bytes = Vec::new();
    encode_command(&[&b"CONFIG"[..], b"SET", b"proto-max-bulk-len", b"1mb"], &mut bytes);
    bytes.extend_from_slice(&header(1_500_000));
    let out = a.client_bytes(T0, ClientId(4), &bytes);
    assert_eq!(out.reply_bytes, [&b"+OK\r\n"[..], BAD_BULK].concat());
    assert!(out.close);

    // Connections accepted from the network parse with the same limit.
    let conn = a.on_accept(T0, Addr::new("X", 40001));
    a.on_bytes(T0, conn, &header(1048577));
    assert_eq!(a.take_output(conn, usize::MAX), BAD_BULK);
}

/// A replica applies what its master accepted even past its own, lower
/// limit (Redis exempts the master client), so it never diverges.
#[test]
fn master_stream_is_exempt_on_a_replica() {
    let mut sim = Sim::new(1, T0);
    let pairs = |p: &[(&str, &str)]| p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    sim.add_node("A", &pairs(&[("proto-max-bulk-len", "4mb"), ("repl-diskless-sync-delay", "0")])).unwrap();
    sim.add_node("B", &pairs(&[("port", "6380"), ("proto-max-bulk-len", "1mb"), ("replicaof", "A 6379")])).unwrap();
    sim.settle(60_000).unwrap();
    let reply = |r: CommandResult| match r {
        CommandResult::Reply(f) => f,
        other => panic!("{other:?}"),
    };
    assert_eq!(reply(sim.command("A", argv(&["SETRANGE", "k", "2000000", "x"]))), Frame::Integer(2_000_001));
    assert_eq!(reply(sim.command("A", argv(&["APPEND", "k", "yyy"]))), Frame::Integer(2_000_004));
    let big = String::from_utf8(vec![b'z'; 1_500_000]).unwrap();
    assert_eq!(reply(sim.command("A", argv(&["SET", "k2", &big]))), Frame::ok());
    sim.settle(60_000).unwrap();
    assert_eq!(reply(sim.command("B", argv(&["STRLEN", "k"]))), Frame::Integer(2_000_004));
    assert_eq!(reply(sim.command("B", argv(&["STRLEN", "k2"]))), Frame::Integer(1_500_000));
    assert_eq!(
        reply(sim.command("B", argv(&["CONFIG", "GET", "proto-max-bulk-len"]))),
        Frame::Array(vec![Frame::bulk("proto-max-bulk-len"), Frame::bulk("1048576")])
    );
}
