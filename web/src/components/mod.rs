//! The UI's components. Each renders view-model data (see [`crate::view`])
//! and reports what the user did as an [`crate::state::Action`].

pub mod backlog;
pub mod controls;
pub mod events;
pub mod node_panel;
pub mod topology;

pub use backlog::BacklogBar;
pub use controls::{SceneToolbar, ShortcutsOverlay, TopBar, WorkloadForm};
pub use events::{EventLog, SpaceTime};
pub use node_panel::NodePanel;
pub use topology::TopologyCanvas;
