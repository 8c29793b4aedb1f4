//! What a client passes its triggers (SPEC §19): an operation's `ClientMetadata` and
//! `ValidationData`, carried from the wire to the events the operation's triggers receive.
//!
//! Cognito accepts both on most user operations and hands them to some triggers only (its
//! documented routing, applied where each event is built):
//!
//! | operation | trigger | field |
//! |---|---|---|
//! | SignUp, AdminCreateUser | PreSignUp | `validationData` ← ValidationData, `clientMetadata` ← ClientMetadata |
//! | InitiateAuth, AdminInitiateAuth | PreAuthentication, UserMigration | `validationData` ← ClientMetadata |
//! | ForgotPassword | UserMigration | `clientMetadata` ← ClientMetadata |
//! | ConfirmSignUp, AdminConfirmSignUp, ConfirmForgotPassword | PostConfirmation | `clientMetadata` ← ClientMetadata |
//! | RespondToAuthChallenge, AdminRespondToAuthChallenge | PostAuthentication, PreTokenGeneration | `clientMetadata` ← ClientMetadata |
//!
//! A host passes them with [`UserPools::with_trigger_input`], which scopes them to the
//! operations run inside it on the calling thread (the service's operations are blocking
//! and run on that thread), so no operation's signature grows two maps most hosts never use.

use std::cell::RefCell;
use std::collections::BTreeMap;

use userpool_core::{Error, Result};
use userpool_store::store::Store;

use super::UserPools;

/// The most bytes (keys and values together) a `ClientMetadata` or `ValidationData` may
/// hold **(decision: Cognito documents no bound; its wire body is bounded, a library host's
/// is not, and each map is copied into every event and Lambda payload)**.
pub const MAX_TRIGGER_DATA_BYTES: usize = 64 * 1024;

/// An operation's `ClientMetadata` and `ValidationData`, validated: each at most
/// [`MAX_TRIGGER_DATA_BYTES`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TriggerInput {
    client_metadata: BTreeMap<String, String>,
    validation_data: BTreeMap<String, String>,
    aws_sdk_version: Option<String>,
}

impl TriggerInput {
    /// Validates `client_metadata` and `validation_data` (`ValidationData`'s
    /// `[{"Name","Value"}]` given as pairs; a repeated name keeps the last value, as a map).
    ///
    /// # Errors
    /// `InvalidParameterException` when either is larger than [`MAX_TRIGGER_DATA_BYTES`].
    pub fn new(
        client_metadata: BTreeMap<String, String>,
        validation_data: BTreeMap<String, String>,
    ) -> Result<Self> {
        for (member, map) in [
            ("clientMetadata", &client_metadata),
            ("validationData", &validation_data),
        ] {
            let size: usize = map.iter().map(|(k, v)| k.len() + v.len()).sum();
            if size > MAX_TRIGGER_DATA_BYTES {
                return Err(Error::InvalidParameterMessage(format!(
                    "1 validation error detected: Value at '{member}' failed to satisfy \
                     constraint: Member must have total length less than or equal to \
                     {MAX_TRIGGER_DATA_BYTES}"
                )));
            }
        }
        Ok(TriggerInput {
            client_metadata,
            validation_data,
            aws_sdk_version: None,
        })
    }

    /// The caller's SDK for `callerContext.awsSdkVersion` (`aws-sdk-<language>-<version>`,
    /// as the host read it from the request). A value longer than 128 bytes or with
    /// characters other than ASCII letters, digits, `-`, `.` and `_` is dropped (it names
    /// an unknown SDK): it comes from an unauthenticated header and goes into every event.
    #[must_use]
    pub fn with_aws_sdk_version(self, version: &str) -> Self {
        let plausible = !version.is_empty()
            && version.len() <= 128
            && version
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
        TriggerInput {
            aws_sdk_version: plausible.then(|| version.to_owned()),
            ..self
        }
    }

    /// The caller's SDK, if known.
    #[must_use]
    pub fn aws_sdk_version(&self) -> Option<&str> {
        self.aws_sdk_version.as_deref()
    }

    /// The operation's `ClientMetadata`.
    #[must_use]
    pub fn client_metadata(&self) -> &BTreeMap<String, String> {
        &self.client_metadata
    }

    /// The operation's `ValidationData`.
    #[must_use]
    pub fn validation_data(&self) -> &BTreeMap<String, String> {
        &self.validation_data
    }

    /// InitiateAuth's and AdminInitiateAuth's routing: their `ClientMetadata` reaches
    /// PreAuthentication and UserMigration as `validationData`, and no trigger as
    /// `clientMetadata` (PostAuthentication and PreTokenGeneration receive only
    /// RespondToAuthChallenge's), as Cognito documents.
    #[must_use]
    pub fn as_sign_in(self) -> Self {
        TriggerInput {
            client_metadata: BTreeMap::new(),
            validation_data: self.client_metadata,
            aws_sdk_version: self.aws_sdk_version,
        }
    }

    /// Whether both are empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.client_metadata.is_empty() && self.validation_data.is_empty()
    }
}

thread_local! {
    static CURRENT: RefCell<TriggerInput> = RefCell::new(TriggerInput::default());
}

/// The input of the operation running on this thread (empty outside
/// [`UserPools::with_trigger_input`]).
pub(crate) fn current() -> TriggerInput {
    CURRENT.with(|c| c.borrow().clone())
}

/// Restores the previous input when the scope ends, also on unwind.
struct Restore(Option<TriggerInput>);

impl Drop for Restore {
    fn drop(&mut self) {
        if let Some(previous) = self.0.take() {
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
}

impl<S: Store + ?Sized> UserPools<S> {
    /// Runs `operation` with `input` as the `ClientMetadata` and `ValidationData` its
    /// triggers receive (see the module's table for which trigger gets which). Nested
    /// scopes restore the outer input when they end.
    pub fn with_trigger_input<R>(&self, input: TriggerInput, operation: impl FnOnce() -> R) -> R {
        let previous = CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), input));
        let _restore = Restore(Some(previous));
        operation()
    }
}
