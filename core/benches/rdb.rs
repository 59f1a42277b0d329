//! Snapshot encode/decode speed for a keyspace of 1M small keys.
//!
//! This is what a full resync costs the playground: the master encodes its
//! keyspace (`rdb::encode`, which also estimates `used-mem`), the replica
//! decodes it. The keyspace and the encoded file are built once, outside
//! the timed part. `Throughput::Bytes` is the size of the RDB file, so
//! criterion prints MB/s of snapshot produced or consumed.
//!
//! Values are a mix Redis users would recognise: a third integers (stored
//! int-encoded), a third short strings, a third 32-byte strings (long enough
//! for LZF to be tried, with `rdbcompression yes`, the default).

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use replscope_core::config::Config;
use replscope_core::rdb;
use replscope_core::server::Server;

const KEYS: usize = 1_000_000;
const NOW_MS: u64 = 1_700_000_000_000;

/// A master holding `KEYS` keys in db 0, with a backlog so the snapshot
/// carries the `repl-*` aux fields as a full-resync snapshot does.
fn loaded_server() -> Server {
    let mut server = Server::new("bench", Config::default(), 1, NOW_MS);
    server.repl.create_backlog(1 << 20);
    common::fill_strings(server.keyspace.db_mut(0), KEYS);
    server
}

fn rdb_benches(c: &mut Criterion) {
    let server = loaded_server();
    let info = rdb::save_info(&server, NOW_MS);
    let bytes = rdb::encode_keyspace(&server.keyspace, &info);
    // Sanity, outside the timing: the file round-trips.
    let loaded = rdb::decode(&bytes).expect("bench snapshot decodes");
    assert_eq!(loaded.keyspace.total_keys(), KEYS);
    drop(loaded);
    eprintln!("rdb bench: {KEYS} keys, snapshot of {} bytes", bytes.len());
    // For comparing with a real server: `REPLSCOPE_BENCH_RDB_OUT=/tmp/x.rdb`
    // writes the snapshot so `redis-server --dbfilename` can load it.
    if let Some(path) = std::env::var_os("REPLSCOPE_BENCH_RDB_OUT") {
        std::fs::write(&path, &bytes).expect("write REPLSCOPE_BENCH_RDB_OUT");
    }

    let mut group = c.benchmark_group("rdb_1M_keys");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    // Flat sampling: 10 samples of a few runs each, not criterion's 55-run minimum.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(6))
        .warm_up_time(Duration::from_secs(1));
    group.bench_function("encode_keyspace", |b| b.iter(|| rdb::encode_keyspace(black_box(&server.keyspace), &info)));
    group.bench_function("encode", |b| b.iter(|| rdb::encode(black_box(&server), NOW_MS)));
    // The decoded keyspace is freed outside the timing.
    group.bench_function("decode", |b| b.iter_with_large_drop(|| rdb::decode(black_box(&bytes))));
    group.finish();
}

criterion_group!(benches, rdb_benches);
criterion_main!(benches);
