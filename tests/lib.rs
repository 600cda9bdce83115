//! Shared by the workspace's benchmarks (`benches/`): deterministic generated data shaped like
//! the real thing. The end-to-end tests live in `e2e.rs` and `report.rs`.

/// SplitMix64: a small deterministic generator, so every run sees the same data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The `i`th commit SHA of a generated history: 40 hex digits spread like a real SHA-1 (a
/// counter padded with zeros would share long prefixes, which real SHAs do not, and make
/// sorting and prefix lookups look slower than they are). Different `stream`s never meet.
pub fn fake_sha(stream: u64, i: u64) -> String {
    let mut rng = Rng(stream.wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ i);
    format!(
        "{:016x}{:016x}{:08x}",
        rng.next_u64(),
        rng.next_u64(),
        rng.next_u64() as u32
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_shas_are_forty_hex_digits_distinct_and_spread() {
        let shas: Vec<String> = (0..10_000).map(|i| fake_sha(1, i)).collect();
        assert!(shas
            .iter()
            .all(|s| s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit())));
        let distinct: std::collections::HashSet<&str> = shas.iter().map(|s| &s[..12]).collect();
        assert_eq!(distinct.len(), shas.len(), "12-digit prefixes are unique");
        let first: std::collections::HashSet<char> =
            shas.iter().filter_map(|s| s.chars().next()).collect();
        assert_eq!(first.len(), 16, "first digits cover every hex digit");
        assert_ne!(fake_sha(1, 7), fake_sha(2, 7));
        assert_eq!(fake_sha(3, 9), fake_sha(3, 9));
    }
}
