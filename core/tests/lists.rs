//! List commands against transcripts recorded on a real Redis 7.0.15
//! (`redis-server --save '' --repl-diskless-sync no`, a raw `PSYNC ? -1`
//! connection reading the replication stream): every reply and every
//! propagated byte must match.

mod transcript;
use transcript::*;

/// Observed on Redis 7.0.15 (`lists.txt`): command, reply bytes, bytes fed to replicas.
const LIST_BASICS: &[Step] = &[
    step("LPOP nokey", "$-1\r\n", ""),
    step("LPOP nokey 2", "*-1\r\n", ""),
    step("RPOP nokey 0", "*-1\r\n", ""),
    step("LPOP nokey -1", "-ERR value is out of range, must be positive\r\n", ""),
    step("LPOP nokey abc", "-ERR value is out of range, must be positive\r\n", ""),
    step("LPOP a b c", "-ERR wrong number of arguments for 'lpop' command\r\n", ""),
    step(
        "RPUSH l a b c",
        ":3\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*5\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    ),
    step("LPUSH l x y", ":5\r\n", "*4\r\n$5\r\nLPUSH\r\n$1\r\nl\r\n$1\r\nx\r\n$1\r\ny\r\n"),
    step("LRANGE l 0 -1", "*5\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", ""),
    step("LPOP l 0", "*0\r\n", ""),
    step("LPOP l 2", "*2\r\n$1\r\ny\r\n$1\r\nx\r\n", "*3\r\n$4\r\nLPOP\r\n$1\r\nl\r\n$1\r\n2\r\n"),
    step("RPOP l 1", "*1\r\n$1\r\nc\r\n", "*3\r\n$4\r\nRPOP\r\n$1\r\nl\r\n$1\r\n1\r\n"),
    step("LPOP l -1", "-ERR value is out of range, must be positive\r\n", ""),
    step("LPOP l 0", "*0\r\n", ""),
    step("RPOP l 10", "*2\r\n$1\r\nb\r\n$1\r\na\r\n", "*3\r\n$4\r\nRPOP\r\n$1\r\nl\r\n$2\r\n10\r\n"),
    step("EXISTS l", ":0\r\n", ""),
    step("RPUSH l a", ":1\r\n", "*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n"),
    step("LPOP l 0", "*0\r\n", ""),
    step("LPOP l", "$1\r\na\r\n", "*2\r\n$4\r\nLPOP\r\n$1\r\nl\r\n"),
    step("EXISTS l", ":0\r\n", ""),
    step("LPUSHX nokey a", ":0\r\n", ""),
    step("RPUSHX nokey a b", ":0\r\n", ""),
    step(
        "RPUSH l a b c d e",
        ":5\r\n",
        "*7\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
    ),
    step("LPUSHX l z", ":6\r\n", "*3\r\n$6\r\nLPUSHX\r\n$1\r\nl\r\n$1\r\nz\r\n"),
    step("LRANGE l 0 -1", "*6\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("LRANGE l -100 100", "*6\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("LRANGE l 3 1", "*0\r\n", ""),
    step("LRANGE l 10 20", "*0\r\n", ""),
    step("LRANGE l a 1", "-ERR value is not an integer or out of range\r\n", ""),
    step("LRANGE l 1 b", "-ERR value is not an integer or out of range\r\n", ""),
    step("LRANGE nokey 0 -1", "*0\r\n", ""),
    step("LLEN l", ":6\r\n", ""),
    step("LLEN nokey", ":0\r\n", ""),
    step("LINDEX l 0", "$1\r\nz\r\n", ""),
    step("LINDEX l -1", "$1\r\ne\r\n", ""),
    step("LINDEX l 100", "$-1\r\n", ""),
    step("LINDEX l x", "-ERR value is not an integer or out of range\r\n", ""),
    step("LINDEX nokey 0", "$-1\r\n", ""),
    step("LSET l 0 Z", "+OK\r\n", "*4\r\n$4\r\nLSET\r\n$1\r\nl\r\n$1\r\n0\r\n$1\r\nZ\r\n"),
    step("LSET l 100 Z", "-ERR index out of range\r\n", ""),
    step("LSET l -100 Z", "-ERR index out of range\r\n", ""),
    step("LSET nokey 0 Z", "-ERR no such key\r\n", ""),
    step("LSET l x Z", "-ERR value is not an integer or out of range\r\n", ""),
    step("LSET l -1 E", "+OK\r\n", "*4\r\n$4\r\nLSET\r\n$1\r\nl\r\n$2\r\n-1\r\n$1\r\nE\r\n"),
    step("LRANGE l 0 -1", "*6\r\n$1\r\nZ\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\nE\r\n", ""),
    step("SET str v", "+OK\r\n", "*3\r\n$3\r\nSET\r\n$3\r\nstr\r\n$1\r\nv\r\n"),
    step("LPUSH str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("LRANGE str 0 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("LLEN str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("LPOP str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("LPOP str 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("LSET str 0 a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("LINDEX str 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("LPUSHX str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("LPOP l 01", "-ERR value is out of range, must be positive\r\n", ""),
    step("LPOP l +1", "-ERR value is out of range, must be positive\r\n", ""),
    step(
        "LPOP l 9223372036854775807",
        "*6\r\n$1\r\nZ\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\nE\r\n",
        "*3\r\n$4\r\nLPOP\r\n$1\r\nl\r\n$19\r\n9223372036854775807\r\n",
    ),
];

/// Observed on Redis 7.0.15 (`lists2.txt`): command, reply bytes, bytes fed to replicas.
const LIST_EDITS: &[Step] = &[
    step(
        "RPUSH l a b a c a d a",
        ":7\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*9\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\na\r\n",
    ),
    step("LREM l 0 zz", ":0\r\n", ""),
    step("LREM l 2 a", ":2\r\n", "*4\r\n$4\r\nLREM\r\n$1\r\nl\r\n$1\r\n2\r\n$1\r\na\r\n"),
    step("LRANGE l 0 -1", "*5\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\na\r\n", ""),
    step("LREM l -1 a", ":1\r\n", "*4\r\n$4\r\nLREM\r\n$1\r\nl\r\n$2\r\n-1\r\n$1\r\na\r\n"),
    step("LRANGE l 0 -1", "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n", ""),
    step("LREM l 0 a", ":1\r\n", "*4\r\n$4\r\nLREM\r\n$1\r\nl\r\n$1\r\n0\r\n$1\r\na\r\n"),
    step("LRANGE l 0 -1", "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", ""),
    step("LREM l x a", "-ERR value is not an integer or out of range\r\n", ""),
    step("LREM nokey 1 a", ":0\r\n", ""),
    step("LREM l 0 b", ":1\r\n", "*4\r\n$4\r\nLREM\r\n$1\r\nl\r\n$1\r\n0\r\n$1\r\nb\r\n"),
    step("LREM l 0 c", ":1\r\n", "*4\r\n$4\r\nLREM\r\n$1\r\nl\r\n$1\r\n0\r\n$1\r\nc\r\n"),
    step("LREM l 0 d", ":1\r\n", "*4\r\n$4\r\nLREM\r\n$1\r\nl\r\n$1\r\n0\r\n$1\r\nd\r\n"),
    step("EXISTS l", ":0\r\n", ""),
    step(
        "RPUSH l a b c d e",
        ":5\r\n",
        "*7\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n",
    ),
    step("LTRIM l 0 -1", "+OK\r\n", ""),
    step("LTRIM l 1 -2", "+OK\r\n", "*4\r\n$5\r\nLTRIM\r\n$1\r\nl\r\n$1\r\n1\r\n$2\r\n-2\r\n"),
    step("LRANGE l 0 -1", "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", ""),
    step("LTRIM l 5 10", "+OK\r\n", "*4\r\n$5\r\nLTRIM\r\n$1\r\nl\r\n$1\r\n5\r\n$2\r\n10\r\n"),
    step("EXISTS l", ":0\r\n", ""),
    step("LTRIM nokey 0 1", "+OK\r\n", ""),
    step("LTRIM nokey x 1", "-ERR value is not an integer or out of range\r\n", ""),
    step("RPUSH l a b c", ":3\r\n", "*5\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    step("LTRIM l 0 100", "+OK\r\n", ""),
    step("LTRIM l -100 0", "+OK\r\n", "*4\r\n$5\r\nLTRIM\r\n$1\r\nl\r\n$4\r\n-100\r\n$1\r\n0\r\n"),
    step("LRANGE l 0 -1", "*1\r\n$1\r\na\r\n", ""),
    step("LTRIM l 2 1", "+OK\r\n", "*4\r\n$5\r\nLTRIM\r\n$1\r\nl\r\n$1\r\n2\r\n$1\r\n1\r\n"),
    step("EXISTS l", ":0\r\n", ""),
    step("RPUSH l a b c", ":3\r\n", "*5\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    step("LINSERT l BEFORE b X", ":4\r\n", "*5\r\n$7\r\nLINSERT\r\n$1\r\nl\r\n$6\r\nBEFORE\r\n$1\r\nb\r\n$1\r\nX\r\n"),
    step("LINSERT l after c Y", ":5\r\n", "*5\r\n$7\r\nLINSERT\r\n$1\r\nl\r\n$5\r\nafter\r\n$1\r\nc\r\n$1\r\nY\r\n"),
    step("LINSERT l BEFORE zz X", ":-1\r\n", ""),
    step("LINSERT l middle b X", "-ERR syntax error\r\n", ""),
    step("LINSERT nokey BEFORE b X", ":0\r\n", ""),
    step("LRANGE l 0 -1", "*5\r\n$1\r\na\r\n$1\r\nX\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nY\r\n", ""),
    step("LINSERT l AFTER a a", ":6\r\n", "*5\r\n$7\r\nLINSERT\r\n$1\r\nl\r\n$5\r\nAFTER\r\n$1\r\na\r\n$1\r\na\r\n"),
    step("LRANGE l 0 -1", "*6\r\n$1\r\na\r\n$1\r\na\r\n$1\r\nX\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nY\r\n", ""),
    step("SET str v", "+OK\r\n", "*3\r\n$3\r\nSET\r\n$3\r\nstr\r\n$1\r\nv\r\n"),
    step("LINSERT str BEFORE a b", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("LINSERT str foo a b", "-ERR syntax error\r\n", ""),
    step("LREM str 0 a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("LTRIM str 0 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("LPOS str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
];

/// Observed on Redis 7.0.15 (`lpos.txt`): command, reply bytes, bytes fed to replicas.
const LIST_LPOS: &[Step] = &[
    step(
        "RPUSH l a b c a b c a",
        ":7\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*9\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n",
    ),
    step("LPOS l a", ":0\r\n", ""),
    step("LPOS l z", "$-1\r\n", ""),
    step("LPOS nokey a", "$-1\r\n", ""),
    step("LPOS nokey a COUNT 0", "*0\r\n", ""),
    step("LPOS l z COUNT 0", "*0\r\n", ""),
    step("LPOS l a COUNT 0", "*3\r\n:0\r\n:3\r\n:6\r\n", ""),
    step("LPOS l a COUNT 2", "*2\r\n:0\r\n:3\r\n", ""),
    step("LPOS l a RANK 2", ":3\r\n", ""),
    step("LPOS l a RANK -1", ":6\r\n", ""),
    step("LPOS l a RANK -1 COUNT 0", "*3\r\n:6\r\n:3\r\n:0\r\n", ""),
    step(
        "LPOS l a RANK 0",
        "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
        "",
    ),
    step("LPOS l a RANK -9223372036854775808", ":6\r\n", ""),
    step("LPOS l a COUNT -1", "-ERR COUNT can't be negative\r\n", ""),
    step("LPOS l a MAXLEN -1", "-ERR MAXLEN can't be negative\r\n", ""),
    step("LPOS l a MAXLEN 3 COUNT 0", "*1\r\n:0\r\n", ""),
    step("LPOS l a RANK x", "-ERR value is not an integer or out of range\r\n", ""),
    step("LPOS l a COUNT x", "-ERR COUNT can't be negative\r\n", ""),
    step("LPOS l a MAXLEN x", "-ERR MAXLEN can't be negative\r\n", ""),
    step("LPOS l a FOO 1", "-ERR syntax error\r\n", ""),
    step("LPOS l a RANK", "-ERR syntax error\r\n", ""),
    step("LPOS l a RANK 1 RANK 2", ":3\r\n", ""),
    step("LPOS l a rank 5", "$-1\r\n", ""),
    step("LPOS l a count 0 rank 5", "*0\r\n", ""),
    step("LPOS l a RANK -2 MAXLEN 2", "$-1\r\n", ""),
    step("LPOS l a RANK -2 MAXLEN 4", ":3\r\n", ""),
    step(
        "LPOS nokey a RANK 0",
        "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
        "",
    ),
];

/// Observed on Redis 7.0.15 (`order.txt`): command, reply bytes, bytes fed to replicas.
const ARGUMENT_CHECK_ORDER: &[Step] = &[
    step("SET str v", "+OK\r\n", "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nstr\r\n$1\r\nv\r\n"),
    step("LINDEX nokey x", "$-1\r\n", ""),
    step("LINDEX str x", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("LSET nokey x v", "-ERR no such key\r\n", ""),
    step("LSET str x v", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("LREM str x a", "-ERR value is not an integer or out of range\r\n", ""),
    step("LTRIM str x 1", "-ERR value is not an integer or out of range\r\n", ""),
    step("LRANGE str x 1", "-ERR value is not an integer or out of range\r\n", ""),
    step("LRANGE nokey x 1", "-ERR value is not an integer or out of range\r\n", ""),
    step("LPUSH str", "-ERR wrong number of arguments for 'lpush' command\r\n", ""),
    step("HGET", "-ERR wrong number of arguments for 'hget' command\r\n", ""),
    step("RPUSH l a", ":1\r\n", "*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n"),
    step("LPUSH l b c", ":3\r\n", "*4\r\n$5\r\nLPUSH\r\n$1\r\nl\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    step("LINDEX l -3", "$1\r\nc\r\n", ""),
    step("LINDEX l -4", "$-1\r\n", ""),
    step("LSET l -3 Q", "+OK\r\n", "*4\r\n$4\r\nLSET\r\n$1\r\nl\r\n$2\r\n-3\r\n$1\r\nQ\r\n"),
    step("LSET l 3 Q", "-ERR index out of range\r\n", ""),
    step("LRANGE l 0 -1", "*3\r\n$1\r\nQ\r\n$1\r\nb\r\n$1\r\na\r\n", ""),
    step("HSTRLEN h", "-ERR wrong number of arguments for 'hstrlen' command\r\n", ""),
    step("HMGET h", "-ERR wrong number of arguments for 'hmget' command\r\n", ""),
    step("SMISMEMBER s", "-ERR wrong number of arguments for 'smismember' command\r\n", ""),
    step("LPOS l Q MAXLEN 0", ":0\r\n", ""),
    step("LPOS l Q COUNT 1", "*1\r\n:0\r\n", ""),
    step("LPOS l Q RANK -1 MAXLEN 1", "$-1\r\n", ""),
];

#[test]
fn list_basics_match_redis() {
    replay(LIST_BASICS);
}

#[test]
fn lrem_ltrim_linsert_match_redis() {
    replay(LIST_EDITS);
}

#[test]
fn lpos_matches_redis() {
    replay(LIST_LPOS);
}

#[test]
fn argument_checks_happen_in_redis_order() {
    replay(ARGUMENT_CHECK_ORDER);
}

#[test]
fn a_push_keeps_the_ttl_and_an_emptied_list_loses_it() {
    let mut node = master();
    run(&mut node, "RPUSH l a");
    assert!(node.server.keyspace.db_mut(0).set_expire(b"l", 1_767_225_700_000));
    run(&mut node, "LPUSH l b");
    assert_eq!(node.server.keyspace.db(0).expire_at(b"l"), Some(1_767_225_700_000));
    run(&mut node, "LPOP l 2");
    assert!(!node.server.keyspace.db(0).contains(b"l"));
    assert_eq!(node.server.keyspace.db(0).expire_at(b"l"), None);
}

#[test]
fn an_expired_list_is_gone_for_reads_and_writes() {
    let mut node = master();
    run(&mut node, "RPUSH l a b");
    node.server.keyspace.db_mut(0).set_expire(b"l", 1_767_225_599_000);
    node.server.repl.take_outgoing();
    let (reply, prop) = run(&mut node, "LLEN l");
    assert_eq!(reply, b":0\r\n");
    // The master deletes the expired key and tells replicas so.
    assert_eq!(prop, b"*2\r\n$3\r\nDEL\r\n$1\r\nl\r\n");
}
