//! # replscope-conformance
//!
//! Real Redis is the specification. This crate runs the same command
//! sequences on `replscope-core` and on a real `redis-server` 7.0 and
//! asserts identical replies (as RESP bytes) and identical replication
//! stream bytes, after removing only what is random or clock-dependent.
//!
//! ## Layout
//! - [`wire`]: RESP2 decoding of replies and of the replication stream
//!   (independent of the core's parser, which is under test).
//! - [`client`]: a blocking RESP2 client over `TcpStream`.
//! - [`real`]: [`real::RealRedis`] (a `redis-server` child on a free port,
//!   shut down on drop; [`real::RealRedisBuilder`] adds settings or a
//!   preloaded `dump.rdb`) and [`real::ReplicaLink`] (a raw replica:
//!   handshake, `PSYNC ? -1`, snapshot, then every propagated byte).
//! - [`core_side`]: the core node configured like the real server.
//! - [`case`]: the `cases/*.redis` file format.
//! - [`normalize`]: every allowed difference, one commented rule each.
//! - [`runner`]: [`runner::run_case`] runs a case on both sides, step by step.
//! - [`report`]: readable diffs and the summary table.
//!
//! Replication (issue 4): [`proxy`] (a fault-injecting TCP proxy per
//! replica → master link), [`real_cluster`] (a replscope scenario played on
//! real servers through those proxies), [`observe`] (per-step results and
//! INFO/ROLE snapshots, core side included) and [`cluster_compare`] (the
//! comparison and its normalisation rules); the suite is
//! `tests/replication_conformance.rs` with `scenarios/*.json`
//! (`REPLSCOPE_REAL_ONLY=1` checks only the real side against its
//! expectations).
//!
//! The suite itself is `tests/conformance.rs`; `CONFORMANCE_CASE=<file>` or
//! `<file>:<line>` runs one file or one case.
//!
//! Every other test that needs a real server lives beside it on the same
//! launcher: `tests/harness.rs` (the harness itself), `tests/rdb_real_redis.rs`
//! (RDB payloads and snapshots) and `tests/backlog_real_redis.rs` (backlog
//! accounting and the PSYNC window). All of them fail, never skip, when
//! `redis-server` is missing.

pub mod case;
pub mod client;
pub mod cluster_compare;
pub mod core_side;
pub mod normalize;
pub mod observe;
pub mod proxy;
pub mod real;
pub mod real_cluster;
pub mod report;
pub mod runner;
pub mod wire;
