//! LZF, the tiny LZ77 variant Redis uses to compress strings in RDB files.
//!
//! The *format* is simple (see [`decompress`]); the *compressor* matters as
//! much, because a snapshot should have the size Redis's would have, and its
//! bytes should be the same. So [`Compressor`] follows the choices Redis's
//! bundled liblzf makes (`HLOG 16`, `VERY_FAST`, not `ULTRA_FAST`): the same
//! 3-byte hash, the same 65536-slot table, the same rule of re-hashing only
//! the last two positions of a match, the same output-budget checks. Written
//! from the published algorithm, not copied.
//!
//! One known gap: Redis does not clear its hash table between calls
//! (`INIT_HTAB 0`), so a stale slot from a previous string can, rarely, let
//! Redis find a match this compressor (which starts clean) does not. Both
//! outputs are valid; only the bytes differ.
//!
//! # Format
//! A sequence of chunks, each starting with a control byte `c`:
//! - `c < 32`: a literal run of `c + 1` bytes follows;
//! - otherwise a back-reference: length `(c >> 5) + 2` (when `c >> 5 == 7`
//!   the next byte is added to the length), offset `((c & 31) << 8 | next) + 1`
//!   bytes back from the current output position.

/// Longest literal run one control byte can announce.
const MAX_LIT: usize = 1 << 5;
/// Farthest back a reference can point.
const MAX_OFF: usize = 1 << 13;
/// Longest back-reference.
const MAX_REF: usize = (1 << 8) + (1 << 3);
/// log2 of the hash table size.
const HLOG: u32 = 16;
const HSIZE: usize = 1 << HLOG;

/// Why compressed bytes could not be expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LzfError {
    /// A chunk needs more input than there is.
    Truncated,
    /// A back-reference points before the start of the output.
    BadReference,
    /// The output is not exactly the announced length.
    LengthMismatch,
}

/// A reusable LZF compressor. The 64K-slot hash table is kept between calls
/// and invalidated by a generation counter, so compressing a million short
/// strings does not clear 512 KB each time.
pub struct Compressor {
    /// `generation << 32 | position`; a slot from an older generation is empty.
    table: Vec<u64>,
    generation: u64,
}

impl Default for Compressor {
    fn default() -> Self {
        Self::new()
    }
}

impl Compressor {
    pub fn new() -> Self {
        Compressor { table: Vec::new(), generation: 0 }
    }

    /// Compresses `input` into at most `limit` bytes, or returns `None` if
    /// the result would not fit (liblzf returns 0). Redis calls it with
    /// `limit = len - 4`: compression must save at least 4 bytes.
    pub fn compress(&mut self, input: &[u8], limit: usize) -> Option<Vec<u8>> {
        let n = input.len();
        if n < 3 {
            return compress_tiny(input, limit);
        }
        if self.table.is_empty() {
            self.table = vec![0; HSIZE];
        }
        self.generation += 1;
        if self.generation >= 1 << 31 {
            self.table.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        let generation = self.generation;
        let table = &mut self.table;
        // Position 0 doubles as "empty" (liblzf rejects references to the
        // very first byte for the same reason), so storing 0 is harmless.
        let mut lookup_and_set = |slot: usize, pos: usize| -> usize {
            let old = table[slot];
            table[slot] = (generation << 32) | pos as u64;
            if old >> 32 == generation { (old & 0xffff_ffff) as usize } else { 0 }
        };

        let out_end = limit;
        // Slack so the emulated budget checks never index out of bounds.
        let mut out = vec![0u8; limit + 4];
        let mut op = 1usize; // the control byte of the current literal run
        let mut ip = 0usize;
        let mut lit = 0usize;
        let mut hval: u32 = first(input, ip);

        while ip < n - 2 {
            hval = next(hval, input, ip);
            let reference = lookup_and_set(idx(hval), ip);
            let off = ip.wrapping_sub(reference).wrapping_sub(1);
            let is_match = reference > 0
                && reference < ip
                && off < MAX_OFF
                && input[reference + 2] == input[ip + 2]
                && input[reference] == input[ip]
                && input[reference + 1] == input[ip + 1];
            if is_match {
                let maxlen = (n - ip - 2).min(MAX_REF);
                if op + 4 >= out_end && op - usize::from(lit == 0) + 4 >= out_end {
                    return None;
                }
                close_run(&mut out, op, lit);
                op -= usize::from(lit == 0);
                let len = match_length(input, reference, ip, maxlen) - 2;
                ip += 1;
                if len < 7 {
                    out[op] = ((off >> 8) + (len << 5)) as u8;
                    op += 1;
                } else {
                    out[op] = ((off >> 8) + (7 << 5)) as u8;
                    out[op + 1] = (len - 7) as u8;
                    op += 2;
                }
                out[op] = off as u8;
                op += 2; // the reference's last byte, then a new run's control byte
                lit = 0;
                ip += len + 1;
                if ip >= n - 2 {
                    break;
                }
                // Hash the last two positions covered by the match.
                ip -= 2;
                hval = first(input, ip);
                hval = next(hval, input, ip);
                lookup_and_set(idx(hval), ip);
                ip += 1;
                hval = next(hval, input, ip);
                lookup_and_set(idx(hval), ip);
                ip += 1;
            } else {
                if op >= out_end {
                    return None;
                }
                out[op] = input[ip];
                op += 1;
                ip += 1;
                lit += 1;
                if lit == MAX_LIT {
                    close_run(&mut out, op, lit);
                    lit = 0;
                    op += 1;
                }
            }
        }
        if op + 3 > out_end {
            return None;
        }
        while ip < n {
            out[op] = input[ip];
            op += 1;
            ip += 1;
            lit += 1;
            if lit == MAX_LIT {
                close_run(&mut out, op, lit);
                lit = 0;
                op += 1;
            }
        }
        close_run(&mut out, op, lit);
        op -= usize::from(lit == 0);
        out.truncate(op);
        Some(out)
    }
}

/// Inputs too short to hash are one literal run.
fn compress_tiny(input: &[u8], limit: usize) -> Option<Vec<u8>> {
    if input.is_empty() {
        return Some(Vec::new());
    }
    if input.len() + 1 > limit {
        return None;
    }
    let mut out = vec![(input.len() - 1) as u8];
    out.extend_from_slice(input);
    Some(out)
}

/// Writes the control byte of the literal run that ends at `op`. With
/// `lit == 0` the byte is garbage that the caller then backs over.
fn close_run(out: &mut [u8], op: usize, lit: usize) {
    out[op - lit - 1] = (lit as u8).wrapping_sub(1);
}

fn first(input: &[u8], ip: usize) -> u32 {
    (u32::from(input[ip]) << 8) | u32::from(input[ip + 1])
}

fn next(hval: u32, input: &[u8], ip: usize) -> u32 {
    (hval << 8) | u32::from(input[ip + 2])
}

/// liblzf's `VERY_FAST` hash of the last three bytes (older bytes still
/// shifted into the high bits take part too).
fn idx(h: u32) -> usize {
    ((h >> (3 * 8 - HLOG)).wrapping_sub(h.wrapping_mul(5)) as usize) & (HSIZE - 1)
}

/// Length of the match at `ip` against `reference` (at least 3 bytes are
/// known to match), capped like liblzf: a loop checking `maxlen`, preceded,
/// when `maxlen > 16`, by 16 unrolled steps that do not check it.
fn match_length(input: &[u8], reference: usize, ip: usize, maxlen: usize) -> usize {
    let mut len = 2;
    if maxlen > 16 {
        for _ in 0..16 {
            len += 1;
            if input[reference + len] != input[ip + len] {
                return len;
            }
        }
    }
    loop {
        len += 1;
        if !(len < maxlen && input[reference + len] == input[ip + len]) {
            return len;
        }
    }
}

/// Expands LZF data that must decompress to exactly `expected_len` bytes.
/// Never allocates more than `expected_len`, so callers check that length
/// against their own limits first.
pub fn decompress(input: &[u8], expected_len: usize) -> Result<Vec<u8>, LzfError> {
    let mut out = Vec::with_capacity(expected_len);
    let mut ip = 0;
    while ip < input.len() {
        let ctrl = usize::from(input[ip]);
        ip += 1;
        if ctrl < 32 {
            let run = ctrl + 1;
            let lits = input.get(ip..ip + run).ok_or(LzfError::Truncated)?;
            if out.len() + run > expected_len {
                return Err(LzfError::LengthMismatch);
            }
            out.extend_from_slice(lits);
            ip += run;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += usize::from(*input.get(ip).ok_or(LzfError::Truncated)?);
                ip += 1;
            }
            len += 2;
            let low = usize::from(*input.get(ip).ok_or(LzfError::Truncated)?);
            ip += 1;
            let back = ((ctrl & 0x1f) << 8 | low) + 1;
            if back > out.len() {
                return Err(LzfError::BadReference);
            }
            if out.len() + len > expected_len {
                return Err(LzfError::LengthMismatch);
            }
            let start = out.len() - back;
            // Overlapping copies repeat the pattern, byte by byte.
            for i in 0..len {
                let b = out[start + i];
                out.push(b);
            }
        }
    }
    if out.len() != expected_len {
        return Err(LzfError::LengthMismatch);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_compresses_repetition() {
        let mut c = Compressor::new();
        let input = b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_vec();
        let packed = c.compress(&input, input.len() - 4).unwrap();
        assert!(packed.len() < 10, "{packed:?}");
        assert_eq!(decompress(&packed, input.len()).unwrap(), input);
    }

    #[test]
    fn incompressible_input_does_not_fit() {
        let mut c = Compressor::new();
        let input: Vec<u8> = (0u8..40).collect();
        assert_eq!(c.compress(&input, input.len() - 4), None);
    }

    #[test]
    fn decompress_rejects_bad_input() {
        assert_eq!(decompress(&[0x20, 0x00], 3), Err(LzfError::BadReference));
        assert_eq!(decompress(&[0x05, b'a'], 6), Err(LzfError::Truncated));
        assert_eq!(decompress(&[0x00, b'a'], 2), Err(LzfError::LengthMismatch));
        assert_eq!(decompress(&[0x00, b'a', 0xe0], 300), Err(LzfError::Truncated));
    }
}
