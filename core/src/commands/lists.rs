//! List commands: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LRANGE, LLEN,
//! LINDEX, LSET, LREM, LTRIM, LINSERT, LPOS.
//!
//! Replication: every list write that changes the list is propagated
//! verbatim (`LPOP l 2` goes to replicas as `LPOP l 2`, not as the popped
//! elements); a write that changes nothing (LPOP of a missing key, LREM with
//! no match, an LTRIM that keeps everything) propagates nothing. A list that
//! becomes empty is deleted, as in Redis, so `EXISTS` answers 0 afterwards.
//!
//! The order in which each handler checks its arguments, the key's type and
//! the key's existence is Redis's own (e.g. LRANGE parses its indexes before
//! looking at the key, LINDEX after), because it decides which error a
//! client sees.

use std::collections::VecDeque;

use super::{CommandSpec, Ctx, errors, flags};
use crate::keyspace::Value;
use crate::resp::Frame;
use crate::util::parse_strict_i64;

type List = VecDeque<Vec<u8>>;

/// Which end of the list a push or pop works on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Head,
    Tail,
}

/// The list at `key` for reading: `Ok(None)` if missing, `Err` (WRONGTYPE)
/// if it holds another type.
fn read_list<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a List>, Frame> {
    match ctx.lookup_read(key) {
        None => Ok(None),
        Some(Value::List(l)) => Ok(Some(l)),
        Some(_) => Err(Frame::error(errors::WRONGTYPE)),
    }
}

/// The list at `key` for writing, like [`read_list`].
fn write_list<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut List>, Frame> {
    match ctx.lookup_write(key) {
        None => Ok(None),
        Some(Value::List(l)) => Ok(Some(l)),
        Some(_) => Err(Frame::error(errors::WRONGTYPE)),
    }
}

/// Deletes `key` if its list emptied, then propagates `argv` unchanged.
fn finish_write(ctx: &mut Ctx, argv: &[Vec<u8>], now_empty: bool) {
    if now_empty {
        ctx.db().remove(&argv[1]);
    }
    ctx.propagate(argv.to_vec());
}

/// Parses an index or count argument (`getLongFromObjectOrReply`).
fn parse_long(arg: &[u8]) -> Result<i64, Frame> {
    parse_strict_i64(arg).ok_or_else(|| Frame::error(errors::NOT_INTEGER))
}

/// Redis's normalisation of a `start stop` index pair (LRANGE, LTRIM,
/// ZRANGE): negative indexes count from the end, out-of-range ends are
/// clamped. Returns the inclusive range, or `None` if it selects nothing.
pub(super) fn index_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 { start.saturating_add(len) } else { start };
    let mut end = if end < 0 { end.saturating_add(len) } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= len {
        return None;
    }
    if end >= len {
        end = len - 1;
    }
    Some((start as usize, end as usize))
}

/// A single index (LINDEX, LSET): negative counts from the end.
fn element_index(index: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let index = if index < 0 { index.saturating_add(len) } else { index };
    (0..len).contains(&index).then_some(index as usize)
}

/// Shared body of LPUSH/RPUSH/LPUSHX/RPUSHX.
fn push(ctx: &mut Ctx, argv: &[Vec<u8>], end: End, only_if_exists: bool) -> Frame {
    let key = &argv[1];
    let add = |list: &mut List| {
        for element in &argv[2..] {
            match end {
                End::Head => list.push_front(element.clone()),
                End::Tail => list.push_back(element.clone()),
            }
        }
        list.len() as i64
    };
    let len = match write_list(ctx, key) {
        Err(e) => return e,
        Ok(Some(list)) => add(list),
        Ok(None) if only_if_exists => return Frame::Integer(0),
        Ok(None) => {
            let mut list = List::new();
            let len = add(&mut list);
            ctx.db().put(key.clone(), Value::List(list));
            len
        }
    };
    ctx.propagate(argv.to_vec());
    Frame::Integer(len)
}

/// Inserts elements at the head, creating the list if needed; replies with
/// the new length. `LPUSH l a b` leaves `b a`.
///
/// # Format
/// `LPUSH key element [element ...]`
pub fn lpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    push(ctx, argv, End::Head, false)
}

/// Appends elements at the tail, creating the list if needed.
///
/// # Format
/// `RPUSH key element [element ...]`
pub fn rpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    push(ctx, argv, End::Tail, false)
}

/// LPUSH, but only onto an existing list (`:0` and no propagation if missing).
///
/// # Format
/// `LPUSHX key element [element ...]`
pub fn lpushx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    push(ctx, argv, End::Head, true)
}

/// RPUSH, but only onto an existing list.
///
/// # Format
/// `RPUSHX key element [element ...]`
pub fn rpushx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    push(ctx, argv, End::Tail, true)
}

/// Shared body of LPOP/RPOP.
fn pop(ctx: &mut Ctx, argv: &[Vec<u8>], end: End) -> Frame {
    if argv.len() > 3 {
        return Frame::error(errors::wrong_args(if end == End::Head { "lpop" } else { "rpop" }));
    }
    let count = match argv.get(2) {
        None => None,
        Some(arg) => match parse_strict_i64(arg) {
            Some(n) if n >= 0 => Some(n as u64),
            _ => return Frame::error("ERR value is out of range, must be positive"),
        },
    };
    let list = match write_list(ctx, &argv[1]) {
        Err(e) => return e,
        // 7.0 answers a missing key with nil, or a nil *array* when a count was given.
        Ok(None) => return if count.is_some() { Frame::NullArray } else { Frame::Null },
        Ok(Some(list)) => list,
    };
    let mut take_one = || match end {
        End::Head => list.pop_front(),
        End::Tail => list.pop_back(),
    };
    let reply = match count {
        Some(0) => return Frame::Array(vec![]),
        None => take_one().map(Frame::Bulk).unwrap_or(Frame::Null),
        Some(n) => {
            let mut popped = Vec::new();
            while (popped.len() as u64) < n {
                match take_one() {
                    Some(e) => popped.push(Frame::Bulk(e)),
                    None => break,
                }
            }
            Frame::Array(popped)
        }
    };
    let now_empty = list.is_empty();
    finish_write(ctx, argv, now_empty);
    reply
}

/// Removes and returns the first element, or up to `count` elements as an
/// array. A missing key replies nil (`$-1`), or `*-1` when `count` is given.
///
/// # Format
/// `LPOP key [count]`
pub fn lpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    pop(ctx, argv, End::Head)
}

/// Removes and returns the last element(s); see [`lpop`].
///
/// # Format
/// `RPOP key [count]`
pub fn rpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    pop(ctx, argv, End::Tail)
}

/// The elements between two indexes, both inclusive; negative indexes count
/// from the end (`LRANGE l 0 -1` is the whole list).
///
/// # Format
/// `LRANGE key start stop`
pub fn lrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let (start, stop) = match (parse_long(&argv[2]), parse_long(&argv[3])) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let list = match read_list(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Frame::Array(vec![]),
        Ok(Some(list)) => list,
    };
    match index_range(start, stop, list.len()) {
        None => Frame::Array(vec![]),
        Some((a, b)) => Frame::bulk_array(list.range(a..=b).cloned()),
    }
}

/// The length of the list (0 if missing).
///
/// # Format
/// `LLEN key`
pub fn llen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_list(ctx, &argv[1]) {
        Err(e) => e,
        Ok(list) => Frame::Integer(list.map_or(0, |l| l.len() as i64)),
    }
}

/// The element at an index, or nil. Redis checks the key before the index,
/// so `LINDEX missing x` is nil, not an error.
///
/// # Format
/// `LINDEX key index`
pub fn lindex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let list = match read_list(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Frame::Null,
        Ok(Some(list)) => list,
    };
    let index = match parse_long(&argv[2]) {
        Ok(i) => i,
        Err(e) => return e,
    };
    match element_index(index, list.len()) {
        Some(i) => Frame::Bulk(list[i].clone()),
        None => Frame::Null,
    }
}

/// Replaces the element at an index.
///
/// # Format
/// `LSET key index element`
pub fn lset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let list = match write_list(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Frame::error(errors::NO_SUCH_KEY),
        Ok(Some(list)) => list,
    };
    let index = match parse_long(&argv[2]) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let Some(i) = element_index(index, list.len()) else {
        return Frame::error("ERR index out of range");
    };
    list[i] = argv[3].clone();
    finish_write(ctx, argv, false);
    Frame::ok()
}

/// Removes elements equal to `element`: the first `count` from the head if
/// `count > 0`, the last `-count` from the tail if negative, all if 0.
///
/// # Format
/// `LREM key count element`
pub fn lrem(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let count = match parse_long(&argv[2]) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let element = &argv[3];
    let list = match write_list(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Frame::Integer(0),
        Ok(Some(list)) => list,
    };
    let limit = if count == 0 { u64::MAX } else { count.unsigned_abs() };
    let mut matching: Vec<usize> = list.iter().enumerate().filter(|(_, e)| *e == element).map(|(i, _)| i).collect();
    if count < 0 {
        matching.reverse();
    }
    matching.truncate(limit.min(matching.len() as u64) as usize);
    if matching.is_empty() {
        return Frame::Integer(0);
    }
    crate::util::sort(&mut matching);
    for &i in matching.iter().rev() {
        list.remove(i);
    }
    let now_empty = list.is_empty();
    finish_write(ctx, argv, now_empty);
    Frame::Integer(matching.len() as i64)
}

/// Keeps only the elements between two indexes (inclusive); a range that
/// selects nothing deletes the key. Propagated only if something was
/// removed.
///
/// # Format
/// `LTRIM key start stop`
pub fn ltrim(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let (start, stop) = match (parse_long(&argv[2]), parse_long(&argv[3])) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let list = match write_list(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Frame::ok(),
        Ok(Some(list)) => list,
    };
    let before = list.len();
    match index_range(start, stop, before) {
        None => list.clear(),
        Some((a, b)) => {
            list.truncate(b + 1);
            list.drain(..a);
        }
    }
    if list.len() != before {
        let now_empty = list.is_empty();
        finish_write(ctx, argv, now_empty);
    }
    Frame::ok()
}

/// Inserts `element` before or after the first occurrence of `pivot`.
/// Replies with the new length, `-1` if the pivot is absent, `0` if the key
/// is missing.
///
/// # Format
/// `LINSERT key BEFORE|AFTER pivot element`
pub fn linsert(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let after = if argv[2].eq_ignore_ascii_case(b"after") {
        true
    } else if argv[2].eq_ignore_ascii_case(b"before") {
        false
    } else {
        return Frame::error(errors::SYNTAX);
    };
    let list = match write_list(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Frame::Integer(0),
        Ok(Some(list)) => list,
    };
    let Some(pos) = list.iter().position(|e| *e == argv[3]) else {
        return Frame::Integer(-1);
    };
    list.insert(if after { pos + 1 } else { pos }, argv[4].clone());
    let len = list.len() as i64;
    finish_write(ctx, argv, false);
    Frame::Integer(len)
}

/// The index of matching elements. `RANK n` skips to the n-th match
/// (negative: scan from the tail), `COUNT n` returns up to n matches as an
/// array (0 = all), `MAXLEN n` compares at most n elements.
///
/// # Format
/// `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`
pub fn lpos(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let mut rank: i64 = 1;
    let mut count: Option<i64> = None;
    let mut maxlen: i64 = 0;
    let mut i = 3;
    while i < argv.len() {
        let opt = &argv[i];
        let Some(value) = argv.get(i + 1) else {
            return Frame::error(errors::SYNTAX);
        };
        if opt.eq_ignore_ascii_case(b"rank") {
            rank = match parse_long(value) {
                Ok(r) => r,
                Err(e) => return e,
            };
            if rank == 0 {
                return Frame::error(
                    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
                );
            }
        } else if opt.eq_ignore_ascii_case(b"count") {
            match parse_strict_i64(value) {
                Some(c) if c >= 0 => count = Some(c),
                _ => return Frame::error("ERR COUNT can't be negative"),
            }
        } else if opt.eq_ignore_ascii_case(b"maxlen") {
            match parse_strict_i64(value) {
                Some(m) if m >= 0 => maxlen = m,
                _ => return Frame::error("ERR MAXLEN can't be negative"),
            }
        } else {
            return Frame::error(errors::SYNTAX);
        }
        i += 2;
    }
    let list = match read_list(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return if count.is_some() { Frame::Array(vec![]) } else { Frame::Null },
        Ok(Some(list)) => list,
    };
    let from_tail = rank < 0;
    // Redis negates the rank with C overflow semantics: RANK i64::MIN stays
    // negative, so every match satisfies `matches >= rank`.
    let rank = if from_tail { rank.wrapping_neg() } else { rank };
    let len = list.len();
    let positions: Box<dyn Iterator<Item = usize>> =
        if from_tail { Box::new((0..len).rev()) } else { Box::new(0..len) };
    let mut found = Vec::new();
    let mut matches: i64 = 0;
    for (scanned, pos) in positions.enumerate() {
        if maxlen != 0 && scanned as i64 >= maxlen {
            break;
        }
        if list[pos] != argv[2] {
            continue;
        }
        matches += 1;
        if matches >= rank {
            found.push(pos as i64);
            match count {
                None => break,
                Some(c) if c != 0 && found.len() as i64 == c => break,
                _ => {}
            }
        }
    }
    match count {
        Some(_) => Frame::Array(found.into_iter().map(Frame::Integer).collect()),
        None => found.first().map_or(Frame::Null, |&p| Frame::Integer(p)),
    }
}

/// This family's commands, with Redis 7.0's arity and flags (`COMMAND INFO`).
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec { name: "lindex", arity: 3, flags: flags::READONLY, handler: lindex },
    CommandSpec { name: "linsert", arity: 5, flags: flags::WRITE | flags::DENYOOM, handler: linsert },
    CommandSpec { name: "llen", arity: 2, flags: flags::READONLY | flags::FAST, handler: llen },
    CommandSpec { name: "lpop", arity: -2, flags: flags::WRITE | flags::FAST, handler: lpop },
    CommandSpec { name: "lpos", arity: -3, flags: flags::READONLY, handler: lpos },
    CommandSpec { name: "lpush", arity: -3, flags: flags::WRITE | flags::DENYOOM | flags::FAST, handler: lpush },
    CommandSpec { name: "lpushx", arity: -3, flags: flags::WRITE | flags::DENYOOM | flags::FAST, handler: lpushx },
    CommandSpec { name: "lrange", arity: 4, flags: flags::READONLY, handler: lrange },
    CommandSpec { name: "lrem", arity: 4, flags: flags::WRITE, handler: lrem },
    CommandSpec { name: "lset", arity: 4, flags: flags::WRITE | flags::DENYOOM, handler: lset },
    CommandSpec { name: "ltrim", arity: 4, flags: flags::WRITE, handler: ltrim },
    CommandSpec { name: "rpop", arity: -2, flags: flags::WRITE | flags::FAST, handler: rpop },
    CommandSpec { name: "rpush", arity: -3, flags: flags::WRITE | flags::DENYOOM | flags::FAST, handler: rpush },
    CommandSpec { name: "rpushx", arity: -3, flags: flags::WRITE | flags::DENYOOM | flags::FAST, handler: rpushx },
];
