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
    idle: Mutex<Vec<WorkingMemory>>,
    max_idle: usize,
}

impl MemoryPool {
    /// A pool keeping at most `max_idle` wiped buffers; 0 keeps none (every operation
    /// allocates, as with no pool).
    #[must_use]
    pub fn new(max_idle: usize) -> Self {
        MemoryPool {
            shared: Arc::new(Shared {
                idle: Mutex::new(Vec::with_capacity(max_idle)),
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
        self.lock().len()
    }

    /// A buffer for one operation: a waiting one if there is one, else a new empty one. It
    /// comes back, wiped, when the [`PooledMemory`] is dropped.
    #[must_use]
    pub fn take(&self) -> PooledMemory {
        let memory = self.lock().pop().unwrap_or_default();
        PooledMemory {
            memory,
            pool: Some(self.clone()),
        }
    }

    // The list only ever holds wiped buffers, so a panic elsewhere while it was locked
    // leaves nothing half-done in it: a poisoned lock is safe to keep using.
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<WorkingMemory>> {
        self.shared
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn give_back(&self, mut memory: WorkingMemory) {
        if memory.kib() == 0 || self.idle() >= self.shared.max_idle {
            return; // dropped here, and wiped by its own drop
        }
        memory.wipe();
        let mut idle = self.lock();
        if idle.len() < self.shared.max_idle {
            idle.push(memory);
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
/// returns it there.
pub struct PooledMemory {
    memory: WorkingMemory,
    pool: Option<MemoryPool>,
}

impl PooledMemory {
    /// A fresh buffer that belongs to no pool: wiped and freed when dropped.
    #[must_use]
    pub fn unpooled() -> Self {
        PooledMemory {
            memory: WorkingMemory::new(),
            pool: None,
        }
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
    }
}

impl fmt::Debug for PooledMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledMemory")
            .field("memory", &self.memory)
            .field("pooled", &self.pool.is_some())
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
        let idle = pool.lock();
        assert_eq!(idle.len(), 1);
        assert_eq!(idle[0].kib(), 64);
        assert!(idle[0].is_zeroed());
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
            "PooledMemory { memory: WorkingMemory(4 KiB), pooled: false }"
        );
    }
}
