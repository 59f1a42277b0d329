//! The boundary between the UI and whatever runs the scene.
//!
//! The UI's reducer hands every user verb that changes the scene to a
//! [`Driver`] and renders the [`SceneView`] it reports. Playback (playing,
//! speed) belongs to the UI; the driver only learns how much virtual time
//! to advance. The driver is [`crate::sim_driver::SimDriver`], the core's
//! simulator; tests may hand components a hand-built [`SceneView`].

use replscope_core::resp::Frame;

use crate::view::{SceneView, Workload};

/// A verb the user performs on the scene. Node and link names are the
/// names shown on the cards; a link is named by (master, replica).
#[derive(Clone, Debug, PartialEq)]
pub enum Verb {
    /// A redis-cli line typed into a node's console (split like redis-cli
    /// does; a line with unbalanced quotes is answered with an error).
    RunCommand {
        node: String,
        line: String,
    },
    /// Cut the link both ways: the TCP connection breaks.
    CutLink {
        from: String,
        to: String,
    },
    /// Silently drop everything both ways (no connection reset).
    PartitionLink {
        from: String,
        to: String,
    },
    /// Deliver master → replica only.
    OneWay {
        from: String,
        to: String,
    },
    HealLink {
        from: String,
        to: String,
    },
    Crash {
        node: String,
    },
    Restart {
        node: String,
    },
    /// `REPLICAOF NO ONE`.
    Promote {
        node: String,
    },
    /// `REPLICAOF <master>`.
    RepointTo {
        node: String,
        master: String,
    },
    /// A new node, replica of `master` (or a standalone master).
    AddNode {
        master: Option<String>,
    },
    RemoveNode {
        node: String,
    },
    /// Advance virtual time to the next thing that happens.
    Step,
    /// `CONFIG SET name value` on a node.
    SetConfig {
        node: String,
        name: String,
        value: String,
    },
    SetWorkload(Workload),
    /// Replace the scene with a scenario file (`name` for the menu),
    /// played step by step as time runs.
    LoadScenario {
        name: String,
        json: String,
    },
    /// Back to the opening scene.
    Reset,
}

/// What a console line got back.
#[derive(Clone, Debug, PartialEq)]
pub enum ConsoleReply {
    /// The node's reply.
    Frame(Frame),
    /// The node is down: redis-cli's `Could not connect …` message.
    NotConnected { host: String, port: u16 },
}

/// Runs the scene for the UI.
pub trait Driver {
    /// Performs `verb`. Console commands and CONFIG SET return the reply so
    /// the UI can show it where it was typed.
    fn apply(&mut self, verb: &Verb) -> Option<ConsoleReply>;
    /// Advances virtual time by `wall_dt_ms × speed` (called only while
    /// playing).
    fn tick(&mut self, wall_dt_ms: f64, speed: f64);
    /// The scene as it stands.
    fn view(&self) -> SceneView;
}
