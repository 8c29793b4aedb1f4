"""SPEC §19: `Userpool.AdminImportUsers` with password hashes made, during the test, by
independent tools (Python's `bcrypt`, `passlib` — including its Django layout — `hashlib`
and `argon2-cffi`), users signing in over the wire, and the stored credential turning into
the pool's argon2id at the first successful sign-in."""

import base64
import hashlib
import json
import os
import sqlite3

import argon2
import bcrypt
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from passlib import hash as passlib_hash

from support import (DEV_ACCESS_KEY_ID, DEV_SECRET_ACCESS_KEY, INCORRECT, REGION, make_client, make_pool,
                     raises_cognito, sign_in, unique)

PASSWORD = "Imported-Passw0rd!"
TARGET = "Userpool.AdminImportUsers"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def foreign_hashes(password: str) -> dict[str, str]:
    """One hash per tool and scheme, each made now by that tool."""
    raw = password.encode()
    salt = os.urandom(16)
    return {
        "bcrypt": bcrypt.hashpw(raw, bcrypt.gensalt(4)).decode(),
        "passlib-pbkdf2-sha256": passlib_hash.pbkdf2_sha256.using(rounds=1000).hash(password),
        "passlib-pbkdf2-sha512": passlib_hash.pbkdf2_sha512.using(rounds=1000).hash(password),
        "passlib-django": passlib_hash.django_pbkdf2_sha256.using(rounds=1000).hash(password),
        "passlib-scrypt": passlib_hash.scrypt.using(rounds=10).hash(password),
        "hashlib-scrypt": f"$scrypt$ln=10,r=8,p=1${b64(salt)}${b64(hashlib.scrypt(raw, salt=salt, n=1024, r=8, p=1, dklen=32))}",
        "hashlib-pbkdf2": f"$pbkdf2-sha256$i=1000,l=32${b64(salt)}${b64(hashlib.pbkdf2_hmac('sha256', raw, salt, 1000))}",
        "argon2-cffi-id": argon2.PasswordHasher(time_cost=1, memory_cost=256, parallelism=1).hash(password),
        "argon2-cffi-i": argon2.PasswordHasher(time_cost=2, memory_cost=256, parallelism=1, type=argon2.Type.I).hash(password),
    }


def import_users(server, body: dict, *, signed: bool = True) -> tuple[int, dict]:
    """POSTs the extension operation, SigV4-signed as botocore signs cognito-idp requests."""
    data = json.dumps(body)
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET}
    request = AWSRequest(method="POST", url=server.url + "/", data=data, headers=headers)
    if signed:
        SigV4Auth(Credentials(DEV_ACCESS_KEY_ID, DEV_SECRET_ACCESS_KEY), "cognito-idp", REGION).add_auth(request)
    response = requests.post(server.url + "/", data=data, headers=dict(request.headers.items()), timeout=30)
    return response.status_code, response.json()


# The stored credential is read from the server's SQLite file; when the suite runs with the
# server on PostgreSQL (SPEC §20) those reads are skipped and the sign-ins still checked.
ON_POSTGRES = os.environ.get("USERPOOL_E2E_POSTGRES") == "1"


def stored_hash(server, pool: str, username: str):
    """The user's stored credential, or None when the server keeps it in PostgreSQL."""
    if ON_POSTGRES:
        return None
    with sqlite3.connect(server.db) as con:
        (stored,) = con.execute(
            "SELECT credential_hash FROM users WHERE pool_id = ? AND username = ?", (pool, username)
        ).fetchone()
    return stored


def test_s19_hashes_from_independent_tools_sign_in_and_become_argon2id(server, cognito):
    pool = make_pool(cognito)
    client = make_client(cognito, pool)["ClientId"]
    hashes = foreign_hashes(PASSWORD)
    users = [
        {"Username": name, "PasswordHash": h,
         "UserAttributes": [{"Name": "email", "Value": f"{name}@example.com"}]}
        for name, h in hashes.items()
    ]
    status, out = import_users(server, {"UserPoolId": pool, "Users": users})
    assert status == 200, out
    assert out == {"Imported": len(users), "Failed": []}
    for name in hashes:
        user = cognito.admin_get_user(UserPoolId=pool, Username=name)
        assert user["UserStatus"] == "CONFIRMED"
        stored = stored_hash(server, pool, name)
        assert stored is None or stored.startswith("import:"), name
        with raises_cognito("NotAuthorizedException", INCORRECT):
            sign_in(cognito, client, name, "Wrong-Passw0rd!")
        result = sign_in(cognito, client, name, PASSWORD)
        assert "AccessToken" in result["AuthenticationResult"], name
        after = stored_hash(server, pool, name)
        assert after is None or after.startswith("$argon2id$v=19$m=1024,t=1,p=1$"), f"{name}: {after[:20]}"
        # The pool's own hash verifies the same password from now on.
        assert "AccessToken" in sign_in(cognito, client, name, PASSWORD)["AuthenticationResult"]


def test_s19_a_wrong_password_against_an_imported_hash_counts_toward_lockout(server, cognito):
    pool = make_pool(cognito)
    client = make_client(cognito, pool)["ClientId"]
    name = unique("locked")
    h = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    status, out = import_users(server, {"UserPoolId": pool, "Users": [{"Username": name, "PasswordHash": h}]})
    assert (status, out["Imported"]) == (200, 1), out
    for _ in range(6):
        with raises_cognito("NotAuthorizedException", INCORRECT):
            sign_in(cognito, client, name, "Wrong-Passw0rd!")
    # The sixth failure started a lockout: even the right password is refused unverified.
    with raises_cognito("NotAuthorizedException", "Password attempts exceeded"):
        sign_in(cognito, client, name, PASSWORD)
    assert stored_hash(server, pool, name) in (None, "import:" + h)


def test_s19_failures_are_per_user_and_the_call_is_admin_only(server, cognito):
    pool = make_pool(cognito)
    good = passlib_hash.pbkdf2_sha256.using(rounds=1000).hash(PASSWORD)
    body = {"UserPoolId": pool, "Users": [
        {"Username": "fine", "PasswordHash": good},
        # passlib's layout with 3 000 000 rounds (over the 1 500 000 ceiling): refused unread.
        {"Username": "costly",
         "PasswordHash": "$pbkdf2-sha256$3000000$" + b64(os.urandom(16)).replace("+", ".") + "$"
                         + b64(os.urandom(32)).replace("+", ".")},
        {"Username": "md5", "PasswordHash": "5f4dcc3b5aa765d61d8327deb882cf99"},
    ]}
    status, out = import_users(server, body)
    assert status == 200, out
    assert out["Imported"] == 1
    assert [(f["Username"], f["Code"]) for f in out["Failed"]] == [
        ("costly", "InvalidParameterException"), ("md5", "InvalidParameterException")]
    assert "iterations is above the ceiling" in out["Failed"][0]["Message"]
    assert all(good not in f["Message"] for f in out["Failed"])
    for name in ("costly", "md5"):
        with raises_cognito("UserNotFoundException"):
            cognito.admin_get_user(UserPoolId=pool, Username=name)
    status, out = import_users(server, {"UserPoolId": pool, "Users": [{"Username": "x", "PasswordHash": good}]},
                               signed=False)
    assert status == 400, out
    with raises_cognito("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool, Username="x")
