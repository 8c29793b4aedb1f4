"""SPEC §19: Cognito's triggers over the Lambda Invoke API, with boto3. A small Lambda
emulator (http.server on a free port) serves Python handler functions by name, as
`sam local start-lambda` does; the server is started with `--lambda-endpoint` pointing at
it, and pools name the functions in their LambdaConfig."""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from support import (CHEAP_HASH_FLAGS, ServerProcess, attrs, make_client, make_pool, raises_cognito,
                     sign_in, status, unique)

PASSWORD = "Legacy-Passw0rd!"
ACCOUNT = "arn:aws:lambda:us-east-1:123456789012:function:"

# The legacy user directory the migration function reads.
LEGACY = {"olduser": {"password": PASSWORD, "email": "olduser@legacy.example"}}


def migrate(event, context):
    user = LEGACY.get(event["userName"])
    if user is None:
        raise Exception("User not found")
    if event["triggerSource"] == "UserMigration_Authentication":
        if event["request"]["password"] != user["password"]:
            raise Exception("Bad password")
        event["response"]["finalUserStatus"] = "CONFIRMED"
    event["response"]["userAttributes"] = {"email": user["email"], "email_verified": "true"}
    event["response"]["messageAction"] = "SUPPRESS"
    return event


def auto_confirm(event, context):
    event["response"]["autoConfirmUser"] = True
    event["response"]["autoVerifyEmail"] = "email" in event["request"]["userAttributes"]
    return event


def add_claims(event, context):
    event["response"]["claimsOverrideDetails"] = {
        "claimsToAddOrOverride": {"department": "ops", "legacy_source": event["triggerSource"]},
    }
    return event


def refuse(event, context):
    raise Exception("Account frozen")


def echo(event, context):
    return event


FUNCTIONS = {"migrate": migrate, "auto_confirm": auto_confirm, "add_claims": add_claims, "refuse": refuse,
             "echo": echo}


class LambdaEmulator:
    """The Invoke API (`POST /2015-03-31/functions/{name or ARN}/invocations`) over the
    handlers of `FUNCTIONS`: the returned event as the answer, a raised exception as a
    function error (`X-Amz-Function-Error`), an unknown function as 404."""

    def __init__(self):
        self.requests: list[dict] = []
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                path = self.path.split("?", 1)[0]
                prefix, suffix = "/2015-03-31/functions/", "/invocations"
                name = urllib.parse.unquote(path[len(prefix):-len(suffix)]) if path.startswith(prefix) else ""
                name = name.rsplit(":function:", 1)[-1]
                event = json.loads(body or b"null")
                emulator.requests.append({"function": name, "headers": dict(self.headers.items()), "event": event})
                function = FUNCTIONS.get(name)
                if function is None:
                    return self.answer(404, {"Type": "User", "Message": f"Function not found: {name}"},
                                       {"X-Amzn-ErrorType": "ResourceNotFoundException"})
                try:
                    result = function(event, None)
                except Exception as e:  # the function's error, as Lambda reports it
                    return self.answer(200, {"errorMessage": str(e), "errorType": type(e).__name__},
                                       {"X-Amz-Function-Error": "Unhandled"})
                return self.answer(200, result, {})

            def answer(self, code, payload, headers):
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def lambda_server(tmp_path_factory):
    """An emulator, and a server invoking it."""
    emulator = LambdaEmulator()
    base = tmp_path_factory.mktemp("lambda")
    srv = ServerProcess(base / "userpool.db", base / "server.log",
                        [*CHEAP_HASH_FLAGS, "--lambda-endpoint", emulator.url]).start()
    yield srv, emulator
    assert srv.stop() == 0
    emulator.stop()
    # Events are never logged: the migration event carried the legacy password.
    assert PASSWORD not in srv.log_path.read_text("utf-8", "replace")


def pool_with(cognito, **functions) -> tuple[str, str]:
    config = {trigger: ACCOUNT + name for trigger, name in functions.items()}
    pool = make_pool(cognito, LambdaConfig=config)
    return pool, make_client(cognito, pool)["ClientId"]


def id_claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_s19_user_migration_signs_a_legacy_user_in(lambda_server):
    srv, emulator = lambda_server
    cognito = srv.client()
    pool, client = pool_with(cognito, UserMigration="migrate")
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["LambdaConfig"]["UserMigration"] == ACCOUNT + "migrate"

    result = sign_in(cognito, client, "olduser", PASSWORD)
    assert id_claims(result["AuthenticationResult"]["IdToken"])["email"] == "olduser@legacy.example"
    assert status(cognito, pool, "olduser") == "CONFIRMED"
    user = cognito.admin_get_user(UserPoolId=pool, Username="olduser")
    assert attrs(user["UserAttributes"])["email_verified"] == "true"

    event = next(r for r in emulator.requests if r["event"]["userPoolId"] == pool)["event"]
    assert event["triggerSource"] == "UserMigration_Authentication"
    assert event["version"] == "1" and event["userName"] == "olduser"
    assert event["callerContext"]["clientId"] == client
    # The migrated user signs in again without the function.
    before = len(emulator.requests)
    sign_in(cognito, client, "olduser", PASSWORD)
    assert len(emulator.requests) == before

    # The function's refusal is Cognito's error, and nothing is created.
    LEGACY["wrongpass"] = {"password": "Other-Passw0rd!", "email": "w@legacy.example"}
    with raises_cognito("UserLambdaValidationException", "UserMigration failed with error Bad password."):
        sign_in(cognito, client, "wrongpass", PASSWORD)
    with raises_cognito("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool, Username="wrongpass")


def test_s19_invoke_calls_are_signed_for_lambda(lambda_server):
    srv, emulator = lambda_server
    cognito = srv.client()
    pool, client = pool_with(cognito, PreSignUp="auto_confirm")
    cognito.sign_up(ClientId=client, Username=unique("signed"), Password=PASSWORD)
    request = next(r for r in emulator.requests if r["event"]["userPoolId"] == pool)
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["x-amz-invocation-type"] == "RequestResponse"
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
    assert "/us-east-1/lambda/aws4_request" in headers["authorization"], headers["authorization"]
    assert request["function"] == "auto_confirm"


def test_s19_pre_sign_up_auto_confirms(lambda_server):
    srv, _ = lambda_server
    cognito = srv.client()
    pool, client = pool_with(cognito, PreSignUp="auto_confirm")
    name = unique("auto")
    out = cognito.sign_up(ClientId=client, Username=name, Password=PASSWORD,
                          UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    assert out["UserConfirmed"] is True
    assert status(cognito, pool, name) == "CONFIRMED"
    user = cognito.admin_get_user(UserPoolId=pool, Username=name)
    assert attrs(user["UserAttributes"])["email_verified"] == "true"
    sign_in(cognito, client, name, PASSWORD)


def test_s19_pre_token_generation_claim_in_the_id_token(lambda_server):
    srv, _ = lambda_server
    cognito = srv.client()
    pool, client = pool_with(cognito, PreTokenGeneration="add_claims")
    name = unique("claims")
    cognito.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username=name, Password=PASSWORD, Permanent=True)
    auth = sign_in(cognito, client, name, PASSWORD)["AuthenticationResult"]
    claims = id_claims(auth["IdToken"])
    assert claims["department"] == "ops"
    assert claims["legacy_source"] == "TokenGeneration_Authentication"
    assert "department" not in id_claims(auth["AccessToken"])
    refreshed = cognito.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH",
                                      AuthParameters={"REFRESH_TOKEN": auth["RefreshToken"]})
    assert id_claims(refreshed["AuthenticationResult"]["IdToken"])["legacy_source"] == "TokenGeneration_RefreshTokens"


def test_s19_refusing_pre_authentication(lambda_server):
    srv, _ = lambda_server
    cognito = srv.client()
    pool, client = pool_with(cognito, PreAuthentication="refuse")
    name = unique("frozen")
    cognito.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username=name, Password=PASSWORD, Permanent=True)
    with raises_cognito("UserLambdaValidationException", "PreAuthentication failed with error Account frozen."):
        sign_in(cognito, client, name, PASSWORD)


def test_s19_a_missing_function_is_unexpected_lambda_exception(lambda_server):
    srv, _ = lambda_server
    cognito = srv.client()
    pool, client = pool_with(cognito, PreSignUp="no_such_function")
    name = unique("missing")
    with raises_cognito("UnexpectedLambdaException",
                        "PreSignUp invocation failed due to error ResourceNotFoundException."):
        cognito.sign_up(ClientId=client, Username=name, Password=PASSWORD)
    with raises_cognito("UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool, Username=name)


def test_s19_client_metadata_and_validation_data_reach_the_triggers(lambda_server):
    srv, emulator = lambda_server
    cognito = srv.client()
    pool, client = pool_with(cognito, PreSignUp="auto_confirm", PostConfirmation="echo",
                             PreAuthentication="echo", PostAuthentication="echo")
    name = unique("meta")
    cognito.sign_up(ClientId=client, Username=name, Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
                    ValidationData=[{"Name": "captcha", "Value": "solved"}],
                    ClientMetadata={"step": "sign-up"})
    cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
                          ClientMetadata={"step": "sign-in"})
    events = {r["event"]["triggerSource"]: r["event"] for r in emulator.requests
              if r["event"]["userPoolId"] == pool}
    pre_sign_up = events["PreSignUp_SignUp"]["request"]
    assert pre_sign_up["validationData"] == {"captcha": "solved"}
    assert pre_sign_up["clientMetadata"] == {"step": "sign-up"}
    assert events["PostConfirmation_ConfirmSignUp"]["request"]["clientMetadata"] == {"step": "sign-up"}
    assert events["PreAuthentication_Authentication"]["request"]["validationData"] == {"step": "sign-in"}
    # Cognito does not pass InitiateAuth's ClientMetadata to PostAuthentication.
    assert events["PostAuthentication_Authentication"]["request"]["clientMetadata"] == {}
    for event in events.values():
        assert event["callerContext"]["clientId"] == client
        # botocore's User-Agent names no `aws-sdk-<language>/<version>` product.
        assert event["callerContext"]["awsSdkVersion"] == "aws-sdk-unknown-unknown"
