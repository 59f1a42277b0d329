//! Where a partial resync gets decided: the master's answer to
//! `PSYNC <replid> <offset>` (Redis's `masterTryPartialResynchronization`),
//! as a pure function of what the master knows.
//!
//! The rule, verified branch by branch against Redis 7.0.15:
//! 1. The history must be the master's: `replid` equals `master_replid`, or
//!    equals `master_replid2` with `offset <= second_repl_offset` (the
//!    history this node shared with its old master ends there). IDs compare
//!    case-insensitively. A replid starting with `?` (`PSYNC ? -1`) asks for
//!    a full resync outright and is not counted in `sync_partial_err`.
//! 2. The master must still hold the bytes: a backlog exists and
//!    `first_byte_offset <= offset <= master_repl_offset + 1`. Asking for
//!    `master_repl_offset + 1` continues with zero bytes; one more is a full
//!    resync (and a warning in the log).
//!
//! Otherwise: `+FULLRESYNC <replid> <master_repl_offset>` and an RDB.

use crate::backlog::ReplicationBacklog;

/// What the master knows when a PSYNC arrives.
#[derive(Clone, Copy, Debug)]
pub struct PsyncView<'a> {
    /// `master_replid`.
    pub replid: &'a str,
    /// `master_replid2` (forty zeros when there is none).
    pub replid2: &'a str,
    /// `second_repl_offset` (-1 when there is no second ID).
    pub second_repl_offset: i64,
    /// `master_repl_offset`.
    pub master_repl_offset: u64,
    /// `None` when the master has no backlog (never had a replica, or the
    /// `repl-backlog-ttl` freed it).
    pub backlog: Option<&'a ReplicationBacklog>,
}

/// `PSYNC <replid> <offset>` as the replica sent it. (A non-numeric offset
/// never gets here: Redis answers `-ERR value is not an integer or out of
/// range`, logs `Replica <name> asks for synchronization but with a wrong
/// offset` and counts nothing.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsyncRequest {
    pub replid: String,
    pub offset: i64,
}

/// The master's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PsyncDecision {
    /// `+CONTINUE <replid>`, then the backlog from `from_offset` on.
    Continue { replid: String, from_offset: u64, backlog_bytes: Vec<u8> },
    /// `+FULLRESYNC <replid> <offset>` and an RDB snapshot.
    FullResync { reason: FullResyncReason },
}

/// Why a partial resync was refused, with the numbers needed to explain it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FullResyncReason {
    /// `PSYNC ? -1` (any replid starting with `?`): the replica wants a full copy.
    Requested,
    /// The replica follows a history this master does not know.
    ReplidMismatch { asked: String, replid: String, replid2: String },
    /// The replica asked for the master's old ID past the point where this
    /// node's history split from it.
    SecondIdTooFar { asked_offset: i64, second_repl_offset: i64 },
    /// The master keeps no backlog.
    NoBacklog { asked_offset: i64 },
    /// The offset is outside `[first_byte_offset, master_repl_offset + 1]`.
    OutsideWindow { asked_offset: i64, first_byte_offset: u64, master_repl_offset: u64 },
}

/// Decides a PSYNC the way a Redis 7.0 master does.
pub fn decide(master: &PsyncView<'_>, request: &PsyncRequest) -> PsyncDecision {
    let asked = request.replid.as_str();
    let offset = request.offset;
    let is_main = asked.eq_ignore_ascii_case(master.replid);
    let is_second = asked.eq_ignore_ascii_case(master.replid2);
    if !is_main && (!is_second || offset > master.second_repl_offset) {
        let reason = if asked.starts_with('?') {
            FullResyncReason::Requested
        } else if !is_second {
            FullResyncReason::ReplidMismatch {
                asked: asked.to_string(),
                replid: master.replid.to_string(),
                replid2: master.replid2.to_string(),
            }
        } else {
            FullResyncReason::SecondIdTooFar { asked_offset: offset, second_repl_offset: master.second_repl_offset }
        };
        return PsyncDecision::FullResync { reason };
    }
    let Some(backlog) = master.backlog else {
        return PsyncDecision::FullResync { reason: FullResyncReason::NoBacklog { asked_offset: offset } };
    };
    if !backlog.contains(offset) {
        return PsyncDecision::FullResync {
            reason: FullResyncReason::OutsideWindow {
                asked_offset: offset,
                first_byte_offset: backlog.first_byte_offset(),
                master_repl_offset: master.master_repl_offset,
            },
        };
    }
    // contains() guarantees offset >= first_byte_offset >= 1.
    let from_offset = offset as u64;
    PsyncDecision::Continue {
        replid: master.replid.to_string(),
        from_offset,
        backlog_bytes: backlog.bytes_from(from_offset),
    }
}

impl PsyncDecision {
    /// The first line of the master's reply: `+CONTINUE <replid>` (or bare
    /// `+CONTINUE` for a replica without `capa psync2`), or
    /// `+FULLRESYNC <replid> <offset>`.
    pub fn reply_line(&self, master: &PsyncView<'_>, capa_psync2: bool) -> String {
        match self {
            PsyncDecision::Continue { replid, .. } if capa_psync2 => format!("+CONTINUE {replid}\r\n"),
            PsyncDecision::Continue { .. } => "+CONTINUE\r\n".to_string(),
            PsyncDecision::FullResync { .. } => {
                format!("+FULLRESYNC {} {}\r\n", master.replid, master.master_repl_offset)
            }
        }
    }

    /// The master's log lines, verbatim; `replica` is how Redis names it:
    /// `<ip>:<listening-port>`, or `<ip>:<unknown-replica-port>`.
    pub fn log_lines(&self, replica: &str) -> Vec<String> {
        match self {
            PsyncDecision::Continue { from_offset, backlog_bytes, .. } => vec![format!(
                "Partial resynchronization request from {replica} accepted. Sending {} bytes of backlog starting from offset {from_offset}.",
                backlog_bytes.len()
            )],
            PsyncDecision::FullResync { reason } => reason.log_lines(replica),
        }
    }

    /// One line that teaches why, e.g.
    /// `asked for 56 · window starts at 20441 → not in backlog → full resync`.
    pub fn why(&self) -> String {
        match self {
            PsyncDecision::Continue { from_offset, backlog_bytes, .. } => format!(
                "asked for {from_offset} · window reaches {} (master_repl_offset + 1) → in backlog → +CONTINUE, {} bytes replayed",
                from_offset + backlog_bytes.len() as u64,
                backlog_bytes.len()
            ),
            PsyncDecision::FullResync { reason } => reason.why(),
        }
    }

    /// `(sync_partial_ok, sync_partial_err)` increments. (`sync_full` goes
    /// up when the full sync starts, for every `FullResync`.)
    pub fn stats_delta(&self) -> (u64, u64) {
        match self {
            PsyncDecision::Continue { .. } => (1, 0),
            PsyncDecision::FullResync { reason: FullResyncReason::Requested } => (0, 0),
            PsyncDecision::FullResync { .. } => (0, 1),
        }
    }
}

impl FullResyncReason {
    /// The master's log lines, verbatim (Redis 7.0.15).
    pub fn log_lines(&self, replica: &str) -> Vec<String> {
        match self {
            FullResyncReason::Requested => vec![format!("Full resync requested by replica {replica}")],
            FullResyncReason::ReplidMismatch { asked, replid, replid2 } => vec![format!(
                "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{asked}', my replication IDs are '{replid}' and '{replid2}')"
            )],
            FullResyncReason::SecondIdTooFar { asked_offset, second_repl_offset } => vec![format!(
                "Partial resynchronization not accepted: Requested offset for second ID was {asked_offset}, but I can reply up to {second_repl_offset}"
            )],
            FullResyncReason::NoBacklog { asked_offset } => vec![lack_of_backlog(replica, *asked_offset)],
            FullResyncReason::OutsideWindow { asked_offset, master_repl_offset, .. } => {
                let mut lines = vec![lack_of_backlog(replica, *asked_offset)];
                if *asked_offset > *master_repl_offset as i64 {
                    lines.push(format!(
                        "Warning: replica {replica} tried to PSYNC with an offset that is greater than the master replication offset."
                    ));
                }
                lines
            }
        }
    }

    /// One line that teaches why the resync is full.
    pub fn why(&self) -> String {
        match self {
            FullResyncReason::Requested => {
                "asked PSYNC ? -1 · a replica with no history wants a full copy → full resync".to_string()
            }
            FullResyncReason::ReplidMismatch { asked, replid, replid2 } => format!(
                "asked for history {} · master knows {} and {} → different history → full resync",
                short_id(asked),
                short_id(replid),
                short_id(replid2)
            ),
            FullResyncReason::SecondIdTooFar { asked_offset, second_repl_offset } => format!(
                "asked for the old master's history at {asked_offset} · shared history ends at {} (second_repl_offset {second_repl_offset}) → diverged → full resync",
                second_repl_offset - 1
            ),
            FullResyncReason::NoBacklog { asked_offset } => {
                format!("asked for {asked_offset} · master keeps no backlog → nothing to replay → full resync")
            }
            FullResyncReason::OutsideWindow { asked_offset, first_byte_offset, master_repl_offset } => {
                if *asked_offset < *first_byte_offset as i64 {
                    format!(
                        "asked for {asked_offset} · window starts at {first_byte_offset} → not in backlog → full resync"
                    )
                } else {
                    format!(
                        "asked for {asked_offset} · window ends at {} (master_repl_offset + 1) → ahead of the master → full resync",
                        master_repl_offset + 1
                    )
                }
            }
        }
    }
}

fn lack_of_backlog(replica: &str, asked_offset: i64) -> String {
    format!(
        "Unable to partial resync with replica {replica} for lack of backlog (Replica request was: {asked_offset})."
    )
}

/// The first 8 characters of a replication ID, for teaching lines.
fn short_id(id: &str) -> String {
    let end = id.char_indices().nth(8).map_or(id.len(), |(i, _)| i);
    format!("{}…", &id[..end])
}
