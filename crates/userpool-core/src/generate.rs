//! Secrets the pool makes up: temporary passwords, confirmation codes, session tokens.

use zeroize::Zeroizing;

use crate::entropy::{self, Entropy};
use crate::error::{Internal, Result};
use crate::input::{ConfirmationCode, Password};
use crate::policy::{PasswordPolicy, PolicySubject};

const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &[u8] = b"23456789";
// Symbols that survive e-mail, SMS and shells without quoting surprises.
const SYMBOLS: &[u8] = b"!#%+-.=@^_~";

fn pick(entropy: &mut dyn Entropy, set: &[u8]) -> Result<u8> {
    // invariant: the sets above are short constants, far below u32::MAX.
    let len = u32::try_from(set.len()).map_err(|_| Internal::EntropyUnavailable)?;
    let i = entropy::below(entropy, len)?;
    Ok(set[i as usize])
}

/// A temporary password that satisfies `policy`: 16 characters (or the policy's minimum
/// if higher, capped at its maximum), one of each class the policy requires, shuffled.
///
/// # Errors
/// `InternalErrorException` when the entropy source fails, or when no candidate passes the
/// policy's optional checks after many tries (a blocklist that forbids everything).
pub fn temporary_password(
    policy: &PasswordPolicy,
    subject: PolicySubject<'_>,
    entropy: &mut dyn Entropy,
) -> Result<Password> {
    let mut length = usize::from(policy.minimum_length()).max(16);
    if let Some(max) = policy.maximum_length() {
        length = length.min(usize::from(max));
    }
    let mut all = Vec::new();
    all.extend_from_slice(LOWER);
    all.extend_from_slice(UPPER);
    all.extend_from_slice(DIGITS);
    all.extend_from_slice(SYMBOLS);
    for _ in 0..32 {
        let mut chars = Zeroizing::new(Vec::with_capacity(length));
        for set in [LOWER, UPPER, DIGITS, SYMBOLS] {
            chars.push(pick(entropy, set)?);
        }
        while chars.len() < length {
            chars.push(pick(entropy, &all)?);
        }
        // Fisher–Yates, so the guaranteed characters are not always first.
        for i in (1..chars.len()).rev() {
            let bound = u32::try_from(i + 1).map_err(|_| Internal::EntropyUnavailable)?;
            let j = entropy::below(entropy, bound)? as usize;
            chars.swap(i, j);
        }
        let text = Zeroizing::new(String::from_utf8_lossy(&chars).into_owned());
        // Only ASCII symbols that are never whitespace: the password limits cannot fail.
        let Ok(password) = Password::parse(&text) else {
            continue;
        };
        if policy.first_violation(&password, subject).is_none() {
            return Ok(password);
        }
    }
    Err(Internal::EntropyUnavailable.into())
}

/// A six-digit confirmation code, as Cognito sends.
///
/// # Errors
/// `InternalErrorException` when the entropy source fails.
pub fn confirmation_code(entropy: &mut dyn Entropy) -> Result<ConfirmationCode> {
    let n = entropy::below(entropy, 1_000_000)?;
    ConfirmationCode::parse(&format!("{n:06}"))
}

/// A 256-bit session token, base64url-encoded.
///
/// # Errors
/// `InternalErrorException` when the entropy source fails.
pub fn session_token(entropy: &mut dyn Entropy) -> Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(entropy::bytes::<32>(entropy)?);
    Ok(Zeroizing::new(crate::secret::encode_token(&bytes[..])))
}
