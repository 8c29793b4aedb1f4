//! SPEC §18 through the service, over a memory store behind `SealingStore`: the pool's MFA
//! configuration, MFA_SETUP after a password sign-in, SOFTWARE_TOKEN_MFA after a password
//! and after an SRP sign-in (an independent SRP client, `aws-cognito-srp`), MFA after the
//! NEW_PASSWORD_REQUIRED answer, SMS codes through the delivery, the admin door, sessions
//! of another pool or user, and the MFA state sealed in the store.

mod common;

use common::{authenticated, refused};

use aws_cognito_srp::{SrpClient, User};
use chrono::TimeDelta;
use userpool::{
    AuthResult, ChallengeSessionText, ClientSettings, Clock, HostOptions, MfaAnswer,
    MfaChallengeResult, PoolSettings, Store, UserKey,
};
use userpool_core::mfa::{FactorPreference, MfaChallengeName, MfaMode, PoolMfaConfig, TotpSecret};
use userpool_core::{ConfirmationCode, Event, HashParams, UserPoolId};
use userpool_store::seal;

const PASSWORD: &str = "Str0ng-Passw0rd!";
const TEMPORARY: &str = "Tempor4ry-Passw0rd!";
const NEW_PASSWORD: &str = "An0ther-Passw0rd!";

type Env = common::SealedEnv;

fn env(mode: MfaMode, software_token: bool, sms: bool) -> Env {
    let settings = PoolSettings {
        hash_params: HashParams::insecure_fast_for_tests(),
        ..PoolSettings::default()
    };
    let client = ClientSettings {
        explicit_auth_flows: vec![
            "ALLOW_USER_SRP_AUTH".into(),
            "ALLOW_USER_PASSWORD_AUTH".into(),
            "ALLOW_ADMIN_USER_PASSWORD_AUTH".into(),
        ],
        ..ClientSettings::default()
    };
    let env = common::sealed_env(settings, client, HostOptions::default());
    let config = PoolMfaConfig {
        mode,
        software_token,
        sms,
        sms_message: None,
    };
    assert_eq!(
        env.pools
            .set_user_pool_mfa_config(&env.admin, &env.pool_id, config.clone())
            .expect("config"),
        config
    );
    env
}

fn challenge(result: Result<AuthResult, userpool_core::Error>) -> MfaChallengeResult {
    match result {
        Ok(AuthResult::Mfa(challenge)) => challenge,
        other => panic!("expected an MFA challenge, got {other:?}"),
    }
}

/// Decodes RFC 4648 base32 without padding, as an authenticator app does.
fn base32(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c).expect("base32") as u64;
        bits = (bits << 5) | v;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from((bits >> count) & 0xff).expect("a byte"));
        }
    }
    out
}

impl Env {
    fn confirmed(&self, name: &str, attributes: &[(&str, &str)]) {
        self.pools
            .admin_create_user(&self.admin, &self.pool_id, name, None, attributes, None)
            .expect("create");
        self.pools
            .admin_set_user_password(&self.admin, &self.pool_id, name, PASSWORD, Some(true))
            .expect("set password");
    }

    fn sign_in(&self, name: &str, password: &str) -> Result<AuthResult, userpool_core::Error> {
        self.pools
            .initiate_auth(&self.client_id, "USER_PASSWORD_AUTH", name, password)
    }

    fn answer(
        &self,
        name: &str,
        session: &str,
        answer: MfaAnswer<'_>,
    ) -> Result<AuthResult, userpool_core::Error> {
        self.pools
            .respond_to_mfa_challenge(&self.client_id, name, session, answer)
    }

    /// The SMS_MFA code last delivered to `name`.
    fn last_sms_code(&self, name: &str) -> ConfirmationCode {
        self.delivery
            .events()
            .into_iter()
            .rev()
            .find_map(|d| match d.event {
                Event::MfaCodeIssued { code } if d.username == name => Some(code),
                _ => None,
            })
            .expect("a code delivered")
    }

    fn code(&self, secret: &TotpSecret) -> String {
        secret.code_at(self.clock.now()).expect("code").to_string()
    }

    fn advance(&self) {
        self.clock.advance(TimeDelta::seconds(30));
    }

    /// Associates a software token within the MFA_SETUP `session` and verifies its current
    /// code; the secret and the session that answers MFA_SETUP.
    fn associate_and_verify(&self, session: &str) -> (TotpSecret, ChallengeSessionText) {
        let (code, session) = self
            .pools
            .associate_software_token_in_session(session)
            .expect("associate");
        let bytes: [u8; 20] = base32(&code).try_into().expect("160 bits");
        let secret = TotpSecret::from_bytes(bytes);
        let session = self
            .pools
            .verify_software_token_in_session(session.expose(), &self.code(&secret))
            .expect("verify");
        (secret, session)
    }

    /// MFA_SETUP from a fresh sign-in to tokens; returns the secret.
    fn set_up(&self, name: &str) -> TotpSecret {
        let setup = challenge(self.sign_in(name, PASSWORD));
        assert_eq!(setup.name, MfaChallengeName::MfaSetup);
        let (secret, session) = self.associate_and_verify(setup.session.expose());
        authenticated(self.answer(name, session.expose(), MfaAnswer::Setup));
        self.advance();
        secret
    }
}

#[test]
fn spec_18_mfa_setup_then_software_token_at_both_doors() {
    let e = env(MfaMode::On, true, false);
    e.confirmed("tom", &[]);
    let secret = e.set_up("tom");
    let described = e
        .pools
        .admin_get_user(&e.admin, &e.pool_id, "tom")
        .expect("get");
    assert_eq!(described.mfa.enabled.len(), 1);

    let totp = challenge(e.sign_in("tom", PASSWORD));
    assert_eq!(totp.name, MfaChallengeName::SoftwareTokenMfa);
    let (code, message) = refused(e.answer(
        "tom",
        totp.session.expose(),
        MfaAnswer::SoftwareToken { code: "000000" },
    ));
    assert_eq!(
        (code, message.as_str()),
        ("CodeMismatchException", "Invalid code received for user")
    );
    authenticated(e.answer(
        "tom",
        totp.session.expose(),
        MfaAnswer::SoftwareToken {
            code: &e.code(&secret),
        },
    ));

    // The admin door: the same challenge, answered there.
    e.advance();
    let admin = challenge(e.pools.admin_initiate_auth(
        &e.admin,
        &e.pool_id,
        &e.client_id,
        "ADMIN_USER_PASSWORD_AUTH",
        "tom",
        PASSWORD,
    ));
    authenticated(e.pools.admin_respond_to_mfa_challenge(
        &e.admin,
        &e.pool_id,
        &e.client_id,
        "tom",
        admin.session.expose(),
        MfaAnswer::SoftwareToken {
            code: &e.code(&secret),
        },
    ));

    // The MFA state is sealed in the store underneath.
    let id = UserPoolId::parse(&e.pool_id).expect("id");
    let stored = e
        .inner
        .find_user(&id, UserKey::Username("tom"))
        .expect("store")
        .expect("user");
    assert!(seal::is_sealed(stored.mfa.expect("state").as_bytes()));
}

#[test]
fn spec_18_srp_sign_in_then_software_token() {
    let e = env(MfaMode::Optional, true, false);
    e.confirmed("sri", &[]);
    // Set up by access token (here: the service calls the host makes with its claims).
    authenticated(e.sign_in("sri", PASSWORD));
    let code = e
        .pools
        .associate_software_token(&e.pool_id, "sri")
        .expect("associate");
    let secret = TotpSecret::from_bytes(base32(&code).try_into().expect("160 bits"));
    let wrong = e.pools.verify_software_token(&e.pool_id, "sri", "000000");
    assert_eq!(
        wrong.expect_err("wrong code").code(),
        "EnableSoftwareTokenMFAException"
    );
    e.pools
        .verify_software_token(&e.pool_id, "sri", &e.code(&secret))
        .expect("verify");
    let on = FactorPreference {
        enabled: Some(true),
        preferred: Some(true),
    };
    e.pools
        .set_user_mfa_preference(&e.pool_id, "sri", on, FactorPreference::default())
        .expect("turn on");
    e.advance();

    let client = SrpClient::new(User::new(&e.pool_id, "sri", PASSWORD), &e.client_id, None);
    let a = client.get_auth_parameters().a;
    let Ok(AuthResult::PasswordVerifier(p)) = e.pools.initiate_srp_auth(&e.client_id, "sri", &a)
    else {
        panic!("expected PASSWORD_VERIFIER");
    };
    let v = client
        .verify(&p.secret_block, &p.user_id_for_srp, &p.salt, &p.srp_b)
        .expect("proof");
    let totp = challenge(e.pools.respond_to_password_verifier(
        &e.client_id,
        "sri",
        &v.password_claim_secret_block,
        &v.password_claim_signature,
        &v.timestamp,
    ));
    assert_eq!(totp.name, MfaChallengeName::SoftwareTokenMfa);
    authenticated(e.answer(
        "sri",
        totp.session.expose(),
        MfaAnswer::SoftwareToken {
            code: &e.code(&secret),
        },
    ));
}

#[test]
fn spec_18_new_password_answer_then_mfa_setup() {
    let e = env(MfaMode::On, true, false);
    e.pools
        .admin_create_user(&e.admin, &e.pool_id, "nia", Some(TEMPORARY), &[], None)
        .expect("create");
    let Ok(AuthResult::NewPasswordRequired { session, .. }) = e.sign_in("nia", TEMPORARY) else {
        panic!("expected NEW_PASSWORD_REQUIRED");
    };
    let setup = challenge(e.pools.respond_to_new_password_required(
        &e.client_id,
        "nia",
        session.expose(),
        NEW_PASSWORD,
    ));
    assert_eq!(setup.name, MfaChallengeName::MfaSetup);
}

#[test]
fn spec_18_sms_code_goes_through_the_delivery() {
    let e = env(MfaMode::On, false, true);
    e.confirmed("sue", &[("phone_number", "+15555550123")]);
    let sms = challenge(e.sign_in("sue", PASSWORD));
    assert_eq!(sms.name, MfaChallengeName::SmsMfa);
    let delivery = sms.delivery.clone().expect("where the code went");
    assert_eq!(delivery.destination, "+*******0123");
    let code = e.last_sms_code("sue");
    authenticated(e.answer(
        "sue",
        sms.session.expose(),
        MfaAnswer::Sms {
            code: code.expose(),
        },
    ));
    let described = e
        .pools
        .admin_get_user(&e.admin, &e.pool_id, "sue")
        .expect("get");
    assert_eq!(
        described
            .attributes
            .get("phone_number_verified")
            .map(String::as_str),
        Some("true")
    );
}

#[test]
fn spec_18_sessions_of_another_pool_or_user_are_invalid() {
    let e = env(MfaMode::On, true, false);
    e.confirmed("amy", &[]);
    e.confirmed("bob", &[]);
    let amy = challenge(e.sign_in("amy", PASSWORD));
    let bob = challenge(e.sign_in("bob", PASSWORD));
    let invalid = (
        "NotAuthorizedException",
        "Invalid session for the user.".to_owned(),
    );
    // Amy's session under Bob's name.
    assert_eq!(
        refused(e.answer("bob", amy.session.expose(), MfaAnswer::Setup)),
        invalid
    );
    // Amy's session moved to another pool's name.
    let other = env(MfaMode::On, true, false);
    other.confirmed("amy", &[]);
    let moved = amy.session.expose().replacen(&e.pool_id, &other.pool_id, 1);
    assert_eq!(
        refused(other.answer("amy", &moved, MfaAnswer::Setup)),
        invalid
    );
    let associate = other.pools.associate_software_token_in_session(&moved);
    assert_eq!(
        associate.expect_err("refused").to_string(),
        "Invalid session for the user."
    );
    // Made-up sessions.
    for garbage in ["x".repeat(30), format!("{}.{}", e.pool_id, "y".repeat(40))] {
        assert_eq!(
            refused(e.answer("amy", &garbage, MfaAnswer::Setup)),
            invalid
        );
    }
    drop(bob);
    // The pool setting is checked: ON without a factor is refused, and nothing changes.
    let none = PoolMfaConfig {
        mode: MfaMode::On,
        ..PoolMfaConfig::default()
    };
    assert_eq!(
        e.pools
            .set_user_pool_mfa_config(&e.admin, &e.pool_id, none)
            .expect_err("refused")
            .code(),
        "InvalidParameterException"
    );
    assert_eq!(
        e.pools
            .get_user_pool_mfa_config(&e.admin, &e.pool_id)
            .expect("get")
            .mode,
        MfaMode::On
    );
}

/// SPEC §18: the phone number SMS MFA sends to cannot be deleted while SMS is the user's
/// factor (Cognito refuses too), neither by the user (a stolen access token must not strip
/// the second factor) nor by an administrator, nor by writing it empty; the refusal changes
/// nothing and the next sign-in still asks for the SMS code. Once SMS MFA is off, the
/// number may go.
#[test]
fn spec_18_the_phone_number_of_sms_mfa_is_not_deleted_from_under_it() {
    let e = env(MfaMode::Optional, false, true);
    e.confirmed("pat", &[("phone_number", "+15555550199")]);
    let sms_on = FactorPreference {
        enabled: Some(true),
        preferred: Some(true),
    };
    e.pools
        .set_user_mfa_preference(&e.pool_id, "pat", FactorPreference::default(), sms_on)
        .expect("SMS on");
    let stored = || {
        let id = UserPoolId::parse(&e.pool_id).expect("id");
        e.inner
            .find_user(&id, UserKey::Username("pat"))
            .expect("find")
            .expect("pat")
    };
    let before = stored();
    let message = "phone_number cannot be deleted while SMS MFA is enabled for the user. Turn SMS MFA off first.";
    let attempts: [(&str, Result<(), userpool_core::Error>); 3] = [
        (
            "DeleteUserAttributes",
            e.pools
                .delete_user_attributes(&e.pool_id, "pat", &["phone_number"]),
        ),
        (
            "AdminDeleteUserAttributes",
            e.pools.admin_delete_user_attributes(
                &e.admin,
                &e.pool_id,
                "pat",
                &["phone_number", "name"],
            ),
        ),
        (
            "UpdateUserAttributes with an empty value",
            e.pools
                .update_user_attributes(&e.pool_id, "pat", &[("phone_number", "")])
                .map(drop),
        ),
    ];
    for (operation, result) in attempts {
        let error = result.expect_err(operation);
        assert_eq!(
            (error.code(), error.to_string().as_str()),
            ("InvalidParameterException", message),
            "{operation}"
        );
        assert_eq!(stored(), before, "{operation}: nothing changed");
    }
    assert_eq!(
        challenge(e.sign_in("pat", PASSWORD)).name,
        MfaChallengeName::SmsMfa,
        "the second factor stays"
    );

    let sms_off = FactorPreference {
        enabled: Some(false),
        preferred: Some(false),
    };
    e.pools
        .set_user_mfa_preference(&e.pool_id, "pat", FactorPreference::default(), sms_off)
        .expect("SMS off");
    e.pools
        .delete_user_attributes(&e.pool_id, "pat", &["phone_number"])
        .expect("no longer a factor");
    assert!(!stored().attributes.contains_key("phone_number"));
}

/// SPEC §18: an MFA step's session is bound to the app client whose sign-in opened it: an
/// answer through another client of the pool (right code, either door) is
/// NotAuthorizedException `Invalid session for the user.`, writes nothing and spends
/// nothing; the opening client's answer then passes. The same holds at the end of
/// MFA_SETUP, after AssociateSoftwareToken and VerifySoftwareToken by session (which name
/// no client).
#[test]
fn spec_18_mfa_sessions_are_answered_through_the_opening_client_only() {
    let e = env(MfaMode::On, true, true);
    let other = e.client_allowing("other", "ALLOW_USER_PASSWORD_AUTH");
    let stored = |name: &str| {
        let id = UserPoolId::parse(&e.pool_id).expect("id");
        e.inner
            .find_user(&id, UserKey::Username(name))
            .expect("find")
            .expect("user")
    };
    let invalid = (
        "NotAuthorizedException",
        "Invalid session for the user.".to_owned(),
    );

    // SMS_MFA.
    e.confirmed("sam", &[("phone_number", "+15555550142")]);
    let sms = challenge(e.sign_in("sam", PASSWORD));
    assert_eq!(sms.name, MfaChallengeName::SmsMfa);
    let code = e.last_sms_code("sam");
    let before = stored("sam");
    let answer = MfaAnswer::Sms {
        code: code.expose(),
    };
    assert_eq!(
        refused(
            e.pools
                .respond_to_mfa_challenge(&other, "sam", sms.session.expose(), answer)
        ),
        invalid
    );
    assert_eq!(
        refused(e.pools.admin_respond_to_mfa_challenge(
            &e.admin,
            &e.pool_id,
            &other,
            "sam",
            sms.session.expose(),
            answer
        )),
        invalid
    );
    assert_eq!(stored("sam"), before, "nothing written, no attempt spent");
    authenticated(e.answer("sam", sms.session.expose(), answer));

    // MFA_SETUP, through the two token operations by session.
    e.confirmed("tia", &[]);
    let setup = challenge(e.sign_in("tia", PASSWORD));
    assert_eq!(setup.name, MfaChallengeName::MfaSetup);
    let (_, session) = e.associate_and_verify(setup.session.expose());
    let before = stored("tia");
    assert_eq!(
        refused(e.pools.respond_to_mfa_challenge(
            &other,
            "tia",
            session.expose(),
            MfaAnswer::Setup
        )),
        invalid
    );
    assert_eq!(stored("tia"), before, "nothing written");
    authenticated(e.answer("tia", session.expose(), MfaAnswer::Setup));
}
