//! The topology canvas: node cards, links and the messages on them (SVG).
//!
//! Never colour alone: masters are filled cards and replicas outlined ones,
//! a crashed node is greyed *and* crossed out, and every link state has its
//! own stroke pattern, icon and text.

use yew::prelude::*;

use crate::fmt::human_bytes;
use crate::layout::{self, CARD_H, CARD_W, Layout};
use crate::state::Action;
use crate::view::*;

#[derive(Properties, PartialEq)]
pub struct TopologyProps {
    pub view: Scene,
    #[prop_or_default]
    pub selected: Option<String>,
    /// Nodes to ring (from a clicked event-log entry).
    #[prop_or_default]
    pub highlight: Vec<String>,
    #[prop_or_default]
    pub reduced_motion: bool,
    #[prop_or_default]
    pub on_action: Callback<Action>,
}

/// A pill drawn on a link: one message, or several aggregated.
#[derive(Clone, Debug, PartialEq)]
pub struct Pill {
    pub from: String,
    pub to: String,
    pub kind: MessageKind,
    pub label: String,
    pub progress: f64,
}

/// More messages than this on one link are drawn as one pill (`×37 writes`):
/// at 100× speed thousands would be in flight.
pub const MAX_PILLS_PER_LINK: usize = 3;

/// The pills to draw for `messages`. With reduced motion a pill does not
/// glide: it sits at the middle of its link.
pub fn pills(messages: &[MessageView], reduced_motion: bool) -> Vec<Pill> {
    let mut out = Vec::new();
    let mut links: Vec<(&str, &str)> = Vec::new();
    for m in messages {
        if !links.contains(&(m.from.as_str(), m.to.as_str())) {
            links.push((m.from.as_str(), m.to.as_str()));
        }
    }
    for (from, to) in links {
        let on_link: Vec<&MessageView> = messages.iter().filter(|m| m.from == from && m.to == to).collect();
        if on_link.len() <= MAX_PILLS_PER_LINK {
            out.extend(on_link.iter().map(|m| Pill {
                from: m.from.clone(),
                to: m.to.clone(),
                kind: m.kind,
                label: m.label.clone(),
                progress: m.progress,
            }));
        } else {
            let writes = on_link.iter().filter(|m| m.kind == MessageKind::Write).count();
            let kind = if writes * 2 >= on_link.len() { MessageKind::Write } else { on_link[0].kind };
            let mean = on_link.iter().map(|m| m.progress).sum::<f64>() / on_link.len() as f64;
            out.push(Pill {
                from: from.to_string(),
                to: to.to_string(),
                kind,
                label: format!("×{} messages", on_link.len()),
                progress: mean,
            });
        }
    }
    if reduced_motion {
        for p in &mut out {
            p.progress = 0.5;
        }
    }
    out
}

/// Vertical slots for pills, so pills that would overlap on one link stack
/// below each other instead: `slots[i]` is pill `i`'s row (0 = on the line).
/// `width_of` is a pill's length as a fraction of its link.
pub fn pill_rows(pills: &[Pill], width_of: impl Fn(&Pill) -> f64) -> Vec<usize> {
    let mut rows = vec![0; pills.len()];
    for i in 0..pills.len() {
        let overlaps = |j: usize, row: usize| {
            rows[j] == row
                && pills[j].from == pills[i].from
                && pills[j].to == pills[i].to
                && (pills[j].progress - pills[i].progress).abs() < (width_of(&pills[i]) + width_of(&pills[j])) / 2.0
        };
        let mut row = 0;
        while (0..i).any(|j| overlaps(j, row)) {
            row += 1;
        }
        rows[i] = row;
    }
    rows
}

/// The end points of the link between two cards: right edge to left edge
/// when the replica is to the right, else bottom to top.
pub fn link_ends(layout: &Layout, from: &str, to: &str) -> Option<((f64, f64), (f64, f64))> {
    let a = layout.card(from)?;
    let b = layout.card(to)?;
    if b.x > a.x {
        Some(((a.x + CARD_W, a.y + CARD_H / 2.0), (b.x - 4.0, b.y + CARD_H / 2.0)))
    } else {
        Some(((a.x + CARD_W / 2.0, a.y + CARD_H), (b.x + CARD_W / 2.0, b.y - 4.0)))
    }
}

fn lerp(a: (f64, f64), b: (f64, f64), t: f64) -> (f64, f64) {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

/// Approximate text width for sizing pills and badges (11–13 px sans).
fn text_width(text: &str, px: f64) -> f64 {
    text.chars().count() as f64 * px * 0.6 + 14.0
}

pub fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Partial { bytes } => format!("+CONTINUE · {} from backlog", human_bytes(*bytes)),
        Outcome::Full { rdb_bytes } => format!("+FULLRESYNC · RDB {}", human_bytes(*rdb_bytes)),
    }
}

#[component]
pub fn TopologyCanvas(props: &TopologyProps) -> Html {
    let view = &props.view;
    let names: Vec<&str> = view.nodes.iter().map(|n| n.name.as_str()).collect();
    let pairs: Vec<(&str, &str)> = view.links.iter().map(|l| (l.from.as_str(), l.to.as_str())).collect();
    let layout = layout::tree(&names, &pairs);
    // Room below the lowest row for link labels, badges and RDB bars.
    let (w, h) = (layout.width.max(560.0), layout.height + 24.0);

    let links = view.links.iter().map(|l| render_link(l, &layout, props)).collect::<Html>();
    let cards = view
        .nodes
        .iter()
        .filter_map(|n| layout.card(&n.name).map(|c| render_card(n, c.x, c.y, props)))
        .collect::<Html>();
    let pills = pills(&view.in_flight, props.reduced_motion);
    let rows = pill_rows(&pills, |p| {
        let Some((a, b)) = link_ends(&layout, &p.from, &p.to) else { return 1.0 };
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt().max(1.0);
        // As drawn: cut to the gap between the columns (see render_pill).
        text_width(&p.label, 11.0).min(((b.0 - a.0).abs() - 8.0).max(48.0)) / len
    });
    let pills = pills.iter().zip(rows).filter_map(|(p, row)| render_pill(p, row, &layout)).collect::<Html>();

    html! {
        <svg class="topology" viewBox={format!("0 0 {w} {h}")} preserveAspectRatio="xMidYMin meet"
             // Fit the pane, but never below 70% scale: a big topology
             // scrolls down instead of shrinking into unreadable cards.
             style={format!("aspect-ratio: {w} / {h}; max-height: max(100%, {:.0}px)", h * 0.7)}
             role="group" aria-label="Replication topology: nodes and links">
            <defs>
                // One marker per colour: a marker does not inherit its line's stroke.
                <marker id="arrow-blue" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto">
                    <path d="M0,0 L10,5 L0,10 z" fill="#0072b2" />
                </marker>
                <marker id="arrow-red" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto">
                    <path d="M0,0 L10,5 L0,10 z" fill="#d55e00" />
                </marker>
                <marker id="arrow-grey" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto">
                    <path d="M0,0 L10,5 L0,10 z" fill="#6b6b6b" />
                </marker>
                // One-way: only the upper half of the head.
                <marker id="arrow-half" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto">
                    <path d="M0,0 L10,5 L0,5 z" fill="#0072b2" />
                </marker>
            </defs>
            <g class="links">{ links }</g>
            <g class="cards">{ cards }</g>
            <g class="pills" aria-hidden="true">{ pills }</g>
        </svg>
    }
}

fn render_link(link: &LinkView, layout: &Layout, props: &TopologyProps) -> Html {
    let Some((a, b)) = link_ends(layout, &link.from, &link.to) else {
        return html! {};
    };
    let mid = lerp(a, b, 0.5);
    // Labels sit beside the line, on the side of its upward normal.
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let steep = dy.abs() > dx.abs() * 0.5;
    let label_at = if steep { (mid.0 + 10.0, mid.1) } else { (mid.0 + dy / len * 10.0, mid.1 - dx.abs() / len * 10.0) };
    let state = link.state;
    let name = format!("link {} → {}", link.from, link.to);
    let mut summary = format!("{name}: {}", state.label());
    if let Some((sent, total)) = link.rdb_transfer {
        summary.push_str(&format!(", RDB transfer {sent} of {total} bytes"));
    }
    let highlighted = props.highlight.contains(&link.from) && props.highlight.contains(&link.to);
    let class = classes!("link", format!("link-{}", state.label()), highlighted.then_some("highlighted"));
    let open = {
        let on_action = props.on_action.clone();
        let key = (link.from.clone(), link.to.clone());
        Callback::from(move |_: MouseEvent| on_action.emit(Action::OpenLinkMenu(Some(key.clone()))))
    };
    let onkeydown = {
        let on_action = props.on_action.clone();
        let key = (link.from.clone(), link.to.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                on_action.emit(Action::OpenLinkMenu(Some(key.clone())));
            }
        })
    };
    let path = |p: (f64, f64), q: (f64, f64)| format!("M{:.1},{:.1} L{:.1},{:.1}", p.0, p.1, q.0, q.1);
    let stroke = match state {
        LinkState::Cut => html! {
            <>
                <path class="link-line" d={path(a, lerp(a, b, 0.42))} />
                <path class="link-line" d={path(lerp(a, b, 0.58), b)} marker-end="url(#arrow-red)" />
            </>
        },
        LinkState::OneWay => html! { <path class="link-line" d={path(a, b)} marker-end="url(#arrow-half)" /> },
        LinkState::Partitioned => html! { <path class="link-line" d={path(a, b)} marker-end="url(#arrow-grey)" /> },
        _ => html! { <path class="link-line" d={path(a, b)} marker-end="url(#arrow-blue)" /> },
    };
    let icon = state.icon();
    let label = match state {
        LinkState::Up => format!("{} ms", link.latency_ms),
        _ => format!("{icon} {}", state.label()),
    };
    let rdb = link.rdb_transfer.map(|(sent, total)| {
        let frac = if total == 0 { 0.0 } else { (sent as f64 / total as f64).clamp(0.0, 1.0) };
        let (bw, bx, by) = (110.0, mid.0 - 55.0, mid.1 + 10.0);
        html! {
            <g class="rdb-progress">
                <rect class="rdb-track" x={bx.to_string()} y={by.to_string()} width={bw.to_string()} height="12" rx="3" />
                <rect class="rdb-fill" x={bx.to_string()} y={by.to_string()} width={(bw * frac).to_string()} height="12" rx="3" />
                <text class="rdb-text" x={mid.0.to_string()} y={(by + 26.0).to_string()} text-anchor="middle">
                    { format!("RDB {} / {}", human_bytes(sent), human_bytes(total)) }
                </text>
            </g>
        }
    });
    // The outcome badge sits just above the replica's card.
    let badge = link.badge.as_ref().zip(layout.card(&link.to)).map(|(o, card)| {
        let text = outcome_text(o);
        let kind = if matches!(o, Outcome::Partial { .. }) { "partial" } else { "full" };
        let bw = text_width(&text, 13.0);
        // Left-aligned on the card, but never past the drawing's right edge.
        let (bx, by) = (card.x.min(layout.width.max(560.0) - bw - 2.0).max(0.0), card.y - 28.0);
        html! {
            <g class={classes!("badge", format!("badge-{kind}"))}>
                <rect x={bx.to_string()} y={by.to_string()} width={bw.to_string()} height="22" rx="11" />
                <text x={(bx + bw / 2.0).to_string()} y={(by + 15.5).to_string()} text-anchor="middle">{ text }</text>
            </g>
        }
    });
    html! {
        <g key={format!("{}-{}", link.from, link.to)} class={class} role="button" tabindex="0" aria-label={format!("{summary}. Open the link menu")}
           onclick={open} {onkeydown} data-link={format!("{}-{}", link.from, link.to)}>
            <title>{ summary.clone() }</title>
            // A wide invisible stroke: the click target is ≥ 32 px thick.
            <path class="link-hit" d={path(a, b)} />
            { stroke }
            <text class="link-label" x={label_at.0.to_string()} y={label_at.1.to_string()}
                  text-anchor={if steep { "start" } else { "middle" }}>{ label }</text>
            { for rdb }
            { for badge }
        </g>
    }
}

fn render_card(node: &NodeView, x: f64, y: f64, props: &TopologyProps) -> Html {
    let selected = props.selected.as_deref() == Some(node.name.as_str());
    let highlighted = props.highlight.contains(&node.name);
    let status = if node.crashed {
        "✕ crashed".to_string()
    } else if node.sync_in_progress {
        "⟳ sync in progress".to_string()
    } else {
        match (node.role, node.link_status) {
            (Role::Master, _) => {
                let n = props.view.links.iter().filter(|l| l.from == node.name).count();
                format!("{n} replica{}", if n == 1 { "" } else { "s" })
            }
            (Role::Replica, Some(LinkStatus::Up)) => "● link up".to_string(),
            (Role::Replica, Some(s @ LinkStatus::Sync)) => format!("⟳ {}", s.label()),
            (Role::Replica, Some(s @ LinkStatus::Connecting)) => format!("… {}", s.label()),
            (Role::Replica, _) => "○ link down".to_string(),
        }
    };
    let summary = format!(
        "{} ({}{}), offset {}, replid {}, {}",
        node.name,
        node.role.label(),
        props.view.master_of(&node.name).map(|m| format!(" of {m}")).unwrap_or_default(),
        node.master_repl_offset,
        node.replid_prefix(),
        status
    );
    let class = classes!(
        "node-card",
        node.role.label(),
        node.crashed.then_some("crashed"),
        selected.then_some("selected"),
        highlighted.then_some("highlighted"),
    );
    let select = {
        let on_action = props.on_action.clone();
        let name = node.name.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::SelectNode(Some(name.clone()))))
    };
    let onkeydown = {
        let on_action = props.on_action.clone();
        let name = node.name.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                on_action.emit(Action::SelectNode(Some(name.clone())));
            }
        })
    };
    html! {
        <g key={node.name.clone()} class={class} transform={format!("translate({x},{y})")} role="button" tabindex="0"
           aria-pressed={selected.to_string()} aria-label={summary.clone()} onclick={select} {onkeydown}
           data-node={node.name.clone()}>
            <title>{ summary }</title>
            <rect class="ring" x="-6" y="-6" width={(CARD_W + 12.0).to_string()} height={(CARD_H + 12.0).to_string()} rx="14" />
            <rect class="card" width={CARD_W.to_string()} height={CARD_H.to_string()} rx="10" />
            <text class="card-title" x="12" y="25">
                <tspan class="card-name">{ node.name.clone() }</tspan>
                <tspan class="card-role" dx="8">{ node.role.label() }</tspan>
            </text>
            <text class="card-mono" x="12" y="46">{ format!("offset {}", node.master_repl_offset) }</text>
            <text class="card-mono" x="12" y="64">{ format!("replid {}", node.replid_prefix()) }</text>
            <text class="card-status" x="12" y="83">{ status }</text>
            if node.crashed {
                <path class="crash-x" d={format!("M{0},10 l22,22 M{1},10 l-22,22", CARD_W - 34.0, CARD_W - 12.0)} />
            }
        </g>
    }
}

/// `label` shortened to at most `max_w` wide (see [`text_width`]): the
/// command part is cut with `…`, the ` · size` tail kept. The full label
/// stays in the pill's tooltip.
pub fn fit_label(label: &str, max_w: f64) -> String {
    if text_width(label, 11.0) <= max_w {
        return label.to_string();
    }
    let max_chars = ((max_w - 14.0) / (11.0 * 0.6)).floor().max(2.0) as usize;
    let (head, tail) = match label.rsplit_once(" · ") {
        Some((head, tail)) if tail.chars().count() + 4 < max_chars => (head, format!(" · {tail}")),
        _ => (label, String::new()),
    };
    let keep = max_chars.saturating_sub(tail.chars().count() + 1).max(1);
    format!("{}…{tail}", head.chars().take(keep).collect::<String>())
}

fn render_pill(pill: &Pill, row: usize, layout: &Layout) -> Option<Html> {
    let (a, b) = link_ends(layout, &pill.from, &pill.to)?;
    let (mut x, y) = lerp(a, b, pill.progress.clamp(0.0, 1.0));
    let class = classes!("pill", format!("pill-{}", pill.kind.class()));
    // A pill stays in the gap between the two cards' columns (it never
    // covers a card): its label is cut to the gap's width.
    let gap = (b.0 - a.0).abs();
    let label = if gap > 0.0 { fit_label(&pill.label, (gap - 8.0).max(48.0)) } else { pill.label.clone() };
    let w = text_width(&label, 11.0);
    // Keep a pill between the two cards when the link is long enough.
    let (left, right) = (a.0.min(b.0) + 4.0 + w / 2.0, a.0.max(b.0) - 4.0 - w / 2.0);
    if left <= right {
        x = x.clamp(left, right);
    }
    if matches!(pill.kind, MessageKind::Ack | MessageKind::Ping) {
        return Some(html! {
            <g class={class}><circle cx={x.to_string()} cy={y.to_string()} r="5" /><title>{ pill.label.clone() }</title></g>
        });
    }
    Some(html! {
        <g class={class} transform={format!("translate({:.1},{:.1})", x - w / 2.0, y + 6.0 + row as f64 * 23.0)}>
            <title>{ pill.label.clone() }</title>
            <rect width={w.to_string()} height="20" rx="10" />
            <text x={(w / 2.0).to_string()} y="14" text-anchor="middle">{ label }</text>
        </g>
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn msg(from: &str, to: &str, kind: MessageKind, p: f64) -> MessageView {
        MessageView { from: from.into(), to: to.into(), kind, label: "SET k v · 27 B".into(), progress: p }
    }

    #[wasm_bindgen_test]
    fn pills_aggregate_per_link_and_freeze_with_reduced_motion() {
        let mut msgs: Vec<MessageView> = (0..5).map(|i| msg("A", "B", MessageKind::Write, i as f64 / 4.0)).collect();
        msgs.push(msg("A", "C", MessageKind::Psync, 0.2));
        let p = pills(&msgs, false);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].label, "×5 messages");
        assert_eq!(p[0].progress, 0.5);
        assert_eq!((p[1].to.as_str(), p[1].progress), ("C", 0.2));
        assert!(pills(&msgs, true).iter().all(|p| p.progress == 0.5));
    }

    #[wasm_bindgen_test]
    fn overlapping_pills_stack() {
        let p = pills(
            &[
                msg("A", "B", MessageKind::Write, 0.3),
                msg("A", "B", MessageKind::Write, 0.5),
                msg("A", "B", MessageKind::Write, 0.9),
                msg("A", "C", MessageKind::Write, 0.3),
            ],
            false,
        );
        assert_eq!(pill_rows(&p, |_| 0.3), vec![0, 1, 0, 0]);
    }

    #[wasm_bindgen_test]
    fn labels_are_cut_to_the_gap_keeping_the_size() {
        assert_eq!(fit_label("SET k v · 27 B", 142.0), "SET k v · 27 B");
        let cut = fit_label("SET key:000008 8xxxxxxxxxxxxxxx · 47 B", 142.0);
        assert!(text_width(&cut, 11.0) <= 142.0, "{cut}");
        assert!(cut.starts_with("SET key:") && cut.ends_with("… · 47 B"), "{cut}");
        assert!(text_width(&fit_label("×37 messages and a very long tail indeed", 60.0), 11.0) <= 60.0);
    }

    #[wasm_bindgen_test]
    fn badges_say_what_happened() {
        assert_eq!(outcome_text(&Outcome::Partial { bytes: 512 }), "+CONTINUE · 512 B from backlog");
        assert_eq!(outcome_text(&Outcome::Full { rdb_bytes: 34 * 1024 }), "+FULLRESYNC · RDB 34 KB");
    }
}
