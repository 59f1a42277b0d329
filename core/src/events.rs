//! What a node reports as it works: structured, serialisable events for the
//! UI's animation and event log, the CLI's `--events`, and tests.
//!
//! Every variant carries what a viewer needs to draw it without asking the
//! node again. Replicas and masters are named the way Redis names them in
//! its log (`<host>:<listening-port>`). Every line of the node's own log is
//! also an event ([`NodeEventKind::Log`]), in Redis's wording; the other
//! variants are the structured view of the same moments.

use serde::{Deserialize, Serialize};

/// One thing that happened inside a node, at `t_ms` (virtual unix ms).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeEvent {
    pub t_ms: u64,
    pub kind: NodeEventKind,
}

/// The kinds of node events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NodeEventKind {
    /// A line of the node's own log, in Redis's wording.
    Log { line: String },
    /// Replica side: the link to the master changed state. `state` uses
    /// ROLE's words: `connect`, `connecting`, `handshake`, `sync`,
    /// `connected`; `none` after `REPLICAOF NO ONE`.
    LinkState { master: String, state: String },
    /// Replica side: one handshake step sent to, or answered by, the master
    /// (`PING`, `+PONG`, `REPLCONF listening-port 6379`, `+OK`, …).
    HandshakeStep { master: String, sent: bool, text: String },
    /// Replica side: `PSYNC <replid> <offset>` sent (`? -1` without a cached master).
    PsyncSent { master: String, replid: String, offset: i64 },
    /// Master side: the answer to a PSYNC, with the teaching "why" line and
    /// Redis's own log line(s).
    PsyncDecided {
        replica: String,
        replid: String,
        offset: i64,
        /// `continue` or `full_resync`.
        decision: String,
        why: String,
        log: Vec<String>,
    },
    /// Replica side: the master's answer (`+CONTINUE <id>`, `+FULLRESYNC <id> <off>`).
    PsyncReply { master: String, reply: String },
    /// Master side: an RDB snapshot for replicas started (`disk` or `socket`).
    SnapshotStarted { target: String, replicas: Vec<String>, offset: u64, bytes: u64 },
    /// Master side: RDB bytes handed to the link for one replica.
    SnapshotProgress { replica: String, sent: u64, total: u64 },
    /// Master side: a replica has the whole snapshot.
    SnapshotFinished { replica: String, bytes: u64 },
    /// Replica side: the snapshot is loaded (or a restarted node loaded its file).
    SnapshotLoaded { keys: u64, bytes: u64, replid: String, offset: u64 },
    /// The backlog was created (new replid on a master).
    BacklogCreated { replid: String, first_byte_offset: u64 },
    /// Whole blocks left the backlog's head.
    BacklogTrimmed { first_byte_offset: u64, histlen: u64 },
    /// `repl-backlog-ttl` freed the backlog.
    BacklogFreed,
    /// Master side: `REPLCONF ACK <offset>` from a replica.
    ReplicaAck { replica: String, offset: u64 },
    /// Master side: a replica is online (`full` or `partial`).
    ReplicaOnline { replica: String, sync: String },
    /// Master side: a replica connection ended (`closed`, `timeout`,
    /// `output_buffer_limit`, `role_change`, `full_resync`).
    ReplicaDisconnected { replica: String, reason: String },
    /// Master side: a command appended to the replication stream.
    StreamFed { offset: u64, len: u64, cmd: String },
    /// Replica side: a command of the master's stream applied (and proxied
    /// verbatim to sub-replicas).
    StreamApplied { offset: u64, len: u64, cmd: String },
    /// An error reply sent to a client.
    ErrorReply { error: String },
    /// A client blocked in WAIT got its reply.
    WaitDone { acked: u64 },
}
