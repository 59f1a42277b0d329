//! The simulated network: TCP-like connections between named nodes over
//! links with latency, bandwidth and faults.
//!
//! The network is a passive data structure in the sans-IO style: the
//! simulator ([`crate::sim`]) puts bytes in with [`Network::send`], asks when
//! the next thing is due with [`Network::next_due`], and takes what arrives
//! with [`Network::poll`]. It never calls a node.
//!
//! ## The model
//! - A *link direction* (`from → to`, in a `BTreeMap`) has a latency, a
//!   bandwidth and a fault state. A segment of `n` bytes occupies the
//!   direction for `n·8/kbps` ms (serialisation), then arrives `latency` ms
//!   later. Arrivals on a direction never overtake each other, so a
//!   connection is ordered, like TCP.
//! - A *connection* has two halves, each with an in-flight queue and a send
//!   window ([`SEND_WINDOW`] unacknowledged bytes, like a socket buffer).
//!   The simulator pulls bytes from a node's output buffer only as far as the
//!   window allows ([`Network::window_free`]), so on a slow link the bytes
//!   wait in the node, where `client-output-buffer-limit` sees them. A
//!   delivered byte is acknowledged at once (the ACK's own trip is ignored).
//! - Connecting takes one round trip: the accepting node sees the connection
//!   after the forward latency, the connecting node after the way back.
//!
//! ## Faults (one verb each, as in turmoil)
//! - [`Network::cut`]: every connection between the two nodes resets, both
//!   ends see it closed at once, bytes in flight are lost; new connects are
//!   refused (the refusal arrives after one round trip) until healed.
//! - [`Network::partition`]: silent. Nothing is delivered and connects get no
//!   answer; bytes in flight are *held* (TCP would keep retransmitting them)
//!   and delivered in order after [`Network::heal`], unless an end closed the
//!   connection meanwhile. A close during the partition reaches the peer only
//!   after heal.
//! - [`Network::cut_one_way`] `A → B`: B rejects what A sends: the first
//!   segment A sends to B on a connection resets it (both ends see it
//!   closed), and connects in either direction are refused (a handshake
//!   needs both directions).
//! - [`Network::partition_one_way`] `A → B`: what A sends to B is held; B → A
//!   still flows. Connects between them get no answer.
//! - [`Network::crash`]: the host's connections reset; its peers see the reset
//!   after the latency (held by a partition like any segment); bytes toward
//!   it are lost; connects to it are refused until [`Network::restart`].
//! - Connecting to an unknown host, or to a port nobody listens on, gets no
//!   answer at all (an unreachable host): the node's own timeout notices.

use std::collections::{BTreeMap, VecDeque};

use crate::vec_map::VecMap;

use serde::{Deserialize, Serialize};

use crate::net::{Addr, ConnId, ConnectError};

/// Latency of a link direction nobody configured, in ms.
pub const DEFAULT_LATENCY_MS: u64 = 1;
/// Bandwidth of a link direction nobody configured: 1 Gbit/s.
pub const DEFAULT_BANDWIDTH_KBPS: u64 = 1_000_000;
/// Unacknowledged bytes a connection half may have in flight (a socket
/// send buffer).
pub const SEND_WINDOW: usize = 64 * 1024;
/// The most bytes one segment carries: the simulator pulls a node's output
/// in pieces of this size (Redis writes at most 16 KB per `write` to a
/// replica, `PROTO_IOBUF_LEN`).
pub const MAX_SEGMENT: usize = 16 * 1024;
/// Largest accepted latency (one minute).
pub const MAX_LATENCY_MS: u64 = 60_000;
/// Largest accepted bandwidth (100 Gbit/s).
pub const MAX_BANDWIDTH_KBPS: u64 = 100_000_000;

/// The fault state of one link direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Bytes flow.
    #[default]
    Up,
    /// Segments are rejected: connections reset, connects are refused.
    Cut,
    /// Segments are held silently until heal.
    Partitioned,
}

/// One direction of the link between two nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Direction {
    pub latency_ms: u64,
    pub bandwidth_kbps: u64,
    pub state: LinkState,
    /// Virtual µs until which the direction is busy serialising.
    busy_until_us: u64,
    /// Arrival time of the last segment sent, so none overtakes it.
    last_arrival_ms: u64,
}

impl Default for Direction {
    fn default() -> Self {
        Direction {
            latency_ms: DEFAULT_LATENCY_MS,
            bandwidth_kbps: DEFAULT_BANDWIDTH_KBPS,
            state: LinkState::Up,
            busy_until_us: 0,
            last_arrival_ms: 0,
        }
    }
}

/// A link direction as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub from: String,
    pub to: String,
    pub latency_ms: u64,
    pub bandwidth_kbps: u64,
    pub state: LinkState,
}

/// What a segment carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    /// The accepting side's answer to a connect (SYN-ACK).
    Accept,
    /// Stream bytes.
    Data,
    /// An orderly close (FIN), after every byte sent before it.
    Close,
    /// The sender crashed: the peer sees the connection reset.
    Reset,
}

#[derive(Clone, Debug)]
struct Segment {
    kind: SegmentKind,
    bytes: Vec<u8>,
    /// Position of the first byte in this half's stream.
    stream_offset: u64,
    sent_ms: u64,
    arrive_ms: u64,
    /// Global send order: ties on `arrive_ms` are delivered in send order.
    seq: u64,
}

/// One end of a connection.
#[derive(Clone, Debug)]
struct End {
    node: String,
    conn: ConnId,
    /// False once the node closed it, crashed, or saw it closed.
    open: bool,
    /// The connecting end may send only after it saw the accept.
    established: bool,
}

/// One direction of a connection: bytes from `ends[i]` to the other end.
#[derive(Clone, Debug, Default)]
struct Half {
    queue: VecDeque<Segment>,
    unacked: usize,
    sent_bytes: u64,
}

/// A connection: `ends[0]` connected to `ends[1]`; `halves[i]` carries what
/// `ends[i]` sends.
#[derive(Clone, Debug)]
struct Connection {
    ends: [End; 2],
    halves: [Half; 2],
}

/// A connect on its way, before the accepting node has a connection id.
#[derive(Clone, Debug)]
struct PendingConnect {
    from: String,
    conn: ConnId,
    to: Addr,
    state: ConnectState,
    seq: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ConnectState {
    /// The SYN arrives at the target at this time.
    Syn { arrive_ms: u64 },
    /// A partition holds the SYN (or its answer); re-sent on heal.
    Held,
    /// The refusal reaches the connecting node at this time.
    Refusing { at_ms: u64 },
    /// Nobody will ever answer (unknown host or port).
    BlackHole,
    /// The target was asked to accept; waiting for [`Network::accepted`].
    Accepting,
}

/// A host the network can route to.
#[derive(Clone, Debug)]
struct Host {
    port: u16,
    up: bool,
}

/// Something the network hands to a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// `node` must accept a connection from `from` (call `Node::on_accept`
    /// and report the id with [`Network::accepted`]).
    Accept { pending: u64, node: String, from: Addr },
    /// `node`'s connect on `conn` succeeded.
    Connected { node: String, conn: ConnId },
    /// `node`'s connect on `conn` failed.
    ConnectFailed { node: String, conn: ConnId, err: ConnectError },
    /// Bytes for `node` on `conn`; `from`'s window on `from_conn` grew.
    Bytes { node: String, conn: ConnId, bytes: Vec<u8>, from: String, from_conn: ConnId },
    /// The peer closed or reset `conn`.
    Closed { node: String, conn: ConnId, reset: bool },
}

/// What the network reports, for the simulator's event stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NetEvent {
    /// `from` asked to connect to `to`.
    ConnectStarted { from: String, conn: ConnId, to: Addr },
    /// The connect reached `to` and was accepted as `to_conn`.
    Accepted { from: String, conn: ConnId, to: String, to_conn: ConnId },
    /// `from` learnt its connect succeeded.
    Connected { from: String, conn: ConnId, to: String, to_conn: ConnId },
    /// The connect was refused (cut link, crashed host).
    ConnectRefused { from: String, conn: ConnId, to: Addr },
    /// A segment left `from` (delivered at `arrive_ms` unless held or lost).
    Sent {
        from: String,
        from_conn: ConnId,
        to: String,
        to_conn: ConnId,
        segment: SegmentKind,
        len: usize,
        stream_offset: u64,
        arrive_ms: u64,
    },
    /// A segment reached `to`.
    Delivered {
        from: String,
        from_conn: ConnId,
        to: String,
        to_conn: ConnId,
        segment: SegmentKind,
        len: usize,
        stream_offset: u64,
    },
    /// `node` closed `conn` (its peer learns it when the close arrives).
    CloseStarted { node: String, conn: ConnId },
    /// A connection reset by a cut: both ends see it closed now;
    /// `lost_bytes` were in flight.
    Reset { a: String, a_conn: ConnId, b: String, b_conn: ConnId, lost_bytes: u64 },
}

/// A segment in flight, for the UI's animation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    pub from: String,
    pub from_conn: ConnId,
    pub to: String,
    pub to_conn: ConnId,
    pub kind: SegmentKind,
    pub len: usize,
    pub stream_offset: u64,
    pub sent_ms: u64,
    pub arrive_ms: u64,
    /// True while a partition holds it.
    pub held: bool,
}

impl InFlight {
    /// How far along the link the segment is at `now_ms`, from 0 to 1
    /// (a held segment stays where its timing put it, at most 1).
    pub fn progress(&self, now_ms: u64) -> f64 {
        if self.arrive_ms <= self.sent_ms {
            return 1.0;
        }
        let done = now_ms.saturating_sub(self.sent_ms) as f64 / (self.arrive_ms - self.sent_ms) as f64;
        done.clamp(0.0, 1.0)
    }
}

/// An open connection, for the UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub a: String,
    pub a_conn: ConnId,
    pub b: String,
    pub b_conn: ConnId,
    pub a_open: bool,
    pub b_open: bool,
    /// Bytes each end has put on the wire so far.
    pub a_sent: u64,
    pub b_sent: u64,
}

/// The simulated network. See the module docs.
#[derive(Clone, Debug, Default)]
pub struct Network {
    hosts: BTreeMap<String, Host>,
    /// `from` → `to` → parameters. Nested rather than keyed by a pair so a
    /// lookup by `&str` allocates nothing (it runs for every segment).
    links: BTreeMap<String, BTreeMap<String, Direction>>,
    conns: VecMap<u64, Connection>,
    /// (node, node-local id) → (connection, which end).
    ends: BTreeMap<String, BTreeMap<ConnId, (u64, usize)>>,
    pending: VecMap<u64, PendingConnect>,
    /// Deliveries due now, ahead of everything timed (cut resets).
    immediate: VecDeque<Delivery>,
    events: VecDeque<NetEvent>,
    next_id: u64,
    next_seq: u64,
}

fn ceil_div(a: u64, b: u64) -> u64 {
    a.div_ceil(b)
}

impl Network {
    pub fn new() -> Self {
        Network::default()
    }

    // ----- hosts -------------------------------------------------------

    /// `node` is up and listens on `port`.
    pub fn add_host(&mut self, node: &str, port: u16) {
        self.hosts.insert(node.to_string(), Host { port, up: true });
    }

    /// `node` no longer exists: like a crash, and its address becomes
    /// unknown.
    pub fn remove_host(&mut self, now_ms: u64, node: &str) {
        self.crash(now_ms, node);
        self.hosts.remove(node);
    }

    /// True if `node` is known and up.
    pub fn is_up(&self, node: &str) -> bool {
        self.hosts.get(node).is_some_and(|h| h.up)
    }

    /// The node listening at `addr`, if it is known (up or down).
    pub fn resolve(&self, addr: &Addr) -> Option<&str> {
        self.hosts.get_key_value(&addr.host).filter(|(_, h)| h.port == addr.port).map(|(name, _)| name.as_str())
    }

    // ----- link parameters and faults ---------------------------------

    /// The direction `from → to` (defaults if never configured).
    pub fn direction(&self, from: &str, to: &str) -> Direction {
        self.links.get(from).and_then(|m| m.get(to)).cloned().unwrap_or_default()
    }

    fn dir_mut(&mut self, from: &str, to: &str) -> &mut Direction {
        if !self.links.get(from).is_some_and(|m| m.contains_key(to)) {
            self.links.entry(from.to_string()).or_default().insert(to.to_string(), Direction::default());
        }
        self.links.get_mut(from).and_then(|m| m.get_mut(to)).expect("the direction was just added")
    }

    /// The connection and side of `node`'s `conn`.
    fn end_of(&self, node: &str, conn: ConnId) -> Option<(u64, usize)> {
        self.ends.get(node)?.get(&conn).copied()
    }

    fn insert_end(&mut self, node: &str, conn: ConnId, end: (u64, usize)) {
        match self.ends.get_mut(node) {
            Some(m) => {
                m.insert(conn, end);
            }
            None => {
                self.ends.insert(node.to_string(), BTreeMap::from([(conn, end)]));
            }
        }
    }

    fn remove_end(&mut self, node: &str, conn: ConnId) -> Option<(u64, usize)> {
        self.ends.get_mut(node)?.remove(&conn)
    }

    /// Every configured link direction, in name order.
    pub fn links(&self) -> Vec<LinkView> {
        self.links
            .iter()
            .flat_map(|(from, m)| m.iter().map(move |(to, d)| (from, to, d)))
            .map(|(from, to, d)| LinkView {
                from: from.clone(),
                to: to.clone(),
                latency_ms: d.latency_ms,
                bandwidth_kbps: d.bandwidth_kbps,
                state: d.state,
            })
            .collect()
    }

    /// Makes sure the link between `a` and `b` exists (with defaults), so
    /// the UI can list it.
    pub fn ensure_link(&mut self, a: &str, b: &str) {
        self.dir_mut(a, b);
        self.dir_mut(b, a);
    }

    /// Sets the latency of `from → to` (for segments sent from now on).
    pub fn set_latency(&mut self, from: &str, to: &str, latency_ms: u64) {
        self.dir_mut(from, to).latency_ms = latency_ms.min(MAX_LATENCY_MS);
    }

    /// Sets the bandwidth of `from → to` (at least 1 kbit/s).
    pub fn set_bandwidth(&mut self, from: &str, to: &str, kbps: u64) {
        self.dir_mut(from, to).bandwidth_kbps = kbps.clamp(1, MAX_BANDWIDTH_KBPS);
    }

    /// Cuts the link between `a` and `b` both ways: every connection between
    /// them resets now, in-flight bytes are lost, connects are refused.
    pub fn cut(&mut self, now_ms: u64, a: &str, b: &str) {
        self.dir_mut(a, b).state = LinkState::Cut;
        self.dir_mut(b, a).state = LinkState::Cut;
        let between: Vec<u64> = self.conns_between(a, b);
        for id in between {
            self.reset(id);
        }
        self.refuse_held(now_ms, a, b);
    }

    /// Cuts `from → to` only (see the module docs).
    pub fn cut_one_way(&mut self, now_ms: u64, from: &str, to: &str) {
        self.dir_mut(from, to).state = LinkState::Cut;
        // Segments already in flight from → to are rejected on the spot.
        let between: Vec<u64> = self.conns_between(from, to);
        for id in between {
            let conn = &self.conns[&id];
            let side = usize::from(conn.ends[0].node != from);
            if !conn.halves[side].queue.is_empty() {
                self.reset(id);
            }
        }
        self.refuse_held(now_ms, from, to);
    }

    /// Partitions `a` and `b` both ways (silent).
    pub fn partition(&mut self, a: &str, b: &str) {
        self.partition_one_way(a, b);
        self.partition_one_way(b, a);
    }

    /// Partitions `from → to` (silent).
    pub fn partition_one_way(&mut self, from: &str, to: &str) {
        let dir = self.dir_mut(from, to);
        if dir.state == LinkState::Up {
            dir.state = LinkState::Partitioned;
        }
    }

    /// Heals both directions between `a` and `b`: held segments are sent
    /// again (arriving no earlier than one latency from now, in order) and
    /// held connects start over.
    pub fn heal(&mut self, now_ms: u64, a: &str, b: &str) {
        for (from, to) in [(a, b), (b, a)] {
            let dir = self.dir_mut(from, to);
            let was_partitioned = dir.state == LinkState::Partitioned;
            dir.state = LinkState::Up;
            if was_partitioned {
                self.release_held(now_ms, from, to);
            }
        }
        let held: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| p.state == ConnectState::Held && self.pending_between(p, a, b))
            .map(|(id, _)| *id)
            .collect();
        for id in held {
            let (from, to_host) = {
                let p = &self.pending[&id];
                (p.from.clone(), p.to.host.clone())
            };
            let lat = self.direction(&from, &to_host).latency_ms;
            let seq = self.seq();
            if let Some(p) = self.pending.get_mut(&id) {
                p.state = ConnectState::Syn { arrive_ms: now_ms + lat };
                p.seq = seq;
            }
        }
    }

    fn pending_between(&self, p: &PendingConnect, a: &str, b: &str) -> bool {
        (p.from == a && p.to.host == b) || (p.from == b && p.to.host == a)
    }

    /// Re-times the held segments of every connection half `from → to`.
    fn release_held(&mut self, now_ms: u64, from: &str, to: &str) {
        let latency = self.direction(from, to).latency_ms;
        let mut last = self.direction(from, to).last_arrival_ms;
        for conn in self.conns.values_mut() {
            for side in 0..2 {
                if conn.ends[side].node != from || conn.ends[1 - side].node != to {
                    continue;
                }
                for seg in conn.halves[side].queue.iter_mut() {
                    seg.arrive_ms = seg.arrive_ms.max(now_ms + latency);
                    last = last.max(seg.arrive_ms);
                }
            }
        }
        self.dir_mut(from, to).last_arrival_ms = last;
    }

    /// Connects held or in flight between `a` and `b` are refused (a cut).
    fn refuse_held(&mut self, now_ms: u64, a: &str, b: &str) {
        let ids: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| p.state == ConnectState::Held && self.pending_between(p, a, b))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let rtt = {
                let p = &self.pending[&id];
                self.rtt(&p.from, &p.to.host)
            };
            if let Some(p) = self.pending.get_mut(&id) {
                p.state = ConnectState::Refusing { at_ms: now_ms + rtt };
            }
        }
    }

    fn rtt(&self, a: &str, b: &str) -> u64 {
        self.direction(a, b).latency_ms + self.direction(b, a).latency_ms
    }

    /// Crashes `node`: its connections reset (the peers learn it after the
    /// latency), bytes toward it are lost, connects to it are refused.
    pub fn crash(&mut self, now_ms: u64, node: &str) {
        if let Some(h) = self.hosts.get_mut(node) {
            h.up = false;
        }
        self.pending.retain(|_, p| p.from != node);
        let ids: Vec<u64> = self.ends.get(node).map(|m| m.values().map(|(id, _)| *id).collect()).unwrap_or_default();
        for id in ids {
            let Some(conn) = self.conns.get(&id) else { continue };
            let side = usize::from(conn.ends[0].node != node);
            let peer_open = conn.ends[1 - side].open;
            let end_conn = conn.ends[side].conn;
            self.remove_end(node, end_conn);
            if let Some(conn) = self.conns.get_mut(&id) {
                conn.ends[side].open = false;
                conn.halves[1 - side].queue.clear();
                conn.halves[1 - side].unacked = 0;
            }
            if peer_open {
                self.push_segment(id, side, SegmentKind::Reset, Vec::new(), now_ms);
            }
            self.collect(id);
        }
    }

    /// `node` is up again (a fresh process), listening on `port`.
    pub fn restart(&mut self, node: &str, port: u16) {
        self.hosts.insert(node.to_string(), Host { port, up: true });
    }

    fn conns_between(&self, a: &str, b: &str) -> Vec<u64> {
        self.conns
            .iter()
            .filter(|(_, c)| {
                (c.ends[0].node == a && c.ends[1].node == b) || (c.ends[0].node == b && c.ends[1].node == a)
            })
            .map(|(id, _)| *id)
            .collect()
    }

    /// Resets connection `id`: both ends still open see it closed now.
    fn reset(&mut self, id: u64) {
        let Some(conn) = self.conns.remove(&id) else { return };
        let lost: u64 = conn.halves.iter().flat_map(|h| h.queue.iter()).map(|s| s.bytes.len() as u64).sum();
        for end in &conn.ends {
            self.remove_end(&end.node, end.conn);
            if end.open {
                self.immediate.push_back(Delivery::Closed { node: end.node.clone(), conn: end.conn, reset: true });
            }
        }
        self.events.push_back(NetEvent::Reset {
            a: conn.ends[0].node.clone(),
            a_conn: conn.ends[0].conn,
            b: conn.ends[1].node.clone(),
            b_conn: conn.ends[1].conn,
            lost_bytes: lost,
        });
    }

    // ----- connections ----------------------------------------------------

    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// `node` opens `conn` toward `to` (its `Action::Connect`).
    pub fn connect(&mut self, now_ms: u64, node: &str, conn: ConnId, to: Addr) {
        self.events.push_back(NetEvent::ConnectStarted { from: node.to_string(), conn, to: to.clone() });
        let state = match self.resolve(&to) {
            None => ConnectState::BlackHole,
            Some(target) => {
                let target = target.to_string();
                let (out, back) = (self.direction(node, &target), self.direction(&target, node));
                if out.state == LinkState::Cut || back.state == LinkState::Cut {
                    ConnectState::Refusing { at_ms: now_ms + out.latency_ms + back.latency_ms }
                } else if out.state == LinkState::Partitioned {
                    ConnectState::Held
                } else {
                    ConnectState::Syn { arrive_ms: now_ms + out.latency_ms }
                }
            }
        };
        let id = self.next_id;
        self.next_id += 1;
        let seq = self.seq();
        self.pending.insert(id, PendingConnect { from: node.to_string(), conn, to, state, seq });
    }

    /// The target accepted pending connect `pending` as its `conn`.
    pub fn accepted(&mut self, now_ms: u64, pending: u64, conn: ConnId) {
        let Some(p) = self.pending.remove(&pending) else { return };
        let id = self.next_id;
        self.next_id += 1;
        let target = p.to.host.clone();
        let ends = [
            End { node: p.from.clone(), conn: p.conn, open: true, established: false },
            End { node: target.clone(), conn, open: true, established: true },
        ];
        self.insert_end(&p.from, p.conn, (id, 0));
        self.insert_end(&target, conn, (id, 1));
        self.conns.insert(id, Connection { ends, halves: [Half::default(), Half::default()] });
        self.events.push_back(NetEvent::Accepted { from: p.from, conn: p.conn, to: target, to_conn: conn });
        self.push_segment(id, 1, SegmentKind::Accept, Vec::new(), now_ms);
    }

    /// Bytes `node` may put on `conn` now (0 if it is not open and
    /// established).
    pub fn window_free(&self, node: &str, conn: ConnId) -> usize {
        let Some((id, side)) = self.end_of(node, conn) else { return 0 };
        let c = &self.conns[&id];
        if !c.ends[side].open || !c.ends[side].established {
            return 0;
        }
        SEND_WINDOW.saturating_sub(c.halves[side].unacked)
    }

    /// `node` puts `bytes` on `conn`. Returns false if the connection is gone
    /// or was reset by a one-way cut (both ends then see it closed).
    pub fn send(&mut self, now_ms: u64, node: &str, conn: ConnId, bytes: Vec<u8>) -> bool {
        let Some((id, side)) = self.end_of(node, conn) else { return false };
        let peer = &self.conns[&id].ends[1 - side].node;
        if self.direction(node, peer).state == LinkState::Cut {
            self.reset(id);
            return false;
        }
        self.push_segment(id, side, SegmentKind::Data, bytes, now_ms);
        true
    }

    /// `node` closes `conn`: the peer sees it closed after the bytes already
    /// sent. A connect still pending is abandoned.
    pub fn close(&mut self, now_ms: u64, node: &str, conn: ConnId) {
        self.pending.retain(|_, p| !(p.from == node && p.conn == conn));
        let Some((id, side)) = self.remove_end(node, conn) else { return };
        self.events.push_back(NetEvent::CloseStarted { node: node.to_string(), conn });
        let peer_open = {
            let c = self.conns.get_mut(&id).expect("ends index points at a live connection");
            c.ends[side].open = false;
            c.ends[1 - side].open
        };
        if peer_open {
            self.push_segment(id, side, SegmentKind::Close, Vec::new(), now_ms);
        }
        self.collect(id);
    }

    /// Queues a segment from `ends[side]` of connection `id`, sent at
    /// `now_ms` or when the direction is free.
    fn push_segment(&mut self, id: u64, side: usize, kind: SegmentKind, bytes: Vec<u8>, now_ms: u64) {
        let seq = self.seq();
        let (from, to) = {
            let c = &self.conns[&id];
            (c.ends[side].node.clone(), c.ends[1 - side].node.clone())
        };
        let last_event_ms = self.conns[&id].halves[side].queue.back().map_or(0, |s| s.sent_ms);
        let dir = self.dir_mut(&from, &to);
        let now_ms = now_ms.max(last_event_ms);
        let len = bytes.len() as u64;
        let start_us = (now_ms * 1000).max(dir.busy_until_us);
        let tx_us = ceil_div(len * 8 * 1000, dir.bandwidth_kbps.max(1));
        dir.busy_until_us = start_us + tx_us;
        // Whole ms: serialisation ending within a millisecond does not add one.
        let arrive_ms = ((start_us + tx_us) / 1000 + dir.latency_ms).max(dir.last_arrival_ms);
        dir.last_arrival_ms = arrive_ms;
        let c = self.conns.get_mut(&id).expect("segment for a live connection");
        let half = &mut c.halves[side];
        let stream_offset = half.sent_bytes;
        half.sent_bytes += len;
        half.unacked += bytes.len();
        let (from_conn, to_conn) = (c.ends[side].conn, c.ends[1 - side].conn);
        let segment = Segment { kind: kind.clone(), bytes, stream_offset, sent_ms: start_us / 1000, arrive_ms, seq };
        c.halves[side].queue.push_back(segment);
        self.events.push_back(NetEvent::Sent {
            from,
            from_conn,
            to,
            to_conn,
            segment: kind,
            len: len as usize,
            stream_offset,
            arrive_ms,
        });
    }

    /// Forgets a connection once both ends are closed and nothing is in
    /// flight.
    fn collect(&mut self, id: u64) {
        if let Some(c) = self.conns.get(&id)
            && !c.ends[0].open
            && !c.ends[1].open
        {
            self.conns.remove(&id);
        }
    }

    // ----- time -----------------------------------------------------------

    /// The earliest time something is due (`None`: nothing will happen
    /// without a new input).
    pub fn next_due(&self, now_ms: u64) -> Option<u64> {
        if !self.immediate.is_empty() {
            return Some(now_ms);
        }
        self.next_timed().map(|(t, _, _)| t)
    }

    /// (time, seq, what) of the earliest timed item.
    fn next_timed(&self) -> Option<(u64, u64, Due)> {
        let mut best: Option<(u64, u64, Due)> = None;
        let mut consider = |t: u64, seq: u64, due: Due| {
            if best.as_ref().is_none_or(|(bt, bs, _)| (t, seq) < (*bt, *bs)) {
                best = Some((t, seq, due));
            }
        };
        for (id, p) in &self.pending {
            match p.state {
                ConnectState::Syn { arrive_ms } => consider(arrive_ms, p.seq, Due::Connect(*id)),
                ConnectState::Refusing { at_ms } => consider(at_ms, p.seq, Due::Connect(*id)),
                _ => {}
            }
        }
        for (id, c) in &self.conns {
            for side in 0..2 {
                let Some(seg) = c.halves[side].queue.front() else { continue };
                let state = self.direction(&c.ends[side].node, &c.ends[1 - side].node).state;
                if state == LinkState::Partitioned {
                    continue;
                }
                consider(seg.arrive_ms, seg.seq, Due::Segment(*id, side));
            }
        }
        best
    }

    /// Takes the next delivery due at or before `now_ms`.
    pub fn poll(&mut self, now_ms: u64) -> Option<Delivery> {
        if let Some(d) = self.immediate.pop_front() {
            return Some(d);
        }
        loop {
            let (t, _, due) = self.next_timed()?;
            if t > now_ms {
                return None;
            }
            let delivered = match due {
                Due::Connect(id) => self.connect_due(now_ms, id),
                Due::Segment(id, side) => self.segment_due(id, side),
            };
            if delivered.is_some() {
                return delivered;
            }
        }
    }

    fn connect_due(&mut self, now_ms: u64, id: u64) -> Option<Delivery> {
        let p = self.pending.get(&id)?.clone();
        match p.state {
            ConnectState::Refusing { .. } => {
                self.pending.remove(&id);
                self.events.push_back(NetEvent::ConnectRefused { from: p.from.clone(), conn: p.conn, to: p.to });
                Some(Delivery::ConnectFailed { node: p.from, conn: p.conn, err: ConnectError::Refused })
            }
            ConnectState::Syn { .. } => {
                let target = p.to.host.clone();
                let (out, back) = (self.direction(&p.from, &target), self.direction(&target, &p.from));
                let refuse_at = now_ms + back.latency_ms;
                let pending = self.pending.get_mut(&id)?;
                if out.state == LinkState::Cut
                    || back.state == LinkState::Cut
                    || !self.hosts.get(&target).is_some_and(|h| h.up)
                {
                    pending.state = ConnectState::Refusing { at_ms: refuse_at };
                    None
                } else if out.state == LinkState::Partitioned {
                    pending.state = ConnectState::Held;
                    None
                } else {
                    pending.state = ConnectState::Accepting;
                    let from = Addr::new(p.from.clone(), ephemeral_port(p.conn));
                    Some(Delivery::Accept { pending: id, node: target, from })
                }
            }
            _ => None,
        }
    }

    fn segment_due(&mut self, id: u64, side: usize) -> Option<Delivery> {
        let c = self.conns.get_mut(&id)?;
        let seg = c.halves[side].queue.pop_front()?;
        c.halves[side].unacked = c.halves[side].unacked.saturating_sub(seg.bytes.len());
        let (from, from_conn) = (c.ends[side].node.clone(), c.ends[side].conn);
        let receiver = c.ends[1 - side].clone();
        self.events.push_back(NetEvent::Delivered {
            from: from.clone(),
            from_conn,
            to: receiver.node.clone(),
            to_conn: receiver.conn,
            segment: seg.kind.clone(),
            len: seg.bytes.len(),
            stream_offset: seg.stream_offset,
        });
        if !receiver.open {
            self.collect(id);
            return None;
        }
        let (node, conn) = (receiver.node.clone(), receiver.conn);
        match seg.kind {
            SegmentKind::Accept => {
                if let Some(c) = self.conns.get_mut(&id) {
                    c.ends[1 - side].established = true;
                }
                self.events.push_back(NetEvent::Connected { from: node.clone(), conn, to: from, to_conn: from_conn });
                Some(Delivery::Connected { node, conn })
            }
            SegmentKind::Data => Some(Delivery::Bytes { node, conn, bytes: seg.bytes, from, from_conn }),
            SegmentKind::Close | SegmentKind::Reset => {
                self.remove_end(&node, conn);
                if let Some(c) = self.conns.get_mut(&id) {
                    c.ends[1 - side].open = false;
                }
                self.collect(id);
                Some(Delivery::Closed { node, conn, reset: seg.kind == SegmentKind::Reset })
            }
        }
    }

    // ----- observation ---------------------------------------------------

    /// The next network event, for the simulator's stream.
    pub fn poll_event(&mut self) -> Option<NetEvent> {
        self.events.pop_front()
    }

    /// True if no segment, connect or reset is on its way (held segments
    /// and unanswerable connects do not count: they cannot progress).
    pub fn is_idle(&self) -> bool {
        self.immediate.is_empty() && self.next_timed().is_none()
    }

    /// Like [`Network::is_idle`], but a segment on its way for which
    /// `ignorable(from, to, kind, bytes)` is true does not count: the
    /// simulator's quiescence check uses it to look past heartbeats
    /// (`REPLCONF ACK`s that repeat what the master already has). Resets and
    /// connects on their way count, except a connect already refused (its
    /// refusal only makes the node retry later: on a slow cut link one is
    /// always on its way back).
    pub fn is_idle_except(&self, mut ignorable: impl FnMut(&str, &str, &SegmentKind, &[u8]) -> bool) -> bool {
        if !self.immediate.is_empty() {
            return false;
        }
        let connecting = self.pending.values().any(|p| matches!(p.state, ConnectState::Syn { .. }));
        if connecting {
            return false;
        }
        for c in self.conns.values() {
            for side in 0..2 {
                let (from, to) = (&c.ends[side].node, &c.ends[1 - side].node);
                if c.halves[side].queue.is_empty() || self.direction(from, to).state == LinkState::Partitioned {
                    continue;
                }
                if !c.halves[side].queue.iter().all(|seg| ignorable(from, to, &seg.kind, &seg.bytes)) {
                    return false;
                }
            }
        }
        true
    }

    /// Every segment in flight, connection by connection.
    pub fn in_flight(&self) -> Vec<InFlight> {
        let mut out = Vec::new();
        for c in self.conns.values() {
            for side in 0..2 {
                let held = self.direction(&c.ends[side].node, &c.ends[1 - side].node).state == LinkState::Partitioned;
                for seg in &c.halves[side].queue {
                    out.push(InFlight {
                        from: c.ends[side].node.clone(),
                        from_conn: c.ends[side].conn,
                        to: c.ends[1 - side].node.clone(),
                        to_conn: c.ends[1 - side].conn,
                        kind: seg.kind.clone(),
                        len: seg.bytes.len(),
                        stream_offset: seg.stream_offset,
                        sent_ms: seg.sent_ms,
                        arrive_ms: seg.arrive_ms,
                        held,
                    });
                }
            }
        }
        out
    }

    /// Every connection with at least one end open.
    pub fn connections(&self) -> Vec<ConnectionView> {
        self.conns
            .values()
            .map(|c| ConnectionView {
                a: c.ends[0].node.clone(),
                a_conn: c.ends[0].conn,
                b: c.ends[1].node.clone(),
                b_conn: c.ends[1].conn,
                a_open: c.ends[0].open,
                b_open: c.ends[1].open,
                a_sent: c.halves[0].sent_bytes,
                b_sent: c.halves[1].sent_bytes,
            })
            .collect()
    }

    /// The peer of `node`'s `conn`: (peer node, peer's id).
    pub fn peer_of(&self, node: &str, conn: ConnId) -> Option<(String, ConnId)> {
        let (id, side) = self.end_of(node, conn)?;
        let end = &self.conns.get(&id)?.ends[1 - side];
        Some((end.node.clone(), end.conn))
    }
}

/// What [`Network::next_timed`] found.
#[derive(Clone, Copy, Debug)]
enum Due {
    Connect(u64),
    Segment(u64, usize),
}

/// The source port a connection appears to come from (deterministic).
fn ephemeral_port(conn: ConnId) -> u16 {
    40000 + (conn.0 % 20000) as u16
}

#[cfg(test)]
mod tests;
