"""SPEC §4 — temporary passwords expire; also restart persistence (SQLite) and, on the
restarted server, a pool hashed with the default argon2id parameters (SPEC §9)."""

import contextlib
import datetime as dt

import botocore.auth

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
    sign_in,
)

EIGHT_DAYS = 8 * 86400


def test_s4_temporary_password_expires_across_a_restart(tmp_path):
    db = tmp_path / "expiry.db"
    first = ServerProcess(db, tmp_path / "first.log", CHEAP_HASH_FLAGS).start()
    try:
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
    finally:
        assert first.stop() == 0

    # Same database, the clock 8 days ahead; default (expensive) hash parameters for new pools.
    second = ServerProcess(db, tmp_path / "second.log", ["--test-clock-offset-secs", str(EIGHT_DAYS)]).start()
    try:
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
    finally:
        assert second.stop() == 0


@contextlib.contextmanager
def signing_clock_ahead(seconds):
    """Makes botocore sign with a clock `seconds` ahead, as a client living in the server's
    shifted time would."""
    real = botocore.auth.get_current_datetime

    def shifted(*args, **kwargs):
        return real(*args, **kwargs) + dt.timedelta(seconds=seconds)

    botocore.auth.get_current_datetime = shifted
    try:
        yield
    finally:
        botocore.auth.get_current_datetime = real


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
