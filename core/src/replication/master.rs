//! The master side: replicas are clients of this node that sent `PSYNC`.
//!
//! Observed on Redis 7.0.15 (logs of a master with diskless and disk-based
//! replicas, raw-socket replicas reading the stream):
//! - `REPLCONF listening-port <p>` / `capa …` answer `+OK`; `REPLCONF ACK
//!   <offset>` answers nothing and records the replica's offset.
//! - `PSYNC` logs `Replica <ip>:<port> asks for synchronization`, then the
//!   decision of [`crate::psync::decide`] with its log line(s).
//! - The first replica creates the backlog with a NEW replication ID.
//! - Diskless (default): `Delay next BGSAVE for diskless SYNC`; the
//!   snapshot starts in `replicationCron` once the longest-waiting replica
//!   waited `repl-diskless-sync-delay` whole seconds (or
//!   `repl-diskless-sync-max-replicas` are waiting), for every waiting
//!   replica at once. `+FULLRESYNC <replid> <offset>` goes out only then,
//!   with `\n` keepalives every second before. After the RDB the master
//!   waits for the replica's first ACK before streaming.
//! - Disk-based: BGSAVE starts at once (its file becomes the node's RDB
//!   file); replicas arriving while it runs attach to it; when it ends
//!   (next `serverCron`), `$<len>\r\n<rdb>` and then the stream.
//! - While its snapshot is in flight a replica's stream accumulates in the
//!   shared replication buffer from the snapshot's offset on (pinning
//!   backlog blocks), and `client-output-buffer-limit replica` applies to
//!   it: the classic endless full-resync loop on a slow link.

use super::{Conn, ConnRole, host_port, secs_between};
use crate::backlog;
use crate::events::NodeEventKind;
use crate::net::{Action, ConnId};
use crate::node::{ClientId, Node};
use crate::psync::{self, PsyncDecision, PsyncRequest, PsyncView};
use crate::resp::Frame;
use crate::server::random_replid;
use crate::util::parse_strict_i64;

/// `SLAVE_STATE_*`: where a replica is in its sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaState {
    /// Waiting for a snapshot to start (diskless delay, or another BGSAVE).
    WaitBgsaveStart,
    /// Its snapshot is being produced (disk) or streamed (diskless).
    WaitBgsaveEnd,
    /// Disk-based: the RDB file is being sent.
    SendBulk,
    /// Streaming.
    Online,
}

impl ReplicaState {
    /// The word `INFO replication` shows.
    pub fn info_name(self) -> &'static str {
        match self {
            ReplicaState::WaitBgsaveStart | ReplicaState::WaitBgsaveEnd => "wait_bgsave",
            ReplicaState::SendBulk => "send_bulk",
            ReplicaState::Online => "online",
        }
    }
}

/// A replica connected to this node.
#[derive(Clone, Debug)]
pub struct ReplicaConn {
    /// `REPLCONF listening-port`.
    pub listening_port: Option<u16>,
    pub capa_eof: bool,
    pub capa_psync2: bool,
    pub state: ReplicaState,
    /// The snapshot payload still to send (framed), and how much went.
    pub rdb: Vec<u8>,
    pub rdb_sent: usize,
    /// The next stream offset to send; `Some` while the replica holds a
    /// place in the shared replication buffer (pinning the backlog).
    pub stream_pos: Option<u64>,
    /// Diskless: hold the stream until the replica's first ACK.
    pub start_stream_on_ack: bool,
    /// `repl_ack_off` / `repl_ack_time`.
    pub ack_off: u64,
    pub ack_time_ms: u64,
    /// When the soft output-buffer limit was first exceeded (unix seconds).
    pub soft_limit_since_s: Option<u64>,
    /// Full or partial, for the online event.
    pub full_sync: bool,
    /// Redis client id, for the client info line.
    pub client_id: u64,
    /// Came with the old `SYNC` (`CLIENT_PRE_PSYNC`): it gets no
    /// `+FULLRESYNC` line and is not expected to send `REPLCONF ACK`s, so
    /// it is never timed out.
    pub pre_psync: bool,
}

/// A snapshot made for replicas (Redis's BGSAVE for SYNC).
#[derive(Clone, Debug)]
pub struct SnapshotJob {
    /// `true`: BGSAVE to disk, then `$<len>`; `false`: diskless `$EOF:`.
    pub disk: bool,
    /// `master_repl_offset` when the child forked.
    pub offset: u64,
    pub rdb: Vec<u8>,
    /// The replicas it serves.
    pub replicas: Vec<ConnId>,
    /// Disk-based: when the BGSAVE is done (next serverCron tick).
    pub done_at_ms: Option<u64>,
    pub pid: u64,
}

/// A client blocked in `WAIT`.
#[derive(Clone, Debug)]
pub struct WaitingClient {
    pub client: ClientId,
    pub numreplicas: u64,
    /// The write offset replicas must acknowledge.
    pub offset: u64,
    /// `None` for `WAIT n 0` (forever).
    pub deadline_ms: Option<u64>,
}

/// `*1\r\n$4\r\nping\r\n`: the master's replication PING (lowercase).
pub const REPL_PING: &[&[u8]] = &[b"ping"];
/// `REPLCONF GETACK *`, fed when a WAIT blocks.
pub const GETACK: &[&[u8]] = &[b"REPLCONF", b"GETACK", b"*"];

/// `replicationGetSlaveName`: `<ip>:<listening-port>`.
pub fn replica_name(conn: &Conn) -> String {
    match conn.replica().and_then(|r| r.listening_port) {
        Some(port) => host_port(&conn.peer.host, port),
        None => format!("{}:<unknown-replica-port>", conn.peer.host),
    }
}

impl Node {
    /// REPLCONF / PSYNC / SYNC on an accepted connection. `None` if `argv`
    /// is another command.
    pub(crate) fn replica_command(&mut self, now_ms: u64, conn: ConnId, argv: &[Vec<u8>]) -> Option<Option<Frame>> {
        let name = argv.first()?.to_ascii_lowercase();
        match name.as_slice() {
            b"replconf" => Some(self.replconf(now_ms, conn, argv)),
            b"psync" | b"sync" => Some(self.sync_command(now_ms, conn, argv)),
            _ => None,
        }
    }

    /// # Format
    /// `REPLCONF <option> <value> [<option> <value> …]`: `listening-port`,
    /// `ip-address`, `capa` answer `+OK`; `ACK <offset>` answers nothing;
    /// `GETACK` is for replicas (handled on the master link).
    fn replconf(&mut self, now_ms: u64, id: ConnId, argv: &[Vec<u8>]) -> Option<Frame> {
        if argv.len().is_multiple_of(2) {
            return Some(Frame::error("ERR syntax error"));
        }
        let mut pairs = argv[1..].chunks(2);
        let mut port = None;
        let mut capas = Vec::new();
        for pair in pairs.by_ref() {
            let option = pair[0].to_ascii_lowercase();
            match option.as_slice() {
                b"listening-port" => match parse_strict_i64(&pair[1]) {
                    Some(p) => port = Some(p as u16),
                    None => return Some(Frame::error("ERR value is not an integer or out of range")),
                },
                b"capa" => capas.push(pair[1].to_ascii_lowercase()),
                b"ip-address" | b"rdb-only" | b"rdb-filter-only" => {}
                b"ack" => {
                    if let Some(offset) = parse_strict_i64(&pair[1]) {
                        self.replica_ack(now_ms, id, offset.max(0) as u64);
                    }
                    return None;
                }
                b"getack" => return None,
                _ => {
                    return Some(Frame::error(format!(
                        "ERR Unrecognized REPLCONF option: {}",
                        String::from_utf8_lossy(&pair[0])
                    )));
                }
            }
        }
        let conn = self.repl.conns.get_mut(&id)?;
        conn.pending_port = port.or(conn.pending_port);
        for capa in capas {
            match capa.as_slice() {
                b"eof" => conn.capa_eof = true,
                b"psync2" => conn.capa_psync2 = true,
                _ => {}
            }
        }
        if let (Some(p), ConnRole::Replica(r)) = (port, &mut conn.role) {
            r.listening_port = Some(p);
        }
        Some(Frame::ok())
    }

    /// `REPLCONF ACK <offset>` from a replica.
    fn replica_ack(&mut self, now_ms: u64, id: ConnId, offset: u64) {
        let Some(conn) = self.repl.conns.get_mut(&id) else { return };
        let name = replica_name(conn);
        let Some(r) = conn.replica_mut() else { return };
        if offset > r.ack_off {
            r.ack_off = offset;
        }
        r.ack_time_ms = now_ms;
        let start = r.state == ReplicaState::Online && r.start_stream_on_ack;
        if start {
            // replicaStartCommandStream: the diskless replica loaded its RDB.
            r.start_stream_on_ack = false;
        }
        self.server.event(now_ms, NodeEventKind::ReplicaAck { replica: name.clone(), offset });
        if start {
            self.server.event(now_ms, NodeEventKind::ReplicaOnline { replica: name, sync: "full".into() });
        }
        self.refresh_good_replicas(now_ms);
        self.process_waits(now_ms);
    }

    /// # Format
    /// `PSYNC <replid> <offset>` or `SYNC`: the replica asks for the stream.
    fn sync_command(&mut self, now_ms: u64, id: ConnId, argv: &[Vec<u8>]) -> Option<Frame> {
        let conn = self.repl.conns.get(&id)?;
        if conn.replica().is_some() {
            return None;
        }
        let psync = argv[0].eq_ignore_ascii_case(b"psync");
        // Arity: PSYNC -3 (7.0 reads a 4th word only as `FAILOVER`), SYNC 1.
        if psync && argv.len() < 3 {
            return Some(Frame::error("ERR wrong number of arguments for 'psync' command"));
        }
        if !psync && argv.len() != 1 {
            return Some(Frame::error("ERR wrong number of arguments for 'sync' command"));
        }
        if self.server.is_replica() && self.server.link_state != "connected" {
            return Some(Frame::error("NOMASTERLINK Can't SYNC while not connected with my master"));
        }
        // The replica is named by the port it announced before PSYNC.
        let name = match conn.pending_port {
            Some(port) => host_port(&conn.peer.host, port),
            None => format!("{}:<unknown-replica-port>", conn.peer.host),
        };
        self.server.log(now_ms, format!("Replica {name} asks for synchronization"));
        let request = if psync {
            let Some(offset) = parse_strict_i64(&argv[2]) else {
                self.server.log(now_ms, format!("Replica {name} asks for synchronization but with a wrong offset"));
                return Some(Frame::error("ERR value is not an integer or out of range"));
            };
            Some(PsyncRequest { replid: String::from_utf8_lossy(&argv[1]).into_owned(), offset })
        } else {
            None
        };
        let client_id = self.next_client_id();
        let (capa_eof, capa_psync2, port) = {
            let conn = self.repl.conns.get(&id)?;
            (conn.capa_eof, conn.capa_psync2, conn.pending_port)
        };
        let replica = ReplicaConn {
            listening_port: port,
            capa_eof,
            capa_psync2,
            state: ReplicaState::WaitBgsaveStart,
            rdb: Vec::new(),
            rdb_sent: 0,
            stream_pos: None,
            start_stream_on_ack: false,
            ack_off: 0,
            ack_time_ms: now_ms,
            soft_limit_since_s: None,
            full_sync: true,
            client_id,
            pre_psync: !psync,
        };
        if let Some(conn) = self.repl.conns.get_mut(&id) {
            conn.role = ConnRole::Replica(Box::new(replica));
        }
        if let Some(request) = request {
            let (decision, reply_line) = {
                let repl = &self.server.repl;
                let view = PsyncView {
                    replid: &repl.master_replid,
                    replid2: &repl.master_replid2,
                    second_repl_offset: repl.second_repl_offset,
                    master_repl_offset: repl.master_repl_offset,
                    backlog: repl.backlog.as_ref(),
                };
                let decision = psync::decide(&view, &request);
                let line = decision.reply_line(&view, capa_psync2);
                (decision, line)
            };
            let lines = decision.log_lines(&name);
            let (ok, err) = decision.stats_delta();
            self.server.stats.sync_partial_ok += ok;
            self.server.stats.sync_partial_err += err;
            self.server.event(
                now_ms,
                NodeEventKind::PsyncDecided(Box::new(crate::events::PsyncDecided {
                    replica: name.clone(),
                    replid: request.replid.clone(),
                    offset: request.offset,
                    decision: if matches!(decision, PsyncDecision::Continue { .. }) {
                        "continue"
                    } else {
                        "full_resync"
                    }
                    .into(),
                    why: decision.why(),
                    log: lines.clone(),
                })),
            );
            if let PsyncDecision::Continue { from_offset, .. } = &decision {
                self.continue_replica(now_ms, id, reply_line, *from_offset);
                for l in lines {
                    self.server.log(now_ms, l);
                }
                self.server.event(now_ms, NodeEventKind::ReplicaOnline { replica: name, sync: "partial".into() });
                self.refresh_good_replicas(now_ms);
                return None;
            }
            for l in lines {
                self.server.log(now_ms, l);
            }
        }
        self.start_full_sync(now_ms, id);
        None
    }

    /// A fresh Redis client id (for client info lines).
    pub(crate) fn next_client_id(&mut self) -> u64 {
        self.repl.next_child_pid += 1;
        self.repl.next_child_pid + 2
    }

    /// `+CONTINUE`: the replica is online at once and gets the backlog from
    /// `from_offset` on.
    fn continue_replica(&mut self, now_ms: u64, id: ConnId, line: String, from_offset: u64) {
        let Some(conn) = self.repl.conns.get_mut(&id) else { return };
        conn.out.extend_from_slice(line.as_bytes());
        if let Some(r) = conn.replica_mut() {
            r.state = ReplicaState::Online;
            r.full_sync = false;
            r.stream_pos = Some(from_offset);
            r.ack_time_ms = now_ms;
        }
        if let Some(b) = &mut self.server.repl.backlog {
            b.pin(id.0, from_offset);
        }
    }

    /// A full resync: count it, make sure a backlog exists, and start or
    /// schedule the snapshot.
    fn start_full_sync(&mut self, now_ms: u64, id: ConnId) {
        self.server.stats.sync_full += 1;
        if self.server.repl.backlog.is_none() {
            self.create_backlog_new_id(now_ms);
        }
        let capa_eof = self.repl.conns.get(&id).and_then(|c| c.replica()).is_some_and(|r| r.capa_eof);
        let diskless = self.server.config.repl_diskless_sync && capa_eof;
        // CASE 1: a disk BGSAVE is running: attach to it.
        if let Some(job) = &self.repl.snapshot {
            if job.disk && job.done_at_ms.is_some() && !diskless {
                self.server.log(now_ms, "Waiting for end of BGSAVE for SYNC");
                let offset = job.offset;
                if let Some(job) = &mut self.repl.snapshot {
                    job.replicas.push(id);
                }
                self.setup_full_resync(now_ms, id, offset);
                return;
            }
            if job.disk {
                self.server
                    .log(now_ms, "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
            } else {
                self.server.log(now_ms, "Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC");
            }
            return;
        }
        if diskless && self.server.config.repl_diskless_sync_delay > 0 {
            self.server.log(now_ms, "Delay next BGSAVE for diskless SYNC");
        } else {
            self.start_bgsave_for_replication(now_ms);
        }
    }

    /// The first replica of a master: a backlog from `offset + 1`, and a new
    /// replication ID with no ID2 (there is no valid past history).
    pub(crate) fn create_backlog_new_id(&mut self, now_ms: u64) {
        let repl = &mut self.server.repl;
        repl.master_replid = random_replid(&mut self.server.rng);
        repl.master_replid2 = crate::server::NULL_REPLID.into();
        repl.second_repl_offset = -1;
        repl.create_backlog(self.server.config.repl_backlog_size);
        let (id, id2) = (repl.master_replid.clone(), repl.master_replid2.clone());
        let first = repl.master_repl_offset + 1;
        self.server.log(now_ms, format!("Replication backlog created, my new replication IDs are '{id}' and '{id2}'"));
        self.server.event(now_ms, NodeEventKind::BacklogCreated { replid: id, first_byte_offset: first });
        self.repl.seen_first_byte = Some(first);
    }

    /// `replicationSetupSlaveForFullResync`: `+FULLRESYNC <replid> <offset>`,
    /// and the replica starts buffering the stream after `offset`.
    fn setup_full_resync(&mut self, _now_ms: u64, id: ConnId, offset: u64) {
        let replid = self.server.repl.master_replid.clone();
        let Some(conn) = self.repl.conns.get_mut(&id) else { return };
        // A SYNC replica gets the payload alone (observed on 7.0.15: `$<len>`
        // or, with `REPLCONF capa eof`, `$EOF:` after the diskless delay).
        if !conn.replica().is_some_and(|r| r.pre_psync) {
            conn.out.extend_from_slice(format!("+FULLRESYNC {replid} {offset}\r\n").as_bytes());
        }
        if let Some(r) = conn.replica_mut() {
            r.state = ReplicaState::WaitBgsaveEnd;
            r.stream_pos = Some(offset + 1);
        }
        // Redis forgets the stream's db so the next write carries a SELECT.
        self.server.repl.stream_db = None;
        if let Some(b) = &mut self.server.repl.backlog {
            b.pin(id.0, offset + 1);
        }
    }

    /// `startBgsaveForReplication`: one snapshot for every replica waiting
    /// to start.
    pub(crate) fn start_bgsave_for_replication(&mut self, now_ms: u64) {
        let waiting: Vec<ConnId> = self
            .repl
            .conns
            .iter()
            .filter(|(_, c)| c.replica().is_some_and(|r| r.state == ReplicaState::WaitBgsaveStart))
            .map(|(id, _)| *id)
            .collect();
        if waiting.is_empty() {
            return;
        }
        let all_eof = waiting.iter().all(|id| self.repl.conns[id].replica().is_some_and(|r| r.capa_eof));
        let disk = !(self.server.config.repl_diskless_sync && all_eof);
        let target = if disk { "disk" } else { "replicas sockets" };
        self.server.log(now_ms, format!("Starting BGSAVE for SYNC with target: {target}"));
        let offset = self.server.repl.master_repl_offset;
        let rdb = self.encode_rdb(now_ms);
        self.repl.next_child_pid += 1;
        let pid = 10_000 + self.repl.next_child_pid;
        let names: Vec<String> = waiting.iter().map(|id| replica_name(&self.repl.conns[id])).collect();
        if disk {
            self.server.log(now_ms, format!("Background saving started by pid {pid}"));
        } else {
            self.server.log(now_ms, format!("Background RDB transfer started by pid {pid}"));
        }
        self.server.event(
            now_ms,
            NodeEventKind::SnapshotStarted {
                target: if disk { "disk" } else { "socket" }.into(),
                replicas: names,
                offset,
                bytes: rdb.len() as u64,
            },
        );
        for id in &waiting {
            self.setup_full_resync(now_ms, *id, offset);
        }
        let done_at_ms = disk.then(|| self.repl.next_server_cron_ms.max(now_ms + 1));
        if disk {
            // The BGSAVE file is the node's dump.rdb from now on.
            self.repl.rdb_file = Some(rdb.clone());
        } else {
            let mark = random_replid(&mut self.server.rng);
            let mut payload = format!("$EOF:{mark}\r\n").into_bytes();
            payload.extend_from_slice(&rdb);
            payload.extend_from_slice(mark.as_bytes());
            for id in &waiting {
                if let Some(r) = self.repl.conns.get_mut(id).and_then(|c| c.replica_mut()) {
                    r.rdb = payload.clone();
                    r.rdb_sent = 0;
                }
            }
        }
        self.repl.snapshot = Some(SnapshotJob { disk, offset, rdb, replicas: waiting, done_at_ms, pid });
    }

    /// serverCron's `checkChildrenDone` for a disk BGSAVE: the file is
    /// ready, send it to the replicas that waited for it.
    fn finish_disk_bgsave(&mut self, now_ms: u64) {
        let Some(job) = &self.repl.snapshot else { return };
        if !job.disk || job.done_at_ms.is_none_or(|t| now_ms < t) {
            return;
        }
        let Some(job) = self.repl.snapshot.take() else { return };
        self.server.log(now_ms, "Background saving terminated with success");
        let mut payload = format!("${}\r\n", job.rdb.len()).into_bytes();
        payload.extend_from_slice(&job.rdb);
        for id in &job.replicas {
            if let Some(r) = self.repl.conns.get_mut(id).and_then(|c| c.replica_mut())
                && r.state == ReplicaState::WaitBgsaveEnd
            {
                r.state = ReplicaState::SendBulk;
                r.rdb = payload.clone();
                r.rdb_sent = 0;
            }
        }
        // Replicas that arrived meanwhile get the next BGSAVE.
        if self.repl.conns.values().any(|c| c.replica().is_some_and(|r| r.state == ReplicaState::WaitBgsaveStart)) {
            self.start_bgsave_for_replication(now_ms);
        }
    }

    /// A replica's snapshot bytes all went out.
    fn replica_rdb_sent(&mut self, now_ms: u64, id: ConnId) {
        let Some(conn) = self.repl.conns.get_mut(&id) else { return };
        let name = replica_name(conn);
        let Some(r) = conn.replica_mut() else { return };
        let bytes = r.rdb.len() as u64;
        r.rdb = Vec::new();
        r.rdb_sent = 0;
        self.server.event(now_ms, NodeEventKind::SnapshotFinished { replica: name.clone(), bytes });
        match r.state {
            ReplicaState::SendBulk => {
                r.state = ReplicaState::Online;
                r.ack_time_ms = now_ms;
                self.server.log(now_ms, format!("Synchronization with replica {name} succeeded"));
                self.server.event(now_ms, NodeEventKind::ReplicaOnline { replica: name, sync: "full".into() });
            }
            ReplicaState::WaitBgsaveEnd => {
                // Diskless: done when every replica of the job has it all.
                let Some(job) = &self.repl.snapshot else { return };
                let pending = job.replicas.iter().any(|rid| {
                    self.repl
                        .conns
                        .get(rid)
                        .and_then(|c| c.replica())
                        .is_some_and(|r| r.state == ReplicaState::WaitBgsaveEnd && !r.rdb.is_empty())
                });
                if pending {
                    return;
                }
                let Some(job) = self.repl.snapshot.take() else { return };
                let live: Vec<ConnId> =
                    job.replicas.iter().copied().filter(|rid| self.repl.conns.contains_key(rid)).collect();
                self.server.log(
                    now_ms,
                    format!("Diskless rdb transfer, done reading from pipe, {} replicas still up.", live.len()),
                );
                self.server.log(now_ms, "Background RDB transfer terminated with success");
                for rid in live {
                    let Some(conn) = self.repl.conns.get_mut(&rid) else { continue };
                    let name = replica_name(conn);
                    if let Some(r) = conn.replica_mut() {
                        r.state = ReplicaState::Online;
                        r.start_stream_on_ack = true;
                        r.ack_time_ms = now_ms;
                    }
                    self.server.log(now_ms, format!("Streamed RDB transfer with replica {name} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming"));
                    self.server.log(now_ms, format!("Synchronization with replica {name} succeeded"));
                }
                if self
                    .repl
                    .conns
                    .values()
                    .any(|c| c.replica().is_some_and(|r| r.state == ReplicaState::WaitBgsaveStart))
                    && !self.server.config.repl_diskless_sync
                {
                    self.start_bgsave_for_replication(now_ms);
                }
            }
            _ => {}
        }
    }

    /// Bytes for a replica's socket: plain output, then its snapshot, then
    /// the stream from the shared buffer.
    pub(crate) fn take_replica_output(&mut self, now_ms: u64, id: ConnId, max: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let Some(conn) = self.repl.conns.get_mut(&id) else { return out };
        let take = conn.out.len().min(max);
        out.extend(conn.out.drain(..take));
        let name = replica_name(conn);
        let Some(r) = conn.replica_mut() else { return out };
        if !r.rdb.is_empty() && out.len() < max {
            let take = (r.rdb.len() - r.rdb_sent).min(max - out.len());
            out.extend_from_slice(&r.rdb[r.rdb_sent..r.rdb_sent + take]);
            r.rdb_sent += take;
            let (sent, total) = (r.rdb_sent as u64, r.rdb.len() as u64);
            self.server.event(now_ms, NodeEventKind::SnapshotProgress { replica: name, sent, total });
            if sent == total {
                self.replica_rdb_sent(now_ms, id);
            }
            return out;
        }
        if !r.rdb.is_empty() || r.state != ReplicaState::Online || r.start_stream_on_ack || out.len() >= max {
            return out;
        }
        let Some(pos) = r.stream_pos else { return out };
        let Some(backlog) = &mut self.server.repl.backlog else { return out };
        let bytes = backlog.copy_range(pos, max - out.len());
        if !bytes.is_empty() {
            let next = pos + bytes.len() as u64;
            r.stream_pos = Some(next);
            backlog.pin(id.0, next);
            self.server.stats.total_net_repl_output_bytes += bytes.len() as u64;
            out.extend_from_slice(&bytes);
        }
        out
    }

    /// Unsent bytes of a replica connection.
    pub(crate) fn replica_pending_output(&self, conn: &Conn) -> usize {
        let Some(r) = conn.replica() else { return conn.out.len() };
        let mut n = conn.out.len() + (r.rdb.len() - r.rdb_sent);
        if let (Some(pos), Some(backlog)) = (r.stream_pos, &self.server.repl.backlog)
            && r.state == ReplicaState::Online
            && !r.start_stream_on_ack
        {
            n += (backlog.last_offset() + 1).saturating_sub(pos) as usize;
        }
        n
    }

    /// `client-output-buffer-limit replica`: hard limit at once, soft limit
    /// once exceeded for more than its seconds (whole unix seconds).
    pub(crate) fn check_output_buffer_limits(&mut self, now_ms: u64) {
        let cfg = &self.server.config;
        let (hard, soft, soft_secs) =
            (cfg.replica_output_buffer_hard, cfg.replica_output_buffer_soft, cfg.replica_output_buffer_soft_seconds);
        let Some(backlog) = &self.server.repl.backlog else { return };
        let mut over = Vec::new();
        for (id, conn) in self.repl.conns.iter_mut() {
            let Some(r) = conn.replica_mut() else { continue };
            let Some(pos) = r.stream_pos else { continue };
            let used = backlog.replica_buffer_usage(pos);
            let hard_hit = hard > 0 && used >= hard;
            let mut soft_hit = soft > 0 && used >= soft;
            if soft_hit {
                match r.soft_limit_since_s {
                    None => {
                        r.soft_limit_since_s = Some(now_ms / 1000);
                        soft_hit = false;
                    }
                    Some(since) => soft_hit = now_ms / 1000 - since > soft_secs,
                }
            } else {
                r.soft_limit_since_s = None;
            }
            if hard_hit || soft_hit {
                over.push((*id, used));
            }
        }
        for (id, used) in over {
            let info = self.client_info_line(now_ms, id, used);
            self.server.log(
                now_ms,
                format!("Client {info} scheduled to be closed ASAP for overcoming of output buffer limits."),
            );
            self.free_replica(now_ms, id, "output_buffer_limit");
        }
    }

    /// A shortened `CLIENT LIST` line for a replica, as Redis logs it.
    fn client_info_line(&self, now_ms: u64, id: ConnId, omem: u64) -> String {
        let Some(conn) = self.repl.conns.get(&id) else { return String::new() };
        let cid = conn.replica().map_or(0, |r| r.client_id);
        let age = secs_between(conn.created_ms, now_ms);
        let idle = secs_between(conn.last_interaction_ms, now_ms);
        format!(
            "id={cid} addr={} laddr={}:{} fd={} name= age={age} idle={idle} flags=S db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem={omem} tot-mem={} events=r cmd=psync user=default redir=-1 resp=2",
            conn.peer,
            self.server.name,
            self.server.config.port,
            cid + 5,
            omem + 1024 + 20_000
        )
    }

    /// Drops a replica connection: its place in the shared buffer, its
    /// snapshot, and the connection itself.
    pub(crate) fn free_replica(&mut self, now_ms: u64, id: ConnId, reason: &str) {
        let Some(conn) = self.repl.conns.remove(&id) else { return };
        let name = replica_name(&conn);
        if let Some(b) = &mut self.server.repl.backlog {
            b.unpin(id.0);
        }
        if let Some(job) = &mut self.repl.snapshot {
            job.replicas.retain(|r| *r != id);
            if job.replicas.is_empty() && !job.disk {
                self.repl.snapshot = None;
            }
        }
        self.server.log(now_ms, format!("Connection with replica {name} lost."));
        self.server.event(now_ms, NodeEventKind::ReplicaDisconnected { replica: name, reason: reason.into() });
        if reason != "closed" {
            self.repl.actions.push_back(Action::Close { conn: id });
        }
        if self.replica_count() == 0 {
            self.repl.no_replicas_since_ms = now_ms;
        }
        self.refresh_good_replicas(now_ms);
        // A finished diskless job may be waiting only for this replica.
        if let Some(job) = &self.repl.snapshot
            && !job.disk
        {
            let pending = job
                .replicas
                .iter()
                .any(|rid| self.repl.conns.get(rid).and_then(|c| c.replica()).is_some_and(|r| !r.rdb.is_empty()));
            if !pending && let Some(first) = job.replicas.first().copied() {
                self.replica_rdb_sent(now_ms, first);
            }
        }
    }

    /// `disconnectSlaves`: every replica must reconnect (new replid, or a
    /// full resync of this node).
    pub(crate) fn disconnect_replicas(&mut self, now_ms: u64, reason: &str) {
        let ids: Vec<ConnId> =
            self.repl.conns.iter().filter(|(_, c)| c.replica().is_some()).map(|(id, _)| *id).collect();
        for id in ids {
            self.free_replica(now_ms, id, reason);
        }
    }

    pub(crate) fn replica_count(&self) -> usize {
        self.repl.conns.values().filter(|c| c.replica().is_some()).count()
    }

    /// `refreshGoodSlavesCount`: online replicas whose last ACK is at most
    /// `min-replicas-max-lag` seconds old.
    pub(crate) fn refresh_good_replicas(&mut self, now_ms: u64) {
        let max_lag = self.server.config.min_replicas_max_lag as i64;
        self.server.good_replicas = self
            .repl
            .conns
            .values()
            .filter_map(|c| c.replica())
            .filter(|r| r.state == ReplicaState::Online && secs_between(r.ack_time_ms, now_ms) <= max_lag)
            .count() as u64;
    }

    /// `replicationCountAcksByOffset`.
    pub(crate) fn acked_replicas(&self, offset: u64) -> u64 {
        self.repl
            .conns
            .values()
            .filter_map(|c| c.replica())
            .filter(|r| r.state == ReplicaState::Online && r.ack_off >= offset)
            .count() as u64
    }

    /// Blocks `client` in WAIT.
    pub(crate) fn block_wait(&mut self, now_ms: u64, client: ClientId, numreplicas: u64, timeout_ms: u64) {
        let offset = self.server.current_woff;
        let deadline_ms = (timeout_ms > 0).then(|| now_ms + timeout_ms);
        self.repl.waiting.push(WaitingClient { client, numreplicas, offset, deadline_ms });
        self.repl.get_ack_requested = true;
    }

    /// `processClientsWaitingReplicas`, and WAIT timeouts.
    pub(crate) fn process_waits(&mut self, now_ms: u64) {
        let waiting = std::mem::take(&mut self.repl.waiting);
        for w in waiting {
            let acked = self.acked_replicas(w.offset);
            let timed_out = w.deadline_ms.is_some_and(|d| now_ms >= d);
            if acked >= w.numreplicas || timed_out {
                self.repl.unblocked.push_back((w.client, Frame::Integer(acked as i64)));
                self.server.event(now_ms, NodeEventKind::WaitDone { acked });
            } else {
                self.repl.waiting.push(w);
            }
        }
    }

    /// beforeSleep's part of WAIT: one `REPLCONF GETACK *` for all blocked clients.
    pub(crate) fn feed_getack_if_requested(&mut self) {
        if std::mem::take(&mut self.repl.get_ack_requested) {
            self.server.repl.feed::<&[u8]>(None, GETACK);
        }
    }

    /// The master half of `replicationCron`.
    pub(crate) fn master_cron(&mut self, now_ms: u64) {
        // PINGs every repl-ping-replica-period seconds, if any replica.
        let period = self.server.config.repl_ping_replica_period.max(1);
        if self.repl.cron_loops.is_multiple_of(period) && self.replica_count() > 0 && !self.server.is_replica() {
            self.server.repl.feed::<&[u8]>(None, REPL_PING);
        }
        // Keepalive newlines to replicas waiting for their snapshot.
        let disk_job = self.repl.snapshot.as_ref().is_some_and(|j| j.disk);
        for conn in self.repl.conns.values_mut() {
            let presync = conn.replica().is_some_and(|r| {
                r.state == ReplicaState::WaitBgsaveStart || (r.state == ReplicaState::WaitBgsaveEnd && disk_job)
            });
            if presync {
                conn.out.push(b'\n');
            }
        }
        // Replicas that stopped acknowledging.
        let timeout = self.server.config.repl_timeout as i64;
        let timed_out: Vec<ConnId> = self
            .repl
            .conns
            .iter()
            .filter(|(_, c)| {
                c.replica().is_some_and(|r| {
                    r.state == ReplicaState::Online && !r.pre_psync && secs_between(r.ack_time_ms, now_ms) > timeout
                })
            })
            .map(|(id, _)| *id)
            .collect();
        for id in timed_out {
            let name = replica_name(&self.repl.conns[&id]);
            self.server.log(now_ms, format!("Disconnecting timedout replica (streaming sync): {name}"));
            self.free_replica(now_ms, id, "timeout");
        }
        // The backlog of a master without replicas goes after its TTL.
        if !self.server.is_replica() && self.replica_count() == 0 && self.server.repl.backlog.is_some() {
            let ttl = self.server.config.repl_backlog_ttl;
            if backlog::ttl_expired(self.repl.no_replicas_since_ms, now_ms, ttl) {
                let repl = &mut self.server.repl;
                repl.master_replid = random_replid(&mut self.server.rng);
                repl.master_replid2 = crate::server::NULL_REPLID.into();
                repl.second_repl_offset = -1;
                repl.backlog = None;
                self.server.log(now_ms, backlog::ttl_freed_log_line(ttl));
                self.server.event(now_ms, NodeEventKind::BacklogFreed);
                self.repl.seen_first_byte = None;
            }
        }
        // Start a diskless snapshot once the waiting replicas waited enough.
        if self.repl.snapshot.is_none() {
            let cfg = &self.server.config;
            let mut waiting = 0u64;
            let mut max_idle = 0i64;
            for conn in self.repl.conns.values() {
                if conn.replica().is_some_and(|r| r.state == ReplicaState::WaitBgsaveStart) {
                    waiting += 1;
                    max_idle = max_idle.max(secs_between(conn.last_interaction_ms, now_ms));
                }
            }
            let start = waiting > 0
                && (!cfg.repl_diskless_sync
                    || (cfg.repl_diskless_sync_max_replicas > 0 && waiting >= cfg.repl_diskless_sync_max_replicas)
                    || max_idle >= cfg.repl_diskless_sync_delay as i64);
            if start {
                self.start_bgsave_for_replication(now_ms);
            }
        }
        self.refresh_good_replicas(now_ms);
    }

    /// The master half of `serverCron`: a disk BGSAVE finishing, WAIT timeouts.
    pub(crate) fn master_server_cron(&mut self, now_ms: u64) {
        self.finish_disk_bgsave(now_ms);
        self.process_waits(now_ms);
    }
}
