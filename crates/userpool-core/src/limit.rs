//! The seam for a host-wide limit on concurrent argon2 work (SPEC §13).
//!
//! Every hash, verification, unknown-user decoy and history check borrows its working memory
//! through [`crate::PasswordHasher::working_memory`], which first takes a [`HashPermit`] from
//! the hasher's [`HashPermits`] (when it has one, see
//! [`crate::PasswordHasher::with_permits`]). The permit travels inside the lent
//! [`crate::PooledMemory`] and is released only when that buffer is dropped, after the buffer
//! went back to its pool: so at most *limit* hashes run at once, at most *limit* buffers
//! exist, and a permit is held until the hash ends whatever happens to the caller.
//!
//! Why a trait: waiting for a permit until a deadline needs a clock, and this crate reads
//! none. The host implements it; `userpool-store`'s `HashLimiter` is a FIFO queue with a
//! deadline.
//!
//! The rule that keeps history checks from deadlocking: one operation *waits* for at most
//! one permit at a time, and never while it holds another. Extra threads for a parallel
//! history check only [`HashPermits::try_acquire`]; when none is free the operation does the
//! work on its own permit.

use std::fmt;

use crate::error::Result;

/// A source of permits to run one argon2 computation, shared by every hasher of a host.
pub trait HashPermits: Send + Sync + fmt::Debug {
    /// Waits for a permit, in the order callers asked, up to the host's deadline.
    ///
    /// # Errors
    /// `TooManyRequestsException` `Too many requests` ([`crate::Error::HashingBusy`]) when
    /// the deadline passed first.
    fn acquire(&self) -> Result<HashPermit>;

    /// A permit only if one is free now and nobody is waiting for one; never waits. For
    /// helper threads of an operation that already holds a permit.
    fn try_acquire(&self) -> Option<HashPermit>;
}

/// The right to run one argon2 computation; the implementation's release runs when it is
/// dropped.
#[must_use = "the permit is released as soon as it is dropped"]
pub struct HashPermit {
    release: Option<Box<dyn FnOnce() + Send>>,
}

impl HashPermit {
    /// A permit whose `release` runs exactly once, when the permit is dropped.
    pub fn new(release: impl FnOnce() + Send + 'static) -> Self {
        HashPermit {
            release: Some(Box::new(release)),
        }
    }
}

impl Drop for HashPermit {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            release();
        }
    }
}

impl fmt::Debug for HashPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashPermit")
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn a_permit_releases_once_when_dropped() {
        let released = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&released);
        let permit = HashPermit::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(released.load(Ordering::SeqCst), 0);
        drop(permit);
        assert_eq!(released.load(Ordering::SeqCst), 1);
    }
}
