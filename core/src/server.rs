//! `Server`: everything one Redis node knows apart from its connections —
//! keyspace, configuration, statistics, its replication identity and the
//! replication stream it feeds. Commands operate on it through
//! [`crate::commands::Ctx`].

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

use crate::backlog::ReplicationBacklog;
use crate::config::Config;
use crate::events::{CmdText, NodeEvent, NodeEventKind};
use crate::info::{ConnectedReplicaInfo, ReplicaLinkInfo};
use crate::keyspace::Keyspace;
use crate::resp::encode_command;

/// Counters shown by `INFO stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub total_connections_received: u64,
    pub total_commands_processed: u64,
    pub expired_keys: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub sync_full: u64,
    pub sync_partial_ok: u64,
    pub sync_partial_err: u64,
    /// Bytes read from / written to client connections (replication links
    /// included, as in Redis).
    pub total_net_input_bytes: u64,
    pub total_net_output_bytes: u64,
    /// Replication stream bytes received (replica) / sent (master).
    pub total_net_repl_input_bytes: u64,
    pub total_net_repl_output_bytes: u64,
    /// Error replies sent to clients.
    pub total_error_replies: u64,
    /// Socket reads / writes (one per batch of commands / replies).
    pub total_reads_processed: u64,
    pub total_writes_processed: u64,
}

/// Whether this node is a master or follows one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    Master,
    /// `REPLICAOF host port` was given.
    Replica {
        host: String,
        port: u16,
    },
}

/// The master side of replication: the node's replication IDs and offset,
/// and the stream it feeds to replicas (and to its own backlog).
///
/// Field names follow `INFO replication`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicationStream {
    pub master_replid: String,
    pub master_replid2: String,
    pub master_repl_offset: u64,
    /// `-1` in INFO when there is no second ID.
    pub second_repl_offset: i64,
    pub backlog: Option<ReplicationBacklog>,
    /// The db the last emitted command ran in; `None` forces a `SELECT`
    /// before the next write (after a full sync, or on a new master).
    pub stream_db: Option<usize>,
    /// True when someone consumes the stream (a backlog or a replica). Redis
    /// does not advance the offset of a master that never had a replica.
    pub replicas_attached: usize,
    /// Bytes produced since the owner last drained them (tests read them;
    /// the replication layer serves replicas from the backlog instead).
    pub outgoing: Vec<u8>,
    /// One record per command fed since the node last drained them, for
    /// the "write fed to the stream" events.
    pub fed: Vec<FedCommand>,
}

/// A command appended to the replication stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FedCommand {
    /// Offset of its first byte.
    pub offset: u64,
    /// Its encoded length (a `SELECT` in front counts as its own record).
    pub len: u64,
    /// `SET k v`, arguments cut to 32 bytes.
    pub summary: CmdText,
}

/// `SET k v` for events: arguments lossily decoded, each cut to 32 bytes,
/// at most 8 arguments shown.
pub fn argv_summary<A: AsRef<[u8]>>(argv: &[A]) -> String {
    let mut summary = String::new();
    write_summary(argv, &mut summary);
    summary
}

/// [`argv_summary`] as an event's [`CmdText`]: built without allocating
/// when it is short (this runs for every command a master feeds and every
/// command a replica applies).
pub fn argv_summary_text<A: AsRef<[u8]>>(argv: &[A]) -> CmdText {
    let mut summary = CmdText::new();
    write_summary(argv, &mut summary);
    summary
}

fn write_summary<A: AsRef<[u8]>>(argv: &[A], out: &mut impl std::fmt::Write) {
    for (i, arg) in argv.iter().take(8).enumerate() {
        if i > 0 {
            let _ = out.write_char(' ');
        }
        let arg = arg.as_ref();
        let shown = &arg[..arg.len().min(32)];
        // Valid UTF-8 (nearly always) is written as is; the lossy decoder
        // walks the bytes one by one.
        let _ = match std::str::from_utf8(shown) {
            Ok(text) => out.write_str(text),
            Err(_) => out.write_str(&String::from_utf8_lossy(shown)),
        };
        if arg.len() > 32 {
            let _ = out.write_char('…');
        }
    }
    if argv.len() > 8 {
        let _ = write!(out, " … ({} args)", argv.len());
    }
}

/// The replid Redis shows in `master_replid2` when there is none.
pub const NULL_REPLID: &str = "0000000000000000000000000000000000000000";

impl ReplicationStream {
    fn new(replid: String) -> Self {
        ReplicationStream {
            master_replid: replid,
            master_replid2: NULL_REPLID.into(),
            master_repl_offset: 0,
            second_repl_offset: -1,
            backlog: None,
            stream_db: None,
            replicas_attached: 0,
            outgoing: Vec::new(),
            fed: Vec::new(),
        }
    }

    /// `replicationFeedSlaves`: appends one command to the stream, preceded
    /// by `SELECT` when the stream's db differs. `db = None` is for commands
    /// that are db-independent (EXEC, PING, REPLCONF GETACK).
    pub fn feed<A: AsRef<[u8]>>(&mut self, db: Option<usize>, argv: &[A]) {
        if self.backlog.is_none() && self.replicas_attached == 0 {
            return;
        }
        let start = self.outgoing.len();
        if let Some(db) = db
            && self.stream_db != Some(db)
        {
            let select = [b"SELECT".to_vec(), db.to_string().into_bytes()];
            let before = self.outgoing.len();
            encode_command(&select, &mut self.outgoing);
            self.stream_db = Some(db);
            let len = (self.outgoing.len() - before) as u64;
            let offset = self.master_repl_offset + 1 + (before - start) as u64;
            self.fed.push(FedCommand { offset, len, summary: argv_summary_text(&select) });
        }
        let before = self.outgoing.len();
        encode_command(argv, &mut self.outgoing);
        let len = (self.outgoing.len() - before) as u64;
        let offset = self.master_repl_offset + 1 + (before - start) as u64;
        self.fed.push(FedCommand { offset, len, summary: argv_summary_text(argv) });
        let new = &self.outgoing[start..];
        self.master_repl_offset += new.len() as u64;
        if let Some(backlog) = &mut self.backlog {
            backlog.append(new);
        }
    }

    /// Creates the backlog the way Redis does when the first replica
    /// attaches: it starts right after the current offset, and the stream's
    /// db is forgotten so the next write carries a `SELECT`.
    pub fn create_backlog(&mut self, size: u64) {
        self.backlog = Some(ReplicationBacklog::new(size, self.master_repl_offset));
        self.stream_db = None;
    }

    /// Takes the bytes fed since the last call.
    pub fn take_outgoing(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.outgoing)
    }
}

/// One line of a node's own log, in Redis's wording.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogLine {
    pub t_ms: u64,
    pub text: String,
}

/// A command queued for propagation in the current execution unit
/// (Redis's `server.also_propagate`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingPropagation {
    pub db: Option<usize>,
    pub argv: Vec<Vec<u8>>,
}

/// The state of one Redis node, minus its connections.
#[derive(Clone, Debug)]
pub struct Server {
    pub name: String,
    pub config: Config,
    pub keyspace: Keyspace,
    pub stats: Stats,
    pub role: Role,
    pub repl: ReplicationStream,
    /// Seeded, so SPOP, replids and everything random are reproducible.
    pub rng: ChaCha8Rng,
    pub log: Vec<LogLine>,
    /// Virtual unix time (ms) the node started, for `uptime_in_seconds`.
    pub start_ms: u64,
    /// Writes accepted since the last snapshot (`rdb_changes_since_last_save`).
    pub dirty: u64,
    /// Replica side: true while the link to the master is up (Redis's
    /// `repl_state == REPL_STATE_CONNECTED`). With
    /// `replica-serve-stale-data no`, a replica whose link is down answers
    /// MASTERDOWN. The replication layer keeps it current.
    pub master_link_up: bool,
    /// Master side: replicas whose last ACK is at most
    /// `min-replicas-max-lag` seconds old (`repl_good_slaves_count`). Writes
    /// get NOREPLICAS while it is below `min-replicas-to-write`. The
    /// replication layer keeps it current.
    pub good_replicas: u64,
    /// On a replica: the link to the master as `INFO replication` shows it
    /// (filled by the replication layer; `None` reads as "link down").
    pub replica_link_info: Option<ReplicaLinkInfo>,
    /// On a master: its replicas as `INFO replication` / `ROLE` list them
    /// (filled by the replication layer).
    pub replicas_info: Vec<ConnectedReplicaInfo>,
    /// True while the replica applies its master's stream (Redis's
    /// `server.current_client == server.master`): the master client obeys
    /// without READONLY / MASTERDOWN checks, sees logically expired keys as
    /// present, and propagates nothing itself (the raw stream is proxied).
    pub executing_master_stream: bool,
    /// On a replica: the link state as `ROLE` names it (`connect`,
    /// `connecting`, `handshake`, `sync`, `connected`).
    pub link_state: &'static str,
    /// The write offset of the client running the current command
    /// (Redis's `c->woff`), for WAIT.
    pub current_woff: u64,
    /// What replication commands (REPLICAOF, WAIT, SAVE…) asked the node to
    /// do once the command returns: a handler only sees the [`Server`].
    pub repl_requests: Vec<ReplRequest>,
    /// What the node reports, drained by `Node::poll_event`.
    pub events: std::collections::VecDeque<NodeEvent>,
    pending: Vec<PendingPropagation>,
    /// Propagated argvs kept for reuse by [`Server::propagate_argv`].
    spare_argvs: Vec<Vec<Vec<u8>>>,
}

/// How many propagated argvs [`Server::flush_propagation`] keeps for reuse,
/// and up to which argument size.
const SPARE_ARGVS: usize = 8;
const SPARE_ARG_CAPACITY: usize = 4096;

/// Work a replication command hands to the node (see
/// [`Server::repl_requests`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplRequest {
    /// `REPLICAOF host port` (not already following it).
    ReplicaOf { host: String, port: u16 },
    /// `REPLICAOF NO ONE` on a replica.
    NoOne,
    /// `WAIT numreplicas timeout` that has to block.
    Wait { numreplicas: u64, timeout_ms: u64 },
    /// `SAVE` / `BGSAVE`: store the node's RDB file.
    Save { background: bool },
}

impl Server {
    pub fn new(name: impl Into<String>, config: Config, seed: u64, now_ms: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let replid = random_replid(&mut rng);
        Server {
            name: name.into(),
            keyspace: Keyspace::new(config.databases),
            config,
            stats: Stats::default(),
            role: Role::Master,
            repl: ReplicationStream::new(replid),
            rng,
            log: Vec::new(),
            start_ms: now_ms,
            dirty: 0,
            master_link_up: false,
            good_replicas: 0,
            replica_link_info: None,
            replicas_info: Vec::new(),
            executing_master_stream: false,
            link_state: "connect",
            current_woff: 0,
            repl_requests: Vec::new(),
            events: std::collections::VecDeque::new(),
            pending: Vec::new(),
            spare_argvs: Vec::new(),
        }
    }

    /// True if this node follows a master.
    pub fn is_replica(&self) -> bool {
        matches!(self.role, Role::Replica { .. })
    }

    /// Queues `argv` (run in `db`) for propagation at the end of the current
    /// execution unit (`alsoPropagate`).
    pub fn propagate(&mut self, db: Option<usize>, argv: Vec<Vec<u8>>) {
        self.dirty += 1;
        self.pending.push(PendingPropagation { db, argv });
    }

    /// [`Server::propagate`] of a copy of `argv`, made in buffers kept
    /// from earlier execution units (no allocation once they are warm). A
    /// replica skips the copy: it never feeds its own stream.
    pub fn propagate_argv<A: AsRef<[u8]>>(&mut self, db: Option<usize>, argv: &[A]) {
        if self.is_replica() {
            self.dirty += 1;
            return;
        }
        let mut copy = self.spare_argvs.pop().unwrap_or_default();
        copy.truncate(argv.len());
        for (i, arg) in argv.iter().enumerate() {
            let arg = arg.as_ref();
            match copy.get_mut(i) {
                Some(slot) => {
                    slot.clear();
                    slot.extend_from_slice(arg);
                }
                None => copy.push(arg.to_vec()),
            }
        }
        self.propagate(db, copy);
    }

    /// Ends an execution unit (`propagatePendingCommands`): one pending write
    /// is fed bare; two or more are wrapped in `MULTI` … `EXEC` so replicas
    /// apply them atomically.
    pub fn flush_propagation(&mut self) {
        // Taken and given back (emptied) so its allocation is reused: this
        // runs after every command.
        let mut pending = std::mem::take(&mut self.pending);
        // A replica never feeds its own stream: it proxies its master's
        // bytes verbatim (`replicationFeedSlaves` returns at once when
        // `masterhost` is set).
        if !self.is_replica() {
            self.feed_pending(&pending);
        }
        // Small argvs go back to the pool for `propagate_argv`.
        for p in pending.drain(..) {
            if self.spare_argvs.len() < SPARE_ARGVS && p.argv.iter().all(|a| a.capacity() <= SPARE_ARG_CAPACITY) {
                self.spare_argvs.push(p.argv);
            }
        }
        if self.pending.is_empty() {
            self.pending = pending;
        }
    }

    fn feed_pending(&mut self, pending: &[PendingPropagation]) {
        match pending.len() {
            0 => {}
            1 => self.repl.feed(pending[0].db, &pending[0].argv),
            _ => {
                self.repl.feed(pending[0].db, &[b"MULTI".as_slice()]);
                for p in pending {
                    self.repl.feed(p.db, &p.argv);
                }
                self.repl.feed(None, &[b"EXEC".as_slice()]);
            }
        }
    }

    /// Appends a line to the node's log.
    /// Also reported as a [`NodeEventKind::Log`] event.
    pub fn log(&mut self, t_ms: u64, text: impl Into<String>) {
        let text = text.into();
        self.events.push_back(NodeEvent { t_ms, kind: NodeEventKind::Log { line: text.clone() } });
        self.log.push(LogLine { t_ms, text });
    }

    /// Reports an event.
    pub fn event(&mut self, t_ms: u64, kind: NodeEventKind) {
        self.events.push_back(NodeEvent { t_ms, kind });
    }
}

/// A new 40-hex-digit replication ID from the node's seeded RNG.
pub fn random_replid(rng: &mut ChaCha8Rng) -> String {
    use rand_core::Rng;
    let mut bytes = [0u8; 20];
    rng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod summary_tests {
    use super::argv_summary;

    #[test]
    fn argv_summary_cuts_arguments_and_counts_the_rest() {
        assert_eq!(argv_summary::<&[u8]>(&[]), "");
        assert_eq!(argv_summary(&["SET", "k", "v"]), "SET k v");
        let long = "x".repeat(40);
        assert_eq!(argv_summary(&["SET", long.as_str()]), format!("SET {}…", "x".repeat(32)));
        assert_eq!(argv_summary(&[b"GET".as_slice(), b"\xff"]), "GET \u{fffd}");
        let many: Vec<String> = (0..10).map(|i| i.to_string()).collect();
        assert_eq!(argv_summary(&many), "0 1 2 3 4 5 6 7 … (10 args)");
        assert_eq!(super::argv_summary_text(&many), "0 1 2 3 4 5 6 7 … (10 args)");
    }
}
