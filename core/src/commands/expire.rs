//! (Skeleton: filled in by the command work.)

use super::CommandSpec;

/// This family's commands.
pub static COMMANDS: &[CommandSpec] = &[];
