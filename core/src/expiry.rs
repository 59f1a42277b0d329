//! Active expiry: how a master deletes expired keys nobody touches.
//!
//! Redis finds expired keys two ways. Lazily, when a command looks a key up
//! ([`crate::commands::Ctx::expire_if_needed`]). And actively, in
//! `activeExpireCycle`, run from `serverCron` (`hz` times a second) and
//! before sleeping: it samples keys that have a TTL and deletes the
//! expired ones. Replicas never do either on their own: they wait for the
//! master's `DEL`, so both sides stay identical.
//!
//! Real Redis samples keys at random and stops after a time budget. That is
//! not reproducible, so ReplScope uses a deterministic rule with a similar
//! bound: per call and per database, expired keys are deleted in order of
//! expiry time, then key, at most [`KEYS_PER_LOOP`] per loop, looping while
//! a loop found a full batch, for at most [`MAX_LOOPS`] loops (so at most
//! 320 keys per database per call); the rest wait for the next call.
//!
//! Each deletion is propagated as its own bare `DEL key`, never wrapped in
//! MULTI/EXEC: that is what real Redis 7.0.15 emits when its cycle expires
//! several keys at once (observed on a replication stream, one `SELECT`
//! per database switch).

use crate::server::Server;

/// `ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP` in Redis.
pub const KEYS_PER_LOOP: usize = 20;
/// How many loops one call may run per database (ReplScope's bound, in
/// place of Redis's CPU-time budget).
pub const MAX_LOOPS: usize = 16;

/// Deletes expired keys on a master, propagating a `DEL` for each. Returns
/// how many keys were deleted. Does nothing on a replica.
pub fn active_expire_cycle(server: &mut Server, now_ms: u64) -> usize {
    if server.is_replica() {
        return 0;
    }
    let mut total = 0;
    for db in 0..server.keyspace.count() {
        let mut expired: Vec<(u64, Vec<u8>)> = server
            .keyspace
            .db(db)
            .expires()
            .filter(|&(_, when)| now_ms > when)
            .map(|(k, when)| (when, k.clone()))
            .collect();
        crate::util::sort(&mut expired);
        expired.truncate(KEYS_PER_LOOP * MAX_LOOPS);
        for (_, key) in expired {
            server.keyspace.db_mut(db).remove(&key);
            server.stats.expired_keys += 1;
            server.propagate(Some(db), vec![b"DEL".to_vec(), key]);
            server.flush_propagation();
            total += 1;
        }
    }
    total
}
