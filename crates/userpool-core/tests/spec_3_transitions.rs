//! SPEC §3: user status and the transitions — AdminSetUserPassword from every status,
//! AdminCreateUser (and RESEND), the NEW_PASSWORD_REQUIRED answer, federated users,
//! AdminDisableUser / AdminEnableUser — with users brought into each status by the
//! transitions themselves. Confirmation and recovery rows are in `spec_3_recovery.rs`.

mod common;

use std::collections::BTreeMap;

use chrono::TimeDelta;
use common::*;
use userpool_core::{
    CredentialKind, Event, PasswordPolicy, SignInOutcome, UserRecord, UserStatus, signin,
    transitions,
};

const NOT_AUTHORIZED: &str = "NotAuthorizedException";

fn disable(user: &UserRecord, world: &mut World) -> UserRecord {
    transitions::admin_disable_user(user, &mut world.ctx())
        .expect("disable")
        .0
}

// SPEC §3: AdminSetUserPassword Permanent=true → CONFIRMED and Permanent=false → FORCE_CHANGE_PASSWORD
// with a new expiry, from every status, enabled or disabled (Enabled stays as it was).
#[test]
fn admin_set_user_password_from_every_status_enabled_or_disabled() {
    let rules = rules();
    for status in LIVE_STATUSES {
        for permanent in [true, false] {
            for enabled in [true, false] {
                let case = format!("{status}, permanent={permanent}, enabled={enabled}");
                let mut world = World::new();
                let (mut user, old_password) = user_in(status, &mut world, &rules);
                if !enabled {
                    user = disable(&user, &mut world);
                }
                user.version = 7;
                world.advance(TimeDelta::hours(1));
                let at = world.now;
                let (next, event) = transitions::admin_set_user_password(
                    &user,
                    &pw(PERMANENT),
                    permanent,
                    &rules,
                    &mut world.ctx(),
                )
                .unwrap_or_else(|e| panic!("{case}: {e}"));

                let expected_status = if permanent {
                    UserStatus::Confirmed
                } else {
                    UserStatus::ForceChangePassword
                };
                assert_eq!(next.status, expected_status, "{case}");
                assert_eq!(next.enabled, enabled, "{case}: Enabled is left as it was");
                assert!(
                    matches!(event, Event::PasswordSet { permanent: p } if p == permanent),
                    "{case}: {event:?}"
                );
                let credential = next.credential.as_ref().expect("a password is set");
                assert_eq!(credential.set_at, at, "{case}");
                let expected_kind = if permanent {
                    CredentialKind::Permanent
                } else {
                    CredentialKind::Temporary {
                        expires_at: at + TimeDelta::days(7),
                    }
                };
                assert_eq!(credential.kind, expected_kind, "{case}");
                // Identity and bookkeeping: the same user, the version as read (the store
                // advances it), no code or challenge left over.
                assert_eq!(
                    (next.sub, &next.username),
                    (user.sub, &user.username),
                    "{case}"
                );
                assert_eq!(next.attributes, user.attributes, "{case}");
                assert_eq!(next.created_at, user.created_at, "{case}");
                assert_eq!(next.modified_at, at, "{case}");
                assert_eq!(next.version, 7, "{case}");
                assert!(next.pending_code.is_none(), "{case}");
                assert!(next.pending_challenge.is_none(), "{case}");

                let next = if enabled {
                    next
                } else {
                    let refused = sign_in_refused(&next, PERMANENT, &rules, &mut world);
                    assert_error(&refused.error, NOT_AUTHORIZED, "User is disabled.");
                    transitions::admin_enable_user(&next, &mut world.ctx())
                        .expect("enable")
                        .0
                };
                let (outcome, _) = sign_in_ok(&next, PERMANENT, &rules, &mut world);
                if permanent {
                    assert_eq!(outcome, SignInOutcome::Authenticated, "{case}");
                } else {
                    assert!(
                        matches!(outcome, SignInOutcome::NewPasswordRequired { .. }),
                        "{case}"
                    );
                }
                if let Some(old) = old_password {
                    let refused = sign_in_refused(&next, old, &rules, &mut world);
                    assert_error(
                        &refused.error,
                        NOT_AUTHORIZED,
                        "Incorrect username or password.",
                    );
                }
            }
        }
    }
}

// SPEC §3: AdminCreateUser with a given temporary password → FORCE_CHANGE_PASSWORD, expiring
// after TemporaryPasswordValidityDays; without one, a generated password.
#[test]
fn admin_create_user_gives_force_change_password_with_an_expiring_temporary_password() {
    let policy = PasswordPolicy::builder()
        .temporary_password_validity_days(3)
        .build()
        .expect("in range");
    let rules = userpool_core::testing::insecure_fast_rules(policy);
    let mut world = World::new();
    let attributes = BTreeMap::from([("email".to_owned(), "alice@example.com".to_owned())]);
    let (user, event) = transitions::admin_create_user(
        name("alice"),
        attributes.clone(),
        Some(pw(TEMPORARY)),
        &rules,
        &mut world.ctx(),
    )
    .expect("create");
    assert_eq!(user.status, UserStatus::ForceChangePassword);
    assert!(user.enabled);
    assert_eq!(user.attributes, attributes);
    assert_eq!(user.sub.get_version_num(), 4, "sub is a UUID v4");
    assert!(user.history.is_empty());
    let credential = user.credential.as_ref().expect("temporary password");
    assert_eq!(
        credential.kind,
        CredentialKind::Temporary {
            expires_at: world.now + TimeDelta::days(3)
        }
    );
    assert!(user.has_temporary_password());
    assert!(matches!(
        event,
        Event::UserCreated { generated: false, ref temporary_password } if temporary_password.expose() == TEMPORARY
    ));

    let (generated_user, event) = transitions::admin_create_user(
        name("bob"),
        BTreeMap::new(),
        None,
        &rules,
        &mut world.ctx(),
    )
    .expect("create with a generated password");
    let Event::UserCreated {
        temporary_password,
        generated: true,
    } = event
    else {
        panic!("expected a generated temporary password, got {event:?}");
    };
    assert_eq!(generated_user.status, UserStatus::ForceChangePassword);
    assert_ne!(generated_user.sub, user.sub);
    let (outcome, _) = sign_in_ok(
        &generated_user,
        temporary_password.expose(),
        &rules,
        &mut world,
    );
    assert!(matches!(outcome, SignInOutcome::NewPasswordRequired { .. }));
}

// SPEC §3: RESEND from FORCE_CHANGE_PASSWORD gives a new temporary password and restarts the
// expiry clock; from any other status UnsupportedUserStateException.
#[test]
fn resend_restarts_the_clock_and_is_refused_outside_force_change_password() {
    let rules = rules();
    let mut world = World::new();
    let user = force_change(&mut world, &rules);
    world.advance(TimeDelta::days(5));
    let (next, event) =
        transitions::resend_invitation(&user, Some(pw(OTHER)), &rules, &mut world.ctx())
            .expect("resend");
    assert!(matches!(
        event,
        Event::InvitationResent {
            generated: false,
            ..
        }
    ));
    assert_eq!(next.status, UserStatus::ForceChangePassword);
    assert_eq!(
        next.credential.as_ref().map(|c| c.kind),
        Some(CredentialKind::Temporary {
            expires_at: world.now + TimeDelta::days(7)
        })
    );
    assert_eq!(next.sub, user.sub);
    let refused = sign_in_refused(&next, TEMPORARY, &rules, &mut world);
    assert_error(
        &refused.error,
        NOT_AUTHORIZED,
        "Incorrect username or password.",
    );
    let (outcome, _) = sign_in_ok(&next, OTHER, &rules, &mut world);
    assert!(matches!(outcome, SignInOutcome::NewPasswordRequired { .. }));

    let (generated, event) =
        transitions::resend_invitation(&next, None, &rules, &mut world.ctx()).expect("resend");
    let Event::InvitationResent {
        temporary_password,
        generated: true,
    } = event
    else {
        panic!("expected a generated password, got {event:?}");
    };
    let (outcome, _) = sign_in_ok(&generated, temporary_password.expose(), &rules, &mut world);
    assert!(matches!(outcome, SignInOutcome::NewPasswordRequired { .. }));

    for status in [
        UserStatus::Unconfirmed,
        UserStatus::Confirmed,
        UserStatus::ResetRequired,
        UserStatus::ExternalProvider,
    ] {
        let mut world = World::new();
        let (user, _) = user_in(status, &mut world, &rules);
        let e = err(transitions::resend_invitation(
            &user,
            Some(pw(OTHER)),
            &rules,
            &mut world.ctx(),
        ));
        assert_error(
            &e,
            "UnsupportedUserStateException",
            "Resend not possible. alice status is not FORCE_CHANGE_PASSWORD",
        );
    }
}

// SPEC §3: sign-in with a temporary password leaves FORCE_CHANGE_PASSWORD and yields the
// challenge; the answer confirms the user.
#[test]
fn temporary_password_sign_in_challenges_and_the_answer_confirms() {
    let rules = rules();
    let mut world = World::new();
    let user = force_change(&mut world, &rules);
    let (session, challenged) = challenge(&user, TEMPORARY, &rules, &mut world);
    assert_eq!(challenged.status, UserStatus::ForceChangePassword);
    assert_eq!(challenged.credential, user.credential);
    world.advance(TimeDelta::seconds(30));
    let (confirmed, event) =
        answer_new_password(&challenged, &session, PERMANENT, &rules, &mut world).expect("answer");
    assert!(matches!(event, Event::NewPasswordAccepted));
    assert_eq!(confirmed.status, UserStatus::Confirmed);
    assert_eq!(
        confirmed.credential.as_ref().map(|c| c.kind),
        Some(CredentialKind::Permanent)
    );
    assert!(confirmed.pending_challenge.is_none());
    let (outcome, _) = sign_in_ok(&confirmed, PERMANENT, &rules, &mut world);
    assert_eq!(outcome, SignInOutcome::Authenticated);
}

// SPEC §3: the first federated sign-in creates an EXTERNAL_PROVIDER user without a password;
// after AdminSetUserPassword it is CONFIRMED and behaves like a native user.
#[test]
fn external_provider_user_becomes_native_after_admin_set_user_password() {
    let rules = rules();
    let mut world = World::new();
    let user = external(&mut world);
    assert!(user.credential.is_none());
    assert!(user.enabled);
    let r = sign_in_refused(&user, PERMANENT, &rules, &mut world);
    assert_error(&r.error, NOT_AUTHORIZED, "Incorrect username or password.");

    let (user, _) =
        transitions::admin_set_user_password(&user, &pw(PERMANENT), true, &rules, &mut world.ctx())
            .expect("set");
    assert_eq!(user.status, UserStatus::Confirmed);
    assert_eq!(
        sign_in_ok(&user, PERMANENT, &rules, &mut world).0,
        SignInOutcome::Authenticated
    );
    let (user, _) =
        transitions::change_password(&user, &pw(PERMANENT), &pw(OTHER), &rules, &mut world.ctx())
            .expect("change like a native user");
    assert_eq!(
        sign_in_ok(&user, OTHER, &rules, &mut world).0,
        SignInOutcome::Authenticated
    );
    let updates = BTreeMap::from([("email".to_owned(), "alice@example.com".to_owned())]);
    let (user, event) =
        transitions::admin_update_user_attributes(&user, &updates, &mut world.ctx())
            .expect("update");
    assert!(matches!(event, Event::AttributesUpdated));
    assert_eq!(
        user.attributes.get("email").map(String::as_str),
        Some("alice@example.com")
    );
    assert_eq!(user.status, UserStatus::Confirmed);
}

// SPEC §3: AdminDisableUser / AdminEnableUser change only the Enabled flag, from any status.
#[test]
fn disable_and_enable_keep_the_status_from_every_status() {
    let rules = rules();
    for status in LIVE_STATUSES {
        let mut world = World::new();
        let (user, _) = user_in(status, &mut world, &rules);
        let (disabled, event) =
            transitions::admin_disable_user(&user, &mut world.ctx()).expect("disable");
        assert!(matches!(event, Event::Disabled));
        assert_eq!((disabled.status, disabled.enabled), (status, false));
        assert_eq!(disabled.credential, user.credential);
        let (enabled, event) =
            transitions::admin_enable_user(&disabled, &mut world.ctx()).expect("enable");
        assert!(matches!(event, Event::Enabled));
        assert_eq!((enabled.status, enabled.enabled), (status, true));
        assert_eq!(enabled.credential, user.credential);
        assert_eq!(enabled.history, user.history);
    }
}

// SPEC §3: a password cannot be removed — no operation leaves a user who had one without.
#[test]
fn no_operation_removes_a_password() {
    let rules = rules();
    for status in LIVE_STATUSES {
        let mut world = World::new();
        let (user, password) = user_in(status, &mut world, &rules);
        let (user, password) = match password {
            Some(p) => (user, p),
            None => (
                transitions::admin_set_user_password(
                    &user,
                    &pw(INITIAL),
                    true,
                    &rules,
                    &mut world.ctx(),
                )
                .expect("set")
                .0,
                INITIAL,
            ),
        };
        let mut after: Vec<(&str, UserRecord)> = Vec::new();
        let mut push = |what, result: Result<(UserRecord, Event), userpool_core::Error>| {
            if let Ok((next, _)) = result {
                after.push((what, next));
            }
        };
        push(
            "disable",
            transitions::admin_disable_user(&user, &mut world.ctx()),
        );
        push(
            "enable",
            transitions::admin_enable_user(&user, &mut world.ctx()),
        );
        push(
            "reset",
            transitions::admin_reset_user_password(&user, &rules, &mut world.ctx()),
        );
        push(
            "forgot",
            transitions::forgot_password(&user, &rules, &mut world.ctx()),
        );
        push(
            "confirm",
            transitions::admin_confirm_sign_up(&user, &mut world.ctx()),
        );
        push(
            "resend",
            transitions::resend_invitation(&user, None, &rules, &mut world.ctx()),
        );
        push(
            "attributes",
            transitions::admin_update_user_attributes(&user, &BTreeMap::new(), &mut world.ctx()),
        );
        push(
            "set temporary",
            transitions::admin_set_user_password(
                &user,
                &pw(OTHER),
                false,
                &rules,
                &mut world.ctx(),
            ),
        );
        push(
            "change",
            transitions::change_password(
                &user,
                &pw(password),
                &pw(OTHER),
                &rules,
                &mut world.ctx(),
            ),
        );
        if let Ok(signed) = signin::sign_in(&user, &pw(password), &rules, &mut world.ctx())
            && let Some(record) = signed.record
        {
            after.push(("sign-in", *record));
        }
        assert!(after.len() >= 4, "{status}: several operations applied");
        for (what, next) in after {
            assert!(
                next.credential.is_some(),
                "{status}: {what} removed the password"
            );
        }
    }
}

// SPEC §3: ARCHIVED, COMPROMISED and UNKNOWN are accepted when read back from storage; every
// status prints as Cognito spells it.
#[test]
fn every_status_round_trips_through_its_cognito_name() {
    let names = [
        "UNCONFIRMED",
        "CONFIRMED",
        "FORCE_CHANGE_PASSWORD",
        "EXTERNAL_PROVIDER",
        "RESET_REQUIRED",
        "ARCHIVED",
        "COMPROMISED",
        "UNKNOWN",
    ];
    for (status, name) in UserStatus::ALL.into_iter().zip(names) {
        assert_eq!(status.to_string(), name);
        assert_eq!(name.parse::<UserStatus>().expect("known"), status);
    }
    let e = "confirmed".parse::<UserStatus>().expect_err("case matters");
    assert_eq!(e.code(), "InternalErrorException");
}
