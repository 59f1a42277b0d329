//! RDB snapshots, Redis 7.0's format (RDB version 10), in both directions.
//!
//! A full resync transfers one of these files, so its size is what a
//! learner sees on the wire: [`encode`] writes what a real Redis 7.0 `SAVE`
//! or replication snapshot contains, with the same encodings, compression
//! and aux fields; [`decode`] loads what a real Redis writes.
//!
//! # Layout of a file
//! ```text
//! "REDIS0010"
//! AUX redis-ver 7.0.15 | AUX redis-bits 64 | AUX ctime <s> | AUX used-mem <n>
//! [AUX repl-stream-db <db> | AUX repl-id <40 hex> | AUX repl-offset <n>]   (only with replication info)
//! AUX aof-base 0
//! per non-empty db: SELECTDB <i> RESIZEDB <keys> <keys with TTL>
//!                   then per key: [EXPIRETIME_MS <u64 LE>] <type> <key> <value>
//! EOF <CRC-64/Jones LE>
//! ```
//! Numbers in aux fields are strings that happen to be written
//! int-encoded, as Redis does (`redis-bits` is `c0 40`).
//!
//! # Differences from a real Redis dump of the same data
//! - `ctime`, `used-mem` and `repl-id` differ by nature (virtual clock,
//!   an estimate of memory, a seeded replid).
//! - Keys are written in lexicographic order; Redis writes them in its hash
//!   table order, which is random per process. Likewise fields of large
//!   (type 4) hashes and members of large (type 2) sets come in ReplScope's
//!   insertion order. Compare snapshots per key.
//! - Encodings follow the contents (what Redis holds after loading), not the
//!   history: a list is cut into quicklist nodes as `RPUSH` would cut it, a
//!   hash that once grew past 512 fields and shrank is written as a listpack.
//!
//! # Modules
//! - [`encode`]: the writer; [`decode`](mod@decode): the reader.
//! - [`lzf`]: the string compressor; [`listpack`], [`intset`]: the compact
//!   collection encodings; [`ziplist`]: the pre-7.0 ones, read only.
//! - [`score`]: sorted-set scores as text (`d2string`).

pub mod decode;
pub mod encode;
pub mod intset;
pub mod listpack;
pub mod lzf;
pub mod score;
pub mod ziplist;

use crate::keyspace::Keyspace;
use crate::keyspace::Value;
use crate::server::Server;

pub use encode::{dump_payload, encode_keyspace};

/// The RDB format version Redis 7.0 writes (and the newest it reads).
pub const RDB_VERSION: u32 = 10;

/// Value type bytes (`RDB_TYPE_*`).
pub mod types {
    pub const STRING: u8 = 0;
    pub const LIST: u8 = 1;
    pub const SET: u8 = 2;
    pub const ZSET: u8 = 3;
    pub const HASH: u8 = 4;
    pub const ZSET_2: u8 = 5;
    pub const MODULE: u8 = 6;
    pub const MODULE_2: u8 = 7;
    pub const HASH_ZIPMAP: u8 = 9;
    pub const LIST_ZIPLIST: u8 = 10;
    pub const SET_INTSET: u8 = 11;
    pub const ZSET_ZIPLIST: u8 = 12;
    pub const HASH_ZIPLIST: u8 = 13;
    pub const LIST_QUICKLIST: u8 = 14;
    pub const STREAM_LISTPACKS: u8 = 15;
    pub const HASH_LISTPACK: u8 = 16;
    pub const ZSET_LISTPACK: u8 = 17;
    pub const LIST_QUICKLIST_2: u8 = 18;
    pub const STREAM_LISTPACKS_2: u8 = 19;
}

/// Opcodes between entries (`RDB_OPCODE_*`).
pub mod opcode {
    pub const FUNCTION2: u8 = 245;
    /// Functions as written by 7.0 release candidates.
    pub const FUNCTION_PRE_GA: u8 = 246;
    pub const MODULE_AUX: u8 = 247;
    pub const IDLE: u8 = 248;
    pub const FREQ: u8 = 249;
    pub const AUX: u8 = 250;
    pub const RESIZEDB: u8 = 251;
    pub const EXPIRETIME_MS: u8 = 252;
    pub const EXPIRETIME: u8 = 253;
    pub const SELECTDB: u8 = 254;
    pub const EOF: u8 = 255;
}

/// The replication state a snapshot carries (`rdbSaveInfo`), so that a
/// restarted replica can try a partial resync with `PSYNC <replid> <offset+1>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplInfo {
    /// The db the replication stream last selected (`slaveseldb`, 0 if none).
    pub stream_db: usize,
    pub replid: String,
    pub offset: u64,
}

/// Everything besides the keyspace that goes into a snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaveInfo {
    /// `ctime` aux field: the (virtual) unix time in seconds.
    pub ctime_secs: u64,
    /// `used-mem` aux field.
    pub used_mem: u64,
    /// `None` writes no `repl-*` aux fields (a master that never had a
    /// replica, like Redis's `rdbPopulateSaveInfo` returning NULL).
    pub repl: Option<ReplInfo>,
    /// `rdbcompression`: LZF-compress strings longer than 20 bytes.
    pub compression: bool,
}

/// The snapshot a node writes for `SAVE` or for a full resync at `now_ms`.
pub fn encode(server: &Server, now_ms: u64) -> Vec<u8> {
    encode_keyspace(&server.keyspace, &save_info(server, now_ms))
}

/// `rdbPopulateSaveInfo`: a master includes replication info once it has a
/// backlog; a replica includes its master's replid and offset (which it
/// shares under PSYNC2).
pub fn save_info(server: &Server, now_ms: u64) -> SaveInfo {
    let repl = (server.repl.backlog.is_some() || server.is_replica()).then(|| ReplInfo {
        stream_db: server.repl.stream_db.unwrap_or(0),
        replid: server.repl.master_replid.clone(),
        offset: server.repl.master_repl_offset,
    });
    SaveInfo {
        ctime_secs: now_ms / 1000,
        used_mem: estimate_used_memory(&server.keyspace),
        repl,
        compression: server.config.rdbcompression,
    }
}

/// A rough `used_memory`: an idle Redis 7.0 reports about 870 KB, plus per
/// key a dict entry, the key, and the value's payload with some overhead.
/// Only the `used-mem` aux field uses it, whose exact value never matters.
pub fn estimate_used_memory(keyspace: &Keyspace) -> u64 {
    const BASE: u64 = 870_000;
    const PER_KEY: u64 = 56;
    const PER_ELEMENT: u64 = 16;
    let mut total = BASE;
    for (_, db) in keyspace.dbs() {
        for (key, value) in db.iter() {
            total += PER_KEY + key.len() as u64;
            total += match value {
                Value::String(s) => s.len() as u64 + PER_ELEMENT,
                Value::List(l) => l.iter().map(|e| e.len() as u64 + PER_ELEMENT).sum(),
                Value::Hash(h) => h.iter().map(|(f, v)| (f.len() + v.len()) as u64 + 2 * PER_ELEMENT).sum(),
                Value::Set(s) => s.iter().map(|m| m.len() as u64 + PER_ELEMENT).sum(),
                Value::ZSet(z) => z.iter().map(|(m, _)| m.len() as u64 + 3 * PER_ELEMENT).sum(),
            };
        }
    }
    total
}

/// A loaded snapshot: the data and the aux fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The RDB version from the header (1–10).
    pub version: u32,
    /// Aux fields in file order, raw.
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
    /// All keys with their expiry times, including keys already expired
    /// (a master drops those when loading, a replica keeps them: see
    /// [`Snapshot::drop_expired`]).
    pub keyspace: Keyspace,
    /// Function libraries (`FUNCTION LOAD` code), kept verbatim.
    pub functions: Vec<Vec<u8>>,
}

impl Snapshot {
    /// The value of aux field `name`, if present.
    pub fn aux_field(&self, name: &str) -> Option<&[u8]> {
        self.aux.iter().rev().find(|(k, _)| k == name.as_bytes()).map(|(_, v)| v.as_slice())
    }

    fn aux_int(&self, name: &str) -> Option<i64> {
        crate::util::parse_strict_i64(self.aux_field(name)?)
    }

    /// `repl-id`: the replication ID the writer had.
    pub fn repl_id(&self) -> Option<&str> {
        std::str::from_utf8(self.aux_field("repl-id")?).ok()
    }

    /// `repl-offset`: the writer's replication offset.
    pub fn repl_offset(&self) -> Option<i64> {
        self.aux_int("repl-offset")
    }

    /// `repl-stream-db`: the db the replication stream had selected.
    pub fn repl_stream_db(&self) -> Option<i64> {
        self.aux_int("repl-stream-db")
    }

    /// `ctime`: when the snapshot was written (unix seconds).
    pub fn ctime(&self) -> Option<i64> {
        self.aux_int("ctime")
    }

    /// What a loading master does (`rdbLoad` when `iAmMaster()`): keys whose
    /// expiry time is before `now_ms` are not loaded. Returns how many.
    pub fn drop_expired(&mut self, now_ms: u64) -> usize {
        self.take_expired(now_ms).len()
    }

    /// [`Snapshot::drop_expired`], returning the dropped keys as
    /// `(db, key)` in file order (db by db, keys in the order they are
    /// stored): a restarted master feeds a `DEL` for each to its backlog.
    pub fn take_expired(&mut self, now_ms: u64) -> Vec<(usize, Vec<u8>)> {
        let mut dropped = Vec::new();
        for index in 0..self.keyspace.count() {
            let db = self.keyspace.db_mut(index);
            let expired: Vec<Vec<u8>> =
                db.expires().filter(|(_, when)| *when < now_ms).map(|(k, _)| k.clone()).collect();
            for key in expired {
                db.remove(&key);
                dropped.push((index, key));
            }
        }
        dropped
    }
}

/// Why a snapshot could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RdbError {
    /// The input ends in the middle of something (or a length claims more
    /// bytes than remain).
    Truncated,
    /// The file does not start with `REDIS` and a 4-digit version.
    BadMagic,
    /// An RDB version this Redis (7.0) cannot read.
    UnsupportedVersion(u32),
    /// A value type ReplScope does not model (modules, streams) or that
    /// does not exist.
    UnsupportedType(u8),
    /// An opcode ReplScope does not handle (module aux data, pre-GA functions).
    UnsupportedOpcode(u8),
    /// `SELECTDB` beyond the configured number of databases.
    DbIndexOutOfRange(u64),
    /// The same key twice in one database.
    DuplicateKey(Vec<u8>),
    /// Structurally invalid content.
    Corrupt(&'static str),
    /// The CRC-64 at the end does not match the content.
    ChecksumMismatch { stored: u64, computed: u64 },
}

impl std::fmt::Display for RdbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RdbError::Truncated => write!(f, "Short read or OOM loading DB. Unrecoverable error, aborting now."),
            RdbError::BadMagic => write!(f, "Wrong signature trying to load DB from file"),
            RdbError::UnsupportedVersion(v) => write!(f, "Can't handle RDB format version {v}"),
            RdbError::UnsupportedType(t) => {
                write!(f, "unsupported type: RDB value type {t} (modules and streams are not modelled)")
            }
            RdbError::UnsupportedOpcode(op) => write!(f, "unsupported opcode {op}"),
            RdbError::DbIndexOutOfRange(i) => {
                write!(
                    f,
                    "FATAL: Data file was created with a Redis server configured to handle more than {i} databases."
                )
            }
            RdbError::DuplicateKey(k) => write!(f, "RDB has duplicated key '{}'", String::from_utf8_lossy(k)),
            RdbError::Corrupt(what) => write!(f, "Bad data format: {what}"),
            RdbError::ChecksumMismatch { stored, computed } => {
                write!(f, "Wrong RDB checksum expected: ({stored:x}) got ({computed:x}). Aborting now.")
            }
        }
    }
}

impl std::error::Error for RdbError {}

/// Loads a snapshot into the default 16 databases.
pub fn decode(bytes: &[u8]) -> Result<Snapshot, RdbError> {
    decode::decode_with(bytes, crate::keyspace::DEFAULT_DATABASES)
}

/// CRC-64 as Redis computes it (Jones polynomial, reflected).
pub fn crc64(bytes: &[u8]) -> u64 {
    const CRC: crc::Crc<u64> = crc::Crc::<u64>::new(&crc::CRC_64_REDIS);
    CRC.checksum(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_redis_check_value() {
        // Redis's crc64 self-test: "123456789" → e9c6d914c4b8d9ca.
        assert_eq!(crc64(b"123456789"), 0xe9c6_d914_c4b8_d9ca);
    }

    #[test]
    fn encodes_the_same_bytes_as_a_real_save() {
        // Real Redis 7.0.15 `SAVE` of {foo: bar, n: 12345} with no replica
        // (ctime and used-mem taken from that file).
        let mut ks = Keyspace::default();
        ks.db_mut(0).put(b"foo".to_vec(), Value::String(b"bar".to_vec()));
        ks.db_mut(0).put(b"n".to_vec(), Value::String(b"12345".to_vec()));
        let info = SaveInfo { ctime_secs: 0x6b07_c5bb, used_mem: 0x000e_5590, repl: None, compression: true };
        let bytes = encode_keyspace(&ks, &info);
        let header = concat!(
            "524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa056374696d65",
            "c2bbc5076bfa08757365642d6d656dc290550e00fa08616f662d62617365c000fe00fb0200",
        );
        // Real Redis wrote `n` before `foo` (dict order); ours is lexicographic.
        let entries = concat!("0003666f6f03626172", "00016ec13930", "ff");
        let expected = hex(&format!("{header}{entries}"));
        assert_eq!(&bytes[..bytes.len() - 8], &expected[..]);
        assert_eq!(bytes[bytes.len() - 8..], crc64(&expected).to_le_bytes());
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.keyspace, ks);
        assert_eq!(decoded.aux_field("redis-ver"), Some(&b"7.0.15"[..]));
    }

    #[test]
    fn server_snapshot_carries_repl_info_once_there_is_a_backlog() {
        let mut server = Server::new("m", crate::config::Config::default(), 7, 1_700_000_000_123);
        server.keyspace.db_mut(2).put(b"k".to_vec(), Value::String(b"v".to_vec()));
        let plain = decode(&encode(&server, 1_700_000_005_000)).unwrap();
        assert_eq!(plain.repl_id(), None);
        assert_eq!(plain.ctime(), Some(1_700_000_005));
        assert_eq!(plain.keyspace, server.keyspace);

        server.repl.create_backlog(1 << 20);
        server.repl.master_repl_offset = 42;
        server.repl.stream_db = Some(2);
        let with_repl = decode(&encode(&server, 1_700_000_005_000)).unwrap();
        assert_eq!(with_repl.repl_id(), Some(server.repl.master_replid.as_str()));
        assert_eq!(with_repl.repl_offset(), Some(42));
        assert_eq!(with_repl.repl_stream_db(), Some(2));
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }
}
