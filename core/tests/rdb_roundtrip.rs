//! RDB encode → decode round trips over random keyspaces, and the decoder
//! fed random and mutated bytes (it must return errors, never panic or
//! allocate what the input merely claims).

use std::collections::VecDeque;

use proptest::prelude::*;
use replscope_core::keyspace::{Keyspace, SortedSet, Value};
use replscope_core::rdb::{self, RdbError, ReplInfo, SaveInfo, encode_keyspace};

/// Elements that exercise every string path: short, integer-like, long and
/// compressible, long and random.
fn element() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..12),
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        (-200i64..200).prop_map(|n| n.to_string().into_bytes()),
        (1usize..400, proptest::sample::select(vec![b"ab".to_vec(), b"abc".to_vec(), b"xyz012".to_vec()]))
            .prop_map(|(n, alphabet)| (0..n).map(|i| alphabet[(i * 7 + n) % alphabet.len()]).collect()),
        proptest::collection::vec(any::<u8>(), 20..100),
    ]
}

fn score() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("no NaN", |s| !s.is_nan()),
        (-1000i64..1000).prop_map(|n| n as f64),
        (-1000i64..1000).prop_map(|n| n as f64 / 8.0),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        element().prop_map(Value::String),
        proptest::collection::vec(element(), 1..40).prop_map(|v| Value::List(VecDeque::from(v))),
        proptest::collection::vec((element(), element()), 1..30)
            .prop_map(|pairs| Value::Hash(pairs.into_iter().collect())),
        proptest::collection::vec(element(), 1..30).prop_map(|v| Value::Set(v.into_iter().collect())),
        proptest::collection::vec(any::<i64>().prop_map(|n| n.to_string().into_bytes()), 1..30)
            .prop_map(|v| Value::Set(v.into_iter().collect())),
        proptest::collection::vec((element(), score()), 1..30).prop_map(|pairs| {
            let mut z = SortedSet::new();
            for (m, s) in pairs {
                z.insert(m, s);
            }
            Value::ZSet(z)
        }),
    ]
}

fn keyspace() -> impl Strategy<Value = Keyspace> {
    proptest::collection::vec((0usize..16, element(), value(), proptest::option::of(0u64..4_000_000_000_000)), 0..25)
        .prop_map(|entries| {
            let mut ks = Keyspace::default();
            for (db, key, value, ttl) in entries {
                let db = ks.db_mut(db);
                db.put(key.clone(), value);
                db.persist(&key);
                if let Some(when) = ttl {
                    db.set_expire(&key, when);
                }
            }
            ks
        })
}

fn info(compression: bool, repl: bool) -> SaveInfo {
    SaveInfo {
        ctime_secs: 1_700_000_000,
        used_mem: 1_234_567,
        repl: repl.then(|| ReplInfo { stream_db: 3, replid: "ab".repeat(20), offset: 987_654 }),
        compression,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_is_identity(ks in keyspace(), compression: bool, repl: bool) {
        let bytes = encode_keyspace(&ks, &info(compression, repl));
        let snapshot = rdb::decode(&bytes).expect("our own snapshot decodes");
        prop_assert_eq!(&snapshot.keyspace, &ks);
        if repl {
            let replid = "ab".repeat(20);
            prop_assert_eq!(snapshot.repl_id(), Some(replid.as_str()));
            prop_assert_eq!(snapshot.repl_offset(), Some(987_654));
            prop_assert_eq!(snapshot.repl_stream_db(), Some(3));
        } else {
            prop_assert_eq!(snapshot.repl_id(), None);
        }
        prop_assert_eq!(snapshot.ctime(), Some(1_700_000_000));
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = rdb::decode(&bytes);
        let mut with_magic = b"REDIS0010".to_vec();
        with_magic.extend_from_slice(&bytes);
        let _ = rdb::decode(&with_magic);
    }

    #[test]
    fn mutated_snapshots_never_panic(
        ks in keyspace(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let good = encode_keyspace(&ks, &info(true, true));
        let mut bytes = good.clone();
        for (at, b) in &edits {
            let i = at.index(bytes.len());
            bytes[i] = *b;
        }
        if let Ok(snapshot) = rdb::decode(&bytes) {
            // Only an edit that changed nothing (or hit a hint) can load.
            prop_assert!(bytes == good || snapshot.keyspace == ks || crc_disabled(&bytes));
        }
        // Truncations must fail cleanly.
        let len = cut.index(good.len());
        prop_assert!(rdb::decode(&good[..len]).is_err());
        // The same mutations without a checksum reach deeper into the parser.
        let n = bytes.len();
        bytes[n - 8..].fill(0);
        let _ = rdb::decode(&bytes);
    }
}

fn crc_disabled(bytes: &[u8]) -> bool {
    bytes[bytes.len() - 8..] == [0; 8]
}

/// A snapshot header followed by one key whose value claims `claim` with a
/// 64-bit length and then ends.
fn claiming(ty: u8, claim: &[u8]) -> Vec<u8> {
    let mut b = b"REDIS0010".to_vec();
    b.extend_from_slice(&[0xfe, 0x00, ty, 0x01, b'k']);
    b.extend_from_slice(claim);
    b
}

#[test]
fn huge_claimed_lengths_are_errors_not_allocations() {
    let huge64 = [0x81, 0, 0, 0, 1, 0, 0, 0, 0]; // 2^32
    let max32 = [0x80, 0xff, 0xff, 0xff, 0xff];
    for ty in [0u8, 1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14, 16, 17, 18] {
        for claim in [&huge64[..], &max32[..]] {
            assert!(rdb::decode(&claiming(ty, claim)).is_err(), "type {ty}");
        }
    }
    // An LZF string claiming a 4 GB expansion of 3 bytes.
    let lzf = [0xc3, 0x03, 0x80, 0xff, 0xff, 0xff, 0xff, 0x00, b'a', b'b'];
    assert!(matches!(rdb::decode(&claiming(0, &lzf)), Err(RdbError::Corrupt(_))));
}

#[test]
fn errors_are_specific() {
    assert_eq!(rdb::decode(b"REDIX0010\xff"), Err(RdbError::BadMagic));
    assert_eq!(rdb::decode(b"REDIS0011\xff"), Err(RdbError::UnsupportedVersion(11)));
    assert_eq!(rdb::decode(b"REDIS0010\xfe\x10"), Err(RdbError::DbIndexOutOfRange(16)));
    // A stream (type 15) and a module value (type 7).
    for ty in [15u8, 19, 6, 7] {
        let e = rdb::decode(&claiming(ty, &[0x00])).unwrap_err();
        assert_eq!(e, RdbError::UnsupportedType(ty));
        assert!(e.to_string().starts_with("unsupported type"), "{e}");
    }
    // A flipped checksum byte.
    let mut good = encode_keyspace(&Keyspace::default(), &info(true, false));
    let n = good.len();
    good[n - 1] ^= 1;
    assert!(matches!(rdb::decode(&good), Err(RdbError::ChecksumMismatch { .. })));
    // The same file with checksumming disabled loads.
    good[n - 8..].fill(0);
    assert!(rdb::decode(&good).is_ok());
}

#[test]
fn master_load_drops_expired_keys() {
    let mut ks = Keyspace::default();
    ks.db_mut(0).put(b"old".to_vec(), Value::String(b"1".to_vec()));
    ks.db_mut(0).set_expire(b"old", 1000);
    ks.db_mut(0).put(b"new".to_vec(), Value::String(b"2".to_vec()));
    ks.db_mut(0).set_expire(b"new", 5000);
    let mut snapshot = rdb::decode(&encode_keyspace(&ks, &info(true, false))).unwrap();
    assert_eq!(snapshot.drop_expired(2000), 1);
    assert!(!snapshot.keyspace.db(0).contains(b"old"));
    assert_eq!(snapshot.keyspace.db(0).expire_at(b"new"), Some(5000));
}

/// Throughput of 1M small keys (run with
/// `cargo test --release -p replscope-core --test rdb_roundtrip -- --ignored --nocapture`).
#[test]
#[ignore]
fn throughput_one_million_small_keys() {
    let mut ks = Keyspace::default();
    for i in 0..1_000_000u64 {
        let value = if i % 2 == 0 { i.to_string().into_bytes() } else { format!("value:{i}:payload").into_bytes() };
        ks.db_mut(0).put(format!("key:{i:08}").into_bytes(), Value::String(value));
    }
    let start = std::time::Instant::now();
    let bytes = encode_keyspace(&ks, &info(true, true));
    let encode = start.elapsed();
    let start = std::time::Instant::now();
    let snapshot = rdb::decode(&bytes).unwrap();
    let decode = start.elapsed();
    assert_eq!(snapshot.keyspace.db(0).len(), 1_000_000);
    println!(
        "1M small keys: {} bytes; encode {:?} ({:.1} MB/s), decode {:?} ({:.1} MB/s)",
        bytes.len(),
        encode,
        bytes.len() as f64 / encode.as_secs_f64() / 1e6,
        decode,
        bytes.len() as f64 / decode.as_secs_f64() / 1e6
    );
}
