//! SPEC §10: one error type whose `code()` is the Cognito exception name and whose `Display`
//! is Cognito's message; no `Debug` or `Display` output carries a password, a hash, a code or
//! a session token.

mod common;

use std::collections::BTreeMap;

use chrono::TimeDelta;
use common::*;
use userpool_core::{
    AdminSetUserPasswordInput, Constraint, Error, ErrorCode, HistoryMode, Internal, NotAuthorized,
    PolicyViolation, Trigger, TriggerError, UserStatus, Violation, Violations, signin, transitions,
};

// SPEC §10: every variant's code and exact message.
#[test]
fn every_variant_has_its_cognito_code_and_message() {
    let violations = |v: Vec<Violation>| Violations::from_vec(v).expect("non-empty");
    let cases: Vec<(Error, &str, &str)> = vec![
        (
            Error::invalid_parameter("password", Constraint::TooLong { max: 256 }),
            "InvalidParameterException",
            "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 256",
        ),
        (
            Error::InvalidParameter(violations(vec![
                Violation {
                    field: "userPoolId",
                    constraint: Constraint::Missing,
                },
                Violation {
                    field: "username",
                    constraint: Constraint::TooShort { min: 1 },
                },
            ])),
            "InvalidParameterException",
            "2 validation errors detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null; Value at 'username' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        (
            Error::invalid_value(
                "mfaConfiguration",
                "SOMETIMES",
                "Member must satisfy enum value set: [OFF, ON, OPTIONAL]",
            ),
            "InvalidParameterException",
            "1 validation error detected: Value 'SOMETIMES' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]",
        ),
        (
            Error::InvalidParameterMessage("Cannot modify an immutable attribute: sub".into()),
            "InvalidParameterException",
            "Cannot modify an immutable attribute: sub",
        ),
        (
            PolicyViolation::TooShort.into(),
            "InvalidPasswordException",
            "Password does not conform to policy: Password not long enough",
        ),
        (
            PolicyViolation::MissingLowercase.into(),
            "InvalidPasswordException",
            "Password does not conform to policy: Password must have lowercase characters",
        ),
        (
            PolicyViolation::MissingUppercase.into(),
            "InvalidPasswordException",
            "Password does not conform to policy: Password must have uppercase characters",
        ),
        (
            PolicyViolation::MissingNumber.into(),
            "InvalidPasswordException",
            "Password does not conform to policy: Password must have numeric characters",
        ),
        (
            PolicyViolation::MissingSymbol.into(),
            "InvalidPasswordException",
            "Password does not conform to policy: Password must have symbol characters",
        ),
        (
            PolicyViolation::TooLong.into(),
            "InvalidPasswordException",
            "Password does not conform to policy: Password is too long",
        ),
        (
            PolicyViolation::Blocklisted.into(),
            "InvalidPasswordException",
            "Password does not conform to policy: Password is too common",
        ),
        (
            PolicyViolation::ContainsUserIdentity.into(),
            "InvalidPasswordException",
            "Password does not conform to policy: Password must not contain the username or an alias",
        ),
        (
            PolicyViolation::SameAsTemporary.into(),
            "InvalidPasswordException",
            "Password does not conform to policy: New password must differ from the temporary password",
        ),
        (
            PolicyViolation::TooWeak {
                score: 1,
                required: 3,
            }
            .into(),
            "InvalidPasswordException",
            "Password does not conform to policy: Password is too easy to guess (strength 1 of 4, at least 3 required)",
        ),
        (
            Error::PasswordHistoryPolicyViolation,
            "PasswordHistoryPolicyViolationException",
            "Password has previously been used",
        ),
        (
            Error::UserNotFound,
            "UserNotFoundException",
            "User does not exist.",
        ),
        (
            Error::UserPoolNotFound {
                pool_id: "us-east-1_abc".into(),
            },
            "ResourceNotFoundException",
            "User pool us-east-1_abc does not exist.",
        ),
        (
            Error::ResourceNotFound("App client does not exist.".into()),
            "ResourceNotFoundException",
            "App client does not exist.",
        ),
        (
            NotAuthorized::IncorrectCredentials.into(),
            "NotAuthorizedException",
            "Incorrect username or password.",
        ),
        (
            NotAuthorized::UserDisabled.into(),
            "NotAuthorizedException",
            "User is disabled.",
        ),
        (
            NotAuthorized::TemporaryPasswordExpired.into(),
            "NotAuthorizedException",
            "Temporary password has expired and must be reset by an administrator.",
        ),
        (
            NotAuthorized::AttemptsExceeded.into(),
            "NotAuthorizedException",
            "Password attempts exceeded",
        ),
        (
            NotAuthorized::InvalidSession.into(),
            "NotAuthorizedException",
            "Invalid session for the user.",
        ),
        (
            NotAuthorized::CannotResetInCurrentState.into(),
            "NotAuthorizedException",
            "User password cannot be reset in the current state.",
        ),
        (
            NotAuthorized::CannotConfirm {
                status: UserStatus::Confirmed,
            }
            .into(),
            "NotAuthorizedException",
            "User cannot be confirmed. Current status is CONFIRMED",
        ),
        (
            NotAuthorized::AccessDenied {
                action: "AdminSetUserPassword".into(),
                pool_id: "us-east-1_abc".into(),
            }
            .into(),
            "NotAuthorizedException",
            "User is not authorized to perform: cognito-idp:AdminSetUserPassword on resource: userpool/us-east-1_abc",
        ),
        (
            NotAuthorized::InvalidToken.into(),
            "NotAuthorizedException",
            "Invalid Access Token",
        ),
        (
            Error::TooManyRequests,
            "TooManyRequestsException",
            "Rate exceeded",
        ),
        (
            Error::HashingBusy,
            "TooManyRequestsException",
            "Too many requests",
        ),
        (
            Internal::MalformedStoredHash.into(),
            "InternalErrorException",
            "An internal error occurred.",
        ),
        (
            Internal::StoredHashOverCeiling.into(),
            "InternalErrorException",
            "An internal error occurred.",
        ),
        (
            Internal::HashingFailed.into(),
            "InternalErrorException",
            "An internal error occurred.",
        ),
        (
            Internal::EntropyUnavailable.into(),
            "InternalErrorException",
            "An internal error occurred.",
        ),
        (
            Internal::Storage.into(),
            "InternalErrorException",
            "An internal error occurred.",
        ),
        (
            Internal::ContentionRetriesExhausted.into(),
            "InternalErrorException",
            "An internal error occurred.",
        ),
        (
            Error::UserNotConfirmed,
            "UserNotConfirmedException",
            "User is not confirmed.",
        ),
        (
            Error::PasswordResetRequired,
            "PasswordResetRequiredException",
            "Password reset required for the user",
        ),
        (
            Error::UnsupportedUserState(
                "Resend not possible. alice status is not FORCE_CHANGE_PASSWORD".into(),
            ),
            "UnsupportedUserStateException",
            "Resend not possible. alice status is not FORCE_CHANGE_PASSWORD",
        ),
        (
            Error::UsernameExists,
            "UsernameExistsException",
            "User account already exists",
        ),
        (
            Error::AliasExists {
                attribute: "email".into(),
            },
            "AliasExistsException",
            "An account with the given email already exists.",
        ),
        (
            Error::CodeMismatch,
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        ),
        (
            Error::ExpiredCode,
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
        ),
        (
            Error::LimitExceeded,
            "LimitExceededException",
            "Attempt limit exceeded, please try after some time.",
        ),
        (
            Error::GroupExists,
            "GroupExistsException",
            "A group with the name already exists.",
        ),
        (
            Error::MfaCodeMismatch,
            "CodeMismatchException",
            "Invalid code received for user",
        ),
        (
            Error::EnableSoftwareTokenMfa,
            "EnableSoftwareTokenMFAException",
            "Code mismatch and fail enable Software Token MFA",
        ),
        (
            Error::SoftwareTokenMfaNotFound(
                "Software Token MFA has not been enabled by the userPool.",
            ),
            "SoftwareTokenMFANotFoundException",
            "Software Token MFA has not been enabled by the userPool.",
        ),
        (
            Error::DuplicateProvider(
                "A provider with the name Corp already exists in this user pool.".into(),
            ),
            "DuplicateProviderException",
            "A provider with the name Corp already exists in this user pool.",
        ),
        (
            Error::ScopeDoesNotExist("Invalid scope requested: api/read".into()),
            "ScopeDoesNotExistException",
            "Invalid scope requested: api/read",
        ),
        (
            Error::InvalidOAuthFlow(
                "CallbackUrls can not be empty when code flow or implicit flow is selected".into(),
            ),
            "InvalidOAuthFlowException",
            "CallbackUrls can not be empty when code flow or implicit flow is selected",
        ),
        (
            TriggerError::Refused {
                trigger: Trigger::PreSignUp,
                message: "Invalid email domain".into(),
            }
            .into(),
            "UserLambdaValidationException",
            "PreSignUp failed with error Invalid email domain.",
        ),
        (
            TriggerError::Unreachable {
                trigger: Trigger::UserMigration,
                reason: "Socket timeout while invoking Lambda function".into(),
            }
            .into(),
            "UnexpectedLambdaException",
            "UserMigration invocation failed due to error Socket timeout while invoking Lambda function.",
        ),
        (
            TriggerError::InvalidResponse {
                trigger: Trigger::PreTokenGeneration,
            }
            .into(),
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
        ),
    ];
    let mut seen = std::collections::HashSet::new();
    for (error, code, message) in &cases {
        assert_error(error, code, message);
        assert_eq!(error.kind().as_str(), *code);
        assert_eq!(error.kind().to_string(), *code);
        seen.insert(error.kind());
    }
    // Every Cognito code the crate knows is produced by some variant above.
    for code in ErrorCode::ALL {
        assert!(seen.contains(&code), "{code} has no variant in the table");
    }
}

// SPEC §10/§11: only InternalErrorException is the service's fault (HTTP 500).
#[test]
fn only_internal_errors_are_server_errors() {
    for code in ErrorCode::ALL {
        assert!(code.as_str().ends_with("Exception"), "{code}");
        assert_eq!(
            code.is_client_error(),
            code != ErrorCode::InternalError,
            "{code}"
        );
    }
    let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), ErrorCode::ALL.len(), "names are distinct");
}

/// Every rendering of a value: `Debug`, pretty `Debug`.
fn renderings(value: &dyn std::fmt::Debug) -> String {
    format!("{value:?}\n{value:#?}")
}

#[track_caller]
fn assert_no_secret(output: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(
            !output.contains(secret.as_str()),
            "`{secret}` leaked into:\n{output}"
        );
    }
}

// SPEC §10: no Debug or Display of a password, a hash, a record, an event, an error, a
// session or a code contains the password, the PHC hash (or its salt or output), the code or
// the session token.
#[test]
fn no_output_contains_a_password_hash_code_or_session() {
    let rules = rules_with_history(3, HistoryMode::PerEntrySalt);
    let mut world = World::new();
    let mut outputs: Vec<String> = Vec::new();
    let mut secrets: Vec<String> = vec![
        INITIAL.into(),
        TEMPORARY.into(),
        PERMANENT.into(),
        OTHER.into(),
        "Tab\tPassword1!".into(),
        " Leading-Pass1".into(),
    ];

    let (user, event) = transitions::admin_create_user(
        name("alice"),
        BTreeMap::from([("email".to_owned(), "alice@example.com".to_owned())]),
        Some(pw(TEMPORARY)),
        &rules,
        &mut world.ctx(),
    )
    .expect("create");
    outputs.push(renderings(&event));
    outputs.push(renderings(&pw(TEMPORARY)));
    let signed =
        signin::sign_in(&user, &pw(TEMPORARY), &rules, &mut world.ctx()).expect("challenge");
    let userpool_core::SignInOutcome::NewPasswordRequired { session } = &signed.outcome else {
        panic!("expected a challenge");
    };
    secrets.push(session.expose().to_owned());
    outputs.push(renderings(session));
    outputs.push(renderings(&signed));
    let challenged = *signed.record.clone().expect("record");
    outputs.push(renderings(&challenged));

    let (user, event) = transitions::respond_to_new_password_required(
        &challenged,
        session.expose(),
        &pw(INITIAL),
        &rules,
        &mut world.ctx(),
    )
    .expect("answer");
    outputs.push(renderings(&event));
    let (user, _) =
        transitions::admin_set_user_password(&user, &pw(PERMANENT), true, &rules, &mut world.ctx())
            .expect("set");
    let (user, event) =
        transitions::forgot_password(&user, &rules, &mut world.ctx()).expect("forgot");
    let code = code_of(&event);
    secrets.push(code.expose().to_owned());
    outputs.push(renderings(&event));
    outputs.push(renderings(&code));
    outputs.push(renderings(&user));
    outputs.push(renderings(&user.credential));
    outputs.push(renderings(&user.pending_code));

    for hash in user
        .history
        .iter()
        .chain(user.credential.as_ref().map(|c| &c.hash))
    {
        let phc = hash.as_phc().to_owned();
        let parts: Vec<&str> = phc.split('$').collect();
        secrets.push(parts[4].to_owned()); // salt
        secrets.push(parts[5].to_owned()); // output
        secrets.push(phc.clone());
        outputs.push(renderings(hash));
    }
    assert_eq!(user.history.len(), 1, "a previous password to look for");

    // Errors from operations that handled secrets, in Debug and Display.
    let mut errors: Vec<Error> = vec![
        err(transitions::admin_set_user_password(
            &user,
            &pw(INITIAL),
            true,
            &rules,
            &mut world.ctx(),
        )),
        err(transitions::admin_set_user_password(
            &user,
            &pw("weak-password"),
            true,
            &rules,
            &mut world.ctx(),
        )),
        err(transitions::change_password(
            &user,
            &pw(OTHER),
            &pw(INITIAL),
            &rules,
            &mut world.ctx(),
        )),
        Error::from(Internal::MalformedStoredHash),
        err(userpool_core::Password::parse("Tab\tPassword1!")),
        err(userpool_core::Password::parse(" Leading-Pass1")),
        err(AdminSetUserPasswordInput::parse(
            Some("us-east-1_abc"),
            Some("alice"),
            Some("Tab\tPassword1!"),
            None,
        )),
    ];
    let wrong_code = wrong_code(&code);
    let r = refused(confirm_forgot(
        &user,
        &wrong_code,
        OTHER,
        &rules,
        &mut world,
    ));
    secrets.push(wrong_code.expose().to_owned());
    outputs.push(renderings(&r));
    errors.push(r.error);
    let r = sign_in_refused(&user, OTHER, &rules, &mut world);
    outputs.push(renderings(&r));
    errors.push(r.error);
    world.advance(TimeDelta::hours(2));
    errors.push(refused(confirm_forgot(&user, &code, OTHER, &rules, &mut world)).error);
    for e in &errors {
        outputs.push(renderings(e));
        outputs.push(e.to_string());
    }
    let input = AdminSetUserPasswordInput::parse(
        Some("us-east-1_abc"),
        Some("alice"),
        Some(PERMANENT),
        Some(true),
    )
    .expect("valid");
    outputs.push(renderings(&input));
    let peppered = rules
        .hasher
        .clone()
        .with_pepper(b"the host pepper")
        .expect("pepper");
    secrets.push("the host pepper".into());
    outputs.push(renderings(&peppered));

    assert!(outputs.len() > 20);
    for output in &outputs {
        assert_no_secret(output, &secrets);
    }
    // The redaction is visible, not silent: Debug says what it hides.
    assert_eq!(format!("{:?}", pw(INITIAL)), "Password(<redacted>)");
    assert_eq!(format!("{session:?}"), "ChallengeSession(<redacted>)");
    assert_eq!(format!("{code:?}"), "ConfirmationCode(<redacted>)");
    assert!(format!("{:?}", user.history[0]).starts_with("PasswordHash(argon2id m=8 t=1 p=1"));
}

/// SPEC §10: an internal failure shows clients only the generic message, while its cause
/// stays reachable for the host's log through `source()` and the `Internal` it carries.
#[test]
fn internal_failures_keep_their_cause_for_logs_only() {
    use std::error::Error as _;
    use userpool_core::Cause;
    let error = Error::Internal(Internal::Backend(Cause::new("database is locked")));
    assert_eq!(error.to_string(), "An internal error occurred.");
    let source = error.source().expect("the Internal is the source");
    assert_eq!(
        source.to_string(),
        "Internal error: storage backend: database is locked"
    );
    let bug: Error = Internal::Bug(Cause::new("a poisoned lock")).into();
    assert_eq!(bug.code(), "InternalErrorException");
    assert_ne!(bug, error, "a bug and a backend failure stay distinct");
}
