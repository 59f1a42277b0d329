//! `SimDriver`: the scene run by the core's simulator ([`Sim`]).
//!
//! This module holds no replication logic. Every number, state and
//! decision on screen comes from the core: offsets, link states and
//! replicas from [`Sim::replication_view`], link faults from the network,
//! messages from [`Sim::in_flight`], the event log from the simulator's
//! event stream (PSYNC decisions with their "why" and Redis's log lines),
//! and the "full resync needed" prediction from the master's own PSYNC rule
//! ([`psync::decide`] and the backlog's `contains`). What this module adds
//! is presentation: names, labels, caps, and playback (virtual time is
//! advanced by wall time × speed, in bounded slices).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use replscope_core::events::NodeEventKind;
use replscope_core::info;
use replscope_core::keyspace::{Value, set_members_in_reply_order};
use replscope_core::network::{LinkState as NetLinkState, NetEvent, SegmentKind};
use replscope_core::node::ClientId;
use replscope_core::node::sim_support::{MasterLinkState, ReplicationView};
use replscope_core::psync::{self, FullResyncReason, PsyncDecision, PsyncRequest, PsyncView};
use replscope_core::resp::Frame;
use replscope_core::resp::parser::split_args;
use replscope_core::scenario::{Scenario, Step};
use replscope_core::sim::{CommandResult, DEFAULT_START_MS, Sim, SimEvent, SimEventKind};
use replscope_core::workload::SetWorkload;

use crate::driver::{ConsoleReply, Driver, Verb};
use crate::fmt::{clock, human_bytes, quote_bytes};
use crate::memory_guard::playground_pairs;
use crate::small_map::SmallMap;
use crate::view::*;

/// The parameters the Config tab shows (replication's knobs).
pub const CONFIG_NAMES: [&str; 11] = [
    "repl-backlog-size",
    "replica-read-only",
    "replica-serve-stale-data",
    "min-replicas-to-write",
    "min-replicas-max-lag",
    "repl-diskless-sync",
    "repl-diskless-sync-delay",
    "repl-timeout",
    "requirepass",
    "masterauth",
    "proto-max-bulk-len",
];

/// The opening scene's name in the scenario menu.
pub const READY_SCENE: &str = "Ready scene";
/// The opening scene's hint.
pub const READY_HINT: &str = "Try: type SET k v in A's console and watch it reach B, C and D; then click the \
                              A → B link, cut it, write a few keys, heal it: +CONTINUE. Shrink A's backlog \
                              (Config tab) and do it again past the window: +FULLRESYNC.";

/// The example scenarios (scenarios/*.json), by menu name: trunk copies
/// the directory into dist/, and a scenario is fetched from
/// `scenarios/<name>.json` when chosen. None is embedded: the wasm bundle
/// stays smaller, and the opening scene needs none of them.
pub const SCENARIOS: [&str; 9] = [
    "partial-resync-after-short-cut",
    "full-resync-after-backlog-overflow",
    "chain",
    "diskless-two-replicas",
    "failover-psync2",
    "min-replicas-to-write",
    "output-buffer-limit-loop",
    "serve-stale-data",
    "high-latency-chain",
];

/// Latency and bandwidth of every link in the ready scene: slow enough
/// that messages visibly travel and an RDB transfer visibly fills.
pub const SCENE_LATENCY_MS: u64 = 100;
pub const SCENE_BANDWIDTH_KBPS: u64 = 4_000;

/// Most virtual time one tick may advance (a backgrounded tab can deliver
/// one huge frame).
pub const MAX_VIRTUAL_MS_PER_TICK: f64 = 250.0;
/// Most simulator steps one tick may take; past it the clock lags behind
/// wall time instead of freezing the tab.
pub const MAX_STEPS_PER_TICK: usize = 4_000;
/// How often the workload's client sends the writes due (virtual ms): each
/// burst is that many ms of individual SETs, pipelined on the client's own
/// connection, as redis-benchmark's pipelining clients send them.
const WORKLOAD_SLICE_MS: u64 = 20;
/// Simulator events kept ([`Sim::set_event_retention`]): the driver turns
/// them into its own bounded log and diagram after every slice, so the
/// simulator only has to hold what one slice produces (20 nodes at 5k
/// writes/s at 100× make about 50k per 250 ms tick; a slice is far less).
/// Without a limit a long session's memory would grow with every write.
pub const EVENT_RETENTION: usize = 20_000;
/// Steps between two reads of the event stream within one tick.
const CONSUME_EVERY_STEPS: usize = 64;
/// Keys listed per node.
const MAX_KEY_ROWS: usize = 200;
/// Event log and space-time diagram lengths.
const MAX_EVENTS: usize = 400;
const MAX_ARROWS: usize = 300;
/// Shortest gap between two arrows of one link and kind in the diagram,
/// per 4 nodes in the scene (more links share the same arrow budget).
const ARROW_GAP_MS: u64 = 100;
/// How often the space-time diagram gets new arrows (virtual ms).
const ARROWS_REFRESH_MS: u64 = 100;
/// Node log lines shown.
const MAX_LOG_LINES: usize = 200;
/// Messages reported in flight at most (the canvas aggregates them per link).
const MAX_IN_FLIGHT: usize = 200;
/// How long an outcome badge stays on a link, in virtual ms.
const BADGE_MS: u64 = 6_000;
/// Virtual pause between two scenario steps, so each can be seen. The CLI
/// plays steps back to back, so the playground says so when a scenario
/// loads ([`scenario_pacing_note`]).
const SCENARIO_STEP_GAP_MS: u64 = 700;

/// The log line that tells how the playground's timing of a scenario
/// differs from `replscope run`'s.
pub fn scenario_pacing_note(name: &str) -> String {
    format!(
        "playing {name}: steps {SCENARIO_STEP_GAP_MS} ms apart in virtual time so each can be watched, \
         proto-max-bulk-len 8mb unless the file sets it; `replscope run` plays the steps back to back, so its times \
         and offsets can differ"
    )
}
/// How far the label look-ahead scans the event stream.
const LOOKAHEAD: usize = 256;
/// How long the driver lets the ready scene settle when it is built.
const SETTLE_LIMIT_MS: u64 = 60_000;

/// The workload generator's client on every master (the console is client 1).
const WORKLOAD_CLIENT: ClientId = ClientId(2);
/// Seed of the workload's key choice (random keys, like `redis-benchmark -r`).
const WORKLOAD_SEED: u64 = 1;

/// A scenario file being played, one step at a time.
struct Script {
    steps: Vec<Step>,
    next: usize,
    wait: Wait,
}

/// What the script waits for before its next step.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Wait {
    Until(u64),
    /// Quiescence (see `Sim::quiescence`), at most until the deadline.
    Settle {
        deadline: u64,
    },
}

/// An RDB transfer on a link, as the master reported it.
#[derive(Clone, Copy, Debug, Default)]
struct RdbTransfer {
    total: u64,
    delivered: u64,
}

/// The label of a segment, decided when it was sent.
#[derive(Clone, Debug)]
struct SegLabel {
    kind: MessageKind,
    label: String,
    /// Index into `arrows` (by absolute id).
    arrow: u64,
}

/// The slow-changing, costly parts of a node's view: its keyspace table
/// (compared with its master's), INFO text, log and config. Rebuilt when a
/// verb ran or every [`PANEL_REFRESH_MS`] of virtual time, not every frame:
/// under a 5k writes/s workload they would change every frame for every
/// node.
#[derive(Clone, Default)]
struct PanelParts {
    keys: Rc<Vec<KeyRow>>,
    info: Rc<str>,
    log: Rc<Vec<String>>,
    config: Rc<Vec<(String, String)>>,
}

/// [`PanelParts`] of every node, the epoch they are for, and when each was
/// built (virtual ms).
#[derive(Default)]
struct PanelCache {
    epoch: Option<u64>,
    parts: SmallMap<String, (PanelParts, u64)>,
    /// Each node's keys before the comparison with its master's.
    raw_keys: SmallMap<String, Rc<Vec<KeyRow>>>,
}

/// Every live node's replication view, in node order.
type Views = SmallMap<String, ReplicationView>;

/// How often the panels' parts are rebuilt, in virtual ms.
const PANEL_REFRESH_MS: u64 = 200;
/// Nodes whose parts are rebuilt in one frame at most (the stalest first),
/// so 20 nodes cost a little every frame, not a spike every 200 ms. A verb
/// rebuilds them all at once.
const PANEL_REFRESH_PER_VIEW: usize = 3;

/// See the module docs.
pub struct SimDriver {
    sim: Sim,
    scenario: String,
    hint: String,
    /// Simulator events consumed so far.
    cursor: usize,
    events: VecDeque<EventView>,
    arrows: VecDeque<ArrowView>,
    /// Absolute id of `arrows[0]`.
    arrow_base: u64,
    /// Labels of segments in flight, by (sender, conn, stream offset).
    /// Labels of segments in flight, per (sender, conn), in stream order
    /// (a connection delivers in order; dropped segments are skipped).
    labels: SmallMap<(String, u64), VecDeque<(u64, SegLabel)>>,
    /// (master, replica) → outcome badge and when it fades (virtual unix ms).
    badges: SmallMap<(String, String), (Outcome, u64)>,
    /// (master, replica) → the event-log entry of a full resync waiting for
    /// its snapshot size.
    pending_full: SmallMap<(String, String), u64>,
    /// Absolute id of `events[0]`.
    event_base: u64,
    rdb: SmallMap<(String, String), RdbTransfer>,
    /// Last known master of each replica, so a crashed replica keeps its link.
    last_master: SmallMap<String, String>,
    workload: Workload,
    write_credit: f64,
    /// Writes sent so far (the next write's number).
    write_seq: u64,
    /// Reused buffer for a burst's RESP bytes.
    workload_bytes: Vec<u8>,
    /// The error each master last answered the workload with (NOREPLICAS,
    /// NOAUTH, READONLY…): logged when it starts and when it stops, so a
    /// workload that silently bounces off a master is visible.
    workload_refused: SmallMap<String, String>,
    t_frac: f64,
    script: Option<Script>,
    /// Bumped by every verb: invalidates the node caches.
    epoch: u64,
    cache: RefCell<PanelCache>,
    /// Link latency and bandwidth given to nodes added by the user.
    link_params: Option<(u64, u64)>,
    /// (replica, master) pairs whose connects are being refused: their
    /// once-a-second retries are logged once, not every time.
    retrying: Vec<(String, String)>,
    /// When the last arrow of each (from, to, kind) was drawn (virtual ms).
    last_arrow: SmallMap<(String, String, &'static str), u64>,
    arrow_gap_ms: u64,
    /// The log and the arrows as last handed to the view, and whether they
    /// changed since: an unchanged list is the same `Rc` frame after frame.
    events_rc: RefCell<Rc<Vec<EventView>>>,
    events_changed: Cell<bool>,
    arrows_rc: RefCell<Rc<Vec<ArrowView>>>,
    arrows_changed: Cell<bool>,
    /// (epoch, virtual ms) of the arrows last handed out.
    arrows_built: Cell<(u64, u64)>,
}

/// `list` as a shared vector: the one handed out last time unless `changed`.
fn shared<T: Clone>(list: &VecDeque<T>, changed: &Cell<bool>, last: &RefCell<Rc<Vec<T>>>) -> Rc<Vec<T>> {
    if changed.replace(false) {
        *last.borrow_mut() = Rc::new(list.iter().cloned().collect());
    }
    last.borrow().clone()
}

impl Default for SimDriver {
    fn default() -> Self {
        Self::new()
    }
}

/// `"B:6380"` (Redis's name for a peer) → `"B"` (the node).
fn node_of(peer: &str) -> String {
    peer.rsplit_once(':').map(|(h, _)| h).unwrap_or(peer).to_string()
}

fn words(argv: &[&str]) -> Vec<Vec<u8>> {
    argv.iter().map(|w| w.as_bytes().to_vec()).collect()
}

impl SimDriver {
    /// The opening scene: master A with replicas B and C, and D replicating
    /// from B, already synced.
    pub fn new() -> SimDriver {
        let mut sim = Sim::new(1, DEFAULT_START_MS);
        let specs: [(&str, u16, Option<&str>); 4] =
            [("A", 6379, None), ("B", 6380, Some("A 6379")), ("C", 6381, Some("A 6379")), ("D", 6382, Some("B 6380"))];
        // Hosts first, links set, then the replicas start.
        for (name, port, _) in specs {
            let _ = sim.add_node(name, &playground_pairs(&[("port".to_string(), port.to_string())]));
        }
        let names = sim.node_names();
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                sim.set_link(a, b, Some(SCENE_LATENCY_MS), Some(SCENE_BANDWIDTH_KBPS));
            }
        }
        for (name, _, master) in specs {
            if let Some(master) = master {
                let (host, port) = master.split_once(' ').unwrap_or((master, "6379"));
                let _ = sim.command(name, words(&["REPLICAOF", host, port]));
            }
        }
        let _ = sim.settle(SETTLE_LIMIT_MS);
        let mut d = SimDriver::around(sim, READY_SCENE, READY_HINT);
        d.link_params = Some((SCENE_LATENCY_MS, SCENE_BANDWIDTH_KBPS));
        d.consume();
        // The initial syncs are in the log; the scene opens calm.
        d.badges.clear();
        d
    }

    fn around(mut sim: Sim, scenario: &str, hint: &str) -> SimDriver {
        sim.set_event_retention(Some(EVENT_RETENTION));
        SimDriver {
            sim,
            scenario: scenario.to_string(),
            hint: hint.to_string(),
            cursor: 0,
            events: VecDeque::new(),
            arrows: VecDeque::new(),
            arrow_base: 0,
            labels: SmallMap::new(),
            badges: SmallMap::new(),
            pending_full: SmallMap::new(),
            event_base: 0,
            rdb: SmallMap::new(),
            last_master: SmallMap::new(),
            workload: Workload::default(),
            write_credit: 0.0,
            write_seq: 0,
            workload_bytes: Vec::new(),
            workload_refused: SmallMap::new(),
            t_frac: 0.0,
            script: None,
            epoch: 0,
            cache: RefCell::new(PanelCache::default()),
            link_params: None,
            retrying: Vec::new(),
            last_arrow: SmallMap::new(),
            arrow_gap_ms: ARROW_GAP_MS,
            events_rc: RefCell::default(),
            events_changed: Cell::new(true),
            arrows_rc: RefCell::default(),
            arrows_changed: Cell::new(true),
            arrows_built: Cell::new((u64::MAX, 0)),
        }
    }

    /// A scenario file (`name` is for the menu), its nodes started, its
    /// steps to be played one by one as time runs.
    pub fn scenario(name: &str, json: &str) -> Result<SimDriver, String> {
        let scenario = Scenario::from_json(json).map_err(|e| e.to_string())?;
        let mut sim = Sim::new(scenario.seed, scenario.start_unix_ms);
        for node in &scenario.nodes {
            sim.add_node(&node.name, &playground_pairs(&node.spec.pairs))?;
        }
        let hint = scenario.description.clone().unwrap_or_default();
        let mut d = SimDriver::around(sim, name, &hint);
        d.note("", "scenario", scenario_pacing_note(name));
        let now = d.sim.now_ms();
        d.script = Some(Script { steps: scenario.steps.clone(), next: 0, wait: Wait::Until(now) });
        d.consume();
        Ok(d)
    }

    /// The simulator (read-only), for tests and inspection.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    fn t_rel(&self, t_ms: u64) -> u64 {
        t_ms.saturating_sub(self.sim.start_ms())
    }

    fn push_event(&mut self, mut e: EventView) -> u64 {
        self.events_changed.set(true);
        e.id = self.event_base + self.events.len() as u64 + 1;
        self.events.push_back(e);
        if self.events.len() > MAX_EVENTS {
            self.events.pop_front();
            self.event_base += 1;
        }
        self.event_base + self.events.len() as u64 - 1
    }

    fn event_mut(&mut self, id: u64) -> Option<&mut EventView> {
        self.events_changed.set(true);
        let i = id.checked_sub(self.event_base)?;
        self.events.get_mut(i as usize)
    }

    /// Logs `text` now.
    fn note(&mut self, node: &str, kind: &str, text: String) {
        let t = self.t_rel(self.sim.now_ms());
        self.note_at(t, node, kind, text);
    }

    /// Logs `text` at `t` (virtual ms since the start).
    fn note_at(&mut self, t: u64, node: &str, kind: &str, text: String) {
        self.push_event(EventView::new(t, node, kind, &text));
    }

    fn port_of(&self, node: &str) -> Option<u16> {
        self.sim.node_spec(node).map(|s| s.config.port)
    }

    /// The node `view`'s master address resolves to.
    fn master_name(&self, view: &ReplicationView) -> Option<String> {
        view.master.as_ref().and_then(|a| self.sim.network().resolve(a)).map(str::to_string)
    }

    // ----- events ---------------------------------------------------------

    /// Turns new simulator events into the log, arrows, labels, badges
    /// and RDB progress.
    fn consume(&mut self) {
        let count = self.sim.event_count();
        if self.cursor >= count {
            return;
        }
        // Handling needs `&mut self`, so the events that matter are copied
        // out first; the stream's per-command events (thousands a second
        // under a workload) are only read, for the labels of the segments
        // that carry them.
        let mut todo: Vec<(SimEvent, Option<(MessageKind, String)>)> = Vec::new();
        let batch = self.sim.events_since(self.cursor);
        for (i, ev) in batch.iter().enumerate() {
            if !shown(&ev.kind) {
                continue;
            }
            let label = match &ev.kind {
                SimEventKind::Net { event: NetEvent::Sent { from, to, segment, len, .. } } => {
                    Some(self.label_for(batch, i, from, to, segment, *len))
                }
                _ => None,
            };
            todo.push((ev.clone(), label));
        }
        self.arrow_gap_ms = ARROW_GAP_MS * (self.sim.node_names().len() as u64 / 4).max(1);
        self.cursor = count;
        for (ev, label) in todo {
            self.handle(&ev, label);
        }
        let now = self.sim.now_ms();
        self.badges.retain(|_, (_, until)| *until > now);
    }

    fn handle(&mut self, ev: &SimEvent, label: Option<(MessageKind, String)>) {
        let t = self.t_rel(ev.t_ms);
        match &ev.kind {
            SimEventKind::NodeAdded { node, port } => {
                self.note_at(t, node, "node", format!("{node} started on port {port}"))
            }
            SimEventKind::NodeRemoved { node } => self.note_at(t, node, "node", format!("{node} removed")),
            SimEventKind::Command { node, cmd } => {
                let mut line = cmd.join(" ");
                if line.chars().count() > 80 {
                    line = line.chars().take(79).collect::<String>() + "…";
                }
                self.note_at(t, node, "command", format!("{node}> {line}"));
            }
            SimEventKind::ConnectionRefused { .. } | SimEventKind::Reply { .. } | SimEventKind::Blocked { .. } => {}
            SimEventKind::Fault { verb, from, to } => {
                let text = match verb.as_str() {
                    "cut" => format!("link {from} ↔ {to} cut ✂ (connections reset)"),
                    "partition" => format!("link {from} ↔ {to} partitioned ⚡ (packets silently dropped)"),
                    "cut_one_way" => format!("link {from} → {to} cut ✂ one way"),
                    _ => format!("link {from} → {to} partitioned ⚡ one way (only {to} → {from} gets through)"),
                };
                let mut e = EventView::new(t, from, "link", &text);
                e.peer = Some(to.clone());
                self.push_event(e);
            }
            SimEventKind::Healed { a, b } => {
                self.retrying.retain(|(x, y)| !((x == a && y == b) || (x == b && y == a)));
                let mut e = EventView::new(t, a, "link", &format!("link {a} ↔ {b} healed"));
                e.peer = Some(b.clone());
                self.push_event(e);
            }
            SimEventKind::LinkChanged { .. } => {}
            SimEventKind::Crash { node } => {
                self.note_at(t, node, "node", format!("{node} crashed ✕ (memory gone; its RDB file stays on disk)"))
            }
            SimEventKind::Restart { node, rdb_bytes } => {
                self.retrying.retain(|(_, y)| y != node);
                let from = match rdb_bytes {
                    Some(b) => format!("loading its RDB file ({})", human_bytes(*b)),
                    None => "empty (no RDB file)".to_string(),
                };
                self.note_at(t, node, "node", format!("{node} restarted, {from}"));
            }
            SimEventKind::Net { event } => self.handle_net(ev.t_ms, event, label),
            SimEventKind::Node { node, event } => self.handle_node(t, node, event),
        }
    }

    fn handle_node(&mut self, t: u64, node: &str, event: &NodeEventKind) {
        let now = self.sim.now_ms();
        match event {
            NodeEventKind::LinkState { master, state } => {
                let m = node_of(master);
                let pair = (node.to_string(), m.clone());
                if self.retrying.contains(&pair) {
                    if state == "connect" || state == "connecting" {
                        return;
                    }
                    self.retrying.retain(|p| *p != pair);
                }
                let mut e = EventView::new(t, node, "link", &format!("{node}: link to {m} {state}"));
                e.peer = Some(m.clone());
                self.push_event(e);
                if state != "sync" {
                    self.rdb.remove(&(m, node.to_string()));
                }
            }
            NodeEventKind::PsyncSent { master, replid, offset } => {
                let m = node_of(master);
                let id = if replid.starts_with('?') {
                    replid.clone()
                } else {
                    replid.chars().take(8).collect::<String>() + "…"
                };
                let mut e = EventView::new(t, node, "psync", &format!("{node} asked {m}: PSYNC {id} {offset}"));
                e.peer = Some(m);
                self.push_event(e);
            }
            NodeEventKind::PsyncDecided(d) => {
                let replscope_core::events::PsyncDecided { replica, decision, why, log, .. } = &**d;
                let r = node_of(replica);
                let key = (node.to_string(), r.clone());
                let (text, badge) = if decision == "continue" {
                    // Redis's own line says how many bytes the backlog replays.
                    let bytes = log.iter().find_map(|l| sending_bytes(l)).unwrap_or(0);
                    (format!("{node} answered {r}: +CONTINUE"), Outcome::Partial { bytes })
                } else {
                    (format!("{node} answered {r}: +FULLRESYNC"), Outcome::Full { rdb_bytes: 0 })
                };
                let mut e = EventView::new(t, node, "psync", &text);
                e.peer = Some(r.clone());
                e.why = Some(why.clone());
                e.redis_log = (!log.is_empty()).then(|| log.join("\n"));
                e.badge = Some(badge.clone());
                let id = self.push_event(e);
                if matches!(badge, Outcome::Full { .. }) {
                    self.pending_full.insert(key.clone(), id);
                } else {
                    self.pending_full.remove(&key);
                }
                self.badges.insert(key, (badge, now + BADGE_MS));
            }
            NodeEventKind::SnapshotStarted { target, replicas, bytes, offset } => {
                let names: Vec<String> = replicas.iter().map(|r| node_of(r)).collect();
                self.note_at(
                    t,
                    node,
                    "sync",
                    format!(
                        "{node}: RDB snapshot ({target}) for {} at offset {offset}: {}",
                        names.join(", "),
                        human_bytes(*bytes)
                    ),
                );
                for r in names {
                    let key = (node.to_string(), r);
                    if let Some(id) = self.pending_full.remove(&key)
                        && let Some(e) = self.event_mut(id)
                    {
                        e.badge = Some(Outcome::Full { rdb_bytes: *bytes });
                    }
                    if let Some((Outcome::Full { rdb_bytes }, _)) = self.badges.get_mut(&key) {
                        *rdb_bytes = *bytes;
                    }
                }
            }
            NodeEventKind::SnapshotProgress { replica, total, .. } => {
                let key = (node.to_string(), node_of(replica));
                self.rdb.get_or_insert_with(key, RdbTransfer::default).total = *total;
            }
            NodeEventKind::SnapshotFinished { replica, bytes } => {
                let r = node_of(replica);
                let mut e = EventView::new(
                    t,
                    node,
                    "sync",
                    &format!("{node}: RDB fully handed to the link for {r} ({})", human_bytes(*bytes)),
                );
                e.peer = Some(r);
                self.push_event(e);
            }
            NodeEventKind::SnapshotLoaded { keys, bytes, offset, .. } => {
                self.note_at(
                    t,
                    node,
                    "sync",
                    format!("{node} loaded the RDB: {keys} keys, {}, offset {offset}", human_bytes(*bytes)),
                );
                self.rdb.retain(|(_, r), _| r != node);
            }
            NodeEventKind::BacklogCreated { first_byte_offset, .. } => self.note_at(
                t,
                node,
                "backlog",
                format!("{node} created its backlog (first byte offset {first_byte_offset})"),
            ),
            NodeEventKind::BacklogFreed => {
                self.note_at(t, node, "backlog", format!("{node} freed its backlog (repl-backlog-ttl)"))
            }
            NodeEventKind::ReplicaOnline { replica, sync } => {
                let r = node_of(replica);
                let mut e = EventView::new(t, node, "link", &format!("{node}: replica {r} online ({sync} sync)"));
                e.peer = Some(r.clone());
                self.push_event(e);
            }
            NodeEventKind::ReplicaDisconnected { replica, reason } => {
                let r = node_of(replica);
                let mut e = EventView::new(
                    t,
                    node,
                    "link",
                    &format!("{node}: lost replica {r} ({})", reason.replace('_', " ")),
                );
                e.peer = Some(r.clone());
                self.push_event(e);
                self.rdb.remove(&(node.to_string(), r));
            }
            NodeEventKind::ErrorReply { .. }
            | NodeEventKind::Log { .. }
            | NodeEventKind::HandshakeStep { .. }
            | NodeEventKind::PsyncReply { .. }
            | NodeEventKind::BacklogTrimmed { .. }
            | NodeEventKind::ReplicaAck { .. }
            | NodeEventKind::StreamFed { .. }
            | NodeEventKind::StreamApplied { .. }
            | NodeEventKind::WaitDone { .. } => {}
        }
    }

    fn handle_net(&mut self, t: u64, event: &NetEvent, label: Option<(MessageKind, String)>) {
        match event {
            NetEvent::Sent { from, from_conn, to, len, stream_offset, .. } => {
                let (kind, label) = label.unwrap_or_else(|| (MessageKind::Write, human_bytes(*len as u64)));
                // The diagram gets at most one arrow per link and kind every
                // ARROW_GAP_MS: at thousands of writes a second it would
                // otherwise only show the last few milliseconds.
                let sent = self.t_rel(t);
                let last = self.last_arrow.get_or_insert_with((from.clone(), to.clone(), kind.class()), || u64::MAX);
                if *last != u64::MAX && sent < *last + self.arrow_gap_ms {
                    self.push_label(from, from_conn.0, *stream_offset, SegLabel { kind, label, arrow: u64::MAX });
                    return;
                }
                *last = sent;
                let arrow = ArrowView {
                    from: from.clone(),
                    to: to.clone(),
                    kind,
                    label: label.clone(),
                    sent_ms: self.t_rel(t),
                    recv_ms: None,
                    id: self.arrow_base + self.arrows.len() as u64 + 1,
                };
                self.arrows.push_back(arrow);
                self.arrows_changed.set(true);
                if self.arrows.len() > MAX_ARROWS {
                    self.arrows.pop_front();
                    self.arrow_base += 1;
                }
                let id = self.arrow_base + self.arrows.len() as u64 - 1;
                self.push_label(from, from_conn.0, *stream_offset, SegLabel { kind, label, arrow: id });
            }
            NetEvent::Delivered { from, from_conn, to, len, stream_offset, .. } => {
                if let Some(l) = self.take_label(from, from_conn.0, *stream_offset) {
                    let recv = self.t_rel(t);
                    if let Some(a) = l.arrow.checked_sub(self.arrow_base).and_then(|i| self.arrows.get_mut(i as usize))
                    {
                        a.recv_ms = Some(recv);
                        self.arrows_changed.set(true);
                    }
                    if l.kind == MessageKind::Rdb
                        && let Some(x) = self.rdb.get_mut(&(from.clone(), to.clone()))
                    {
                        x.delivered = (x.delivered + *len as u64).min(x.total);
                    }
                }
            }
            NetEvent::Reset { a, a_conn, b, b_conn, lost_bytes } => {
                self.labels.retain(|(n, c), _| !((n == a && *c == a_conn.0) || (n == b && *c == b_conn.0)));
                let mut e = EventView::new(
                    self.t_rel(t),
                    a,
                    "link",
                    &format!("connection {a} ↔ {b} reset ({lost_bytes} B lost)"),
                );
                e.peer = Some(b.clone());
                self.push_event(e);
            }
            NetEvent::ConnectRefused { from, to, .. } => {
                let pair = (from.clone(), to.host.clone());
                if self.retrying.contains(&pair) {
                    return;
                }
                self.retrying.push(pair);
                let text = format!("{from}: connect to {} refused (retried every second, logged once)", to.host);
                let mut e = EventView::new(self.t_rel(t), from, "link", &text);
                e.peer = Some(to.host.clone());
                self.push_event(e);
            }
            NetEvent::ConnectStarted { .. }
            | NetEvent::Accepted { .. }
            | NetEvent::Connected { .. }
            | NetEvent::CloseStarted { .. } => {}
        }
    }

    fn push_label(&mut self, from: &str, conn: u64, offset: u64, label: SegLabel) {
        self.labels.get_or_insert_with((from.to_string(), conn), VecDeque::new).push_back((offset, label));
    }

    /// The label of the segment at `offset` on `(from, conn)`, now
    /// delivered, and those before it (dropped on the way) forgotten.
    fn take_label(&mut self, from: &str, conn: u64, offset: u64) -> Option<SegLabel> {
        let key = (from.to_string(), conn);
        let queue = self.labels.get_mut(&key)?;
        while queue.front().is_some_and(|(o, _)| *o < offset) {
            queue.pop_front();
        }
        let label = queue.front().filter(|(o, _)| *o == offset).is_some().then(|| queue.pop_front()).flatten();
        if queue.is_empty() {
            self.labels.remove(&key);
        }
        label.map(|(_, l)| l)
    }

    /// The label of a segment still in flight.
    fn label_of(&self, from: &str, conn: u64, offset: u64) -> Option<&SegLabel> {
        let queue = self.labels.get(&(from.to_string(), conn))?;
        queue.binary_search_by_key(&offset, |(o, _)| *o).ok().map(|i| &queue[i].1)
    }

    /// What a segment carries, from the sender's node events that describe
    /// the same moment (the simulator records them right after the bytes
    /// leave) and the link's state.
    fn label_for(
        &self,
        batch: &[SimEvent],
        i: usize,
        from: &str,
        to: &str,
        segment: &SegmentKind,
        len: usize,
    ) -> (MessageKind, String) {
        match segment {
            SegmentKind::Accept => return (MessageKind::Handshake, "SYN-ACK".to_string()),
            SegmentKind::Close => return (MessageKind::Handshake, "FIN".to_string()),
            SegmentKind::Reset => return (MessageKind::Handshake, "RST".to_string()),
            SegmentKind::Data => {}
        }
        let size = human_bytes(len as u64);
        // The sender's node events at the same instant, right after.
        let t = batch[i].t_ms;
        let mut cmds: Vec<&str> = Vec::new();
        for ev in batch.iter().skip(i + 1).take(LOOKAHEAD) {
            if ev.t_ms != t {
                break;
            }
            match &ev.kind {
                SimEventKind::Net { .. } => continue,
                SimEventKind::Node { node, event } if &**node == from => match event {
                    NodeEventKind::HandshakeStep { sent: true, text, .. } => {
                        return (MessageKind::Handshake, format!("{text} · {size}"));
                    }
                    NodeEventKind::PsyncSent { replid, offset, .. } => {
                        let id: String = replid.chars().take(8).collect();
                        return (MessageKind::Psync, format!("PSYNC {id} {offset}"));
                    }
                    NodeEventKind::PsyncDecided(d) => {
                        let decision = &d.decision;
                        let word = if decision == "continue" { "+CONTINUE" } else { "+FULLRESYNC" };
                        return (MessageKind::Psync, format!("{word} · {size}"));
                    }
                    NodeEventKind::SnapshotProgress { sent, total, .. } => {
                        return (MessageKind::Rdb, format!("RDB {} / {}", human_bytes(*sent), human_bytes(*total)));
                    }
                    NodeEventKind::StreamFed { cmd, .. } | NodeEventKind::StreamApplied { cmd, .. } => cmds.push(cmd),
                    _ => {}
                },
                _ => break,
            }
        }
        let stream_kind = |cmd: &str| {
            let up = cmd.to_ascii_uppercase();
            if up.starts_with("PING") {
                MessageKind::Ping
            } else if up.starts_with("REPLCONF") {
                MessageKind::Ack
            } else {
                MessageKind::Write
            }
        };
        // A SELECT only says which db the next command is for.
        if cmds.len() > 1 {
            cmds.retain(|c| !c.to_ascii_uppercase().starts_with("SELECT "));
        }
        match cmds.as_slice() {
            [one] => return (stream_kind(one), format!("{one} · {size}")),
            [first, rest @ ..] => return (MessageKind::Write, format!("{first} +{} · {size}", rest.len())),
            [] => {}
        }
        // No description at this instant: the link's state tells.
        let view = |n: &str| self.sim.replication_view(n);
        let sender = view(from);
        let receiver = view(to);
        let is_master_of = |m: &str, r: &Option<ReplicationView>| {
            r.as_ref().is_some_and(|r| self.master_name(r).as_deref() == Some(m))
        };
        if is_master_of(to, &sender) {
            let up = sender.as_ref().is_some_and(|s| s.link == Some(MasterLinkState::Connected));
            return if up {
                (MessageKind::Ack, "REPLCONF ACK".to_string())
            } else {
                (MessageKind::Handshake, format!("handshake · {size}"))
            };
        }
        if is_master_of(from, &receiver) {
            if self.rdb.contains_key(&(from.to_string(), to.to_string())) {
                return (MessageKind::Rdb, format!("RDB · {size}"));
            }
            let up = receiver.as_ref().is_some_and(|r| r.link == Some(MasterLinkState::Connected));
            return if up {
                (MessageKind::Write, format!("stream · {size}"))
            } else {
                (MessageKind::Handshake, format!("reply · {size}"))
            };
        }
        (MessageKind::Handshake, size)
    }

    // ----- time ----------------------------------------------------------------

    /// Runs the simulation to `target` (virtual unix ms), at most
    /// [`MAX_STEPS_PER_TICK`] steps; with a workload, writes go in every
    /// [`WORKLOAD_SLICE_MS`]. New events are consumed as it goes (at least
    /// every [`CONSUME_EVERY_STEPS`] steps and every slice), so the
    /// simulator's retention limit never drops one unread.
    fn advance_to(&mut self, target: u64) {
        let mut steps = 0;
        while self.sim.now_ms() < target && steps < MAX_STEPS_PER_TICK {
            let slice_start = self.sim.now_ms();
            let slice_end =
                if self.workload.writes_per_s > 0 { target.min(slice_start + WORKLOAD_SLICE_MS) } else { target };
            while steps < MAX_STEPS_PER_TICK && self.sim.next_due().is_some_and(|t| t <= slice_end) {
                self.sim.step();
                steps += 1;
                if steps % CONSUME_EVERY_STEPS == 0 {
                    self.consume();
                }
            }
            if steps >= MAX_STEPS_PER_TICK {
                break;
            }
            self.sim.run_until(slice_end);
            // The whole slice's writes, steps included.
            self.run_workload(slice_end - slice_start);
            self.run_script();
            self.consume();
        }
        self.run_script();
    }

    /// The workload's writes due in `virtual_ms`, to every live master:
    /// individual SETs ([`SetWorkload`], core's shared shape), sent as one
    /// pipelined burst on the workload's own client connection.
    fn run_workload(&mut self, virtual_ms: u64) {
        let w = self.workload;
        if w.writes_per_s == 0 || w.keys == 0 {
            self.write_credit = 0.0;
            return;
        }
        self.write_credit += w.writes_per_s as f64 * virtual_ms as f64 / 1000.0;
        let due = self.write_credit.floor() as u64;
        self.write_credit -= due as f64;
        if due == 0 {
            return;
        }
        let writes = SetWorkload::random(WORKLOAD_SEED, u64::from(w.keys), w.value_size as usize);
        let mut bytes = std::mem::take(&mut self.workload_bytes);
        bytes.clear();
        writes.encode(self.write_seq..self.write_seq + due, &mut bytes);
        self.write_seq += due;
        let now = self.sim.now_ms();
        for m in self.sim.node_names() {
            let is_master = self.sim.replication_view(&m).is_some_and(|v| v.master.is_none());
            if !is_master {
                continue;
            }
            let Some(node) = self.sim.node_mut(&m) else { continue };
            // The replies are +OK or the node's error; only a change of
            // error is logged (redis-benchmark would just count them).
            let out = node.client_bytes(now, WORKLOAD_CLIENT, &bytes);
            let refused = first_error_reply(&out.reply_bytes);
            self.sim.pump(&m);
            self.note_workload_refusal(&m, refused);
        }
        self.workload_bytes = bytes;
    }

    /// Logs that master `m` started (or stopped) refusing the workload's
    /// writes with `error`.
    fn note_workload_refusal(&mut self, m: &str, error: Option<String>) {
        if self.workload_refused.get(m) == error.as_ref() {
            return;
        }
        let text = match &error {
            Some(e) => format!("workload: {m} refuses the writes: (error) {e}"),
            None => format!("workload: {m} accepts the writes again"),
        };
        match error {
            Some(e) => {
                self.workload_refused.insert(m.to_string(), e);
            }
            None => {
                self.workload_refused.remove(m);
            }
        }
        self.note(m, "workload", text);
    }

    /// Plays the scenario's next steps whose time has come.
    fn run_script(&mut self) {
        let Some(mut script) = self.script.take() else { return };
        let now = self.sim.now_ms();
        for _ in 0..32 {
            let ready = match script.wait {
                Wait::Until(t) => now >= t,
                Wait::Settle { deadline } => now >= deadline || self.sim.quiescence().is_none(),
            };
            if !ready {
                break;
            }
            let Some(step) = script.steps.get(script.next).cloned() else {
                self.note("", "scenario", format!("scenario {} finished", self.scenario));
                self.consume();
                return;
            };
            script.next += 1;
            let total = script.steps.len();
            let n = script.next;
            let gap = Wait::Until(now + SCENARIO_STEP_GAP_MS);
            script.wait = match &step {
                Step::Cmd { node, cmd } => {
                    let _ = self.sim.command_with_limit(node, cmd.clone(), replscope_core::scenario::BLOCK_LIMIT_MS);
                    gap
                }
                Step::Settle { limit_ms } => {
                    self.note("", "scenario", format!("step {n}/{total}: wait until the replicas settle"));
                    Wait::Settle { deadline: now + limit_ms }
                }
                Step::AdvanceMs(ms) => {
                    self.note("", "scenario", format!("step {n}/{total}: wait {ms} ms"));
                    Wait::Until(now + ms)
                }
                Step::Link { .. } => {
                    step.apply_fault(&mut self.sim);
                    Wait::Until(now)
                }
                fault => {
                    fault.apply_fault(&mut self.sim);
                    gap
                }
            };
            self.epoch += 1;
        }
        self.script = Some(script);
    }

    // ----- verbs --------------------------------------------------------------

    fn run_line(&mut self, node: &str, line: &str) -> Option<ConsoleReply> {
        if !self.sim.exists(node) {
            return None;
        }
        let argv = match split_args(line.as_bytes()) {
            Some(argv) if argv.is_empty() => return None,
            Some(argv) => argv,
            None => return Some(ConsoleReply::Frame(Frame::error("Invalid argument(s)"))),
        };
        self.command(node, argv)
    }

    fn command(&mut self, node: &str, argv: Vec<Vec<u8>>) -> Option<ConsoleReply> {
        match self.sim.command(node, argv) {
            CommandResult::Reply(frame) => Some(ConsoleReply::Frame(frame)),
            CommandResult::ConnectionRefused => {
                Some(ConsoleReply::NotConnected { host: node.to_string(), port: self.port_of(node).unwrap_or(0) })
            }
            CommandResult::StillBlocked => Some(ConsoleReply::Frame(Frame::Null)),
        }
    }

    fn next_free_name(&self) -> String {
        let names = self.sim.node_names();
        ('A'..='Z')
            .map(|c| c.to_string())
            .find(|n| !names.contains(n))
            .unwrap_or_else(|| (0..).map(|i| format!("N{i}")).find(|n| !names.contains(n)).unwrap_or_default())
    }

    fn add_node(&mut self, master: Option<&str>) {
        let name = self.next_free_name();
        let port =
            self.sim.node_names().iter().filter_map(|n| self.port_of(n)).max().map_or(6379, |p| p.saturating_add(1));
        let mut pairs = vec![("port".to_string(), port.to_string())];
        if let Some(m) = master
            && let Some(mport) = self.port_of(m)
        {
            pairs.push(("replicaof".to_string(), format!("{m} {mport}")));
        }
        // Links first would need the host; add, then set the links before
        // the first connect's segment leaves (it is already in flight at
        // the default latency, which is fine).
        if self.sim.add_node(&name, &playground_pairs(&pairs)).is_err() {
            return;
        }
        if let Some((latency, bw)) = self.link_params {
            for other in self.sim.node_names().into_iter().filter(|o| *o != name) {
                self.sim.set_link(&name, &other, Some(latency), Some(bw));
            }
        }
    }

    // ----- view -----------------------------------------------------------------

    /// The arrows for the space-time diagram. Under a workload they change
    /// every frame; the diagram is redrawn with new ones at most every
    /// [`ARROWS_REFRESH_MS`] of virtual time (at once after a verb), which
    /// the eye does not miss and which saves re-rendering hundreds of
    /// arrows per frame.
    fn shared_arrows(&self) -> Rc<Vec<ArrowView>> {
        let now = self.sim.now_ms();
        let (epoch, at) = self.arrows_built.get();
        if epoch == self.epoch && now < at + ARROWS_REFRESH_MS {
            return self.arrows_rc.borrow().clone();
        }
        if self.arrows_changed.get() {
            self.arrows_built.set((self.epoch, now));
        }
        shared(&self.arrows, &self.arrows_changed, &self.arrows_rc)
    }

    fn node_view(&self, name: &str, views: &Views) -> NodeView {
        let port = self.port_of(name).unwrap_or(0);
        let mut nv = NodeView::new(name, port);
        let Some(node) = self.sim.node(name) else {
            nv.crashed = true;
            nv.role = if self.last_master.contains_key(name) { Role::Replica } else { Role::Master };
            nv.link_status = self.last_master.contains_key(name).then_some(LinkStatus::Down);
            return nv;
        };
        let Some(rv) = views.get(name) else { return nv };
        let server = &node.server;
        nv.role = if rv.master.is_some() { Role::Replica } else { Role::Master };
        nv.replid = rv.replid.clone();
        nv.master_repl_offset = rv.offset;
        nv.link_status = rv.link.map(|l| match l {
            MasterLinkState::Connected => LinkStatus::Up,
            MasterLinkState::Sync => LinkStatus::Sync,
            MasterLinkState::Connecting => LinkStatus::Connecting,
            MasterLinkState::Connect => LinkStatus::Down,
        });
        nv.sync_in_progress = rv.sync_in_progress;
        nv.backlog = server.repl.backlog.as_ref().map(|b| {
            let replicas = self.markers(name, rv, views);
            BacklogView {
                size: b.size(),
                first_byte_offset: b.first_byte_offset(),
                master_repl_offset: rv.offset,
                blocks: b.blocks().map(|blk| (blk.start_offset, blk.len, blk.capacity)).collect(),
                replicas,
            }
        });
        if let Some((p, _)) = self.cache.borrow().parts.get(name) {
            nv.keys = p.keys.clone();
            nv.info_replication = p.info.clone();
            nv.log = p.log.clone();
            nv.config = p.config.clone();
        }
        nv
    }

    /// Rebuilds every node's [`PanelParts`] if they are stale.
    fn refresh_panels(&self, links: &[LinkView]) {
        let now = self.sim.now_ms();
        let names = self.sim.node_names();
        let mut cache = self.cache.borrow_mut();
        let all = cache.epoch != Some(self.epoch);
        if all {
            *cache = PanelCache { epoch: Some(self.epoch), ..PanelCache::default() };
        }
        cache.parts.retain(|n, _| names.contains(n));
        cache.raw_keys.retain(|n, _| names.contains(n));
        // The nodes to rebuild: all after a verb, else the stalest few.
        let mut due: Vec<(u64, &String)> = names
            .iter()
            .filter_map(|n| {
                let built = cache.parts.get(n.as_str()).map(|(_, t)| *t);
                let stale = built.is_none_or(|t| now >= t + PANEL_REFRESH_MS);
                stale.then_some((built.unwrap_or(0), n))
            })
            .collect();
        if !all {
            replscope_core::util::sort(&mut due);
            due.truncate(PANEL_REFRESH_PER_VIEW);
        }
        let master_of = |r: &str| links.iter().find(|l| l.to == r).map(|l| l.from.as_str());
        // Raw keys first (a replica is compared with its master's).
        for (_, name) in &due {
            let rows = self.sim.node(name).map(|n| key_rows(&n.server, now)).unwrap_or_default();
            cache.raw_keys.insert((*name).clone(), Rc::new(rows));
        }
        for (_, name) in due {
            let Some(node) = self.sim.node(name) else {
                cache.parts.insert(name.clone(), (PanelParts::default(), now));
                continue;
            };
            let server = &node.server;
            let raw = cache.raw_keys.get(name.as_str()).cloned().unwrap_or_default();
            // Keys a replica lacks or holds differently from its master.
            let keys = match master_of(name).filter(|m| self.sim.node(m).is_some()) {
                Some(m) => Rc::new(diff_against_master(&raw, &cache.raw_keys.get(m).cloned().unwrap_or_default())),
                None => raw,
            };
            let log_start = server.log.len().saturating_sub(MAX_LOG_LINES);
            let parts = PanelParts {
                keys,
                info: Rc::from(info::render_section(server, now, "replication")),
                log: Rc::new(
                    server.log[log_start..]
                        .iter()
                        .map(|l| format!("{} {}", clock(self.t_rel(l.t_ms)), l.text))
                        .collect(),
                ),
                config: Rc::new(CONFIG_NAMES.iter().flat_map(|n| server.config.get(n.as_bytes())).collect()),
            };
            cache.parts.insert(name.clone(), (parts, now));
        }
    }

    /// One marker per replica of `master`: the connected ones where their
    /// last ACK puts them, the disconnected ones (replicas whose configured
    /// master is `master`) at their own offset, red when the master's
    /// PSYNC rule would refuse their next request.
    fn markers(&self, master: &str, mview: &ReplicationView, views: &Views) -> Vec<ReplicaMarker> {
        let mut out = Vec::new();
        let Some(mnode) = self.sim.node(master) else { return out };
        for (name, rv) in views.iter() {
            if self.master_name(rv).as_deref() != Some(master) {
                continue;
            }
            let listed = mview.replicas.iter().find(|r| r.host == *name);
            let connected = listed.is_some_and(|r| r.state == "online") && rv.link == Some(MasterLinkState::Connected);
            let next = rv.offset + 1;
            let repl = &mnode.server.repl;
            // The master's own rule: history first (with no backlog, so no
            // bytes are copied), then the window.
            let pv = PsyncView {
                replid: &mview.replid,
                replid2: &mview.replid2,
                second_repl_offset: mview.second_repl_offset,
                master_repl_offset: mview.offset,
                backlog: None,
            };
            let request = PsyncRequest { replid: rv.replid.clone(), offset: next as i64 };
            let history_ok = matches!(
                psync::decide(&pv, &request),
                PsyncDecision::FullResync { reason: FullResyncReason::NoBacklog { .. } }
            );
            let in_window = history_ok && repl.backlog.as_ref().is_some_and(|b| b.contains(next as i64));
            out.push(ReplicaMarker {
                name: name.clone(),
                acked_offset: listed.map_or(rv.offset, |r| r.acked_offset),
                next_offset: next,
                connected,
                in_window,
            });
        }
        out
    }

    fn links_view(&self, views: &Views) -> Vec<LinkView> {
        let mut links = Vec::new();
        let mut pairs: Vec<(String, String)> = Vec::new();
        for name in self.sim.node_names() {
            let master = match views.get(&name) {
                Some(rv) => self.master_name(rv),
                None => self.last_master.get(&name).cloned(),
            };
            if let Some(m) = master.filter(|m| self.sim.exists(m)) {
                pairs.push((m, name));
            }
        }
        let now = self.sim.now_ms();
        for (m, r) in pairs {
            let net = self.sim.network();
            let down = net.direction(&m, &r);
            let up = net.direction(&r, &m);
            let key = (m.clone(), r.clone());
            let rdb = self.rdb.get(&key).filter(|x| x.total > 0).map(|x| (x.delivered, x.total));
            let state = match (down.state, up.state) {
                (NetLinkState::Cut, _) | (_, NetLinkState::Cut) => LinkState::Cut,
                (NetLinkState::Up, NetLinkState::Partitioned) => LinkState::OneWay,
                (NetLinkState::Partitioned, _) => LinkState::Partitioned,
                (NetLinkState::Up, NetLinkState::Up) => match views.get(&r).and_then(|v| v.link) {
                    _ if self.sim.is_crashed(&m) || self.sim.is_crashed(&r) => LinkState::Cut,
                    // The master is sending the snapshot (before the
                    // replica has read +FULLRESYNC, too).
                    _ if rdb.is_some_and(|(d, t)| d < t) => LinkState::Sync,
                    Some(MasterLinkState::Connected) => LinkState::Up,
                    Some(MasterLinkState::Sync) => LinkState::Sync,
                    _ => LinkState::Handshake,
                },
            };
            let mut lv = LinkView::new(&m, &r, state);
            lv.latency_ms = down.latency_ms;
            lv.bandwidth_kbps = down.bandwidth_kbps;
            lv.rdb_transfer = rdb;
            lv.badge = self.badges.get(&key).filter(|(_, until)| *until > now).map(|(o, _)| o.clone());
            links.push(lv);
        }
        links
    }

    /// Segments on the wire. RDB chunks on a link whose transfer bar is
    /// drawn are left out: the bar shows them.
    fn in_flight_view(&self) -> Vec<MessageView> {
        let now = self.sim.now_ms();
        self.sim
            .in_flight()
            .into_iter()
            .filter(|s| s.kind == SegmentKind::Data)
            .filter(|s| {
                !(self.label_of(&s.from, s.from_conn.0, s.stream_offset).is_some_and(|l| l.kind == MessageKind::Rdb)
                    && self.rdb.contains_key(&(s.from.clone(), s.to.clone())))
            })
            .take(MAX_IN_FLIGHT)
            .map(|s| {
                let label = self.label_of(&s.from, s.from_conn.0, s.stream_offset);
                let (kind, text) =
                    label.map_or((MessageKind::Write, human_bytes(s.len as u64)), |l| (l.kind, l.label.clone()));
                let progress = s.progress(now);
                MessageView { from: s.from, to: s.to, kind, label: text, progress }
            })
            .collect()
    }

    fn remember_masters(&mut self) {
        for name in self.sim.node_names() {
            if let Some(rv) = self.sim.replication_view(&name) {
                match self.master_name(&rv) {
                    Some(m) => {
                        self.last_master.insert(name, m);
                    }
                    None => {
                        self.last_master.remove(&name);
                    }
                }
            }
        }
        let names = self.sim.node_names();
        self.last_master.retain(|n, _| names.contains(n));
    }
}

/// Whether the driver does anything with an event (the rest it only reads
/// while labelling segments): see `handle`.
fn shown(kind: &SimEventKind) -> bool {
    match kind {
        SimEventKind::ConnectionRefused { .. }
        | SimEventKind::Reply { .. }
        | SimEventKind::Blocked { .. }
        | SimEventKind::LinkChanged { .. } => false,
        SimEventKind::Node { event, .. } => !matches!(
            event,
            NodeEventKind::ErrorReply { .. }
                | NodeEventKind::Log { .. }
                | NodeEventKind::HandshakeStep { .. }
                | NodeEventKind::PsyncReply { .. }
                | NodeEventKind::BacklogTrimmed { .. }
                | NodeEventKind::ReplicaAck { .. }
                | NodeEventKind::StreamFed { .. }
                | NodeEventKind::StreamApplied { .. }
                | NodeEventKind::WaitDone { .. }
        ),
        SimEventKind::Net { event } => !matches!(
            event,
            NetEvent::ConnectStarted { .. }
                | NetEvent::Accepted { .. }
                | NetEvent::Connected { .. }
                | NetEvent::CloseStarted { .. }
        ),
        _ => true,
    }
}

/// The number in Redis's "Sending N bytes of backlog" log line.
fn sending_bytes(line: &str) -> Option<u64> {
    let rest = line.split("Sending ").nth(1)?;
    rest.split(' ').next()?.parse().ok()
}

/// A node's keyspace table, sorted by (db, key).
fn key_rows(server: &replscope_core::server::Server, now: u64) -> Vec<KeyRow> {
    let mut rows = Vec::new();
    for (db_index, db) in server.keyspace.dbs() {
        for (key, value) in db.iter() {
            if rows.len() >= MAX_KEY_ROWS {
                return rows;
            }
            if db.is_expired(key, now) {
                continue;
            }
            rows.push(KeyRow {
                db: db_index,
                key: String::from_utf8_lossy(key).into_owned(),
                kind: value.type_name().to_string(),
                value_preview: preview(value),
                ttl_ms: db.expire_at(key).map(|at| at.saturating_sub(now)),
                differs_from_master: None,
            });
        }
    }
    rows
}

/// A short rendering of a value: strings quoted like redis-cli, collections
/// as their first few elements.
pub fn preview(value: &Value) -> String {
    const MAX_ITEMS: usize = 4;
    fn list(open: &str, close: &str, items: impl Iterator<Item = String>, len: usize) -> String {
        let shown: Vec<String> = items.take(MAX_ITEMS).collect();
        let more = if len > MAX_ITEMS { format!(", … ({len})") } else { String::new() };
        format!("{open}{}{more}{close}", shown.join(", "))
    }
    let text = match value {
        Value::String(s) => quote_bytes(s),
        Value::List(l) => list("[", "]", l.iter().map(|v| quote_bytes(v)), l.len()),
        Value::Hash(h) => {
            list("{", "}", h.iter().map(|(f, v)| format!("{}: {}", quote_bytes(f), quote_bytes(v))), h.len())
        }
        Value::Set(s) => list("{", "}", set_members_in_reply_order(s).into_iter().map(|v| quote_bytes(v)), s.len()),
        Value::ZSet(z) => list("[", "]", z.iter().map(|(m, score)| format!("{} {score}", quote_bytes(m))), z.len()),
    };
    if text.chars().count() > 60 { format!("{}…", text.chars().take(59).collect::<String>()) } else { text }
}

impl Driver for SimDriver {
    fn apply(&mut self, verb: &Verb) -> Option<ConsoleReply> {
        self.epoch += 1;
        let reply = match verb {
            Verb::RunCommand { node, line } => self.run_line(node, line),
            Verb::SetConfig { node, name, value } => self.command(
                node,
                vec![b"CONFIG".to_vec(), b"SET".to_vec(), name.clone().into_bytes(), value.clone().into_bytes()],
            ),
            Verb::CutLink { from, to } => {
                self.sim.cut(from, to);
                None
            }
            Verb::PartitionLink { from, to } => {
                self.sim.partition(from, to);
                None
            }
            Verb::OneWay { from, to } => {
                // Master → replica still delivers; the way back is dropped.
                self.sim.partition_one_way(to, from);
                None
            }
            Verb::HealLink { from, to } => {
                self.sim.heal(from, to);
                None
            }
            Verb::Crash { node } => {
                self.remember_masters();
                self.sim.crash(node);
                None
            }
            Verb::Restart { node } => {
                self.sim.restart(node);
                None
            }
            Verb::Promote { node } => {
                let _ = self.sim.command(node, words(&["REPLICAOF", "NO", "ONE"]));
                None
            }
            Verb::RepointTo { node, master } => {
                if let Some(port) = self.port_of(master) {
                    let _ = self.sim.command(node, words(&["REPLICAOF", master, &port.to_string()]));
                }
                None
            }
            Verb::AddNode { master } => {
                self.add_node(master.as_deref());
                None
            }
            Verb::RemoveNode { node } => {
                self.sim.remove_node(node);
                None
            }
            Verb::Step => {
                self.sim.step();
                self.run_script();
                None
            }
            Verb::SetWorkload(w) => {
                self.workload = *w;
                let text = if w.writes_per_s == 0 {
                    format!("workload stopped ({} SETs sent)", self.write_seq)
                } else {
                    format!(
                        "workload: {} writes/s to every master as individual SET key:NNNNNN commands over {} keys, \
                         {} B values, pipelined every {WORKLOAD_SLICE_MS} ms on their own connection \
                         (not logged one by one)",
                        w.writes_per_s, w.keys, w.value_size
                    )
                };
                self.note("", "workload", text);
                None
            }
            Verb::LoadScenario { name, json } => {
                match SimDriver::scenario(name, json) {
                    Ok(d) => *self = d,
                    Err(e) => self.note("", "scenario", format!("cannot load {name}: {e}")),
                }
                None
            }
            Verb::Reset => {
                *self = SimDriver::new();
                None
            }
        };
        self.remember_masters();
        self.consume();
        reply
    }

    fn tick(&mut self, wall_dt_ms: f64, speed: f64) {
        if wall_dt_ms <= 0.0 || speed <= 0.0 {
            return;
        }
        let total = self.t_frac + (wall_dt_ms * speed).min(MAX_VIRTUAL_MS_PER_TICK);
        let whole = total.floor();
        self.t_frac = total - whole;
        let target = self.sim.now_ms() + whole as u64;
        self.advance_to(target);
        self.remember_masters();
        self.consume();
    }

    fn view(&self) -> SceneView {
        let names = self.sim.node_names();
        let mut views = Views::new();
        for n in &names {
            if let Some(rv) = self.sim.replication_view(n) {
                views.insert(n.clone(), rv);
            }
        }
        let links = self.links_view(&views);
        self.refresh_panels(&links);
        let nodes: Vec<NodeView> = names.iter().map(|n| self.node_view(n, &views)).collect();
        SceneView {
            t_ms: self.sim.elapsed_ms(),
            scenario: self.scenario.clone(),
            hint: self.hint.clone(),
            nodes,
            links,
            in_flight: self.in_flight_view(),
            arrows: self.shared_arrows(),
            events: shared(&self.events, &self.events_changed, &self.events_rc),
            workload: self.workload,
        }
    }
}

/// The first error among pipelined simple replies (`+OK\r\n-NOREPLICAS …\r\n`),
/// without its `-`: the workload's SETs get only `+OK` or an error.
fn first_error_reply(replies: &[u8]) -> Option<String> {
    replies
        .split(|&b| b == b'\n')
        .find_map(|line| line.strip_prefix(b"-"))
        .map(|e| String::from_utf8_lossy(e.strip_suffix(b"\r").unwrap_or(e)).into_owned())
}
