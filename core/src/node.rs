//! `Node`: one virtual Redis server as a sans-IO state machine.
//!
//! Everything goes in with an explicit `now` (virtual unix ms) and comes out
//! as data: replies, the replication stream, events. Nothing here reads a
//! clock, touches a socket or uses a global RNG.
//!
//! Clients talk to a node in one of two ways:
//! - [`Node::client_bytes`]: raw bytes, exactly what a socket would carry
//!   (multibulk or inline, split anywhere); the reply is raw bytes too, and
//!   a protocol error or QUIT closes the connection as Redis does;
//! - [`Node::execute`]: one already-split argv, one [`Frame`] back.
//!
//! Both go through [`dispatch::process_command`], Redis's `processCommand`.

pub mod containers;
pub mod dispatch;
pub mod io;
pub mod sim_support;

pub use io::CommandOutcome;

use crate::vec_map::VecMap;

use crate::commands::ClientState;
use crate::config::Config;
use crate::replication::Replication;
use crate::resp::parser::PROTO_IOBUF_LEN;
use crate::resp::{Frame, RequestParser};
use crate::server::Server;

/// Identifies one client connection of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientId(pub u64);

/// What a node sends back for bytes a client sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientOutput {
    /// The replies, encoded, in order.
    pub reply_bytes: Vec<u8>,
    /// True if the node closes the connection after sending `reply_bytes`
    /// (protocol error, QUIT). The client's state is gone; the same
    /// [`ClientId`] used again is a new connection.
    pub close: bool,
}

/// One client connection: its command state and its unparsed input.
#[derive(Debug, Default)]
struct Connection {
    state: ClientState,
    parser: RequestParser,
}

/// One virtual Redis node.
#[derive(Debug)]
pub struct Node {
    pub server: Server,
    clients: VecMap<ClientId, Connection>,
    /// Next node-local connection id (see [`crate::net::ConnId`]).
    pub(crate) next_conn_id: u64,
    /// Connections, replicas, the link to a master, timers
    /// (see [`crate::replication`]).
    pub repl: Replication,
}

impl Node {
    /// A new, empty master. `seed` drives everything random (replids, SPOP).
    pub fn new(name: impl Into<String>, config: Config, seed: u64, now_ms: u64) -> Self {
        // Redis runs its first serverCron (and replicationCron, loop 0) a
        // millisecond after start, before any client can talk to it: here
        // that first, empty round counts as done at `now_ms`.
        let period = 1000 / u64::from(config.hz.max(1));
        let repl = Replication {
            next_server_cron_ms: now_ms + period,
            next_repl_cron_ms: now_ms + 1000,
            cron_loops: 1,
            no_replicas_since_ms: now_ms,
            ..Replication::default()
        };
        Node { server: Server::new(name, config, seed, now_ms), clients: VecMap::new(), next_conn_id: 1, repl }
    }

    /// Runs one client command (Redis's `processCommand` + `call`) and
    /// returns its reply. The client is created on first use; QUIT replies
    /// `+OK` and forgets the client.
    ///
    /// WAIT cannot block here: it answers with the count acknowledged so
    /// far (use [`Node::command`] for the blocking form).
    pub fn execute(&mut self, now_ms: u64, client: ClientId, argv: Vec<Vec<u8>>) -> Frame {
        match self.run_client_command(now_ms, client, argv, false) {
            CommandOutcome::Reply(frame) => frame,
            CommandOutcome::Blocked => Frame::Null,
        }
    }

    /// [`Node::execute`] and [`Node::command`]: the command, then what
    /// replication commands asked for, then the node's bookkeeping.
    pub(crate) fn run_client_command(
        &mut self,
        now_ms: u64,
        client: ClientId,
        argv: Vec<Vec<u8>>,
        can_block: bool,
    ) -> CommandOutcome {
        let mut conn = self.clients.remove(&client).unwrap_or_default();
        self.server.current_woff = self.repl.client_woff.get(&client).copied().unwrap_or(0);
        let before = self.server.repl.master_repl_offset;
        let is_exec = argv.first().is_some_and(|a| a.eq_ignore_ascii_case(b"exec"));
        let processed = dispatch::process_command(&mut self.server, &mut conn.state, now_ms, &argv);
        if !processed.close {
            self.clients.insert(client, conn);
        } else {
            self.repl.client_woff.remove(&client);
        }
        if self.server.repl.master_repl_offset != before {
            self.repl.client_woff.insert(client, self.server.repl.master_repl_offset);
        }
        if let Frame::Error(e) = &processed.reply {
            self.server.event(now_ms, crate::events::NodeEventKind::ErrorReply { error: e.clone() });
        }
        let blocked = self.apply_repl_requests(now_ms, Some(client), can_block && !is_exec);
        self.after_call(now_ms);
        if blocked { CommandOutcome::Blocked } else { CommandOutcome::Reply(processed.reply) }
    }

    /// Feeds bytes a client sent and runs every complete request in them.
    ///
    /// Redis reads at most 16 KB ([`PROTO_IOBUF_LEN`]) from a socket before
    /// parsing, and its 64 KB line limits are checked after each read; the
    /// bytes are fed in slices of that size so those limits trip exactly
    /// as they would on a real server receiving the same bytes at once.
    /// Requests before a protocol error are run and answered; the error
    /// reply is the last thing sent before the close.
    pub fn client_bytes(&mut self, now_ms: u64, client: ClientId, bytes: &[u8]) -> ClientOutput {
        let mut conn = self.clients.remove(&client).unwrap_or_default();
        let mut out = ClientOutput::default();
        'reads: for chunk in bytes.chunks(PROTO_IOBUF_LEN) {
            conn.parser.feed(chunk);
            loop {
                conn.parser.set_max_bulk_len(self.server.config.proto_max_bulk_len_i64());
                match conn.parser.next_request() {
                    Ok(Some(argv)) => {
                        let processed = dispatch::process_command(&mut self.server, &mut conn.state, now_ms, &argv);
                        self.apply_repl_requests(now_ms, None, false);
                        processed.reply.encode_into(&mut out.reply_bytes);
                        conn.parser.recycle(argv);
                        if processed.close {
                            out.close = true;
                            break 'reads;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        Frame::Error(e.0).encode_into(&mut out.reply_bytes);
                        out.close = true;
                        break 'reads;
                    }
                }
            }
        }
        if !out.close {
            self.clients.insert(client, conn);
        }
        self.after_call(now_ms);
        out
    }

    /// The client hung up: its state (selected db, open MULTI) is dropped.
    pub fn disconnect(&mut self, client: ClientId) {
        self.clients.remove(&client);
    }

    /// Periodic work due at `now_ms` (Redis's `serverCron`): active expiry
    /// of keys, on masters only (see [`crate::expiry`]).
    pub fn cron(&mut self, now_ms: u64) {
        crate::expiry::active_expire_cycle(&mut self.server, now_ms);
    }

    /// The state of a client connection, if it exists.
    pub fn client(&self, client: ClientId) -> Option<&ClientState> {
        self.clients.get(&client).map(|c| &c.state)
    }
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
