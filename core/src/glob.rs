//! Redis's glob-style pattern matching (`stringmatchlen`), used by
//! `CONFIG GET` and `KEYS`/`SCAN MATCH`.
//!
//! Supported syntax, as in Redis:
//! - `*` any run of bytes, `?` any single byte;
//! - `[abc]` a set, `[^abc]` its complement, `[a-z]` a range (reversed
//!   ranges like `[z-a]` are swapped), `\x` inside a set is a literal `x`;
//! - `\x` outside a set is a literal `x` (a trailing `\` is a literal `\`).
//!
//! Redis quirks reproduced on purpose (observed on Redis 7.0.15 with
//! `HSCAN … MATCH`):
//! - an empty string matches only the empty pattern: `**` does not match
//!   `""` (Redis's loop never runs on an empty string);
//! - an unterminated set (`[abc`) ends at the end of the pattern;
//! - `[a-]` is a range between `a` and `]` (swapped to `]`..`a`), because a
//!   range needs only three pattern bytes.
//!
//! Every token other than `*` consumes exactly one byte, so a single
//! backtracking point (the last `*`) is enough: the result equals Redis's
//! recursive matcher without its worst-case exponential time.

/// True if `s` matches the glob `pattern`. With `nocase`, ASCII letters
/// compare case-insensitively (`CONFIG GET` uses this; `KEYS` does not).
pub fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    if s.is_empty() {
        return pattern.is_empty();
    }
    let (mut pi, mut si) = (0usize, 0usize);
    // Where to resume after the last `*`: (pattern index after the stars,
    // string index the star's run currently ends at).
    let mut resume: Option<(usize, usize)> = None;
    while si < s.len() {
        if pattern.get(pi) == Some(&b'*') {
            while pattern.get(pi) == Some(&b'*') {
                pi += 1;
            }
            if pi == pattern.len() {
                return true;
            }
            resume = Some((pi, si));
            continue;
        }
        if pi < pattern.len() {
            let (matched, next) = match_one(pattern, pi, s[si], nocase);
            if matched {
                pi = next;
                si += 1;
                continue;
            }
        }
        match resume {
            Some((after_star, star_end)) => {
                resume = Some((after_star, star_end + 1));
                pi = after_star;
                si = star_end + 1;
            }
            None => return false,
        }
    }
    while pattern.get(pi) == Some(&b'*') {
        pi += 1;
    }
    pi == pattern.len()
}

/// Matches the single-byte token starting at `pattern[pi]` (anything but
/// `*`) against `c`. Returns whether it matched and where the next token
/// starts.
fn match_one(pattern: &[u8], pi: usize, c: u8, nocase: bool) -> (bool, usize) {
    match pattern[pi] {
        b'?' => (true, pi + 1),
        b'[' => match_set(pattern, pi + 1, c, nocase),
        b'\\' if pi + 1 < pattern.len() => (eq(pattern[pi + 1], c, nocase), pi + 2),
        literal => (eq(literal, c, nocase), pi + 1),
    }
}

/// Matches a `[...]` set whose body starts at `pattern[start]`.
fn match_set(pattern: &[u8], start: usize, c: u8, nocase: bool) -> (bool, usize) {
    let mut i = start;
    let negate = pattern.get(i) == Some(&b'^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    loop {
        let rest = pattern.len() - i.min(pattern.len());
        if rest == 0 {
            // Unterminated set: it ends with the pattern.
            break;
        }
        let p = pattern[i];
        if p == b'\\' && rest >= 2 {
            // An escaped byte compares exactly, even with `nocase`.
            if pattern[i + 1] == c {
                matched = true;
            }
            i += 2;
        } else if p == b']' {
            i += 1;
            break;
        } else if rest >= 3 && pattern[i + 1] == b'-' {
            // Redis compares C `char`s, which are signed on x86-64: a byte
            // like 0x90 sorts below 'a' (observed with KEYS on 7.0.15).
            let (mut lo, mut hi) = (p as i8, pattern[i + 2] as i8);
            if lo > hi {
                std::mem::swap(&mut lo, &mut hi);
            }
            let mut x = c as i8;
            if nocase {
                lo = (lo as u8).to_ascii_lowercase() as i8;
                hi = (hi as u8).to_ascii_lowercase() as i8;
                x = (x as u8).to_ascii_lowercase() as i8;
            }
            if lo <= x && x <= hi {
                matched = true;
            }
            i += 3;
        } else {
            if eq(p, c, nocase) {
                matched = true;
            }
            i += 1;
        }
    }
    (matched != negate, i.min(pattern.len()))
}

fn eq(a: u8, b: u8, nocase: bool) -> bool {
    if nocase { a.eq_ignore_ascii_case(&b) } else { a == b }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    fn m(p: &str, s: &str) -> bool {
        glob_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn stars_and_question_marks() {
        assert!(m("*", "abc"));
        assert!(m("a*", "a"));
        assert!(m("a*c", "abbbc"));
        assert!(m("*b*", "abc"));
        assert!(!m("*b*", "acc"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaab"));
        assert!(!m("*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    }

    #[test]
    fn empty_string_matches_only_empty_pattern() {
        // Observed on Redis 7.0.15: `HSCAN h 0 MATCH **` skips the field "".
        assert!(!m("**", ""));
        assert!(!m("*", ""));
        assert!(m("", ""));
        assert!(!m("", "a"));
    }

    #[test]
    fn sets_ranges_and_escapes() {
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("[b-a]?", "ab")); // reversed range, observed on 7.0.15
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(m("a\\", "a\\")); // trailing backslash is literal
        assert!(m("[\\]]", "]"));
        assert!(m("[abc", "b")); // unterminated set ends the pattern
        assert!(!m("[abc", "bx"));
        // `a-]` is the range between `]` and `a` (swapped): `_` is inside.
        assert!(m("[a-]", "_"));
        assert!(!m("[a-]", "b"));
        assert!(!m("[]", "a"));
    }

    #[test]
    fn nocase() {
        assert!(glob_match(b"*Slave-Read*", b"slave-read-only", true));
        assert!(!glob_match(b"*Slave-Read*", b"slave-read-only", false));
        assert!(glob_match(b"[A-C]z", b"bZ", true));
    }

    /// Each row was checked with `KEYS <pattern>` on real Redis 7.0.15
    /// (the string is the only key; the reply lists it or not).
    #[test]
    fn keys_rows_match_like_redis() {
        let rows: &[(&str, &str, bool)] = &[
            ("*", "anything", true),
            // stringmatchlen never matches an empty string, not even with
            // "*"; KEYS lists the empty key for "*" only through its
            // match-everything shortcut.
            ("*", "", false),
            ("h?llo", "hello", true),
            ("h?llo", "hllo", false),
            ("h*llo", "heeeello", true),
            ("h[ae]llo", "hallo", true),
            ("h[ae]llo", "hillo", false),
            ("h[^e]llo", "hallo", true),
            ("h[^e]llo", "hello", false),
            ("h[a-b]llo", "hbllo", true),
            ("h[b-a]llo", "hbllo", true),
            ("h[a-b]llo", "hcllo", false),
            ("h\\*llo", "h*llo", true),
            ("h\\*llo", "hello", false),
            ("a[\\]]b", "a]b", true),
            ("a[", "a", false),
            ("a[b", "ab", true),
            ("a[b", "abc", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("**a", "bba", true),
            ("a?", "a", false),
            ("*a*", "bab", true),
            ("abc\\", "abc\\", true),
            ("[a-]", "-", false),
            ("[a-]", "a", true),
        ];
        for &(p, s, want) in rows {
            assert_eq!(glob_match(p.as_bytes(), s.as_bytes(), false), want, "pattern {p:?} string {s:?}");
        }
        // Signed C chars: 0x90 is -112, so [a-\x90] is the range -112..=97.
        assert!(glob_match(b"[\x80-\xff]", b"\x90", false));
        assert!(!glob_match(b"[a-\x90]", b"b", false));
        assert!(!glob_match(b"[\x01-\x90]", b"b", false));
        assert!(glob_match(b"H*LLO", b"hello", true));
        assert!(!glob_match(b"H*LLO", b"hello", false));
    }
}
