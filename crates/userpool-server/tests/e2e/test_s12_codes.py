"""SPEC §12 over boto3: reissuing a code keeps the count of wrong attempts, at most five
codes are issued per user and purpose per hour, and ResendConfirmationCode answers as
Cognito does."""

from support import PERM, PERM2, create_user, raises_cognito, sign_in, assert_tokens, status

LIMIT = "Attempt limit exceeded, please try after some time."
EMAIL = {"email": "diego@example.com"}


def test_s12_reissued_reset_codes_keep_the_wrong_attempt_count(cognito, server, pool, app_client):
    client = app_client["ClientId"]
    create_user(cognito, pool, "diego", attributes=EMAIL, permanent=PERM)
    code = None
    for _ in range(5):
        offset = server.log_offset()
        cognito.forgot_password(ClientId=client, Username="diego")
        code = server.code_for("diego", "PasswordReset", after=offset)
        wrong = "000000" if code != "000000" else "111111"
        with raises_cognito("CodeMismatchException"):
            cognito.confirm_forgot_password(ClientId=client, Username="diego", ConfirmationCode=wrong, Password=PERM2)
    # Five codes, five wrong attempts: the right code of the last one is refused, and a
    # sixth code is not issued.
    with raises_cognito("LimitExceededException", LIMIT):
        cognito.confirm_forgot_password(ClientId=client, Username="diego", ConfirmationCode=code, Password=PERM2)
    with raises_cognito("LimitExceededException", LIMIT):
        cognito.forgot_password(ClientId=client, Username="diego")
    assert status(cognito, pool, "diego") == "CONFIRMED"
    assert_tokens(sign_in(cognito, client, "diego", PERM))


def test_s12_resend_confirmation_code(cognito, server, pool, app_client):
    client = app_client["ClientId"]
    cognito.sign_up(ClientId=client, Username="newbie", Password=PERM,
                    UserAttributes=[{"Name": "email", "Value": "newbie@example.com"}])
    offset = server.log_offset()
    out = cognito.resend_confirmation_code(ClientId=client, Username="newbie")
    assert out["CodeDeliveryDetails"] == {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    code = server.code_for("newbie", "SignUp", after=offset)
    cognito.confirm_sign_up(ClientId=client, Username="newbie", ConfirmationCode=code)
    assert status(cognito, pool, "newbie") == "CONFIRMED"
    with raises_cognito("InvalidParameterException", "User is already confirmed."):
        cognito.resend_confirmation_code(ClientId=client, Username="newbie")
    with raises_cognito("UserNotFoundException"):
        cognito.resend_confirmation_code(ClientId=client, Username="nobody")
