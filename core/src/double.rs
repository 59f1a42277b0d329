//! Formatting and parsing of `double` values as Redis 7.0 does for sorted
//! set scores (`d2string`, `addReplyDouble`, `strtod` with Redis's checks).
//!
//! (Skeleton: filled in by the collections work.)

/// Formats a score the way Redis replies it over RESP2.
pub fn format_double(value: f64) -> String {
    value.to_string()
}
