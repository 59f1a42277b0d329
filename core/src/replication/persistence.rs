//! The node's RDB file: SAVE / BGSAVE, the snapshot a replica keeps from
//! its last full sync, and restarting from it.
//!
//! Observed on Redis 7.0.15 (restarting servers with the same `--dir`):
//! - A restarted **replica** (`replicaof` in its config) loads `dump.rdb`,
//!   takes the `repl-id` / `repl-offset` stored in it as a cached master
//!   (`Before turning into a replica, using my own master parameters to
//!   synthesize a cached master: …`) and continues partially
//!   (`Trying a partial resynchronization (request <id>:<off+1>).`).
//! - A restarted **master** keeps the stored history as its ID2: new
//!   replid, `master_replid2` = stored id, `second_repl_offset` = offset + 1,
//!   and a backlog starting at offset + 1.
//! - A restarted master does not load keys that expired while it was down,
//!   but it does not forget them silently: it creates its backlog *before*
//!   loading and feeds `DEL <key>` (with `SELECT`s) for each into it, so the
//!   backlog holds them and the offset grows past the stored one (stored
//!   offset 80, one expired key in db 0 → `SELECT 0` + `DEL s` = 43 bytes,
//!   offset 123). A replica that continues with `+CONTINUE` receives those
//!   DELs first and drops its copies (the master log says `Sending 43
//!   bytes of backlog starting from offset 81.`). Without replication info
//!   in the file the DELs still advance the offset, but the backlog is
//!   freed after loading (`repl_backlog_active:0`, offset 149 for 4 DELs in
//!   3 dbs).
//! - A replica keeps the RDB it received (`rdb-del-sync-files no`).

use crate::events::NodeEventKind;
use crate::net::Addr;
use crate::node::Node;
use crate::rdb;
use crate::server::{Server, random_replid};

/// Loads an RDB into `server` (replacing its data). A master drops keys
/// already expired; a replica keeps them for its master's DEL. Returns the
/// number of keys loaded, and logs Redis's loading lines.
pub fn load_rdb_into(server: &mut Server, now_ms: u64, data: &[u8], as_master: bool) -> Result<u64, rdb::RdbError> {
    load_rdb(server, now_ms, data, as_master).map(|(keys, _)| keys)
}

/// Keys a loading master dropped as expired: `(db, key)`, in file order.
type ExpiredKeys = Vec<(usize, Vec<u8>)>;

/// [`load_rdb_into`], also returning the keys a master dropped as expired.
fn load_rdb(
    server: &mut Server,
    now_ms: u64,
    data: &[u8],
    as_master: bool,
) -> Result<(u64, ExpiredKeys), rdb::RdbError> {
    let mut snapshot = rdb::decode(data)?;
    let expired = if as_master { snapshot.take_expired(now_ms) } else { Vec::new() };
    let keys: u64 = snapshot.keyspace.dbs().map(|(_, db)| db.len() as u64).sum();
    server.log(now_ms, "Loading RDB produced by version 7.0.15");
    let age = snapshot.ctime().map_or(0, |c| (now_ms / 1000) as i64 - c);
    server.log(now_ms, format!("RDB age {age} seconds"));
    let used = snapshot.aux_field("used-mem").and_then(crate::util::parse_strict_i64).unwrap_or(0);
    server.log(now_ms, format!("RDB memory usage when created {:.2} Mb", used as f64 / (1024.0 * 1024.0)));
    server.log(now_ms, format!("Done loading RDB, keys loaded: {keys}, keys expired: {}.", expired.len()));
    server.keyspace = snapshot.keyspace;
    Ok((keys, expired))
}

/// A restarted master's replication state (`loadDataFromDisk` with
/// `RDBFLAGS_FEED_REPL`): a backlog exists while loading and receives a
/// `DEL` for every key dropped as expired; then, if the file had
/// replication info, the stored history becomes ID2 and the offset is
/// rebased on the stored one, otherwise the backlog is freed again (the
/// offset keeps the DELs' bytes).
fn restore_master_history(node: &mut Node, now_ms: u64, stored: Option<(String, u64)>, expired: &[(usize, Vec<u8>)]) {
    let size = node.server.config.repl_backlog_size;
    let repl = &mut node.server.repl;
    if let Some((replid, offset)) = &stored {
        repl.master_replid2 = replid.clone();
        repl.master_repl_offset = *offset;
        repl.second_repl_offset = *offset as i64 + 1;
        repl.master_replid = random_replid(&mut node.server.rng);
    }
    let repl = &mut node.server.repl;
    repl.create_backlog(size);
    for (db, key) in expired {
        repl.feed(Some(*db), &[b"DEL".as_slice(), key]);
    }
    repl.outgoing.clear();
    for fed in std::mem::take(&mut repl.fed) {
        node.server.event(now_ms, NodeEventKind::StreamFed { offset: fed.offset, len: fed.len, cmd: fed.summary });
    }
    match stored {
        Some((_, offset)) => {
            node.repl.no_replicas_since_ms = now_ms;
            node.repl.seen_first_byte = Some(offset + 1);
        }
        None => node.server.repl.backlog = None,
    }
}

impl Node {
    /// The node's RDB snapshot. On a replica, `repl-stream-db` is the db its
    /// master client has selected (connected or cached), as Redis's
    /// `rdbPopulateSaveInfo` writes it: a replica restarted from the file,
    /// or a sub-replica loading it, resumes the stream in that db.
    pub(crate) fn encode_rdb(&self, now_ms: u64) -> Vec<u8> {
        let mut info = rdb::save_info(&self.server, now_ms);
        if self.server.is_replica()
            && let Some(repl) = &mut info.repl
        {
            let connected = |l: &&super::MasterLink| l.state == super::replica::LinkState::Connected;
            let link_db = self.repl.link.as_ref().filter(connected).map(|l| l.master_client.db);
            repl.stream_db = link_db.or(self.repl.cached_master.as_ref().map(|c| c.db)).unwrap_or(0);
        }
        rdb::encode_keyspace(&self.server.keyspace, &info)
    }

    /// `SAVE` / `BGSAVE`: the node's RDB file is now its current dataset.
    pub(crate) fn save_rdb(&mut self, now_ms: u64, background: bool) {
        let data = self.encode_rdb(now_ms);
        if background {
            self.repl.next_child_pid += 1;
            let pid = 10_000 + self.repl.next_child_pid;
            self.server.log(now_ms, format!("Background saving started by pid {pid}"));
            self.server.log(now_ms, "Background saving terminated with success");
        } else {
            self.server.log(now_ms, "DB saved on disk");
        }
        self.repl.rdb_file = Some(data);
        self.server.dirty = 0;
    }

    /// A node coming back after a crash: its configuration, its last RDB
    /// file (if any), and `replicaof` from its configuration (a REPLICAOF
    /// typed at run time is forgotten, as without CONFIG REWRITE).
    pub fn restart(
        name: impl Into<String>,
        config: crate::config::Config,
        seed: u64,
        now_ms: u64,
        rdb_file: Option<Vec<u8>>,
        replicaof: Option<Addr>,
    ) -> Node {
        let mut node = Node::new(name, config, seed, now_ms);
        let mut stored_repl = None;
        let mut stored_db = 0;
        let mut expired = Vec::new();
        if let Some(data) = rdb_file {
            match load_rdb(&mut node.server, now_ms, &data, replicaof.is_none()) {
                Ok((keys, dropped)) => {
                    expired = dropped;
                    node.server.log(now_ms, "DB loaded from disk: 0.000 seconds");
                    if let Ok(snapshot) = rdb::decode(&data)
                        && let (Some(id), Some(off)) = (snapshot.repl_id(), snapshot.repl_offset())
                    {
                        stored_repl = Some((id.to_string(), off.max(0) as u64));
                        stored_db = snapshot
                            .repl_stream_db()
                            .and_then(|db| usize::try_from(db).ok())
                            .filter(|&db| db < node.server.keyspace.count())
                            .unwrap_or(0);
                    }
                    let (replid, offset) = stored_repl.clone().unwrap_or_default();
                    node.server.event(
                        now_ms,
                        NodeEventKind::SnapshotLoaded { keys, bytes: data.len() as u64, replid, offset },
                    );
                    node.repl.rdb_file = Some(data);
                }
                Err(e) => node.server.log(now_ms, format!("Fatal error loading the DB: {e}. Exiting.")),
            }
        }
        match (replicaof, stored_repl) {
            (Some(master), stored) => {
                if let Some((replid, offset)) = stored {
                    node.server.repl.master_replid = replid.clone();
                    node.server.repl.master_repl_offset = offset;
                    node.server.log(now_ms, "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.");
                    node.repl.cached_master = Some(super::CachedMaster { replid, offset, db: stored_db });
                }
                node.start_as_replica(now_ms, master);
            }
            (None, stored) => restore_master_history(&mut node, now_ms, stored, &expired),
        }
        node.refresh_views(now_ms);
        node
    }
}
