//! The replication backlog: the tail of the replication stream a master keeps
//! so a briefly disconnected replica can resync partially (`+CONTINUE`).
//!
//! (Skeleton: a byte-exact ring. Redis 7.0 really keeps a list of blocks and
//! trims whole blocks; the replication work measures and models that.)

use std::collections::VecDeque;

/// The bytes of the replication stream from `first_byte_offset` up to the
/// master's `master_repl_offset`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicationBacklog {
    size: u64,
    buf: VecDeque<u8>,
    /// Offset of the first byte held (`repl_backlog_first_byte_offset`).
    first_byte_offset: u64,
}

impl ReplicationBacklog {
    /// A new, empty backlog whose first byte will be `master_repl_offset + 1`.
    pub fn new(size: u64, master_repl_offset: u64) -> Self {
        ReplicationBacklog { size, buf: VecDeque::new(), first_byte_offset: master_repl_offset + 1 }
    }

    /// `repl-backlog-size`.
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn first_byte_offset(&self) -> u64 {
        self.first_byte_offset
    }

    /// `repl_backlog_histlen`: bytes currently held.
    pub fn histlen(&self) -> u64 {
        self.buf.len() as u64
    }

    /// Appends stream bytes, trimming the oldest beyond `size`.
    pub fn append(&mut self, bytes: &[u8]) {
        self.buf.extend(bytes);
        let excess = (self.buf.len() as u64).saturating_sub(self.size);
        if excess > 0 {
            self.buf.drain(..excess as usize);
            self.first_byte_offset += excess;
        }
    }
}
