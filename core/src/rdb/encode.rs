//! Writing snapshots: what Redis 7.0's `rdbSaveRio` produces for `SAVE`,
//! `BGSAVE` and a full resync.
//!
//! Each value gets the encoding a Redis 7.0 with default thresholds would
//! hold it in after loading it (the encoding depends only on the contents
//! then, not on the command history):
//!
//! | value | condition | RDB type |
//! |---|---|---|
//! | string | — | 0 (int-encoded / LZF / raw, see [`Encoder::string`]) |
//! | list | always | 18 quicklist of listpacks, nodes cut at 8 KB like `RPUSH` |
//! | hash | ≤ 512 fields, fields and values ≤ 64 bytes | 16 listpack |
//! | hash | otherwise | 4 |
//! | set | ≤ 512 members, all integers | 11 intset |
//! | set | otherwise | 2 |
//! | zset | ≤ 128 members, members ≤ 64 bytes | 17 listpack |
//! | zset | otherwise | 5 (binary scores, highest first) |
//!
//! Listpacks and intsets are stored as strings, so they are LZF-compressed
//! too when that saves at least 4 bytes.

use super::lzf::Compressor;
use super::{RDB_VERSION, ReplInfo, SaveInfo, intset, listpack, opcode, score, types};
use crate::keyspace::{Db, Keyspace, Value};
use crate::util::parse_strict_i64;

/// `hash-max-listpack-entries` default (512 in 7.0, unlike zsets).
pub const HASH_MAX_LISTPACK_ENTRIES: usize = 512;
/// `zset-max-listpack-entries` default.
pub const ZSET_MAX_LISTPACK_ENTRIES: usize = 128;
/// `hash-max-listpack-value` / `zset-max-listpack-value` default.
pub const MAX_LISTPACK_VALUE: usize = 64;
/// `set-max-intset-entries` default.
pub const MAX_INTSET_ENTRIES: usize = 512;
/// `list-max-listpack-size -2`: quicklist nodes of at most 8 KB.
pub const LIST_NODE_MAX_BYTES: usize = 8192;
/// Redis's `SIZE_ESTIMATE_OVERHEAD`: what a listpack entry may add beyond
/// the element's own bytes, estimated generously.
const LIST_ENTRY_OVERHEAD_ESTIMATE: usize = 8;
/// Elements this large get a quicklist node of their own ("plain" node).
const LIST_PLAIN_ELEMENT: usize = 1 << 30;
/// Quicklist node containers.
const CONTAINER_PLAIN: u64 = 1;
const CONTAINER_PACKED: u64 = 2;

/// Serializes a keyspace into a complete RDB file.
pub fn encode_keyspace(keyspace: &Keyspace, info: &SaveInfo) -> Vec<u8> {
    let mut e = Encoder::new(info.compression);
    e.out.extend_from_slice(format!("REDIS{RDB_VERSION:04}").as_bytes());
    e.aux_fields(info);
    for (index, db) in keyspace.dbs() {
        e.db(index, db);
    }
    e.out.push(opcode::EOF);
    let crc = super::crc64(&e.out);
    e.out.extend_from_slice(&crc.to_le_bytes());
    e.out
}

/// Appends RDB primitives to a buffer.
pub struct Encoder {
    pub out: Vec<u8>,
    compression: bool,
    lzf: Compressor,
}

impl Encoder {
    pub fn new(compression: bool) -> Self {
        Encoder { out: Vec::new(), compression, lzf: Compressor::new() }
    }

    /// `rdbSaveInfoAuxFields`: this order, numbers written as int-encoded
    /// strings; the replication fields only when there is replication info.
    fn aux_fields(&mut self, info: &SaveInfo) {
        self.aux(b"redis-ver", crate::REDIS_VERSION.as_bytes());
        self.aux(b"redis-bits", b"64");
        self.aux(b"ctime", info.ctime_secs.to_string().as_bytes());
        self.aux(b"used-mem", info.used_mem.to_string().as_bytes());
        if let Some(ReplInfo { stream_db, replid, offset }) = &info.repl {
            self.aux(b"repl-stream-db", stream_db.to_string().as_bytes());
            self.aux(b"repl-id", replid.as_bytes());
            self.aux(b"repl-offset", offset.to_string().as_bytes());
        }
        self.aux(b"aof-base", b"0");
    }

    fn aux(&mut self, key: &[u8], value: &[u8]) {
        self.out.push(opcode::AUX);
        self.string(key);
        self.string(value);
    }

    /// One database: `SELECTDB`, `RESIZEDB`, then its keys (nothing at all
    /// for an empty database). Keys come in the keyspace's lexicographic
    /// order; Redis writes its hash-table order, which is random.
    fn db(&mut self, index: usize, db: &Db) {
        let live = |v: &Value| !is_empty_collection(v);
        let size = db.iter().filter(|(_, v)| live(v)).count();
        if size == 0 {
            return;
        }
        let expires = db.expires().filter(|(k, _)| db.get(k).is_some_and(live)).count();
        self.out.push(opcode::SELECTDB);
        self.len(index as u64);
        self.out.push(opcode::RESIZEDB);
        self.len(size as u64);
        self.len(expires as u64);
        for (key, value) in db.iter() {
            if !live(value) {
                continue;
            }
            if let Some(when) = db.expire_at(key) {
                self.out.push(opcode::EXPIRETIME_MS);
                self.out.extend_from_slice(&when.to_le_bytes());
            }
            self.key_value(key, value);
        }
    }

    /// The type byte, the key, then the value (`rdbSaveKeyValuePair` with
    /// the default `noeviction` policy: no LRU/LFU opcodes).
    pub fn key_value(&mut self, key: &[u8], value: &Value) {
        let at = self.out.len();
        self.out.push(0); // type, known once the value is written
        self.string(key);
        let ty = self.value(value);
        self.out[at] = ty;
    }

    /// Writes a value and returns its RDB type.
    pub fn value(&mut self, value: &Value) -> u8 {
        match value {
            Value::String(s) => {
                self.string(s);
                types::STRING
            }
            Value::List(items) => {
                self.quicklist(items.iter().map(Vec::as_slice));
                types::LIST_QUICKLIST_2
            }
            Value::Hash(map) => {
                let small = map.len() <= HASH_MAX_LISTPACK_ENTRIES
                    && map.iter().all(|(f, v)| f.len() <= MAX_LISTPACK_VALUE && v.len() <= MAX_LISTPACK_VALUE);
                if small {
                    let mut lp = listpack::ListpackBuilder::new();
                    for (f, v) in map {
                        lp.push(f);
                        lp.push(v);
                    }
                    self.string(&lp.finish());
                    types::HASH_LISTPACK
                } else {
                    self.len(map.len() as u64);
                    for (f, v) in map {
                        self.string(f);
                        self.string(v);
                    }
                    types::HASH
                }
            }
            Value::Set(set) => {
                let ints: Option<Vec<i64>> = if set.len() <= MAX_INTSET_ENTRIES {
                    set.iter().map(|m| parse_strict_i64(m)).collect()
                } else {
                    None
                };
                match ints {
                    Some(mut ints) => {
                        crate::util::sort(&mut ints);
                        self.string(&intset::build(&ints));
                        types::SET_INTSET
                    }
                    None => {
                        self.len(set.len() as u64);
                        for m in set {
                            self.string(m);
                        }
                        types::SET
                    }
                }
            }
            Value::ZSet(zset) => {
                let small =
                    zset.len() <= ZSET_MAX_LISTPACK_ENTRIES && zset.iter().all(|(m, _)| m.len() <= MAX_LISTPACK_VALUE);
                if small {
                    let mut lp = listpack::ListpackBuilder::new();
                    for (m, s) in zset.iter() {
                        lp.push(m);
                        lp.push(score::d2string(s).as_bytes());
                    }
                    self.string(&lp.finish());
                    types::ZSET_LISTPACK
                } else {
                    // Highest score first, so loading appends at the head.
                    self.len(zset.len() as u64);
                    for (m, s) in zset.iter().rev() {
                        self.string(m);
                        self.out.extend_from_slice(&s.to_le_bytes());
                    }
                    types::ZSET_2
                }
            }
        }
    }

    /// A quicklist as `RPUSH` of every element into an empty list builds it
    /// (`_quicklistNodeAllowInsert` with `list-max-listpack-size -2`): an
    /// element joins the tail node while the node's size plus the element's
    /// length plus a flat 8-byte estimate of its overhead stays within 8 KB.
    fn quicklist<'a>(&mut self, items: impl Iterator<Item = &'a [u8]>) {
        enum Node {
            Packed(Vec<u8>),
            Plain(Vec<u8>),
        }
        let mut nodes = Vec::new();
        let mut current: Option<listpack::ListpackBuilder> = None;
        for item in items {
            let sz = item.len();
            if sz >= LIST_PLAIN_ELEMENT {
                if let Some(lp) = current.take() {
                    nodes.push(Node::Packed(lp.finish()));
                }
                nodes.push(Node::Plain(item.to_vec()));
                continue;
            }
            let fits = current
                .as_ref()
                .is_some_and(|lp| lp.total_bytes() + sz + LIST_ENTRY_OVERHEAD_ESTIMATE <= LIST_NODE_MAX_BYTES);
            if !fits && let Some(lp) = current.take() {
                nodes.push(Node::Packed(lp.finish()));
            }
            current.get_or_insert_with(listpack::ListpackBuilder::new).push(item);
        }
        if let Some(lp) = current.take() {
            nodes.push(Node::Packed(lp.finish()));
        }
        self.len(nodes.len() as u64);
        for node in nodes {
            match node {
                Node::Packed(lp) => {
                    self.len(CONTAINER_PACKED);
                    self.string(&lp);
                }
                Node::Plain(data) => {
                    self.len(CONTAINER_PLAIN);
                    self.string(&data);
                }
            }
        }
    }

    /// `rdbSaveLen`: 6-bit, 14-bit, 32-bit or 64-bit big-endian lengths.
    pub fn len(&mut self, n: u64) {
        if n < 1 << 6 {
            self.out.push(n as u8);
        } else if n < 1 << 14 {
            self.out.push(0x40 | (n >> 8) as u8);
            self.out.push(n as u8);
        } else if n <= u64::from(u32::MAX) {
            self.out.push(0x80);
            self.out.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            self.out.push(0x81);
            self.out.extend_from_slice(&n.to_be_bytes());
        }
    }

    /// `rdbSaveRawString`: strings of up to 11 bytes that are canonical
    /// integers fitting 32 bits are written as integers; longer than 20
    /// bytes are LZF-compressed when `rdbcompression yes` and that saves at
    /// least 4 bytes; everything else is length + bytes.
    pub fn string(&mut self, s: &[u8]) {
        if s.len() <= 11
            && let Some(v) = parse_strict_i64(s)
        {
            if let Ok(v8) = i8::try_from(v) {
                self.out.extend_from_slice(&[0xc0, v8 as u8]);
                return;
            } else if let Ok(v16) = i16::try_from(v) {
                self.out.push(0xc1);
                self.out.extend_from_slice(&v16.to_le_bytes());
                return;
            } else if let Ok(v32) = i32::try_from(v) {
                self.out.push(0xc2);
                self.out.extend_from_slice(&v32.to_le_bytes());
                return;
            }
        }
        if self.compression
            && s.len() > 20
            && let Some(packed) = self.lzf.compress(s, s.len() - 4)
        {
            self.out.push(0xc3);
            self.len(packed.len() as u64);
            self.len(s.len() as u64);
            self.out.extend_from_slice(&packed);
            return;
        }
        self.len(s.len() as u64);
        self.out.extend_from_slice(s);
    }
}

/// Redis never keeps an empty collection (the last removal deletes the key),
/// and refuses to load one; such a value is left out of snapshots.
fn is_empty_collection(v: &Value) -> bool {
    match v {
        Value::String(_) => false,
        Value::List(l) => l.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::ZSet(z) => z.is_empty(),
    }
}

/// The payload `DUMP key` returns for `value`: type, value, the RDB version
/// as two little-endian bytes, then the CRC-64 of all that. Handy for
/// comparing single values with a real Redis.
pub fn dump_payload(value: &Value, compression: bool) -> Vec<u8> {
    let mut e = Encoder::new(compression);
    e.out.push(0);
    let ty = e.value(value);
    e.out[0] = ty;
    e.out.extend_from_slice(&(RDB_VERSION as u16).to_le_bytes());
    let crc = super::crc64(&e.out);
    e.out.extend_from_slice(&crc.to_le_bytes());
    e.out
}
