//! String commands: GET, SET and its variants, MGET/MSET, counters,
//! INCRBYFLOAT, APPEND, STRLEN, SETRANGE/GETRANGE.
//!
//! Replication rewrites (all checked against real Redis 7.0.15):
//! - any relative or absolute expiry becomes `SET k v PXAT <abs-ms>` (SET
//!   EX/PX/EXAT/PXAT, SETEX, PSETEX), so a replica applying it later or an
//!   AOF replayed tomorrow expires the key at the same instant;
//! - `SET … GET` drops its GET words, GETSET becomes `SET k v`: replicas do
//!   not need the old value;
//! - GETEX becomes `PEXPIREAT k <abs-ms>`, `PERSIST k` or `DEL k` (EXAT/PXAT
//!   in the past), GETDEL becomes `DEL k`;
//! - INCRBYFLOAT becomes `SET k <result> KEEPTTL`, so replicas never redo
//!   the float arithmetic;
//! - everything else propagates as typed, and only when it changed data.

use super::{CommandSpec, Ctx, errors, flags};
use crate::keyspace::Value;
use crate::long_double::{FloatError, incr_by_float};
use crate::resp::Frame;
use crate::util::parse_strict_i64;

/// An argument as C code sees it: cut at the first NUL byte, lowercased.
/// Redis compares option words with `strcasecmp` on the raw C string.
pub(crate) fn option_word(arg: &[u8]) -> Vec<u8> {
    let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
    arg[..end].to_ascii_lowercase()
}

/// `ERR invalid expire time in 'set' command`.
pub(crate) fn invalid_expire(cmd: &str) -> Frame {
    Frame::error(format!("ERR invalid expire time in '{cmd}' command"))
}

/// Which expiry option was given, and so how its number reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExpireKind {
    Ex,
    Px,
    ExAt,
    PxAt,
}

/// The parsed options of SET (`for_set`) or GETEX.
#[derive(Debug, Default)]
struct SetOptions {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    persist: bool,
    /// The expiry option and the index of its number in argv.
    expire: Option<(ExpireKind, usize)>,
}

/// Redis's `parseExtendedStringArgumentsOrReply`: options in any order,
/// repeats allowed, conflicting ones (NX+XX, two different expiries, an
/// expiry with KEEPTTL/PERSIST) or a missing number are a syntax error. The
/// number itself is checked later, after the whole line parsed.
fn parse_set_options(argv: &[Vec<u8>], start: usize, for_set: bool) -> Result<SetOptions, Frame> {
    let mut o = SetOptions::default();
    let mut j = start;
    while j < argv.len() {
        let opt = option_word(&argv[j]);
        let has_next = j + 1 < argv.len();
        let kind = o.expire.map(|(k, _)| k);
        let only = |k: ExpireKind| kind.is_none() || kind == Some(k);
        match opt.as_slice() {
            b"nx" if for_set && !o.xx => o.nx = true,
            b"xx" if for_set && !o.nx => o.xx = true,
            b"get" if for_set => o.get = true,
            b"keepttl" if for_set && !o.persist && kind.is_none() => o.keepttl = true,
            b"persist" if !for_set && kind.is_none() && !o.keepttl => o.persist = true,
            b"ex" | b"px" | b"exat" | b"pxat" if !o.keepttl && !o.persist && has_next => {
                let k = match opt.as_slice() {
                    b"ex" => ExpireKind::Ex,
                    b"px" => ExpireKind::Px,
                    b"exat" => ExpireKind::ExAt,
                    _ => ExpireKind::PxAt,
                };
                if !only(k) {
                    return Err(Frame::error(errors::SYNTAX));
                }
                o.expire = Some((k, j + 1));
                j += 1;
            }
            _ => return Err(Frame::error(errors::SYNTAX)),
        }
        j += 1;
    }
    Ok(o)
}

/// Redis's `getExpireMillisecondsOrReply`: the absolute expiry in unix ms.
/// Zero or negative numbers, seconds that overflow when scaled, and sums
/// that wrap below 1 are `invalid expire time`.
fn expire_at_ms(ctx: &Ctx, arg: &[u8], kind: ExpireKind, cmd: &str) -> Result<i64, Frame> {
    let v = parse_strict_i64(arg).ok_or_else(|| Frame::error(errors::NOT_INTEGER))?;
    let seconds = matches!(kind, ExpireKind::Ex | ExpireKind::ExAt);
    if v <= 0 || (seconds && v > i64::MAX / 1000) {
        return Err(invalid_expire(cmd));
    }
    let mut ms = if seconds { v * 1000 } else { v };
    if matches!(kind, ExpireKind::Ex | ExpireKind::Px) {
        // Redis adds in C and checks for a non-positive result, which is
        // what a wrapping overflow produces.
        ms = ms.wrapping_add(ctx.now_ms as i64);
    }
    if ms <= 0 {
        return Err(invalid_expire(cmd));
    }
    Ok(ms)
}

/// Reads a string value for GET-like commands: Ok(None) if missing,
/// WRONGTYPE for other types.
fn read_string(ctx: &mut Ctx, key: &[u8]) -> Result<Option<Vec<u8>>, Frame> {
    match ctx.lookup_read(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Frame::error(errors::WRONGTYPE)),
    }
}

/// Like [`read_string`] for write commands (`lookupKeyWrite`: no stats).
fn write_string(ctx: &mut Ctx, key: &[u8]) -> Result<Option<Vec<u8>>, Frame> {
    match ctx.lookup_write(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Frame::error(errors::WRONGTYPE)),
    }
}

fn bulk_or_null(v: Option<Vec<u8>>) -> Frame {
    v.map_or(Frame::Null, Frame::Bulk)
}

/// `SET k v PXAT <ms>`, the canonical propagated form of any expiry.
fn set_pxat(key: &[u8], value: &[u8], ms: i64) -> Vec<Vec<u8>> {
    vec![b"SET".to_vec(), key.to_vec(), value.to_vec(), b"PXAT".to_vec(), ms.to_string().into_bytes()]
}

/// Get the value of a key.
///
/// # Format
/// `GET key`
pub fn get(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_string(ctx, &argv[1]) {
        Ok(v) => bulk_or_null(v),
        Err(e) => e,
    }
}

/// Set a key to a string value, replacing any value of any type.
///
/// # Format
/// `SET key value [NX | XX] [GET] [EX seconds | PX milliseconds |
/// EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]`
///
/// NX/XX make it conditional (a refused SET replies nil); GET replies the old
/// value instead of OK; KEEPTTL keeps the key's TTL, otherwise any TTL is
/// dropped.
pub fn set(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let opts = match parse_set_options(argv, 3, true) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let expire = match opts.expire {
        Some((kind, i)) => match expire_at_ms(ctx, &argv[i], kind, "set") {
            Ok(ms) => Some(ms),
            Err(e) => return e,
        },
        None => None,
    };
    let (key, value) = (&argv[1], &argv[2]);
    let old = if opts.get {
        match read_string(ctx, key) {
            Ok(v) => v,
            Err(e) => return e,
        }
    } else {
        None
    };
    // `lookupKeyWrite` and `setKey` in one descent of the keyspace: SET
    // is the write every workload is made of.
    let expired = ctx.expire_if_needed(key);
    let reply = if opts.get { bulk_or_null(old) } else { Frame::ok() };
    let db = ctx.db();
    let slot = db.get_mut(key);
    let found = slot.is_some() && !expired;
    if (opts.nx && found) || (opts.xx && !found) {
        return if opts.get { reply } else { Frame::Null };
    }
    match slot {
        Some(slot) => overwrite_string(slot, value),
        None => db.put(key.clone(), Value::String(value.clone())),
    }
    if !opts.keepttl {
        db.persist(key);
    }
    if let Some(ms) = expire {
        ctx.db().set_expire(key, ms as u64);
        ctx.propagate(set_pxat(key, value, ms));
    } else if opts.get {
        let kept = argv.iter().enumerate().filter(|(j, a)| *j < 3 || option_word(a) != b"get");
        ctx.propagate(kept.map(|(_, a)| a.clone()).collect());
    } else {
        ctx.propagate_argv(argv);
    }
    reply
}

/// Replaces the value in `slot` with the string `value`, reusing the old
/// string's buffer when it is one of a similar size (no free and malloc
/// per overwrite).
fn overwrite_string(slot: &mut Value, value: &[u8]) {
    match slot {
        Value::String(old) if old.capacity() <= value.len().saturating_mul(2).max(64) => {
            old.clear();
            old.extend_from_slice(value);
        }
        _ => *slot = Value::String(value.to_vec()),
    }
}

/// Set a key only if it does not exist: 1 if set, 0 if not.
///
/// # Format
/// `SETNX key value`
pub fn setnx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    if ctx.lookup_write(&argv[1]).is_some() {
        return Frame::Integer(0);
    }
    ctx.db().set(argv[1].clone(), Value::String(argv[2].clone()), false);
    ctx.propagate(argv.to_vec());
    Frame::Integer(1)
}

/// Shared by SETEX and PSETEX: set with a relative expiry.
fn set_with_expire(ctx: &mut Ctx, argv: &[Vec<u8>], kind: ExpireKind, cmd: &str) -> Frame {
    let ms = match expire_at_ms(ctx, &argv[2], kind, cmd) {
        Ok(ms) => ms,
        Err(e) => return e,
    };
    let (key, value) = (&argv[1], &argv[3]);
    ctx.lookup_write(key);
    ctx.db().set(key.clone(), Value::String(value.clone()), false);
    ctx.db().set_expire(key, ms as u64);
    ctx.propagate(set_pxat(key, value, ms));
    Frame::ok()
}

/// Set a value that expires after `seconds`.
///
/// # Format
/// `SETEX key seconds value`
pub fn setex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    set_with_expire(ctx, argv, ExpireKind::Ex, "setex")
}

/// Set a value that expires after `milliseconds`.
///
/// # Format
/// `PSETEX key milliseconds value`
pub fn psetex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    set_with_expire(ctx, argv, ExpireKind::Px, "psetex")
}

/// Set a new value and reply the old one (nil if none). Drops any TTL.
///
/// # Format
/// `GETSET key value`
pub fn getset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let old = match read_string(ctx, &argv[1]) {
        Ok(v) => v,
        Err(e) => return e,
    };
    ctx.lookup_write(&argv[1]);
    ctx.db().set(argv[1].clone(), Value::String(argv[2].clone()), false);
    ctx.propagate(vec![b"SET".to_vec(), argv[1].clone(), argv[2].clone()]);
    bulk_or_null(old)
}

/// Reply the value and delete the key.
///
/// # Format
/// `GETDEL key`
pub fn getdel(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let old = match read_string(ctx, &argv[1]) {
        Ok(v) => v,
        Err(e) => return e,
    };
    if old.is_some() {
        ctx.db().remove(&argv[1]);
        ctx.propagate(vec![b"DEL".to_vec(), argv[1].clone()]);
    }
    bulk_or_null(old)
}

/// Reply the value and optionally change its expiry.
///
/// # Format
/// `GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
/// PXAT unix-time-milliseconds | PERSIST]`
///
/// Order of checks as in Redis: option syntax, then the key (missing: nil,
/// whatever the expiry number is), its type, then the expiry number.
pub fn getex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let opts = match parse_set_options(argv, 2, false) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let key = &argv[1];
    let value = match read_string(ctx, key) {
        Ok(Some(v)) => v,
        Ok(None) => return Frame::Null,
        Err(e) => return e,
    };
    let expire = match opts.expire {
        Some((kind, i)) => match expire_at_ms(ctx, &argv[i], kind, "getex") {
            Ok(ms) => Some((kind, ms)),
            Err(e) => return e,
        },
        None => None,
    };
    match expire {
        // An absolute time already past deletes the key (on masters).
        Some((ExpireKind::ExAt | ExpireKind::PxAt, ms)) if ms <= ctx.now_ms as i64 && !ctx.server.is_replica() => {
            ctx.db().remove(key);
            ctx.propagate(vec![b"DEL".to_vec(), key.clone()]);
        }
        Some((_, ms)) => {
            ctx.db().set_expire(key, ms as u64);
            ctx.propagate(vec![b"PEXPIREAT".to_vec(), key.clone(), ms.to_string().into_bytes()]);
        }
        None if opts.persist && ctx.db().persist(key) => {
            ctx.propagate(vec![b"PERSIST".to_vec(), key.clone()]);
        }
        None => {}
    }
    Frame::Bulk(value)
}

/// Values of several keys; nil for missing keys and non-strings.
///
/// # Format
/// `MGET key [key ...]`
pub fn mget(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let mut out = Vec::with_capacity(argv.len() - 1);
    for key in &argv[1..] {
        out.push(match ctx.lookup_read(key) {
            Some(Value::String(s)) => Frame::Bulk(s.clone()),
            _ => Frame::Null,
        });
    }
    Frame::Array(out)
}

/// Shared by MSET and MSETNX.
fn mset_generic(ctx: &mut Ctx, argv: &[Vec<u8>], nx: bool, name: &str) -> Frame {
    if argv.len().is_multiple_of(2) {
        return Frame::error(errors::wrong_args(name));
    }
    if nx {
        for pair in argv[1..].chunks(2) {
            if ctx.lookup_write(&pair[0]).is_some() {
                return Frame::Integer(0);
            }
        }
    }
    for pair in argv[1..].chunks(2) {
        ctx.lookup_write(&pair[0]);
        ctx.db().set(pair[0].clone(), Value::String(pair[1].clone()), false);
    }
    ctx.propagate(argv.to_vec());
    if nx { Frame::Integer(1) } else { Frame::ok() }
}

/// Set several keys at once (dropping their TTLs).
///
/// # Format
/// `MSET key value [key value ...]`
pub fn mset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    mset_generic(ctx, argv, false, "mset")
}

/// Set several keys only if none of them exists: 1 if set, 0 if not.
///
/// # Format
/// `MSETNX key value [key value ...]`
pub fn msetnx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    mset_generic(ctx, argv, true, "msetnx")
}

/// Redis's `incrDecrCommand`: adds `by` to the integer at `key` (absent =
/// 0), keeping its TTL.
fn incr_decr(ctx: &mut Ctx, argv: &[Vec<u8>], by: i64) -> Frame {
    let key = &argv[1];
    let current = match write_string(ctx, key) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let value = match current {
        None => 0,
        Some(s) => match parse_strict_i64(&s) {
            Some(n) => n,
            None => return Frame::error(errors::NOT_INTEGER),
        },
    };
    let Some(new) = value.checked_add(by) else {
        return Frame::error("ERR increment or decrement would overflow");
    };
    ctx.db().put(key.clone(), Value::String(new.to_string().into_bytes()));
    ctx.propagate(argv.to_vec());
    Frame::Integer(new)
}

/// # Format
/// `INCR key`
pub fn incr(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    incr_decr(ctx, argv, 1)
}

/// # Format
/// `DECR key`
pub fn decr(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    incr_decr(ctx, argv, -1)
}

/// # Format
/// `INCRBY key increment`
pub fn incrby(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match parse_strict_i64(&argv[2]) {
        Some(by) => incr_decr(ctx, argv, by),
        None => Frame::error(errors::NOT_INTEGER),
    }
}

/// # Format
/// `DECRBY key decrement`
pub fn decrby(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match parse_strict_i64(&argv[2]) {
        // Negating i64::MIN would overflow before the sum is even tried.
        Some(i64::MIN) => Frame::error("ERR decrement would overflow"),
        Some(by) => incr_decr(ctx, argv, -by),
        None => Frame::error(errors::NOT_INTEGER),
    }
}

/// Add a float, computed in x87 long double like Redis (see
/// [`crate::long_double`]); the TTL is kept.
///
/// # Format
/// `INCRBYFLOAT key increment`
pub fn incrbyfloat(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let key = &argv[1];
    let current = match write_string(ctx, key) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let new = match incr_by_float(current.as_deref(), &argv[2]) {
        Ok(v) => v,
        Err(FloatError::NanOrInfinity) => return Frame::error("ERR increment would produce NaN or Infinity"),
        Err(_) => return Frame::error(errors::NOT_FLOAT),
    };
    ctx.db().put(key.clone(), Value::String(new.clone()));
    ctx.propagate(vec![b"SET".to_vec(), key.clone(), new.clone(), b"KEEPTTL".to_vec()]);
    Frame::Bulk(new)
}

/// `checkStringLength`: a string may not grow past the node's
/// `proto-max-bulk-len`. The master's stream is exempt (Redis's
/// `mustObeyClient`): a replica configured lower still applies what its
/// master accepted, or it would diverge (observed on 7.0.15).
fn check_string_length(ctx: &Ctx, size: i64, append: i64) -> Result<(), Frame> {
    if ctx.server.executing_master_stream {
        return Ok(());
    }
    match size.checked_add(append) {
        Some(total) if total <= ctx.server.config.proto_max_bulk_len_i64() => Ok(()),
        _ => Err(Frame::error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")),
    }
}

/// Append to a string (creating it); replies the new length.
///
/// # Format
/// `APPEND key value`
pub fn append(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let key = &argv[1];
    let current = match write_string(ctx, key) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let new = match current {
        None => argv[2].clone(),
        Some(mut s) => {
            if let Err(e) = check_string_length(ctx, s.len() as i64, argv[2].len() as i64) {
                return e;
            }
            s.extend_from_slice(&argv[2]);
            s
        }
    };
    let len = new.len() as i64;
    ctx.db().put(key.clone(), Value::String(new));
    ctx.propagate(argv.to_vec());
    Frame::Integer(len)
}

/// Length of a string value (0 if missing).
///
/// # Format
/// `STRLEN key`
pub fn strlen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_string(ctx, &argv[1]) {
        Ok(v) => Frame::Integer(v.map_or(0, |s| s.len() as i64)),
        Err(e) => e,
    }
}

/// Overwrite part of a string at `offset`, zero-padding as needed; replies
/// the new length. Writing nothing changes nothing (and creates no key).
///
/// # Format
/// `SETRANGE key offset value`
pub fn setrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let Some(offset) = parse_strict_i64(&argv[2]) else {
        return Frame::error(errors::NOT_INTEGER);
    };
    if offset < 0 {
        return Frame::error("ERR offset is out of range");
    }
    let (key, value) = (&argv[1], &argv[3]);
    let current = match write_string(ctx, key) {
        Ok(v) => v,
        Err(e) => return e,
    };
    if value.is_empty() {
        return Frame::Integer(current.map_or(0, |s| s.len() as i64));
    }
    if let Err(e) = check_string_length(ctx, offset, value.len() as i64) {
        return e;
    }
    let mut s = current.unwrap_or_default();
    let offset = offset as usize;
    if s.len() < offset + value.len() {
        s.resize(offset + value.len(), 0);
    }
    s[offset..offset + value.len()].copy_from_slice(value);
    let len = s.len() as i64;
    ctx.db().put(key.clone(), Value::String(s));
    ctx.propagate(argv.to_vec());
    Frame::Integer(len)
}

/// A substring by inclusive byte offsets, negative ones counting from the
/// end; out-of-range parts are clipped. SUBSTR is its old name.
///
/// # Format
/// `GETRANGE key start end`
pub fn getrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let (Some(mut start), Some(mut end)) = (parse_strict_i64(&argv[2]), parse_strict_i64(&argv[3])) else {
        return Frame::error(errors::NOT_INTEGER);
    };
    let s = match read_string(ctx, &argv[1]) {
        Ok(Some(s)) => s,
        Ok(None) => return Frame::bulk(""),
        Err(e) => return e,
    };
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        return Frame::bulk("");
    }
    if start < 0 {
        start = len.saturating_add(start);
    }
    if end < 0 {
        end = len.saturating_add(end);
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        return Frame::bulk("");
    }
    Frame::Bulk(s[start as usize..=end as usize].to_vec())
}

const W: u32 = flags::WRITE;
const R: u32 = flags::READONLY;
const F: u32 = flags::FAST;
const M: u32 = flags::DENYOOM;

/// This family's commands, with Redis 7.0's arity and flags.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec { name: "append", arity: 3, flags: W | M | F, handler: append },
    CommandSpec { name: "decr", arity: 2, flags: W | M | F, handler: decr },
    CommandSpec { name: "decrby", arity: 3, flags: W | M | F, handler: decrby },
    CommandSpec { name: "get", arity: 2, flags: R | F, handler: get },
    CommandSpec { name: "getdel", arity: 2, flags: W | F, handler: getdel },
    CommandSpec { name: "getex", arity: -2, flags: W | F, handler: getex },
    CommandSpec { name: "getrange", arity: 4, flags: R, handler: getrange },
    CommandSpec { name: "getset", arity: 3, flags: W | M | F, handler: getset },
    CommandSpec { name: "incr", arity: 2, flags: W | M | F, handler: incr },
    CommandSpec { name: "incrby", arity: 3, flags: W | M | F, handler: incrby },
    CommandSpec { name: "incrbyfloat", arity: 3, flags: W | M | F, handler: incrbyfloat },
    CommandSpec { name: "mget", arity: -2, flags: R | F, handler: mget },
    CommandSpec { name: "mset", arity: -3, flags: W | M, handler: mset },
    CommandSpec { name: "msetnx", arity: -3, flags: W | M, handler: msetnx },
    CommandSpec { name: "psetex", arity: 4, flags: W | M, handler: psetex },
    CommandSpec { name: "set", arity: -3, flags: W | M, handler: set },
    CommandSpec { name: "setex", arity: 4, flags: W | M, handler: setex },
    CommandSpec { name: "setnx", arity: 3, flags: W | M | F, handler: setnx },
    CommandSpec { name: "setrange", arity: 4, flags: W | M, handler: setrange },
    CommandSpec { name: "strlen", arity: 2, flags: R | F, handler: strlen },
    CommandSpec { name: "substr", arity: 4, flags: R, handler: getrange },
];
