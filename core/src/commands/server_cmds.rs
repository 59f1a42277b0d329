//! Server commands. (Skeleton: PING and ECHO only.)

use super::{Ctx, errors};
use crate::resp::Frame;

/// PING [message]
pub fn ping(_ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match argv.len() {
        1 => Frame::Simple("PONG".into()),
        2 => Frame::Bulk(argv[1].clone()),
        _ => Frame::error(errors::wrong_args("ping")),
    }
}

/// ECHO message
pub fn echo(_ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    Frame::Bulk(argv[1].clone())
}

use super::{CommandSpec, flags};

/// This family's commands.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec { name: "echo", arity: 2, flags: flags::FAST | flags::STALE, handler: echo },
    CommandSpec { name: "ping", arity: -1, flags: flags::FAST, handler: ping },
];
