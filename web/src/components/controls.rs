//! Controls: the top bar (time, speed, scenario), the canvas toolbar with
//! the node and link menus, the workload form and the shortcuts overlay.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::driver::Verb;
use crate::fmt::{clock, speed as speed_text};
use crate::sim_driver::SCENARIOS;
use crate::state::{Action, SPEEDS, Ui};
use crate::view::{LinkState, Scene, Workload};

#[derive(Properties, PartialEq)]
pub struct TopBarProps {
    pub view: Scene,
    pub ui: Ui,
    pub on_action: Callback<Action>,
}

#[component]
pub fn TopBar(props: &TopBarProps) -> Html {
    let emit = |a: Action| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(a.clone()))
    };
    let on_speed = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(s) = replscope_core::long_double::parse_f64(&value) {
                on_action.emit(Action::SetSpeed(s));
            }
        })
    };
    let on_scenario = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let select = e.target_unchecked_into::<HtmlSelectElement>();
            match select.value().as_str() {
                "" => {}
                "reset" => on_action.emit(Action::Verb(Verb::Reset)),
                name => load_scenario(name, on_action.clone()),
            }
            select.set_value("");
        })
    };
    let ui = &props.ui;
    html! {
        <header class="topbar">
            <h1 class="brand">{ "ReplScope" }</h1>
            <div class="time-controls" role="group" aria-label="time controls">
                <button class={classes!("icon-button", ui.playing.then_some("on"))} onclick={emit(Action::Play)}
                        aria-pressed={ui.playing.to_string()} title="Play (Space)" aria-label="Play">{ "▶" }</button>
                <button class={classes!("icon-button", (!ui.playing).then_some("on"))} onclick={emit(Action::Pause)}
                        aria-pressed={(!ui.playing).to_string()} title="Pause (Space)" aria-label="Pause">{ "❚❚" }</button>
                <button class="icon-button" onclick={emit(Action::Verb(Verb::Step))} title="Step to the next event (→)"
                        aria-label="Step">{ "▶❘" }</button>
                <label class="speed">{ "speed " }
                    <select onchange={on_speed} aria-label="playback speed">
                        { for SPEEDS.iter().map(|&s| html! {
                            <option value={s.to_string()} selected={s == ui.speed}>{ speed_text(s) }</option>
                        }) }
                    </select>
                </label>
            </div>
            <output class="clock mono" aria-label="virtual time" data-testid="clock">{ format!("t = {}", clock(props.view.t_ms)) }</output>
            <div class="topbar-right">
                <select class="scenario" onchange={on_scenario} aria-label="scenario">
                    <option value="" selected=true>{ props.view.scenario.clone() }</option>
                    <option value="reset">{ "↺ Reset to the ready scene" }</option>
                    <optgroup label="Example scenarios (played step by step)">
                        { for SCENARIOS.iter().map(|name| html! { <option value={*name}>{ *name }</option> }) }
                    </optgroup>
                </select>
                <button class={classes!(ui.workload_open.then_some("on"))} onclick={emit(Action::ToggleWorkloadForm)}
                        aria-expanded={ui.workload_open.to_string()}>{ "Workload" }</button>
                <button class={classes!(ui.projector.then_some("on"))} onclick={emit(Action::ToggleProjector)}
                        aria-pressed={ui.projector.to_string()} title="Large fonts for a projector">{ "Projector" }</button>
                <button class="icon-button" onclick={emit(Action::SetHelp(true))} aria-label="Keyboard shortcuts" title="Shortcuts (?)">{ "?" }</button>
            </div>
        </header>
    }
}

/// Loads the example scenario `name`, fetched from `scenarios/<name>.json`
/// next to the page.
fn load_scenario(name: &str, on_action: Callback<Action>) {
    let Some(name) = SCENARIOS.iter().find(|n| **n == name) else { return };
    let name = name.to_string();
    wasm_bindgen_futures::spawn_local(async move {
        match fetch_text(&format!("scenarios/{name}.json")).await {
            Ok(json) => on_action.emit(Action::Verb(Verb::LoadScenario { name, json })),
            Err(e) => web_sys::console::warn_1(&format!("cannot load scenario {name}: {e}").into()),
        }
    });
}

async fn fetch_text(url: &str) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url)).await.map_err(|e| format!("{e:?}"))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "not a response")?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(|e| format!("{e:?}"))?).await.map_err(|e| format!("{e:?}"))?;
    text.as_string().ok_or_else(|| "not text".to_string())
}

#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    pub view: Scene,
    pub selected: Option<String>,
    pub link_menu: Option<(String, String)>,
    pub on_action: Callback<Action>,
}

/// The canvas toolbar: the open link's menu, else the selected node's.
#[component]
pub fn SceneToolbar(props: &ToolbarProps) -> Html {
    let verb = |v: Verb| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Verb(v.clone())))
    };
    let close = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::OpenLinkMenu(None)))
    };
    if let Some((from, to)) = &props.link_menu {
        let state = props.view.links.iter().find(|l| l.from == *from && l.to == *to).map(|l| l.state);
        let (f, t) = (from.clone(), to.clone());
        let is = |s: LinkState| state == Some(s);
        return html! {
            <div class="toolbar link-menu" role="toolbar" aria-label={format!("link {from} → {to}")}>
                <strong>{ format!("Link {from} → {to}") }</strong>
                <span class="muted">{ state.map(|s| s.label()).unwrap_or("gone") }</span>
                <button onclick={verb(Verb::CutLink { from: f.clone(), to: t.clone() })} disabled={is(LinkState::Cut)}>{ "✂ Cut" }</button>
                <button onclick={verb(Verb::PartitionLink { from: f.clone(), to: t.clone() })} disabled={is(LinkState::Partitioned)}>{ "⚡ Partition" }</button>
                <button onclick={verb(Verb::OneWay { from: f.clone(), to: t.clone() })} disabled={is(LinkState::OneWay)}>{ "→ One-way" }</button>
                <button onclick={verb(Verb::HealLink { from: f, to: t })} disabled={is(LinkState::Up)}>{ "Heal" }</button>
                <button onclick={close} aria-label="Close the link menu">{ "✕" }</button>
            </div>
        };
    }
    let add = verb(Verb::AddNode { master: props.selected.clone() });
    // Short on screen (the toolbar stays one row at 1280 px), whole for
    // screen readers and tooltips.
    let (add_text, add_label) = match &props.selected {
        Some(n) => ("+ Replica", format!("Add a replica of {n}")),
        None => ("+ Add node", "Add a node".to_string()),
    };
    let Some(node) = props.selected.as_ref().and_then(|n| props.view.node(n)) else {
        return html! {
            <div class="toolbar" role="toolbar" aria-label="scene">
                <span class="muted">{ "Click a node or a link." }</span>
                <button onclick={add} title={add_label.clone()} aria-label={add_label}>{ add_text }</button>
            </div>
        };
    };
    let name = node.name.clone();
    let is_replica = props.view.master_of(&name).is_some();
    let on_repoint = {
        let on_action = props.on_action.clone();
        let name = name.clone();
        Callback::from(move |e: Event| {
            let select = e.target_unchecked_into::<HtmlSelectElement>();
            let master = select.value();
            if !master.is_empty() {
                on_action.emit(Action::Verb(Verb::RepointTo { node: name.clone(), master }));
            }
            select.set_value("");
        })
    };
    html! {
        <div class="toolbar node-menu" role="toolbar" aria-label={format!("node {name}")}>
            <strong>{ format!("Node {name}") }</strong>
            if node.crashed {
                <button onclick={verb(Verb::Restart { node: name.clone() })}>{ "↻ Restart" }</button>
            } else {
                <button onclick={verb(Verb::Crash { node: name.clone() })}>{ "✕ Crash" }</button>
            }
            <button onclick={verb(Verb::Promote { node: name.clone() })} disabled={!is_replica}
                    title="REPLICAOF NO ONE">{ "Promote" }</button>
            <select onchange={on_repoint} aria-label={format!("make {name} a replica of")}>
                <option value="" selected=true>{ "Make replica of…" }</option>
                { for props.view.nodes.iter().filter(|n| n.name != name).map(|n| html! {
                    <option value={n.name.clone()}>{ n.name.clone() }</option>
                }) }
            </select>
            <button onclick={verb(Verb::RemoveNode { node: name.clone() })}>{ "Remove" }</button>
            <button onclick={add} title={add_label.clone()} aria-label={add_label}>{ add_text }</button>
            <button onclick={verb(Verb::AddNode { master: None })} title="Add a standalone master"
                    aria-label="Add a standalone master">{ "+ Master" }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct WorkloadProps {
    pub workload: Workload,
    pub on_action: Callback<Action>,
}

/// The workload generator: writes/s, key count, value size.
#[component]
pub fn WorkloadForm(props: &WorkloadProps) -> Html {
    let rate = use_node_ref();
    let keys = use_node_ref();
    let size = use_node_ref();
    let read = |r: &NodeRef, default: u32| {
        r.cast::<HtmlInputElement>().and_then(|i| i.value().parse().ok()).unwrap_or(default)
    };
    let onsubmit = {
        let (rate, keys, size, on_action) = (rate.clone(), keys.clone(), size.clone(), props.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let w = Workload {
                writes_per_s: read(&rate, 0).min(50_000),
                keys: read(&keys, 100).clamp(1, 100_000),
                value_size: read(&size, 16).clamp(1, 1 << 20),
            };
            on_action.emit(Action::Verb(Verb::SetWorkload(w)));
        })
    };
    let stop = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Verb(Verb::SetWorkload(Workload::default()))))
    };
    let w = props.workload;
    let or = |v: u32, d: u32| if v == 0 { d } else { v }.to_string();
    // Fill the fields once, when the form opens (not a controlled `value`,
    // which every tick's re-render would reset while the user types).
    {
        let fields = [
            (rate.clone(), or(w.writes_per_s, 50)),
            (keys.clone(), or(w.keys, 100)),
            (size.clone(), or(w.value_size, 16)),
        ];
        use_effect_with((), move |_| {
            for (r, v) in fields {
                if let Some(i) = r.cast::<HtmlInputElement>() {
                    i.set_value(&v);
                }
            }
        });
    }
    html! {
        <form class="workload-form" {onsubmit} aria-label="workload generator">
            <label>{ "writes/s " }<input ref={rate} type="number" min="0" max="50000" /></label>
            <label>{ "keys " }<input ref={keys} type="number" min="1" /></label>
            <label>{ "value bytes " }<input ref={size} type="number" min="1" /></label>
            <button type="submit">{ if w.writes_per_s > 0 { "Update" } else { "Start" } }</button>
            <button type="button" onclick={stop} disabled={w.writes_per_s == 0}>{ "Stop" }</button>
            <span class="muted">{ if w.writes_per_s > 0 { format!("running: {} writes/s", w.writes_per_s) } else { "stopped".to_string() } }</span>
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_action: Callback<Action>,
}

/// The keyboard shortcuts overlay.
#[component]
pub fn ShortcutsOverlay(props: &HelpProps) -> Html {
    let close = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::SetHelp(false)))
    };
    let rows = [
        ("Space", "play / pause"),
        ("→", "step to the next event"),
        ("?", "show these shortcuts"),
        ("Esc", "close menus and this overlay"),
        ("Tab / Enter", "move between nodes and links, open them"),
        ("↑ / ↓", "console history"),
    ];
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts">
            <div class="overlay-box">
                <h2>{ "Keyboard shortcuts" }</h2>
                <dl>{ for rows.iter().map(|(k, v)| html! { <><dt><kbd>{ *k }</kbd></dt><dd>{ *v }</dd></> }) }</dl>
                <p class="muted">{ "Click a link to cut, partition or heal it; click a node to crash, promote or re-point it." }</p>
                <button onclick={close} autofocus=true>{ "Close" }</button>
            </div>
        </div>
    }
}
