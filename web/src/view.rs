//! The view model: plain data the components render.
//!
//! A [`Driver`](crate::driver::Driver) turns whatever runs the scene (today
//! standalone core nodes, after the merge the simulator) into a
//! [`SceneView`]. Components never look inside the core: they render these
//! structs, so they stay pure and a test can hand-build any picture (a
//! replica about to need a full resync, an RDB half transferred, …).
//!
//! Everything is `Clone + PartialEq`: a tick that produces an equal view
//! re-renders nothing.

/// Everything on screen at one instant of virtual time.
use std::rc::Rc;

/// A scene as the components get it: shared, and compared by identity. The
/// app makes a new one whenever the driver reports a new view, so `==` is
/// a pointer check rather than a walk over every node, link and event of
/// the old and the new scene in each component, every frame.
#[derive(Clone, Debug, Default)]
pub struct Scene(pub Rc<SceneView>);

impl PartialEq for Scene {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Scene {
    type Target = SceneView;
    fn deref(&self) -> &SceneView {
        &self.0
    }
}

impl From<SceneView> for Scene {
    fn from(view: SceneView) -> Scene {
        Scene(Rc::new(view))
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SceneView {
    /// Virtual time since the scene started, in ms (shown as `t = 00:12.340`).
    pub t_ms: u64,
    /// The scene's name, for the scenario menu.
    pub scenario: String,
    /// One line telling a newcomer what to try first.
    pub hint: String,
    pub nodes: Vec<NodeView>,
    /// Replication links, master → replica.
    pub links: Vec<LinkView>,
    /// Messages on the wire right now.
    pub in_flight: Vec<MessageView>,
    /// Recent messages with their send and receive times, for the
    /// space-time diagram (in-flight ones have no `recv_ms` yet). Shared:
    /// the driver hands out the same `Rc` until they change, so the
    /// diagram and the log compare them by pointer, not entry by entry.
    pub arrows: Rc<Vec<ArrowView>>,
    /// The event log, oldest first (shared like `arrows`).
    pub events: Rc<Vec<EventView>>,
    /// The workload generator's settings (all zero: off).
    pub workload: Workload,
}

impl SceneView {
    pub fn node(&self, name: &str) -> Option<&NodeView> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// The link that feeds `replica`, if any.
    pub fn link_to(&self, replica: &str) -> Option<&LinkView> {
        self.links.iter().find(|l| l.to == replica)
    }

    /// The master `replica` follows, by the topology's links.
    pub fn master_of(&self, replica: &str) -> Option<&str> {
        self.link_to(replica).map(|l| l.from.as_str())
    }
}

/// Master or replica (`INFO replication`'s `role`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Master,
    Replica,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Master => "master",
            Role::Replica => "replica",
        }
    }
}

/// A replica's view of its link to the master (`master_link_status` and
/// the handshake states before it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStatus {
    Up,
    Down,
    Connecting,
    Sync,
}

impl LinkStatus {
    pub fn label(self) -> &'static str {
        match self {
            LinkStatus::Up => "link up",
            LinkStatus::Down => "link down",
            LinkStatus::Connecting => "connecting",
            LinkStatus::Sync => "syncing",
        }
    }
}

/// One node, as its card and its panel show it.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub name: String,
    pub port: u16,
    pub role: Role,
    /// Full 40-hex replication ID; cards show the first 6.
    pub replid: String,
    pub master_repl_offset: u64,
    /// Replica side only.
    pub link_status: Option<LinkStatus>,
    pub sync_in_progress: bool,
    pub crashed: bool,
    pub backlog: Option<BacklogView>,
    /// The panel's parts below are shared (`Rc`): the driver rebuilds them
    /// a few times a second, not every frame, and an unchanged part is the
    /// same allocation from one frame to the next.
    pub keys: Rc<Vec<KeyRow>>,
    /// `INFO replication`, verbatim.
    pub info_replication: Rc<str>,
    /// The node's own log lines, oldest first.
    pub log: Rc<Vec<String>>,
    /// The replication-related parameters, as `CONFIG GET` reports them.
    pub config: Rc<Vec<(String, String)>>,
}

impl NodeView {
    /// A bare node for tests and placeholders: master, empty, offset 0.
    pub fn new(name: &str, port: u16) -> NodeView {
        NodeView {
            name: name.to_string(),
            port,
            role: Role::Master,
            replid: String::new(),
            master_repl_offset: 0,
            link_status: None,
            sync_in_progress: false,
            crashed: false,
            backlog: None,
            keys: Rc::default(),
            info_replication: Rc::from(""),
            log: Rc::default(),
            config: Rc::default(),
        }
    }

    /// The first 6 hex digits of the replication ID, as cards show it.
    pub fn replid_prefix(&self) -> &str {
        self.replid.get(..6).unwrap_or(&self.replid)
    }

    /// `A:6379>`, redis-cli's prompt.
    pub fn prompt(&self) -> String {
        format!("{}:{}>", self.name, self.port)
    }
}

/// A master's replication backlog: the picture of the core lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct BacklogView {
    /// Configured `repl-backlog-size`.
    pub size: u64,
    /// Offset of the oldest byte still held (`repl_backlog_first_byte_offset`).
    pub first_byte_offset: u64,
    pub master_repl_offset: u64,
    /// The 7.0 blocks: (start offset, bytes used, capacity).
    pub blocks: Vec<(u64, u64, u64)>,
    pub replicas: Vec<ReplicaMarker>,
}

/// Where one replica stands against its master's backlog.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaMarker {
    pub name: String,
    /// The last offset the replica acknowledged (`REPLCONF ACK`).
    pub acked_offset: u64,
    /// The offset it would ask for on reconnect (`PSYNC <replid> <next>`).
    pub next_offset: u64,
    pub connected: bool,
    /// Whether `next_offset` is still inside the backlog: if not, the next
    /// reconnect is a full resync. Decided by the core, not here.
    pub in_window: bool,
}

/// How a key on a replica compares with the same key on its master.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Diff {
    /// The master has the key, this node does not (the row shows the
    /// master's value).
    Missing,
    /// Both have it, with different values: the master's value.
    Stale { master_value: String },
    /// This node has a key its master does not.
    Extra,
}

/// One key in a node's keyspace table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRow {
    pub db: usize,
    pub key: String,
    /// `TYPE`'s name: string, list, hash, set, zset.
    pub kind: String,
    /// A short, quoted rendering of the value.
    pub value_preview: String,
    /// Remaining time to live, if the key has one.
    pub ttl_ms: Option<u64>,
    pub differs_from_master: Option<Diff>,
}

/// The state of a replication link, as drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    Up,
    Handshake,
    Sync,
    Cut,
    Partitioned,
    /// Only master → replica bytes get through (replies and ACKs are lost).
    OneWay,
}

impl LinkState {
    pub fn label(self) -> &'static str {
        match self {
            LinkState::Up => "up",
            LinkState::Handshake => "handshake",
            LinkState::Sync => "sync",
            LinkState::Cut => "cut",
            LinkState::Partitioned => "partitioned",
            LinkState::OneWay => "one-way",
        }
    }

    /// The symbol that tells the state apart without colour.
    pub fn icon(self) -> &'static str {
        match self {
            LinkState::Up => "",
            LinkState::Handshake => "⇄",
            LinkState::Sync => "⟳",
            LinkState::Cut => "✂",
            LinkState::Partitioned => "⚡",
            LinkState::OneWay => "→",
        }
    }
}

/// One replication link.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkView {
    /// The master.
    pub from: String,
    /// The replica.
    pub to: String,
    pub state: LinkState,
    pub latency_ms: u64,
    pub bandwidth_kbps: u64,
    /// A full resync's RDB transfer: (bytes sent, total).
    pub rdb_transfer: Option<(u64, u64)>,
    /// The last resync's outcome, while its badge is showing.
    pub badge: Option<Outcome>,
}

impl LinkView {
    pub fn new(from: &str, to: &str, state: LinkState) -> LinkView {
        LinkView {
            from: from.to_string(),
            to: to.to_string(),
            state,
            latency_ms: 5,
            bandwidth_kbps: 10_000,
            rdb_transfer: None,
            badge: None,
        }
    }
}

/// What a PSYNC ended in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `+CONTINUE`: `bytes` replayed from the backlog.
    Partial { bytes: u64 },
    /// `+FULLRESYNC`: an RDB snapshot of `rdb_bytes`.
    Full { rdb_bytes: u64 },
}

/// What a message carries, for its colour and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    Write,
    Handshake,
    Psync,
    Ack,
    Ping,
    Rdb,
}

impl MessageKind {
    pub fn class(self) -> &'static str {
        match self {
            MessageKind::Write => "write",
            MessageKind::Handshake => "handshake",
            MessageKind::Psync => "psync",
            MessageKind::Ack => "ack",
            MessageKind::Ping => "ping",
            MessageKind::Rdb => "rdb",
        }
    }
}

/// A message on a link.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageView {
    pub from: String,
    pub to: String,
    pub kind: MessageKind,
    /// What it carries, e.g. `SET k v · 27 B`.
    pub label: String,
    /// How far along the link, 0 (just sent) to 1 (arriving).
    pub progress: f64,
}

/// A message in the space-time diagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArrowView {
    pub from: String,
    pub to: String,
    pub kind: MessageKind,
    pub label: String,
    pub sent_ms: u64,
    /// `None` while in flight (or lost).
    pub recv_ms: Option<u64>,
    /// Unique within the scene, increasing (0 when not numbered): the
    /// diagram's list key.
    pub id: u64,
}

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventView {
    pub t_ms: u64,
    /// The node it happened on.
    pub node: String,
    /// The other end, for events about a link (highlighted together).
    pub peer: Option<String>,
    /// A short kind for filtering: `psync`, `link`, `node`, `config`, …
    pub kind: String,
    pub text: String,
    /// For decisions: the rule with live numbers
    /// (`asked for 56 · window starts at 20441 → not in backlog → full resync`).
    pub why: Option<String>,
    /// Redis's own log line for the same thing.
    pub redis_log: Option<String>,
    pub badge: Option<Outcome>,
    /// A number unique within the scene, increasing with time (0 when the
    /// scene does not number its events): the log's list key, so a new
    /// entry does not re-render the others.
    pub id: u64,
}

impl EventView {
    pub fn new(t_ms: u64, node: &str, kind: &str, text: &str) -> EventView {
        EventView {
            id: 0,
            t_ms,
            node: node.to_string(),
            peer: None,
            kind: kind.to_string(),
            text: text.to_string(),
            why: None,
            redis_log: None,
            badge: None,
        }
    }
}

/// The workload generator: client writes to the masters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Workload {
    pub writes_per_s: u32,
    /// Keys are `key:0` … `key:<keys-1>`.
    pub keys: u32,
    pub value_size: u32,
}

/// Compares a replica's rows with its master's and marks every difference
/// (and adds rows for keys only the master has). Both come sorted by
/// (db, key), as the keyspace lists them, and so does the result: one
/// merge pass, no sorting, so it stays cheap for every replica on every
/// refresh.
pub fn diff_against_master(replica: &[KeyRow], master: &[KeyRow]) -> Vec<KeyRow> {
    use std::cmp::Ordering;
    let mut out: Vec<KeyRow> = Vec::with_capacity(replica.len().max(master.len()));
    let (mut r, mut m) = (replica.iter().peekable(), master.iter().peekable());
    loop {
        let order = match (r.peek(), m.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(a), Some(b)) => (a.db, &a.key).cmp(&(b.db, &b.key)),
        };
        let row = match order {
            Ordering::Less => r.next().map(|row| KeyRow { differs_from_master: Some(Diff::Extra), ..row.clone() }),
            Ordering::Greater => {
                m.next().map(|row| KeyRow { ttl_ms: None, differs_from_master: Some(Diff::Missing), ..row.clone() })
            }
            Ordering::Equal => r.next().zip(m.next()).map(|(row, master)| {
                let same = master.value_preview == row.value_preview && master.kind == row.kind;
                KeyRow {
                    differs_from_master: (!same).then(|| Diff::Stale { master_value: master.value_preview.clone() }),
                    ..row.clone()
                }
            }),
        };
        out.extend(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, value: &str) -> KeyRow {
        KeyRow {
            db: 0,
            key: key.into(),
            kind: "string".into(),
            value_preview: value.into(),
            ttl_ms: None,
            differs_from_master: None,
        }
    }

    #[test]
    fn diff_marks_stale_missing_and_extra() {
        let master = vec![row("a", "\"1\""), row("b", "\"2\""), row("c", "\"3\"")];
        let replica = vec![row("a", "\"1\""), row("b", "\"old\""), row("z", "\"9\"")];
        let out = diff_against_master(&replica, &master);
        let keys: Vec<_> = out.iter().map(|r| (r.key.as_str(), r.differs_from_master.clone())).collect();
        assert_eq!(
            keys,
            vec![
                ("a", None),
                ("b", Some(Diff::Stale { master_value: "\"2\"".into() })),
                ("c", Some(Diff::Missing)),
                ("z", Some(Diff::Extra)),
            ]
        );
    }

    #[test]
    fn replid_prefix_is_six_hex() {
        let mut n = NodeView::new("A", 6379);
        n.replid = "3f9a1c0b2d".into();
        assert_eq!(n.replid_prefix(), "3f9a1c");
        assert_eq!(n.prompt(), "A:6379>");
    }
}
