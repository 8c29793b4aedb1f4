"""Attribute schema and pool settings (SPEC §16) over the wire with boto3: SchemaAttributes,
custom and developer-only attributes, validation of every attribute write in Cognito's words,
the user and client operations that write attributes or clients, and the settings that change
behaviour (AutoVerifiedAttributes, AccountRecoverySetting, AllowAdminCreateUserOnly,
DeletionProtection, UserAttributeUpdateSettings)."""

import pytest

from support import (PERM, assert_tokens, attrs, create_user, make_client, make_pool, raises_cognito,
                     sign_in, unique)

SCHEMA = [
    {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
    {"Name": "tier", "AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "5"}},
    {"Name": "level", "AttributeDataType": "Number", "Mutable": False,
     "NumberAttributeConstraints": {"MinValue": "10", "MaxValue": "20"}},
    {"Name": "legacy", "AttributeDataType": "String", "DeveloperOnlyAttribute": True},
]

STANDARD = ["sub", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
            "profile", "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo",
            "locale", "phone_number", "phone_number_verified", "address", "updated_at"]


def schema_of(described):
    return {a["Name"]: a for a in described["SchemaAttributes"]}


@pytest.fixture
def schema_pool(cognito):
    return make_pool(cognito, Schema=SCHEMA)


def user_attrs(cognito, pool, username):
    return attrs(cognito.admin_get_user(UserPoolId=pool, Username=username)["UserAttributes"])


def access_token(cognito, pool, username, attributes):
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, username, attributes=attributes, permanent=PERM)
    return assert_tokens(sign_in(cognito, client, username, PERM))["AccessToken"]


# --- the schema ----------------------------------------------------------------------------

def test_s16_default_pool_lists_the_standard_attributes(cognito):
    created = cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]
    described = cognito.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    for pool in (created, described):
        assert [a["Name"] for a in pool["SchemaAttributes"]] == STANDARD
        by_name = schema_of(pool)
        assert by_name["sub"]["Required"] is True and by_name["sub"]["Mutable"] is False
        assert by_name["email"]["StringAttributeConstraints"] == {"MinLength": "0", "MaxLength": "2048"}
        assert by_name["birthdate"]["StringAttributeConstraints"] == {"MinLength": "10", "MaxLength": "10"}
        assert by_name["updated_at"]["AttributeDataType"] == "Number"
        assert by_name["updated_at"]["NumberAttributeConstraints"] == {"MinValue": "0"}
        assert by_name["email_verified"]["AttributeDataType"] == "Boolean"
        assert "StringAttributeConstraints" not in by_name["email_verified"]
        assert all(a["DeveloperOnlyAttribute"] is False for a in pool["SchemaAttributes"])
    assert described["EstimatedNumberOfUsers"] == 0
    assert "PasswordHistorySize" not in described["Policies"]["PasswordPolicy"]


def test_s16_custom_and_developer_only_attributes_are_described(cognito, schema_pool):
    by_name = schema_of(cognito.describe_user_pool(UserPoolId=schema_pool)["UserPool"])
    assert by_name["email"]["Required"] is True
    assert by_name["custom:tier"] == {
        "Name": "custom:tier", "AttributeDataType": "String", "DeveloperOnlyAttribute": False,
        "Mutable": True, "Required": False, "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "5"}}
    assert by_name["custom:level"]["Mutable"] is False
    assert by_name["custom:level"]["NumberAttributeConstraints"] == {"MinValue": "10", "MaxValue": "20"}
    assert by_name["dev:custom:legacy"]["DeveloperOnlyAttribute"] is True


@pytest.mark.parametrize(("schema", "message"), [
    ([{"Name": "custom"}], "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."),
    ([{"Name": "banana", "AttributeDataType": "String", "Required": True}],
     "Required custom attributes are not supported currently."),
    ([{"Name": "email", "AttributeDataType": "Number"}],
     "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"),
    ([{"Name": "email", "AttributeDataType": "String", "StringAttributeConstraints": {"MinLength": "2", "MaxLength": "1"}}],
     "user.email: Max length cannot be less than min length."),
    ([{"Name": "email", "AttributeDataType": "String", "StringAttributeConstraints": {"MaxLength": "2049"}}],
     "user.email: String attributes cannot have a length of more than 2048"),
    ([{"Name": "updated_at", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MinValue": "x"}}],
     "Invalid NumberAttributeConstraints for schema attribute updated_at"),
])
def test_s16_bad_schemas_are_refused_and_create_nothing(cognito, schema, message):
    before = len(cognito.list_user_pools(MaxResults=60)["UserPools"])
    with raises_cognito("InvalidParameterException", message):
        cognito.create_user_pool(PoolName=unique("pool"), Schema=schema)
    assert len(cognito.list_user_pools(MaxResults=60)["UserPools"]) == before


def test_s16_add_custom_attributes(cognito, pool):
    cognito.add_custom_attributes(UserPoolId=pool, CustomAttributes=[{"Name": "banana", "AttributeDataType": "String"}])
    assert "custom:banana" in schema_of(cognito.describe_user_pool(UserPoolId=pool)["UserPool"])
    with raises_cognito("InvalidParameterException", "custom:banana: Existing attribute already has name custom:banana."):
        cognito.add_custom_attributes(UserPoolId=pool, CustomAttributes=[
            {"Name": "apple", "AttributeDataType": "String"}, {"Name": "banana", "AttributeDataType": "String"}])
    # All or nothing: the good entry beside the bad one was not added.
    assert "custom:apple" not in schema_of(cognito.describe_user_pool(UserPoolId=pool)["UserPool"])
    create_user(cognito, pool, "eve", attributes={"custom:banana": "yellow"})
    assert user_attrs(cognito, pool, "eve")["custom:banana"] == "yellow"
    with raises_cognito("ResourceNotFoundException"):
        cognito.add_custom_attributes(UserPoolId="us-east-1_Nope1", CustomAttributes=[{"Name": "x", "AttributeDataType": "String"}])


# --- validation of writes ------------------------------------------------------------------

@pytest.mark.parametrize(("attributes", "message"), [
    ({"email": "a@example.com", "phone_number": "555555555"}, "Invalid phone number format."),
    ({"email": "test@m***"}, "Invalid email address format."),
    ({"email": "a@example.com", "thing": "x"},
     "Attributes did not conform to the schema: thing: Attribute does not exist in the schema.\n"),
    ({"email": "a@example.com", "custom:x": "x"},
     "Attributes did not conform to the schema: custom:x: Attribute does not exist in the schema.\n"),
    ({"name": "Ada"}, "Attributes did not conform to the schema: email: The attribute is required\n"),
    ({"email": "a@example.com", "custom:tier": "platinum"},
     "Attributes did not conform to the schema: custom:tier: String must be no longer than 5 characters\n"),
    ({"email": "a@example.com", "custom:level": "99"},
     "Attributes did not conform to the schema: custom:level: Number must be no greater than 20\n"),
])
def test_s16_admin_create_user_refuses_what_the_schema_refuses(cognito, schema_pool, attributes, message):
    with raises_cognito("InvalidParameterException", message):
        create_user(cognito, schema_pool, "ada", attributes=attributes)
    with raises_cognito("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=schema_pool, Username="ada")


def test_s16_sign_up_validates_and_users_cannot_write_developer_attributes(cognito, schema_pool):
    client = make_client(cognito, schema_pool)["ClientId"]
    with raises_cognito("InvalidParameterException", "Invalid email address format."):
        cognito.sign_up(ClientId=client, Username="bob", Password=PERM,
                        UserAttributes=[{"Name": "email", "Value": "nope"}])
    with raises_cognito("NotAuthorizedException", "A client attempted to write unauthorized attribute"):
        cognito.sign_up(ClientId=client, Username="bob", Password=PERM, UserAttributes=[
            {"Name": "email", "Value": "bob@example.com"}, {"Name": "dev:custom:legacy", "Value": "x"}])
    with raises_cognito("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=schema_pool, Username="bob")


def test_s16_admin_update_and_delete_user_attributes(cognito, schema_pool):
    create_user(cognito, schema_pool, "carol", attributes={
        "email": "carol@example.com", "email_verified": "true", "custom:level": "12", "custom:tier": "gold"})
    with raises_cognito("InvalidParameterException", "user.custom:level: Attribute cannot be updated.\n"):
        cognito.admin_update_user_attributes(UserPoolId=schema_pool, Username="carol",
                                             UserAttributes=[{"Name": "custom:level", "Value": "13"}])
    with raises_cognito("InvalidParameterException", "user.thing: Attribute does not exist in the schema.\n"):
        cognito.admin_update_user_attributes(UserPoolId=schema_pool, Username="carol",
                                             UserAttributes=[{"Name": "custom:tier", "Value": "x"}, {"Name": "thing", "Value": "x"}])
    assert user_attrs(cognito, schema_pool, "carol")["custom:tier"] == "gold"

    cognito.admin_update_user_attributes(UserPoolId=schema_pool, Username="carol", UserAttributes=[
        {"Name": "email", "Value": "carol2@example.com"}, {"Name": "dev:custom:legacy", "Value": "L1"}])
    now = user_attrs(cognito, schema_pool, "carol")
    assert now["email"] == "carol2@example.com" and now["email_verified"] == "false"
    assert now["dev:custom:legacy"] == "L1"

    with raises_cognito("InvalidParameterException", "Invalid user attributes: user.email: The attribute is required\n"):
        cognito.admin_delete_user_attributes(UserPoolId=schema_pool, Username="carol", UserAttributeNames=["email"])
    with raises_cognito("InvalidParameterException",
                        "Invalid user attributes: user.foo: Attribute does not exist in the schema.\n"):
        cognito.admin_delete_user_attributes(UserPoolId=schema_pool, Username="carol", UserAttributeNames=["foo"])
    cognito.admin_delete_user_attributes(UserPoolId=schema_pool, Username="carol", UserAttributeNames=["custom:tier"])
    assert "custom:tier" not in user_attrs(cognito, schema_pool, "carol")
    with raises_cognito("UserNotFoundException"):
        cognito.admin_delete_user_attributes(UserPoolId=schema_pool, Username="nobody", UserAttributeNames=["custom:tier"])


def test_s16_a_user_updates_and_deletes_their_own_attributes(cognito, schema_pool):
    token = access_token(cognito, schema_pool, "dan", {"email": "dan@example.com", "custom:tier": "gold"})
    cognito.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "custom:tier", "Value": "blue"},
                                                                      {"Name": "name", "Value": "Dan"}])
    assert user_attrs(cognito, schema_pool, "dan")["custom:tier"] == "blue"
    with raises_cognito("NotAuthorizedException", "A client attempted to write unauthorized attribute"):
        cognito.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    with raises_cognito("InvalidParameterException", "Invalid phone number format."):
        cognito.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "phone_number", "Value": "12345"}])
    cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["name"])
    assert "name" not in user_attrs(cognito, schema_pool, "dan")
    with raises_cognito("NotAuthorizedException"):
        cognito.update_user_attributes(AccessToken="not-a-token", UserAttributes=[{"Name": "name", "Value": "x"}])


def test_s16_delete_user(cognito, pool):
    token = access_token(cognito, pool, "gone", {"email": "gone@example.com"})
    cognito.delete_user(AccessToken=token)
    with raises_cognito("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool, Username="gone")
    with raises_cognito("NotAuthorizedException"):
        cognito.get_user(AccessToken=token)


def test_s16_verify_a_changed_email_with_a_code(cognito, server, pool):
    token = access_token(cognito, pool, "vera", {"email": "vera@example.com", "email_verified": "true"})
    offset = server.log_offset()
    out = cognito.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "vera2@example.com"}])
    assert out["CodeDeliveryDetailsList"] == [
        {"Destination": "v***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}]
    assert user_attrs(cognito, pool, "vera")["email_verified"] == "false"
    code = server.code_for("vera", "VerifyAttribute", after=offset)
    wrong = "000000" if code != "000000" else "111111"
    with raises_cognito("CodeMismatchException"):
        cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=wrong)
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    assert user_attrs(cognito, pool, "vera")["email_verified"] == "true"
    with raises_cognito("ExpiredCodeException"):
        cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)

    offset = server.log_offset()
    out = cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert server.code_for("vera", "VerifyAttribute", after=offset)
    with raises_cognito("InvalidParameterException"):
        cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="phone_number")


def test_s16_verification_before_update_keeps_the_old_email_until_verified(cognito, server):
    pool = make_pool(cognito, AutoVerifiedAttributes=["email"],
                     UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]})
    described = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert described["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}
    token = access_token(cognito, pool, "kim", {"email": "kim@example.com", "email_verified": "true"})
    offset = server.log_offset()
    out = cognito.update_user_attributes(AccessToken=token, UserAttributes=[{"Name": "email", "Value": "lee@example.org"}])
    assert out["CodeDeliveryDetailsList"] == [
        {"Destination": "l***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}]
    still = user_attrs(cognito, pool, "kim")
    assert still["email"] == "kim@example.com" and still["email_verified"] == "true"
    code = server.code_for("kim", "VerifyAttribute", after=offset)
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    now = user_attrs(cognito, pool, "kim")
    assert now["email"] == "lee@example.org" and now["email_verified"] == "true"
    # Only auto-verified attributes can require it (their new value could never be verified).
    with raises_cognito("InvalidParameterException"):
        make_pool(cognito, AutoVerifiedAttributes=[],
                  UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]})


def test_s16_settings_this_service_cannot_honour_are_refused(cognito):
    with raises_cognito("InvalidParameterException"):
        make_pool(cognito, UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
    with raises_cognito("InvalidParameterException"):
        make_pool(cognito, DeviceConfiguration={"ChallengeRequiredOnNewDevice": True})


# --- settings ------------------------------------------------------------------------------

def test_s16_sign_up_sends_no_code_without_auto_verified_attributes(cognito, server):
    pool = make_pool(cognito, AutoVerifiedAttributes=[])
    client = make_client(cognito, pool)["ClientId"]
    out = cognito.sign_up(ClientId=client, Username="quiet", Password=PERM,
                          UserAttributes=[{"Name": "email", "Value": "quiet@example.com"}])
    assert "CodeDeliveryDetails" not in out
    assert out["UserConfirmed"] is False

    pool = make_pool(cognito, AutoVerifiedAttributes=["email"])
    client = make_client(cognito, pool)["ClientId"]
    out = cognito.sign_up(ClientId=client, Username="loud", Password=PERM,
                          UserAttributes=[{"Name": "email", "Value": "loud@example.com"}])
    assert out["CodeDeliveryDetails"]["AttributeName"] == "email"
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["AutoVerifiedAttributes"] == ["email"]


def test_s16_admin_only_account_recovery_refuses_forgot_password(cognito):
    pool = make_pool(cognito, AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]})
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, "ann", attributes={"email": "ann@example.com", "email_verified": "true"}, permanent=PERM)
    with raises_cognito("NotAuthorizedException", "Contact administrator to reset password."):
        cognito.forgot_password(ClientId=client, Username="ann")
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["AccountRecoverySetting"] == {
        "RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]}


def test_s16_allow_admin_create_user_only_refuses_sign_up(cognito):
    pool = make_pool(cognito, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    client = make_client(cognito, pool)["ClientId"]
    with raises_cognito("NotAuthorizedException", "SignUp is not permitted for this user pool"):
        cognito.sign_up(ClientId=client, Username="nope", Password=PERM)


def test_s16_deletion_protection_refuses_delete_user_pool(cognito):
    pool = make_pool(cognito, DeletionProtection="ACTIVE")
    with raises_cognito("InvalidParameterException"):
        cognito.delete_user_pool(UserPoolId=pool)
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["DeletionProtection"] == "ACTIVE"


def test_s16_update_user_pool_replaces_the_settings(cognito):
    pool = make_pool(cognito, DeletionProtection="ACTIVE", Schema=[{"Name": "tier", "AttributeDataType": "String"}],
                     LambdaConfig={"PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:pre"})
    cognito.update_user_pool(UserPoolId=pool, AutoVerifiedAttributes=["phone_number"],
                             AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]})
    described = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    # Settings left out return to their defaults, as Cognito documents; the schema stays.
    assert described["AutoVerifiedAttributes"] == ["phone_number"]
    assert described["DeletionProtection"] == "INACTIVE"
    assert described["LambdaConfig"] == {}
    assert "custom:tier" in schema_of(described)
    cognito.delete_user_pool(UserPoolId=pool)
    with raises_cognito("ResourceNotFoundException"):
        cognito.describe_user_pool(UserPoolId=pool)


def test_s16_settings_are_returned_as_given(cognito):
    lambda_config = {"PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:pre"}
    template = {"DefaultEmailOption": "CONFIRM_WITH_CODE", "EmailMessage": "foo {####} bar",
                "EmailSubject": "foobar {####}", "SmsMessage": "{####} baz"}
    email = {"EmailSendingAccount": "COGNITO_DEFAULT", "ReplyToEmailAddress": "help@example.com"}
    pool = make_pool(cognito, LambdaConfig=lambda_config, VerificationMessageTemplate=template,
                     EmailConfiguration=email, AdminCreateUserConfig={
                         "AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 3},
                     Policies={"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 3}})
    described = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert described["LambdaConfig"] == lambda_config
    assert described["VerificationMessageTemplate"]["EmailMessage"] == "foo {####} bar"
    assert described["SmsVerificationMessage"] == "{####} baz"
    assert described["EmailVerificationSubject"] == "foobar {####}"
    assert described["EmailConfiguration"] == email
    assert described["AdminCreateUserConfig"]["UnusedAccountValidityDays"] == 3
    assert described["Policies"]["PasswordPolicy"]["PasswordHistorySize"] == 3
    with raises_cognito("InvalidParameterException"):
        make_pool(cognito, VerificationMessageTemplate={"SmsMessage": "no placeholder"})


def test_s16_estimated_number_of_users(cognito, pool):
    for name in ("u1", "u2", "u3"):
        create_user(cognito, pool, name)
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["EstimatedNumberOfUsers"] == 3


# --- clients and the CSV header --------------------------------------------------------------

def test_s16_list_update_delete_user_pool_clients(cognito, pool):
    ids = sorted(make_client(cognito, pool)["ClientId"] for _ in range(3))
    page = cognito.list_user_pool_clients(UserPoolId=pool, MaxResults=2)
    assert len(page["UserPoolClients"]) == 2 and "NextToken" in page
    rest = cognito.list_user_pool_clients(UserPoolId=pool, MaxResults=2, NextToken=page["NextToken"])
    assert "NextToken" not in rest
    listed = [c["ClientId"] for c in page["UserPoolClients"] + rest["UserPoolClients"]]
    assert sorted(listed) == ids
    assert set(page["UserPoolClients"][0]) == {"ClientId", "UserPoolId", "ClientName"}

    updated = cognito.update_user_pool_client(UserPoolId=pool, ClientId=ids[0], ClientName="renamed",
                                              ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    assert updated["UserPoolClient"]["ClientName"] == "renamed"
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=ids[0])["UserPoolClient"]
    assert described["ClientName"] == "renamed"
    assert described["ExplicitAuthFlows"] == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

    cognito.delete_user_pool_client(UserPoolId=pool, ClientId=ids[0])
    with raises_cognito("ResourceNotFoundException"):
        cognito.describe_user_pool_client(UserPoolId=pool, ClientId=ids[0])
    with raises_cognito("ResourceNotFoundException"):
        cognito.delete_user_pool_client(UserPoolId=pool, ClientId=ids[0])
    with raises_cognito("ResourceNotFoundException"):
        cognito.update_user_pool_client(UserPoolId=pool, ClientId=ids[0], ClientName="x")


def test_s16_get_csv_header(cognito, schema_pool):
    out = cognito.get_csv_header(UserPoolId=schema_pool)
    assert out["UserPoolId"] == schema_pool
    header = out["CSVHeader"]
    assert header[:2] == ["name", "given_name"]
    for column in ("email", "email_verified", "phone_number", "custom:tier", "cognito:username",
                   "cognito:mfa_enabled"):
        assert column in header
    assert "sub" not in header
