//! SPEC §1: inputs and their limits (InvalidParameterException), through the public parsers.

use proptest::prelude::*;
use userpool_core::{AdminSetUserPasswordInput, Error, Password, UserPoolId, Username};

const INVALID_PARAMETER: &str = "InvalidParameterException";

fn one(field: &str, constraint: &str) -> String {
    format!(
        "1 validation error detected: Value at '{field}' failed to satisfy constraint: {constraint}"
    )
}

fn too_long(field: &str, max: usize) -> String {
    one(
        field,
        &format!("Member must have length less than or equal to {max}"),
    )
}

fn too_short(field: &str) -> String {
    one(field, "Member must have length greater than or equal to 1")
}

const POOL_PATTERN: &str = r"Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+";
const USERNAME_PATTERN: &str =
    r"Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+";
const PASSWORD_PATTERN: &str = r"Member must satisfy regular expression pattern: ^[\S]+.*[\S]+$";

/// Runs one table: each case is (description, input, `None` for valid or the exact message).
#[track_caller]
fn run_table<T: std::fmt::Debug>(
    parse: impl Fn(&str) -> Result<T, Error>,
    cases: &[(&str, String, Option<String>)],
) {
    for (what, input, expected) in cases {
        match (parse(input), expected) {
            (Ok(_), None) => {}
            (Ok(value), Some(message)) => {
                panic!("{what}: accepted {value:?}, expected `{message}`")
            }
            (Err(e), None) => panic!("{what}: refused with `{e}`"),
            (Err(e), Some(message)) => {
                assert_eq!(e.code(), INVALID_PARAMETER, "{what}");
                assert_eq!(&e.to_string(), message, "{what}");
            }
        }
    }
}

// SPEC §1: UserPoolId, 1..=55 characters matching `[\w-]+_[0-9a-zA-Z]+` (ASCII `\w`).
#[test]
fn user_pool_id_limits_and_pattern() {
    let field = "userPoolId";
    let pattern = Some(one(field, POOL_PATTERN));
    let cases = [
        ("typical", "us-east-1_AbCdEf123".to_owned(), None),
        ("55 characters", format!("{}_B", "a".repeat(53)), None),
        (
            "56 characters",
            format!("{}_B", "a".repeat(54)),
            Some(too_long(field, 55)),
        ),
        ("empty", String::new(), Some(too_short(field))),
        ("underscore inside the prefix", "__abc".to_owned(), None),
        ("digits only", "1_2".to_owned(), None),
        ("no underscore", "useast1AbCdEf".to_owned(), pattern.clone()),
        (
            "nothing after the underscore",
            "us-east-1_".to_owned(),
            pattern.clone(),
        ),
        (
            "nothing before the underscore",
            "_abc".to_owned(),
            pattern.clone(),
        ),
        (
            "hyphen after the underscore",
            "us-east-1_ab-cd".to_owned(),
            pattern.clone(),
        ),
        ("space", "us east-1_abc".to_owned(), pattern.clone()),
        (
            "trailing newline",
            "us-east-1_abc\n".to_owned(),
            pattern.clone(),
        ),
        (
            "Unicode letter in the prefix",
            "é-east-1_abc".to_owned(),
            pattern.clone(),
        ),
        ("Cyrillic prefix", "пул_abc".to_owned(), pattern.clone()),
        (
            "Unicode digit in the prefix",
            "us٣_abc".to_owned(),
            pattern.clone(),
        ),
        (
            "Unicode letter in the suffix",
            "us-east-1_Äbc".to_owned(),
            pattern.clone(),
        ),
        (
            "fullwidth suffix",
            "us-east-1_ＡＢＣ".to_owned(),
            pattern.clone(),
        ),
        // Length is checked first: a value both too long and off-pattern reports its length.
        (
            "56 characters, off pattern",
            "é".repeat(56),
            Some(too_long(field, 55)),
        ),
    ];
    run_table(UserPoolId::parse, &cases);
}

// SPEC §1: Username, 1..=128 Unicode scalar values, each in L, M, S, N or P.
#[test]
fn username_limits_and_classes() {
    let field = "username";
    let pattern = Some(one(field, USERNAME_PATTERN));
    let cases = [
        ("ASCII", "alice".to_owned(), None),
        ("email as username", "alice@example.com".to_owned(), None),
        ("phone number as username", "+15555550100".to_owned(), None),
        ("128 ASCII characters", "a".repeat(128), None),
        (
            "129 ASCII characters",
            "a".repeat(129),
            Some(too_long(field, 128)),
        ),
        ("128 two-byte characters", "é".repeat(128), None),
        (
            "129 two-byte characters",
            "é".repeat(129),
            Some(too_long(field, 128)),
        ),
        ("128 emoji (512 bytes)", "😀".repeat(128), None),
        ("129 emoji", "😀".repeat(129), Some(too_long(field, 128))),
        ("empty", String::new(), Some(too_short(field))),
        ("non-ASCII letters", "Zoë-Ünïcödé".to_owned(), None),
        ("CJK", "用户名".to_owned(), None),
        ("combining mark", "e\u{301}mile".to_owned(), None),
        ("emoji", "🦀rustacean".to_owned(), None),
        ("symbols and punctuation", "a.b_c-d+e$f".to_owned(), None),
        ("inner space", "al ice".to_owned(), pattern.clone()),
        ("leading space", " alice".to_owned(), pattern.clone()),
        ("tab", "al\tice".to_owned(), pattern.clone()),
        ("newline", "alice\n".to_owned(), pattern.clone()),
        ("NUL", "al\u{0}ice".to_owned(), pattern.clone()),
        ("DEL", "al\u{7f}ice".to_owned(), pattern.clone()),
        ("no-break space", "al\u{a0}ice".to_owned(), pattern.clone()),
        (
            "ideographic space",
            "al\u{3000}ice".to_owned(),
            pattern.clone(),
        ),
        (
            "line separator",
            "al\u{2028}ice".to_owned(),
            pattern.clone(),
        ),
        // Format characters (Cf) are in none of the five classes.
        (
            "zero width joiner",
            "al\u{200d}ice".to_owned(),
            pattern.clone(),
        ),
        (
            "right-to-left override",
            "al\u{202e}ice".to_owned(),
            pattern.clone(),
        ),
        (
            "emoji ZWJ sequence",
            "👨\u{200d}👩".to_owned(),
            pattern.clone(),
        ),
        ("private use", "al\u{e000}ice".to_owned(), pattern.clone()),
    ];
    run_table(Username::parse, &cases);
}

// SPEC §1: Password, 1..=256 scalar values, the service's `^[\S]+.*[\S]+$`, no control
// characters, inner spaces allowed.
#[test]
fn password_limits_and_pattern() {
    let field = "password";
    let pattern = Some(one(field, PASSWORD_PATTERN));
    let cases = [
        ("typical", "Passw0rd!".to_owned(), None),
        ("two characters", "ab".to_owned(), None),
        ("256 ASCII characters", "a".repeat(256), None),
        (
            "257 ASCII characters",
            "a".repeat(257),
            Some(too_long(field, 256)),
        ),
        ("256 two-byte characters", "é".repeat(256), None),
        (
            "257 two-byte characters",
            "é".repeat(257),
            Some(too_long(field, 256)),
        ),
        ("256 emoji (1024 bytes)", "🔑".repeat(256), None),
        ("257 emoji", "🔑".repeat(257), Some(too_long(field, 256))),
        // 128 × (x + U+0301) = 256 scalar values; one more pair is 258.
        (
            "256 scalars of combining marks",
            "x\u{301}".repeat(128),
            None,
        ),
        (
            "258 scalars of combining marks",
            "x\u{301}".repeat(129),
            Some(too_long(field, 256)),
        ),
        ("empty", String::new(), Some(too_short(field))),
        (
            "one character (the service's form needs two)",
            "a".to_owned(),
            pattern.clone(),
        ),
        ("inner space", "correct horse".to_owned(), None),
        ("several inner spaces", "a  b  c".to_owned(), None),
        ("inner no-break space", "a\u{a0}b".to_owned(), None),
        ("leading space", " Passw0rd!".to_owned(), pattern.clone()),
        ("trailing space", "Passw0rd! ".to_owned(), pattern.clone()),
        ("only spaces", "   ".to_owned(), pattern.clone()),
        (
            "leading no-break space",
            "\u{a0}Passw0rd!".to_owned(),
            pattern.clone(),
        ),
        (
            "trailing ideographic space",
            "Passw0rd!\u{3000}".to_owned(),
            pattern.clone(),
        ),
        ("leading tab", "\tPassw0rd!".to_owned(), pattern.clone()),
        ("inner tab", "Pass\tw0rd!".to_owned(), pattern.clone()),
        ("inner newline", "Pass\nw0rd!".to_owned(), pattern.clone()),
        (
            "inner carriage return",
            "Pass\rw0rd!".to_owned(),
            pattern.clone(),
        ),
        ("trailing CRLF", "Passw0rd!\r\n".to_owned(), pattern.clone()),
        ("NUL", "Pass\u{0}w0rd!".to_owned(), pattern.clone()),
        ("escape", "Pass\u{1b}w0rd!".to_owned(), pattern.clone()),
        (
            "next line (C1 control)",
            "Pass\u{85}w0rd!".to_owned(),
            pattern.clone(),
        ),
        (
            "line separator",
            "Pass\u{2028}w0rd!".to_owned(),
            pattern.clone(),
        ),
        (
            "paragraph separator",
            "Pass\u{2029}w0rd!".to_owned(),
            pattern.clone(),
        ),
        ("non-ASCII letters", "Pässwörd1!".to_owned(), None),
        ("CJK", "密码密码".to_owned(), None),
        ("combining marks", "Pa\u{301}\u{302}ss".to_owned(), None),
        ("emoji", "🔑🔒".to_owned(), None),
        (
            "emoji ZWJ sequence",
            "👨\u{200d}👩\u{200d}👧".to_owned(),
            None,
        ),
        ("fullwidth", "ＰａｓｓＷ０ｒｄ！".to_owned(), None),
    ];
    run_table(Password::parse, &cases);
}

// SPEC §1: a password arriving under another member name is reported under that name.
#[test]
fn password_in_another_member_is_named_by_that_member() {
    let e = Password::parse_field("proposedPassword", " x").expect_err("leading space");
    assert_eq!(e.to_string(), one("proposedPassword", PASSWORD_PATTERN));
}

// SPEC §1: raw bytes go through a `from_utf8` path that refuses non-UTF-8 with a typed error.
#[test]
fn raw_bytes_that_are_not_utf8_are_refused_naming_the_field() {
    let not_utf8: [&[u8]; 4] = [b"\xff\xfe", b"Pass\xc3w0rd!", b"\xed\xa0\x80", b"abc\x80"];
    for bytes in not_utf8 {
        for (field, result) in [
            ("userPoolId", UserPoolId::from_utf8(bytes).map(|_| ())),
            ("username", Username::from_utf8(bytes).map(|_| ())),
            ("password", Password::from_utf8(bytes).map(|_| ())),
        ] {
            let e = result.expect_err("not UTF-8");
            assert_eq!(e.code(), INVALID_PARAMETER);
            assert_eq!(
                e.to_string(),
                one(field, "Member must be valid UTF-8"),
                "{bytes:?}"
            );
        }
    }
    assert_eq!(
        UserPoolId::from_utf8(b"us-east-1_abc")
            .expect("UTF-8")
            .as_str(),
        "us-east-1_abc"
    );
    assert_eq!(
        Username::from_utf8("zoë".as_bytes())
            .expect("UTF-8")
            .as_str(),
        "zoë"
    );
    assert_eq!(
        Password::from_utf8(b"Passw0rd!").expect("UTF-8").expose(),
        "Passw0rd!"
    );
    // Valid UTF-8 that breaks the limits is reported as such, not as an encoding error.
    assert_eq!(
        Password::from_utf8(b" x").expect_err("space").to_string(),
        one("password", PASSWORD_PATTERN)
    );
}

// SPEC §1 and §2: the value kept is the NFKC form of what was typed.
#[test]
fn password_is_kept_in_nfkc_form() {
    assert_eq!(pw_expose("ＡＢＣ"), "ABC");
    assert_eq!(pw_expose("e\u{301}x"), "éx");
    assert_eq!(pw_expose("ﬁne"), "fine");
    assert_eq!(pw_expose("a\u{a0}b"), "a b");
    // A password that takes ownership of a `String` behaves the same.
    let owned = Password::from_string("ＡＢＣ".to_owned()).expect("valid");
    assert_eq!(owned.expose(), "ABC");
    assert!(Password::from_string(" x".to_owned()).is_err());
}

fn pw_expose(text: &str) -> String {
    Password::parse(text).expect("valid").expose().to_owned()
}

// SPEC §1: AdminSetUserPassword's members are validated together; missing required
// members are named; `Permanent` absent means false.
#[test]
fn admin_set_user_password_input_reports_every_violation() {
    let pool = Some("us-east-1_AbC123");
    let user = Some("alice");
    let pass = Some("Passw0rd!");
    let missing = |field: &str| {
        format!("Value null at '{field}' failed to satisfy constraint: Member must not be null")
    };
    let at = |field: &str, constraint: &str| {
        format!("Value at '{field}' failed to satisfy constraint: {constraint}")
    };
    let long_name = "a".repeat(129);
    let cases: Vec<(&str, [Option<&str>; 3], String)> = vec![
        (
            "missing pool id",
            [None, user, pass],
            format!("1 validation error detected: {}", missing("userPoolId")),
        ),
        (
            "missing username",
            [pool, None, pass],
            format!("1 validation error detected: {}", missing("username")),
        ),
        (
            "missing password",
            [pool, user, None],
            format!("1 validation error detected: {}", missing("password")),
        ),
        (
            "everything missing",
            [None, None, None],
            format!(
                "3 validation errors detected: {}; {}; {}",
                missing("userPoolId"),
                missing("username"),
                missing("password")
            ),
        ),
        (
            "two bad members",
            [Some("nounderscore"), user, Some(" Passw0rd!")],
            format!(
                "2 validation errors detected: {}; {}",
                at("userPoolId", POOL_PATTERN),
                at("password", PASSWORD_PATTERN)
            ),
        ),
        (
            "three bad members",
            [Some(""), Some(long_name.as_str()), Some("Pass\tw0rd!")],
            format!(
                "3 validation errors detected: {}; {}; {}",
                at(
                    "userPoolId",
                    "Member must have length greater than or equal to 1"
                ),
                at(
                    "username",
                    "Member must have length less than or equal to 128"
                ),
                at("password", PASSWORD_PATTERN)
            ),
        ),
        (
            "missing and bad together",
            [None, Some("a b"), pass],
            format!(
                "2 validation errors detected: {}; {}",
                missing("userPoolId"),
                at("username", USERNAME_PATTERN)
            ),
        ),
    ];
    for (what, [p, u, w], expected) in cases {
        let e = AdminSetUserPasswordInput::parse(p, u, w, Some(true)).expect_err(what);
        assert_eq!(e.code(), INVALID_PARAMETER, "{what}");
        assert_eq!(e.to_string(), expected, "{what}");
    }

    let absent = AdminSetUserPasswordInput::parse(pool, user, pass, None).expect("valid");
    assert!(!absent.permanent, "absent Permanent means temporary");
    assert_eq!(absent.user_pool_id.as_str(), "us-east-1_AbC123");
    assert_eq!(absent.username.as_str(), "alice");
    assert_eq!(absent.password.expose(), "Passw0rd!");
    let permanent = AdminSetUserPasswordInput::parse(pool, user, pass, Some(true)).expect("valid");
    assert!(permanent.permanent);
    let temporary = AdminSetUserPasswordInput::parse(pool, user, pass, Some(false)).expect("valid");
    assert!(!temporary.permanent);
}

// SPEC §1: validation is total — any string or byte sequence yields a value or a typed
// InvalidParameterException, never a panic.
proptest! {
    #[test]
    fn validation_is_total_on_any_string(s in any::<String>()) {
        for result in [
            UserPoolId::parse(&s).map(|_| ()),
            Username::parse(&s).map(|_| ()),
            Password::parse(&s).map(|_| ()),
        ] {
            if let Err(e) = result {
                prop_assert_eq!(e.code(), INVALID_PARAMETER);
            }
        }
        let r = AdminSetUserPasswordInput::parse(Some(&s), Some(&s), Some(&s), None);
        if let Err(e) = r {
            prop_assert_eq!(e.code(), INVALID_PARAMETER);
        }
    }

    #[test]
    fn validation_is_total_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        for result in [
            UserPoolId::from_utf8(&bytes).map(|_| ()),
            Username::from_utf8(&bytes).map(|_| ()),
            Password::from_utf8(&bytes).map(|_| ()),
        ] {
            if let Err(e) = result {
                prop_assert_eq!(e.code(), INVALID_PARAMETER);
            }
        }
    }

    // A password accepted by the parser agrees with the rule as SPEC §1 states it.
    #[test]
    fn accepted_passwords_satisfy_the_stated_rule(s in "\\PC{0,4}[ \\t]?\\PC{0,4}") {
        let n = s.chars().count();
        let first = s.chars().next();
        let last = s.chars().next_back();
        let expected = (2..=256).contains(&n)
            && !first.is_some_and(char::is_whitespace)
            && !last.is_some_and(char::is_whitespace)
            && !s.chars().any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}');
        prop_assert_eq!(Password::parse(&s).is_ok(), expected, "{:?}", s);
    }
}
