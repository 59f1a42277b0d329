//! Generic key commands: replies, errors and propagated bytes, as observed
//! on real Redis 7.0.15 (raw `PSYNC ? -1` replica for the stream).

mod strings_harness;
use strings_harness::{H, T0, enc};

#[test]
fn del_unlink_exists_type() {
    let mut h = H::master();
    h.cmd("MSET a 1 b 2 c 3");
    assert_eq!(h.cmd("DEL a nokey a"), ":1\r\n");
    assert_eq!(h.cmd("DEL nokey"), ":0\r\n");
    assert_eq!(h.cmd("UNLINK b c nokey"), ":2\r\n");
    h.cmd("MSET a 1 b 2");
    assert_eq!(h.cmd("EXISTS a a b nokey"), ":3\r\n");
    assert_eq!(h.cmd("TYPE a"), "+string\r\n");
    assert_eq!(h.cmd("TYPE nokey"), "+none\r\n");
    h.put_list("l");
    assert_eq!(h.cmd("TYPE l"), "+list\r\n");
    assert_eq!(h.stream(), enc(&["SELECT 0", "MSET a 1 b 2 c 3", "DEL a nokey a", "UNLINK b c nokey", "MSET a 1 b 2"]));
}

#[test]
fn keys_is_lexicographic_and_hides_expired_keys_without_deleting() {
    let mut h = H::master();
    h.cmd("MSET b 1 a 1 l 1 ab 1");
    h.cmd("SET x 1 PX 10");
    h.advance(20);
    h.stream();
    assert_eq!(h.cmd("KEYS *"), "*4\r\n$1\r\na\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\nl\r\n");
    assert_eq!(h.cmd("KEYS [ab]"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    assert_eq!(h.cmd("KEYS a*"), "*2\r\n$1\r\na\r\n$2\r\nab\r\n");
    assert_eq!(h.stream(), "");
    assert_eq!(h.node.server.keyspace.db(0).len(), 5);
}

#[test]
fn rename_and_renamenx() {
    let mut h = H::master();
    h.cmd("MSET a 1 b 2");
    assert_eq!(h.cmd("RENAME a x"), "+OK\r\n");
    assert_eq!(h.cmd("RENAME nokey y"), "-ERR no such key\r\n");
    assert_eq!(h.cmd("RENAME x x"), "+OK\r\n");
    assert_eq!(h.cmd("RENAME nokey nokey"), "-ERR no such key\r\n");
    assert_eq!(h.cmd("RENAMENX x b"), ":0\r\n");
    assert_eq!(h.cmd("RENAMENX x x"), ":0\r\n");
    assert_eq!(h.cmd("RENAMENX x y"), ":1\r\n");
    assert_eq!(h.cmd("RENAMENX nokey z"), "-ERR no such key\r\n");
    h.cmd("SET t v EX 100");
    assert_eq!(h.cmd("RENAME t t2"), "+OK\r\n");
    assert_eq!(h.cmd("TTL t2"), ":100\r\n");
    assert_eq!(h.cmd("RENAME y t2"), "+OK\r\n");
    assert_eq!(h.cmd("TTL t2"), ":-1\r\n");
    assert_eq!(
        h.stream(),
        enc(&[
            "SELECT 0",
            "MSET a 1 b 2",
            "RENAME a x",
            "RENAMENX x y",
            &format!("SET t v PXAT {}", T0 + 100_000),
            "RENAME t t2",
            "RENAME y t2",
        ])
    );
}

#[test]
fn copy_options_and_errors() {
    let mut h = H::master();
    h.cmd("SET t3 v EX 100");
    h.stream();
    assert_eq!(h.cmd("COPY t3 t4"), ":1\r\n");
    assert_eq!(h.cmd("TTL t4"), ":100\r\n");
    assert_eq!(h.cmd("COPY t3 t4"), ":0\r\n");
    assert_eq!(h.cmd("COPY t3 t4 REPLACE"), ":1\r\n");
    assert_eq!(h.cmd("COPY t3 t4 DB 1"), ":1\r\n");
    assert_eq!(h.cmd("COPY t3 t3"), "-ERR source and destination objects are the same\r\n");
    assert_eq!(h.cmd("COPY nokey t5"), ":0\r\n");
    assert_eq!(h.cmd("COPY t3 t4 DB 16"), "-ERR DB index is out of range\r\n");
    assert_eq!(h.cmd("COPY t3 t4 DB abc"), "-ERR value is not an integer or out of range\r\n");
    assert_eq!(h.cmd("COPY t3 t4 DB -1"), "-ERR DB index is out of range\r\n");
    assert_eq!(h.cmd("COPY t3 t4 FOO"), "-ERR syntax error\r\n");
    assert_eq!(h.cmd("COPY t3 t4 DB"), "-ERR syntax error\r\n");
    assert_eq!(h.cmd("COPY t3 t4 DB 0 REPLACE"), ":1\r\n");
    assert_eq!(h.stream(), enc(&["COPY t3 t4", "COPY t3 t4 REPLACE", "COPY t3 t4 DB 1", "COPY t3 t4 DB 0 REPLACE"]));
    assert_eq!(h.node.server.keyspace.db(1).expire_at(b"t4"), Some(T0 + 100_000));
}

#[test]
fn randomkey_is_seeded_and_skips_expired_keys_on_a_master() {
    let mut h = H::master();
    assert_eq!(h.cmd("RANDOMKEY"), "$-1\r\n");
    h.cmd("SET only v PX 10");
    h.advance(20);
    h.stream();
    assert_eq!(h.cmd("RANDOMKEY"), "$-1\r\n");
    assert_eq!(h.stream(), enc(&["DEL only"]));
    h.cmd("MSET a 1 b 2 c 3");
    let first: Vec<String> = (0..5).map(|_| h.cmd("RANDOMKEY")).collect();
    let mut again = H::master();
    again.cmd("SET only v PX 10");
    again.advance(20);
    again.cmd("RANDOMKEY");
    again.cmd("MSET a 1 b 2 c 3");
    let second: Vec<String> = (0..5).map(|_| again.cmd("RANDOMKEY")).collect();
    assert_eq!(first, second, "same seed, same picks");
}

#[test]
fn odd_arguments_never_panic() {
    let weird: &[&[u8]] = &[
        b"",
        b"0",
        b"-1",
        b"9223372036854775807",
        b"-9223372036854775808",
        b"EX",
        b"px",
        b"GET",
        b"nx\0x",
        b"\xff\xfe",
        b"1e4932",
        b"0x1p3",
        b"*",
        b"[",
        b"\\",
        b"KEEPTTL",
        b"DB",
        b"REPLACE",
        b"PERSIST",
        b"k",
    ];
    let cmds = [
        "get",
        "set",
        "setnx",
        "setex",
        "psetex",
        "getset",
        "getdel",
        "getex",
        "mget",
        "mset",
        "msetnx",
        "incr",
        "decr",
        "incrby",
        "decrby",
        "incrbyfloat",
        "append",
        "strlen",
        "setrange",
        "getrange",
        "substr",
        "del",
        "unlink",
        "exists",
        "type",
        "keys",
        "rename",
        "renamenx",
        "randomkey",
        "copy",
        "expire",
        "pexpire",
        "expireat",
        "pexpireat",
        "ttl",
        "pttl",
        "expiretime",
        "pexpiretime",
        "persist",
    ];
    let mut h = H::master();
    let mut seed = 1u64;
    for _ in 0..20_000 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let cmd = cmds[(seed >> 33) as usize % cmds.len()];
        let n = (seed >> 20) as usize % 6;
        let mut argv: Vec<&[u8]> = vec![cmd.as_bytes()];
        for i in 0..n {
            argv.push(weird[(seed >> (i * 5)) as usize % weird.len()]);
        }
        h.run(&argv);
        h.advance(seed % 3);
    }
}
