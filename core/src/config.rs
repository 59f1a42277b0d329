//! Redis configuration parameters that matter to replication, with Redis's
//! names, aliases, defaults (7.0), value syntax (`16kb`, `1mb`, `yes`/`no`)
//! and `CONFIG GET` / `CONFIG SET` semantics.
//!
//! Every reply and error string here was observed on Redis 7.0.15:
//! - `CONFIG SET` takes several `name value` pairs and is atomic: first each
//!   name is looked up (unknown, immutable and duplicate names fail), then
//!   every value is parsed, and only if all parse is anything changed.
//! - Names are case-insensitive. Aliases (`slave-read-only` …) are separate
//!   names for the same setting: `CONFIG GET *` lists both, and naming a
//!   setting and its alias in one `CONFIG SET` is not a "duplicate" (the
//!   last one wins).
//! - Some values are normalised after parsing: `hz` is clamped to 1..=500,
//!   `repl-backlog-size` is raised to at least 16384; `CONFIG GET` shows
//!   the normalised value.
//! - `port` is mutable at runtime in Redis 7.0 (the server re-binds), so it
//!   is here too; `databases` is immutable.
//!
//! One deliberate difference: real Redis answers a `CONFIG GET` pattern in
//! hash-table order, which is not reproducible; ReplScope answers in
//! alphabetical order of the (lowercased) parameter name.

use crate::glob::glob_match;
use crate::util::parse_strict_i64;

/// `repl-diskless-load`: how a replica loads the RDB it receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplDisklessLoad {
    /// Write the RDB to disk first (the default).
    Disabled,
    /// Load straight from the socket when the dataset is empty.
    OnEmptyDb,
    /// Load straight from the socket, keeping the old dataset until done.
    Swapdb,
}

const DISKLESS_LOAD_NAMES: &[&str] = &["disabled", "on-empty-db", "swapdb"];

impl ReplDisklessLoad {
    pub fn name(self) -> &'static str {
        DISKLESS_LOAD_NAMES[self as usize]
    }

    fn from_index(i: usize) -> Self {
        match i {
            1 => ReplDisklessLoad::OnEmptyDb,
            2 => ReplDisklessLoad::Swapdb,
            _ => ReplDisklessLoad::Disabled,
        }
    }
}

/// One class of `client-output-buffer-limit <class> <hard> <soft> <seconds>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputBufferLimit {
    pub hard: u64,
    pub soft: u64,
    pub soft_seconds: u64,
}

/// A node's configuration. Defaults are Redis 7.0's, except persistence,
/// which ReplScope turns off (`save ""`, `appendonly no`) unless asked.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub port: u16,
    pub databases: usize,
    /// Already clamped to 1..=500, as Redis does.
    pub hz: u32,
    /// Already raised to at least 16384, as Redis does.
    pub repl_backlog_size: u64,
    pub repl_backlog_ttl: u64,
    pub repl_diskless_sync: bool,
    pub repl_diskless_sync_delay: u64,
    pub repl_diskless_sync_max_replicas: u64,
    pub repl_diskless_load: ReplDisklessLoad,
    pub repl_timeout: u64,
    pub repl_ping_replica_period: u64,
    pub replica_read_only: bool,
    pub replica_serve_stale_data: bool,
    pub replica_priority: u64,
    pub replica_announced: bool,
    pub min_replicas_to_write: u64,
    pub min_replicas_max_lag: u64,
    /// `None` when empty (Redis stores an empty masterauth as NULL).
    pub masterauth: Option<String>,
    pub requirepass: Option<String>,
    /// `client-output-buffer-limit replica <hard> <soft> <soft-seconds>`.
    pub replica_output_buffer_hard: u64,
    pub replica_output_buffer_soft: u64,
    pub replica_output_buffer_soft_seconds: u64,
    /// The `normal` class of `client-output-buffer-limit`.
    pub normal_output_buffer: OutputBufferLimit,
    /// The `pubsub` class of `client-output-buffer-limit`.
    pub pubsub_output_buffer: OutputBufferLimit,
    pub rdbcompression: bool,
    /// Save points in `CONFIG GET` form: `"900 1 300 10"`, or `""` for none.
    pub save: String,
    pub appendonly: bool,
    /// Stored and shown only; ReplScope never evicts.
    pub maxmemory: u64,
    /// `proto-max-bulk-len`: the longest bulk argument a client may send
    /// and the longest string SETRANGE/APPEND may build. At least 1mb, as
    /// in Redis 7.0. The playground lowers it (every node lives in one tab).
    pub proto_max_bulk_len: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 6379,
            databases: 16,
            hz: 10,
            repl_backlog_size: 1024 * 1024,
            repl_backlog_ttl: 3600,
            repl_diskless_sync: true,
            repl_diskless_sync_delay: 5,
            repl_diskless_sync_max_replicas: 0,
            repl_diskless_load: ReplDisklessLoad::Disabled,
            repl_timeout: 60,
            repl_ping_replica_period: 10,
            replica_read_only: true,
            replica_serve_stale_data: true,
            replica_priority: 100,
            replica_announced: true,
            min_replicas_to_write: 0,
            min_replicas_max_lag: 10,
            masterauth: None,
            requirepass: None,
            replica_output_buffer_hard: 256 * 1024 * 1024,
            replica_output_buffer_soft: 64 * 1024 * 1024,
            replica_output_buffer_soft_seconds: 60,
            normal_output_buffer: OutputBufferLimit { hard: 0, soft: 0, soft_seconds: 0 },
            pubsub_output_buffer: OutputBufferLimit { hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, soft_seconds: 60 },
            rdbcompression: true,
            save: String::new(),
            appendonly: false,
            maxmemory: 0,
            proto_max_bulk_len: PROTO_MAX_BULK_LEN_DEFAULT,
        }
    }
}

/// Redis's `CONFIG_MIN_HZ` / `CONFIG_MAX_HZ`.
const MIN_HZ: i64 = 1;
const MAX_HZ: i64 = 500;
/// Redis's `CONFIG_REPL_BACKLOG_MIN_SIZE`.
pub const REPL_BACKLOG_MIN_SIZE: u64 = 16 * 1024;

const INT_MAX: i64 = i32::MAX as i64;

/// `proto-max-bulk-len`'s default in Redis 7.0 (512mb).
pub const PROTO_MAX_BULK_LEN_DEFAULT: u64 = 512 * 1024 * 1024;
/// `proto-max-bulk-len`'s minimum in Redis 7.0 (1mb): `CONFIG SET` refuses less.
pub const PROTO_MAX_BULK_LEN_MIN: u64 = 1024 * 1024;

/// How a parameter's value is written.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// `yes` / `no`, case-insensitive.
    Bool,
    /// A strict decimal integer (Redis's `string2ll`) within a range.
    Int {
        min: i64,
        max: i64,
    },
    /// A memory value (`1mb`, `16kb`, `100`) read as a signed 64-bit number
    /// within a range.
    Memory {
        min: i64,
        max: i64,
    },
    /// A memory value with the whole unsigned 64-bit range (`maxmemory`).
    UMemory,
    Enum(&'static [&'static str]),
    /// Any string.
    Text,
    /// `save "<seconds> <changes> …"`.
    Save,
    /// `client-output-buffer-limit "<class> <hard> <soft> <seconds> …"`.
    OutputBufferLimits,
}

/// One configuration parameter.
struct Param {
    name: &'static str,
    /// The pre-5.0 `slave` spelling Redis 7.0 still accepts.
    alias: Option<&'static str>,
    /// Only settable at startup.
    immutable: bool,
    kind: Kind,
}

const fn p(name: &'static str, alias: Option<&'static str>, kind: Kind) -> Param {
    Param { name, alias, immutable: false, kind }
}

const fn int(min: i64, max: i64) -> Kind {
    Kind::Int { min, max }
}

/// Every parameter ReplScope knows. Ranges are Redis 7.0's.
static PARAMS: &[Param] = &[
    p("appendonly", None, Kind::Bool),
    p("client-output-buffer-limit", None, Kind::OutputBufferLimits),
    Param { name: "databases", alias: None, immutable: true, kind: int(1, INT_MAX) },
    p("hz", None, int(0, INT_MAX)),
    p("masterauth", None, Kind::Text),
    p("maxmemory", None, Kind::UMemory),
    p("min-replicas-max-lag", Some("min-slaves-max-lag"), int(0, INT_MAX)),
    p("min-replicas-to-write", Some("min-slaves-to-write"), int(0, INT_MAX)),
    p("port", None, int(0, 65535)),
    p("proto-max-bulk-len", None, Kind::Memory { min: PROTO_MAX_BULK_LEN_MIN as i64, max: i64::MAX }),
    p("rdbcompression", None, Kind::Bool),
    p("repl-backlog-size", None, Kind::Memory { min: 1, max: i64::MAX }),
    p("repl-backlog-ttl", None, int(0, i64::MAX)),
    p("repl-diskless-load", None, Kind::Enum(DISKLESS_LOAD_NAMES)),
    p("repl-diskless-sync", None, Kind::Bool),
    p("repl-diskless-sync-delay", None, int(0, INT_MAX)),
    p("repl-diskless-sync-max-replicas", None, int(0, INT_MAX)),
    p("repl-ping-replica-period", Some("repl-ping-slave-period"), int(1, INT_MAX)),
    p("repl-timeout", None, int(1, INT_MAX)),
    p("replica-announced", None, Kind::Bool),
    p("replica-priority", Some("slave-priority"), int(0, INT_MAX)),
    p("replica-read-only", Some("slave-read-only"), Kind::Bool),
    p("replica-serve-stale-data", Some("slave-serve-stale-data"), Kind::Bool),
    p("requirepass", None, Kind::Text),
    p("save", None, Kind::Save),
];

/// Finds a parameter by name or alias, case-insensitively.
fn lookup(name: &[u8]) -> Option<&'static Param> {
    PARAMS.iter().find(|p| {
        p.name.as_bytes().eq_ignore_ascii_case(name) || p.alias.is_some_and(|a| a.as_bytes().eq_ignore_ascii_case(name))
    })
}

/// A value that passed validation, ready to be applied.
#[derive(Clone, Debug)]
enum Parsed {
    Bool(bool),
    Int(i64),
    Memory(u64),
    Enum(usize),
    Text(String),
    Save(String),
    /// (class index: 0 normal, 1 replica, 2 pubsub; limit).
    OutputBufferLimits(Vec<(usize, OutputBufferLimit)>),
}

/// `ERR CONFIG SET failed (possibly related to argument 'hz') - <why>`.
fn set_failed(name: &[u8], why: &str) -> String {
    format!("ERR CONFIG SET failed (possibly related to argument '{}') - {why}", String::from_utf8_lossy(name))
}

/// True if a `CONFIG GET` argument is a pattern rather than a name
/// (Redis checks for any of `[*?`).
fn is_pattern(arg: &[u8]) -> bool {
    arg.iter().any(|c| matches!(c, b'[' | b'*' | b'?'))
}

impl Config {
    /// A configuration built like a `redis.conf` or command line: each
    /// `(name, value)` is parsed exactly as `CONFIG SET` would, except that
    /// immutable parameters (`databases`) are allowed. Used by scenario
    /// files. The error is the `CONFIG SET` error text.
    pub fn from_pairs<N: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: &[(N, V)]) -> Result<Config, String> {
        let mut config = Config::default();
        config.set_pairs(pairs, true)?;
        Ok(config)
    }

    /// `CONFIG SET name value [name value …]`: all or nothing. The error is
    /// the complete Redis error text (starting with `ERR`).
    pub fn set<N: AsRef<[u8]>, V: AsRef<[u8]>>(&mut self, pairs: &[(N, V)]) -> Result<(), String> {
        self.set_pairs(pairs, false)
    }

    fn set_pairs<N: AsRef<[u8]>, V: AsRef<[u8]>>(&mut self, pairs: &[(N, V)], startup: bool) -> Result<(), String> {
        // Phase 1: names. Duplicates are the same spelling, case-insensitive
        // (a name and its alias are not duplicates in Redis 7.0.15).
        let mut params = Vec::with_capacity(pairs.len());
        for (i, (name, _)) in pairs.iter().enumerate() {
            let name = name.as_ref();
            let Some(param) = lookup(name) else {
                return Err(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                    String::from_utf8_lossy(name)
                ));
            };
            if param.immutable && !startup {
                return Err(set_failed(name, "can't set immutable config"));
            }
            if pairs[..i].iter().any(|(earlier, _)| earlier.as_ref().eq_ignore_ascii_case(name)) {
                return Err(set_failed(name, "duplicate parameter"));
            }
            params.push(param);
        }
        // Phase 2: values, all parsed before anything changes.
        let mut parsed = Vec::with_capacity(pairs.len());
        for ((name, value), param) in pairs.iter().zip(&params) {
            let value = parse_value(param.kind, value.as_ref()).map_err(|why| set_failed(name.as_ref(), why))?;
            parsed.push(value);
        }
        // Phase 3: apply, in order (so a name and its alias: last wins).
        for (param, value) in params.into_iter().zip(parsed) {
            self.apply(param.name, value);
        }
        Ok(())
    }

    fn apply(&mut self, name: &str, value: Parsed) {
        // Parsing already enforced each parameter's range, so the
        // conversions below cannot truncate.
        let num = |v: &Parsed| match v {
            Parsed::Int(n) => *n as u64,
            Parsed::Memory(n) => *n,
            _ => 0,
        };
        let n = num(&value);
        let flag = matches!(value, Parsed::Bool(true));
        match (name, value) {
            ("appendonly", _) => self.appendonly = flag,
            ("client-output-buffer-limit", Parsed::OutputBufferLimits(limits)) => {
                for (class, limit) in limits {
                    match class {
                        0 => self.normal_output_buffer = limit,
                        1 => {
                            self.replica_output_buffer_hard = limit.hard;
                            self.replica_output_buffer_soft = limit.soft;
                            self.replica_output_buffer_soft_seconds = limit.soft_seconds;
                        }
                        _ => self.pubsub_output_buffer = limit,
                    }
                }
            }
            ("databases", _) => self.databases = n as usize,
            ("hz", Parsed::Int(v)) => self.hz = v.clamp(MIN_HZ, MAX_HZ) as u32,
            ("masterauth", Parsed::Text(s)) => self.masterauth = Some(s).filter(|s| !s.is_empty()),
            ("maxmemory", _) => self.maxmemory = n,
            ("min-replicas-max-lag", _) => self.min_replicas_max_lag = n,
            ("min-replicas-to-write", _) => self.min_replicas_to_write = n,
            ("port", _) => self.port = n as u16,
            ("proto-max-bulk-len", _) => self.proto_max_bulk_len = n,
            ("rdbcompression", _) => self.rdbcompression = flag,
            ("repl-backlog-size", _) => self.repl_backlog_size = n.max(REPL_BACKLOG_MIN_SIZE),
            ("repl-backlog-ttl", _) => self.repl_backlog_ttl = n,
            ("repl-diskless-load", Parsed::Enum(i)) => self.repl_diskless_load = ReplDisklessLoad::from_index(i),
            ("repl-diskless-sync", _) => self.repl_diskless_sync = flag,
            ("repl-diskless-sync-delay", _) => self.repl_diskless_sync_delay = n,
            ("repl-diskless-sync-max-replicas", _) => self.repl_diskless_sync_max_replicas = n,
            ("repl-ping-replica-period", _) => self.repl_ping_replica_period = n,
            ("repl-timeout", _) => self.repl_timeout = n,
            ("replica-announced", _) => self.replica_announced = flag,
            ("replica-priority", _) => self.replica_priority = n,
            ("replica-read-only", _) => self.replica_read_only = flag,
            ("replica-serve-stale-data", _) => self.replica_serve_stale_data = flag,
            ("requirepass", Parsed::Text(s)) => self.requirepass = Some(s).filter(|s| !s.is_empty()),
            ("save", Parsed::Save(s)) => self.save = s,
            _ => {}
        }
    }

    /// The current value of a parameter (by canonical name) as `CONFIG GET`
    /// shows it.
    fn value_of(&self, name: &str) -> String {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
        match name {
            "appendonly" => yes_no(self.appendonly),
            "client-output-buffer-limit" => {
                let r = OutputBufferLimit {
                    hard: self.replica_output_buffer_hard,
                    soft: self.replica_output_buffer_soft,
                    soft_seconds: self.replica_output_buffer_soft_seconds,
                };
                let class =
                    |name: &str, l: OutputBufferLimit| format!("{name} {} {} {}", l.hard, l.soft, l.soft_seconds);
                format!(
                    "{} {} {}",
                    class("normal", self.normal_output_buffer),
                    class("slave", r),
                    class("pubsub", self.pubsub_output_buffer)
                )
            }
            "databases" => self.databases.to_string(),
            "hz" => self.hz.to_string(),
            "masterauth" => self.masterauth.clone().unwrap_or_default(),
            "maxmemory" => self.maxmemory.to_string(),
            "min-replicas-max-lag" => self.min_replicas_max_lag.to_string(),
            "min-replicas-to-write" => self.min_replicas_to_write.to_string(),
            "port" => self.port.to_string(),
            "proto-max-bulk-len" => self.proto_max_bulk_len.to_string(),
            "rdbcompression" => yes_no(self.rdbcompression),
            "repl-backlog-size" => self.repl_backlog_size.to_string(),
            "repl-backlog-ttl" => self.repl_backlog_ttl.to_string(),
            "repl-diskless-load" => self.repl_diskless_load.name().to_string(),
            "repl-diskless-sync" => yes_no(self.repl_diskless_sync),
            "repl-diskless-sync-delay" => self.repl_diskless_sync_delay.to_string(),
            "repl-diskless-sync-max-replicas" => self.repl_diskless_sync_max_replicas.to_string(),
            "repl-ping-replica-period" => self.repl_ping_replica_period.to_string(),
            "repl-timeout" => self.repl_timeout.to_string(),
            "replica-announced" => yes_no(self.replica_announced),
            "replica-priority" => self.replica_priority.to_string(),
            "replica-read-only" => yes_no(self.replica_read_only),
            "replica-serve-stale-data" => yes_no(self.replica_serve_stale_data),
            "requirepass" => self.requirepass.clone().unwrap_or_default(),
            "save" => self.save.clone(),
            _ => String::new(),
        }
    }

    /// `CONFIG GET <pattern>` for one argument: a plain name (matched
    /// case-insensitively and echoed as typed) or a glob matched
    /// case-insensitively against every name and alias. Sorted by name.
    pub fn get(&self, pattern: &[u8]) -> Vec<(String, String)> {
        self.get_many(&[pattern])
    }

    /// `CONFIG GET <pattern> [<pattern> …]` (Redis 7.0): the union of every
    /// argument's matches, each parameter name once (case-insensitive;
    /// the first spelling wins), sorted by lowercased name.
    pub fn get_many<P: AsRef<[u8]>>(&self, patterns: &[P]) -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = Vec::new();
        let add = |shown: String, canonical: &str, found: &mut Vec<(String, String)>| {
            if !found.iter().any(|(n, _)| n.eq_ignore_ascii_case(&shown)) {
                found.push((shown, self.value_of(canonical)));
            }
        };
        for pattern in patterns {
            let pattern = pattern.as_ref();
            if !is_pattern(pattern) {
                if let Some(param) = lookup(pattern) {
                    add(String::from_utf8_lossy(pattern).into_owned(), param.name, &mut found);
                }
                continue;
            }
            for param in PARAMS {
                for name in std::iter::once(param.name).chain(param.alias) {
                    if glob_match(pattern, name.as_bytes(), true) {
                        add(name.to_string(), param.name, &mut found);
                    }
                }
            }
        }
        crate::util::sort_by_key(&mut found, |(name, _)| name.to_ascii_lowercase());
        found
    }

    /// `repl-ping-replica-period` in milliseconds.
    pub fn repl_ping_replica_period_ms(&self) -> u64 {
        self.repl_ping_replica_period.saturating_mul(1000)
    }

    /// `proto-max-bulk-len` as the signed number Redis compares lengths
    /// with (parsing keeps it ≤ `i64::MAX`; a field set directly past that
    /// means "no limit").
    pub fn proto_max_bulk_len_i64(&self) -> i64 {
        i64::try_from(self.proto_max_bulk_len).unwrap_or(i64::MAX)
    }
}

/// Parses one value for a parameter of `kind`; the error is the reason
/// Redis gives after `- `.
fn parse_value(kind: Kind, value: &[u8]) -> Result<Parsed, &'static str> {
    match kind {
        Kind::Bool => {
            if value.eq_ignore_ascii_case(b"yes") {
                Ok(Parsed::Bool(true))
            } else if value.eq_ignore_ascii_case(b"no") {
                Ok(Parsed::Bool(false))
            } else {
                Err("argument must be 'yes' or 'no'")
            }
        }
        Kind::Int { min, max } => {
            let n = parse_strict_i64(value).ok_or("argument couldn't be parsed into an integer")?;
            check_range(n, min, max)?;
            Ok(Parsed::Int(n))
        }
        Kind::Memory { min, max } => {
            let n = parse_memory(value).ok_or("argument must be a memory value")?;
            // Redis stores the unsigned result in a `long long`: huge values
            // wrap negative and fail the range check.
            check_range(n as i64, min, max)?;
            Ok(Parsed::Memory(n))
        }
        Kind::UMemory => Ok(Parsed::Memory(parse_memory(value).ok_or("argument must be a memory value")?)),
        Kind::Enum(names) => names
            .iter()
            .position(|n| n.as_bytes().eq_ignore_ascii_case(value))
            .map(Parsed::Enum)
            .ok_or("argument(s) must be one of the following: disabled, on-empty-db, swapdb"),
        Kind::Text => Ok(Parsed::Text(String::from_utf8_lossy(value).into_owned())),
        Kind::Save => parse_save(value).map(Parsed::Save),
        Kind::OutputBufferLimits => parse_output_buffer_limits(value).map(Parsed::OutputBufferLimits),
    }
}

fn check_range(n: i64, min: i64, max: i64) -> Result<(), &'static str> {
    if n < min || n > max {
        // The message names the range; the few ranges in use are listed so
        // the error stays a `&'static str`.
        return Err(match (min, max) {
            (0, INT_MAX) => "argument must be between 0 and 2147483647 inclusive",
            (1, INT_MAX) => "argument must be between 1 and 2147483647 inclusive",
            (0, 65535) => "argument must be between 0 and 65535 inclusive",
            (0, i64::MAX) => "argument must be between 0 and 9223372036854775807 inclusive",
            (1048576, i64::MAX) => "argument must be between 1048576 and 9223372036854775807 inclusive",
            _ => "argument must be between 1 and 9223372036854775807 inclusive",
        });
    }
    Ok(())
}

/// Redis's `memtoull`: decimal digits followed by an optional unit (`b`,
/// `k`=1000, `kb`=1024, `m`, `mb`, `g`, `gb`, case-insensitive). No sign,
/// no spaces. Quirks kept from Redis: an empty number is 0 (`""`, `"kb"`),
/// an overflowing number saturates, and the multiplication wraps.
pub fn parse_memory(value: &[u8]) -> Option<u64> {
    let digits = value.iter().position(|c| !c.is_ascii_digit()).unwrap_or(value.len());
    let unit = &value[digits..];
    let mul: u64 = match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits >= 128 {
        return None;
    }
    let n = value[..digits].iter().fold(0u64, |acc, d| acc.saturating_mul(10).saturating_add(u64::from(d - b'0')));
    Some(n.wrapping_mul(mul))
}

/// C's `strtoll` as Redis uses it for `save` and buffer-limit seconds:
/// leading whitespace, an optional sign, digits (saturating); `None` if
/// anything but digits follows. An empty string is 0.
fn strtoll_whole(s: &[u8]) -> Option<i64> {
    let mut i = s.iter().position(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)).unwrap_or(s.len());
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits = &s[i..];
    if digits.is_empty() {
        // strtoll consumed nothing: the end pointer is the start, so only
        // an empty string counts as a (zero) number.
        return if s.is_empty() { Some(0) } else { None };
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: i64 = 0;
    for d in digits {
        let d = i64::from(d - b'0');
        n = if neg { n.saturating_mul(10).saturating_sub(d) } else { n.saturating_mul(10).saturating_add(d) };
    }
    Some(n)
}

/// Splits a multi-value config like Redis's `sdssplitlen(value, " ")`:
/// every single space separates, so double spaces make empty words, and an
/// empty string has no words at all.
fn split_words(value: &[u8]) -> Vec<&[u8]> {
    if value.is_empty() { Vec::new() } else { value.split(|&c| c == b' ').collect() }
}

/// `save "<seconds> <changes> …"`: an even number of words, seconds ≥ 1,
/// changes ≥ 0. Returns the canonical `CONFIG GET` text.
fn parse_save(value: &[u8]) -> Result<String, &'static str> {
    const INVALID: &str = "Invalid save parameters";
    let words = split_words(value);
    if !words.len().is_multiple_of(2) {
        return Err(INVALID);
    }
    let mut points = Vec::new();
    for pair in words.chunks(2) {
        let seconds = strtoll_whole(pair[0]).filter(|&s| s >= 1).ok_or(INVALID)?;
        let changes = strtoll_whole(pair[1]).filter(|&c| c >= 0).ok_or(INVALID)?;
        // Redis keeps `changes` in a C int.
        points.push(format!("{seconds} {}", changes as i32));
    }
    Ok(points.join(" "))
}

/// `client-output-buffer-limit "<class> <hard> <soft> <seconds> …"`,
/// classes `normal`, `slave`/`replica`, `pubsub`. All groups are checked
/// before any applies.
fn parse_output_buffer_limits(value: &[u8]) -> Result<Vec<(usize, OutputBufferLimit)>, &'static str> {
    let words = split_words(value);
    if !words.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.");
    }
    let mut limits = Vec::new();
    for group in words.chunks(4) {
        let class = match group[0].to_ascii_lowercase().as_slice() {
            b"normal" => 0,
            b"slave" | b"replica" => 1,
            b"pubsub" => 2,
            _ => return Err("Invalid client class specified in buffer limit configuration."),
        };
        const BAD: &str = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
        let hard = parse_memory(group[1]).ok_or(BAD)?;
        let soft = parse_memory(group[2]).ok_or(BAD)?;
        let soft_seconds = strtoll_whole(group[3]).filter(|&s| s >= 0).ok_or(BAD)?;
        limits.push((class, OutputBufferLimit { hard, soft, soft_seconds: soft_seconds as u64 }));
    }
    Ok(limits)
}

#[cfg(test)]
mod tests {
    //! Expected values observed on Redis 7.0.15 (`CONFIG SET` / `CONFIG GET`
    //! against a real `redis-server`).
    use super::*;

    fn set(c: &mut Config, pairs: &[(&str, &str)]) -> Result<(), String> {
        c.set(pairs)
    }

    fn get1(c: &Config, name: &str) -> String {
        let v = c.get(name.as_bytes());
        assert_eq!(v.len(), 1, "{name}: {v:?}");
        v[0].1.clone()
    }

    #[test]
    fn defaults_as_config_get_shows_them() {
        let c = Config { port: 17200, ..Config::default() };
        for (name, value) in [
            ("port", "17200"),
            ("databases", "16"),
            ("hz", "10"),
            ("repl-backlog-size", "1048576"),
            ("repl-backlog-ttl", "3600"),
            ("repl-diskless-sync", "yes"),
            ("repl-diskless-sync-delay", "5"),
            ("repl-diskless-sync-max-replicas", "0"),
            ("repl-diskless-load", "disabled"),
            ("repl-timeout", "60"),
            ("repl-ping-replica-period", "10"),
            ("replica-read-only", "yes"),
            ("replica-serve-stale-data", "yes"),
            ("replica-priority", "100"),
            ("replica-announced", "yes"),
            ("min-replicas-to-write", "0"),
            ("min-replicas-max-lag", "10"),
            ("masterauth", ""),
            ("requirepass", ""),
            ("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
            ("save", ""),
            ("appendonly", "no"),
            ("rdbcompression", "yes"),
            ("maxmemory", "0"),
            ("proto-max-bulk-len", "536870912"),
            ("slave-read-only", "yes"),
            ("slave-serve-stale-data", "yes"),
            ("min-slaves-to-write", "0"),
            ("min-slaves-max-lag", "10"),
            ("slave-priority", "100"),
            ("repl-ping-slave-period", "10"),
        ] {
            assert_eq!(get1(&c, name), value, "{name}");
        }
    }

    #[test]
    fn get_patterns_names_and_aliases() {
        let c = Config::default();
        // A plain name is echoed as typed.
        assert_eq!(c.get(b"HZ"), vec![("HZ".into(), "10".into())]);
        assert_eq!(c.get(b"H?"), vec![("hz".into(), "10".into())]);
        assert_eq!(
            c.get(b"*read-only"),
            vec![("replica-read-only".into(), "yes".into()), ("slave-read-only".into(), "yes".into())]
        );
        assert_eq!(c.get(b"*Slave-Read*"), vec![("slave-read-only".into(), "yes".into())]);
        assert_eq!(c.get(b"nosuch"), vec![]);
        assert_eq!(c.get_many(&["hz", "HZ"]), vec![("hz".into(), "10".into())]);
        assert_eq!(c.get_many(&["Hz", "hZ"]), vec![("Hz".into(), "10".into())]);
        assert_eq!(c.get_many(&["nosuch", "hz"]), vec![("hz".into(), "10".into())]);
        assert_eq!(
            c.get_many(&["slave-read-only", "replica-read-only", "hz"]).into_iter().map(|(n, _)| n).collect::<Vec<_>>(),
            vec!["hz", "replica-read-only", "slave-read-only"]
        );
    }

    #[test]
    fn set_errors_verbatim() {
        let mut c = Config::default();
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("nosuch", "1")], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
            (
                &[("databases", "3")],
                "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
            ),
            (
                &[("hz", "abc")],
                "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
            ),
            (
                &[("hz", "+5")],
                "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
            ),
            (
                &[("hz", "-1")],
                "ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between 0 and 2147483647 inclusive",
            ),
            (
                &[("port", "-1")],
                "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive",
            ),
            (
                &[("repl-timeout", "0")],
                "ERR CONFIG SET failed (possibly related to argument 'repl-timeout') - argument must be between 1 and 2147483647 inclusive",
            ),
            (
                &[("repl-backlog-ttl", "-1")],
                "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-ttl') - argument must be between 0 and 9223372036854775807 inclusive",
            ),
            (
                &[("replica-read-only", "maybe")],
                "ERR CONFIG SET failed (possibly related to argument 'replica-read-only') - argument must be 'yes' or 'no'",
            ),
            (
                &[("replica-read-only", "1")],
                "ERR CONFIG SET failed (possibly related to argument 'replica-read-only') - argument must be 'yes' or 'no'",
            ),
            (
                &[("repl-backlog-size", "abc")],
                "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be a memory value",
            ),
            (
                &[("repl-backlog-size", "1.5mb")],
                "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be a memory value",
            ),
            (
                &[("repl-backlog-size", "-1")],
                "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be a memory value",
            ),
            (
                &[("repl-backlog-size", " 20000")],
                "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be a memory value",
            ),
            (
                &[("repl-backlog-size", "0")],
                "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be between 1 and 9223372036854775807 inclusive",
            ),
            (
                &[("repl-backlog-size", "")],
                "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be between 1 and 9223372036854775807 inclusive",
            ),
            (
                &[("repl-backlog-size", "99999999999999999999")],
                "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be between 1 and 9223372036854775807 inclusive",
            ),
            (
                &[("maxmemory", "-1")],
                "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
            ),
            (
                &[("repl-diskless-load", "foo")],
                "ERR CONFIG SET failed (possibly related to argument 'repl-diskless-load') - argument(s) must be one of the following: disabled, on-empty-db, swapdb",
            ),
            (
                &[("hz", "20"), ("hz", "30")],
                "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter",
            ),
            (
                &[("hz", "20"), ("HZ", "30")],
                "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter",
            ),
            (
                &[("hz", "x"), ("databases", "4")],
                "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
            ),
            (&[("nosuch", "1"), ("hz", "x")], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
            (&[("hz", "x"), ("nosuch", "1")], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
            (
                &[("hz", "x"), ("replica-read-only", "maybe")],
                "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
            ),
            (
                &[("save", "abc")],
                "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
            ),
            (
                &[("save", "10")],
                "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
            ),
            (
                &[("save", "0 0")],
                "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
            ),
            (
                &[("save", "900 1  300 10")],
                "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
            ),
            (&[("save", " ")], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"),
            (
                &[("client-output-buffer-limit", "foo 1 2 3")],
                "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration.",
            ),
            (
                &[("client-output-buffer-limit", "slave 1 2")],
                "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration.",
            ),
            (
                &[("client-output-buffer-limit", "slave x 2 3")],
                "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration.",
            ),
            (
                &[("client-output-buffer-limit", "slave 1 2 -3")],
                "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration.",
            ),
            (
                &[("client-output-buffer-limit", "slave 1 2 3 foo 4 5 6")],
                "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration.",
            ),
        ];
        for (pairs, err) in cases {
            assert_eq!(set(&mut c, pairs), Err(err.to_string()), "{pairs:?}");
        }
        // Nothing changed: every failing CONFIG SET is atomic.
        assert_eq!(c, Config::default());
        assert!(set(&mut c, &[("hz", "20"), ("nosuch", "1")]).is_err());
        assert_eq!(get1(&c, "hz"), "10");
    }

    #[test]
    fn set_normalises_like_redis() {
        let mut c = Config::default();
        let mut check = |name: &str, value: &str, shown: &str| {
            assert_eq!(set(&mut c, &[(name, value)]), Ok(()), "{name} {value}");
            assert_eq!(get1(&c, name), shown, "{name} {value}");
        };
        check("hz", "0", "1");
        check("hz", "600", "500");
        check("repl-backlog-size", "1000", "16384");
        check("repl-backlog-size", "1b", "16384");
        check("repl-backlog-size", "16kb", "16384");
        check("repl-backlog-size", "17000b", "17000");
        check("repl-backlog-size", "20000K", "20000000");
        check("repl-backlog-size", "020000", "20000");
        check("repl-backlog-size", "1MB", "1048576");
        check("repl-backlog-size", "1m", "1000000");
        check("repl-backlog-size", "1g", "1000000000");
        check("repl-backlog-size", "1gb", "1073741824");
        check("repl-backlog-size", "9223372036854775807", "9223372036854775807");
        check("maxmemory", "100mb", "104857600");
        check("maxmemory", "18446744073709551616", "18446744073709551615");
        check("maxmemory", "20000000000000000000kb", "18446744073709550592");
        check("repl-diskless-load", "SWAPDB", "swapdb");
        check("replica-read-only", "NO", "no");
        check("slave-read-only", "Yes", "yes");
        check("save", "900 1 300 10", "900 1 300 10");
        check("save", "+10 01", "10 1");
        check("save", "10 ", "10 0");
        check("save", "", "");
        check("masterauth", "abc", "abc");
        check("masterauth", "", "");
        check(
            "client-output-buffer-limit",
            "replica 1mb 2mb 30",
            "normal 0 0 0 slave 1048576 2097152 30 pubsub 33554432 8388608 60",
        );
        check(
            "client-output-buffer-limit",
            "SLAVE 1G 2k 03",
            "normal 0 0 0 slave 1000000000 2000 3 pubsub 33554432 8388608 60",
        );
        check(
            "client-output-buffer-limit",
            "slave 1 2 3 slave 4 5 6",
            "normal 0 0 0 slave 4 5 6 pubsub 33554432 8388608 60",
        );
        check("port", "1234", "1234");
    }

    /// Every boundary and error of `proto-max-bulk-len`, as Redis 7.0.15
    /// answered them (minimum 1mb, a signed 64-bit memory value).
    #[test]
    fn proto_max_bulk_len_boundaries() {
        let mut c = Config::default();
        const RANGE: &str = "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive";
        const MEMORY: &str = "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be a memory value";
        for (value, err) in [
            ("1048575", RANGE),
            ("0", RANGE),
            ("", RANGE),
            ("1k", RANGE),
            ("9223372036854775808", RANGE),
            ("99999999999999999999", RANGE),
            ("18446744073709551615", RANGE),
            ("-1", MEMORY),
            ("abc", MEMORY),
            ("1.5mb", MEMORY),
            (" 1mb", MEMORY),
        ] {
            assert_eq!(set(&mut c, &[("proto-max-bulk-len", value)]), Err(err.to_string()), "{value:?}");
        }
        assert_eq!(c, Config::default());
        for (value, shown) in [
            ("1mb", "1048576"),
            ("1048576", "1048576"),
            ("1048576b", "1048576"),
            ("1024kb", "1048576"),
            ("8mb", "8388608"),
            ("2gb", "2147483648"),
            ("9223372036854775807", "9223372036854775807"),
        ] {
            assert_eq!(set(&mut c, &[("PROTO-MAX-BULK-LEN", value)]), Ok(()), "{value}");
            assert_eq!(get1(&c, "proto-max-bulk-len"), shown, "{value}");
        }
        assert_eq!(c.get(b"proto*"), vec![("proto-max-bulk-len".into(), "9223372036854775807".into())]);
        let c = Config::from_pairs(&[("proto-max-bulk-len", "8mb")]).unwrap();
        assert_eq!((c.proto_max_bulk_len, c.proto_max_bulk_len_i64()), (8 << 20, 8 << 20));
    }

    #[test]
    fn several_pairs_and_aliases() {
        let mut c = Config::default();
        assert_eq!(set(&mut c, &[("slave-read-only", "no"), ("replica-read-only", "yes")]), Ok(()));
        assert!(c.replica_read_only);
        assert_eq!(set(&mut c, &[("replica-read-only", "no"), ("slave-read-only", "yes")]), Ok(()));
        assert!(c.replica_read_only);
        assert_eq!(set(&mut c, &[("min-slaves-to-write", "2"), ("repl-ping-slave-period", "3")]), Ok(()));
        assert_eq!((c.min_replicas_to_write, c.repl_ping_replica_period), (2, 3));
    }

    #[test]
    fn from_pairs_allows_immutable() {
        let c = Config::from_pairs(&[("databases", "4"), ("repl-diskless-sync", "no"), ("port", "7000")]).unwrap();
        assert_eq!((c.databases, c.repl_diskless_sync, c.port), (4, false, 7000));
        assert_eq!(
            Config::from_pairs(&[("hz", "x")]),
            Err("ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer".into())
        );
    }
}
