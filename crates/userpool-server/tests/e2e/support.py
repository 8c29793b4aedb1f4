"""Shared helpers of the boto3 end-to-end suite (the fixtures are in conftest.py).

One server process is shared by the whole session (`server`), started from the binary named
by `USERPOOL_SERVER_BIN` on a free loopback port with a temporary SQLite database and cheap
argon2id parameters, and stopped with SIGTERM at the end (it must exit 0). Tests that need
their own process (restart, clock offset, default hash parameters) use `ServerProcess`
directly.

Every test makes its own pool, so tests do not depend on each other's users.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import boto3
import botocore.auth as _botocore_auth
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

DEV_ACCESS_KEY_ID = "AKIAUSERPOOLLOCALDEV"
# The published development secret of userpool-server (config.rs); not a real secret.
DEV_SECRET_ACCESS_KEY = "userpool-local-development-secret-key"
REGION = "us-east-1"

# argon2id parameters for the pools of the shared server: cheap, so the suite stays fast.
CHEAP_HASH_FLAGS = ["--hash-memory-kib", "1024", "--hash-iterations", "1", "--hash-parallelism", "1"]

# What every app client of the suite allows.
AUTH_FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]

# No retries: a retried request would hide a 500 and skew lockout counts.
BOTO_CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30)

LISTENING = re.compile(r"userpool-server listening on (http://\S+)")


def server_binary() -> str:
    path = os.environ.get("USERPOOL_SERVER_BIN")
    if not path:
        pytest.fail(
            "USERPOOL_SERVER_BIN is not set: build with `cargo build -p userpool-server` and "
            "set it to target/debug/userpool-server (cargo test sets it through boto3_e2e.rs)"
        )
    if not os.access(path, os.X_OK):
        pytest.fail(f"USERPOOL_SERVER_BIN={path} is not an executable file")
    return path


class ServerProcess:
    """One `userpool-server` process: started on 127.0.0.1:0, its stderr kept in a file so
    tests can read the confirmation codes the server logs."""

    def __init__(self, db: Path, log: Path, extra_args: list[str] | None = None, port: int = 0):
        self.db = db
        self.requested_port = port
        self.log_path = log
        self.extra_args = list(extra_args or [])
        self.proc: subprocess.Popen | None = None
        self.url: str | None = None
        self.stdout_lines: list[str] = []

    def start(self, timeout: float = 30.0) -> "ServerProcess":
        args = [server_binary(), "--listen", f"127.0.0.1:{self.requested_port}", "--db", str(self.db), *self.extra_args]
        env = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
        env["USERPOOL_LOG"] = "info"
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL, env=env
        )
        found = threading.Event()

        def read_stdout() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self.stdout_lines.append(line)
                m = LISTENING.search(line)
                if m and self.url is None:
                    self.url = m.group(1)
                    found.set()

        self._reader = threading.Thread(target=read_stdout, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while not found.wait(0.05):
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"userpool-server exited with {self.proc.returncode} before listening; "
                    f"stderr:\n{self.stderr()[-4000:]}"
                )
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"userpool-server did not print its address in {timeout}s")
        return self

    @property
    def port(self) -> int:
        assert self.url is not None
        return int(self.url.rsplit(":", 1)[1])

    def stderr(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text("utf-8", "replace")

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, then wait: the exit code (a graceful shutdown gives 0)."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"userpool-server did not stop within {timeout}s of SIGTERM")
        self._reader.join(5)
        self._log.close()
        return self.proc.returncode

    def client(self, **overrides):
        kwargs = dict(
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=DEV_ACCESS_KEY_ID,
            aws_secret_access_key=DEV_SECRET_ACCESS_KEY,
            config=BOTO_CONFIG,
        )
        kwargs.update(overrides)
        return boto3.client("cognito-idp", **kwargs)

    def code_for(self, username: str, purpose: str, after: int = 0, timeout: float = 5.0) -> str:
        """The last confirmation code the server logged for `username` and `purpose`
        (`SignUp`, `ForgotPassword`, ...), looking only past offset `after` of the log."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.stderr()[after:]
            codes = [
                m.group("code")
                for line in text.splitlines()
                if "confirmation code issued" in line
                and f'username="{username}"' in line
                and (m := re.search(r'purpose=(?P<purpose>\w+).*?code="(?P<code>[^"]+)"', line))
                and m.group("purpose") == purpose
            ]
            if codes:
                return codes[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no {purpose} code logged for {username!r}")
            time.sleep(0.05)

    def log_offset(self) -> int:
        return len(self.stderr())


@contextlib.contextmanager
def running(db: Path, log: Path, extra_args: list[str] | None = None, port: int = 0):
    """A `ServerProcess` of its own for the `with` block (a restart is a second block on the
    same `db`); at the end it is stopped and must exit 0."""
    server = ServerProcess(db, log, extra_args, port).start()
    try:
        yield server
    finally:
        assert server.stop() == 0


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_pool(cognito, *, policy: dict | None = None, **kwargs) -> str:
    """Creates a pool and returns its id. `policy` is a PasswordPolicy dict; absent means
    the pool default (length 8, every class required)."""
    # Sign-up codes go only to auto-verified attributes (SPEC §16); the suite's pools
    # auto-verify the email, as most real pools do, unless a test says otherwise.
    kwargs.setdefault("AutoVerifiedAttributes", ["email"])
    args = {"PoolName": unique("pool"), **kwargs}
    if policy is not None:
        args["Policies"] = {"PasswordPolicy": policy}
    return cognito.create_user_pool(**args)["UserPool"]["Id"]


def make_client(cognito, pool_id: str, *, secret: bool = False, prevent: bool = False) -> dict:
    out = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=unique("client"),
        GenerateSecret=secret,
        ExplicitAuthFlows=AUTH_FLOWS,
        PreventUserExistenceErrors="ENABLED" if prevent else "LEGACY",
    )
    return out["UserPoolClient"]


# --- assertions and small flows shared by the test modules ---------------------------------

@contextlib.contextmanager
def raises_cognito(code: str, message: str | None = None, *, startswith: str | None = None):
    """Expects a boto3 `ClientError` with `Error.Code == code` (and the exact message, or a
    message prefix, when given). Yields a dict that receives the error."""
    got: dict = {}
    try:
        yield got
    except ClientError as e:
        err = e.response["Error"]
        got.update(err)
        got["HTTPStatusCode"] = e.response["ResponseMetadata"]["HTTPStatusCode"]
        assert err["Code"] == code, f"expected {code}, got {err['Code']}: {err.get('Message')}"
        if message is not None:
            assert err.get("Message") == message, f"{code}: message {err.get('Message')!r} != {message!r}"
        if startswith is not None:
            assert err.get("Message", "").startswith(startswith), f"{code}: message {err.get('Message')!r}"
        return
    raise AssertionError(f"expected {code}, but the call succeeded")


INCORRECT = "Incorrect username or password."
POLICY = "Password does not conform to policy: "

# Passwords satisfying the default policy (length 8, lower, upper, number, symbol).
TEMP = "Temp-Passw0rd!"
PERM = "Perm-Passw0rd!"
PERM2 = "Perm-Second-2#"
PERM3 = "Perm-Third-3$"


def sign_in(cognito, client_id: str, username: str, password: str, **extra) -> dict:
    params = {"USERNAME": username, "PASSWORD": password, **extra}
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def create_user(cognito, pool_id: str, username: str, *, temporary: str | None = TEMP,
                attributes: dict | None = None, permanent: str | None = None) -> dict:
    """AdminCreateUser (SUPPRESS), optionally followed by a permanent AdminSetUserPassword."""
    args = {"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS"}
    if temporary is not None:
        args["TemporaryPassword"] = temporary
    if attributes:
        args["UserAttributes"] = [{"Name": k, "Value": v} for k, v in attributes.items()]
    user = cognito.admin_create_user(**args)["User"]
    if permanent is not None:
        cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=permanent, Permanent=True)
    return user


def status(cognito, pool_id: str, username: str) -> str:
    return cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"]


def attrs(attribute_list: list[dict]) -> dict:
    return {a["Name"]: a["Value"] for a in attribute_list}


def assert_datetime(value) -> None:
    assert isinstance(value, _dt.datetime), f"{value!r} is not a datetime"
    assert value.tzinfo is not None, f"{value!r} has no timezone"
    now = _dt.datetime.now(_dt.timezone.utc)
    # Within a day of now: catches milliseconds-as-seconds and similar unit slips.
    assert abs((now - value).total_seconds()) < 86400, f"{value!r} is not close to now ({now})"


def assert_tokens(result: dict) -> dict:
    """An InitiateAuth/RespondToAuthChallenge success: AuthenticationResult, no challenge."""
    assert "ChallengeName" not in result, result.get("ChallengeName")
    auth = result["AuthenticationResult"]
    for key in ("AccessToken", "IdToken"):
        assert isinstance(auth.get(key), str) and auth[key], key
    assert auth["TokenType"] == "Bearer"
    assert isinstance(auth["ExpiresIn"], int) and auth["ExpiresIn"] > 0
    return auth


def assert_new_password_required(result: dict, username: str) -> str:
    """The NEW_PASSWORD_REQUIRED challenge and never tokens (SPEC §4): returns the session."""
    assert result.get("ChallengeName") == "NEW_PASSWORD_REQUIRED", result
    assert "AuthenticationResult" not in result
    assert isinstance(result.get("Session"), str) and len(result["Session"]) >= 20
    assert result["ChallengeParameters"]["USER_ID_FOR_SRP"] == username
    return result["Session"]


def answer_new_password(cognito, client_id: str, username: str, session: str, new_password: str) -> dict:
    return cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=session,
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
    )


@contextlib.contextmanager
def signing_clock_ahead(seconds):
    """Makes botocore sign with a clock `seconds` ahead, as a client living in the server's
    shifted time would."""
    real = _botocore_auth.get_current_datetime

    def shifted(*args, **kwargs):
        return real(*args, **kwargs) + _dt.timedelta(seconds=seconds)

    _botocore_auth.get_current_datetime = shifted
    try:
        yield
    finally:
        _botocore_auth.get_current_datetime = real
