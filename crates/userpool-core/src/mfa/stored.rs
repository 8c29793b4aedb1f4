//! What a store keeps of a user's MFA (SPEC §18): one byte string in
//! [`UserRecord::mfa`](crate::UserRecord::mfa), like the SRP state, so that a sealing layer
//! seals it whole (the TOTP secrets are secrets at rest, SPEC §14) and a store persists it
//! without knowing what is inside.
//!
//! Encoding, version 1 (all integers big-endian):
//!
//! ```text
//! version: u8 = 1
//! flags: u8        bit 0 TOTP verified, bit 1 TOTP enabled, bit 2 last step present,
//!                  bit 3 pending TOTP secret, bit 4 SMS enabled, bit 5 open challenge
//! preferred: u8    0 none, 1 SOFTWARE_TOKEN_MFA, 2 SMS_MFA
//! [20]             verified TOTP secret            (bit 0)
//! u64              last accepted TOTP step         (bit 2)
//! [20]             pending TOTP secret             (bit 3)
//! u8 n, n × (i64 seconds, u32 nanos)   SMS codes issued in the window, oldest first
//! challenge                                        (bit 5):
//!   u8 stage (1 SOFTWARE_TOKEN_MFA, 2 SMS_MFA, 3 SELECT_MFA_TYPE, 4 MFA_SETUP,
//!             5 MFA_SETUP with the token verified), u8 wrong answers,
//!   i64 seconds, u32 nanos (expiry), str session digest, str credential digest,
//!   u8 0|1 then str SMS code digest
//! str = u8 length ‖ UTF-8 (a `SecretDigest` in its storage form)
//! ```

use std::fmt;

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::MfaFactor;
use super::totp::{SECRET_LEN, TotpSecret};
use crate::error::{Internal, Result};
use crate::secret::SecretDigest;

/// A user's MFA state as a store keeps it: bytes, wiped on drop, redacted in `Debug`.
///
/// Written by the core; a store persists it as it is and gives it back unchanged. A
/// sealing layer may replace it by its sealed form on the way in and open it on the way
/// out: the core reads only the plain form.
#[derive(Clone, PartialEq, Eq)]
pub struct MfaBlob(Zeroizing<Vec<u8>>);

impl MfaBlob {
    /// Wraps stored bytes.
    #[must_use]
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        MfaBlob(Zeroizing::new(bytes))
    }

    /// The bytes to store.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for MfaBlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MfaBlob(<{} bytes redacted>)", self.0.len())
    }
}

/// A verified software token.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct TotpFactor {
    pub(crate) secret: TotpSecret,
    /// Turned on by SetUserMFAPreference (or by completing MFA_SETUP).
    pub(crate) enabled: bool,
    /// The last time step a code was accepted at; none later than it is accepted again.
    pub(crate) last_step: Option<u64>,
}

/// Where an open MFA challenge stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Stage {
    SoftwareToken = 1,
    Sms = 2,
    Select = 3,
    Setup = 4,
    SetupVerified = 5,
}

/// An open MFA challenge: only digests of its session and SMS code are kept.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct OpenChallenge {
    pub(crate) stage: Stage,
    pub(crate) wrong_answers: u8,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) session: SecretDigest,
    /// The credential that passed the first factor: a changed password voids the session.
    pub(crate) credential: SecretDigest,
    pub(crate) sms_code: Option<SecretDigest>,
}

/// The decoded form of an [`MfaBlob`].
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct MfaState {
    pub(crate) totp: Option<TotpFactor>,
    pub(crate) pending_totp: Option<TotpSecret>,
    pub(crate) sms_enabled: bool,
    pub(crate) preferred: Option<MfaFactor>,
    pub(crate) sms_issued: Vec<DateTime<Utc>>,
    pub(crate) challenge: Option<OpenChallenge>,
}

const VERSION: u8 = 1;

/// The most SMS issuance instants kept (the window's limit is capped at this).
const MAX_ISSUED: usize = crate::user::CodeThrottle::MAX_TRACKED;

impl MfaState {
    /// Reads the user's state; no blob is the empty state.
    pub(crate) fn read(blob: Option<&MfaBlob>) -> Result<Self> {
        blob.map_or_else(|| Ok(MfaState::default()), MfaState::decode)
    }

    /// The blob to store, or `None` for the empty state (a user who never touched MFA keeps
    /// a record without it).
    pub(crate) fn write(&self) -> Option<MfaBlob> {
        (*self != MfaState::default()).then(|| self.encode())
    }

    fn encode(&self) -> MfaBlob {
        let mut out = Zeroizing::new(Vec::with_capacity(256));
        let mut flags = 0u8;
        if let Some(t) = &self.totp {
            flags |= 1;
            if t.enabled {
                flags |= 2;
            }
            if t.last_step.is_some() {
                flags |= 4;
            }
        }
        if self.pending_totp.is_some() {
            flags |= 8;
        }
        if self.sms_enabled {
            flags |= 16;
        }
        if self.challenge.is_some() {
            flags |= 32;
        }
        out.push(VERSION);
        out.push(flags);
        out.push(match self.preferred {
            None => 0,
            Some(MfaFactor::SoftwareToken) => 1,
            Some(MfaFactor::Sms) => 2,
        });
        if let Some(t) = &self.totp {
            out.extend_from_slice(t.secret.as_bytes());
            if let Some(step) = t.last_step {
                out.extend_from_slice(&step.to_be_bytes());
            }
        }
        if let Some(p) = &self.pending_totp {
            out.extend_from_slice(p.as_bytes());
        }
        let issued = &self.sms_issued[self.sms_issued.len().saturating_sub(MAX_ISSUED)..];
        // invariant: at most MAX_ISSUED (64) entries, below 256.
        out.push(u8::try_from(issued.len()).unwrap_or(u8::MAX));
        for at in issued {
            put_time(&mut out, *at);
        }
        if let Some(c) = &self.challenge {
            out.push(c.stage as u8);
            out.push(c.wrong_answers);
            put_time(&mut out, c.expires_at);
            put_str(&mut out, &c.session.to_storage());
            put_str(&mut out, &c.credential.to_storage());
            match &c.sms_code {
                None => out.push(0),
                Some(code) => {
                    out.push(1);
                    put_str(&mut out, &code.to_storage());
                }
            }
        }
        MfaBlob(Zeroizing::new(std::mem::take(&mut *out)))
    }

    /// # Errors
    /// `InternalErrorException` when the bytes are not a state this version wrote (a sealed
    /// value that was never opened included).
    fn decode(blob: &MfaBlob) -> Result<Self> {
        let mut r = Reader(blob.as_bytes());
        if r.byte()? != VERSION {
            return Err(Internal::Storage.into());
        }
        let flags = r.byte()?;
        if flags & !63 != 0 {
            return Err(Internal::Storage.into());
        }
        let preferred = match r.byte()? {
            0 => None,
            1 => Some(MfaFactor::SoftwareToken),
            2 => Some(MfaFactor::Sms),
            _ => return Err(Internal::Storage.into()),
        };
        let totp = if flags & 1 != 0 {
            let secret = TotpSecret::from_bytes(r.array::<SECRET_LEN>()?);
            let last_step = if flags & 4 != 0 {
                Some(u64::from_be_bytes(r.array()?))
            } else {
                None
            };
            Some(TotpFactor {
                secret,
                enabled: flags & 2 != 0,
                last_step,
            })
        } else if flags & 6 != 0 {
            return Err(Internal::Storage.into());
        } else {
            None
        };
        let pending_totp = if flags & 8 != 0 {
            Some(TotpSecret::from_bytes(r.array::<SECRET_LEN>()?))
        } else {
            None
        };
        let count = usize::from(r.byte()?);
        if count > MAX_ISSUED {
            return Err(Internal::Storage.into());
        }
        let mut sms_issued = Vec::with_capacity(count);
        for _ in 0..count {
            sms_issued.push(r.time()?);
        }
        let challenge = if flags & 32 != 0 {
            let stage = match r.byte()? {
                1 => Stage::SoftwareToken,
                2 => Stage::Sms,
                3 => Stage::Select,
                4 => Stage::Setup,
                5 => Stage::SetupVerified,
                _ => return Err(Internal::Storage.into()),
            };
            let wrong_answers = r.byte()?;
            let expires_at = r.time()?;
            let session = SecretDigest::from_storage(r.str()?)?;
            let credential = SecretDigest::from_storage(r.str()?)?;
            let sms_code = match r.byte()? {
                0 => None,
                1 => Some(SecretDigest::from_storage(r.str()?)?),
                _ => return Err(Internal::Storage.into()),
            };
            Some(OpenChallenge {
                stage,
                wrong_answers,
                expires_at,
                session,
                credential,
                sms_code,
            })
        } else {
            None
        };
        if !r.0.is_empty() {
            return Err(Internal::Storage.into());
        }
        Ok(MfaState {
            totp,
            pending_totp,
            sms_enabled: flags & 16 != 0,
            preferred,
            sms_issued,
            challenge,
        })
    }
}

fn put_time(out: &mut Vec<u8>, at: DateTime<Utc>) {
    out.extend_from_slice(&at.timestamp().to_be_bytes());
    out.extend_from_slice(&at.timestamp_subsec_nanos().to_be_bytes());
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    // Digest storage forms are 66 characters; longer is never written.
    let bytes = text.as_bytes();
    let len = bytes.len().min(255);
    out.push(u8::try_from(len).unwrap_or(u8::MAX));
    out.extend_from_slice(&bytes[..len]);
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(Internal::Storage.into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn time(&mut self) -> Result<DateTime<Utc>> {
        let seconds = i64::from_be_bytes(self.array()?);
        let nanos = u32::from_be_bytes(self.array()?);
        DateTime::from_timestamp(seconds, nanos).ok_or_else(|| Internal::Storage.into())
    }

    fn str(&mut self) -> Result<&'a str> {
        let len = usize::from(self.byte()?);
        std::str::from_utf8(self.take(len)?).map_err(|_| Internal::Storage.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_refuses_garbage() {
        let mut rng = crate::testing::seeded_entropy(3);
        let now = crate::testing::epoch();
        let state = MfaState {
            totp: Some(TotpFactor {
                secret: TotpSecret::from_bytes([1; SECRET_LEN]),
                enabled: true,
                last_step: Some(56_666_666),
            }),
            pending_totp: Some(TotpSecret::from_bytes([2; SECRET_LEN])),
            sms_enabled: true,
            preferred: Some(MfaFactor::Sms),
            sms_issued: vec![now, now + chrono::TimeDelta::seconds(5)],
            challenge: Some(OpenChallenge {
                stage: Stage::Sms,
                wrong_answers: 2,
                expires_at: now,
                session: SecretDigest::new(b"s", &mut rng).expect("digest"),
                credential: SecretDigest::fingerprint(b"c"),
                sms_code: Some(SecretDigest::new(b"123456", &mut rng).expect("digest")),
            }),
        };
        let blob = state.write().expect("not empty");
        assert_eq!(MfaState::read(Some(&blob)).expect("decode"), state);
        assert_eq!(MfaState::default().write(), None);
        assert_eq!(MfaState::read(None).expect("empty"), MfaState::default());
        let mut cut = blob.as_bytes().to_vec();
        cut.pop();
        assert!(MfaState::decode(&MfaBlob::from_bytes(cut)).is_err());
        let mut longer = blob.as_bytes().to_vec();
        longer.push(0);
        assert!(MfaState::decode(&MfaBlob::from_bytes(longer)).is_err());
        assert!(MfaState::decode(&MfaBlob::from_bytes(b"upseal1".to_vec())).is_err());
        assert!(format!("{blob:?}").contains("redacted"));
    }
}
