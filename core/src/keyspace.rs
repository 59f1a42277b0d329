//! The keyspace: 16 numbered databases of typed values with optional expiry.
//!
//! Ordering is part of the contract. Real Redis iterates hash tables in an
//! order that depends on a per-process random seed; ReplScope must be
//! deterministic, so it picks an order and documents it:
//! - keys (KEYS, RDB snapshots, active expiry): byte-wise lexicographic order;
//! - hash fields: insertion order, which is exactly what Redis 7.0 shows for
//!   small (listpack-encoded) hashes;
//! - set members: numeric order when every member is an integer (Redis's
//!   intset encoding does the same), otherwise insertion order;
//! - sorted sets: by score, then member, as in Redis.
//!
//! Expiry bookkeeping lives here; the *policy* (a master deletes an expired key
//! and propagates `DEL`, a replica only hides it) lives in [`crate::commands::Ctx`].

use std::collections::{BTreeMap, VecDeque};

use indexmap::{IndexMap, IndexSet};

pub mod zset;

pub use zset::SortedSet;

/// Redis has 16 databases unless `databases` is configured otherwise.
pub const DEFAULT_DATABASES: usize = 16;

/// A typed value stored under a key.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A binary-safe string (also used for integers and floats, as in Redis).
    String(Vec<u8>),
    List(VecDeque<Vec<u8>>),
    /// Field → value, in insertion order (see the module docs).
    Hash(IndexMap<Vec<u8>, Vec<u8>>),
    /// Members in insertion order; see [`set_members_in_reply_order`].
    Set(IndexSet<Vec<u8>>),
    ZSet(SortedSet),
}

impl Value {
    /// The name `TYPE` replies with.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
        }
    }
}

/// The members of a set in the order SMEMBERS, SPOP and RDB snapshots use:
/// numeric order when all members are integers that fit an intset (at most
/// `set-max-intset-entries`, 512 by default), else insertion order.
pub fn set_members_in_reply_order(set: &IndexSet<Vec<u8>>) -> Vec<&Vec<u8>> {
    const SET_MAX_INTSET_ENTRIES: usize = 512;
    if set.len() <= SET_MAX_INTSET_ENTRIES {
        let ints: Option<Vec<(i64, &Vec<u8>)>> =
            set.iter().map(|m| crate::util::parse_strict_i64(m).map(|n| (n, m))).collect();
        if let Some(mut ints) = ints {
            crate::util::sort_by_key(&mut ints, |(n, _)| *n);
            return ints.into_iter().map(|(_, m)| m).collect();
        }
    }
    set.iter().collect()
}

/// One database: keys to values, and keys to absolute expiry times (unix ms).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Db {
    entries: BTreeMap<Vec<u8>, Value>,
    expires: BTreeMap<Vec<u8>, u64>,
}

impl Db {
    /// The value stored at `key`, ignoring expiry (callers decide whether an
    /// expired key is visible: see `Ctx::lookup_read`).
    pub fn get(&self, key: &[u8]) -> Option<&Value> {
        self.entries.get(key)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Value> {
        self.entries.get_mut(key)
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.entries.contains_key(key)
    }

    /// Stores `value` at `key` like Redis's `setKey`: an existing TTL is
    /// discarded unless `keep_ttl` (SET … KEEPTTL).
    pub fn set(&mut self, key: Vec<u8>, value: Value, keep_ttl: bool) {
        if !keep_ttl {
            self.expires.remove(&key);
        }
        self.entries.insert(key, value);
    }

    /// Adds a new key or replaces a value *in place*, keeping any TTL (what
    /// LPUSH, HSET, APPEND… do to an existing key).
    pub fn put(&mut self, key: Vec<u8>, value: Value) {
        self.entries.insert(key, value);
    }

    /// Removes `key` and its TTL; returns the value if there was one.
    pub fn remove(&mut self, key: &[u8]) -> Option<Value> {
        self.expires.remove(key);
        self.entries.remove(key)
    }

    /// The absolute expiry time of `key` in unix ms, if it has one.
    pub fn expire_at(&self, key: &[u8]) -> Option<u64> {
        self.expires.get(key).copied()
    }

    /// Sets the absolute expiry time of an existing key. Returns false (and
    /// does nothing) if the key does not exist.
    pub fn set_expire(&mut self, key: &[u8], when_ms: u64) -> bool {
        if !self.entries.contains_key(key) {
            return false;
        }
        self.expires.insert(key.to_vec(), when_ms);
        true
    }

    /// Removes the TTL of `key`; true if it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        self.expires.remove(key).is_some()
    }

    /// True if `key` has a TTL that is at or before `now_ms`. Redis treats a
    /// key whose expiry time equals now as still alive (`now > when`).
    pub fn is_expired(&self, key: &[u8], now_ms: u64) -> bool {
        matches!(self.expires.get(key), Some(&when) if now_ms > when)
    }

    /// Number of keys, including logically expired ones (like `DBSIZE`).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of keys with a TTL (the `expires=` field of INFO keyspace).
    pub fn expires_len(&self) -> usize {
        self.expires.len()
    }

    /// Keys and values in lexicographic key order.
    pub fn iter(&self) -> impl Iterator<Item = (&Vec<u8>, &Value)> {
        self.entries.iter()
    }

    /// Keys with TTLs, in key order.
    pub fn expires(&self) -> impl Iterator<Item = (&Vec<u8>, u64)> {
        self.expires.iter().map(|(k, w)| (k, *w))
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.expires.clear();
    }
}

/// All databases of one node.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyspace {
    dbs: Vec<Db>,
}

impl Default for Keyspace {
    fn default() -> Self {
        Self::new(DEFAULT_DATABASES)
    }
}

impl Keyspace {
    pub fn new(databases: usize) -> Self {
        Keyspace { dbs: vec![Db::default(); databases] }
    }

    pub fn db(&self, index: usize) -> &Db {
        &self.dbs[index]
    }

    pub fn db_mut(&mut self, index: usize) -> &mut Db {
        &mut self.dbs[index]
    }

    /// Number of databases (valid SELECT indexes are `0..count`).
    pub fn count(&self) -> usize {
        self.dbs.len()
    }

    pub fn dbs(&self) -> impl Iterator<Item = (usize, &Db)> {
        self.dbs.iter().enumerate()
    }

    /// Empties every database (FLUSHALL, or a replica loading a snapshot).
    pub fn flush_all(&mut self) {
        for db in &mut self.dbs {
            db.clear();
        }
    }

    /// Total keys across databases.
    pub fn total_keys(&self) -> usize {
        self.dbs.iter().map(Db::len).sum()
    }
}
