//! The client write workload: what the benchmarks (`benches/node_ops.rs`),
//! the browser checks (`wasm-checks`) and the playground's workload
//! generator send to a master.
//!
//! One shape everywhere, so a number measured in one place means the same in
//! the others, and it is the shape real clients give the replication stream:
//! individual `SET key:<n> <value>` commands, like those `redis-benchmark -t
//! set -r <keys> -d <size>` sends (pipelined or not is the sender's choice;
//! [`SetWorkload::encode`] gives the bytes a pipelining client writes). Not
//! byte for byte: redis-benchmark 7.0 pads `<n>` to 12 digits and sends
//! random values; here keys have 6 digits and a value starts with the
//! write's number (see [`SetWorkload::key`], [`SetWorkload::value`]).
//!
//! Write `i` is a pure function of the workload and `i` (no hidden state):
//! the same writes on native and on wasm, in any chunking.

use std::ops::Range;

use crate::resp::encode_command;

/// See the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetWorkload {
    keys: u64,
    value_size: usize,
    /// `None`: write `i` sets key `i % keys`; `Some(seed)`: a key drawn from
    /// a generator seeded with `seed`, like `redis-benchmark -r`.
    seed: Option<u64>,
}

impl SetWorkload {
    /// Writes rotate over `key:000000` … `key:<keys-1>` in order. `keys` is
    /// at least 1; values are `value_size` bytes (at least 1).
    pub const fn sequential(keys: u64, value_size: usize) -> SetWorkload {
        SetWorkload { keys: if keys == 0 { 1 } else { keys }, value_size, seed: None }
    }

    /// Each write picks its key from a generator seeded with `seed`.
    pub const fn random(seed: u64, keys: u64, value_size: usize) -> SetWorkload {
        SetWorkload { seed: Some(seed), ..SetWorkload::sequential(keys, value_size) }
    }

    /// How many distinct keys the writes go to.
    pub fn keys(&self) -> u64 {
        self.keys
    }

    /// Which key write `i` sets, in `0..keys`.
    pub fn key_index(&self, i: u64) -> u64 {
        match self.seed {
            None => i % self.keys,
            Some(seed) => splitmix64(seed ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15)) % self.keys,
        }
    }

    /// The key of write `i`: `key:` and its index, zero-padded to six
    /// digits so keys list (KEYS, SCAN, the UI's table) in numeric order.
    pub fn key(&self, i: u64) -> Vec<u8> {
        format!("key:{:06}", self.key_index(i)).into_bytes()
    }

    /// The value of write `i`: its number, padded with `x` to the value
    /// size (cut to it if the number is longer), so every write changes
    /// the value and a replica that missed one shows it.
    pub fn value(&self, i: u64) -> Vec<u8> {
        let mut value = i.to_string().into_bytes();
        value.resize(self.value_size.max(1), b'x');
        value
    }

    /// `SET <key> <value>` of write `i`.
    pub fn argv(&self, i: u64) -> Vec<Vec<u8>> {
        vec![b"SET".to_vec(), self.key(i), self.value(i)]
    }

    /// The writes `writes` as RESP requests, appended to `out`: what a
    /// pipelining client sends in one go.
    pub fn encode(&self, writes: Range<u64>, out: &mut Vec<u8>) {
        for i in writes {
            encode_command(&self.argv(i), out);
        }
    }
}

/// SplitMix64's output function: a fixed, portable mix (not for security).
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_writes_rotate_over_padded_keys() {
        let w = SetWorkload::sequential(3, 8);
        assert_eq!(w.argv(0), vec![b"SET".to_vec(), b"key:000000".to_vec(), b"0xxxxxxx".to_vec()]);
        assert_eq!(w.key(4), b"key:000001");
        assert_eq!(w.value(123_456_789_012), b"12345678", "cut to the value size");
        assert_eq!(SetWorkload::sequential(0, 0).argv(7), vec![b"SET".to_vec(), b"key:000000".to_vec(), b"7".to_vec()]);
    }

    #[test]
    fn encode_is_the_commands_a_pipelining_client_sends() {
        let w = SetWorkload::sequential(10, 2);
        let mut out = Vec::new();
        w.encode(9..11, &mut out);
        assert_eq!(
            out,
            b"*3\r\n$3\r\nSET\r\n$10\r\nkey:000009\r\n$2\r\n9x\r\n*3\r\n$3\r\nSET\r\n$10\r\nkey:000000\r\n$2\r\n10\r\n"
        );
    }

    #[test]
    fn random_keys_are_seeded_and_in_range() {
        let a = SetWorkload::random(42, 100, 4);
        let picks: Vec<u64> = (0..1_000).map(|i| a.key_index(i)).collect();
        assert!(picks.iter().all(|k| *k < 100));
        assert_eq!(picks, (0..1_000).map(|i| SetWorkload::random(42, 100, 4).key_index(i)).collect::<Vec<_>>());
        assert_ne!(picks, (0..1_000).map(|i| SetWorkload::random(43, 100, 4).key_index(i)).collect::<Vec<_>>());
        let distinct = picks.iter().collect::<std::collections::BTreeSet<_>>().len();
        assert!(distinct > 90, "spread over the key space: {distinct} of 100");
        // Pinned, so native and wasm (and any later refactor) agree.
        assert_eq!(&picks[..4], &[13, 91, 67, 92]);
    }
}
