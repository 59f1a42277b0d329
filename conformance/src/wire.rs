//! RESP2 decoding for the harness: replies from a real server and the
//! replication stream, both turned into [`Frame`]s.
//!
//! The core has its own incremental `FrameParser`, but it is being written in
//! parallel; the harness must not trust the code it judges, so it carries this
//! small slice parser of its own. Everything goes through [`parse_frame`], so
//! swapping it for the core's parser later is a one-function change.

use replscope_core::resp::Frame;

/// Why bytes are not valid RESP2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError(pub String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid RESP: {}", self.0)
    }
}

impl std::error::Error for WireError {}

/// Parses one frame at the start of `buf`. Returns the frame and the number
/// of bytes it used, `Ok(None)` if `buf` holds only part of a frame.
pub fn parse_frame(buf: &[u8]) -> Result<Option<(Frame, usize)>, WireError> {
    let Some((kind, body, mut used)) = split_line(buf) else {
        return Ok(None);
    };
    let text = || String::from_utf8_lossy(body).into_owned();
    let frame = match kind {
        b'+' => Frame::Simple(text().into()),
        b'-' => Frame::Error(text()),
        b':' => Frame::Integer(parse_int(body)?),
        b'$' => {
            let len = parse_int(body)?;
            if len < 0 {
                return Ok(Some((Frame::Null, used)));
            }
            let len = len as usize;
            if buf.len() < used + len + 2 {
                return Ok(None);
            }
            if &buf[used + len..used + len + 2] != b"\r\n" {
                return Err(WireError(format!("bulk of {len} bytes not followed by CRLF")));
            }
            let bytes = buf[used..used + len].to_vec();
            used += len + 2;
            Frame::Bulk(bytes)
        }
        b'*' => {
            let n = parse_int(body)?;
            if n < 0 {
                return Ok(Some((Frame::NullArray, used)));
            }
            let mut items = Vec::with_capacity(n.min(1024) as usize);
            for _ in 0..n {
                let Some((item, n_used)) = parse_frame(&buf[used..])? else {
                    return Ok(None);
                };
                items.push(item);
                used += n_used;
            }
            Frame::Array(items)
        }
        other => return Err(WireError(format!("unexpected type byte {:?}", other as char))),
    };
    Ok(Some((frame, used)))
}

/// Splits `<type><body>\r\n` off the front of `buf`.
/// Returns the type byte, the body and the bytes used, or None if the line
/// is not complete yet.
fn split_line(buf: &[u8]) -> Option<(u8, &[u8], usize)> {
    let &kind = buf.first()?;
    let cr = buf.windows(2).position(|w| w == b"\r\n")?;
    Some((kind, &buf[1..cr], cr + 2))
}

fn parse_int(body: &[u8]) -> Result<i64, WireError> {
    std::str::from_utf8(body)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| WireError(format!("not an integer: {:?}", String::from_utf8_lossy(body))))
}

/// Splits replication-stream bytes into the commands they encode (each an
/// array of bulk strings). Fails on anything else, including a truncated
/// command: the stream of one step must be whole commands.
pub fn parse_commands(mut stream: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, WireError> {
    let mut commands = Vec::new();
    while !stream.is_empty() {
        let Some((frame, used)) = parse_frame(stream)? else {
            return Err(WireError("stream ends in the middle of a command".into()));
        };
        commands.push(command_argv(&frame)?);
        stream = &stream[used..];
    }
    Ok(commands)
}

fn command_argv(frame: &Frame) -> Result<Vec<Vec<u8>>, WireError> {
    let Frame::Array(items) = frame else {
        return Err(WireError(format!("stream item is not a command array: {frame:?}")));
    };
    items
        .iter()
        .map(|item| match item {
            Frame::Bulk(b) => Ok(b.clone()),
            other => Err(WireError(format!("command argument is not a bulk string: {other:?}"))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_frame_kind_and_round_trips() {
        let bytes = b"*6\r\n+OK\r\n-ERR x\r\n:-3\r\n$4\r\na\r\nb\r\n$-1\r\n*-1\r\n";
        let (frame, used) = parse_frame(bytes).unwrap().unwrap();
        assert_eq!(used, bytes.len());
        assert_eq!(frame.to_bytes(), bytes);
    }

    #[test]
    fn partial_input_asks_for_more() {
        let bytes = b"*2\r\n$3\r\nSET\r\n$1\r\nk\r\n";
        for cut in 0..bytes.len() {
            assert_eq!(parse_frame(&bytes[..cut]).unwrap(), None, "cut at {cut}");
        }
        assert!(parse_frame(bytes).unwrap().is_some());
    }

    #[test]
    fn splits_a_stream_into_commands() {
        let stream = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
        let cmds = parse_commands(stream).unwrap();
        assert_eq!(
            cmds,
            vec![vec![b"SELECT".to_vec(), b"0".to_vec()], vec![b"SET".to_vec(), b"k".to_vec(), b"v".to_vec()]]
        );
        assert!(parse_commands(&stream[..stream.len() - 1]).is_err());
        assert!(parse_commands(b"+OK\r\n").is_err());
    }
}
