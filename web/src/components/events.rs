//! The bottom strip: the event log (filterable, each entry explains itself)
//! and the space-time diagram (a lane per node, an arrow per message).

use std::rc::Rc;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::fmt::clock;
use crate::state::Action;
use crate::view::{ArrowView, EventView, MessageKind, Outcome, Scene};

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
    replscope_core::util::sort(&mut kinds);
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
    pub view: Scene,
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

/// Diagram geometry: width, lane height, left margin (lane names).
const ST_W: f64 = 600.0;
const ST_LANE_H: f64 = 30.0;
const ST_LEFT: f64 = 36.0;

fn lane_y(i: usize) -> f64 {
    14.0 + i as f64 * ST_LANE_H + ST_LANE_H / 2.0
}

/// A lane per node (rows), time flowing right; "now" is the right edge.
///
/// Arrows and event ticks sit at fixed positions of absolute time inside a
/// group that slides left as time runs, so a frame changes one transform.
/// The delivered arrows and the ticks are a child component ([`StMarks`])
/// that re-renders only when the log or the arrows change, not every frame;
/// only the few arrows still in flight (their heads at "now") are redrawn.
#[component]
pub fn SpaceTime(props: &SpaceTimeProps) -> Html {
    let view = &props.view;
    let lanes: Vec<String> = view.nodes.iter().map(|n| n.name.clone()).collect();
    let h = (lanes.len().max(1) as f64) * ST_LANE_H + 20.0;
    let span = window_ms(props.speed);
    let t0 = view.t_ms.saturating_sub(span);
    let scale = (ST_W - ST_LEFT - 8.0) / span as f64;
    let slide = ST_LEFT - t0 as f64 * scale;
    let lane_rows = lanes.iter().enumerate().map(|(i, name)| {
        let y = lane_y(i);
        html! {
            <g class="lane" key={name.clone()}>
                <text x="4" y={(y + 5.0).to_string()}>{ name.clone() }</text>
                <line x1={ST_LEFT.to_string()} x2={(ST_W - 8.0).to_string()} y1={y.to_string()} y2={y.to_string()} />
            </g>
        }
    });
    let lane = |name: &str| lanes.iter().position(|n| n == name).map(lane_y);
    let now_x = view.t_ms as f64 * scale;
    let keyed = view.arrows.windows(2).all(|w| w[0].id < w[1].id) && view.arrows.first().is_none_or(|a| a.id > 0);
    let in_flight = view.arrows.iter().enumerate().filter(|(_, a)| a.recv_ms.is_none() && a.sent_ms >= t0);
    let in_flight = in_flight.filter_map(|(i, a)| {
        let (y1, y2) = (lane(&a.from)?, lane(&a.to)?);
        Some(html! {
            <line key={if keyed { a.id.to_string() } else { format!("at{i}") }} class={classes!(arrow_class(a.kind), "in-flight")}
                  x1={(a.sent_ms as f64 * scale).to_string()} y1={y1.to_string()} x2={now_x.to_string()} y2={y2.to_string()}
                  marker-end="url(#st-arrow)">
                <title>{ arrow_title(a) }</title>
            </line>
        })
    });
    // What has slid out of view is dropped in steps of a tenth of the span,
    // so the marks re-render a few times per window, not every frame.
    let step = (span / 10).max(1);
    let from_ms = t0 / step * step;
    html! {
        <section class="spacetime" aria-label="space-time diagram">
            <svg viewBox={format!("0 0 {ST_W} {h}")} preserveAspectRatio="xMinYMin meet" role="img"
                 style={format!("aspect-ratio: {ST_W} / {h}")}
                 aria-label={format!("messages between nodes over the last {} s of virtual time", span / 1000)}>
                <defs>
                    <marker id="st-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8"
                            markerUnits="userSpaceOnUse" orient="auto">
                        <path d="M0,0 L10,5 L0,10 z" fill="#1a1a1a" />
                    </marker>
                </defs>
                { for lane_rows }
                <clipPath id="st-clip"><rect x={ST_LEFT.to_string()} y="0" width={(ST_W - ST_LEFT - 4.0).to_string()} height={h.to_string()} /></clipPath>
                <g clip-path="url(#st-clip)">
                    <g class="st-slide" transform={format!("translate({slide:.2},0)")}>
                        <StMarks arrows={view.arrows.clone()} events={view.events.clone()} lanes={lanes.clone()}
                                 {scale} {from_ms} />
                        <g class="st-in-flight">{ for in_flight }</g>
                    </g>
                </g>
                <text class="now" x={(ST_W - 10.0).to_string()} y="10" text-anchor="end">{ format!("now · last {} s", span / 1000) }</text>
            </svg>
        </section>
    }
}

fn arrow_title(a: &ArrowView) -> String {
    format!("{} → {}: {} (sent {})", a.from, a.to, a.label, clock(a.sent_ms))
}

#[derive(Properties, PartialEq)]
pub struct StMarksProps {
    pub arrows: Rc<Vec<ArrowView>>,
    pub events: Rc<Vec<EventView>>,
    /// Node names, one lane each, top to bottom.
    pub lanes: Vec<String>,
    /// SVG units per virtual ms.
    pub scale: f64,
    /// Marks that ended before this (virtual ms) are left out.
    pub from_ms: u64,
}

/// The delivered arrows and the event ticks of the space-time diagram, at
/// absolute-time positions (see [`SpaceTime`]).
#[component]
pub fn StMarks(props: &StMarksProps) -> Html {
    let lane = |name: &str| props.lanes.iter().position(|n| n == name).map(lane_y);
    let x = |t: u64| t as f64 * props.scale;
    let keyed = props.arrows.windows(2).all(|w| w[0].id < w[1].id) && props.arrows.first().is_none_or(|a| a.id > 0);
    let arrows = props.arrows.iter().enumerate().filter_map(|(i, a)| {
        let recv = a.recv_ms.filter(|r| *r >= props.from_ms)?;
        let (y1, y2) = (lane(&a.from)?, lane(&a.to)?);
        Some(html! {
            <line key={if keyed { a.id.to_string() } else { format!("at{i}") }} class={arrow_class(a.kind)}
                  x1={x(a.sent_ms).to_string()} y1={y1.to_string()} x2={x(recv).to_string()} y2={y2.to_string()}
                  marker-end="url(#st-arrow)">
                <title>{ arrow_title(a) }</title>
            </line>
        })
    });
    let events_keyed =
        props.events.windows(2).all(|w| w[0].id < w[1].id) && props.events.first().is_none_or(|e| e.id > 0);
    let ticks = props.events.iter().enumerate().filter(|(_, e)| e.t_ms >= props.from_ms).filter_map(|(i, e)| {
        let y = lane(&e.node)?;
        let cx = x(e.t_ms);
        Some(html! {
            <path key={if events_keyed { e.id.to_string() } else { format!("at{i}") }} class="event-tick" d={format!("M{cx:.1},{:.1} l5,5 l-5,5 l-5,-5 z", y - 5.0)}>
                <title>{ format!("{} {}: {}", clock(e.t_ms), e.node, e.text) }</title>
            </path>
        })
    });
    html! {
        <g class="st-marks">
            <g>{ for arrows }</g>
            <g>{ for ticks }</g>
        </g>
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
