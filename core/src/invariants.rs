//! Named invariants of replication: what must hold in any history, however
//! the network misbehaves, checked by the deterministic simulation tests
//! (`dst/`) after every step and usable by the UI's lesson checkpoints.
//!
//! Each invariant has a name a human reads ([`names`]) and reports a
//! [`Violation`] that says which nodes, offsets or keys disagree. Two kinds:
//!
//! - state checks on a [`Sim`] at rest between steps:
//!   [`replicas_converge`] (only meaningful once every fault is healed and
//!   the system has settled), [`stream_bytes_agree`] (the byte half of
//!   "no skipped or duplicated bytes");
//! - a [`Checker`] that follows the ordered event stream and keeps a
//!   *shadow* of every node's replication state (replid, replid2, offset,
//!   backlog window, online replicas and their ACK times), rebuilt from the
//!   events alone and re-synchronised from the real state at every step
//!   boundary. Against that shadow it judges every stream append, every
//!   PSYNC decision and every accepted write, at the moment it happened.
//!
//! The PSYNC oracle here ([`partial_resync_possible`]) is written from the
//! rule Redis 7.0 follows, independently of [`crate::psync::decide`], so a
//! bug there is caught rather than copied.

use std::collections::BTreeMap;

use crate::commands::{self, flags};
use crate::keyspace::{Db, Keyspace};
use crate::server::NULL_REPLID;
use crate::sim::{Sim, SimEvent, SimEventKind};

/// The invariants' names, as reports and lesson checkpoints print them.
pub mod names {
    pub const REPLICAS_CONVERGE: &str = "replicas_converge";
    pub const NO_SKIPPED_OR_DUPLICATED_BYTES: &str = "no_skipped_or_duplicated_bytes";
    pub const OFFSETS_NEVER_DECREASE: &str = "offsets_never_decrease";
    pub const PARTIAL_RESYNC_ONLY_WHEN_BACKLOG_HAS_EVERY_BYTE: &str = "partial_resync_only_when_backlog_has_every_byte";
    pub const FULL_RESYNC_ONLY_WHEN_NEEDED: &str = "full_resync_only_when_needed";
    /// Liveness: with every fault healed and every node up, `settle` ends.
    pub const SETTLES_ONCE_HEALED: &str = "settles_once_healed";
    pub const MIN_REPLICAS_RESPECTED: &str = "min_replicas_respected";
    pub const DETERMINISTIC: &str = "deterministic";
}

/// An invariant that did not hold: its name and what was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub name: &'static str,
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.detail)
    }
}

impl std::error::Error for Violation {}

pub type Check = Result<(), Violation>;

fn violation(name: &'static str, detail: String) -> Check {
    Err(Violation { name, detail })
}

// ----- state checks --------------------------------------------------------

/// The live master `name` replicates from, if it resolves to a live node,
/// and whether following masters from `name` ends at a master (no cycle).
fn live_master<'a>(sim: &'a Sim, name: &str) -> Option<&'a str> {
    let view = sim.replication_view(name)?;
    let addr = view.master.as_ref()?;
    let master = sim.network().resolve(addr)?;
    sim.node(master).map(|_| master)
}

/// True if following masters from `name` ends at a live master (no
/// replication cycle, no unknown or crashed master on the way).
pub fn reaches_a_master(sim: &Sim, name: &str) -> bool {
    let mut current = name.to_string();
    for _ in 0..=sim.node_names().len() {
        let Some(view) = sim.replication_view(&current) else { return false };
        if view.master.is_none() {
            return true;
        }
        match live_master(sim, &current) {
            Some(m) => current = m.to_string(),
            None => return false,
        }
    }
    false // a replication cycle
}

/// **Convergence**: every live replica whose chain of masters ends at a
/// live master has exactly its master's replication ID, offset and
/// keyspace (every db, every value, every expire time) as a client sees it.
///
/// "As a client sees it": a key already expired at the current time counts
/// as absent on either side. A master deletes such a key only when its
/// expire cycle or an access finds it (then it propagates `DEL`), and a
/// replica never expires keys itself, so at rest both may still hold the
/// dead key, or one may have it and the other not while the `DEL` is
/// still to come. A key alive on one side must be alive, with the same
/// value and expire time, on the other.
///
/// (A master restarted from an RDB does not leave dead copies behind: it
/// feeds `DEL` for every key it drops as expired while loading, see
/// [`crate::replication::persistence`].)
///
/// Only meaningful once all faults are healed, crashed nodes restarted and
/// [`Sim::settle`] returned `Ok`: then nothing is left in flight.
pub fn replicas_converge(sim: &Sim) -> Check {
    for name in sim.node_names() {
        let Some(master) = live_master(sim, &name) else { continue };
        if !reaches_a_master(sim, &name) {
            continue;
        }
        let (Some(r), Some(m)) = (sim.node(&name), sim.node(master)) else { continue };
        let (rv, mv) = (r.replication_view(), m.replication_view());
        if rv.offset != mv.offset || !rv.replid.eq_ignore_ascii_case(&mv.replid) {
            return violation(
                names::REPLICAS_CONVERGE,
                format!(
                    "replica {name} is at {} offset {} but its master {master} is at {} offset {}",
                    rv.replid, rv.offset, mv.replid, mv.offset
                ),
            );
        }
        if let Some(diff) = keyspace_diff(&r.server.keyspace, &m.server.keyspace, sim.now_ms()) {
            return violation(
                names::REPLICAS_CONVERGE,
                format!("replica {name} and its master {master} differ: {diff}"),
            );
        }
    }
    Ok(())
}

/// The first difference between two keyspaces as clients see them at
/// `now_ms`: keys already expired count as absent.
pub fn keyspace_diff(a: &Keyspace, b: &Keyspace, now_ms: u64) -> Option<String> {
    let alive = |db: &Db, key: &[u8]| db.expire_at(key).is_none_or(|when| when >= now_ms);
    for i in 0..a.count().min(b.count()) {
        let (da, db) = (a.db(i), b.db(i));
        if da == db {
            continue;
        }
        let show = |key: &[u8]| String::from_utf8_lossy(key).into_owned();
        for (key, value) in da.iter().filter(|(k, _)| alive(da, k)) {
            let other = db.get(key).filter(|_| alive(db, key));
            if other != Some(value) {
                return Some(format!("db {i} key {:?}: {value:?} vs {other:?}", show(key)));
            }
            if da.expire_at(key) != db.expire_at(key) {
                return Some(format!(
                    "db {i} key {:?}: expires at {:?} vs {:?}",
                    show(key),
                    da.expire_at(key),
                    db.expire_at(key)
                ));
            }
        }
        for (key, value) in db.iter().filter(|(k, _)| alive(db, k)) {
            if da.get(key).filter(|_| alive(da, key)).is_none() {
                return Some(format!("db {i} key {:?}: missing vs {value:?}", show(key)));
            }
        }
    }
    None
}

/// How many trailing bytes of two backlogs [`stream_bytes_agree`] compares
/// at most: a skipped or repeated byte shifts everything after it, so the
/// newest bytes are enough and keep the check cheap.
pub const BYTES_COMPARED: u64 = 64 * 1024;

/// **No skipped or duplicated bytes**, the byte half: any two live nodes
/// that follow the same replication ID hold the same bytes at the same
/// offsets in their backlogs (where their windows overlap). A replica that
/// skipped or repeated a byte, or a `+CONTINUE` replay from the wrong
/// place, shifts its copy against its master's.
pub fn stream_bytes_agree(sim: &Sim) -> Check {
    let names = sim.node_names();
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            let (Some(na), Some(nb)) = (sim.node(a), sim.node(b)) else { continue };
            let (ra, rb) = (&na.server.repl, &nb.server.repl);
            if !ra.master_replid.eq_ignore_ascii_case(&rb.master_replid) {
                continue;
            }
            let (Some(ba), Some(bb)) = (&ra.backlog, &rb.backlog) else { continue };
            if ba.histlen() == 0 || bb.histlen() == 0 {
                continue;
            }
            let lo = ba.first_byte_offset().max(bb.first_byte_offset());
            let hi = ba.last_offset().min(bb.last_offset());
            if lo > hi {
                continue;
            }
            let from = lo.max((hi + 1).saturating_sub(BYTES_COMPARED));
            let len = (hi + 1 - from) as usize;
            let (xa, xb) = (ba.copy_range(from, len), bb.copy_range(from, len));
            if xa != xb {
                let at = xa.iter().zip(&xb).position(|(x, y)| x != y).unwrap_or(xa.len().min(xb.len()));
                let show = |x: &[u8]| {
                    let s = at.saturating_sub(8);
                    String::from_utf8_lossy(&x[s.min(x.len())..(at + 24).min(x.len())]).escape_debug().to_string()
                };
                return violation(
                    names::NO_SKIPPED_OR_DUPLICATED_BYTES,
                    format!(
                        "{a} and {b} both follow {} but their streams differ at offset {}: {a} has \"{}\", {b} has \"{}\"",
                        ra.master_replid,
                        from + at as u64,
                        show(&xa),
                        show(&xb)
                    ),
                );
            }
        }
    }
    Ok(())
}

/// **Determinism**: two runs of the same history (same seed, same steps)
/// end with the same event-stream hash.
pub fn deterministic(first_hash: u64, second_hash: u64) -> Check {
    if first_hash == second_hash {
        Ok(())
    } else {
        violation(
            names::DETERMINISTIC,
            format!("the same history gave event hash {first_hash:016x} once and {second_hash:016x} the other time"),
        )
    }
}

// ----- the PSYNC oracle ------------------------------------------------------

/// What a master knows when a PSYNC arrives, as the [`Checker`] shadows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsyncState {
    pub replid: String,
    pub replid2: String,
    pub second_repl_offset: i64,
    pub master_repl_offset: u64,
    /// `repl_backlog_first_byte_offset`, `None` without a backlog.
    pub backlog_first_byte: Option<u64>,
}

/// Redis 7.0's rule, restated: a partial resync is possible iff the replica
/// follows this master's history (its main ID, or its old ID up to
/// `second_repl_offset`) and every byte from `offset` to
/// `master_repl_offset` is still in the backlog.
pub fn partial_resync_possible(master: &PsyncState, replid: &str, offset: i64) -> bool {
    let same_history = replid.eq_ignore_ascii_case(&master.replid)
        || (replid.eq_ignore_ascii_case(&master.replid2) && offset <= master.second_repl_offset);
    let Some(first) = master.backlog_first_byte else { return false };
    same_history && offset >= first as i64 && offset <= master.master_repl_offset as i64 + 1
}

// ----- the event checker -------------------------------------------------------

/// One node as the [`Checker`] reconstructs it from events.
#[derive(Clone, Debug, Default)]
struct Shadow {
    /// False while the replication state cannot be followed from events
    /// (after a crash or a restart, until the next step boundary).
    known: bool,
    psync: Option<PsyncState>,
    /// A full sync, restart or crash happened since the last boundary:
    /// the offset may legitimately start over.
    restarted_history: bool,
    is_replica: bool,
    /// Master side: online replicas (`<host>:<port>`) and their last ACK.
    online: BTreeMap<String, u64>,
    min_replicas_to_write: u64,
    min_replicas_max_lag: u64,
    /// The console client's MULTI: open, and whether it queued a write.
    in_multi: bool,
    multi_has_write: bool,
    /// The console command waiting for its reply.
    pending: Option<Vec<String>>,
}

/// Counts of what the [`Checker`] judged, for reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckerStats {
    pub events: u64,
    pub psync_checked: u64,
    /// PSYNC decisions on a node whose state was not known from events
    /// (it restarted within the same step): not judged.
    pub psync_unknown: u64,
    pub stream_appends_checked: u64,
    pub writes_checked: u64,
    pub bytes_compared: u64,
}

/// Follows a [`Sim`]'s events and checks the event-level invariants:
/// `no_skipped_or_duplicated_bytes` (every append starts right after the
/// previous byte), `offsets_never_decrease`, the two PSYNC invariants and
/// `min_replicas_respected`. Call [`Checker::after_step`] after every
/// scenario step (or any call into the sim).
#[derive(Clone, Debug, Default)]
pub struct Checker {
    cursor: usize,
    nodes: BTreeMap<String, Shadow>,
    /// Offsets seen at the last boundary.
    last_offsets: BTreeMap<String, u64>,
    pub stats: CheckerStats,
}

impl Checker {
    /// A checker for `sim` as it is now (its past events are not judged).
    pub fn new(sim: &Sim) -> Checker {
        let mut checker = Checker { cursor: sim.event_count(), ..Checker::default() };
        checker.sync(sim);
        checker
    }

    /// A checker with no knowledge of any node: for feeding hand-made
    /// event traces to [`Checker::observe`].
    pub fn blank() -> Checker {
        Checker::default()
    }

    /// Declares what a node's state is (for hand-made traces).
    pub fn assume(&mut self, node: &str, state: PsyncState, is_replica: bool, min_replicas: (u64, u64)) {
        let shadow = self.nodes.entry(node.to_string()).or_default();
        shadow.known = true;
        shadow.psync = Some(state);
        shadow.is_replica = is_replica;
        (shadow.min_replicas_to_write, shadow.min_replicas_max_lag) = min_replicas;
    }

    /// Judges every event since the last call, then the state checks
    /// (`offsets_never_decrease` against the last boundary,
    /// [`stream_bytes_agree`]), then re-synchronises the shadows.
    pub fn after_step(&mut self, sim: &Sim) -> Check {
        let events = sim.events_since(self.cursor);
        self.cursor += events.len();
        for event in events {
            self.observe(event)?;
        }
        for name in sim.node_names() {
            let Some(view) = sim.replication_view(&name) else { continue };
            let restarted = self.nodes.get(&name).is_none_or(|s| s.restarted_history);
            if let Some(&before) = self.last_offsets.get(&name)
                && !restarted
                && view.offset < before
            {
                return violation(
                    names::OFFSETS_NEVER_DECREASE,
                    format!("{name}'s offset went from {before} to {} without a full sync or restart", view.offset),
                );
            }
        }
        stream_bytes_agree(sim)?;
        self.stats.bytes_compared += 1;
        self.sync(sim);
        Ok(())
    }

    /// Re-reads every node's real state into its shadow.
    fn sync(&mut self, sim: &Sim) {
        self.last_offsets.clear();
        let live: Vec<String> = sim.node_names();
        self.nodes.retain(|n, _| live.contains(n));
        for name in live {
            let shadow = self.nodes.entry(name.clone()).or_default();
            shadow.restarted_history = false;
            let Some(node) = sim.node(&name) else {
                *shadow = Shadow::default();
                continue;
            };
            let view = node.replication_view();
            self.last_offsets.insert(name.clone(), view.offset);
            shadow.known = true;
            shadow.psync = Some(PsyncState {
                replid: view.replid.clone(),
                replid2: view.replid2.clone(),
                second_repl_offset: view.second_repl_offset,
                master_repl_offset: view.offset,
                backlog_first_byte: view.backlog.map(|b| b.first_byte_offset),
            });
            shadow.is_replica = view.master.is_some();
            shadow.online = view
                .replicas
                .iter()
                .filter(|r| r.state == "online")
                .map(|r| (format!("{}:{}", r.host, r.port), r.last_ack_ms))
                .collect();
            shadow.min_replicas_to_write = node.server.config.min_replicas_to_write;
            shadow.min_replicas_max_lag = node.server.config.min_replicas_max_lag;
        }
    }

    /// Judges one event against the shadows, then applies it to them.
    pub fn observe(&mut self, event: &SimEvent) -> Check {
        self.stats.events += 1;
        let t = event.t_ms;
        match &event.kind {
            SimEventKind::NodeAdded { node, .. }
            | SimEventKind::Crash { node }
            | SimEventKind::Restart { node, .. } => {
                let shadow = self.nodes.entry(node.clone()).or_default();
                *shadow = Shadow { restarted_history: true, ..Shadow::default() };
            }
            SimEventKind::NodeRemoved { node } => {
                self.nodes.remove(node);
            }
            SimEventKind::Command { node, cmd } => {
                self.nodes.entry(node.clone()).or_default().pending = Some(cmd.clone());
            }
            SimEventKind::Reply { node, reply } => {
                let shadow = self.nodes.entry(node.clone()).or_default();
                if let Some(cmd) = shadow.pending.take() {
                    return self.on_reply(node, t, &cmd, reply);
                }
            }
            SimEventKind::Node { node, event } => return self.on_node_event(node, t, event),
            _ => {}
        }
        Ok(())
    }

    fn on_node_event(&mut self, node: &str, t: u64, event: &crate::events::NodeEventKind) -> Check {
        use crate::events::NodeEventKind as E;
        let shadow = self.nodes.entry(node.to_string()).or_default();
        match event {
            E::StreamFed { offset, len, cmd } | E::StreamApplied { offset, len, cmd } => {
                let Some(state) = shadow.psync.as_mut().filter(|_| shadow.known) else { return Ok(()) };
                self.stats.stream_appends_checked += 1;
                let expected = state.master_repl_offset + 1;
                if *offset != expected {
                    let what = if *offset > expected {
                        format!("skips {} bytes", offset - expected)
                    } else {
                        format!("repeats {} bytes", expected - offset)
                    };
                    return violation(
                        names::NO_SKIPPED_OR_DUPLICATED_BYTES,
                        format!(
                            "{node} appended `{cmd}` at offset {offset} but its stream ended at {}: it {what}",
                            expected - 1
                        ),
                    );
                }
                state.master_repl_offset = offset + len - 1;
            }
            // A restarted node loading its own file is followed at the next
            // boundary (what it becomes depends on its config).
            E::SnapshotLoaded { replid, offset, .. } if shadow.known => {
                shadow.restarted_history = true;
                shadow.psync = Some(PsyncState {
                    replid: replid.clone(),
                    replid2: NULL_REPLID.into(),
                    second_repl_offset: -1,
                    master_repl_offset: *offset,
                    backlog_first_byte: Some(offset + 1),
                });
            }
            E::BacklogCreated { replid, first_byte_offset } => {
                if let Some(state) = shadow.psync.as_mut() {
                    state.replid = replid.clone();
                    state.replid2 = NULL_REPLID.into();
                    state.second_repl_offset = -1;
                    state.backlog_first_byte = Some(*first_byte_offset);
                }
            }
            E::BacklogTrimmed { first_byte_offset, .. } => {
                if let Some(state) = shadow.psync.as_mut() {
                    state.backlog_first_byte = Some(*first_byte_offset);
                }
            }
            E::BacklogFreed => {
                if let Some(state) = shadow.psync.as_mut() {
                    state.backlog_first_byte = None;
                }
            }
            E::Log { line } => {
                let Some(state) = shadow.psync.as_mut() else { return Ok(()) };
                if let Some(rest) = line.strip_prefix("Setting secondary replication ID to ") {
                    // "<id2>, valid up to offset: <n>. New replication ID is <id>"
                    let parsed = rest.split_once(", valid up to offset: ").and_then(|(id2, rest)| {
                        let (n, id) = rest.split_once(". New replication ID is ")?;
                        Some((id2.to_string(), n.parse::<i64>().ok()?, id.to_string()))
                    });
                    match parsed {
                        Some((id2, n, id)) => {
                            state.replid2 = id2;
                            state.second_repl_offset = n;
                            state.replid = id;
                        }
                        None => shadow.known = false,
                    }
                } else if let Some(id) = line.strip_prefix("Master replication ID changed to ") {
                    state.replid2 = std::mem::replace(&mut state.replid, id.to_string());
                    state.second_repl_offset = state.master_repl_offset as i64 + 1;
                } else if line == "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization." {
                    if state.backlog_first_byte.is_none() {
                        state.backlog_first_byte = Some(state.master_repl_offset + 1);
                    }
                } else if line == "MASTER <-> REPLICA sync: Flushing old data" {
                    state.backlog_first_byte = None;
                }
            }
            E::PsyncDecided(d) => {
                let crate::events::PsyncDecided { replica, replid, offset, decision, why, .. } = &**d;
                let Some(state) = shadow.psync.as_ref().filter(|_| shadow.known) else {
                    self.stats.psync_unknown += 1;
                    return Ok(());
                };
                self.stats.psync_checked += 1;
                let possible = partial_resync_possible(state, replid, *offset);
                let state_text = || {
                    format!(
                        "{node} had replid {} (replid2 {} up to {}), offset {}, backlog from {}",
                        state.replid,
                        state.replid2,
                        state.second_repl_offset,
                        state.master_repl_offset,
                        state.backlog_first_byte.map_or("(none)".to_string(), |f| f.to_string())
                    )
                };
                if decision == "continue" && !possible {
                    return violation(
                        names::PARTIAL_RESYNC_ONLY_WHEN_BACKLOG_HAS_EVERY_BYTE,
                        format!("{node} let {replica} continue from {replid} {offset} ({why}) but {}", state_text()),
                    );
                }
                if decision != "continue" && possible {
                    return violation(
                        names::FULL_RESYNC_ONLY_WHEN_NEEDED,
                        format!(
                            "{node} made {replica} resync fully for {replid} {offset} ({why}) but {}",
                            state_text()
                        ),
                    );
                }
            }
            E::ReplicaOnline { replica, .. } => {
                shadow.online.insert(replica.clone(), t);
            }
            E::ReplicaDisconnected { replica, .. } => {
                shadow.online.remove(replica);
            }
            E::ReplicaAck { replica, .. } => {
                if let Some(ack) = shadow.online.get_mut(replica) {
                    *ack = t;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A console command got `reply` (redis-cli's rendering): follow role,
    /// config and MULTI, and judge an accepted write against
    /// `min-replicas-to-write`.
    fn on_reply(&mut self, node: &str, t: u64, cmd: &[String], reply: &str) -> Check {
        let shadow = self.nodes.entry(node.to_string()).or_default();
        let name = cmd.first().map(|c| c.to_ascii_lowercase()).unwrap_or_default();
        let failed = reply.starts_with("(error)");
        let is_write = commands::lookup(name.as_bytes()).is_some_and(|spec| spec.flags & flags::WRITE != 0);
        let mut accepted_write = false;
        match name.as_str() {
            "multi" if !failed && !shadow.in_multi => {
                shadow.in_multi = true;
                shadow.multi_has_write = false;
            }
            "exec" | "discard" if shadow.in_multi => {
                shadow.in_multi = false;
                accepted_write = name == "exec" && !failed && shadow.multi_has_write;
            }
            "replicaof" | "slaveof" if !failed && cmd.len() == 3 => {
                shadow.is_replica = !(cmd[1].eq_ignore_ascii_case("no") && cmd[2].eq_ignore_ascii_case("one"));
            }
            "config" if !failed && cmd.len() >= 4 && cmd[1].eq_ignore_ascii_case("set") => {
                for pair in cmd[2..].chunks(2) {
                    let [param, value] = pair else { continue };
                    let param = param.to_ascii_lowercase().replace("slaves", "replicas");
                    if let Ok(v) = value.parse::<u64>() {
                        match param.as_str() {
                            "min-replicas-to-write" => shadow.min_replicas_to_write = v,
                            "min-replicas-max-lag" => shadow.min_replicas_max_lag = v,
                            _ => {}
                        }
                    }
                }
            }
            _ if shadow.in_multi => {
                if is_write && reply == "QUEUED" {
                    shadow.multi_has_write = true;
                }
            }
            _ => accepted_write = is_write && !failed,
        }
        if !accepted_write || shadow.is_replica || !shadow.known {
            return Ok(());
        }
        let (to_write, max_lag) = (shadow.min_replicas_to_write, shadow.min_replicas_max_lag);
        if to_write == 0 || max_lag == 0 {
            return Ok(());
        }
        self.stats.writes_checked += 1;
        // Redis counts good replicas in whole seconds and refreshes the
        // count once a second (replicationCron): allow that much staleness.
        let good =
            shadow.online.values().filter(|&&ack| (t / 1000).saturating_sub(ack / 1000) <= max_lag + 2).count() as u64;
        if good < to_write {
            return violation(
                names::MIN_REPLICAS_RESPECTED,
                format!(
                    "{node} accepted `{}` with {good} good replica(s) ({} online) but min-replicas-to-write is {to_write} (max lag {max_lag} s)",
                    cmd.join(" "),
                    shadow.online.len()
                ),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
