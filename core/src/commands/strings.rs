//! String commands. (Skeleton: GET and a bare SET only.)

use super::{Ctx, errors};
use crate::keyspace::Value;
use crate::resp::Frame;

/// GET key
pub fn get(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    match ctx.lookup_read(&argv[1]) {
        None => Frame::Null,
        Some(Value::String(s)) => Frame::Bulk(s.clone()),
        Some(_) => Frame::error(errors::WRONGTYPE),
    }
}

/// SET key value
pub fn set(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Frame {
    if argv.len() != 3 {
        return Frame::error(errors::SYNTAX);
    }
    ctx.expire_if_needed(&argv[1]);
    ctx.db().set(argv[1].clone(), Value::String(argv[2].clone()), false);
    ctx.propagate(argv.to_vec());
    Frame::ok()
}

use super::{CommandSpec, flags};

/// This family's commands.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec { name: "get", arity: 2, flags: flags::READONLY | flags::FAST, handler: get },
    CommandSpec { name: "set", arity: -3, flags: flags::WRITE | flags::DENYOOM, handler: set },
];
