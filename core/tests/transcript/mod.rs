//! Replays transcripts recorded on a real Redis 7.0.15 against a fresh
//! master: each step's reply bytes and the bytes it fed the replication
//! stream, byte for byte. Shared by the collection test files.
#![allow(dead_code)]

use replscope_core::config::Config;
pub use replscope_core::node::{ClientId, Node};

/// One command of a transcript recorded on a real Redis 7.0.15: the
/// command line, the exact reply bytes, and the exact bytes the master fed
/// its replication stream (`""` when it propagated nothing). `check` is
/// false for replies that depend on randomness or on Redis's hash-table
/// order; they still run so the state stays in step.
pub struct Step {
    pub cmd: &'static str,
    pub reply: &'static str,
    pub prop: &'static str,
    pub check: bool,
}

pub const fn step(cmd: &'static str, reply: &'static str, prop: &'static str) -> Step {
    Step { cmd, reply, prop, check: true }
}

pub const fn unchecked(cmd: &'static str, reply: &'static str, prop: &'static str) -> Step {
    Step { cmd, reply, prop, check: false }
}

/// Splits a command line: spaces separate arguments, double quotes group,
/// `\xNN` is a raw byte.
pub fn split(line: &str) -> Vec<Vec<u8>> {
    let mut args = Vec::new();
    let mut cur = Vec::new();
    let (mut quoted, mut started) = (false, false);
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                quoted = !quoted;
                started = true;
            }
            b' ' if !quoted => {
                if started {
                    args.push(std::mem::take(&mut cur));
                }
                started = false;
            }
            b'\\' if bytes.get(i + 1) == Some(&b'x') => {
                cur.push(u8::from_str_radix(&line[i + 2..i + 4], 16).unwrap());
                started = true;
                i += 3;
            }
            b => {
                cur.push(b);
                started = true;
            }
        }
        i += 1;
    }
    if started {
        args.push(cur);
    }
    args
}

/// A fresh master with a replication backlog, so writes reach the stream.
pub fn master() -> Node {
    let mut node = Node::new("master", Config::default(), 7, 1_767_225_600_000);
    node.server.repl.create_backlog(1 << 20);
    node
}

/// Runs `cmd` and returns (reply bytes, propagated bytes).
pub fn run(node: &mut Node, cmd: &str) -> (Vec<u8>, Vec<u8>) {
    let argv = split(cmd);
    let reply = node.execute(1_767_225_600_000, ClientId(1), argv).to_bytes();
    (reply, node.server.repl.take_outgoing())
}

/// Replays a transcript on a fresh master and compares every checked step.
pub fn replay(steps: &[Step]) -> Node {
    let mut node = master();
    for s in steps {
        let (reply, prop) = run(&mut node, s.cmd);
        if s.check {
            assert_eq!(String::from_utf8_lossy(&reply), s.reply, "reply to `{}`", s.cmd);
            assert_eq!(String::from_utf8_lossy(&prop), s.prop, "propagation of `{}`", s.cmd);
        }
    }
    node
}
