//! `Node`: one virtual Redis server as a sans-IO state machine.
//!
//! Everything goes in with an explicit `now` (virtual unix ms) and comes out
//! as data: replies, the replication stream, events. Nothing here reads a
//! clock, touches a socket or uses a global RNG.

use std::collections::BTreeMap;

use crate::commands::{self, ClientState, Ctx, errors, flags};
use crate::config::Config;
use crate::resp::Frame;
use crate::server::Server;

/// Identifies one client connection of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientId(pub u64);

/// One virtual Redis node.
#[derive(Debug)]
pub struct Node {
    pub server: Server,
    clients: BTreeMap<ClientId, ClientState>,
}

impl Node {
    /// A new, empty master. `seed` drives everything random (replids, SPOP).
    pub fn new(name: impl Into<String>, config: Config, seed: u64, now_ms: u64) -> Self {
        Node { server: Server::new(name, config, seed, now_ms), clients: BTreeMap::new() }
    }

    /// Runs one client command (Redis's `processCommand` + `call`) and
    /// returns its reply. The client is created on first use.
    pub fn execute(&mut self, now_ms: u64, client: ClientId, argv: Vec<Vec<u8>>) -> Frame {
        let mut state = self.clients.remove(&client).unwrap_or_default();
        let reply = process_command(&mut self.server, &mut state, now_ms, &argv);
        self.clients.insert(client, state);
        reply
    }

    /// Periodic work due at `now_ms` (Redis's `serverCron`): active expiry
    /// of keys, on masters only (see [`crate::expiry`]).
    pub fn cron(&mut self, now_ms: u64) {
        crate::expiry::active_expire_cycle(&mut self.server, now_ms);
    }

    /// The state of a client connection, if it exists.
    pub fn client(&self, client: ClientId) -> Option<&ClientState> {
        self.clients.get(&client)
    }
}

/// Checks a command against the table and the node's state, then runs it.
fn process_command(server: &mut Server, client: &mut ClientState, now_ms: u64, argv: &[Vec<u8>]) -> Frame {
    let Some(name) = argv.first() else {
        return Frame::error("ERR Protocol error: empty command");
    };
    let Some(spec) = commands::lookup(name) else {
        return Frame::error(unknown_command(argv));
    };
    if !spec.arity_ok(argv.len()) {
        return Frame::error(errors::wrong_args(spec.name));
    }
    if spec.has(flags::WRITE) && server.is_replica() && server.config.replica_read_only {
        return Frame::error(errors::READONLY);
    }
    server.stats.total_commands_processed += 1;
    let mut ctx = Ctx { server, client, now_ms };
    let reply = (spec.handler)(&mut ctx, argv);
    ctx.server.flush_propagation();
    reply
}

/// `ERR unknown command 'foo', with args beginning with: 'a' 'b' `.
fn unknown_command(argv: &[Vec<u8>]) -> String {
    let mut msg = format!("ERR unknown command '{}', with args beginning with: ", String::from_utf8_lossy(&argv[0]));
    for arg in argv.iter().skip(1) {
        msg.push_str(&format!("'{}' ", String::from_utf8_lossy(arg)));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn set_then_get_and_stream_bytes() {
        let mut node = Node::new("A", Config::default(), 1, 1_767_225_600_000);
        node.server.repl.create_backlog(1 << 20);
        let c = ClientId(1);
        assert_eq!(node.execute(0, c, argv(&["SET", "k", "v"])), Frame::ok());
        assert_eq!(node.execute(0, c, argv(&["get", "k"])), Frame::bulk("v"));
        let stream = node.server.repl.take_outgoing();
        assert_eq!(stream, b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
        assert_eq!(node.server.repl.master_repl_offset, 23 + 27);
    }

    #[test]
    fn errors_are_redis_verbatim() {
        let mut node = Node::new("A", Config::default(), 1, 0);
        let c = ClientId(1);
        assert_eq!(
            node.execute(0, c, argv(&["foo", "a", "b"])),
            Frame::error("ERR unknown command 'foo', with args beginning with: 'a' 'b' ")
        );
        assert_eq!(node.execute(0, c, argv(&["GET"])), Frame::error("ERR wrong number of arguments for 'get' command"));
    }
}
