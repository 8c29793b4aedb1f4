"""Tokens issued on a successful sign-in (SPEC §6 "success", §11 the wire): RS256 JWTs that
verify against the pool's JWKS served over HTTP, Cognito's claims, refresh, revocation by
GlobalSignOut / AdminUserGlobalSignOut / AdminDisableUser, and the token operations GetUser
and ChangePassword."""

import time
import uuid

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from support import (
    INCORRECT,
    PERM,
    PERM2,
    assert_tokens,
    attrs,
    create_user,
    raises_cognito,
    sign_in,
)


def jwks(server, pool):
    response = requests.get(f"{server.url}/{pool}/.well-known/jwks.json", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    keys = response.json()["keys"]
    assert keys, "the pool's JWKS has no key"
    for key in keys:
        assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    return jwt.PyJWKSet.from_dict({"keys": keys})


def verify(server, pool, token, **kwargs):
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    key = jwks(server, pool)[header["kid"]]
    return jwt.decode(token, key=key.key, algorithms=["RS256"], issuer=f"{server.url}/{pool}", **kwargs)


@pytest.fixture
def signed_in(cognito, pool, app_client):
    user = create_user(cognito, pool, "diego", attributes={"email": "diego@example.com", "email_verified": "true"}, permanent=PERM)
    result = sign_in(cognito, app_client["ClientId"], "diego", PERM)
    return {"auth": assert_tokens(result), "sub": attrs(user["Attributes"])["sub"]}


def test_s11_tokens_verify_against_the_pool_jwks_with_cognito_claims(server, pool, app_client, signed_in):
    auth, sub = signed_in["auth"], signed_in["sub"]
    client_id = app_client["ClientId"]
    now = time.time()
    id_claims = verify(server, pool, auth["IdToken"], audience=client_id)
    assert id_claims["token_use"] == "id"
    assert id_claims["cognito:username"] == "diego"
    assert id_claims["aud"] == client_id
    assert id_claims["sub"] == sub
    assert id_claims["email"] == "diego@example.com"
    assert id_claims["iss"] == f"{server.url}/{pool}"
    assert abs(id_claims["iat"] - now) < 60 and id_claims["exp"] > now
    access = verify(server, pool, auth["AccessToken"])
    assert access["token_use"] == "access"
    assert access["client_id"] == client_id
    assert access["username"] == "diego"
    assert access["sub"] == sub
    assert access["iss"] == f"{server.url}/{pool}"
    assert access["exp"] - now == pytest.approx(auth["ExpiresIn"], abs=60)
    # Both tokens of one sign-in share the origin of their session.
    assert uuid.UUID(id_claims["origin_jti"]) == uuid.UUID(access["origin_jti"])
    assert id_claims.get("jti") != access.get("jti")
    assert isinstance(auth.get("RefreshToken"), str) and auth["RefreshToken"]


def test_s11_tokens_do_not_verify_with_another_pools_keys(cognito, server, pool, signed_in):
    from support import make_pool

    other = make_pool(cognito)
    header = jwt.get_unverified_header(signed_in["auth"]["AccessToken"])
    keys = jwks(server, other)
    with pytest.raises((KeyError, jwt.PyJWTError)):
        key = keys[header["kid"]]
        jwt.decode(signed_in["auth"]["AccessToken"], key=key.key, algorithms=["RS256"])


def test_s11_jwks_of_an_unknown_pool_is_not_found(server):
    response = requests.get(f"{server.url}/us-east-1_NoSuchPool/.well-known/jwks.json", timeout=10)
    assert response.status_code == 404
    assert response.json()["__type"] == "ResourceNotFoundException"


@pytest.mark.parametrize("admin", [False, True], ids=["InitiateAuth", "AdminInitiateAuth"])
def test_s11_refresh_token_gives_new_access_and_id_tokens(cognito, server, pool, app_client, signed_in, admin):
    auth = signed_in["auth"]
    params = {"REFRESH_TOKEN": auth["RefreshToken"]}
    if admin:
        result = cognito.admin_initiate_auth(UserPoolId=pool, ClientId=app_client["ClientId"],
                                             AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params)
    else:
        result = cognito.initiate_auth(ClientId=app_client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params)
    fresh = assert_tokens(result)
    assert "RefreshToken" not in fresh  # Cognito returns no new refresh token
    old = verify(server, pool, auth["AccessToken"])
    new = verify(server, pool, fresh["AccessToken"])
    assert new["origin_jti"] == old["origin_jti"] and new["jti"] != old["jti"]
    verify(server, pool, fresh["IdToken"], audience=app_client["ClientId"])
    assert cognito.get_user(AccessToken=fresh["AccessToken"])["Username"] == "diego"


def test_s11_refresh_with_a_garbage_token_is_not_authorized(cognito, app_client):
    with raises_cognito("NotAuthorizedException"):
        cognito.initiate_auth(ClientId=app_client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": "not-a-refresh-token"})


def test_s11_get_user_with_an_access_token(cognito, signed_in):
    out = cognito.get_user(AccessToken=signed_in["auth"]["AccessToken"])
    assert out["Username"] == "diego"
    got = attrs(out["UserAttributes"])
    assert got["sub"] == signed_in["sub"] and got["email"] == "diego@example.com"


def test_s11_get_user_refuses_an_id_token_or_garbage(cognito, signed_in):
    with raises_cognito("NotAuthorizedException"):
        cognito.get_user(AccessToken=signed_in["auth"]["IdToken"])
    with raises_cognito("NotAuthorizedException"):
        cognito.get_user(AccessToken="eyJhbGciOiJSUzI1NiJ9.e30.c2ln")


def test_s11_change_password_with_an_access_token(cognito, app_client, signed_in):
    token = signed_in["auth"]["AccessToken"]
    with raises_cognito("NotAuthorizedException", INCORRECT):
        cognito.change_password(AccessToken=token, PreviousPassword="Wrong-Passw0rd!", ProposedPassword=PERM2)
    out = cognito.change_password(AccessToken=token, PreviousPassword=PERM, ProposedPassword=PERM2)
    assert set(out) == {"ResponseMetadata"}
    assert_tokens(sign_in(cognito, app_client["ClientId"], "diego", PERM2))
    with raises_cognito("NotAuthorizedException", INCORRECT):
        sign_in(cognito, app_client["ClientId"], "diego", PERM)


def assert_revoked(cognito, app_client, auth):
    with raises_cognito("NotAuthorizedException"):
        cognito.get_user(AccessToken=auth["AccessToken"])
    with raises_cognito("NotAuthorizedException"):
        cognito.initiate_auth(ClientId=app_client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": auth["RefreshToken"]})


def test_s11_global_sign_out_revokes_the_tokens(cognito, app_client, signed_in):
    out = cognito.global_sign_out(AccessToken=signed_in["auth"]["AccessToken"])
    assert set(out) == {"ResponseMetadata"}
    assert_revoked(cognito, app_client, signed_in["auth"])
    # Signing in again gives working tokens.
    fresh = assert_tokens(sign_in(cognito, app_client["ClientId"], "diego", PERM))
    assert cognito.get_user(AccessToken=fresh["AccessToken"])["Username"] == "diego"


def test_s11_admin_user_global_sign_out_revokes_the_tokens(cognito, pool, app_client, signed_in):
    out = cognito.admin_user_global_sign_out(UserPoolId=pool, Username="diego")
    assert set(out) == {"ResponseMetadata"}
    assert_revoked(cognito, app_client, signed_in["auth"])


def test_s11_admin_disable_user_revokes_the_tokens(cognito, pool, app_client, signed_in):
    cognito.admin_disable_user(UserPoolId=pool, Username="diego")
    assert_revoked(cognito, app_client, signed_in["auth"])
    cognito.admin_enable_user(UserPoolId=pool, Username="diego")
    # Enabling again does not bring the old tokens back.
    with raises_cognito("NotAuthorizedException"):
        cognito.get_user(AccessToken=signed_in["auth"]["AccessToken"])


def test_s11_sign_out_of_one_user_leaves_another_signed_in(cognito, pool, app_client, signed_in):
    create_user(cognito, pool, "maria", permanent=PERM)
    other = assert_tokens(sign_in(cognito, app_client["ClientId"], "maria", PERM))
    cognito.admin_user_global_sign_out(UserPoolId=pool, Username="diego")
    assert cognito.get_user(AccessToken=other["AccessToken"])["Username"] == "maria"


def test_s11_tokens_survive_a_restart_and_access_tokens_expire_after_an_hour(tmp_path):
    """The pool's signing key is stored: JWKS and issued tokens outlive a restart on the same
    address (the issuer is `http://<address>/<pool>`). Access tokens expire (60 minutes,
    the client's AccessTokenValidity); the refresh token (30 days) still gives new ones."""
    from support import CHEAP_HASH_FLAGS, make_client, make_pool, running

    db = tmp_path / "tokens.db"
    with running(db, tmp_path / "first.log", CHEAP_HASH_FLAGS) as first:
        cognito = first.client()
        pool = make_pool(cognito)
        client = make_client(cognito, pool)["ClientId"]
        create_user(cognito, pool, "diego", permanent=PERM)
        auth = assert_tokens(sign_in(cognito, client, "diego", PERM))
        keys_before = requests.get(f"{first.url}/{pool}/.well-known/jwks.json", timeout=10).json()
    with running(db, tmp_path / "second.log", CHEAP_HASH_FLAGS, port=first.port) as second:
        cognito = second.client()
        keys_after = requests.get(f"{second.url}/{pool}/.well-known/jwks.json", timeout=10).json()
        assert keys_before["keys"] and keys_after == keys_before
        assert cognito.get_user(AccessToken=auth["AccessToken"])["Username"] == "diego"
    with running(db, tmp_path / "later.log", CHEAP_HASH_FLAGS + ["--test-clock-offset-secs", str(2 * 3600)],
                 port=first.port) as later:
        cognito = later.client()
        with raises_cognito("NotAuthorizedException"):
            cognito.get_user(AccessToken=auth["AccessToken"])
        fresh = assert_tokens(cognito.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
                                                    AuthParameters={"REFRESH_TOKEN": auth["RefreshToken"]}))
        assert cognito.get_user(AccessToken=fresh["AccessToken"])["Username"] == "diego"


def _b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_s11_forged_access_tokens_are_refused(cognito, server, pool, signed_in):
    """Classic JWT forgeries of a real access token: `alg: none`, HS256 keyed with the
    pool's public key (algorithm confusion), and a payload edited under the old signature."""
    import json

    from cryptography.hazmat.primitives import serialization

    token = signed_in["auth"]["AccessToken"]
    header_b64, payload_b64, _signature = token.split(".")
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    create_user(cognito, pool, "mallory", permanent=PERM)

    none_header = _b64(json.dumps({**header, "alg": "none"}).encode())
    public_pem = jwks(server, pool)[header["kid"]].key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    hs_header = _b64(json.dumps({**header, "alg": "HS256"}).encode())
    import hashlib
    import hmac

    hs_signature = _b64(hmac.new(public_pem, f"{hs_header}.{payload_b64}".encode(), hashlib.sha256).digest())
    edited_payload = _b64(json.dumps({**claims, "username": "mallory"}).encode())
    forgeries = {
        "alg-none": f"{none_header}.{payload_b64}.",
        "hs256-public-key": f"{hs_header}.{payload_b64}.{hs_signature}",
        "edited-payload": f"{header_b64}.{edited_payload}.{_signature}",
        "no-signature": f"{header_b64}.{payload_b64}.",
    }
    for name, forged in forgeries.items():
        with raises_cognito("NotAuthorizedException"):
            cognito.get_user(AccessToken=forged)
        with raises_cognito("NotAuthorizedException"):
            cognito.change_password(AccessToken=forged, PreviousPassword=PERM, ProposedPassword=PERM2)
    # None of them changed anybody's password.
    assert_tokens(sign_in(cognito, _client_of(cognito, pool), "diego", PERM))
    assert_tokens(sign_in(cognito, _client_of(cognito, pool), "mallory", PERM))


def _client_of(cognito, pool):
    from support import make_client

    return make_client(cognito, pool)["ClientId"]


def test_s11_tokens_of_a_deleted_user_stop_working(cognito, pool, app_client, signed_in):
    cognito.admin_delete_user(UserPoolId=pool, Username="diego")
    with pytest.raises(ClientError) as e:
        cognito.get_user(AccessToken=signed_in["auth"]["AccessToken"])
    assert e.value.response["Error"]["Code"] in ("NotAuthorizedException", "UserNotFoundException")
    with raises_cognito("NotAuthorizedException"):
        cognito.initiate_auth(ClientId=app_client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": signed_in["auth"]["RefreshToken"]})
    # A new user of the same name is not reached by the old tokens.
    create_user(cognito, pool, "diego", permanent=PERM)
    with pytest.raises(ClientError) as e:
        cognito.get_user(AccessToken=signed_in["auth"]["AccessToken"])
    assert e.value.response["Error"]["Code"] in ("NotAuthorizedException", "UserNotFoundException")
