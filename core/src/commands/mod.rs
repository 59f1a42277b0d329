//! The command table and the context every command runs in.
//!
//! One module per family, each handler documented with its `# Format`:
//! [`strings`], [`keys`], [`expire`], [`lists`], [`hashes`], [`sets`],
//! [`zsets`], [`server_cmds`] (INFO, CONFIG, ROLE, COMMAND, FLUSH*, SELECT,
//! PING, ECHO) and [`transactions`] (MULTI/EXEC/DISCARD).
//!
//! A handler gets the whole argv (argv[0] is the command name as typed) and
//! returns the reply. A write that changes the dataset calls
//! [`Ctx::propagate`] with exactly the argv Redis 7.0 would feed replicas,
//! after any rewrite (SET EX → SET PXAT, …); a write that changes nothing
//! propagates nothing.

use crate::keyspace::{Db, Value};
use crate::resp::Frame;
use crate::server::Server;

pub mod expire;
pub mod hashes;
pub mod keys;
pub mod lists;
pub mod replication_cmds;
pub mod server_cmds;
pub mod sets;
pub mod strings;
pub mod transactions;
pub mod zsets;

/// Command flags, named after Redis's `CMD_*` flags.
pub mod flags {
    /// May modify the dataset (READONLY on replicas, NOREPLICAS, MULTI).
    pub const WRITE: u32 = 1 << 0;
    /// Only reads.
    pub const READONLY: u32 = 1 << 1;
    /// Allowed while the link to the master is down and
    /// `replica-serve-stale-data no` (Redis's `CMD_STALE`).
    pub const STALE: u32 = 1 << 2;
    /// Administrative (CONFIG, REPLICAOF…).
    pub const ADMIN: u32 = 1 << 3;
    /// Not queued by MULTI; runs immediately (EXEC, DISCARD, MULTI, WATCH).
    pub const NO_MULTI_QUEUE: u32 = 1 << 4;
    /// Refused inside MULTI (`ERR Command not allowed inside a transaction`).
    pub const NO_MULTI: u32 = 1 << 5;
    /// May use more memory (Redis's `CMD_DENYOOM`), informational.
    pub const DENYOOM: u32 = 1 << 6;
    /// Fast O(1)/O(log n) command, informational.
    pub const FAST: u32 = 1 << 7;
    /// Allowed while the node loads a dataset (Redis's `CMD_LOADING`);
    /// other commands get `-LOADING`.
    pub const LOADING: u32 = 1 << 8;
    /// Allowed before AUTH when `requirepass` is set (Redis's `CMD_NO_AUTH`).
    pub const NO_AUTH: u32 = 1 << 9;
}

/// A command handler.
pub type Handler = fn(&mut Ctx, &[Vec<u8>]) -> Frame;

/// One entry of the command table.
pub struct CommandSpec {
    /// Lowercase name, as `COMMAND` and error messages show it.
    pub name: &'static str,
    /// Redis arity: `n` means exactly n arguments including the name; `-n`
    /// means at least n.
    pub arity: i32,
    pub flags: u32,
    pub handler: Handler,
}

impl CommandSpec {
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// True if `argc` satisfies the arity.
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i32;
        if self.arity >= 0 { argc == self.arity } else { argc >= -self.arity }
    }
}

/// Per-connection state a command can see and change.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClientState {
    /// The selected database.
    pub db: usize,
    /// Commands queued after MULTI, or None outside a transaction.
    pub multi: Option<Vec<Vec<Vec<u8>>>>,
    /// Set when a command failed to queue; EXEC then aborts with EXECABORT.
    pub multi_dirty: bool,
    /// AUTH succeeded (only matters with `requirepass`).
    pub authenticated: bool,
}

/// What a running command can touch: the node, its client, and the time.
pub struct Ctx<'a> {
    pub server: &'a mut Server,
    pub client: &'a mut ClientState,
    /// Virtual unix time in milliseconds.
    pub now_ms: u64,
}

impl Ctx<'_> {
    /// The selected database.
    pub fn db(&mut self) -> &mut Db {
        let i = self.client.db;
        self.server.keyspace.db_mut(i)
    }

    /// Queues `argv` for propagation in the selected db.
    pub fn propagate(&mut self, argv: Vec<Vec<u8>>) {
        let db = self.client.db;
        self.server.propagate(Some(db), argv);
    }

    /// Queues a copy of `argv` (typically the command exactly as it came)
    /// for propagation in the selected db, into reused buffers.
    pub fn propagate_argv<A: AsRef<[u8]>>(&mut self, argv: &[A]) {
        let db = self.client.db;
        self.server.propagate_argv(Some(db), argv);
    }

    /// Redis's `expireIfNeeded` for the selected db. Returns true if `key`
    /// is logically expired. On a master the key is deleted and a `DEL` is
    /// propagated; a replica never deletes on its own, it only hides the key
    /// until the master's `DEL` arrives.
    pub fn expire_if_needed(&mut self, key: &[u8]) -> bool {
        let now = self.now_ms;
        if !self.db().is_expired(key, now) {
            return false;
        }
        if self.server.is_replica() {
            // The master client sees keys its own DEL has not reached yet.
            return !self.server.executing_master_stream;
        }
        self.db().remove(key);
        self.server.stats.expired_keys += 1;
        self.propagate(vec![b"DEL".to_vec(), key.to_vec()]);
        true
    }

    /// Looks a key up for reading (`lookupKeyRead`): expired keys are absent.
    /// Every read lookup counts a `keyspace_hits` or `keyspace_misses` (Redis
    /// 7.0 counts them in `lookupKey` for all non-write lookups: GET, EXISTS,
    /// TYPE, TTL, MGET per key, …); write lookups count nothing.
    pub fn lookup_read(&mut self, key: &[u8]) -> Option<&Value> {
        let expired = self.expire_if_needed(key);
        let i = self.client.db;
        let found = !expired && self.server.keyspace.db(i).contains(key);
        if found {
            self.server.stats.keyspace_hits += 1;
        } else {
            self.server.stats.keyspace_misses += 1;
        }
        if found { self.server.keyspace.db(i).get(key) } else { None }
    }

    /// Looks a key up for writing (`lookupKeyWrite`).
    pub fn lookup_write(&mut self, key: &[u8]) -> Option<&mut Value> {
        if self.expire_if_needed(key) {
            return None;
        }
        self.db().get_mut(key)
    }
}

/// Shared error replies, verbatim from Redis 7.0.
pub mod errors {
    pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
    pub const SYNTAX: &str = "ERR syntax error";
    pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
    pub const NOT_FLOAT: &str = "ERR value is not a valid float";
    pub const NO_SUCH_KEY: &str = "ERR no such key";
    pub const READONLY: &str = "READONLY You can't write against a read only replica.";
    pub const NOREPLICAS: &str = "NOREPLICAS Not enough good replicas to write.";
    pub const MASTERDOWN: &str = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

    /// `ERR wrong number of arguments for 'get' command`.
    pub fn wrong_args(name: &str) -> String {
        format!("ERR wrong number of arguments for '{name}' command")
    }
}

/// Every family's table. Each module owns its own `COMMANDS` slice so the
/// families can grow independently; [`table`] merges and sorts them once.
const FAMILIES: &[&[CommandSpec]] = &[
    strings::COMMANDS,
    keys::COMMANDS,
    expire::COMMANDS,
    lists::COMMANDS,
    hashes::COMMANDS,
    sets::COMMANDS,
    zsets::COMMANDS,
    server_cmds::COMMANDS,
    transactions::COMMANDS,
    replication_cmds::COMMANDS,
];

/// All commands sorted by name (built once, then binary-searched).
pub fn table() -> &'static [&'static CommandSpec] {
    static TABLE: std::sync::OnceLock<Vec<&'static CommandSpec>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut all: Vec<&'static CommandSpec> = FAMILIES.iter().flat_map(|f| f.iter()).collect();
        crate::util::sort_by_key(&mut all, |c| c.name);
        all
    })
}

/// Slots of the name index: a power of two, several times the number of
/// commands, so probe chains stay short.
const INDEX_SLOTS: usize = 1024;

/// FNV-1a of a lowercase name: a fixed function, so the index is the same
/// on every run and target.
fn name_hash(lower: &[u8]) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for &b in lower {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h as usize
}

/// The table as an open-addressing hash index by lowercase name (built
/// once): every command a node runs is looked up, so one hash and one
/// comparison beat a binary search of ~8 string comparisons.
fn index() -> &'static [Option<&'static CommandSpec>] {
    static INDEX: std::sync::OnceLock<Vec<Option<&'static CommandSpec>>> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut slots = vec![None; INDEX_SLOTS];
        for &spec in table() {
            let mut i = name_hash(spec.name.as_bytes()) % INDEX_SLOTS;
            while slots[i].is_some() {
                i = (i + 1) % INDEX_SLOTS;
            }
            slots[i] = Some(spec);
        }
        slots
    })
}

/// Finds a command by name, case-insensitively.
pub fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    let mut lower = [0u8; 32];
    if name.len() > lower.len() {
        return None;
    }
    for (d, s) in lower.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    let lower = &lower[..name.len()];
    let index = index();
    let mut i = name_hash(lower) % INDEX_SLOTS;
    while let Some(spec) = index[i] {
        if spec.name.as_bytes() == lower {
            return Some(spec);
        }
        i = (i + 1) % INDEX_SLOTS;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for w in table().windows(2) {
            assert!(w[0].name < w[1].name, "{} must sort before {}", w[0].name, w[1].name);
        }
    }

    #[test]
    fn lookup_is_case_insensitive() {
        assert_eq!(lookup(b"SeT").map(|c| c.name), Some("set"));
        assert!(lookup(b"nosuchcommand").is_none());
        assert!(lookup(b"").is_none());
        assert!(lookup(&[b'x'; 40]).is_none());
    }

    #[test]
    fn lookup_finds_every_command_in_any_case() {
        assert!(table().len() * 2 < INDEX_SLOTS, "grow INDEX_SLOTS");
        for spec in table() {
            assert_eq!(lookup(spec.name.as_bytes()).map(|c| c.name), Some(spec.name));
            assert_eq!(lookup(spec.name.to_ascii_uppercase().as_bytes()).map(|c| c.name), Some(spec.name));
        }
    }
}
