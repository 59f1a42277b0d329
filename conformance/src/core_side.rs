//! The core side: a `replscope_core::node::Node` fed the same commands as the
//! real server, with the real server's clock.

use replscope_core::config::Config;
use replscope_core::node::{ClientId, Node};
use replscope_core::resp::Frame;

/// The size of the backlog created when "a replica attaches" (Redis's
/// default `repl-backlog-size`, 1mb).
pub const BACKLOG_SIZE: u64 = 1 << 20;

/// Seed of the core's RNG. Fixed so a run is reproducible; cases never
/// depend on random choices (see `normalize`).
pub const SEED: u64 = 0x5eed;

/// A core node set up like the real server of a case.
pub struct CoreSide {
    pub node: Node,
    /// The connection case commands run on (the real side has one too).
    pub client: ClientId,
}

impl CoreSide {
    /// A fresh master with the harness configuration, whose first replica
    /// has just attached: the backlog exists, the offset is 0 and the stream
    /// db is unknown, exactly like a fresh redis-server right after our raw
    /// replica's full sync.
    pub fn new(now_ms: u64, real_port: u16) -> CoreSide {
        let mut node = Node::new("conformance", harness_config(real_port), SEED, now_ms);
        node.server.repl.create_backlog(BACKLOG_SIZE);
        CoreSide { node, client: ClientId(1) }
    }

    /// Runs one command at `now_ms`; returns the reply and the stream bytes
    /// that command fed to replicas.
    pub fn execute(&mut self, now_ms: u64, argv: &[Vec<u8>]) -> (Frame, Vec<u8>) {
        let reply = self.node.execute(now_ms, self.client, argv.to_vec());
        (reply, self.take_stream())
    }

    /// Bytes fed to replicas since the last call. (One function, so a later
    /// replication layer with its own outgoing queue is a one-line change.)
    pub fn take_stream(&mut self) -> Vec<u8> {
        self.node.server.repl.take_outgoing()
    }
}

/// [`crate::real::HARNESS_CONFIG`] applied to the core's `Config`, plus the
/// real server's port so `CONFIG GET port` agrees.
pub fn harness_config(real_port: u16) -> Config {
    Config {
        port: real_port,
        save: String::new(),
        appendonly: false,
        repl_diskless_sync: true,
        repl_diskless_sync_delay: 0,
        repl_ping_replica_period: 2_147_483_647,
        ..Config::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_every_harness_setting() {
        // If HARNESS_CONFIG grows, harness_config must follow.
        let names: Vec<&str> = crate::real::HARNESS_CONFIG.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            ["save", "appendonly", "repl-diskless-sync", "repl-diskless-sync-delay", "repl-ping-replica-period"]
        );
        let c = harness_config(1234);
        assert_eq!((c.port, c.repl_diskless_sync_delay, c.repl_ping_replica_period), (1234, 0, 2_147_483_647));
    }
}
