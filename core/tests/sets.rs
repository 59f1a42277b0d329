//! Set commands against transcripts recorded on a real Redis 7.0.15
//! (replies and replication stream bytes, byte for byte). Replies that
//! depend on SPOP/SRANDMEMBER randomness or on Redis's hash-table order are
//! replayed unchecked; the shape of random results is tested separately.

mod transcript;
use transcript::*;

/// Observed on Redis 7.0.15 (`sets.txt`): command, reply bytes, bytes fed to replicas.
const SET_BASICS: &[Step] = &[
    step(
        "SADD s c a b a",
        ":3\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*6\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n",
    ),
    step("SADD s a", ":0\r\n", ""),
    step("SADD s a d", ":1\r\n", "*4\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\na\r\n$1\r\nd\r\n"),
    unchecked("SMEMBERS s", "*4\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nc\r\n", ""), // random or hash-table order in real Redis
    step("SREM s zz", ":0\r\n", ""),
    step("SREM s a zz a", ":1\r\n", "*5\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\na\r\n$2\r\nzz\r\n$1\r\na\r\n"),
    unchecked("SMEMBERS s", "*3\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\nc\r\n", ""), // random or hash-table order in real Redis
    step("SCARD s", ":3\r\n", ""),
    step("SCARD nokey", ":0\r\n", ""),
    step("SISMEMBER s b", ":1\r\n", ""),
    step("SISMEMBER s a", ":0\r\n", ""),
    step("SISMEMBER nokey a", ":0\r\n", ""),
    step("SMISMEMBER s a b c", "*3\r\n:0\r\n:1\r\n:1\r\n", ""),
    step("SMISMEMBER nokey a b", "*2\r\n:0\r\n:0\r\n", ""),
    step("SMEMBERS nokey", "*0\r\n", ""),
    step("SREM nokey a", ":0\r\n", ""),
    step("SREM s b c d", ":3\r\n", "*5\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n"),
    step("EXISTS s", ":0\r\n", ""),
    step(
        "SADD n 3 1 2 10 -5",
        ":5\r\n",
        "*7\r\n$4\r\nSADD\r\n$1\r\nn\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n2\r\n$2\r\n10\r\n$2\r\n-5\r\n",
    ),
    step("SMEMBERS n", "*5\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n", ""),
    step("SADD n x", ":1\r\n", "*3\r\n$4\r\nSADD\r\n$1\r\nn\r\n$1\r\nx\r\n"),
    unchecked("SMEMBERS n", "*6\r\n$1\r\n3\r\n$1\r\nx\r\n$2\r\n10\r\n$1\r\n2\r\n$2\r\n-5\r\n$1\r\n1\r\n", ""), // random or hash-table order in real Redis
    step("SREM n x", ":1\r\n", "*3\r\n$4\r\nSREM\r\n$1\r\nn\r\n$1\r\nx\r\n"),
    unchecked("SMEMBERS n", "*5\r\n$1\r\n3\r\n$2\r\n10\r\n$1\r\n2\r\n$2\r\n-5\r\n$1\r\n1\r\n", ""), // random or hash-table order in real Redis
    step("SADD n2 5 3", ":2\r\n", "*4\r\n$4\r\nSADD\r\n$2\r\nn2\r\n$1\r\n5\r\n$1\r\n3\r\n"),
    step("SADD n2 1 05", ":2\r\n", "*4\r\n$4\r\nSADD\r\n$2\r\nn2\r\n$1\r\n1\r\n$2\r\n05\r\n"),
    unchecked("SMEMBERS n2", "*4\r\n$1\r\n3\r\n$2\r\n05\r\n$1\r\n5\r\n$1\r\n1\r\n", ""), // random or hash-table order in real Redis
    step("SET str v", "+OK\r\n", "*3\r\n$3\r\nSET\r\n$3\r\nstr\r\n$1\r\nv\r\n"),
    step("SADD str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SREM str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SMEMBERS str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SCARD str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SISMEMBER str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SMISMEMBER str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SPOP str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SPOP str 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SRANDMEMBER str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SRANDMEMBER str 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
];

/// Observed on Redis 7.0.15 (`sops.txt`): command, reply bytes, bytes fed to replicas.
const SET_ALGEBRA: &[Step] = &[
    step("SRANDMEMBER r 1 2", "-ERR syntax error\r\n", ""),
    step(
        "SRANDMEMBER nokey -9223372036854775808",
        "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n",
        "",
    ),
    step(
        "SADD a 1 2 3 x",
        ":4\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*6\r\n$4\r\nSADD\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\nx\r\n",
    ),
    step("SADD b 2 3 4 x", ":4\r\n", "*6\r\n$4\r\nSADD\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\nx\r\n"),
    step("SADD c 3 x", ":2\r\n", "*4\r\n$4\r\nSADD\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nx\r\n"),
    step("SET str v", "+OK\r\n", "*3\r\n$3\r\nSET\r\n$3\r\nstr\r\n$1\r\nv\r\n"),
    unchecked("SINTER a b", "*3\r\n$1\r\n3\r\n$1\r\nx\r\n$1\r\n2\r\n", ""), // random or hash-table order in real Redis
    step("SINTER a b c", "*2\r\n$1\r\n3\r\n$1\r\nx\r\n", ""),
    step("SINTER a nokey", "*0\r\n", ""),
    step("SINTER nokey str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SINTER a str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SINTER str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    unchecked("SUNION a b", "*5\r\n$1\r\n3\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\n4\r\n$1\r\n1\r\n", ""), // random or hash-table order in real Redis
    unchecked("SUNION a nokey", "*4\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\nx\r\n", ""), // random or hash-table order in real Redis
    step("SUNION nokey str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SDIFF a b", "*1\r\n$1\r\n1\r\n", ""),
    unchecked("SDIFF a nokey", "*4\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\nx\r\n", ""), // random or hash-table order in real Redis
    step("SDIFF nokey a", "*0\r\n", ""),
    step("SDIFF a str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SDIFF str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SDIFF nokey str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("SADD i1 1 2 3", ":3\r\n", "*5\r\n$4\r\nSADD\r\n$2\r\ni1\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
    step("SADD i2 2 3 4", ":3\r\n", "*5\r\n$4\r\nSADD\r\n$2\r\ni2\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"),
    step("SINTER i1 i2", "*2\r\n$1\r\n2\r\n$1\r\n3\r\n", ""),
    step("SUNION i1 i2", "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n", ""),
    step("SDIFF i1 i2", "*1\r\n$1\r\n1\r\n", ""),
    unchecked("SUNION i1 a", "*4\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n", ""), // random or hash-table order in real Redis
    unchecked("SINTER a", "*4\r\n$1\r\n3\r\n$1\r\nx\r\n$1\r\n2\r\n$1\r\n1\r\n", ""), // random or hash-table order in real Redis
    step("SINTER nokey", "*0\r\n", ""),
];

/// Observed on Redis 7.0.15 (`spop_ok.txt`): command, reply bytes, bytes fed to replicas.
const SPOP_STEPS: &[Step] = &[
    step("SPOP nokey", "$-1\r\n", ""),
    step("SPOP nokey 0", "*0\r\n", ""),
    step("SPOP nokey 3", "*0\r\n", ""),
    step("SPOP nokey -1", "-ERR value is out of range, must be positive\r\n", ""),
    step("SPOP nokey x", "-ERR value is out of range, must be positive\r\n", ""),
    step("SPOP nokey 1 2", "-ERR syntax error\r\n", ""),
    step(
        "SADD s a b c d e f g",
        ":7\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*9\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n",
    ),
    step("SPOP s 0", "*0\r\n", ""),
    unchecked(
        "SPOP s 2",
        "*2\r\n$1\r\na\r\n$1\r\nf\r\n",
        "*1\r\n$5\r\nMULTI\r\n*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\na\r\n*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\nf\r\n*1\r\n$4\r\nEXEC\r\n",
    ), // random or hash-table order in real Redis
    step("SPOP s -1", "-ERR value is out of range, must be positive\r\n", ""),
    step("SCARD s", ":5\r\n", ""),
    unchecked(
        "SPOP s 5",
        "*5\r\n$1\r\nb\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\ng\r\n$1\r\nc\r\n",
        "*2\r\n$3\r\nDEL\r\n$1\r\ns\r\n",
    ), // random or hash-table order in real Redis
    step("EXISTS s", ":0\r\n", ""),
    step("SADD s a b c", ":3\r\n", "*5\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    unchecked("SPOP s 3", "*3\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n", "*2\r\n$3\r\nDEL\r\n$1\r\ns\r\n"), // random or hash-table order in real Redis
    step("EXISTS s", ":0\r\n", ""),
    step("SADD s a b c", ":3\r\n", "*5\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    unchecked("SPOP s 10", "*3\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n", "*2\r\n$3\r\nDEL\r\n$1\r\ns\r\n"), // random or hash-table order in real Redis
    step(
        "SADD s a b c d e f g h i j",
        ":10\r\n",
        "*12\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\ni\r\n$1\r\nj\r\n",
    ),
    unchecked(
        "SPOP s 8",
        "*8\r\n$1\r\nh\r\n$1\r\nj\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nf\r\n$1\r\ng\r\n",
        "*1\r\n$5\r\nMULTI\r\n*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\nh\r\n*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\nj\r\n*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\nc\r\n*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\na\r\n*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\ne\r\n*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\nd\r\n*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\nf\r\n*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\ng\r\n*1\r\n$4\r\nEXEC\r\n",
    ), // random or hash-table order in real Redis
    step(
        "SADD t a b c d e f g h i j",
        ":10\r\n",
        "*12\r\n$4\r\nSADD\r\n$1\r\nt\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\ni\r\n$1\r\nj\r\n",
    ),
    unchecked(
        "SPOP t 3",
        "*3\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\ng\r\n",
        "*1\r\n$5\r\nMULTI\r\n*3\r\n$4\r\nSREM\r\n$1\r\nt\r\n$1\r\ne\r\n*3\r\n$4\r\nSREM\r\n$1\r\nt\r\n$1\r\nd\r\n*3\r\n$4\r\nSREM\r\n$1\r\nt\r\n$1\r\ng\r\n*1\r\n$4\r\nEXEC\r\n",
    ), // random or hash-table order in real Redis
    step("SADD u a", ":1\r\n", "*3\r\n$4\r\nSADD\r\n$1\r\nu\r\n$1\r\na\r\n"),
    step("SPOP u", "$1\r\na\r\n", "*3\r\n$4\r\nSREM\r\n$1\r\nu\r\n$1\r\na\r\n"),
    step("EXISTS u", ":0\r\n", ""),
    step("SRANDMEMBER nokey", "$-1\r\n", ""),
    step("SRANDMEMBER nokey 0", "*0\r\n", ""),
    step("SRANDMEMBER nokey 5", "*0\r\n", ""),
    step("SRANDMEMBER nokey -5", "*0\r\n", ""),
    step("SRANDMEMBER nokey x", "-ERR value is not an integer or out of range\r\n", ""),
    step("SADD r a b c", ":3\r\n", "*5\r\n$4\r\nSADD\r\n$1\r\nr\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    step("SRANDMEMBER r 0", "*0\r\n", ""),
    unchecked("SRANDMEMBER r 5", "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n", ""), // random or hash-table order in real Redis
    unchecked("SRANDMEMBER r -5", "*5\r\n$1\r\nc\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n", ""), // random or hash-table order in real Redis
    unchecked("SRANDMEMBER r 2", "*2\r\n$1\r\na\r\n$1\r\nc\r\n", ""), // random in real Redis
    step(
        "SRANDMEMBER r -9223372036854775808",
        "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n",
        "",
    ),
    step("SRANDMEMBER r 1 2", "-ERR syntax error\r\n", ""),
];

/// Observed on Redis 7.0.15 (`spop2.txt`): command, reply bytes, bytes fed to replicas.
const SPOP_STRATEGIES: &[Step] = &[
    step(
        "SADD s a b c",
        ":3\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*5\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    ),
    unchecked("SPOP s 1", "*1\r\n$1\r\nb\r\n", "*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\nb\r\n"), // random in real Redis
    unchecked("SRANDMEMBER s -3", "*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\na\r\n", ""), // random or hash-table order in real Redis
    step(
        "SADD n 1 2 3 4 5",
        ":5\r\n",
        "*7\r\n$4\r\nSADD\r\n$1\r\nn\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n",
    ),
    unchecked(
        "SPOP n 2",
        "*2\r\n$1\r\n4\r\n$1\r\n5\r\n",
        "*1\r\n$5\r\nMULTI\r\n*3\r\n$4\r\nSREM\r\n$1\r\nn\r\n$1\r\n4\r\n*3\r\n$4\r\nSREM\r\n$1\r\nn\r\n$1\r\n5\r\n*1\r\n$4\r\nEXEC\r\n",
    ), // random or hash-table order in real Redis
    unchecked("SPOP n 3", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", "*2\r\n$3\r\nDEL\r\n$1\r\nn\r\n"), // random or hash-table order in real Redis
    step(
        "SADD n 1 2 3 4 5 6 7 8 9",
        ":9\r\n",
        "*11\r\n$4\r\nSADD\r\n$1\r\nn\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n8\r\n$1\r\n9\r\n",
    ),
    step(
        "SPOP n 9",
        "*9\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n8\r\n$1\r\n9\r\n",
        "*2\r\n$3\r\nDEL\r\n$1\r\nn\r\n",
    ),
    step(
        "SADD n 1 2 3 4 5 6 7 8 9",
        ":9\r\n",
        "*11\r\n$4\r\nSADD\r\n$1\r\nn\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n8\r\n$1\r\n9\r\n",
    ),
    unchecked(
        "SPOP n 8",
        "*8\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n8\r\n$1\r\n9\r\n",
        "*1\r\n$5\r\nMULTI\r\n*3\r\n$4\r\nSREM\r\n$1\r\nn\r\n$1\r\n1\r\n*3\r\n$4\r\nSREM\r\n$1\r\nn\r\n$1\r\n2\r\n*3\r\n$4\r\nSREM\r\n$1\r\nn\r\n$1\r\n3\r\n*3\r\n$4\r\nSREM\r\n$1\r\nn\r\n$1\r\n4\r\n*3\r\n$4\r\nSREM\r\n$1\r\nn\r\n$1\r\n6\r\n*3\r\n$4\r\nSREM\r\n$1\r\nn\r\n$1\r\n7\r\n*3\r\n$4\r\nSREM\r\n$1\r\nn\r\n$1\r\n8\r\n*3\r\n$4\r\nSREM\r\n$1\r\nn\r\n$1\r\n9\r\n*1\r\n$4\r\nEXEC\r\n",
    ), // random in real Redis
];

#[test]
fn set_basics_match_redis() {
    replay(SET_BASICS);
}

#[test]
fn set_algebra_matches_redis() {
    replay(SET_ALGEBRA);
}

#[test]
fn spop_and_srandmember_match_redis() {
    replay(SPOP_STEPS);
    replay(SPOP_STRATEGIES);
}

fn bulk_strings(reply: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(reply);
    text.split("\r\n").skip(1).filter(|l| !l.starts_with('$') && !l.is_empty()).map(String::from).collect()
}

#[test]
fn spop_with_count_propagates_one_srem_per_member_in_multi() {
    let mut node = master();
    run(&mut node, "SADD s a b c d e f g h i j");
    let (reply, prop) = run(&mut node, "SPOP s 3");
    let popped = bulk_strings(&reply);
    assert_eq!(popped.len(), 3);
    let mut expected = String::from("*1\r\n$5\r\nMULTI\r\n");
    for m in &popped {
        expected.push_str(&format!("*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\n{m}\r\n"));
    }
    expected.push_str("*1\r\n$4\r\nEXEC\r\n");
    assert_eq!(String::from_utf8_lossy(&prop), expected);
    assert_eq!(run(&mut node, "SCARD s").0, b":7\r\n");
    // Popping at least everything that is left propagates DEL.
    let (reply, prop) = run(&mut node, "SPOP s 7");
    assert_eq!(bulk_strings(&reply).len(), 7);
    assert_eq!(prop, b"*2\r\n$3\r\nDEL\r\n$1\r\ns\r\n");
    assert!(!node.server.keyspace.db(0).contains(b"s"));
}

#[test]
fn spop_without_count_propagates_srem_of_the_popped_member() {
    let mut node = master();
    run(&mut node, "SADD s a b c");
    let (reply, prop) = run(&mut node, "SPOP s");
    let m = String::from_utf8_lossy(&reply[4..5]).to_string();
    assert_eq!(String::from_utf8_lossy(&prop), format!("*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\n{m}\r\n"));
}

#[test]
fn random_picks_come_from_the_set_and_replay_identically() {
    let picks = |node: &mut Node| {
        run(node, "SADD s a b c d e");
        [run(node, "SRANDMEMBER s -8").0, run(node, "SRANDMEMBER s 2").0, run(node, "SPOP s 2").0]
    };
    let (mut one, mut two) = (master(), master());
    let first = picks(&mut one);
    assert_eq!(first, picks(&mut two), "same seed, same picks");
    let negative = bulk_strings(&first[0]);
    assert_eq!(negative.len(), 8);
    assert!(negative.iter().all(|m| ["a", "b", "c", "d", "e"].contains(&m.as_str())));
    let mut positive = bulk_strings(&first[1]);
    positive.sort();
    positive.dedup();
    assert_eq!(positive.len(), 2, "a positive count picks distinct members");
}

#[test]
fn huge_negative_srandmember_counts_are_refused_instead_of_exhausting_memory() {
    // Real Redis 7.0.15 tries to build the reply and is killed for lack of memory.
    let mut node = master();
    run(&mut node, "SADD s a");
    let (reply, _) = run(&mut node, "SRANDMEMBER s -9223372036854775807");
    assert!(reply.starts_with(b"-ERR"));
}
