//! TOTP (RFC 6238) as Cognito's software tokens use it: HMAC-SHA-1, 6 digits, 30-second
//! steps, one step of skew either way. The arithmetic is `totp-rs`'s; what is ours is that
//! the time is an input and that a step, once accepted, is never accepted again.

use std::fmt;

use chrono::{DateTime, Utc};
use totp_rs::{Builder, Secret};
use zeroize::Zeroizing;

use crate::entropy::{self, Entropy};
use crate::error::{Internal, Result};

/// Bytes in a TOTP secret: 160 bits, RFC 4226's recommendation, and what Cognito hands out
/// (its `SecretCode` is 32 base32 characters).
pub const SECRET_LEN: usize = 20;

/// A TOTP shared secret. Wiped on drop, redacted in `Debug`, no `Display`: the only way out
/// is [`TotpSecret::to_base32`], for the AssociateSoftwareToken answer.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Zeroizing<[u8; SECRET_LEN]>);

impl TotpSecret {
    /// A fresh secret from the caller's randomness.
    ///
    /// # Errors
    /// `InternalErrorException` when the entropy source fails.
    pub fn generate(entropy: &mut dyn Entropy) -> Result<Self> {
        Ok(TotpSecret(Zeroizing::new(entropy::bytes(entropy)?)))
    }

    /// Wraps stored bytes.
    #[must_use]
    pub fn from_bytes(bytes: [u8; SECRET_LEN]) -> Self {
        TotpSecret(Zeroizing::new(bytes))
    }

    /// The raw bytes, for the stored state.
    #[must_use]
    pub(crate) fn as_bytes(&self) -> &[u8; SECRET_LEN] {
        &self.0
    }

    /// The secret as an authenticator app takes it: RFC 4648 base32 without padding, 32
    /// characters (Cognito's `SecretCode`).
    #[must_use]
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(Secret::new_stack(*self.0).to_base32())
    }

    fn totp(&self) -> Result<totp_rs::Totp> {
        // SHA-1, 6 digits, skew 1, 30 s are the builder's defaults; spelled out so that a
        // change of default in the crate cannot change what our users' apps must compute.
        Builder::new()
            .with_algorithm(totp_rs::Algorithm::SHA1)
            .with_digits(6)
            .with_skew(1)
            .with_step_duration(STEP_SECONDS)
            .with_secret(Secret::new_stack(*self.0))
            .build()
            .map_err(|_| Internal::Storage.into())
    }

    /// The time step a code matches at `now` (the current step or one either side), if it
    /// matches one later than `last_step`: a step is accepted at most once (RFC 6238 §5.2).
    /// The comparison is constant time (`totp-rs` compares tokens with `constant_time_eq`).
    ///
    /// # Errors
    /// `InternalErrorException` if the secret cannot make a TOTP (it always can: the length
    /// is fixed).
    pub fn accepts(
        &self,
        code: &str,
        now: DateTime<Utc>,
        last_step: Option<u64>,
    ) -> Result<Option<u64>> {
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        let Ok(time) = u64::try_from(now.timestamp()) else {
            return Ok(None);
        };
        // The crate checks the step and one either side, comparing in constant time, and
        // says which step matched; a step already used is refused here.
        let matched = self.totp()?.check(code, time);
        Ok(matched.filter(|&step| last_step.is_none_or(|last| step > last)))
    }

    /// The code at `now`, for tests and tools that stand in for an authenticator app.
    ///
    /// # Errors
    /// As [`TotpSecret::accepts`].
    pub fn code_at(&self, now: DateTime<Utc>) -> Result<Zeroizing<String>> {
        let time = u64::try_from(now.timestamp()).unwrap_or(0);
        Ok(Zeroizing::new(self.totp()?.generate(time).to_string()))
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

/// Seconds in a TOTP step.
pub const STEP_SECONDS: u64 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).expect("time")
    }

    // RFC 6238 Appendix B, SHA-1 seed "12345678901234567890"; the 8-digit values' last six.
    #[test]
    fn rfc_6238_vectors() {
        let secret = TotpSecret::from_bytes(*b"12345678901234567890");
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(secret.code_at(at(time)).expect("code").as_str(), code);
            assert!(
                secret
                    .accepts(code, at(time), None)
                    .expect("check")
                    .is_some()
            );
        }
        assert_eq!(secret.to_base32().len(), 32);
    }

    #[test]
    fn one_step_of_skew_each_way_and_each_step_once() {
        let secret = TotpSecret::from_bytes([7; SECRET_LEN]);
        let t = 1_700_000_000 - 1_700_000_000 % 30;
        let code = secret.code_at(at(t)).expect("code");
        let step = u64::try_from(t).expect("positive") / 30;
        assert_eq!(
            secret.accepts(&code, at(t - 30), None).expect("ok"),
            Some(step)
        );
        assert_eq!(
            secret.accepts(&code, at(t + 59), None).expect("ok"),
            Some(step)
        );
        assert_eq!(secret.accepts(&code, at(t + 60), None).expect("ok"), None);
        assert_eq!(secret.accepts(&code, at(t - 31), None).expect("ok"), None);
        assert_eq!(secret.accepts(&code, at(t), Some(step)).expect("ok"), None);
        assert_eq!(secret.accepts("12345", at(t), None).expect("ok"), None);
        assert_eq!(secret.accepts("12345a", at(t), None).expect("ok"), None);
        assert!(format!("{secret:?}").contains("redacted"));
    }
}
