//! Ziplists and zipmaps: the encodings of small collections before Redis 7.0
//! (ziplist) and before 2.6 (zipmap). Redis 7.0 never writes them but still
//! loads them, converting to listpacks; ReplScope reads them the same way.
//!
//! # Ziplist format
//! `<zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE> <entry>… <0xFF>`, each
//! entry `<prevlen: 1 byte, or 0xFE + u32 LE> <encoding> <data>`.
//!
//! # Zipmap format
//! `<zmlen u8> (<len> key <len> <free u8> value <free bytes>)… <0xFF>`, where
//! `<len>` is one byte below 254 or `0xFE` + u32 LE.

/// A field and its value.
pub type Pair = (Vec<u8>, Vec<u8>);

/// Parses a ziplist into its elements (integers rendered in decimal).
pub fn parse_ziplist(zl: &[u8]) -> Result<Vec<Vec<u8>>, &'static str> {
    const BOUNDS: &str = "ziplist entry out of bounds";
    if zl.len() < 11 {
        return Err("ziplist too short");
    }
    let total = u32::from_le_bytes([zl[0], zl[1], zl[2], zl[3]]) as usize;
    if total != zl.len() {
        return Err("ziplist size mismatch");
    }
    let declared = u16::from_le_bytes([zl[8], zl[9]]);
    let mut pos = 10;
    let mut out = Vec::new();
    let mut prev_entry_len = 0usize;
    loop {
        let b = *zl.get(pos).ok_or(BOUNDS)?;
        if b == 0xff {
            if pos + 1 != zl.len() {
                return Err("ziplist has bytes after its end");
            }
            break;
        }
        let start = pos;
        let prevlen = if b < 254 {
            pos += 1;
            usize::from(b)
        } else if b == 254 {
            let d = zl.get(pos + 1..pos + 5).ok_or(BOUNDS)?;
            pos += 5;
            u32::from_le_bytes([d[0], d[1], d[2], d[3]]) as usize
        } else {
            return Err("ziplist entry with a bad prevlen");
        };
        if prevlen != prev_entry_len {
            return Err("ziplist entry with a wrong prevlen");
        }
        let enc = *zl.get(pos).ok_or(BOUNDS)?;
        let take = |from: usize, n: usize| zl.get(from..from + n).ok_or(BOUNDS);
        let (element, next) = match enc >> 6 {
            0 => {
                let len = usize::from(enc & 0x3f);
                (take(pos + 1, len)?.to_vec(), pos + 1 + len)
            }
            1 => {
                let lo = *zl.get(pos + 1).ok_or(BOUNDS)?;
                let len = (usize::from(enc & 0x3f) << 8) | usize::from(lo);
                (take(pos + 2, len)?.to_vec(), pos + 2 + len)
            }
            2 => {
                let d = take(pos + 1, 4)?;
                let len = u32::from_be_bytes([d[0], d[1], d[2], d[3]]) as usize;
                (take(pos + 5, len)?.to_vec(), pos + 5 + len)
            }
            _ => {
                let (v, n): (i64, usize) = match enc {
                    0xc0 => {
                        let d = take(pos + 1, 2)?;
                        (i64::from(i16::from_le_bytes([d[0], d[1]])), 2)
                    }
                    0xd0 => {
                        let d = take(pos + 1, 4)?;
                        (i64::from(i32::from_le_bytes([d[0], d[1], d[2], d[3]])), 4)
                    }
                    0xe0 => {
                        let d = take(pos + 1, 8)?;
                        let mut a = [0u8; 8];
                        a.copy_from_slice(d);
                        (i64::from_le_bytes(a), 8)
                    }
                    0xf0 => {
                        let d = take(pos + 1, 3)?;
                        (i64::from(i32::from_le_bytes([0, d[0], d[1], d[2]]) >> 8), 3)
                    }
                    0xfe => (i64::from(*take(pos + 1, 1)?.first().ok_or(BOUNDS)? as i8), 1),
                    0xf1..=0xfd => (i64::from(enc & 0x0f) - 1, 0),
                    _ => return Err("ziplist entry with an unknown encoding"),
                };
                (v.to_string().into_bytes(), pos + 1 + n)
            }
        };
        prev_entry_len = next - start;
        pos = next;
        out.push(element);
    }
    if declared != u16::MAX && usize::from(declared) != out.len() {
        return Err("ziplist element count mismatch");
    }
    Ok(out)
}

/// Parses a zipmap into field/value pairs.
pub fn parse_zipmap(zm: &[u8]) -> Result<Vec<Pair>, &'static str> {
    const BOUNDS: &str = "zipmap entry out of bounds";
    let mut pos = 1;
    let mut out = Vec::new();
    let read_len = |pos: &mut usize| -> Result<Option<usize>, &'static str> {
        let b = *zm.get(*pos).ok_or(BOUNDS)?;
        match b {
            255 => Ok(None),
            254 => {
                let d = zm.get(*pos + 1..*pos + 5).ok_or(BOUNDS)?;
                *pos += 5;
                Ok(Some(u32::from_le_bytes([d[0], d[1], d[2], d[3]]) as usize))
            }
            _ => {
                *pos += 1;
                Ok(Some(usize::from(b)))
            }
        }
    };
    loop {
        let Some(klen) = read_len(&mut pos)? else {
            if pos + 1 != zm.len() {
                return Err("zipmap has bytes after its end");
            }
            break;
        };
        let key = zm.get(pos..pos + klen).ok_or(BOUNDS)?.to_vec();
        pos += klen;
        let vlen = read_len(&mut pos)?.ok_or("zipmap key without a value")?;
        let free = usize::from(*zm.get(pos).ok_or(BOUNDS)?);
        pos += 1;
        let value = zm.get(pos..pos + vlen).ok_or(BOUNDS)?.to_vec();
        pos += vlen + free;
        out.push((key, value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_ziplist_with_strings_and_ints() {
        // "ab", 7 (immediate), 1000 (int16).
        let mut zl = vec![0, 0, 0, 0, 0, 0, 0, 0, 3, 0];
        zl.extend_from_slice(&[0x00, 0x02, b'a', b'b']);
        zl.extend_from_slice(&[0x04, 0xf8]);
        zl.extend_from_slice(&[0x02, 0xc0, 0xe8, 0x03]);
        zl.push(0xff);
        let n = zl.len() as u32;
        zl[0..4].copy_from_slice(&n.to_le_bytes());
        assert_eq!(parse_ziplist(&zl).unwrap(), vec![b"ab".to_vec(), b"7".to_vec(), b"1000".to_vec()]);
        assert!(parse_ziplist(&zl[..zl.len() - 1]).is_err());
    }

    #[test]
    fn parses_a_zipmap() {
        let zm = [1, 1, b'f', 2, 0, b'v', b'w', 0xff];
        assert_eq!(parse_zipmap(&zm).unwrap(), vec![(b"f".to_vec(), b"vw".to_vec())]);
    }
}
