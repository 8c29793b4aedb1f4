"""SPEC §4 — temporary passwords expire; also restart persistence (SQLite) and, on the
restarted server, a pool hashed with the default argon2id parameters (SPEC §9)."""

import datetime as dt

from botocore.exceptions import ClientError

from support import (
    CHEAP_HASH_FLAGS,
    INCORRECT,
    PERM,
    TEMP,
    ServerProcess,
    answer_new_password,
    assert_new_password_required,
    assert_tokens,
    create_user,
    make_client,
    make_pool,
    raises_cognito,
    running,
    sign_in,
    signing_clock_ahead,
)

EIGHT_DAYS = 8 * 86400


def test_s4_temporary_password_expires_across_a_restart(tmp_path):
    db = tmp_path / "expiry.db"
    with running(db, tmp_path / "first.log", CHEAP_HASH_FLAGS) as first:
        cognito = first.client()
        pool = make_pool(cognito)  # TemporaryPasswordValidityDays: default 7
        long_pool = make_pool(cognito, policy={
            "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
            "RequireNumbers": True, "RequireSymbols": True, "TemporaryPasswordValidityDays": 10,
        })
        client = make_client(cognito, pool)["ClientId"]
        long_client = make_client(cognito, long_pool)["ClientId"]
        create_user(cognito, pool, "temp-user")
        create_user(cognito, pool, "perm-user", permanent=PERM)
        create_user(cognito, long_pool, "ten-day-user")
        # Before the restart the temporary password is still good.
        assert_new_password_required(sign_in(cognito, client, "temp-user", TEMP), "temp-user")

    # Same database, the clock 8 days ahead; default (expensive) hash parameters for new pools.
    with running(db, tmp_path / "second.log", ["--test-clock-offset-secs", str(EIGHT_DAYS)]) as second:
        # Public operations first: they carry no signature, so the offset is invisible to them.
        cognito = second.client()
        with raises_cognito("NotAuthorizedException", "Temporary password has expired and must be reset by an administrator."):
            sign_in(cognito, client, "temp-user", TEMP)
        # Checked only after the password verified: a guess learns nothing.
        with raises_cognito("NotAuthorizedException", INCORRECT):
            sign_in(cognito, client, "temp-user", "Wrong-Guess1!")
        # The validity is the pool's: 10 days have not passed for this one.
        session = assert_new_password_required(sign_in(cognito, long_client, "ten-day-user", TEMP), "ten-day-user")
        assert_tokens(answer_new_password(cognito, long_client, "ten-day-user", session, PERM))
        # Restart persistence: the permanent password set before the restart still works.
        assert_tokens(sign_in(cognito, client, "perm-user", PERM))

        # Admin operations are signed; SigV4 dates are checked against the server's clock,
        # which is 8 days ahead: a signature made now is stale (AWS allows 5 minutes).
        with raises_cognito("InvalidSignatureException"):
            cognito.admin_get_user(UserPoolId=pool, Username="perm-user")
        with signing_clock_ahead(EIGHT_DAYS):
            assert cognito.admin_get_user(UserPoolId=pool, Username="perm-user")["UserStatus"] == "CONFIRMED"
            # New records are stamped with the offset clock.
            fresh = create_user(cognito, pool, "fresh")
            ahead = fresh["UserCreateDate"] - dt.datetime.now(dt.timezone.utc)
            assert dt.timedelta(days=7, hours=23) < ahead < dt.timedelta(days=8, hours=1)
            # An administrator renews the expired user with a new temporary password.
            cognito.admin_set_user_password(UserPoolId=pool, Username="temp-user", Password="Renewed-Temp1!")
            # SPEC §9: a pool created with the default parameters (m=19456, t=2, p=1).
            default_pool = make_pool(cognito)
            default_client = make_client(cognito, default_pool)["ClientId"]
            create_user(cognito, default_pool, "argon-default", permanent=PERM)
        assert_new_password_required(sign_in(cognito, client, "temp-user", "Renewed-Temp1!"), "temp-user")
        assert_tokens(sign_in(cognito, default_client, "argon-default", PERM))
        with raises_cognito("NotAuthorizedException", INCORRECT):
            sign_in(cognito, default_client, "argon-default", "Wrong-Guess1!")


def test_s4_clock_offset_is_refused_with_a_configured_credential(tmp_path):
    srv = ServerProcess(tmp_path / "x.db", tmp_path / "x.log", [
        "--test-clock-offset-secs", "60",
        "--admin-access-key-id", "AKIDEXAMPLE", "--admin-secret-access-key", "example-secret-for-test",
    ])
    try:
        srv.start(timeout=10)
    except RuntimeError as e:
        assert "exited with" in str(e)
        assert "--test-clock-offset-secs" in srv.stderr()
        assert "example-secret-for-test" not in srv.stderr()  # SPEC §10: no secret in logs
    else:
        srv.stop()
        raise AssertionError("the server started with a clock offset and a real credential")


SIX_DAYS = 6 * 86400


def test_s4_resend_and_admin_set_restart_the_expiry_clock_and_the_policy_at_set_time_counts(tmp_path):
    """SPEC §3/§4: RESEND and a temporary AdminSetUserPassword restart the expiry clock; a
    temporary password expires by the validity of the policy in force when it was set."""
    db = tmp_path / "clock.db"
    with running(db, tmp_path / "first.log", CHEAP_HASH_FLAGS) as first:
        cognito = first.client()
        strict = {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                  "RequireNumbers": True, "RequireSymbols": True}
        pool = make_pool(cognito, policy={**strict, "TemporaryPasswordValidityDays": 10})
        client = make_client(cognito, pool)["ClientId"]
        for name in ("resent", "reset-by-admin", "untouched-10"):
            create_user(cognito, pool, name)
        # From now on the pool's validity is 7 days; the passwords above keep their 10.
        cognito.update_user_pool(UserPoolId=pool, Policies={"PasswordPolicy": {**strict, "TemporaryPasswordValidityDays": 7}})
        create_user(cognito, pool, "untouched-7")

    with running(db, tmp_path / "second.log", CHEAP_HASH_FLAGS + ["--test-clock-offset-secs", str(SIX_DAYS)]) as second:
        cognito = second.client()
        with signing_clock_ahead(SIX_DAYS):
            cognito.admin_create_user(UserPoolId=pool, Username="resent", MessageAction="RESEND", TemporaryPassword="Resent-Temp1!")
            cognito.admin_set_user_password(UserPoolId=pool, Username="reset-by-admin", Password="New-Temp-9!")

    with running(db, tmp_path / "third.log", CHEAP_HASH_FLAGS + ["--test-clock-offset-secs", str(EIGHT_DAYS)]) as third:
        cognito = third.client()
        # Set at day 6 under the 7-day policy: good until day 13.
        assert_new_password_required(sign_in(cognito, client, "resent", "Resent-Temp1!"), "resent")
        assert_new_password_required(sign_in(cognito, client, "reset-by-admin", "New-Temp-9!"), "reset-by-admin")
        # Set at day 0 under the 10-day policy: good until day 10, whatever the pool says now.
        assert_new_password_required(sign_in(cognito, client, "untouched-10", TEMP), "untouched-10")
        # Set at day 0 under the 7-day policy: expired at day 7.
        with raises_cognito("NotAuthorizedException", "Temporary password has expired and must be reset by an administrator."):
            sign_in(cognito, client, "untouched-7", TEMP)


def test_s6_challenge_session_expires_after_three_minutes_across_a_restart(tmp_path):
    """SPEC §6: the NEW_PASSWORD_REQUIRED session expires after 3 minutes (default)."""
    db = tmp_path / "session.db"
    with running(db, tmp_path / "first.log", CHEAP_HASH_FLAGS) as first:
        cognito = first.client()
        pool = make_pool(cognito)
        client = make_client(cognito, pool)["ClientId"]
        create_user(cognito, pool, "diego")
        session = assert_new_password_required(sign_in(cognito, client, "diego", TEMP), "diego")
    with running(db, tmp_path / "later.log", CHEAP_HASH_FLAGS + ["--test-clock-offset-secs", "200"]) as later:
        cognito = later.client()
        with raises_cognito("NotAuthorizedException"):
            answer_new_password(cognito, client, "diego", session, PERM)
        # A fresh sign-in (the temporary password is still valid) gives a working session.
        session = assert_new_password_required(sign_in(cognito, client, "diego", TEMP), "diego")
        assert_tokens(answer_new_password(cognito, client, "diego", session, PERM))


def test_s6_lockout_survives_a_restart(tmp_path):
    """SPEC §6: lockout state is part of the user record, so it survives restarts."""
    import time

    db = tmp_path / "lockout.db"
    with running(db, tmp_path / "first.log", CHEAP_HASH_FLAGS) as first:
        cognito = first.client()
        pool = make_pool(cognito)
        client = make_client(cognito, pool)["ClientId"]
        create_user(cognito, pool, "diego", permanent=PERM)
        # Failures 6 and 7 start lockouts of 1 and 2 seconds.
        for attempt in range(1, 8):
            if attempt == 7:
                time.sleep(1.15)  # wait out the first lockout
            with raises_cognito("NotAuthorizedException", INCORRECT):
                sign_in(cognito, client, "diego", "Wrong-Passw0rd!")
    with running(db, tmp_path / "second.log", CHEAP_HASH_FLAGS) as second:
        cognito = second.client()
        with raises_cognito("NotAuthorizedException", "Password attempts exceeded"):
            sign_in(cognito, client, "diego", PERM)


def test_s3_reset_codes_expire_after_an_hour_sign_up_codes_after_a_day(tmp_path):
    db = tmp_path / "codes.db"
    with running(db, tmp_path / "first.log", CHEAP_HASH_FLAGS) as first:
        cognito = first.client()
        pool = make_pool(cognito)
        client = make_client(cognito, pool)["ClientId"]
        create_user(cognito, pool, "diego", permanent=PERM,
                    attributes={"email": "diego@example.com", "email_verified": "true"})
        cognito.forgot_password(ClientId=client, Username="diego")
        reset_code = first.code_for("diego", "PasswordReset")
        cognito.sign_up(ClientId=client, Username="maria", Password=PERM,
                        UserAttributes=[{"Name": "email", "Value": "maria@example.com"}])
        sign_up_code = first.code_for("maria", "SignUp")
    with running(db, tmp_path / "later.log", CHEAP_HASH_FLAGS + ["--test-clock-offset-secs", str(2 * 3600)]) as later:
        cognito = later.client()
        with raises_cognito("ExpiredCodeException", "Invalid code provided, please request a code again."):
            cognito.confirm_forgot_password(ClientId=client, Username="diego", ConfirmationCode=reset_code, Password="Perm-Second-2#")
        assert_tokens(sign_in(cognito, client, "diego", PERM))
        cognito.confirm_sign_up(ClientId=client, Username="maria", ConfirmationCode=sign_up_code)
        assert_tokens(sign_in(cognito, client, "maria", PERM))


def test_s9_stored_hash_over_the_ceiling_is_internal_error_and_not_computed(tmp_path):
    """SPEC §9: parameters read from a stored hash are untrusted; above the ceiling the hash
    is refused (InternalErrorException, HTTP 500 per §11), never computed, and the log
    does not show it (§10)."""
    import re
    import sqlite3

    db = tmp_path / "ceiling.db"
    with running(db, tmp_path / "first.log", CHEAP_HASH_FLAGS) as first:
        cognito = first.client()
        pool = make_pool(cognito)
        client = make_client(cognito, pool)["ClientId"]
        create_user(cognito, pool, "diego", permanent=PERM)
    with sqlite3.connect(db) as con:
        (stored,) = con.execute("SELECT credential_hash FROM users WHERE pool_id = ? AND username = 'diego'", (pool,)).fetchone()
        assert stored.startswith("$argon2id$")
        hostile = re.sub(r"m=\d+", "m=4194304", stored)  # 4 GiB
        assert hostile != stored
        con.execute("UPDATE users SET credential_hash = ? WHERE pool_id = ? AND username = 'diego'", (hostile, pool))
    with running(db, tmp_path / "second.log", CHEAP_HASH_FLAGS) as second:
        cognito = second.client()
        with raises_cognito("InternalErrorException") as e:
            sign_in(cognito, client, "diego", PERM)
        assert e["HTTPStatusCode"] == 500
        assert "ceiling" in second.stderr()  # refused for its parameters, not for some other reason
        salt_and_hash = hostile.rsplit("$", 2)[1:]
        assert not any(part in second.stderr() for part in salt_and_hash), "the stored hash reached the log"
        assert not any(part in e["Message"] for part in salt_and_hash)


def test_s6_unknown_user_costs_about_what_a_known_user_costs(tmp_path):
    """SPEC §6: an unknown user is verified against a dummy hash, so a wrong password for a
    known user and any password for an unknown one take comparable time (default argon2id
    parameters, where a hash dominates the request)."""
    import statistics
    import time

    with running(tmp_path / "unused.db", tmp_path / "timing.log", ["--memory"]) as srv:
        cognito = srv.client()
        for prevent in (False, True):
            pool = make_pool(cognito)
            client = make_client(cognito, pool, prevent=prevent)["ClientId"]
            create_user(cognito, pool, "diego", permanent=PERM)
            known, unknown = [], []
            for i in range(8):
                for name, bucket in (("diego", known), (f"nobody-{i}", unknown)):
                    start = time.perf_counter()
                    try:
                        sign_in(cognito, client, name, "Wrong-Passw0rd!")
                    except ClientError:
                        pass
                    else:
                        raise AssertionError("a wrong password signed in")
                    bucket.append(time.perf_counter() - start)
            k, u = statistics.median(known), statistics.median(unknown)
            assert u > 0.3 * k, f"unknown user answered in {u * 1e3:.1f} ms, known in {k * 1e3:.1f} ms (prevent={prevent})"


def test_s9_hash_parameters_over_the_ceiling_are_refused_at_start(tmp_path):
    """SPEC §9 / §2 ("validated once at construction"): `--hash-iterations 11` exceeds the
    ceiling (10 passes). The server must refuse to start, rather than start and then fail
    every CreateUserPool with an InvalidParameterException about a member the client never
    sent."""
    srv = ServerProcess(tmp_path / "x.db", tmp_path / "x.log", ["--hash-iterations", "11"])
    try:
        srv.start(timeout=10)
    except RuntimeError as e:
        assert "exited with" in str(e)
        return
    try:
        pool_error = None
        try:
            make_pool(srv.client())
        except ClientError as e:
            pool_error = f"{e.response['Error']['Code']}: {e.response['Error'].get('Message')}"
        raise AssertionError(f"the server started with hash parameters over the ceiling; CreateUserPool then gave {pool_error}")
    finally:
        srv.stop()
