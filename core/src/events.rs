//! What a node reports as it works: structured, serialisable events for the
//! UI's animation and event log, the CLI's `--events`, and tests.
//!
//! (Skeleton: the replication work fills in the variants.)

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
}
