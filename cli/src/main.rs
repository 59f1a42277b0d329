//! `replscope`: runs a ReplScope scenario file and prints what each step did.
//!
//! - `replscope run FILE`: per step, the node and command as redis-cli's
//!   prompt shows them (`A:6379> SET k v`) and the reply as redis-cli prints
//!   it; other steps as `-- <verb> …` lines.
//! - `replscope run FILE --json`: one JSON object per line per step, with
//!   `step` and `t_ms` (virtual ms since the start); command steps add
//!   `node`, `cmd` and `reply` (the exact RESP bytes as a string, plus
//!   `reply_base64` when they are not valid UTF-8), or `error` (`"connection
//!   refused"` for a crashed node).
//! - `--events` adds the simulator's event stream: in JSON mode one
//!   `{"t_ms":…,"event":{…}}` line per event, printed before the line of the
//!   step during which it happened.
//!
//! - `--max-memory <bytes|Nmb|Ngb>` (default 4gb) bounds the memory the
//!   run may hold: checked after every step (over it, the run stops with
//!   `replscope: step 12 took the simulation to 4.2 GB, over --max-memory
//!   4gb`), and a single allocation that would pass twice the limit stops
//!   the run at once (see [`memory`]). Never an out-of-memory kill.
//!
//! Exit status: 0 on success, 1 if a step fails (a settle that does not
//! settle), 2 if the file cannot be read or is not a valid scenario, 3 if
//! the run went over `--max-memory`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use replscope_core::scenario::{CommandStep, Runner, Scenario, Step, StepResult};
use replscope_core::sim::{CommandResult, SimEventKind};

mod base64;
mod memory;
mod text;

/// Every allocation is counted, so `--max-memory` can be enforced.
#[global_allocator]
static ALLOC: memory::CountingAlloc = memory::CountingAlloc;

#[derive(Parser)]
#[command(
    name = "replscope",
    version,
    about = "Redis 7.0 replication playground: run scenario files",
    after_help = "`replscope run --max-memory <BYTES|Nmb|Ngb>` (default 4gb) bounds the memory a run may hold: \
                  over it the run stops, naming the step, instead of being killed by the OS.\n\
                  Exit status: 0 ok, 1 a step failed, 2 bad scenario file, 3 over --max-memory."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario file and print each step's result.
    Run {
        /// The scenario (JSON, format version 1).
        file: PathBuf,
        /// One JSON object per line instead of redis-cli style text.
        #[arg(long)]
        json: bool,
        /// Also print the event stream.
        #[arg(long)]
        events: bool,
        /// The most memory the run may hold, in bytes or Redis units (512mb,
        /// 4gb). Checked after every step: over it, the run stops naming the
        /// step (exit status 3). One allocation that would pass twice the
        /// limit stops the run at once. Every node, replica copy, backlog and
        /// buffer of the simulation counts.
        #[arg(long, value_name = "BYTES|Nmb|Ngb", default_value = memory::DEFAULT_MAX_MEMORY,
              value_parser = memory::parse_max_memory_arg)]
        max_memory: MaxMemory,
    },
}

/// `--max-memory` as parsed, and as the user typed it (for messages).
#[derive(Clone, Debug)]
struct MaxMemory {
    bytes: u64,
    shown: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run { file, json, events, max_memory } => {
            memory::set_limit(max_memory.bytes, &max_memory.shown);
            run(&file, json, events, &max_memory)
        }
    }
}

fn run(file: &PathBuf, json: bool, events: bool, max_memory: &MaxMemory) -> ExitCode {
    let text = match read_bounded(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("replscope: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let scenario = match Scenario::from_json(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("replscope: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut runner = Runner::new(&scenario);
    let mut cursor = runner.sim().event_count();
    if events {
        // Node start-up events.
        cursor = print_events(&mut out, &runner, 0, json);
    }
    let mut step = 0;
    loop {
        memory::set_step(step);
        let Some(result) = runner.next_step() else { break };
        step += 1;
        if events {
            cursor = print_events(&mut out, &runner, cursor, json);
        }
        let result = match result {
            Ok(r) => r,
            Err(e) => {
                let _ = out.flush();
                eprintln!("replscope: {}: {e}", file.display());
                return ExitCode::from(1);
            }
        };
        let step = &scenario.steps[result.step];
        let line = if json { json_line(&result, step) } else { text_lines(&runner, &result, step) };
        // Flushed per step: a run stopped inside a step (see `memory`)
        // still shows every step before it.
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            return ExitCode::SUCCESS; // stdout closed (e.g. `| head`)
        }
        if let Some(message) =
            memory::over_limit(result.step, memory::live_bytes(), max_memory.bytes, &max_memory.shown)
        {
            let _ = out.flush();
            drop(out);
            drop(runner);
            eprintln!("{message}");
            return ExitCode::from(memory::EXIT_MEMORY);
        }
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}

/// Reads the file, refusing anything larger than the format allows.
fn read_bounded(file: &PathBuf) -> Result<String, String> {
    use std::io::Read;
    let f = std::fs::File::open(file).map_err(|e| e.to_string())?;
    let limit = replscope_core::scenario::MAX_FILE_BYTES;
    let mut bytes = Vec::new();
    f.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() > limit {
        return Err(format!("larger than the limit of {limit} bytes"));
    }
    String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_string())
}

fn print_events(out: &mut impl Write, runner: &Runner, cursor: usize, json: bool) -> usize {
    let sim = runner.sim();
    for event in sim.events_since(cursor) {
        let t_ms = event.t_ms - sim.start_ms();
        let line = if json {
            serde_json::to_string(&EventLine { t_ms, event: &event.kind }).unwrap_or_default()
        } else {
            format!("   [{}] {}", text::format_ms(t_ms), serde_json::to_string(&event.kind).unwrap_or_default())
        };
        let _ = writeln!(out, "{line}");
    }
    sim.event_count()
}

/// One `--events` line in JSON mode (`t_ms` since the start).
#[derive(serde::Serialize)]
struct EventLine<'a> {
    t_ms: u64,
    event: &'a SimEventKind,
}

/// One `--json` line for a step; fields in this order, absent ones omitted.
#[derive(serde::Serialize)]
struct JsonLine {
    step: usize,
    t_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    verb: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cmd: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_base64: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn json_line(result: &StepResult, step: &Step) -> String {
    let mut line = JsonLine {
        step: result.step,
        t_ms: result.t_ms,
        verb: None,
        node: None,
        cmd: None,
        reply: None,
        reply_base64: None,
        error: None,
    };
    match &result.command {
        Some(CommandStep { node, cmd, result }) => {
            line.node = Some(node.clone());
            line.cmd = Some(cmd.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect());
            match result {
                CommandResult::Reply(frame) => {
                    let bytes = frame.to_bytes();
                    line.reply = Some(String::from_utf8_lossy(&bytes).into_owned());
                    if std::str::from_utf8(&bytes).is_err() {
                        line.reply_base64 = Some(base64::encode(&bytes));
                    }
                }
                CommandResult::ConnectionRefused => line.error = Some("connection refused".into()),
                CommandResult::StillBlocked => {
                    line.error = Some(format!("still blocked after {} ms", replscope_core::scenario::BLOCK_LIMIT_MS));
                }
            }
        }
        None => line.verb = Some(step.verb()),
    }
    serde_json::to_string(&line).unwrap_or_default()
}

fn text_lines(runner: &Runner, result: &StepResult, step: &Step) -> String {
    match &result.command {
        Some(c) => {
            let port = runner.sim().node_spec(&c.node).map_or(6379, |s| s.config.port);
            text::command(&c.node, port, &c.cmd, &c.result)
        }
        None => text::other_step(result.t_ms, step),
    }
}
