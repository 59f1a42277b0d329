//! Property tests for the incremental parsers: no input makes them panic,
//! and where the bytes are split never changes what they produce.

use proptest::prelude::*;
use replscope_core::resp::{Frame, FrameParser, RequestParser, encode_command};

/// Feeds `bytes` in pieces ending at `cuts` and drains after each piece.
fn requests_in_pieces(bytes: &[u8], cuts: &[usize]) -> (Vec<Vec<Vec<u8>>>, Option<String>) {
    let mut p = RequestParser::new();
    let mut out = Vec::new();
    let mut start = 0;
    let mut ends: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    ends.sort_unstable();
    ends.push(bytes.len());
    for end in ends {
        p.feed(&bytes[start..end.max(start)]);
        start = end.max(start);
        loop {
            match p.next_request() {
                Ok(Some(r)) => out.push(r),
                Ok(None) => break,
                Err(e) => return (out, Some(e.0)),
            }
        }
    }
    (out, None)
}

fn frames_in_pieces(bytes: &[u8], cuts: &[usize]) -> (Vec<(Frame, usize)>, bool) {
    let mut p = FrameParser::new();
    let mut out = Vec::new();
    let mut start = 0;
    let mut ends: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    ends.sort_unstable();
    ends.push(bytes.len());
    for end in ends {
        p.feed(&bytes[start..end.max(start)]);
        start = end.max(start);
        loop {
            match p.next_frame_with_len() {
                Ok(Some(f)) => out.push(f),
                Ok(None) => break,
                Err(_) => return (out, true),
            }
        }
    }
    (out, false)
}

/// Bytes biased towards RESP's special characters.
fn resp_ish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => any::<u8>(),
        2 => prop::sample::select(b"*$+-:\r\n0123456789\"'\\ x".to_vec()),
    ];
    prop::collection::vec(byte, 0..300)
}

fn arg() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![prop::collection::vec(any::<u8>(), 0..40), "[a-zA-Z0-9]{1,10}".prop_map(|s| s.into_bytes()),]
}

fn frame() -> impl Strategy<Value = Frame> {
    let leaf = prop_oneof![
        "[a-zA-Z0-9 ]{0,20}".prop_map(|s| Frame::Simple(s.into())),
        "[A-Z]{1,8} [a-z ]{0,20}".prop_map(Frame::Error),
        any::<i64>().prop_map(Frame::Integer),
        prop::collection::vec(any::<u8>(), 0..50).prop_map(Frame::Bulk),
        Just(Frame::Null),
        Just(Frame::NullArray),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| prop::collection::vec(inner, 0..8).prop_map(Frame::Array))
}

/// Cases per property: `PROPTEST_CASES` overrides the fast default.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(300)))]

    #[test]
    fn request_parser_never_panics(bytes in resp_ish_bytes(), cuts in prop::collection::vec(any::<usize>(), 0..6)) {
        requests_in_pieces(&bytes, &cuts);
    }

    #[test]
    fn frame_parser_never_panics(bytes in resp_ish_bytes(), cuts in prop::collection::vec(any::<usize>(), 0..6)) {
        frames_in_pieces(&bytes, &cuts);
        let mut p = FrameParser::new();
        p.feed(&bytes);
        let _ = p.next_rdb();
    }

    #[test]
    fn requests_do_not_depend_on_splits(
        reqs in prop::collection::vec(prop::collection::vec(arg(), 1..6), 1..6),
        inline in prop::collection::vec("[a-zA-Z0-9]{1,8}( [a-zA-Z0-9]{1,8}){0,3}", 0..3),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut bytes = Vec::new();
        let mut expected = Vec::new();
        for r in &reqs {
            encode_command(r, &mut bytes);
            expected.push(r.clone());
        }
        for line in &inline {
            bytes.extend_from_slice(line.as_bytes());
            bytes.extend_from_slice(b"\r\n");
            expected.push(line.split(' ').map(|w| w.as_bytes().to_vec()).collect());
        }
        let whole = requests_in_pieces(&bytes, &[]);
        prop_assert_eq!(&whole, &(expected, None));
        prop_assert_eq!(requests_in_pieces(&bytes, &cuts), whole);
    }

    #[test]
    fn frames_do_not_depend_on_splits(frames in prop::collection::vec(frame(), 1..5), cuts in prop::collection::vec(any::<usize>(), 0..8)) {
        let mut bytes = Vec::new();
        let mut expected = Vec::new();
        for f in &frames {
            let encoded = f.to_bytes();
            expected.push((f.clone(), encoded.len()));
            bytes.extend_from_slice(&encoded);
        }
        prop_assert_eq!(frames_in_pieces(&bytes, &[]), (expected.clone(), false));
        prop_assert_eq!(frames_in_pieces(&bytes, &cuts), (expected, false));
    }
}
