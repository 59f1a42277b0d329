//! What a node reports as it works: structured, serialisable events for the
//! UI's animation and event log, the CLI's `--events`, and tests.
//!
//! Every variant carries what a viewer needs to draw it without asking the
//! node again. Replicas and masters are named the way Redis names them in
//! its log (`<host>:<listening-port>`). Every line of the node's own log is
//! also an event ([`NodeEventKind::Log`]), in Redis's wording; the other
//! variants are the structured view of the same moments.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
    /// Redis's own log line(s). Boxed: it is rare and the largest, and every
    /// event is as large as the largest variant (serialised the same way,
    /// its fields next to `type`).
    PsyncDecided(Box<PsyncDecided>),
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
    StreamFed { offset: u64, len: u64, cmd: CmdText },
    /// Replica side: a command of the master's stream applied (and proxied
    /// verbatim to sub-replicas).
    StreamApplied { offset: u64, len: u64, cmd: CmdText },
    /// An error reply sent to a client.
    ErrorReply { error: String },
    /// A client blocked in WAIT got its reply.
    WaitDone { acked: u64 },
}

/// The fields of [`NodeEventKind::PsyncDecided`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PsyncDecided {
    pub replica: String,
    pub replid: String,
    pub offset: i64,
    /// `continue` or `full_resync`.
    pub decision: String,
    pub why: String,
    pub log: Vec<String>,
}

/// Bytes of text a [`CmdText`] holds without a heap allocation: `SET
/// key:000042 value-0000000042` fits.
const INLINE: usize = 38;

/// A command as events show it (`SET k v`, see
/// [`crate::server::argv_summary`]): a string, kept inline when short.
/// Every write makes one on the master and one per replica, so most of
/// them cost no allocation. Serialises as a plain JSON string.
#[derive(Clone, PartialEq, Eq)]
pub struct CmdText(Repr);

#[derive(Clone, PartialEq, Eq)]
enum Repr {
    Inline { len: u8, buf: [u8; INLINE] },
    Heap(Box<str>),
}

impl CmdText {
    /// An empty text, to be filled with `fmt::Write`.
    pub fn new() -> Self {
        CmdText(Repr::Inline { len: 0, buf: [0; INLINE] })
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Only whole `&str`s are ever copied in (see `write_str`).
            Repr::Inline { len, buf } => std::str::from_utf8(&buf[..*len as usize]).unwrap_or_default(),
            Repr::Heap(s) => s,
        }
    }
}

impl Default for CmdText {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Write for CmdText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match &mut self.0 {
            Repr::Inline { len, buf } if *len as usize + s.len() <= INLINE => {
                let at = *len as usize;
                buf[at..at + s.len()].copy_from_slice(s.as_bytes());
                *len += s.len() as u8;
            }
            Repr::Inline { .. } => {
                let mut text = String::with_capacity(2 * INLINE + s.len());
                text.push_str(self.as_str());
                text.push_str(s);
                self.0 = Repr::Heap(text.into_boxed_str());
            }
            Repr::Heap(old) => {
                let mut text = String::from(std::mem::take(old));
                text.push_str(s);
                *old = text.into_boxed_str();
            }
        }
        Ok(())
    }
}

impl std::ops::Deref for CmdText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for CmdText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for CmdText {
    fn from(s: &str) -> Self {
        let mut text = CmdText::new();
        let _ = fmt::Write::write_str(&mut text, s);
        text
    }
}

impl From<String> for CmdText {
    fn from(s: String) -> Self {
        if s.len() <= INLINE { CmdText::from(s.as_str()) } else { CmdText(Repr::Heap(s.into_boxed_str())) }
    }
}

impl PartialEq<str> for CmdText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for CmdText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for CmdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CmdText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for CmdText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CmdText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(CmdText::from)
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use super::*;

    #[test]
    fn short_texts_stay_inline_and_long_ones_move_to_the_heap() {
        let mut text = CmdText::new();
        write!(text, "SET key:000042 value-0000000042").unwrap();
        assert!(matches!(text.0, Repr::Inline { .. }));
        assert_eq!(text, "SET key:000042 value-0000000042");
        let long = "é".repeat(40);
        write!(text, " {long}").unwrap();
        assert!(matches!(text.0, Repr::Heap(_)));
        assert_eq!(text.as_str(), format!("SET key:000042 value-0000000042 {long}"));
        write!(text, "!").unwrap();
        assert!(text.ends_with(" !") || text.ends_with("é!"));
        assert_eq!(CmdText::from("x".repeat(47)).len(), 47);
        assert!(std::mem::size_of::<CmdText>() <= 40);
    }

    #[test]
    fn serialises_as_a_plain_string() {
        let event = NodeEventKind::StreamApplied { offset: 1, len: 27, cmd: "SET k v".into() };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(json, r#"{"type":"stream_applied","offset":1,"len":27,"cmd":"SET k v"}"#);
        assert_eq!(serde_json::from_str::<NodeEventKind>(&json).unwrap(), event);
    }
}
