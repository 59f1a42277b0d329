//! RDB snapshots against a real `redis-server` 7.0 (the specification).
//!
//! Each test starts its own server through conformance's [`RealRedis`] (a
//! free port, a private directory, stopped on drop even when the test
//! panics). A missing `redis-server` FAILS these tests: CI installs it.
//!
//! - single values: `DUMP` from Redis equals our [`dump_payload`] byte for
//!   byte (strings with int/LZF encodings, listpacks, intsets, quicklists);
//! - our snapshots pass `redis-check-rdb`, load into Redis with the same
//!   keys, values, TTLs and encodings, and are exactly as long as Redis's
//!   own `SAVE` of the loaded data;
//! - a dataset built with commands on Redis and `SAVE`d decodes to the same
//!   keyspace; so does a full-resync payload, with its replication aux fields.

use std::collections::VecDeque;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use indexmap::{IndexMap, IndexSet};
use replscope_conformance::client::Client;
use replscope_conformance::real::{RealRedis, RealRedisBuilder, ReplicaLink};
use replscope_core::keyspace::{Keyspace, SortedSet, Value};
use replscope_core::rdb::{self, ReplInfo, SaveInfo, dump_payload, encode_keyspace};
use replscope_core::resp::Frame;

// ---------------------------------------------------------------------------
// Talking to the server.

/// Starts the server; a missing binary fails the test.
fn start(builder: RealRedisBuilder) -> RealRedis {
    builder.start().expect("redis-server must be installed (apt-get install redis-server)")
}

fn client(redis: &RealRedis) -> Client {
    redis.client().expect("connect to redis-server")
}

/// Sends `argv` and returns the reply; an error reply fails the test.
fn cmd_ok<A: AsRef<[u8]>>(c: &mut Client, argv: &[A]) -> Frame {
    let (reply, _) = c.call(argv).expect("redis-server connection");
    if let Frame::Error(e) = &reply {
        panic!("{e}");
    }
    reply
}

fn bulk(reply: &Frame) -> Vec<u8> {
    match reply {
        Frame::Bulk(b) => b.clone(),
        other => panic!("expected a bulk string, got {other:?}"),
    }
}

fn int(reply: &Frame) -> i64 {
    match reply {
        Frame::Integer(n) => *n,
        other => panic!("expected an integer, got {other:?}"),
    }
}

fn items(reply: &Frame) -> Vec<Vec<u8>> {
    match reply {
        Frame::Array(items) => items.iter().map(bulk).collect(),
        other => panic!("expected an array, got {other:?}"),
    }
}

fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_millis() as u64
}

/// Reads every key of every db from a live server into a keyspace.
fn fetch_keyspace(c: &mut Client) -> Keyspace {
    let mut ks = Keyspace::default();
    for index in 0..ks.count() {
        cmd_ok(c, &["SELECT", &index.to_string()]);
        for key in items(&cmd_ok(c, &["KEYS", "*"])) {
            let k = key.as_slice();
            let ty = match cmd_ok(c, &[&b"TYPE"[..], k]) {
                Frame::Simple(t) => t,
                other => panic!("TYPE gave {other:?}"),
            };
            let value = match &*ty {
                "string" => Value::String(bulk(&cmd_ok(c, &[&b"GET"[..], k]))),
                "list" => Value::List(items(&cmd_ok(c, &[&b"LRANGE"[..], k, b"0", b"-1"])).into()),
                "hash" => {
                    let flat = items(&cmd_ok(c, &[&b"HGETALL"[..], k]));
                    Value::Hash(flat.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect())
                }
                "set" => Value::Set(items(&cmd_ok(c, &[&b"SMEMBERS"[..], k])).into_iter().collect()),
                "zset" => {
                    let flat = items(&cmd_ok(c, &[&b"ZRANGE"[..], k, b"0", b"-1", b"WITHSCORES"]));
                    let mut z = SortedSet::new();
                    for p in flat.chunks(2) {
                        z.insert(p[0].clone(), String::from_utf8_lossy(&p[1]).parse().expect("score"));
                    }
                    Value::ZSet(z)
                }
                other => panic!("unexpected type {other}"),
            };
            let db = ks.db_mut(index);
            db.put(key.clone(), value);
            let when = int(&cmd_ok(c, &[&b"PEXPIRETIME"[..], k]));
            if when >= 0 {
                db.set_expire(k, when as u64);
            }
        }
    }
    cmd_ok(c, &["SELECT", "0"]);
    ks
}

// ---------------------------------------------------------------------------
// Test data.

/// Deterministic pseudo-random bytes from a small alphabet, so LZF finds
/// matches of all lengths and distances.
fn text(seed: u64, len: usize, alphabet: &[u8]) -> Vec<u8> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            alphabet[((x >> 33) % alphabet.len() as u64) as usize]
        })
        .collect()
}

fn strings_to_test() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = [
        "",
        "a",
        "0",
        "-1",
        "127",
        "128",
        "-128",
        "-129",
        "32767",
        "32768",
        "-32768",
        "2147483647",
        "2147483648",
        "-2147483648",
        "-2147483649",
        "12345678901",
        "01",
        "+5",
        "1.5",
        "hello world",
        "aaaaaaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaaaaaaaa",
        "12345678901234567890123",
        "abcabcabcabcabcabcabcabcabc",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    for (i, len) in [21, 22, 25, 30, 40, 64, 100, 200, 300, 1000, 5000, 9000, 70000].into_iter().enumerate() {
        v.push(text(i as u64, len, b"ab"));
        v.push(text(i as u64 + 100, len, b"abcd"));
        v.push(text(i as u64 + 200, len, b"abcdefgh"));
        v.push(text(i as u64 + 300, len, b"abcdefghijklmnopqrstuvwxyz0123456789"));
        v.push(vec![b'x'; len]);
    }
    // Match lengths near the end of the input and near the 264-byte cap.
    for tail in 15..24 {
        let mut s = text(7, 24, b"abcdefghijklmnop");
        let head = s.clone();
        s.extend_from_slice(&head[..tail]);
        v.push(s);
    }
    for n in [262, 263, 264, 265, 266, 520, 530] {
        let mut s = b"0123456789ABCDEFGHIJ".to_vec();
        s.extend(std::iter::repeat_n(b'z', n));
        v.push(s);
    }
    v
}

fn list_to_test() -> Vec<Vec<u8>> {
    let mut items = Vec::new();
    for i in 0..3000u64 {
        items.push(match i % 7 {
            0 => i.to_string().into_bytes(),
            1 => format!("-{}", i * 1000).into_bytes(),
            2 => text(i, 10, b"abc"),
            3 => text(i, 70, b"abcdef"),
            4 => text(i, 300, b"ab"),
            5 => (i * 1_000_000_007).to_string().into_bytes(),
            _ => vec![b'q'; (i % 50) as usize],
        });
    }
    items.push(text(1, 20000, b"abcdefghijklmnopqrstuvwxyz"));
    items.push(b"after the big one".to_vec());
    items.push(text(2, 8000, b"abcdefghijklmnopqrstuvwxyz"));
    items.push(text(3, 16400, b"ab"));
    items
}

fn scores_to_test() -> Vec<f64> {
    vec![
        1.0,
        -3.0,
        1.5,
        0.1,
        1e20,
        -2.5e-10,
        1.1,
        2.675,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e16,
        4503599627370496.0,
        4503599627370495.0,
        0.0001,
        0.00001,
        123456.789,
        -0.5,
        1e300,
        5e-324,
    ]
}

/// Formats a score for ZADD the way Redis reads it back exactly.
fn score_arg(s: f64) -> String {
    if s.is_infinite() { if s > 0.0 { "+inf".into() } else { "-inf".into() } } else { format!("{s:e}") }
}

/// Builds `key → value` on a real server with commands and returns it.
fn put(c: &mut Client, key: &[u8], value: &Value) {
    cmd_ok(c, &[&b"DEL"[..], key]);
    match value {
        Value::String(s) => {
            cmd_ok(c, &[&b"SET"[..], key, s]);
        }
        Value::List(items) => {
            for chunk in items.iter().collect::<Vec<_>>().chunks(500) {
                let mut argv: Vec<&[u8]> = vec![b"RPUSH", key];
                argv.extend(chunk.iter().map(|e| e.as_slice()));
                cmd_ok(c, &argv);
            }
        }
        Value::Hash(map) => {
            for (f, v) in map {
                cmd_ok(c, &[&b"HSET"[..], key, f, v]);
            }
        }
        Value::Set(set) => {
            for m in set {
                cmd_ok(c, &[&b"SADD"[..], key, m]);
            }
        }
        Value::ZSet(z) => {
            for (m, s) in z.iter() {
                cmd_ok(c, &[&b"ZADD"[..], key, score_arg(s).as_bytes(), m]);
            }
        }
    }
}

fn sample_values() -> Vec<(Vec<u8>, Value)> {
    let mut out: Vec<(Vec<u8>, Value)> = Vec::new();
    for (i, s) in strings_to_test().into_iter().enumerate() {
        out.push((format!("str:{i}").into_bytes(), Value::String(s)));
    }
    out.push((
        b"list:small".to_vec(),
        Value::List(VecDeque::from(vec![b"a".to_vec(), b"1".to_vec(), b"-5000".to_vec()])),
    ));
    out.push((b"list:big".to_vec(), Value::List(list_to_test().into())));
    out.push((
        b"list:ints".to_vec(),
        Value::List((0..5000).map(|i: i64| (i * 37 - 90000).to_string().into_bytes()).collect()),
    ));
    let small_hash: IndexMap<Vec<u8>, Vec<u8>> = (0..512)
        .map(|i: u64| {
            (
                format!("field{i}").into_bytes(),
                if i.is_multiple_of(2) { i.to_string().into_bytes() } else { text(i, 64, b"xyz") },
            )
        })
        .collect();
    out.push((b"hash:small".to_vec(), Value::Hash(small_hash)));
    out.push((
        b"hash:ints".to_vec(),
        Value::Hash((0..10).map(|i: i64| (i.to_string().into_bytes(), (-i * 4096).to_string().into_bytes())).collect()),
    ));
    out.push((
        b"set:intset".to_vec(),
        Value::Set([5i64, -3, 100000, 7].iter().map(|v| v.to_string().into_bytes()).collect()),
    ));
    out.push((
        b"set:intset64".to_vec(),
        Value::Set([1i64, i64::MAX, i64::MIN].iter().map(|v| v.to_string().into_bytes()).collect()),
    ));
    out.push((
        b"set:intset512".to_vec(),
        Value::Set((0..512).map(|v: i64| (v * 3).to_string().into_bytes()).collect()),
    ));
    let mut zsmall = SortedSet::new();
    for (i, s) in scores_to_test().into_iter().enumerate() {
        zsmall.insert(format!("m{i}").into_bytes(), s);
    }
    zsmall.insert(b"42".to_vec(), 2.0);
    out.push((b"zset:small".to_vec(), Value::ZSet(zsmall)));
    let mut zbig = SortedSet::new();
    for i in 0..300u64 {
        zbig.insert(format!("member:{i}").into_bytes(), (i % 17) as f64 * 0.25);
    }
    out.push((b"zset:big".to_vec(), Value::ZSet(zbig)));
    let mut zlong = SortedSet::new();
    zlong.insert(vec![b'L'; 65], 1.0);
    zlong.insert(b"short".to_vec(), 2.0);
    out.push((b"zset:longmember".to_vec(), Value::ZSet(zlong)));
    out
}

/// Values whose serialized order is Redis's random hash-table order, so
/// only their content can be compared.
fn sample_unordered_values() -> Vec<(Vec<u8>, Value)> {
    let big_hash: IndexMap<Vec<u8>, Vec<u8>> =
        (0..600).map(|i: u64| (format!("f{i}").into_bytes(), text(i, 30, b"abc"))).collect();
    let mut long_value = IndexMap::new();
    long_value.insert(b"f".to_vec(), vec![b'v'; 65]);
    let mixed_set: IndexSet<Vec<u8>> =
        (0..50).map(|i: u64| format!("m{i}").into_bytes()).chain([b"7".to_vec()]).collect();
    let big_int_set: IndexSet<Vec<u8>> = (0..600).map(|i: u64| i.to_string().into_bytes()).collect();
    vec![
        (b"hash:big".to_vec(), Value::Hash(big_hash)),
        (b"hash:longvalue".to_vec(), Value::Hash(long_value)),
        (b"set:mixed".to_vec(), Value::Set(mixed_set)),
        (b"set:bigints".to_vec(), Value::Set(big_int_set)),
    ]
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `None` when equal, else where and how two byte strings first differ.
fn first_difference(real: &[u8], ours: &[u8]) -> Option<String> {
    if real == ours {
        return None;
    }
    let at = real.iter().zip(ours).position(|(a, b)| a != b).unwrap_or(real.len().min(ours.len()));
    let from = at.saturating_sub(8);
    Some(format!(
        "lengths real {} ours {}, first difference at byte {at}: real …{} ours …{}",
        real.len(),
        ours.len(),
        hex(&real[from..real.len().min(at + 16)]),
        hex(&ours[from..ours.len().min(at + 16)])
    ))
}

fn encoding(c: &mut Client, key: &[u8]) -> String {
    String::from_utf8(bulk(&cmd_ok(c, &[&b"OBJECT"[..], b"ENCODING", key]))).expect("utf8")
}

// ---------------------------------------------------------------------------
// Tests.

#[test]
fn dump_payloads_are_byte_identical_to_redis() {
    let redis = start(RealRedis::builder());
    let mut c = client(&redis);
    let mut mismatches = Vec::new();
    for (key, value) in sample_values() {
        put(&mut c, &key, &value);
        let real = bulk(&cmd_ok(&mut c, &[&b"DUMP"[..], &key]));
        let ours = dump_payload(&value, true);
        if let Some(diff) = first_difference(&real, &ours) {
            mismatches.push(format!("{}: {diff}", String::from_utf8_lossy(&key)));
        }
    }
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[test]
fn dump_payloads_without_compression_match_redis() {
    let redis = start(RealRedis::builder());
    let mut c = client(&redis);
    cmd_ok(&mut c, &["CONFIG", "SET", "rdbcompression", "no"]);
    for (key, value) in sample_values().into_iter().filter(|(k, _)| k.starts_with(b"str:") || k == b"list:big") {
        put(&mut c, &key, &value);
        let real = bulk(&cmd_ok(&mut c, &[&b"DUMP"[..], &key]));
        let diff = first_difference(&real, &dump_payload(&value, false));
        assert!(diff.is_none(), "{}: {}", String::from_utf8_lossy(&key), diff.unwrap_or_default());
    }
}

/// A keyspace with every kind of value, several dbs and TTLs in the future.
fn rich_keyspace(now_ms: u64) -> Keyspace {
    let mut ks = Keyspace::default();
    for (i, (key, value)) in sample_values().into_iter().chain(sample_unordered_values()).enumerate() {
        let db = ks.db_mut(i % 3 * 4); // dbs 0, 4 and 8
        db.put(key.clone(), value);
        if i % 4 == 1 {
            db.set_expire(&key, now_ms + 3_600_000 + i as u64);
        }
    }
    ks.db_mut(15).put(b"last-db".to_vec(), Value::String(b"x".to_vec()));
    ks.db_mut(15).set_expire(b"last-db", now_ms + 86_400_000);
    ks
}

#[test]
fn core_snapshot_passes_check_rdb_and_loads_into_redis() {
    let now = unix_ms();
    let ks = rich_keyspace(now);
    let info = SaveInfo { ctime_secs: now / 1000, used_mem: 1_000_000, repl: None, compression: true };
    let ours = encode_keyspace(&ks, &info);

    let dir = std::env::temp_dir().join(format!("replscope-check-rdb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("ours.rdb");
    std::fs::write(&file, &ours).expect("write");
    let out = Command::new("redis-check-rdb").arg(&file).output().expect("redis-check-rdb must be installed");
    let _ = std::fs::remove_dir_all(&dir);
    let report = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && report.contains("RDB looks OK"), "redis-check-rdb:\n{report}");

    let mut redis = start(RealRedis::builder().dump_rdb(&ours));
    let mut c = client(&redis);
    assert_eq!(fetch_keyspace(&mut c), ks, "content loaded by redis-server differs");

    // Same encodings as ours, and byte-identical values where the order is
    // deterministic.
    for (key, value) in sample_values() {
        let db = (0..16).find(|&d| ks.db(d).contains(&key)).expect("key placed");
        cmd_ok(&mut c, &["SELECT", &db.to_string()]);
        let real = bulk(&cmd_ok(&mut c, &[&b"DUMP"[..], &key]));
        let diff = first_difference(&real, &dump_payload(&value, true));
        assert!(diff.is_none(), "{}: {}", String::from_utf8_lossy(&key), diff.unwrap_or_default());
    }
    cmd_ok(&mut c, &["SELECT", "0"]);
    let expected_encodings: [(&[u8], &str); 6] = [
        (b"hash:small", "listpack"),
        (b"set:intset512", "intset"),
        (b"zset:big", "skiplist"),
        (b"list:big", "quicklist"),
        (b"str:5", "int"),
        (b"zset:longmember", "skiplist"),
    ];
    for (key, enc) in expected_encodings {
        let db = (0..16).find(|&d| ks.db(d).contains(key)).expect("key placed");
        cmd_ok(&mut c, &["SELECT", &db.to_string()]);
        assert_eq!(encoding(&mut c, key), enc, "{}", String::from_utf8_lossy(key));
    }

    // Redis's own SAVE of what it loaded has exactly our size (key order,
    // ctime and used-mem differ, their encoded widths do not).
    let real = redis.save().expect("SAVE");
    if real.len() != ours.len() {
        let mut report = String::new();
        for (key, value) in sample_unordered_values() {
            let db = (0..16).find(|&d| ks.db(d).contains(&key)).expect("key placed");
            cmd_ok(&mut c, &["SELECT", &db.to_string()]);
            let real = bulk(&cmd_ok(&mut c, &[&b"DUMP"[..], &key]));
            let ours = dump_payload(&value, true);
            report += &format!("{}: real {} ours {}\n", String::from_utf8_lossy(&key), real.len(), ours.len());
        }
        panic!("snapshot size: real {} ours {}\n{report}", real.len(), ours.len());
    }
    let reloaded = rdb::decode(&real).expect("decode Redis's SAVE");
    assert_eq!(reloaded.keyspace, ks);
}

#[test]
fn redis_save_of_a_command_built_dataset_decodes_identically() {
    let mut redis = start(RealRedis::builder());
    let mut c = client(&redis);
    let mut expected = Keyspace::default();
    let future = unix_ms() + 7_200_000;
    for (i, (key, value)) in sample_values().into_iter().chain(sample_unordered_values()).enumerate() {
        let db = i % 4;
        cmd_ok(&mut c, &["SELECT", &db.to_string()]);
        put(&mut c, &key, &value);
        expected.db_mut(db).put(key.clone(), value);
        if i % 3 == 0 {
            let when = future + i as u64;
            cmd_ok(&mut c, &[&b"PEXPIREAT"[..], &key, when.to_string().as_bytes()]);
            expected.db_mut(db).set_expire(&key, when);
        }
    }
    // History-dependent encodings Redis keeps: a hash that grew past 512
    // fields and shrank stays a hash table, a list built with LPUSH and
    // LINSERT has different nodes. Content must still match.
    cmd_ok(&mut c, &["SELECT", "5"]);
    let mut shrunk = IndexMap::new();
    for i in 0..600u64 {
        cmd_ok(&mut c, &["HSET", "shrunk", &format!("f{i}"), &i.to_string()]);
        shrunk.insert(format!("f{i}").into_bytes(), i.to_string().into_bytes());
    }
    for i in 5..600u64 {
        cmd_ok(&mut c, &["HDEL", "shrunk", &format!("f{i}")]);
        shrunk.shift_remove(format!("f{i}").as_bytes());
    }
    expected.db_mut(5).put(b"shrunk".to_vec(), Value::Hash(shrunk));
    let mut pushed = VecDeque::new();
    for i in 0..2000u64 {
        let item = text(i, (i % 40) as usize, b"abcdef");
        cmd_ok(&mut c, &[&b"LPUSH"[..], b"pushed", &item]);
        pushed.push_front(item);
    }
    cmd_ok(&mut c, &["LINSERT", "pushed", "BEFORE", "", "inserted"]);
    let pos = pushed.iter().position(|e| e.is_empty()).expect("an empty element");
    pushed.insert(pos, b"inserted".to_vec());
    expected.db_mut(5).put(b"pushed".to_vec(), Value::List(pushed));
    cmd_ok(&mut c, &["SELECT", "0"]);

    assert_eq!(fetch_keyspace(&mut c), expected, "test bookkeeping");
    let snapshot = rdb::decode(&redis.save().expect("SAVE")).expect("decode Redis's SAVE");
    assert_eq!(snapshot.keyspace, expected);
    assert_eq!(snapshot.aux_field("redis-ver"), Some(&b"7.0.15"[..]));
    assert_eq!(snapshot.aux_field("redis-bits"), Some(&b"64"[..]));
    assert_eq!(snapshot.repl_id(), None, "a master without replicas writes no repl-* fields");
    let names: Vec<String> = snapshot.aux.iter().map(|(k, _)| String::from_utf8_lossy(k).into_owned()).collect();
    assert_eq!(names, ["redis-ver", "redis-bits", "ctime", "used-mem", "aof-base"]);
}

#[test]
fn full_resync_payload_decodes_and_our_aux_fields_match() {
    // Disk-based: the payload is the RDB file BGSAVE wrote, sent as `$<len>`.
    let redis = start(RealRedis::builder().config("repl-diskless-sync", "no"));
    let mut c = client(&redis);
    cmd_ok(&mut c, &["SELECT", "3"]);
    cmd_ok(&mut c, &["SET", "k", "v"]);
    // `+FULLRESYNC <id> <offset>`, then the RDB.
    let (_link, sync) = ReplicaLink::attach(redis.port).expect("PSYNC ? -1 gives a full resync");
    let (replid, offset, payload) = (sync.replid, sync.offset, sync.rdb);
    let snapshot = rdb::decode(&payload).expect("decode full-sync payload");
    let names: Vec<String> = snapshot.aux.iter().map(|(k, _)| String::from_utf8_lossy(k).into_owned()).collect();
    assert_eq!(
        names,
        ["redis-ver", "redis-bits", "ctime", "used-mem", "repl-stream-db", "repl-id", "repl-offset", "aof-base"]
    );
    assert_eq!(snapshot.repl_id(), Some(replid.as_str()));
    assert_eq!(snapshot.repl_offset(), Some(offset as i64));
    assert_eq!(snapshot.keyspace.db(3).get(b"k"), Some(&Value::String(b"v".to_vec())));

    // Our encoding of the same state, with Redis's ctime and used-mem, is
    // the same file byte for byte.
    let ctime: u64 = snapshot.ctime().expect("ctime") as u64;
    let used_mem: u64 =
        String::from_utf8_lossy(snapshot.aux_field("used-mem").expect("used-mem")).parse().expect("int");
    let repl = ReplInfo {
        stream_db: snapshot.repl_stream_db().expect("repl-stream-db") as usize,
        replid: replid.clone(),
        offset,
    };
    let ours = encode_keyspace(
        &snapshot.keyspace,
        &SaveInfo { ctime_secs: ctime, used_mem, repl: Some(repl), compression: true },
    );
    let diff = first_difference(&payload, &ours);
    assert!(diff.is_none(), "{}", diff.unwrap_or_default());
}
