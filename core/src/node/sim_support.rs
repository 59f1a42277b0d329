//! What the simulator needs from a node beyond the I/O contract in
//! [`super::io`]: starting a node the way `redis-server` starts (config,
//! `replicaof`, the RDB file on disk) and a read-only summary of its
//! replication state, used by `Sim::settle` to decide "quiescent" and by the
//! UI to draw links and backlog markers.
//!
//! STATUS: both are provisional implementations written by the simulator
//! work from the fields [`crate::server::Server`] already has. The
//! replication layer owns their real behaviour; each doc comment says what
//! it must do. Keep the signatures (the simulator, the CLI and the UI call
//! them).

use serde::{Deserialize, Serialize};

use super::{ClientId, Node};
use crate::config::Config;
use crate::net::Addr;
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
    /// Starts a node as `redis-server` would from its config file.
    ///
    /// MUST (replication layer): load `rdb_file` if present (its keys; a
    /// master drops expired keys, a replica keeps them), and with
    /// `replicaof` set start as a replica of it, using the `repl-id` /
    /// `repl-offset` aux fields of the RDB as the cached master so the
    /// first PSYNC can be partial (Redis's `rsi` on load). Without
    /// `replicaof`, the replid is a fresh random one and the offset from the
    /// RDB is kept as `master_repl_offset` only as Redis does.
    ///
    /// Provisional: loads the RDB's keys and sends itself
    /// `REPLICAOF host port` (ignored while that command does not exist).
    pub fn boot(boot: Boot) -> Node {
        let mut node = Node::new(boot.name, boot.config, boot.seed, boot.now_ms);
        if let Some(bytes) = &boot.rdb_file
            && let Ok(mut snapshot) = crate::rdb::decode(bytes)
        {
            if boot.replicaof.is_none() {
                snapshot.drop_expired(boot.now_ms);
            }
            node.server.keyspace = snapshot.keyspace;
        }
        if let Some(master) = boot.replicaof {
            let argv = vec![b"REPLICAOF".to_vec(), master.host.into_bytes(), master.port.to_string().into_bytes()];
            node.execute(boot.now_ms, ClientId(u64::MAX), argv);
        }
        node
    }

    /// A summary of the node's replication state.
    ///
    /// MUST (replication layer): report the real link state (connect /
    /// connecting / sync / connected), the offset applied, every replica
    /// with its state and last ACKed offset, and `sync_in_progress` on both
    /// sides (BGSAVE for replication or the diskless delay on the master;
    /// transfer or load on the replica).
    ///
    /// Provisional: built from the `Server` fields the replication layer
    /// keeps for `INFO replication`.
    pub fn replication_view(&self) -> ReplicationView {
        let server = &self.server;
        let master = match &server.role {
            Role::Master => None,
            Role::Replica { host, port } => Some(Addr::new(host.clone(), *port)),
        };
        let link_info = server.replica_link_info.as_ref();
        let link = master.as_ref().map(|_| match link_info {
            Some(info) if info.transfer.is_some() => MasterLinkState::Sync,
            _ if server.master_link_up => MasterLinkState::Connected,
            _ => MasterLinkState::Connect,
        });
        let offset = match (master.is_some(), link_info) {
            (true, Some(info)) if info.repl_offset >= 0 => info.repl_offset as u64,
            _ => server.repl.master_repl_offset,
        };
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
                || server.replicas_info.iter().any(|r| r.state != "online"),
            backlog: server.repl.backlog.as_ref().map(|b| BacklogWindow {
                size: b.size(),
                first_byte_offset: b.first_byte_offset(),
                histlen: b.histlen(),
            }),
        }
    }
}
