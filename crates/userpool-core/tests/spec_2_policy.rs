//! SPEC §2: the password policy (InvalidPasswordException) as Cognito defines it: defaults,
//! ranges, rule order, symbol set, basic-Latin classes, grapheme length and NFKC.
//! The optional checks beyond Cognito are in `spec_2_policy_extras.rs`.

mod common;

use std::collections::BTreeMap;

use common::*;
use userpool_core::{PasswordPolicy, PolicySubject, SignInOutcome, transitions};
// SPEC §2: Cognito's defaults.
#[test]
fn default_policy_is_cognitos() {
    let p = PasswordPolicy::default();
    assert_eq!(p.minimum_length(), 8);
    assert!(p.require_uppercase() && p.require_lowercase());
    assert!(p.require_numbers() && p.require_symbols());
    assert_eq!(p.password_history_size(), 0);
    assert_eq!(p.temporary_password_validity_days(), 7);
    assert_eq!(p.maximum_length(), None);
    assert!(p.blocklist().is_none());
    assert!(!p.reject_user_identity());
    assert_eq!(PasswordPolicy::builder().build().expect("defaults"), p);
}

// SPEC §2: every rule with passing and failing cases, and only the first failing rule is
// reported, in the order length, lowercase, uppercase, numbers, symbols.
#[test]
fn each_rule_passes_and_fails_and_only_the_first_failure_is_reported() {
    let cases = [
        ("meets every rule", "Passw0rd!", None),
        ("exactly eight", "Pas0rd!x", None),
        ("seven", "Pa0rd!x", Some(NOT_LONG_ENOUGH)),
        ("no lowercase", "PASSW0RD!", Some(LOWERCASE)),
        ("no uppercase", "passw0rd!", Some(UPPERCASE)),
        ("no number", "Password!", Some(NUMERIC)),
        ("no symbol", "Passw0rdd", Some(SYMBOL)),
        // Order: a short password that breaks everything reports only its length.
        ("short and no class", "ab", Some(NOT_LONG_ENOUGH)),
        ("short, digits only", "1234", Some(NOT_LONG_ENOUGH)),
        ("long enough, digits only", "12345678", Some(LOWERCASE)),
        ("long enough, uppercase only", "ABCDEFGH", Some(LOWERCASE)),
        ("lowercase only", "abcdefgh", Some(UPPERCASE)),
        ("lowercase and symbol", "abcdefg!", Some(UPPERCASE)),
        ("lower and upper", "Abcdefgh", Some(NUMERIC)),
        ("lower, upper, symbol", "Abcdefg!", Some(NUMERIC)),
        ("lower, upper, number", "Abcdefg1", Some(SYMBOL)),
    ];
    run_policy_table(&PasswordPolicy::default(), PolicySubject::default(), &cases);
}

// SPEC §2: each class can be switched off on its own.
#[test]
fn each_class_requirement_can_be_switched_off() {
    let base = || PasswordPolicy::builder();
    let no_lower = base().require_lowercase(false).build().expect("in range");
    let no_upper = base().require_uppercase(false).build().expect("in range");
    let no_number = base().require_numbers(false).build().expect("in range");
    let no_symbol = base().require_symbols(false).build().expect("in range");
    run_policy_table(
        &no_lower,
        PolicySubject::default(),
        &[
            ("no lowercase", "PASSW0RD!", None),
            ("no upper", "passw0rd!", Some(UPPERCASE)),
        ],
    );
    run_policy_table(
        &no_upper,
        PolicySubject::default(),
        &[
            ("no uppercase", "passw0rd!", None),
            ("no number", "password!", Some(NUMERIC)),
        ],
    );
    run_policy_table(
        &no_number,
        PolicySubject::default(),
        &[
            ("no number", "Password!", None),
            ("no symbol", "Password", Some(SYMBOL)),
        ],
    );
    run_policy_table(
        &no_symbol,
        PolicySubject::default(),
        &[
            ("no symbol", "Passw0rdd", None),
            ("short", "Pw0", Some(NOT_LONG_ENOUGH)),
        ],
    );
    let nothing = base()
        .require_lowercase(false)
        .require_uppercase(false)
        .require_numbers(false)
        .require_symbols(false)
        .build()
        .expect("in range");
    run_policy_table(
        &nothing,
        PolicySubject::default(),
        &[
            ("seven", "short12", Some(NOT_LONG_ENOUGH)),
            ("eight digits", "12345678", None),
            ("eight CJK", "密码密码密码密码", None),
        ],
    );
}

// SPEC §2: the symbol set is exactly `^ $ * . [ ] { } ( ) ? " ! @ # % & / \ , > < ' : ; | _ ~ ` = + -`
// plus an inner space; each one alone satisfies the rule, and nothing else does.
#[test]
fn each_symbol_of_the_set_satisfies_the_symbol_rule() {
    let policy = PasswordPolicy::default();
    let symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";
    assert_eq!(symbols.chars().count(), 32);
    for symbol in symbols.chars() {
        let password = format!("Passw0rd{symbol}");
        assert!(
            policy
                .check(&pw(&password), PolicySubject::default())
                .is_ok(),
            "{symbol:?} is a symbol"
        );
    }
    // An inner space counts as a symbol (SPEC §1 forbids it first or last).
    assert!(
        policy
            .check(&pw("Pass w0rd"), PolicySubject::default())
            .is_ok()
    );
    // An inner no-break space is a space after NFKC, so it counts too.
    assert!(
        policy
            .check(&pw("Pass\u{a0}w0rd"), PolicySubject::default())
            .is_ok()
    );
    // A fullwidth `！` is `!` after NFKC.
    assert!(
        policy
            .check(&pw("Passw0rd！"), PolicySubject::default())
            .is_ok()
    );
    // So is a horizontal ellipsis, which NFKC turns into three full stops.
    assert!(
        policy
            .check(&pw("Passw0rd…"), PolicySubject::default())
            .is_ok()
    );
    for not_symbol in [
        '§', '€', '£', '¡', '¿', '«', '°', '×', '÷', '•', '✓', '😀', 'é', '٣',
    ] {
        let password = format!("Passw0rd{not_symbol}");
        let e = policy
            .check(&pw(&password), PolicySubject::default())
            .expect_err("not a symbol");
        assert_eq!(
            e.to_string(),
            format!("{PREFIX}{SYMBOL}"),
            "{not_symbol:?} is not a symbol"
        );
    }
}

// SPEC §2: only a space that is neither first nor last is a symbol — also after NFKC, which
// turns a spacing accent (`´` U+00B4, `¨` U+00A8, `˜` U+02DC) into a space plus a combining
// mark. Those accents are not in the symbol set and must not pass as one (regression: the
// NFKC-made space used to count, wherever it stood).
#[test]
fn spacing_accents_are_not_symbols_even_though_nfkc_makes_them_spaces() {
    let cases = [
        ("leading acute accent", "´Passw0rd1", Some(SYMBOL)),
        ("leading diaeresis", "¨Passw0rd1", Some(SYMBOL)),
        ("inner acute accent", "Pass´w0rd1", Some(SYMBOL)),
        ("inner small tilde", "Pass˜w0rd1", Some(SYMBOL)),
        ("trailing acute accent", "Passw0rd1´", Some(SYMBOL)),
        ("a real inner space still counts", "´Pass w0rd1", None),
        ("an accent beside a real symbol", "´Passw0rd1!", None),
    ];
    run_policy_table(&PasswordPolicy::default(), PolicySubject::default(), &cases);
}

// SPEC §2: classes are basic Latin only; other characters count toward length but satisfy
// no class.
#[test]
fn non_latin_characters_count_toward_length_but_satisfy_no_class() {
    let cases = [
        (
            "Cyrillic lowercase is not lowercase",
            "ПАРОЛЬпароль1!",
            Some(LOWERCASE),
        ),
        (
            "Latin-1 lowercase is not lowercase",
            "ÄÖÜäöü1!",
            Some(LOWERCASE),
        ),
        (
            "Latin-1 uppercase is not uppercase",
            "passwÖrd1!",
            Some(UPPERCASE),
        ),
        (
            "Greek uppercase is not uppercase",
            "ΑΒΓpass1!",
            Some(UPPERCASE),
        ),
        (
            "Arabic-Indic digits are not numbers",
            "Password٣!",
            Some(NUMERIC),
        ),
        ("superscript two is a number after NFKC", "Password²!", None),
        ("CJK pads length", "Ab1!密码密码", None),
        ("CJK, one short", "Ab1!密码密", Some(NOT_LONG_ENOUGH)),
        ("emoji pad length", "Ab1!🔑🔑🔑🔑", None),
        ("emoji, one short", "Ab1!🔑🔑🔑", Some(NOT_LONG_ENOUGH)),
    ];
    run_policy_table(&PasswordPolicy::default(), PolicySubject::default(), &cases);
}

// SPEC §2 (decision): length is counted in extended grapheme clusters, so combining marks
// and joiners cannot pad a short password.
#[test]
fn length_counts_grapheme_clusters_so_marks_cannot_pad() {
    let family = "👨\u{200d}👩\u{200d}👧";
    let three_families = family.repeat(3);
    let four_families = family.repeat(4);
    let cases = [
        // `x` + U+0301 has no precomposed form: two scalars, one grapheme.
        (
            "four marks on x",
            "Ab1!x\u{301}\u{301}\u{301}\u{301}".to_owned(),
            Some(NOT_LONG_ENOUGH),
        ),
        (
            "four marked letters",
            "Ab1!x\u{301}y\u{301}z\u{301}w\u{301}".to_owned(),
            None,
        ),
        (
            "three ZWJ families (15 scalars)",
            format!("Ab1!{three_families}"),
            Some(NOT_LONG_ENOUGH),
        ),
        ("four ZWJ families", format!("Ab1!{four_families}"), None),
        (
            "flags are one cluster each",
            "Ab1!🇫🇷🇩🇪🇯🇵".to_owned(),
            Some(NOT_LONG_ENOUGH),
        ),
        (
            "skin tone modifier joins",
            "Ab1!👍🏽👍🏽👍🏽".to_owned(),
            Some(NOT_LONG_ENOUGH),
        ),
    ];
    let policy = PasswordPolicy::default();
    for (what, password, expected) in &cases {
        run_policy_table(
            &policy,
            PolicySubject::default(),
            &[(what, password.as_str(), *expected)],
        );
    }
}

// SPEC §2 (decision): invisible characters cannot pad either. UAX #29 gives WORD JOINER,
// ZERO WIDTH SPACE, SOFT HYPHEN, BOM and tag characters a cluster each, so counting clusters
// alone let `Ab1!` plus four of them pass a minimum of 8 (regression).
#[test]
fn invisible_format_characters_cannot_pad_length() {
    let cases = [
        (
            "four word joiners",
            "Ab1!\u{2060}\u{2060}\u{2060}\u{2060}",
            Some(NOT_LONG_ENOUGH),
        ),
        (
            "four zero width spaces",
            "Ab1!\u{200b}\u{200b}\u{200b}\u{200b}",
            Some(NOT_LONG_ENOUGH),
        ),
        (
            "four soft hyphens",
            "Ab1!\u{ad}\u{ad}\u{ad}\u{ad}",
            Some(NOT_LONG_ENOUGH),
        ),
        (
            "four BOMs",
            "Ab1!\u{feff}\u{feff}\u{feff}\u{feff}",
            Some(NOT_LONG_ENOUGH),
        ),
        (
            "four tag characters",
            "Ab1!\u{e0001}\u{e0001}\u{e0001}\u{e0001}",
            Some(NOT_LONG_ENOUGH),
        ),
        (
            "leading joiners",
            "\u{200d}\u{200d}Ab1!xy",
            Some(NOT_LONG_ENOUGH),
        ),
        (
            "hangul fillers",
            "Ab1!\u{3164}\u{3164}\u{3164}\u{3164}",
            Some(NOT_LONG_ENOUGH),
        ),
        // Invisible characters among eight visible ones do not hurt.
        (
            "eight visible, joiners between",
            "Ab1!\u{2060}wxyz\u{200b}",
            None,
        ),
    ];
    run_policy_table(&PasswordPolicy::default(), PolicySubject::default(), &cases);
}

// SPEC §2 (decision): NFKC before hashing and comparison — the fullwidth form signs in as the
// ASCII form, and the reverse.
#[test]
fn fullwidth_password_equals_its_ascii_form_for_sign_in() {
    let rules = rules();
    let mut world = World::new();
    let user = confirmed(&mut world, &rules);
    let (user, _) = transitions::admin_set_user_password(
        &user,
        &pw("ＰａｓｓＷ０ｒｄ！"),
        true,
        &rules,
        &mut world.ctx(),
    )
    .expect("fullwidth password meets the policy after NFKC");
    let (outcome, _) = sign_in_ok(&user, "PassW0rd!", &rules, &mut world);
    assert_eq!(outcome, SignInOutcome::Authenticated);
    let (outcome, _) = sign_in_ok(&user, "ＰａｓｓＷ０ｒｄ！", &rules, &mut world);
    assert_eq!(outcome, SignInOutcome::Authenticated);
    // And composed vs decomposed accents are one password.
    let (user, _) = transitions::admin_set_user_password(
        &user,
        &pw("Caf\u{e9}-Pass1"),
        true,
        &rules,
        &mut world.ctx(),
    )
    .expect("valid");
    let (outcome, _) = sign_in_ok(&user, "Cafe\u{301}-Pass1", &rules, &mut world);
    assert_eq!(outcome, SignInOutcome::Authenticated);
    let refused = sign_in_refused(&user, "Cafe-Pass1", &rules, &mut world);
    assert_error(
        &refused.error,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
}

// SPEC §2: out-of-range settings are InvalidParameterException when the policy is built,
// and the edges are accepted.
#[test]
fn policy_ranges_are_refused_at_build_and_edges_accepted() {
    let range = |field: &str, min: i64, max: i64| {
        format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have value between {min} and {max}"
        )
    };
    let b = PasswordPolicy::builder;
    let refused = [
        ("MinimumLength 5", b().minimum_length(5), range("MinimumLength", 6, 99)),
        ("MinimumLength 100", b().minimum_length(100), range("MinimumLength", 6, 99)),
        ("MinimumLength -1", b().minimum_length(-1), range("MinimumLength", 6, 99)),
        ("history 25", b().password_history_size(25), range("PasswordHistorySize", 0, 24)),
        ("history -1", b().password_history_size(-1), range("PasswordHistorySize", 0, 24)),
        ("validity 366", b().temporary_password_validity_days(366), range("TemporaryPasswordValidityDays", 0, 365)),
        ("validity -1", b().temporary_password_validity_days(-1), range("TemporaryPasswordValidityDays", 0, 365)),
        ("maximum 5", b().maximum_length(5), range("MaximumLength", 6, 255)),
        ("maximum 256", b().maximum_length(256), range("MaximumLength", 6, 255)),
        (
            "maximum below minimum",
            b().minimum_length(12).maximum_length(10),
            "1 validation error detected: Value at 'MaximumLength' failed to satisfy constraint: Member must not be below MinimumLength".to_owned(),
        ),
        (
            "several at once",
            b().minimum_length(5).password_history_size(25).temporary_password_validity_days(366),
            format!(
                "3 validation errors detected: {}; {}; {}",
                range("MinimumLength", 6, 99).trim_start_matches("1 validation error detected: "),
                range("PasswordHistorySize", 0, 24).trim_start_matches("1 validation error detected: "),
                range("TemporaryPasswordValidityDays", 0, 365).trim_start_matches("1 validation error detected: "),
            ),
        ),
    ];
    for (what, builder, message) in refused {
        let e = builder.build().expect_err(what);
        assert_error(&e, "InvalidParameterException", &message);
    }
    let accepted = [
        ("MinimumLength 6", b().minimum_length(6)),
        ("MinimumLength 99", b().minimum_length(99)),
        ("history 0", b().password_history_size(0)),
        ("history 24", b().password_history_size(24)),
        ("validity 0", b().temporary_password_validity_days(0)),
        ("validity 365", b().temporary_password_validity_days(365)),
        ("maximum 6", b().maximum_length(6).minimum_length(6)),
        ("maximum 255", b().maximum_length(255)),
        (
            "maximum equal to minimum",
            b().minimum_length(10).maximum_length(10),
        ),
    ];
    for (what, builder) in accepted {
        builder.build().unwrap_or_else(|e| panic!("{what}: {e}"));
    }
    let edges = b()
        .minimum_length(99)
        .password_history_size(24)
        .temporary_password_validity_days(365)
        .build()
        .expect("edges");
    assert_eq!(
        (
            edges.minimum_length(),
            edges.password_history_size(),
            edges.temporary_password_validity_days()
        ),
        (99, 24, 365)
    );
}

// SPEC §2: the configured minimum is the one enforced, at both ends of its range.
#[test]
fn minimum_length_is_enforced_at_both_ends_of_its_range() {
    let six = PasswordPolicy::builder()
        .minimum_length(6)
        .build()
        .expect("6");
    run_policy_table(
        &six,
        PolicySubject::default(),
        &[
            ("six", "Ab1!cd", None),
            ("five", "Ab1!c", Some(NOT_LONG_ENOUGH)),
        ],
    );
    let max = PasswordPolicy::builder()
        .minimum_length(99)
        .build()
        .expect("99");
    let ninety_nine = format!("Ab1!{}", "x".repeat(95));
    let ninety_eight = format!("Ab1!{}", "x".repeat(94));
    run_policy_table(
        &max,
        PolicySubject::default(),
        &[
            ("99", &ninety_nine, None),
            ("98", &ninety_eight, Some(NOT_LONG_ENOUGH)),
        ],
    );
}

// SPEC §2: every operation that sets a password applies the policy.
#[test]
fn every_password_setting_operation_applies_the_policy() {
    let rules = rules();
    let weak = pw("weakpass");
    let expected = format!("{PREFIX}{UPPERCASE}");
    let mut world = World::new();

    let e = common::err(transitions::sign_up(
        name("bob"),
        &weak,
        BTreeMap::new(),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&e, INVALID_PASSWORD, &expected);
    let e = common::err(transitions::admin_create_user(
        name("bob"),
        BTreeMap::new(),
        Some(weak.clone()),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&e, INVALID_PASSWORD, &expected);

    let user = confirmed(&mut world, &rules);
    for permanent in [true, false] {
        let e = common::err(transitions::admin_set_user_password(
            &user,
            &weak,
            permanent,
            &rules,
            &mut world.ctx(),
        ));
        assert_error(&e, INVALID_PASSWORD, &expected);
    }
    let e = common::err(transitions::change_password(
        &user,
        &pw(INITIAL),
        &weak,
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&e, INVALID_PASSWORD, &expected);
    let (with_code, code) = forgot(&user, &rules, &mut world);
    let r = refused(transitions::confirm_forgot_password(
        &with_code,
        &code,
        &weak,
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&r.error, INVALID_PASSWORD, &expected);
    assert!(r.record.is_none(), "nothing to persist");

    let fcp = force_change(&mut world, &rules);
    let (session, fcp) = challenge(&fcp, TEMPORARY, &rules, &mut world);
    let e = common::err(transitions::respond_to_new_password_required(
        &fcp,
        &session,
        &weak,
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&e, INVALID_PASSWORD, &expected);
    let fcp2 = force_change(&mut world, &rules);
    let e = common::err(transitions::resend_invitation(
        &fcp2,
        Some(weak),
        &rules,
        &mut world.ctx(),
    ));
    assert_error(&e, INVALID_PASSWORD, &expected);
}
