//! SPEC §18: multi-factor authentication in the core — which challenge follows the first
//! factor, TOTP setup and answers (each step once), SMS codes (bounded), SELECT_MFA_TYPE,
//! MFA_SETUP, sessions (single-use, expiring, bound to user and credential), wrong answers
//! counted toward the lockout, and every refusal with Cognito's code and message.

mod common;

use chrono::TimeDelta;
use common::*;
use userpool_core::mfa::{
    self, FactorPreference, MfaChallenge, MfaChallengeName, MfaFactor, MfaMode, PoolMfaConfig,
    TotpSecret,
};
use userpool_core::{PoolRules, UserRecord, transitions};

const NOT_AUTHORIZED: &str = "NotAuthorizedException";
const INVALID_SESSION: &str = "Invalid session for the user.";
const MISMATCH: &str = "CodeMismatchException";
const WRONG_CODE: &str = "Invalid code received for user";

fn mfa_rules(mode: MfaMode, software_token: bool, sms: bool) -> PoolRules {
    let mut rules = rules();
    rules.mfa = PoolMfaConfig {
        mode,
        software_token,
        sms,
        sms_message: None,
    };
    rules
}

fn with_phone(user: &UserRecord) -> UserRecord {
    let mut next = user.clone();
    next.attributes
        .insert("phone_number".into(), "+15555550123".into());
    next
}

const ON: FactorPreference = FactorPreference {
    enabled: Some(true),
    preferred: Some(true),
};

/// A confirmed user with a verified TOTP token turned on and preferred.
fn totp_user(world: &mut World, rules: &PoolRules) -> (UserRecord, TotpSecret) {
    let user = confirmed(world, rules);
    let (user, secret) =
        mfa::associate_software_token(&user, rules, &mut world.ctx()).expect("associate");
    let code = secret.code_at(world.now).expect("code");
    let user = mfa::verify_software_token(&user, &code, &mut world.ctx()).expect("verify");
    let user =
        mfa::set_user_mfa_preference(&user, ON, FactorPreference::default(), &mut world.ctx())
            .expect("turn TOTP on");
    // The next code must come from a later step than the one verification spent.
    world.advance(TimeDelta::seconds(30));
    (user, secret)
}

#[track_caller]
fn challenged(
    user: &UserRecord,
    rules: &PoolRules,
    world: &mut World,
) -> (UserRecord, MfaChallenge) {
    mfa::challenge_after_first_factor(user, rules, &mut world.ctx())
        .expect("no error")
        .expect("a challenge")
}

#[track_caller]
fn code(secret: &TotpSecret, world: &World) -> String {
    secret.code_at(world.now).expect("code").to_string()
}

#[track_caller]
fn wrong(code: &str) -> String {
    let digit = (code.as_bytes()[0] - b'0' + 1) % 10;
    format!("{digit}{}", &code[1..])
}

#[test]
fn spec_18_off_pool_asks_nothing_even_of_a_user_with_a_factor() {
    let mut world = World::new();
    let rules = mfa_rules(MfaMode::Optional, true, false);
    let (user, _) = totp_user(&mut world, &rules);
    let off = mfa_rules(MfaMode::Off, true, false);
    assert!(
        mfa::challenge_after_first_factor(&user, &off, &mut world.ctx())
            .expect("ok")
            .is_none()
    );
}

#[test]
fn spec_18_optional_pool_asks_only_users_with_a_factor_turned_on() {
    let mut world = World::new();
    let rules = mfa_rules(MfaMode::Optional, true, false);
    let plain = confirmed(&mut world, &rules);
    assert!(
        mfa::challenge_after_first_factor(&plain, &rules, &mut world.ctx())
            .expect("ok")
            .is_none()
    );
    // Associated and verified but not turned on: still nothing (the guide's two steps).
    let (user, secret) =
        mfa::associate_software_token(&plain, &rules, &mut world.ctx()).expect("associate");
    let user = mfa::verify_software_token(&user, &code(&secret, &world), &mut world.ctx())
        .expect("verify");
    assert!(
        mfa::challenge_after_first_factor(&user, &rules, &mut world.ctx())
            .expect("ok")
            .is_none()
    );
    assert!(
        mfa::settings(&user)
            .expect("settings")
            .software_token_verified
    );
    assert!(mfa::settings(&user).expect("settings").enabled.is_empty());
}

#[test]
fn spec_18_totp_answer_completes_once_and_a_code_is_accepted_once() {
    let mut world = World::new();
    let rules = mfa_rules(MfaMode::Optional, true, false);
    let (user, secret) = totp_user(&mut world, &rules);
    let (user, challenge) = challenged(&user, &rules, &mut world);
    assert_eq!(challenge.name, MfaChallengeName::SoftwareTokenMfa);
    assert_eq!(challenge.name.as_str(), "SOFTWARE_TOKEN_MFA");
    let session = challenge.session.expose().to_owned();
    let answer = code(&secret, &world);
    let done =
        mfa::respond_to_software_token_mfa(&user, &session, &answer, &rules, &mut world.ctx())
            .expect("the right code completes");
    // The session is spent.
    let again = refused(mfa::respond_to_software_token_mfa(
        &done,
        &session,
        &answer,
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&again.error, NOT_AUTHORIZED, INVALID_SESSION);
    // A new sign-in in the same step: the same code is a replay.
    let (next, challenge) = challenged(&done, &rules, &mut world);
    let replay = refused(mfa::respond_to_software_token_mfa(
        &next,
        challenge.session.expose(),
        &answer,
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&replay.error, MISMATCH, WRONG_CODE);
    let counted = replay.record.expect("a wrong answer is recorded");
    assert_eq!(counted.lockout.consecutive_failures, 1);
    // The next step's code works on the same session.
    world.advance(TimeDelta::seconds(30));
    mfa::respond_to_software_token_mfa(
        &counted,
        challenge.session.expose(),
        &code(&secret, &world),
        &rules,
        &mut world.ctx(),
    )
    .expect("a fresh step completes");
}

#[test]
fn spec_18_wrong_answers_count_toward_lockout_and_void_the_session_after_three() {
    let mut world = World::new();
    let rules = mfa_rules(MfaMode::Optional, true, false);
    let (user, secret) = totp_user(&mut world, &rules);
    let (mut user, challenge) = challenged(&user, &rules, &mut world);
    let session = challenge.session.expose().to_owned();
    let bad = wrong(&code(&secret, &world));
    for n in 1..=3u32 {
        let r = refused(mfa::respond_to_software_token_mfa(
            &user,
            &session,
            &bad,
            &rules,
            &mut world.ctx(),
        ));
        assert_error(&r.error, MISMATCH, WRONG_CODE);
        user = *r.record.expect("counted");
        assert_eq!(user.lockout.consecutive_failures, n);
        assert_eq!(user.status, userpool_core::UserStatus::Confirmed);
    }
    let r = refused(mfa::respond_to_software_token_mfa(
        &user,
        &session,
        &code(&secret, &world),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&r.error, NOT_AUTHORIZED, INVALID_SESSION);
    assert!(r.record.is_none(), "an invalid session writes nothing");
}

#[test]
fn spec_18_inside_a_lockout_answers_are_not_checked() {
    let mut world = World::new();
    let rules = mfa_rules(MfaMode::Optional, true, false);
    let (user, secret) = totp_user(&mut world, &rules);
    let mut user = user;
    // Five free failures across sessions (each new sign-in keeps the count), then a lockout.
    for _ in 0..6 {
        let (next, challenge) = challenged(&user, &rules, &mut world);
        let r = refused(mfa::respond_to_software_token_mfa(
            &next,
            challenge.session.expose(),
            "000000x",
            &rules,
            &mut world.ctx(),
        ));
        assert_error(&r.error, MISMATCH, WRONG_CODE);
        user = *r.record.expect("counted");
    }
    assert_eq!(user.lockout.consecutive_failures, 6);
    assert!(user.lockout.locked_until.is_some());
    let (next, challenge) = challenged(&user, &rules, &mut world);
    let r = refused(mfa::respond_to_software_token_mfa(
        &next,
        challenge.session.expose(),
        &code(&secret, &world),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&r.error, NOT_AUTHORIZED, "Password attempts exceeded");
    assert!(r.record.is_none());
}

#[test]
fn spec_18_sessions_expire_belong_to_one_user_and_one_credential() {
    let mut world = World::new();
    let rules = mfa_rules(MfaMode::Optional, true, false);
    let (alice, secret) = totp_user(&mut world, &rules);
    let (alice, challenge) = challenged(&alice, &rules, &mut world);
    let session = challenge.session.expose().to_owned();
    assert_eq!(
        mfa::session_username(&session).map(|u| u.as_str().to_owned()),
        Some(alice.username.as_str().to_owned())
    );
    // Another user's record does not take alice's session.
    let mut other_world = World::seeded(9);
    let (bob, bob_secret) = totp_user(&mut other_world, &rules);
    let (bob, _) = challenged(&bob, &rules, &mut other_world);
    let r = refused(mfa::respond_to_software_token_mfa(
        &bob,
        &session,
        &code(&bob_secret, &other_world),
        &rules,
        &mut other_world.ctx(),
    ));
    assert_error(&r.error, NOT_AUTHORIZED, INVALID_SESSION);
    // Malformed sessions.
    for garbage in [
        "",
        "x",
        "not-a-session",
        "....",
        &session[..session.len() - 1],
    ] {
        let r = refused(mfa::respond_to_software_token_mfa(
            &alice,
            garbage,
            &code(&secret, &world),
            &rules,
            &mut world.ctx(),
        ));
        assert_error(&r.error, NOT_AUTHORIZED, INVALID_SESSION);
    }
    assert!(mfa::session_username("%%%.abc").is_none());
    // A changed password voids it.
    let (changed, _) =
        transitions::admin_set_user_password(&alice, &pw(OTHER), true, &rules, &mut world.ctx())
            .expect("set password");
    let r = refused(mfa::respond_to_software_token_mfa(
        &changed,
        &session,
        &code(&secret, &world),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&r.error, NOT_AUTHORIZED, INVALID_SESSION);
    // Expiry after the challenge validity (3 minutes): at the instant, not a moment later.
    world.advance(rules.challenge_validity());
    let r = refused(mfa::respond_to_software_token_mfa(
        &alice,
        &session,
        &code(&secret, &world),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&r.error, NOT_AUTHORIZED, INVALID_SESSION);
    // Disabled users cannot answer.
    let mut world = World::seeded(3);
    let (carol, secret) = totp_user(&mut world, &rules);
    let (carol, challenge) = challenged(&carol, &rules, &mut world);
    let (carol, _) = transitions::admin_disable_user(&carol, &mut world.ctx()).expect("disable");
    let r = refused(mfa::respond_to_software_token_mfa(
        &carol,
        challenge.session.expose(),
        &code(&secret, &world),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&r.error, NOT_AUTHORIZED, "User is disabled.");
}

#[test]
fn spec_18_mfa_setup_in_an_on_pool_associates_verifies_and_completes() {
    let mut world = World::new();
    let rules = mfa_rules(MfaMode::On, true, false);
    let user = confirmed(&mut world, &rules);
    let (user, setup) = challenged(&user, &rules, &mut world);
    assert_eq!(setup.name, MfaChallengeName::MfaSetup);
    assert_eq!(setup.options, vec![MfaFactor::SoftwareToken]);
    let first = setup.session.expose().to_owned();
    // MFA_SETUP cannot be answered before a token is verified.
    let r = refused(mfa::respond_to_mfa_setup(&user, &first, &mut world.ctx()));
    assert_error(&r.error, NOT_AUTHORIZED, INVALID_SESSION);
    let (user, secret, second) =
        mfa::associate_software_token_in_session(&user, &first, &rules, &mut world.ctx())
            .expect("associate in session");
    assert_eq!(secret.to_base32().len(), 32);
    // The first session is spent.
    let r = mfa::associate_software_token_in_session(&user, &first, &rules, &mut world.ctx());
    assert_error(&r.expect_err("spent"), NOT_AUTHORIZED, INVALID_SESSION);
    let bad = wrong(&code(&secret, &world));
    let r = refused(mfa::verify_software_token_in_session(
        &user,
        second.expose(),
        &bad,
        &rules,
        &mut world.ctx(),
    ));
    assert_error(
        &r.error,
        "EnableSoftwareTokenMFAException",
        "Code mismatch and fail enable Software Token MFA",
    );
    let user = *r.record.expect("counted on the session");
    let (user, third) = mfa::verify_software_token_in_session(
        &user,
        second.expose(),
        &code(&secret, &world),
        &rules,
        &mut world.ctx(),
    )
    .expect("verify in session");
    let done = mfa::respond_to_mfa_setup(&user, third.expose(), &mut world.ctx())
        .expect("MFA_SETUP completes");
    let settings = mfa::settings(&done).expect("settings");
    assert_eq!(settings.enabled, vec![MfaFactor::SoftwareToken]);
    assert_eq!(settings.preferred, Some(MfaFactor::SoftwareToken));
    // From now on, the token is asked for.
    world.advance(TimeDelta::seconds(30));
    let (_, next) = challenged(&done, &rules, &mut world);
    assert_eq!(next.name, MfaChallengeName::SoftwareTokenMfa);
}

#[test]
fn spec_18_sms_codes_go_out_with_the_challenge_are_checked_and_are_bounded() {
    let mut world = World::new();
    let rules = mfa_rules(MfaMode::On, false, true);
    let user = with_phone(&confirmed(&mut world, &rules));
    let (user, challenge) = challenged(&user, &rules, &mut world);
    assert_eq!(challenge.name, MfaChallengeName::SmsMfa);
    let sent = challenge.sms_code.clone().expect("a code to deliver");
    assert_eq!(sent.expose().len(), 6);
    let session = challenge.session.expose().to_owned();
    let r = refused(mfa::respond_to_sms_mfa(
        &user,
        &session,
        &wrong(sent.expose()),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&r.error, MISMATCH, WRONG_CODE);
    let user = *r.record.expect("counted");
    assert_eq!(user.lockout.consecutive_failures, 1);
    let done = mfa::respond_to_sms_mfa(&user, &session, sent.expose(), &rules, &mut world.ctx())
        .expect("the code completes");
    assert_eq!(
        done.attributes
            .get("phone_number_verified")
            .map(String::as_str),
        Some("true"),
        "a code that reached the phone verifies the number"
    );
    assert_eq!(
        done.lockout.consecutive_failures, 0,
        "success clears the count"
    );

    // An expired code.
    let (user, challenge) = challenged(&done, &rules, &mut world);
    let sent = challenge.sms_code.clone().expect("code");
    world.advance(rules.challenge_validity());
    let r = refused(mfa::respond_to_sms_mfa(
        &user,
        challenge.session.expose(),
        sent.expose(),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(
        &r.error,
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    );

    // At most five codes a rolling hour (SPEC §12): two went out above.
    let mut user = user;
    for _ in 0..3 {
        user = challenged(&user, &rules, &mut world).0;
    }
    let limited = mfa::challenge_after_first_factor(&user, &rules, &mut world.ctx());
    assert_error(
        &limited.expect_err("the window's codes are spent"),
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    );
    world.advance(TimeDelta::hours(1));
    challenged(&user, &rules, &mut world);
}

#[test]
fn spec_18_two_factors_without_a_preference_select_then_answer() {
    let mut world = World::new();
    let rules = mfa_rules(MfaMode::Optional, true, true);
    let (user, secret) = totp_user(&mut world, &rules);
    let user = with_phone(&user);
    let sms_on = FactorPreference {
        enabled: Some(true),
        preferred: None,
    };
    let no_preference = FactorPreference {
        enabled: Some(true),
        preferred: Some(false),
    };
    let user = mfa::set_user_mfa_preference(&user, no_preference, sms_on, &mut world.ctx())
        .expect("both on");
    assert_eq!(
        mfa::settings(&user).expect("settings").enabled,
        vec![MfaFactor::Sms, MfaFactor::SoftwareToken]
    );
    let (user, select) = challenged(&user, &rules, &mut world);
    assert_eq!(select.name, MfaChallengeName::SelectMfaType);
    assert_eq!(
        select.options,
        vec![MfaFactor::Sms, MfaFactor::SoftwareToken]
    );
    let session = select.session.expose().to_owned();
    let r = refused(mfa::respond_to_select_mfa_type(
        &user,
        &session,
        "EMAIL_OTP",
        &rules,
        &mut world.ctx(),
    ));
    assert_eq!(r.error.code(), "InvalidParameterException");
    let (user, totp) = mfa::respond_to_select_mfa_type(
        &user,
        &session,
        "SOFTWARE_TOKEN_MFA",
        &rules,
        &mut world.ctx(),
    )
    .expect("select");
    assert_eq!(totp.name, MfaChallengeName::SoftwareTokenMfa);
    mfa::respond_to_software_token_mfa(
        &user,
        totp.session.expose(),
        &code(&secret, &world),
        &rules,
        &mut world.ctx(),
    )
    .expect("completes");
    // With SMS preferred, SMS is asked directly.
    let prefer_sms = FactorPreference {
        enabled: None,
        preferred: Some(true),
    };
    let user = mfa::set_user_mfa_preference(
        &user,
        FactorPreference::default(),
        prefer_sms,
        &mut world.ctx(),
    )
    .expect("prefer SMS");
    assert_eq!(
        challenged(&user, &rules, &mut world).1.name,
        MfaChallengeName::SmsMfa
    );
}

#[test]
fn spec_18_preferences_and_association_refusals_change_nothing() {
    let mut world = World::new();
    let rules = mfa_rules(MfaMode::Optional, true, true);
    let user = confirmed(&mut world, &rules);
    let cases = [
        (
            ON,
            FactorPreference::default(),
            "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA",
        ),
        (
            FactorPreference::default(),
            ON,
            "User does not have delivery config set to turn on SMS_MFA",
        ),
        (ON, ON, "Only one MFA type can be preferred."),
        (
            FactorPreference::default(),
            FactorPreference {
                enabled: None,
                preferred: Some(true),
            },
            "The preferred MFA type must be enabled.",
        ),
    ];
    for (totp, sms, message) in cases {
        let e =
            mfa::set_user_mfa_preference(&user, totp, sms, &mut world.ctx()).expect_err("refused");
        assert_error(&e, "InvalidParameterException", message);
    }
    let no_totp = mfa_rules(MfaMode::Optional, false, true);
    assert_error(
        &mfa::associate_software_token(&user, &no_totp, &mut world.ctx()).expect_err("refused"),
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA has not been enabled by the userPool.",
    );
    assert_eq!(
        mfa::verify_software_token(&user, "123456", &mut world.ctx())
            .expect_err("nothing associated")
            .code(),
        "SoftwareTokenMFANotFoundException"
    );
    let (pending, secret) =
        mfa::associate_software_token(&user, &rules, &mut world.ctx()).expect("associate");
    // Associated, not verified: a different refusal.
    let e =
        mfa::set_user_mfa_preference(&pending, ON, FactorPreference::default(), &mut world.ctx())
            .expect_err("not verified");
    assert_error(
        &e,
        "InvalidParameterException",
        "User has not verified software token mfa",
    );
    let e = mfa::verify_software_token(&pending, &wrong(&code(&secret, &world)), &mut world.ctx())
        .expect_err("wrong code");
    assert_error(
        &e,
        "EnableSoftwareTokenMFAException",
        "Code mismatch and fail enable Software Token MFA",
    );
    assert!(format!("{secret:?}").contains("redacted"));
    assert!(!format!("{pending:?}").contains(secret.to_base32().as_str()));
    // Pool settings are checked before they are stored.
    let none_offered = PoolMfaConfig {
        mode: MfaMode::On,
        ..PoolMfaConfig::default()
    };
    assert_eq!(
        none_offered.validate().expect_err("no factor").code(),
        "InvalidParameterException"
    );
    assert!(mfa_rules(MfaMode::On, true, false).mfa.validate().is_ok());
}

mod no_tokens_without_a_right_answer {
    //! The property of SPEC §18: whatever the sequence of sign-ins, answers (right, wrong,
    //! replayed, stale, to spent, foreign or made-up sessions), choices and waits, a user
    //! with an active factor gets tokens only from an answer with a fresh right code to the
    //! latest open session — and such an answer, in time and outside a lockout, does get
    //! them.

    use super::*;
    use proptest::prelude::*;
    use userpool_core::{SignInOutcome, signin};

    #[derive(Debug, Clone, Copy)]
    enum Setup {
        TotpOptional,
        TotpOn,
        BothSelect,
    }

    #[derive(Debug, Clone, Copy)]
    enum SessionPick {
        Latest,
        Earlier,
        Foreign,
        MadeUp,
    }

    #[derive(Debug, Clone, Copy)]
    enum CodePick {
        Right,
        Wrong,
        PreviousStep,
        NextStep,
        Malformed,
    }

    #[derive(Debug, Clone)]
    enum Op {
        SignIn { right_password: bool },
        AnswerTotp(SessionPick, CodePick),
        AnswerSms(SessionPick, bool),
        Select(SessionPick, bool),
        Wait(i64),
    }

    fn session_pick() -> impl Strategy<Value = SessionPick> {
        prop_oneof![
            4 => Just(SessionPick::Latest),
            1 => Just(SessionPick::Earlier),
            1 => Just(SessionPick::Foreign),
            1 => Just(SessionPick::MadeUp),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        let code = prop_oneof![
            3 => Just(CodePick::Right),
            2 => Just(CodePick::Wrong),
            1 => Just(CodePick::PreviousStep),
            1 => Just(CodePick::NextStep),
            1 => Just(CodePick::Malformed),
        ];
        prop_oneof![
            3 => any::<bool>().prop_map(|right_password| Op::SignIn { right_password }),
            4 => (session_pick(), code).prop_map(|(s, c)| Op::AnswerTotp(s, c)),
            2 => (session_pick(), any::<bool>()).prop_map(|(s, r)| Op::AnswerSms(s, r)),
            2 => (session_pick(), any::<bool>()).prop_map(|(s, t)| Op::Select(s, t)),
            2 => prop_oneof![Just(0i64), 1i64..40, Just(181i64), Just(900i64)].prop_map(Op::Wait),
        ]
    }

    /// What the test knows of the latest open session.
    struct Open {
        session: String,
        name: MfaChallengeName,
        sms_code: Option<String>,
        opened_at: chrono::DateTime<chrono::Utc>,
        wrong: u8,
    }

    fn setup(kind: Setup, world: &mut World) -> (PoolRules, UserRecord, TotpSecret) {
        let rules = match kind {
            Setup::TotpOptional => mfa_rules(MfaMode::Optional, true, false),
            Setup::TotpOn => mfa_rules(MfaMode::On, true, false),
            Setup::BothSelect => mfa_rules(MfaMode::Optional, true, true),
        };
        let (user, secret) = totp_user(world, &rules);
        let user = match kind {
            Setup::BothSelect => {
                let both = FactorPreference {
                    enabled: Some(true),
                    preferred: Some(false),
                };
                mfa::set_user_mfa_preference(&with_phone(&user), both, both, &mut world.ctx())
                    .expect("both on, none preferred")
            }
            _ => user,
        };
        (rules, user, secret)
    }

    fn step_of(world: &World) -> u64 {
        u64::try_from(world.now.timestamp()).expect("after 1970") / 30
    }

    /// The session an answer is sent with: the latest open one, an earlier one, another
    /// user's, or a made-up one; a placeholder when the pick has none yet.
    fn session_for(
        pick: SessionPick,
        open: Option<&Open>,
        earlier: &[String],
        foreign: &str,
    ) -> String {
        match pick {
            SessionPick::Latest => open.map(|o| o.session.clone()),
            SessionPick::Earlier => earlier.last().cloned(),
            SessionPick::Foreign => Some(foreign.to_owned()),
            SessionPick::MadeUp => Some("bWFsbG9yeQ.bm90LWEtc2Vzc2lvbg".into()),
        }
        .unwrap_or_else(|| "no-session-yet-000000".into())
    }

    /// A wrong answer the core counted on the open session: at the limit the session
    /// closes and joins the earlier ones.
    fn count_wrong_answer(open: &mut Option<Open>, earlier: &mut Vec<String>) {
        if let Some(o) = open.as_mut() {
            o.wrong += 1;
            if o.wrong >= mfa::MAX_WRONG_ANSWERS {
                earlier.push(o.session.clone());
                *open = None;
            }
        }
    }

    /// A refused answer as the model takes it: one the core counted (it carries the record
    /// to write back) replaces the user and is a wrong answer on the open session.
    fn take_refusal(
        refused: transitions::Refused,
        user: &mut UserRecord,
        open: &mut Option<Open>,
        earlier: &mut Vec<String>,
    ) {
        if let Some(record) = refused.record {
            *user = *record;
            count_wrong_answer(open, earlier);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn spec_18_no_tokens_without_a_fresh_right_answer_to_the_latest_session(
            kind in prop_oneof![Just(Setup::TotpOptional), Just(Setup::TotpOn), Just(Setup::BothSelect)],
            seed in any::<u64>(),
            ops in prop::collection::vec(op(), 1..40),
        ) {
            let mut world = World::seeded(seed);
            let (rules, mut user, secret) = setup(kind, &mut world);
            // A foreign session: another user's, opened for real.
            let mut other_world = World::seeded(seed ^ 0x5eed);
            let (other, _) = totp_user(&mut other_world, &rules);
            let (_, foreign) = challenged(&other, &rules, &mut other_world);
            let foreign = foreign.session.expose().to_owned();
            // The step the verification spent is the latest accepted one.
            let mut last_step = Some(step_of(&world) - 1);
            let mut open: Option<Open> = None;
            let mut earlier: Vec<String> = Vec::new();

            for op in ops {
                let locked = user.lockout.locked_until.is_some_and(|u| world.now < u);
                match op {
                    Op::Wait(seconds) => world.advance(TimeDelta::seconds(seconds)),
                    Op::SignIn { right_password } => {
                        let password = if right_password { pw(INITIAL) } else { pw(OTHER) };
                        match signin::sign_in(&user, &password, &rules, &mut world.ctx()) {
                            Ok(signed) => {
                                prop_assert!(right_password);
                                if let Some(record) = signed.record {
                                    user = *record;
                                }
                                let SignInOutcome::MfaRequired { challenge } = signed.outcome else {
                                    prop_assert!(false, "tokens from a password alone: {:?}", signed.outcome);
                                    unreachable!();
                                };
                                if let Some(o) = open.take() {
                                    earlier.push(o.session);
                                }
                                open = Some(Open {
                                    session: challenge.session.expose().to_owned(),
                                    name: challenge.name,
                                    sms_code: challenge.sms_code.map(|c| c.expose().to_owned()),
                                    opened_at: world.now,
                                    wrong: 0,
                                });
                            }
                            Err(refused) => {
                                if let Some(record) = refused.record {
                                    user = *record;
                                }
                            }
                        }
                    }
                    Op::AnswerTotp(pick, code_pick) => {
                        let session = session_for(pick, open.as_ref(), &earlier, &foreign);
                        let step = step_of(&world);
                        let (code, answered_step) = match code_pick {
                            CodePick::Right => (code(&secret, &world), Some(step)),
                            CodePick::Wrong => (wrong(&code(&secret, &world)), None),
                            CodePick::PreviousStep => (
                                secret.code_at(world.now - TimeDelta::seconds(30)).expect("code").to_string(),
                                Some(step - 1),
                            ),
                            CodePick::NextStep => (
                                secret.code_at(world.now + TimeDelta::seconds(30)).expect("code").to_string(),
                                Some(step + 1),
                            ),
                            CodePick::Malformed => ("12 456".into(), None),
                        };
                        let fresh = answered_step.filter(|s| last_step.is_none_or(|l| *s > l));
                        let expected_ok = matches!(pick, SessionPick::Latest)
                            && open.as_ref().is_some_and(|o| {
                                o.name == MfaChallengeName::SoftwareTokenMfa
                                    && world.now < o.opened_at + rules.challenge_validity()
                                    && o.wrong < mfa::MAX_WRONG_ANSWERS
                            })
                            && !locked
                            && fresh.is_some();
                        match mfa::respond_to_software_token_mfa(&user, &session, &code, &rules, &mut world.ctx()) {
                            Ok(next) => {
                                prop_assert!(expected_ok, "tokens without a fresh right answer to the latest session");
                                user = next;
                                last_step = fresh;
                                open = None;
                            }
                            Err(refused) => {
                                prop_assert!(!expected_ok, "a fresh right answer refused: {:?}", refused.error);
                                take_refusal(refused, &mut user, &mut open, &mut earlier);
                            }
                        }
                    }
                    Op::AnswerSms(pick, right) => {
                        let session = session_for(pick, open.as_ref(), &earlier, &foreign);
                        let sent = open.as_ref().and_then(|o| o.sms_code.clone());
                        let code = match (&sent, right) {
                            (Some(c), true) => c.clone(),
                            (Some(c), false) => wrong(c),
                            (None, _) => "123456".into(),
                        };
                        let expected_ok = matches!(pick, SessionPick::Latest)
                            && right
                            && open.as_ref().is_some_and(|o| {
                                o.name == MfaChallengeName::SmsMfa
                                    && world.now < o.opened_at + rules.challenge_validity()
                                    && o.wrong < mfa::MAX_WRONG_ANSWERS
                            })
                            && !locked;
                        match mfa::respond_to_sms_mfa(&user, &session, &code, &rules, &mut world.ctx()) {
                            Ok(next) => {
                                prop_assert!(expected_ok, "tokens without the right SMS code to the latest session");
                                user = next;
                                open = None;
                            }
                            Err(refused) => {
                                prop_assert!(!expected_ok, "the right SMS code refused: {:?}", refused.error);
                                take_refusal(refused, &mut user, &mut open, &mut earlier);
                            }
                        }
                    }
                    Op::Select(pick, totp) => {
                        let session = session_for(pick, open.as_ref(), &earlier, &foreign);
                        let answer = if totp { "SOFTWARE_TOKEN_MFA" } else { "SMS_MFA" };
                        // Choosing yields another challenge, never tokens: the type says so.
                        if let Ok((next, challenge)) =
                            mfa::respond_to_select_mfa_type(&user, &session, answer, &rules, &mut world.ctx())
                        {
                            prop_assert!(matches!(pick, SessionPick::Latest));
                            user = next;
                            if let Some(o) = open.take() {
                                earlier.push(o.session);
                            }
                            open = Some(Open {
                                session: challenge.session.expose().to_owned(),
                                name: challenge.name,
                                sms_code: challenge.sms_code.map(|c| c.expose().to_owned()),
                                opened_at: world.now,
                                wrong: 0,
                            });
                        }
                    }
                }
            }
        }
    }
}
