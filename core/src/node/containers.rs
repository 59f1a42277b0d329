//! Container commands (`CONFIG GET`, `CLIENT LIST`, …): Redis 7.0 looks the
//! subcommand up in `processCommand`, so an unknown subcommand or a wrong
//! subcommand arity is rejected *before* the command runs — which matters
//! inside MULTI, where such a rejection aborts the whole transaction
//! instead of becoming one error inside EXEC's reply.
//!
//! The table below is `COMMAND INFO` of a real Redis 7.0.15 (name, arity,
//! and the flags dispatch cares about). A container only takes effect if
//! the command table has the container itself; its handler then receives
//! the whole argv and dispatches on `argv[1]`.

use crate::commands::flags;

/// One subcommand of a container.
pub struct Subcommand {
    /// Lowercase, as in `config|get`.
    pub name: &'static str,
    /// Redis arity, counting the container name and the subcommand.
    pub arity: i32,
    pub flags: u32,
}

/// A container command and its subcommands.
pub struct Container {
    pub name: &'static str,
    pub subcommands: &'static [Subcommand],
}

impl Container {
    /// Finds a subcommand case-insensitively.
    pub fn subcommand(&self, name: &[u8]) -> Option<&'static Subcommand> {
        self.subcommands.iter().find(|s| s.name.as_bytes().eq_ignore_ascii_case(name))
    }
}

/// Finds a container by (case-insensitive) name.
pub fn container(name: &[u8]) -> Option<&'static Container> {
    CONTAINERS.iter().find(|c| c.name.as_bytes().eq_ignore_ascii_case(name))
}

/// Redis 7.0.15's containers that ReplScope may implement.
pub static CONTAINERS: &[Container] = &[
    Container {
        name: "acl",
        subcommands: &[
            Subcommand { name: "cat", arity: -2, flags: flags::STALE },
            Subcommand { name: "deluser", arity: -3, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "dryrun", arity: -4, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "genpass", arity: -2, flags: flags::STALE },
            Subcommand { name: "getuser", arity: 3, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "help", arity: 2, flags: flags::STALE },
            Subcommand { name: "list", arity: 2, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "load", arity: 2, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "log", arity: -2, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "save", arity: 2, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "setuser", arity: -3, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "users", arity: 2, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "whoami", arity: 2, flags: flags::STALE },
        ],
    },
    Container {
        name: "client",
        subcommands: &[
            Subcommand { name: "caching", arity: 3, flags: flags::STALE },
            Subcommand { name: "getname", arity: 2, flags: flags::STALE },
            Subcommand { name: "getredir", arity: 2, flags: flags::STALE },
            Subcommand { name: "help", arity: 2, flags: flags::STALE },
            Subcommand { name: "id", arity: 2, flags: flags::STALE },
            Subcommand { name: "info", arity: 2, flags: flags::STALE },
            Subcommand { name: "kill", arity: -3, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "list", arity: -2, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "no-evict", arity: 3, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "pause", arity: -3, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "reply", arity: 3, flags: flags::STALE },
            Subcommand { name: "setname", arity: 3, flags: flags::STALE },
            Subcommand { name: "tracking", arity: -3, flags: flags::STALE },
            Subcommand { name: "trackinginfo", arity: 2, flags: flags::STALE },
            Subcommand { name: "unblock", arity: -3, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "unpause", arity: 2, flags: flags::STALE | flags::ADMIN },
        ],
    },
    Container {
        name: "command",
        subcommands: &[
            Subcommand { name: "count", arity: 2, flags: flags::STALE },
            Subcommand { name: "docs", arity: -2, flags: flags::STALE },
            Subcommand { name: "getkeys", arity: -4, flags: flags::STALE },
            Subcommand { name: "getkeysandflags", arity: -4, flags: flags::STALE },
            Subcommand { name: "help", arity: 2, flags: flags::STALE },
            Subcommand { name: "info", arity: -2, flags: flags::STALE },
            Subcommand { name: "list", arity: -2, flags: flags::STALE },
        ],
    },
    Container {
        name: "config",
        subcommands: &[
            Subcommand { name: "get", arity: -3, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "help", arity: 2, flags: flags::STALE },
            Subcommand { name: "resetstat", arity: 2, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "rewrite", arity: 2, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "set", arity: -4, flags: flags::STALE | flags::ADMIN },
        ],
    },
    Container {
        name: "latency",
        subcommands: &[
            Subcommand { name: "doctor", arity: 2, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "graph", arity: 3, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "help", arity: 2, flags: flags::STALE },
            Subcommand { name: "histogram", arity: -2, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "history", arity: 3, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "latest", arity: 2, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "reset", arity: -2, flags: flags::STALE | flags::ADMIN },
        ],
    },
    Container {
        name: "memory",
        subcommands: &[
            Subcommand { name: "doctor", arity: 2, flags: 0 },
            Subcommand { name: "help", arity: 2, flags: flags::STALE },
            Subcommand { name: "malloc-stats", arity: 2, flags: 0 },
            Subcommand { name: "purge", arity: 2, flags: 0 },
            Subcommand { name: "stats", arity: 2, flags: 0 },
            Subcommand { name: "usage", arity: -3, flags: flags::READONLY },
        ],
    },
    Container {
        name: "object",
        subcommands: &[
            Subcommand { name: "encoding", arity: 3, flags: flags::READONLY },
            Subcommand { name: "freq", arity: 3, flags: flags::READONLY },
            Subcommand { name: "help", arity: 2, flags: flags::STALE },
            Subcommand { name: "idletime", arity: 3, flags: flags::READONLY },
            Subcommand { name: "refcount", arity: 3, flags: flags::READONLY },
        ],
    },
    Container {
        name: "pubsub",
        subcommands: &[
            Subcommand { name: "channels", arity: -2, flags: flags::STALE },
            Subcommand { name: "help", arity: 2, flags: flags::STALE },
            Subcommand { name: "numpat", arity: 2, flags: flags::STALE },
            Subcommand { name: "numsub", arity: -2, flags: flags::STALE },
            Subcommand { name: "shardchannels", arity: -2, flags: flags::STALE },
            Subcommand { name: "shardnumsub", arity: -2, flags: flags::STALE },
        ],
    },
    Container {
        name: "script",
        subcommands: &[
            Subcommand { name: "debug", arity: 3, flags: 0 },
            Subcommand { name: "exists", arity: -3, flags: 0 },
            Subcommand { name: "flush", arity: -2, flags: 0 },
            Subcommand { name: "help", arity: 2, flags: flags::STALE },
            Subcommand { name: "kill", arity: 2, flags: 0 },
            Subcommand { name: "load", arity: 3, flags: flags::STALE },
        ],
    },
    Container {
        name: "slowlog",
        subcommands: &[
            Subcommand { name: "get", arity: -2, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "help", arity: 2, flags: flags::STALE },
            Subcommand { name: "len", arity: 2, flags: flags::STALE | flags::ADMIN },
            Subcommand { name: "reset", arity: 2, flags: flags::STALE | flags::ADMIN },
        ],
    },
];
