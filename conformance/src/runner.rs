//! Runs a case on both sides and judges every step.
//!
//! One [`Harness`] per case: a fresh redis-server with our raw replica
//! attached, and a fresh core node with its backlog created. Both start at
//! offset 0 with an unknown stream db (so the first write of each carries
//! `SELECT 0`) and an empty keyspace; no FLUSHALL is needed, so a broken
//! FLUSHALL in the core cannot leak state from one case into the next.
//!
//! Each command step:
//! 1. `TIME` on the real server's control connection → the core's `now_ms`;
//! 2. the command on the real server's case connection → real reply;
//! 3. `INFO replication` → `master_repl_offset`; the replica link reads
//!    until it holds that offset → the real stream bytes of this command;
//! 4. the same argv on the core at `now_ms` → core reply and stream bytes;
//! 5. both pairs normalised (see [`crate::normalize`]) and compared as bytes.

use std::io;
use std::time::Duration;

use replscope_core::resp::Frame;

use crate::case::{Action, Case, Step};
use crate::client::Client;
use crate::core_side::CoreSide;
use crate::normalize::{self, AllowedDifference, Normalized, NormalizedStream};
use crate::real::{FullSync, RealRedis, ReplicaLink};

/// Both sides of one case, ready for commands.
pub struct Harness {
    pub real: RealRedis,
    pub link: ReplicaLink,
    /// The real connection case commands run on.
    pub conn: Client,
    pub core: CoreSide,
    /// What our replica's full sync returned (the RDB is kept for RDB tests).
    pub sync: FullSync,
    /// Commands the real server answered `+QUEUED` since MULTI.
    queued: Vec<Vec<Vec<u8>>>,
}

/// The raw outcome of one command on both sides.
#[derive(Clone, Debug, PartialEq)]
pub struct Exchange {
    pub argv: Vec<Vec<u8>>,
    /// The core's `now_ms` (the real `TIME` just before the command).
    pub now_ms: u64,
    pub core_reply: Frame,
    pub real_reply: Frame,
    pub core_stream: Vec<u8>,
    pub real_stream: Vec<u8>,
}

impl Harness {
    /// Starts a fresh real server, attaches the raw replica, and builds a
    /// core node in the same state.
    pub fn start() -> io::Result<Harness> {
        let mut real = RealRedis::start()?;
        let (mut link, sync) = ReplicaLink::attach(real.port)?;
        link.start_streaming(&mut real)?;
        let conn = real.client()?;
        let now = real.time_ms()?;
        let core = CoreSide::new(now, real.port);
        let mut h = Harness { real, link, conn, core, sync, queued: Vec::new() };
        // Nothing may be in either stream before the first command.
        let offset = h.real.master_repl_offset()?;
        let pre = h.link.read_to(offset)?;
        let core_pre = h.core.take_stream();
        if !pre.is_empty() || !core_pre.is_empty() || offset != h.sync.offset {
            return Err(io::Error::other(format!(
                "streams not empty at start: real {pre:?} (offset {offset}), core {core_pre:?}"
            )));
        }
        Ok(h)
    }

    /// Runs `argv` on both sides and returns what each answered and fed.
    pub fn exchange(&mut self, argv: &[Vec<u8>]) -> io::Result<Exchange> {
        let now_ms = self.real.time_ms()?;
        let (real_reply, _) = self.conn.call(argv)?;
        let offset = self.real.master_repl_offset()?;
        let real_stream = self.link.read_to(offset)?;
        // A panic in the core must not take the whole suite down: it ends
        // this case with a harness error naming the command.
        let core = &mut self.core;
        let (core_reply, core_stream) =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| core.execute(now_ms, argv)))
                .map_err(|panic| io::Error::other(format!("the core panicked: {}", panic_message(&panic))))?;
        Ok(Exchange { argv: argv.to_vec(), now_ms, core_reply, real_reply, core_stream, real_stream })
    }

    /// Runs and judges one command step.
    pub fn judge(&mut self, step: &Step, argv: &[Vec<u8>]) -> io::Result<StepResult> {
        let ex = self.exchange(argv)?;
        let queued = self.track_transaction(argv, &ex.real_reply);
        let reply = normalize::replies(argv, &ex.core_reply, &ex.real_reply, &queued);
        let stream = normalize::streams(&ex.core_stream, &ex.real_stream);
        let reply_differs = reply.core.to_bytes() != reply.real.to_bytes();
        let stream_differs = stream.core != stream.real;
        let verdict = match (reply_differs || stream_differs, normalize::allowed_difference(argv)) {
            (false, _) => Verdict::Match,
            (true, Some(allowed)) => Verdict::Allowed(allowed),
            (true, None) => Verdict::Mismatch,
        };
        Ok(StepResult { step: step.clone(), exchange: ex, reply, stream, reply_differs, stream_differs, verdict })
    }

    /// Follows MULTI/EXEC on the real side so EXEC's reply elements can be
    /// normalised by the commands they answer. Returns the queue when `argv`
    /// ends the transaction.
    fn track_transaction(&mut self, argv: &[Vec<u8>], real_reply: &Frame) -> Vec<Vec<Vec<u8>>> {
        let name = argv.first().map(|n| n.to_ascii_uppercase()).unwrap_or_default();
        match name.as_slice() {
            b"MULTI" if *real_reply == Frame::ok() => self.queued.clear(),
            b"EXEC" | b"DISCARD" => return std::mem::take(&mut self.queued),
            _ if *real_reply == Frame::Simple("QUEUED".into()) => self.queued.push(argv.to_vec()),
            _ => {}
        }
        Vec::new()
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".into()
    }
}

/// How a step compares.
#[derive(Clone, Copy, Debug)]
pub enum Verdict {
    Match,
    /// Differs, but the difference is on [`normalize::ALLOWED_DIFFERENCES`].
    Allowed(&'static AllowedDifference),
    Mismatch,
}

/// One judged command step.
#[derive(Clone, Debug)]
pub struct StepResult {
    pub step: Step,
    pub exchange: Exchange,
    pub reply: Normalized,
    pub stream: NormalizedStream,
    pub reply_differs: bool,
    pub stream_differs: bool,
    pub verdict: Verdict,
}

impl StepResult {
    pub fn is_mismatch(&self) -> bool {
        matches!(self.verdict, Verdict::Mismatch)
    }
}

/// The outcome of one case.
#[derive(Debug)]
pub struct CaseResult {
    pub case: Case,
    /// Judged command steps, in order (sleeps are not listed).
    pub steps: Vec<StepResult>,
    /// A harness failure (server did not start, connection lost…): the case
    /// stopped there and counts as failed.
    pub error: Option<String>,
}

impl CaseResult {
    pub fn mismatches(&self) -> usize {
        self.steps.iter().filter(|s| s.is_mismatch()).count()
    }

    pub fn allowed(&self) -> usize {
        self.steps.iter().filter(|s| matches!(s.verdict, Verdict::Allowed(_))).count()
    }

    pub fn passed(&self) -> bool {
        self.error.is_none() && self.mismatches() == 0
    }
}

/// Runs `case` from an empty server on both sides.
pub fn run_case(case: &Case) -> CaseResult {
    match Harness::start() {
        Ok(mut h) => run_case_on(&mut h, case),
        Err(e) => CaseResult { case: case.clone(), steps: Vec::new(), error: Some(format!("harness start: {e}")) },
    }
}

/// Runs `case` on an already started harness (tests use this to tamper with
/// one side first).
pub fn run_case_on(h: &mut Harness, case: &Case) -> CaseResult {
    let mut steps = Vec::new();
    for step in &case.steps {
        let outcome = match &step.action {
            Action::Sleep(ms) => {
                std::thread::sleep(Duration::from_millis(*ms));
                continue;
            }
            Action::Command(argv) => h.judge(step, argv),
        };
        match outcome {
            Ok(result) => steps.push(result),
            Err(e) => {
                let log = std::fs::read_to_string(h.real.log_path()).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(5).collect();
                let error = format!("{}: {e} (redis log tail: {:?})", step.text, tail);
                return CaseResult { case: case.clone(), steps, error: Some(error) };
            }
        }
    }
    CaseResult { case: case.clone(), steps, error: None }
}

/// Parses `text` as one case file named `inline` and runs every case in it.
/// Panics on a malformed text (it is test input written by hand).
pub fn run_lines(text: &str) -> Vec<CaseResult> {
    let cases = crate::case::parse("inline", text).unwrap_or_else(|e| panic!("bad case text: {e}"));
    cases.iter().map(run_case).collect()
}
