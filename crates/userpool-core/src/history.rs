//! Password history (SPEC §5): which hashes a new password may not match, checked before
//! the new password is hashed, and how the history moves when a password is replaced.

use crate::config::{HistoryMode, PoolRules};
use crate::entropy::{self, Entropy};
use crate::error::{Error, Result};
use crate::hash::{OUTPUT_LEN, PasswordHash, PasswordHasher, SALT_LEN};
use crate::input::Password;
use crate::memory::WorkingMemory;
use crate::user::{CredentialKind, UserRecord};

use subtle::ConstantTimeEq;

/// The hashes a new password may not match when the history size is `n`: the current
/// password (temporary or permanent) and the `n − 1` previous permanent ones, newest first.
#[must_use]
pub fn forbidden(user: &UserRecord, n: u8) -> Vec<&PasswordHash> {
    if n == 0 {
        return Vec::new();
    }
    user.credential
        .iter()
        .map(|c| &c.hash)
        .chain(user.history.iter().take(usize::from(n) - 1))
        .collect()
}

/// The history after the current credential is replaced: a permanent one moves to the
/// front, a temporary one is dropped **(decision)**, and the list is cut to `n − 1`
/// (so lowering `n` trims it at the next change).
#[must_use]
pub fn after_replacement(user: &UserRecord, n: u8) -> Vec<PasswordHash> {
    let keep = usize::from(n).saturating_sub(1);
    let outgoing = user
        .credential
        .iter()
        .filter(|c| c.kind == CredentialKind::Permanent)
        .map(|c| c.hash.clone());
    outgoing
        .chain(user.history.iter().cloned())
        .take(keep)
        .collect()
}

/// Hashes `candidate` as the user's next password, first refusing it with
/// `PasswordHistoryPolicyViolationException` if it matches any of `forbidden`.
///
/// Returns the new hash and the user's history salt (unchanged, or newly drawn).
pub(crate) fn check_then_hash(
    rules: &PoolRules,
    user_salt: Option<[u8; SALT_LEN]>,
    candidate: &Password,
    forbidden: &[&PasswordHash],
    entropy: &mut dyn Entropy,
) -> Result<(PasswordHash, Option<[u8; SALT_LEN]>)> {
    let hasher = &rules.hasher;
    let mut memory = hasher.working_memory()?;
    match rules.history_mode {
        HistoryMode::PerEntrySalt => {
            if any_matches(
                hasher,
                candidate,
                forbidden,
                &mut memory,
                rules.parallel_history,
            )? {
                return Err(Error::PasswordHistoryPolicyViolation);
            }
            Ok((hasher.hash_in(candidate, entropy, &mut memory)?, user_salt))
        }
        HistoryMode::PerUserSalt => {
            let salt = match user_salt {
                Some(salt) => salt,
                None => entropy::bytes(entropy)?,
            };
            let fresh = hasher.hash_with_salt(candidate, &salt, &mut memory)?;
            let (_, fresh_output) = fresh.parts()?;
            // Entries made with this salt and these parameters compare by output; older
            // ones (before the pool switched mode or raised its cost) are verified.
            let mut slow = Vec::new();
            let mut matched = subtle::Choice::from(0);
            for entry in forbidden {
                // An imported entry (SPEC §19) has no argon2id output to compare: verified.
                let comparable = if entry.params() == Some(hasher.params()) {
                    let (entry_salt, entry_output) = entry.parts()?;
                    (entry_salt.as_ref() == salt.as_slice() && entry_output.len() == OUTPUT_LEN)
                        .then_some(entry_output)
                } else {
                    None
                };
                match comparable {
                    Some(entry_output) => {
                        matched |= entry_output.as_bytes().ct_eq(fresh_output.as_bytes());
                    }
                    None => slow.push(*entry),
                }
            }
            if bool::from(matched)
                || any_matches(
                    hasher,
                    candidate,
                    &slow,
                    &mut memory,
                    rules.parallel_history,
                )?
            {
                return Err(Error::PasswordHistoryPolicyViolation);
            }
            Ok((fresh, Some(salt)))
        }
    }
}

/// Whether `candidate` verifies against any entry, newest first, stopping at the first match.
///
/// With `parallel` (and the `parallel` feature), entries are shared among as many threads as
/// the machine has cores, each with its own reused working memory. The caller's `memory`
/// holds its permit (SPEC §13); each helper thread needs one more, taken only if free now
/// (never waited for, so helpers cannot deadlock against other operations), else the work
/// is shared among fewer threads.
pub(crate) fn any_matches(
    hasher: &PasswordHasher,
    candidate: &Password,
    entries: &[&PasswordHash],
    memory: &mut WorkingMemory,
    parallel: bool,
) -> Result<bool> {
    #[cfg(feature = "parallel")]
    if parallel && entries.len() > 1 {
        return parallel::any_matches(hasher, candidate, entries, memory);
    }
    let _ = parallel;
    for entry in entries {
        if hasher.verify_in(candidate, entry, memory)? {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(feature = "parallel")]
mod parallel {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use super::{Error, Password, PasswordHash, PasswordHasher, Result, WorkingMemory};
    use crate::error::Internal;

    pub(super) fn any_matches(
        hasher: &PasswordHasher,
        candidate: &Password,
        entries: &[&PasswordHash],
        memory: &mut WorkingMemory,
    ) -> Result<bool> {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let workers = cores.min(entries.len());
        // One permit (and buffer) per helper, taken before any thread starts: the helpers
        // that found none are simply not started.
        let mut lent: Vec<_> = (1..workers)
            .map_while(|_| hasher.try_working_memory())
            .collect();
        let next = AtomicUsize::new(0);
        let found = AtomicBool::new(false);
        // Each worker takes the next entry (newest first) until one matches or none is left.
        let work = |memory: &mut WorkingMemory| -> Result<()> {
            while !found.load(Ordering::Acquire) {
                let i = next.fetch_add(1, Ordering::AcqRel);
                let Some(entry) = entries.get(i) else { break };
                if hasher.verify_in(candidate, entry, memory)? {
                    found.store(true, Ordering::Release);
                }
            }
            Ok(())
        };
        let mut first_error: Option<Error> = None;
        std::thread::scope(|scope| {
            let helpers: Vec<_> = lent
                .iter_mut()
                .map(|memory| scope.spawn(|| work(memory)))
                .collect();
            let mine = work(memory);
            let theirs = helpers.into_iter().map(|h| {
                h.join()
                    .unwrap_or(Err(Error::Internal(Internal::HashingFailed)))
            });
            for result in std::iter::once(mine).chain(theirs) {
                if let Err(e) = result {
                    first_error.get_or_insert(e);
                }
            }
        });
        if found.load(Ordering::Acquire) {
            return Ok(true);
        }
        first_error.map_or(Ok(false), Err)
    }
}
