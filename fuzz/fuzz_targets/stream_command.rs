//! Master stream bytes → the replica's fast command parser
//! (`resp::parser::parse_command`), checked against `FrameParser`, which
//! has the final word on what a stream means.
//!
//! Checked, for every prefix the fuzzer's bytes are cut at:
//! - no panic, no allocation beyond the input;
//! - `Command(n)`: the frame parser reads the same bytes as an array of
//!   exactly those bulk strings, `n` bytes long (the replica's offset
//!   advances by `n`);
//! - `Incomplete`: the frame parser also needs more bytes (or, past its
//!   own limits, reports an error the fast path leaves to it);
//! - the argv buffer gives the same result whether it was warm or fresh.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replscope_core::resp::parser::{ArgvBuf, Parsed, parse_command};
use replscope_core::resp::{Frame, FrameParser};

fn frame_of(bytes: &[u8]) -> Result<Option<(Frame, usize)>, ()> {
    let mut p = FrameParser::new();
    p.feed(bytes);
    p.next_frame_with_len().map_err(|_| ())
}

fuzz_target!(|data: &[u8]| {
    let mut warm = ArgvBuf::new();
    let mut rest = data;
    // Walk the input command by command, as a replica applies a segment.
    for _ in 0..64 {
        let cut = rest.len();
        let parsed = parse_command(&rest[..cut], &mut warm);
        let mut fresh = ArgvBuf::new();
        assert_eq!(parse_command(rest, &mut fresh), parsed, "a warm buffer changed the result");
        match parsed {
            Parsed::Command(n) => {
                assert_eq!(warm.as_slice(), fresh.as_slice());
                match frame_of(rest) {
                    Ok(Some((Frame::Array(items), len))) => {
                        assert_eq!(len, n, "the two parsers disagree on the command's length");
                        let bulks: Vec<&[u8]> = items
                            .iter()
                            .map(|f| match f {
                                Frame::Bulk(b) => b.as_slice(),
                                other => panic!("fast path took a non-bulk argument {other:?}"),
                            })
                            .collect();
                        let argv: Vec<&[u8]> = warm.as_slice().iter().map(Vec::as_slice).collect();
                        assert_eq!(argv, bulks);
                    }
                    other => panic!("fast path read a command, the frame parser {other:?}"),
                }
                rest = &rest[n..];
            }
            Parsed::Incomplete => {
                // Every strict prefix of a complete fast command is incomplete
                // for the frame parser too, unless it hit one of its limits.
                if let Ok(Some((frame, len))) = frame_of(rest) {
                    panic!("fast path wants more bytes, the frame parser read {frame:?} ({len} bytes)");
                }
                return;
            }
            Parsed::Other => return,
        }
    }
});
