//! Generic key commands: DEL, UNLINK, EXISTS, TYPE, KEYS, RENAME,
//! RENAMENX, RANDOMKEY, COPY.
//!
//! They propagate as typed, and only when something changed: deleting
//! missing keys, renaming a key onto itself or a refused RENAMENX/COPY
//! propagate nothing (checked against real Redis 7.0.15).

use rand_core::Rng;

use super::{CommandSpec, Ctx, errors, flags};
use crate::glob::glob_match;
use crate::resp::Frame;
use crate::util::parse_strict_i64;

/// Shared by DEL and UNLINK (UNLINK frees memory in the background in
/// Redis, which makes no visible difference here).
fn del_generic(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let mut deleted = 0;
    for key in &argv[1..] {
        // An expired key is deleted (and its DEL propagated) as expired,
        // not counted as deleted by this command.
        ctx.expire_if_needed(key);
        if ctx.db().remove(key).is_some() {
            deleted += 1;
        }
    }
    if deleted > 0 {
        ctx.propagate(argv.to_vec());
    }
    Frame::Integer(deleted)
}

/// Delete keys; replies how many existed.
///
/// # Format
/// `DEL key [key ...]`
pub fn del(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    del_generic(ctx, argv)
}

/// Like DEL.
///
/// # Format
/// `UNLINK key [key ...]`
pub fn unlink(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    del_generic(ctx, argv)
}

/// How many of the given keys exist; a key named twice counts twice.
///
/// # Format
/// `EXISTS key [key ...]`
pub fn exists(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let mut n = 0;
    for key in &argv[1..] {
        if ctx.lookup_read(key).is_some() {
            n += 1;
        }
    }
    Frame::Integer(n)
}

/// The type of a key's value, `none` if missing.
///
/// # Format
/// `TYPE key`
pub fn type_(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let name = ctx.lookup_read(&argv[1]).map_or("none", |v| v.type_name());
    Frame::Simple(name.into())
}

/// Keys matching a glob pattern, in lexicographic order (Redis's order
/// depends on its hash table; ReplScope documents this one instead).
/// Logically expired keys are skipped but, as in Redis, not deleted.
///
/// # Format
/// `KEYS pattern`
pub fn keys(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let pattern = &argv[1];
    let all = pattern.as_slice() == b"*";
    let now = ctx.now_ms;
    let db = ctx.db();
    let found: Vec<Vec<u8>> = db
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !db.is_expired(k, now) && (all || glob_match(pattern, k, false)))
        .cloned()
        .collect();
    Frame::bulk_array(found)
}

/// Shared by RENAME and RENAMENX. The TTL moves with the value.
fn rename_generic(ctx: &mut Ctx, argv: &[Vec<u8>], nx: bool) -> Frame {
    let (src, dst) = (&argv[1], &argv[2]);
    if ctx.lookup_write(src).is_none() {
        return Frame::error(errors::NO_SUCH_KEY);
    }
    if src == dst {
        return if nx { Frame::Integer(0) } else { Frame::ok() };
    }
    if ctx.lookup_write(dst).is_some() {
        if nx {
            return Frame::Integer(0);
        }
        ctx.db().remove(dst);
    }
    let db = ctx.db();
    let expire = db.expire_at(src);
    let Some(value) = db.remove(src) else {
        return Frame::error(errors::NO_SUCH_KEY);
    };
    db.set(dst.clone(), value, false);
    if let Some(when) = expire {
        db.set_expire(dst, when);
    }
    ctx.propagate(argv.to_vec());
    if nx { Frame::Integer(1) } else { Frame::ok() }
}

/// Rename a key, overwriting the destination.
///
/// # Format
/// `RENAME key newkey`
pub fn rename(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    rename_generic(ctx, argv, false)
}

/// Rename a key only if the destination does not exist.
///
/// # Format
/// `RENAMENX key newkey`
pub fn renamenx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    rename_generic(ctx, argv, true)
}

/// Redis's `dbRandomKey`: a key chosen with the node's seeded RNG. On a
/// master, an expired pick is deleted (propagating DEL) and another is
/// drawn. A replica cannot delete, so if every key has a TTL it gives up
/// after 100 draws and returns a possibly expired name, as Redis does.
///
/// # Format
/// `RANDOMKEY`
pub fn randomkey(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Frame {
    let mut tries = 100;
    loop {
        let db = ctx.db();
        let (len, all_volatile) = (db.len(), db.len() == db.expires_len());
        if len == 0 {
            return Frame::Null;
        }
        let index = (ctx.server.rng.next_u64() % len as u64) as usize;
        let db = ctx.db();
        let Some(key) = db.iter().nth(index).map(|(k, _)| k.clone()) else {
            return Frame::Null;
        };
        if db.expire_at(&key).is_some() {
            if all_volatile && ctx.server.is_replica() {
                tries -= 1;
                if tries == 0 {
                    return Frame::Bulk(key);
                }
            }
            if ctx.expire_if_needed(&key) {
                continue;
            }
        }
        return Frame::Bulk(key);
    }
}

/// `expireIfNeeded` for a database other than the client's (COPY … DB n).
fn expire_if_needed_in(ctx: &mut Ctx, db: usize, key: &[u8]) -> bool {
    if !ctx.server.keyspace.db(db).is_expired(key, ctx.now_ms) {
        return false;
    }
    if ctx.server.is_replica() {
        return true;
    }
    ctx.server.keyspace.db_mut(db).remove(key);
    ctx.server.stats.expired_keys += 1;
    ctx.server.propagate(Some(db), vec![b"DEL".to_vec(), key.to_vec()]);
    true
}

/// Copy a key's value and TTL, optionally into another database.
///
/// # Format
/// `COPY source destination [DB destination-db] [REPLACE]`
pub fn copy(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let src_db = ctx.client.db;
    let mut dst_db = src_db;
    let mut replace = false;
    let mut j = 3;
    while j < argv.len() {
        let opt = super::strings::option_word(&argv[j]);
        if opt == b"replace" {
            replace = true;
        } else if opt == b"db" && j + 1 < argv.len() {
            let Some(n) = parse_strict_i64(&argv[j + 1]).filter(|n| i32::try_from(*n).is_ok()) else {
                return Frame::error(errors::NOT_INTEGER);
            };
            if n < 0 || n as usize >= ctx.server.keyspace.count() {
                return Frame::error("ERR DB index is out of range");
            }
            dst_db = n as usize;
            j += 1;
        } else {
            return Frame::error(errors::SYNTAX);
        }
        j += 1;
    }
    let (src, dst) = (&argv[1], &argv[2]);
    if src_db == dst_db && src == dst {
        return Frame::error("ERR source and destination objects are the same");
    }
    let Some(value) = ctx.lookup_read(src).cloned() else {
        return Frame::Integer(0);
    };
    let expire = ctx.db().expire_at(src);
    let exists = !expire_if_needed_in(ctx, dst_db, dst) && ctx.server.keyspace.db(dst_db).contains(dst);
    if exists && !replace {
        return Frame::Integer(0);
    }
    let target = ctx.server.keyspace.db_mut(dst_db);
    target.remove(dst);
    target.set(dst.clone(), value, false);
    if let Some(when) = expire {
        target.set_expire(dst, when);
    }
    ctx.propagate(argv.to_vec());
    Frame::Integer(1)
}

const W: u32 = flags::WRITE;
const R: u32 = flags::READONLY;
const F: u32 = flags::FAST;

/// This family's commands, with Redis 7.0's arity and flags.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec { name: "copy", arity: -3, flags: W | flags::DENYOOM, handler: copy },
    CommandSpec { name: "del", arity: -2, flags: W, handler: del },
    CommandSpec { name: "exists", arity: -2, flags: R | F, handler: exists },
    CommandSpec { name: "keys", arity: 2, flags: R, handler: keys },
    CommandSpec { name: "randomkey", arity: 1, flags: R, handler: randomkey },
    CommandSpec { name: "rename", arity: 3, flags: W, handler: rename },
    CommandSpec { name: "renamenx", arity: 3, flags: W | F, handler: renamenx },
    CommandSpec { name: "type", arity: 2, flags: R | F, handler: type_ },
    CommandSpec { name: "unlink", arity: -2, flags: W | F, handler: unlink },
];
