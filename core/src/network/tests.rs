//! The network's timing and fault semantics, driven without nodes.

use super::*;

const A: &str = "A";
const B: &str = "B";

/// A network with hosts A and B (both on 6379) and the given one-way
/// latency both ways.
fn net(latency: u64) -> Network {
    let mut net = Network::new();
    net.add_host(A, 6379);
    net.add_host(B, 6379);
    net.set_latency(A, B, latency);
    net.set_latency(B, A, latency);
    net
}

/// Runs everything due up to `until`, accepting connects with ids 100, 101…
/// Returns what was delivered, with times.
fn drive(net: &mut Network, until: u64) -> Vec<(u64, Delivery)> {
    drive_from(net, 0, until)
}

/// [`drive`] with the clock at `now` (resets due now are reported at `now`).
fn drive_from(net: &mut Network, now: u64, until: u64) -> Vec<(u64, Delivery)> {
    let mut out = Vec::new();
    let mut next_accept = 100;
    while let Some(t) = net.next_due(now) {
        if t > until {
            break;
        }
        while let Some(d) = net.poll(t) {
            if let Delivery::Accept { pending, .. } = &d {
                net.accepted(t, *pending, ConnId(next_accept));
                next_accept += 1;
            }
            out.push((t, d));
        }
    }
    out
}

fn bytes_to(node: &str, conn: u64, data: &[u8]) -> Delivery {
    let (from, from_conn) = if node == B { (A, ConnId(1)) } else { (B, ConnId(100)) };
    Delivery::Bytes { node: node.into(), conn: ConnId(conn), bytes: data.to_vec(), from: from.into(), from_conn }
}

/// A connects to B at t=0 (A's conn 1, B's conn 100); returns when the
/// connect completed.
fn connected(net: &mut Network) -> u64 {
    net.connect(0, A, ConnId(1), Addr::new(B, 6379));
    let got = drive(net, u64::MAX);
    let (t, last) = got.last().cloned().expect("connect answered");
    assert_eq!(last, Delivery::Connected { node: A.into(), conn: ConnId(1) });
    t
}

#[test]
fn connect_takes_one_round_trip() {
    let mut net = net(10);
    net.connect(0, A, ConnId(1), Addr::new(B, 6379));
    assert_eq!(net.window_free(A, ConnId(1)), 0, "nothing can be sent before the connect completes");
    let got = drive(&mut net, u64::MAX);
    assert_eq!(
        got,
        vec![
            (10, Delivery::Accept { pending: 0, node: B.into(), from: Addr::new(A, 40001) }),
            (20, Delivery::Connected { node: A.into(), conn: ConnId(1) }),
        ]
    );
    assert_eq!(net.window_free(A, ConnId(1)), SEND_WINDOW);
    assert_eq!(net.peer_of(A, ConnId(1)), Some((B.into(), ConnId(100))));
}

#[test]
fn latency_delays_and_order_is_kept() {
    let mut net = net(10);
    let t = connected(&mut net);
    assert!(net.send(t, A, ConnId(1), b"one".to_vec()));
    assert!(net.send(t + 1, A, ConnId(1), b"two".to_vec()));
    // Lower latency must not let the second overtake the first.
    net.set_latency(A, B, 0);
    assert!(net.send(t + 2, A, ConnId(1), b"three".to_vec()));
    let got = drive(&mut net, u64::MAX);
    assert_eq!(
        got,
        vec![
            (t + 10, bytes_to(B, 100, b"one")),
            (t + 11, bytes_to(B, 100, b"two")),
            (t + 11, bytes_to(B, 100, b"three"))
        ]
    );
}

#[test]
fn bandwidth_serialises_segments_back_to_back() {
    let mut net = net(5);
    let t = connected(&mut net);
    net.set_bandwidth(A, B, 8); // 8 kbit/s: one byte per ms
    assert!(net.send(t, A, ConnId(1), vec![b'x'; 100]));
    assert!(net.send(t, A, ConnId(1), vec![b'y'; 100]));
    let times: Vec<u64> = drive(&mut net, u64::MAX).into_iter().map(|(t, _)| t).collect();
    assert_eq!(times, vec![t + 100 + 5, t + 200 + 5]);
    // A segment sent after the direction went idle starts at once.
    assert!(net.send(t + 1000, A, ConnId(1), vec![b'z'; 10]));
    let times: Vec<u64> = drive(&mut net, u64::MAX).into_iter().map(|(t, _)| t).collect();
    assert_eq!(times, vec![t + 1000 + 10 + 5]);
}

#[test]
fn the_send_window_limits_unacknowledged_bytes() {
    let mut net = net(50);
    let t = connected(&mut net);
    assert!(net.send(t, A, ConnId(1), vec![0; MAX_SEGMENT]));
    assert_eq!(net.window_free(A, ConnId(1)), SEND_WINDOW - MAX_SEGMENT);
    for _ in 0..3 {
        assert!(net.send(t, A, ConnId(1), vec![0; MAX_SEGMENT]));
    }
    assert_eq!(net.window_free(A, ConnId(1)), 0);
    let got = drive(&mut net, t + 50);
    assert_eq!(got.len(), 4);
    assert_eq!(net.window_free(A, ConnId(1)), SEND_WINDOW);
}

#[test]
fn cut_resets_both_ends_at_once_and_refuses_until_healed() {
    let mut net = net(10);
    let t = connected(&mut net);
    assert!(net.send(t, A, ConnId(1), b"lost".to_vec()));
    net.cut(t + 1, A, B);
    let got = drive_from(&mut net, t + 1, u64::MAX);
    assert_eq!(
        got,
        vec![
            (t + 1, Delivery::Closed { node: A.into(), conn: ConnId(1), reset: true }),
            (t + 1, Delivery::Closed { node: B.into(), conn: ConnId(100), reset: true }),
        ]
    );
    assert!(net.connections().is_empty(), "in-flight bytes are gone with the connection");
    net.connect(100, B, ConnId(7), Addr::new(A, 6379));
    assert_eq!(
        drive(&mut net, u64::MAX),
        vec![(120, Delivery::ConnectFailed { node: B.into(), conn: ConnId(7), err: ConnectError::Refused })]
    );
    net.heal(200, A, B);
    net.connect(200, A, ConnId(2), Addr::new(B, 6379));
    let got = drive(&mut net, u64::MAX);
    assert_eq!(got.last(), Some(&(220, Delivery::Connected { node: A.into(), conn: ConnId(2) })));
}

#[test]
fn partition_holds_bytes_and_delivers_them_in_order_after_heal() {
    let mut net = net(10);
    let t = connected(&mut net);
    assert!(net.send(t, A, ConnId(1), b"before".to_vec()));
    net.partition(A, B);
    assert!(net.send(t + 1, A, ConnId(1), b"during".to_vec()));
    assert!(net.send(t + 2, B, ConnId(100), b"reply".to_vec()));
    assert_eq!(net.next_due(t), None, "a partition is silent: nothing will arrive");
    assert_eq!(net.in_flight().iter().filter(|f| f.held).count(), 3);
    assert!(net.is_idle());
    net.heal(t + 5000, A, B);
    let got = drive(&mut net, u64::MAX);
    assert_eq!(
        got,
        vec![
            (t + 5010, bytes_to(B, 100, b"before")),
            (t + 5010, bytes_to(B, 100, b"during")),
            (t + 5010, bytes_to(A, 1, b"reply")),
        ]
    );
}

#[test]
fn a_close_during_a_partition_arrives_after_heal() {
    let mut net = net(10);
    let t = connected(&mut net);
    net.partition(A, B);
    net.close(t, A, ConnId(1));
    assert_eq!(drive(&mut net, u64::MAX), vec![]);
    net.heal(t + 100, A, B);
    assert_eq!(
        drive(&mut net, u64::MAX),
        vec![(t + 110, Delivery::Closed { node: B.into(), conn: ConnId(100), reset: false })]
    );
    assert!(net.connections().is_empty());
}

#[test]
fn connects_during_a_partition_get_no_answer_until_heal() {
    let mut net = net(10);
    net.partition(A, B);
    net.connect(0, A, ConnId(1), Addr::new(B, 6379));
    assert_eq!(drive(&mut net, u64::MAX), vec![]);
    net.heal(500, A, B);
    let got = drive(&mut net, u64::MAX);
    assert_eq!(got.last(), Some(&(520, Delivery::Connected { node: A.into(), conn: ConnId(1) })));
    // A connect abandoned by its node (its own timeout) is forgotten.
    net.partition(A, B);
    net.connect(600, A, ConnId(2), Addr::new(B, 6379));
    net.close(700, A, ConnId(2));
    net.heal(800, A, B);
    assert_eq!(drive(&mut net, u64::MAX), vec![]);
}

#[test]
fn one_way_partition_holds_one_direction_only() {
    let mut net = net(10);
    let t = connected(&mut net);
    net.partition_one_way(A, B);
    assert!(net.send(t, A, ConnId(1), b"held".to_vec()));
    assert!(net.send(t, B, ConnId(100), b"flows".to_vec()));
    assert_eq!(drive(&mut net, u64::MAX), vec![(t + 10, bytes_to(A, 1, b"flows"))]);
    net.heal(t + 50, B, A);
    assert_eq!(drive(&mut net, u64::MAX), vec![(t + 60, bytes_to(B, 100, b"held"))]);
}

#[test]
fn one_way_cut_resets_when_the_cut_direction_is_used() {
    let mut net = net(10);
    let t = connected(&mut net);
    net.cut_one_way(t, A, B);
    assert!(net.send(t, B, ConnId(100), b"flows".to_vec()));
    assert_eq!(drive(&mut net, u64::MAX), vec![(t + 10, bytes_to(A, 1, b"flows"))]);
    assert!(!net.send(t + 20, A, ConnId(1), b"rejected".to_vec()));
    assert_eq!(
        drive_from(&mut net, t + 20, u64::MAX),
        vec![
            (t + 20, Delivery::Closed { node: A.into(), conn: ConnId(1), reset: true }),
            (t + 20, Delivery::Closed { node: B.into(), conn: ConnId(100), reset: true }),
        ]
    );
    // Either side's connects are refused: a handshake needs both directions.
    net.connect(t + 100, B, ConnId(9), Addr::new(A, 6379));
    assert_eq!(
        drive(&mut net, u64::MAX),
        vec![(t + 120, Delivery::ConnectFailed { node: B.into(), conn: ConnId(9), err: ConnectError::Refused })]
    );
}

#[test]
fn unknown_hosts_and_ports_never_answer() {
    let mut net = net(10);
    net.connect(0, A, ConnId(1), Addr::new("nowhere", 6379));
    net.connect(0, A, ConnId(2), Addr::new(B, 6380));
    assert_eq!(net.next_due(0), None);
    assert_eq!(drive(&mut net, u64::MAX), vec![]);
}

#[test]
fn a_crash_resets_peers_after_the_latency_and_refuses_connects() {
    let mut net = net(10);
    let t = connected(&mut net);
    assert!(net.send(t, A, ConnId(1), b"to the dead".to_vec()));
    net.crash(t + 1, B);
    assert_eq!(
        drive(&mut net, u64::MAX),
        vec![(t + 11, Delivery::Closed { node: A.into(), conn: ConnId(1), reset: true })]
    );
    net.connect(t + 100, A, ConnId(2), Addr::new(B, 6379));
    assert_eq!(
        drive(&mut net, u64::MAX),
        vec![(t + 120, Delivery::ConnectFailed { node: A.into(), conn: ConnId(2), err: ConnectError::Refused })]
    );
    net.restart(B, 6379);
    net.connect(t + 200, A, ConnId(3), Addr::new(B, 6379));
    let got = drive(&mut net, u64::MAX);
    assert_eq!(got.last(), Some(&(t + 220, Delivery::Connected { node: A.into(), conn: ConnId(3) })));
}

#[test]
fn in_flight_reports_progress_for_animation() {
    let mut net = net(100);
    let t = connected(&mut net);
    assert!(net.send(t, A, ConnId(1), b"x".to_vec()));
    let f = &net.in_flight()[0];
    assert_eq!((f.from.as_str(), f.to.as_str(), f.len, f.sent_ms, f.arrive_ms), (A, B, 1, t, t + 100));
    assert_eq!(f.progress(t + 25), 0.25);
}
