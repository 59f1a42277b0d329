//! Small parsing and formatting helpers shared by commands, INFO and RDB,
//! each matching the Redis C function it mirrors.

/// Parses a decimal `i64` the way Redis's `string2ll` does: no leading `+`,
/// no leading zeros (except "0" itself), no spaces, "-0" rejected.
pub fn parse_strict_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits[0] == b'0' {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        let d = (c - b'0') as i64;
        v = if neg { v.checked_mul(10)?.checked_sub(d)? } else { v.checked_mul(10)?.checked_add(d)? };
    }
    Some(v)
}

/// `text` between `quote`s, escaped as Rust's `{:?}` escapes what people
/// type: the quote and backslash, `\t` `\r` `\n` `\0`, other control
/// characters as `\u{1b}`. Error messages quote names and bytes with it.
/// Unlike `{:?}` it leaves every other character as it is (`{:?}` also
/// escapes invisible and unassigned Unicode, which takes Unicode tables
/// into the browser bundle).
pub fn quoted(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\0' => out.push_str("\\0"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {
                out.push_str("\\u{");
                out.push_str(&format!("{:x}", c as u32));
                out.push('}');
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Sorts `items` stably by `cmp`, like `slice::sort_by`.
///
/// The crate (and the web UI) sorts through these three functions rather
/// than the slice methods: a slice sort is compiled anew for every element
/// type and comparison, about 4 KB of wasm each, a dozen copies in the
/// browser bundle. Here the standard sort runs once, on positions, with the
/// comparison behind a `dyn`, and the items are then moved into place. The
/// lists sorted this way are short (config names, set members, due timers),
/// so the indirection costs nothing that matters.
pub fn sort_by<T>(items: &mut [T], mut cmp: impl FnMut(&T, &T) -> std::cmp::Ordering) {
    let order = sorted_positions(items.len(), &mut |a, b| cmp(&items[a], &items[b]));
    put_in_order(items, order);
}

/// [`sort_by`] with the items' own order, like `slice::sort`.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// [`sort_by`] on a key, like `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// The positions `0..len` in the stable order `cmp` gives them: the one
/// instance of the standard sort.
#[inline(never)]
fn sorted_positions(len: usize, cmp: &mut dyn FnMut(usize, usize) -> std::cmp::Ordering) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..len).collect();
    positions.sort_by(|&a, &b| cmp(a, b));
    positions
}

/// Rearranges `items` so that the item at position `order[i]` ends up at
/// `i`, following each cycle of the permutation with swaps.
fn put_in_order<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut at = start;
        loop {
            let from = order[at];
            // A settled position points at itself.
            order[at] = at;
            if from == start || from == at {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_escapes_like_debug_for_typed_text() {
        for text in ["A", "node-1", "a\"b", "back\\slash", "tab\tnl\ncr\r", "nul\0", "esc\u{1b}", "caf\u{e9}", "it's"] {
            assert_eq!(quoted(text, '"'), format!("{text:?}"));
        }
        for c in ['x', '\'', '"', '\n', '\u{7f}', '\u{85}', '\u{e9}'] {
            assert_eq!(quoted(&c.to_string(), '\''), format!("{c:?}"));
        }
    }

    #[test]
    fn sort_by_is_stable_and_matches_the_slice_sort() {
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        for len in 0..40 {
            let mut items: Vec<(u8, usize)> = (0..len)
                .map(|i| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    ((rng % 5) as u8, i)
                })
                .collect();
            let mut expected = items.clone();
            expected.sort_by_key(|(k, _)| *k);
            sort_by_key(&mut items, |(k, _)| *k);
            assert_eq!(items, expected);
            sort(&mut items);
            expected.sort();
            assert_eq!(items, expected);
        }
    }

    proptest::proptest! {
        /// Unsorted input with repeated keys: each helper leaves the same
        /// order as its slice method (equal keys keep their order). The
        /// test above only sorts data that `sort_by_key` already ordered.
        #[test]
        fn helpers_match_the_slice_sorts(keys in proptest::collection::vec(0u8..6, 0..64)) {
            let items: Vec<(u8, usize)> = keys.iter().copied().zip((0..keys.len()).rev()).collect();
            let (mut ours, mut std) = (items.clone(), items.clone());
            sort(&mut ours);
            std.sort();
            proptest::prop_assert_eq!(&ours, &std);
            let (mut ours, mut std) = (items.clone(), items.clone());
            sort_by(&mut ours, |a, b| (a.0 % 2).cmp(&(b.0 % 2)).then(b.0.cmp(&a.0)));
            std.sort_by(|a, b| (a.0 % 2).cmp(&(b.0 % 2)).then(b.0.cmp(&a.0)));
            proptest::prop_assert_eq!(&ours, &std);
            let (mut ours, mut std) = (items.clone(), items);
            sort_by_key(&mut ours, |&(k, _)| k % 3);
            std.sort_by_key(|&(k, _)| k % 3);
            proptest::prop_assert_eq!(ours, std);
        }
    }

    #[test]
    fn strict_i64_matches_string2ll() {
        assert_eq!(parse_strict_i64(b"0"), Some(0));
        assert_eq!(parse_strict_i64(b"-12"), Some(-12));
        assert_eq!(parse_strict_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_strict_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [&b""[..], b"+1", b"01", b"-0", b" 1", b"1 ", b"9223372036854775808", b"1a", b"-"] {
            assert_eq!(parse_strict_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
