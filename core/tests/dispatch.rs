//! Dispatch and MULTI/EXEC through `Node::client_bytes` and `Node::execute`.
//!
//! Every expected reply and stream byte here was observed on real Redis
//! 7.0.15 (Debian's redis-server) with python3 raw sockets: replies by
//! writing the same bytes to a fresh connection, propagation by attaching
//! a raw `PSYNC ? -1` replica (`repl-diskless-sync no`) and reading the
//! stream after the RDB.

use replscope_core::commands::{self, flags};
use replscope_core::config::Config;
use replscope_core::node::dispatch::{unknown_command, unknown_subcommand};
use replscope_core::node::{ClientId, ClientOutput, Node};
use replscope_core::resp::{Frame, encode_command};
use replscope_core::server::Role;

const C: ClientId = ClientId(1);

fn node() -> Node {
    let mut node = Node::new("A", Config::default(), 7, 1_767_225_600_000);
    node.server.repl.create_backlog(1 << 20);
    node
}

/// Sends one inline line per command, each in its own write, and returns
/// every reply's bytes.
fn session(node: &mut Node, lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            let out = node.client_bytes(0, C, format!("{l}\r\n").as_bytes());
            let mut s = String::from_utf8_lossy(&out.reply_bytes).into_owned();
            if out.close {
                s.push_str("<CLOSED>");
            }
            s
        })
        .collect()
}

fn stream(node: &mut Node) -> Vec<u8> {
    node.server.repl.take_outgoing()
}

fn cmds(list: &[&[&str]]) -> Vec<u8> {
    let mut out = Vec::new();
    for argv in list {
        encode_command(argv, &mut out);
    }
    out
}

fn bytes(node: &mut Node, input: &[u8]) -> ClientOutput {
    node.client_bytes(0, C, input)
}

#[test]
fn protocol_errors_reply_then_close() {
    let mut n = node();
    let out = bytes(&mut n, b"PING\r\nPING\r\n*x\r\nPING\r\n");
    assert_eq!(out.reply_bytes, b"+PONG\r\n+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n");
    assert!(out.close);
    let out = bytes(&mut n, b"*1\r\nx3\r\nfoo\r\n");
    assert_eq!(
        out,
        ClientOutput { reply_bytes: b"-ERR Protocol error: expected '$', got 'x'\r\n".to_vec(), close: true }
    );
    let out = bytes(&mut n, b"SET k \"a\r\n");
    assert_eq!(out.reply_bytes, b"-ERR Protocol error: unbalanced quotes in request\r\n");
    // A queued transaction does not change that.
    let out = bytes(&mut n, b"MULTI\r\nSET a 1\r\n*x\r\n");
    assert_eq!(out.reply_bytes, b"+OK\r\n+QUEUED\r\n-ERR Protocol error: invalid multibulk length\r\n");
    // The connection is gone: the same id is a fresh client, not in MULTI.
    assert_eq!(bytes(&mut n, b"EXEC\r\n").reply_bytes, b"-ERR EXEC without MULTI\r\n");
}

#[test]
fn inline_and_multibulk_mixed_and_split() {
    let mut n = node();
    let input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nGET k\r\n\r\nSET k \"a b\"\r\nGET k\r\n";
    let whole = bytes(&mut n, input);
    assert_eq!(whole.reply_bytes, b"+OK\r\n$1\r\nv\r\n+OK\r\n$3\r\na b\r\n");
    let mut n = node();
    let mut got = Vec::new();
    for b in input {
        got.extend(bytes(&mut n, &[*b]).reply_bytes);
    }
    assert_eq!(got, whole.reply_bytes);
}

#[test]
fn inline_limit_depends_on_16kb_reads_like_redis() {
    // Real Redis: a 70000-byte inline line sent at once succeeds (the line
    // end arrives in the 5th 16 KB read), a 100000-byte one fails.
    let mut n = node();
    let mut line = b"ECHO ".to_vec();
    line.resize(70_000, b'a');
    line.extend_from_slice(b"\r\n");
    let out = bytes(&mut n, &line);
    assert!(out.reply_bytes.starts_with(b"$69995\r\naaa") && !out.close);
    let mut line = b"ECHO ".to_vec();
    line.resize(100_000, b'a');
    line.extend_from_slice(b"\r\n");
    let out = bytes(&mut n, &line);
    assert_eq!(
        out,
        ClientOutput { reply_bytes: b"-ERR Protocol error: too big inline request\r\n".to_vec(), close: true }
    );
}

#[test]
fn quit_replies_ok_and_closes_even_in_multi() {
    let mut n = node();
    assert_eq!(session(&mut n, &["QUIT x"]), ["+OK\r\n<CLOSED>"]);
    let out = bytes(&mut n, b"MULTI\r\nSET a 1\r\nQUIT\r\nPING\r\n");
    assert_eq!(out, ClientOutput { reply_bytes: b"+OK\r\n+QUEUED\r\n+OK\r\n".to_vec(), close: true });
    assert!(n.client(C).is_none());
}

#[test]
fn unknown_command_format() {
    let a = |v: &[&[u8]]| unknown_command(&v.iter().map(|x| x.to_vec()).collect::<Vec<_>>());
    assert_eq!(a(&[b"foo"]), "ERR unknown command 'foo', with args beginning with: ");
    let long = vec![b'a'; 200];
    assert_eq!(
        a(&[b"foo", &long]),
        format!("ERR unknown command 'foo', with args beginning with: '{}' ", "a".repeat(128))
    );
    let many: Vec<Vec<u8>> =
        std::iter::once(b"foo".to_vec()).chain((0..40).map(|i| format!("arg{i}").into_bytes())).collect();
    assert_eq!(
        unknown_command(&many),
        "ERR unknown command 'foo', with args beginning with: 'arg0' 'arg1' 'arg2' 'arg3' 'arg4' 'arg5' 'arg6' \
         'arg7' 'arg8' 'arg9' 'arg10' 'arg11' 'arg12' 'arg13' 'arg14' 'arg15' 'arg16' 'ar' "
    );
    assert_eq!(
        a(&[b"foo", b"a\r\nb", b"c\x00d", b"e"]),
        "ERR unknown command 'foo', with args beginning with: 'a  b' 'c' 'e' "
    );
    assert_eq!(
        a(&[&[b'F'; 200], b"x"]),
        format!("ERR unknown command '{}', with args beginning with: 'x' ", "F".repeat(128))
    );
    let a120 = [b'a'; 120];
    assert_eq!(
        a(&[b"foo", &a120, b"bcdefghijkl", b"z"]),
        format!("ERR unknown command 'foo', with args beginning with: '{}' 'bcdef' ", "a".repeat(120))
    );
    let a125 = [b'a'; 125];
    assert_eq!(
        a(&[b"foo", &a125, b"bcdefghijkl", b"z"]),
        format!("ERR unknown command 'foo', with args beginning with: '{}' ", "a".repeat(125))
    );
    assert_eq!(a(&[b"f\x00oo", b"x"]), "ERR unknown command 'f', with args beginning with: 'x' ");
    assert_eq!(a(&[b"", b"x"]), "ERR unknown command '', with args beginning with: 'x' ");
    assert_eq!(a(&[b"foo", b""]), "ERR unknown command 'foo', with args beginning with: '' ");
    let s = |v: &[&[u8]]| unknown_subcommand(&v.iter().map(|x| x.to_vec()).collect::<Vec<_>>());
    assert_eq!(s(&[b"config", b"foo"]), "ERR unknown subcommand 'foo'. Try CONFIG HELP.");
    assert_eq!(s(&[b"CONFIG", b"Foo", b"bar"]), "ERR unknown subcommand 'Foo'. Try CONFIG HELP.");
    let x200 = [b'x'; 200];
    assert_eq!(s(&[b"config", &x200]), format!("ERR unknown subcommand '{}'. Try CONFIG HELP.", "x".repeat(128)));
}

#[test]
fn multi_exec_discard_replies() {
    let mut n = node();
    assert_eq!(
        session(&mut n, &["EXEC", "DISCARD"]),
        ["-ERR EXEC without MULTI\r\n", "-ERR DISCARD without MULTI\r\n"]
    );
    assert_eq!(
        session(&mut n, &["MULTI", "MULTI", "SET k 1", "EXEC"]),
        ["+OK\r\n", "-ERR MULTI calls can not be nested\r\n", "+QUEUED\r\n", "*1\r\n+OK\r\n"]
    );
    assert_eq!(
        session(&mut n, &["MULTI", "EXEC", "MULTI", "DISCARD", "EXEC", "MULTI", "PING", "EXEC"]),
        [
            "+OK\r\n",
            "*0\r\n",
            "+OK\r\n",
            "+OK\r\n",
            "-ERR EXEC without MULTI\r\n",
            "+OK\r\n",
            "+QUEUED\r\n",
            "*1\r\n+PONG\r\n"
        ]
    );
    // Runtime errors are elements of EXEC's array; the rest still runs.
    assert_eq!(
        session(&mut n, &["MULTI", "SET a 1", "SET k v BADOPT", "EXEC"]),
        ["+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "*2\r\n+OK\r\n-ERR syntax error\r\n"]
    );
}

#[test]
fn queueing_errors_abort_exec() {
    const ABORT: &str = "-EXECABORT Transaction discarded because of previous errors.\r\n";
    let mut n = node();
    assert_eq!(
        session(&mut n, &["MULTI", "FOO a", "SET k 1", "EXEC", "GET k"]),
        ["+OK\r\n", "-ERR unknown command 'FOO', with args beginning with: 'a' \r\n", "+QUEUED\r\n", ABORT, "$-1\r\n"]
    );
    assert_eq!(
        session(&mut n, &["MULTI", "GET", "SET k 1", "EXEC", "EXEC"]),
        [
            "+OK\r\n",
            "-ERR wrong number of arguments for 'get' command\r\n",
            "+QUEUED\r\n",
            ABORT,
            "-ERR EXEC without MULTI\r\n"
        ]
    );
    assert_eq!(
        session(&mut n, &["MULTI", "MULTI x", "SET a 1", "EXEC"]),
        ["+OK\r\n", "-ERR wrong number of arguments for 'multi' command\r\n", "+QUEUED\r\n", ABORT]
    );
    assert_eq!(
        session(&mut n, &["MULTI", "DISCARD x", "EXEC"]),
        ["+OK\r\n", "-ERR wrong number of arguments for 'discard' command\r\n", ABORT]
    );
    // DISCARD clears the error too.
    assert_eq!(session(&mut n, &["MULTI", "FOO", "DISCARD", "EXEC"])[2..], ["+OK\r\n", "-ERR EXEC without MULTI\r\n"]);
    // A rejected EXEC discards the transaction on the spot, in or out of MULTI.
    let abort_exec = "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n";
    assert_eq!(session(&mut n, &["EXEC x"]), [abort_exec]);
    assert_eq!(session(&mut n, &["MULTI", "EXEC x", "EXEC"]), ["+OK\r\n", abort_exec, "-ERR EXEC without MULTI\r\n"]);
    assert!(stream(&mut n).is_empty());
}

#[test]
fn no_multi_commands_are_refused_inside_multi() {
    // SAVE, SYNC, PSYNC, SHUTDOWN on 7.0.15; whichever the table has.
    for spec in commands::table().iter().filter(|c| c.has(flags::NO_MULTI)) {
        let mut n = node();
        let mut argv = vec![spec.name.as_bytes().to_vec()];
        while !spec.arity_ok(argv.len()) {
            argv.push(b"x".to_vec());
        }
        assert_eq!(n.execute(0, C, vec![b"MULTI".to_vec()]), Frame::ok());
        assert_eq!(n.execute(0, C, argv), Frame::error("ERR Command not allowed inside a transaction"));
        assert_eq!(
            n.execute(0, C, vec![b"EXEC".to_vec()]),
            Frame::error("EXECABORT Transaction discarded because of previous errors.")
        );
    }
}

#[test]
fn readonly_replica() {
    let mut n = node();
    n.server.role = Role::Replica { host: "127.0.0.1".into(), port: 6379 };
    n.server.master_link_up = true;
    let ro = "-READONLY You can't write against a read only replica.\r\n";
    assert_eq!(session(&mut n, &["SET k v", "SET k"]), [ro, "-ERR wrong number of arguments for 'set' command\r\n"]);
    assert_eq!(
        session(&mut n, &["MULTI", "SET k v", "GET k", "EXEC"]),
        ["+OK\r\n", ro, "+QUEUED\r\n", "-EXECABORT Transaction discarded because of previous errors.\r\n"]
    );
    assert_eq!(session(&mut n, &["MULTI", "GET k", "EXEC"]), ["+OK\r\n", "+QUEUED\r\n", "*1\r\n$-1\r\n"]);
    // Became a replica between queueing a write and EXEC.
    let mut n = node();
    assert_eq!(session(&mut n, &["MULTI", "SET k v"]), ["+OK\r\n", "+QUEUED\r\n"]);
    n.server.role = Role::Replica { host: "127.0.0.1".into(), port: 6379 };
    assert_eq!(
        session(&mut n, &["EXEC", "EXEC"]),
        [
            "-EXECABORT Transaction discarded because of: READONLY You can't write against a read only replica.\r\n",
            "-ERR EXEC without MULTI\r\n"
        ]
    );
}

#[test]
fn masterdown_when_link_down_and_stale_data_off() {
    let mut n = node();
    n.server.role = Role::Replica { host: "127.0.0.1".into(), port: 6379 };
    n.server.config.replica_serve_stale_data = false;
    let down = "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n";
    let ro = "-READONLY You can't write against a read only replica.\r\n";
    assert_eq!(session(&mut n, &["GET k", "PING", "SET k v", "ECHO a"]), [down, down, ro, "$1\r\na\r\n"]);
    // Unknown command and arity come first.
    assert_eq!(
        session(&mut n, &["FOO", "GET"]),
        [
            "-ERR unknown command 'FOO', with args beginning with: \r\n",
            "-ERR wrong number of arguments for 'get' command\r\n"
        ]
    );
    assert_eq!(
        session(&mut n, &["MULTI", "PING", "ECHO a", "EXEC"]),
        ["+OK\r\n", down, "+QUEUED\r\n", "-EXECABORT Transaction discarded because of previous errors.\r\n"]
    );
    // Link up again: served.
    n.server.master_link_up = true;
    assert_eq!(session(&mut n, &["GET k"]), ["$-1\r\n"]);
    // Queued while up, EXEC while down.
    assert_eq!(session(&mut n, &["MULTI", "GET k"]), ["+OK\r\n", "+QUEUED\r\n"]);
    n.server.master_link_up = false;
    assert_eq!(session(&mut n, &["EXEC"]), [format!("-EXECABORT Transaction discarded because of: {}", &down[1..])]);
}

#[test]
fn noreplicas() {
    let mut n = node();
    n.server.config.min_replicas_to_write = 5;
    let norep = "-NOREPLICAS Not enough good replicas to write.\r\n";
    assert_eq!(session(&mut n, &["SET k v", "GET k"]), [norep, "$-1\r\n"]);
    assert_eq!(
        session(&mut n, &["MULTI", "SET k v", "GET k", "EXEC"]),
        ["+OK\r\n", norep, "+QUEUED\r\n", "-EXECABORT Transaction discarded because of previous errors.\r\n"]
    );
    assert_eq!(session(&mut n, &["MULTI", "GET k", "EXEC"]), ["+OK\r\n", "+QUEUED\r\n", "*1\r\n$-1\r\n"]);
    n.server.good_replicas = 5;
    assert_eq!(session(&mut n, &["SET k v"]), ["+OK\r\n"]);
    // Queued while enough replicas were good, EXEC after they were lost.
    assert_eq!(session(&mut n, &["MULTI", "SET k v", "GET k"]), ["+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n"]);
    n.server.good_replicas = 4;
    assert_eq!(
        session(&mut n, &["EXEC"]),
        ["-EXECABORT Transaction discarded because of: NOREPLICAS Not enough good replicas to write.\r\n"]
    );
    // min-replicas-max-lag 0 disables the check.
    n.server.config.min_replicas_max_lag = 0;
    assert_eq!(session(&mut n, &["SET k v"]), ["+OK\r\n"]);
}

#[test]
fn exec_propagation() {
    let mut n = node();
    session(&mut n, &["SET warm 1"]);
    assert_eq!(stream(&mut n), cmds(&[&["SELECT", "0"], &["SET", "warm", "1"]]));
    // One write: bare, even with reads around it.
    session(&mut n, &["MULTI", "GET a", "SET a 2", "GET a", "EXEC"]);
    assert_eq!(stream(&mut n), cmds(&[&["SET", "a", "2"]]));
    // Two writes: wrapped.
    session(&mut n, &["MULTI", "SET a 1", "SET b 2", "EXEC"]);
    assert_eq!(stream(&mut n), cmds(&[&["MULTI"], &["SET", "a", "1"], &["SET", "b", "2"], &["EXEC"]]));
    // No writes, an aborted or discarded transaction: nothing.
    session(&mut n, &["MULTI", "GET a", "PING", "EXEC"]);
    session(&mut n, &["MULTI", "SET a 1", "FOO", "EXEC"]);
    session(&mut n, &["MULTI", "SET a 9", "DISCARD"]);
    assert!(stream(&mut n).is_empty());
    // A runtime error drops only that command from the stream.
    session(&mut n, &["MULTI", "SET s x", "SET k v BADOPT", "SET t 1", "EXEC"]);
    assert_eq!(stream(&mut n), cmds(&[&["MULTI"], &["SET", "s", "x"], &["SET", "t", "1"], &["EXEC"]]));
}

/// Redis 7.0 emits the SELECT for the first write's db before MULTI, a
/// SELECT inside the block when a later write is in another db, and no
/// SELECT before EXEC. Observed: MULTI; SELECT 1; SET x; SET y; EXEC from a
/// db-0 stream gave `SELECT 1, MULTI, SET x, SET y, EXEC`; then MULTI;
/// SELECT 1; SET x; SELECT 0; SET y; EXEC gave `MULTI, SET x, SELECT 0,
/// SET y, EXEC`; a single write in db 2 gave `SELECT 2, SET q`.
#[test]
fn exec_propagation_selects() {
    let mut n = node();
    let s = &mut n.server;
    let set = |k: &str| vec![b"SET".to_vec(), k.as_bytes().to_vec(), b"1".to_vec()];
    s.propagate(Some(0), set("warm"));
    s.flush_propagation();
    s.repl.take_outgoing();
    s.propagate(Some(1), set("x"));
    s.propagate(Some(1), set("y"));
    s.flush_propagation();
    assert_eq!(
        s.repl.take_outgoing(),
        cmds(&[&["SELECT", "1"], &["MULTI"], &["SET", "x", "1"], &["SET", "y", "1"], &["EXEC"]])
    );
    s.propagate(Some(1), set("x"));
    s.propagate(Some(0), set("y"));
    s.flush_propagation();
    assert_eq!(
        s.repl.take_outgoing(),
        cmds(&[&["MULTI"], &["SET", "x", "1"], &["SELECT", "0"], &["SET", "y", "1"], &["EXEC"]])
    );
    s.propagate(Some(2), set("q"));
    s.flush_propagation();
    assert_eq!(s.repl.take_outgoing(), cmds(&[&["SELECT", "2"], &["SET", "q", "1"]]));
}

#[test]
fn stats_count_calls_not_rejections_or_queueing() {
    let mut n = node();
    session(&mut n, &["FOO", "GET", "MULTI", "SET a 1", "GET a", "EXEC"]);
    // MULTI, EXEC, and the two commands EXEC ran.
    assert_eq!(n.server.stats.total_commands_processed, 4);
}

/// Containers (CONFIG, CLIENT, COMMAND…) present in the table are checked
/// by dispatch, like Redis 7.0.15 does (observed: `CONFIG FOO` →
/// `ERR unknown subcommand 'FOO'. Try CONFIG HELP.`, `CONFIG GET` → `ERR
/// wrong number of arguments for 'config|get' command`, and either inside
/// MULTI makes EXEC answer EXECABORT).
#[test]
fn container_subcommands_are_checked_before_the_handler() {
    use replscope_core::node::containers::CONTAINERS;
    for container in CONTAINERS.iter().filter(|c| commands::lookup(c.name.as_bytes()).is_some()) {
        let mut n = node();
        let upper = container.name.to_ascii_uppercase();
        let argv = |words: &[&str]| words.iter().map(|w| w.as_bytes().to_vec()).collect::<Vec<_>>();
        assert_eq!(
            n.execute(0, C, argv(&[container.name, "Nope", "x"])),
            Frame::error(format!("ERR unknown subcommand 'Nope'. Try {upper} HELP."))
        );
        for sub in container.subcommands {
            // One argument too many for fixed arities, one too few otherwise.
            let argc = if sub.arity >= 0 { sub.arity as usize + 1 } else { (-sub.arity) as usize - 1 };
            if argc < 2 {
                continue;
            }
            let mut words = vec![container.name, sub.name];
            words.resize(argc, "x");
            assert_eq!(
                n.execute(0, C, argv(&words)),
                Frame::error(format!("ERR wrong number of arguments for '{}|{}' command", container.name, sub.name)),
            );
        }
        assert_eq!(n.execute(0, C, argv(&["MULTI"])), Frame::ok());
        n.execute(0, C, argv(&[&upper, "nope"]));
        assert_eq!(
            n.execute(0, C, argv(&["EXEC"])),
            Frame::error("EXECABORT Transaction discarded because of previous errors.")
        );
    }
}
