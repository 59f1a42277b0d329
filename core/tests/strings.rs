//! String commands: replies, errors and propagated bytes. Every expectation
//! below was observed on real Redis 7.0.15 (replies with redis-cli / a raw
//! socket, the stream by attaching a raw `PSYNC ? -1` replica), with the
//! absolute times adapted to the virtual clock.

mod strings_harness;
use strings_harness::{H, T0, enc};

const OK: &str = "+OK\r\n";
const NIL: &str = "$-1\r\n";
const SYNTAX: &str = "-ERR syntax error\r\n";
const NOT_INT: &str = "-ERR value is not an integer or out of range\r\n";
const WRONGTYPE: &str = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

#[test]
fn set_expiry_forms_propagate_as_pxat() {
    let mut h = H::master();
    assert_eq!(h.cmd("SET k v EX 100"), OK);
    assert_eq!(h.cmd("set k v px 100"), OK);
    assert_eq!(h.cmd("SET k v EXAT 99999999999"), OK);
    assert_eq!(h.cmd("SET k v PXAT 9223372036854775807"), OK);
    assert_eq!(h.cmd("SETEX k 10 v"), OK);
    assert_eq!(h.cmd("PSETEX k 100000 v"), OK);
    assert_eq!(h.cmd("SET k v xX Px 10"), OK);
    let abs = |ms: u64| (T0 + ms).to_string();
    assert_eq!(
        h.stream(),
        enc(&[
            "SELECT 0",
            &format!("SET k v PXAT {}", abs(100_000)),
            &format!("SET k v PXAT {}", abs(100)),
            "SET k v PXAT 99999999999000",
            "SET k v PXAT 9223372036854775807",
            &format!("SET k v PXAT {}", abs(10_000)),
            &format!("SET k v PXAT {}", abs(100_000)),
            &format!("SET k v PXAT {}", abs(10)),
        ])
    );
    assert_eq!(h.cmd("PTTL k"), ":10\r\n");
}

#[test]
fn set_option_errors() {
    let mut h = H::master();
    let invalid = "-ERR invalid expire time in 'set' command\r\n";
    for line in [
        "SET k v EX 0",
        "SET k v EX -1",
        "SET k v PX 0",
        "SET k v EXAT 0",
        "SET k v PXAT 0",
        "SET k v EX 9223372036854775807",
        "SET k v EX 9223372036854775",
        "SET k v PX 9223372036854775807",
    ] {
        assert_eq!(h.cmd(line), invalid, "{line}");
    }
    assert_eq!(h.cmd("SET k v EX abc"), NOT_INT);
    for line in [
        "SET k v EX 10 PX 10",
        "SET k v NX XX",
        "SET k v KEEPTTL EX 10",
        "SET k v EX 10 KEEPTTL",
        "SET k v EX",
        "SET k v FOO",
        "SET k v2 px 100 get keepttl",
        "SET k v EX abc NX XX",
    ] {
        assert_eq!(h.cmd(line), SYNTAX, "{line}");
    }
    assert_eq!(h.cmd("SETEX k 0 v"), "-ERR invalid expire time in 'setex' command\r\n");
    assert_eq!(h.cmd("SETEX k abc v"), NOT_INT);
    assert_eq!(h.cmd("PSETEX k 0 v"), "-ERR invalid expire time in 'psetex' command\r\n");
    assert_eq!(h.stream(), "");
    // Big but valid: EX 9223372036854 seconds is added to now.
    assert_eq!(h.cmd("SET k v EX 9223372036854"), OK);
    assert_eq!(h.cmd("SET k v EXAT 9223372036854775"), OK);
    assert_eq!(
        h.stream(),
        enc(&["SELECT 0", &format!("SET k v PXAT {}", 9223372036854000 + T0), "SET k v PXAT 9223372036854775000"])
    );
}

#[test]
fn set_nx_xx_get_keepttl() {
    let mut h = H::master();
    assert_eq!(h.cmd("SET k v NX NX"), OK);
    assert_eq!(h.cmd("SET k v nx"), NIL);
    assert_eq!(h.cmd("SET k v GET GET"), "$1\r\nv\r\n");
    assert_eq!(h.cmd("SET k v NX GET"), "$1\r\nv\r\n");
    assert_eq!(h.cmd("SET k v xx get"), "$1\r\nv\r\n");
    assert_eq!(h.cmd("SET k v3 PX 5000"), OK);
    assert_eq!(h.cmd("SET k v3 keepttl"), OK);
    assert_eq!(h.cmd("PTTL k"), ":5000\r\n");
    assert_eq!(h.cmd("SET k v4 get"), "$2\r\nv3\r\n");
    assert_eq!(h.cmd("TTL k"), ":-1\r\n");
    assert_eq!(h.cmd("SET n v5 XX GET"), NIL);
    assert_eq!(h.cmd("SET n v5 NX GET"), NIL);
    assert_eq!(h.cmd("SET k v KEEPTTL KEEPTTL"), OK);
    assert_eq!(
        h.stream(),
        enc(&[
            "SELECT 0",
            "SET k v NX NX",
            "SET k v",
            "SET k v xx",
            &format!("SET k v3 PXAT {}", T0 + 5000),
            "SET k v3 keepttl",
            "SET k v4",
            "SET n v5 NX",
            "SET k v KEEPTTL KEEPTTL",
        ])
    );
    h.put_list("l");
    assert_eq!(h.cmd("SET l v GET"), WRONGTYPE);
    assert_eq!(h.cmd("GET l"), WRONGTYPE);
    assert_eq!(h.cmd("GETDEL l"), WRONGTYPE);
    assert_eq!(h.cmd("GETEX l EX 0"), WRONGTYPE);
    assert_eq!(h.cmd("GETSET l x"), WRONGTYPE);
    assert_eq!(h.cmd("MGET l"), "*1\r\n$-1\r\n");
    assert_eq!(h.cmd("SET l v"), OK);
}

#[test]
fn set_with_past_absolute_time_stores_an_expired_key() {
    // Redis 7.0 does not check SET's EXAT/PXAT against now: the key is
    // stored and the next access (or active expiry) deletes it.
    let mut h = H::master();
    assert_eq!(h.cmd("SET k v PXAT 1"), OK);
    assert_eq!(h.cmd("SET k v EX 10"), OK);
    assert_eq!(
        h.stream(),
        enc(&["SELECT 0", "SET k v PXAT 1", "MULTI", "DEL k", &format!("SET k v PXAT {}", T0 + 10_000), "EXEC"])
    );
}

#[test]
fn getex_getdel_getset() {
    let mut h = H::master();
    h.cmd("SET k v");
    assert_eq!(h.cmd("GETEX k"), "$1\r\nv\r\n");
    assert_eq!(h.cmd("GETEX k EX 100"), "$1\r\nv\r\n");
    assert_eq!(h.cmd("GETEX k PX 5000"), "$1\r\nv\r\n");
    assert_eq!(h.cmd("GETEX k EXAT 99999999999"), "$1\r\nv\r\n");
    assert_eq!(h.cmd("GETEX k PXAT 99999999999000"), "$1\r\nv\r\n");
    assert_eq!(h.cmd("GETEX k PERSIST"), "$1\r\nv\r\n");
    assert_eq!(h.cmd("GETEX k PERSIST"), "$1\r\nv\r\n");
    for line in [
        "GETEX k ex 100 px 100",
        "GETEX k PERSIST EX 10",
        "GETEX k KEEPTTL",
        "GETEX k NX",
        "GETEX k GET",
        "GETEX nokey FOO",
        "GETEX k EX 10 persist",
    ] {
        assert_eq!(h.cmd(line), SYNTAX, "{line}");
    }
    assert_eq!(h.cmd("GETEX k EX 0"), "-ERR invalid expire time in 'getex' command\r\n");
    assert_eq!(h.cmd("GETEX k EX abc"), NOT_INT);
    assert_eq!(h.cmd("GETEX nokey EX abc"), NIL);
    assert_eq!(h.cmd("GETEX k EXAT 1"), "$1\r\nv\r\n");
    assert_eq!(h.cmd("GETEX k EX 10 EX 20"), NIL);
    assert_eq!(
        h.stream(),
        enc(&[
            "SELECT 0",
            "SET k v",
            &format!("PEXPIREAT k {}", T0 + 100_000),
            &format!("PEXPIREAT k {}", T0 + 5000),
            "PEXPIREAT k 99999999999000",
            "PEXPIREAT k 99999999999000",
            "PERSIST k",
            "DEL k",
        ])
    );
    h.cmd("SET k v");
    assert_eq!(h.cmd("GETDEL k"), "$1\r\nv\r\n");
    assert_eq!(h.cmd("GETDEL k"), NIL);
    assert_eq!(h.cmd("GETSET k x"), NIL);
    assert_eq!(h.cmd("SET k y EX 100"), OK);
    assert_eq!(h.cmd("getset k z"), "$1\r\ny\r\n");
    assert_eq!(h.cmd("TTL k"), ":-1\r\n");
    assert_eq!(h.stream(), enc(&["SET k v", "DEL k", "SET k x", &format!("SET k y PXAT {}", T0 + 100_000), "SET k z"]));
}

#[test]
fn setnx_mset_msetnx_mget() {
    let mut h = H::master();
    assert_eq!(h.cmd("SETNX k v"), ":1\r\n");
    assert_eq!(h.cmd("setnx k v"), ":0\r\n");
    assert_eq!(h.cmd("MSET a 1 b 2"), OK);
    assert_eq!(h.cmd("MSET a 1 b"), "-ERR wrong number of arguments for 'mset' command\r\n");
    assert_eq!(h.cmd("mset a 1 a 2"), OK);
    assert_eq!(h.cmd("GET a"), "$1\r\n2\r\n");
    assert_eq!(h.cmd("MSETNX a 1 c 3"), ":0\r\n");
    assert_eq!(h.cmd("MSETNX c 3 d 4"), ":1\r\n");
    assert_eq!(h.cmd("MSETNX e 3 e 4"), ":1\r\n");
    assert_eq!(h.cmd("MSETNX f 1 g"), "-ERR wrong number of arguments for 'msetnx' command\r\n");
    assert_eq!(h.cmd("MGET a b nokey c"), "*4\r\n$1\r\n2\r\n$1\r\n2\r\n$-1\r\n$1\r\n3\r\n");
    assert_eq!(
        h.stream(),
        enc(&["SELECT 0", "SETNX k v", "MSET a 1 b 2", "mset a 1 a 2", "MSETNX c 3 d 4", "MSETNX e 3 e 4"])
    );
}

#[test]
fn counters() {
    let mut h = H::master();
    assert_eq!(h.cmd("INCR n"), ":1\r\n");
    assert_eq!(h.cmd("DECR n"), ":0\r\n");
    assert_eq!(h.cmd("INCRBY n 10"), ":10\r\n");
    assert_eq!(h.cmd("DECRBY n 5"), ":5\r\n");
    assert_eq!(h.cmd("DECRBY n -9223372036854775808"), "-ERR decrement would overflow\r\n");
    assert_eq!(h.cmd("INCRBY n abc"), NOT_INT);
    assert_eq!(h.cmd("INCRBY n 01"), NOT_INT);
    assert_eq!(h.cmd("INCRBY n +5"), NOT_INT);
    h.cmd("SET n 9223372036854775807");
    assert_eq!(h.cmd("INCR n"), "-ERR increment or decrement would overflow\r\n");
    h.cmd("SET n -9223372036854775808");
    assert_eq!(h.cmd("DECRBY n 1"), "-ERR increment or decrement would overflow\r\n");
    for bad in ["abc", "01", "+1", "1.0", "-0"] {
        h.cmd(&format!("SET s {bad}"));
        assert_eq!(h.cmd("INCR s"), NOT_INT, "{bad}");
    }
    h.run(&[b"SET", b"s", b" 1"]);
    assert_eq!(h.cmd("INCR s"), NOT_INT);
    // INCR keeps the TTL.
    h.cmd("SET t 5 EX 1000");
    assert_eq!(h.cmd("INCR t"), ":6\r\n");
    assert_eq!(h.cmd("TTL t"), ":1000\r\n");
    h.stream();
    assert_eq!(h.cmd("INCRBYFLOAT t 1.5"), "$3\r\n7.5\r\n");
    assert_eq!(h.cmd("TTL t"), ":1000\r\n");
    assert_eq!(h.cmd("INCRBYFLOAT f abc"), "-ERR value is not a valid float\r\n");
    assert_eq!(h.cmd("INCRBYFLOAT f inf"), "-ERR increment would produce NaN or Infinity\r\n");
    assert_eq!(h.cmd("INCRBYFLOAT f 10.5"), "$4\r\n10.5\r\n");
    assert_eq!(h.cmd("INCRBYFLOAT f 0.1"), "$4\r\n10.6\r\n");
    assert_eq!(h.stream(), enc(&["SET t 7.5 KEEPTTL", "SET f 10.5 KEEPTTL", "SET f 10.6 KEEPTTL"]));
    h.put_list("l");
    for line in
        ["INCR l", "INCRBYFLOAT l 1", "APPEND l x", "STRLEN l", "SETRANGE l 0 x", "SETRANGE l 0 ", "GETRANGE l 0 1"]
    {
        assert_eq!(h.cmd(line), WRONGTYPE, "{line}");
    }
}

#[test]
fn append_strlen_setrange_getrange() {
    let mut h = H::master();
    assert_eq!(h.cmd("APPEND a hello"), ":5\r\n");
    assert_eq!(h.run(&[b"APPEND", b"a", b" world"]), ":11\r\n");
    assert_eq!(h.cmd("STRLEN a"), ":11\r\n");
    assert_eq!(h.cmd("STRLEN nokey"), ":0\r\n");
    h.cmd("SET a abc");
    h.stream();
    assert_eq!(h.cmd("SETRANGE a 0 xyz"), ":3\r\n");
    assert_eq!(h.cmd("SETRANGE nk 3 ab"), ":5\r\n");
    assert_eq!(h.cmd("GET nk"), "$5\r\n\0\0\0ab\r\n");
    assert_eq!(h.run(&[b"SETRANGE", b"nk2", b"0", b""]), ":0\r\n");
    assert_eq!(h.run(&[b"SETRANGE", b"a", b"5", b""]), ":3\r\n");
    assert_eq!(h.cmd("SETRANGE a -1 x"), "-ERR offset is out of range\r\n");
    assert_eq!(h.cmd("SETRANGE a 536870912 x"), "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
    assert_eq!(h.cmd("SETRANGE a abc x"), NOT_INT);
    assert_eq!(h.stream(), enc(&["SETRANGE a 0 xyz", "SETRANGE nk 3 ab"]));
    h.run(&[b"SET", b"nk", b"\\x00\\x00\\x00ab"]);
    for (range, want) in [
        ("0 -1", "$14\r\n\\x00\\x00\\x00ab\r\n"),
        ("1 2", "$2\r\nx0\r\n"),
        ("-100 100", "$14\r\n\\x00\\x00\\x00ab\r\n"),
        ("5 3", "$0\r\n\r\n"),
        ("-1 -5", "$0\r\n\r\n"),
        ("0 9223372036854775807", "$14\r\n\\x00\\x00\\x00ab\r\n"),
        ("-9223372036854775808 -1", "$14\r\n\\x00\\x00\\x00ab\r\n"),
        ("10 20", "$4\r\n00ab\r\n"),
        ("-1 -1", "$1\r\nb\r\n"),
        ("a b", NOT_INT),
    ] {
        assert_eq!(h.cmd(&format!("GETRANGE nk {range}")), want, "{range}");
    }
    assert_eq!(h.cmd("GETRANGE nokey 0 -1"), "$0\r\n\r\n");
    assert_eq!(h.cmd("SUBSTR nk 0 1"), "$2\r\n\\x\r\n");
}

#[test]
fn write_to_lazily_expired_key_wraps_del_and_write_in_multi() {
    // Real Redis with active expiry off: SET/INCR/APPEND/SET NX on an
    // expired key propagate MULTI, DEL k, <write>, EXEC; a read propagates a
    // bare DEL; DEL of an expired key replies 0 and propagates only the DEL.
    let mut h = H::master();
    for k in ["a", "b", "c", "d", "e", "f", "g"] {
        h.cmd(&format!("SET {k} 1 PX 50"));
    }
    h.advance(100);
    h.stream();
    let cases = [
        ("SET a v2", OK, vec!["MULTI", "DEL a", "SET a v2", "EXEC"]),
        ("INCR b", ":1\r\n", vec!["MULTI", "DEL b", "INCR b", "EXEC"]),
        ("GET c", NIL, vec!["DEL c"]),
        ("EXISTS d", ":0\r\n", vec!["DEL d"]),
        ("SET e x NX", OK, vec!["MULTI", "DEL e", "SET e x NX", "EXEC"]),
        ("APPEND f z", ":1\r\n", vec!["MULTI", "DEL f", "APPEND f z", "EXEC"]),
        ("DEL g", ":0\r\n", vec!["DEL g"]),
    ];
    for (line, reply, stream) in cases {
        assert_eq!(h.cmd(line), reply, "{line}");
        assert_eq!(h.stream(), enc(&stream), "{line}");
    }
    assert_eq!(h.node.server.stats.expired_keys, 7);
}

#[test]
fn keyspace_hits_and_misses_count_read_lookups_only() {
    // Observed with CONFIG RESETSTAT around each command.
    let mut h = H::master();
    let check = |h: &mut H, line: &str, hits: u64, misses: u64| {
        let before = (h.node.server.stats.keyspace_hits, h.node.server.stats.keyspace_misses);
        h.cmd(line);
        let s = &h.node.server.stats;
        assert_eq!((s.keyspace_hits - before.0, s.keyspace_misses - before.1), (hits, misses), "{line}");
    };
    for (line, hits, misses) in [
        ("SET k v", 0, 0),
        ("SET k v GET", 1, 0),
        ("SET n v GET", 0, 1),
        ("GETSET k x", 1, 0),
        ("GETDEL k", 1, 0),
        ("GETEX zz", 0, 1),
        ("INCR i", 0, 0),
        ("APPEND a x", 0, 0),
        ("COPY a b", 1, 0),
        ("RENAME a c", 0, 0),
        ("EXPIRE c 100", 0, 0),
        ("DEL c", 0, 0),
        ("EXISTS zz", 0, 1),
        ("TYPE zz", 0, 1),
        ("TTL zz", 0, 1),
        ("STRLEN zz", 0, 1),
        ("MGET zz b", 1, 1),
        ("KEYS *", 0, 0),
        ("RANDOMKEY", 0, 0),
        ("GET b", 1, 0),
    ] {
        check(&mut h, line, hits, misses);
    }
}
