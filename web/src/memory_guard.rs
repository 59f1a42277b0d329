//! The playground's memory bounds: every node of the scene lives in this
//! one tab's wasm heap, and a wasm allocation that fails *aborts* the
//! instance without running the panic hook: the page freezes, with no
//! banner. Redis lets single commands ask for a lot (`SETRANGE k 536870000
//! x` builds 512 MB, then every replica, backlog and output buffer gets its
//! own copy), so the playground bounds memory twice:
//!
//! 1. **Smaller values.** Nodes the playground creates start with
//!    `proto-max-bulk-len` at [`PLAYGROUND_PROTO_MAX_BULK_LEN`] (8mb)
//!    instead of Redis's 512mb, through the normal config path (the
//!    scenario's or user's own value wins; `CONFIG SET` can raise it). 8 MB
//!    is far above anything a lesson needs (the workload's values stop at
//!    1 MB) yet keeps one command's footprint to tens of MB even once copied
//!    to four nodes, their backlogs and buffers. The Config tab says so
//!    ([`PROTO_MAX_BULK_LEN_NOTE`]).
//! 2. **A guard.** [`CountingAlloc`] counts the live bytes of the whole
//!    app; [`GuardedDriver`] checks them before it runs a verb or a tick.
//!    At [`THRESHOLD_BYTES`] (1.5 GiB) and above, writes are refused with an
//!    `OOM` reply in the console (plus a browser console error), the
//!    workload stops, the clock pauses, and a notice on the page says why
//!    and what to do (Reset, or FLUSHALL on the master). 1.5 GiB leaves
//!    room under wasm32's 4 GiB ceiling for what the counter does not see:
//!    allocator fragmentation, and a large buffer growing by reallocation
//!    (old and new copies alive at once).
//!
//! Reads, `CONFIG`, and the commands and verbs that free memory (FLUSHALL,
//! FLUSHDB, DEL, UNLINK; crash, remove, reset, load a scenario) still run.
//! After a freeing command the clock may run again so it reaches the
//! replicas, as long as memory does not grow past where it was.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use replscope_core::commands::{self, flags};
use replscope_core::resp::Frame;
use replscope_core::resp::parser::split_args;
use wasm_bindgen::JsValue;

use crate::driver::{ConsoleReply, Driver, Verb};
use crate::fmt::human_bytes;
use crate::view::{SceneView, Workload};

/// `proto-max-bulk-len` of every node the playground creates.
pub const PLAYGROUND_PROTO_MAX_BULK_LEN: &str = "8mb";

/// The Config tab's note next to `proto-max-bulk-len`.
pub const PROTO_MAX_BULK_LEN_NOTE: &str =
    "ReplScope: 8mb here (Redis default 512mb) — every node's copy lives in this tab";

/// Live bytes at which the guard trips: 1.5 GiB (see the module docs).
pub const THRESHOLD_BYTES: u64 = 1536 * 1024 * 1024;

/// The `id` of the notice the guard puts on the page.
pub const MEMORY_NOTICE_ID: &str = "replscope-memory-notice";

// ----- counting allocator ------------------------------------------------------

/// Bytes currently allocated through the global allocator.
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// The system allocator (dlmalloc on wasm32), counting live bytes.
pub struct CountingAlloc;

// SAFETY: every call is forwarded to `System` unchanged; the counter is a
// plain atomic.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
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
        // SAFETY: forwarded as is.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

/// The app's allocator in the browser (native builds of this crate, such
/// as `cargo clippy`, keep the default one).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Bytes the app holds now (0 where [`CountingAlloc`] is not installed).
pub fn live_bytes() -> u64 {
    LIVE.load(Ordering::Relaxed) as u64
}

// ----- policy (pure) --------------------------------------------------------------

/// `pairs` (a node's start-up config) with the playground's
/// `proto-max-bulk-len`, unless they set one themselves.
pub fn playground_pairs(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = pairs.to_vec();
    if !pairs.iter().any(|(name, _)| name.eq_ignore_ascii_case("proto-max-bulk-len")) {
        out.push(("proto-max-bulk-len".to_string(), PLAYGROUND_PROTO_MAX_BULK_LEN.to_string()));
    }
    out
}

/// True when `live` bytes are at or past the guard.
pub fn over(live: u64, threshold: u64) -> bool {
    live >= threshold
}

/// Whether virtual time may advance: under the guard, or draining (a
/// freeing command ran at `drain_ceiling` bytes and memory has not grown
/// past that since).
pub fn tick_allowed(live: u64, threshold: u64, drain_ceiling: Option<u64>) -> bool {
    !over(live, threshold) || drain_ceiling.is_some_and(|ceiling| live <= ceiling)
}

/// Commands that free memory: always allowed, and they let the clock run.
const FREEING: [&str; 4] = ["flushall", "flushdb", "del", "unlink"];

/// The command name of a console line (lowercased), if it has one.
fn command_name(line: &str) -> Option<String> {
    let argv = split_args(line.as_bytes())?;
    argv.first().map(|a| String::from_utf8_lossy(a).to_ascii_lowercase())
}

/// True for a console line that frees memory (FLUSHALL, DEL…).
pub fn frees_memory(verb: &Verb) -> bool {
    match verb {
        Verb::RunCommand { line, .. } => command_name(line).is_some_and(|c| FREEING.contains(&c.as_str())),
        Verb::Crash { .. } | Verb::RemoveNode { .. } => true,
        _ => false,
    }
}

/// Whether `verb` still runs while the guard is tripped: reads, CONFIG,
/// freeing commands and verbs that shrink or replace the scene. Refused:
/// writes (and EXEC, which runs queued ones, and REPLICAOF, which starts a
/// full sync), new nodes, restarts (an RDB load), repointing (a sync) and
/// starting a workload. `Step` follows the clock ([`tick_allowed`]).
pub fn allowed_when_over(verb: &Verb) -> bool {
    match verb {
        Verb::RunCommand { line, .. } => match command_name(line) {
            None => true,
            Some(name) if FREEING.contains(&name.as_str()) => true,
            Some(name) if matches!(name.as_str(), "exec" | "replicaof" | "slaveof") => false,
            Some(name) => commands::lookup(name.as_bytes()).is_none_or(|spec| spec.flags & flags::WRITE == 0),
        },
        Verb::AddNode { .. } | Verb::Restart { .. } | Verb::RepointTo { .. } => false,
        Verb::SetWorkload(w) => w.writes_per_s == 0,
        _ => true,
    }
}

/// A refused verb, for the browser console (hand-written rather than
/// `{:?}`, which would bring Debug formatting into the bundle).
fn refused(verb: &Verb) -> String {
    match verb {
        Verb::RunCommand { node, line } => format!("`{line}` on {node}"),
        Verb::AddNode { .. } => "adding a node".into(),
        Verb::Restart { node } => format!("restarting {node}"),
        Verb::RepointTo { node, master } => format!("re-pointing {node} to {master}"),
        Verb::SetWorkload(w) => format!("a workload of {} writes/s", w.writes_per_s),
        Verb::Step => "a step of the clock".into(),
        _ => "a verb".into(),
    }
}

/// The console reply to a refused command: Redis's own `OOM` prefix (a
/// server past `maxmemory` answers `-OOM command not allowed …`).
pub fn oom_reply(live: u64, threshold: u64) -> String {
    format!(
        "OOM command not allowed: this tab holds {}, over ReplScope's {} memory guard (every node's copy of the \
         data lives in this tab). Reset the scene, or FLUSHALL on the master.",
        human_bytes(live),
        human_bytes(threshold)
    )
}

/// The on-page notice's text.
pub fn notice_text(live: u64, threshold: u64) -> String {
    format!(
        "this tab holds {} of simulated data, over the {} ReplScope allows: every node's copy lives in this one \
         tab, and a tab that runs out of memory freezes. Writes are refused and the clock is paused. Reset the \
         scene (scenario menu → ↺ Reset), or run FLUSHALL on the master and play on so it reaches the replicas.",
        human_bytes(live),
        human_bytes(threshold)
    )
}

// ----- the guarded driver ---------------------------------------------------------

/// A [`Driver`] that checks memory before every verb and tick (see the
/// module docs). The page runs `GuardedDriver<SimDriver>`.
pub struct GuardedDriver<D> {
    inner: D,
    threshold: u64,
    /// Where the live bytes come from ([`live_bytes`]; tests fake it).
    probe: fn() -> u64,
    tripped: bool,
    /// Live bytes right after a freeing command ran while tripped.
    drain_ceiling: Option<u64>,
}

impl<D: Driver> GuardedDriver<D> {
    /// The page's guard: [`THRESHOLD_BYTES`] of [`live_bytes`].
    pub fn new(inner: D) -> Self {
        Self::with_probe(inner, THRESHOLD_BYTES, live_bytes)
    }

    /// A guard with another threshold and source of live bytes.
    pub fn with_probe(inner: D, threshold: u64, probe: fn() -> u64) -> Self {
        GuardedDriver { inner, threshold, probe, tripped: false, drain_ceiling: None }
    }

    pub fn inner(&self) -> &D {
        &self.inner
    }

    /// True while the guard holds writes and the clock.
    pub fn tripped(&self) -> bool {
        self.tripped
    }

    /// Reads the live bytes; trips or clears the guard.
    fn check(&mut self) -> u64 {
        let live = (self.probe)();
        if !over(live, self.threshold) {
            if self.tripped {
                self.tripped = false;
                self.drain_ceiling = None;
                hide_notice();
            }
        } else if !self.tripped {
            self.tripped = true;
            self.drain_ceiling = None;
            console_error(&format!("ReplScope memory guard: {}", notice_text(live, self.threshold)));
            let w = self.inner.view().workload;
            if w.writes_per_s > 0 {
                self.inner.apply(&Verb::SetWorkload(Workload { writes_per_s: 0, ..w }));
            }
        }
        if self.tripped {
            // Refreshed each time: the number moves as memory is freed.
            show_notice(&notice_text(live, self.threshold));
        }
        live
    }
}

impl<D: Driver> Driver for GuardedDriver<D> {
    fn apply(&mut self, verb: &Verb) -> Option<ConsoleReply> {
        let live = self.check();
        if self.tripped {
            let allowed = match verb {
                Verb::Step => tick_allowed(live, self.threshold, self.drain_ceiling),
                _ => allowed_when_over(verb),
            };
            if !allowed {
                console_error(&format!(
                    "ReplScope memory guard refused {}: {}",
                    refused(verb),
                    oom_reply(live, self.threshold)
                ));
                return match verb {
                    Verb::RunCommand { .. } => Some(ConsoleReply::Frame(Frame::Error(oom_reply(live, self.threshold)))),
                    _ => None,
                };
            }
        }
        let reply = self.inner.apply(verb);
        if self.tripped && frees_memory(verb) {
            self.drain_ceiling = Some((self.probe)());
        }
        self.check();
        reply
    }

    fn tick(&mut self, wall_dt_ms: f64, speed: f64) {
        let live = self.check();
        if self.tripped && !tick_allowed(live, self.threshold, self.drain_ceiling) {
            return; // the clock is paused
        }
        self.inner.tick(wall_dt_ms, speed);
    }

    fn view(&self) -> SceneView {
        self.inner.view()
    }
}

// ----- the page -------------------------------------------------------------------

fn console_error(text: &str) {
    web_sys::console::error_1(&JsValue::from_str(text));
}

/// Shows (or updates) the notice at the top of `<body>`. Best effort: no
/// document, no notice (the console error still says it). It is plain DOM
/// outside Yew, like the panic banner, and styled like it; its Reload
/// button is a plain GET form.
fn show_notice(text: &str) {
    let _ = try_show_notice(text);
}

fn try_show_notice(text: &str) -> Result<(), JsValue> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| JsValue::from_str("no document"))?;
    if let Some(existing) = document.get_element_by_id(MEMORY_NOTICE_ID) {
        if let Some(detail) = existing.query_selector(".memory-notice-text")? {
            detail.set_text_content(Some(text));
        }
        return Ok(());
    }
    let body = document.body().ok_or_else(|| JsValue::from_str("no body"))?;
    crate::top_banner(
        &document,
        &body,
        crate::TopBanner {
            id: MEMORY_NOTICE_ID,
            class: "panic-banner memory-notice",
            heading: "Memory guard: ",
            detail_tag: "span",
            detail_class: "memory-notice-text",
            text,
            reload: "Reload the page",
        },
    )?;
    Ok(())
}

fn hide_notice() {
    if let Some(existing) =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(MEMORY_NOTICE_ID))
    {
        existing.remove();
    }
}
