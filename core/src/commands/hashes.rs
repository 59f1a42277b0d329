//! Hash commands: HSET, HSETNX, HMSET, HGET, HMGET, HDEL, HGETALL, HLEN,
//! HEXISTS, HKEYS, HVALS, HSTRLEN, HINCRBY, HINCRBYFLOAT.
//!
//! Fields keep insertion order, which is what Redis 7.0 shows for small
//! (listpack) hashes: HDEL removes a field in place and a re-added field goes
//! to the end. (A big hash becomes a hash table in Redis and its order turns
//! arbitrary; ReplScope keeps insertion order there too, to stay
//! deterministic.)
//!
//! Replication: HSET and HMSET are propagated verbatim *even when nothing
//! changed* (Redis counts every HSET as a write); HDEL and HSETNX only when
//! they did something; HINCRBY verbatim; HINCRBYFLOAT is rewritten as
//! `HSET key field <new value>` so replicas store exactly the master's
//! result instead of redoing floating-point arithmetic.

use indexmap::IndexMap;

use super::{CommandSpec, Ctx, errors, flags};
use crate::keyspace::Value;
use crate::long_double::{FloatError, incr_by_float};
use crate::resp::Frame;
use crate::util::parse_strict_i64;

type Hash = IndexMap<Vec<u8>, Vec<u8>>;

/// The hash at `key` for reading: `Ok(None)` if missing, `Err` (WRONGTYPE)
/// if it holds another type.
fn read_hash<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a Hash>, Frame> {
    match ctx.lookup_read(key) {
        None => Ok(None),
        Some(Value::Hash(h)) => Ok(Some(h)),
        Some(_) => Err(Frame::error(errors::WRONGTYPE)),
    }
}

/// The hash at `key` for writing, created empty if missing
/// (`hashTypeLookupWriteOrCreate`). Callers must not leave it empty.
fn hash_or_create<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<&'a mut Hash, Frame> {
    match ctx.lookup_write(key) {
        None => {}
        Some(Value::Hash(_)) => {}
        Some(_) => return Err(Frame::error(errors::WRONGTYPE)),
    }
    if !ctx.db().contains(key) {
        ctx.db().put(key.to_vec(), Value::Hash(Hash::new()));
    }
    match ctx.db().get_mut(key) {
        Some(Value::Hash(h)) => Ok(h),
        _ => Err(Frame::error(errors::WRONGTYPE)),
    }
}

/// The current value of `field` for an increment: checks the key's type
/// without creating anything, so a refused increment leaves no empty hash.
fn current_value(ctx: &mut Ctx, key: &[u8], field: &[u8]) -> Result<Option<Vec<u8>>, Frame> {
    match ctx.lookup_write(key) {
        None => Ok(None),
        Some(Value::Hash(h)) => Ok(h.get(field).cloned()),
        Some(_) => Err(Frame::error(errors::WRONGTYPE)),
    }
}

/// Sets field/value pairs, creating the hash if needed; replies with the
/// number of *new* fields. Always propagated, even if no value changed.
///
/// # Format
/// `HSET key field value [field value ...]`
pub fn hset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match set_pairs(ctx, argv) {
        Ok(added) => Frame::Integer(added),
        Err(e) => e,
    }
}

/// HSET's older spelling, replying `+OK`.
///
/// # Format
/// `HMSET key field value [field value ...]`
pub fn hmset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match set_pairs(ctx, argv) {
        Ok(_) => Frame::ok(),
        Err(e) => e,
    }
}

/// Shared body of HSET/HMSET: returns how many fields were added.
fn set_pairs(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<i64, Frame> {
    if argv.len() % 2 == 1 {
        let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
        return Err(Frame::error(errors::wrong_args(&name)));
    }
    let hash = hash_or_create(ctx, &argv[1])?;
    let mut added = 0;
    for pair in argv[2..].chunks_exact(2) {
        if hash.insert(pair[0].clone(), pair[1].clone()).is_none() {
            added += 1;
        }
    }
    ctx.propagate(argv.to_vec());
    Ok(added)
}

/// Sets a field only if it does not exist yet; replies 1 if it was set.
///
/// # Format
/// `HSETNX key field value`
pub fn hsetnx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match ctx.lookup_write(&argv[1]) {
        Some(Value::Hash(h)) if h.contains_key(&argv[2]) => return Frame::Integer(0),
        Some(Value::Hash(_)) | None => {}
        Some(_) => return Frame::error(errors::WRONGTYPE),
    }
    match hash_or_create(ctx, &argv[1]) {
        Ok(hash) => hash.insert(argv[2].clone(), argv[3].clone()),
        Err(e) => return e,
    };
    ctx.propagate(argv.to_vec());
    Frame::Integer(1)
}

/// The value of a field, or nil.
///
/// # Format
/// `HGET key field`
pub fn hget(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_hash(ctx, &argv[1]) {
        Err(e) => e,
        Ok(hash) => hash.and_then(|h| h.get(&argv[2])).map_or(Frame::Null, |v| Frame::Bulk(v.clone())),
    }
}

/// The values of several fields, nil for each missing one.
///
/// # Format
/// `HMGET key field [field ...]`
pub fn hmget(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_hash(ctx, &argv[1]) {
        Err(e) => e,
        Ok(hash) => Frame::Array(
            argv[2..]
                .iter()
                .map(|f| hash.and_then(|h| h.get(f)).map_or(Frame::Null, |v| Frame::Bulk(v.clone())))
                .collect(),
        ),
    }
}

/// Removes fields; replies with how many existed. The hash is deleted when
/// its last field goes. Propagated verbatim only if something was removed.
///
/// # Format
/// `HDEL key field [field ...]`
pub fn hdel(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let hash = match ctx.lookup_write(&argv[1]) {
        None => return Frame::Integer(0),
        Some(Value::Hash(h)) => h,
        Some(_) => return Frame::error(errors::WRONGTYPE),
    };
    // shift_remove keeps the other fields in insertion order, like a listpack.
    let removed = argv[2..].iter().filter(|f| hash.shift_remove(*f).is_some()).count();
    let now_empty = hash.is_empty();
    if removed == 0 {
        return Frame::Integer(0);
    }
    if now_empty {
        ctx.db().remove(&argv[1]);
    }
    ctx.propagate(argv.to_vec());
    Frame::Integer(removed as i64)
}

/// All fields and values, interleaved, in insertion order.
///
/// # Format
/// `HGETALL key`
pub fn hgetall(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_hash(ctx, &argv[1]) {
        Err(e) => e,
        Ok(hash) => Frame::bulk_array(hash.into_iter().flatten().flat_map(|(f, v)| [f.clone(), v.clone()])),
    }
}

/// The number of fields (0 if missing).
///
/// # Format
/// `HLEN key`
pub fn hlen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_hash(ctx, &argv[1]) {
        Err(e) => e,
        Ok(hash) => Frame::Integer(hash.map_or(0, |h| h.len() as i64)),
    }
}

/// 1 if the field exists, else 0.
///
/// # Format
/// `HEXISTS key field`
pub fn hexists(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_hash(ctx, &argv[1]) {
        Err(e) => e,
        Ok(hash) => Frame::Integer(hash.is_some_and(|h| h.contains_key(&argv[2])) as i64),
    }
}

/// All field names, in insertion order.
///
/// # Format
/// `HKEYS key`
pub fn hkeys(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_hash(ctx, &argv[1]) {
        Err(e) => e,
        Ok(hash) => Frame::bulk_array(hash.into_iter().flat_map(|h| h.keys().cloned())),
    }
}

/// All values, in field insertion order.
///
/// # Format
/// `HVALS key`
pub fn hvals(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_hash(ctx, &argv[1]) {
        Err(e) => e,
        Ok(hash) => Frame::bulk_array(hash.into_iter().flat_map(|h| h.values().cloned())),
    }
}

/// The length of a field's value (0 if missing).
///
/// # Format
/// `HSTRLEN key field`
pub fn hstrlen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_hash(ctx, &argv[1]) {
        Err(e) => e,
        Ok(hash) => Frame::Integer(hash.and_then(|h| h.get(&argv[2])).map_or(0, |v| v.len() as i64)),
    }
}

/// Adds an integer to a field (a missing field counts as 0). The stored
/// value must be a strict decimal integer (`string2ll`: no spaces, no `+`).
///
/// # Format
/// `HINCRBY key field increment`
pub fn hincrby(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let Some(incr) = parse_strict_i64(&argv[3]) else {
        return Frame::error(errors::NOT_INTEGER);
    };
    let current = match current_value(ctx, &argv[1], &argv[2]) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let current = match current {
        None => 0,
        Some(v) => match parse_strict_i64(&v) {
            Some(n) => n,
            None => return Frame::error("ERR hash value is not an integer"),
        },
    };
    let Some(new) = current.checked_add(incr) else {
        return Frame::error("ERR increment or decrement would overflow");
    };
    match hash_or_create(ctx, &argv[1]) {
        Ok(hash) => hash.insert(argv[2].clone(), new.to_string().into_bytes()),
        Err(e) => return e,
    };
    ctx.propagate(argv.to_vec());
    Frame::Integer(new)
}

/// Adds a float to a field with Redis's `long double` precision and
/// formatting (see [`crate::long_double`]). Propagated as
/// `HSET key field <new value>`.
///
/// # Format
/// `HINCRBYFLOAT key field increment`
pub fn hincrbyfloat(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    // Redis validates the increment before it looks at the key: a bad or
    // infinite increment is refused even against a key of the wrong type.
    match incr_by_float(None, &argv[3]) {
        Ok(_) => {}
        Err(FloatError::NanOrInfinity) => return Frame::error("ERR value is NaN or Infinity"),
        Err(_) => return Frame::error(errors::NOT_FLOAT),
    }
    let current = match current_value(ctx, &argv[1], &argv[2]) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let new = match incr_by_float(current.as_deref(), &argv[3]) {
        Ok(v) => v,
        Err(FloatError::CurrentNotFloat) => return Frame::error("ERR hash value is not a float"),
        Err(FloatError::NanOrInfinity) => return Frame::error("ERR increment would produce NaN or Infinity"),
        Err(FloatError::IncrNotFloat) => return Frame::error(errors::NOT_FLOAT),
    };
    match hash_or_create(ctx, &argv[1]) {
        Ok(hash) => hash.insert(argv[2].clone(), new.clone()),
        Err(e) => return e,
    };
    ctx.propagate(vec![b"HSET".to_vec(), argv[1].clone(), argv[2].clone(), new.clone()]);
    Frame::Bulk(new)
}

/// This family's commands, with Redis 7.0's arity and flags (`COMMAND INFO`).
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec { name: "hdel", arity: -3, flags: flags::WRITE | flags::FAST, handler: hdel },
    CommandSpec { name: "hexists", arity: 3, flags: flags::READONLY | flags::FAST, handler: hexists },
    CommandSpec { name: "hget", arity: 3, flags: flags::READONLY | flags::FAST, handler: hget },
    CommandSpec { name: "hgetall", arity: 2, flags: flags::READONLY, handler: hgetall },
    CommandSpec { name: "hincrby", arity: 4, flags: flags::WRITE | flags::DENYOOM | flags::FAST, handler: hincrby },
    CommandSpec {
        name: "hincrbyfloat",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        handler: hincrbyfloat,
    },
    CommandSpec { name: "hkeys", arity: 2, flags: flags::READONLY, handler: hkeys },
    CommandSpec { name: "hlen", arity: 2, flags: flags::READONLY | flags::FAST, handler: hlen },
    CommandSpec { name: "hmget", arity: -3, flags: flags::READONLY | flags::FAST, handler: hmget },
    CommandSpec { name: "hmset", arity: -4, flags: flags::WRITE | flags::DENYOOM | flags::FAST, handler: hmset },
    CommandSpec { name: "hset", arity: -4, flags: flags::WRITE | flags::DENYOOM | flags::FAST, handler: hset },
    CommandSpec { name: "hsetnx", arity: 4, flags: flags::WRITE | flags::DENYOOM | flags::FAST, handler: hsetnx },
    CommandSpec { name: "hstrlen", arity: 3, flags: flags::READONLY | flags::FAST, handler: hstrlen },
    CommandSpec { name: "hvals", arity: 2, flags: flags::READONLY, handler: hvals },
];
