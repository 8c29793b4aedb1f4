"""SPEC §21 social identity providers through boto3: the details Cognito fills in and
shows for each social type (never Sign in with Apple's private key), the five-identity
link limit, and AdminDisableProviderForUser of a pool's own user (its password no longer
signs in until AdminSetUserPassword). The sign-in flows themselves run against loopback
fakes of each provider in tests/spec_21_social.rs."""

from support import INCORRECT, PERM, PERM2, create_user, make_client, make_pool, raises_cognito, sign_in, unique

APPLE_KEY = "-----BEGIN PRIVATE KEY-----\nnot-a-real-key\n-----END PRIVATE KEY-----\n"


def test_s21_social_providers_describe_cognitos_details(cognito):
    pool = make_pool(cognito)
    cognito.create_identity_provider(
        UserPoolId=pool, ProviderName="Google", ProviderType="Google",
        ProviderDetails={"client_id": "g", "client_secret": "s", "authorize_scopes": "email profile openid"},
        AttributeMapping={"email": "email", "username": "sub"},
    )
    google = cognito.describe_identity_provider(UserPoolId=pool, ProviderName="Google")["IdentityProvider"]
    assert google["ProviderDetails"] == {
        "client_id": "g", "client_secret": "s", "authorize_scopes": "email profile openid",
        "attributes_url": "https://people.googleapis.com/v1/people/me?personFields=",
        "attributes_url_add_attributes": "true",
        "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "oidc_issuer": "https://accounts.google.com",
        "token_request_method": "POST",
        "token_url": "https://www.googleapis.com/oauth2/v4/token",
    }
    cognito.create_identity_provider(
        UserPoolId=pool, ProviderName="SignInWithApple", ProviderType="SignInWithApple",
        ProviderDetails={"client_id": "com.example", "team_id": "T", "key_id": "K",
                         "private_key": APPLE_KEY, "authorize_scopes": "email name"},
    )
    apple = cognito.describe_identity_provider(UserPoolId=pool, ProviderName="SignInWithApple")["IdentityProvider"]
    assert "private_key" not in apple["ProviderDetails"]
    assert apple["ProviderDetails"]["authorize_url"] == "https://appleid.apple.com/auth/authorize"
    assert apple["ProviderDetails"]["oidc_issuer"] == "https://appleid.apple.com"
    cognito.create_identity_provider(
        UserPoolId=pool, ProviderName="Facebook", ProviderType="Facebook",
        ProviderDetails={"client_id": "f", "client_secret": "s", "authorize_scopes": "public_profile, email",
                         "api_version": "v18.0"},
    )
    facebook = cognito.describe_identity_provider(UserPoolId=pool, ProviderName="Facebook")["IdentityProvider"]
    assert facebook["ProviderDetails"]["token_url"] == "https://graph.facebook.com/v18.0/oauth/access_token"
    assert facebook["ProviderDetails"]["token_request_method"] == "GET"
    # An operator's endpoint stays (a provider behind a proxy).
    cognito.update_identity_provider(
        UserPoolId=pool, ProviderName="Google",
        ProviderDetails={"client_id": "g", "client_secret": "s", "authorize_scopes": "openid",
                         "token_url": "https://proxy.example.com/token"},
    )
    google = cognito.describe_identity_provider(UserPoolId=pool, ProviderName="Google")["IdentityProvider"]
    assert google["ProviderDetails"]["token_url"] == "https://proxy.example.com/token"
    assert google["ProviderDetails"]["authorize_url"] == "https://accounts.google.com/o/oauth2/v2/auth"


def test_s21_at_most_five_identities_link_to_a_user(cognito):
    pool = make_pool(cognito)
    cognito.create_identity_provider(
        UserPoolId=pool, ProviderName="Facebook", ProviderType="Facebook",
        ProviderDetails={"client_id": "f", "client_secret": "s", "authorize_scopes": "email"},
    )
    username = unique("nina")
    create_user(cognito, pool, username, permanent=PERM)

    def link(subject):
        cognito.admin_link_provider_for_user(
            UserPoolId=pool,
            DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": username},
            SourceUser={"ProviderName": "Facebook", "ProviderAttributeName": "Cognito_Subject",
                        "ProviderAttributeValue": subject},
        )

    for n in range(5):
        link(f"1000{n}")
    with raises_cognito("LimitExceededException",
                        "The maximum number of federated identities linked to a user is five."):
        link("10005")
    user = cognito.admin_get_user(UserPoolId=pool, Username=username)
    identities = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "identities")
    assert identities.count('"providerType":"Facebook"') == 5


def test_s21_disable_provider_for_a_cognito_user_stops_password_sign_in(cognito):
    pool = make_pool(cognito)
    client = make_client(cognito, pool)
    username = unique("oscar")
    create_user(cognito, pool, username, permanent=PERM)
    sign_in(cognito, client["ClientId"], username, PERM)
    cognito.admin_disable_provider_for_user(
        UserPoolId=pool,
        User={"ProviderName": "Cognito", "ProviderAttributeName": "Cognito_Subject",
              "ProviderAttributeValue": username},
    )
    with raises_cognito("NotAuthorizedException", INCORRECT):
        sign_in(cognito, client["ClientId"], username, PERM)
    assert cognito.admin_get_user(UserPoolId=pool, Username=username)["Enabled"] is True
    cognito.admin_set_user_password(UserPoolId=pool, Username=username, Password=PERM2, Permanent=True)
    sign_in(cognito, client["ClientId"], username, PERM2)
