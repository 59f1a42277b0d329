//! The replica side: this node's link to its master.
//!
//! Observed on Redis 7.0.15 (logs, a fake master on a raw socket):
//! - Connect: `Connecting to MASTER <h>:<p>` (or `Reconnecting …` right after
//!   losing a connected master), `MASTER <-> REPLICA sync started`; a
//!   refused connect logs `Error condition on socket for SYNC: Connection
//!   refused` and `replicationCron` retries every second.
//! - Handshake: `PING` alone; after `+PONG`, `AUTH <masterauth>` (if set),
//!   `REPLCONF listening-port <port>` and `REPLCONF capa eof capa psync2`
//!   are sent together (pipelined); after their replies, `PSYNC`.
//! - `PSYNC <cached replid> <cached offset + 1>` (`Trying a partial
//!   resynchronization (request <id>:<off>).`) or `PSYNC ? -1` (`Partial
//!   resynchronization not possible (no cached master)`). Empty `\n` lines
//!   before the reply are the master's keepalives.
//! - `+CONTINUE [<new id>]`: `Successful partial resynchronization with
//!   master.` (and `Master replication ID changed to …`, which also shifts
//!   our ID into ID2 and disconnects our sub-replicas).
//! - `+FULLRESYNC <id> <off>`: the RDB (`$<len>` or `$EOF:<mark>`), then:
//!   cached master discarded, sub-replicas dropped, backlog recreated, old
//!   data flushed, RDB loaded (kept as the node's RDB file); with an EOF
//!   mark the replica ACKs at once (the master waits for it).
//! - The stream runs as the "master client": no replies (except `REPLCONF
//!   GETACK` → `REPLCONF ACK <offset>`), offsets advance per command (a
//!   whole MULTI…EXEC at EXEC), and the applied bytes are appended verbatim
//!   to our own backlog, from which sub-replicas are served.

use std::collections::VecDeque;

use super::{Conn, ConnRole, host_port, secs_between};
use crate::commands::ClientState;
use crate::events::NodeEventKind;
use crate::info::{ReplicaLinkInfo, SyncTransferInfo};
use crate::net::{Action, Addr, ConnId, ConnectError};
use crate::node::{Node, dispatch};
use crate::resp::parser::{ArgvBuf, Parsed, parse_command};
use crate::resp::{Frame, FrameParser, encode_command};
use crate::server::{NULL_REPLID, Role, argv_summary, argv_summary_text};

/// Redis's `repl_state` on a replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Must connect (at the next replicationCron).
    Connect,
    /// The TCP connection is being opened.
    Connecting,
    /// Waiting for `+PONG`.
    ReceivePong,
    /// Waiting for the replies to AUTH / REPLCONF.
    ReceiveHandshake,
    /// Waiting for the answer to PSYNC.
    ReceivePsync,
    /// Receiving the RDB.
    Transfer,
    /// Streaming.
    Connected,
}

impl LinkState {
    /// ROLE's word.
    pub fn role_name(self) -> &'static str {
        match self {
            LinkState::Connect => "connect",
            LinkState::Connecting => "connecting",
            LinkState::ReceivePong | LinkState::ReceiveHandshake | LinkState::ReceivePsync => "handshake",
            LinkState::Transfer => "sync",
            LinkState::Connected => "connected",
        }
    }
}

/// A handshake reply the replica waits for, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Auth,
    Port,
    Capa,
}

/// The RDB being received.
#[derive(Clone, Debug, Default)]
pub struct Transfer {
    /// `$EOF:` mark, for a diskless transfer.
    pub eof_mark: Option<Vec<u8>>,
    /// Announced size (`-1` for EOF-marked).
    pub total: i64,
    pub data: Vec<u8>,
    pub header_seen: bool,
    pub last_io_ms: u64,
}

/// The master state a replica keeps to continue with `PSYNC <id> <off+1>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedMaster {
    pub replid: String,
    pub offset: u64,
    /// The db the master client had selected: the stream resumes in it
    /// (a `+CONTINUE` replay carries no SELECT for it).
    pub db: usize,
}

/// The replica's link to its master.
#[derive(Debug)]
pub struct MasterLink {
    pub host: String,
    pub port: u16,
    pub state: LinkState,
    pub conn: Option<ConnId>,
    /// Bytes received and not yet consumed.
    pub inbox: Vec<u8>,
    pub expect: VecDeque<Expect>,
    /// The RDB being received.
    pub transfer: Option<Transfer>,
    /// `+FULLRESYNC` id and offset.
    pub full_sync: Option<(String, u64)>,
    /// The stream parser for what [`parse_command`] leaves to it (after the
    /// sync), and the master client's state.
    pub parser: FrameParser,
    /// The argv the stream's commands are parsed into, reused.
    pub stream_argv: ArgvBuf,
    pub master_client: ClientState,
    /// Applied bytes of an open MULTI not yet counted (Redis advances the
    /// offset at EXEC).
    pub multi_pending: Vec<u8>,
    /// `read_reploff`: stream bytes read.
    pub read_reploff: u64,
    /// `repl_transfer_lastio` / the master client's `lastinteraction`.
    pub last_io_ms: u64,
    /// `repl_down_since`.
    pub down_since_ms: Option<u64>,
    /// The master refused PSYNC and this link fell back to `SYNC`
    /// (`CLIENT_PRE_PSYNC`): such a master gets no `REPLCONF ACK` from
    /// replicationCron.
    pub pre_psync: bool,
}

impl MasterLink {
    /// The link turns into the replication stream (after `+CONTINUE` or a
    /// loaded snapshot): a fresh master client in `db`, no MULTI pending,
    /// `offset` bytes read.
    fn start_stream(&mut self, now_ms: u64, db: usize, offset: u64) {
        self.parser = FrameParser::new();
        self.master_client = ClientState { db, ..master_client_state() };
        self.multi_pending.clear();
        self.read_reploff = offset;
        self.down_since_ms = None;
        self.last_io_ms = now_ms;
    }

    /// A link not connected yet. `down_since_ms` is Redis's global
    /// `repl_down_since`: 0 (INFO: -1) in a process whose master link never
    /// went down, else when the last one did (observed on 7.0.15).
    fn new(host: String, port: u16, now_ms: u64, down_since_ms: Option<u64>) -> Self {
        MasterLink {
            host,
            port,
            state: LinkState::Connect,
            conn: None,
            inbox: Vec::new(),
            expect: VecDeque::new(),
            transfer: None,
            full_sync: None,
            parser: FrameParser::new(),
            stream_argv: ArgvBuf::new(),
            master_client: master_client_state(),
            multi_pending: Vec::new(),
            read_reploff: 0,
            last_io_ms: now_ms,
            down_since_ms,
            pre_psync: false,
        }
    }

    pub fn name(&self) -> String {
        host_port(&self.host, self.port)
    }
}

impl Node {
    /// `REPLICAOF host port` (`replicationSetMaster`).
    pub(crate) fn set_master(&mut self, now_ms: u64, host: String, port: u16, user: &str) {
        let was_master = !self.server.is_replica();
        self.drop_master_link(now_ms, false);
        self.unblock_waiters_on_role_change(now_ms);
        self.server.role = Role::Replica { host: host.clone(), port };
        if was_master {
            self.discard_cached_master(now_ms);
            self.server.log(now_ms, "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.");
            // replicationCacheMasterUsingMyself: a new master client, db 0.
            self.repl.cached_master = Some(CachedMaster {
                replid: self.server.repl.master_replid.clone(),
                offset: self.server.repl.master_repl_offset,
                db: 0,
            });
        }
        let down_since = self.repl.link.as_ref().and_then(|l| l.down_since_ms);
        self.repl.link = Some(MasterLink::new(host.clone(), port, now_ms, down_since));
        self.server.log(now_ms, format!("Connecting to MASTER {}", host_port(&host, port)));
        self.connect_to_master(now_ms);
        self.server.log(now_ms, format!("REPLICAOF {} enabled (user request from '{user}')", host_port(&host, port)));
    }

    /// Starts a replica with `replicaof` in its config (no cached master
    /// unless its RDB file gave one).
    pub(crate) fn start_as_replica(&mut self, now_ms: u64, master: Addr) {
        self.server.role = Role::Replica { host: master.host.clone(), port: master.port };
        let name = host_port(&master.host, master.port);
        self.repl.link = Some(MasterLink::new(master.host, master.port, now_ms, None));
        // The first replicationCron, right after start, connects.
        self.server.log(now_ms, format!("Connecting to MASTER {name}"));
        self.connect_to_master(now_ms);
    }

    /// Forgets the current link. A connected master is cached first
    /// (`Connection with master lost.`); a handshake is cancelled.
    pub(crate) fn drop_master_link(&mut self, now_ms: u64, reconnect: bool) {
        let Some(link) = &self.repl.link else { return };
        let was_connected = link.state == LinkState::Connected;
        let conn = link.conn;
        if let Some(conn) = conn {
            self.repl.conns.remove(&conn);
            self.repl.actions.push_back(Action::Close { conn });
        }
        if was_connected {
            self.server.log(now_ms, "Connection with master lost.");
            self.cache_master(now_ms);
        }
        let Some(link) = &mut self.repl.link else { return };
        link.conn = None;
        link.inbox.clear();
        link.transfer = None;
        link.expect.clear();
        if was_connected {
            link.down_since_ms = Some(now_ms);
        }
        self.set_link_state(now_ms, LinkState::Connect);
        if reconnect && was_connected {
            let name = self.repl.link.as_ref().map(|l| l.name()).unwrap_or_default();
            self.server.log(now_ms, format!("Reconnecting to MASTER {name}"));
            self.connect_to_master(now_ms);
        }
    }

    /// `replicationCacheMaster`.
    fn cache_master(&mut self, now_ms: u64) {
        self.server.log(now_ms, "Caching the disconnected master state.");
        let db = self.repl.link.as_ref().map_or(0, |l| l.master_client.db);
        self.repl.cached_master = Some(CachedMaster {
            replid: self.server.repl.master_replid.clone(),
            offset: self.server.repl.master_repl_offset,
            db,
        });
    }

    /// `replicationDiscardCachedMaster`.
    pub(crate) fn discard_cached_master(&mut self, now_ms: u64) {
        if self.repl.cached_master.take().is_some() {
            self.server.log(now_ms, "Discarding previously cached master state.");
        }
    }

    pub(crate) fn set_link_state(&mut self, now_ms: u64, state: LinkState) {
        let Some(link) = &mut self.repl.link else { return };
        if link.state != state || state == LinkState::Connect {
            link.state = state;
            let master = link.name();
            self.server.event(now_ms, NodeEventKind::LinkState { master, state: state.role_name().into() });
        }
    }

    /// `connectWithMaster`.
    pub(crate) fn connect_to_master(&mut self, now_ms: u64) {
        let Some(link) = &self.repl.link else { return };
        let to = Addr::new(link.host.clone(), link.port);
        let conn = ConnId(self.next_conn_id);
        self.next_conn_id += 1;
        self.repl.conns.insert(conn, Conn::new(to.clone(), ConnRole::MasterLink, now_ms));
        self.repl.actions.push_back(Action::Connect { conn, to });
        if let Some(link) = &mut self.repl.link {
            link.conn = Some(conn);
            link.last_io_ms = now_ms;
            link.inbox.clear();
            link.pre_psync = false;
        }
        self.set_link_state(now_ms, LinkState::Connecting);
        self.server.log(now_ms, "MASTER <-> REPLICA sync started");
    }

    pub(crate) fn master_connected(&mut self, now_ms: u64, conn: ConnId) {
        if self.repl.link.as_ref().and_then(|l| l.conn) != Some(conn) {
            return;
        }
        self.server.log(now_ms, "Non blocking connect for SYNC fired the event.");
        self.send_to_master(now_ms, conn, &[b"PING".to_vec()]);
        if let Some(link) = &mut self.repl.link {
            link.last_io_ms = now_ms;
        }
        self.set_link_state(now_ms, LinkState::ReceivePong);
    }

    pub(crate) fn master_connect_failed(&mut self, now_ms: u64, conn: ConnId, err: ConnectError) {
        if self.repl.link.as_ref().and_then(|l| l.conn) != Some(conn) {
            return;
        }
        self.repl.conns.remove(&conn);
        if let Some(link) = &mut self.repl.link {
            link.conn = None;
        }
        match err {
            ConnectError::Refused => self.server.log(now_ms, "Error condition on socket for SYNC: Connection refused"),
            ConnectError::Timeout => self.server.log(now_ms, "Timeout connecting to the MASTER..."),
        }
        self.set_link_state(now_ms, LinkState::Connect);
    }

    fn send_to_master(&mut self, now_ms: u64, conn: ConnId, argv: &[Vec<u8>]) {
        let master = self.repl.link.as_ref().map(|l| l.name()).unwrap_or_default();
        if let Some(c) = self.repl.conns.get_mut(&conn) {
            encode_command(argv, &mut c.out);
        }
        let text = if argv.first().is_some_and(|a| a.eq_ignore_ascii_case(b"AUTH")) {
            "AUTH <masterauth>".to_string()
        } else {
            argv_summary(argv)
        };
        if self.repl.link.as_ref().is_some_and(|l| l.state != LinkState::Connected) {
            self.server.event(now_ms, NodeEventKind::HandshakeStep { master, sent: true, text });
        }
    }

    /// Bytes from the master.
    pub(crate) fn master_bytes(&mut self, now_ms: u64, conn: ConnId, bytes: &[u8]) {
        let Some(link) = &mut self.repl.link else { return };
        if link.conn != Some(conn) {
            return;
        }
        link.last_io_ms = now_ms;
        if link.state == LinkState::Connected {
            self.stream_bytes(now_ms, conn, bytes);
            return;
        }
        link.inbox.extend_from_slice(bytes);
        loop {
            let Some(link) = &mut self.repl.link else { return };
            if link.conn != Some(conn) {
                return;
            }
            match link.state {
                LinkState::ReceivePong | LinkState::ReceiveHandshake | LinkState::ReceivePsync => {
                    let Some(line) = take_line(&mut link.inbox) else { return };
                    if !self.handshake_reply(now_ms, conn, line) {
                        return;
                    }
                }
                LinkState::Transfer => {
                    if !self.transfer_bytes(now_ms, conn) {
                        return;
                    }
                }
                LinkState::Connected => {
                    let rest = std::mem::take(&mut link.inbox);
                    self.stream_bytes(now_ms, conn, &rest);
                    return;
                }
                LinkState::Connect | LinkState::Connecting => return,
            }
        }
    }

    /// One reply line of the handshake. False stops processing.
    fn handshake_reply(&mut self, now_ms: u64, conn: ConnId, line: Vec<u8>) -> bool {
        let Some(link) = &mut self.repl.link else { return false };
        let state = link.state;
        let master = link.name();
        let text = String::from_utf8_lossy(&line).into_owned();
        if line.is_empty() {
            // A keepalive newline while the master prepares the snapshot.
            return true;
        }
        self.server
            .event(now_ms, NodeEventKind::HandshakeStep { master: master.clone(), sent: false, text: text.clone() });
        match state {
            LinkState::ReceivePong => {
                let acceptable = line.starts_with(b"+")
                    || line.starts_with(b"-NOAUTH")
                    || line.starts_with(b"-NOPERM")
                    || line.starts_with(b"-ERR operation not permitted");
                if !acceptable {
                    self.server
                        .log(now_ms, format!("Error reply to PING from master: '{}'", text.trim_start_matches('-')));
                    self.cancel_handshake(now_ms);
                    return false;
                }
                self.server.log(now_ms, "Master replied to PING, replication can continue...");
                let port = self.server.config.port;
                let mut expect = VecDeque::new();
                if let Some(auth) = self.server.config.masterauth.clone() {
                    self.send_to_master(now_ms, conn, &[b"AUTH".to_vec(), auth.into_bytes()]);
                    expect.push_back(Expect::Auth);
                }
                self.send_to_master(
                    now_ms,
                    conn,
                    &[b"REPLCONF".to_vec(), b"listening-port".to_vec(), port.to_string().into_bytes()],
                );
                expect.push_back(Expect::Port);
                self.send_to_master(
                    now_ms,
                    conn,
                    &[b"REPLCONF".to_vec(), b"capa".to_vec(), b"eof".to_vec(), b"capa".to_vec(), b"psync2".to_vec()],
                );
                expect.push_back(Expect::Capa);
                if let Some(link) = &mut self.repl.link {
                    link.expect = expect;
                }
                self.set_link_state(now_ms, LinkState::ReceiveHandshake);
                true
            }
            LinkState::ReceiveHandshake => {
                let Some(expect) = self.repl.link.as_mut().and_then(|l| l.expect.pop_front()) else { return false };
                let err = line.starts_with(b"-");
                match expect {
                    Expect::Auth if err => {
                        self.server.log(now_ms, format!("Unable to AUTH to MASTER: {text}"));
                        self.cancel_handshake(now_ms);
                        return false;
                    }
                    Expect::Port if err => self.server.log(
                        now_ms,
                        format!("(Non critical) Master does not understand REPLCONF listening-port: {text}"),
                    ),
                    Expect::Capa if err => self
                        .server
                        .log(now_ms, format!("(Non critical) Master does not understand REPLCONF capa: {text}")),
                    _ => {}
                }
                if expect == Expect::Capa {
                    self.send_psync(now_ms, conn);
                }
                true
            }
            LinkState::ReceivePsync => self.psync_reply(now_ms, conn, &text),
            _ => false,
        }
    }

    /// `slaveTryPartialResynchronization`, the sending half.
    fn send_psync(&mut self, now_ms: u64, conn: ConnId) {
        let (replid, offset) = match &self.repl.cached_master {
            Some(c) => {
                let offset = c.offset as i64 + 1;
                self.server.log(now_ms, format!("Trying a partial resynchronization (request {}:{offset}).", c.replid));
                (c.replid.clone(), offset)
            }
            None => {
                self.server.log(now_ms, "Partial resynchronization not possible (no cached master)");
                ("?".to_string(), -1)
            }
        };
        self.send_to_master(
            now_ms,
            conn,
            &[b"PSYNC".to_vec(), replid.clone().into_bytes(), offset.to_string().into_bytes()],
        );
        let master = self.repl.link.as_ref().map(|l| l.name()).unwrap_or_default();
        self.server.event(now_ms, NodeEventKind::PsyncSent { master, replid, offset });
        self.set_link_state(now_ms, LinkState::ReceivePsync);
    }

    /// The master's answer to PSYNC.
    fn psync_reply(&mut self, now_ms: u64, conn: ConnId, text: &str) -> bool {
        let master = self.repl.link.as_ref().map(|l| l.name()).unwrap_or_default();
        self.server.event(now_ms, NodeEventKind::PsyncReply { master, reply: text.to_string() });
        if let Some(rest) = text.strip_prefix("+FULLRESYNC") {
            let mut parts = rest.split_whitespace();
            let replid = parts.next().unwrap_or_default().to_string();
            let offset = parts.next().and_then(|o| o.parse::<u64>().ok()).unwrap_or(0);
            self.server.log(now_ms, format!("Full resync from master: {replid}:{offset}"));
            if let Some(link) = &mut self.repl.link {
                link.full_sync = Some((replid, offset));
                link.transfer = Some(Transfer { total: -1, last_io_ms: now_ms, ..Transfer::default() });
            }
            self.set_link_state(now_ms, LinkState::Transfer);
            return true;
        }
        if let Some(rest) = text.strip_prefix("+CONTINUE") {
            let new_id = rest.trim().to_string();
            self.partial_resync_accepted(now_ms, conn, new_id);
            return true;
        }
        if text.starts_with("-NOMASTERLINK") || text.starts_with("-LOADING") {
            // PSYNC_TRY_LATER: back to CONNECT, the next replicationCron
            // (within a second) starts over.
            self.server.log(now_ms, format!("Master is currently unable to PSYNC but should be in the future: {text}"));
            self.cancel_handshake(now_ms);
            return false;
        }
        // PSYNC_NOT_SUPPORTED: fall back to the old protocol on the same
        // connection.
        if text.starts_with("-ERR") {
            self.server.log(now_ms, format!("Master does not support PSYNC or is in error state (reply: {text})"));
        } else {
            self.server.log(now_ms, format!("Unexpected reply to PSYNC from master: {text}"));
        }
        self.retry_with_sync(now_ms, conn);
        true
    }

    /// `Retrying with SYNC...`: an inline `SYNC`, then the payload comes
    /// without a `+FULLRESYNC` line (so no replication ID or offset: the
    /// master client is `CLIENT_PRE_PSYNC`). Observed on Redis 7.0.15 with a
    /// fake master answering PSYNC with `-ERR …`, and with a real master
    /// that has `requirepass` while the replica has no `masterauth`: PSYNC
    /// gets `-NOAUTH`, SYNC too, and the replica reconnects at once
    /// (`MASTER aborted replication with an error: …`), in a loop.
    fn retry_with_sync(&mut self, now_ms: u64, conn: ConnId) {
        self.server.log(now_ms, "Retrying with SYNC...");
        let master = self.repl.link.as_ref().map(|l| l.name()).unwrap_or_default();
        if let Some(c) = self.repl.conns.get_mut(&conn) {
            c.out.extend_from_slice(b"SYNC\r\n");
        }
        self.server.event(now_ms, NodeEventKind::HandshakeStep { master, sent: true, text: "SYNC".into() });
        if let Some(link) = &mut self.repl.link {
            link.pre_psync = true;
            link.full_sync = None;
            link.transfer = Some(Transfer { total: -1, last_io_ms: now_ms, ..Transfer::default() });
        }
        self.set_link_state(now_ms, LinkState::Transfer);
    }

    /// `+CONTINUE`: resurrect the cached master.
    fn partial_resync_accepted(&mut self, now_ms: u64, _conn: ConnId, new_id: String) {
        self.server.log(now_ms, "Successful partial resynchronization with master.");
        let cached = self.repl.cached_master.take();
        let cached_id = cached.as_ref().map(|c| c.replid.clone()).unwrap_or_default();
        let cached_db = cached.as_ref().map_or(0, |c| c.db);
        if !new_id.is_empty() && new_id != cached_id {
            self.server.log(now_ms, format!("Master replication ID changed to {new_id}"));
            let repl = &mut self.server.repl;
            repl.master_replid2 = cached_id;
            repl.second_repl_offset = repl.master_repl_offset as i64 + 1;
            repl.master_replid = new_id;
            self.disconnect_replicas(now_ms, "replid_changed");
        }
        if self.server.repl.backlog.is_none() {
            let size = self.server.config.repl_backlog_size;
            self.server.repl.create_backlog(size);
        }
        self.server.log(now_ms, "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
        let offset = self.server.repl.master_repl_offset;
        if let Some(link) = &mut self.repl.link {
            // Redis resurrects the cached master client: a transaction cut
            // short is gone, but the selected db stays (the backlog replay
            // carries no SELECT for it).
            link.start_stream(now_ms, cached_db, offset);
        }
        self.set_link_state(now_ms, LinkState::Connected);
    }

    /// RDB bytes. False when more bytes are needed.
    fn transfer_bytes(&mut self, now_ms: u64, _conn: ConnId) -> bool {
        let Some(link) = &mut self.repl.link else { return false };
        let Some(t) = &mut link.transfer else { return false };
        t.last_io_ms = now_ms;
        if !t.header_seen {
            while link.inbox.first() == Some(&b'\n') {
                link.inbox.remove(0);
            }
            let Some(line) = take_line(&mut link.inbox) else { return false };
            if line.is_empty() {
                return true;
            }
            if let Some(mark) = line.strip_prefix(b"$EOF:") {
                t.eof_mark = Some(mark.to_vec());
                t.total = -1;
                t.header_seen = true;
                self.server.log(now_ms, "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
            } else if let Some(n) =
                line.strip_prefix(b"$").and_then(|n| std::str::from_utf8(n).ok()?.parse::<i64>().ok())
            {
                t.total = n;
                t.header_seen = true;
                self.server.log(now_ms, format!("MASTER <-> REPLICA sync: receiving {n} bytes from master to disk"));
            } else if let Some(err) = line.strip_prefix(b"-") {
                let text = String::from_utf8_lossy(err).into_owned();
                self.server.log(now_ms, format!("MASTER aborted replication with an error: {text}"));
                self.cancel_handshake_and_reconnect(now_ms);
                return false;
            } else {
                let text = String::from_utf8_lossy(&line).into_owned();
                self.server.log(now_ms, format!("Bad protocol from MASTER, the first byte is not '$' (we received '{text}'), are you sure the host and port are right?"));
                self.cancel_handshake_and_reconnect(now_ms);
                return false;
            }
            return true;
        }
        let Some(link) = &mut self.repl.link else { return false };
        let Some(t) = &mut link.transfer else { return false };
        let done_at = match &t.eof_mark {
            Some(mark) => {
                let before = t.data.len();
                t.data.extend_from_slice(&link.inbox);
                link.inbox.clear();
                let from = before.saturating_sub(mark.len());
                t.data[from..].windows(mark.len()).position(|w| w == mark.as_slice()).map(|p| from + p)
            }
            None => {
                let want = (t.total.max(0) as usize).saturating_sub(t.data.len());
                let take = want.min(link.inbox.len());
                t.data.extend(link.inbox.drain(..take));
                (t.data.len() == t.total.max(0) as usize).then_some(t.data.len())
            }
        };
        let Some(end) = done_at else { return false };
        let mut rest = Vec::new();
        if t.eof_mark.is_some() {
            let mark_len = t.eof_mark.as_ref().map_or(0, |m| m.len());
            rest = t.data.split_off(end + mark_len);
            t.data.truncate(end);
        }
        let eof = t.eof_mark.is_some();
        let data = std::mem::take(&mut t.data);
        link.inbox.splice(0..0, rest);
        link.transfer = None;
        self.load_transferred_rdb(now_ms, data, eof);
        true
    }

    /// The RDB is complete: `replicationAttachToNewMaster`, flush, load.
    fn load_transferred_rdb(&mut self, now_ms: u64, data: Vec<u8>, eof: bool) {
        let Some(link) = self.repl.link.as_mut() else { return };
        // After a SYNC fallback there was no `+FULLRESYNC`: Redis keeps an
        // empty replication ID (and counts offsets from -1, which this
        // unsigned offset cannot show: from 0 here).
        let Some((replid, offset)) = link.full_sync.take().or_else(|| link.pre_psync.then(|| (String::new(), 0)))
        else {
            return;
        };
        self.discard_cached_master(now_ms);
        self.disconnect_replicas(now_ms, "full_resync");
        self.server.repl.backlog = None;
        self.server.log(now_ms, "MASTER <-> REPLICA sync: Flushing old data");
        self.server.log(now_ms, "MASTER <-> REPLICA sync: Loading DB in memory");
        match super::persistence::load_rdb_into(&mut self.server, now_ms, &data, false) {
            Ok(keys) => {
                self.repl.rdb_file = Some(data.clone());
                let repl = &mut self.server.repl;
                repl.master_replid = replid.clone();
                repl.master_repl_offset = offset;
                repl.master_replid2 = NULL_REPLID.into();
                repl.second_repl_offset = -1;
                let size = self.server.config.repl_backlog_size;
                self.server.repl.create_backlog(size);
                self.repl.seen_first_byte = Some(offset + 1);
                self.server
                    .event(now_ms, NodeEventKind::SnapshotLoaded { keys, bytes: data.len() as u64, replid, offset });
                self.server.log(now_ms, "MASTER <-> REPLICA sync: Finished with success");
                // The stream continues in the db the snapshot names
                // (`repl-stream-db`): a master re-SELECTs after a full
                // sync, but a replica serving a sub-replica proxies its
                // master's stream verbatim.
                let stream_db = crate::rdb::decode(&data)
                    .ok()
                    .and_then(|s| s.repl_stream_db())
                    .and_then(|db| usize::try_from(db).ok())
                    .filter(|&db| db < self.server.keyspace.count())
                    .unwrap_or(0);
                if let Some(link) = &mut self.repl.link {
                    link.start_stream(now_ms, stream_db, offset);
                }
                self.set_link_state(now_ms, LinkState::Connected);
                if eof {
                    self.send_ack(now_ms);
                }
            }
            Err(e) => {
                self.server.log(now_ms, format!("Failed trying to load the MASTER synchronization DB from disk: {e}"));
                self.cancel_handshake_and_reconnect(now_ms);
            }
        }
    }

    /// `cancelReplicationHandshake`: close, back to CONNECT (retry at the
    /// next replicationCron).
    pub(crate) fn cancel_handshake(&mut self, now_ms: u64) {
        let Some(link) = &mut self.repl.link else { return };
        if let Some(conn) = link.conn.take() {
            self.repl.conns.remove(&conn);
            self.repl.actions.push_back(Action::Close { conn });
        }
        link.transfer = None;
        link.full_sync = None;
        link.inbox.clear();
        link.expect.clear();
        self.set_link_state(now_ms, LinkState::Connect);
    }

    /// `cancelReplicationHandshake(1)`: the failures of the transfer itself
    /// (an error or bad first line instead of the payload, a lost
    /// connection, a timeout, an RDB that does not load) and handshake
    /// timeouts reconnect at once instead of at the next replicationCron.
    /// Observed on Redis 7.0.15 with fake masters.
    pub(crate) fn cancel_handshake_and_reconnect(&mut self, now_ms: u64) {
        self.cancel_handshake(now_ms);
        let Some(link) = &self.repl.link else { return };
        let name = link.name();
        self.server.log(now_ms, format!("Reconnecting to MASTER {name} after failure"));
        self.connect_to_master(now_ms);
    }

    /// Stream bytes: run each complete command as the master client,
    /// advance the offset, and proxy the bytes to our own backlog.
    ///
    /// Commands are parsed by offset straight out of `bytes` (or out of
    /// the inbox when a command started in an earlier segment) into the
    /// link's reused argv ([`parse_command`]): no copy of the bytes and no
    /// allocation per command. Anything that is not a plain array of bulk
    /// strings goes through the [`FrameParser`], which then holds the
    /// stream until it has returned everything it was fed.
    fn stream_bytes(&mut self, now_ms: u64, conn: ConnId, bytes: &[u8]) {
        let Some(link) = &mut self.repl.link else { return };
        link.read_reploff += bytes.len() as u64;
        self.server.stats.total_net_repl_input_bytes += bytes.len() as u64;
        // Taken out while commands run (they need `&mut self`), put back
        // at the end if the link is still this one.
        let mut inbox = std::mem::take(&mut link.inbox);
        let mut argv = std::mem::take(&mut link.stream_argv);
        // A frame parser that is not idle has seen the whole inbox.
        let mut fed_from = inbox.len();
        let data: &[u8] = if inbox.is_empty() {
            bytes
        } else {
            inbox.extend_from_slice(bytes);
            &inbox
        };
        let mut pos = 0;
        let mut failed = false;
        while pos < data.len() {
            let Some(link) = &mut self.repl.link else { return };
            if link.conn != Some(conn) || link.state != LinkState::Connected {
                return;
            }
            if link.parser.is_idle() {
                match parse_command(&data[pos..], &mut argv) {
                    Parsed::Command(len) => {
                        self.apply_master_command(now_ms, conn, argv.as_slice(), &data[pos..pos + len]);
                        pos += len;
                        continue;
                    }
                    Parsed::Incomplete => break,
                    Parsed::Other => fed_from = pos,
                }
            }
            // The frame parser's turn: give it what it has not seen yet.
            let Some(link) = &mut self.repl.link else { return };
            link.parser.feed(&data[fed_from..]);
            fed_from = data.len();
            let (frame, len) = match link.parser.next_frame_with_len() {
                Ok(Some(x)) => x,
                Ok(None) => break,
                Err(e) => {
                    self.server.log(now_ms, format!("Protocol error from MASTER: {}", e.0));
                    failed = true;
                    break;
                }
            };
            let end = pos + len.min(data.len() - pos);
            let raw = &data[pos..end];
            pos = end;
            let Frame::Array(items) = frame else { continue };
            let items: Vec<Vec<u8>> = items
                .into_iter()
                .map(|f| match f {
                    Frame::Bulk(b) => b,
                    Frame::Simple(s) => s.into_owned().into_bytes(),
                    Frame::Integer(i) => i.to_string().into_bytes(),
                    _ => Vec::new(),
                })
                .collect();
            self.apply_master_command(now_ms, conn, &items, raw);
        }
        if failed {
            self.drop_master_link(now_ms, true);
            return;
        }
        // Still the same link (it was not dropped or replaced meanwhile):
        // keep what has not been applied yet.
        let Some(link) = &mut self.repl.link else { return };
        if link.conn == Some(conn) && link.state == LinkState::Connected && link.inbox.is_empty() {
            let rest = data.len() - pos;
            if inbox.is_empty() {
                inbox.extend_from_slice(&bytes[pos..]);
            } else {
                inbox.drain(..inbox.len() - rest);
            }
            link.inbox = inbox;
            link.stream_argv = argv;
        }
    }

    fn apply_master_command(&mut self, now_ms: u64, conn: ConnId, argv: &[Vec<u8>], raw: &[u8]) {
        let is_getack =
            argv.len() >= 2 && argv[0].eq_ignore_ascii_case(b"REPLCONF") && argv[1].eq_ignore_ascii_case(b"GETACK");
        let summary = argv_summary_text(argv);
        if is_getack {
            self.send_ack(now_ms);
        } else if !argv.is_empty() {
            let Some(link) = &mut self.repl.link else { return };
            let mut client = std::mem::take(&mut link.master_client);
            self.server.executing_master_stream = true;
            let _ = dispatch::process_command(&mut self.server, &mut client, now_ms, argv);
            self.server.executing_master_stream = false;
            if let Some(link) = &mut self.repl.link {
                link.master_client = client;
            }
        }
        let Some(link) = &mut self.repl.link else { return };
        if link.conn != Some(conn) {
            return;
        }
        let in_multi = link.master_client.multi.is_some();
        if in_multi || !link.multi_pending.is_empty() {
            link.multi_pending.extend_from_slice(raw);
            if in_multi {
                return;
            }
        }
        // Outside a MULTI the command's own bytes are the applied unit.
        let pending = std::mem::take(&mut link.multi_pending);
        let applied: &[u8] = if pending.is_empty() { raw } else { &pending };
        let offset = self.server.repl.master_repl_offset + 1;
        self.server.repl.master_repl_offset += applied.len() as u64;
        if let Some(b) = &mut self.server.repl.backlog {
            b.append_raw(applied);
        }
        self.server.event(now_ms, NodeEventKind::StreamApplied { offset, len: applied.len() as u64, cmd: summary });
    }

    /// `replicationSendAck`: `REPLCONF ACK <offset>`.
    pub(crate) fn send_ack(&mut self, _now_ms: u64) {
        let Some(link) = &self.repl.link else { return };
        let Some(conn) = link.conn else { return };
        let offset = self.server.repl.master_repl_offset;
        if let Some(c) = self.repl.conns.get_mut(&conn) {
            encode_command(&[b"REPLCONF".to_vec(), b"ACK".to_vec(), offset.to_string().into_bytes()], &mut c.out);
        }
    }

    /// The replica half of `replicationCron`.
    pub(crate) fn replica_cron(&mut self, now_ms: u64) {
        let Some(link) = &self.repl.link else { return };
        let timeout = self.server.config.repl_timeout as i64;
        let idle = secs_between(link.last_io_ms, now_ms);
        match link.state {
            LinkState::Connecting | LinkState::ReceivePong | LinkState::ReceiveHandshake | LinkState::ReceivePsync
                if idle > timeout =>
            {
                self.server.log(now_ms, "Timeout connecting to the MASTER...");
                self.cancel_handshake_and_reconnect(now_ms);
            }
            LinkState::Transfer if idle > timeout => {
                self.server.log(now_ms, "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
                self.cancel_handshake_and_reconnect(now_ms);
            }
            LinkState::Connected if idle > timeout => {
                self.server.log(now_ms, "MASTER timeout: no data nor PING received...");
                self.drop_master_link(now_ms, true);
            }
            _ => {}
        }
        let Some(link) = &self.repl.link else { return };
        if link.state == LinkState::Connect {
            let name = link.name();
            self.server.log(now_ms, format!("Connecting to MASTER {name}"));
            self.connect_to_master(now_ms);
        }
        if self.repl.link.as_ref().is_some_and(|l| l.state == LinkState::Connected && !l.pre_psync) {
            self.send_ack(now_ms);
        }
    }

    /// `INFO replication`'s view of the link, and MASTERDOWN's flag.
    pub(crate) fn refresh_replica_views(&mut self) {
        // No link: a master (its link info was cleared when it stopped
        // following one), or a role set by hand in tests.
        let Some(link) = &self.repl.link else { return };
        let up = link.state == LinkState::Connected;
        // Down, INFO shows the cached master's offsets, or 1 when there is
        // none (a replica that never synced: observed on 7.0.15).
        let (read, applied) = match (&self.repl.cached_master, up) {
            (_, true) => (link.read_reploff as i64, self.server.repl.master_repl_offset as i64),
            (Some(_), false) => {
                (self.server.repl.master_repl_offset as i64, self.server.repl.master_repl_offset as i64)
            }
            (None, false) => (1, 1),
        };
        self.server.link_state = link.state.role_name();
        self.server.master_link_up = up;
        self.server.replica_link_info = Some(ReplicaLinkInfo {
            link_up: up,
            last_io_ms: link.last_io_ms,
            transfer: link.transfer.as_ref().filter(|t| t.header_seen || link.state == LinkState::Transfer).map(|t| {
                SyncTransferInfo { total_bytes: t.total, read_bytes: t.data.len() as i64, last_io_ms: t.last_io_ms }
            }),
            read_repl_offset: read,
            repl_offset: applied,
            link_down_since_ms: link.down_since_ms,
        });
    }
}

/// A `\r\n`- or `\n`-terminated line from the front of `buf` (without the
/// terminator), if complete.
fn take_line(buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    let nl = buf.iter().position(|&b| b == b'\n')?;
    let mut line: Vec<u8> = buf.drain(..=nl).collect();
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Some(line)
}

/// The master client: authenticated, db 0 until the stream's SELECT.
fn master_client_state() -> ClientState {
    ClientState { authenticated: true, ..ClientState::default() }
}
