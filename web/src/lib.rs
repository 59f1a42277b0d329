//! # replscope-web
//!
//! ReplScope's browser UI: a Yew app that renders the virtual Redis nodes of
//! [`replscope_core`].
//!
//! ## Layout
//! - [`view`]: the view model, plain data the components render.
//! - [`driver`]: the [`driver::Driver`] trait between the UI and whatever runs
//!   the scene, and the user's scene verbs ([`driver::Verb`]).
//! - [`sim_driver`]: `SimDriver`, the scene run by the core's simulator.
//! - [`fixtures`]: a hand-built scene for component tests.
//! - [`state`]: the app's `Reducible` state and its [`state::Action`]s.
//! - [`components`]: topology canvas, backlog bar, node panel (console,
//!   keys, INFO, log, config), event log, space-time diagram, controls.
//! - [`memory_guard`]: the counting allocator, the memory guard around the
//!   driver, and the playground's lower `proto-max-bulk-len`.
//! - [`fmt`], [`layout`]: pure helpers (redis-cli reply format, sizes,
//!   clock; the tree layout).
//!
//! The root component lives in this library (not in `main.rs`) so the browser
//! tests in `tests/` can mount it into a div of their own.

pub mod components;
pub mod driver;
pub mod fixtures;
pub mod fmt;
pub mod layout;
pub mod memory_guard;
pub mod sim_driver;
pub mod small_map;
pub mod state;
pub mod view;

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_events::{EventListener, EventListenerOptions};
use gloo_render::{AnimationFrame, request_animation_frame};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::prelude::*;

use components::*;
use sim_driver::SimDriver;
use state::{Action, AppState};

/// The node whose backlog the backlog view shows: the one the selected
/// replica is measured against (its master's), else the selected node's own
/// (a promoted master's too, replicas or not), else the first with
/// replicas, else the first at all.
pub fn backlog_owner<'a>(
    view: &'a view::SceneView,
    selected: Option<&'a view::NodeView>,
) -> Option<&'a view::NodeView> {
    let has_markers = |n: &&view::NodeView| n.backlog.as_ref().is_some_and(|b| !b.replicas.is_empty());
    selected
        .and_then(|n| view.master_of(&n.name))
        .and_then(|m| view.node(m))
        .filter(|n| n.backlog.is_some())
        .or_else(|| selected.filter(|n| n.backlog.is_some()))
        .or_else(|| view.nodes.iter().find(has_markers))
        .or_else(|| view.nodes.iter().find(|n| n.backlog.is_some()))
}

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The `id` of the banner [`show_panic_banner`] inserts; tests look it up.
pub const PANIC_BANNER_ID: &str = "replscope-panic-banner";

/// The one line that says which engine the page runs: the core crate's
/// version and the Redis release it models (the spec it is tested against).
pub fn build_info() -> String {
    format!("replscope-core {} · modelling Redis {}", replscope_core::VERSION, replscope_core::REDIS_VERSION)
}

/// Calls `frame` with the wall-clock ms since the previous frame (from
/// requestAnimationFrame's timestamps) once per frame the browser draws,
/// until dropped. One simulation tick and one render per frame, in step
/// with the display, never two ticks in one frame.
struct FrameLoop(Rc<RefCell<Option<AnimationFrame>>>);

impl FrameLoop {
    fn start(frame: impl Fn(f64) + 'static) -> FrameLoop {
        let handle = Rc::new(RefCell::new(None));
        next_frame(Rc::new(frame), Rc::downgrade(&handle), None);
        FrameLoop(handle)
    }
}

impl Drop for FrameLoop {
    fn drop(&mut self) {
        // Cancels the pending frame; a frame running now sees the loop gone.
        self.0.borrow_mut().take();
    }
}

fn next_frame(frame: Rc<dyn Fn(f64)>, handle: Weak<RefCell<Option<AnimationFrame>>>, last: Option<f64>) {
    let Some(slot) = handle.upgrade() else { return };
    let pending = request_animation_frame(move |t| {
        if let Some(prev) = last {
            frame(t - prev);
        }
        next_frame(frame, handle, Some(t));
    });
    *slot.borrow_mut() = Some(pending);
}

/// Whether the user asked the OS for less motion.
fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// The driver the page starts with: the ready scene, already synced,
/// behind the memory guard.
fn initial_driver() -> Box<dyn driver::Driver> {
    Box::new(memory_guard::GuardedDriver::new(SimDriver::new()))
}

/// Maps a key press anywhere on the page to an action: Space play/pause,
/// → step, ? shortcuts, Esc close. Keys typed into a field, or Space on a
/// button, stay with that element.
fn shortcut(event: &web_sys::KeyboardEvent) -> Option<Action> {
    if event.ctrl_key() || event.meta_key() || event.alt_key() {
        return None;
    }
    let target = event.target().and_then(|t| t.dyn_into::<Element>().ok());
    let in_field = target.as_ref().and_then(|t| t.closest("input, select, textarea").ok().flatten()).is_some();
    let on_control = target.as_ref().and_then(|t| t.closest("button, [role=button], a").ok().flatten()).is_some();
    match event.key().as_str() {
        "Escape" => Some(Action::CloseMenus),
        _ if in_field => None,
        " " if !on_control => Some(Action::TogglePlay),
        "ArrowRight" if !on_control => Some(Action::Verb(driver::Verb::Step)),
        "?" => Some(Action::SetHelp(true)),
        _ => None,
    }
}

/// The root component: the whole app is mounted from here.
#[component]
pub fn App() -> Html {
    let state = use_reducer(|| AppState::new(initial_driver()));
    let dispatcher = state.dispatcher();
    let on_action: Callback<Action> = {
        let d = dispatcher.clone();
        Callback::from(move |a| d.dispatch(a))
    };
    let reduced_motion = *use_memo((), |_| prefers_reduced_motion());

    // Virtual time advances only while playing.
    {
        let d = dispatcher.clone();
        use_effect_with(state.ui.playing, move |playing| {
            let frames = playing.then(|| FrameLoop::start(move |dt| d.dispatch(Action::Tick(dt))));
            move || drop(frames)
        });
    }
    // Global keyboard shortcuts.
    {
        let d = dispatcher.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().and_then(|w| w.document()).map(|doc| {
                // Not passive: Space must not also scroll the page.
                EventListener::new_with_options(
                    &doc,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |e| {
                        let Some(key) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                        if let Some(action) = shortcut(key) {
                            key.prevent_default();
                            d.dispatch(action);
                        }
                    },
                )
            });
            move || drop(listener)
        });
    }

    let view = state.view.clone();
    let ui = &state.ui;
    let highlight: Vec<String> = ui
        .highlight
        .and_then(|i| view.events.get(i))
        .map(|e| std::iter::once(e.node.clone()).chain(e.peer.clone()).collect())
        .unwrap_or_default();
    let selected = ui.selected.as_ref().and_then(|n| view.node(n));
    let backlog_owner = backlog_owner(&view, selected);
    let backlog = backlog_owner.and_then(|n| n.backlog.clone().map(|b| (n.name.clone(), b)));
    let panel = selected.map(|n| {
        let console = ui.consoles.get(&n.name).cloned().unwrap_or_default();
        html! {
            <NodePanel node={n.clone()} master={view.master_of(&n.name).map(str::to_string)} tab={ui.tab}
                       {console} config_result={ui.config_result.clone()} on_action={on_action.clone()} />
        }
    });
    let toggle_bottom = {
        let on_action = on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::ToggleBottom))
    };

    html! {
        <div class={classes!("app", ui.projector.then_some("projector"), (!ui.bottom_open).then_some("bottom-closed"))}>
            <TopBar view={view.clone()} ui={ui.clone()} on_action={on_action.clone()} />
            if ui.workload_open {
                <WorkloadForm workload={view.workload} on_action={on_action.clone()} />
            }
            <main class="workspace">
                <section class="canvas-pane" aria-label="topology">
                    <SceneToolbar view={view.clone()} selected={ui.selected.clone()} link_menu={ui.link_menu.clone()}
                                  on_action={on_action.clone()} />
                    <div class="canvas-wrap">
                        <TopologyCanvas view={view.clone()} selected={ui.selected.clone()} highlight={highlight}
                                        {reduced_motion} on_action={on_action.clone()} />
                    </div>
                    if let Some((node, b)) = backlog {
                        <BacklogBar {node} backlog={b} />
                    }
                </section>
                <aside class="node-pane">
                    if let Some(panel) = panel { { panel } } else { <p class="muted">{ "Select a node." }</p> }
                </aside>
            </main>
            <section class="bottom-strip" aria-label="events and timeline">
                <div class="strip-head">
                    <button onclick={toggle_bottom} aria-expanded={ui.bottom_open.to_string()}>
                        { if ui.bottom_open { "▾ Events & timeline" } else { "▸ Events & timeline" } }
                    </button>
                    <span class="hint" title={view.hint.clone()}>{ view.hint.clone() }</span>
                    <span class="build-info" data-testid="build-info">{ build_info() }</span>
                </div>
                if ui.bottom_open {
                    <div class="strip-body">
                        <EventLog events={view.events.clone()} nodes={view.nodes.iter().map(|n| n.name.clone()).collect::<Vec<_>>()} filter_node={ui.filter_node.clone()} filter_kind={ui.filter_kind.clone()}
                                  highlight={ui.highlight} on_action={on_action.clone()} />
                        <SpaceTime view={view.clone()} speed={ui.speed} />
                    </div>
                }
            </section>
            if ui.help {
                <ShortcutsOverlay on_action={on_action.clone()} />
            }
        </div>
    }
}

/// Installs the panic hook the app runs with: the message goes to the
/// browser console (via `console_error_panic_hook`, with the Rust location)
/// *and* onto the page as a banner, so a crash is never just a blank or
/// frozen page.
///
/// It goes through [`yew::set_custom_panic_hook`] because Yew's `Renderer`
/// replaces a hook set with `std::panic::set_hook` by its console-only one.
pub fn install_panic_hook() {
    yew::set_custom_panic_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        // Best effort: without a document (say, in a worker) the console is all
        // there is, and a panic hook must not panic itself.
        let _ = show_panic_banner(&info.to_string());
    }));
}

/// Panics with `message`, on purpose. Exported to JavaScript (trunk exposes
/// it as `window.wasmBindings.simulate_crash`) so the end-to-end tests can
/// check what a real crash looks like; it can only break the caller's own tab.
#[wasm_bindgen]
pub fn simulate_crash(message: &str) {
    panic!("{message}");
}

/// Puts a visible error banner with `message` and a Reload button at the top
/// of `<body>`, and returns it.
///
/// Only the first panic gets a banner: later ones are usually knock-on
/// effects of the first, whose message is the one worth reading. The Reload
/// button is a plain GET form, not a wasm click handler, because after a panic
/// the wasm instance cannot be trusted to run anything (and the CSP `trunk
/// serve` sends forbids inline scripts).
pub fn show_panic_banner(message: &str) -> Result<Element, JsValue> {
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or_else(|| JsValue::from_str("no document to show the panic banner in"))?;
    if let Some(existing) = document.get_element_by_id(PANIC_BANNER_ID) {
        return Ok(existing);
    }
    let body = document.body().ok_or_else(|| JsValue::from_str("no <body> to show the panic banner in"))?;

    top_banner(
        &document,
        &body,
        TopBanner {
            id: PANIC_BANNER_ID,
            class: "panic-banner",
            heading: "ReplScope crashed, sorry. ",
            detail_tag: "pre",
            detail_class: "panic-message",
            text: message,
            reload: "Reload",
        },
    )
}

/// What a [`top_banner`] says.
pub(crate) struct TopBanner<'a> {
    pub id: &'a str,
    pub class: &'a str,
    pub heading: &'a str,
    pub detail_tag: &'a str,
    pub detail_class: &'a str,
    pub text: &'a str,
    pub reload: &'a str,
}

/// A `role="alert"` banner first in `<body>`, outside Yew (the panic banner,
/// the memory guard's notice): a heading, the detail text, and a Reload
/// button that is a plain GET form, so it works even when wasm cannot run.
pub(crate) fn top_banner(
    document: &web_sys::Document,
    body: &web_sys::HtmlElement,
    b: TopBanner<'_>,
) -> Result<Element, JsValue> {
    let banner = document.create_element("div")?;
    banner.set_id(b.id);
    banner.set_class_name(b.class);
    banner.set_attribute("role", "alert")?;

    let heading = document.create_element("strong")?;
    heading.set_text_content(Some(b.heading));
    banner.append_child(&heading)?;

    let detail = document.create_element(b.detail_tag)?;
    detail.set_class_name(b.detail_class);
    detail.set_text_content(Some(b.text));
    banner.append_child(&detail)?;

    let form = document.create_element("form")?;
    form.set_attribute("method", "get")?;
    let reload = document.create_element("button")?;
    reload.set_attribute("type", "submit")?;
    reload.set_text_content(Some(b.reload));
    form.append_child(&reload)?;
    banner.append_child(&form)?;

    body.insert_before(&banner, body.first_child().as_ref())?;
    Ok(banner)
}
