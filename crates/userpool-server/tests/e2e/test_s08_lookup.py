"""SPEC §8 — lookup: unknown pool, username, verified alias, `sub`; case sensitivity."""

import uuid

import pytest
from botocore.exceptions import ClientError

from support import (
    PERM,
    TEMP,
    assert_tokens,
    create_user,
    make_client,
    make_pool,
    raises_cognito,
    sign_in,
    status,
)


def test_s8_unknown_pool_is_resource_not_found(cognito):
    with raises_cognito("ResourceNotFoundException", "User pool us-east-1_NoSuchPool does not exist."):
        cognito.admin_get_user(UserPoolId="us-east-1_NoSuchPool", Username="diego")
    with raises_cognito("ResourceNotFoundException", "User pool us-east-1_NoSuchPool does not exist."):
        cognito.admin_set_user_password(UserPoolId="us-east-1_NoSuchPool", Username="diego", Password=PERM, Permanent=True)


def test_s8_unknown_user_is_user_not_found(cognito, pool):
    with raises_cognito("UserNotFoundException", "User does not exist."):
        cognito.admin_set_user_password(UserPoolId=pool, Username="nobody", Password=PERM, Permanent=True)


def test_s8_verified_alias_resolves_to_the_user(cognito):
    pool = make_pool(cognito, AliasAttributes=["email", "preferred_username"])
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, "alice", attributes={
        "email": "alice@example.com", "email_verified": "true", "preferred_username": "ally",
    })
    got = cognito.admin_get_user(UserPoolId=pool, Username="alice@example.com")
    assert got["Username"] == "alice"
    assert cognito.admin_get_user(UserPoolId=pool, Username="ally")["Username"] == "alice"
    cognito.admin_set_user_password(UserPoolId=pool, Username="alice@example.com", Password=PERM, Permanent=True)
    assert status(cognito, pool, "alice") == "CONFIRMED"
    assert_tokens(sign_in(cognito, client, "alice@example.com", PERM))
    assert_tokens(sign_in(cognito, client, "ally", PERM))


def test_s8_unverified_or_unlisted_alias_does_not_resolve(cognito):
    pool = make_pool(cognito, AliasAttributes=["email"])
    create_user(cognito, pool, "bob", attributes={"email": "bob@example.com", "email_verified": "false",
                                                  "phone_number": "+15555550100", "phone_number_verified": "true"})
    with raises_cognito("UserNotFoundException", "User does not exist."):
        cognito.admin_get_user(UserPoolId=pool, Username="bob@example.com")
    with raises_cognito("UserNotFoundException", "User does not exist."):
        cognito.admin_get_user(UserPoolId=pool, Username="+15555550100")  # phone_number is not an alias here


def test_s8_alias_values_are_unique_in_a_pool(cognito):
    pool = make_pool(cognito, AliasAttributes=["email"])
    create_user(cognito, pool, "alice", attributes={"email": "shared@example.com", "email_verified": "true"})
    with raises_cognito("AliasExistsException"):
        create_user(cognito, pool, "alice2", attributes={"email": "shared@example.com", "email_verified": "true"})


def test_s8_sub_resolves_to_the_user_and_never_changes(cognito, pool, app_client):
    user = create_user(cognito, pool, "diego")
    sub = {a["Name"]: a["Value"] for a in user["Attributes"]}["sub"]
    assert uuid.UUID(sub).version == 4
    got = cognito.admin_get_user(UserPoolId=pool, Username=sub)
    assert got["Username"] == "diego"
    cognito.admin_set_user_password(UserPoolId=pool, Username=sub, Password=PERM, Permanent=True)
    assert_tokens(sign_in(cognito, app_client["ClientId"], "diego", PERM))
    again = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    assert {a["Name"]: a["Value"] for a in again["UserAttributes"]}["sub"] == sub
    with raises_cognito("InvalidParameterException"):
        cognito.admin_update_user_attributes(UserPoolId=pool, Username="diego",
                                             UserAttributes=[{"Name": "sub", "Value": str(uuid.uuid4())}])


def test_s8_usernames_are_case_sensitive_by_default(cognito, pool):
    create_user(cognito, pool, "Diego")
    with raises_cognito("UserNotFoundException", "User does not exist."):
        cognito.admin_get_user(UserPoolId=pool, Username="diego")
    create_user(cognito, pool, "diego", temporary=TEMP)  # a different user
    assert len(cognito.list_users(UserPoolId=pool)["Users"]) == 2


def test_s8_case_insensitive_pool_folds_usernames_and_aliases(cognito):
    pool = make_pool(cognito, AliasAttributes=["email"], UsernameConfiguration={"CaseSensitive": False})
    described = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert described["UsernameConfiguration"] == {"CaseSensitive": False}
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, "Diego", attributes={"email": "Diego@Example.com", "email_verified": "true"}, permanent=PERM)
    assert cognito.admin_get_user(UserPoolId=pool, Username="DIEGO")["Username"] in ("Diego", "diego")
    assert_tokens(sign_in(cognito, client, "diego", PERM))
    assert_tokens(sign_in(cognito, client, "DIEGO@EXAMPLE.COM", PERM))
    with raises_cognito("UsernameExistsException"):
        create_user(cognito, pool, "DIEGO")


@pytest.mark.parametrize("case_sensitive", [False, True], ids=["insensitive", "sensitive"])
def test_s8_list_users_username_filter_compares_as_the_pool_does(cognito, case_sensitive):
    """In a case-insensitive pool `username = "bob"` finds `Bob` (usernames compare folded
    there); in a case-sensitive pool it does not."""
    pool = make_pool(cognito, UsernameConfiguration={"CaseSensitive": case_sensitive})
    create_user(cognito, pool, "Bob")
    create_user(cognito, pool, "alice")
    expected = [] if case_sensitive else ["Bob"]
    for filter_ in ('username = "bob"', 'username = "BOB"', 'username ^= "bO"'):
        users = cognito.list_users(UserPoolId=pool, Filter=filter_)["Users"]
        assert [u["Username"] for u in users] == expected, filter_
    users = cognito.list_users(UserPoolId=pool, Filter='username = "Bob"')["Users"]
    assert [u["Username"] for u in users] == ["Bob"]


@pytest.mark.parametrize("taken", ["alice@example.com", "ally"], ids=["email", "preferred_username"])
def test_s8_sign_up_cannot_shadow_another_users_verified_alias(cognito, taken):
    """SPEC §8: alias values are unique in a pool and resolve to their user. A public SignUp
    whose *username* is someone's verified alias must not capture that alias (the lookup
    tries usernames first): Cognito refuses it (email-format usernames are refused outright
    in a pool with the email alias)."""
    pool = make_pool(cognito, AliasAttributes=["email", "preferred_username"])
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, "alice", permanent=PERM, attributes={
        "email": "alice@example.com", "email_verified": "true", "preferred_username": "ally"})
    try:
        cognito.sign_up(ClientId=client, Username=taken, Password="Attacker-Passw0rd!")
    except ClientError as e:
        assert e.response["Error"]["Code"] in (
            "InvalidParameterException", "AliasExistsException", "UsernameExistsException"), e.response["Error"]
    else:
        raise AssertionError(f"SignUp accepted the username {taken!r}, which is alice's verified alias")
    assert cognito.admin_get_user(UserPoolId=pool, Username=taken)["Username"] == "alice"
    assert_tokens(sign_in(cognito, client, taken, PERM))


def test_s8_username_attributes_email_is_the_sign_in_name_and_the_username_is_a_uuid(cognito):
    """SPEC §8, UsernameAttributes: in a pool created with UsernameAttributes=["email"], the
    Username given to AdminCreateUser is an email address; the user's Username is a generated
    UUID (its `sub`), the address is its `email` attribute, and every operation taking a
    Username finds the user by that address before it is verified."""
    pool = make_pool(cognito, UsernameAttributes=["email"])
    client = make_client(cognito, pool)["ClientId"]
    user = cognito.admin_create_user(UserPoolId=pool, Username="diego@example.com",
                                     TemporaryPassword=TEMP, MessageAction="SUPPRESS")["User"]
    username = user["Username"]
    assert str(uuid.UUID(username)) == username, username
    attributes = {a["Name"]: a["Value"] for a in user["Attributes"]}
    assert attributes["email"] == "diego@example.com"
    assert attributes["sub"] == username
    assert "email_verified" not in attributes
    got = cognito.admin_get_user(UserPoolId=pool, Username="diego@example.com")
    assert got["Username"] == username
    cognito.admin_set_user_password(UserPoolId=pool, Username="diego@example.com", Password=PERM, Permanent=True)
    assert status(cognito, pool, username) == "CONFIRMED"
    assert_tokens(sign_in(cognito, client, "diego@example.com", PERM))
    assert_tokens(sign_in(cognito, client, username, PERM))
    with raises_cognito("UsernameExistsException"):
        cognito.admin_create_user(UserPoolId=pool, Username="diego@example.com", MessageAction="SUPPRESS")
    with raises_cognito("InvalidParameterException", "Username should be an email."):
        cognito.admin_create_user(UserPoolId=pool, Username="diego", MessageAction="SUPPRESS")
    assert [u["Username"] for u in cognito.list_users(UserPoolId=pool)["Users"]] == [username]
