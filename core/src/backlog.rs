//! The replication backlog: the tail of the replication stream a master keeps
//! so a briefly disconnected replica can resync partially (`+CONTINUE`).
//!
//! # How Redis 7.0 really keeps it (measured on 7.0.15, see docs/backlog-7.0.md)
//!
//! The backlog is not a byte ring of exactly `repl-backlog-size` bytes. Redis
//! 7.0 keeps one list of *blocks* shared by the backlog and by every replica's
//! output buffer:
//!
//! - **Blocks.** Bytes are appended to the last block while it has room. A
//!   new block is asked for `min(max(rest, 16 KiB), max(size / 16, 16 KiB))`
//!   bytes of payload (`rest` = what is left of the piece being fed), plus a
//!   40-byte header; the block's capacity is whatever jemalloc really hands
//!   out minus that header. jemalloc rounds 16 KiB + 40 up to its 20 KiB size
//!   class, so a typical block holds **20440** bytes, not 16384.
//! - **Whole-block trimming.** The oldest block is dropped only while
//!   `histlen - head.capacity > repl-backlog-size`, i.e. only if what remains
//!   *still* exceeds the configured size. So the history kept is always more
//!   than the configured size (once it was reached) and up to one block more:
//!   with 16kb, the window grows to 36824 bytes before the first block
//!   (20440 bytes) goes. This is why real PSYNC windows are larger than
//!   `repl-backlog-size`.
//! - **Never the last block**, and never a block a replica still reads from:
//!   a connected replica whose output is stuck pins its current block, and
//!   trimming stops there, so the backlog grows past its size (up to the
//!   client-output-buffer-limit that eventually disconnects the replica).
//! - **Incremental.** One trim pass drops at most 64 blocks; Redis runs one
//!   after each new block, after a replica moves to its next block, after a
//!   replica is freed and after `CONFIG SET repl-backlog-size`, and one of up
//!   to 640 blocks in every event-loop iteration (`beforeSleep`). Only a
//!   pipelined client can see the in-between state (measured: shrinking a
//!   full 10mb backlog to 16kb drops exactly 64 blocks before the next
//!   pipelined INFO; the rest go in `beforeSleep`). Each public mutating call
//!   here models one whole event-loop iteration, so it ends with the 640-block
//!   pass; [`ReplicationBacklog::set_size`], [`ReplicationBacklog::trim`] and
//!   [`ReplicationBacklog::before_sleep`] expose the steps.
//!
//! A replica tells the backlog what it still needs with [`ReplicationBacklog::pin`]
//! ("replica X still needs bytes from offset O"), and lets go with
//! [`ReplicationBacklog::unpin`].

use std::collections::VecDeque;

use crate::vec_map::VecMap;

/// `CONFIG_REPL_BACKLOG_MIN_SIZE`: smaller `repl-backlog-size` values are raised to this.
pub const MIN_BACKLOG_SIZE: u64 = 16 * 1024;
/// `PROTO_REPLY_CHUNK_BYTES`: the smallest payload a new block asks for.
pub const MIN_BLOCK_REQUEST: u64 = 16 * 1024;
/// `sizeof(replBufBlock)`: the header allocated in front of each block's bytes.
pub const BLOCK_HEADER_BYTES: u64 = 40;
/// `sizeof(listNode)`, counted in `mem_total_replication_buffers`.
pub const LIST_NODE_BYTES: u64 = 24;
/// `REPL_BACKLOG_TRIM_BLOCKS_PER_CALL`.
pub const TRIM_BLOCKS_PER_CALL: usize = 64;
/// `beforeSleep` trims at ten times the normal speed.
pub const BEFORE_SLEEP_TRIM_BLOCKS: usize = 10 * TRIM_BLOCKS_PER_CALL;

/// What jemalloc 5.3 (Redis's allocator) really returns for a request of `n`
/// bytes: its size class. Above 128 bytes there are four classes per power
/// of two (…, 16384, 20480, 24576, 28672, 32768, 40960, …).
pub fn jemalloc_usable_size(n: u64) -> u64 {
    if n <= 8 {
        return 8;
    }
    if n <= 128 {
        return n.div_ceil(16) * 16;
    }
    // n in (2^k, 2^(k+1)]: classes are spaced 2^(k-2) apart.
    let k = 63 - (n - 1).leading_zeros() as u64; // floor(log2(n - 1))
    let spacing = 1u64 << (k - 2);
    n.div_ceil(spacing) * spacing
}

/// The payload capacity of a block Redis creates while `rest` bytes of the
/// current piece are still to be stored, with `repl-backlog-size` = `size`.
pub fn new_block_capacity(rest: u64, size: u64) -> u64 {
    let limit = (size / 16).max(MIN_BLOCK_REQUEST);
    let request = rest.max(MIN_BLOCK_REQUEST).min(limit);
    jemalloc_usable_size(request + BLOCK_HEADER_BYTES) - BLOCK_HEADER_BYTES
}

/// Whether `replicationCron` frees the backlog of a master that has had no
/// replica since `no_replicas_since_ms`: Redis compares whole unix seconds,
/// `idle > repl-backlog-ttl`, and `0` means never. (Replicas never free
/// theirs this way: the rule is for masters only.)
pub fn ttl_expired(no_replicas_since_ms: u64, now_ms: u64, ttl_secs: u64) -> bool {
    let idle = (now_ms / 1000).saturating_sub(no_replicas_since_ms / 1000);
    ttl_secs > 0 && idle > ttl_secs
}

/// The master's log line when the TTL frees the backlog (it prints the TTL).
pub fn ttl_freed_log_line(ttl_secs: u64) -> String {
    format!("Replication backlog freed after {ttl_secs} seconds without connected replicas.")
}

/// One block of the replication buffer, for pictures and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    /// Replication offset of the block's first byte.
    pub start_offset: u64,
    /// Bytes used.
    pub len: u64,
    /// Bytes it can hold (allocator size class minus the header).
    pub capacity: u64,
    /// Replicas whose next byte to send lies in this block (they pin it).
    pub pinned_by: usize,
}

#[derive(Clone, Debug, PartialEq)]
struct Block {
    start_offset: u64,
    capacity: u64,
    data: Vec<u8>,
}

impl Block {
    /// Offset one past the block's last byte.
    fn end_offset(&self) -> u64 {
        self.start_offset + self.data.len() as u64
    }
}

/// The bytes of the replication stream from `first_byte_offset` up to the
/// master's `master_repl_offset`, kept as Redis 7.0 keeps them.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicationBacklog {
    /// `repl-backlog-size`, never below [`MIN_BACKLOG_SIZE`].
    size: u64,
    blocks: VecDeque<Block>,
    /// `repl_backlog_first_byte_offset`.
    first_byte_offset: u64,
    /// `repl_backlog_histlen`.
    histlen: u64,
    /// Replica id → offset of the next byte that replica still needs.
    /// A BTreeMap so nothing observable depends on hashing.
    pins: VecMap<u64, u64>,
}

impl ReplicationBacklog {
    /// A new, empty backlog whose first byte will be `master_repl_offset + 1`
    /// (Redis creates it when the first replica asks to sync).
    pub fn new(size: u64, master_repl_offset: u64) -> Self {
        ReplicationBacklog {
            size: size.max(MIN_BACKLOG_SIZE),
            blocks: VecDeque::new(),
            first_byte_offset: master_repl_offset + 1,
            histlen: 0,
            pins: VecMap::new(),
        }
    }

    /// `repl-backlog-size` as in effect (raised to 16384 at least).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// `repl_backlog_first_byte_offset`.
    pub fn first_byte_offset(&self) -> u64 {
        self.first_byte_offset
    }

    /// `repl_backlog_histlen`: bytes currently held.
    pub fn histlen(&self) -> u64 {
        self.histlen
    }

    /// The offset of the last byte held (the master's `master_repl_offset`).
    pub fn last_offset(&self) -> u64 {
        self.first_byte_offset + self.histlen - 1
    }

    /// `mem_total_replication_buffers` in `INFO memory`: every block's
    /// allocation plus its list node.
    pub fn mem_total_replication_buffers(&self) -> u64 {
        self.blocks.iter().map(|b| b.capacity + BLOCK_HEADER_BYTES + LIST_NODE_BYTES).sum()
    }

    /// The PSYNC window test: can a replica asking for `offset` continue?
    /// True for `first_byte_offset ..= master_repl_offset + 1` (asking for
    /// the very next byte is fine: zero bytes are replayed).
    pub fn contains(&self, offset: i64) -> bool {
        let first = self.first_byte_offset as i64;
        offset >= first && offset <= first + self.histlen as i64
    }

    /// What `+CONTINUE` replays: the held bytes from `offset` on. Empty when
    /// `offset` is `master_repl_offset + 1` or outside the window (check
    /// [`Self::contains`] first).
    pub fn bytes_from(&self, offset: u64) -> Vec<u8> {
        let mut out = Vec::new();
        if !self.contains(offset as i64) {
            return out;
        }
        for block in &self.blocks {
            if block.end_offset() <= offset {
                continue;
            }
            let skip = offset.saturating_sub(block.start_offset) as usize;
            out.extend_from_slice(&block.data[skip..]);
        }
        out
    }

    /// Up to `max` held bytes from `offset` on (what a replica's output
    /// buffer hands to its socket next). Empty outside the window.
    pub fn copy_range(&self, offset: u64, max: usize) -> Vec<u8> {
        let mut out = Vec::new();
        if !self.contains(offset as i64) {
            return out;
        }
        for block in &self.blocks {
            if out.len() >= max {
                break;
            }
            if block.end_offset() <= offset {
                continue;
            }
            let skip = offset.saturating_sub(block.start_offset) as usize;
            let take = (block.data.len() - skip).min(max - out.len());
            out.extend_from_slice(&block.data[skip..skip + take]);
        }
        out
    }

    /// Redis's output-buffer usage of a replica that still needs `offset`
    /// (`getClientOutputBufferMemoryUsage`): from the start of the block
    /// it references to the end of the last block's capacity, plus 64
    /// bytes of list node and header per block. What
    /// `client-output-buffer-limit replica` compares.
    pub fn replica_buffer_usage(&self, offset: u64) -> u64 {
        let Some(first) = self.pinned_block(Some(offset)) else { return 0 };
        let Some(last) = self.blocks.back() else { return 0 };
        let cur = &self.blocks[first];
        let nodes = (self.blocks.len() - first) as u64;
        (last.start_offset + last.capacity - cur.start_offset) + nodes * (BLOCK_HEADER_BYTES + LIST_NODE_BYTES)
    }

    /// The blocks, oldest first.
    pub fn blocks(&self) -> impl Iterator<Item = BlockInfo> + '_ {
        let pins = self.pin_counts();
        self.blocks.iter().enumerate().map(move |(i, b)| BlockInfo {
            start_offset: b.start_offset,
            len: b.data.len() as u64,
            capacity: b.capacity,
            pinned_by: pins.get(i).copied().unwrap_or(0),
        })
    }

    /// Replica id → the offset it still needs, as last pinned.
    pub fn pins(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.pins.iter().map(|(&id, &off)| (id, off))
    }

    /// Appends what `replicationFeedSlaves` feeds for one or more encoded
    /// commands, then ends the event-loop iteration.
    ///
    /// Redis feeds a command in pieces (`*<argc>\r\n`, then per argument
    /// `$<len>\r\n`, the argument, `\r\n`), and a new block is sized by what
    /// is left of the *piece*; so a big argument is split over blocks of at
    /// most `max(size / 16, 16 KiB)` bytes of request. Bytes that are not a
    /// RESP array of bulk strings are fed as one piece.
    pub fn append(&mut self, bytes: &[u8]) {
        for piece in feed_pieces(bytes) {
            self.feed(piece);
        }
        self.before_sleep();
    }

    /// Appends bytes as one `feedReplicationBuffer` call (how a replica
    /// proxies its master's stream to its sub-replicas), then ends the
    /// event-loop iteration.
    pub fn append_raw(&mut self, bytes: &[u8]) {
        self.feed(bytes);
        self.before_sleep();
    }

    /// `feedReplicationBuffer`: fill the last block, then add blocks for the
    /// rest, trying a 64-block trim after each new block.
    fn feed(&mut self, mut piece: &[u8]) {
        while !piece.is_empty() {
            if let Some(tail) = self.blocks.back_mut() {
                let room = (tail.capacity as usize).saturating_sub(tail.data.len());
                let take = room.min(piece.len());
                tail.data.extend_from_slice(&piece[..take]);
                piece = &piece[take..];
                self.histlen += take as u64;
            }
            if piece.is_empty() {
                break;
            }
            let capacity = new_block_capacity(piece.len() as u64, self.size);
            let take = (capacity as usize).min(piece.len());
            let start_offset = self.first_byte_offset + self.histlen;
            // Allocated at its size class at once (as Redis does), not grown
            // by doubling as later commands fill it.
            let mut data = Vec::with_capacity(capacity as usize);
            data.extend_from_slice(&piece[..take]);
            self.blocks.push_back(Block { start_offset, capacity, data });
            piece = &piece[take..];
            self.histlen += take as u64;
            self.trim(TRIM_BLOCKS_PER_CALL);
        }
    }

    /// `CONFIG SET repl-backlog-size`: values below 16384 are raised; a
    /// smaller size trims (incrementally) right away, a larger one only lets
    /// future history grow (and future blocks be larger).
    pub fn resize(&mut self, new_size: u64) {
        self.set_size(new_size);
        self.trim(TRIM_BLOCKS_PER_CALL);
        self.before_sleep();
    }

    /// Only changes the configured size (raised to 16384), trimming nothing:
    /// a step of [`Self::resize`] for callers that model the event loop.
    pub fn set_size(&mut self, new_size: u64) {
        self.size = new_size.max(MIN_BACKLOG_SIZE);
    }

    /// Replica `replica` still needs bytes from `offset` on (the next byte it
    /// has not yet written to its socket; `master_repl_offset + 1` when it is
    /// caught up). The block holding that byte, and everything after it,
    /// cannot be trimmed. Moving a pin forward lets trimming resume.
    pub fn pin(&mut self, replica: u64, offset: u64) {
        let before = self.pinned_block(self.pins.get(&replica).copied());
        self.pins.insert(replica, offset);
        let after = self.pinned_block(Some(offset));
        // A replica trims once per block it moves past.
        let crossed = match (before, after) {
            (Some(b), Some(a)) if a > b => a - b,
            _ => 0,
        };
        for _ in 0..crossed {
            self.trim(TRIM_BLOCKS_PER_CALL);
        }
        self.before_sleep();
    }

    /// The replica disconnected (or no longer reads from the shared buffer).
    pub fn unpin(&mut self, replica: u64) {
        if self.pins.remove(&replica).is_some() {
            self.trim(TRIM_BLOCKS_PER_CALL);
        }
        self.before_sleep();
    }

    /// The oldest offset any replica still needs.
    pub fn oldest_pin(&self) -> Option<u64> {
        self.pins.values().copied().min()
    }

    /// `beforeSleep`'s pass: up to 640 blocks per event-loop iteration.
    pub fn before_sleep(&mut self) {
        self.trim(BEFORE_SLEEP_TRIM_BLOCKS);
    }

    /// `incrementalTrimReplicationBacklog(max_blocks)`: drop whole blocks
    /// from the head while the history exceeds the configured size AND would
    /// still exceed it without the head block; never the last block, never a
    /// block a replica still reads from.
    pub fn trim(&mut self, max_blocks: usize) {
        let mut trimmed = 0;
        while self.histlen > self.size && trimmed < max_blocks {
            if self.blocks.len() <= 1 {
                break;
            }
            if self.pinned_block(self.oldest_pin()) == Some(0) {
                break;
            }
            let head_capacity = self.blocks[0].capacity;
            if self.histlen.saturating_sub(head_capacity) <= self.size {
                break;
            }
            // Only the last block can be partly filled, so the head is full.
            let head = self.blocks.pop_front();
            let dropped = head.map_or(0, |b| b.data.len() as u64);
            self.histlen -= dropped;
            self.first_byte_offset += dropped;
            trimmed += 1;
        }
    }

    /// Index of the block a replica needing `offset` holds on to: the block
    /// containing that byte, or the last block if it is caught up (or past).
    fn pinned_block(&self, offset: Option<u64>) -> Option<usize> {
        let offset = offset?;
        if self.blocks.is_empty() {
            return None;
        }
        let found = self.blocks.iter().position(|b| offset < b.end_offset());
        Some(found.unwrap_or(self.blocks.len() - 1))
    }

    fn pin_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.blocks.len()];
        for &offset in self.pins.values() {
            if let Some(i) = self.pinned_block(Some(offset)) {
                counts[i] += 1;
            }
        }
        counts
    }
}

/// Splits encoded commands into the pieces `replicationFeedSlaves` feeds:
/// `*<argc>\r\n`, and per argument `$<len>\r\n`, the bytes, `\r\n`.
/// Anything that does not parse as RESP arrays of bulk strings is one piece.
fn feed_pieces(bytes: &[u8]) -> Vec<&[u8]> {
    parse_pieces(bytes).unwrap_or_else(|| vec![bytes])
}

fn parse_pieces(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut pieces = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let (argc, header_end) = parse_header(bytes, pos, b'*')?;
        pieces.push(&bytes[pos..header_end]);
        pos = header_end;
        for _ in 0..argc {
            let (len, header_end) = parse_header(bytes, pos, b'$')?;
            pieces.push(&bytes[pos..header_end]);
            let body_end = header_end.checked_add(len)?;
            let crlf_end = body_end.checked_add(2)?;
            if crlf_end > bytes.len() || &bytes[body_end..crlf_end] != b"\r\n" {
                return None;
            }
            if len > 0 {
                pieces.push(&bytes[header_end..body_end]);
            }
            pieces.push(&bytes[body_end..crlf_end]);
            pos = crlf_end;
        }
    }
    Some(pieces)
}

/// Parses `<kind><digits>\r\n` at `pos`: returns the number and the index
/// just past the `\r\n`.
fn parse_header(bytes: &[u8], pos: usize, kind: u8) -> Option<(usize, usize)> {
    if bytes.get(pos) != Some(&kind) {
        return None;
    }
    let rest = &bytes[pos + 1..];
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 18 || rest.get(digits..digits + 2) != Some(b"\r\n".as_slice()) {
        return None;
    }
    let n = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    Some((n, pos + 1 + digits + 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::encode_command;

    fn set(value_len: usize) -> Vec<u8> {
        let mut out = Vec::new();
        encode_command(&[b"SET".to_vec(), b"k".to_vec(), vec![b'x'; value_len]], &mut out);
        out
    }

    #[test]
    fn jemalloc_classes() {
        assert_eq!(jemalloc_usable_size(16384 + 40), 20480);
        assert_eq!(jemalloc_usable_size(20480), 20480);
        assert_eq!(jemalloc_usable_size(32768), 32768);
        assert_eq!(jemalloc_usable_size(32769), 40960);
        assert_eq!(jemalloc_usable_size(65536 + 40), 81920);
        assert_eq!(jemalloc_usable_size(100), 112);
        assert_eq!(jemalloc_usable_size(129), 160);
    }

    #[test]
    fn block_capacity_follows_size_class_and_limit() {
        // 16 KiB request + header lands in the 20 KiB class.
        assert_eq!(new_block_capacity(10, 16384), 20440);
        // A big piece with a small backlog: capped at 16 KiB of request.
        assert_eq!(new_block_capacity(40000, 16384), 20440);
        // With 1mb the cap is 64 KiB: 40000 + 40 rounds to 40960.
        assert_eq!(new_block_capacity(40000, 1 << 20), 40920);
        assert_eq!(new_block_capacity(100_000, 1 << 20), 81880);
    }

    #[test]
    fn pieces_split_like_replication_feed_slaves() {
        let bytes = set(3);
        let pieces = feed_pieces(&bytes);
        let expect: Vec<&[u8]> =
            vec![b"*3\r\n", b"$3\r\n", b"SET", b"\r\n", b"$1\r\n", b"k", b"\r\n", b"$3\r\n", b"xxx", b"\r\n"];
        assert_eq!(pieces, expect);
        assert_eq!(feed_pieces(b"garbage"), vec![b"garbage".as_slice()]);
        assert_eq!(feed_pieces(b"*1\r\n$5\r\nab"), vec![b"*1\r\n$5\r\nab".as_slice()]);
    }

    #[test]
    fn creation_starts_after_current_offset() {
        let b = ReplicationBacklog::new(100, 50);
        assert_eq!(b.size(), 16384);
        assert_eq!((b.first_byte_offset(), b.histlen()), (51, 0));
        assert!(b.contains(51));
        assert!(!b.contains(50));
        assert!(!b.contains(52));
    }

    #[test]
    fn first_block_goes_only_when_the_rest_still_exceeds_the_size() {
        // 16kb backlog: the head (20440) goes once histlen > 16384 + 20440.
        let mut b = ReplicationBacklog::new(16384, 0);
        b.append_raw(&vec![b'a'; 36824]);
        assert_eq!((b.first_byte_offset(), b.histlen()), (1, 36824));
        b.append_raw(b"b");
        assert_eq!((b.first_byte_offset(), b.histlen()), (20441, 16385));
    }

    #[test]
    fn bytes_from_replays_the_tail() {
        let mut b = ReplicationBacklog::new(16384, 0);
        let stream: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        b.append_raw(&stream);
        let first = b.first_byte_offset();
        assert_eq!(b.bytes_from(first), stream[first as usize - 1..].to_vec());
        assert_eq!(b.bytes_from(first + 7), stream[first as usize + 6..].to_vec());
        assert!(b.bytes_from(b.last_offset() + 1).is_empty());
        assert!(b.bytes_from(first - 1).is_empty());
    }

    #[test]
    fn stalled_replica_pins_and_release_trims() {
        let mut b = ReplicationBacklog::new(16384, 0);
        b.pin(7, 1);
        for _ in 0..10 {
            b.append(&set(40000));
        }
        assert_eq!(b.first_byte_offset(), 1);
        assert!(b.histlen() > 400_000);
        assert_eq!(b.blocks().next().map(|i| i.pinned_by), Some(1));
        b.unpin(7);
        assert!(b.histlen() <= 16384 + 20440);
        assert!(b.histlen() > 16384);
    }

    #[test]
    fn ttl_uses_whole_seconds_and_strictly_greater() {
        assert!(!ttl_expired(34_400, 36_999, 2));
        assert!(ttl_expired(34_400, 37_000, 2));
        assert!(!ttl_expired(0, 1_000_000, 0));
        assert_eq!(ttl_freed_log_line(2), "Replication backlog freed after 2 seconds without connected replicas.");
    }
}
