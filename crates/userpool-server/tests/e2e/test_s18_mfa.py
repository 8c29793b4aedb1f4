"""SPEC §18: multi-factor authentication over boto3, with a real TOTP generator (pyotp) on
the client side: the pool's MfaConfiguration, software tokens set up by access token and
through MFA_SETUP, SOFTWARE_TOKEN_MFA / SMS_MFA / SELECT_MFA_TYPE after a password sign-in
(user and admin flows) and after SRP (pycognito), SMS codes through the server's delivery
(read from its log, as test_s12_codes.py reads confirmation codes), the legacy
SetUserSettings, and every refusal: wrong, reused and expired codes, spent sessions,
another user's session, malformed sessions."""

import time

import pyotp
import pytest
from pycognito import Cognito
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from support import (
    AUTH_FLOWS,
    BOTO_CONFIG,
    CHEAP_HASH_FLAGS,
    DEV_ACCESS_KEY_ID,
    DEV_SECRET_ACCESS_KEY,
    PERM,
    assert_tokens,
    attrs,
    create_user,
    make_client,
    make_pool,
    raises_cognito,
    running,
    sign_in,
    unique,
)

INVALID_SESSION = "Invalid session for the user."
WRONG_CODE = "Invalid code received for user"
PHONE = "+15555550123"
SMS_CONFIG = {"SmsAuthenticationMessage": "Your code is {####}"}


def mfa_pool(cognito, mode: str, *, totp: bool = True, sms: bool = False) -> str:
    pool = make_pool(cognito)
    args = {"UserPoolId": pool, "MfaConfiguration": mode}
    if totp:
        args["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if sms:
        args["SmsMfaConfiguration"] = SMS_CONFIG
    cognito.set_user_pool_mfa_config(**args)
    return pool


def srp_client(cognito, pool: str) -> dict:
    return cognito.create_user_pool_client(
        UserPoolId=pool, ClientName=unique("mfa"), GenerateSecret=False,
        ExplicitAuthFlows=[*AUTH_FLOWS, "ALLOW_USER_SRP_AUTH"],
    )["UserPoolClient"]


def fresh_code(totp: pyotp.TOTP) -> str:
    """A code of the next time step: accepted now (one step of skew) and later than any
    step used just before, so it is never a replay of the last one."""
    return totp.at(time.time() + 30)


def set_up_totp(cognito, client: str, username: str) -> pyotp.TOTP:
    """Signs in, associates and verifies a token by access token, turns TOTP on and
    preferred (the guide's steps); returns the authenticator."""
    access = assert_tokens(sign_in(cognito, client, username, PERM))["AccessToken"]
    secret = cognito.associate_software_token(AccessToken=access)["SecretCode"]
    assert len(secret) == 32
    totp = pyotp.TOTP(secret)
    out = cognito.verify_software_token(AccessToken=access, UserCode=totp.now(), FriendlyDeviceName="phone")
    assert out["Status"] == "SUCCESS"
    cognito.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return totp


def totp_challenge(result: dict) -> str:
    assert result.get("ChallengeName") == "SOFTWARE_TOKEN_MFA", result
    assert "AuthenticationResult" not in result
    assert isinstance(result.get("Session"), str) and len(result["Session"]) >= 20
    return result["Session"]


def answer_totp(cognito, client: str, username: str, session: str, code: str) -> dict:
    return cognito.respond_to_auth_challenge(
        ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
        ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code})


def test_s18_pool_mfa_config_defaults_sets_and_refuses(cognito):
    pool = make_pool(cognito)
    out = cognito.get_user_pool_mfa_config(UserPoolId=pool)
    assert out["MfaConfiguration"] == "OFF"
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool, MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True}, SmsMfaConfiguration=SMS_CONFIG)
    out = cognito.get_user_pool_mfa_config(UserPoolId=pool)
    assert out["MfaConfiguration"] == "OPTIONAL"
    assert out["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert out["SmsMfaConfiguration"]["SmsAuthenticationMessage"] == "Your code is {####}"
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["MfaConfiguration"] == "OPTIONAL"
    with raises_cognito("InvalidParameterException"):
        cognito.set_user_pool_mfa_config(UserPoolId=make_pool(cognito), MfaConfiguration="ON")
    with raises_cognito("ResourceNotFoundException"):
        cognito.get_user_pool_mfa_config(UserPoolId="us-east-1_Nope0000")


def test_s18_totp_by_access_token_then_password_sign_in_user_and_admin(cognito):
    pool = mfa_pool(cognito, "OPTIONAL")
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, "tina", permanent=PERM)
    totp = set_up_totp(cognito, client, "tina")
    user = cognito.admin_get_user(UserPoolId=pool, Username="tina")
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    session = totp_challenge(sign_in(cognito, client, "tina", PERM))
    code = fresh_code(totp)
    assert_tokens(answer_totp(cognito, client, "tina", session, code))
    # The session is spent; the code's step is spent.
    with raises_cognito("NotAuthorizedException", INVALID_SESSION):
        answer_totp(cognito, client, "tina", session, code)
    session = totp_challenge(sign_in(cognito, client, "tina", PERM))
    with raises_cognito("CodeMismatchException", WRONG_CODE):
        answer_totp(cognito, client, "tina", session, code)

    # The admin flow asks the same.
    admin = cognito.admin_initiate_auth(
        UserPoolId=pool, ClientId=client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "tina", "PASSWORD": PERM})
    session = totp_challenge(admin)
    with raises_cognito("CodeMismatchException", WRONG_CODE):
        cognito.admin_respond_to_auth_challenge(
            UserPoolId=pool, ClientId=client, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
            ChallengeResponses={"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": "12345x"})
    # Turned off, the token is no longer asked for in an OPTIONAL pool.
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool, Username="tina", SoftwareTokenMfaSettings={"Enabled": False})
    assert_tokens(sign_in(cognito, client, "tina", PERM))
    assert cognito.admin_get_user(UserPoolId=pool, Username="tina").get("UserMFASettingList", []) == []


def test_s18_wrong_code_and_other_sessions_are_refused(cognito):
    pool = mfa_pool(cognito, "OPTIONAL")
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, "ann", permanent=PERM)
    create_user(cognito, pool, "ben", permanent=PERM)
    ann = set_up_totp(cognito, client, "ann")
    set_up_totp(cognito, client, "ben")
    ann_session = totp_challenge(sign_in(cognito, client, "ann", PERM))
    ben_session = totp_challenge(sign_in(cognito, client, "ben", PERM))
    code = fresh_code(ann)
    wrong = ("1" if code[0] != "1" else "2") + code[1:]
    with raises_cognito("CodeMismatchException", WRONG_CODE):
        answer_totp(cognito, client, "ann", ann_session, wrong)
    # Ann's session under Ben's name, Ben's session under Ann's name, made-up sessions.
    with raises_cognito("NotAuthorizedException", INVALID_SESSION):
        answer_totp(cognito, client, "ben", ann_session, code)
    with raises_cognito("NotAuthorizedException", INVALID_SESSION):
        answer_totp(cognito, client, "ann", ben_session, code)
    for garbage in ["x" * 20, ann_session[:-1] + ("A" if ann_session[-1] != "A" else "B"), "." * 40]:
        with raises_cognito("NotAuthorizedException", INVALID_SESSION):
            answer_totp(cognito, client, "ann", garbage, code)
    # A wrong code keeps the session for a retry.
    assert_tokens(answer_totp(cognito, client, "ann", ann_session, code))


def test_s18_mfa_setup_in_an_on_pool(cognito):
    pool = mfa_pool(cognito, "ON")
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, "sam", permanent=PERM)
    first = sign_in(cognito, client, "sam", PERM)
    assert first["ChallengeName"] == "MFA_SETUP"
    assert first["ChallengeParameters"]["MFAS_CAN_SETUP"] == '["SOFTWARE_TOKEN_MFA"]'
    assert "AuthenticationResult" not in first
    associated = cognito.associate_software_token(Session=first["Session"])
    totp = pyotp.TOTP(associated["SecretCode"])
    # The first session is spent by the association.
    with raises_cognito("NotAuthorizedException", INVALID_SESSION):
        cognito.associate_software_token(Session=first["Session"])
    with raises_cognito("EnableSoftwareTokenMFAException"):
        cognito.verify_software_token(Session=associated["Session"], UserCode="000000" if totp.now() != "000000" else "111111")
    verified = cognito.verify_software_token(Session=associated["Session"], UserCode=totp.now())
    assert verified["Status"] == "SUCCESS"
    done = cognito.respond_to_auth_challenge(
        ClientId=client, ChallengeName="MFA_SETUP", Session=verified["Session"],
        ChallengeResponses={"USERNAME": "sam"})
    assert_tokens(done)
    assert cognito.admin_get_user(UserPoolId=pool, Username="sam")["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    # From now on the token is asked for.
    session = totp_challenge(sign_in(cognito, client, "sam", PERM))
    assert_tokens(answer_totp(cognito, client, "sam", session, fresh_code(totp)))
    with raises_cognito("NotAuthorizedException", INVALID_SESSION):
        cognito.associate_software_token(Session="not-a-session-at-all-0000")


def test_s18_srp_sign_in_then_software_token_with_pycognito(cognito, server):
    pool = mfa_pool(cognito, "OPTIONAL")
    client = srp_client(cognito, pool)
    create_user(cognito, pool, "sri", permanent=PERM)
    totp = set_up_totp(cognito, client["ClientId"], "sri")
    user = Cognito(
        pool, client["ClientId"], username="sri", botocore_config=BOTO_CONFIG,
        boto3_client_kwargs={"endpoint_url": server.url, "aws_access_key_id": DEV_ACCESS_KEY_ID,
                             "aws_secret_access_key": DEV_SECRET_ACCESS_KEY})
    with pytest.raises(SoftwareTokenMFAChallengeException) as challenge:
        user.authenticate(password=PERM)
    tokens = challenge.value.get_tokens()
    with raises_cognito("CodeMismatchException", WRONG_CODE):
        user.respond_to_software_token_mfa_challenge("000000" if fresh_code(totp) != "000000" else "111111", tokens)
    user.respond_to_software_token_mfa_challenge(fresh_code(totp), tokens)
    assert user.access_claims["username"] == "sri"
    assert user.id_claims["cognito:username"] == "sri"


def test_s18_sms_code_through_the_delivery(cognito, server):
    pool = mfa_pool(cognito, "ON", totp=False, sms=True)
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, "sue", permanent=PERM, attributes={"phone_number": PHONE})
    offset = server.log_offset()
    result = sign_in(cognito, client, "sue", PERM)
    assert result["ChallengeName"] == "SMS_MFA", result
    params = result["ChallengeParameters"]
    assert params["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert params["CODE_DELIVERY_DESTINATION"] == "+*******0123"
    code = server.code_for("sue", "SmsMfa", after=offset)
    wrong = ("1" if code[0] != "1" else "2") + code[1:]
    answer = lambda c: cognito.respond_to_auth_challenge(  # noqa: E731
        ClientId=client, ChallengeName="SMS_MFA", Session=result["Session"],
        ChallengeResponses={"USERNAME": "sue", "SMS_MFA_CODE": c})
    with raises_cognito("CodeMismatchException", WRONG_CODE):
        answer(wrong)
    assert_tokens(answer(code))
    with raises_cognito("NotAuthorizedException", INVALID_SESSION):
        answer(code)
    # The code reached the phone: the number is now verified, as Cognito marks it.
    user = cognito.admin_get_user(UserPoolId=pool, Username="sue")
    assert attrs(user["UserAttributes"])["phone_number_verified"] == "true"


def test_s18_legacy_settings_and_select_mfa_type(cognito, server):
    pool = mfa_pool(cognito, "OPTIONAL", totp=True, sms=True)
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, "lee", permanent=PERM, attributes={"phone_number": PHONE})
    totp = set_up_totp(cognito, client, "lee")
    cognito.admin_set_user_settings(
        UserPoolId=pool, Username="lee", MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}])
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool, Username="lee", SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False})
    user = cognito.admin_get_user(UserPoolId=pool, Username="lee")
    assert sorted(user["UserMFASettingList"]) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    assert user["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    result = sign_in(cognito, client, "lee", PERM)
    assert result["ChallengeName"] == "SELECT_MFA_TYPE", result
    assert result["ChallengeParameters"]["MFAS_CAN_CHOOSE"] == '["SMS_MFA","SOFTWARE_TOKEN_MFA"]'
    chosen = cognito.respond_to_auth_challenge(
        ClientId=client, ChallengeName="SELECT_MFA_TYPE", Session=result["Session"],
        ChallengeResponses={"USERNAME": "lee", "ANSWER": "SOFTWARE_TOKEN_MFA"})
    session = totp_challenge(chosen)
    assert_tokens(answer_totp(cognito, client, "lee", session, fresh_code(totp)))
    # With TOTP off and an empty MFAOptions list (legacy), nothing is asked; SetUserSettings
    # by access token turns SMS on again.
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool, Username="lee", SoftwareTokenMfaSettings={"Enabled": False})
    cognito.admin_set_user_settings(UserPoolId=pool, Username="lee", MFAOptions=[])
    access = assert_tokens(sign_in(cognito, client, "lee", PERM))["AccessToken"]
    cognito.set_user_settings(AccessToken=access, MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}])
    offset = server.log_offset()
    assert sign_in(cognito, client, "lee", PERM)["ChallengeName"] == "SMS_MFA"
    assert server.code_for("lee", "SmsMfa", after=offset)


def test_s18_expired_sessions_across_a_restart(tmp_path):
    db = tmp_path / "mfa.db"
    with running(db, tmp_path / "first.log", [*CHEAP_HASH_FLAGS, "--log-codes"]) as first:
        cognito = first.client()
        pool = mfa_pool(cognito, "ON", totp=False, sms=True)
        client = make_client(cognito, pool)["ClientId"]
        create_user(cognito, pool, "old", permanent=PERM, attributes={"phone_number": PHONE})
        offset = first.log_offset()
        result = sign_in(cognito, client, "old", PERM)
        code = first.code_for("old", "SmsMfa", after=offset)
    with running(db, tmp_path / "second.log",
                 [*CHEAP_HASH_FLAGS, "--log-codes", "--test-clock-offset-secs", "200"]) as second:
        cognito = second.client()
        with raises_cognito("ExpiredCodeException"):
            cognito.respond_to_auth_challenge(
                ClientId=client, ChallengeName="SMS_MFA", Session=result["Session"],
                ChallengeResponses={"USERNAME": "old", "SMS_MFA_CODE": code})
