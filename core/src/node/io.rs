//! The node's sans-IO surface toward the network: connections in, actions
//! and bytes out, timers, events. See [`crate::net`] for the vocabulary.
//!
//! CONTRACT between the replication layer (which implements these) and the
//! simulator (which calls them). The simulator:
//! - calls [`Node::handle_timeout`] when `now >= poll_timeout()`;
//! - after ANY call into a node, drains [`Node::poll_action`] and
//!   [`Node::poll_event`], and pulls bytes with [`Node::take_output`] for
//!   every connection in [`Node::connections_with_output`], as much as each
//!   link can take;
//! - answers every `Action::Connect` with `on_connected` or
//!   `on_connect_failed` (a refused connect answers after one round trip; a
//!   silent partition never answers: the node's own timeout handles it);
//! - reports peer closes with `on_closed`, and incoming connections with
//!   `on_accept`.
//!
//! Every entry point ends with [`Node::after_call`], Redis's `beforeSleep`:
//! stream bookkeeping, `REPLCONF GETACK` for blocked WAITs, output-buffer
//! limits, and the INFO views.

use super::{ClientId, Node, dispatch};
use crate::events::{NodeEvent, NodeEventKind};
use crate::net::{Action, Addr, ConnId, ConnectError};
use crate::replication::{Conn, ConnRole};
use crate::resp::Frame;
use crate::server::ReplRequest;

/// The outcome of a client command that may block (WAIT).
#[derive(Clone, Debug, PartialEq)]
pub enum CommandOutcome {
    /// The reply is ready.
    Reply(Frame),
    /// The client is blocked; its reply comes later from
    /// [`Node::poll_unblocked`].
    Blocked,
}

impl Node {
    /// A connection from `peer` to this node's port was accepted.
    pub fn on_accept(&mut self, now_ms: u64, peer: Addr) -> ConnId {
        let id = ConnId(self.next_conn_id);
        self.next_conn_id += 1;
        self.server.stats.total_connections_received += 1;
        self.repl.conns.insert(id, Conn::new(peer, ConnRole::Client, now_ms));
        self.after_call(now_ms);
        id
    }

    /// An outgoing connection this node asked for is open.
    pub fn on_connected(&mut self, now_ms: u64, conn: ConnId) {
        self.master_connected(now_ms, conn);
        self.after_call(now_ms);
    }

    /// An outgoing connection this node asked for failed.
    pub fn on_connect_failed(&mut self, now_ms: u64, conn: ConnId, err: ConnectError) {
        self.master_connect_failed(now_ms, conn, err);
        self.after_call(now_ms);
    }

    /// Bytes arrived on `conn`.
    pub fn on_bytes(&mut self, now_ms: u64, conn: ConnId, bytes: &[u8]) {
        let Some(c) = self.repl.conns.get_mut(&conn) else { return };
        c.last_interaction_ms = now_ms;
        self.server.stats.total_net_input_bytes += bytes.len() as u64;
        if matches!(c.role, ConnRole::MasterLink) {
            self.master_bytes(now_ms, conn, bytes);
        } else {
            self.client_conn_bytes(now_ms, conn, bytes);
        }
        self.after_call(now_ms);
    }

    /// Requests on an accepted connection: the replica protocol (REPLCONF,
    /// PSYNC, SYNC) is served here; everything else runs as a command.
    fn client_conn_bytes(&mut self, now_ms: u64, id: ConnId, bytes: &[u8]) {
        let Some(c) = self.repl.conns.get_mut(&id) else { return };
        c.parser.feed(bytes);
        loop {
            let Some(c) = self.repl.conns.get_mut(&id) else { return };
            c.parser.set_max_bulk_len(self.server.config.proto_max_bulk_len_i64());
            let argv = match c.parser.next_request() {
                Ok(Some(argv)) => argv,
                Ok(None) => return,
                Err(e) => {
                    Frame::Error(e.0).encode_into(&mut c.out);
                    self.repl.actions.push_back(Action::Close { conn: id });
                    return;
                }
            };
            if argv.is_empty() {
                continue;
            }
            let is_replica = c.replica().is_some();
            let authed = self.server.config.requirepass.is_none() || c.client.authenticated;
            let repl_cmd = argv[0].eq_ignore_ascii_case(b"replconf")
                || argv[0].eq_ignore_ascii_case(b"psync")
                || argv[0].eq_ignore_ascii_case(b"sync");
            if repl_cmd && authed {
                if let Some(Some(reply)) = self.replica_command(now_ms, id, &argv)
                    && let Some(c) = self.repl.conns.get_mut(&id)
                {
                    reply.encode_into(&mut c.out);
                }
                continue;
            }
            if is_replica {
                // A replica only talks REPLCONF to its master.
                continue;
            }
            let mut client = std::mem::take(&mut c.client);
            let processed = dispatch::process_command(&mut self.server, &mut client, now_ms, &argv);
            self.apply_repl_requests(now_ms, None, false);
            let Some(c) = self.repl.conns.get_mut(&id) else { return };
            c.client = client;
            processed.reply.encode_into(&mut c.out);
            c.parser.recycle(argv);
            if processed.close {
                self.repl.actions.push_back(Action::Close { conn: id });
                return;
            }
        }
    }

    /// The peer closed or reset `conn`.
    pub fn on_closed(&mut self, now_ms: u64, conn: ConnId) {
        let Some(c) = self.repl.conns.get(&conn) else { return };
        match &c.role {
            ConnRole::MasterLink => {
                let state = self.repl.link.as_ref().map(|l| l.state);
                // Already gone: no Close action for it.
                self.repl.conns.remove(&conn);
                use crate::replication::replica::LinkState;
                match state {
                    Some(LinkState::Connected) => self.drop_master_link(now_ms, true),
                    Some(LinkState::Transfer) => {
                        self.server.log(now_ms, "I/O error trying to sync with MASTER: connection lost");
                        self.cancel_handshake_and_reconnect(now_ms);
                    }
                    Some(_) => {
                        self.server.log(now_ms, "Failed to read response from the server: Connection reset by peer");
                        self.cancel_handshake(now_ms);
                    }
                    None => {}
                }
            }
            ConnRole::Replica(_) => {
                self.free_replica(now_ms, conn, "closed");
            }
            ConnRole::Client => {
                self.repl.conns.remove(&conn);
            }
        }
        self.after_call(now_ms);
    }

    /// The next thing the node asks the environment to do.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.repl.actions.pop_front()
    }

    /// Connections whose output buffer holds bytes, in id order.
    pub fn connections_with_output(&self) -> Vec<ConnId> {
        self.repl.conns.iter().filter(|(_, c)| self.replica_pending_output(c) > 0).map(|(id, _)| *id).collect()
    }

    /// Bytes waiting in `conn`'s output buffer: replies, the snapshot still
    /// to send, and stream bytes not yet taken. (The limit check itself
    /// uses Redis's block-based measure, see
    /// [`crate::backlog::ReplicationBacklog::replica_buffer_usage`].)
    pub fn output_len(&self, conn: ConnId) -> usize {
        self.repl.conns.get(&conn).map_or(0, |c| self.replica_pending_output(c))
    }

    /// Takes up to `max` bytes from `conn`'s output buffer, to put on the wire.
    pub fn take_output(&mut self, conn: ConnId, max: usize) -> Vec<u8> {
        let now_ms = self.last_now_ms();
        let out = self.take_replica_output(now_ms, conn, max);
        self.server.stats.total_net_output_bytes += out.len() as u64;
        out
    }

    /// The next virtual time at which the node has timed work to do
    /// (serverCron at `hz`, replicationCron every second).
    pub fn poll_timeout(&self) -> Option<u64> {
        Some(self.repl.next_server_cron_ms.min(self.repl.next_repl_cron_ms))
    }

    /// Runs timed work due at `now_ms`.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        let start = self.server.start_ms;
        if now_ms >= self.repl.next_server_cron_ms {
            if !self.server.is_replica() {
                self.cron(now_ms);
            }
            self.master_server_cron(now_ms);
            let period = 1000 / u64::from(self.server.config.hz.max(1));
            self.repl.next_server_cron_ms = next_tick(start, period, now_ms);
        }
        if now_ms >= self.repl.next_repl_cron_ms {
            self.replica_cron(now_ms);
            self.master_cron(now_ms);
            self.repl.cron_loops += 1;
            self.repl.next_repl_cron_ms = next_tick(start, 1000, now_ms);
        }
        self.after_call(now_ms);
    }

    /// The next event the node reports (for the UI, the CLI and tests).
    pub fn poll_event(&mut self) -> Option<NodeEvent> {
        self.server.events.pop_front()
    }

    /// Runs a client command that may block (WAIT).
    pub fn command(&mut self, now_ms: u64, client: ClientId, argv: Vec<Vec<u8>>) -> CommandOutcome {
        self.run_client_command(now_ms, client, argv, true)
    }

    /// A blocked client's reply, once it is ready.
    pub fn poll_unblocked(&mut self) -> Option<(ClientId, Frame)> {
        self.repl.unblocked.pop_front()
    }

    /// The RDB file this node would load on restart (its last SAVE/BGSAVE,
    /// the disk-based snapshot it made for a replica, or the snapshot a
    /// replica received during its last full sync).
    pub fn rdb_file(&self) -> Option<&[u8]> {
        self.repl.rdb_file.as_deref()
    }

    /// Carries out what replication commands asked for. True if the client
    /// is now blocked in WAIT.
    pub(crate) fn apply_repl_requests(&mut self, now_ms: u64, client: Option<ClientId>, can_block: bool) -> bool {
        let mut blocked = false;
        for request in std::mem::take(&mut self.server.repl_requests) {
            let user = self.client_info_for_log(client);
            match request {
                ReplRequest::ReplicaOf { host, port } => self.set_master(now_ms, host, port, &user),
                ReplRequest::NoOne => self.unset_master(now_ms, &user),
                ReplRequest::Save { background } => self.save_rdb(now_ms, background),
                ReplRequest::Wait { numreplicas, timeout_ms } => {
                    if let (Some(client), true) = (client, can_block) {
                        self.block_wait(now_ms, client, numreplicas, timeout_ms);
                        blocked = true;
                    }
                }
            }
        }
        blocked
    }

    /// The client description Redis puts in `… (user request from '…')`.
    fn client_info_for_log(&self, client: Option<ClientId>) -> String {
        let id = client.map_or(0, |c| c.0);
        format!(
            "id={id} addr=client:0 laddr={}:{} fd=8 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=replicaof user=default redir=-1 resp=2",
            self.server.name, self.server.config.port
        )
    }

    /// `disconnectAllBlockedClients`: WAIT clients of a master that becomes
    /// a replica.
    pub(crate) fn unblock_waiters_on_role_change(&mut self, now_ms: u64) {
        for w in std::mem::take(&mut self.repl.waiting) {
            let err = "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)";
            self.repl.unblocked.push_back((w.client, Frame::error(err)));
            self.server.event(now_ms, NodeEventKind::ErrorReply { error: err.into() });
        }
    }

    /// Redis's `beforeSleep`, run at the end of every entry point.
    pub(crate) fn after_call(&mut self, now_ms: u64) {
        self.repl.last_now_ms = now_ms;
        if let Some(b) = &mut self.server.repl.backlog
            && b.size() != self.server.config.repl_backlog_size.max(crate::backlog::MIN_BACKLOG_SIZE)
        {
            b.resize(self.server.config.repl_backlog_size);
        }
        self.feed_getack_if_requested();
        for fed in std::mem::take(&mut self.server.repl.fed) {
            self.server.event(now_ms, NodeEventKind::StreamFed { offset: fed.offset, len: fed.len, cmd: fed.summary });
        }
        if !self.repl.conns.is_empty() {
            self.server.repl.outgoing.clear();
        }
        self.check_output_buffer_limits(now_ms);
        self.process_waits(now_ms);
        if let Some(b) = &self.server.repl.backlog {
            let first = b.first_byte_offset();
            if self.repl.seen_first_byte.is_some_and(|seen| first > seen) {
                let histlen = b.histlen();
                self.server.event(now_ms, NodeEventKind::BacklogTrimmed { first_byte_offset: first, histlen });
            }
            self.repl.seen_first_byte = Some(first);
        }
        self.refresh_views(now_ms);
    }

    /// `INFO replication` / `ROLE` views kept in [`crate::server::Server`].
    pub(crate) fn refresh_views(&mut self, _now_ms: u64) {
        self.refresh_replica_views();
        self.server.replicas_info = self
            .repl
            .conns
            .values()
            .filter_map(|c| {
                let r = c.replica()?;
                Some(crate::info::ConnectedReplicaInfo {
                    ip: c.peer.host.clone(),
                    port: r.listening_port.unwrap_or(0),
                    state: r.state.info_name(),
                    offset: r.ack_off,
                    last_ack_ms: r.ack_time_ms,
                })
            })
            .collect();
    }

    fn last_now_ms(&self) -> u64 {
        self.repl.last_now_ms
    }
}

/// The first tick of a timer running every `period` ms since `start` that
/// comes after `now`.
fn next_tick(start: u64, period: u64, now: u64) -> u64 {
    let period = period.max(1);
    if now < start {
        return start;
    }
    start + ((now - start) / period + 1) * period
}
