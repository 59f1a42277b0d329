//! Tests of the harness itself, against a real redis-server: the stream
//! reader returns exactly the propagated bytes, commands the core already
//! implements pass, and a deliberate difference is reported.

use replscope_conformance::case;
use replscope_conformance::report::case_report;
use replscope_conformance::runner::{Harness, run_case_on, run_lines};

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

#[test]
fn stream_reader_returns_exactly_the_propagated_bytes() {
    let mut h = Harness::start().expect("start harness");
    assert!(h.sync.rdb.starts_with(b"REDIS0010"), "snapshot: {:?}", &h.sync.rdb[..9.min(h.sync.rdb.len())]);
    assert_eq!(h.sync.offset, 0);

    // The first write after a full sync carries SELECT 0 (23 bytes).
    let ex = h.exchange(&argv(&["SET", "k", "v"])).unwrap();
    assert_eq!(ex.real_stream, b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    assert_eq!(ex.real_stream, ex.core_stream);

    // Then `SET k v` is exactly 27 bytes, a read propagates nothing.
    let ex = h.exchange(&argv(&["SET", "k", "v"])).unwrap();
    assert_eq!(ex.real_stream.len(), 27);
    assert_eq!(ex.real_stream, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    let ex = h.exchange(&argv(&["GET", "k"])).unwrap();
    assert_eq!((ex.real_stream.len(), ex.core_stream.len()), (0, 0));
    assert_eq!(h.real.master_repl_offset().unwrap(), 23 + 27 + 27);
    assert_eq!(h.link.offset, 23 + 27 + 27);
    assert_eq!(h.link.unread(), 0);
}

#[test]
fn implemented_commands_pass() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/basics.redis");
    let cases = case::load(&path).unwrap();
    assert!(cases.len() >= 5);
    for c in &cases {
        let mut h = Harness::start().unwrap();
        let r = run_case_on(&mut h, c);
        assert!(r.passed(), "{}", case_report(&r));
        assert_eq!(r.steps.len(), c.steps.iter().filter(|s| !s.text.starts_with('@')).count());
    }
}

#[test]
fn a_reply_difference_is_reported() {
    let mut h = Harness::start().unwrap();
    // Tamper: the core alone holds k = "other".
    let c = h.core.client;
    h.core.node.execute(0, c, argv(&["SET", "k", "other"]));
    h.core.take_stream();
    h.core.node.server.repl.stream_db = None;
    let cases = case::parse("tamper.redis", "# tampered\nSET x 1\nGET k\n").unwrap();
    let r = run_case_on(&mut h, &cases[0]);
    assert!(!r.passed());
    assert_eq!(r.mismatches(), 1);
    let report = case_report(&r);
    println!("{report}");
    assert!(report.contains("✗ tamper.redis:3"), "{report}");
    assert!(report.contains(r#"reply   core: "$5\r\nother\r\n""#), "{report}");
    assert!(report.contains(r#"real: "$-1\r\n""#), "{report}");
}

#[test]
fn a_stream_difference_is_reported() {
    let mut h = Harness::start().unwrap();
    // Tamper: the core believes the stream is already in db 0, so it omits
    // the SELECT real Redis sends after a full sync.
    h.core.node.server.repl.stream_db = Some(0);
    let cases = case::parse("tamper.redis", "SET k v\n").unwrap();
    let r = run_case_on(&mut h, &cases[0]);
    assert_eq!(r.mismatches(), 1);
    let report = case_report(&r);
    println!("{report}");
    assert!(report.contains("reply   same: \"+OK\\r\\n\""), "{report}");
    assert!(report.contains("stream  core: SET k v\n"), "{report}");
    assert!(report.contains("real: SELECT 0 | SET k v\n"), "{report}");
    assert!(report.contains("bytes core (27)"), "{report}");
    assert!(report.contains("real (50)"), "{report}");
}

#[test]
fn run_lines_runs_each_case_on_a_fresh_server() {
    // The second case would see k if state leaked between cases.
    let results = run_lines("SET k v\nGET k\n---\nGET k\n");
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r.passed()));
    assert_eq!(results[1].steps[0].exchange.real_reply, replscope_core::resp::Frame::Null);
    // Each case's first write carries SELECT 0 again: offsets restart at 0.
    assert_eq!(results[0].steps[0].exchange.real_stream.len(), 50);
}

#[test]
fn snapshots_are_read_in_both_framings() {
    let mut h = Harness::start().expect("start harness");
    h.exchange(&argv(&["SET", "rdbkey", "rdbvalue"])).unwrap();
    for diskless in ["yes", "no"] {
        let mut c = h.real.client().unwrap();
        c.query(&["CONFIG", "SET", "repl-diskless-sync", diskless]).unwrap();
        // A second raw replica gets a full sync holding the key.
        let (_link, sync) = replscope_conformance::real::ReplicaLink::attach(h.real.port).unwrap();
        let rdb = &sync.rdb;
        assert!(rdb.starts_with(b"REDIS0010"), "diskless={diskless}");
        // An RDB ends with the EOF opcode 0xFF and an 8-byte checksum.
        assert_eq!(rdb[rdb.len() - 9], 0xff, "diskless={diskless}");
        let has = |needle: &[u8]| rdb.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"rdbkey") && has(b"rdbvalue"), "diskless={diskless}");
        // Its snapshot is taken at the current offset: SELECT 0 (23) + SET (39).
        assert_eq!(sync.offset, 62);
        assert_eq!(h.link.offset, 62);
    }
}
