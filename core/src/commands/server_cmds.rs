//! Server and connection commands: PING, ECHO, SELECT, DBSIZE, FLUSHDB,
//! FLUSHALL, SWAPDB, INFO, CONFIG, ROLE, COMMAND, TIME, LASTSAVE.
//!
//! Replies, errors and propagation were checked against Redis 7.0.15 (raw
//! sockets, and a raw `PSYNC ? -1` connection to read the stream):
//! - FLUSHDB / FLUSHALL are always propagated exactly as typed (`flushall
//!   async` stays lowercase), even when there was nothing to delete, in the
//!   client's db (so a `SELECT` may precede them). They add the number of
//!   deleted keys to `rdb_changes_since_last_save`, nothing more.
//! - SELECT, PING, INFO, CONFIG … are never propagated.
//! - SWAPDB is propagated as typed and counts as one change.
//!
//! Container commands (CONFIG, COMMAND) check their subcommand and its arity
//! here, with Redis's wording (`'config|get'` in arity errors, the name
//! uppercased in `Try CONFIG HELP.`). In Redis that check happens before a
//! command is queued by MULTI; here it happens when the command runs.

use super::{CommandSpec, Ctx, errors, flags};
use crate::config::Config;
use crate::info;
use crate::resp::Frame;
use crate::server::{Role, Stats};
use crate::util::parse_strict_i64;

/// Redis's `getIntFromObjectOrReply`: a strict integer that fits in a C int.
fn parse_int(arg: &[u8]) -> Option<i64> {
    parse_strict_i64(arg).filter(|n| i32::try_from(*n).is_ok())
}

/// `ERR unknown subcommand 'x'. Try CONFIG HELP.`: the subcommand is cut to
/// 128 bytes and line breaks become spaces, as Redis does.
fn unknown_subcommand(container: &str, sub: &[u8]) -> Frame {
    let sub = &sub[..sub.len().min(128)];
    let sub: String =
        String::from_utf8_lossy(sub).chars().map(|c| if c == '\r' || c == '\n' { ' ' } else { c }).collect();
    Frame::error(format!("ERR unknown subcommand '{sub}'. Try {} HELP.", container.to_ascii_uppercase()))
}

/// A `+line` array, the shape of every `… HELP` reply.
fn help_reply(lines: &[&str]) -> Frame {
    Frame::Array(lines.iter().map(|l| Frame::Simple((*l).to_string().into())).collect())
}

/// True if `argc` satisfies a Redis arity (`-n` = at least n).
fn arity_ok(arity: i32, argc: usize) -> bool {
    let argc = argc as i32;
    if arity >= 0 { argc == arity } else { argc >= -arity }
}

/// PING [message]
///
/// # Format
/// `PING` → `+PONG`; `PING msg` → `msg` as a bulk string. Not propagated.
pub fn ping(_ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match argv.len() {
        1 => Frame::Simple("PONG".into()),
        2 => Frame::Bulk(argv[1].clone()),
        _ => Frame::error(errors::wrong_args("ping")),
    }
}

/// ECHO message
///
/// # Format
/// Returns `message` as a bulk string.
pub fn echo(_ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    Frame::Bulk(argv[1].clone())
}

/// SELECT index
///
/// # Format
/// Switches the client's db. Never propagated by itself: the replication
/// stream emits its own SELECT before the next write in another db.
pub fn select(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let Some(index) = parse_int(&argv[1]) else {
        return Frame::error(errors::NOT_INTEGER);
    };
    if index < 0 || index as usize >= ctx.server.keyspace.count() {
        return Frame::error("ERR DB index is out of range");
    }
    ctx.client.db = index as usize;
    Frame::ok()
}

/// DBSIZE
///
/// # Format
/// The number of keys in the selected db, counting keys whose TTL has
/// passed but which are not deleted yet (as Redis does).
pub fn dbsize(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Frame {
    Frame::Integer(ctx.db().len() as i64)
}

/// Checks the optional `ASYNC` / `SYNC` argument of FLUSHDB / FLUSHALL.
/// ReplScope frees memory instantly, so both behave the same.
fn flush_args_ok(argv: &[Vec<u8>]) -> bool {
    match argv.len() {
        1 => true,
        2 => argv[1].eq_ignore_ascii_case(b"async") || argv[1].eq_ignore_ascii_case(b"sync"),
        _ => false,
    }
}

/// Propagates a flush verbatim and counts only the deleted keys as
/// changes (Redis's `server.dirty += emptyData(…)` plus forced propagation).
fn propagate_flush(ctx: &mut Ctx, argv: &[Vec<u8>], deleted: usize) {
    let dirty = ctx.server.dirty;
    ctx.propagate(argv.to_vec());
    ctx.server.dirty = dirty + deleted as u64;
}

/// FLUSHDB [ASYNC|SYNC]
///
/// # Format
/// Deletes every key of the selected db; `+OK`. Always propagated as typed.
pub fn flushdb(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    if !flush_args_ok(argv) {
        return Frame::error(errors::SYNTAX);
    }
    let deleted = ctx.db().len();
    ctx.db().clear();
    propagate_flush(ctx, argv, deleted);
    Frame::ok()
}

/// FLUSHALL [ASYNC|SYNC]
///
/// # Format
/// Deletes every key of every db; `+OK`. Always propagated as typed, even
/// on an empty server.
pub fn flushall(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    if !flush_args_ok(argv) {
        return Frame::error(errors::SYNTAX);
    }
    let deleted = ctx.server.keyspace.total_keys();
    ctx.server.keyspace.flush_all();
    propagate_flush(ctx, argv, deleted);
    Frame::ok()
}

/// SWAPDB index1 index2
///
/// # Format
/// Exchanges two databases; `+OK`. Propagated as typed.
pub fn swapdb(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let Some(a) = parse_int(&argv[1]) else {
        return Frame::error("ERR invalid first DB index");
    };
    let Some(b) = parse_int(&argv[2]) else {
        return Frame::error("ERR invalid second DB index");
    };
    let count = ctx.server.keyspace.count() as i64;
    if a < 0 || a >= count || b < 0 || b >= count {
        return Frame::error("ERR DB index is out of range");
    }
    let (a, b) = (a as usize, b as usize);
    if a != b {
        let keyspace = &mut ctx.server.keyspace;
        let first = std::mem::take(keyspace.db_mut(a));
        let second = std::mem::replace(keyspace.db_mut(b), first);
        *keyspace.db_mut(a) = second;
    }
    ctx.propagate(argv.to_vec());
    Frame::ok()
}

/// INFO [section [section …]]
///
/// # Format
/// The text of the requested sections as one bulk string (see
/// [`crate::info`]).
pub fn info(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    Frame::Bulk(info::render(ctx.server, ctx.now_ms, &argv[1..]).into_bytes())
}

const CONFIG_HELP: &[&str] = &[
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Prints this help.",
];

/// CONFIG GET|SET|RESETSTAT|REWRITE|HELP …
///
/// # Format
/// - `CONFIG GET pattern [pattern …]` → flat array of name, value pairs
///   (alphabetical, see [`crate::config`]).
/// - `CONFIG SET name value [name value …]` → `+OK`, all or nothing.
/// - `CONFIG RESETSTAT` → `+OK`, zeroes the `INFO stats` counters.
/// - `CONFIG REWRITE` → error: a simulated node has no config file.
pub fn config(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let sub = argv[1].to_ascii_lowercase();
    let arity = match sub.as_slice() {
        b"get" => -3,
        b"set" => -4,
        b"resetstat" | b"rewrite" | b"help" => 2,
        _ => return unknown_subcommand("config", &argv[1]),
    };
    if !arity_ok(arity, argv.len()) {
        return Frame::error(errors::wrong_args(&format!("config|{}", String::from_utf8_lossy(&sub))));
    }
    match sub.as_slice() {
        b"get" => {
            let pairs = ctx.server.config.get_many(&argv[2..]);
            Frame::Array(
                pairs
                    .into_iter()
                    .flat_map(|(n, v)| [Frame::Bulk(n.into_bytes()), Frame::Bulk(v.into_bytes())])
                    .collect(),
            )
        }
        b"set" => config_set(&mut ctx.server.config, &argv[2..]),
        b"resetstat" => {
            ctx.server.stats = Stats::default();
            Frame::ok()
        }
        b"rewrite" => Frame::error("ERR The server is running without a config file"),
        _ => help_reply(CONFIG_HELP),
    }
}

/// `CONFIG SET` on name/value pairs (an odd count is a syntax error).
fn config_set(config: &mut Config, args: &[Vec<u8>]) -> Frame {
    if !args.len().is_multiple_of(2) {
        return Frame::error(errors::SYNTAX);
    }
    let pairs: Vec<(&[u8], &[u8])> = args.chunks(2).map(|p| (p[0].as_slice(), p[1].as_slice())).collect();
    match config.set(&pairs) {
        Ok(()) => Frame::ok(),
        Err(e) => Frame::error(e),
    }
}

/// ROLE
///
/// # Format
/// On a master: `["master", <offset>, [[ip, "port", "offset"], …]]`, listing
/// only replicas that are online. On a replica: `["slave", host, <port>,
/// state, <offset>]` with state `connected` (offset = applied offset),
/// `sync` (receiving the RDB) or `connect`, the last two with offset -1.
pub fn role(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Frame {
    let server = &*ctx.server;
    match &server.role {
        Role::Master => {
            let replicas = server
                .replicas_info
                .iter()
                .filter(|r| r.state == "online")
                .map(|r| Frame::bulk_array([r.ip.clone(), r.port.to_string(), r.offset.to_string()]))
                .collect();
            Frame::Array(vec![
                Frame::bulk("master"),
                Frame::Integer(server.repl.master_repl_offset as i64),
                Frame::Array(replicas),
            ])
        }
        Role::Replica { host, port } => {
            let (state, offset) = crate::replication::role_link_state(server);
            Frame::Array(vec![
                Frame::bulk("slave"),
                Frame::bulk(host.as_bytes()),
                Frame::Integer(i64::from(*port)),
                Frame::bulk(state),
                Frame::Integer(offset),
            ])
        }
    }
}

const COMMAND_HELP: &[&str] = &[
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    "HELP",
    "    Prints this help.",
];

/// COMMAND COUNT | LIST [FILTERBY PATTERN p] | HELP
///
/// # Format
/// `COMMAND COUNT` is the size of ReplScope's own command table (real
/// Redis 7.0.15 has 240 commands). `COMMAND LIST` lists them in
/// alphabetical order (Redis: hash order). The detailed forms (bare
/// `COMMAND`, `INFO`, `DOCS`, `GETKEYS…`) need per-command metadata
/// ReplScope does not model; they answer an explanatory error.
pub fn command(_ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    let Some(sub) = argv.get(1).map(|s| s.to_ascii_lowercase()) else {
        return not_modelled("COMMAND");
    };
    let arity = match sub.as_slice() {
        b"count" | b"help" => 2,
        b"list" | b"info" | b"docs" => -2,
        b"getkeys" | b"getkeysandflags" => -4,
        _ => return unknown_subcommand("command", &argv[1]),
    };
    if !arity_ok(arity, argv.len()) {
        return Frame::error(errors::wrong_args(&format!("command|{}", String::from_utf8_lossy(&sub))));
    }
    let table = super::table();
    match sub.as_slice() {
        b"count" => Frame::Integer(table.len() as i64),
        b"help" => help_reply(COMMAND_HELP),
        b"list" => {
            let pattern = match &argv[2..] {
                [] => None,
                [by, kind, p] if by.eq_ignore_ascii_case(b"filterby") && kind.eq_ignore_ascii_case(b"pattern") => {
                    Some(p)
                }
                _ => return Frame::error(errors::SYNTAX),
            };
            let names = table
                .iter()
                .filter(|c| pattern.is_none_or(|p| crate::glob::glob_match(p, c.name.as_bytes(), true)))
                .map(|c| c.name);
            Frame::bulk_array(names)
        }
        _ => not_modelled(&format!("COMMAND {}", String::from_utf8_lossy(&sub).to_ascii_uppercase())),
    }
}

fn not_modelled(what: &str) -> Frame {
    Frame::error(format!("ERR {what} is not modelled by ReplScope"))
}

/// TIME
///
/// # Format
/// `[unix seconds, microseconds]` as bulk strings, from the virtual clock.
pub fn time(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Frame {
    let now = ctx.now_ms;
    Frame::bulk_array([(now / 1000).to_string(), ((now % 1000) * 1000).to_string()])
}

/// LASTSAVE
///
/// # Format
/// Unix time of the last successful save. ReplScope nodes never save to
/// disk, so it is the start time, as on a Redis started without an RDB.
pub fn lastsave(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Frame {
    Frame::Integer((ctx.server.start_ms / 1000) as i64)
}

/// This family's commands. Flags as `COMMAND INFO` shows them on Redis
/// 7.0.15 (containers get the union of their subcommands' flags).
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec { name: "command", arity: -1, flags: flags::LOADING | flags::STALE, handler: command },
    CommandSpec { name: "config", arity: -2, flags: flags::ADMIN | flags::LOADING | flags::STALE, handler: config },
    CommandSpec { name: "dbsize", arity: 1, flags: flags::READONLY | flags::FAST, handler: dbsize },
    CommandSpec { name: "echo", arity: 2, flags: flags::LOADING | flags::STALE | flags::FAST, handler: echo },
    CommandSpec { name: "flushall", arity: -1, flags: flags::WRITE, handler: flushall },
    CommandSpec { name: "flushdb", arity: -1, flags: flags::WRITE, handler: flushdb },
    CommandSpec { name: "info", arity: -1, flags: flags::LOADING | flags::STALE, handler: info },
    CommandSpec { name: "lastsave", arity: 1, flags: flags::LOADING | flags::STALE | flags::FAST, handler: lastsave },
    CommandSpec { name: "ping", arity: -1, flags: flags::FAST, handler: ping },
    CommandSpec { name: "role", arity: 1, flags: flags::LOADING | flags::STALE | flags::FAST, handler: role },
    CommandSpec { name: "select", arity: 2, flags: flags::LOADING | flags::STALE | flags::FAST, handler: select },
    CommandSpec { name: "swapdb", arity: 3, flags: flags::WRITE | flags::FAST, handler: swapdb },
    CommandSpec { name: "time", arity: 1, flags: flags::LOADING | flags::STALE | flags::FAST, handler: time },
];
