"""SPEC §21 over the wire: domains, resource servers, identity providers and the app
client's OAuth settings through boto3; the token endpoint's client-credentials grant and
its refusals over raw HTTP."""

import base64

import jwt
import requests

from support import raises_cognito, unique


# --- domains --------------------------------------------------------------------------


def test_s21_domain_create_describe_update_delete(cognito, pool):
    domain = unique("auth").lower()
    out = cognito.create_user_pool_domain(UserPoolId=pool, Domain=domain)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    desc = cognito.describe_user_pool_domain(Domain=domain)["DomainDescription"]
    assert desc["UserPoolId"] == pool
    assert desc["Domain"] == domain
    assert desc["Status"] == "ACTIVE"
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["Domain"] == domain

    cognito.update_user_pool_domain(UserPoolId=pool, Domain=domain, ManagedLoginVersion=2)
    assert cognito.describe_user_pool_domain(Domain=domain)["DomainDescription"]["ManagedLoginVersion"] == 2

    cognito.delete_user_pool_domain(UserPoolId=pool, Domain=domain)
    assert cognito.describe_user_pool_domain(Domain=domain)["DomainDescription"] == {}


def test_s21_domain_is_unique_and_one_per_pool(cognito, pool):
    domain = unique("auth").lower()
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=domain)
    other = cognito.create_user_pool(PoolName=unique("pool"))["UserPool"]["Id"]
    with raises_cognito("InvalidParameterException", "Domain already exists."):
        cognito.create_user_pool_domain(UserPoolId=other, Domain=domain)
    with raises_cognito("InvalidParameterException", "User pool already has a domain configured."):
        cognito.create_user_pool_domain(UserPoolId=pool, Domain=unique("second").lower())


def test_s21_domain_prefix_rules(cognito, pool):
    for bad in ["-auth", "auth-", "Auth", "a_b", "my-cognito-app", "x" * 64]:
        with raises_cognito("InvalidParameterException"):
            cognito.create_user_pool_domain(UserPoolId=pool, Domain=bad)
    with raises_cognito("ResourceNotFoundException"):
        cognito.create_user_pool_domain(UserPoolId="us-east-1_Nope0000", Domain=unique("x").lower())
    with raises_cognito("InvalidParameterException"):
        cognito.delete_user_pool_domain(UserPoolId=pool, Domain=unique("never").lower())


# --- resource servers -----------------------------------------------------------------


def test_s21_resource_server_lifecycle(cognito, pool):
    scopes = [{"ScopeName": "read", "ScopeDescription": "Read orders"},
              {"ScopeName": "write", "ScopeDescription": "Write orders"}]
    rs = cognito.create_resource_server(UserPoolId=pool, Identifier="https://orders.example.com",
                                        Name="Orders", Scopes=scopes)["ResourceServer"]
    assert rs == {"UserPoolId": pool, "Identifier": "https://orders.example.com", "Name": "Orders",
                  "Scopes": scopes}
    got = cognito.describe_resource_server(UserPoolId=pool, Identifier="https://orders.example.com")
    assert got["ResourceServer"] == rs
    cognito.create_resource_server(UserPoolId=pool, Identifier="billing", Name="Billing")
    page = cognito.list_resource_servers(UserPoolId=pool, MaxResults=1)
    assert [r["Identifier"] for r in page["ResourceServers"]] == ["billing"]
    rest = cognito.list_resource_servers(UserPoolId=pool, MaxResults=50, NextToken=page["NextToken"])
    assert [r["Identifier"] for r in rest["ResourceServers"]] == ["https://orders.example.com"]
    assert "NextToken" not in rest

    updated = cognito.update_resource_server(UserPoolId=pool, Identifier="billing", Name="Billing 2",
                                             Scopes=[{"ScopeName": "pay", "ScopeDescription": "Pay"}])
    assert updated["ResourceServer"]["Scopes"] == [{"ScopeName": "pay", "ScopeDescription": "Pay"}]
    cognito.delete_resource_server(UserPoolId=pool, Identifier="billing")
    with raises_cognito("ResourceNotFoundException"):
        cognito.describe_resource_server(UserPoolId=pool, Identifier="billing")


def test_s21_resource_server_refusals_change_nothing(cognito, raw_cognito, pool):
    cognito.create_resource_server(UserPoolId=pool, Identifier="api", Name="API")
    with raises_cognito("InvalidParameterException"):
        cognito.create_resource_server(UserPoolId=pool, Identifier="api", Name="Again")
    for scope in ["a/b", "has space", ""]:
        with raises_cognito("InvalidParameterException"):
            raw_cognito.create_resource_server(UserPoolId=pool, Identifier="api2", Name="API",
                                               Scopes=[{"ScopeName": scope, "ScopeDescription": "d"}])
    with raises_cognito("ResourceNotFoundException"):
        cognito.describe_resource_server(UserPoolId=pool, Identifier="api2")
    assert cognito.describe_resource_server(UserPoolId=pool, Identifier="api")["ResourceServer"]["Name"] == "API"


# --- identity providers ---------------------------------------------------------------


OIDC_DETAILS = {
    "client_id": "rp-client",
    "client_secret": "rp-secret-value",
    "attributes_request_method": "GET",
    "oidc_issuer": "https://idp.example.com",
    "authorize_scopes": "openid email",
}


def test_s21_identity_provider_lifecycle(cognito, pool):
    out = cognito.create_identity_provider(
        UserPoolId=pool, ProviderName="Corp", ProviderType="OIDC", ProviderDetails=OIDC_DETAILS,
        AttributeMapping={"email": "email"}, IdpIdentifiers=["corp.example.com"],
    )["IdentityProvider"]
    assert out["ProviderName"] == "Corp" and out["ProviderType"] == "OIDC"
    assert out["ProviderDetails"]["client_id"] == "rp-client"
    assert out["AttributeMapping"] == {"email": "email"}
    assert out["IdpIdentifiers"] == ["corp.example.com"]
    by_id = cognito.get_identity_provider_by_identifier(UserPoolId=pool, IdpIdentifier="corp.example.com")
    assert by_id["IdentityProvider"]["ProviderName"] == "Corp"
    listed = cognito.list_identity_providers(UserPoolId=pool)["Providers"]
    assert [p["ProviderName"] for p in listed] == ["Corp"]
    assert listed[0]["ProviderType"] == "OIDC"

    updated = cognito.update_identity_provider(UserPoolId=pool, ProviderName="Corp",
                                               AttributeMapping={"email": "mail"})
    assert updated["IdentityProvider"]["AttributeMapping"] == {"email": "mail"}
    cognito.delete_identity_provider(UserPoolId=pool, ProviderName="Corp")
    with raises_cognito("ResourceNotFoundException"):
        cognito.describe_identity_provider(UserPoolId=pool, ProviderName="Corp")


def test_s21_identity_provider_names_and_identifiers_are_unique(cognito, pool):
    cognito.create_identity_provider(UserPoolId=pool, ProviderName="Corp", ProviderType="OIDC",
                                     ProviderDetails=OIDC_DETAILS, IdpIdentifiers=["corp"])
    with raises_cognito("DuplicateProviderException"):
        cognito.create_identity_provider(UserPoolId=pool, ProviderName="Corp", ProviderType="OIDC",
                                         ProviderDetails=OIDC_DETAILS)
    with raises_cognito("DuplicateProviderException"):
        cognito.create_identity_provider(UserPoolId=pool, ProviderName="Other", ProviderType="OIDC",
                                         ProviderDetails=OIDC_DETAILS, IdpIdentifiers=["corp"])
    with raises_cognito("ResourceNotFoundException"):
        cognito.describe_identity_provider(UserPoolId=pool, ProviderName="Other")
    with raises_cognito("InvalidParameterException"):
        cognito.create_identity_provider(UserPoolId=pool, ProviderName="Bad", ProviderType="Nope",
                                         ProviderDetails=OIDC_DETAILS)


# --- app-client OAuth settings --------------------------------------------------------


def oauth_client(cognito, pool, **overrides):
    args = dict(
        UserPoolId=pool, ClientName=unique("web"), GenerateSecret=False,
        AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=["http://localhost:8000/callback", "https://app.example.com/cb"],
        LogoutURLs=["http://localhost:8000/bye"], DefaultRedirectURI="http://localhost:8000/callback",
        SupportedIdentityProviders=["COGNITO"],
    )
    args.update(overrides)
    args = {k: v for k, v in args.items() if v is not None}
    return cognito.create_user_pool_client(**args)["UserPoolClient"]


def test_s21_client_oauth_settings_round_trip(cognito, pool):
    client = oauth_client(cognito, pool)
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])["UserPoolClient"]
    for got in (client, described):
        assert got["AllowedOAuthFlows"] == ["code"]
        assert got["AllowedOAuthFlowsUserPoolClient"] is True
        assert got["AllowedOAuthScopes"] == ["openid", "email"]
        assert got["CallbackURLs"] == ["http://localhost:8000/callback", "https://app.example.com/cb"]
        assert got["LogoutURLs"] == ["http://localhost:8000/bye"]
        assert got["DefaultRedirectURI"] == "http://localhost:8000/callback"
        assert got["SupportedIdentityProviders"] == ["COGNITO"]


def test_s21_client_oauth_settings_are_validated(cognito, pool):
    with raises_cognito("InvalidParameterException"):
        oauth_client(cognito, pool, CallbackURLs=["http://app.example.com/cb"], DefaultRedirectURI=None)
    with raises_cognito("InvalidParameterException"):
        oauth_client(cognito, pool, CallbackURLs=["https://app.example.com/cb#frag"], DefaultRedirectURI=None)
    with raises_cognito("InvalidOAuthFlowException"):
        oauth_client(cognito, pool, CallbackURLs=[], DefaultRedirectURI=None)
    with raises_cognito("ScopeDoesNotExistException"):
        oauth_client(cognito, pool, AllowedOAuthScopes=["api/unknown"])
    with raises_cognito("InvalidOAuthFlowException"):
        oauth_client(cognito, pool, AllowedOAuthFlows=["client_credentials"], GenerateSecret=False)


def test_s21_update_user_pool_client_sets_and_resets_the_oauth_settings(cognito, pool):
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName=unique("web"))["UserPoolClient"]
    assert "CallbackURLs" not in client
    updated = cognito.update_user_pool_client(
        UserPoolId=pool, ClientId=client["ClientId"], ClientName="web",
        AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["openid", "email"], CallbackURLs=["https://app.example.com/cb"],
        LogoutURLs=["https://app.example.com/bye"], SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])["UserPoolClient"]
    for got in (updated, described):
        assert got["AllowedOAuthFlows"] == ["code"]
        assert got["CallbackURLs"] == ["https://app.example.com/cb"]
        assert got["LogoutURLs"] == ["https://app.example.com/bye"]
    # Validated as at creation, and a refusal changes nothing.
    with raises_cognito("InvalidParameterException"):
        cognito.update_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"],
                                        AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
                                        AllowedOAuthScopes=["openid"], CallbackURLs=["http://app.example.com/cb"])
    again = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])["UserPoolClient"]
    assert again["CallbackURLs"] == ["https://app.example.com/cb"]
    # As Cognito documents, a member left out of the update returns to its default.
    cognito.update_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"], ClientName="web")
    reset = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])["UserPoolClient"]
    assert "CallbackURLs" not in reset and "AllowedOAuthFlows" not in reset


# --- the token endpoint: client credentials -------------------------------------------


def m2m_client(cognito, pool):
    cognito.create_resource_server(UserPoolId=pool, Identifier="orders", Name="Orders",
                                   Scopes=[{"ScopeName": "read", "ScopeDescription": "r"},
                                           {"ScopeName": "write", "ScopeDescription": "w"}])
    return cognito.create_user_pool_client(
        UserPoolId=pool, ClientName=unique("m2m"), GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"], AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["orders/read", "orders/write"],
    )["UserPoolClient"]


def test_s21_client_credentials_issue_an_access_token_with_resource_server_scopes(server, cognito, pool):
    client = m2m_client(cognito, pool)
    config = requests.get(f"{server.url}/{pool}/.well-known/openid-configuration", timeout=10).json()
    assert config["issuer"] == f"{server.url}/{pool}"
    basic = base64.b64encode(f"{client['ClientId']}:{client['ClientSecret']}".encode()).decode()
    r = requests.post(config["token_endpoint"], timeout=10,
                      headers={"Authorization": f"Basic {basic}"},
                      data={"grant_type": "client_credentials", "scope": "orders/read"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert "refresh_token" not in body and "id_token" not in body
    jwks = jwt.PyJWKClient(config["jwks_uri"])
    key = jwks.get_signing_key_from_jwt(body["access_token"]).key
    claims = jwt.decode(body["access_token"], key, algorithms=["RS256"], issuer=config["issuer"])
    assert claims["sub"] == client["ClientId"] and claims["client_id"] == client["ClientId"]
    assert claims["scope"] == "orders/read" and claims["token_use"] == "access"

    # Form-post authentication, and every allowed custom scope when none is asked for.
    r = requests.post(config["token_endpoint"], timeout=10,
                      data={"grant_type": "client_credentials", "client_id": client["ClientId"],
                            "client_secret": client["ClientSecret"]})
    assert r.status_code == 200, r.text
    claims = jwt.decode(r.json()["access_token"], options={"verify_signature": False})
    assert claims["scope"] == "orders/read orders/write"


def test_s21_token_endpoint_refusals(server, cognito, pool):
    client = m2m_client(cognito, pool)
    url = f"{server.url}/{pool}/oauth2/token"

    def post(data, auth=None):
        headers = {}
        if auth:
            headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
        return requests.post(url, data=data, headers=headers, timeout=10)

    good = f"{client['ClientId']}:{client['ClientSecret']}"
    cases = [
        (post({"grant_type": "client_credentials"}, f"{client['ClientId']}:wrong"), 401, "invalid_client"),
        (post({"grant_type": "client_credentials"}, "nosuchclient:x"), 401, "invalid_client"),
        (post({"grant_type": "client_credentials"}), 401, "invalid_client"),
        (post({"grant_type": "client_credentials", "scope": "openid"}, good), 400, "invalid_scope"),
        (post({"grant_type": "client_credentials", "scope": "orders/admin"}, good), 400, "invalid_scope"),
        (post({"grant_type": "password"}, good), 400, "unsupported_grant_type"),
        (post({}, good), 400, "invalid_request"),
        (post({"grant_type": "authorization_code", "code": "nope", "redirect_uri": "https://x"}, good),
         400, "unauthorized_client"),
    ]
    for response, status, error in cases:
        assert response.status_code == status, (error, response.status_code, response.text)
        assert response.json() == {"error": error}, response.text
