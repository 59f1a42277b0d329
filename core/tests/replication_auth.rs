//! `requirepass` on a master and `masterauth` on its replica, end to end
//! through the simulator. The replica's log lines are the ones a real
//! Redis 7.0.15 replica wrote in the same situation (master started with
//! `--requirepass secret`, replica with `--replicaof` and no masterauth,
//! then `CONFIG SET masterauth secret`).

use replscope_core::resp::Frame;
use replscope_core::sim::{CommandResult, Sim};

fn pairs(kv: &[(&str, &str)]) -> Vec<(String, String)> {
    kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn cmd(sim: &mut Sim, node: &str, words: &[&str]) -> Frame {
    match sim.command(node, words.iter().map(|w| w.as_bytes().to_vec()).collect()) {
        CommandResult::Reply(f) => f,
        other => panic!("{node} {words:?}: {other:?}"),
    }
}

fn log_of(sim: &Sim, node: &str) -> Vec<String> {
    sim.node(node).expect("node").server.log.iter().map(|l| l.text.clone()).collect()
}

#[test]
fn a_replica_needs_masterauth_to_sync_with_a_password_protected_master() {
    let mut sim = Sim::new(3, 1_767_225_600_000);
    sim.add_node("A", &pairs(&[("requirepass", "secret")])).unwrap();
    sim.add_node("B", &pairs(&[("port", "6380"), ("replicaof", "A 6379")])).unwrap();
    sim.run_for(3000);

    // Without masterauth every handshake is refused, as on real Redis.
    let log = log_of(&sim, "B");
    for line in [
        "Master replied to PING, replication can continue...",
        "(Non critical) Master does not understand REPLCONF listening-port: -NOAUTH Authentication required.",
        "(Non critical) Master does not understand REPLCONF capa: -NOAUTH Authentication required.",
        "Unexpected reply to PSYNC from master: -NOAUTH Authentication required.",
    ] {
        assert!(log.iter().any(|l| l == line), "B's log lacks {line:?}:\n{}", log.join("\n"));
    }
    let info = cmd(&mut sim, "B", &["INFO", "replication"]);
    let Frame::Bulk(info) = info else { panic!("INFO") };
    assert!(String::from_utf8_lossy(&info).contains("master_link_status:down\r\n"));

    // Clients of A need AUTH too.
    assert_eq!(cmd(&mut sim, "A", &["GET", "x"]), Frame::error("NOAUTH Authentication required."));
    assert_eq!(
        cmd(&mut sim, "A", &["AUTH", "wrong"]),
        Frame::error("WRONGPASS invalid username-password pair or user is disabled.")
    );
    assert_eq!(cmd(&mut sim, "A", &["AUTH", "secret"]), Frame::ok());
    assert_eq!(cmd(&mut sim, "A", &["SET", "x", "1"]), Frame::ok());

    // With masterauth the next attempt authenticates and syncs.
    assert_eq!(cmd(&mut sim, "B", &["CONFIG", "SET", "masterauth", "secret"]), Frame::ok());
    sim.settle(60_000).expect("settles once B can authenticate");
    assert_eq!(cmd(&mut sim, "B", &["GET", "x"]), Frame::bulk("1"));
    let Frame::Bulk(info) = cmd(&mut sim, "B", &["INFO", "replication"]) else { panic!("INFO") };
    assert!(String::from_utf8_lossy(&info).contains("master_link_status:up\r\n"));
}
