//! SPEC §15 through the service: `USER_SRP_AUTH` and PASSWORD_VERIFIER at both doors, with
//! an independent SRP client (the `aws-cognito-srp` crate) computing A and the proof, over
//! a memory store behind `SealingStore` (so the SRP state is stored sealed).
//!
//! The refusals (malformed or zero A, a signature of the wrong length, a tampered timestamp
//! or secret block, a replay, an answer for another client or user) are each a typed
//! Cognito error, and change nothing but the failed-attempt count (and the consumed
//! challenge, which is the single use the SPEC asks for).

mod common;

use common::{authenticated, refused};

use aws_cognito_srp::{SrpClient, User};
use chrono::{TimeDelta, Utc};
use userpool::{
    AuthResult, ClientSettings, HostOptions, PasswordVerifierParameters, PoolSettings, Store,
    UserKey,
};
use userpool_core::{AliasAttribute, HashParams, UserPoolId, UserRecord};

const PASSWORD: &str = "Str0ng-Passw0rd!";
const NEW_PASSWORD: &str = "An0ther-Passw0rd!";

type Env = common::SealedEnv;

fn env_with(settings: PoolSettings, prevent: bool, host: HostOptions) -> Env {
    let client = ClientSettings {
        explicit_auth_flows: vec![
            "ALLOW_USER_SRP_AUTH".into(),
            "ALLOW_USER_PASSWORD_AUTH".into(),
        ],
        prevent_user_existence_errors: prevent,
        ..ClientSettings::default()
    };
    common::sealed_env(settings, client, host)
}

fn fast() -> PoolSettings {
    PoolSettings {
        hash_params: HashParams::insecure_fast_for_tests(),
        ..PoolSettings::default()
    }
}

fn env() -> Env {
    env_with(fast(), false, HostOptions::default())
}

impl Env {
    fn confirmed(&self, name: &str, password: &str) {
        self.pools
            .admin_create_user(&self.admin, &self.pool_id, name, None, &[], None)
            .expect("create");
        self.pools
            .admin_set_user_password(&self.admin, &self.pool_id, name, password, Some(true))
            .expect("set password");
    }

    /// The record as the inner store holds it (sealed SRP state).
    fn stored(&self, name: &str) -> UserRecord {
        let id = UserPoolId::parse(&self.pool_id).expect("id");
        self.inner
            .find_user(&id, UserKey::Username(name))
            .expect("store")
            .expect("user")
    }

    /// The record as the service sees it (SRP state opened).
    fn record(&self, name: &str) -> UserRecord {
        let id = UserPoolId::parse(&self.pool_id).expect("id");
        self.pools
            .store()
            .find_user(&id, UserKey::Username(name))
            .expect("store")
            .expect("user")
    }

    fn srp_client(&self, name: &str, password: &str) -> SrpClient<User> {
        SrpClient::new(
            User::new(&self.pool_id, name, password),
            &self.client_id,
            None,
        )
    }

    /// InitiateAuth USER_SRP_AUTH, returning the challenge's parameters.
    fn start(&self, client: &SrpClient<User>, name: &str) -> PasswordVerifierParameters {
        let a = client.get_auth_parameters().a;
        match self.pools.initiate_srp_auth(&self.client_id, name, &a) {
            Ok(AuthResult::PasswordVerifier(p)) => p,
            other => panic!("expected PASSWORD_VERIFIER, got {other:?}"),
        }
    }

    /// The client's answer to a challenge: (secret block, signature, timestamp).
    fn prove(client: &SrpClient<User>, p: &PasswordVerifierParameters) -> (String, String, String) {
        let v = client
            .verify(&p.secret_block, &p.user_id_for_srp, &p.salt, &p.srp_b)
            .expect("client computes the proof");
        (
            v.password_claim_secret_block,
            v.password_claim_signature,
            v.timestamp,
        )
    }

    fn answer(
        &self,
        name: &str,
        proof: &(String, String, String),
    ) -> Result<AuthResult, userpool_core::Error> {
        self.pools
            .respond_to_password_verifier(&self.client_id, name, &proof.0, &proof.1, &proof.2)
    }

    /// A whole SRP sign-in.
    fn srp_sign_in(&self, name: &str, password: &str) -> Result<AuthResult, userpool_core::Error> {
        let client = self.srp_client(name, password);
        let p = self.start(&client, name);
        let proof = Self::prove(&client, &p);
        self.answer(&p.user_id_for_srp, &proof)
    }
}

fn incorrect() -> (&'static str, String) {
    (
        "NotAuthorizedException",
        "Incorrect username or password.".to_owned(),
    )
}

/// Everything but the failed-attempt bookkeeping and the SRP state (where a challenge is
/// consumed), for "nothing else changed".
fn essentials(user: &UserRecord) -> impl PartialEq + std::fmt::Debug {
    (
        user.status,
        user.enabled,
        user.credential.clone(),
        user.history.clone(),
        user.attributes.clone(),
        user.pending_challenge.clone(),
    )
}

#[test]
fn srp_sign_in_authenticates_and_the_store_holds_only_sealed_state() {
    let env = env();
    env.confirmed("alice", PASSWORD);
    authenticated(env.srp_sign_in("alice", PASSWORD));
    let stored = env.stored("alice").srp.expect("a verifier is stored");
    assert!(
        userpool_store::seal::is_sealed(stored.as_bytes()),
        "the inner store holds the SRP state sealed"
    );
    let opened = env.record("alice").srp.expect("opened");
    assert!(!userpool_store::seal::is_sealed(opened.as_bytes()));
}

#[test]
fn wrong_password_is_a_counted_failure_and_the_lockout_refuses_without_checking() {
    let env = env();
    env.confirmed("alice", PASSWORD);
    let before = env.record("alice");
    assert_eq!(
        refused(env.srp_sign_in("alice", "Wr0ng-Passw0rd!")),
        incorrect()
    );
    let after = env.record("alice");
    assert_eq!(after.lockout.consecutive_failures, 1);
    assert_eq!(essentials(&after), essentials(&before));
    // A challenge opened before the lockout, answered rightly inside it: refused before
    // the proof is looked at, and a new challenge is not opened either.
    let client = env.srp_client("alice", PASSWORD);
    let p = env.start(&client, "alice");
    let proof = Env::prove(&client, &p);
    for _ in 0..10 {
        let _ = env.pools.initiate_auth(
            &env.client_id,
            "USER_PASSWORD_AUTH",
            "alice",
            "Wr0ng-Passw0rd!",
        );
    }
    let exceeded = (
        "NotAuthorizedException",
        "Password attempts exceeded".to_owned(),
    );
    assert_eq!(refused(env.answer("alice", &proof)), exceeded);
    let a = client.get_auth_parameters().a;
    assert_eq!(
        refused(env.pools.initiate_srp_auth(&env.client_id, "alice", &a)),
        exceeded
    );
}

#[test]
fn every_password_write_is_followed_by_a_working_srp_sign_in() {
    let env = env();
    // AdminCreateUser with a temporary password: SRP leads to NEW_PASSWORD_REQUIRED.
    env.pools
        .admin_create_user(&env.admin, &env.pool_id, "tina", Some(PASSWORD), &[], None)
        .expect("create");
    let session = match env.srp_sign_in("tina", PASSWORD) {
        Ok(AuthResult::NewPasswordRequired { session, user, .. }) => {
            assert_eq!(user.username, "tina");
            session
        }
        other => panic!("expected NEW_PASSWORD_REQUIRED, got {other:?}"),
    };
    // The NEW_PASSWORD_REQUIRED answer.
    authenticated(env.pools.respond_to_new_password_required(
        &env.client_id,
        "tina",
        session.expose(),
        NEW_PASSWORD,
    ));
    authenticated(env.srp_sign_in("tina", NEW_PASSWORD));
    assert_eq!(refused(env.srp_sign_in("tina", PASSWORD)), incorrect());
    // AdminSetUserPassword.
    env.confirmed("alice", PASSWORD);
    authenticated(env.srp_sign_in("alice", PASSWORD));
    // ChangePassword: the old password stops working with SRP.
    env.pools
        .change_password(&env.pool_id, "alice", PASSWORD, NEW_PASSWORD)
        .expect("change");
    authenticated(env.srp_sign_in("alice", NEW_PASSWORD));
    assert_eq!(refused(env.srp_sign_in("alice", PASSWORD)), incorrect());
    // ForgotPassword + ConfirmForgotPassword.
    env.pools
        .admin_update_user_attributes(
            &env.admin,
            &env.pool_id,
            "alice",
            &[("email", "alice@example.com"), ("email_verified", "true")],
        )
        .expect("email");
    env.pools
        .forgot_password(&env.client_id, "alice")
        .expect("forgot");
    let code = env.delivery.last_code("alice").expect("a reset code");
    env.pools
        .confirm_forgot_password(&env.client_id, "alice", code.expose(), "Th1rd-Passw0rd!")
        .expect("confirm forgot");
    authenticated(env.srp_sign_in("alice", "Th1rd-Passw0rd!"));
    // SignUp (+ AdminConfirmSignUp).
    env.pools
        .sign_up(&env.client_id, "sam", PASSWORD, &[])
        .expect("sign up");
    assert_eq!(
        refused(env.srp_sign_in("sam", PASSWORD)).0,
        "UserNotConfirmedException",
        "unconfirmed: the status error comes after a right proof, as with a password"
    );
    env.pools
        .admin_confirm_sign_up(&env.admin, &env.pool_id, "sam")
        .expect("confirm");
    authenticated(env.srp_sign_in("sam", PASSWORD));
}

#[test]
fn a_password_nfkc_changes_signs_in_with_srp_as_typed() {
    let env = env();
    // "ﬁ" (U+FB01) becomes "fi" under NFKC; "e" + U+0301 becomes "é".
    for password in ["Con\u{FB01}dent-Pass9!", "Caf\u{0065}\u{0301}-Passw0rd9"] {
        let name = if password.contains('\u{FB01}') {
            "lig"
        } else {
            "acc"
        };
        env.confirmed(name, password);
        authenticated(env.srp_sign_in(name, password));
        // The password flow takes either form.
        authenticated(env.pools.initiate_auth(
            &env.client_id,
            "USER_PASSWORD_AUTH",
            name,
            password,
        ));
    }
}

#[test]
fn disabled_user_is_refused_after_the_proof() {
    let env = env();
    env.confirmed("alice", PASSWORD);
    env.pools
        .admin_disable_user(&env.admin, &env.pool_id, "alice")
        .expect("disable");
    assert_eq!(
        refused(env.srp_sign_in("alice", PASSWORD)),
        ("NotAuthorizedException", "User is disabled.".to_owned())
    );
}

#[test]
fn malformed_and_zero_srp_a_are_invalid_parameters_and_open_nothing() {
    let env = env();
    env.confirmed("alice", PASSWORD);
    let before = env.record("alice");
    let n_hex = concat!(
        "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74",
        "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437",
        "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed",
        "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05",
        "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb",
        "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b",
        "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718",
        "3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33",
        "a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7",
        "abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864",
        "d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2",
        "08e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff",
    );
    for a in ["", "zz", "0", "00", n_hex, &"1".repeat(2000)] {
        let e = env
            .pools
            .initiate_srp_auth(&env.client_id, "alice", a)
            .expect_err("refused");
        assert_eq!(e.code(), "InvalidParameterException", "{a:.20}");
    }
    assert_eq!(
        env.record("alice"),
        before,
        "nothing opened, nothing counted"
    );
}

#[test]
fn tampered_short_replayed_and_foreign_answers_are_refused() {
    let env = env();
    env.confirmed("alice", PASSWORD);
    env.confirmed("bob", PASSWORD);
    let client = env.srp_client("alice", PASSWORD);

    // A tampered timestamp (a minute later: still a valid timestamp, not the signed one).
    let p = env.start(&client, "alice");
    let proof = Env::prove(&client, &p);
    let later = (Utc::now() + TimeDelta::minutes(1))
        .format("%a %b %-d %H:%M:%S UTC %Y")
        .to_string();
    let before = env.record("alice");
    assert_eq!(
        refused(env.answer("alice", &(proof.0.clone(), proof.1.clone(), later))),
        incorrect()
    );
    let after = env.record("alice");
    assert_eq!(after.lockout.consecutive_failures, 1);
    assert_eq!(essentials(&after), essentials(&before));
    // The challenge was consumed: the genuine answer is now a replay.
    assert_eq!(refused(env.answer("alice", &proof)), incorrect());

    // A tampered secret block.
    let p = env.start(&client, "alice");
    let proof = Env::prove(&client, &p);
    let mut block = proof.0.clone().into_bytes();
    block[0] = if block[0] == b'A' { b'B' } else { b'A' };
    let tampered = (
        String::from_utf8(block).expect("ascii"),
        proof.1.clone(),
        proof.2.clone(),
    );
    assert_eq!(refused(env.answer("alice", &tampered)), incorrect());
    // A signature of the wrong length.
    let short = (proof.0.clone(), proof.1[..20].to_owned(), proof.2.clone());
    let counted = env.record("alice").lockout.consecutive_failures;
    assert_eq!(refused(env.answer("alice", &short)), incorrect());
    assert_eq!(
        env.record("alice").lockout.consecutive_failures,
        counted + 1,
        "an unreadable answer is a failed sign-in"
    );
    let garbage = (
        "%%%".to_owned(),
        proof.1.clone(),
        "not a timestamp".to_owned(),
    );
    assert_eq!(refused(env.answer("alice", &garbage)), incorrect());
    // The untampered answer still works once, then is a replay.
    authenticated(env.answer("alice", &proof));
    assert_eq!(refused(env.answer("alice", &proof)), incorrect());

    // An answer for another user: bob has no such challenge (his count goes up), and
    // alice's challenge stays open for her.
    let p = env.start(&client, "alice");
    let proof = Env::prove(&client, &p);
    let bob_before = env.record("bob");
    assert_eq!(refused(env.answer("bob", &proof)), incorrect());
    let bob_after = env.record("bob");
    assert_eq!(bob_after.lockout.consecutive_failures, 1);
    assert_eq!(essentials(&bob_after), essentials(&bob_before));
    authenticated(env.answer("alice", &proof));

    // An answer through another client of the pool.
    let other = env.client_allowing("other", "ALLOW_USER_SRP_AUTH");
    let p = env.start(&client, "alice");
    let proof = Env::prove(&client, &p);
    assert_eq!(
        refused(
            env.pools
                .respond_to_password_verifier(&other, "alice", &proof.0, &proof.1, &proof.2)
        ),
        incorrect()
    );
    assert_eq!(
        refused(env.answer("alice", &proof)),
        incorrect(),
        "consumed"
    );
}

#[test]
fn an_expired_challenge_is_an_invalid_session() {
    let env = env();
    env.confirmed("alice", PASSWORD);
    let client = env.srp_client("alice", PASSWORD);
    let p = env.start(&client, "alice");
    let proof = Env::prove(&client, &p);
    env.clock.advance(TimeDelta::minutes(3));
    assert_eq!(
        refused(env.answer("alice", &proof)),
        (
            "NotAuthorizedException",
            "Invalid session for the user.".to_owned()
        )
    );
}

#[test]
fn pending_challenges_are_bounded_and_the_oldest_is_dropped() {
    let env = env();
    env.confirmed("alice", PASSWORD);
    let client = env.srp_client("alice", PASSWORD);
    let first = env.start(&client, "alice");
    let first = Env::prove(&client, &first);
    let mut last = None;
    for _ in 0..userpool_core::srp::MAX_PENDING_CHALLENGES {
        env.clock.advance(TimeDelta::seconds(1));
        let p = env.start(&client, "alice");
        last = Some(Env::prove(&client, &p));
    }
    assert_eq!(refused(env.answer("alice", &first)), incorrect(), "dropped");
    authenticated(env.answer("alice", &last.expect("opened")));
}

#[test]
fn unknown_users_get_a_stable_simulated_challenge_under_prevention() {
    let env = env_with(fast(), true, HostOptions::default());
    env.confirmed("alice", PASSWORD);
    let client = env.srp_client("ghost", PASSWORD);
    let one = env.start(&client, "ghost");
    let two = env.start(&client, "ghost");
    assert_eq!(one.salt, two.salt, "the same salt for the same name");
    assert_eq!(one.user_id_for_srp, "ghost");
    assert_ne!(one.srp_b, two.srp_b, "B is fresh");
    let other = env.start(&client, "phantom");
    assert_ne!(one.salt, other.salt);
    let proof = Env::prove(&client, &one);
    assert_eq!(refused(env.answer("ghost", &proof)), incorrect());
    // Without prevention: UserNotFoundException at once.
    let plain = env_with(fast(), false, HostOptions::default());
    let e = plain
        .pools
        .initiate_srp_auth(&plain.client_id, "ghost", &client.get_auth_parameters().a)
        .expect_err("unknown");
    assert_eq!(e.code(), "UserNotFoundException");
}

#[test]
fn email_pools_sign_in_with_the_username_as_user_id_for_srp() {
    // Email as an alias: USER_ID_FOR_SRP is the username, not the email typed.
    let env = env_with(
        PoolSettings {
            alias_attributes: vec![AliasAttribute::Email],
            ..fast()
        },
        false,
        HostOptions::default(),
    );
    env.confirmed("alice", PASSWORD);
    env.pools
        .admin_update_user_attributes(
            &env.admin,
            &env.pool_id,
            "alice",
            &[("email", "alice@example.com"), ("email_verified", "true")],
        )
        .expect("email");
    let client = env.srp_client("alice@example.com", PASSWORD);
    let p = env.start(&client, "alice@example.com");
    assert_eq!(p.user_id_for_srp, "alice");
    authenticated(env.answer("alice", &Env::prove(&client, &p)));

    // Email as the username: the generated username is USER_ID_FOR_SRP.
    let env = env_with(
        PoolSettings {
            username_attributes: vec![AliasAttribute::Email],
            ..fast()
        },
        false,
        HostOptions::default(),
    );
    env.pools
        .sign_up(&env.client_id, "eve@example.com", PASSWORD, &[])
        .expect("sign up");
    let sub = env
        .pools
        .admin_get_user(&env.admin, &env.pool_id, "eve@example.com")
        .expect("user")
        .username;
    env.pools
        .admin_confirm_sign_up(&env.admin, &env.pool_id, &sub)
        .expect("confirm");
    let client = env.srp_client("eve@example.com", PASSWORD);
    let p = env.start(&client, "eve@example.com");
    assert_eq!(p.user_id_for_srp, sub);
    authenticated(env.answer(&sub, &Env::prove(&client, &p)));
}

#[test]
fn the_admin_doors_take_srp_too() {
    let env = env();
    env.confirmed("alice", PASSWORD);
    let client = env.srp_client("alice", PASSWORD);
    let a = client.get_auth_parameters().a;
    let p = match env.pools.admin_initiate_srp_auth(
        &env.admin,
        &env.pool_id,
        &env.client_id,
        "alice",
        &a,
    ) {
        Ok(AuthResult::PasswordVerifier(p)) => p,
        other => panic!("expected PASSWORD_VERIFIER, got {other:?}"),
    };
    let proof = Env::prove(&client, &p);
    authenticated(env.pools.admin_respond_to_password_verifier(
        &env.admin,
        &env.pool_id,
        &env.client_id,
        "alice",
        &proof.0,
        &proof.1,
        &proof.2,
    ));
}

#[test]
fn a_host_can_turn_srp_off_and_a_client_must_allow_it() {
    let env = env_with(fast(), false, HostOptions::default().with_srp(false));
    env.confirmed("alice", PASSWORD);
    assert!(env.record("alice").srp.is_none(), "no verifier computed");
    let client = env.srp_client("alice", PASSWORD);
    let e = env
        .pools
        .initiate_srp_auth(&env.client_id, "alice", &client.get_auth_parameters().a)
        .expect_err("off");
    assert_eq!(e.code(), "InvalidParameterException");

    let env = self::env();
    env.confirmed("alice", PASSWORD);
    let password_only = env.client_allowing("password only", "ALLOW_USER_PASSWORD_AUTH");
    let e = env
        .pools
        .initiate_srp_auth(&password_only, "alice", &client.get_auth_parameters().a)
        .expect_err("not allowed");
    assert_eq!(
        (e.code(), e.to_string()),
        (
            "InvalidParameterException",
            "Auth flow not enabled for this client".to_owned()
        )
    );
}

#[test]
fn a_user_without_a_verifier_gets_one_at_the_next_password_sign_in() {
    let env = env();
    env.confirmed("alice", PASSWORD);
    // As if the password had been set before SRP existed.
    let id = UserPoolId::parse(&env.pool_id).expect("id");
    let mut old = env.record("alice");
    old.srp = None;
    env.pools.store().update_user(&id, &old).expect("write");
    assert_eq!(refused(env.srp_sign_in("alice", PASSWORD)), incorrect());
    authenticated(
        env.pools
            .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", "alice", PASSWORD),
    );
    authenticated(env.srp_sign_in("alice", PASSWORD));
}
