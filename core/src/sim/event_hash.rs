//! The event hash: every event fed through serde into a running 64-bit
//! hash, value by value, without writing it out as JSON first.
//!
//! The hash is the determinism check (the same scenario and seed give the
//! same hash, natively and in wasm), and with a retention limit every
//! event is hashed before it is let go of, so on a long run it is paid for
//! every simulated write. Formatting each event as JSON (numbers to decimal
//! digits, strings escaped) cost more than recording it; mixing the values
//! themselves costs a fraction of that and covers the same content: every
//! string (tag, names, command text) and every number, in serde's order.
//! Numbers are mixed as 64-bit words and strings eight bytes at a time with
//! their length, the same on every target.

use serde::Serialize;
use serde::ser::{self, Serializer};

const HASH_MUL: u64 = 0x9e37_79b9_7f4a_7c15;

/// One mixing step: `word` folded into `hash`.
fn mix(hash: u64, word: u64) -> u64 {
    (hash.rotate_left(23) ^ word).wrapping_mul(HASH_MUL)
}

/// Folds `bytes` into `hash` eight bytes at a time (little-endian words, so
/// the same on every target), then the length: a fast, portable, stable
/// mix; this is a determinism check, not a defence against adversaries.
pub(crate) fn hash_bytes(mut hash: u64, bytes: &[u8]) -> u64 {
    let mut fold = |word: u64| hash = mix(hash, word);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        fold(u64::from_le_bytes(word));
    }
    let rest = chunks.remainder();
    let mut word = [0u8; 8];
    word[..rest.len()].copy_from_slice(rest);
    fold(u64::from_le_bytes(word));
    fold(bytes.len() as u64);
    hash
}

/// Mixes `value` into `hash` (see the module docs).
pub(crate) fn hash_value<T: Serialize + ?Sized>(hash: u64, value: &T) -> u64 {
    let mut hasher = ValueHasher(hash);
    // Only `ser::Error::custom` can fail, and nothing here calls it.
    let _ = value.serialize(&mut hasher);
    hasher.word(END);
    hasher.0
}

/// Markers between values, so that `["ab"]` and `["a","b"]`, or `None`
/// and `Some(0)`, mix differently.
const NONE: u64 = 0x6e6f_6e65;
const SOME: u64 = 0x736f_6d65;
const UNIT: u64 = 0x756e_6974;
const OPEN: u64 = 0x6f70_656e;
const END: u64 = 0x656e_6421;

struct ValueHasher(u64);

impl ValueHasher {
    fn word(&mut self, word: u64) {
        self.0 = mix(self.0, word);
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(self.0, bytes);
    }

    fn open(&mut self, len: Option<usize>) {
        self.word(OPEN);
        self.word(len.map_or(u64::MAX, |n| n as u64));
    }
}

/// The one error a serializer must have; never produced here.
#[derive(Debug)]
pub(crate) struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("event hashing failed")
    }
}

impl std::error::Error for Never {}

impl ser::Error for Never {
    fn custom<T: std::fmt::Display>(_msg: T) -> Self {
        Never
    }
}

type Done = Result<(), Never>;

impl Serializer for &mut ValueHasher {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Done {
        self.word(u64::from(v));
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Done {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Done {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Done {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Done {
        self.word(v as u64);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Done {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Done {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Done {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Done {
        self.word(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Done {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Done {
        self.word(v.to_bits());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Done {
        self.word(u64::from(v));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Done {
        self.bytes(v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Done {
        self.bytes(v);
        Ok(())
    }
    fn serialize_none(self) -> Done {
        self.word(NONE);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Done {
        self.word(SOME);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        self.word(UNIT);
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Done {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Done {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Done {
        self.bytes(variant.as_bytes());
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, Never> {
        self.open(len);
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, Never> {
        self.open(Some(len));
        Ok(self)
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, Never> {
        self.open(Some(len));
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Never> {
        self.bytes(variant.as_bytes());
        self.open(Some(len));
        Ok(self)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, Never> {
        self.open(len);
        Ok(self)
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Self, Never> {
        self.open(Some(len));
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Never> {
        self.bytes(variant.as_bytes());
        self.open(Some(len));
        Ok(self)
    }
}

/// The compound serializers: every element or field is mixed in turn,
/// then an end marker. Field names are fixed by the type (the enum tag, a
/// string value, says which type), so only the values are mixed.
macro_rules! compound {
    ($($trait:ident :: $method:ident ($($key:ty)?)),* $(,)?) => {$(
        impl ser::$trait for &mut ValueHasher {
            type Ok = ();
            type Error = Never;
            fn $method<T: Serialize + ?Sized>(&mut self, $(_key: $key,)? value: &T) -> Done {
                value.serialize(&mut **self)
            }
            fn end(self) -> Done {
                self.word(END);
                Ok(())
            }
        }
    )*};
}

compound!(
    SerializeSeq::serialize_element(),
    SerializeTuple::serialize_element(),
    SerializeTupleStruct::serialize_field(),
    SerializeTupleVariant::serialize_field(),
    SerializeStruct::serialize_field(&'static str),
    SerializeStructVariant::serialize_field(&'static str),
);

impl ser::SerializeMap for &mut ValueHasher {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Done {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        self.word(END);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_values_hash_differently() {
        let of = |x: &serde_json::Value| hash_value(1, x);
        let cases = [
            serde_json::json!({"type": "a", "n": 1}),
            serde_json::json!({"type": "a", "n": 2}),
            serde_json::json!({"type": "b", "n": 1}),
            serde_json::json!(["ab"]),
            serde_json::json!(["a", "b"]),
            serde_json::json!([null]),
            serde_json::json!([0]),
            serde_json::json!([]),
        ];
        let hashes: Vec<u64> = cases.iter().map(of).collect();
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(of(&cases[0]), of(&cases[0].clone()));
    }

    #[test]
    fn option_and_unit_markers() {
        assert_ne!(hash_value(1, &None::<u64>), hash_value(1, &Some(0u64)));
        assert_ne!(hash_value(1, &()), hash_value(1, &0u64));
    }
}
