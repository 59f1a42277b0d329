//! Re-measures a short backlog sweep on a live `redis-server` (7.0) and
//! compares every write's `repl_backlog_first_byte_offset`, `histlen` and
//! `mem_total_replication_buffers` with the model, then the PSYNC window
//! boundaries. Fails (does not skip) when `redis-server` is missing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use replscope_core::backlog::ReplicationBacklog;
use replscope_core::psync::{decide, PsyncRequest, PsyncView};
use replscope_core::resp::encode_command;

/// Kills the server when the test ends, however it ends.
struct Server {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

fn start(backlog: &str) -> Server {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("replscope-backlog-{port}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .args(["--repl-diskless-sync", "no", "--repl-ping-replica-period", "3600"])
        .args(["--repl-backlog-size", backlog])
        .arg("--dir")
        .arg(&dir)
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server must be installed (apt-get install redis-server) for this test");
    let server = Server { child, port, dir };
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start");
        thread::sleep(Duration::from_millis(20));
    }
    server
}

struct Conn {
    r: BufReader<TcpStream>,
    w: TcpStream,
}

impl Conn {
    fn open(port: u16) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        Conn { r: BufReader::new(s.try_clone().expect("clone")), w: s }
    }
    fn send(&mut self, args: &[&[u8]]) {
        let mut out = Vec::new();
        encode_command(args, &mut out);
        self.w.write_all(&out).expect("write");
    }
    fn line(&mut self) -> String {
        let mut l = String::new();
        self.r.read_line(&mut l).expect("read line");
        l.trim_end().to_string()
    }
    /// A simple-string/error/integer reply line, or a bulk string's body.
    fn reply(&mut self) -> Vec<u8> {
        let l = self.line();
        if let Some(n) = l.strip_prefix('$') {
            let n: usize = n.parse().expect("bulk len");
            let mut body = vec![0; n + 2];
            self.r.read_exact(&mut body).expect("bulk");
            body.truncate(n);
            body
        } else {
            l.into_bytes()
        }
    }
    fn cmd(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.send(args);
        self.reply()
    }
    fn info(&mut self, key: &str) -> u64 {
        let text = String::from_utf8(self.cmd(&[b"INFO", b"replication", b"memory"])).expect("utf8");
        let prefix = format!("{key}:");
        let v = text.lines().find_map(|l| l.strip_prefix(prefix.as_str())).expect("INFO field");
        v.trim().parse().expect("number")
    }
}

/// A replica that syncs with `PSYNC ? -1` and keeps reading the stream.
fn consuming_replica(port: u16) -> String {
    let mut c = Conn::open(port);
    c.cmd(&[b"REPLCONF", b"listening-port", b"17799"]);
    c.cmd(&[b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]);
    c.send(&[b"PSYNC", b"?", b"-1"]);
    let first = c.line();
    let replid = first.split(' ').nth(1).expect("+FULLRESYNC <replid> <offset>").to_string();
    let mut header = c.line();
    while header.is_empty() {
        header = c.line();
    }
    let n: usize = header.trim_start_matches('$').parse().expect("RDB length");
    let mut rdb = vec![0; n];
    c.r.read_exact(&mut rdb).expect("RDB");
    thread::spawn(move || {
        let mut buf = [0u8; 65536];
        while matches!(c.r.read(&mut buf), Ok(n) if n > 0) {}
    });
    replid
}

fn set_k(value_len: usize) -> Vec<Vec<u8>> {
    vec![b"SET".to_vec(), b"k".to_vec(), vec![b'x'; value_len]]
}

#[test]
fn live_redis_matches_the_model() {
    let server = start("16kb");
    let replid = consuming_replica(server.port);
    let mut c = Conn::open(server.port);
    let mut model = ReplicationBacklog::new(16 * 1024, 0);
    let mut first_write = true;
    let sweep: Vec<usize> = [vec![1000; 45], vec![17000; 5], vec![40000; 4], vec![10; 30], vec![15000; 4]].concat();
    for (n, len) in sweep.into_iter().enumerate() {
        let argv = set_k(len);
        let args: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
        assert_eq!(c.cmd(&args), b"+OK");
        let mut bytes = Vec::new();
        if first_write {
            encode_command(&[b"SELECT".as_slice(), b"0"], &mut bytes);
            first_write = false;
        }
        encode_command(&argv, &mut bytes);
        model.append(&bytes);
        let real = (
            c.info("master_repl_offset"),
            c.info("repl_backlog_first_byte_offset"),
            c.info("repl_backlog_histlen"),
            c.info("mem_total_replication_buffers"),
        );
        let ours = (model.last_offset(), model.first_byte_offset(), model.histlen(), model.mem_total_replication_buffers());
        assert_eq!(ours, real, "write {n} (value {len} bytes)");
    }

    // PSYNC window: first - 1 and last + 2 are refused, the rest continue.
    let first = model.first_byte_offset() as i64;
    let last = model.last_offset() as i64;
    let view = PsyncView { replid: &replid, replid2: "0000000000000000000000000000000000000000", second_repl_offset: -1, master_repl_offset: last as u64, backlog: Some(&model) };
    for offset in [first - 1, first, last + 1, last + 2] {
        let mut p = Conn::open(server.port);
        p.cmd(&[b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"]);
        p.send(&[b"PSYNC", replid.as_bytes(), offset.to_string().as_bytes()]);
        let real = p.line();
        let ours = decide(&view, &PsyncRequest { replid: replid.clone(), offset }).reply_line(&view, true);
        assert_eq!(format!("{real}\r\n"), ours, "PSYNC {offset}");
    }
}
