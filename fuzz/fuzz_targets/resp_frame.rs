//! Bytes from a server or a master → `FrameParser`: replies, the
//! `+FULLRESYNC` line, the RDB payload (disk and diskless forms) and the
//! command stream.
//!
//! Input: byte 0 picks which of the first eight values are read as an RDB
//! payload (`next_rdb`) instead of a frame; the rest is the stream. Checked:
//! - no panic, no unbounded allocation;
//! - split-anywhere equivalence with feeding everything at once;
//! - `next_frame_with_len` reports exactly the bytes the frame took (a
//!   replica's offset depends on it), however the bytes were split;
//! - errors are sticky;
//! - every frame re-encoded parses back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replscope_core::resp::parser::RdbPayload;
use replscope_core::resp::{Frame, FrameParser, ProtocolError};
use replscope_fuzz::chunks;

/// The line limit of `FrameParser`: past it, results depend on the split.
const MAX_LINE: usize = 64 * 1024;

#[derive(Debug, PartialEq)]
enum Item {
    Frame(Frame, usize),
    Rdb(RdbPayload),
}

fn wants_rdb(mask: u8, index: usize) -> bool {
    index < 8 && mask & (1 << index) != 0
}

fn run(mask: u8, pieces: &[&[u8]]) -> (Vec<Item>, Option<ProtocolError>) {
    let mut p = FrameParser::new();
    let mut items = Vec::new();
    let mut fed = 0usize;
    // Bytes consumed when the previous item completed.
    let mut mark = 0usize;
    for piece in pieces {
        p.feed(piece);
        fed += piece.len();
        loop {
            let result = if wants_rdb(mask, items.len()) {
                p.next_rdb().map(|r| r.map(Item::Rdb))
            } else {
                p.next_frame_with_len().map(|r| r.map(|(f, len)| Item::Frame(f, len)))
            };
            match result {
                Ok(Some(item)) => {
                    let consumed = fed - p.buffered();
                    if let Item::Frame(_, len) = &item {
                        assert_eq!(*len, consumed - mark, "frame length differs from the bytes it took");
                    }
                    mark = consumed;
                    items.push(item);
                }
                Ok(None) => break,
                Err(e) => {
                    p.feed(b"+OK\r\n");
                    assert_eq!(p.next_frame(), Err(e.clone()));
                    assert_eq!(p.next_rdb(), Err(e.clone()));
                    return (items, Some(e));
                }
            }
        }
    }
    (items, None)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mask, input)) = data.split_first() else { return };

    let whole = run(mask, &[input]);
    let split = run(mask, &chunks(input, data));
    if input.len() <= MAX_LINE {
        assert_eq!(whole, split, "split feeding changed the outcome");
    }

    for item in &whole.0 {
        if let Item::Frame(frame, _) = item {
            let bytes = frame.to_bytes();
            let mut p = FrameParser::new();
            p.feed(&bytes);
            assert_eq!(p.next_frame_with_len(), Ok(Some((frame.clone(), bytes.len()))));
            assert_eq!(p.buffered(), 0);
        }
    }
});
