//! A small seeded random generator (SplitMix64) for the randomised browser
//! tests: a run is replayable from the seed it prints.

/// The generator; the seed is its state.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn bits(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high` (`low <= high`).
    pub fn between(&mut self, (low, high): (u64, u64)) -> u64 {
        low + self.bits() % (high - low + 1)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.bits() % n.max(1) as u64).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers_within_bounds() {
        let (mut a, mut b) = (Rng(7), Rng(7));
        for _ in 0..100 {
            let x = a.between((3, 5));
            assert_eq!(x, b.between((3, 5)));
            assert!((3..=5).contains(&x));
            assert!(a.below(4) < 4);
            b.below(4);
        }
        assert_ne!(Rng(1).bits(), Rng(2).bits());
    }
}
