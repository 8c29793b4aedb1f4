"""SPEC §15: SRP sign-in (USER_SRP_AUTH → PASSWORD_VERIFIER) with the clients real
applications use, unchanged, against the real server: pycognito (its `Cognito` class, which
also verifies the tokens against the pool's JWKS fetched from the server), and
amazon-cognito-identity-js under Node (installed with `npm ci` from the pinned
`js/package-lock.json` into `<workspace>/target/e2e-node`; the test fails, never skips,
without node and npm).

Every password write is followed by an SRP sign-in; wrong and old passwords, disabled and
unconfirmed users, a client with a secret, and pools where the email is an alias or the
username all behave as with Cognito."""

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pycognito import Cognito
from pycognito.exceptions import ForceChangePasswordException

from support import (
    AUTH_FLOWS,
    BOTO_CONFIG,
    DEV_ACCESS_KEY_ID,
    DEV_SECRET_ACCESS_KEY,
    INCORRECT,
    PERM,
    PERM2,
    PERM3,
    TEMP,
    create_user,
    make_pool,
    raises_cognito,
    sign_in,
    unique,
)

SRP_FLOWS = [*AUTH_FLOWS, "ALLOW_USER_SRP_AUTH"]


def srp_app_client(cognito, pool_id: str, *, secret: bool = False, prevent: bool = False) -> dict:
    return cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=unique("srp"),
        GenerateSecret=secret,
        ExplicitAuthFlows=SRP_FLOWS,
        PreventUserExistenceErrors="ENABLED" if prevent else "LEGACY",
    )["UserPoolClient"]


def pycognito_user(server, pool_id: str, client: dict, username: str) -> Cognito:
    """pycognito's `Cognito`, pointed at the server: its `user_pool_url` (the issuer it
    checks, and where it fetches the JWKS) is then `<server>/<pool>`, the server's issuer."""
    return Cognito(
        pool_id,
        client["ClientId"],
        username=username,
        client_secret=client.get("ClientSecret"),
        botocore_config=BOTO_CONFIG,
        boto3_client_kwargs={
            "endpoint_url": server.url,
            "aws_access_key_id": DEV_ACCESS_KEY_ID,
            "aws_secret_access_key": DEV_SECRET_ACCESS_KEY,
        },
    )


def srp_sign_in(server, pool_id: str, client: dict, username: str, password: str) -> Cognito:
    """A whole SRP sign-in with pycognito; its tokens verified against the pool's JWKS."""
    user = pycognito_user(server, pool_id, client, username)
    user.authenticate(password=password)
    assert user.access_claims["token_use"] == "access"
    assert user.id_claims["token_use"] == "id"
    return user


@pytest.fixture
def srp_client(cognito, pool):
    return srp_app_client(cognito, pool)


def test_s15_pycognito_signs_in_and_the_tokens_verify_and_refresh(cognito, server, pool, srp_client):
    user = create_user(cognito, pool, "sara", attributes={"email": "sara@example.com"}, permanent=PERM)
    sub = {a["Name"]: a["Value"] for a in user["Attributes"]}["sub"]
    signed = srp_sign_in(server, pool, srp_client, "sara", PERM)
    assert signed.id_claims["sub"] == sub
    assert signed.id_claims["cognito:username"] == "sara"
    assert signed.id_claims["aud"] == srp_client["ClientId"]
    assert signed.access_claims["client_id"] == srp_client["ClientId"]
    assert signed.refresh_token
    first = signed.access_token
    signed.renew_access_token()  # REFRESH_TOKEN_AUTH; the new tokens are verified again
    assert signed.access_claims["sub"] == sub
    assert signed.access_token != first or signed.access_claims["sub"] == sub


def test_s15_wrong_and_old_passwords_are_refused(cognito, server, pool, srp_client):
    create_user(cognito, pool, "omar", permanent=PERM)
    with raises_cognito("NotAuthorizedException", INCORRECT):
        srp_sign_in(server, pool, srp_client, "omar", PERM2)
    signed = srp_sign_in(server, pool, srp_client, "omar", PERM)
    cognito.change_password(PreviousPassword=PERM, ProposedPassword=PERM2, AccessToken=signed.access_token)
    with raises_cognito("NotAuthorizedException", INCORRECT):
        srp_sign_in(server, pool, srp_client, "omar", PERM)
    srp_sign_in(server, pool, srp_client, "omar", PERM2)


def test_s15_force_change_password_through_new_password_challenge(cognito, server, pool, srp_client):
    create_user(cognito, pool, "fcp", temporary=TEMP)
    user = pycognito_user(server, pool, srp_client, "fcp")
    with pytest.raises(ForceChangePasswordException):
        user.authenticate(password=TEMP)
    user.new_password_challenge(password=TEMP, new_password=PERM)
    assert cognito.admin_get_user(UserPoolId=pool, Username="fcp")["UserStatus"] == "CONFIRMED"
    srp_sign_in(server, pool, srp_client, "fcp", PERM)
    with raises_cognito("NotAuthorizedException", INCORRECT):
        srp_sign_in(server, pool, srp_client, "fcp", TEMP)


def test_s15_a_client_with_a_secret(cognito, server, pool):
    client = srp_app_client(cognito, pool, secret=True)
    assert client.get("ClientSecret")
    create_user(cognito, pool, "sec", permanent=PERM)
    srp_sign_in(server, pool, client, "sec", PERM)
    # Without SECRET_HASH the server refuses before any SRP work.
    with raises_cognito("NotAuthorizedException"):
        cognito.initiate_auth(
            ClientId=client["ClientId"], AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "sec", "SRP_A": "0a"}
        )


def test_s15_disabled_and_unconfirmed_users(cognito, server, pool, srp_client):
    create_user(cognito, pool, "dora", permanent=PERM)
    cognito.admin_disable_user(UserPoolId=pool, Username="dora")
    with raises_cognito("NotAuthorizedException", "User is disabled."):
        srp_sign_in(server, pool, srp_client, "dora", PERM)
    cognito.sign_up(ClientId=srp_client["ClientId"], Username="una", Password=PERM)
    with raises_cognito("UserNotConfirmedException"):
        srp_sign_in(server, pool, srp_client, "una", PERM)
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username="una")
    srp_sign_in(server, pool, srp_client, "una", PERM)


def test_s15_unknown_users(cognito, server, pool):
    plain = srp_app_client(cognito, pool)
    with raises_cognito("UserNotFoundException"):
        srp_sign_in(server, pool, plain, "nobody", PERM)
    prevent = srp_app_client(cognito, pool, prevent=True)
    with raises_cognito("NotAuthorizedException", INCORRECT):
        srp_sign_in(server, pool, prevent, "nobody", PERM)


def test_s15_every_password_write_then_srp(cognito, server, pool, srp_client):
    cid = srp_client["ClientId"]
    # AdminSetUserPassword, permanent and temporary.
    create_user(cognito, pool, "w1", permanent=PERM)
    srp_sign_in(server, pool, srp_client, "w1", PERM)
    cognito.admin_set_user_password(UserPoolId=pool, Username="w1", Password=PERM2, Permanent=False)
    user = pycognito_user(server, pool, srp_client, "w1")
    with pytest.raises(ForceChangePasswordException):
        user.authenticate(password=PERM2)
    # The NEW_PASSWORD_REQUIRED answer (through the password flow's session this time).
    session = sign_in(cognito, cid, "w1", PERM2)["Session"]
    cognito.respond_to_auth_challenge(
        ClientId=cid,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=session,
        ChallengeResponses={"USERNAME": "w1", "NEW_PASSWORD": PERM3},
    )
    srp_sign_in(server, pool, srp_client, "w1", PERM3)
    # SignUp + ConfirmSignUp (code from the server log), then ForgotPassword +
    # ConfirmForgotPassword.
    offset = server.log_offset()
    cognito.sign_up(
        ClientId=cid, Username="w2", Password=PERM, UserAttributes=[{"Name": "email", "Value": "w2@example.com"}]
    )
    code = server.code_for("w2", "SignUp", after=offset)
    cognito.confirm_sign_up(ClientId=cid, Username="w2", ConfirmationCode=code)
    srp_sign_in(server, pool, srp_client, "w2", PERM)
    cognito.admin_update_user_attributes(
        UserPoolId=pool, Username="w2", UserAttributes=[{"Name": "email_verified", "Value": "true"}]
    )
    offset = server.log_offset()
    cognito.forgot_password(ClientId=cid, Username="w2")
    code = server.code_for("w2", "PasswordReset", after=offset)
    cognito.confirm_forgot_password(ClientId=cid, Username="w2", ConfirmationCode=code, Password=PERM2)
    srp_sign_in(server, pool, srp_client, "w2", PERM2)
    with raises_cognito("NotAuthorizedException", INCORRECT):
        srp_sign_in(server, pool, srp_client, "w2", PERM)


def test_s15_email_alias_pool_uses_the_username_as_user_id_for_srp(cognito, server):
    pool = make_pool(cognito, AliasAttributes=["email"])
    client = srp_app_client(cognito, pool)
    create_user(cognito, pool, "alias", attributes={"email": "alias@example.com", "email_verified": "true"}, permanent=PERM)
    raw = cognito.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": "alias@example.com", "SRP_A": "0a"},
    )
    assert raw["ChallengeName"] == "PASSWORD_VERIFIER"
    params = raw["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "alias" and params["USERNAME"] == "alias"
    assert set(params) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
    signed = srp_sign_in(server, pool, client, "alias@example.com", PERM)
    assert signed.id_claims["cognito:username"] == "alias"


def test_s15_email_as_username_pool(cognito, server):
    pool = make_pool(cognito, UsernameAttributes=["email"])
    client = srp_app_client(cognito, pool)
    created = create_user(cognito, pool, "eve@example.com", permanent=PERM)
    generated = created["Username"]
    assert generated != "eve@example.com"
    signed = srp_sign_in(server, pool, client, "eve@example.com", PERM)
    assert signed.id_claims["cognito:username"] == generated


# --- amazon-cognito-identity-js under Node ------------------------------------------------

JS_DIR = Path(__file__).resolve().parent / "js"


@pytest.fixture(scope="module")
def node_modules():
    """`npm ci` of js/package-lock.json into <workspace>/target/e2e-node (again only when
    the lock file changed). Fails loudly without node or npm."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are required for the amazon-cognito-identity-js tests (SPEC §15); install nodejs and npm")
    root = JS_DIR.parents[4]  # crates/userpool-server/tests/e2e/js -> the workspace
    target = root / "target" / "e2e-node"
    target.mkdir(parents=True, exist_ok=True)
    lock = (JS_DIR / "package-lock.json").read_bytes()
    wanted = hashlib.sha256((JS_DIR / "package.json").read_bytes() + lock).hexdigest()
    stamp = target / ".lock-stamp"
    if not stamp.exists() or stamp.read_text() != wanted or not (target / "node_modules").is_dir():
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(JS_DIR / name, target / name)
        done = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=target,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"npm ci failed ({done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        stamp.write_text(wanted)
    return node, target / "node_modules"


def js_sign_in(node_modules, server, pool_id, client_id, username, password, new_password=None) -> dict:
    node, modules = node_modules
    args = [node, str(JS_DIR / "srp_sign_in.cjs"), server.url, pool_id, client_id, username, password]
    if new_password:
        args.append(new_password)
    env = {**os.environ, "NODE_PATH": str(modules)}
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, f"node failed ({done.returncode}):\n{done.stderr[-4000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_s15_js_authenticate_user(cognito, server, pool, srp_client, node_modules):
    create_user(cognito, pool, "jsuser", permanent=PERM)
    out = js_sign_in(node_modules, server, pool, srp_client["ClientId"], "jsuser", PERM)
    assert out["outcome"] == "tokens", out
    claims = cognito.get_user(AccessToken=out["accessToken"])
    assert claims["Username"] == "jsuser"


def test_s15_js_wrong_password_is_not_authorized(cognito, server, pool, srp_client, node_modules):
    create_user(cognito, pool, "jswrong", permanent=PERM)
    out = js_sign_in(node_modules, server, pool, srp_client["ClientId"], "jswrong", PERM2)
    assert out == {"outcome": "error", "code": "NotAuthorizedException", "message": INCORRECT}


def test_s15_js_new_password_required_then_complete(cognito, server, pool, srp_client, node_modules):
    create_user(cognito, pool, "jsnew", temporary=TEMP, attributes={"email": "jsnew@example.com"})
    out = js_sign_in(node_modules, server, pool, srp_client["ClientId"], "jsnew", TEMP)
    assert out["outcome"] == "newPasswordRequired", out
    assert out["userAttributes"].get("email") == "jsnew@example.com"
    assert out["requiredAttributes"] == []
    out = js_sign_in(node_modules, server, pool, srp_client["ClientId"], "jsnew", TEMP, PERM)
    assert out["outcome"] == "tokens", out
    user = cognito.admin_get_user(UserPoolId=pool, Username="jsnew")
    assert user["UserStatus"] == "CONFIRMED"
    # The attributes sent back with the answer (`userAttributes.*`) were written with it.
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["name"] == "JS User"
    assert attributes["email"] == "jsnew@example.com"
    out = js_sign_in(node_modules, server, pool, srp_client["ClientId"], "jsnew", PERM)
    assert out["outcome"] == "tokens", out
