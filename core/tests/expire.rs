//! Expiry commands, lazy and active expiry, replica visibility. Every
//! expectation was observed on real Redis 7.0.15 (raw `PSYNC ? -1` replica
//! for the stream; `DEBUG SET-ACTIVE-EXPIRE 0` for lazy-expiry cases).

mod strings_harness;
use strings_harness::{H, T0, enc};

#[test]
fn expire_family_propagates_pexpireat_with_options_as_typed() {
    let mut h = H::master();
    h.cmd("SET k v");
    let abs = |ms: u64| (T0 + ms).to_string();
    assert_eq!(h.cmd("EXPIRE k 100"), ":1\r\n");
    assert_eq!(h.cmd("PEXPIRE k 100000"), ":1\r\n");
    assert_eq!(h.cmd("EXPIREAT k 99999999999"), ":1\r\n");
    assert_eq!(h.cmd("pexpireat k 99999999999000"), ":1\r\n");
    assert_eq!(h.cmd("EXPIRE nokey 100"), ":0\r\n");
    assert_eq!(h.cmd("EXPIRE k 100 NX"), ":0\r\n");
    assert_eq!(h.cmd("EXPIRE k 100 XX"), ":1\r\n");
    assert_eq!(h.cmd("EXPIRE k 200 GT"), ":1\r\n");
    assert_eq!(h.cmd("EXPIRE k 50 GT"), ":0\r\n");
    assert_eq!(h.cmd("EXPIRE k 50 LT"), ":1\r\n");
    assert_eq!(h.cmd("EXPIRE k 500 LT"), ":0\r\n");
    assert_eq!(h.cmd("EXPIRE k 100 XX GT"), ":1\r\n");
    assert_eq!(h.cmd("PERSIST k"), ":1\r\n");
    assert_eq!(h.cmd("PERSIST k"), ":0\r\n");
    assert_eq!(h.cmd("EXPIRE k 100 XX"), ":0\r\n");
    assert_eq!(h.cmd("EXPIRE k 100 GT"), ":0\r\n");
    assert_eq!(h.cmd("EXPIRE k 100 LT"), ":1\r\n");
    assert_eq!(
        h.stream(),
        enc(&[
            "SELECT 0",
            "SET k v",
            &format!("PEXPIREAT k {}", abs(100_000)),
            &format!("PEXPIREAT k {}", abs(100_000)),
            "PEXPIREAT k 99999999999000",
            "pexpireat k 99999999999000",
            &format!("PEXPIREAT k {} XX", abs(100_000)),
            &format!("PEXPIREAT k {} GT", abs(200_000)),
            &format!("PEXPIREAT k {} LT", abs(50_000)),
            &format!("PEXPIREAT k {} XX GT", abs(100_000)),
            "PERSIST k",
            &format!("PEXPIREAT k {} LT", abs(100_000)),
        ])
    );
}

#[test]
fn expire_errors_and_past_times() {
    let mut h = H::master();
    h.cmd("SET k v");
    assert_eq!(h.cmd("EXPIRE k abc"), "-ERR value is not an integer or out of range\r\n");
    assert_eq!(h.cmd("EXPIRE k 100 NX XX"), "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
    assert_eq!(h.cmd("EXPIRE k 100 NX GT"), "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
    assert_eq!(h.cmd("EXPIRE k 100 GT LT"), "-ERR GT and LT options at the same time are not compatible\r\n");
    assert_eq!(h.cmd("EXPIRE k 100 FOO"), "-ERR Unsupported option FOO\r\n");
    for line in [
        "EXPIRE k 9223372036854775807",
        "EXPIRE k 9223372036854775",
        "EXPIRE k 9223372036854774",
        "EXPIRE k -9223372036854775808",
    ] {
        assert_eq!(h.cmd(line), "-ERR invalid expire time in 'expire' command\r\n", "{line}");
    }
    assert_eq!(h.cmd("PEXPIRE k 9223372036854775807"), "-ERR invalid expire time in 'pexpire' command\r\n");
    assert_eq!(h.cmd("EXPIREAT k 9223372036854776"), "-ERR invalid expire time in 'expireat' command\r\n");
    assert_eq!(h.cmd("PEXPIREAT k 9223372036854775807"), ":1\r\n");
    assert_eq!(h.cmd("EXPIREAT k 9223372036854775"), ":1\r\n");
    h.stream();
    for line in ["EXPIRE k 0", "EXPIRE k -5", "PEXPIREAT k 1", "EXPIREAT k 0", "PEXPIRE k -9223372036854775808"] {
        h.cmd("SET k v");
        assert_eq!(h.cmd(line), ":1\r\n", "{line}");
        assert_eq!(h.stream(), enc(&["SET k v", "DEL k"]), "{line}");
        assert_eq!(h.cmd("EXISTS k"), ":0\r\n");
    }
}

#[test]
fn ttl_family() {
    let mut h = H::master();
    for c in ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"] {
        assert_eq!(h.cmd(&format!("{c} nokey")), ":-2\r\n");
    }
    h.cmd("SET j v");
    for c in ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"] {
        assert_eq!(h.cmd(&format!("{c} j")), ":-1\r\n");
    }
    h.cmd("SET k v PX 1500");
    h.advance(81);
    assert_eq!(h.cmd("TTL k"), ":1\r\n");
    assert_eq!(h.cmd("PTTL k"), ":1419\r\n");
    h.cmd("SET k v PX 1499");
    assert_eq!(h.cmd("TTL k"), ":1\r\n");
    h.cmd("SET k v PX 1500");
    assert_eq!(h.cmd("TTL k"), ":2\r\n");
    for (at, secs) in
        [("99999999999999", "100000000000"), ("99999999999499", "99999999999"), ("99999999999500", "100000000000")]
    {
        h.cmd(&format!("SET k v PXAT {at}"));
        assert_eq!(h.cmd("EXPIRETIME k"), format!(":{secs}\r\n"));
        assert_eq!(h.cmd("PEXPIRETIME k"), format!(":{at}\r\n"));
    }
}

#[test]
fn replica_hides_expired_keys_but_never_deletes_them() {
    let mut h = H::replica();
    let db = h.node.server.keyspace.db_mut(0);
    db.put(b"k".to_vec(), replscope_core::keyspace::Value::String(b"v".to_vec()));
    db.set_expire(b"k", T0 + 300);
    db.put(b"p".to_vec(), replscope_core::keyspace::Value::String(b"v".to_vec()));
    h.advance(301);
    // Observed on a real replica whose master has active expiry disabled.
    for (line, reply) in [
        ("GET k", "$-1\r\n"),
        ("EXISTS k", ":0\r\n"),
        ("TTL k", ":-2\r\n"),
        ("PTTL k", ":-2\r\n"),
        ("TYPE k", "+none\r\n"),
        ("EXPIRETIME k", ":-2\r\n"),
        ("STRLEN k", ":0\r\n"),
        ("GETRANGE k 0 -1", "$0\r\n\r\n"),
        ("MGET k p", "*2\r\n$-1\r\n$1\r\nv\r\n"),
        ("KEYS *", "*1\r\n$1\r\np\r\n"),
    ] {
        assert_eq!(h.cmd(line), reply, "{line}");
    }
    h.node.cron(h.now);
    assert_eq!(h.node.server.keyspace.db(0).len(), 2, "a replica never deletes");
    assert_eq!(h.node.server.stats.expired_keys, 0);
    assert_eq!(h.stream(), "");
}

#[test]
fn active_expiry_propagates_one_bare_del_per_key_in_deterministic_order() {
    let mut h = H::master();
    let at = T0 + 300;
    for k in ["k3", "k1", "k2", "a", "zz"] {
        h.cmd(&format!("SET {k} v PXAT {at}"));
    }
    h.cmd(&format!("SET early v PXAT {}", at - 100));
    h.cmd("SELECT 1");
    h.cmd(&format!("SET x1 v PXAT {at}"));
    h.cmd(&format!("SET later v PXAT {}", at + 1000));
    h.stream();
    h.node.cron(at);
    // The stream is in db 1 after `SET later`, so the first DEL selects db 0.
    assert_eq!(h.stream(), enc(&["SELECT 0", "DEL early"]), "a key expiring exactly now is still alive");
    h.node.cron(at + 1);
    assert_eq!(h.stream(), enc(&["DEL a", "DEL k1", "DEL k2", "DEL k3", "DEL zz", "SELECT 1", "DEL x1"]));
    assert_eq!(h.node.server.stats.expired_keys, 7);
}

#[test]
fn active_expiry_is_bounded_per_call() {
    let mut h = H::master();
    for i in 0..400 {
        h.cmd(&format!("SET k{i:03} v PX 10"));
    }
    h.stream();
    h.node.cron(h.now + 11);
    assert_eq!(h.node.server.stats.expired_keys, 320);
    h.node.cron(h.now + 11);
    assert_eq!(h.node.server.stats.expired_keys, 400);
}
