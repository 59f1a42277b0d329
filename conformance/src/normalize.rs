//! What may legitimately differ between the core and a real server, and how
//! each difference is removed before the byte-for-byte comparison.
//!
//! Only randomness, wall-clock time and the harness's own presence are
//! normalised; everything else must be identical. Each rule is a separate
//! function with the reason in its doc comment, and every rule that fires is
//! named in the mismatch report, so a developer sees what was masked.
//!
//! | rule | commands | why |
//! |------|----------|-----|
//! | [`TTL_TOLERANCE_S`] | TTL, EXPIRETIME | the core's `now_ms` is the real `TIME` taken a moment before the command |
//! | [`PTTL_TOLERANCE_MS`] | PTTL, PEXPIRETIME | same, in ms |
//! | stream unix-ms ±[`UNIX_MS_TOLERANCE`] | propagated `SET … PXAT <ms>`, `PEXPIREAT k <ms>` | absolute times computed from each side's clock |
//! | [`UNORDERED`] | KEYS | Redis iterates its dict in hash order |
//! | [`UNORDERED_UNLESS_INTSET`] | SMEMBERS, SINTER, SUNION, SDIFF, SPOP/SRANDMEMBER with count | 7.0 keeps non-integer sets in a hash table; integer sets (intset) are sorted and compared exactly |
//! | [`config_get_pairs`] | CONFIG GET | the config dict's iteration order |
//! | [`info_view`] | INFO | most fields describe the process (memory, pid, clients) |
//! | [`role_view`] | ROLE | the replica list shows the harness's raw replica, which the core does not have |
//! | EXEC | EXEC | each element gets the rule of the command it answers |
//! | [`ALLOWED_DIFFERENCES`] | COMMAND COUNT | known, accepted differences |
//!
//! Hash replies (HGETALL, HKEYS, HVALS) are compared exactly: Redis 7.0 keeps
//! small hashes (≤128 fields, values ≤64 bytes) as listpacks in insertion
//! order, which is the order the core documents. Cases keep hashes small.
//!
//! Randomness: SPOP and SRANDMEMBER choose with each side's own RNG, so cases
//! only use them where the choice is forced (a 1-member set, or a count ≥
//! the set's size); RANDOMKEY likewise only on a 1-key db.

use replscope_core::resp::{Frame, encode_command};

use crate::wire::parse_commands;

/// TTL/EXPIRETIME replies (seconds) may differ by this much.
pub const TTL_TOLERANCE_S: i64 = 2;
/// PTTL/PEXPIRETIME replies (ms) may differ by this much.
pub const PTTL_TOLERANCE_MS: i64 = 2000;
/// Absolute unix-ms times in the replication stream may differ by this much.
pub const UNIX_MS_TOLERANCE: i64 = 2000;

/// Replies compared as sorted multisets.
pub const UNORDERED: &[&str] = &["KEYS"];
/// Replies compared as sorted multisets unless every element is an integer
/// (then the set was an intset, which Redis replies in numeric order).
pub const UNORDERED_UNLESS_INTSET: &[&str] = &["SMEMBERS", "SINTER", "SUNION", "SDIFF", "SPOP", "SRANDMEMBER"];

/// A known difference that is reported but does not fail the suite.
#[derive(Debug)]
pub struct AllowedDifference {
    /// The argv prefix it applies to, case-insensitive.
    pub command: &'static [&'static str],
    pub reason: &'static str,
}

/// Differences the suite accepts. Keep this list short and justified.
pub const ALLOWED_DIFFERENCES: &[AllowedDifference] = &[AllowedDifference {
    command: &["COMMAND", "COUNT"],
    reason: "the core implements the subset of Redis 7.0's commands ReplScope teaches, not all ~240",
}];

/// The allowed difference covering `argv`, if any.
pub fn allowed_difference(argv: &[Vec<u8>]) -> Option<&'static AllowedDifference> {
    ALLOWED_DIFFERENCES.iter().find(|d| {
        d.command.len() <= argv.len() && d.command.iter().zip(argv).all(|(w, a)| a.eq_ignore_ascii_case(w.as_bytes()))
    })
}

/// A reply pair after normalisation, with the rules that changed something.
#[derive(Clone, Debug, PartialEq)]
pub struct Normalized {
    pub core: Frame,
    pub real: Frame,
    pub notes: Vec<String>,
}

/// Normalises the replies of `argv`. `queued` holds the commands a
/// transaction queued when `argv` is EXEC.
pub fn replies(argv: &[Vec<u8>], core: &Frame, real: &Frame, queued: &[Vec<Vec<u8>>]) -> Normalized {
    let mut notes = Vec::new();
    let (core, real) = reply_pair(argv, core.clone(), real.clone(), queued, &mut notes);
    Normalized { core, real, notes }
}

fn reply_pair(
    argv: &[Vec<u8>],
    core: Frame,
    real: Frame,
    queued: &[Vec<Vec<u8>>],
    notes: &mut Vec<String>,
) -> (Frame, Frame) {
    let name = argv.first().map(|n| String::from_utf8_lossy(n).to_ascii_uppercase()).unwrap_or_default();
    let sub = argv.get(1).map(|s| String::from_utf8_lossy(s).to_ascii_uppercase()).unwrap_or_default();
    match name.as_str() {
        "TTL" | "EXPIRETIME" => within(core, real, TTL_TOLERANCE_S, &name, "s", notes),
        "PTTL" | "PEXPIRETIME" => within(core, real, PTTL_TOLERANCE_MS, &name, "ms", notes),
        n if UNORDERED.contains(&n) => {
            notes.push(format!("{n}: compared as a sorted multiset"));
            (sorted(core), sorted(real))
        }
        n if UNORDERED_UNLESS_INTSET.contains(&n) => {
            if all_integers(&real) {
                (core, real)
            } else {
                notes.push(format!("{n}: compared as a sorted multiset (not an intset)"));
                (sorted(core), sorted(real))
            }
        }
        "CONFIG" if sub == "GET" => {
            notes.push("CONFIG GET: name/value pairs sorted".into());
            (config_get_pairs(core), config_get_pairs(real))
        }
        "INFO" => {
            notes.push("INFO: only the fields in normalize::INFO_FIELDS, replid masked".into());
            (info_view(core), info_view(real))
        }
        "ROLE" => {
            notes.push("ROLE: the connected-replica list is emptied (it shows the harness's raw replica)".into());
            (role_view(core), role_view(real))
        }
        "EXEC" => match (core, real) {
            (Frame::Array(c), Frame::Array(r)) if c.len() == r.len() && r.len() == queued.len() => {
                let (c, r): (Vec<Frame>, Vec<Frame>) =
                    c.into_iter().zip(r).zip(queued).map(|((c, r), q)| reply_pair(q, c, r, &[], notes)).unzip();
                (Frame::Array(c), Frame::Array(r))
            }
            (c, r) => (c, r),
        },
        _ => (core, real),
    }
}

/// Two non-negative integers within `tol` count as equal (the core's value
/// is replaced by the real one). Negative values (-1 no TTL, -2 no key) and
/// everything else must match exactly.
fn within(core: Frame, real: Frame, tol: i64, name: &str, unit: &str, notes: &mut Vec<String>) -> (Frame, Frame) {
    match (&core, &real) {
        (Frame::Integer(c), Frame::Integer(r)) if *c >= 0 && *r >= 0 && (c - r).abs() <= tol => {
            if c != r {
                notes.push(format!("{name}: core {c} accepted as real {r} (±{tol} {unit})"));
            }
            (real.clone(), real)
        }
        _ => (core, real),
    }
}

fn sorted(frame: Frame) -> Frame {
    match frame {
        Frame::Array(mut items) => {
            items.sort_by_key(|f| f.to_bytes());
            Frame::Array(items)
        }
        other => other,
    }
}

fn all_integers(frame: &Frame) -> bool {
    match frame {
        Frame::Array(items) => items.iter().all(|i| match i {
            Frame::Bulk(b) => replscope_core::util::parse_strict_i64(b).is_some(),
            _ => false,
        }),
        _ => false,
    }
}

/// `CONFIG GET` answers name/value pairs in dict order: sort the pairs.
pub fn config_get_pairs(frame: Frame) -> Frame {
    match frame {
        Frame::Array(items) if items.len() % 2 == 0 => {
            let mut pairs: Vec<(Frame, Frame)> = Vec::new();
            let mut it = items.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                pairs.push((k, v));
            }
            pairs.sort_by_key(|(k, v)| (k.to_bytes(), v.to_bytes()));
            Frame::Array(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect())
        }
        other => other,
    }
}

/// The INFO fields compared, by section. Everything else describes the
/// process (pid, memory, clients, uptime) or the harness (its raw replica:
/// `connected_slaves`, `slave0:…`, `sync_full`), which the core cannot know.
pub const INFO_FIELDS: &[(&str, &[&str])] = &[
    ("Server", &["redis_version"]),
    ("Stats", &["expired_keys", "keyspace_hits", "keyspace_misses", "sync_partial_ok", "sync_partial_err"]),
    (
        "Replication",
        &[
            "role",
            "master_failover_state",
            "master_replid",
            "master_replid2",
            "master_repl_offset",
            "second_repl_offset",
            "repl_backlog_active",
            "repl_backlog_size",
            "repl_backlog_first_byte_offset",
            "repl_backlog_histlen",
        ],
    ),
    // Every `dbN:` line; `avg_ttl` is masked (Redis estimates it in the
    // active expire cycle, which the harness disables).
    ("Keyspace", &[]),
];

/// The compared part of an INFO reply, rebuilt as INFO text: the sections of
/// [`INFO_FIELDS`] that the reply contains, with only their listed fields,
/// in the reply's order. `master_replid` becomes `<replid>` if it is 40 hex
/// digits. A reply whose lines do not all end in `\r\n` gets a marker line.
pub fn info_view(frame: Frame) -> Frame {
    let Frame::Bulk(text) = frame else { return frame };
    let text = String::from_utf8_lossy(&text).into_owned();
    let mut out = String::new();
    let mut keep: Option<&[&str]> = None;
    let mut keyspace = false;
    for line in text.split("\r\n") {
        if let Some(section) = line.strip_prefix("# ") {
            keep = INFO_FIELDS.iter().find(|(s, _)| *s == section).map(|(_, f)| *f);
            keyspace = section == "Keyspace";
            if keep.is_some() {
                if !out.is_empty() {
                    out.push_str("\r\n");
                }
                out.push_str(line);
                out.push_str("\r\n");
            }
            continue;
        }
        let Some(fields) = keep else { continue };
        let Some((name, value)) = line.split_once(':') else { continue };
        if keyspace && name.starts_with("db") {
            out.push_str(&format!("{name}:{}\r\n", mask_avg_ttl(value)));
        } else if fields.contains(&name) {
            let value = if name == "master_replid" && is_replid(value) { "<replid>" } else { value };
            out.push_str(&format!("{name}:{value}\r\n"));
        }
    }
    if text.replace("\r\n", "").contains('\n') || (!text.is_empty() && !text.ends_with("\r\n")) {
        out.push_str("!! INFO text has lines not ending in \\r\\n\r\n");
    }
    Frame::Bulk(out.into_bytes())
}

fn mask_avg_ttl(value: &str) -> String {
    value
        .split(',')
        .map(|kv| if kv.starts_with("avg_ttl=") { "avg_ttl=<masked>".to_owned() } else { kv.to_owned() })
        .collect::<Vec<_>>()
        .join(",")
}

/// True for a 40-character lowercase hex replication ID.
pub fn is_replid(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `ROLE` on a master lists its replicas; the real one lists the harness's
/// raw replica. The list is emptied on both sides; role and offset stay.
pub fn role_view(frame: Frame) -> Frame {
    match frame {
        Frame::Array(mut items) if items.len() == 3 && items[0] == Frame::bulk("master") => {
            items[2] = Frame::Array(Vec::new());
            Frame::Array(items)
        }
        other => other,
    }
}

/// A stream pair after normalisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NormalizedStream {
    pub core: Vec<u8>,
    pub real: Vec<u8>,
    pub notes: Vec<String>,
}

/// Normalises the stream bytes one step produced on each side. The only
/// rule: an absolute unix-ms time (after `PXAT` in `SET`, the third
/// argument of `PEXPIREAT`) may differ by [`UNIX_MS_TOLERANCE`], since each
/// side computes it from its own clock; within tolerance the core's value is
/// replaced by the real one. Streams that do not parse are left as they are
/// (and will be reported).
pub fn streams(core: &[u8], real: &[u8]) -> NormalizedStream {
    let mut notes = Vec::new();
    let (Ok(mut core_cmds), Ok(real_cmds)) = (parse_commands(core), parse_commands(real)) else {
        return NormalizedStream { core: core.to_vec(), real: real.to_vec(), notes };
    };
    for (c, r) in core_cmds.iter_mut().zip(&real_cmds) {
        if c.len() != r.len() {
            continue;
        }
        for slot in unix_ms_slots(r) {
            let (Some(cv), Some(rv)) = (int_arg(&c[slot]), int_arg(&r[slot])) else { continue };
            if (cv - rv).abs() <= UNIX_MS_TOLERANCE {
                if cv != rv {
                    notes.push(format!(
                        "stream: {} time {cv} accepted as {rv} (±{UNIX_MS_TOLERANCE} ms)",
                        String::from_utf8_lossy(&r[0])
                    ));
                }
                c[slot] = r[slot].clone();
            }
        }
    }
    let mut core_out = Vec::new();
    for c in &core_cmds {
        encode_command(c, &mut core_out);
    }
    NormalizedStream { core: core_out, real: real.to_vec(), notes }
}

/// Argument positions holding absolute unix-ms times in a propagated command.
fn unix_ms_slots(argv: &[Vec<u8>]) -> Vec<usize> {
    let Some(name) = argv.first() else { return Vec::new() };
    if name.eq_ignore_ascii_case(b"PEXPIREAT") && argv.len() >= 3 {
        return vec![2];
    }
    if name.eq_ignore_ascii_case(b"SET") {
        return (3..argv.len().saturating_sub(1))
            .filter(|&i| argv[i].eq_ignore_ascii_case(b"PXAT"))
            .map(|i| i + 1)
            .collect();
    }
    Vec::new()
}

fn int_arg(b: &[u8]) -> Option<i64> {
    std::str::from_utf8(b).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    fn enc(words: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_command(words, &mut out);
        out
    }

    #[test]
    fn pxat_within_tolerance_is_masked_and_outside_is_not() {
        let real = enc(&["SET", "k", "v", "PXAT", "1767225600000"]);
        let close = enc(&["SET", "k", "v", "PXAT", "1767225601999"]);
        let far = enc(&["SET", "k", "v", "PXAT", "1767225603000"]);
        let n = streams(&close, &real);
        assert_eq!(n.core, n.real);
        assert_eq!(n.notes.len(), 1);
        assert_ne!(streams(&far, &real).core, real);
        let real = enc(&["PEXPIREAT", "k", "1767225600000"]);
        assert_eq!(streams(&enc(&["PEXPIREAT", "k", "1767225600100"]), &real).core, real);
        // Other arguments are never masked.
        let real = enc(&["SET", "k", "1767225600000"]);
        assert_ne!(streams(&enc(&["SET", "k", "1767225600001"]), &real).core, real);
    }

    #[test]
    fn ttl_tolerance_keeps_negative_values_exact() {
        let n = replies(&argv(&["TTL", "k"]), &Frame::Integer(99), &Frame::Integer(100), &[]);
        assert_eq!(n.core, n.real);
        let n = replies(&argv(&["ttl", "k"]), &Frame::Integer(-1), &Frame::Integer(-2), &[]);
        assert_ne!(n.core, n.real);
        let n = replies(&argv(&["PTTL", "k"]), &Frame::Integer(5000), &Frame::Integer(1000), &[]);
        assert_ne!(n.core, n.real);
    }

    #[test]
    fn unordered_replies_and_intsets() {
        let a = Frame::bulk_array(["b", "a"]);
        let b = Frame::bulk_array(["a", "b"]);
        let n = replies(&argv(&["SMEMBERS", "s"]), &a, &b, &[]);
        assert_eq!(n.core, n.real);
        let n = replies(&argv(&["KEYS", "*"]), &Frame::bulk_array(["2", "1"]), &Frame::bulk_array(["1", "2"]), &[]);
        assert_eq!(n.core, n.real);
        // An intset replies in numeric order: order matters.
        let n = replies(&argv(&["SMEMBERS", "s"]), &Frame::bulk_array(["2", "1"]), &Frame::bulk_array(["1", "2"]), &[]);
        assert_ne!(n.core, n.real);
        // A different member is still a difference.
        let n = replies(&argv(&["SMEMBERS", "s"]), &Frame::bulk_array(["a", "c"]), &b, &[]);
        assert_ne!(n.core, n.real);
    }

    #[test]
    fn exec_elements_follow_their_queued_command() {
        let queued = vec![argv(&["TTL", "k"]), argv(&["KEYS", "*"])];
        let core = Frame::Array(vec![Frame::Integer(9), Frame::bulk_array(["b", "a"])]);
        let real = Frame::Array(vec![Frame::Integer(10), Frame::bulk_array(["a", "b"])]);
        let n = replies(&argv(&["EXEC"]), &core, &real, &queued);
        assert_eq!(n.core, n.real);
    }

    #[test]
    fn info_keeps_selected_fields_and_masks_replid() {
        let real = "# Server\r\nredis_version:7.0.15\r\nprocess_id:42\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:1\r\nslave0:ip=127.0.0.1,port=1,state=online,offset=0,lag=0\r\nmaster_replid:0123456789abcdef0123456789abcdef01234567\r\nmaster_repl_offset:50\r\n\r\n# Keyspace\r\ndb0:keys=1,expires=1,avg_ttl=1234\r\n";
        let core = "# Replication\r\nrole:master\r\nmaster_replid:fedcba9876543210fedcba9876543210fedcba98\r\nmaster_repl_offset:50\r\n\r\n# Keyspace\r\ndb0:keys=1,expires=1,avg_ttl=0\r\n";
        let want = "# Replication\r\nrole:master\r\nmaster_replid:<replid>\r\nmaster_repl_offset:50\r\n\r\n# Keyspace\r\ndb0:keys=1,expires=1,avg_ttl=<masked>\r\n";
        let n = replies(&argv(&["INFO", "replication"]), &Frame::bulk(core), &Frame::bulk(want), &[]);
        assert_eq!(n.core, Frame::bulk(want));
        let full = info_view(Frame::bulk(real));
        assert_eq!(full, Frame::bulk(format!("# Server\r\nredis_version:7.0.15\r\n\r\n{want}")));
        let lf = info_view(Frame::bulk("# Replication\nrole:master\n"));
        assert!(String::from_utf8_lossy(&lf.to_bytes()).contains("!! INFO"));
    }

    #[test]
    fn config_get_role_and_allowed_differences() {
        let c = Frame::bulk_array(["b", "2", "a", "1"]);
        let r = Frame::bulk_array(["a", "1", "b", "2"]);
        let n = replies(&argv(&["config", "get", "*"]), &c, &r, &[]);
        assert_eq!(n.core, n.real);
        let role = Frame::Array(vec![
            Frame::bulk("master"),
            Frame::Integer(50),
            Frame::Array(vec![Frame::bulk_array(["127.0.0.1", "1", "50"])]),
        ]);
        let core = Frame::Array(vec![Frame::bulk("master"), Frame::Integer(50), Frame::Array(vec![])]);
        let n = replies(&argv(&["ROLE"]), &core, &role, &[]);
        assert_eq!(n.core, n.real);
        assert!(allowed_difference(&argv(&["command", "count"])).is_some());
        assert!(allowed_difference(&argv(&["COMMAND"])).is_none());
    }
}
