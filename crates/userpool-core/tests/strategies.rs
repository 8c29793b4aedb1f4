//! The exported strategies (feature `proptest`) generate what they promise: valid inputs
//! pass SPEC §1, labelled invalid ones fail it, `password_for` meets its policy (SPEC §2)
//! and `password_violating` breaks exactly the chosen rule.

use proptest::prelude::*;
use userpool_core::testing::strategies;
use userpool_core::{Password, PolicyViolation, UserPoolId, Username};

const RULES: [PolicyViolation; 5] = [
    PolicyViolation::TooShort,
    PolicyViolation::MissingLowercase,
    PolicyViolation::MissingUppercase,
    PolicyViolation::MissingNumber,
    PolicyViolation::MissingSymbol,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn valid_inputs_pass_spec_1(
        id in strategies::pool_id(),
        name in strategies::username(),
        password in strategies::password(),
    ) {
        prop_assert!(UserPoolId::parse(id.as_str()).is_ok());
        prop_assert!(Username::parse(name.as_str()).is_ok());
        // The strategy yields parsed values, valid by construction. What is left to check is
        // that the stored NFKC form is stable: parsing it again gives the same value. It need
        // not parse (NFKC may turn a spacing accent at an edge into a space, or lengthen the
        // text past 256 characters: found by this test, seed kept in the regressions file).
        if let Ok(again) = Password::parse(password.expose()) {
            prop_assert_eq!(again, password);
        }
    }

    #[test]
    fn invalid_inputs_fail_spec_1_naming_their_field(
        (_, id) in strategies::invalid_pool_id(),
        (name_fault, name) in strategies::invalid_username(),
        (password_fault, password) in strategies::invalid_password(),
    ) {
        prop_assert_eq!(UserPoolId::parse(&id).map(|_| ()).map_err(|e| e.code()), Err("InvalidParameterException"));
        prop_assert!(Username::parse(&name).is_err(), "{:?} {:?}", name_fault, name);
        let error = Password::parse(&password).expect_err("invalid");
        prop_assert!(error.to_string().contains("'password'"), "{:?}: {}", password_fault, error);
    }

    #[test]
    fn password_for_meets_its_policy(
        (policy, password) in strategies::policy()
            .prop_flat_map(|p| (Just(p.clone()), strategies::password_for(&p))),
    ) {
        prop_assert_eq!(policy.first_violation(&password, Default::default()), None);
    }

    #[test]
    fn password_violating_breaks_exactly_the_chosen_rule(
        (policy, rule, password) in (strategies::policy(), proptest::sample::select(RULES.to_vec()))
            .prop_filter_map("rule on", |(p, rule)| {
                strategies::password_violating(&p, rule.clone()).map(|s| (p, rule, s))
            })
            .prop_flat_map(|(p, rule, s)| (Just(p), Just(rule), s)),
    ) {
        prop_assert_eq!(policy.first_violation(&password, Default::default()), Some(rule.clone()));
        // Exactly one: with that rule switched off, nothing else breaks.
        let relaxed = |b: userpool_core::PasswordPolicyBuilder| match rule {
            PolicyViolation::TooShort => b.minimum_length(6),
            PolicyViolation::MissingLowercase => b.require_lowercase(false),
            PolicyViolation::MissingUppercase => b.require_uppercase(false),
            PolicyViolation::MissingNumber => b.require_numbers(false),
            _ => b.require_symbols(false),
        };
        let builder = userpool_core::PasswordPolicy::builder()
            .minimum_length(i64::from(policy.minimum_length()))
            .require_lowercase(policy.require_lowercase())
            .require_uppercase(policy.require_uppercase())
            .require_numbers(policy.require_numbers())
            .require_symbols(policy.require_symbols());
        let relaxed = relaxed(builder).build().expect("in range");
        if rule != PolicyViolation::TooShort || password.expose().chars().count() >= 6 {
            prop_assert_eq!(relaxed.first_violation(&password, Default::default()), None);
        }
    }
}
