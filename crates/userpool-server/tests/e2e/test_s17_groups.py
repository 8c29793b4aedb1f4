"""Groups (SPEC §17) over the wire with boto3: the nine operations and their GroupType shape,
every error in Cognito's names and words, pagination with NextToken, and the group claims of
tokens verified with the pool's JWKS after add, remove, delete and refresh."""

import jwt
import pytest
import requests

from support import PERM, assert_datetime, assert_tokens, create_user, make_pool, raises_cognito, sign_in

ROLE = "arn:aws:iam::123456789012:role/{}"
GROUP_NOT_FOUND = "Group not found."


def verify(server, pool, token, **kwargs):
    keys = requests.get(f"{server.url}/{pool}/.well-known/jwks.json", timeout=10).json()["keys"]
    key = jwt.PyJWKSet.from_dict({"keys": keys})[jwt.get_unverified_header(token)["kid"]]
    return jwt.decode(token, key=key.key, algorithms=["RS256"], issuer=f"{server.url}/{pool}", **kwargs)


def group_names(groups):
    return [g["GroupName"] for g in groups]


@pytest.fixture
def alice(cognito, pool):
    create_user(cognito, pool, "alice", permanent=PERM)
    return "alice"


def test_s17_create_get_update_delete_with_cognitos_group_type(cognito, pool):
    created = cognito.create_group(UserPoolId=pool, GroupName="admins", Description="The admins",
                                   RoleArn=ROLE.format("admins"), Precedence=0)["Group"]
    assert created["GroupName"] == "admins" and created["UserPoolId"] == pool
    assert created["Description"] == "The admins"
    assert created["RoleArn"] == ROLE.format("admins")
    assert created["Precedence"] == 0
    assert_datetime(created["CreationDate"])
    assert_datetime(created["LastModifiedDate"])
    assert cognito.get_group(UserPoolId=pool, GroupName="admins")["Group"] == created

    bare = cognito.create_group(UserPoolId=pool, GroupName="bare")["Group"]
    assert not {"Description", "RoleArn", "Precedence"} & set(bare), bare

    updated = cognito.update_group(UserPoolId=pool, GroupName="admins", Precedence=4)["Group"]
    assert updated["Precedence"] == 4
    assert updated["Description"] == "The admins" and updated["RoleArn"] == ROLE.format("admins")
    assert updated["CreationDate"] == created["CreationDate"]
    assert updated["LastModifiedDate"] >= created["LastModifiedDate"]
    assert cognito.get_group(UserPoolId=pool, GroupName="admins")["Group"] == updated

    assert group_names(cognito.list_groups(UserPoolId=pool)["Groups"]) == ["admins", "bare"]
    assert cognito.delete_group(UserPoolId=pool, GroupName="admins")["ResponseMetadata"]["HTTPStatusCode"] == 200
    with raises_cognito("ResourceNotFoundException", GROUP_NOT_FOUND):
        cognito.get_group(UserPoolId=pool, GroupName="admins")
    assert group_names(cognito.list_groups(UserPoolId=pool)["Groups"]) == ["bare"]


def test_s17_duplicate_group_is_group_exists_and_changes_nothing(cognito, pool):
    first = cognito.create_group(UserPoolId=pool, GroupName="admins", Precedence=1)["Group"]
    with raises_cognito("GroupExistsException", "A group with the name already exists.") as e:
        cognito.create_group(UserPoolId=pool, GroupName="admins", Precedence=9)
    assert e["HTTPStatusCode"] == 400
    assert cognito.get_group(UserPoolId=pool, GroupName="admins")["Group"] == first
    # The same name in another pool is another group.
    cognito.create_group(UserPoolId=make_pool(cognito), GroupName="admins")


@pytest.mark.parametrize("operation", [
    "get_group", "update_group", "delete_group", "admin_add_user_to_group", "admin_remove_user_from_group",
    "list_users_in_group",
])
def test_s17_missing_group_is_resource_not_found(cognito, pool, alice, operation):
    args = {"UserPoolId": pool, "GroupName": "ghost"}
    if operation.startswith("admin_"):
        args["Username"] = alice
    with raises_cognito("ResourceNotFoundException", GROUP_NOT_FOUND):
        getattr(cognito, operation)(**args)


@pytest.mark.parametrize("operation", [
    "admin_add_user_to_group", "admin_remove_user_from_group", "admin_list_groups_for_user",
])
def test_s17_missing_user_is_user_not_found(cognito, pool, operation):
    cognito.create_group(UserPoolId=pool, GroupName="staff")
    args = {"UserPoolId": pool, "Username": "nobody"}
    if operation != "admin_list_groups_for_user":
        args["GroupName"] = "staff"
    with raises_cognito("UserNotFoundException", "User does not exist."):
        getattr(cognito, operation)(**args)


def test_s17_unknown_pool_is_resource_not_found(cognito):
    with raises_cognito("ResourceNotFoundException", "User pool us-east-1_Nope1 does not exist."):
        cognito.create_group(UserPoolId="us-east-1_Nope1", GroupName="staff")
    with raises_cognito("ResourceNotFoundException", "User pool us-east-1_Nope1 does not exist."):
        cognito.list_groups(UserPoolId="us-east-1_Nope1")


@pytest.mark.parametrize("members, field", [
    ({"GroupName": "g" * 129}, "groupName"),
    ({"GroupName": "with space"}, "groupName"),
    ({"GroupName": ""}, "groupName"),
    ({"GroupName": "ok", "Description": "d" * 2049}, "description"),
    ({"GroupName": "ok", "Precedence": -1}, "precedence"),
    ({"GroupName": "ok", "RoleArn": "arn:aws:iam::account:role/name"}, "roleArn"),
    ({"GroupName": "ok", "RoleArn": "short"}, "roleArn"),
])
def test_s17_invalid_members_are_invalid_parameter(raw_cognito, cognito, pool, members, field):
    with raises_cognito("InvalidParameterException") as e:
        raw_cognito.create_group(UserPoolId=pool, **members)
    assert f"'{field}'" in e["Message"], e["Message"]
    assert cognito.list_groups(UserPoolId=pool)["Groups"] == []


def test_s17_missing_members_and_limits_are_invalid_parameter(raw_cognito, pool):
    with raises_cognito("InvalidParameterException") as e:
        raw_cognito.admin_add_user_to_group(UserPoolId=pool)
    assert "'username'" in e["Message"] and "'groupName'" in e["Message"], e["Message"]
    with raises_cognito("InvalidParameterException") as e:
        raw_cognito.list_groups(UserPoolId=pool, Limit=61)
    assert "'limit'" in e["Message"], e["Message"]
    with raises_cognito("InvalidParameterException", "Invalid pagination token"):
        raw_cognito.list_groups(UserPoolId=pool, NextToken="not-a-token")


def test_s17_memberships_list_both_ways_and_paginate(cognito, pool):
    users = [f"user{i}" for i in range(5)]
    for user in users:
        create_user(cognito, pool, user)
    groups = [f"group-{i:02}" for i in range(7)]
    for group in groups:
        cognito.create_group(UserPoolId=pool, GroupName=group)
        cognito.admin_add_user_to_group(UserPoolId=pool, Username="user0", GroupName=group)
    for user in users:
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=user, GroupName="group-00")
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="user0", GroupName="group-00")  # again: harmless

    def pages(call, key, **args):
        seen, token = [], None
        while True:
            out = call(**args, Limit=2, **({"NextToken": token} if token else {}))
            assert len(out[key]) <= 2
            seen.extend(out[key])
            token = out.get("NextToken")
            if not token:
                return seen

    first = cognito.list_groups(UserPoolId=pool, Limit=3)
    # A group created between pages, after the cursor, is listed once; none repeats.
    cognito.create_group(UserPoolId=pool, GroupName="group-99")
    rest = pages(cognito.list_groups, "Groups", UserPoolId=pool)
    assert group_names(first["Groups"]) == groups[:3]
    assert group_names(rest) == groups + ["group-99"]
    token_pages = []
    token = first["NextToken"]
    while token:
        out = cognito.list_groups(UserPoolId=pool, Limit=3, NextToken=token)
        token_pages.extend(group_names(out["Groups"]))
        token = out.get("NextToken")
    assert token_pages == groups[3:] + ["group-99"]

    members = pages(cognito.list_users_in_group, "Users", UserPoolId=pool, GroupName="group-00")
    assert [u["Username"] for u in members] == users
    assert all(u["UserStatus"] == "FORCE_CHANGE_PASSWORD" and u["Enabled"] for u in members)
    of_user = pages(cognito.admin_list_groups_for_user, "Groups", UserPoolId=pool, Username="user0")
    assert group_names(of_user) == groups

    cognito.admin_remove_user_from_group(UserPoolId=pool, Username="user0", GroupName="group-03")
    cognito.admin_remove_user_from_group(UserPoolId=pool, Username="user0", GroupName="group-03")  # not a member: fine
    assert "group-03" not in group_names(
        cognito.admin_list_groups_for_user(UserPoolId=pool, Username="user0")["Groups"])
    cognito.delete_group(UserPoolId=pool, GroupName="group-00")
    assert "group-00" not in group_names(
        cognito.admin_list_groups_for_user(UserPoolId=pool, Username="user1")["Groups"])
    cognito.admin_delete_user(UserPoolId=pool, Username="user0")
    assert cognito.list_users_in_group(UserPoolId=pool, GroupName="group-01")["Users"] == []


def test_s17_token_claims_follow_memberships_at_sign_in_and_refresh(server, cognito, pool, app_client, alice):
    client_id = app_client["ClientId"]

    def claims(auth):
        return (verify(server, pool, auth["IdToken"], audience=client_id),
                verify(server, pool, auth["AccessToken"]))

    def refresh(refresh_token):
        return assert_tokens(cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                                   AuthParameters={"REFRESH_TOKEN": refresh_token}))

    before = assert_tokens(sign_in(cognito, client_id, alice, PERM))
    id_claims, access = claims(before)
    for name in ("cognito:groups", "cognito:roles", "cognito:preferred_role"):
        assert name not in id_claims and name not in access, name

    cognito.create_group(UserPoolId=pool, GroupName="readers", Precedence=5, RoleArn=ROLE.format("readers"))
    cognito.create_group(UserPoolId=pool, GroupName="admins", Precedence=1, RoleArn=ROLE.format("admins"))
    cognito.create_group(UserPoolId=pool, GroupName="misc")
    for group in ("readers", "admins", "misc"):
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=alice, GroupName=group)

    # A new sign-in carries them...
    id_claims, access = claims(assert_tokens(sign_in(cognito, client_id, alice, PERM)))
    assert id_claims["cognito:groups"] == ["admins", "readers", "misc"]
    assert access["cognito:groups"] == ["admins", "readers", "misc"]
    assert id_claims["cognito:roles"] == [ROLE.format("admins"), ROLE.format("readers")]
    assert id_claims["cognito:preferred_role"] == ROLE.format("admins")
    assert "cognito:roles" not in access and "cognito:preferred_role" not in access
    # ...and so does a refresh of the session from before the change.
    id_claims, access = claims(refresh(before["RefreshToken"]))
    assert id_claims["cognito:groups"] == access["cognito:groups"] == ["admins", "readers", "misc"]

    cognito.admin_remove_user_from_group(UserPoolId=pool, Username=alice, GroupName="admins")
    id_claims, access = claims(refresh(before["RefreshToken"]))
    assert access["cognito:groups"] == ["readers", "misc"]
    assert id_claims["cognito:preferred_role"] == ROLE.format("readers")
    assert id_claims["cognito:roles"] == [ROLE.format("readers")]

    cognito.delete_group(UserPoolId=pool, GroupName="readers")
    id_claims, access = claims(refresh(before["RefreshToken"]))
    assert id_claims["cognito:groups"] == access["cognito:groups"] == ["misc"]
    assert "cognito:roles" not in id_claims and "cognito:preferred_role" not in id_claims

    cognito.delete_group(UserPoolId=pool, GroupName="misc")
    id_claims, access = claims(refresh(before["RefreshToken"]))
    assert "cognito:groups" not in id_claims and "cognito:groups" not in access


def test_s17_admin_sign_in_tokens_carry_groups_too(server, cognito, pool, app_client, alice):
    cognito.create_group(UserPoolId=pool, GroupName="staff", Precedence=0)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=alice, GroupName="staff")
    auth = assert_tokens(cognito.admin_initiate_auth(
        UserPoolId=pool, ClientId=app_client["ClientId"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": alice, "PASSWORD": PERM}))
    assert verify(server, pool, auth["AccessToken"])["cognito:groups"] == ["staff"]
    assert verify(server, pool, auth["IdToken"], audience=app_client["ClientId"])["cognito:groups"] == ["staff"]
