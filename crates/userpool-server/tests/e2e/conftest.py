"""Fixtures of the boto3 end-to-end suite; helpers are in support.py.

`server` is one process shared by the session (free loopback port, temporary SQLite
database, cheap argon2id parameters), stopped with SIGTERM at the end: it must exit 0.
"""

import os

import pytest

# Keep the machine's AWS configuration out of the suite: every client gets its endpoint,
# region and credential explicitly, and a profile named in the environment would only get
# in the way (boto3 refuses to start with a missing one).
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"):
    os.environ.pop(_name, None)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull

from support import CHEAP_HASH_FLAGS, PERM, PERM2, PERM3, TEMP, ServerProcess, make_client, make_pool

PASSWORDS_SENT = [TEMP, PERM, PERM2, PERM3, "MyExamplePassword1!", "Resent-Temp1!", "New-Temp-9!",
                  "Wrong-Passw0rd!", "Hunter2-Secret", "Inner Space1x"]


def postgres_flags(base) -> tuple[int, list[str]]:
    """With USERPOOL_E2E_POSTGRES=1, the shared server keeps its data in a fresh schema of
    the PostgreSQL named by USERPOOL_TEST_DATABASE_URL (SPEC §20) instead of SQLite, so the
    whole suite runs on that store too (boto3_e2e.rs does both). The port is chosen here, as
    the database needs `--public-url`, which must be the server's own address for the
    suite's issuer checks. Returns the port to listen on (0: any) and the flags."""
    if os.environ.get("USERPOOL_E2E_POSTGRES") != "1":
        return 0, []
    url = os.environ.get("USERPOOL_TEST_DATABASE_URL")
    if not url:
        pytest.fail("USERPOOL_E2E_POSTGRES=1 needs USERPOOL_TEST_DATABASE_URL")
    import socket
    import uuid

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return port, ["--database-url", url, "--database-schema", f"e2e_{uuid.uuid4().hex[:12]}",
                  "--public-url", f"http://127.0.0.1:{port}",
                  "--key-file", str(base / "userpool.key")]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The shared server. At the end it is stopped with SIGTERM and must exit 0 (graceful
    shutdown), and its log must contain none of the passwords the suite sent (SPEC §10)."""
    base = tmp_path_factory.mktemp("server")
    port, database = postgres_flags(base)
    srv = ServerProcess(base / "userpool.db", base / "server.log", [*CHEAP_HASH_FLAGS, *database],
                        port=port).start()
    yield srv
    code = srv.stop()
    assert code == 0, f"userpool-server exited with {code} on SIGTERM; stderr tail:\n{srv.stderr()[-2000:]}"
    log = srv.log_path.read_text("utf-8", "replace")
    assert "userpool-server stopped" in log, "no orderly shutdown line in the log"
    # SPEC §10: no log line contains a password (these were all sent during the session).
    leaked = [p for p in PASSWORDS_SENT if p in log]
    assert not leaked, f"{len(leaked)} password(s) used by the suite appear in the server log"


@pytest.fixture(scope="session")
def cognito(server):
    """A boto3 cognito-idp client for the shared server, signed with the dev credential."""
    return server.client()


@pytest.fixture
def pool(cognito):
    """A fresh pool with the default policy."""
    return make_pool(cognito)


@pytest.fixture
def app_client(cognito, pool):
    """A secretless app client of `pool` allowing the password and refresh flows."""
    return make_client(cognito, pool)


@pytest.fixture(scope="session")
def raw_cognito(server):
    """Like `cognito`, without botocore's client-side parameter validation, so requests
    botocore would refuse (missing members, out-of-range numbers) reach the server."""
    from botocore.config import Config

    from support import BOTO_CONFIG

    return server.client(config=BOTO_CONFIG.merge(Config(parameter_validation=False)))
