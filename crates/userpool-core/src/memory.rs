//! argon2's working memory: a buffer we own, so that it is wiped after use (SPEC §9) and, with
//! a [`MemoryPool`], reused by later operations instead of being allocated again.
//!
//! Why a pool: a fresh buffer is not free. At the default parameters, allocating and faulting
//! in 19 MiB costs about 0.6 ms, 3 % of a hash. At RFC 9106's 64 MiB, which is above glibc's
//! largest mmap threshold, every hash maps a new buffer and faults in 16 384 pages, about half
//! of the hash (figures in `benches/README.md`). A pooled buffer is wiped before it goes back
//! to the pool, so what the pool holds between operations is zeroes, never a password's
//! blocks; the wipe stays on the operation's own path, as it does without a pool.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, PoisonError};

use argon2::Block;
use zeroize::{Zeroize, Zeroizing};

use crate::limit::HashPermit;

/// argon2's working memory, owned so that it can be wiped and reused.
///
/// One buffer serves every hash of one operation on one thread (the history check and the
/// new hash), so it is allocated at most once per operation, and it is wiped when dropped or
/// when it goes back to its [`MemoryPool`].
pub struct WorkingMemory(Zeroizing<Vec<Block>>);

impl WorkingMemory {
    /// An empty buffer; it grows to what the first hash needs.
    #[must_use]
    pub fn new() -> Self {
        WorkingMemory(Zeroizing::new(Vec::new()))
    }

    /// The first `count` blocks, growing the buffer if it is smaller.
    pub(crate) fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.0.len() < count {
            // Replacing (not growing) the Vec means the old contents are wiped by
            // `Zeroizing`'s drop instead of being copied by a reallocation.
            let mut fresh = Zeroizing::new(Vec::with_capacity(count));
            fresh.resize(count, Block::default());
            self.0 = fresh;
        }
        &mut self.0[..count]
    }

    /// The size in KiB (an argon2 block is 1 KiB).
    #[must_use]
    pub fn kib(&self) -> usize {
        self.0.len()
    }

    /// Zeroes every block in place (volatile writes), keeping the allocation.
    fn wipe(&mut self) {
        for block in self.0.iter_mut() {
            block.zeroize();
        }
    }

    #[cfg(test)]
    fn is_zeroed(&self) -> bool {
        self.0
            .iter()
            .all(|block| block.as_ref().iter().all(|word| *word == 0))
    }
}

impl Default for WorkingMemory {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for WorkingMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WorkingMemory({} KiB)", self.kib())
    }
}

/// Wiped working buffers kept between operations, shared by every hasher it is given to
/// ([`crate::PasswordHasher::with_memory_pool`]); cloning shares the same pool.
///
/// It keeps at most `max_idle` buffers. Anything beyond that is wiped and freed, so the
/// memory a pool holds while idle is at most `max_idle` × the largest `m` it has served
/// (2 × 19 MiB on 2 cores at the default parameters). One per core is the natural size:
/// more operations than cores hashing at once only queue for the CPU.
///
/// ```
/// use userpool_core::{HashParams, MemoryPool, Password, PasswordHasher};
///
/// let pool = MemoryPool::new(2);
/// let hasher = PasswordHasher::new(HashParams::new(64, 1, 1)?)?.with_memory_pool(pool.clone());
/// let password = Password::parse("correct horse battery staple")?;
/// let hash = hasher.hash(&password, &mut rand::rngs::SysRng)?;
/// assert_eq!(pool.idle(), 1); // the buffer came back, wiped, for the next operation
/// assert!(hasher.verify(&password, &hash)?);
/// assert_eq!(pool.idle(), 1); // and was used again
/// # Ok::<(), userpool_core::Error>(())
/// ```
#[derive(Clone)]
pub struct MemoryPool {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    max_idle: usize,
}

/// The pool's buffers and its counters, under one lock.
#[derive(Default)]
struct State {
    idle: Vec<WorkingMemory>,
    /// Buffers lent and not yet back (a lent buffer may still be empty).
    lent: usize,
    /// The most of `lent` ever, and of `lent + idle` ever: with a hash limit both stay at
    /// most the limit (SPEC §13), whatever the number of requests.
    peak_lent: usize,
    peak_buffers: usize,
}

impl MemoryPool {
    /// A pool keeping at most `max_idle` wiped buffers; 0 keeps none (every operation
    /// allocates, as with no pool).
    #[must_use]
    pub fn new(max_idle: usize) -> Self {
        MemoryPool {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    idle: Vec::with_capacity(max_idle),
                    ..State::default()
                }),
                max_idle,
            }),
        }
    }

    /// The most buffers kept between operations.
    #[must_use]
    pub fn max_idle(&self) -> usize {
        self.shared.max_idle
    }

    /// How many wiped buffers are waiting.
    #[must_use]
    pub fn idle(&self) -> usize {
        self.lock().idle.len()
    }

    /// How many buffers are lent now: one per hash running with this pool's memory.
    #[must_use]
    pub fn lent(&self) -> usize {
        self.lock().lent
    }

    /// The most buffers ever lent at once: the most hashes that ran at once with this
    /// pool's memory. Under a hash limit it never exceeds the limit (SPEC §13).
    #[must_use]
    pub fn peak_lent(&self) -> usize {
        self.lock().peak_lent
    }

    /// The most buffers that ever existed at once, lent or idle: an upper bound on the
    /// working memory this pool ever held (each is at most the largest `m` served). Under a
    /// hash limit that is also the pool's size it never exceeds the limit (SPEC §13).
    #[must_use]
    pub fn peak_buffers(&self) -> usize {
        self.lock().peak_buffers
    }

    /// A buffer for one operation: a waiting one if there is one, else a new empty one. It
    /// comes back, wiped, when the [`PooledMemory`] is dropped.
    #[must_use]
    pub fn take(&self) -> PooledMemory {
        let memory = {
            let mut state = self.lock();
            let memory = state.idle.pop().unwrap_or_default();
            state.lent += 1;
            state.peak_lent = state.peak_lent.max(state.lent);
            state.peak_buffers = state.peak_buffers.max(state.lent + state.idle.len());
            memory
        };
        PooledMemory {
            memory,
            pool: Some(self.clone()),
            permit: None,
        }
    }

    // The list only ever holds wiped buffers and the counters are updated in one step, so
    // a panic elsewhere while it was locked leaves nothing half-done in it: a poisoned lock
    // is safe to keep using.
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn give_back(&self, mut memory: WorkingMemory) {
        // Wiped outside the lock (it is the slow part); a buffer that finds no room is
        // dropped, and wiped by its own drop.
        let keep = memory.kib() > 0 && self.idle() < self.shared.max_idle;
        if keep {
            memory.wipe();
        }
        let mut state = self.lock();
        state.lent = state.lent.saturating_sub(1);
        if keep && state.idle.len() < self.shared.max_idle {
            state.idle.push(memory);
        }
    }
}

impl fmt::Debug for MemoryPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryPool")
            .field("max_idle", &self.shared.max_idle)
            .field("idle", &self.idle())
            .finish()
    }
}

/// A working buffer lent for one operation, by a [`MemoryPool`] or (for a hasher without a
/// pool) freshly allocated. Dropping it wipes it and, if it came from a pool with room,
/// returns it there, and only then releases the [`HashPermit`] it was lent under (if any),
/// so the next permit holder finds the buffer waiting instead of allocating one.
pub struct PooledMemory {
    memory: WorkingMemory,
    pool: Option<MemoryPool>,
    permit: Option<HashPermit>,
}

impl PooledMemory {
    /// A fresh buffer that belongs to no pool: wiped and freed when dropped.
    #[must_use]
    pub fn unpooled() -> Self {
        PooledMemory {
            memory: WorkingMemory::new(),
            pool: None,
            permit: None,
        }
    }

    /// The same buffer, now holding `permit` until it is dropped (SPEC §13).
    #[must_use]
    pub fn under(mut self, permit: HashPermit) -> Self {
        self.permit = Some(permit);
        self
    }
}

impl Deref for PooledMemory {
    type Target = WorkingMemory;
    fn deref(&self) -> &WorkingMemory {
        &self.memory
    }
}

impl DerefMut for PooledMemory {
    fn deref_mut(&mut self) -> &mut WorkingMemory {
        &mut self.memory
    }
}

impl Drop for PooledMemory {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            pool.give_back(std::mem::take(&mut self.memory));
        }
        // After the buffer is back: see the type's documentation.
        drop(self.permit.take());
    }
}

impl fmt::Debug for PooledMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledMemory")
            .field("memory", &self.memory)
            .field("pooled", &self.pool.is_some())
            .field("permit", &self.permit.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scribbled(kib: usize) -> WorkingMemory {
        let mut memory = WorkingMemory::new();
        for (i, block) in memory.blocks(kib).iter_mut().enumerate() {
            block.as_mut().fill(0xA5A5_A5A5_0000_0000 | i as u64);
        }
        memory
    }

    // SPEC §9: nothing of a hash's working memory survives the operation, pool or no pool.
    #[test]
    fn spec_9_a_returned_buffer_is_wiped_and_keeps_its_size() {
        let pool = MemoryPool::new(2);
        let mut lent = pool.take();
        *lent = scribbled(64);
        assert!(!lent.is_zeroed());
        drop(lent);
        let state = pool.lock();
        assert_eq!(state.idle.len(), 1);
        assert_eq!(state.idle[0].kib(), 64);
        assert!(state.idle[0].is_zeroed());
    }

    #[test]
    fn a_waiting_buffer_is_lent_again_without_allocating() {
        let pool = MemoryPool::new(1);
        let mut lent = pool.take();
        let first = lent.blocks(32).as_ptr();
        drop(lent);
        let mut again = pool.take();
        assert_eq!(again.kib(), 32);
        assert_eq!(again.blocks(32).as_ptr(), first);
        assert_eq!(pool.idle(), 0);
    }

    #[test]
    fn the_pool_keeps_at_most_max_idle_buffers() {
        let pool = MemoryPool::new(2);
        let lent: Vec<_> = (0..3)
            .map(|_| {
                let mut memory = pool.take();
                memory.blocks(8);
                memory
            })
            .collect();
        drop(lent);
        assert_eq!(pool.idle(), 2);
        let none = MemoryPool::new(0);
        let mut memory = none.take();
        memory.blocks(8);
        drop(memory);
        assert_eq!(none.idle(), 0);
    }

    // SPEC §13: the counters a host checks its hash limit against.
    #[test]
    fn the_pool_counts_lent_buffers_and_their_peaks() {
        let pool = MemoryPool::new(2);
        let mut a = pool.take();
        a.blocks(8);
        let b = pool.take();
        assert_eq!((pool.lent(), pool.peak_lent()), (2, 2));
        drop(a);
        drop(b); // empty: not kept
        assert_eq!((pool.lent(), pool.idle()), (0, 1));
        let c = pool.take(); // the idle one, not a new one
        assert_eq!((pool.peak_lent(), pool.peak_buffers()), (2, 2));
        drop(c);
        // The permit goes only once the buffer is back, so the next holder finds it idle.
        let idle_at_release = std::sync::Arc::new(std::sync::Mutex::new(None));
        let (seen, observed) = (std::sync::Arc::clone(&idle_at_release), pool.clone());
        let mut d = pool.take().under(HashPermit::new(move || {
            *seen.lock().expect("seen") = Some(observed.idle());
        }));
        d.blocks(8);
        assert_eq!(pool.idle(), 0);
        drop(d);
        assert_eq!(*idle_at_release.lock().expect("seen"), Some(1));
        assert_eq!(pool.lent(), 0);
    }

    #[test]
    fn an_unused_buffer_is_not_kept() {
        let pool = MemoryPool::new(2);
        drop(pool.take());
        assert_eq!(pool.idle(), 0);
    }

    #[test]
    fn a_buffer_grows_for_larger_parameters_and_the_larger_one_is_kept() {
        let pool = MemoryPool::new(1);
        let mut lent = pool.take();
        lent.blocks(8);
        lent.blocks(16);
        drop(lent);
        assert_eq!(pool.take().kib(), 16);
    }

    #[test]
    fn clones_share_one_pool() {
        let pool = MemoryPool::new(1);
        let clone = pool.clone();
        let mut lent = clone.take();
        lent.blocks(4);
        drop(lent);
        assert_eq!(pool.idle(), 1);
        assert_eq!(format!("{pool:?}"), "MemoryPool { max_idle: 1, idle: 1 }");
    }

    #[test]
    fn an_unpooled_buffer_goes_nowhere() {
        let mut memory = PooledMemory::unpooled();
        memory.blocks(4);
        assert_eq!(
            format!("{memory:?}"),
            "PooledMemory { memory: WorkingMemory(4 KiB), pooled: false, permit: false }"
        );
    }
}
