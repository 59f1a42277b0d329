//! # replscope-core
//!
//! The replication engine behind ReplScope: virtual Redis 7.0 nodes as
//! sans-IO state machines. Nothing here reads a clock, opens a socket or uses
//! a global random generator: time goes in as an explicit `now` (virtual unix
//! milliseconds) and randomness comes from a seeded RNG, so the same inputs
//! give the same bytes on native and on wasm.
//!
//! ## Layout
//! - [`resp`]: RESP2 frames, command encoding (the replication stream is just
//!   encoded commands) and incremental parsers.
//! - [`keyspace`]: 16 databases of typed values and their expiry times.
//! - [`commands`]: the command table, one module per command family, and the
//!   [`commands::Ctx`] a command runs in.
//! - [`config`]: Redis configuration parameters with Redis's names and syntax.
//! - [`glob`]: Redis's glob patterns (`CONFIG GET`, `KEYS`).
//! - [`info`]: the `INFO` text, section by section, as Redis 7.0 words it.
//! - [`server`]: one node's state (keyspace, stats, replication IDs and the
//!   stream it feeds) and the propagation rules (SELECT, MULTI/EXEC wrapping).
//! - [`backlog`]: the replication backlog, kept as Redis 7.0 keeps it (a list
//!   of allocator-sized blocks trimmed whole, pinned by lagging replicas).
//! - [`psync`]: the master's answer to `PSYNC`: `+CONTINUE` or `+FULLRESYNC`, and why.
//! - [`rdb`]: Redis 7.0 RDB snapshot encoding and decoding.
//! - [`replication`]: master and replica sides of replication inside a
//!   node: handshake, PSYNC, full syncs, the stream, WAIT, failover, restart.
//! - [`events`]: what a node reports as it works, as serialisable data.
//! - [`net`]: connections, addresses and actions: the vocabulary between a
//!   node and the network that carries its bytes.
//! - [`node`]: [`node::Node`], the sans-IO entry point: commands in, replies
//!   and events out.
//! - [`network`]: the simulated TCP-like network: links with latency,
//!   bandwidth, send windows and faults (cut, partition, crash).
//! - [`sim`]: the simulator: nodes + network + one virtual clock + a seeded
//!   RNG, an ordered event stream and `settle`.
//! - [`scenario`]: the versioned JSON scenario format, its validation and
//!   its step-by-step runner (used by the `replscope` CLI).
//! - [`invariants`]: named replication invariants (convergence, no skipped
//!   or duplicated bytes, offsets never decrease, PSYNC decisions,
//!   min-replicas, determinism) checked by the DST crate and lesson checkpoints.
//! - [`long_double`], [`double`]: float arithmetic and formatting exactly as
//!   Redis does it (x87 long double for INCRBYFLOAT, `d2string` for scores).
//! - [`util`]: number parsing and formatting shared with Redis semantics.
//! - [`workload`]: the client write workload (individual SETs) shared by the
//!   benchmarks, the browser checks and the playground's generator.

pub mod backlog;
pub mod commands;
pub mod config;
pub mod double;
pub mod events;
pub mod expiry;
pub mod glob;
pub mod info;
pub mod invariants;
pub mod keyspace;
pub mod long_double;
pub mod net;
pub mod network;
pub mod node;
pub mod psync;
pub mod rdb;
pub mod replication;
pub mod resp;
pub mod scenario;
pub mod server;
pub mod sim;
pub mod util;
pub mod vec_map;
pub mod workload;

/// The crate version, shown by the UI (and `INFO server` as `replscope_version`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The Redis version ReplScope models.
pub const REDIS_VERSION: &str = "7.0.15";
