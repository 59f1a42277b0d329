//! Server commands through `Node::execute`, asserting raw RESP bytes.
//!
//! Every expected reply, error and replication-stream byte here was observed
//! on a real Redis 7.0.15 (`redis-server` on 127.0.0.1, raw sockets; the
//! stream read from a raw `PSYNC ? -1` connection with
//! `repl-diskless-sync no`).

use proptest::prelude::*;
use replscope_core::config::Config;
use replscope_core::node::{ClientId, Node};

const T0: u64 = 1_795_671_378_000;
const C: ClientId = ClientId(1);

fn node() -> Node {
    Node::new("A", Config { port: 17200, ..Config::default() }, 7, T0)
}

/// Runs a space-separated command (`\0` stands for an empty argument) and
/// returns the reply bytes.
fn run(node: &mut Node, cmd: &str) -> Vec<u8> {
    run_at(node, T0, cmd)
}

fn run_at(node: &mut Node, now: u64, cmd: &str) -> Vec<u8> {
    let argv = cmd.split(' ').map(|w| if w == "\\0" { Vec::new() } else { w.as_bytes().to_vec() }).collect();
    node.execute(now, C, argv).to_bytes()
}

fn run_argv(node: &mut Node, argv: &[&str]) -> Vec<u8> {
    node.execute(T0, C, argv.iter().map(|w| w.as_bytes().to_vec()).collect()).to_bytes()
}

fn s(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

#[test]
fn ping_echo_time_lastsave_dbsize() {
    let mut n = node();
    assert_eq!(s(run(&mut n, "PING")), "+PONG\r\n");
    assert_eq!(s(run(&mut n, "PING hi")), "$2\r\nhi\r\n");
    assert_eq!(s(run(&mut n, "PING \\0")), "$0\r\n\r\n");
    assert_eq!(s(run(&mut n, "PING a b")), "-ERR wrong number of arguments for 'ping' command\r\n");
    assert_eq!(s(run(&mut n, "ECHO")), "-ERR wrong number of arguments for 'echo' command\r\n");
    assert_eq!(s(run(&mut n, "ECHO a b")), "-ERR wrong number of arguments for 'echo' command\r\n");
    assert_eq!(s(run(&mut n, "ECHO a")), "$1\r\na\r\n");
    assert_eq!(s(run_at(&mut n, 1_795_671_574_488, "TIME")), "*2\r\n$10\r\n1795671574\r\n$6\r\n488000\r\n");
    assert_eq!(s(run(&mut n, "LASTSAVE")), ":1795671378\r\n");
    assert_eq!(s(run(&mut n, "ROLE x")), "-ERR wrong number of arguments for 'role' command\r\n");
    assert_eq!(s(run(&mut n, "DBSIZE")), ":0\r\n");
    assert_eq!(s(run(&mut n, "DBSIZE x")), "-ERR wrong number of arguments for 'dbsize' command\r\n");
    run(&mut n, "SET a 1");
    assert_eq!(s(run(&mut n, "DBSIZE")), ":1\r\n");
}

#[test]
fn select_errors_and_dbs() {
    let mut n = node();
    for (arg, reply) in [
        ("16", "-ERR DB index is out of range\r\n"),
        ("-1", "-ERR DB index is out of range\r\n"),
        ("2147483647", "-ERR DB index is out of range\r\n"),
        ("2147483648", "-ERR value is not an integer or out of range\r\n"),
        ("abc", "-ERR value is not an integer or out of range\r\n"),
        ("01", "-ERR value is not an integer or out of range\r\n"),
        ("+1", "-ERR value is not an integer or out of range\r\n"),
        ("1.0", "-ERR value is not an integer or out of range\r\n"),
        ("99999999999999999999", "-ERR value is not an integer or out of range\r\n"),
    ] {
        assert_eq!(s(run(&mut n, &format!("SELECT {arg}"))), reply, "SELECT {arg}");
    }
    assert_eq!(s(run(&mut n, "SELECT 1")), "+OK\r\n");
    assert_eq!(s(run(&mut n, "DBSIZE")), ":0\r\n");
    assert_eq!(n.client(C).unwrap().db, 1);
}

#[test]
fn role_of_a_master() {
    let mut n = node();
    assert_eq!(s(run(&mut n, "ROLE")), "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
}

#[test]
fn info_replication_bytes_of_a_lone_master() {
    let mut n = node();
    let replid = n.server.repl.master_replid.clone();
    let body = format!(
        "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n\
         master_replid:{replid}\r\nmaster_replid2:0000000000000000000000000000000000000000\r\n\
         master_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n\
         repl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n"
    );
    assert_eq!(body.len(), 349);
    assert_eq!(s(run(&mut n, "INFO replication")), format!("$349\r\n{body}\r\n"));
    assert_eq!(s(run(&mut n, "INFO REPLICATION nosuch")), format!("$349\r\n{body}\r\n"));
    assert_eq!(s(run(&mut n, "INFO nosuch")), "$0\r\n\r\n");
    assert_eq!(s(run(&mut n, "INFO keyspace")), "$12\r\n# Keyspace\r\n\r\n");
    run(&mut n, "SET a 1");
    assert_eq!(s(run(&mut n, "INFO keyspace")), "$44\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n\r\n");
}

#[test]
fn info_stats_follow_the_node() {
    let mut n = node();
    n.server.stats.sync_full = 2;
    let text = s(run(&mut n, "INFO stats"));
    assert!(text.contains("\r\nsync_full:2\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\nexpired_keys:0\r\n"));
    assert_eq!(s(run(&mut n, "CONFIG RESETSTAT")), "+OK\r\n");
    assert!(s(run(&mut n, "INFO stats")).contains("\r\nsync_full:0\r\n"));
    assert_eq!(
        s(run(&mut n, "CONFIG RESETSTAT x")),
        "-ERR wrong number of arguments for 'config|resetstat' command\r\n"
    );
}

#[test]
fn config_get_set_replies() {
    let mut n = node();
    assert_eq!(s(run(&mut n, "CONFIG GET port")), "*2\r\n$4\r\nport\r\n$5\r\n17200\r\n");
    assert_eq!(s(run(&mut n, "CONFIG GET HZ")), "*2\r\n$2\r\nHZ\r\n$2\r\n10\r\n");
    assert_eq!(s(run(&mut n, "CONFIG GET nosuch")), "*0\r\n");
    assert_eq!(
        s(run(&mut n, "CONFIG GET *read-only")),
        "*4\r\n$17\r\nreplica-read-only\r\n$3\r\nyes\r\n$15\r\nslave-read-only\r\n$3\r\nyes\r\n"
    );
    assert_eq!(
        s(run_argv(&mut n, &["CONFIG", "GET", "client-output-buffer-limit"])),
        "*2\r\n$26\r\nclient-output-buffer-limit\r\n$67\r\nnormal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60\r\n"
    );
    assert_eq!(s(run(&mut n, "CONFIG GET masterauth")), "*2\r\n$10\r\nmasterauth\r\n$0\r\n\r\n");
    assert_eq!(s(run(&mut n, "CONFIG SET repl-backlog-size 1000")), "+OK\r\n");
    assert_eq!(s(run(&mut n, "CONFIG GET repl-backlog-size")), "*2\r\n$17\r\nrepl-backlog-size\r\n$5\r\n16384\r\n");
    assert_eq!(s(run(&mut n, "CONFIG SET hz 20 repl-timeout 30")), "+OK\r\n");
    assert_eq!(n.server.config.hz, 20);
    assert_eq!(n.server.config.repl_timeout, 30);
    assert_eq!(s(run_argv(&mut n, &["CONFIG", "SET", "save", "900 1 300 10"])), "+OK\r\n");
    assert_eq!(s(run(&mut n, "CONFIG GET save")), "*2\r\n$4\r\nsave\r\n$12\r\n900 1 300 10\r\n");
}

#[test]
fn config_errors() {
    let mut n = node();
    for (cmd, reply) in [
        ("CONFIG", "-ERR wrong number of arguments for 'config' command\r\n"),
        ("CONFIG GET", "-ERR wrong number of arguments for 'config|get' command\r\n"),
        ("CONFIG GeT", "-ERR wrong number of arguments for 'config|get' command\r\n"),
        ("CONFIG SET", "-ERR wrong number of arguments for 'config|set' command\r\n"),
        ("CONFIG SET hz", "-ERR wrong number of arguments for 'config|set' command\r\n"),
        ("CONFIG SET hz 10 port", "-ERR syntax error\r\n"),
        ("CONFIG SET nosuch 1", "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n"),
        (
            "CONFIG SET databases 3",
            "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n",
        ),
        (
            "CONFIG SET hz abc",
            "-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer\r\n",
        ),
        (
            "CONFIG SET hz 20 hz 30",
            "-ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter\r\n",
        ),
        ("CONFIG FOO", "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n"),
        ("config foo bar", "-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n"),
        ("CONFIG REWRITE", "-ERR The server is running without a config file\r\n"),
        ("CONFIG REWRITE x", "-ERR wrong number of arguments for 'config|rewrite' command\r\n"),
        ("CONFIG HELP x", "-ERR wrong number of arguments for 'config|help' command\r\n"),
    ] {
        assert_eq!(s(run(&mut n, cmd)), reply, "{cmd}");
    }
    // Long subcommands are cut at 128 bytes; CR/LF become spaces.
    let long = "a".repeat(140);
    assert_eq!(
        s(run_argv(&mut n, &["CONFIG", &long])),
        format!("-ERR unknown subcommand '{}'. Try CONFIG HELP.\r\n", "a".repeat(128))
    );
    assert_eq!(s(run_argv(&mut n, &["config", "a\r\nbc"])), "-ERR unknown subcommand 'a  bc'. Try CONFIG HELP.\r\n");
    let help = s(run(&mut n, "CONFIG HELP"));
    assert!(
        help.starts_with(
            "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n"
        )
    );
    assert_eq!(n.server.config, Config { port: 17200, ..Config::default() });
}

#[test]
fn command_count_list_help() {
    let mut n = node();
    let count = replscope_core::commands::table().len();
    assert_eq!(s(run(&mut n, "COMMAND COUNT")), format!(":{count}\r\n"));
    assert_eq!(s(run(&mut n, "COMMAND COUNT x")), "-ERR wrong number of arguments for 'command|count' command\r\n");
    assert_eq!(s(run(&mut n, "COMMAND nosuch")), "-ERR unknown subcommand 'nosuch'. Try COMMAND HELP.\r\n");
    assert_eq!(s(run(&mut n, "COMMAND LIST x")), "-ERR syntax error\r\n");
    assert_eq!(s(run(&mut n, "COMMAND LIST FILTERBY pattern")), "-ERR syntax error\r\n");
    assert_eq!(s(run(&mut n, "COMMAND LIST FILTERBY PATTERN fl*")), "*2\r\n$8\r\nflushall\r\n$7\r\nflushdb\r\n");
    assert!(s(run(&mut n, "COMMAND HELP")).starts_with("*21\r\n+COMMAND <subcommand>"));
}

#[test]
fn flushes_propagate_verbatim() {
    let mut n = node();
    n.server.repl.create_backlog(1 << 20);
    let expect = |n: &mut Node, cmd: &str, stream: &str| {
        let reply = s(run(n, cmd));
        assert!(reply == "+OK\r\n" || reply == "+PONG\r\n", "{cmd}: {reply}");
        assert_eq!(s(n.server.repl.take_outgoing()), stream, "{cmd}");
    };
    // FLUSHALL on an empty server is still propagated.
    expect(&mut n, "FLUSHALL", "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$8\r\nFLUSHALL\r\n");
    expect(&mut n, "FLUSHDB", "*1\r\n$7\r\nFLUSHDB\r\n");
    expect(&mut n, "SELECT 3", "");
    expect(&mut n, "FLUSHDB", "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*1\r\n$7\r\nFLUSHDB\r\n");
    expect(&mut n, "FLUSHALL ASYNC", "*2\r\n$8\r\nFLUSHALL\r\n$5\r\nASYNC\r\n");
    expect(&mut n, "FLUSHDB SYNC", "*2\r\n$7\r\nFLUSHDB\r\n$4\r\nSYNC\r\n");
    expect(&mut n, "SELECT 0", "");
    expect(&mut n, "flushall async", "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*2\r\n$8\r\nflushall\r\n$5\r\nasync\r\n");
    expect(&mut n, "FlushDb", "*1\r\n$7\r\nFlushDb\r\n");
    expect(&mut n, "swapdb 0 1", "*3\r\n$6\r\nswapdb\r\n$1\r\n0\r\n$1\r\n1\r\n");
    expect(&mut n, "PING", "");
    expect(&mut n, "CONFIG SET hz 10", "");
    for (cmd, err) in [
        ("FLUSHALL x", "-ERR syntax error\r\n"),
        ("FLUSHALL async x", "-ERR syntax error\r\n"),
        ("FLUSHDB LAZY", "-ERR syntax error\r\n"),
        ("SWAPDB 0 16", "-ERR DB index is out of range\r\n"),
        ("SWAPDB -1 0", "-ERR DB index is out of range\r\n"),
        ("SWAPDB a 1", "-ERR invalid first DB index\r\n"),
        ("SWAPDB 0 a", "-ERR invalid second DB index\r\n"),
    ] {
        assert_eq!(s(run(&mut n, cmd)), err, "{cmd}");
        assert_eq!(n.server.repl.take_outgoing(), b"", "{cmd}");
    }
}

#[test]
fn flush_counts_deleted_keys_as_changes() {
    // Observed: SET a, SET b (+2), FLUSHDB (+2), FLUSHDB on empty (+0),
    // FLUSHALL on empty (+0), SWAPDB 0 0 (+1).
    let mut n = node();
    run(&mut n, "SET a 1");
    run(&mut n, "SET b 2");
    assert_eq!(n.server.dirty, 2);
    run(&mut n, "FLUSHDB");
    assert_eq!(n.server.dirty, 4);
    run(&mut n, "FLUSHDB");
    run(&mut n, "FLUSHALL");
    assert_eq!(n.server.dirty, 4);
    run(&mut n, "SWAPDB 0 0");
    assert_eq!(n.server.dirty, 5);
}

#[test]
fn swapdb_swaps() {
    let mut n = node();
    run(&mut n, "SET a 1");
    assert_eq!(s(run(&mut n, "SWAPDB 0 5")), "+OK\r\n");
    assert_eq!(s(run(&mut n, "DBSIZE")), ":0\r\n");
    run(&mut n, "SELECT 5");
    assert_eq!(s(run(&mut n, "GET a")), "$1\r\n1\r\n");
}

proptest! {
    /// No argv makes a server command panic.
    #[test]
    fn arbitrary_arguments_never_panic(
        name in prop::sample::select(vec![
            "PING", "ECHO", "SELECT", "DBSIZE", "FLUSHDB", "FLUSHALL", "SWAPDB", "INFO", "CONFIG", "ROLE",
            "COMMAND", "TIME", "LASTSAVE",
        ]),
        sub in prop::sample::select(vec!["GET", "SET", "RESETSTAT", "REWRITE", "HELP", "COUNT", "LIST", "x", ""]),
        args in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..12), 0..6),
    ) {
        let mut n = node();
        let mut argv = vec![name.as_bytes().to_vec(), sub.as_bytes().to_vec()];
        argv.extend(args);
        let _ = n.execute(T0, C, argv);
    }
}

#[test]
fn commands_are_counted_after_they_run() {
    // Observed on Redis 7.0.15: `CONFIG RESETSTAT` then `INFO stats` shows
    // total_commands_processed:1 (the RESETSTAT itself), the next INFO 2.
    let mut n = node();
    run(&mut n, "SET a 1");
    assert_eq!(run(&mut n, "CONFIG RESETSTAT"), b"+OK\r\n");
    for expected in ["total_commands_processed:1\r\n", "total_commands_processed:2\r\n"] {
        let info = s(run(&mut n, "INFO stats"));
        assert!(info.contains(expected), "{expected:?} in {info}");
    }
}
