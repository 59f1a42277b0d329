//! Reading snapshots written by Redis (any RDB version up to 10) or by
//! ReplScope. The input is untrusted: every length is checked against the
//! bytes that remain before anything is allocated, and nothing panics.

use indexmap::{IndexMap, IndexSet};
use std::collections::VecDeque;

use super::ziplist::Pair;
use super::{RDB_VERSION, RdbError, Snapshot, intset, listpack, lzf, opcode, score, types, ziplist};
use crate::keyspace::{Keyspace, SortedSet, Value};

/// How many bytes one LZF input byte can expand to at most (a 3-byte
/// back-reference produces up to 264 bytes). A claimed uncompressed length
/// beyond this is corrupt, which bounds what a lying header can allocate.
const LZF_MAX_RATIO: usize = 90;

/// Parses a whole RDB file into a keyspace of `databases` databases.
pub fn decode_with(bytes: &[u8], databases: usize) -> Result<Snapshot, RdbError> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let magic = r.take(9)?;
    if &magic[..5] != b"REDIS" {
        return Err(RdbError::BadMagic);
    }
    let version: u32 = std::str::from_utf8(&magic[5..])
        .ok()
        .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse().ok())
        .ok_or(RdbError::BadMagic)?;
    if !(1..=RDB_VERSION).contains(&version) {
        return Err(RdbError::UnsupportedVersion(version));
    }

    let mut snapshot = Snapshot { version, aux: Vec::new(), keyspace: Keyspace::new(databases), functions: Vec::new() };
    let mut db = 0usize;
    let mut expire: Option<u64> = None;
    loop {
        let op = r.u8()?;
        match op {
            opcode::EOF => break,
            opcode::SELECTDB => {
                let index = r.len()?;
                if index >= databases as u64 {
                    return Err(RdbError::DbIndexOutOfRange(index));
                }
                db = index as usize;
            }
            opcode::RESIZEDB => {
                // Only a sizing hint: never trusted for allocation.
                r.len()?;
                r.len()?;
            }
            opcode::AUX => {
                let key = r.string()?;
                let value = r.string()?;
                snapshot.aux.push((key, value));
            }
            opcode::EXPIRETIME_MS => {
                let ms = i64::from_le_bytes(r.array::<8>()?);
                expire = Some(ms.max(0) as u64);
            }
            opcode::EXPIRETIME => {
                let secs = i32::from_le_bytes(r.array::<4>()?);
                expire = Some(i64::from(secs).max(0) as u64 * 1000);
            }
            opcode::IDLE => {
                r.len()?; // LRU idle time: ReplScope has no eviction.
            }
            opcode::FREQ => {
                r.u8()?; // LFU counter.
            }
            opcode::FUNCTION2 => snapshot.functions.push(r.string()?),
            opcode::FUNCTION_PRE_GA | opcode::MODULE_AUX => return Err(RdbError::UnsupportedOpcode(op)),
            ty => {
                let key = r.string()?;
                let value = read_value(&mut r, ty)?;
                let when = expire.take();
                let Some(value) = value else {
                    continue; // an empty collection: Redis 7.0 skips it too
                };
                let target = snapshot.keyspace.db_mut(db);
                if target.contains(&key) {
                    return Err(RdbError::DuplicateKey(key));
                }
                match when {
                    Some(when) => {
                        target.put(key.clone(), value);
                        target.set_expire(&key, when);
                    }
                    None => target.put(key, value),
                }
            }
        }
    }
    let body_len = r.pos;
    if version >= 5 {
        let stored = u64::from_le_bytes(r.array::<8>()?);
        // A zero checksum means the writer had `rdbchecksum no`.
        if stored != 0 {
            let computed = super::crc64(&bytes[..body_len]);
            if stored != computed {
                return Err(RdbError::ChecksumMismatch { stored, computed });
            }
        }
    }
    Ok(snapshot)
}

/// Parses one value of RDB type `ty` (`None` for an empty collection).
fn read_value(r: &mut Reader, ty: u8) -> Result<Option<Value>, RdbError> {
    let value = match ty {
        types::STRING => Value::String(r.string()?),
        types::LIST => {
            let n = r.count()?;
            let mut list = VecDeque::new();
            for _ in 0..n {
                list.push_back(r.string()?);
            }
            Value::List(list)
        }
        types::SET => {
            let n = r.count()?;
            let mut set = IndexSet::new();
            for _ in 0..n {
                if !set.insert(r.string()?) {
                    return Err(RdbError::Corrupt("duplicate set members detected"));
                }
            }
            Value::Set(set)
        }
        types::ZSET | types::ZSET_2 => {
            let n = r.count()?;
            let mut zset = SortedSet::new();
            for _ in 0..n {
                let member = r.string()?;
                let s = if ty == types::ZSET_2 { r.binary_double()? } else { r.text_double()? };
                if s.is_nan() {
                    return Err(RdbError::Corrupt("zset with NaN score detected"));
                }
                if zset.insert(member, s).is_some() {
                    return Err(RdbError::Corrupt("duplicate zset fields detected"));
                }
            }
            Value::ZSet(zset)
        }
        types::HASH => {
            let n = r.count()?;
            let mut map = IndexMap::new();
            for _ in 0..n {
                let f = r.string()?;
                let v = r.string()?;
                if map.insert(f, v).is_some() {
                    return Err(RdbError::Corrupt("duplicate hash fields detected"));
                }
            }
            Value::Hash(map)
        }
        types::HASH_ZIPMAP => {
            let pairs = ziplist::parse_zipmap(&r.string()?).map_err(RdbError::Corrupt)?;
            hash_from_pairs(pairs)?
        }
        types::LIST_ZIPLIST => {
            let items = ziplist::parse_ziplist(&r.string()?).map_err(RdbError::Corrupt)?;
            Value::List(items.into())
        }
        types::SET_INTSET => {
            let ints = intset::parse(&r.string()?).map_err(RdbError::Corrupt)?;
            Value::Set(ints.iter().map(|v| v.to_string().into_bytes()).collect())
        }
        types::ZSET_ZIPLIST | types::ZSET_LISTPACK => {
            let blob = r.string()?;
            let items = if ty == types::ZSET_ZIPLIST {
                ziplist::parse_ziplist(&blob).map_err(RdbError::Corrupt)?
            } else {
                listpack::parse(&blob).map_err(|e| RdbError::Corrupt(e.0))?
            };
            zset_from_flat(items)?
        }
        types::HASH_ZIPLIST | types::HASH_LISTPACK => {
            let blob = r.string()?;
            let items = if ty == types::HASH_ZIPLIST {
                ziplist::parse_ziplist(&blob).map_err(RdbError::Corrupt)?
            } else {
                listpack::parse(&blob).map_err(|e| RdbError::Corrupt(e.0))?
            };
            hash_from_pairs(pairs(items)?)?
        }
        types::LIST_QUICKLIST | types::LIST_QUICKLIST_2 => {
            let nodes = r.count()?;
            let mut list = VecDeque::new();
            for _ in 0..nodes {
                let container = if ty == types::LIST_QUICKLIST_2 { r.len()? } else { 2 };
                let blob = r.string()?;
                match container {
                    1 => list.push_back(blob),
                    2 => {
                        let items = if ty == types::LIST_QUICKLIST {
                            ziplist::parse_ziplist(&blob).map_err(RdbError::Corrupt)?
                        } else {
                            listpack::parse(&blob).map_err(|e| RdbError::Corrupt(e.0))?
                        };
                        list.extend(items);
                    }
                    _ => return Err(RdbError::Corrupt("quicklist node with an unknown container")),
                }
            }
            Value::List(list)
        }
        other => return Err(RdbError::UnsupportedType(other)),
    };
    let empty = match &value {
        Value::String(_) => false,
        Value::List(l) => l.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::ZSet(z) => z.is_empty(),
    };
    Ok((!empty).then_some(value))
}

fn pairs(items: Vec<Vec<u8>>) -> Result<Vec<Pair>, RdbError> {
    if !items.len().is_multiple_of(2) {
        return Err(RdbError::Corrupt("odd number of elements in a field/value encoding"));
    }
    let mut it = items.into_iter();
    let mut out = Vec::new();
    while let (Some(a), Some(b)) = (it.next(), it.next()) {
        out.push((a, b));
    }
    Ok(out)
}

fn hash_from_pairs(pairs: Vec<Pair>) -> Result<Value, RdbError> {
    let mut map = IndexMap::with_capacity(pairs.len());
    for (f, v) in pairs {
        if map.insert(f, v).is_some() {
            return Err(RdbError::Corrupt("duplicate hash fields detected"));
        }
    }
    Ok(Value::Hash(map))
}

fn zset_from_flat(items: Vec<Vec<u8>>) -> Result<Value, RdbError> {
    let mut zset = SortedSet::new();
    for (member, text) in pairs(items)? {
        let s = score::parse_score(&text).ok_or(RdbError::Corrupt("zset with an invalid score"))?;
        if zset.insert(member, s).is_some() {
            return Err(RdbError::Corrupt("duplicate zset fields detected"));
        }
    }
    Ok(Value::ZSet(zset))
}

/// A cursor over the input with checked reads.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// What a length field holds: a length, or a special string encoding.
enum Len {
    Plain(u64),
    Int8,
    Int16,
    Int32,
    Lzf,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], RdbError> {
        if n > self.remaining() {
            return Err(RdbError::Truncated);
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], RdbError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, RdbError> {
        Ok(self.take(1)?[0])
    }

    fn raw_len(&mut self) -> Result<Len, RdbError> {
        let b = self.u8()?;
        Ok(match b >> 6 {
            0 => Len::Plain(u64::from(b & 0x3f)),
            1 => Len::Plain(u64::from(b & 0x3f) << 8 | u64::from(self.u8()?)),
            2 => match b {
                0x80 => Len::Plain(u64::from(u32::from_be_bytes(self.array::<4>()?))),
                0x81 => Len::Plain(u64::from_be_bytes(self.array::<8>()?)),
                _ => return Err(RdbError::Corrupt("unknown length encoding")),
            },
            _ => match b & 0x3f {
                0 => Len::Int8,
                1 => Len::Int16,
                2 => Len::Int32,
                3 => Len::Lzf,
                _ => return Err(RdbError::Corrupt("unknown string encoding")),
            },
        })
    }

    /// A plain length (not a string encoding).
    fn len(&mut self) -> Result<u64, RdbError> {
        match self.raw_len()? {
            Len::Plain(n) => Ok(n),
            _ => Err(RdbError::Corrupt("string encoding where a length was expected")),
        }
    }

    /// An element count: each element takes at least one byte, so a count
    /// beyond the remaining input is corrupt (and is never allocated).
    fn count(&mut self) -> Result<usize, RdbError> {
        let n = self.len()?;
        if n > self.remaining() as u64 {
            return Err(RdbError::Truncated);
        }
        Ok(n as usize)
    }

    /// A string in any of its encodings.
    fn string(&mut self) -> Result<Vec<u8>, RdbError> {
        match self.raw_len()? {
            Len::Plain(n) => {
                let n = usize::try_from(n).map_err(|_| RdbError::Truncated)?;
                Ok(self.take(n)?.to_vec())
            }
            Len::Int8 => Ok((self.u8()? as i8).to_string().into_bytes()),
            Len::Int16 => Ok(i16::from_le_bytes(self.array::<2>()?).to_string().into_bytes()),
            Len::Int32 => Ok(i32::from_le_bytes(self.array::<4>()?).to_string().into_bytes()),
            Len::Lzf => {
                let clen = usize::try_from(self.len()?).map_err(|_| RdbError::Truncated)?;
                let ulen = usize::try_from(self.len()?).map_err(|_| RdbError::Truncated)?;
                let packed = self.take(clen)?;
                if ulen > clen.saturating_mul(LZF_MAX_RATIO) {
                    return Err(RdbError::Corrupt("LZF string claims an impossible length"));
                }
                lzf::decompress(packed, ulen).map_err(|_| RdbError::Corrupt("invalid LZF compressed string"))
            }
        }
    }

    fn binary_double(&mut self) -> Result<f64, RdbError> {
        Ok(f64::from_le_bytes(self.array::<8>()?))
    }

    /// The pre-RDB-8 score format: a length byte then ASCII, with 253/254/255
    /// meaning NaN/+inf/-inf.
    fn text_double(&mut self) -> Result<f64, RdbError> {
        match self.u8()? {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            n => {
                let text = self.take(usize::from(n))?;
                score::parse_score(text).ok_or(RdbError::Corrupt("invalid double value"))
            }
        }
    }
}
