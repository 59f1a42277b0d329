//! Formatting and parsing of `double` values as Redis 7.0 does for sorted
//! set scores.
//!
//! Three rules, each observed on a real Redis 7.0.15:
//! - Replies print a score like C's `printf("%.17g")` (enough digits to
//!   round-trip any double, trailing zeros dropped), except that infinities
//!   are `inf`/`-inf` and a negative zero is `0`. So `0.1` replies
//!   `0.10000000000000001` and `1e17` replies `1e+17`.
//! - A score argument (ZADD, ZINCRBY) is read with `strtod` and refused
//!   unless the *whole* string is a number: no leading space, no trailing
//!   garbage, not empty, not NaN, not out of range (`1e400`, or `1e-400`
//!   which would round to zero). `strtod` also reads `inf`, `infinity` and
//!   hexadecimal floats (`0x10`, `0x1p3`), so Redis accepts those.
//! - A range bound (ZRANGE … BYSCORE, ZCOUNT) is read far more leniently:
//!   Redis only checks that `strtod` stopped at the end of the C string, so
//!   `""` and `" 1"` are fine, `1e400` is infinity, and only NaN or trailing
//!   garbage is refused.

/// Formats a score the way Redis 7.0 replies it over RESP2
/// (`addReplyDouble`: `%.17g`, `inf`, `-inf`).
pub fn format_double(value: f64) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.into();
    }
    if value == 0.0 {
        // Real Redis replies `0` for a score set with `ZADD z -0 m`.
        return "0".into();
    }
    // 17 significant digits, correctly rounded (ties to even, like glibc).
    let sci = format!("{value:.16e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return sci;
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if mantissa.starts_with('-') { "-" } else { "" };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // %g picks scientific notation when the exponent is < -4 or >= precision.
    if !(-4..17).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let rest = rest.trim_end_matches('0');
        let dot = if rest.is_empty() { "" } else { "." };
        let exp_sign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{dot}{rest}e{exp_sign}{:02}", exp.unsigned_abs())
    } else if exp >= 0 {
        let (int, frac) = digits.split_at(exp as usize + 1);
        let frac = frac.trim_end_matches('0');
        let dot = if frac.is_empty() { "" } else { "." };
        format!("{sign}{int}{dot}{frac}")
    } else {
        let zeros = "0".repeat((-exp - 1) as usize);
        format!("{sign}0.{zeros}{}", digits.trim_end_matches('0'))
    }
}

/// Parses a score argument like Redis's `getDoubleFromObject`: the whole
/// string must be a finite-or-infinite number `strtod` reads without
/// overflow or underflow to zero; NaN is refused.
pub fn parse_double(s: &[u8]) -> Option<f64> {
    let first = *s.first()?;
    if first.is_ascii_whitespace() || first == 0x0b {
        return None;
    }
    let (value, used, range_error) = strtod(s)?;
    if used != s.len() || value.is_nan() || range_error {
        return None;
    }
    Some(value)
}

/// Parses a score range bound (without its `(`) like Redis's
/// `zslParseRange`: `strtod` must stop at the end of the C string; NaN is
/// refused; anything else goes, including `""` (zero) and `" 1"`.
pub fn parse_range_double(s: &[u8]) -> Option<f64> {
    // C sees the string only up to its first NUL byte.
    let s = s.split(|&b| b == 0).next().unwrap_or(&[]);
    let start = s.iter().position(|&b| !is_c_space(b)).unwrap_or(s.len());
    let (value, used) = match strtod(&s[start..]) {
        Some((v, used, _)) => (v, start + used),
        None => (0.0, 0),
    };
    if used != s.len() || value.is_nan() {
        return None;
    }
    Some(value)
}

/// C's `isspace` in the "C" locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// A model of glibc `strtod` on a string with no leading space: the value,
/// how many bytes it consumed, and whether it set `ERANGE` with a result
/// Redis refuses (overflow to infinity, or underflow to zero). `None` if no
/// number starts here (strtod would consume nothing and return 0).
fn strtod(s: &[u8]) -> Option<(f64, usize, bool)> {
    let (neg, body) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let sign_len = s.len() - body.len();
    let apply = |v: f64| if neg { -v } else { v };
    let lower: Vec<u8> = body.iter().take(8).map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"inf") {
        let len = if lower.starts_with(b"infinity") { 8 } else { 3 };
        return Some((apply(f64::INFINITY), sign_len + len, false));
    }
    if lower.starts_with(b"nan") {
        // Whatever follows (`nan(123)`), every caller refuses NaN.
        return Some((f64::NAN, sign_len + 3, false));
    }
    if lower.starts_with(b"0x") {
        if let Some((v, len, range_error)) = parse_hex(&body[2..]) {
            return Some((apply(v), sign_len + 2 + len, range_error));
        }
        // "0x" without hex digits: strtod reads just the "0".
        return Some((apply(0.0), sign_len + 1, false));
    }
    let len = decimal_len(body)?;
    let text = std::str::from_utf8(&body[..len]).ok()?;
    let v = crate::long_double::parse_f64(text)?;
    let nonzero_digits = body[..len].iter().take_while(|b| !matches!(b, b'e' | b'E')).any(|b| matches!(b, b'1'..=b'9'));
    let range_error = v.is_infinite() || (v == 0.0 && nonzero_digits);
    Some((apply(v), sign_len + len, range_error))
}

/// The length of the longest decimal floating literal at the start of `s`
/// (`digits[.digits][e[sign]digits]`, at least one mantissa digit).
fn decimal_len(s: &[u8]) -> Option<usize> {
    let digits = |from: usize| s[from..].iter().take_while(|b| b.is_ascii_digit()).count();
    let int = digits(0);
    let mut len = int;
    let mut frac = 0;
    if s.get(len) == Some(&b'.') {
        frac = digits(len + 1);
        if int + frac > 0 {
            len += 1 + frac;
        }
    }
    if int + frac == 0 {
        return None;
    }
    if matches!(s.get(len), Some(b'e' | b'E')) {
        let mut e = len + 1;
        if matches!(s.get(e), Some(b'+' | b'-')) {
            e += 1;
        }
        let exp_digits = digits(e);
        if exp_digits > 0 {
            len = e + exp_digits;
        }
    }
    Some(len)
}

/// Parses the part of a hexadecimal float after `0x`: `h[.h][p[sign]d]`.
/// Returns the magnitude, bytes consumed, and the ERANGE verdict.
fn parse_hex(s: &[u8]) -> Option<(f64, usize, bool)> {
    let mut mantissa: u64 = 0;
    let mut sticky = false;
    // Binary exponent to apply to `mantissa`.
    let mut exp: i64 = 0;
    let mut any_digit = false;
    let mut i = 0;
    let mut seen_dot = false;
    while i < s.len() {
        let c = s[i];
        if c == b'.' && !seen_dot {
            seen_dot = true;
            i += 1;
            continue;
        }
        let Some(d) = (c as char).to_digit(16) else { break };
        any_digit = true;
        if mantissa >> 60 == 0 {
            mantissa = mantissa << 4 | d as u64;
            if seen_dot {
                exp -= 4;
            }
        } else {
            sticky |= d != 0;
            if !seen_dot {
                exp += 4;
            }
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    if matches!(s.get(i), Some(b'p' | b'P')) {
        let mut j = i + 1;
        let neg = match s.get(j) {
            Some(b'-') => {
                j += 1;
                true
            }
            Some(b'+') => {
                j += 1;
                false
            }
            _ => false,
        };
        let start = j;
        let mut e: i64 = 0;
        while let Some(d) = s.get(j).filter(|b| b.is_ascii_digit()) {
            e = (e * 10 + (d - b'0') as i64).min(1 << 20);
            j += 1;
        }
        if j > start {
            exp += if neg { -e } else { e };
            i = j;
        }
    }
    if mantissa == 0 {
        return Some((0.0, i, false));
    }
    let v = scale_binary(mantissa, sticky, exp);
    Some((v, i, v.is_infinite() || v == 0.0))
}

/// `mantissa * 2^exp` correctly rounded (ties to even) to an f64, including
/// subnormal results; `sticky` means nonzero bits were dropped below it.
fn scale_binary(mut mantissa: u64, mut sticky: bool, mut exp: i64) -> f64 {
    let lz = mantissa.leading_zeros();
    mantissa <<= lz;
    exp -= lz as i64;
    // The value is 1.xxx * 2^top.
    let top = exp + 63;
    if top > 1023 {
        return f64::INFINITY;
    }
    // Significant bits an f64 can hold at this magnitude.
    let keep: i64 = if top >= -1022 { 53 } else { 53 - (-1022 - top) };
    if keep <= 0 {
        // Below half the smallest subnormal (or exactly half: ties to even 0).
        let half = keep == 0 && (mantissa << 1 != 0 || sticky);
        return if half { f64::from_bits(1) } else { 0.0 };
    }
    let drop = 64 - keep as u32;
    let dropped = mantissa & ((1u64 << drop) - 1);
    let mut kept = mantissa >> drop;
    let halfway = 1u64 << (drop - 1);
    sticky |= dropped & (halfway - 1) != 0;
    if dropped & halfway != 0 && (sticky || kept & 1 == 1) {
        kept += 1;
    }
    // kept * 2^(exp + drop) is now exact in f64 (may carry into one more bit).
    let e = exp + drop as i64;
    let v = kept as f64;
    // Multiply in two steps to avoid intermediate overflow/underflow.
    let half1 = e / 2;
    v * 2f64.powi(half1 as i32) * 2f64.powi((e - half1) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs to `ZADD z <input> m` and what `ZSCORE z m` replied on Redis 7.0.15.
    const OBSERVED_REPLIES: &[(&str, &str)] = &[
        ("1", "1"),
        ("1.5", "1.5"),
        ("0.1", "0.10000000000000001"),
        ("0.3", "0.29999999999999999"),
        ("1e17", "1e+17"),
        ("1e16", "10000000000000000"),
        ("1e15", "1000000000000000"),
        ("1e-7", "9.9999999999999995e-08"),
        ("1e-5", "1.0000000000000001e-05"),
        ("2.5e-5", "2.5000000000000001e-05"),
        ("0.0001", "0.0001"),
        ("3.0000000000000004", "3.0000000000000004"),
        ("-0.0", "0"),
        ("-0", "0"),
        ("1.7976931348623157e308", "1.7976931348623157e+308"),
        ("1e308", "1e+308"),
        ("123456789.123", "123456789.123"),
        ("123456789012345678", "1.2345678901234568e+17"),
        ("-1.5", "-1.5"),
        ("100", "100"),
        ("inf", "inf"),
        ("-inf", "-inf"),
        ("+inf", "inf"),
        ("INF", "inf"),
        ("infinity", "inf"),
        ("-Infinity", "-inf"),
        ("4.9e-324", "4.9406564584124654e-324"),
        ("1e-320", "9.9998886718268301e-321"),
        ("1e-310", "9.9999999999999694e-311"),
        (".5", "0.5"),
        ("+.5", "0.5"),
        ("5.", "5"),
        ("0x10", "16"),
        ("0X1p3", "8"),
        ("0x1.fffffffffffffp1023", "1.7976931348623157e+308"),
    ];

    #[test]
    fn scores_reply_like_redis() {
        for (input, reply) in OBSERVED_REPLIES {
            let v = parse_double(input.as_bytes()).unwrap_or_else(|| panic!("{input} must parse"));
            assert_eq!(format_double(v), *reply, "input {input}");
        }
    }

    #[test]
    fn incr_results_reply_like_redis() {
        // ZINCRBY z 0.2 c on c = 0.1 replied 0.30000000000000004.
        assert_eq!(format_double(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_double(0.1 + 0.1), "0.20000000000000001");
        assert_eq!(format_double(0.2 + 0.2), "0.40000000000000002");
        assert_eq!(format_double(2.5), "2.5");
    }

    #[test]
    fn scores_redis_refuses() {
        // Each replied `-ERR value is not a valid float` to ZADD on 7.0.15.
        for bad in [
            &b""[..],
            b" 1",
            b"1 ",
            b"x",
            b"nan",
            b"NaN",
            b"-nan",
            b"1e400",
            b"1e-400",
            b"1e",
            b"-.e1",
            b"1_000",
            b"1.5\0",
            b"0x",
            b"inf1",
            b"infinit",
        ] {
            assert_eq!(parse_double(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn range_bounds_are_lenient_like_zslparserange() {
        // ZRANGE z "" 5 BYSCORE, " 1", "1e400", "0x1" were accepted; "2 ", nan refused.
        assert_eq!(parse_range_double(b""), Some(0.0));
        assert_eq!(parse_range_double(b" 1"), Some(1.0));
        assert_eq!(parse_range_double(b"1e400"), Some(f64::INFINITY));
        assert_eq!(parse_range_double(b"0x1"), Some(1.0));
        assert_eq!(parse_range_double(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_range_double(b"2 "), None);
        assert_eq!(parse_range_double(b"nan"), None);
        assert_eq!(parse_range_double(b"x"), None);
    }
}
