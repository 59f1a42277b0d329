//! Incremental RESP parsers: bytes arrive split at any point, the parsers
//! keep what they have not consumed yet and hand out complete values.
//!
//! - [`RequestParser`]: what a Redis server does with a client's bytes
//!   (`processInputBuffer`): multibulk requests (`*2\r\n$3\r\nGET\r\n…`)
//!   and inline commands (`GET k\r\n`), with Redis 7.0's limits and its
//!   protocol errors byte for byte.
//! - [`FrameParser`]: any RESP2 values (replies, the replication stream as
//!   a replica reads it), plus the RDB payload of a full sync.
//! - [`parse_command`]: the replication stream's fast path, one command
//!   into reused argument buffers (anything unusual goes to [`FrameParser`]).
//!
//! Neither parser allocates on the word of an untrusted length: a
//! `*1000000000` header reserves a handful of slots, and a `$536870912`
//! bulk is copied only once all its bytes are there.

mod command;
mod frame;
mod inline;

pub use command::{ArgvBuf, MAX_FAST_ARGS, Parsed, parse_command};
pub use frame::{FrameParser, RdbPayload};
pub use inline::split_args;

use crate::util::parse_strict_i64;

/// A protocol violation. For [`RequestParser`] the text is the exact error
/// Redis replies with (without the leading `-`) before it closes the
/// connection; for [`FrameParser`] it describes what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl ProtocolError {
    fn protocol(what: &str) -> Self {
        ProtocolError(format!("ERR Protocol error: {what}"))
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProtocolError {}

/// `PROTO_INLINE_MAX_SIZE`: the longest inline line, and the longest
/// `*<count>` / `$<len>` line, Redis buffers while waiting for its end.
pub const PROTO_INLINE_MAX_SIZE: usize = 64 * 1024;

/// `proto-max-bulk-len`'s default (512mb): the largest bulk argument.
pub const PROTO_MAX_BULK_LEN: i64 = 512 * 1024 * 1024;

/// Redis rejects a multibulk count above `INT_MAX`.
pub const MAX_MULTIBULK_LEN: i64 = i32::MAX as i64;

/// Never reserve more argv slots than this up front, whatever the header
/// claims (Redis uses the same bound).
const ARGV_RESERVE: usize = 1024;

/// Parses client requests (multibulk and inline) into argv vectors, the
/// way Redis 7.0's `processInputBuffer` does.
///
/// Quirks kept on purpose because real Redis has them (observed on
/// 7.0.15):
/// - the byte after the `\r` of a `*`/`$` line and the two bytes after a
///   bulk's data are skipped without being checked;
/// - Redis looks for line ends with C's `strchr`, which stops at a NUL
///   byte: a NUL before the line end makes Redis wait (until the
///   64 KB limit trips) instead of parsing the line;
/// - `*0` and `*-1` are skipped silently, as are empty inline lines;
/// - the 64 KB limits are checked against everything buffered from the
///   start of the line, so whether a line longer than 64 KB is accepted
///   depends on how the bytes were split. Redis reads at most 16 KB
///   ([`PROTO_IOBUF_LEN`]) per read before parsing; the node feeds this
///   parser in chunks of that size to behave the same.
#[derive(Debug)]
pub struct RequestParser {
    buf: Vec<u8>,
    /// Start of the unconsumed bytes in `buf`.
    pos: usize,
    /// A multibulk request in progress.
    multibulk: Option<Multibulk>,
    /// `proto-max-bulk-len`.
    max_bulk_len: i64,
    /// Set once a protocol error has been returned: the connection is dead.
    failed: Option<ProtocolError>,
    /// Buffers of requests handed back with [`RequestParser::recycle`],
    /// reused for the next ones (no allocation per request once warm).
    spare_argv: Vec<Vec<u8>>,
    spare_args: Vec<Vec<u8>>,
}

/// [`RequestParser::recycle`] keeps at most this many argument buffers, of
/// at most this capacity.
const SPARE_ARGS: usize = 64;
const SPARE_ARG_CAPACITY: usize = 4096;

/// `PROTO_IOBUF_LEN`: how much Redis reads from a socket at a time.
pub const PROTO_IOBUF_LEN: usize = 16 * 1024;

#[derive(Debug)]
struct Multibulk {
    /// Arguments still expected.
    remaining: usize,
    args: Vec<Vec<u8>>,
    /// Length of the bulk whose `$` line has been read, if any.
    bulk_len: Option<usize>,
}

impl Default for RequestParser {
    fn default() -> Self {
        RequestParser {
            buf: Vec::new(),
            pos: 0,
            multibulk: None,
            max_bulk_len: PROTO_MAX_BULK_LEN,
            failed: None,
            spare_argv: Vec::new(),
            spare_args: Vec::new(),
        }
    }
}

impl RequestParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// A parser enforcing another `proto-max-bulk-len`.
    pub fn with_max_bulk_len(max_bulk_len: i64) -> Self {
        RequestParser { max_bulk_len, ..Self::default() }
    }

    /// Follows a `CONFIG SET proto-max-bulk-len`: Redis reads the setting
    /// each time it parses a `$<len>` line, so a change applies to bulks
    /// not yet parsed, on connections already open.
    pub fn set_max_bulk_len(&mut self, max_bulk_len: i64) {
        self.max_bulk_len = max_bulk_len;
    }

    /// Appends bytes received from the client.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Hands back a request's argv once it has run, so its buffers serve
    /// the next requests.
    pub fn recycle(&mut self, mut argv: Vec<Vec<u8>>) {
        for arg in argv.drain(..) {
            if self.spare_args.len() < SPARE_ARGS && arg.capacity() <= SPARE_ARG_CAPACITY {
                self.spare_args.push(arg);
            }
        }
        if argv.capacity() <= ARGV_RESERVE {
            self.spare_argv = argv;
        }
    }

    /// Bytes received but not yet consumed by a complete request.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The next complete request, `Ok(None)` if more bytes are needed, or
    /// the protocol error Redis would reply with before closing. After an
    /// error the parser keeps returning it.
    pub fn next_request(&mut self) -> Result<Option<Vec<Vec<u8>>>, ProtocolError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = self.parse();
        match &result {
            Err(e) => {
                self.failed = Some(e.clone());
                self.buf = Vec::new();
                self.pos = 0;
            }
            Ok(_) => self.compact(),
        }
        result
    }

    fn parse(&mut self) -> Result<Option<Vec<Vec<u8>>>, ProtocolError> {
        loop {
            if self.multibulk.is_none() {
                let Some(&first) = self.buf.get(self.pos) else { return Ok(None) };
                if first != b'*' {
                    match self.inline()? {
                        Some(args) if args.is_empty() => continue,
                        other => return Ok(other),
                    }
                }
                match self.multibulk_header()? {
                    None => return Ok(None),
                    Some(0) => continue,
                    Some(n) => {
                        let mut args = std::mem::take(&mut self.spare_argv);
                        args.reserve_exact(n.min(ARGV_RESERVE));
                        self.multibulk = Some(Multibulk { remaining: n, args, bulk_len: None })
                    }
                }
            }
            return self.multibulk_args();
        }
    }

    /// One inline line; `Some(vec![])` for a blank line (skipped).
    fn inline(&mut self) -> Result<Option<Vec<Vec<u8>>>, ProtocolError> {
        let rest = &self.buf[self.pos..];
        let Some(nl) = find_before_nul(rest, b'\n') else {
            if rest.len() > PROTO_INLINE_MAX_SIZE {
                return Err(ProtocolError::protocol("too big inline request"));
            }
            return Ok(None);
        };
        let line = match rest[..nl].last() {
            Some(b'\r') => &rest[..nl - 1],
            _ => &rest[..nl],
        };
        let args = inline::split_args(line).ok_or_else(|| ProtocolError::protocol("unbalanced quotes in request"))?;
        self.pos += nl + 1;
        Ok(Some(args))
    }

    /// Reads `*<count>\r\n`. `Some(0)` for a count ≤ 0 (nothing to run).
    fn multibulk_header(&mut self) -> Result<Option<usize>, ProtocolError> {
        let Some(cr) = self.line_end("too big mbulk count string")? else {
            return Ok(None);
        };
        let n = match parse_strict_i64(&self.buf[self.pos + 1..self.pos + cr]) {
            Some(n) if n <= MAX_MULTIBULK_LEN => n,
            _ => return Err(ProtocolError::protocol("invalid multibulk length")),
        };
        self.pos += cr + 2;
        Ok(Some(n.max(0) as usize))
    }

    /// Reads the `$<len>\r\n<data>\r\n` arguments of the current multibulk.
    fn multibulk_args(&mut self) -> Result<Option<Vec<Vec<u8>>>, ProtocolError> {
        loop {
            let Some(mb) = &self.multibulk else { return Ok(None) };
            if mb.remaining == 0 {
                return Ok(self.multibulk.take().map(|mb| mb.args));
            }
            let len = match mb.bulk_len {
                Some(len) => len,
                None => {
                    let Some(cr) = self.line_end("too big bulk count string")? else {
                        return Ok(None);
                    };
                    let tag = self.buf[self.pos];
                    if tag != b'$' {
                        let got = sanitize_byte(tag);
                        return Err(ProtocolError::protocol(&format!("expected '$', got '{got}'")));
                    }
                    let len = match parse_strict_i64(&self.buf[self.pos + 1..self.pos + cr]) {
                        Some(n) if (0..=self.max_bulk_len).contains(&n) => n as usize,
                        _ => return Err(ProtocolError::protocol("invalid bulk length")),
                    };
                    self.pos += cr + 2;
                    len
                }
            };
            let available = self.buf.len() - self.pos;
            let Some(mb) = &mut self.multibulk else { return Ok(None) };
            if available < len + 2 {
                mb.bulk_len = Some(len);
                return Ok(None);
            }
            let mut arg = self.spare_args.pop().unwrap_or_default();
            arg.clear();
            arg.extend_from_slice(&self.buf[self.pos..self.pos + len]);
            mb.args.push(arg);
            mb.remaining -= 1;
            mb.bulk_len = None;
            self.pos += len + 2;
        }
    }

    /// Offset (from `pos`) of the `\r` ending a `*`/`$` line, once that
    /// `\r` and one more byte (taken to be `\n`, unchecked, as Redis does)
    /// have arrived. Too long a wait for it is the `too_big` error.
    fn line_end(&self, too_big: &str) -> Result<Option<usize>, ProtocolError> {
        let rest = &self.buf[self.pos..];
        let Some(cr) = find_before_nul(rest, b'\r') else {
            if rest.len() > PROTO_INLINE_MAX_SIZE {
                return Err(ProtocolError::protocol(too_big));
            }
            return Ok(None);
        };
        Ok((cr + 2 <= rest.len()).then_some(cr))
    }

    /// Drops consumed bytes once there are enough of them to matter.
    fn compact(&mut self) {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos > 64 * 1024 && self.pos * 2 > self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
    }
}

/// Index of the first `needle` in `bytes` if no NUL comes before it (C's
/// `strchr` on a NUL-terminated buffer).
fn find_before_nul(bytes: &[u8], needle: u8) -> Option<usize> {
    bytes.iter().position(|&b| b == needle || b == 0).filter(|&i| bytes[i] == needle)
}

/// Redis formats the offending byte with `%c` and then replaces CR and LF
/// with spaces so the error stays one line.
fn sanitize_byte(b: u8) -> char {
    match b {
        b'\r' | b'\n' => ' ',
        _ => b as char,
    }
}

#[cfg(test)]
mod tests;
