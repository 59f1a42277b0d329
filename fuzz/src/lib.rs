//! Helpers shared by the fuzz targets.

/// A tiny deterministic generator (xorshift64*) seeded from fuzz input, so
/// a crashing input always replays the same way.
pub struct Chooser(u64);

impl Chooser {
    pub fn new(seed: &[u8]) -> Chooser {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        for &b in seed {
            s = (s ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
        }
        Chooser(s | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `1..=max`.
    pub fn size(&mut self, max: usize) -> usize {
        1 + (self.next() % max as u64) as usize
    }
}

/// Cuts `input` into consecutive non-empty chunks whose sizes come from
/// `seed`: mostly tiny (1–3 bytes, to split every token), sometimes larger.
pub fn chunks<'a>(input: &'a [u8], seed: &[u8]) -> Vec<&'a [u8]> {
    let mut c = Chooser::new(seed);
    let mut out = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let n = match c.next() % 4 {
            0 | 1 => c.size(3),
            2 => c.size(16),
            _ => c.size(256),
        }
        .min(rest.len());
        let (head, tail) = rest.split_at(n);
        out.push(head);
        rest = tail;
    }
    out
}
