//! The node's sans-IO surface toward the network: connections in, actions
//! and bytes out, timers, events. See [`crate::net`] for the vocabulary.
//!
//! CONTRACT between the replication layer (which implements these) and the
//! simulator (which calls them). The simulator:
//! - calls [`Node::handle_timeout`] when `now >= poll_timeout()`;
//! - after ANY call into a node, drains [`Node::poll_action`] and
//!   [`Node::poll_event`], and pulls bytes with [`Node::take_output`] for
//!   every connection in [`Node::connections_with_output`], as much as each
//!   link can take;
//! - answers every `Action::Connect` with `on_connected` or
//!   `on_connect_failed` (a refused connect answers after one round trip; a
//!   silent partition never answers: the node's own timeout handles it);
//! - reports peer closes with `on_closed`, and incoming connections with
//!   `on_accept`.
//!
//! (Skeleton: the replication work fills these in.)

use super::Node;
use crate::events::NodeEvent;
use crate::net::{Action, Addr, ConnId, ConnectError};
use crate::resp::Frame;
use crate::node::ClientId;

/// The outcome of a client command that may block (WAIT).
#[derive(Clone, Debug, PartialEq)]
pub enum CommandOutcome {
    /// The reply is ready.
    Reply(Frame),
    /// The client is blocked; its reply comes later from
    /// [`Node::poll_unblocked`].
    Blocked,
}

impl Node {
    /// A connection from `peer` to this node's port was accepted.
    pub fn on_accept(&mut self, _now_ms: u64, _peer: Addr) -> ConnId {
        let id = ConnId(self.next_conn_id);
        self.next_conn_id += 1;
        id
    }

    /// An outgoing connection this node asked for is open.
    pub fn on_connected(&mut self, _now_ms: u64, _conn: ConnId) {}

    /// An outgoing connection this node asked for failed.
    pub fn on_connect_failed(&mut self, _now_ms: u64, _conn: ConnId, _err: ConnectError) {}

    /// Bytes arrived on `conn`.
    pub fn on_bytes(&mut self, _now_ms: u64, _conn: ConnId, _bytes: &[u8]) {}

    /// The peer closed or reset `conn`.
    pub fn on_closed(&mut self, _now_ms: u64, _conn: ConnId) {}

    /// The next thing the node asks the environment to do.
    pub fn poll_action(&mut self) -> Option<Action> {
        None
    }

    /// Connections whose output buffer holds bytes, in id order.
    pub fn connections_with_output(&self) -> Vec<ConnId> {
        Vec::new()
    }

    /// Bytes waiting in `conn`'s output buffer (what
    /// `client-output-buffer-limit` measures).
    pub fn output_len(&self, _conn: ConnId) -> usize {
        0
    }

    /// Takes up to `max` bytes from `conn`'s output buffer, to put on the wire.
    pub fn take_output(&mut self, _conn: ConnId, _max: usize) -> Vec<u8> {
        Vec::new()
    }

    /// The next virtual time at which the node has timed work to do
    /// (serverCron at `hz`, replicationCron every second, diskless delay…).
    pub fn poll_timeout(&self) -> Option<u64> {
        None
    }

    /// Runs timed work due at `now_ms`.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        self.cron(now_ms);
    }

    /// The next event the node reports (for the UI, the CLI and tests).
    pub fn poll_event(&mut self) -> Option<NodeEvent> {
        None
    }

    /// Runs a client command that may block (WAIT).
    pub fn command(&mut self, now_ms: u64, client: ClientId, argv: Vec<Vec<u8>>) -> CommandOutcome {
        CommandOutcome::Reply(self.execute(now_ms, client, argv))
    }

    /// A blocked client's reply, once it is ready.
    pub fn poll_unblocked(&mut self) -> Option<(ClientId, Frame)> {
        None
    }

    /// The RDB file this node would load on restart (its last SAVE/BGSAVE,
    /// or the snapshot a replica received during its last full sync).
    pub fn rdb_file(&self) -> Option<&[u8]> {
        None
    }
}
