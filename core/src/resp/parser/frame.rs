//! [`FrameParser`]: incremental parsing of any RESP2 values — what a
//! client reads from a server, and what a replica reads from its master
//! (`+FULLRESYNC …`, the RDB payload, then commands as arrays).
//!
//! It is a small explicit state machine: a stack of arrays being filled,
//! so a value that arrives in a thousand pieces is never re-parsed from its
//! start and deep nesting never recurses. Malformed input is a
//! [`ProtocolError`], never a panic.

use super::ProtocolError;
use crate::resp::Frame;

/// The longest type line (`+…`, `-…`, `:…`, `$…`, `*…`) accepted.
pub const MAX_LINE: usize = 64 * 1024;
/// The largest bulk string accepted (Redis's `proto-max-bulk-len`).
pub const MAX_BULK: i64 = 512 * 1024 * 1024;
/// The largest array accepted.
pub const MAX_ARRAY: i64 = i32::MAX as i64;
/// How deeply arrays may nest. Redis replies nest a few levels; a limit
/// keeps a hostile input from building a value too deep to drop safely.
pub const MAX_DEPTH: usize = 64;

/// Arrays never reserve more slots than this before their items arrive.
const ARRAY_RESERVE: usize = 1024;

/// The snapshot a master sends after `+FULLRESYNC`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RdbPayload {
    /// The RDB file's bytes.
    pub data: Vec<u8>,
    /// True for the diskless form `$EOF:<40 bytes mark>\r\n<rdb><mark>`;
    /// false for the disk form `$<len>\r\n<rdb>` (no trailing CRLF).
    pub eof_marked: bool,
}

/// Parses RESP2 frames from bytes split anywhere.
#[derive(Debug, Default)]
pub struct FrameParser {
    buf: Vec<u8>,
    pos: usize,
    /// Arrays whose items are still arriving, innermost last.
    stack: Vec<PartialArray>,
    /// Bytes consumed so far by the frame being assembled.
    frame_bytes: usize,
    /// How much of a diskless RDB body has been searched for its EOF mark:
    /// each call resumes there, so a snapshot arriving in many segments is
    /// scanned once, not once per segment (quadratic for a large RDB).
    eof_scanned: usize,
    failed: Option<ProtocolError>,
}

#[derive(Debug)]
struct PartialArray {
    expected: usize,
    items: Vec<Frame>,
}

/// One parsed element: complete, or the start of a non-empty array.
enum Element {
    Value(Frame),
    ArrayStart(usize),
}

impl FrameParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends received bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Bytes received but not yet part of a returned frame.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// True when it holds nothing: no unconsumed bytes, no frame half
    /// assembled (a fresh parser, or one that has returned all it was fed).
    pub fn is_idle(&self) -> bool {
        self.buf.len() == self.pos && self.stack.is_empty() && self.frame_bytes == 0
    }

    /// The next complete frame, or `Ok(None)` if more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, ProtocolError> {
        Ok(self.next_frame_with_len()?.map(|(frame, _)| frame))
    }

    /// The next complete frame and the number of bytes it took: a replica
    /// advances its replication offset by exactly that much.
    pub fn next_frame_with_len(&mut self) -> Result<Option<(Frame, usize)>, ProtocolError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = self.parse();
        if let Err(e) = &result {
            self.fail(e.clone());
        }
        self.compact();
        result
    }

    /// Reads the RDB payload of a full sync, skipping the `\n` keepalives a
    /// master sends while it prepares the snapshot. Call it only between
    /// frames (right after `+FULLRESYNC`).
    pub fn next_rdb(&mut self) -> Result<Option<RdbPayload>, ProtocolError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if !self.stack.is_empty() {
            let e = ProtocolError("RDB payload requested in the middle of a frame".into());
            self.fail(e.clone());
            return Err(e);
        }
        let result = self.parse_rdb();
        if let Err(e) = &result {
            self.fail(e.clone());
        }
        self.compact();
        result
    }

    fn fail(&mut self, e: ProtocolError) {
        self.failed = Some(e);
        self.buf = Vec::new();
        self.pos = 0;
        self.stack.clear();
        self.eof_scanned = 0;
    }

    fn parse(&mut self) -> Result<Option<(Frame, usize)>, ProtocolError> {
        loop {
            let Some((element, used)) = self.element()? else { return Ok(None) };
            self.pos += used;
            self.frame_bytes += used;
            let mut value = match element {
                Element::ArrayStart(n) => {
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(ProtocolError(format!("arrays nested deeper than {MAX_DEPTH}")));
                    }
                    self.stack.push(PartialArray { expected: n, items: Vec::with_capacity(n.min(ARRAY_RESERVE)) });
                    continue;
                }
                Element::Value(v) => v,
            };
            // Hand the value to the innermost array; close every array it fills.
            loop {
                let Some(top) = self.stack.last_mut() else {
                    let len = std::mem::take(&mut self.frame_bytes);
                    return Ok(Some((value, len)));
                };
                top.items.push(value);
                if top.items.len() < top.expected {
                    break;
                }
                let Some(done) = self.stack.pop() else { break };
                value = Frame::Array(done.items);
            }
        }
    }

    /// Parses one element at `pos` without consuming it; returns it and
    /// the bytes it spans.
    fn element(&self) -> Result<Option<(Element, usize)>, ProtocolError> {
        let rest = &self.buf[self.pos..];
        let Some((line, after)) = line(rest)? else { return Ok(None) };
        let (tag, body) = (line[0], &line[1..]);
        let text = || String::from_utf8_lossy(body).into_owned();
        let element = match tag {
            b'+' => Element::Value(Frame::Simple(text().into())),
            b'-' => Element::Value(Frame::Error(text())),
            b':' => Element::Value(Frame::Integer(number(body, "integer")?)),
            b'$' => {
                let n = number(body, "bulk length")?;
                if n == -1 {
                    Element::Value(Frame::Null)
                } else if !(0..=MAX_BULK).contains(&n) {
                    return Err(ProtocolError(format!("invalid bulk length {n}")));
                } else {
                    let n = n as usize;
                    if rest.len() < after + n + 2 {
                        return Ok(None);
                    }
                    if &rest[after + n..after + n + 2] != b"\r\n" {
                        return Err(ProtocolError("bulk string not terminated by CRLF".into()));
                    }
                    return Ok(Some((Element::Value(Frame::Bulk(rest[after..after + n].to_vec())), after + n + 2)));
                }
            }
            b'*' => {
                let n = number(body, "array length")?;
                match n {
                    -1 => Element::Value(Frame::NullArray),
                    0 => Element::Value(Frame::Array(Vec::new())),
                    n if (1..=MAX_ARRAY).contains(&n) => Element::ArrayStart(n as usize),
                    n => return Err(ProtocolError(format!("invalid array length {n}"))),
                }
            }
            other => {
                return Err(ProtocolError(format!(
                    "unexpected type byte {}",
                    crate::util::quoted(&(other as char).to_string(), '\'')
                )));
            }
        };
        Ok(Some((element, after)))
    }

    fn parse_rdb(&mut self) -> Result<Option<RdbPayload>, ProtocolError> {
        while self.buf.get(self.pos) == Some(&b'\n') {
            self.pos += 1;
        }
        let rest = &self.buf[self.pos..];
        let Some((line, after)) = line(rest)? else { return Ok(None) };
        if line[0] != b'$' {
            return Err(ProtocolError(format!(
                "expected '$' before the RDB payload, got {}",
                crate::util::quoted(&(line[0] as char).to_string(), '\'')
            )));
        }
        if let Some(mark) = line.strip_prefix(b"$EOF:") {
            if mark.len() != 40 {
                return Err(ProtocolError("EOF mark must be 40 bytes".into()));
            }
            let body = &rest[after..];
            let from = self.eof_scanned.min(body.len());
            let Some(end) = body[from..].windows(40).position(|w| w == mark).map(|i| from + i) else {
                // No mark starts before the last 39 bytes: resume there.
                self.eof_scanned = body.len().saturating_sub(39);
                return Ok(None);
            };
            let data = body[..end].to_vec();
            self.pos += after + end + 40;
            self.eof_scanned = 0;
            return Ok(Some(RdbPayload { data, eof_marked: true }));
        }
        let n = number(&line[1..], "RDB length")?;
        if !(0..=MAX_BULK * 8).contains(&n) {
            return Err(ProtocolError(format!("invalid RDB length {n}")));
        }
        let n = n as usize;
        if rest.len() < after + n {
            return Ok(None);
        }
        let data = rest[after..after + n].to_vec();
        self.pos += after + n;
        Ok(Some(RdbPayload { data, eof_marked: false }))
    }

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

/// A CRLF-terminated line at the start of `rest`: its bytes (without CRLF,
/// at least the type byte) and the offset after the CRLF.
fn line(rest: &[u8]) -> Result<Option<(&[u8], usize)>, ProtocolError> {
    let window = &rest[..rest.len().min(MAX_LINE + 2)];
    let Some(nl) = window.iter().position(|&b| b == b'\n') else {
        if rest.len() > MAX_LINE + 1 {
            return Err(ProtocolError(format!("line longer than {MAX_LINE} bytes")));
        }
        return Ok(None);
    };
    if nl == 0 || rest[nl - 1] != b'\r' {
        return Err(ProtocolError("line not terminated by CRLF".into()));
    }
    if nl == 1 {
        return Err(ProtocolError("empty line where a type byte was expected".into()));
    }
    Ok(Some((&rest[..nl - 1], nl + 1)))
}

/// A decimal integer: optional `-`, then digits, fitting an i64.
fn number(digits: &[u8], what: &str) -> Result<i64, ProtocolError> {
    std::str::from_utf8(digits).ok().filter(|s| !s.starts_with('+')).and_then(|s| s.parse::<i64>().ok()).ok_or_else(
        || ProtocolError(format!("invalid {what} {}", crate::util::quoted(&String::from_utf8_lossy(digits), '"'))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(bytes: &[u8]) -> Result<Vec<Frame>, ProtocolError> {
        let mut p = FrameParser::new();
        p.feed(bytes);
        let mut out = Vec::new();
        while let Some(f) = p.next_frame()? {
            out.push(f);
        }
        Ok(out)
    }

    #[test]
    fn parses_every_kind() {
        let f = Frame::Array(vec![
            Frame::Simple("OK".into()),
            Frame::Error("ERR x".into()),
            Frame::Integer(-42),
            Frame::bulk("a\r\nb"),
            Frame::Null,
            Frame::NullArray,
            Frame::Array(vec![]),
            Frame::Array(vec![Frame::Array(vec![Frame::Integer(1)])]),
        ]);
        let bytes = f.to_bytes();
        assert_eq!(parse_all(&bytes), Ok(vec![f.clone()]));
        // Byte by byte, with the length reported.
        let mut p = FrameParser::new();
        let mut got = None;
        for b in &bytes {
            p.feed(&[*b]);
            if let Some(x) = p.next_frame_with_len().unwrap() {
                got = Some(x);
            }
        }
        assert_eq!(got, Some((f, bytes.len())));
        assert_eq!(p.buffered(), 0);
    }

    #[test]
    fn errors_are_clear_and_sticky() {
        assert!(parse_all(b"?x\r\n").is_err());
        assert!(parse_all(b"$3\r\nabcXY").is_err());
        assert!(parse_all(b"$-2\r\n").is_err());
        assert!(parse_all(b"*-2\r\n").is_err());
        assert!(parse_all(b":abc\r\n").is_err());
        assert!(parse_all(b"+OK\n").is_err());
        assert!(parse_all(b"\r\n").is_err());
        assert!(parse_all(&vec![b'+'; MAX_LINE + 10]).is_err());
        assert!(parse_all(&b"*1\r\n".repeat(MAX_DEPTH + 1)).is_err());
        let mut p = FrameParser::new();
        p.feed(b"!\r\n");
        let e = p.next_frame().unwrap_err();
        p.feed(b"+OK\r\n");
        assert_eq!(p.next_frame(), Err(e));
    }

    #[test]
    fn huge_headers_do_not_allocate() {
        let mut p = FrameParser::new();
        p.feed(b"*2000000000\r\n$536870912\r\nabc");
        assert_eq!(p.next_frame(), Ok(None));
    }

    #[test]
    fn rdb_payload_disk_and_diskless() {
        let mut p = FrameParser::new();
        p.feed(b"+FULLRESYNC 0123 0\r\n\n\n$5\r\nREDIS*1\r\n$4\r\nPING\r\n");
        assert_eq!(p.next_frame(), Ok(Some(Frame::Simple("FULLRESYNC 0123 0".into()))));
        assert_eq!(p.next_rdb(), Ok(Some(RdbPayload { data: b"REDIS".to_vec(), eof_marked: false })));
        assert_eq!(p.next_frame(), Ok(Some(Frame::bulk_array(["PING"]))));

        let mark = "m".repeat(40);
        let mut p = FrameParser::new();
        p.feed(format!("$EOF:{mark}\r\nRED").as_bytes());
        assert_eq!(p.next_rdb(), Ok(None));
        p.feed(format!("IS{mark}").as_bytes());
        assert_eq!(p.next_rdb(), Ok(Some(RdbPayload { data: b"REDIS".to_vec(), eof_marked: true })));
    }

    #[test]
    fn diskless_mark_split_anywhere_is_found_once_and_only_at_its_end() {
        // The body holds a 39-byte prefix of the mark; the real mark follows.
        let mark: Vec<u8> = (0..40).map(|i| b'a' + (i % 26) as u8).collect();
        let mut body = b"REDIS0010".to_vec();
        body.extend_from_slice(&mark[..39]);
        body.extend_from_slice(b"tail");
        let mut stream = b"$EOF:".to_vec();
        stream.extend_from_slice(&mark);
        stream.extend_from_slice(b"\r\n");
        stream.extend_from_slice(&body);
        stream.extend_from_slice(&mark);
        stream.extend_from_slice(b"+OK\r\n");
        for chunk in 1..=45 {
            let mut p = FrameParser::new();
            let mut got = None;
            for piece in stream.chunks(chunk) {
                p.feed(piece);
                if got.is_none() {
                    got = p.next_rdb().unwrap();
                }
            }
            assert_eq!(got, Some(RdbPayload { data: body.clone(), eof_marked: true }), "chunk {chunk}");
            assert_eq!(p.next_frame(), Ok(Some(Frame::ok())));
        }
    }

    #[test]
    fn large_diskless_payload_in_segments_is_scanned_once() {
        // 8 MB in 16 KB segments: rescanning from the start on every
        // segment would compare ~2·10⁹ windows; resuming keeps it linear.
        let mark = [b'm'; 40];
        let body = vec![b'x'; 8 << 20];
        let mut p = FrameParser::new();
        p.feed(b"$EOF:");
        p.feed(&mark);
        p.feed(b"\r\n");
        for piece in body.chunks(16 * 1024) {
            p.feed(piece);
            assert_eq!(p.next_rdb(), Ok(None));
        }
        p.feed(&mark);
        let payload = p.next_rdb().unwrap().unwrap();
        assert_eq!(payload.data.len(), body.len());
    }
}
