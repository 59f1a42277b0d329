//! Bytes → `rdb::decode`: a snapshot file a user loads, or the payload a
//! replica receives. Checked:
//! - never a panic, allocation bounded by the input (lengths and counts
//!   are checked against the bytes that remain);
//! - what loads, written back with `encode_keyspace`, loads again to the
//!   same keyspace.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replscope_core::rdb::{self, SaveInfo};

fuzz_target!(|data: &[u8]| {
    let Ok(snapshot) = rdb::decode(data) else { return };
    for compression in [false, true] {
        let info = SaveInfo { ctime_secs: 0, used_mem: 0, repl: None, compression };
        let bytes = rdb::encode_keyspace(&snapshot.keyspace, &info);
        match rdb::decode(&bytes) {
            Ok(again) => assert_eq!(again.keyspace, snapshot.keyspace, "keyspace changed through encode/decode"),
            Err(e) => panic!("a re-encoded snapshot does not load: {e}"),
        }
    }
});
