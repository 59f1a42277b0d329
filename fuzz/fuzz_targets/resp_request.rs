//! Client bytes → `RequestParser`, the way a node reads a socket.
//!
//! Input: byte 0 picks the chunking and `proto-max-bulk-len`; the rest is
//! the byte stream. Checked:
//! - no panic, no unbounded allocation (`*2000000000` must not reserve);
//! - split-anywhere equivalence: fed in arbitrary chunks, the parser yields
//!   exactly the requests and the error it yields when fed everything at
//!   once (below the 64 KB line limits, whose tripping legitimately
//!   depends on the split, as in Redis);
//! - errors are sticky;
//! - every request, re-encoded as a multibulk, parses back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replscope_core::resp::parser::PROTO_INLINE_MAX_SIZE;
use replscope_core::resp::{ProtocolError, RequestParser, encode_command};
use replscope_fuzz::chunks;

type Outcome = (Vec<Vec<Vec<u8>>>, Option<ProtocolError>);

fn parser(ctl: u8) -> RequestParser {
    match ctl & 0x0f {
        // A tiny proto-max-bulk-len makes "invalid bulk length" reachable.
        0 => RequestParser::with_max_bulk_len(i64::from(ctl >> 4)),
        _ => RequestParser::new(),
    }
}

/// Feeds `pieces` one after another, draining complete requests after each.
fn run(ctl: u8, pieces: &[&[u8]]) -> Outcome {
    let mut p = parser(ctl);
    let mut requests = Vec::new();
    for piece in pieces {
        p.feed(piece);
        loop {
            match p.next_request() {
                Ok(Some(argv)) => {
                    assert!(!argv.is_empty(), "an empty request is skipped, never returned");
                    requests.push(argv);
                }
                Ok(None) => break,
                Err(e) => {
                    // Sticky, and further input is ignored.
                    p.feed(b"*1\r\n$4\r\nPING\r\n");
                    assert_eq!(p.next_request(), Err(e.clone()));
                    assert_eq!(p.buffered(), 0);
                    return (requests, Some(e));
                }
            }
        }
    }
    (requests, None)
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, input)) = data.split_first() else { return };

    let whole = run(ctl, &[input]);
    let split = run(ctl, &chunks(input, data));
    if input.len() <= PROTO_INLINE_MAX_SIZE {
        assert_eq!(whole, split, "split feeding changed the outcome");
    }

    // What was parsed, re-encoded, parses back to the same requests.
    let mut encoded = Vec::new();
    for argv in &whole.0 {
        encode_command(argv, &mut encoded);
    }
    let again = run(1, &[&encoded]);
    assert_eq!(again, (whole.0.clone(), None));
});
