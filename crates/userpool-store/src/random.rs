//! Randomness as an input, shareable between threads.
//!
//! The core takes a `&mut dyn Entropy` per operation; the service holds one
//! [`RandomSource`] for all threads and lends it to each operation through [`EntropyOf`].

use userpool_core::{Entropy, Internal};

/// A source of cryptographically secure random bytes usable from many threads at once.
pub trait RandomSource: Send + Sync {
    /// Fills `dest` with random bytes.
    ///
    /// # Errors
    /// `InternalErrorException` when the source is unavailable.
    fn fill(&self, dest: &mut [u8]) -> userpool_core::Result<()>;
}

/// The operating system's generator (`getrandom`), the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&self, dest: &mut [u8]) -> userpool_core::Result<()> {
        Entropy::fill(&mut rand::rngs::SysRng, dest)
    }
}

/// A seeded ChaCha generator behind a mutex (feature `test-util`): the same seed and the
/// same sequence of calls give the same salts, codes and `sub`s. **Predictable by
/// design**: never use it in production.
#[cfg(feature = "test-util")]
#[derive(Debug)]
pub struct SeededRandom(std::sync::Mutex<rand::rngs::StdRng>);

#[cfg(feature = "test-util")]
impl SeededRandom {
    /// A generator seeded with `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        SeededRandom(std::sync::Mutex::new(
            userpool_core::testing::seeded_entropy(seed),
        ))
    }
}

#[cfg(feature = "test-util")]
impl RandomSource for SeededRandom {
    fn fill(&self, dest: &mut [u8]) -> userpool_core::Result<()> {
        let mut rng = self
            .0
            .lock()
            .map_err(|_| userpool_core::Error::Internal(Internal::EntropyUnavailable))?;
        Entropy::fill(&mut *rng, dest)
    }
}

/// Adapts a shared [`RandomSource`] to the core's per-operation [`Entropy`].
pub struct EntropyOf<'a>(pub &'a dyn RandomSource);

impl Entropy for EntropyOf<'_> {
    fn fill(&mut self, dest: &mut [u8]) -> userpool_core::Result<()> {
        self.0.fill(dest)
    }
}

impl std::fmt::Debug for EntropyOf<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EntropyOf(..)")
    }
}

/// Draws `n` characters from `alphabet` without modulo bias (ids, client secrets).
///
/// # Errors
/// `InternalErrorException` when `alphabet` is empty or longer than 255 bytes, or the
/// source fails.
pub fn token(
    source: &dyn RandomSource,
    alphabet: &[u8],
    n: usize,
) -> userpool_core::Result<String> {
    // An empty or over-long alphabet is a programming error; refuse it rather than panic.
    let bound = u8::try_from(alphabet.len())
        .ok()
        .filter(|&b| b > 0)
        .ok_or(Internal::EntropyUnavailable)?;
    let zone = u8::MAX - (u8::MAX % bound);
    let mut out = String::with_capacity(n);
    while out.len() < n {
        let mut byte = [0u8; 1];
        source.fill(&mut byte)?;
        if byte[0] < zone {
            out.push(char::from(alphabet[usize::from(byte[0] % bound)]));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_random_fills_and_tokens_use_only_the_alphabet() {
        let mut a = [0u8; 32];
        OsRandom.fill(&mut a).expect("os randomness");
        assert_ne!(a, [0u8; 32]);
        let t = token(&OsRandom, b"abc", 64).expect("token");
        assert_eq!(t.len(), 64);
        assert!(t.bytes().all(|b| b"abc".contains(&b)));
    }
}
