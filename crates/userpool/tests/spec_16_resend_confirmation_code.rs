//! SPEC §16: ResendConfirmationCode honours AutoVerifiedAttributes as SignUp does. A pool
//! that auto-verifies nothing refuses with Cognito's error and issues nothing; otherwise
//! the code goes to the auto-verified attribute only (phone number first, as SignUp).

#![allow(clippy::unwrap_used)]

mod common;

use common::{env_with, fast_settings};
use userpool::PoolSettings;
use userpool_core::{Event, VerifiableAttribute};

fn auto_verifying(attributes: &[VerifiableAttribute]) -> common::Env {
    let base = fast_settings();
    let settings = PoolSettings {
        settings: userpool_core::PoolSettings {
            auto_verified_attributes: attributes.to_vec(),
            ..base.settings.clone()
        },
        ..base
    };
    env_with(settings, false, |b| b)
}

fn codes_sent(env: &common::Env) -> usize {
    env.delivery
        .events()
        .iter()
        .filter(|d| matches!(d.event, Event::CodeIssued { .. }))
        .count()
}

const BOTH: [(&str, &str); 2] = [
    ("email", "sam@example.com"),
    ("phone_number", "+15555550123"),
];

#[test]
fn spec_16_resend_in_a_pool_that_auto_verifies_nothing_is_refused_and_issues_nothing() {
    let env = auto_verifying(&[]);
    env.pools
        .sign_up(&env.client_id, "sam", "Sam-Pass-123", &BOTH)
        .unwrap();
    assert_eq!(codes_sent(&env), 0, "SignUp sent nothing either");
    let before = env.record("sam").unwrap();
    let error = env
        .pools
        .resend_confirmation_code(&env.client_id, "sam")
        .unwrap_err();
    assert_eq!(
        (error.code(), error.to_string().as_str()),
        (
            "NotAuthorizedException",
            "Cannot resend codes. Auto verification not turned on."
        )
    );
    assert_eq!(env.record("sam").unwrap(), before, "nothing changed");
    assert_eq!(codes_sent(&env), 0);
    let error = env
        .pools
        .resend_confirmation_code(&env.client_id, "nobody")
        .unwrap_err();
    assert_eq!(
        error.code(),
        "NotAuthorizedException",
        "the pool is checked before the user"
    );
}

#[test]
fn spec_16_resend_delivers_to_the_auto_verified_attribute_only() {
    for (auto, medium, destination) in [
        (VerifiableAttribute::Email, "EMAIL", "s***@e***"),
        (VerifiableAttribute::PhoneNumber, "SMS", "+*******0123"),
    ] {
        let env = auto_verifying(&[auto]);
        env.pools
            .sign_up(&env.client_id, "sam", "Sam-Pass-123", &BOTH)
            .unwrap();
        let sent = codes_sent(&env);
        let details = env
            .pools
            .resend_confirmation_code(&env.client_id, "sam")
            .unwrap()
            .unwrap();
        assert_eq!(
            (details.delivery_medium, details.destination.as_str()),
            (medium, destination),
            "{auto:?}"
        );
        assert_eq!(details.attribute_name, auto.as_str());
        assert_eq!(codes_sent(&env), sent + 1, "{auto:?}: delivered once");
    }
    // A user with no value for the auto-verified attribute: issued, nothing sent.
    let env = auto_verifying(&[VerifiableAttribute::PhoneNumber]);
    env.pools
        .sign_up(
            &env.client_id,
            "mail",
            "Mail-Pass-123",
            &[("email", "m@example.com")],
        )
        .unwrap();
    let issued = env
        .record("mail")
        .unwrap()
        .code_throttles
        .sign_up
        .issued
        .len();
    assert_eq!(
        env.pools
            .resend_confirmation_code(&env.client_id, "mail")
            .unwrap(),
        None
    );
    assert_eq!(codes_sent(&env), 0);
    assert_eq!(
        env.record("mail")
            .unwrap()
            .code_throttles
            .sign_up
            .issued
            .len(),
        issued + 1
    );
}
