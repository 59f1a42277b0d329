//! Replication as Redis 7.0 does it, inside one sans-IO [`Node`].
//!
//! - [`master`]: replicas as clients of this node: `REPLCONF`, `PSYNC`, full
//!   syncs (disk-based and diskless, one snapshot shared by the replicas
//!   that arrive within `repl-diskless-sync-delay`), output buffers that
//!   pin backlog blocks, `client-output-buffer-limit replica`, PINGs, ACKs,
//!   WAIT and the "good replicas" count behind `min-replicas-to-write`.
//! - [`replica`]: this node's link to its master: `REPLICAOF`, connect,
//!   handshake, PSYNC with the cached master, loading the snapshot,
//!   applying and proxying the stream, ACKs, `repl-timeout`, reconnects.
//! - [`failover`]: `REPLICAOF NO ONE` and the PSYNC2 ID shift.
//! - [`persistence`]: SAVE/BGSAVE, the node's RDB file, restart from it.
//!
//! Timing follows Redis: `serverCron` runs every `1000 / hz` ms from the
//! node's start, `replicationCron` every 1000 ms; time comparisons that
//! Redis makes in whole unix seconds are made in whole seconds here too.

pub mod failover;
pub mod master;
pub mod persistence;
pub mod replica;

use std::collections::VecDeque;

use crate::commands::ClientState;
use crate::net::{Action, Addr, ConnId};
use crate::node::ClientId;
use crate::resp::{Frame, RequestParser};
use crate::server::Server;
use crate::vec_map::VecMap;

pub use master::{ReplicaConn, ReplicaState};
pub use replica::{CachedMaster, MasterLink};

/// The replication side of a node: its network connections and timers.
#[derive(Debug, Default)]
pub struct Replication {
    /// Every network connection of the node, accepted or opened.
    pub conns: VecMap<ConnId, Conn>,
    /// Actions for the environment, oldest first.
    pub actions: VecDeque<Action>,
    /// Replica side: the link to the master (`Some` iff role is replica).
    pub link: Option<MasterLink>,
    /// Replica side: the master state kept for a partial resync.
    pub cached_master: Option<CachedMaster>,
    /// Master side: the snapshot being prepared or streamed.
    pub snapshot: Option<master::SnapshotJob>,
    /// Clients blocked in WAIT.
    pub waiting: Vec<master::WaitingClient>,
    /// Replies of clients unblocked, for `Node::poll_unblocked`.
    pub unblocked: VecDeque<(ClientId, Frame)>,
    /// The RDB file the node would load on restart.
    pub rdb_file: Option<Vec<u8>>,
    /// Next `serverCron` tick (virtual ms).
    pub next_server_cron_ms: u64,
    /// Next `replicationCron` tick.
    pub next_repl_cron_ms: u64,
    /// `replication_cron_loops`: PINGs go out when it is a multiple of
    /// `repl-ping-replica-period`.
    pub cron_loops: u64,
    /// `repl_no_slaves_since` (virtual ms), for `repl-backlog-ttl`.
    pub no_replicas_since_ms: u64,
    /// A WAIT blocked: feed `REPLCONF GETACK *` before sleeping.
    pub get_ack_requested: bool,
    /// The backlog's first byte at the last check (for trim events).
    pub seen_first_byte: Option<u64>,
    /// Per-client write offsets (`c->woff`) for WAIT.
    pub client_woff: VecMap<ClientId, u64>,
    /// Numbers the fake process ids of snapshot children.
    pub next_child_pid: u64,
    /// The `now` of the last entry point (for `take_output`, which has none).
    pub last_now_ms: u64,
}

/// What a connection is to this node.
#[derive(Debug)]
pub enum ConnRole {
    /// An accepted connection that has not become a replica: its requests
    /// run as commands.
    Client,
    /// An accepted connection that sent SYNC/PSYNC.
    Replica(Box<ReplicaConn>),
    /// The connection this node opened to its master.
    MasterLink,
}

/// One network connection.
#[derive(Debug)]
pub struct Conn {
    pub peer: Addr,
    pub role: ConnRole,
    /// Requests arriving on an accepted connection.
    pub parser: RequestParser,
    /// The command state of an accepted connection (db, MULTI, auth).
    pub client: ClientState,
    /// Plain output (replies, `+FULLRESYNC`, keepalive newlines), sent
    /// before any snapshot or stream bytes.
    pub out: Vec<u8>,
    /// When the connection was created (for the client info line).
    pub created_ms: u64,
    /// Last time bytes arrived (Redis's `lastinteraction`).
    pub last_interaction_ms: u64,
    /// `REPLCONF listening-port` / `capa` received before PSYNC.
    pub pending_port: Option<u16>,
    pub capa_eof: bool,
    pub capa_psync2: bool,
}

impl Conn {
    pub fn new(peer: Addr, role: ConnRole, now_ms: u64) -> Self {
        Conn {
            peer,
            role,
            parser: RequestParser::new(),
            client: ClientState::default(),
            out: Vec::new(),
            created_ms: now_ms,
            last_interaction_ms: now_ms,
            pending_port: None,
            capa_eof: false,
            capa_psync2: false,
        }
    }

    pub fn replica(&self) -> Option<&ReplicaConn> {
        match &self.role {
            ConnRole::Replica(r) => Some(r),
            _ => None,
        }
    }

    pub fn replica_mut(&mut self) -> Option<&mut ReplicaConn> {
        match &mut self.role {
            ConnRole::Replica(r) => Some(r),
            _ => None,
        }
    }
}

/// ROLE's state word and offset for a replica (`connected` with the
/// applied offset; anything else with -1).
pub fn role_link_state(server: &Server) -> (&'static str, i64) {
    let state = server.link_state;
    let offset = if state == "connected" { server.repl.master_repl_offset as i64 } else { -1 };
    (state, offset)
}

/// Whole seconds between two virtual times, as Redis subtracts
/// `server.unixtime` values.
pub fn secs_between(earlier_ms: u64, now_ms: u64) -> i64 {
    (now_ms / 1000) as i64 - (earlier_ms / 1000) as i64
}

/// A `host:port` as Redis prints it in log lines.
pub fn host_port(host: &str, port: u16) -> String {
    format!("{host}:{port}")
}
