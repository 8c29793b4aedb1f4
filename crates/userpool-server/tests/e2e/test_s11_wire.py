"""SPEC §11 — the wire: AWS JSON 1.1 framing errors, SigV4 on admin operations (and none
on public ones), all errors HTTP 400 JSON `{"__type","message"}`."""

import json

import pytest
import requests
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from support import (
    BOTO_CONFIG,
    DEV_ACCESS_KEY_ID,
    DEV_SECRET_ACCESS_KEY,
    PERM,
    TEMP,
    assert_new_password_required,
    create_user,
    raises_cognito,
    sign_in,
    status,
)

CONTENT_TYPE = "application/x-amz-json-1.1"
PREFIX = "AWSCognitoIdentityProviderService."


def post(server, body: bytes | str, *, target: str | None = None, content_type: str | None = CONTENT_TYPE, headers=None):
    h = dict(headers or {})
    if target is not None:
        h["X-Amz-Target"] = target
    if content_type is not None:
        h["Content-Type"] = content_type
    return requests.post(server.url + "/", data=body, headers=h, timeout=30)


def signed_headers(server, target: str, body: bytes, *, service="cognito-idp", region="us-east-1",
                   key=DEV_ACCESS_KEY_ID, secret=DEV_SECRET_ACCESS_KEY) -> dict:
    request = AWSRequest(method="POST", url=server.url + "/", data=body,
                         headers={"Content-Type": CONTENT_TYPE, "X-Amz-Target": PREFIX + target})
    SigV4Auth(Credentials(key, secret), service, region).add_auth(request)
    return dict(request.headers.items())


def assert_json_error(response, code: str, status_code: int = 400) -> dict:
    assert response.status_code == status_code, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith(CONTENT_TYPE)
    body = response.json()
    assert set(body) == {"__type", "message"}, body
    assert body["__type"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    assert response.headers.get("x-amzn-RequestId")
    return body


# --- framing -------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [PREFIX + "Frobnicate", "DynamoDB_20120810.GetItem", None],
                         ids=["unknown-op", "other-service", "missing"])
def test_s11_unknown_target_is_unknown_operation(server, target):
    assert_json_error(post(server, b"{}", target=target), "UnknownOperationException")


def test_s11_unsupported_operation_via_boto3(cognito, pool):
    with raises_cognito("UnsupportedOperationException",
                        "Operation AdminForgetDevice is not supported by userpool-server.") as e:
        cognito.admin_forget_device(UserPoolId=pool, Username="alice", DeviceKey="us-east-1_abc")
    assert e["HTTPStatusCode"] == 400


@pytest.mark.parametrize("content_type", ["text/json", "text/plain", "application/x-amz-json-1.0", None])
def test_s11_wrong_content_type_is_serialization_exception(server, content_type):
    body = json.dumps({"ClientId": "x", "Username": "u", "Password": PERM})
    assert_json_error(post(server, body, target=PREFIX + "SignUp", content_type=content_type), "SerializationException")


def test_s11_plain_json_content_type_is_accepted(server):
    """AWS's own API reference examples send `application/json`: the operation runs (here it
    finds no such client)."""
    body = json.dumps({"ClientId": "x", "Username": "u", "Password": PERM})
    assert_json_error(post(server, body, target=PREFIX + "SignUp", content_type="application/json"),
                      "ResourceNotFoundException")


@pytest.mark.parametrize("body", [b'{"ClientId": ', b'{"Password": Hunter2-Secret}', b"[1, 2]", b'"text"', b"\xff\xfe"],
                         ids=["truncated", "bare-word", "array", "string", "not-utf8"])
def test_s11_bad_json_is_serialization_exception_without_echo(server, body):
    error = assert_json_error(post(server, body, target=PREFIX + "SignUp"), "SerializationException")
    assert "Hunter2" not in error["message"]  # SPEC §10: the input (maybe a password) is not echoed


def test_s11_wrongly_typed_member_is_serialization_exception(server):
    body = json.dumps({"ClientId": "x", "Username": "u", "Password": PERM, "UserAttributes": "Hunter2-Secret"})
    error = assert_json_error(post(server, body, target=PREFIX + "SignUp"), "SerializationException")
    assert "UserAttributes" in error["message"] and "Hunter2" not in error["message"]


def test_s11_body_over_one_mebibyte_is_serialization_exception(server):
    body = json.dumps({"ClientId": "x", "Username": "u", "Password": "p" * (1 << 20)})
    assert_json_error(post(server, body, target=PREFIX + "SignUp"), "SerializationException")


def test_s11_unknown_path_is_a_json_error(server):
    response = requests.get(server.url + "/no/such/thing", timeout=10)
    assert response.status_code == 404
    assert response.json()["__type"] == "UnknownOperationException"


def test_s11_success_is_200_aws_json(server, pool, app_client):
    body = json.dumps({"ClientId": app_client["ClientId"], "Username": "wire-user", "Password": PERM})
    response = post(server, body, target=PREFIX + "SignUp")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(CONTENT_TYPE)
    out = response.json()
    assert out["UserConfirmed"] is False and len(out["UserSub"]) == 36


def test_s11_admin_set_user_password_output_is_an_empty_object(server, cognito, pool):
    create_user(cognito, pool, "diego")
    body = json.dumps({"UserPoolId": pool, "Username": "diego", "Password": PERM, "Permanent": True}).encode()
    response = requests.post(server.url + "/", data=body, headers=signed_headers(server, "AdminSetUserPassword", body), timeout=10)
    assert response.status_code == 200
    assert response.json() == {}
    assert status(cognito, pool, "diego") == "CONFIRMED"


# --- signatures ----------------------------------------------------------------------------

def test_s11_public_operations_need_no_signature(server, pool, app_client):
    unsigned = server.client(config=BOTO_CONFIG.merge(Config(signature_version=UNSIGNED)))
    out = unsigned.sign_up(ClientId=app_client["ClientId"], Username="public", Password=PERM)
    assert out["UserConfirmed"] is False


def test_s11_any_region_may_sign(server, cognito, pool):
    create_user(cognito, pool, "diego")
    elsewhere = server.client(region_name="eu-west-1")
    assert elsewhere.admin_get_user(UserPoolId=pool, Username="diego")["Username"] == "diego"


def test_s11_manually_signed_request_is_accepted(server, cognito, pool):
    # The control for the tampering tests below: the same helper, untampered, works.
    create_user(cognito, pool, "diego")
    body = json.dumps({"UserPoolId": pool, "Username": "diego"}).encode()
    response = requests.post(server.url + "/", data=body, headers=signed_headers(server, "AdminGetUser", body), timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["Username"] == "diego"


def attempt_changes(client, pool):
    """Admin calls that would change the user if they were accepted."""
    return [
        lambda: client.admin_set_user_password(UserPoolId=pool, Username="diego", Password=PERM, Permanent=True),
        lambda: client.admin_disable_user(UserPoolId=pool, Username="diego"),
        lambda: client.admin_delete_user(UserPoolId=pool, Username="diego"),
    ]


def assert_unchanged(cognito, pool, app_client):
    user = cognito.admin_get_user(UserPoolId=pool, Username="diego")
    assert (user["UserStatus"], user["Enabled"]) == ("FORCE_CHANGE_PASSWORD", True)
    assert_new_password_required(sign_in(cognito, app_client["ClientId"], "diego", TEMP), "diego")


def test_s11_unsigned_admin_call_is_missing_authentication_token(server, cognito, pool, app_client):
    create_user(cognito, pool, "diego")
    unsigned = server.client(config=BOTO_CONFIG.merge(Config(signature_version=UNSIGNED)))
    for call in attempt_changes(unsigned, pool):
        with raises_cognito("MissingAuthenticationTokenException", "Request is missing Authentication Token") as e:
            call()
        assert e["HTTPStatusCode"] == 400
    assert_unchanged(cognito, pool, app_client)


def test_s11_wrong_secret_is_invalid_signature(server, cognito, pool, app_client):
    create_user(cognito, pool, "diego")
    forger = server.client(aws_secret_access_key="not-the-development-secret")
    for call in attempt_changes(forger, pool):
        with raises_cognito("InvalidSignatureException"):
            call()
    assert_unchanged(cognito, pool, app_client)


def test_s11_unknown_access_key_is_unrecognized_client(server, cognito, pool, app_client):
    create_user(cognito, pool, "diego")
    stranger = server.client(aws_access_key_id="AKIAUNKNOWNKEY000000")
    for call in attempt_changes(stranger, pool):
        with raises_cognito("UnrecognizedClientException", "The security token included in the request is invalid."):
            call()
    assert_unchanged(cognito, pool, app_client)


def test_s11_tampered_body_is_invalid_signature(server, cognito, pool, app_client):
    create_user(cognito, pool, "diego")
    signed_body = json.dumps({"UserPoolId": pool, "Username": "diego"}).encode()
    headers = signed_headers(server, "AdminDisableUser", signed_body)
    sent = json.dumps({"UserPoolId": pool, "Username": "diego", "Extra": 1}).encode()
    headers["Content-Length"] = str(len(sent))
    response = requests.post(server.url + "/", data=sent, headers=headers, timeout=10)
    assert_json_error(response, "InvalidSignatureException")
    assert_unchanged(cognito, pool, app_client)


def test_s11_signature_for_another_service_is_refused(server, cognito, pool, app_client):
    create_user(cognito, pool, "diego")
    body = json.dumps({"UserPoolId": pool, "Username": "diego"}).encode()
    response = requests.post(server.url + "/", data=body, headers=signed_headers(server, "AdminDisableUser", body, service="s3"), timeout=10)
    assert_json_error(response, "InvalidSignatureException")
    assert_unchanged(cognito, pool, app_client)


def test_s11_incomplete_authorization_header(server, cognito, pool, app_client):
    create_user(cognito, pool, "diego")
    body = json.dumps({"UserPoolId": pool, "Username": "diego"})
    response = post(server, body, target=PREFIX + "AdminDisableUser", headers={
        "Authorization": f"AWS4-HMAC-SHA256 Credential={DEV_ACCESS_KEY_ID}/20260101/us-east-1/cognito-idp/aws4_request",
        "X-Amz-Date": "20260101T000000Z",
    })
    assert_json_error(response, "IncompleteSignatureException")
    assert_unchanged(cognito, pool, app_client)


def test_s11_get_on_the_operation_path_is_a_json_error(server):
    # Everything that is not an operation or a JWKS gets a JSON error (handler.rs promises it).
    response = requests.get(server.url + "/", timeout=10)
    assert 400 <= response.status_code < 500
    assert response.json()["__type"], response.text


def test_s11_sigint_also_stops_gracefully(tmp_path):
    import signal as signals

    from support import CHEAP_HASH_FLAGS, ServerProcess

    srv = ServerProcess(tmp_path / "int.db", tmp_path / "int.log", CHEAP_HASH_FLAGS).start()
    assert srv.client().list_user_pools(MaxResults=1)["UserPools"] == []
    srv.proc.send_signal(signals.SIGINT)
    srv.proc.wait(20)  # stop() would send SIGTERM to a process still running
    assert srv.stop() == 0
    assert "SIGINT received" in srv.log_path.read_text()


@pytest.mark.parametrize("skew_minutes, accepted", [(-14, True), (14, True), (-16, False), (16, False)])
def test_s11_signature_date_must_be_within_fifteen_minutes(server, cognito, pool, skew_minutes, accepted):
    from support import signing_clock_ahead

    create_user(cognito, pool, "diego")
    with signing_clock_ahead(skew_minutes * 60):
        if accepted:
            assert cognito.admin_get_user(UserPoolId=pool, Username="diego")["Username"] == "diego"
        else:
            with raises_cognito("InvalidSignatureException"):
                cognito.admin_disable_user(UserPoolId=pool, Username="diego")
    assert cognito.admin_get_user(UserPoolId=pool, Username="diego")["Enabled"] is True


def test_s11_access_key_id_is_case_sensitive(server, cognito, pool):
    create_user(cognito, pool, "diego")
    lower = server.client(aws_access_key_id=DEV_ACCESS_KEY_ID.lower())
    with raises_cognito("UnrecognizedClientException"):
        lower.admin_disable_user(UserPoolId=pool, Username="diego")
    assert cognito.admin_get_user(UserPoolId=pool, Username="diego")["Enabled"] is True


def test_s11_sigterm_finishes_requests_in_flight(tmp_path):
    """SIGTERM stops accepting and lets the requests in flight finish (exit 0)."""
    import signal as signals
    import threading
    import time

    from support import PERM, ServerProcess, assert_tokens, make_client, make_pool

    # Expensive hashes (at the ceiling: 10 passes) make a sign-in take a while.
    srv = ServerProcess(tmp_path / "unused.db", tmp_path / "slow.log",
                        ["--memory", "--hash-iterations", "10", "--hash-memory-kib", "32768"]).start()
    cognito = srv.client()
    pool = make_pool(cognito)
    client = make_client(cognito, pool)["ClientId"]
    create_user(cognito, pool, "diego", permanent=PERM)
    start = time.perf_counter()
    assert_tokens(sign_in(cognito, client, "diego", PERM))  # also opens the keep-alive connection
    duration = time.perf_counter() - start
    outcome = {}

    def slow_sign_in():
        try:
            outcome["result"] = sign_in(cognito, client, "diego", PERM)
        except Exception as e:  # noqa: BLE001 - reported below
            outcome["error"] = repr(e)

    def cpu_ticks():
        # utime + stime of the server process (fields 14 and 15 of /proc/PID/stat).
        with open(f"/proc/{srv.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    # SIGTERM goes once the request is in flight: the idle server burns no CPU, so its CPU
    # time rising means the sign-in's hash has started (a fixed sleep raced a slow client
    # on a loaded machine, and the request could arrive after the listener had closed).
    before = cpu_ticks()
    worker = threading.Thread(target=slow_sign_in)
    worker.start()
    deadline = time.monotonic() + 10
    while cpu_ticks() < before + 2 and time.monotonic() < deadline:
        time.sleep(0.005)
    srv.proc.send_signal(signals.SIGTERM)
    worker.join(60)
    assert "error" not in outcome, f"in-flight request failed on SIGTERM: {outcome['error']} (a sign-in takes {duration:.2f}s)"
    assert_tokens(outcome["result"])
    assert srv.stop() == 0
