//! The human-readable output of `replscope run`.

use replscope_core::resp::display::redis_cli_format_reply;
use replscope_core::scenario::Step;
use replscope_core::sim::CommandResult;

/// `A:6379> SET k v` and the reply as redis-cli prints it.
pub fn command(node: &str, port: u16, cmd: &[Vec<u8>], result: &CommandResult) -> String {
    let args: Vec<String> = cmd.iter().map(|a| show_arg(a)).collect();
    let reply = match result {
        CommandResult::Reply(frame) => redis_cli_format_reply(cmd, frame),
        CommandResult::ConnectionRefused => format!("Could not connect to Redis at {node}:{port}: Connection refused"),
        CommandResult::StillBlocked => {
            format!("(still blocked after {} ms)", replscope_core::scenario::BLOCK_LIMIT_MS)
        }
    };
    format!("{node}:{port}> {}\n{reply}", args.join(" "))
}

/// An argument as typed at the prompt: bare if it needs no quoting.
fn show_arg(arg: &[u8]) -> String {
    let plain = !arg.is_empty() && arg.iter().all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'\\'));
    if plain {
        String::from_utf8_lossy(arg).into_owned()
    } else {
        let mut out = String::new();
        replscope_core::resp::display::quote_into(arg, &mut out);
        out
    }
}

/// `-- cut A B  (t=+1.500s)` for steps that are not commands.
pub fn other_step(t_ms: u64, step: &Step) -> String {
    let what = match step {
        Step::Cmd { .. } => String::new(),
        Step::Settle { .. } => "settled".to_string(),
        Step::AdvanceMs(ms) => format!("advanced {ms} ms"),
        Step::Cut(a, b) => format!("cut {a} {b}"),
        Step::CutOneWay(a, b) => format!("cut_one_way {a} -> {b}"),
        Step::Partition(a, b) => format!("partition {a} {b}"),
        Step::PartitionOneWay(a, b) => format!("partition_one_way {a} -> {b}"),
        Step::Heal(a, b) => format!("heal {a} {b}"),
        Step::Crash(n) => format!("crash {n}"),
        Step::Restart(n) => format!("restart {n}"),
        Step::Link { a, b, latency_ms, bandwidth_kbps } => {
            let mut s = format!("link {a} {b}");
            if let Some(l) = latency_ms {
                s.push_str(&format!(" latency {l} ms"));
            }
            if let Some(bw) = bandwidth_kbps {
                s.push_str(&format!(" bandwidth {bw} kbit/s"));
            }
            s
        }
    };
    format!("-- {what}  (t={})", format_ms(t_ms))
}

/// Virtual time since the start: `+1.500s`.
pub fn format_ms(ms: u64) -> String {
    format!("+{}.{:03}s", ms / 1000, ms % 1000)
}
