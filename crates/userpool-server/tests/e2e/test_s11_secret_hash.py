"""SECRET_HASH (SPEC §11, public operations through an app client with a secret):
Base64(HMAC-SHA256(client secret, username + client id)); missing or wrong is refused."""

import base64
import hashlib
import hmac

import pytest

from support import PERM, assert_tokens, create_user, make_client, raises_cognito, sign_in


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@pytest.fixture
def secret_client(cognito, pool):
    client = make_client(cognito, pool, secret=True)
    assert client["ClientSecret"]
    create_user(cognito, pool, "diego", permanent=PERM)
    return client


def test_s11_secret_hash_missing_is_refused(cognito, secret_client):
    cid = secret_client["ClientId"]
    with raises_cognito("NotAuthorizedException", f"Client {cid} is configured for secret but secret was not received"):
        sign_in(cognito, cid, "diego", PERM)


def test_s11_secret_hash_right_is_accepted(cognito, secret_client):
    cid = secret_client["ClientId"]
    auth = assert_tokens(sign_in(cognito, cid, "diego", PERM, SECRET_HASH=secret_hash(secret_client["ClientSecret"], "diego", cid)))
    # The refresh flow takes the hash too (computed over the username).
    result = cognito.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
        "REFRESH_TOKEN": auth["RefreshToken"], "SECRET_HASH": secret_hash(secret_client["ClientSecret"], "diego", cid)})
    assert_tokens(result)


def test_s11_secret_hash_wrong_is_refused(cognito, secret_client):
    cid = secret_client["ClientId"]
    for wrong in [secret_hash(secret_client["ClientSecret"], "maria", cid), secret_hash("not-the-secret", "diego", cid), "!!!"]:
        with raises_cognito("NotAuthorizedException", f"Unable to verify secret hash for client {cid}"):
            sign_in(cognito, cid, "diego", PERM, SECRET_HASH=wrong)


def test_s11_secret_hash_on_sign_up_and_forgot_password(cognito, pool, secret_client):
    cid, secret = secret_client["ClientId"], secret_client["ClientSecret"]
    with raises_cognito("NotAuthorizedException", f"Client {cid} is configured for secret but secret was not received"):
        cognito.sign_up(ClientId=cid, Username="maria", Password=PERM)
    out = cognito.sign_up(ClientId=cid, Username="maria", Password=PERM, SecretHash=secret_hash(secret, "maria", cid))
    assert out["UserConfirmed"] is False
    with raises_cognito("NotAuthorizedException", f"Unable to verify secret hash for client {cid}"):
        cognito.forgot_password(ClientId=cid, Username="diego", SecretHash=secret_hash(secret, "maria", cid))


def test_s11_describe_user_pool_client_returns_the_secret(cognito, pool, secret_client):
    out = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=secret_client["ClientId"])["UserPoolClient"]
    assert out["ClientSecret"] == secret_client["ClientSecret"]
