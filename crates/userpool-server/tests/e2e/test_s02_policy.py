"""SPEC §2 — the pool's password policy: InvalidPasswordException with the first failing
rule in the order length, lowercase, uppercase, numbers, symbols."""

import pytest

from support import (
    PERM,
    POLICY,
    TEMP,
    answer_new_password,
    assert_new_password_required,
    create_user,
    make_pool,
    raises_cognito,
    sign_in,
    status,
)


@pytest.mark.parametrize(
    "password, rule",
    [
        ("Sh0rt!a", "Password not long enough"),
        ("abc", "Password not long enough"),  # fails every rule: length is reported first
        ("NOLOWER-1!", "Password must have lowercase characters"),
        ("noupper-1!", "Password must have uppercase characters"),
        ("NoNumbers!", "Password must have numeric characters"),
        ("NoSymbols12", "Password must have symbol characters"),
        ("nouppernonumber", "Password must have uppercase characters"),
        ("ÀÉÎÕÜabc1!", "Password must have uppercase characters"),  # only A-Z count
        ("Aa1!e\u0301e\u0301e\u0301", "Password not long enough"),  # 7 graphemes, 10 scalars
    ],
    ids=["short", "all-rules", "lower", "upper", "numbers", "symbols", "order", "non-latin", "graphemes"],
)
def test_s2_policy_failure_messages(cognito, pool, password, rule):
    create_user(cognito, pool, "diego")
    with raises_cognito("InvalidPasswordException", POLICY + rule):
        cognito.admin_set_user_password(UserPoolId=pool, Username="diego", Password=password, Permanent=True)
    assert status(cognito, pool, "diego") == "FORCE_CHANGE_PASSWORD"


def test_s2_relaxed_policy_accepts_what_it_does_not_require(cognito, app_client):
    pool = make_pool(cognito, policy={"MinimumLength": 6})
    out = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["Policies"]["PasswordPolicy"]
    assert out["MinimumLength"] == 6
    assert not any(out[k] for k in ("RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols"))
    create_user(cognito, pool, "diego", permanent="abcdef")
    assert status(cognito, pool, "diego") == "CONFIRMED"
    with raises_cognito("InvalidPasswordException", POLICY + "Password not long enough"):
        cognito.admin_set_user_password(UserPoolId=pool, Username="diego", Password="abcde", Permanent=True)


@pytest.mark.parametrize(
    "policy",
    [
        {"MinimumLength": 5},
        {"MinimumLength": 100},
        {"PasswordHistorySize": 25},
        {"TemporaryPasswordValidityDays": 366},
    ],
    ids=["min-5", "min-100", "history-25", "validity-366"],
)
def test_s2_out_of_range_policy_is_invalid_parameter(raw_cognito, policy):
    # raw_cognito: botocore would refuse some of these ranges before sending.
    with raises_cognito("InvalidParameterException"):
        make_pool(raw_cognito, policy=policy)


def test_s2_policy_applies_to_temporary_passwords_sign_up_and_challenge_answers(cognito, pool, app_client):
    with raises_cognito("InvalidPasswordException", POLICY + "Password must have symbol characters"):
        create_user(cognito, pool, "weak", temporary="NoSymbols12")
    with raises_cognito("InvalidPasswordException", POLICY + "Password not long enough"):
        cognito.sign_up(ClientId=app_client["ClientId"], Username="weak", Password="Aa1!")
    create_user(cognito, pool, "diego")
    session = assert_new_password_required(sign_in(cognito, app_client["ClientId"], "diego", TEMP), "diego")
    with raises_cognito("InvalidPasswordException", POLICY + "Password must have numeric characters"):
        answer_new_password(cognito, app_client["ClientId"], "diego", session, "NoNumbers!")
    assert status(cognito, pool, "diego") == "FORCE_CHANGE_PASSWORD"


def test_s2_passwords_are_compared_after_nfkc(cognito, pool, app_client):
    create_user(cognito, pool, "diego", permanent=PERM)  # "Perm-Passw0rd!"
    fullwidth = "Ｐｅｒｍ－Ｐａｓｓｗ０ｒｄ！"  # NFKC-normalises to PERM
    assert "AuthenticationResult" in sign_in(cognito, app_client["ClientId"], "diego", fullwidth)
