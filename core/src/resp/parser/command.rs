//! The replication stream's fast path: one command (`*N` then N bulk
//! strings) parsed straight out of the bytes into a reused argv.
//!
//! A replica applies every write its master makes, so in the simulated
//! cluster this runs three times per write. [`FrameParser`] would build a
//! [`Frame`] tree and one `Vec` per argument for each command; here the
//! arguments are copied into buffers that keep their capacity from one
//! command to the next, and nothing is allocated once they are warm.
//!
//! Only the shape a master actually sends is accepted: `*<count>\r\n`
//! (count 1 to [`MAX_FAST_ARGS`]) and `$<len>\r\n<data>\r\n` per argument,
//! lengths in plain digits. Anything else is [`Parsed::Other`]: the caller
//! hands it to [`FrameParser`], which has the final word on every other
//! form and on every protocol error, so both paths agree on what a stream
//! means.
//!
//! [`FrameParser`]: super::FrameParser
//! [`Frame`]: crate::resp::Frame

use super::frame::MAX_BULK;

/// The most arguments the fast path takes. A longer command goes to the
/// frame parser, which keeps partial progress between calls (this parser
/// restarts from the command's first byte each time more bytes arrive).
pub const MAX_FAST_ARGS: usize = 1024;

/// An argument buffer keeps its capacity for reuse up to this size; a
/// larger one is freed once a smaller argument takes its slot, so one huge
/// value does not pin its memory for the link's lifetime.
const KEEP_CAPACITY: usize = 64 * 1024;

/// Argument buffers reused from one command to the next.
#[derive(Debug, Default)]
pub struct ArgvBuf {
    args: Vec<Vec<u8>>,
    len: usize,
}

impl ArgvBuf {
    pub fn new() -> Self {
        Self::default()
    }

    /// The current command's arguments.
    pub fn as_slice(&self) -> &[Vec<u8>] {
        &self.args[..self.len]
    }

    fn clear(&mut self) {
        self.len = 0;
    }

    /// Appends a copy of `bytes` as the next argument, reusing a buffer.
    fn push(&mut self, bytes: &[u8]) {
        match self.args.get_mut(self.len) {
            Some(slot) => {
                if slot.capacity() > KEEP_CAPACITY && bytes.len() <= KEEP_CAPACITY {
                    *slot = Vec::new();
                }
                slot.clear();
                slot.extend_from_slice(bytes);
            }
            None => self.args.push(bytes.to_vec()),
        }
        self.len += 1;
    }
}

/// What [`parse_command`] found at the start of the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A whole command of this many bytes; its arguments are in the buffer.
    Command(usize),
    /// The start of a command in the fast shape; more bytes are needed.
    Incomplete,
    /// Not the fast shape (another RESP type, a malformed or oversized
    /// header…): let the frame parser decide.
    Other,
}

/// Parses one command from the start of `bytes` into `argv` (see the
/// module docs for the accepted shape). On anything but
/// [`Parsed::Command`] the contents of `argv` are unspecified.
pub fn parse_command(bytes: &[u8], argv: &mut ArgvBuf) -> Parsed {
    argv.clear();
    if bytes.first() != Some(&b'*') {
        return if bytes.is_empty() { Parsed::Incomplete } else { Parsed::Other };
    }
    let (count, mut pos) = match header(bytes, 1) {
        Header::Number(n, after) if (1..=MAX_FAST_ARGS as u64).contains(&n) => (n as usize, after),
        Header::Incomplete => return Parsed::Incomplete,
        _ => return Parsed::Other,
    };
    for _ in 0..count {
        match bytes.get(pos) {
            None => return Parsed::Incomplete,
            Some(b'$') => {}
            Some(_) => return Parsed::Other,
        }
        let (len, after) = match header(bytes, pos + 1) {
            Header::Number(n, after) if n <= MAX_BULK as u64 => (n as usize, after),
            Header::Incomplete => return Parsed::Incomplete,
            _ => return Parsed::Other,
        };
        let Some(end) = after.checked_add(len) else { return Parsed::Other };
        match bytes.get(end..end + 2) {
            None => return Parsed::Incomplete,
            Some(b"\r\n") => {}
            Some(_) => return Parsed::Other,
        }
        argv.push(&bytes[after..end]);
        pos = end + 2;
    }
    Parsed::Command(pos)
}

enum Header {
    /// The number and the offset after its `\r\n`.
    Number(u64, usize),
    Incomplete,
    Other,
}

/// Plain digits from `start` up to `\r\n` (at most 18 digits, so no
/// overflow; a longer or signed number is left to the frame parser).
fn header(bytes: &[u8], start: usize) -> Header {
    let mut n: u64 = 0;
    let mut i = start;
    loop {
        let Some(&b) = bytes.get(i) else { return Header::Incomplete };
        match b {
            b'0'..=b'9' if i - start < 18 => n = n * 10 + u64::from(b - b'0'),
            b'\r' if i > start => {
                return match bytes.get(i + 1) {
                    None => Header::Incomplete,
                    Some(b'\n') => Header::Number(n, i + 2),
                    Some(_) => Header::Other,
                };
            }
            _ => return Header::Other,
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::{Frame, FrameParser, encode_command};

    fn parse(bytes: &[u8]) -> (Parsed, Vec<Vec<u8>>) {
        let mut argv = ArgvBuf::new();
        let parsed = parse_command(bytes, &mut argv);
        let args = if matches!(parsed, Parsed::Command(_)) { argv.as_slice().to_vec() } else { Vec::new() };
        (parsed, args)
    }

    #[test]
    fn a_command_and_its_length() {
        let mut bytes = Vec::new();
        encode_command(&["SET", "k", "v"], &mut bytes);
        bytes.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
        assert_eq!(parse(&bytes), (Parsed::Command(27), vec![b"SET".to_vec(), b"k".to_vec(), b"v".to_vec()]));
        assert_eq!(parse(&bytes[27..]), (Parsed::Command(14), vec![b"PING".to_vec()]));
    }

    #[test]
    fn every_prefix_is_incomplete() {
        let mut bytes = Vec::new();
        encode_command(&["SET", "key", "a\r\nbinary\0value"], &mut bytes);
        for cut in 0..bytes.len() {
            assert_eq!(parse(&bytes[..cut]).0, Parsed::Incomplete, "cut at {cut}");
        }
        assert_eq!(parse(&bytes).0, Parsed::Command(bytes.len()));
    }

    #[test]
    fn other_shapes_go_to_the_frame_parser() {
        for bytes in [
            &b"+OK\r\n"[..],
            b"\n",
            b"*0\r\n",
            b"*-1\r\n",
            b"*+1\r\n$1\r\na\r\n",
            b"*1\r\n:1\r\n",
            b"*1\r\n$-1\r\n",
            b"*1\r\n*1\r\n$1\r\na\r\n",
            b"*1\n$1\r\na\r\n",
            b"*1\r\n$1\r\nab\r\n",
            b"*1\r\n$\r\n\r\n",
            b"*1x\r\n",
            b"*99999999999999999999\r\n",
            b"*1025\r\n",
        ] {
            assert_eq!(parse(bytes).0, Parsed::Other, "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn agrees_with_the_frame_parser() {
        let mut bytes = Vec::new();
        encode_command(&["SELECT", "0"], &mut bytes);
        encode_command(&["RPUSH", "l", "", "x"], &mut bytes);
        bytes.extend_from_slice(b"*2\r\n$003\r\nDEL\r\n$1\r\nk\r\n");
        let mut frames = FrameParser::new();
        frames.feed(&bytes);
        let mut pos = 0;
        while let Some((frame, len)) = frames.next_frame_with_len().unwrap() {
            let Frame::Array(items) = frame else { panic!("not an array") };
            let want: Vec<Vec<u8>> =
                items.into_iter().map(|f| if let Frame::Bulk(b) = f { b } else { panic!("not a bulk") }).collect();
            assert_eq!(parse(&bytes[pos..]), (Parsed::Command(len), want));
            pos += len;
        }
        assert_eq!(pos, bytes.len());
    }

    #[test]
    fn buffers_are_reused_and_huge_ones_let_go() {
        let mut argv = ArgvBuf::new();
        let mut bytes = Vec::new();
        encode_command(&[vec![b'x'; 100_000]], &mut bytes);
        assert_eq!(parse_command(&bytes, &mut argv), Parsed::Command(bytes.len()));
        bytes.clear();
        encode_command(&["PING"], &mut bytes);
        assert_eq!(parse_command(&bytes, &mut argv), Parsed::Command(14));
        assert_eq!(argv.as_slice(), &[b"PING".to_vec()]);
        assert!(argv.args[0].capacity() < 1024);
    }
}
