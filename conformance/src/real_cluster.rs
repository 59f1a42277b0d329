//! Plays a replscope scenario on real `redis-server` processes.
//!
//! - One [`RealRedis`] per scenario node, on its own free port, started
//!   [`bare`](crate::real::RealRedisBuilder::bare) with the node's `config`
//!   as `--name value` arguments, plus `save ""` and `appendonly no` unless
//!   the config sets them (the scenario format's "persistence off unless
//!   configured"). `port` is not passed (the real server has its own port;
//!   the scenario port is kept to translate addresses).
//! - The servers start one by one in scenario order, the first at the
//!   same ms-within-the-second as the scenario's virtual clock
//!   ([`align_to_clock_phase`]); a node's proxies forward to it as soon as
//!   it runs.
//! - One [`Proxy`] per ordered pair of nodes (replica → master): node B
//!   reaches node A only through proxy (B→A). So `replicaof "A 6379"` in B's
//!   config, or `REPLICAOF A 6379` typed on B, becomes `REPLICAOF 127.0.0.1
//!   <port of proxy (B→A)>`; a host or port that names no node is passed
//!   through untouched (an unreachable host, as in the simulator).
//! - `cut`, `partition`, their one-way variants and `heal` act on the
//!   pair's two proxies; `cut` returns once both ends have seen the reset.
//! - `advance_ms` sleeps real time. `settle` polls `INFO replication` until
//!   every replica that can make progress is connected, holds its master's
//!   offset and has ACKed it ([`settle`]); it is bounded by
//!   [`SETTLE_REAL_LIMIT`].
//! - `crash` kills the process (SIGKILL); `restart` starts it again on the
//!   same port and directory with its original config (so it loads the
//!   `dump.rdb` it had, if any; a `REPLICAOF` typed at run time is forgotten).
//! - Blocking commands (WAIT) simply block on the node's connection.
//! - `link` (latency/bandwidth) is not supported on real servers: the run
//!   stops with an error naming the step.
//!
//! Each step records what the core's runner records (a
//! [`StepResult`](replscope_core::scenario::StepResult)), and the snapshots
//! [`observe::observed_after`] asks for.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::time::{Duration, Instant};

use replscope_core::resp::Frame;
use replscope_core::scenario::{BLOCK_LIMIT_MS, CommandStep, Scenario, Step, StepResult};
use replscope_core::sim::CommandResult;

use crate::client::Client;
use crate::observe::{self, NodeObs, Run, Snapshot, StepObs, info_field};
use crate::proxy::{Direction, Proxy};
use crate::real::RealRedis;

/// The most real time one `settle` may take, whatever the scenario's
/// (virtual) limit: real replicas reconnect within a second and ACK every
/// second, so anything longer means it will not settle.
pub const SETTLE_REAL_LIMIT: Duration = Duration::from_secs(30);
/// How long `cut` and `crash` wait for both ends to see the reset.
const NOTICE_LIMIT: Duration = Duration::from_secs(5);
/// Real time given to bytes in flight before a `cut` (loopback and the
/// proxy's pumps need well under a ms; this leaves room for a loaded CI).
const PRE_CUT_DELIVERY: Duration = Duration::from_millis(20);
/// Polling interval of `settle` and of the waits after faults.
const POLL: Duration = Duration::from_millis(10);

/// One scenario node on a real server.
struct RealNode {
    server: RealRedis,
    /// The port the scenario gives it (default 6379): what other nodes type
    /// in `REPLICAOF`, and what the core shows in INFO and ROLE.
    scenario_port: u16,
    /// The scenario's client connection (made on first use, dropped on a
    /// crash or a command that timed out).
    client: Option<Client>,
    crashed: bool,
}

/// The real servers of one scenario, their proxies and fault state.
pub struct RealCluster {
    /// In scenario order.
    names: Vec<String>,
    nodes: BTreeMap<String, RealNode>,
    /// `(replica, master)` → the proxy the replica reaches the master through.
    proxies: BTreeMap<(String, String), Proxy>,
    /// Unordered pairs with a fault in force (any verb), for `settle`.
    faulted: BTreeSet<(String, String)>,
    started: Instant,
}

/// Where a real port number points, to translate real replies back into
/// scenario terms (see [`crate::cluster_compare`]).
#[derive(Clone, Debug, Default)]
pub struct PortMap {
    /// A server's real port → (its node, its scenario port).
    pub servers: BTreeMap<u16, (String, u16)>,
    /// A proxy port → (the master it leads to, that master's scenario port).
    pub proxies: BTreeMap<u16, (String, u16)>,
}

fn ordered(a: &str, b: &str) -> (String, String) {
    if a <= b { (a.to_owned(), b.to_owned()) } else { (b.to_owned(), a.to_owned()) }
}

impl RealCluster {
    /// Starts every node of `scenario` with its proxies.
    pub fn start(scenario: &Scenario) -> io::Result<RealCluster> {
        let names: Vec<String> = scenario.nodes.iter().map(|n| n.name.clone()).collect();
        let mut proxies = BTreeMap::new();
        for r in &names {
            for m in names.iter().filter(|m| *m != r) {
                proxies.insert((r.clone(), m.clone()), Proxy::start(0)?);
            }
        }
        let scenario_ports: BTreeMap<&str, u16> =
            scenario.nodes.iter().map(|n| (n.name.as_str(), n.spec.config.port)).collect();
        let mut nodes = BTreeMap::new();
        align_to_clock_phase(scenario.start_unix_ms);
        for def in &scenario.nodes {
            let mut builder = RealRedis::builder().bare();
            let pairs = &def.spec.pairs;
            let has = |name: &str| pairs.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
            if !has("save") {
                builder = builder.config("save", "");
            }
            if !has("appendonly") {
                builder = builder.config("appendonly", "no");
            }
            for (name, value) in pairs {
                if name.eq_ignore_ascii_case("port") {
                    continue;
                }
                let value = if name.eq_ignore_ascii_case("replicaof") || name.eq_ignore_ascii_case("slaveof") {
                    let words: Vec<&str> = value.split_whitespace().collect();
                    match words.as_slice() {
                        [host, port] => {
                            let target = proxy_target(&scenario_ports, &def.name, host, port);
                            match target.and_then(|m| proxies.get(&(def.name.clone(), m))) {
                                Some(p) => format!("127.0.0.1 {}", p.port),
                                None => value.clone(),
                            }
                        }
                        _ => value.clone(),
                    }
                } else {
                    value.clone()
                };
                builder = builder.config(name, &value);
            }
            let server = builder.start()?;
            // Reachable through its proxies from now on, so a replica
            // started next connects at its first cron, as in the core (a
            // dead upstream would reset it and cost a whole retry second).
            for ((_, m), proxy) in &proxies {
                if *m == def.name {
                    proxy.set_upstream(server.port);
                }
            }
            nodes.insert(
                def.name.clone(),
                RealNode { server, scenario_port: def.spec.config.port, client: None, crashed: false },
            );
        }
        let mut cluster = RealCluster { names, nodes, proxies, faulted: BTreeSet::new(), started: Instant::now() };
        cluster.wait_for_first_handshakes()?;
        cluster.started = Instant::now();
        Ok(cluster)
    }

    /// How real ports map back to scenario names.
    pub fn port_map(&self) -> PortMap {
        let mut map = PortMap::default();
        for (name, n) in &self.nodes {
            map.servers.insert(n.server.port, (name.clone(), n.scenario_port));
        }
        for ((_, m), p) in &self.proxies {
            map.proxies.insert(p.port, (m.clone(), self.nodes[m].scenario_port));
        }
        map
    }

    /// Waits until no replica is still connecting or in its handshake
    /// (ROLE state `connecting`/`handshake`), at most [`NOTICE_LIMIT`]: the
    /// core's first step comes one start gap after the last node, when
    /// every replica started from its config has had its PSYNC answered
    /// (`NODE_START_GAP_MS`). Without this, a write in step 0 raced the
    /// last replica's handshake through its proxy, and that replica's
    /// snapshot sometimes included the write (its backlog then starts
    /// after it).
    fn wait_for_first_handshakes(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + NOTICE_LIMIT;
        loop {
            let mut pending = false;
            for n in self.nodes.values_mut() {
                if let Frame::Array(items) = n.server.control_query(&["ROLE"])?
                    && items.first() == Some(&Frame::bulk("slave"))
                    && matches!(items.get(3), Some(Frame::Bulk(s)) if s.as_slice() == b"connecting" || s.as_slice() == b"handshake")
                {
                    pending = true;
                }
            }
            if !pending || Instant::now() > deadline {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// A node's server (for tests that look further, e.g. at its log).
    pub fn server(&mut self, name: &str) -> Option<&mut RealRedis> {
        self.nodes.get_mut(name).map(|n| &mut n.server)
    }

    /// `REPLICAOF <node> <its scenario port>` typed on `from` → through the
    /// proxy; anything else unchanged.
    fn rewrite(&self, from: &str, argv: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let is_replicaof =
            argv.first().is_some_and(|c| c.eq_ignore_ascii_case(b"REPLICAOF") || c.eq_ignore_ascii_case(b"SLAVEOF"));
        if !is_replicaof || argv.len() != 3 {
            return argv.to_vec();
        }
        let ports: BTreeMap<&str, u16> = self.nodes.iter().map(|(n, r)| (n.as_str(), r.scenario_port)).collect();
        let host = String::from_utf8_lossy(&argv[1]);
        let port = String::from_utf8_lossy(&argv[2]);
        match proxy_target(&ports, from, &host, &port).and_then(|m| self.proxies.get(&(from.to_owned(), m))) {
            Some(p) => vec![argv[0].clone(), b"127.0.0.1".to_vec(), p.port.to_string().into_bytes()],
            None => argv.to_vec(),
        }
    }

    /// Runs one command on `node`'s scenario connection.
    fn command(&mut self, node: &str, argv: &[Vec<u8>]) -> CommandResult {
        let argv = self.rewrite(node, argv);
        let Some(n) = self.nodes.get_mut(node) else { return CommandResult::ConnectionRefused };
        if n.crashed {
            return CommandResult::ConnectionRefused;
        }
        if n.client.is_none() {
            match n.server.client() {
                Ok(c) => {
                    let _ = c.set_read_timeout(Duration::from_millis(BLOCK_LIMIT_MS));
                    n.client = Some(c);
                }
                Err(_) => return CommandResult::ConnectionRefused,
            }
        }
        let Some(client) = n.client.as_mut() else { return CommandResult::ConnectionRefused };
        match client.call(&argv) {
            Ok((frame, _)) => CommandResult::Reply(frame),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                n.client = None;
                CommandResult::StillBlocked
            }
            Err(_) => {
                n.client = None;
                CommandResult::ConnectionRefused
            }
        }
    }

    /// Plays one step.
    fn step(&mut self, i: usize, step: &Step) -> Result<Option<CommandStep>, String> {
        let fail = |e: io::Error| format!("step {i} ({:?}): {e}", step.verb());
        match step {
            Step::Cmd { node, cmd } => {
                let result = self.command(node, cmd);
                return Ok(Some(CommandStep { node: node.clone(), cmd: cmd.clone(), result }));
            }
            Step::Settle { limit_ms } => {
                let limit = Duration::from_millis(*limit_ms).min(SETTLE_REAL_LIMIT);
                self.settle(limit).map_err(|e| format!("step {i} (\"settle\"): {e}"))?;
            }
            Step::AdvanceMs(ms) => std::thread::sleep(Duration::from_millis(*ms)),
            Step::Cut(a, b) => {
                // Let what was sent before the cut land first, as the core
                // does (one round trip, see `observe::core_run`): a write's
                // reply can reach the harness before its stream bytes have
                // crossed the proxy's pump threads to the replica.
                std::thread::sleep(PRE_CUT_DELIVERY);
                self.faulted.insert(ordered(a, b));
                for key in [(a.clone(), b.clone()), (b.clone(), a.clone())] {
                    self.proxies[&key].cut();
                }
                self.wait_until_disconnected(a, b).map_err(fail)?;
            }
            Step::CutOneWay(from, to) => {
                self.faulted.insert(ordered(from, to));
                self.proxies[&(from.clone(), to.clone())].reset_on_data(Direction::ToMaster);
                self.proxies[&(to.clone(), from.clone())].reset_on_data(Direction::ToReplica);
            }
            Step::Partition(a, b) => {
                self.faulted.insert(ordered(a, b));
                self.proxies[&(a.clone(), b.clone())].partition();
                self.proxies[&(b.clone(), a.clone())].partition();
            }
            Step::PartitionOneWay(from, to) => {
                self.faulted.insert(ordered(from, to));
                self.proxies[&(from.clone(), to.clone())].partition_one_way(Direction::ToMaster);
                self.proxies[&(to.clone(), from.clone())].partition_one_way(Direction::ToReplica);
            }
            Step::Heal(a, b) => {
                self.faulted.remove(&ordered(a, b));
                for key in [(a.clone(), b.clone()), (b.clone(), a.clone())] {
                    self.proxies[&key].heal().map_err(fail)?;
                }
            }
            Step::Crash(name) => {
                let n = self.nodes.get_mut(name).ok_or_else(|| format!("step {i}: unknown node {name:?}"))?;
                n.server.crash().map_err(fail)?;
                n.crashed = true;
                n.client = None;
            }
            Step::Restart(name) => {
                let n = self.nodes.get_mut(name).ok_or_else(|| format!("step {i}: unknown node {name:?}"))?;
                n.server.restart().map_err(fail)?;
                n.crashed = false;
            }
            Step::Link { .. } => {
                return Err(format!("step {i} (\"link\"): latency and bandwidth are not simulated on real servers"));
            }
        }
        Ok(None)
    }

    /// After a cut between `a` and `b`: waits until neither is a connected
    /// replica of the other, as both sides of a real reset notice at once.
    fn wait_until_disconnected(&mut self, a: &str, b: &str) -> io::Result<()> {
        let deadline = Instant::now() + NOTICE_LIMIT;
        let map = self.port_map();
        loop {
            let mut linked = false;
            for (replica, master) in [(a, b), (b, a)] {
                let (Some(r), Some(m)) = (self.nodes.get(replica), self.nodes.get(master)) else { continue };
                if r.crashed || m.crashed {
                    continue;
                }
                let r_port = r.server.port;
                let rep = self.info_of(replica, "replication")?;
                let points_at_master = master_of(&rep, &map).is_some_and(|(n, _)| n == master);
                if points_at_master && info_field(&rep, "master_link_status") == Some("up") {
                    linked = true;
                }
                let mrep = self.info_of(master, "replication")?;
                if slave_lines(&mrep).iter().any(|s| s.port == r_port) {
                    linked = true;
                }
            }
            if !linked {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(io::Error::other(format!("{a} and {b} still linked {NOTICE_LIMIT:?} after the cut")));
            }
            std::thread::sleep(POLL);
        }
    }

    fn info_of(&mut self, node: &str, section: &str) -> io::Result<String> {
        match self.nodes.get_mut(node) {
            Some(n) => n.server.info(section),
            None => Err(io::Error::other(format!("unknown node {node}"))),
        }
    }

    /// Polls until quiescent (see [`Self::quiescence`]) or `limit` passes.
    pub fn settle(&mut self, limit: Duration) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        loop {
            let waiting_for = match self.quiescence() {
                Ok(None) => return Ok(()),
                Ok(Some(w)) => w,
                Err(e) => format!("INFO failed: {e}"),
            };
            if Instant::now() > deadline {
                return Err(format!("real servers did not settle within {limit:?}: {waiting_for}"));
            }
            std::thread::sleep(POLL);
        }
    }

    /// `None` when quiescent, else what is still pending. The scenario
    /// format's rule, read from INFO: every live replica whose master is a
    /// live node it can reach (no fault on the pair, and the master itself
    /// a master or a replica that can make progress) has
    /// `master_link_status:up`, no sync in progress, `slave_repl_offset`
    /// equal to its master's `master_repl_offset`, and appears in its
    /// master's `slaveN` lines as `online` with that offset (its last ACK).
    pub fn quiescence(&mut self) -> io::Result<Option<String>> {
        let map = self.port_map();
        let mut infos: BTreeMap<String, String> = BTreeMap::new();
        for name in self.names.clone() {
            if !self.nodes[&name].crashed {
                infos.insert(name.clone(), self.info_of(&name, "replication")?);
            }
        }
        for (name, rep) in &infos {
            if info_field(rep, "role") != Some("slave") || !self.can_progress(name, &infos, &map, 0) {
                continue;
            }
            let Some((master, _)) = master_of(rep, &map) else { continue };
            let mrep = &infos[&master];
            let moff = info_field(mrep, "master_repl_offset").unwrap_or("?");
            if info_field(rep, "master_link_status") != Some("up") {
                return Ok(Some(format!("{name}: link to {master} not up")));
            }
            if info_field(rep, "master_sync_in_progress") != Some("0") {
                return Ok(Some(format!("{name}: sync in progress")));
            }
            let off = info_field(rep, "slave_repl_offset").unwrap_or("?");
            if off != moff {
                return Ok(Some(format!("{name}: offset {off} behind {master}'s {moff}")));
            }
            let port = self.nodes[name].server.port;
            let acked = slave_lines(mrep).iter().any(|s| s.port == port && s.state == "online" && s.offset == moff);
            if !acked {
                return Ok(Some(format!("{master}: no ACK from {name} for offset {moff}")));
            }
        }
        Ok(None)
    }

    fn can_progress(&self, name: &str, infos: &BTreeMap<String, String>, map: &PortMap, depth: usize) -> bool {
        if depth > self.names.len() {
            return false; // a replication cycle
        }
        let Some(rep) = infos.get(name) else { return false };
        if info_field(rep, "role") != Some("slave") {
            return true;
        }
        let Some((master, _)) = master_of(rep, map) else { return false };
        infos.contains_key(&master)
            && !self.faulted.contains(&ordered(name, &master))
            && self.can_progress(&master, infos, map, depth + 1)
    }

    /// Every node's INFO replication, INFO stats and ROLE.
    pub fn snapshot(&mut self) -> io::Result<Snapshot> {
        let mut snap = Snapshot::new();
        for name in self.names.clone() {
            let n = self.nodes.get_mut(&name).expect("every name has a node");
            let obs = if n.crashed {
                NodeObs::Crashed
            } else {
                NodeObs::Live {
                    replication: n.server.info("replication")?,
                    stats: n.server.info("stats")?,
                    role: n.server.control_query(&["ROLE"])?,
                }
            };
            snap.insert(name, obs);
        }
        Ok(snap)
    }

    /// Real ms since the cluster started.
    pub fn elapsed_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }
}

/// Waits until the wall clock's ms-within-the-second equals the scenario
/// start's (`start_unix_ms % 1000`, 0 by default), so the real servers'
/// clocks are in the same phase as the core's virtual one. Redis compares
/// several times in whole unix seconds (`repl-diskless-sync-delay` counts
/// `unixtime - lastinteraction`), so with a random phase a diskless sync
/// starts 5 or 6 s after the replica asked, at random, and everything
/// after it (the cron PINGs every `repl-ping-replica-period`) shifts by a
/// second. Costs at most one second per scenario.
fn align_to_clock_phase(start_unix_ms: u64) {
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    let wait = (start_unix_ms % 1000 + 1000 - now % 1000) % 1000;
    std::thread::sleep(Duration::from_millis(wait));
}

/// Which node `host port` (as typed on node `from`) names: a scenario node
/// other than `from`, addressed by name and scenario port.
fn proxy_target(ports: &BTreeMap<&str, u16>, from: &str, host: &str, port: &str) -> Option<String> {
    let port: u16 = port.parse().ok()?;
    (host != from && ports.get(host) == Some(&port)).then(|| host.to_owned())
}

/// The master a replica's INFO points at, through a proxy: (name, scenario port).
pub fn master_of(replication: &str, map: &PortMap) -> Option<(String, u16)> {
    if info_field(replication, "master_host") != Some("127.0.0.1") {
        return None;
    }
    let port: u16 = info_field(replication, "master_port")?.parse().ok()?;
    map.proxies.get(&port).cloned()
}

/// One `slaveN:ip=…,port=…,state=…,offset=…,lag=…` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlaveLine {
    pub ip: String,
    pub port: u16,
    pub state: String,
    pub offset: String,
}

/// The `slaveN` lines of an INFO replication text, in order.
pub fn slave_lines(replication: &str) -> Vec<SlaveLine> {
    observe::info_fields(replication)
        .into_iter()
        .filter(|(n, _)| n.starts_with("slave") && n[5..].bytes().all(|b| b.is_ascii_digit()) && n.len() > 5)
        .map(|(_, v)| {
            let get = |k: &str| {
                v.split(',')
                    .find_map(|kv| kv.strip_prefix(k).and_then(|r| r.strip_prefix('=')))
                    .unwrap_or("")
                    .to_owned()
            };
            SlaveLine {
                ip: get("ip"),
                port: get("port").parse().unwrap_or(0),
                state: get("state"),
                offset: get("offset"),
            }
        })
        .collect()
}

/// Plays `scenario` on real servers; also returns the port map for
/// normalising the replies.
pub fn real_run(scenario: &Scenario) -> (Run, PortMap) {
    let mut run = Run::default();
    let mut cluster = match RealCluster::start(scenario) {
        Ok(c) => c,
        Err(e) => {
            run.error = Some(format!("starting the real servers: {e}"));
            return (run, PortMap::default());
        }
    };
    let map = cluster.port_map();
    let count = scenario.steps.len();
    for (i, step) in scenario.steps.iter().enumerate() {
        let command = match cluster.step(i, step) {
            Ok(c) => c,
            Err(e) => {
                run.error = Some(e);
                break;
            }
        };
        let snapshot = if observe::observed_after(step, i + 1 == count) {
            match cluster.snapshot() {
                Ok(s) => Some(s),
                Err(e) => {
                    run.error = Some(format!("step {i}: snapshot: {e}"));
                    break;
                }
            }
        } else {
            None
        };
        let result = StepResult { step: i, verb: step.verb(), t_ms: cluster.elapsed_ms(), command };
        run.steps.push(StepObs { result, snapshot });
    }
    (run, map)
}

/// A reply frame's bytes, for messages.
pub fn frame_text(f: &Frame) -> String {
    String::from_utf8_lossy(&f.to_bytes()).into_owned()
}
