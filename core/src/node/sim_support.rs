//! What the simulator needs from a node beyond the I/O contract in
//! [`super::io`]: starting a node the way `redis-server` starts (config,
//! `replicaof`, the RDB file on disk) and a read-only summary of its
//! replication state, used by `Sim::settle` to decide "quiescent" and by the
//! UI to draw links and backlog markers.
//!
//! Keep the signatures: the simulator, the CLI and the UI call them.

use serde::{Deserialize, Serialize};

use super::Node;
use crate::config::Config;
use crate::net::Addr;
use crate::replication::replica::LinkState;
use crate::server::Role;

/// How a node starts: like `redis-server` with a config file.
#[derive(Clone, Debug)]
pub struct Boot {
    pub name: String,
    pub config: Config,
    /// `replicaof <host> <port>` from the config file, if any.
    pub replicaof: Option<Addr>,
    pub seed: u64,
    pub now_ms: u64,
    /// The node's RDB file on disk, if it has one (a restart).
    pub rdb_file: Option<Vec<u8>>,
}

/// A replica's link to its master as `INFO replication` describes it
/// (`master_link_status` plus the handshake state behind it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MasterLinkState {
    /// Not connected; will try (`REPL_STATE_CONNECT`).
    Connect,
    /// TCP connect or handshake in progress (`REPL_STATE_CONNECTING` and
    /// the handshake states up to the PSYNC reply).
    Connecting,
    /// Receiving the RDB snapshot (`REPL_STATE_TRANSFER`).
    Sync,
    /// Streaming (`REPL_STATE_CONNECTED`, `master_link_status:up`).
    Connected,
}

/// One replica as its master sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaView {
    /// The replica's host as the master sees it: in ReplScope, its node name.
    pub host: String,
    /// The port it announced with `REPLCONF listening-port`.
    pub port: u16,
    /// Redis's words: `wait_bgsave`, `send_bulk`, `online`.
    pub state: String,
    /// The offset of its last `REPLCONF ACK`.
    pub acked_offset: u64,
    pub last_ack_ms: u64,
}

/// The backlog window, for the UI's backlog bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BacklogWindow {
    /// `repl-backlog-size`.
    pub size: u64,
    /// `repl_backlog_first_byte_offset`.
    pub first_byte_offset: u64,
    /// `repl_backlog_histlen`.
    pub histlen: u64,
}

/// A node's replication state at a glance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicationView {
    /// `Some(master)` on a replica (whatever its link state), `None` on a master.
    pub master: Option<Addr>,
    /// The link to `master`; `None` on a master.
    pub link: Option<MasterLinkState>,
    pub replid: String,
    pub replid2: String,
    /// `master_repl_offset` (on a replica: the offset applied so far).
    pub offset: u64,
    pub second_repl_offset: i64,
    /// Connected replicas in the master's order (empty if none).
    pub replicas: Vec<ReplicaView>,
    /// True while a full sync involves this node on either side: a snapshot
    /// being produced or waited for (including the diskless delay),
    /// transferred or loaded. `settle` waits for it to end.
    pub sync_in_progress: bool,
    pub backlog: Option<BacklogWindow>,
}

impl Node {
    /// Starts a node as `redis-server` would from its config file: loads
    /// `rdb_file` if present and, with `replicaof`, starts as a replica whose
    /// cached master comes from the RDB's `repl-id`/`repl-offset`, so the
    /// first PSYNC can be partial (see [`Node::restart`]).
    pub fn boot(boot: Boot) -> Node {
        Node::restart(boot.name, boot.config, boot.seed, boot.now_ms, boot.rdb_file, boot.replicaof)
    }

    /// A summary of the node's replication state.
    ///
    /// The link state (connect / connecting / sync / connected), the
    /// offset, every replica with its state and last ACKed offset, and
    /// whether a full sync is under way on either side (a snapshot being
    /// produced, waited for during the diskless delay, or transferred).
    pub fn replication_view(&self) -> ReplicationView {
        let server = &self.server;
        let master = match &server.role {
            Role::Master => None,
            Role::Replica { host, port } => Some(Addr::new(host.clone(), *port)),
        };
        let link_info = server.replica_link_info.as_ref();
        let link = self.repl.link.as_ref().map(|l| match l.state {
            LinkState::Connect => MasterLinkState::Connect,
            LinkState::Connecting | LinkState::ReceivePong | LinkState::ReceiveHandshake | LinkState::ReceivePsync => {
                MasterLinkState::Connecting
            }
            LinkState::Transfer => MasterLinkState::Sync,
            LinkState::Connected => MasterLinkState::Connected,
        });
        // On a replica the stream offset is `master_repl_offset` too: it
        // applies (and proxies) its master's stream byte for byte.
        let offset = server.repl.master_repl_offset;
        ReplicationView {
            master,
            link,
            replid: server.repl.master_replid.clone(),
            replid2: server.repl.master_replid2.clone(),
            offset,
            second_repl_offset: server.repl.second_repl_offset,
            replicas: server
                .replicas_info
                .iter()
                .map(|r| ReplicaView {
                    host: r.ip.clone(),
                    port: r.port,
                    state: r.state.to_string(),
                    acked_offset: r.offset,
                    last_ack_ms: r.last_ack_ms,
                })
                .collect(),
            sync_in_progress: link_info.is_some_and(|i| i.transfer.is_some())
                || self.repl.snapshot.is_some()
                || server.replicas_info.iter().any(|r| r.state != "online"),
            backlog: server.repl.backlog.as_ref().map(|b| BacklogWindow {
                size: b.size(),
                first_byte_offset: b.first_byte_offset(),
                histlen: b.histlen(),
            }),
        }
    }
}
