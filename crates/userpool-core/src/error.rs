//! The one error type of the domain, carrying Cognito's exception names (SPEC §10).
//!
//! Every variant maps to exactly one [`ErrorCode`], and [`ErrorCode`] is matched without a
//! wildcard arm wherever it is turned into something a client sees, so adding a variant
//! forces a decision about what AWS SDKs receive.
//!
//! No variant carries a password, a hash, a code or a session token: messages are built
//! from fixed text and from values a client already sent in the clear (field names, pool
//! ids).

use std::fmt;

/// A Cognito exception name, without the message.
///
/// `as_str` gives the exact `__type` an AWS SDK expects, e.g. `"InvalidPasswordException"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `InvalidParameterException`: an input broke its declared limits (SPEC §1).
    InvalidParameter,
    /// `InvalidPasswordException`: the password breaks the pool's policy (SPEC §2).
    InvalidPassword,
    /// `PasswordHistoryPolicyViolationException`: the password was used recently (SPEC §5).
    PasswordHistoryPolicyViolation,
    /// `UserNotFoundException` (SPEC §8).
    UserNotFound,
    /// `ResourceNotFoundException`: the pool (or client) does not exist (SPEC §8).
    ResourceNotFound,
    /// `NotAuthorizedException`: wrong credentials, disabled user, refused caller (SPEC §6, §7).
    NotAuthorized,
    /// `TooManyRequestsException`: a rate limit refused the call (SPEC §7).
    TooManyRequests,
    /// `InternalErrorException`: storage failed or stored data is unusable (SPEC §10).
    InternalError,
    /// `UserNotConfirmedException`: sign-in by an UNCONFIRMED user (SPEC §6).
    UserNotConfirmed,
    /// `PasswordResetRequiredException`: sign-in by a RESET_REQUIRED user (SPEC §6).
    PasswordResetRequired,
    /// `UnsupportedUserStateException`: RESEND for a user not in FORCE_CHANGE_PASSWORD (SPEC §3).
    UnsupportedUserState,
    /// `UsernameExistsException`: the username (or an alias value) is taken.
    UsernameExists,
    /// `AliasExistsException`: a verified alias value belongs to another user.
    AliasExists,
    /// `CodeMismatchException`: a confirmation or reset code is wrong.
    CodeMismatch,
    /// `ExpiredCodeException`: a confirmation or reset code has expired or was never sent.
    ExpiredCode,
    /// `LimitExceededException`: too many wrong codes for one user.
    LimitExceeded,
    /// `GroupExistsException`: a group of that name exists in the pool (SPEC §17).
    GroupExists,
    /// `EnableSoftwareTokenMFAException`: VerifySoftwareToken with a wrong code (SPEC §18).
    EnableSoftwareTokenMfa,
    /// `SoftwareTokenMFANotFoundException`: the pool does not offer TOTP, or the user has no
    /// token to verify (SPEC §18).
    SoftwareTokenMfaNotFound,
    /// `DuplicateProviderException`: an identity provider of that name, or with one of
    /// its identifiers, exists in the pool (SPEC §21).
    DuplicateProvider,
    /// `ScopeDoesNotExistException`: an app client names a scope no resource server of
    /// the pool defines (SPEC §21).
    ScopeDoesNotExist,
    /// `InvalidOAuthFlowException`: an app client's OAuth flows contradict its settings
    /// (SPEC §21).
    InvalidOAuthFlow,
    /// `UserLambdaValidationException`: a trigger refused the operation (SPEC §19).
    UserLambdaValidation,
    /// `UnexpectedLambdaException`: a trigger could not be invoked or failed (SPEC §19).
    UnexpectedLambda,
    /// `InvalidLambdaResponseException`: a trigger's answer was unusable (SPEC §19).
    InvalidLambdaResponse,
}

impl ErrorCode {
    /// Every code, for tables and exhaustive tests.
    pub const ALL: [ErrorCode; 25] = [
        ErrorCode::InvalidParameter,
        ErrorCode::InvalidPassword,
        ErrorCode::PasswordHistoryPolicyViolation,
        ErrorCode::UserNotFound,
        ErrorCode::ResourceNotFound,
        ErrorCode::NotAuthorized,
        ErrorCode::TooManyRequests,
        ErrorCode::InternalError,
        ErrorCode::UserNotConfirmed,
        ErrorCode::PasswordResetRequired,
        ErrorCode::UnsupportedUserState,
        ErrorCode::UsernameExists,
        ErrorCode::AliasExists,
        ErrorCode::CodeMismatch,
        ErrorCode::ExpiredCode,
        ErrorCode::LimitExceeded,
        ErrorCode::GroupExists,
        ErrorCode::EnableSoftwareTokenMfa,
        ErrorCode::SoftwareTokenMfaNotFound,
        ErrorCode::DuplicateProvider,
        ErrorCode::ScopeDoesNotExist,
        ErrorCode::InvalidOAuthFlow,
        ErrorCode::UserLambdaValidation,
        ErrorCode::UnexpectedLambda,
        ErrorCode::InvalidLambdaResponse,
    ];

    /// The exception name exactly as Cognito spells it on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidParameter => "InvalidParameterException",
            ErrorCode::InvalidPassword => "InvalidPasswordException",
            ErrorCode::PasswordHistoryPolicyViolation => "PasswordHistoryPolicyViolationException",
            ErrorCode::UserNotFound => "UserNotFoundException",
            ErrorCode::ResourceNotFound => "ResourceNotFoundException",
            ErrorCode::NotAuthorized => "NotAuthorizedException",
            ErrorCode::TooManyRequests => "TooManyRequestsException",
            ErrorCode::InternalError => "InternalErrorException",
            ErrorCode::UserNotConfirmed => "UserNotConfirmedException",
            ErrorCode::PasswordResetRequired => "PasswordResetRequiredException",
            ErrorCode::UnsupportedUserState => "UnsupportedUserStateException",
            ErrorCode::UsernameExists => "UsernameExistsException",
            ErrorCode::AliasExists => "AliasExistsException",
            ErrorCode::CodeMismatch => "CodeMismatchException",
            ErrorCode::ExpiredCode => "ExpiredCodeException",
            ErrorCode::LimitExceeded => "LimitExceededException",
            ErrorCode::GroupExists => "GroupExistsException",
            ErrorCode::EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException",
            ErrorCode::SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException",
            ErrorCode::DuplicateProvider => "DuplicateProviderException",
            ErrorCode::ScopeDoesNotExist => "ScopeDoesNotExistException",
            ErrorCode::InvalidOAuthFlow => "InvalidOAuthFlowException",
            ErrorCode::UserLambdaValidation => "UserLambdaValidationException",
            ErrorCode::UnexpectedLambda => "UnexpectedLambdaException",
            ErrorCode::InvalidLambdaResponse => "InvalidLambdaResponseException",
        }
    }

    /// Whether the caller is at fault (HTTP 400) rather than the service (HTTP 500).
    #[must_use]
    pub const fn is_client_error(self) -> bool {
        match self {
            ErrorCode::InternalError => false,
            ErrorCode::InvalidParameter
            | ErrorCode::InvalidPassword
            | ErrorCode::PasswordHistoryPolicyViolation
            | ErrorCode::UserNotFound
            | ErrorCode::ResourceNotFound
            | ErrorCode::NotAuthorized
            | ErrorCode::TooManyRequests
            | ErrorCode::UserNotConfirmed
            | ErrorCode::PasswordResetRequired
            | ErrorCode::UnsupportedUserState
            | ErrorCode::UsernameExists
            | ErrorCode::AliasExists
            | ErrorCode::CodeMismatch
            | ErrorCode::ExpiredCode
            | ErrorCode::LimitExceeded
            | ErrorCode::GroupExists
            | ErrorCode::EnableSoftwareTokenMfa
            | ErrorCode::SoftwareTokenMfaNotFound => true,
            ErrorCode::DuplicateProvider
            | ErrorCode::ScopeDoesNotExist
            | ErrorCode::InvalidOAuthFlow => true,
            ErrorCode::UserLambdaValidation
            | ErrorCode::UnexpectedLambda
            | ErrorCode::InvalidLambdaResponse => true,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One violated input constraint (SPEC §1), e.g. `password` must be at most 256 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The member name as Cognito's model spells it (`userPoolId`, `username`, `password`).
    pub field: &'static str,
    /// What the value failed; never contains the value itself.
    pub constraint: Constraint,
}

/// The constraint an input value failed, worded as the AWS validation layer words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Constraint {
    /// The required member was absent.
    Missing,
    /// Fewer characters than the minimum.
    TooShort {
        /// The minimum number of characters.
        min: usize,
    },
    /// More characters than the maximum.
    TooLong {
        /// The maximum number of characters.
        max: usize,
    },
    /// The value does not match the member's pattern.
    Pattern(&'static str),
    /// The bytes are not UTF-8.
    NotUtf8,
    /// A number outside its allowed range (policy and pool settings).
    OutOfRange {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// A setting that contradicts another (e.g. maximum length below minimum length).
    Inconsistent(&'static str),
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field;
        match self.constraint {
            Constraint::Missing => {
                write!(
                    f,
                    "Value null at '{field}' failed to satisfy constraint: Member must not be null"
                )
            }
            Constraint::TooShort { min } => write!(
                f,
                "Value at '{field}' failed to satisfy constraint: Member must have length greater than or equal to {min}"
            ),
            Constraint::TooLong { max } => write!(
                f,
                "Value at '{field}' failed to satisfy constraint: Member must have length less than or equal to {max}"
            ),
            Constraint::Pattern(pattern) => write!(
                f,
                "Value at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"
            ),
            Constraint::NotUtf8 => write!(
                f,
                "Value at '{field}' failed to satisfy constraint: Member must be valid UTF-8"
            ),
            Constraint::OutOfRange { min, max } => write!(
                f,
                "Value at '{field}' failed to satisfy constraint: Member must have value between {min} and {max}"
            ),
            Constraint::Inconsistent(why) => {
                write!(f, "Value at '{field}' failed to satisfy constraint: {why}")
            }
        }
    }
}

/// The violations found in one request, reported together as Cognito does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// A single violation.
    #[must_use]
    pub fn one(field: &'static str, constraint: Constraint) -> Self {
        Violations(vec![Violation { field, constraint }])
    }

    /// Builds from a list; `None` when the list is empty (nothing was violated).
    #[must_use]
    pub fn from_vec(list: Vec<Violation>) -> Option<Self> {
        if list.is_empty() {
            None
        } else {
            Some(Violations(list))
        }
    }

    /// The violations, in the order they were found.
    #[must_use]
    pub fn as_slice(&self) -> &[Violation] {
        &self.0
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        if n == 1 {
            write!(f, "1 validation error detected: ")?;
        } else {
            write!(f, "{n} validation errors detected: ")?;
        }
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

/// A member's value refused with the value quoted, as Cognito's validation layer words it
/// for configuration members: `Value 'code2' at 'allowedOAuthFlows' failed to satisfy
/// constraint: Member must satisfy enum value set: [...]`.
///
/// Only for values that are not secret (flows, URLs, names, enum members): a secret's
/// violation is a [`Violation`], which never carries its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotedViolation {
    /// The member's path as Cognito's model spells it (`allowedOAuthFlows`,
    /// `scopes.member.scopeDescription`).
    pub field: String,
    /// The refused value, as it is quoted.
    pub value: String,
    /// The rule it broke (`Member must ...`).
    pub rule: String,
}

impl fmt::Display for QuotedViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let QuotedViolation { field, value, rule } = self;
        write!(
            f,
            "Value '{value}' at '{field}' failed to satisfy constraint: {rule}"
        )
    }
}

/// The rule of the password policy a password broke (SPEC §2). Only the first is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyViolation {
    /// Fewer grapheme clusters than `MinimumLength`.
    TooShort,
    /// No `a-z`.
    MissingLowercase,
    /// No `A-Z`.
    MissingUppercase,
    /// No `0-9`.
    MissingNumber,
    /// No character from Cognito's symbol set.
    MissingSymbol,
    /// More grapheme clusters than the pool's optional maximum.
    TooLong,
    /// The password is on the host's blocklist.
    Blocklisted,
    /// The password contains the username or an alias value.
    ContainsUserIdentity,
    /// The answer to NEW_PASSWORD_REQUIRED repeats the temporary password (history off).
    SameAsTemporary,
    /// zxcvbn scored the password below the pool's minimum.
    TooWeak {
        /// The score zxcvbn gave, 0..=4.
        score: u8,
        /// The score the pool requires.
        required: u8,
    },
}

impl fmt::Display for PolicyViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password does not conform to policy: ")?;
        match self {
            PolicyViolation::TooShort => f.write_str("Password not long enough"),
            PolicyViolation::MissingLowercase => {
                f.write_str("Password must have lowercase characters")
            }
            PolicyViolation::MissingUppercase => {
                f.write_str("Password must have uppercase characters")
            }
            PolicyViolation::MissingNumber => f.write_str("Password must have numeric characters"),
            PolicyViolation::MissingSymbol => f.write_str("Password must have symbol characters"),
            PolicyViolation::TooLong => f.write_str("Password is too long"),
            PolicyViolation::Blocklisted => f.write_str("Password is too common"),
            PolicyViolation::ContainsUserIdentity => {
                f.write_str("Password must not contain the username or an alias")
            }
            PolicyViolation::SameAsTemporary => {
                f.write_str("New password must differ from the temporary password")
            }
            PolicyViolation::TooWeak { score, required } => write!(
                f,
                "Password is too easy to guess (strength {score} of 4, at least {required} required)"
            ),
        }
    }
}

/// Why a caller was refused with `NotAuthorizedException`, each with Cognito's message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotAuthorized {
    /// Wrong password, or an unknown user where existence errors are prevented.
    IncorrectCredentials,
    /// The user's `Enabled` flag is false.
    UserDisabled,
    /// The temporary password is past its validity (SPEC §4).
    TemporaryPasswordExpired,
    /// Too many consecutive failures; the lockout is running (SPEC §6).
    AttemptsExceeded,
    /// A challenge session that is unknown, used, expired or for a changed credential.
    InvalidSession,
    /// AdminResetUserPassword on a user whose state forbids it.
    CannotResetInCurrentState,
    /// ConfirmSignUp on a user who is not UNCONFIRMED.
    CannotConfirm {
        /// The user's current status, as Cognito names it in the message.
        status: crate::UserStatus,
    },
    /// The host's authoriser refused the action.
    AccessDenied {
        /// The Cognito action, e.g. `AdminSetUserPassword`.
        action: String,
        /// The pool the action was on.
        pool_id: String,
    },
    /// The caller's access token is invalid: a bad signature, another algorithm, an id
    /// token, an unknown pool or session, garbage.
    InvalidToken,
    /// The access token's `exp` has passed.
    ExpiredAccessToken,
    /// The access token's session was revoked (a global sign-out, a disabled user).
    RevokedAccessToken,
    /// The refresh token is unknown, garbage, or another app client's.
    InvalidRefreshToken,
    /// The refresh token's session has expired.
    ExpiredRefreshToken,
    /// The refresh token's session was revoked.
    RevokedRefreshToken,
    /// A user's own write named an attribute users may not set (`sub`, a verified flag).
    UnauthorizedAttribute,
    /// The app client has a secret and the request carried no `SECRET_HASH`.
    SecretHashMissing {
        /// The app client.
        client_id: String,
    },
    /// The `SECRET_HASH` does not verify for the username and the client's secret.
    SecretHashMismatch {
        /// The app client.
        client_id: String,
    },
    /// SignUp in a pool whose `AdminCreateUserConfig.AllowAdminCreateUserOnly` is set
    /// (SPEC §16).
    SignUpNotPermitted,
    /// ForgotPassword in a pool whose `AccountRecoverySetting` is `admin_only` (SPEC §16).
    AdminOnlyRecovery,
    /// An access token of the OAuth endpoints without `aws.cognito.signin.user.admin`
    /// presented to an operation of the user's own (GetUser, ChangePassword, ...).
    MissingScopes,
    /// ResendConfirmationCode in a pool that auto-verifies no attribute: there is nowhere
    /// to send a code (SPEC §16).
    AutoVerificationOff,
}

impl fmt::Display for NotAuthorized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotAuthorized::IncorrectCredentials => f.write_str("Incorrect username or password."),
            NotAuthorized::UserDisabled => f.write_str("User is disabled."),
            NotAuthorized::TemporaryPasswordExpired => {
                f.write_str("Temporary password has expired and must be reset by an administrator.")
            }
            NotAuthorized::AttemptsExceeded => f.write_str("Password attempts exceeded"),
            NotAuthorized::InvalidSession => f.write_str("Invalid session for the user."),
            NotAuthorized::CannotResetInCurrentState => {
                f.write_str("User password cannot be reset in the current state.")
            }
            NotAuthorized::CannotConfirm { status } => {
                write!(f, "User cannot be confirmed. Current status is {status}")
            }
            NotAuthorized::AccessDenied { action, pool_id } => write!(
                f,
                "User is not authorized to perform: cognito-idp:{action} on resource: userpool/{pool_id}"
            ),
            NotAuthorized::InvalidToken => f.write_str("Invalid Access Token"),
            NotAuthorized::ExpiredAccessToken => f.write_str("Access Token has expired"),
            NotAuthorized::RevokedAccessToken => f.write_str("Access Token has been revoked"),
            NotAuthorized::InvalidRefreshToken => f.write_str("Invalid Refresh Token"),
            NotAuthorized::ExpiredRefreshToken => f.write_str("Refresh Token has expired"),
            NotAuthorized::RevokedRefreshToken => f.write_str("Refresh Token has been revoked"),
            NotAuthorized::AutoVerificationOff => {
                f.write_str("Cannot resend codes. Auto verification not turned on.")
            }
            NotAuthorized::UnauthorizedAttribute => {
                f.write_str("A client attempted to write unauthorized attribute")
            }
            NotAuthorized::SecretHashMissing { client_id } => write!(
                f,
                "Client {client_id} is configured for secret but secret was not received"
            ),
            NotAuthorized::SecretHashMismatch { client_id } => {
                write!(f, "Unable to verify secret hash for client {client_id}")
            }
            NotAuthorized::SignUpNotPermitted => {
                f.write_str("SignUp is not permitted for this user pool")
            }
            NotAuthorized::AdminOnlyRecovery => {
                f.write_str("Contact administrator to reset password.")
            }
            NotAuthorized::MissingScopes => {
                f.write_str("Access Token does not have required scopes")
            }
        }
    }
}

/// Every failure the domain reports, one variant per Cognito exception (SPEC §10).
///
/// `Display` is the message a Cognito client would see; [`Error::code`] is the exception
/// name. Neither ever contains a password, a hash, a code or a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `InvalidParameterException`: inputs out of their limits (SPEC §1) or a pool setting
    /// out of its range (SPEC §2).
    #[error("{0}")]
    InvalidParameter(Violations),
    /// `InvalidParameterException`: one member's value refused, quoted (SPEC §1).
    #[error("1 validation error detected: {0}")]
    InvalidValue(QuotedViolation),
    /// `InvalidParameterException` with a free-form message (e.g. an unknown auth flow).
    #[error("{0}")]
    InvalidParameterMessage(String),
    /// `InvalidParameterException`: an attribute write the pool's schema refuses
    /// (SPEC §16), every problem listed in Cognito's words.
    #[error("{0}")]
    InvalidAttributes(crate::schema::AttributeWriteErrors),
    /// `InvalidPasswordException`: the first policy rule the password broke (SPEC §2).
    #[error("{0}")]
    InvalidPassword(PolicyViolation),
    /// `PasswordHistoryPolicyViolationException` (SPEC §5).
    #[error("Password has previously been used")]
    PasswordHistoryPolicyViolation,
    /// `UserNotFoundException` (SPEC §8).
    #[error("User does not exist.")]
    UserNotFound,
    /// `ResourceNotFoundException` for a pool (SPEC §8).
    #[error("User pool {pool_id} does not exist.")]
    UserPoolNotFound {
        /// The pool id the caller asked for.
        pool_id: String,
    },
    /// `ResourceNotFoundException` for anything else (an app client, say).
    #[error("{0}")]
    ResourceNotFound(String),
    /// `NotAuthorizedException` (SPEC §6, §7).
    #[error("{0}")]
    NotAuthorized(NotAuthorized),
    /// `TooManyRequestsException` (SPEC §7).
    #[error("Rate exceeded")]
    TooManyRequests,
    /// `TooManyRequestsException` `Too many requests`: no hashing permit came before the
    /// host's deadline (SPEC §13). Nothing was computed and nothing changed.
    #[error("Too many requests")]
    HashingBusy,
    /// `InternalErrorException`: storage failed, stored data unusable, entropy failed.
    /// The message is generic on purpose: the [`Internal`] (also the error's `source()`)
    /// says what happened, for the host's logs, never for clients.
    #[error("An internal error occurred.")]
    Internal(#[source] Internal),
    /// `UserNotConfirmedException` (SPEC §6).
    #[error("User is not confirmed.")]
    UserNotConfirmed,
    /// `PasswordResetRequiredException` (SPEC §6).
    #[error("Password reset required for the user")]
    PasswordResetRequired,
    /// `UnsupportedUserStateException` (SPEC §3).
    #[error("{0}")]
    UnsupportedUserState(String),
    /// `UsernameExistsException`.
    #[error("User account already exists")]
    UsernameExists,
    /// `AliasExistsException`.
    #[error("An account with the given {attribute} already exists.")]
    AliasExists {
        /// The alias attribute (`email`, `phone_number`, `preferred_username`).
        attribute: String,
    },
    /// `CodeMismatchException`.
    #[error("Invalid verification code provided, please try again.")]
    CodeMismatch,
    /// `ExpiredCodeException`.
    #[error("Invalid code provided, please request a code again.")]
    ExpiredCode,
    /// `LimitExceededException`.
    #[error("Attempt limit exceeded, please try after some time.")]
    LimitExceeded,
    /// `LimitExceededException` for a resource limit, with its message (SPEC §21: the
    /// identities linked to one user).
    #[error("{0}")]
    LimitExceededMessage(String),
    /// `GroupExistsException` (SPEC §17).
    #[error("A group with the name already exists.")]
    GroupExists,
    /// `CodeMismatchException` for a wrong, reused or malformed answer to an MFA challenge
    /// (SPEC §18), in Cognito's words for it.
    #[error("Invalid code received for user")]
    MfaCodeMismatch,
    /// `EnableSoftwareTokenMFAException`: VerifySoftwareToken with a wrong or reused code.
    #[error("Code mismatch and fail enable Software Token MFA")]
    EnableSoftwareTokenMfa,
    /// `SoftwareTokenMFANotFoundException`, with the reason.
    #[error("{0}")]
    SoftwareTokenMfaNotFound(&'static str),
    /// `DuplicateProviderException` (SPEC §21), with Cognito's message.
    #[error("{0}")]
    DuplicateProvider(String),
    /// `ScopeDoesNotExistException` (SPEC §21), with Cognito's message.
    #[error("{0}")]
    ScopeDoesNotExist(String),
    /// `InvalidOAuthFlowException` (SPEC §21), with Cognito's message.
    #[error("{0}")]
    InvalidOAuthFlow(String),
    /// A trigger's refusal, its failure or its unusable answer (SPEC §19): nothing changed.
    #[error("{0}")]
    Trigger(crate::triggers::TriggerError),
}

/// What went wrong inside, for the host's logs. Shown to clients only as a generic message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Internal {
    /// A stored hash is not an argon2id PHC string we can read.
    MalformedStoredHash,
    /// A stored hash asks for more memory, time or lanes than the configured ceiling.
    StoredHashOverCeiling,
    /// argon2 itself failed (out of memory, say).
    HashingFailed,
    /// The injected entropy source failed.
    EntropyUnavailable,
    /// Stored data is unusable (a record that does not decode, a value out of its range).
    Storage,
    /// The store failed (I/O, a lost connection, a newer schema, a sealed value that does
    /// not open); the cause is the backend's own text, for the operator's log.
    Backend(Cause),
    /// Token signing or a signing key failed; the cause is for the log.
    Signing(Cause),
    /// A broken invariant of this library (a poisoned lock, a state the code rules out):
    /// a bug to report, never the caller's fault or the store's.
    Bug(Cause),
    /// A concurrent writer kept winning; the operation gave up after its retries.
    ContentionRetriesExhausted,
}

/// Why an internal failure happened, in words for the operator's log: a backend's error
/// text, say. Never a secret; never shown to a client (Cognito's clients read only a
/// generic message for `InternalErrorException`).
#[derive(Clone, PartialEq, Eq)]
pub struct Cause(std::sync::Arc<str>);

impl Cause {
    /// A cause from anything displayable (an error, a message).
    pub fn new(cause: impl fmt::Display) -> Self {
        Cause(cause.to_string().into())
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Internal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Internal::MalformedStoredHash => {
                f.write_str("Internal error: a stored credential is unreadable")
            }
            Internal::StoredHashOverCeiling => {
                f.write_str("Internal error: a stored credential exceeds the hashing ceiling")
            }
            Internal::HashingFailed => f.write_str("Internal error: password hashing failed"),
            Internal::EntropyUnavailable => f.write_str("Internal error: no randomness available"),
            Internal::Storage => f.write_str("Internal error: stored data is unusable"),
            Internal::Backend(cause) => write!(f, "Internal error: storage backend: {cause}"),
            Internal::Signing(cause) => write!(f, "Internal error: token signing: {cause}"),
            Internal::Bug(cause) => write!(f, "Internal error: a bug in userpool: {cause}"),
            Internal::ContentionRetriesExhausted => {
                f.write_str("Internal error: too much contention on the user")
            }
        }
    }
}

impl std::error::Error for Internal {}

impl Error {
    /// The Cognito exception name, e.g. `"InvalidPasswordException"`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The Cognito exception as an enum, for exhaustive matching.
    #[must_use]
    pub fn kind(&self) -> ErrorCode {
        match self {
            Error::InvalidParameter(_)
            | Error::InvalidValue(_)
            | Error::InvalidParameterMessage(_)
            | Error::InvalidAttributes(_) => ErrorCode::InvalidParameter,
            Error::InvalidPassword(_) => ErrorCode::InvalidPassword,
            Error::PasswordHistoryPolicyViolation => ErrorCode::PasswordHistoryPolicyViolation,
            Error::UserNotFound => ErrorCode::UserNotFound,
            Error::UserPoolNotFound { .. } | Error::ResourceNotFound(_) => {
                ErrorCode::ResourceNotFound
            }
            Error::NotAuthorized(_) => ErrorCode::NotAuthorized,
            Error::TooManyRequests | Error::HashingBusy => ErrorCode::TooManyRequests,
            Error::Internal(_) => ErrorCode::InternalError,
            Error::UserNotConfirmed => ErrorCode::UserNotConfirmed,
            Error::PasswordResetRequired => ErrorCode::PasswordResetRequired,
            Error::UnsupportedUserState(_) => ErrorCode::UnsupportedUserState,
            Error::UsernameExists => ErrorCode::UsernameExists,
            Error::AliasExists { .. } => ErrorCode::AliasExists,
            Error::CodeMismatch => ErrorCode::CodeMismatch,
            Error::ExpiredCode => ErrorCode::ExpiredCode,
            Error::LimitExceeded | Error::LimitExceededMessage(_) => ErrorCode::LimitExceeded,
            Error::GroupExists => ErrorCode::GroupExists,
            Error::MfaCodeMismatch => ErrorCode::CodeMismatch,
            Error::EnableSoftwareTokenMfa => ErrorCode::EnableSoftwareTokenMfa,
            Error::SoftwareTokenMfaNotFound(_) => ErrorCode::SoftwareTokenMfaNotFound,
            Error::DuplicateProvider(_) => ErrorCode::DuplicateProvider,
            Error::ScopeDoesNotExist(_) => ErrorCode::ScopeDoesNotExist,
            Error::InvalidOAuthFlow(_) => ErrorCode::InvalidOAuthFlow,
            Error::Trigger(e) => e.kind(),
        }
    }

    /// Shorthand for one member's refused value, quoted: see [`QuotedViolation`].
    #[must_use]
    pub fn invalid_value(
        field: impl Into<String>,
        value: impl Into<String>,
        rule: impl Into<String>,
    ) -> Self {
        Error::InvalidValue(QuotedViolation {
            field: field.into(),
            value: value.into(),
            rule: rule.into(),
        })
    }

    /// Shorthand for one violated input constraint.
    #[must_use]
    pub fn invalid_parameter(field: &'static str, constraint: Constraint) -> Self {
        Error::InvalidParameter(Violations::one(field, constraint))
    }
}

impl From<PolicyViolation> for Error {
    fn from(v: PolicyViolation) -> Self {
        Error::InvalidPassword(v)
    }
}

impl From<NotAuthorized> for Error {
    fn from(v: NotAuthorized) -> Self {
        Error::NotAuthorized(v)
    }
}

impl From<Internal> for Error {
    fn from(v: Internal) -> Self {
        Error::Internal(v)
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_a_cognito_exception_name() {
        for code in ErrorCode::ALL {
            assert!(code.as_str().ends_with("Exception"), "{code}");
        }
        assert!(!ErrorCode::InternalError.is_client_error());
        assert!(ErrorCode::InvalidPassword.is_client_error());
    }

    #[test]
    fn several_violations_are_counted_and_joined() {
        let v = Violations::from_vec(vec![
            Violation {
                field: "username",
                constraint: Constraint::Missing,
            },
            Violation {
                field: "password",
                constraint: Constraint::TooLong { max: 256 },
            },
        ])
        .expect("two violations");
        let e = Error::InvalidParameter(v);
        assert_eq!(e.code(), "InvalidParameterException");
        assert_eq!(
            e.to_string(),
            "2 validation errors detected: Value null at 'username' failed to satisfy constraint: \
             Member must not be null; Value at 'password' failed to satisfy constraint: Member \
             must have length less than or equal to 256"
        );
    }
}
