//! `SingleNodeDriver`: the scene run by real core nodes, each standalone.
//!
//! Until the simulator is merged, this driver makes everything that does
//! not need replication real: every console line, CONFIG SET, INFO, the
//! keyspace and the backlog blocks come from [`replscope_core::node::Node`].
//! The topology (who replicates from whom, link states) is a plain list the
//! verbs edit; no bytes travel between nodes, so replicas really do fall
//! behind their master, and the keyspace table says so.

use replscope_core::config::Config;
use replscope_core::info;
use replscope_core::keyspace::{Value, set_members_in_reply_order};
use replscope_core::node::{ClientId, Node};
use replscope_core::resp::Frame;
use replscope_core::resp::parser::split_args;

use crate::driver::{ConsoleReply, Driver, Verb};
use crate::fmt::{clock, quote_bytes};
use crate::view::*;

/// Virtual unix time of the scene's start: 2026-01-01 00:00:00 UTC.
pub const EPOCH_MS: u64 = 1_767_225_600_000;

/// The parameters the Config tab shows (replication's knobs).
pub const CONFIG_NAMES: [&str; 10] = [
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
];

/// Keys listed per node; more would only slow the table down.
const MAX_KEY_ROWS: usize = 200;
/// Workload writes run per tick at most, so 100× speed cannot freeze the tab.
const MAX_WRITES_PER_TICK: u32 = 2_000;

const CONSOLE: ClientId = ClientId(1);
const WORKLOAD: ClientId = ClientId(2);

struct Member {
    name: String,
    port: u16,
    node: Node,
    crashed: bool,
}

/// See the module docs.
pub struct SingleNodeDriver {
    members: Vec<Member>,
    links: Vec<LinkView>,
    events: Vec<EventView>,
    t_ms: u64,
    /// Virtual time not yet whole milliseconds.
    t_frac: f64,
    workload: Workload,
    write_credit: f64,
    write_seq: u64,
    next_seed: u64,
    last_cron_ms: u64,
}

impl Default for SingleNodeDriver {
    fn default() -> Self {
        Self::new()
    }
}

impl SingleNodeDriver {
    /// The opening scene: master A with replicas B and C, and D replicating
    /// from B.
    pub fn new() -> Self {
        let mut d = SingleNodeDriver {
            members: Vec::new(),
            links: Vec::new(),
            events: Vec::new(),
            t_ms: 0,
            t_frac: 0.0,
            workload: Workload::default(),
            write_credit: 0.0,
            write_seq: 0,
            next_seed: 1,
            last_cron_ms: 0,
        };
        for name in ["A", "B", "C", "D"] {
            d.add_member(name);
        }
        for (from, to) in [("A", "B"), ("A", "C"), ("B", "D")] {
            d.attach(from, to);
        }
        d.event("A", "scene", "A is the master; B and C replicate from it, D from B");
        d
    }

    fn now(&self) -> u64 {
        EPOCH_MS + self.t_ms
    }

    fn add_member(&mut self, name: &str) {
        let port = 6379 + self.members.len() as u16;
        let node = self.boot(name, port);
        self.members.push(Member { name: name.to_string(), port, node, crashed: false });
    }

    /// A fresh node process: empty (no persistence), default config, new replid.
    fn boot(&mut self, name: &str, port: u16) -> Node {
        let config = Config { port, ..Config::default() };
        self.next_seed += 1;
        Node::new(name, config, self.next_seed, EPOCH_MS + self.t_ms)
    }

    fn member_mut(&mut self, name: &str) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.name == name)
    }

    /// Adds the link master → replica. A master's backlog is created when
    /// its first replica attaches, as in Redis.
    fn attach(&mut self, master: &str, replica: &str) {
        self.links.retain(|l| l.to != replica);
        self.links.push(LinkView::new(master, replica, LinkState::Up));
        if let Some(m) = self.member_mut(master) {
            let size = m.node.server.config.repl_backlog_size;
            if m.node.server.repl.backlog.is_none() {
                m.node.server.repl.create_backlog(size);
            }
        }
    }

    fn event(&mut self, node: &str, kind: &str, text: &str) {
        self.events.push(EventView::new(self.t_ms, node, kind, text));
    }

    fn set_link_state(&mut self, from: &str, to: &str, state: LinkState) {
        let Some(link) = self.links.iter_mut().find(|l| l.from == from && l.to == to) else {
            return;
        };
        link.state = state;
        let text = match state {
            LinkState::Up => format!("link {from} → {to} healed"),
            LinkState::Cut => format!("link {from} → {to} cut ✂ (connection reset)"),
            LinkState::Partitioned => format!("link {from} → {to} partitioned ⚡ (packets silently dropped)"),
            LinkState::OneWay => format!("link {from} → {to} one-way: only {from} → {to} gets through"),
            other => format!("link {from} → {to} {}", other.label()),
        };
        let mut event = EventView::new(self.t_ms, from, "link", &text);
        event.peer = Some(to.to_string());
        self.events.push(event);
    }

    fn run_line(&mut self, node: &str, line: &str) -> Option<ConsoleReply> {
        let now = self.now();
        let member = self.member_mut(node)?;
        if member.crashed {
            return Some(ConsoleReply::NotConnected { port: member.port });
        }
        let argv = match split_args(line.as_bytes()) {
            Some(argv) if argv.is_empty() => return None,
            Some(argv) => argv,
            None => return Some(ConsoleReply::Frame(Frame::error("Invalid argument(s)"))),
        };
        let reply = member.node.execute(now, CONSOLE, argv);
        member.node.server.repl.take_outgoing();
        Some(ConsoleReply::Frame(reply))
    }

    /// Writes of the workload generator due in `virtual_ms`, to every live
    /// master.
    fn run_workload(&mut self, virtual_ms: f64) {
        let w = self.workload;
        if w.writes_per_s == 0 || w.keys == 0 {
            self.write_credit = 0.0;
            return;
        }
        self.write_credit += w.writes_per_s as f64 * virtual_ms / 1000.0;
        let due = (self.write_credit.floor() as u32).min(MAX_WRITES_PER_TICK);
        self.write_credit -= self.write_credit.floor();
        let now = self.now();
        let masters: Vec<String> =
            self.members.iter().filter(|m| !self.links.iter().any(|l| l.to == m.name)).map(|m| m.name.clone()).collect();
        for _ in 0..due {
            self.write_seq += 1;
            let key = format!("key:{}", self.write_seq % w.keys as u64);
            let mut value = self.write_seq.to_string().into_bytes();
            value.resize(w.value_size.max(1) as usize, b'x');
            for m in self.members.iter_mut().filter(|m| !m.crashed && masters.contains(&m.name)) {
                m.node.execute(now, WORKLOAD, vec![b"SET".to_vec(), key.clone().into_bytes(), value.clone()]);
            }
        }
        for m in &mut self.members {
            m.node.server.repl.take_outgoing();
        }
    }

    fn cron(&mut self) {
        // Redis's serverCron runs `hz` (10) times a second.
        if self.t_ms < self.last_cron_ms + 100 {
            return;
        }
        self.last_cron_ms = self.t_ms;
        let now = self.now();
        for m in self.members.iter_mut().filter(|m| !m.crashed) {
            m.node.cron(now);
            m.node.server.repl.take_outgoing();
        }
    }

    fn advance(&mut self, virtual_ms: f64) {
        let total = self.t_frac + virtual_ms;
        self.t_ms += total.floor() as u64;
        self.t_frac = total - total.floor();
        self.run_workload(virtual_ms);
        self.cron();
    }

    fn next_free_name(&self) -> String {
        let taken = |n: &str| self.members.iter().any(|m| m.name == n);
        ('A'..='Z').map(|c| c.to_string()).find(|n| !taken(n)).unwrap_or_else(|| format!("N{}", self.members.len()))
    }

    fn node_view(&self, m: &Member) -> NodeView {
        let now = self.now();
        let server = &m.node.server;
        let link = self.links.iter().find(|l| l.to == m.name);
        let master_down = link.is_some_and(|l| self.members.iter().any(|x| x.name == l.from && x.crashed));
        let link_status = link.map(|l| match l.state {
            _ if master_down || m.crashed => LinkStatus::Down,
            LinkState::Up | LinkState::OneWay => LinkStatus::Up,
            LinkState::Handshake => LinkStatus::Connecting,
            LinkState::Sync => LinkStatus::Sync,
            LinkState::Cut | LinkState::Partitioned => LinkStatus::Down,
        });
        let backlog = server.repl.backlog.as_ref().map(|b| BacklogView {
            size: b.size(),
            first_byte_offset: b.first_byte_offset(),
            master_repl_offset: server.repl.master_repl_offset,
            blocks: b.blocks().map(|blk| (blk.start_offset, blk.len, blk.capacity)).collect(),
            replicas: Vec::new(),
        });
        NodeView {
            name: m.name.clone(),
            port: m.port,
            role: if link.is_some() { Role::Replica } else { Role::Master },
            replid: server.repl.master_replid.clone(),
            master_repl_offset: server.repl.master_repl_offset,
            link_status,
            sync_in_progress: false,
            crashed: m.crashed,
            backlog,
            keys: if m.crashed { Vec::new() } else { key_rows(m, now) },
            info_replication: if m.crashed {
                String::new()
            } else {
                info::render_section(server, now, "replication")
            },
            log: server.log.iter().map(|l| format!("{} {}", clock(l.t_ms.saturating_sub(EPOCH_MS)), l.text)).collect(),
            // In CONFIG_NAMES order (the backlog first), not CONFIG GET's.
            config: CONFIG_NAMES.iter().flat_map(|name| server.config.get(name.as_bytes())).collect(),
        }
    }
}

/// The keyspace table of one node, sorted by (db, key).
fn key_rows(m: &Member, now: u64) -> Vec<KeyRow> {
    let mut rows = Vec::new();
    for (db_index, db) in m.node.server.keyspace.dbs() {
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
        Value::Hash(h) => list("{", "}", h.iter().map(|(f, v)| format!("{}: {}", quote_bytes(f), quote_bytes(v))), h.len()),
        Value::Set(s) => list("{", "}", set_members_in_reply_order(s).into_iter().map(|v| quote_bytes(v)), s.len()),
        Value::ZSet(z) => list("[", "]", z.iter().map(|(m, score)| format!("{} {score}", quote_bytes(m))), z.len()),
    };
    if text.chars().count() > 60 { format!("{}…", text.chars().take(59).collect::<String>()) } else { text }
}

impl Driver for SingleNodeDriver {
    fn apply(&mut self, verb: &Verb) -> Option<ConsoleReply> {
        match verb {
            Verb::RunCommand { node, line } => return self.run_line(node, line),
            Verb::SetConfig { node, name, value } => {
                let line = vec![b"CONFIG".to_vec(), b"SET".to_vec(), name.clone().into_bytes(), value.clone().into_bytes()];
                let now = self.now();
                let member = self.member_mut(node)?;
                if member.crashed {
                    return Some(ConsoleReply::NotConnected { port: member.port });
                }
                let reply = member.node.execute(now, CONSOLE, line);
                if !reply.is_error() {
                    self.event(node, "config", &format!("CONFIG SET {name} {value}"));
                }
                return Some(ConsoleReply::Frame(reply));
            }
            Verb::CutLink { from, to } => self.set_link_state(from, to, LinkState::Cut),
            Verb::PartitionLink { from, to } => self.set_link_state(from, to, LinkState::Partitioned),
            Verb::OneWay { from, to } => self.set_link_state(from, to, LinkState::OneWay),
            Verb::HealLink { from, to } => self.set_link_state(from, to, LinkState::Up),
            Verb::Crash { node } => {
                if let Some(m) = self.member_mut(node) {
                    m.crashed = true;
                    self.event(node, "node", &format!("{node} crashed ✕ (its data is gone: no persistence)"));
                }
            }
            Verb::Restart { node } => {
                let i = self.members.iter().position(|m| m.name == *node && m.crashed)?;
                let (name, port) = (self.members[i].name.clone(), self.members[i].port);
                self.members[i].node = self.boot(&name, port);
                self.members[i].crashed = false;
                let replicas: Vec<String> = self.links.iter().filter(|l| l.from == name).map(|l| l.to.clone()).collect();
                for r in replicas {
                    self.attach(&name, &r);
                }
                self.event(node, "node", &format!("{node} restarted, empty, with a new replication ID"));
            }
            Verb::Promote { node } => {
                if self.links.iter().any(|l| l.to == *node) {
                    self.links.retain(|l| l.to != *node);
                    self.event(node, "node", &format!("REPLICAOF NO ONE: {node} is a master now"));
                }
            }
            Verb::RepointTo { node, master } => {
                if node != master && self.members.iter().any(|m| m.name == *master) {
                    self.attach(master, node);
                    self.event(node, "node", &format!("REPLICAOF {master}: {node} follows {master} now"));
                }
            }
            Verb::AddNode { master } => {
                let name = self.next_free_name();
                self.add_member(&name);
                match master {
                    Some(master) if self.members.iter().any(|m| m.name == *master) => {
                        self.attach(master, &name);
                        self.event(&name, "node", &format!("{name} added as a replica of {master}"));
                    }
                    _ => self.event(&name, "node", &format!("{name} added as a master")),
                }
            }
            Verb::RemoveNode { node } => {
                self.members.retain(|m| m.name != *node);
                self.links.retain(|l| l.from != *node && l.to != *node);
                self.event(node, "node", &format!("{node} removed"));
            }
            Verb::Step => self.advance(100.0),
            Verb::SetWorkload(w) => {
                self.workload = *w;
                let text = if w.writes_per_s == 0 {
                    "workload stopped".to_string()
                } else {
                    format!("workload: {} writes/s over {} keys of {} B", w.writes_per_s, w.keys, w.value_size)
                };
                self.event("A", "workload", &text);
            }
            Verb::Reset => *self = SingleNodeDriver::new(),
        }
        None
    }

    fn tick(&mut self, wall_dt_ms: f64, speed: f64) {
        if wall_dt_ms > 0.0 && speed > 0.0 {
            // A backgrounded tab can deliver one huge frame; cap it.
            self.advance(wall_dt_ms.min(250.0) * speed);
        }
    }

    fn view(&self) -> SceneView {
        let mut nodes: Vec<NodeView> = self.members.iter().map(|m| self.node_view(m)).collect();
        // Keys a replica lacks or holds differently from its master.
        for i in 0..nodes.len() {
            let Some(master) = self.links.iter().find(|l| l.to == nodes[i].name).map(|l| l.from.clone()) else {
                continue;
            };
            if let Some(master_keys) = nodes.iter().find(|n| n.name == master && !n.crashed).map(|n| n.keys.clone())
                && !nodes[i].crashed
            {
                nodes[i].keys = diff_against_master(&nodes[i].keys, &master_keys);
            }
        }
        SceneView {
            t_ms: self.t_ms,
            scenario: "Ready scene".to_string(),
            hint: "Try: SET k v in A's console, then click the A → B link to cut it. \
                   (Preview: nodes run standalone until replication lands.)"
                .to_string(),
            nodes,
            links: self.links.clone(),
            in_flight: Vec::new(),
            arrows: Vec::new(),
            events: self.events.clone(),
            workload: self.workload,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn run(d: &mut SingleNodeDriver, node: &str, line: &str) -> Option<ConsoleReply> {
        d.apply(&Verb::RunCommand { node: node.into(), line: line.into() })
    }

    #[wasm_bindgen_test]
    fn opening_scene_and_real_commands() {
        let mut d = SingleNodeDriver::new();
        let v = d.view();
        let names: Vec<_> = v.nodes.iter().map(|n| (n.name.as_str(), n.port, n.role)).collect();
        assert_eq!(
            names,
            vec![("A", 6379, Role::Master), ("B", 6380, Role::Replica), ("C", 6381, Role::Replica), ("D", 6382, Role::Replica)]
        );
        assert_eq!(v.master_of("D"), Some("B"));
        assert_eq!(run(&mut d, "A", "SET k v"), Some(ConsoleReply::Frame(Frame::ok())));
        assert_eq!(run(&mut d, "A", "GET k"), Some(ConsoleReply::Frame(Frame::bulk("v"))));
        assert_eq!(run(&mut d, "A", "   "), None);
        assert_eq!(run(&mut d, "A", "SET \"k"), Some(ConsoleReply::Frame(Frame::error("Invalid argument(s)"))));
        let v = d.view();
        let a = v.node("A").unwrap();
        assert_eq!(a.keys.len(), 1);
        assert_eq!(a.keys[0].value_preview, "\"v\"");
        assert!(a.master_repl_offset > 0, "A has a backlog, so writes advance its offset");
        assert!(a.info_replication.contains("role:master"));
        // B never got the write: the table says so.
        let b = v.node("B").unwrap();
        assert_eq!(b.keys[0].differs_from_master, Some(Diff::Missing));
    }

    #[wasm_bindgen_test]
    fn config_errors_come_from_the_core() {
        let mut d = SingleNodeDriver::new();
        let set = |d: &mut SingleNodeDriver, value: &str| {
            d.apply(&Verb::SetConfig { node: "A".into(), name: "repl-backlog-size".into(), value: value.into() })
        };
        assert_eq!(set(&mut d, "16kb"), Some(ConsoleReply::Frame(Frame::ok())));
        let v = d.view();
        assert!(v.node("A").unwrap().config.contains(&("repl-backlog-size".into(), "16384".into())));
        match set(&mut d, "lots") {
            Some(ConsoleReply::Frame(Frame::Error(e))) => assert!(e.starts_with("ERR CONFIG SET failed"), "{e}"),
            other => panic!("{other:?}"),
        }
    }

    #[wasm_bindgen_test]
    fn crash_restart_links_and_workload() {
        let mut d = SingleNodeDriver::new();
        d.apply(&Verb::CutLink { from: "A".into(), to: "B".into() });
        assert_eq!(d.view().link_to("B").unwrap().state, LinkState::Cut);
        assert_eq!(d.view().node("B").unwrap().link_status, Some(LinkStatus::Down));
        d.apply(&Verb::Crash { node: "C".into() });
        assert_eq!(run(&mut d, "C", "PING"), Some(ConsoleReply::NotConnected { port: 6381 }));
        d.apply(&Verb::Restart { node: "C".into() });
        assert_eq!(run(&mut d, "C", "PING"), Some(ConsoleReply::Frame(Frame::Simple("PONG".into()))));
        d.apply(&Verb::SetWorkload(Workload { writes_per_s: 100, keys: 10, value_size: 8 }));
        d.tick(1000.0 / 60.0, 60.0); // ~1 s virtual at 60×
        let v = d.view();
        assert!(v.t_ms >= 999 && v.t_ms <= 1001, "{}", v.t_ms);
        assert_eq!(v.node("A").unwrap().keys.len(), 10);
        d.apply(&Verb::AddNode { master: Some("C".into()) });
        assert_eq!(d.view().master_of("E"), Some("C"));
        d.apply(&Verb::Promote { node: "B".into() });
        assert_eq!(d.view().node("B").unwrap().role, Role::Master);
        d.apply(&Verb::RemoveNode { node: "E".into() });
        assert!(d.view().node("E").is_none());
    }
}
