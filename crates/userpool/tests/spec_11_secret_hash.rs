//! SPEC §11: a client with a secret proves it with `SECRET_HASH` (Base64 HMAC-SHA256 of
//! username ‖ client id under the secret) on every public operation that names a user, and
//! the service checks it — a host linking the library gets the same refusals as the wire.
//! For each operation, through the library: no hash is NotAuthorizedException `Client <id>
//! is configured for secret but secret was not received`, a wrong hash (another user's) is
//! `Unable to verify secret hash for client <id>`, and neither changes the user or sends
//! anything; the right hash passes.

#![allow(clippy::unwrap_used)]

mod common;

use common::Env;
use userpool::inputs::{
    AdminInitiateAuthInput, AdminRespondToAuthChallengeInput, ClientUserInput,
    ConfirmForgotPasswordInput, ConfirmSignUpInput, InitiateAuthInput, RespondToAuthChallengeInput,
    SignUpInput,
};
use userpool::{AuthResult, ClientSettings, UserPools};
use userpool_core::{Error, UserRecord};

const USER: &str = "diego";
const PASSWORD: &str = "Correct-Horse-9";
const NEW_PASSWORD: &str = "Battery-Staple-7";
const TEMPORARY: &str = "Temporary-Pass-1";
const EMAIL: [(&str, &str); 2] = [("email", "d@example.com"), ("email_verified", "true")];

/// The pool of [`common::env`] with a client that has a secret and allows both password
/// flows.
struct Secret {
    env: Env,
    client_id: String,
    secret: String,
}

impl Secret {
    fn new() -> Self {
        let env = common::env();
        let client = env
            .pools
            .create_user_pool_client(
                &env.admin,
                &env.pool_id,
                "confidential",
                ClientSettings {
                    explicit_auth_flows: vec![
                        "ALLOW_USER_PASSWORD_AUTH".into(),
                        "ALLOW_ADMIN_USER_PASSWORD_AUTH".into(),
                    ],
                    generate_secret: true,
                    ..ClientSettings::default()
                },
            )
            .unwrap();
        let secret = client.secret.clone().unwrap();
        Secret {
            env,
            client_id: client.client_id,
            secret,
        }
    }

    fn pools(&self) -> &UserPools<userpool::MemoryStore> {
        &self.env.pools
    }

    /// The right `SECRET_HASH` for `username` through this client.
    fn hash(&self, username: &str) -> String {
        userpool::secret_hash::compute(&self.secret, username, &self.client_id)
    }

    /// What a refused request must leave as it was: the user's record and the deliveries.
    fn snapshot(&self) -> (Option<UserRecord>, usize) {
        (self.env.record(USER), self.env.delivery.events().len())
    }

    fn signed_up(&self) {
        let input = SignUpInput::parse(
            Some(&self.client_id),
            Some(USER),
            Some(PASSWORD),
            &EMAIL[..1],
        )
        .unwrap()
        .with_secret_hash(Some(&self.hash(USER)));
        self.pools().sign_up_input(&input).unwrap();
    }

    fn code(&self) -> String {
        let code = self.env.delivery.last_code(USER).unwrap();
        code.expose().to_owned()
    }

    /// A NEW_PASSWORD_REQUIRED session for a user created with a temporary password.
    fn new_password_session(&self) -> String {
        let env = &self.env;
        env.pools
            .admin_create_user(&env.admin, &env.pool_id, USER, Some(TEMPORARY), &[], None)
            .unwrap();
        let input = InitiateAuthInput::parse(Some(&self.client_id), Some("USER_PASSWORD_AUTH"))
            .unwrap()
            .with_secret_hash(Some(&self.hash(USER)));
        match self
            .pools()
            .initiate_auth_input(&input, USER, TEMPORARY)
            .unwrap()
        {
            AuthResult::NewPasswordRequired { session, .. } => session.expose().to_owned(),
            other => panic!("expected NEW_PASSWORD_REQUIRED, got {other:?}"),
        }
    }
}

/// One operation: `setup` brings the pool to where the operation can succeed and returns
/// what the operation needs from it (a code, a session); `run` calls it with a hash.
struct Case {
    operation: &'static str,
    setup: fn(&Secret) -> String,
    run: fn(&Secret, &str, Option<&str>) -> Result<(), Error>,
}

const CASES: &[Case] = &[
    Case {
        operation: "SignUp",
        setup: |_| String::new(),
        run: |s, _, hash| {
            let input =
                SignUpInput::parse(Some(&s.client_id), Some(USER), Some(PASSWORD), &EMAIL[..1])?
                    .with_secret_hash(hash);
            s.pools().sign_up_input(&input).map(drop)
        },
    },
    Case {
        operation: "ConfirmSignUp",
        setup: |s| {
            s.signed_up();
            s.code()
        },
        run: |s, code, hash| {
            let input = ConfirmSignUpInput::parse(Some(&s.client_id), Some(USER), Some(code))?
                .with_secret_hash(hash);
            s.pools().confirm_sign_up_input(&input)
        },
    },
    Case {
        operation: "ResendConfirmationCode",
        setup: |s| {
            s.signed_up();
            String::new()
        },
        run: |s, _, hash| {
            let input =
                ClientUserInput::parse(Some(&s.client_id), Some(USER))?.with_secret_hash(hash);
            s.pools().resend_confirmation_code_input(&input).map(drop)
        },
    },
    Case {
        operation: "ForgotPassword",
        setup: |s| {
            s.env.confirmed(USER, PASSWORD, &EMAIL);
            String::new()
        },
        run: |s, _, hash| {
            let input =
                ClientUserInput::parse(Some(&s.client_id), Some(USER))?.with_secret_hash(hash);
            s.pools().forgot_password_input(&input).map(drop)
        },
    },
    Case {
        operation: "ConfirmForgotPassword",
        setup: |s| {
            s.env.confirmed(USER, PASSWORD, &EMAIL);
            let input = ClientUserInput::parse(Some(&s.client_id), Some(USER))
                .unwrap()
                .with_secret_hash(Some(&s.hash(USER)));
            s.pools().forgot_password_input(&input).unwrap();
            s.code()
        },
        run: |s, code, hash| {
            let input = ConfirmForgotPasswordInput::parse(
                Some(&s.client_id),
                Some(USER),
                Some(code),
                Some(NEW_PASSWORD),
            )?
            .with_secret_hash(hash);
            s.pools().confirm_forgot_password_input(&input)
        },
    },
    Case {
        operation: "InitiateAuth",
        setup: |s| {
            s.env.confirmed(USER, PASSWORD, &[]);
            String::new()
        },
        run: |s, _, hash| {
            let input = InitiateAuthInput::parse(Some(&s.client_id), Some("USER_PASSWORD_AUTH"))?
                .with_secret_hash(hash);
            s.pools()
                .initiate_auth_input(&input, USER, PASSWORD)
                .map(drop)
        },
    },
    Case {
        operation: "AdminInitiateAuth",
        setup: |s| {
            s.env.confirmed(USER, PASSWORD, &[]);
            String::new()
        },
        run: |s, _, hash| {
            let input = AdminInitiateAuthInput::parse(
                Some(&s.env.pool_id),
                Some(&s.client_id),
                Some("ADMIN_USER_PASSWORD_AUTH"),
            )?
            .with_secret_hash(hash);
            s.pools()
                .admin_initiate_auth_input(&s.env.admin, &input, USER, PASSWORD)
                .map(drop)
        },
    },
    Case {
        operation: "RespondToAuthChallenge",
        setup: Secret::new_password_session,
        run: |s, session, hash| {
            let input = RespondToAuthChallengeInput::parse(
                Some(&s.client_id),
                Some("NEW_PASSWORD_REQUIRED"),
                Some(session),
            )?
            .with_secret_hash(hash);
            s.pools()
                .respond_to_new_password_required_input(&input, USER, NEW_PASSWORD, &[])
                .map(drop)
        },
    },
    Case {
        operation: "AdminRespondToAuthChallenge",
        setup: Secret::new_password_session,
        run: |s, session, hash| {
            let input = AdminRespondToAuthChallengeInput::parse(
                Some(&s.env.pool_id),
                Some(&s.client_id),
                Some("NEW_PASSWORD_REQUIRED"),
                Some(session),
            )?
            .with_secret_hash(hash);
            s.pools()
                .admin_respond_to_new_password_required_input(
                    &s.env.admin,
                    &input,
                    USER,
                    NEW_PASSWORD,
                    &[],
                )
                .map(drop)
        },
    },
];

fn refusal(result: Result<(), Error>) -> Option<(&'static str, String)> {
    result.err().map(|e| (e.code(), e.to_string()))
}

#[test]
fn spec_11_every_public_operation_checks_secret_hash_in_the_service() {
    for case in CASES {
        let s = Secret::new();
        let state = (case.setup)(&s);
        let id = &s.client_id;
        let before = s.snapshot();
        let wrong = s.hash("maria");
        let refusals = [
            (
                None,
                format!("Client {id} is configured for secret but secret was not received"),
            ),
            (
                Some(wrong.as_str()),
                format!("Unable to verify secret hash for client {id}"),
            ),
            (
                Some("not base64!"),
                format!("Unable to verify secret hash for client {id}"),
            ),
        ];
        for (hash, message) in refusals {
            assert_eq!(
                refusal((case.run)(&s, &state, hash)),
                Some(("NotAuthorizedException", message)),
                "{} with hash {hash:?}",
                case.operation
            );
            assert_eq!(
                s.snapshot(),
                before,
                "{}: a refusal changed nothing",
                case.operation
            );
        }
        let right = s.hash(USER);
        assert_eq!(
            refusal((case.run)(&s, &state, Some(&right))),
            None,
            "{} with the right hash",
            case.operation
        );
    }
}

#[test]
fn spec_11_the_str_methods_refuse_a_secret_client_as_cognito_does() {
    let s = Secret::new();
    s.env.confirmed(USER, PASSWORD, &EMAIL);
    let id = &s.client_id;
    let missing = Some((
        "NotAuthorizedException",
        format!("Client {id} is configured for secret but secret was not received"),
    ));
    let before = s.snapshot();
    let pools = s.pools();
    assert_eq!(
        refusal(
            pools
                .initiate_auth(id, "USER_PASSWORD_AUTH", USER, PASSWORD)
                .map(drop)
        ),
        missing
    );
    assert_eq!(refusal(pools.forgot_password(id, USER).map(drop)), missing);
    assert_eq!(
        refusal(pools.sign_up(id, "maria", PASSWORD, &[]).map(drop)),
        missing
    );
    assert_eq!(s.snapshot(), before);
    assert_eq!(s.env.record("maria"), None);
}

#[test]
fn spec_11_a_client_without_secret_ignores_any_hash() {
    let env = common::env();
    env.confirmed(USER, PASSWORD, &[]);
    for hash in [None, Some("anything")] {
        let input = InitiateAuthInput::parse(Some(&env.client_id), Some("USER_PASSWORD_AUTH"))
            .unwrap()
            .with_secret_hash(hash);
        assert!(matches!(
            env.pools.initiate_auth_input(&input, USER, PASSWORD),
            Ok(AuthResult::Authenticated(_))
        ));
    }
}

#[test]
fn spec_11_the_hash_is_checked_before_the_user_is_looked_up() {
    // An unknown user through a secret client without a hash hears about the hash, not
    // about the user: the check comes right after the client is read.
    let s = Secret::new();
    let id = &s.client_id;
    let input = ClientUserInput::parse(Some(id), Some("nobody")).unwrap();
    assert_eq!(
        refusal(s.pools().forgot_password_input(&input).map(drop)),
        Some((
            "NotAuthorizedException",
            format!("Client {id} is configured for secret but secret was not received")
        ))
    );
    let input = input.with_secret_hash(Some(&s.hash("nobody")));
    assert_eq!(
        refusal(s.pools().forgot_password_input(&input).map(drop)),
        Some(("UserNotFoundException", "User does not exist.".into()))
    );
}
