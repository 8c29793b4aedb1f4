"""SPEC §6 — sign-in: the order of checks and their messages, user-existence errors,
the challenge session, lockout after repeated failures."""

import time

import pytest

from support import (
    INCORRECT,
    PERM,
    PERM2,
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


def admin_sign_in(cognito, pool, client_id, username, password):
    return cognito.admin_initiate_auth(
        UserPoolId=pool, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def test_s6_unknown_user_is_user_not_found(cognito, pool, app_client):
    with raises_cognito("UserNotFoundException", "User does not exist."):
        sign_in(cognito, app_client["ClientId"], "nobody", PERM)
    with raises_cognito("UserNotFoundException", "User does not exist."):
        admin_sign_in(cognito, pool, app_client["ClientId"], "nobody", PERM)


def test_s6_prevent_user_existence_errors_answers_like_a_wrong_password(cognito, pool):
    client = make_client(cognito, pool, prevent=True)
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    create_user(cognito, pool, "diego", permanent=PERM)
    with raises_cognito("NotAuthorizedException", INCORRECT):
        sign_in(cognito, client["ClientId"], "nobody", PERM)
    with raises_cognito("NotAuthorizedException", INCORRECT):
        sign_in(cognito, client["ClientId"], "diego", "Wrong-Passw0rd!")
    # ForgotPassword for an unknown user gets a simulated delivery, not UserNotFound.
    out = cognito.forgot_password(ClientId=client["ClientId"], Username="nobody")
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"


def test_s6_wrong_password_is_incorrect_username_or_password(cognito, pool, app_client):
    create_user(cognito, pool, "diego", permanent=PERM)
    with raises_cognito("NotAuthorizedException", INCORRECT):
        sign_in(cognito, app_client["ClientId"], "diego", "Wrong-Passw0rd!")
    with raises_cognito("NotAuthorizedException", INCORRECT):
        admin_sign_in(cognito, pool, app_client["ClientId"], "diego", "Wrong-Passw0rd!")


def test_s6_disabled_user_password_is_checked_first(cognito, pool, app_client):
    create_user(cognito, pool, "diego", permanent=PERM)
    cognito.admin_disable_user(UserPoolId=pool, Username="diego")
    with raises_cognito("NotAuthorizedException", INCORRECT):
        sign_in(cognito, app_client["ClientId"], "diego", "Wrong-Passw0rd!")
    with raises_cognito("NotAuthorizedException", "User is disabled."):
        sign_in(cognito, app_client["ClientId"], "diego", PERM)
    with raises_cognito("NotAuthorizedException", "User is disabled."):
        admin_sign_in(cognito, pool, app_client["ClientId"], "diego", PERM)
    # A disabled user cannot ask for a reset either.
    with raises_cognito("NotAuthorizedException", "User is disabled."):
        cognito.forgot_password(ClientId=app_client["ClientId"], Username="diego")
    cognito.admin_enable_user(UserPoolId=pool, Username="diego")
    assert_tokens(sign_in(cognito, app_client["ClientId"], "diego", PERM))


def test_s6_unconfirmed_user_password_is_checked_first(cognito, pool, app_client):
    cognito.sign_up(ClientId=app_client["ClientId"], Username="maria", Password=PERM)
    with raises_cognito("NotAuthorizedException", INCORRECT):
        sign_in(cognito, app_client["ClientId"], "maria", "Wrong-Passw0rd!")
    with raises_cognito("UserNotConfirmedException", "User is not confirmed."):
        sign_in(cognito, app_client["ClientId"], "maria", PERM)


def test_s6_reset_required_user(cognito, pool, app_client):
    create_user(cognito, pool, "diego", permanent=PERM)
    cognito.admin_reset_user_password(UserPoolId=pool, Username="diego")
    with raises_cognito("NotAuthorizedException", INCORRECT):
        sign_in(cognito, app_client["ClientId"], "diego", "Wrong-Passw0rd!")
    with raises_cognito("PasswordResetRequiredException", "Password reset required for the user"):
        sign_in(cognito, app_client["ClientId"], "diego", PERM)


def test_s6_session_is_bound_to_the_credential_that_produced_it(cognito, pool, app_client):
    create_user(cognito, pool, "diego")
    session = assert_new_password_required(sign_in(cognito, app_client["ClientId"], "diego", TEMP), "diego")
    cognito.admin_set_user_password(UserPoolId=pool, Username="diego", Password="Second-Temp1!")
    with raises_cognito("NotAuthorizedException", "Invalid session for the user."):
        answer_new_password(cognito, app_client["ClientId"], "diego", session, PERM)
    assert status(cognito, pool, "diego") == "FORCE_CHANGE_PASSWORD"


def test_s6_session_is_unforgeable_and_single_use(cognito, pool, app_client):
    create_user(cognito, pool, "diego")
    session = assert_new_password_required(sign_in(cognito, app_client["ClientId"], "diego", TEMP), "diego")
    forged = ("A" if session[0] != "A" else "B") + session[1:]
    with raises_cognito("NotAuthorizedException", "Invalid session for the user."):
        answer_new_password(cognito, app_client["ClientId"], "diego", forged, PERM)
    assert_tokens(answer_new_password(cognito, app_client["ClientId"], "diego", session, PERM))
    with raises_cognito("NotAuthorizedException"):
        answer_new_password(cognito, app_client["ClientId"], "diego", session, PERM2)
    assert_tokens(sign_in(cognito, app_client["ClientId"], "diego", PERM))


def test_s6_session_of_another_user_is_refused(cognito, pool, app_client):
    create_user(cognito, pool, "diego")
    create_user(cognito, pool, "maria")
    session = assert_new_password_required(sign_in(cognito, app_client["ClientId"], "diego", TEMP), "diego")
    with raises_cognito("NotAuthorizedException", "Invalid session for the user."):
        answer_new_password(cognito, app_client["ClientId"], "maria", session, PERM)
    assert status(cognito, pool, "maria") == "FORCE_CHANGE_PASSWORD"


def test_s6_lockout_after_repeated_failures(cognito, pool, app_client):
    client = app_client["ClientId"]
    create_user(cognito, pool, "diego", permanent=PERM)
    for _ in range(6):  # five free failures; the sixth starts a 1 s lockout
        with raises_cognito("NotAuthorizedException", INCORRECT):
            sign_in(cognito, client, "diego", "Wrong-Passw0rd!")
    # Inside the lockout even the right password is refused without being verified.
    with raises_cognito("NotAuthorizedException", "Password attempts exceeded"):
        sign_in(cognito, client, "diego", PERM)
    time.sleep(1.2)
    # After the lockout a success signs in and resets the count.
    assert_tokens(sign_in(cognito, client, "diego", PERM))
    for _ in range(5):
        with raises_cognito("NotAuthorizedException", INCORRECT):
            sign_in(cognito, client, "diego", "Wrong-Passw0rd!")
    assert_tokens(sign_in(cognito, client, "diego", PERM))


def test_s6_lockout_is_per_user(cognito, pool, app_client):
    client = app_client["ClientId"]
    create_user(cognito, pool, "diego", permanent=PERM)
    create_user(cognito, pool, "maria", permanent=PERM)
    for _ in range(6):
        with raises_cognito("NotAuthorizedException", INCORRECT):
            sign_in(cognito, client, "diego", "Wrong-Passw0rd!")
    assert_tokens(sign_in(cognito, client, "maria", PERM))


def test_s6_client_must_allow_the_flow(cognito, pool):
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="no-flows")["UserPoolClient"]
    create_user(cognito, pool, "diego", permanent=PERM)
    with raises_cognito("InvalidParameterException"):
        sign_in(cognito, client["ClientId"], "diego", PERM)


def test_s6_unknown_client_is_resource_not_found(cognito):
    with raises_cognito("ResourceNotFoundException"):
        sign_in(cognito, "doesnotexist0000000000000", "diego", PERM)


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_s6_admin_initiate_auth_password_flows(cognito, pool, app_client, flow):
    create_user(cognito, pool, "diego", permanent=PERM)
    result = cognito.admin_initiate_auth(
        UserPoolId=pool, ClientId=app_client["ClientId"], AuthFlow=flow,
        AuthParameters={"USERNAME": "diego", "PASSWORD": PERM},
    )
    assert_tokens(result)
    assert result["ChallengeParameters"] == {}


def test_s6_unsupported_flow_is_named_not_reported_as_a_missing_password(cognito, pool, app_client):
    # A flow the server does not implement, sent without PASSWORD: the flow is what is
    # unsupported. (SRP is implemented, SPEC §15; for a client that does not allow it the
    # answer is Cognito's "Auth flow not enabled for this client".)
    create_user(cognito, pool, "diego", permanent=PERM)
    with raises_cognito("InvalidParameterException") as e:
        cognito.initiate_auth(ClientId=app_client["ClientId"], AuthFlow="CUSTOM_AUTH",
                              AuthParameters={"USERNAME": "diego"})
    assert "CUSTOM_AUTH" in e["Message"], e["Message"]
    with raises_cognito("InvalidParameterException", "Auth flow not enabled for this client"):
        cognito.initiate_auth(ClientId=app_client["ClientId"], AuthFlow="USER_SRP_AUTH",
                              AuthParameters={"USERNAME": "diego", "SRP_A": "abcdef0123456789"})


def test_s6_concurrent_failures_are_all_counted(server, pool, app_client):
    """Lockout state lives in the user record: concurrent wrong passwords cannot lose
    updates (each failure is counted, then the lockout refuses without verifying)."""
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    from botocore.config import Config
    from botocore.exceptions import ClientError

    from support import BOTO_CONFIG

    cognito = server.client(config=BOTO_CONFIG.merge(Config(max_pool_connections=16)))
    create_user(cognito, pool, "diego", permanent=PERM)

    def attempt(_):
        try:
            sign_in(cognito, app_client["ClientId"], "diego", "Wrong-Passw0rd!")
            return "signed in"
        except ClientError as e:
            return f"{e.response['Error']['Code']}: {e.response['Error'].get('Message')}"

    with ThreadPoolExecutor(16) as pool_:
        outcomes = Counter(pool_.map(attempt, range(40)))
    assert set(outcomes) <= {f"NotAuthorizedException: {INCORRECT}", "NotAuthorizedException: Password attempts exceeded"}, outcomes
    assert 6 <= outcomes[f"NotAuthorizedException: {INCORRECT}"] < 20, outcomes


def test_s3_concurrent_creates_of_one_username_make_one_user(server, pool):
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    from botocore.config import Config
    from botocore.exceptions import ClientError

    from support import BOTO_CONFIG

    cognito = server.client(config=BOTO_CONFIG.merge(Config(max_pool_connections=16)))

    def attempt(i):
        try:
            create_user(cognito, pool, "race", temporary=f"Race-Temp-{i}!")
            return "created"
        except ClientError as e:
            return e.response["Error"]["Code"]

    with ThreadPoolExecutor(16) as pool_:
        outcomes = Counter(pool_.map(attempt, range(16)))
    assert outcomes == Counter({"created": 1, "UsernameExistsException": 15}), outcomes
    assert len(cognito.list_users(UserPoolId=pool, Filter='username = "race"')["Users"]) == 1


def test_s6_prevent_user_existence_errors_covers_confirmation_and_challenges(cognito, pool):
    """With PreventUserExistenceErrors ENABLED, no public operation tells an unknown user
    from a known one: Cognito answers ConfirmSignUp / ConfirmForgotPassword for an unknown
    user with a code error, and a challenge answer with NotAuthorized — never
    UserNotFoundException."""
    from botocore.exceptions import ClientError

    client = make_client(cognito, pool, prevent=True)["ClientId"]
    calls = {
        "ConfirmSignUp": lambda: cognito.confirm_sign_up(ClientId=client, Username="nobody", ConfirmationCode="123456"),
        "ConfirmForgotPassword": lambda: cognito.confirm_forgot_password(
            ClientId=client, Username="nobody", ConfirmationCode="123456", Password=PERM),
        "RespondToAuthChallenge": lambda: answer_new_password(cognito, client, "nobody", "S" * 43, PERM),
    }
    allowed = {"CodeMismatchException", "ExpiredCodeException", "NotAuthorizedException"}
    leaks = {}
    for name, call in calls.items():
        try:
            call()
        except ClientError as e:
            if e.response["Error"]["Code"] not in allowed:
                leaks[name] = e.response["Error"]["Code"]
        else:
            leaks[name] = "succeeded"
    assert not leaks, f"user existence disclosed by: {leaks}"
