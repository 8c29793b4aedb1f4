"""SPEC §5 — password history (PasswordHistoryPolicyViolationException)."""

from support import (
    PERM,
    PERM2,
    PERM3,
    TEMP,
    assert_new_password_required,
    assert_tokens,
    answer_new_password,
    create_user,
    make_client,
    make_pool,
    raises_cognito,
    sign_in,
    status,
)

USED = "Password has previously been used"
STRICT = {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
          "RequireNumbers": True, "RequireSymbols": True}


def history_pool(cognito, n):
    return make_pool(cognito, policy={**STRICT, "PasswordHistorySize": n})


def set_permanent(cognito, pool, password, username="diego"):
    return cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=True)


def test_s5_history_refuses_the_current_and_recent_passwords(cognito):
    pool = history_pool(cognito, 3)  # the current password + 2 previous
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["Policies"]["PasswordPolicy"]["PasswordHistorySize"] == 3
    create_user(cognito, pool, "diego", permanent=PERM)
    with raises_cognito("PasswordHistoryPolicyViolationException", USED):
        set_permanent(cognito, pool, PERM)  # the current one
    set_permanent(cognito, pool, PERM2)
    with raises_cognito("PasswordHistoryPolicyViolationException", USED):
        set_permanent(cognito, pool, PERM)  # one back
    with raises_cognito("PasswordHistoryPolicyViolationException", USED):
        cognito.admin_set_user_password(UserPoolId=pool, Username="diego", Password=PERM, Permanent=False)  # both kinds
    set_permanent(cognito, pool, PERM3)
    set_permanent(cognito, pool, "Perm-Fourth-4%")
    # Now PERM is three back: out of the window of 3, allowed again.
    set_permanent(cognito, pool, PERM)
    assert status(cognito, pool, "diego") == "CONFIRMED"


def test_s5_history_applies_to_the_new_password_answer(cognito):
    pool = history_pool(cognito, 2)
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, "diego")
    session = assert_new_password_required(sign_in(cognito, client, "diego", TEMP), "diego")
    # With history on, reusing the temporary password is the history violation (SPEC §6).
    with raises_cognito("PasswordHistoryPolicyViolationException", USED):
        answer_new_password(cognito, client, "diego", session, TEMP)
    assert status(cognito, pool, "diego") == "FORCE_CHANGE_PASSWORD"


def test_s5_history_applies_to_confirm_forgot_password(cognito, server):
    pool = history_pool(cognito, 2)
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, "diego", attributes={"email": "diego@example.com", "email_verified": "true"}, permanent=PERM)
    offset = server.log_offset()
    cognito.forgot_password(ClientId=client, Username="diego")
    code = server.code_for("diego", "PasswordReset", after=offset)
    with raises_cognito("PasswordHistoryPolicyViolationException", USED):
        cognito.confirm_forgot_password(ClientId=client, Username="diego", ConfirmationCode=code, Password=PERM)
    assert_tokens(sign_in(cognito, client, "diego", PERM))


def test_s5_history_applies_to_change_password(cognito):
    pool = history_pool(cognito, 2)
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, "diego", permanent=PERM)
    access = assert_tokens(sign_in(cognito, client, "diego", PERM))["AccessToken"]
    with raises_cognito("PasswordHistoryPolicyViolationException", USED):
        cognito.change_password(AccessToken=access, PreviousPassword=PERM, ProposedPassword=PERM)
    cognito.change_password(AccessToken=access, PreviousPassword=PERM, ProposedPassword=PERM2)
    assert_tokens(sign_in(cognito, client, "diego", PERM2))


def test_s5_history_off_by_default_allows_reuse(cognito, pool):
    create_user(cognito, pool, "diego", permanent=PERM)
    set_permanent(cognito, pool, PERM)
    assert status(cognito, pool, "diego") == "CONFIRMED"
