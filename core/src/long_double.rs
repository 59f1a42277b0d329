//! INCRBYFLOAT and HINCRBYFLOAT arithmetic. Redis does these in C `long
//! double` (x87 80-bit extended precision on x86-64) and prints the result
//! with `%.17Lf` minus trailing zeros, so `10.5 + 0.1` is `10.6` there while
//! plain f64 arithmetic would print `10.59999999999999964`. This module
//! reproduces that precision and formatting exactly, with integer arithmetic
//! only (no host floats), so native and wasm builds agree bit for bit:
//!
//! - parsing follows Redis's `string2ld`: glibc `strtold` (decimal, hex
//!   `0x1.8p3`, `inf`/`infinity`), correctly rounded to a 64-bit mantissa,
//!   but refusing empty input, input of 5120 bytes or more, a leading
//!   space, anything left unparsed (trailing space, an embedded NUL), NaN,
//!   and results that overflow or underflow to zero;
//! - the sum is rounded once, to nearest with ties to even, like the x87 FPU
//!   (denormals included, overflow becomes infinity);
//! - formatting is glibc's `%.17Lf`, which rounds the exact binary value to
//!   17 decimals with ties to even, then Redis's `LD_STR_HUMAN` strips
//!   trailing zeros and the dot and turns `-0` into `0`.

use std::cmp::Ordering;

/// Why an increment was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatError {
    /// The stored value does not parse as a float.
    CurrentNotFloat,
    /// The increment argument does not parse as a float.
    IncrNotFloat,
    /// The result would be NaN or infinite.
    NanOrInfinity,
}

/// Adds `incr` to `current` (absent = 0) and returns the new value as Redis
/// stores and replies it.
///
/// Both INCRBYFLOAT and HINCRBYFLOAT reply `ERR value is not a valid float`
/// for either parse error and `ERR increment would produce NaN or Infinity`
/// for [`FloatError::NanOrInfinity`].
pub fn incr_by_float(current: Option<&[u8]>, incr: &[u8]) -> Result<Vec<u8>, FloatError> {
    let value = match current {
        Some(s) => parse(s).ok_or(FloatError::CurrentNotFloat)?,
        None => LongDouble::ZERO,
    };
    let incr = parse(incr).ok_or(FloatError::IncrNotFloat)?;
    match value.add(incr) {
        Some(LongDouble::Finite { neg, mant, exp }) => Ok(format_human(neg, mant, exp).into_bytes()),
        _ => Err(FloatError::NanOrInfinity),
    }
}

/// An x87 extended-precision value: `mant × 2^exp` with a 64-bit mantissa.
/// Normal values have the top mantissa bit set; denormals sit at the
/// smallest exponent with a smaller mantissa. NaN never needs storing: no
/// accepted input is NaN, and a NaN sum is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LongDouble {
    Finite { neg: bool, mant: u64, exp: i32 },
    Inf { neg: bool },
}

/// Exponent of the least significant mantissa bit of the smallest
/// denormal: 2^-16445.
const EXP_MIN: i32 = -16445;
/// Exponent of the least significant mantissa bit of the largest finite
/// value, (2^64 - 1) × 2^16320.
const EXP_MAX: i32 = 16320;
/// The binary formats values are rounded to: x87 extended precision, and
/// IEEE double for [`parse_f64`].
struct Precision {
    /// Mantissa bits (the leading one included).
    bits: i64,
    /// Exponent of the least significant mantissa bit of the smallest
    /// denormal.
    exp_min: i64,
    /// Exponent of the least significant mantissa bit of the largest finite
    /// value.
    exp_max: i64,
}

const EXTENDED: Precision = Precision { bits: 64, exp_min: EXP_MIN as i64, exp_max: EXP_MAX as i64 };
const DOUBLE: Precision = Precision { bits: 53, exp_min: -1074, exp_max: 971 };

/// `MAX_LONG_DOUBLE_CHARS` in Redis: longer inputs are refused.
const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;

impl LongDouble {
    const ZERO: LongDouble = LongDouble::Finite { neg: false, mant: 0, exp: 0 };

    /// The rounded sum, or None for NaN (infinity minus infinity).
    fn add(self, other: LongDouble) -> Option<LongDouble> {
        use LongDouble::*;
        match (self, other) {
            (Inf { neg: a }, Inf { neg: b }) => (a == b).then_some(Inf { neg: a }),
            (Inf { neg }, _) | (_, Inf { neg }) => Some(Inf { neg }),
            (Finite { neg: na, mant: ma, exp: ea }, Finite { neg: nb, mant: mb, exp: eb }) => {
                if mb == 0 {
                    return Some(if ma == 0 { Finite { neg: na && nb, mant: 0, exp: 0 } } else { self });
                }
                if ma == 0 {
                    return Some(other);
                }
                let base = ea.min(eb);
                let a = Big::from_u64(ma).shl((ea - base) as usize);
                let b = Big::from_u64(mb).shl((eb - base) as usize);
                let (neg, sum) = if na == nb {
                    (na, a.add(&b))
                } else {
                    match a.cmp(&b) {
                        Ordering::Equal => return Some(LongDouble::ZERO),
                        Ordering::Greater => (na, a.sub(&b)),
                        Ordering::Less => (nb, b.sub(&a)),
                    }
                };
                Some(round(neg, &sum, &Big::from_u64(1), base as i64, &EXTENDED).0)
            }
        }
    }
}

/// Rounds `num / den × 2^e0` (num > 0) to the nearest value of precision
/// `p` (a long double, or a double for [`parse_f64`]), ties to even. Also
/// returns true if a nonzero value underflowed to zero.
fn round(neg: bool, num: &Big, den: &Big, e0: i64, p: &Precision) -> (LongDouble, bool) {
    // Pick the exponent k of the result's last mantissa bit so that the
    // quotient has `p.bits` bits (fewer for denormals).
    let mut k = num.bits() as i64 - den.bits() as i64 - p.bits + e0;
    loop {
        let k_eff = k.max(p.exp_min);
        let s = k_eff - e0; // value / 2^k_eff = num / (den × 2^s)
        let (n, d) = if s >= 0 { (num.clone(), den.shl(s as usize)) } else { (num.shl((-s) as usize), den.clone()) };
        let (q, rem) = n.div_small_quotient(&d);
        if q >= 1u128 << p.bits {
            k += 1;
            continue;
        }
        if q < 1u128 << (p.bits - 1) && k_eff == k && k > p.exp_min {
            k -= 1;
            continue;
        }
        let twice_rem = rem.shl(1);
        let mut q = q as u64 as u128;
        let mut k = k_eff;
        match twice_rem.cmp(&d) {
            Ordering::Greater => q += 1,
            Ordering::Equal if q & 1 == 1 => q += 1,
            _ => {}
        }
        if q == 1u128 << p.bits {
            q = 1u128 << (p.bits - 1);
            k += 1;
        }
        if k > p.exp_max {
            return (LongDouble::Inf { neg }, false);
        }
        if q == 0 {
            return (LongDouble::Finite { neg, mant: 0, exp: 0 }, true);
        }
        return (LongDouble::Finite { neg, mant: q as u64, exp: k as i32 }, false);
    }
}

/// Redis's `string2ld`: see the module docs for what is refused.
fn parse(s: &[u8]) -> Option<LongDouble> {
    if s.is_empty() || s.len() >= MAX_LONG_DOUBLE_CHARS || is_c_space(s[0]) {
        return None;
    }
    let (neg, rest) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = rest.to_ascii_lowercase();
    if lower == b"inf" || lower == b"infinity" {
        return Some(LongDouble::Inf { neg });
    }
    let parsed = if lower.starts_with(b"0x") { parse_hex(&rest[2..])? } else { parse_decimal(rest)? };
    let (num, den, e0) = match parsed {
        Magnitude::Zero => return Some(LongDouble::Finite { neg, mant: 0, exp: 0 }),
        Magnitude::OutOfRange { .. } => return None,
        Magnitude::Exact { num, den, e0 } => (num, den, e0),
    };
    match round(neg, &num, &den, e0, &EXTENDED) {
        (LongDouble::Inf { .. }, _) => None, // ERANGE with HUGE_VAL
        (_, true) => None,                   // ERANGE with zero
        (v, false) => Some(v),
    }
}

/// `isspace` in the C locale.
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// A parsed number before rounding: `num / den × 2^e0`.
enum Magnitude {
    Zero,
    /// Certainly overflows (`huge`) or underflows to zero.
    OutOfRange {
        huge: bool,
    },
    Exact {
        num: Big,
        den: Big,
        e0: i64,
    },
}

/// Splits `digits [. digits]` and an exponent part introduced by `marker`.
/// Returns (integer digits, fraction digits, exponent) or None if the text
/// is not entirely consumed by that grammar.
fn split_number(s: &[u8], is_digit: fn(u8) -> bool, marker: u8) -> Option<(&[u8], &[u8], i64)> {
    let int_len = s.iter().take_while(|&&c| is_digit(c)).count();
    let (int, mut rest) = s.split_at(int_len);
    let mut frac: &[u8] = &[];
    if let Some((b'.', after)) = rest.split_first() {
        let n = after.iter().take_while(|&&c| is_digit(c)).count();
        frac = &after[..n];
        rest = &after[n..];
    }
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut exp: i64 = 0;
    if let Some((&c, after)) = rest.split_first() {
        if c.to_ascii_lowercase() != marker {
            return None;
        }
        let (eneg, digits) = match after.first() {
            Some(b'-') => (true, &after[1..]),
            Some(b'+') => (false, &after[1..]),
            _ => (false, after),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for &d in digits {
            // Saturate: anything this large is out of range anyway.
            exp = (exp * 10 + (d - b'0') as i64).min(1 << 40);
        }
        if eneg {
            exp = -exp;
        }
    }
    Some((int, frac, exp))
}

fn parse_decimal(s: &[u8]) -> Option<Magnitude> {
    let (int, frac, exp) = split_number(s, |c| c.is_ascii_digit(), b'e')?;
    let all: Vec<u8> = int.iter().chain(frac).copied().collect();
    let first = all.iter().position(|&c| c != b'0');
    let Some(first) = first else { return Some(Magnitude::Zero) };
    // value = digits × 10^dec_exp
    Some(exact_decimal(&all[first..], exp - frac.len() as i64))
}

/// `digits × 10^dec_exp` (digits without leading zeros) as a fraction.
fn exact_decimal(digits: &[u8], dec_exp: i64) -> Magnitude {
    let magnitude = digits.len() as i64 + dec_exp; // value < 10^magnitude
    if !(-4952..=4934).contains(&magnitude) {
        return Magnitude::OutOfRange { huge: magnitude > 0 };
    }
    let mut num = Big::from_u64(0);
    for chunk in digits.chunks(9) {
        let mut v = 0u32;
        for &d in chunk {
            v = v * 10 + (d - b'0') as u32;
        }
        num = num.mul_small(10u32.pow(chunk.len() as u32)).add(&Big::from_u64(v as u64));
    }
    let den;
    if dec_exp >= 0 {
        num = num.mul(&Big::pow10(dec_exp as u32));
        den = Big::from_u64(1);
    } else {
        den = Big::pow10((-dec_exp) as u32);
    }
    Magnitude::Exact { num, den, e0: 0 }
}

/// Digits past this many never change a double's rounding once a nonzero
/// tail is kept as one sticky digit: a value exactly halfway between two
/// doubles has at most 767 significant digits.
const F64_DIGITS: usize = 800;

/// Parses a decimal number the way Rust's `str::parse::<f64>` does (an
/// optional sign, `inf`, `infinity`, `nan` in any case, or
/// `digits[.digits][e[sign]digits]`), correctly rounded, overflow to
/// infinity and underflow to zero. Scores and the UI's speed menu use it:
/// the standard parser brings a 10 KB table of powers of five into the
/// browser bundle, and this module already has exact arithmetic.
pub fn parse_f64(s: &str) -> Option<f64> {
    let s = s.as_bytes();
    let (neg, body) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let sign = |v: f64| if neg { -v } else { v };
    let lower = body.to_ascii_lowercase();
    if lower == b"inf" || lower == b"infinity" {
        return Some(sign(f64::INFINITY));
    }
    if lower == b"nan" {
        return Some(f64::NAN);
    }
    let (int, frac, exp) = split_number(body, |c| c.is_ascii_digit(), b'e')?;
    let all = int.iter().chain(frac);
    let mut digits: Vec<u8> = all.clone().skip_while(|&&c| c == b'0').take(F64_DIGITS).copied().collect();
    if digits.is_empty() {
        return Some(sign(0.0));
    }
    // Where the kept digits end, counted from the end of `frac`.
    let dropped = all.clone().skip_while(|&&c| c == b'0').skip(F64_DIGITS);
    let mut dec_exp = exp + dropped.clone().count() as i64 - frac.len() as i64;
    if dropped.into_iter().any(|&c| c != b'0') {
        digits.push(b'1');
        dec_exp -= 1;
    }
    // Out of a double's range whatever the digits (value < 10^magnitude):
    // no need for big powers of ten.
    let magnitude = digits.len() as i64 + dec_exp;
    if magnitude < -330 {
        return Some(sign(0.0));
    }
    if magnitude > 310 {
        return Some(sign(f64::INFINITY));
    }
    let (num, den, e0) = match exact_decimal(&digits, dec_exp) {
        Magnitude::Zero | Magnitude::OutOfRange { huge: false } => return Some(sign(0.0)),
        Magnitude::OutOfRange { huge: true } => return Some(sign(f64::INFINITY)),
        Magnitude::Exact { num, den, e0 } => (num, den, e0),
    };
    Some(match round(neg, &num, &den, e0, &DOUBLE).0 {
        LongDouble::Inf { .. } => sign(f64::INFINITY),
        LongDouble::Finite { mant, exp, .. } => {
            // mant × 2^exp: a normal double has its 53rd bit set; a denormal
            // sits at the smallest exponent with a biased exponent of 0.
            let bits = if mant >> 52 != 0 { ((exp + 1075) as u64) << 52 | (mant & ((1 << 52) - 1)) } else { mant };
            sign(f64::from_bits(bits))
        }
    })
}

fn parse_hex(s: &[u8]) -> Option<Magnitude> {
    let (int, frac, exp) = split_number(s, |c| c.is_ascii_hexdigit(), b'p')?;
    let mut num = Big::from_u64(0);
    for &c in int.iter().chain(frac) {
        let d = (c as char).to_digit(16).unwrap_or(0);
        num = num.mul_small(16).add(&Big::from_u64(d as u64));
    }
    if num.is_zero() {
        return Some(Magnitude::Zero);
    }
    let e0 = exp - 4 * frac.len() as i64;
    let top = num.bits() as i64 + e0; // value < 2^top
    if !(-16447..=16385).contains(&top) {
        return Some(Magnitude::OutOfRange { huge: top > 0 });
    }
    Some(Magnitude::Exact { num, den: Big::from_u64(1), e0 })
}

/// glibc's `%.17Lf` of `±mant × 2^exp`, then `LD_STR_HUMAN` trimming.
fn format_human(neg: bool, mant: u64, exp: i32) -> String {
    const DECIMALS: usize = 17;
    // q = round(|value| × 10^17), ties to even.
    let scaled = Big::from_u64(mant).mul(&Big::pow10(DECIMALS as u32));
    let q = if exp >= 0 {
        scaled.shl(exp as usize)
    } else {
        let shift = (-exp) as usize;
        let (mut q, rem) = scaled.shr_with_rem(shift);
        let twice = rem.shl(1);
        let half_cmp = twice.cmp(&Big::from_u64(1).shl(shift));
        if half_cmp == Ordering::Greater || (half_cmp == Ordering::Equal && q.is_odd()) {
            q = q.add(&Big::from_u64(1));
        }
        q
    };
    let mut digits = q.to_decimal();
    if digits.len() <= DECIMALS {
        digits = format!("{}{}", "0".repeat(DECIMALS + 1 - digits.len()), digits);
    }
    let (int, frac) = digits.split_at(digits.len() - DECIMALS);
    let frac = frac.trim_end_matches('0');
    let mut out = String::with_capacity(digits.len() + 2);
    if neg {
        out.push('-');
    }
    out.push_str(int);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if out == "-0" {
        out = "0".into();
    }
    out
}

/// A minimal unsigned big integer (little-endian 32-bit limbs, no leading
/// zero limbs), just what exact long double parsing, rounding and printing
/// need. Values stay below about 2^40000 bits, so simple algorithms do.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn from_u64(v: u64) -> Big {
        Big(vec![v as u32, (v >> 32) as u32]).trimmed()
    }

    fn trimmed(mut self) -> Big {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
        self
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn is_odd(&self) -> bool {
        self.0.first().is_some_and(|l| l & 1 == 1)
    }

    fn bits(&self) -> usize {
        match self.0.last() {
            None => 0,
            Some(top) => self.0.len() * 32 - top.leading_zeros() as usize,
        }
    }

    fn pow10(n: u32) -> Big {
        let mut r = Big::from_u64(1);
        let mut left = n;
        while left >= 9 {
            r = r.mul_small(1_000_000_000);
            left -= 9;
        }
        r.mul_small(10u32.pow(left))
    }

    fn mul_small(&self, m: u32) -> Big {
        let mut out = Vec::with_capacity(self.0.len() + 1);
        let mut carry = 0u64;
        for &l in &self.0 {
            let v = l as u64 * m as u64 + carry;
            out.push(v as u32);
            carry = v >> 32;
        }
        out.push(carry as u32);
        Big(out).trimmed()
    }

    fn mul(&self, other: &Big) -> Big {
        let mut out = vec![0u32; self.0.len() + other.0.len()];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in other.0.iter().enumerate() {
                let v = out[i + j] as u64 + a as u64 * b as u64 + carry;
                out[i + j] = v as u32;
                carry = v >> 32;
            }
            out[i + other.0.len()] = carry as u32;
        }
        Big(out).trimmed()
    }

    fn add(&self, other: &Big) -> Big {
        let n = self.0.len().max(other.0.len());
        let mut out = Vec::with_capacity(n + 1);
        let mut carry = 0u64;
        for i in 0..n {
            let v = *self.0.get(i).unwrap_or(&0) as u64 + *other.0.get(i).unwrap_or(&0) as u64 + carry;
            out.push(v as u32);
            carry = v >> 32;
        }
        out.push(carry as u32);
        Big(out).trimmed()
    }

    /// `self - other`, requires `self >= other`.
    fn sub(&self, other: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let mut v = self.0[i] as i64 - *other.0.get(i).unwrap_or(&0) as i64 - borrow;
            borrow = 0;
            if v < 0 {
                v += 1 << 32;
                borrow = 1;
            }
            out.push(v as u32);
        }
        Big(out).trimmed()
    }

    fn shl(&self, n: usize) -> Big {
        if self.is_zero() {
            return self.clone();
        }
        let (limbs, bits) = (n / 32, n % 32);
        let mut out = vec![0u32; limbs];
        let mut carry = 0u32;
        for &l in &self.0 {
            if bits == 0 {
                out.push(l);
            } else {
                out.push((l << bits) | carry);
                carry = l >> (32 - bits);
            }
        }
        out.push(carry);
        Big(out).trimmed()
    }

    /// `(self >> n, self mod 2^n)`.
    fn shr_with_rem(&self, n: usize) -> (Big, Big) {
        let (limbs, bits) = (n / 32, n % 32);
        if limbs >= self.0.len() {
            return (Big(Vec::new()), self.clone());
        }
        let mut rem: Vec<u32> = self.0[..limbs].to_vec();
        if bits > 0 {
            rem.push(self.0[limbs] & ((1u32 << bits) - 1));
        }
        let mut q = Vec::with_capacity(self.0.len() - limbs);
        for i in limbs..self.0.len() {
            let lo = self.0[i] as u64;
            let hi = *self.0.get(i + 1).unwrap_or(&0) as u64;
            q.push((((hi << 32) | lo) >> bits) as u32);
        }
        (Big(q).trimmed(), Big(rem).trimmed())
    }

    /// `(self / d, self mod d)` when the quotient is known to fit in a
    /// u128 (callers scale so it has about 64 bits): binary long division.
    fn div_small_quotient(&self, d: &Big) -> (u128, Big) {
        let mut rem = self.clone();
        let mut q = 0u128;
        let span = self.bits().saturating_sub(d.bits());
        for i in (0..=span.min(127)).rev() {
            let shifted = d.shl(i);
            if rem.cmp(&shifted) != Ordering::Less {
                rem = rem.sub(&shifted);
                q |= 1u128 << i;
            }
        }
        (q, rem)
    }

    fn to_decimal(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let mut chunks = Vec::new();
        let mut cur = self.0.clone();
        while !cur.is_empty() {
            let mut rem = 0u64;
            for l in cur.iter_mut().rev() {
                let v = (rem << 32) | *l as u64;
                *l = (v / 1_000_000_000) as u32;
                rem = v % 1_000_000_000;
            }
            while cur.last() == Some(&0) {
                cur.pop();
            }
            chunks.push(rem as u32);
        }
        let mut s = chunks.pop().map(|c| c.to_string()).unwrap_or_default();
        for c in chunks.iter().rev() {
            s.push_str(&format!("{c:09}"));
        }
        s
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.len().cmp(&other.0.len()).then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small xorshift generator: the tests stay deterministic.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn parse_f64_matches_the_standard_parser() {
        let fixed = [
            "0",
            "-0",
            "1",
            "+1.5",
            "3.14",
            "0.1",
            "1e23",
            "8.98846567431158e307",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1e309",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1e-400",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "9007199254740993",
            "9007199254740995",
            "123456789012345678901234567890",
            "inf",
            "-Infinity",
            "NaN",
            "-nan",
            "",
            ".",
            "e5",
            "1e",
            "1.",
            ".5",
            "1e+5",
            "1E-5",
            "0x10",
            " 1",
            "1 ",
            "1_0",
            "--1",
            "+-1",
            "00000.000001e6",
            "1e99999999999999999999",
            "1e-99999999999999999999",
        ];
        let mut cases: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        // 2^-1075 × (2k + 1): exact halfway points between denormals, with
        // and without a tail far past the digits that matter.
        cases.push(format!("2.{}e-324", "4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125"));
        cases.push(format!("1{}1e-20", "0".repeat(3000)));
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            let bits = next(&mut rng);
            let v = f64::from_bits(bits);
            if v.is_finite() {
                cases.push(format!("{v:e}"));
                cases.push(format!("{v}"));
                cases.push(format!("{:.3e}", v));
            }
            let digits = 1 + next(&mut rng) % 25;
            let mantissa: String = (0..digits).map(|_| char::from(b'0' + (next(&mut rng) % 10) as u8)).collect();
            let exp = (next(&mut rng) % 700) as i64 - 350;
            cases.push(format!("{mantissa}e{exp}"));
            cases.push(format!("0.{mantissa}"));
        }
        for case in &cases {
            assert_parses_like_std(case);
        }
    }

    /// `str::parse::<f64>` as the oracle; NaN compares equal to NaN.
    fn assert_parses_like_std(case: &str) {
        match (parse_f64(case), case.parse::<f64>().ok()) {
            (Some(a), Some(b)) if a.is_nan() && b.is_nan() => {}
            (a, b) => assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "{case}"),
        }
    }

    /// The exact decimal digits and exponent of the point halfway between
    /// the positive finite double with bits `bits` and the next one up:
    /// `(2m + 1) × 2^(e - 1)`. Ties to even decides these, the case a
    /// correctly rounding parser most easily gets wrong.
    fn halfway(bits: u64) -> (String, i64) {
        let (biased, frac) = ((bits >> 52) as i64, bits & ((1 << 52) - 1));
        let (m, e) = if biased == 0 { (frac, -1074) } else { (frac | 1 << 52, biased - 1075) };
        let odd = Big::from_u64(2 * m + 1);
        let e = e - 1;
        if e >= 0 {
            (odd.shl(e as usize).to_decimal(), 0)
        } else {
            // (2m + 1) / 2^k = (2m + 1) × 5^k / 10^k, and 5^k = 10^k / 2^k.
            let k = -e;
            (odd.mul(&Big::pow10(k as u32)).shr_with_rem(k as usize).0.to_decimal(), -k)
        }
    }

    #[test]
    fn parse_f64_rounds_halfway_points_at_the_edges_like_std() {
        // The helper itself: halfway between 1 and the next double is 1 + 2^-53.
        let (digits, exp) = halfway(1f64.to_bits());
        assert_eq!((digits.as_str(), exp), ("100000000000000011102230246251565404236316680908203125", -53));
        // The smallest denormals, the denormal/normal border, and the
        // largest finite value, whose halfway point rounds to infinity.
        for bits in [0, 1, 2, (1 << 52) - 1, 1 << 52, 0x7fef_ffff_ffff_fffe, 0x7fef_ffff_ffff_ffff] {
            let (digits, exp) = halfway(bits);
            assert_parses_like_std(&format!("{digits}e{exp}"));
            assert_parses_like_std(&format!("-{digits}1e{}", exp - 1));
        }
        assert_eq!(parse_f64(&format!("{}e{}", halfway(0x7fef_ffff_ffff_ffff).0, 0)), Some(f64::INFINITY));
    }

    proptest::proptest! {
        /// Exact halfway points between neighbouring doubles (normal,
        /// denormal, and the largest finite with its overflow boundary),
        /// and the same point nudged up by a digit far past the 17th.
        #[test]
        fn parse_f64_rounds_halfway_points_like_std(bits in 0u64..=0x7fef_ffff_ffff_ffff, neg: bool) {
            let (digits, exp) = halfway(bits);
            let sign = if neg { "-" } else { "" };
            assert_parses_like_std(&format!("{sign}{digits}e{exp}"));
            assert_parses_like_std(&format!("{sign}{digits}1e{}", exp - 1));
            assert_parses_like_std(&format!("{sign}0.{digits}e{}", exp + digits.len() as i64));
        }

        /// Any short text over the grammar's alphabet: both parsers agree
        /// on what they accept and on the value.
        #[test]
        fn parse_f64_accepts_what_std_accepts(case in "[-+]?[0-9.eE+-]{0,12}|[-+]?(inf|infinity|nan|InF|NAN)[0-9]?") {
            assert_parses_like_std(&case);
        }

        /// Random significant digits anywhere in a double's range and past it.
        #[test]
        fn parse_f64_rounds_random_decimals_like_std(digits in "[0-9]{1,40}", frac in "[0-9]{0,20}", exp in -400i64..400) {
            assert_parses_like_std(&format!("{digits}.{frac}e{exp}"));
        }
    }

    /// What real Redis replied; long results are checked by length and ends.
    enum Expect {
        Ok(&'static str),
        Long(usize, &'static str, &'static str),
        Err(FloatError),
        NotFloat,
    }
    use Expect::{Long, NotFloat};

    #[allow(non_snake_case)]
    fn Ok(s: &'static str) -> Expect {
        Expect::Ok(s)
    }

    #[allow(non_snake_case)]
    fn Err(e: FloatError) -> Expect {
        Expect::Err(e)
    }

    /// `INCRBYFLOAT f <incr>` after `SET f <init>` (or `DEL f`): replies
    /// observed on real Redis 7.0.15 (x86-64, glibc).
    #[test]
    #[allow(non_snake_case)]
    fn matches_real_redis_incrbyfloat() {
        let zeros_5118 = format!("{}1", "0".repeat(5118));
        let zeros_5119 = format!("{}1", "0".repeat(5119));
        let (ZEROS_5118_THEN_1, ZEROS_5119_THEN_1) = (zeros_5118.as_str(), zeros_5119.as_str());
        let cases: Vec<(Option<&str>, &str, Expect)> = vec![
            (None, "10.5", Ok("10.5")),
            (Some("10.5"), "0.1", Ok("10.6")),
            (None, "3.0e3", Ok("3000")),
            (Some("3.0e3"), "5.0e3", Ok("8000")),
            (None, "1e20", Ok("100000000000000000000")),
            (Some("1e20"), "1", Ok("100000000000000000000")),
            (None, "-0.0", Ok("0")),
            (Some("0.1"), "0.2", Ok("0.3")),
            (None, "1.23456789012345678", Ok("1.23456789012345678")),
            (
                None,
                "1e300",
                Long(301, "1000000000000000000008997324079559193870", "7410650567187386105690089424915104006144"),
            ),
            (
                Some("1e300"),
                "1e300",
                Long(301, "2000000000000000000017994648159118387741", "4821301134374772211380178849830208012288"),
            ),
            (
                None,
                "1e4000",
                Long(4000, "9999999999999999999965463873099623784932", "1956972190272729951206648276349901340672"),
            ),
            (
                None,
                "-1e4000",
                Long(4001, "-999999999999999999996546387309962378493", "1956972190272729951206648276349901340672"),
            ),
            (
                Some("1e4000"),
                "1e4000",
                Long(4001, "1999999999999999999993092774619924756986", "3913944380545459902413296552699802681344"),
            ),
            (None, "0x10", Ok("16")),
            (None, "0x1p3", Ok("8")),
            (None, "0X1.8P1", Ok("3")),
            (None, " 1", NotFloat),
            (None, "1 ", NotFloat),
            (None, "", NotFloat),
            (None, "1e", NotFloat),
            (None, ".5", Ok("0.5")),
            (None, "5.", Ok("5")),
            (None, "+1", Ok("1")),
            (None, "-0", Ok("0")),
            (None, "1e-5000", NotFloat),
            (None, "1e-4940", Ok("0")),
            (None, "1e-4950", Ok("0")),
            (None, "0x1p-16445", Ok("0")),
            (None, "infinity", Err(FloatError::NanOrInfinity)),
            (None, "-inf", Err(FloatError::NanOrInfinity)),
            (None, "INF", Err(FloatError::NanOrInfinity)),
            (
                None,
                "1e4932",
                Long(4933, "1000000000000000000006018949387963891323", "0876379371163141086538418113791886622720"),
            ),
            (None, "1e4933", NotFloat),
            (
                None,
                "1.18973149535723176502e4932",
                Long(4933, "1189731495357231765021263853030970205169", "8849149662444156604419552086811989770240"),
            ),
            (
                None,
                "1.1897314953572317650e+4932",
                Long(4933, "1189731495357231765021263853030970205169", "8849149662444156604419552086811989770240"),
            ),
            (None, "1_000", NotFloat),
            (None, "0.000000000000000001", Ok("0")),
            (None, "-0.000000000000000001", Ok("0")),
            (None, "0.000000000000000005", Ok("0")),
            (None, "0.000000000000000015", Ok("0.00000000000000002")),
            (None, "0.000000000000000025", Ok("0.00000000000000002")),
            (None, "0.00000000000000001", Ok("0.00000000000000001")),
            (None, "-0.00000000000000001", Ok("-0.00000000000000001")),
            (None, "123456789012345678901234567890", Ok("123456789012345678899921813504")),
            (None, "9007199254740993", Ok("9007199254740993")),
            (None, "18446744073709551615", Ok("18446744073709551615")),
            (None, "18446744073709551617", Ok("18446744073709551616")),
            (None, "3.14159265358979323846264338327950288", Ok("3.14159265358979324")),
            (None, "2.5", Ok("2.5")),
            (None, "0.5", Ok("0.5")),
            (None, "1e-17", Ok("0.00000000000000001")),
            (None, "5e-18", Ok("0")),
            (None, "4.9e-18", Ok("0")),
            (None, "5.1e-18", Ok("0.00000000000000001")),
            (Some("abc"), "1", NotFloat),
            (Some(" 1"), "1", NotFloat),
            (Some("1"), "abc", NotFloat),
            (Some("0x"), "1", NotFloat),
            (None, "0x", NotFloat),
            (None, "nan", NotFloat),
            (None, "-nan", NotFloat),
            (None, "1.5e+3", Ok("1500")),
            (None, "1E3", Ok("1000")),
            (None, "00012.5000", Ok("12.5")),
            (None, "-", NotFloat),
            (None, ".", NotFloat),
            (None, "e5", NotFloat),
            (None, "1e-400", Ok("0")),
            (None, "1.5e-310", Ok("0")),
            (None, "0.1", Ok("0.1")),
            (Some("0.1"), "0.1", Ok("0.2")),
            (Some("1.1"), "1.1", Ok("2.2")),
            (None, "1e19", Ok("10000000000000000000")),
            (None, "1e18", Ok("1000000000000000000")),
            (Some("99999999999999999"), "1", Ok("100000000000000000")),
            (Some("9223372036854775807"), "1", Ok("9223372036854775808")),
            (Some("-9223372036854775808"), "-1", Ok("-9223372036854775809")),
            (
                None,
                "0x1.fffffffffffffffep16383",
                Long(4933, "1189731495357231765021263853030970205169", "8849149662444156604419552086811989770240"),
            ),
            (None, "0x1.fffffffffffffffep16384", NotFloat),
            (None, "7e-4951", Ok("0")),
            (None, "3e-4951", Ok("0")),
            (None, "4e-4951", Ok("0")),
            (None, "0x1p-18", Ok("0.00000381469726562")),
            (None, "0x3p-18", Ok("0.00001144409179688")),
            (None, "0x1p-19", Ok("0.00000190734863281")),
            (None, "1\0abc", NotFloat),
            (None, "1.5\0", NotFloat),
            (None, ZEROS_5118_THEN_1, Ok("1")),
            (None, ZEROS_5119_THEN_1, NotFloat),
            (None, "1e-4952", NotFloat),
            (None, "1.8e-4951", NotFloat),
            (None, "1.83e-4951", Ok("0")),
            (None, "1.82e-4951", NotFloat),
            (None, "0e999999999999999999", Ok("0")),
            (None, "0e-99999", Ok("0")),
            (None, "1e-99999999999999999999", NotFloat),
            (None, "-1e99999999999999999999", NotFloat),
            (None, "0x.8", Ok("0.5")),
            (None, "0x.p1", NotFloat),
            (None, "0x1P+2", Ok("4")),
            (None, "0x1p", NotFloat),
            (None, "1e+", NotFloat),
            (None, "1e+5", Ok("100000")),
            (None, "+.5e1", Ok("5")),
            (None, "-.e1", NotFloat),
            (None, "nan(123)", NotFloat),
            (None, "infinit", NotFloat),
            (None, "Infinity", Err(FloatError::NanOrInfinity)),
            (None, "+inf", Err(FloatError::NanOrInfinity)),
            (None, "0x1.0000000000000001p0", Ok("1")),
            (None, "0x1.00000000000000018p0", Ok("1")),
            (None, "0.5e-17", Ok("0")),
            (None, "1.5e-17", Ok("0.00000000000000002")),
            (None, "2.5e-17", Ok("0.00000000000000002")),
            (None, "0x1p-58", Ok("0")),
            (None, "3e-18", Ok("0")),
            (None, "-3e-18", Ok("0")),
            (None, "1.000000000000000000000001", Ok("1")),
            (None, "0.99999999999999999999", Ok("1")),
            (None, "\t1", NotFloat),
            (None, "1\n", NotFloat),
            (
                None,
                "0x1p16383",
                Long(4932, "5948657476786158825428796633140035653817", "7839858684971576230223513645334982033408"),
            ),
            (
                None,
                "-0x1p16383",
                Long(4933, "-594865747678615882542879663314003565381", "7839858684971576230223513645334982033408"),
            ),
            (None, "1.2.3", NotFloat),
            (None, "1e5.5", NotFloat),
            (None, "0b101", NotFloat),
            (None, "--1", NotFloat),
            (None, "1e-4951", NotFloat),
            (Some("1\0x"), "1", NotFloat),
            (Some("5"), "-5", Ok("0")),
            (Some("1e4932"), "1e4932", Err(FloatError::NanOrInfinity)),
            (Some("inf"), "-inf", Err(FloatError::NanOrInfinity)),
            (Some("inf"), "1", Err(FloatError::NanOrInfinity)),
            (Some("1.5"), "-0.5", Ok("1")),
            (Some("-2.25"), "0.25", Ok("-2")),
            (Some("1e19"), "-1e19", Ok("0")),
            (Some("0.1"), "-0.3", Ok("-0.2")),
            (Some("100"), "-99.99", Ok("0.01")),
            (Some("123.456"), "-0.456", Ok("123")),
        ];
        for (init, by, expect) in cases {
            let got = incr_by_float(init.map(str::as_bytes), by.as_bytes());
            let ctx = format!(
                "{:?} + {:?} -> {:?}",
                init.map(|s| &s[..s.len().min(40)]),
                &by[..by.len().min(40)],
                got.as_ref().map(|v| String::from_utf8_lossy(&v[..v.len().min(60)]).into_owned())
            );
            match expect {
                Expect::Ok(s) => assert_eq!(got, Result::Ok(s.as_bytes().to_vec()), "{ctx}"),
                Long(len, head, tail) => {
                    let v = got.expect(&ctx);
                    assert_eq!(v.len(), len, "{ctx}");
                    assert!(v.starts_with(head.as_bytes()) && v.ends_with(tail.as_bytes()), "{ctx}");
                }
                Expect::Err(e) => assert_eq!(got, Result::Err(e), "{ctx}"),
                NotFloat => {
                    assert!(matches!(got, Result::Err(FloatError::CurrentNotFloat | FloatError::IncrNotFloat)), "{ctx}")
                }
            }
        }
    }

    /// Repeated increments on one key, as observed on real Redis 7.0.15.
    #[test]
    fn repeated_increments_match_real_redis() {
        for (by, expected) in [
            ("1.1", &["1.1", "2.2", "3.3", "4.4", "5.5", "6.6", "7.7", "8.8", "9.9", "11"][..]),
            ("0.1", &["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"][..]),
            ("-1.7e-3", &["-0.0017", "-0.0034", "-0.0051", "-0.0068", "-0.0085", "-0.0102"][..]),
        ] {
            let mut cur: Option<Vec<u8>> = None;
            for want in expected {
                let next = incr_by_float(cur.as_deref(), by.as_bytes()).unwrap();
                assert_eq!(String::from_utf8_lossy(&next), *want, "+{by}");
                cur = Some(next);
            }
        }
    }

    #[test]
    fn which_side_failed_is_reported() {
        assert_eq!(incr_by_float(Some(b"abc"), b"1"), Result::Err(FloatError::CurrentNotFloat));
        assert_eq!(incr_by_float(Some(b"1"), b"abc"), Result::Err(FloatError::IncrNotFloat));
    }
}
