//! `SimDriver` in the browser: the scene the page opens with, driven by the
//! core's simulator, checked through the view model the components render.

use replscope_core::resp::Frame;
use replscope_web::driver::{ConsoleReply, Driver, Verb};
use replscope_web::sim_driver::{SCENARIOS, SimDriver};

/// The example scenarios' files (the app fetches them; the tests embed them).
const FILES: [(&str, &str); 9] = [
    ("partial-resync-after-short-cut", include_str!("../../scenarios/partial-resync-after-short-cut.json")),
    ("full-resync-after-backlog-overflow", include_str!("../../scenarios/full-resync-after-backlog-overflow.json")),
    ("chain", include_str!("../../scenarios/chain.json")),
    ("diskless-two-replicas", include_str!("../../scenarios/diskless-two-replicas.json")),
    ("failover-psync2", include_str!("../../scenarios/failover-psync2.json")),
    ("min-replicas-to-write", include_str!("../../scenarios/min-replicas-to-write.json")),
    ("output-buffer-limit-loop", include_str!("../../scenarios/output-buffer-limit-loop.json")),
    ("serve-stale-data", include_str!("../../scenarios/serve-stale-data.json")),
    ("high-latency-chain", include_str!("../../scenarios/high-latency-chain.json")),
];

fn scenario_json(name: &str) -> &'static str {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, j)| *j).unwrap_or_else(|| panic!("no scenario {name}"))
}

#[wasm_bindgen_test]
fn the_menu_lists_every_scenario_file() {
    let names: Vec<&str> = FILES.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, SCENARIOS);
}
use replscope_web::view::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn run(d: &mut SimDriver, node: &str, line: &str) -> Option<ConsoleReply> {
    d.apply(&Verb::RunCommand { node: node.into(), line: line.into() })
}

/// Plays `virtual_ms` in 16 ms frames at 1×, checking `f` after each;
/// returns the first view for which it holds.
fn play_until(d: &mut SimDriver, virtual_ms: u64, mut f: impl FnMut(&SceneView) -> bool) -> Option<SceneView> {
    for _ in 0..virtual_ms / 16 {
        d.tick(16.0, 1.0);
        let v = d.view();
        if f(&v) {
            return Some(v);
        }
    }
    None
}

fn key<'a>(v: &'a SceneView, node: &str, key: &str) -> Option<&'a KeyRow> {
    v.node(node)?.keys.iter().find(|r| r.key == key)
}

#[wasm_bindgen_test]
fn the_ready_scene_is_synced() {
    let d = SimDriver::new();
    let v = d.view();
    let roles: Vec<_> = v.nodes.iter().map(|n| (n.name.as_str(), n.port, n.role)).collect();
    assert_eq!(
        roles,
        vec![
            ("A", 6379, Role::Master),
            ("B", 6380, Role::Replica),
            ("C", 6381, Role::Replica),
            ("D", 6382, Role::Replica)
        ]
    );
    assert_eq!(v.master_of("B"), Some("A"));
    assert_eq!(v.master_of("D"), Some("B"));
    for l in &v.links {
        assert_eq!(l.state, LinkState::Up, "{l:?}");
    }
    for n in &v.nodes[1..] {
        assert_eq!(n.link_status, Some(LinkStatus::Up));
        assert_eq!(n.replid, v.nodes[0].replid, "one history");
    }
    let a = v.node("A").unwrap();
    assert!(a.info_replication.contains("connected_slaves:2"), "{}", a.info_replication);
    let markers: Vec<_> =
        a.backlog.as_ref().unwrap().replicas.iter().map(|m| (m.name.as_str(), m.connected, m.in_window)).collect();
    assert_eq!(markers, vec![("B", true, true), ("C", true, true)]);
    // The initial syncs are in the log, decided by the core.
    assert!(v.events.iter().any(|e| e.text == "A answered B: +FULLRESYNC" && e.why.is_some()));
}

#[wasm_bindgen_test]
fn a_write_on_a_reaches_b_and_d_with_labelled_messages() {
    let mut d = SimDriver::new();
    assert_eq!(run(&mut d, "A", "SET k v"), Some(ConsoleReply::Frame(Frame::ok())));
    let v = d.view();
    assert_eq!(key(&v, "B", "k").unwrap().differs_from_master, Some(Diff::Missing), "not there yet");
    let pill = v.in_flight.iter().find(|m| m.from == "A" && m.to == "B").expect("the write is on the wire");
    assert_eq!(pill.kind, MessageKind::Write);
    assert_eq!(pill.label, "SET k v · 50 B", "with the SELECT 0 that starts the stream");
    let v = play_until(&mut d, 2_000, |v| key(v, "D", "k").is_some_and(|r| r.differs_from_master.is_none()))
        .expect("D gets it");
    assert_eq!(key(&v, "B", "k").unwrap().value_preview, "\"v\"");
    assert!(v.arrows.iter().any(|a| a.label == "SET k v · 50 B" && a.recv_ms.is_some()));
    run(&mut d, "A", "SET k v");
    assert_eq!(d.view().in_flight.iter().find(|m| m.to == "C").unwrap().label, "SET k v · 27 B");
    assert_eq!(
        run(&mut d, "B", "SET x 1"),
        Some(ConsoleReply::Frame(Frame::error("READONLY You can't write against a read only replica.")))
    );
}

#[wasm_bindgen_test]
fn cut_writes_heal_is_a_partial_resync() {
    let mut d = SimDriver::new();
    d.apply(&Verb::CutLink { from: "A".into(), to: "B".into() });
    assert_eq!(d.view().link_to("B").unwrap().state, LinkState::Cut);
    for i in 0..3 {
        run(&mut d, "A", &format!("SET during{i} x"));
    }
    play_until(&mut d, 500, |_| false);
    let marker = |v: &SceneView| {
        v.node("A").unwrap().backlog.as_ref().unwrap().replicas.iter().find(|m| m.name == "B").cloned().unwrap()
    };
    let m = marker(&d.view());
    assert!(!m.connected && m.in_window, "{m:?}");
    d.apply(&Verb::HealLink { from: "A".into(), to: "B".into() });
    let v = play_until(&mut d, 5_000, |v| v.link_to("B").is_some_and(|l| l.badge.is_some())).expect("a PSYNC outcome");
    assert!(
        matches!(v.link_to("B").unwrap().badge, Some(Outcome::Partial { bytes }) if bytes > 0),
        "{:?}",
        v.link_to("B")
    );
    let e = v.events.iter().rev().find(|e| e.badge.is_some()).unwrap();
    assert_eq!(e.text, "A answered B: +CONTINUE");
    assert!(e.redis_log.as_ref().unwrap().contains("Partial resynchronization request from B:6380 accepted"), "{e:?}");
    let v = play_until(&mut d, 3_000, |v| key(v, "D", "during2").is_some_and(|r| r.differs_from_master.is_none()))
        .expect("D catches up via B");
    assert_eq!(v.link_to("B").unwrap().state, LinkState::Up);
}

/// `len` hex digits that LZF cannot shrink (the RDB compresses strings).
fn incompressible(seed: u64, len: usize) -> String {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from_digit((x % 16) as u32, 16).unwrap_or('0')
        })
        .collect()
}

#[wasm_bindgen_test]
fn past_the_window_the_marker_turns_red_before_heal_then_full_resync() {
    let mut d = SimDriver::new();
    let ok = d.apply(&Verb::SetConfig { node: "A".into(), name: "repl-backlog-size".into(), value: "16kb".into() });
    assert_eq!(ok, Some(ConsoleReply::Frame(Frame::ok())));
    let bad = d.apply(&Verb::SetConfig { node: "A".into(), name: "repl-backlog-size".into(), value: "lots".into() });
    assert!(matches!(bad, Some(ConsoleReply::Frame(Frame::Error(e))) if e.starts_with("ERR CONFIG SET failed")));
    d.apply(&Verb::CutLink { from: "A".into(), to: "B".into() });
    for i in 0..12 {
        run(&mut d, "A", &format!("SET big{i} {}", incompressible(i, 4000)));
    }
    let v = play_until(&mut d, 1_000, |_| false).unwrap_or_else(|| d.view());
    let b = v.node("A").unwrap().backlog.clone().unwrap();
    let m = b.replicas.iter().find(|m| m.name == "B").unwrap();
    assert!(!m.connected && !m.in_window, "red before heal: {m:?} in {b:?}");
    d.apply(&Verb::HealLink { from: "A".into(), to: "B".into() });
    let mut saw_rdb = None;
    let v = play_until(&mut d, 8_000, |v| {
        if let Some(l) = v.link_to("B").filter(|l| l.rdb_transfer.is_some()) {
            saw_rdb.get_or_insert((l.state, l.rdb_transfer.unwrap()));
        }
        key(v, "B", "big11").is_some_and(|r| r.differs_from_master.is_none())
    })
    .expect("B resyncs");
    let (state, (sent, total)) = saw_rdb.expect("an RDB transfer on the link at some frame");
    assert_eq!(state, LinkState::Sync);
    assert!(total > 40_000 && sent <= total, "{sent}/{total}");
    let e = v.events.iter().rev().find(|e| e.text == "A answered B: +FULLRESYNC").unwrap();
    assert!(matches!(e.badge, Some(Outcome::Full { rdb_bytes }) if rdb_bytes > 40_000), "{e:?}");
    assert!(e.why.as_ref().unwrap().contains("full resync"), "{e:?}");
}

#[wasm_bindgen_test]
fn nodes_come_and_go_and_scenarios_load() {
    let mut d = SimDriver::new();
    d.apply(&Verb::AddNode { master: Some("C".into()) });
    // Redis 7.0 syncs diskless by default, after a 5 s repl-diskless-sync-delay.
    let v = play_until(&mut d, 8_000, |v| v.node("E").is_some_and(|n| n.link_status == Some(LinkStatus::Up)))
        .unwrap_or_else(|| {
            panic!(
                "E syncs: {:#?} {:#?}",
                d.view().node("C").unwrap().log,
                d.view().events.iter().rev().take(15).map(|e| e.text.clone()).collect::<Vec<_>>()
            )
        });
    assert_eq!(v.node("E").unwrap().port, 6383);
    assert_eq!(v.master_of("E"), Some("C"));
    d.apply(&Verb::Crash { node: "C".into() });
    assert_eq!(run(&mut d, "C", "PING"), Some(ConsoleReply::NotConnected { host: "C".into(), port: 6381 }));
    assert!(d.view().node("C").unwrap().crashed);
    d.apply(&Verb::Restart { node: "C".into() });
    assert_eq!(run(&mut d, "C", "PING"), Some(ConsoleReply::Frame(Frame::Simple("PONG".into()))));
    d.apply(&Verb::Promote { node: "B".into() });
    assert_eq!(d.view().node("B").unwrap().role, Role::Master);
    d.apply(&Verb::RepointTo { node: "B".into(), master: "A".into() });
    assert_eq!(d.view().master_of("B"), Some("A"));
    d.apply(&Verb::RemoveNode { node: "E".into() });
    assert!(d.view().node("E").is_none());
    d.apply(&Verb::SetWorkload(Workload { writes_per_s: 100, keys: 10, value_size: 8 }));
    play_until(&mut d, 1_000, |_| false);
    assert_eq!(d.view().node("A").unwrap().keys.len(), 10);
    // All but the big one (hundreds of KB of seed values).
    for name in SCENARIOS.iter().filter(|n| **n != "output-buffer-limit-loop") {
        let json = scenario_json(name);
        d.apply(&Verb::LoadScenario { name: name.to_string(), json: json.to_string() });
        assert_eq!(d.view().scenario, *name);
        play_until(&mut d, 2_000, |_| false);
    }
}

/// Plays a scenario at 100× until `f` holds (at most `virtual_ms`).
fn play_scenario(name: &str, virtual_ms: u64, f: impl Fn(&SceneView) -> bool) -> SceneView {
    let json = scenario_json(name);
    let mut d = SimDriver::new();
    d.apply(&Verb::LoadScenario { name: name.into(), json: json.into() });
    for _ in 0..virtual_ms / 250 {
        d.tick(2.5, 100.0);
        let v = d.view();
        if f(&v) {
            return v;
        }
    }
    panic!(
        "{name}: not reached; last events {:#?}",
        d.view().events.iter().rev().take(10).map(|e| e.text.clone()).collect::<Vec<_>>()
    );
}

#[wasm_bindgen_test]
fn the_example_scenarios_play_their_lessons() {
    let has = |text: &'static str| move |v: &SceneView| v.events.iter().any(|e| e.text == text);
    let v = play_scenario("partial-resync-after-short-cut", 60_000, has("A answered B: +CONTINUE"));
    assert!(v.events.iter().any(|e| e.text.starts_with("step ")), "steps are logged");
    play_scenario("full-resync-after-backlog-overflow", 120_000, |v| {
        v.events.iter().filter(|e| e.text == "A answered B: +FULLRESYNC").count() >= 2
    });
    play_scenario("chain", 60_000, |v| v.node("C").is_some_and(|n| n.link_status == Some(LinkStatus::Up)));
}

/// The workload sends individual SETs (core's shared shape), logs one line
/// for them, not one per write, and the simulator's event memory stays
/// bounded however long it runs.
#[wasm_bindgen_test]
fn the_workload_sends_individual_sets_with_bounded_event_memory() {
    use replscope_core::events::NodeEventKind;
    use replscope_core::sim::SimEventKind;
    use replscope_web::sim_driver::EVENT_RETENTION;

    let mut d = SimDriver::new();
    let logged = d.view().events.len();
    d.apply(&Verb::SetWorkload(Workload { writes_per_s: 5_000, keys: 50, value_size: 8 }));
    let mut fed = 0;
    let mut others = 0;
    let mut cursor = d.sim().event_count();
    for _ in 0..200 {
        d.tick(16.0, 1.0);
        for e in d.sim().events_since(cursor) {
            if let SimEventKind::Node { node, event: NodeEventKind::StreamFed { cmd, .. } } = &e.kind {
                assert_eq!(&**node, "A");
                if cmd.starts_with("SET key:0000") {
                    fed += 1;
                } else {
                    others += 1;
                }
            }
        }
        cursor = d.sim().event_count();
        assert!(d.sim().events_since(0).len() < 2 * EVENT_RETENTION, "retention keeps the event memory bounded");
    }
    // 200 frames of 16 ms at 5000 writes/s: 16000 SETs, one stream command each.
    assert!(fed >= 15_000, "{fed} SETs fed to the stream");
    assert!(others < 100, "{others} other stream commands");
    let v = d.view();
    let workload_lines: Vec<_> = v.events[logged..].iter().filter(|e| e.kind == "workload").collect();
    assert_eq!(workload_lines.len(), 1, "one line for the workload, not one per write");
    assert!(workload_lines[0].text.contains("individual SET"), "{}", workload_lines[0].text);
    assert!(v.events.len() < logged + 50, "{} log lines", v.events.len());
    assert_eq!(v.node("A").unwrap().keys.len(), 50);
    // The replicas keep up: B has A's keys (bar the last burst in flight).
    let b = v.node("B").unwrap();
    assert!(b.keys.len() == 50 && b.link_status == Some(LinkStatus::Up));
}

#[wasm_bindgen_test]
fn a_master_refusing_the_workload_is_logged_once_and_when_it_stops() {
    let mut d = SimDriver::new();
    // A has two replicas (B and C); three are required.
    run(&mut d, "A", "CONFIG SET min-replicas-to-write 3");
    d.apply(&Verb::SetWorkload(Workload { writes_per_s: 500, keys: 10, value_size: 8 }));
    play_until(&mut d, 1_000, |_| false);
    let refused = "workload: A refuses the writes: (error) NOREPLICAS Not enough good replicas to write.";
    let v = d.view();
    assert_eq!(v.events.iter().filter(|e| e.text == refused).count(), 1, "logged once, not per burst");
    assert!(v.node("A").unwrap().keys.iter().all(|r| !r.key.starts_with("key:")), "no write went in");
    run(&mut d, "A", "CONFIG SET min-replicas-to-write 0");
    let v = play_until(&mut d, 1_000, |v| v.events.iter().any(|e| e.text == "workload: A accepts the writes again"));
    assert!(v.is_some(), "the end of the refusal is logged");
}

#[wasm_bindgen_test]
fn a_promoted_master_without_replicas_shows_its_own_backlog() {
    let mut d = SimDriver::new();
    run(&mut d, "C", "REPLICAOF NO ONE");
    play_until(&mut d, 500, |_| false);
    let v = d.view();
    let c = v.node("C").unwrap();
    assert!(c.backlog.is_some(), "a promoted replica keeps its backlog");
    assert_eq!(replscope_web::backlog_owner(&v, Some(c)).map(|n| n.name.as_str()), Some("C"));
    // A replica selected: its master's backlog; nothing selected: A's (it has replicas).
    assert_eq!(replscope_web::backlog_owner(&v, v.node("B")).map(|n| n.name.as_str()), Some("A"));
    assert_eq!(replscope_web::backlog_owner(&v, None).map(|n| n.name.as_str()), Some("A"));
}

#[wasm_bindgen_test]
fn a_loaded_scenario_says_how_its_timing_differs_from_the_cli() {
    let mut d = SimDriver::new();
    let name = "chain";
    d.apply(&Verb::LoadScenario { name: name.into(), json: scenario_json(name).into() });
    let note = replscope_web::sim_driver::scenario_pacing_note(name);
    assert!(note.contains("700 ms apart") && note.contains("replscope run"), "{note}");
    assert!(d.view().events.iter().any(|e| e.kind == "scenario" && e.text == note), "the note is in the event log");
}
