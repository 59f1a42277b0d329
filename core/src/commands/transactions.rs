//! MULTI / EXEC / DISCARD.
//!
//! Queueing happens in dispatch (`node::dispatch`): inside MULTI every
//! command that passes Redis's checks is stored and answered `+QUEUED`; one
//! that fails them marks the transaction (`multi_dirty`). These handlers
//! open, run and drop the queue.
//!
//! Replication: EXEC is one execution unit. Whatever its commands
//! propagate is flushed once, after EXEC: two or more writes are wrapped in
//! `MULTI` … `EXEC`, a single write goes bare, a transaction that changed
//! nothing feeds nothing (observed on Redis 7.0.15 by reading a replica's
//! stream after `PSYNC ? -1`).

use super::{CommandSpec, Ctx, flags};
use crate::resp::Frame;

/// EXEC's reply when a command failed to queue.
pub const EXECABORT: &str = "EXECABORT Transaction discarded because of previous errors.";

/// MULTI
///
/// # Format
/// `MULTI` → `+OK`; nested: `-ERR MULTI calls can not be nested` (which
/// does not abort the open transaction).
pub fn multi(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Frame {
    if ctx.client.multi.is_some() {
        return Frame::error("ERR MULTI calls can not be nested");
    }
    ctx.client.multi = Some(Vec::new());
    ctx.client.multi_dirty = false;
    Frame::ok()
}

/// EXEC
///
/// # Format
/// `EXEC` → an array with one reply per queued command (runtime errors are
/// elements of it, the other commands still run); `-EXECABORT …` if a
/// command failed to queue; `-ERR EXEC without MULTI`.
pub fn exec(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Frame {
    let Some(queue) = ctx.client.multi.take() else {
        return Frame::error("ERR EXEC without MULTI");
    };
    if std::mem::take(&mut ctx.client.multi_dirty) {
        return Frame::error(EXECABORT);
    }
    let replies = queue
        .iter()
        .map(|argv| match argv.first().and_then(|name| super::lookup(name)) {
            Some(spec) => {
                let reply = (spec.handler)(ctx, argv);
                ctx.server.stats.total_commands_processed += 1;
                reply
            }
            // Dispatch only queues commands it found in the table.
            None => Frame::error("ERR unknown command"),
        })
        .collect();
    Frame::Array(replies)
}

/// DISCARD
///
/// # Format
/// `DISCARD` → `+OK`; `-ERR DISCARD without MULTI`.
pub fn discard(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Frame {
    if ctx.client.multi.take().is_none() {
        return Frame::error("ERR DISCARD without MULTI");
    }
    ctx.client.multi_dirty = false;
    Frame::ok()
}

/// This family's commands (flags as `COMMAND INFO` shows them on 7.0.15).
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "discard",
        arity: 1,
        flags: flags::NO_MULTI_QUEUE | flags::STALE | flags::FAST,
        handler: discard,
    },
    CommandSpec { name: "exec", arity: 1, flags: flags::NO_MULTI_QUEUE | flags::STALE, handler: exec },
    CommandSpec { name: "multi", arity: 1, flags: flags::NO_MULTI_QUEUE | flags::STALE | flags::FAST, handler: multi },
];
