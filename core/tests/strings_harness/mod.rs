//! A tiny harness for the strings/keys/expire tests: one master with a
//! backlog (so writes reach the stream), a virtual clock, raw reply bytes
//! and raw stream bytes.
#![allow(dead_code)]

use replscope_core::config::Config;
use replscope_core::keyspace::Value;
use replscope_core::node::{ClientId, Node};
use replscope_core::resp::encode_command;
use replscope_core::server::Role;

/// 2026-01-01T00:00:00Z in unix ms.
pub const T0: u64 = 1_767_225_600_000;

pub struct H {
    pub node: Node,
    pub now: u64,
}

impl H {
    /// A master whose first replica just attached (backlog created).
    pub fn master() -> H {
        let mut node = Node::new("A", Config::default(), 7, T0);
        node.server.repl.create_backlog(1 << 20);
        H { node, now: T0 }
    }

    /// A replica (its own writes are refused; keys it holds never expire on
    /// their own).
    pub fn replica() -> H {
        let mut h = H::master();
        h.node.server.role = Role::Replica { host: "127.0.0.1".into(), port: 6379 };
        h
    }

    /// Runs a command; returns the RESP reply bytes as text.
    pub fn run(&mut self, argv: &[&[u8]]) -> String {
        let argv = argv.iter().map(|a| a.to_vec()).collect();
        let reply = self.node.execute(self.now, ClientId(1), argv);
        String::from_utf8_lossy(&reply.to_bytes()).into_owned()
    }

    /// Runs a command given as space-separated words.
    pub fn cmd(&mut self, line: &str) -> String {
        let words: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        self.run(&words)
    }

    /// The stream bytes fed since the last call, as text.
    pub fn stream(&mut self) -> String {
        String::from_utf8_lossy(&self.node.server.repl.take_outgoing()).into_owned()
    }

    /// Stores a one-element list at `key` without going through LPUSH.
    pub fn put_list(&mut self, key: &str) {
        let list = std::iter::once(b"a".to_vec()).collect();
        self.node.server.keyspace.db_mut(0).put(key.as_bytes().to_vec(), Value::List(list));
    }

    pub fn advance(&mut self, ms: u64) {
        self.now += ms;
    }
}

/// The RESP encoding of commands given as space-separated words.
pub fn enc(cmds: &[&str]) -> String {
    let mut out = Vec::new();
    for c in cmds {
        let words: Vec<&[u8]> = c.split(' ').map(str::as_bytes).collect();
        encode_command(&words, &mut out);
    }
    String::from_utf8(out).unwrap()
}
