"""SPEC §3 — user status and the transitions, driven through boto3 as a Cognito user would."""

import pytest

from support import (
    INCORRECT,
    PERM,
    PERM2,
    POLICY,
    TEMP,
    answer_new_password,
    assert_new_password_required,
    assert_tokens,
    create_user,
    make_client,
    raises_cognito,
    sign_in,
    status,
)

EMAIL = {"email": "diego@example.com", "email_verified": "true"}


def reach(cognito, server, pool, client_id, status_name, username="diego"):
    """Brings a new user `username` to `status_name` through public operations."""
    if status_name == "UNCONFIRMED":
        cognito.sign_up(ClientId=client_id, Username=username, Password=PERM,
                        UserAttributes=[{"Name": "email", "Value": "diego@example.com"}])
    elif status_name == "FORCE_CHANGE_PASSWORD":
        create_user(cognito, pool, username, attributes=EMAIL)
    elif status_name == "CONFIRMED":
        create_user(cognito, pool, username, attributes=EMAIL, permanent=PERM)
    elif status_name == "RESET_REQUIRED":
        create_user(cognito, pool, username, attributes=EMAIL, permanent=PERM)
        cognito.admin_reset_user_password(UserPoolId=pool, Username=username)
    else:  # pragma: no cover - the parametrisation below lists the reachable ones
        raise AssertionError(status_name)
    assert status(cognito, pool, username) == status_name


REACHABLE = ["UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "CONFIRMED", "RESET_REQUIRED"]


def test_s3_admin_create_user_with_given_temporary_password(cognito, pool, app_client):
    user = create_user(cognito, pool, "diego")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and user["Enabled"] is True
    assert_new_password_required(sign_in(cognito, app_client["ClientId"], "diego", TEMP), "diego")


def test_s3_admin_create_user_generates_a_temporary_password_when_absent(cognito, server, pool):
    offset = server.log_offset()
    user = cognito.admin_create_user(UserPoolId=pool, Username="gen")["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    # Announced in the log without its value (SPEC §10: no password in a log line).
    log = server.stderr()[offset:]
    assert "temporary password generated" in log and 'username="gen"' in log


def test_s3_admin_create_user_twice_is_username_exists(cognito, pool):
    create_user(cognito, pool, "diego")
    with raises_cognito("UsernameExistsException", "User account already exists"):
        create_user(cognito, pool, "diego", temporary="Other-Temp1!")


@pytest.mark.parametrize("start", REACHABLE)
def test_s3_admin_set_user_password_permanent_confirms_from_every_status(cognito, server, pool, app_client, start):
    reach(cognito, server, pool, app_client["ClientId"], start)
    out = cognito.admin_set_user_password(UserPoolId=pool, Username="diego", Password=PERM2, Permanent=True)
    assert set(out) == {"ResponseMetadata"}  # `{}` on the wire (SPEC §11)
    assert status(cognito, pool, "diego") == "CONFIRMED"
    assert_tokens(sign_in(cognito, app_client["ClientId"], "diego", PERM2))


@pytest.mark.parametrize("start", REACHABLE)
@pytest.mark.parametrize("permanent", [False, None], ids=["false", "absent"])
def test_s3_admin_set_user_password_temporary_forces_change_from_every_status(cognito, server, pool, app_client, start, permanent):
    reach(cognito, server, pool, app_client["ClientId"], start)
    args = {"UserPoolId": pool, "Username": "diego", "Password": "New-Temp-9!"}
    if permanent is not None:
        args["Permanent"] = permanent
    cognito.admin_set_user_password(**args)
    assert status(cognito, pool, "diego") == "FORCE_CHANGE_PASSWORD"
    session = assert_new_password_required(sign_in(cognito, app_client["ClientId"], "diego", "New-Temp-9!"), "diego")
    assert_tokens(answer_new_password(cognito, app_client["ClientId"], "diego", session, PERM2))
    assert status(cognito, pool, "diego") == "CONFIRMED"


def test_s3_admin_set_user_password_keeps_a_disabled_user_disabled(cognito, pool, app_client):
    create_user(cognito, pool, "diego")
    cognito.admin_disable_user(UserPoolId=pool, Username="diego")
    cognito.admin_set_user_password(UserPoolId=pool, Username="diego", Password=PERM, Permanent=True)
    user = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    assert (user["UserStatus"], user["Enabled"]) == ("CONFIRMED", False)
    with raises_cognito("NotAuthorizedException", "User is disabled."):
        sign_in(cognito, app_client["ClientId"], "diego", PERM)


def test_s3_temporary_sign_in_is_a_challenge_and_the_answer_confirms(cognito, pool, app_client):
    create_user(cognito, pool, "diego")
    session = assert_new_password_required(sign_in(cognito, app_client["ClientId"], "diego", TEMP), "diego")
    assert status(cognito, pool, "diego") == "FORCE_CHANGE_PASSWORD"  # unchanged by the sign-in
    result = answer_new_password(cognito, app_client["ClientId"], "diego", session, PERM)
    assert_tokens(result)
    assert status(cognito, pool, "diego") == "CONFIRMED"
    assert_tokens(sign_in(cognito, app_client["ClientId"], "diego", PERM))
    with raises_cognito("NotAuthorizedException", INCORRECT):
        sign_in(cognito, app_client["ClientId"], "diego", TEMP)


def test_s3_admin_respond_to_auth_challenge_confirms(cognito, pool, app_client):
    create_user(cognito, pool, "diego")
    first = cognito.admin_initiate_auth(
        UserPoolId=pool, ClientId=app_client["ClientId"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "diego", "PASSWORD": TEMP},
    )
    session = assert_new_password_required(first, "diego")
    result = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool, ClientId=app_client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=session, ChallengeResponses={"USERNAME": "diego", "NEW_PASSWORD": PERM},
    )
    assert_tokens(result)
    assert status(cognito, pool, "diego") == "CONFIRMED"


def test_s3_answer_may_repeat_the_temporary_password_with_history_off(cognito, pool, app_client):
    # SPEC §6 (revised): Cognito answers NEW_PASSWORD_REQUIRED given the temporary password
    # itself with tokens when the pool keeps no history; that is the default.
    create_user(cognito, pool, "diego")
    session = assert_new_password_required(sign_in(cognito, app_client["ClientId"], "diego", TEMP), "diego")
    assert_tokens(answer_new_password(cognito, app_client["ClientId"], "diego", session, TEMP))
    assert status(cognito, pool, "diego") == "CONFIRMED"
    assert_tokens(sign_in(cognito, app_client["ClientId"], "diego", TEMP))


def test_s3_admin_reset_user_password_from_confirmed(cognito, server, pool, app_client):
    create_user(cognito, pool, "diego", attributes=EMAIL, permanent=PERM)
    offset = server.log_offset()
    out = cognito.admin_reset_user_password(UserPoolId=pool, Username="diego")
    assert set(out) == {"ResponseMetadata"}
    assert status(cognito, pool, "diego") == "RESET_REQUIRED"
    # The password stops working (SPEC §3); the code goes to the delivery (the log).
    with raises_cognito("PasswordResetRequiredException", "Password reset required for the user"):
        sign_in(cognito, app_client["ClientId"], "diego", PERM)
    code = server.code_for("diego", "PasswordReset", after=offset)
    cognito.confirm_forgot_password(ClientId=app_client["ClientId"], Username="diego", ConfirmationCode=code, Password=PERM2)
    assert status(cognito, pool, "diego") == "CONFIRMED"
    assert_tokens(sign_in(cognito, app_client["ClientId"], "diego", PERM2))


def test_s3_admin_reset_user_password_from_force_change_is_not_authorized(cognito, pool):
    create_user(cognito, pool, "diego")
    with raises_cognito("NotAuthorizedException", "User password cannot be reset in the current state."):
        cognito.admin_reset_user_password(UserPoolId=pool, Username="diego")
    assert status(cognito, pool, "diego") == "FORCE_CHANGE_PASSWORD"


NO_DESTINATION = "Cannot reset password for the user as there is no registered/verified email or phone_number"


@pytest.mark.parametrize("prevent", [False, True], ids=["legacy", "prevent-user-existence-errors"])
def test_s3_forgot_password_with_no_email_or_phone_is_invalid_parameter_and_changes_nothing(cognito, pool, prevent):
    """Cognito refuses a reset no code could reach (rather than a placeholder destination),
    with or without PreventUserExistenceErrors; an unknown user still gets the simulated
    answer where the client prevents user-existence errors."""
    client = make_client(cognito, pool, prevent=prevent)["ClientId"]
    create_user(cognito, pool, "diego", permanent=PERM)
    before = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    with raises_cognito("InvalidParameterException", NO_DESTINATION):
        cognito.forgot_password(ClientId=client, Username="diego")
    after = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    before.pop("ResponseMetadata"), after.pop("ResponseMetadata")
    assert after == before
    assert_tokens(sign_in(cognito, client, "diego", PERM))
    if prevent:
        out = cognito.forgot_password(ClientId=client, Username="nobody")
        assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    else:
        with raises_cognito("UserNotFoundException"):
            cognito.forgot_password(ClientId=client, Username="nobody")


@pytest.mark.parametrize("start", ["CONFIRMED", "RESET_REQUIRED"])
def test_s3_forgot_and_confirm_forgot_password(cognito, server, pool, app_client, start):
    reach(cognito, server, pool, app_client["ClientId"], start)
    offset = server.log_offset()
    out = cognito.forgot_password(ClientId=app_client["ClientId"], Username="diego")
    assert out["CodeDeliveryDetails"] == {"Destination": "d***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    code = server.code_for("diego", "PasswordReset", after=offset)
    wrong = "000000" if code != "000000" else "111111"
    with raises_cognito("CodeMismatchException", "Invalid verification code provided, please try again."):
        cognito.confirm_forgot_password(ClientId=app_client["ClientId"], Username="diego", ConfirmationCode=wrong, Password=PERM2)
    assert status(cognito, pool, "diego") == start
    out = cognito.confirm_forgot_password(ClientId=app_client["ClientId"], Username="diego", ConfirmationCode=code, Password=PERM2)
    assert set(out) == {"ResponseMetadata"}
    assert status(cognito, pool, "diego") == "CONFIRMED"
    assert_tokens(sign_in(cognito, app_client["ClientId"], "diego", PERM2))
    with raises_cognito("NotAuthorizedException", INCORRECT):
        sign_in(cognito, app_client["ClientId"], "diego", PERM)


def test_s3_sign_up_then_confirm_sign_up_with_the_logged_code(cognito, server, pool, app_client):
    offset = server.log_offset()
    out = cognito.sign_up(ClientId=app_client["ClientId"], Username="maria", Password=PERM,
                          UserAttributes=[{"Name": "email", "Value": "maria@example.com"}])
    assert out["UserConfirmed"] is False
    assert len(out["UserSub"]) == 36
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert status(cognito, pool, "maria") == "UNCONFIRMED"
    with raises_cognito("UserNotConfirmedException", "User is not confirmed."):
        sign_in(cognito, app_client["ClientId"], "maria", PERM)
    code = server.code_for("maria", "SignUp", after=offset)
    out = cognito.confirm_sign_up(ClientId=app_client["ClientId"], Username="maria", ConfirmationCode=code)
    assert set(out) == {"ResponseMetadata"}
    assert status(cognito, pool, "maria") == "CONFIRMED"
    assert_tokens(sign_in(cognito, app_client["ClientId"], "maria", PERM))


def test_s3_sign_up_twice_is_username_exists(cognito, pool, app_client):
    cognito.sign_up(ClientId=app_client["ClientId"], Username="maria", Password=PERM)
    with raises_cognito("UsernameExistsException"):
        cognito.sign_up(ClientId=app_client["ClientId"], Username="maria", Password=PERM2)


def test_s3_admin_confirm_sign_up(cognito, pool, app_client):
    cognito.sign_up(ClientId=app_client["ClientId"], Username="maria", Password=PERM)
    out = cognito.admin_confirm_sign_up(UserPoolId=pool, Username="maria")
    assert set(out) == {"ResponseMetadata"}
    assert status(cognito, pool, "maria") == "CONFIRMED"
    assert_tokens(sign_in(cognito, app_client["ClientId"], "maria", PERM))
    with raises_cognito("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED"):
        cognito.admin_confirm_sign_up(UserPoolId=pool, Username="maria")


@pytest.mark.parametrize("start", REACHABLE)
def test_s3_disable_and_enable_keep_the_status(cognito, server, pool, app_client, start):
    reach(cognito, server, pool, app_client["ClientId"], start)
    out = cognito.admin_disable_user(UserPoolId=pool, Username="diego")
    assert set(out) == {"ResponseMetadata"}
    user = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    assert (user["UserStatus"], user["Enabled"]) == (start, False)
    out = cognito.admin_enable_user(UserPoolId=pool, Username="diego")
    assert set(out) == {"ResponseMetadata"}
    user = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    assert (user["UserStatus"], user["Enabled"]) == (start, True)


def test_s3_resend_gives_a_new_temporary_password(cognito, pool, app_client):
    create_user(cognito, pool, "diego")
    out = cognito.admin_create_user(UserPoolId=pool, Username="diego", MessageAction="RESEND", TemporaryPassword="Resent-Temp1!")
    assert out["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    with raises_cognito("NotAuthorizedException", INCORRECT):
        sign_in(cognito, app_client["ClientId"], "diego", TEMP)
    assert_new_password_required(sign_in(cognito, app_client["ClientId"], "diego", "Resent-Temp1!"), "diego")


def test_s3_resend_for_a_confirmed_user_is_unsupported_user_state(cognito, pool, app_client):
    create_user(cognito, pool, "diego", permanent=PERM)
    with raises_cognito("UnsupportedUserStateException"):
        cognito.admin_create_user(UserPoolId=pool, Username="diego", MessageAction="RESEND", TemporaryPassword="Resent-Temp1!")
    assert status(cognito, pool, "diego") == "CONFIRMED"
    assert_tokens(sign_in(cognito, app_client["ClientId"], "diego", PERM))


def test_s3_resend_for_an_unknown_user_is_user_not_found(cognito, pool):
    with raises_cognito("UserNotFoundException", "User does not exist."):
        cognito.admin_create_user(UserPoolId=pool, Username="nobody", MessageAction="RESEND")


def test_s3_a_failed_operation_changes_nothing(cognito, pool, app_client):
    create_user(cognito, pool, "diego", permanent=PERM)
    before = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    with raises_cognito("InvalidPasswordException"):
        cognito.admin_set_user_password(UserPoolId=pool, Username="diego", Password="weak", Permanent=False)
    after = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    for key in ("UserStatus", "Enabled", "UserLastModifiedDate", "UserAttributes"):
        assert after[key] == before[key], key
    assert_tokens(sign_in(cognito, app_client["ClientId"], "diego", PERM))


def test_s3_confirmation_codes_have_an_attempt_limit(cognito, server, pool, app_client):
    offset = server.log_offset()
    cognito.sign_up(ClientId=app_client["ClientId"], Username="maria", Password=PERM,
                    UserAttributes=[{"Name": "email", "Value": "maria@example.com"}])
    code = server.code_for("maria", "SignUp", after=offset)
    wrong = "000001" if code != "000001" else "000002"
    for _ in range(5):
        with raises_cognito("CodeMismatchException"):
            cognito.confirm_sign_up(ClientId=app_client["ClientId"], Username="maria", ConfirmationCode=wrong)
    # The limit is reached: even the right code is refused now, and nothing changed.
    with raises_cognito("LimitExceededException", "Attempt limit exceeded, please try after some time."):
        cognito.confirm_sign_up(ClientId=app_client["ClientId"], Username="maria", ConfirmationCode=code)
    assert status(cognito, pool, "maria") == "UNCONFIRMED"


def test_s3_reset_codes_are_single_use_and_replaced_by_newer_ones(cognito, server, pool, app_client):
    client = app_client["ClientId"]
    create_user(cognito, pool, "diego", attributes=EMAIL, permanent=PERM)
    offset = server.log_offset()
    cognito.forgot_password(ClientId=client, Username="diego")
    first = server.code_for("diego", "PasswordReset", after=offset)
    offset = server.log_offset()
    cognito.forgot_password(ClientId=client, Username="diego")
    second = server.code_for("diego", "PasswordReset", after=offset)
    if first != second:
        with raises_cognito("CodeMismatchException"):
            cognito.confirm_forgot_password(ClientId=client, Username="diego", ConfirmationCode=first, Password=PERM2)
    # ForgotPassword alone changes nothing: the old password still signs in.
    assert_tokens(sign_in(cognito, client, "diego", PERM))
    cognito.confirm_forgot_password(ClientId=client, Username="diego", ConfirmationCode=second, Password=PERM2)
    with raises_cognito("ExpiredCodeException"):
        cognito.confirm_forgot_password(ClientId=client, Username="diego", ConfirmationCode=second, Password="Third-Passw0rd!")
    assert_tokens(sign_in(cognito, client, "diego", PERM2))


def test_s3_admin_confirm_sign_up_only_from_unconfirmed(cognito, pool):
    create_user(cognito, pool, "diego")
    with raises_cognito("NotAuthorizedException", "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD"):
        cognito.admin_confirm_sign_up(UserPoolId=pool, Username="diego")
    assert status(cognito, pool, "diego") == "FORCE_CHANGE_PASSWORD"


def answer_with_attributes(cognito, client_id, username, session, new_password, attributes):
    responses = {"USERNAME": username, "NEW_PASSWORD": new_password}
    responses.update({f"userAttributes.{name}": value for name, value in attributes.items()})
    return cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session, ChallengeResponses=responses,
    )


def test_s3_answer_writes_user_attributes_with_the_password(cognito, pool, app_client):
    # Cognito's client libraries send the challenge's attributes back as `userAttributes.*`.
    create_user(cognito, pool, "diego", attributes=EMAIL)
    session = assert_new_password_required(sign_in(cognito, app_client["ClientId"], "diego", TEMP), "diego")
    assert_tokens(answer_with_attributes(
        cognito, app_client["ClientId"], "diego", session, PERM,
        {"email": "diego@example.com", "name": "Diego"},
    ))
    user = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert user["UserStatus"] == "CONFIRMED"
    assert (attributes["name"], attributes["email"], attributes["email_verified"]) == ("Diego", "diego@example.com", "true")


@pytest.mark.parametrize("attribute", ["email_verified", "phone_number_verified", "sub"])
def test_s3_answer_may_not_set_verified_flags_or_sub(cognito, pool, app_client, attribute):
    create_user(cognito, pool, "diego", attributes={"email": "diego@example.com"})
    session = assert_new_password_required(sign_in(cognito, app_client["ClientId"], "diego", TEMP), "diego")
    before = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    with raises_cognito("NotAuthorizedException", "A client attempted to write unauthorized attribute"):
        answer_with_attributes(cognito, app_client["ClientId"], "diego", session, PERM, {attribute: "true"})
    after = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    assert (after["UserStatus"], after["UserAttributes"]) == (before["UserStatus"], before["UserAttributes"])
    # Nothing was written, so the session still answers.
    assert_tokens(answer_new_password(cognito, app_client["ClientId"], "diego", session, PERM))
