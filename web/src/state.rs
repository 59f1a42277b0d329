//! The app's state: a [`Reducible`] whose actions mirror the user's verbs.
//!
//! Scene verbs go to the [`Driver`]; what belongs to the screen alone
//! (selection, tabs, console transcripts, playback, projector mode) lives
//! in [`Ui`]. A tick while paused returns the same `Rc`, so nothing
//! re-renders while the scene is idle.

use std::cell::RefCell;
use std::rc::Rc;

use replscope_core::resp::Frame;
use replscope_core::resp::parser::split_args;
use yew::Reducible;

use crate::driver::{ConsoleReply, Driver, Verb};
use crate::fmt::format_reply;
use crate::small_map::SmallMap;
use crate::view::Scene;

/// Playback speeds offered, slowest first.
pub const SPEEDS: [f64; 9] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 100.0];
/// Console entries kept per node.
const MAX_CONSOLE_ENTRIES: usize = 200;

/// The node panel's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    #[default]
    Console,
    Keys,
    Info,
    Log,
    Config,
}

impl Tab {
    pub const ALL: [Tab; 5] = [Tab::Console, Tab::Keys, Tab::Info, Tab::Log, Tab::Config];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Console => "Console",
            Tab::Keys => "Keys",
            Tab::Info => "INFO",
            Tab::Log => "Log",
            Tab::Config => "Config",
        }
    }
}

/// One command and its reply in a console transcript.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsoleEntry {
    pub prompt: String,
    pub input: String,
    /// Formatted like redis-cli (may span lines).
    pub output: String,
    pub error: bool,
}

/// A node's console: what was typed and answered, and the ↑/↓ history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Console {
    pub entries: Vec<ConsoleEntry>,
    pub history: Vec<String>,
}

/// The outcome of the last CONFIG SET from the Config tab.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigResult {
    pub node: String,
    pub name: String,
    /// The core's error reply, if it refused.
    pub error: Option<String>,
}

/// What belongs to the screen, not to the scene.
#[derive(Clone, Debug, PartialEq)]
pub struct Ui {
    pub playing: bool,
    pub speed: f64,
    pub selected: Option<String>,
    pub tab: Tab,
    /// The link whose menu is open: (master, replica).
    pub link_menu: Option<(String, String)>,
    pub projector: bool,
    pub help: bool,
    pub bottom_open: bool,
    pub workload_open: bool,
    pub filter_node: Option<String>,
    pub filter_kind: Option<String>,
    /// Index into the scene's events of the entry clicked in the log.
    pub highlight: Option<usize>,
    pub consoles: Rc<SmallMap<String, Console>>,
    pub config_result: Option<ConfigResult>,
}

impl Default for Ui {
    fn default() -> Self {
        Ui {
            playing: true,
            speed: 1.0,
            selected: Some("A".to_string()),
            tab: Tab::Console,
            link_menu: None,
            projector: false,
            help: false,
            bottom_open: true,
            workload_open: false,
            filter_node: None,
            filter_kind: None,
            highlight: None,
            consoles: Rc::default(),
            config_result: None,
        }
    }
}

/// Everything the user can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A scene verb, for the driver.
    Verb(Verb),
    /// Wall-clock time passed (ms) since the last frame.
    Tick(f64),
    Play,
    Pause,
    TogglePlay,
    SetSpeed(f64),
    SelectNode(Option<String>),
    SelectTab(Tab),
    OpenLinkMenu(Option<(String, String)>),
    ToggleProjector,
    SetHelp(bool),
    ToggleBottom,
    ToggleWorkloadForm,
    FilterEvents {
        node: Option<String>,
        kind: Option<String>,
    },
    HighlightEvent(Option<usize>),
    /// Escape: close whatever menu or overlay is open.
    CloseMenus,
}

/// The app's state: the driver, its latest view, and the screen's own state.
pub struct AppState {
    driver: Rc<RefCell<Box<dyn Driver>>>,
    pub view: Scene,
    pub ui: Ui,
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        self.view == other.view && self.ui == other.ui
    }
}

impl AppState {
    pub fn new(driver: Box<dyn Driver>) -> AppState {
        let view = Scene::from(driver.view());
        AppState { driver: Rc::new(RefCell::new(driver)), view, ui: Ui::default() }
    }

    fn with(&self, view: Scene, ui: Ui) -> Rc<AppState> {
        Rc::new(AppState { driver: self.driver.clone(), view, ui })
    }

    fn apply_verb(&self, verb: Verb) -> Rc<AppState> {
        let reply = self.driver.borrow_mut().apply(&verb);
        let view = Scene::from(self.driver.borrow().view());
        let mut ui = self.ui.clone();
        ui.link_menu = None;
        match &verb {
            Verb::RunCommand { node, line } => {
                let prompt = view.node(node).map(|n| n.prompt()).unwrap_or_else(|| format!("{node}>"));
                let consoles = Rc::make_mut(&mut ui.consoles);
                let console = consoles.get_or_insert_with(node.clone(), Console::default);
                if !line.trim().is_empty() && console.history.last() != Some(line) {
                    console.history.push(line.clone());
                }
                let (output, error) = match &reply {
                    Some(r) => console_text(line, r),
                    None => (String::new(), false),
                };
                console.entries.push(ConsoleEntry { prompt, input: line.clone(), output, error });
                if console.entries.len() > MAX_CONSOLE_ENTRIES {
                    console.entries.remove(0);
                }
            }
            Verb::SetConfig { node, name, .. } => {
                let error = match &reply {
                    Some(ConsoleReply::Frame(Frame::Error(e))) => Some(e.clone()),
                    Some(other @ ConsoleReply::NotConnected { .. }) => Some(console_text("", other).0),
                    _ => None,
                };
                ui.config_result = Some(ConfigResult { node: node.clone(), name: name.clone(), error });
            }
            Verb::RemoveNode { node } if ui.selected.as_ref() == Some(node) => {
                ui.selected = view.nodes.first().map(|n| n.name.clone());
            }
            Verb::Reset | Verb::LoadScenario { .. } => {
                ui = Ui { projector: ui.projector, speed: ui.speed, ..Ui::default() };
                ui.selected = view.nodes.first().map(|n| n.name.clone());
            }
            _ => {}
        }
        if ui.highlight.is_some_and(|i| i >= view.events.len()) {
            ui.highlight = None;
        }
        self.with(view, ui)
    }
}

/// The reply to the console `line` as redis-cli prints it, and whether it
/// is an error.
pub fn console_text(line: &str, reply: &ConsoleReply) -> (String, bool) {
    match reply {
        ConsoleReply::Frame(Frame::Error(e)) if e == "Invalid argument(s)" => (e.clone(), true),
        ConsoleReply::Frame(frame) => {
            let argv = split_args(line.as_bytes()).unwrap_or_default();
            (format_reply(&argv, frame), frame.is_error())
        }
        ConsoleReply::NotConnected { host, port } => {
            (format!("Could not connect to Redis at {host}:{port}: Connection refused"), true)
        }
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut ui = self.ui.clone();
        match action {
            Action::Verb(verb) => return self.apply_verb(verb),
            Action::Tick(dt) => {
                if !self.ui.playing {
                    return self;
                }
                // Playing, the clock moves every frame: the view is new.
                self.driver.borrow_mut().tick(dt, self.ui.speed);
                let view = Scene::from(self.driver.borrow().view());
                return self.with(view, ui);
            }
            Action::Play => ui.playing = true,
            Action::Pause => ui.playing = false,
            Action::TogglePlay => ui.playing = !ui.playing,
            Action::SetSpeed(s) => ui.speed = s.clamp(0.1, 100.0),
            Action::SelectNode(node) => {
                ui.selected = node;
                ui.link_menu = None;
            }
            Action::SelectTab(tab) => ui.tab = tab,
            Action::OpenLinkMenu(link) => ui.link_menu = link,
            Action::ToggleProjector => ui.projector = !ui.projector,
            Action::SetHelp(open) => ui.help = open,
            Action::ToggleBottom => ui.bottom_open = !ui.bottom_open,
            Action::ToggleWorkloadForm => ui.workload_open = !ui.workload_open,
            Action::FilterEvents { node, kind } => {
                ui.filter_node = node;
                ui.filter_kind = kind;
            }
            Action::HighlightEvent(i) => ui.highlight = i,
            Action::CloseMenus => {
                ui.link_menu = None;
                ui.help = false;
                ui.workload_open = false;
                ui.highlight = None;
            }
        }
        if ui == self.ui {
            return self;
        }
        self.with(self.view.clone(), ui)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim_driver::SimDriver;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn state() -> Rc<AppState> {
        Rc::new(AppState::new(Box::new(SimDriver::new())))
    }

    #[wasm_bindgen_test]
    fn idle_tick_and_noop_keep_the_same_rc() {
        let s = state().reduce(Action::Pause);
        let again = s.clone().reduce(Action::Tick(16.0));
        assert!(Rc::ptr_eq(&s, &again), "a paused tick must not re-render");
        let same = again.clone().reduce(Action::Pause);
        assert!(Rc::ptr_eq(&again, &same));
    }

    #[wasm_bindgen_test]
    fn console_transcript_and_history() {
        let s = state().reduce(Action::Verb(Verb::RunCommand { node: "A".into(), line: "SET k v".into() }));
        let s = s.reduce(Action::Verb(Verb::RunCommand { node: "A".into(), line: "GET nope".into() }));
        let s = s.reduce(Action::Verb(Verb::RunCommand { node: "A".into(), line: "FOO".into() }));
        let console = s.ui.consoles.get("A").unwrap();
        assert_eq!(console.history, vec!["SET k v", "GET nope", "FOO"]);
        let e = &console.entries;
        assert_eq!((e[0].prompt.as_str(), e[0].output.as_str(), e[0].error), ("A:6379>", "OK", false));
        assert_eq!(e[1].output, "(nil)");
        assert_eq!(e[2].output, "(error) ERR unknown command 'FOO', with args beginning with: ");
        assert!(e[2].error);
    }

    #[wasm_bindgen_test]
    fn a_crashed_node_refuses_the_console_like_redis_cli() {
        let s = state().reduce(Action::Verb(Verb::Crash { node: "C".into() }));
        let s = s.reduce(Action::Verb(Verb::RunCommand { node: "C".into(), line: "PING".into() }));
        let e = &s.ui.consoles.get("C").unwrap().entries[0];
        assert_eq!(e.output, "Could not connect to Redis at C:6381: Connection refused");
        assert!(e.error);
    }

    #[wasm_bindgen_test]
    fn info_in_the_console_is_raw_text_like_redis_cli() {
        let s = state().reduce(Action::Verb(Verb::RunCommand { node: "A".into(), line: "info replication".into() }));
        let out = &s.ui.consoles.get("A").unwrap().entries[0].output;
        assert!(out.starts_with("# Replication\nrole:master\n"), "{out}");
        assert!(!out.contains("\\r\\n") && !out.starts_with('"'), "{out}");
    }

    #[wasm_bindgen_test]
    fn config_error_is_kept_for_the_panel() {
        let s = state().reduce(Action::Verb(Verb::SetConfig {
            node: "A".into(),
            name: "repl-timeout".into(),
            value: "soon".into(),
        }));
        let r = s.ui.config_result.clone().unwrap();
        assert_eq!(r.name, "repl-timeout");
        assert!(r.error.unwrap().starts_with("ERR CONFIG SET failed"));
    }
}
