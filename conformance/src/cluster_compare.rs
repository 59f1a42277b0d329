//! Compares a scenario's core run with its real-Redis run, step by step.
//!
//! Compared: every command reply; at each snapshot ([`crate::observe`]) the
//! fields of [`REPLICATION_FIELDS`] and [`STATS_FIELDS`] and the `ROLE` reply
//! of every node; and the *outcome* of every resync, read from the change of
//! `sync_full` / `sync_partial_ok` / `sync_partial_err` since the previous
//! snapshot.
//!
//! Normalisation rules (each one a function below; nothing else differs):
//! | rule | where | why |
//! |------|-------|-----|
//! | [`IdNames`] | `master_replid`, `master_replid2` in INFO | replication IDs are random: each side's IDs are named `<id1>`, `<id2>`… in order of first appearance over the whole run, so the core's n-th ID must show up exactly where real Redis shows its n-th ID (a consistent core↔real correspondence). The all-zero ID is not random and stays. |
//! | [`PortMap`] (real side only) | `master_host`/`master_port`, `slaveN:ip=…,port=…`, ROLE | real servers run on free ports behind proxies: `127.0.0.1:<proxy port>` becomes the master's node name and scenario port, `127.0.0.1:<server port>` the replica's |
//! | dropped fields | `lag=`, `master_last_io_seconds_ago`, `master_link_down_since_seconds` | wall-clock seconds |
//! | INFO fields not listed | everything else in INFO | they describe the process (memory, pid, clients, byte counters) |
//! | `avg_ttl=` in `dbN:` lines | INFO keyspace | an estimate of the active expire cycle |

use std::collections::BTreeMap;
use std::fmt::Write;

use replscope_core::resp::Frame;
use replscope_core::sim::CommandResult;

use crate::normalize::is_replid;
use crate::observe::{NodeObs, Run, Snapshot, StepObs, info_fields, sync_counters};
use crate::real_cluster::PortMap;
use crate::report::escape;

/// `INFO replication` fields compared (`slaveN` lines too, see
/// [`slave_view`]).
pub const REPLICATION_FIELDS: &[&str] = &[
    "role",
    "master_host",
    "master_port",
    "master_link_status",
    "master_sync_in_progress",
    "slave_read_repl_offset",
    "slave_repl_offset",
    "slave_priority",
    "slave_read_only",
    "replica_announced",
    "connected_slaves",
    "min_slaves_good_slaves",
    "master_failover_state",
    "master_replid",
    "master_replid2",
    "master_repl_offset",
    "second_repl_offset",
    "repl_backlog_active",
    "repl_backlog_size",
    "repl_backlog_first_byte_offset",
    "repl_backlog_histlen",
];

/// `INFO stats` fields compared.
pub const STATS_FIELDS: &[&str] = &["sync_full", "sync_partial_ok", "sync_partial_err"];

/// Which side a value comes from (the port rule applies to the real side).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Core,
    Real,
}

/// Names a side's replication IDs by order of first appearance.
#[derive(Clone, Debug, Default)]
pub struct IdNames {
    seen: Vec<String>,
}

impl IdNames {
    /// `<idN>` for a random ID; the all-zero ID and non-IDs unchanged.
    pub fn name(&mut self, id: &str) -> String {
        if !is_replid(id) || id.bytes().all(|b| b == b'0') {
            return id.to_owned();
        }
        let n = match self.seen.iter().position(|s| s == id) {
            Some(i) => i + 1,
            None => {
                self.seen.push(id.to_owned());
                self.seen.len()
            }
        };
        format!("<id{n}>")
    }
}

/// The normalisation state of one side over a whole run.
#[derive(Clone, Debug)]
pub struct Normalizer {
    side: Side,
    ports: PortMap,
    ids: IdNames,
}

impl Normalizer {
    pub fn new(side: Side, ports: PortMap) -> Normalizer {
        Normalizer { side, ports, ids: IdNames::default() }
    }

    /// The compared view of an INFO text: `name:value` lines of the listed
    /// fields (and `dbN:` lines), in the text's order.
    pub fn info(&mut self, text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let fields = info_fields(text);
        let master_port = fields.iter().find(|(n, _)| *n == "master_port").map(|(_, v)| *v);
        for (name, value) in &fields {
            let is_slave_line =
                name.len() > 5 && name.starts_with("slave") && name[5..].bytes().all(|b| b.is_ascii_digit());
            let value = if is_slave_line {
                self.slave_view(value)
            } else if name.starts_with("db") && name[2..].bytes().all(|b| b.is_ascii_digit()) {
                mask_avg_ttl(value)
            } else if !REPLICATION_FIELDS.contains(name) && !STATS_FIELDS.contains(name) {
                continue;
            } else if *name == "master_replid" || *name == "master_replid2" {
                self.ids.name(value)
            } else if *name == "master_host" || *name == "master_port" {
                self.master_addr(name, value, master_port)
            } else {
                (*value).to_owned()
            };
            out.push(((*name).to_owned(), value));
        }
        out
    }

    /// `127.0.0.1` + proxy port → the master's name and scenario port.
    fn master_addr(&self, name: &str, value: &str, master_port: Option<&str>) -> String {
        if self.side == Side::Core {
            return value.to_owned();
        }
        let target = master_port.and_then(|p| p.parse::<u16>().ok()).and_then(|p| self.ports.proxies.get(&p));
        match (name, target) {
            ("master_host", Some((node, _))) => node.clone(),
            ("master_port", Some((_, port))) => port.to_string(),
            _ => value.to_owned(),
        }
    }

    /// `ip=…,port=…,state=…,offset=…,lag=…` → `ip,port,state,offset`
    /// (lag dropped; real addresses mapped to node names).
    fn slave_view(&self, value: &str) -> String {
        let get = |k: &str| v_get(value, k);
        let (mut ip, mut port) = (get("ip"), get("port"));
        if self.side == Side::Real
            && let Some((node, sport)) = port.parse::<u16>().ok().and_then(|p| self.ports.servers.get(&p))
        {
            ip = node.clone();
            port = sport.to_string();
        }
        format!("ip={ip},port={port},state={},offset={}", get("state"), get("offset"))
    }

    /// ROLE with real addresses mapped (see [`Self::slave_view`]).
    pub fn role(&self, frame: &Frame) -> Frame {
        if self.side == Side::Core {
            return frame.clone();
        }
        let Frame::Array(items) = frame else { return frame.clone() };
        let mut items = items.clone();
        match items.first() {
            Some(f) if *f == Frame::bulk("master") => {
                if let Some(Frame::Array(replicas)) = items.get_mut(2) {
                    for r in replicas.iter_mut() {
                        if let Frame::Array(parts) = r
                            && let [Frame::Bulk(ip), Frame::Bulk(port), _] = parts.as_mut_slice()
                            && let Some((node, sport)) = std::str::from_utf8(port)
                                .ok()
                                .and_then(|p| p.parse::<u16>().ok())
                                .and_then(|p| self.ports.servers.get(&p))
                        {
                            *ip = node.clone().into_bytes();
                            *port = sport.to_string().into_bytes();
                        }
                    }
                }
            }
            Some(f) if *f == Frame::bulk("slave") => {
                if let [_, Frame::Bulk(host), Frame::Integer(port), ..] = items.as_mut_slice()
                    && host.as_slice() == b"127.0.0.1"
                    && let Some((node, sport)) = u16::try_from(*port).ok().and_then(|p| self.ports.proxies.get(&p))
                {
                    *host = node.clone().into_bytes();
                    *port = i64::from(*sport);
                }
            }
            _ => {}
        }
        Frame::Array(items)
    }

    /// A command step's result as compared: INFO and ROLE replies through
    /// their views, everything else as exact RESP bytes.
    pub fn command(&mut self, cmd: &[Vec<u8>], result: &CommandResult) -> String {
        let frame = match result {
            CommandResult::Reply(f) => f,
            CommandResult::ConnectionRefused => return "(connection refused)".into(),
            CommandResult::StillBlocked => return "(still blocked)".into(),
        };
        let name = cmd.first().map(|c| c.to_ascii_uppercase()).unwrap_or_default();
        match (name.as_slice(), frame) {
            (b"INFO", Frame::Bulk(text)) => {
                let lines = self.info(&String::from_utf8_lossy(text));
                let body: Vec<String> = lines.iter().map(|(n, v)| format!("{n}:{v}")).collect();
                format!("INFO view: {}", body.join(" "))
            }
            (b"ROLE", f) => escape(&self.role(f).to_bytes()),
            (_, f) => escape(&f.to_bytes()),
        }
    }

    /// A snapshot as `node.key → value` pairs.
    pub fn snapshot(&mut self, snap: &Snapshot) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (node, obs) in snap {
            match obs {
                NodeObs::Crashed => {
                    out.insert(format!("{node} state"), "crashed".into());
                }
                NodeObs::Live { replication, stats, role } => {
                    for (k, v) in self.info(replication) {
                        out.insert(format!("{node} replication.{k}"), v);
                    }
                    for (k, v) in self.info(stats) {
                        out.insert(format!("{node} stats.{k}"), v);
                    }
                    out.insert(format!("{node} ROLE"), escape(&self.role(role).to_bytes()));
                }
            }
        }
        out
    }
}

fn v_get(value: &str, k: &str) -> String {
    value.split(',').find_map(|kv| kv.strip_prefix(k).and_then(|r| r.strip_prefix('='))).unwrap_or("").to_owned()
}

fn mask_avg_ttl(value: &str) -> String {
    value
        .split(',')
        .map(|kv| if kv.starts_with("avg_ttl=") { "avg_ttl=<masked>".to_owned() } else { kv.to_owned() })
        .collect::<Vec<_>>()
        .join(",")
}

/// What resyncs happened on each node since the previous snapshot, from its
/// sync counters: e.g. `A: full+1 partial_err+1`. Empty if none.
pub fn outcomes(prev: Option<&Snapshot>, now: &Snapshot) -> String {
    let mut parts = Vec::new();
    for (node, obs) in now {
        let NodeObs::Live { stats, .. } = obs else { continue };
        let before = match prev.and_then(|p| p.get(node)) {
            Some(NodeObs::Live { stats, .. }) => sync_counters(stats),
            _ => [0; 3],
        };
        let after = sync_counters(stats);
        let mut changes = Vec::new();
        for ((label, b), a) in ["full", "partial_ok", "partial_err"].iter().zip(before).zip(after) {
            if a != b {
                changes.push(format!("{label}{:+}", a as i64 - b as i64));
            }
        }
        if !changes.is_empty() {
            parts.push(format!("{node}: {}", changes.join(" ")));
        }
    }
    parts.join("; ")
}

/// One compared step.
#[derive(Clone, Debug, Default)]
pub struct StepVerdict {
    pub step: usize,
    pub title: String,
    /// `(what, core, real)` for each difference.
    pub diffs: Vec<(String, String, String)>,
    /// The real run's resync outcomes at this step (for reading along).
    pub real_outcome: String,
}

/// The comparison of one scenario.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    pub name: String,
    pub steps: Vec<StepVerdict>,
    /// A run that stopped early, or steps only one side ran.
    pub errors: Vec<String>,
}

impl Comparison {
    pub fn passed(&self) -> bool {
        self.errors.is_empty() && self.steps.iter().all(|s| s.diffs.is_empty())
    }

    pub fn differing_steps(&self) -> usize {
        self.steps.iter().filter(|s| !s.diffs.is_empty()).count()
    }
}

fn step_title(s: &StepObs) -> String {
    match &s.result.command {
        Some(c) => {
            let words: Vec<String> = c
                .cmd
                .iter()
                .map(|a| {
                    let w = String::from_utf8_lossy(a);
                    if w.len() > 24 { format!("{}…({} bytes)", &w[..12], w.len()) } else { w.into_owned() }
                })
                .collect();
            format!("{}> {}", c.node, words.join(" "))
        }
        None => s.result.verb.to_owned(),
    }
}

/// Compares two runs of the same scenario.
pub fn compare(name: &str, core: &Run, real: &Run, ports: &PortMap) -> Comparison {
    let mut cmp = Comparison { name: name.to_owned(), ..Comparison::default() };
    let mut cn = Normalizer::new(Side::Core, PortMap::default());
    let mut rn = Normalizer::new(Side::Real, ports.clone());
    let (mut core_prev, mut real_prev): (Option<&Snapshot>, Option<&Snapshot>) = (None, None);
    for (c, r) in core.steps.iter().zip(&real.steps) {
        let mut v = StepVerdict { step: c.result.step, title: step_title(c), ..StepVerdict::default() };
        if let (Some(cc), Some(rc)) = (&c.result.command, &r.result.command) {
            let (a, b) = (cn.command(&cc.cmd, &cc.result), rn.command(&rc.cmd, &rc.result));
            if a != b {
                v.diffs.push(("reply".into(), a, b));
            }
        }
        match (&c.snapshot, &r.snapshot) {
            (Some(cs), Some(rs)) => {
                let (a, b) = (cn.snapshot(cs), rn.snapshot(rs));
                let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for k in keys {
                    let (x, y) = (a.get(k), b.get(k));
                    if x != y {
                        let show = |o: Option<&String>| o.cloned().unwrap_or_else(|| "(absent)".into());
                        v.diffs.push((display_key(k), show(x), show(y)));
                    }
                }
                let (oc, or) = (outcomes(core_prev, cs), outcomes(real_prev, rs));
                if oc != or {
                    // The headline of a replication difference: shown first.
                    v.diffs.insert(0, ("resync outcome".into(), or_none(&oc), or_none(&or)));
                }
                v.real_outcome = or;
                core_prev = Some(cs);
                real_prev = Some(rs);
            }
            (None, None) => {}
            _ => v.diffs.push(("snapshot".into(), "taken on one side only".into(), String::new())),
        }
        cmp.steps.push(v);
    }
    if core.steps.len() != real.steps.len() {
        cmp.errors.push(format!("core ran {} steps, real Redis {}", core.steps.len(), real.steps.len()));
    }
    if let Some(e) = &core.error {
        cmp.errors.push(format!("core: {e}"));
    }
    if let Some(e) = &real.error {
        cmp.errors.push(format!("real: {e}"));
    }
    cmp
}

fn or_none(s: &str) -> String {
    if s.is_empty() { "(no resync)".into() } else { s.to_owned() }
}

/// `A replication.master_link_status` → `A master_link_status`.
fn display_key(k: &str) -> String {
    k.replace(" replication.", " ").replace(" stats.", " ")
}

/// Differences shown per step before the rest is summarised.
const DIFFS_SHOWN: usize = 16;
/// Runs of matching steps longer than this are folded into one line.
const FOLD_AFTER: usize = 3;

/// The readable report of a comparison (empty if it passed, unless `all`).
pub fn report(cmp: &Comparison, all: bool) -> String {
    let mut out = String::new();
    if cmp.passed() && !all {
        return out;
    }
    let mark = if cmp.passed() { "✓" } else { "✗" };
    let _ =
        writeln!(out, "{mark} scenario {}: {} of {} steps differ", cmp.name, cmp.differing_steps(), cmp.steps.len());
    let mut i = 0;
    while i < cmp.steps.len() {
        let run = cmp.steps[i..].iter().take_while(|s| s.diffs.is_empty() && s.real_outcome.is_empty()).count();
        if run > FOLD_AFTER && !all {
            let _ = writeln!(out, "        … steps {}–{} match", cmp.steps[i].step, cmp.steps[i + run - 1].step);
            i += run;
            continue;
        }
        let s = &cmp.steps[i];
        i += 1;
        let m = if s.diffs.is_empty() { " " } else { "✗" };
        let outcome =
            if s.real_outcome.is_empty() { String::new() } else { format!("   [real resync: {}]", s.real_outcome) };
        let _ = writeln!(out, "  {m} {:>3} {}{outcome}", s.step, s.title);
        for (what, core, real) in s.diffs.iter().take(DIFFS_SHOWN) {
            let _ = writeln!(
                out,
                "        {what}\n            core: {}\n            real: {}",
                shorten(core),
                shorten(real)
            );
        }
        if s.diffs.len() > DIFFS_SHOWN {
            let _ = writeln!(out, "        … and {} more differences", s.diffs.len() - DIFFS_SHOWN);
        }
    }
    for e in &cmp.errors {
        let _ = writeln!(out, "  ! {e}");
    }
    out
}

fn shorten(s: &str) -> String {
    const LIMIT: usize = 400;
    if s.len() <= LIMIT {
        return s.to_owned();
    }
    let mut cut = LIMIT;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… ({} chars)", &s[..cut], s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_named_by_first_appearance_and_zeros_stay() {
        let mut n = IdNames::default();
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        assert_eq!(n.name(&b), "<id1>");
        assert_eq!(n.name(&a), "<id2>");
        assert_eq!(n.name(&b), "<id1>");
        assert_eq!(n.name(&"0".repeat(40)), "0".repeat(40));
    }

    #[test]
    fn real_addresses_become_node_names() {
        let mut ports = PortMap::default();
        ports.servers.insert(40001, ("B".into(), 6380));
        ports.proxies.insert(40100, ("A".into(), 6379));
        let mut real = Normalizer::new(Side::Real, ports);
        let info = "# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:40100\r\nmaster_last_io_seconds_ago:0\r\nmaster_replid:cccccccccccccccccccccccccccccccccccccccc\r\n";
        let got: Vec<String> = real.info(info).into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
        assert_eq!(got, ["role:slave", "master_host:A", "master_port:6379", "master_replid:<id1>"]);
        let master = "slave0:ip=127.0.0.1,port=40001,state=online,offset=96,lag=1\r\n";
        assert_eq!(real.info(master), [("slave0".to_owned(), "ip=B,port=6380,state=online,offset=96".to_owned())]);
        let role = Frame::Array(vec![
            Frame::bulk("slave"),
            Frame::bulk("127.0.0.1"),
            Frame::Integer(40100),
            Frame::bulk("connected"),
            Frame::Integer(5),
        ]);
        let want = Frame::Array(vec![
            Frame::bulk("slave"),
            Frame::bulk("A"),
            Frame::Integer(6379),
            Frame::bulk("connected"),
            Frame::Integer(5),
        ]);
        assert_eq!(real.role(&role), want);
    }

    #[test]
    fn outcomes_come_from_counter_deltas() {
        let live = |s: &str| NodeObs::Live { replication: String::new(), stats: s.into(), role: Frame::Null };
        let mut a = Snapshot::new();
        a.insert("A".into(), live("sync_full:1\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\n"));
        let mut b = Snapshot::new();
        b.insert("A".into(), live("sync_full:2\r\nsync_partial_ok:0\r\nsync_partial_err:1\r\n"));
        assert_eq!(outcomes(Some(&a), &b), "A: full+1 partial_err+1");
        assert_eq!(outcomes(Some(&b), &b), "");
    }
}
