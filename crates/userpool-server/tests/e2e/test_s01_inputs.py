"""SPEC §1 — inputs and their limits: InvalidParameterException, checked before any lookup,
with a message naming the field."""

import pytest
from support import PERM, TEMP, create_user, raises_cognito, sign_in, status

ONE = "1 validation error detected: "


@pytest.mark.parametrize(
    "password, constraint",
    [
        (" Leading-Passw0rd!", "Member must satisfy regular expression pattern"),
        ("Trailing-Passw0rd! ", "Member must satisfy regular expression pattern"),
        ("Control\nPassw0rd!", "Member must satisfy regular expression pattern"),
        ("Tab\tPassw0rd!", "Member must satisfy regular expression pattern"),
        ("Aa1!" + "x" * 253, "Member must have length less than or equal to 256"),
    ],
    ids=["leading-space", "trailing-space", "line-break", "tab", "257-chars"],
)
def test_s1_bad_password_is_invalid_parameter_naming_password(cognito, pool, password, constraint):
    create_user(cognito, pool, "diego")
    with raises_cognito("InvalidParameterException", startswith=ONE + "Value at 'password' failed to satisfy constraint: ") as e:
        cognito.admin_set_user_password(UserPoolId=pool, Username="diego", Password=password, Permanent=True)
    assert constraint in e["Message"]
    assert e["HTTPStatusCode"] == 400
    # A failed operation changes nothing (SPEC §3).
    assert status(cognito, pool, "diego") == "FORCE_CHANGE_PASSWORD"


def test_s1_password_of_256_chars_is_accepted(cognito, pool, app_client):
    password = "Aa1!" + "x" * 252
    create_user(cognito, pool, "diego", permanent=password)
    assert status(cognito, pool, "diego") == "CONFIRMED"


def test_s1_inner_space_is_allowed_and_counts_as_symbol(cognito, pool, app_client):
    create_user(cognito, pool, "diego", permanent="Inner Space1x")
    result = sign_in(cognito, app_client["ClientId"], "diego", "Inner Space1x")
    assert "AuthenticationResult" in result


@pytest.mark.parametrize("pool_id", ["nounderscore", "us-east-1_bad!chars", "a" * 50 + "_" + "b" * 10, "_abc"])
def test_s1_bad_pool_id_is_invalid_parameter_before_lookup(cognito, pool_id):
    with raises_cognito("InvalidParameterException", startswith=ONE + "Value at 'userPoolId' failed to satisfy constraint"):
        cognito.admin_set_user_password(UserPoolId=pool_id, Username="diego", Password=PERM, Permanent=True)


@pytest.mark.parametrize("username", ["has space", "tab\tname", "x" * 129], ids=["space", "tab", "129-chars"])
def test_s1_bad_username_is_invalid_parameter(cognito, pool, username):
    with raises_cognito("InvalidParameterException", startswith=ONE + "Value at 'username' failed to satisfy constraint"):
        cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=PERM, Permanent=True)


def test_s1_validation_comes_before_lookup(cognito):
    # The pool does not exist, yet the bad password is what is reported.
    with raises_cognito("InvalidParameterException", startswith=ONE + "Value at 'password'"):
        cognito.admin_set_user_password(UserPoolId="us-east-1_DoesNotExist", Username="diego", Password=" x", Permanent=True)


def test_s1_several_violations_are_listed_together(cognito):
    with raises_cognito("InvalidParameterException", startswith="2 validation errors detected: ") as e:
        cognito.admin_set_user_password(UserPoolId="bad", Username="diego", Password=" leading", Permanent=True)
    assert "'userPoolId'" in e["Message"] and "'password'" in e["Message"]


def test_s1_missing_required_member_is_named(raw_cognito, pool):
    # boto3 validates required members itself; raw_cognito does not, so the server answers.
    with raises_cognito(
        "InvalidParameterException",
        ONE + "Value null at 'password' failed to satisfy constraint: Member must not be null",
    ):
        raw_cognito.admin_set_user_password(UserPoolId=pool, Username="diego")


def test_s1_permanent_absent_means_temporary(cognito, pool, app_client):
    create_user(cognito, pool, "diego", permanent=PERM)
    assert status(cognito, pool, "diego") == "CONFIRMED"
    cognito.admin_set_user_password(UserPoolId=pool, Username="diego", Password=TEMP)
    assert status(cognito, pool, "diego") == "FORCE_CHANGE_PASSWORD"
    assert sign_in(cognito, app_client["ClientId"], "diego", TEMP)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_s1_lengths_count_unicode_scalar_values_not_bytes(cognito, pool):
    create_user(cognito, pool, "diego")
    # 256 characters, 508 bytes: accepted.
    cognito.admin_set_user_password(UserPoolId=pool, Username="diego", Password="Aa1!" + "é" * 252, Permanent=True)
    with raises_cognito("InvalidParameterException", startswith=ONE + "Value at 'password'"):
        cognito.admin_set_user_password(UserPoolId=pool, Username="diego", Password="Aa1!" + "é" * 253, Permanent=True)
    assert create_user(cognito, pool, "é" * 128)["Username"] == "é" * 128
    with raises_cognito("InvalidParameterException", ONE + "Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128"):
        create_user(cognito, pool, "é" * 129)


def test_s1_usernames_take_letters_marks_symbols_numbers_punctuation(cognito, pool):
    name = "ñandú-😀_№1"
    assert create_user(cognito, pool, name)["Username"] == name
    assert cognito.admin_get_user(UserPoolId=pool, Username=name)["Username"] == name


def test_s1_pool_id_length_limit_is_55(cognito):
    with raises_cognito("ResourceNotFoundException"):  # 55 characters: well-formed, unknown
        cognito.admin_get_user(UserPoolId="us-east-1_" + "a" * 45, Username="diego")
    with raises_cognito("InvalidParameterException", startswith=ONE + "Value at 'userPoolId'"):
        cognito.admin_get_user(UserPoolId="us-east-1_" + "a" * 46, Username="diego")
