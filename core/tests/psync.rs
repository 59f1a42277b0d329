//! PSYNC decisions checked against what a real Redis 7.0.15 master answered
//! and logged (raw replicas sending `REPLCONF listening-port 17799`,
//! `REPLCONF capa eof capa psync2`, `PSYNC <replid> <offset>`).

use replscope_core::backlog::ReplicationBacklog;
use replscope_core::psync::{FullResyncReason, PsyncDecision, PsyncRequest, PsyncView, decide};
use replscope_core::resp::encode_command;

const NAME: &str = "127.0.0.1:17799";
const R: &str = "df83af4ea1664968ba8f5174b7122e9a54c1686d";
const R2: &str = "40cf4efc3278737a02b650bd9014ac169349a589";
const NULL_ID: &str = "0000000000000000000000000000000000000000";

fn cmd(args: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_command(args, &mut out);
    out
}

fn with_select(args: &[&[u8]]) -> Vec<u8> {
    let mut out = cmd(&[b"SELECT", b"0"]);
    out.extend(cmd(args));
    out
}

/// The observed master: 16kb backlog from offset 0; `SET a 1`, `SET a 2`,
/// (full sync) `SET a 3`, 40 × `SET k <1000 x's>` → first_byte_offset 20441,
/// master_repl_offset 41287, histlen 20847 (all three as INFO showed them).
fn master_backlog() -> (ReplicationBacklog, Vec<u8>) {
    let mut b = ReplicationBacklog::new(16 * 1024, 0);
    let mut stream = Vec::new();
    let value = vec![b'x'; 1000];
    let mut writes = vec![with_select(&[b"SET", b"a", b"1"]), cmd(&[b"SET", b"a", b"2"])];
    writes.push(with_select(&[b"SET", b"a", b"3"]));
    for _ in 0..40 {
        writes.push(cmd(&[b"SET", b"k", &value]));
    }
    for w in writes {
        b.append(&w);
        stream.extend(w);
    }
    (b, stream)
}

fn view(b: &ReplicationBacklog) -> PsyncView<'_> {
    PsyncView { replid: R, replid2: R2, second_repl_offset: 1, master_repl_offset: 41287, backlog: Some(b) }
}

fn ask(replid: &str, offset: i64) -> PsyncRequest {
    PsyncRequest { replid: replid.to_string(), offset }
}

#[test]
fn window_boundaries_match_real_master() {
    let (b, stream) = master_backlog();
    assert_eq!((b.first_byte_offset(), b.last_offset(), b.histlen()), (20441, 41287, 20847));
    let v = view(&b);
    // Observed: 20440 full; 20441, 20442, 41287, 41288 continue; 41289 full.
    let full = decide(&v, &ask(R, 20440));
    assert_eq!(full.reply_line(&v, true), format!("+FULLRESYNC {R} 41287\r\n"));
    assert_eq!(
        full.log_lines(NAME),
        ["Unable to partial resync with replica 127.0.0.1:17799 for lack of backlog (Replica request was: 20440)."]
    );
    assert_eq!(full.why(), "asked for 20440 · window starts at 20441 → not in backlog → full resync");
    assert_eq!(full.stats_delta(), (0, 1));
    for (offset, sent) in [(20441u64, 20847usize), (20442, 20846), (41287, 1), (41288, 0)] {
        let d = decide(&v, &ask(R, offset as i64));
        let PsyncDecision::Continue { replid, from_offset, backlog_bytes } = &d else {
            panic!("{offset} should continue")
        };
        assert_eq!((replid.as_str(), *from_offset, backlog_bytes.len()), (R, offset, sent));
        assert_eq!(backlog_bytes[..], stream[offset as usize - 1..]);
        assert_eq!(d.reply_line(&v, true), format!("+CONTINUE {R}\r\n"));
        assert_eq!(d.reply_line(&v, false), "+CONTINUE\r\n");
        assert_eq!(d.stats_delta(), (1, 0));
        assert_eq!(
            d.log_lines(NAME),
            [format!(
                "Partial resynchronization request from 127.0.0.1:17799 accepted. Sending {sent} bytes of backlog starting from offset {offset}."
            )]
        );
    }
    let ahead = decide(&v, &ask(R, 41289));
    assert_eq!(
        ahead.log_lines(NAME),
        [
            "Unable to partial resync with replica 127.0.0.1:17799 for lack of backlog (Replica request was: 41289).",
            "Warning: replica 127.0.0.1:17799 tried to PSYNC with an offset that is greater than the master replication offset."
        ]
    );
    assert_eq!(
        ahead.why(),
        "asked for 41289 · window ends at 41288 (master_repl_offset + 1) → ahead of the master → full resync"
    );
    for offset in [0, -5] {
        let d = decide(&v, &ask(R, offset));
        assert_eq!(
            d.log_lines(NAME),
            [format!(
                "Unable to partial resync with replica 127.0.0.1:17799 for lack of backlog (Replica request was: {offset})."
            )]
        );
        assert_eq!(d.stats_delta(), (0, 1));
    }
    // IDs compare case-insensitively (strcasecmp).
    assert!(matches!(decide(&v, &ask(&R.to_uppercase(), 41288)), PsyncDecision::Continue { .. }));
}

#[test]
fn id_mismatch_and_forced_full_match_real_master() {
    let (b, _) = master_backlog();
    let v = view(&b);
    let a40 = "a".repeat(40);
    let d = decide(&v, &ask(&a40, 20441));
    assert_eq!(
        d.log_lines(NAME),
        [format!(
            "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{a40}', my replication IDs are '{R}' and '{R2}')"
        )]
    );
    assert_eq!(d.stats_delta(), (0, 1));
    let b40 = "b".repeat(40);
    let d = decide(&v, &ask(&b40, 5));
    assert_eq!(
        d.log_lines("127.0.0.1:<unknown-replica-port>"),
        [format!(
            "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{b40}', my replication IDs are '{R}' and '{R2}')"
        )]
    );
    let q = decide(&v, &ask("?", -1));
    assert_eq!(q, PsyncDecision::FullResync { reason: FullResyncReason::Requested });
    assert_eq!(q.log_lines(NAME), ["Full resync requested by replica 127.0.0.1:17799"]);
    assert_eq!(q.stats_delta(), (0, 0));
}

/// The replica S of that master, promoted with `REPLICAOF NO ONE`: replid
/// ef45…, replid2 = R valid up to 41338; its backlog (created at its full
/// sync at 41287) holds SELECT + `SET z 1`.
#[test]
fn second_id_matches_real_promoted_replica() {
    let s_id = "ef45095aaa01baec8e6e4de9db1e865fd3a7eb93";
    let mut b = ReplicationBacklog::new(1 << 20, 41287);
    b.append(&with_select(&[b"SET", b"z", b"1"]));
    assert_eq!((b.first_byte_offset(), b.histlen()), (41288, 50));
    let v =
        PsyncView { replid: s_id, replid2: R, second_repl_offset: 41338, master_repl_offset: 41337, backlog: Some(&b) };
    let d = decide(&v, &ask(R, 41338));
    assert_eq!(d.reply_line(&v, true), format!("+CONTINUE {s_id}\r\n"));
    assert_eq!(
        d.log_lines(NAME),
        [
            "Partial resynchronization request from 127.0.0.1:17799 accepted. Sending 0 bytes of backlog starting from offset 41338."
        ]
    );
    let d = decide(&v, &ask(R, 41339));
    assert_eq!(
        d.log_lines(NAME),
        [
            "Partial resynchronization not accepted: Requested offset for second ID was 41339, but I can reply up to 41338"
        ]
    );
    assert_eq!(d.stats_delta(), (0, 1));
    assert_eq!(d.reply_line(&v, true), format!("+FULLRESYNC {s_id} 41337\r\n"));
    // After S's own write (SELECT + SET w 1, 50 bytes) the old ID still continues.
    b.append(&with_select(&[b"SET", b"w", b"1"]));
    let v =
        PsyncView { replid: s_id, replid2: R, second_repl_offset: 41338, master_repl_offset: 41387, backlog: Some(&b) };
    let d = decide(&v, &ask(R, 41338));
    assert_eq!(
        d.log_lines(NAME),
        [
            "Partial resynchronization request from 127.0.0.1:17799 accepted. Sending 50 bytes of backlog starting from offset 41338."
        ]
    );
    let d = decide(&v, &ask(s_id, 41388));
    assert_eq!(
        d.log_lines(NAME),
        [
            "Partial resynchronization request from 127.0.0.1:17799 accepted. Sending 0 bytes of backlog starting from offset 41388."
        ]
    );
}

#[test]
fn no_backlog_is_a_full_resync() {
    let v = PsyncView { replid: R, replid2: NULL_ID, second_repl_offset: -1, master_repl_offset: 50, backlog: None };
    let d = decide(&v, &ask(R, 51));
    assert_eq!(d, PsyncDecision::FullResync { reason: FullResyncReason::NoBacklog { asked_offset: 51 } });
    assert_eq!(
        d.log_lines(NAME),
        ["Unable to partial resync with replica 127.0.0.1:17799 for lack of backlog (Replica request was: 51)."]
    );
    // Asking for the all-zero replid2 matches it (strcasecmp), but no
    // offset is <= -1 that the window could hold.
    let d = decide(&v, &ask(NULL_ID, 51));
    assert_eq!(
        d.log_lines(NAME),
        ["Partial resynchronization not accepted: Requested offset for second ID was 51, but I can reply up to -1"]
    );
}
