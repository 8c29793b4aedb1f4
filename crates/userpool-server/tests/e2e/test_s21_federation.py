"""SPEC §21 federation in a real browser: Debian's Chromium, driven by Playwright, clicks
the provider's button on one pool's hosted page and signs in on another pool of the same
server, which acts as the OpenID Connect provider (its authorize endpoint, hosted page,
token endpoint, userInfo and JWKS). An off-the-shelf OIDC client (authlib) drives the
downstream pool; the id token is verified (PyJWT) with the keys its discovery names."""

import jwt

from support import PERM, create_user, make_pool, unique
from test_s21_hosted_page import (  # noqa: F401 (pytest fixtures, used by name)
    authorize_url, browser, callback, discovery, sign_in_on_page,
)


def test_s21_browser_signs_in_through_another_pool_as_oidc_provider(server, cognito, browser, callback):  # noqa: F811
    upstream, downstream = make_pool(cognito), make_pool(cognito)
    username = unique("ursula")
    create_user(cognito, upstream, username, permanent=PERM, attributes={"email": "ursula@example.com"})
    sub = next(a["Value"] for a in cognito.admin_get_user(UserPoolId=upstream, Username=username)["UserAttributes"]
               if a["Name"] == "sub")
    rp = cognito.create_user_pool_client(
        UserPoolId=upstream, ClientName=unique("rp"), GenerateSecret=True,
        AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=[f"{server.url}/{downstream}/oauth2/idpresponse"],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    cognito.create_identity_provider(
        UserPoolId=downstream, ProviderName="Upstream", ProviderType="OIDC",
        ProviderDetails={
            "client_id": rp["ClientId"], "client_secret": rp["ClientSecret"],
            # userInfo read by POST here (the Rust test reads it by GET).
            "authorize_scopes": "openid email", "attributes_request_method": "POST",
            "oidc_issuer": f"{server.url}/{upstream}",
        },
        AttributeMapping={"email": "email", "username": "sub"},
    )
    client = cognito.create_user_pool_client(
        UserPoolId=downstream, ClientName=unique("web"), GenerateSecret=False,
        AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["openid", "email"], CallbackURLs=[callback.url],
        SupportedIdentityProviders=["COGNITO", "Upstream"],
    )["UserPoolClient"]
    config = discovery(server, downstream)
    session, url, state, verifier, nonce = authorize_url(config, client["ClientId"], callback.url)

    page = browser.new_page()
    page.goto(url)
    assert page.locator("script").count() == 0
    page.get_by_role("button", name="Continue with Upstream").click()
    # Now on the upstream pool's page, as on any OIDC provider's.
    assert f"/{upstream}/" in page.url, page.url
    sign_in_on_page(page, username, PERM)
    page.wait_for_url(f"{callback.url}*")

    token = session.fetch_token(config["token_endpoint"], authorization_response=page.url,
                                code_verifier=verifier)
    key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(token["id_token"]).key
    claims = jwt.decode(token["id_token"], key, algorithms=["RS256"],
                        audience=client["ClientId"], issuer=config["issuer"])
    assert claims["nonce"] == nonce
    assert claims["cognito:username"] == f"Upstream_{sub}"
    assert claims["email"] == "ursula@example.com"
    assert claims["identities"][0]["providerName"] == "Upstream"
    assert claims["identities"][0]["userId"] == sub
    user = cognito.admin_get_user(UserPoolId=downstream, Username=f"Upstream_{sub}")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    listed = cognito.list_users(UserPoolId=downstream)["Users"]
    assert [u["UserStatus"] for u in listed] == ["EXTERNAL_PROVIDER"]
