//! Randomness as an input (the core has no global RNG).
//!
//! Salts, generated temporary passwords, codes, session tokens and `sub` values all come
//! from an [`Entropy`] the caller hands in. Any `rand_core::TryCryptoRng` is one (the
//! operating system's generator, a seeded ChaCha in tests); only cryptographic generators
//! qualify, so a predictable `SmallRng` cannot slip in.

use crate::error::{Internal, Result};

/// A fallible source of cryptographically secure random bytes.
pub trait Entropy {
    /// Fills `dest` with random bytes.
    ///
    /// # Errors
    /// `InternalErrorException` when the source is unavailable.
    fn fill(&mut self, dest: &mut [u8]) -> Result<()>;
}

impl<R: rand_core::TryCryptoRng + ?Sized> Entropy for R {
    fn fill(&mut self, dest: &mut [u8]) -> Result<()> {
        self.try_fill_bytes(dest)
            .map_err(|_| Internal::EntropyUnavailable.into())
    }
}

/// Draws a uniformly distributed index below `bound` (rejection sampling, no modulo bias).
pub(crate) fn below(entropy: &mut dyn Entropy, bound: u32) -> Result<u32> {
    debug_assert!(bound > 0);
    let zone = u32::MAX - (u32::MAX % bound);
    loop {
        let mut bytes = [0u8; 4];
        entropy.fill(&mut bytes)?;
        let v = u32::from_le_bytes(bytes);
        if v < zone {
            return Ok(v % bound);
        }
    }
}

/// Draws `N` random bytes.
pub(crate) fn bytes<const N: usize>(entropy: &mut dyn Entropy) -> Result<[u8; N]> {
    let mut out = [0u8; N];
    entropy.fill(&mut out)?;
    Ok(out)
}
