//! The dataset the `rdb` and `sim` benches share, so their numbers describe
//! the same keyspace.

use replscope_core::keyspace::{Db, Value};

/// Fills `db` with `keys` string keys `key:00000000`…, values a mix Redis
/// users would recognise: a third integers (stored int-encoded), a third
/// short strings, a third 32-byte strings (long enough for LZF to be tried).
pub fn fill_strings(db: &mut Db, keys: usize) {
    for i in 0..keys {
        let key = format!("key:{i:08}").into_bytes();
        let value = match i % 3 {
            0 => (i as i64 * 37 - 5_000_000).to_string().into_bytes(),
            1 => format!("v{i}").into_bytes(),
            _ => format!("user:{i:08}:session:{:010}", i * 7).into_bytes(),
        };
        db.put(key, Value::String(value));
    }
}
