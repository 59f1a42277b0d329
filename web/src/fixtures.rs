//! Hand-built scenes: what the UI shows in the middle of a resync story.
//!
//! Tests render them, and `?fixture=resync` in the page's URL shows one
//! frozen (through [`FixtureDriver`]), so the replication pictures can be
//! checked by eye before the simulator drives them for real. Every number
//! here is made up but consistent.

use std::rc::Rc;

use crate::view::*;

fn node(name: &str, port: u16, role: Role, replid: &str, offset: u64) -> NodeView {
    let mut n = NodeView::new(name, port);
    n.role = role;
    n.replid = replid.to_string();
    n.master_repl_offset = offset;
    if role == Role::Replica {
        n.link_status = Some(LinkStatus::Up);
    }
    n
}

/// A master A whose 1 KB backlog has moved past a disconnected replica C:
/// B is connected and receiving writes (and just did a partial resync), C's
/// link is cut and its offset has left the window (full resync needed),
/// D is getting an RDB from B.
pub fn resync_scene() -> SceneView {
    let replid = "3f9a1c0b2d4e6f8091a2b3c4d5e6f708192a3b4c";
    let mut a = node("A", 6379, Role::Master, replid, 21464);
    a.backlog = Some(BacklogView {
        size: 1024,
        first_byte_offset: 20441,
        master_repl_offset: 21464,
        blocks: vec![(20441, 400, 400), (20841, 400, 400), (21241, 224, 400)],
        replicas: vec![
            ReplicaMarker {
                name: "B".into(),
                acked_offset: 21437,
                next_offset: 21438,
                connected: true,
                in_window: true,
            },
            ReplicaMarker {
                name: "C".into(),
                acked_offset: 20100,
                next_offset: 20101,
                connected: false,
                in_window: false,
            },
        ],
    });
    a.keys = Rc::new(vec![
        KeyRow {
            db: 0,
            key: "k".into(),
            kind: "string".into(),
            value_preview: "\"v2\"".into(),
            ttl_ms: None,
            differs_from_master: None,
        },
        KeyRow {
            db: 0,
            key: "n".into(),
            kind: "string".into(),
            value_preview: "\"7\"".into(),
            ttl_ms: Some(12_300),
            differs_from_master: None,
        },
    ]);
    let mut b = node("B", 6380, Role::Replica, replid, 21437);
    b.backlog = Some(BacklogView {
        size: 1 << 20,
        first_byte_offset: 1,
        master_repl_offset: 21437,
        blocks: vec![(1, 16384, 16384), (16385, 5053, 16384)],
        replicas: vec![ReplicaMarker {
            name: "D".into(),
            acked_offset: 0,
            next_offset: 1,
            connected: false,
            in_window: true,
        }],
    });
    let mut c = node("C", 6381, Role::Replica, replid, 20100);
    c.link_status = Some(LinkStatus::Down);
    c.keys = Rc::new(vec![KeyRow {
        db: 0,
        key: "k".into(),
        kind: "string".into(),
        value_preview: "\"v\"".into(),
        ttl_ms: None,
        differs_from_master: Some(Diff::Stale { master_value: "\"v2\"".into() }),
    }]);
    let mut d = node("D", 6382, Role::Replica, "8c21e04f9b7a6d5c4b3a29180f7e6d5c4b3a2918", 0);
    d.link_status = Some(LinkStatus::Sync);
    d.sync_in_progress = true;

    let mut ab = LinkView::new("A", "B", LinkState::Up);
    ab.badge = Some(Outcome::Partial { bytes: 512 });
    let ac = LinkView::new("A", "C", LinkState::Cut);
    let mut bd = LinkView::new("B", "D", LinkState::Sync);
    bd.rdb_transfer = Some((12 * 1024, 34 * 1024));
    bd.badge = Some(Outcome::Full { rdb_bytes: 34 * 1024 });

    let write = |label: &str, progress| MessageView {
        from: "A".into(),
        to: "B".into(),
        kind: MessageKind::Write,
        label: label.into(),
        progress,
    };
    let mut psync = EventView::new(11_900, "D", "psync", "D asked B for PSYNC ? -1");
    psync.peer = Some("B".into());
    psync.why = Some("asked for ? -1 · a new replica has no history → full resync".into());
    psync.redis_log = Some("Full resync requested by replica 127.0.0.1:6382".into());
    psync.badge = Some(Outcome::Full { rdb_bytes: 34 * 1024 });
    let mut partial = EventView::new(11_200, "B", "psync", "B asked A for PSYNC 3f9a1c… 20925");
    partial.peer = Some("A".into());
    partial.why = Some("asked for 20925 · window is [20441, 21437] → in backlog → partial resync".into());
    partial.redis_log = Some(
        "Partial resynchronization request from 127.0.0.1:6380 accepted. Sending 512 bytes of backlog starting from offset 20925."
            .into(),
    );
    partial.badge = Some(Outcome::Partial { bytes: 512 });
    let mut cut = EventView::new(9_000, "A", "link", "link A → C cut ✂");
    cut.peer = Some("C".into());

    let arrow = |from: &str, to: &str, kind, label: &str, sent_ms, recv_ms| ArrowView {
        from: from.into(),
        to: to.into(),
        kind,
        label: label.into(),
        sent_ms,
        recv_ms,
        id: 0,
    };
    SceneView {
        t_ms: 12_340,
        scenario: "Fixture: resync".into(),
        hint: "A hand-built example scene: nothing here runs.".into(),
        nodes: vec![a, b, c, d],
        links: vec![ab, ac, bd],
        in_flight: vec![write("SET k v2 · 29 B", 0.3), write("INCR n · 25 B", 0.75)],
        arrows: Rc::new(vec![
            arrow("B", "A", MessageKind::Psync, "PSYNC 3f9a1c 20925", 11_190, Some(11_195)),
            arrow("A", "B", MessageKind::Psync, "+CONTINUE", 11_200, Some(11_205)),
            arrow("A", "B", MessageKind::Write, "SET k v2 · 29 B", 12_300, None),
            arrow("B", "A", MessageKind::Ack, "REPLCONF ACK 21437", 12_000, Some(12_005)),
            arrow("D", "B", MessageKind::Psync, "PSYNC ? -1", 11_900, Some(11_905)),
            arrow("B", "D", MessageKind::Rdb, "RDB 34 KB", 11_950, None),
        ]),
        events: Rc::new(vec![cut, partial, psync]),
        workload: Workload::default(),
    }
}
