//! A deterministic pseudo-random source for the unit tests' cheap fuzz loops.

/// xorshift64: enough to spread fuzz inputs, no dependency needed.
pub(crate) struct Rng(u64);

impl Rng {
    /// `seed` must not be zero (xorshift would stay at zero).
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A string of fewer than `max_len` characters drawn from `alphabet`.
    pub(crate) fn string(&mut self, alphabet: &[char], max_len: usize) -> String {
        let len = self.next_u64() % max_len as u64;
        (0..len)
            .map(|_| alphabet[(self.next_u64() % alphabet.len() as u64) as usize])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_keep_varying() {
        let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
        let strings: std::collections::BTreeSet<String> =
            (0..1000).map(|_| rng.string(&['a', 'b', 'c'], 8)).collect();
        // 3^0 + … + 3^7 = 3280 possible strings; a stuck generator gives a handful.
        assert!(strings.len() > 300, "{}", strings.len());
        assert!(strings.iter().all(|s| s.chars().count() < 8));
    }
}
