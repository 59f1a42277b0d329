//! The simulator: nodes, the network between them and one virtual clock.
//!
//! `Sim` is the quinn-style harness around sans-IO [`Node`]s: it owns the
//! virtual clock (unix ms), a seeded ChaCha8 RNG (every node's seed comes
//! from it), the nodes in a `BTreeMap` by name and the [`Network`]. It moves
//! time only when asked ([`Sim::step`], [`Sim::run_for`], [`Sim::settle`]),
//! always to the next thing that happens: a delivery or a node timer.
//! Everything observable is recorded in one ordered stream of [`SimEvent`]s,
//! whose hash ([`Sim::event_hash`]) is the determinism check: the same
//! inputs give the same hash, natively and in wasm.
//!
//! After any call into a node the simulator *pumps* it: it pulls the bytes
//! the node's connections may send now (as far as each send window allows),
//! carries out its actions (connect, close) and records its events.

#[cfg(feature = "event-hash")]
use std::cell::Cell;
use std::collections::BTreeMap;

use crate::vec_map::VecMap;
use std::sync::Arc;

#[cfg(feature = "event-hash")]
mod event_hash;

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::events::NodeEventKind;
use crate::net::{Action, Addr, ConnId};
use crate::network::{ConnectionView, Delivery, InFlight, LinkView, MAX_SEGMENT, NetEvent, Network, SegmentKind};
use crate::node::sim_support::{Boot, MasterLinkState, ReplicationView};
use crate::node::{ClientId, CommandOutcome, Node};
use crate::resp::Frame;
use crate::server::Role;

/// 2026-01-01T00:00:00Z, the default start of the virtual clock.
pub const DEFAULT_START_MS: u64 = 1_767_225_600_000;
/// How long a blocked command (WAIT) may keep the clock running.
pub const DEFAULT_BLOCK_LIMIT_MS: u64 = 3_600_000;
/// How long `settle` runs before giving up, unless told otherwise.
pub const DEFAULT_SETTLE_LIMIT_MS: u64 = 300_000;
/// Steps any one `settle`, `run_until` or blocked command may take: a guard
/// against a node whose timer never moves forward.
pub const MAX_STEPS_PER_CALL: u64 = 20_000_000;
/// The client every command step uses, one per node (so SELECT and MULTI
/// persist between steps).
pub const CONSOLE_CLIENT: ClientId = ClientId(1);

/// A node's configuration as a scenario gives it: Redis config pairs plus
/// `replicaof`, which a real server reads from its config file.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeSpec {
    /// The pairs as given (for the UI's Config tab and for restarts).
    pub pairs: Vec<(String, String)>,
    pub config: Config,
    pub replicaof: Option<Addr>,
}

impl NodeSpec {
    /// Parses `(name, value)` pairs: `replicaof "<host> <port>"` is taken
    /// apart; everything else goes through [`Config::from_pairs`], so a bad
    /// value gives Redis's own `CONFIG SET` error text.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<NodeSpec, String> {
        let mut replicaof = None;
        let mut rest = Vec::new();
        for (name, value) in pairs {
            if name.eq_ignore_ascii_case("replicaof") || name.eq_ignore_ascii_case("slaveof") {
                replicaof = Some(parse_replicaof(value)?);
            } else {
                rest.push((name.as_str(), value.as_str()));
            }
        }
        let config = Config::from_pairs(&rest)?;
        if config.databases > crate::scenario::MAX_DATABASES {
            // Redis would allocate them all at start and die out of memory.
            return Err(format!(
                "\"databases\": {} databases, more than the limit of {}",
                config.databases,
                crate::scenario::MAX_DATABASES
            ));
        }
        Ok(NodeSpec { pairs: pairs.to_vec(), config, replicaof })
    }
}

/// `"A 6379"` → `A:6379`.
pub fn parse_replicaof(value: &str) -> Result<Addr, String> {
    let words: Vec<&str> = value.split_whitespace().collect();
    let bad = || format!("replicaof \"{value}\": expected \"<host> <port>\" with a port from 0 to 65535");
    match words.as_slice() {
        [host, port] => {
            let port: u16 = port.parse().map_err(|_| bad())?;
            Ok(Addr::new(*host, port))
        }
        _ => Err(bad()),
    }
}

/// One simulated node: its spec, its process (none while crashed) and its
/// RDB file on "disk".
#[derive(Debug)]
struct SimNode {
    /// The node's name, shared by its events.
    name: Arc<str>,
    spec: NodeSpec,
    node: Option<Node>,
    rdb_file: Option<Vec<u8>>,
}

/// One thing that happened, at `t_ms` (virtual unix ms).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimEvent {
    pub t_ms: u64,
    #[serde(flatten)]
    pub kind: SimEventKind,
}

/// The kinds of [`SimEvent`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SimEventKind {
    NodeAdded {
        node: String,
        port: u16,
    },
    NodeRemoved {
        node: String,
    },
    /// Something a node reported (its log lines, replication steps…).
    /// `node` is shared with the simulator's copy of the name: these are
    /// the most frequent events (several per simulated write).
    Node {
        node: Arc<str>,
        event: NodeEventKind,
    },
    /// Something on the network (connects, segments sent and delivered…).
    Net {
        event: NetEvent,
    },
    /// A client command (the console's) was run on `node`.
    Command {
        node: String,
        cmd: Vec<String>,
    },
    /// The command blocked (WAIT); its reply comes with [`SimEventKind::Reply`].
    Blocked {
        node: String,
    },
    /// The reply to a command, as redis-cli would show it.
    Reply {
        node: String,
        reply: String,
    },
    /// A command to a crashed node.
    ConnectionRefused {
        node: String,
    },
    /// A fault was injected: `verb` is `cut`, `partition`, `cut_one_way`,
    /// `partition_one_way`.
    Fault {
        verb: String,
        from: String,
        to: String,
    },
    Healed {
        a: String,
        b: String,
    },
    LinkChanged {
        from: String,
        to: String,
        latency_ms: u64,
        bandwidth_kbps: u64,
    },
    Crash {
        node: String,
    },
    /// The node started again; `rdb_bytes` is the size of the RDB file it
    /// loaded, if any.
    Restart {
        node: String,
        rdb_bytes: Option<u64>,
    },
}

/// What a client command got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandResult {
    Reply(Frame),
    /// The node is crashed: redis-cli would say "Connection refused".
    ConnectionRefused,
    /// The command blocked and its reply did not come within the limit.
    StillBlocked,
}

/// Why `settle` gave up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettleError {
    /// Still not quiescent after `limit_ms` of virtual time; `waiting_for`
    /// says what was still going on.
    Timeout { limit_ms: u64, waiting_for: String },
    /// Nothing left to happen, yet not quiescent (a node without timers).
    Stuck { waiting_for: String },
}

impl std::fmt::Display for SettleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SettleError::Timeout { limit_ms, waiting_for } => {
                write!(f, "did not settle within {limit_ms} ms: {waiting_for}")
            }
            SettleError::Stuck { waiting_for } => write!(f, "cannot settle, nothing left to happen: {waiting_for}"),
        }
    }
}

impl std::error::Error for SettleError {}

/// The simulator. See the module docs.
#[derive(Debug)]
pub struct Sim {
    start_ms: u64,
    now_ms: u64,
    rng: ChaCha8Rng,
    nodes: BTreeMap<String, SimNode>,
    net: Network,
    /// The retained events: event number `dropped + i` is `events[i]`.
    events: Vec<SimEvent>,
    /// Events let go of from the front (see [`Sim::set_event_retention`]).
    dropped: usize,
    /// Keep at least this many events; `None` keeps all.
    retention: Option<usize>,
    /// The hash is computed lazily (recording is on the hot path of every
    /// simulated write; the hash is only read by determinism checks): it
    /// covers events up to `hashed` (absolute number). Events are hashed
    /// before they are let go of. Only with the `event-hash` feature: the
    /// browser UI does not hash, and leaving it out keeps the hashing code
    /// out of its bundle.
    #[cfg(feature = "event-hash")]
    hash: Cell<u64>,
    #[cfg(feature = "event-hash")]
    hashed: Cell<usize>,
    /// Reused buffer for the events [`Sim::pump`] collects from a node.
    node_events: Vec<crate::events::NodeEvent>,
    /// Replies of blocked clients, waiting to be collected.
    unblocked: VecMap<(String, ClientId), Frame>,
}

#[cfg(feature = "event-hash")]
const HASH_SEED: u64 = 0xcbf2_9ce4_8422_2325;

impl Sim {
    /// An empty simulation whose clock starts at `start_ms` (virtual unix
    /// ms) and whose randomness all comes from `seed`.
    pub fn new(seed: u64, start_ms: u64) -> Sim {
        Sim {
            start_ms,
            now_ms: start_ms,
            rng: ChaCha8Rng::seed_from_u64(seed),
            nodes: BTreeMap::new(),
            net: Network::new(),
            events: Vec::new(),
            dropped: 0,
            retention: None,
            #[cfg(feature = "event-hash")]
            hash: Cell::new(HASH_SEED),
            #[cfg(feature = "event-hash")]
            hashed: Cell::new(0),
            node_events: Vec::new(),
            unblocked: VecMap::new(),
        }
    }

    // ----- clock and events ------------------------------------------------

    /// The virtual clock, unix ms.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Where the clock started.
    pub fn start_ms(&self) -> u64 {
        self.start_ms
    }

    /// Virtual ms since the start.
    pub fn elapsed_ms(&self) -> u64 {
        self.now_ms - self.start_ms
    }

    /// Events from number `cursor` on; the next cursor is
    /// [`Sim::event_count`]. Cursors are absolute: with a retention limit
    /// ([`Sim::set_event_retention`]) events before the retained ones are
    /// gone, and an older cursor gets the oldest retained event on.
    pub fn events_since(&self, cursor: usize) -> &[SimEvent] {
        &self.events[cursor.saturating_sub(self.dropped).min(self.events.len())..]
    }

    /// Events recorded so far (including any no longer retained).
    pub fn event_count(&self) -> usize {
        self.dropped + self.events.len()
    }

    /// Keeps only (at least) the last `keep` events, so a long run's memory
    /// stays bounded; `None` (the default) keeps every event. The hash and
    /// the count still cover every event.
    pub fn set_event_retention(&mut self, keep: Option<usize>) {
        self.retention = keep;
        self.trim_events();
    }

    /// A hash of every event so far (their serialised content, see
    /// [`event_hash`]): equal hashes mean equal event streams. (Feature
    /// `event-hash`, on by default; the browser UI leaves it out.)
    #[cfg(feature = "event-hash")]
    pub fn event_hash(&self) -> u64 {
        self.hash_pending();
        self.hash.get()
    }

    /// Hashes the retained events not yet hashed.
    #[cfg(feature = "event-hash")]
    fn hash_pending(&self) {
        let from = self.hashed.get().saturating_sub(self.dropped);
        if from >= self.events.len() {
            return;
        }
        let mut hash = self.hash.get();
        for event in &self.events[from..] {
            hash = event_hash::hash_value(hash, event);
        }
        self.hash.set(hash);
        self.hashed.set(self.event_count());
    }

    fn record(&mut self, kind: SimEventKind) {
        self.events.push(SimEvent { t_ms: self.now_ms, kind });
        if self.retention.is_some_and(|keep| self.events.len() >= keep.max(1).saturating_mul(2)) {
            self.trim_events();
        }
    }

    /// Lets go of events beyond the retention limit (hashing them first).
    /// Trimming to `keep` only once `2 × keep` are held keeps it amortised.
    fn trim_events(&mut self) {
        let Some(keep) = self.retention else { return };
        let extra = self.events.len().saturating_sub(keep);
        if extra == 0 {
            return;
        }
        #[cfg(feature = "event-hash")]
        self.hash_pending();
        self.events.drain(..extra);
        self.dropped += extra;
    }

    fn drain_net_events(&mut self) {
        while let Some(event) = self.net.poll_event() {
            self.record(SimEventKind::Net { event });
        }
    }

    // ----- nodes -------------------------------------------------------------

    /// Adds a node that starts now, empty, as `redis-server` would with
    /// these config pairs. Errors: a duplicate name, or the config's error
    /// (Redis's `CONFIG SET` text).
    pub fn add_node(&mut self, name: &str, pairs: &[(String, String)]) -> Result<(), String> {
        if self.nodes.contains_key(name) {
            return Err(format!("node \"{name}\" already exists"));
        }
        let spec = NodeSpec::from_pairs(pairs)?;
        let port = spec.config.port;
        for other in self.nodes.keys() {
            self.net.ensure_link(name, other);
        }
        self.nodes.insert(name.to_string(), SimNode { name: name.into(), spec, node: None, rdb_file: None });
        self.net.add_host(name, port);
        self.record(SimEventKind::NodeAdded { node: name.to_string(), port });
        self.boot(name);
        Ok(())
    }

    /// Removes a node: its connections reset as on a crash and its name no
    /// longer resolves.
    pub fn remove_node(&mut self, name: &str) -> bool {
        if self.nodes.remove(name).is_none() {
            return false;
        }
        self.net.remove_host(self.now_ms, name);
        self.unblocked.retain(|(n, _), _| n != name);
        self.drain_net_events();
        self.record(SimEventKind::NodeRemoved { node: name.to_string() });
        true
    }

    fn boot(&mut self, name: &str) {
        let seed = self.rng.next_u64();
        let Some(sim_node) = self.nodes.get_mut(name) else { return };
        let boot = Boot {
            name: name.to_string(),
            config: sim_node.spec.config.clone(),
            replicaof: sim_node.spec.replicaof.clone(),
            seed,
            now_ms: self.now_ms,
            rdb_file: sim_node.rdb_file.clone(),
        };
        sim_node.node = Some(Node::boot(boot));
        self.pump(name);
    }

    /// Node names, in order.
    pub fn node_names(&self) -> Vec<String> {
        self.nodes.keys().cloned().collect()
    }

    /// A live node (its `server` has the keyspace, INFO, the log).
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.get(name)?.node.as_ref()
    }

    /// A live node, mutably (for the UI's direct inspections; call
    /// [`Sim::pump`] after changing anything).
    pub fn node_mut(&mut self, name: &str) -> Option<&mut Node> {
        self.nodes.get_mut(name)?.node.as_mut()
    }

    /// The node's scenario configuration.
    pub fn node_spec(&self, name: &str) -> Option<&NodeSpec> {
        self.nodes.get(name).map(|n| &n.spec)
    }

    pub fn exists(&self, name: &str) -> bool {
        self.nodes.contains_key(name)
    }

    pub fn is_crashed(&self, name: &str) -> bool {
        self.nodes.get(name).is_some_and(|n| n.node.is_none())
    }

    /// The RDB file the node would load on restart.
    pub fn rdb_file(&self, name: &str) -> Option<&[u8]> {
        self.nodes.get(name)?.rdb_file.as_deref()
    }

    /// A live node's replication summary.
    pub fn replication_view(&self, name: &str) -> Option<ReplicationView> {
        self.node(name).map(Node::replication_view)
    }

    // ----- network views -----------------------------------------------------

    /// Every link direction with its parameters and fault state.
    pub fn links(&self) -> Vec<LinkView> {
        self.net.links()
    }

    /// Open connections.
    pub fn connections(&self) -> Vec<ConnectionView> {
        self.net.connections()
    }

    /// Segments in flight (with `progress(now)` for animation).
    pub fn in_flight(&self) -> Vec<InFlight> {
        self.net.in_flight()
    }

    /// The network itself (read-only).
    pub fn network(&self) -> &Network {
        &self.net
    }

    // ----- commands ------------------------------------------------------------

    /// Runs a console command on `node` (one client per node, so SELECT
    /// and MULTI persist). A blocking command runs the simulation until it
    /// replies, at most [`DEFAULT_BLOCK_LIMIT_MS`].
    pub fn command(&mut self, node: &str, argv: Vec<Vec<u8>>) -> CommandResult {
        self.command_with_limit(node, argv, DEFAULT_BLOCK_LIMIT_MS)
    }

    /// [`Sim::command`] with an explicit limit for blocking commands.
    pub fn command_with_limit(&mut self, node: &str, argv: Vec<Vec<u8>>, limit_ms: u64) -> CommandResult {
        let cmd = argv.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        self.record(SimEventKind::Command { node: node.to_string(), cmd });
        let now = self.now_ms;
        let Some(n) = self.node_mut(node) else {
            self.record(SimEventKind::ConnectionRefused { node: node.to_string() });
            return CommandResult::ConnectionRefused;
        };
        // The first words decide how redis-cli would print the reply.
        let head = argv.clone();
        let outcome = n.command(now, CONSOLE_CLIENT, argv);
        self.pump(node);
        let reply = match outcome {
            CommandOutcome::Reply(frame) => Some(frame),
            CommandOutcome::Blocked => {
                self.record(SimEventKind::Blocked { node: node.to_string() });
                let key = (node.to_string(), CONSOLE_CLIENT);
                let deadline = self.now_ms.saturating_add(limit_ms);
                let mut steps = 0;
                loop {
                    if let Some(frame) = self.unblocked.remove(&key) {
                        break Some(frame);
                    }
                    steps += 1;
                    let due = self.next_due();
                    if steps > MAX_STEPS_PER_CALL || due.is_none_or(|t| t > deadline) || self.is_crashed(node) {
                        break None;
                    }
                    self.step();
                }
            }
        };
        match reply {
            Some(frame) => {
                let text = crate::resp::display::redis_cli_format_reply(&head, &frame);
                self.record(SimEventKind::Reply { node: node.to_string(), reply: text });
                CommandResult::Reply(frame)
            }
            None if self.is_crashed(node) => CommandResult::ConnectionRefused,
            None => CommandResult::StillBlocked,
        }
    }

    // ----- time ------------------------------------------------------------

    /// When the next thing happens: a delivery or a node timer.
    pub fn next_due(&self) -> Option<u64> {
        let net = self.net.next_due(self.now_ms);
        let timers = self.nodes.values().filter_map(|n| n.node.as_ref()?.poll_timeout()).min();
        [net, timers].into_iter().flatten().min().map(|t| t.max(self.now_ms))
    }

    /// Advances the clock to the next thing that happens and runs
    /// everything due then. Returns the new time and the events it
    /// produced, or `None` if nothing will ever happen without input.
    pub fn step(&mut self) -> Option<(u64, &[SimEvent])> {
        let t = self.next_due()?;
        let cursor = self.event_count();
        self.now_ms = t;
        self.run_due();
        Some((self.now_ms, self.events_since(cursor)))
    }

    /// Runs everything due at the current time: deliveries first, then
    /// node timers, until nothing more is due now.
    fn run_due(&mut self) {
        // A bound in case a node keeps its timer at `now`.
        for _ in 0..1000 {
            let mut progressed = false;
            while let Some(delivery) = self.net.poll(self.now_ms) {
                self.deliver(delivery);
                progressed = true;
            }
            self.drain_net_events();
            let names: Vec<String> = self.nodes.keys().cloned().collect();
            for name in names {
                let now = self.now_ms;
                let Some(node) = self.node_mut(&name) else { continue };
                if node.poll_timeout().is_some_and(|t| t <= now) {
                    node.handle_timeout(now);
                    self.pump(&name);
                    progressed = true;
                }
            }
            if !progressed {
                break;
            }
        }
    }

    /// Runs the simulation until `t_ms` (virtual unix ms), then sets the
    /// clock to it.
    pub fn run_until(&mut self, t_ms: u64) {
        let mut steps = 0;
        while steps < MAX_STEPS_PER_CALL && self.next_due().is_some_and(|due| due <= t_ms) {
            self.step();
            steps += 1;
        }
        self.now_ms = self.now_ms.max(t_ms);
    }

    /// Runs the simulation for `ms` of virtual time.
    pub fn run_for(&mut self, ms: u64) {
        self.run_until(self.now_ms.saturating_add(ms));
    }

    /// Runs until the system is quiescent (see [`Sim::quiescence`]), for at
    /// most `limit_ms` of virtual time.
    pub fn settle(&mut self, limit_ms: u64) -> Result<(), SettleError> {
        let deadline = self.now_ms.saturating_add(limit_ms);
        let mut steps = 0;
        loop {
            let Some(waiting_for) = self.quiescence() else { return Ok(()) };
            steps += 1;
            match self.next_due() {
                None => return Err(SettleError::Stuck { waiting_for }),
                Some(t) if t > deadline || steps > MAX_STEPS_PER_CALL => {
                    self.now_ms = self.now_ms.max(deadline);
                    return Err(SettleError::Timeout { limit_ms, waiting_for });
                }
                Some(_) => {
                    self.step();
                }
            }
        }
    }

    /// `None` if the system is quiescent, else what it is waiting for.
    ///
    /// Quiescent (issue 4): nothing in flight that can arrive, no sync
    /// pending on a live node, and every replica that can make progress is
    /// connected, has its master's offset, and its master has its ACK for
    /// that offset. A replica cannot make progress when its master address
    /// is unknown, the master is crashed, the link between them is cut or
    /// partitioned in either direction, or the master is itself a replica
    /// that cannot make progress.
    ///
    /// Heartbeats never stop, so two kinds of them are looked past:
    /// - A `REPLCONF ACK` on its way to a master that already has that
    ///   offset from that replica (once a second, whatever the latency:
    ///   with a one-way latency near a second one is always in flight).
    /// - When a replica's heartbeat round trip (see
    ///   [`Sim::pings_outlast_their_period`]) is as long as its top
    ///   master's `repl-ping-replica-period`, there may be no moment at all
    ///   without a `PING` unacknowledged somewhere on its path; then a gap
    ///   made only of the master's PINGs (on its way, not yet applied or
    ///   not yet ACKed) is not waited for. A WAIT still returns at once: it
    ///   waits for the offset of the client's last write, never for a PING.
    ///   On faster paths PINGs are waited for like any other byte.
    pub fn quiescence(&self) -> Option<String> {
        if !self.net.is_idle()
            && !self.net.is_idle_except(|from, to, kind, bytes| self.is_heartbeat(from, to, kind, bytes))
        {
            return Some("bytes in flight".into());
        }
        let views: BTreeMap<&str, ReplicationView> = self
            .nodes
            .iter()
            .filter_map(|(name, n)| Some((name.as_str(), n.node.as_ref()?.replication_view())))
            .collect();
        for (name, view) in &views {
            if view.sync_in_progress {
                return Some(format!("{name}: sync in progress"));
            }
        }
        for (name, view) in &views {
            let Some(master_addr) = &view.master else { continue };
            if !self.can_progress(name, &views, 0) {
                continue;
            }
            let Some(master) = self.net.resolve(master_addr) else { continue };
            let Some(mview) = views.get(master) else { continue };
            if view.link != Some(MasterLinkState::Connected) {
                return Some(format!("{name}: link to {master} not connected"));
            }
            let pings_only = |from: u64| {
                from == mview.offset
                    || (self.pings_outlast_their_period(name) && self.only_pings(master, from, mview.offset))
            };
            if !pings_only(view.offset) {
                return Some(format!("{name}: offset {} behind {master}'s {}", view.offset, mview.offset));
            }
            let acked = mview.replicas.iter().any(|r| r.host == *name && pings_only(r.acked_offset));
            if !acked {
                return Some(format!("{master}: no ACK from {name} for offset {}", mview.offset));
            }
        }
        None
    }

    /// True if a segment on its way from `from` to `to` is a heartbeat that
    /// cannot change what [`Sim::quiescence`] decides: `REPLCONF ACK`s from
    /// a replica to its master for offsets the master already has from it,
    /// or (on a path where PINGs outlast their period) the master's PINGs to
    /// a replica, or ACKs that only add PINGs.
    fn is_heartbeat(&self, from: &str, to: &str, kind: &SegmentKind, bytes: &[u8]) -> bool {
        if *kind != SegmentKind::Data {
            return false;
        }
        if let Some(acks) = parse_acks(bytes) {
            // A replica's ACKs to its master.
            if self.master_of(from) != Some(to) {
                return false;
            }
            let Some(acked) = self.acked_offset(to, from) else { return false };
            let Some(offset) = self.node(to).map(|m| m.server.repl.master_repl_offset) else { return false };
            return acks.iter().all(|&ack| {
                ack <= acked
                    || (ack <= offset && self.pings_outlast_their_period(from) && self.only_pings(to, acked, ack))
            });
        }
        is_pings(bytes) && self.master_of(to) == Some(from) && self.pings_outlast_their_period(to)
    }

    /// The node `replica`'s `replicaof` address names, if it is known.
    fn master_of(&self, replica: &str) -> Option<&str> {
        match &self.node(replica)?.server.role {
            Role::Replica { host, port } => self.net.resolve(&Addr::new(host.clone(), *port)),
            Role::Master => None,
        }
    }

    /// The lowest offset `master` has ACKed from a replica on host
    /// `replica` (the lowest: a stale second connection must not pass).
    fn acked_offset(&self, master: &str, replica: &str) -> Option<u64> {
        self.node(master)?.server.replicas_info.iter().filter(|r| r.ip == replica).map(|r| r.offset).min()
    }

    /// True if `master`'s stream bytes after offset `from` up to `to` are
    /// only its replication PINGs (`*1\r\n$4\r\nping\r\n` each).
    fn only_pings(&self, master: &str, from: u64, to: u64) -> bool {
        if from >= to {
            return from == to;
        }
        let Some(backlog) = self.node(master).and_then(|m| m.server.repl.backlog.as_ref()) else { return false };
        let Ok(len) = usize::try_from(to - from) else { return false };
        let bytes = backlog.copy_range(from + 1, len);
        bytes.len() == len && is_pings(&bytes)
    }

    /// True if a PING can take as long to be acknowledged by `replica` as
    /// the time between two PINGs: the time it takes from the master at
    /// the top of the chain down every hop to `replica`, plus up to a
    /// second until the replica's next `REPLCONF ACK` (replicationCron),
    /// plus that ACK's way back to the replica's own master, is at least
    /// the top master's `repl-ping-replica-period`. Then the stream may
    /// never be still, and [`Sim::quiescence`] looks past PINGs.
    pub fn pings_outlast_their_period(&self, replica: &str) -> bool {
        const ACK_PERIOD_MS: u64 = 1000;
        const PING_LEN: u64 = 14;
        const ACK_LEN: u64 = 48;
        let one_way = |from: &str, to: &str, len: u64| {
            let d = self.net.direction(from, to);
            d.latency_ms + (len * 8).div_ceil(d.bandwidth_kbps.max(1))
        };
        let Some(own_master) = self.master_of(replica) else { return false };
        let mut round_trip = ACK_PERIOD_MS + one_way(replica, own_master, ACK_LEN);
        let mut node = replica;
        for _ in 0..=self.nodes.len() {
            let Some(master) = self.master_of(node) else {
                let period_s = self.node(node).map_or(0, |n| n.server.config.repl_ping_replica_period);
                return round_trip >= period_s.saturating_mul(1000);
            };
            round_trip += one_way(master, node, PING_LEN);
            node = master;
        }
        false // a replication cycle: nobody pings
    }

    /// True if replica `name` can reach a live master able to serve it.
    fn can_progress(&self, name: &str, views: &BTreeMap<&str, ReplicationView>, depth: usize) -> bool {
        if depth > self.nodes.len() {
            return false; // a replication cycle
        }
        let Some(view) = views.get(name) else { return false };
        let Some(addr) = &view.master else { return true };
        let Some(master) = self.net.resolve(addr) else { return false };
        if !views.contains_key(master) {
            return false;
        }
        let up = |a: &str, b: &str| self.net.direction(a, b).state == crate::network::LinkState::Up;
        up(name, master) && up(master, name) && self.can_progress(master, views, depth + 1)
    }

    // ----- faults ----------------------------------------------------------

    /// Cuts the link between `a` and `b` (both ways; connections reset).
    pub fn cut(&mut self, a: &str, b: &str) {
        self.fault("cut", a, b);
        self.net.cut(self.now_ms, a, b);
        self.after_fault();
    }

    /// Cuts `from → to` only.
    pub fn cut_one_way(&mut self, from: &str, to: &str) {
        self.fault("cut_one_way", from, to);
        self.net.cut_one_way(self.now_ms, from, to);
        self.after_fault();
    }

    /// Silently partitions `a` and `b` (both ways).
    pub fn partition(&mut self, a: &str, b: &str) {
        self.fault("partition", a, b);
        self.net.partition(a, b);
        self.after_fault();
    }

    /// Silently partitions `from → to` only.
    pub fn partition_one_way(&mut self, from: &str, to: &str) {
        self.fault("partition_one_way", from, to);
        self.net.partition_one_way(from, to);
        self.after_fault();
    }

    /// Heals both directions between `a` and `b`.
    pub fn heal(&mut self, a: &str, b: &str) {
        self.record(SimEventKind::Healed { a: a.to_string(), b: b.to_string() });
        self.net.heal(self.now_ms, a, b);
        self.after_fault();
    }

    /// Sets latency and/or bandwidth of both directions between `a` and `b`.
    pub fn set_link(&mut self, a: &str, b: &str, latency_ms: Option<u64>, bandwidth_kbps: Option<u64>) {
        for (from, to) in [(a, b), (b, a)] {
            if let Some(l) = latency_ms {
                self.net.set_latency(from, to, l);
            }
            if let Some(bw) = bandwidth_kbps {
                self.net.set_bandwidth(from, to, bw);
            }
            let d = self.net.direction(from, to);
            self.record(SimEventKind::LinkChanged {
                from: from.to_string(),
                to: to.to_string(),
                latency_ms: d.latency_ms,
                bandwidth_kbps: d.bandwidth_kbps,
            });
        }
    }

    fn fault(&mut self, verb: &str, from: &str, to: &str) {
        self.record(SimEventKind::Fault { verb: verb.to_string(), from: from.to_string(), to: to.to_string() });
    }

    /// Delivers the resets a fault caused at once.
    fn after_fault(&mut self) {
        self.drain_net_events();
        self.run_due();
    }

    /// Crashes `name`: its memory is gone, its connections reset for the
    /// peers. Its RDB file stays on disk. Returns false if it is not live.
    pub fn crash(&mut self, name: &str) -> bool {
        let Some(sim_node) = self.nodes.get_mut(name) else { return false };
        let Some(node) = sim_node.node.take() else { return false };
        if let Some(rdb) = node.rdb_file() {
            sim_node.rdb_file = Some(rdb.to_vec());
        }
        self.unblocked.retain(|(n, _), _| n != name);
        self.record(SimEventKind::Crash { node: name.to_string() });
        self.net.crash(self.now_ms, name);
        self.drain_net_events();
        true
    }

    /// Restarts a crashed node from its scenario config and its last RDB
    /// file. Returns false if it is not crashed.
    pub fn restart(&mut self, name: &str) -> bool {
        let Some(sim_node) = self.nodes.get(name) else { return false };
        if sim_node.node.is_some() {
            return false;
        }
        let rdb_bytes = sim_node.rdb_file.as_ref().map(|f| f.len() as u64);
        let port = sim_node.spec.config.port;
        self.record(SimEventKind::Restart { node: name.to_string(), rdb_bytes });
        self.net.restart(name, port);
        self.boot(name);
        true
    }

    // ----- plumbing --------------------------------------------------------

    fn deliver(&mut self, delivery: Delivery) {
        let now = self.now_ms;
        match delivery {
            Delivery::Accept { pending, node, from } => {
                let Some(n) = self.node_mut(&node) else { return };
                let conn = n.on_accept(now, from);
                self.net.accepted(now, pending, conn);
                self.pump(&node);
            }
            Delivery::Connected { node, conn } => {
                if let Some(n) = self.node_mut(&node) {
                    n.on_connected(now, conn);
                    self.pump(&node);
                }
            }
            Delivery::ConnectFailed { node, conn, err } => {
                if let Some(n) = self.node_mut(&node) {
                    n.on_connect_failed(now, conn, err);
                    self.pump(&node);
                }
            }
            Delivery::Bytes { node, conn, bytes, from, .. } => {
                if let Some(n) = self.node_mut(&node) {
                    n.on_bytes(now, conn, &bytes);
                    self.pump(&node);
                }
                // The sender's window grew.
                self.pump(&from);
            }
            Delivery::Closed { node, conn, .. } => {
                if let Some(n) = self.node_mut(&node) {
                    n.on_closed(now, conn);
                    self.pump(&node);
                }
            }
        }
    }

    /// Moves whatever `name` has to give into the world: bytes (as far as
    /// each send window allows), actions, events, unblocked replies.
    pub fn pump(&mut self, name: &str) {
        let now = self.now_ms;
        for _ in 0..1000 {
            let Some(sim_node) = self.nodes.get_mut(name) else { return };
            let Some(node) = sim_node.node.as_mut() else { return };
            // The stream's bytes reach replicas through the backlog; the
            // copy a node keeps for its callers (`take_outgoing`) is never
            // read here. `Node::after_call` drops it only while the node
            // has connections, so a master holding a backlog with none (its
            // replicas crashed, or restarted from a file with replication
            // info) would otherwise keep every write it makes.
            node.server.repl.outgoing.clear();
            let shared_name = &sim_node.name;
            // Bytes first: a Close means "after what was already taken".
            for conn in node.connections_with_output() {
                loop {
                    let free = self.net.window_free(name, conn);
                    if free == 0 {
                        break;
                    }
                    let bytes = node.take_output(conn, free.min(MAX_SEGMENT));
                    if bytes.is_empty() || !self.net.send(now, name, conn, bytes) {
                        break;
                    }
                }
            }
            let mut acted = false;
            while let Some(action) = node.poll_action() {
                acted = true;
                match action {
                    Action::Connect { conn, to } => self.net.connect(now, name, conn, to),
                    Action::Close { conn } => self.net.close(now, name, conn),
                }
            }
            // A reused buffer: this runs after every write on every node.
            let mut node_events = std::mem::take(&mut self.node_events);
            while let Some(event) = node.poll_event() {
                node_events.push(event);
            }
            while let Some((client, frame)) = node.poll_unblocked() {
                self.unblocked.insert((name.to_string(), client), frame);
            }
            let shared_name = shared_name.clone();
            self.drain_net_events();
            for event in node_events.drain(..) {
                self.record(SimEventKind::Node { node: shared_name.clone(), event: event.kind });
            }
            self.node_events = node_events;
            if !acted {
                break;
            }
        }
    }

    /// The peer of `node`'s connection `conn`.
    pub fn peer_of(&self, node: &str, conn: ConnId) -> Option<(String, ConnId)> {
        self.net.peer_of(node, conn)
    }
}

/// The master's replication PING as the stream carries it.
const PING_BYTES: &[u8] = b"*1\r\n$4\r\nping\r\n";

/// True if `bytes` are one or more whole replication PINGs.
fn is_pings(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes.len().is_multiple_of(PING_BYTES.len())
        && bytes.chunks(PING_BYTES.len()).all(|c| c == PING_BYTES)
}

/// The offsets of `bytes` if they are one or more whole `REPLCONF ACK
/// <offset>` commands as a replica sends them, else `None`.
fn parse_acks(mut bytes: &[u8]) -> Option<Vec<u64>> {
    const HEAD: &[u8] = b"*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$";
    let mut acks = Vec::new();
    while !bytes.is_empty() {
        let rest = bytes.strip_prefix(HEAD)?;
        let nl = rest.iter().position(|&b| b == b'\r')?;
        let len: usize = std::str::from_utf8(&rest[..nl]).ok()?.parse().ok()?;
        let rest = rest.get(nl + 2..)?;
        let digits = rest.get(..len)?;
        if rest.get(len..len + 2)? != b"\r\n" || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        acks.push(std::str::from_utf8(digits).ok()?.parse().ok()?);
        bytes = &rest[len + 2..];
    }
    (!acks.is_empty()).then_some(acks)
}

// ----- accessors for the web UI's driver (additive) ----------------------------

impl Sim {
    /// Runs `cmds` from `client` on `node` as one pipelined batch: every
    /// command in the same event-loop iteration, then one pump, the way a
    /// pipelining client's writes reach the replicas in one socket write
    /// (Redis flushes replica output in `beforeSleep`). Replies are
    /// dropped and no `Command` events are recorded: this is the UI's
    /// workload generator, not the console. Returns false if `node` is
    /// not live.
    pub fn pipeline(&mut self, node: &str, client: ClientId, cmds: Vec<Vec<Vec<u8>>>) -> bool {
        let now = self.now_ms;
        let Some(n) = self.node_mut(node) else { return false };
        for argv in cmds {
            let _ = n.command(now, client, argv);
        }
        self.pump(node);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn a_master_without_replicas_keeps_no_copy_of_its_stream() {
        let mut sim = Sim::new(7, DEFAULT_START_MS);
        sim.add_node("A", &[]).unwrap();
        sim.add_node("B", &[]).unwrap();
        sim.command("B", argv(&["REPLICAOF", "A", "6379"]));
        sim.run_for(10_000);
        assert!(sim.crash("B"));
        sim.run_for(10_000);
        for i in 0..100 {
            sim.command("A", argv(&["SET", &format!("k{i}"), "v"]));
        }
        sim.run_for(1_000);
        let master = sim.node("A").unwrap();
        assert!(master.server.repl.backlog.is_some());
        assert!(master.server.repl.master_repl_offset > 2_000);
        assert!(master.server.repl.outgoing.is_empty());
    }

    #[test]
    fn commands_run_on_the_console_client() {
        let mut sim = Sim::new(7, DEFAULT_START_MS);
        sim.add_node("A", &[]).unwrap();
        assert_eq!(sim.command("A", argv(&["SELECT", "3"])), CommandResult::Reply(Frame::ok()));
        assert_eq!(sim.command("A", argv(&["SET", "k", "v"])), CommandResult::Reply(Frame::ok()));
        assert_eq!(sim.node("A").unwrap().server.keyspace.db(3).len(), 1);
        assert_eq!(sim.command("Q", argv(&["PING"])), CommandResult::ConnectionRefused);
    }

    #[test]
    fn crashed_nodes_refuse_and_restart_empty_without_rdb() {
        let mut sim = Sim::new(7, DEFAULT_START_MS);
        sim.add_node("A", &[]).unwrap();
        sim.command("A", argv(&["SET", "k", "v"]));
        assert!(sim.crash("A"));
        assert!(!sim.crash("A"));
        assert_eq!(sim.command("A", argv(&["GET", "k"])), CommandResult::ConnectionRefused);
        assert!(sim.restart("A"));
        assert!(!sim.restart("A"));
        assert_eq!(sim.command("A", argv(&["GET", "k"])), CommandResult::Reply(Frame::Null));
    }

    #[test]
    fn bad_config_is_redis_worded() {
        let mut sim = Sim::new(7, DEFAULT_START_MS);
        let err = sim.add_node("A", &[("repl-backlog-size".into(), "lots".into())]).unwrap_err();
        assert_eq!(
            err,
            "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be a memory value"
        );
        assert!(sim.add_node("A", &[("replicaof".into(), "B".into())]).is_err());
    }

    #[test]
    #[cfg(feature = "event-hash")]
    fn retention_bounds_events_but_not_the_hash_or_the_count() {
        let run = |keep: Option<usize>| {
            let mut sim = Sim::new(7, DEFAULT_START_MS);
            sim.set_event_retention(keep);
            sim.add_node("A", &[]).unwrap();
            let mut seen = Vec::new();
            for i in 0..20 {
                let cursor = sim.event_count();
                sim.command("A", argv(&["SET", "k", &i.to_string()]));
                seen.extend(sim.events_since(cursor).iter().cloned());
                // Reading the hash midway must not change the final one.
                if i == 5 {
                    sim.event_hash();
                }
            }
            (sim.event_hash(), sim.event_count(), sim.events_since(0).to_vec(), seen)
        };
        let (hash, count, all, seen_all) = run(None);
        let (hash3, count3, kept, seen3) = run(Some(3));
        assert_eq!((hash3, count3), (hash, count));
        assert_eq!(all.len(), count);
        assert!(kept.len() >= 3 && kept.len() < 6, "kept {}", kept.len());
        assert_eq!(kept[..], all[count - kept.len()..]);
        assert_eq!(seen3, seen_all);
    }

    #[test]
    fn settle_with_masters_only_is_immediate() {
        let mut sim = Sim::new(7, DEFAULT_START_MS);
        sim.add_node("A", &[]).unwrap();
        sim.add_node("B", &[]).unwrap();
        assert_eq!(sim.settle(1000), Ok(()));
    }
}
