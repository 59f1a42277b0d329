//! Inline commands: `SET k "a b"\r\n` typed into telnet or `redis-cli`'s raw
//! mode. Redis splits such a line with `sdssplitargs`; this is the same
//! grammar, written for byte slices.
//!
//! The grammar, as observed on Redis 7.0.15:
//! - arguments are separated by whitespace (`isspace`: space, `\t`, `\n`,
//!   `\v`, `\f`, `\r`); leading whitespace is skipped, but inside an
//!   unquoted word only space, `\t`, `\n` and `\r` end it (`a\vb` is one
//!   word);
//! - `"…"` understands `\n \r \t \b \a`, `\xHH` (two hex digits) and
//!   `\<any>` → `<any>` (so `"\x4g"` is `x4g`);
//! - `'…'` understands only `\'`;
//! - a quote may start in the middle of a word (`ab"c d"` is `abc d`), but a
//!   closing quote must be followed by whitespace or the end of the line;
//! - an unterminated quote or a closing quote followed by anything else is
//!   `ERR Protocol error: unbalanced quotes in request`.
//!
//! A NUL byte would end Redis's C string; the request parser never hands
//! such a line over (see [`super::RequestParser`]), so NUL is not special
//! here.

/// Splits one inline line (without its `\n`). `None` means unbalanced
/// quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && is_space(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            return Some(args);
        }
        let (arg, next) = split_one(line, i)?;
        args.push(arg);
        i = next;
    }
}

/// Reads one argument starting at `i`; returns it and the index after it.
fn split_one(line: &[u8], mut i: usize) -> Option<(Vec<u8>, usize)> {
    let at = |k: usize| line.get(k).copied();
    let mut arg = Vec::new();
    let mut quote: Option<u8> = None;
    loop {
        match quote {
            Some(b'"') => match at(i)? {
                b'\\' if at(i + 1) == Some(b'x') && hex(at(i + 2)).is_some() && hex(at(i + 3)).is_some() => {
                    let hi = hex(at(i + 2))?;
                    let lo = hex(at(i + 3))?;
                    arg.push(hi * 16 + lo);
                    i += 4;
                }
                b'\\' if at(i + 1).is_some() => {
                    arg.push(unescape(line[i + 1]));
                    i += 2;
                }
                b'"' => return closing_quote(line, i, arg),
                c => {
                    arg.push(c);
                    i += 1;
                }
            },
            Some(_) => match at(i)? {
                b'\\' if at(i + 1) == Some(b'\'') => {
                    arg.push(b'\'');
                    i += 2;
                }
                b'\'' => return closing_quote(line, i, arg),
                c => {
                    arg.push(c);
                    i += 1;
                }
            },
            None => match at(i) {
                None | Some(b' ' | b'\n' | b'\r' | b'\t') => return Some((arg, i)),
                Some(q @ (b'"' | b'\'')) => {
                    quote = Some(q);
                    i += 1;
                }
                Some(c) => {
                    arg.push(c);
                    i += 1;
                }
            },
        }
    }
}

/// A closing quote at `i` ends the argument only if whitespace or the end
/// of the line follows it.
fn closing_quote(line: &[u8], i: usize, arg: Vec<u8>) -> Option<(Vec<u8>, usize)> {
    match line.get(i + 1) {
        Some(&c) if !is_space(c) => None,
        _ => Some((arg, i + 1)),
    }
}

/// `\n \r \t \b \a` become control bytes; any other escaped byte is itself.
fn unescape(c: u8) -> u8 {
    match c {
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'b' => 0x08,
        b'a' => 0x07,
        other => other,
    }
}

fn hex(c: Option<u8>) -> Option<u8> {
    match c? {
        c @ b'0'..=b'9' => Some(c - b'0'),
        c @ b'a'..=b'f' => Some(c - b'a' + 10),
        c @ b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// C's `isspace` in the "C" locale.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &[u8]) -> Option<Vec<String>> {
        split_args(s).map(|v| v.into_iter().map(|a| String::from_utf8_lossy(&a).into_owned()).collect())
    }

    // Every expectation below was observed on real Redis 7.0.15 by sending
    // the line and reading the stored value back with GET.
    #[test]
    fn quoting_like_sdssplitargs() {
        assert_eq!(split(b"SET k \"a b\""), Some(vec!["SET".into(), "k".into(), "a b".into()]));
        assert_eq!(split(b"SET k 'a\\'b'").unwrap()[2], "a'b");
        assert_eq!(split(b"SET k 'a\\nb'").unwrap()[2], "a\\nb");
        assert_eq!(split(b"SET k \"\\x41\\x4g\\n\\t\\z\"").unwrap()[2], "Ax4g\n\tz");
        assert_eq!(split(b"SET k \"\\x4\"").unwrap()[2], "x4");
        assert_eq!(split_args(b"SET k \"\\xFf\"").unwrap()[2], vec![0xff]);
        assert_eq!(split_args(b"SET k \"a\\\\b\\\"c\\r\\a\\b\"").unwrap()[2], b"a\\b\"c\r\x07\x08");
        assert_eq!(split(b"SET k ab\"c d\"").unwrap()[2], "abc d");
        assert_eq!(split_args(b"SET k a\x0bb").unwrap()[2], b"a\x0bb");
        assert_eq!(split(b"\x0bPING"), Some(vec!["PING".into()]));
        assert_eq!(split(b"SET k \"a\"\t\"b\"").unwrap().len(), 4);
        assert_eq!(split(b"SET k \"a\"\x0b").unwrap()[2], "a");
        assert_eq!(split(b"   "), Some(vec![]));
        assert_eq!(split(b""), Some(vec![]));
    }

    #[test]
    fn unbalanced_quotes() {
        for bad in [&b"SET k \"a"[..], b"SET k \"a\"b", b"SET k 'a'b", b"SET k 'ab", b"SET k \"ab\\\"", b"\"\\"] {
            assert_eq!(split_args(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
