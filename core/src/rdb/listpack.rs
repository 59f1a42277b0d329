//! Listpacks: the compact serialized lists Redis 7.0 uses for small hashes,
//! small sorted sets and the nodes of quicklists. In an RDB file a listpack
//! is stored verbatim, as one string.
//!
//! # Format
//! `<total-bytes u32 LE> <num-elements u16 LE> <entry>… <0xFF>`, each entry
//! being `<encoding+data> <backlen>`. An element that parses as an `i64`
//! (Redis's `string2ll` rules) is stored as an integer in the smallest of
//! 7-bit unsigned, 13/16/24/32/64-bit signed; anything else as a string with
//! a 6-bit, 12-bit or 32-bit length. `backlen` is the length of
//! `encoding+data`, written so it can be read backwards, 7 bits per byte.

use crate::util::parse_strict_i64;

const HEADER_SIZE: usize = 6;
const EOF: u8 = 0xff;

/// Builds a listpack the way appending the elements one by one would.
#[derive(Clone, Debug)]
pub struct ListpackBuilder {
    bytes: Vec<u8>,
    count: usize,
}

impl Default for ListpackBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ListpackBuilder {
    pub fn new() -> Self {
        let mut bytes = Vec::with_capacity(64);
        bytes.extend_from_slice(&[0; HEADER_SIZE]);
        ListpackBuilder { bytes, count: 0 }
    }

    /// Size the finished listpack would have now (Redis's `lpBytes`).
    pub fn total_bytes(&self) -> usize {
        self.bytes.len() + 1
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Appends one element, integer-encoded when it looks like an integer.
    pub fn push(&mut self, element: &[u8]) {
        let start = self.bytes.len();
        match parse_strict_i64(element) {
            Some(v) => encode_int(v, &mut self.bytes),
            None => encode_str(element, &mut self.bytes),
        }
        let entry_len = self.bytes.len() - start;
        encode_backlen(entry_len, &mut self.bytes);
        self.count += 1;
    }

    /// The finished listpack.
    pub fn finish(mut self) -> Vec<u8> {
        self.bytes.push(EOF);
        let total = self.bytes.len() as u32;
        self.bytes[0..4].copy_from_slice(&total.to_le_bytes());
        // Redis stores 65535 ("unknown, count by walking") past u16 range.
        let count = u16::try_from(self.count).unwrap_or(u16::MAX);
        self.bytes[4..6].copy_from_slice(&count.to_le_bytes());
        self.bytes
    }
}

fn encode_int(v: i64, out: &mut Vec<u8>) {
    if (0..=127).contains(&v) {
        out.push(v as u8);
    } else if (-4096..=4095).contains(&v) {
        let u = (v as u64) & 0x1fff;
        out.push(0xc0 | (u >> 8) as u8);
        out.push(u as u8);
    } else if (-32768..=32767).contains(&v) {
        out.push(0xf1);
        out.extend_from_slice(&(v as i16).to_le_bytes());
    } else if (-8_388_608..=8_388_607).contains(&v) {
        out.push(0xf2);
        out.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
    } else if (i64::from(i32::MIN)..=i64::from(i32::MAX)).contains(&v) {
        out.push(0xf3);
        out.extend_from_slice(&(v as i32).to_le_bytes());
    } else {
        out.push(0xf4);
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn encode_str(s: &[u8], out: &mut Vec<u8>) {
    let len = s.len();
    if len < 64 {
        out.push(0x80 | len as u8);
    } else if len < 4096 {
        out.push(0xe0 | (len >> 8) as u8);
        out.push(len as u8);
    } else {
        out.push(0xf0);
        out.extend_from_slice(&(len as u32).to_le_bytes());
    }
    out.extend_from_slice(s);
}

/// Redis's `lpEncodeBacklen` (note its thresholds: `< 16383`, not `<=`).
fn encode_backlen(l: usize, out: &mut Vec<u8>) {
    let l = l as u64;
    let groups = if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    };
    // Most significant group first; all but that first byte carry bit 7.
    for i in (0..groups).rev() {
        let b = ((l >> (7 * i)) & 127) as u8;
        out.push(if i == groups - 1 { b } else { b | 128 });
    }
}

/// Why a listpack blob is invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListpackError(pub &'static str);

/// Parses a listpack into its elements (integers rendered in decimal, as
/// Redis returns them). Checks the header, every entry's bounds and
/// backlen, the terminator and the element count.
pub fn parse(lp: &[u8]) -> Result<Vec<Vec<u8>>, ListpackError> {
    if lp.len() < HEADER_SIZE + 1 {
        return Err(ListpackError("listpack too short"));
    }
    let total = u32::from_le_bytes([lp[0], lp[1], lp[2], lp[3]]) as usize;
    if total != lp.len() {
        return Err(ListpackError("listpack size mismatch"));
    }
    let declared = u16::from_le_bytes([lp[4], lp[5]]);
    let mut pos = HEADER_SIZE;
    let mut out = Vec::new();
    loop {
        let Some(&b) = lp.get(pos) else {
            return Err(ListpackError("listpack without terminator"));
        };
        if b == EOF {
            if pos + 1 != lp.len() {
                return Err(ListpackError("listpack has bytes after its end"));
            }
            break;
        }
        let (element, entry_len) = parse_entry(&lp[pos..])?;
        pos += entry_len;
        let mut backlen = Vec::with_capacity(5);
        encode_backlen(entry_len, &mut backlen);
        if lp.get(pos..pos + backlen.len()) != Some(&backlen[..]) {
            return Err(ListpackError("listpack entry with a bad backlen"));
        }
        pos += backlen.len();
        out.push(element);
    }
    if declared != u16::MAX && usize::from(declared) != out.len() {
        return Err(ListpackError("listpack element count mismatch"));
    }
    Ok(out)
}

/// One entry's element and the length of its encoding+data.
fn parse_entry(p: &[u8]) -> Result<(Vec<u8>, usize), ListpackError> {
    let short = ListpackError("listpack entry out of bounds");
    let b = p[0];
    let take = |from: usize, n: usize| p.get(from..from + n).ok_or(ListpackError("listpack entry out of bounds"));
    let int = |v: i64, n: usize| Ok((v.to_string().into_bytes(), n));
    if b & 0x80 == 0 {
        int(i64::from(b), 1)
    } else if b & 0xc0 == 0x80 {
        let len = usize::from(b & 0x3f);
        Ok((take(1, len)?.to_vec(), 1 + len))
    } else if b & 0xe0 == 0xc0 {
        let lo = *p.get(1).ok_or(short)?;
        let u = (u16::from(b & 0x1f) << 8) | u16::from(lo);
        // Sign-extend 13 bits.
        let v = ((u << 3) as i16 >> 3) as i64;
        int(v, 2)
    } else if b & 0xf0 == 0xe0 {
        let lo = *p.get(1).ok_or(short)?;
        let len = (usize::from(b & 0x0f) << 8) | usize::from(lo);
        Ok((take(2, len)?.to_vec(), 2 + len))
    } else {
        match b {
            0xf0 => {
                let l = take(1, 4)?;
                let len = u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize;
                Ok((take(5, len)?.to_vec(), 5 + len))
            }
            0xf1 => {
                let d = take(1, 2)?;
                int(i64::from(i16::from_le_bytes([d[0], d[1]])), 3)
            }
            0xf2 => {
                let d = take(1, 3)?;
                let v = i32::from_le_bytes([0, d[0], d[1], d[2]]) >> 8;
                int(i64::from(v), 4)
            }
            0xf3 => {
                let d = take(1, 4)?;
                int(i64::from(i32::from_le_bytes([d[0], d[1], d[2], d[3]])), 5)
            }
            0xf4 => {
                let d = take(1, 8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(d);
                int(i64::from_le_bytes(a), 9)
            }
            _ => Err(ListpackError("listpack entry with an unknown encoding")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(elements: &[&[u8]]) -> Vec<u8> {
        let mut b = ListpackBuilder::new();
        for e in elements {
            b.push(e);
        }
        b.finish()
    }

    #[test]
    fn integers_and_strings_round_trip() {
        let elements: Vec<Vec<u8>> = [
            "0",
            "127",
            "128",
            "-1",
            "4095",
            "-4096",
            "4096",
            "32767",
            "-32769",
            "8388607",
            "-8388609",
            "2147483647",
            "-2147483649",
            "9223372036854775807",
            "-9223372036854775808",
            "01",
            "+1",
            "",
            "hello",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .chain([vec![b'x'; 63], vec![b'y'; 64], vec![b'z'; 4095], vec![b'w'; 4096], vec![b'v'; 20000]])
        .collect();
        let refs: Vec<&[u8]> = elements.iter().map(|e| e.as_slice()).collect();
        let lp = build(&refs);
        assert_eq!(parse(&lp).unwrap(), elements);
    }

    #[test]
    fn small_listpack_bytes() {
        // Two entries: 7-bit int 5 (05 01) and string "ab" (82 61 62 03).
        assert_eq!(build(&[b"5", b"ab"]), vec![13, 0, 0, 0, 2, 0, 0x05, 0x01, 0x82, b'a', b'b', 0x03, 0xff]);
    }

    #[test]
    fn backlen_groups() {
        let enc = |l| {
            let mut v = Vec::new();
            encode_backlen(l, &mut v);
            v
        };
        assert_eq!(enc(127), vec![127]);
        assert_eq!(enc(128), vec![1, 128]);
        assert_eq!(enc(16382), vec![127, 254]);
        assert_eq!(enc(16383), vec![0, 255, 255]);
    }
}
