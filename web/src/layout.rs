//! Automatic tree layout of the topology, as a pure function.
//!
//! Masters sit in the left column and replication flows left to right: a
//! node's depth (hops from its top master) picks its column, and each node
//! shares the row of its first replica, so a chain `A → B → D` reads as one
//! straight line and a second replica `C` drops to the next row:
//!
//! ```text
//! A ──▶ B ──▶ D
//!  ╲
//!   ▶ C
//! ```

/// Card size and spacing in SVG user units.
pub const CARD_W: f64 = 160.0;
pub const CARD_H: f64 = 92.0;
/// Wide enough for a message pill, a link label or an RDB bar between cards.
pub const COL_GAP: f64 = 150.0;
/// Tall enough for a resync badge above a card.
pub const ROW_GAP: f64 = 40.0;
/// Margin around the drawing (room for the focus ring).
pub const MARGIN: f64 = 16.0;
/// Space above the first row, for its resync badges.
pub const TOP: f64 = 34.0;

/// Where one card goes: its top-left corner.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub name: String,
    pub col: usize,
    pub row: usize,
    pub x: f64,
    pub y: f64,
}

/// The whole drawing: card positions and the viewBox size that holds them.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub cards: Vec<Placed>,
    pub width: f64,
    pub height: f64,
}

impl Layout {
    pub fn card(&self, name: &str) -> Option<&Placed> {
        self.cards.iter().find(|c| c.name == name)
    }
}

/// Lays out `nodes` (in the order given, which orders siblings) along the
/// `links` (master, replica). A node without a master is a root; a node
/// reached twice (two masters, or a cycle from a bad re-point) keeps its
/// first place, so the layout never loops.
pub fn tree(nodes: &[&str], links: &[(&str, &str)]) -> Layout {
    let has_master = |n: &str| links.iter().any(|(_, to)| *to == n) && nodes.contains(&n);
    let mut placed: Vec<Placed> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut next_row = 0usize;

    // Roots first, in node order; then anything a cycle left unreached.
    let roots = nodes.iter().filter(|n| !has_master(n));
    let rest = nodes.iter();
    for root in roots.chain(rest) {
        if seen.contains(root) {
            continue;
        }
        place(root, 0, &mut next_row, nodes, links, &mut seen, &mut placed);
    }

    let cols = placed.iter().map(|p| p.col + 1).max().unwrap_or(1);
    let rows = next_row.max(1);
    for p in &mut placed {
        p.x = MARGIN + p.col as f64 * (CARD_W + COL_GAP);
        p.y = TOP + p.row as f64 * (CARD_H + ROW_GAP);
    }
    Layout {
        cards: placed,
        width: 2.0 * MARGIN + cols as f64 * CARD_W + (cols - 1) as f64 * COL_GAP,
        height: TOP + MARGIN + rows as f64 * CARD_H + (rows - 1) as f64 * ROW_GAP,
    }
}

/// Places `name` at `col` and its replicas after it, depth first. A node
/// takes the row of its first replica; a leaf takes a fresh row.
fn place<'a>(
    name: &'a str,
    col: usize,
    next_row: &mut usize,
    nodes: &[&'a str],
    links: &[(&'a str, &'a str)],
    seen: &mut Vec<&'a str>,
    placed: &mut Vec<Placed>,
) -> usize {
    seen.push(name);
    let index = placed.len();
    placed.push(Placed { name: name.to_string(), col, row: 0, x: 0.0, y: 0.0 });
    let mut my_row = None;
    for child in nodes.iter().filter(|n| links.contains(&(name, **n))) {
        if seen.contains(child) {
            continue;
        }
        let row = place(child, col + 1, next_row, nodes, links, seen, placed);
        my_row.get_or_insert(row);
    }
    let row = my_row.unwrap_or_else(|| {
        *next_row += 1;
        *next_row - 1
    });
    placed[index].row = row;
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn grid(layout: &Layout) -> Vec<(String, usize, usize)> {
        layout.cards.iter().map(|c| (c.name.clone(), c.col, c.row)).collect()
    }

    #[wasm_bindgen_test]
    fn chain_on_one_row_sibling_below() {
        let layout = tree(&["A", "B", "C", "D"], &[("A", "B"), ("A", "C"), ("B", "D")]);
        assert_eq!(grid(&layout), vec![("A".into(), 0, 0), ("B".into(), 1, 0), ("D".into(), 2, 0), ("C".into(), 1, 1)]);
        assert_eq!(layout.width, 2.0 * MARGIN + 3.0 * CARD_W + 2.0 * COL_GAP);
        assert_eq!(layout.height, TOP + MARGIN + 2.0 * CARD_H + ROW_GAP);
        let c = layout.card("C").unwrap();
        assert_eq!((c.x, c.y), (MARGIN + CARD_W + COL_GAP, TOP + CARD_H + ROW_GAP));
    }

    #[wasm_bindgen_test]
    fn independent_masters_stack_and_cycles_terminate() {
        let layout = tree(&["A", "B"], &[]);
        assert_eq!(grid(&layout), vec![("A".into(), 0, 0), ("B".into(), 0, 1)]);
        // A bad re-point made A and B replicas of each other.
        let layout = tree(&["A", "B", "C"], &[("A", "B"), ("B", "A")]);
        assert_eq!(grid(&layout), vec![("C".into(), 0, 0), ("A".into(), 0, 1), ("B".into(), 1, 1)]);
    }

    #[wasm_bindgen_test]
    fn empty_scene_has_a_size() {
        let layout = tree(&[], &[]);
        assert!(layout.cards.is_empty());
        assert!(layout.width > 0.0 && layout.height > 0.0);
    }
}
