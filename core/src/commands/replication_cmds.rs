//! REPLICAOF / SLAVEOF, WAIT, REPLCONF, PSYNC, SYNC, SAVE, BGSAVE, AUTH.
//!
//! Replies and errors checked against Redis 7.0.15 over raw sockets. The
//! handlers validate and answer; what needs the node (connections, timers,
//! blocking) is handed over as a [`ReplRequest`] that the node carries out
//! right after the command (see `crate::replication`). REPLCONF and PSYNC
//! on a network connection never get here: the node treats them as the
//! replica protocol they are.

use super::{CommandSpec, Ctx, errors, flags};
use crate::resp::Frame;
use crate::server::ReplRequest;
use crate::util::parse_strict_i64;

pub const WAIT_ON_REPLICA: &str = "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.";

/// REPLICAOF / SLAVEOF
///
/// # Format
/// `REPLICAOF host port` → `+OK` (or `+OK Already connected to specified
/// master` when it already follows `host port`); `REPLICAOF NO ONE` →
/// `+OK`. A port that is not an integer in 0..=65535 is
/// `-ERR Invalid master port`.
pub fn replicaof(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    if argv[1].eq_ignore_ascii_case(b"no") && argv[2].eq_ignore_ascii_case(b"one") {
        if ctx.server.is_replica() {
            ctx.server.repl_requests.push(ReplRequest::NoOne);
        }
        return Frame::ok();
    }
    let Some(port) = parse_strict_i64(&argv[2]).filter(|p| (0..=65535).contains(p)) else {
        return Frame::error("ERR Invalid master port");
    };
    let host = String::from_utf8_lossy(&argv[1]).into_owned();
    if let crate::server::Role::Replica { host: h, port: p } = &ctx.server.role
        && h.eq_ignore_ascii_case(&host)
        && i64::from(*p) == port
    {
        return Frame::Simple("OK Already connected to specified master".into());
    }
    ctx.server.repl_requests.push(ReplRequest::ReplicaOf { host, port: port as u16 });
    Frame::ok()
}

/// WAIT
///
/// # Format
/// `WAIT numreplicas timeout` → `:<replicas that acknowledged>`: at once if
/// enough already did (the count may exceed `numreplicas`), else after the
/// replicas' ACKs or the timeout (ms; 0 = forever). Blocking feeds
/// `REPLCONF GETACK *` into the stream. Only the node's `command` API
/// blocks; `execute` answers with the count known now.
pub fn wait(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    if ctx.server.is_replica() {
        return Frame::error(WAIT_ON_REPLICA);
    }
    let Some(numreplicas) = parse_strict_i64(&argv[1]) else { return Frame::error(errors::NOT_INTEGER) };
    let Some(timeout) = parse_strict_i64(&argv[2]) else {
        return Frame::error("ERR timeout is not an integer or out of range");
    };
    if timeout < 0 {
        return Frame::error("ERR timeout is negative");
    }
    let woff = ctx.server.current_woff;
    let acked = ctx.server.replicas_info.iter().filter(|r| r.state == "online" && r.offset >= woff).count() as i64;
    if acked >= numreplicas {
        return Frame::Integer(acked);
    }
    ctx.server.repl_requests.push(ReplRequest::Wait { numreplicas: numreplicas as u64, timeout_ms: timeout as u64 });
    Frame::Integer(acked)
}

/// REPLCONF
///
/// # Format
/// `REPLCONF <option> <value> …` from a plain client: `listening-port`,
/// `ip-address`, `capa` → `+OK`; `ACK`/`GETACK` → no effect; anything else
/// `-ERR Unrecognized REPLCONF option: <opt>`; an even argument count is
/// `-ERR syntax error`.
pub fn replconf(_ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    if argv.len().is_multiple_of(2) {
        return Frame::error(errors::SYNTAX);
    }
    for pair in argv[1..].chunks(2) {
        let option = pair[0].to_ascii_lowercase();
        match option.as_slice() {
            b"listening-port" => {
                if parse_strict_i64(&pair[1]).is_none() {
                    return Frame::error(errors::NOT_INTEGER);
                }
            }
            b"ip-address" | b"capa" | b"rdb-only" | b"rdb-filter-only" => {}
            b"ack" | b"getack" => return Frame::Null,
            _ => {
                return Frame::error(format!(
                    "ERR Unrecognized REPLCONF option: {}",
                    String::from_utf8_lossy(&pair[0])
                ));
            }
        }
    }
    Frame::ok()
}

/// PSYNC / SYNC
///
/// # Format
/// `PSYNC <replid> <offset>` / `SYNC`: only meaningful on a network
/// connection (the node handles it there). A replica whose link is down
/// answers `-NOMASTERLINK Can't SYNC while not connected with my master`.
pub fn psync(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Frame {
    if ctx.server.is_replica() && ctx.server.link_state != "connected" {
        return Frame::error("NOMASTERLINK Can't SYNC while not connected with my master");
    }
    Frame::error("ERR PSYNC is only served on a replication connection in ReplScope")
}

/// SAVE
///
/// # Format
/// `SAVE` → `+OK`: the node's RDB file now holds its dataset.
pub fn save(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Frame {
    ctx.server.repl_requests.push(ReplRequest::Save { background: false });
    Frame::ok()
}

/// BGSAVE
///
/// # Format
/// `BGSAVE [SCHEDULE]` → `+Background saving started` (the simulated
/// child finishes at once).
pub fn bgsave(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    if argv.len() > 2 || (argv.len() == 2 && !argv[1].eq_ignore_ascii_case(b"schedule")) {
        return Frame::error(errors::SYNTAX);
    }
    ctx.server.repl_requests.push(ReplRequest::Save { background: true });
    Frame::Simple("Background saving started".into())
}

/// AUTH
///
/// # Format
/// `AUTH [username] password` → `+OK` if it matches `requirepass` (user
/// `default`); `-WRONGPASS invalid username-password pair or user is
/// disabled.` otherwise; without `requirepass`, the one-argument form is
/// `-ERR AUTH <password> called without any password configured for the
/// default user. Are you sure your configuration is correct?`.
pub fn auth(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    if argv.len() > 3 {
        return Frame::error(errors::SYNTAX);
    }
    let (user, pass) =
        if argv.len() == 3 { (argv[1].as_slice(), argv[2].as_slice()) } else { (&b"default"[..], argv[1].as_slice()) };
    let Some(required) = ctx.server.config.requirepass.clone() else {
        if argv.len() == 2 {
            return Frame::error(
                "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
            );
        }
        // `default` with nopass accepts any password.
        if user == b"default" {
            ctx.client.authenticated = true;
            return Frame::ok();
        }
        return Frame::error(WRONGPASS);
    };
    if user == b"default" && pass == required.as_bytes() {
        ctx.client.authenticated = true;
        Frame::ok()
    } else {
        Frame::error(WRONGPASS)
    }
}

pub const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";
pub const NOAUTH: &str = "NOAUTH Authentication required.";

/// This family's commands, with Redis 7.0's flags.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "auth",
        arity: -2,
        flags: flags::LOADING | flags::STALE | flags::FAST | flags::NO_AUTH,
        handler: auth,
    },
    CommandSpec { name: "bgsave", arity: -1, flags: flags::ADMIN, handler: bgsave },
    CommandSpec { name: "psync", arity: -3, flags: flags::ADMIN | flags::NO_MULTI, handler: psync },
    CommandSpec { name: "replconf", arity: -1, flags: flags::ADMIN | flags::LOADING | flags::STALE, handler: replconf },
    CommandSpec { name: "replicaof", arity: 3, flags: flags::ADMIN | flags::STALE, handler: replicaof },
    CommandSpec { name: "save", arity: 1, flags: flags::ADMIN | flags::NO_MULTI, handler: save },
    CommandSpec { name: "slaveof", arity: 3, flags: flags::ADMIN | flags::STALE, handler: replicaof },
    CommandSpec { name: "sync", arity: 1, flags: flags::ADMIN | flags::NO_MULTI, handler: psync },
    CommandSpec { name: "wait", arity: 3, flags: 0, handler: wait },
];
