//! SPEC §19: PreAuthentication and PostAuthentication as host traits. PreAuthentication runs
//! before the password is checked (its refusal counts no failed attempt); PostAuthentication
//! after a successful one (its refusal means no tokens).

mod common;

use std::sync::{Arc, Mutex};

use aws_cognito_srp::{SrpClient, User};
use userpool::AuthResult;
use userpool_core::triggers::{AuthenticationEvent, Trigger, TriggerError, Triggers};

use common::{Env, env_with, fast_settings};

const PASSWORD: &str = "Str0ng-Passw0rd!";

#[derive(Debug)]
struct Gate {
    pool: String,
    seen: Mutex<Vec<(Trigger, String)>>,
}

impl Gate {
    fn record(&self, trigger: Trigger, event: &AuthenticationEvent) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push((trigger, event.caller.username.clone()));
        }
    }
}

impl Triggers for Gate {
    fn has(&self, pool_id: &str, trigger: Trigger) -> bool {
        pool_id == self.pool
            && matches!(
                trigger,
                Trigger::PreAuthentication | Trigger::PostAuthentication
            )
    }

    fn pre_authentication(&self, event: &AuthenticationEvent) -> Result<(), TriggerError> {
        self.record(Trigger::PreAuthentication, event);
        if event.caller.username != "newcomer" {
            assert_eq!(event.user_attributes["cognito:user_status"], "CONFIRMED");
        }
        if event.caller.username == "blocked" {
            return Err(TriggerError::Refused {
                trigger: Trigger::PreAuthentication,
                message: "Blocked".into(),
            });
        }
        Ok(())
    }

    fn post_authentication(&self, event: &AuthenticationEvent) -> Result<(), TriggerError> {
        self.record(Trigger::PostAuthentication, event);
        if matches!(event.caller.username.as_str(), "audited" | "newcomer") {
            return Err(TriggerError::Unreachable {
                trigger: Trigger::PostAuthentication,
                reason: "AccessDeniedException".into(),
            });
        }
        Ok(())
    }
}

fn gated() -> (Env, Arc<Gate>) {
    let env = env_with(fast_settings(), false, |b| b);
    for user in ["ana", "blocked", "audited"] {
        env.confirmed(user, PASSWORD, &[]);
    }
    let gate = Arc::new(Gate {
        pool: env.pool_id.clone(),
        seen: Mutex::new(Vec::new()),
    });
    let pools = userpool::UserPools::builder(Arc::clone(&env.store))
        .clock(env.clock.clone())
        .triggers(Arc::clone(&gate) as Arc<dyn Triggers>)
        .build();
    (Env { pools, ..env }, gate)
}

fn sign_in(env: &Env, user: &str, password: &str) -> Result<AuthResult, userpool_core::Error> {
    env.pools
        .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", user, password)
}

fn seen(gate: &Gate) -> Vec<(Trigger, String)> {
    gate.seen.lock().map(|s| s.clone()).unwrap_or_default()
}

#[test]
fn both_run_around_a_successful_sign_in() {
    let (env, gate) = gated();
    assert!(matches!(
        sign_in(&env, "ana", PASSWORD).expect("signed in"),
        AuthResult::Authenticated(_)
    ));
    assert_eq!(
        seen(&gate),
        [
            (Trigger::PreAuthentication, "ana".to_owned()),
            (Trigger::PostAuthentication, "ana".to_owned()),
        ]
    );
    // A wrong password: PreAuthentication ran, PostAuthentication did not.
    sign_in(&env, "ana", "Wr0ng-Passw0rd!").expect_err("wrong");
    assert_eq!(seen(&gate).len(), 3);
    assert_eq!(seen(&gate)[2].0, Trigger::PreAuthentication);
}

#[test]
fn a_pre_authentication_refusal_counts_no_failure() {
    let (env, _) = gated();
    let e = sign_in(&env, "blocked", "Wr0ng-Passw0rd!").expect_err("refused");
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        (
            "UserLambdaValidationException",
            "PreAuthentication failed with error Blocked."
        )
    );
    let user = env.record("blocked").expect("user");
    assert_eq!(
        user.lockout.consecutive_failures, 0,
        "the password was never checked"
    );
}

#[test]
fn a_post_authentication_failure_gives_no_tokens() {
    let (env, _) = gated();
    let e = sign_in(&env, "audited", PASSWORD).expect_err("no tokens");
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        (
            "UnexpectedLambdaException",
            "PostAuthentication invocation failed due to error AccessDeniedException."
        )
    );
}

fn is_post_authentication_failure(e: &userpool_core::Error) -> bool {
    e.code() == "UnexpectedLambdaException"
        && e.to_string()
            == "PostAuthentication invocation failed due to error AccessDeniedException."
}

/// The NEW_PASSWORD_REQUIRED answer is the step that authenticates an administrator-created
/// user: PostAuthentication runs there, and its refusal gives no tokens.
#[test]
fn post_authentication_runs_after_the_new_password_answer() {
    let (env, gate) = gated();
    env.pools
        .admin_create_user(
            &env.admin,
            &env.pool_id,
            "newcomer",
            Some("Temp-Passw0rd!1"),
            &[],
            None,
        )
        .expect("create");
    let session = match sign_in(&env, "newcomer", "Temp-Passw0rd!1").expect("challenge") {
        AuthResult::NewPasswordRequired { session, .. } => session,
        other => panic!("expected NEW_PASSWORD_REQUIRED, got {other:?}"),
    };
    assert!(
        !seen(&gate).contains(&(Trigger::PostAuthentication, "newcomer".to_owned())),
        "a challenge is not an authentication"
    );
    let e = env
        .pools
        .respond_to_new_password_required(&env.client_id, "newcomer", session.expose(), PASSWORD)
        .expect_err("PostAuthentication refused: no tokens");
    assert!(is_post_authentication_failure(&e), "{e:?}");
}

/// SRP is a sign-in like any other: PreAuthentication runs when it starts,
/// PostAuthentication when its answer authenticates.
#[test]
fn both_run_around_an_srp_sign_in() {
    let (env, gate) = gated();
    let client_id = env.client_allowing("srp", "ALLOW_USER_SRP_AUTH");
    // The SRP client stamps its answer with the system clock.
    env.clock.set(chrono::Utc::now());
    let srp_sign_in = |name: &str| -> Result<AuthResult, userpool_core::Error> {
        let srp = SrpClient::new(User::new(&env.pool_id, name, PASSWORD), &client_id, None);
        let a = srp.get_auth_parameters().a;
        let p = match env.pools.initiate_srp_auth(&client_id, name, &a)? {
            AuthResult::PasswordVerifier(p) => p,
            other => panic!("expected PASSWORD_VERIFIER, got {other:?}"),
        };
        let proof = srp
            .verify(&p.secret_block, &p.user_id_for_srp, &p.salt, &p.srp_b)
            .expect("client computes the proof");
        env.pools.respond_to_password_verifier(
            &client_id,
            &p.user_id_for_srp,
            &proof.password_claim_secret_block,
            &proof.password_claim_signature,
            &proof.timestamp,
        )
    };
    let ana = srp_sign_in("ana");
    assert!(matches!(ana, Ok(AuthResult::Authenticated(_))), "{ana:?}");
    assert_eq!(
        seen(&gate),
        [
            (Trigger::PreAuthentication, "ana".to_owned()),
            (Trigger::PostAuthentication, "ana".to_owned()),
        ]
    );
    let e = srp_sign_in("blocked").expect_err("PreAuthentication refused");
    assert_eq!(e.code(), "UserLambdaValidationException");
    let e = srp_sign_in("audited").expect_err("PostAuthentication refused: no tokens");
    assert!(is_post_authentication_failure(&e), "{e:?}");
}
