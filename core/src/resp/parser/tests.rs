//! RequestParser tests. Every expected error text and every "waits for
//! more" case was observed on real Redis 7.0.15 by writing the raw bytes to
//! a socket (python3) and reading what came back before the close.

use super::*;

/// Feeds `bytes` whole and collects requests until the first error.
fn run(bytes: &[u8]) -> (Vec<Vec<String>>, Option<String>) {
    let mut p = RequestParser::new();
    p.feed(bytes);
    let mut reqs = Vec::new();
    loop {
        match p.next_request() {
            Ok(Some(r)) => reqs.push(r.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect()),
            Ok(None) => return (reqs, None),
            Err(e) => return (reqs, Some(e.0)),
        }
    }
}

fn err(bytes: &[u8]) -> String {
    run(bytes).1.expect("expected a protocol error")
}

fn words(ws: &[&str]) -> Vec<String> {
    ws.iter().map(|w| w.to_string()).collect()
}

#[test]
fn multibulk_length_errors() {
    for bad in [&b"*abc\r\n"[..], b"*\r\n", b"*-0\r\n", b"*05\r\n", b"*+5\r\n", b"*2147483648\r\n"] {
        assert_eq!(err(bad), "ERR Protocol error: invalid multibulk length", "{:?}", String::from_utf8_lossy(bad));
    }
    // INT_MAX itself is accepted: Redis waits for the arguments.
    assert_eq!(run(b"*2147483647\r\n"), (vec![], None));
    assert_eq!(run(b"*1048577\r\n$4\r\nPING\r\n"), (vec![], None));
}

#[test]
fn empty_multibulk_is_skipped() {
    for prefix in [&b"*0\r\n"[..], b"*-1\r\n", b"*-5\r\n"] {
        let mut bytes = prefix.to_vec();
        bytes.extend_from_slice(b"PING\r\n");
        assert_eq!(run(&bytes), (vec![words(&["PING"])], None));
    }
}

#[test]
fn bulk_errors() {
    assert_eq!(err(b"*1\r\nx3\r\nfoo\r\n"), "ERR Protocol error: expected '$', got 'x'");
    // The offending CR is shown as a space.
    assert_eq!(err(b"*1\r\n\r\n"), "ERR Protocol error: expected '$', got ' '");
    for bad in [&b"*1\r\n$abc\r\n"[..], b"*1\r\n$-1\r\n", b"*1\r\n$\r\n", b"*1\r\n$536870913\r\n"] {
        assert_eq!(err(bad), "ERR Protocol error: invalid bulk length");
    }
    // 512mb exactly is fine (Redis waits for the data).
    assert_eq!(run(b"*1\r\n$536870912\r\n"), (vec![], None));
}

#[test]
fn earlier_requests_run_before_the_error() {
    assert_eq!(
        run(b"PING\r\nPING\r\n*x\r\nPING\r\n"),
        (vec![words(&["PING"]), words(&["PING"])], Some("ERR Protocol error: invalid multibulk length".into()))
    );
}

#[test]
fn unchecked_crlf_bytes_are_skipped() {
    // "*1\rX" — the byte after CR is not checked; "PINGxy" — neither are
    // the two bytes after a bulk. Real Redis answers +PONG twice.
    assert_eq!(run(b"*1\rX$4\r\nPINGxyPING\r\n"), (vec![words(&["PING"]), words(&["PING"])], None));
}

#[test]
fn inline_requests() {
    assert_eq!(run(b"SET k \"a b\"\r\nGET k\n"), (vec![words(&["SET", "k", "a b"]), words(&["GET", "k"])], None));
    // Blank lines are skipped; a bare CR before LF is stripped once.
    assert_eq!(run(b"\r\n\n   \r\nPING\r\n"), (vec![words(&["PING"])], None));
    assert_eq!(run(b"SET k v\r\r\n"), (vec![words(&["SET", "k", "v"])], None));
    assert_eq!(err(b"SET k \"a\r\n"), "ERR Protocol error: unbalanced quotes in request");
    assert_eq!(err(b"SET k \"a\"b\r\n"), "ERR Protocol error: unbalanced quotes in request");
    assert_eq!(err(b"SET k 'ab\r\n"), "ERR Protocol error: unbalanced quotes in request");
}

#[test]
fn nul_makes_redis_wait() {
    // strchr stops at NUL: real Redis sends nothing and keeps waiting.
    assert_eq!(run(b"ECHO a\x00b\r\nPING\r\n"), (vec![], None));
    assert_eq!(run(b"*1\x00\r\nPING\r\n"), (vec![], None));
    // …until more than 64 KB are buffered.
    let mut big = b"ECHO a\x00".to_vec();
    big.extend(std::iter::repeat_n(b'b', 70_000));
    assert_eq!(err(&big), "ERR Protocol error: too big inline request");
    let mut big = b"*1\x00".to_vec();
    big.extend(std::iter::repeat_n(b'b', 70_000));
    assert_eq!(err(&big), "ERR Protocol error: too big mbulk count string");
    let mut big = b"*1\r\n$1\x00".to_vec();
    big.extend(std::iter::repeat_n(b'b', 70_000));
    assert_eq!(err(&big), "ERR Protocol error: too big bulk count string");
}

#[test]
fn the_64kb_limits_are_exact() {
    const K: usize = PROTO_INLINE_MAX_SIZE;
    // Sent as two writes: the line without its end, then "\r\n".
    let two_step = |line: Vec<u8>| {
        let mut p = RequestParser::new();
        p.feed(&line);
        let first = p.next_request();
        p.feed(b"\r\n");
        (first, p.next_request())
    };
    let line = |head: &[u8], fill: u8, total: usize| {
        let mut v = head.to_vec();
        v.resize(total, fill);
        v
    };
    // 65536 bytes buffered: still waiting; 65537: error.
    let (a, b) = two_step(line(b"ECHO ", b'a', K));
    assert_eq!(a, Ok(None));
    assert_eq!(b.map(|r| r.map(|r| r[1].len())), Ok(Some(K - 5)));
    let (a, _) = two_step(line(b"ECHO ", b'a', K + 1));
    assert_eq!(a, Err(ProtocolError("ERR Protocol error: too big inline request".into())));

    let (a, b) = two_step(line(b"*", b'1', K));
    assert_eq!((a, b), (Ok(None), Err(ProtocolError("ERR Protocol error: invalid multibulk length".into()))));
    let (a, _) = two_step(line(b"*", b'1', K + 1));
    assert_eq!(a, Err(ProtocolError("ERR Protocol error: too big mbulk count string".into())));

    let mut p = RequestParser::new();
    p.feed(b"*1\r\n");
    let (a, b) = {
        p.feed(&line(b"$", b'1', K));
        let a = p.next_request();
        p.feed(b"\r\n");
        (a, p.next_request())
    };
    assert_eq!((a, b), (Ok(None), Err(ProtocolError("ERR Protocol error: invalid bulk length".into()))));
    let mut p = RequestParser::new();
    p.feed(b"PING\r\n*1\r\n");
    p.feed(&line(b"$", b'1', K + 1));
    assert_eq!(p.next_request().map(|r| r.is_some()), Ok(true));
    assert_eq!(p.next_request(), Err(ProtocolError("ERR Protocol error: too big bulk count string".into())));
}

#[test]
fn split_anywhere_gives_the_same_requests() {
    let bytes = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nGET k\r\n*0\r\n*1\r\n$0\r\n\r\n";
    let whole = run(bytes);
    for cut in 0..bytes.len() {
        let mut p = RequestParser::new();
        let mut reqs = Vec::new();
        for part in [&bytes[..cut], &bytes[cut..]] {
            p.feed(part);
            while let Some(r) = p.next_request().unwrap() {
                reqs.push(r.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect::<Vec<_>>());
            }
        }
        assert_eq!((reqs, None), whole, "cut at {cut}");
    }
}

#[test]
fn errors_are_sticky() {
    let mut p = RequestParser::new();
    p.feed(b"*x\r\n");
    let e = p.next_request().unwrap_err();
    p.feed(b"PING\r\n");
    assert_eq!(p.next_request(), Err(e));
}

#[test]
fn a_huge_header_allocates_nothing_big() {
    let mut p = RequestParser::new();
    p.feed(b"*2147483647\r\n$536870912\r\nabc");
    assert_eq!(p.next_request(), Ok(None));
    assert!(p.multibulk.as_ref().is_some_and(|m| m.args.capacity() <= ARGV_RESERVE));
}

#[test]
fn recycled_buffers_serve_the_next_requests() {
    let mut p = RequestParser::new();
    p.feed(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n");
    let first = p.next_request().unwrap().unwrap();
    assert_eq!(first, vec![b"SET".to_vec(), b"k".to_vec(), b"value".to_vec()]);
    let arg_ptrs: Vec<*const u8> = first.iter().map(|a| a.as_ptr()).collect();
    p.recycle(first);
    let second = p.next_request().unwrap().unwrap();
    assert_eq!(second, vec![b"GET".to_vec(), b"k".to_vec()]);
    assert!(second.iter().all(|a| arg_ptrs.contains(&a.as_ptr())), "argument buffers are reused");
    p.recycle(vec![vec![0u8; 1 << 20]]);
    assert_eq!(p.next_request().unwrap().unwrap(), vec![b"PING".to_vec()]);
    assert!(p.spare_args.iter().all(|a| a.capacity() <= SPARE_ARG_CAPACITY));
}
