//! Glob-style pattern matching as Redis's `stringmatchlen` does it, for
//! KEYS (and SCAN MATCH, CONFIG GET patterns…).
//!
//! - `*` any run of bytes, `?` one byte;
//! - `[abc]`, `[a-z]` (reversed ranges like `[z-a]` work too), `[^…]`
//!   negates, `\x` inside brackets is a literal `x`; an unterminated `[`
//!   matches what it has seen so far;
//! - `\x` outside brackets is a literal `x`;
//! - bytes are compared as C `char`, which is signed on x86-64: ranges with
//!   bytes ≥ 0x80 compare the way they do in Redis;
//! - like Redis 7.0.9+, more than 1000 nested `*` simply fail to match, and
//!   a tail that cannot match any suffix stops all outer `*` retries (the
//!   answer is the same, it only bounds the work).

/// True if `s` matches the glob `pattern`; `nocase` folds ASCII case.
pub fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, s, nocase, &mut skip_longer, 0)
}

/// A byte as C's signed `char`, case-folded like `tolower` in the C locale.
fn c_char(b: u8, nocase: bool) -> i32 {
    let b = if nocase { b.to_ascii_lowercase() } else { b };
    b as i8 as i32
}

fn match_impl(mut p: &[u8], mut s: &[u8], nocase: bool, skip_longer: &mut bool, nesting: u32) -> bool {
    if nesting > 1000 {
        return false;
    }
    while !p.is_empty() && !s.is_empty() {
        match p[0] {
            b'*' => {
                while p.len() > 1 && p[1] == b'*' {
                    p = &p[1..];
                }
                if p.len() == 1 {
                    return true;
                }
                while !s.is_empty() {
                    if match_impl(&p[1..], s, nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    s = &s[1..];
                }
                *skip_longer = true;
                return false;
            }
            b'?' => s = &s[1..],
            b'[' => {
                p = &p[1..];
                let not = p.first() == Some(&b'^');
                if not {
                    p = &p[1..];
                }
                let c = c_char(s[0], nocase);
                let mut matched = false;
                loop {
                    if p.is_empty() {
                        // Unterminated class: stop here, as Redis does, so
                        // the outer step below consumes nothing more.
                        break;
                    }
                    if p[0] == b'\\' && p.len() >= 2 {
                        p = &p[1..];
                        if p[0] == s[0] {
                            matched = true;
                        }
                    } else if p[0] == b']' {
                        break;
                    } else if p.len() >= 3 && p[1] == b'-' {
                        let (mut start, mut end) = (c_char(p[0], nocase), c_char(p[2], nocase));
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        p = &p[2..];
                        if c >= start && c <= end {
                            matched = true;
                        }
                    } else if c_char(p[0], nocase) == c {
                        matched = true;
                    }
                    p = &p[1..];
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                s = &s[1..];
                if p.is_empty() {
                    // The class ran off the end of the pattern.
                    return s.is_empty();
                }
            }
            first => {
                let lit = if first == b'\\' && p.len() >= 2 {
                    p = &p[1..];
                    p[0]
                } else {
                    first
                };
                if c_char(lit, nocase) != c_char(s[0], nocase) {
                    return false;
                }
                s = &s[1..];
            }
        }
        p = &p[1..];
        if s.is_empty() {
            while p.first() == Some(&b'*') {
                p = &p[1..];
            }
            break;
        }
    }
    p.is_empty() && s.is_empty()
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    /// Each row was checked with `KEYS <pattern>` on real Redis 7.0.15
    /// (the string is the only key; the reply lists it or not).
    #[test]
    fn matches_like_redis() {
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
