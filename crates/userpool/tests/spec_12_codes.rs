//! SPEC §12 through the service: the counts live in the user record, so they hold across
//! reissues, across service instances sharing a store (a restart, or several processes),
//! and a refused issuance writes nothing and delivers nothing. The brute force it stops: 1,000
//! reissue+guess cycles against one user, time advancing, get at most five code checks in
//! any hour.
#![cfg(feature = "test-util")]

mod common;

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use common::{env, env_with, fast_settings};
use userpool::{RecordingDelivery, SeededRandom, UserPools};
use userpool_core::Event;

const LIMIT: &str = "LimitExceededException";
const LIMIT_MESSAGE: &str = "Attempt limit exceeded, please try after some time.";

fn codes_delivered(delivery: &RecordingDelivery) -> usize {
    delivery
        .events()
        .iter()
        .filter(|d| matches!(d.event, Event::CodeIssued { .. }))
        .count()
}

/// No six of `events` (in time order) fall within one hour.
fn at_most_five_per_rolling_hour(events: &[DateTime<Utc>]) -> bool {
    events
        .windows(6)
        .all(|w| w[5] - w[0] >= TimeDelta::hours(1))
}

// SPEC §12, the reset brute force: 1,000 cycles of ForgotPassword + a wrong guess against one user, a
// cycle every 36 seconds (ten hours in all): in any hour at most five codes are issued and
// at most five guesses are compared; every other answer is LimitExceededException.
#[test]
fn spec_12_thousand_reissue_and_guess_cycles_get_at_most_five_checks_an_hour() {
    let e = env();
    e.confirmed("diego", "Before-Pass-1", &[("email", "diego@example.com")]);
    let mut checked = Vec::new();
    let mut issued = Vec::new();
    for cycle in 0..1_000 {
        let now = userpool_core::testing::epoch() + TimeDelta::seconds(36 * cycle);
        e.clock.set(now);
        match e.pools.forgot_password(&e.client_id, "diego") {
            Ok(_) => issued.push(now),
            Err(err) => assert_eq!(err.code(), LIMIT, "cycle {cycle}"),
        }
        // The attacker does not know the code; a guess that differs from it is the
        // attacker's best case for this test (an accidental hit would end the run).
        let code = e.delivery.last_code("diego").expect("a code was sent");
        let guess = if code.expose() == "000000" {
            "000001"
        } else {
            "000000"
        };
        match e
            .pools
            .confirm_forgot_password(&e.client_id, "diego", guess, "Attacker-Pass-1")
        {
            Ok(()) => panic!("cycle {cycle}: a wrong code was accepted"),
            Err(err) if err.code() == "CodeMismatchException" => checked.push(now),
            Err(err) => assert_eq!(
                (err.code(), err.to_string().as_str()),
                (LIMIT, LIMIT_MESSAGE),
                "cycle {cycle}"
            ),
        }
    }
    assert!(at_most_five_per_rolling_hour(&checked), "{checked:?}");
    assert!(at_most_five_per_rolling_hour(&issued), "{issued:?}");
    // Ten hours, five an hour: the limit is what stops the attacker, not the run's length.
    assert!(checked.len() <= 5 * 11, "{} checks", checked.len());
    assert!(checked.len() >= 5 * 9, "{} checks", checked.len());
    assert_eq!(codes_delivered(&e.delivery), issued.len());
}

// SPEC §12: the sixth code in an hour is refused: no code is delivered and the record is
// not written (same version, same pending code).
#[test]
fn spec_12_sixth_code_in_an_hour_is_refused_and_nothing_is_written_or_delivered() {
    let e = env();
    e.confirmed("diego", "Before-Pass-1", &[("email", "diego@example.com")]);
    for i in 0..5 {
        if i == 2 {
            e.pools
                .admin_reset_user_password(&e.admin, &e.pool_id, "diego")
                .expect("admin reset issues a counted code");
        } else {
            e.pools
                .forgot_password(&e.client_id, "diego")
                .expect("forgot password");
        }
        e.clock.advance(TimeDelta::minutes(5));
    }
    let before = e.record("diego").expect("user");
    let delivered = e.delivery.events().len();
    for refused in [
        e.pools.forgot_password(&e.client_id, "diego").map(drop),
        e.pools
            .admin_reset_user_password(&e.admin, &e.pool_id, "diego")
            .map(drop),
    ] {
        let err = refused.expect_err("the sixth code is refused");
        assert_eq!(
            (err.code(), err.to_string().as_str()),
            (LIMIT, LIMIT_MESSAGE)
        );
    }
    assert_eq!(e.delivery.events().len(), delivered, "nothing delivered");
    assert_eq!(e.record("diego").expect("user"), before, "nothing written");
}

// SPEC §12: the counts survive a restart and are shared by every service over the store:
// wrong attempts made through one instance lock the checks of another, and reissuing
// through either does not reopen them.
#[test]
fn spec_12_counts_are_shared_by_every_service_over_the_store() {
    let e = env();
    e.confirmed("diego", "Before-Pass-1", &[("email", "diego@example.com")]);
    let other_delivery = Arc::new(RecordingDelivery::new());
    let other = UserPools::builder(Arc::clone(&e.store))
        .clock(e.clock.clone())
        .random(Arc::new(SeededRandom::new(7)))
        .delivery(other_delivery.clone())
        .build();
    for i in 0..5 {
        let (pools, delivery) = if i % 2 == 0 {
            (&e.pools, &e.delivery)
        } else {
            (&other, &other_delivery)
        };
        pools
            .forgot_password(&e.client_id, "diego")
            .expect("a fresh code");
        let code = delivery.last_code("diego").expect("delivered");
        let wrong = if code.expose() == "999999" {
            "999998"
        } else {
            "999999"
        };
        let err = pools
            .confirm_forgot_password(&e.client_id, "diego", wrong, "Attacker-Pass-1")
            .expect_err("wrong code");
        assert_eq!(err.code(), "CodeMismatchException");
        e.clock.advance(TimeDelta::minutes(1));
    }
    // A restarted service (a new instance, nothing in memory) sees the lock, even with the
    // right code of the last issuance.
    let restarted = UserPools::builder(Arc::clone(&e.store))
        .clock(e.clock.clone())
        .build();
    let code = other_delivery.last_code("diego").expect("delivered");
    let err = restarted
        .confirm_forgot_password(&e.client_id, "diego", code.expose(), "After-Pass-1")
        .expect_err("locked");
    assert_eq!(err.code(), LIMIT);
    // An hour after the first wrong attempt (and the first code), a new code works.
    e.clock
        .set(userpool_core::testing::epoch() + TimeDelta::hours(1));
    e.pools
        .forgot_password(&e.client_id, "diego")
        .expect("a code after the window");
    let user = e.record("diego").expect("user");
    assert_eq!(
        user.code_throttles.password_reset.failures.len(),
        4,
        "the first aged out, four still count"
    );
    let code = e.delivery.last_code("diego").expect("delivered");
    e.pools
        .confirm_forgot_password(&e.client_id, "diego", code.expose(), "After-Pass-1")
        .expect("the right code after the window");
    let user = e.record("diego").expect("user");
    assert!(
        user.code_throttles.password_reset.is_empty(),
        "success resets"
    );
}

// SPEC §12: ResendConfirmationCode counts toward the sign-up limit, keeps the wrong
// attempts, and delivers only what it issues. PreventUserExistenceErrors: an unknown user
// gets a simulated answer and nothing is sent; a user without email or phone number gets
// a code issued and nothing sent, as at SignUp (SPEC §16: only to auto-verified attributes).
#[test]
fn spec_12_resend_confirmation_code_through_the_service() {
    let e = env_with(fast_settings(), true, |b| b);
    e.pools
        .sign_up(
            &e.client_id,
            "newbie",
            "Newbie-Pass-1",
            &[("phone_number", "+15555550123")],
        )
        .expect("sign up");
    for _ in 0..2 {
        let code = e.delivery.last_code("newbie").expect("sent");
        let wrong = if code.expose() == "123456" {
            "123457"
        } else {
            "123456"
        };
        let err = e
            .pools
            .confirm_sign_up(&e.client_id, "newbie", wrong)
            .expect_err("wrong");
        assert_eq!(err.code(), "CodeMismatchException");
        let details = e
            .pools
            .resend_confirmation_code(&e.client_id, "newbie")
            .expect("resend")
            .expect("a phone number to report");
        assert_eq!(details.delivery_medium, "SMS");
        assert_eq!(details.destination, "+*******0123");
    }
    let user = e.record("newbie").expect("user");
    assert_eq!(
        user.code_throttles.sign_up.failures.len(),
        2,
        "kept across resends"
    );
    assert_eq!(
        user.code_throttles.sign_up.issued.len(),
        3,
        "sign-up's code counts"
    );

    let delivered = e.delivery.events().len();
    let simulated = e
        .pools
        .resend_confirmation_code(&e.client_id, "nobody")
        .expect("simulated")
        .expect("details");
    assert_eq!(simulated.delivery_medium, "EMAIL");
    assert_eq!(
        e.delivery.events().len(),
        delivered,
        "nothing sent for nobody"
    );

    e.pools
        .sign_up(&e.client_id, "nowhere", "Nowhere-Pass-1", &[])
        .expect("sign up");
    let before = codes_delivered(&e.delivery);
    assert_eq!(
        e.pools
            .resend_confirmation_code(&e.client_id, "nowhere")
            .expect("resend"),
        None
    );
    assert_eq!(
        codes_delivered(&e.delivery),
        before,
        "SPEC §16: no auto-verified attribute to deliver to"
    );

    let code = e.delivery.last_code("newbie").expect("sent");
    e.pools
        .confirm_sign_up(&e.client_id, "newbie", code.expose())
        .expect("the last code confirms");
    let err = e
        .pools
        .resend_confirmation_code(&e.client_id, "newbie")
        .expect_err("confirmed");
    assert_eq!(
        (err.code(), err.to_string().as_str()),
        ("InvalidParameterException", "User is already confirmed.")
    );
    assert!(
        e.record("newbie")
            .expect("user")
            .code_throttles
            .sign_up
            .is_empty()
    );
}
