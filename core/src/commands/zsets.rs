//! Sorted set commands: ZADD, ZINCRBY, ZREM, ZSCORE, ZMSCORE, ZCARD, ZRANK,
//! ZREVRANK, ZCOUNT, ZLEXCOUNT, and the range family: ZRANGE in Redis 6.2+'s
//! unified form (`BYSCORE`, `BYLEX`, `REV`, `LIMIT`, `WITHSCORES`) plus the
//! older ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX and
//! ZREVRANGEBYLEX, which Redis implements as fixed settings of the same
//! parser (so they share its error messages).
//!
//! Scores are parsed and printed by [`crate::double`] exactly as Redis
//! does (`0.1` replies `0.10000000000000001`).
//!
//! Replication: ZADD, ZINCRBY and ZREM are propagated verbatim, options and
//! all (`ZADD z INCR 1 m` is *not* rewritten into the resulting score),
//! and only when at least one member was added, removed or changed score.
//! `ZADD z 1 m` when m already scores 1, `ZADD z XX …` on a missing key,
//! `ZINCRBY z 0 m`: nothing is propagated.

use super::lists::index_range;
use super::{CommandSpec, Ctx, errors, flags};
use crate::double::{format_double, parse_double, parse_range_double};
use crate::keyspace::{SortedSet, Value};
use crate::resp::Frame;
use crate::util::parse_strict_i64;

const NAN_RESULT: &str = "ERR resulting score is not a number (NaN)";
const NOT_FLOAT_RANGE: &str = "ERR min or max is not a float";
const NOT_LEX_RANGE: &str = "ERR min or max not valid string range item";

/// The sorted set at `key` for reading: `Ok(None)` if missing, `Err`
/// (WRONGTYPE) if it holds another type.
fn read_zset<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a SortedSet>, Frame> {
    match ctx.lookup_read(key) {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => Err(Frame::error(errors::WRONGTYPE)),
    }
}

/// The sorted set at `key` for writing, like [`read_zset`].
fn write_zset<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut SortedSet>, Frame> {
    match ctx.lookup_write(key) {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => Err(Frame::error(errors::WRONGTYPE)),
    }
}

fn score_frame(score: f64) -> Frame {
    Frame::Bulk(format_double(score).into_bytes())
}

/// The options of ZADD (ZINCRBY is ZADD with INCR).
#[derive(Clone, Copy, Default)]
struct ZaddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    ch: bool,
    incr: bool,
}

/// What adding one member did (Redis's `ZADD_OUT_*` flags).
#[derive(Clone, Copy, PartialEq, Eq)]
enum AddOutcome {
    Added,
    Updated,
    /// Present and its score did not change (INCR by 0, same score).
    Unchanged,
    /// Skipped because of NX, XX, GT or LT.
    Skipped,
}

/// Redis's `zsetAdd` for one member: applies the flags and returns what
/// happened with the member's final score, or `None` if INCR produced NaN.
fn zset_add(z: &mut SortedSet, member: &[u8], mut score: f64, f: ZaddFlags) -> Option<(AddOutcome, f64)> {
    match z.score(member) {
        Some(current) => {
            if f.nx {
                return Some((AddOutcome::Skipped, current));
            }
            if f.incr {
                score += current;
                if score.is_nan() {
                    return None;
                }
            }
            if (f.lt && score >= current) || (f.gt && score <= current) {
                return Some((AddOutcome::Skipped, current));
            }
            if score == current {
                return Some((AddOutcome::Unchanged, current));
            }
            z.insert(member.to_vec(), score);
            Some((AddOutcome::Updated, score))
        }
        None => {
            if f.xx {
                return Some((AddOutcome::Skipped, score));
            }
            z.insert(member.to_vec(), score);
            Some((AddOutcome::Added, score))
        }
    }
}

/// Shared body of ZADD and ZINCRBY (Redis's `zaddGenericCommand`). ZADD
/// reads options from argv[2] on; ZINCRBY has none and arrives with INCR set.
fn zadd_generic(ctx: &mut Ctx, argv: &[Vec<u8>], mut f: ZaddFlags, scan_options: bool) -> Frame {
    let mut idx = 2;
    while scan_options && idx < argv.len() {
        let opt = argv[idx].to_ascii_lowercase();
        match opt.as_slice() {
            b"nx" => f.nx = true,
            b"xx" => f.xx = true,
            b"gt" => f.gt = true,
            b"lt" => f.lt = true,
            b"ch" => f.ch = true,
            b"incr" => f.incr = true,
            _ => break,
        }
        idx += 1;
    }
    let rest = &argv[idx..];
    if rest.is_empty() || rest.len() % 2 == 1 {
        return Frame::error(errors::SYNTAX);
    }
    if f.nx && f.xx {
        return Frame::error("ERR XX and NX options at the same time are not compatible");
    }
    if (f.nx && (f.gt || f.lt)) || (f.gt && f.lt) {
        return Frame::error("ERR GT, LT, and/or NX options at the same time are not compatible");
    }
    if f.incr && rest.len() > 2 {
        return Frame::error("ERR INCR option supports a single increment-element pair");
    }
    // Every score is checked before anything changes: all or nothing.
    let mut pairs = Vec::with_capacity(rest.len() / 2);
    for pair in rest.chunks_exact(2) {
        match parse_double(&pair[0]) {
            Some(score) => pairs.push((score, &pair[1])),
            None => return Frame::error(errors::NOT_FLOAT),
        }
    }
    let key = &argv[1];
    let no_reply = || if f.incr { Frame::Null } else { Frame::Integer(0) };
    let z = match write_zset(ctx, key) {
        Err(e) => return e,
        Ok(Some(z)) => z,
        Ok(None) if f.xx => return no_reply(),
        Ok(None) => {
            ctx.db().put(key.clone(), Value::ZSet(SortedSet::new()));
            match write_zset(ctx, key) {
                Ok(Some(z)) => z,
                _ => return Frame::error(errors::WRONGTYPE),
            }
        }
    };
    let (mut added, mut updated, mut processed) = (0, 0, 0);
    let mut last_score = 0.0;
    for (score, member) in pairs {
        let Some((outcome, new_score)) = zset_add(z, member, score, f) else {
            return Frame::error(NAN_RESULT);
        };
        match outcome {
            AddOutcome::Added => added += 1,
            AddOutcome::Updated => updated += 1,
            _ => {}
        }
        if outcome != AddOutcome::Skipped {
            processed += 1;
        }
        last_score = new_score;
    }
    if added + updated > 0 {
        ctx.propagate(argv.to_vec());
    }
    if f.incr {
        if processed > 0 { score_frame(last_score) } else { Frame::Null }
    } else {
        Frame::Integer(if f.ch { added + updated } else { added })
    }
}

/// Adds members or updates their scores; replies with the number added
/// (added + changed with CH). With INCR it behaves like ZINCRBY and replies
/// with the new score, or nil when NX/XX/GT/LT prevented the change.
///
/// # Format
/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]`
pub fn zadd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    zadd_generic(ctx, argv, ZaddFlags::default(), true)
}

/// Adds `increment` to a member's score (a missing member starts at 0) and
/// replies with the new score.
///
/// # Format
/// `ZINCRBY key increment member`
pub fn zincrby(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    zadd_generic(ctx, argv, ZaddFlags { incr: true, ..ZaddFlags::default() }, false)
}

/// Removes members; replies with how many existed. An emptied sorted set
/// is deleted.
///
/// # Format
/// `ZREM key member [member ...]`
pub fn zrem(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let z = match write_zset(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Frame::Integer(0),
        Ok(Some(z)) => z,
    };
    let removed = argv[2..].iter().filter(|m| z.remove(m).is_some()).count();
    let now_empty = z.is_empty();
    if removed > 0 {
        if now_empty {
            ctx.db().remove(&argv[1]);
        }
        ctx.propagate(argv.to_vec());
    }
    Frame::Integer(removed as i64)
}

/// The score of a member, or nil.
///
/// # Format
/// `ZSCORE key member`
pub fn zscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_zset(ctx, &argv[1]) {
        Err(e) => e,
        Ok(z) => z.and_then(|z| z.score(&argv[2])).map_or(Frame::Null, score_frame),
    }
}

/// The scores of several members, nil for each missing one.
///
/// # Format
/// `ZMSCORE key member [member ...]`
pub fn zmscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_zset(ctx, &argv[1]) {
        Err(e) => e,
        Ok(z) => Frame::Array(
            argv[2..].iter().map(|m| z.and_then(|z| z.score(m)).map_or(Frame::Null, score_frame)).collect(),
        ),
    }
}

/// The number of members (0 if missing).
///
/// # Format
/// `ZCARD key`
pub fn zcard(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match read_zset(ctx, &argv[1]) {
        Err(e) => e,
        Ok(z) => Frame::Integer(z.map_or(0, |z| z.len() as i64)),
    }
}

fn rank_generic(ctx: &mut Ctx, argv: &[Vec<u8>], reverse: bool) -> Frame {
    let z = match read_zset(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Frame::Null,
        Ok(Some(z)) => z,
    };
    match z.rank(&argv[2]) {
        None => Frame::Null,
        Some(r) if reverse => Frame::Integer((z.len() - 1 - r) as i64),
        Some(r) => Frame::Integer(r as i64),
    }
}

/// The 0-based position of a member, lowest score first; nil if absent.
///
/// # Format
/// `ZRANK key member`
pub fn zrank(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    rank_generic(ctx, argv, false)
}

/// The 0-based position of a member, highest score first.
///
/// # Format
/// `ZREVRANK key member`
pub fn zrevrank(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    rank_generic(ctx, argv, true)
}

/// A score interval, each end inclusive or exclusive (`(1` excludes 1).
#[derive(Clone, Copy, Debug)]
struct ScoreRange {
    min: f64,
    min_ex: bool,
    max: f64,
    max_ex: bool,
}

impl ScoreRange {
    /// Redis's `zslParseRange`.
    fn parse(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
        fn bound(arg: &[u8]) -> Option<(f64, bool)> {
            match arg.strip_prefix(b"(") {
                Some(rest) => parse_range_double(rest).map(|v| (v, true)),
                None => parse_range_double(arg).map(|v| (v, false)),
            }
        }
        let (min, min_ex) = bound(min)?;
        let (max, max_ex) = bound(max)?;
        Some(ScoreRange { min, min_ex, max, max_ex })
    }

    fn gte_min(&self, score: f64) -> bool {
        if self.min_ex { score > self.min } else { score >= self.min }
    }

    fn lte_max(&self, score: f64) -> bool {
        if self.max_ex { score < self.max } else { score <= self.max }
    }

    /// False for ranges that can never match (`5 1`, `(1 1`).
    fn can_match(&self) -> bool {
        !(self.min > self.max || (self.min == self.max && (self.min_ex || self.max_ex)))
    }
}

/// One end of a BYLEX range: `-`, `+`, `[member` (inclusive) or `(member`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum LexBound {
    NegInf,
    PosInf,
    Inclusive(Vec<u8>),
    Exclusive(Vec<u8>),
}

impl LexBound {
    /// Redis's `zslParseLexRangeItem`.
    fn parse(arg: &[u8]) -> Option<LexBound> {
        match arg.first()? {
            b'+' if arg.len() == 1 => Some(LexBound::PosInf),
            b'-' if arg.len() == 1 => Some(LexBound::NegInf),
            b'[' => Some(LexBound::Inclusive(arg[1..].to_vec())),
            b'(' => Some(LexBound::Exclusive(arg[1..].to_vec())),
            _ => None,
        }
    }

    /// Compares two bounds as Redis's `sdscmplex` does: `-` sorts before
    /// and `+` after every string.
    fn cmp_bounds(a: &LexBound, b: &LexBound) -> std::cmp::Ordering {
        use std::cmp::Ordering::*;
        match (a, b) {
            (LexBound::NegInf, LexBound::NegInf) | (LexBound::PosInf, LexBound::PosInf) => Equal,
            (LexBound::NegInf, _) | (_, LexBound::PosInf) => Less,
            (_, LexBound::NegInf) | (LexBound::PosInf, _) => Greater,
            (LexBound::Inclusive(x) | LexBound::Exclusive(x), LexBound::Inclusive(y) | LexBound::Exclusive(y)) => {
                x.cmp(y)
            }
        }
    }

    /// Redis marks `-` and `+` exclusive too.
    fn is_exclusive(&self) -> bool {
        matches!(self, LexBound::Exclusive(_) | LexBound::NegInf | LexBound::PosInf)
    }
}

/// A member interval for BYLEX.
#[derive(Clone, Debug)]
struct LexRange {
    min: LexBound,
    max: LexBound,
}

impl LexRange {
    fn parse(min: &[u8], max: &[u8]) -> Option<LexRange> {
        Some(LexRange { min: LexBound::parse(min)?, max: LexBound::parse(max)? })
    }

    fn gte_min(&self, m: &[u8]) -> bool {
        match &self.min {
            LexBound::NegInf => true,
            LexBound::PosInf => false,
            LexBound::Inclusive(x) => m >= x.as_slice(),
            LexBound::Exclusive(x) => m > x.as_slice(),
        }
    }

    fn lte_max(&self, m: &[u8]) -> bool {
        match &self.max {
            LexBound::PosInf => true,
            LexBound::NegInf => false,
            LexBound::Inclusive(x) => m <= x.as_slice(),
            LexBound::Exclusive(x) => m < x.as_slice(),
        }
    }

    /// Redis's `zzlIsInLexRange`: false for ranges that cannot match, or
    /// when the last member is below min or the first above max.
    fn can_match(&self, z: &SortedSet) -> bool {
        let cmp = LexBound::cmp_bounds(&self.min, &self.max);
        if cmp.is_gt() || (cmp.is_eq() && (self.min.is_exclusive() || self.max.is_exclusive())) {
            return false;
        }
        let (Some((first, _)), Some((last, _))) = (z.iter().next(), z.iter().next_back()) else {
            return false;
        };
        self.gte_min(last) && self.lte_max(first)
    }
}

/// The members a BYSCORE range selects, in the requested direction.
fn score_range_members(z: &SortedSet, range: &ScoreRange, reverse: bool) -> Vec<(Vec<u8>, f64)> {
    if !range.can_match() {
        return vec![];
    }
    let in_range = |(m, s): (&Vec<u8>, f64)| (range.gte_min(s) && range.lte_max(s)).then(|| (m.clone(), s));
    if reverse { z.iter().rev().filter_map(in_range).collect() } else { z.iter().filter_map(in_range).collect() }
}

/// The members a BYLEX range selects, in the requested direction. Redis
/// finds the first member past the start bound and walks until the end
/// bound fails (members are assumed to share one score; with mixed scores
/// this walk is what decides the result).
fn lex_range_members(z: &SortedSet, range: &LexRange, reverse: bool) -> Vec<(Vec<u8>, f64)> {
    if !range.can_match(z) {
        return vec![];
    }
    let mut out = Vec::new();
    if reverse {
        let mut it = z.iter().rev().skip_while(|(m, _)| !range.lte_max(m));
        if let Some((m, s)) = it.next().filter(|(m, _)| range.gte_min(m)) {
            out.push((m.clone(), s));
            out.extend(it.take_while(|(m, _)| range.gte_min(m)).map(|(m, s)| (m.clone(), s)));
        }
    } else {
        let mut it = z.iter().skip_while(|(m, _)| !range.gte_min(m));
        if let Some((m, s)) = it.next().filter(|(m, _)| range.lte_max(m)) {
            out.push((m.clone(), s));
            out.extend(it.take_while(|(m, _)| range.lte_max(m)).map(|(m, s)| (m.clone(), s)));
        }
    }
    out
}

/// How a ZRANGE-family command interprets `start stop`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RangeBy {
    /// ZRANGE's default until BYSCORE/BYLEX is seen.
    Auto,
    Rank,
    Score,
    Lex,
}

/// The parsed range, after option checks.
enum RangeSpec {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// Redis's `zrangeGenericCommand`: ZRANGE passes `Auto`/`None` and reads
/// BYSCORE/BYLEX/REV from its options; the older commands fix them.
fn zrange_generic(ctx: &mut Ctx, argv: &[Vec<u8>], fixed_by: RangeBy, fixed_rev: Option<bool>) -> Frame {
    let mut by = fixed_by;
    let mut rev = fixed_rev;
    let mut withscores = false;
    let mut offset: i64 = 0;
    let mut limit: i64 = -1;
    let mut j = 4;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let opt = argv[j].to_ascii_lowercase();
        if opt == b"withscores" {
            withscores = true;
        } else if opt == b"limit" && left >= 2 {
            match (parse_strict_i64(&argv[j + 1]), parse_strict_i64(&argv[j + 2])) {
                (Some(o), Some(l)) => (offset, limit) = (o, l),
                _ => return Frame::error(errors::NOT_INTEGER),
            }
            j += 2;
        } else if rev.is_none() && opt == b"rev" {
            rev = Some(true);
        } else if by == RangeBy::Auto && opt == b"bylex" {
            by = RangeBy::Lex;
        } else if by == RangeBy::Auto && opt == b"byscore" {
            by = RangeBy::Score;
        } else {
            return Frame::error(errors::SYNTAX);
        }
        j += 1;
    }
    let reverse = rev.unwrap_or(false);
    if by == RangeBy::Auto {
        by = RangeBy::Rank;
    }
    // Redis tests `limit != -1`, so `LIMIT 5 -1` slips through with a rank range.
    if limit != -1 && by == RangeBy::Rank {
        return Frame::error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    }
    if withscores && by == RangeBy::Lex {
        return Frame::error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    }
    // Reversed score and lex ranges are written max first.
    let (min_arg, max_arg) = if reverse && by != RangeBy::Rank { (&argv[3], &argv[2]) } else { (&argv[2], &argv[3]) };
    let spec = match by {
        RangeBy::Score => match ScoreRange::parse(min_arg, max_arg) {
            Some(r) => RangeSpec::Score(r),
            None => return Frame::error(NOT_FLOAT_RANGE),
        },
        RangeBy::Lex => match LexRange::parse(min_arg, max_arg) {
            Some(r) => RangeSpec::Lex(r),
            None => return Frame::error(NOT_LEX_RANGE),
        },
        _ => match (parse_strict_i64(min_arg), parse_strict_i64(max_arg)) {
            (Some(a), Some(b)) => RangeSpec::Rank(a, b),
            _ => return Frame::error(errors::NOT_INTEGER),
        },
    };
    let z = match read_zset(ctx, &argv[1]) {
        Err(e) => return e,
        Ok(None) => return Frame::Array(vec![]),
        Ok(Some(z)) => z,
    };
    let selected: Vec<(Vec<u8>, f64)> = match spec {
        RangeSpec::Rank(start, stop) => match index_range(start, stop, z.len()) {
            None => vec![],
            Some((a, b)) => {
                let take = b - a + 1;
                let pick = |(m, s): (&Vec<u8>, f64)| (m.clone(), s);
                if reverse {
                    z.iter().rev().skip(a).take(take).map(pick).collect()
                } else {
                    z.iter().skip(a).take(take).map(pick).collect()
                }
            }
        },
        RangeSpec::Score(r) => apply_limit(score_range_members(z, &r, reverse), offset, limit),
        RangeSpec::Lex(r) => apply_limit(lex_range_members(z, &r, reverse), offset, limit),
    };
    let mut out = Vec::with_capacity(selected.len() * if withscores { 2 } else { 1 });
    for (m, s) in selected {
        out.push(Frame::Bulk(m));
        if withscores {
            out.push(score_frame(s));
        }
    }
    Frame::Array(out)
}

/// `LIMIT offset count`: a negative offset selects nothing, a negative
/// count means "all the rest".
fn apply_limit<T>(items: Vec<T>, offset: i64, limit: i64) -> Vec<T> {
    if offset < 0 {
        return vec![];
    }
    let it = items.into_iter().skip(usize::try_from(offset).unwrap_or(usize::MAX));
    if limit < 0 { it.collect() } else { it.take(usize::try_from(limit).unwrap_or(usize::MAX)).collect() }
}

/// Members by rank, score or lexicographic range.
///
/// # Format
/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`
pub fn zrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    zrange_generic(ctx, argv, RangeBy::Auto, None)
}

/// Members by rank, highest score first.
///
/// # Format
/// `ZREVRANGE key start stop [WITHSCORES]`
pub fn zrevrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    zrange_generic(ctx, argv, RangeBy::Rank, Some(true))
}

/// Members with scores between min and max.
///
/// # Format
/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]`
pub fn zrangebyscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    zrange_generic(ctx, argv, RangeBy::Score, Some(false))
}

/// Members with scores between max and min, highest first.
///
/// # Format
/// `ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]`
pub fn zrevrangebyscore(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    zrange_generic(ctx, argv, RangeBy::Score, Some(true))
}

/// Members between two lexicographic bounds.
///
/// # Format
/// `ZRANGEBYLEX key min max [LIMIT offset count]`
pub fn zrangebylex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    zrange_generic(ctx, argv, RangeBy::Lex, Some(false))
}

/// Members between two lexicographic bounds, in reverse.
///
/// # Format
/// `ZREVRANGEBYLEX key max min [LIMIT offset count]`
pub fn zrevrangebylex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    zrange_generic(ctx, argv, RangeBy::Lex, Some(true))
}

/// The number of members with a score in `[min, max]`.
///
/// # Format
/// `ZCOUNT key min max`
pub fn zcount(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let Some(range) = ScoreRange::parse(&argv[2], &argv[3]) else {
        return Frame::error(NOT_FLOAT_RANGE);
    };
    match read_zset(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Frame::Integer(0),
        Ok(Some(z)) => Frame::Integer(score_range_members(z, &range, false).len() as i64),
    }
}

/// The number of members between two lexicographic bounds.
///
/// # Format
/// `ZLEXCOUNT key min max`
pub fn zlexcount(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let Some(range) = LexRange::parse(&argv[2], &argv[3]) else {
        return Frame::error(NOT_LEX_RANGE);
    };
    match read_zset(ctx, &argv[1]) {
        Err(e) => e,
        Ok(None) => Frame::Integer(0),
        Ok(Some(z)) => Frame::Integer(lex_range_members(z, &range, false).len() as i64),
    }
}

/// This family's commands, with Redis 7.0's arity and flags (`COMMAND INFO`).
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec { name: "zadd", arity: -4, flags: flags::WRITE | flags::DENYOOM | flags::FAST, handler: zadd },
    CommandSpec { name: "zcard", arity: 2, flags: flags::READONLY | flags::FAST, handler: zcard },
    CommandSpec { name: "zcount", arity: 4, flags: flags::READONLY | flags::FAST, handler: zcount },
    CommandSpec { name: "zincrby", arity: 4, flags: flags::WRITE | flags::DENYOOM | flags::FAST, handler: zincrby },
    CommandSpec { name: "zlexcount", arity: 4, flags: flags::READONLY | flags::FAST, handler: zlexcount },
    CommandSpec { name: "zmscore", arity: -3, flags: flags::READONLY | flags::FAST, handler: zmscore },
    CommandSpec { name: "zrange", arity: -4, flags: flags::READONLY, handler: zrange },
    CommandSpec { name: "zrangebylex", arity: -4, flags: flags::READONLY, handler: zrangebylex },
    CommandSpec { name: "zrangebyscore", arity: -4, flags: flags::READONLY, handler: zrangebyscore },
    CommandSpec { name: "zrank", arity: 3, flags: flags::READONLY | flags::FAST, handler: zrank },
    CommandSpec { name: "zrem", arity: -3, flags: flags::WRITE | flags::FAST, handler: zrem },
    CommandSpec { name: "zrevrange", arity: -4, flags: flags::READONLY, handler: zrevrange },
    CommandSpec { name: "zrevrangebylex", arity: -4, flags: flags::READONLY, handler: zrevrangebylex },
    CommandSpec { name: "zrevrangebyscore", arity: -4, flags: flags::READONLY, handler: zrevrangebyscore },
    CommandSpec { name: "zrevrank", arity: 3, flags: flags::READONLY | flags::FAST, handler: zrevrank },
    CommandSpec { name: "zscore", arity: 3, flags: flags::READONLY | flags::FAST, handler: zscore },
];
