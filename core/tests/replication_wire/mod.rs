//! A tiny deterministic wire for replication tests: nodes by name, zero
//! latency, optional per-direction bandwidth, cuts. The real network
//! simulator lives elsewhere; this only pumps actions and bytes.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use replscope_core::config::Config;
use replscope_core::events::NodeEvent;
use replscope_core::net::{Action, Addr, ConnId, ConnectError};
use replscope_core::node::{ClientId, CommandOutcome, Node};
use replscope_core::resp::Frame;

pub const T0: u64 = 1_767_225_600_000;

pub struct Wire {
    pub now: u64,
    pub nodes: BTreeMap<String, Node>,
    /// (node, conn) → (peer node, peer conn).
    links: BTreeMap<(String, ConnId), (String, ConnId)>,
    cut: BTreeSet<(String, String)>,
    /// (from, to) → bytes per ms.
    bandwidth: BTreeMap<(String, String), u64>,
    budget: BTreeMap<(String, ConnId), u64>,
    pub events: Vec<(String, NodeEvent)>,
    /// Every byte delivered, per (from, to) direction.
    pub delivered: BTreeMap<(String, String), Vec<u8>>,
    next_ephemeral: u16,
}

pub fn argv(words: &str) -> Vec<Vec<u8>> {
    words.split_whitespace().map(|w| w.as_bytes().to_vec()).collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a < b { (a.into(), b.into()) } else { (b.into(), a.into()) }
}

impl Wire {
    pub fn new() -> Self {
        Wire {
            now: T0,
            nodes: BTreeMap::new(),
            links: BTreeMap::new(),
            cut: BTreeSet::new(),
            bandwidth: BTreeMap::new(),
            budget: BTreeMap::new(),
            events: Vec::new(),
            delivered: BTreeMap::new(),
            next_ephemeral: 40000,
        }
    }

    pub fn add(&mut self, name: &str, config: &[(&str, &str)]) {
        let config = Config::from_pairs(config).expect("config");
        let seed = name.bytes().map(u64::from).sum::<u64>();
        self.nodes.insert(name.into(), Node::new(name, config, seed, self.now));
        self.pump();
    }

    pub fn node(&mut self, name: &str) -> &mut Node {
        self.nodes.get_mut(name).expect("node")
    }

    /// Runs a command on node `name`'s client 1 and settles the wire.
    pub fn cmd(&mut self, name: &str, words: &str) -> Frame {
        let now = self.now;
        let reply = self.node(name).execute(now, ClientId(1), argv(words));
        self.pump();
        reply
    }

    /// Runs a possibly blocking command, advancing time until it replies.
    pub fn cmd_blocking(&mut self, name: &str, words: &str, limit_ms: u64) -> Frame {
        let now = self.now;
        let outcome = self.node(name).command(now, ClientId(1), argv(words));
        self.pump();
        if let CommandOutcome::Reply(f) = outcome {
            return f;
        }
        let end = self.now + limit_ms;
        loop {
            if let Some((_, f)) = self.node(name).poll_unblocked() {
                return f;
            }
            assert!(self.now < end, "still blocked");
            let step = self.next_due().min(end).max(self.now + 1);
            self.advance_to(step);
        }
    }

    pub fn info(&mut self, name: &str, section: &str) -> String {
        match self.cmd(name, &format!("INFO {section}")) {
            Frame::Bulk(b) => String::from_utf8(b).expect("utf8"),
            other => panic!("{other:?}"),
        }
    }

    pub fn field(&mut self, name: &str, field: &str) -> String {
        let info = self.info(name, "replication");
        let stats = self.info(name, "stats");
        for line in info.lines().chain(stats.lines()) {
            if let Some(v) = line.strip_prefix(&format!("{field}:")) {
                return v.to_string();
            }
        }
        panic!("no field {field} in\n{info}")
    }

    pub fn set_bandwidth(&mut self, from: &str, to: &str, bytes_per_ms: u64) {
        self.bandwidth.insert((from.into(), to.into()), bytes_per_ms);
    }

    fn next_due(&self) -> u64 {
        let mut t = self.nodes.values().filter_map(|n| n.poll_timeout()).min().unwrap_or(u64::MAX);
        if !self.bandwidth.is_empty() {
            t = t.min(self.now + 10);
        }
        t
    }

    /// Advances virtual time by `ms`, running timers and the wire.
    pub fn advance(&mut self, ms: u64) {
        let end = self.now + ms;
        self.advance_to(end);
    }

    fn advance_to(&mut self, end: u64) {
        loop {
            let due = self.next_due();
            let t = due.min(end);
            let elapsed = t - self.now;
            self.now = t;
            // Refill throttled links.
            if elapsed > 0 {
                let keys: Vec<_> = self.links.keys().cloned().collect();
                for (node, conn) in keys {
                    let peer = &self.links[&(node.clone(), conn)].0;
                    if let Some(bw) = self.bandwidth.get(&(node.clone(), peer.clone())) {
                        *self.budget.entry((node.clone(), conn)).or_default() += bw * elapsed;
                    }
                }
            }
            let names: Vec<String> = self.nodes.keys().cloned().collect();
            for name in names {
                let node = self.nodes.get_mut(&name).expect("node");
                if node.poll_timeout().is_some_and(|d| d <= t) {
                    node.handle_timeout(t);
                }
            }
            self.pump();
            if t >= end {
                return;
            }
        }
    }

    /// Delivers everything deliverable now.
    pub fn pump(&mut self) {
        for _ in 0..10_000 {
            let mut progress = false;
            let names: Vec<String> = self.nodes.keys().cloned().collect();
            for name in &names {
                let Some(node) = self.nodes.get_mut(name) else { continue };
                while let Some(e) = node.poll_event() {
                    self.events.push((name.clone(), e));
                }
                let mut actions = Vec::new();
                while let Some(a) = node.poll_action() {
                    actions.push(a);
                }
                for a in actions {
                    progress = true;
                    self.action(name, a);
                }
                let Some(node) = self.nodes.get_mut(name) else { continue };
                let conns = node.connections_with_output();
                for conn in conns {
                    let Some((peer, peer_conn)) = self.links.get(&(name.clone(), conn)).cloned() else { continue };
                    let throttled = self.bandwidth.contains_key(&(name.clone(), peer.clone()));
                    let max = if throttled {
                        self.budget.get(&(name.clone(), conn)).copied().unwrap_or(0) as usize
                    } else {
                        usize::MAX
                    };
                    if max == 0 {
                        continue;
                    }
                    let node = self.nodes.get_mut(name).expect("node");
                    let bytes = node.take_output(conn, max);
                    if bytes.is_empty() {
                        continue;
                    }
                    if throttled {
                        *self.budget.entry((name.clone(), conn)).or_default() -= bytes.len() as u64;
                    }
                    progress = true;
                    self.delivered.entry((name.clone(), peer.clone())).or_default().extend_from_slice(&bytes);
                    let now = self.now;
                    if let Some(p) = self.nodes.get_mut(&peer) {
                        p.on_bytes(now, peer_conn, &bytes);
                    }
                }
            }
            if !progress {
                let names: Vec<String> = self.nodes.keys().cloned().collect();
                for name in names {
                    let node = self.nodes.get_mut(&name).expect("node");
                    while let Some(e) = node.poll_event() {
                        self.events.push((name.clone(), e));
                    }
                }
                return;
            }
        }
        panic!("wire never settled");
    }

    fn action(&mut self, name: &str, action: Action) {
        let now = self.now;
        match action {
            Action::Connect { conn, to } => {
                let reachable = self.nodes.get(&to.host).is_some_and(|n| n.server.config.port == to.port)
                    && !self.cut.contains(&pair(name, &to.host));
                if !reachable {
                    self.node(name).on_connect_failed(now, conn, ConnectError::Refused);
                    return;
                }
                self.next_ephemeral += 1;
                let peer_addr = Addr::new(name, self.next_ephemeral);
                let accepted = self.node(&to.host).on_accept(now, peer_addr);
                self.links.insert((name.into(), conn), (to.host.clone(), accepted));
                self.links.insert((to.host.clone(), accepted), (name.into(), conn));
                self.node(name).on_connected(now, conn);
            }
            Action::Close { conn } => {
                if let Some((peer, peer_conn)) = self.links.remove(&(name.into(), conn)) {
                    self.links.remove(&(peer.clone(), peer_conn));
                    if let Some(p) = self.nodes.get_mut(&peer) {
                        p.on_closed(now, peer_conn);
                    }
                }
            }
        }
    }

    /// Connection reset seen by both ends; reconnects refused until healed.
    pub fn cut(&mut self, a: &str, b: &str) {
        self.cut.insert(pair(a, b));
        let now = self.now;
        let victims: Vec<_> = self
            .links
            .iter()
            .filter(|((n, _), (p, _))| (n == a && p == b) || (n == b && p == a))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for ((n, c), _) in &victims {
            self.links.remove(&(n.clone(), *c));
        }
        for ((n, c), _) in victims {
            if let Some(node) = self.nodes.get_mut(&n) {
                node.on_closed(now, c);
            }
        }
        self.pump();
    }

    pub fn heal(&mut self, a: &str, b: &str) {
        self.cut.remove(&pair(a, b));
    }

    /// Stops a node; peers see their connections close.
    pub fn crash(&mut self, name: &str) -> Node {
        let node = self.nodes.remove(name).expect("node");
        let now = self.now;
        let victims: Vec<_> =
            self.links.iter().filter(|((n, _), _)| n == name).map(|(k, v)| (k.clone(), v.clone())).collect();
        for (k, (p, pc)) in victims {
            self.links.remove(&k);
            self.links.remove(&(p.clone(), pc));
            if let Some(peer) = self.nodes.get_mut(&p) {
                peer.on_closed(now, pc);
            }
        }
        self.pump();
        node
    }

    pub fn logs(&self, name: &str) -> Vec<String> {
        self.nodes.get(name).map(|n| n.server.log.iter().map(|l| l.text.clone()).collect()).unwrap_or_default()
    }

    pub fn has_log(&self, name: &str, needle: &str) -> bool {
        self.logs(name).iter().any(|l| l.contains(needle))
    }
}
