//! The `INFO` command's text, section by section, with Redis 7.0.15's field
//! names, order and line endings.
//!
//! Layout (observed on Redis 7.0.15): each section is `# Name\r\n` followed
//! by `field:value\r\n` lines; sections are separated by one empty line
//! (`\r\n`); there is nothing after the last section's last line. A section
//! with no fields (`# Keyspace` on an empty server) is just its header.
//! Unknown section names are ignored; if nothing is left the reply is an
//! empty bulk string. Several names may be given (Redis 7.0); sections
//! always come out in Redis's fixed order, never in argument order.
//!
//! Values come from the simulated node where ReplScope tracks them
//! (replication, keyspace, the counters in [`Stats`], uptime from the
//! virtual clock, `tcp_port` and `hz` from the config). Everything a
//! simulation cannot know (memory, CPU, OS, process id, build id) is a
//! fixed, plausible value taken from a fresh Redis 7.0.15 on Debian 12; the
//! `run_id` and `process_id` are derived from the node's name and start
//! time so they are stable and differ between nodes. `Commandstats`,
//! `Latencystats` and `Errorstats` are present (under `all`/`default`) but
//! empty: ReplScope does not time commands or count errors per type.
//! `connected_clients` is 1 (the client asking), because the node does not
//! count connections yet.
//!
//! `avg_ttl` in `# Keyspace` is the exact mean remaining TTL (ms) of the
//! db's volatile keys; Redis keeps a sampled running estimate updated by its
//! active-expire cycle, so the two differ by some percent.

use crate::server::{Role, Server, Stats};

/// The replica side of replication, as `INFO replication` shows it on a
/// replica. The replication layer keeps this up to date in
/// [`Server::replica_link_info`]; times are virtual unix ms, turned into
/// "seconds ago" at render time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplicaLinkInfo {
    /// `master_link_status:up` (connected and synced) or `down`.
    pub link_up: bool,
    /// Last time bytes came from the master (`master_last_io_seconds_ago`,
    /// shown only while the link is up; `-1` otherwise).
    pub last_io_ms: u64,
    /// The RDB transfer in progress (`master_sync_in_progress:1`), if any.
    pub transfer: Option<SyncTransferInfo>,
    /// `slave_read_repl_offset`: stream bytes read from the master.
    pub read_repl_offset: i64,
    /// `slave_repl_offset`: stream bytes applied.
    pub repl_offset: i64,
    /// When the link went down (`master_link_down_since_seconds`, shown
    /// while it is not up); `None` shows `-1`, as Redis does for a replica
    /// that was never connected.
    pub link_down_since_ms: Option<u64>,
}

/// An RDB transfer a replica is receiving.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncTransferInfo {
    /// Size announced by the master; `-1` for a diskless (`$EOF:`) transfer.
    pub total_bytes: i64,
    pub read_bytes: i64,
    /// Last time transfer bytes arrived.
    pub last_io_ms: u64,
}

/// One replica as its master lists it (`slaveN:` lines of
/// `INFO replication`). Kept in [`Server::replicas_info`] by the
/// replication layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectedReplicaInfo {
    pub ip: String,
    /// The port the replica announced with `REPLCONF listening-port`.
    pub port: u16,
    /// Redis's words: `wait_bgsave`, `send_bulk` or `online`.
    pub state: &'static str,
    /// The last offset the replica acknowledged.
    pub offset: u64,
    /// When the last `REPLCONF ACK` arrived (for `lag`).
    pub last_ack_ms: u64,
}

/// Every section, in the order Redis prints them.
const SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "commandstats",
    "errorstats",
    "latencystats",
    "cluster",
    "keyspace",
];

/// Sections left out of `INFO` / `INFO default`.
const NOT_DEFAULT: &[&str] = &["commandstats", "latencystats"];

/// `INFO [section …]`: the whole reply text for the given arguments (no
/// argument means `default`).
pub fn render<S: AsRef<[u8]>>(server: &Server, now_ms: u64, args: &[S]) -> String {
    let mut wanted = [false; SECTIONS.len()];
    if args.is_empty() {
        select_default(&mut wanted);
    }
    for arg in args {
        let arg = arg.as_ref().to_ascii_lowercase();
        match arg.as_slice() {
            b"default" => select_default(&mut wanted),
            b"all" | b"everything" => wanted = [true; SECTIONS.len()],
            name => {
                if let Some(i) = SECTIONS.iter().position(|s| s.as_bytes() == name) {
                    wanted[i] = true;
                }
            }
        }
    }
    let rendered: Vec<String> = SECTIONS
        .iter()
        .zip(wanted)
        .filter(|(_, on)| *on)
        .map(|(name, _)| render_section(server, now_ms, name))
        .collect();
    rendered.join("\r\n")
}

fn select_default(wanted: &mut [bool]) {
    for (on, name) in wanted.iter_mut().zip(SECTIONS) {
        if !NOT_DEFAULT.contains(name) {
            *on = true;
        }
    }
}

/// One section: header plus lines.
pub fn render_section(server: &Server, now_ms: u64, name: &str) -> String {
    let (title, lines) = match name {
        "server" => ("Server", server_lines(server, now_ms)),
        "clients" => ("Clients", clients_lines()),
        "memory" => ("Memory", memory_lines(server)),
        "persistence" => ("Persistence", persistence_lines(server)),
        "stats" => ("Stats", stats_lines(&server.stats)),
        "replication" => ("Replication", replication_lines(server, now_ms)),
        "cpu" => ("CPU", cpu_lines()),
        "modules" => ("Modules", Vec::new()),
        "commandstats" => ("Commandstats", Vec::new()),
        "errorstats" => ("Errorstats", Vec::new()),
        "latencystats" => ("Latencystats", Vec::new()),
        "cluster" => ("Cluster", vec![kv("cluster_enabled", 0)]),
        _ => ("Keyspace", keyspace_lines(server, now_ms)),
    };
    let mut out = format!("# {title}\r\n");
    for line in lines {
        out.push_str(&line);
        out.push_str("\r\n");
    }
    out
}

fn kv(name: &str, value: impl std::fmt::Display) -> String {
    format!("{name}:{value}")
}

/// Whole seconds between two virtual times, the way Redis subtracts its
/// cached `server.unixtime` values.
fn seconds_between(earlier_ms: u64, now_ms: u64) -> i64 {
    (now_ms / 1000) as i64 - (earlier_ms / 1000) as i64
}

/// A stable 64-bit hash (FNV-1a) for the derived `run_id` / `process_id`.
fn fnv1a(bytes: &[u8], seed: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A 40-hex-digit run ID that stays the same for the node's lifetime.
pub fn run_id(server: &Server) -> String {
    let key = format!("{}@{}", server.name, server.start_ms);
    (0..3u64).map(|i| format!("{:016x}", fnv1a(key.as_bytes(), i))).collect::<String>()[..40].to_string()
}

fn server_lines(server: &Server, now_ms: u64) -> Vec<String> {
    let uptime = seconds_between(server.start_ms, now_ms);
    let key = format!("{}@{}", server.name, server.start_ms);
    let pid = 1000 + fnv1a(key.as_bytes(), 7) % 30000;
    vec![
        kv("redis_version", crate::REDIS_VERSION),
        kv("redis_git_sha1", "00000000"),
        kv("redis_git_dirty", 0),
        kv("redis_build_id", "ae4d7c971a948f0"),
        kv("redis_mode", "standalone"),
        kv("os", "Linux 6.1.0-18-amd64 x86_64"),
        kv("arch_bits", 64),
        kv("monotonic_clock", "POSIX clock_gettime"),
        kv("multiplexing_api", "epoll"),
        kv("atomicvar_api", "c11-builtin"),
        kv("gcc_version", "12.2.0"),
        kv("process_id", pid),
        kv("process_supervised", "no"),
        kv("run_id", run_id(server)),
        kv("tcp_port", server.config.port),
        kv("server_time_usec", now_ms * 1000),
        kv("uptime_in_seconds", uptime),
        kv("uptime_in_days", uptime / 86400),
        kv("hz", server.config.hz),
        kv("configured_hz", server.config.hz),
        // Redis's LRU clock: seconds, 24 bits.
        kv("lru_clock", (now_ms / 1000) & ((1 << 24) - 1)),
        kv("executable", "/usr/bin/redis-server"),
        kv("config_file", ""),
        kv("io_threads_active", 0),
    ]
}

fn clients_lines() -> Vec<String> {
    vec![
        kv("connected_clients", 1),
        kv("cluster_connections", 0),
        kv("maxclients", 10000),
        kv("client_recent_max_input_buffer", 20480),
        kv("client_recent_max_output_buffer", 0),
        kv("blocked_clients", 0),
        kv("tracking_clients", 0),
        kv("clients_in_timeout_table", 0),
    ]
}

/// Redis's `bytesToHuman`: `1023B`, `895.34K`, `100.00M` … up to `P`.
pub fn bytes_to_human(n: u64) -> String {
    const UNITS: [char; 5] = ['K', 'M', 'G', 'T', 'P'];
    if n < 1024 {
        return format!("{n}B");
    }
    for (i, letter) in UNITS.iter().enumerate() {
        let unit = 1u64 << (10 * (i + 1));
        if n / unit < 1024 {
            return format!("{:.2}{letter}", n as f64 / unit as f64);
        }
    }
    format!("{n}B")
}

fn memory_lines(server: &Server) -> Vec<String> {
    // Fixed values from a fresh Redis 7.0.15, except maxmemory.
    let fixed = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| kv(k, v)).collect::<Vec<_>>();
    let mut lines = fixed(&[
        ("used_memory", "916832"),
        ("used_memory_human", "895.34K"),
        ("used_memory_rss", "12169216"),
        ("used_memory_rss_human", "11.61M"),
        ("used_memory_peak", "916832"),
        ("used_memory_peak_human", "895.34K"),
        ("used_memory_peak_perc", "100.00%"),
        ("used_memory_overhead", "893424"),
        ("used_memory_startup", "876064"),
        ("used_memory_dataset", "23408"),
        ("used_memory_dataset_perc", "57.42%"),
        ("allocator_allocated", "1690848"),
        ("allocator_active", "1826816"),
        ("allocator_resident", "4497408"),
        ("total_system_memory", "25276063744"),
        ("total_system_memory_human", "23.54G"),
        ("used_memory_lua", "32768"),
        ("used_memory_vm_eval", "32768"),
        ("used_memory_lua_human", "32.00K"),
        ("used_memory_scripts_eval", "0"),
        ("number_of_cached_scripts", "0"),
        ("number_of_functions", "0"),
        ("number_of_libraries", "0"),
        ("used_memory_vm_functions", "33792"),
        ("used_memory_vm_total", "66560"),
        ("used_memory_vm_total_human", "65.00K"),
        ("used_memory_functions", "200"),
        ("used_memory_scripts", "200"),
        ("used_memory_scripts_human", "200B"),
    ]);
    lines.push(kv("maxmemory", server.config.maxmemory));
    lines.push(kv("maxmemory_human", bytes_to_human(server.config.maxmemory)));
    lines.extend(fixed(&[
        ("maxmemory_policy", "noeviction"),
        ("allocator_frag_ratio", "1.08"),
        ("allocator_frag_bytes", "135968"),
        ("allocator_rss_ratio", "2.46"),
        ("allocator_rss_bytes", "2670592"),
        ("rss_overhead_ratio", "2.71"),
        ("rss_overhead_bytes", "7671808"),
        ("mem_fragmentation_ratio", "13.61"),
        ("mem_fragmentation_bytes", "11275376"),
        ("mem_not_counted_for_evict", "0"),
        ("mem_replication_backlog", "0"),
        ("mem_total_replication_buffers", "0"),
        ("mem_clients_slaves", "0"),
        ("mem_clients_normal", "17160"),
        ("mem_cluster_links", "0"),
        ("mem_aof_buffer", "0"),
        ("mem_allocator", "jemalloc-5.3.0"),
        ("active_defrag_running", "0"),
        ("lazyfree_pending_objects", "0"),
        ("lazyfreed_objects", "0"),
    ]));
    lines
}

fn persistence_lines(server: &Server) -> Vec<String> {
    vec![
        kv("loading", 0),
        kv("async_loading", 0),
        kv("current_cow_peak", 0),
        kv("current_cow_size", 0),
        kv("current_cow_size_age", 0),
        kv("current_fork_perc", "0.00"),
        kv("current_save_keys_processed", 0),
        kv("current_save_keys_total", 0),
        kv("rdb_changes_since_last_save", server.dirty),
        kv("rdb_bgsave_in_progress", 0),
        kv("rdb_last_save_time", server.start_ms / 1000),
        kv("rdb_last_bgsave_status", "ok"),
        kv("rdb_last_bgsave_time_sec", -1),
        kv("rdb_current_bgsave_time_sec", -1),
        kv("rdb_saves", 0),
        kv("rdb_last_cow_size", 0),
        kv("rdb_last_load_keys_expired", 0),
        kv("rdb_last_load_keys_loaded", 0),
        kv("aof_enabled", u8::from(server.config.appendonly)),
        kv("aof_rewrite_in_progress", 0),
        kv("aof_rewrite_scheduled", 0),
        kv("aof_last_rewrite_time_sec", -1),
        kv("aof_current_rewrite_time_sec", -1),
        kv("aof_last_bgrewrite_status", "ok"),
        kv("aof_rewrites", 0),
        kv("aof_rewrites_consecutive_failures", 0),
        kv("aof_last_write_status", "ok"),
        kv("aof_last_cow_size", 0),
        kv("module_fork_in_progress", 0),
        kv("module_fork_last_cow_size", 0),
    ]
}

fn stats_lines(s: &Stats) -> Vec<String> {
    vec![
        kv("total_connections_received", s.total_connections_received),
        kv("total_commands_processed", s.total_commands_processed),
        kv("instantaneous_ops_per_sec", 0),
        kv("total_net_input_bytes", s.total_net_input_bytes),
        kv("total_net_output_bytes", s.total_net_output_bytes),
        kv("total_net_repl_input_bytes", s.total_net_repl_input_bytes),
        kv("total_net_repl_output_bytes", s.total_net_repl_output_bytes),
        kv("instantaneous_input_kbps", "0.00"),
        kv("instantaneous_output_kbps", "0.00"),
        kv("instantaneous_input_repl_kbps", "0.00"),
        kv("instantaneous_output_repl_kbps", "0.00"),
        kv("rejected_connections", 0),
        kv("sync_full", s.sync_full),
        kv("sync_partial_ok", s.sync_partial_ok),
        kv("sync_partial_err", s.sync_partial_err),
        kv("expired_keys", s.expired_keys),
        kv("expired_stale_perc", "0.00"),
        kv("expired_time_cap_reached_count", 0),
        kv("expire_cycle_cpu_milliseconds", 0),
        kv("evicted_keys", 0),
        kv("evicted_clients", 0),
        kv("total_eviction_exceeded_time", 0),
        kv("current_eviction_exceeded_time", 0),
        kv("keyspace_hits", s.keyspace_hits),
        kv("keyspace_misses", s.keyspace_misses),
        kv("pubsub_channels", 0),
        kv("pubsub_patterns", 0),
        kv("pubsubshard_channels", 0),
        kv("latest_fork_usec", 0),
        kv("total_forks", 0),
        kv("migrate_cached_sockets", 0),
        kv("slave_expires_tracked_keys", 0),
        kv("active_defrag_hits", 0),
        kv("active_defrag_misses", 0),
        kv("active_defrag_key_hits", 0),
        kv("active_defrag_key_misses", 0),
        kv("total_active_defrag_time", 0),
        kv("current_active_defrag_time", 0),
        kv("tracking_total_keys", 0),
        kv("tracking_total_items", 0),
        kv("tracking_total_prefixes", 0),
        kv("unexpected_error_replies", 0),
        kv("total_error_replies", s.total_error_replies),
        kv("dump_payload_sanitizations", 0),
        kv("total_reads_processed", s.total_reads_processed),
        kv("total_writes_processed", s.total_writes_processed),
        kv("io_threaded_reads_processed", 0),
        kv("io_threaded_writes_processed", 0),
        kv("reply_buffer_shrinks", 0),
        kv("reply_buffer_expands", 0),
    ]
}

/// `# Replication`, from the node's role, its replication stream and the
/// replication layer's [`ReplicaLinkInfo`] / [`ConnectedReplicaInfo`].
fn replication_lines(server: &Server, now_ms: u64) -> Vec<String> {
    let mut lines = Vec::new();
    match &server.role {
        Role::Master => lines.push(kv("role", "master")),
        Role::Replica { host, port } => {
            lines.push(kv("role", "slave"));
            lines.extend(replica_link_lines(host, *port, server, now_ms));
        }
    }
    let replicas = &server.replicas_info;
    lines.push(kv("connected_slaves", replicas.len()));
    let config = &server.config;
    if config.min_replicas_to_write > 0 && config.min_replicas_max_lag > 0 {
        let good = replicas
            .iter()
            .filter(|r| {
                r.state == "online" && seconds_between(r.last_ack_ms, now_ms) <= config.min_replicas_max_lag as i64
            })
            .count();
        lines.push(kv("min_slaves_good_slaves", good));
    }
    for (i, r) in replicas.iter().enumerate() {
        lines.push(format!(
            "slave{i}:ip={},port={},state={},offset={},lag={}",
            r.ip,
            r.port,
            r.state,
            r.offset,
            seconds_between(r.last_ack_ms, now_ms)
        ));
    }
    let repl = &server.repl;
    lines.push(kv("master_failover_state", "no-failover"));
    lines.push(kv("master_replid", &repl.master_replid));
    lines.push(kv("master_replid2", &repl.master_replid2));
    lines.push(kv("master_repl_offset", repl.master_repl_offset));
    lines.push(kv("second_repl_offset", repl.second_repl_offset));
    match &repl.backlog {
        Some(backlog) => {
            lines.push(kv("repl_backlog_active", 1));
            lines.push(kv("repl_backlog_size", config.repl_backlog_size));
            lines.push(kv("repl_backlog_first_byte_offset", backlog.first_byte_offset()));
            lines.push(kv("repl_backlog_histlen", backlog.histlen()));
        }
        None => {
            lines.push(kv("repl_backlog_active", 0));
            lines.push(kv("repl_backlog_size", config.repl_backlog_size));
            lines.push(kv("repl_backlog_first_byte_offset", 0));
            lines.push(kv("repl_backlog_histlen", 0));
        }
    }
    lines
}

/// The replica-only lines between `role:slave` and `connected_slaves`.
/// Without link information the link is shown down, never connected.
pub fn replica_link_lines(host: &str, port: u16, server: &Server, now_ms: u64) -> Vec<String> {
    let fallback = ReplicaLinkInfo {
        read_repl_offset: server.repl.master_repl_offset as i64,
        repl_offset: server.repl.master_repl_offset as i64,
        ..ReplicaLinkInfo::default()
    };
    let link = server.replica_link_info.as_ref().unwrap_or(&fallback);
    let mut lines = vec![
        kv("master_host", host),
        kv("master_port", port),
        kv("master_link_status", if link.link_up { "up" } else { "down" }),
        kv("master_last_io_seconds_ago", if link.link_up { seconds_between(link.last_io_ms, now_ms) } else { -1 }),
        kv("master_sync_in_progress", u8::from(link.transfer.is_some())),
        kv("slave_read_repl_offset", link.read_repl_offset),
        kv("slave_repl_offset", link.repl_offset),
    ];
    if let Some(t) = &link.transfer {
        // `-0.00` for a diskless transfer (total -1), as Redis prints it.
        let perc = (t.read_bytes as f64 * 100.0) / t.total_bytes as f64;
        lines.push(kv("master_sync_total_bytes", t.total_bytes));
        lines.push(kv("master_sync_read_bytes", t.read_bytes));
        lines.push(kv("master_sync_left_bytes", t.total_bytes - t.read_bytes));
        lines.push(kv("master_sync_perc", format!("{perc:.2}")));
        lines.push(kv("master_sync_last_io_seconds_ago", seconds_between(t.last_io_ms, now_ms)));
    }
    if !link.link_up {
        let since = link.link_down_since_ms.map_or(-1, |t| seconds_between(t, now_ms));
        lines.push(kv("master_link_down_since_seconds", since));
    }
    let config = &server.config;
    lines.push(kv("slave_priority", config.replica_priority));
    lines.push(kv("slave_read_only", u8::from(config.replica_read_only)));
    lines.push(kv("replica_announced", u8::from(config.replica_announced)));
    lines
}

fn cpu_lines() -> Vec<String> {
    [
        "used_cpu_sys",
        "used_cpu_user",
        "used_cpu_sys_children",
        "used_cpu_user_children",
        "used_cpu_sys_main_thread",
        "used_cpu_user_main_thread",
    ]
    .iter()
    .map(|k| kv(k, "0.000000"))
    .collect()
}

/// `db0:keys=1,expires=0,avg_ttl=0` for every non-empty db. Keys whose TTL
/// has passed but that are not deleted yet still count, as in Redis.
fn keyspace_lines(server: &Server, now_ms: u64) -> Vec<String> {
    server
        .keyspace
        .dbs()
        .filter(|(_, db)| !db.is_empty())
        .map(|(i, db)| {
            let (mut sum, mut n) = (0u128, 0u128);
            for (_, when) in db.expires() {
                sum += u128::from(when.saturating_sub(now_ms));
                n += 1;
            }
            let avg = sum.checked_div(n).unwrap_or(0);
            format!("db{i}:keys={},expires={},avg_ttl={avg}", db.len(), db.expires_len())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! Expected bytes observed on Redis 7.0.15 (`INFO …` over a raw socket).
    use super::*;
    use crate::config::Config;
    use crate::keyspace::Value;

    const T0: u64 = 1_795_671_378_000;

    fn server() -> Server {
        let mut s = Server::new("A", Config { port: 17200, ..Config::default() }, 1, T0);
        s.repl.master_replid = "1e44866658436953a8cf9999a48b3f9501153203".into();
        s
    }

    #[test]
    fn replication_of_a_master_without_replicas() {
        let s = server();
        assert_eq!(
            render(&s, T0, &["replication"]),
            "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n\
             master_replid:1e44866658436953a8cf9999a48b3f9501153203\r\n\
             master_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\n\
             second_repl_offset:-1\r\nrepl_backlog_active:0\r\nrepl_backlog_size:1048576\r\n\
             repl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n"
        );
    }

    #[test]
    fn replication_with_replicas_and_backlog() {
        let mut s = server();
        s.repl.master_replid = "5a9c6977b049bd869cb398bb06ecb7e63cb41ab9".into();
        s.repl.create_backlog(1 << 20);
        s.repl.feed(Some(0), &[b"SET".as_slice(), b"x", b"1"]);
        s.replicas_info.push(ConnectedReplicaInfo {
            ip: "127.0.0.1".into(),
            port: 17202,
            state: "online",
            offset: 50,
            last_ack_ms: T0 - 1000,
        });
        s.config.min_replicas_to_write = 1;
        assert_eq!(
            render(&s, T0, &["replication"]),
            "# Replication\r\nrole:master\r\nconnected_slaves:1\r\nmin_slaves_good_slaves:1\r\n\
             slave0:ip=127.0.0.1,port=17202,state=online,offset=50,lag=1\r\n\
             master_failover_state:no-failover\r\nmaster_replid:5a9c6977b049bd869cb398bb06ecb7e63cb41ab9\r\n\
             master_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:50\r\n\
             second_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\n\
             repl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:50\r\n"
        );
    }

    #[test]
    fn replication_of_a_replica() {
        let mut s = server();
        s.role = Role::Replica { host: "127.0.0.1".into(), port: 17201 };
        s.replica_link_info = Some(ReplicaLinkInfo {
            link_up: true,
            last_io_ms: T0 - 2000,
            transfer: None,
            read_repl_offset: 407,
            repl_offset: 407,
            link_down_since_ms: None,
        });
        let text = render(&s, T0, &["replication"]);
        assert!(text.starts_with(
            "# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:17201\r\n\
             master_link_status:up\r\nmaster_last_io_seconds_ago:2\r\nmaster_sync_in_progress:0\r\n\
             slave_read_repl_offset:407\r\nslave_repl_offset:407\r\nslave_priority:100\r\n\
             slave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\n\
             master_failover_state:no-failover\r\n"
        ));
        // Link down right after REPLICAOF to a new master.
        s.replica_link_info = Some(ReplicaLinkInfo {
            link_up: false,
            read_repl_offset: 434,
            repl_offset: 434,
            link_down_since_ms: Some(T0),
            ..ReplicaLinkInfo::default()
        });
        assert!(render(&s, T0, &["replication"]).contains(
            "master_link_status:down\r\nmaster_last_io_seconds_ago:-1\r\nmaster_sync_in_progress:0\r\n\
             slave_read_repl_offset:434\r\nslave_repl_offset:434\r\nmaster_link_down_since_seconds:0\r\n\
             slave_priority:100\r\n"
        ));
        // Receiving a diskless RDB.
        s.replica_link_info = Some(ReplicaLinkInfo {
            link_up: false,
            transfer: Some(SyncTransferInfo { total_bytes: -1, read_bytes: 0, last_io_ms: T0 - 3000 }),
            read_repl_offset: 34392,
            repl_offset: 34392,
            link_down_since_ms: None,
            ..ReplicaLinkInfo::default()
        });
        assert!(render(&s, T0, &["replication"]).contains(
            "master_link_status:down\r\nmaster_last_io_seconds_ago:-1\r\nmaster_sync_in_progress:1\r\n\
             slave_read_repl_offset:34392\r\nslave_repl_offset:34392\r\nmaster_sync_total_bytes:-1\r\n\
             master_sync_read_bytes:0\r\nmaster_sync_left_bytes:-1\r\nmaster_sync_perc:-0.00\r\n\
             master_sync_last_io_seconds_ago:3\r\nmaster_link_down_since_seconds:-1\r\nslave_priority:100\r\n"
        ));
    }

    #[test]
    fn keyspace_and_empty_sections() {
        let mut s = server();
        assert_eq!(render(&s, T0, &["keyspace"]), "# Keyspace\r\n");
        assert_eq!(render(&s, T0, &["nosuch"]), "");
        s.keyspace.db_mut(0).set(b"a".to_vec(), Value::String(b"1".to_vec()), false);
        s.keyspace.db_mut(2).set(b"j".to_vec(), Value::String(b"v".to_vec()), false);
        assert_eq!(
            render(&s, T0, &["KEYSPACE", "nosuch"]),
            "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n"
        );
        s.keyspace.db_mut(0).set_expire(b"a", T0 + 100_000);
        assert_eq!(
            render(&s, T0, &["keyspace"]),
            "# Keyspace\r\ndb0:keys=1,expires=1,avg_ttl=100000\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n"
        );
    }

    #[test]
    fn section_selection_and_order() {
        let s = server();
        let headers = |args: &[&str]| -> Vec<String> {
            render(&s, T0, args).split("\r\n").filter(|l| l.starts_with('#')).map(String::from).collect()
        };
        assert_eq!(headers(&["replication", "server"]), ["# Server", "# Replication"]);
        assert_eq!(headers(&["keyspace", "keyspace"]), ["# Keyspace"]);
        let default = [
            "# Server",
            "# Clients",
            "# Memory",
            "# Persistence",
            "# Stats",
            "# Replication",
            "# CPU",
            "# Modules",
            "# Errorstats",
            "# Cluster",
            "# Keyspace",
        ];
        assert_eq!(headers(&[]), default);
        assert_eq!(headers(&["default"]), default);
        let all = [
            "# Server",
            "# Clients",
            "# Memory",
            "# Persistence",
            "# Stats",
            "# Replication",
            "# CPU",
            "# Modules",
            "# Commandstats",
            "# Errorstats",
            "# Latencystats",
            "# Cluster",
            "# Keyspace",
        ];
        assert_eq!(headers(&["all"]), all);
        assert_eq!(headers(&["everything"]), all);
        // Sections are separated by one empty line; the text ends with the
        // last field's CRLF.
        let text = render(&s, T0, &["server", "clients"]);
        assert!(text.contains("io_threads_active:0\r\n\r\n# Clients\r\nconnected_clients:1\r\n"));
        assert!(text.ends_with("clients_in_timeout_table:0\r\n"));
    }

    #[test]
    fn server_section_uses_virtual_time_and_config() {
        let s = server();
        let text = render(&s, T0 + 7_500, &["server"]);
        for line in [
            "redis_version:7.0.15",
            "tcp_port:17200",
            "server_time_usec:1795671385500000",
            "uptime_in_seconds:7",
            "uptime_in_days:0",
            "hz:10",
            "configured_hz:10",
            "lru_clock:509273",
        ] {
            assert!(text.contains(&format!("\r\n{line}\r\n")), "{line}");
        }
        let fields: Vec<&str> = text.split("\r\n").filter_map(|l| l.split(':').next()).collect();
        assert_eq!(
            fields[1..].join(","),
            "redis_version,redis_git_sha1,redis_git_dirty,redis_build_id,redis_mode,os,arch_bits,monotonic_clock,\
             multiplexing_api,atomicvar_api,gcc_version,process_id,process_supervised,run_id,tcp_port,server_time_usec,\
             uptime_in_seconds,uptime_in_days,hz,configured_hz,lru_clock,executable,config_file,io_threads_active,"
        );
        assert_eq!(run_id(&s).len(), 40);
    }

    #[test]
    fn human_bytes() {
        assert_eq!(bytes_to_human(0), "0B");
        assert_eq!(bytes_to_human(1023), "1023B");
        assert_eq!(bytes_to_human(104857600), "100.00M");
        assert_eq!(bytes_to_human(916832), "895.34K");
    }
}
