//! [`HashLimiter`]: the host-wide limit on concurrent argon2 work (SPEC §13).
//!
//! Without it every thread that signs someone in allocates its own argon2 buffer (19 MiB at
//! the default parameters), so memory grows with the number of requests: a server on
//! tokio's 512 blocking threads reached 6.8 GiB at 400 concurrent sign-ins. With it at most
//! `max_concurrent` hashes run at once, each on a buffer from the host's
//! [`userpool_core::MemoryPool`], and the rest wait their turn, first come first served, for
//! at most `queue_timeout`; then they fail with `TooManyRequestsException` `Too many
//! requests` having computed and changed nothing.
//!
//! It lives here, not in `userpool-core`, because waiting until a deadline reads the clock;
//! the core only sees the [`HashPermits`] seam. The wait happens on the thread that will
//! hash (the service's operations are synchronous; a server runs them on blocking threads),
//! so a permit is held until the hash ends even if the client that asked for it went away.
//!
//! How a permit moves: a released permit is handed straight to the first waiter (marked
//! granted under the lock, then woken), never put back for anyone to grab, so no later
//! arrival overtakes a waiter. A waiter whose deadline passes looks at its mark under the
//! same lock before leaving: if it was granted meanwhile it keeps the permit and proceeds,
//! so no permit is ever lost to a timed-out waiter.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use userpool_core::{Error, HashPermit, HashPermits, Result};

/// The default deadline for a permit (SPEC §13).
pub const DEFAULT_QUEUE_TIMEOUT: Duration = Duration::from_secs(2);

/// A FIFO limit on concurrent hashes with a deadline; see the [module](self) documentation.
///
/// ```
/// use std::time::Duration;
/// use userpool_core::HashPermits;
/// use userpool::HashLimiter;
///
/// let limiter = HashLimiter::new(1, Duration::from_millis(10));
/// let permit = limiter.acquire()?;
/// assert!(limiter.try_acquire().is_none());
/// let refused = limiter.acquire().unwrap_err();
/// assert_eq!((refused.code(), refused.to_string().as_str()), ("TooManyRequestsException", "Too many requests"));
/// drop(permit);
/// assert!(limiter.try_acquire().is_some());
/// # Ok::<(), userpool_core::Error>(())
/// ```
#[derive(Debug)]
pub struct HashLimiter {
    shared: Arc<Shared>,
    max_concurrent: usize,
    queue_timeout: Duration,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Permits nobody holds. While anyone waits this is 0: releases go to the waiters.
    free: usize,
    /// Waiters, oldest first.
    queue: VecDeque<Arc<Waiter>>,
    /// Permits held now, and the most ever held at once (for tests and figures).
    held: usize,
    peak_held: usize,
    /// Callers that gave up at their deadline.
    timed_out: u64,
}

#[derive(Debug, Default)]
struct Waiter {
    /// Set, under the state lock, when a released permit was handed to this waiter.
    granted: AtomicBool,
    wake: Condvar,
}

impl HashLimiter {
    /// At most `max_concurrent` hashes at once (at least 1), each waiter served in order of
    /// arrival for at most `queue_timeout`.
    #[must_use]
    pub fn new(max_concurrent: usize, queue_timeout: Duration) -> Self {
        let max_concurrent = max_concurrent.max(1);
        HashLimiter {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    free: max_concurrent,
                    queue: VecDeque::new(),
                    held: 0,
                    peak_held: 0,
                    timed_out: 0,
                }),
            }),
            max_concurrent,
            queue_timeout,
        }
    }

    /// The default: one hash per core (more only queue for the CPU while holding memory),
    /// waiting at most [`DEFAULT_QUEUE_TIMEOUT`].
    #[must_use]
    pub fn per_core() -> Self {
        HashLimiter::new(default_max_concurrent(), DEFAULT_QUEUE_TIMEOUT)
    }

    /// The most hashes at once.
    #[must_use]
    pub fn max_concurrent(&self) -> usize {
        self.max_concurrent
    }

    /// How long a caller waits for a permit before `TooManyRequestsException`.
    #[must_use]
    pub fn queue_timeout(&self) -> Duration {
        self.queue_timeout
    }

    /// Permits held now.
    #[must_use]
    pub fn in_use(&self) -> usize {
        self.lock().held
    }

    /// The most permits ever held at once; never above [`HashLimiter::max_concurrent`].
    #[must_use]
    pub fn peak_in_use(&self) -> usize {
        self.lock().peak_held
    }

    /// Callers waiting now.
    #[must_use]
    pub fn waiting(&self) -> usize {
        self.lock().queue.len()
    }

    /// Callers refused so far because their deadline passed.
    #[must_use]
    pub fn timed_out(&self) -> u64 {
        self.lock().timed_out
    }

    // Every change to the state is a few field updates with nothing that can panic between
    // them, so a poisoned lock (a panic elsewhere while holding it) left it consistent.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    fn permit(&self) -> HashPermit {
        let shared = Arc::clone(&self.shared);
        HashPermit::new(move || shared.release())
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands the permit to the oldest waiter, or makes it free when nobody waits.
    fn release(&self) {
        let mut state = self.lock();
        if let Some(next) = state.queue.pop_front() {
            // Still held: it changes hands without ever being free.
            next.granted.store(true, Ordering::Relaxed);
            next.wake.notify_one();
        } else {
            state.held = state.held.saturating_sub(1);
            state.free += 1;
        }
    }
}

impl State {
    fn take_free(&mut self) -> bool {
        if self.free == 0 || !self.queue.is_empty() {
            return false;
        }
        self.free -= 1;
        self.held += 1;
        self.peak_held = self.peak_held.max(self.held);
        true
    }
}

impl HashPermits for HashLimiter {
    /// # Errors
    /// `TooManyRequestsException` `Too many requests` once [`HashLimiter::queue_timeout`]
    /// has passed without a permit.
    fn acquire(&self) -> Result<HashPermit> {
        let mut state = self.lock();
        if state.take_free() {
            drop(state);
            return Ok(self.permit());
        }
        // A timeout past what `Instant` can hold (`--hash-queue-timeout-ms` near u64::MAX)
        // means no deadline, rather than a panic in every request that waits.
        let deadline = Instant::now().checked_add(self.queue_timeout);
        let me = Arc::new(Waiter::default());
        state.queue.push_back(Arc::clone(&me));
        loop {
            // Read under the lock `release` sets it under, so a grant is never missed.
            if me.granted.load(Ordering::Relaxed) {
                drop(state);
                return Ok(self.permit());
            }
            let Some(deadline) = deadline else {
                state = me.wake.wait(state).unwrap_or_else(PoisonError::into_inner);
                continue;
            };
            let now = Instant::now();
            if now >= deadline {
                state.queue.retain(|waiter| !Arc::ptr_eq(waiter, &me));
                state.timed_out += 1;
                return Err(Error::HashingBusy);
            }
            state = me
                .wake
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn try_acquire(&self) -> Option<HashPermit> {
        let taken = self.lock().take_free();
        taken.then(|| self.permit())
    }
}

/// One hash per core, as `std::thread::available_parallelism` counts them (1 if unknown).
#[must_use]
pub fn default_max_concurrent() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_the_limit_is_held_and_a_release_frees_one() {
        let limiter = HashLimiter::new(2, Duration::from_millis(1));
        let a = limiter.acquire().expect("first");
        let b = limiter.try_acquire().expect("second");
        assert!(limiter.try_acquire().is_none());
        assert!(matches!(limiter.acquire(), Err(Error::HashingBusy)));
        assert_eq!((limiter.in_use(), limiter.timed_out()), (2, 1));
        drop(a);
        assert_eq!(limiter.in_use(), 1);
        drop(b);
        assert_eq!((limiter.in_use(), limiter.peak_in_use()), (0, 2));
        assert_eq!(limiter.waiting(), 0, "the timed-out waiter left the queue");
    }

    #[test]
    fn a_timeout_past_the_clocks_range_waits_without_a_deadline_instead_of_panicking() {
        let limiter = Arc::new(HashLimiter::new(1, Duration::MAX));
        let held = limiter.acquire().expect("free");
        let waiter = {
            let limiter = Arc::clone(&limiter);
            std::thread::spawn(move || limiter.acquire().map(drop))
        };
        while limiter.waiting() == 0 && !waiter.is_finished() {
            std::thread::yield_now();
        }
        drop(held);
        let outcome = waiter.join().expect("the waiter does not panic");
        assert!(outcome.is_ok(), "granted on release: {outcome:?}");
        assert_eq!((limiter.in_use(), limiter.timed_out()), (0, 0));
    }

    #[test]
    fn a_limit_of_zero_means_one() {
        assert_eq!(
            HashLimiter::new(0, DEFAULT_QUEUE_TIMEOUT).max_concurrent(),
            1
        );
    }
}
