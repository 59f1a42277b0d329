//! Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with Redis 7.0's
//! NX/XX/GT/LT), TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST.
//!
//! Replication (checked against real Redis 7.0.15): every EXPIRE variant
//! propagates as `PEXPIREAT key <abs-ms> [options as typed]`, so replicas
//! expire the key at the master's instant however late they apply it; a
//! time already past deletes the key on the master and propagates `DEL key`.
//! A refused or no-op command (missing key, NX on a volatile key, PERSIST
//! without TTL) propagates nothing.

use super::strings::{invalid_expire, option_word};
use super::{CommandSpec, Ctx, errors, flags};
use crate::resp::Frame;
use crate::util::parse_strict_i64;

/// The NX/XX/GT/LT options of the EXPIRE family.
#[derive(Clone, Copy, Debug, Default)]
struct ExpireFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

/// Redis's `parseExtendedExpireArgumentsOrReply`.
fn parse_expire_flags(argv: &[Vec<u8>]) -> Result<ExpireFlags, Frame> {
    let mut f = ExpireFlags::default();
    for arg in &argv[3..] {
        match option_word(arg).as_slice() {
            b"nx" => f.nx = true,
            b"xx" => f.xx = true,
            b"gt" => f.gt = true,
            b"lt" => f.lt = true,
            _ => {
                // Redis prints the option as a C string in an error line.
                let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
                let shown = String::from_utf8_lossy(&arg[..end]).replace(['\r', '\n'], " ");
                return Err(Frame::error(format!("ERR Unsupported option {shown}")));
            }
        }
    }
    if f.nx && (f.xx || f.gt || f.lt) {
        return Err(Frame::error("ERR NX and XX, GT or LT options at the same time are not compatible"));
    }
    if f.gt && f.lt {
        return Err(Frame::error("ERR GT and LT options at the same time are not compatible"));
    }
    Ok(f)
}

/// Redis's `expireGenericCommand`. `basetime` is now (relative forms) or 0
/// (absolute forms); `seconds` says how the number reads.
fn expire_generic(ctx: &mut Ctx, argv: &[Vec<u8>], relative: bool, seconds: bool, cmd: &str) -> Frame {
    let f = match parse_expire_flags(argv) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let Some(mut when) = parse_strict_i64(&argv[2]) else {
        return Frame::error(errors::NOT_INTEGER);
    };
    // Negative numbers are allowed (they delete the key); only overflow of
    // the unit conversion or of the addition is refused.
    if seconds {
        if !(i64::MIN / 1000..=i64::MAX / 1000).contains(&when) {
            return invalid_expire(cmd);
        }
        when *= 1000;
    }
    let basetime = if relative { ctx.now_ms as i64 } else { 0 };
    if when > i64::MAX - basetime {
        return invalid_expire(cmd);
    }
    when += basetime;

    let key = &argv[1];
    if ctx.lookup_write(key).is_none() {
        return Frame::Integer(0);
    }
    let current = ctx.db().expire_at(key).map(|w| w as i64);
    if (f.nx && current.is_some())
        || (f.xx && current.is_none())
        // No TTL counts as an infinite one: never "greater than" it…
        || (f.gt && current.is_none_or(|c| when <= c))
        // …and always "less than" it.
        || (f.lt && current.is_some_and(|c| when >= c))
    {
        return Frame::Integer(0);
    }
    if when <= ctx.now_ms as i64 && !ctx.server.is_replica() {
        ctx.db().remove(key);
        ctx.propagate(vec![b"DEL".to_vec(), key.clone()]);
        return Frame::Integer(1);
    }
    ctx.db().set_expire(key, when.max(0) as u64);
    let mut out = argv.to_vec();
    if cmd != "pexpireat" {
        out[0] = b"PEXPIREAT".to_vec();
        out[2] = when.to_string().into_bytes();
    }
    ctx.propagate(out);
    Frame::Integer(1)
}

/// Set a TTL in seconds. 1 if set, 0 if the key is missing or an option
/// refused it.
///
/// # Format
/// `EXPIRE key seconds [NX | XX | GT | LT]`
pub fn expire(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    expire_generic(ctx, argv, true, true, "expire")
}

/// # Format
/// `PEXPIRE key milliseconds [NX | XX | GT | LT]`
pub fn pexpire(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    expire_generic(ctx, argv, true, false, "pexpire")
}

/// # Format
/// `EXPIREAT key unix-time-seconds [NX | XX | GT | LT]`
pub fn expireat(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    expire_generic(ctx, argv, false, true, "expireat")
}

/// # Format
/// `PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]`
pub fn pexpireat(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    expire_generic(ctx, argv, false, false, "pexpireat")
}

/// Redis's `ttlGenericCommand`: -2 if the key is missing (or logically
/// expired, also on a replica), -1 without TTL. Seconds are rounded to
/// nearest, `(ms + 500) / 1000`.
fn ttl_generic(ctx: &mut Ctx, argv: &[Vec<u8>], in_ms: bool, absolute: bool) -> Frame {
    if ctx.lookup_read(&argv[1]).is_none() {
        return Frame::Integer(-2);
    }
    let Some(when) = ctx.db().expire_at(&argv[1]) else {
        return Frame::Integer(-1);
    };
    let when = when as i64;
    let ttl = if absolute { when } else { when - ctx.now_ms as i64 }.max(0);
    Frame::Integer(if in_ms { ttl } else { (ttl + 500) / 1000 })
}

/// # Format
/// `TTL key`
pub fn ttl(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    ttl_generic(ctx, argv, false, false)
}

/// # Format
/// `PTTL key`
pub fn pttl(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    ttl_generic(ctx, argv, true, false)
}

/// The absolute expiry in unix seconds.
///
/// # Format
/// `EXPIRETIME key`
pub fn expiretime(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    ttl_generic(ctx, argv, false, true)
}

/// # Format
/// `PEXPIRETIME key`
pub fn pexpiretime(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    ttl_generic(ctx, argv, true, true)
}

/// Remove a key's TTL: 1 if it had one.
///
/// # Format
/// `PERSIST key`
pub fn persist(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    if ctx.lookup_write(&argv[1]).is_none() || !ctx.db().persist(&argv[1]) {
        return Frame::Integer(0);
    }
    ctx.propagate(argv.to_vec());
    Frame::Integer(1)
}

const W: u32 = flags::WRITE | flags::FAST;
const R: u32 = flags::READONLY | flags::FAST;

/// This family's commands, with Redis 7.0's arity and flags.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec { name: "expire", arity: -3, flags: W, handler: expire },
    CommandSpec { name: "expireat", arity: -3, flags: W, handler: expireat },
    CommandSpec { name: "expiretime", arity: 2, flags: R, handler: expiretime },
    CommandSpec { name: "persist", arity: 2, flags: W, handler: persist },
    CommandSpec { name: "pexpire", arity: -3, flags: W, handler: pexpire },
    CommandSpec { name: "pexpireat", arity: -3, flags: W, handler: pexpireat },
    CommandSpec { name: "pexpiretime", arity: 2, flags: R, handler: pexpiretime },
    CommandSpec { name: "pttl", arity: 2, flags: R, handler: pttl },
    CommandSpec { name: "ttl", arity: 2, flags: R, handler: ttl },
];
