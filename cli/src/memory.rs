//! `--max-memory`: a run that asks for more memory than the machine has
//! stops with a message naming the step, instead of being killed by the
//! OS (or aborted by a failed allocation) with nothing said.
//!
//! A scenario file is untrusted input: Redis lets `SETRANGE k 536870000 x`
//! build a 512 MB string, a node's `config` can raise `proto-max-bulk-len`
//! to 8 EB, and every replica, backlog and output buffer holds its own
//! copy. Two checks, both on the bytes the process holds, counted by
//! [`CountingAlloc`] (the global allocator):
//! - between steps: over `--max-memory`, the run stops after that step
//!   ([`over_limit`] decides, `main` reports);
//! - inside a step: an allocation that would take the process past twice
//!   `--max-memory` (the hard ceiling, room for a step's transient peaks)
//!   is not attempted: the run stops at once, from inside the allocator,
//!   with a message written without allocating. One huge `SETRANGE` never
//!   reaches the OS.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `--max-memory`'s default: 4gb (Redis's `gb`, 4 × 1024³ bytes).
pub const DEFAULT_MAX_MEMORY: &str = "4gb";

/// The exit status of a run stopped by `--max-memory`.
pub const EXIT_MEMORY: u8 = 3;

/// Bytes currently allocated through the global allocator.
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The hard ceiling (twice `--max-memory`); `usize::MAX` until set.
static CEILING: AtomicUsize = AtomicUsize::new(usize::MAX);
/// `--max-memory` as typed, for the message (set once, read without
/// allocating).
static SHOWN: OnceLock<String> = OnceLock::new();
/// The step running (`NO_STEP` before the first).
static STEP: AtomicUsize = AtomicUsize::new(NO_STEP);
const NO_STEP: usize = usize::MAX;

/// The system allocator, counting live bytes and refusing to cross the
/// hard ceiling.
pub struct CountingAlloc;

// SAFETY: every call is forwarded to `System` with the caller's layout and
// pointer unchanged; the counters are plain atomics.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        admit(layout.size());
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        admit(layout.size());
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        admit(new_size.saturating_sub(old));
        // SAFETY: forwarded as is.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= old {
                LIVE.fetch_add(new_size - old, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(old - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

/// Stops the run if `more` bytes would take the process past the ceiling.
fn admit(more: usize) {
    let ceiling = CEILING.load(Ordering::Relaxed);
    if ceiling == usize::MAX {
        return;
    }
    let live = LIVE.load(Ordering::Relaxed);
    if live.saturating_add(more) > ceiling {
        stop_in_allocator(live, more);
    }
}

/// Bytes the process holds now.
pub fn live_bytes() -> u64 {
    LIVE.load(Ordering::Relaxed) as u64
}

/// Arms both checks for a run limited to `max_bytes` (`shown` as typed).
pub fn set_limit(max_bytes: u64, shown: &str) {
    let _ = SHOWN.set(shown.to_string());
    let ceiling = usize::try_from(max_bytes.saturating_mul(2)).unwrap_or(usize::MAX - 1);
    CEILING.store(ceiling.min(usize::MAX - 1), Ordering::Relaxed);
}

/// Records which step runs, for a stop inside the allocator.
pub fn set_step(step: usize) {
    STEP.store(step, Ordering::Relaxed);
}

/// The between-steps check: `Some(message)` if the process holds more
/// than `max_bytes` after `step`. `shown` is the limit as the user typed it.
pub fn over_limit(step: usize, live: u64, max_bytes: u64, shown: &str) -> Option<String> {
    (live > max_bytes)
        .then(|| format!("replscope: step {step} took the simulation to {}, over --max-memory {shown}", human(live)))
}

/// Parses `--max-memory`: bytes or a Redis memory value (`512mb`, `4gb`,
/// `100k`…), at least 1mb (less would not even hold the simulator).
pub fn parse_max_memory(text: &str) -> Result<u64, String> {
    match replscope_core::config::parse_memory(text.as_bytes()) {
        Some(n) if n >= 1024 * 1024 => Ok(n),
        Some(_) => Err("must be at least 1mb".to_string()),
        None => Err("expected bytes or a memory value such as 512mb or 4gb".to_string()),
    }
}

/// clap's value parser for `--max-memory`.
pub(crate) fn parse_max_memory_arg(text: &str) -> Result<crate::MaxMemory, String> {
    parse_max_memory(text).map(|bytes| crate::MaxMemory { bytes, shown: text.to_string() })
}

/// `4.2 GB`, `130.0 MB`, `512 B` (binary units, like Redis's `mb`/`gb`).
pub fn human(bytes: u64) -> String {
    let mut w = StackWriter::default();
    write_human(&mut w, bytes);
    w.as_str().to_string()
}

fn write_human(w: &mut impl std::fmt::Write, bytes: u64) {
    const UNITS: [&str; 6] = ["KB", "MB", "GB", "TB", "PB", "EB"];
    if bytes < 1024 {
        let _ = write!(w, "{bytes} B");
        return;
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let _ = write!(w, "{value:.1} {}", UNITS[unit]);
}

/// The stop from inside the allocator: nothing here may allocate (the
/// message is formatted on the stack and written to stderr, which is not
/// buffered), and it cannot return.
#[cold]
fn stop_in_allocator(live: usize, more: usize) -> ! {
    use std::fmt::Write as _;
    use std::io::Write as _;
    let mut w = StackWriter::default();
    let step = STEP.load(Ordering::Relaxed);
    let _ = w.write_str("replscope: ");
    if step == NO_STEP {
        let _ = w.write_str("starting the scenario");
    } else {
        let _ = write!(w, "step {step}");
    }
    let _ = w.write_str(" asked for ");
    write_human(&mut w, more as u64);
    let _ = w.write_str(" at once (with ");
    write_human(&mut w, live as u64);
    let _ = w.write_str(" held), over twice --max-memory ");
    let _ = w.write_str(SHOWN.get().map_or("", String::as_str));
    let _ = w.write_str("\n");
    let _ = std::io::stderr().write_all(w.as_str().as_bytes());
    std::process::exit(i32::from(EXIT_MEMORY));
}

/// A fixed buffer implementing `fmt::Write`, for messages that must not
/// allocate. Text past its end is dropped.
struct StackWriter {
    buf: [u8; 256],
    len: usize,
}

impl Default for StackWriter {
    fn default() -> Self {
        StackWriter { buf: [0; 256], len: 0 }
    }
}

impl StackWriter {
    fn as_str(&self) -> &str {
        // Only whole `&str`s are copied in (see `write_str`).
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for StackWriter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let room = self.buf.len() - self.len;
        if s.len() > room {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
        self.len += s.len();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_redis_units() {
        assert_eq!(parse_max_memory("4gb"), Ok(4 << 30));
        assert_eq!(parse_max_memory("64MB"), Ok(64 << 20));
        assert_eq!(parse_max_memory("2000000"), Ok(2_000_000));
        assert_eq!(parse_max_memory("1k"), Err("must be at least 1mb".into()));
        assert!(parse_max_memory("4 gb").is_err());
        assert!(parse_max_memory("-1").is_err());
        assert_eq!(human(512), "512 B");
        assert_eq!(human(130 << 20), "130.0 MB");
        assert_eq!(human(4_509_715_660), "4.2 GB");
        assert_eq!(human(u64::MAX), "16.0 EB");
    }

    #[test]
    fn between_steps_check_names_the_step() {
        assert_eq!(over_limit(3, 4 << 30, 4 << 30, "4gb"), None);
        assert_eq!(
            over_limit(12, 4_509_715_660, 4 << 30, "4gb").as_deref(),
            Some("replscope: step 12 took the simulation to 4.2 GB, over --max-memory 4gb")
        );
    }

    #[test]
    fn the_allocator_counts_live_bytes() {
        // Other tests allocate concurrently: compare with some slack.
        let before = live_bytes();
        let v: Vec<u8> = Vec::with_capacity(64 << 20);
        assert!(live_bytes() >= before + (60 << 20), "{} {}", before, live_bytes());
        drop(v);
        assert!(live_bytes() < before + (4 << 20));
    }
}
