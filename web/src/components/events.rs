//! The bottom strip: the event log (filterable, each entry explains itself)
//! and the space-time diagram (a lane per node, an arrow per message).

use std::rc::Rc;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::fmt::clock;
use crate::state::Action;
use crate::view::{ArrowView, EventView, MessageKind, Outcome, SceneView};

use super::topology::outcome_text;

/// Entries the log renders at most (the newest that pass the filters).
pub const MAX_SHOWN_EVENTS: usize = 150;

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// The scene's events (not the whole view: the log re-renders only
    /// when they change, not on every frame).
    pub events: Rc<Vec<EventView>>,
    /// Node names, for the filter.
    pub nodes: Vec<String>,
    #[prop_or_default]
    pub filter_node: Option<String>,
    #[prop_or_default]
    pub filter_kind: Option<String>,
    #[prop_or_default]
    pub highlight: Option<usize>,
    #[prop_or_default]
    pub on_action: Callback<Action>,
}

/// Whether `e` passes the filters.
pub fn event_matches(e: &EventView, node: Option<&str>, kind: Option<&str>) -> bool {
    node.is_none_or(|n| e.node == n || e.peer.as_deref() == Some(n)) && kind.is_none_or(|k| e.kind == k)
}

#[component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let events = &props.events;
    let mut kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let filter = |which: &'static str| {
        let on_action = props.on_action.clone();
        let (node, kind) = (props.filter_node.clone(), props.filter_kind.clone());
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            let value = (!value.is_empty()).then_some(value);
            let (node, kind) = if which == "node" { (value, kind.clone()) } else { (node.clone(), value) };
            on_action.emit(Action::FilterEvents { node, kind });
        })
    };
    let shown: Vec<(usize, &EventView)> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| event_matches(e, props.filter_node.as_deref(), props.filter_kind.as_deref()))
        .collect();
    // Keyed by id when the scene numbers its events.
    let keyed = shown.windows(2).all(|w| w[0].1.id < w[1].1.id) && shown.first().is_none_or(|(_, e)| e.id > 0);
    // Newest first: the latest decision is what people look for.
    let items = shown.iter().rev().take(MAX_SHOWN_EVENTS).map(|&(i, e)| {
        let on_action = props.on_action.clone();
        let active = props.highlight == Some(i);
        let onclick = Callback::from(move |_| on_action.emit(Action::HighlightEvent(if active { None } else { Some(i) })));
        let badge = e.badge.as_ref().map(|o| {
            let kind = if matches!(o, Outcome::Partial { .. }) { "partial" } else { "full" };
            html! { <span class={classes!("event-badge", format!("badge-{kind}"))}>{ outcome_text(o) }</span> }
        });
        html! {
            <li class={classes!("event", active.then_some("active"))} key={if keyed { e.id.to_string() } else { format!("at{i}") }}>
                <button class="event-button" aria-pressed={active.to_string()} {onclick}>
                    <span class="mono event-time">{ clock(e.t_ms) }</span>
                    <span class="event-node">{ e.peer.as_ref().map(|p| format!("{} ↔ {p}", e.node)).unwrap_or_else(|| e.node.clone()) }</span>
                    <span class="event-kind">{ e.kind.clone() }</span>
                    <span class="event-text">{ e.text.clone() }</span>
                    { for badge }
                </button>
                if let Some(why) = &e.why { <div class="event-why">{ "why: " }{ why.clone() }</div> }
                if let Some(log) = &e.redis_log { <div class="event-redis-log mono" title="Redis's own log line">{ log.clone() }</div> }
            </li>
        }
    });
    html! {
        <section class="event-log" aria-label="event log">
            <div class="event-filters">
                <label>{ "node " }
                    <select onchange={filter("node")} aria-label="filter events by node">
                        <option value="" selected={props.filter_node.is_none()}>{ "all" }</option>
                        { for props.nodes.iter().map(|n| html! {
                            <option value={n.clone()} selected={props.filter_node.as_deref() == Some(n.as_str())}>{ n.clone() }</option>
                        }) }
                    </select>
                </label>
                <label>{ "kind " }
                    <select onchange={filter("kind")} aria-label="filter events by kind">
                        <option value="" selected={props.filter_kind.is_none()}>{ "all" }</option>
                        { for kinds.iter().map(|k| html! {
                            <option value={k.to_string()} selected={props.filter_kind.as_deref() == Some(*k)}>{ k.to_string() }</option>
                        }) }
                    </select>
                </label>
                <span class="muted">{ format!("{} of {}", shown.len(), events.len()) }</span>
            </div>
            <ol class="event-list" role="log" aria-live="polite">{ for items }</ol>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    pub view: Rc<SceneView>,
    pub speed: f64,
}

/// Virtual time the diagram spans: more at higher speeds, so arrows stay
/// on screen for a few wall seconds.
pub fn window_ms(speed: f64) -> u64 {
    (6_000.0 * speed.max(0.5)).clamp(3_000.0, 120_000.0) as u64
}

fn arrow_class(kind: MessageKind) -> String {
    format!("arrow arrow-{}", kind.class())
}

/// A lane per node (rows), time flowing right; "now" is the right edge.
#[component]
pub fn SpaceTime(props: &SpaceTimeProps) -> Html {
    let view = &props.view;
    let (w, lane_h, left) = (600.0, 30.0, 36.0);
    let h = (view.nodes.len().max(1) as f64) * lane_h + 20.0;
    let span = window_ms(props.speed);
    let t0 = view.t_ms.saturating_sub(span);
    // Arrows are drawn at fixed positions of absolute time inside a group
    // that slides left as time runs: a frame changes one transform, not
    // every arrow's coordinates.
    let scale = (w - left - 8.0) / span as f64;
    let x = |t: u64| t as f64 * scale;
    let slide = left - x(t0);
    let lane =
        |name: &str| view.nodes.iter().position(|n| n.name == name).map(|i| 14.0 + i as f64 * lane_h + lane_h / 2.0);
    let lanes = view.nodes.iter().enumerate().map(|(i, n)| {
        let y = 14.0 + i as f64 * lane_h + lane_h / 2.0;
        html! {
            <g class="lane">
                <text x="4" y={(y + 5.0).to_string()}>{ n.name.clone() }</text>
                <line x1={left.to_string()} x2={(w - 8.0).to_string()} y1={y.to_string()} y2={y.to_string()} />
            </g>
        }
    });
    let visible = |a: &&ArrowView| a.recv_ms.is_none_or(|r| r >= t0);
    let keyed = view.arrows.windows(2).all(|w| w[0].id < w[1].id) && view.arrows.first().is_none_or(|a| a.id > 0);
    let arrows = view.arrows.iter().enumerate().filter(|(_, a)| visible(a)).filter_map(|(i, a)| {
        let (y1, y2) = (lane(&a.from)?, lane(&a.to)?);
        let (x1, x2) = (x(a.sent_ms), x(a.recv_ms.unwrap_or(view.t_ms)));
        Some(html! {
            <line key={if keyed { a.id.to_string() } else { format!("at{i}") }}
                  class={classes!(arrow_class(a.kind), a.recv_ms.is_none().then_some("in-flight"))}
                  x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} marker-end="url(#st-arrow)">
                <title>{ format!("{} → {}: {} (sent {})", a.from, a.to, a.label, clock(a.sent_ms)) }</title>
            </line>
        })
    });
    let ticks = view.events.iter().filter(|e| e.t_ms >= t0).filter_map(|e| {
        let y = lane(&e.node)?;
        let cx = x(e.t_ms);
        Some(html! {
            <path class="event-tick" d={format!("M{cx:.1},{:.1} l5,5 l-5,5 l-5,-5 z", y - 5.0)}>
                <title>{ format!("{} {}: {}", clock(e.t_ms), e.node, e.text) }</title>
            </path>
        })
    });
    html! {
        <section class="spacetime" aria-label="space-time diagram">
            <svg viewBox={format!("0 0 {w} {h}")} preserveAspectRatio="xMinYMin meet" role="img"
                 style={format!("aspect-ratio: {w} / {h}")}
                 aria-label={format!("messages between nodes over the last {} s of virtual time", span / 1000)}>
                <defs>
                    <marker id="st-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8"
                            markerUnits="userSpaceOnUse" orient="auto">
                        <path d="M0,0 L10,5 L0,10 z" fill="#1a1a1a" />
                    </marker>
                </defs>
                { for lanes }
                <clipPath id="st-clip"><rect x={left.to_string()} y="0" width={(w - left - 4.0).to_string()} height={h.to_string()} /></clipPath>
                <g clip-path="url(#st-clip)">
                    <g class="st-slide" transform={format!("translate({slide:.2},0)")}>
                        { for arrows }
                        { for ticks }
                    </g>
                </g>
                <text class="now" x={(w - 10.0).to_string()} y="10" text-anchor="end">{ format!("now · last {} s", span / 1000) }</text>
            </svg>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn filters_match_node_peer_and_kind() {
        let mut e = EventView::new(5, "A", "link", "link A → B cut");
        e.peer = Some("B".into());
        assert!(event_matches(&e, None, None));
        assert!(event_matches(&e, Some("B"), Some("link")));
        assert!(!event_matches(&e, Some("C"), None));
        assert!(!event_matches(&e, None, Some("psync")));
        assert_eq!(window_ms(1.0), 6_000);
        assert_eq!(window_ms(100.0), 120_000);
        assert_eq!(window_ms(0.1), 3_000);
    }
}
