//! Text formatting, as pure functions: replies the way `redis-cli` prints
//! them, humanised sizes, the virtual clock.

use replscope_core::resp::Frame;
use replscope_core::resp::display::{quote_into, redis_cli_format_reply};

/// Formats the reply to `argv` exactly as interactive `redis-cli` (7.0)
/// prints it on a terminal: `OK`, `"v"`, `(integer) 1`, `(nil)`,
/// `(error) ERR …`, `(empty array)`, numbered arrays whose nested items are
/// indented under their number, and INFO's text raw, line by line. The
/// rules live in the core (`resp::display`, checked against redis-cli
/// 7.0.15) so the CLI and the console cannot drift apart.
pub fn format_reply<A: AsRef<[u8]>>(argv: &[A], frame: &Frame) -> String {
    redis_cli_format_reply(argv, frame)
}

/// A binary-safe string the way redis-cli shows it (Redis's `sdscatrepr`):
/// in double quotes, with `\n \r \t \a \b \\ \"` escaped and every other
/// byte outside printable ASCII as `\xhh`.
pub fn quote_bytes(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    quote_into(bytes, &mut s);
    s
}

/// A size for people: `512 B`, `1.2 KB`, `34 KB`, `1 MB` (powers of 1024,
/// one decimal below 10). The exact byte count goes in a tooltip.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let text = if value < 10.0 { format!("{value:.1}") } else { format!("{value:.0}") };
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text} {}", UNITS[unit])
}

/// The virtual clock: `00:12.340` (minutes:seconds.millis); hours appear
/// only when needed (`1:02:03.004`).
pub fn clock(t_ms: u64) -> String {
    let ms = t_ms % 1000;
    let s = (t_ms / 1000) % 60;
    let m = (t_ms / 60_000) % 60;
    let h = t_ms / 3_600_000;
    if h > 0 { format!("{h}:{m:02}:{s:02}.{ms:03}") } else { format!("{m:02}:{s:02}.{ms:03}") }
}

/// A TTL for the keyspace table: `950 ms`, `12.3 s`, `5 min`.
pub fn ttl(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{} min", ms / 60_000)
    }
}

/// Playback speed: `0.1×`, `1×`, `100×`.
pub fn speed(x: f64) -> String {
    let text = format!("{x}");
    format!("{text}×")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const NO_ARGV: &[&[u8]] = &[];

    // Expected strings copied from `redis-cli -p … --no-raw` 7.0.15 output.
    #[wasm_bindgen_test]
    fn scalars_like_redis_cli() {
        assert_eq!(format_reply(NO_ARGV, &Frame::ok()), "OK");
        assert_eq!(format_reply(NO_ARGV, &Frame::Simple("PONG".into())), "PONG");
        assert_eq!(format_reply(NO_ARGV, &Frame::bulk("v")), "\"v\"");
        assert_eq!(format_reply(NO_ARGV, &Frame::bulk("")), "\"\"");
        assert_eq!(format_reply(NO_ARGV, &Frame::Integer(-3)), "(integer) -3");
        assert_eq!(format_reply(NO_ARGV, &Frame::Null), "(nil)");
        assert_eq!(format_reply(NO_ARGV, &Frame::NullArray), "(nil)");
        assert_eq!(
            format_reply(NO_ARGV, &Frame::error("ERR wrong number of arguments for 'get' command")),
            "(error) ERR wrong number of arguments for 'get' command"
        );
        assert_eq!(format_reply(NO_ARGV, &Frame::Array(vec![])), "(empty array)");
    }

    #[wasm_bindgen_test]
    fn info_prints_raw_like_redis_cli() {
        let info = Frame::bulk("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n");
        assert_eq!(format_reply(&["info", "replication"], &info), "# Replication\nrole:master\nconnected_slaves:0");
        assert_eq!(format_reply(&["GET", "k"], &info), r##""# Replication\r\nrole:master\r\nconnected_slaves:0\r\n""##);
    }

    #[wasm_bindgen_test]
    fn escapes_like_sdscatrepr() {
        assert_eq!(quote_bytes(b"a\"b"), r#""a\"b""#);
        assert_eq!(quote_bytes(b"a\nb\x01"), r#""a\nb\x01""#);
        assert_eq!(quote_bytes(b"tab\tx"), r#""tab\tx""#);
        assert_eq!(quote_bytes(b"a\\b"), r#""a\\b""#);
        assert_eq!(quote_bytes(b"\x7f\x80\r"), r#""\x7f\x80\r""#);
        assert_eq!(quote_bytes("héllo".as_bytes()), r#""h\xc3\xa9llo""#);
    }

    #[wasm_bindgen_test]
    fn arrays_numbered_and_nested() {
        let lrange = Frame::bulk_array(["a", "b", "c d", ""]);
        assert_eq!(format_reply(NO_ARGV, &lrange), "1) \"a\"\n2) \"b\"\n3) \"c d\"\n4) \"\"");
        // SCAN 0: a cursor and a nested array.
        let scan = Frame::Array(vec![Frame::bulk("0"), Frame::bulk_array(["z", "h"])]);
        assert_eq!(format_reply(NO_ARGV, &scan), "1) \"0\"\n2) 1) \"z\"\n   2) \"h\"");
        // EVAL "return {1,{2,{3,'x'}},{}}" 0
        let deep = Frame::Array(vec![
            Frame::Integer(1),
            Frame::Array(vec![Frame::Integer(2), Frame::Array(vec![Frame::Integer(3), Frame::bulk("x")])]),
            Frame::Array(vec![]),
        ]);
        assert_eq!(
            format_reply(NO_ARGV, &deep),
            "1) (integer) 1\n2) 1) (integer) 2\n   2) 1) (integer) 3\n      2) \"x\"\n3) (empty array)"
        );
    }

    #[wasm_bindgen_test]
    fn wide_arrays_right_align_numbers() {
        let items: Vec<String> = (1..=11).map(|i| i.to_string()).collect();
        let text = format_reply(NO_ARGV, &Frame::bulk_array(items.iter().map(|s| s.as_str())));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], " 1) \"1\"");
        assert_eq!(lines[10], "11) \"11\"");
        // EXEC whose second reply is that list: nested under "2) ".
        let exec = Frame::Array(vec![Frame::ok(), Frame::bulk_array(items.iter().map(|s| s.as_str()))]);
        let text = format_reply(NO_ARGV, &exec);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "1) OK");
        assert_eq!(lines[1], "2)  1) \"1\"");
        assert_eq!(lines[2], "    2) \"2\"");
        assert_eq!(lines[11], "   11) \"11\"");
    }

    #[wasm_bindgen_test]
    fn humanised_sizes() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1024), "1 KB");
        assert_eq!(human_bytes(1229), "1.2 KB");
        assert_eq!(human_bytes(34 * 1024 + 300), "34 KB");
        assert_eq!(human_bytes(1 << 20), "1 MB");
        assert_eq!(human_bytes(3 << 30), "3 GB");
    }

    #[wasm_bindgen_test]
    fn clock_and_ttl() {
        assert_eq!(clock(0), "00:00.000");
        assert_eq!(clock(12_340), "00:12.340");
        assert_eq!(clock(61_005), "01:01.005");
        assert_eq!(clock(3_723_004), "1:02:03.004");
        assert_eq!(ttl(950), "950 ms");
        assert_eq!(ttl(12_340), "12.3 s");
        assert_eq!(ttl(300_000), "5 min");
        assert_eq!(speed(0.1), "0.1×");
        assert_eq!(speed(100.0), "100×");
    }
}
