"""SPEC §20: several userpool-server instances on one PostgreSQL database, driven through
boto3 at once.

The database is the one named by USERPOOL_TEST_DATABASE_URL (`.ci/postgres run` starts a
throw-away PostgreSQL and sets it; `.ci/run` does). Each test's instances get a schema of
their own. Without the variable these tests are skipped, loudly, except under CI (CI=true),
where they fail.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from support import (
    BOTO_CONFIG,
    CHEAP_HASH_FLAGS,
    INCORRECT,
    PERM,
    ServerProcess,
    assert_tokens,
    attrs,
    create_user,
    make_client,
    make_pool,
    raises_cognito,
    sign_in,
)

PUBLIC_URL = "http://userpool-instances.test"


def database_url() -> str:
    url = os.environ.get("USERPOOL_TEST_DATABASE_URL")
    if url:
        return url
    message = ("no PostgreSQL: USERPOOL_TEST_DATABASE_URL is not set (run the suite under "
               "`.ci/postgres run ...`)")
    if os.environ.get("CI") in ("true", "1"):
        pytest.fail(message)
    print(f"\n*** SKIPPED: {message} ***")
    pytest.skip(message)


def shared_key_file(base) -> str:
    """One sealing key file for every instance (SPEC §14, §20), made before any starts."""
    path = base / "shared.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
    return str(path)


@pytest.fixture
def instances(tmp_path):
    """Two servers on one fresh schema of the test database, started at the same moment
    (so they migrate the new schema together), with one public URL and one key file."""
    url = database_url()
    schema = f"s20_{uuid.uuid4().hex[:12]}"
    key_file = shared_key_file(tmp_path)
    flags = [*CHEAP_HASH_FLAGS, "--database-url", url, "--database-schema", schema,
             "--public-url", PUBLIC_URL, "--key-file", key_file, "--database-pool-size", "4",
             "--no-rate-limits"]
    servers = [ServerProcess(tmp_path / f"unused{i}.db", tmp_path / f"server{i}.log", flags)
               for i in range(2)]
    with ThreadPoolExecutor(2) as starting:
        list(starting.map(lambda s: s.start(), servers))
    yield servers
    for server in servers:
        assert server.stop() == 0, server.stderr()[-2000:]
    for server in servers:
        log = server.stderr()
        assert PERM not in log and "userpool-test-only" not in log, "a secret reached the log"


def clients(servers):
    config = BOTO_CONFIG.merge(Config(max_pool_connections=16))
    return [s.client(config=config) for s in servers]


def test_s20_instances_starting_together_share_one_database(instances):
    a, b = clients(instances)
    pool = make_pool(a)
    client = make_client(b, pool)
    create_user(a, pool, "diego", permanent=PERM, attributes={"email": "diego@example.com"})
    assert b.admin_get_user(UserPoolId=pool, Username="diego")["UserStatus"] == "CONFIRMED"
    assert pool in {p["Id"] for p in b.list_user_pools(MaxResults=60)["UserPools"]}
    assert_tokens(sign_in(b, client["ClientId"], "diego", PERM))
    assert not any(p.url == instances[0].url for p in instances[1:]), "two processes"


def test_s20_concurrent_admin_writes_through_both_lose_no_update(instances):
    """Each writer owns one attribute and writes it through alternating instances while
    another changes the password: a lost update would leave some attribute behind."""
    a, b = clients(instances)
    pool = make_pool(a)
    client = make_client(a, pool)
    create_user(a, pool, "diego", permanent=PERM)
    owned = ["given_name", "family_name", "middle_name", "nickname", "profile", "website"]
    rounds = 6

    def write_attribute(index: int) -> str:
        name = owned[index]
        for r in range(rounds):
            via = (a, b)[(index + r) % 2]
            via.admin_update_user_attributes(
                UserPoolId=pool, Username="diego",
                UserAttributes=[{"Name": name, "Value": f"{name}-{r}"}])
        return name

    passwords = [f"Rotated-Pass{r}!x" for r in range(rounds)]

    def write_passwords(_: int) -> str:
        for r, password in enumerate(passwords):
            (a, b)[r % 2].admin_set_user_password(UserPoolId=pool, Username="diego",
                                                  Password=password, Permanent=True)
        return "password"

    with ThreadPoolExecutor(len(owned) + 1) as writers:
        jobs = [writers.submit(write_attribute, i) for i in range(len(owned))]
        jobs.append(writers.submit(write_passwords, 0))
        done = [job.result() for job in jobs]
    assert len(done) == len(owned) + 1
    for via in (a, b):
        got = attrs(via.admin_get_user(UserPoolId=pool, Username="diego")["UserAttributes"])
        for name in owned:
            assert got.get(name) == f"{name}-{rounds - 1}", (name, got)
    assert_tokens(sign_in(b, client["ClientId"], "diego", passwords[-1]))
    with raises_cognito("NotAuthorizedException", INCORRECT):
        sign_in(a, client["ClientId"], "diego", passwords[-2])


def test_s20_concurrent_wrong_passwords_through_both_are_counted_exactly(instances):
    """Five failures are free, the sixth starts a lockout (SPEC §6). Five wrong passwords
    at once through both instances, then a sixth: it is answered as a wrong password (so
    no more than five were counted) and starts the lockout (so all five were)."""
    a, b = clients(instances)
    pool = make_pool(a)
    client = make_client(a, pool)["ClientId"]
    create_user(a, pool, "diego", permanent=PERM)

    def attempt(i: int) -> str:
        try:
            sign_in((a, b)[i % 2], client, "diego", "Wrong-Passw0rd!")
            return "signed in"
        except ClientError as e:
            return f"{e.response['Error']['Code']}: {e.response['Error'].get('Message')}"

    with ThreadPoolExecutor(5) as attempts:
        outcomes = Counter(attempts.map(attempt, range(5)))
    assert outcomes == Counter({f"NotAuthorizedException: {INCORRECT}": 5}), outcomes
    with raises_cognito("NotAuthorizedException", INCORRECT):
        sign_in(b, client, "diego", "Wrong-Passw0rd!")
    with raises_cognito("NotAuthorizedException", "Password attempts exceeded"):
        sign_in(a, client, "diego", PERM)


def test_s20_tokens_issued_by_one_instance_are_honoured_by_the_other(instances):
    a, b = clients(instances)
    pool = make_pool(a)
    client = make_client(a, pool)["ClientId"]
    create_user(a, pool, "diego", permanent=PERM)
    auth = assert_tokens(sign_in(a, client, "diego", PERM))
    assert b.get_user(AccessToken=auth["AccessToken"])["Username"] == "diego"
    fresh = assert_tokens(b.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
                                          AuthParameters={"REFRESH_TOKEN": auth["RefreshToken"]}))
    assert a.get_user(AccessToken=fresh["AccessToken"])["Username"] == "diego"
    # Both publish the same key (stored once, first writer wins, sealed under the shared
    # key file).
    jwks = [requests.get(f"{s.url}/{pool}/.well-known/jwks.json", timeout=10).json()
            for s in instances]
    assert jwks[0] == jwks[1] and jwks[0]["keys"], jwks
    # A sign-out through one revokes everywhere.
    b.global_sign_out(AccessToken=fresh["AccessToken"])
    with raises_cognito("NotAuthorizedException"):
        a.get_user(AccessToken=auth["AccessToken"])
    with raises_cognito("NotAuthorizedException"):
        a.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
                        AuthParameters={"REFRESH_TOKEN": auth["RefreshToken"]})


CLUSTER_SCRIPT = Path(__file__).resolve().parents[4] / ".ci" / "postgres"


def cluster(command: str, directory, **env) -> str:
    out = subprocess.run([str(CLUSTER_SCRIPT), command, str(directory)], capture_output=True,
                         text=True, timeout=120, env={**os.environ, **env})
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_s20_a_database_that_goes_away_fails_requests_then_serves_them_again(tmp_path):
    """A private PostgreSQL (so the shared one stays up for the other tests), crashed and
    started again under a running server: requests fail with InternalErrorException while
    it is down, and succeed after, with every acknowledged write there."""
    database_url()
    # Not under pytest's private tmp_path: the server runs as the `postgres` account, which
    # must reach its directory.
    directory = Path(tempfile.mkdtemp(prefix="userpool-pg-"))
    url = cluster("start", directory)
    server = None
    try:
        server = ServerProcess(tmp_path / "unused.db", tmp_path / "server.log", [
            *CHEAP_HASH_FLAGS, "--database-url", url, "--public-url", PUBLIC_URL,
            "--key-file", shared_key_file(tmp_path), "--database-pool-size", "2",
            "--no-rate-limits"]).start()
        cognito = server.client()
        pool = make_pool(cognito)
        client = make_client(cognito, pool)["ClientId"]
        create_user(cognito, pool, "diego", permanent=PERM, attributes={"nickname": "before"})
        cognito.admin_update_user_attributes(UserPoolId=pool, Username="diego",
                                             UserAttributes=[{"Name": "nickname", "Value": "acked"}])

        cluster("down", directory, PG_STOP_MODE="immediate")
        with raises_cognito("InternalErrorException"):
            cognito.admin_get_user(UserPoolId=pool, Username="diego")
        with raises_cognito("InternalErrorException"):
            sign_in(cognito, client, "diego", PERM)

        cluster("up", directory)
        got = attrs(cognito.admin_get_user(UserPoolId=pool, Username="diego")["UserAttributes"])
        assert got["nickname"] == "acked"
        assert_tokens(sign_in(cognito, client, "diego", PERM))
        log = server.stderr()
        assert "userpool-test-only" not in log, "the database password reached the log"
    finally:
        if server is not None:
            assert server.stop() == 0
        cluster("stop", directory)
