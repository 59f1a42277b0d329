//! Intsets: sorted arrays of integers, Redis's encoding for small sets whose
//! members are all integers (up to `set-max-intset-entries`, 512).
//!
//! # Format
//! `<encoding u32 LE: 2, 4 or 8 bytes per element> <length u32 LE>` then the
//! elements, ascending, little-endian. The encoding is the narrowest that
//! fits every element (what a freshly built set gets; Redis never narrows an
//! intset again after removing its widest member, but reloading does).

/// Serializes sorted, distinct integers.
pub fn build(sorted: &[i64]) -> Vec<u8> {
    let width: usize = if sorted.iter().all(|&v| i16::try_from(v).is_ok()) {
        2
    } else if sorted.iter().all(|&v| i32::try_from(v).is_ok()) {
        4
    } else {
        8
    };
    let mut out = Vec::with_capacity(8 + width * sorted.len());
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(sorted.len() as u32).to_le_bytes());
    for &v in sorted {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

/// Parses an intset blob; errors when the header does not match the size or
/// the elements are not strictly ascending (Redis's integrity check).
pub fn parse(blob: &[u8]) -> Result<Vec<i64>, &'static str> {
    let header = blob.get(..8).ok_or("intset too short")?;
    let width = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
    if !matches!(width, 2 | 4 | 8) {
        return Err("intset with an invalid encoding");
    }
    let body = &blob[8..];
    if len.checked_mul(width) != Some(body.len()) {
        return Err("intset size mismatch");
    }
    let values: Vec<i64> = body
        .chunks_exact(width)
        .map(|c| match width {
            2 => i64::from(i16::from_le_bytes([c[0], c[1]])),
            4 => i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            _ => i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]),
        })
        .collect();
    if values.windows(2).any(|w| w[0] >= w[1]) {
        return Err("intset not sorted or with duplicates");
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowest_width_round_trips() {
        assert_eq!(build(&[1, 2]), vec![2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0]);
        for set in [vec![-5, 70000], vec![i64::MIN, 0, i64::MAX], vec![]] {
            assert_eq!(parse(&build(&set)).unwrap(), set);
        }
        assert!(parse(&build(&[1, 2])[..11]).is_err());
    }
}
