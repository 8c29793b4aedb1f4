//! Tests of [`super::verify`]. Every signature here was made by an independent signer — botocore, or AWS's
//! published SigV4 test suite — never by `aws-sigv4`, which `verify` itself uses.

use axum::http::{HeaderName, HeaderValue};
use chrono::TimeZone;
use zeroize::Zeroizing;

use super::*;

/// AWS's documented example credential (SigV4 test suite, SDK docs).
const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// Vectors signed by botocore 1.44.5 (`SigV4Auth`, as boto3 and the AWS CLI sign):
//
//     import datetime
//     from unittest import mock
//     from botocore.auth import SigV4Auth
//     from botocore.awsrequest import AWSRequest
//     from botocore.credentials import Credentials
//     BODY = '{"UserPoolId":"us-east-1_example","Username":"alice","Password":"Corr3ct-Horse!","Permanent":true}'
//     def sign(region="us-east-1", service="cognito-idp", token=None):
//         creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
//         req = AWSRequest(method="POST", url="http://127.0.0.1:9229/", data=BODY, headers={
//             "Content-Type": "application/x-amz-json-1.1",
//             "X-Amz-Target": "AWSCognitoIdentityProviderService.AdminSetUserPassword"})
//         fixed = datetime.datetime(2026, 11, 23, 12, 0, 0)
//         with mock.patch("botocore.auth.get_current_datetime", return_value=fixed):
//             SigV4Auth(creds, service, region).add_auth(req)
//         return dict(req.headers.items())
//     sign(); sign(region="eu-west-1"); sign(token="FQoGZXIvYXdzEXAMPLE//session+token=="); sign(service="sts")
//
// botocore signs `content-type`, `host` (taken from the URL, port included:
// `127.0.0.1:9229`), `x-amz-date` and `x-amz-target`, and sends no
// `x-amz-content-sha256` for this service.
const BODY: &str = r#"{"UserPoolId":"us-east-1_example","Username":"alice","Password":"Corr3ct-Horse!","Permanent":true}"#;
const BOTOCORE_DATE: &str = "20261123T120000Z";
const BOTOCORE_US_EAST_1: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=a6327ed92307a118345f2c595c2523c822dc0e2e000850bda095e1ad800750e3";
const BOTOCORE_EU_WEST_1: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/eu-west-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=9f5a8966ca104c4f73f0ec9e3c2c8a4a41e6f17f2afcb909ae0a6bddec138503";
const BOTOCORE_TOKEN: &str = "FQoGZXIvYXdzEXAMPLE//session+token==";
const BOTOCORE_WITH_TOKEN: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=f0d9ea4d14ad21c882e4fd00b0496b3439a8841bcdec3e79ab32c076a3712d66";
const BOTOCORE_STS: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0e28020855955e8e6e47b7f558be5cf8d8eaf2724076f456d6c826a91918b15d";

/// The same request with `User-Agent: aws-cli/2.17.0 Python/3.11` signed too (botocore
/// excludes it by default; signed here with
/// `mock.patch("botocore.auth.SIGNED_HEADERS_BLACKLIST", [])`), as a client that signs
/// every header would.
const BOTOCORE_USER_AGENT_SIGNED: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;user-agent;x-amz-date;x-amz-target, Signature=08c80fa691ad30bf9d98fcb6340cd44abc11f05568cd0db544b235a62efd9774";

fn credential() -> AdminCredential {
    AdminCredential {
        access_key_id: ACCESS_KEY_ID.into(),
        secret_access_key: Zeroizing::new(SECRET.into()),
        development: false,
    }
}

fn at(date: &str) -> DateTime<Utc> {
    parse_amz_date(date).unwrap_or_else(|e| panic!("{e}"))
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|e| panic!("{e}")),
            HeaderValue::from_str(value).unwrap_or_else(|e| panic!("{e}")),
        );
    }
    map
}

/// The botocore AdminSetUserPassword request, as it reaches the server.
struct Request {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Request {
    fn botocore(authorization: &str) -> Self {
        Self {
            method: Method::POST,
            uri: Uri::from_static("/"),
            headers: headers(&[
                ("Host", "127.0.0.1:9229"),
                ("Content-Type", "application/x-amz-json-1.1"),
                (
                    "X-Amz-Target",
                    "AWSCognitoIdentityProviderService.AdminSetUserPassword",
                ),
                ("X-Amz-Date", BOTOCORE_DATE),
                ("Authorization", authorization),
                // Sent but not signed, as by every client: must not matter.
                ("User-Agent", "aws-cli/2.17.0 Python/3.11"),
                ("Content-Length", "97"),
            ]),
            body: BODY.as_bytes().to_vec(),
        }
    }

    fn set(mut self, name: &'static str, value: &str) -> Self {
        self.headers.insert(
            name,
            HeaderValue::from_str(value).unwrap_or_else(|e| panic!("{e}")),
        );
        self
    }

    fn remove(mut self, name: &'static str) -> Self {
        self.headers.remove(name);
        self
    }

    fn verify_at(&self, now: DateTime<Utc>) -> Result<Caller, Error> {
        verify(
            &self.method,
            &self.uri,
            &self.headers,
            &self.body,
            &credential(),
            now,
        )
    }

    fn verify(&self) -> Result<Caller, Error> {
        self.verify_at(at(BOTOCORE_DATE))
    }
}

fn accepted(result: Result<Caller, Error>) {
    match result {
        Ok(caller) => assert_eq!(caller, Caller::new(ACCESS_KEY_ID)),
        Err(e) => panic!("refused: {} {e}", e.code()),
    }
}

/// The error's code and message, failing the test if the request was accepted.
fn refused(result: Result<Caller, Error>) -> (&'static str, String) {
    match result {
        Ok(caller) => panic!("accepted as {caller:?}"),
        Err(e) => {
            let message = e.to_string();
            assert!(!message.contains(SECRET), "secret in {message}");
            assert!(!format!("{e:?}").contains(SECRET));
            (e.code(), message)
        }
    }
}

#[test]
fn a_botocore_signature_verifies() {
    accepted(Request::botocore(BOTOCORE_US_EAST_1).verify());
}

#[test]
fn any_region_in_the_scope_verifies() {
    accepted(Request::botocore(BOTOCORE_EU_WEST_1).verify());
}

#[test]
fn a_signed_session_token_verifies_with_the_static_key() {
    let request =
        Request::botocore(BOTOCORE_WITH_TOKEN).set("x-amz-security-token", BOTOCORE_TOKEN);
    accepted(request.verify());
    // The token is signed: changing it breaks the signature.
    let (code, _) = refused(
        request
            .set("x-amz-security-token", "another-token")
            .verify(),
    );
    assert_eq!(code, "InvalidSignatureException");
}

#[test]
fn a_signed_user_agent_is_honoured() {
    let request = Request::botocore(BOTOCORE_USER_AGENT_SIGNED);
    accepted(request.verify());
    let request = request.set("user-agent", "aws-cli/2.18.0 Python/3.12");
    assert_eq!(refused(request.verify()).0, "InvalidSignatureException");
}

#[test]
fn an_unsigned_session_token_is_ignored() {
    accepted(
        Request::botocore(BOTOCORE_US_EAST_1)
            .set("x-amz-security-token", BOTOCORE_TOKEN)
            .verify(),
    );
}

#[test]
fn a_matching_content_sha256_header_is_accepted_and_a_wrong_one_refused() {
    let hash = sha256_hex(BODY.as_bytes());
    accepted(
        Request::botocore(BOTOCORE_US_EAST_1)
            .set("x-amz-content-sha256", &hash)
            .verify(),
    );
    let (code, message) = refused(
        Request::botocore(BOTOCORE_US_EAST_1)
            .set("x-amz-content-sha256", &sha256_hex(b"{}"))
            .verify(),
    );
    assert_eq!(code, "InvalidSignatureException");
    assert!(message.contains("x-amz-content-sha256"), "{message}");
}

#[test]
fn the_payload_hash_is_sha256_in_lowercase_hex() {
    // The SHA-256 of the empty string, as in every GET of AWS's test suite.
    assert_eq!(
        sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn no_authorization_header_is_a_missing_token() {
    let (code, message) = refused(Request::botocore("").remove("authorization").verify());
    assert_eq!(code, "MissingAuthenticationTokenException");
    assert_eq!(message, "Request is missing Authentication Token");
    // Presigned query authentication is not supported: still a missing token.
    let mut request = Request::botocore("").remove("authorization");
    request.uri = Uri::from_static(
        "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=a6327ed92307a118345f2c595c2523c822dc0e2e000850bda095e1ad800750e3",
    );
    assert_eq!(
        refused(request.verify()).0,
        "MissingAuthenticationTokenException"
    );
}

/// (Authorization header, expected message) — all `IncompleteSignatureException`.
const INCOMPLETE: &[(&str, &str)] = &[
    (
        "AWS4-HMAC-SHA256",
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256",
    ),
    (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date",
        "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date",
    ),
    (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, Signature=00",
        "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, Signature=00",
    ),
    (
        "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=00",
        "Authorization header requires 'Credential' parameter. Authorization=AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=00",
    ),
    (
        "AWS3-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
        "Unsupported AWS 'algorithm': 'AWS3-HMAC-SHA256'.",
    ),
    (
        "Bearer eyJhbGciOiJSUzI1NiJ9",
        "Unsupported AWS 'algorithm': 'Bearer'.",
    ),
    ("", "Unsupported AWS 'algorithm': ''."),
    (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/cognito-idp, SignedHeaders=host;x-amz-date, Signature=00",
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20261123/us-east-1/cognito-idp'",
    ),
];

#[test]
fn a_malformed_authorization_header_is_an_incomplete_signature() {
    for (authorization, expected) in INCOMPLETE {
        let (code, message) = refused(Request::botocore(authorization).verify());
        assert_eq!(
            (code, message.as_str()),
            ("IncompleteSignatureException", *expected),
            "{authorization}"
        );
    }
}

#[test]
fn a_missing_or_malformed_date_is_an_incomplete_signature() {
    let (code, message) = refused(
        Request::botocore(BOTOCORE_US_EAST_1)
            .remove("x-amz-date")
            .verify(),
    );
    assert_eq!(code, "IncompleteSignatureException");
    assert_eq!(
        message,
        format!(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={BOTOCORE_US_EAST_1}"
        )
    );
    let (code, message) = refused(
        Request::botocore(BOTOCORE_US_EAST_1)
            .set("x-amz-date", "2026-11-23T12:00:00Z")
            .verify(),
    );
    assert_eq!(code, "IncompleteSignatureException");
    assert_eq!(
        message,
        "Date must be in ISO-8601 'basic format'. Got '2026-11-23T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"
    );
}

#[test]
fn another_service_in_the_scope_is_refused() {
    // A genuine botocore signature, for `sts`.
    let (code, message) = refused(Request::botocore(BOTOCORE_STS).verify());
    assert_eq!(code, "InvalidSignatureException");
    assert_eq!(
        message,
        "Credential should be scoped to correct service: 'cognito-idp'."
    );
}

#[test]
fn a_scope_of_another_day_or_terminator_is_refused_with_every_fault() {
    let authorization = BOTOCORE_US_EAST_1.replace(
        "20261123/us-east-1/cognito-idp/aws4_request",
        "20261122//cognito-idp/aws5_request",
    );
    let (code, message) = refused(Request::botocore(&authorization).verify());
    assert_eq!(code, "InvalidSignatureException");
    assert_eq!(
        message,
        "Credential should be scoped to a valid region, not ''. Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261122' != '20261123', from '20261123T120000Z'."
    );
}

#[test]
fn an_unknown_access_key_id_is_an_unrecognized_client() {
    let authorization = BOTOCORE_US_EAST_1.replace("AKIDEXAMPLE/", "AKIAOTHERKEY/");
    let (code, message) = refused(Request::botocore(&authorization).verify());
    assert_eq!(code, "UnrecognizedClientException");
    assert_eq!(
        message,
        "The security token included in the request is invalid."
    );
}

#[test]
fn a_wrong_secret_does_not_verify() {
    let request = Request::botocore(BOTOCORE_US_EAST_1);
    let mut other = credential();
    other.secret_access_key = Zeroizing::new("not-the-secret".into());
    let result = verify(
        &request.method,
        &request.uri,
        &request.headers,
        &request.body,
        &other,
        at(BOTOCORE_DATE),
    );
    assert_eq!(
        refused(result),
        ("InvalidSignatureException", MISMATCH.to_owned())
    );
}

#[test]
fn a_tampered_body_does_not_verify() {
    let mut request = Request::botocore(BOTOCORE_US_EAST_1);
    request.body = BODY.replace("alice", "admin").into_bytes();
    assert_eq!(
        refused(request.verify()),
        ("InvalidSignatureException", MISMATCH.to_owned())
    );
}

#[test]
fn a_tampered_signed_header_does_not_verify() {
    let cases = [
        (
            "x-amz-target",
            "AWSCognitoIdentityProviderService.AdminDeleteUser",
        ),
        ("host", "127.0.0.1:9230"),
        ("content-type", "application/json"),
    ];
    for (name, value) in cases {
        let request = Request::botocore(BOTOCORE_US_EAST_1).set(name, value);
        assert_eq!(
            refused(request.verify()),
            ("InvalidSignatureException", MISMATCH.to_owned()),
            "{name}"
        );
    }
}

#[test]
fn a_tampered_method_path_or_signature_does_not_verify() {
    let mut request = Request::botocore(BOTOCORE_US_EAST_1);
    request.method = Method::PUT;
    assert_eq!(refused(request.verify()).0, "InvalidSignatureException");
    let mut request = Request::botocore(BOTOCORE_US_EAST_1);
    request.uri = Uri::from_static("/?Action=AdminDeleteUser");
    assert_eq!(refused(request.verify()).0, "InvalidSignatureException");
    for signature in [
        "a6327ed92307a118345f2c595c2523c822dc0e2e000850bda095e1ad800750e4",
        "a6327e",
        "",
    ] {
        let authorization = BOTOCORE_US_EAST_1.replace(
            "a6327ed92307a118345f2c595c2523c822dc0e2e000850bda095e1ad800750e3",
            signature,
        );
        let result = Request::botocore(&authorization).verify();
        assert_eq!(
            refused(result),
            ("InvalidSignatureException", MISMATCH.to_owned())
        );
    }
}

#[test]
fn a_signed_header_list_without_a_sent_header_does_not_verify() {
    // `x-amz-target` claimed signed but not sent.
    let request = Request::botocore(BOTOCORE_US_EAST_1).remove("x-amz-target");
    assert_eq!(refused(request.verify()).0, "InvalidSignatureException");
}

#[test]
fn a_missing_host_header_is_refused_without_panicking() {
    let request = Request::botocore(BOTOCORE_US_EAST_1).remove("host");
    assert_eq!(
        refused(request.verify()),
        ("InvalidSignatureException", MISMATCH.to_owned())
    );
}

#[test]
fn without_a_host_header_the_authority_of_an_absolute_uri_is_the_host() {
    let mut request = Request::botocore(BOTOCORE_US_EAST_1).remove("host");
    request.uri = Uri::from_static("http://127.0.0.1:9229/");
    accepted(request.verify());
}

#[test]
fn every_truncation_or_corruption_of_the_header_is_refused_without_panicking() {
    let full = BOTOCORE_US_EAST_1;
    for end in 0..full.len() {
        let (code, _) = refused(Request::botocore(&full[..end]).verify());
        assert!(
            code == "IncompleteSignatureException" || code == "InvalidSignatureException",
            "{end}: {code}"
        );
    }
    for (from, to) in [
        (
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target",
            "SignedHeaders=host;;x-amz-date;HOST;bad name;",
        ),
        ("Credential=AKIDEXAMPLE/", "Credential=/"),
        ("aws4_request", "aws4_request/extra"),
        ("Signature=", "Signature=Signature="),
    ] {
        let result = Request::botocore(&full.replace(from, to)).verify();
        assert!(result.is_err(), "{to}");
    }
}

#[test]
fn host_and_date_must_be_signed() {
    let cases = [
        (
            "SignedHeaders=content-type;x-amz-date;x-amz-target",
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ),
        (
            "SignedHeaders=content-type;host;x-amz-target",
            "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
        ),
    ];
    for (signed, expected) in cases {
        let authorization = BOTOCORE_US_EAST_1.replace(
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target",
            signed,
        );
        let (code, message) = refused(Request::botocore(&authorization).verify());
        assert_eq!(
            (code, message.as_str()),
            ("InvalidSignatureException", expected)
        );
    }
}

#[test]
fn a_date_within_fifteen_minutes_either_way_verifies() {
    let signed = at(BOTOCORE_DATE);
    let request = Request::botocore(BOTOCORE_US_EAST_1);
    for offset in [-15, -14, 14, 15] {
        accepted(request.verify_at(signed + TimeDelta::minutes(offset)));
    }
}

#[test]
fn a_date_older_than_fifteen_minutes_is_expired() {
    let now = at(BOTOCORE_DATE) + TimeDelta::minutes(16);
    let (code, message) = refused(Request::botocore(BOTOCORE_US_EAST_1).verify_at(now));
    assert_eq!(code, "InvalidSignatureException");
    assert_eq!(
        message,
        "Signature expired: 20261123T120000Z is now earlier than 20261123T120100Z (20261123T121600Z - 15 min.)"
    );
    // One second past the window is enough.
    let now = at(BOTOCORE_DATE) + TimeDelta::minutes(15) + TimeDelta::seconds(1);
    assert_eq!(
        refused(Request::botocore(BOTOCORE_US_EAST_1).verify_at(now)).0,
        "InvalidSignatureException"
    );
}

#[test]
fn a_date_more_than_fifteen_minutes_ahead_is_not_yet_current() {
    let now = at(BOTOCORE_DATE) - TimeDelta::minutes(16);
    let (code, message) = refused(Request::botocore(BOTOCORE_US_EAST_1).verify_at(now));
    assert_eq!(code, "InvalidSignatureException");
    assert_eq!(
        message,
        "Signature not yet current: 20261123T120000Z is still later than 20261123T115900Z (20261123T114400Z + 15 min.)"
    );
}

#[test]
fn non_ascii_header_values_are_refused_without_panicking() {
    let mut request = Request::botocore(BOTOCORE_US_EAST_1);
    request.headers.insert(
        "x-amz-target",
        HeaderValue::from_bytes(b"Admin\xffSetUserPassword").unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(refused(request.verify()).0, "InvalidSignatureException");
    let mut request = Request::botocore(BOTOCORE_US_EAST_1);
    request.headers.insert(
        "authorization",
        HeaderValue::from_bytes(b"AWS4-HMAC-SHA256 \xff").unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(refused(request.verify()).0, "IncompleteSignatureException");
    let mut request = Request::botocore(BOTOCORE_US_EAST_1);
    request.headers.insert(
        "x-amz-date",
        HeaderValue::from_bytes(b"2026\xff").unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(refused(request.verify()).0, "IncompleteSignatureException");
}

/// A request of AWS's test suite: (method, path and query, headers, Authorization).
type Vector = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// Cases of AWS's published SigV4 test suite (`aws-sig-v4-test-suite`, service `service`,
/// 2015-08-30T12:36:00Z, the AKIDEXAMPLE credential), verbatim: (method, path and query,
/// headers, Authorization).
const AWS_TEST_SUITE: &[Vector] = &[
    (
        "GET",
        "/",
        &[
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
        ],
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    (
        "GET",
        "/?Param2=value2&Param1=value1",
        &[
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
        ],
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ),
    (
        "POST",
        "/",
        &[
            ("Host", "example.amazonaws.com"),
            ("My-Header1", "VALUE1"),
            ("X-Amz-Date", "20150830T123600Z"),
        ],
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
    ),
    (
        "POST",
        "/",
        &[
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
            (
                "X-Amz-Security-Token",
                "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==",
            ),
        ],
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
    ),
];

#[test]
fn aws_test_suite_vectors_verify() {
    let now = Utc.with_ymd_and_hms(2015, 8, 30, 12, 36, 0).single();
    let now = now.unwrap_or_else(|| panic!("a valid date"));
    for (method, uri, pairs, authorization) in AWS_TEST_SUITE {
        let mut map = headers(pairs);
        map.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(authorization).unwrap_or_else(|e| panic!("{e}")),
        );
        let method = Method::from_bytes(method.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let uri: Uri = uri.parse().unwrap_or_else(|e| panic!("{e}"));
        let result = verify_for_service("service", &method, &uri, &map, b"", &credential(), now);
        accepted(result);
        // ...and the same request is refused by `verify`, which wants `cognito-idp`.
        let (code, _) = refused(verify(&method, &uri, &map, b"", &credential(), now));
        assert_eq!(code, "InvalidSignatureException");
    }
}

/// `SignedHeaders` must be lowercase names, sorted, each named once, and not too
/// many; each fault is `IncompleteSignatureException`, before the signer runs.
#[test]
fn signed_headers_must_be_lowercase_sorted_unique_and_few() {
    let botocore_list = "SignedHeaders=content-type;host;x-amz-date;x-amz-target";
    let many: Vec<String> = (0..=MAX_SIGNED_HEADERS)
        .map(|i| format!("h{i:03}"))
        .collect();
    let too_many = format!("SignedHeaders={}", many.join(";"));
    for (list, fault) in [
        (
            "SignedHeaders=host;content-type;x-amz-date;x-amz-target",
            "sorted",
        ),
        (
            "SignedHeaders=content-type;host;host;x-amz-date;x-amz-target",
            "sorted",
        ),
        (
            "SignedHeaders=content-type;Host;x-amz-date;x-amz-target",
            "lowercase",
        ),
        (
            "SignedHeaders=content-type;host;x-amz-date;;x-amz-target",
            "lowercase",
        ),
        (
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target;",
            "lowercase",
        ),
        (
            "SignedHeaders=content-type;host;x amz;x-amz-date",
            "lowercase",
        ),
        (too_many.as_str(), "at most"),
    ] {
        let authorization = BOTOCORE_US_EAST_1.replace(botocore_list, list);
        let (code, message) = refused(Request::botocore(&authorization).verify());
        assert_eq!(code, "IncompleteSignatureException", "{list}");
        assert!(message.contains(fault), "{list}: {message}");
    }
}

/// Signed headers carrying too many values or bytes are refused before the
/// signer copies them (it panicked on a header map past its size).
#[test]
fn signed_headers_carrying_too_many_values_or_bytes_are_refused() {
    let authorization = BOTOCORE_US_EAST_1.replace(
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target",
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-pad",
    );
    let mut request = Request::botocore(&authorization);
    for _ in 0..MAX_SIGNED_HEADER_VALUES {
        request
            .headers
            .append("x-pad", HeaderValue::from_static("a"));
    }
    let (code, message) = refused(request.verify());
    assert_eq!(code, "IncompleteSignatureException");
    assert!(message.contains("too large"), "{message}");
    let mut request = Request::botocore(&authorization);
    let big = "b".repeat(MAX_SIGNED_HEADER_BYTES);
    request.headers.append(
        "x-pad",
        HeaderValue::from_str(&big).unwrap_or_else(|e| panic!("{e}")),
    );
    let (code, _) = refused(request.verify());
    assert_eq!(code, "IncompleteSignatureException");
}
