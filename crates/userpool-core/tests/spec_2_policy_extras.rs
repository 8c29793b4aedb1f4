//! SPEC §2, beyond Cognito: the optional per-pool checks (maximum length, host blocklist,
//! username/alias containment), the NIST SP 800-63B preset, and generated temporary
//! passwords meeting whatever policy is in force.

mod common;

use std::collections::BTreeMap;

use common::*;
use userpool_core::{
    Blocklist, PasswordPolicy, PolicySubject, SignInOutcome, UserStatus, transitions,
};
// SPEC §2, beyond Cognito: an optional maximum length (in grapheme clusters), checked after
// the Cognito rules.
#[test]
fn optional_maximum_length_is_checked_after_the_cognito_rules() {
    let policy = PasswordPolicy::builder()
        .maximum_length(10)
        .build()
        .expect("in range");
    assert_eq!(policy.maximum_length(), Some(10));
    run_policy_table(
        &policy,
        PolicySubject::default(),
        &[
            ("ten", "Passw0rd!x", None),
            ("eleven", "Passw0rd!xy", Some("Password is too long")),
            ("ten clusters, more scalars", "Passw0rd!x\u{301}", None),
            (
                "eleven, no symbol: the Cognito rule comes first",
                "Passw0rdxyz",
                Some(SYMBOL),
            ),
        ],
    );
    // Off by default: a 256-character password passes the default policy.
    let long = format!("Ab1!{}", "x".repeat(252));
    run_policy_table(
        &PasswordPolicy::default(),
        PolicySubject::default(),
        &[("256", &long, None)],
    );
}

// SPEC §2, beyond Cognito: a host blocklist, compared case-insensitively after NFKC.
#[test]
fn blocklist_refuses_listed_passwords_case_insensitively() {
    let list = Blocklist::new(["Password123!", "Letmein-2024"]);
    assert_eq!(list.len(), 2);
    assert!(!list.is_empty());
    let policy = PasswordPolicy::builder()
        .blocklist(list)
        .build()
        .expect("in range");
    run_policy_table(
        &policy,
        PolicySubject::default(),
        &[
            ("listed", "Password123!", Some("Password is too common")),
            ("other case", "pASSWORD123!", Some("Password is too common")),
            (
                "fullwidth form",
                "Ｐａｓｓｗｏｒｄ１２３！",
                Some("Password is too common"),
            ),
            (
                "second entry",
                "letMEIN-2024",
                Some("Password is too common"),
            ),
            ("not listed", "Password1234!", None),
            ("contains an entry but is not one", "xPassword123!", None),
        ],
    );
    // The Cognito rules are reported before the blocklist: a listed password that also
    // lacks an uppercase letter is refused for the uppercase rule.
    let strict = PasswordPolicy::builder()
        .blocklist(Blocklist::new(["password123!"]))
        .build()
        .expect("in range");
    let e = strict
        .check(&pw("password123!"), PolicySubject::default())
        .expect_err("no uppercase");
    assert_eq!(e.to_string(), format!("{PREFIX}{UPPERCASE}"));
    assert!(Blocklist::default().is_empty());
    assert!(!format!("{:?}", Blocklist::new(["Secret-Entry1"])).contains("Secret"));
}

// SPEC §2, beyond Cognito: a password containing the username or an alias value
// (case-insensitive) is refused when the pool asks for it.
#[test]
fn password_containing_username_or_alias_is_refused_when_enabled() {
    let policy = PasswordPolicy::builder()
        .reject_user_identity(true)
        .build()
        .expect("in range");
    let aliases = ["bob@example.com", "+15555550100", "bobby"];
    let subject = PolicySubject {
        username: Some("Alice"),
        aliases: &aliases,
    };
    let identity = "Password must not contain the username or an alias";
    run_policy_table(
        &policy,
        subject,
        &[
            ("unrelated", "Passw0rd!", None),
            ("username", "Alice-Pass1", Some(identity)),
            ("username in another case", "my-ALICE-1x", Some(identity)),
            ("email alias", "x1!BOB@EXAMPLE.COM", Some(identity)),
            ("phone alias", "Aa!+15555550100", Some(identity)),
            ("preferred username", "Bobby-Pass1", Some(identity)),
            ("fullwidth username", "ａｌｉｃｅ-Pass1", Some(identity)),
            ("part of the username only", "Alic-Pass1", None),
        ],
    );
    // Off by default.
    run_policy_table(
        &PasswordPolicy::default(),
        subject,
        &[("off", "Alice-Pass1", None)],
    );

    // And through a transition: the record's username and alias attributes are the subject.
    let rules = insecure_fast_rules_with(policy);
    let mut world = World::new();
    let attributes = BTreeMap::from([("email".to_owned(), "carol@example.com".to_owned())]);
    let (user, _) = transitions::admin_create_user(
        name("alice"),
        attributes,
        Some(pw("Temporary-Pass1")),
        &rules,
        &mut world.ctx(),
    )
    .expect("create");
    for password in ["Alice-Pass1", "Carol@Example.com1"] {
        let e = common::err(transitions::admin_set_user_password(
            &user,
            &pw(password),
            true,
            &rules,
            &mut world.ctx(),
        ));
        assert_error(&e, INVALID_PASSWORD, &format!("{PREFIX}{identity}"));
    }
    let e = common::err(transitions::admin_create_user(
        name("dave"),
        BTreeMap::new(),
        Some(pw("Dave-Pass1")),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&e, INVALID_PASSWORD, &format!("{PREFIX}{identity}"));
}

fn insecure_fast_rules_with(policy: PasswordPolicy) -> userpool_core::PoolRules {
    userpool_core::testing::insecure_fast_rules(policy)
}

// SPEC §2: the NIST SP 800-63B preset — at least 15, no composition rules,
// blocklist and identity checks on.
#[test]
fn nist_preset_needs_length_not_composition() {
    let policy = PasswordPolicy::nist_800_63b(Blocklist::new(["correct horse battery staple"]))
        .expect("in range");
    assert_eq!(policy.minimum_length(), 15);
    assert!(!policy.require_uppercase() && !policy.require_lowercase());
    assert!(!policy.require_numbers() && !policy.require_symbols());
    assert!(policy.reject_user_identity());
    assert_eq!(policy.blocklist().map(Blocklist::len), Some(1));
    let subject = PolicySubject {
        username: Some("alice"),
        aliases: &[],
    };
    run_policy_table(
        &policy,
        subject,
        &[
            ("fifteen lowercase", "aaaaaaaaaaaaaaa", None),
            ("fourteen", "aaaaaaaaaaaaaa", Some(NOT_LONG_ENOUGH)),
            ("passphrase", "purple monkey dishwasher", None),
            ("fifteen CJK", "密码密码密码密码密码密码密码密", None),
            (
                "blocklisted",
                "Correct Horse Battery Staple",
                Some("Password is too common"),
            ),
            (
                "contains the username",
                "my name is alice ok",
                Some("Password must not contain the username or an alias"),
            ),
        ],
    );
}

// SPEC §3 / §2: a temporary password generated by AdminCreateUser satisfies the policy in
// force, whatever its settings.
#[test]
fn generated_temporary_passwords_satisfy_the_policy() {
    let policies = [
        PasswordPolicy::default(),
        PasswordPolicy::builder()
            .minimum_length(99)
            .build()
            .expect("99"),
        PasswordPolicy::builder()
            .minimum_length(6)
            .maximum_length(8)
            .build()
            .expect("6..8"),
        PasswordPolicy::builder()
            .reject_user_identity(true)
            .build()
            .expect("identity"),
        PasswordPolicy::nist_800_63b(Blocklist::new(["aaaaaaaaaaaaaaaa"])).expect("nist"),
    ];
    for (i, policy) in policies.into_iter().enumerate() {
        let rules = insecure_fast_rules_with(policy.clone());
        for seed in 0..20 {
            let mut world = World::seeded(seed);
            let (user, event) = transitions::admin_create_user(
                name("alice"),
                BTreeMap::new(),
                None,
                &rules,
                &mut world.ctx(),
            )
            .unwrap_or_else(|e| panic!("policy {i}, seed {seed}: {e}"));
            let userpool_core::Event::UserCreated {
                temporary_password,
                generated,
            } = event
            else {
                panic!("expected UserCreated");
            };
            assert!(generated);
            assert_eq!(user.status, UserStatus::ForceChangePassword);
            let subject = PolicySubject {
                username: Some("alice"),
                aliases: &[],
            };
            assert!(
                policy.check(&temporary_password, subject).is_ok(),
                "policy {i}, seed {seed}"
            );
            let (outcome, _) = sign_in_ok(&user, temporary_password.expose(), &rules, &mut world);
            assert!(matches!(outcome, SignInOutcome::NewPasswordRequired { .. }));
        }
    }
}

// Beyond Cognito: an optional zxcvbn strength score, checked after the other rules,
// with the username and aliases as context; out-of-range settings are refused at build.
#[cfg(feature = "zxcvbn")]
#[test]
fn minimum_strength_refuses_guessable_passwords_with_their_score() {
    use userpool_core::{PasswordPolicy, PolicySubject, PolicyViolation};
    let policy = PasswordPolicy::builder()
        .minimum_strength(3)
        .build()
        .expect("strength in range");
    assert_eq!(policy.minimum_strength(), Some(3));
    let weak = policy.first_violation(&pw("Password1!"), PolicySubject::default());
    match weak {
        Some(PolicyViolation::TooWeak { score, required }) => {
            assert!(score < 3);
            assert_eq!(required, 3);
        }
        other => panic!("expected TooWeak, got {other:?}"),
    }
    let message = policy
        .check(&pw("Password1!"), PolicySubject::default())
        .expect_err("weak")
        .to_string();
    assert!(
        message.starts_with("Password does not conform to policy: Password is too easy to guess")
    );
    assert!(
        policy
            .check(&pw("Tq8#vhW!zr2$Lp0&xkB"), PolicySubject::default())
            .is_ok()
    );
    for bad in [-1, 5] {
        let e = PasswordPolicy::builder()
            .minimum_strength(bad)
            .build()
            .expect_err("out of range");
        assert_eq!(e.code(), "InvalidParameterException");
        assert!(e.to_string().contains("MinimumStrength"), "{e}");
    }
}
