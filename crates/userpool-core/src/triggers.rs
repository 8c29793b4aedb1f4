//! Cognito's triggers (SPEC §19) as host hooks: the events Cognito sends to a Lambda function,
//! the answers it reads back, and the [`Triggers`] trait a host implements.
//!
//! An embedding server implements [`Triggers`] directly (migrating users from its own legacy
//! store, say, without any Lambda); `userpool-server` implements it by invoking Lambda
//! functions through the Lambda Invoke API with Cognito's event JSON. Every method has a
//! default that does what Cognito does with no trigger configured, so a host implements only
//! the triggers it has.
//!
//! The events carry what the operation knows; answers are plain data the service applies
//! (after validating them: a migrated user's attributes go through the same checks as any
//! write). A trigger that refuses, fails or answers nonsense makes the operation fail with
//! [`TriggerError`] and change nothing.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::ErrorCode;
use crate::input::Password;

/// The triggers of Cognito's `LambdaConfig` this library runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Trigger {
    /// `UserMigration`.
    UserMigration,
    /// `PreSignUp`.
    PreSignUp,
    /// `PostConfirmation`.
    PostConfirmation,
    /// `PreAuthentication`.
    PreAuthentication,
    /// `PostAuthentication`.
    PostAuthentication,
    /// `PreTokenGeneration` (event version 1).
    PreTokenGeneration,
}

impl Trigger {
    /// Every trigger.
    pub const ALL: [Trigger; 6] = [
        Trigger::UserMigration,
        Trigger::PreSignUp,
        Trigger::PostConfirmation,
        Trigger::PreAuthentication,
        Trigger::PostAuthentication,
        Trigger::PreTokenGeneration,
    ];

    /// The name Cognito gives it in `LambdaConfig` and in its error messages.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Trigger::UserMigration => "UserMigration",
            Trigger::PreSignUp => "PreSignUp",
            Trigger::PostConfirmation => "PostConfirmation",
            Trigger::PreAuthentication => "PreAuthentication",
            Trigger::PostAuthentication => "PostAuthentication",
            Trigger::PreTokenGeneration => "PreTokenGeneration",
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a trigger stopped an operation. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TriggerError {
    /// The function refused (it raised an error): `UserLambdaValidationException`
    /// `<Trigger> failed with error <its message>.`
    #[error("{trigger} failed with error {message}.")]
    Refused {
        /// Which trigger.
        trigger: Trigger,
        /// The function's error message.
        message: String,
    },
    /// The function could not be invoked, timed out or crashed: `UnexpectedLambdaException`
    /// `<Trigger> invocation failed due to error <reason>.`
    #[error("{trigger} invocation failed due to error {reason}.")]
    Unreachable {
        /// Which trigger.
        trigger: Trigger,
        /// What went wrong (never a secret).
        reason: String,
    },
    /// The answer was not the event shape Cognito expects: `InvalidLambdaResponseException`
    /// `Unrecognizable lambda output`.
    #[error("Unrecognizable lambda output")]
    InvalidResponse {
        /// Which trigger.
        trigger: Trigger,
    },
}

impl TriggerError {
    /// The Cognito exception.
    #[must_use]
    pub fn kind(&self) -> ErrorCode {
        match self {
            TriggerError::Refused { .. } => ErrorCode::UserLambdaValidation,
            TriggerError::Unreachable { .. } => ErrorCode::UnexpectedLambda,
            TriggerError::InvalidResponse { .. } => ErrorCode::InvalidLambdaResponse,
        }
    }
}

impl From<TriggerError> for crate::error::Error {
    fn from(e: TriggerError) -> Self {
        crate::error::Error::Trigger(e)
    }
}

/// What every event says: the pool, the app client (when the operation has one), the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerCaller {
    /// The pool id.
    pub user_pool_id: String,
    /// The app client, for operations called through one.
    pub client_id: Option<String>,
    /// The username the operation is about (as the client sent it, for migration).
    pub username: String,
    /// The function the pool's `LambdaConfig` names for this trigger (an ARN or a function
    /// name, as stored), or `None` when the trigger runs because [`Triggers::has`] said so.
    /// A host invoking Lambda functions invokes this one.
    pub function: Option<String>,
    /// `callerContext.awsSdkVersion`: the caller's AWS SDK as Cognito names it
    /// (`aws-sdk-<language>-<version>`), `None` when the operation's caller is unknown
    /// (Cognito then sends `aws-sdk-unknown-unknown`).
    pub aws_sdk_version: Option<String>,
}

/// Why a user migration runs (`triggerSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationSource {
    /// `UserMigration_Authentication`: a sign-in of an unknown user; the event has the password.
    Authentication,
    /// `UserMigration_ForgotPassword`: ForgotPassword for an unknown user; no password.
    ForgotPassword,
}

/// The UserMigration event. `Debug` redacts the password.
#[derive(Debug, Clone)]
pub struct UserMigrationEvent {
    /// Pool, client, username.
    pub caller: TriggerCaller,
    /// Why.
    pub source: MigrationSource,
    /// The password the user typed (Authentication only).
    pub password: Option<Password>,
    /// `request.validationData`: the `ClientMetadata` of the sign-in (InitiateAuth,
    /// AdminInitiateAuth), as Cognito passes it.
    pub validation_data: BTreeMap<String, String>,
    /// `request.clientMetadata`: the `ClientMetadata` of ForgotPassword.
    pub client_metadata: BTreeMap<String, String>,
}

/// The status a migrated user gets (`finalUserStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigratedStatus {
    /// `CONFIRMED` (the default for Authentication): the password just typed becomes theirs.
    Confirmed,
    /// `RESET_REQUIRED`: they must reset their password (the only outcome for ForgotPassword).
    ResetRequired,
}

/// The UserMigration answer: the user as the old system knew them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserMigrationAnswer {
    /// The user's attributes (`email`, `email_verified`, `custom:...`), validated like any
    /// attribute write before anything is stored.
    pub user_attributes: BTreeMap<String, String>,
    /// `finalUserStatus`; `None` means CONFIRMED.
    pub final_user_status: Option<MigratedStatus>,
    /// `messageAction: SUPPRESS`: send no welcome message.
    pub suppress_message: bool,
}

/// Why PreSignUp runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreSignUpSource {
    /// `PreSignUp_SignUp`.
    SignUp,
    /// `PreSignUp_AdminCreateUser`.
    AdminCreateUser,
}

/// The PreSignUp event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreSignUpEvent {
    /// Pool, client, username.
    pub caller: TriggerCaller,
    /// Why.
    pub source: PreSignUpSource,
    /// The attributes the user is signing up with.
    pub user_attributes: BTreeMap<String, String>,
    /// `request.validationData`: the `ValidationData` of SignUp / AdminCreateUser.
    pub validation_data: BTreeMap<String, String>,
    /// `request.clientMetadata`: the `ClientMetadata` of SignUp / AdminCreateUser.
    pub client_metadata: BTreeMap<String, String>,
}

/// The PreSignUp answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PreSignUpAnswer {
    /// `autoConfirmUser`: the user is CONFIRMED at once, no code is sent.
    pub auto_confirm_user: bool,
    /// `autoVerifyEmail`: `email_verified` is set to true (needs `auto_confirm_user`).
    pub auto_verify_email: bool,
    /// `autoVerifyPhone`: `phone_number_verified` is set to true (needs `auto_confirm_user`).
    pub auto_verify_phone: bool,
}

/// Why PostConfirmation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostConfirmationSource {
    /// `PostConfirmation_ConfirmSignUp`.
    ConfirmSignUp,
    /// `PostConfirmation_ConfirmForgotPassword`.
    ConfirmForgotPassword,
}

/// The PostConfirmation event (its answer is ignored, as Cognito does; a refusal still fails).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostConfirmationEvent {
    /// Pool, client, username.
    pub caller: TriggerCaller,
    /// Why.
    pub source: PostConfirmationSource,
    /// The user's attributes, `sub` and `cognito:user_status` included.
    pub user_attributes: BTreeMap<String, String>,
    /// `request.clientMetadata`: the `ClientMetadata` of the confirming operation
    /// (ConfirmSignUp, AdminConfirmSignUp, ConfirmForgotPassword).
    pub client_metadata: BTreeMap<String, String>,
}

/// The PreAuthentication and PostAuthentication events (`PreAuthentication_Authentication`,
/// `PostAuthentication_Authentication`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticationEvent {
    /// Pool, client, username.
    pub caller: TriggerCaller,
    /// The user's attributes, `sub` and `cognito:user_status` included.
    pub user_attributes: BTreeMap<String, String>,
    /// PreAuthentication's `request.validationData`: the `ClientMetadata` of the sign-in
    /// (InitiateAuth, AdminInitiateAuth), as Cognito passes it.
    pub validation_data: BTreeMap<String, String>,
    /// PostAuthentication's `request.clientMetadata`: the `ClientMetadata` of
    /// RespondToAuthChallenge / AdminRespondToAuthChallenge (Cognito does not pass
    /// InitiateAuth's here).
    pub client_metadata: BTreeMap<String, String>,
}

/// Why PreTokenGeneration runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenGenerationSource {
    /// `TokenGeneration_Authentication`.
    Authentication,
    /// `TokenGeneration_NewPasswordChallenge`.
    NewPasswordChallenge,
    /// `TokenGeneration_RefreshTokens`.
    RefreshTokens,
    /// `TokenGeneration_HostedAuth`: a sign-in through the hosted page (SPEC §21).
    HostedAuth,
}

/// The PreTokenGeneration (V1) event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreTokenGenerationEvent {
    /// Pool, client, username.
    pub caller: TriggerCaller,
    /// Why.
    pub source: TokenGenerationSource,
    /// The user's attributes, `sub` and `cognito:user_status` included.
    pub user_attributes: BTreeMap<String, String>,
    /// The user's groups (`groupConfiguration.groupsToOverride` as Cognito sends it).
    pub groups: Vec<String>,
    /// `request.clientMetadata`: the `ClientMetadata` of RespondToAuthChallenge /
    /// AdminRespondToAuthChallenge (Cognito does not pass InitiateAuth's here).
    pub client_metadata: BTreeMap<String, String>,
}

/// The PreTokenGeneration (V1) answer (`claimsOverrideDetails`): it shapes the id token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PreTokenGenerationAnswer {
    /// Claims to add or replace, with string values.
    pub claims_to_add_or_override: BTreeMap<String, String>,
    /// Claims to remove.
    pub claims_to_suppress: Vec<String>,
    /// `groupOverrideDetails.groupsToOverride`: the `cognito:groups` to put instead.
    pub groups_to_override: Option<Vec<String>>,
}

impl PreTokenGenerationAnswer {
    /// Claims no trigger may add, replace or remove (Cognito ignores or refuses them): the
    /// token's identity and validity.
    pub const PROTECTED: [&'static str; 10] = [
        "acr",
        "amr",
        "aud",
        "auth_time",
        "azp",
        "exp",
        "iat",
        "iss",
        "sub",
        "token_use",
    ];

    /// Whether a claim name may be changed by the trigger: not one of
    /// [`PreTokenGenerationAnswer::PROTECTED`], not `cognito:` reserved (other than groups,
    /// changed through `groups_to_override`).
    #[must_use]
    pub fn may_change(claim: &str) -> bool {
        !Self::PROTECTED.contains(&claim) && !claim.starts_with("cognito:")
    }
}

/// The host's triggers. Each method runs one trigger and answers, or refuses with
/// [`TriggerError`]; the defaults are Cognito's behaviour without the trigger, so a host
/// implements only those it has.
///
/// **Which triggers run.** The service runs a trigger for a pool when
/// - the pool's stored `LambdaConfig` names a function for it
///   ([`crate::settings::LambdaConfig::function_for`]): the event's
///   [`TriggerCaller::function`] is that function, and [`Triggers::has`] is not asked. This
///   is how a host invoking Lambda functions (`userpool-server`) learns what to call
///   without reading the store; or else
/// - [`Triggers::has`] says the pool has it (default: no): the event's
///   [`TriggerCaller::function`] is `None`. This is how a library host without
///   `LambdaConfig` (migrating from its own legacy store, say) says which pools it serves.
///
/// A host that only serves `LambdaConfig` leaves `has` at its default; one that serves
/// neither never sees an event.
///
/// Implementations are called from the service's (blocking) operations, outside any store
/// transaction, and must bound their own time (a Lambda client needs a timeout).
pub trait Triggers: Send + Sync + fmt::Debug {
    /// Whether `pool_id` has `trigger` although its `LambdaConfig` names no function for it
    /// (see the trait's docs). Default: no.
    fn has(&self, pool_id: &str, trigger: Trigger) -> bool {
        let _ = (pool_id, trigger);
        false
    }

    /// UserMigration: `Ok(None)` means the old system does not know the user (the operation
    /// then fails as for an unknown user).
    ///
    /// # Errors
    /// [`TriggerError`]; the operation fails with it and nothing is written.
    fn user_migration(
        &self,
        event: &UserMigrationEvent,
    ) -> Result<Option<UserMigrationAnswer>, TriggerError> {
        let _ = event;
        Ok(None)
    }

    /// PreSignUp.
    ///
    /// # Errors
    /// [`TriggerError`]; the sign-up fails with it and nothing is written.
    fn pre_sign_up(&self, event: &PreSignUpEvent) -> Result<PreSignUpAnswer, TriggerError> {
        let _ = event;
        Ok(PreSignUpAnswer::default())
    }

    /// PostConfirmation.
    ///
    /// # Errors
    /// [`TriggerError`]; Cognito then fails the confirmation.
    fn post_confirmation(&self, event: &PostConfirmationEvent) -> Result<(), TriggerError> {
        let _ = event;
        Ok(())
    }

    /// PreAuthentication: runs before the password is checked.
    ///
    /// # Errors
    /// [`TriggerError`]; the sign-in fails with it and nothing is counted.
    fn pre_authentication(&self, event: &AuthenticationEvent) -> Result<(), TriggerError> {
        let _ = event;
        Ok(())
    }

    /// PostAuthentication: runs after a successful sign-in, before tokens are issued.
    ///
    /// # Errors
    /// [`TriggerError`]; the sign-in fails with it and no tokens are issued.
    fn post_authentication(&self, event: &AuthenticationEvent) -> Result<(), TriggerError> {
        let _ = event;
        Ok(())
    }

    /// PreTokenGeneration (V1): shapes the id token.
    ///
    /// # Errors
    /// [`TriggerError`]; no tokens are issued.
    fn pre_token_generation(
        &self,
        event: &PreTokenGenerationEvent,
    ) -> Result<PreTokenGenerationAnswer, TriggerError> {
        let _ = event;
        Ok(PreTokenGenerationAnswer::default())
    }
}
