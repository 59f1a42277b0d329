//! Inputs from fuzzing (`fuzz/`, see fuzz/README.md), replayed through the
//! same path the fuzz target takes, with the correct result asserted.
//!
//! Also the bounded-input guarantees the fuzz targets rely on: an RDB or a
//! RESP stream that claims absurd sizes or counts gets a clear error (or
//! waits for bytes) without allocating what it claims.

use replscope_core::rdb::{self, RdbError};
use replscope_core::resp::{FrameParser, ProtocolError, RequestParser};

/// An RDB 10 file: header, `body`, EOF, and a zero checksum (`rdbchecksum no`).
fn rdb_file(body: &[u8]) -> Vec<u8> {
    let mut file = b"REDIS0010".to_vec();
    file.extend_from_slice(body);
    file.push(0xff);
    file.extend_from_slice(&[0; 8]);
    file
}

// ----- bounded input: RDB ------------------------------------------------------

#[test]
fn rdb_list_claiming_u64_max_elements_is_truncated_not_allocated() {
    // type 1 (list), key "k", count 0x81 + u64::MAX.
    let mut body = vec![0x01, 0x01, b'k', 0x81];
    body.extend_from_slice(&[0xff; 8]);
    assert_eq!(rdb::decode(&rdb_file(&body)), Err(RdbError::Truncated));
}

#[test]
fn rdb_string_claiming_u64_max_bytes_is_truncated() {
    let mut body = vec![0x00, 0x01, b'k', 0x81];
    body.extend_from_slice(&[0xff; 8]);
    assert_eq!(rdb::decode(&rdb_file(&body)), Err(RdbError::Truncated));
}

#[test]
fn rdb_lzf_string_claiming_4gb_is_corrupt_before_allocating() {
    // type 0, key "k", LZF (0xc3), compressed length 1, uncompressed 2^32-1.
    let body = [0x00, 0x01, b'k', 0xc3, 0x01, 0x80, 0xff, 0xff, 0xff, 0xff, 0x00];
    assert_eq!(rdb::decode(&rdb_file(&body)), Err(RdbError::Corrupt("LZF string claims an impossible length")));
}

#[test]
fn rdb_quicklist_claiming_billions_of_nodes_is_truncated() {
    // type 18 (quicklist 2), key "k", node count 0x80 + 2^32-1.
    let body = [0x12, 0x01, b'k', 0x80, 0xff, 0xff, 0xff, 0xff, 0x01];
    assert_eq!(rdb::decode(&rdb_file(&body)), Err(RdbError::Truncated));
}

#[test]
fn rdb_selectdb_beyond_the_databases_is_refused() {
    let body = [0xfe, 0x80, 0xff, 0xff, 0xff, 0xff];
    assert_eq!(rdb::decode(&rdb_file(&body)), Err(RdbError::DbIndexOutOfRange(u64::from(u32::MAX))));
}

// ----- bounded input: RESP -----------------------------------------------------

#[test]
fn request_with_huge_counts_waits_without_reserving() {
    // Real Redis 7.0.15 waits for more bytes on this too (no reply).
    let mut p = RequestParser::new();
    p.feed(b"*2147483647\r\n$536870912\r\nab");
    assert_eq!(p.next_request(), Ok(None));
    assert_eq!(p.buffered(), 2);
}

#[test]
fn request_counts_beyond_redis_limits_are_protocol_errors() {
    // Replies observed on Redis 7.0.15.
    let cases: [(&[u8], &str); 2] = [
        (b"*2147483648\r\n", "ERR Protocol error: invalid multibulk length"),
        (b"*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length"),
    ];
    for (bytes, error) in cases {
        let mut p = RequestParser::new();
        p.feed(bytes);
        assert_eq!(p.next_request(), Err(ProtocolError(error.into())));
    }
}

#[test]
fn frame_with_huge_counts_waits_without_reserving() {
    let mut p = FrameParser::new();
    p.feed(b"*2147483647\r\n*2147483647\r\n$536870912\r\nab");
    assert_eq!(p.next_frame(), Ok(None));
    let mut p = FrameParser::new();
    p.feed(b"$4294967296\r\n");
    assert_eq!(p.next_rdb(), Ok(None));
}
