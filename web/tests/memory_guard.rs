//! The memory guard in the browser: the counting allocator, the threshold
//! logic, the driver refusing writes and pausing the clock with a notice on
//! the page, and the playground's lower `proto-max-bulk-len` in the Config
//! tab.

use std::cell::Cell;

use replscope_core::resp::Frame;
use replscope_web::App;
use replscope_web::driver::{ConsoleReply, Driver, Verb};
use replscope_web::memory_guard::*;
use replscope_web::sim_driver::SimDriver;
use replscope_web::view::Workload;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

mod common;

use common::{fresh_root, settle};

wasm_bindgen_test_configure!(run_in_browser);

const GB: u64 = 1 << 30;

thread_local! {
    /// The live bytes the tests' guard sees.
    static FAKE_LIVE: Cell<u64> = const { Cell::new(0) };
}

fn fake_live() -> u64 {
    FAKE_LIVE.with(Cell::get)
}

fn set_live(bytes: u64) {
    FAKE_LIVE.with(|c| c.set(bytes));
}

fn run(d: &mut impl Driver, node: &str, line: &str) -> Option<ConsoleReply> {
    d.apply(&Verb::RunCommand { node: node.into(), line: line.into() })
}

fn reply(r: Option<ConsoleReply>) -> Frame {
    match r {
        Some(ConsoleReply::Frame(f)) => f,
        other => panic!("{other:?}"),
    }
}

fn notice() -> Option<web_sys::Element> {
    web_sys::window().unwrap().document().unwrap().get_element_by_id(MEMORY_NOTICE_ID)
}

#[wasm_bindgen_test]
fn the_allocator_counts_live_bytes() {
    let before = live_bytes();
    assert!(before > 0, "the counting allocator is the global one");
    let v: Vec<u8> = Vec::with_capacity(32 << 20);
    assert!(live_bytes() >= before + (32 << 20), "{before} {}", live_bytes());
    drop(v);
    assert!(live_bytes() < before + (1 << 20), "{before} {}", live_bytes());
}

#[wasm_bindgen_test]
fn threshold_logic() {
    assert_eq!(THRESHOLD_BYTES, 1536 << 20);
    assert!(!over(THRESHOLD_BYTES - 1, THRESHOLD_BYTES));
    assert!(over(THRESHOLD_BYTES, THRESHOLD_BYTES));
    assert!(tick_allowed(GB, THRESHOLD_BYTES, None));
    assert!(!tick_allowed(2 * GB, THRESHOLD_BYTES, None));
    // Draining: the clock runs while memory stays at or below the level
    // where the freeing command left it.
    assert!(tick_allowed(2 * GB, THRESHOLD_BYTES, Some(2 * GB)));
    assert!(!tick_allowed(2 * GB + 1, THRESHOLD_BYTES, Some(2 * GB)));

    let cmd = |line: &str| Verb::RunCommand { node: "A".into(), line: line.into() };
    for line in ["GET k", "flushall", "DEL k", "UNLINK k", "FLUSHDB", "CONFIG SET hz 5", "INFO", "NOSUCH x", "a \"b"] {
        assert!(allowed_when_over(&cmd(line)), "{line}");
    }
    for line in ["SET k v", "setrange k 100 x", "COPY a b", "LPUSH l a", "exec", "REPLICAOF A 6379"] {
        assert!(!allowed_when_over(&cmd(line)), "{line}");
    }
    assert!(frees_memory(&cmd("FlushAll")) && !frees_memory(&cmd("SET k v")));
    assert!(!allowed_when_over(&Verb::AddNode { master: None }));
    assert!(!allowed_when_over(&Verb::SetWorkload(Workload { writes_per_s: 10, keys: 1, value_size: 1 })));
    assert!(allowed_when_over(&Verb::SetWorkload(Workload::default())));
    assert!(allowed_when_over(&Verb::Reset) && allowed_when_over(&Verb::Crash { node: "B".into() }));

    let pairs = |p: &[(&str, &str)]| p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
    assert_eq!(
        playground_pairs(&pairs(&[("port", "6380")])),
        pairs(&[("port", "6380"), ("proto-max-bulk-len", "8mb")])
    );
    assert_eq!(playground_pairs(&pairs(&[("PROTO-max-bulk-len", "1gb")])), pairs(&[("PROTO-max-bulk-len", "1gb")]));
}

/// Over the threshold the driver refuses writes with an OOM reply, stops
/// the workload, pauses the clock and shows a notice; FLUSHALL still runs
/// and lets the clock run to reach the replicas; under the threshold all is
/// back to normal and the notice is gone.
#[wasm_bindgen_test]
fn the_driver_refuses_writes_and_pauses_the_clock() {
    set_live(GB);
    let mut d = GuardedDriver::with_probe(SimDriver::new(), THRESHOLD_BYTES, fake_live);
    assert_eq!(reply(run(&mut d, "A", "SET k v")), Frame::ok());
    d.apply(&Verb::SetWorkload(Workload { writes_per_s: 100, keys: 10, value_size: 16 }));
    d.tick(100.0, 1.0);
    assert!(!d.tripped() && notice().is_none());

    set_live(THRESHOLD_BYTES + GB / 10);
    let t = d.view().t_ms;
    d.tick(100.0, 1.0);
    assert!(d.tripped());
    assert_eq!(d.view().t_ms, t, "the clock is paused");
    assert_eq!(d.view().workload.writes_per_s, 0, "the workload is stopped");
    let text = notice().expect("a notice on the page").text_content().unwrap();
    assert!(text.contains("Memory guard: this tab holds 1.6 GB") && text.contains("FLUSHALL"), "{text}");

    let Frame::Error(e) = reply(run(&mut d, "A", "SETRANGE big 1000 x")) else { panic!("an error") };
    assert!(e.starts_with("OOM command not allowed: this tab holds 1.6 GB, over ReplScope's 1.5 GB"), "{e}");
    assert_eq!(reply(run(&mut d, "A", "EXISTS big")), Frame::Integer(0), "reads still run");
    assert_eq!(reply(run(&mut d, "A", "GET k")), Frame::bulk("v"));
    d.apply(&Verb::Step);
    d.apply(&Verb::AddNode { master: Some("A".into()) });
    assert_eq!(d.view().t_ms, t);
    assert_eq!(d.view().nodes.len(), 4, "no node added");

    // FLUSHALL runs; memory is not growing, so the clock runs again.
    assert_eq!(reply(run(&mut d, "A", "FLUSHALL")), Frame::ok());
    d.tick(100.0, 1.0);
    assert!(d.view().t_ms > t, "draining");
    set_live(THRESHOLD_BYTES + GB / 5);
    let t = d.view().t_ms;
    d.tick(100.0, 1.0);
    assert_eq!(d.view().t_ms, t, "paused again: memory grew past where FLUSHALL left it");

    // Back under: writes and the clock run, the notice is gone.
    set_live(GB);
    assert_eq!(reply(run(&mut d, "A", "SET k2 v")), Frame::ok());
    assert!(!d.tripped() && notice().is_none());
    d.tick(100.0, 1.0);
    assert!(d.view().t_ms > t);
}

/// The playground's nodes start with proto-max-bulk-len 8mb (the ready
/// scene, added nodes and scenario nodes), and the Config tab says so.
#[wasm_bindgen_test]
async fn playground_nodes_have_a_lower_proto_max_bulk_len_and_say_so() {
    let mut d = SimDriver::new();
    let get = Frame::Array(vec![Frame::bulk("proto-max-bulk-len"), Frame::bulk("8388608")]);
    assert_eq!(reply(run(&mut d, "A", "CONFIG GET proto-max-bulk-len")), get);
    assert_eq!(reply(run(&mut d, "A", "SETRANGE k 8388607 x")), Frame::Integer(8 << 20));
    assert_eq!(
        reply(run(&mut d, "A", "SETRANGE k 8388608 x")),
        Frame::error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    );
    d.apply(&Verb::AddNode { master: Some("A".into()) });
    assert_eq!(reply(run(&mut d, "E", "CONFIG GET proto-max-bulk-len")), get);
    let json = r#"{"version":1,"nodes":[{"name":"A"},{"name":"B","config":{"port":"6380","proto-max-bulk-len":"1gb"}}],"steps":[]}"#;
    let mut s = SimDriver::scenario("t", json).unwrap();
    assert_eq!(reply(run(&mut s, "A", "CONFIG GET proto-max-bulk-len")), get);
    assert_eq!(
        reply(run(&mut s, "B", "CONFIG GET proto-max-bulk-len")),
        Frame::Array(vec![Frame::bulk("proto-max-bulk-len"), Frame::bulk("1073741824")])
    );

    let root = fresh_root();
    let _app = yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    let tab = root.query_selector("button[data-tab=Config]").unwrap().expect("a Config tab");
    tab.dyn_ref::<web_sys::HtmlElement>().unwrap().click();
    settle().await;
    let input = root.query_selector("input[data-param=proto-max-bulk-len]").unwrap().expect("a proto-max-bulk-len row");
    assert_eq!(input.dyn_ref::<web_sys::HtmlInputElement>().unwrap().value(), "8388608");
    let row = input.closest(".config-row").unwrap().unwrap();
    let text = row.text_content().unwrap();
    assert!(text.contains(PROTO_MAX_BULK_LEN_NOTE), "{text}");
    assert!(text.contains("8mb here (Redis default 512mb)"), "{text}");
}
