//! `processCommand`: every check Redis 7.0 makes between reading a request
//! and running it, in Redis's order, then the call itself.
//!
//! Order (each observed on real Redis 7.0.15):
//! 1. `QUIT` (any arity, even inside MULTI): `+OK`, then the connection closes.
//! 2. Command lookup, including container subcommands: `ERR unknown
//!    command …` / `ERR unknown subcommand 'x'. Try CONFIG HELP.`
//! 3. Arity: `ERR wrong number of arguments for 'get' command` (or
//!    `'config|get'`).
//! 4. Inside MULTI, commands flagged `no_multi` (SAVE, SYNC, PSYNC,
//!    SHUTDOWN): `ERR Command not allowed inside a transaction`.
//! 5. [`check_min_replicas`] (NOREPLICAS) and [`check_readonly_replica`]
//!    (READONLY) for writes; EXEC counts as a write if it queued one.
//! 6. [`check_master_link`] (MASTERDOWN) for commands not flagged `stale`;
//!    EXEC counts if it queued one.
//! 7. Inside MULTI, everything but MULTI/EXEC/DISCARD is queued: `+QUEUED`.
//! 8. The call, then the end of the execution unit: pending propagation is
//!    flushed (one write bare, several wrapped in MULTI/EXEC).
//!
//! A rejection inside MULTI marks the transaction so EXEC answers
//! `EXECABORT Transaction discarded because of previous errors.`; a
//! rejection of EXEC itself discards the transaction with `EXECABORT
//! Transaction discarded because of: <error>`.

use std::borrow::Cow;

use super::containers;
use crate::commands::{self, ClientState, CommandSpec, Ctx, errors, flags};
use crate::resp::Frame;
use crate::server::Server;

/// What processing one request produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Processed {
    pub reply: Frame,
    /// True after QUIT: the reply is the last thing the client gets.
    pub close: bool,
}

/// A command resolved against the table: the spec that runs it, and the
/// name, arity and flags the checks use (the subcommand's, for containers).
pub struct Resolved {
    pub spec: &'static CommandSpec,
    /// `get`, or `config|get` for a subcommand.
    pub fullname: Cow<'static, str>,
    pub arity: i32,
    pub flags: u32,
}

impl Resolved {
    fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    fn is_exec(&self) -> bool {
        self.spec.name == "exec"
    }
}

/// Redis's `lookupCommand` plus the container rule: with two or more
/// arguments a container resolves to its subcommand. The error is the
/// rejection text.
pub fn resolve(argv: &[Vec<u8>]) -> Result<Resolved, String> {
    let Some(name) = argv.first() else { return Err(unknown_command(argv)) };
    let Some(spec) = commands::lookup(name) else { return Err(unknown_command(argv)) };
    let container = containers::container(name);
    match (container, argv.get(1)) {
        (Some(container), Some(sub_name)) => match container.subcommand(sub_name) {
            Some(sub) => Ok(Resolved {
                spec,
                fullname: Cow::Owned(format!("{}|{}", container.name, sub.name)),
                arity: sub.arity,
                flags: sub.flags,
            }),
            None => Err(unknown_subcommand(argv)),
        },
        _ => Ok(Resolved { spec, fullname: Cow::Borrowed(spec.name), arity: spec.arity, flags: spec.flags }),
    }
}

/// Redis arity: `n` exactly n arguments, `-n` at least n.
fn arity_ok(arity: i32, argc: usize) -> bool {
    let argc = argc as i64;
    let arity = arity as i64;
    if arity >= 0 { argc == arity } else { argc >= -arity }
}

/// Runs one request through the checks and, if it passes, the command.
pub fn process_command(server: &mut Server, client: &mut ClientState, now_ms: u64, argv: &[Vec<u8>]) -> Processed {
    if argv.first().is_some_and(|name| name.eq_ignore_ascii_case(b"quit")) {
        return Processed { reply: Frame::ok(), close: true };
    }
    let reply = match check(server, client, argv) {
        Err(Rejection { error, exec }) => reject(client, error, exec),
        Ok(Admitted::Queue) => {
            if !client.multi_dirty {
                client.multi.get_or_insert_with(Vec::new).push(argv.to_vec());
            }
            Frame::Simple("QUEUED".into())
        }
        Ok(Admitted::Call(spec)) => call(server, client, now_ms, spec, argv),
    };
    Processed { reply, close: false }
}

/// Runs a command that passed the checks (Redis's `call`) and ends the
/// execution unit.
fn call(server: &mut Server, client: &mut ClientState, now_ms: u64, spec: &CommandSpec, argv: &[Vec<u8>]) -> Frame {
    let mut ctx = Ctx { server, client, now_ms };
    let reply = (spec.handler)(&mut ctx, argv);
    // Counted after the call, as Redis does: INFO does not count itself,
    // and CONFIG RESETSTAT leaves exactly 1.
    ctx.server.stats.total_commands_processed += 1;
    ctx.server.flush_propagation();
    reply
}

enum Admitted {
    Call(&'static CommandSpec),
    Queue,
}

struct Rejection {
    error: String,
    /// The rejected command was EXEC.
    exec: bool,
}

fn check(server: &Server, client: &ClientState, argv: &[Vec<u8>]) -> Result<Admitted, Rejection> {
    let cmd = resolve(argv).map_err(|error| Rejection { error, exec: false })?;
    let exec = cmd.is_exec();
    let rejection = |error: String| Rejection { error, exec };
    if !arity_ok(cmd.arity, argv.len()) {
        return Err(rejection(errors::wrong_args(&cmd.fullname)));
    }
    if server.config.requirepass.is_some() && !client.authenticated && !cmd.has(flags::NO_AUTH) {
        return Err(rejection(commands::replication_cmds::NOAUTH.into()));
    }
    let in_multi = client.multi.is_some();
    if in_multi && cmd.has(flags::NO_MULTI) {
        return Err(rejection("ERR Command not allowed inside a transaction".into()));
    }
    let queued = if exec { queued_flags(client) } else { QueuedFlags::default() };
    let is_write = cmd.has(flags::WRITE) || queued.any_write;
    let deny_stale = !cmd.has(flags::STALE) || queued.any_not_stale;
    if is_write {
        check_min_replicas(server).map_err(|e| rejection(e.into()))?;
        check_readonly_replica(server).map_err(|e| rejection(e.into()))?;
    }
    if deny_stale {
        check_master_link(server).map_err(|e| rejection(e.into()))?;
    }
    if in_multi && !cmd.spec.has(flags::NO_MULTI_QUEUE) {
        return Ok(Admitted::Queue);
    }
    Ok(Admitted::Call(cmd.spec))
}

/// What EXEC's queued commands need, for the write and stale checks.
#[derive(Default)]
struct QueuedFlags {
    any_write: bool,
    any_not_stale: bool,
}

fn queued_flags(client: &ClientState) -> QueuedFlags {
    let mut q = QueuedFlags::default();
    for argv in client.multi.iter().flatten() {
        if let Ok(cmd) = resolve(argv) {
            q.any_write |= cmd.has(flags::WRITE);
            q.any_not_stale |= !cmd.has(flags::STALE);
        }
    }
    q
}

/// Redis's `rejectCommand`: inside MULTI the transaction is marked to
/// abort; a rejected EXEC discards the transaction on the spot.
fn reject(client: &mut ClientState, error: String, exec: bool) -> Frame {
    if exec {
        client.multi = None;
        client.multi_dirty = false;
        let reason = error.strip_prefix("ERR ").unwrap_or(&error);
        return Frame::error(format!("EXECABORT Transaction discarded because of: {reason}"));
    }
    if client.multi.is_some() {
        client.multi_dirty = true;
    }
    Frame::error(error)
}

/// NOREPLICAS: a master configured with `min-replicas-to-write N` (and a
/// non-zero `min-replicas-max-lag`) refuses writes while fewer than N
/// replicas are "good" ([`Server::good_replicas`]). Replicas never check.
pub fn check_min_replicas(server: &Server) -> Result<(), &'static str> {
    let to_write = server.config.min_replicas_to_write;
    if server.is_replica() || to_write == 0 || server.config.min_replicas_max_lag == 0 {
        return Ok(());
    }
    if server.good_replicas >= to_write { Ok(()) } else { Err(errors::NOREPLICAS) }
}

/// READONLY: a replica with `replica-read-only yes` refuses writes from
/// its clients (its master's stream does not go through here).
pub fn check_readonly_replica(server: &Server) -> Result<(), &'static str> {
    if server.is_replica() && !server.executing_master_stream && server.config.replica_read_only {
        Err(errors::READONLY)
    } else {
        Ok(())
    }
}

/// MASTERDOWN: a replica whose link is down ([`Server::master_link_up`])
/// and that has `replica-serve-stale-data no` refuses every command not
/// flagged `stale` (GET, PING, DBSIZE… but not INFO, CONFIG, REPLICAOF).
pub fn check_master_link(server: &Server) -> Result<(), &'static str> {
    if server.is_replica()
        && !server.executing_master_stream
        && !server.master_link_up
        && !server.config.replica_serve_stale_data
    {
        Err(errors::MASTERDOWN)
    } else {
        Ok(())
    }
}

/// `ERR unknown command 'foo', with args beginning with: 'a' 'b' `.
///
/// Redis builds it with C formats: the name is cut at 128 bytes, the
/// quoted arguments stop once 128 bytes of them are written (the last one
/// cut to fit), every argument stops at a NUL byte, and CR/LF become
/// spaces. Non-UTF-8 bytes cannot be represented by [`Frame::Error`] and
/// are replaced by U+FFFD (real Redis sends them raw).
pub fn unknown_command(argv: &[Vec<u8>]) -> String {
    let name = argv.first().map(|n| c_str(n)).unwrap_or_default();
    let mut msg = b"ERR unknown command '".to_vec();
    msg.extend_from_slice(&name[..name.len().min(128)]);
    msg.extend_from_slice(b"', with args beginning with: ");
    let mut args: Vec<u8> = Vec::new();
    for arg in argv.iter().skip(1) {
        if args.len() >= 128 {
            break;
        }
        let arg = c_str(arg);
        let room = 128 - args.len();
        args.push(b'\'');
        args.extend_from_slice(&arg[..arg.len().min(room)]);
        args.extend_from_slice(b"' ");
    }
    msg.extend_from_slice(&args);
    one_line(msg)
}

/// `ERR unknown subcommand 'foo'. Try CONFIG HELP.`
pub fn unknown_subcommand(argv: &[Vec<u8>]) -> String {
    let sub = argv.get(1).map(|s| c_str(s)).unwrap_or_default();
    let container = argv.first().map(|c| c_str(c).to_ascii_uppercase()).unwrap_or_default();
    let mut msg = b"ERR unknown subcommand '".to_vec();
    msg.extend_from_slice(&sub[..sub.len().min(128)]);
    msg.extend_from_slice(b"'. Try ");
    msg.extend_from_slice(&container);
    msg.extend_from_slice(b" HELP.");
    one_line(msg)
}

/// The bytes a C string sees: up to the first NUL.
fn c_str(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

/// Redis replaces CR and LF in error texts with spaces.
fn one_line(mut msg: Vec<u8>) -> String {
    for b in &mut msg {
        if *b == b'\r' || *b == b'\n' {
            *b = b' ';
        }
    }
    String::from_utf8_lossy(&msg).into_owned()
}
