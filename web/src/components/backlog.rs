//! The backlog bar: the core lesson in one picture.
//!
//! Offsets run left to right, to scale. The bar shows how much history the
//! master still holds (the live window [first_byte_offset,
//! master_repl_offset], split into its 7.0 blocks) against what it is
//! configured to hold (repl-backlog-size), and where every replica stands.
//! A disconnected replica keeps its place; once the window's left edge has
//! passed it, it turns red with "full resync needed", *before* the link is
//! healed, so people can predict the outcome.

use yew::prelude::*;

use crate::fmt::human_bytes;
use crate::view::{BacklogView, ReplicaMarker};

#[derive(Properties, PartialEq)]
pub struct BacklogProps {
    /// The master whose backlog this is.
    pub node: String,
    pub backlog: BacklogView,
}

/// Drawing width in SVG units and the padding on each side.
const W: f64 = 760.0;
const PAD: f64 = 24.0;

/// The offsets the bar spans: [lo, hi]. It always shows a full
/// repl-backlog-size ending at the master's offset, so a nearly empty
/// backlog is a sliver at the right (to scale; offsets below 1 never
/// existed and `lo` can be negative), stretched left if a replica or the
/// window reaches further back.
pub fn domain(b: &BacklogView) -> (i64, i64) {
    let hi = b.master_repl_offset.max(b.first_byte_offset) as i64;
    let mut lo = (hi - b.size as i64).min(b.first_byte_offset as i64 - 1);
    for r in &b.replicas {
        lo = lo.min(r.acked_offset as i64).min(r.next_offset as i64 - 1);
    }
    if lo >= hi { (hi - 1, hi) } else { (lo, hi) }
}

/// X position of `offset` on the drawing.
pub fn x_of(offset: i64, (lo, hi): (i64, i64)) -> f64 {
    let span = (hi - lo).max(1) as f64;
    PAD + ((offset - lo) as f64 / span).clamp(0.0, 1.0) * (W - 2.0 * PAD)
}

/// Whether a replica's marker is the red "full resync needed" one.
pub fn needs_full_resync(r: &ReplicaMarker) -> bool {
    !r.connected && !r.in_window
}

/// The replica's line in the legend, in words.
pub fn marker_text(r: &ReplicaMarker) -> String {
    if needs_full_resync(r) {
        format!(
            "✕ {} — disconnected, needs offset {} which has left the backlog → full resync needed",
            r.name, r.next_offset
        )
    } else if !r.connected {
        format!(
            "▽ {} — disconnected at {}; offset {} still in the backlog → partial resync possible",
            r.name, r.acked_offset, r.next_offset
        )
    } else {
        format!("▼ {} — connected, acked {}", r.name, r.acked_offset)
    }
}

#[component]
pub fn BacklogBar(props: &BacklogProps) -> Html {
    let b = &props.backlog;
    let dom = domain(b);
    let held = b.master_repl_offset.saturating_sub(b.first_byte_offset.saturating_sub(1));
    // The window holds bytes first_byte_offset ..= master_repl_offset.
    let wx0 = x_of(b.first_byte_offset as i64 - 1, dom);
    let wx1 = x_of(b.master_repl_offset as i64, dom);
    let size_x = x_of(b.master_repl_offset as i64 - b.size as i64, dom);
    let (bar_y, bar_h) = (24.0, 22.0);

    let blocks = b
        .blocks
        .iter()
        .skip(1)
        .map(|&(start, len, cap)| {
            let x = x_of(start as i64 - 1, dom);
            html! {
                <line class="block-edge" x1={x.to_string()} x2={x.to_string()} y1={bar_y.to_string()} y2={(bar_y + bar_h).to_string()}>
                    <title>{ format!("block from offset {start}: {len} of {cap} bytes used") }</title>
                </line>
            }
        })
        .collect::<Html>();

    // Markers closer than this share one label (20 replicas in step would
    // otherwise print their names on top of each other).
    const CLUSTER_PX: f64 = 24.0;
    let xs: Vec<f64> = b.replicas.iter().map(|r| x_of(r.acked_offset as i64, dom)).collect();
    let same = |i: usize, j: usize| {
        (xs[i] - xs[j]).abs() < CLUSTER_PX && needs_full_resync(&b.replicas[i]) == needs_full_resync(&b.replicas[j])
    };
    let markers = b
        .replicas
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let x = xs[i];
            let red = needs_full_resync(r);
            let leader = !(0..i).any(|j| same(i, j));
            let names: Vec<&str> = (0..b.replicas.len()).filter(|&j| j == i || (j > i && same(i, j))).map(|j| b.replicas[j].name.as_str()).collect();
            let names = if names.len() > 3 { format!("{} +{}", names[..2].join(", "), names.len() - 2) } else { names.join(", ") };
            let class = classes!(
                "marker",
                if red { "marker-full" } else if r.connected { "marker-connected" } else { "marker-disconnected" }
            );
            // Stagger labels so neighbours do not overlap.
            let ly = 72.0 + (i % 2) as f64 * 15.0;
            let anchor = if x > W - 220.0 { "end" } else { "start" };
            let label = match (leader, red) {
                (false, _) => String::new(),
                (true, true) => format!("✕ {names} · full resync needed"),
                (true, false) => names,
            };
            let tip = marker_text(r);
            html! {
                <g {class} data-replica={r.name.clone()}>
                    <title>{ tip }</title>
                    <path d={format!("M{:.1},{} l-8,-12 h16 z", x, bar_y + bar_h + 14.0)} />
                    <line x1={x.to_string()} x2={x.to_string()} y1={(bar_y - 4.0).to_string()} y2={(bar_y + bar_h + 2.0).to_string()} />
                    <text x={x.to_string()} y={ly.to_string()} text-anchor={anchor}>{ label }</text>
                </g>
            }
        })
        .collect::<Html>();

    let window_title = format!(
        "live window [{}, {}]: {} bytes held of repl-backlog-size {} bytes",
        b.first_byte_offset, b.master_repl_offset, held, b.size
    );
    html! {
        <section class="backlog" aria-label={format!("Replication backlog of {}", props.node)}>
            <h2 class="backlog-title">
                { format!("Backlog of {} ", props.node) }
                <span class="mono" title={window_title.clone()}>
                    { format!("window [{}, {}]", b.first_byte_offset, b.master_repl_offset) }
                </span>
                { " · " }
                <span class="mono" title={format!("{held} bytes held / {} bytes configured", b.size)}>
                    { format!("{} held of {}", human_bytes(held), human_bytes(b.size)) }
                </span>
                { format!(" · {} block{}", b.blocks.len(), if b.blocks.len() == 1 { "" } else { "s" }) }
            </h2>
            <svg class="backlog-svg" viewBox={format!("0 0 {W} 90")} role="img" aria-label={window_title.clone()}>
                <rect class="track" x={PAD.to_string()} y={bar_y.to_string()} width={(W - 2.0 * PAD).to_string()} height={bar_h.to_string()} />
                <g class="size-tick">
                    <title>{ format!("repl-backlog-size = {} bytes", b.size) }</title>
                    <line x1={size_x.to_string()} x2={size_x.to_string()} y1="4" y2={(bar_y + bar_h).to_string()} />
                    <line x1={size_x.to_string()} x2={wx1.to_string()} y1="18" y2="18" />
                    <text x={(size_x + 4.0).to_string()} y="15">{ format!("repl-backlog-size {}", human_bytes(b.size)) }</text>
                </g>
                <rect class="window" x={wx0.to_string()} y={bar_y.to_string()} width={(wx1 - wx0).max(3.0).to_string()} height={bar_h.to_string()}>
                    <title>{ window_title }</title>
                </rect>
                { blocks }
                { markers }
            </svg>
            // In words, for the replicas whose next resync is in question.
            if b.replicas.iter().any(|r| !r.connected) {
                <ul class="backlog-legend">
                    { for b.replicas.iter().filter(|r| !r.connected).map(|r| html! {
                        <li class={classes!(needs_full_resync(r).then_some("full-resync"))}>{ marker_text(r) }</li>
                    }) }
                </ul>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn backlog(first: u64, master: u64, size: u64) -> BacklogView {
        BacklogView { size, first_byte_offset: first, master_repl_offset: master, blocks: vec![], replicas: vec![] }
    }

    #[wasm_bindgen_test]
    fn domain_spans_size_and_laggards() {
        // 100 bytes of a 1000-byte backlog: a tenth of the bar.
        assert_eq!(domain(&backlog(1, 100, 1000)), (-900, 100));
        assert_eq!(domain(&backlog(20441, 21464, 1024)), (20440, 21464));
        let mut b = backlog(20441, 21464, 1024);
        b.replicas.push(ReplicaMarker {
            name: "C".into(),
            acked_offset: 55,
            next_offset: 56,
            connected: false,
            in_window: false,
        });
        assert_eq!(domain(&b), (55, 21464));
        assert_eq!(x_of(55, (55, 21464)), PAD);
        assert_eq!(x_of(21464, (55, 21464)), W - PAD);
        assert_eq!(x_of(0, (-900, 100)), PAD + 0.9 * (W - 2.0 * PAD));
    }

    #[wasm_bindgen_test]
    fn red_only_when_disconnected_and_out_of_window() {
        let r = |connected, in_window| ReplicaMarker {
            name: "B".into(),
            acked_offset: 9,
            next_offset: 10,
            connected,
            in_window,
        };
        assert!(needs_full_resync(&r(false, false)));
        assert!(!needs_full_resync(&r(false, true)));
        assert!(!needs_full_resync(&r(true, true)));
        assert!(marker_text(&r(false, false)).ends_with("full resync needed"));
    }
}
