//! Sorted set commands against transcripts recorded on a real Redis 7.0.15
//! (replies and replication stream bytes, byte for byte), including score
//! parsing (`strtod` forms, hex, inf) and formatting (`%.17g`).

mod transcript;
use transcript::*;

/// Observed on Redis 7.0.15 (`zadd.txt`): command, reply bytes, bytes fed to replicas.
const ZADD_STEPS: &[Step] = &[
    step(
        "ZADD z 1 a 2 b",
        ":2\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*6\r\n$4\r\nZADD\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n",
    ),
    step("ZADD z 1 a", ":0\r\n", ""),
    step("ZADD z 5 a", ":0\r\n", "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$1\r\n5\r\n$1\r\na\r\n"),
    step(
        "ZADD z CH 5 a 6 b 7 c",
        ":2\r\n",
        "*9\r\n$4\r\nZADD\r\n$1\r\nz\r\n$2\r\nCH\r\n$1\r\n5\r\n$1\r\na\r\n$1\r\n6\r\n$1\r\nb\r\n$1\r\n7\r\n$1\r\nc\r\n",
    ),
    step("ZADD z XX NX 1 a", "-ERR XX and NX options at the same time are not compatible\r\n", ""),
    step("ZADD z GT LT 1 a", "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", ""),
    step("ZADD z GT NX 1 a", "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", ""),
    step("ZADD z LT NX 1 a", "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", ""),
    step("ZADD z NX XX GT 1 a", "-ERR XX and NX options at the same time are not compatible\r\n", ""),
    step("ZADD z INCR 1 a 2 b", "-ERR INCR option supports a single increment-element pair\r\n", ""),
    step("ZADD z INCR 1 a", "$1\r\n6\r\n", "*5\r\n$4\r\nZADD\r\n$1\r\nz\r\n$4\r\nINCR\r\n$1\r\n1\r\n$1\r\na\r\n"),
    step("ZADD z INCR NX 1 a", "$-1\r\n", ""),
    step("ZADD z INCR XX 1 zz", "$-1\r\n", ""),
    step("ZADD z INCR GT -1 a", "$-1\r\n", ""),
    step(
        "ZADD z INCR GT 1 a",
        "$1\r\n7\r\n",
        "*6\r\n$4\r\nZADD\r\n$1\r\nz\r\n$4\r\nINCR\r\n$2\r\nGT\r\n$1\r\n1\r\n$1\r\na\r\n",
    ),
    step("ZADD z GT 1 a", ":0\r\n", ""),
    step(
        "ZADD z GT CH 100 a",
        ":1\r\n",
        "*6\r\n$4\r\nZADD\r\n$1\r\nz\r\n$2\r\nGT\r\n$2\r\nCH\r\n$3\r\n100\r\n$1\r\na\r\n",
    ),
    step(
        "ZADD z LT CH 100 a 0 b",
        ":1\r\n",
        "*8\r\n$4\r\nZADD\r\n$1\r\nz\r\n$2\r\nLT\r\n$2\r\nCH\r\n$3\r\n100\r\n$1\r\na\r\n$1\r\n0\r\n$1\r\nb\r\n",
    ),
    step("ZADD z XX 1 nope", ":0\r\n", ""),
    step("ZADD nokey XX 1 a", ":0\r\n", ""),
    step("EXISTS nokey", ":0\r\n", ""),
    step("ZADD nokey XX INCR 1 a", "$-1\r\n", ""),
    step("ZADD z x a", "-ERR value is not a valid float\r\n", ""),
    step("ZADD z nan a", "-ERR value is not a valid float\r\n", ""),
    step("ZADD z 1 a 2", "-ERR syntax error\r\n", ""),
    step("ZADD z 1", "-ERR wrong number of arguments for 'zadd' command\r\n", ""),
    step("ZADD z NX", "-ERR wrong number of arguments for 'zadd' command\r\n", ""),
    step("ZADD z 1 a x b", "-ERR value is not a valid float\r\n", ""),
    step(
        "ZADD z inf a -inf b +inf c",
        ":0\r\n",
        "*8\r\n$4\r\nZADD\r\n$1\r\nz\r\n$3\r\ninf\r\n$1\r\na\r\n$4\r\n-inf\r\n$1\r\nb\r\n$4\r\n+inf\r\n$1\r\nc\r\n",
    ),
    step(
        "ZRANGE z 0 -1 WITHSCORES",
        "*6\r\n$1\r\nb\r\n$4\r\n-inf\r\n$1\r\na\r\n$3\r\ninf\r\n$1\r\nc\r\n$3\r\ninf\r\n",
        "",
    ),
    step("ZADD z INCR -inf c", "-ERR resulting score is not a number (NaN)\r\n", ""),
    step("ZADD z INCR 1 a", "$3\r\ninf\r\n", ""),
    step("ZADD z INCR inf a", "$3\r\ninf\r\n", ""),
    step("ZADD z 1e3 e 0x10 f 1.5e-3 g \" 1\" h", "-ERR value is not a valid float\r\n", ""),
    step("ZADD z \"1 \" h", "-ERR value is not a valid float\r\n", ""),
    step("ZADD z \"\" h", "-ERR value is not a valid float\r\n", ""),
    step("ZADD z .5 h 5. i", ":2\r\n", "*6\r\n$4\r\nZADD\r\n$1\r\nz\r\n$2\r\n.5\r\n$1\r\nh\r\n$2\r\n5.\r\n$1\r\ni\r\n"),
    step("ZADD z -0 j 0 k", ":2\r\n", "*6\r\n$4\r\nZADD\r\n$1\r\nz\r\n$2\r\n-0\r\n$1\r\nj\r\n$1\r\n0\r\n$1\r\nk\r\n"),
    step(
        "ZRANGE z 0 -1 WITHSCORES",
        "*14\r\n$1\r\nb\r\n$4\r\n-inf\r\n$1\r\nj\r\n$1\r\n0\r\n$1\r\nk\r\n$1\r\n0\r\n$1\r\nh\r\n$3\r\n0.5\r\n$1\r\ni\r\n$1\r\n5\r\n$1\r\na\r\n$3\r\ninf\r\n$1\r\nc\r\n$3\r\ninf\r\n",
        "",
    ),
    step("ZADD z FOO 1 a", "-ERR syntax error\r\n", ""),
    step("ZADD z ch 1 a", ":1\r\n", "*5\r\n$4\r\nZADD\r\n$1\r\nz\r\n$2\r\nch\r\n$1\r\n1\r\n$1\r\na\r\n"),
    step("ZADD z xx 1 a", ":0\r\n", ""),
    step("SET str v", "+OK\r\n", "*3\r\n$3\r\nSET\r\n$3\r\nstr\r\n$1\r\nv\r\n"),
    step("ZADD str 1 a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("ZADD str x a", "-ERR value is not a valid float\r\n", ""),
    step("ZADD str XX 1 a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("ZADD z 1e400 a", "-ERR value is not a valid float\r\n", ""),
    step(
        "ZADD z 1.7976931348623157e308 a",
        ":0\r\n",
        "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$22\r\n1.7976931348623157e308\r\n$1\r\na\r\n",
    ),
    step(
        "ZADD z INCR 1.7976931348623157e308 a",
        "$3\r\ninf\r\n",
        "*5\r\n$4\r\nZADD\r\n$1\r\nz\r\n$4\r\nINCR\r\n$22\r\n1.7976931348623157e308\r\n$1\r\na\r\n",
    ),
    step("ZSCORE z a", "$3\r\ninf\r\n", ""),
];

/// Observed on Redis 7.0.15 (`zparse.txt`): command, reply bytes, bytes fed to replicas.
const SCORE_PARSING: &[Step] = &[
    step("ZADD z NX 1", "-ERR syntax error\r\n", ""),
    step("ZADD z NX XX 1", "-ERR syntax error\r\n", ""),
    step("ZADD z NX NX XX", "-ERR syntax error\r\n", ""),
    step("ZADD z NX XX 1 a 2", "-ERR syntax error\r\n", ""),
    step("ZADD z INCR GT LT 1 a 2 b", "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", ""),
    step(
        "ZADD z 0x10 a",
        ":1\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$4\r\n0x10\r\n$1\r\na\r\n",
    ),
    step("ZADD z 0X1p3 b", ":1\r\n", "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$5\r\n0X1p3\r\n$1\r\nb\r\n"),
    step("ZADD z infinity c", ":1\r\n", "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$8\r\ninfinity\r\n$1\r\nc\r\n"),
    step("ZADD z -Infinity d", ":1\r\n", "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$9\r\n-Infinity\r\n$1\r\nd\r\n"),
    step("ZADD z INF e", ":1\r\n", "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$3\r\nINF\r\n$1\r\ne\r\n"),
    step("ZADD z 1e-400 f", "-ERR value is not a valid float\r\n", ""),
    step("ZADD z 1e-310 g", ":1\r\n", "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$6\r\n1e-310\r\n$1\r\ng\r\n"),
    step("ZADD z 1e g", "-ERR value is not a valid float\r\n", ""),
    step("ZADD z +.5 h", ":1\r\n", "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$3\r\n+.5\r\n$1\r\nh\r\n"),
    step("ZADD z -.e1 h", "-ERR value is not a valid float\r\n", ""),
    step("ZADD z 1_000 h", "-ERR value is not a valid float\r\n", ""),
    step("ZADD z 1.5\\x00 h", "-ERR value is not a valid float\r\n", ""),
    step("ZADD z -nan h", "-ERR value is not a valid float\r\n", ""),
    step("ZADD z NaN h", "-ERR value is not a valid float\r\n", ""),
    step("ZADD z 4.9e-324 m", ":1\r\n", "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$8\r\n4.9e-324\r\n$1\r\nm\r\n"),
    step("ZADD z 1e308 n", ":1\r\n", "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$5\r\n1e308\r\n$1\r\nn\r\n"),
    step(
        "ZADD z 0x1.fffffffffffffp1023 o",
        ":1\r\n",
        "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$22\r\n0x1.fffffffffffffp1023\r\n$1\r\no\r\n",
    ),
    step("ZADD z 1e-320 p", ":1\r\n", "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$6\r\n1e-320\r\n$1\r\np\r\n"),
    step("ZADD z -0 q", ":1\r\n", "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$2\r\n-0\r\n$1\r\nq\r\n"),
    step("ZSCORE z q", "$1\r\n0\r\n", ""),
    step("ZADD z 0 q", ":0\r\n", ""),
    step("ZSCORE z q", "$1\r\n0\r\n", ""),
    step(
        "ZRANGE z 0 -1 WITHSCORES",
        "*24\r\n$1\r\nd\r\n$4\r\n-inf\r\n$1\r\nq\r\n$1\r\n0\r\n$1\r\nm\r\n$23\r\n4.9406564584124654e-324\r\n$1\r\np\r\n$23\r\n9.9998886718268301e-321\r\n$1\r\ng\r\n$23\r\n9.9999999999999694e-311\r\n$1\r\nh\r\n$3\r\n0.5\r\n$1\r\nb\r\n$1\r\n8\r\n$1\r\na\r\n$2\r\n16\r\n$1\r\nn\r\n$6\r\n1e+308\r\n$1\r\no\r\n$23\r\n1.7976931348623157e+308\r\n$1\r\nc\r\n$3\r\ninf\r\n$1\r\ne\r\n$3\r\ninf\r\n",
        "",
    ),
];

/// Observed on Redis 7.0.15 (`zfmt.txt`): command, reply bytes, bytes fed to replicas.
const SCORE_FORMATTING: &[Step] = &[
    step(
        "ZADD z 1 a 1.5 b 0.1 c 1e17 d 1e-7 e 3.0000000000000004 f -0.0 g 1.7976931348623157e308 h 123456789.123 i -inf j 2.5e-5 k 1e15 l 1e16 m 123456789012345678 n -1.5 o 0.3 p 100 q 1e-5 r 0.0001 s",
        ":19\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*40\r\n$4\r\nZADD\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nb\r\n$3\r\n0.1\r\n$1\r\nc\r\n$4\r\n1e17\r\n$1\r\nd\r\n$4\r\n1e-7\r\n$1\r\ne\r\n$18\r\n3.0000000000000004\r\n$1\r\nf\r\n$4\r\n-0.0\r\n$1\r\ng\r\n$22\r\n1.7976931348623157e308\r\n$1\r\nh\r\n$13\r\n123456789.123\r\n$1\r\ni\r\n$4\r\n-inf\r\n$1\r\nj\r\n$6\r\n2.5e-5\r\n$1\r\nk\r\n$4\r\n1e15\r\n$1\r\nl\r\n$4\r\n1e16\r\n$1\r\nm\r\n$18\r\n123456789012345678\r\n$1\r\nn\r\n$4\r\n-1.5\r\n$1\r\no\r\n$3\r\n0.3\r\n$1\r\np\r\n$3\r\n100\r\n$1\r\nq\r\n$4\r\n1e-5\r\n$1\r\nr\r\n$6\r\n0.0001\r\n$1\r\ns\r\n",
    ),
    step(
        "ZRANGE z 0 -1 WITHSCORES",
        "*38\r\n$1\r\nj\r\n$4\r\n-inf\r\n$1\r\no\r\n$4\r\n-1.5\r\n$1\r\ng\r\n$1\r\n0\r\n$1\r\ne\r\n$22\r\n9.9999999999999995e-08\r\n$1\r\nr\r\n$22\r\n1.0000000000000001e-05\r\n$1\r\nk\r\n$22\r\n2.5000000000000001e-05\r\n$1\r\ns\r\n$6\r\n0.0001\r\n$1\r\nc\r\n$19\r\n0.10000000000000001\r\n$1\r\np\r\n$19\r\n0.29999999999999999\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n1.5\r\n$1\r\nf\r\n$18\r\n3.0000000000000004\r\n$1\r\nq\r\n$3\r\n100\r\n$1\r\ni\r\n$13\r\n123456789.123\r\n$1\r\nl\r\n$16\r\n1000000000000000\r\n$1\r\nm\r\n$17\r\n10000000000000000\r\n$1\r\nd\r\n$5\r\n1e+17\r\n$1\r\nn\r\n$22\r\n1.2345678901234568e+17\r\n$1\r\nh\r\n$23\r\n1.7976931348623157e+308\r\n",
        "",
    ),
    step(
        "ZADD s 1 a 1.5 b 0.1 c 1e17 d 1e-7 e 3.0000000000000004 f -0.0 g 1.7976931348623157e308 h 123456789.123 i -inf j 2.5e-5 k 1e15 l 1e16 m 123456789012345678 n -1.5 o 0.3 p 100 q 1e-5 r 0.0001 s 5 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ":20\r\n",
        "*42\r\n$4\r\nZADD\r\n$1\r\ns\r\n$1\r\n1\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nb\r\n$3\r\n0.1\r\n$1\r\nc\r\n$4\r\n1e17\r\n$1\r\nd\r\n$4\r\n1e-7\r\n$1\r\ne\r\n$18\r\n3.0000000000000004\r\n$1\r\nf\r\n$4\r\n-0.0\r\n$1\r\ng\r\n$22\r\n1.7976931348623157e308\r\n$1\r\nh\r\n$13\r\n123456789.123\r\n$1\r\ni\r\n$4\r\n-inf\r\n$1\r\nj\r\n$6\r\n2.5e-5\r\n$1\r\nk\r\n$4\r\n1e15\r\n$1\r\nl\r\n$4\r\n1e16\r\n$1\r\nm\r\n$18\r\n123456789012345678\r\n$1\r\nn\r\n$4\r\n-1.5\r\n$1\r\no\r\n$3\r\n0.3\r\n$1\r\np\r\n$3\r\n100\r\n$1\r\nq\r\n$4\r\n1e-5\r\n$1\r\nr\r\n$6\r\n0.0001\r\n$1\r\ns\r\n$1\r\n5\r\n$70\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
    ),
    step(
        "ZRANGE s 0 -1 WITHSCORES",
        "*40\r\n$1\r\nj\r\n$4\r\n-inf\r\n$1\r\no\r\n$4\r\n-1.5\r\n$1\r\ng\r\n$1\r\n0\r\n$1\r\ne\r\n$22\r\n9.9999999999999995e-08\r\n$1\r\nr\r\n$22\r\n1.0000000000000001e-05\r\n$1\r\nk\r\n$22\r\n2.5000000000000001e-05\r\n$1\r\ns\r\n$6\r\n0.0001\r\n$1\r\nc\r\n$19\r\n0.10000000000000001\r\n$1\r\np\r\n$19\r\n0.29999999999999999\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n1.5\r\n$1\r\nf\r\n$18\r\n3.0000000000000004\r\n$70\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n5\r\n$1\r\nq\r\n$3\r\n100\r\n$1\r\ni\r\n$13\r\n123456789.123\r\n$1\r\nl\r\n$16\r\n1000000000000000\r\n$1\r\nm\r\n$17\r\n10000000000000000\r\n$1\r\nd\r\n$5\r\n1e+17\r\n$1\r\nn\r\n$22\r\n1.2345678901234568e+17\r\n$1\r\nh\r\n$23\r\n1.7976931348623157e+308\r\n",
        "",
    ),
    step("ZSCORE s g", "$1\r\n0\r\n", ""),
    step(
        "ZINCRBY s 0.1 c",
        "$19\r\n0.20000000000000001\r\n",
        "*4\r\n$7\r\nZINCRBY\r\n$1\r\ns\r\n$3\r\n0.1\r\n$1\r\nc\r\n",
    ),
    step(
        "ZINCRBY s 0.2 c",
        "$19\r\n0.40000000000000002\r\n",
        "*4\r\n$7\r\nZINCRBY\r\n$1\r\ns\r\n$3\r\n0.2\r\n$1\r\nc\r\n",
    ),
    step(
        "ZINCRBY z 0.2 c",
        "$19\r\n0.30000000000000004\r\n",
        "*4\r\n$7\r\nZINCRBY\r\n$1\r\nz\r\n$3\r\n0.2\r\n$1\r\nc\r\n",
    ),
];

/// Observed on Redis 7.0.15 (`zrange.txt`): command, reply bytes, bytes fed to replicas.
const ZRANGE_STEPS: &[Step] = &[
    step(
        "ZADD z 1 a 2 b 3 c 4 d 5 e",
        ":5\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*12\r\n$4\r\nZADD\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n4\r\n$1\r\nd\r\n$1\r\n5\r\n$1\r\ne\r\n",
    ),
    step("ZINCRBY z 1.5 a", "$3\r\n2.5\r\n", "*4\r\n$7\r\nZINCRBY\r\n$1\r\nz\r\n$3\r\n1.5\r\n$1\r\na\r\n"),
    step("ZINCRBY z 0 a", "$3\r\n2.5\r\n", ""),
    step("ZINCRBY z x a", "-ERR value is not a valid float\r\n", ""),
    step("ZINCRBY nokey 1 m", "$1\r\n1\r\n", "*4\r\n$7\r\nZINCRBY\r\n$5\r\nnokey\r\n$1\r\n1\r\n$1\r\nm\r\n"),
    step("ZADD inf inf x", ":1\r\n", "*4\r\n$4\r\nZADD\r\n$3\r\ninf\r\n$3\r\ninf\r\n$1\r\nx\r\n"),
    step("ZINCRBY inf -inf x", "-ERR resulting score is not a number (NaN)\r\n", ""),
    step("ZRANGE z 0 -1", "*5\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("ZRANGE z 1 2 WITHSCORES", "*4\r\n$1\r\na\r\n$3\r\n2.5\r\n$1\r\nc\r\n$1\r\n3\r\n", ""),
    step("ZRANGE z -2 -1", "*2\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("ZRANGE z 3 1", "*0\r\n", ""),
    step("ZRANGE z 0 100", "*5\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("ZRANGE z -100 0", "*1\r\n$1\r\nb\r\n", ""),
    step("ZRANGE z a b", "-ERR value is not an integer or out of range\r\n", ""),
    step("ZRANGE z 0 -1 REV", "*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n", ""),
    step("ZRANGE z 0 1 REV WITHSCORES", "*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n", ""),
    step(
        "ZRANGE z 0 -1 LIMIT 0 1",
        "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
        "",
    ),
    step(
        "ZRANGE z 0 -1 BYLEX WITHSCORES",
        "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
        "",
    ),
    step("ZRANGE z 0 -1 BYSCORE BYLEX", "-ERR syntax error\r\n", ""),
    step("ZRANGE z 0 -1 FOO", "-ERR syntax error\r\n", ""),
    step("ZRANGE z 0 -1 LIMIT 0", "-ERR syntax error\r\n", ""),
    step("ZRANGE z 0 -1 BYSCORE LIMIT x 1", "-ERR value is not an integer or out of range\r\n", ""),
    step("ZRANGE z 0 -1 BYSCORE LIMIT 1 x", "-ERR value is not an integer or out of range\r\n", ""),
    step("ZRANGE z (1 5 BYSCORE", "*5\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step(
        "ZRANGE z 1 (5 BYSCORE WITHSCORES",
        "*8\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$3\r\n2.5\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n",
        "",
    ),
    step("ZRANGE z -inf +inf BYSCORE", "*5\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("ZRANGE z +inf -inf BYSCORE REV", "*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n", ""),
    step("ZRANGE z 5 1 BYSCORE REV", "*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n", ""),
    step("ZRANGE z 5 (1 BYSCORE REV LIMIT 1 2", "*2\r\n$1\r\nd\r\n$1\r\nc\r\n", ""),
    step("ZRANGE z -inf +inf BYSCORE LIMIT 1 -1", "*4\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("ZRANGE z -inf +inf BYSCORE LIMIT -1 2", "*0\r\n", ""),
    step("ZRANGE z -inf +inf BYSCORE LIMIT 10 2", "*0\r\n", ""),
    step("ZRANGE z -inf +inf BYSCORE LIMIT 0 0", "*0\r\n", ""),
    step("ZRANGE z x 5 BYSCORE", "-ERR min or max is not a float\r\n", ""),
    step("ZRANGE z 1 x BYSCORE", "-ERR min or max is not a float\r\n", ""),
    step("ZRANGE z ( 5 BYSCORE", "*5\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("ZRANGE z \"\" 5 BYSCORE", "*5\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("ZRANGE z \" 1\" 5 BYSCORE", "*5\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("ZRANGE z 1e400 5 BYSCORE", "*0\r\n", ""),
    step("ZRANGE z nan 5 BYSCORE", "-ERR min or max is not a float\r\n", ""),
    step("ZRANGE z (nan 5 BYSCORE", "-ERR min or max is not a float\r\n", ""),
    step("ZRANGE z 0x1 5 BYSCORE", "*5\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("ZRANGE z \"2 \" 5 BYSCORE", "-ERR min or max is not a float\r\n", ""),
    step("ZRANGE nokey 0 -1", "*1\r\n$1\r\nm\r\n", ""),
    step("ZRANGE nokey x y", "-ERR value is not an integer or out of range\r\n", ""),
    step("ZRANGE nokey x y BYSCORE", "-ERR min or max is not a float\r\n", ""),
    step(
        "ZRANGE nokey 0 -1 LIMIT 0 1",
        "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
        "",
    ),
    step("SET str v", "+OK\r\n", "*3\r\n$3\r\nSET\r\n$3\r\nstr\r\n$1\r\nv\r\n"),
    step("ZRANGE str 0 -1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("ZRANGE str x y", "-ERR value is not an integer or out of range\r\n", ""),
    step("ZRANGE str x y BYSCORE", "-ERR min or max is not a float\r\n", ""),
];

/// Observed on Redis 7.0.15 (`zlex.txt`): command, reply bytes, bytes fed to replicas.
const ZRANGE_BYLEX: &[Step] = &[
    step(
        "ZADD z 0 a 0 b 0 c 0 d 0 e",
        ":5\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*12\r\n$4\r\nZADD\r\n$1\r\nz\r\n$1\r\n0\r\n$1\r\na\r\n$1\r\n0\r\n$1\r\nb\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\nd\r\n$1\r\n0\r\n$1\r\ne\r\n",
    ),
    step("ZRANGE z - + BYLEX", "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("ZRANGE z [b (d BYLEX", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", ""),
    step("ZRANGE z (b [d BYLEX", "*2\r\n$1\r\nc\r\n$1\r\nd\r\n", ""),
    step("ZRANGE z + - BYLEX REV", "*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", ""),
    step("ZRANGE z [d [b BYLEX REV", "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n", ""),
    step("ZRANGE z [d [b BYLEX REV LIMIT 1 1", "*1\r\n$1\r\nc\r\n", ""),
    step("ZRANGE z - + BYLEX LIMIT 2 -1", "*3\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("ZRANGE z b d BYLEX", "-ERR min or max not valid string range item\r\n", ""),
    step("ZRANGE z [b d BYLEX", "-ERR min or max not valid string range item\r\n", ""),
    step("ZRANGE z + [c BYLEX", "*0\r\n", ""),
    step("ZRANGE z - [c BYLEX", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", ""),
    step("ZRANGE z [ [c BYLEX", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", ""),
    step("ZRANGE z ( [c BYLEX", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", ""),
    step("ZRANGE z [c - BYLEX", "*0\r\n", ""),
    step("ZRANGE z \"\" + BYLEX", "-ERR min or max not valid string range item\r\n", ""),
    step("ZRANGE z -a + BYLEX", "-ERR min or max not valid string range item\r\n", ""),
    step("ZRANGE str - + BYLEX", "*0\r\n", ""),
    step("ZRANGE nokey b d BYLEX", "-ERR min or max not valid string range item\r\n", ""),
    step("ZRANGE z 0 -1 REV BYSCORE", "*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n", ""),
    step("ZRANGE z 0 -1 LIMIT 0 1 BYLEX", "-ERR min or max not valid string range item\r\n", ""),
    step("ZRANGE z 0 -1 WITHSCORES WITHSCORES BYSCORE", "*0\r\n", ""),
    step("ZRANGE z 0 -1 BYSCORE BYSCORE", "-ERR syntax error\r\n", ""),
    step("ZRANGE z 0 -1 REV REV", "-ERR syntax error\r\n", ""),
    step("ZRANGE z - + BYLEX LIMIT 0 1 LIMIT 1 1", "*1\r\n$1\r\nb\r\n", ""),
    step(
        "ZRANGE z 0 -1 withscores",
        "*10\r\n$1\r\na\r\n$1\r\n0\r\n$1\r\nb\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n0\r\n$1\r\nd\r\n$1\r\n0\r\n$1\r\ne\r\n$1\r\n0\r\n",
        "",
    ),
    step("ZRANGE z 0 -1 WITHSCORES LIMIT", "-ERR syntax error\r\n", ""),
    step(
        "ZRANGE z 0 -1 limit 0 1 withscores",
        "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
        "",
    ),
    step("ZRANGE z 0", "-ERR wrong number of arguments for 'zrange' command\r\n", ""),
    step("ZLEXCOUNT z - +", ":5\r\n", ""),
    step("ZLEXCOUNT z [b (d", ":2\r\n", ""),
    step("ZLEXCOUNT z b d", "-ERR min or max not valid string range item\r\n", ""),
    step("ZLEXCOUNT nokey - +", ":0\r\n", ""),
    step("ZRANGEBYLEX z - + LIMIT 1 2", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", ""),
    step(
        "ZRANGEBYLEX z - + WITHSCORES",
        "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
        "",
    ),
    step("ZREVRANGEBYLEX z + - LIMIT 1 2", "*2\r\n$1\r\nd\r\n$1\r\nc\r\n", ""),
    step("ZRANGEBYLEX z - + FOO", "-ERR syntax error\r\n", ""),
];

/// Observed on Redis 7.0.15 (`zmisc.txt`): command, reply bytes, bytes fed to replicas.
const ZSET_READS: &[Step] = &[
    step(
        "ZADD z 1 a 2 b 3 c 4 d 5 e",
        ":5\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*12\r\n$4\r\nZADD\r\n$1\r\nz\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n4\r\n$1\r\nd\r\n$1\r\n5\r\n$1\r\ne\r\n",
    ),
    step("ZRANGE z 0 -1 LIMIT 5 -1", "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n", ""),
    step("ZRANGE z 0 -1 LIMIT 0 -1 BYSCORE", "*0\r\n", ""),
    step("ZREVRANGE z 0 1", "*2\r\n$1\r\ne\r\n$1\r\nd\r\n", ""),
    step("ZREVRANGE z 0 1 WITHSCORES", "*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n", ""),
    step("ZREVRANGE z 0 1 REV", "-ERR syntax error\r\n", ""),
    step(
        "ZREVRANGE z 0 1 LIMIT 0 1",
        "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
        "",
    ),
    step("ZREVRANGE z 0 1 BYSCORE", "-ERR syntax error\r\n", ""),
    step("ZRANGEBYSCORE z 2 4", "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", ""),
    step("ZRANGEBYSCORE z 2 4 WITHSCORES LIMIT 1 1", "*2\r\n$1\r\nc\r\n$1\r\n3\r\n", ""),
    step("ZRANGEBYSCORE z 2 4 REV", "-ERR syntax error\r\n", ""),
    step("ZRANGEBYSCORE z 2 4 BYSCORE", "-ERR syntax error\r\n", ""),
    step("ZRANGEBYSCORE z 2 4 BYLEX", "-ERR syntax error\r\n", ""),
    step("ZREVRANGEBYSCORE z 4 2", "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n", ""),
    step("ZREVRANGEBYSCORE z 4 2 WITHSCORES LIMIT 0 2", "*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n", ""),
    step("ZRANK z c", ":2\r\n", ""),
    step("ZRANK z zz", "$-1\r\n", ""),
    step("ZRANK nokey a", "$-1\r\n", ""),
    step("ZREVRANK z c", ":2\r\n", ""),
    step("ZRANK z c WITHSCORE", "-ERR wrong number of arguments for 'zrank' command\r\n", ""),
    step("ZCOUNT z 2 4", ":3\r\n", ""),
    step("ZCOUNT z (2 (4", ":1\r\n", ""),
    step("ZCOUNT z -inf +inf", ":5\r\n", ""),
    step("ZCOUNT z x 1", "-ERR min or max is not a float\r\n", ""),
    step("ZCOUNT nokey 1 2", ":0\r\n", ""),
    step("ZCOUNT z 5 1", ":0\r\n", ""),
    step("ZSCORE z a", "$1\r\n1\r\n", ""),
    step("ZSCORE z zz", "$-1\r\n", ""),
    step("ZSCORE nokey a", "$-1\r\n", ""),
    step("ZMSCORE z a zz b", "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n", ""),
    step("ZMSCORE nokey a b", "*2\r\n$-1\r\n$-1\r\n", ""),
    step("ZCARD z", ":5\r\n", ""),
    step("ZCARD nokey", ":0\r\n", ""),
    step("ZREM z zz", ":0\r\n", ""),
    step("ZREM z a zz a", ":1\r\n", "*5\r\n$4\r\nZREM\r\n$1\r\nz\r\n$1\r\na\r\n$2\r\nzz\r\n$1\r\na\r\n"),
    step("ZREM nokey a", ":0\r\n", ""),
    step("ZREM z b c d e", ":4\r\n", "*6\r\n$4\r\nZREM\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"),
    step("EXISTS z", ":0\r\n", ""),
    step("SET str v", "+OK\r\n", "*3\r\n$3\r\nSET\r\n$3\r\nstr\r\n$1\r\nv\r\n"),
    step("ZREM str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("ZSCORE str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("ZCARD str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("ZRANK str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("ZCOUNT str 1 2", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("ZCOUNT str x 2", "-ERR min or max is not a float\r\n", ""),
    step("ZINCRBY str 1 a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("ZINCRBY str x a", "-ERR value is not a valid float\r\n", ""),
    step("ZMSCORE str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("ZLEXCOUNT str - +", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
    step("ZREVRANGE str 0 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", ""),
];

/// Observed on Redis 7.0.15 (`extra.txt`): command, reply bytes, bytes fed to replicas.
const EDGE_CASES: &[Step] = &[
    step(
        "ZADD z GT CH 5 new",
        ":1\r\n",
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*6\r\n$4\r\nZADD\r\n$1\r\nz\r\n$2\r\nGT\r\n$2\r\nCH\r\n$1\r\n5\r\n$3\r\nnew\r\n",
    ),
    step(
        "ZADD z LT INCR 3 new2",
        "$1\r\n3\r\n",
        "*6\r\n$4\r\nZADD\r\n$1\r\nz\r\n$2\r\nLT\r\n$4\r\nINCR\r\n$1\r\n3\r\n$4\r\nnew2\r\n",
    ),
    step(
        "ZADD z XX CH 6 new 1 missing",
        ":1\r\n",
        "*8\r\n$4\r\nZADD\r\n$1\r\nz\r\n$2\r\nXX\r\n$2\r\nCH\r\n$1\r\n6\r\n$3\r\nnew\r\n$1\r\n1\r\n$7\r\nmissing\r\n",
    ),
    step(
        "ZADD z GT XX CH 1 new 10 new2",
        ":1\r\n",
        "*9\r\n$4\r\nZADD\r\n$1\r\nz\r\n$2\r\nGT\r\n$2\r\nXX\r\n$2\r\nCH\r\n$1\r\n1\r\n$3\r\nnew\r\n$2\r\n10\r\n$4\r\nnew2\r\n",
    ),
    step("ZRANGE z 0 -1 WITHSCORES", "*4\r\n$3\r\nnew\r\n$1\r\n6\r\n$4\r\nnew2\r\n$2\r\n10\r\n", ""),
    step(
        "ZADD m 3 a 1 c 2 b 0 d",
        ":4\r\n",
        "*10\r\n$4\r\nZADD\r\n$1\r\nm\r\n$1\r\n3\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n0\r\n$1\r\nd\r\n",
    ),
    step("ZRANGEBYLEX m - [b", "*0\r\n", ""),
    step("ZRANGEBYLEX m [b +", "*0\r\n", ""),
    step("ZRANGEBYLEX m (a (c", "*0\r\n", ""),
    step("ZREVRANGEBYLEX m [c -", "*0\r\n", ""),
    step("ZREVRANGEBYLEX m + [b", "*0\r\n", ""),
    step("ZLEXCOUNT m [b [c", ":0\r\n", ""),
    step("ZRANGE m -2 -1 REV WITHSCORES", "*4\r\n$1\r\nc\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n0\r\n", ""),
    step("ZRANGE m -1 -2 REV", "*0\r\n", ""),
    step("ZRANGE m [a [a BYLEX", "*0\r\n", ""),
    step("ZRANGE m (a [a BYLEX", "*0\r\n", ""),
    step("ZRANGE m - - BYLEX", "*0\r\n", ""),
    step("ZRANGE m + + BYLEX", "*0\r\n", ""),
    step("ZRANGE m 2 (2 BYSCORE", "*0\r\n", ""),
    step("ZRANGE m 2 2 BYSCORE", "*1\r\n$1\r\nb\r\n", ""),
    step("ZRANGE m (2 2 BYSCORE", "*0\r\n", ""),
    step("ZCOUNT m (2 (2", ":0\r\n", ""),
    step("ZRANGEBYSCORE m -inf +inf LIMIT 1 2 WITHSCORES", "*4\r\n$1\r\nc\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", ""),
    step("ZRANGEBYSCORE m -inf +inf LIMIT 1", "-ERR syntax error\r\n", ""),
    step(
        "ZRANGEBYSCORE m -inf +inf withscores withscores",
        "*8\r\n$1\r\nd\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n3\r\n",
        "",
    ),
    step("ZREVRANGEBYSCORE m (3 0 limit 0 -1", "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n", ""),
    step(
        "RPUSH pl a b a c a",
        ":5\r\n",
        "*7\r\n$5\r\nRPUSH\r\n$2\r\npl\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\na\r\n",
    ),
    step("LPOS pl a RANK -1 COUNT 2 MAXLEN 3", "*2\r\n:4\r\n:2\r\n", ""),
    step("LPOS pl a RANK 2 COUNT 0 MAXLEN 3", "*1\r\n:2\r\n", ""),
    step("LPOS pl a RANK 9223372036854775807", "$-1\r\n", ""),
    step("LPOS pl a COUNT 9223372036854775807", "*3\r\n:0\r\n:2\r\n:4\r\n", ""),
    step(
        "LRANGE pl -9223372036854775808 9223372036854775807",
        "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\na\r\n",
        "",
    ),
    step("LTRIM pl -9223372036854775808 9223372036854775807", "+OK\r\n", ""),
    step("LINDEX pl -9223372036854775808", "$-1\r\n", ""),
    step("LSET pl -9223372036854775808 x", "-ERR index out of range\r\n", ""),
    step("HSETNX newh f v", ":1\r\n", "*4\r\n$6\r\nHSETNX\r\n$4\r\nnewh\r\n$1\r\nf\r\n$1\r\nv\r\n"),
    step("HGETALL newh", "*2\r\n$1\r\nf\r\n$1\r\nv\r\n", ""),
    step(
        "HINCRBY nh f 9223372036854775807",
        ":9223372036854775807\r\n",
        "*4\r\n$7\r\nHINCRBY\r\n$2\r\nnh\r\n$1\r\nf\r\n$19\r\n9223372036854775807\r\n",
    ),
    step("HINCRBY nh f 1", "-ERR increment or decrement would overflow\r\n", ""),
    step(
        "HINCRBY nh2 f -9223372036854775808",
        ":-9223372036854775808\r\n",
        "*4\r\n$7\r\nHINCRBY\r\n$3\r\nnh2\r\n$1\r\nf\r\n$20\r\n-9223372036854775808\r\n",
    ),
    step("HINCRBY nh2 f -1", "-ERR increment or decrement would overflow\r\n", ""),
    step("SADD big 1 2 3", ":3\r\n", "*5\r\n$4\r\nSADD\r\n$3\r\nbig\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
    step(
        "SADD big 9223372036854775807 -9223372036854775808",
        ":2\r\n",
        "*4\r\n$4\r\nSADD\r\n$3\r\nbig\r\n$19\r\n9223372036854775807\r\n$20\r\n-9223372036854775808\r\n",
    ),
    step(
        "SMEMBERS big",
        "*5\r\n$20\r\n-9223372036854775808\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$19\r\n9223372036854775807\r\n",
        "",
    ),
    step("SINTER big nokey2 big", "*0\r\n", ""),
    step("SDIFF big big", "*0\r\n", ""),
    step("SUNION nokey nokey2", "*0\r\n", ""),
];

#[test]
fn edge_cases_across_collections_match_redis() {
    // GT/LT/XX with CH and INCR, BYLEX over mixed scores (Redis walks, it does
    // not filter), empty ranges, extreme indexes, integer-overflow edges.
    replay(EDGE_CASES);
}

#[test]
fn zadd_options_and_propagation_match_redis() {
    replay(ZADD_STEPS);
}

#[test]
fn score_parsing_matches_redis() {
    replay(SCORE_PARSING);
}

#[test]
fn score_formatting_matches_redis() {
    replay(SCORE_FORMATTING);
}

#[test]
fn zrange_by_rank_and_score_matches_redis() {
    replay(ZRANGE_STEPS);
}

#[test]
fn zrange_bylex_matches_redis() {
    replay(ZRANGE_BYLEX);
}

#[test]
fn zset_reads_and_zrem_match_redis() {
    replay(ZSET_READS);
}

mod no_panics {
    use super::*;
    use proptest::prelude::*;

    const COMMANDS: &[&str] = &[
        "LPUSH",
        "RPUSH",
        "LPUSHX",
        "RPUSHX",
        "LPOP",
        "RPOP",
        "LRANGE",
        "LLEN",
        "LINDEX",
        "LSET",
        "LREM",
        "LTRIM",
        "LINSERT",
        "LPOS",
        "HSET",
        "HSETNX",
        "HMSET",
        "HGET",
        "HMGET",
        "HDEL",
        "HGETALL",
        "HLEN",
        "HEXISTS",
        "HKEYS",
        "HVALS",
        "HSTRLEN",
        "HINCRBY",
        "HINCRBYFLOAT",
        "SADD",
        "SREM",
        "SMEMBERS",
        "SCARD",
        "SISMEMBER",
        "SMISMEMBER",
        "SPOP",
        "SRANDMEMBER",
        "SINTER",
        "SUNION",
        "SDIFF",
        "ZADD",
        "ZINCRBY",
        "ZREM",
        "ZSCORE",
        "ZMSCORE",
        "ZCARD",
        "ZRANK",
        "ZREVRANK",
        "ZCOUNT",
        "ZLEXCOUNT",
        "ZRANGE",
        "ZREVRANGE",
        "ZRANGEBYSCORE",
        "ZREVRANGEBYSCORE",
        "ZRANGEBYLEX",
        "ZREVRANGEBYLEX",
    ];
    const TOKENS: &[&str] = &[
        "l",
        "h",
        "s",
        "z",
        "str",
        "nokey",
        "0",
        "1",
        "-1",
        "2",
        "-2",
        "100",
        "-100",
        "9223372036854775807",
        "-9223372036854775808",
        "-9223372036854775807",
        "1.5",
        "inf",
        "-inf",
        "+inf",
        "nan",
        "(1",
        "[a",
        "(a",
        "-",
        "+",
        "",
        " ",
        "0x1p-1074",
        "0x",
        "1e400",
        "1e-400",
        "NX",
        "XX",
        "GT",
        "LT",
        "CH",
        "INCR",
        "BYSCORE",
        "BYLEX",
        "REV",
        "LIMIT",
        "WITHSCORES",
        "RANK",
        "COUNT",
        "MAXLEN",
        "BEFORE",
        "AFTER",
        "a",
        "b",
    ];

    fn arg() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            4 => proptest::sample::select(TOKENS).prop_map(|t| t.as_bytes().to_vec()),
            1 => proptest::collection::vec(any::<u8>(), 0..12),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]
        /// Any argv that passes the arity check gets a reply, never a panic.
        #[test]
        fn collection_commands_never_panic(
            cmds in proptest::collection::vec(
                (proptest::sample::select(COMMANDS), proptest::collection::vec(arg(), 0..7)), 1..12)
        ) {
            let mut node = master();
            for setup in ["RPUSH l a b a", "HSET h a 1 b x", "SADD s a 1 b", "ZADD z 1 a 2 b 2 c", "SET str v"] {
                run(&mut node, setup);
            }
            for (name, args) in cmds {
                let mut argv = vec![name.as_bytes().to_vec()];
                argv.extend(args);
                node.execute(1_767_225_600_000, ClientId(1), argv);
            }
        }
    }
}
