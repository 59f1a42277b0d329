//! Set commands: SADD, SREM, SMEMBERS, SCARD, SISMEMBER, SMISMEMBER, SPOP,
//! SRANDMEMBER, SINTER, SUNION, SDIFF.
//!
//! Member order in replies follows [`set_members_in_reply_order`] (numeric
//! for all-integer sets, as Redis's intsets reply; insertion order
//! otherwise, where Redis's hash-table order is arbitrary anyway).
//!
//! Randomness (SPOP, SRANDMEMBER) comes from the node's seeded RNG, so a run
//! replays identically.
//!
//! Replication: SADD/SREM propagate verbatim when they change the set. SPOP
//! is the interesting one, because its result is random and replicas must
//! not roll their own dice. Redis 7.0.15 rewrites it as:
//! - `SPOP s` → `SREM s <member>`;
//! - `SPOP s <count>` with count < size → one `SREM s <member>` per popped
//!   member (two or more are wrapped in MULTI/EXEC like any multi-write
//!   execution unit);
//! - `SPOP s <count>` with count >= size → `DEL s`.

use indexmap::IndexSet;

use rand_core::Rng;

use super::{CommandSpec, Ctx, errors, flags};
use crate::keyspace::{Value, set_members_in_reply_order};
use crate::resp::Frame;
use crate::util::parse_strict_i64;

type Set = IndexSet<Vec<u8>>;

/// The most elements ReplScope will put in one SRANDMEMBER reply with a
/// negative count. Real Redis builds any size asked for (a count of
/// `-9223372036854775807` exhausts its memory); a browser tab cannot.
pub const MAX_RANDOM_REPLY: u64 = 100_000;

/// The set at `key` for reading: `Ok(None)` if missing, `Err` (WRONGTYPE)
/// if it holds another type.
fn read_set<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a Set>, Frame> {
    match ctx.lookup_read(key) {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => Err(Frame::error(errors::WRONGTYPE)),
    }
}

/// The set at `key` for writing, like [`read_set`].
fn write_set<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut Set>, Frame> {
    match ctx.lookup_write(key) {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => Err(Frame::error(errors::WRONGTYPE)),
    }
}

/// A uniformly chosen index below `n` (n > 0) from the node's seeded RNG.
fn random_index(ctx: &mut Ctx, n: usize) -> usize {
    (ctx.server.rng.next_u64() % n as u64) as usize
}

/// The members in reply order, cloned.
fn members(set: &Set) -> Vec<Vec<u8>> {
    set_members_in_reply_order(set).into_iter().cloned().collect()
}

/// Adds members, creating the set if needed; replies with how many were new.
///
/// # Format
/// `SADD key member [member ...]`
pub fn sadd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let key = &argv[1];
    let add = |set: &mut Set| argv[2..].iter().filter(|m| set.insert((*m).clone())).count();
    let added = match write_set(ctx, key) {
        Err(e) => return e,
        Ok(Some(set)) => add(set),
        Ok(None) => {
            let mut set = Set::new();
            let added = add(&mut set);
            ctx.db().put(key.clone(), Value::Set(set));
            added
        }
    };
    if added > 0 {
        ctx.propagate(argv.to_vec());
    }
    Frame::Integer(added as i64)
}

/// Removes members; replies with how many were present. An emptied set is
/// deleted.
///
/// # Format
/// `SREM key member [member ...]`
pub fn srem(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let set = match write_set(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Frame::Integer(0),
        Ok(Some(set)) => set,
    };
    let removed = argv[2..].iter().filter(|m| set.shift_remove(*m)).count();
    let now_empty = set.is_empty();
    if removed > 0 {
        if now_empty {
            ctx.db().remove(&argv[1]);
        }
        ctx.propagate(argv.to_vec());
    }
    Frame::Integer(removed as i64)
}

/// All members.
///
/// # Format
/// `SMEMBERS key`
pub fn smembers(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_set(ctx, &argv[1]) {
        Err(e) => e,
        Ok(set) => Frame::bulk_array(set.map(members).unwrap_or_default()),
    }
}

/// The number of members (0 if missing).
///
/// # Format
/// `SCARD key`
pub fn scard(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_set(ctx, &argv[1]) {
        Err(e) => e,
        Ok(set) => Frame::Integer(set.map_or(0, |s| s.len() as i64)),
    }
}

/// 1 if `member` is in the set, else 0.
///
/// # Format
/// `SISMEMBER key member`
pub fn sismember(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_set(ctx, &argv[1]) {
        Err(e) => e,
        Ok(set) => Frame::Integer(set.is_some_and(|s| s.contains(&argv[2])) as i64),
    }
}

/// SISMEMBER for several members at once, as an array of 0/1.
///
/// # Format
/// `SMISMEMBER key member [member ...]`
pub fn smismember(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_set(ctx, &argv[1]) {
        Err(e) => e,
        Ok(set) => {
            Frame::Array(argv[2..].iter().map(|m| Frame::Integer(set.is_some_and(|s| s.contains(m)) as i64)).collect())
        }
    }
}

/// Removes and returns a random member, or `count` distinct random members
/// as an array. See the module docs for what replicas receive.
///
/// # Format
/// `SPOP key [count]`
pub fn spop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    if argv.len() > 3 {
        return Frame::error(errors::SYNTAX);
    }
    let count = match argv.get(2) {
        None => None,
        Some(arg) => match parse_strict_i64(arg) {
            Some(n) if n >= 0 => Some(n as u64),
            _ => return Frame::error("ERR value is out of range, must be positive"),
        },
    };
    let key = &argv[1];
    let all = match write_set(ctx, key) {
        Err(e) => return e,
        Ok(None) => return if count.is_some() { Frame::Array(vec![]) } else { Frame::Null },
        Ok(Some(set)) => members(set),
    };
    let Some(count) = count else {
        let member = all[random_index(ctx, all.len())].clone();
        remove_members(ctx, key, std::slice::from_ref(&member));
        return Frame::Bulk(member);
    };
    if count == 0 {
        return Frame::Array(vec![]);
    }
    if count >= all.len() as u64 {
        ctx.db().remove(key);
        ctx.propagate(vec![b"DEL".to_vec(), key.clone()]);
        return Frame::bulk_array(all);
    }
    let count = count as usize;
    let remaining = all.len() - count;
    // Redis's two strategies (SPOP_MOVE_STRATEGY_MUL = 5): pop one random
    // member at a time, or, when few members will be left, pick the
    // survivors at random and pop the rest in set order.
    let popped: Vec<Vec<u8>> = if remaining * 5 > count {
        let mut pool = all;
        (0..count).map(|_| pool.swap_remove(random_index(ctx, pool.len()))).collect()
    } else {
        let mut keep = vec![false; all.len()];
        let mut kept = 0;
        while kept < remaining {
            let i = random_index(ctx, all.len());
            if !keep[i] {
                keep[i] = true;
                kept += 1;
            }
        }
        all.into_iter().zip(keep).filter(|(_, k)| !k).map(|(m, _)| m).collect()
    };
    remove_members(ctx, key, &popped);
    Frame::bulk_array(popped)
}

/// Removes popped members from the set at `key` and propagates one
/// `SREM key member` per member.
fn remove_members(ctx: &mut Ctx, key: &[u8], popped: &[Vec<u8>]) {
    if let Ok(Some(set)) = write_set(ctx, key) {
        for m in popped {
            set.shift_remove(m);
        }
        if set.is_empty() {
            ctx.db().remove(key);
        }
    }
    for m in popped {
        ctx.propagate(vec![b"SREM".to_vec(), key.to_vec(), m.clone()]);
    }
}

/// Returns random members without removing them: one (bulk), `count`
/// distinct ones if positive, or `-count` picks that may repeat if negative.
///
/// # Format
/// `SRANDMEMBER key [count]`
pub fn srandmember(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    if argv.len() > 3 {
        return Frame::error(errors::SYNTAX);
    }
    let count = match argv.get(2) {
        None => None,
        Some(arg) => match parse_strict_i64(arg) {
            None => return Frame::error(errors::NOT_INTEGER),
            Some(i64::MIN) => {
                return Frame::error(
                    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                );
            }
            Some(n) => Some(n),
        },
    };
    let all = match read_set(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return if count.is_some() { Frame::Array(vec![]) } else { Frame::Null },
        Ok(Some(set)) => members(set),
    };
    let Some(count) = count else {
        return Frame::Bulk(all[random_index(ctx, all.len())].clone());
    };
    if count < 0 {
        let picks = count.unsigned_abs();
        if picks > MAX_RANDOM_REPLY {
            return Frame::error(format!(
                "ERR ReplScope refuses to build a reply of {picks} elements (at most {MAX_RANDOM_REPLY})"
            ));
        }
        return Frame::bulk_array((0..picks).map(|_| all[random_index(ctx, all.len())].clone()));
    }
    let count = count as u64;
    if count >= all.len() as u64 {
        return Frame::bulk_array(all);
    }
    let count = count as usize;
    // Redis's strategies: drop random members from a copy when most are
    // wanted (reply in set order), else collect distinct random picks.
    if count * 3 > all.len() {
        let mut keep = vec![true; all.len()];
        let mut left = all.len();
        while left > count {
            let i = random_index(ctx, all.len());
            if keep[i] {
                keep[i] = false;
                left -= 1;
            }
        }
        Frame::bulk_array(all.into_iter().zip(keep).filter(|(_, k)| *k).map(|(m, _)| m))
    } else {
        let mut picked = Set::new();
        while picked.len() < count {
            picked.insert(all[random_index(ctx, all.len())].clone());
        }
        Frame::bulk_array(picked)
    }
}

/// Which set operation SINTER/SUNION/SDIFF perform.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Inter,
    Union,
    Diff,
}

/// Shared body of SINTER/SUNION/SDIFF. Every key's type is checked first
/// (Redis refuses `SINTER missing string` with WRONGTYPE); a missing key is
/// an empty set.
fn set_operation(ctx: &mut Ctx, argv: &[Vec<u8>], op: SetOp) -> Frame {
    let mut sets: Vec<Option<Set>> = Vec::with_capacity(argv.len() - 1);
    for key in &argv[1..] {
        match read_set(ctx, key) {
            Err(e) => return e,
            Ok(set) => sets.push(set.cloned()),
        }
    }
    let empty = Set::new();
    let result: Set = match op {
        SetOp::Inter => {
            if sets.iter().any(Option::is_none) {
                Set::new()
            } else {
                let sets: Vec<&Set> = sets.iter().flatten().collect();
                let smallest = sets.iter().min_by_key(|s| s.len()).copied().unwrap_or(&empty);
                set_members_in_reply_order(smallest)
                    .into_iter()
                    .filter(|m| sets.iter().all(|s| s.contains(*m)))
                    .cloned()
                    .collect()
            }
        }
        SetOp::Union => sets.iter().flatten().flat_map(set_members_in_reply_order).cloned().collect(),
        SetOp::Diff => {
            let first = sets[0].as_ref().unwrap_or(&empty);
            set_members_in_reply_order(first)
                .into_iter()
                .filter(|m| sets[1..].iter().flatten().all(|s| !s.contains(*m)))
                .cloned()
                .collect()
        }
    };
    Frame::bulk_array(members(&result))
}

/// The members present in every given set.
///
/// # Format
/// `SINTER key [key ...]`
pub fn sinter(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    set_operation(ctx, argv, SetOp::Inter)
}

/// The members present in any given set.
///
/// # Format
/// `SUNION key [key ...]`
pub fn sunion(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    set_operation(ctx, argv, SetOp::Union)
}

/// The members of the first set that are in none of the others.
///
/// # Format
/// `SDIFF key [key ...]`
pub fn sdiff(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    set_operation(ctx, argv, SetOp::Diff)
}

/// This family's commands, with Redis 7.0's arity and flags (`COMMAND INFO`).
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec { name: "sadd", arity: -3, flags: flags::WRITE | flags::DENYOOM | flags::FAST, handler: sadd },
    CommandSpec { name: "scard", arity: 2, flags: flags::READONLY | flags::FAST, handler: scard },
    CommandSpec { name: "sdiff", arity: -2, flags: flags::READONLY, handler: sdiff },
    CommandSpec { name: "sinter", arity: -2, flags: flags::READONLY, handler: sinter },
    CommandSpec { name: "sismember", arity: 3, flags: flags::READONLY | flags::FAST, handler: sismember },
    CommandSpec { name: "smembers", arity: 2, flags: flags::READONLY, handler: smembers },
    CommandSpec { name: "smismember", arity: -3, flags: flags::READONLY | flags::FAST, handler: smismember },
    CommandSpec { name: "spop", arity: -2, flags: flags::WRITE | flags::FAST, handler: spop },
    CommandSpec { name: "srandmember", arity: -2, flags: flags::READONLY, handler: srandmember },
    CommandSpec { name: "srem", arity: -3, flags: flags::WRITE | flags::FAST, handler: srem },
    CommandSpec { name: "sunion", arity: -2, flags: flags::READONLY, handler: sunion },
];
