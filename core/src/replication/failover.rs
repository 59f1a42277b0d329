//! `REPLICAOF NO ONE`: a replica becomes a master (PSYNC2).
//!
//! Observed on Redis 7.0.15 (`replicationUnsetMaster`), in this order:
//! `Connection with master lost.`, `Caching the disconnected master
//! state.`, `Discarding previously cached master state.`, then the ID shift
//! `Setting secondary replication ID to <old>, valid up to offset: <off+1>.
//! New replication ID is <new>`, then every sub-replica is disconnected
//! (`Connection with replica <r> lost.`) so it learns the new ID — it
//! reconnects and continues partially — and finally `MASTER MODE enabled
//! (user request from '<client>')`. The offset and backlog stay; the next
//! write carries a SELECT.
//!
//! The reverse (`REPLICAOF host port` on a master) does NOT disconnect the
//! node's replicas: they are dropped later only if this node must full-resync
//! or its master's replication ID changes (see [`super::replica`]).

use crate::events::NodeEventKind;
use crate::node::Node;
use crate::server::{Role, random_replid};

impl Node {
    /// `replicationUnsetMaster`.
    pub(crate) fn unset_master(&mut self, now_ms: u64, user: &str) {
        if !self.server.is_replica() {
            return;
        }
        let master = self.repl.link.as_ref().map(|l| l.name()).unwrap_or_default();
        self.drop_master_link(now_ms, false);
        self.discard_cached_master(now_ms);
        self.repl.link = None;
        self.server.role = Role::Master;
        self.server.replica_link_info = None;
        self.server.master_link_up = false;
        self.shift_replication_id(now_ms);
        self.disconnect_replicas(now_ms, "role_change");
        self.server.repl.stream_db = None;
        self.repl.no_replicas_since_ms = now_ms;
        self.server.event(now_ms, NodeEventKind::LinkState { master, state: "none".into() });
        self.server.log(now_ms, format!("MASTER MODE enabled (user request from '{user}')"));
    }

    /// `shiftReplicationId`: the inherited ID becomes ID2, valid up to
    /// `offset + 1`, and a new ID starts a new history.
    pub(crate) fn shift_replication_id(&mut self, now_ms: u64) {
        let repl = &mut self.server.repl;
        repl.master_replid2 = repl.master_replid.clone();
        repl.second_repl_offset = repl.master_repl_offset as i64 + 1;
        repl.master_replid = random_replid(&mut self.server.rng);
        let line = format!(
            "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
            repl.master_replid2, repl.second_repl_offset, repl.master_replid
        );
        self.server.log(now_ms, line);
    }
}
