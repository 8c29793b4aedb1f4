"""SPEC §21 in a real browser: Debian's Chromium, driven by Playwright, signs in on the
hosted page; an off-the-shelf OIDC client (authlib) builds the authorization request with
PKCE and exchanges the code; the id token is verified (PyJWT) with the keys the discovery
document names.

Chromium is the system's (`/usr/bin/chromium`, Debian's `chromium` package); Playwright
never downloads a browser here. Without it the test fails and says so (never skips)."""

import http.server
import os
import secrets
import threading
import time
import urllib.parse

import jwt
import pyotp
import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from playwright.sync_api import sync_playwright

from support import PERM, PERM2, TEMP, create_user, unique

CHROMIUM = os.environ.get("USERPOOL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class Callback:
    """A local HTTP server standing for the web app's callback URL: it records the query
    of every request it gets and answers a small page."""

    def __init__(self):
        self.queries: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/callback":  # not the browser's /favicon.ico
                    outer.queries.append(url.query)
                body = b"<!doctype html><title>callback</title><p>signed in</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/callback"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def callback():
    cb = Callback()
    yield cb
    cb.close()


@pytest.fixture(scope="module")
def browser():
    assert os.path.exists(CHROMIUM), (
        f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)"
    )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def web_app(cognito, pool, callback_url):
    return cognito.create_user_pool_client(
        UserPoolId=pool, ClientName=unique("web"), GenerateSecret=False,
        AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["openid", "email", "profile"],
        CallbackURLs=[callback_url], SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]


def discovery(server, pool):
    r = requests.get(f"{server.url}/{pool}/.well-known/openid-configuration", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def authorize_url(config, client_id, callback_url):
    session = OAuth2Session(client_id, redirect_uri=callback_url, scope="openid email",
                            code_challenge_method="S256")
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, state = session.create_authorization_url(config["authorization_endpoint"],
                                                  code_verifier=verifier, nonce=nonce)
    return session, url, state, verifier, nonce


def open_authorize_page(browser, config, client_id, callback_url):
    """A new browser page on a fresh authorize URL: the OAuth session, the page, the state
    and the PKCE verifier."""
    session, url, state, verifier, _ = authorize_url(config, client_id, callback_url)
    page = browser.new_page()
    page.goto(url)
    return session, page, state, verifier


def sign_in_on_page(page, username, password):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_s21_browser_signs_in_on_the_hosted_page_and_authlib_completes_pkce(server, cognito, pool, browser, callback):
    username = unique("alice")
    create_user(cognito, pool, username, permanent=PERM, attributes={"email": "alice@example.com"})
    client = web_app(cognito, pool, callback.url)
    config = discovery(server, pool)
    assert config["code_challenge_methods_supported"] == ["S256"]
    session, url, state, verifier, nonce = authorize_url(config, client["ClientId"], callback.url)

    page = browser.new_page()
    page.goto(url)
    assert page.title(), "the page has a title"
    # Accessible: every input has a label, and no script is needed to sign in.
    assert page.locator("script").count() == 0
    sign_in_on_page(page, username, "Wrong-Passw0rd!")
    assert "Incorrect username or password." in page.content()
    assert callback.queries == [], "a refused sign-in redirects nowhere"

    sign_in_on_page(page, username, PERM)
    page.wait_for_url(f"{callback.url}*")
    query = urllib.parse.parse_qs(callback.queries[-1])
    assert query["state"] == [state], "the state comes back untouched"

    token = session.fetch_token(config["token_endpoint"], authorization_response=page.url,
                                code_verifier=verifier)
    assert token["token_type"] == "Bearer" and token["refresh_token"]
    # The id token verifies against the keys the discovery document names.
    key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(token["id_token"]).key
    claims = jwt.decode(token["id_token"], key, algorithms=config["id_token_signing_alg_values_supported"],
                        audience=client["ClientId"], issuer=config["issuer"])
    assert claims["nonce"] == nonce
    assert claims["token_use"] == "id"
    assert claims["cognito:username"] == username
    assert claims["email"] == "alice@example.com"

    info = requests.get(config["userinfo_endpoint"], timeout=10,
                        headers={"Authorization": f"Bearer {token['access_token']}"})
    assert info.status_code == 200, info.text
    assert info.json()["username"] == username

    # The refresh token works through the token endpoint.
    refreshed = session.refresh_token(config["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["id_token"] and refreshed["access_token"]

    # The code is spent: a second exchange is invalid_grant, and revokes what the first
    # issued (RFC 6749 §4.1.2): the refresh token stops working.
    code = query["code"][0]
    again = requests.post(config["token_endpoint"], timeout=10, data={
        "grant_type": "authorization_code", "client_id": client["ClientId"], "code": code,
        "redirect_uri": callback.url, "code_verifier": verifier})
    assert again.status_code == 400 and again.json() == {"error": "invalid_grant"}
    revoked = requests.post(config["token_endpoint"], timeout=10, data={
        "grant_type": "refresh_token", "client_id": client["ClientId"],
        "refresh_token": token["refresh_token"]})
    assert revoked.status_code == 400 and revoked.json() == {"error": "invalid_grant"}


def test_s21_hosted_page_asks_for_a_new_password(server, cognito, pool, browser, callback):
    username = unique("bob")
    create_user(cognito, pool, username, temporary=TEMP)
    client = web_app(cognito, pool, callback.url)
    config = discovery(server, pool)
    session, page, state, verifier = open_authorize_page(browser, config, client["ClientId"], callback.url)
    sign_in_on_page(page, username, TEMP)
    page.get_by_label("New password").fill(PERM2)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url(f"{callback.url}*")
    token = session.fetch_token(config["token_endpoint"], authorization_response=page.url,
                                code_verifier=verifier)
    assert token["id_token"]
    assert cognito.admin_get_user(UserPoolId=pool, Username=username)["UserStatus"] == "CONFIRMED"


def test_s21_hosted_page_refuses_a_disabled_user_and_an_unregistered_redirect(server, cognito, pool, browser, callback):
    username = unique("carol")
    create_user(cognito, pool, username, permanent=PERM)
    cognito.admin_disable_user(UserPoolId=pool, Username=username)
    client = web_app(cognito, pool, callback.url)
    config = discovery(server, pool)
    _, url, _, _, _ = authorize_url(config, client["ClientId"], callback.url)
    page = browser.new_page()
    page.goto(url)
    sign_in_on_page(page, username, PERM)
    assert "User is disabled." in page.content()

    evil = url.replace(urllib.parse.quote(callback.url, safe=""), urllib.parse.quote("https://evil.example.com/cb", safe=""))
    assert evil != url
    response = page.goto(evil)
    assert response.status == 400
    assert "evil.example.com" not in (response.headers.get("location") or "")
    assert callback.queries == []


# --- the further steps: MFA, sign-up, forgotten password, implicit grant, logout ----------


def set_totp_mfa(cognito, pool, mode="ON"):
    cognito.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration=mode,
                                     SoftwareTokenMfaConfiguration={"Enabled": True})


def set_up_totp_on_page(page):
    """The MFA_SETUP page: reads the key (also offered as an otpauth:// link and its QR
    code), verifies a code pyotp computes from it; returns the TOTP."""
    assert page.title().startswith("Set up an authenticator app"), page.content()
    secret = page.locator("#secret").inner_text()
    uri = page.locator("#otpauth").get_attribute("href")
    assert pyotp.parse_uri(uri).secret == secret
    # The QR code of that link is drawn inline (SVG), at a size a phone's camera reads.
    qr = page.get_by_role("img", name="QR image of the key").locator("svg")
    assert qr.bounding_box()["width"] >= 200
    totp = pyotp.TOTP(secret)
    code_box = page.get_by_label("Code")
    assert code_box.get_attribute("autocomplete") == "one-time-code"
    code_box.fill(totp.now())
    page.get_by_role("button", name="Verify").click()
    return totp


def fetch_and_check(session, config, page, verifier, username):
    token = session.fetch_token(config["token_endpoint"], authorization_response=page.url,
                                code_verifier=verifier)
    key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(token["id_token"]).key
    claims = jwt.decode(token["id_token"], key, algorithms=["RS256"],
                        audience=session.client_id, issuer=config["issuer"])
    assert claims["cognito:username"] == username
    return token


def test_s18_hosted_page_sets_up_totp_then_asks_for_its_code(server, cognito, pool, browser, callback):
    set_totp_mfa(cognito, pool)
    username = unique("mia")
    create_user(cognito, pool, username, permanent=PERM)
    client = web_app(cognito, pool, callback.url)
    config = discovery(server, pool)

    session, page, _, verifier = open_authorize_page(browser, config, client["ClientId"], callback.url)
    sign_in_on_page(page, username, PERM)
    totp = set_up_totp_on_page(page)
    page.wait_for_url(f"{callback.url}*")
    fetch_and_check(session, config, page, verifier, username)
    assert cognito.admin_get_user(UserPoolId=pool, Username=username)["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]

    # The next sign-in asks for the authenticator's code: a wrong one is refused on the page.
    session, page, _, verifier = open_authorize_page(browser, config, client["ClientId"], callback.url)
    sign_in_on_page(page, username, PERM)
    assert page.title().startswith("Multi-factor authentication")
    code = totp.at(time.time() + 30)  # the next period: the one just used may not come again
    page.get_by_label("Code").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Sign in").click()
    assert "Invalid code received for user" in page.content()
    assert len(callback.queries) == 1, "a wrong code redirects nowhere"
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{callback.url}*")
    fetch_and_check(session, config, page, verifier, username)


def test_s18_hosted_page_new_password_then_mfa_setup(server, cognito, pool, browser, callback):
    set_totp_mfa(cognito, pool)
    username = unique("ned")
    create_user(cognito, pool, username, temporary=TEMP)
    client = web_app(cognito, pool, callback.url)
    config = discovery(server, pool)
    session, page, _, verifier = open_authorize_page(browser, config, client["ClientId"], callback.url)
    sign_in_on_page(page, username, TEMP)
    page.get_by_label("New password").fill(PERM2)
    page.get_by_role("button", name="Change password").click()
    # Once an internal error; now the MFA_SETUP step.
    set_up_totp_on_page(page)
    page.wait_for_url(f"{callback.url}*")
    fetch_and_check(session, config, page, verifier, username)
    assert cognito.admin_get_user(UserPoolId=pool, Username=username)["UserStatus"] == "CONFIRMED"


def test_s21_hosted_page_sign_up_confirm_then_sign_in(server, cognito, pool, browser, callback):
    username = unique("sam")
    client = web_app(cognito, pool, callback.url)
    config = discovery(server, pool)
    session, page, state, verifier = open_authorize_page(browser, config, client["ClientId"], callback.url)
    page.get_by_role("link", name="Sign up").click()
    assert page.title().startswith("Sign up")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PERM)
    assert page.get_by_label("Password").get_attribute("autocomplete") == "new-password"
    page.get_by_label("Email").fill("sam@example.com")
    offset = server.log_offset()
    page.get_by_role("button", name="Sign up").click()
    assert page.title().startswith("Confirm your account"), page.content()
    code = server.code_for(username, "SignUp", after=offset)
    page.get_by_label("Confirmation code").fill(code)
    page.get_by_role("button", name="Confirm account").click()
    assert page.title().startswith("Sign in")
    assert page.get_by_label("Username").input_value() == username
    page.get_by_label("Password").fill(PERM)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{callback.url}*")
    assert urllib.parse.parse_qs(callback.queries[-1])["state"] == [state]
    token = fetch_and_check(session, config, page, verifier, username)
    assert jwt.decode(token["id_token"], options={"verify_signature": False})["email"] == "sam@example.com"
    assert cognito.admin_get_user(UserPoolId=pool, Username=username)["UserStatus"] == "CONFIRMED"


def test_s21_hosted_page_forgot_password(server, cognito, pool, browser, callback):
    username = unique("fay")
    create_user(cognito, pool, username, permanent=PERM,
                attributes={"email": "fay@example.com", "email_verified": "true"})
    client = web_app(cognito, pool, callback.url)
    config = discovery(server, pool)
    session, page, _, verifier = open_authorize_page(browser, config, client["ClientId"], callback.url)
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Username").fill(username)
    offset = server.log_offset()
    page.get_by_role("button", name="Reset my password").click()
    assert page.title().startswith("Reset your password"), page.content()
    code = server.code_for(username, "PasswordReset", after=offset)
    page.get_by_label("Code").fill(code)
    page.get_by_label("New password").fill(PERM2)
    page.get_by_role("button", name="Change password").click()
    assert page.title().startswith("Sign in")
    page.get_by_label("Password").fill(PERM2)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{callback.url}*")
    fetch_and_check(session, config, page, verifier, username)


def test_s21_implicit_flow_puts_the_tokens_in_the_fragment(server, cognito, pool, browser, callback):
    username = unique("ivy")
    create_user(cognito, pool, username, permanent=PERM, attributes={"email": "ivy@example.com"})
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName=unique("spa"), GenerateSecret=False,
        AllowedOAuthFlows=["implicit"], AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["openid", "email"], CallbackURLs=[callback.url],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    config = discovery(server, pool)
    assert "token" in config["response_types_supported"]
    state, nonce = generate_token(16), generate_token(16)
    url = config["authorization_endpoint"] + "?" + urllib.parse.urlencode({
        "response_type": "token", "client_id": client["ClientId"], "redirect_uri": callback.url,
        "scope": "openid email", "state": state, "nonce": nonce})
    page = browser.new_page()
    page.goto(url)
    sign_in_on_page(page, username, PERM)
    page.wait_for_url(f"{callback.url}*")
    fragment = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).fragment))
    assert callback.queries[-1] == "", "the tokens never reach the server in a query"
    assert fragment["token_type"] == "Bearer"
    assert fragment["state"] == state
    assert int(fragment["expires_in"]) == 3600
    assert "refresh_token" not in fragment and "code" not in fragment
    key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(fragment["id_token"]).key
    claims = jwt.decode(fragment["id_token"], key, algorithms=["RS256"],
                        audience=client["ClientId"], issuer=config["issuer"])
    assert claims["nonce"] == nonce
    info = requests.get(config["userinfo_endpoint"], timeout=10,
                        headers={"Authorization": f"Bearer {fragment['access_token']}"})
    assert info.status_code == 200 and info.json()["email"] == "ivy@example.com"

    # The code-flow client may not ask for tokens in the fragment.
    code_client = web_app(cognito, pool, callback.url)
    refused = requests.get(config["authorization_endpoint"], timeout=10, allow_redirects=False, params={
        "response_type": "token", "client_id": code_client["ClientId"],
        "redirect_uri": callback.url, "scope": "openid", "state": "s1"})
    assert refused.status_code == 302
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(refused.headers["location"]).query)
    assert query == {"error": ["unauthorized_client"], "state": ["s1"]}


def test_s21_logout_with_redirect_uri_shows_the_sign_in_page(server, cognito, pool, browser, callback):
    username = unique("leo")
    create_user(cognito, pool, username, permanent=PERM)
    client = web_app(cognito, pool, callback.url)
    config = discovery(server, pool)
    page = browser.new_page()
    verifier = generate_token(48)
    state = generate_token(16)
    logout = config["end_session_endpoint"] + "?" + urllib.parse.urlencode({
        "client_id": client["ClientId"], "redirect_uri": callback.url, "response_type": "code",
        "state": state, "scope": "openid email",
        "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"})
    page.goto(logout)
    assert page.title().startswith("Sign in"), page.content()
    sign_in_on_page(page, username, PERM)
    page.wait_for_url(f"{callback.url}*")
    query = urllib.parse.parse_qs(callback.queries[-1])
    assert query["state"] == [state]
    token = requests.post(config["token_endpoint"], timeout=10, data={
        "grant_type": "authorization_code", "client_id": client["ClientId"],
        "code": query["code"][0], "redirect_uri": callback.url, "code_verifier": verifier})
    assert token.status_code == 200, token.text
    # A redirect_uri the client did not register is shown, never followed.
    response = page.goto(logout.replace(urllib.parse.quote(callback.url, safe=""),
                                        urllib.parse.quote("https://evil.example.com/cb", safe="")))
    assert response.status == 400
    assert len(callback.queries) == 1
