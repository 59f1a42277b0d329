//! Replies as `redis-cli` prints them on a terminal (its `--no-raw` mode):
//! `OK`, `"v"`, `(integer) 1`, `(nil)`, `(error) ERR …`, numbered arrays with
//! nested arrays indented under their number, `(empty array)`.
//!
//! Checked against redis-cli 7.0.15: bulk strings are quoted and escaped as
//! its `sdscatrepr` does (`\n \r \t \a \b \" \\`, other non-printable bytes
//! as lowercase `\xHH`); array numbers are right-aligned to the widest index.

use super::Frame;

/// The text redis-cli shows for `frame`, without a trailing newline.
pub fn redis_cli_format(frame: &Frame) -> String {
    let mut out = String::new();
    format_into(frame, 0, &mut out);
    out
}

/// The text redis-cli shows for the reply to `argv`. redis-cli prints the
/// replies of a few commands raw instead of quoted (its `output_raw` list,
/// checked on redis-cli 7.0.15 for INFO): the multi-line text as is, with
/// `\r\n` shown as line breaks.
pub fn redis_cli_format_reply<A: AsRef<[u8]>>(argv: &[A], frame: &Frame) -> String {
    match frame {
        Frame::Bulk(text) if prints_raw(argv) => {
            String::from_utf8_lossy(text).replace("\r\n", "\n").trim_end_matches('\n').to_string()
        }
        _ => redis_cli_format(frame),
    }
}

/// redis-cli's list of commands whose replies it prints raw.
fn prints_raw<A: AsRef<[u8]>>(argv: &[A]) -> bool {
    let word = |i: usize| argv.get(i).map(|a| String::from_utf8_lossy(a.as_ref()).to_ascii_lowercase());
    let (cmd, sub) = (word(0).unwrap_or_default(), word(1).unwrap_or_default());
    match cmd.as_str() {
        "info" | "lolwut" => true,
        "debug" => matches!(sub.as_str(), "htstats" | "htstats-key" | "client-eviction"),
        "memory" => matches!(sub.as_str(), "malloc-stats" | "doctor"),
        "cluster" => argv.len() == 2 && matches!(sub.as_str(), "nodes" | "info"),
        "client" => matches!(sub.as_str(), "list" | "info"),
        "latency" => (argv.len() == 3 && sub == "graph") || (argv.len() == 2 && sub == "doctor"),
        _ => false,
    }
}

/// Appends `frame` to `out`; `indent` is the column nested lines start at.
fn format_into(frame: &Frame, indent: usize, out: &mut String) {
    match frame {
        Frame::Simple(s) => out.push_str(s),
        Frame::Error(e) => {
            out.push_str("(error) ");
            out.push_str(e);
        }
        Frame::Integer(n) => {
            out.push_str("(integer) ");
            out.push_str(&n.to_string());
        }
        Frame::Bulk(b) => quote_into(b, out),
        Frame::Null | Frame::NullArray => out.push_str("(nil)"),
        Frame::Array(items) if items.is_empty() => out.push_str("(empty array)"),
        Frame::Array(items) => {
            let width = items.len().to_string().len();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                    out.push_str(&" ".repeat(indent));
                }
                let number = format!("{:>width$}) ", i + 1);
                out.push_str(&number);
                format_into(item, indent + number.len(), out);
            }
        }
    }
}

/// Redis's `sdscatrepr`: a double-quoted, escaped rendering of any bytes.
pub fn quote_into(bytes: &[u8], out: &mut String) {
    out.push('"');
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(range: std::ops::RangeInclusive<i64>) -> Frame {
        Frame::Array(range.map(Frame::Integer).collect())
    }

    // Expected texts are what redis-cli 7.0.15 --no-raw printed against a
    // real redis-server for the same replies.
    #[test]
    fn scalars() {
        assert_eq!(redis_cli_format(&Frame::ok()), "OK");
        assert_eq!(redis_cli_format(&Frame::Simple("QUEUED".into())), "QUEUED");
        assert_eq!(redis_cli_format(&Frame::bulk("v")), "\"v\"");
        assert_eq!(redis_cli_format(&Frame::bulk("")), "\"\"");
        assert_eq!(redis_cli_format(&Frame::Null), "(nil)");
        assert_eq!(redis_cli_format(&Frame::NullArray), "(nil)");
        assert_eq!(redis_cli_format(&Frame::Integer(-3)), "(integer) -3");
        assert_eq!(redis_cli_format(&Frame::error("ERR EXEC without MULTI")), "(error) ERR EXEC without MULTI");
        assert_eq!(redis_cli_format(&Frame::Array(vec![])), "(empty array)");
    }

    #[test]
    fn bulk_escapes_like_sdscatrepr() {
        assert_eq!(redis_cli_format(&Frame::bulk(&b"a\n\"\\\x01\xff"[..])), r#""a\n\"\\\x01\xff""#);
        assert_eq!(redis_cli_format(&Frame::bulk(&b"a\t\r\x07\x08\x7f~ z"[..])), r#""a\t\r\a\b\x7f~ z""#);
    }

    #[test]
    fn arrays_number_align_and_nest() {
        let nested = Frame::Array(vec![
            Frame::Integer(1),
            Frame::Array(vec![Frame::Integer(2), Frame::bulk("x"), Frame::Array(vec![])]),
            Frame::bulk("y"),
        ]);
        assert_eq!(
            redis_cli_format(&nested),
            "1) (integer) 1\n2) 1) (integer) 2\n   2) \"x\"\n   3) (empty array)\n3) \"y\""
        );
        let wide = Frame::Array(vec![ints(1..=11), Frame::Integer(2)]);
        let expected = "1)  1) (integer) 1\n    2) (integer) 2\n    3) (integer) 3\n    4) (integer) 4\n    \
                        5) (integer) 5\n    6) (integer) 6\n    7) (integer) 7\n    8) (integer) 8\n    \
                        9) (integer) 9\n   10) (integer) 10\n   11) (integer) 11\n2) (integer) 2";
        assert_eq!(redis_cli_format(&wide), expected);
        let mixed = Frame::Array(vec![Frame::Null, Frame::error("E1 bad"), Frame::Simple("fine".into())]);
        assert_eq!(redis_cli_format(&mixed), "1) (nil)\n2) (error) E1 bad\n3) fine");
    }

    #[test]
    fn info_is_printed_raw_like_redis_cli() {
        // redis-cli 7.0.15 on a TTY: `info replication` prints the text
        // itself; `get k` of "a\nb" prints the quoted "a\nb".
        let info = Frame::bulk("# Replication\r\nrole:master\r\n");
        assert_eq!(redis_cli_format_reply(&["INFO", "replication"], &info), "# Replication\nrole:master");
        assert_eq!(redis_cli_format_reply(&["get", "k"], &Frame::bulk("a\nb")), "\"a\\nb\"");
        assert_eq!(redis_cli_format_reply(&["info"], &Frame::error("ERR x")), "(error) ERR x");
    }
}
