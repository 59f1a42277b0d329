//! RESP2, the protocol real Redis speaks to clients and to replicas.
//!
//! A [`Frame`] is one RESP2 value. Replies are frames; a command is an array of
//! bulk strings, and the replication stream is nothing but commands encoded
//! with [`encode_command`] back to back. Offsets in replication count exactly
//! these bytes, so encoding must be byte-for-byte what Redis emits.
//!
//! The incremental parsers live in [`parser`]: requests arrive split at any
//! byte, so they keep partial input between calls.

pub mod display;
pub mod parser;

pub use display::redis_cli_format;
pub use parser::{FrameParser, ProtocolError, RequestParser};

use std::borrow::Cow;

/// One RESP2 value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Frame {
    /// `+OK\r\n`: a status reply. Never contains CR or LF. Usually one of
    /// a few fixed words (`OK`, `QUEUED`, `PONG`), borrowed: every write
    /// replies `+OK`, so it costs no allocation.
    Simple(Cow<'static, str>),
    /// `-ERR message\r\n`: the text after `-`, including the error code.
    Error(String),
    /// `:42\r\n`
    Integer(i64),
    /// `$3\r\nfoo\r\n`: binary-safe bytes.
    Bulk(Vec<u8>),
    /// `$-1\r\n`: the nil bulk reply (GET on a missing key).
    Null,
    /// `*2\r\n…`: an array of frames.
    Array(Vec<Frame>),
    /// `*-1\r\n`: the nil array reply (EXEC after a WATCH abort, BLPOP timeout).
    NullArray,
}

impl Frame {
    /// `+OK`, the most common reply.
    pub fn ok() -> Frame {
        Frame::Simple(Cow::Borrowed("OK"))
    }

    /// An error reply; `msg` includes the code, e.g. `"ERR syntax error"`.
    pub fn error(msg: impl Into<String>) -> Frame {
        Frame::Error(msg.into())
    }

    /// A bulk string reply.
    pub fn bulk(bytes: impl Into<Vec<u8>>) -> Frame {
        Frame::Bulk(bytes.into())
    }

    /// An array of bulk strings.
    pub fn bulk_array<I, B>(items: I) -> Frame
    where
        I: IntoIterator<Item = B>,
        B: Into<Vec<u8>>,
    {
        Frame::Array(items.into_iter().map(|b| Frame::Bulk(b.into())).collect())
    }

    /// True for `-…` replies.
    pub fn is_error(&self) -> bool {
        matches!(self, Frame::Error(_))
    }

    /// Appends the RESP2 encoding of this frame to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Frame::Simple(s) => line(out, b'+', s.as_bytes()),
            Frame::Error(s) => line(out, b'-', s.as_bytes()),
            Frame::Integer(n) => line(out, b':', n.to_string().as_bytes()),
            Frame::Bulk(b) => encode_bulk(b, out),
            Frame::Null => out.extend_from_slice(b"$-1\r\n"),
            Frame::NullArray => out.extend_from_slice(b"*-1\r\n"),
            Frame::Array(items) => {
                len_line(out, b'*', items.len());
                for item in items {
                    item.encode_into(out);
                }
            }
        }
    }

    /// The RESP2 encoding of this frame.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }
}

fn line(out: &mut Vec<u8>, prefix: u8, body: &[u8]) {
    out.push(prefix);
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n");
}

/// `<prefix><n>\r\n` without allocating: every command fed to replicas
/// carries one length line per argument, so this is on the hot path.
fn len_line(out: &mut Vec<u8>, prefix: u8, n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    line(out, prefix, &digits[i..]);
}

fn encode_bulk(b: &[u8], out: &mut Vec<u8>) {
    len_line(out, b'$', b.len());
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

/// Appends `argv` as a RESP array of bulk strings: the exact bytes a master
/// feeds its replicas for one command (`SET k v` is 27 bytes).
pub fn encode_command<A: AsRef<[u8]>>(argv: &[A], out: &mut Vec<u8>) {
    len_line(out, b'*', argv.len());
    for arg in argv {
        encode_bulk(arg.as_ref(), out);
    }
}

/// The length in bytes of `argv` encoded by [`encode_command`], without
/// allocating.
pub fn encoded_command_len<A: AsRef<[u8]>>(argv: &[A]) -> usize {
    fn digits(mut n: usize) -> usize {
        let mut d = 1;
        while n >= 10 {
            n /= 10;
            d += 1;
        }
        d
    }
    let mut len = 1 + digits(argv.len()) + 2;
    for arg in argv {
        let n = arg.as_ref().len();
        len += 1 + digits(n) + 2 + n + 2;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_lines_of_every_width() {
        for n in [0usize, 1, 9, 10, 99, 100, 12_345, 1 << 20] {
            let arg = vec![b'x'; n];
            let mut args: Vec<&[u8]> = vec![b"A".as_slice(); 10];
            args.push(&arg);
            let mut out = Vec::new();
            encode_command(&args, &mut out);
            let head = format!("*11\r\n{}${n}\r\n", "$1\r\nA\r\n".repeat(10));
            assert_eq!(&out[..head.len()], head.as_bytes());
            assert_eq!(out.len(), encoded_command_len(&args));
        }
        assert_eq!(Frame::Array(vec![Frame::Bulk(Vec::new())]).to_bytes(), b"*1\r\n$0\r\n\r\n");
    }

    #[test]
    fn set_k_v_is_27_bytes_like_redis() {
        let mut out = Vec::new();
        encode_command(&["SET", "k", "v"], &mut out);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
        assert_eq!(out.len(), 27);
        assert_eq!(encoded_command_len(&["SET", "k", "v"]), 27);
        assert_eq!(encoded_command_len(&["DEL", "k"]), 20);
    }

    #[test]
    fn frames_encode_like_redis() {
        assert_eq!(Frame::ok().to_bytes(), b"+OK\r\n");
        assert_eq!(Frame::Null.to_bytes(), b"$-1\r\n");
        assert_eq!(Frame::NullArray.to_bytes(), b"*-1\r\n");
        assert_eq!(Frame::Integer(-3).to_bytes(), b":-3\r\n");
        let arr = Frame::Array(vec![Frame::bulk("a"), Frame::Integer(1), Frame::Array(vec![])]);
        assert_eq!(arr.to_bytes(), b"*3\r\n$1\r\na\r\n:1\r\n*0\r\n");
    }
}
