//! The vocabulary between a node and whatever carries its bytes.
//!
//! A [`crate::node::Node`] never owns a socket. When it wants a connection
//! it emits [`Action::Connect`]; the environment (the simulated network in
//! `sim`, or a test's pump) answers with `Node::on_connected` or
//! `Node::on_connect_failed`. Incoming connections arrive through
//! `Node::on_accept`. Bytes arrive with `Node::on_bytes`; bytes leave by the
//! environment *pulling* them with `Node::take_output`, as much as the link
//! can take. Pulling matters: whatever the link cannot take yet stays in the
//! node's output buffer, which is exactly what `client-output-buffer-limit`
//! measures in real Redis (and what makes the slow-replica resync loop
//! reproducible).
//!
//! Connection ids are node-local: each node numbers its own connections.

use serde::{Deserialize, Serialize};

/// A node's handle for one of its TCP connections (node-local).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnId(pub u64);

/// A `host:port` as Redis sees it. In ReplScope a node's host is its name
/// (`REPLICAOF A 6379` names node A).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Addr {
    pub host: String,
    pub port: u16,
}

impl Addr {
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Addr { host: host.into(), port }
    }
}

impl std::fmt::Display for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// Why an outgoing connection did not open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectError {
    /// The peer refused at once (link cut, node down, nothing listening):
    /// Redis logs `Error condition on socket for SYNC: Connection refused`.
    Refused,
    /// No answer before the connect timeout (silent partition, unknown
    /// host): Redis logs `Timeout connecting to the MASTER...`.
    Timeout,
}

/// What a node asks its environment to do, besides sending bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Open a connection to `to`, known from now on as `conn`.
    Connect { conn: ConnId, to: Addr },
    /// Close `conn` once the bytes already taken from it are delivered
    /// (Redis's close-after-reply); the peer then sees it closed.
    Close { conn: ConnId },
}
