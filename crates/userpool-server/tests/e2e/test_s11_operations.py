"""SPEC §11 — every implemented operation answers its Cognito output shape, as boto3 parses
it (timestamps are timezone-aware datetimes, attributes are Name/Value lists). The user-
status operations are exercised in test_s03_transitions.py, the token ones in
test_s11_tokens.py; this module covers pool, client and user management."""

import re
import uuid

import pytest

from support import (
    PERM,
    POLICY,
    TEMP,
    assert_datetime,
    attrs,
    create_user,
    make_client,
    make_pool,
    raises_cognito,
    status,
    unique,
)

DEFAULT_POLICY = {
    "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
    "RequireSymbols": True, "TemporaryPasswordValidityDays": 7,
}  # PasswordHistorySize is omitted when 0, as Cognito omits it (SPEC §16)


def test_s11_create_and_describe_user_pool(cognito):
    name = unique("shape")
    created = cognito.create_user_pool(PoolName=name)["UserPool"]
    pool_id = created["Id"]
    assert re.fullmatch(r"us-east-1_[0-9a-zA-Z]+", pool_id), pool_id
    described = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    for pool in (created, described):
        assert pool["Id"] == pool_id and pool["Name"] == name
        assert pool["Arn"] == f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool_id}"
        assert pool["Policies"]["PasswordPolicy"] == DEFAULT_POLICY
        assert_datetime(pool["CreationDate"])
        assert_datetime(pool["LastModifiedDate"])
        assert pool["UsernameConfiguration"] == {"CaseSensitive": True}
        assert pool["MfaConfiguration"] == "OFF"


def test_s11_update_user_pool_replaces_the_policy(cognito, app_client, pool):
    before = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    out = cognito.update_user_pool(UserPoolId=pool, Policies={"PasswordPolicy": {"MinimumLength": 12, "RequireNumbers": True}})
    assert set(out) == {"ResponseMetadata"}
    after = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    policy = after["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 12 and policy["RequireNumbers"] is True and policy["RequireSymbols"] is False
    assert after["LastModifiedDate"] >= before["LastModifiedDate"]
    create_user(cognito, pool, "diego")
    with raises_cognito("InvalidPasswordException", POLICY + "Password not long enough"):
        cognito.admin_set_user_password(UserPoolId=pool, Username="diego", Password="Abcdefgh1!", Permanent=True)
    cognito.admin_set_user_password(UserPoolId=pool, Username="diego", Password="abcdefghijk1", Permanent=True)
    # Without Policies the policy returns to the default.
    cognito.update_user_pool(UserPoolId=pool)
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["Policies"]["PasswordPolicy"] == DEFAULT_POLICY


def test_s11_delete_user_pool(cognito):
    pool = make_pool(cognito)
    create_user(cognito, pool, "diego")
    out = cognito.delete_user_pool(UserPoolId=pool)
    assert set(out) == {"ResponseMetadata"}
    with raises_cognito("ResourceNotFoundException", f"User pool {pool} does not exist."):
        cognito.describe_user_pool(UserPoolId=pool)
    with raises_cognito("ResourceNotFoundException", f"User pool {pool} does not exist."):
        cognito.admin_get_user(UserPoolId=pool, Username="diego")


def test_s11_list_user_pools_paginates(cognito, raw_cognito):
    mine = {make_pool(cognito) for _ in range(3)}
    seen, token, pages = [], None, 0
    while True:
        args = {"MaxResults": 2}
        if token:
            args["NextToken"] = token
        page = cognito.list_user_pools(**args)
        assert len(page["UserPools"]) <= 2
        for p in page["UserPools"]:
            assert set(p) >= {"Id", "Name", "CreationDate", "LastModifiedDate"}
            assert_datetime(p["CreationDate"])
        seen += [p["Id"] for p in page["UserPools"]]
        token = page.get("NextToken")
        pages += 1
        if not token or pages > 500:
            break
    assert token is None
    assert mine <= set(seen)
    assert len(seen) == len(set(seen)), "a pool was listed twice"
    with raises_cognito("InvalidParameterException"):
        raw_cognito.list_user_pools()  # MaxResults is required


def test_s11_create_and_describe_user_pool_client(cognito, pool):
    created = make_client(cognito, pool)
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=created["ClientId"])["UserPoolClient"]
    for client in (created, described):
        assert client["UserPoolId"] == pool and client["ClientId"] == created["ClientId"]
        assert "ClientSecret" not in client
        assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]
        assert client["PreventUserExistenceErrors"] == "LEGACY"
        assert_datetime(client["CreationDate"])
    with raises_cognito("ResourceNotFoundException"):
        cognito.describe_user_pool_client(UserPoolId=pool, ClientId="doesnotexist000000000000")
    secret = make_client(cognito, pool, secret=True)
    assert isinstance(secret["ClientSecret"], str) and len(secret["ClientSecret"]) >= 32


def test_s11_admin_create_user_and_admin_get_user_shapes(cognito, pool):
    cognito.add_custom_attributes(UserPoolId=pool, CustomAttributes=[{"Name": "tier", "AttributeDataType": "String"}])
    user = create_user(cognito, pool, "diego", attributes={"email": "diego@example.com", "custom:tier": "gold"})
    assert user["Username"] == "diego"
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and user["Enabled"] is True
    assert_datetime(user["UserCreateDate"])
    assert_datetime(user["UserLastModifiedDate"])
    assert isinstance(user["Attributes"], list)
    a = attrs(user["Attributes"])
    assert a["email"] == "diego@example.com" and a["custom:tier"] == "gold"
    uuid.UUID(a["sub"])
    got = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    assert got["Username"] == "diego" and got["UserStatus"] == "FORCE_CHANGE_PASSWORD" and got["Enabled"] is True
    assert attrs(got["UserAttributes"]) == a
    assert got["UserCreateDate"] == user["UserCreateDate"]
    assert_datetime(got["UserLastModifiedDate"])


def test_s11_admin_create_user_refuses_sub(cognito, pool):
    with raises_cognito("InvalidParameterException",
                        "Attributes did not conform to the schema: sub: Attribute cannot be updated.\n"):
        create_user(cognito, pool, "diego", attributes={"sub": str(uuid.uuid4())})


def test_s11_admin_update_user_attributes(cognito, pool):
    before = create_user(cognito, pool, "diego", attributes={"email": "old@example.com"})
    out = cognito.admin_update_user_attributes(UserPoolId=pool, Username="diego", UserAttributes=[
        {"Name": "email", "Value": "new@example.com"}, {"Name": "given_name", "Value": "Diego"}])
    assert set(out) == {"ResponseMetadata"}
    got = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    a = attrs(got["UserAttributes"])
    assert a["email"] == "new@example.com" and a["given_name"] == "Diego"
    assert a["sub"] == attrs(before["Attributes"])["sub"]
    assert got["UserLastModifiedDate"] >= before["UserLastModifiedDate"]
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_s11_admin_delete_user(cognito, pool):
    create_user(cognito, pool, "diego")
    out = cognito.admin_delete_user(UserPoolId=pool, Username="diego")
    assert set(out) == {"ResponseMetadata"}
    with raises_cognito("UserNotFoundException", "User does not exist."):
        cognito.admin_get_user(UserPoolId=pool, Username="diego")
    with raises_cognito("UserNotFoundException", "User does not exist."):
        cognito.admin_delete_user(UserPoolId=pool, Username="diego")
    # The name is free again.
    assert create_user(cognito, pool, "diego")["UserStatus"] == "FORCE_CHANGE_PASSWORD"


@pytest.fixture
def five_users(cognito, pool):
    names = ["user-a", "user-b", "user-c", "other-d", "other-e"]
    for i, name in enumerate(names):
        create_user(cognito, pool, name, attributes={"email": f"{name}@example.com", "given_name": f"N{i}"},
                    permanent=PERM if i % 2 == 0 else None)
    cognito.admin_disable_user(UserPoolId=pool, Username="other-e")
    return names


def list_all(cognito, pool, **kwargs):
    users, token, pages = [], None, 0
    while True:
        args = dict(kwargs, UserPoolId=pool)
        if token:
            args["PaginationToken"] = token
        page = cognito.list_users(**args)
        users += page["Users"]
        token = page.get("PaginationToken")
        pages += 1
        if not token or pages > 50:
            return users, pages


def test_s11_list_users_shape_and_pagination(cognito, pool, five_users):
    users, pages = list_all(cognito, pool, Limit=2)
    assert pages == 3
    assert sorted(u["Username"] for u in users) == sorted(five_users)
    for u in users:
        assert_datetime(u["UserCreateDate"])
        assert u["UserStatus"] in ("CONFIRMED", "FORCE_CHANGE_PASSWORD")
        assert isinstance(u["Enabled"], bool)
        assert "sub" in attrs(u["Attributes"])
    everyone = cognito.list_users(UserPoolId=pool)
    assert len(everyone["Users"]) == 5 and "PaginationToken" not in everyone


@pytest.mark.parametrize(
    "filter_, expected",
    [
        ('email = "user-b@example.com"', {"user-b"}),
        ('username ^= "user-"', {"user-a", "user-b", "user-c"}),
        ('given_name = "N3"', {"other-d"}),
        ('"cognito:user_status" = "CONFIRMED"', {"user-a", "user-c", "other-e"}),
        ('status = "Disabled"', {"other-e"}),
        ('email = "nobody@example.com"', set()),
    ],
    ids=["email", "username-prefix", "given_name", "user_status", "disabled", "none"],
)
def test_s11_list_users_filter(cognito, pool, five_users, filter_, expected):
    users, _ = list_all(cognito, pool, Filter=filter_, Limit=1)
    assert {u["Username"] for u in users} == expected
    assert len(users) == len(expected)


def test_s11_list_users_filter_by_sub_and_attributes_to_get(cognito, pool, five_users):
    sub = attrs(cognito.admin_get_user(UserPoolId=pool, Username="user-c")["UserAttributes"])["sub"]
    users = cognito.list_users(UserPoolId=pool, Filter=f'sub = "{sub}"', AttributesToGet=["email"])["Users"]
    assert [u["Username"] for u in users] == ["user-c"]
    assert users[0]["Attributes"] == [{"Name": "email", "Value": "user-c@example.com"}]


@pytest.mark.parametrize("filter_", ['email', 'email = unquoted', 'custom:tier = "gold"'])
def test_s11_list_users_bad_filter_is_invalid_parameter(cognito, pool, filter_):
    with raises_cognito("InvalidParameterException"):
        cognito.list_users(UserPoolId=pool, Filter=filter_)


LIMIT_RANGE = ("1 validation error detected: Value at 'limit' failed to satisfy constraint: "
               "Member must have value between 0 and 60")


@pytest.mark.parametrize("filter_", [None, 'username ^= "user-"'], ids=["no-filter", "filter"])
def test_s11_list_users_limit_is_0_to_60_with_or_without_a_filter(cognito, pool, five_users, filter_):
    """Cognito's model: Limit 0..=60, 0 meaning 60; the same answer with or without Filter.
    (botocore refuses a negative Limit itself, so only the upper bound reaches the server.)"""
    extra = {"Filter": filter_} if filter_ else {}
    with raises_cognito("InvalidParameterException", LIMIT_RANGE):
        cognito.list_users(UserPoolId=pool, Limit=61, **extra)
    expected = 5 if filter_ is None else 3
    for limit in (0, 60):
        page = cognito.list_users(UserPoolId=pool, Limit=limit, **extra)
        assert len(page["Users"]) == expected and "PaginationToken" not in page


@pytest.mark.parametrize("filter_", [None, 'username ^= "user-"'], ids=["no-filter", "filter"])
def test_s11_list_users_refuses_a_pagination_token_it_did_not_issue(cognito, pool, five_users, filter_):
    """A token the server never handed out is InvalidParameterException, as in Cognito, not an
    empty page; a genuine one keeps working, and only for its own pool."""
    extra = {"Filter": filter_} if filter_ else {}
    for bogus in ("bogus", "user-b", "eyJ2IjoxfQ"):
        with raises_cognito("InvalidParameterException", "Invalid pagination token"):
            cognito.list_users(UserPoolId=pool, PaginationToken=bogus, **extra)
    first = cognito.list_users(UserPoolId=pool, Limit=1, **extra)
    token = first["PaginationToken"]
    second = cognito.list_users(UserPoolId=pool, Limit=1, PaginationToken=token, **extra)
    assert len(second["Users"]) == 1 and second["Users"] != first["Users"]
    other = make_pool(cognito)
    with raises_cognito("InvalidParameterException", "Invalid pagination token"):
        cognito.list_users(UserPoolId=other, PaginationToken=token, **extra)


def test_s11_every_public_and_admin_user_operation_is_exercised():
    """A guard for this suite itself: each implemented operation appears in some test module."""
    import pathlib

    here = pathlib.Path(__file__).parent
    text = "\n".join(p.read_text() for p in here.glob("test_*.py") if p.name != pathlib.Path(__file__).name)
    text += pathlib.Path(__file__).read_text().split("def test_s11_every_public")[0]
    operations = [
        "create_user_pool", "describe_user_pool", "update_user_pool", "delete_user_pool", "list_user_pools",
        "create_user_pool_client", "describe_user_pool_client", "admin_create_user", "admin_get_user",
        "list_users", "admin_delete_user", "admin_set_user_password", "admin_disable_user", "admin_enable_user",
        "admin_confirm_sign_up", "admin_reset_user_password", "admin_update_user_attributes",
        "admin_user_global_sign_out", "admin_initiate_auth", "admin_respond_to_auth_challenge", "sign_up",
        "confirm_sign_up", "forgot_password", "confirm_forgot_password", "initiate_auth",
        "respond_to_auth_challenge", "change_password", "get_user", "global_sign_out",
    ]
    support = (here / "support.py").read_text()
    missing = [op for op in operations if f".{op}(" not in text + support]
    assert not missing, f"operations without a test: {missing}"
