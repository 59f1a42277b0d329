//! Sorted-set scores as text, the way small sorted sets store them inside a
//! listpack: Redis 7.0's `d2string`, which prints integral values below 2^52
//! as integers and everything else with `printf("%.17g")`.

/// Redis 7.0's `d2string`.
pub fn d2string(value: f64) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    const MIN: f64 = -4_503_599_627_370_495.0;
    const MAX: f64 = 4_503_599_627_370_496.0;
    if value > MIN && value < MAX && value == (value as i64) as f64 {
        return (value as i64).to_string();
    }
    format_g17(value)
}

/// C's `%.17g` for a finite, non-zero value: 17 significant digits, fixed
/// notation when the decimal exponent is in [-4, 17), trailing zeros dropped.
fn format_g17(value: f64) -> String {
    const PRECISION: i32 = 17;
    // Rust's `{:e}` rounds exactly, like glibc's printf.
    let sci = format!("{:.*e}", (PRECISION - 1) as usize, value);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::with_capacity(26);
    if negative {
        out.push('-');
    }
    if (-4..PRECISION).contains(&exp) {
        if exp >= 0 {
            let split = (exp + 1) as usize;
            out.push_str(&digits[..split]);
            push_fraction(&mut out, &digits[split..]);
        } else {
            out.push('0');
            let mut frac = "0".repeat((-exp - 1) as usize);
            frac.push_str(&digits);
            push_fraction(&mut out, &frac);
        }
    } else {
        out.push_str(&digits[..1]);
        push_fraction(&mut out, &digits[1..]);
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.unsigned_abs()));
    }
    out
}

fn push_fraction(out: &mut String, frac: &str) {
    let frac = frac.trim_end_matches('0');
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
}

/// Parses a score written as text (listpack entries, old `ZSET` type),
/// accepting what `strtod` accepts for Redis-written files; NaN is refused.
pub fn parse_score(text: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(text).ok()?;
    let v = crate::long_double::parse_f64(s)?;
    (!v.is_nan()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_redis_d2string() {
        let cases = [
            (1.0, "1"),
            (-3.0, "-3"),
            (1.5, "1.5"),
            (0.1, "0.10000000000000001"),
            (1e20, "1e+20"),
            (1e16, "10000000000000000"),
            (4503599627370496.0, "4503599627370496"),
            (1e17, "1e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (-2.5e-10, "-2.5000000000000002e-10"),
            (1.1, "1.1000000000000001"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (-0.0, "-0"),
        ];
        for (v, s) in cases {
            assert_eq!(d2string(v), s, "{v}");
        }
    }
}
