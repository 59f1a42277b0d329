//! INCRBYFLOAT and HINCRBYFLOAT arithmetic. Redis does these in C `long
//! double` (x87 80-bit extended precision on x86-64) and prints the result
//! with `%.17Lf` minus trailing zeros, so `10.5 + 0.1` is `10.6` there while
//! plain f64 arithmetic would print `10.59999999999999964`. This module
//! reproduces that precision and formatting.
//!
//! (Skeleton: filled in by the strings work.)

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
pub fn incr_by_float(current: Option<&[u8]>, incr: &[u8]) -> Result<Vec<u8>, FloatError> {
    let _ = (current, incr);
    Err(FloatError::IncrNotFloat)
}
