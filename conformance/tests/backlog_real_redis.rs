//! Re-measures a short backlog sweep on a live `redis-server` (7.0) and
//! compares every write's `repl_backlog_first_byte_offset`, `histlen` and
//! `mem_total_replication_buffers` with the model, then the PSYNC window
//! boundaries. Fails (does not skip) when `redis-server` is missing.

use replscope_conformance::client::Client;
use replscope_conformance::real::{RealRedis, ReplicaLink};
use replscope_core::backlog::ReplicationBacklog;
use replscope_core::psync::{PsyncRequest, PsyncView, decide};
use replscope_core::resp::{Frame, encode_command};

fn set_k(value_len: usize) -> Vec<Vec<u8>> {
    vec![b"SET".to_vec(), b"k".to_vec(), vec![b'x'; value_len]]
}

fn info_u64(server: &mut RealRedis, section: &str, field: &str) -> u64 {
    let v = server.info_field(section, field).expect("INFO field");
    v.trim().parse().unwrap_or_else(|_| panic!("{field}: not a number: {v:?}"))
}

#[test]
fn live_redis_matches_the_model() {
    // A disk-based full sync, like the one the model's numbers were taken with.
    let mut server = RealRedis::builder()
        .config("repl-backlog-size", "16kb")
        .config("repl-diskless-sync", "no")
        .start()
        .expect("redis-server must be installed (apt-get install redis-server) for this test");
    // A replica that syncs with `PSYNC ? -1` and keeps reading the stream.
    let (mut link, sync) = ReplicaLink::attach(server.port).expect("attach replica");
    link.start_streaming(&mut server).expect("replica online");
    let _reader = link.consume_in_background();
    let replid = sync.replid;

    let mut c = server.client().expect("connect");
    let mut model = ReplicationBacklog::new(16 * 1024, 0);
    let mut first_write = true;
    let sweep: Vec<usize> = [vec![1000; 45], vec![17000; 5], vec![40000; 4], vec![10; 30], vec![15000; 4]].concat();
    for (n, len) in sweep.into_iter().enumerate() {
        let argv = set_k(len);
        assert_eq!(c.call(&argv).expect("SET").0, Frame::ok());
        let mut bytes = Vec::new();
        if first_write {
            encode_command(&[b"SELECT".as_slice(), b"0"], &mut bytes);
            first_write = false;
        }
        encode_command(&argv, &mut bytes);
        model.append(&bytes);
        let real = (
            info_u64(&mut server, "replication", "master_repl_offset"),
            info_u64(&mut server, "replication", "repl_backlog_first_byte_offset"),
            info_u64(&mut server, "replication", "repl_backlog_histlen"),
            info_u64(&mut server, "memory", "mem_total_replication_buffers"),
        );
        let ours =
            (model.last_offset(), model.first_byte_offset(), model.histlen(), model.mem_total_replication_buffers());
        assert_eq!(ours, real, "write {n} (value {len} bytes)");
    }

    // PSYNC window: first - 1 and last + 2 are refused, the rest continue.
    let first = model.first_byte_offset() as i64;
    let last = model.last_offset() as i64;
    let view = PsyncView {
        replid: &replid,
        replid2: "0000000000000000000000000000000000000000",
        second_repl_offset: -1,
        master_repl_offset: last as u64,
        backlog: Some(&model),
    };
    for offset in [first - 1, first, last + 1, last + 2] {
        let mut p = Client::connect(server.port).expect("connect");
        assert_eq!(p.query(&["REPLCONF", "capa", "eof", "capa", "psync2"]).expect("REPLCONF"), Frame::ok());
        p.send(&["PSYNC", replid.as_str(), &offset.to_string()]).expect("send PSYNC");
        let real = String::from_utf8(p.read_line().expect("PSYNC reply")).expect("utf8");
        let ours = decide(&view, &PsyncRequest { replid: replid.clone(), offset }).reply_line(&view, true);
        assert_eq!(format!("{real}\r\n"), ours, "PSYNC {offset}");
    }
}
