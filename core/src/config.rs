//! Redis configuration parameters that matter to replication, with Redis's
//! names, defaults (7.0) and value syntax (`16kb`, `1mb`, `yes`/`no`).
//!
//! (Skeleton: CONFIG GET/SET parsing and validation are filled in by the
//! server-commands work.)

/// A node's configuration. Defaults are Redis 7.0's, except persistence,
/// which ReplScope turns off (`save ""`, `appendonly no`) unless asked.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub port: u16,
    pub databases: usize,
    pub hz: u32,
    pub repl_backlog_size: u64,
    pub repl_backlog_ttl: u64,
    pub repl_diskless_sync: bool,
    pub repl_diskless_sync_delay: u64,
    pub repl_diskless_sync_max_replicas: u64,
    pub repl_timeout: u64,
    pub repl_ping_replica_period: u64,
    pub replica_read_only: bool,
    pub replica_serve_stale_data: bool,
    pub replica_priority: u64,
    pub min_replicas_to_write: u64,
    pub min_replicas_max_lag: u64,
    pub masterauth: Option<String>,
    pub requirepass: Option<String>,
    /// `client-output-buffer-limit replica <hard> <soft> <soft-seconds>`.
    pub replica_output_buffer_hard: u64,
    pub replica_output_buffer_soft: u64,
    pub replica_output_buffer_soft_seconds: u64,
    pub rdbcompression: bool,
    pub save: String,
    pub appendonly: bool,
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
            repl_timeout: 60,
            repl_ping_replica_period: 10,
            replica_read_only: true,
            replica_serve_stale_data: true,
            replica_priority: 100,
            min_replicas_to_write: 0,
            min_replicas_max_lag: 10,
            masterauth: None,
            requirepass: None,
            replica_output_buffer_hard: 256 * 1024 * 1024,
            replica_output_buffer_soft: 64 * 1024 * 1024,
            replica_output_buffer_soft_seconds: 60,
            rdbcompression: true,
            save: String::new(),
            appendonly: false,
        }
    }
}
